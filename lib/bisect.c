/*
 * bisect: what to test next in a bisection, or its verdict.  See bisect.h
 * for the rules.
 *
 * Each call starts from nothing: it tallies the observations, computes
 * every tuple's ancestors-or-self as a bitset (n bits per tuple: 125 KB
 * for 1000 tuples, 3 MB for 5000), derives the candidates, and then walks
 * the steps in the order OSSTEST takes them (endpoints, basis
 * reproduction, searching, culprit reproduction), the first step not
 * complete giving the test.  Keeping no state between calls is what lets
 * the caller rebuild the decision from its database alone.
 */
#include <stdlib.h>
#include <string.h>

#include "bisect.h"
#include "err.h"
#include "xalloc.h"
#include "banned.h"

/* What one call works from; everything is freed before returning. */
struct bctx {
	const struct revgraph *g;
	size_t n, w;			/* tuples; 64-bit words per bitset */
	const struct bisect_opts *o;
	unsigned k;			/* results a conflict needs: 2R + 1 */
	struct bisect_obs *obs;		/* by flight, then as given */
	size_t nobs;
	unsigned *np, *nf, *ns;		/* per tuple: passes, fails, skips */
	unsigned char *conflicted;	/* seen both passing and failing */
	unsigned char *disputed;	/* in an inconsistency: needs k results */
	unsigned char *dropped;		/* a fail left out of the search */
	uint64_t *anc;			/* n bitsets: ancestors-or-self */
	uint64_t *good;			/* ancestors-or-self of a pass */
	uint64_t *cand;
};

static uint64_t *
anc_of(const struct bctx *c, size_t i)
{
	return c->anc + i * c->w;
}

static int
bit(const uint64_t *set, size_t i)
{
	return (set[i / 64] >> (i % 64)) & 1;
}

static void
set_bit(uint64_t *set, size_t i)
{
	set[i / 64] |= (uint64_t)1 << (i % 64);
}

static size_t
popcount_and(const uint64_t *a, const uint64_t *b, size_t w)
{
	size_t i, r = 0;

	for (i = 0; i < w; i++)
		r += (size_t)__builtin_popcountll(a[i] & b[i]);
	return r;
}

static int
cmp_obs(const void *a, const void *b)
{
	const struct bisect_obs *x = a, *y = b;

	/* Same flight: keep the caller's order, which the node breaks. */
	if (x->flight != y->flight)
		return x->flight < y->flight ? -1 : 1;
	if (x->node != y->node)
		return x->node < y->node ? -1 : 1;
	return (int)x->result - (int)y->result;
}

/*
 * The value of a tuple under scrutiny (conflicted or disputed) from its
 * passes and fails: pending until it has k of them, then the majority if
 * the larger side is at least twice the smaller; pending again up to
 * 2k - 1 results, unsure after that.
 */
static enum bisect_value
settle(unsigned np, unsigned nf, unsigned k)
{
	unsigned hi = np > nf ? np : nf, lo = np > nf ? nf : np;

	if (np + nf < k)
		return BISECT_V_PENDING;
	if (hi > lo && hi >= 2 * lo)
		return np > nf ? BISECT_V_PASS : BISECT_V_FAIL;
	if (np + nf < 2 * k - 1)
		return BISECT_V_PENDING;
	return BISECT_V_UNSURE;
}

static enum bisect_value
plain_value(const struct bctx *c, size_t i)
{
	if (c->np[i] && c->nf[i])
		return settle(c->np[i], c->nf[i], c->k);
	if (c->disputed[i])
		return settle(c->np[i], c->nf[i], c->k);
	if (c->np[i])
		return BISECT_V_PASS;
	if (c->nf[i])
		return BISECT_V_FAIL;
	return c->ns[i] ? BISECT_V_SKIP : BISECT_V_NONE;
}

static int
validate(const struct revgraph *g, const struct bisect_obs *obs, size_t nobs,
    struct strbuf *err)
{
	size_t i, j;

	if (g->n < 2 || g->basis >= g->n || g->latest >= g->n ||
	    g->basis == g->latest)
		return err_setf(err, TS_E_INPUT,
		    "bisect: the graph needs a basis and a latest tuple apart");
	for (i = 0; i < g->n; i++)
		for (j = 0; j < g->node[i].nparent; j++)
			if (g->node[i].parent[j] <= i ||
			    g->node[i].parent[j] >= g->n)
				return err_setf(err, TS_E_INPUT,
				    "bisect: tuple %zu: parent %zu is not after it",
				    i, g->node[i].parent[j]);
	for (i = 0; i < nobs; i++) {
		if (obs[i].node >= g->n)
			return err_setf(err, TS_E_INPUT,
			    "bisect: flight %lld: no tuple %zu",
			    (long long)obs[i].flight, obs[i].node);
		if (obs[i].result != BISECT_PASS && obs[i].result != BISECT_FAIL &&
		    obs[i].result != BISECT_SKIP)
			return err_setf(err, TS_E_INPUT,
			    "bisect: flight %lld: bad result %d",
			    (long long)obs[i].flight, (int)obs[i].result);
	}
	return 0;
}

static void
ctx_init(struct bctx *c, const struct revgraph *g, const struct bisect_obs *obs,
    size_t nobs, const struct bisect_opts *o)
{
	size_t i, j;

	memset(c, 0, sizeof(*c));
	c->g = g;
	c->n = g->n;
	c->w = (g->n + 63) / 64;
	c->o = o;
	c->k = 2 * (unsigned)(o->conflict_repeats > 0 ? o->conflict_repeats : 0) + 1;
	c->nobs = nobs;
	c->obs = xcalloc(nobs ? nobs : 1, sizeof(*c->obs));
	if (nobs)
		memcpy(c->obs, obs, nobs * sizeof(*obs));
	qsort(c->obs, nobs, sizeof(*c->obs), cmp_obs);
	c->np = xcalloc(c->n, sizeof(*c->np));
	c->nf = xcalloc(c->n, sizeof(*c->nf));
	c->ns = xcalloc(c->n, sizeof(*c->ns));
	c->conflicted = xcalloc(c->n, 1);
	c->disputed = xcalloc(c->n, 1);
	c->dropped = xcalloc(c->n, 1);
	for (i = 0; i < nobs; i++) {
		size_t v = obs[i].node;

		if (obs[i].result == BISECT_PASS)
			c->np[v]++;
		else if (obs[i].result == BISECT_FAIL)
			c->nf[v]++;
		else
			c->ns[v]++;
	}
	for (i = 0; i < c->n; i++)
		c->conflicted[i] = c->np[i] && c->nf[i];

	/* Parents come after their child: fill from the basis end up. */
	c->anc = xcalloc(c->n * c->w, sizeof(*c->anc));
	for (i = c->n; i-- > 0;) {
		uint64_t *a = anc_of(c, i);
		const struct revgraph_node *nd = &g->node[i];

		set_bit(a, i);
		for (j = 0; j < nd->nparent; j++) {
			const uint64_t *p = anc_of(c, nd->parent[j]);
			size_t x;

			for (x = 0; x < c->w; x++)
				a[x] |= p[x];
		}
	}
	c->good = xcalloc(c->w, sizeof(*c->good));
	c->cand = xcalloc(c->w, sizeof(*c->cand));
}

static void
ctx_release(struct bctx *c)
{
	free(c->obs);
	free(c->np);
	free(c->nf);
	free(c->ns);
	free(c->conflicted);
	free(c->disputed);
	free(c->dropped);
	free(c->anc);
	free(c->good);
	free(c->cand);
}

/*
 * How many elements of (pass@pnode, fail@fnode) x reps are seen in
 * strictly increasing flight order.  The earliest match is always the
 * best one, so a single pass over the sorted observations finds the
 * longest prefix.  *skipped: the first missing one was tried, after the
 * last match, and skipped; asking again would loop.
 */
static int
seq_matched(const struct bctx *c, size_t pnode, size_t fnode, int reps,
    int *skipped)
{
	int j = 0, total = 2 * (reps > 0 ? reps : 0), have_last = 0;
	int64_t last = 0;
	size_t i, want;

	for (i = 0; i < c->nobs && j < total; i++) {
		const struct bisect_obs *ob = &c->obs[i];
		int even = j % 2 == 0;

		if (have_last && ob->flight <= last)
			continue;
		if (ob->node == (even ? pnode : fnode) &&
		    ob->result == (even ? BISECT_PASS : BISECT_FAIL)) {
			j++;
			last = ob->flight;
			have_last = 1;
		}
	}
	*skipped = 0;
	if (j == total)
		return j;
	want = j % 2 == 0 ? pnode : fnode;
	for (i = 0; i < c->nobs; i++)
		if (c->obs[i].node == want && c->obs[i].result == BISECT_SKIP &&
		    (!have_last || c->obs[i].flight > last))
			*skipped = 1;
	return j;
}

/*
 * Mark the inconsistencies: a fail that is an ancestor-or-self of a pass
 * disputes itself and the nearest such passes.  Returns how many fails
 * are in an inconsistency.
 */
static size_t
find_disputes(struct bctx *c, const enum bisect_value *val)
{
	size_t f, i, j, npass = 0, nbad = 0, *pass;

	/* Passes are few (one per test at most): work on their list. */
	pass = xcalloc(c->n, sizeof(*pass));
	for (i = 0; i < c->n; i++)
		if (val[i] == BISECT_V_PASS)
			pass[npass++] = i;
	for (f = 0; f < c->n; f++) {
		/* The basis is good by definition; its failing is not this. */
		if (val[f] != BISECT_V_FAIL || !bit(c->good, f) ||
		    f == c->g->basis)
			continue;
		nbad++;
		c->disputed[f] = 1;
		for (i = 0; i < npass; i++) {
			const uint64_t *ap = anc_of(c, pass[i]);
			int nearest = 1;

			if (!bit(ap, f))
				continue;
			/* A pass between f and this one makes it redundant. */
			for (j = 0; j < npass && nearest; j++)
				if (j != i && bit(ap, pass[j]) &&
				    bit(anc_of(c, pass[j]), f))
					nearest = 0;
			if (nearest)
				c->disputed[pass[i]] = 1;
		}
	}
	free(pass);
	return nbad;
}

/* The pending tuple with the fewest results (then the lowest index). */
static size_t
pick_pending(const struct bctx *c, const enum bisect_value *val,
    unsigned *need)
{
	size_t i, best = BISECT_NONE;

	*need = 0;
	for (i = 0; i < c->n; i++) {
		if (val[i] != BISECT_V_PENDING)
			continue;
		*need += c->k > c->np[i] + c->nf[i] ?
		    c->k - (c->np[i] + c->nf[i]) : 1;
		if (best == BISECT_NONE ||
		    c->np[i] + c->nf[i] < c->np[best] + c->nf[best])
			best = i;
	}
	return best;
}

static int
log2_ceil(size_t x)
{
	int r = 0;

	while (((size_t)1 << r) < x)
		r++;
	return r;
}

static void
set_test(struct bisect_decision *d, size_t node)
{
	d->verdict = BISECT_TEST;
	d->node = node;
}

/* Verdict 16 when a tuple that decides the outcome cannot be settled. */
static int
unsure(const enum bisect_value *val, size_t i)
{
	return val[i] == BISECT_V_UNSURE;
}

static void
add_range(struct bisect_decision *d, size_t i)
{
	/* Exact-size growth: ranges are small and built once. */
	d->range = xrealloc(d->range, (d->nrange + 1) * sizeof(*d->range));
	d->range[d->nrange++] = i;
}

/* Is fail tuple i the lowest of the fails kept in the search? */
static int
lowest_fail(const struct bctx *c, const enum bisect_value *val, size_t i)
{
	size_t x;

	if (val[i] != BISECT_V_FAIL || c->dropped[i])
		return 0;
	for (x = i + 1; x < c->n; x++)
		if (val[x] == BISECT_V_FAIL && !c->dropped[x] &&
		    bit(anc_of(c, i), x))
			return 0;
	return 1;
}

/*
 * Nothing left to test and no fail under every other: more than one
 * change broke it, or a result is wrong.  The lowest fails are retested
 * like any inconsistency; then the verdict is a range of them and the
 * untestable candidates.
 */
static void
no_common_culprit(const struct bctx *c, const enum bisect_value *val,
    struct bisect_decision *d)
{
	size_t i, nmin = 0;

	d->inconsistent = 1;
	for (i = 0; i < c->n; i++) {
		unsigned k;

		if (!lowest_fail(c, val, i))
			continue;
		nmin++;
		k = c->np[i] + c->nf[i];
		if (k >= c->k)
			continue;
		if (d->node == BISECT_NONE) {
			set_test(d, i);
			strbuf_addf(&d->why, "failures with no common "
			    "candidate: repeat (%u of %u)", k + 1, c->k);
		}
		d->est_flights += (int)(c->k - k);
	}
	if (d->node != BISECT_NONE)
		return;
	d->est_flights = 0;
	for (i = 0; i < d->ncand; i++)
		add_range(d, d->cand[i]);
	for (i = 0; i < c->n; i++)
		if (lowest_fail(c, val, i))
			add_range(d, i);
	d->verdict = BISECT_RANGE;
	for (i = 0; i < d->nrange; i++)
		if (unsure(val, d->range[i]))
			d->verdict = BISECT_UNREPRODUCIBLE;
	strbuf_addf(&d->why, "%zu failing tuples with no common culprit", nmin);
}

/*
 * m, the one candidate left, fails and its parents are all good: pick
 * the parent to reproduce the transition against and reproduce it.
 */
static void
decide_culprit(const struct bctx *c, const enum bisect_value *val, size_t m,
    int rcul, int inconsistent, struct bisect_decision *d)
{
	const struct revgraph_node *nd = &c->g->node[m];
	size_t j, p = BISECT_NONE;
	int jc, skipped;

	/* Prefer a parent seen passing, then one known good untested. */
	for (j = 0; j < nd->nparent && p == BISECT_NONE; j++)
		if (val[nd->parent[j]] == BISECT_V_PASS)
			p = nd->parent[j];
	for (j = 0; j < nd->nparent && p == BISECT_NONE; j++)
		if (val[nd->parent[j]] == BISECT_V_NONE)
			p = nd->parent[j];
	if (p == BISECT_NONE && nd->nparent)
		p = nd->parent[0];
	d->culprit_parent = p;
	if (p == BISECT_NONE) {
		/* A root other than the basis: nothing to reproduce against. */
		d->verdict = BISECT_RANGE;
		add_range(d, m);
		strbuf_addstr(&d->why, "the failing tuple has no parent");
		return;
	}
	if (unsure(val, p)) {
		d->verdict = BISECT_UNREPRODUCIBLE;
		strbuf_addstr(&d->why, "the culprit's parent is unsure");
		return;
	}

	/* 6. Reproduce the transition at the culprit. */
	jc = seq_matched(c, p, m, rcul, &skipped);
	d->est_flights = 2 * rcul - jc;
	if (jc < 2 * rcul) {
		if (skipped) {
			d->verdict = BISECT_UNREPRODUCIBLE;
			strbuf_addf(&d->why, "the culprit's %s was skipped when "
			    "reproducing the transition",
			    jc % 2 == 0 ? "parent" : "tuple");
			return;
		}
		set_test(d, jc % 2 == 0 ? p : m);
		strbuf_addf(&d->why, "reproduce the transition at the culprit "
		    "(%s, %d of %d)", jc % 2 == 0 ? "pass before" : "fail at",
		    jc / 2 + 1, rcul);
		return;
	}
	if (inconsistent) {
		d->verdict = BISECT_INCONSISTENT;
		strbuf_addstr(&d->why, "culprit found, but some results "
		    "were inconsistent");
	} else {
		d->verdict = BISECT_FOUND;
		strbuf_addstr(&d->why, "culprit found and reproduced");
	}
}

int
bisect_decide(const struct revgraph *g, const struct bisect_obs *obs,
    size_t nobs, const struct bisect_opts *o, struct bisect_decision *d,
    struct strbuf *err)
{
	static const struct bisect_opts defaults = BISECT_OPTS_INIT;
	struct bctx c;
	enum bisect_value *val;
	size_t i, x, m, best, ntest, basis = g->basis, latest = g->latest;
	int rc, rb, rcul, jb, skipped, search_est, inconsistent;
	unsigned need;

	bisect_decision_release(d);
	rc = validate(g, obs, nobs, err);
	if (rc < 0)
		return rc;
	if (o == NULL)
		o = &defaults;
	rb = o->repro_basis > 0 ? o->repro_basis : 0;
	rcul = o->repro_culprit > 0 ? o->repro_culprit : 0;
	ctx_init(&c, g, obs, nobs, o);
	val = d->value = xcalloc(c.n, sizeof(*d->value));

	/* Values, then the disputes the values make, then values again. */
	for (i = 0; i < c.n; i++)
		val[i] = plain_value(&c, i);
	for (i = 0; i < c.n; i++)
		if (val[i] == BISECT_V_PASS || i == basis)
			for (x = 0; x < c.w; x++)
				c.good[x] |= anc_of(&c, i)[x];
	inconsistent = find_disputes(&c, val) > 0;
	for (i = 0; i < c.n; i++) {
		val[i] = plain_value(&c, i);
		if (c.conflicted[i])
			inconsistent = 1;
	}
	/* A dispute that stands once settled: leave the fail out. */
	for (i = 0; i < c.n; i++)
		if (val[i] == BISECT_V_FAIL && bit(c.good, i) && i != basis)
			c.dropped[i] = 1;

	/* The candidates: under every fail, above no pass. */
	for (x = 0; x < c.w; x++)
		c.cand[x] = anc_of(&c, latest)[x];
	for (i = 0; i < c.n; i++)
		if (val[i] == BISECT_V_FAIL && !c.dropped[i])
			for (x = 0; x < c.w; x++)
				c.cand[x] &= anc_of(&c, i)[x];
	for (x = 0; x < c.w; x++)
		c.cand[x] &= ~c.good[x];
	m = BISECT_NONE;
	ntest = 0;
	d->cand = xcalloc(popcount_and(c.cand, c.cand, c.w) + 1, sizeof(*d->cand));
	for (i = 0; i < c.n; i++) {
		if (!bit(c.cand, i))
			continue;
		d->cand[d->ncand++] = i;
		if (val[i] == BISECT_V_FAIL)
			m = i;		/* at most one: it is under every fail */
		else if (val[i] == BISECT_V_NONE)
			ntest++;
	}
	d->ntest = ntest;
	search_est = log2_ceil(ntest + 1);
	d->inconsistent = inconsistent;

	/* 1. The endpoints must be a pass and a fail. */
	jb = seq_matched(&c, basis, latest, rb, &skipped);
	pick_pending(&c, val, &need);
	d->est_flights = (int)need + 2 * rb - jb + search_est +
	    (rcul ? 2 * rcul - 1 : 0);
	if (val[basis] == BISECT_V_PENDING || val[latest] == BISECT_V_PENDING) {
		size_t e = val[basis] == BISECT_V_PENDING ? basis : latest;

		set_test(d, e);
		strbuf_addf(&d->why, "conflicted %s: repeat (%u of %u)",
		    e == basis ? "basis" : "latest", c.np[e] + c.nf[e] + 1, c.k);
		goto out;
	}
	if (!c.np[basis] && (c.nf[basis] || c.ns[basis])) {
		d->verdict = BISECT_NO_PAIR;
		strbuf_addstr(&d->why, c.nf[basis] ?
		    "the basis never passed" : "the basis could not be tested");
		goto out;
	}
	if (!c.nf[latest] && (c.np[latest] || c.ns[latest])) {
		d->verdict = BISECT_NO_PAIR;
		strbuf_addstr(&d->why, c.np[latest] ?
		    "the latest never failed" : "the latest could not be tested");
		goto out;
	}
	if (val[basis] != BISECT_V_PASS && val[basis] != BISECT_V_NONE) {
		d->verdict = BISECT_UNREPRODUCIBLE;
		strbuf_addf(&d->why, "the basis pass does not reproduce "
		    "(%u pass, %u fail)", c.np[basis], c.nf[basis]);
		goto out;
	}
	if (val[latest] != BISECT_V_FAIL && val[latest] != BISECT_V_NONE) {
		d->verdict = BISECT_UNREPRODUCIBLE;
		strbuf_addf(&d->why, "the latest failure does not reproduce "
		    "(%u pass, %u fail)", c.np[latest], c.nf[latest]);
		goto out;
	}

	/* 2. Reproduce the basis pass and the latest failure. */
	if (jb < 2 * rb) {
		if (skipped) {
			d->verdict = BISECT_UNREPRODUCIBLE;
			strbuf_addf(&d->why, "the %s was skipped when reproducing it",
			    jb % 2 == 0 ? "basis" : "latest");
			goto out;
		}
		set_test(d, jb % 2 == 0 ? basis : latest);
		strbuf_addf(&d->why, "reproduce the %s (%d of %d)",
		    jb % 2 == 0 ? "basis pass" : "latest failure", jb / 2 + 1, rb);
		goto out;
	}

	/* 3. Settle every conflicted or disputed tuple before going on. */
	best = pick_pending(&c, val, &need);
	if (best != BISECT_NONE) {
		set_test(d, best);
		strbuf_addf(&d->why, "%s tuple: repeat (%u of %u)",
		    c.conflicted[best] ? "conflicted" : "inconsistent",
		    c.np[best] + c.nf[best] + 1, c.k);
		goto out;
	}

	/* 4. Search: the untested candidate that best halves them. */
	best = BISECT_NONE;
	{
		size_t bestv = 0;

		for (i = 0; i < c.n; i++) {
			size_t a, v;

			if (!bit(c.cand, i) || val[i] != BISECT_V_NONE)
				continue;
			a = popcount_and(anc_of(&c, i), c.cand, c.w);
			v = a < d->ncand - a ? a : d->ncand - a;
			if (best == BISECT_NONE || v > bestv) {
				best = i;
				bestv = v;
			}
		}
	}
	if (best != BISECT_NONE) {
		set_test(d, best);
		strbuf_addf(&d->why, "halve the %zu candidates", d->ncand);
		goto out;
	}

	/* 5. Nothing left to test: is there one culprit? */
	d->est_flights = 0;
	if (m == BISECT_NONE) {
		no_common_culprit(&c, val, d);
		goto out;
	}
	d->culprit = m;
	if (d->ncand > 1) {
		/* Skipped or unsure candidates stand between m and the good. */
		for (i = 0; i < d->ncand; i++)
			add_range(d, d->cand[i]);
		d->verdict = BISECT_RANGE;
		for (i = 0; i < d->nrange; i++)
			if (unsure(val, d->range[i]))
				d->verdict = BISECT_UNREPRODUCIBLE;
		strbuf_addf(&d->why, "%zu candidates could not be told apart",
		    d->nrange);
		goto out;
	}

	decide_culprit(&c, val, m, rcul, inconsistent, d);
out:
	if (d->verdict != BISECT_TEST)
		d->est_flights = 0;
	ctx_release(&c);
	return 0;
}

void
bisect_decision_release(struct bisect_decision *d)
{
	struct bisect_decision init = BISECT_DECISION_INIT;

	strbuf_release(&d->why);
	free(d->cand);
	free(d->range);
	free(d->value);
	*d = init;
}

const char *
bisect_value_name(enum bisect_value v)
{
	switch (v) {
	case BISECT_V_NONE:
		return "untested";
	case BISECT_V_PASS:
		return "pass";
	case BISECT_V_FAIL:
		return "fail";
	case BISECT_V_SKIP:
		return "skip";
	case BISECT_V_PENDING:
		return "pending";
	case BISECT_V_UNSURE:
		return "unsure";
	}
	return "untested";
}

const char *
bisect_verdict_name(enum bisect_verdict v)
{
	switch (v) {
	case BISECT_TEST:
		return "test";
	case BISECT_FOUND:
		return "found";
	case BISECT_RANGE:
		return "range";
	case BISECT_INCONSISTENT:
		return "inconsistent";
	case BISECT_UNREPRODUCIBLE:
		return "unreproducible";
	case BISECT_NO_PAIR:
		return "no-pair";
	}
	return "test";
}
