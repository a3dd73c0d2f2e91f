/*
 * ts-host-run: run a command on one of the job's hosts, as a step: its
 * output into the step's log, its outcome the step's.  See ts-host-run(1).
 */
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "host.h"
#include "runvar.h"
#include "banned.h"

int
main(int argc, const char **argv)
{
	static const struct cmd_info info = {
		"IDENT WORD...", "run a command on the job's host IDENT: pass when it "
		"exits 0", 2, -1, POPT_CONTEXT_POSIXMEHARDER,
	};
	struct strbuf err = STRBUF_INIT, what = STRBUF_INIT;
	struct ssh_exec_opts eo = SSH_EXEC_OPTS_INIT;
	const char *timeout = NULL, *job;
	struct poptOption opts[] = {
		{ "timeout", 't', POPT_ARG_STRING, &timeout, 0,
		  "give up after this (default: 1h); a timeout is a fail", "DURATION" },
		CMD_POPT_LAB,
		CMD_POPT_END
	};
	struct ssh_conn *c = NULL;
	struct ssh_result res;
	const char **args;
	char *name = NULL;
	struct lab lab;
	struct host h;
	int64_t flight;
	int nargs, rc;

	args = cmd_parse(argc, argv, opts, &info, &nargs);
	cmd_step_job(&flight, &job);
	eo.timeout_ms = 3600 * 1000;
	if (timeout != NULL && (conf_parse_duration(timeout, &eo.timeout_ms) < 0 ||
	    eo.timeout_ms == 0))
		cmd_usage_error("--timeout: '%s' is not a duration of more than 0", timeout);
	eo.out_fd = 1;
	eo.err_fd = 2;
	host_init(&h);
	cmd_open_lab(&lab);
	if ((rc = runvar_check_name(args[0], &err)) < 0 ||
	    (rc = runvar_get(&lab, flight, job, args[0], &name, &err)) < 0)
		goto out;
	if (rc == 0) {
		rc = err_setf(&err, TS_E_INPUT, "runvar %s: not set: allocate the host "
		    "first (ts-host-allocate %s)", args[0], args[0]);
		goto out;
	}
	strbuf_add_argv_human(&what, args + 1);
	if ((rc = host_get(&lab, name, &h, &err)) < 0 ||
	    (rc = host_connect(&lab, &h, 0, &c, &err)) < 0 ||
	    (rc = ssh_exec(c, args + 1, &eo, &res, &err)) < 0)
		goto out;
	/* What ran and how it ended; a failed test is a fail, not the lab's. */
	strbuf_reset(&err);
	strbuf_addf(&err, "host %s: %s: ", name, what.buf);
	ssh_describe(&res, &err);
	if (res.timed_out)
		strbuf_addf(&err, " after %lld s", (long long)(eo.timeout_ms / 1000));
	rc = res.exited && res.code == 0 ? 0 : TS_E_FAIL;
	if (rc == 0)
		fprintf(stderr, "%s: %s\n", cmd_name, err.buf);
out:
	ssh_close(c);
	host_release(&h);
	free(name);
	lab_close(&lab);
	strbuf_release(&what);
	return cmd_exit(rc, &err);
}
