/*
 * status: names, precedence and exit codes of statuses.  See status.h.
 */
#include <string.h>

#include "exitcodes.h"
#include "status.h"
#include "banned.h"

static const char *const names[] = {
	[ST_NONE] = "none",
	[ST_QUEUED] = "queued",
	[ST_PREPARING] = "preparing",
	[ST_RUNNING] = "running",
	[ST_PASS] = "pass",
	[ST_FAIL] = "fail",
	[ST_BLOCKED] = "blocked",
	[ST_BROKEN] = "broken",
	[ST_ABORTED] = "aborted",
};

const char *
status_name(enum ts_status st)
{
	if ((unsigned)st >= sizeof(names) / sizeof(names[0]))
		return "none";
	return names[st];
}

enum ts_status
status_parse(const char *name)
{
	unsigned i;

	for (i = ST_QUEUED; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(names[i], name) == 0)
			return (enum ts_status)i;
	return ST_NONE;
}

int
status_is_final(enum ts_status st)
{
	return st >= ST_PASS;
}

int
status_is_sticky(enum ts_status st)
{
	return st == ST_BROKEN || st == ST_ABORTED;
}

enum ts_status
status_worse(enum ts_status a, enum ts_status b)
{
	/* The enum is in precedence order from ST_PASS up. */
	if (!status_is_final(a))
		return b;
	if (!status_is_final(b))
		return a;
	return a > b ? a : b;
}

enum ts_status
status_of_exit(int code, enum ts_status on_fail)
{
	switch (code) {
	case TS_EXIT_PASS:
		return ST_PASS;
	case TS_EXIT_USAGE:
	case TS_EXIT_BROKEN:
		return ST_BROKEN;
	case TS_EXIT_BLOCKED:
		return ST_BLOCKED;
	case 126:	/* found but not executable */
	case 127:	/* not found: the recipe names a program that is not there */
		return ST_BROKEN;
	default:
		return on_fail;
	}
}

int
status_exit(enum ts_status st)
{
	switch (st) {
	case ST_PASS:
		return TS_EXIT_PASS;
	case ST_FAIL:
		return TS_EXIT_FAIL;
	case ST_BLOCKED:
		return TS_EXIT_BLOCKED;
	default:
		return TS_EXIT_BROKEN;
	}
}
