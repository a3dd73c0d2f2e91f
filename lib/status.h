/*
 * status: the statuses of steps and jobs, and their order.
 *
 * A job passes through queued, preparing and running to a final status.
 * Final statuses are ordered by precedence (DESIGN.md):
 *	aborted > broken > blocked > fail > pass
 * A job's status is the worst of what happened to it, and once broken or
 * aborted nothing changes it.  A step's status comes from its exit code.
 */
#ifndef TLAB_STATUS_H
#define TLAB_STATUS_H

enum ts_status {
	ST_NONE = 0,
	ST_QUEUED,
	ST_PREPARING,
	ST_RUNNING,
	ST_PASS,
	ST_FAIL,
	ST_BLOCKED,
	ST_BROKEN,
	ST_ABORTED,
};

const char *status_name(enum ts_status st);
/* ST_NONE for a word that is not a status. */
enum ts_status status_parse(const char *name);
int status_is_final(enum ts_status st);
/* The one of a and b that takes precedence (either may be ST_NONE). */
enum ts_status status_worse(enum ts_status a, enum ts_status b);
/* Broken and aborted are never changed. */
int status_is_sticky(enum ts_status st);

/* A step's status from its program's exit code (DESIGN.md's table). */
enum ts_status status_of_exit(int code, enum ts_status on_fail);
/* The exit code that reports a final status (pass 0 ... blocked 4). */
int status_exit(enum ts_status st);

#endif
