/*
 * remote: one step's work on one of its job's hosts, over one SSH
 * connection, all of it under one deadline.
 *
 * The host is the one a runvar of the job names (its ident: host,
 * src_host, ...), set by ts-host-allocate.  Every command is an argv list
 * (quoted word by word by ssh_exec); what the commands print goes to the
 * step's log (out_fd, err_fd) unless the caller takes it.  A command that
 * runs past the deadline, or a connection lost, is the lab's failure
 * (TS_E_LAB), and says which host and what was being done.
 */
#ifndef TLAB_REMOTE_H
#define TLAB_REMOTE_H

#include <stdint.h>

#include "clock.h"
#include "host.h"
#include "lab.h"
#include "ssh.h"
#include "strbuf.h"

struct remote {
	struct host host;
	struct ssh_conn *c;
	struct deadline dl;
	int out_fd, err_fd;	/* the commands' output; -1: nowhere */
};

/*
 * Find the host the job's runvar ident names (nothing is touched yet).
 * TS_E_INPUT when the runvar is not set or names no host of the lab.
 */
int remote_find(struct lab *lab, int64_t flight, const char *job,
    const char *ident, struct remote *r, struct strbuf *err);

/*
 * Connect to it; the deadline, ms from now, is said as what ("no end
 * after N s").  TS_E_LAB when it cannot be reached.
 */
int remote_connect(struct lab *lab, struct remote *r, int64_t ms,
    const char *what, struct strbuf *err);
/* remote_find, then remote_connect. */
int remote_open(struct lab *lab, int64_t flight, const char *job,
    const char *ident, int64_t ms, const char *what, struct remote *r,
    struct strbuf *err);
void remote_close(struct remote *r);

/* TS_E_LAB: "host H: WHAT: no end after N s". */
int remote_timed_out(struct remote *r, struct strbuf *err);

/*
 * Run argv within the deadline, or within bound_ms when that is sooner
 * (< 0: no bound of its own).  0 with res saying how it ended (a command's
 * own bound passing is res->timed_out); out takes its stdout when not
 * NULL.  TS_E_LAB when the deadline had passed or the connection failed.
 */
int remote_exec(struct remote *r, const char *const *argv, int64_t bound_ms,
    struct strbuf *out, struct ssh_result *res, struct strbuf *err);

/*
 * Run argv; 0 when it exits 0, else fail_rc with err saying "host H: WHAT:
 * exit status N" (the deadline passing is TS_E_LAB whatever fail_rc is).
 */
int remote_must(struct remote *r, const char *const *argv, const char *what,
    int fail_rc, struct strbuf *out, struct strbuf *err);

/* SFTP within the deadline: a local file, or text, to the host. */
int remote_put(struct remote *r, const char *local, const char *path,
    struct strbuf *err);
int remote_put_text(struct remote *r, const char *text, size_t len,
    const char *path, struct strbuf *err);

#endif
