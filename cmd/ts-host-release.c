/*
 * ts-host-release: give back the job's hosts.  See ts-host-release(1).
 */
#include <stdio.h>
#include <stdlib.h>

#include "alloc.h"
#include "cmd.h"
#include "banned.h"

int
main(int argc, const char **argv)
{
	static const struct cmd_info info = {
		"[IDENT...]", "give back the hosts $TLAB_JOB holds (of these idents, "
		"or all)", 0, -1, 0,
	};
	struct strbuf err = STRBUF_INIT;
	const char *job;
	struct poptOption opts[] = {
		CMD_POPT_LAB,
		CMD_POPT_END
	};
	const char **args;
	struct lab lab;
	int64_t flight;
	int nargs, rc = 0, i, n = 0;

	args = cmd_parse(argc, argv, opts, &info, &nargs);
	cmd_step_job(&flight, &job);
	for (i = 0; i < nargs; i++)
		if ((rc = runvar_check_name(args[i], &err)) < 0)
			cmd_die(rc, &err);
	cmd_open_lab(&lab);
	for (i = 0; rc >= 0 && i < (nargs ? nargs : 1); i++)
		if ((rc = alloc_release(&lab, flight, job, nargs ? args[i] : NULL,
		    "released by ts-host-release", &err)) > 0)
			n += rc;
	if (rc >= 0 && cmd_interactive())
		fprintf(stderr, "%s: %d host%s released\n", cmd_name, n, n == 1 ? "" : "s");
	lab_close(&lab);
	return cmd_exit(rc < 0 ? rc : 0, &err);
}
