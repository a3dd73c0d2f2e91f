/*
 * steprun: run one step of a job and have it recorded (what ts-step does).
 *
 * steprun asks the runner that holds the job (see stepmsg.h) to number
 * the step, work out its testid (step_testid's rules) and record it
 * running; then it runs the program in its own process group, with its
 * output in the step's log and a bound on its time, and tells the runner
 * how it ended: the status of DESIGN.md's table, the exit code or signal,
 * whether it timed out.  The log ends with a line giving the UTC time and
 * the exit status.  This module never opens the database, so ts-step does
 * not even link SQLite: a step costs one small process.
 */
#ifndef TLAB_STEPRUN_H
#define TLAB_STEPRUN_H

#include <stdint.h>

#include "proc.h"
#include "status.h"
#include "strbuf.h"

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
 * Run argv as the next step of (flight, job) of the lab at labdir.
 * Returns 0 with out filled in whatever the step's status, or an error
 * when it could not be recorded or run at all: TS_E_INPUT when no runner
 * holds the job (steps are recorded only while ts-run-job runs it) or the
 * runner refused the step (a testid used twice).
 */
int steprun(const char *labdir, int64_t flight, const char *job,
    const struct step_opts *o, const char *const *argv,
    struct step_outcome *out, struct strbuf *err);
void step_outcome_release(struct step_outcome *out);

#endif
