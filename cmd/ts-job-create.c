/*
 * ts-job-create: add a job with its definition runvars to a constructing
 * flight.  See ts-job-create(1).
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "job.h"
#include "xalloc.h"
#include "banned.h"

/* Every NAME given must be good, a dropped one too; exits 2 if not. */
static void
check_names(const char **args, int n)
{
	struct strbuf name = STRBUF_INIT, err = STRBUF_INIT;
	int i;

	for (i = 0; i < n; i++) {
		const char *a = args[i], *eq = strchr(a, '=');

		if (a[0] != '!' && eq == NULL)
			cmd_usage_error("'%s': not NAME=VALUE or !NAME", a);
		strbuf_reset(&name);
		if (a[0] == '!')
			strbuf_addstr(&name, a + 1);
		else
			strbuf_add(&name, a, (size_t)(eq - a));
		if (runvar_check_name(name.buf, &err) < 0) {
			strbuf_release(&name);
			cmd_die(TS_E_INPUT, &err);
		}
	}
	strbuf_release(&name);
}

/*
 * NAME=VALUE sets a runvar, a later one replacing an earlier; !NAME drops
 * one given earlier on the line (OSSTEST's cs-job-create).
 */
static size_t
collect(const char **args, int n, struct runvar *defs)
{
	size_t nd = 0, k;
	int i;

	for (i = 0; i < n; i++) {
		const char *a = args[i], *eq = strchr(a, '=');
		char *name;

		if (a[0] == '!') {
			for (k = 0; k < nd; k++)
				if (strcmp(defs[k].name, a + 1) == 0) {
					free(defs[k].name);
					free(defs[k].val);
					defs[k] = defs[--nd];
					break;
				}
			continue;
		}
		name = xstrndup(a, (size_t)(eq - a));
		for (k = 0; k < nd; k++)
			if (strcmp(defs[k].name, name) == 0)
				break;
		if (k == nd) {
			defs[nd].name = name;
			nd++;
		} else {
			free(name);
			free(defs[k].val);
		}
		defs[k].val = xstrdup(eq + 1);
		defs[k].synth = 0;
	}
	return nd;
}

int
main(int argc, const char **argv)
{
	static const struct cmd_info info = {
		"FLIGHT JOB RECIPE [NAME=VALUE | !NAME | disable]...",
		"add a queued job to a constructing flight, with its definition runvars",
		3, -1, 0,
	};
	struct strbuf err = STRBUF_INIT, file = STRBUF_INIT;
	int priority = 0, nargs, rc, i;
	struct poptOption opts[] = {
		{ "priority", 'p', POPT_ARG_INT, &priority, 0,
		  "lower numbers run and get hosts first (default: 0)", "N" },
		CMD_POPT_LAB,
		CMD_POPT_END
	};
	struct runvar *defs;
	struct lab lab;
	const char **args;
	int64_t flight;
	size_t nd, k;

	args = cmd_parse(argc, argv, opts, &info, &nargs);
	flight = cmd_flight_arg(args[0]);
	/* OSSTEST: a literal "disable" among the arguments makes nothing. */
	for (i = 3; i < nargs; i++)
		if (strcmp(args[i], "disable") == 0)
			return cmd_exit(0, NULL);
	check_names(args + 3, nargs - 3);
	defs = xcalloc((size_t)nargs, sizeof(*defs));
	nd = collect(args + 3, nargs - 3, defs);
	cmd_open_lab(&lab);
	rc = lab_find_recipe(&lab, args[2], &file, &err);
	if (rc == 0)
		rc = job_create(&lab, flight, args[1], args[2], priority, defs, nd, &err);
	lab_close(&lab);
	for (k = 0; k < nd; k++) {
		free(defs[k].name);
		free(defs[k].val);
	}
	free(defs);
	strbuf_release(&file);
	return cmd_exit(rc, &err);
}
