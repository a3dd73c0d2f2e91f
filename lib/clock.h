/*
 * clock: time in lib/.  Durations and deadlines are milliseconds (int64_t)
 * on the monotonic clock, the one unit every wait uses; what the database
 * stores is wall-clock UTC seconds since the epoch (DESIGN.md).
 *
 * A wait computes one absolute deadline for its action, with words saying
 * what it waits for, and passes it down (s6-svwait); the wait that gives up
 * says deadline.what and how long it waited.
 */
#ifndef TLAB_CLOCK_H
#define TLAB_CLOCK_H

#include <stdint.h>

#include "strbuf.h"

int64_t clock_now_ms(void);	/* monotonic */
int64_t clock_utc(void);	/* wall clock, seconds */
int64_t clock_utc_ms(void);	/* wall clock, milliseconds */

/* "2026-11-29 03:52:43 Z", as OSSTEST's logs write times. */
void clock_add_utc(struct strbuf *sb, int64_t utc);

/* A duration in seconds for people: "45s", "12m05s", "3h20m". */
void clock_add_duration(struct strbuf *sb, int64_t s);

/* Sleep ms milliseconds (signals do not cut it short). */
void clock_sleep_ms(int64_t ms);

struct deadline {
	int64_t start;		/* monotonic ms when it was set */
	int64_t at;		/* monotonic ms; INT64_MAX: never */
	struct strbuf what;	/* what the wait is for */
};

void deadline_in(struct deadline *dl, int64_t ms, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void deadline_release(struct deadline *dl);
/* Milliseconds left, 0 when passed. */
int64_t deadline_left(const struct deadline *dl);
int deadline_passed(const struct deadline *dl);
/* Seconds since the deadline was set, for "after N s" in messages. */
int64_t deadline_waited_s(const struct deadline *dl);

#endif
