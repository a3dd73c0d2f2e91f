/*
 * build: bundles of a tree's cache (libgit2; the cache itself is
 * lib/tree's), the build on a build host, the reuse of a passed build, and
 * the install of a build's tarball on a test host.  See build.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>

#include "build.h"
#include "clock.h"
#include "db.h"
#include "err.h"
#include "host.h"
#include "job.h"
#include "proc.h"
#include "runvar.h"
#include "ssh.h"
#include "status.h"
#include "tree.h"
#include "xalloc.h"
#include "banned.h"

#define BUILD_REF "refs/heads/tlab-build"

void
build_result_release(struct build_result *r)
{
	free(r->revision);
	free(r->path);
	free(r->reused);
	free(r->host);
	free(r->remote_dir);
	memset(r, 0, sizeof(*r));
}

int
build_check_tree(const char *tree, struct strbuf *err)
{
	return tree_check_name(tree, err);
}

static void
say(const struct build_opts *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
say(const struct build_opts *o, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	if (o->say == NULL)
		return;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	o->say(sb.buf, o->ctx);
	strbuf_release(&sb);
}

/* --- the tree cache (lib/tree) ------------------------------------------ */

/* A URL (scheme://, or scp-like host:path) or else a local path. */
static int
is_local_path(const char *url)
{
	const char *colon = strchr(url, ':'), *slash = strchr(url, '/');

	return colon == NULL || (slash != NULL && slash < colon);
}

int
build_resolve(struct lab *lab, const char *tree, const char *url,
    const char *rev, int64_t timeout_ms, char sha[41], struct strbuf *err)
{
	struct stat st;
	int rc;

	if ((rc = build_check_tree(tree, err)) < 0)
		return rc;
	if (*rev == '\0')
		return err_setf(err, TS_E_INPUT, "tree %s: revision_%s is empty", tree,
		    tree);
	/* A path that is not there is the job's mistake, not the lab's. */
	if (is_local_path(url) && stat(url, &st) < 0)
		return err_errno(err, TS_E_INPUT, "tree %s: tree_%s: %s", tree, tree, url);
	return tree_fetch_resolve(lab, tree, url, rev, timeout_ms, sha, err);
}

/* --- bundles ------------------------------------------------------------- */

struct sink {
	int fd;
	int error;		/* errno of a failed write */
	int64_t bytes;
};

static int
sink_write(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, p, n)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int
sink_pack(void *buf, size_t size, void *payload)
{
	struct sink *s = payload;

	if (sink_write(s->fd, buf, size) < 0) {
		s->error = errno;
		return -1;
	}
	s->bytes += (int64_t)size;
	return 0;
}

/*
 * The bundle itself (git's Documentation/gitformat-bundle): a v2 header,
 * the one ref, an empty line, then a pack with no prerequisites.
 */
static int
bundle_pack(git_repository *repo, const git_oid *oid, const char *sha,
    struct sink *s, const char *path, struct strbuf *err)
{
	struct strbuf head = STRBUF_INIT;
	git_packbuilder *pb = NULL;
	git_revwalk *walk = NULL;
	int rc = 0;

	strbuf_addf(&head, "# v2 git bundle\n%s %s\n\n", sha, BUILD_REF);
	if (sink_write(s->fd, head.buf, head.len) < 0) {
		rc = err_errno(err, TS_E_LAB, "bundle %s", path);
		goto out;
	}
	if (git_revwalk_new(&walk, repo) < 0 || git_revwalk_push(walk, oid) < 0 ||
	    git_packbuilder_new(&pb, repo) < 0) {
		rc = tree_git_fail(err, TS_E_LAB, "bundle %s", path);
		goto out;
	}
	git_packbuilder_set_threads(pb, 0);
	if (git_packbuilder_insert_walk(pb, walk) < 0) {
		rc = tree_git_fail(err, TS_E_LAB, "bundle %s: objects of %s", path, sha);
		goto out;
	}
	if (git_packbuilder_foreach(pb, sink_pack, s) < 0) {
		if (s->error != 0) {
			errno = s->error;
			rc = err_errno(err, TS_E_LAB, "bundle %s", path);
		} else {
			rc = tree_git_fail(err, TS_E_LAB, "bundle %s: pack", path);
		}
	}
out:
	git_packbuilder_free(pb);
	git_revwalk_free(walk);
	strbuf_release(&head);
	return rc;
}

int
build_write_bundle(struct lab *lab, const char *tree, const char *sha,
    const char *path, struct strbuf *err)
{
	struct strbuf tmp = STRBUF_INIT;
	git_repository *repo = NULL;
	struct sink s = { -1, 0, 0 };
	git_oid oid;
	int rc;

	if (git_libgit2_init() < 0)
		return tree_git_fail(err, TS_E_LAB, "libgit2");
	if ((rc = tree_cache_open(lab, tree, &repo, err)) < 0)
		goto out;
	if (git_oid_fromstr(&oid, sha) < 0) {
		rc = err_setf(err, TS_E_INPUT, "bundle: '%s' is not a commit id", sha);
		goto out;
	}
	strbuf_addf(&tmp, "%s.tmp", path);
	if ((s.fd = open(tmp.buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
		rc = err_errno(err, TS_E_LAB, "bundle %s", tmp.buf);
		goto out;
	}
	rc = bundle_pack(repo, &oid, sha, &s, path, err);
	if (close(s.fd) < 0 && rc == 0)
		rc = err_errno(err, TS_E_LAB, "bundle %s", tmp.buf);
	if (rc == 0 && rename(tmp.buf, path) < 0)
		rc = err_errno(err, TS_E_LAB, "bundle %s", path);
	if (rc < 0)
		(void)unlink(tmp.buf);
out:
	git_repository_free(repo);
	git_libgit2_shutdown();
	strbuf_release(&tmp);
	return rc;
}

/* --- reuse --------------------------------------------------------------- */

/*
 * Jobs that passed with the same recipe, built the same commit, and have
 * exactly our definition runvars: as many, and each of ours with the same
 * value.  The newest first.
 */
static const char build_reusable_sql[] =
	"SELECT j.flight, j.job, p.val FROM jobs j"
	" JOIN jobs me ON me.flight = ?1 AND me.job = ?2"
	" JOIN runvars p ON p.flight = j.flight AND p.job = j.job"
	"  AND p.name = ?3 AND p.synth = 1"
	" JOIN runvars b ON b.flight = j.flight AND b.job = j.job"
	"  AND b.name = ?4 AND b.synth = 1 AND b.val = ?5"
	" WHERE j.recipe = me.recipe AND j.status = ?6"
	"  AND NOT (j.flight = ?1 AND j.job = ?2)"
	"  AND (SELECT COUNT(*) FROM runvars d WHERE d.flight = j.flight"
	"   AND d.job = j.job AND d.synth = 0)"
	"   = (SELECT COUNT(*) FROM runvars m WHERE m.flight = ?1 AND m.job = ?2"
	"   AND m.synth = 0)"
	"  AND NOT EXISTS (SELECT 1 FROM runvars m WHERE m.flight = ?1"
	"   AND m.job = ?2 AND m.synth = 0 AND NOT EXISTS (SELECT 1 FROM runvars d"
	"   WHERE d.flight = j.flight AND d.job = j.job AND d.synth = 0"
	"   AND d.name = m.name AND d.val = m.val))"
	" ORDER BY j.finished DESC, j.flight DESC";

int
build_find_reusable(struct lab *lab, int64_t flight, const char *job,
    const char *tree, const char *sha, char **ref, char **path,
    struct strbuf *err)
{
	struct strbuf pname = STRBUF_INIT, bname = STRBUF_INIT;
	sqlite3_stmt *st;
	struct stat sb;
	int rc;

	strbuf_addf(&pname, "path_%sdist", tree);
	strbuf_addf(&bname, "built_revision_%s", tree);
	if ((rc = db_query(&lab->db, &st, build_reusable_sql, err, "isssss", flight,
	    job, pname.buf, bname.buf, sha, status_name(ST_PASS))) < 0)
		goto out;
	/* A tarball removed from the stash since is no longer a build. */
	while ((rc = db_row(&lab->db, st, err)) > 0) {
		const char *p = db_text(st, 2);

		if (stat(p, &sb) == 0 && S_ISREG(sb.st_mode)) {
			*ref = xasprintf("%lld.%s", (long long)sqlite3_column_int64(st, 0),
			    db_text(st, 1));
			*path = xstrdup(p);
			db_done(st);
			rc = 1;
			break;
		}
	}
out:
	strbuf_release(&pname);
	strbuf_release(&bname);
	return rc;
}

/* Record what the job built (or reused), in one transaction. */
static int
record_build(struct lab *lab, const struct build_opts *o, const char *sha,
    const char *path, const char *reused, struct strbuf *err)
{
	struct strbuf name = STRBUF_INIT;
	int rc;

	if ((rc = db_begin(&lab->db, err)) < 0)
		return rc;
	strbuf_addf(&name, "built_revision_%s", o->tree);
	rc = runvar_set_in_tx(lab, o->flight, o->job, name.buf, sha, err);
	strbuf_reset(&name);
	strbuf_addf(&name, "path_%sdist", o->tree);
	if (rc == 0)
		rc = runvar_set_in_tx(lab, o->flight, o->job, name.buf, path, err);
	strbuf_reset(&name);
	strbuf_addf(&name, "reused_build_%s", o->tree);
	if (rc == 0 && reused != NULL)
		rc = runvar_set_in_tx(lab, o->flight, o->job, name.buf, reused, err);
	strbuf_release(&name);
	return db_end(&lab->db, rc, err);
}

/* --- on a host ----------------------------------------------------------- */

struct remote {
	const struct build_opts *o;
	struct lab *lab;
	struct host host;
	struct ssh_conn *c;
	struct deadline dl;
	struct strbuf dir;	/* WORKDIR/FLIGHT/JOB */
};

/* The job must be there before its runvars mean anything. */
static int
check_job(struct lab *lab, const struct build_opts *o, struct strbuf *err)
{
	struct job j;
	int rc;

	if ((rc = job_get(lab, o->flight, o->job, &j, err)) < 0)
		return rc;
	job_release(&j);
	return build_check_tree(o->tree, err);
}

/* Read runvar name of the job; 0 when unset (*val NULL). */
static int
job_var(struct lab *lab, const struct build_opts *o, const char *name,
    char **val, struct strbuf *err)
{
	*val = NULL;
	return runvar_get(lab, o->flight, o->job, name, val, err);
}

/* Find the job's host IDENT and connect to it. */
static int
remote_open(struct remote *r, struct lab *lab, const struct build_opts *o,
    struct strbuf *err)
{
	const char *workdir;
	char *name = NULL;
	int rc;

	r->o = o;
	r->lab = lab;
	if ((rc = runvar_check_name(o->ident, err)) < 0 ||
	    (rc = job_var(lab, o, o->ident, &name, err)) < 0)
		return rc;
	if (rc == 0)
		return err_setf(err, TS_E_INPUT, "runvar %s: not set: allocate the host "
		    "first (ts-host-allocate %s)", o->ident, o->ident);
	rc = host_get(lab, name, &r->host, err);
	free(name);
	if (rc < 0)
		return rc;
	if ((workdir = host_prop(&r->host, "workdir")) == NULL || *workdir == '\0')
		workdir = BUILD_DEFAULT_WORKDIR;
	if (workdir[0] == '-')
		return err_setf(err, TS_E_INPUT, "host %s: workdir '%s' starts with -",
		    r->host.name, workdir);
	strbuf_addf(&r->dir, "%s/%lld/%s", workdir, (long long)o->flight, o->job);
	say(o, "host %s (%s): connecting", r->host.name, r->host.address);
	return host_connect(lab, &r->host, 0, &r->c, err);
}

static void
remote_close(struct remote *r)
{
	ssh_close(r->c);
	r->c = NULL;
	host_release(&r->host);
	strbuf_release(&r->dir);
}

static int
remote_timed_out(struct remote *r, struct strbuf *err)
{
	return err_setf(err, TS_E_LAB, "host %s: %s: no end after %lld s",
	    r->host.name, r->dl.what.buf, (long long)deadline_waited_s(&r->dl));
}

/* Run argv on the host within the action's deadline; res says how it ended. */
static int
remote_exec(struct remote *r, const char *const *argv, struct ssh_result *res,
    struct strbuf *err)
{
	struct ssh_exec_opts eo = SSH_EXEC_OPTS_INIT;

	eo.out_fd = r->o->out_fd;
	eo.err_fd = r->o->err_fd;
	if ((eo.timeout_ms = deadline_left(&r->dl)) == 0)
		return remote_timed_out(r, err);
	return ssh_exec(r->c, argv, &eo, res, err);
}

/*
 * Each command on a host costs a round trip and a login shell there, so
 * the lab's own work is done by a few constant scripts: sh -c SCRIPT NAME
 * ARG..., where SCRIPT never changes and every value is an argument, one
 * quoted word ("$1").
 */
static const char script_fresh[] =		/* DIR */
	"rm -rf -- \"$1\" && mkdir -p -- \"$1\"";
static const char script_unpack[] =		/* DIR BUNDLE SHA */
	"cd -- \"$1\" && git -c init.defaultBranch=tlab init -q src &&"
	" git -C src fetch -q \"../$2\" " BUILD_REF " &&"
	" git -C src checkout -q --detach \"$3\"";
static const char script_build[] =		/* SRC BUILD_COMMAND */
	"cd -- \"$1\" && exec sh -c \"$2\"";
#define SCRIPT_PACK_NO_DIST 99		/* the exit below */
static const char script_pack[] =		/* DIST TARBALL */
	"test -d \"$1\" || exit 99; tar -czf \"$2\" -C \"$1\" .";
static const char script_unpack_dist[] =	/* TARBALL DIR */
	"tar -xzf \"$1\" -C \"$2\" && rm -f -- \"$1\"";

/*
 * A command of tlab's own: anything but exit 0 is the lab's failure, said
 * as what it was doing; a missing program (127) names what the host needs.
 */
static int
remote_must(struct remote *r, const char *const *argv, const char *what,
    const char *needs, struct strbuf *err)
{
	struct ssh_result res;
	int rc;

	if ((rc = remote_exec(r, argv, &res, err)) < 0)
		return rc;
	if (res.exited && res.code == 0)
		return 0;
	err_setf(err, TS_E_LAB, "host %s: %s: ", r->host.name, what);
	ssh_describe(&res, err);
	if (res.exited && res.code == 127)
		strbuf_addf(err, " (the host needs %s)", needs);
	return TS_E_LAB;
}

static int
remote_put(struct remote *r, const char *local, const char *remote,
    struct strbuf *err)
{
	int64_t left = deadline_left(&r->dl);

	return left == 0 ? remote_timed_out(r, err) :
	    ssh_put(r->c, local, remote, left, err);
}

/* Fetch remote to local through local.tmp: no half a tarball in the stash. */
static int
remote_get(struct remote *r, const char *remote, const char *local,
    struct strbuf *err)
{
	struct strbuf tmp = STRBUF_INIT;
	int64_t left = deadline_left(&r->dl);
	int rc;

	if (left == 0)
		return remote_timed_out(r, err);
	strbuf_addf(&tmp, "%s.tmp", local);
	if ((rc = ssh_get(r->c, remote, tmp.buf, left, err)) == 0 &&
	    rename(tmp.buf, local) < 0)
		rc = err_errno(err, TS_E_LAB, "%s", local);
	if (rc < 0)
		(void)unlink(tmp.buf);
	strbuf_release(&tmp);
	return rc;
}

/* A fresh empty directory on the host. */
static int
remote_fresh_dir(struct remote *r, const char *dir, struct strbuf *err)
{
	const char *argv[] = { "sh", "-c", script_fresh, "tlab-fresh", dir, NULL };
	struct strbuf what = STRBUF_INIT;
	int rc;

	strbuf_addf(&what, "making %s afresh", dir);
	rc = remote_must(r, argv, what.buf, "rm and mkdir", err);
	strbuf_release(&what);
	return rc;
}

/* dist_dir: relative to src, no way out of it. */
static int
check_dist_dir(const char *d, struct strbuf *err)
{
	const char *p = d;

	if (*d == '\0' || *d == '/')
		return err_setf(err, TS_E_INPUT, "dist_dir '%s': not a path relative "
		    "to the source tree", d);
	while (*p != '\0') {
		size_t n = strcspn(p, "/");

		if (n == 2 && p[0] == '.' && p[1] == '.')
			return err_setf(err, TS_E_INPUT, "dist_dir '%s': leaves the "
			    "source tree (..)", d);
		p += n;
		p += strspn(p, "/");
	}
	return 0;
}

/* The runvars a build needs. */
struct build_def {
	char *url, *rev, *command, *dist;
};

static void
build_def_release(struct build_def *d)
{
	free(d->url);
	free(d->rev);
	free(d->command);
	free(d->dist);
}

static int
read_def(struct lab *lab, const struct build_opts *o, struct build_def *d,
    struct strbuf *err)
{
	struct strbuf name = STRBUF_INIT;
	int rc;

	memset(d, 0, sizeof(*d));
	strbuf_addf(&name, "tree_%s", o->tree);
	if ((rc = job_var(lab, o, name.buf, &d->url, err)) == 0)
		rc = err_setf(err, TS_E_INPUT, "tree %s: unknown tree: runvar %s "
		    "is not set", o->tree, name.buf);
	if (rc < 0)
		goto out;
	strbuf_reset(&name);
	strbuf_addf(&name, "revision_%s", o->tree);
	if ((rc = job_var(lab, o, name.buf, &d->rev, err)) == 0)
		rc = err_setf(err, TS_E_INPUT, "tree %s: runvar %s is not set",
		    o->tree, name.buf);
	if (rc < 0)
		goto out;
	if ((rc = job_var(lab, o, "build_command", &d->command, err)) == 0)
		rc = err_setf(err, TS_E_INPUT, "tree %s: runvar build_command is "
		    "not set", o->tree);
	if (rc < 0)
		goto out;
	if ((rc = job_var(lab, o, "dist_dir", &d->dist, err)) < 0)
		goto out;
	if (rc == 0)
		d->dist = xstrdup(BUILD_DEFAULT_DIST_DIR);
	rc = check_dist_dir(d->dist, err);
out:
	strbuf_release(&name);
	return rc;
}

/* The stash directory of the job, made; its path into sb. */
static int
stash_dir(struct lab *lab, const struct build_opts *o, struct strbuf *sb,
    struct strbuf *err)
{
	lab_path(lab, sb, "stash/%lld/%s", (long long)o->flight, o->job);
	if (lab_mkdirs(sb->buf, 0755, err) < 0)
		return err_wrapf(err, TS_E_LAB, "stash");
	return 0;
}

/*
 * On the host, in DIR = WORKDIR/FLIGHT/JOB/build-TREE: the bundle, src/
 * checked out at sha, the build, TREEdist.tar.gz of src/DIST.  The
 * directory goes when the build passed, and stays for a look when not.
 */
static int
build_on_host(struct remote *r, const struct build_def *d, const char *sha,
    const char *bundle, const char *tarball, struct strbuf *err)
{
	const struct build_opts *o = r->o;
	struct strbuf dir = STRBUF_INIT, name = STRBUF_INIT, rbundle = STRBUF_INIT;
	struct strbuf src = STRBUF_INIT, rtar = STRBUF_INIT, dist = STRBUF_INIT;
	struct ssh_result res;
	int rc;

	strbuf_addf(&dir, "%s/build-%s", r->dir.buf, o->tree);
	strbuf_addf(&name, "%s.bundle", o->tree);
	strbuf_addf(&rbundle, "%s/%s", dir.buf, name.buf);
	strbuf_addf(&src, "%s/src", dir.buf);
	strbuf_addf(&rtar, "%s/%sdist.tar.gz", dir.buf, o->tree);
	strbuf_addf(&dist, "%s/%s", src.buf, d->dist);
	{
		const char *unpack[] = { "sh", "-c", script_unpack, "tlab-unpack",
		    dir.buf, name.buf, sha, NULL };
		/*
		 * build_command is shell text by design: it is the job's own
		 * definition.  It reaches the inner sh as one word.
		 */
		const char *build[] = { "sh", "-c", script_build, "tlab-build",
		    src.buf, d->command, NULL };
		const char *pack[] = { "sh", "-c", script_pack, "tlab-pack", dist.buf,
		    rtar.buf, NULL };
		const char *rm[] = { "rm", "-rf", "--", dir.buf, NULL };

		if ((rc = remote_fresh_dir(r, dir.buf, err)) < 0)
			goto out;
		say(o, "host %s: sending %s", r->host.name, rbundle.buf);
		if ((rc = remote_put(r, bundle, rbundle.buf, err)) < 0 ||
		    (rc = remote_must(r, unpack, "unpacking the bundle into src "
		    "(git init, fetch, checkout)", "git", err)) < 0)
			goto out;
		say(o, "host %s: in %s: sh -c %s", r->host.name, src.buf, d->command);
		if ((rc = remote_exec(r, build, &res, err)) < 0)
			goto out;
		if (!res.exited || res.code != 0) {
			err_setf(err, TS_E_FAIL, "host %s: build_command: ", r->host.name);
			ssh_describe(&res, err);
			if (res.timed_out)
				strbuf_addf(err, " after %lld s",
				    (long long)deadline_waited_s(&r->dl));
			strbuf_addf(err, " (left for a look in %s)", dir.buf);
			rc = TS_E_FAIL;
			goto out;
		}
		say(o, "host %s: packing %s", r->host.name, dist.buf);
		if ((rc = remote_exec(r, pack, &res, err)) < 0)
			goto out;
		if (res.exited && res.code == SCRIPT_PACK_NO_DIST) {
			rc = err_setf(err, TS_E_FAIL, "host %s: dist_dir '%s': the build "
			    "made no such directory in %s", r->host.name, d->dist, src.buf);
			goto out;
		}
		if (!res.exited || res.code != 0) {
			rc = err_setf(err, TS_E_LAB, "host %s: packing %s with tar: ",
			    r->host.name, dist.buf);
			ssh_describe(&res, err);
			if (res.exited && res.code == 127)
				strbuf_addstr(err, " (the host needs tar and gzip)");
			goto out;
		}
		if ((rc = remote_get(r, rtar.buf, tarball, err)) < 0)
			goto out;
		rc = remote_must(r, rm, "removing the build directory", "rm", err);
	}
out:
	strbuf_release(&dir);
	strbuf_release(&name);
	strbuf_release(&rbundle);
	strbuf_release(&src);
	strbuf_release(&rtar);
	strbuf_release(&dist);
	return rc;
}

int
build_run(struct lab *lab, const struct build_opts *o, struct build_result *res,
    struct strbuf *err)
{
	struct strbuf stash = STRBUF_INIT, bundle = STRBUF_INIT, tarball = STRBUF_INIT;
	struct remote r = { 0 };
	struct build_def d;
	char sha[41];
	int rc;

	memset(&d, 0, sizeof(d));
	host_init(&r.host);
	strbuf_init(&r.dir, 0);
	deadline_in(&r.dl, o->timeout_ms, "the build of tree %s", o->tree);
	if ((rc = check_job(lab, o, err)) < 0 ||
	    (rc = read_def(lab, o, &d, err)) < 0)
		goto out;
	if ((rc = build_resolve(lab, o->tree, d.url, d.rev, deadline_left(&r.dl),
	    sha, err)) < 0)
		goto out;
	if (strcmp(d.rev, sha) == 0)
		say(o, "tree %s: revision %s", o->tree, sha);
	else
		say(o, "tree %s: revision %s is %s", o->tree, d.rev, sha);
	res->revision = xstrdup(sha);
	if (!o->no_reuse) {
		if ((rc = build_find_reusable(lab, o->flight, o->job, o->tree, sha,
		    &res->reused, &res->path, err)) < 0)
			goto out;
		if (rc == 1) {
			rc = record_build(lab, o, sha, res->path, res->reused, err);
			goto out;
		}
	}
	if ((rc = stash_dir(lab, o, &stash, err)) < 0)
		goto out;
	strbuf_addf(&bundle, "%s/%s.bundle", stash.buf, o->tree);
	strbuf_addf(&tarball, "%s/%sdist.tar.gz", stash.buf, o->tree);
	if ((rc = build_write_bundle(lab, o->tree, sha, bundle.buf, err)) < 0)
		goto out;
	if ((rc = remote_open(&r, lab, o, err)) < 0)
		goto out;
	res->host = xstrdup(r.host.name);
	if ((rc = build_on_host(&r, &d, sha, bundle.buf, tarball.buf, err)) < 0)
		goto out;
	/* What a later job needs is the tarball; the bundle can be made again. */
	(void)unlink(bundle.buf);
	res->path = strbuf_detach(&tarball, NULL);
	rc = record_build(lab, o, sha, res->path, NULL, err);
out:
	remote_close(&r);
	deadline_release(&r.dl);
	build_def_release(&d);
	strbuf_release(&stash);
	strbuf_release(&bundle);
	strbuf_release(&tarball);
	return rc;
}

/* --- install ------------------------------------------------------------- */

int
build_install(struct lab *lab, const struct build_opts *o,
    struct build_result *res, struct strbuf *err)
{
	struct strbuf name = STRBUF_INIT, dir = STRBUF_INIT, rtar = STRBUF_INIT;
	struct strbuf scratch = STRBUF_INIT;
	struct remote r = { 0 };
	char *path = NULL;
	struct stat st;
	int rc;

	host_init(&r.host);
	strbuf_init(&r.dir, 0);
	deadline_in(&r.dl, o->timeout_ms, "the install of tree %s", o->tree);
	if ((rc = check_job(lab, o, err)) < 0)
		goto out;
	strbuf_addf(&name, "path_%sdist", o->tree);
	if ((rc = job_runvar_via(lab, o->flight, o->job, "buildjob", name.buf, &path,
	    err)) < 0)
		goto out;
	if (rc == 0) {
		rc = err_setf(err, TS_E_INPUT, "the build job (runvar buildjob) has no "
		    "runvar %s: not a build of tree %s", name.buf, o->tree);
		goto out;
	}
	strbuf_reset(&name);
	strbuf_addf(&name, "built_revision_%s", o->tree);
	/* For the log only: a build of an older tlab may not say. */
	if (job_runvar_via(lab, o->flight, o->job, "buildjob", name.buf,
	    &res->revision, &scratch) < 0)
		res->revision = NULL;
	/* The build passed, so its tarball was there: the stash lost it. */
	if (stat(path, &st) < 0) {
		rc = err_errno(err, TS_E_LAB, "the build's %s", path);
		goto out;
	}
	if ((rc = remote_open(&r, lab, o, err)) < 0)
		goto out;
	res->host = xstrdup(r.host.name);
	strbuf_addf(&dir, "%s/%sdist", r.dir.buf, o->tree);
	strbuf_addf(&rtar, "%s/%sdist.tar.gz", r.dir.buf, o->tree);
	{
		const char *untar[] = { "sh", "-c", script_unpack_dist, "tlab-install",
		    rtar.buf, dir.buf, NULL };

		say(o, "host %s: installing %s into %s", r.host.name, path, dir.buf);
		if ((rc = remote_fresh_dir(&r, dir.buf, err)) < 0 ||
		    (rc = remote_put(&r, path, rtar.buf, err)) < 0 ||
		    (rc = remote_must(&r, untar, "unpacking the tarball with tar",
		    "tar and gzip", err)) < 0)
			goto out;
	}
	strbuf_reset(&name);
	strbuf_addf(&name, "installed_%s", o->tree);
	if ((rc = runvar_set(lab, o->flight, o->job, name.buf, dir.buf, err)) < 0)
		goto out;
	res->path = path;
	path = NULL;
	res->remote_dir = strbuf_detach(&dir, NULL);
out:
	remote_close(&r);
	deadline_release(&r.dl);
	free(path);
	strbuf_release(&scratch);
	strbuf_release(&name);
	strbuf_release(&dir);
	strbuf_release(&rtar);
	return rc;
}
