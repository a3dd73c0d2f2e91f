/*
 * jobrun: run one job (what ts-run-job does).
 *
 * The runner claims the queued job, checks that its build jobs passed (a
 * job whose build job did not pass is blocked, with a build-check step,
 * and its recipe never runs), runs the recipe under sh in its own process
 * group with a bound and a lease it renews, and gives the job its final
 * status from its steps: the worst of them by precedence, broken when the
 * recipe failed without a failed step, aborted when the runner was told
 * to stop.  The job's log directory gets job.log: the runner's lines and
 * everything the recipe printed.  Then it gives back the job's hosts; a
 * job that ended broken may have left one dead, so each must first answer
 * SSH (after one power cycle if need be) or it is quarantined.
 */
#ifndef TLAB_JOBRUN_H
#define TLAB_JOBRUN_H

#include <stdint.h>

#include "lab.h"
#include "status.h"

struct jobrun_opts {
	int dry_run;		/* print the steps the recipe would run; record nothing */
	int64_t timeout_ms;	/* < 0: the lab's job_timeout */
	const char *bindir;	/* put first in the recipe's PATH (where ts-step is) */
	/* Each chunk of the recipe's output, as it comes (e.g. to a terminal). */
	void (*echo)(const char *buf, size_t n, void *ctx);
	void *ctx;
};

#define JOBRUN_OPTS_INIT { 0, -1, NULL, NULL, NULL }

/*
 * Run job of flight.  0 with *final set when the job ran to a final status
 * (whatever it is); TS_E_INPUT, leaving the database as it was, when the
 * job does not exist, is not queued or waits for an unfinished build job;
 * TS_E_INPUT with the job broken when its recipe is missing.
 */
int jobrun(struct lab *lab, int64_t flight, const char *job,
    const struct jobrun_opts *o, enum ts_status *final, struct strbuf *err);

/* The file recipes source: LAB/recipes/lib.sh, else DATADIR/recipes/lib.sh. */
void jobrun_libsh(const struct lab *lab, struct strbuf *path);

#endif
