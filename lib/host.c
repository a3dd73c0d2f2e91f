/*
 * host: rows of hosts, host_flags and host_props, the lab's SSH files, and
 * connecting to a host.  See host.h.
 */
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "err.h"
#include "host.h"
#include "json.h"
#include "proc.h"
#include "xalloc.h"
#include "banned.h"

#define HOST_CONNECT_TIMEOUT_MS (30 * 1000)
#define HOST_CHECK_PAUSE_MS 1000	/* between looks at a host coming back */

void
host_init(struct host *h)
{
	memset(h, 0, sizeof(*h));
	h->flags = (struct strvec)STRVEC_INIT;
	h->props = (struct strvec)STRVEC_INIT;
}

void
host_release(struct host *h)
{
	free(h->name);
	free(h->address);
	free(h->arch);
	free(h->state);
	free(h->why);
	free(h->held_by);
	strvec_clear(&h->flags);
	strvec_clear(&h->props);
	host_init(h);
}

void
host_change_release(struct host_change *c)
{
	strvec_clear(&c->flags_set);
	strvec_clear(&c->flags_add);
	strvec_clear(&c->flags_del);
	strvec_clear(&c->props_set);
}

int
host_check_flag(const char *flag, struct strbuf *err)
{
	return lab_check_name("host flag", flag, err);
}

int
host_check_prop(const char *a, struct strbuf *err)
{
	const char *eq = strchr(a, '='), *p;

	if (eq == NULL || eq == a)
		return err_setf(err, TS_E_INPUT, "property '%s': not NAME=VALUE", a);
	for (p = a; p < eq; p++)
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789_-", *p) == NULL)
			return err_setf(err, TS_E_INPUT,
			    "property '%.*s': a name has only letters, digits, _ and -",
			    (int)(eq - a), a);
	if (strchr(eq, '\n') != NULL)
		return err_setf(err, TS_E_INPUT, "property %.*s: a newline in its value",
		    (int)(eq - a), a);
	return 0;
}

int
host_parse_flags(const char *list, struct host_change *c, int edits_allowed,
    struct strbuf *err)
{
	char *copy = xstrdup(list), *p, *comma;
	int rc = 0, edits = 0, plain = 0;

	for (p = copy; p != NULL && *p != '\0'; p = comma) {
		char *f = p;

		if ((comma = strchr(p, ',')) != NULL)
			*comma++ = '\0';
		if (*f == '+' || *f == '-')
			edits++;
		else
			plain++;
		if ((rc = host_check_flag(*f == '+' || *f == '-' ? f + 1 : f, err)) < 0)
			goto out;
		if (*f == '+')
			strvec_push(&c->flags_add, f + 1);
		else if (*f == '-')
			strvec_push(&c->flags_del, f + 1);
		else
			strvec_push(&c->flags_set, f);
	}
	if (edits && (plain || !edits_allowed))
		rc = err_setf(err, TS_E_INPUT, "flags '%s': %s", list, edits_allowed ?
		    "either +FLAG,-FLAG edits or a list of flags, not both" :
		    "a list of flags, without + or -");
	else if (!edits)
		c->set_flags = 1;
out:
	free(copy);
	return rc;
}

const char *
host_prop(const struct host *h, const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; i < h->props.nr; i++)
		if (strncmp(h->props.v[i], name, n) == 0 && h->props.v[i][n] == '=')
			return h->props.v[i] + n + 1;
	return NULL;
}

int
host_has_flag(const struct host *h, const char *flag)
{
	size_t i;

	for (i = 0; i < h->flags.nr; i++)
		if (strcmp(h->flags.v[i], flag) == 0)
			return 1;
	return 0;
}

static const char host_insert_sql[] =
	"INSERT INTO hosts (name, address, arch, state, added)"
	" VALUES (?1, ?2, ?3, 'free', ?4)";
static const char host_flag_insert_sql[] =
	"INSERT INTO host_flags (host, flag) VALUES (?1, ?2)"
	" ON CONFLICT (host, flag) DO NOTHING";
static const char host_flag_delete_sql[] =
	"DELETE FROM host_flags WHERE host = ?1 AND flag = ?2";
static const char host_flags_clear_sql[] =
	"DELETE FROM host_flags WHERE host = ?1";
static const char host_prop_set_sql[] =
	"INSERT INTO host_props (host, name, val) VALUES (?1, ?2, ?3)"
	" ON CONFLICT (host, name) DO UPDATE SET val = excluded.val";
static const char host_prop_delete_sql[] =
	"DELETE FROM host_props WHERE host = ?1 AND name = ?2";
static const char host_exists_sql[] =
	"SELECT count(*) FROM hosts WHERE name = ?1";

static int
check_host(const char *name, const char *address, const char *arch,
    struct strbuf *err)
{
	char *user = NULL, *hostname = NULL;
	int port, rc;

	if ((rc = lab_check_name("host", name, err)) < 0)
		return rc;
	if (address != NULL) {
		if ((rc = ssh_parse_address(address, &user, &hostname, &port, err)) < 0)
			return err_wrapf(err, rc, "host %s", name);
		free(user);
		free(hostname);
	}
	if (arch != NULL && (rc = lab_check_name("arch", arch, err)) < 0)
		return err_wrapf(err, rc, "host %s", name);
	return 0;
}

/* Set and drop properties: NAME=VALUE sets, NAME= removes. */
static int
apply_props(struct lab *lab, const char *name, const struct strvec *props,
    struct strbuf *err)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < props->nr && rc >= 0; i++) {
		const char *a = props->v[i], *eq = strchr(a, '=');
		char *pn = xstrndup(a, (size_t)(eq - a));

		if (eq[1] == '\0')
			rc = db_run(&lab->db, host_prop_delete_sql, err, "ss", name, pn);
		else
			rc = db_run(&lab->db, host_prop_set_sql, err, "sss", name, pn, eq + 1);
		free(pn);
	}
	return rc < 0 ? rc : 0;
}

static int
apply_flags(struct lab *lab, const char *name, const struct strvec *flags,
    const char *sql, struct strbuf *err)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < flags->nr && rc >= 0; i++)
		rc = db_run(&lab->db, sql, err, "ss", name, flags->v[i]);
	return rc < 0 ? rc : 0;
}

int
host_add(struct lab *lab, const struct host *h, struct strbuf *err)
{
	int64_t n = 0;
	size_t i;
	int rc;

	if ((rc = check_host(h->name, h->address, h->arch, err)) < 0)
		return rc;
	for (i = 0; i < h->flags.nr; i++)
		if ((rc = host_check_flag(h->flags.v[i], err)) < 0)
			return rc;
	for (i = 0; i < h->props.nr; i++)
		if ((rc = host_check_prop(h->props.v[i], err)) < 0)
			return rc;
	if ((rc = db_begin(&lab->db, err)) < 0)
		return rc;
	if ((rc = db_int(&lab->db, &n, host_exists_sql, err, "s", h->name)) >= 0 && n > 0)
		rc = err_setf(err, TS_E_INPUT, "host %s: already in the lab", h->name);
	if (rc >= 0)
		rc = db_run(&lab->db, host_insert_sql, err, "sssi", h->name, h->address,
		    h->arch, clock_utc());
	if (rc >= 0)
		rc = apply_flags(lab, h->name, &h->flags, host_flag_insert_sql, err);
	if (rc >= 0)
		rc = apply_props(lab, h->name, &h->props, err);
	rc = db_end(&lab->db, rc, err);
	return rc < 0 ? rc : 0;
}

static const char host_get_sql[] =
	"SELECT name, address, arch, state, state_why, added FROM hosts WHERE name = ?1";
static const char host_flags_sql[] =
	"SELECT flag FROM host_flags WHERE host = ?1 ORDER BY flag";
static const char host_props_sql[] =
	"SELECT name, val FROM host_props WHERE host = ?1 ORDER BY name";
static const char host_names_sql[] =
	"SELECT name FROM hosts ORDER BY name";

int
host_get(struct lab *lab, const char *name, struct host *h, struct strbuf *err)
{
	sqlite3_stmt *st;
	int rc;

	host_init(h);
	if ((rc = db_query(&lab->db, &st, host_get_sql, err, "s", name)) < 0 ||
	    (rc = db_row(&lab->db, st, err)) < 0)
		return rc;
	if (rc == 0)
		return err_setf(err, TS_E_INPUT, "host %s: no such host", name);
	h->name = db_strdup(st, 0);
	h->address = db_strdup(st, 1);
	h->arch = db_strdup(st, 2);
	h->state = db_strdup(st, 3);
	h->why = db_strdup(st, 4);
	h->added = sqlite3_column_int64(st, 5);
	db_done(st);
	if ((rc = db_query(&lab->db, &st, host_flags_sql, err, "s", name)) < 0)
		goto fail;
	while ((rc = db_row(&lab->db, st, err)) > 0)
		strvec_push(&h->flags, db_text(st, 0));
	if (rc < 0 || (rc = db_query(&lab->db, &st, host_props_sql, err, "s", name)) < 0)
		goto fail;
	while ((rc = db_row(&lab->db, st, err)) > 0)
		strvec_pushf(&h->props, "%s=%s", db_text(st, 0), db_text(st, 1));
	if (rc == 0)
		return 0;
fail:
	host_release(h);
	return rc;
}

int
host_list(struct lab *lab, struct host_list *out, struct strbuf *err)
{
	struct strvec names = STRVEC_INIT;
	sqlite3_stmt *st;
	size_t i;
	int rc;

	if ((rc = db_query(&lab->db, &st, host_names_sql, err, "")) < 0)
		return rc;
	while ((rc = db_row(&lab->db, st, err)) > 0)
		strvec_push(&names, db_text(st, 0));
	for (i = 0; rc == 0 && i < names.nr; i++) {
		ALLOC_GROW(out->v, out->nr + 1, out->alloc);
		if ((rc = host_get(lab, names.v[i], &out->v[out->nr], err)) == 0)
			out->nr++;
	}
	strvec_clear(&names);
	return rc;
}

void
host_list_release(struct host_list *l)
{
	size_t i;

	for (i = 0; i < l->nr; i++)
		host_release(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->nr = l->alloc = 0;
}

static int
move_key(struct lab *lab, const char *from, const char *to, struct strbuf *err)
{
	struct strbuf known = STRBUF_INIT, line = STRBUF_INIT;
	int rc;

	lab_known_hosts(lab, &known);
	/* Remove first: the two may name one known_hosts entry (user@ aside). */
	if ((rc = ssh_known_get(known.buf, from, &line, err)) == 1 &&
	    (rc = ssh_known_remove(known.buf, from, err)) >= 0)
		rc = ssh_known_set(known.buf, to, line.buf, err);
	strbuf_release(&known);
	strbuf_release(&line);
	return rc < 0 ? rc : 0;
}

static const char host_update_sql[] =
	"UPDATE hosts SET address = COALESCE(?2, address), arch = COALESCE(?3, arch)"
	" WHERE name = ?1";

int
host_update(struct lab *lab, const char *name, const struct host_change *c,
    struct strbuf *err)
{
	struct host h;
	size_t i;
	int rc;

	if ((rc = check_host(name, c->address, c->arch, err)) < 0)
		return rc;
	for (i = 0; i < c->props_set.nr; i++)
		if ((rc = host_check_prop(c->props_set.v[i], err)) < 0)
			return rc;
	if ((rc = db_begin(&lab->db, err)) < 0)
		return rc;
	host_init(&h);
	rc = host_get(lab, name, &h, err);
	if (rc >= 0)
		rc = db_run(&lab->db, host_update_sql, err, "sss", name, c->address, c->arch);
	if (rc >= 0 && c->set_flags)
		rc = db_run(&lab->db, host_flags_clear_sql, err, "s", name);
	if (rc >= 0 && c->set_flags)
		rc = apply_flags(lab, name, &c->flags_set, host_flag_insert_sql, err);
	if (rc >= 0)
		rc = apply_flags(lab, name, &c->flags_add, host_flag_insert_sql, err);
	if (rc >= 0)
		rc = apply_flags(lab, name, &c->flags_del, host_flag_delete_sql, err);
	if (rc >= 0)
		rc = apply_props(lab, name, &c->props_set, err);
	rc = db_end(&lab->db, rc, err);
	/*
	 * Its recorded key follows it to a new address: the machine is the
	 * same, so a key that then differs has changed.
	 */
	if (rc >= 0 && c->address != NULL && strcmp(c->address, h.address) != 0)
		rc = move_key(lab, h.address, c->address, err);
	host_release(&h);
	return rc < 0 ? rc : 0;
}

static const char host_state_sql[] =
	"UPDATE hosts SET state = ?2, state_why = ?3 WHERE name = ?1";

int
host_set_state(struct lab *lab, const char *name, const char *state,
    const char *why, struct strbuf *err)
{
	struct host h;
	int rc;

	if (strcmp(state, HOST_QUARANTINED) == 0 && (why == NULL || *why == '\0'))
		return err_setf(err, TS_E_INPUT, "host %s: quarantine needs a reason (--why)",
		    name);
	if ((rc = db_begin(&lab->db, err)) < 0)
		return rc;
	if ((rc = host_get(lab, name, &h, err)) == 0) {
		host_release(&h);
		rc = db_run(&lab->db, host_state_sql, err, "sss", name, state,
		    strcmp(state, HOST_FREE) == 0 ? NULL : why);
	}
	rc = db_end(&lab->db, rc, err);
	return rc < 0 ? rc : 0;
}

/*
 * A host leaves with its flags and properties; one that a job holds stays.
 * (Allocation rows are the allocator's; a removed host's past ones go.)
 */
static const char host_held_sql[] =
	"SELECT count(*) FROM allocations WHERE host = ?1 AND released_ms IS NULL";
static const char host_forget_allocs_sql[] =
	"DELETE FROM allocations WHERE host = ?1";
static const char host_delete_props_sql[] =
	"DELETE FROM host_props WHERE host = ?1";
static const char host_delete_sql[] =
	"DELETE FROM hosts WHERE name = ?1";

int
host_remove(struct lab *lab, const char *name, struct strbuf *err)
{
	struct strbuf known = STRBUF_INIT;
	struct host h;
	int64_t held = 0;
	int rc;

	if ((rc = db_begin(&lab->db, err)) < 0)
		return rc;
	if ((rc = host_get(lab, name, &h, err)) < 0)
		goto out;
	if ((rc = db_int(&lab->db, &held, host_held_sql, err, "s", name)) >= 0 && held > 0)
		rc = err_setf(err, TS_E_INPUT, "host %s: held by a job; release it first",
		    name);
	if (rc >= 0)
		rc = db_run(&lab->db, host_forget_allocs_sql, err, "s", name);
	if (rc >= 0)
		rc = db_run(&lab->db, host_flags_clear_sql, err, "s", name);
	if (rc >= 0)
		rc = db_run(&lab->db, host_delete_props_sql, err, "s", name);
	if (rc >= 0)
		rc = db_run(&lab->db, host_delete_sql, err, "s", name);
	rc = db_end(&lab->db, rc, err);
	/* Its key goes too, so that a new host at that address starts clean. */
	if (rc >= 0) {
		lab_known_hosts(lab, &known);
		rc = ssh_known_remove(known.buf, h.address, err);
	}
	host_release(&h);
out:
	if (rc < 0 && lab->db.in_tx)
		db_rollback(&lab->db);
	strbuf_release(&known);
	return rc < 0 ? rc : 0;
}

/* Connect within ms, and within the lab's connect_timeout. */
static int
connect_within(struct lab *lab, const struct host *h, int learn, int64_t ms,
    struct ssh_conn **c, struct strbuf *err)
{
	struct strbuf key = STRBUF_INIT, known = STRBUF_INIT;
	struct ssh_params p;
	int rc;

	lab_ssh_key(lab, &key);
	lab_known_hosts(lab, &known);
	p.name = h->name;
	p.address = h->address;
	p.key = key.buf;
	p.known_hosts = known.buf;
	p.learn = learn;
	p.timeout_ms = conf_lab_ms(&lab->conf, "connect_timeout",
	    HOST_CONNECT_TIMEOUT_MS);
	if (ms < p.timeout_ms)
		p.timeout_ms = ms;
	rc = ssh_open(c, &p, err);
	strbuf_release(&key);
	strbuf_release(&known);
	return rc;
}

int
host_connect(struct lab *lab, const struct host *h, int learn,
    struct ssh_conn **c, struct strbuf *err)
{
	return connect_within(lab, h, learn, INT64_MAX, c, err);
}

const char *
host_unprefix(const char *name, const char *msg)
{
	size_t n = strlen(name);

	if (strncmp(msg, "host ", 5) == 0 && strncmp(msg + 5, name, n) == 0 &&
	    strncmp(msg + 5 + n, ": ", 2) == 0)
		return msg + 7 + n;
	return msg;
}

/* One look: log in and run true, within dl. */
static int
check_once(struct lab *lab, const struct host *h, const struct deadline *dl,
    struct strbuf *err)
{
	const char *argv[] = { "true", NULL };
	struct ssh_exec_opts eo = SSH_EXEC_OPTS_INIT;
	struct ssh_conn *c = NULL;
	struct ssh_result res;
	int rc;

	if ((rc = connect_within(lab, h, 0, deadline_left(dl), &c, err)) < 0)
		return rc;
	eo.timeout_ms = deadline_left(dl);
	if ((rc = ssh_exec(c, argv, &eo, &res, err)) == 0 &&
	    (!res.exited || res.code != 0)) {
		err_setf(err, TS_E_LAB, "host %s: true: ", h->name);
		ssh_describe(&res, err);
		if (res.timed_out)
			strbuf_addf(err, " after %lld s",
			    (long long)deadline_waited_s(dl));
		rc = TS_E_LAB;
	}
	ssh_close(c);
	return rc;
}

int
host_check(struct lab *lab, const struct host *h, int64_t timeout_ms,
    int wait, struct strbuf *err)
{
	struct strbuf last = STRBUF_INIT;
	struct deadline dl;
	int rc;

	deadline_in(&dl, timeout_ms, "SSH to answer");
	for (;;) {
		strbuf_reset(&last);
		if ((rc = check_once(lab, h, &dl, &last)) == 0 || !wait)
			break;
		/* A look cut short by a signal is no answer: stop looking. */
		if (deadline_passed(&dl) || proc_aborted() ||
		    proc_sleep(deadline_left(&dl) < HOST_CHECK_PAUSE_MS ?
		    deadline_left(&dl) : HOST_CHECK_PAUSE_MS) < 0 ||
		    deadline_passed(&dl))
			break;
	}
	if (rc < 0 && wait)
		err_setf(err, rc, "host %s: no answer after %lld s; the last look: "
		    "%s", h->name, (long long)deadline_waited_s(&dl),
		    host_unprefix(h->name, last.buf));
	else if (rc < 0)
		err_setf(err, rc, "%s", last.buf);
	deadline_release(&dl);
	strbuf_release(&last);
	return rc;
}

/* The host, other than name, that has address, into other; 1 if any. */
static const char host_by_address_sql[] =
	"SELECT name FROM hosts WHERE address = ?1 AND name <> ?2";

int
host_enroll(struct lab *lab, const struct host *h, const char *key_line,
    int connect, struct strbuf *fp, struct strbuf *err)
{
	struct strbuf known = STRBUF_INIT, line = STRBUF_INIT, old = STRBUF_INIT;
	struct ssh_conn *c = NULL;
	sqlite3_stmt *st;
	struct host prev;
	int rc, had;

	if ((rc = check_host(h->name, h->address, h->arch, err)) < 0)
		return rc;
	if (host_get(lab, h->name, &prev, NULL) == 0) {
		host_release(&prev);
		return err_setf(err, TS_E_INPUT, "host %s: already in the lab", h->name);
	}
	if (key_line == NULL && !connect)
		return err_setf(err, TS_E_INPUT,
		    "host %s: without connecting, its key must be given (--host-key)",
		    h->name);
	if (key_line != NULL && ssh_key_fingerprint(key_line, &line) < 0)
		return err_setf(err, TS_E_INPUT, "host %s: host key '%s': not "
		    "\"TYPE BASE64\" as in known_hosts", h->name, key_line);
	if ((rc = db_query(&lab->db, &st, host_by_address_sql, err, "ss", h->address,
	    h->name)) < 0 || (rc = db_row(&lab->db, st, err)) < 0)
		goto out;
	if (rc == 1) {
		rc = err_setf(err, TS_E_INPUT, "host %s: address %s is host %s's",
		    h->name, h->address, db_text(st, 0));
		db_done(st);
		goto out;
	}
	strbuf_reset(&line);
	lab_known_hosts(lab, &known);
	/* What known_hosts says of the address now, to put back on failure. */
	if ((rc = ssh_known_get(known.buf, h->address, &old, err)) < 0)
		goto out;
	had = rc;
	/* Given: record it, then check the host shows it.  Else learn it. */
	if (key_line != NULL)
		rc = ssh_known_set(known.buf, h->address, key_line, err);
	else
		rc = ssh_known_remove(known.buf, h->address, err);
	if (rc >= 0 && connect)
		rc = host_connect(lab, h, key_line == NULL, &c, err);
	if (rc >= 0)
		rc = ssh_known_get(known.buf, h->address, &line, err);
	if (rc >= 0 && fp != NULL)
		(void)ssh_key_fingerprint(line.buf, fp);
	if (rc >= 0)
		rc = host_add(lab, h, err);
	if (rc < 0) {
		struct strbuf e2 = STRBUF_INIT;

		if (had)
			(void)ssh_known_set(known.buf, h->address, old.buf, &e2);
		else
			(void)ssh_known_remove(known.buf, h->address, &e2);
		strbuf_release(&e2);
	}
out:
	ssh_close(c);
	strbuf_release(&known);
	strbuf_release(&line);
	strbuf_release(&old);
	return rc < 0 ? rc : 0;
}

int
host_rekey(struct lab *lab, const char *name, const char *key_line,
    struct strbuf *fp, struct strbuf *err)
{
	struct strbuf known = STRBUF_INIT, line = STRBUF_INIT;
	struct ssh_conn *c = NULL;
	struct host h;
	int rc;

	if ((rc = host_get(lab, name, &h, err)) < 0)
		return rc;
	lab_known_hosts(lab, &known);
	if (key_line != NULL && ssh_key_fingerprint(key_line, fp) < 0) {
		rc = err_setf(err, TS_E_INPUT, "host %s: host key '%s': not "
		    "\"TYPE BASE64\" as in known_hosts", name, key_line);
		goto out;
	}
	if (key_line != NULL) {
		rc = ssh_known_set(known.buf, h.address, key_line, err);
		goto out;
	}
	/* Take what it shows now: the person asked for exactly that. */
	if ((rc = ssh_known_remove(known.buf, h.address, err)) < 0 ||
	    (rc = host_connect(lab, &h, 1, &c, err)) < 0)
		goto out;
	ssh_host_key(c, NULL, fp);
out:
	ssh_close(c);
	host_release(&h);
	strbuf_release(&known);
	strbuf_release(&line);
	return rc < 0 ? rc : 0;
}

static void
json_host(struct json *j, const struct lab *lab, const struct host *h)
{
	size_t i;

	json_obj_begin(j);
	json_kv_str(j, "name", h->name);
	json_kv_str(j, "address", h->address);
	json_kv_str(j, "arch", h->arch);
	json_kv_str(j, "state", h->state);
	json_kv_str(j, "why", h->why);
	json_kv_str(j, "held_by", h->held_by);
	json_kv_int(j, "added", h->added);
	json_key(j, "flags");
	json_arr_begin(j);
	for (i = 0; i < h->flags.nr; i++)
		json_str(j, h->flags.v[i]);
	json_arr_end(j);
	json_key(j, "props");
	json_obj_begin(j);
	for (i = 0; i < h->props.nr; i++) {
		const char *eq = strchr(h->props.v[i], '=');
		char *name = xstrndup(h->props.v[i], (size_t)(eq - h->props.v[i]));

		json_kv_str(j, name, eq + 1);
		free(name);
	}
	json_obj_end(j);
	if (lab != NULL) {
		struct strbuf known = STRBUF_INIT, line = STRBUF_INIT, fp = STRBUF_INIT;

		lab_known_hosts(lab, &known);
		json_key(j, "host_key");
		if (ssh_known_get(known.buf, h->address, &line, NULL) == 1 &&
		    ssh_key_fingerprint(line.buf, &fp) == 0)
			json_str(j, fp.buf);
		else
			json_null(j);
		strbuf_release(&known);
		strbuf_release(&line);
		strbuf_release(&fp);
	}
	json_obj_end(j);
}

static void
join(struct strbuf *out, const struct strvec *v, const char *sep)
{
	size_t i;

	for (i = 0; i < v->nr; i++)
		strbuf_addf(out, "%s%s", i ? sep : "", v->v[i]);
}

void
host_format_list(const struct host_list *l, int json, struct strbuf *out)
{
	struct json j;
	size_t i, wn = 4, wa = 7;

	if (json) {
		json_init(&j, out);
		json_arr_begin(&j);
		for (i = 0; i < l->nr; i++)
			json_host(&j, NULL, &l->v[i]);
		json_arr_end(&j);
		strbuf_addch(out, '\n');
		return;
	}
	for (i = 0; i < l->nr; i++) {
		if (strlen(l->v[i].name) > wn)
			wn = strlen(l->v[i].name);
		if (strlen(l->v[i].address) > wa)
			wa = strlen(l->v[i].address);
	}
	for (i = 0; i < l->nr; i++) {
		const struct host *h = &l->v[i];

		strbuf_addf(out, "%-*s  %-*s  %-8s %-12s ", (int)wn, h->name, (int)wa,
		    h->address, h->arch, h->held_by ? "held" : h->state);
		join(out, &h->flags, ",");
		if (h->held_by != NULL)
			strbuf_addf(out, "  (%s)", h->held_by);
		else if (h->why != NULL)
			strbuf_addf(out, "  (%s)", h->why);
		strbuf_addch(out, '\n');
	}
}

void
host_format_show(const struct lab *lab, const struct host *h, int json,
    struct strbuf *out)
{
	struct strbuf known = STRBUF_INIT, line = STRBUF_INIT, fp = STRBUF_INIT;
	struct json j;
	size_t i;

	if (json) {
		json_init(&j, out);
		json_host(&j, lab, h);
		strbuf_addch(out, '\n');
		return;
	}
	strbuf_addf(out, "name     %s\naddress  %s\narch     %s\nstate    %s%s%s\n",
	    h->name, h->address, h->arch, h->state, h->why ? ": " : "",
	    h->why ? h->why : "");
	if (h->held_by != NULL)
		strbuf_addf(out, "held by  %s\n", h->held_by);
	strbuf_addstr(out, "added    ");
	clock_add_utc(out, h->added);
	strbuf_addstr(out, "\nflags    ");
	join(out, &h->flags, ",");
	strbuf_addch(out, '\n');
	for (i = 0; i < h->props.nr; i++)
		strbuf_addf(out, "prop     %s\n", h->props.v[i]);
	lab_known_hosts(lab, &known);
	if (ssh_known_get(known.buf, h->address, &line, NULL) == 1 &&
	    ssh_key_fingerprint(line.buf, &fp) == 0)
		strbuf_addf(out, "host key %.*s %s\n", (int)strcspn(line.buf, " "),
		    line.buf, fp.buf);
	else
		strbuf_addstr(out, "host key (none recorded)\n");
	strbuf_release(&known);
	strbuf_release(&line);
	strbuf_release(&fp);
}
