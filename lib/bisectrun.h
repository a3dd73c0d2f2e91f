/*
 * bisectrun: what ts-bisect does with a bisection.  A step loads it (the
 * graph of its tuples, what is known at them), asks lib/bisect what to
 * test next, and either makes and runs that flight (blessing bisect) or
 * records the verdict; status, the report and the graph are read from the
 * same loaded state.  One step runs at most one flight, so cron can call
 * it as OSSTEST's cr-try-bisect does, and a terminal can loop on it.
 */
#ifndef TLAB_BISECTRUN_H
#define TLAB_BISECTRUN_H

#include <stdint.h>

#include "bisect.h"
#include "bisection.h"
#include "lab.h"
#include "revgraph.h"
#include "strbuf.h"

struct bisectrun {
	struct bisection b;
	struct revgraph g;
	struct bisect_obs *obs;
	char **src;		/* where each observation comes from */
	size_t nobs;
	struct bisect_decision d;
	int64_t nflights;	/* flights the bisection made */
	int64_t job_secs;	/* the job's mean duration, 0 when unknown */
};

/* Load bisection id and decide; *r released by bisectrun_release. */
int bisectrun_load(struct lab *lab, int64_t id, const struct bisect_opts *o,
    struct bisectrun *r, struct strbuf *err);
void bisectrun_release(struct bisectrun *r);

struct bisectrun_opts {
	const struct bisect_opts *bisect;
	int parallel;			/* jobs at once in its flight */
	const char *run_job;		/* the ts-run-job to start */
	int mail;			/* mail a verdict when it is reached */
	void (*progress)(const char *line, void *ctx);
	void *ctx;
};

/* Flights in a row that a tuple may end broken before a step gives up. */
#define BISECTRUN_FAULTS 3

/* Another step of the bisection runs: EX_TEMPFAIL, as daily-branch's. */
#define BISECTRUN_BUSY 75

/*
 * One step: a flight made and run (returns 0, its id in *flight), or the
 * verdict (returns the exit code of DESIGN.md, 4 to 32, and records it;
 * *flight 0).  A bisection that has ended returns its verdict again; one
 * whose step runs already, BISECTRUN_BUSY.  said gets one line: what was
 * done or found.
 */
int bisectrun_step(struct lab *lab, int64_t id, const struct bisectrun_opts *o,
    int64_t *flight, struct strbuf *said, struct strbuf *err);

/* ts-bisect status: where it stands, what is left, the estimate. */
void bisectrun_status(const struct bisectrun *r, struct strbuf *out);

/* ts-bisect report: the culprit per tree with the flights that show it. */
int bisectrun_report(struct lab *lab, const struct bisectrun *r,
    struct strbuf *out, struct strbuf *err);

/*
 * Mail r's report: to the lab's list for its branch (mail_recipients)
 * and, when a culprit was found, to its author.  The subject is
 * "[BRANCH bisection] JOB TESTID: SUMMARY"; to gets who it went to.
 */
int bisectrun_mail(struct lab *lab, const struct bisectrun *r,
    struct strbuf *to, struct strbuf *err);

/* The graph in Graphviz's DOT, coloured by result, the culprit marked. */
void bisectrun_dot(const struct bisectrun *r, struct strbuf *out);

/*
 * Write the DOT to path (FILE.dot); for FILE.svg or FILE.png, to FILE.dot
 * beside it, and Graphviz's dot makes FILE from it, within a minute.
 * TS_E_INPUT for another suffix or a file that cannot be written,
 * TS_E_LAB when dot is missing or fails.
 */
int bisectrun_graph_file(const struct bisectrun *r, const char *path,
    struct strbuf *err);

/*
 * One step of each bisection of branch going on, one after the other
 * (ts-bisect step --branch, for cron's daily-branch).  say gets each
 * step's line, or "error: ..." for one that failed after the first; the
 * first failure is the return (TS_E_*, its words in err), after every
 * bisection had its step.  Verdicts and busy ones are lines, not failures.
 */
int bisectrun_step_branch(struct lab *lab, const char *branch,
    const struct bisectrun_opts *o, void (*say)(const char *line, void *ctx),
    void *ctx, struct strbuf *err);

#endif
