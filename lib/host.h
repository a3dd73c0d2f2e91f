/*
 * host: the lab's inventory of test hosts.
 *
 * A host has a name, an address ([user@]host[:port]) reached over SSH
 * with the lab's key, an arch, flags (arch-amd64, purpose-test,
 * equiv-1, ...), properties (power, console, workdir, ...) and a state:
 * free, or quarantined with a reason (never given to a job).  Whether a
 * free host is held by a job is the allocations' business (alloc.h).
 * Its SSH host key lives in the lab's known_hosts, recorded when the host
 * is added; host_connect refuses a host whose key has changed.
 */
#ifndef TLAB_HOST_H
#define TLAB_HOST_H

#include <stdint.h>

#include "lab.h"
#include "ssh.h"
#include "strvec.h"

#define HOST_FREE "free"
#define HOST_QUARANTINED "quarantined"

struct host {
	char *name, *address, *arch;
	char *state, *why;
	int64_t added;
	struct strvec flags;	/* sorted */
	struct strvec props;	/* NAME=VALUE, sorted by name */
	char *held_by;		/* for show and list: "FLIGHT.JOB IDENT", or NULL */
};

struct host_list {
	struct host *v;
	size_t nr, alloc;
};

#define HOST_LIST_INIT { NULL, 0, 0 }

/* A change to a host; a NULL or empty part changes nothing. */
struct host_change {
	const char *address, *arch;
	struct strvec flags_set;	/* replace the flags with these */
	int set_flags;			/* flags_set is meant (even empty) */
	struct strvec flags_add, flags_del;
	struct strvec props_set;	/* NAME=VALUE; NAME= removes NAME */
};

#define HOST_CHANGE_INIT { NULL, NULL, STRVEC_INIT, 0, STRVEC_INIT, STRVEC_INIT, STRVEC_INIT }

void host_init(struct host *h);
void host_release(struct host *h);
void host_change_release(struct host_change *c);

/* Check a flag name, a property assignment NAME=VALUE. */
int host_check_flag(const char *flag, struct strbuf *err);
int host_check_prop(const char *assignment, struct strbuf *err);

/*
 * Parse "+a,-b" (edits) or "a,b" (a new set) into c.  An empty string is
 * the empty set.  TS_E_INPUT for a bad flag or a mix of the two forms.
 */
int host_parse_flags(const char *list, struct host_change *c, int edits_allowed,
    struct strbuf *err);

/* The value of property name, or NULL. */
const char *host_prop(const struct host *h, const char *name);
int host_has_flag(const struct host *h, const char *flag);

/* Add h (name, address, arch, flags, props); TS_E_INPUT if it exists. */
int host_add(struct lab *lab, const struct host *h, struct strbuf *err);
/* TS_E_INPUT "host NAME: no such host". */
int host_get(struct lab *lab, const char *name, struct host *h, struct strbuf *err);
int host_list(struct lab *lab, struct host_list *out, struct strbuf *err);
void host_list_release(struct host_list *l);
int host_update(struct lab *lab, const char *name, const struct host_change *c,
    struct strbuf *err);
/* state HOST_FREE or HOST_QUARANTINED (why required for the latter). */
int host_set_state(struct lab *lab, const char *name, const char *state,
    const char *why, struct strbuf *err);
/* Remove a host and its known_hosts keys. */
int host_remove(struct lab *lab, const char *name, struct strbuf *err);


/*
 * Connect to h with the lab's key, checking its host key (learn: record
 * an unknown one, as ts-host add does).  Bounded by the lab's
 * connect_timeout.
 */
int host_connect(struct lab *lab, const struct host *h, int learn,
    struct ssh_conn **c, struct strbuf *err);

/*
 * Does h answer: log in with the lab's key and run `true`, all within
 * timeout_ms (a login also within the lab's connect_timeout).  With wait,
 * look again every second until the bound passes (a host coming back from
 * a power cycle).  0 when it answered; TS_E_LAB with err saying what the
 * last look met ("host NAME: connect to ...: Connection refused").
 */
int host_check(struct lab *lab, const struct host *h, int64_t timeout_ms,
    int wait, struct strbuf *err);

/* msg without its "host NAME: " in front, for a line that names it already. */
const char *host_unprefix(const char *name, const char *msg);

/*
 * Add a host as ts-host add does: record its host key (key_line "TYPE
 * BASE64" when given, else the one it shows when connect is set), check
 * that the lab's key logs in (when connect is set), then add its row.
 * fp gets the recorded key's fingerprint.  A host that is already there
 * is TS_E_INPUT, before anything is touched.
 */
int host_enroll(struct lab *lab, const struct host *h, const char *key_line,
    int connect, struct strbuf *fp, struct strbuf *err);

/*
 * Replace a host's recorded key: with key_line, or (key_line NULL) with
 * the one it shows now.  fp gets the new fingerprint.
 */
int host_rekey(struct lab *lab, const char *name, const char *key_line,
    struct strbuf *fp, struct strbuf *err);

/* Text and JSON for people and programs (ts-host list and show). */
void host_format_list(const struct host_list *l, int json, struct strbuf *out);
void host_format_show(const struct lab *lab, const struct host *h, int json,
    struct strbuf *out);

#endif
