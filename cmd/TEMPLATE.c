/*
 * ts-NAME: one line saying what the binary does.  See ts-NAME(1).
 *
 * The shape of every tlab binary (util-linux's boilerplate.c): a popt
 * table, the environment, one call into lib/, one exit.  Logic belongs in
 * lib/; a cmd file past about 200 lines has some that should move there.
 * To add a binary, see "Adding a binary" in the README.
 */
#include "cmd.h"
#include "banned.h"

int
main(int argc, const char **argv)
{
	static const struct cmd_info info = {
		"FLIGHT", "one line saying what the binary does", 1, 1, 0,
	};
	struct strbuf err = STRBUF_INIT;
	struct poptOption opts[] = {
		CMD_POPT_LAB,
		CMD_POPT_END
	};
	struct lab lab;
	const char **args;
	int64_t flight;
	int nargs, rc;

	args = cmd_parse(argc, argv, opts, &info, &nargs);
	flight = cmd_flight_arg(args[0]);
	cmd_open_lab(&lab);
	rc = 0;	/* the library call: rc = noun_verb(&lab, flight, &err); */
	(void)flight;
	lab_close(&lab);
	return cmd_exit(rc, &err);
}
