/*
 * logs: fetching a job's hosts' logs into its log directory.  See logs.h.
 *
 * Each host is one struct capture.  The console comes first, from this
 * machine, so that what it showed when the host stopped answering is kept
 * before a power cycle wipes the host's own memory of it.  The remote
 * items then run in order over one connection, each within its own bound;
 * an item that fails adds lines to the round's list of what is missing
 * and the next item runs.  When the connection fails in the middle, the
 * items after it are not tried (each would wait out its bound on a dead
 * host).  A round in which nothing came because the host could not be
 * reached is followed by a power cycle and one more round; only the last
 * round's list counts.
 */
#include <errno.h>
#include <fcntl.h>
#include <popt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "err.h"
#include "host.h"
#include "logs.h"
#include "power.h"
#include "proc.h"
#include "runvar.h"
#include "xalloc.h"
#include "banned.h"

#define LOGS_RETRY_MS 2000	/* between attempts to reach a power-cycled host */
#define LOGS_GRACE_MS 2000	/* a console command: SIGTERM, then SIGKILL */
#define LOGS_XEN_DIR "/var/log/xen"
#define LOGS_SYSLOG "/var/log/syslog"

struct capture {
	struct lab *lab;
	const struct host *h;
	const struct logs_opts *o;
	struct strbuf dir;	/* LAB/logs/FLIGHT/JOB/HOST */
	struct ssh_conn *c;
	struct strbuf lost;	/* why the connection failed; empty while it works */
	int fetched;		/* remote items (or files) that came this round */
	struct strvec miss;	/* this round's "host H: ITEM: why" lines */
};

static void
say(struct capture *cap, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
say(struct capture *cap, const char *fmt, ...)
{
	struct strbuf line = STRBUF_INIT;
	va_list ap;

	if (cap->o->say == NULL)
		return;
	strbuf_addf(&line, "host %s: ", cap->h->name);
	va_start(ap, fmt);
	strbuf_vaddf(&line, fmt, ap);
	va_end(ap);
	cap->o->say(line.buf, cap->o->ctx);
	strbuf_release(&line);
}

/*
 * "host H: ITEM: why" into list, leaving out a "host H: " the lower layer
 * (ssh) put in front of why already.
 */
static const char *
unhost(const char *host, const char *why)
{
	size_t n = strlen(host);

	if (strncmp(why, "host ", 5) == 0 && strncmp(why + 5, host, n) == 0 &&
	    strncmp(why + 5 + n, ": ", 2) == 0)
		return why + 5 + n + 2;
	return why;
}

static void
miss(struct strvec *list, const char *host, const char *item, const char *why)
{
	strvec_pushf(list, "host %s: %s: %s", host, item, unhost(host, why));
}

/* Bytes in the file at path, for the log's lines; -1 if it cannot say. */
static long long
file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

/* The local file for leaf (a relative path) under the host's directory. */
static int
local_path(struct capture *cap, const char *leaf, struct strbuf *path,
    struct strbuf *err)
{
	char *slash;
	int rc = 0;

	strbuf_reset(path);
	strbuf_addf(path, "%s/%s", cap->dir.buf, leaf);
	slash = strrchr(path->buf, '/');
	*slash = '\0';
	rc = lab_mkdirs(path->buf, 0755, err);
	*slash = '/';
	return rc;
}

/* A failed item leaves no empty file that would look like a fetched one. */
static void
drop_if_empty(const char *path)
{
	if (file_size(path) == 0)
		(void)unlink(path);
}

/* --- on the host -------------------------------------------------------- */

/* The connection failed under err: no later item of this round is tried. */
static int
lost(struct capture *cap, int rc, const struct strbuf *err)
{
	if (cap->lost.len == 0)
		strbuf_addstr(&cap->lost, err->buf);
	return rc;
}

/*
 * Run argv on the host, its output dropped.  1 when it exits 0, 0 when it
 * exits 1 (the answer no, of command -v and test), else an error in why.
 */
static int
remote_ask(struct capture *cap, const char *const *argv,
    const struct deadline *dl, struct strbuf *why)
{
	struct ssh_exec_opts eo = SSH_EXEC_OPTS_INIT;
	struct strbuf what = STRBUF_INIT;
	struct ssh_result res;
	int rc;

	eo.timeout_ms = deadline_left(dl);
	if ((rc = ssh_exec(cap->c, argv, &eo, &res, why)) < 0)
		return lost(cap, rc, why);
	if (res.exited && res.code <= 1)
		return res.code == 0;
	strbuf_reset(why);
	strbuf_add_argv_human(&what, argv);
	strbuf_addf(why, "%s: ", what.buf);
	ssh_describe(&res, why);
	if (res.timed_out)
		strbuf_addf(why, " after %lld s", (long long)deadline_waited_s(dl));
	strbuf_release(&what);
	return TS_E_LAB;
}

/* Has the host the command name (command -v, in a POSIX sh)? */
static int
remote_has(struct capture *cap, const char *name, const struct deadline *dl,
    struct strbuf *why)
{
	/* Not found is 1 in some shells, 127 in others: make it 1. */
	const char *argv[] = { "sh", "-c",
		"command -v \"$1\" >/dev/null 2>&1 || exit 1", "sh", name, NULL };

	return remote_ask(cap, argv, dl, why);
}

/*
 * Run argv on the host with its standard output into leaf; 0 when it
 * exits 0.  When it ends otherwise, what it wrote is kept (a partial log
 * is still evidence) unless it wrote nothing.
 */
static int
remote_to_file(struct capture *cap, const char *item, const char *const *argv,
    const char *leaf, const struct deadline *dl)
{
	struct ssh_exec_opts eo = SSH_EXEC_OPTS_INIT;
	struct strbuf path = STRBUF_INIT, why = STRBUF_INIT;
	struct ssh_result res;
	int fd = -1, rc;

	if ((rc = local_path(cap, leaf, &path, &why)) < 0)
		goto out;
	if ((fd = open(path.buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
		rc = err_errno(&why, TS_E_LAB, "%s", path.buf);
		goto out;
	}
	eo.out_fd = fd;
	eo.err_fd = cap->o->err_fd;
	eo.timeout_ms = deadline_left(dl);
	if ((rc = ssh_exec(cap->c, argv, &eo, &res, &why)) < 0) {
		lost(cap, rc, &why);
		goto out;
	}
	if (!res.exited || res.code != 0) {
		ssh_describe(&res, &why);
		if (res.timed_out)
			strbuf_addf(&why, " after %lld s", (long long)deadline_waited_s(dl));
		rc = TS_E_LAB;
	}
out:
	if (fd >= 0 && close(fd) < 0 && rc == 0)
		rc = err_errno(&why, TS_E_LAB, "%s", path.buf);
	if (rc == 0) {
		cap->fetched++;
		say(cap, "%s: %s, %lld bytes", item, leaf, file_size(path.buf));
	} else {
		if (fd >= 0)
			drop_if_empty(path.buf);
		miss(&cap->miss, cap->h->name, item, why.buf);
	}
	strbuf_release(&path);
	strbuf_release(&why);
	return rc;
}

/* Copy the host's file remote (an absolute path) to the same path under HOST/. */
static int
remote_get(struct capture *cap, const char *remote, const struct deadline *dl)
{
	struct strbuf path = STRBUF_INIT, why = STRBUF_INIT;
	int rc;

	if ((rc = local_path(cap, remote + 1, &path, &why)) == 0 &&
	    (rc = ssh_get(cap->c, remote, path.buf, deadline_left(dl), &why)) == 0) {
		cap->fetched++;
		say(cap, "%s: %lld bytes", remote, file_size(path.buf));
	} else {
		if (rc < 0 && path.len > 0)
			drop_if_empty(path.buf);
		miss(&cap->miss, cap->h->name, remote, why.buf);
	}
	strbuf_release(&path);
	strbuf_release(&why);
	return rc;
}

static void
item_dmesg(struct capture *cap, const struct deadline *dl)
{
	const char *argv[] = { "dmesg", NULL };

	(void)remote_to_file(cap, "dmesg", argv, "dmesg.txt", dl);
}

/* The journal of this boot; /var/log/syslog where there is no journalctl. */
static void
item_journal(struct capture *cap, const struct deadline *dl)
{
	const char *argv[] = { "journalctl", "-b", "--no-pager", NULL };
	const char *test[] = { "test", "-e", LOGS_SYSLOG, NULL };
	struct strbuf why = STRBUF_INIT;
	int has;

	if ((has = remote_has(cap, "journalctl", dl, &why)) > 0) {
		(void)remote_to_file(cap, "journal", argv, "journal.txt", dl);
	} else if (has == 0 && (has = remote_ask(cap, test, dl, &why)) > 0) {
		(void)remote_get(cap, LOGS_SYSLOG, dl);
	} else if (has == 0) {
		say(cap, "journal: neither journalctl nor %s on the host", LOGS_SYSLOG);
	}
	if (has < 0)
		miss(&cap->miss, cap->h->name, "journal", why.buf);
	strbuf_release(&why);
}

/*
 * A path find printed under LOGS_XEN_DIR, as a relative path of plain
 * components (no empty one, no . or ..), or NULL when it is not one.
 */
static const char *
xen_leaf(const char *path)
{
	size_t n = strlen(LOGS_XEN_DIR);
	const char *p, *c;

	if (strncmp(path, LOGS_XEN_DIR "/", n + 1) != 0)
		return NULL;
	path += n + 1;
	for (c = path; ; c = p + 1) {
		p = strchr(c, '/');
		if (p == NULL)
			p = c + strlen(c);
		if (p == c || (p - c == 1 && c[0] == '.') ||
		    (p - c == 2 && c[0] == '.' && c[1] == '.'))
			return NULL;
		if (*p == '\0')
			return path;
	}
}

/* Every regular file under /var/log/xen, as var/log/xen/... under HOST/. */
static void
item_xen(struct capture *cap, const struct deadline *dl)
{
	const char *test[] = { "test", "-d", LOGS_XEN_DIR, NULL };
	const char *find[] = { "find", LOGS_XEN_DIR, "-type", "f", "-print0", NULL };
	struct ssh_exec_opts eo = SSH_EXEC_OPTS_INIT;
	struct strbuf why = STRBUF_INIT, list = STRBUF_INIT;
	struct ssh_result res;
	size_t off;
	int has;

	if ((has = remote_ask(cap, test, dl, &why)) <= 0) {
		if (has == 0)
			say(cap, "%s: none on the host", LOGS_XEN_DIR);
		else
			miss(&cap->miss, cap->h->name, LOGS_XEN_DIR, why.buf);
		goto out;
	}
	eo.out = &list;
	eo.err_fd = cap->o->err_fd;
	eo.timeout_ms = deadline_left(dl);
	if (ssh_exec(cap->c, find, &eo, &res, &why) < 0) {
		lost(cap, TS_E_LAB, &why);
		miss(&cap->miss, cap->h->name, LOGS_XEN_DIR, why.buf);
		goto out;
	}
	/* A listing cut short (an unreadable directory) still gives the rest. */
	if (!res.exited || res.code != 0) {
		strbuf_addstr(&why, "listing it: ");
		ssh_describe(&res, &why);
		miss(&cap->miss, cap->h->name, LOGS_XEN_DIR, why.buf);
		if (res.timed_out)
			goto out;
	}
	for (off = 0; off < list.len; off += strlen(list.buf + off) + 1) {
		const char *path = list.buf + off;

		if (cap->lost.len > 0)
			break;
		if (xen_leaf(path) == NULL) {
			miss(&cap->miss, cap->h->name, path, "not a plain path under "
			    LOGS_XEN_DIR);
			continue;
		}
		(void)remote_get(cap, path, dl);
	}
	if (list.len == 0 && res.exited && res.code == 0)
		say(cap, "%s: no files", LOGS_XEN_DIR);
out:
	strbuf_release(&why);
	strbuf_release(&list);
}

static void
item_xl(struct capture *cap, const struct deadline *dl)
{
	const char *argv[] = { "xl", "dmesg", NULL };
	struct strbuf why = STRBUF_INIT;
	int has;

	if ((has = remote_has(cap, "xl", dl, &why)) > 0)
		(void)remote_to_file(cap, "xl dmesg", argv, "xl-dmesg.txt", dl);
	else if (has == 0)
		say(cap, "xl dmesg: no xl on the host");
	else
		miss(&cap->miss, cap->h->name, "xl dmesg", why.buf);
	strbuf_release(&why);
}

static const struct item {
	const char *name;
	void (*fn)(struct capture *cap, const struct deadline *dl);
} items[] = {
	{ "dmesg", item_dmesg },
	{ "journal", item_journal },
	{ LOGS_XEN_DIR, item_xen },
	{ "xl dmesg", item_xl },
};

#define NITEMS (sizeof(items) / sizeof(items[0]))

/* Every remote item over c, each in its own bound; the misses in cap->miss. */
static void
remote_round(struct capture *cap, struct ssh_conn *c)
{
	struct deadline dl;
	size_t i;

	cap->c = c;
	cap->fetched = 0;
	strbuf_reset(&cap->lost);
	strvec_clear(&cap->miss);
	for (i = 0; i < NITEMS; i++) {
		if (cap->lost.len > 0) {
			miss(&cap->miss, cap->h->name, items[i].name, "not tried: the "
			    "connection failed before it");
			continue;
		}
		deadline_in(&dl, cap->o->item_timeout_ms, "%s", items[i].name);
		items[i].fn(cap, &dl);
		deadline_release(&dl);
	}
	cap->c = NULL;
}

/* Every remote item is missing, for why. */
static void
miss_all(struct capture *cap, const char *why)
{
	size_t i;

	strvec_clear(&cap->miss);
	for (i = 0; i < NITEMS; i++)
		miss(&cap->miss, cap->h->name, items[i].name, why);
}

/* Connect within ms (and the lab's connect_timeout, when it is shorter). */
static int
connect_within(struct capture *cap, int64_t ms, struct ssh_conn **c,
    struct strbuf *err)
{
	struct strbuf key = STRBUF_INIT, known = STRBUF_INIT;
	struct ssh_params p;
	int64_t bound = conf_lab_ms(&cap->lab->conf, "connect_timeout", ms);
	int rc;

	lab_ssh_key(cap->lab, &key);
	lab_known_hosts(cap->lab, &known);
	p.name = cap->h->name;
	p.address = cap->h->address;
	p.key = key.buf;
	p.known_hosts = known.buf;
	p.learn = 0;
	p.timeout_ms = bound < ms ? bound : ms;
	rc = ssh_open(c, &p, err);
	strbuf_release(&key);
	strbuf_release(&known);
	return rc;
}

/* After a power cycle: connect, again and again, within the boot bound. */
static int
await_host(struct capture *cap, struct ssh_conn **c, struct strbuf *why)
{
	struct strbuf last = STRBUF_INIT;
	struct deadline dl;
	int64_t left;
	int rc;

	deadline_in(&dl, cap->o->boot_timeout_ms, "SSH to answer after its power cycle");
	for (;;) {
		strbuf_reset(&last);
		if ((rc = connect_within(cap, deadline_left(&dl), c, &last)) == 0)
			break;
		if ((left = deadline_left(&dl)) == 0) {
			rc = err_setf(why, rc, "%s: no answer after %lld s (the last "
			    "try: %s)", dl.what.buf, (long long)deadline_waited_s(&dl),
			    unhost(cap->h->name, last.buf));
			break;
		}
		clock_sleep_ms(left < LOGS_RETRY_MS ? left : LOGS_RETRY_MS);
	}
	deadline_release(&dl);
	strbuf_release(&last);
	return rc;
}

/* The remote items, with one power cycle and one more round if need be. */
static void
capture_remote(struct capture *cap)
{
	struct strbuf why = STRBUF_INIT, note = STRBUF_INIT, reason = STRBUF_INIT;
	struct ssh_conn *c = NULL;
	int rc;

	if ((rc = host_connect(cap->lab, cap->h, 0, &c, &why)) == 0) {
		remote_round(cap, c);
		ssh_close(c);
		c = NULL;
		if (cap->lost.len == 0 || cap->fetched > 0)
			goto out;
		strbuf_addstr(&reason, cap->lost.buf);
	} else {
		strbuf_addstr(&reason, why.buf);
	}
	say(cap, "cannot be reached (%s): power-cycling it, then trying once more",
	    unhost(cap->h->name, reason.buf));
	strbuf_reset(&why);
	if ((rc = power_do(cap->lab, cap->h, "cycle", &note, &why)) < 0) {
		strbuf_reset(&reason);
		strbuf_addf(&reason, "power cycle failed: %s",
		    unhost(cap->h->name, why.buf));
		miss_all(cap, reason.buf);
		goto out;
	}
	strbuf_rtrim(&note);
	say(cap, "power cycle: %s", note.len > 0 ? unhost(cap->h->name, note.buf) :
	    "done");
	if ((rc = await_host(cap, &c, &why)) < 0) {
		miss_all(cap, why.buf);
		goto out;
	}
	say(cap, "answers again: capturing once more");
	remote_round(cap, c);
	ssh_close(c);
out:
	strbuf_release(&why);
	strbuf_release(&note);
	strbuf_release(&reason);
}

/* --- on this machine: the console --------------------------------------- */

/* Copy the local file src to dst, within dl. */
static int
copy_file(const char *src, const char *dst, const struct deadline *dl,
    struct strbuf *err)
{
	char buf[65536];
	int in, out, rc = 0;
	ssize_t n;

	if ((in = open(src, O_RDONLY | O_CLOEXEC)) < 0)
		return err_errno(err, TS_E_LAB, "%s", src);
	if ((out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
		rc = err_errno(err, TS_E_LAB, "%s", dst);
		close(in);
		return rc;
	}
	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = err_errno(err, TS_E_LAB, "%s", src);
			break;
		}
		if (write(out, buf, (size_t)n) != n) {
			rc = err_errno(err, TS_E_LAB, "%s", dst);
			break;
		}
		if (deadline_passed(dl)) {
			rc = err_setf(err, TS_E_LAB, "%s: copy not done after %lld s", src,
			    (long long)deadline_waited_s(dl));
			break;
		}
	}
	if (close(out) < 0 && rc == 0)
		rc = err_errno(err, TS_E_LAB, "%s", dst);
	close(in);
	return rc;
}

/* Run argv here with its standard output into dst, within dl. */
static int
run_to_file(const struct capture *cap, const char *const *argv, const char *dst,
    const struct deadline *dl, struct strbuf *err)
{
	struct proc_opts po = PROC_OPTS_INIT;
	struct strbuf what = STRBUF_INIT;
	struct proc_result res;
	struct proc p;
	int in, out, rc;

	if ((out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
		return err_errno(err, TS_E_LAB, "%s", dst);
	if ((in = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0) {
		close(out);
		return err_errno(err, TS_E_LAB, "/dev/null");
	}
	po.argv = argv;
	po.fd_in = in;
	po.fd_out = out;
	po.fd_err = cap->o->err_fd;
	po.new_group = 1;
	if ((rc = proc_spawn(&p, &po, err)) == 0) {
		if ((rc = proc_wait(&p, dl, LOGS_GRACE_MS, &res, err)) == 0 &&
		    (res.timed_out || !res.exited || res.code != 0)) {
			strbuf_add_argv_human(&what, argv);
			if (res.timed_out)
				rc = err_setf(err, TS_E_LAB, "%s: timed out after %lld s",
				    what.buf, (long long)deadline_waited_s(dl));
			else {
				rc = err_setf(err, TS_E_LAB, "%s: ", what.buf);
				proc_describe(&res, err);
			}
		}
		proc_release(&p);
	}
	close(in);
	if (close(out) < 0 && rc == 0)
		rc = err_errno(err, TS_E_LAB, "%s", dst);
	strbuf_release(&what);
	return rc;
}

/* The console, from the host property console, into console.txt. */
static void
capture_console(struct capture *cap, struct strvec *missing)
{
	const char *src = host_prop(cap->h, "console");
	struct strbuf dst = STRBUF_INIT, why = STRBUF_INIT, path = STRBUF_INIT;
	struct strvec argv = STRVEC_INIT;
	struct deadline dl;
	int rc;

	if (src == NULL || *src == '\0') {
		say(cap, "console: no console property");
		return;
	}
	deadline_in(&dl, cap->o->item_timeout_ms, "console");
	if ((rc = local_path(cap, "console.txt", &dst, &why)) < 0) {
		;
	} else if (strncmp(src, "file:", 5) == 0 && src[5] != '\0') {
		/* A relative path is the lab's, as every path of tlab.conf. */
		if (src[5] != '/')
			strbuf_addf(&path, "%s/", cap->lab->dir);
		strbuf_addstr(&path, src + 5);
		rc = copy_file(path.buf, dst.buf, &dl, &why);
	} else if (strncmp(src, "cmd:", 4) == 0) {
		if ((rc = strvec_template(&argv, src + 4, cap->h->name, NULL, &why)) < 0)
			err_wrapf(&why, rc, "property console");
		else
			rc = run_to_file(cap, argv.v, dst.buf, &dl, &why);
	} else {
		rc = err_setf(&why, TS_E_INPUT, "property console: '%s' is neither "
		    "file:PATH nor cmd:TEMPLATE", src);
	}
	if (rc == 0) {
		say(cap, "console: console.txt, %lld bytes", file_size(dst.buf));
	} else {
		if (dst.len > 0)
			drop_if_empty(dst.buf);
		miss(missing, cap->h->name, "console", why.buf);
	}
	deadline_release(&dl);
	strvec_clear(&argv);
	strbuf_release(&dst);
	strbuf_release(&why);
	strbuf_release(&path);
}

/* --- the job's hosts ---------------------------------------------------- */

int
logs_job_idents(struct lab *lab, int64_t flight, const char *job,
    struct strvec *idents, struct strbuf *err)
{
	struct runvar_list l = RUNVAR_LIST_INIT;
	size_t i;
	int rc;

	if ((rc = runvar_list(lab, flight, job, &l, err)) < 0)
		return rc;
	for (i = 0; i < l.nr; i++)
		if (strcmp(l.v[i].name, "host") == 0 ||
		    (runvar_name_ends(l.v[i].name, "_host") &&
		    strcmp(l.v[i].name, "_host") != 0))
			strvec_push(idents, l.v[i].name);
	runvar_list_release(&l);
	return 0;
}

static int
capture_host(struct lab *lab, const struct host *h, const char *jobdir,
    const struct logs_opts *o, struct strvec *missing, struct strbuf *err)
{
	struct capture cap;
	size_t i;
	int rc;

	memset(&cap, 0, sizeof(cap));
	cap.lab = lab;
	cap.h = h;
	cap.o = o;
	cap.dir = (struct strbuf)STRBUF_INIT;
	cap.lost = (struct strbuf)STRBUF_INIT;
	cap.miss = (struct strvec)STRVEC_INIT;
	strbuf_addf(&cap.dir, "%s/%s", jobdir, h->name);
	if ((rc = lab_mkdirs(cap.dir.buf, 0755, err)) == 0) {
		capture_console(&cap, missing);
		capture_remote(&cap);
		for (i = 0; i < cap.miss.nr; i++)
			strvec_push(missing, cap.miss.v[i]);
	}
	strbuf_release(&cap.dir);
	strbuf_release(&cap.lost);
	strvec_clear(&cap.miss);
	return rc;
}

int
logs_capture(struct lab *lab, int64_t flight, const char *job,
    const char *const *idents, const struct logs_opts *o,
    struct strvec *missing, struct strbuf *err)
{
	struct strbuf jobdir = STRBUF_INIT, why = STRBUF_INIT, input = STRBUF_INIT;
	struct strvec done = STRVEC_INIT;
	size_t i, before = missing->nr;
	int rc;

	if ((rc = lab_check_name("job", job, err)) < 0)
		return rc;
	for (i = 0; idents[i] != NULL; i++)
		if ((rc = runvar_check_name(idents[i], err)) < 0)
			return rc;
	if ((rc = lab_log_dir(lab, flight, job, &jobdir, err)) < 0)
		goto out;
	for (i = 0; idents[i] != NULL; i++) {
		char *name = NULL;
		struct host h;
		size_t k;

		host_init(&h);
		strbuf_reset(&why);
		if ((rc = runvar_get(lab, flight, job, idents[i], &name, &why)) == 0)
			rc = err_setf(&why, TS_E_INPUT, "runvar %s: not set: no host to "
			    "capture", idents[i]);
		if (rc < 0)
			goto next;
		for (k = 0; k < done.nr; k++)
			if (strcmp(done.v[k], name) == 0)
				break;
		if (k < done.nr)
			goto next;	/* two idents, one host: once is enough */
		strvec_push(&done, name);
		if ((rc = host_get(lab, name, &h, &why)) == 0)
			rc = capture_host(lab, &h, jobdir.buf, o, missing, &why);
next:
		/* Bad input is said once, at the end; the lab's failures here. */
		if (rc == TS_E_INPUT)
			strbuf_addf(&input, "%s%s", input.len > 0 ? "; " : "", why.buf);
		else if (rc < 0)
			strvec_push(missing, why.buf);
		host_release(&h);
		free(name);
	}
	if (input.len > 0 && missing->nr > before)
		rc = err_setf(err, TS_E_INPUT, "%s (and %zu item%s not fetched, listed "
		    "above)", input.buf, missing->nr - before,
		    missing->nr - before == 1 ? "" : "s");
	else if (input.len > 0)
		rc = err_setf(err, TS_E_INPUT, "%s", input.buf);
	else if (missing->nr > before)
		rc = err_setf(err, TS_E_LAB, "%zu item%s not fetched (listed above)",
		    missing->nr - before, missing->nr - before == 1 ? "" : "s");
	else
		rc = 0;
out:
	strvec_clear(&done);
	strbuf_release(&jobdir);
	strbuf_release(&why);
	strbuf_release(&input);
	return rc;
}
