/*
 * xeninst: install Xen on a job's host and make GRUB boot it next.  See
 * xeninst.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "digest.h"
#include "err.h"
#include "host.h"
#include "job.h"
#include "remote.h"
#include "runvar.h"
#include "ssh.h"
#include "xalloc.h"
#include "xeninst.h"
#include "banned.h"

#define BEGIN_MARK "### BEGIN tlab xen"
#define END_MARK "### END tlab xen"
#define GRUB_CFG "/boot/grub/grub.cfg"
#define XEN_GZ "/boot/xen.gz"
#define SCRIPT_NONE 99		/* the scripts' exit when there is no xen*.gz */

/* Package: copy its /boot/xen*.gz to /boot/xen.gz, print its version. */
static const char script_package[] =
	"set -e; "
	"f=$(dpkg -L \"$1\" | grep '^/boot/xen.*\\.gz$' | sort | head -n 1); "
	"[ -n \"$f\" ] || { echo \"package $1 has no /boot/xen*.gz\" >&2; exit 99; }; "
	"cp \"$f\" /boot/xen.gz.tlab-new; mv -f /boot/xen.gz.tlab-new /boot/xen.gz; "
	"dpkg-query -W -f '${Version}' \"$1\"";

/* Dist tarball $1: its boot/xen*.gz (a regular file) to /boot/xen.gz. */
static const char script_dist[] =
	"set -e; d=$(mktemp -d); trap 'rm -rf \"$d\" \"$1\"' EXIT; "
	"tar -xzf \"$1\" -C \"$d\"; "
	"f=$(find \"$d\" -path '*/boot/xen*.gz' -type f | sort | head -n 1); "
	"[ -n \"$f\" ] || { echo 'the tarball has no boot/xen*.gz' >&2; exit 99; }; "
	"cp \"$f\" /boot/xen.gz.tlab-new; mv -f /boot/xen.gz.tlab-new /boot/xen.gz";

void
xeninst_result_release(struct xeninst_result *r)
{
	free(r->host);
	free(r->sha256);
	free(r->from);
	free(r->grub);
	r->host = r->sha256 = r->from = r->grub = NULL;
}

static void
say(const struct xeninst_opts *o, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	if (o->say == NULL)
		return;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	o->say(sb.buf, o->ctx);
	strbuf_release(&sb);
}

/* Words GRUB's parser reads as data: no quotes, \ $ ; & | < > { }, controls. */
static int
check_grub_words(const char *what, const char *s, struct strbuf *err)
{
	const char *p;

	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f || strchr("\"'\\$;&|<>{}`", *p))
			return err_setf(err, TS_E_INPUT, "%s: '%s': a character GRUB would "
			    "read as syntax (%s)", what, s,
			    (unsigned char)*p < 0x20 ? "a control character" : "quote, \\ $ ; & | < > { } `");
	return 0;
}

void
xeninst_grub_edit(const char *cfg, const char *xen_args, const char *dom0_args,
    int set_default, struct strbuf *out)
{
	const char *p = cfg, *nl;
	int in_block = 0, done_default = !set_default;
	size_t len;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		if (!in_block && len >= strlen(BEGIN_MARK) &&
		    strncmp(p, BEGIN_MARK, strlen(BEGIN_MARK)) == 0) {
			in_block = 1;
		} else if (in_block) {
			if (len >= strlen(END_MARK) && strncmp(p, END_MARK, strlen(END_MARK)) == 0)
				in_block = 0;
		} else if (!done_default && strncmp(p, "set default=", 12) == 0) {
			strbuf_addstr(out, "set default=" XENINST_ENTRY "\n");
			done_default = 1;
		} else {
			strbuf_add(out, p, len);
			strbuf_addch(out, '\n');
		}
		p += len;
		if (*p == '\n')
			p++;
	}
	if (!done_default)
		strbuf_insertstr(out, 0, "set default=" XENINST_ENTRY "\n");
	strbuf_addf(out,
	    BEGIN_MARK " (ts-install-xen: replaced by each install)\n"
	    "menuentry '" XENINST_ENTRY "' --id " XENINST_ENTRY " {\n"
	    "  insmod ext2\n"
	    "  insmod gzio\n"
	    "  insmod multiboot2\n"
	    "  multiboot2 " XEN_GZ " %s\n"
	    "  module2 /boot/vmlinuz %s\n"
	    "  module2 /boot/initrd.gz\n"
	    "}\n"
	    END_MARK "\n", xen_args, dom0_args);
}

/* The sha256 of a local file, 64 hex digits. */
static int
local_sha256(const char *path, struct strbuf *hex, struct strbuf *err)
{
	struct strbuf data = STRBUF_INIT;
	unsigned char d[32];
	int i;

	if (strbuf_read_file(&data, path) < 0) {
		strbuf_release(&data);
		return err_errno(err, TS_E_INPUT, "xen_image %s", path);
	}
	sha256(data.buf, data.len, d);
	for (i = 0; i < 32; i++)
		strbuf_addf(hex, "%02x", d[i]);
	strbuf_release(&data);
	return 0;
}

/* Runvar name of the job, NULL when unset. */
static int
job_var(struct lab *lab, const struct xeninst_opts *o, const char *name,
    char **val, struct strbuf *err)
{
	*val = NULL;
	return runvar_get(lab, o->flight, o->job, name, val, err);
}

/* "BASE[ PROP-or-default...][ APPEND]" into sb, each part checked. */
static int
cmdline(struct strbuf *sb, const char *what, const char *const *parts,
    const char *append, struct strbuf *err)
{
	int rc;

	for (; *parts != NULL; parts++) {
		if (**parts == '\0')
			continue;
		if ((rc = check_grub_words(what, *parts, err)) < 0)
			return rc;
		if (sb->len > 0)
			strbuf_addch(sb, ' ');
		strbuf_addstr(sb, *parts);
	}
	if (append != NULL && *append != '\0') {
		if ((rc = check_grub_words(what, append, err)) < 0)
			return rc;
		if (sb->len > 0)
			strbuf_addch(sb, ' ');
		strbuf_addstr(sb, append);
	}
	return 0;
}

static const char *
prop_or(const struct host *h, const char *name, const char *dflt)
{
	const char *v = host_prop(h, name);

	return v != NULL ? v : dflt;
}

int
xeninst_install(struct lab *lab, const struct xeninst_opts *o,
    struct xeninst_result *res, struct strbuf *err)
{
	char *image = NULL, *source = NULL, *package = NULL;
	char *xen_append = NULL, *dom0_append = NULL, *dist = NULL, *rev = NULL;
	struct strbuf xen_args = STRBUF_INIT, dom0_args = STRBUF_INIT;
	struct strbuf out = STRBUF_INIT, want = STRBUF_INIT, cfg = STRBUF_INIT;
	struct strbuf from = STRBUF_INIT, scratch = STRBUF_INIT;
	struct remote r;
	struct stat st;
	int rc, grub_reboot = 0;

	if ((rc = remote_find(lab, o->flight, o->job, o->ident, &r, err)) < 0)
		goto out;
	r.out_fd = o->out_fd;
	r.err_fd = o->err_fd;
	if ((rc = job_var(lab, o, "xen_image", &image, err)) < 0 ||
	    (rc = job_var(lab, o, "xen_source", &source, err)) < 0 ||
	    (rc = job_var(lab, o, "xen_package", &package, err)) < 0 ||
	    (rc = job_var(lab, o, "xen_boot_append", &xen_append, err)) < 0 ||
	    (rc = job_var(lab, o, "dom0_boot_append", &dom0_append, err)) < 0)
		goto out;
	if (source != NULL && strcmp(source, "package") != 0 && strcmp(source, "dist") != 0) {
		rc = err_setf(err, TS_E_INPUT, "runvar xen_source: '%s': not package or dist",
		    source);
		goto out;
	}
	if (package == NULL)
		package = xstrdup(XENINST_PACKAGE);
	if (image != NULL) {
		if (stat(image, &st) < 0 || !S_ISREG(st.st_mode)) {
			rc = err_setf(err, TS_E_INPUT, "runvar xen_image: %s: no such file", image);
			goto out;
		}
		if ((rc = local_sha256(image, &want, err)) < 0)
			goto out;
		strbuf_addf(&from, "image:%s", image);
	} else if (source != NULL && strcmp(source, "package") == 0) {
		strbuf_addf(&from, "package:%s=", package);
	} else {
		if ((rc = job_runvar_via(lab, o->flight, o->job, "buildjob", "path_xendist",
		    &dist, err)) < 0)
			goto out;
		if (rc == 0) {
			rc = err_setf(err, TS_E_INPUT, "the build job (runvar buildjob) has no "
			    "runvar path_xendist: not a build of tree xen (or set xen_source="
			    "package, or xen_image)");
			goto out;
		}
		if (job_runvar_via(lab, o->flight, o->job, "buildjob", "built_revision_xen",
		    &rev, &scratch) < 0)
			rev = NULL;
		if (stat(dist, &st) < 0) {
			rc = err_errno(err, TS_E_LAB, "the build's %s", dist);
			goto out;
		}
		strbuf_addf(&from, "dist:%s%s%s", dist, rev != NULL ? "@" : "",
		    rev != NULL ? rev : "");
	}
	{
		const char *xp[] = { prop_or(&r.host, "xen_console", XENINST_XEN_CONSOLE),
		    XENINST_XEN_ARGS, NULL };
		const char *dp[] = { prop_or(&r.host, "dom0_root", XENINST_DOM0_ROOT),
		    prop_or(&r.host, "dom0_console", XENINST_DOM0_CONSOLE), NULL };

		if ((rc = cmdline(&xen_args, "Xen's command line", xp, xen_append, err)) < 0 ||
		    (rc = cmdline(&dom0_args, "dom0's command line", dp, dom0_append, err)) < 0)
			goto out;
	}
	if ((rc = remote_connect(lab, &r, o->timeout_ms, "the install of Xen", err)) < 0)
		goto out;
	res->host = xstrdup(r.host.name);

	/* The hypervisor into /boot/xen.gz. */
	if (image != NULL) {
		const char *mv[] = { "mv", "-f", "/boot/xen.gz.tlab-new", XEN_GZ, NULL };

		say(o, "host %s: copying %s to %s", r.host.name, image, XEN_GZ);
		if ((rc = remote_put(&r, image, "/boot/xen.gz.tlab-new", err)) < 0 ||
		    (rc = remote_must(&r, mv, "mv into " XEN_GZ, TS_E_LAB, NULL, err)) < 0)
			goto out;
	} else if (dist == NULL) {
		const char *apt[] = { "env", "DEBIAN_FRONTEND=noninteractive", "apt-get",
		    "install", "-y", package, NULL };
		const char *cp[] = { "sh", "-c", script_package, "tlab-install-xen", package,
		    NULL };

		say(o, "host %s: apt-get install -y %s", r.host.name, package);
		if ((rc = remote_must(&r, apt, "apt-get install", TS_E_FAIL, NULL, err)) < 0 ||
		    (rc = remote_must(&r, cp, "the package's /boot/xen*.gz to " XEN_GZ,
		    TS_E_FAIL, &out, err)) < 0)
			goto out;
		strbuf_rtrim(&out);
		strbuf_addstr(&from, out.buf);
	} else {
		const char *rtar = "/var/tmp/tlab-xendist.tar.gz";
		const char *mk[] = { "mkdir", "-p", "/var/tmp", NULL };
		const char *un[] = { "sh", "-c", script_dist, "tlab-install-xen", rtar, NULL };

		say(o, "host %s: %s's boot/xen*.gz to %s", r.host.name, dist, XEN_GZ);
		if ((rc = remote_must(&r, mk, "mkdir /var/tmp", TS_E_LAB, NULL, err)) < 0 ||
		    (rc = remote_put(&r, dist, rtar, err)) < 0 ||
		    (rc = remote_must(&r, un, "the tarball's boot/xen*.gz to " XEN_GZ,
		    TS_E_FAIL, NULL, err)) < 0)
			goto out;
	}
	{
		const char *sum[] = { "sha256sum", XEN_GZ, NULL };

		strbuf_reset(&out);
		if ((rc = remote_must(&r, sum, "sha256sum " XEN_GZ, TS_E_LAB, &out, err)) < 0)
			goto out;
		if (out.len < 64 || strspn(out.buf, "0123456789abcdef") != 64) {
			rc = err_setf(err, TS_E_LAB, "host %s: sha256sum: no digest in its output",
			    r.host.name);
			goto out;
		}
		strbuf_setlen(&out, 64);
		if (want.len > 0 && strcmp(want.buf, out.buf) != 0) {
			rc = err_setf(err, TS_E_LAB, "host %s: %s is %s, not %s as %s: the copy "
			    "went wrong", r.host.name, XEN_GZ, out.buf, want.buf, image);
			goto out;
		}
		res->sha256 = strbuf_detach(&out, NULL);
	}

	/* GRUB: the entry, and the next boot. */
	{
		const char *cat[] = { "cat", GRUB_CFG, NULL };
		const char *env[] = { "test", "-f", "/boot/grub/grubenv", NULL };
		const char *mv[] = { "mv", "-f", GRUB_CFG ".tlab-new", GRUB_CFG, NULL };
		const char *reboot[] = { "grub-reboot", XENINST_ENTRY, NULL };
		const char *sync[] = { "sync", NULL };

		if ((rc = remote_must(&r, cat, "reading " GRUB_CFG, TS_E_LAB, &cfg, err)) < 0)
			goto out;
		if ((rc = remote_must(&r, env, "test -f /boot/grub/grubenv", TS_E_FAIL, NULL,
		    err)) < 0 && rc != TS_E_FAIL)
			goto out;
		grub_reboot = rc == 0 && strstr(cfg.buf, "next_entry") != NULL;
		strbuf_reset(err);
		xeninst_grub_edit(cfg.buf, xen_args.buf, dom0_args.buf, !grub_reboot, &out);
		say(o, "host %s: %s: entry '%s': multiboot2 %s %s; module2 /boot/vmlinuz %s; "
		    "next boot: %s", r.host.name, GRUB_CFG, XENINST_ENTRY, XEN_GZ, xen_args.buf,
		    dom0_args.buf, grub_reboot ? "grub-reboot " XENINST_ENTRY :
		    "set default=" XENINST_ENTRY);
		if ((rc = remote_put_text(&r, out.buf, out.len, GRUB_CFG ".tlab-new", err)) < 0 ||
		    (rc = remote_must(&r, mv, "mv into " GRUB_CFG, TS_E_LAB, NULL, err)) < 0 ||
		    (grub_reboot &&
		    (rc = remote_must(&r, reboot, "grub-reboot", TS_E_LAB, NULL, err)) < 0) ||
		    (rc = remote_must(&r, sync, "sync", TS_E_LAB, NULL, err)) < 0)
			goto out;
		res->grub = xstrdup(grub_reboot ? "grub-reboot" : "default");
	}
	res->from = strbuf_detach(&from, NULL);
	if ((rc = runvar_set(lab, o->flight, o->job, "xen_installed", res->sha256, err)) < 0 ||
	    (rc = runvar_set(lab, o->flight, o->job, "xen_installed_from", res->from,
	    err)) < 0 ||
	    (rc = runvar_set(lab, o->flight, o->job, "xen_boot_entry", XENINST_ENTRY,
	    err)) < 0)
		goto out;
	rc = 0;
out:
	remote_close(&r);
	free(image);
	free(source);
	free(package);
	free(xen_append);
	free(dom0_append);
	free(dist);
	free(rev);
	strbuf_release(&xen_args);
	strbuf_release(&dom0_args);
	strbuf_release(&out);
	strbuf_release(&want);
	strbuf_release(&cfg);
	strbuf_release(&from);
	strbuf_release(&scratch);
	return rc;
}
