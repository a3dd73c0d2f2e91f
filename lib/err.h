/*
 * err: how lib/ reports failure.
 *
 * A library function returns 0 (or a count) on success and one of the
 * negative TS_E_* codes on failure, and puts the words in the caller's
 * struct strbuf *err (git's api-error-handling): the code says what kind of
 * failure it is, the words say what failed.  Each layer puts its own noun
 * in front ("flight 41: job build-amd64: not found"); only cmd/ prints, once.
 * -code is the exit code of DESIGN.md for the first four, so cmd/ maps a
 * code to an exit with ts_exit_of().
 */
#ifndef TLAB_ERR_H
#define TLAB_ERR_H

#include "strbuf.h"

enum ts_err {
	TS_OK = 0,
	TS_E_FAIL = -1,		/* what was tested does not work */
	TS_E_INPUT = -2,	/* bad usage or bad input */
	TS_E_LAB = -3,		/* the lab failed: system call, database, host */
	TS_E_BLOCKED = -4,	/* a prerequisite did not pass */
	TS_E_NOTFOUND = -5,	/* a thing asked for does not exist (input) */
	TS_E_AGAIN = -6,	/* not now: try again later (busy, not ready) */
};

/* Replace err with the message; return rc. */
int err_setf(struct strbuf *err, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Put "NOUN: " in front of err's message; return rc. */
int err_wrapf(struct strbuf *err, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* err_setf with ": strerror(errno)" appended. */
int err_errno(struct strbuf *err, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The exit code (exitcodes.h) for a return value of lib/. */
int ts_exit_of(int rc);

#endif
