/*
 * revgraph: the graph of revision tuples a bisection searches.
 *
 * A bisection knows, for each tree tested together (xen, qemu, linux), a
 * revision where the test passed and one where it failed.  Per tree, the
 * commits that may hold the culprit are those git bisect would look at:
 * reachable from the failing revision and not from the passing one
 * (merges and side branches included, with no length limit), read with
 * libgit2 from the lab's cache of the tree.  A commit whose parent is
 * outside that set has, for the search, the passing revision as that
 * parent: everything reachable from it passed.  So does a candidate with
 * no parent at all (a root commit merged in from an unrelated history),
 * so that the passing revision stays the one bottom of the tree's graph.
 *
 * The trees' histories are combined as OSSTEST's adhoc-revtuple-generator
 * does: a node is a tuple (one commit per tree); from the failing tuple
 * down, each node takes the tree whose commit is newest (by committer
 * time; among trees not yet at their passing revision) and has one parent
 * tuple per parent of that commit, the other trees unchanged.  Every edge
 * therefore changes one tree by one commit, and the graph has one root,
 * the tuple of passing revisions (the basis), and one top, the tuple of
 * failing revisions (the latest).  A tree whose two revisions are equal
 * stays fixed in every tuple.
 */
#ifndef TLAB_REVGRAPH_H
#define TLAB_REVGRAPH_H

#include <stddef.h>
#include <stdint.h>

#include "lab.h"
#include "strbuf.h"

struct revgraph_index;

/* One tree of a bisection: its passing and failing revisions (full ids). */
struct revgraph_tree {
	const char *name;	/* a [tree NAME] whose cache LAB/git/NAME.git has both */
	const char *pass;
	const char *fail;
};

struct revgraph_node {
	char **rev;		/* one full commit id per tree, in the trees' order */
	size_t *parent;		/* indices of the parent tuples */
	size_t nparent;
	int tree;		/* the tree the edges to the parents change; -1 at the basis */
	int64_t time;		/* that tree's commit's committer time (0 at the basis) */
};

struct revgraph {
	size_t ntree;
	char **tree;		/* the trees' names, in the order given */
	size_t n;
	struct revgraph_node *node;
	size_t basis;		/* the tuple of passing revisions: the one root */
	size_t latest;		/* the tuple of failing revisions */
	struct revgraph_index *index;	/* revgraph.c's hash of the tuples */
};

#define REVGRAPH_INIT { 0, NULL, 0, NULL, 0, 0, NULL }

/*
 * Build the graph of the given trees from their caches (nothing is
 * fetched) into g, which is overwritten (release a built one first).
 * Nodes are in an order where every parent comes after its child:
 * node[0] is the latest, node[n - 1] the basis.  Revisions are full
 * commit ids, and the tuples hold them in lower case.  TS_E_INPUT naming
 * the tree and revision when a revision is not in the cache (or the tree
 * has no cache, or is named twice); TS_E_LAB when the cache cannot be
 * read.  On failure g is left empty, as REVGRAPH_INIT.
 *
 * A passing revision that is not an ancestor of the failing one is
 * allowed (git bisect allows it): the candidates are still those
 * reachable from the failing one and not from the passing one.  When the
 * two are equal the tree stays fixed; when the failing revision is an
 * ancestor of the passing one (and not equal), there is nothing to
 * search in that tree: TS_E_INPUT "tree T: the failing revision X is an
 * ancestor of the passing revision Y".
 */
int revgraph_build(struct lab *lab, const struct revgraph_tree *trees,
    size_t ntree, struct revgraph *g, struct strbuf *err);

/* The index of the node whose tuple is rev[0..ntree-1]; -1 when none. */
long revgraph_find(const struct revgraph *g, char *const *rev);

void revgraph_release(struct revgraph *g);

#endif
