/*
 * strvec: growing NULL-terminated string arrays.  See strvec.h.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "strvec.h"
#include "xalloc.h"
#include "banned.h"

extern char **environ;
const char *strvec_empty[] = { NULL };

static void
push_owned(struct strvec *sv, char *s)
{
	if (sv->v == strvec_empty)
		sv->v = NULL;
	ALLOC_GROW(sv->v, sv->nr + 2, sv->alloc);
	sv->v[sv->nr++] = s;
	sv->v[sv->nr] = NULL;
}

void
strvec_push(struct strvec *sv, const char *s)
{
	push_owned(sv, xstrdup(s));
}

void
strvec_pushf(struct strvec *sv, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	push_owned(sv, strbuf_detach(&sb, NULL));
}

void
strvec_pushv(struct strvec *sv, const char *const *v)
{
	for (; *v != NULL; v++)
		strvec_push(sv, *v);
}

void
strvec_clear(struct strvec *sv)
{
	size_t i;

	if (sv->v != strvec_empty) {
		for (i = 0; i < sv->nr; i++)
			free((char *)sv->v[i]);
		free(sv->v);
	}
	sv->v = strvec_empty;
	sv->nr = sv->alloc = 0;
}

static int
same_name(const char *a, const char *b)
{
	size_t n = strcspn(a, "=");

	return strncmp(a, b, n) == 0 && b[n] == '=';
}

void
strvec_env(struct strvec *env, const struct strvec *set)
{
	char **e;
	size_t i;

	for (e = environ; e != NULL && *e != NULL; e++) {
		for (i = 0; i < set->nr; i++)
			if (same_name(set->v[i], *e))
				break;
		if (i == set->nr)
			strvec_push(env, *e);
	}
	strvec_pushv(env, set->v);
}
