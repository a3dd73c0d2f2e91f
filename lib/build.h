/*
 * build: build a tree on a build host and install what it made on a test
 * host (OSSTEST's build jobs and their tarballs).
 *
 * The controller keeps a bare cache of each tree, LAB/git/TREE.git, made
 * with libgit2 from the job's runvar tree_TREE the first time and fetched
 * again whenever the revision asked for (revision_TREE: a commit id, tag or
 * branch) is not a commit it already has.  A build sends the hosts no URL:
 * the commit and its history travel as a git bundle over SFTP, so a build
 * host needs git and tar but no network of its own.  On the host it is
 * unpacked into WORKDIR/FLIGHT/JOB/build-TREE/src, built there by the job's
 * build_command (run by sh -c: it is the job's own definition, not data),
 * and the directory dist_dir of src is packed with tar and fetched back to
 * LAB/stash/FLIGHT/JOB/TREEdist.tar.gz.  The job then has runtime runvars
 * built_revision_TREE (the full commit id) and path_TREEdist (the tarball).
 *
 * A build that another job (of any flight) already made is not made again:
 * same recipe, exactly the same definition runvars, passed, the same
 * commit built and its tarball still in the stash.  Such a job gets the
 * same two runvars, pointing at that tarball, and reused_build_TREE =
 * FLIGHT.JOB, without a connection to any host.
 *
 * Every value from a runvar reaches a host as a quoted word (lib/ssh),
 * except build_command, which is shell text by design.
 */
#ifndef TLAB_BUILD_H
#define TLAB_BUILD_H

#include <stdint.h>

#include "lab.h"
#include "strbuf.h"

/* Where a host without a workdir property keeps its files. */
#define BUILD_DEFAULT_WORKDIR "/var/tmp/tlab"
/* dist_dir when the job does not set it. */
#define BUILD_DEFAULT_DIST_DIR "dist"

struct build_opts {
	int64_t flight;
	const char *job;
	const char *ident;	/* runvar naming the job's host ("host") */
	const char *tree;	/* TREE of tree_TREE, revision_TREE */
	int no_reuse;		/* build even when a passed build could serve */
	int64_t timeout_ms;	/* the whole action, copies and build included */
	int out_fd, err_fd;	/* where the host's commands write (the step log) */
	/* Progress for the step log, one line at a time; NULL: none. */
	void (*say)(const char *line, void *ctx);
	void *ctx;
};

struct build_result {
	char *revision;		/* the full commit id built */
	char *path;		/* the tarball in the stash */
	char *reused;		/* FLIGHT.JOB whose build was reused, or NULL */
	char *host;		/* the host that built it (NULL when reused) */
	char *remote_dir;	/* ts-dist-install: where it was unpacked */
};

#define BUILD_RESULT_INIT { NULL, NULL, NULL, NULL, NULL }

void build_result_release(struct build_result *r);

/*
 * A tree's name, as it appears in runvar names: letters, digits and _.
 * TS_E_INPUT naming it when not.
 */
int build_check_tree(const char *tree, struct strbuf *err);

/*
 * Bring LAB/git/TREE.git up to date with url as needed and resolve rev to
 * a commit (40 hex digits into sha).  TS_E_INPUT when rev names no commit,
 * TS_E_LAB when the cache cannot be made, locked or fetched.
 */
int build_resolve(struct lab *lab, const char *tree, const char *url,
    const char *rev, int64_t timeout_ms, char sha[41], struct strbuf *err);

/*
 * Write a git bundle (v2) of commit sha of the tree's cache to path: the
 * ref refs/heads/tlab-build and a pack of every object reachable from it.
 */
int build_write_bundle(struct lab *lab, const char *tree, const char *sha,
    const char *path, struct strbuf *err);

/*
 * Find an earlier build that (flight, job) can use for tree at commit sha:
 * 1 with *ref ("FLIGHT.JOB") and *path, 0 when none.
 */
int build_find_reusable(struct lab *lab, int64_t flight, const char *job,
    const char *tree, const char *sha, char **ref, char **path,
    struct strbuf *err);

/*
 * ts-build: build the job's tree on its host IDENT (or reuse a build) and
 * record built_revision_TREE and path_TREEdist.  TS_E_FAIL when the build
 * command failed, timed out or made no dist_dir; TS_E_INPUT for missing or
 * bad runvars and bad revisions; TS_E_LAB for the host, SSH, SFTP or the
 * git cache.
 */
int build_run(struct lab *lab, const struct build_opts *o,
    struct build_result *res, struct strbuf *err);

/*
 * ts-dist-install: put the tarball of the job's build job (runvar buildjob,
 * its path_TREEdist) on the host IDENT, unpack it into
 * WORKDIR/FLIGHT/JOB/TREEdist and record installed_TREE.  TS_E_BLOCKED when
 * the build job did not pass.
 */
int build_install(struct lab *lab, const struct build_opts *o,
    struct build_result *res, struct strbuf *err);

#endif
