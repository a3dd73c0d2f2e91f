/*
 * alloc: rows of allocations and alloc_waiters; choosing hosts.  See
 * alloc.h.
 *
 * Every attempt is one write transaction: reap what dead owners left,
 * read the free hosts and the queue, choose, record.  Two attempts never
 * see the same free host, because SQLite runs write transactions one at a
 * time (BEGIN IMMEDIATE); on PostgreSQL the same holds with SERIALIZABLE.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"
#include "clock.h"
#include "err.h"
#include "job.h"
#include "proc.h"
#include "runvar.h"
#include "xalloc.h"
#include "banned.h"

#define ALLOC_POLL_MS 200
#define ALLOC_WAITER_STALE_MS (60 * 1000)
#define ALLOC_PROGRESS_MS (30 * 1000)

/* A free host as the chooser sees it. */
struct cand {
	char *name;
	struct strvec flags;
	int64_t last_ms;	/* its last allocation; 0: never */
	int taken;		/* by an earlier want of this attempt */
	int reserved;		/* an earlier waiter could use it */
	int avoided;		/* the job asks for another (hosts_avoid) */
};

static void
split_flags(const char *list, struct strvec *out)
{
	char *copy = xstrdup(list), *p, *comma;

	for (p = copy; p != NULL && *p != '\0'; p = comma) {
		if ((comma = strchr(p, ',')) != NULL)
			*comma++ = '\0';
		p += strspn(p, " ");
		if (*p != '\0')
			strvec_push(out, p);
	}
	free(copy);
}

static int
has(const struct strvec *v, const char *s)
{
	size_t i;

	for (i = 0; i < v->nr; i++)
		if (strcmp(v->v[i], s) == 0)
			return 1;
	return 0;
}

static int
is_class_flag(const char *f)
{
	return strncmp(f, "equiv-", 6) == 0 || strncmp(f, "share-", 6) == 0;
}

/* Does a host with flags hf have every plain flag of want? */
static int
fits(const struct strvec *want, const struct strvec *hf)
{
	size_t i;

	for (i = 0; i < want->nr; i++)
		if (!is_class_flag(want->v[i]) && !has(hf, want->v[i]))
			return 0;
	return 1;
}

int
alloc_wants(struct lab *lab, int64_t flight, const char *job,
    const char *const *idents, struct alloc_want **wants, size_t *n,
    struct strbuf *err)
{
	struct strbuf var = STRBUF_INIT;
	char *all = NULL, *v = NULL;
	size_t i, k;
	int rc = 0;

	for (k = 0; idents[k] != NULL; k++)
		;
	*wants = xcalloc(k ? k : 1, sizeof(**wants));
	*n = 0;
	if ((rc = runvar_get(lab, flight, job, "all_hostflags", &all, err)) < 0)
		goto out;
	for (i = 0; i < k; i++) {
		struct alloc_want *w = &(*wants)[i];

		if ((rc = runvar_check_name(idents[i], err)) < 0)
			goto out;
		for (size_t j = 0; j < i; j++)
			if (strcmp(idents[j], idents[i]) == 0) {
				rc = err_setf(err, TS_E_INPUT, "ident %s: given twice", idents[i]);
				goto out;
			}
		w->ident = xstrdup(idents[i]);
		w->flags = (struct strvec)STRVEC_INIT;
		(*n)++;
		if (all != NULL)
			split_flags(all, &w->flags);
		strbuf_reset(&var);
		strbuf_addf(&var, "%s_hostflags", idents[i]);
		if ((rc = runvar_get(lab, flight, job, var.buf, &v, err)) < 0)
			goto out;
		if (rc == 1) {
			split_flags(v, &w->flags);
			free(v);
			v = NULL;
		}
		if ((rc = runvar_get(lab, flight, job, idents[i], &w->host, err)) < 0)
			goto out;
		rc = 0;
	}
out:
	free(all);
	strbuf_release(&var);
	return rc;
}

void
alloc_wants_release(struct alloc_want *w, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(w[i].ident);
		free(w[i].host);
		free(w[i].got);
		strvec_clear(&w[i].flags);
	}
	free(w);
}

int
alloc_owner_for(struct lab *lab, int64_t flight, const char *job,
    struct alloc_owner *o, struct strbuf *err)
{
	struct strbuf token = STRBUF_INIT;
	struct job j;
	int rc;

	memset(o, 0, sizeof(*o));
	o->lease_ms = conf_lab_ms(&lab->conf, "lease", CONF_DEFAULT_LEASE_MS);
	if ((rc = job_get(lab, flight, job, &j, err)) < 0)
		return rc;
	if ((j.status == ST_PREPARING || j.status == ST_RUNNING) &&
	    job_holder_alive(&j)) {
		o->host = xstrdup(j.runner_host);
		o->pid = j.runner_pid;
		o->token = xstrdup(j.runner_token ? j.runner_token : "");
	} else {
		/* By hand: the hosts stay with the shell that asked. */
		proc_token(getppid(), &token);
		o->host = xstrdup(proc_hostname());
		o->pid = getppid();
		o->token = strbuf_detach(&token, NULL);
	}
	job_release(&j);
	return 0;
}

void
alloc_owner_release(struct alloc_owner *o)
{
	free(o->host);
	free(o->token);
	memset(o, 0, sizeof(*o));
}

/* Is an owner recorded as (host, pid, token, lease) alive? */
static int
owner_alive(const char *host, int64_t pid, const char *token, int64_t lease_ms,
    int64_t now_ms)
{
	if (host != NULL && strcmp(host, proc_hostname()) == 0)
		return proc_alive((pid_t)pid, token);
	return lease_ms >= now_ms;
}

static const char alloc_held_sql[] =
	"SELECT id, owner_host, owner_pid, owner_token, lease_until FROM allocations"
	" WHERE released_ms IS NULL";
static const char alloc_end_sql[] =
	"UPDATE allocations SET released_ms = ?2, why = ?3"
	" WHERE id = ?1 AND released_ms IS NULL";
static const char waiters_all_sql[] =
	"SELECT id, owner_host, owner_pid, owner_token, seen_ms FROM alloc_waiters";
static const char waiter_delete_sql[] =
	"DELETE FROM alloc_waiters WHERE id = ?1";

/* In the caller's transaction: end what dead owners left. */
static int
reap_in_tx(struct lab *lab, struct strbuf *err)
{
	struct strvec dead = STRVEC_INIT, gone = STRVEC_INIT;
	int64_t now = clock_utc_ms();
	sqlite3_stmt *st;
	size_t i;
	int rc;

	if ((rc = db_query(&lab->db, &st, alloc_held_sql, err, "")) < 0)
		return rc;
	while ((rc = db_row(&lab->db, st, err)) > 0)
		if (!owner_alive(db_is_null(st, 1) ? NULL : db_text(st, 1),
		    sqlite3_column_int64(st, 2), db_text(st, 3),
		    sqlite3_column_int64(st, 4), now))
			strvec_pushf(&dead, "%lld", (long long)sqlite3_column_int64(st, 0));
	if (rc < 0 || (rc = db_query(&lab->db, &st, waiters_all_sql, err, "")) < 0)
		goto out;
	while ((rc = db_row(&lab->db, st, err)) > 0)
		if (!owner_alive(db_is_null(st, 1) ? NULL : db_text(st, 1),
		    sqlite3_column_int64(st, 2), db_text(st, 3),
		    sqlite3_column_int64(st, 4) + ALLOC_WAITER_STALE_MS, now))
			strvec_pushf(&gone, "%lld", (long long)sqlite3_column_int64(st, 0));
	for (i = 0; rc >= 0 && i < dead.nr; i++)
		rc = db_run(&lab->db, alloc_end_sql, err, "iis",
		    (int64_t)strtoll(dead.v[i], NULL, 10), now, "its owner is gone");
	for (i = 0; rc >= 0 && i < gone.nr; i++)
		rc = db_run(&lab->db, waiter_delete_sql, err, "i",
		    (int64_t)strtoll(gone.v[i], NULL, 10));
out:
	strvec_clear(&dead);
	strvec_clear(&gone);
	return rc < 0 ? rc : (int)dead.nr;
}

int
alloc_reap(struct lab *lab, struct strbuf *err)
{
	int rc;

	if ((rc = db_begin(&lab->db, err)) < 0)
		return rc;
	return db_end(&lab->db, reap_in_tx(lab, err), err);
}

/* --- choosing ------------------------------------------------------------ */

static const char free_hosts_sql[] =
	"SELECT h.name,"
	" COALESCE((SELECT MAX(a.taken_ms) FROM allocations a WHERE a.host = h.name), 0)"
	" FROM hosts h WHERE h.state = 'free' AND h.name NOT IN"
	" (SELECT host FROM allocations WHERE released_ms IS NULL)"
	" ORDER BY 2, 1";
static const char host_flags_sql[] =
	"SELECT flag FROM host_flags WHERE host = ?1";

static int
load_free(struct lab *lab, struct cand **cv, size_t *nc, struct strbuf *err)
{
	sqlite3_stmt *st;
	size_t alloc = 0, i;
	int rc;

	*cv = NULL;
	*nc = 0;
	if ((rc = db_query(&lab->db, &st, free_hosts_sql, err, "")) < 0)
		return rc;
	while ((rc = db_row(&lab->db, st, err)) > 0) {
		ALLOC_GROW(*cv, *nc + 1, alloc);
		memset(&(*cv)[*nc], 0, sizeof(**cv));
		(*cv)[*nc].name = db_strdup(st, 0);
		(*cv)[*nc].flags = (struct strvec)STRVEC_INIT;
		(*cv)[*nc].last_ms = sqlite3_column_int64(st, 1);
		(*nc)++;
	}
	for (i = 0; rc == 0 && i < *nc; i++) {
		if ((rc = db_query(&lab->db, &st, host_flags_sql, err, "s",
		    (*cv)[i].name)) < 0)
			break;
		while ((rc = db_row(&lab->db, st, err)) > 0)
			strvec_push(&(*cv)[i].flags, db_text(st, 0));
	}
	return rc;
}

static void
free_cands(struct cand *cv, size_t nc)
{
	size_t i;

	for (i = 0; i < nc; i++) {
		free(cv[i].name);
		strvec_clear(&cv[i].flags);
	}
	free(cv);
}

/* The equiv-* label of a want (its first), or NULL. */
static const char *
want_class(const struct alloc_want *w)
{
	size_t i;

	for (i = 0; i < w->flags.nr; i++)
		if (strncmp(w->flags.v[i], "equiv-", 6) == 0)
			return w->flags.v[i];
	return NULL;
}

/*
 * Backtracking over wants k..n-1: each gets an untaken, unreserved host
 * that fits; wants with one equiv label get hosts sharing an actual
 * equiv-* flag (cls[k] holds the flags their hosts still share).
 */
static int
choose(struct alloc_want *w, size_t n, size_t k, struct cand *cv, size_t nc,
    int *pick)
{
	const char *label;
	size_t i, j;

	if (k == n)
		return 1;
	label = want_class(&w[k]);
	for (i = 0; i < nc; i++) {
		struct strvec shared = STRVEC_INIT;
		int ok;

		if (cv[i].taken || cv[i].reserved || cv[i].avoided)
			continue;
		if (w[k].host != NULL ? strcmp(w[k].host, cv[i].name) != 0 :
		    !fits(&w[k].flags, &cv[i].flags))
			continue;
		/* The equiv-* flags every host so far of this label shares. */
		if (label != NULL && w[k].host == NULL) {
			for (j = 0; j < cv[i].flags.nr; j++)
				if (strncmp(cv[i].flags.v[j], "equiv-", 6) == 0)
					strvec_push(&shared, cv[i].flags.v[j]);
			for (j = 0; j < k; j++) {
				struct strvec keep = STRVEC_INIT;
				size_t m;
				const char *lj = want_class(&w[j]);

				if (lj == NULL || strcmp(lj, label) != 0)
					continue;
				for (m = 0; m < shared.nr; m++)
					if (has(&cv[pick[j]].flags, shared.v[m]))
						strvec_push(&keep, shared.v[m]);
				strvec_clear(&shared);
				shared = keep;
			}
			ok = shared.nr > 0;
			strvec_clear(&shared);
			if (!ok)
				continue;
		}
		cv[i].taken = 1;
		pick[k] = (int)i;
		if (choose(w, n, k + 1, cv, nc, pick))
			return 1;
		cv[i].taken = 0;
	}
	return 0;
}

static const char waiters_before_sql[] =
	"SELECT wants FROM alloc_waiters WHERE id <> ?1 AND"
	" (priority < ?2 OR (priority = ?2 AND asked_ms < ?3))";

/* Hosts an earlier waiter could use are kept for it. */
static int
reserve_for_earlier(struct lab *lab, int64_t me, int priority, int64_t asked,
    struct cand *cv, size_t nc, int *ahead, struct strbuf *err)
{
	sqlite3_stmt *st;
	size_t i;
	int rc;

	*ahead = 0;
	if ((rc = db_query(&lab->db, &st, waiters_before_sql, err, "idi", me,
	    priority, asked)) < 0)
		return rc;
	while ((rc = db_row(&lab->db, st, err)) > 0) {
		char *wants = db_strdup(st, 0), *p, *semi;

		(*ahead)++;
		for (p = wants; p != NULL; p = semi) {
			struct strvec fl = STRVEC_INIT;

			if ((semi = strchr(p, ';')) != NULL)
				*semi++ = '\0';
			if (*p == '=') {	/* a named host: that one only */
				for (i = 0; i < nc; i++)
					if (strcmp(cv[i].name, p + 1) == 0)
						cv[i].reserved = 1;
				continue;
			}
			split_flags(p, &fl);
			for (i = 0; i < nc; i++)
				if (fits(&fl, &cv[i].flags))
					cv[i].reserved = 1;
			strvec_clear(&fl);
		}
		free(wants);
	}
	return rc;
}

static const char alloc_insert_sql[] =
	"INSERT INTO allocations (host, holder, flight, job, ident, owner_host,"
	" owner_pid, owner_token, lease_until, taken_ms)"
	" VALUES (?1, 'job', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
static const char waiter_insert_sql[] =
	"INSERT INTO alloc_waiters (flight, job, priority, asked_ms, wants,"
	" owner_host, owner_pid, owner_token, seen_ms)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?4) RETURNING id";
static const char waiter_seen_sql[] =
	"UPDATE alloc_waiters SET seen_ms = ?2 WHERE id = ?1";
static const char host_state_sql[] =
	"SELECT state FROM hosts WHERE name = ?1";
static const char hosts_with_flag_sql[] =
	"SELECT name FROM hosts ORDER BY name";

/* Could any host of the lab, free or not, ever meet want w? */
static int
satisfiable(struct lab *lab, const struct alloc_want *w, struct strbuf *err)
{
	struct strvec names = STRVEC_INIT, fl = STRVEC_INIT;
	sqlite3_stmt *st;
	size_t i;
	int rc, ok = 0;

	if ((rc = db_query(&lab->db, &st, hosts_with_flag_sql, err, "")) < 0)
		return rc;
	while ((rc = db_row(&lab->db, st, err)) > 0)
		strvec_push(&names, db_text(st, 0));
	for (i = 0; rc == 0 && i < names.nr && !ok; i++) {
		strvec_clear(&fl);
		if ((rc = db_query(&lab->db, &st, host_flags_sql, err, "s",
		    names.v[i])) < 0)
			break;
		while ((rc = db_row(&lab->db, st, err)) > 0)
			strvec_push(&fl, db_text(st, 0));
		ok = rc == 0 && fits(&w->flags, &fl);
	}
	strvec_clear(&names);
	strvec_clear(&fl);
	return rc < 0 ? rc : ok;
}

static void
describe_wants(const struct alloc_want *w, size_t n, struct strbuf *sb)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		strbuf_addf(sb, "%s%s (", i ? ", " : "", w[i].ident);
		if (w[i].host != NULL)
			strbuf_addstr(sb, w[i].host);
		for (j = 0; w[i].host == NULL && j < w[i].flags.nr; j++)
			strbuf_addf(sb, "%s%s", j ? "," : "", w[i].flags.v[j]);
		strbuf_addch(sb, ')');
	}
}

struct attempt {
	struct strvec avoid;	/* hosts_avoid: hosts to take only if need be */
	int64_t waiter;		/* our row in alloc_waiters, 0: none yet */
	int64_t asked_ms;
	int priority;
	int ahead;		/* waiters before us */
	struct strbuf wants;	/* our wants as alloc_waiters keeps them */
};

/* One attempt, one transaction: 1 taken, 0 must wait, or an error. */
static int
attempt(struct lab *lab, int64_t flight, const char *job, struct alloc_want *w,
    size_t n, const struct alloc_owner *o, struct attempt *a, struct strbuf *err)
{
	struct cand *cv = NULL;
	size_t nc = 0, i;
	int *pick = xcalloc(n ? n : 1, sizeof(*pick));
	int64_t now;
	int rc, got = 0, chosen = 0;

	if ((rc = db_begin(&lab->db, err)) < 0)
		goto out;
	/* The time of the transaction, not of asking: it may have waited. */
	now = clock_utc_ms();
	if ((rc = reap_in_tx(lab, err)) < 0)
		goto end;
	for (i = 0; i < n && rc >= 0; i++) {
		sqlite3_stmt *st;
		char *state;

		if (w[i].host == NULL) {
			if ((rc = satisfiable(lab, &w[i], err)) == 0) {
				struct strbuf fl = STRBUF_INIT;

				describe_wants(&w[i], 1, &fl);
				rc = err_setf(err, TS_E_INPUT,
				    "no host of the lab has every flag asked for %s", fl.buf);
				strbuf_release(&fl);
			}
			continue;
		}
		/* A host named beforehand is used as it is, if it may be. */
		if ((rc = db_query(&lab->db, &st, host_state_sql, err, "s", w[i].host)) < 0 ||
		    (rc = db_row(&lab->db, st, err)) < 0)
			break;
		if (rc == 0) {
			rc = err_setf(err, TS_E_INPUT, "%s=%s: no such host", w[i].ident,
			    w[i].host);
			break;
		}
		state = db_strdup(st, 0);
		db_done(st);
		if (strcmp(state, "free") != 0)
			rc = err_setf(err, TS_E_INPUT, "%s=%s: the host is %s", w[i].ident,
			    w[i].host, state);
		free(state);
	}
	if (rc < 0)
		goto end;
	if ((rc = load_free(lab, &cv, &nc, err)) < 0 ||
	    (rc = reserve_for_earlier(lab, a->waiter, a->priority,
	    a->waiter ? a->asked_ms : now, cv, nc, &a->ahead, err)) < 0)
		goto end;
	/* Hosts the job asks to avoid (a run again after a broken one) go
	 * last: taken only when nothing else fits. */
	if (a->avoid.nr > 0) {
		for (i = 0; i < nc; i++)
			cv[i].avoided = has(&a->avoid, cv[i].name);
		chosen = choose(w, n, 0, cv, nc, pick);
		for (i = 0; i < nc; i++)
			cv[i].avoided = 0;
	}
	if (!chosen)
		chosen = choose(w, n, 0, cv, nc, pick);
	if (chosen) {
		for (i = 0; i < n && rc >= 0; i++) {
			free(w[i].got);
			w[i].got = xstrdup(cv[pick[i]].name);
			rc = db_run(&lab->db, alloc_insert_sql, err, "sisssisii",
			    cv[pick[i]].name, flight, job, w[i].ident, o->host, o->pid,
			    o->token, now + o->lease_ms, now);
			/* A host named beforehand is recorded already. */
			if (rc >= 0 && w[i].host == NULL)
				rc = runvar_set_in_tx(lab, flight, job, w[i].ident,
				    cv[pick[i]].name, err);
		}
		if (rc >= 0 && a->waiter)
			rc = db_run(&lab->db, waiter_delete_sql, err, "i", a->waiter);
		got = 1;
	} else if (a->waiter == 0) {
		a->asked_ms = now;
		rc = db_int(&lab->db, &a->waiter, waiter_insert_sql, err, "isdissis",
		    flight, job, a->priority, now, a->wants.buf, o->host, o->pid,
		    o->token);
	} else {
		rc = db_run(&lab->db, waiter_seen_sql, err, "ii", a->waiter, now);
	}
end:
	rc = db_end(&lab->db, rc, err);
out:
	free_cands(cv, nc);
	free(pick);
	return rc < 0 ? rc : got;
}

int
alloc_take(struct lab *lab, int64_t flight, const char *job,
    struct alloc_want *w, size_t n, const struct alloc_owner *o,
    int64_t timeout_ms, const struct alloc_progress *p, struct strbuf *err)
{
	struct strbuf what = STRBUF_INIT, line = STRBUF_INIT;
	char *avoid = NULL;
	struct attempt a;
	struct deadline dl;
	struct job j;
	int64_t said = 0;
	size_t i, k;
	int rc;

	memset(&a, 0, sizeof(a));
	strbuf_init(&a.wants, 0);
	a.avoid = (struct strvec)STRVEC_INIT;
	if ((rc = job_get(lab, flight, job, &j, err)) < 0)
		return rc;
	a.priority = j.priority;
	job_release(&j);
	if ((rc = runvar_get(lab, flight, job, "hosts_avoid", &avoid, err)) < 0)
		return rc;
	if (rc == 1)
		split_flags(avoid, &a.avoid);
	free(avoid);
	/* What the queue keeps: the flags of each ident, or =HOST when named. */
	for (i = 0; i < n; i++) {
		strbuf_addstr(&a.wants, i ? ";" : "");
		if (w[i].host != NULL) {
			strbuf_addf(&a.wants, "=%s", w[i].host);
			continue;
		}
		for (k = 0; k < w[i].flags.nr; k++)
			if (!is_class_flag(w[i].flags.v[k]))
				strbuf_addf(&a.wants, "%s%s", k ? "," : "", w[i].flags.v[k]);
	}
	describe_wants(w, n, &what);
	deadline_in(&dl, timeout_ms, "hosts for %s", what.buf);
	for (;;) {
		if ((rc = attempt(lab, flight, job, w, n, o, &a, err)) != 0)
			break;
		if (deadline_passed(&dl)) {
			rc = err_setf(err, TS_E_LAB, "no hosts for %s within %lld s "
			    "(%d job%s ahead in the queue)", what.buf,
			    (long long)deadline_waited_s(&dl), a.ahead,
			    a.ahead == 1 ? "" : "s");
			break;
		}
		if (p != NULL && p->fn != NULL &&
		    (said == 0 || clock_now_ms() - said >= ALLOC_PROGRESS_MS)) {
			strbuf_reset(&line);
			strbuf_addf(&line, "waiting for hosts: %s; %d ahead; %lld s so far",
			    what.buf, a.ahead, (long long)deadline_waited_s(&dl));
			p->fn(line.buf, p->ctx);
			said = clock_now_ms();
		}
		if (proc_sleep(ALLOC_POLL_MS + rand() % 50) < 0) {
			rc = err_setf(err, TS_E_LAB, "waiting for %s: stopped by signal %d",
			    what.buf, proc_aborted());
			break;
		}
	}
	if (rc < 0 && a.waiter != 0) {
		struct strbuf e2 = STRBUF_INIT;

		(void)db_write(&lab->db, waiter_delete_sql, &e2, "i", a.waiter);
		strbuf_release(&e2);
	}
	deadline_release(&dl);
	strbuf_release(&what);
	strbuf_release(&line);
	strbuf_release(&a.wants);
	strvec_clear(&a.avoid);
	return rc < 0 ? rc : 0;
}

static const char alloc_release_sql[] =
	"UPDATE allocations SET released_ms = ?4, why = ?5 WHERE flight = ?1"
	" AND job = ?2 AND (?3 IS NULL OR ident = ?3) AND released_ms IS NULL";

int
alloc_release(struct lab *lab, int64_t flight, const char *job,
    const char *ident, const char *why, struct strbuf *err)
{
	int rc;

	if ((rc = db_begin(&lab->db, err)) < 0)
		return rc;
	/* Dated inside the transaction, in order with every take. */
	rc = db_run(&lab->db, alloc_release_sql, err, "issis", flight, job, ident,
	    clock_utc_ms(), why);
	return db_end(&lab->db, rc, err);
}

static const char alloc_renew_sql[] =
	"UPDATE allocations SET lease_until = ?3 WHERE flight = ?1 AND job = ?2"
	" AND released_ms IS NULL";

int
alloc_renew(struct lab *lab, int64_t flight, const char *job, int64_t lease_ms,
    struct strbuf *err)
{
	return db_write(&lab->db, alloc_renew_sql, err, "isi", flight, job,
	    clock_utc_ms() + lease_ms);
}

static const char alloc_job_hosts_sql[] =
	"SELECT DISTINCT host FROM allocations WHERE flight = ?1 AND job = ?2"
	" AND released_ms IS NULL ORDER BY host";

int
alloc_held(struct lab *lab, int64_t flight, const char *job,
    struct strvec *hosts, struct strbuf *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_query(&lab->db, &st, alloc_job_hosts_sql, err, "is", flight,
	    job)) < 0)
		return rc;
	while ((rc = db_row(&lab->db, st, err)) > 0)
		strvec_push(hosts, db_text(st, 0));
	return rc < 0 ? rc : (int)hosts->nr;
}

static const char alloc_holder_sql[] =
	"SELECT flight, job, ident FROM allocations WHERE host = ?1"
	" AND released_ms IS NULL";

int
alloc_holder(struct lab *lab, const char *host, struct strbuf *who,
    struct strbuf *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_query(&lab->db, &st, alloc_holder_sql, err, "s", host)) < 0 ||
	    (rc = db_row(&lab->db, st, err)) <= 0)
		return rc;
	strbuf_addf(who, "%lld.%s %s", (long long)sqlite3_column_int64(st, 0),
	    db_text(st, 1), db_text(st, 2));
	db_done(st);
	return 1;
}
