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

/* The host of one install, and the one deadline of the whole of it. */
struct remote {
	const struct xeninst_opts *o;
	const char *name;
	struct ssh_conn *c;
	struct deadline dl;
};

static int
timed_out(struct remote *r, struct strbuf *err)
{
	return err_setf(err, TS_E_LAB, "host %s: %s: no end after %lld s", r->name,
	    r->dl.what.buf, (long long)deadline_waited_s(&r->dl));
}

/* Copy local to remote within the install's deadline. */
static int
put(struct remote *r, const char *local, const char *remote, struct strbuf *err)
{
	int64_t left = deadline_left(&r->dl);

	return left == 0 ? timed_out(r, err) : ssh_put(r->c, local, remote, left, err);
}

/*
 * Run argv; 0 when it exits 0.  Otherwise TS_E_FAIL (fail_rc) saying what
 * failed; the connection's trouble is TS_E_LAB.  out: its stdout, when
 * not NULL (else into the step log).
 */
static int
run(struct remote *r, const char *const *argv, const char *what, int fail_rc,
    struct strbuf *out, struct ssh_result *res, struct strbuf *err)
{
	struct ssh_exec_opts eo = SSH_EXEC_OPTS_INIT;
	struct ssh_result local;
	int rc;

	if (res == NULL)
		res = &local;
	eo.out_fd = out != NULL ? -1 : r->o->out_fd;
	eo.err_fd = r->o->err_fd;
	eo.out = out;
	if ((eo.timeout_ms = deadline_left(&r->dl)) == 0)
		return timed_out(r, err);
	if ((rc = ssh_exec(r->c, argv, &eo, res, err)) < 0)
		return rc;
	if (res->exited && res->code == 0)
		return 0;
	if (res->timed_out)
		return timed_out(r, err);
	strbuf_reset(err);
	strbuf_addf(err, "host %s: %s: ", r->name, what);
	ssh_describe(res, err);
	return fail_rc;
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

/* Write text to a fresh local temporary file; its name into path. */
static int
write_temp(const char *text, size_t len, struct strbuf *path, struct strbuf *err)
{
	const char *tmp = getenv("TMPDIR");
	ssize_t n;
	int fd;

	strbuf_addf(path, "%s/tlab-grub.XXXXXX", tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if ((fd = mkstemp(path->buf)) < 0)
		return err_errno(err, TS_E_LAB, "%s", path->buf);
	while (len > 0) {
		if ((n = write(fd, text, len)) < 0) {
			if (errno == EINTR)
				continue;
			(void)close(fd);
			(void)unlink(path->buf);
			return err_errno(err, TS_E_LAB, "%s", path->buf);
		}
		text += n;
		len -= (size_t)n;
	}
	if (close(fd) < 0) {
		(void)unlink(path->buf);
		return err_errno(err, TS_E_LAB, "%s", path->buf);
	}
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
	char *name = NULL, *image = NULL, *source = NULL, *package = NULL;
	char *xen_append = NULL, *dom0_append = NULL, *dist = NULL, *rev = NULL;
	struct strbuf xen_args = STRBUF_INIT, dom0_args = STRBUF_INIT;
	struct strbuf out = STRBUF_INIT, want = STRBUF_INIT, cfg = STRBUF_INIT;
	struct strbuf tmp = STRBUF_INIT, from = STRBUF_INIT, scratch = STRBUF_INIT;
	struct remote r = { o, NULL, NULL, { 0, 0, STRBUF_INIT } };
	struct ssh_result sr;
	struct stat st;
	struct host h;
	int rc, grub_reboot = 0;

	host_init(&h);
	if ((rc = runvar_check_name(o->ident, err)) < 0 ||
	    (rc = job_var(lab, o, o->ident, &name, err)) < 0)
		goto out;
	if (rc == 0) {
		rc = err_setf(err, TS_E_INPUT, "runvar %s: not set: allocate the host "
		    "first (ts-host-allocate %s)", o->ident, o->ident);
		goto out;
	}
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
	if ((rc = host_get(lab, name, &h, err)) < 0)
		goto out;
	r.name = h.name;
	deadline_in(&r.dl, o->timeout_ms, "the install of Xen");
	{
		const char *xp[] = { prop_or(&h, "xen_console", XENINST_XEN_CONSOLE),
		    XENINST_XEN_ARGS, NULL };
		const char *dp[] = { prop_or(&h, "dom0_root", XENINST_DOM0_ROOT),
		    prop_or(&h, "dom0_console", XENINST_DOM0_CONSOLE), NULL };

		if ((rc = cmdline(&xen_args, "Xen's command line", xp, xen_append, err)) < 0 ||
		    (rc = cmdline(&dom0_args, "dom0's command line", dp, dom0_append, err)) < 0)
			goto out;
	}
	if ((rc = host_connect(lab, &h, 0, &r.c, err)) < 0)
		goto out;
	res->host = xstrdup(h.name);

	/* The hypervisor into /boot/xen.gz. */
	if (image != NULL) {
		const char *mv[] = { "mv", "-f", "/boot/xen.gz.tlab-new", XEN_GZ, NULL };

		say(o, "host %s: copying %s to %s", h.name, image, XEN_GZ);
		if ((rc = put(&r, image, "/boot/xen.gz.tlab-new", err)) < 0 ||
		    (rc = run(&r, mv, "mv into " XEN_GZ, TS_E_LAB, NULL, NULL, err)) < 0)
			goto out;
	} else if (dist == NULL) {
		const char *apt[] = { "env", "DEBIAN_FRONTEND=noninteractive", "apt-get",
		    "install", "-y", package, NULL };
		const char *cp[] = { "sh", "-c", script_package, "tlab-install-xen", package,
		    NULL };

		say(o, "host %s: apt-get install -y %s", h.name, package);
		if ((rc = run(&r, apt, "apt-get install", TS_E_FAIL, NULL, NULL, err)) < 0 ||
		    (rc = run(&r, cp, "the package's /boot/xen*.gz to " XEN_GZ, TS_E_FAIL,
		    &out, NULL, err)) < 0)
			goto out;
		strbuf_rtrim(&out);
		strbuf_addstr(&from, out.buf);
	} else {
		const char *rtar = "/var/tmp/tlab-xendist.tar.gz";
		const char *mk[] = { "mkdir", "-p", "/var/tmp", NULL };
		const char *un[] = { "sh", "-c", script_dist, "tlab-install-xen", rtar, NULL };

		say(o, "host %s: %s's boot/xen*.gz to %s", h.name, dist, XEN_GZ);
		if ((rc = run(&r, mk, "mkdir /var/tmp", TS_E_LAB, NULL, NULL, err)) < 0 ||
		    (rc = put(&r, dist, rtar, err)) < 0 ||
		    (rc = run(&r, un, "the tarball's boot/xen*.gz to " XEN_GZ, TS_E_FAIL,
		    NULL, &sr, err)) < 0)
			goto out;
	}
	{
		const char *sum[] = { "sha256sum", XEN_GZ, NULL };

		strbuf_reset(&out);
		if ((rc = run(&r, sum, "sha256sum " XEN_GZ, TS_E_LAB, &out, NULL, err)) < 0)
			goto out;
		if (out.len < 64 || strspn(out.buf, "0123456789abcdef") != 64) {
			rc = err_setf(err, TS_E_LAB, "host %s: sha256sum: no digest in its output",
			    h.name);
			goto out;
		}
		strbuf_setlen(&out, 64);
		if (want.len > 0 && strcmp(want.buf, out.buf) != 0) {
			rc = err_setf(err, TS_E_LAB, "host %s: %s is %s, not %s as %s: the copy "
			    "went wrong", h.name, XEN_GZ, out.buf, want.buf, image);
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

		if ((rc = run(&r, cat, "reading " GRUB_CFG, TS_E_LAB, &cfg, NULL, err)) < 0)
			goto out;
		if ((rc = run(&r, env, "test -f /boot/grub/grubenv", TS_E_FAIL, NULL, &sr,
		    err)) < 0 && rc != TS_E_FAIL)
			goto out;
		grub_reboot = rc == 0 && strstr(cfg.buf, "next_entry") != NULL;
		strbuf_reset(err);
		xeninst_grub_edit(cfg.buf, xen_args.buf, dom0_args.buf, !grub_reboot, &out);
		say(o, "host %s: %s: entry '%s': multiboot2 %s %s; module2 /boot/vmlinuz %s; "
		    "next boot: %s", h.name, GRUB_CFG, XENINST_ENTRY, XEN_GZ, xen_args.buf,
		    dom0_args.buf, grub_reboot ? "grub-reboot " XENINST_ENTRY :
		    "set default=" XENINST_ENTRY);
		if ((rc = write_temp(out.buf, out.len, &tmp, err)) < 0)
			goto out;
		rc = put(&r, tmp.buf, GRUB_CFG ".tlab-new", err);
		(void)unlink(tmp.buf);
		if (rc < 0 ||
		    (rc = run(&r, mv, "mv into " GRUB_CFG, TS_E_LAB, NULL, NULL, err)) < 0 ||
		    (grub_reboot &&
		    (rc = run(&r, reboot, "grub-reboot", TS_E_LAB, NULL, NULL, err)) < 0) ||
		    (rc = run(&r, sync, "sync", TS_E_LAB, NULL, NULL, err)) < 0)
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
	ssh_close(r.c);
	deadline_release(&r.dl);
	host_release(&h);
	free(name);
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
	strbuf_release(&tmp);
	strbuf_release(&from);
	strbuf_release(&scratch);
	return rc;
}
