/*
 * ts-flight-create: make a new flight and print its number.
 * See ts-flight-create(1).
 */
#include <stdio.h>

#include "cmd.h"
#include "flight.h"
#include "json.h"
#include "banned.h"

int
main(int argc, const char **argv)
{
	static const struct cmd_info info = {
		"", "make a new flight (blessing constructing) and print its number",
		0, 0, 0,
	};
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;
	const char *branch = NULL, *intended = "play";
	int json = 0, nargs, rc;
	struct poptOption opts[] = {
		{ "branch", 'b', POPT_ARG_STRING, &branch, 0,
		  "the branch the flight tests", "BRANCH" },
		{ "intended", 'i', POPT_ARG_STRING, &intended, 0,
		  "the blessing it is meant to get (default: play)", "BLESSING" },
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
	cmd_open_lab(&lab);
	if ((rc = flight_create(&lab, branch, intended, &id, &err)) == 0) {
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
	strbuf_release(&out);
	return cmd_exit(rc, &err);
}
