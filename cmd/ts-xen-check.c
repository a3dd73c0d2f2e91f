/*
 * ts-xen-check: prove that the job's host IDENT runs Xen, and the Xen
 * that ts-install-xen put there.  Step binary; see ts-xen-check(1).
 */
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "proc.h"
#include "xenguest.h"
#include "banned.h"

int
main(int argc, const char **argv)
{
	static const struct cmd_info info = {
		"IDENT", "check that the job's host IDENT runs Xen, the one installed",
		1, 1, 0,
	};
	struct xenguest_opts o = { 0 };
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;
	const char *timeout = NULL;
	struct poptOption opts[] = {
		{ "timeout", 't', POPT_ARG_STRING, &timeout, 0,
		  "give up after this (default: 120s)", "DURATION" },
		CMD_POPT_LAB,
		CMD_POPT_END
	};
	const char **args;
	struct lab lab;
	int nargs, rc;

	args = cmd_parse(argc, argv, opts, &info, &nargs);
	cmd_step_job(&o.flight, &o.job);
	o.wait_ms = XENGUEST_WAIT_MS;
	cmd_duration_opt("timeout", timeout, &o.wait_ms);
	o.ident = args[0];
	o.out_fd = 2;
	o.err_fd = 2;
	o.say = cmd_progress;
	proc_catch_abort();
	cmd_open_lab(&lab);
	rc = xenguest_check_xen(&lab, &o, &out, &err);
	cmd_print(&out);
	lab_close(&lab);
	strbuf_release(&out);
	return cmd_exit(rc, &err);
}
