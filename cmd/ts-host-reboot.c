/*
 * ts-host-reboot: reboot one of the job's hosts by its power method and
 * wait until it is back with a new boot id, as a step.  See
 * ts-host-reboot(1).
 */
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "host.h"
#include "power.h"
#include "proc.h"
#include "runvar.h"
#include "banned.h"

/* A progress line, for the step's log. */
static void
say(void *ctx, const char *line)
{
	(void)ctx;
	fprintf(stderr, "%s: %s\n", cmd_name, line);
}

int
main(int argc, const char **argv)
{
	static const struct cmd_info info = {
		"IDENT", "reboot the job's host IDENT by its power method and wait "
		"until it is back with a new boot id", 1, 1, 0,
	};
	struct power_reboot_opts ro = POWER_REBOOT_OPTS_INIT;
	struct strbuf err = STRBUF_INIT;
	const char *timeout = NULL, *down = NULL, *up = NULL, *job;
	struct poptOption opts[] = {
		{ "timeout", 't', POPT_ARG_STRING, &timeout, 0,
		  "give up on the whole reboot after this (default: 10m)", "DURATION" },
		{ "down-timeout", 0, POPT_ARG_STRING, &down, 0,
		  "wait this long for SSH to go down (default: 120s)", "DURATION" },
		{ "up-timeout", 0, POPT_ARG_STRING, &up, 0,
		  "wait this long for SSH to come back (default: 400s)", "DURATION" },
		CMD_POPT_LAB,
		CMD_POPT_END
	};
	const char **args;
	char *name = NULL;
	struct lab lab;
	struct host h;
	int64_t flight;
	int nargs, rc;

	args = cmd_parse(argc, argv, opts, &info, &nargs);
	cmd_step_job(&flight, &job);
	cmd_duration_opt("timeout", timeout, &ro.timeout_ms);
	cmd_duration_opt("down-timeout", down, &ro.down_ms);
	cmd_duration_opt("up-timeout", up, &ro.up_ms);
	ro.say = say;
	/*
	 * A step stopped in the middle stops its power command too; what a
	 * power command leaves behind is reaped here, at once.
	 */
	proc_catch_abort();
	proc_subreaper();
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
	if ((rc = host_get(&lab, name, &h, &err)) < 0 ||
	    (rc = power_reboot(&lab, &h, &ro, &err)) < 0)
		goto out;
	rc = 0;
out:
	host_release(&h);
	free(name);
	lab_close(&lab);
	return cmd_exit(rc, &err);
}
