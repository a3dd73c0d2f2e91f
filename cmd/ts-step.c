/*
 * ts-step: run one step of a job and have the job's runner record it.
 * What recipes/lib.sh's step and always call.  See ts-step(1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "cmd.h"
#include "steprun.h"
#include "banned.h"

int
main(int argc, const char **argv)
{
	static const struct cmd_info info = {
		"COMMAND [ARG...] [+ ARG...]",
		"run COMMAND as the next step of $TLAB_JOB in $TLAB_FLIGHT and record it",
		1, -1, POPT_CONTEXT_POSIXMEHARDER,
	};
	struct strbuf err = STRBUF_INIT, line = STRBUF_INIT;
	struct step_opts so = STEP_OPTS_INIT;
	const char *timeout = NULL, *on_fail = NULL, *job;
	int nargs, rc;
	struct poptOption opts[] = {
		{ "testid", 'i', POPT_ARG_STRING, &so.testid, 0,
		  "the step's testid, or =SUFFIX, = or * (default: from COMMAND)", "ID" },
		{ "timeout", 't', POPT_ARG_STRING, &timeout, 0,
		  "kill the step's process group after this (default: step_timeout, 1h)",
		  "DURATION" },
		{ "on-fail", 'f', POPT_ARG_STRING, &on_fail, 0,
		  "what a failure counts as: fail (default), broken or blocked", "STATUS" },
		CMD_POPT_LAB,
		CMD_POPT_END
	};
	struct step_outcome out;
	const char **args, *labdir;
	int64_t flight;

	args = cmd_parse(argc, argv, opts, &info, &nargs);
	if (timeout != NULL && (conf_parse_duration(timeout, &so.timeout_ms) < 0 ||
	    so.timeout_ms == 0))
		cmd_usage_error("--timeout: '%s' is not a duration of more than 0",
		    timeout);
	if (on_fail != NULL) {
		so.on_fail = status_parse(on_fail);
		if (so.on_fail != ST_FAIL && so.on_fail != ST_BROKEN &&
		    so.on_fail != ST_BLOCKED)
			cmd_usage_error("--on-fail: '%s' is not fail, broken or blocked",
			    on_fail);
	}
	cmd_step_job(&flight, &job);
	if ((labdir = cmd_lab) == NULL && (labdir = getenv("TLAB_LAB")) == NULL)
		cmd_usage_error("no lab: give --lab DIR or set TLAB_LAB");
	proc_catch_abort();
	proc_subreaper();
	/* Its recipe (or the shell of a person) gone: stop, do not run on. */
	proc_die_with_parent(SIGTERM);
	if ((rc = steprun(labdir, flight, job, &so, args, &out, &err)) < 0) {
		step_outcome_release(&out);
		return cmd_exit(rc, &err);
	}
	/* One line for the job's log and a person watching. */
	clock_add_utc(&line, clock_utc());
	strbuf_addf(&line, " step %lld %s: %s (", (long long)out.stepno, out.testid,
	    status_name(out.status));
	proc_describe(&out.res, &line);
	strbuf_addf(&line, "%s, %lld s)", out.res.timed_out ? ", timed out" : "",
	    (long long)out.seconds);
	fprintf(stderr, "%s\n", line.buf);
	rc = status_exit(out.status);
	step_outcome_release(&out);
	strbuf_release(&line);
	return cmd_exit(0, &err) ? TS_EXIT_BROKEN : rc;
}
