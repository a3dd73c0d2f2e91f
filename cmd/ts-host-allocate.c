/*
 * ts-host-allocate: take test hosts for the job's idents and record them
 * as runvars IDENT=HOST.  Step binary; see ts-host-allocate(1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "clock.h"
#include "cmd.h"
#include "proc.h"
#include "banned.h"

int
main(int argc, const char **argv)
{
	static const struct cmd_info info = {
		"IDENT...", "take a free test host for each ident of $TLAB_JOB and "
		"record IDENT=HOST", 1, -1, 0,
	};
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;
	struct alloc_progress prog = { cmd_progress, NULL };
	const char *timeout = NULL, *job;
	int64_t timeout_ms, flight;
	struct poptOption opts[] = {
		{ "timeout", 't', POPT_ARG_STRING, &timeout, 0,
		  "give up waiting after this (default: alloc_timeout, 30m)", "DURATION" },
		CMD_POPT_LAB,
		CMD_POPT_END
	};
	struct alloc_want *w = NULL;
	struct alloc_owner o;
	const char **args;
	struct lab lab;
	size_t n = 0, i;
	int nargs, rc;

	args = cmd_parse(argc, argv, opts, &info, &nargs);
	cmd_step_job(&flight, &job);
	proc_catch_abort();
	cmd_open_lab(&lab);
	timeout_ms = conf_lab_ms(&lab.conf, "alloc_timeout", CONF_DEFAULT_ALLOC_TIMEOUT_MS);
	if (timeout != NULL && (conf_parse_duration(timeout, &timeout_ms) < 0 ||
	    timeout_ms == 0))
		cmd_usage_error("--timeout: '%s' is not a duration of more than 0", timeout);
	memset(&o, 0, sizeof(o));
	if ((rc = alloc_wants(&lab, flight, job, args, &w, &n, &err)) == 0 &&
	    (rc = alloc_owner_for(&lab, flight, job, &o, &err)) == 0 &&
	    (rc = alloc_take(&lab, flight, job, w, n, &o, timeout_ms,
	    cmd_interactive() ? &prog : NULL, &err)) == 0)
		for (i = 0; i < n; i++)
			strbuf_addf(&out, "%s=%s\n", w[i].ident, w[i].got);
	cmd_print(&out);
	alloc_wants_release(w, n);
	alloc_owner_release(&o);
	lab_close(&lab);
	strbuf_release(&out);
	return cmd_exit(rc, &err);
}
