/*
 * names: what a name or id given by a user may be.  See names.c.
 */
#ifndef TLAB_NAMES_H
#define TLAB_NAMES_H

#include <stdint.h>

#include "strbuf.h"

/*
 * Check a name that becomes part of a path or a command line (job, branch,
 * blessing, recipe): letters, digits and ._+- , not starting with . or -,
 * at most 100 bytes.  TS_E_INPUT names what and the name.
 */
int lab_check_name(const char *what, const char *name, struct strbuf *err);

/* A runvar name: letters, digits and _, not starting with a digit; <= 100 bytes. */
int runvar_check_name(const char *name, struct strbuf *err);

/* Parse a flight id given on a command line; TS_E_INPUT when not one. */
int flight_parse_id(const char *s, int64_t *id, struct strbuf *err);

#endif
