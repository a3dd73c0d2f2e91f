/*
 * names: what a name or id given by a user may be.  Checked where it
 * enters, before it becomes part of a path, a command line or a row; no
 * database is needed to check one, so the smallest binaries share this.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "names.h"
#include "banned.h"

int
lab_check_name(const char *what, const char *name, struct strbuf *err)
{
	const char *p;

	if (*name == '\0')
		return err_setf(err, TS_E_INPUT, "%s name: empty", what);
	if (strlen(name) > 100)
		return err_setf(err, TS_E_INPUT, "%s name %.20s...: longer than 100 bytes",
		    what, name);
	if (*name == '.' || *name == '-')
		return err_setf(err, TS_E_INPUT, "%s name '%s': must not start with '%c'",
		    what, name, *name);
	for (p = name; *p != '\0'; p++)
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789._+-", *p) == NULL)
			return err_setf(err, TS_E_INPUT,
			    "%s name '%s': only letters, digits and . _ + - may be used",
			    what, name);
	return 0;
}

int
runvar_check_name(const char *name, struct strbuf *err)
{
	const char *p;

	if (*name == '\0')
		return err_setf(err, TS_E_INPUT, "runvar name: empty");
	if (strlen(name) > 100)
		return err_setf(err, TS_E_INPUT, "runvar %.20s...: name longer than 100 bytes", name);
	if (*name >= '0' && *name <= '9')
		return err_setf(err, TS_E_INPUT, "runvar '%s': name starts with a digit", name);
	for (p = name; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '_'))
			return err_setf(err, TS_E_INPUT,
			    "runvar '%s': a name has only letters, digits and _", name);
	return 0;
}

int
flight_parse_id(const char *s, int64_t *id, struct strbuf *err)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || errno != 0 || v <= 0)
		return err_setf(err, TS_E_INPUT, "flight '%s': not a flight number", s);
	*id = v;
	return 0;
}
