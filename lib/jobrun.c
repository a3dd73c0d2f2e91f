/*
 * jobrun: claim, check, run and conclude one job.  See jobrun.h.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"
#include "clock.h"
#include "err.h"
#include "host.h"
#include "job.h"
#include "jobrun.h"
#include "log.h"
#include "power.h"
#include "proc.h"
#include "runvar.h"
#include "step.h"
#include "stepd.h"
#include "strvec.h"
#include "banned.h"

void
jobrun_libsh(const struct lab *lab, struct strbuf *path)
{
	strbuf_reset(path);
	lab_path(lab, path, "recipes/lib.sh");
	if (access(path->buf, R_OK) == 0)
		return;
	strbuf_reset(path);
	strbuf_addf(path, "%s/recipes/lib.sh", lab_datadir());
}

/*
 * The build jobs a job depends on: every runvar whose name ends in
 * "buildjob".  Returns 0 when all passed; TS_E_AGAIN with err saying which
 * when one has not finished; TS_E_BLOCKED when one finished without
 * passing; TS_E_INPUT when one names no job.
 */
static int
check_build_jobs(struct lab *lab, int64_t flight, const char *job,
    struct strbuf *err)
{
	struct runvar_list rv = RUNVAR_LIST_INIT;
	size_t i;
	int rc;

	if ((rc = runvar_list(lab, flight, job, &rv, err)) < 0)
		return rc;
	for (i = 0; i < rv.nr && rc == 0; i++) {
		const struct runvar *r = &rv.v[i];
		int64_t bflight;
		char *bjob = NULL;
		struct job b;

		if (!runvar_name_ends(r->name, "buildjob"))
			continue;
		if ((rc = runvar_parse_jobref(r->val, flight, &bflight, &bjob, err)) < 0 ||
		    (rc = job_get(lab, bflight, bjob, &b, err)) < 0) {
			err_wrapf(err, rc, "runvar %s", r->name);
			free(bjob);
			break;
		}
		if (b.status != ST_PASS) {
			rc = status_is_final(b.status) ? TS_E_BLOCKED : TS_E_AGAIN;
			err_setf(err, rc, "build job %s (%s) is %s, not pass", r->val,
			    r->name, status_name(b.status));
		}
		job_release(&b);
		free(bjob);
	}
	runvar_list_release(&rv);
	return rc;
}

struct tee {
	int fd;
	const struct jobrun_opts *o;
};

static void
tee_out(const char *buf, size_t n, void *ctx)
{
	struct tee *t = ctx;

	(void)!write(t->fd, buf, n);
	if (t->o->echo != NULL)
		t->o->echo(buf, n, t->o->ctx);
}

static void
recipe_env(const struct lab *lab, int64_t flight, const char *job,
    const char *file, const struct jobrun_opts *o, struct strvec *env)
{
	struct strvec set = STRVEC_INIT;
	struct strbuf libsh = STRBUF_INIT;
	const char *path = getenv("PATH");

	jobrun_libsh(lab, &libsh);
	strvec_pushf(&set, "TLAB_LAB=%s", lab->dir);
	strvec_pushf(&set, "TLAB_FLIGHT=%lld", (long long)flight);
	strvec_pushf(&set, "TLAB_JOB=%s", job);
	strvec_pushf(&set, "TLAB_LIBSH=%s", libsh.buf);
	strvec_pushf(&set, "TLAB_RECIPE=%s", file);
	if (o->dry_run)
		strvec_push(&set, "TLAB_SIMULATE=1");
	if (o->bindir != NULL)
		strvec_pushf(&set, "PATH=%s:%s", o->bindir,
		    path != NULL ? path : "/usr/bin:/bin");
	strvec_env(env, &set);
	strvec_clear(&set);
	strbuf_release(&libsh);
}

struct recipe_end {
	struct proc_result res;
	int timed_out;
	int aborted;
	int64_t timeout_ms;
};

static int64_t
min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

struct recipe_run {
	struct proc p;
	struct stepd sd;
	struct tee t;
	int pipefd;
	int reaped;
	int64_t stop_at;	/* monotonic ms when SIGTERM went; 0: not stopping */
	int killed;
};

/* SIGTERM to the recipe's group (its steps stop theirs and report). */
static void
recipe_stop(struct recipe_run *rr)
{
	if (rr->stop_at != 0)
		return;
	proc_signal(&rr->p, SIGTERM);
	proc_signal(&rr->p, SIGCONT);
	rr->stop_at = clock_now_ms();
}

/*
 * Run the recipe file with its output into logfd (and o->echo), serving
 * its ts-steps (stepd) and renewing the job's lease until the recipe and
 * everything of its process group are gone.  A signal to us, or the job's
 * bound passing, stops the recipe: SIGTERM to its group, SIGKILL after
 * abort_grace; its steps keep being served meanwhile, so that each records
 * how it ended.
 */
static int
run_recipe(struct lab *lab, int64_t flight, const char *job, const char *file,
    const struct jobrun_opts *o, int logfd, struct recipe_end *end,
    struct strbuf *err)
{
	struct proc_opts po = PROC_OPTS_INIT;
	struct strvec env = STRVEC_INIT;
	const char *argv[] = { "sh", file, NULL };
	int64_t lease = conf_lab_ms(&lab->conf, "lease", CONF_DEFAULT_LEASE_MS);
	int64_t grace = conf_lab_ms(&lab->conf, "abort_grace", CONF_DEFAULT_ABORT_GRACE_MS);
	int64_t renew_at;
	struct pollfd pfd[130];
	struct recipe_run rr;
	struct deadline dl;
	int pipefd[2], nullfd, rc, n, ns, k;

	memset(end, 0, sizeof(*end));
	memset(&rr, 0, sizeof(rr));
	rr.t.fd = logfd;
	rr.t.o = o;
	end->timeout_ms = o->timeout_ms >= 0 ? o->timeout_ms :
	    conf_lab_ms(&lab->conf, "job_timeout", CONF_DEFAULT_JOB_TIMEOUT_MS);
	rr.sd.lfd = -1;
	/* A dry run records nothing: no steps to serve. */
	if (!o->dry_run && (rc = stepd_open(&rr.sd, lab, flight, job, err)) < 0) {
		stepd_close(&rr.sd);
		return rc;
	}
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		stepd_close(&rr.sd);
		return err_errno(err, TS_E_LAB, "pipe");
	}
	nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	recipe_env(lab, flight, job, file, o, &env);
	po.argv = argv;
	po.envp = (char *const *)env.v;
	po.cwd = lab->dir;
	po.fd_in = nullfd;
	po.fd_out = po.fd_err = pipefd[1];
	po.new_group = 1;
	po.pdeathsig = SIGTERM;
	rc = proc_spawn(&rr.p, &po, err);
	close(pipefd[1]);
	if (nullfd >= 0)
		close(nullfd);
	strvec_clear(&env);
	if (rc < 0) {
		close(pipefd[0]);
		stepd_close(&rr.sd);
		return rc;
	}
	rr.pipefd = pipefd[0];
	(void)fcntl(rr.pipefd, F_SETFL, O_NONBLOCK);
	deadline_in(&dl, end->timeout_ms, "recipe %s", file);
	renew_at = clock_now_ms() + lease / 3;
	for (;;) {
		int64_t now = clock_now_ms(), wait = renew_at - now;

		n = 0;
		if (rr.pipefd >= 0) {
			pfd[n].fd = rr.pipefd;
			pfd[n++].events = POLLIN;
		}
		ns = stepd_pollfds(&rr.sd, pfd + n, (int)(sizeof(pfd) / sizeof(pfd[0])) - n - 1);
		k = n;
		n += ns;
		if (!rr.reaped && rr.p.pidfd >= 0) {
			pfd[n].fd = rr.p.pidfd;
			pfd[n++].events = POLLIN;
		}
		if (rr.stop_at == 0)
			wait = min64(wait, deadline_left(&dl));
		else if (!rr.killed)
			wait = min64(wait, rr.stop_at + grace - now);
		/* Without a pidfd, or waiting for a group to empty: look often. */
		if (rr.reaped || rr.p.pidfd < 0)
			wait = min64(wait, 20);
		if (wait < 0)
			wait = 0;
		(void)proc_poll(pfd, n, wait);
		if (rr.stop_at == 0 && proc_aborted()) {
			end->aborted = proc_aborted();
			recipe_stop(&rr);
		}
		if (rr.pipefd >= 0 && pfd[0].revents != 0 &&
		    proc_drain(rr.pipefd, tee_out, &rr.t) == 0) {
			close(rr.pipefd);	/* every writer closed it */
			rr.pipefd = -1;
		}
		stepd_serve(&rr.sd, pfd + k, ns);
		if (!rr.reaped && proc_reaped(&rr.p))
			rr.reaped = 1;
		if (rr.reaped && stepd_busy(&rr.sd) == 0 && proc_group_gone(&rr.p))
			break;
		if (rr.reaped && rr.stop_at == 0)
			recipe_stop(&rr);	/* stragglers of a recipe that ended */
		if (rr.stop_at == 0 && deadline_passed(&dl)) {
			end->timed_out = 1;
			recipe_stop(&rr);
		}
		now = clock_now_ms();
		if (rr.stop_at != 0 && !rr.killed && now >= rr.stop_at + grace) {
			proc_signal(&rr.p, SIGKILL);
			rr.killed = 1;
		}
		/* Killed, and no word from its steps for a grace more: done. */
		if (rr.killed && rr.reaped && now >= rr.stop_at + 2 * grace &&
		    proc_group_gone(&rr.p))
			break;
		if (now >= renew_at) {
			(void)job_renew(lab, flight, job, lease, NULL);
			(void)alloc_renew(lab, flight, job, lease, NULL);
			renew_at = now + lease / 3;
		}
	}
	if (rr.pipefd >= 0) {
		(void)proc_drain(rr.pipefd, tee_out, &rr.t);
		close(rr.pipefd);
	}
	stepd_close(&rr.sd);
	proc_result_of(&rr.p, &end->res);
	proc_release(&rr.p);
	deadline_release(&dl);
	return 0;
}

/*
 * The job's status from how its recipe ended and what its steps say: the
 * worst step; broken when the recipe failed and no step says why (a shell
 * error, a step ts-step refused), or said broken itself (lib.sh exits with
 * the worst outcome it saw, recorded or not).
 */
static enum ts_status
conclude(struct lab *lab, int64_t flight, const char *job,
    const struct recipe_end *end, struct strbuf *why, struct strbuf *err)
{
	struct step_list steps = STEP_LIST_INIT;
	enum ts_status worst, said;

	if (end->aborted) {
		strbuf_addf(why, "aborted by signal %d", end->aborted);
		return ST_ABORTED;
	}
	if (end->timed_out) {
		/* Its steps were stopped by the job's bound, not by a person. */
		(void)step_retag(lab, flight, job, ST_ABORTED, ST_BROKEN, err);
		strbuf_addf(why, "recipe timed out after %lld s",
		    (long long)(end->timeout_ms / 1000));
		return ST_BROKEN;
	}
	if (step_list(lab, flight, job, &steps, err) < 0) {
		strbuf_addf(why, "its steps could not be read: %s", err->buf);
		return ST_BROKEN;
	}
	worst = step_list_worst(&steps, NULL);
	step_list_release(&steps);
	if (end->res.exited && end->res.code == 0)
		return worst == ST_NONE ? ST_PASS : worst;
	said = end->res.exited ? status_of_exit(end->res.code, ST_FAIL) : ST_BROKEN;
	/* The steps explain it: the recipe said no worse than they did. */
	if (worst != ST_NONE && worst != ST_PASS && status_worse(worst, said) == worst)
		return worst;
	strbuf_addstr(why, "the recipe failed outside its recorded steps: ");
	proc_describe(&end->res, why);
	return status_worse(worst, ST_BROKEN);
}

/* A line of the runner's own: into job.log, and to a terminal if one watches. */
static void
tell(int logfd, const struct jobrun_opts *o, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
tell(int logfd, const struct jobrun_opts *o, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	if (logfd >= 0)
		log_line(logfd, "%s", sb.buf);
	if (o->echo != NULL) {
		strbuf_addch(&sb, '\n');
		o->echo(sb.buf, sb.len, o->ctx);
	}
	strbuf_release(&sb);
}

/*
 * Can h be power-cycled with nobody there and without its own SSH?  Not
 * by its own reboot (power ssh: it does not answer) nor by a person
 * (manual: nobody reads job.log in time).
 */
static int
power_unattended(const struct host *h)
{
	const char *m = host_prop(h, "power");

	return m != NULL && strcmp(m, "ssh") != 0 && strcmp(m, "manual") != 0 &&
	    power_check(h, "cycle", NULL) == 0;
}

/* power_do "cycle", the words of a power command into job.log. */
static int
power_cycle(struct lab *lab, const struct host *h, int logfd,
    struct strbuf *note, struct strbuf *err)
{
	int saved = -1, rc;

	/* A power command writes to fd 2, as a step's log is in a step. */
	if (logfd >= 0 && (saved = dup(STDERR_FILENO)) >= 0)
		(void)dup2(logfd, STDERR_FILENO);
	rc = power_do(lab, h, "cycle", note, err);
	if (saved >= 0) {
		(void)dup2(saved, STDERR_FILENO);
		close(saved);
	}
	return rc;
}

/*
 * Host name, held by a job that ended broken: does it still answer?  If
 * not, one power cycle when that needs nobody, and as long again for it
 * to answer; a host still silent is quarantined with the reason.  A look
 * cut short by a signal to the runner proves nothing: the host is then
 * given back unchecked, as before this check existed.
 */
static int
check_host(struct lab *lab, int64_t flight, const char *job, const char *name,
    int logfd, const struct jobrun_opts *o, struct strbuf *err)
{
	struct strbuf e = STRBUF_INIT, why = STRBUF_INIT, note = STRBUF_INIT;
	int64_t bound = conf_lab_ms(&lab->conf, "host_check_timeout",
	    CONF_DEFAULT_HOST_CHECK_TIMEOUT_MS);
	struct host h;
	int rc;

	if ((rc = host_get(lab, name, &h, err)) < 0)
		return rc;
	if (strcmp(h.state, HOST_QUARANTINED) == 0) {
		tell(logfd, o, "host %s: quarantined already (%s): not checked", name,
		    h.why ? h.why : "");
		goto out;
	}
	/* The checks can outlast a lease: the hosts stay ours meanwhile. */
	(void)alloc_renew(lab, flight, job,
	    conf_lab_ms(&lab->conf, "lease", CONF_DEFAULT_LEASE_MS), NULL);
	tell(logfd, o, "host %s: the job ended broken: does the host answer SSH? "
	    "(up to %lld s)", name, (long long)(bound / 1000));
	if (host_check(lab, &h, bound, 0, &e) == 0) {
		tell(logfd, o, "host %s: answers SSH: given back free", name);
		goto out;
	}
	if (proc_aborted()) {
		tell(logfd, o, "host %s: its check stopped by signal %d: given back "
		    "unchecked", name, proc_aborted());
		goto out;
	}
	strbuf_addf(&why, "flight %lld job %s: ended broken and the host does not "
	    "answer SSH: %s", (long long)flight, job, host_unprefix(name, e.buf));
	if (power_unattended(&h)) {
		tell(logfd, o, "host %s: does not answer SSH (%s): power-cycling it, "
		    "then waiting up to %lld s", name, host_unprefix(name, e.buf),
		    (long long)(bound / 1000));
		if (power_cycle(lab, &h, logfd, &note, &e) < 0) {
			strbuf_addf(&why, "; its power cycle failed: %s",
			    host_unprefix(name, e.buf));
		} else {
			strbuf_rtrim(&note);
			tell(logfd, o, "host %s: %s", name,
			    host_unprefix(name, note.buf));
			if (host_check(lab, &h, bound, 1, &e) == 0) {
				tell(logfd, o, "host %s: answers SSH after its power "
				    "cycle: given back free", name);
				goto out;
			}
			strbuf_addf(&why, "; power-cycled, %s",
			    host_unprefix(name, e.buf));
		}
	}
	strbuf_addf(&why, " (ts-host unquarantine %s once it is well)", name);
	if ((rc = host_set_state(lab, name, HOST_QUARANTINED, why.buf, err)) == 0)
		tell(logfd, o, "host %s: quarantined: %s", name, why.buf);
out:
	host_release(&h);
	strbuf_release(&e);
	strbuf_release(&why);
	strbuf_release(&note);
	return rc;
}

/*
 * A job that ended broken may have left a host dead (its kernel hung,
 * its network gone): each host it holds must answer before it is given
 * back, or it is quarantined.  A job that failed is not looked at: a
 * failure is the test's verdict on the software, not the lab's on the
 * host.
 */
static int
check_hosts(struct lab *lab, int64_t flight, const char *job, int logfd,
    const struct jobrun_opts *o, struct strbuf *err)
{
	struct strvec hosts = STRVEC_INIT;
	size_t i;
	int rc;

	if ((rc = alloc_held(lab, flight, job, &hosts, err)) < 0)
		return rc;
	for (i = 0, rc = 0; i < hosts.nr && rc == 0; i++)
		rc = check_host(lab, flight, job, hosts.v[i], logfd, o, err);
	strvec_clear(&hosts);
	return rc;
}

static int
jobrun_dry(struct lab *lab, int64_t flight, const char *job,
    const struct jobrun_opts *o, struct strbuf *err)
{
	struct recipe_end end;
	struct strbuf file = STRBUF_INIT;
	struct job j;
	int rc;

	if ((rc = job_get(lab, flight, job, &j, err)) < 0)
		return rc;
	if ((rc = lab_find_recipe(lab, j.recipe, &file, err)) == 0)
		rc = run_recipe(lab, flight, job, file.buf, o, STDOUT_FILENO, &end, err);
	if (rc == 0 && (!end.res.exited || end.res.code != 0)) {
		strbuf_reset(err);
		proc_describe(&end.res, err);
		rc = err_wrapf(err, TS_E_INPUT, "recipe %s", j.recipe);
	}
	job_release(&j);
	strbuf_release(&file);
	return rc;
}

int
jobrun(struct lab *lab, int64_t flight, const char *job,
    const struct jobrun_opts *o, enum ts_status *final, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT, file = STRBUF_INIT, why = STRBUF_INIT;
	struct recipe_end end;
	enum ts_status st;
	struct job j;
	int rc, logfd = -1;

	if (o->dry_run)
		return jobrun_dry(lab, flight, job, o, err);
	if ((rc = job_get(lab, flight, job, &j, err)) < 0)
		return rc;
	/* A build job still to run: not this job's turn (nothing is changed). */
	if (j.status == ST_QUEUED &&
	    (rc = check_build_jobs(lab, flight, job, err)) == TS_E_AGAIN) {
		rc = err_wrapf(err, TS_E_INPUT, "flight %lld: job %s: waits",
		    (long long)flight, job);
		goto out;
	}
	if ((rc = job_claim(lab, flight, job,
	    conf_lab_ms(&lab->conf, "lease", CONF_DEFAULT_LEASE_MS), err)) < 0)
		goto out;
	if ((rc = lab_log_dir(lab, flight, job, &path, err)) < 0)
		goto broken;
	strbuf_addstr(&path, "/job.log");
	if ((logfd = log_open(path.buf, err)) < 0) {
		rc = logfd;
		goto broken;
	}
	log_line(logfd, "flight %lld job %s: recipe %s, runner pid %d on %s, %s",
	    (long long)flight, job, j.recipe, (int)getpid(), proc_hostname(),
	    lab_harness());
	rc = check_build_jobs(lab, flight, job, err);
	if (rc == TS_E_BLOCKED || rc == TS_E_AGAIN) {
		log_line(logfd, "blocked: %s", err->buf);
		strbuf_addstr(&why, err->buf);
		rc = step_note(lab, flight, job, "build-check", "build-check",
		    ST_BLOCKED, why.buf, err);
		st = ST_BLOCKED;
		goto finish;
	}
	if (rc < 0)
		goto broken;
	if ((rc = lab_find_recipe(lab, j.recipe, &file, err)) < 0)
		goto broken;
	if ((rc = job_set_running(lab, flight, job, err)) < 0)
		goto broken;
	log_line(logfd, "running %s", file.buf);
	if ((rc = run_recipe(lab, flight, job, file.buf, o, logfd, &end, err)) < 0)
		goto broken;
	strbuf_reset(err);
	st = conclude(lab, flight, job, &end, &why, err);
	goto finish;
broken:
	st = ST_BROKEN;
	strbuf_addstr(&why, err->buf);
finish:
	/* A broken job keeps the error that broke it as the runner's own. */
	{
		struct strbuf e2 = STRBUF_INIT;
		int r2 = job_finish(lab, flight, job, st, why.len ? why.buf : NULL,
		    final, &e2);

		if (r2 == 0 && *final == ST_BROKEN)
			r2 = check_hosts(lab, flight, job, logfd, o, &e2);
		/*
		 * However it ended, the job gives back every host it held (one
		 * it broke is quarantined by now: no job is given it).
		 */
		if (r2 == 0) {
			struct strbuf why2 = STRBUF_INIT;

			strbuf_addf(&why2, "job ended %s", status_name(*final));
			r2 = alloc_release(lab, flight, job, NULL, why2.buf, &e2);
			strbuf_release(&why2);
		}
		if (r2 < 0) {
			strbuf_reset(err);
			strbuf_addstr(err, e2.buf);
			rc = r2;
		} else if (logfd >= 0) {
			log_line(logfd, "job %s: %s%s%s", job, status_name(*final),
			    why.len ? ": " : "", why.buf);
		}
		strbuf_release(&e2);
	}
out:
	if (logfd >= 0)
		close(logfd);
	job_release(&j);
	strbuf_release(&path);
	strbuf_release(&file);
	strbuf_release(&why);
	return rc;
}
