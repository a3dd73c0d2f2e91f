/*
 * cmd: what every tlab binary shares: option parsing with popt, --help,
 * --usage and --version, opening the lab, and the single place where an
 * error is printed and turned into an exit code.
 *
 * Only cmd/ prints.  Messages go to stderr as "ts-NAME: thing: reason";
 * bad usage exits 2 (TS_EXIT_USAGE) with one line.  Standard output is
 * checked at exit, so a --json report cut short by a full disk does not
 * exit 0.
 */
#ifndef TLAB_CMD_H
#define TLAB_CMD_H

#include <popt.h>
#include <stdint.h>

#include "err.h"
#include "exitcodes.h"
#include "lab.h"
#include "strbuf.h"

extern const char *cmd_name;	/* argv[0]'s base name */
extern const char *cmd_lab;	/* --lab, or NULL */
extern const char **cmd_args;	/* what cmd_parse returned, kept reachable */

enum { CMD_OPT_HELP = 0x7f01, CMD_OPT_USAGE, CMD_OPT_VERSION };

#define CMD_POPT_LAB \
	{ "lab", 'L', POPT_ARG_STRING, &cmd_lab, 0, \
	  "the lab directory (default: $TLAB_LAB)", "DIR" }
#define CMD_POPT_END \
	{ "help", 'h', POPT_ARG_NONE, NULL, CMD_OPT_HELP, \
	  "show this help and exit", NULL }, \
	{ "usage", 0, POPT_ARG_NONE, NULL, CMD_OPT_USAGE, \
	  "show a short usage message and exit", NULL }, \
	{ "version", 'V', POPT_ARG_NONE, NULL, CMD_OPT_VERSION, \
	  "show the version and exit", NULL }, \
	POPT_TABLEEND

struct cmd_info {
	const char *args;	/* "FLIGHT JOB [NAME[=VALUE]...]" */
	const char *about;	/* one line: what the binary does */
	int min, max;		/* positional arguments; max -1: any */
	int popt_flags;		/* e.g. POPT_CONTEXT_POSIXMEHARDER */
};

/*
 * Parse options (their values land where opts says) and return the
 * positional arguments, NULL-terminated, with their count in *nargs.
 * Exits 0 after --help, --usage or --version, and 2 with one line on a
 * bad option or a wrong number of arguments.
 */
const char **cmd_parse(int argc, const char **argv, struct poptOption *opts,
    const struct cmd_info *info, int *nargs);

/* Print "ts-NAME: message" on stderr; exit 2. */
void cmd_usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

/* Open the lab of --lab or $TLAB_LAB, or print why not and exit. */
void cmd_open_lab(struct lab *lab);

/*
 * The value of option --name, a duration (conf_parse_duration) of more
 * than 0, into *ms; *ms is left alone when value is NULL.  Exit 2 naming
 * the option when it is not one.
 */
void cmd_duration_opt(const char *name, const char *value, int64_t *ms);

/* A flight id argument, or exit 2 naming it. */
int64_t cmd_flight_arg(const char *s);

/*
 * The end of every binary: print err once when rc < 0 (and release it),
 * check standard output, and return the exit code for rc (ts_exit_of).
 */
int cmd_exit(int rc, struct strbuf *err);

/* Print err (rc < 0) and exit with ts_exit_of(rc). */
void cmd_die(int rc, struct strbuf *err) __attribute__((noreturn));

/*
 * A step binary's job: $TLAB_FLIGHT and $TLAB_JOB, or exit 2 with one
 * line when either is missing or bad.
 */
void cmd_step_job(int64_t *flight, const char **job);

/* A progress line on stderr, "UTC-TIME line": a step's log, a terminal. */
void cmd_progress(const char *line, void *ctx);

/* Write sb to stdout (for --json and lists). */
void cmd_print(const struct strbuf *sb);

/* Is stderr a terminal (progress lines) and not under cron? */
int cmd_interactive(void);

#endif
