/*
 * ts-install-xen: install Xen on the job's host IDENT and make GRUB boot
 * it next (no reboot); record xen_installed.  Step binary; see
 * ts-install-xen(1).
 */
#include <stdio.h>
#include <stdlib.h>

#include "clock.h"
#include "cmd.h"
#include "proc.h"
#include "xeninst.h"
#include "banned.h"

#define TS_INSTALL_XEN_TIMEOUT_MS (30LL * 60 * 1000)

int
main(int argc, const char **argv)
{
	static const struct cmd_info info = {
		"IDENT", "install Xen on the job's host IDENT and make it GRUB's next "
		"boot", 1, 1, 0,
	};
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;
	struct xeninst_result res = XENINST_RESULT_INIT;
	struct xeninst_opts o = { 0 };
	const char *timeout = NULL;
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
	o.timeout_ms = TS_INSTALL_XEN_TIMEOUT_MS;
	cmd_duration_opt("timeout", timeout, &o.timeout_ms);
	o.ident = args[0];
	o.out_fd = 1;
	o.err_fd = 2;
	o.say = cmd_progress;
	proc_catch_abort();
	cmd_open_lab(&lab);
	if ((rc = xeninst_install(&lab, &o, &res, &err)) == 0) {
		fprintf(stderr, "%s: host %s: Xen %s (%s) in /boot/xen.gz; GRUB entry '%s' "
		    "boots next (%s)\n", cmd_name, res.host, res.sha256, res.from,
		    XENINST_ENTRY, res.grub);
		strbuf_addf(&out, "xen_installed=%s\nxen_boot_entry=%s\n", res.sha256,
		    XENINST_ENTRY);
		cmd_print(&out);
	}
	xeninst_result_release(&res);
	lab_close(&lab);
	strbuf_release(&out);
	return cmd_exit(rc, &err);
}
