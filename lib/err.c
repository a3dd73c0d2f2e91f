/*
 * err: compose the words of a failure.  See err.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "err.h"
#include "exitcodes.h"
#include "banned.h"

int
err_setf(struct strbuf *err, int rc, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return rc;
	strbuf_reset(err);
	va_start(ap, fmt);
	strbuf_vaddf(err, fmt, ap);
	va_end(ap);
	return rc;
}

int
err_wrapf(struct strbuf *err, int rc, const char *fmt, ...)
{
	struct strbuf noun = STRBUF_INIT;
	va_list ap;

	if (err == NULL)
		return rc;
	va_start(ap, fmt);
	strbuf_vaddf(&noun, fmt, ap);
	va_end(ap);
	strbuf_addstr(&noun, ": ");
	strbuf_insertstr(err, 0, noun.buf);
	strbuf_release(&noun);
	return rc;
}

int
err_errno(struct strbuf *err, int rc, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	if (err == NULL)
		return rc;
	strbuf_reset(err);
	va_start(ap, fmt);
	strbuf_vaddf(err, fmt, ap);
	va_end(ap);
	strbuf_addf(err, ": %s", strerror(saved));
	errno = saved;
	return rc;
}

int
ts_exit_of(int rc)
{
	switch (rc) {
	case TS_OK:
		return TS_EXIT_PASS;
	case TS_E_FAIL:
		return TS_EXIT_FAIL;
	case TS_E_INPUT:
	case TS_E_NOTFOUND:
		return TS_EXIT_USAGE;
	case TS_E_BLOCKED:
		return TS_EXIT_BLOCKED;
	default:
		return rc > 0 ? TS_EXIT_PASS : TS_EXIT_BROKEN;
	}
}
