/*
 * flightrun: run every runnable job of a flight (what ts-flight-run does).
 *
 * Jobs run as ts-run-job children, each in its own process group, up to
 * `parallel` at once, lower priority numbers first.  A queued job waits
 * while any job of the flight named by one of its runvars ending in "job"
 * (buildjob, xenbuildjob, ...) is queued, preparing or running.  A child
 * that ends leaving its job unfinished has its job marked broken; jobs
 * that can never start (their dependencies form a cycle) are marked broken
 * too.  When every job has finished the flight gets its final blessing.
 * An abort signal stops every job the runner started: SIGTERM to each
 * group, SIGKILL after the grace, the jobs marked aborted, the flight left
 * unblessed.
 */
#ifndef TLAB_FLIGHTRUN_H
#define TLAB_FLIGHTRUN_H

#include <stdint.h>

#include "lab.h"
#include "status.h"

struct flightrun_opts {
	int parallel;		/* jobs at once; <= 0: the lab's parallel, else 4 */
	const char *blessing;	/* final blessing; NULL: the flight's intended */
	const char *run_job;	/* the ts-run-job to start; NULL: from PATH */
	void (*progress)(const char *line, void *ctx);
	void *ctx;
};

struct flightrun_result {
	int count[ST_ABORTED + 1];	/* jobs by final status */
	int aborted_by;			/* the signal that stopped the flight, or 0 */
};

/*
 * 0 when every job finished and the flight was blessed; TS_E_LAB when an
 * abort signal stopped it (res->aborted_by says which); TS_E_INPUT when the
 * flight does not exist or is already blessed.
 */
int flightrun(struct lab *lab, int64_t flight, const struct flightrun_opts *o,
    struct flightrun_result *res, struct strbuf *err);

#endif
