/*
 * ts-flight-create: make a new flight and print its number; for a branch
 * with a branch file (recipes/branches/BRANCH.sh), the flight's jobs too,
 * its trees fetched and their revisions resolved.  See ts-flight-create(1)
 * and tlab-branch(5).
 */
#include <stdio.h>
#include <stdlib.h>

#include "branch.h"
#include "cmd.h"
#include "flight.h"
#include "json.h"
#include "proc.h"
#include "banned.h"

static void
free_argv(const char **v)
{
	size_t i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		free((char *)v[i]);
	free(v);
}

int
main(int argc, const char **argv)
{
	static const struct cmd_info info = {
		"", "make a new flight (blessing constructing) and print its number; "
		"with a branch file, its jobs too",
		0, 0, 0,
	};
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT, file = STRBUF_INIT;
	struct strbuf said = STRBUF_INIT;
	const char *branch = NULL, *intended = "play", **revisions = NULL;
	int json = 0, nargs, rc;
	struct poptOption opts[] = {
		{ "branch", 'b', POPT_ARG_STRING, &branch, 0,
		  "the branch the flight tests; its branch file, if any, makes the jobs",
		  "BRANCH" },
		{ "intended", 'i', POPT_ARG_STRING, &intended, 0,
		  "the blessing it is meant to get (default: play)", "BLESSING" },
		{ "revision", 'r', POPT_ARG_ARGV, &revisions, 0,
		  "test tree TREE at REV instead (branch file; repeatable)",
		  "TREE=REV" },
		{ "json", 0, POPT_ARG_NONE, &json, 0,
		  "print {\"flight\": N} instead of the number", NULL },
		CMD_POPT_LAB,
		CMD_POPT_END
	};
	struct lab lab;
	int64_t id;

	(void)cmd_parse(argc, argv, opts, &info, &nargs);
	if (branch == NULL)
		cmd_usage_error("--branch: required (see %s --help)", cmd_name);
	/* A signal while the branch file runs still removes the flight. */
	proc_catch_abort();
	cmd_open_lab(&lab);
	if ((rc = branch_find(&lab, branch, &file, &err)) == 1) {
		struct branch_opts o = { branch, intended, file.buf, revisions,
		    proc_self_dir(), BRANCH_FILE_TIMEOUT_MS };

		rc = branch_flight_create(&lab, &o, &id, &said, &err);
		if (said.len > 0)
			fputs(said.buf, stderr);
	} else if (rc == 0 && revisions != NULL) {
		rc = err_setf(&err, TS_E_INPUT, "--revision: branch %s has no branch "
		    "file (recipes/branches/%s.sh) to take it", branch, branch);
	} else if (rc == 0) {
		rc = flight_create(&lab, branch, intended, &id, &err);
	}
	if (rc == 0) {
		if (json) {
			struct json j;

			json_init(&j, &out);
			json_obj_begin(&j);
			json_kv_int(&j, "flight", id);
			json_obj_end(&j);
			strbuf_addch(&out, '\n');
		} else {
			strbuf_addf(&out, "%lld\n", (long long)id);
		}
		cmd_print(&out);
	}
	lab_close(&lab);
	free_argv(revisions);
	strbuf_release(&out);
	strbuf_release(&file);
	strbuf_release(&said);
	return cmd_exit(rc, &err);
}
