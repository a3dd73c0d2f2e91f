/*
 * ts-push: the push gate.  Push the revision a finished real flight
 * tested to its tree's master ref, fast-forward only, when its results
 * allow; or say why a branch's last flight was or was not pushed.
 * See ts-push(1).
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "push.h"
#include "banned.h"

/* A remote action (the fetch, the push) that takes longer has failed. */
#define PUSH_DEFAULT_TIMEOUT_MS (600 * 1000)

static void
print_result(int64_t flight, int dry_run, const struct push_result *r)
{
	const char *why = r->reason;

	if (r->would == PUSH_UP_TO_DATE) {
		if (dry_run && strncmp(why, "up to date: ", 12) == 0)
			why += 12;
		printf("flight %lld: %stree %s: nothing to push: %s (%s)\n",
		    (long long)flight, dry_run ? "dry run: " : "", r->tree, why, r->url);
		return;
	}
	printf("flight %lld: %s tree %s to %s: %s %s..%s\n", (long long)flight,
	    dry_run ? "dry run: would push" : "pushed", r->tree, r->url, r->ref,
	    r->old_rev[0] != '\0' ? r->old_rev : "(none)", r->new_rev);
	if (r->forced != NULL)
		printf("flight %lld: verdict overridden: %s\n", (long long)flight,
		    r->forced);
}

int
main(int argc, const char **argv)
{
	static const struct cmd_info info = {
		"FLIGHT | --why BRANCH",
		"push a flight's tested revision to its tree's master when its "
		"results allow, or say why a branch's last flight was not pushed",
		0, 1, 0,
	};
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT, who = STRBUF_INIT;
	struct push_result res = PUSH_RESULT_INIT;
	struct push_opts po = { 0, NULL, 0, NULL, PUSH_DEFAULT_TIMEOUT_MS };
	const char *tree = NULL, *why = NULL, *timeout = NULL;
	int dry_run = 0;
	struct poptOption opts[] = {
		{ "dry-run", 'n', POPT_ARG_NONE, &dry_run, 0,
		  "say what would be pushed or why not; push nothing", NULL },
		{ "tree", 't', POPT_ARG_STRING, &tree, 0,
		  "the tree under test when no job names one (runvar tree_under_test)",
		  "TREE" },
		{ "timeout", 0, POPT_ARG_STRING, &timeout, 0,
		  "give up on the fetch or the push after this (default: 10m)",
		  "DURATION" },
		{ "why", 0, POPT_ARG_STRING, &why, 0,
		  "explain why BRANCH's last finished flight was or was not pushed",
		  "BRANCH" },
		CMD_POPT_LAB,
		CMD_POPT_END
	};
	const char **args;
	struct lab lab;
	int nargs, rc;

	args = cmd_parse(argc, argv, opts, &info, &nargs);
	if (why != NULL && (nargs > 0 || dry_run || tree != NULL))
		cmd_usage_error("--why BRANCH takes no flight, --dry-run or --tree "
		    "(see %s --help)", cmd_name);
	if (why == NULL && nargs != 1)
		cmd_usage_error("missing arguments: %s %s (see %s --help)", cmd_name,
		    info.args, cmd_name);
	if (timeout != NULL && (conf_parse_duration(timeout, &po.timeout_ms) < 0 ||
	    po.timeout_ms == 0))
		cmd_usage_error("--timeout: '%s' is not a duration of more than 0",
		    timeout);
	if (why == NULL)
		po.flight = cmd_flight_arg(args[0]);
	cmd_open_lab(&lab);
	if (why != NULL) {
		if ((rc = push_explain(&lab, why, &out, &err)) == 0)
			cmd_print(&out);
	} else {
		push_who(&who);
		po.tree = tree;
		po.dry_run = dry_run;
		po.who = who.buf;
		if ((rc = push_flight(&lab, &po, &res, &err)) == 0)
			print_result(po.flight, dry_run, &res);
	}
	push_result_release(&res);
	lab_close(&lab);
	strbuf_release(&out);
	strbuf_release(&who);
	return cmd_exit(rc, &err);
}
