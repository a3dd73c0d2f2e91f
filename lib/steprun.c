/*
 * steprun: run one step, recorded by the job's runner.  See steprun.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "err.h"
#include "log.h"
#include "stepmsg.h"
#include "steprun.h"
#include "strvec.h"
#include "xalloc.h"
#include "banned.h"

/* How long ts-step waits for its runner to answer (it may wait for locks). */
#define STEPRUN_ANSWER_MS (300 * 1000)

struct runner {
	int fd;
	struct strbuf in;
	const char *f[STEPMSG_MAXFIELDS];
	int nf;
};

static int
runner_connect(struct runner *r, const char *labdir, int64_t flight,
    const char *job, struct strbuf *err)
{
	struct sockaddr_un sa;
	socklen_t len;
	int rc;

	r->fd = -1;
	strbuf_init(&r->in, 0);
	if ((rc = stepmsg_address(labdir, flight, job, &sa, &len, err)) < 0)
		return rc;
	r->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (r->fd < 0)
		return err_errno(err, TS_E_LAB, "socket");
	if (connect(r->fd, (struct sockaddr *)&sa, len) < 0) {
		if (errno == ECONNREFUSED || errno == ENOENT)
			return err_setf(err, TS_E_INPUT,
			    "flight %lld: job %s: no runner holds it: steps are "
			    "recorded only while ts-run-job runs the job",
			    (long long)flight, job);
		return err_errno(err, TS_E_LAB, "flight %lld: job %s: connect to its runner",
		    (long long)flight, job);
	}
	return 0;
}

/* Send m, read the answer: 0 and r->f for "ok ...", else the error. */
static int
runner_ask(struct runner *r, const struct strbuf *m, int want, struct strbuf *err)
{
	int rc;

	if ((rc = stepmsg_send(r->fd, m, err)) < 0 ||
	    (rc = stepmsg_recv(r->fd, &r->in, STEPRUN_ANSWER_MS, err)) < 0)
		return rc;
	r->nf = stepmsg_split(r->in.buf, r->in.len, r->f, STEPMSG_MAXFIELDS);
	if (r->nf == 3 && strcmp(r->f[0], "err") == 0) {
		rc = atoi(r->f[1]);
		return err_setf(err, rc < 0 ? rc : TS_E_LAB, "%s", r->f[2]);
	}
	if (r->nf != want || strcmp(r->f[0], "ok") != 0)
		return err_setf(err, TS_E_LAB, "the job's runner answered nonsense");
	return 0;
}

static void
runner_close(struct runner *r)
{
	if (r->fd >= 0)
		close(r->fd);
	strbuf_release(&r->in);
}

static void
step_env(const char *labdir, int64_t flight, const char *job,
    const struct step_outcome *out, struct strvec *env)
{
	struct strvec set = STRVEC_INIT;

	strvec_pushf(&set, "TLAB_LAB=%s", labdir);
	strvec_pushf(&set, "TLAB_FLIGHT=%lld", (long long)flight);
	strvec_pushf(&set, "TLAB_JOB=%s", job);
	strvec_pushf(&set, "TLAB_STEP=%lld", (long long)out->stepno);
	strvec_pushf(&set, "TLAB_TESTID=%s", out->testid);
	strvec_env(env, &set);
	strvec_clear(&set);
}

/*
 * Run argv with its output in logfd and fill out->res and out->status;
 * last gets the log's last line ("exit status N ...").  A program that
 * cannot be started is the recipe's error: broken, 127.
 */
static void
step_exec(const char *labdir, int64_t flight, const char *job,
    const struct step_opts *o, const char *const *argv, int64_t timeout,
    int64_t grace, int logfd, struct step_outcome *out, struct strbuf *last)
{
	struct strbuf line = STRBUF_INIT, e = STRBUF_INIT;
	struct strvec args = STRVEC_INIT, env = STRVEC_INIT;
	struct proc_opts po = PROC_OPTS_INIT;
	int64_t t0 = clock_now_ms();
	const char *const *a;
	struct deadline dl;
	struct proc p;
	int nullfd;

	/* The "+" only shapes the testid; the program does not see it. */
	for (a = argv; *a != NULL; a++)
		if (a == argv || strcmp(*a, "+") != 0)
			strvec_push(&args, *a);
	strbuf_add_argv_human(&line, args.v);
	log_line(logfd, "step %lld %s: %s", (long long)out->stepno, out->testid,
	    line.buf);
	step_env(labdir, flight, job, out, &env);
	nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	po.argv = args.v;
	po.envp = (char *const *)env.v;
	po.fd_in = nullfd;
	po.fd_out = po.fd_err = logfd;
	po.new_group = 1;
	po.pdeathsig = SIGTERM;
	deadline_in(&dl, timeout, "step %s", out->testid);
	if (proc_spawn(&p, &po, &e) < 0 || proc_wait(&p, &dl, grace, &out->res, &e) < 0) {
		log_line(logfd, "%s", e.buf);
		memset(&out->res, 0, sizeof(out->res));
		out->res.exited = 1;
		out->res.code = 127;
		out->status = ST_BROKEN;
	} else if (out->res.aborted) {
		out->status = ST_ABORTED;
	} else if (out->res.timed_out || out->res.signaled) {
		out->status = o->on_fail;
	} else {
		out->status = status_of_exit(out->res.code, o->on_fail);
	}
	proc_release(&p);
	out->seconds = (clock_now_ms() - t0 + 500) / 1000;
	proc_describe(&out->res, last);
	if (out->res.timed_out)
		strbuf_addf(last, " (timed out after %lld s: %s)",
		    (long long)(timeout / 1000), dl.what.buf);
	if (out->res.aborted)
		strbuf_addf(last, " (aborted by signal %d)", proc_aborted());
	deadline_release(&dl);
	if (nullfd >= 0)
		close(nullfd);
	strbuf_release(&line);
	strbuf_release(&e);
	strvec_clear(&args);
	strvec_clear(&env);
}

static int
send_end(struct runner *r, const struct step_outcome *out, int64_t *pause_ms,
    struct strbuf *err)
{
	struct strbuf m = STRBUF_INIT;
	int rc;

	stepmsg_add(&m, "end");
	stepmsg_addf(&m, "%lld", (long long)out->stepno);
	stepmsg_add(&m, status_name(out->status));
	stepmsg_addf(&m, "%d", out->res.exited);
	stepmsg_addf(&m, "%d", out->res.code);
	stepmsg_addf(&m, "%d", out->res.signaled);
	stepmsg_addf(&m, "%d", out->res.sig);
	stepmsg_addf(&m, "%d", out->res.timed_out);
	stepmsg_addf(&m, "%lld", (long long)out->seconds);
	rc = runner_ask(r, &m, 2, err);
	if (rc == 0 && pause_ms != NULL)
		*pause_ms = strtoll(r->f[1], NULL, 10);
	strbuf_release(&m);
	return rc;
}

int
steprun(const char *labdir, int64_t flight, const char *job,
    const struct step_opts *o, const char *const *argv,
    struct step_outcome *out, struct strbuf *err)
{
	struct strbuf m = STRBUF_INIT, last = STRBUF_INIT;
	const char *const *a;
	int64_t timeout, grace, pause_ms = 0;
	struct runner r;
	int rc, logfd;

	memset(out, 0, sizeof(*out));
	if ((rc = runner_connect(&r, labdir, flight, job, err)) < 0)
		goto out;
	stepmsg_add(&m, "begin");
	stepmsg_addf(&m, "%lld", (long long)flight);
	stepmsg_add(&m, job);
	stepmsg_addf(&m, "%d", (int)getpid());
	if (o->testid != NULL)
		stepmsg_addf(&m, "=%s", o->testid);
	else
		stepmsg_add(&m, "-");
	for (a = argv; *a != NULL; a++)
		stepmsg_add(&m, *a);
	if ((rc = runner_ask(&r, &m, 6, err)) < 0)
		goto out;
	out->stepno = strtoll(r.f[1], NULL, 10);
	out->testid = xstrdup(r.f[2]);
	out->log = xstrdup(r.f[3]);
	timeout = o->timeout_ms >= 0 ? o->timeout_ms : strtoll(r.f[4], NULL, 10);
	grace = strtoll(r.f[5], NULL, 10);
	/* From here the step is recorded: it must end with a status. */
	if ((logfd = log_open(out->log, err)) < 0) {
		out->status = ST_BROKEN;
		(void)send_end(&r, out, NULL, NULL);
		rc = logfd;
		goto out;
	}
	step_exec(labdir, flight, job, o, argv, timeout, grace, logfd, out, &last);
	rc = send_end(&r, out, &pause_ms, err);
	/* Recorded first, so the pause shows; the exit status stays last. */
	if (rc == 0 && pause_ms > 0) {
		log_line(logfd, "PAUSING as requested by pause_on_%s, for up to %lld s"
		    " (pid %d; SIGTERM ends the pause)", status_name(out->status),
		    (long long)(pause_ms / 1000), (int)getpid());
		(void)proc_sleep(pause_ms);
		log_line(logfd, "pause over");
	}
	log_line(logfd, "%s", last.buf);
	close(logfd);
out:
	runner_close(&r);
	strbuf_release(&m);
	strbuf_release(&last);
	return rc;
}

void
step_outcome_release(struct step_outcome *out)
{
	free(out->testid);
	free(out->log);
	memset(out, 0, sizeof(*out));
}
