/*
 * bench/bisect-steps: how many test flights a tlab bisection uses, beside
 * ceil(log2 N) and beside `git bisect run` on the same repository and
 * culprit.  Four histories are written with git fast-import into a
 * temporary lab (LAB/git/NAME.git, what lib/revgraph reads):
 *
 *	linear-1000   1000 commits in a line
 *	merges-1000   1000 commits, topic branches merged back several times
 *	two-trees     300 + 200 commits tested together, interleaved dates
 *	unbuildable   the line of 1000, the 2 commits before the culprit
 *	              cannot be built (tlab: skip; git bisect run: 125)
 *
 * For each, culprits are drawn with a fixed-seed PRNG.  tlab's decision
 * core (lib/bisect) is run as ts-bisect would run it, from the graph
 * lib/revgraph builds, answering each test from an oracle made from the
 * history itself (a tuple fails iff, in the culprit's tree, its commit
 * has the culprit as ancestor-or-self); its flights are split into search
 * and reproduction by the decision's reason.  git bisect run gets a
 * non-bare clone and a script giving the same answers; its flights are
 * the script's runs.  Neither counts the pass at the basis and the
 * failure at the latest they start from.  Prints figures; never fails on
 * them.  bench/bisect-steps.sh runs it (make bench); CULPRITS=n for more
 * culprits per history (at least 50).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include "bisect.h"
#include "clock.h"
#include "lab.h"
#include "proc.h"
#include "revgraph.h"
#include "strbuf.h"
#include "xalloc.h"
#include "banned.h"

#define ME "bisect-steps"
#define MAXPAR 8
#define GIT_TIMEOUT_MS 60000

static const char *tmp;		/* the temporary directory */
static int worker = -1;		/* a git bisect worker (0, 1); -1 in the parent */
#define NWORKER 2

/* --- a deterministic PRNG (xorshift64, as tests/unit/t-bisect.c) --------- */

static uint64_t
xorshift(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static int
rnd(uint64_t *s, int n)
{
	return (int)(xorshift(s) % (uint64_t)n);
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* --- running git, bounded ------------------------------------------------ */

/*
 * Run argv in cwd (NULL: ours) with stdin from in_path (NULL: inherited),
 * its stdout and stderr into out; its exit code, or -1 when it could not
 * be run, was killed or timed out (said on stderr).
 */
static int
run(const char *const *argv, const char *cwd, const char *in_path,
    struct strbuf *out)
{
	struct proc_opts po = PROC_OPTS_INIT;
	struct proc p;
	struct proc_result res;
	struct deadline dl;
	struct strbuf err = STRBUF_INIT, path = STRBUF_INIT;
	int fd_out, fd_in = -1, rc = -1;

	strbuf_addf(&path, "%s/out%d", tmp, worker);
	if ((fd_out = open(path.buf, O_RDWR | O_CREAT | O_TRUNC, 0600)) < 0 ||
	    (in_path != NULL && (fd_in = open(in_path, O_RDONLY)) < 0)) {
		fprintf(stderr, ME ": %s: %s\n", fd_out < 0 ? path.buf : in_path,
		    strerror(errno));
		goto out;
	}
	po.argv = argv;
	po.cwd = cwd;
	po.fd_in = fd_in;
	po.fd_out = fd_out;
	po.fd_err = fd_out;
	po.new_group = 1;
	deadline_in(&dl, GIT_TIMEOUT_MS, "%s %s", argv[0], argv[1]);
	if (proc_spawn(&p, &po, &err) < 0 ||
	    proc_wait(&p, &dl, 1000, &res, &err) < 0) {
		fprintf(stderr, ME ": %s\n", err.buf);
		deadline_release(&dl);
		goto out;
	}
	if (res.timed_out)
		fprintf(stderr, ME ": %s: no end after %d s\n", dl.what.buf,
		    GIT_TIMEOUT_MS / 1000);
	else if (res.signaled)
		fprintf(stderr, ME ": %s: signal %d\n", dl.what.buf, res.sig);
	else
		rc = res.code;
	deadline_release(&dl);
	if (out != NULL) {
		strbuf_setlen(out, 0);
		if (lseek(fd_out, 0, SEEK_SET) == 0)
			strbuf_read_fd(out, fd_out);
	}
out:
	if (fd_out >= 0)
		close(fd_out);
	if (fd_in >= 0)
		close(fd_in);
	strbuf_release(&err);
	strbuf_release(&path);
	return rc;
}

/* --- histories ----------------------------------------------------------- */

/* A history; commit k (1..n) is fast-import mark k, parents before it. */
struct hist {
	const char *name;
	struct strbuf stream;
	int n, alloc;
	int (*par)[MAXPAR];
	int *npar;
	char (*sha)[41];	/* filled by hist_import */
	int *by_sha;		/* marks sorted by id, for hist_find */
};

static int
hist_commit(struct hist *h, long long t, const int *par, int npar)
{
	int k = ++h->n, j;

	if (h->n >= h->alloc) {
		h->alloc = h->alloc ? 2 * h->alloc : 256;
		h->par = xrealloc(h->par, (size_t)h->alloc * sizeof(*h->par));
		h->npar = xrealloc(h->npar, (size_t)h->alloc * sizeof(int));
	}
	h->npar[k] = npar;
	for (j = 0; j < npar; j++)
		h->par[k][j] = par[j];
	if (npar == 0)
		strbuf_addstr(&h->stream, "reset refs/heads/main\n");
	strbuf_addf(&h->stream, "commit refs/heads/main\nmark :%d\n"
	    "committer T <t@example.org> %lld +0000\ndata <<EOT\n%s %d\nEOT\n",
	    k, t, h->name, k);
	for (j = 0; j < npar; j++)
		strbuf_addf(&h->stream, "%s :%d\n", j ? "merge" : "from", par[j]);
	strbuf_addf(&h->stream, "M 644 inline file\ndata <<EOT\n%d\nEOT\n\n", k);
	return k;
}

static void
hist_linear(struct hist *h, int n, long long t0, int step)
{
	int k, p;

	hist_commit(h, t0, NULL, 0);
	for (k = 2; k <= n; k++) {
		p = k - 1;
		hist_commit(h, t0 + (long long)k * step, &p, 1);
	}
}

/*
 * A mainline with topic branches: a topic starts from a recent mainline
 * commit, grows, is merged into the mainline, may go on and be merged
 * again; the last commit merges every topic left (an octopus), so that
 * every commit is under it and above the first.
 */
static void
hist_merges(struct hist *h, int n, long long t0, int step, uint64_t seed)
{
	int head[6], fresh[6], nhead = 1, k, j, par[MAXPAR];

	head[0] = hist_commit(h, t0, NULL, 0);
	fresh[0] = 0;
	for (k = 2; k < n; k++) {
		long long t = t0 + (long long)k * step;
		int r = rnd(&seed, 10);

		if (r < 2 && nhead < 6) {
			/* A topic from one of the last 40 commits (the mainline's, mostly). */
			par[0] = k - 1 - rnd(&seed, k - 1 < 40 ? k - 1 : 40);
			head[nhead] = hist_commit(h, t, par, 1);
			fresh[nhead++] = 1;
			continue;
		}
		j = 1 + (nhead > 1 ? rnd(&seed, nhead - 1) : 0);
		if (r < 4 && nhead > 1 && fresh[j]) {
			par[0] = head[0];
			par[1] = head[j];
			head[0] = hist_commit(h, t, par, 2);
			fresh[j] = 0;
			if (rnd(&seed, 2) == 0) {	/* the topic ends */
				head[j] = head[nhead - 1];
				fresh[j] = fresh[--nhead];
			}
			continue;
		}
		j = r < 6 || nhead == 1 ? 0 : j;
		par[0] = head[j];
		head[j] = hist_commit(h, t, par, 1);
		fresh[j] = j > 0;
	}
	par[0] = head[0];
	for (j = 1; j < nhead; j++)
		par[j] = head[j];
	hist_commit(h, t0 + (long long)n * step, par, nhead);
}

static const struct hist *sort_hist;

static int
cmp_sha(const void *a, const void *b)
{
	return strcmp(sort_hist->sha[*(const int *)a], sort_hist->sha[*(const int *)b]);
}

/* Import h as LAB/git/NAME.git; read each commit's id. */
static int
hist_import(struct hist *h, const char *labdir)
{
	struct strbuf fi = STRBUF_INIT, git = STRBUF_INIT, marks = STRBUF_INIT,
	    gd = STRBUF_INIT, em = STRBUF_INIT;
	const char *p;
	FILE *f;
	int k, rc = -1;

	strbuf_addf(&fi, "%s/%s.fi", tmp, h->name);
	strbuf_addf(&git, "%s/git/%s.git", labdir, h->name);
	strbuf_addf(&marks, "%s/%s.marks", tmp, h->name);
	strbuf_addf(&gd, "--git-dir=%s", git.buf);
	strbuf_addf(&em, "--export-marks=%s", marks.buf);
	if ((f = fopen(fi.buf, "w")) == NULL ||
	    fwrite(h->stream.buf, 1, h->stream.len, f) != h->stream.len ||
	    fclose(f) != 0) {
		fprintf(stderr, ME ": %s: %s\n", fi.buf, strerror(errno));
		goto out;
	}
	{
		const char *init[] = { "git", "init", "-q", "--bare",
		    "--initial-branch=main", git.buf, NULL };
		const char *imp[] = { "git", gd.buf, "fast-import", "--quiet",
		    em.buf, NULL };

		if (run(init, NULL, NULL, NULL) != 0 ||
		    run(imp, NULL, fi.buf, NULL) != 0) {
			fprintf(stderr, ME ": importing %s failed\n", h->name);
			goto out;
		}
	}
	strbuf_setlen(&fi, 0);
	if (strbuf_read_file(&fi, marks.buf) < 0)
		goto out;
	h->sha = xcalloc((size_t)h->n + 1, sizeof(*h->sha));
	for (p = fi.buf; *p == ':'; p = strchr(p, '\n') + 1) {
		char *end;
		long m = strtol(p + 1, &end, 10);

		if (m >= 1 && m <= h->n && *end == ' ')
			memcpy(h->sha[m], end + 1, 40);
	}
	h->by_sha = xcalloc((size_t)h->n, sizeof(int));
	for (k = 1; k <= h->n; k++) {
		if (h->sha[k][0] == '\0')
			goto out;
		h->by_sha[k - 1] = k;
	}
	sort_hist = h;
	qsort(h->by_sha, (size_t)h->n, sizeof(int), cmp_sha);
	rc = 0;
out:
	strbuf_release(&fi);
	strbuf_release(&git);
	strbuf_release(&marks);
	strbuf_release(&gd);
	strbuf_release(&em);
	return rc;
}

/* The mark of commit id in h; 0 when not there. */
static int
hist_find(const struct hist *h, const char *id)
{
	int lo = 0, hi = h->n;

	while (lo < hi) {
		int mid = (lo + hi) / 2, c = strcmp(h->sha[h->by_sha[mid]], id);

		if (c == 0)
			return h->by_sha[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static void
hist_release(struct hist *h)
{
	strbuf_release(&h->stream);
	free(h->par);
	free(h->npar);
	free(h->sha);
	free(h->by_sha);
}

/* A non-bare clone for git bisect worker w, at TMP/work-LABEL-NAME-W. */
static int
hist_clone(const struct hist *h, const char *labdir, const char *label, int w,
    struct strbuf *work)
{
	struct strbuf out = STRBUF_INIT;
	struct strbuf git = STRBUF_INIT;
	int rc;

	strbuf_addf(&git, "%s/git/%s.git", labdir, h->name);
	strbuf_setlen(work, 0);
	strbuf_addf(work, "%s/work-%s-%s-%d", tmp, label, h->name, w);
	{
		const char *clone[] = { "git", "clone", "-q", "--no-checkout",
		    git.buf, work->buf, NULL };

		if ((rc = run(clone, NULL, NULL, &out)) != 0)
			fprintf(stderr, ME ": git clone %s: %s\n", git.buf, out.buf);
	}
	strbuf_release(&git);
	strbuf_release(&out);
	return rc == 0 ? 0 : -1;
}

/* --- one culprit --------------------------------------------------------- */

/* The truth: commit c of tree ct, and the commits that cannot be built. */
struct culprit {
	int tree, mark;
	int skip[2];		/* marks that cannot be built; 0: none */
	unsigned char *bad;	/* per mark of the culprit's tree */
};

static void
culprit_truth(struct culprit *c, const struct hist *h)
{
	int k, j;

	free(c->bad);
	c->bad = xcalloc((size_t)h->n + 1, 1);
	c->bad[c->mark] = 1;
	for (k = c->mark + 1; k <= h->n; k++)
		for (j = 0; j < h->npar[k]; j++)
			if (c->bad[h->par[k][j]])
				c->bad[k] = 1;
}

struct tlab_run {
	enum bisect_verdict verdict;
	int search, repro;
	int right;
};

/*
 * Bisect with lib/bisect as ts-bisect does: pass@basis and fail@latest
 * are known (the failing flight and its basis); then every test asked
 * for is one flight, answered from the truth.
 */
static void
tlab_bisect(const struct revgraph *g, struct hist *const *hs,
    const struct culprit *c, struct tlab_run *r)
{
	struct bisect_decision d = BISECT_DECISION_INIT;
	struct strbuf err = STRBUF_INIT;
	struct bisect_obs *obs;
	const struct hist *h = hs[c->tree];
	enum bisect_result *ans = xcalloc(g->n, sizeof(*ans));
	size_t nobs = 0, alloc = 64, i;
	int64_t flight = 1;

	for (i = 0; i < g->n; i++) {
		int m = hist_find(h, g->node[i].rev[c->tree]);

		ans[i] = m == c->skip[0] || m == c->skip[1] ? BISECT_SKIP :
		    c->bad[m] ? BISECT_FAIL : BISECT_PASS;
		if (m == 0)
			fprintf(stderr, ME ": tuple %zu: not in %s\n", i, h->name);
	}
	memset(r, 0, sizeof(*r));
	obs = xcalloc(alloc, sizeof(*obs));
	obs[nobs++] = (struct bisect_obs){ g->basis, BISECT_PASS, flight++ };
	obs[nobs++] = (struct bisect_obs){ g->latest, BISECT_FAIL, flight++ };
	for (;;) {
		if (bisect_decide(g, obs, nobs, NULL, &d, &err) < 0) {
			fprintf(stderr, ME ": bisect_decide: %s\n", err.buf);
			break;
		}
		if (d.verdict != BISECT_TEST || r->search + r->repro > 5000)
			break;
		if (strncmp(d.why.buf, "reproduce", 9) == 0)
			r->repro++;
		else
			r->search++;
		ALLOC_GROW(obs, nobs + 1, alloc);
		obs[nobs++] = (struct bisect_obs){ d.node, ans[d.node], flight++ };
	}
	r->verdict = d.verdict;
	if (d.verdict == BISECT_FOUND) {
		const struct revgraph_node *nd = &g->node[d.culprit];

		r->right = nd->tree == c->tree &&
		    hist_find(h, nd->rev[c->tree]) == c->mark;
	} else if (d.verdict == BISECT_RANGE) {
		/* The range with the one fail above it must hold the culprit. */
		if (d.culprit != BISECT_NONE &&
		    hist_find(h, g->node[d.culprit].rev[c->tree]) == c->mark)
			r->right = 1;
		for (i = 0; i < d.nrange; i++)
			if (hist_find(h, g->node[d.range[i]].rev[c->tree]) == c->mark)
				r->right = 1;
	}
	bisect_decision_release(&d);
	strbuf_release(&err);
	free(obs);
	free(ans);
}

struct git_run {
	int tests;
	int exact, range;	/* what it named */
	int right;
};

/*
 * The script git bisect run runs: $1 counts its runs, $2 is the truth
 * (" ID ID ... ": the culprit and its descendants), the rest cannot be
 * built.  It reads BISECT_HEAD and answers with shell builtins only: a
 * git merge-base --is-ancestor per run would give the same answers and
 * double git bisect's time, not its count.
 */
static const char oracle_sh[] =
	"echo >>\"$1\"; read h <.git/BISECT_HEAD || exit 255; bad=$2; "
	"shift 2; for s; do [ \"$s\" != \"$h\" ] || exit 125; done; "
	"case $bad in *\" $h \"*) exit 1;; esac; exit 0";

/*
 * git bisect run in work for culprit c, from the failing and passing
 * revisions the tlab bisection starts from.  A bisection left in work is
 * replaced by git bisect start.
 */
static void
git_bisect(const char *work, const struct hist *h, const struct culprit *c,
    struct git_run *r)
{
	struct strbuf out = STRBUF_INIT, count = STRBUF_INIT, bad = STRBUF_INIT;
	const char *start[] = { "git", "bisect", "start", "--no-checkout",
	    h->sha[h->n], h->sha[1], NULL };
	const char *brun[12] = { "git", "bisect", "run", "sh", "-c", oracle_sh,
	    "oracle", NULL, NULL, NULL };
	const char *p, *q;
	size_t nrun = 9, i;
	int k;
	FILE *f;

	memset(r, 0, sizeof(*r));
	strbuf_addf(&count, "%s/count%d", tmp, worker);
	strbuf_addch(&bad, ' ');
	for (k = 1; k <= h->n; k++)
		if (c->bad[k])
			strbuf_addf(&bad, "%s ", h->sha[k]);
	brun[7] = count.buf;
	brun[8] = bad.buf;
	for (i = 0; i < 2; i++)
		if (c->skip[i])
			brun[nrun++] = h->sha[c->skip[i]];
	brun[nrun] = NULL;
	if ((f = fopen(count.buf, "w")) != NULL)
		fclose(f);
	if (run(start, work, NULL, &out) != 0) {
		fprintf(stderr, ME ": git bisect start: %s\n", out.buf);
		goto out;
	}
	run(brun, work, NULL, &out);
	if ((p = strstr(out.buf, " is the first bad commit")) != NULL &&
	    p - out.buf >= 40) {
		r->exact = 1;
		r->right = strncmp(p - 40, h->sha[c->mark], 40) == 0;
	} else if ((p = strstr(out.buf, "could be any of:\n")) != NULL) {
		r->range = 1;
		for (p = strchr(p, '\n') + 1; strlen(p) > 40 && p[40] == '\n';
		    p += 41)
			if (strncmp(p, h->sha[c->mark], 40) == 0)
				r->right = 1;
	} else {
		fprintf(stderr, ME ": git bisect run named no culprit: %s\n",
		    out.buf);
	}
	if (strbuf_read_file(&count, count.buf) >= 0)
		for (q = count.buf; (q = strchr(q, '\n')) != NULL; q++)
			r->tests++;
out:
	strbuf_release(&out);
	strbuf_release(&count);
	strbuf_release(&bad);
}

/* --- one history --------------------------------------------------------- */

struct stats {
	int n;
	long git_sum, search_sum, repro_sum, total_sum;
	int git_worst, search_worst, repro_worst, total_worst;
	int wrong, git_wrong, git_exact, git_range;
	int over;		/* culprits where tlab used more than git + R */
	int verdicts[33];
	double git_ms, tlab_ms;
};

/* The allowance for reproduction beside git bisect: see main. */
static int allowance;

static int
ceil_log2(size_t n)
{
	int k = 0;

	while (((size_t)1 << k) < n)
		k++;
	return k;
}

static void
max_in(int *worst, int v)
{
	if (v > *worst)
		*worst = v;
}

/* Culprit k's truth: its tree's commits at or above it, what cannot be built. */
static void
culprit_of(struct culprit *c, struct hist **hs, const int *cul, int k,
    int unbuildable)
{
	c->tree = cul[2 * k];
	c->mark = cul[2 * k + 1];
	c->skip[0] = unbuildable ? c->mark - 1 : 0;
	c->skip[1] = unbuildable ? c->mark - 2 : 0;
	culprit_truth(c, hs[c->tree]);
}

/*
 * git bisect run for every culprit, on NWORKER forked workers, each with
 * its own clones, culprit k to worker k % NWORKER; the results into gr.
 * git bisect run is the slow part of the bench, and tlab's decisions run
 * meanwhile in the parent.  0, or -1 when a worker could not be started;
 * git_workers_wait collects them.
 */
static int
git_workers_start(struct hist **hs, struct strbuf (*work)[NWORKER],
    const int *cul, int ncul, int unbuildable, const char *label,
    pid_t *pid)
{
	struct strbuf path = STRBUF_INIT;
	struct culprit c;
	struct git_run gr;
	FILE *f;
	int w, k, rc = 0;

	fflush(stdout);
	fflush(stderr);
	for (w = 0; w < NWORKER; w++) {
		if ((pid[w] = fork()) < 0) {
			fprintf(stderr, ME ": fork: %s\n", strerror(errno));
			return -1;
		}
		if (pid[w] > 0)
			continue;
		worker = w;
		memset(&c, 0, sizeof(c));
		strbuf_addf(&path, "%s/git-%s-%d", tmp, label, w);
		if ((f = fopen(path.buf, "w")) == NULL)
			_exit(3);
		for (k = w; k < ncul; k += NWORKER) {
			culprit_of(&c, hs, cul, k, unbuildable);
			git_bisect(work[c.tree][w].buf, hs[c.tree], &c, &gr);
			if (fwrite(&gr, sizeof(gr), 1, f) != 1)
				rc = 3;
		}
		if (fclose(f) != 0)
			rc = 3;
		fflush(stderr);
		_exit(rc);
	}
	return 0;
}

static int
git_workers_wait(const pid_t *pid, int ncul, const char *label,
    struct git_run *gr)
{
	struct strbuf path = STRBUF_INIT;
	int w, k, status, rc = 0;
	FILE *f;

	for (w = 0; w < NWORKER; w++) {
		if (pid[w] <= 0)
			continue;
		while (waitpid(pid[w], &status, 0) < 0 && errno == EINTR)
			;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			rc = -1;
		strbuf_setlen(&path, 0);
		strbuf_addf(&path, "%s/git-%s-%d", tmp, label, w);
		if ((f = fopen(path.buf, "r")) == NULL) {
			rc = -1;
			continue;
		}
		for (k = w; k < ncul; k += NWORKER)
			if (fread(&gr[k], sizeof(gr[k]), 1, f) != 1)
				rc = -1;
		fclose(f);
	}
	if (rc < 0)
		fprintf(stderr, ME ": %s: a git bisect worker failed\n", label);
	strbuf_release(&path);
	return rc;
}

/*
 * Bisect ncul culprits drawn from the trees' commits (above the first
 * min_mark - 1 of each) with tlab and git bisect; print the row.
 */
static int
bench_history(struct lab *lab, const char *label, struct hist **hs, int ntree,
    int ncul, int min_mark, int unbuildable, uint64_t seed, struct stats *st)
{
	struct revgraph_tree trees[2];
	struct revgraph g = REVGRAPH_INIT;
	struct strbuf err = STRBUF_INIT;
	struct strbuf work[2][NWORKER];
	struct culprit c;
	struct tlab_run *tr;
	struct git_run *gr;
	unsigned char *seen[2] = { NULL, NULL };
	pid_t pid[NWORKER] = { 0 };
	int *cul, t, w, k, total = 0, rc = -1;
	double t0, tg;

	memset(st, 0, sizeof(*st));
	memset(&c, 0, sizeof(c));
	for (t = 0; t < 2; t++)
		for (w = 0; w < NWORKER; w++)
			strbuf_init(&work[t][w], 0);
	for (t = 0; t < ntree; t++) {
		trees[t] = (struct revgraph_tree){ hs[t]->name, hs[t]->sha[1],
		    hs[t]->sha[hs[t]->n] };
		seen[t] = xcalloc((size_t)hs[t]->n + 1, 1);
		total += hs[t]->n - min_mark + 1;
	}
	ncul = ncul < total ? ncul : total;
	cul = xcalloc(2 * (size_t)ncul, sizeof(int));
	tr = xcalloc((size_t)ncul, sizeof(*tr));
	gr = xcalloc((size_t)ncul, sizeof(*gr));
	for (k = 0; k < ncul; k++) {
		int r;

		do {
			r = rnd(&seed, total);
			for (t = 0; r >= hs[t]->n - min_mark + 1; t++)
				r -= hs[t]->n - min_mark + 1;
		} while (seen[t][min_mark + r]);
		seen[t][min_mark + r] = 1;
		cul[2 * k] = t;
		cul[2 * k + 1] = min_mark + r;
	}

	tg = now_ms();
	for (t = 0; t < ntree; t++)
		for (w = 0; w < NWORKER; w++)
			if (hist_clone(hs[t], lab->dir, label, w,
			    &work[t][w]) < 0)
				goto out;
	if (git_workers_start(hs, work, cul, ncul, unbuildable, label,
	    pid) < 0)
		goto out;

	t0 = now_ms();
	if (revgraph_build(lab, trees, (size_t)ntree, &g, &err) < 0) {
		fprintf(stderr, ME ": %s: revgraph_build: %s\n", label, err.buf);
		goto out;
	}
	for (k = 0; k < ncul; k++) {
		culprit_of(&c, hs, cul, k, unbuildable);
		tlab_bisect(&g, hs, &c, &tr[k]);
	}
	st->tlab_ms = now_ms() - t0;
	if (git_workers_wait(pid, ncul, label, gr) < 0)
		goto out;
	memset(pid, 0, sizeof(pid));
	st->git_ms = now_ms() - tg;

	for (k = 0; k < ncul; k++) {
		int total_k = tr[k].search + tr[k].repro;

		st->n++;
		st->verdicts[tr[k].verdict <= 32 ? tr[k].verdict : 0]++;
		st->wrong += !tr[k].right;
		st->search_sum += tr[k].search;
		st->repro_sum += tr[k].repro;
		st->total_sum += total_k;
		max_in(&st->search_worst, tr[k].search);
		max_in(&st->repro_worst, tr[k].repro);
		max_in(&st->total_worst, total_k);
		st->git_wrong += !gr[k].right;
		st->git_exact += gr[k].exact;
		st->git_range += gr[k].range;
		st->git_sum += gr[k].tests;
		max_in(&st->git_worst, gr[k].tests);
		st->over += total_k > gr[k].tests + allowance;
	}
	printf("%-12s %5zu %4d %5d %6.1f/%-3d %6.1f/%-3d %5.1f %6.1f/%-3d %5d %4d",
	    label, g.n - 1, st->n, ceil_log2(g.n - 1),
	    (double)st->git_sum / st->n, st->git_worst,
	    (double)st->search_sum / st->n, st->search_worst,
	    (double)st->repro_sum / st->n,
	    (double)st->total_sum / st->n, st->total_worst, st->wrong,
	    st->git_wrong);
	if (unbuildable) {
		printf("  verdicts:");
		for (k = 0; k <= 32; k++)
			if (st->verdicts[k])
				printf(" %d x%d", k, st->verdicts[k]);
		printf("; git: first bad x%d, range x%d", st->git_exact,
		    st->git_range);
	}
	printf("\n");
	fflush(stdout);
	rc = 0;
out:
	for (w = 0; w < NWORKER; w++)
		if (pid[w] > 0) {
			git_workers_wait(pid, ncul, label, gr);
			break;
		}
	revgraph_release(&g);
	free(c.bad);
	for (t = 0; t < 2; t++) {
		for (w = 0; w < NWORKER; w++)
			strbuf_release(&work[t][w]);
		free(seen[t]);
	}
	free(cul);
	free(tr);
	free(gr);
	strbuf_release(&err);
	return rc;
}

/* --- main ---------------------------------------------------------------- */

static int
rm_rf(const char *path)
{
	const char *argv[] = { "rm", "-rf", path, NULL };

	return run(argv, NULL, NULL, NULL);
}

int
main(void)
{
	struct bisect_opts o = BISECT_OPTS_INIT;
	struct strbuf dir = STRBUF_INIT, labdir = STRBUF_INIT, err = STRBUF_INIT;
	struct hist lin = { .name = "linear", .stream = STRBUF_INIT },
	    mrg = { .name = "merges", .stream = STRBUF_INIT },
	    ta = { .name = "xen", .stream = STRBUF_INIT },
	    tb = { .name = "qemu", .stream = STRBUF_INIT };
	struct hist *hs[2];
	struct lab lab;
	struct stats st[4];
	const char *env = getenv("CULPRITS"), *label[4] = { "linear-1000",
	    "merges-1000", "two-trees", "unbuildable" };
	const char *only = getenv("HISTORY");
	int ncul = env != NULL && atoi(env) > 50 ? atoi(env) : 50, i, rc = 3;
	char *tmpl;
	double t0 = now_ms();

	strbuf_addf(&dir, "%s/tlab-bisect-steps.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	tmpl = dir.buf;
	if (mkdtemp(tmpl) == NULL) {
		fprintf(stderr, ME ": mkdtemp %s: %s\n", dir.buf, strerror(errno));
		return 3;
	}
	tmp = dir.buf;
	memset(st, 0, sizeof(st));
	strbuf_addf(&labdir, "%s/lab", tmp);
	if (lab_init(labdir.buf, NULL, &err) < 0 ||
	    lab_open(&lab, labdir.buf, &err) < 0) {
		fprintf(stderr, ME ": lab: %s\n", err.buf);
		goto out_rm;
	}

	/*
	 * Beside git bisect, tlab reproduces: pass@basis and fail@latest
	 * repro_basis times (the pair it starts from counts: 2 * repro_basis
	 * - 2 flights), and pass@parent, fail@culprit repro_culprit times
	 * (2 * repro_culprit, less what the search saw in that order: the
	 * search's last pair usually gives one, hence - 1).
	 */
	allowance = (2 * o.repro_basis - 2) + (2 * o.repro_culprit - 1);

	hist_linear(&lin, 1000, 1600000000LL, 60);
	hist_merges(&mrg, 1000, 1600000000LL, 60, 0x5eed0001);
	hist_linear(&ta, 300, 1600000000LL, 100);
	hist_merges(&tb, 200, 1600000037LL, 150, 0x5eed0002);
	if (hist_import(&lin, labdir.buf) < 0 || hist_import(&mrg, labdir.buf) < 0 ||
	    hist_import(&ta, labdir.buf) < 0 || hist_import(&tb, labdir.buf) < 0)
		goto out;
	printf(ME ": %d culprits per history (fixed seed); flights beyond the "
	    "known pass@basis and fail@latest\n", ncul);
	printf("%-12s %5s %4s %5s %10s %10s %5s %10s %5s %4s\n", "history", "N",
	    "culp", "log2N", "git-bisect", "tlab-srch", "repro", "tlab-total",
	    "wrong", "git-wrong");
	printf("%-12s %5s %4s %5s %10s %10s %5s %10s\n", "", "", "", "",
	    "avg/worst", "avg/worst", "avg", "avg/worst");

	for (i = 0; i < 4; i++) {
		int two = i == 2;

		hs[0] = i == 1 ? &mrg : two ? &ta : &lin;
		hs[1] = &tb;
		if (only != NULL && strcmp(only, label[i]) != 0)
			continue;
		if (bench_history(&lab, label[i], hs, two ? 2 : 1, ncul,
		    i == 3 ? 4 : 2, i == 3, 0xc0ffee01 + (uint64_t)i, &st[i]) < 0)
			goto out;
	}

	printf(ME ": N: tuples that may hold the culprit; two-trees: git bisect "
	    "cannot bisect two repositories together, so it gets only the tree "
	    "that holds the culprit (300 or 200 commits), which favours it\n");
	printf(ME ": unbuildable: the 2 commits before the culprit cannot be "
	    "built; a right answer is a range holding the culprit\n");
	printf(ME ": target, without flakiness: tlab-total <= git-bisect + %d "
	    "reproduction runs ((2 * repro_basis - 2) + (2 * repro_culprit - 1)"
	    " = %d + %d):\n", allowance, 2 * o.repro_basis - 2,
	    2 * o.repro_culprit - 1);
	for (i = 0; i < 4; i++) {
		double tl, gb;

		if (st[i].n == 0)
			continue;
		tl = (double)st[i].total_sum / st[i].n;
		gb = (double)st[i].git_sum / st[i].n;

		printf(ME ":   %-12s avg %.1f <= %.1f + %d: %s; worst %d vs %d + %d;"
		    " over on %d of %d culprits; time tlab %.1f s, git %.1f s\n",
		    label[i], tl, gb, allowance,
		    tl <= gb + allowance ? "holds" : "DOES NOT HOLD",
		    st[i].total_worst, st[i].git_worst, allowance, st[i].over,
		    st[i].n, st[i].tlab_ms / 1e3, st[i].git_ms / 1e3);
	}
	printf(ME ": wall time %.1f s\n", (now_ms() - t0) / 1e3);
	rc = 0;
out:
	lab_close(&lab);
out_rm:
	hist_release(&lin);
	hist_release(&mrg);
	hist_release(&ta);
	hist_release(&tb);
	if (getenv("KEEP") == NULL)
		rm_rf(tmp);
	strbuf_release(&labdir);
	strbuf_release(&err);
	strbuf_release(&dir);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, ME ": stdout: %s\n", strerror(errno));
		return 3;
	}
	return rc;
}
