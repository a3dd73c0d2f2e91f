/*
 * revgraph: the graph of revision tuples a bisection searches, read from
 * the trees' caches with libgit2 and combined as OSSTEST's coalesce does.
 * Each tree's candidates are numbered with the passing revision last;
 * the tuples are found again through a hash of their commit ids, so a
 * history of thousands of commits costs no more than reading it.  See
 * revgraph.h.
 */
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "err.h"
#include "revgraph.h"
#include "tree.h"
#include "xalloc.h"
#include "banned.h"

/* A commit of one tree's graph: a candidate, or the passing revision. */
struct rgcommit {
	git_oid oid;
	char sha[GIT_OID_HEXSZ + 1];
	int64_t time;		/* committer time; 0 for the passing revision */
	size_t par, npar;	/* its parents: rgtree.par[par .. par + npar) */
};

/* One tree's graph: the candidates, then the passing revision, last. */
struct rgtree {
	struct rgcommit *c;
	size_t n, alloc;
	size_t pass, fail;	/* indices into c */
	size_t *par;
	size_t npar, apar;
};

/* Open addressing; a slot holds a node index plus one, 0 when empty. */
struct revgraph_index {
	size_t *slot;
	size_t mask;
};

/* What the combining keeps besides the graph itself. */
struct combine {
	struct rgtree *t;
	size_t *tup;		/* node i's commit indices: tup[i * ntree ..] */
	size_t atup, anode;
	char **sha;		/* a tuple's ids, to look it up */
};

/* --- one tree ------------------------------------------------------------- */

static uint64_t
oid_hash(const git_oid *oid)
{
	uint64_t h;

	/* An object id is already a good hash. */
	memcpy(&h, oid->id, sizeof(h));
	return h;
}

/* The slot of oid in a table of candidates (mask + 1 slots). */
static size_t *
oid_slot(const struct rgtree *rt, size_t *slot, size_t mask, const git_oid *oid)
{
	size_t i, v;

	for (i = oid_hash(oid) & mask; (v = slot[i]) != 0; i = (i + 1) & mask)
		if (git_oid_equal(&rt->c[v - 1].oid, oid))
			break;
	return &slot[i];
}

static struct rgcommit *
tree_add(struct rgtree *rt, const git_oid *oid)
{
	struct rgcommit *c;

	ALLOC_GROW(rt->c, rt->n + 1, rt->alloc);
	c = &rt->c[rt->n++];
	memset(c, 0, sizeof(*c));
	git_oid_cpy(&c->oid, oid);
	git_oid_tostr(c->sha, sizeof(c->sha), oid);
	return c;
}

/* Parent index p of commit i, unless it has it already (merges of one). */
static void
tree_add_parent(struct rgtree *rt, size_t i, size_t p)
{
	struct rgcommit *c = &rt->c[i];
	size_t k;

	for (k = 0; k < c->npar; k++)
		if (rt->par[c->par + k] == p)
			return;
	ALLOC_GROW(rt->par, rt->npar + 1, rt->apar);
	rt->par[rt->npar++] = p;
	c->npar++;
}

/* rev, a full commit id, as a commit of the cache. */
static int
tree_commit(git_repository *repo, const struct revgraph_tree *tr,
    const char *rev, git_oid *oid, struct strbuf *err)
{
	git_commit *c = NULL;
	int r;

	if (strlen(rev) != GIT_OID_HEXSZ || git_oid_fromstr(oid, rev) < 0)
		return err_setf(err, TS_E_INPUT, "tree %s: revision '%s': not a "
		    "full commit id", tr->name, rev);
	if ((r = git_commit_lookup(&c, repo, oid)) == GIT_ENOTFOUND)
		return err_setf(err, TS_E_INPUT, "tree %s: revision %s: no such "
		    "commit in the cache", tr->name, rev);
	if (r < 0)
		return tree_git_fail(err, TS_E_LAB, "tree %s: revision %s",
		    tr->name, rev);
	git_commit_free(c);
	return 0;
}

/* The candidates: what git rev-list FAIL ^PASS lists. */
static int
tree_walk(git_repository *repo, const struct revgraph_tree *tr,
    const git_oid *pass, const git_oid *fail, struct rgtree *rt,
    struct strbuf *err)
{
	git_revwalk *walk = NULL;
	git_oid oid;
	int r, rc = 0;

	if (git_revwalk_new(&walk, repo) < 0 ||
	    git_revwalk_push(walk, fail) < 0 || git_revwalk_hide(walk, pass) < 0) {
		rc = tree_git_fail(err, TS_E_LAB, "tree %s: walk %s..%s", tr->name,
		    tr->pass, tr->fail);
		goto out;
	}
	while ((r = git_revwalk_next(&oid, walk)) == 0)
		tree_add(rt, &oid);
	if (r != GIT_ITEROVER)
		rc = tree_git_fail(err, TS_E_LAB, "tree %s: walk %s..%s", tr->name,
		    tr->pass, tr->fail);
out:
	git_revwalk_free(walk);
	return rc;
}

/*
 * Each candidate's time and parents; a parent that is not a candidate
 * passed (it is reachable from the passing revision), and so, for the
 * search, does the missing parent of a root commit.
 */
static int
tree_link(git_repository *repo, const struct revgraph_tree *tr,
    const git_oid *fail, struct rgtree *rt, struct strbuf *err)
{
	size_t nslot = 16, *slot, i, k, v;
	int rc = 0;

	while (nslot < 2 * rt->n)
		nslot *= 2;
	slot = xcalloc(nslot, sizeof(*slot));
	for (i = 0; i < rt->n; i++)
		*oid_slot(rt, slot, nslot - 1, &rt->c[i].oid) = i + 1;
	rt->fail = *oid_slot(rt, slot, nslot - 1, fail) - 1;
	for (i = 0; i < rt->n && rc == 0; i++) {
		git_commit *c = NULL;
		unsigned int np;

		if (git_commit_lookup(&c, repo, &rt->c[i].oid) < 0) {
			rc = tree_git_fail(err, TS_E_LAB, "tree %s: commit %s",
			    tr->name, rt->c[i].sha);
			break;
		}
		rt->c[i].time = (int64_t)git_commit_time(c);
		rt->c[i].par = rt->npar;
		np = git_commit_parentcount(c);
		for (k = 0; k < np; k++) {
			v = *oid_slot(rt, slot, nslot - 1, git_commit_parent_id(c,
			    (unsigned int)k));
			tree_add_parent(rt, i, v != 0 ? v - 1 : rt->pass);
		}
		if (np == 0)
			tree_add_parent(rt, i, rt->pass);
		git_commit_free(c);
	}
	free(slot);
	return rc;
}

static int
tree_read(struct lab *lab, const struct revgraph_tree *tr, struct rgtree *rt,
    struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	git_repository *repo = NULL;
	git_oid pass, fail;
	int rc;

	memset(rt, 0, sizeof(*rt));
	if ((rc = tree_check_name(tr->name, err)) < 0)
		return rc;
	/* Not tree_cache_open: reading must not make an empty cache. */
	tree_cache_path(lab, tr->name, &path);
	if (git_repository_open_bare(&repo, path.buf) < 0) {
		rc = err_setf(err, TS_E_INPUT, "tree %s: no cache %s (never "
		    "fetched)", tr->name, path.buf);
		goto out;
	}
	if ((rc = tree_commit(repo, tr, tr->pass, &pass, err)) < 0 ||
	    (rc = tree_commit(repo, tr, tr->fail, &fail, err)) < 0)
		goto out;
	/* A fixed tree: its graph is the one revision. */
	if (git_oid_equal(&pass, &fail)) {
		tree_add(rt, &pass);
		goto out;
	}
	if ((rc = tree_walk(repo, tr, &pass, &fail, rt, err)) < 0)
		goto out;
	/* Nothing reachable from fail but not from pass. */
	if (rt->n == 0) {
		rc = err_setf(err, TS_E_INPUT, "tree %s: the failing revision %s "
		    "is an ancestor of the passing revision %s", tr->name, tr->fail,
		    tr->pass);
		goto out;
	}
	rt->pass = rt->n;
	/* Its time is never looked at: a tree at its pass is never chosen. */
	if ((rc = tree_link(repo, tr, &fail, rt, err)) == 0)
		tree_add(rt, &pass);
out:
	git_repository_free(repo);
	strbuf_release(&path);
	return rc;
}

static void
tree_free(struct rgtree *rt)
{
	free(rt->c);
	free(rt->par);
}

/* --- the tuples ---------------------------------------------------------- */

static uint64_t
tuple_hash(char *const *rev, size_t ntree)
{
	uint64_t h = 14695981039346656037ULL;
	size_t k, j;

	/* FNV-1a over 64 bits of each id: ids are random enough. */
	for (k = 0; k < ntree; k++)
		for (j = 0; j < 16 && rev[k][j] != '\0'; j++)
			h = (h ^ (unsigned char)rev[k][j]) * 1099511628211ULL;
	return h;
}

/* The slot of tuple rev: the node's, or the empty one it would take. */
static size_t *
index_slot(const struct revgraph *g, char *const *rev)
{
	const struct revgraph_index *ix = g->index;
	size_t i, k, v;

	for (i = tuple_hash(rev, g->ntree) & ix->mask; (v = ix->slot[i]) != 0;
	    i = (i + 1) & ix->mask) {
		for (k = 0; k < g->ntree; k++)
			if (strcmp(g->node[v - 1].rev[k], rev[k]) != 0)
				break;
		if (k == g->ntree)
			break;
	}
	return &ix->slot[i];
}

static void
index_resize(struct revgraph *g, size_t nslot)
{
	size_t i;

	free(g->index->slot);
	g->index->slot = xcalloc(nslot, sizeof(*g->index->slot));
	g->index->mask = nslot - 1;
	for (i = 0; i < g->n; i++)
		*index_slot(g, g->node[i].rev) = i + 1;
}

/* The node of tuple tup (commit indices), added when new. */
static size_t
node_get(struct revgraph *g, struct combine *cb, const size_t *tup)
{
	size_t k, *slot, ntree = g->ntree;
	struct revgraph_node *node;
	char *s;

	for (k = 0; k < ntree; k++)
		cb->sha[k] = cb->t[k].c[tup[k]].sha;
	slot = index_slot(g, cb->sha);
	if (*slot != 0)
		return *slot - 1;
	ALLOC_GROW(g->node, g->n + 1, cb->anode);
	ALLOC_GROW(cb->tup, (g->n + 1) * ntree, cb->atup);
	memcpy(cb->tup + g->n * ntree, tup, ntree * sizeof(*tup));
	node = &g->node[g->n];
	memset(node, 0, sizeof(*node));
	/* The ids live in the block of their pointers: one free. */
	node->rev = xmalloc(ntree * (sizeof(char *) + GIT_OID_HEXSZ + 1));
	s = (char *)(node->rev + ntree);
	for (k = 0; k < ntree; k++, s += GIT_OID_HEXSZ + 1) {
		memcpy(s, cb->sha[k], GIT_OID_HEXSZ + 1);
		node->rev[k] = s;
	}
	*slot = ++g->n;
	if (2 * g->n > g->index->mask + 1)
		index_resize(g, 2 * (g->index->mask + 1));
	return g->n - 1;
}

/* Node i's parents: one per parent of its tree's newest commit. */
static void
node_expand(struct revgraph *g, struct combine *cb, size_t i, size_t *scratch)
{
	const struct rgcommit *c, *best = NULL;
	size_t k, j, p;
	int tree = -1;

	for (k = 0; k < g->ntree; k++) {
		const struct rgtree *rt = &cb->t[k];

		if (cb->tup[i * g->ntree + k] == rt->pass)
			continue;
		c = &rt->c[cb->tup[i * g->ntree + k]];
		if (best == NULL || c->time > best->time) {
			best = c;
			tree = (int)k;
		}
	}
	g->node[i].tree = tree;
	if (best == NULL)
		return;
	g->node[i].time = best->time;
	g->node[i].nparent = best->npar;
	g->node[i].parent = xmalloc(best->npar * sizeof(size_t));
	for (j = 0; j < best->npar; j++) {
		/* node_get moves g->node and cb->tup: copy before, store after. */
		memcpy(scratch, cb->tup + i * g->ntree, g->ntree * sizeof(*scratch));
		scratch[tree] = cb->t[tree].par[best->par + j];
		p = node_get(g, cb, scratch);
		g->node[i].parent[j] = p;
	}
}

/*
 * Renumber the nodes children first (Kahn's algorithm from the latest,
 * the only node that is nobody's parent): the basis, which every node
 * reaches, comes out last.
 */
static void
graph_sort(struct revgraph *g)
{
	size_t n = g->n, *indeg, *order, *to, head = 0, tail = 0, i, j, *p;
	struct revgraph_node *node;

	indeg = xcalloc(n, sizeof(*indeg));
	order = xmalloc(n * sizeof(*order));
	to = xmalloc(n * sizeof(*to));
	for (i = 0; i < n; i++)
		for (j = 0; j < g->node[i].nparent; j++)
			indeg[g->node[i].parent[j]]++;
	for (i = 0; i < n; i++)
		if (indeg[i] == 0)
			order[tail++] = i;
	while (head < tail)
		for (i = order[head++], j = 0; j < g->node[i].nparent; j++)
			if (--indeg[g->node[i].parent[j]] == 0)
				order[tail++] = g->node[i].parent[j];
	node = xmalloc(n * sizeof(*node));
	for (i = 0; i < n; i++)
		to[order[i]] = i;
	for (i = 0; i < n; i++) {
		node[i] = g->node[order[i]];
		for (j = 0; j < node[i].nparent; j++)
			node[i].parent[j] = to[node[i].parent[j]];
	}
	for (p = g->index->slot; p <= g->index->slot + g->index->mask; p++)
		if (*p != 0)
			*p = to[*p - 1] + 1;
	g->latest = to[g->latest];
	g->basis = to[g->basis];
	free(g->node);
	g->node = node;
	free(indeg);
	free(order);
	free(to);
}

static void
graph_combine(struct revgraph *g, struct rgtree *t)
{
	struct combine cb = { t, NULL, 0, 0, NULL };
	size_t *scratch, i, k;

	cb.sha = xmalloc(g->ntree * sizeof(*cb.sha));
	scratch = xmalloc(g->ntree * sizeof(*scratch));
	g->index = xcalloc(1, sizeof(*g->index));
	index_resize(g, 64);
	for (k = 0; k < g->ntree; k++)
		scratch[k] = t[k].fail;
	g->latest = node_get(g, &cb, scratch);
	/* The node array is the work list: each node is expanded once. */
	for (i = 0; i < g->n; i++) {
		node_expand(g, &cb, i, scratch);
		if (g->node[i].tree < 0)
			g->basis = i;
	}
	graph_sort(g);
	free(scratch);
	free(cb.sha);
	free(cb.tup);
}

/* --- the interface ------------------------------------------------------- */

int
revgraph_build(struct lab *lab, const struct revgraph_tree *trees,
    size_t ntree, struct revgraph *g, struct strbuf *err)
{
	struct revgraph empty = REVGRAPH_INIT;
	struct rgtree *t;
	size_t i, j;
	int rc = 0;

	*g = empty;
	if (ntree == 0)
		return err_setf(err, TS_E_INPUT, "revision graph: no trees");
	for (i = 0; i < ntree; i++)
		for (j = 0; j < i; j++)
			if (strcmp(trees[i].name, trees[j].name) == 0)
				return err_setf(err, TS_E_INPUT, "tree %s: given twice",
				    trees[i].name);
	if (git_libgit2_init() < 0)
		return tree_git_fail(err, TS_E_LAB, "libgit2");
	t = xcalloc(ntree, sizeof(*t));
	for (i = 0; i < ntree && rc == 0; i++)
		rc = tree_read(lab, &trees[i], &t[i], err);
	if (rc == 0) {
		g->ntree = ntree;
		g->tree = xmalloc(ntree * sizeof(*g->tree));
		for (i = 0; i < ntree; i++)
			g->tree[i] = xstrdup(trees[i].name);
		graph_combine(g, t);
	}
	for (i = 0; i < ntree; i++)
		tree_free(&t[i]);
	free(t);
	git_libgit2_shutdown();
	return rc;
}

long
revgraph_find(const struct revgraph *g, char *const *rev)
{
	size_t v;

	if (g->index == NULL)
		return -1;
	v = *index_slot(g, rev);
	return v != 0 ? (long)v - 1 : -1;
}

void
revgraph_release(struct revgraph *g)
{
	struct revgraph empty = REVGRAPH_INIT;
	size_t i;

	for (i = 0; i < g->n; i++) {
		free(g->node[i].rev);
		free(g->node[i].parent);
	}
	free(g->node);
	for (i = 0; i < g->ntree; i++)
		free(g->tree[i]);
	free(g->tree);
	if (g->index != NULL)
		free(g->index->slot);
	free(g->index);
	*g = empty;
}
