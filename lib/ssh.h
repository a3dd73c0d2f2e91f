/*
 * ssh: every remote action of tlab, on libssh2 alone.
 *
 * A connection is opened once per step and used for all its commands.
 * The host's key is checked against the lab's known_hosts (OpenSSH's
 * format, plain host names, "[host]:port" for a port other than 22); an
 * unknown key is an error unless the host is being added, and a changed
 * key is refused with both fingerprints.  Authentication is by the lab's
 * key alone.
 *
 * A remote command is an argv list: each word is quoted for the remote
 * shell (strbuf_add_sq), so a runvar value never becomes shell syntax on
 * a host.  Its stdout and stderr are passed on as they come (into a step's
 * log), and its end is kept whole: an exit status, or the signal that
 * killed it, or the bound that passed.  A connection lost in the middle is
 * an error of the lab (TS_E_LAB) that says so.  Every wait is bounded and
 * sends keepalives.
 */
#ifndef TLAB_SSH_H
#define TLAB_SSH_H

#include <stdint.h>

#include "clock.h"
#include "strbuf.h"

struct ssh_conn;

struct ssh_params {
	const char *name;		/* the host's name, for messages */
	const char *address;		/* [user@]host[:port]; user root, port 22 */
	const char *key;		/* private key file */
	const char *known_hosts;	/* the lab's known_hosts file */
	int learn;			/* record an unknown host key (ts-host add) */
	int64_t timeout_ms;		/* connect and authenticate within this */
};

/* Split [user@]host[:port]; "[v6addr]:port" too.  TS_E_INPUT if bad. */
int ssh_parse_address(const char *address, char **user, char **host, int *port,
    struct strbuf *err);

int ssh_open(struct ssh_conn **c, const struct ssh_params *p, struct strbuf *err);
void ssh_close(struct ssh_conn *c);

/* The host key the server showed, as "TYPE BASE64" and as "SHA256:...". */
void ssh_host_key(const struct ssh_conn *c, struct strbuf *line,
    struct strbuf *fingerprint);

struct ssh_exec_opts {
	int out_fd, err_fd;		/* where output goes as it comes; -1: nowhere */
	struct strbuf *out;		/* or stdout into this, when not NULL */
	int64_t timeout_ms;		/* < 0: no bound of its own */
};

#define SSH_EXEC_OPTS_INIT { -1, -1, NULL, -1 }

struct ssh_result {
	int exited, code;		/* exit status, when it exited */
	char signal[32];		/* or the signal's name ("KILL") */
	int timed_out;			/* its bound passed; channel closed */
};

/*
 * Run argv on the host (words quoted, joined by spaces).  0 with res
 * filled however the command ended; TS_E_LAB when the connection failed
 * (lost, refused the channel), naming the host and the command.
 */
int ssh_exec(struct ssh_conn *c, const char *const *argv,
    const struct ssh_exec_opts *o, struct ssh_result *res, struct strbuf *err);

/* "exit status 0", "killed by signal KILL", "timed out after N s". */
void ssh_describe(const struct ssh_result *res, struct strbuf *sb);

/*
 * SFTP: copy a local file to the host and back, keeping its mode (the
 * permission bits).  Bounded by timeout_ms for the whole copy.
 */
int ssh_put(struct ssh_conn *c, const char *local, const char *remote,
    int64_t timeout_ms, struct strbuf *err);
int ssh_get(struct ssh_conn *c, const char *remote, const char *local,
    int64_t timeout_ms, struct strbuf *err);

/*
 * The lab's known_hosts: the key recorded for a host ("TYPE BASE64"),
 * 1 found, 0 not; record one (replacing any for that host and type).
 */
int ssh_known_get(const char *path, const char *address, struct strbuf *line,
    struct strbuf *err);
int ssh_known_set(const char *path, const char *address, const char *line,
    struct strbuf *err);
/* Remove every key of a host; how many. */
int ssh_known_remove(const char *path, const char *address, struct strbuf *err);

/* The fingerprint of a "TYPE BASE64" key line; -1 if it is not one. */
int ssh_key_fingerprint(const char *line, struct strbuf *fp);

#endif
