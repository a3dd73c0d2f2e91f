/*
 * ts-run-job: run one queued job of a flight.  See ts-run-job(1).
 */
#include <stdio.h>
#include <unistd.h>

#include "cmd.h"
#include "conf.h"
#include "jobrun.h"
#include "proc.h"
#include "banned.h"

static void
echo(const char *buf, size_t n, void *ctx)
{
	(void)ctx;
	(void)!write(STDERR_FILENO, buf, n);
}

int
main(int argc, const char **argv)
{
	static const struct cmd_info info = {
		"FLIGHT JOB", "run a queued job: check its build jobs, run its recipe, "
		"record its status", 2, 2, 0,
	};
	struct strbuf err = STRBUF_INIT;
	struct jobrun_opts o = JOBRUN_OPTS_INIT;
	const char *timeout = NULL;
	int nargs, rc, quiet = 0;
	struct poptOption opts[] = {
		{ "dry-run", 'n', POPT_ARG_NONE, &o.dry_run, 0,
		  "print the steps the recipe would run; record nothing", NULL },
		{ "timeout", 't', POPT_ARG_STRING, &timeout, 0,
		  "bound on the whole recipe (default: job_timeout, 1d)", "DURATION" },
		{ "quiet", 'q', POPT_ARG_NONE, &quiet, 0,
		  "nothing on a terminal: no recipe output, no final status line", NULL },
		CMD_POPT_LAB,
		CMD_POPT_END
	};
	enum ts_status final = ST_NONE;
	const char **args;
	struct lab lab;
	int64_t flight;

	args = cmd_parse(argc, argv, opts, &info, &nargs);
	flight = cmd_flight_arg(args[0]);
	if (timeout != NULL && (conf_parse_duration(timeout, &o.timeout_ms) < 0 ||
	    o.timeout_ms == 0))
		cmd_usage_error("--timeout: '%s' is not a duration of more than 0",
		    timeout);
	o.bindir = proc_self_dir();
	/* On a terminal the recipe's output shows as it comes; never under cron. */
	if (o.dry_run || (!quiet && cmd_interactive()))
		o.echo = echo;
	if (o.dry_run)
		o.echo = NULL;	/* a dry run writes to stdout itself */
	proc_catch_abort();
	proc_subreaper();
	cmd_open_lab(&lab);
	rc = jobrun(&lab, flight, args[1], &o, &final, &err);
	lab_close(&lab);
	if (rc < 0 || o.dry_run)
		return cmd_exit(rc, &err);
	if (!quiet && cmd_interactive())
		fprintf(stderr, "flight %lld job %s: %s\n", (long long)flight, args[1],
		    status_name(final));
	return cmd_exit(0, &err) ? TS_EXIT_BROKEN : status_exit(final);
}
