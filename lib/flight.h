/*
 * flight: one batch of jobs testing one set of revisions.
 *
 * A flight has an integer id, the branch it tests, the blessing it is
 * intended to get and its blessing now: constructing while jobs are added,
 * running from the first job that starts, then the final blessing (real,
 * play, adhoc, bisect, ...) given when every job has finished.  Only a
 * constructing flight takes new jobs and definition runvars.  Every tlab
 * version that writes to a flight is recorded with it (flight_harness).
 */
#ifndef TLAB_FLIGHT_H
#define TLAB_FLIGHT_H

#include <stdint.h>

#include "lab.h"

struct flight {
	int64_t id;
	char *branch;
	char *intended;
	char *blessing;
	int64_t created, started, finished;	/* 0 when not yet */
};

#define BLESSING_CONSTRUCTING "constructing"
#define BLESSING_RUNNING "running"
#define BLESSING_REAL "real"		/* the flights the push gate counts */

int flight_create(struct lab *lab, const char *branch, const char *intended,
    int64_t *id, struct strbuf *err);

/* TS_E_INPUT "flight N: no such flight". */
int flight_get(struct lab *lab, int64_t id, struct flight *f, struct strbuf *err);
void flight_release(struct flight *f);

/*
 * Give flight id the blessing `to` if its blessing now is one of from[0..n)
 * (n 0: from "running"), or contains the word play.  Leaving running
 * records the finish time.  TS_E_INPUT when refused, naming both.
 */
int flight_bless(struct lab *lab, int64_t id, const char *to,
    const char *const *from, int n, struct strbuf *err);

/*
 * A blessing a flight can be given or intended for: a good name, and not
 * constructing or running, which a flight only passes through.
 */
int flight_check_final_blessing(const char *blessing, struct strbuf *err);

/* constructing -> running, at the first job's start; else unchanged. */
int flight_start(struct lab *lab, int64_t id, struct strbuf *err);

/* Record lab_harness() against the flight (once per version). */
int flight_touch_harness(struct lab *lab, int64_t id, struct strbuf *err);
/* The harness versions that touched a flight, comma-separated. */
int flight_harness(struct lab *lab, int64_t id, struct strbuf *out,
    struct strbuf *err);

/*
 * Remove flight id when it is still constructing and none of its jobs has
 * started: what a branch file made before it failed (the flight, its
 * harness rows, its jobs and their definition runvars are all there is of
 * it).  TS_E_LAB when it has started meanwhile.
 */
int flight_remove_unstarted(struct lab *lab, int64_t id, struct strbuf *err);

/*
 * The newest finished real flight of branch that tested tree at rev:
 * some job (a kept attempt aside) has revision_TREE rev and none has a
 * revision_TREE or built_revision_TREE that differs.  Job results do not
 * matter: it was tested, whatever it showed.  1 and *id, or 0.
 */
int flight_tested(struct lab *lab, const char *branch, const char *tree,
    const char *rev, int64_t *id, struct strbuf *err);

/* The newest flights, newest first, at most limit; cb for each. */
int flight_list(struct lab *lab, int limit,
    int (*cb)(const struct flight *f, void *ctx), void *ctx, struct strbuf *err);

#endif
