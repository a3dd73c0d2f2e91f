/*
 * report: judge a finished flight against its baseline and write reports
 * of it.  See report.h for the rules; this file owns the verdicts and
 * failures tables and reads the rest.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "err.h"
#include "json.h"
#include "report.h"
#include "tree.h"
#include "xalloc.h"
#include "banned.h"

/* At most this many of a branch's flights are history (OSSTEST: 1000). */
#define REPORT_HISTORY 1000
/* Rows of a job's and a host's HTML history. */
#define REPORT_JOB_ROWS 100
#define REPORT_HOST_ROWS 500
/* A broken step's detail: its log's last lines, this many, so long. */
#define REPORT_DETAIL_LINES 3
#define REPORT_DETAIL_MAX 300

static const char *const verdict_names[] = {
	"perfect", "tolerable", "regressions",
};

static const char *const class_names[] = {
	"regression", "baseline-fail", "heisenbug", "never-pass", "allowed",
	"broken", "job",
};

const char *
report_verdict_name(enum report_verdict v)
{
	if ((unsigned)v >= sizeof(verdict_names) / sizeof(verdict_names[0]))
		return "none";
	return verdict_names[v];
}

int
report_verdict_parse(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(verdict_names) / sizeof(verdict_names[0]); i++)
		if (strcmp(verdict_names[i], name) == 0)
			return (int)i;
	return -1;
}

const char *
report_class_name(enum report_class c)
{
	if ((unsigned)c >= sizeof(class_names) / sizeof(class_names[0]))
		return "none";
	return class_names[c];
}

/* --- revisions ------------------------------------------------------------ */

#define REVISION_PREFIX "revision_"

static void
revs_add(struct report_revs *rv, const char *tree, const char *rev)
{
	size_t i;

	if (*rev == '\0')
		return;
	for (i = 0; i < rv->nr; i++)
		if (strcmp(rv->v[i].tree, tree) == 0 && strcmp(rv->v[i].rev, rev) == 0)
			return;
	ALLOC_GROW(rv->v, rv->nr + 1, rv->alloc);
	rv->v[rv->nr].tree = xstrdup(tree);
	rv->v[rv->nr].rev = xstrdup(rev);
	rv->nr++;
}

/* A runvar revision_TREE=REV; ignored when name is not one. */
static void
revs_add_runvar(struct report_revs *rv, const char *name, const char *val)
{
	size_t n = strlen(REVISION_PREFIX);

	if (strncmp(name, REVISION_PREFIX, n) == 0 && name[n] != '\0')
		revs_add(rv, name + n, val);
}

static int
rev_cmp(const void *a, const void *b)
{
	const struct report_rev *x = a, *y = b;
	int c = strcmp(x->tree, y->tree);

	return c != 0 ? c : strcmp(x->rev, y->rev);
}

static void
revs_sort(struct report_revs *rv)
{
	if (rv->nr > 1)
		qsort(rv->v, rv->nr, sizeof(rv->v[0]), rev_cmp);
}

/* "tree=rev\n..." of sorted revs: equal keys, the same revisions. */
static char *
revs_key(const struct report_revs *rv)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (i = 0; i < rv->nr; i++)
		strbuf_addf(&sb, "%s=%s\n", rv->v[i].tree, rv->v[i].rev);
	return strbuf_detach(&sb, NULL);
}

static void
revs_release(struct report_revs *rv)
{
	size_t i;

	for (i = 0; i < rv->nr; i++) {
		free(rv->v[i].tree);
		free(rv->v[i].rev);
	}
	free(rv->v);
	memset(rv, 0, sizeof(*rv));
}

/* Does rv test tree at rev only (and at all)? */
static int
revs_only(const struct report_revs *rv, const char *tree, const char *rev)
{
	size_t i;
	int seen = 0;

	for (i = 0; i < rv->nr; i++) {
		if (strcmp(rv->v[i].tree, tree) != 0)
			continue;
		if (strcmp(rv->v[i].rev, rev) != 0)
			return 0;
		seen = 1;
	}
	return seen;
}

static const char revs_sql[] =
	"SELECT name, val FROM runvars WHERE flight = ?1"
	" AND name LIKE 'revision\\_%' ESCAPE '\\'";

/* The revisions a flight tested: its jobs' revision_TREE runvars. */
static int
revs_of_flight(struct lab *lab, int64_t flight, struct report_revs *rv,
    struct strbuf *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_query(&lab->db, &st, revs_sql, err, "i", flight)) < 0)
		return rc;
	while ((rc = db_row(&lab->db, st, err)) > 0)
		revs_add_runvar(rv, db_text(st, 0), db_text(st, 1));
	revs_sort(rv);
	return rc;
}

/* --- the branch's history ------------------------------------------------- */

/* A finished real flight of the branch older than the one judged. */
struct hist_flight {
	int64_t id;
	struct report_revs revs;
	char *key;
};

struct hist {
	struct hist_flight *v;	/* newest first */
	size_t nr, alloc;
};

static const char hist_sql[] =
	"SELECT f.flight, r.name, r.val FROM flights f"
	" LEFT JOIN runvars r ON r.flight = f.flight"
	"  AND r.name LIKE 'revision\\_%' ESCAPE '\\'"
	" WHERE f.flight IN (SELECT flight FROM flights"
	"  WHERE branch = ?1 AND blessing = 'real' AND finished IS NOT NULL"
	"  AND flight < ?2 ORDER BY flight DESC LIMIT ?3)"
	" ORDER BY f.flight DESC";

static int
hist_load(struct lab *lab, const char *branch, int64_t flight, struct hist *h,
    struct strbuf *err)
{
	sqlite3_stmt *st;
	size_t i;
	int rc;

	if ((rc = db_query(&lab->db, &st, hist_sql, err, "sid", branch, flight,
	    REPORT_HISTORY)) < 0)
		return rc;
	while ((rc = db_row(&lab->db, st, err)) > 0) {
		int64_t id = sqlite3_column_int64(st, 0);
		struct hist_flight *hf;

		if (h->nr == 0 || h->v[h->nr - 1].id != id) {
			ALLOC_GROW(h->v, h->nr + 1, h->alloc);
			hf = &h->v[h->nr++];
			memset(hf, 0, sizeof(*hf));
			hf->id = id;
		}
		hf = &h->v[h->nr - 1];
		if (!db_is_null(st, 1))
			revs_add_runvar(&hf->revs, db_text(st, 1), db_text(st, 2));
	}
	for (i = 0; i < h->nr; i++) {
		revs_sort(&h->v[i].revs);
		h->v[i].key = revs_key(&h->v[i].revs);
	}
	return rc;
}

static const struct hist_flight *
hist_find(const struct hist *h, int64_t id)
{
	size_t lo = 0, hi = h->nr;

	while (lo < hi) {	/* newest first: ids descending */
		size_t mid = lo + (hi - lo) / 2;

		if (h->v[mid].id == id)
			return &h->v[mid];
		if (h->v[mid].id > id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static void
hist_release(struct hist *h)
{
	size_t i;

	for (i = 0; i < h->nr; i++) {
		revs_release(&h->v[i].revs);
		free(h->v[i].key);
	}
	free(h->v);
	memset(h, 0, sizeof(*h));
}

/* --- the baseline --------------------------------------------------------- */

static const char pushed_sql[] =
	"SELECT p.new_rev FROM pushes p JOIN flights f ON f.flight = p.flight"
	" WHERE p.tree = ?1 AND p.outcome = 'pushed' AND f.branch = ?2"
	" AND p.flight < ?3 AND p.new_rev IS NOT NULL"
	" ORDER BY p.id DESC LIMIT 1";

/*
 * The revisions last pushed of the trees the flight tested: the newest
 * push made from an older flight of the branch, for each tree.
 */
static int
last_pushed(struct lab *lab, const struct report *r, struct report_revs *out,
    struct strbuf *err)
{
	sqlite3_stmt *st;
	size_t i;
	int rc = 0;

	for (i = 0; i < r->revs.nr; i++) {
		const char *tree = r->revs.v[i].tree;

		if (i > 0 && strcmp(tree, r->revs.v[i - 1].tree) == 0)
			continue;
		if ((rc = db_query(&lab->db, &st, pushed_sql, err, "ssi", tree,
		    r->flight.branch, r->flight.id)) < 0)
			return rc;
		if ((rc = db_row(&lab->db, st, err)) < 0)
			return rc;
		if (rc > 0) {
			revs_add(out, tree, db_text(st, 0));
			db_done(st);
		}
	}
	return 0;
}

static int
base_add(struct report *r, int64_t id)
{
	size_t i;

	for (i = 0; i < r->nbase; i++)
		if (r->base_flights[i] == id)
			return 0;
	r->base_flights = xrealloc(r->base_flights,
	    (r->nbase + 1) * sizeof(r->base_flights[0]));
	r->base_flights[r->nbase++] = id;
	return 1;
}

static int
id_desc(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? 1 : x > y ? -1 : 0;
}

static int
find_baseline(struct lab *lab, struct report *r, int64_t given,
    const struct hist *h, struct strbuf *err)
{
	struct report_revs pushed = { NULL, 0, 0 };
	const struct hist_flight *b;
	char *key;
	size_t i, k;
	int rc;

	if (given != 0) {
		struct flight g;

		if (given == r->flight.id)
			return err_setf(err, TS_E_INPUT,
			    "baseline %lld: is the flight judged", (long long)given);
		if ((rc = flight_get(lab, given, &g, err)) < 0)
			return err_wrapf(err, rc, "baseline");
		rc = g.finished == 0 ? err_setf(err, TS_E_INPUT,
		    "baseline flight %lld: not finished (%s)", (long long)given,
		    g.blessing) : 0;
		flight_release(&g);
		if (rc < 0)
			return rc;
		r->baseline = given;
		r->how = REPORT_BASE_GIVEN;
		if ((rc = revs_of_flight(lab, given, &r->base_revs, err)) < 0)
			return rc;
	} else {
		if ((rc = last_pushed(lab, r, &pushed, err)) < 0)
			goto out;
		r->how = pushed.nr > 0 ? REPORT_BASE_PUSHED : REPORT_BASE_NEWEST;
		for (i = 0; i < h->nr && r->baseline == 0; i++) {
			int ok = h->v[i].id < r->flight.id;

			for (k = 0; ok && k < pushed.nr; k++)
				ok = revs_only(&h->v[i].revs, pushed.v[k].tree,
				    pushed.v[k].rev);
			if (ok)
				r->baseline = h->v[i].id;
		}
		if (r->baseline == 0) {
			r->how = REPORT_BASE_NONE;
			goto out;
		}
		b = hist_find(h, r->baseline);
		for (i = 0; i < b->revs.nr; i++)
			revs_add(&r->base_revs, b->revs.v[i].tree, b->revs.v[i].rev);
	}
	/* The baseline flights: it, and the older ones at its revisions. */
	base_add(r, r->baseline);
	revs_sort(&r->base_revs);
	key = revs_key(&r->base_revs);
	for (i = 0; i < h->nr; i++)
		if (h->v[i].id < r->flight.id && strcmp(h->v[i].key, key) == 0)
			base_add(r, h->v[i].id);
	free(key);
	qsort(r->base_flights, r->nbase, sizeof(r->base_flights[0]), id_desc);
	rc = 0;
out:
	revs_release(&pushed);
	return rc;
}

static int
is_base(const struct report *r, int64_t id)
{
	size_t i;

	for (i = 0; i < r->nbase; i++)
		if (r->base_flights[i] == id)
			return 1;
	return 0;
}

/* --- allow files ---------------------------------------------------------- */

struct allow_rule {
	char *job, *testid;	/* testid NULL: any */
	char *where;		/* FILE:LINE */
};

struct allow {
	struct allow_rule *v;
	size_t nr, alloc;
};

/* A word of an allow line: printable, no OSSTEST @ wildcard. */
static int
allow_word_ok(const char *w, const char *path, int line, struct strbuf *err)
{
	const unsigned char *p;

	for (p = (const unsigned char *)w; *p != '\0'; p++) {
		if (*p == '@')
			return err_setf(err, TS_E_INPUT,
			    "%s:%d: '%s': @ is OSSTEST's wildcard; tlab's is *",
			    path, line, w);
		if (*p < 0x21 || *p == 0x7f)
			return err_setf(err, TS_E_INPUT,
			    "%s:%d: a control character in '%s'", path, line, w);
	}
	return 0;
}

/*
 * Lines "JOB [TESTID]", * matching any run of characters; # starts a
 * comment; blank lines are nothing.  Missing is TS_E_NOTFOUND when
 * quiet_missing, else bad input.
 */
static int
allow_read(const char *path, int quiet_missing, struct allow *a,
    struct strbuf *err)
{
	struct strbuf text = STRBUF_INIT;
	char *line, *next;
	int lineno = 0, rc = 0;

	if (strbuf_read_file(&text, path) < 0) {
		int missing = errno == ENOENT;

		strbuf_release(&text);
		if (missing && quiet_missing)
			return TS_E_NOTFOUND;
		return err_errno(err, TS_E_INPUT, "allow file %s", path);
	}
	for (line = text.buf; rc == 0 && line != NULL && *line != '\0'; line = next) {
		char *words[3], *p, *hash;
		int n = 0;

		lineno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if ((hash = strchr(line, '#')) != NULL)
			*hash = '\0';
		for (p = line; n < 3;) {
			p += strspn(p, " \t\r");
			if (*p == '\0')
				break;
			words[n++] = p;
			p += strcspn(p, " \t\r");
			if (*p != '\0')
				*p++ = '\0';
		}
		if (n == 0)
			continue;
		if (n == 3) {
			rc = err_setf(err, TS_E_INPUT,
			    "%s:%d: more than JOB and TESTID on the line", path, lineno);
			break;
		}
		if ((rc = allow_word_ok(words[0], path, lineno, err)) < 0 ||
		    (n == 2 && (rc = allow_word_ok(words[1], path, lineno, err)) < 0))
			break;
		ALLOC_GROW(a->v, a->nr + 1, a->alloc);
		a->v[a->nr].job = xstrdup(words[0]);
		a->v[a->nr].testid = n == 2 ? xstrdup(words[1]) : NULL;
		a->v[a->nr].where = xasprintf("%s:%d", path, lineno);
		a->nr++;
	}
	strbuf_release(&text);
	return rc;
}

static void
allow_release(struct allow *a)
{
	size_t i;

	for (i = 0; i < a->nr; i++) {
		free(a->v[i].job);
		free(a->v[i].testid);
		free(a->v[i].where);
	}
	free(a->v);
	memset(a, 0, sizeof(*a));
}

/* Does pattern (* any run of characters, all else itself) match s? */
static int
glob_match(const char *pat, const char *s)
{
	const char *star = NULL, *back = NULL;

	while (*s != '\0') {
		if (*pat == '*') {
			star = ++pat;
			back = s;
		} else if (*pat == *s) {
			pat++;
			s++;
		} else if (star != NULL) {
			pat = star;
			s = ++back;
		} else {
			return 0;
		}
	}
	while (*pat == '*')
		pat++;
	return *pat == '\0';
}

static const struct allow_rule *
allow_match(const struct allow *a, const char *job, const char *testid)
{
	size_t i;

	for (i = 0; i < a->nr; i++)
		if (glob_match(a->v[i].job, job) &&
		    (a->v[i].testid == NULL || glob_match(a->v[i].testid, testid)))
			return &a->v[i];
	return NULL;
}

static int
allow_load(struct lab *lab, const struct report_opts *o, const char *branch,
    struct allow *a, struct strbuf *used, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	int rc, i;

	if (o->allow != NULL) {
		strbuf_addstr(used, o->allow);
		return allow_read(o->allow, 0, a, err);
	}
	for (i = 0; i < 2; i++) {
		strbuf_reset(&path);
		if (i == 0)
			lab_path(lab, &path, "allow.all");
		else
			lab_path(lab, &path, "allow.%s", branch);
		rc = allow_read(path.buf, 1, a, err);
		if (rc == TS_E_NOTFOUND)
			continue;
		if (rc < 0)
			break;
		if (used->len > 0)
			strbuf_addch(used, ',');
		strbuf_addstr(used, path.buf);
	}
	strbuf_release(&path);
	return rc == TS_E_NOTFOUND ? 0 : rc;
}

/* --- judging -------------------------------------------------------------- */

/* A step's results in other flights: (flight, status), newest first. */
struct result {
	int64_t flight;
	enum ts_status status;
};

struct results {
	struct result *v;
	size_t nr, alloc;
};

static const char results_sql[] =
	"SELECT s.flight, s.status FROM steps s JOIN flights f ON f.flight = s.flight"
	" WHERE s.job = ?1 AND s.testid = ?2 AND s.flight <> ?3"
	" AND ((f.branch = ?4 AND f.blessing = 'real' AND f.finished IS NOT NULL)"
	"  OR s.flight = ?5)"
	" ORDER BY s.flight DESC";

/* Only flights of the history, and the baseline, count. */
static int
results_load(struct lab *lab, const struct report *r, const struct hist *h,
    const char *job, const char *testid, struct results *out, struct strbuf *err)
{
	sqlite3_stmt *st;
	int rc;

	out->nr = 0;
	if ((rc = db_query(&lab->db, &st, results_sql, err, "ssisi", job, testid,
	    r->flight.id, r->flight.branch, r->baseline)) < 0)
		return rc;
	while ((rc = db_row(&lab->db, st, err)) > 0) {
		int64_t id = sqlite3_column_int64(st, 0);

		if (id != r->baseline && hist_find(h, id) == NULL)
			continue;
		ALLOC_GROW(out->v, out->nr + 1, out->alloc);
		out->v[out->nr].flight = id;
		out->v[out->nr].status = status_parse(db_text(st, 1));
		out->nr++;
	}
	return rc;
}

/* Did the step run and not pass (blocked is "did not run")? */
static int
ran_bad(enum ts_status st)
{
	return st != ST_PASS && st != ST_BLOCKED;
}

static struct report_failure *
fail_add(struct report *r, const char *job, const struct step_row *s,
    enum report_class cls, int blocking, int64_t since, char *detail)
{
	struct report_failure *f;

	ALLOC_GROW(r->fail, r->nfail + 1, r->afail);
	f = &r->fail[r->nfail++];
	memset(f, 0, sizeof(*f));
	f->job = xstrdup(job);
	f->testid = xstrdup(s != NULL ? s->testid : "");
	f->stepno = s != NULL ? s->stepno : 0;
	f->cls = cls;
	f->blocking = blocking;
	f->since = since;
	f->detail = detail;
	f->log = s != NULL && s->log != NULL ? xstrdup(s->log) : NULL;
	if (blocking)
		r->nblocking++;
	return f;
}

/* The newest flight older than the judged one where the step passed. */
static int64_t
last_pass(const struct report *r, const struct results *res)
{
	size_t i;

	for (i = 0; i < res->nr; i++)
		if (res->v[i].flight < r->flight.id && res->v[i].status == ST_PASS)
			return res->v[i].flight;
	return 0;
}

static int
is_build_job(const char *job)
{
	return strncmp(job, "build", 5) == 0;
}

/* Class, blocking, since and detail of a failed step. */
static void
judge_fail(struct report *r, const struct hist *h, const char *fkey,
    const struct allow *a, const char *job, const struct step_row *s,
    const struct results *res)
{
	const struct allow_rule *rule;
	int64_t lp = last_pass(r, res), newest_base_pass = 0, base_bad = 0;
	int64_t first_bad = 0, heis = 0, oldest = 0;
	enum ts_status base_bad_st = ST_NONE;
	size_t i;

	if ((rule = allow_match(a, job, s->testid)) != NULL) {
		fail_add(r, job, s, REPORT_ALLOWED, 0, lp,
		    xasprintf("allowed by %s", rule->where))->status = s->status;
		return;
	}
	for (i = 0; i < res->nr; i++) {
		const struct result *x = &res->v[i];

		if (x->flight < r->flight.id)
			oldest = x->flight;
		if (x->flight < r->flight.id && x->flight > lp && ran_bad(x->status))
			first_bad = x->flight;
		if (is_base(r, x->flight)) {
			if (x->status == ST_PASS && newest_base_pass == 0)
				newest_base_pass = x->flight;
			if (ran_bad(x->status) && base_bad == 0) {
				base_bad = x->flight;
				base_bad_st = x->status;
			}
		}
		if (heis == 0 && x->status == ST_PASS && *fkey != '\0' &&
		    x->flight < r->flight.id) {
			const struct hist_flight *hf = hist_find(h, x->flight);

			if (hf != NULL && strcmp(hf->key, fkey) == 0)
				heis = x->flight;
		}
	}
	if (lp == 0 && (r->baseline == 0 || newest_base_pass == 0)) {
		fail_add(r, job, s, REPORT_NEVER_PASS, 0, oldest ? oldest : r->flight.id,
		    xasprintf("never passed on branch %s", r->flight.branch));
	} else if (is_build_job(job) && newest_base_pass == r->baseline &&
	    r->baseline != 0) {
		/* A build that the baseline built is broken now (OSSTEST 46). */
		fail_add(r, job, s, REPORT_REGRESSION, 1, r->baseline,
		    xasprintf("passed in baseline flight %lld", (long long)r->baseline));
	} else if (base_bad != 0) {
		fail_add(r, job, s, REPORT_BASELINE_FAIL, 0,
		    first_bad ? first_bad : r->flight.id,
		    xasprintf("%s in baseline flight %lld",
		    base_bad_st == ST_FAIL ? "failed" : status_name(base_bad_st),
		    (long long)base_bad));
	} else if (heis != 0) {
		fail_add(r, job, s, REPORT_HEISENBUG, 0, heis,
		    xasprintf("passed in flight %lld at the same revisions",
		    (long long)heis));
	} else if (newest_base_pass != 0) {
		fail_add(r, job, s, REPORT_REGRESSION, 1, newest_base_pass,
		    xasprintf("passed in baseline flight %lld",
		    (long long)newest_base_pass));
	} else {
		fail_add(r, job, s, REPORT_REGRESSION, 1, lp,
		    xasprintf("not run in the baseline flights; passed in flight %lld",
		    (long long)lp));
	}
	r->fail[r->nfail - 1].status = s->status;
}

/* One line from a broken step's log: why, in its own words. */
static char *
broken_detail(const struct lab *lab, const struct step_row *s, const struct job *j)
{
	struct strbuf sb = STRBUF_INIT, text = STRBUF_INIT, path = STRBUF_INIT;
	const char *lines[REPORT_DETAIL_LINES];
	size_t n = 0, i;
	char *p, *line;

	if (s->timed_out)
		strbuf_addstr(&sb, "timed out");
	else if (s->has_signal)
		strbuf_addf(&sb, "killed by signal %d", s->signal);
	else if (s->has_exit)
		strbuf_addf(&sb, "exit status %d", s->exit_code);
	else
		strbuf_addstr(&sb, status_name(s->status));
	if (s->log != NULL) {
		lab_path(lab, &path, "%s", s->log);
		if (strbuf_read_file(&text, path.buf) < 0)
			strbuf_reset(&text);
	}
	/* Keep the last lines that are neither the header nor the exit line. */
	for (line = text.buf; *line != '\0'; line = p) {
		if ((p = strchr(line, '\n')) != NULL)
			*p++ = '\0';
		else
			p = line + strlen(line);
		if (line[strspn(line, " \t\r")] == '\0' ||
		    strstr(line, " Z exit status ") != NULL ||
		    (strstr(line, " Z step ") != NULL && line == text.buf))
			continue;
		if (n == REPORT_DETAIL_LINES) {
			memmove(lines, lines + 1, sizeof(lines[0]) * (n - 1));
			n--;
		}
		lines[n++] = line;
	}
	if (n == 0 && j->why != NULL && *j->why != '\0')
		strbuf_addf(&sb, ": %s", j->why);
	for (i = 0; i < n; i++)
		strbuf_addf(&sb, "%s%s", i == 0 ? ": " : "; ", lines[i]);
	for (i = 0; i < sb.len; i++)
		if ((unsigned char)sb.buf[i] < 0x20)
			sb.buf[i] = ' ';
	if (sb.len > REPORT_DETAIL_MAX) {
		strbuf_setlen(&sb, REPORT_DETAIL_MAX - 3);
		strbuf_addstr(&sb, "...");
	}
	strbuf_release(&text);
	strbuf_release(&path);
	return strbuf_detach(&sb, NULL);
}

static const struct job *
find_job(const struct report *r, int64_t flight, const char *name)
{
	size_t i;

	if (flight != r->flight.id)
		return NULL;
	for (i = 0; i < r->jobs.nr; i++)
		if (strcmp(r->jobs.v[i].name, name) == 0)
			return &r->jobs.v[i];
	return NULL;
}

/*
 * A job that did not pass without a failed step.  A blocked job that
 * waits for a job of this flight that did not pass is not blocking: the
 * failure of the job it waits for decides.
 */
static void
judge_job(struct report *r, size_t ji)
{
	const struct job *j = &r->jobs.v[ji];
	const struct runvar_list *vars = &r->vars[ji];
	struct strbuf err = STRBUF_INIT;
	char *waits = NULL;
	size_t i;

	for (i = 0; j->status == ST_BLOCKED && i < vars->nr && waits == NULL; i++) {
		const struct job *dep;
		int64_t fl;
		char *name;

		if (!runvar_name_ends(vars->v[i].name, "job") ||
		    runvar_parse_jobref(vars->v[i].val, r->flight.id, &fl, &name,
		    &err) < 0)
			continue;
		dep = find_job(r, fl, name);
		if (dep != NULL && dep->status != ST_PASS)
			waits = xasprintf("waits for %s, which did not pass (%s)",
			    name, status_name(dep->status));
		free(name);
	}
	strbuf_release(&err);
	if (waits != NULL)
		fail_add(r, j->name, NULL, REPORT_JOB, 0, 0, waits)->status = j->status;
	else
		fail_add(r, j->name, NULL, REPORT_JOB, 1, 0,
		    xstrdup(j->why != NULL && *j->why != '\0' ? j->why :
		    "no step failed"))->status = j->status;
}

static int
judge_jobs(struct lab *lab, struct report *r, const struct hist *h,
    const struct allow *a, struct strbuf *err)
{
	struct results res = { NULL, 0, 0 };
	char *fkey = revs_key(&r->revs);
	size_t ji, k;
	int rc = 0;

	for (ji = 0; ji < r->jobs.nr && rc == 0; ji++) {
		const struct job *j = &r->jobs.v[ji];
		int bad = 0;

		if (j->attempt_of != NULL)
			continue;	/* a kept attempt: history */
		for (k = 0; k < r->steps.nr && rc == 0; k++) {
			const struct step_row *s = &r->steps.v[k];

			if (strcmp(s->job, j->name) != 0 || s->status == ST_PASS ||
			    s->status == ST_BLOCKED)
				continue;
			bad = 1;
			if (s->status != ST_FAIL) {
				if ((rc = results_load(lab, r, h, j->name, s->testid,
				    &res, err)) < 0)
					break;
				fail_add(r, j->name, s, REPORT_BROKEN, 1,
				    last_pass(r, &res),
				    broken_detail(lab, s, j))->status = s->status;
				continue;
			}
			if ((rc = results_load(lab, r, h, j->name, s->testid, &res,
			    err)) == 0)
				judge_fail(r, h, fkey, a, j->name, s, &res);
		}
		if (rc == 0 && !bad && j->status != ST_PASS)
			judge_job(r, ji);
	}
	free(res.v);
	free(fkey);
	return rc;
}

static int
load_flight(struct lab *lab, int64_t flight, struct report *r, struct strbuf *err)
{
	size_t i;
	int rc;

	if ((rc = flight_get(lab, flight, &r->flight, err)) < 0)
		return rc;
	if (r->flight.finished == 0 ||
	    strcmp(r->flight.blessing, BLESSING_CONSTRUCTING) == 0 ||
	    strcmp(r->flight.blessing, BLESSING_RUNNING) == 0)
		return err_setf(err, TS_E_INPUT,
		    "flight %lld: still %s; it is judged when it has finished",
		    (long long)flight, r->flight.blessing);
	if ((rc = job_list(lab, flight, &r->jobs, err)) < 0 ||
	    (rc = step_list(lab, flight, NULL, &r->steps, err)) < 0)
		return rc;
	r->vars = xcalloc(r->jobs.nr + 1, sizeof(r->vars[0]));
	for (i = 0; i < r->jobs.nr; i++) {
		size_t k;

		if ((rc = runvar_list(lab, flight, r->jobs.v[i].name, &r->vars[i],
		    err)) < 0)
			return rc;
		if (r->jobs.v[i].attempt_of != NULL)
			continue;
		for (k = 0; k < r->vars[i].nr; k++)
			revs_add_runvar(&r->revs, r->vars[i].v[k].name,
			    r->vars[i].v[k].val);
	}
	revs_sort(&r->revs);
	return 0;
}

int
report_judge(struct lab *lab, int64_t flight, const struct report_opts *o,
    struct report *r, struct strbuf *err)
{
	struct strbuf used = STRBUF_INIT;
	struct allow a = { NULL, 0, 0 };
	struct hist h = { NULL, 0, 0 };
	int rc;

	if ((rc = load_flight(lab, flight, r, err)) < 0 ||
	    (rc = allow_load(lab, o, r->flight.branch, &a, &used, err)) < 0 ||
	    (rc = hist_load(lab, r->flight.branch, flight, &h, err)) < 0 ||
	    (rc = find_baseline(lab, r, o->baseline, &h, err)) < 0 ||
	    (rc = judge_jobs(lab, r, &h, &a, err)) < 0)
		goto out;
	r->allow = used.len > 0 ? strbuf_detach(&used, NULL) : NULL;
	r->verdict = r->nfail == 0 ? REPORT_PERFECT :
	    r->nblocking == 0 ? REPORT_TOLERABLE : REPORT_REGRESSIONS;
	r->computed = clock_utc();
out:
	strbuf_release(&used);
	allow_release(&a);
	hist_release(&h);
	return rc;
}

void
report_release(struct report *r)
{
	size_t i;

	if (r->vars != NULL)
		for (i = 0; i < r->jobs.nr; i++)
			runvar_list_release(&r->vars[i]);
	free(r->vars);
	flight_release(&r->flight);
	job_list_release(&r->jobs);
	step_list_release(&r->steps);
	revs_release(&r->revs);
	revs_release(&r->base_revs);
	free(r->base_flights);
	for (i = 0; i < r->nfail; i++) {
		free(r->fail[i].job);
		free(r->fail[i].testid);
		free(r->fail[i].detail);
		free(r->fail[i].log);
	}
	free(r->fail);
	free(r->allow);
	memset(r, 0, sizeof(*r));
}

/* --- the database --------------------------------------------------------- */

static const char del_failures_sql[] = "DELETE FROM failures WHERE flight = ?1";
static const char del_verdict_sql[] = "DELETE FROM verdicts WHERE flight = ?1";
static const char ins_verdict_sql[] =
	"INSERT INTO verdicts (flight, verdict, baseline, blocking, computed)"
	" VALUES (?1, ?2, ?3, ?4, ?5)";
static const char ins_failure_sql[] =
	"INSERT INTO failures (flight, job, testid, status, class, blocking,"
	" since, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

int
report_store(struct lab *lab, const struct report *r, struct strbuf *err)
{
	int64_t id = r->flight.id;
	size_t i;
	int rc;

	if ((rc = db_begin(&lab->db, err)) < 0)
		return rc;
	if ((rc = db_run(&lab->db, del_failures_sql, err, "i", id)) >= 0)
		rc = db_run(&lab->db, del_verdict_sql, err, "i", id);
	if (rc >= 0)
		rc = db_run(&lab->db, ins_verdict_sql, err, "isjii", id,
		    report_verdict_name(r->verdict), r->baseline != 0, r->baseline,
		    (int64_t)r->nblocking, r->computed);
	for (i = 0; rc >= 0 && i < r->nfail; i++) {
		const struct report_failure *f = &r->fail[i];

		rc = db_run(&lab->db, ins_failure_sql, err, "issssdjs", id, f->job,
		    f->testid, status_name(f->status), report_class_name(f->cls),
		    f->blocking, f->since != 0, f->since, f->detail);
	}
	if (rc < 0)
		err_wrapf(err, rc, "flight %lld: storing the verdict", (long long)id);
	return db_end(&lab->db, rc < 0 ? rc : 0, err);
}

static const char stored_sql[] =
	"SELECT verdict, baseline, blocking, computed FROM verdicts WHERE flight = ?1";

int
report_stored_get(struct lab *lab, int64_t flight, struct report_stored *out,
    struct strbuf *err)
{
	sqlite3_stmt *st;
	int rc, v;

	if ((rc = db_query(&lab->db, &st, stored_sql, err, "i", flight)) < 0 ||
	    (rc = db_row(&lab->db, st, err)) <= 0)
		return rc;
	if ((v = report_verdict_parse(db_text(st, 0))) < 0) {
		rc = err_setf(err, TS_E_LAB, "flight %lld: stored verdict '%s' is not one",
		    (long long)flight, db_text(st, 0));
		db_done(st);
		return rc;
	}
	out->verdict = (enum report_verdict)v;
	out->baseline = sqlite3_column_int64(st, 1);
	out->blocking = sqlite3_column_int64(st, 2);
	out->computed = sqlite3_column_int64(st, 3);
	db_done(st);
	return 1;
}

static const char stored_failures_sql[] =
	"SELECT job, testid, status, class, blocking, since, detail FROM failures"
	" WHERE flight = ?1 ORDER BY blocking DESC, job, testid";

int
report_stored_failures(struct lab *lab, int64_t flight,
    int (*cb)(const struct report_failure *f, void *ctx), void *ctx,
    struct strbuf *err)
{
	sqlite3_stmt *st;
	size_t i;
	int rc;

	if ((rc = db_query(&lab->db, &st, stored_failures_sql, err, "i", flight)) < 0)
		return rc;
	while ((rc = db_row(&lab->db, st, err)) > 0) {
		struct report_failure f;
		const char *cls = db_text(st, 3);

		/* Borrowed from the row for the callback, never freed. */
		memset(&f, 0, sizeof(f));
		f.job = (char *)db_text(st, 0);
		f.testid = (char *)db_text(st, 1);
		f.status = status_parse(db_text(st, 2));
		f.cls = REPORT_JOB;
		for (i = 0; i < sizeof(class_names) / sizeof(class_names[0]); i++)
			if (strcmp(class_names[i], cls) == 0)
				f.cls = (enum report_class)i;
		f.blocking = sqlite3_column_int(st, 4) != 0;
		f.since = sqlite3_column_int64(st, 5);
		f.detail = (char *)db_text(st, 6);
		if ((rc = cb(&f, ctx)) < 0) {
			db_done(st);
			return rc;
		}
	}
	return rc;
}

/* --- what the writers share ----------------------------------------------- */

static const struct runvar_list *
job_vars(const struct report *r, const char *job)
{
	size_t i;

	for (i = 0; i < r->jobs.nr; i++)
		if (strcmp(r->jobs.v[i].name, job) == 0)
			return &r->vars[i];
	return NULL;
}

static int
is_host_var(const char *name)
{
	return strcmp(name, "host") == 0 || runvar_name_ends(name, "_host");
}

void
report_job_hosts(const struct report *r, const char *job, struct strbuf *out)
{
	const struct runvar_list *vars = job_vars(r, job);
	size_t i, k;

	for (i = 0; vars != NULL && i < vars->nr; i++) {
		int dup = 0;

		if (!is_host_var(vars->v[i].name) || *vars->v[i].val == '\0')
			continue;
		for (k = 0; k < i; k++)
			if (is_host_var(vars->v[k].name) &&
			    strcmp(vars->v[k].val, vars->v[i].val) == 0)
				dup = 1;
		if (dup)
			continue;
		if (out->len > 0)
			strbuf_addch(out, ',');
		strbuf_addstr(out, vars->v[i].val);
	}
}

/* The log's path under LAB/logs/. */
static const char *
log_under_logs(const char *log)
{
	return strncmp(log, "logs/", 5) == 0 ? log + 5 : log;
}

void
report_log_link(const struct lab *lab, const char *log, const char *log_url,
    struct strbuf *out)
{
	size_t n;

	if (log_url == NULL || *log_url == '\0') {
		lab_path(lab, out, "%s", log);
		return;
	}
	n = strlen(log_url);
	while (n > 0 && log_url[n - 1] == '/')
		n--;
	strbuf_add(out, log_url, n);
	strbuf_addf(out, "/%s", log_under_logs(log));
}

static const char *const base_how[] = {
	"none: no finished real flight of the branch qualifies",
	"at the revisions last pushed",
	"the newest real flight of the branch: nothing pushed yet",
	"given",
};

static const char *
rev_of(const struct report_revs *rv, const char *tree)
{
	size_t i;

	for (i = 0; i < rv->nr; i++)
		if (strcmp(rv->v[i].tree, tree) == 0)
			return rv->v[i].rev;
	return NULL;
}

/* --- text for mail -------------------------------------------------------- */

/* At most this many commits of a tree's log in the text. */
#define REPORT_LOG_COMMITS 300

struct text_log {
	struct strbuf *out;
	int n;
};

static int
text_log_commit(const struct tree_commit *c, void *ctx)
{
	struct text_log *tl = ctx;

	if (tl->n++ == REPORT_LOG_COMMITS) {
		strbuf_addf(tl->out, " (more: the first %d only)\n", REPORT_LOG_COMMITS);
		return 1;
	}
	strbuf_addf(tl->out, " %s %s\n", c->short_id, c->subject);
	return 0;
}

/*
 * Per tree whose revision moved from the baseline's: the commits between
 * them (git log BASE..TESTED).  A log that cannot be read is said, not an
 * error: the verdict does not depend on it.
 */
static void
text_tree_logs(struct lab *lab, const struct report *r, struct strbuf *out)
{
	struct strbuf err = STRBUF_INIT;
	size_t i;

	for (i = 0; i < r->revs.nr; i++) {
		const char *tree = r->revs.v[i].tree, *to = r->revs.v[i].rev;
		const char *from = rev_of(&r->base_revs, tree);
		struct text_log tl = { out, 0 };

		if (from == NULL || strcmp(from, to) == 0)
			continue;
		strbuf_addf(out, "\nLog of %s from %.12s to %.12s:\n", tree, from, to);
		strbuf_reset(&err);
		if (tree_log(lab, tree, from, to, text_log_commit, &tl, &err) < 0)
			strbuf_addf(out, " (not available: %s)\n", err.buf);
		else if (tl.n == 0)
			strbuf_addstr(out, " (no commits: the baseline's revision is newer)\n");
	}
	strbuf_release(&err);
}

static void
text_failure(const struct lab *lab, const struct report *r,
    const struct report_failure *f, const char *log_url, struct strbuf *out)
{
	struct strbuf hosts = STRBUF_INIT;

	strbuf_addf(out, " %s %s: %s", f->job,
	    *f->testid != '\0' ? f->testid : "(job)", status_name(f->status));
	if (f->cls != REPORT_BROKEN)
		strbuf_addf(out, ", %s", report_class_name(f->cls));
	/* "regression since flight N"; "broken, last passed in flight N" */
	if (f->since != 0)
		strbuf_addf(out, "%s flight %lld", f->cls == REPORT_BROKEN ||
		    f->cls == REPORT_ALLOWED ? ", last passed in" : " since",
		    (long long)f->since);
	strbuf_addch(out, '\n');
	if (f->detail != NULL && *f->detail != '\0')
		strbuf_addf(out, "   %s\n", f->detail);
	report_job_hosts(r, f->job, &hosts);
	if (hosts.len > 0)
		strbuf_addf(out, "   host %s\n", hosts.buf);
	if (f->log != NULL) {
		strbuf_addstr(out, "   log ");
		report_log_link(lab, f->log, log_url, out);
		strbuf_addch(out, '\n');
	}
	strbuf_release(&hosts);
}

static void
text_section(const struct lab *lab, const struct report *r, const char *title,
    int blocking, int cls, const char *log_url, struct strbuf *out)
{
	size_t i;
	int any = 0;

	for (i = 0; i < r->nfail; i++) {
		const struct report_failure *f = &r->fail[i];

		if (f->blocking != blocking || (cls >= 0 && (int)f->cls != cls))
			continue;
		if (!any)
			strbuf_addf(out, "\n%s:\n", title);
		any = 1;
		text_failure(lab, r, f, log_url, out);
	}
}

void
report_text(struct lab *lab, const struct report *r, const char *log_url,
    struct strbuf *out)
{
	size_t i;

	strbuf_addf(out, "%lld: %s\n", (long long)r->flight.id,
	    report_verdict_name(r->verdict));
	strbuf_addf(out, "flight %lld  branch %s  blessing %s\n",
	    (long long)r->flight.id, r->flight.branch, r->flight.blessing);
	if (r->baseline != 0)
		strbuf_addf(out, "baseline flight %lld (%s)\n", (long long)r->baseline,
		    base_how[r->how]);
	else
		strbuf_addf(out, "baseline %s\n", base_how[REPORT_BASE_NONE]);
	if (r->nbase > 1) {
		strbuf_addstr(out, "baseline flights");
		for (i = 0; i < r->nbase; i++)
			strbuf_addf(out, " %lld", (long long)r->base_flights[i]);
		strbuf_addch(out, '\n');
	}
	if (r->allow != NULL)
		strbuf_addf(out, "allow %s\n", r->allow);
	if (r->verdict == REPORT_PERFECT)
		strbuf_addstr(out, "\nEvery job passed.\n");
	text_section(lab, r, "Tests which did not succeed and are blocking", 1, -1,
	    log_url, out);
	text_section(lab, r, "Tests which are failing intermittently (heisenbug, not blocking)",
	    0, REPORT_HEISENBUG, log_url, out);
	text_section(lab, r, "Tests which failed in the baseline too (baseline-fail, not blocking)",
	    0, REPORT_BASELINE_FAIL, log_url, out);
	text_section(lab, r, "Tests which never passed (never-pass, not blocking)",
	    0, REPORT_NEVER_PASS, log_url, out);
	text_section(lab, r, "Failures which are allowed (allowed, not blocking)",
	    0, REPORT_ALLOWED, log_url, out);
	text_section(lab, r, "Jobs which could not run (job, not blocking)",
	    0, REPORT_JOB, log_url, out);

	strbuf_addstr(out, "\nRevisions tested:\n");
	if (r->revs.nr == 0)
		strbuf_addstr(out, " (none recorded)\n");
	for (i = 0; i < r->revs.nr; i++) {
		const char *b = rev_of(&r->base_revs, r->revs.v[i].tree);

		strbuf_addf(out, " %s %s", r->revs.v[i].tree, r->revs.v[i].rev);
		if (b != NULL && strcmp(b, r->revs.v[i].rev) != 0)
			strbuf_addf(out, "  (baseline %s)", b);
		else if (b != NULL)
			strbuf_addstr(out, "  (as the baseline)");
		strbuf_addch(out, '\n');
	}
	text_tree_logs(lab, r, out);
	strbuf_addstr(out, "\nJobs:\n");
	for (i = 0; i < r->jobs.nr; i++) {
		const struct job *j = &r->jobs.v[i];

		strbuf_addf(out, " %-30s %s", j->name, status_name(j->status));
		if (j->attempt_of != NULL)
			strbuf_addf(out, " (an attempt of %s, run again)", j->attempt_of);
		if (j->status != ST_PASS && j->why != NULL && *j->why != '\0')
			strbuf_addf(out, ": %s", j->why);
		strbuf_addch(out, '\n');
	}
}

/* --- JSON ----------------------------------------------------------------- */

static void
json_revs(struct json *j, const char *key, const struct report_revs *rv)
{
	size_t i;

	json_key(j, key);
	json_arr_begin(j);
	for (i = 0; i < rv->nr; i++) {
		json_obj_begin(j);
		json_kv_str(j, "tree", rv->v[i].tree);
		json_kv_str(j, "revision", rv->v[i].rev);
		json_obj_end(j);
	}
	json_arr_end(j);
}

void
report_json(const struct lab *lab, const struct report *r, const char *log_url,
    struct strbuf *out)
{
	struct strbuf sb = STRBUF_INIT;
	struct json j;
	size_t i, k;

	json_init(&j, out);
	json_obj_begin(&j);
	json_kv_int(&j, "flight", r->flight.id);
	json_kv_str(&j, "branch", r->flight.branch);
	json_kv_str(&j, "blessing", r->flight.blessing);
	json_kv_str(&j, "verdict", report_verdict_name(r->verdict));
	json_kv_opt_int(&j, "baseline", r->baseline != 0, r->baseline);
	json_kv_str(&j, "baseline_how", base_how[r->how]);
	json_key(&j, "baseline_flights");
	json_arr_begin(&j);
	for (i = 0; i < r->nbase; i++)
		json_int(&j, r->base_flights[i]);
	json_arr_end(&j);
	json_kv_int(&j, "blocking", (int64_t)r->nblocking);
	json_kv_str(&j, "allow", r->allow);
	json_kv_int(&j, "computed", r->computed);
	json_revs(&j, "revisions", &r->revs);
	json_revs(&j, "baseline_revisions", &r->base_revs);
	json_key(&j, "failures");
	json_arr_begin(&j);
	for (i = 0; i < r->nfail; i++) {
		const struct report_failure *f = &r->fail[i];

		json_obj_begin(&j);
		json_kv_str(&j, "job", f->job);
		json_kv_str(&j, "testid", f->testid);
		json_kv_opt_int(&j, "stepno", f->stepno != 0, f->stepno);
		json_kv_str(&j, "status", status_name(f->status));
		json_kv_str(&j, "class", report_class_name(f->cls));
		json_key(&j, "blocking");
		json_bool(&j, f->blocking);
		json_kv_opt_int(&j, "since", f->since != 0, f->since);
		json_kv_str(&j, "detail", f->detail);
		strbuf_reset(&sb);
		report_job_hosts(r, f->job, &sb);
		json_kv_str(&j, "hosts", sb.buf);
		json_kv_str(&j, "log", f->log);
		strbuf_reset(&sb);
		if (f->log != NULL)
			report_log_link(lab, f->log, log_url, &sb);
		json_kv_str(&j, "link", f->log != NULL ? sb.buf : NULL);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_key(&j, "jobs");
	json_arr_begin(&j);
	for (i = 0; i < r->jobs.nr; i++) {
		const struct job *jb = &r->jobs.v[i];

		json_obj_begin(&j);
		json_kv_str(&j, "job", jb->name);
		json_kv_str(&j, "status", status_name(jb->status));
		json_kv_str(&j, "why", jb->why);
		json_kv_str(&j, "attempt_of", jb->attempt_of);
		strbuf_reset(&sb);
		report_job_hosts(r, jb->name, &sb);
		json_kv_str(&j, "hosts", sb.buf);
		json_key(&j, "steps");
		json_arr_begin(&j);
		for (k = 0; k < r->steps.nr; k++) {
			const struct step_row *s = &r->steps.v[k];

			if (strcmp(s->job, jb->name) != 0)
				continue;
			json_obj_begin(&j);
			json_kv_int(&j, "stepno", s->stepno);
			json_kv_str(&j, "testid", s->testid);
			json_kv_str(&j, "status", status_name(s->status));
			json_kv_int(&j, "started", s->started);
			json_kv_opt_int(&j, "finished", s->finished != 0, s->finished);
			json_kv_str(&j, "log", s->log);
			json_obj_end(&j);
		}
		json_arr_end(&j);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_obj_end(&j);
	strbuf_addch(out, '\n');
	strbuf_release(&sb);
}

/* --- what an earlier run stored ------------------------------------------- */

struct stored_out {
	struct strbuf *out;
	struct json *j;		/* NULL: text */
};

static int
stored_one(const struct report_failure *f, void *ctx)
{
	struct stored_out *so = ctx;

	if (so->j == NULL) {
		strbuf_addf(so->out, " %s %s: %s, %s%s", f->job,
		    *f->testid != '\0' ? f->testid : "(job)", status_name(f->status),
		    report_class_name(f->cls), f->blocking ? ", blocking" : "");
		if (f->since != 0)
			strbuf_addf(so->out, ", flight %lld", (long long)f->since);
		strbuf_addf(so->out, "\n   %s\n", f->detail);
		return 0;
	}
	json_obj_begin(so->j);
	json_kv_str(so->j, "job", f->job);
	json_kv_str(so->j, "testid", f->testid);
	json_kv_str(so->j, "status", status_name(f->status));
	json_kv_str(so->j, "class", report_class_name(f->cls));
	json_key(so->j, "blocking");
	json_bool(so->j, f->blocking);
	json_kv_opt_int(so->j, "since", f->since != 0, f->since);
	json_kv_str(so->j, "detail", f->detail);
	json_obj_end(so->j);
	return 0;
}

int
report_stored_write(struct lab *lab, int64_t flight, int as_json,
    struct strbuf *out, struct strbuf *err)
{
	struct report_stored v;
	struct stored_out so = { out, NULL };
	struct json j;
	int rc;

	if ((rc = report_stored_get(lab, flight, &v, err)) < 0)
		return rc;
	if (rc == 0)
		return err_setf(err, TS_E_INPUT,
		    "flight %lld: no verdict stored (ts-report %lld judges it)",
		    (long long)flight, (long long)flight);
	if (as_json) {
		so.j = &j;
		json_init(&j, out);
		json_obj_begin(&j);
		json_kv_int(&j, "flight", flight);
		json_kv_str(&j, "verdict", report_verdict_name(v.verdict));
		json_kv_opt_int(&j, "baseline", v.baseline != 0, v.baseline);
		json_kv_int(&j, "blocking", v.blocking);
		json_kv_int(&j, "computed", v.computed);
		json_key(&j, "failures");
		json_arr_begin(&j);
	} else {
		strbuf_addf(out, "%lld: %s\n", (long long)flight,
		    report_verdict_name(v.verdict));
		strbuf_addstr(out, "judged ");
		clock_add_utc(out, v.computed);
		if (v.baseline != 0)
			strbuf_addf(out, " against flight %lld", (long long)v.baseline);
		strbuf_addf(out, ", %lld blocking\n", (long long)v.blocking);
	}
	if ((rc = report_stored_failures(lab, flight, stored_one, &so, err)) < 0)
		return rc;
	if (as_json) {
		json_arr_end(&j);
		json_obj_end(&j);
		strbuf_addch(out, '\n');
	}
	return (int)v.verdict;
}

/* --- JUnit XML, HTML ------------------------------------------------------ */

/* Text for XML and HTML: markup characters escaped, control bytes gone. */
static void
add_esc(struct strbuf *out, const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '&': strbuf_addstr(out, "&amp;"); break;
		case '<': strbuf_addstr(out, "&lt;"); break;
		case '>': strbuf_addstr(out, "&gt;"); break;
		case '"': strbuf_addstr(out, "&quot;"); break;
		case '\'': strbuf_addstr(out, "&#39;"); break;
		default:
			if (c < 0x20 && c != '\n' && c != '\t')
				strbuf_addch(out, '?');
			else if (c == 0x7f)
				strbuf_addch(out, '?');
			else
				strbuf_addch(out, c);
		}
	}
}

static void
add_iso_time(struct strbuf *out, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char buf[32];

	if (gmtime_r(&tt, &tm) != NULL &&
	    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm) > 0)
		strbuf_addstr(out, buf);
}

static const struct report_failure *
failure_of(const struct report *r, const char *job, const char *testid)
{
	size_t i;

	for (i = 0; i < r->nfail; i++)
		if (strcmp(r->fail[i].job, job) == 0 &&
		    strcmp(r->fail[i].testid, testid) == 0)
			return &r->fail[i];
	return NULL;
}

static int64_t
step_secs(const struct step_row *s)
{
	return s->finished >= s->started && s->finished != 0 ?
	    s->finished - s->started : 0;
}

struct junit_count {
	int tests, failures, errors, skipped;
	int64_t time;
};

/* A job's testcases; counts in c.  The job's own failure, when its steps
 * do not show it, is a testcase "(job)". */
static void
junit_job(const struct report *r, const struct job *j, struct strbuf *out,
    struct junit_count *c)
{
	const struct report_failure *jf = failure_of(r, j->name, "");
	size_t k;
	int blocked_step = 0;

	for (k = 0; k < r->steps.nr; k++) {
		const struct step_row *s = &r->steps.v[k];
		const struct report_failure *f;

		if (strcmp(s->job, j->name) != 0)
			continue;
		c->tests++;
		c->time += step_secs(s);
		strbuf_addstr(out, "    <testcase classname=\"");
		add_esc(out, j->name);
		strbuf_addstr(out, "\" name=\"");
		add_esc(out, s->testid);
		strbuf_addf(out, "\" time=\"%lld\"", (long long)step_secs(s));
		if (s->status == ST_PASS) {
			strbuf_addstr(out, "/>\n");
			continue;
		}
		strbuf_addstr(out, ">\n");
		f = failure_of(r, j->name, s->testid);
		if (s->status == ST_BLOCKED) {
			c->skipped++;
			blocked_step = 1;
			strbuf_addstr(out, "      <skipped message=\"blocked\"/>\n");
		} else {
			const char *el = s->status == ST_FAIL ? "failure" : "error";

			if (s->status == ST_FAIL)
				c->failures++;
			else
				c->errors++;
			strbuf_addf(out, "      <%s type=\"%s\" message=\"%s", el,
			    f != NULL ? report_class_name(f->cls) : status_name(s->status),
			    status_name(s->status));
			if (f != NULL && f->cls != REPORT_BROKEN)
				strbuf_addf(out, ": %s", report_class_name(f->cls));
			if (f != NULL && f->blocking)
				strbuf_addstr(out, ", blocking");
			strbuf_addstr(out, "\">");
			if (f != NULL)
				add_esc(out, f->detail);
			if (s->log != NULL) {
				strbuf_addstr(out, "\nlog: ");
				add_esc(out, s->log);
			}
			strbuf_addf(out, "</%s>\n", el);
		}
		strbuf_addstr(out, "    </testcase>\n");
	}
	if (jf == NULL || (j->status == ST_BLOCKED && blocked_step))
		return;
	c->tests++;
	strbuf_addstr(out, "    <testcase classname=\"");
	add_esc(out, j->name);
	strbuf_addstr(out, "\" name=\"(job)\" time=\"0\">\n");
	if (j->status == ST_BLOCKED) {
		c->skipped++;
		strbuf_addstr(out, "      <skipped message=\"");
		add_esc(out, jf->detail);
		strbuf_addstr(out, "\"/>\n");
	} else {
		c->errors++;
		strbuf_addf(out, "      <error type=\"job\" message=\"%s\">",
		    status_name(j->status));
		add_esc(out, jf->detail);
		strbuf_addstr(out, "</error>\n");
	}
	strbuf_addstr(out, "    </testcase>\n");
}

void
report_junit(const struct report *r, struct strbuf *out)
{
	struct strbuf suites = STRBUF_INIT, cases = STRBUF_INIT;
	struct junit_count all = { 0, 0, 0, 0, 0 };
	size_t i;

	for (i = 0; i < r->jobs.nr; i++) {
		const struct job *j = &r->jobs.v[i];
		struct junit_count c = { 0, 0, 0, 0, 0 };

		if (j->attempt_of != NULL)
			continue;
		strbuf_reset(&cases);
		junit_job(r, j, &cases, &c);
		strbuf_addstr(&suites, "  <testsuite name=\"");
		add_esc(&suites, j->name);
		strbuf_addf(&suites, "\" tests=\"%d\" failures=\"%d\" errors=\"%d\""
		    " skipped=\"%d\" time=\"%lld\"", c.tests, c.failures, c.errors,
		    c.skipped, (long long)c.time);
		if (j->started != 0) {
			strbuf_addstr(&suites, " timestamp=\"");
			add_iso_time(&suites, j->started);
			strbuf_addch(&suites, '"');
		}
		strbuf_addf(&suites, ">\n    <properties>\n"
		    "      <property name=\"status\" value=\"%s\"/>\n"
		    "    </properties>\n%s  </testsuite>\n",
		    status_name(j->status), cases.buf);
		all.tests += c.tests;
		all.failures += c.failures;
		all.errors += c.errors;
		all.skipped += c.skipped;
		all.time += c.time;
	}
	strbuf_addstr(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	strbuf_addf(out, "<testsuites name=\"flight %lld ", (long long)r->flight.id);
	add_esc(out, r->flight.branch);
	strbuf_addf(out, ": %s\" tests=\"%d\" failures=\"%d\" errors=\"%d\""
	    " skipped=\"%d\" time=\"%lld\">\n", report_verdict_name(r->verdict),
	    all.tests, all.failures, all.errors, all.skipped, (long long)all.time);
	strbuf_addstr(out, suites.buf);
	strbuf_addstr(out, "</testsuites>\n");
	strbuf_release(&suites);
	strbuf_release(&cases);
}

/* --- HTML ----------------------------------------------------------------- */

int
report_write_file(const char *path, const struct strbuf *sb, struct strbuf *err)
{
	struct strbuf tmp = STRBUF_INIT;
	size_t off = 0;
	int fd, rc = 0;

	strbuf_addf(&tmp, "%s.tmp.%ld", path, (long)getpid());
	if ((fd = open(tmp.buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
		rc = err_errno(err, TS_E_INPUT, "%s", tmp.buf);
		goto out;
	}
	while (off < sb->len) {
		ssize_t n = write(fd, sb->buf + off, sb->len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = err_errno(err, TS_E_LAB, "%s: write", tmp.buf);
			break;
		}
		off += (size_t)n;
	}
	if (close(fd) < 0 && rc == 0)
		rc = err_errno(err, TS_E_LAB, "%s: close", tmp.buf);
	if (rc == 0 && rename(tmp.buf, path) < 0)
		rc = err_errno(err, TS_E_LAB, "%s: rename to %s", tmp.buf, path);
	if (rc < 0)
		unlink(tmp.buf);
out:
	strbuf_release(&tmp);
	return rc;
}

/* How the pages reach the lab's logs. */
struct linker {
	const struct lab *lab;
	const char *log_url;	/* set: under this URL */
	struct strbuf up;	/* else when the pages are in the lab: "../.." */
	int in_lab;
};

/* A path for a URL: unreserved bytes and / as they are, others %XX. */
static void
add_url_path(struct strbuf *out, const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-._~/", c) != NULL)
			strbuf_addch(out, c);
		else
			strbuf_addf(out, "%%%02X", c);
	}
}

/* href="..." of a log, escaped for HTML. */
static void
add_log_href(const struct linker *lk, const char *log, struct strbuf *out)
{
	struct strbuf u = STRBUF_INIT;

	if (lk->log_url != NULL && *lk->log_url != '\0') {
		report_log_link(lk->lab, log, lk->log_url, &u);
	} else if (lk->in_lab) {
		strbuf_addstr(&u, lk->up.buf);
		add_url_path(&u, log);
	} else {
		strbuf_addstr(&u, "file://");
		add_url_path(&u, lk->lab->dir);
		strbuf_addch(&u, '/');
		add_url_path(&u, log);
	}
	add_esc(out, u.buf);
	strbuf_release(&u);
}

static int
linker_init(struct linker *lk, const struct lab *lab, const char *dir,
    const char *log_url, struct strbuf *err)
{
	char *rdir, *rlab;
	size_t n;
	const char *p;

	memset(lk, 0, sizeof(*lk));
	lk->lab = lab;
	lk->log_url = log_url;
	strbuf_init(&lk->up, 0);
	if ((rdir = realpath(dir, NULL)) == NULL)
		return err_errno(err, TS_E_INPUT, "%s", dir);
	if ((rlab = realpath(lab->dir, NULL)) == NULL) {
		free(rdir);
		return err_errno(err, TS_E_LAB, "%s", lab->dir);
	}
	n = strlen(rlab);
	if (strncmp(rdir, rlab, n) == 0 && (rdir[n] == '\0' || rdir[n] == '/')) {
		lk->in_lab = 1;
		for (p = rdir + n; *p != '\0'; p++)
			if (*p == '/' && p[1] != '\0' && p[1] != '/')
				strbuf_addstr(&lk->up, "../");
	}
	free(rdir);
	free(rlab);
	return 0;
}

/* A name as part of a file name: letters, digits, ._+~- and else _. */
static void
add_file_name(struct strbuf *out, const char *prefix, const char *name)
{
	strbuf_addstr(out, prefix);
	for (; *name != '\0'; name++) {
		unsigned char c = (unsigned char)*name;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("._+~-", c) != NULL)
			strbuf_addch(out, c);
		else
			strbuf_addch(out, '_');
	}
	strbuf_addstr(out, ".html");
}

static const char html_style[] =
	"body { font-family: sans-serif; font-size: 14px; }\n"
	"table { border-collapse: collapse; margin-bottom: 1em; }\n"
	"th, td { border: 1px solid #999; padding: 2px 6px; text-align: left;"
	" vertical-align: top; }\n"
	"th.testid { writing-mode: vertical-rl; transform: rotate(180deg); }\n"
	".st-pass { background: #8e8; }\n"
	".st-fail { background: #f9a; }\n"
	".st-broken { background: #fc6; }\n"
	".st-blocked { background: #c9f; }\n"
	".st-aborted { background: #bbb; }\n"
	".st-queued, .st-preparing, .st-running { background: #9cf; }\n"
	"td.none { background: #fff; }\n"
	"td.blocking { outline: 3px solid #c00; outline-offset: -3px;"
	" font-weight: bold; }\n"
	"tr.this { font-weight: bold; }\n"
	"small { color: #333; }\n";

static void
html_head(struct strbuf *out, const char *title)
{
	strbuf_addstr(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n<title>");
	add_esc(out, title);
	strbuf_addf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n",
	    html_style);
}

static void
html_foot(struct strbuf *out, const struct report *r)
{
	strbuf_addstr(out, "<p><small>");
	add_esc(out, lab_harness());
	strbuf_addstr(out, ", ");
	clock_add_utc(out, r->computed);
	strbuf_addstr(out, "</small></p>\n</body>\n</html>\n");
}

/* Testids as columns: each list merged in, a new one after its predecessor. */
struct cols {
	char **v;
	size_t nr, alloc;
};

static void
cols_add(struct cols *c, const char *id, size_t *after)
{
	size_t i;

	for (i = 0; i < c->nr; i++)
		if (strcmp(c->v[i], id) == 0) {
			*after = i + 1;
			return;
		}
	ALLOC_GROW(c->v, c->nr + 1, c->alloc);
	memmove(c->v + *after + 1, c->v + *after, (c->nr - *after) * sizeof(c->v[0]));
	c->v[*after] = xstrdup(id);
	c->nr++;
	(*after)++;
}

static void
cols_of_steps(struct cols *c, const struct step_list *l, const char *job)
{
	size_t k, after = 0;
	int first = 1;

	for (k = 0; k < l->nr; k++) {
		if (job != NULL && strcmp(l->v[k].job, job) != 0)
			continue;
		if (first)
			after = c->nr;	/* a new job's first testid goes last */
		first = 0;
		cols_add(c, l->v[k].testid, &after);
	}
}

static void
cols_release(struct cols *c)
{
	size_t i;

	for (i = 0; i < c->nr; i++)
		free(c->v[i]);
	free(c->v);
	memset(c, 0, sizeof(*c));
}

static void
html_legend(struct strbuf *out)
{
	static const char *const st[] = {
		"pass", "fail", "broken", "blocked", "aborted", "running",
	};
	size_t i;

	strbuf_addstr(out, "<h2>Legend</h2>\n<table class=\"legend\"><tr>");
	for (i = 0; i < sizeof(st) / sizeof(st[0]); i++)
		strbuf_addf(out, "<td class=\"st-%s\">%s</td>", st[i], st[i]);
	strbuf_addstr(out, "<td class=\"st-fail blocking\">blocks the push</td>"
	    "<td class=\"none\">not run</td></tr></table>\n");
}

/* A cell of a grid: the step's status, coloured, linking to its log. */
static void
html_cell(struct strbuf *out, const struct linker *lk, const char *job,
    const struct step_row *s, const struct report_failure *f)
{
	strbuf_addf(out, "<td class=\"st-%s%s\" data-job=\"", status_name(s->status),
	    f != NULL && f->blocking ? " blocking" : "");
	add_esc(out, job);
	strbuf_addstr(out, "\" data-testid=\"");
	add_esc(out, s->testid);
	strbuf_addstr(out, "\" title=\"");
	add_esc(out, s->testid);
	if (f != NULL) {
		strbuf_addstr(out, ": ");
		add_esc(out, f->detail);
	}
	strbuf_addstr(out, "\">");
	if (s->log != NULL) {
		strbuf_addstr(out, "<a href=\"");
		add_log_href(lk, s->log, out);
		strbuf_addstr(out, "\">");
	}
	strbuf_addstr(out, status_name(s->status));
	if (s->log != NULL)
		strbuf_addstr(out, "</a>");
	if (f != NULL)
		strbuf_addf(out, "<br><small>%s</small>", report_class_name(f->cls));
	strbuf_addstr(out, "</td>");
}

static void
html_hosts(struct strbuf *out, const char *hosts)
{
	const char *p = hosts;

	while (*p != '\0') {
		size_t n = strcspn(p, ",");
		char *h = xstrndup(p, n);
		struct strbuf fn = STRBUF_INIT;

		add_file_name(&fn, "host-", h);
		strbuf_addstr(out, "<a href=\"");
		add_esc(out, fn.buf);
		strbuf_addstr(out, "\">");
		add_esc(out, h);
		strbuf_addstr(out, "</a> ");
		strbuf_release(&fn);
		free(h);
		p += n;
		if (*p == ',')
			p++;
	}
}

static void
html_index(const struct report *r, const struct linker *lk, struct strbuf *out)
{
	struct strbuf title = STRBUF_INIT, hosts = STRBUF_INIT, fn = STRBUF_INIT;
	struct cols c = { NULL, 0, 0 };
	size_t i, k, t;

	strbuf_addf(&title, "flight %lld: %s", (long long)r->flight.id,
	    report_verdict_name(r->verdict));
	html_head(out, title.buf);
	strbuf_addstr(out, "<h1>");
	add_esc(out, title.buf);
	strbuf_addstr(out, "</h1>\n<p>branch ");
	add_esc(out, r->flight.branch);
	strbuf_addstr(out, ", blessing ");
	add_esc(out, r->flight.blessing);
	if (r->baseline != 0)
		strbuf_addf(out, "; baseline flight %lld (%s)", (long long)r->baseline,
		    base_how[r->how]);
	else
		strbuf_addf(out, "; baseline %s", base_how[REPORT_BASE_NONE]);
	strbuf_addf(out, "; %zu blocking</p>\n", r->nblocking);

	strbuf_addstr(out, "<h2>Revisions</h2>\n<table class=\"revs\">\n"
	    "<tr><th>tree</th><th>tested</th><th>baseline</th></tr>\n");
	for (i = 0; i < r->revs.nr; i++) {
		const char *b = rev_of(&r->base_revs, r->revs.v[i].tree);

		strbuf_addstr(out, "<tr><td>");
		add_esc(out, r->revs.v[i].tree);
		strbuf_addstr(out, "</td><td><code>");
		add_esc(out, r->revs.v[i].rev);
		strbuf_addstr(out, "</code></td><td><code>");
		add_esc(out, b != NULL ? b : "");
		strbuf_addstr(out, "</code></td></tr>\n");
	}
	strbuf_addstr(out, "</table>\n");

	if (r->nfail > 0) {
		strbuf_addstr(out, "<h2>Failures</h2>\n<table class=\"failures\">\n"
		    "<tr><th>job</th><th>testid</th><th>status</th><th>class</th>"
		    "<th>blocking</th><th>since</th><th>detail</th></tr>\n");
		for (i = 0; i < r->nfail; i++) {
			const struct report_failure *f = &r->fail[i];

			strbuf_addf(out, "<tr><td>");
			add_esc(out, f->job);
			strbuf_addstr(out, "</td><td>");
			add_esc(out, f->testid);
			strbuf_addf(out, "</td><td class=\"st-%s%s\">%s</td><td>%s</td>"
			    "<td>%s</td><td>", status_name(f->status),
			    f->blocking ? " blocking" : "", status_name(f->status),
			    report_class_name(f->cls), f->blocking ? "yes" : "no");
			if (f->since != 0)
				strbuf_addf(out, "%lld", (long long)f->since);
			strbuf_addstr(out, "</td><td>");
			add_esc(out, f->detail);
			strbuf_addstr(out, "</td></tr>\n");
		}
		strbuf_addstr(out, "</table>\n");
	}

	for (i = 0; i < r->jobs.nr; i++)
		cols_of_steps(&c, &r->steps, r->jobs.v[i].name);
	strbuf_addstr(out, "<h2>Jobs and steps</h2>\n<table class=\"grid\" id=\"grid\">\n"
	    "<thead><tr><th>job</th><th>status</th><th>hosts</th>");
	for (t = 0; t < c.nr; t++) {
		strbuf_addstr(out, "<th class=\"testid\" data-testid=\"");
		add_esc(out, c.v[t]);
		strbuf_addstr(out, "\">");
		add_esc(out, c.v[t]);
		strbuf_addstr(out, "</th>");
	}
	strbuf_addstr(out, "</tr></thead>\n<tbody>\n");
	for (i = 0; i < r->jobs.nr; i++) {
		const struct job *j = &r->jobs.v[i];
		const struct report_failure *jf = failure_of(r, j->name, "");

		strbuf_reset(&fn);
		add_file_name(&fn, "job-", j->name);
		strbuf_addstr(out, "<tr data-job=\"");
		add_esc(out, j->name);
		strbuf_addstr(out, "\"><th><a href=\"");
		add_esc(out, fn.buf);
		strbuf_addstr(out, "\">");
		add_esc(out, j->name);
		strbuf_addstr(out, "</a>");
		if (j->attempt_of != NULL)
			strbuf_addstr(out, "<br><small>an attempt, run again</small>");
		strbuf_addf(out, "</th><td class=\"st-%s%s\" title=\"", status_name(j->status),
		    jf != NULL && jf->blocking ? " blocking" : "");
		add_esc(out, j->why);
		strbuf_addf(out, "\">%s</td><td>", status_name(j->status));
		strbuf_reset(&hosts);
		report_job_hosts(r, j->name, &hosts);
		html_hosts(out, hosts.buf);
		strbuf_addstr(out, "</td>");
		for (t = 0; t < c.nr; t++) {
			const struct step_row *s = NULL;

			for (k = 0; k < r->steps.nr && s == NULL; k++)
				if (strcmp(r->steps.v[k].job, j->name) == 0 &&
				    strcmp(r->steps.v[k].testid, c.v[t]) == 0)
					s = &r->steps.v[k];
			if (s == NULL)
				strbuf_addstr(out, "<td class=\"none\"></td>");
			else
				html_cell(out, lk, j->name, s, j->attempt_of != NULL ?
				    NULL : failure_of(r, j->name, s->testid));
		}
		strbuf_addstr(out, "</tr>\n");
	}
	strbuf_addstr(out, "</tbody>\n</table>\n");
	html_legend(out);
	html_foot(out, r);
	cols_release(&c);
	strbuf_release(&title);
	strbuf_release(&hosts);
	strbuf_release(&fn);
}

static const char job_hist_sql[] =
	"SELECT j.flight, j.status, f.blessing FROM jobs j"
	" JOIN flights f ON f.flight = j.flight"
	" WHERE f.branch = ?1 AND j.job = ?2 AND j.flight <= ?3"
	" ORDER BY j.flight DESC LIMIT ?4";

static const char job_revs_sql[] =
	"SELECT name, val FROM runvars WHERE flight = ?1 AND job = ?2"
	" AND name LIKE 'revision\\_%' ESCAPE '\\' ORDER BY name";

struct hist_row {
	int64_t flight;
	enum ts_status status;
	char *blessing;
	struct strbuf revs;
	struct step_list steps;
};

static int
html_job(struct lab *lab, const struct report *r, const struct linker *lk,
    const char *job, struct strbuf *out, struct strbuf *err)
{
	struct hist_row *rows = NULL;
	struct cols c = { NULL, 0, 0 };
	struct strbuf title = STRBUF_INIT;
	size_t nrows = 0, arows = 0, i, k, t;
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_query(&lab->db, &st, job_hist_sql, err, "ssid",
	    r->flight.branch, job, r->flight.id, REPORT_JOB_ROWS)) < 0)
		return rc;
	while ((rc = db_row(&lab->db, st, err)) > 0) {
		ALLOC_GROW(rows, nrows + 1, arows);
		memset(&rows[nrows], 0, sizeof(rows[0]));
		rows[nrows].flight = sqlite3_column_int64(st, 0);
		rows[nrows].status = status_parse(db_text(st, 1));
		rows[nrows].blessing = db_strdup(st, 2);
		strbuf_init(&rows[nrows].revs, 0);
		nrows++;
	}
	for (i = 0; rc == 0 && i < nrows; i++) {
		struct hist_row *h = &rows[i];

		if ((rc = step_list(lab, h->flight, job, &h->steps, err)) < 0 ||
		    (rc = db_query(&lab->db, &st, job_revs_sql, err, "is", h->flight,
		    job)) < 0)
			break;
		while ((rc = db_row(&lab->db, st, err)) > 0) {
			const char *v = db_text(st, 1);

			if (h->revs.len > 0)
				strbuf_addch(&h->revs, ' ');
			strbuf_addf(&h->revs, "%s %.12s",
			    db_text(st, 0) + strlen(REVISION_PREFIX), v);
		}
	}
	for (i = nrows; rc == 0 && i > 0; i--)
		cols_of_steps(&c, &rows[i - 1].steps, NULL);
	if (rc == 0) {
		strbuf_addf(&title, "job %s, branch %s", job, r->flight.branch);
		html_head(out, title.buf);
		strbuf_addstr(out, "<h1>");
		add_esc(out, title.buf);
		strbuf_addf(out, "</h1>\n<p><a href=\"index.html\">flight %lld</a>; "
		    "the job in the branch's flights, newest first</p>\n"
		    "<table class=\"grid\">\n<thead><tr><th>flight</th><th>blessing</th>"
		    "<th>status</th><th>revisions</th>", (long long)r->flight.id);
		for (t = 0; t < c.nr; t++) {
			strbuf_addstr(out, "<th class=\"testid\">");
			add_esc(out, c.v[t]);
			strbuf_addstr(out, "</th>");
		}
		strbuf_addstr(out, "</tr></thead>\n<tbody>\n");
	}
	for (i = 0; rc == 0 && i < nrows; i++) {
		const struct hist_row *h = &rows[i];

		strbuf_addf(out, "<tr%s><td>%lld</td><td>", h->flight == r->flight.id ?
		    " class=\"this\"" : "", (long long)h->flight);
		add_esc(out, h->blessing);
		strbuf_addf(out, "</td><td class=\"st-%s\">%s</td><td><code>",
		    status_name(h->status), status_name(h->status));
		add_esc(out, h->revs.buf);
		strbuf_addstr(out, "</code></td>");
		for (t = 0; t < c.nr; t++) {
			const struct step_row *s = NULL;

			for (k = 0; k < h->steps.nr && s == NULL; k++)
				if (strcmp(h->steps.v[k].testid, c.v[t]) == 0)
					s = &h->steps.v[k];
			if (s == NULL)
				strbuf_addstr(out, "<td class=\"none\"></td>");
			else
				html_cell(out, lk, job, s, h->flight == r->flight.id ?
				    failure_of(r, job, s->testid) : NULL);
		}
		strbuf_addstr(out, "</tr>\n");
	}
	if (rc == 0) {
		strbuf_addstr(out, "</tbody>\n</table>\n");
		html_legend(out);
		html_foot(out, r);
	}
	for (i = 0; i < nrows; i++) {
		free(rows[i].blessing);
		strbuf_release(&rows[i].revs);
		step_list_release(&rows[i].steps);
	}
	free(rows);
	cols_release(&c);
	strbuf_release(&title);
	return rc;
}

static const char host_hist_sql[] =
	"SELECT s.flight, f.branch, s.job, s.stepno, s.testid, s.status,"
	" s.started, s.finished, s.log FROM steps s"
	" JOIN flights f ON f.flight = s.flight"
	" WHERE s.flight <= ?2 AND EXISTS (SELECT 1 FROM runvars r"
	"  WHERE r.flight = s.flight AND r.job = s.job AND r.val = ?1"
	"  AND (r.name = 'host' OR r.name LIKE '%\\_host' ESCAPE '\\'))"
	" ORDER BY s.flight DESC, s.job, s.stepno LIMIT ?3";

static int
html_host(struct lab *lab, const struct report *r, const struct linker *lk,
    const char *host, struct strbuf *out, struct strbuf *err)
{
	struct strbuf title = STRBUF_INIT;
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_query(&lab->db, &st, host_hist_sql, err, "sid", host,
	    r->flight.id, REPORT_HOST_ROWS)) < 0)
		return rc;
	strbuf_addf(&title, "host %s", host);
	html_head(out, title.buf);
	strbuf_addstr(out, "<h1>");
	add_esc(out, title.buf);
	strbuf_addf(out, "</h1>\n<p><a href=\"index.html\">flight %lld</a>; "
	    "the steps of the jobs that used the host, newest first</p>\n"
	    "<table class=\"steps\">\n<thead><tr><th>flight</th><th>branch</th>"
	    "<th>job</th><th>step</th><th>testid</th><th>status</th>"
	    "<th>started</th><th>seconds</th></tr></thead>\n<tbody>\n",
	    (long long)r->flight.id);
	while ((rc = db_row(&lab->db, st, err)) > 0) {
		const char *log = db_is_null(st, 8) ? NULL : db_text(st, 8);
		const char *status = db_text(st, 5);
		int64_t started = sqlite3_column_int64(st, 6);
		int64_t finished = sqlite3_column_int64(st, 7);

		strbuf_addf(out, "<tr%s><td>%lld</td><td>",
		    sqlite3_column_int64(st, 0) == r->flight.id ? " class=\"this\"" : "",
		    (long long)sqlite3_column_int64(st, 0));
		add_esc(out, db_text(st, 1));
		strbuf_addstr(out, "</td><td>");
		add_esc(out, db_text(st, 2));
		strbuf_addf(out, "</td><td>%lld</td><td>",
		    (long long)sqlite3_column_int64(st, 3));
		add_esc(out, db_text(st, 4));
		strbuf_addstr(out, "</td><td class=\"st-");
		add_esc(out, status);
		strbuf_addstr(out, "\">");
		if (log != NULL) {
			strbuf_addstr(out, "<a href=\"");
			add_log_href(lk, log, out);
			strbuf_addstr(out, "\">");
		}
		add_esc(out, status);
		if (log != NULL)
			strbuf_addstr(out, "</a>");
		strbuf_addstr(out, "</td><td>");
		clock_add_utc(out, started);
		strbuf_addstr(out, "</td><td>");
		if (finished >= started && finished != 0)
			strbuf_addf(out, "%lld", (long long)(finished - started));
		strbuf_addstr(out, "</td></tr>\n");
	}
	if (rc == 0) {
		strbuf_addstr(out, "</tbody>\n</table>\n");
		html_legend(out);
		html_foot(out, r);
	}
	strbuf_release(&title);
	return rc;
}

/* Write dir/name from out, then empty out. */
static int
html_write(const char *dir, const char *name, struct strbuf *out,
    struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	int rc;

	strbuf_addf(&path, "%s/%s", dir, name);
	rc = report_write_file(path.buf, out, err);
	strbuf_release(&path);
	strbuf_reset(out);
	return rc;
}

int
report_html(struct lab *lab, const struct report *r, const char *dir,
    const char *log_url, struct strbuf *err)
{
	struct strbuf out = STRBUF_INIT, fn = STRBUF_INIT, hosts = STRBUF_INIT;
	struct linker lk;
	const char *p;
	size_t i;
	int rc;

	if ((rc = lab_mkdirs(dir, 0755, err)) < 0)
		return err_wrapf(err, TS_E_INPUT, "html directory");
	if ((rc = linker_init(&lk, lab, dir, log_url, err)) < 0)
		return rc;
	html_index(r, &lk, &out);
	rc = html_write(dir, "index.html", &out, err);
	for (i = 0; rc == 0 && i < r->jobs.nr; i++) {
		const char *job = r->jobs.v[i].name;

		strbuf_reset(&fn);
		add_file_name(&fn, "job-", job);
		if ((rc = html_job(lab, r, &lk, job, &out, err)) == 0)
			rc = html_write(dir, fn.buf, &out, err);
		report_job_hosts(r, job, &hosts);
	}
	/* Each host once, though several jobs used it. */
	for (p = hosts.buf; rc == 0 && *p != '\0';) {
		size_t n = strcspn(p, ",");
		char *h = xstrndup(p, n);
		struct strbuf seen = STRBUF_INIT;

		strbuf_add(&seen, hosts.buf, (size_t)(p - hosts.buf));
		strbuf_addch(&seen, ',');
		strbuf_insertstr(&seen, 0, ",");
		strbuf_reset(&fn);
		strbuf_addf(&fn, ",%s,", h);
		if (n > 0 && strstr(seen.buf, fn.buf) == NULL) {
			strbuf_reset(&fn);
			add_file_name(&fn, "host-", h);
			if ((rc = html_host(lab, r, &lk, h, &out, err)) == 0)
				rc = html_write(dir, fn.buf, &out, err);
		}
		strbuf_release(&seen);
		free(h);
		p += n;
		if (*p == ',')
			p++;
	}
	strbuf_release(&lk.up);
	strbuf_release(&out);
	strbuf_release(&fn);
	strbuf_release(&hosts);
	return rc;
}
