/*
 * ts-dist-install: put the tarball of the job's build job on its host
 * IDENT, unpack it there and record installed_TREE.  Step binary; see
 * ts-dist-install(1).
 */
#include <stdio.h>
#include <stdlib.h>

#include "build.h"
#include "clock.h"
#include "cmd.h"
#include "proc.h"
#include "banned.h"

#define TS_DIST_INSTALL_TIMEOUT_MS (30LL * 60 * 1000)

int
main(int argc, const char **argv)
{
	static const struct cmd_info info = {
		"IDENT TREE", "install the build job's TREE tarball on the job's host "
		"IDENT", 2, 2, 0,
	};
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;
	struct build_result res = BUILD_RESULT_INIT;
	const char *timeout = NULL;
	struct build_opts o = { 0 };
	struct poptOption opts[] = {
		{ "timeout", 't', POPT_ARG_STRING, &timeout, 0,
		  "give up after this (default: 30m)", "DURATION" },
		CMD_POPT_LAB,
		CMD_POPT_END
	};
	const char **args;
	struct lab lab;
	int nargs, rc;

	args = cmd_parse(argc, argv, opts, &info, &nargs);
	cmd_step_job(&o.flight, &o.job);
	o.timeout_ms = TS_DIST_INSTALL_TIMEOUT_MS;
	if (timeout != NULL && (conf_parse_duration(timeout, &o.timeout_ms) < 0 ||
	    o.timeout_ms == 0))
		cmd_usage_error("--timeout: '%s' is not a duration of more than 0", timeout);
	o.ident = args[0];
	o.tree = args[1];
	o.out_fd = 1;
	o.err_fd = 2;
	o.say = cmd_progress;
	proc_catch_abort();
	cmd_open_lab(&lab);
	if ((rc = build_install(&lab, &o, &res, &err)) == 0) {
		fprintf(stderr, "%s: tree %s: %s installed on host %s in %s\n",
		    cmd_name, o.tree, res.revision != NULL ? res.revision : "the build",
		    res.host, res.remote_dir);
		strbuf_addf(&out, "installed_%s=%s\n", o.tree, res.remote_dir);
		cmd_print(&out);
	}
	build_result_release(&res);
	lab_close(&lab);
	strbuf_release(&out);
	return cmd_exit(rc, &err);
}
