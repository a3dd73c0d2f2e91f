/*
 * flight: rows of the flights table.  See flight.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "err.h"
#include "flight.h"
#include "status.h"
#include "xalloc.h"
#include "banned.h"

static const char flight_insert_sql[] =
	"INSERT INTO flights (branch, intended, blessing, created)"
	" VALUES (?1, ?2, 'constructing', ?3) RETURNING flight";

int
flight_create(struct lab *lab, const char *branch, const char *intended,
    int64_t *id, struct strbuf *err)
{
	int rc;

	if ((rc = lab_check_name("branch", branch, err)) < 0 ||
	    (rc = flight_check_final_blessing(intended, err)) < 0)
		return rc;
	if ((rc = db_begin(&lab->db, err)) < 0)
		return rc;
	rc = db_int(&lab->db, id, flight_insert_sql, err, "ssi", branch, intended,
	    clock_utc());
	if (rc == 0)
		rc = err_setf(err, TS_E_LAB, "flight insert returned no id");
	if (rc > 0)
		rc = flight_touch_harness(lab, *id, err);
	return db_end(&lab->db, rc, err);
}

static const char flight_get_sql[] =
	"SELECT flight, branch, intended, blessing, created, started, finished"
	" FROM flights WHERE flight = ?1";

static const char flight_list_sql[] =
	"SELECT flight, branch, intended, blessing, created, started, finished"
	" FROM flights ORDER BY flight DESC LIMIT ?1";

static void
flight_from_row(sqlite3_stmt *st, struct flight *f)
{
	f->id = sqlite3_column_int64(st, 0);
	f->branch = db_strdup(st, 1);
	f->intended = db_strdup(st, 2);
	f->blessing = db_strdup(st, 3);
	f->created = sqlite3_column_int64(st, 4);
	f->started = sqlite3_column_int64(st, 5);
	f->finished = sqlite3_column_int64(st, 6);
}

int
flight_get(struct lab *lab, int64_t id, struct flight *f, struct strbuf *err)
{
	sqlite3_stmt *st;
	int rc;

	memset(f, 0, sizeof(*f));
	if ((rc = db_query(&lab->db, &st, flight_get_sql, err, "i", id)) < 0)
		return rc;
	if ((rc = db_row(&lab->db, st, err)) < 0)
		return rc;
	if (rc == 0)
		return err_setf(err, TS_E_INPUT, "flight %lld: no such flight",
		    (long long)id);
	flight_from_row(st, f);
	db_done(st);
	return 0;
}

void
flight_release(struct flight *f)
{
	free(f->branch);
	free(f->intended);
	free(f->blessing);
	memset(f, 0, sizeof(*f));
}

int
flight_list(struct lab *lab, int limit,
    int (*cb)(const struct flight *f, void *ctx), void *ctx, struct strbuf *err)
{
	sqlite3_stmt *st;
	struct flight f;
	int rc;

	if ((rc = db_query(&lab->db, &st, flight_list_sql, err, "d", limit)) < 0)
		return rc;
	while ((rc = db_row(&lab->db, st, err)) > 0) {
		flight_from_row(st, &f);
		rc = cb(&f, ctx);
		flight_release(&f);
		if (rc < 0) {
			db_done(st);
			return rc;
		}
	}
	return rc;
}

static int
has_word_play(const char *blessing)
{
	const char *p = blessing;

	while ((p = strstr(p, "play")) != NULL) {
		int before = p == blessing || p[-1] == '-' || p[-1] == '_';
		int after = p[4] == '\0' || p[4] == '-' || p[4] == '_';

		if (before && after)
			return 1;
		p += 4;
	}
	return 0;
}

static const char flight_bless_sql[] =
	"UPDATE flights SET blessing = ?2,"
	" finished = CASE WHEN blessing = 'running' THEN ?3 ELSE finished END"
	" WHERE flight = ?1 AND blessing = ?4";

int
flight_check_final_blessing(const char *blessing, struct strbuf *err)
{
	int rc;

	if ((rc = lab_check_name("blessing", blessing, err)) < 0)
		return rc;
	if (strcmp(blessing, BLESSING_CONSTRUCTING) == 0 ||
	    strcmp(blessing, BLESSING_RUNNING) == 0)
		return err_setf(err, TS_E_INPUT,
		    "blessing %s: a flight passes through it, it is not one to give",
		    blessing);
	return 0;
}

int
flight_bless(struct lab *lab, int64_t id, const char *to,
    const char *const *from, int n, struct strbuf *err)
{
	static const char *const running[] = { BLESSING_RUNNING };
	struct flight f;
	int i, rc, ok = 0;

	if ((rc = flight_check_final_blessing(to, err)) < 0)
		return rc;
	if (n == 0) {
		from = running;
		n = 1;
	}
	if ((rc = db_begin(&lab->db, err)) < 0)
		return rc;
	if ((rc = flight_get(lab, id, &f, err)) < 0)
		goto fail;
	for (i = 0; i < n; i++)
		if (strcmp(f.blessing, from[i]) == 0)
			ok = 1;
	if (!ok && !has_word_play(f.blessing)) {
		struct strbuf list = STRBUF_INIT;

		for (i = 0; i < n; i++)
			strbuf_addf(&list, "%s%s", i ? ", " : "", from[i]);
		rc = err_setf(err, TS_E_INPUT,
		    "flight %lld: blessing is %s, not %s%s", (long long)id,
		    f.blessing, n > 1 ? "one of " : "", list.buf);
		strbuf_release(&list);
		flight_release(&f);
		goto fail;
	}
	rc = db_run(&lab->db, flight_bless_sql, err, "isis", id, to, clock_utc(),
	    f.blessing);
	flight_release(&f);
	if (rc >= 0)
		rc = flight_touch_harness(lab, id, err);
fail:
	return db_end(&lab->db, rc, err);
}

static const char flight_start_sql[] =
	"UPDATE flights SET blessing = 'running', started = ?2"
	" WHERE flight = ?1 AND blessing = 'constructing'";

int
flight_start(struct lab *lab, int64_t id, struct strbuf *err)
{
	int rc = db_run(&lab->db, flight_start_sql, err, "ii", id, clock_utc());

	return rc < 0 ? rc : 0;
}

static const char flight_harness_insert_sql[] =
	"INSERT INTO flight_harness (flight, harness, first_seen)"
	" VALUES (?1, ?2, ?3) ON CONFLICT (flight, harness) DO NOTHING";

int
flight_touch_harness(struct lab *lab, int64_t id, struct strbuf *err)
{
	int rc = db_run(&lab->db, flight_harness_insert_sql, err, "isi", id,
	    lab_harness(), clock_utc());

	return rc < 0 ? rc : 0;
}

static const char flight_harness_sql[] =
	"SELECT harness FROM flight_harness WHERE flight = ?1"
	" ORDER BY first_seen, harness";

int
flight_harness(struct lab *lab, int64_t id, struct strbuf *out,
    struct strbuf *err)
{
	sqlite3_stmt *st;
	int rc, n = 0;

	if ((rc = db_query(&lab->db, &st, flight_harness_sql, err, "i", id)) < 0)
		return rc;
	while ((rc = db_row(&lab->db, st, err)) > 0)
		strbuf_addf(out, "%s%s", n++ ? ", " : "", db_text(st, 0));
	return rc;
}

static const char flight_unstarted_sql[] =
	"SELECT COUNT(*) FROM flights f WHERE f.flight = ?1"
	" AND f.blessing = ?2 AND NOT EXISTS (SELECT 1 FROM jobs j"
	"  WHERE j.flight = ?1 AND j.status <> ?3)"
	" AND NOT EXISTS (SELECT 1 FROM steps s WHERE s.flight = ?1)";
static const char flight_del_runvars_sql[] =
	"DELETE FROM runvars WHERE flight = ?1";
static const char flight_del_jobs_sql[] =
	"DELETE FROM jobs WHERE flight = ?1";
static const char flight_del_harness_sql[] =
	"DELETE FROM flight_harness WHERE flight = ?1";
static const char flight_del_sql[] =
	"DELETE FROM flights WHERE flight = ?1";

int
flight_remove_unstarted(struct lab *lab, int64_t id, struct strbuf *err)
{
	int64_t n = 0;
	int rc;

	if ((rc = db_begin(&lab->db, err)) < 0)
		return rc;
	if ((rc = db_int(&lab->db, &n, flight_unstarted_sql, err, "iss", id,
	    BLESSING_CONSTRUCTING, status_name(ST_QUEUED))) < 0)
		goto out;
	if (n == 0) {
		rc = err_setf(err, TS_E_LAB, "flight %lld: not removed: it was "
		    "started meanwhile", (long long)id);
		goto out;
	}
	if ((rc = db_run(&lab->db, flight_del_runvars_sql, err, "i", id)) >= 0 &&
	    (rc = db_run(&lab->db, flight_del_jobs_sql, err, "i", id)) >= 0 &&
	    (rc = db_run(&lab->db, flight_del_harness_sql, err, "i", id)) >= 0)
		rc = db_run(&lab->db, flight_del_sql, err, "i", id);
out:
	return db_end(&lab->db, rc < 0 ? rc : 0, err);
}

/* ?3 revision_TREE, ?4 built_revision_TREE, ?5 the revision. */
static const char flight_tested_sql[] =
	"SELECT MAX(f.flight) FROM flights f"
	" WHERE f.branch = ?1 AND f.blessing = ?2 AND f.finished IS NOT NULL"
	" AND EXISTS (SELECT 1 FROM runvars r JOIN jobs j"
	"  ON j.flight = r.flight AND j.job = r.job"
	"  WHERE r.flight = f.flight AND j.attempt_of IS NULL"
	"  AND r.name = ?3 AND r.val = ?5)"
	" AND NOT EXISTS (SELECT 1 FROM runvars r JOIN jobs j"
	"  ON j.flight = r.flight AND j.job = r.job"
	"  WHERE r.flight = f.flight AND j.attempt_of IS NULL"
	"  AND r.name IN (?3, ?4) AND r.val <> ?5)";

int
flight_tested(struct lab *lab, const char *branch, const char *tree,
    const char *rev, int64_t *id, struct strbuf *err)
{
	char *name = xasprintf("revision_%s", tree);
	char *built = xasprintf("built_revision_%s", tree);
	int rc;

	*id = 0;
	rc = db_int(&lab->db, id, flight_tested_sql, err, "sssss", branch,
	    BLESSING_REAL, name, built, rev);
	free(name);
	free(built);
	return rc;
}
