/*
 * job: rows of the jobs table, their holders and final statuses.
 * See job.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "err.h"
#include "flight.h"
#include "job.h"
#include "proc.h"
#include "xalloc.h"
#include "banned.h"

#define JOB_COLUMNS \
	"flight, job, recipe, status, priority, why, started, finished," \
	" runner_host, runner_pid, runner_token, lease_until, attempt_of, attempt"

static void
job_from_row(sqlite3_stmt *st, struct job *j)
{
	j->flight = sqlite3_column_int64(st, 0);
	j->name = db_strdup(st, 1);
	j->recipe = db_strdup(st, 2);
	j->status = status_parse(db_text(st, 3));
	j->priority = sqlite3_column_int(st, 4);
	j->why = db_strdup(st, 5);
	j->started = sqlite3_column_int64(st, 6);
	j->finished = sqlite3_column_int64(st, 7);
	j->runner_host = db_strdup(st, 8);
	j->runner_pid = sqlite3_column_int64(st, 9);
	j->runner_token = db_strdup(st, 10);
	j->lease_until = sqlite3_column_int64(st, 11);
	j->attempt_of = db_strdup(st, 12);
	j->attempt = sqlite3_column_int(st, 13);
}

void
job_release(struct job *j)
{
	free(j->name);
	free(j->recipe);
	free(j->why);
	free(j->runner_host);
	free(j->runner_token);
	free(j->attempt_of);
	memset(j, 0, sizeof(*j));
}

static const char job_insert_sql[] =
	"INSERT INTO jobs (flight, job, recipe, status, priority)"
	" VALUES (?1, ?2, ?3, 'queued', ?4)";
static const char job_exists_sql[] =
	"SELECT count(*) FROM jobs WHERE flight = ?1 AND job = ?2";

int
job_create(struct lab *lab, int64_t flight, const char *name,
    const char *recipe, int priority, const struct runvar *defs, size_t ndefs,
    struct strbuf *err)
{
	struct flight f;
	int64_t n = 0;
	size_t i;
	int rc;

	if ((rc = lab_check_name("job", name, err)) < 0 ||
	    (rc = lab_check_name("recipe", recipe, err)) < 0)
		return rc;
	for (i = 0; i < ndefs; i++)
		if ((rc = runvar_check_name(defs[i].name, err)) < 0)
			return rc;
	if ((rc = db_begin(&lab->db, err)) < 0)
		return rc;
	if ((rc = flight_get(lab, flight, &f, err)) < 0)
		goto fail;
	if (strcmp(f.blessing, BLESSING_CONSTRUCTING) != 0) {
		rc = err_setf(err, TS_E_INPUT,
		    "flight %lld: is %s, not constructing: no new jobs",
		    (long long)flight, f.blessing);
		flight_release(&f);
		goto fail;
	}
	flight_release(&f);
	if ((rc = db_int(&lab->db, &n, job_exists_sql, err, "is", flight, name)) < 0)
		goto fail;
	if (n > 0) {
		rc = err_setf(err, TS_E_INPUT, "flight %lld: job %s: already exists",
		    (long long)flight, name);
		goto fail;
	}
	if ((rc = db_run(&lab->db, job_insert_sql, err, "issd", flight, name,
	    recipe, priority)) < 0)
		goto fail;
	for (i = 0; i < ndefs; i++)
		if ((rc = runvar_define_in_tx(lab, flight, name, defs[i].name,
		    defs[i].val, err)) < 0)
			goto fail;
	rc = flight_touch_harness(lab, flight, err);
fail:
	return db_end(&lab->db, rc, err);
}

static const char job_get_sql[] =
	"SELECT " JOB_COLUMNS " FROM jobs WHERE flight = ?1 AND job = ?2";

int
job_get(struct lab *lab, int64_t flight, const char *name, struct job *j,
    struct strbuf *err)
{
	sqlite3_stmt *st;
	struct flight f;
	int rc;

	memset(j, 0, sizeof(*j));
	if ((rc = db_query(&lab->db, &st, job_get_sql, err, "is", flight, name)) < 0)
		return rc;
	if ((rc = db_row(&lab->db, st, err)) < 0)
		return rc;
	if (rc == 1) {
		job_from_row(st, j);
		db_done(st);
		return 0;
	}
	/* Say which of the two does not exist. */
	if ((rc = flight_get(lab, flight, &f, err)) < 0)
		return rc;
	flight_release(&f);
	return err_setf(err, TS_E_INPUT, "flight %lld: job %s: no such job",
	    (long long)flight, name);
}

static const char job_list_sql[] =
	"SELECT " JOB_COLUMNS " FROM jobs WHERE flight = ?1 ORDER BY job";
static const char job_list_active_sql[] =
	"SELECT " JOB_COLUMNS " FROM jobs"
	" WHERE status IN ('preparing', 'running') ORDER BY flight, job";

static int
job_list_query(struct lab *lab, const char *sql, int64_t flight,
    struct job_list *out, struct strbuf *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_query(&lab->db, &st, sql, err, flight ? "i" : "", flight)) < 0)
		return rc;
	while ((rc = db_row(&lab->db, st, err)) > 0) {
		ALLOC_GROW(out->v, out->nr + 1, out->alloc);
		job_from_row(st, &out->v[out->nr++]);
	}
	return rc;
}

int
job_list(struct lab *lab, int64_t flight, struct job_list *out,
    struct strbuf *err)
{
	return job_list_query(lab, job_list_sql, flight, out, err);
}

void
job_list_release(struct job_list *l)
{
	size_t i;

	for (i = 0; i < l->nr; i++)
		job_release(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->nr = l->alloc = 0;
}

static const char job_claim_sql[] =
	"UPDATE jobs SET status = 'preparing', started = ?3, runner_host = ?4,"
	" runner_pid = ?5, runner_token = ?6, lease_until = ?7"
	" WHERE flight = ?1 AND job = ?2 AND status = 'queued'";

int
job_claim(struct lab *lab, int64_t flight, const char *name, int64_t lease_ms,
    struct strbuf *err)
{
	struct strbuf token = STRBUF_INIT;
	struct flight f;
	struct job j;
	int64_t now = clock_utc();
	int rc;

	proc_token(getpid(), &token);
	if ((rc = db_begin(&lab->db, err)) < 0)
		goto out;
	if ((rc = job_get(lab, flight, name, &j, err)) < 0)
		goto fail;
	if (j.status != ST_QUEUED) {
		rc = err_setf(err, TS_E_INPUT, "flight %lld: job %s: is %s, not queued",
		    (long long)flight, name, status_name(j.status));
		job_release(&j);
		goto fail;
	}
	job_release(&j);
	if ((rc = flight_get(lab, flight, &f, err)) < 0)
		goto fail;
	if (strcmp(f.blessing, BLESSING_CONSTRUCTING) != 0 &&
	    strcmp(f.blessing, BLESSING_RUNNING) != 0) {
		rc = err_setf(err, TS_E_INPUT,
		    "flight %lld: is %s already: its jobs cannot run",
		    (long long)flight, f.blessing);
		flight_release(&f);
		goto fail;
	}
	flight_release(&f);
	if ((rc = db_run(&lab->db, job_claim_sql, err, "isisisi", flight, name,
	    now, proc_hostname(), (int64_t)getpid(), token.buf,
	    now + lease_ms / 1000)) >= 0 &&
	    (rc = flight_start(lab, flight, err)) >= 0)
		rc = flight_touch_harness(lab, flight, err);
fail:
	rc = db_end(&lab->db, rc, err);
out:
	strbuf_release(&token);
	return rc;
}

static const char job_running_sql[] =
	"UPDATE jobs SET status = 'running'"
	" WHERE flight = ?1 AND job = ?2 AND status = 'preparing'";

int
job_set_running(struct lab *lab, int64_t flight, const char *name,
    struct strbuf *err)
{
	int rc = db_write(&lab->db, job_running_sql, err, "is", flight, name);

	return rc < 0 ? rc : 0;
}

static const char job_renew_sql[] =
	"UPDATE jobs SET lease_until = ?3"
	" WHERE flight = ?1 AND job = ?2 AND runner_pid = ?4";

int
job_renew(struct lab *lab, int64_t flight, const char *name, int64_t lease_ms,
    struct strbuf *err)
{
	int rc = db_write(&lab->db, job_renew_sql, err, "isii", flight, name,
	    clock_utc() + lease_ms / 1000, (int64_t)getpid());

	return rc < 0 ? rc : 0;
}

static const char job_finish_sql[] =
	"UPDATE jobs SET status = ?3, why = ?4, finished = ?5, runner_host = NULL,"
	" runner_pid = NULL, runner_token = NULL, lease_until = NULL"
	" WHERE flight = ?1 AND job = ?2";
static const char job_steps_end_sql[] =
	"UPDATE steps SET status = ?4, finished = ?3"
	" WHERE flight = ?1 AND job = ?2 AND status = 'running'";

int
job_finish(struct lab *lab, int64_t flight, const char *name,
    enum ts_status st, const char *why, enum ts_status *now,
    struct strbuf *err)
{
	enum ts_status to;
	struct job j;
	int rc;

	if ((rc = db_begin(&lab->db, err)) < 0)
		return rc;
	if ((rc = job_get(lab, flight, name, &j, err)) < 0)
		goto fail;
	to = st;
	if (status_is_sticky(j.status))
		to = j.status;
	else if (status_is_final(j.status))
		to = status_worse(j.status, st);
	if (to != st || (why == NULL && to == j.status))
		why = j.why;	/* the reason goes with the status that stays */
	rc = db_run(&lab->db, job_finish_sql, err, "isssi", flight, name,
	    status_name(to), why, clock_utc());
	job_release(&j);
	/*
	 * A step still recorded running has lost its recorder, or is being
	 * stopped with its job: it ends aborted with an aborted job, else broken.
	 */
	if (rc >= 0)
		rc = db_run(&lab->db, job_steps_end_sql, err, "isis", flight, name,
		    clock_utc(), status_name(to == ST_ABORTED ? ST_ABORTED : ST_BROKEN));
	if (rc >= 0 && now != NULL)
		*now = to;
fail:
	rc = db_end(&lab->db, rc, err);
	return rc < 0 ? rc : 0;
}

int
job_holder_alive(const struct job *j)
{
	if (j->runner_host != NULL && strcmp(j->runner_host, proc_hostname()) == 0)
		return proc_alive((pid_t)j->runner_pid, j->runner_token);
	/* Another machine's runner: only its lease can speak for it. */
	return j->lease_until >= clock_utc();
}

int
job_reap_stale(struct lab *lab, int64_t flight, struct strbuf *err)
{
	struct job_list l = JOB_LIST_INIT;
	size_t i;
	int rc, n = 0;

	if (flight)
		rc = job_list(lab, flight, &l, err);
	else
		rc = job_list_query(lab, job_list_active_sql, 0, &l, err);
	for (i = 0; rc >= 0 && i < l.nr; i++) {
		struct job *j = &l.v[i];
		struct strbuf why = STRBUF_INIT;

		if (j->status != ST_PREPARING && j->status != ST_RUNNING)
			continue;
		if (job_holder_alive(j))
			continue;
		strbuf_addf(&why, "its runner (pid %lld on %s) died",
		    (long long)j->runner_pid, j->runner_host ? j->runner_host : "?");
		rc = job_finish(lab, j->flight, j->name, ST_BROKEN, why.buf, NULL, err);
		strbuf_release(&why);
		n++;
	}
	job_list_release(&l);
	return rc < 0 ? rc : n;
}

int
job_runvar_via(struct lab *lab, int64_t flight, const char *job,
    const char *refvar, const char *name, char **val, struct strbuf *err)
{
	char *ref = NULL, *other = NULL;
	int64_t oflight;
	struct job o;
	int rc;

	if ((rc = runvar_check_name(refvar, err)) < 0 ||
	    (rc = runvar_check_name(name, err)) < 0 ||
	    (rc = runvar_get(lab, flight, job, refvar, &ref, err)) < 0)
		return rc;
	if (rc == 0)
		return err_setf(err, TS_E_INPUT, "runvar %s: not set in flight %lld job %s",
		    refvar, (long long)flight, job);
	if ((rc = runvar_parse_jobref(ref, flight, &oflight, &other, err)) < 0 ||
	    (rc = job_get(lab, oflight, other, &o, err)) < 0) {
		err_wrapf(err, rc, "runvar %s", refvar);
		goto out;
	}
	if (o.status != ST_PASS && o.status != ST_QUEUED)
		rc = err_setf(err, TS_E_BLOCKED, "job %s (named by %s) is %s, not pass",
		    ref, refvar, status_name(o.status));
	else
		rc = runvar_get(lab, oflight, other, name, val, err);
	job_release(&o);
out:
	free(ref);
	free(other);
	return rc;
}

static const char job_attempts_sql[] =
	"SELECT count(*) FROM jobs WHERE flight = ?1 AND attempt_of = ?2";
static const char job_copy_sql[] =
	"INSERT INTO jobs (flight, job, recipe, status, priority, why, started,"
	" finished, attempt_of, attempt)"
	" SELECT flight, ?3, recipe, status, priority, why, started, finished, ?2, ?4"
	" FROM jobs WHERE flight = ?1 AND job = ?2";
static const char job_copy_runvars_sql[] =
	"INSERT INTO runvars (flight, job, name, val, synth)"
	" SELECT flight, ?3, name, val, synth FROM runvars WHERE flight = ?1 AND job = ?2";
static const char job_move_steps_sql[] =
	"UPDATE steps SET job = ?3, log = ?4 || SUBSTR(log, ?5)"
	" WHERE flight = ?1 AND job = ?2";
static const char job_move_allocs_sql[] =
	"UPDATE allocations SET job = ?3 WHERE flight = ?1 AND job = ?2";
static const char job_drop_runtime_sql[] =
	"DELETE FROM runvars WHERE flight = ?1 AND job = ?2 AND synth = 1";
static const char job_requeue_sql[] =
	"UPDATE jobs SET status = 'queued', why = NULL, started = NULL, finished = NULL,"
	" runner_host = NULL, runner_pid = NULL, runner_token = NULL,"
	" lease_until = NULL WHERE flight = ?1 AND job = ?2";

int
job_keep_attempt(struct lab *lab, int64_t flight, const char *name,
    struct strbuf *kept, struct strbuf *err)
{
	struct strbuf from = STRBUF_INIT, to = STRBUF_INIT, olddir = STRBUF_INIT,
	    newdir = STRBUF_INIT;
	int64_t n = 0;
	int rc, moved = 0;

	if ((rc = db_int(&lab->db, &n, job_attempts_sql, err, "is", flight, name)) < 0)
		return rc;
	strbuf_reset(kept);
	strbuf_addf(kept, "%s~%lld", name, (long long)n + 1);
	strbuf_addf(&from, "logs/%lld/%s/", (long long)flight, name);
	strbuf_addf(&to, "logs/%lld/%s/", (long long)flight, kept->buf);
	/* The logs first: a step's log path is recorded relative to the lab. */
	lab_path(lab, &olddir, "logs/%lld/%s", (long long)flight, name);
	lab_path(lab, &newdir, "logs/%lld/%s", (long long)flight, kept->buf);
	if (rename(olddir.buf, newdir.buf) == 0)
		moved = 1;
	else if (errno != ENOENT) {
		rc = err_errno(err, TS_E_LAB, "%s", olddir.buf);
		goto out;
	}
	if ((rc = db_begin(&lab->db, err)) < 0)
		goto undo;
	if ((rc = db_run(&lab->db, job_copy_sql, err, "issi", flight, name, kept->buf,
	    n + 1)) >= 0 &&
	    (rc = db_run(&lab->db, job_copy_runvars_sql, err, "iss", flight, name,
	    kept->buf)) >= 0 &&
	    (rc = db_run(&lab->db, job_move_steps_sql, err, "isssi", flight, name,
	    kept->buf, to.buf, (int64_t)from.len + 1)) >= 0 &&
	    (rc = db_run(&lab->db, job_move_allocs_sql, err, "iss", flight, name,
	    kept->buf)) >= 0 &&
	    (rc = db_run(&lab->db, job_drop_runtime_sql, err, "is", flight, name)) >= 0)
		rc = db_run(&lab->db, job_requeue_sql, err, "is", flight, name);
	if ((rc = db_end(&lab->db, rc, err)) >= 0) {
		rc = 0;
		goto out;
	}
undo:
	if (moved)
		(void)rename(newdir.buf, olddir.buf);
out:
	strbuf_release(&from);
	strbuf_release(&to);
	strbuf_release(&olddir);
	strbuf_release(&newdir);
	return rc;
}
