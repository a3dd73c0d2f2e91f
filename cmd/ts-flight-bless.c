/*
 * ts-flight-bless: give a flight its blessing, if its blessing now is an
 * expected one.  See ts-flight-bless(1).
 */
#include "cmd.h"
#include "flight.h"
#include "banned.h"

int
main(int argc, const char **argv)
{
	static const struct cmd_info info = {
		"FLIGHT BLESSING [OLD-BLESSING...]",
		"change a flight's blessing, from one of the OLD-BLESSINGs (default: running)",
		2, -1, 0,
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
	rc = flight_bless(&lab, flight, args[1], args + 2, nargs - 2, &err);
	lab_close(&lab);
	return cmd_exit(rc, &err);
}
