/*
 * alloc: who holds which host.
 *
 * A job asks for hosts by ident (host, src_host, ...), each with the flags
 * it needs: every flag of its runvars all_hostflags and IDENT_hostflags.
 * The allocator gives each ident a free host that has them all, never one
 * host to two idents or two holders, never a quarantined host, and hosts
 * of one class to idents that share an equiv-* flag (their hosts share one
 * actual equiv-* flag).  Among the hosts that fit it takes the one used
 * least recently.
 *
 * An allocation belongs to an owner process: the runner that holds the job
 * (ts-run-job), or, for a person allocating by hand, the shell that ran
 * ts-host-allocate.  It ends when released (ts-host-release, the runner's
 * end) or when its owner is found gone: on this machine by its pid and
 * start token, elsewhere by its lease.  Every attempt looks for such
 * stale allocations first, so a holder killed -9 frees its hosts on the
 * next look.
 *
 * A request that cannot be met waits in alloc_waiters, served in order of
 * job priority (lower first), then time of asking: a later request takes
 * only hosts that no earlier waiter could use.
 */
#ifndef TLAB_ALLOC_H
#define TLAB_ALLOC_H

#include <stdint.h>

#include "lab.h"
#include "strvec.h"

struct alloc_want {
	char *ident;
	struct strvec flags;	/* needed (equiv-* ones name a class) */
	char *host;		/* a host named beforehand, or NULL */
	char *got;		/* filled: the host given */
};

struct alloc_owner {
	char *host;		/* machine of the owner process */
	int64_t pid;
	char *token;
	int64_t lease_ms;	/* how long without renewal before presumed gone */
};

/*
 * The wants of a job for idents: flags from its runvars all_hostflags and
 * IDENT_hostflags, a host named by its runvar IDENT.
 */
int alloc_wants(struct lab *lab, int64_t flight, const char *job,
    const char *const *idents, struct alloc_want **wants, size_t *n,
    struct strbuf *err);
void alloc_wants_release(struct alloc_want *w, size_t n);

/*
 * Who owns what (flight, job) takes now: its runner when one holds it,
 * else the process that ran us (a person's shell).
 */
int alloc_owner_for(struct lab *lab, int64_t flight, const char *job,
    struct alloc_owner *o, struct strbuf *err);
void alloc_owner_release(struct alloc_owner *o);

struct alloc_progress {
	void (*fn)(const char *line, void *ctx);	/* on a terminal */
	void *ctx;
};

/*
 * Take hosts for every want, waiting up to timeout_ms in the queue.
 * Records IDENT=HOST runtime runvars.  0 when every want got a host;
 * TS_E_LAB when the bound passed (err says what was waited for);
 * TS_E_INPUT when no host of the lab could ever meet a want.
 */
int alloc_take(struct lab *lab, int64_t flight, const char *job,
    struct alloc_want *w, size_t n, const struct alloc_owner *o,
    int64_t timeout_ms, const struct alloc_progress *p, struct strbuf *err);

/* Release the job's allocations (of ident, or all when NULL); how many. */
int alloc_release(struct lab *lab, int64_t flight, const char *job,
    const char *ident, const char *why, struct strbuf *err);

/* Release allocations and waiters whose owner is gone; how many. */
int alloc_reap(struct lab *lab, struct strbuf *err);

/* Extend the lease of the job's allocations (its runner is alive). */
int alloc_renew(struct lab *lab, int64_t flight, const char *job,
    int64_t lease_ms, struct strbuf *err);

/* The hosts the job holds now, by name, into hosts; how many. */
int alloc_held(struct lab *lab, int64_t flight, const char *job,
    struct strvec *hosts, struct strbuf *err);

/* Who holds host now: "FLIGHT.JOB IDENT", or 0 when free. */
int alloc_holder(struct lab *lab, const char *host, struct strbuf *who,
    struct strbuf *err);

#endif
