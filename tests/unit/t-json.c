/*
 * t-json: unit tests of lib/json: commas in nested objects and arrays, and
 * string escaping per RFC 8259.
 */
#include <stdint.h>
#include <string.h>

#include "json.h"
#include "tap.h"

static void
quoted(const char *s, const char *want, const char *what)
{
	struct strbuf sb = STRBUF_INIT;

	json_quote(&sb, s);
	is(sb.buf, want, "json_quote: %s", what);
	strbuf_release(&sb);
}

static void
test_quote(void)
{
	quoted("", "\"\"", "empty string");
	quoted("plain text", "\"plain text\"", "plain text unchanged");
	quoted("say \"hi\"", "\"say \\\"hi\\\"\"", "double quotes escaped");
	quoted("C:\\dir\\", "\"C:\\\\dir\\\\\"", "backslashes escaped");
	quoted("a\nb\rc\td", "\"a\\nb\\rc\\td\"", "newline, CR and tab escaped");
	quoted("\x01\x1f\x1b[0m\b\f", "\"\\u0001\\u001f\\u001b[0m\\u0008\\u000c\"",
	    "other control characters as \\u00XX");
	quoted("caf\xc3\xa9 \xe2\x9c\x93", "\"caf\xc3\xa9 \xe2\x9c\x93\"",
	    "UTF-8 passed through");
	quoted("/ stays", "\"/ stays\"", "slash not escaped");
	quoted("\x7f", "\"\x7f\"", "DEL passed through (not a control character in JSON)");
}

static void
test_nesting(void)
{
	struct strbuf out = STRBUF_INIT;
	struct json j;

	json_init(&j, &out);
	json_obj_begin(&j);
	json_obj_end(&j);
	is(out.buf, "{}", "an empty object");
	strbuf_reset(&out);

	json_init(&j, &out);
	json_arr_begin(&j);
	json_arr_end(&j);
	is(out.buf, "[]", "an empty array");
	strbuf_reset(&out);

	json_init(&j, &out);
	json_obj_begin(&j);
	json_kv_int(&j, "flight", 41);
	json_kv_str(&j, "branch", "xen-unstable");
	json_kv_str(&j, "why", NULL);
	json_key(&j, "jobs");
	json_arr_begin(&j);
	json_obj_begin(&j);
	json_kv_str(&j, "job", "build-amd64");
	json_key(&j, "ok");
	json_bool(&j, 1);
	json_obj_end(&j);
	json_obj_begin(&j);
	json_kv_str(&j, "job", "test \"q\"");
	json_key(&j, "ok");
	json_bool(&j, 0);
	json_key(&j, "steps");
	json_arr_begin(&j);
	json_int(&j, 1);
	json_int(&j, -2);
	json_arr_begin(&j);
	json_arr_end(&j);
	json_obj_begin(&j);
	json_obj_end(&j);
	json_null(&j);
	json_str(&j, "s");
	json_arr_end(&j);
	json_obj_end(&j);
	json_arr_end(&j);
	json_kv_opt_int(&j, "started", 1, 1700000000);
	json_kv_opt_int(&j, "finished", 0, 99);
	json_key(&j, "empty");
	json_obj_begin(&j);
	json_obj_end(&j);
	json_kv_int(&j, "big", INT64_MIN);
	json_obj_end(&j);
	is(out.buf,
	    "{\"flight\":41,\"branch\":\"xen-unstable\",\"why\":null,"
	    "\"jobs\":[{\"job\":\"build-amd64\",\"ok\":true},"
	    "{\"job\":\"test \\\"q\\\"\",\"ok\":false,"
	    "\"steps\":[1,-2,[],{},null,\"s\"]}],"
	    "\"started\":1700000000,\"finished\":null,\"empty\":{},"
	    "\"big\":-9223372036854775808}",
	    "nested objects and arrays: commas only between values");
	strbuf_reset(&out);

	/* Top-level values one after another (a stream) get commas too. */
	json_init(&j, &out);
	json_arr_begin(&j);
	json_arr_begin(&j);
	json_arr_begin(&j);
	json_int(&j, 1);
	json_arr_end(&j);
	json_int(&j, 2);
	json_arr_end(&j);
	json_int(&j, 3);
	json_arr_end(&j);
	is(out.buf, "[[[1],2],3]", "a value after a closed array gets its comma");
	strbuf_reset(&out);

	json_init(&j, &out);
	json_obj_begin(&j);
	json_key(&j, "a\nb");
	json_str(&j, "x\\y");
	json_obj_end(&j);
	is(out.buf, "{\"a\\nb\":\"x\\\\y\"}", "keys are escaped like values");
	strbuf_reset(&out);

	/* Appending to a strbuf that already has text. */
	strbuf_addstr(&out, "prefix ");
	json_init(&j, &out);
	json_arr_begin(&j);
	json_str(&j, "");
	json_arr_end(&j);
	is(out.buf, "prefix [\"\"]", "json appends to what the strbuf holds");
	strbuf_release(&out);
}

static void
test_deep(void)
{
	struct strbuf out = STRBUF_INIT, want = STRBUF_INIT;
	struct json j;
	int i, n = JSON_MAX_DEPTH + 8;

	/* Deeper than the writer keeps count: two values at each level. */
	json_init(&j, &out);
	for (i = 0; i < n; i++) {
		json_arr_begin(&j);
		json_int(&j, i);
		strbuf_addf(&want, "[%d,", i);
	}
	for (i = n - 1; i >= 0; i--) {
		json_int(&j, i);
		json_arr_end(&j);
		strbuf_addf(&want, "%d]", i);
		if (i > 0)
			strbuf_addch(&want, ',');
	}
	is(out.buf, want.buf, "%d levels of arrays keep their commas", n);
	strbuf_release(&out);
	strbuf_release(&want);
}

int
main(void)
{
	test_quote();
	test_nesting();
	test_deep();
	return done_testing();
}
