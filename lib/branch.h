/*
 * branch: flights made from a branch definition (tlab-branch(5)).
 *
 * A branch definition is a POSIX sh file, recipes/branches/NAME.sh of the
 * lab or else of the installed recipes, run by recipes/branch-lib.sh.  It
 * names the tree under test, the other trees with the refs they come from,
 * and the jobs of a flight.  ts-flight-create --branch NAME makes the
 * flight, runs the file; the file's first job has ts-branch-resolve fetch
 * every tree into its cache and resolve each revision to a full commit id,
 * once for the flight, and every job is made (ts-job-create) with the
 * runvars tree_under_test=TREE and, for each tree T, tree_T=URL and
 * revision_T=SHA.  When anything fails the flight is removed again: a
 * flight is made whole or not at all.
 */
#ifndef TLAB_BRANCH_H
#define TLAB_BRANCH_H

#include <stdint.h>

#include "lab.h"
#include "strbuf.h"
#include "strvec.h"

/* The bound on running a branch file, every fetch and job included. */
#define BRANCH_FILE_TIMEOUT_MS (3600LL * 1000)

/*
 * The branch file of branch: LAB/recipes/branches/NAME.sh, else
 * DATADIR/recipes/branches/NAME.sh.  1 and its path in path when there is
 * one, 0 when not; TS_E_INPUT for a bad branch name.
 */
int branch_find(const struct lab *lab, const char *branch, struct strbuf *path,
    struct strbuf *err);

/* A --revision argument: TREE=REV, a good tree name, REV not empty. */
int branch_check_revision(const char *arg, struct strbuf *err);

struct branch_opts {
	const char *branch;
	const char *intended;		/* the blessing meant for the flight */
	const char *file;		/* from branch_find */
	const char *const *revisions;	/* "TREE=REV" overrides; NULL-terminated */
	const char *bindir;		/* put first in PATH; NULL: PATH as it is */
	int64_t timeout_ms;		/* the branch file's bound */
};

/*
 * Make a flight of o->branch from its file and put its number in *id;
 * what the file wrote (nothing, usually) is appended to said.  When the
 * file fails the flight is removed, and err has the file's last line of
 * output (without a "ts-NAME: " in front): TS_E_LAB when it exited 3 (a
 * fetch, or the lab, failed), was killed or ran out of time, TS_E_INPUT
 * for anything else.
 */
int branch_flight_create(struct lab *lab, const struct branch_opts *o,
    int64_t *id, struct strbuf *said, struct strbuf *err);

/*
 * ts-branch-resolve: trees[0] is the tree under test, at its staging
 * ref; trees[1..n) are other trees, "TREE" at their master ref or
 * "TREE=REF".  revisions ("TREE=REV", NULL-terminated) override any of
 * them.  Every tree must be a [tree] of tlab.conf, each named once.  Each
 * is fetched into its cache (within timeout_ms) and its revision
 * resolved to a full commit id; out gets the runvars of every job of the
 * flight: tree_under_test=TREE, then tree_T=URL and revision_T=SHA per
 * tree.  TS_E_INPUT for an unknown tree or a revision that is not there,
 * TS_E_LAB for a fetch that failed.
 */
int branch_resolve(struct lab *lab, const char *const *trees, int n,
    const char *const *revisions, int64_t timeout_ms, struct strvec *out,
    struct strbuf *err);

/* What a cron script asks before it makes a flight of a branch. */
struct branch_state {
	char *tree;		/* the tree under test */
	char staging[41];	/* the commit of its staging ref */
	char master[41];	/* the commit of its master ref: last pushed */
	int64_t tested;		/* flight_tested of master, 0 when none */
};

/*
 * Fetch the trees of branch's file (run to its first job only) and say
 * where its tree under test stands.  TS_E_INPUT for a branch without a
 * file, a file that names no tree under test, an unknown tree or a ref
 * that is not there; TS_E_LAB for a fetch that failed.
 */
int branch_state(struct lab *lab, const char *branch, int64_t timeout_ms,
    struct branch_state *st, struct strbuf *err);
void branch_state_release(struct branch_state *st);

#endif
