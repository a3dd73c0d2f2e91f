/*
 * step: number, record, run and log one step.  See step.h.
 */
#include <fcntl.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "err.h"
#include "job.h"
#include "log.h"
#include "runvar.h"
#include "step.h"
#include "strvec.h"
#include "xalloc.h"
#include "banned.h"

void
step_name(const char *argv0, struct strbuf *out)
{
	const char *slash = strrchr(argv0, '/');

	strbuf_addstr(out, slash != NULL ? slash + 1 : argv0);
}

/* "/a/b" for the arguments before "+" (all of them when there is none). */
static void
testid_args(const char *const *argv, struct strbuf *out)
{
	const char *const *a;

	for (a = argv + 1; *a != NULL && strcmp(*a, "+") != 0; a++)
		strbuf_addf(out, "/%s", *a);
}

void
step_testid(const char *spec, const char *const *argv, int64_t stepno,
    struct strbuf *out)
{
	struct strbuf name = STRBUF_INIT, args = STRBUF_INIT, t = STRBUF_INIT;
	const char *at, *p;

	step_name(argv[0], &name);
	p = strncmp(name.buf, "ts-", 3) == 0 && name.buf[3] != '\0' ?
	    name.buf + 3 : name.buf;
	testid_args(argv, &args);
	if (spec == NULL || strcmp(spec, "=") == 0)
		strbuf_addf(&t, "%s/@", p);
	else if (spec[0] == '=')
		strbuf_addf(&t, "%s/@%s", p, spec + 1);
	else if (strcmp(spec, "*") == 0)
		strbuf_addf(&t, "%s/@(*)", p);
	else
		strbuf_addstr(&t, spec);
	if ((at = strstr(t.buf, "/@")) != NULL) {
		strbuf_add(out, t.buf, (size_t)(at - t.buf));
		strbuf_addstr(out, args.buf);
		strbuf_addstr(out, at + 2);
	} else {
		strbuf_addstr(out, t.buf);
	}
	if (out->len >= 3 && strcmp(out->buf + out->len - 3, "(*)") == 0) {
		strbuf_setlen(out, out->len - 3);
		strbuf_addf(out, "(%lld)", (long long)stepno);
	}
	strbuf_release(&name);
	strbuf_release(&args);
	strbuf_release(&t);
}

static int
check_testid(const char *testid, struct strbuf *err)
{
	const char *p;

	if (*testid == '\0')
		return err_setf(err, TS_E_INPUT, "testid: empty");
	for (p = testid; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return err_setf(err, TS_E_INPUT,
			    "testid '%s': has a control character", testid);
	return 0;
}

static const char step_next_sql[] =
	"SELECT COALESCE(MAX(stepno), 0) + 1 FROM steps WHERE flight = ?1 AND job = ?2";
static const char step_testid_used_sql[] =
	"SELECT stepno FROM steps WHERE flight = ?1 AND job = ?2 AND testid = ?3";
static const char step_insert_sql[] =
	"INSERT INTO steps (flight, job, stepno, step, testid, status, started, pid, log)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";

int
step_record_begin(struct lab *lab, int64_t flight, const char *job,
    const char *spec, const char *const *argv, int64_t pid,
    struct step_outcome *out, struct strbuf *err)
{
	struct strbuf name = STRBUF_INIT, testid = STRBUF_INIT, log = STRBUF_INIT;
	int64_t used;
	struct job j;
	int rc;

	step_name(argv[0], &name);
	if ((rc = db_begin(&lab->db, err)) < 0)
		goto out;
	if ((rc = job_get(lab, flight, job, &j, err)) < 0)
		goto fail;
	/* Steps of a job are recorded while its runner holds it, not after. */
	if (j.status != ST_RUNNING && j.status != ST_PREPARING) {
		rc = err_setf(err, TS_E_INPUT,
		    "flight %lld: job %s: is %s: steps are recorded only while "
		    "ts-run-job runs it", (long long)flight, job,
		    status_name(j.status));
		job_release(&j);
		goto fail;
	}
	job_release(&j);
	if ((rc = db_int(&lab->db, &out->stepno, step_next_sql, err, "is", flight,
	    job)) < 0)
		goto fail;
	step_testid(spec, argv, out->stepno, &testid);
	if ((rc = check_testid(testid.buf, err)) < 0)
		goto fail;
	if ((rc = db_int(&lab->db, &used, step_testid_used_sql, err, "iss", flight,
	    job, testid.buf)) < 0)
		goto fail;
	if (rc == 1) {
		rc = err_setf(err, TS_E_INPUT,
		    "testid %s: already used by step %lld of job %s "
		    "(give each step its own, e.g. --testid==.2)", testid.buf,
		    (long long)used, job);
		goto fail;
	}
	strbuf_addf(&log, "logs/%lld/%s/%lld.%s.log", (long long)flight, job,
	    (long long)out->stepno, name.buf);
	if ((rc = db_run(&lab->db, step_insert_sql, err, "isisssiis", flight, job,
	    out->stepno, name.buf, testid.buf, "running", clock_utc(), pid,
	    log.buf)) < 0)
		goto fail;
	if ((rc = db_commit(&lab->db, err)) < 0)
		goto out;
	out->testid = strbuf_detach(&testid, NULL);
	strbuf_reset(&log);
	lab_path(lab, &log, "logs/%lld/%s/%lld.%s.log", (long long)flight, job,
	    (long long)out->stepno, name.buf);
	out->log = strbuf_detach(&log, NULL);
	goto out;
fail:
	db_rollback(&lab->db);
out:
	strbuf_release(&name);
	strbuf_release(&testid);
	strbuf_release(&log);
	return rc;
}

/*
 * Only a step still running is ended: one that its job's end already
 * marked (its runner died, the flight was stopped) keeps that record.
 */
static const char step_end_sql[] =
	"UPDATE steps SET status = ?4, finished = ?5, exit_code = ?6, signal = ?7,"
	" timed_out = ?8 WHERE flight = ?1 AND job = ?2 AND stepno = ?3"
	" AND status = 'running'";

int
step_record_end(struct lab *lab, int64_t flight, const char *job,
    const struct step_outcome *out, struct strbuf *err)
{
	const struct proc_result *r = &out->res;
	int rc;

	/* The exit code of a signalled process is NULL, not a number. */
	rc = db_write(&lab->db, step_end_sql, err, "isisijjd", flight, job,
	    out->stepno, status_name(out->status), clock_utc(),
	    r->exited, (int64_t)r->code, r->signaled, (int64_t)r->sig,
	    r->timed_out);
	return rc < 0 ? rc : 0;
}

/* Does the comma-separated glob list match the step's name or testid? */
static int
globs_match(const char *list, const char *name, const char *testid)
{
	char *copy = xstrdup(list), *p, *comma;
	int hit = 0;

	for (p = copy; p != NULL && !hit; p = comma) {
		if ((comma = strchr(p, ',')) != NULL)
			*comma++ = '\0';
		if (*p != '\0' && (fnmatch(p, name, 0) == 0 || fnmatch(p, testid, 0) == 0))
			hit = 1;
	}
	free(copy);
	return hit;
}

int64_t
step_pause_ms(struct lab *lab, int64_t flight, const char *job,
    const char *name, const struct step_outcome *out)
{
	struct strbuf var = STRBUF_INIT;
	char *globs = NULL;
	int64_t ms = 0;

	if (out->status == ST_PASS || out->status == ST_ABORTED)
		return 0;
	strbuf_addf(&var, "pause_on_%s", status_name(out->status));
	if (runvar_get(lab, flight, job, var.buf, &globs, NULL) == 1 &&
	    globs_match(globs, name, out->testid))
		ms = conf_lab_ms(&lab->conf, "pause_timeout", CONF_DEFAULT_PAUSE_TIMEOUT_MS);
	free(globs);
	strbuf_release(&var);
	return ms;
}

static const char step_abandon_sql[] =
	"UPDATE steps SET status = 'broken', finished = ?4"
	" WHERE flight = ?1 AND job = ?2 AND stepno = ?3 AND status = 'running'";

int
step_abandon(struct lab *lab, int64_t flight, const char *job, int64_t stepno,
    struct strbuf *err)
{
	int rc = db_write(&lab->db, step_abandon_sql, err, "isii", flight, job,
	    stepno, clock_utc());

	return rc < 0 ? rc : 0;
}

int64_t
step_timeout_ms(const struct lab *lab)
{
	return conf_lab_ms(&lab->conf, "step_timeout", CONF_DEFAULT_STEP_TIMEOUT_MS);
}

int64_t
step_grace_ms(const struct lab *lab)
{
	return conf_lab_ms(&lab->conf, "abort_grace", CONF_DEFAULT_ABORT_GRACE_MS);
}

int
step_note(struct lab *lab, int64_t flight, const char *job, const char *name,
    const char *testid, enum ts_status st, const char *text, struct strbuf *err)
{
	const char *argv[] = { name, NULL };
	struct step_outcome out;
	struct strbuf dir = STRBUF_INIT;
	int rc, fd;

	memset(&out, 0, sizeof(out));
	if ((rc = lab_log_dir(lab, flight, job, &dir, err)) < 0 ||
	    (rc = step_record_begin(lab, flight, job, testid, argv, getpid(), &out,
	    err)) < 0)
		goto out;
	if ((fd = log_open(out.log, err)) >= 0) {
		log_line(fd, "step %lld %s: %s", (long long)out.stepno, out.testid, text);
		log_line(fd, "exit status %d", status_exit(st));
		close(fd);
	}
	out.status = st;
	out.res.exited = 1;
	out.res.code = status_exit(st);
	rc = step_record_end(lab, flight, job, &out, err);
out:
	free(out.testid);
	free(out.log);
	strbuf_release(&dir);
	return rc;
}

static const char step_retag_sql[] =
	"UPDATE steps SET status = ?4 WHERE flight = ?1 AND job = ?2 AND status = ?3";

int
step_retag(struct lab *lab, int64_t flight, const char *job,
    enum ts_status from, enum ts_status to, struct strbuf *err)
{
	return db_write(&lab->db, step_retag_sql, err, "isss", flight, job,
	    status_name(from), status_name(to));
}

static const char step_list_sql[] =
	"SELECT job, stepno, step, testid, status, started, finished, exit_code,"
	" signal, timed_out, log FROM steps WHERE flight = ?1 ORDER BY job, stepno";
static const char step_list_job_sql[] =
	"SELECT job, stepno, step, testid, status, started, finished, exit_code,"
	" signal, timed_out, log FROM steps WHERE flight = ?1 AND job = ?2"
	" ORDER BY stepno";

int
step_list(struct lab *lab, int64_t flight, const char *job,
    struct step_list *out, struct strbuf *err)
{
	sqlite3_stmt *st;
	int rc;

	if (job == NULL)
		rc = db_query(&lab->db, &st, step_list_sql, err, "i", flight);
	else
		rc = db_query(&lab->db, &st, step_list_job_sql, err, "is", flight, job);
	if (rc < 0)
		return rc;
	while ((rc = db_row(&lab->db, st, err)) > 0) {
		struct step_row *r;

		ALLOC_GROW(out->v, out->nr + 1, out->alloc);
		r = &out->v[out->nr++];
		memset(r, 0, sizeof(*r));
		r->job = db_strdup(st, 0);
		r->stepno = sqlite3_column_int64(st, 1);
		r->step = db_strdup(st, 2);
		r->testid = db_strdup(st, 3);
		r->status = status_parse(db_text(st, 4));
		r->started = sqlite3_column_int64(st, 5);
		r->finished = sqlite3_column_int64(st, 6);
		r->has_exit = !db_is_null(st, 7);
		r->exit_code = sqlite3_column_int(st, 7);
		r->has_signal = !db_is_null(st, 8);
		r->signal = sqlite3_column_int(st, 8);
		r->timed_out = sqlite3_column_int(st, 9);
		r->log = db_strdup(st, 10);
	}
	return rc;
}

void
step_list_release(struct step_list *l)
{
	size_t i;

	for (i = 0; i < l->nr; i++) {
		free(l->v[i].job);
		free(l->v[i].step);
		free(l->v[i].testid);
		free(l->v[i].log);
	}
	free(l->v);
	l->v = NULL;
	l->nr = l->alloc = 0;
}

enum ts_status
step_list_worst(const struct step_list *l, const char *job)
{
	enum ts_status worst = ST_NONE;
	size_t i;

	for (i = 0; i < l->nr; i++)
		if (job == NULL || strcmp(l->v[i].job, job) == 0)
			worst = status_worse(worst, l->v[i].status);
	return worst;
}
