/*
 * t-db: unit tests of lib/db: creating tlab.db at the latest schema,
 * refusing files that are not ours without touching them, bound
 * parameters, transactions.
 */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "db.h"
#include "err.h"
#include "schema.h"
#include "tap.h"

static char dir[] = "/tmp/t-db.XXXXXX";

/* dir/name in sb (reset first). */
static const char *
in_dir(struct strbuf *sb, const char *name)
{
	strbuf_reset(sb);
	strbuf_addf(sb, "%s/%s", dir, name);
	return sb->buf;
}

static int
exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static void
write_file(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || write(fd, data, len) != (ssize_t)len || close(fd) < 0)
		printf("# write %s: %s\n", path, strerror(errno));
}

/* Run sql on path with plain SQLite (not lib/db). */
static int
sqlite_exec(const char *path, const char *sql)
{
	sqlite3 *h;
	char *msg = NULL;
	int r;

	if (sqlite3_open(path, &h) != SQLITE_OK)
		return -1;
	r = sqlite3_exec(h, sql, NULL, NULL, &msg);
	if (r != SQLITE_OK)
		printf("# sqlite3_exec %s: %s\n", sql, msg ? msg : "?");
	sqlite3_free(msg);
	sqlite3_close(h);
	return r == SQLITE_OK ? 0 : -1;
}

/* A one-value PRAGMA or query on the open handle, as text. */
static void
query_text(struct db *db, const char *sql, struct strbuf *out)
{
	sqlite3_stmt *st;

	strbuf_reset(out);
	if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) != SQLITE_OK)
		return;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) != NULL)
		strbuf_addstr(out, (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

/*
 * Opening path with mode must be refused as bad input with a message
 * having sub, and leave the file byte for byte as it was, with no journal
 * beside it.
 */
static void
refused_unchanged(const char *path, enum db_open_mode mode, const char *sub,
    const char *what)
{
	struct strbuf before = STRBUF_INIT, after = STRBUF_INIT, err = STRBUF_INIT;
	struct strbuf side = STRBUF_INIT;
	struct db db = DB_INIT;
	int rc;

	strbuf_read_file(&before, path);
	rc = db_open(&db, path, mode, &err);
	is_int(rc, TS_E_INPUT, "%s (%s): refused as bad input", what,
	    mode == DB_OPEN_CREATE ? "create" : "existing");
	like(err.buf, sub, "%s: the message says why", what);
	like(err.buf, path, "%s: the message names the file", what);
	ok(db.h == NULL, "%s: no handle left open", what);
	if (strbuf_read_file(&after, path) < 0)
		strbuf_addstr(&after, "(unreadable)");
	ok(before.len == after.len && memcmp(before.buf, after.buf, before.len) == 0,
	    "%s: the file is byte for byte unchanged (%zu bytes, now %zu)", what,
	    before.len, after.len);
	strbuf_addf(&side, "%s-journal", path);
	ok(!exists(side.buf), "%s: no -journal left beside it", what);
	strbuf_reset(&side);
	strbuf_addf(&side, "%s-wal", path);
	ok(!exists(side.buf), "%s: no -wal left beside it", what);
	db_close(&db);
	strbuf_release(&before);
	strbuf_release(&after);
	strbuf_release(&err);
	strbuf_release(&side);
}

static void
test_create(void)
{
	struct strbuf p = STRBUF_INIT, err = STRBUF_INIT, t = STRBUF_INIT;
	struct db db = DB_INIT;
	int rc, version = -1;

	ok(db_schema_latest() >= 1, "the latest schema is at least 1");
	in_dir(&p, "new.db");
	rc = db_open(&db, p.buf, DB_OPEN_CREATE, &err);
	is_int(rc, 0, "DB_OPEN_CREATE of a new file");
	if (rc < 0)
		printf("#   err: %s\n", err.buf);
	ok(exists(p.buf), "the file exists");
	is_int(db_schema_version(&db, &version, &err), 0, "db_schema_version works");
	is_int(version, db_schema_latest(), "a new database is at the latest schema");
	query_text(&db, "PRAGMA application_id", &t);
	is_int(atol(t.buf), DB_APPLICATION_ID, "application_id is 'TLAB'");
	query_text(&db, "PRAGMA journal_mode", &t);
	is(t.buf, "wal", "journal mode is WAL");
	query_text(&db, "PRAGMA foreign_keys", &t);
	is(t.buf, "1", "foreign keys are enforced");
	query_text(&db, "SELECT count(*) FROM sqlite_master WHERE name = 'flights'", &t);
	is(t.buf, "1", "the schema's tables are there");
	db_close(&db);
	ok(db.h == NULL && db.path == NULL, "db_close empties the struct");

	rc = db_open(&db, p.buf, DB_OPEN_EXISTING, &err);
	is_int(rc, 0, "DB_OPEN_EXISTING of the new database");
	version = -1;
	db_schema_version(&db, &version, &err);
	is_int(version, db_schema_latest(), "still at the latest schema");
	db_close(&db);
	rc = db_open(&db, p.buf, DB_OPEN_CREATE, &err);
	is_int(rc, 0, "DB_OPEN_CREATE of an existing tlab database opens it");
	db_close(&db);

	in_dir(&p, "missing.db");
	rc = db_open(&db, p.buf, DB_OPEN_EXISTING, &err);
	is_int(rc, TS_E_INPUT, "DB_OPEN_EXISTING of a missing file is bad input");
	like(err.buf, p.buf, "the message names the file");
	ok(!exists(p.buf), "no file is made");

	in_dir(&p, "");
	rc = db_open(&db, p.buf, DB_OPEN_EXISTING, &err);
	is_int(rc, TS_E_INPUT, "a directory is bad input");
	like(err.buf, "not a regular file", "the message says not a regular file");

	strbuf_release(&p);
	strbuf_release(&err);
	strbuf_release(&t);
}

static void
test_refuse(void)
{
	static const char text[] =
	    "This is not a database.\nIt is a text file that someone typed,\n"
	    "long enough to look like it might have a header of some kind at all;\n"
	    "SQLite reads the first hundred bytes, so there are more than that.\n";
	struct strbuf p = STRBUF_INIT, err = STRBUF_INIT, q = STRBUF_INIT;
	struct db db = DB_INIT;
	int rc;

	in_dir(&p, "text.db");
	write_file(p.buf, text, sizeof(text) - 1);
	refused_unchanged(p.buf, DB_OPEN_EXISTING, "not a tlab database", "a text file");
	refused_unchanged(p.buf, DB_OPEN_CREATE, "not a tlab database", "a text file");

	in_dir(&p, "foreign.db");
	ok(sqlite_exec(p.buf, "CREATE TABLE accounts (id INTEGER PRIMARY KEY, who TEXT);"
	    "INSERT INTO accounts (who) VALUES ('alice'), ('bob');") == 0,
	    "made a foreign SQLite database");
	refused_unchanged(p.buf, DB_OPEN_EXISTING, "not a tlab database",
	    "a foreign SQLite database");
	refused_unchanged(p.buf, DB_OPEN_CREATE, "not a tlab database",
	    "a foreign SQLite database");

	/* Foreign, in WAL mode: reading it makes -wal and -shm for a while. */
	in_dir(&p, "foreign-wal.db");
	ok(sqlite_exec(p.buf, "PRAGMA journal_mode = WAL; CREATE TABLE notes (t TEXT);"
	    "INSERT INTO notes VALUES ('keep me');") == 0,
	    "made a foreign SQLite database in WAL mode");
	refused_unchanged(p.buf, DB_OPEN_EXISTING, "not a tlab database",
	    "a foreign WAL database");

	/* Foreign, with a user_version of its own but no tables. */
	in_dir(&p, "foreign-version.db");
	ok(sqlite_exec(p.buf, "PRAGMA user_version = 7;") == 0,
	    "made a SQLite database with user_version 7 and no tables");
	refused_unchanged(p.buf, DB_OPEN_CREATE, "not a tlab database",
	    "a foreign database without tables");

	/* Foreign, with another program's application_id. */
	in_dir(&p, "foreign-appid.db");
	ok(sqlite_exec(p.buf, "PRAGMA application_id = 1234;") == 0,
	    "made a SQLite database with application_id 1234");
	refused_unchanged(p.buf, DB_OPEN_CREATE, "not a tlab database",
	    "another program's empty database");

	/* A tlab database from a newer tlab. */
	in_dir(&p, "newer.db");
	rc = db_open(&db, p.buf, DB_OPEN_CREATE, &err);
	db_close(&db);
	strbuf_addf(&q, "PRAGMA user_version = %d;", db_schema_latest() + 1);
	ok(rc == 0 && sqlite_exec(p.buf, q.buf) == 0,
	    "made a tlab database with user_version %d", db_schema_latest() + 1);
	refused_unchanged(p.buf, DB_OPEN_EXISTING, "newer", "a newer tlab's database");
	refused_unchanged(p.buf, DB_OPEN_CREATE, "newer", "a newer tlab's database");

	/* An empty file: fine to create into, not a lab to open. */
	in_dir(&p, "empty.db");
	write_file(p.buf, "", 0);
	rc = db_open(&db, p.buf, DB_OPEN_EXISTING, &err);
	is_int(rc, TS_E_INPUT, "an empty file is not an existing lab's database");
	like(err.buf, "empty", "the message says empty");
	rc = db_open(&db, p.buf, DB_OPEN_CREATE, &err);
	is_int(rc, 0, "DB_OPEN_CREATE makes a database in an empty file");
	db_close(&db);

	strbuf_release(&p);
	strbuf_release(&err);
	strbuf_release(&q);
}

static const char create_sql[] =
	"CREATE TABLE t (id INTEGER PRIMARY KEY, i BIGINT, d INTEGER, s TEXT,"
	" n TEXT, j BIGINT)";
static const char create2_sql[] = "CREATE TABLE t2 (x INTEGER)";
static const char insert_sql[] =
	"INSERT INTO t (id, i, d, s, n, j) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char select_sql[] =
	"SELECT i, d, s, n, j FROM t WHERE id = ?1";
static const char count_sql[] = "SELECT count(*) FROM t";
static const char ids_sql[] = "SELECT id FROM t WHERE id >= ?1 ORDER BY id";
static const char null_sql[] = "SELECT s FROM t WHERE id = ?1";
static const char bump_sql[] = "UPDATE t SET d = d + 1 WHERE d >= ?1";
static const char returning_sql[] =
	"INSERT INTO t (i, s) VALUES (?1, ?2) RETURNING id";
static const char param_sql[] = "SELECT ?1";
static const char delete_sql[] = "DELETE FROM t WHERE id >= ?1";
static const char bad_sql[] = "SELEKT nonsense";

static int64_t
count(struct db *db)
{
	int64_t n = -1;

	db_int(db, &n, count_sql, NULL, "");
	return n;
}

static void
test_statements(void)
{
	struct strbuf p = STRBUF_INIT, err = STRBUF_INIT;
	struct db db = DB_INIT;
	sqlite3_stmt *st;
	const int64_t big = INT64_C(9007199254740993);	/* not a double */
	int64_t v;
	int rc, n;

	in_dir(&p, "stmt.db");
	if (db_open(&db, p.buf, DB_OPEN_CREATE, &err) < 0) {
		ok(0, "open %s: %s", p.buf, err.buf);
		return;
	}
	rc = db_begin(&db, &err);
	is_int(rc, 0, "db_begin");
	is_int(db_run(&db, create_sql, &err, ""), 0, "db_run of CREATE TABLE");
	rc = db_run(&db, insert_sql, &err, "iidsnj", (int64_t)1, big, -7, "text",
	    1, big + 1);
	is_int(rc, 1, "db_run of INSERT with i i d s n j: one row changed");
	if (rc < 0)
		printf("#   err: %s\n", err.buf);
	rc = db_run(&db, insert_sql, &err, "iidsnj", (int64_t)2, (int64_t)-1, 0,
	    (const char *)NULL, 0, (int64_t)5);
	is_int(rc, 1, "db_run with a NULL string and an absent j");
	is_int(db_run(&db, create2_sql, &err, ""), 0,
	    "db_run of a CREATE after an INSERT changed 0 rows, not the INSERT's 1");
	is_int(db_commit(&db, &err), 0, "db_commit");

	rc = db_query(&db, &st, select_sql, &err, "i", (int64_t)1);
	is_int(rc, 0, "db_query binds");
	is_int(db_row(&db, st, &err), 1, "db_row: a row");
	is_int(sqlite3_column_int64(st, 0), big, "'i' binds a 64-bit integer exactly");
	is_int(sqlite3_column_int(st, 1), -7, "'d' binds an int");
	is(db_text(st, 2), "text", "'s' binds a string");
	ok(db_is_null(st, 3), "'n' binds NULL");
	ok(!db_is_null(st, 4) && sqlite3_column_int64(st, 4) == big + 1,
	    "'j' with 1 binds the 64-bit integer after it");
	is_int(db_row(&db, st, &err), 0, "db_row: no more rows");

	db_query(&db, &st, select_sql, &err, "i", (int64_t)2);
	is_int(db_row(&db, st, &err), 1, "the cached statement runs again with new values");
	is_int(sqlite3_column_int64(st, 0), -1, "with its new value");
	ok(db_is_null(st, 2), "'s' with NULL binds NULL");
	is(db_text(st, 2), "", "db_text of NULL is \"\"");
	ok(db_strdup(st, 2) == NULL, "db_strdup of NULL is NULL");
	ok(db_is_null(st, 4), "'j' with 0 binds NULL");
	db_done(st);

	is_int(db_int(&db, &v, null_sql, &err, "i", (int64_t)2), 0,
	    "db_int of a NULL value is 0");
	v = 42;
	is_int(db_int(&db, &v, null_sql, &err, "i", (int64_t)99), 0,
	    "db_int of no row is 0");
	is_int(v, 42, "db_int leaves *out alone when there is no value");
	is_int(db_int(&db, &v, count_sql, &err, ""), 1, "db_int of a value is 1");
	is_int(v, 2, "db_int gives the value");

	/* The cache must not keep an earlier call's bindings. */
	is_int(db_int(&db, &v, param_sql, &err, "i", (int64_t)5), 1, "SELECT ?1 with 5");
	is_int(v, 5, "gives 5");
	is_int(db_int(&db, &v, param_sql, &err, ""), 0,
	    "the same statement with nothing bound gives NULL, not the old 5");

	/* Stopping a query early with db_done, then writing. */
	db_query(&db, &st, ids_sql, &err, "i", (int64_t)0);
	is_int(db_row(&db, st, &err), 1, "first of two rows");
	db_done(st);
	rc = db_begin(&db, &err);
	n = db_run(&db, bump_sql, &err, "d", -100);
	is_int(n, 2, "db_run returns the number of rows changed");
	is_int(db_commit(&db, &err), 0, "a write after db_done commits");
	if (rc == 0 && n < 0)
		db_rollback(&db);

	/* Transactions. */
	is_int(db_begin(&db, &err), 0, "db_begin");
	rc = db_begin(&db, &err);
	ok(rc < 0, "db_begin inside a transaction is an error (%d)", rc);
	like(err.buf, "transaction", "the message says a transaction is open");
	db_run(&db, insert_sql, &err, "iidsnj", (int64_t)3, (int64_t)3, 3, "r", 0,
	    (int64_t)0);
	is_int(count(&db), 3, "inside the transaction the row is there");
	db_rollback(&db);
	is_int(count(&db), 2, "db_rollback undoes the insert");
	db_rollback(&db);
	ok(db.in_tx == 0 && sqlite3_get_autocommit(db.h) && count(&db) == 2,
	    "db_rollback with none open is harmless");
	is_int(db_begin(&db, &err), 0, "db_begin works again after rollback");
	rc = db_int(&db, &v, returning_sql, &err, "is", (int64_t)77, "ret");
	is_int(rc, 1, "INSERT ... RETURNING id through db_int gives a row");
	ok(v > 2, "the new id (%lld) is after the others", (long long)v);
	is_int(db_commit(&db, &err), 0, "db_commit");
	{
		int64_t i77 = 0;
		static const char get_i_sql[] = "SELECT i FROM t WHERE id = ?1";

		is_int(db_int(&db, &i77, get_i_sql, &err, "i", v), 1,
		    "the RETURNING row is there after commit");
		is_int(i77, 77, "with its value");
	}
	is_int(count(&db), 3, "three rows now");

	/* Outside any transaction, a RETURNING insert still happens. */
	rc = db_int(&db, &v, returning_sql, &err, "is", (int64_t)78, "auto");
	is_int(rc, 1, "RETURNING outside a transaction");
	is_int(count(&db), 4, "and the row stays");

	/* db_end commits or rolls back by rc; db_write is a write of its own. */
	db_begin(&db, &err);
	db_run(&db, insert_sql, &err, "iidsnj", (int64_t)50, (int64_t)0, 0, "e", 0,
	    (int64_t)0);
	is_int(db_end(&db, TS_E_INPUT, &err), TS_E_INPUT,
	    "db_end of a failure returns its code");
	is_int(count(&db), 4, "and rolled back");
	is_int(db_begin(&db, &err), 0, "no transaction is left open after db_end");
	db_run(&db, insert_sql, &err, "iidsnj", (int64_t)50, (int64_t)0, 0, "e", 0,
	    (int64_t)0);
	is_int(db_end(&db, 5, &err), 5, "db_end of a success returns its value");
	is_int(count(&db), 5, "and committed");
	rc = db_write(&db, insert_sql, &err, "iidsnj", (int64_t)51, (int64_t)0, 0,
	    "w", 0, (int64_t)0);
	is_int(rc, 1, "db_write returns the rows changed");
	is_int(count(&db), 6, "and commits");
	rc = db_write(&db, insert_sql, &err, "iidsnj", (int64_t)51, (int64_t)0, 0,
	    "w", 0, (int64_t)0);
	is_int(rc, TS_E_LAB, "db_write of a failing statement is an error");
	is_int(db_begin(&db, &err), 0, "and leaves no transaction open");
	db_rollback(&db);
	is_int(count(&db), 6, "nothing changed by the failed db_write");
	db_write(&db, delete_sql, &err, "i", (int64_t)50);
	is_int(count(&db), 4, "db_write of a DELETE");

	/* Errors carry SQLite's words and the file. */
	db_begin(&db, &err);
	rc = db_run(&db, insert_sql, &err, "iidsnj", (int64_t)1, (int64_t)0, 0, "dup",
	    0, (int64_t)0);
	is_int(rc, TS_E_LAB, "a duplicate primary key is an error");
	is_int(db_errcode(&db), SQLITE_CONSTRAINT_PRIMARYKEY,
	    "db_errcode says SQLITE_CONSTRAINT_PRIMARYKEY");
	like(err.buf, "UNIQUE constraint failed", "the message is SQLite's");
	like(err.buf, p.buf, "the message names the file");
	db_rollback(&db);
	rc = db_run(&db, bad_sql, &err, "");
	is_int(rc, TS_E_LAB, "bad SQL is an error");
	like(err.buf, "SELEKT", "the message shows the statement");
	rc = db_run(&db, insert_sql, &err, "x", 1);
	is_int(rc, TS_E_LAB, "an unknown bind letter is an error");
	like(err.buf, "bind", "the message says bind");
	is_int(count(&db), 4, "nothing changed by the failures");

	db_close(&db);
	strbuf_release(&p);
	strbuf_release(&err);
}

/*
 * Two writers: while another process holds a write transaction for longer
 * than one busy wait (2 s), db_begin waits its turn instead of failing
 * with "database is locked".
 */
static void
test_two_writers(void)
{
	static const char mk_sql[] = "CREATE TABLE w (who TEXT)";
	static const char add_sql[] = "INSERT INTO w (who) VALUES (?1)";
	static const char n_sql[] = "SELECT count(*) FROM w";
	struct strbuf p = STRBUF_INIT, err = STRBUF_INIT;
	struct db db = DB_INIT;
	int64_t t0, took, n = -1;
	int fd[2], rc, st;
	pid_t pid;
	char c;

	in_dir(&p, "two.db");
	if (db_open(&db, p.buf, DB_OPEN_CREATE, &err) < 0 ||
	    db_begin(&db, &err) < 0 || db_run(&db, mk_sql, &err, "") < 0 ||
	    db_commit(&db, &err) < 0) {
		ok(0, "set up two.db: %s", err.buf);
		db_close(&db);
		return;
	}
	db_close(&db);
	if (pipe(fd) < 0 || (pid = fork()) < 0) {
		ok(0, "pipe/fork: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		struct db other = DB_INIT;

		close(fd[0]);
		rc = 1;
		if (db_open(&other, p.buf, DB_OPEN_EXISTING, &err) == 0 &&
		    db_begin(&other, &err) == 0 &&
		    db_run(&other, add_sql, &err, "s", "first") == 1 &&
		    write(fd[1], "x", 1) == 1) {
			clock_sleep_ms(2500);
			rc = db_commit(&other, &err) < 0;
		}
		db_close(&other);
		strbuf_release(&p);
		strbuf_release(&err);
		_exit(rc);
	}
	close(fd[1]);
	rc = read(fd[0], &c, 1) == 1;
	close(fd[0]);
	ok(rc, "another process holds a write transaction");
	rc = db_open(&db, p.buf, DB_OPEN_EXISTING, &err);
	is_int(rc, 0, "the database opens meanwhile");
	t0 = clock_now_ms();
	rc = db_begin(&db, &err);
	took = clock_now_ms() - t0;
	is_int(rc, 0, "db_begin waits for the other writer");
	if (rc < 0)
		printf("#   err: %s\n", err.buf);
	ok(took >= 1500, "it waited (%lld ms)", (long long)took);
	if (rc == 0) {
		rc = db_run(&db, add_sql, &err, "s", "second");
		rc = db_end(&db, rc, &err);
		is_int(rc, 1, "and then writes");
	}
	waitpid(pid, &st, 0);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the other writer committed");
	db_int(&db, &n, n_sql, &err, "");
	is_int(n, 2, "both rows are there");
	db_close(&db);
	strbuf_release(&p);
	strbuf_release(&err);
}

/*
 * An older lab: a database at version 1 only (made with migration 1's own
 * SQL), opened by this tlab, is migrated to the latest version in place,
 * keeping its rows.
 */
static void
test_migrate(void)
{
	struct strbuf p = STRBUF_INIT, err = STRBUF_INIT;
	struct db db;
	sqlite3 *h;
	int64_t n = 0;
	int version = 0, rc;

	in_dir(&p, "old.db");
	ok(sqlite3_open(p.buf, &h) == SQLITE_OK &&
	    sqlite3_exec(h, "PRAGMA application_id = 1414283586; PRAGMA journal_mode = WAL",
	    NULL, NULL, NULL) == SQLITE_OK &&
	    sqlite3_exec(h, schema_migrations[0].sql, NULL, NULL, NULL) == SQLITE_OK &&
	    sqlite3_exec(h, "PRAGMA user_version = 1; INSERT INTO flights (branch, "
	    "intended, blessing, created) VALUES ('b', 'real', 'real', 1)", NULL, NULL,
	    NULL) == SQLITE_OK, "made a version 1 database with a flight");
	sqlite3_close(h);
	rc = db_open(&db, p.buf, DB_OPEN_EXISTING, &err);
	is_int(rc, 0, "a version 1 database opens: %s", err.buf);
	if (rc == 0) {
		db_schema_version(&db, &version, &err);
		is_int(version, db_schema_latest(), "it is migrated to the latest version");
		ok(db_int(&db, &n, "SELECT count(*) FROM flights", &err, "") == 1 && n == 1,
		    "its flight is still there");
		ok(db_int(&db, &n, "SELECT count(*) FROM verdicts", &err, "") == 1 && n == 0,
		    "version 2's tables are there");
		ok(db_int(&db, &n, "SELECT count(*) FROM branch_overrides"
		    " WHERE cleared_by IS NOT NULL", &err, "") == 1 && n == 0,
		    "version 3's column is there");
		db_close(&db);
	}
	strbuf_release(&p);
	strbuf_release(&err);
}

/* Remove dir and what is in it. */
static void
cleanup(void)
{
	static const char *const names[] = { "new.db", "text.db", "foreign.db",
	    "foreign-wal.db", "foreign-version.db", "foreign-appid.db", "newer.db",
	    "empty.db", "stmt.db", "two.db", "old.db", NULL };
	static const char *const sides[] = { "", "-wal", "-shm", "-journal", NULL };
	struct strbuf p = STRBUF_INIT;
	size_t i, k;

	for (i = 0; names[i] != NULL; i++)
		for (k = 0; sides[k] != NULL; k++) {
			strbuf_reset(&p);
			strbuf_addf(&p, "%s/%s%s", dir, names[i], sides[k]);
			unlink(p.buf);
		}
	if (rmdir(dir) < 0)
		printf("# rmdir %s: %s\n", dir, strerror(errno));
	strbuf_release(&p);
}

int
main(void)
{
	/* Line by line: a forked child must not repeat our buffered output. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (mkdtemp(dir) == NULL) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	test_create();
	test_refuse();
	test_statements();
	test_two_writers();
	test_migrate();
	cleanup();
	return done_testing();
}
