/*
 * ts-branch-resolve: fetch a branch's trees into the lab's caches and
 * print the runvars of its jobs: tree_under_test, tree_T and revision_T.
 * recipes/branch-lib.sh calls it once per flight; cron can ask it what a
 * flight would test.  See ts-branch-resolve(1).
 */
#include <stdlib.h>

#include "branch.h"
#include "cmd.h"
#include "tree.h"
#include "banned.h"

int
main(int argc, const char **argv)
{
	static const struct cmd_info info = {
		"TREE [TREE[=REF]...]",
		"fetch a branch's trees and print the runvars naming their revisions",
		1, -1, 0,
	};
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;
	struct strvec vars = STRVEC_INIT;
	const char **revisions = NULL, *timeout = NULL, **args;
	int64_t timeout_ms = TREE_FETCH_TIMEOUT_MS;
	struct poptOption opts[] = {
		{ "revision", 'r', POPT_ARG_ARGV, &revisions, 0,
		  "take tree TREE at REV instead (repeatable)", "TREE=REV" },
		{ "timeout", 't', POPT_ARG_STRING, &timeout, 0,
		  "bound on each tree's fetch (default: 10m)", "DURATION" },
		CMD_POPT_LAB,
		CMD_POPT_END
	};
	struct lab lab;
	int nargs, rc;
	size_t i;

	args = cmd_parse(argc, argv, opts, &info, &nargs);
	if (timeout != NULL && (conf_parse_duration(timeout, &timeout_ms) < 0 ||
	    timeout_ms == 0))
		cmd_usage_error("--timeout: '%s' is not a duration of more than 0",
		    timeout);
	for (i = 0; revisions != NULL && revisions[i] != NULL; i++)
		if ((rc = branch_check_revision(revisions[i], &err)) < 0)
			cmd_die(rc, &err);
	cmd_open_lab(&lab);
	rc = branch_resolve(&lab, args, nargs, revisions, timeout_ms, &vars, &err);
	lab_close(&lab);
	for (i = 0; rc == 0 && i < vars.nr; i++)
		strbuf_addf(&out, "%s\n", vars.v[i]);
	cmd_print(&out);
	for (i = 0; revisions != NULL && revisions[i] != NULL; i++)
		free((char *)revisions[i]);
	free(revisions);
	strvec_clear(&vars);
	strbuf_release(&out);
	return cmd_exit(rc, &err);
}
