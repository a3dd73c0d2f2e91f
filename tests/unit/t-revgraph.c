/*
 * t-revgraph: unit tests of lib/revgraph on real git repositories.  Each
 * history is written as a git fast-import stream with fixed committer
 * times (fast, and any shape: merges, roots, skewed dates), imported into
 * a bare repository at LAB/git/NAME.git, and the graph is checked against
 * what git rev-list says and against the rules of coalesce.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "lab.h"
#include "revgraph.h"
#include "xalloc.h"
#include "tap.h"

static char dir[] = "/tmp/t-revgraph.XXXXXX";
static struct lab lab;

/* A history; commit k (1..n) is fast-import mark k. */
struct hist {
	struct strbuf stream;
	int n, alloc;
	int *parent, *merge;	/* 0: none */
	long long *time;
	char (*sha)[41];	/* filled by hist_import */
};

#define HIST_INIT { STRBUF_INIT, 0, 0, NULL, NULL, NULL, NULL }

static int __attribute__((format(printf, 1, 2)))
run(const char *fmt, ...)
{
	struct strbuf cmd = STRBUF_INIT;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	strbuf_vaddf(&cmd, fmt, ap);
	va_end(ap);
	if ((rc = system(cmd.buf)) != 0)
		printf("# %s: status %d\n", cmd.buf, rc);
	strbuf_release(&cmd);
	return rc;
}

/* What a command writes on stdout. */
static int __attribute__((format(printf, 2, 3)))
run_out(struct strbuf *out, const char *fmt, ...)
{
	struct strbuf cmd = STRBUF_INIT;
	char buf[4096];
	va_list ap;
	FILE *f;
	size_t n;
	int rc = -1;

	va_start(ap, fmt);
	strbuf_vaddf(&cmd, fmt, ap);
	va_end(ap);
	strbuf_reset(out);
	if ((f = popen(cmd.buf, "r")) != NULL) {
		while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
			strbuf_add(out, buf, n);
		rc = pclose(f);
	}
	if (rc != 0)
		printf("# %s: status %d\n", cmd.buf, rc);
	strbuf_release(&cmd);
	return rc;
}

/* A commit at time with parents parent and merge (0: none); its number. */
static int
hist_commit(struct hist *h, long long time, int parent, int merge)
{
	int k = ++h->n;

	if (h->n >= h->alloc) {
		h->alloc = h->alloc ? 2 * h->alloc : 64;
		h->parent = xrealloc(h->parent, (size_t)h->alloc * sizeof(int));
		h->merge = xrealloc(h->merge, (size_t)h->alloc * sizeof(int));
		h->time = xrealloc(h->time, (size_t)h->alloc * sizeof(long long));
	}
	h->time[k] = time;
	h->parent[k] = parent;
	h->merge[k] = merge;
	/* Without a from, fast-import would go on from the branch's tip. */
	if (parent == 0)
		strbuf_addstr(&h->stream, "reset refs/heads/main\n");
	strbuf_addf(&h->stream, "commit refs/heads/main\nmark :%d\n"
	    "committer T <t@example.org> %lld +0000\ndata <<EOT\nc%d\nEOT\n",
	    k, time, k);
	if (parent != 0)
		strbuf_addf(&h->stream, "from :%d\n", parent);
	if (merge != 0)
		strbuf_addf(&h->stream, "merge :%d\n", merge);
	strbuf_addf(&h->stream, "M 644 inline file\ndata <<EOT\n%d\nEOT\n\n", k);
	return k;
}

/* The history as LAB/git/name.git, and each commit's id. */
static int
hist_import(struct hist *h, const char *name)
{
	struct strbuf path = STRBUF_INIT, marks = STRBUF_INIT;
	const char *p;
	FILE *f;
	int rc = -1;

	strbuf_addf(&path, "%s/%s.fi", dir, name);
	if ((f = fopen(path.buf, "w")) == NULL)
		goto out;
	fwrite(h->stream.buf, 1, h->stream.len, f);
	fclose(f);
	if (run("git init -q --bare '%s/lab/git/%s.git' && git --git-dir="
	    "'%s/lab/git/%s.git' fast-import --quiet --export-marks='%s/%s.marks' "
	    "<'%s'", dir, name, dir, name, dir, name, path.buf) != 0)
		goto out;
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/%s.marks", dir, name);
	if (strbuf_read_file(&marks, path.buf) < 0)
		goto out;
	h->sha = xcalloc((size_t)h->n + 1, sizeof(*h->sha));
	for (p = marks.buf; *p == ':'; p = strchr(p, '\n') + 1) {
		char *end;
		long k = strtol(p + 1, &end, 10);

		if (k >= 1 && k <= h->n && *end == ' ')
			memcpy(h->sha[k], end + 1, 40);
	}
	rc = 0;
out:
	if (rc != 0)
		printf("# importing %s failed\n", name);
	strbuf_release(&path);
	strbuf_release(&marks);
	return rc;
}

static void
hist_release(struct hist *h)
{
	strbuf_release(&h->stream);
	free(h->parent);
	free(h->merge);
	free(h->time);
	free(h->sha);
}

/* The commit number of id in h; 0 when not there. */
static int
hist_find(const struct hist *h, const char *id)
{
	int k;

	for (k = 1; k <= h->n; k++)
		if (strcmp(h->sha[k], id) == 0)
			return k;
	return 0;
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
build(struct revgraph_tree *t, size_t n, struct revgraph *g)
{
	struct strbuf err = STRBUF_INIT;
	int rc;

	if ((rc = revgraph_build(&lab, t, n, g, &err)) < 0)
		printf("# revgraph_build: %s\n", err.buf);
	strbuf_release(&err);
	return rc;
}

/* Every parent after its child; the basis the only node without parents. */
static void
check_shape(const struct revgraph *g, const char *what)
{
	size_t i, j, bad = 0, roots = 0, lost = 0;

	for (i = 0; i < g->n; i++) {
		for (j = 0; j < g->node[i].nparent; j++)
			if (g->node[i].parent[j] <= i || g->node[i].parent[j] >= g->n)
				bad++;
		if (g->node[i].nparent == 0)
			roots++;
		if (revgraph_find(g, g->node[i].rev) != (long)i)
			lost++;
	}
	is_int(bad, 0, "%s: every parent comes after its child", what);
	is_int(roots, 1, "%s: one node without parents", what);
	ok(g->n > 0 && g->latest == 0 && g->basis == g->n - 1,
	    "%s: node[0] is the latest, node[n-1] the basis", what);
	if (g->n > 0)
		ok(g->node[g->basis].nparent == 0 && g->node[g->basis].tree == -1 &&
		    g->node[g->basis].time == 0,
		    "%s: the basis has no parents, tree -1, time 0", what);
	is_int(lost, 0, "%s: revgraph_find finds each node's tuple at its index",
	    what);
}

/* Is id one of the first words of the lines? */
static int
is_candidate(char **const *lines, size_t nline, const char *id)
{
	size_t i;

	for (i = 0; i < nline; i++)
		if (strcmp(lines[i][0], id) == 0)
			return 1;
	return 0;
}

/*
 * One tree's graph against git: the nodes are rev-list FAIL ^PASS and the
 * passing revision; each node's parents are its commit's, in order, with
 * the passing revision for those outside (and for a root's).  Returns how
 * many nodes are merges.
 */
static size_t
check_git(const struct revgraph *g, const char *name, const char *pass,
    const char *fail, const char *what)
{
	struct strbuf out = STRBUF_INIT;
	size_t nline = 0, missing = 0, badpar = 0, merges = 0, gmerges = 0, i;
	char ***lines = NULL, *p, *save;

	if (run_out(&out, "git --git-dir='%s/lab/git/%s.git' rev-list --parents "
	    "%s ^%s", dir, name, fail, pass) != 0)
		goto out;
	/* lines[i]: the words of line i, NULL-terminated. */
	for (p = strtok_r(out.buf, "\n", &save); p != NULL;
	    p = strtok_r(NULL, "\n", &save)) {
		char *wsave, *w;
		size_t nw = 0;

		lines = xrealloc(lines, (nline + 1) * sizeof(*lines));
		lines[nline] = xcalloc(17, sizeof(char *));
		for (w = strtok_r(p, " ", &wsave); w != NULL && nw < 16;
		    w = strtok_r(NULL, " ", &wsave))
			lines[nline][nw++] = w;
		nline++;
	}
	for (i = 0; i < nline; i++) {
		const char *want[16];
		size_t nwant = 0, j, k;
		long v;

		if ((v = revgraph_find(g, &lines[i][0])) < 0) {
			missing++;
			continue;
		}
		for (j = 1; lines[i][j] != NULL; j++) {
			const char *q = is_candidate(lines, nline, lines[i][j]) ?
			    lines[i][j] : pass;

			for (k = 0; k < nwant && strcmp(want[k], q) != 0; k++)
				;
			if (k == nwant)
				want[nwant++] = q;
		}
		if (nwant == 0)
			want[nwant++] = pass;
		merges += nwant > 1;
		if (g->node[v].nparent != nwant) {
			badpar++;
			continue;
		}
		for (k = 0; k < nwant; k++)
			if (strcmp(g->node[g->node[v].parent[k]].rev[0], want[k]) != 0)
				badpar++;
	}
	for (i = 0; i < g->n; i++)
		gmerges += g->node[i].nparent > 1;
out:
	is_int(g->n, nline + 1, "%s: rev-list's %zu candidates and the basis",
	    what, nline);
	is_int(missing, 0, "%s: each candidate of rev-list is a node", what);
	is_int(badpar, 0, "%s: each node's parents are its commit's, in order, "
	    "the passing revision for those outside", what);
	is_int(gmerges, merges, "%s: merges and only they have two parents "
	    "(%zu)", what, merges);
	ok(g->n > 0 && strcmp(g->node[g->basis].rev[0], pass) == 0 &&
	    strcmp(g->node[g->latest].rev[0], fail) == 0,
	    "%s: the basis is the passing revision, the latest the failing", what);
	for (i = 0; i < nline; i++)
		free(lines[i]);
	free(lines);
	strbuf_release(&out);
	return merges;
}

/*
 * coalesce's rules, tree by tree (h[k], passing commit pass[k]): each
 * node's tree is the one whose commit is newest among those not at their
 * passing revision (the first of equals), the node's time is that
 * commit's, and each edge changes that tree only, to a parent of its
 * commit or to the passing revision.
 */
static void
check_edges(const struct revgraph *g, struct hist *const *h, const int *pass,
    const char *what)
{
	size_t i, j, k, badtree = 0, badedge = 0;

	for (i = 0; i < g->n; i++) {
		const struct revgraph_node *nd = &g->node[i];
		long long newest = -1;
		int want = -1;

		for (k = 0; k < g->ntree; k++) {
			int c = hist_find(h[k], nd->rev[k]);

			if (c != pass[k] && h[k]->time[c] > newest) {
				newest = h[k]->time[c];
				want = (int)k;
			}
		}
		if (nd->tree != want || (want >= 0 && nd->time != newest))
			badtree++;
		for (j = 0; j < nd->nparent; j++) {
			const struct revgraph_node *pn = &g->node[nd->parent[j]];
			size_t ndiff = 0;
			int c, pc;

			for (k = 0; k < g->ntree; k++)
				ndiff += strcmp(nd->rev[k], pn->rev[k]) != 0;
			if (ndiff != 1 || nd->tree < 0 ||
			    strcmp(nd->rev[nd->tree], pn->rev[nd->tree]) == 0) {
				badedge++;
				continue;
			}
			c = hist_find(h[nd->tree], nd->rev[nd->tree]);
			pc = hist_find(h[nd->tree], pn->rev[nd->tree]);
			if (pc != pass[nd->tree] && pc != h[nd->tree]->parent[c] &&
			    pc != h[nd->tree]->merge[c])
				badedge++;
		}
	}
	is_int(badtree, 0, "%s: each node's tree is the newest not at its pass, "
	    "the first of equals; its time that commit's", what);
	is_int(badedge, 0, "%s: each edge changes the node's tree only, to a "
	    "parent of its commit or to its passing revision", what);
}

/* 1000 commits in a line: the whole history, no limit, fast. */
static void
test_linear(void)
{
	struct hist h = HIST_INIT, h2 = HIST_INIT;
	struct revgraph g = REVGRAPH_INIT;
	struct revgraph_tree t = { "line", NULL, NULL }, t2[2];
	size_t i, bad = 0;
	double t0, ms;
	int k, rc;
	char *mid[1];

	for (k = 0; k < 1000; k++)
		hist_commit(&h, 1000000000LL + 60 * k, k, 0);
	if (hist_import(&h, "line") < 0) {
		ok(0, "linear: import");
		goto out;
	}
	t.pass = h.sha[1];
	t.fail = h.sha[1000];
	t0 = now_ms();
	rc = build(&t, 1, &g);
	ms = now_ms() - t0;
	printf("# built in %.1f ms (1000 commits)\n", ms);
	is_int(rc, 0, "linear: revgraph_build");
	if (rc < 0)
		goto out;
	ok(ms < 2000, "linear: 1000 commits build in well under 2 s (%.1f ms)", ms);
	is_int(g.n, 1000, "linear: 999 candidates and the basis");
	is(g.tree[0], "line", "linear: the tree's name");
	is(g.node[0].rev[0], h.sha[1000], "linear: node[0] is the failing commit");
	is(g.node[g.n - 1].rev[0], h.sha[1], "linear: the basis is the passing commit");
	for (i = 0; i + 1 < g.n; i++)
		if (g.node[i].nparent != 1 || g.node[i].parent[0] != i + 1 ||
		    strcmp(g.node[i].rev[0], h.sha[1000 - i]) != 0 ||
		    g.node[i].tree != 0 ||
		    g.node[i].time != 1000000000LL + 60 * (999 - (long long)i))
			bad++;
	is_int(bad, 0, "linear: each node has one parent, the next, with its "
	    "commit's time");
	mid[0] = h.sha[500];
	is_int(revgraph_find(&g, mid), 500, "linear: revgraph_find finds commit "
	    "500 at node 500");
	mid[0] = "0123456789abcdef0123456789abcdef01234567";
	is_int(revgraph_find(&g, mid), -1, "linear: an unknown tuple is -1");
	check_shape(&g, "linear");
	check_git(&g, "line", t.pass, t.fail, "linear");
	revgraph_release(&g);
	ok(g.n == 0 && g.node == NULL && g.tree == NULL && g.index == NULL,
	    "linear: revgraph_release empties the graph");
	mid[0] = h.sha[500];
	is_int(revgraph_find(&g, mid), -1, "linear: nothing found after release");

	/* Two such lines, dates interleaved: 1999 tuples. */
	for (k = 0; k < 1000; k++)
		hist_commit(&h2, 1000000030LL + 60 * k, k, 0);
	if (hist_import(&h2, "line2") < 0) {
		ok(0, "two lines: import");
		goto out;
	}
	t2[0] = t;
	t2[1].name = "line2";
	t2[1].pass = h2.sha[1];
	t2[1].fail = h2.sha[1000];
	t0 = now_ms();
	rc = build(t2, 2, &g);
	ms = now_ms() - t0;
	printf("# built in %.1f ms (two lines of 1000 commits, %zu nodes)\n", ms,
	    g.n);
	is_int(rc, 0, "two lines: revgraph_build");
	is_int(g.n, 1999, "two lines: 999 + 999 candidates and the basis");
	check_shape(&g, "two lines");
out:
	revgraph_release(&g);
	hist_release(&h);
	hist_release(&h2);
}

/*
 * Side branches forked and merged back, one forked before the passing
 * commit and merged after it, with dates older than that commit.
 */
static int
make_merges(struct hist *h, int *pass)
{
	int r0, s1a, s1b, m1, m2, mg1, s2a, s2b, s2c, m3, mg2, s3a, m4, mg3;
	int s4a, s4b;

	r0 = hist_commit(h, 1000, 0, 0);
	s1a = hist_commit(h, 1010, r0, 0);
	s1b = hist_commit(h, 1020, s1a, 0);
	m1 = hist_commit(h, 1030, r0, 0);	/* pass */
	m2 = hist_commit(h, 1040, m1, 0);
	mg1 = hist_commit(h, 1050, m2, s1b);
	s2a = hist_commit(h, 1060, m2, 0);
	m3 = hist_commit(h, 1065, mg1, 0);
	s2b = hist_commit(h, 1070, s2a, 0);
	s2c = hist_commit(h, 1080, s2b, 0);
	mg2 = hist_commit(h, 1090, m3, s2c);
	s4a = hist_commit(h, 1035, m1, 0);
	s3a = hist_commit(h, 1100, mg2, 0);
	m4 = hist_commit(h, 1105, mg2, 0);
	mg3 = hist_commit(h, 1110, m4, s3a);
	s4b = hist_commit(h, 1115, s4a, 0);
	*pass = m1;
	return hist_commit(h, 1120, mg3, s4b);
}

static void
test_merges(void)
{
	struct hist h = HIST_INIT;
	struct revgraph g = REVGRAPH_INIT;
	struct revgraph_tree t = { "merges", NULL, NULL };
	struct strbuf out = STRBUF_INIT;
	int pass, fail;

	fail = make_merges(&h, &pass);
	if (hist_import(&h, "merges") < 0) {
		ok(0, "merges: import");
		goto out;
	}
	t.pass = h.sha[pass];
	t.fail = h.sha[fail];
	is_int(build(&t, 1, &g), 0, "merges: revgraph_build");
	if (run_out(&out, "git --git-dir='%s/lab/git/merges.git' rev-list "
	    "--count %s ^%s", dir, t.fail, t.pass) == 0)
		is_int(g.n, atoi(out.buf) + 1, "merges: rev-list --count + 1 nodes");
	is_int(check_git(&g, "merges", t.pass, t.fail, "merges"), 4,
	    "merges: four merges");
	check_shape(&g, "merges");
out:
	strbuf_release(&out);
	revgraph_release(&g);
	hist_release(&h);
}

/* Two trees, dates interleaved: one path down through all ten tuples. */
static void
test_two_trees(void)
{
	struct hist a = HIST_INIT, b = HIST_INIT, c = HIST_INIT, l = HIST_INIT;
	struct hist m = HIST_INIT;
	struct hist *hs[2];
	struct revgraph g = REVGRAPH_INIT;
	struct revgraph_tree t[2] = { { "ta", NULL, NULL }, { "tb", NULL, NULL } };
	int pass[2], k, mpass, mfail;
	size_t i, bad = 0;

	for (k = 0; k <= 5; k++)
		hist_commit(&a, k == 0 ? 1 : 20 * k - 10, k, 0);
	for (k = 0; k <= 4; k++)
		hist_commit(&b, k == 0 ? 5 : 20 * k, k, 0);
	for (k = 0; k <= 2; k++)
		hist_commit(&c, k == 0 ? 1 : 20 * k - 10, k, 0);
	for (k = 0; k <= 6; k++)
		hist_commit(&l, 1001 + 20 * k, k, 0);
	mfail = make_merges(&m, &mpass);
	if (hist_import(&a, "ta") < 0 || hist_import(&b, "tb") < 0 ||
	    hist_import(&c, "tc") < 0 || hist_import(&l, "tl") < 0 ||
	    hist_import(&m, "tm") < 0) {
		ok(0, "two trees: import");
		goto out;
	}
	t[0].pass = a.sha[1];
	t[0].fail = a.sha[6];
	t[1].pass = b.sha[1];
	t[1].fail = b.sha[5];
	is_int(build(t, 2, &g), 0, "two trees: revgraph_build");
	is_int(g.n, 10, "two trees: 5 + 4 candidates and the basis");
	if (g.n != 10)
		goto out;
	is(g.node[0].rev[0], a.sha[6], "two trees: latest has A's failing commit");
	is(g.node[0].rev[1], b.sha[5], "two trees: latest has B's failing commit");
	is(g.node[9].rev[0], a.sha[1], "two trees: basis has A's passing commit");
	is(g.node[9].rev[1], b.sha[1], "two trees: basis has B's passing commit");
	/* Times 90, 80, ..., 10: A and B in turn. */
	for (i = 0; i < 9; i++)
		if (g.node[i].time != 90 - 10 * (long long)i ||
		    g.node[i].tree != (i % 2 == 0 ? 0 : 1) || g.node[i].nparent != 1)
			bad++;
	is_int(bad, 0, "two trees: one path, the newest commit first, A and B "
	    "in turn");
	hs[0] = &a;
	hs[1] = &b;
	pass[0] = pass[1] = 1;
	check_edges(&g, hs, pass, "two trees");
	check_shape(&g, "two trees");
	revgraph_release(&g);

	/* Equal times: the earlier tree goes first. */
	t[1].name = "tc";
	t[1].pass = c.sha[1];
	t[1].fail = c.sha[3];
	t[0].fail = a.sha[3];
	is_int(build(t, 2, &g), 0, "tie: revgraph_build");
	hs[1] = &c;
	check_edges(&g, hs, pass, "tie");
	if (g.n == 5)
		ok(g.node[0].tree == 0 && g.node[1].tree == 1 && g.node[2].tree == 0,
		    "tie: A first, at 30 as C; then C at 30; then A at 10 as C");
	else
		ok(0, "tie: 5 nodes (%zu)", g.n);
	revgraph_release(&g);

	/* A tree with merges beside a line: the rules hold everywhere. */
	t[0].name = "tm";
	t[0].pass = m.sha[mpass];
	t[0].fail = m.sha[mfail];
	t[1].name = "tl";
	t[1].pass = l.sha[1];
	t[1].fail = l.sha[7];
	is_int(build(t, 2, &g), 0, "merges and line: revgraph_build");
	hs[0] = &m;
	hs[1] = &l;
	pass[0] = mpass;
	check_edges(&g, hs, pass, "merges and line");
	check_shape(&g, "merges and line");
	printf("# merges and line: %zu nodes\n", g.n);
out:
	revgraph_release(&g);
	hist_release(&a);
	hist_release(&b);
	hist_release(&c);
	hist_release(&l);
	hist_release(&m);
}

/* A fixed tree; revisions that cannot be searched; reuse after release. */
static void
test_bad(void)
{
	struct hist a = HIST_INIT, f = HIST_INIT;
	struct revgraph g = REVGRAPH_INIT;
	struct revgraph_tree t[2] = { { "ea", NULL, NULL }, { "ef", NULL, NULL } };
	struct strbuf err = STRBUF_INIT, want = STRBUF_INIT, path = STRBUF_INIT;
	const char *nosuch = "0123456789abcdef0123456789abcdef01234567";
	size_t i, moved = 0;
	int k, rc;

	for (k = 0; k <= 5; k++)
		hist_commit(&a, 100 + k, k, 0);
	hist_commit(&f, 500, 0, 0);
	hist_commit(&f, 600, 1, 0);
	if (hist_import(&a, "ea") < 0 || hist_import(&f, "ef") < 0) {
		ok(0, "bad: import");
		goto out;
	}
	t[0].pass = a.sha[1];
	t[0].fail = a.sha[6];
	t[1].pass = t[1].fail = f.sha[2];
	is_int(build(t, 2, &g), 0, "fixed: revgraph_build with a tree whose "
	    "revisions are equal");
	is_int(g.n, 6, "fixed: the other tree's 5 candidates and the basis");
	for (i = 0; i < g.n; i++)
		if (strcmp(g.node[i].rev[1], f.sha[2]) != 0 || g.node[i].tree == 1)
			moved++;
	is_int(moved, 0, "fixed: the fixed tree has its revision in every tuple "
	    "and is never a node's tree");
	check_shape(&g, "fixed");
	revgraph_release(&g);

	/* Both fixed: one node, the latest and the basis. */
	t[0].fail = t[0].pass;
	is_int(build(t, 2, &g), 0, "all fixed: revgraph_build");
	ok(g.n == 1 && g.latest == 0 && g.basis == 0 && g.node[0].nparent == 0,
	    "all fixed: one node, latest and basis");
	revgraph_release(&g);

	/* fail an ancestor of pass. */
	t[0].pass = a.sha[5];
	t[0].fail = a.sha[2];
	rc = revgraph_build(&lab, t, 2, &g, &err);
	is_int(rc, TS_E_INPUT, "backwards: TS_E_INPUT");
	strbuf_addf(&want, "tree ea: the failing revision %s is an ancestor of "
	    "the passing revision %s", a.sha[2], a.sha[5]);
	is(err.buf, want.buf, "backwards: the message names tree and revisions");
	ok(g.n == 0 && g.node == NULL && g.tree == NULL && g.index == NULL,
	    "backwards: g is left empty");

	/* A revision the cache does not have. */
	t[0].pass = a.sha[1];
	t[0].fail = nosuch;
	is_int(revgraph_build(&lab, t, 2, &g, &err), TS_E_INPUT,
	    "missing: TS_E_INPUT");
	like(err.buf, "tree ea: revision 0123456789abcdef0123456789abcdef01234567",
	    "missing: the message names tree and revision");
	t[0].fail = "abc123";
	is_int(revgraph_build(&lab, t, 2, &g, &err), TS_E_INPUT,
	    "short id: TS_E_INPUT");
	like(err.buf, "not a full commit id", "short id: the message says so");
	/* An id of the other tree is not a commit of this one. */
	t[0].fail = f.sha[1];
	is_int(revgraph_build(&lab, t, 2, &g, &err), TS_E_INPUT,
	    "other tree's id: TS_E_INPUT");

	/* No cache at all: an error, and no empty cache made by reading. */
	t[0].name = "nosuch";
	t[0].fail = a.sha[6];
	is_int(revgraph_build(&lab, t, 2, &g, &err), TS_E_INPUT,
	    "no cache: TS_E_INPUT");
	like(err.buf, "tree nosuch: no cache", "no cache: the message says so");
	strbuf_addf(&path, "%s/lab/git/nosuch.git", dir);
	ok(access(path.buf, F_OK) < 0, "no cache: none was made");

	/* The same tree twice; no trees; a name that is not a tree's. */
	t[0].name = "ef";
	is_int(revgraph_build(&lab, t, 2, &g, &err), TS_E_INPUT,
	    "twice: TS_E_INPUT");
	like(err.buf, "tree ef: given twice", "twice: the message says so");
	is_int(revgraph_build(&lab, t, 0, &g, &err), TS_E_INPUT,
	    "no trees: TS_E_INPUT");
	t[0].name = "../ea";
	is_int(revgraph_build(&lab, t, 2, &g, &err), TS_E_INPUT,
	    "bad name: TS_E_INPUT");
	ok(g.n == 0 && g.node == NULL, "after the failures g is still empty");

	/* The struct works again after all that. */
	t[0].name = "ea";
	is_int(build(t, 2, &g), 0, "again: revgraph_build after failures");
	is_int(g.n, 6, "again: the same graph");
out:
	revgraph_release(&g);
	strbuf_release(&err);
	strbuf_release(&want);
	strbuf_release(&path);
	hist_release(&a);
	hist_release(&f);
}

/*
 * A passing revision on another branch (git bisect allows it), a root
 * commit of an unrelated history merged in, and a merge of the same two
 * commits as the passing merge: the candidates are still rev-list FAIL
 * ^PASS, the root's parent is the passing revision, and so is the one
 * parent of the twin merge, whose two parents both passed.
 */
static void
test_not_ancestor(void)
{
	struct hist h = HIST_INIT;
	struct revgraph g = REVGRAPH_INIT;
	struct revgraph_tree t = { "side", NULL, NULL };
	int r0, b0, c0, b1, a1, a2, o1, a3;
	char *tup[1];
	long v;

	r0 = hist_commit(&h, 100, 0, 0);
	b0 = hist_commit(&h, 110, r0, 0);
	c0 = hist_commit(&h, 112, r0, 0);
	b1 = hist_commit(&h, 120, b0, c0);
	a1 = hist_commit(&h, 115, b0, c0);
	a2 = hist_commit(&h, 130, a1, b0);
	o1 = hist_commit(&h, 125, 0, 0);
	a3 = hist_commit(&h, 140, a2, o1);
	if (hist_import(&h, "side") < 0) {
		ok(0, "not an ancestor: import");
		goto out;
	}
	t.pass = h.sha[b1];
	t.fail = h.sha[a3];
	is_int(build(&t, 1, &g), 0, "not an ancestor: revgraph_build");
	is_int(g.n, 5, "not an ancestor: a3, a2, a1, o1 and the basis");
	is_int(check_git(&g, "side", t.pass, t.fail, "not an ancestor"), 2,
	    "not an ancestor: two merges");
	check_shape(&g, "not an ancestor");
	tup[0] = h.sha[o1];
	v = revgraph_find(&g, tup);
	ok(v >= 0 && g.node[v].nparent == 1 && g.node[v].parent[0] == g.basis,
	    "not an ancestor: the root commit's parent is the basis");
	tup[0] = h.sha[a1];
	v = revgraph_find(&g, tup);
	ok(v >= 0 && g.node[v].nparent == 1 && g.node[v].parent[0] == g.basis,
	    "not an ancestor: the twin merge has one parent, the basis");
	tup[0] = h.sha[b0];
	is_int(revgraph_find(&g, tup), -1, "not an ancestor: b0, reachable from "
	    "the pass, is not a node");
out:
	revgraph_release(&g);
	hist_release(&h);
}

int
main(void)
{
	struct strbuf p = STRBUF_INIT, err = STRBUF_INIT;
	int rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (system("git --version >/dev/null 2>&1") != 0) {
		printf("1..0 # SKIP git is not installed\n");
		return 0;
	}
	if (mkdtemp(dir) == NULL) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	strbuf_addf(&p, "%s/lab", dir);
	if ((rc = lab_init(p.buf, NULL, &err)) < 0 ||
	    (rc = lab_open(&lab, p.buf, &err)) < 0) {
		printf("Bail out! lab: %s\n", err.buf);
		return 1;
	}
	test_linear();
	test_merges();
	test_two_trees();
	test_bad();
	test_not_ancestor();
	lab_close(&lab);
	run("rm -rf '%s'", dir);
	strbuf_release(&p);
	strbuf_release(&err);
	return done_testing();
}
