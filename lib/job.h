/*
 * job: a named unit of a flight, with a recipe and a status.
 *
 * A job is made queued.  The ts-run-job that claims it holds it
 * (preparing, then running) under its pid, a token that survives pid reuse
 * and a lease it renews; a job whose holder died is found on the next look
 * (job_reap_stale, called by ts-flight-run and ts-flight-show) and marked
 * broken, never left running.  Final statuses follow status.h's
 * precedence, and a broken or aborted job is never changed again.
 */
#ifndef TLAB_JOB_H
#define TLAB_JOB_H

#include <stdint.h>
#include <sys/types.h>

#include "lab.h"
#include "runvar.h"
#include "status.h"

struct job {
	int64_t flight;
	char *name;
	char *recipe;
	enum ts_status status;
	int priority;
	char *why;			/* NULL or one line */
	int64_t started, finished;	/* 0: not yet */
	char *runner_host;
	int64_t runner_pid;
	char *runner_token;
	int64_t lease_until;
	char *attempt_of;		/* a kept attempt: the job it was; else NULL */
	int attempt;
};

struct job_list {
	struct job *v;
	size_t nr, alloc;
};

#define JOB_LIST_INIT { NULL, 0, 0 }

/*
 * Add a queued job to a constructing flight with its definition runvars.
 * TS_E_INPUT when the flight is not constructing, the job exists, or a
 * name is bad.
 */
int job_create(struct lab *lab, int64_t flight, const char *name,
    const char *recipe, int priority, const struct runvar *defs, size_t ndefs,
    struct strbuf *err);

/* TS_E_INPUT "flight N: no such flight" or "flight N: job J: no such job". */
int job_get(struct lab *lab, int64_t flight, const char *name, struct job *j,
    struct strbuf *err);
void job_release(struct job *j);

int job_list(struct lab *lab, int64_t flight, struct job_list *out,
    struct strbuf *err);
void job_list_release(struct job_list *l);

/*
 * Take a queued job for this process: it becomes preparing, held by our
 * pid with a lease of lease_ms.  TS_E_INPUT when it is not queued (already
 * run, running elsewhere).
 */
int job_claim(struct lab *lab, int64_t flight, const char *name,
    int64_t lease_ms, struct strbuf *err);
/* preparing -> running. */
int job_set_running(struct lab *lab, int64_t flight, const char *name,
    struct strbuf *err);
/* Extend our lease. */
int job_renew(struct lab *lab, int64_t flight, const char *name,
    int64_t lease_ms, struct strbuf *err);

/*
 * Give a job its final status (with a line saying why, or NULL), by
 * precedence against any final status it already has; broken and aborted
 * stay.  The holder is cleared.  Steps of the job still recorded running
 * become broken.  *now gets the status the job ended with, when not NULL.
 */
int job_finish(struct lab *lab, int64_t flight, const char *name,
    enum ts_status st, const char *why, enum ts_status *now,
    struct strbuf *err);

/*
 * Find jobs (of flight, or of every flight when flight is 0) left
 * preparing or running by a holder that is gone, and mark them broken.
 * Returns how many, or an error.
 */
int job_reap_stale(struct lab *lab, int64_t flight, struct strbuf *err);

/*
 * Read runvar name of the job that runvar refvar of (flight, job) names
 * ("JOB" or "FLIGHT.JOB"), as a step reads its build job's outputs.  1 and
 * *val when set, 0 when not; TS_E_BLOCKED when that job exists but neither
 * passed nor is still queued (what it was to make will never come);
 * TS_E_INPUT when refvar is unset or names no job.
 */
int job_runvar_via(struct lab *lab, int64_t flight, const char *job,
    const char *refvar, const char *name, char **val, struct strbuf *err);

/*
 * Keep a finished attempt of a job and queue the job again: its row, its
 * runvars, steps (with their logs, moved on disk) and allocations become
 * job NAME~N (attempt_of NAME, attempt N); NAME is queued afresh with its
 * definition runvars alone.  kept gets NAME~N.
 */
int job_keep_attempt(struct lab *lab, int64_t flight, const char *name,
    struct strbuf *kept, struct strbuf *err);

/* Is the holder recorded in j alive? */
int job_holder_alive(const struct job *j);

#endif
