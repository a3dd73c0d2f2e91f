/*
 * ts-logs-capture: fetch the logs of the job's hosts (console, kernel
 * log, journal, /var/log/xen, xl dmesg) into its log directory, as a
 * step; a host that cannot be reached is power-cycled and tried once
 * more.  See ts-logs-capture(1).
 */
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "logs.h"
#include "banned.h"

/* Each line goes out at once: the step's log shows how far it got. */
static void
say(const char *line, void *ctx)
{
	(void)ctx;
	fprintf(stderr, "%s: %s\n", cmd_name, line);
	fflush(stderr);
}

static int64_t
duration_arg(const char *opt, const char *s, int64_t def)
{
	int64_t ms;

	if (s == NULL)
		return def;
	if (conf_parse_duration(s, &ms) < 0 || ms == 0)
		cmd_usage_error("%s: '%s' is not a duration of more than 0", opt, s);
	return ms;
}

int
main(int argc, const char **argv)
{
	static const struct cmd_info info = {
		"[IDENT...]", "fetch the logs of the job's hosts into its log "
		"directory (all its hosts when no IDENT is given)", 0, -1, 0,
	};
	struct strbuf err = STRBUF_INIT;
	struct strvec idents = STRVEC_INIT, missing = STRVEC_INIT;
	struct logs_opts o = LOGS_OPTS_INIT;
	const char *timeout = NULL, *boot_timeout = NULL, *job;
	struct poptOption opts[] = {
		{ "timeout", 't', POPT_ARG_STRING, &timeout, 0,
		  "give up on each item after this (default: 5m)", "DURATION" },
		{ "boot-timeout", 0, POPT_ARG_STRING, &boot_timeout, 0,
		  "wait this long for a power-cycled host (default: 10m)", "DURATION" },
		CMD_POPT_LAB,
		CMD_POPT_END
	};
	const char **args;
	struct lab lab;
	int64_t flight;
	size_t i;
	int nargs, rc;

	args = cmd_parse(argc, argv, opts, &info, &nargs);
	cmd_step_job(&flight, &job);
	o.item_timeout_ms = duration_arg("--timeout", timeout, LOGS_ITEM_TIMEOUT_MS);
	o.boot_timeout_ms = duration_arg("--boot-timeout", boot_timeout,
	    LOGS_BOOT_TIMEOUT_MS);
	o.err_fd = 2;
	o.say = say;
	cmd_open_lab(&lab);
	if (nargs > 0)
		strvec_pushv(&idents, args);
	else if ((rc = logs_job_idents(&lab, flight, job, &idents, &err)) < 0)
		goto out;
	if (idents.nr == 0) {
		say("the job has no hosts: nothing to capture", NULL);
		rc = 0;
		goto out;
	}
	rc = logs_capture(&lab, flight, job, idents.v, &o, &missing, &err);
	for (i = 0; i < missing.nr; i++)
		fprintf(stderr, "%s: not fetched: %s\n", cmd_name, missing.v[i]);
out:
	strvec_clear(&idents);
	strvec_clear(&missing);
	lab_close(&lab);
	return cmd_exit(rc, &err);
}
