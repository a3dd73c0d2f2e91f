/*
 * ts-lab-init: make a new lab directory.  See ts-lab-init(1).
 */
#include <stdio.h>

#include "cmd.h"
#include "db.h"
#include "banned.h"

int
main(int argc, const char **argv)
{
	static const struct cmd_info info = {
		"[DIR]", "make a new lab: tlab.conf, tlab.db, logs/, stash/, recipes/",
		0, 1, 0,
	};
	struct strbuf err = STRBUF_INIT, abs = STRBUF_INIT;
	struct poptOption opts[] = {
		{ "lab", 'L', POPT_ARG_STRING, &cmd_lab, 0,
		  "the directory to make, when no DIR is given (TLAB_LAB is not read)",
		  "DIR" },
		CMD_POPT_END
	};
	const char **args, *dir;
	int nargs, rc;

	args = cmd_parse(argc, argv, opts, &info, &nargs);
	/* Never TLAB_LAB: a lab is made where asked, not where a variable points. */
	dir = nargs > 0 ? args[0] : cmd_lab;
	if (dir == NULL || *dir == '\0')
		cmd_usage_error("no lab directory: give DIR or --lab DIR");
	if ((rc = lab_init(dir, &abs, &err)) == 0)
		printf("%s: a new lab (schema version %d); use it with\n"
		    "export TLAB_LAB=%s\n", dir, db_schema_latest(), abs.buf);
	strbuf_release(&abs);
	return cmd_exit(rc, &err);
}
