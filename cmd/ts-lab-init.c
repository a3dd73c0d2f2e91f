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
		"DIR", "make a new lab: tlab.conf, tlab.db, logs/, stash/, recipes/",
		0, 1, 0,
	};
	struct strbuf err = STRBUF_INIT;
	struct poptOption opts[] = {
		CMD_POPT_LAB,
		CMD_POPT_END
	};
	const char **args, *dir;
	int nargs, rc;

	args = cmd_parse(argc, argv, opts, &info, &nargs);
	dir = nargs > 0 ? args[0] : cmd_lab;
	if (dir == NULL)
		cmd_usage_error("no lab directory: give DIR (see %s --help)", cmd_name);
	if ((rc = lab_init(dir, &err)) == 0)
		printf("%s: a new lab (schema version %d); use it with "
		    "export TLAB_LAB=%s\n", dir, db_schema_latest(), dir);
	return cmd_exit(rc, &err);
}
