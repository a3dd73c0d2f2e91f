/*
 * mail: compose a message and hand it to sendmail.  See mail.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "err.h"
#include "mail.h"
#include "proc.h"
#include "banned.h"

#define MAIL_DEFAULT_SENDMAIL "/usr/sbin/sendmail -t -oi"
#define MAIL_TIMEOUT_MS (60 * 1000)

/*
 * Write buf to the non-blocking fd by dl; how much was written.  A reader
 * gone (a sendmail that exits without reading) is EPIPE here, not a
 * SIGPIPE that would kill the caller: the sendmail's own status says what
 * went wrong.
 */
static size_t
feed(int fd, const char *buf, size_t len, const struct deadline *dl)
{
	struct timespec zero = { 0, 0 };
	sigset_t pipe_set, old, pending;
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	size_t off = 0;
	int was_pending;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &pipe_set, &old);
	sigpending(&pending);
	was_pending = sigismember(&pending, SIGPIPE);
	while (off < len) {
		ssize_t n = write(fd, buf + off, len - off);

		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN && !deadline_passed(dl) &&
		    !proc_aborted()) {
			proc_poll(&pfd, 1, deadline_left(dl));
			continue;
		}
		break;
	}
	/* Ours, if one is pending now: taken before the mask comes back. */
	if (!was_pending)
		while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR)
			;
	sigprocmask(SIG_SETMASK, &old, NULL);
	return off;
}

void
mail_from(const struct lab *lab, struct strbuf *from)
{
	const char *f = conf_get(&lab->conf, "", "", "mail_from");

	if (f != NULL && *f != '\0')
		strbuf_addstr(from, f);
	else
		strbuf_addf(from, "tlab@%s", proc_hostname());
}

static void
split_addresses(const char *list, struct strvec *to)
{
	const char *p = list;

	while (*p != '\0') {
		size_t n;

		p += strspn(p, ", \t");
		n = strcspn(p, ", \t");
		if (n > 0) {
			struct strbuf a = STRBUF_INIT;

			strbuf_add(&a, p, n);
			strvec_push(to, a.buf);
			strbuf_release(&a);
		}
		p += n;
	}
}

int
mail_recipients(const struct lab *lab, const char *branch, struct strvec *to,
    struct strbuf *err)
{
	const char *list = branch != NULL ?
	    conf_get(&lab->conf, "branch", branch, "mail_to") : NULL;

	if (list == NULL)
		list = conf_get(&lab->conf, "", "", "mail_to");
	if (list != NULL)
		split_addresses(list, to);
	if (to->nr == 0)
		return err_setf(err, TS_E_INPUT, "no one to mail%s%s: set mail_to in "
		    "tlab.conf", branch ? " for branch " : "", branch ? branch : "");
	return 0;
}

/* A header value must not end the headers or start another. */
static int
header_safe(const char *s)
{
	return strchr(s, '\n') == NULL && strchr(s, '\r') == NULL;
}

int
mail_send(const struct lab *lab, const struct strvec *to, const char *subject,
    const char *body, struct strbuf *err)
{
	const char *cmd = conf_get(&lab->conf, "", "", "sendmail");
	struct strbuf msg = STRBUF_INIT, from = STRBUF_INIT, what = STRBUF_INIT;
	struct strvec argv = STRVEC_INIT;
	struct proc_opts po = PROC_OPTS_INIT;
	struct proc_result res;
	struct deadline dl;
	struct proc p;
	int pipefd[2] = { -1, -1 }, nullfd, rc;
	size_t i, off;

	if (cmd == NULL || *cmd == '\0')
		cmd = MAIL_DEFAULT_SENDMAIL;
	if (!header_safe(subject))
		return err_setf(err, TS_E_INPUT, "mail subject: a line break in it");
	for (i = 0; i < to->nr; i++)
		if (!header_safe(to->v[i]) || *to->v[i] == '\0')
			return err_setf(err, TS_E_INPUT, "mail address '%s': not one", to->v[i]);
	if ((rc = strvec_template(&argv, cmd, proc_hostname(), NULL, err)) < 0)
		return err_wrapf(err, rc, "tlab.conf: sendmail");
	mail_from(lab, &from);
	strbuf_addf(&msg, "From: %s\nTo: ", from.buf);
	for (i = 0; i < to->nr; i++)
		strbuf_addf(&msg, "%s%s", i ? ", " : "", to->v[i]);
	strbuf_addf(&msg, "\nSubject: %s\nX-Mailer: %s\n\n%s", subject, lab_harness(),
	    body);
	if (msg.len == 0 || msg.buf[msg.len - 1] != '\n')
		strbuf_addch(&msg, '\n');
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		rc = err_errno(err, TS_E_LAB, "pipe");
		goto out;
	}
	nullfd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	po.argv = argv.v;
	po.fd_in = pipefd[0];
	po.fd_out = nullfd;
	po.new_group = 1;
	rc = proc_spawn(&p, &po, err);
	close(pipefd[0]);
	if (nullfd >= 0)
		close(nullfd);
	if (rc < 0) {
		close(pipefd[1]);
		goto out;
	}
	/* One bound for the whole: a sendmail that does not read fails below. */
	deadline_in(&dl, MAIL_TIMEOUT_MS, "sendmail");
	fcntl(pipefd[1], F_SETFL, O_NONBLOCK);
	off = feed(pipefd[1], msg.buf, msg.len, &dl);
	close(pipefd[1]);
	rc = proc_wait(&p, &dl, 5000, &res, err);
	proc_release(&p);
	deadline_release(&dl);
	if (rc == 0 && (!res.exited || res.code != 0 || off < msg.len)) {
		strbuf_add_argv_human(&what, argv.v);
		strbuf_reset(err);
		strbuf_addf(err, "mail: %s: ", what.buf);
		proc_describe(&res, err);
		if (res.timed_out)
			strbuf_addstr(err, " (timed out)");
		else if (off < msg.len)
			strbuf_addf(err, " (it took %zu of the message's %zu bytes)",
			    off, msg.len);
		rc = TS_E_LAB;
	}
out:
	strbuf_release(&msg);
	strbuf_release(&from);
	strbuf_release(&what);
	strvec_clear(&argv);
	return rc;
}
