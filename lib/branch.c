/*
 * branch: a flight from a branch file, and the resolving of its trees.
 * See branch.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "branch.h"
#include "conf.h"
#include "err.h"
#include "flight.h"
#include "proc.h"
#include "tree.h"
#include "xalloc.h"
#include "banned.h"

int
branch_find(const struct lab *lab, const char *branch, struct strbuf *path,
    struct strbuf *err)
{
	int rc;

	if ((rc = lab_check_name("branch", branch, err)) < 0)
		return rc;
	strbuf_reset(path);
	lab_path(lab, path, "recipes/branches/%s.sh", branch);
	if (access(path->buf, R_OK) == 0)
		return 1;
	strbuf_reset(path);
	strbuf_addf(path, "%s/recipes/branches/%s.sh", lab_datadir(), branch);
	return access(path->buf, R_OK) == 0;
}

int
branch_check_revision(const char *arg, struct strbuf *err)
{
	const char *eq = strchr(arg, '=');
	char *name;
	int rc;

	if (eq == NULL || eq[1] == '\0')
		return err_setf(err, TS_E_INPUT, "--revision '%s': not TREE=REVISION",
		    arg);
	name = xstrndup(arg, (size_t)(eq - arg));
	rc = tree_check_name(name, err);
	free(name);
	if (rc < 0)
		return err_wrapf(err, rc, "--revision");
	if (strchr(eq + 1, '\n') != NULL)
		return err_setf(err, TS_E_INPUT, "--revision '%s': a newline in the "
		    "revision", arg);
	return 0;
}

/* --- resolving the trees (ts-branch-resolve) ----------------------------- */

struct want {
	struct tree t;
	const char *ref;	/* the revision to resolve */
	char *spec_ref;		/* REF of TREE=REF, owned */
	int overridden;
};

/* TREE or TREE=REF into w (the name is checked by tree_get). */
static void
want_parse(const char *arg, char **name, char **ref)
{
	const char *eq = strchr(arg, '=');

	*name = eq != NULL ? xstrndup(arg, (size_t)(eq - arg)) : xstrdup(arg);
	*ref = eq != NULL ? xstrdup(eq + 1) : NULL;
}

/* Each --revision names a tree of the branch, once. */
static int
apply_revisions(struct want *w, int n, const char *const *revisions,
    struct strbuf *err)
{
	int i, k, rc;

	for (k = 0; revisions != NULL && revisions[k] != NULL; k++) {
		const char *r = revisions[k];
		size_t len;

		if ((rc = branch_check_revision(r, err)) < 0)
			return rc;
		len = (size_t)(strchr(r, '=') - r);
		for (i = 0; i < n; i++)
			if (strlen(w[i].t.name) == len && memcmp(w[i].t.name, r, len) == 0)
				break;
		if (i == n)
			return err_setf(err, TS_E_INPUT, "--revision %s: tree %.*s is not "
			    "a tree of the branch", r, (int)len, r);
		if (w[i].overridden)
			return err_setf(err, TS_E_INPUT, "--revision %s: tree %s has "
			    "a --revision already", r, w[i].t.name);
		w[i].ref = r + len + 1;
		w[i].overridden = 1;
	}
	return 0;
}

int
branch_resolve(struct lab *lab, const char *const *trees, int n,
    const char *const *revisions, int64_t timeout_ms, struct strvec *out,
    struct strbuf *err)
{
	struct want *w = xcalloc((size_t)(n > 0 ? n : 1), sizeof(*w));
	char sha[41];
	int i, k, rc = 0;

	if (n < 1) {
		rc = err_setf(err, TS_E_INPUT, "no tree under test");
		goto out;
	}
	/* Every tree known and named once before any is fetched. */
	for (i = 0; i < n; i++) {
		char *name;

		want_parse(trees[i], &name, &w[i].spec_ref);
		rc = tree_get(lab, name, &w[i].t, err);
		free(name);
		if (rc < 0)
			goto out;
		for (k = 0; k < i; k++)
			if (strcmp(w[k].t.name, w[i].t.name) == 0) {
				rc = err_setf(err, TS_E_INPUT, "tree %s: named twice",
				    w[i].t.name);
				goto out;
			}
		if (w[i].spec_ref != NULL && *w[i].spec_ref == '\0') {
			rc = err_setf(err, TS_E_INPUT, "tree %s: an empty ref", w[i].t.name);
			goto out;
		}
		w[i].ref = w[i].spec_ref != NULL ? w[i].spec_ref :
		    i == 0 ? w[i].t.staging : w[i].t.master;
	}
	if ((rc = apply_revisions(w, n, revisions, err)) < 0)
		goto out;
	strvec_pushf(out, "tree_under_test=%s", w[0].t.name);
	for (i = 0; i < n; i++) {
		if ((rc = tree_fetch_resolve(lab, w[i].t.name, w[i].t.url, w[i].ref,
		    timeout_ms, sha, err)) < 0)
			goto out;
		strvec_pushf(out, "tree_%s=%s", w[i].t.name, w[i].t.url);
		strvec_pushf(out, "revision_%s=%s", w[i].t.name, sha);
	}
out:
	for (i = 0; i < n; i++) {
		tree_release(&w[i].t);
		free(w[i].spec_ref);
	}
	free(w);
	return rc;
}

/* --- running the branch file --------------------------------------------- */

static void
collect(const char *buf, size_t n, void *ctx)
{
	strbuf_add(ctx, buf, n);
}

/* recipes/branch-lib.sh of the lab, else the installed one. */
static void
branch_lib(const struct lab *lab, struct strbuf *path)
{
	strbuf_reset(path);
	lab_path(lab, path, "recipes/branch-lib.sh");
	if (access(path->buf, R_OK) == 0)
		return;
	strbuf_reset(path);
	strbuf_addf(path, "%s/recipes/branch-lib.sh", lab_datadir());
}

/*
 * The words of a failed branch file: its last line of output, without the
 * "ts-NAME: " that our binaries put in front (the words are ours now).
 */
static void
last_line(const struct strbuf *out, struct strbuf *line)
{
	const char *end = out->buf + out->len, *start;
	size_t i;

	while (end > out->buf && (end[-1] == '\n' || end[-1] == ' '))
		end--;
	for (start = end; start > out->buf && start[-1] != '\n'; start--)
		;
	if (strncmp(start, "ts-", 3) == 0) {
		for (i = 3; start + i < end && (start[i] == '-' ||
		    (start[i] >= 'a' && start[i] <= 'z')); i++)
			;
		if (start + i + 1 < end && start[i] == ':' && start[i + 1] == ' ')
			start += i + 2;
	}
	strbuf_add(line, start, (size_t)(end - start));
}

/*
 * Run o->file with branch-lib.sh: for flight id, making its jobs; with id
 * 0, only to hear its trees (branch-lib.sh stops at the first job).
 */
static int
run_file(struct lab *lab, const struct branch_opts *o, int64_t id,
    struct strbuf *said, struct strbuf *err)
{
	struct strvec argv = STRVEC_INIT, set = STRVEC_INIT, env = STRVEC_INIT;
	struct strbuf lib = STRBUF_INIT, out = STRBUF_INIT, line = STRBUF_INIT;
	struct proc_opts po = PROC_OPTS_INIT;
	struct proc_result res;
	const char *path = getenv("PATH");
	int64_t grace = conf_lab_ms(&lab->conf, "abort_grace",
	    CONF_DEFAULT_ABORT_GRACE_MS);
	int pfd[2], nullfd, rc, r, k;
	struct proc p;

	branch_lib(lab, &lib);
	strvec_push(&argv, "sh");
	strvec_push(&argv, lib.buf);
	strvec_push(&argv, o->file);
	for (k = 0; o->revisions != NULL && o->revisions[k] != NULL; k++)
		strvec_push(&argv, o->revisions[k]);
	strvec_pushf(&set, "TLAB_LAB=%s", lab->dir);
	if (id > 0)
		strvec_pushf(&set, "TLAB_FLIGHT=%lld", (long long)id);
	else
		strvec_push(&set, "TLAB_BRANCH_TREES=1");
	strvec_pushf(&set, "TLAB_BRANCH=%s", o->branch);
	if (o->bindir != NULL)
		strvec_pushf(&set, "PATH=%s:%s", o->bindir,
		    path != NULL ? path : "/usr/bin:/bin");
	strvec_env(&env, &set);
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		rc = err_errno(err, TS_E_LAB, "pipe");
		goto out;
	}
	nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	po.argv = argv.v;
	po.envp = (char *const *)env.v;
	po.cwd = lab->dir;
	po.fd_in = nullfd;
	po.fd_out = po.fd_err = pfd[1];
	po.new_group = 1;
	po.pdeathsig = SIGTERM;
	rc = proc_spawn(&p, &po, err);
	close(pfd[1]);
	if (nullfd >= 0)
		close(nullfd);
	if (rc < 0) {
		close(pfd[0]);
		goto out;
	}
	r = proc_wait_io(&p, pfd[0], collect, &out, o->timeout_ms);
	close(pfd[0]);
	if (r != 1)
		proc_stop(&p, grace);
	else
		proc_stop(&p, 0);	/* what it left running */
	proc_result_of(&p, &res);
	proc_release(&p);
	last_line(&out, &line);
	if (r == 0) {
		rc = err_setf(err, TS_E_LAB, "%s: no end after %lld s", o->file,
		    (long long)(o->timeout_ms / 1000));
	} else if (r < 0) {
		rc = err_setf(err, TS_E_LAB, "%s: stopped by signal %d", o->file,
		    proc_aborted());
	} else if (!res.exited || res.code != 0) {
		rc = res.exited && res.code == 3 ? TS_E_LAB :
		    res.exited ? TS_E_INPUT : TS_E_LAB;
		if (line.len > 0) {
			err_setf(err, rc, "%s", line.buf);
		} else {
			err_setf(err, rc, "%s: ", o->file);
			proc_describe(&res, err);
		}
	} else {
		/* A file that made its flight may still have a word to say. */
		strbuf_add(said, out.buf, out.len);
	}
out:
	strvec_clear(&argv);
	strvec_clear(&set);
	strvec_clear(&env);
	strbuf_release(&lib);
	strbuf_release(&out);
	strbuf_release(&line);
	return rc;
}

int
branch_flight_create(struct lab *lab, const struct branch_opts *o, int64_t *id,
    struct strbuf *said, struct strbuf *err)
{
	struct strbuf scratch = STRBUF_INIT;
	int rc, k;

	for (k = 0; o->revisions != NULL && o->revisions[k] != NULL; k++)
		if ((rc = branch_check_revision(o->revisions[k], err)) < 0)
			return rc;
	if ((rc = flight_create(lab, o->branch, o->intended, id, err)) < 0)
		return rc;
	if ((rc = run_file(lab, o, *id, said, err)) < 0) {
		if (flight_remove_unstarted(lab, *id, &scratch) < 0)
			strbuf_addf(err, " (and %s)", scratch.buf);
		err_wrapf(err, rc, "branch %s", o->branch);
	}
	strbuf_release(&scratch);
	return rc;
}

/* --- the state of a branch (ts-branch state) ------------------------------ */

#define TREES_UNDER_TEST "tlab-tree-under-test "
#define TREES_ALSO "tlab-tree-also "

/* The trees of o->file, the tree under test first, as branch_resolve takes them. */
static int
branch_trees(struct lab *lab, const struct branch_opts *o, struct strvec *trees,
    struct strbuf *err)
{
	struct strbuf out = STRBUF_INIT;
	char *line, *next;
	int rc;

	if ((rc = run_file(lab, o, 0, &out, err)) < 0) {
		err_wrapf(err, rc, "branch %s", o->branch);
		goto out;
	}
	for (line = out.buf; *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		else
			next = line + strlen(line);
		if (strncmp(line, TREES_UNDER_TEST, strlen(TREES_UNDER_TEST)) == 0 &&
		    trees->nr == 0)
			strvec_push(trees, line + strlen(TREES_UNDER_TEST));
		else if (strncmp(line, TREES_ALSO, strlen(TREES_ALSO)) == 0 &&
		    trees->nr > 0)
			strvec_push(trees, line + strlen(TREES_ALSO));
	}
	if (trees->nr == 0)
		rc = err_setf(err, TS_E_INPUT, "branch %s: %s names no tree under test",
		    o->branch, o->file);
out:
	strbuf_release(&out);
	return rc;
}

/* The value of runvar name in vars ("NAME=VALUE" words), or NULL. */
static const char *
var_value(const struct strvec *vars, const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; i < vars->nr; i++)
		if (strncmp(vars->v[i], name, n) == 0 && vars->v[i][n] == '=')
			return vars->v[i] + n + 1;
	return NULL;
}

void
branch_state_release(struct branch_state *st)
{
	free(st->tree);
	st->tree = NULL;
}

int
branch_state(struct lab *lab, const char *branch, int64_t timeout_ms,
    struct branch_state *st, struct strbuf *err)
{
	struct branch_opts o = { branch, NULL, NULL, NULL, NULL, timeout_ms };
	struct strbuf file = STRBUF_INIT, name = STRBUF_INIT;
	struct strvec trees = STRVEC_INIT, vars = STRVEC_INIT;
	struct tree t = TREE_INIT;
	const char *staging;
	int rc;

	memset(st, 0, sizeof(*st));
	if ((rc = branch_find(lab, branch, &file, err)) < 0)
		goto out;
	if (rc == 0) {
		rc = err_setf(err, TS_E_INPUT, "branch %s: no branch file "
		    "(recipes/branches/%s.sh of the lab or of %s)", branch, branch,
		    lab_datadir());
		goto out;
	}
	o.file = file.buf;
	if ((rc = branch_trees(lab, &o, &trees, err)) < 0)
		goto out;
	if ((rc = branch_resolve(lab, (const char *const *)trees.v, (int)trees.nr,
	    NULL, timeout_ms, &vars, err)) < 0) {
		err_wrapf(err, rc, "branch %s", branch);
		goto out;
	}
	st->tree = xstrdup(var_value(&vars, "tree_under_test"));
	strbuf_addf(&name, "revision_%s", st->tree);
	if ((staging = var_value(&vars, name.buf)) == NULL) {
		rc = err_setf(err, TS_E_LAB, "branch %s: tree %s: no revision resolved",
		    branch, st->tree);
		goto out;
	}
	memcpy(st->staging, staging, sizeof(st->staging) - 1);
	if ((rc = tree_get(lab, st->tree, &t, err)) < 0 ||
	    (rc = tree_resolve(lab, st->tree, t.master, st->master, err)) < 0) {
		err_wrapf(err, rc, "branch %s", branch);
		goto out;
	}
	if ((rc = flight_tested(lab, branch, st->tree, st->master, &st->tested,
	    err)) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0)
		branch_state_release(st);
	tree_release(&t);
	strvec_clear(&trees);
	strvec_clear(&vars);
	strbuf_release(&file);
	strbuf_release(&name);
	return rc;
}
