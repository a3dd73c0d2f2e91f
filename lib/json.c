/*
 * json: a small JSON writer.  See json.h.
 */
#include <inttypes.h>

#include "json.h"
#include "banned.h"

void
json_init(struct json *j, struct strbuf *out)
{
	j->out = out;
	j->depth = 0;
	j->count[0] = 0;
	j->after_key = 0;
}

static void
json_sep(struct json *j)
{
	if (j->after_key) {
		j->after_key = 0;
		return;
	}
	if (j->count[j->depth]++ > 0)
		strbuf_addch(j->out, ',');
}

static void
json_open(struct json *j, int c)
{
	json_sep(j);
	strbuf_addch(j->out, c);
	if (j->depth < JSON_MAX_DEPTH - 1)
		j->depth++;
	j->count[j->depth] = 0;
}

static void
json_close(struct json *j, int c)
{
	strbuf_addch(j->out, c);
	if (j->depth > 0)
		j->depth--;
}

void json_obj_begin(struct json *j) { json_open(j, '{'); }
void json_obj_end(struct json *j) { json_close(j, '}'); }
void json_arr_begin(struct json *j) { json_open(j, '['); }
void json_arr_end(struct json *j) { json_close(j, ']'); }

void
json_quote(struct strbuf *sb, const char *s)
{
	strbuf_addch(sb, '"');
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '"': strbuf_addstr(sb, "\\\""); break;
		case '\\': strbuf_addstr(sb, "\\\\"); break;
		case '\n': strbuf_addstr(sb, "\\n"); break;
		case '\r': strbuf_addstr(sb, "\\r"); break;
		case '\t': strbuf_addstr(sb, "\\t"); break;
		default:
			if (c < 0x20)
				strbuf_addf(sb, "\\u%04x", c);
			else
				strbuf_addch(sb, c);
		}
	}
	strbuf_addch(sb, '"');
}

void
json_key(struct json *j, const char *key)
{
	json_sep(j);
	json_quote(j->out, key);
	strbuf_addch(j->out, ':');
	j->after_key = 1;
}

void
json_str(struct json *j, const char *s)
{
	json_sep(j);
	if (s == NULL)
		strbuf_addstr(j->out, "null");
	else
		json_quote(j->out, s);
}

void
json_int(struct json *j, int64_t v)
{
	json_sep(j);
	strbuf_addf(j->out, "%" PRId64, v);
}

void
json_bool(struct json *j, int v)
{
	json_sep(j);
	strbuf_addstr(j->out, v ? "true" : "false");
}

void
json_null(struct json *j)
{
	json_sep(j);
	strbuf_addstr(j->out, "null");
}

void
json_kv_str(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	json_str(j, s);
}

void
json_kv_int(struct json *j, const char *key, int64_t v)
{
	json_key(j, key);
	json_int(j, v);
}

void
json_kv_opt_int(struct json *j, const char *key, int has, int64_t v)
{
	json_key(j, key);
	if (has)
		json_int(j, v);
	else
		json_null(j);
}
