/*
 * xeninst: install Xen on a job's host and make GRUB boot it next
 * (ts-install-xen).  It does not reboot.
 *
 * The hypervisor comes from, first found:
 *   runvar xen_image=PATH     a xen.gz on the controller, copied as is
 *                             (tests, and labs that keep a known binary);
 *   runvar xen_source=package the host's own packages: apt-get install -y
 *                             of xen_package (default
 *                             xen-hypervisor-4.17-amd64), its /boot/xen*.gz;
 *   otherwise                 the build job's tarball (runvar buildjob, its
 *                             path_xendist, as ts-dist-install), its
 *                             boot/xen*.gz (a regular file, not a link).
 * It lands in /boot/xen.gz.  /boot/grub/grub.cfg gets one entry with
 * --id xen, between "### BEGIN tlab xen" and "### END tlab xen" (a second
 * install replaces it), and "set default=xen"; where /boot/grub/grubenv
 * exists and grub.cfg reads next_entry (update-grub's), grub-reboot xen
 * instead leaves the permanent default alone.
 *
 * Command lines: Xen's is host property xen_console (default
 * "console=com1 com1=115200,8n1"), dom0_mem=1024M,max:1024M, then runvar
 * xen_boot_append; dom0's is host property dom0_root (default
 * "root=/dev/vda rw"), host property dom0_console (default
 * "console=hvc0"), then runvar dom0_boot_append.  They are written into
 * GRUB's script: a value with a character GRUB's parser would read as
 * syntax (quotes, \ $ ; & | < > { } or a control character) is TS_E_INPUT.
 *
 * Runtime runvars: xen_installed (sha256 of /boot/xen.gz on the host),
 * xen_installed_from ("image:PATH", "package:NAME=VERSION",
 * "dist:PATH[@REVISION]") and xen_boot_entry=xen.
 */
#ifndef TLAB_XENINST_H
#define TLAB_XENINST_H

#include <stdint.h>

#include "lab.h"
#include "strbuf.h"

#define XENINST_ENTRY "xen"
#define XENINST_PACKAGE "xen-hypervisor-4.17-amd64"
#define XENINST_XEN_CONSOLE "console=com1 com1=115200,8n1"
#define XENINST_XEN_ARGS "dom0_mem=1024M,max:1024M"
#define XENINST_DOM0_ROOT "root=/dev/vda rw"
#define XENINST_DOM0_CONSOLE "console=hvc0"

struct xeninst_opts {
	int64_t flight;
	const char *job;
	const char *ident;	/* runvar naming the job's host */
	int64_t timeout_ms;	/* the whole install, from the connection on */
	int out_fd, err_fd;	/* the host's commands' output (the step log) */
	void (*say)(const char *line, void *ctx);
	void *ctx;
};

struct xeninst_result {
	char *host;
	char *sha256;		/* of /boot/xen.gz, 64 hex digits */
	char *from;		/* xen_installed_from */
	char *grub;		/* how the next boot was set: "default" or "grub-reboot" */
};

#define XENINST_RESULT_INIT { NULL, NULL, NULL, NULL }

void xeninst_result_release(struct xeninst_result *r);

/*
 * TS_E_INPUT for bad or missing runvars (no host, a bad command line, no
 * xen_image file), TS_E_BLOCKED when the build job did not pass, TS_E_FAIL
 * when the package does not install or the tarball holds no boot/xen*.gz,
 * TS_E_LAB for the host, SSH and SFTP.
 */
int xeninst_install(struct lab *lab, const struct xeninst_opts *o,
    struct xeninst_result *res, struct strbuf *err);

/*
 * Rewrite grub.cfg text cfg for an entry named XENINST_ENTRY booting
 * xen_args and dom0_args: any earlier tlab block removed, a new one
 * appended, and (set_default) "set default=xen" in place of the first
 * "set default=" line or first.  For tests and the above.
 */
void xeninst_grub_edit(const char *cfg, const char *xen_args, const char *dom0_args,
    int set_default, struct strbuf *out);

#endif
