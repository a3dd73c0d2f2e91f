/*
 * bisect: the decision core of a bisection.  Given the graph of revision
 * tuples (revgraph.h) and every pass/fail/skip seen so far, it says which
 * tuple to test next, or gives the verdict.  Pure and deterministic: no
 * I/O, no database, the same input always gives the same decision, so a
 * bisection can be stopped and resumed from the database at any point.
 *
 * The search is git bisect's on a DAG (the tuple that best halves the
 * candidates, merges included), wrapped in OSSTEST's reproduction
 * (cs-bisection-step): the basis pass and the latest failure are seen
 * again, alternately, before searching, and the pass-to-fail transition
 * at the culprit after.  Unlike OSSTEST it never stops at the first
 * contradiction: a tuple seen both passing and failing is tested again
 * and settled by a clear majority, and whatever could not be settled
 * turns the verdict into 12 or 16, never into a silently wrong culprit.
 *
 * The rules, precisely:
 *
 * Values.  A tuple's observations give it a value: none; pass; fail;
 * skip (only skips: could not be built or tested, git bisect's 125);
 * or conflicted (both pass and fail; skips never count beside a pass or
 * fail).  A conflicted tuple, and any tuple "disputed" by an
 * inconsistency (below), is tested again until it has K = 2 *
 * conflict_repeats + 1 pass/fail observations; then the majority decides
 * if it is clear: the larger side at least twice the smaller.  If not,
 * testing goes on up to 2 * K - 1 observations, and if the majority is
 * still not clear the tuple is unsure (BISECT_V_UNSURE).  Any tuple that
 * was ever conflicted or disputed makes a found culprit verdict 12, not
 * 4.  An unsure basis or latest, culprit or culprit parent, or an unsure
 * tuple among the candidates that cannot be told apart, is verdict 16.
 *
 * Basis and latest.  The basis must end up pass and the latest fail: a
 * basis seen only failing, or a latest seen only passing (or either only
 * skipped), is not a usable pair: 32.  One that turns conflicted is
 * settled as above; settled the wrong way, or unsure, is 16.  Then, as
 * OSSTEST's need_repro_sequence(repro_basis): pass@basis, fail@latest,
 * repeated repro_basis times in strictly increasing flight order,
 * earlier observations counting; the first one missing is the next test.
 *
 * Inconsistency.  A fail tuple that is an ancestor of a pass tuple
 * contradicts the search's assumption (once broken, broken in every
 * descendant).  The fail tuple and the nearest pass tuples above it are
 * disputed: each is tested until it has K observations.  If they still
 * disagree, the fail tuple is left out of the search (the failure being
 * bisected is the one the passes do not contain) and the verdict can be
 * at best 12.  Likewise, failures with no common untested ancestor.
 *
 * Candidates.  F = fail tuples (settled), P = pass tuples and the basis:
 * the candidates are the ancestors-or-self of every tuple of F that are
 * not ancestors-or-self of any tuple of P.  The next test is the
 * candidate with no value that maximises min(a, ncand - a), a = the
 * number of candidates among its ancestors-or-self (git bisect's
 * best-halving); ties go to the lowest index, the newest tuple.
 *
 * Verdict.  When no candidate is left to test, and one fail tuple m is
 * the only candidate, m is the culprit, and the culprit parent is a
 * parent of m seen passing (else one known good by inference): its
 * transition must be seen pass@parent, fail@m alternately repro_culprit
 * times in increasing flight order (earlier observations count); then 4,
 * or 12 after any conflict or inconsistency.  When skipped candidates
 * remain beside m: 8, with the candidates as the range.  A reproduction
 * test that was skipped cannot be reproduced: 16.
 */
#ifndef TLAB_BISECT_H
#define TLAB_BISECT_H

#include <stddef.h>
#include <stdint.h>

#include "revgraph.h"
#include "strbuf.h"

/* What one test of one tuple gave. */
enum bisect_result {
	BISECT_PASS,
	BISECT_FAIL,
	BISECT_SKIP,	/* could not be built or tested (git bisect's 125) */
};

/* One observation; flights increase with time. */
struct bisect_obs {
	size_t node;
	enum bisect_result result;
	int64_t flight;
};

struct bisect_opts {
	int repro_basis;	/* pass@basis, fail@latest pairs; default 2 */
	int repro_culprit;	/* pass@parent, fail@culprit pairs; default 3 */
	int conflict_repeats;	/* a conflict needs 2 * this + 1 results; default 3 */
};

#define BISECT_OPTS_INIT { 2, 3, 3 }

/* The verdicts; the values are ts-bisect's exit codes (exitcodes.h). */
enum bisect_verdict {
	BISECT_TEST = 0,		/* test d->node next */
	BISECT_FOUND = 4,		/* culprit found and reproduced */
	BISECT_RANGE = 8,		/* exact changeset not identified */
	BISECT_INCONSISTENT = 12,	/* culprit found, results inconsistent */
	BISECT_UNREPRODUCIBLE = 16,	/* not reproducible */
	BISECT_NO_PAIR = 32,		/* no usable pass/fail pair */
};

/* A tuple's value, for a status display and the decision itself. */
enum bisect_value {
	BISECT_V_NONE,		/* not tested */
	BISECT_V_PASS,
	BISECT_V_FAIL,
	BISECT_V_SKIP,		/* only skipped */
	BISECT_V_PENDING,	/* conflicted or disputed: being tested again */
	BISECT_V_UNSURE,	/* conflicted, and no clear majority */
};

#define BISECT_NONE ((size_t)-1)

struct bisect_decision {
	enum bisect_verdict verdict;
	size_t node;		/* BISECT_TEST: the tuple to test; else BISECT_NONE */
	struct strbuf why;	/* one line for people: why this test, this verdict */
	size_t *cand;		/* the candidates now, ascending (newest first) */
	size_t ncand;
	size_t ntest;		/* candidates not tested yet */
	size_t culprit;		/* 4, 12: the culprit; 8: the one fail above the range */
	size_t culprit_parent;	/* 4, 12: its parent seen (or known) passing */
	size_t *range;		/* 8 (or 16): tuples that could not be told apart */
	size_t nrange;
	/*
	 * Test flights still needed, roughly: the repeats pending tuples
	 * need, the basis runs missing, ceil(log2(ntest + 1)) to search,
	 * and the transition runs missing (2 * repro_culprit - 1 before
	 * the culprit is known: the search's last pair usually counts).
	 */
	int est_flights;
	int inconsistent;	/* a conflict or inconsistency was seen */
	enum bisect_value *value;	/* per tuple, g->n of them */
};

#define BISECT_DECISION_INIT { BISECT_TEST, BISECT_NONE, STRBUF_INIT, \
	NULL, 0, 0, BISECT_NONE, BISECT_NONE, NULL, 0, 0, 0, NULL }

/*
 * Decide what to test next, or the verdict, from the graph and the
 * observations (in any order; o NULL for the defaults).  d must be
 * initialised (BISECT_DECISION_INIT or released); it is filled in
 * whatever the verdict.  0, or TS_E_INPUT with err set when the graph or
 * an observation is malformed (a parent index not above its child, a
 * node out of range, basis equal to latest).
 */
int bisect_decide(const struct revgraph *g, const struct bisect_obs *obs,
    size_t nobs, const struct bisect_opts *o, struct bisect_decision *d,
    struct strbuf *err);

/* Free what d holds and make it BISECT_DECISION_INIT again. */
void bisect_decision_release(struct bisect_decision *d);

/* "pass", "fail", "skip", "untested", "pending", "unsure". */
const char *bisect_value_name(enum bisect_value v);

/* "test", "found", "range", "inconsistent", "unreproducible", "no-pair". */
const char *bisect_verdict_name(enum bisect_verdict v);

#endif
