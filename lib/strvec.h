/*
 * strvec: a NULL-terminated array of owned strings, for argv and envp
 * (git's strvec).  v is never NULL: STRVEC_INIT points it at an empty list.
 */
#ifndef TLAB_STRVEC_H
#define TLAB_STRVEC_H

#include <stddef.h>

#include "strbuf.h"

struct strvec {
	const char **v;
	size_t nr, alloc;
};

extern const char *strvec_empty[];
#define STRVEC_INIT { strvec_empty, 0, 0 }

void strvec_push(struct strvec *sv, const char *s);
void strvec_pushf(struct strvec *sv, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void strvec_pushv(struct strvec *sv, const char *const *v);
void strvec_clear(struct strvec *sv);

/*
 * An environment: the caller's (environ) with each NAME=VALUE of set
 * replacing any NAME there.
 */
void strvec_env(struct strvec *env, const struct strvec *set);

/*
 * Split a command template into words as a shell would (quotes, no
 * expansion), then put host for %h, action for %a (not allowed when
 * action is NULL) and % for %% inside the words.  The words are run
 * without a shell: whatever a name holds stays one word.  TS_E_INPUT for
 * an unclosed quote or an unknown %.
 */
int strvec_template(struct strvec *argv, const char *tmpl, const char *host,
    const char *action, struct strbuf *err);

#endif
