/*
 * bisection: the lab's bisections in the database; flights into
 * observations, tuples into flights.  See bisection.h.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bisection.h"
#include "clock.h"
#include "conf.h"
#include "db.h"
#include "err.h"
#include "flight.h"
#include "job.h"
#include "push.h"
#include "runvar.h"
#include "status.h"
#include "strvec.h"
#include "tree.h"
#include "xalloc.h"
#include "banned.h"

/* What a job tested and where: its trees' revisions and its hosts. */
struct jobtree {
	char *name;
	char *rev;
	char *url;		/* its tree_T, or NULL */
	int built;		/* rev is a built_revision_T */
};

struct jobinfo {
	struct jobtree *t;	/* sorted by name */
	size_t n;
	struct strbuf hosts;	/* "host=bedbug ...", sorted */
	int usable;		/* 0: two revisions of one tree */
};

static void
jobinfo_init(struct jobinfo *ji)
{
	memset(ji, 0, sizeof(*ji));
	strbuf_init(&ji->hosts, 0);
	ji->usable = 1;
}

static void
jobinfo_release(struct jobinfo *ji)
{
	size_t i;

	for (i = 0; i < ji->n; i++) {
		free(ji->t[i].name);
		free(ji->t[i].rev);
		free(ji->t[i].url);
	}
	free(ji->t);
	strbuf_release(&ji->hosts);
	jobinfo_init(ji);
}

static long
jobinfo_find(const struct jobinfo *ji, const char *tree)
{
	size_t i;

	for (i = 0; i < ji->n; i++)
		if (strcmp(ji->t[i].name, tree) == 0)
			return (long)i;
	return -1;
}

/*
 * Note revision rev of tree (built: a built_revision_T, which wins over a
 * revision_T).  Two different revisions of one kind make the job unusable.
 */
static void
jobinfo_rev(struct jobinfo *ji, const char *tree, const char *rev, int built)
{
	long i = jobinfo_find(ji, tree);
	struct jobtree *t;
	size_t at;

	if (i >= 0) {
		t = &ji->t[i];
		if (built && !t->built) {
			free(t->rev);
			t->rev = xstrdup(rev);
			t->built = 1;
		} else if (built == t->built && strcmp(t->rev, rev) != 0) {
			ji->usable = 0;
		}
		return;
	}
	/* Kept sorted by name: insertion, the lists are short. */
	ji->t = xrealloc(ji->t, (ji->n + 1) * sizeof(*ji->t));
	for (at = ji->n; at > 0 && strcmp(ji->t[at - 1].name, tree) > 0; at--)
		ji->t[at] = ji->t[at - 1];
	t = &ji->t[at];
	t->name = xstrdup(tree);
	t->rev = xstrdup(rev);
	t->url = NULL;
	t->built = built;
	ji->n++;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The revisions and tree URLs of one job's runvars into ji. */
static void
jobinfo_runvars(struct jobinfo *ji, const struct runvar_list *l)
{
	size_t i;
	long t;

	for (i = 0; i < l->nr; i++) {
		const char *n = l->v[i].name;

		if (strncmp(n, "built_revision_", 15) == 0)
			jobinfo_rev(ji, n + 15, l->v[i].val, 1);
		else if (strncmp(n, "revision_", 9) == 0)
			jobinfo_rev(ji, n + 9, l->v[i].val, 0);
	}
	for (i = 0; i < l->nr; i++) {
		const char *n = l->v[i].name;

		if (strncmp(n, "tree_", 5) == 0 && (t = jobinfo_find(ji, n + 5)) >= 0 &&
		    ji->t[t].url == NULL)
			ji->t[t].url = xstrdup(l->v[i].val);
	}
}

/*
 * What job of flight tested: the revisions of its own runvars and of the
 * jobs it names by a runvar ending in "job" (its build jobs), and its
 * host runvars (names ending in "host", as OSSTEST's relevant hosts).
 */
static int
job_info(struct lab *lab, int64_t flight, const char *job, struct jobinfo *ji,
    struct strbuf *err)
{
	struct runvar_list l = RUNVAR_LIST_INIT, bl = RUNVAR_LIST_INIT;
	struct strvec hosts = STRVEC_INIT;
	size_t i;
	int rc;

	jobinfo_init(ji);
	if ((rc = runvar_list(lab, flight, job, &l, err)) < 0)
		goto out;
	for (i = 0; i < l.nr; i++) {
		const char *n = l.v[i].name;
		int64_t bf;
		char *bj;

		if (runvar_name_ends(n, "host"))
			strvec_pushf(&hosts, "%s=%s", n, l.v[i].val);
		if (!runvar_name_ends(n, "job"))
			continue;
		if (runvar_parse_jobref(l.v[i].val, flight, &bf, &bj, err) < 0) {
			strbuf_reset(err);
			continue;
		}
		rc = runvar_list(lab, bf, bj, &bl, err);
		free(bj);
		if (rc < 0) {
			/* A reference to no job: that job's trees are not known. */
			strbuf_reset(err);
			rc = 0;
			continue;
		}
		jobinfo_runvars(ji, &bl);
		runvar_list_release(&bl);
	}
	jobinfo_runvars(ji, &l);
	qsort(hosts.v, hosts.nr, sizeof(*hosts.v), cmp_str);
	for (i = 0; i < hosts.nr; i++)
		strbuf_addf(&ji->hosts, "%s%s", i ? " " : "", hosts.v[i]);
	rc = 0;
out:
	runvar_list_release(&l);
	strvec_clear(&hosts);
	return rc;
}

/* --- records ---------------------------------------------------------------- */

static const char bisection_get_sql[] =
	"SELECT branch, job, testid, fail_flight, basis_flight, hosts, budget,"
	" who, started, finished, verdict, summary FROM bisections WHERE id = ?1";
static const char bisection_trees_sql[] =
	"SELECT tree, url, pass_rev, fail_rev FROM bisection_trees"
	" WHERE bisection = ?1 ORDER BY pos";

int
bisection_get(struct lab *lab, int64_t id, struct bisection *b,
    struct strbuf *err)
{
	sqlite3_stmt *st;
	int rc;

	memset(b, 0, sizeof(*b));
	b->verdict = -1;
	if ((rc = db_query(&lab->db, &st, bisection_get_sql, err, "i", id)) < 0)
		return rc;
	if ((rc = db_row(&lab->db, st, err)) <= 0)
		return rc < 0 ? rc : err_setf(err, TS_E_INPUT,
		    "bisection %lld: no such bisection", (long long)id);
	b->id = id;
	b->branch = db_strdup(st, 0);
	b->job = db_strdup(st, 1);
	b->testid = db_strdup(st, 2);
	b->fail_flight = sqlite3_column_int64(st, 3);
	b->basis_flight = sqlite3_column_int64(st, 4);
	b->hosts = db_strdup(st, 5);
	b->budget = sqlite3_column_int64(st, 6);
	b->who = db_strdup(st, 7);
	b->started = sqlite3_column_int64(st, 8);
	b->finished = sqlite3_column_int64(st, 9);
	if (!db_is_null(st, 10))
		b->verdict = sqlite3_column_int(st, 10);
	b->summary = db_strdup(st, 11);
	db_done(st);
	if ((rc = db_query(&lab->db, &st, bisection_trees_sql, err, "i", id)) < 0)
		goto fail;
	while ((rc = db_row(&lab->db, st, err)) > 0) {
		struct bisection_tree *t;

		b->tree = xrealloc(b->tree, (b->ntree + 1) * sizeof(*b->tree));
		t = &b->tree[b->ntree++];
		t->name = db_strdup(st, 0);
		t->url = db_strdup(st, 1);
		t->pass = db_strdup(st, 2);
		t->fail = db_strdup(st, 3);
	}
	if (rc == 0)
		return 0;
fail:
	bisection_release(b);
	return rc;
}

void
bisection_release(struct bisection *b)
{
	size_t i;

	free(b->branch);
	free(b->job);
	free(b->testid);
	free(b->hosts);
	free(b->who);
	free(b->summary);
	for (i = 0; i < b->ntree; i++) {
		free(b->tree[i].name);
		free(b->tree[i].url);
		free(b->tree[i].pass);
		free(b->tree[i].fail);
	}
	free(b->tree);
	memset(b, 0, sizeof(*b));
	b->verdict = -1;
}

static const char bisection_open_sql[] =
	"SELECT id FROM bisections WHERE finished IS NULL ORDER BY id";

int
bisection_current(struct lab *lab, int64_t *id, struct strbuf *err)
{
	struct strbuf ids = STRBUF_INIT;
	sqlite3_stmt *st;
	int rc, n = 0;

	if ((rc = db_query(&lab->db, &st, bisection_open_sql, err, "")) < 0)
		return rc;
	while ((rc = db_row(&lab->db, st, err)) > 0) {
		*id = sqlite3_column_int64(st, 0);
		strbuf_addf(&ids, "%s%lld", n++ ? ", " : "", (long long)*id);
	}
	if (rc == 0 && n == 0)
		rc = err_setf(err, TS_E_INPUT, "no bisection going on (ts-bisect start "
		    "makes one)");
	else if (rc == 0 && n > 1)
		rc = err_setf(err, TS_E_INPUT, "%d bisections going on (%s): name one "
		    "with --bisection", n, ids.buf);
	strbuf_release(&ids);
	return rc;
}

/* --- start ------------------------------------------------------------------ */

static const char step_status_sql[] =
	"SELECT status FROM steps WHERE flight = ?1 AND job = ?2 AND testid = ?3";

/* The status of step testid of job in flight, into st (ST_QUEUED: none). */
static int
step_status(struct lab *lab, int64_t flight, const char *job,
    const char *testid, enum ts_status *status, struct strbuf *err)
{
	sqlite3_stmt *st;
	int rc;

	*status = ST_QUEUED;
	if ((rc = db_query(&lab->db, &st, step_status_sql, err, "iss", flight,
	    job, testid)) < 0)
		return rc;
	if ((rc = db_row(&lab->db, st, err)) > 0) {
		*status = status_parse(db_text(st, 0));
		db_done(st);
	}
	return rc < 0 ? rc : 0;
}

/* Flights where the step passed, newest first, before the failing one. */
static const char basis_candidates_sql[] =
	"SELECT f.flight FROM flights f JOIN steps s ON s.flight = f.flight"
	" WHERE f.branch = ?1 AND f.blessing IN (?2, ?3) AND f.flight < ?4"
	" AND s.job = ?5 AND s.testid = ?6 AND s.status = ?7"
	" ORDER BY f.flight DESC";

/*
 * The basis: the newest earlier flight of the branch (real or bisect)
 * where the step passed on the same hosts and whose job tested every tree
 * the failing one did.  1 and *basis, or 0.
 */
static int
find_basis(struct lab *lab, const struct flight *ff,
    const struct bisection_start_opts *o, const struct jobinfo *fail,
    int64_t *basis, struct jobinfo *bi, struct strbuf *err)
{
	sqlite3_stmt *st;
	struct strvec cands = STRVEC_INIT;
	size_t i, t;
	int rc, found = 0;

	if ((rc = db_query(&lab->db, &st, basis_candidates_sql, err, "sssisss",
	    ff->branch, BLESSING_REAL, BLESSING_BISECT, ff->id, o->job, o->testid,
	    status_name(ST_PASS))) < 0)
		return rc;
	while ((rc = db_row(&lab->db, st, err)) > 0)
		strvec_push(&cands, db_text(st, 0));
	for (i = 0; rc == 0 && i < cands.nr && !found; i++) {
		int64_t f = strtoll(cands.v[i], NULL, 10);

		if ((rc = job_info(lab, f, o->job, bi, err)) < 0)
			break;
		found = bi->usable && strcmp(bi->hosts.buf, fail->hosts.buf) == 0;
		for (t = 0; found && t < fail->n; t++)
			found = jobinfo_find(bi, fail->t[t].name) >= 0;
		if (found)
			*basis = f;
		else
			jobinfo_release(bi);
	}
	strvec_clear(&cands);
	return rc < 0 ? rc : found;
}

static const char bisection_same_sql[] =
	"SELECT id FROM bisections WHERE finished IS NULL AND branch = ?1"
	" AND job = ?2 AND testid = ?3";
static const char bisection_insert_sql[] =
	"INSERT INTO bisections (branch, job, testid, fail_flight, basis_flight,"
	" hosts, budget, who, started) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
	" RETURNING id";
static const char bisection_tree_insert_sql[] =
	"INSERT INTO bisection_trees (bisection, pos, tree, url, pass_rev,"
	" fail_rev) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

/* A tree's URL: the job's tree_T, else tlab.conf's. */
static const char *
tree_url(struct lab *lab, const char *name, const char *url, struct tree *t)
{
	struct strbuf err = STRBUF_INIT;

	if (url != NULL && *url != '\0')
		return url;
	url = tree_get(lab, name, t, &err) == 0 ? t->url : "";
	strbuf_release(&err);
	return url;
}

static int
check_fail(struct lab *lab, const struct bisection_start_opts *o,
    struct flight *ff, struct strbuf *err)
{
	enum ts_status s;
	struct job j;
	int rc;

	if ((rc = flight_get(lab, o->fail_flight, ff, err)) < 0)
		return rc;
	if (ff->finished == 0)
		return err_setf(err, TS_E_INPUT, "flight %lld: not finished (%s)",
		    (long long)ff->id, ff->blessing);
	if ((rc = job_get(lab, ff->id, o->job, &j, err)) < 0)
		return rc;
	job_release(&j);
	if ((rc = step_status(lab, ff->id, o->job, o->testid, &s, err)) < 0)
		return rc;
	if (s != ST_FAIL)
		return err_setf(err, TS_E_INPUT, "flight %lld: job %s: step %s: %s, "
		    "not fail", (long long)ff->id, o->job, o->testid,
		    s == ST_QUEUED ? "not run" : status_name(s));
	return 0;
}

/* An explicit basis: finished, of the branch, earlier, passed, same hosts. */
static int
check_basis(struct lab *lab, const struct flight *ff,
    const struct bisection_start_opts *o, const struct jobinfo *fail,
    struct jobinfo *bi, struct strbuf *err)
{
	struct flight bf = { 0 };
	enum ts_status s;
	int rc;

	if ((rc = flight_get(lab, o->basis_flight, &bf, err)) < 0)
		return err_wrapf(err, rc, "--basis");
	if (bf.finished == 0 || strcmp(bf.branch, ff->branch) != 0 ||
	    bf.id >= ff->id)
		rc = err_setf(err, TS_E_INPUT, "basis flight %lld: %s",
		    (long long)bf.id, bf.finished == 0 ? "not finished" :
		    bf.id >= ff->id ? "not earlier than the failing flight" :
		    "of another branch");
	else if ((rc = step_status(lab, bf.id, o->job, o->testid, &s, err)) == 0 &&
	    s != ST_PASS)
		rc = err_setf(err, TS_E_INPUT, "basis flight %lld: job %s: step %s: "
		    "%s, not pass", (long long)bf.id, o->job, o->testid,
		    s == ST_QUEUED ? "not run" : status_name(s));
	else if (rc == 0 && (rc = job_info(lab, bf.id, o->job, bi, err)) == 0 &&
	    strcmp(bi->hosts.buf, fail->hosts.buf) != 0)
		rc = err_setf(err, TS_E_INPUT, "basis flight %lld: job %s ran on "
		    "other hosts (%s, not %s)", (long long)bf.id, o->job,
		    bi->hosts.buf, fail->hosts.buf);
	flight_release(&bf);
	return rc;
}

/* Can the graph between basis and fail be made?  0, or why not. */
static int
try_graph(struct lab *lab, const struct jobinfo *fail,
    const struct jobinfo *basis, struct strbuf *err)
{
	struct revgraph_tree *rt = xcalloc(fail->n, sizeof(*rt));
	struct revgraph g = REVGRAPH_INIT;
	size_t t, n = 0;
	int rc;

	for (t = 0; t < fail->n; t++) {
		long b = jobinfo_find(basis, fail->t[t].name);

		if (b < 0)
			continue;
		rt[n].name = fail->t[t].name;
		rt[n].pass = basis->t[b].rev;
		rt[n++].fail = fail->t[t].rev;
	}
	if (n == 0)
		rc = err_setf(err, TS_E_INPUT, "the basis tested none of the trees "
		    "of the failing job");
	else
		rc = revgraph_build(lab, rt, n, &g, err);
	revgraph_release(&g);
	free(rt);
	return rc;
}

int
bisection_start(struct lab *lab, const struct bisection_start_opts *o,
    int64_t *id, struct strbuf *err)
{
	struct flight ff = { 0 };
	struct jobinfo fail, basis;
	struct strbuf who = STRBUF_INIT;
	int64_t basis_flight = o->basis_flight, other;
	size_t t, pos;
	int rc;

	jobinfo_init(&fail);
	jobinfo_init(&basis);
	if ((rc = check_fail(lab, o, &ff, err)) < 0 ||
	    (rc = job_info(lab, ff.id, o->job, &fail, err)) < 0)
		goto out;
	if (!fail.usable || fail.n == 0) {
		rc = err_setf(err, TS_E_INPUT, "flight %lld: job %s: %s",
		    (long long)ff.id, o->job, fail.n == 0 ?
		    "tested no tree (no revision_T runvar)" :
		    "two revisions of one tree");
		goto out;
	}
	if (basis_flight != 0) {
		rc = check_basis(lab, &ff, o, &fail, &basis, err);
	} else if ((rc = find_basis(lab, &ff, o, &fail, &basis_flight, &basis,
	    err)) == 0) {
		rc = err_setf(err, 1, "flight %lld: job %s: step %s: no earlier "
		    "flight of branch %s where it passed on the same hosts (%s)",
		    (long long)ff.id, o->job, o->testid, ff.branch,
		    *fail.hosts.buf ? fail.hosts.buf : "none named");
		goto out;
	}
	/* The graph is made once now, so that a bisection recorded can go on. */
	if (rc < 0 || (rc = try_graph(lab, &fail, &basis, err)) < 0)
		goto out;
	if ((rc = db_begin(&lab->db, err)) < 0)
		goto out;
	if ((rc = db_int(&lab->db, &other, bisection_same_sql, err, "sss",
	    ff.branch, o->job, o->testid)) > 0)
		rc = err_setf(err, TS_E_INPUT, "bisection %lld of %s %s on branch %s "
		    "is still going on", (long long)other, o->job, o->testid, ff.branch);
	push_who(&who);
	if (rc >= 0)
		rc = db_int(&lab->db, id, bisection_insert_sql, err, "sssiisisi",
		    ff.branch, o->job, o->testid, ff.id, basis_flight, fail.hosts.buf,
		    o->budget, who.buf, clock_utc());
	for (t = 0, pos = 0; rc >= 0 && t < fail.n; t++) {
		long b = jobinfo_find(&basis, fail.t[t].name);
		struct tree tr = TREE_INIT;

		if (b < 0)
			continue;
		rc = db_run(&lab->db, bisection_tree_insert_sql, err, "idssss", *id,
		    (int)pos++, fail.t[t].name, tree_url(lab, fail.t[t].name,
		    fail.t[t].url, &tr), basis.t[b].rev, fail.t[t].rev);
		tree_release(&tr);
	}
	rc = db_end(&lab->db, rc < 0 ? rc : 0, err);
out:
	flight_release(&ff);
	jobinfo_release(&fail);
	jobinfo_release(&basis);
	strbuf_release(&who);
	return rc;
}

/* --- the graph and what is known --------------------------------------------- */

int
bisection_graph(struct lab *lab, const struct bisection *b, struct revgraph *g,
    struct strbuf *err)
{
	struct revgraph_tree *t = xcalloc(b->ntree ? b->ntree : 1, sizeof(*t));
	size_t i;
	int rc;

	for (i = 0; i < b->ntree; i++) {
		t[i].name = b->tree[i].name;
		t[i].pass = b->tree[i].pass;
		t[i].fail = b->tree[i].fail;
	}
	rc = revgraph_build(lab, t, b->ntree, g, err);
	free(t);
	if (rc < 0)
		return err_wrapf(err, rc, "bisection %lld", (long long)b->id);
	return 0;
}

void
bisection_tuple(const struct revgraph *g, size_t node, struct strbuf *sb)
{
	size_t t;

	for (t = 0; t < g->ntree; t++)
		strbuf_addf(sb, "%s%s", t ? " " : "", g->node[node].rev[t]);
}

/* One observation before they are sorted and numbered. */
struct obs_src {
	size_t node;
	enum bisect_result result;
	int64_t at;		/* when it was known */
	int64_t order;		/* flights before marks at one time, by id */
	char *src;
};

static int
cmp_obs(const void *a, const void *b)
{
	const struct obs_src *x = a, *y = b;

	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static const char observe_flights_sql[] =
	"SELECT f.flight, f.finished, j.status FROM flights f JOIN jobs j"
	" ON j.flight = f.flight AND j.job = ?2"
	" WHERE f.branch = ?1 AND f.blessing IN (?3, ?4) AND f.finished IS NOT NULL"
	" ORDER BY f.flight";
static const char observe_marks_sql[] =
	"SELECT id, tuple, result, who, at FROM bisection_marks"
	" WHERE bisection = ?1 ORDER BY id";

/* The node of job's tuple in flight, as b's trees order it; -1: none. */
static long
flight_node(struct lab *lab, const struct bisection *b,
    const struct revgraph *g, int64_t flight, struct strbuf *err)
{
	struct jobinfo ji;
	char **rev = xcalloc(b->ntree ? b->ntree : 1, sizeof(*rev));
	long node = -1;
	size_t t;
	int rc;

	if ((rc = job_info(lab, flight, b->job, &ji, err)) < 0) {
		free(rev);
		return rc;
	}
	if (!ji.usable || strcmp(ji.hosts.buf, b->hosts) != 0)
		goto out;
	for (t = 0; t < b->ntree; t++) {
		long i = jobinfo_find(&ji, b->tree[t].name);

		if (i < 0)
			goto out;
		rev[t] = ji.t[i].rev;
	}
	node = revgraph_find(g, rev);
out:
	jobinfo_release(&ji);
	free(rev);
	return node < 0 ? -1 : node;
}

/* What a finished job says about the step: 1 and *r, or 0 nothing. */
static int
job_result(enum ts_status job, enum ts_status step, enum bisect_result *r)
{
	switch (step) {
	case ST_PASS:
		*r = BISECT_PASS;
		return 1;
	case ST_FAIL:
		*r = BISECT_FAIL;
		return 1;
	case ST_BLOCKED:
		*r = BISECT_SKIP;
		return 1;
	case ST_QUEUED:
		/* Not run: skipped when its build failed or a step before it
		 * failed; a broken or aborted job is the lab's fault. */
		if (job == ST_BLOCKED || job == ST_FAIL || job == ST_PASS) {
			*r = BISECT_SKIP;
			return 1;
		}
		return 0;
	default:
		return 0;
	}
}

int
bisection_observe(struct lab *lab, const struct bisection *b,
    const struct revgraph *g, struct bisect_obs **obs, char ***src,
    size_t *nobs, struct strbuf *err)
{
	struct obs_src *v = NULL;
	sqlite3_stmt *st;
	struct strvec fl = STRVEC_INIT;
	size_t n = 0, i;
	int rc;

	*obs = NULL;
	*src = NULL;
	*nobs = 0;
	if ((rc = db_query(&lab->db, &st, observe_flights_sql, err, "ssss",
	    b->branch, b->job, BLESSING_REAL, BLESSING_BISECT)) < 0)
		return rc;
	while ((rc = db_row(&lab->db, st, err)) > 0)
		strvec_pushf(&fl, "%s %s %s", db_text(st, 0), db_text(st, 1),
		    db_text(st, 2));
	for (i = 0; rc == 0 && i < fl.nr; i++) {
		int64_t f = 0, at = 0;
		char js[32] = "";
		enum ts_status ss;
		enum bisect_result r;
		long node;

		if (sscanf(fl.v[i], "%" SCNd64 " %" SCNd64 " %31s", &f, &at, js) != 3)
			continue;
		if ((rc = step_status(lab, f, b->job, b->testid, &ss, err)) < 0)
			break;
		if (!job_result(status_parse(js), ss, &r))
			continue;
		if ((node = flight_node(lab, b, g, f, err)) < -1) {
			rc = (int)node;
			break;
		}
		if (node < 0)
			continue;
		v = xrealloc(v, (n + 1) * sizeof(*v));
		v[n].node = (size_t)node;
		v[n].result = r;
		v[n].at = at;
		v[n].order = f;
		v[n].src = xasprintf("flight %lld", (long long)f);
		n++;
	}
	strvec_clear(&fl);
	if (rc == 0 && (rc = db_query(&lab->db, &st, observe_marks_sql, err, "i",
	    b->id)) == 0) {
		while ((rc = db_row(&lab->db, st, err)) > 0) {
			const char *r = db_text(st, 2);
			char **rev = xcalloc(g->ntree ? g->ntree : 1, sizeof(*rev));
			char *tuple = db_strdup(st, 1), *p = tuple, *w;
			size_t t = 0;
			long node;

			while (t < g->ntree && (w = strsep(&p, " ")) != NULL)
				rev[t++] = w;
			node = t == g->ntree ? revgraph_find(g, rev) : -1;
			if (node >= 0) {
				v = xrealloc(v, (n + 1) * sizeof(*v));
				v[n].node = (size_t)node;
				v[n].result = strcmp(r, "pass") == 0 ? BISECT_PASS :
				    strcmp(r, "fail") == 0 ? BISECT_FAIL : BISECT_SKIP;
				v[n].at = sqlite3_column_int64(st, 4);
				v[n].order = INT64_MAX / 2 + sqlite3_column_int64(st, 0);
				v[n].src = xasprintf("marked %s by %s", r, db_text(st, 3));
				n++;
			}
			free(rev);
			free(tuple);
		}
	}
	if (rc < 0) {
		for (i = 0; i < n; i++)
			free(v[i].src);
		free(v);
		return rc;
	}
	qsort(v, n, sizeof(*v), cmp_obs);
	*obs = xcalloc(n ? n : 1, sizeof(**obs));
	*src = xcalloc(n ? n : 1, sizeof(**src));
	for (i = 0; i < n; i++) {
		(*obs)[i].node = v[i].node;
		(*obs)[i].result = v[i].result;
		(*obs)[i].flight = (int64_t)i + 1;
		(*src)[i] = v[i].src;
	}
	*nobs = n;
	free(v);
	return 0;
}

/* --- flights ------------------------------------------------------------------ */

static const char bisection_flight_insert_sql[] =
	"INSERT INTO bisection_flights (bisection, flight, tuple, why)"
	" VALUES (?1, ?2, ?3, ?4)";
static const char bisection_nflights_sql[] =
	"SELECT count(*) FROM bisection_flights WHERE bisection = ?1";

int
bisection_nflights(struct lab *lab, const struct bisection *b, int64_t *n,
    struct strbuf *err)
{
	*n = 0;
	return db_int(&lab->db, n, bisection_nflights_sql, err, "i", b->id) < 0 ?
	    TS_E_LAB : 0;
}

/* The revision of tree name in tuple node, or NULL when b has no such tree. */
static char *
tuple_rev(const struct bisection *b, const struct revgraph *g, size_t node,
    const char *name)
{
	size_t t;

	for (t = 0; t < b->ntree; t++)
		if (strcmp(b->tree[t].name, name) == 0)
			return g->node[node].rev[t];
	return NULL;
}

/*
 * Copy job of the failing flight into flight: its recipe, priority and
 * definition runvars, revision_T from the tuple, the hosts fixed when
 * hosts is set.  The jobs it names (build jobs of the same flight) first.
 */
static int copy_ref(struct lab *lab, const struct bisection *b,
    const struct revgraph *g, size_t node, int64_t flight, char *ref,
    char **val, struct strvec *done, struct strbuf *err);

static int
copy_job_from(struct lab *lab, const struct bisection *b,
    const struct revgraph *g, size_t node, int64_t flight, int64_t from,
    const char *job, int hosts, struct strvec *done, struct strbuf *err)
{
	struct runvar_list l = RUNVAR_LIST_INIT;
	struct runvar *defs = NULL;
	struct job j;
	size_t i, n = 0;
	int rc;

	for (i = 0; i < done->nr; i++)
		if (strcmp(done->v[i], job) == 0)
			return 0;
	strvec_push(done, job);
	if ((rc = job_get(lab, from, job, &j, err)) < 0)
		return rc;
	if ((rc = runvar_list(lab, from, job, &l, err)) < 0)
		goto out;
	defs = xcalloc(l.nr + 1, sizeof(*defs));
	for (i = 0; i < l.nr; i++) {
		const struct runvar *v = &l.v[i];
		char *rev;

		if (v->synth && !(hosts && runvar_name_ends(v->name, "host")))
			continue;
		defs[n] = *v;
		if (runvar_name_ends(v->name, "job") &&
		    (rc = copy_ref(lab, b, g, node, flight, v->val, &defs[n].val,
		    done, err)) < 0)
			goto out;
		if (strncmp(v->name, "revision_", 9) == 0 &&
		    (rev = tuple_rev(b, g, node, v->name + 9)) != NULL)
			defs[n].val = rev;
		n++;
	}
	rc = job_create(lab, flight, job, j.recipe, j.priority, defs, n, err);
out:
	free(defs);
	runvar_list_release(&l);
	job_release(&j);
	return rc;
}

/*
 * A job reference of the failing job (buildjob=...): the job it names
 * is copied into the new flight, which then refers to its copy, when it
 * is of the failing flight or tested one of the bisection's trees (a
 * build of another flight, FLIGHT.JOB, at a revision the tuple changes);
 * else the reference stays as it was.  *val points at the name to use.
 */
static int
copy_ref(struct lab *lab, const struct bisection *b, const struct revgraph *g,
    size_t node, int64_t flight, char *ref, char **val, struct strvec *done,
    struct strbuf *err)
{
	struct runvar_list l = RUNVAR_LIST_INIT;
	int64_t rf;
	char *rj;
	size_t i, t;
	int rc, copy;

	if (runvar_parse_jobref(ref, b->fail_flight, &rf, &rj, err) < 0) {
		strbuf_reset(err);
		return 0;
	}
	copy = rf == b->fail_flight;
	if (!copy && (rc = runvar_list(lab, rf, rj, &l, err)) == 0)
		for (i = 0; i < l.nr && !copy; i++)
			for (t = 0; t < b->ntree && !copy; t++)
				copy = strncmp(l.v[i].name, "revision_", 9) == 0 &&
				    strcmp(l.v[i].name + 9, b->tree[t].name) == 0;
	runvar_list_release(&l);
	strbuf_reset(err);
	rc = 0;
	if (copy) {
		if ((rc = copy_job_from(lab, b, g, node, flight, rf, rj, 0, done,
		    err)) == 0)
			*val = strrchr(ref, '.') ? strrchr(ref, '.') + 1 : ref;
	}
	free(rj);
	return rc;
}

int
bisection_make_flight(struct lab *lab, const struct bisection *b,
    const struct revgraph *g, size_t node, const char *why, int64_t *flight,
    struct strbuf *err)
{
	struct strvec done = STRVEC_INIT;
	struct strbuf tuple = STRBUF_INIT, e2 = STRBUF_INIT;
	int rc;

	if ((rc = flight_create(lab, b->branch, BLESSING_BISECT, flight, err)) < 0)
		return rc;
	rc = copy_job_from(lab, b, g, node, *flight, b->fail_flight, b->job, 1,
	    &done, err);
	bisection_tuple(g, node, &tuple);
	if (rc >= 0)
		rc = db_write(&lab->db, bisection_flight_insert_sql, err, "iiss",
		    b->id, *flight, tuple.buf, why);
	if (rc < 0 && flight_remove_unstarted(lab, *flight, &e2) < 0)
		strbuf_addf(err, "; and flight %lld is left: %s", (long long)*flight,
		    e2.buf);
	strvec_clear(&done);
	strbuf_release(&tuple);
	strbuf_release(&e2);
	return rc < 0 ? rc : 0;
}

/* --- marks and the end ----------------------------------------------------------- */

static const char bisection_mark_sql[] =
	"INSERT INTO bisection_marks (bisection, tuple, result, who, at)"
	" VALUES (?1, ?2, ?3, ?4, ?5)";

/* Does every word of want start a revision of node, in order? */
static int
tuple_matches(const struct revgraph *g, size_t node, const char *const *want,
    size_t nwant)
{
	size_t t;

	for (t = 0; t < nwant; t++)
		if (strncmp(g->node[node].rev[t], want[t], strlen(want[t])) != 0)
			return 0;
	return 1;
}

int
bisection_mark(struct lab *lab, const struct bisection *b,
    const struct revgraph *g, const char *tuple, enum bisect_result r,
    struct strbuf *err)
{
	struct strvec w = STRVEC_INIT;
	struct strbuf who = STRBUF_INIT, full = STRBUF_INIT;
	char *copy = xstrdup(tuple), *p = copy, *word;
	long found = -1;
	size_t i, nfound = 0;
	int rc;

	/* As given to it, or as ts-bisect status shows it (comma-joined). */
	while ((word = strsep(&p, " \t,")) != NULL)
		if (*word != '\0')
			strvec_push(&w, word);
	if (w.nr != g->ntree) {
		rc = err_setf(err, TS_E_INPUT, "tuple '%s': %zu revisions for %zu "
		    "trees (one per tree, in the order ts-bisect status shows)", tuple,
		    w.nr, g->ntree);
		goto out;
	}
	for (i = 0; i < w.nr; i++)
		if (strlen(w.v[i]) < 4 || strspn(w.v[i], "0123456789abcdef") !=
		    strlen(w.v[i])) {
			rc = err_setf(err, TS_E_INPUT, "tuple '%s': '%s' is not a commit "
			    "id (4 to 40 hex digits)", tuple, w.v[i]);
			goto out;
		}
	for (i = 0; i < g->n; i++)
		if (tuple_matches(g, i, w.v, w.nr)) {
			found = (long)i;
			nfound++;
		}
	if (nfound != 1) {
		rc = err_setf(err, TS_E_INPUT, "tuple '%s': %s", tuple, nfound == 0 ?
		    "not a tuple of the bisection's graph" :
		    "more than one tuple of the graph starts so: give more digits");
		goto out;
	}
	bisection_tuple(g, (size_t)found, &full);
	push_who(&who);
	rc = db_write(&lab->db, bisection_mark_sql, err, "isssi", b->id, full.buf,
	    r == BISECT_PASS ? "pass" : r == BISECT_FAIL ? "fail" : "skip", who.buf,
	    clock_utc());
	rc = rc < 0 ? rc : 0;
out:
	strvec_clear(&w);
	strbuf_release(&who);
	strbuf_release(&full);
	free(copy);
	return rc;
}

static const char bisection_finish_sql[] =
	"UPDATE bisections SET finished = ?2, verdict = ?3, summary = ?4"
	" WHERE id = ?1 AND finished IS NULL";

int
bisection_finish(struct lab *lab, const struct bisection *b, int verdict,
    const char *summary, struct strbuf *err)
{
	int rc = db_write(&lab->db, bisection_finish_sql, err, "iids", b->id,
	    clock_utc(), verdict, summary);

	return rc < 0 ? rc : 0;
}

void
bisection_opts(const struct lab *lab, const char *branch, struct bisect_opts *o)
{
	static const struct {
		const char *key;
		size_t off;
	} keys[] = {
		{ "bisect_repro_basis", offsetof(struct bisect_opts, repro_basis) },
		{ "bisect_repro_culprit", offsetof(struct bisect_opts, repro_culprit) },
		{ "bisect_conflict_repeats",
		  offsetof(struct bisect_opts, conflict_repeats) },
	};
	const struct bisect_opts def = BISECT_OPTS_INIT;
	size_t i;

	*o = def;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *v = conf_get(&lab->conf, "branch", branch, keys[i].key);

		/* tlab.conf's check made it an integer; at least one run. */
		if (v != NULL && atoi(v) >= 1)
			*(int *)((char *)o + keys[i].off) = atoi(v);
	}
}

static const char regressions_sql[] =
	"SELECT r.job, r.testid, f.branch FROM failures r"
	" JOIN flights f ON f.flight = r.flight"
	" WHERE r.flight = ?1 AND r.class = 'regression' AND r.testid <> ''"
	" ORDER BY r.job, r.testid";
static const char bisected_since_push_sql[] =
	"SELECT max(b.id) FROM bisections b"
	" WHERE b.branch = ?1 AND b.job = ?2 AND b.testid = ?3"
	" AND b.started >= coalesce((SELECT max(p.at) FROM pushes p"
	"  JOIN flights f ON f.flight = p.flight"
	"  WHERE f.branch = ?1 AND p.outcome = 'pushed'), 0)";

int
bisection_start_regressions(struct lab *lab, int64_t flight, int64_t budget,
    void (*say)(const char *line, void *ctx), void *ctx, struct strbuf *err)
{
	struct strvec rows = STRVEC_INIT;
	struct strbuf line = STRBUF_INIT, e = STRBUF_INIT;
	sqlite3_stmt *st;
	size_t i;
	int rc, started = 0;

	if ((rc = db_query(&lab->db, &st, regressions_sql, err, "i", flight)) < 0)
		return rc;
	/* Three strings a row: job, testid, branch. */
	while ((rc = db_row(&lab->db, st, err)) > 0) {
		strvec_push(&rows, db_text(st, 0));
		strvec_push(&rows, db_text(st, 1));
		strvec_push(&rows, db_text(st, 2));
	}
	for (i = 0; rc == 0 && i + 2 < rows.nr; i += 3) {
		struct bisection_start_opts o = { flight, rows.v[i], rows.v[i + 1],
		    0, budget };
		int64_t id = 0;

		strbuf_reset(&line);
		strbuf_reset(&e);
		/* One going on, else one since the last push: none started. */
		if ((rc = db_int(&lab->db, &id, bisection_same_sql, err, "sss",
		    rows.v[i + 2], o.job, o.testid)) == 1)
			strbuf_addf(&line, "%s %s: bisection %lld of it going on", o.job,
			    o.testid, (long long)id);
		else if (rc == 0 && (rc = db_int(&lab->db, &id,
		    bisected_since_push_sql, err, "sss", rows.v[i + 2], o.job,
		    o.testid)) == 1)
			strbuf_addf(&line, "%s %s: bisection %lld of it since the last "
			    "push", o.job, o.testid, (long long)id);
		if (rc < 0)
			break;
		if (rc == 1) {
			rc = 0;
		} else if ((rc = bisection_start(lab, &o, &id, &e)) == 0) {
			strbuf_addf(&line, "%s %s: bisection %lld started", o.job,
			    o.testid, (long long)id);
			started++;
		} else {
			/* One that cannot be bisected does not stop the others. */
			strbuf_addf(&line, "%s %s: not bisected: %s", o.job, o.testid,
			    e.buf);
			rc = 0;
		}
		say(line.buf, ctx);
	}
	strvec_clear(&rows);
	strbuf_release(&line);
	strbuf_release(&e);
	return rc < 0 ? rc : started;
}

static const char open_of_sql[] =
	"SELECT id FROM bisections WHERE finished IS NULL AND branch = ?1"
	" ORDER BY id";

int
bisection_open_of(struct lab *lab, const char *branch, int64_t **ids,
    size_t *n, struct strbuf *err)
{
	sqlite3_stmt *st;
	int rc;

	*ids = NULL;
	*n = 0;
	if ((rc = db_query(&lab->db, &st, open_of_sql, err, "s", branch)) < 0)
		return rc;
	while ((rc = db_row(&lab->db, st, err)) > 0) {
		*ids = xrealloc(*ids, (*n + 1) * sizeof(**ids));
		(*ids)[(*n)++] = sqlite3_column_int64(st, 0);
	}
	return rc;
}
