/*
 * power: a host's power method, and a reboot watched from outside.  See
 * power.h.
 *
 * Every method is reached with words, never shell text: a template is
 * split as a shell would split it (popt) and run without a shell; over
 * SSH the host's own command goes to a constant script as its arguments.
 * Every wait has a bound, and the error of one that gives up says what it
 * waited for and for how long.
 */
#include <errno.h>
#include <fcntl.h>
#include <popt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "err.h"
#include "power.h"
#include "proc.h"
#include "strvec.h"
#include "banned.h"

#define POWER_KILL_GRACE_MS 5000	/* a timed-out command: TERM, then KILL */
#define RELAUNCH_CHECK_MS 1000		/* a relaunch that fails at once is seen */
#define PROBE_MS 5000			/* one look at a host going down */
#define PROBE_PAUSE_MS 500		/* between looks */
#define BOOT_ID_MS (30LL * 1000)	/* reading the boot id */

/*
 * Detach the host's own reboot or poweroff from our session: it starts a
 * second later, when the command has ended and its exit status is ours,
 * so the connection dropping is no error.  Constant: the command's words
 * are its arguments ("$@"), data to this shell.
 */
static const char ssh_detach[] =
    "(sleep 1; exec \"$@\") >/dev/null 2>&1 </dev/null &";

static int64_t
min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/* msg without its leading "host NAME: ", if it has one. */
static const char *
past_host(const struct host *h, const char *msg)
{
	size_t n = strlen(h->name);

	if (strncmp(msg, "host ", 5) == 0 && strncmp(msg + 5, h->name, n) == 0 &&
	    strncmp(msg + 5 + n, ": ", 2) == 0)
		return msg + 7 + n;
	return msg;
}

/* Make err "host NAME: noun: ..." whether or not it began with the host. */
static int
wrap_host(const struct host *h, struct strbuf *err, int rc, const char *noun)
{
	size_t skip = (size_t)(past_host(h, err->buf) - err->buf);

	if (skip > 0) {
		memmove(err->buf, err->buf + skip, err->len - skip + 1);
		strbuf_setlen(err, err->len - skip);
	}
	return err_wrapf(err, rc, "host %s: %s", h->name, noun);
}

/* The host's power_timeout, or the default. */
static int
power_timeout(const struct host *h, int64_t *ms, struct strbuf *err)
{
	const char *v = host_prop(h, "power_timeout");

	*ms = POWER_DEFAULT_TIMEOUT_MS;
	if (v != NULL && (conf_parse_duration(v, ms) < 0 || *ms == 0))
		return err_setf(err, TS_E_INPUT, "host %s: property power_timeout: "
		    "'%s' is not a duration of more than 0", h->name, v);
	return 0;
}

/* --- cmd: a local command ---------------------------------------------- */

/* bound: the name of the bound timeout_ms, for the error that names it. */
static int
power_cmd(const struct host *h, const char *tmpl, const char *action,
    int64_t timeout_ms, const char *bound, struct strbuf *note,
    struct strbuf *err)
{
	struct proc_opts po = PROC_OPTS_INIT;
	struct strvec argv = STRVEC_INIT;
	struct strbuf what = STRBUF_INIT;
	struct proc_result res;
	struct deadline dl;
	struct proc p;
	int rc, nullfd;

	if ((rc = strvec_template(&argv, tmpl, h->name, action, err)) < 0) {
		strvec_clear(&argv);
		return err_wrapf(err, rc, "host %s: power cmd", h->name);
	}
	strbuf_add_argv_human(&what, argv.v);
	if ((nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0) {
		rc = err_errno(err, TS_E_LAB, "/dev/null");
		goto out;
	}
	po.argv = argv.v;
	po.fd_in = nullfd;
	po.fd_out = 2;		/* its words go to the log, not to a report */
	po.new_group = 1;	/* a timeout ends all it started */
	deadline_in(&dl, timeout_ms, "power command %s", what.buf);
	rc = proc_spawn(&p, &po, err);
	close(nullfd);
	if (rc < 0) {
		err_wrapf(err, rc, "host %s: power cmd", h->name);
		goto out_dl;
	}
	rc = proc_wait(&p, &dl, POWER_KILL_GRACE_MS, &res, err);
	proc_release(&p);
	if (rc < 0)
		goto out_dl;
	strbuf_reset(note);
	strbuf_addf(note, "power cmd: %s: ", what.buf);
	proc_describe(&res, note);
	if (res.timed_out)
		rc = err_setf(err, TS_E_LAB, "host %s: power cmd: %s: no end after "
		    "%lld s (%s: %lld s)", h->name, what.buf,
		    (long long)deadline_waited_s(&dl), bound,
		    (long long)(timeout_ms / 1000));
	else if (res.aborted)
		rc = err_setf(err, TS_E_LAB, "host %s: power cmd: %s: stopped by "
		    "signal %d", h->name, what.buf, proc_aborted());
	else if (!res.exited || res.code != 0)
		rc = err_setf(err, TS_E_LAB, "host %s: %s", h->name, note->buf);
out_dl:
	deadline_release(&dl);
out:
	strvec_clear(&argv);
	strbuf_release(&what);
	return rc;
}

/*
 * Start the command of power_relaunch in the background, in a group of
 * its own, to outlive us (a QEMU machine).  One that exits at once with
 * a failure is an error; one that runs on, or exits 0 (it daemonized),
 * is launched.
 */
static int
power_relaunch(const struct host *h, const char *tmpl, const char *action,
    struct strbuf *note, struct strbuf *err)
{
	struct proc_opts po = PROC_OPTS_INIT;
	struct strvec argv = STRVEC_INIT;
	struct strbuf what = STRBUF_INIT;
	struct proc p, *pp = &p;
	struct proc_result res;
	int rc, nullfd, r;

	if ((rc = strvec_template(&argv, tmpl, h->name, action, err)) < 0) {
		err_wrapf(err, rc, "host %s: property power_relaunch", h->name);
		goto out;
	}
	strbuf_add_argv_human(&what, argv.v);
	if ((nullfd = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0) {
		rc = err_errno(err, TS_E_LAB, "/dev/null");
		goto out;
	}
	po.argv = argv.v;
	po.fd_in = nullfd;
	po.fd_out = nullfd;
	po.new_group = 1;	/* not in the step's group: it stays */
	rc = proc_spawn(&p, &po, err);
	close(nullfd);
	if (rc < 0) {
		err_wrapf(err, rc, "host %s: power_relaunch", h->name);
		goto out;
	}
	r = proc_wait_any(&pp, 1, RELAUNCH_CHECK_MS);
	strbuf_addf(note, "%spower_relaunch: %s: ", note->len ? "; " : "", what.buf);
	if (r == 0) {
		proc_result_of(&p, &res);
		proc_describe(&res, note);
		if (!res.exited || res.code != 0) {
			rc = err_setf(err, TS_E_LAB, "host %s: power_relaunch: %s: ",
			    h->name, what.buf);
			proc_describe(&res, err);
		}
	} else if (r == TS_E_AGAIN) {
		rc = err_setf(err, TS_E_LAB, "host %s: power_relaunch: %s: stopped "
		    "by signal %d", h->name, what.buf, proc_aborted());
	} else {
		strbuf_addf(note, "running in the background, pid %d", (int)p.pid);
	}
	proc_release(&p);
out:
	strvec_clear(&argv);
	strbuf_release(&what);
	return rc;
}

/* --- qmp: a QEMU machine's monitor ------------------------------------- */

struct qmp {
	int fd;
	const char *host, *path;
	struct strbuf in;	/* what came and is not yet a whole line */
	const struct deadline *dl;
	const char *bound;	/* dl's name, for the error that names it */
};

/* The character after the JSON string at p (a '"'), or NULL. */
static const char *
json_skip_string(const char *p)
{
	for (p++; *p != '\0'; p++) {
		if (*p == '\\' && p[1] != '\0')
			p++;
		else if (*p == '"')
			return p + 1;
	}
	return NULL;
}

/* The character after the JSON value at p, or NULL. */
static const char *
json_skip_value(const char *p)
{
	int depth = 0;

	p += strspn(p, " \t\r\n");
	do {
		switch (*p) {
		case '\0':
			return NULL;
		case '"':
			if ((p = json_skip_string(p)) == NULL)
				return NULL;
			continue;
		case '{':
		case '[':
			depth++;
			break;
		case '}':
		case ']':
			if (depth == 0)
				return p;	/* a scalar ended by its container */
			depth--;
			break;
		case ',':
			if (depth == 0)
				return p;
			break;
		}
		p++;
	} while (depth > 0 || strchr(",}] \t\r\n", *p) == NULL);
	return p;
}

/* The value of member key of the JSON object at obj, or NULL. */
static const char *
json_member(const char *obj, const char *key)
{
	size_t klen = strlen(key);
	const char *p = obj + strspn(obj, " \t\r\n"), *k, *end;

	if (*p++ != '{')
		return NULL;
	for (;;) {
		p += strspn(p, " \t\r\n");
		if (*p != '"' || (end = json_skip_string(p)) == NULL)
			return NULL;
		k = p + 1;
		p = end + strspn(end, " \t\r\n");
		if (*p++ != ':')
			return NULL;
		p += strspn(p, " \t\r\n");
		if ((size_t)(end - 1 - k) == klen && memcmp(k, key, klen) == 0)
			return p;
		if ((p = json_skip_value(p)) == NULL)
			return NULL;
		p += strspn(p, " \t\r\n");
		if (*p++ != ',')
			return NULL;
	}
}

/* Append the JSON string at p, unescaped (a \u escape as '?'), to sb. */
static void
json_add_string(struct strbuf *sb, const char *p)
{
	if (p == NULL || *p != '"')
		return;
	for (p++; *p != '\0' && *p != '"'; p++) {
		if (*p != '\\') {
			strbuf_addch(sb, *p);
			continue;
		}
		switch (*++p) {
		case 'n': strbuf_addch(sb, ' '); break;
		case 't': strbuf_addch(sb, ' '); break;
		case 'u':
			strbuf_addch(sb, '?');
			p += min64(4, (int64_t)strspn(p + 1, "0123456789abcdefABCDEF"));
			break;
		case '\0': return;
		default: strbuf_addch(sb, *p); break;
		}
	}
}

static int
qmp_fail(struct qmp *q, int rc, struct strbuf *err)
{
	return err_wrapf(err, rc, "host %s: power qmp:%s", q->host, q->path);
}

/*
 * The next message from QEMU into line.  1: a message, 0: QEMU closed the
 * socket, or an error.
 */
static int
qmp_read(struct qmp *q, struct strbuf *line, struct strbuf *err)
{
	char buf[4096];
	char *nl;
	ssize_t n;

	for (;;) {
		if ((nl = memchr(q->in.buf, '\n', q->in.len)) != NULL) {
			size_t len = (size_t)(nl - q->in.buf);

			strbuf_reset(line);
			strbuf_add(line, q->in.buf, len);
			memmove(q->in.buf, nl + 1, q->in.len - len - 1);
			strbuf_setlen(&q->in, q->in.len - len - 1);
			return 1;
		}
		if ((n = read(q->fd, buf, sizeof(buf))) > 0) {
			strbuf_add(&q->in, buf, (size_t)n);
			continue;
		}
		/* QEMU gone (quit): a reset connection is its end too. */
		if (n == 0 || (n < 0 && errno == ECONNRESET))
			return 0;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return err_errno(err, TS_E_LAB, "read");
		if (deadline_passed(q->dl))
			return err_setf(err, TS_E_LAB, "%s: no answer after %lld s "
			    "(%s: %lld s)", q->dl->what.buf,
			    (long long)deadline_waited_s(q->dl), q->bound,
			    (long long)((q->dl->at - q->dl->start) / 1000));
		if (proc_aborted())
			return err_setf(err, TS_E_LAB, "%s: stopped by signal %d",
			    q->dl->what.buf, proc_aborted());
		{
			struct pollfd pfd = { q->fd, POLLIN, 0 };

			(void)proc_poll(&pfd, 1, deadline_left(q->dl));
		}
	}
}

static int
qmp_write(struct qmp *q, const char *msg, struct strbuf *err)
{
	size_t len = strlen(msg), done = 0;
	ssize_t n;

	while (done < len) {
		n = send(q->fd, msg + done, len - done, MSG_NOSIGNAL);
		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN)
			return err_errno(err, TS_E_LAB, "send");
		if (deadline_passed(q->dl))
			return err_setf(err, TS_E_LAB, "%s: cannot send after %lld s",
			    q->dl->what.buf, (long long)deadline_waited_s(q->dl));
		{
			struct pollfd pfd = { q->fd, POLLOUT, 0 };

			(void)proc_poll(&pfd, 1, deadline_left(q->dl));
		}
	}
	return 0;
}

/*
 * Send {"execute": cmd} and read its answer, passing over events.  0 for a
 * "return"; TS_E_LAB with QEMU's words for an "error".  With eof_ok, QEMU
 * closing the socket instead of answering is an answer too (quit).
 */
static int
qmp_execute(struct qmp *q, const char *cmd, int eof_ok, struct strbuf *err)
{
	struct strbuf msg = STRBUF_INIT, line = STRBUF_INIT;
	const char *e;
	int rc;

	strbuf_addf(&msg, "{\"execute\": \"%s\"}\n", cmd);
	if ((rc = qmp_write(q, msg.buf, err)) < 0)
		goto out;
	for (;;) {
		if ((rc = qmp_read(q, &line, err)) < 0)
			goto out;
		if (rc == 0) {
			rc = eof_ok ? 0 : err_setf(err, TS_E_LAB, "%s: QEMU closed the "
			    "socket without an answer", cmd);
			goto out;
		}
		if (json_member(line.buf, "return") != NULL) {
			rc = 0;
			goto out;
		}
		if ((e = json_member(line.buf, "error")) != NULL) {
			strbuf_reset(err);
			strbuf_addf(err, "%s: ", cmd);
			json_add_string(err, json_member(e, "desc"));
			strbuf_addstr(err, " (");
			json_add_string(err, json_member(e, "class"));
			strbuf_addch(err, ')');
			rc = TS_E_LAB;
			goto out;
		}
		if (json_member(line.buf, "event") == NULL) {
			rc = err_setf(err, TS_E_LAB, "%s: not an answer of QMP: %.200s",
			    cmd, line.buf);
			goto out;
		}
	}
out:
	strbuf_release(&msg);
	strbuf_release(&line);
	return rc;
}

/* Connect, read the greeting and leave capabilities negotiation mode. */
static int
qmp_open(struct qmp *q, struct strbuf *err)
{
	struct strbuf line = STRBUF_INIT;
	struct sockaddr_un sa;
	int rc;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(q->path) >= sizeof(sa.sun_path))
		return err_setf(err, TS_E_INPUT, "host %s: power qmp:%s: a socket "
		    "path of more than %zu bytes", q->host, q->path,
		    sizeof(sa.sun_path) - 1);
	memcpy(sa.sun_path, q->path, strlen(q->path));
	q->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (q->fd < 0 || connect(q->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return qmp_fail(q, err_errno(err, TS_E_LAB, "connect"), err);
	if ((rc = qmp_read(q, &line, err)) == 0)
		rc = err_setf(err, TS_E_LAB, "closed before its greeting");
	else if (rc > 0 && json_member(line.buf, "QMP") == NULL)
		rc = err_setf(err, TS_E_LAB, "not a QMP greeting: %.200s", line.buf);
	else if (rc > 0)
		rc = qmp_execute(q, "qmp_capabilities", 0, err);
	strbuf_release(&line);
	return rc < 0 ? qmp_fail(q, rc, err) : 0;
}

/*
 * Does nothing listen on the socket (its QEMU is not running: the machine
 * is off)?  Only a refused or missing socket says so.
 */
static int
qmp_dead(const char *path)
{
	struct sockaddr_un sa;
	int fd, dead;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path) ||
	    (fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return 0;
	memcpy(sa.sun_path, path, strlen(path));
	dead = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 &&
	    (errno == ECONNREFUSED || errno == ENOENT);
	close(fd);
	return dead;
}

static int
power_qmp(const struct host *h, const char *path, const char *action,
    int64_t timeout_ms, const char *bound, struct strbuf *note,
    struct strbuf *err)
{
	const char *relaunch = host_prop(h, "power_relaunch");
	struct strbuf line = STRBUF_INIT;
	struct deadline dl;
	struct qmp q = { -1, h->name, path, STRBUF_INIT, &dl, bound };
	const char *cmd;
	int rc;

	if (relaunch != NULL && *relaunch == '\0')
		relaunch = NULL;
	if (strcmp(action, "on") == 0)	/* power_check saw power_relaunch */
		return power_relaunch(h, relaunch, action, note, err);
	/* A machine whose QEMU is gone is off: a cycle starts it again. */
	if (qmp_dead(path) && (strcmp(action, "off") == 0 || relaunch != NULL)) {
		strbuf_reset(note);
		strbuf_addf(note, "power qmp:%s: no QEMU listens: off already", path);
		return strcmp(action, "off") == 0 ? 0 :
		    power_relaunch(h, relaunch, action, note, err);
	}
	cmd = strcmp(action, "cycle") == 0 && relaunch == NULL ? "system_reset" : "quit";
	deadline_in(&dl, timeout_ms, "QMP %s", cmd);
	if ((rc = qmp_open(&q, err)) < 0)
		goto out;
	if ((rc = qmp_execute(&q, cmd, strcmp(cmd, "quit") == 0, err)) < 0) {
		qmp_fail(&q, rc, err);
		goto out;
	}
	/* After quit: its end is the socket closing. */
	while (strcmp(cmd, "quit") == 0 && (rc = qmp_read(&q, &line, err)) > 0)
		;
	if (rc < 0) {
		qmp_fail(&q, rc, err);
		goto out;
	}
	strbuf_reset(note);
	strbuf_addf(note, "power qmp:%s: %s done", path, cmd);
	if (strcmp(action, "cycle") == 0 && relaunch != NULL)
		rc = power_relaunch(h, relaunch, action, note, err);
out:
	if (q.fd >= 0)
		close(q.fd);
	strbuf_release(&q.in);
	strbuf_release(&line);
	deadline_release(&dl);
	return rc;
}

/* --- ssh: the host's own reboot ---------------------------------------- */

static int
power_ssh(struct lab *lab, const struct host *h, const char *action,
    int64_t timeout_ms, struct strbuf *note, struct strbuf *err)
{
	int cycle = strcmp(action, "cycle") == 0;
	const char *prop = cycle ? "power_ssh_cycle" : "power_ssh_off";
	const char *tmpl = host_prop(h, prop);
	struct ssh_exec_opts eo = SSH_EXEC_OPTS_INIT;
	struct strvec argv = STRVEC_INIT;
	struct strbuf what = STRBUF_INIT;
	struct ssh_conn *c = NULL;
	struct ssh_result res;
	int rc;

	strvec_push(&argv, "sh");
	strvec_push(&argv, "-c");
	strvec_push(&argv, ssh_detach);
	strvec_push(&argv, "sh");
	if (tmpl == NULL || *tmpl == '\0')
		strvec_push(&argv, cycle ? "reboot" : "poweroff");
	else if ((rc = strvec_template(&argv, tmpl, h->name, action, err)) < 0) {
		err_wrapf(err, rc, "host %s: property %s", h->name, prop);
		goto out;
	}
	strbuf_add_argv_human(&what, argv.v + 4);
	eo.err_fd = 2;
	eo.timeout_ms = timeout_ms;
	if ((rc = host_connect(lab, h, 0, &c, err)) < 0 ||
	    (rc = ssh_exec(c, argv.v, &eo, &res, err)) < 0) {
		wrap_host(h, err, rc, "power ssh");
		goto out;
	}
	if (!res.exited || res.code != 0) {
		rc = err_setf(err, TS_E_LAB, "host %s: power ssh: %s: ", h->name,
		    what.buf);
		ssh_describe(&res, err);
		goto out;
	}
	strbuf_reset(note);
	strbuf_addf(note, "power ssh: %s: started in the background", what.buf);
out:
	ssh_close(c);
	strvec_clear(&argv);
	strbuf_release(&what);
	return rc;
}

/* --- the methods --------------------------------------------------------- */

/*
 * ipmi:BMC is cmd: with OSSTEST's usual command, built here: ipmitool
 * over lanplus to the BMC, as user ipmi_user (default ADMIN), with the
 * password of file ipmi_password_file, else of $IPMI_PASSWORD (-E).
 * Values are quoted for the splitter; ' and % in them are refused.
 */
static int
ipmi_template(const struct host *h, const char *bmc, struct strbuf *tmpl,
    struct strbuf *err)
{
	const char *user = host_prop(h, "ipmi_user");
	const char *pwfile = host_prop(h, "ipmi_password_file");
	const char *v[3];
	int i;

	v[0] = bmc;
	v[1] = user = user != NULL && *user != '\0' ? user : "ADMIN";
	v[2] = pwfile;
	for (i = 0; i < 3; i++)
		if (v[i] != NULL && (strchr(v[i], '\'') != NULL || strchr(v[i], '%') != NULL ||
		    *v[i] == '\0'))
			return err_setf(err, TS_E_INPUT, "host %s: ipmi: '%s': empty, or "
			    "with ' or %%", h->name, v[i]);
	strbuf_addf(tmpl, "ipmitool -I lanplus -H '%s' -U '%s' ", bmc, user);
	if (pwfile != NULL)
		strbuf_addf(tmpl, "-f '%s'", pwfile);
	else
		strbuf_addstr(tmpl, "-E");
	strbuf_addstr(tmpl, " chassis power %a");
	return 0;
}

/* Does tmpl split and expand?  TS_E_INPUT naming property prop. */
static int
check_template(const struct host *h, const char *prop, const char *tmpl,
    const char *action, struct strbuf *err)
{
	struct strvec argv = STRVEC_INIT;
	int rc = strvec_template(&argv, tmpl, h->name, action, err);

	strvec_clear(&argv);
	return rc < 0 ? err_wrapf(err, rc, "host %s: property %s", h->name, prop) : 0;
}

/*
 * Split list, the property power, into its methods: at each ';' outside
 * quotes, quotes and backslashes counting as in a template (strvec.c), so
 * that a cmd: template keeps a quoted ';' as part of a word.  Each method
 * without the blanks around it; TS_E_INPUT for an empty one.
 */
static int
split_methods(const struct host *h, const char *list, struct strvec *out,
    struct strbuf *err)
{
	const char *p, *start = NULL, *end = NULL;
	char q = 0;

	for (p = list;; p++) {
		if (*p == '\0' || (*p == ';' && q == 0)) {
			if (start == NULL)
				return err_setf(err, TS_E_INPUT, "host %s: property "
				    "power: '%s': an empty method", h->name, list);
			strvec_pushf(out, "%.*s", (int)(end - start), start);
			if (*p == '\0')
				return 0;
			start = end = NULL;
			continue;
		}
		/* A blank outside quotes neither starts nor ends a method. */
		if (q == 0 && (*p == ' ' || *p == '\t'))
			continue;
		if (start == NULL)
			start = p;
		if (*p == '\\' && p[1] != '\0')
			p++;
		else if (q == 0 && (*p == '\'' || *p == '"'))
			q = *p;
		else if (*p == q)
			q = 0;
		end = p + 1;
	}
}

/*
 * Can method m do action?  0: yes.  1: it cannot (ssh cannot switch a
 * host on), err saying so.  TS_E_INPUT when m is bad.
 */
static int
method_check(const struct host *h, const char *m, const char *action,
    struct strbuf *err)
{
	const char *relaunch = host_prop(h, "power_relaunch");
	int rc;

	if (strcmp(m, "manual") == 0)
		return 0;
	if (strcmp(m, "ssh") == 0) {
		const char *prop = strcmp(action, "off") == 0 ? "power_ssh_off" :
		    "power_ssh_cycle";
		const char *tmpl = host_prop(h, prop);

		if (strcmp(action, "on") == 0) {
			err_setf(err, TS_E_INPUT, "host %s: power ssh: cannot switch "
			    "a host on over SSH (power cmd:, qmp: or manual can)",
			    h->name);
			return 1;
		}
		return tmpl == NULL || *tmpl == '\0' ? 0 :
		    check_template(h, prop, tmpl, action, err);
	}
	if (strncmp(m, "cmd:", 4) == 0 && m[4] != '\0')
		return check_template(h, "power", m + 4, action, err);
	if (strncmp(m, "ipmi:", 5) == 0 && m[5] != '\0') {
		struct strbuf tmpl = STRBUF_INIT;

		if ((rc = ipmi_template(h, m + 5, &tmpl, err)) == 0)
			rc = check_template(h, "power", tmpl.buf, action, err);
		strbuf_release(&tmpl);
		return rc;
	}
	if (strncmp(m, "qmp:", 4) == 0 && m[4] != '\0') {
		if (strlen(m + 4) >= sizeof(((struct sockaddr_un *)NULL)->sun_path))
			return err_setf(err, TS_E_INPUT, "host %s: power %s: a socket "
			    "path longer than a unix socket's", h->name, m);
		if (relaunch != NULL && *relaunch != '\0')
			return check_template(h, "power_relaunch", relaunch, action, err);
		if (strcmp(action, "on") == 0) {
			err_setf(err, TS_E_INPUT, "host %s: power qmp: cannot switch a "
			    "machine on without property power_relaunch", h->name);
			return 1;
		}
		return 0;
	}
	return err_setf(err, TS_E_INPUT, "host %s: property power: '%s' is not ssh, "
	    "cmd:TEMPLATE, ipmi:BMC, qmp:SOCKET or manual", h->name, m);
}

/*
 * Check every method of h's property power, and put those that can do
 * action into can, in their order.  TS_E_INPUT naming a bad one, or when
 * none can.
 */
static int
power_methods(const struct host *h, const char *action, struct strvec *can,
    struct strbuf *err)
{
	const char *list = host_prop(h, "power");
	struct strvec all = STRVEC_INIT;
	struct strbuf why = STRBUF_INIT;
	size_t i;
	int64_t ms;
	int rc;

	if (strcmp(action, "on") != 0 && strcmp(action, "off") != 0 &&
	    strcmp(action, "cycle") != 0)
		return err_setf(err, TS_E_INPUT, "power action '%s': not on, off or "
		    "cycle", action);
	if (list == NULL || *list == '\0')
		return err_setf(err, TS_E_INPUT, "host %s: no property power: say how "
		    "to switch it (ts-host set %s --prop power=METHOD: ssh, "
		    "cmd:TEMPLATE, qmp:SOCKET or manual; several, separated by ';', "
		    "are tried in turn)", h->name, h->name);
	if ((rc = power_timeout(h, &ms, err)) < 0 ||
	    (rc = split_methods(h, list, &all, err)) < 0)
		goto out;
	for (i = 0; i < all.nr; i++) {
		if ((rc = method_check(h, all.v[i], action, err)) < 0)
			goto out;
		if (rc == 0)
			strvec_push(can, all.v[i]);
		else
			strbuf_addf(&why, "%s%s", why.len > 0 ? "; " : "",
			    past_host(h, err->buf));
	}
	rc = 0;
	/* One method that cannot: its own words, as they always were. */
	if (can->nr == 0 && all.nr > 1)
		rc = err_setf(err, TS_E_INPUT, "host %s: property power: '%s': no "
		    "method can %s (%s)", h->name, list, strcmp(action, "cycle") == 0 ?
		    "power-cycle it" : strcmp(action, "on") == 0 ? "switch it on" :
		    "switch it off", why.buf);
	else if (can->nr == 0)
		rc = TS_E_INPUT;
out:
	strvec_clear(&all);
	strbuf_release(&why);
	return rc;
}

int
power_check(const struct host *h, const char *action, struct strbuf *err)
{
	struct strvec can = STRVEC_INIT;
	int rc = power_methods(h, action, &can, err);

	strvec_clear(&can);
	return rc;
}

/* Do action by the one method m, within timeout_ms, the bound named bound. */
static int
method_do(struct lab *lab, const struct host *h, const char *m,
    const char *action, int64_t timeout_ms, const char *bound,
    struct strbuf *note, struct strbuf *err)
{
	int rc;

	strbuf_reset(note);
	if (strcmp(m, "manual") == 0) {
		if (strcmp(action, "cycle") == 0)
			strbuf_addf(note, "power-cycle host %s by hand now", h->name);
		else
			strbuf_addf(note, "switch host %s %s by hand now", h->name,
			    action);
		return 0;
	}
	if (strcmp(m, "ssh") == 0)
		return power_ssh(lab, h, action, timeout_ms, note, err);
	if (strncmp(m, "cmd:", 4) == 0)
		return power_cmd(h, m + 4, action, timeout_ms, bound, note, err);
	if (strncmp(m, "ipmi:", 5) == 0) {
		struct strbuf tmpl = STRBUF_INIT;

		if ((rc = ipmi_template(h, m + 5, &tmpl, err)) == 0)
			rc = power_cmd(h, tmpl.buf, action, timeout_ms, bound, note,
			    err);
		strbuf_release(&tmpl);
		return rc;
	}
	return power_qmp(h, m + 4, action, timeout_ms, bound, note, err);
}

/*
 * Append "M failed: WHY" for a method that failed to list, a "; " between
 * two; WHY without the host's name in front.
 */
static void
add_failure(const struct host *h, struct strbuf *list, const char *m,
    const char *why)
{
	strbuf_addf(list, "%s%s failed: %s", list->len > 0 ? "; " : "", m,
	    past_host(h, why));
}

int
power_do(struct lab *lab, const struct host *h, const char *action,
    struct strbuf *note, struct strbuf *err)
{
	struct strvec can = STRVEC_INIT;
	struct strbuf failed = STRBUF_INIT;
	int64_t timeout_ms;
	size_t i;
	int rc, input = 1;

	if ((rc = power_methods(h, action, &can, err)) < 0 ||
	    (rc = power_timeout(h, &timeout_ms, err)) < 0)
		goto out;
	/* Each method that can, in turn, until one does it. */
	for (i = 0; i < can.nr; i++) {
		if ((rc = method_do(lab, h, can.v[i], action, timeout_ms,
		    "power_timeout", note, err)) == 0)
			break;
		if (can.nr == 1)
			goto out;
		add_failure(h, &failed, can.v[i], err->buf);
		if (rc != TS_E_INPUT)
			input = 0;
		if (proc_aborted())
			break;
	}
	if (rc == 0 && failed.len > 0)
		strbuf_addf(note, ", after %s", failed.buf);
	else if (rc < 0)
		rc = err_setf(err, input ? TS_E_INPUT : TS_E_LAB, "host %s: power %s: "
		    "%s", h->name, action, failed.buf);
out:
	strvec_clear(&can);
	strbuf_release(&failed);
	return rc;
}

/* --- a reboot ------------------------------------------------------------ */

struct reboot {
	struct lab *lab;
	const struct host *h;
	const struct power_reboot_opts *o;
	const char *file;	/* the boot id's */
	struct deadline all;	/* the whole reboot */
};

static void
say(const struct reboot *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
say(const struct reboot *r, const char *fmt, ...)
{
	struct strbuf line = STRBUF_INIT;
	va_list ap;

	if (r->o->say == NULL)
		return;
	strbuf_addf(&line, "host %s: ", r->h->name);
	va_start(ap, fmt);
	strbuf_vaddf(&line, fmt, ap);
	va_end(ap);
	r->o->say(r->o->ctx, line.buf);
	strbuf_release(&line);
}

/* Connect within ms (and the lab's connect_timeout), as host_connect does. */
static int
connect_within(const struct reboot *r, int64_t ms, struct ssh_conn **c,
    struct strbuf *err)
{
	struct strbuf key = STRBUF_INIT, known = STRBUF_INIT;
	struct ssh_params p;
	int rc;

	lab_ssh_key(r->lab, &key);
	lab_known_hosts(r->lab, &known);
	p.name = r->h->name;
	p.address = r->h->address;
	p.key = key.buf;
	p.known_hosts = known.buf;
	p.learn = 0;
	p.timeout_ms = min64(ms, conf_lab_ms(&r->lab->conf, "connect_timeout",
	    30 * 1000));
	rc = ssh_open(c, &p, err);
	strbuf_release(&key);
	strbuf_release(&known);
	return rc;
}

/* Read the host's boot id into id, within ms. */
static int
read_boot_id(const struct reboot *r, struct ssh_conn *c, int64_t ms,
    struct strbuf *id, struct strbuf *err)
{
	const char *argv[] = { "cat", r->file, NULL };
	struct ssh_exec_opts eo = SSH_EXEC_OPTS_INIT;
	struct ssh_result res;
	int rc;

	strbuf_reset(id);
	eo.out = id;
	eo.err_fd = 2;
	eo.timeout_ms = ms;
	if ((rc = ssh_exec(c, argv, &eo, &res, err)) < 0)
		return rc;
	strbuf_rtrim(id);
	if (!res.exited || res.code != 0) {
		err_setf(err, TS_E_LAB, "host %s: boot id: cat %s: ", r->h->name,
		    r->file);
		ssh_describe(&res, err);
		return TS_E_LAB;
	}
	if (id->len == 0)
		return err_setf(err, TS_E_LAB, "host %s: boot id: %s is empty",
		    r->h->name, r->file);
	return 0;
}

/*
 * Sleep ms, or less when dl is nearer.  TS_E_LAB when a signal came to
 * stop us.
 */
static int
pause_until(const struct reboot *r, const struct deadline *dl, int64_t ms,
    struct strbuf *err)
{
	ms = min64(ms, min64(deadline_left(dl), deadline_left(&r->all)));
	if (proc_sleep(ms) == TS_E_AGAIN || proc_aborted())
		return err_setf(err, TS_E_LAB, "host %s: reboot: stopped by signal %d",
		    r->h->name, proc_aborted());
	return 0;
}

/*
 * The error of a wait whose bound passed (the nearer of dl and the whole):
 * what was seen, how long was waited, the bound's name and size.
 */
static int
gave_up(const struct reboot *r, const struct deadline *dl, const char *why,
    struct strbuf *last, struct strbuf *err)
{
	const struct deadline *d = deadline_passed(&r->all) ? &r->all : dl;

	err_setf(err, TS_E_LAB, "host %s: %s: gave up after %lld s (%s: %lld s)",
	    r->h->name, why, (long long)deadline_waited_s(d), d->what.buf,
	    (long long)((d->at - d->start) / 1000));
	if (last != NULL && last->len > 0)
		strbuf_addf(err, "; last try: %s", past_host(r->h, last->buf));
	return TS_E_LAB;
}

static int
passed(const struct reboot *r, const struct deadline *dl)
{
	return deadline_passed(dl) || deadline_passed(&r->all);
}

/*
 * Wait for SSH to stop answering: fresh connections, each reading the boot
 * id, until one fails.  1 (and the new id in now) when the host is already
 * back with another boot id: it went down and up between two looks.
 */
static int
wait_down(const struct reboot *r, const char *before, struct strbuf *now,
    struct strbuf *err)
{
	struct strbuf e = STRBUF_INIT;
	struct deadline dl;
	struct ssh_conn *c;
	int rc;

	deadline_in(&dl, r->o->down_ms, "down timeout");
	for (;;) {
		int64_t ms = min64(PROBE_MS, min64(deadline_left(&dl),
		    deadline_left(&r->all)));

		if (ms == 0) {
			rc = gave_up(r, &dl, "SSH still answers", NULL, err);
			break;
		}
		if ((rc = connect_within(r, ms, &c, &e)) == 0) {
			rc = read_boot_id(r, c, ms, now, &e);
			ssh_close(c);
		}
		/* A look cut short by the bound is no answer either way. */
		if (rc < 0 && passed(r, &dl)) {
			rc = gave_up(r, &dl, "SSH still answers", NULL, err);
			break;
		}
		if (rc < 0) {
			rc = 0;
			break;
		}
		if (strcmp(now->buf, before) != 0) {
			rc = 1;
			break;
		}
		if ((rc = pause_until(r, &dl, PROBE_PAUSE_MS, err)) < 0)
			break;
	}
	if (rc == 0)
		say(r, "SSH down after %lld s (%s)", (long long)deadline_waited_s(&dl),
		    past_host(r->h, e.buf));
	else if (rc == 1)
		say(r, "back with a new boot id after %lld s, before SSH was seen "
		    "down", (long long)deadline_waited_s(&dl));
	deadline_release(&dl);
	strbuf_release(&e);
	return rc;
}

/*
 * Wait for SSH to answer with a boot id other than before, into now.  The
 * same boot id is a host that has not gone down yet (a slow shutdown):
 * look again.
 */
static int
wait_up(const struct reboot *r, const char *before, struct strbuf *now,
    struct strbuf *err)
{
	struct strbuf last = STRBUF_INIT;
	struct deadline dl;
	struct ssh_conn *c;
	int rc, same = 0;

	deadline_in(&dl, r->o->up_ms, "up timeout");
	for (;;) {
		int64_t ms = min64(deadline_left(&dl), deadline_left(&r->all));

		if (ms == 0) {
			rc = gave_up(r, &dl, same ? "boot id unchanged" :
			    "no SSH", &last, err);
			break;
		}
		if (connect_within(r, ms, &c, &last) == 0) {
			rc = read_boot_id(r, c, min64(ms, BOOT_ID_MS), now, &last);
			ssh_close(c);
			if (rc == 0 && strcmp(now->buf, before) != 0)
				break;
			if (rc == 0 && !same)
				say(r, "SSH answers, boot id unchanged: waiting on");
			if (rc == 0) {
				same = 1;
				strbuf_reset(&last);
				strbuf_addf(&last, "SSH answers with boot id %s", before);
			}
		}
		if (passed(r, &dl))
			continue;
		if ((rc = pause_until(r, &dl, PROBE_PAUSE_MS * 2, err)) < 0)
			break;
	}
	if (rc == 0)
		say(r, "SSH back after %lld s", (long long)deadline_waited_s(&dl));
	deadline_release(&dl);
	strbuf_release(&last);
	return rc;
}

/*
 * Reboot by the one method m: power-cycle the host (within timeout_ms,
 * the bound named bound), wait for SSH to go down, and to come back with
 * a boot id other than before, into now.  A host that an earlier method
 * left down is down at the first look.
 */
static int
reboot_by(const struct reboot *r, const char *m, int64_t timeout_ms,
    const char *bound, const char *before, struct strbuf *now,
    struct strbuf *err)
{
	struct strbuf note = STRBUF_INIT;
	int rc;

	if ((rc = method_do(r->lab, r->h, m, "cycle", timeout_ms, bound, &note,
	    err)) < 0)
		goto out;
	say(r, "%s", note.buf);
	say(r, "waiting up to %lld s for SSH to go down",
	    (long long)(min64(r->o->down_ms, deadline_left(&r->all)) / 1000));
	if ((rc = wait_down(r, before, now, err)) == 0) {
		say(r, "waiting up to %lld s for SSH to come back",
		    (long long)(min64(r->o->up_ms, deadline_left(&r->all)) / 1000));
		rc = wait_up(r, before, now, err);
	}
out:
	strbuf_release(&note);
	return rc < 0 ? rc : 0;
}

int
power_reboot(struct lab *lab, const struct host *h,
    const struct power_reboot_opts *o, struct strbuf *err)
{
	struct strbuf before = STRBUF_INIT, now = STRBUF_INIT;
	struct strbuf failed = STRBUF_INIT, names = STRBUF_INIT;
	struct reboot r = { lab, h, o, host_prop(h, "boot_id_file"), { 0, 0, STRBUF_INIT } };
	struct strvec can = STRVEC_INIT;
	struct ssh_conn *c = NULL;
	int64_t timeout_ms, ms;
	size_t i;
	int rc, input = 1;

	if (r.file == NULL || *r.file == '\0')
		r.file = POWER_DEFAULT_BOOT_ID_FILE;
	deadline_in(&r.all, o->timeout_ms, "reboot timeout");
	/* A power method that cannot work is known before the host is touched. */
	if ((rc = power_methods(h, "cycle", &can, err)) < 0 ||
	    (rc = power_timeout(h, &timeout_ms, err)) < 0 ||
	    (rc = host_connect(lab, h, 0, &c, err)) < 0 ||
	    (rc = read_boot_id(&r, c, BOOT_ID_MS, &before, err)) < 0)
		goto out;
	ssh_close(c);
	c = NULL;
	say(&r, "boot id %s", before.buf);
	/*
	 * Each method in turn until one reboots the host.  A later one's
	 * power action has at most what is left of the whole reboot.
	 */
	for (i = 0; i < can.nr; i++) {
		ms = i == 0 ? timeout_ms : min64(timeout_ms, deadline_left(&r.all));
		if ((rc = reboot_by(&r, can.v[i], ms, ms < timeout_ms ?
		    "the rest of the reboot timeout" : "power_timeout", before.buf,
		    &now, err)) == 0)
			break;
		if (can.nr == 1)
			goto out;
		add_failure(h, &failed, can.v[i], err->buf);
		strbuf_addf(&names, "%s%s", names.len > 0 ? ", " : "", can.v[i]);
		if (rc != TS_E_INPUT)
			input = 0;
		if (proc_aborted() || deadline_passed(&r.all) || i + 1 == can.nr)
			break;
		say(&r, "%s failed: %s; trying %s", can.v[i], past_host(h, err->buf),
		    can.v[i + 1]);
	}
	if (rc < 0) {
		while (++i < can.nr)
			strbuf_addf(&failed, "; %s not tried", can.v[i]);
		rc = err_setf(err, input ? TS_E_INPUT : TS_E_LAB, "host %s: reboot: %s",
		    h->name, failed.buf);
		goto out;
	}
	if (can.nr == 1)
		say(&r, "rebooted in %lld s: boot id %s, was %s",
		    (long long)deadline_waited_s(&r.all), now.buf, before.buf);
	else if (names.len == 0)
		say(&r, "rebooted in %lld s by %s: boot id %s, was %s",
		    (long long)deadline_waited_s(&r.all), can.v[i], now.buf,
		    before.buf);
	else
		say(&r, "rebooted in %lld s by %s, after %s failed: boot id %s, "
		    "was %s", (long long)deadline_waited_s(&r.all), can.v[i],
		    names.buf, now.buf, before.buf);
	rc = 0;
out:
	ssh_close(c);
	deadline_release(&r.all);
	strvec_clear(&can);
	strbuf_release(&before);
	strbuf_release(&now);
	strbuf_release(&failed);
	strbuf_release(&names);
	return rc;
}
