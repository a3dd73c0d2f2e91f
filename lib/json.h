/*
 * json: write JSON for --json output.  A struct json appends to a strbuf
 * and keeps track of commas; values are written with json_str, json_int,
 * json_bool and json_null, object members after json_key.  Strings are
 * escaped per RFC 8259, bytes >= 0x80 passed through (tlab's data is UTF-8).
 */
#ifndef TLAB_JSON_H
#define TLAB_JSON_H

#include <stdint.h>

#include "strbuf.h"

#define JSON_MAX_DEPTH 32

struct json {
	struct strbuf *out;
	int depth;
	int count[JSON_MAX_DEPTH];	/* values written at each depth */
	int after_key;
};

void json_init(struct json *j, struct strbuf *out);
void json_obj_begin(struct json *j);
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j);
void json_arr_end(struct json *j);
void json_key(struct json *j, const char *key);
void json_str(struct json *j, const char *s);	/* NULL writes null */
void json_int(struct json *j, int64_t v);
void json_bool(struct json *j, int v);
void json_null(struct json *j);

/* Shorthands for a member: key and value. */
void json_kv_str(struct json *j, const char *key, const char *s);
void json_kv_int(struct json *j, const char *key, int64_t v);
/* An integer that is absent (NULL in the database) when has is 0. */
void json_kv_opt_int(struct json *j, const char *key, int has, int64_t v);

/* Append s as a JSON string literal. */
void json_quote(struct strbuf *sb, const char *s);

#endif
