/*
 * step: one run of one program inside a job, recorded.
 *
 * step_run is what ts-step does and what recipes/lib.sh calls: it numbers
 * the step (1, 2, ... within the job), works out its testid, records it
 * running, runs the program in its own process group with its output in
 * logs/FLIGHT/JOB/STEPNO.NAME.log and a bound on its time, and records the
 * outcome: the status of DESIGN.md's table, the exit code or signal, and
 * whether it timed out.  The testid rules are OSSTEST's (see step_testid).
 */
#ifndef TLAB_STEP_H
#define TLAB_STEP_H

#include <stdint.h>

#include "lab.h"
#include "proc.h"
#include "status.h"

struct step_opts {
	const char *testid;	/* a testid or spec (=, =SUFFIX, *), NULL: = */
	int64_t timeout_ms;	/* < 0: the lab's step_timeout */
	enum ts_status on_fail;	/* what a failure counts as: fail, broken, blocked */
};

#define STEP_OPTS_INIT { NULL, -1, ST_FAIL }

struct step_outcome {
	int64_t stepno;
	char *testid;
	char *log;		/* path of the step's log */
	enum ts_status status;
	struct proc_result res;
	int64_t seconds;	/* how long it ran */
};

/*
 * The testid of a step running argv[0] with argv[1..] as its stepno-th
 * step.  The default testid is the program's name without "ts-" and
 * without a directory, followed by "/ARG" for each argument before a "+"
 * argument (each argument when there is no "+").  spec:
 *	NULL or "="	the default
 *	"=SUFFIX"	the default followed by SUFFIX ("=.2": guest-start.2)
 *	"*"		the default followed by "(STEPNO)"
 *	anything else	itself, with "/@" replaced by the "/ARG" list
 * and a "(*)" at the end of the result becomes "(STEPNO)".
 */
void step_testid(const char *spec, const char *const *argv, int64_t stepno,
    struct strbuf *out);

/* The program's name as recorded and used in the log name. */
void step_name(const char *argv0, struct strbuf *out);

/*
 * Run and record one step of (flight, job).  Returns 0 with out filled in
 * whatever the step's status, or an error when it could not be recorded
 * or run at all (TS_E_INPUT: a testid used twice, a job already finished).
 */
int step_run(struct lab *lab, int64_t flight, const char *job,
    const struct step_opts *o, const char *const *argv,
    struct step_outcome *out, struct strbuf *err);
void step_outcome_release(struct step_outcome *out);

struct step_row {
	char *job;
	int64_t stepno;
	char *step, *testid;
	enum ts_status status;
	int64_t started, finished;	/* finished 0: not yet */
	int has_exit, exit_code;
	int has_signal, signal;
	int timed_out;
	char *log;
};

struct step_list {
	struct step_row *v;
	size_t nr, alloc;
};

#define STEP_LIST_INIT { NULL, 0, 0 }

/* The steps of a flight (job NULL) or of one job, by job and number. */
int step_list(struct lab *lab, int64_t flight, const char *job,
    struct step_list *out, struct strbuf *err);
void step_list_release(struct step_list *l);

/*
 * Give the job's steps of status from the status to (a job that timed out:
 * its steps stopped by the runner were the lab's bound, not a person's
 * abort).  Returns how many.
 */
int step_retag(struct lab *lab, int64_t flight, const char *job,
    enum ts_status from, enum ts_status to, struct strbuf *err);

/* The status a set of steps gives their job: the worst, ST_NONE if none. */
enum ts_status step_list_worst(const struct step_list *l, const char *job);



/*
 * Record a step that the runner decided itself, without running a program
 * (build-check: blocked because a build job did not pass).  The log gets
 * the line text.
 */
int step_note(struct lab *lab, int64_t flight, const char *job,
    const char *name, const char *testid, enum ts_status st, const char *text,
    struct strbuf *err);

#endif
