/*
 * bisection: the lab's bisections, as the database keeps them.
 *
 * A bisection searches for the change that made step TESTID of job JOB
 * fail on BRANCH: between its basis, the newest earlier flight where that
 * step passed on the same host(s), and the failing flight.  Its trees are
 * those the job tested (revision_T of the job or of its build jobs; the
 * revision a build reports, built_revision_T, wins): each with its
 * passing and failing revision.  lib/revgraph makes the graph of tuples
 * between them and lib/bisect decides; this module turns flights into
 * observations and tuples into flights.
 *
 * What is known at a tuple comes from every finished flight of the branch
 * blessed real or bisect whose job JOB ran on the same hosts at one of the
 * graph's tuples, and from people's marks: the step passed or failed; a
 * job that ended without it (its build failed, it was blocked) is a skip,
 * as git bisect's 125; a broken job is a fault of the lab and says
 * nothing.  A bisection flight is an ordinary flight with blessing
 * bisect: the failing job and the build jobs it names, with their
 * definition runvars except revision_T (the tuple's) and the host
 * runvars fixed to the failing job's hosts; ts-build reuses a passed
 * build of the same definition.
 */
#ifndef TLAB_BISECTION_H
#define TLAB_BISECTION_H

#include <stdint.h>

#include "bisect.h"
#include "lab.h"
#include "revgraph.h"
#include "strbuf.h"

#define BLESSING_BISECT "bisect"

struct bisection_tree {
	char *name;
	char *url;
	char *pass;
	char *fail;
};

struct bisection {
	int64_t id;
	char *branch;
	char *job;
	char *testid;
	int64_t fail_flight;
	int64_t basis_flight;
	char *hosts;		/* "host=bedbug ..." */
	int64_t budget;		/* most flights; 0: no bound */
	char *who;
	int64_t started;
	int64_t finished;	/* 0 while it goes on */
	int verdict;		/* the exit code at the end; -1 before */
	char *summary;
	struct bisection_tree *tree;
	size_t ntree;
};

#define BISECTION_INIT { 0 }

struct bisection_start_opts {
	int64_t fail_flight;
	const char *job;
	const char *testid;
	int64_t basis_flight;	/* 0: the newest that fits */
	int64_t budget;
};

/*
 * Record a new bisection; its id in *id.  TS_E_INPUT for bad input (no
 * such flight or job, the step did not fail there, a bisection of the
 * same job and testid still going on).  1 with the reason in err when
 * there is no basis (no earlier flight where the step passed on the same
 * hosts): nothing recorded, ts-bisect's "no usable pair".
 */
int bisection_start(struct lab *lab, const struct bisection_start_opts *o,
    int64_t *id, struct strbuf *err);

/*
 * Start a bisection for each regression of flight (ts-report's failures
 * of class regression that name a step) unless one of the same step of
 * the branch was started since the branch's last push (OSSTEST's
 * bisected flags, cleared by a push).  say gets one line per regression:
 * started, bisected already, or no usable pair.  The number started, or
 * TS_E_*.
 */
int bisection_start_regressions(struct lab *lab, int64_t flight,
    int64_t budget, void (*say)(const char *line, void *ctx), void *ctx,
    struct strbuf *err);

/* The bisections of branch going on, oldest first: ids malloc'd. */
int bisection_open_of(struct lab *lab, const char *branch, int64_t **ids,
    size_t *n, struct strbuf *err);

/* TS_E_INPUT "bisection N: no such bisection". */
int bisection_get(struct lab *lab, int64_t id, struct bisection *b,
    struct strbuf *err);
void bisection_release(struct bisection *b);

/*
 * The id of the one bisection still going on; TS_E_INPUT when there is
 * none, or several (naming them).
 */
int bisection_current(struct lab *lab, int64_t *id, struct strbuf *err);

/* The graph of b's tuples, from the trees' caches. */
int bisection_graph(struct lab *lab, const struct bisection *b,
    struct revgraph *g, struct strbuf *err);

/*
 * What is known at g's tuples, oldest first (flights by their end, marks
 * by their time), numbered in that order in obs[].flight; src[i] names
 * the source: "flight 41" or "marked by NAME".  Both arrays malloc'd.
 */
int bisection_observe(struct lab *lab, const struct bisection *b,
    const struct revgraph *g, struct bisect_obs **obs, char ***src,
    size_t *nobs, struct strbuf *err);

/*
 * Make (but do not run) the flight that tests tuple node of g: intended
 * bisect, recorded against b with why.  Its id in *flight.
 */
int bisection_make_flight(struct lab *lab, const struct bisection *b,
    const struct revgraph *g, size_t node, const char *why, int64_t *flight,
    struct strbuf *err);

/* How many flights b has made. */
int bisection_nflights(struct lab *lab, const struct bisection *b,
    int64_t *n, struct strbuf *err);

/* A person's verdict on a tuple (its revisions space-separated, in the
 * trees' order, or abbreviated when unique in g). */
int bisection_mark(struct lab *lab, const struct bisection *b,
    const struct revgraph *g, const char *tuple, enum bisect_result r,
    struct strbuf *err);

/* End b with verdict and a one-line summary. */
int bisection_finish(struct lab *lab, const struct bisection *b, int verdict,
    const char *summary, struct strbuf *err);

/*
 * The settings of branch's bisections: [branch NAME] bisect_repro_basis,
 * bisect_repro_culprit and bisect_conflict_repeats of tlab.conf, else
 * lib/bisect's defaults.
 */
void bisection_opts(const struct lab *lab, const char *branch,
    struct bisect_opts *o);

/* The tuple of node as a string: "rev rev ...". */
void bisection_tuple(const struct revgraph *g, size_t node, struct strbuf *sb);

#endif
