/*
 * db: open tlab.db, migrate it, and run prepared statements in short write
 * transactions.  See db.h.
 *
 * SQLite-specific commands (PRAGMA) stay in this file; what other modules
 * send is portable SQL.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "db.h"
#include "err.h"
#include "schema.h"
#include "xalloc.h"
#include "banned.h"

/* How long a writer waits for the others, in all. */
#define DB_WRITE_WAIT_MS (120 * 1000)
/* One busy-handler wait inside that; the loop retries after it. */
#define DB_BUSY_TIMEOUT_MS 2000

struct db_cached {
	const char *sql;
	sqlite3_stmt *st;
};

static int
db_fail(struct db *db, struct strbuf *err, const char *sql)
{
	err_setf(err, TS_E_LAB, "%s: %s", db->path, sqlite3_errmsg(db->h));
	if (sql != NULL) {
		/* The first line of the statement is enough to find it. */
		size_t n = strcspn(sql, "\n");
		if (n > 80)
			n = 80;
		strbuf_addstr(err, " [");
		strbuf_add(err, sql, n);
		strbuf_addstr(err, n < strlen(sql) ? "...]" : "]");
	}
	return TS_E_LAB;
}

static int
db_exec_plain(struct db *db, const char *sql, struct strbuf *err)
{
	if (sqlite3_exec(db->h, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(db, err, sql);
	return 0;
}

static int
pragma_int(struct db *db, const char *sql, int *out, struct strbuf *err)
{
	sqlite3_stmt *st;
	int r;

	if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, err, NULL);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		*out = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		return db_fail(db, err, NULL);
	return 0;
}

int
db_schema_latest(void)
{
	return schema_migrations[schema_nmigrations - 1].version;
}

int
db_schema_version(struct db *db, int *version, struct strbuf *err)
{
	return pragma_int(db, "PRAGMA user_version", version, err);
}

static int
db_migrate(struct db *db, struct strbuf *err)
{
	int i, rc, version;

	for (i = 0; i < schema_nmigrations; i++) {
		const struct schema_migration *m = &schema_migrations[i];
		struct strbuf set = STRBUF_INIT;

		if ((rc = db_begin(db, err)) < 0)
			return rc;
		/* Another process may have migrated while we waited. */
		if ((rc = db_schema_version(db, &version, err)) < 0)
			goto fail;
		if (version >= m->version) {
			db_rollback(db);
			continue;
		}
		if ((rc = db_exec_plain(db, m->sql, err)) < 0) {
			err_wrapf(err, rc, "schema migration %d (%s)", m->version, m->what);
			goto fail;
		}
		strbuf_addf(&set, "PRAGMA user_version = %d", m->version);
		rc = db_exec_plain(db, set.buf, err);
		strbuf_release(&set);
		if (rc < 0)
			goto fail;
		if ((rc = db_commit(db, err)) < 0)
			return rc;
	}
	return 0;
fail:
	db_rollback(db);
	return rc;
}

/*
 * Decide, reading only, whether the file is ours.  Nothing may be written
 * before this says yes: a foreign database must be left as it was.
 */
static int
db_check_owner(struct db *db, enum db_open_mode mode, struct strbuf *err)
{
	int appid = 0, version = 0, ntables = 0, rc;

	if ((rc = pragma_int(db, "PRAGMA application_id", &appid, err)) < 0 ||
	    (rc = db_schema_version(db, &version, err)) < 0 ||
	    (rc = pragma_int(db, "SELECT count(*) FROM sqlite_master", &ntables, err)) < 0) {
		/* SQLITE_NOTADB and friends: not SQLite at all. */
		return err_setf(err, TS_E_INPUT, "%s: not a tlab database (%s)",
		    db->path, sqlite3_errmsg(db->h));
	}
	if (appid == DB_APPLICATION_ID) {
		if (version > db_schema_latest())
			return err_setf(err, TS_E_INPUT,
			    "%s: schema version %d is newer than this tlab knows (%d): "
			    "use a newer tlab", db->path, version, db_schema_latest());
		return 0;
	}
	if (appid == 0 && version == 0 && ntables == 0 && mode == DB_OPEN_CREATE)
		return 0;
	if (appid == 0 && version == 0 && ntables == 0)
		return err_setf(err, TS_E_INPUT, "%s: empty database, not a tlab lab "
		    "(ts-lab-init makes one)", db->path);
	return err_setf(err, TS_E_INPUT, "%s: not a tlab database "
	    "(application id %#x, %d tables)", db->path, (unsigned)appid, ntables);
}

int
db_open(struct db *db, const char *path, enum db_open_mode mode,
    struct strbuf *err)
{
	struct stat sb;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	int rc, version, created;

	memset(db, 0, sizeof(*db));
	db->path = xstrdup(path);
	if (stat(path, &sb) < 0) {
		if (errno != ENOENT || mode != DB_OPEN_CREATE) {
			rc = errno == ENOENT ? TS_E_INPUT : TS_E_LAB;
			err_errno(err, rc, "%s", path);
			goto fail;
		}
		flags |= SQLITE_OPEN_CREATE;
	} else if (!S_ISREG(sb.st_mode)) {
		rc = err_setf(err, TS_E_INPUT, "%s: not a regular file", path);
		goto fail;
	}
	if (sqlite3_open_v2(path, &db->h, flags, NULL) != SQLITE_OK) {
		rc = db_fail(db, err, NULL);
		goto fail;
	}
	sqlite3_extended_result_codes(db->h, 1);
	sqlite3_busy_timeout(db->h, DB_BUSY_TIMEOUT_MS);
	if ((rc = db_check_owner(db, mode, err)) < 0)
		goto fail;
	/*
	 * Ours: the last process to close would checkpoint, fsync and delete
	 * the WAL; with one short-lived process per command that is most of a
	 * write's cost.  Writers checkpoint as the WAL grows instead.  (Not
	 * before the check: a foreign database is left as it was, WAL too.)
	 */
	sqlite3_db_config(db->h, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
	if ((rc = db_schema_version(db, &version, err)) < 0)
		goto fail;
	created = version == 0;
	if (created &&
	    (rc = db_exec_plain(db, "PRAGMA application_id = 1414283586", err)) < 0)
		goto fail;
	if ((rc = db_exec_plain(db, "PRAGMA foreign_keys = ON", err)) < 0 ||
	    (rc = db_exec_plain(db, "PRAGMA synchronous = NORMAL", err)) < 0)
		goto fail;
	if (created && (rc = db_exec_plain(db, "PRAGMA journal_mode = WAL", err)) < 0)
		goto fail;
	if (version < db_schema_latest() && (rc = db_migrate(db, err)) < 0)
		goto fail;
	return 0;
fail:
	db_close(db);
	return rc;
}

void
db_close(struct db *db)
{
	size_t i;

	for (i = 0; i < db->ncache; i++)
		sqlite3_finalize(db->cache[i].st);
	free(db->cache);
	if (db->h != NULL)
		sqlite3_close(db->h);
	free(db->path);
	memset(db, 0, sizeof(*db));
}

static int
is_busy(int r)
{
	return (r & 0xff) == SQLITE_BUSY || (r & 0xff) == SQLITE_LOCKED;
}

int
db_begin(struct db *db, struct strbuf *err)
{
	int64_t give_up = clock_now_ms() + DB_WRITE_WAIT_MS;
	int64_t nap = 5;
	int r;

	if (db->in_tx)
		return err_setf(err, TS_E_LAB, "%s: transaction already open", db->path);
	for (;;) {
		r = sqlite3_exec(db->h, "BEGIN IMMEDIATE", NULL, NULL, NULL);
		if (r == SQLITE_OK)
			break;
		if (!is_busy(r))
			return db_fail(db, err, "BEGIN IMMEDIATE");
		if (clock_now_ms() >= give_up)
			return err_setf(err, TS_E_LAB,
			    "%s: other writers held the database for %d s: %s",
			    db->path, DB_WRITE_WAIT_MS / 1000, sqlite3_errmsg(db->h));
		/* The busy handler already waited; add a little jitter. */
		clock_sleep_ms(nap + rand() % 10);
		if (nap < 100)
			nap *= 2;
	}
	db->in_tx = 1;
	return 0;
}

int
db_commit(struct db *db, struct strbuf *err)
{
	int64_t give_up = clock_now_ms() + DB_WRITE_WAIT_MS;
	int r;

	while ((r = sqlite3_exec(db->h, "COMMIT", NULL, NULL, NULL)) != SQLITE_OK) {
		if (!is_busy(r) || clock_now_ms() >= give_up) {
			int rc = db_fail(db, err, "COMMIT");
			db_rollback(db);
			return rc;
		}
		clock_sleep_ms(10);
	}
	db->in_tx = 0;
	return 0;
}

void
db_rollback(struct db *db)
{
	if (db->h != NULL && !sqlite3_get_autocommit(db->h))
		(void)sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
	db->in_tx = 0;
}

static int
db_prepare_cached(struct db *db, sqlite3_stmt **st, const char *sql,
    struct strbuf *err)
{
	size_t i;

	for (i = 0; i < db->ncache; i++) {
		if (db->cache[i].sql == sql) {
			*st = db->cache[i].st;
			sqlite3_reset(*st);
			sqlite3_clear_bindings(*st);
			return 0;
		}
	}
	if (sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, st,
	    NULL) != SQLITE_OK)
		return db_fail(db, err, sql);
	ALLOC_GROW(db->cache, db->ncache + 1, db->acache);
	db->cache[db->ncache].sql = sql;
	db->cache[db->ncache].st = *st;
	db->ncache++;
	return 0;
}

static int
db_bindv(struct db *db, sqlite3_stmt *st, const char *sql, const char *fmt,
    va_list ap, struct strbuf *err)
{
	int i, r = SQLITE_OK;

	for (i = 1; fmt != NULL && *fmt != '\0'; fmt++, i++) {
		const char *s;

		switch (*fmt) {
		case 'i':
			r = sqlite3_bind_int64(st, i, va_arg(ap, int64_t));
			break;
		case 'd':
			r = sqlite3_bind_int(st, i, va_arg(ap, int));
			break;
		case 's':
			s = va_arg(ap, const char *);
			r = s == NULL ? sqlite3_bind_null(st, i) :
			    sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
			break;
		case 'n':
			r = sqlite3_bind_null(st, i);
			break;
		case 'j': {
			int has = va_arg(ap, int);
			int64_t v = va_arg(ap, int64_t);

			r = has ? sqlite3_bind_int64(st, i, v) : sqlite3_bind_null(st, i);
			break;
		}
		default:
			return err_setf(err, TS_E_LAB, "db: bad bind format '%c'", *fmt);
		}
		if (r != SQLITE_OK)
			return db_fail(db, err, sql);
	}
	return 0;
}

static int
db_vrun(struct db *db, const char *sql, struct strbuf *err, const char *fmt,
    va_list ap)
{
	sqlite3_stmt *st;
	sqlite3_int64 before;
	int rc, r;

	if ((rc = db_prepare_cached(db, &st, sql, err)) < 0)
		return rc;
	if ((rc = db_bindv(db, st, sql, fmt, ap, err)) < 0)
		return rc;
	/* sqlite3_changes() is the last DML's count, not this statement's. */
	before = sqlite3_total_changes64(db->h);
	r = sqlite3_step(st);
	while (r == SQLITE_ROW)		/* RETURNING rows nobody asked for */
		r = sqlite3_step(st);
	if (r != SQLITE_DONE) {
		rc = db_fail(db, err, sql);
		sqlite3_reset(st);
		return rc;
	}
	sqlite3_reset(st);
	return (int)(sqlite3_total_changes64(db->h) - before);
}

int
db_run(struct db *db, const char *sql, struct strbuf *err, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = db_vrun(db, sql, err, fmt, ap);
	va_end(ap);
	return rc;
}

int
db_write(struct db *db, const char *sql, struct strbuf *err, const char *fmt,
    ...)
{
	va_list ap;
	int rc;

	if ((rc = db_begin(db, err)) < 0)
		return rc;
	va_start(ap, fmt);
	rc = db_vrun(db, sql, err, fmt, ap);
	va_end(ap);
	return db_end(db, rc, err);
}

int
db_end(struct db *db, int rc, struct strbuf *err)
{
	int r;

	if (rc < 0) {
		db_rollback(db);
		return rc;
	}
	if ((r = db_commit(db, err)) < 0)
		return r;
	return rc;
}

int
db_query(struct db *db, sqlite3_stmt **st, const char *sql, struct strbuf *err,
    const char *fmt, ...)
{
	va_list ap;
	int rc;

	if ((rc = db_prepare_cached(db, st, sql, err)) < 0)
		return rc;
	va_start(ap, fmt);
	rc = db_bindv(db, *st, sql, fmt, ap, err);
	va_end(ap);
	return rc;
}

int
db_row(struct db *db, sqlite3_stmt *st, struct strbuf *err)
{
	int r = sqlite3_step(st);

	if (r == SQLITE_ROW)
		return 1;
	if (r == SQLITE_DONE) {
		sqlite3_reset(st);
		return 0;
	}
	r = db_fail(db, err, sqlite3_sql(st));
	sqlite3_reset(st);
	return r;
}

void
db_done(sqlite3_stmt *st)
{
	sqlite3_reset(st);
}

int
db_int(struct db *db, int64_t *out, const char *sql, struct strbuf *err,
    const char *fmt, ...)
{
	sqlite3_stmt *st;
	va_list ap;
	int rc;

	if ((rc = db_prepare_cached(db, &st, sql, err)) < 0)
		return rc;
	va_start(ap, fmt);
	rc = db_bindv(db, st, sql, fmt, ap, err);
	va_end(ap);
	if (rc < 0)
		return rc;
	if ((rc = db_row(db, st, err)) <= 0)
		return rc;
	rc = 0;
	if (sqlite3_column_type(st, 0) != SQLITE_NULL) {
		*out = sqlite3_column_int64(st, 0);
		rc = 1;
	}
	sqlite3_reset(st);
	return rc;
}

const char *
db_text(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	return t != NULL ? (const char *)t : "";
}

char *
db_strdup(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	return t != NULL ? xstrdup((const char *)t) : NULL;
}

int
db_is_null(sqlite3_stmt *st, int col)
{
	return sqlite3_column_type(st, col) == SQLITE_NULL;
}

int
db_errcode(struct db *db)
{
	return sqlite3_extended_errcode(db->h);
}
