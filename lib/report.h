/*
 * report: a finished flight judged against its baseline, and the reports
 * made of that judgement (OSSTEST's sg-report-flight).
 *
 * report_judge finds the flight's baseline, puts every failure of the
 * flight in one class and works out the verdict:
 *
 *	perfect		nothing failed
 *	tolerable	failures, none of them blocking a push
 *	regressions	some failure blocks a push
 *
 * The baseline is the newest finished real flight of the flight's branch,
 * older than the flight, that tested the revisions last pushed: for each
 * tree the flight tested (runvars revision_TREE of its jobs), the new_rev
 * of the newest pushes row with outcome 'pushed' made from an older flight
 * of the branch.  When none of the flight's trees was ever pushed so, it
 * is the newest finished real flight of the branch older than the flight,
 * whatever it tested.  The caller may name it instead.  The baseline
 * flights are the baseline and every finished real flight of the branch
 * older than the flight at exactly the baseline's revisions.
 *
 * Only flights older than the one judged count, so that judging it again
 * later gives the same answer.  A failed step is, in this order of
 * decision:
 *	allowed		a line of the allow file matches it		not blocking
 *	never-pass	it never passed in a real flight of the branch	not blocking
 *	regression	(a build job) it passed in the baseline flight	blocking
 *	baseline-fail	it did not pass in some baseline flight		not blocking
 *	heisenbug	it passed in an older real flight at the same
 *			revisions					not blocking
 *	regression	otherwise: it passed in every baseline flight
 *			that ran it, or none ran it			blocking
 * A step broken or aborted is class broken and blocks, its reason in the
 * detail.  A job that did not pass and has no failed or broken step is
 * class job and blocks, except a blocked job that waits for a job of the
 * same flight that did not pass: that job's own failure carries the
 * verdict.  Kept attempts of a job run again (JOB~N) are history, not
 * judged.
 *
 * report_store keeps the verdict and the failures in the verdicts and
 * failures tables (this module owns them), replacing what an earlier run
 * stored for the flight; report_stored_get and report_stored_failures read
 * them back for ts-push and the cron scripts.  The writers (text for mail,
 * JSON, JUnit XML, a static HTML directory) only format a struct report.
 */
#ifndef TLAB_REPORT_H
#define TLAB_REPORT_H

#include <stdint.h>

#include "flight.h"
#include "job.h"
#include "lab.h"
#include "runvar.h"
#include "step.h"

enum report_verdict {
	REPORT_PERFECT = 0,
	REPORT_TOLERABLE,
	REPORT_REGRESSIONS,
};

enum report_class {
	REPORT_REGRESSION = 0,
	REPORT_BASELINE_FAIL,
	REPORT_HEISENBUG,
	REPORT_NEVER_PASS,
	REPORT_ALLOWED,
	REPORT_BROKEN,
	REPORT_JOB,
};

/* How the baseline was found. */
enum report_base_how {
	REPORT_BASE_NONE = 0,	/* no flight qualifies: the baseline is untested */
	REPORT_BASE_PUSHED,	/* at the revisions last pushed */
	REPORT_BASE_NEWEST,	/* nothing pushed yet: the newest real flight */
	REPORT_BASE_GIVEN,	/* named by the caller */
};

/* "perfect", "tolerable", "regressions"; "regression", "baseline-fail"... */
const char *report_verdict_name(enum report_verdict v);
/* -1 for a word that is not a verdict. */
int report_verdict_parse(const char *name);
const char *report_class_name(enum report_class c);

struct report_rev {
	char *tree;
	char *rev;
};

struct report_revs {
	struct report_rev *v;	/* by tree, then revision */
	size_t nr, alloc;
};

struct report_failure {
	char *job;
	char *testid;		/* "" for a job without a failed step */
	int64_t stepno;		/* 0 for the job */
	enum ts_status status;
	enum report_class cls;
	int blocking;
	int64_t since;		/* where it last passed, or began failing; 0 */
	char *detail;		/* one line for people */
	char *log;		/* the step's log, relative to the lab; NULL */
};

struct report {
	struct flight flight;
	struct job_list jobs;		/* every job, kept attempts too */
	struct step_list steps;		/* by job, then number */
	struct runvar_list *vars;	/* each job's runvars, as jobs.v */
	struct report_revs revs;	/* what the flight tested */

	int64_t baseline;		/* 0: none */
	enum report_base_how how;
	struct report_revs base_revs;	/* what the baseline tested */
	int64_t *base_flights;		/* the baseline flights, newest first */
	size_t nbase;

	struct report_failure *fail;	/* jobs' order, then step order */
	size_t nfail, afail;
	size_t nblocking;
	enum report_verdict verdict;
	char *allow;			/* the allow files read, comma-separated */
	int64_t computed;
};

#define REPORT_INIT { { 0, NULL, NULL, NULL, 0, 0, 0 }, JOB_LIST_INIT, \
	STEP_LIST_INIT, NULL, { NULL, 0, 0 }, 0, REPORT_BASE_NONE, \
	{ NULL, 0, 0 }, NULL, 0, NULL, 0, 0, 0, REPORT_PERFECT, NULL, 0 }

struct report_opts {
	int64_t baseline;	/* 0: find it */
	const char *allow;	/* NULL: LAB/allow.all and LAB/allow.BRANCH if there */
};

/*
 * Judge flight.  TS_E_INPUT when it does not exist, is still constructing
 * or running, the baseline given is not another finished flight, or an
 * allow file cannot be read or has a bad line ("FILE:LINE: reason").
 * Nothing is written.
 */
int report_judge(struct lab *lab, int64_t flight, const struct report_opts *o,
    struct report *r, struct strbuf *err);
void report_release(struct report *r);

/* Keep r's verdict and failures, replacing the flight's earlier ones. */
int report_store(struct lab *lab, const struct report *r, struct strbuf *err);

/*
 * What ts-report stored for a flight, for ts-push and cron: 1 and *out
 * when a verdict is stored, 0 when the flight was never judged.
 */
struct report_stored {
	enum report_verdict verdict;
	int64_t baseline;	/* 0: none */
	int64_t blocking;	/* how many failures block a push */
	int64_t computed;	/* UTC seconds */
};

int report_stored_get(struct lab *lab, int64_t flight,
    struct report_stored *out, struct strbuf *err);

/*
 * The failures stored for a flight, the blocking ones first, then by job
 * and testid; cb for each (stepno 0 and log NULL: they are not stored).
 * A negative return of cb stops the walk and is returned.
 */
int report_stored_failures(struct lab *lab, int64_t flight,
    int (*cb)(const struct report_failure *f, void *ctx), void *ctx,
    struct strbuf *err);

/*
 * Write what is stored for flight, as text ("FLIGHT: VERDICT", when and
 * against what, then each failure) or JSON ({"flight", "verdict",
 * "baseline", "blocking", "computed", "failures": [{"job", "testid",
 * "status", "class", "blocking", "since", "detail"}]}).  Returns the
 * verdict; TS_E_INPUT when none is stored.
 */
int report_stored_write(struct lab *lab, int64_t flight, int as_json,
    struct strbuf *out, struct strbuf *err);

/* The hosts a job used (runvars host and *_host), comma-separated. */
void report_job_hosts(const struct report *r, const char *job,
    struct strbuf *out);

/*
 * Where a log is for people: log_url followed by the log's path under
 * LAB/logs/ when log_url is set, else its absolute path.
 */
void report_log_link(const struct lab *lab, const char *log,
    const char *log_url, struct strbuf *out);

/*
 * The text for mail: "FLIGHT: VERDICT" first, then the blocking failures,
 * the others by class, the revisions tested and (where lib/tree can walk
 * them) the commits between the baseline's revisions and those.
 */
void report_text(struct lab *lab, const struct report *r, const char *log_url,
    struct strbuf *out);
void report_json(const struct lab *lab, const struct report *r,
    const char *log_url, struct strbuf *out);
/* JUnit XML: a testsuite per job, a testcase per step. */
void report_junit(const struct report *r, struct strbuf *out);

/*
 * A static HTML directory: index.html (the jobs by steps grid),
 * job-JOB.html (the job over the branch's flights) and host-HOST.html
 * (what ran on the host).  Links to logs are relative when dir is inside
 * the lab, file:// URLs otherwise, or under log_url when it is set.
 */
int report_html(struct lab *lab, const struct report *r, const char *dir,
    const char *log_url, struct strbuf *err);

/* Write sb to path through a temporary file renamed into place. */
int report_write_file(const char *path, const struct strbuf *sb,
    struct strbuf *err);

#endif
