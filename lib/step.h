/*
 * step: one run of one program inside a job, recorded.
 *
 * This module owns the steps table: numbering a step (1, 2, ... within
 * the job) and working out its testid by OSSTEST's rules (step_testid),
 * recording its start and end for the runner that serves ts-step (stepd,
 * steprun), the runner's own notes (build-check) and reading steps back.
 * Its log is logs/FLIGHT/JOB/STEPNO.NAME.log.
 */
#ifndef TLAB_STEP_H
#define TLAB_STEP_H

#include <stdint.h>

#include "lab.h"
#include "proc.h"
#include "status.h"
#include "steprun.h"

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
 * The runner's side of a step (stepd): number it, work out its testid and
 * record it running, in one transaction so that two steps of a job never
 * get one number; out gets stepno, testid and log.  TS_E_INPUT for a
 * testid used twice or a job not preparing or running.
 */
int step_record_begin(struct lab *lab, int64_t flight, const char *job,
    const char *spec, const char *const *argv, int64_t pid,
    struct step_outcome *out, struct strbuf *err);

/* Record how it ended (a step no longer running keeps its record). */
int step_record_end(struct lab *lab, int64_t flight, const char *job,
    const struct step_outcome *out, struct strbuf *err);

/*
 * OSSTEST's pause_on_<status>: how long a step that ended so should pause
 * (milliseconds, bounded by the lab's pause_timeout), 0 when its job's
 * runvar pause_on_<status>, a comma-separated glob list, does not match
 * the step's name or testid.
 */
int64_t step_pause_ms(struct lab *lab, int64_t flight, const char *job,
    const char *name, const struct step_outcome *out);

/* A step whose recorder went away while it ran: broken. */
int step_abandon(struct lab *lab, int64_t flight, const char *job,
    int64_t stepno, struct strbuf *err);

/* The lab's step_timeout and abort_grace, in ms. */
int64_t step_timeout_ms(const struct lab *lab);
int64_t step_grace_ms(const struct lab *lab);

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
