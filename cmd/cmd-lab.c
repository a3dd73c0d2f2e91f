/*
 * cmd-lab: opening the lab for a binary.  Apart from cmd.c so that a
 * binary that never opens the lab (ts-step) links no SQLite.
 */
#include "cmd.h"
#include "banned.h"

void
cmd_open_lab(struct lab *lab)
{
	struct strbuf err = STRBUF_INIT;
	int rc;

	if ((rc = lab_open(lab, cmd_lab, &err)) < 0)
		cmd_die(rc, &err);
}
