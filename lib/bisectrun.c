/*
 * bisectrun: a bisection's steps, status, report and graph.  See
 * bisectrun.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bisectrun.h"
#include "clock.h"
#include "db.h"
#include "err.h"
#include "flight.h"
#include "flightrun.h"
#include "mail.h"
#include "proc.h"
#include "status.h"
#include "strvec.h"
#include "tree.h"
#include "xalloc.h"
#include "banned.h"

/* The job's mean duration over its finished runs on the branch. */
static const char job_secs_sql[] =
	"SELECT CAST(AVG(j.finished - j.started) AS INTEGER) FROM jobs j"
	" JOIN flights f ON f.flight = j.flight"
	" WHERE f.branch = ?1 AND j.job = ?2 AND j.started IS NOT NULL"
	" AND j.finished IS NOT NULL";

int
bisectrun_load(struct lab *lab, int64_t id, const struct bisect_opts *o,
    struct bisectrun *r, struct strbuf *err)
{
	struct bisect_opts opts = BISECT_OPTS_INIT;
	int rc;

	memset(r, 0, sizeof(*r));
	r->g = (struct revgraph)REVGRAPH_INIT;
	r->d = (struct bisect_decision)BISECT_DECISION_INIT;
	if ((rc = bisection_get(lab, id, &r->b, err)) < 0)
		return rc;
	if (o == NULL) {
		bisection_opts(lab, r->b.branch, &opts);
		o = &opts;
	}
	if ((rc = bisection_graph(lab, &r->b, &r->g, err)) < 0 ||
	    (rc = bisection_observe(lab, &r->b, &r->g, &r->obs, &r->src, &r->nobs,
	    err)) < 0 ||
	    (rc = bisection_nflights(lab, &r->b, &r->nflights, err)) < 0 ||
	    (rc = db_int(&lab->db, &r->job_secs, job_secs_sql, err, "ss",
	    r->b.branch, r->b.job)) < 0)
		goto fail;
	if ((rc = bisect_decide(&r->g, r->obs, r->nobs, o, &r->d, err)) < 0) {
		err_wrapf(err, TS_E_LAB, "bisection %lld", (long long)id);
		goto fail;
	}
	return 0;
fail:
	bisectrun_release(r);
	return rc;
}

void
bisectrun_release(struct bisectrun *r)
{
	size_t i;

	bisect_decision_release(&r->d);
	for (i = 0; i < r->nobs; i++)
		free(r->src[i]);
	free(r->src);
	free(r->obs);
	revgraph_release(&r->g);
	bisection_release(&r->b);
	memset(r, 0, sizeof(*r));
}

/* "abcdef123456" for a tuple, comma-joined per tree. */
static void
short_tuple(const struct revgraph *g, size_t node, struct strbuf *sb)
{
	size_t t;

	for (t = 0; t < g->ntree; t++)
		strbuf_addf(sb, "%s%.12s", t ? "," : "", g->node[node].rev[t]);
}

/* The tree whose commit node brings, and that commit: "xen 0123abcd". */
static void
node_change(const struct revgraph *g, size_t node, struct strbuf *sb)
{
	const struct revgraph_node *n = &g->node[node];

	if (n->tree < 0)
		strbuf_addstr(sb, "the basis");
	else
		strbuf_addf(sb, "%s %.12s", g->tree[n->tree], n->rev[n->tree]);
}

static void
summary_line(const struct bisectrun *r, struct strbuf *sb)
{
	const struct bisect_decision *d = &r->d;
	size_t i;

	switch (d->verdict) {
	case BISECT_FOUND:
	case BISECT_INCONSISTENT:
		strbuf_addstr(sb, "culprit ");
		node_change(&r->g, d->culprit, sb);
		break;
	case BISECT_RANGE:
		strbuf_addf(sb, "culprit one of %zu:", d->nrange);
		for (i = 0; i < d->nrange; i++) {
			strbuf_addch(sb, ' ');
			node_change(&r->g, d->range[i], sb);
		}
		break;
	case BISECT_UNREPRODUCIBLE:
		strbuf_addstr(sb, "not reproducible");
		break;
	case BISECT_NO_PAIR:
		strbuf_addstr(sb, "no usable pass/fail pair");
		break;
	default:
		strbuf_addstr(sb, "going on");
	}
	if (d->why.len > 0)
		strbuf_addf(sb, ": %s", d->why.buf);
}

/* The job's status in the bisection's last flights at one tuple. */
static const char tuple_flights_sql[] =
	"SELECT bf.flight, j.status FROM bisection_flights bf JOIN jobs j"
	" ON j.flight = bf.flight AND j.job = ?3"
	" WHERE bf.bisection = ?1 AND bf.tuple = ?2 ORDER BY bf.flight DESC";

/*
 * A tuple whose last BISECTRUN_FAULTS flights all ended broken or aborted
 * (the lab's fault: they say nothing of the test) is not tried again
 * forever: TS_E_LAB naming it and the last flight.
 */
static int
lab_faults(struct lab *lab, const struct bisectrun *r, struct strbuf *err)
{
	struct strbuf tuple = STRBUF_INIT;
	sqlite3_stmt *st;
	int64_t last = 0;
	int rc, n = 0;

	bisection_tuple(&r->g, r->d.node, &tuple);
	if ((rc = db_query(&lab->db, &st, tuple_flights_sql, err, "iss", r->b.id,
	    tuple.buf, r->b.job)) < 0)
		goto out;
	while (n < BISECTRUN_FAULTS && (rc = db_row(&lab->db, st, err)) > 0) {
		enum ts_status js = status_parse(db_text(st, 1));

		if (js != ST_BROKEN && js != ST_ABORTED)
			break;
		if (n++ == 0)
			last = sqlite3_column_int64(st, 0);
	}
	if (rc > 0)
		db_done(st);
	rc = rc < 0 ? rc : 0;
	if (rc == 0 && n >= BISECTRUN_FAULTS) {
		strbuf_reset(&tuple);
		node_change(&r->g, r->d.node, &tuple);
		rc = err_setf(err, TS_E_LAB, "bisection %lld: %s: the last %d "
		    "flights there ended broken or aborted, the lab's fault (flight "
		    "%lld); not tried again: ts-bisect mark it skip to go on without "
		    "it", (long long)r->b.id, tuple.buf, n, (long long)last);
	}
out:
	strbuf_release(&tuple);
	return rc;
}

static int step_locked(struct lab *lab, int64_t id,
    const struct bisectrun_opts *o, int64_t *flight, struct strbuf *said,
    struct strbuf *err);

/*
 * One step of a bisection at a time: an flock on LAB/locks/bisect.ID held
 * while it runs, the file naming its pid.  0 and *fd; BISECTRUN_BUSY with
 * the holder in said.
 */
static int
step_lock(struct lab *lab, int64_t id, int *fd, struct strbuf *said,
    struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT, held = STRBUF_INIT;
	char pid[32];
	int rc = 0;

	strbuf_addf(&path, "%s/locks", lab->dir);
	if (mkdir(path.buf, 0755) < 0 && errno != EEXIST) {
		rc = err_errno(err, TS_E_LAB, "%s", path.buf);
		goto out;
	}
	strbuf_addf(&path, "/bisect.%lld", (long long)id);
	if ((*fd = open(path.buf, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0) {
		rc = err_errno(err, TS_E_LAB, "%s", path.buf);
		goto out;
	}
	while (flock(*fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK) {
			rc = err_errno(err, TS_E_LAB, "lock %s", path.buf);
		} else {
			strbuf_read_file(&held, path.buf);
			strbuf_rtrim(&held);
			strbuf_addf(said, "bisection %lld: busy: a step runs already "
			    "(%s); nothing done", (long long)id,
			    held.len ? held.buf : path.buf);
			rc = BISECTRUN_BUSY;
		}
		close(*fd);
		*fd = -1;
		goto out;
	}
	snprintf(pid, sizeof(pid), "pid %ld\n", (long)getpid());
	if (ftruncate(*fd, 0) < 0 || pwrite(*fd, pid, strlen(pid), 0) < 0) {
		/* The lock holds all the same; only the message loses the pid. */
	}
out:
	strbuf_release(&path);
	strbuf_release(&held);
	return rc;
}

int
bisectrun_step(struct lab *lab, int64_t id, const struct bisectrun_opts *o,
    int64_t *flight, struct strbuf *said, struct strbuf *err)
{
	int fd = -1, rc;

	*flight = 0;
	if ((rc = step_lock(lab, id, &fd, said, err)) != 0)
		return rc;
	rc = step_locked(lab, id, o, flight, said, err);
	if (ftruncate(fd, 0) < 0) {
		/* An old pid in the file is only a message. */
	}
	close(fd);
	return rc;
}

static int
step_locked(struct lab *lab, int64_t id, const struct bisectrun_opts *o,
    int64_t *flight, struct strbuf *said, struct strbuf *err)
{
	struct flightrun_opts fo = { 0 };
	struct flightrun_result res;
	struct strbuf line = STRBUF_INIT;
	struct bisectrun r;
	int rc;

	*flight = 0;
	if ((rc = bisectrun_load(lab, id, o->bisect, &r, err)) < 0)
		return rc;
	if (r.b.finished != 0) {
		strbuf_addf(said, "bisection %lld: ended: %s", (long long)id,
		    r.b.summary ? r.b.summary : "");
		rc = r.b.verdict;
		goto out;
	}
	if (r.d.verdict != BISECT_TEST) {
		summary_line(&r, &line);
		if ((rc = bisection_finish(lab, &r.b, (int)r.d.verdict, line.buf,
		    err)) < 0)
			goto out;
		strbuf_addf(said, "bisection %lld: %s", (long long)id, line.buf);
		rc = (int)r.d.verdict;
		if (o->mail) {
			struct strbuf to = STRBUF_INIT;

			r.b.finished = clock_utc();
			r.b.verdict = rc;
			if ((rc = bisectrun_mail(lab, &r, &to, err)) < 0)
				err_wrapf(err, rc, "bisection %lld: the verdict is recorded "
				    "but not mailed", (long long)id);
			else
				strbuf_addf(said, "\nbisection %lld: mailed to %s",
				    (long long)id, to.buf);
			rc = rc < 0 ? rc : (int)r.d.verdict;
			strbuf_release(&to);
		}
		goto out;
	}
	if ((rc = lab_faults(lab, &r, err)) < 0)
		goto out;
	if (r.b.budget > 0 && r.nflights >= r.b.budget) {
		strbuf_addf(&line, "budget of %lld flights used; %zu candidates left",
		    (long long)r.b.budget, r.d.ncand);
		if ((rc = bisection_finish(lab, &r.b, BISECT_RANGE, line.buf, err)) < 0)
			goto out;
		strbuf_addf(said, "bisection %lld: %s", (long long)id, line.buf);
		rc = BISECT_RANGE;
		goto out;
	}
	if ((rc = bisection_make_flight(lab, &r.b, &r.g, r.d.node, r.d.why.buf,
	    flight, err)) < 0)
		goto out;
	strbuf_addf(&line, "bisection %lld: flight %lld: %s at ", (long long)id,
	    (long long)*flight, r.d.why.buf);
	node_change(&r.g, r.d.node, &line);
	if (o->progress != NULL)
		o->progress(line.buf, o->ctx);
	fo.parallel = o->parallel;
	fo.run_job = o->run_job;
	fo.progress = o->progress;
	fo.ctx = o->ctx;
	if ((rc = flightrun(lab, *flight, &fo, &res, err)) < 0) {
		err_wrapf(err, rc, "bisection %lld: flight %lld", (long long)id,
		    (long long)*flight);
		goto out;
	}
	strbuf_addstr(said, line.buf);
	rc = 0;
out:
	strbuf_release(&line);
	bisectrun_release(&r);
	return rc;
}

/* Per node: how many pass, fail and skip observations. */
struct counts {
	int pass, fail, skip;
};

static struct counts *
node_counts(const struct bisectrun *r)
{
	struct counts *c = xcalloc(r->g.n ? r->g.n : 1, sizeof(*c));
	size_t i;

	for (i = 0; i < r->nobs; i++) {
		struct counts *k = &c[r->obs[i].node];

		if (r->obs[i].result == BISECT_PASS)
			k->pass++;
		else if (r->obs[i].result == BISECT_FAIL)
			k->fail++;
		else
			k->skip++;
	}
	return c;
}

void
bisectrun_status(const struct bisectrun *r, struct strbuf *out)
{
	const struct bisection *b = &r->b;
	size_t t;

	strbuf_addf(out, "bisection %lld: %s %s on branch %s\n", (long long)b->id,
	    b->job, b->testid, b->branch);
	strbuf_addf(out, "failing:   flight %lld\nbasis:     flight %lld\nhosts:     %s\n",
	    (long long)b->fail_flight, (long long)b->basis_flight,
	    *b->hosts ? b->hosts : "(none named)");
	for (t = 0; t < b->ntree; t++)
		strbuf_addf(out, "tree:      %s %.12s..%.12s%s\n", b->tree[t].name,
		    b->tree[t].pass, b->tree[t].fail,
		    strcmp(b->tree[t].pass, b->tree[t].fail) == 0 ? " (fixed)" : "");
	strbuf_addf(out, "graph:     %zu tuples\n", r->g.n);
	strbuf_addf(out, "flights:   %lld run", (long long)r->nflights);
	if (b->budget > 0)
		strbuf_addf(out, " of a budget of %lld", (long long)b->budget);
	strbuf_addf(out, "; %zu results known\n", r->nobs);
	if (b->finished != 0) {
		strbuf_addf(out, "ended:     ");
		clock_add_utc(out, b->finished);
		strbuf_addf(out, ", exit %d: %s\n", b->verdict, b->summary ? b->summary : "");
		return;
	}
	strbuf_addf(out, "left:      %zu candidates\n", r->d.ncand);
	if (r->d.verdict == BISECT_TEST) {
		strbuf_addstr(out, "next:      ");
		short_tuple(&r->g, r->d.node, out);
		strbuf_addf(out, " (%s)\n", r->d.why.buf);
		strbuf_addf(out, "estimate:  %d more flights", r->d.est_flights);
		if (r->job_secs > 0) {
			strbuf_addstr(out, ", about ");
			clock_add_duration(out, r->job_secs * r->d.est_flights);
		}
		strbuf_addch(out, '\n');
	} else {
		strbuf_addstr(out, "verdict:   ");
		summary_line(r, out);
		strbuf_addf(out, " (ts-bisect step records it, exit %d)\n",
		    (int)r->d.verdict);
	}
}

struct log_ctx {
	struct strbuf *out;
	const char *tree;
	const char *url;
};

static int
report_commit(const struct tree_commit *c, void *ctx)
{
	struct log_ctx *l = ctx;

	strbuf_addf(l->out, "  tree:    %s %s\n  commit:  %s\n  author:  %s\n"
	    "  date:    ", l->tree, l->url, c->sha, c->author);
	clock_add_utc(l->out, c->time);
	strbuf_addf(l->out, "\n  subject: %s\n", c->subject);
	return 0;
}

/* The flights (or marks) that observed node, on one line. */
static void
evidence(const struct bisectrun *r, size_t node, struct strbuf *out)
{
	size_t i;
	int any = 0;

	for (i = 0; i < r->nobs; i++) {
		if (r->obs[i].node != node)
			continue;
		strbuf_addf(out, "%s%s %s", any++ ? ", " : "", r->src[i],
		    r->obs[i].result == BISECT_PASS ? "pass" :
		    r->obs[i].result == BISECT_FAIL ? "fail" : "skip");
	}
	if (!any)
		strbuf_addstr(out, "(none)");
}

/* One culprit node: the commits it brings, with the evidence. */
static int
report_node(struct lab *lab, const struct bisectrun *r, size_t node,
    size_t parent, struct strbuf *out, struct strbuf *err)
{
	const struct revgraph_node *n = &r->g.node[node];
	struct log_ctx l = { out, NULL, NULL };
	size_t t;
	int rc;

	if (n->tree < 0)
		return 0;
	t = (size_t)n->tree;
	l.tree = r->g.tree[t];
	for (size_t i = 0; i < r->b.ntree; i++)
		if (strcmp(r->b.tree[i].name, l.tree) == 0)
			l.url = r->b.tree[i].url;
	if (l.url == NULL)
		l.url = "";
	if ((rc = tree_log(lab, l.tree, r->g.node[parent].rev[t], n->rev[t],
	    report_commit, &l, err)) < 0)
		return rc;
	strbuf_addstr(out, "  fails:   ");
	evidence(r, node, out);
	strbuf_addf(out, "\n  passes:  %.12s before it: ", r->g.node[parent].rev[t]);
	evidence(r, parent, out);
	strbuf_addch(out, '\n');
	return 0;
}

int
bisectrun_report(struct lab *lab, const struct bisectrun *r, struct strbuf *out,
    struct strbuf *err)
{
	const struct bisect_decision *d = &r->d;
	size_t i;
	int rc = 0;

	strbuf_addf(out, "bisection %lld: %s %s on branch %s, flight %lld against "
	    "basis flight %lld\n", (long long)r->b.id, r->b.job, r->b.testid,
	    r->b.branch, (long long)r->b.fail_flight, (long long)r->b.basis_flight);
	strbuf_addstr(out, "verdict: ");
	summary_line(r, out);
	if (r->b.finished != 0)
		strbuf_addf(out, " (exit %d)\n", r->b.verdict);
	else if (d->verdict != BISECT_TEST)
		strbuf_addstr(out, " (not recorded yet: ts-bisect step records it)\n");
	else
		strbuf_addch(out, '\n');
	if (d->verdict == BISECT_FOUND || d->verdict == BISECT_INCONSISTENT) {
		strbuf_addstr(out, "\nBug introduced by:\n");
		rc = report_node(lab, r, d->culprit, d->culprit_parent, out, err);
	} else if (d->verdict == BISECT_RANGE) {
		strbuf_addstr(out, "\nBug introduced by one of (not told apart):\n");
		for (i = 0; i < d->nrange && rc == 0; i++) {
			const struct revgraph_node *n = &r->g.node[d->range[i]];

			if (n->nparent > 0)
				rc = report_node(lab, r, d->range[i], n->parent[0], out,
				    err);
		}
	}
	strbuf_addf(out, "\n%zu results, %lld flights of the bisection:\n", r->nobs,
	    (long long)r->nflights);
	for (i = 0; i < r->nobs; i++) {
		strbuf_addf(out, "  %-24s %s  ", r->src[i],
		    r->obs[i].result == BISECT_PASS ? "pass" :
		    r->obs[i].result == BISECT_FAIL ? "fail" : "skip");
		node_change(&r->g, r->obs[i].node, out);
		strbuf_addch(out, '\n');
	}
	return rc;
}

/* The culprit's author, "Name <email>", from the tree's log. */
static int
author_of(const struct tree_commit *c, void *ctx)
{
	struct strbuf *sb = ctx;

	strbuf_reset(sb);
	strbuf_addstr(sb, c->author);
	return 1;
}

int
bisectrun_mail(struct lab *lab, const struct bisectrun *r, struct strbuf *to,
    struct strbuf *err)
{
	const struct bisect_decision *d = &r->d;
	struct strbuf subject = STRBUF_INIT, body = STRBUF_INIT,
	    author = STRBUF_INIT;
	struct strvec rcpt = STRVEC_INIT;
	size_t i;
	int rc;

	if ((rc = mail_recipients(lab, r->b.branch, &rcpt, err)) < 0)
		goto out;
	if ((d->verdict == BISECT_FOUND || d->verdict == BISECT_INCONSISTENT) &&
	    r->g.node[d->culprit].tree >= 0) {
		const struct revgraph_node *n = &r->g.node[d->culprit];
		size_t t = (size_t)n->tree;

		/* Without the author the list still hears of it. */
		if (tree_log(lab, r->g.tree[t], r->g.node[d->culprit_parent].rev[t],
		    n->rev[t], author_of, &author, err) < 0)
			strbuf_reset(err);
		if (author.len > 0 && strchr(author.buf, '@') != NULL)
			strvec_push(&rcpt, author.buf);
	}
	if ((rc = bisectrun_report(lab, r, &body, err)) < 0)
		goto out;
	strbuf_addf(&subject, "[%s bisection] %s %s: ", r->b.branch, r->b.job,
	    r->b.testid);
	summary_line(r, &subject);
	/* A subject is one line: the summary is, and so are names. */
	if ((rc = mail_send(lab, &rcpt, subject.buf, body.buf, err)) < 0)
		goto out;
	for (i = 0; i < rcpt.nr; i++)
		strbuf_addf(to, "%s%s", i ? ", " : "", rcpt.v[i]);
out:
	strbuf_release(&subject);
	strbuf_release(&body);
	strbuf_release(&author);
	strvec_clear(&rcpt);
	return rc;
}

void
bisectrun_dot(const struct bisectrun *r, struct strbuf *out)
{
	struct counts *c = node_counts(r);
	const struct bisect_decision *d = &r->d;
	size_t i, k;

	strbuf_addf(out, "digraph bisection_%lld {\n\trankdir=BT;\n"
	    "\tnode [style=filled, fontname=monospace];\n", (long long)r->b.id);
	for (i = 0; i < r->g.n; i++) {
		const char *colour = c[i].pass && c[i].fail ? "yellow" :
		    c[i].fail ? "red" : c[i].pass ? "green" :
		    c[i].skip ? "grey" : "white";
		int culprit = (d->verdict == BISECT_FOUND ||
		    d->verdict == BISECT_INCONSISTENT) && d->culprit == i;

		strbuf_addf(out, "\tn%zu [label=\"", i);
		short_tuple(&r->g, i, out);
		if (c[i].pass + c[i].fail + c[i].skip > 0)
			strbuf_addf(out, "\\n%d pass %d fail %d skip", c[i].pass,
			    c[i].fail, c[i].skip);
		if (culprit)
			strbuf_addstr(out, "\\nCULPRIT");
		strbuf_addf(out, "\", fillcolor=%s%s%s];\n", colour,
		    i == r->g.basis ? ", shape=hexagon" :
		    i == r->g.latest ? ", shape=oval" : ", shape=box",
		    culprit ? ", peripheries=3, penwidth=2" :
		    d->verdict == BISECT_TEST && d->node == i ? ", peripheries=2" : "");
	}
	for (i = 0; i < r->g.n; i++)
		for (k = 0; k < r->g.node[i].nparent; k++)
			strbuf_addf(out, "\tn%zu -> n%zu;\n", r->g.node[i].parent[k], i);
	strbuf_addstr(out, "}\n");
	free(c);
}

/* Write the DOT to path; for .svg or .png, Graphviz's dot makes it too. */
int
bisectrun_graph_file(const struct bisectrun *r, const char *path,
    struct strbuf *err)
{
	struct strbuf dot = STRBUF_INIT, dotpath = STRBUF_INIT;
	const char *ext = strrchr(path, '.');
	const char *fmt = NULL;
	FILE *f;
	int rc = 0;

	if (ext != NULL && (strcmp(ext, ".svg") == 0 || strcmp(ext, ".png") == 0))
		fmt = ext + 1;
	else if (ext == NULL || strcmp(ext, ".dot") != 0)
		return err_setf(err, TS_E_INPUT, "--graph %s: not a .dot, .svg or "
		    ".png file", path);
	bisectrun_dot(r, &dot);
	if (fmt != NULL)
		strbuf_addf(&dotpath, "%.*s.dot", (int)(ext - path), path);
	else
		strbuf_addstr(&dotpath, path);
	if ((f = fopen(dotpath.buf, "w")) == NULL ||
	    fwrite(dot.buf, 1, dot.len, f) != dot.len || fclose(f) != 0) {
		rc = err_errno(err, TS_E_INPUT, "--graph %s", dotpath.buf);
		goto out;
	}
	if (fmt != NULL) {
		struct proc_opts po = PROC_OPTS_INIT;
		struct proc_result res;
		struct deadline dl;
		struct proc p;
		char tflag[8];
		const char *argv[] = { "dot", tflag, "-o", path, dotpath.buf, NULL };

		snprintf(tflag, sizeof(tflag), "-T%s", fmt);
		po.argv = argv;
		if ((rc = proc_spawn(&p, &po, err)) < 0) {
			rc = err_wrapf(err, TS_E_LAB, "--graph %s: Graphviz's dot (the "
			    "DOT is in %s)", path, dotpath.buf);
			goto out;
		}
		deadline_in(&dl, 60 * 1000, "dot");
		rc = proc_wait(&p, &dl, 1000, &res, err);
		proc_release(&p);
		deadline_release(&dl);
		if (rc == 0 && (!res.exited || res.code != 0)) {
			strbuf_reset(err);
			strbuf_addf(err, "--graph %s: dot: ", path);
			proc_describe(&res, err);
			rc = TS_E_LAB;
		}
	}
out:
	strbuf_release(&dot);
	strbuf_release(&dotpath);
	return rc;
}

int
bisectrun_step_branch(struct lab *lab, const char *branch,
    const struct bisectrun_opts *o, void (*say)(const char *line, void *ctx),
    void *ctx, struct strbuf *err)
{
	struct strbuf said = STRBUF_INIT, e = STRBUF_INIT;
	int64_t *ids, f;
	size_t n, i;
	int rc, worst = 0;

	if ((rc = bisection_open_of(lab, branch, &ids, &n, err)) < 0)
		return rc;
	for (i = 0; i < n && !proc_aborted(); i++) {
		strbuf_reset(&said);
		strbuf_reset(&e);
		rc = bisectrun_step(lab, ids[i], o, &f, &said, &e);
		if (rc < 0 && worst == 0) {
			/* The first one is this run's error; later ones are said. */
			worst = rc;
			strbuf_addstr(err, e.buf);
		} else if (rc < 0) {
			strbuf_insertstr(&e, 0, "error: ");
			say(e.buf, ctx);
		} else {
			say(said.buf, ctx);
		}
	}
	free(ids);
	strbuf_release(&said);
	strbuf_release(&e);
	return worst;
}
