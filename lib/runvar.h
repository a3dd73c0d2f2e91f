/*
 * runvar: a job's key=value settings.
 *
 * Definition runvars (synth 0) are fixed when the job is made, while its
 * flight is constructing; runtime runvars (synth 1) are written by steps
 * (host=.., built_revision_xen=..) and replace an earlier runtime value but
 * never a definition: a step that tries gets TS_E_INPUT and the definition
 * stays.  A job reads another job's runvars through a reference runvar
 * (buildjob=build-amd64, or FLIGHT.JOB for another flight's job).
 */
#ifndef TLAB_RUNVAR_H
#define TLAB_RUNVAR_H

#include <stdint.h>

#include "lab.h"

struct runvar {
	char *name;
	char *val;
	int synth;	/* 1: runtime, 0: definition */
};

struct runvar_list {
	struct runvar *v;
	size_t nr, alloc;
};

#define RUNVAR_LIST_INIT { NULL, 0, 0 }

/* 1 and *val (malloc'd) when set, 0 when not. */
int runvar_get(struct lab *lab, int64_t flight, const char *job,
    const char *name, char **val, struct strbuf *err);

/*
 * Set a runtime runvar; TS_E_INPUT when name is a definition runvar or the
 * job does not exist.
 */
int runvar_set(struct lab *lab, int64_t flight, const char *job,
    const char *name, const char *val, struct strbuf *err);

/* The same inside the caller's write transaction. */
int runvar_set_in_tx(struct lab *lab, int64_t flight, const char *job,
    const char *name, const char *val, struct strbuf *err);

/* Set a definition runvar: only while the flight is constructing. */
int runvar_define(struct lab *lab, int64_t flight, const char *job,
    const char *name, const char *val, struct strbuf *err);
/* The same inside the caller's write transaction (job_create). */
int runvar_define_in_tx(struct lab *lab, int64_t flight, const char *job,
    const char *name, const char *val, struct strbuf *err);

/* Remove a runvar (a definition only while constructing). 1 if it was set. */
int runvar_unset(struct lab *lab, int64_t flight, const char *job,
    const char *name, struct strbuf *err);

/* Every runvar of a job, by name. */
int runvar_list(struct lab *lab, int64_t flight, const char *job,
    struct runvar_list *out, struct strbuf *err);
const char *runvar_list_get(const struct runvar_list *l, const char *name);
void runvar_list_release(struct runvar_list *l);

/*
 * Resolve a job reference as runvars hold them: "JOB" (same flight) or
 * "FLIGHT.JOB".  TS_E_INPUT when malformed.
 */
int runvar_parse_jobref(const char *ref, int64_t this_flight, int64_t *flight,
    char **job, struct strbuf *err);

/* Does name end with suffix (e.g. "buildjob")? */
int runvar_name_ends(const char *name, const char *suffix);

#endif
