/*
 * xenguest: a guest on one of the job's Xen hosts, driven by xl: start,
 * stop, destroy, save and restore, local migration (ts-guest-*), and the
 * check that the host runs the Xen that was installed (ts-xen-check).
 *
 * A guest is a word, GUEST (OSSTEST's guest ident: "debian", "g1"), also
 * the name of its domain, described by the job's runvars:
 *
 *	GUEST_type	pv (the default), pvh or hvm
 *	GUEST_kernel	its kernel: a file on this machine, copied to the
 *			host, or host:PATH, a file already there
 *	GUEST_ramdisk	its initramfs, the same way (none by default)
 *	GUEST_cmdline	its command line (default "console=hvc0")
 *	GUEST_memory	MiB (default 128)
 *	GUEST_vcpus	(default 1)
 *	GUEST_tsc_mode	xl's tsc_mode (a PVH guest under QEMU's software
 *			emulation needs "native")
 *	GUEST_marker	its sign of life: text its console shows once it is
 *			up (required); a guest counts as up only once the
 *			marker shows on its console after the action began
 *
 * Its files are in /var/lib/tlab/guest/GUEST on the host: kernel,
 * ramdisk, GUEST.cfg (the xl config, written through SFTP) and GUEST.save
 * while it is saved.  Its console is the file xenconsoled keeps, in the
 * directory of host property guest_console_dir (default
 * /var/log/xen/console: xenconsoled --log=guest), guest-GUEST.log.  The
 * domain is started with on_crash="destroy", so a guest that crashes is
 * gone and the host free for the next.
 *
 * Each wait on the guest (its sign of life, its end) is bounded by
 * wait_ms; a guest that does not stop within it is destroyed and the step
 * fails.  Exits: TS_E_FAIL when what was tested does not work (xl refuses,
 * no sign of life, the domain dies, it does not stop); TS_E_INPUT for bad
 * runvars; TS_E_LAB for the host and the connection.
 */
#ifndef TLAB_XENGUEST_H
#define TLAB_XENGUEST_H

#include <stdint.h>

#include "lab.h"
#include "strbuf.h"

#define XENGUEST_DIR "/var/lib/tlab/guest"
#define XENGUEST_CONSOLE_DIR "/var/log/xen/console"
#define XENGUEST_WAIT_MS (120LL * 1000)
#define XENGUEST_STEP_MS (30LL * 60 * 1000)

enum xenguest_action {
	XENGUEST_START,
	XENGUEST_STOP,
	XENGUEST_DESTROY,
	XENGUEST_SAVERESTORE,
	XENGUEST_LOCALMIGRATE,
};

struct xenguest_opts {
	int64_t flight;
	const char *job;
	const char *ident;	/* runvar naming the host */
	const char *guest;	/* the guest's word */
	int64_t wait_ms;	/* each wait on the guest */
	int out_fd, err_fd;	/* the host's commands' output (the step log) */
	void (*say)(const char *line, void *ctx);
	void *ctx;
};

/*
 * Do action; runvars (GUEST_domid after a start, a restore, a migration)
 * are recorded and their "NAME=VALUE" lines added to out.
 */
int xenguest_do(struct lab *lab, enum xenguest_action action,
    const struct xenguest_opts *o, struct strbuf *out, struct strbuf *err);

/*
 * ts-xen-check: /sys/hypervisor/type is xen and xl info answers; where the
 * job installed Xen (runvar xen_installed) /boot/xen.gz is still that
 * file and holds the running Xen's version and compile date.  Records
 * xen_running_version; its line into out.  TS_E_FAIL when the host does
 * not run Xen, or not the one installed.
 */
int xenguest_check_xen(struct lab *lab, const struct xenguest_opts *o,
    struct strbuf *out, struct strbuf *err);

#endif
