/*
 * ts-build: build the job's tree TREE on its host IDENT, or reuse a build
 * that already passed, and record built_revision_TREE and path_TREEdist.
 * Step binary; see ts-build(1).
 */
#include <stdio.h>
#include <stdlib.h>

#include "build.h"
#include "clock.h"
#include "cmd.h"
#include "proc.h"
#include "banned.h"

/* The default bound ends before a step's own (step_timeout, 1h). */
#define TS_BUILD_TIMEOUT_MS (50LL * 60 * 1000)

int
main(int argc, const char **argv)
{
	static const struct cmd_info info = {
		"IDENT TREE", "build the job's tree TREE on its host IDENT (or reuse "
		"a passed build) and stash the result", 2, 2, 0,
	};
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;
	struct build_result res = BUILD_RESULT_INIT;
	const char *timeout = NULL;
	struct build_opts o = { 0 };
	int no_reuse = 0;
	struct poptOption opts[] = {
		{ "no-reuse", 0, POPT_ARG_NONE, &no_reuse, 0,
		  "build even when a passed build of the same definition exists", NULL },
		{ "timeout", 't', POPT_ARG_STRING, &timeout, 0,
		  "give up after this (default: 50m); a build that runs out of time "
		  "is a fail", "DURATION" },
		CMD_POPT_LAB,
		CMD_POPT_END
	};
	const char **args;
	struct lab lab;
	int nargs, rc;

	args = cmd_parse(argc, argv, opts, &info, &nargs);
	cmd_step_job(&o.flight, &o.job);
	o.timeout_ms = TS_BUILD_TIMEOUT_MS;
	if (timeout != NULL && (conf_parse_duration(timeout, &o.timeout_ms) < 0 ||
	    o.timeout_ms == 0))
		cmd_usage_error("--timeout: '%s' is not a duration of more than 0", timeout);
	o.ident = args[0];
	o.tree = args[1];
	o.no_reuse = no_reuse;
	o.out_fd = 1;
	o.err_fd = 2;
	o.say = cmd_progress;
	proc_catch_abort();
	cmd_open_lab(&lab);
	if ((rc = build_run(&lab, &o, &res, &err)) == 0) {
		if (res.reused != NULL)
			fprintf(stderr, "%s: tree %s: reusing the build of job %s at %s: "
			    "%s\n", cmd_name, o.tree, res.reused, res.revision, res.path);
		else
			fprintf(stderr, "%s: tree %s: built %s on host %s: %s\n", cmd_name,
			    o.tree, res.revision, res.host, res.path);
		strbuf_addf(&out, "built_revision_%s=%s\npath_%sdist=%s\n", o.tree,
		    res.revision, o.tree, res.path);
		if (res.reused != NULL)
			strbuf_addf(&out, "reused_build_%s=%s\n", o.tree, res.reused);
		cmd_print(&out);
	}
	build_result_release(&res);
	lab_close(&lab);
	strbuf_release(&out);
	return cmd_exit(rc, &err);
}
