/*
 * strvec: growing NULL-terminated string arrays.  See strvec.h.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <popt.h>

#include "err.h"
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

/*
 * Is every quote of s closed?  popt takes one left open as closed by the
 * end of the string; a shell, and we, refuse it.  A backslash keeps the
 * next character from counting, inside quotes too, as in popt.
 */
static int
quotes_closed(const char *s)
{
	char q = 0;

	for (; *s != '\0'; s++) {
		if (*s == '\\' && s[1] != '\0')
			s++;
		else if (q == 0 && (*s == '\'' || *s == '"'))
			q = *s;
		else if (*s == q)
			q = 0;
	}
	return q == 0;
}

/*
 * Split tmpl into words as a shell would, with %h the host's name, %a the
 * action and %% a % inside each word; push them onto argv.  TS_E_INPUT
 * names the template.
 */
int
strvec_template(struct strvec *argv, const char *tmpl, const char *host,
    const char *action, struct strbuf *err)
{
	struct strbuf w = STRBUF_INIT;
	const char **words = NULL;
	int n, i, r, rc = 0;

	if (!quotes_closed(tmpl))
		return err_setf(err, TS_E_INPUT, "'%s': a quote is not closed", tmpl);
	if ((r = poptParseArgvString(tmpl, &n, &words)) < 0)
		return err_setf(err, TS_E_INPUT, "'%s': %s", tmpl,
		    r == POPT_ERROR_NOARG ? "no command" : poptStrerror(r));
	for (i = 0; i < n && rc == 0; i++) {
		const char *p;

		strbuf_reset(&w);
		for (p = words[i]; *p != '\0' && rc == 0; p++) {
			if (*p != '%') {
				strbuf_addch(&w, *p);
				continue;
			}
			switch (*++p) {
			case 'h':
				strbuf_addstr(&w, host);
				break;
			case 'a':
				if (action == NULL)
					goto unknown;
				strbuf_addstr(&w, action);
				break;
			case '%':
				strbuf_addch(&w, '%');
				break;
			default:
			unknown:
				rc = err_setf(err, TS_E_INPUT, "'%s': %%%.1s is not "
				    "%%h (host)%s or %%%% (a %%)", tmpl, p,
				    action != NULL ? ", %a (action)" : "");
				p--;	/* stay on the NUL, if that was it */
			}
		}
		strvec_push(argv, w.buf);
	}
	free(words);
	strbuf_release(&w);
	return rc;
}
