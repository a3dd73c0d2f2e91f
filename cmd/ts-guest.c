/*
 * ts-guest-start, ts-guest-stop, ts-guest-destroy, ts-guest-saverestore,
 * ts-guest-localmigrate: one action on a guest on the job's Xen host
 * IDENT, by xl.  One source; each binary is built with TS_GUEST_ACTION
 * naming its action.  Step binaries; see ts-guest-start(1).
 */
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "proc.h"
#include "xenguest.h"
#include "banned.h"

#ifndef TS_GUEST_ACTION
#error "build with -DTS_GUEST_ACTION=XENGUEST_START (or _STOP, ...)"
#endif

static const char *const summary[] = {
	[XENGUEST_START] = "start guest GUEST on the job's Xen host IDENT and wait "
	    "for its sign of life",
	[XENGUEST_STOP] = "shut guest GUEST down and wait until it is gone "
	    "(destroyed, and the step failed, when it does not stop)",
	[XENGUEST_DESTROY] = "destroy guest GUEST and wait until it is gone",
	[XENGUEST_SAVERESTORE] = "save guest GUEST to a file, restore it, and wait "
	    "for its sign of life",
	[XENGUEST_LOCALMIGRATE] = "migrate guest GUEST to the same host and wait "
	    "for its sign of life",
};

int
main(int argc, const char **argv)
{
	const struct cmd_info info = {
		"IDENT GUEST", summary[TS_GUEST_ACTION], 2, 2, 0,
	};
	struct xenguest_opts o = { 0 };
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;
	const char *timeout = NULL;
	struct poptOption opts[] = {
		{ "timeout", 't', POPT_ARG_STRING, &timeout, 0,
		  "wait this long for the guest's sign of life or its end "
		  "(default: 120s)", "DURATION" },
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
	o.guest = args[1];
	o.out_fd = 2;
	o.err_fd = 2;
	o.say = cmd_progress;
	proc_catch_abort();
	cmd_open_lab(&lab);
	rc = xenguest_do(&lab, TS_GUEST_ACTION, &o, &out, &err);
	cmd_print(&out);
	lab_close(&lab);
	strbuf_release(&out);
	return cmd_exit(rc, &err);
}
