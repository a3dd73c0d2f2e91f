/*
 * xenguest: guests on a job's Xen host, by xl.  See xenguest.h.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "err.h"
#include "remote.h"
#include "runvar.h"
#include "xalloc.h"
#include "xenguest.h"
#include "banned.h"

/* The exits of the waiting scripts: timeout(1)'s, and the domain gone. */
#define WAIT_TIMED_OUT 124
#define WAIT_GONE 98

/*
 * Wait for text $3 in file $1 past byte $2, or in file $5 (when given),
 * while domain $4 lives: 0 seen, 98 the domain gone first.  Bounded by
 * timeout(1) around it.
 */
static const char script_alive[] =
	"while :; do "
	"tail -c +\"$(($2 + 1))\" -- \"$1\" 2>/dev/null | grep -F -q -e \"$3\" && exit 0; "
	"[ -n \"${5-}\" ] && grep -F -q -e \"$3\" -- \"$5\" 2>/dev/null && exit 0; "
	"timeout 10 xl domid -- \"$4\" >/dev/null 2>&1; [ $? != 1 ] || exit 98; "
	"sleep 1; done";
/* Wait until domain $1 is gone (xl domid says 1; an xl that hangs is not). */
static const char script_gone[] =
	"while :; do timeout 10 xl domid -- \"$1\" >/dev/null 2>&1; "
	"[ $? != 1 ] || exit 0; sleep 1; done";
/* The size of file $1, 0 when there is none. */
static const char script_size[] =
	"if [ -f \"$1\" ]; then wc -c <\"$1\"; else echo 0; fi";

/* A guest and the host it is on, for one action. */
struct guest {
	const struct xenguest_opts *o;
	struct lab *lab;
	struct remote r;
	struct strbuf dir;		/* its files on the host */
	struct strbuf cfg;		/* its xl config there */
	struct strbuf console;		/* its console log there */
	char *marker;
	struct strbuf wait_s;		/* o->wait_ms, in whole seconds */
};

static void
say(const struct guest *g, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	if (g->o->say == NULL)
		return;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	g->o->say(sb.buf, g->o->ctx);
	strbuf_release(&sb);
}

/* The job's runvar GUEST_what; 0 unset (*val NULL). */
static int
guest_var(struct guest *g, const char *what, char **val, struct strbuf *err)
{
	struct strbuf name = STRBUF_INIT;
	int rc;

	*val = NULL;
	strbuf_addf(&name, "%s_%s", g->o->guest, what);
	rc = runvar_get(g->lab, g->o->flight, g->o->job, name.buf, val, err);
	strbuf_release(&name);
	return rc;
}

static int
guest_set(struct guest *g, const char *what, const char *val, struct strbuf *out,
    struct strbuf *err)
{
	struct strbuf name = STRBUF_INIT;
	int rc;

	strbuf_addf(&name, "%s_%s", g->o->guest, what);
	if ((rc = runvar_set(g->lab, g->o->flight, g->o->job, name.buf, val, err)) == 0)
		strbuf_addf(out, "%s=%s\n", name.buf, val);
	strbuf_release(&name);
	return rc;
}

/* A guest's word: it names runvars, a domain and files. */
static int
check_guest_word(const char *guest, struct strbuf *err)
{
	size_t n = strspn(guest, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-");

	if (*guest == '\0' || guest[n] != '\0' || *guest == '-' || strlen(guest) > 40)
		return err_setf(err, TS_E_INPUT, "guest '%s': not a word of letters, "
		    "digits and - (at most 40)", guest);
	return 0;
}

static int
guest_open(struct guest *g, struct lab *lab, const struct xenguest_opts *o,
    struct strbuf *err)
{
	const char *cdir;
	int rc;

	memset(g, 0, sizeof(*g));
	g->o = o;
	g->lab = lab;
	strbuf_init(&g->dir, 0);
	strbuf_init(&g->cfg, 0);
	strbuf_init(&g->console, 0);
	strbuf_init(&g->wait_s, 0);
	strbuf_addf(&g->wait_s, "%lld", (long long)((o->wait_ms + 999) / 1000));
	if ((rc = remote_find(lab, o->flight, o->job, o->ident, &g->r, err)) < 0 ||
	    (rc = check_guest_word(o->guest, err)) < 0)
		return rc;
	g->r.out_fd = o->out_fd;
	g->r.err_fd = o->err_fd;
	cdir = host_prop(&g->r.host, "guest_console_dir");
	if (cdir == NULL || *cdir == '\0')
		cdir = XENGUEST_CONSOLE_DIR;
	strbuf_addf(&g->dir, "%s/%s", XENGUEST_DIR, o->guest);
	strbuf_addf(&g->cfg, "%s/%s.cfg", g->dir.buf, o->guest);
	strbuf_addf(&g->console, "%s/guest-%s.log", cdir, o->guest);
	return 0;
}

static void
guest_close(struct guest *g)
{
	remote_close(&g->r);
	strbuf_release(&g->dir);
	strbuf_release(&g->cfg);
	strbuf_release(&g->console);
	strbuf_release(&g->wait_s);
	free(g->marker);
}

/* Read the marker: every action that waits for the guest needs it. */
static int
need_marker(struct guest *g, struct strbuf *err)
{
	int rc;

	if (g->marker != NULL)
		return 0;
	if ((rc = guest_var(g, "marker", &g->marker, err)) < 0)
		return rc;
	if (rc == 0 || *g->marker == '\0')
		return err_setf(err, TS_E_INPUT, "runvar %s_marker: not set: the text "
		    "its console shows once it is up (its sign of life)", g->o->guest);
	return 0;
}

/*
 * The domain's id into id (trimmed); 0 it exists, 1 it does not.  Under
 * software emulation xl domid has been seen to spin for good, now and
 * then: each try is bounded and a few are made.
 */
static int
domid(struct guest *g, struct strbuf *id, struct strbuf *err)
{
	const char *argv[] = { "timeout", "15", "xl", "domid", "--", g->o->guest, NULL };
	struct ssh_result res;
	struct strbuf scratch = STRBUF_INIT;
	int rc, tries = 0;

	if (id == NULL)
		id = &scratch;
	do {
		strbuf_reset(id);
		if ((rc = remote_exec(&g->r, argv, 30000, id, &res, err)) < 0)
			goto out;
	} while (++tries < 4 && (res.timed_out || (res.exited && res.code == WAIT_TIMED_OUT)));
	if (res.timed_out || (res.exited && res.code == WAIT_TIMED_OUT)) {
		rc = err_setf(err, TS_E_FAIL, "host %s: xl domid %s: no answer within 15 s, "
		    "%d times", g->r.host.name, g->o->guest, tries);
		goto out;
	}
	strbuf_rtrim(id);
	rc = res.exited && res.code == 0 && id->len > 0 ? 0 : 1;
out:
	strbuf_release(&scratch);
	return rc;
}

/* The console log's size now, so that an older sign of life does not count. */
static int
console_size(struct guest *g, struct strbuf *size, struct strbuf *err)
{
	const char *argv[] = { "sh", "-c", script_size, "tlab-guest", g->console.buf, NULL };

	strbuf_reset(size);
	if (remote_must(&g->r, argv, "the size of its console log", TS_E_LAB, size,
	    err) < 0)
		return TS_E_LAB;
	strbuf_rtrim(size);
	if (size->len == 0 || strspn(size->buf, "0123456789") != size->len)
		return err_setf(err, TS_E_LAB, "host %s: %s: not a size: '%s'",
		    g->r.host.name, g->console.buf, size->buf);
	return 0;
}

/* The last lines of its console, into the step's log. */
static void
console_tail(struct guest *g)
{
	const char *argv[] = { "tail", "-n", "40", "--", g->console.buf, NULL };
	struct strbuf err = STRBUF_INIT;
	struct ssh_result res;

	say(g, "guest %s: the end of its console (%s):", g->o->guest, g->console.buf);
	(void)remote_exec(&g->r, argv, 10000, NULL, &res, &err);
	strbuf_release(&err);
}

/*
 * Wait for the marker on its console past byte offset, or anywhere in the
 * console log also (when not NULL: a migrated domain's, which xenconsoled
 * names by the domain's name as it arrived, GUEST--incoming).  TS_E_FAIL
 * when the domain ends first or the bound passes (its console's end into
 * the step's log).
 */
static int
wait_alive(struct guest *g, const char *offset, const char *also,
    const char *doing, struct strbuf *err)
{
	const char *argv[] = { "timeout", g->wait_s.buf, "sh", "-c", script_alive,
	    "tlab-guest", g->console.buf, offset, g->marker, g->o->guest, also, NULL };
	struct ssh_result res;
	struct deadline dl;
	int rc;

	deadline_in(&dl, g->o->wait_ms, "its sign of life");
	rc = remote_exec(&g->r, argv, g->o->wait_ms + 30000, NULL, &res, err);
	if (rc < 0)
		goto out;
	if (res.exited && res.code == 0) {
		say(g, "guest %s: up after %s: '%s' on its console after %lld s",
		    g->o->guest, doing, g->marker, (long long)deadline_waited_s(&dl));
		goto out;
	}
	if (res.exited && res.code == WAIT_GONE)
		rc = err_setf(err, TS_E_FAIL, "guest %s: its domain ended before its sign "
		    "of life ('%s' on its console) after %s: it crashed or stopped",
		    g->o->guest, g->marker, doing);
	else if ((res.exited && res.code == WAIT_TIMED_OUT) || res.timed_out)
		rc = err_setf(err, TS_E_FAIL, "guest %s: no sign of life ('%s' on its "
		    "console) within %s s of %s", g->o->guest, g->marker, g->wait_s.buf,
		    doing);
	else {
		err_setf(err, TS_E_LAB, "host %s: waiting for guest %s: ", g->r.host.name,
		    g->o->guest);
		ssh_describe(&res, err);
		rc = TS_E_LAB;
	}
	console_tail(g);
out:
	deadline_release(&dl);
	return rc;
}

/* Wait until the domain is gone: 0, or 1 when the bound passed. */
static int
wait_gone(struct guest *g, struct strbuf *err)
{
	const char *argv[] = { "timeout", g->wait_s.buf, "sh", "-c", script_gone,
	    "tlab-guest", g->o->guest, NULL };
	struct ssh_result res;
	int rc;

	if ((rc = remote_exec(&g->r, argv, g->o->wait_ms + 30000, NULL, &res, err)) < 0)
		return rc;
	if (res.exited && res.code == 0)
		return 0;
	if ((res.exited && res.code == WAIT_TIMED_OUT) || res.timed_out)
		return 1;
	err_setf(err, TS_E_LAB, "host %s: waiting for domain %s to end: ",
	    g->r.host.name, g->o->guest);
	ssh_describe(&res, err);
	return TS_E_LAB;
}

/*
 * Run $2... bounded by timeout(1) at $1 seconds, its output through a
 * file: xl create, restore and migrate-receive leave an xl behind that
 * watches the domain, and it must not hold the channel open.
 */
static const char script_xl[] =
	"f=$(mktemp) || exit 125; b=$1; shift; "
	"timeout \"$b\" \"$@\" </dev/null >\"$f\" 2>&1; rc=$?; "
	"cat -- \"$f\"; rm -f -- \"$f\"; exit $rc";

/*
 * xl VERB ARG..., bounded by twice the wait: TS_E_FAIL naming it when xl
 * says no or does not end.
 */
static int
xl(struct guest *g, const char *const *argv, struct strbuf *err)
{
	struct strbuf what = STRBUF_INIT, bound = STRBUF_INIT;
	const char **wrapped;
	struct ssh_result res;
	size_t n = 0, i;
	int rc;

	while (argv[n] != NULL)
		n++;
	wrapped = xcalloc(n + 6, sizeof(*wrapped));
	strbuf_addf(&bound, "%lld", (long long)((2 * g->o->wait_ms + 999) / 1000));
	wrapped[0] = "sh";
	wrapped[1] = "-c";
	wrapped[2] = script_xl;
	wrapped[3] = "tlab-xl";
	wrapped[4] = bound.buf;
	for (i = 0; i < n; i++) {
		wrapped[5 + i] = argv[i];
		strbuf_addf(&what, "%s%s", i == 0 ? "" : " ", *argv[i] != '\0' ? argv[i] : "''");
	}
	if ((rc = remote_exec(&g->r, wrapped, 2 * g->o->wait_ms + 30000, NULL, &res,
	    err)) < 0)
		goto out;
	if (res.exited && res.code == 0)
		goto out;
	if (res.timed_out || (res.exited && res.code == WAIT_TIMED_OUT))
		rc = err_setf(err, TS_E_FAIL, "host %s: %s: no end after %s s",
		    g->r.host.name, what.buf, bound.buf);
	else {
		err_setf(err, TS_E_FAIL, "host %s: %s: ", g->r.host.name, what.buf);
		ssh_describe(&res, err);
		rc = TS_E_FAIL;
	}
out:
	free(wrapped);
	strbuf_release(&what);
	strbuf_release(&bound);
	return rc;
}

/* The domain must be there for a stop, a save, a migration. */
static int
need_domain(struct guest *g, struct strbuf *id, struct strbuf *err)
{
	int rc;

	if ((rc = domid(g, id, err)) < 0)
		return rc;
	if (rc == 1)
		return err_setf(err, TS_E_FAIL, "guest %s: no domain %s on host %s "
		    "(not started, or it ended)", g->o->guest, g->o->guest, g->r.host.name);
	return 0;
}

/* An xl config value: no quote, backslash or control character. */
static int
check_cfg_value(struct guest *g, const char *what, const char *v, struct strbuf *err)
{
	const char *p;

	for (p = v; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '"' || *p == '\\')
			return err_setf(err, TS_E_INPUT, "runvar %s_%s: '%s': a quote, "
			    "backslash or control character xl's config cannot hold",
			    g->o->guest, what, v);
	return 0;
}

/* A positive number runvar, dflt when unset. */
static int
number_var(struct guest *g, const char *what, long dflt, long *n, struct strbuf *err)
{
	char *v = NULL, *end;
	int rc;

	*n = dflt;
	if ((rc = guest_var(g, what, &v, err)) <= 0)
		return rc;
	*n = strtol(v, &end, 10);
	if (end == v || *end != '\0' || *n <= 0 || *n > 1048576)
		rc = err_setf(err, TS_E_INPUT, "runvar %s_%s: '%s': not a positive number",
		    g->o->guest, what, v);
	free(v);
	return rc < 0 ? rc : 0;
}

/*
 * The guest's kernel or ramdisk: host:PATH is used where it is; a local
 * file is copied to DIR/what.  Its path on the host into path; 0 when
 * unset (a ramdisk is optional).
 */
struct guest_file {
	char *local;			/* NULL: already on the host */
	struct strbuf path;		/* on the host */
};

static int
file_var(struct guest *g, const char *what, struct guest_file *f, struct strbuf *err)
{
	char *v = NULL;
	struct stat st;
	int rc;

	f->local = NULL;
	strbuf_init(&f->path, 0);
	if ((rc = guest_var(g, what, &v, err)) <= 0)
		return rc;
	if (strncmp(v, "host:", 5) == 0) {
		if (v[5] != '/')
			rc = err_setf(err, TS_E_INPUT, "runvar %s_%s: '%s': host:PATH needs "
			    "an absolute path", g->o->guest, what, v);
		else if ((rc = check_cfg_value(g, what, v + 5, err)) == 0)
			strbuf_addstr(&f->path, v + 5);
		free(v);
		return rc < 0 ? rc : 1;
	}
	if (stat(v, &st) < 0 || !S_ISREG(st.st_mode)) {
		rc = err_setf(err, TS_E_INPUT, "runvar %s_%s: %s: no such file (a file "
		    "here, or host:PATH for one on the host)", g->o->guest, what, v);
		free(v);
		return rc;
	}
	f->local = v;
	strbuf_addf(&f->path, "%s/%s", g->dir.buf, what);
	return 1;
}

static void
file_release(struct guest_file *f)
{
	free(f->local);
	strbuf_release(&f->path);
}

/* The xl config of the guest, from its runvars, into cfg. */
static int
make_cfg(struct guest *g, struct guest_file *kernel, struct guest_file *ramdisk,
    struct strbuf *cfg, struct strbuf *err)
{
	char *type = NULL, *cmdline = NULL, *tsc = NULL;
	long memory, vcpus;
	int rc;

	if ((rc = guest_var(g, "type", &type, err)) < 0 ||
	    (rc = guest_var(g, "cmdline", &cmdline, err)) < 0 ||
	    (rc = guest_var(g, "tsc_mode", &tsc, err)) < 0 ||
	    (rc = number_var(g, "memory", 128, &memory, err)) < 0 ||
	    (rc = number_var(g, "vcpus", 1, &vcpus, err)) < 0 ||
	    (rc = file_var(g, "kernel", kernel, err)) < 0 ||
	    (rc = file_var(g, "ramdisk", ramdisk, err)) < 0)
		goto out;
	if (type != NULL && strcmp(type, "pv") != 0 && strcmp(type, "pvh") != 0 &&
	    strcmp(type, "hvm") != 0) {
		rc = err_setf(err, TS_E_INPUT, "runvar %s_type: '%s': not pv, pvh or hvm",
		    g->o->guest, type);
		goto out;
	}
	if (kernel->path.len == 0) {
		rc = err_setf(err, TS_E_INPUT, "runvar %s_kernel: not set: the guest's "
		    "kernel (a file here, or host:PATH)", g->o->guest);
		goto out;
	}
	if ((cmdline != NULL && (rc = check_cfg_value(g, "cmdline", cmdline, err)) < 0) ||
	    (tsc != NULL && (rc = check_cfg_value(g, "tsc_mode", tsc, err)) < 0))
		goto out;
	strbuf_addf(cfg, "# ts-guest-start: flight %lld job %s, guest %s\n"
	    "name = \"%s\"\ntype = \"%s\"\nkernel = \"%s\"\n",
	    (long long)g->o->flight, g->o->job, g->o->guest, g->o->guest,
	    type != NULL ? type : "pv", kernel->path.buf);
	if (ramdisk->path.len > 0)
		strbuf_addf(cfg, "ramdisk = \"%s\"\n", ramdisk->path.buf);
	strbuf_addf(cfg, "extra = \"%s\"\nmemory = %ld\nvcpus = %ld\n"
	    "on_crash = \"destroy\"\n", cmdline != NULL ? cmdline : "console=hvc0",
	    memory, vcpus);
	if (tsc != NULL)
		strbuf_addf(cfg, "tsc_mode = \"%s\"\n", tsc);
	rc = 0;
out:
	free(type);
	free(cmdline);
	free(tsc);
	return rc;
}

static int
record_domid(struct guest *g, struct strbuf *out, struct strbuf *err)
{
	struct strbuf id = STRBUF_INIT;
	int rc;

	if ((rc = need_domain(g, &id, err)) == 0)
		rc = guest_set(g, "domid", id.buf, out, err);
	strbuf_release(&id);
	return rc;
}

static int
do_start(struct guest *g, struct strbuf *out, struct strbuf *err)
{
	struct guest_file kernel, ramdisk;
	struct strbuf cfg = STRBUF_INIT, offset = STRBUF_INIT, id = STRBUF_INIT;
	const char *mkdir[] = { "mkdir", "-p", "--", g->dir.buf, NULL };
	const char *create[] = { "xl", "create", g->cfg.buf, NULL };
	struct deadline dl;
	int rc;

	strbuf_init(&kernel.path, 0);
	strbuf_init(&ramdisk.path, 0);
	kernel.local = ramdisk.local = NULL;
	deadline_in(&dl, XENGUEST_STEP_MS, "the start");
	if ((rc = need_marker(g, err)) < 0 ||
	    (rc = make_cfg(g, &kernel, &ramdisk, &cfg, err)) < 0 ||
	    (rc = remote_connect(g->lab, &g->r, XENGUEST_STEP_MS, "the guest's start",
	    err)) < 0)
		goto out;
	if ((rc = domid(g, NULL, err)) < 0)
		goto out;
	if (rc == 0) {
		rc = err_setf(err, TS_E_FAIL, "guest %s: a domain %s runs already on host "
		    "%s (ts-guest-destroy it first)", g->o->guest, g->o->guest,
		    g->r.host.name);
		goto out;
	}
	if ((rc = remote_must(&g->r, mkdir, "mkdir of the guest's directory", TS_E_LAB,
	    NULL, err)) < 0)
		goto out;
	if (kernel.local != NULL) {
		say(g, "guest %s: copying %s to %s", g->o->guest, kernel.local,
		    kernel.path.buf);
		if ((rc = remote_put(&g->r, kernel.local, kernel.path.buf, err)) < 0)
			goto out;
	}
	if (ramdisk.local != NULL) {
		say(g, "guest %s: copying %s to %s", g->o->guest, ramdisk.local,
		    ramdisk.path.buf);
		if ((rc = remote_put(&g->r, ramdisk.local, ramdisk.path.buf, err)) < 0)
			goto out;
	}
	say(g, "guest %s: %s:\n%s", g->o->guest, g->cfg.buf, cfg.buf);
	if ((rc = remote_put_text(&g->r, cfg.buf, cfg.len, g->cfg.buf, err)) < 0 ||
	    (rc = console_size(g, &offset, err)) < 0)
		goto out;
	say(g, "guest %s: xl create %s", g->o->guest, g->cfg.buf);
	if ((rc = xl(g, create, err)) < 0)
		goto out;
	say(g, "guest %s: created after %lld s", g->o->guest,
	    (long long)deadline_waited_s(&dl));
	if ((rc = domid(g, &id, err)) < 0)
		goto out;
	if (rc == 1) {
		rc = err_setf(err, TS_E_FAIL, "guest %s: its domain ended at once after "
		    "xl create", g->o->guest);
		console_tail(g);
		goto out;
	}
	if ((rc = guest_set(g, "domid", id.buf, out, err)) < 0)
		goto out;
	rc = wait_alive(g, offset.buf, NULL, "xl create", err);
out:
	deadline_release(&dl);
	file_release(&kernel);
	file_release(&ramdisk);
	strbuf_release(&cfg);
	strbuf_release(&offset);
	strbuf_release(&id);
	return rc;
}

/* Destroy the domain and wait until it is gone. */
static int
destroy(struct guest *g, struct strbuf *err)
{
	const char *argv[] = { "xl", "destroy", "--", g->o->guest, NULL };
	int rc;

	if ((rc = xl(g, argv, err)) < 0)
		return rc;
	if ((rc = wait_gone(g, err)) == 1)
		return err_setf(err, TS_E_FAIL, "guest %s: still there %s s after xl "
		    "destroy", g->o->guest, g->wait_s.buf);
	return rc;
}

static int
do_stop(struct guest *g, struct strbuf *err)
{
	const char *argv[] = { "xl", "shutdown", "--", g->o->guest, NULL };
	struct strbuf e2 = STRBUF_INIT;
	struct deadline dl;
	int rc;

	if ((rc = need_domain(g, NULL, err)) < 0)
		return rc;
	deadline_in(&dl, g->o->wait_ms, "its shutdown");
	say(g, "guest %s: xl shutdown", g->o->guest);
	if ((rc = xl(g, argv, err)) < 0)
		goto out;
	if ((rc = wait_gone(g, err)) == 0) {
		say(g, "guest %s: gone after %lld s", g->o->guest,
		    (long long)deadline_waited_s(&dl));
		goto out;
	}
	if (rc < 0)
		goto out;
	say(g, "guest %s: still there after %s s: xl destroy", g->o->guest,
	    g->wait_s.buf);
	console_tail(g);
	rc = destroy(g, &e2);
	rc = err_setf(err, TS_E_FAIL, "guest %s: did not stop within %s s of xl shutdown; "
	    "%s", g->o->guest, g->wait_s.buf, rc == 0 ? "destroyed" : e2.buf);
out:
	deadline_release(&dl);
	strbuf_release(&e2);
	return rc;
}

static int
do_destroy(struct guest *g, struct strbuf *err)
{
	int rc;

	if ((rc = domid(g, NULL, err)) < 0)
		return rc;
	if (rc == 1) {
		say(g, "guest %s: no domain %s: nothing to destroy", g->o->guest, g->o->guest);
		return 0;
	}
	say(g, "guest %s: xl destroy", g->o->guest);
	if ((rc = destroy(g, err)) == 0)
		say(g, "guest %s: destroyed", g->o->guest);
	return rc;
}

static int
do_saverestore(struct guest *g, struct strbuf *out, struct strbuf *err)
{
	struct strbuf file = STRBUF_INIT, offset = STRBUF_INIT;
	const char *save[] = { "xl", "save", g->o->guest, file.buf, NULL };
	const char *restore[] = { "xl", "restore", file.buf, NULL };
	const char *rm[] = { "rm", "-f", "--", file.buf, NULL };
	struct strbuf e2 = STRBUF_INIT;
	struct deadline dl;
	int rc;

	strbuf_addf(&file, "%s/%s.save", g->dir.buf, g->o->guest);
	save[3] = restore[2] = rm[3] = file.buf;
	deadline_in(&dl, XENGUEST_STEP_MS, "save and restore");
	if ((rc = need_marker(g, err)) < 0 || (rc = need_domain(g, NULL, err)) < 0)
		goto out;
	say(g, "guest %s: xl save %s %s", g->o->guest, g->o->guest, file.buf);
	if ((rc = xl(g, save, err)) < 0)
		goto out;
	if ((rc = domid(g, NULL, err)) < 0)
		goto out;
	if (rc == 0) {
		rc = err_setf(err, TS_E_FAIL, "guest %s: still running after xl save",
		    g->o->guest);
		goto out;
	}
	say(g, "guest %s: saved after %lld s", g->o->guest,
	    (long long)deadline_waited_s(&dl));
	if ((rc = console_size(g, &offset, err)) < 0)
		goto out;
	say(g, "guest %s: xl restore %s", g->o->guest, file.buf);
	if ((rc = xl(g, restore, err)) < 0 ||
	    (rc = record_domid(g, out, err)) < 0 ||
	    (rc = wait_alive(g, offset.buf, NULL, "xl restore", err)) < 0)
		goto out;
	say(g, "guest %s: saved and restored in %lld s", g->o->guest,
	    (long long)deadline_waited_s(&dl));
out:
	/* The image is as big as the guest's memory: never left behind. */
	if (g->r.c != NULL && remote_must(&g->r, rm, "rm of the saved image", TS_E_LAB,
	    NULL, &e2) < 0)
		say(g, "%s", e2.buf);
	deadline_release(&dl);
	strbuf_release(&file);
	strbuf_release(&offset);
	strbuf_release(&e2);
	return rc;
}

static int
do_localmigrate(struct guest *g, struct strbuf *out, struct strbuf *err)
{
	/*
	 * xl migrate -s "" runs its "host" argument as the receiving command
	 * itself, in place of ssh HOST xl migrate-receive: the domain moves
	 * within this host, as OSSTEST's localhost migration does, without
	 * dom0 logging in to itself.
	 */
	const char *migrate[] = { "xl", "migrate", "-s", "", g->o->guest,
	    "xl migrate-receive", NULL };
	struct strbuf before = STRBUF_INIT, after = STRBUF_INIT;
	struct strbuf offset = STRBUF_INIT, incoming = STRBUF_INIT;
	const char *rm[] = { "rm", "-f", "--", NULL, NULL };
	struct deadline dl;
	int rc;

	/* The console of the domain that arrives: GUEST--incoming's log. */
	strbuf_add(&incoming, g->console.buf, g->console.len);
	strbuf_setlen(&incoming, incoming.len - strlen(".log"));
	strbuf_addstr(&incoming, "--incoming.log");
	rm[3] = incoming.buf;
	deadline_in(&dl, XENGUEST_STEP_MS, "the migration");
	if ((rc = need_marker(g, err)) < 0 || (rc = need_domain(g, &before, err)) < 0 ||
	    (rc = remote_must(&g->r, rm, "rm of an earlier migration's console log",
	    TS_E_LAB, NULL, err)) < 0 ||
	    (rc = console_size(g, &offset, err)) < 0)
		goto out;
	say(g, "guest %s: xl migrate (domain %s) to this host", g->o->guest, before.buf);
	if ((rc = xl(g, migrate, err)) < 0 || (rc = need_domain(g, &after, err)) < 0)
		goto out;
	if (strcmp(before.buf, after.buf) == 0) {
		rc = err_setf(err, TS_E_FAIL, "guest %s: still domain %s after xl migrate: "
		    "it did not move", g->o->guest, after.buf);
		goto out;
	}
	say(g, "guest %s: domain %s is now %s, after %lld s", g->o->guest, before.buf,
	    after.buf, (long long)deadline_waited_s(&dl));
	if ((rc = guest_set(g, "domid", after.buf, out, err)) < 0 ||
	    (rc = wait_alive(g, offset.buf, incoming.buf, "xl migrate", err)) < 0)
		goto out;
out:
	deadline_release(&dl);
	strbuf_release(&before);
	strbuf_release(&after);
	strbuf_release(&offset);
	strbuf_release(&incoming);
	return rc;
}

int
xenguest_do(struct lab *lab, enum xenguest_action action,
    const struct xenguest_opts *o, struct strbuf *out, struct strbuf *err)
{
	struct guest g;
	int rc;

	if ((rc = guest_open(&g, lab, o, err)) < 0)
		goto out;
	if (action == XENGUEST_START) {
		rc = do_start(&g, out, err);
		goto out;
	}
	/* Bad input is said before the host is reached. */
	if ((action == XENGUEST_SAVERESTORE || action == XENGUEST_LOCALMIGRATE) &&
	    (rc = need_marker(&g, err)) < 0)
		goto out;
	if ((rc = remote_connect(lab, &g.r, XENGUEST_STEP_MS, "the guest's step",
	    err)) < 0)
		goto out;
	switch (action) {
	case XENGUEST_STOP:
		rc = do_stop(&g, err);
		break;
	case XENGUEST_DESTROY:
		rc = do_destroy(&g, err);
		break;
	case XENGUEST_SAVERESTORE:
		rc = do_saverestore(&g, out, err);
		break;
	default:
		rc = do_localmigrate(&g, out, err);
		break;
	}
out:
	guest_close(&g);
	return rc;
}

/* "KEY : VALUE" of xl info's output; NULL when absent. */
static char *
info_field(const char *info, const char *key)
{
	size_t klen = strlen(key);
	const char *p = info, *v, *nl;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, key, klen) == 0 && (p[klen] == ' ' || p[klen] == ':')) {
			v = strchr(p, ':');
			nl = strchr(p, '\n');
			if (v != NULL && (nl == NULL || v < nl)) {
				v++;
				v += strspn(v, " \t");
				return xstrndup(v, nl != NULL ? (size_t)(nl - v) : strlen(v));
			}
		}
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	return NULL;
}

/* Is text in the decompressed /boot/xen.gz?  0 yes, 1 no. */
static int
in_image(struct guest *g, const char *text, struct strbuf *err)
{
	static const char script[] =
	    "gzip -dc /boot/xen.gz | grep -a -F -q -e \"$1\"";
	const char *argv[] = { "sh", "-c", script, "tlab-xen-check", text, NULL };
	struct ssh_result res;
	int rc;

	if ((rc = remote_exec(&g->r, argv, -1, NULL, &res, err)) < 0)
		return rc;
	if (res.timed_out)
		return remote_timed_out(&g->r, err);
	return res.exited && res.code == 0 ? 0 : 1;
}

int
xenguest_check_xen(struct lab *lab, const struct xenguest_opts *o,
    struct strbuf *out, struct strbuf *err)
{
	const char *hyp[] = { "cat", "/sys/hypervisor/type", NULL };
	const char *info[] = { "xl", "info", NULL };
	const char *sum[] = { "sha256sum", "/boot/xen.gz", NULL };
	struct strbuf text = STRBUF_INIT, version = STRBUF_INIT;
	char *installed = NULL, *major = NULL, *extra = NULL, *date = NULL;
	struct xenguest_opts go = *o;
	struct ssh_result res;
	struct guest g;
	int rc;

	go.guest = "xen";
	if ((rc = guest_open(&g, lab, &go, err)) < 0 ||
	    (rc = runvar_get(lab, o->flight, o->job, "xen_installed", &installed, err)) < 0 ||
	    (rc = remote_connect(lab, &g.r, o->wait_ms, "the check of Xen", err)) < 0)
		goto out;
	if ((rc = remote_exec(&g.r, hyp, -1, &text, &res, err)) < 0)
		goto out;
	strbuf_rtrim(&text);
	if (!res.exited || res.code != 0 || strcmp(text.buf, "xen") != 0) {
		rc = err_setf(err, TS_E_FAIL, "host %s: not running Xen: "
		    "/sys/hypervisor/type is %s", g.r.host.name,
		    res.exited && res.code == 0 ? text.buf : "not there");
		goto out;
	}
	strbuf_reset(&text);
	if ((rc = remote_must(&g.r, info, "xl info", TS_E_FAIL, &text, err)) < 0)
		goto out;
	major = info_field(text.buf, "xen_major");
	extra = info_field(text.buf, "xen_extra");
	date = info_field(text.buf, "cc_compile_date");
	{
		char *minor = info_field(text.buf, "xen_minor");

		if (major == NULL || minor == NULL || extra == NULL) {
			free(minor);
			rc = err_setf(err, TS_E_FAIL, "host %s: xl info: no xen_major, "
			    "xen_minor or xen_extra in its output", g.r.host.name);
			goto out;
		}
		strbuf_addf(&version, "%s.%s%s", major, minor, extra);
		free(minor);
	}
	say(&g, "host %s: runs Xen %s (built %s)", g.r.host.name, version.buf,
	    date != NULL ? date : "at an unknown date");
	if (installed != NULL) {
		strbuf_reset(&text);
		if ((rc = remote_must(&g.r, sum, "sha256sum /boot/xen.gz", TS_E_FAIL, &text,
		    err)) < 0)
			goto out;
		if (strncmp(text.buf, installed, strlen(installed)) != 0) {
			rc = err_setf(err, TS_E_FAIL, "host %s: /boot/xen.gz is no longer the "
			    "Xen installed (sha256 %s)", g.r.host.name, installed);
			goto out;
		}
		if ((rc = in_image(&g, extra, err)) < 0 ||
		    (rc == 0 && date != NULL && (rc = in_image(&g, date, err)) < 0))
			goto out;
		if (rc == 1) {
			rc = err_setf(err, TS_E_FAIL, "host %s: runs Xen %s built %s, not the "
			    "one installed (/boot/xen.gz, sha256 %.12s...): the boot did not "
			    "take the new entry", g.r.host.name, version.buf,
			    date != NULL ? date : "?", installed);
			goto out;
		}
		say(&g, "host %s: it is the Xen installed (/boot/xen.gz, sha256 %.12s...)",
		    g.r.host.name, installed);
	}
	if ((rc = runvar_set(lab, o->flight, o->job, "xen_running_version", version.buf,
	    err)) < 0)
		goto out;
	strbuf_addf(out, "xen_running_version=%s\n", version.buf);
out:
	guest_close(&g);
	free(installed);
	free(major);
	free(extra);
	free(date);
	strbuf_release(&text);
	strbuf_release(&version);
	return rc;
}
