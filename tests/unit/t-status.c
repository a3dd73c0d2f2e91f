/*
 * t-status: unit tests of lib/status: names, precedence
 * (aborted > broken > blocked > fail > pass), exit codes both ways.
 */
#include <string.h>

#include "exitcodes.h"
#include "status.h"
#include "tap.h"

static const struct {
	enum ts_status st;
	const char *name;
} all[] = {
	{ ST_QUEUED, "queued" },
	{ ST_PREPARING, "preparing" },
	{ ST_RUNNING, "running" },
	{ ST_PASS, "pass" },
	{ ST_FAIL, "fail" },
	{ ST_BLOCKED, "blocked" },
	{ ST_BROKEN, "broken" },
	{ ST_ABORTED, "aborted" },
};
#define NALL (sizeof(all) / sizeof(all[0]))

/* Final statuses, weakest first (DESIGN.md). */
static const enum ts_status order[] = {
	ST_PASS, ST_FAIL, ST_BLOCKED, ST_BROKEN, ST_ABORTED,
};
#define NORDER (sizeof(order) / sizeof(order[0]))

static void
test_names(void)
{
	size_t i;

	for (i = 0; i < NALL; i++) {
		const char *name = all[i].name;

		is(status_name(all[i].st), name, "status_name of value %d",
		    (int)all[i].st);
		is_int(status_parse(name), all[i].st, "status_parse of %s", name);
		is_int(status_parse(status_name(all[i].st)), all[i].st,
		    "%s round-trips", name);
	}
	is(status_name(ST_NONE), "none", "status_name of ST_NONE");
	is(status_name((enum ts_status)99), "none", "status_name out of range is none");
	is_int(status_parse("none"), ST_NONE, "'none' is not a status");
	is_int(status_parse(""), ST_NONE, "'' is not a status");
	is_int(status_parse("PASS"), ST_NONE, "status names are lower case");
	is_int(status_parse("pass "), ST_NONE, "no trailing space");
	is_int(status_parse("passed"), ST_NONE, "no prefix match");
}

static void
test_final(void)
{
	size_t i;

	for (i = 0; i < NALL; i++) {
		int final = all[i].st >= ST_PASS;
		int sticky = all[i].st == ST_BROKEN || all[i].st == ST_ABORTED;

		is_int(!!status_is_final(all[i].st), final, "%s is %sfinal",
		    all[i].name, final ? "" : "not ");
		is_int(!!status_is_sticky(all[i].st), sticky, "%s is %ssticky",
		    all[i].name, sticky ? "" : "not ");
	}
	ok(!status_is_final(ST_NONE), "none is not final");
}

static void
test_worse(void)
{
	static const enum ts_status notfinal[] = {
		ST_NONE, ST_QUEUED, ST_PREPARING, ST_RUNNING,
	};
	size_t a, b;

	/* Every ordered pair of final statuses, both ways round. */
	for (a = 0; a < NORDER; a++)
		for (b = 0; b < NORDER; b++) {
			enum ts_status want = order[a > b ? a : b];

			is_int(status_worse(order[a], order[b]), want,
			    "worse(%s, %s) is %s", status_name(order[a]),
			    status_name(order[b]), status_name(want));
		}

	/* A status not final loses to any final one, either side. */
	for (a = 0; a < sizeof(notfinal) / sizeof(notfinal[0]); a++)
		for (b = 0; b < NORDER; b++) {
			is_int(status_worse(notfinal[a], order[b]), order[b],
			    "worse(%s, %s) is %s", status_name(notfinal[a]),
			    status_name(order[b]), status_name(order[b]));
			is_int(status_worse(order[b], notfinal[a]), order[b],
			    "worse(%s, %s) is %s", status_name(order[b]),
			    status_name(notfinal[a]), status_name(order[b]));
		}
	ok(!status_is_final(status_worse(ST_NONE, ST_RUNNING)),
	    "worse of two statuses not final is not final");
}

static void
test_exit(void)
{
	static const struct {
		int code;
		enum ts_status as_fail, as_broken;
	} t[] = {
		{ 0, ST_PASS, ST_PASS },
		{ 1, ST_FAIL, ST_BROKEN },
		{ 2, ST_BROKEN, ST_BROKEN },
		{ 3, ST_BROKEN, ST_BROKEN },
		{ 4, ST_BLOCKED, ST_BLOCKED },
		{ 5, ST_FAIL, ST_BROKEN },
		{ 126, ST_BROKEN, ST_BROKEN },
		{ 127, ST_BROKEN, ST_BROKEN },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		is_int(status_of_exit(t[i].code, ST_FAIL), t[i].as_fail,
		    "exit %d, a failure counting as fail: %s", t[i].code,
		    status_name(t[i].as_fail));
		is_int(status_of_exit(t[i].code, ST_BROKEN), t[i].as_broken,
		    "exit %d, a failure counting as broken: %s", t[i].code,
		    status_name(t[i].as_broken));
	}
	is_int(status_of_exit(1, ST_BLOCKED), ST_BLOCKED,
	    "exit 1, a failure counting as blocked: blocked");

	is_int(status_exit(ST_PASS), TS_EXIT_PASS, "pass exits 0");
	is_int(status_exit(ST_FAIL), TS_EXIT_FAIL, "fail exits 1");
	is_int(status_exit(ST_BROKEN), TS_EXIT_BROKEN, "broken exits 3");
	is_int(status_exit(ST_BLOCKED), TS_EXIT_BLOCKED, "blocked exits 4");
	is_int(status_exit(ST_ABORTED), TS_EXIT_BROKEN, "aborted exits 3");
	is_int(TS_EXIT_PASS, 0, "TS_EXIT_PASS is 0");
	is_int(TS_EXIT_FAIL, 1, "TS_EXIT_FAIL is 1");
	is_int(TS_EXIT_USAGE, 2, "TS_EXIT_USAGE is 2");
	is_int(TS_EXIT_BROKEN, 3, "TS_EXIT_BROKEN is 3");
	is_int(TS_EXIT_BLOCKED, 4, "TS_EXIT_BLOCKED is 4");
	/* The round trip a wrapper relies on: status -> exit -> status. */
	for (i = 0; i < NORDER; i++) {
		enum ts_status st = order[i];
		enum ts_status back = status_of_exit(status_exit(st), ST_FAIL);
		enum ts_status want = st == ST_ABORTED ? ST_BROKEN : st;

		is_int(back, want, "%s -> exit %d -> %s", status_name(st),
		    status_exit(st), status_name(want));
	}
}

int
main(void)
{
	test_names();
	test_final();
	test_worse();
	test_exit();
	return done_testing();
}
