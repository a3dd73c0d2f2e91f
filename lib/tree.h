/*
 * tree: the source repositories under test, and the lab's copy of each.
 *
 * A tree is a [tree NAME] section of tlab.conf: a url, a staging ref that
 * is tested and a master ref that a push moves.  The controller keeps a
 * bare cache of each tree, LAB/git/NAME.git, made with libgit2 the first
 * time it is fetched into.  A fetch mirrors the remote's heads and tags
 * (refs/heads/X of the cache is the remote's X) and keeps what the remote
 * no longer has, so an old flight's commits stay there to be bisected or
 * reported on.  One process at a time fetches into a cache (an flock on
 * LAB/git/NAME.lock); reading one needs no lock.
 *
 * A fetch runs in a child process that is killed when its bound passes:
 * libgit2 1.5 has no timeout of its own for connecting or for a server
 * that stops answering.  URLs are what libgit2 takes: a path, file://,
 * ssh:// (or scp-like user@host:path) and https://.  Over SSH the lab's
 * own key (ssh_key of tlab.conf, default LAB/ssh/id_ed25519) logs in, and
 * the server's host key must be the one LAB/known_hosts has for it
 * ("host" for port 22, "[host]:port" else, as ts-host add writes it):
 * an unknown or changed key is refused, whatever ~/.ssh/known_hosts says.
 *
 * Tree names appear in runvar names (tree_NAME, revision_NAME): letters,
 * digits and _ only.
 */
#ifndef TLAB_TREE_H
#define TLAB_TREE_H

#include <stdint.h>

#include "lab.h"
#include "strbuf.h"

struct git_repository;

#define TREE_DEFAULT_STAGING "refs/heads/staging"
#define TREE_DEFAULT_MASTER "refs/heads/master"
/* The bound on one fetch (connect, negotiate, download, index). */
#define TREE_FETCH_TIMEOUT_MS (600LL * 1000)

struct tree {
	char *name;
	char *url;
	char *staging;		/* the ref tested: TREE_DEFAULT_STAGING if unset */
	char *master;		/* the ref pushed to: TREE_DEFAULT_MASTER if unset */
};

#define TREE_INIT { NULL, NULL, NULL, NULL }

/*
 * A tree name: 1 to 64 letters, digits and _, and not under_test (the
 * runvar tree_under_test names a flight's tree under test).  TS_E_INPUT
 * naming it.
 */
int tree_check_name(const char *name, struct strbuf *err);

/*
 * The tree [tree NAME] of tlab.conf.  TS_E_INPUT "tree NAME: not in
 * tlab.conf" when there is none, or when it has no url.
 */
int tree_get(struct lab *lab, const char *name, struct tree *t,
    struct strbuf *err);
void tree_release(struct tree *t);

/* Append LAB/git/NAME.git, the cache of tree name, to sb. */
void tree_cache_path(const struct lab *lab, const char *name,
    struct strbuf *sb);

/*
 * Fetch url into the cache of tree name (made when missing), within
 * timeout_ms, the wait for another process's fetch included.  TS_E_LAB
 * with libgit2's words when the cache cannot be made or the URL cannot be
 * fetched: "tree xen: fetch ssh://...: failed to connect to ...".
 */
int tree_fetch(struct lab *lab, const char *name, const char *url,
    int64_t timeout_ms, struct strbuf *err);

/*
 * Resolve rev (a ref such as refs/heads/staging, a branch or tag name, a
 * commit id, full or abbreviated) in the cache of tree name to the full id
 * of its commit: 40 hex digits and a NUL into sha.  Nothing is fetched.
 * TS_E_INPUT "tree xen: revision 'refs/heads/nosuch': no such ref or
 * commit" when the cache does not have it (or there is no cache yet).
 */
int tree_resolve(struct lab *lab, const char *name, const char *rev,
    char sha[41], struct strbuf *err);

/*
 * Both, as a build does: when rev is a full commit id the cache already
 * has, no fetch (a commit cannot move); else fetch url, then resolve.
 */
int tree_fetch_resolve(struct lab *lab, const char *name, const char *url,
    const char *rev, int64_t timeout_ms, char sha[41], struct strbuf *err);

/* One commit of tree_log.  The strings live until the callback returns. */
struct tree_commit {
	const char *sha;	/* full id, 40 hex digits */
	const char *short_id;	/* the shortest unique abbreviation, 7 or more */
	const char *subject;	/* the first line of the message */
	const char *author;	/* "Name <email>" */
	int64_t time;		/* author time, UTC seconds */
};

/*
 * The revision log of a flight report: the commits of tree name that are
 * reachable from to and not from from (git log from..to), newest first,
 * read from the cache (nothing is fetched; both must be there, which they
 * are for the revisions of any flight made on this lab).  from NULL or ""
 * gives the whole history of to.  cb is called once per commit; it
 * returns 0 to go on, 1 to stop early (tree_log then returns 0), or a
 * negative TS_E_* that tree_log returns as it is.  TS_E_INPUT when a
 * revision is not in the cache.
 */
int tree_log(struct lab *lab, const char *name, const char *from,
    const char *to, int (*cb)(const struct tree_commit *c, void *ctx),
    void *ctx, struct strbuf *err);

/*
 * For lib/ modules that read a cache with libgit2 themselves (build's
 * bundles): open the cache of tree name, made when missing.  The caller
 * has called git_libgit2_init and frees repo with git_repository_free.
 */
int tree_cache_open(struct lab *lab, const char *name,
    struct git_repository **repo, struct strbuf *err);

struct deadline;

/*
 * libgit2 work with a bound (libgit2 1.5 bounds neither a connect nor a
 * server gone silent): fn runs in a child process, with libgit2 set up
 * and the signals as they are by default, and is killed if it has not
 * ended a little after dl.  fn's return (0 or a TS_E_*), its words in err
 * and what it put in answer come back to the caller.  what names the
 * work in the messages of a child that ran out of time, was stopped by a
 * signal, or died: "fetch URL: no end after 600 s".
 */
int tree_git_bounded(const char *what, const struct deadline *dl,
    int (*fn)(void *ctx, struct strbuf *answer, struct strbuf *err), void *ctx,
    struct strbuf *answer, struct strbuf *err);

/*
 * Set err to our words, ": ", libgit2's last message without its final
 * full stop; return rc.  Call it at once: the next libgit2 call replaces
 * the message.
 */
int tree_git_fail(struct strbuf *err, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
