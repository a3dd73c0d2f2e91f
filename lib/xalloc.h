/*
 * xalloc: allocation that cannot fail.  Running out of memory ends the
 * process with exit 3 (the lab failed) after one line on stderr; it is the
 * only way lib/ may end a process.  Everything else returns errors.
 */
#ifndef TLAB_XALLOC_H
#define TLAB_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Grow (p, alloc) so that it holds at least nr items. */
#define ALLOC_GROW(p, nr, alloc) do { \
	if ((size_t)(nr) > (alloc)) { \
		(alloc) = (alloc) ? (alloc) * 2 : 8; \
		if ((alloc) < (size_t)(nr)) \
			(alloc) = (nr); \
		(p) = xrealloc((p), (alloc) * sizeof(*(p))); \
	} \
} while (0)

#endif
