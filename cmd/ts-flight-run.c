/*
 * ts-flight-run: run every runnable job of a flight, in parallel, and
 * bless it.  See ts-flight-run(1).
 */
#include <stdio.h>

#include "clock.h"
#include "cmd.h"
#include "flightrun.h"
#include "proc.h"
#include "banned.h"

int
main(int argc, const char **argv)
{
	static const struct cmd_info info = {
		"FLIGHT", "run every runnable job of a flight, dependencies first, "
		"then bless it", 1, 1, 0,
	};
	struct strbuf err = STRBUF_INIT, runjob = STRBUF_INIT;
	struct flightrun_opts o = { 0, NULL, NULL, NULL, NULL };
	struct flightrun_result res;
	int nargs, rc, verbose = 0, quiet = 0, i;
	struct poptOption opts[] = {
		{ "jobs", 'j', POPT_ARG_INT, &o.parallel, 0,
		  "run up to N jobs at once (default: parallel in tlab.conf, else 4)", "N" },
		{ "blessing", 'B', POPT_ARG_STRING, &o.blessing, 0,
		  "bless the flight so when done (default: its intended blessing)",
		  "BLESSING" },
		{ "verbose", 'v', POPT_ARG_NONE, &verbose, 0,
		  "a line per job started and finished, also when not on a terminal", NULL },
		{ "quiet", 'q', POPT_ARG_NONE, &quiet, 0,
		  "no progress lines, also on a terminal", NULL },
		CMD_POPT_LAB,
		CMD_POPT_END
	};
	const char **args, *dir;
	struct lab lab;
	int64_t flight;

	args = cmd_parse(argc, argv, opts, &info, &nargs);
	flight = cmd_flight_arg(args[0]);
	dir = proc_self_dir();
	strbuf_addf(&runjob, "%s%sts-run-job", dir ? dir : "", dir ? "/" : "");
	o.run_job = runjob.buf;
	if (!quiet && (verbose || cmd_interactive()))
		o.progress = cmd_progress;
	proc_catch_abort();
	cmd_open_lab(&lab);
	rc = flightrun(&lab, flight, &o, &res, &err);
	lab_close(&lab);
	if (rc == 0 && o.progress != NULL) {
		fprintf(stderr, "flight %lld:", (long long)flight);
		for (i = ST_PASS; i <= ST_ABORTED; i++)
			if (res.count[i])
				fprintf(stderr, " %d %s", res.count[i], status_name(i));
		fprintf(stderr, "\n");
	}
	strbuf_release(&runjob);
	return cmd_exit(rc, &err);
}
