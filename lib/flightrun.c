/*
 * flightrun: schedule a flight's jobs.  See flightrun.h.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "err.h"
#include "flight.h"
#include "flightrun.h"
#include "job.h"
#include "proc.h"
#include "runvar.h"
#include "strvec.h"
#include "xalloc.h"
#include "banned.h"

/* How often the runner looks at jobs it did not start (run by hand). */
#define FLIGHT_POLL_MS 1000

struct child {
	struct proc p;
	char *job;
	int64_t t0;
};

struct run {
	struct lab *lab;
	int64_t flight;
	const struct flightrun_opts *o;
	struct child *kids;
	size_t nkids, akids;
	struct flightrun_result *res;
	const char *branch;	/* the flight's, for its settings */
	int64_t external_since;	/* monotonic ms: only other flights' jobs left */
	int64_t external_bound;	/* how long to wait for them: job_timeout */
};

static void
say(struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
say(struct run *r, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	if (r->o->progress == NULL)
		return;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	r->o->progress(sb.buf, r->o->ctx);
	strbuf_release(&sb);
}

static int
is_active(enum ts_status st)
{
	return st == ST_QUEUED || st == ST_PREPARING || st == ST_RUNNING;
}

static const struct job *
find_job(const struct job_list *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->nr; i++)
		if (strcmp(l->v[i].name, name) == 0)
			return &l->v[i];
	return NULL;
}

/*
 * What queued job j waits for: the jobs named by its runvars ending in
 * "job" (buildjob, xenbuildjob, ...) that are still to finish.  Those of
 * this flight go to same, by name; the first of another flight goes to
 * *external as "FLIGHT.JOB" (NULL when none).
 */
static int
job_waits(struct run *r, const struct job_list *jobs, const struct job *j,
    struct strvec *same, char **external, struct strbuf *err)
{
	struct runvar_list rv = RUNVAR_LIST_INIT;
	size_t i;
	int rc;

	*external = NULL;
	if ((rc = runvar_list(r->lab, r->flight, j->name, &rv, err)) < 0)
		return rc;
	for (i = 0; i < rv.nr; i++) {
		const struct job *dep;
		struct job other;
		int64_t dflight;
		char *djob = NULL;

		if (!runvar_name_ends(rv.v[i].name, "job"))
			continue;
		if (runvar_parse_jobref(rv.v[i].val, r->flight, &dflight, &djob, NULL) < 0)
			continue;	/* not a job name: ts-run-job will say so */
		if (dflight == r->flight) {
			if (strcmp(djob, j->name) != 0 &&
			    (dep = find_job(jobs, djob)) != NULL && is_active(dep->status))
				strvec_push(same, djob);
		} else if (*external == NULL &&
		    job_get(r->lab, dflight, djob, &other, NULL) == 0) {
			if (is_active(other.status))
				*external = xasprintf("%lld.%s", (long long)dflight, djob);
			job_release(&other);
		}
		free(djob);
	}
	runvar_list_release(&rv);
	return 0;
}

/* Is job `from` waiting, through other queued jobs, for job `to`? */
static int
reaches(struct run *r, const struct job_list *jobs, const char *from,
    const char *to, struct strvec *seen, int *hit, struct strbuf *err)
{
	struct strvec deps = STRVEC_INIT;
	const struct job *j = find_job(jobs, from);
	char *ext = NULL;
	size_t i;
	int rc;

	for (i = 0; i < seen->nr; i++)
		if (strcmp(seen->v[i], from) == 0)
			return 0;
	strvec_push(seen, from);
	if (j == NULL || (rc = job_waits(r, jobs, j, &deps, &ext, err)) < 0) {
		free(ext);
		return j == NULL ? 0 : rc;
	}
	for (i = 0; i < deps.nr && !*hit && rc >= 0; i++) {
		if (strcmp(deps.v[i], to) == 0)
			*hit = 1;
		else
			rc = reaches(r, jobs, deps.v[i], to, seen, hit, err);
	}
	strvec_clear(&deps);
	free(ext);
	return rc;
}

/*
 * Nothing runs and no queued job can start.  external: they wait for
 * other flights' jobs, for longer than the bound: each is broken.  Else
 * some wait for each other: those in a cycle are broken, and the next look
 * starts the jobs that waited for them (their ts-run-job blocks them).
 */
static int
break_stuck(struct run *r, const struct job_list *jobs, int external,
    struct strbuf *err)
{
	size_t i;
	int rc = 0, broke = 0;

	for (i = 0; i < jobs->nr && rc >= 0; i++) {
		const struct job *j = &jobs->v[i];
		struct strvec deps = STRVEC_INIT, seen = STRVEC_INIT;
		struct strbuf why = STRBUF_INIT;
		char *ext = NULL;
		int cyclic = 0;

		if (j->status != ST_QUEUED)
			continue;
		if ((rc = job_waits(r, jobs, j, &deps, &ext, err)) == 0 && !external)
			rc = reaches(r, jobs, j->name, j->name, &seen, &cyclic, err);
		if (rc == 0 && external && ext != NULL)
			strbuf_addf(&why, "waited %lld s for job %s of another flight",
			    (long long)(clock_now_ms() - r->external_since) / 1000, ext);
		else if (rc == 0 && cyclic)
			strbuf_addf(&why, "can never start: its dependencies form a "
			    "cycle (it waits for %s)", deps.nr ? deps.v[0] : "?");
		if (why.len > 0) {
			rc = job_finish(r->lab, r->flight, j->name, ST_BROKEN, why.buf,
			    NULL, err);
			say(r, "job %s: broken: %s", j->name, why.buf);
			broke++;
		}
		strbuf_release(&why);
		strvec_clear(&deps);
		strvec_clear(&seen);
		free(ext);
	}
	if (rc >= 0 && broke == 0)
		rc = err_setf(err, TS_E_LAB, "flight %lld: queued jobs that cannot "
		    "start, and no cycle among them", (long long)r->flight);
	return rc;
}

static int
start_job(struct run *r, const struct job *j, struct strbuf *err)
{
	struct proc_opts po = PROC_OPTS_INIT;
	struct strbuf id = STRBUF_INIT;
	const char *argv[7];
	struct child *c;
	int rc;

	strbuf_addf(&id, "%lld", (long long)r->flight);
	/* Its output is in its job.log; a terminal gets ours. */
	argv[0] = r->o->run_job != NULL ? r->o->run_job : "ts-run-job";
	argv[1] = "--quiet";
	argv[2] = "--lab";
	argv[3] = r->lab->dir;
	argv[4] = id.buf;
	argv[5] = j->name;
	argv[6] = NULL;
	po.argv = argv;
	po.new_group = 1;
	po.pdeathsig = SIGTERM;
	ALLOC_GROW(r->kids, r->nkids + 1, r->akids);
	c = &r->kids[r->nkids];
	rc = proc_spawn(&c->p, &po, err);
	strbuf_release(&id);
	if (rc < 0)
		return rc;
	c->job = xstrdup(j->name);
	c->t0 = clock_now_ms();
	r->nkids++;
	say(r, "job %s: started", j->name);
	return 0;
}

/*
 * A job that broke is the lab's fault, not the test's: run it again, up
 * to the branch's retry_broken times (default once), keeping each attempt
 * as JOB~N and asking for other hosts than the attempt had (hosts_avoid).
 */
static int
maybe_retry(struct run *r, const struct job *j, struct strbuf *err)
{
	struct runvar_list rv = RUNVAR_LIST_INIT;
	struct strbuf kept = STRBUF_INIT, avoid = STRBUF_INIT;
	struct job_list jobs = JOB_LIST_INIT;
	const char *set = conf_get(&r->lab->conf, "branch", r->branch, "retry_broken");
	long retries = set != NULL ? strtol(set, NULL, 10) : 1, done = 0;
	size_t i;
	int rc;

	if (j->status != ST_BROKEN || r->res->aborted_by != 0)
		return 0;
	if ((rc = job_list(r->lab, r->flight, &jobs, err)) < 0)
		goto out;
	for (i = 0; i < jobs.nr; i++)
		if (jobs.v[i].attempt_of != NULL && strcmp(jobs.v[i].attempt_of, j->name) == 0)
			done++;
	if (done >= retries)
		goto out;
	if ((rc = runvar_list(r->lab, r->flight, j->name, &rv, err)) < 0)
		goto out;
	for (i = 0; i < rv.nr; i++)
		if (rv.v[i].synth && (strcmp(rv.v[i].name, "host") == 0 ||
		    runvar_name_ends(rv.v[i].name, "_host")))
			strbuf_addf(&avoid, "%s%s", avoid.len ? "," : "", rv.v[i].val);
	if ((rc = job_keep_attempt(r->lab, r->flight, j->name, &kept, err)) < 0)
		goto out;
	if (avoid.len > 0 &&
	    (rc = runvar_set(r->lab, r->flight, j->name, "hosts_avoid", avoid.buf, err)) < 0)
		goto out;
	say(r, "job %s: broken, runs again (attempt %ld of %ld); the broken one "
	    "is kept as %s", j->name, done + 2, retries + 1, kept.buf);
	rc = 1;
out:
	runvar_list_release(&rv);
	job_list_release(&jobs);
	strbuf_release(&kept);
	strbuf_release(&avoid);
	return rc;
}

/* A child ended: its job must have a final status; if not, it is broken. */
static int
child_done(struct run *r, size_t k, struct strbuf *err)
{
	struct child *c = &r->kids[k];
	struct job j;
	int rc;

	proc_release(&c->p);
	if ((rc = job_reap_stale(r->lab, r->flight, err)) < 0)
		return rc;
	if ((rc = job_get(r->lab, r->flight, c->job, &j, err)) < 0)
		return rc;
	say(r, "job %s: %s (%lld s)%s%s", c->job, status_name(j.status),
	    (long long)((clock_now_ms() - c->t0 + 500) / 1000),
	    j.why ? ": " : "", j.why ? j.why : "");
	rc = maybe_retry(r, &j, err);
	job_release(&j);
	free(c->job);
	r->kids[k] = r->kids[--r->nkids];
	return rc < 0 ? rc : 0;
}

/* Stop every child: SIGTERM to each group, SIGKILL after the grace. */
static void
abort_all(struct run *r, int sig)
{
	/*
	 * A ts-run-job needs one grace for its recipe and one for what is left
	 * of it; give it a third before SIGKILL, so that it records its job.
	 */
	int64_t grace = 3 * conf_lab_ms(&r->lab->conf, "abort_grace",
	    CONF_DEFAULT_ABORT_GRACE_MS);
	size_t i;

	say(r, "got signal %d: stopping %zu job%s", sig, r->nkids,
	    r->nkids == 1 ? "" : "s");
	for (i = 0; i < r->nkids; i++)
		proc_signal(&r->kids[i].p, SIGTERM);
	/* One grace for all of them, not one each. */
	for (i = 0; i < r->nkids; i++)
		proc_stop(&r->kids[i].p, grace);
	for (i = 0; i < r->nkids; i++) {
		struct strbuf why = STRBUF_INIT;

		strbuf_addf(&why, "the flight runner got signal %d", sig);
		(void)job_finish(r->lab, r->flight, r->kids[i].job, ST_ABORTED,
		    why.buf, NULL, NULL);
		say(r, "job %s: aborted", r->kids[i].job);
		strbuf_release(&why);
		proc_release(&r->kids[i].p);
		free(r->kids[i].job);
	}
	r->nkids = 0;
}

static int
cmp_priority(const void *a, const void *b)
{
	const struct job *x = a, *y = b;

	if (x->priority != y->priority)
		return x->priority < y->priority ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int
is_ours(const struct run *r, const char *job)
{
	size_t i;

	for (i = 0; i < r->nkids; i++)
		if (strcmp(r->kids[i].job, job) == 0)
			return 1;
	return 0;
}

/*
 * One look at the flight: start what can start.  Returns 1 when nothing
 * is left to do, 0 to wait, or an error.
 */
static int
schedule(struct run *r, int parallel, struct strbuf *err)
{
	struct job_list jobs = JOB_LIST_INIT;
	struct strvec deps = STRVEC_INIT;
	int rc, queued = 0, others = 0, external = 0;
	char *waits = NULL;
	size_t i, ndeps;

	if ((rc = job_reap_stale(r->lab, r->flight, err)) < 0 ||
	    (rc = job_list(r->lab, r->flight, &jobs, err)) < 0)
		goto out;
	qsort(jobs.v, jobs.nr, sizeof(*jobs.v), cmp_priority);
	for (i = 0; i < jobs.nr; i++) {
		const struct job *j = &jobs.v[i];

		/* Started by us: queued until its ts-run-job claims it. */
		if (is_ours(r, j->name))
			continue;
		if (j->status == ST_PREPARING || j->status == ST_RUNNING) {
			others++;	/* a ts-run-job by hand: wait for it */
			continue;
		}
		if (j->status != ST_QUEUED)
			continue;
		queued++;
		if ((int)r->nkids >= parallel)
			continue;
		if ((rc = job_waits(r, &jobs, j, &deps, &waits, err)) < 0)
			goto out;
		ndeps = deps.nr;
		strvec_clear(&deps);
		if (waits != NULL || ndeps > 0) {
			external += waits != NULL;
			free(waits);
			waits = NULL;
			continue;
		}
		if ((rc = start_job(r, j, err)) < 0)
			goto out;
		queued--;
	}
	rc = 0;
	if (external == 0 || r->nkids > 0 || others > 0)
		r->external_since = 0;
	if (r->nkids > 0 || others > 0)
		goto out;
	if (queued == 0) {
		rc = 1;
	} else if (external == 0) {
		/* Queued jobs, none can start, nothing runs: a cycle. */
		rc = break_stuck(r, &jobs, 0, err);
	} else if (r->external_since == 0) {
		r->external_since = clock_now_ms();
		say(r, "waiting for jobs of other flights to finish");
	} else if (clock_now_ms() - r->external_since > r->external_bound) {
		rc = break_stuck(r, &jobs, 1, err);
	}
out:
	free(waits);
	job_list_release(&jobs);
	return rc;
}

static int
count_final(struct run *r, struct strbuf *err)
{
	struct job_list jobs = JOB_LIST_INIT;
	size_t i;
	int rc;

	memset(r->res->count, 0, sizeof(r->res->count));
	if ((rc = job_list(r->lab, r->flight, &jobs, err)) < 0)
		return rc;
	for (i = 0; i < jobs.nr; i++)
		r->res->count[jobs.v[i].status]++;
	job_list_release(&jobs);
	return 0;
}

int
flightrun(struct lab *lab, int64_t flight, const struct flightrun_opts *o,
    struct flightrun_result *res, struct strbuf *err)
{
	struct run r = { lab, flight, o, NULL, 0, 0, res, NULL, 0, 0 };
	int parallel = o->parallel;
	struct flight f;
	int rc;

	memset(res, 0, sizeof(*res));
	if (parallel <= 0)
		parallel = (int)conf_lab_int(&lab->conf, "parallel",
		    CONF_DEFAULT_PARALLEL);
	if (parallel <= 0)
		parallel = 1;
	r.external_bound = conf_lab_ms(&lab->conf, "job_timeout",
	    CONF_DEFAULT_JOB_TIMEOUT_MS);
	if (o->blessing != NULL && (rc = flight_check_final_blessing(o->blessing,
	    err)) < 0)
		return rc;
	if ((rc = flight_get(lab, flight, &f, err)) < 0)
		return rc;
	r.branch = f.branch;
	if (strcmp(f.blessing, BLESSING_CONSTRUCTING) != 0 &&
	    strcmp(f.blessing, BLESSING_RUNNING) != 0) {
		rc = err_setf(err, TS_E_INPUT, "flight %lld: already blessed %s",
		    (long long)flight, f.blessing);
		goto out;
	}
	if ((rc = db_begin(&lab->db, err)) < 0)
		goto out;
	if ((rc = flight_start(lab, flight, err)) < 0 ||
	    (rc = flight_touch_harness(lab, flight, err)) < 0) {
		db_rollback(&lab->db);
		goto out;
	}
	if ((rc = db_commit(&lab->db, err)) < 0)
		goto out;
	for (;;) {
		int k;

		if ((rc = schedule(&r, parallel, err)) < 0)
			goto stop;
		if (rc == 1)
			break;
		{
			struct proc **ps = xcalloc(r.nkids + 1, sizeof(*ps));
			size_t i;

			for (i = 0; i < r.nkids; i++)
				ps[i] = &r.kids[i].p;
			k = proc_wait_any(ps, (int)r.nkids, FLIGHT_POLL_MS);
			free(ps);
		}
		if (k == TS_E_AGAIN) {
			res->aborted_by = proc_aborted();
			abort_all(&r, res->aborted_by);
			rc = err_setf(err, TS_E_LAB,
			    "flight %lld: stopped by signal %d; its jobs were aborted "
			    "and it stays unblessed", (long long)flight, res->aborted_by);
			goto counted;
		}
		if (k >= 0 && (rc = child_done(&r, (size_t)k, err)) < 0)
			goto stop;
	}
	rc = flight_bless(lab, flight, o->blessing ? o->blessing : f.intended,
	    NULL, 0, err);
	goto counted;
stop:
	/* Our own failure: do not leave children running unwatched. */
	abort_all(&r, SIGTERM);
counted:
	{
		struct strbuf e2 = STRBUF_INIT;

		(void)count_final(&r, &e2);
		strbuf_release(&e2);
	}
out:
	free(r.kids);
	flight_release(&f);
	return rc;
}
