/*
 * db: the lab's state database, tlab.db.
 *
 * This module is the one owner of the SQLite handle.  It opens the file
 * (refusing one that is not SQLite, belongs to another program or has a
 * newer schema, before writing a byte to it), applies the numbered schema
 * migrations of schema.c, and gives the rest of lib/ prepared statements
 * with bound parameters and short write transactions: BEGIN IMMEDIATE,
 * retried on SQLITE_BUSY within a bound, so that many processes writing at
 * once (a flight's jobs, each with its steps) wait their turn instead of
 * failing with "database is locked".  SQL lives beside the function that
 * runs it, in the module that owns the table, and keeps to what SQLite and
 * PostgreSQL both accept.
 */
#ifndef TLAB_DB_H
#define TLAB_DB_H

#include <sqlite3.h>
#include <stdint.h>

#include "strbuf.h"

struct db_cached;

struct db {
	sqlite3 *h;
	char *path;
	int in_tx;
	struct db_cached *cache;
	size_t ncache, acache;
};

#define DB_INIT { NULL, NULL, 0, NULL, 0, 0 }

/* 'TLAB' in PRAGMA application_id marks a tlab database. */
#define DB_APPLICATION_ID 0x544c4142

enum db_open_mode {
	DB_OPEN_EXISTING = 0,	/* the file must exist and be a tlab database */
	DB_OPEN_CREATE = 1,	/* make a new one (ts-lab-init) */
};

int db_open(struct db *db, const char *path, enum db_open_mode mode,
    struct strbuf *err);
void db_close(struct db *db);

/* The schema version this tlab writes, and the one a file has. */
int db_schema_latest(void);
int db_schema_version(struct db *db, int *version, struct strbuf *err);

/*
 * A write transaction: BEGIN IMMEDIATE, waiting for other writers up to a
 * bound of two minutes.  Every write of lib/ happens between db_begin and
 * db_commit; db_rollback undoes and ends it (safe when none is open).
 */
int db_begin(struct db *db, struct strbuf *err);
int db_commit(struct db *db, struct strbuf *err);
void db_rollback(struct db *db);

/*
 * End a write transaction: commit when rc >= 0 and return rc (or the
 * commit's error), roll back and return rc when rc < 0.
 */
int db_end(struct db *db, int rc, struct strbuf *err);

/*
 * Parameters are bound from fmt, one letter per parameter in order:
 * 'i' int64_t, 'd' int, 's' const char * (NULL binds NULL), 'n' NULL
 * (takes no argument), 'j' an int then an int64_t: the int64_t, or NULL
 * when the int is 0.
 *
 * db_run executes a statement that returns no rows and returns the number
 * of rows it changed (>= 0).  db_query prepares and binds a query; fetch
 * rows with db_row (1: a row, 0: no more, the statement is then reset) and
 * call db_done if you stop before the end.  db_int is a query of one
 * integer: 1 and *out when there is a row whose value is not NULL, else 0.
 * Statements are prepared once per process and cached by their SQL text's
 * address, so the SQL must be a static string.
 */
int db_run(struct db *db, const char *sql, struct strbuf *err,
    const char *fmt, ...);
/* db_run in a write transaction of its own. */
int db_write(struct db *db, const char *sql, struct strbuf *err,
    const char *fmt, ...);
int db_query(struct db *db, sqlite3_stmt **st, const char *sql,
    struct strbuf *err, const char *fmt, ...);
int db_row(struct db *db, sqlite3_stmt *st, struct strbuf *err);
void db_done(sqlite3_stmt *st);
int db_int(struct db *db, int64_t *out, const char *sql, struct strbuf *err,
    const char *fmt, ...);

/* SQLite's extended result code of the last failure (constraints). */
int db_errcode(struct db *db);

/* Column helpers: a text column as a string ("" for NULL), or a copy. */
const char *db_text(sqlite3_stmt *st, int col);
char *db_strdup(sqlite3_stmt *st, int col);	/* NULL for NULL */
int db_is_null(sqlite3_stmt *st, int col);

#endif
