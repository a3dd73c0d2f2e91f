/*
 * ts-branch: a branch's push overrides: force a push whatever the verdict,
 * block every push, clear them, show them with the branch's last pushes.
 * See ts-branch(1).
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "push.h"
#include "banned.h"

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
		"clear BRANCH [force|block] | show BRANCH",
		"set, clear and show a branch's push overrides (force, block)", 2, 3, 0,
	};
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT, me = STRBUF_INIT;
	const char *why = NULL, *who = NULL;
	int json = 0;
	struct poptOption opts[] = {
		{ "why", 'w', POPT_ARG_STRING, &why, 0,
		  "force, block: the reason, recorded with it", "TEXT" },
		{ "who", 0, POPT_ARG_STRING, &who, 0,
		  "force, block, clear: who does it (default: $USER@HOST)", "NAME" },
		{ "json", 0, POPT_ARG_NONE, &json, 0, "show: JSON", NULL },
		CMD_POPT_LAB,
		CMD_POPT_END
	};
	const char **args, *verb, *branch;
	struct lab lab;
	int nargs, rc, set;

	args = cmd_parse(argc, argv, opts, &info, &nargs);
	verb = args[0];
	branch = args[1];
	set = strcmp(verb, PUSH_FORCE) == 0 || strcmp(verb, PUSH_BLOCK) == 0;
	if (!set && strcmp(verb, "clear") != 0 && strcmp(verb, "show") != 0)
		cmd_usage_error("'%s': not force, block, clear or show (see %s --help)",
		    verb, cmd_name);
	if (nargs > 2 && strcmp(verb, "clear") != 0)
		cmd_usage_error("%s: too many arguments (see %s --help)", verb, cmd_name);
	if (set && why == NULL)
		cmd_usage_error("%s: needs --why TEXT: the reason is recorded", verb);
	if (!set && why != NULL)
		cmd_usage_error("%s: takes no --why", verb);
	if (strcmp(verb, "show") == 0 && who != NULL)
		cmd_usage_error("%s: takes no --who", verb);
	if (json && strcmp(verb, "show") != 0)
		cmd_usage_error("%s: takes no --json", verb);
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
	} else {
		if ((rc = push_format_branch(&lab, branch, json, &out, &err)) == 0)
			cmd_print(&out);
	}
	lab_close(&lab);
	strbuf_release(&out);
	strbuf_release(&me);
	return cmd_exit(rc, &err);
}
