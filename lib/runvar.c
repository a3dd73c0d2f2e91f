/*
 * runvar: rows of the runvars table.  See runvar.h.
 */
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "flight.h"
#include "runvar.h"
#include "xalloc.h"
#include "banned.h"

int
runvar_name_ends(const char *name, const char *suffix)
{
	size_t n = strlen(name), s = strlen(suffix);

	return n >= s && strcmp(name + n - s, suffix) == 0;
}

/* The foreign key on (flight, job) is what says a job does not exist. */
static int
no_such_job(struct lab *lab, int rc, int64_t flight, const char *job,
    struct strbuf *err)
{
	if (db_errcode(&lab->db) != SQLITE_CONSTRAINT_FOREIGNKEY)
		return rc;
	return err_setf(err, TS_E_INPUT, "flight %lld: job %s: no such job",
	    (long long)flight, job);
}

static const char runvar_get_sql[] =
	"SELECT val FROM runvars WHERE flight = ?1 AND job = ?2 AND name = ?3";

int
runvar_get(struct lab *lab, int64_t flight, const char *job, const char *name,
    char **val, struct strbuf *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_query(&lab->db, &st, runvar_get_sql, err, "iss", flight, job,
	    name)) < 0)
		return rc;
	if ((rc = db_row(&lab->db, st, err)) <= 0)
		return rc;
	*val = db_strdup(st, 0);
	db_done(st);
	return 1;
}

/* An existing definition is left alone: the WHERE makes the update a no-op. */
static const char runvar_set_sql[] =
	"INSERT INTO runvars (flight, job, name, val, synth) VALUES (?1, ?2, ?3, ?4, 1)"
	" ON CONFLICT (flight, job, name) DO UPDATE SET val = excluded.val"
	" WHERE runvars.synth = 1";

static const char runvar_define_sql[] =
	"INSERT INTO runvars (flight, job, name, val, synth) VALUES (?1, ?2, ?3, ?4, 0)"
	" ON CONFLICT (flight, job, name) DO UPDATE SET val = excluded.val, synth = 0";

int
runvar_set_in_tx(struct lab *lab, int64_t flight, const char *job,
    const char *name, const char *val, struct strbuf *err)
{
	int rc;

	if ((rc = runvar_check_name(name, err)) < 0)
		return rc;
	if ((rc = db_run(&lab->db, runvar_set_sql, err, "isss", flight, job, name,
	    val)) < 0)
		return no_such_job(lab, rc, flight, job, err);
	if (rc == 0)
		return err_setf(err, TS_E_INPUT,
		    "runvar %s: a definition runvar of flight %lld job %s; "
		    "a runtime value cannot replace it", name, (long long)flight, job);
	return 0;
}

int
runvar_set(struct lab *lab, int64_t flight, const char *job, const char *name,
    const char *val, struct strbuf *err)
{
	int rc;

	if ((rc = db_begin(&lab->db, err)) < 0)
		return rc;
	rc = runvar_set_in_tx(lab, flight, job, name, val, err);
	return db_end(&lab->db, rc, err);
}

static int
flight_must_construct(struct lab *lab, int64_t flight, const char *what,
    struct strbuf *err)
{
	struct flight f;
	int rc;

	if ((rc = flight_get(lab, flight, &f, err)) < 0)
		return rc;
	if (strcmp(f.blessing, BLESSING_CONSTRUCTING) != 0)
		rc = err_setf(err, TS_E_INPUT,
		    "flight %lld: %s: the flight is %s, not constructing",
		    (long long)flight, what, f.blessing);
	flight_release(&f);
	return rc;
}

int
runvar_define_in_tx(struct lab *lab, int64_t flight, const char *job,
    const char *name, const char *val, struct strbuf *err)
{
	int rc;

	if ((rc = runvar_check_name(name, err)) < 0)
		return rc;
	if ((rc = flight_must_construct(lab, flight, "definition runvars are fixed",
	    err)) < 0)
		return rc;
	if ((rc = db_run(&lab->db, runvar_define_sql, err, "isss", flight, job,
	    name, val)) < 0)
		return no_such_job(lab, rc, flight, job, err);
	return 0;
}

int
runvar_define(struct lab *lab, int64_t flight, const char *job,
    const char *name, const char *val, struct strbuf *err)
{
	int rc;

	if ((rc = db_begin(&lab->db, err)) < 0)
		return rc;
	rc = runvar_define_in_tx(lab, flight, job, name, val, err);
	return db_end(&lab->db, rc, err);
}

static const char runvar_synth_sql[] =
	"SELECT synth FROM runvars WHERE flight = ?1 AND job = ?2 AND name = ?3";
static const char runvar_delete_sql[] =
	"DELETE FROM runvars WHERE flight = ?1 AND job = ?2 AND name = ?3";

int
runvar_unset(struct lab *lab, int64_t flight, const char *job,
    const char *name, struct strbuf *err)
{
	int64_t synth = 1;
	int rc;

	if ((rc = runvar_check_name(name, err)) < 0)
		return rc;
	if ((rc = db_begin(&lab->db, err)) < 0)
		return rc;
	if ((rc = db_int(&lab->db, &synth, runvar_synth_sql, err, "iss", flight,
	    job, name)) < 0)
		goto fail;
	if (rc == 1 && synth == 0 &&
	    (rc = flight_must_construct(lab, flight, "definition runvars are fixed",
	    err)) < 0)
		goto fail;
	rc = db_run(&lab->db, runvar_delete_sql, err, "iss", flight, job, name);
fail:
	rc = db_end(&lab->db, rc, err);
	return rc < 0 ? rc : rc > 0;
}

static const char runvar_list_sql[] =
	"SELECT name, val, synth FROM runvars WHERE flight = ?1 AND job = ?2"
	" ORDER BY name";

int
runvar_list(struct lab *lab, int64_t flight, const char *job,
    struct runvar_list *out, struct strbuf *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_query(&lab->db, &st, runvar_list_sql, err, "is", flight, job)) < 0)
		return rc;
	while ((rc = db_row(&lab->db, st, err)) > 0) {
		ALLOC_GROW(out->v, out->nr + 1, out->alloc);
		out->v[out->nr].name = db_strdup(st, 0);
		out->v[out->nr].val = db_strdup(st, 1);
		out->v[out->nr].synth = sqlite3_column_int(st, 2);
		out->nr++;
	}
	return rc;
}

const char *
runvar_list_get(const struct runvar_list *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->nr; i++)
		if (strcmp(l->v[i].name, name) == 0)
			return l->v[i].val;
	return NULL;
}

void
runvar_list_release(struct runvar_list *l)
{
	size_t i;

	for (i = 0; i < l->nr; i++) {
		free(l->v[i].name);
		free(l->v[i].val);
	}
	free(l->v);
	l->v = NULL;
	l->nr = l->alloc = 0;
}

int
runvar_parse_jobref(const char *ref, int64_t this_flight, int64_t *flight,
    char **job, struct strbuf *err)
{
	const char *dot = strchr(ref, '.');
	int rc;

	*flight = this_flight;
	/* FLIGHT.JOB only when what is before the dot is a number. */
	if (dot != NULL && dot > ref && strspn(ref, "0123456789") == (size_t)(dot - ref)) {
		struct strbuf num = STRBUF_INIT;

		strbuf_add(&num, ref, (size_t)(dot - ref));
		rc = flight_parse_id(num.buf, flight, err);
		strbuf_release(&num);
		if (rc < 0)
			return rc;
		ref = dot + 1;
	}
	if ((rc = lab_check_name("job", ref, err)) < 0)
		return rc;
	*job = xstrdup(ref);
	return 0;
}
