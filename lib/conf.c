/*
 * conf: read and check tlab.conf.  See conf.h for the format.
 *
 * The table below is the whole vocabulary of the file.  Each key has a type
 * checked at load time, so that a bad value is reported where it was
 * written, not when some step first reads it hours later.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "err.h"
#include "xalloc.h"
#include "banned.h"

/* CT_BOUND: a duration that bounds a wait, so more than zero. */
enum conf_type { CT_STRING, CT_INT, CT_DURATION, CT_BOUND };

struct conf_key {
	const char *kind;	/* "" for the lab's own keys */
	const char *key;
	enum conf_type type;
};

static const struct conf_key conf_keys[] = {
	{ "", "name", CT_STRING },		/* the lab's name, for reports */
	{ "", "parallel", CT_INT },		/* ts-flight-run -j default */
	{ "", "step_timeout", CT_BOUND },	/* a step's default bound */
	{ "", "job_timeout", CT_BOUND },	/* a recipe's bound */
	{ "", "lease", CT_BOUND },		/* a runner's lease on its job */
	{ "", "abort_grace", CT_DURATION },	/* SIGTERM to SIGKILL; 0: at once */
	{ "", "pause_timeout", CT_BOUND },	/* pause_on_<status> bound */
	{ "", "ssh_key", CT_STRING },		/* the lab's private key */
	{ "", "connect_timeout", CT_BOUND },	/* ssh connect and login */
	{ "", "alloc_timeout", CT_BOUND },	/* waiting for hosts */
	{ "", "host_check_timeout", CT_BOUND },	/* a broken job's hosts answer? */
	{ "branch", "retry_broken", CT_INT },	/* runs of a job after it broke */
	{ "branch", "bisect_repro_basis", CT_INT },	/* basis pass/fail pairs */
	{ "branch", "bisect_repro_culprit", CT_INT },	/* culprit transitions */
	{ "branch", "bisect_conflict_repeats", CT_INT },	/* see lib/bisect.h */
	{ "", "sendmail", CT_STRING },		/* the command mail goes through */
	{ "", "mail_from", CT_STRING },		/* From: of the lab's mail */
	{ "", "mail_to", CT_STRING },		/* who gets reports */
	{ "branch", "mail_to", CT_STRING },	/* who gets a branch's reports */
	{ "tree", "url", CT_STRING },		/* what libgit2 fetches from */
	{ "tree", "staging", CT_STRING },	/* the ref tested */
	{ "tree", "master", CT_STRING },	/* the ref a push moves */
};

/* Section kinds: each needs a name ([tree xen]) or has none. */
static const struct conf_kind {
	const char *kind;
	int named;
} conf_kinds[] = {
	{ "", 0 },
	{ "branch", 1 },
	{ "tree", 1 },		/* [tree xen]: a tree under test (lib/tree) */
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const struct conf_kind *
find_kind(const char *kind)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(conf_kinds); i++)
		if (strcmp(conf_kinds[i].kind, kind) == 0)
			return &conf_kinds[i];
	return NULL;
}

static const struct conf_key *
find_key(const char *kind, const char *key)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(conf_keys); i++)
		if (strcmp(conf_keys[i].kind, kind) == 0 &&
		    strcmp(conf_keys[i].key, key) == 0)
			return &conf_keys[i];
	return NULL;
}

int
conf_parse_duration(const char *s, int64_t *ms)
{
	char *end;
	long long v;
	int64_t mult = 1000;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0)
		return -1;
	switch (*end) {
	case '\0': case 's': break;
	case 'm': mult = 60 * 1000; break;
	case 'h': mult = 3600 * 1000; break;
	case 'd': mult = 86400 * 1000; break;
	default: return -1;
	}
	if (*end != '\0' && end[1] != '\0')
		return -1;
	if (v > INT64_MAX / mult)
		return -1;
	*ms = (int64_t)v * mult;
	return 0;
}

static int
parse_int(const char *s, long *out)
{
	char *end;
	long v;

	if (!isdigit((unsigned char)*s) && *s != '-')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static int bad(struct strbuf *err, const char *path, int line,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int
bad(struct strbuf *err, const char *path, int line, const char *fmt, ...)
{
	va_list ap;

	err_setf(err, TS_E_INPUT, "%s:%d: ", path, line);
	va_start(ap, fmt);
	strbuf_vaddf(err, fmt, ap);
	va_end(ap);
	return TS_E_INPUT;
}

static int
check_value(const struct conf_key *k, const char *value, const char *path,
    int line, struct strbuf *err)
{
	int64_t ms;
	long l;

	switch (k->type) {
	case CT_INT:
		if (parse_int(value, &l) < 0 || l < 0)
			return bad(err, path, line,
			    "%s: '%s' is not a whole number", k->key, value);
		break;
	case CT_DURATION:
	case CT_BOUND:
		if (conf_parse_duration(value, &ms) < 0)
			return bad(err, path, line,
			    "%s: '%s' is not a duration (seconds, or with s, m, h or d)",
			    k->key, value);
		if (k->type == CT_BOUND && ms == 0)
			return bad(err, path, line, "%s: a bound must be more than 0",
			    k->key);
		break;
	case CT_STRING:
		break;
	}
	return 0;
}

int
conf_parse(struct conf *c, const char *path, const char *text,
    struct strbuf *err)
{
	char *copy = xstrdup(text), *p = copy, *nl;
	char *kind = xstrdup(""), *name = xstrdup("");
	int line = 0, rc = 0;

	free(c->path);
	c->path = xstrdup(path);
	for (; p != NULL && *p != '\0'; p = nl) {
		char *s, *eq, *key, *value;
		const struct conf_key *k;
		size_t i;

		line++;
		if ((nl = strchr(p, '\n')) != NULL)
			*nl++ = '\0';
		s = trim(p);
		if (*s == '\0' || *s == '#')
			continue;
		if (*s == '[') {
			char *e = strchr(s, ']'), *sp;
			const struct conf_kind *ck;

			if (e == NULL || e[1] != '\0') {
				rc = bad(err, path, line, "%s: a section header is [KIND NAME]", s);
				goto out;
			}
			*e = '\0';
			s = trim(s + 1);
			sp = s + strcspn(s, " \t");
			free(kind);
			free(name);
			kind = xstrndup(s, (size_t)(sp - s));
			name = xstrdup(trim(sp));
			if (*kind == '\0' || (ck = find_kind(kind)) == NULL) {
				rc = bad(err, path, line, "unknown section [%s]", s);
				goto out;
			}
			if (ck->named && *name == '\0') {
				rc = bad(err, path, line, "section [%s] needs a name: [%s NAME]", kind, kind);
				goto out;
			}
			if (!ck->named && *name != '\0') {
				rc = bad(err, path, line, "section [%s] takes no name, not '%s'", kind, name);
				goto out;
			}
			continue;
		}
		if ((eq = strchr(s, '=')) == NULL) {
			rc = bad(err, path, line, "'%s': not a key = value line", s);
			goto out;
		}
		*eq = '\0';
		key = trim(s);
		value = trim(eq + 1);
		if ((k = find_key(kind, key)) == NULL) {
			if (*kind == '\0')
				rc = bad(err, path, line, "unknown key '%s'", key);
			else
				rc = bad(err, path, line, "unknown key '%s' in [%s]", key, kind);
			goto out;
		}
		if ((rc = check_value(k, value, path, line, err)) < 0)
			goto out;
		for (i = 0; i < c->nr; i++) {
			struct conf_entry *o = &c->v[i];

			if (strcmp(o->kind, kind) == 0 && strcmp(o->name, name) == 0 &&
			    strcmp(o->key, key) == 0) {
				err_setf(err, TS_E_INPUT, "%s:%d: %s: already set on line %d",
				    path, line, key, o->line);
				rc = TS_E_INPUT;
				goto out;
			}
		}
		ALLOC_GROW(c->v, c->nr + 1, c->alloc);
		c->v[c->nr].kind = xstrdup(kind);
		c->v[c->nr].name = xstrdup(name);
		c->v[c->nr].key = xstrdup(key);
		c->v[c->nr].value = xstrdup(value);
		c->v[c->nr].line = line;
		c->nr++;
	}
out:
	free(kind);
	free(name);
	free(copy);
	return rc;
}

int
conf_load(struct conf *c, const char *path, struct strbuf *err)
{
	struct strbuf text = STRBUF_INIT;
	int rc;

	if (strbuf_read_file(&text, path) < 0) {
		rc = errno == ENOENT ? TS_E_INPUT : TS_E_LAB;
		strbuf_release(&text);
		return err_errno(err, rc, "%s", path);
	}
	rc = conf_parse(c, path, text.buf, err);
	strbuf_release(&text);
	return rc;
}

void
conf_release(struct conf *c)
{
	size_t i;

	for (i = 0; i < c->nr; i++) {
		free(c->v[i].kind);
		free(c->v[i].name);
		free(c->v[i].key);
		free(c->v[i].value);
	}
	free(c->v);
	free(c->path);
	c->v = NULL;
	c->path = NULL;
	c->nr = c->alloc = 0;
}

const char *
conf_get(const struct conf *c, const char *kind, const char *name,
    const char *key)
{
	size_t i;

	for (i = 0; i < c->nr; i++)
		if (strcmp(c->v[i].kind, kind) == 0 &&
		    strcmp(c->v[i].name, name ? name : "") == 0 &&
		    strcmp(c->v[i].key, key) == 0)
			return c->v[i].value;
	return NULL;
}

int64_t
conf_lab_ms(const struct conf *c, const char *key, int64_t def_ms)
{
	const char *v = conf_get(c, "", "", key);
	int64_t ms;

	/* Checked at load time; a failure here is only the unset case. */
	if (v == NULL || conf_parse_duration(v, &ms) < 0)
		return def_ms;
	return ms;
}

long
conf_lab_int(const struct conf *c, const char *key, long def)
{
	const char *v = conf_get(c, "", "", key);
	long l;

	if (v == NULL || parse_int(v, &l) < 0)
		return def;
	return l;
}

const char conf_template[] =
    "# tlab.conf: settings of this lab; see tlab.conf(5).\n"
    "# `key = value` lines; `[KIND NAME]` headers start sections.\n"
    "# An unknown key is an error, so a typo is caught, not ignored.\n"
    "\n"
    "# name = mylab\n"
    "\n"
    "# Jobs ts-flight-run runs at once when -j is not given.\n"
    "# parallel = 4\n"
    "\n"
    "# Bounds: a step (unless the recipe gives --timeout), a whole recipe.\n"
    "# Durations are seconds, or with a suffix s, m, h or d.\n"
    "# step_timeout = 1h\n"
    "# job_timeout = 1d\n"
    "\n"
    "# A job runner renews its lease on the job this often times three;\n"
    "# a runner on another machine that stops renewing is presumed dead.\n"
    "# lease = 5m\n"
    "\n"
    "# After SIGTERM, how long a step or job has before SIGKILL.\n"
    "# abort_grace = 30s\n"
    "\n"
    "# How long a step pauses when a pause_on_<status> runvar matches it.\n"
    "# pause_timeout = 1d\n"
    "\n"
    "# The lab's SSH key (ts-lab-init makes ssh/id_ed25519), relative to\n"
    "# the lab or absolute, and the bound on connecting to a host.\n"
    "# ssh_key = ssh/id_ed25519\n"
    "# connect_timeout = 30s\n"
    "\n"
    "# How long ts-host-allocate waits for hosts before it gives up.\n"
    "# alloc_timeout = 30m\n"
    "\n"
    "# After a job ends broken, how long each of its hosts has to answer\n"
    "# SSH (and again after a power cycle) before it is quarantined.\n"
    "# host_check_timeout = 60s\n"
    "\n"
    "# Trees under test, for ts-flight-create --branch (tlab-branch(5)):\n"
    "# a URL libgit2 fetches (path, file://, ssh://, https://), the ref\n"
    "# tested and the ref a push moves (these two are the defaults).\n"
    "# [tree xen]\n"
    "# url = ssh://git@xenbits.example/xen.git\n"
    "# staging = refs/heads/staging\n"
    "# master = refs/heads/master\n";
