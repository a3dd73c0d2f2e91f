/*
 * t-conf: unit tests of lib/conf: parsing tlab.conf, its errors (each
 * naming file:line), durations and the lab-level getters.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "err.h"
#include "tap.h"

/* Parse text as file "t.conf"; the return code, words in err. */
static int
parse(const char *text, struct strbuf *err)
{
	struct conf c = CONF_INIT;
	int rc;

	strbuf_reset(err);
	rc = conf_parse(&c, "t.conf", text, err);
	conf_release(&c);
	return rc;
}

/* text must be refused, with a message starting "t.conf:LINE: " and having sub. */
static void
refused(const char *text, int line, const char *sub, const char *what)
{
	struct strbuf err = STRBUF_INIT, where = STRBUF_INIT;
	int rc = parse(text, &err);

	strbuf_addf(&where, "t.conf:%d: ", line);
	is_int(rc, TS_E_INPUT, "%s: refused as bad input", what);
	if (!ok(strncmp(err.buf, where.buf, where.len) == 0,
	    "%s: message starts with %s", what, where.buf))
		printf("#   got: '%s'\n", err.buf);
	like(err.buf, sub, "%s: message says what is wrong", what);
	strbuf_release(&err);
	strbuf_release(&where);
}

static void
test_good(void)
{
	static const char text[] =
	    "# a comment\n"
	    "\n"
	    "   \t\n"
	    "name = my lab\n"
	    "  # an indented comment\n"
	    "parallel=4\n"
	    "\tstep_timeout   =   2h   \n"
	    "job_timeout = 1d\r\n"
	    "lease = 300\n"
	    "abort_grace = 30s";	/* no newline at the end */
	struct conf c = CONF_INIT;
	struct strbuf err = STRBUF_INIT;
	int rc;

	rc = conf_parse(&c, "good.conf", text, &err);
	is_int(rc, 0, "good input parses");
	if (rc < 0)
		printf("#   err: %s\n", err.buf);
	is_int(c.nr, 6, "six keys, comments and blank lines skipped");
	is(c.path, "good.conf", "the path is kept");
	is(conf_get(&c, "", "", "name"), "my lab",
	    "a string value keeps its inner space, not the outer");
	is(conf_get(&c, "", NULL, "name"), "my lab", "conf_get takes a NULL name");
	is(conf_get(&c, "", "", "parallel"), "4", "key=value without spaces");
	is(conf_get(&c, "", "", "step_timeout"), "2h", "spaces and tabs around = trimmed");
	is(conf_get(&c, "", "", "job_timeout"), "1d", "a CRLF line end is trimmed");
	is(conf_get(&c, "", "", "abort_grace"), "30s", "the last line needs no newline");
	ok(conf_get(&c, "", "", "pause_timeout") == NULL, "an unset key is NULL");
	ok(conf_get(&c, "tree", "xen", "name") == NULL,
	    "a key of another section is NULL");
	if (c.nr == 6) {
		is_int(c.v[0].line, 4, "entry 1 remembers line 4");
		is_int(c.v[3].line, 8, "entry 4 remembers line 8");
	}

	is_int(conf_lab_ms(&c, "step_timeout", 5), 2 * 3600 * 1000,
	    "conf_lab_ms of 2h");
	is_int(conf_lab_ms(&c, "lease", 5), 300 * 1000, "conf_lab_ms of a bare 300");
	is_int(conf_lab_ms(&c, "pause_timeout", 1234), 1234,
	    "conf_lab_ms default when not set");
	is_int(conf_lab_int(&c, "parallel", 9), 4, "conf_lab_int of 4");
	conf_release(&c);
	ok(c.v == NULL && c.nr == 0 && c.path == NULL, "conf_release empties");

	rc = conf_parse(&c, "empty.conf", "", &err);
	is_int(rc, 0, "an empty file parses");
	is_int(c.nr, 0, "and has no keys");
	is_int(conf_lab_int(&c, "parallel", 9), 9, "conf_lab_int default when not set");
	is_int(conf_lab_ms(&c, "step_timeout", -1), -1, "conf_lab_ms default when not set");
	conf_release(&c);

	rc = conf_parse(&c, "t.conf", conf_template, &err);
	is_int(rc, 0, "the template ts-lab-init writes parses");
	if (rc < 0)
		printf("#   err: %s\n", err.buf);
	conf_release(&c);

	rc = conf_parse(&c, "t.conf", "parallel = 0\nname =\nabort_grace = 0\n", &err);
	is_int(rc, 0, "parallel 0, abort_grace 0 and an empty string value are accepted");
	is_int(conf_lab_ms(&c, "abort_grace", 5), 0, "abort_grace 0 is 0 ms, not the default");
	is(conf_get(&c, "", "", "name"), "", "an empty value is the empty string");
	is_int(conf_lab_int(&c, "parallel", 9), 0, "conf_lab_int of 0 is 0, not the default");
	conf_release(&c);
	strbuf_release(&err);
}

static void
test_errors(void)
{
	refused("name = x\nstep_timeut = 1h\n", 2, "unknown key 'step_timeut'",
	    "unknown key");
	refused("# c\n\n[nosuch xen]\nurl = x\n", 3, "unknown section", "unknown section");
	refused("[nosuch xen\n", 1, "section header", "header without ]");
	refused("[nosuch] junk\n", 1, "section header", "text after ]");
	refused("[]\n", 1, "unknown section", "empty section header");
	refused("name = x\njust some words\n", 2, "not a key = value line",
	    "a line without =");
	refused("= 5\n", 1, "unknown key ''", "a line with no key");
	refused("name = a\n# x\n\nname = b\n", 4, "already set on line 1",
	    "a duplicate key");
	refused("lease = 5m\nparallel = 2\nlease=5m\n", 3, "already set on line 1",
	    "a duplicate key with the same value");
	refused("step_timeout = 1y\n", 1, "is not a duration", "a bad duration");
	refused("\nstep_timeout = -5\n", 2, "is not a duration", "a negative duration");
	refused("job_timeout =\n", 1, "is not a duration", "an empty duration");
	refused("step_timeout = 0\n", 1, "more than 0", "a bound of 0");
	refused("job_timeout = 0s\n", 1, "more than 0", "a job bound of 0s");
	refused("lease = 0m\n", 1, "more than 0", "a lease of 0m");
	refused("pause_timeout = 0d\n", 1, "more than 0", "a pause bound of 0d");
	refused("parallel = four\n", 1, "is not a whole number", "a bad integer");
	refused("parallel = -1\n", 1, "is not a whole number", "a negative integer");
	refused("parallel = 4x\n", 1, "is not a whole number", "an integer with junk");
	refused("parallel = 99999999999999999999999\n", 1, "is not a whole number",
	    "an integer too large");

	{
		struct strbuf err = STRBUF_INIT;

		parse("step_timeout = 1y\n", &err);
		like(err.buf, "step_timeout", "a bad value's message names the key");
		like(err.buf, "'1y'", "a bad value's message quotes the value");
		strbuf_release(&err);
	}
}

static void
test_load(void)
{
	char dir[] = "/tmp/t-conf.XXXXXX";
	struct strbuf path = STRBUF_INIT, err = STRBUF_INIT;
	struct conf c = CONF_INIT;
	FILE *f;
	int rc;

	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp");
		return;
	}
	strbuf_addf(&path, "%s/tlab.conf", dir);
	rc = conf_load(&c, path.buf, &err);
	is_int(rc, TS_E_INPUT, "conf_load of a missing file is bad input");
	like(err.buf, path.buf, "and names the file");
	conf_release(&c);

	f = fopen(path.buf, "w");
	fputs("parallel = 3\n\nparallel = 4\n", f);
	fclose(f);
	rc = conf_load(&c, path.buf, &err);
	is_int(rc, TS_E_INPUT, "conf_load checks the file");
	strbuf_insertstr(&path, path.len, ":3: ");
	like(err.buf, path.buf, "and names the file and line");
	conf_release(&c);

	strbuf_setlen(&path, path.len - 4);
	unlink(path.buf);
	rmdir(dir);
	strbuf_release(&path);
	strbuf_release(&err);
}

static void
duration(const char *s, int64_t want)
{
	int64_t ms = -42;
	int rc = conf_parse_duration(s, &ms);

	if (want < 0) {
		is_int(rc, -1, "duration '%s' refused", s);
		is_int(ms, -42, "duration '%s' leaves *ms alone", s);
	} else {
		is_int(rc, 0, "duration '%s' accepted", s);
		is_int(ms, want, "duration '%s' is %lld ms", s, (long long)want);
	}
}

static void
test_duration(void)
{
	duration("0", 0);
	duration("45", 45000);
	duration("45s", 45000);
	duration("5m", 300000);
	duration("2h", 7200000);
	duration("1d", 86400000);
	duration("90m", 5400000);
	duration("-5", -1);
	duration("-5m", -1);
	duration("", -1);
	duration("m", -1);
	duration("5x", -1);
	duration("5ms", -1);
	duration("5 m", -1);
	duration(" 5", -1);
	duration("5s ", -1);
	duration("1.5h", -1);
	duration("+5", -1);
	duration("0x10", -1);
	duration("99999999999999999999", -1);
	duration("9223372036854775807d", -1);	/* overflows in ms */
}

int
main(void)
{
	test_good();
	test_errors();
	test_load();
	test_duration();
	return done_testing();
}
