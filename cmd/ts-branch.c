/*
 * ts-branch: a branch's push overrides: force a push whatever the verdict,
 * block every push, clear them, show them with the branch's last pushes;
 * and where the branch stands, for cron: staging, master, tested.
 * See ts-branch(1).
 */
#include <stdio.h>
#include <string.h>

#include "branch.h"
#include "cmd.h"
#include "json.h"
#include "push.h"
#include "tree.h"
#include "banned.h"

/* ts-branch state: KEY VALUE lines, or JSON. */
static void
format_state(const char *branch, const struct branch_state *st, int json,
    struct strbuf *out)
{
	struct json j;

	if (!json) {
		strbuf_addf(out, "branch %s\ntree %s\nstaging %s\nmaster %s\n",
		    branch, st->tree, st->staging, st->master);
		if (st->tested != 0)
			strbuf_addf(out, "tested %lld\n", (long long)st->tested);
		else
			strbuf_addstr(out, "tested none\n");
		return;
	}
	json_init(&j, out);
	json_obj_begin(&j);
	json_kv_str(&j, "branch", branch);
	json_kv_str(&j, "tree", st->tree);
	json_kv_str(&j, "staging", st->staging);
	json_kv_str(&j, "master", st->master);
	json_kv_opt_int(&j, "tested", st->tested != 0, st->tested);
	json_obj_end(&j);
	strbuf_addch(out, '\n');
}

static int
do_set(struct lab *lab, const char *kind, const char *branch, const char *who,
    const char *why, struct strbuf *err)
{
	struct push_override_list replaced = PUSH_OVERRIDE_LIST_INIT,
	    held = PUSH_OVERRIDE_LIST_INIT;
	size_t i;
	int rc;

	if ((rc = push_override_set(lab, branch, kind, who, why, &replaced, err)) < 0)
		return rc;
	printf("branch %s: %s set by %s: %s\n", branch, kind, who, why);
	for (i = 0; i < replaced.nr; i++)
		printf("branch %s: it replaces %s #%lld by %s: %s\n", branch, kind,
		    (long long)replaced.v[i].id, replaced.v[i].who, replaced.v[i].why);
	/* A force under a block does nothing yet: say so now, not at push time. */
	if (strcmp(kind, PUSH_FORCE) == 0 &&
	    (rc = push_override_list(lab, branch, 1, &held, err)) == 0)
		for (i = 0; i < held.nr; i++)
			if (strcmp(held.v[i].kind, PUSH_BLOCK) == 0)
				printf("branch %s: block #%lld by %s holds, and a block "
				    "wins: %s\n", branch, (long long)held.v[i].id,
				    held.v[i].who, held.v[i].why);
	push_override_list_release(&replaced);
	push_override_list_release(&held);
	return rc;
}

int
main(int argc, const char **argv)
{
	static const struct cmd_info info = {
		"force BRANCH --why TEXT | block BRANCH --why TEXT | "
		"clear BRANCH [force|block] | show BRANCH | state BRANCH",
		"set, clear and show a branch's push overrides (force, block); "
		"where it stands", 2, 3, 0,
	};
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT, me = STRBUF_INIT;
	const char *why = NULL, *who = NULL, *timeout = NULL;
	int64_t timeout_ms = TREE_FETCH_TIMEOUT_MS;
	int json = 0;
	struct poptOption opts[] = {
		{ "why", 'w', POPT_ARG_STRING, &why, 0,
		  "force, block: the reason, recorded with it", "TEXT" },
		{ "who", 0, POPT_ARG_STRING, &who, 0,
		  "force, block, clear: who does it (default: $USER@HOST)", "NAME" },
		{ "json", 0, POPT_ARG_NONE, &json, 0, "show, state: JSON", NULL },
		{ "timeout", 't', POPT_ARG_STRING, &timeout, 0,
		  "state: bound on each tree's fetch (default: 10m)", "DURATION" },
		CMD_POPT_LAB,
		CMD_POPT_END
	};
	const char **args, *verb, *branch;
	struct lab lab;
	struct branch_state st;
	int nargs, rc, set, state;

	args = cmd_parse(argc, argv, opts, &info, &nargs);
	verb = args[0];
	branch = args[1];
	set = strcmp(verb, PUSH_FORCE) == 0 || strcmp(verb, PUSH_BLOCK) == 0;
	state = strcmp(verb, "state") == 0;
	if (!set && !state && strcmp(verb, "clear") != 0 && strcmp(verb, "show") != 0)
		cmd_usage_error("'%s': not force, block, clear, show or state "
		    "(see %s --help)", verb, cmd_name);
	if (nargs > 2 && strcmp(verb, "clear") != 0)
		cmd_usage_error("%s: too many arguments (see %s --help)", verb, cmd_name);
	if (set && why == NULL)
		cmd_usage_error("%s: needs --why TEXT: the reason is recorded", verb);
	if (!set && why != NULL)
		cmd_usage_error("%s: takes no --why", verb);
	if ((strcmp(verb, "show") == 0 || state) && who != NULL)
		cmd_usage_error("%s: takes no --who", verb);
	if (json && strcmp(verb, "show") != 0 && !state)
		cmd_usage_error("%s: takes no --json", verb);
	if (timeout != NULL && !state)
		cmd_usage_error("%s: takes no --timeout", verb);
	if (timeout != NULL && (conf_parse_duration(timeout, &timeout_ms) < 0 ||
	    timeout_ms == 0))
		cmd_usage_error("--timeout: '%s' is not a duration of more than 0",
		    timeout);
	if (who == NULL) {
		push_who(&me);
		who = me.buf;
	}
	cmd_open_lab(&lab);
	if (set) {
		rc = do_set(&lab, verb, branch, who, why, &err);
	} else if (strcmp(verb, "clear") == 0) {
		if ((rc = push_override_clear(&lab, branch, nargs > 2 ? args[2] : NULL,
		    who, &err)) >= 0)
			printf("branch %s: %d override%s cleared by %s\n", branch, rc,
			    rc == 1 ? "" : "s", who);
		rc = rc < 0 ? rc : 0;
	} else if (state) {
		if ((rc = branch_state(&lab, branch, timeout_ms, &st, &err)) == 0) {
			format_state(branch, &st, json, &out);
			branch_state_release(&st);
			cmd_print(&out);
		}
	} else {
		if ((rc = push_format_branch(&lab, branch, json, &out, &err)) == 0)
			cmd_print(&out);
	}
	lab_close(&lab);
	strbuf_release(&out);
	strbuf_release(&me);
	return cmd_exit(rc, &err);
}
