/*
 * stepd: serve the job's ts-steps.  See stepd.h and stepmsg.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "err.h"
#include "step.h"
#include "stepd.h"
#include "stepmsg.h"
#include "xalloc.h"
#include "banned.h"

struct stepd_conn {
	int fd;
	int64_t stepno;		/* 0 until begun */
	int ended;
	char *name, *testid;	/* for pause_on_<status> */
};

int
stepd_open(struct stepd *sd, struct lab *lab, int64_t flight, const char *job,
    struct strbuf *err)
{
	struct sockaddr_un sa;
	socklen_t len;
	int rc;

	memset(sd, 0, sizeof(*sd));
	sd->lab = lab;
	sd->flight = flight;
	sd->job = xstrdup(job);
	sd->lfd = -1;
	if ((rc = stepmsg_address(lab->dir, flight, job, &sa, &len, err)) < 0)
		return rc;
	sd->lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (sd->lfd < 0)
		return err_errno(err, TS_E_LAB, "socket");
	if (bind(sd->lfd, (struct sockaddr *)&sa, len) < 0) {
		rc = errno == EADDRINUSE ?
		    err_setf(err, TS_E_LAB, "flight %lld: job %s: another runner "
		    "serves its steps already", (long long)flight, job) :
		    err_errno(err, TS_E_LAB, "bind the step socket");
		return rc;
	}
	if (listen(sd->lfd, 64) < 0)
		return err_errno(err, TS_E_LAB, "listen on the step socket");
	return 0;
}

int
stepd_pollfds(const struct stepd *sd, struct pollfd *pfd, int max)
{
	size_t i;
	int n = 0;

	if (sd->lfd >= 0 && n < max) {
		pfd[n].fd = sd->lfd;
		pfd[n++].events = POLLIN;
	}
	for (i = 0; i < sd->n && n < max; i++) {
		pfd[n].fd = sd->c[i].fd;
		pfd[n++].events = POLLIN;
	}
	return n;
}

size_t
stepd_busy(const struct stepd *sd)
{
	return sd->n;
}

static void
answer_err(int fd, int rc, const char *msg)
{
	struct strbuf m = STRBUF_INIT;

	stepmsg_add(&m, "err");
	stepmsg_addf(&m, "%d", rc);
	stepmsg_add(&m, msg);
	(void)stepmsg_send(fd, &m, NULL);
	strbuf_release(&m);
}

static int
on_begin(struct stepd *sd, struct stepd_conn *c, const char **f, int nf,
    struct strbuf *err)
{
	struct strbuf m = STRBUF_INIT, name = STRBUF_INIT;
	struct step_outcome out;
	int rc;

	if (nf < 6 || c->stepno != 0)
		return err_setf(err, TS_E_INPUT, "a bad begin message");
	if (strtoll(f[1], NULL, 10) != sd->flight || strcmp(f[2], sd->job) != 0)
		return err_setf(err, TS_E_INPUT,
		    "this runner holds flight %lld job %s, not flight %s job %s",
		    (long long)sd->flight, sd->job, f[1], f[2]);
	memset(&out, 0, sizeof(out));
	if ((rc = step_record_begin(sd->lab, sd->flight, sd->job,
	    f[4][0] == '=' ? f[4] + 1 : NULL, f + 5, strtoll(f[3], NULL, 10), &out,
	    err)) < 0)
		return rc;
	c->stepno = out.stepno;
	c->testid = out.testid;
	step_name(f[5], &name);
	c->name = strbuf_detach(&name, NULL);
	stepmsg_add(&m, "ok");
	stepmsg_addf(&m, "%lld", (long long)out.stepno);
	stepmsg_add(&m, out.testid);
	stepmsg_add(&m, out.log);
	stepmsg_addf(&m, "%lld", (long long)step_timeout_ms(sd->lab));
	stepmsg_addf(&m, "%lld", (long long)step_grace_ms(sd->lab));
	rc = stepmsg_send(c->fd, &m, err);
	free(out.log);
	strbuf_release(&m);
	return rc;
}

static int
on_end(struct stepd *sd, struct stepd_conn *c, const char **f, int nf,
    struct strbuf *err)
{
	struct strbuf m = STRBUF_INIT;
	struct step_outcome out;
	int64_t pause;
	int rc;

	if (nf != 9 || c->stepno == 0 || c->ended ||
	    strtoll(f[1], NULL, 10) != c->stepno)
		return err_setf(err, TS_E_INPUT, "a bad end message");
	memset(&out, 0, sizeof(out));
	out.stepno = c->stepno;
	out.testid = c->testid;
	out.status = status_parse(f[2]);
	out.res.exited = atoi(f[3]);
	out.res.code = atoi(f[4]);
	out.res.signaled = atoi(f[5]);
	out.res.sig = atoi(f[6]);
	out.res.timed_out = atoi(f[7]);
	out.seconds = strtoll(f[8], NULL, 10);
	if (!status_is_final(out.status))
		return err_setf(err, TS_E_INPUT, "end status %s: not a final status", f[2]);
	if ((rc = step_record_end(sd->lab, sd->flight, sd->job, &out, err)) < 0)
		return rc;
	c->ended = 1;
	pause = step_pause_ms(sd->lab, sd->flight, sd->job, c->name, &out);
	stepmsg_add(&m, "ok");
	stepmsg_addf(&m, "%lld", (long long)pause);
	rc = stepmsg_send(c->fd, &m, err);
	strbuf_release(&m);
	return rc;
}

/* One message from c, or its end.  0: keep it; -1: close it. */
static int
on_ready(struct stepd *sd, struct stepd_conn *c)
{
	struct strbuf in = STRBUF_INIT, err = STRBUF_INIT;
	const char **f = xcalloc(STEPMSG_MAXFIELDS + 1, sizeof(*f));
	int nf, rc, keep = 0;
	ssize_t n;

	strbuf_grow(&in, STEPMSG_MAX + 1);
	while ((n = recv(c->fd, in.buf, STEPMSG_MAX, MSG_DONTWAIT | MSG_TRUNC)) < 0 &&
	    errno == EINTR)
		;
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
		keep = 1;
		goto out;
	}
	if (n <= 0 || n > STEPMSG_MAX)
		goto out;	/* gone, or nonsense: close */
	strbuf_setlen(&in, (size_t)n);
	nf = stepmsg_split(in.buf, in.len, f, STEPMSG_MAXFIELDS);
	f[nf > 0 ? nf : 0] = NULL;
	if (nf > 0 && strcmp(f[0], "begin") == 0)
		rc = on_begin(sd, c, f, nf, &err);
	else if (nf > 0 && strcmp(f[0], "end") == 0)
		rc = on_end(sd, c, f, nf, &err);
	else
		rc = err_setf(&err, TS_E_INPUT, "a message stepd does not know");
	if (rc < 0)
		answer_err(c->fd, rc, err.buf);
	keep = 1;
out:
	free(f);
	strbuf_release(&in);
	strbuf_release(&err);
	return keep ? 0 : -1;
}

static void
conn_close(struct stepd *sd, size_t i)
{
	struct stepd_conn *c = &sd->c[i];

	/* A step begun and never ended has lost its recorder. */
	if (c->stepno != 0 && !c->ended)
		(void)step_abandon(sd->lab, sd->flight, sd->job, c->stepno, NULL);
	close(c->fd);
	free(c->name);
	free(c->testid);
	sd->c[i] = sd->c[--sd->n];
}

static void
accept_all(struct stepd *sd)
{
	struct ucred cred;
	socklen_t len;
	int fd;

	while ((fd = accept4(sd->lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) >= 0) {
		len = sizeof(cred);
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 ||
		    cred.uid != geteuid()) {
			close(fd);	/* only our own user records our steps */
			continue;
		}
		ALLOC_GROW(sd->c, sd->n + 1, sd->alloc);
		memset(&sd->c[sd->n], 0, sizeof(sd->c[sd->n]));
		sd->c[sd->n++].fd = fd;
	}
}

void
stepd_serve(struct stepd *sd, const struct pollfd *pfd, int n)
{
	size_t i;
	int k;

	for (k = 0; k < n; k++) {
		if (pfd[k].revents == 0 || pfd[k].fd == sd->lfd)
			continue;
		for (i = 0; i < sd->n; i++)
			if (sd->c[i].fd == pfd[k].fd)
				break;
		if (i < sd->n && on_ready(sd, &sd->c[i]) < 0)
			conn_close(sd, i);
	}
	/* New connections last: the array above stays as pfd saw it. */
	for (k = 0; k < n; k++)
		if (pfd[k].fd == sd->lfd && pfd[k].revents != 0)
			accept_all(sd);
}

void
stepd_close(struct stepd *sd)
{
	if (sd->lfd >= 0)
		close(sd->lfd);
	sd->lfd = -1;
	while (sd->n > 0)
		conn_close(sd, sd->n - 1);
	free(sd->c);
	free(sd->job);
	sd->c = NULL;
	sd->job = NULL;
}
