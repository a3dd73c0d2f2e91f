/*
 * push: the push gate (OSSTEST's cr-daily-branch push and ap-push), and a
 * branch's push overrides.
 *
 * push_flight pushes the revision a finished real flight tested of its
 * tree under test to the tree's master ref, fast-forward only, with
 * libgit2, to a local path, a file:// URL or an ssh:// one.  It refuses
 * unless every check passes, in this order: the flight is finished and
 * blessed real; its jobs agree on one tree under test (runvar
 * tree_under_test, else the caller's) and one tested revision, a full
 * commit id (revision_TREE); every job that built the tree built exactly
 * that commit (built_revision_TREE), and at least one did; ts-report has
 * stored a verdict; no block override holds for the branch; the verdict is
 * perfect or tolerable, or a force override holds; and the remote's master,
 * fetched just before, is an ancestor of the revision.  A force never lets
 * through a block, a revision other than the built one, or a push that is
 * not a fast-forward.
 *
 * Every decision about a flight and a tree the lab knows is a row of
 * pushes: when, who, the flight, tree, ref, the remote's old revision (when
 * it was asked) and the new one, the outcome and the reason.  The outcomes:
 * pushed, up-to-date (master is the revision already, or a descendant of
 * it), refused (by the checks), failed (the lab: the remote, its host key,
 * the git cache) and dry-run (nothing pushed; the reason says what would
 * have happened).
 *
 * The remote is the url of the tree's [tree NAME] in tlab.conf (lib/tree).
 * Before deciding, ts-push fetches it into the lab's git cache of the
 * tree (tree_fetch), so that the remote's master is the one compared; the
 * push itself runs in a child process killed when its bound passes
 * (libgit2 1.5 bounds neither a connect nor a silent server), and libgit2
 * checks the fast-forward again against what the remote shows then.  Over
 * ssh:// (or scp-like user@host:path) the lab's key logs in, as the URL's
 * user or ours, and the server's host key must be one the lab's
 * known_hosts has for that host and port, whatever ~/.ssh says: a test
 * host added with ts-host add is known already.  Pushes of one tree are
 * made one at a time (an flock on LAB/git/TREE.push.lock).
 *
 * Overrides live in branch_overrides: force (push even when the verdict is
 * regressions) and block (never push), each with who set it, why and when;
 * clearing one keeps it as history.
 */
#ifndef TLAB_PUSH_H
#define TLAB_PUSH_H

#include <stdint.h>

#include "lab.h"
#include "strbuf.h"

enum push_outcome {
	PUSH_NONE = 0,		/* nothing recorded (bad input before a tree was known) */
	PUSH_PUSHED,
	PUSH_UP_TO_DATE,	/* the remote's ref is the revision, or has it */
	PUSH_REFUSED,
	PUSH_FAILED,
	PUSH_DRY_RUN,
};

/* "pushed", "up-to-date", ...: the word in pushes.outcome. */
const char *push_outcome_name(enum push_outcome o);

struct push_opts {
	int64_t flight;
	const char *tree;	/* the tree when no job says (tree_under_test) */
	int dry_run;		/* decide, fetch, say; push nothing */
	const char *who;	/* recorded with the row: USER@HOST */
	int64_t timeout_ms;	/* bound of each remote action (fetch, push) */
};

struct push_result {
	enum push_outcome outcome;	/* recorded: PUSH_DRY_RUN for a dry run */
	enum push_outcome would;	/* what a real run records, dry run or not */
	int64_t id;		/* the row in pushes; 0: none recorded */
	char *branch;		/* the flight's */
	char *tree, *url, *ref;	/* ref: refs/heads/... */
	char old_rev[41];	/* the remote's master before; "" when not asked */
	char new_rev[41];	/* the tested revision; "" when not known */
	char *forced;		/* "force by WHO: WHY" when a force let it through */
	char *reason;		/* what was recorded as the reason, or NULL */
};

#define PUSH_RESULT_INIT \
	{ PUSH_NONE, PUSH_NONE, 0, NULL, NULL, NULL, NULL, "", "", NULL, NULL }

void push_result_release(struct push_result *r);

/*
 * Decide, and push or refuse, as the top of this file says; record the
 * outcome.  Returns 0 when the revision was pushed or master is already
 * it (a dry run: when it would be pushed or is up to date), else:
 * TS_E_FAIL refused because of what the flight shows (verdict regressions
 * without a force, a block, a build of another revision or none, not a
 * fast-forward); TS_E_INPUT bad input or not ready (no such flight, not
 * finished or not real, no verdict yet, no tree under test, the jobs
 * disagree, the tree not in tlab.conf); TS_E_LAB the lab failed (the
 * remote cannot be reached or refused the update, its host key is unknown
 * or changed, the git cache).  err says why, res says what was recorded.
 * A dry run returns what the real one would.
 */
int push_flight(struct lab *lab, const struct push_opts *o,
    struct push_result *res, struct strbuf *err);

/*
 * ts-push --why BRANCH: for people, one screen on the branch's newest
 * finished real flight: its tree and revision, its verdict and blocking
 * failures (ts-report's), the overrides in force with who and why, and the
 * last push attempt with its outcome and reason.
 */
int push_explain(struct lab *lab, const char *branch, struct strbuf *out,
    struct strbuf *err);

/* "USER@HOST" of this process ($USER, else $LOGNAME, else the uid's name). */
void push_who(struct strbuf *sb);

/* --- overrides ------------------------------------------------------------ */

#define PUSH_FORCE "force"
#define PUSH_BLOCK "block"

struct push_override {
	int64_t id;
	char *branch, *kind, *who, *why;
	int64_t set_at;
	int64_t cleared_at;	/* 0 while it holds */
	char *cleared_by;	/* NULL while it holds */
};

struct push_override_list {
	struct push_override *v;
	size_t nr, alloc;
};

#define PUSH_OVERRIDE_LIST_INIT { NULL, 0, 0 }

void push_override_list_release(struct push_override_list *l);

/*
 * Set a force or block on branch.  One of a kind holds at a time: one
 * already in force is cleared by the new one, and *replaced (when not
 * NULL) gets it.  TS_E_INPUT for a bad branch name, kind, or an empty who
 * or why.
 */
int push_override_set(struct lab *lab, const char *branch, const char *kind,
    const char *who, const char *why, struct push_override_list *replaced,
    struct strbuf *err);

/*
 * Clear the overrides in force on branch (kind NULL: both), recording who
 * cleared them; how many.
 */
int push_override_clear(struct lab *lab, const char *branch, const char *kind,
    const char *who, struct strbuf *err);

/* A branch's overrides, newest first; in_force: only those that hold. */
int push_override_list(struct lab *lab, const char *branch, int in_force,
    struct push_override_list *out, struct strbuf *err);

/* --- the record ----------------------------------------------------------- */

struct push_record {
	int64_t id, flight, at;
	char *tree, *ref, *old_rev, *new_rev;	/* revisions NULL when unknown */
	char *outcome, *reason, *who;
};

struct push_record_list {
	struct push_record *v;
	size_t nr, alloc;
};

#define PUSH_RECORD_LIST_INIT { NULL, 0, 0 }

void push_record_list_release(struct push_record_list *l);

/* The newest push attempts of the flights of branch, at most limit. */
int push_records(struct lab *lab, const char *branch, int limit,
    struct push_record_list *out, struct strbuf *err);

/*
 * ts-branch show: the overrides in force and past, and the last pushes of
 * the branch, for people or as JSON.
 */
int push_format_branch(struct lab *lab, const char *branch, int json,
    struct strbuf *out, struct strbuf *err);

#endif
