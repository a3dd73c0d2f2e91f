/*
 * conf: the lab's settings file, tlab.conf.
 *
 * The format is lines of `key = value` under optional `[KIND NAME]` or
 * `[KIND]` headers; `#` starts a comment line; blank lines are ignored.
 * Keys before the first header are the lab's own.  Every key and section
 * kind tlab knows is listed in conf.c's table with its type; a key or
 * kind not listed, a value of the wrong type or a key given twice is an
 * error that names the file and line, so a typo never silently becomes a
 * default.  Later parts of tlab add their keys to the table.
 */
#ifndef TLAB_CONF_H
#define TLAB_CONF_H

#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

struct conf_entry {
	char *kind;	/* "" for the lab's own keys, else the section kind */
	char *name;	/* section name ("xen" of [tree xen]); "" if none */
	char *key;
	char *value;
	int line;
};

struct conf {
	char *path;
	struct conf_entry *v;
	size_t nr, alloc;
};

#define CONF_INIT { NULL, NULL, 0, 0 }

/* Read and check the file at path.  TS_E_INPUT names file:line. */
int conf_load(struct conf *c, const char *path, struct strbuf *err);
/* Check text as if it were the file named path (for tests). */
int conf_parse(struct conf *c, const char *path, const char *text,
    struct strbuf *err);
void conf_release(struct conf *c);

/* The value of key in [kind name] (kind "" for the lab's keys), or NULL. */
const char *conf_get(const struct conf *c, const char *kind, const char *name,
    const char *key);

/* A lab-level duration in milliseconds, or def_ms when not set. */
int64_t conf_lab_ms(const struct conf *c, const char *key, int64_t def_ms);
/* A lab-level integer, or def when not set. */
long conf_lab_int(const struct conf *c, const char *key, long def);

/*
 * Parse a duration: a whole number of seconds, or with a suffix s, m, h or
 * d.  Returns 0 and *ms, or -1 for anything else (negative included).
 */
int conf_parse_duration(const char *s, int64_t *ms);

/* The defaults of the lab's keys, one place for all (tlab.conf(5)). */
#define CONF_DEFAULT_PARALLEL 4
#define CONF_DEFAULT_STEP_TIMEOUT_MS (3600LL * 1000)
#define CONF_DEFAULT_JOB_TIMEOUT_MS (86400LL * 1000)
#define CONF_DEFAULT_LEASE_MS (300LL * 1000)
#define CONF_DEFAULT_ABORT_GRACE_MS (30LL * 1000)
#define CONF_DEFAULT_PAUSE_TIMEOUT_MS (86400LL * 1000)
#define CONF_DEFAULT_ALLOC_TIMEOUT_MS (1800LL * 1000)
#define CONF_DEFAULT_HOST_CHECK_TIMEOUT_MS (60LL * 1000)

/* The text ts-lab-init writes into a new lab's tlab.conf. */
extern const char conf_template[];

#endif
