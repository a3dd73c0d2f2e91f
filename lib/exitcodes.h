/*
 * exitcodes: what tlab's binaries exit with.
 *
 * BE CAREFUL: these numbers are tlab's interface to recipes, cron scripts
 * and people (DESIGN.md, "Statuses and exit codes").  Changing one breaks
 * every recipe and cron job that tests it.
 */
#ifndef TLAB_EXITCODES_H
#define TLAB_EXITCODES_H

enum ts_exit {
	TS_EXIT_PASS = 0,	/* what was tested works */
	TS_EXIT_FAIL = 1,	/* what was tested does not work */
	TS_EXIT_USAGE = 2,	/* bad usage or bad input: broken */
	TS_EXIT_BROKEN = 3,	/* the lab failed: broken */
	TS_EXIT_BLOCKED = 4,	/* a prerequisite did not pass: blocked */
};

/* ts-bisect keeps OSSTEST's codes, which cron scripts rely on. */
enum ts_bisect_exit {
	TS_BISECT_CHOSE = 0,		/* a revision was chosen, a flight set up or run */
	TS_BISECT_FOUND = 4,		/* culprit found and reproduced */
	TS_BISECT_INEXACT = 8,		/* exact changeset not identified */
	TS_BISECT_INCONSISTENT = 12,	/* found, but results inconsistent */
	TS_BISECT_UNREPRODUCIBLE = 16,	/* the failure is not reproducible */
	TS_BISECT_NO_PAIR = 32,		/* no usable pass/fail pair */
};

#endif
