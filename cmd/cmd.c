/*
 * cmd: the shared start and end of every binary.  See cmd.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "cmd.h"
#include "conf.h"
#include "config.h"
#include "names.h"
#include "version.h"
#include "xalloc.h"
#include "banned.h"

const char *cmd_name = "tlab";
const char *cmd_lab;
const char **cmd_args;	/* the arguments cmd_parse returned */

void
cmd_usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", cmd_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(TS_EXIT_USAGE);
}

void
cmd_duration_opt(const char *name, const char *value, int64_t *ms)
{
	int64_t v;

	if (value == NULL)
		return;
	if (conf_parse_duration(value, &v) < 0 || v == 0)
		cmd_usage_error("--%s: '%s' is not a duration of more than 0", name, value);
	*ms = v;
}

static void
print_help(poptContext con, const struct cmd_info *info)
{
	printf("%s: %s\n\n", cmd_name, info->about);
	poptPrintHelp(con, stdout, 0);
	printf("\nExit status: see %s(1).\n", cmd_name);
}

/*
 * popt hands string option values over as malloc'd copies held in main's
 * variables; keep them reachable for the process's life, so a leak checker
 * does not report what is in use until exit.
 */
const char *cmd_kept[64];

static void
keep_option_strings(const struct poptOption *opts)
{
	size_t n = 0;

	for (; opts->longName != NULL || opts->shortName != '\0' ||
	    opts->argInfo != 0; opts++)
		if (((opts->argInfo & POPT_ARG_MASK) == POPT_ARG_STRING ||
		    (opts->argInfo & POPT_ARG_MASK) == POPT_ARG_ARGV) &&
		    opts->arg != NULL && n < sizeof(cmd_kept) / sizeof(cmd_kept[0]))
			cmd_kept[n++] = *(const char **)opts->arg;
}

const char **
cmd_parse(int argc, const char **argv, struct poptOption *opts,
    const struct cmd_info *info, int *nargs)
{
	struct strbuf bad = STRBUF_INIT;
	poptContext con;
	const char **args, **copy;
	const char *slash = strrchr(argv[0], '/');
	int r, n = 0, i, done = -1;

	cmd_name = slash != NULL ? slash + 1 : argv[0];
	con = poptGetContext(cmd_name, argc, argv, opts, info->popt_flags);
	if (*info->args != '\0')
		poptSetOtherOptionHelp(con, info->args);
	while (done < 0 && (r = poptGetNextOpt(con)) >= 0) {
		switch (r) {
		case CMD_OPT_HELP:
			print_help(con, info);
			done = 0;
			break;
		case CMD_OPT_USAGE:
			poptPrintUsage(con, stdout, 0);
			done = 0;
			break;
		case CMD_OPT_VERSION:
			printf("%s (%s)\n", cmd_name, lab_harness());
			done = 0;
			break;
		default:
			break;	/* an option with a val of its own: handled by opts */
		}
	}
	args = done < 0 && r == -1 ? poptGetArgs(con) : NULL;
	while (args != NULL && args[n] != NULL)
		n++;
	if (done >= 0)
		;
	else if (r < -1)
		strbuf_addf(&bad, "%s: %s (see %s --help)",
		    poptBadOption(con, POPT_BADOPTION_NOALIAS), poptStrerror(r),
		    cmd_name);
	else if (n < info->min)
		strbuf_addf(&bad, "missing arguments: %s %s (see %s --help)",
		    cmd_name, info->args, cmd_name);
	else if (info->max >= 0 && n > info->max)
		strbuf_addf(&bad, "too many arguments: '%s'%s (see %s --help)",
		    args[info->max], n > info->max + 1 ? " and on" : "", cmd_name);
	/* Copies, so that the context can go; kept reachable in cmd_args. */
	copy = xcalloc((size_t)n + 1, sizeof(*copy));
	for (i = 0; i < n; i++)
		copy[i] = xstrdup(args[i]);
	cmd_args = copy;
	poptFreeContext(con);
	keep_option_strings(opts);
	if (done >= 0)
		exit(cmd_exit(0, NULL));
	if (bad.len > 0) {
		fprintf(stderr, "%s: %s\n", cmd_name, bad.buf);
		strbuf_release(&bad);
		exit(TS_EXIT_USAGE);
	}
	*nargs = n;
	return copy;
}

int
cmd_exit(int rc, struct strbuf *err)
{
	int code = ts_exit_of(rc);

	if (rc < 0 && err != NULL && err->len > 0)
		fprintf(stderr, "%s: %s\n", cmd_name, err->buf);
	if (err != NULL)
		strbuf_release(err);
	if (fflush(stdout) != 0 || ferror(stdout) || fclose(stdout) != 0) {
		if (errno != EPIPE || code == 0)
			fprintf(stderr, "%s: write error on standard output: %s\n",
			    cmd_name, strerror(errno));
		if (code == 0)
			code = TS_EXIT_BROKEN;
	}
	return code;
}

void
cmd_die(int rc, struct strbuf *err)
{
	exit(cmd_exit(rc, err));
}

int64_t
cmd_flight_arg(const char *s)
{
	struct strbuf err = STRBUF_INIT;
	int64_t id;
	int rc;

	if ((rc = flight_parse_id(s, &id, &err)) < 0)
		cmd_die(rc, &err);
	return id;
}

void
cmd_print(const struct strbuf *sb)
{
	fwrite(sb->buf, 1, sb->len, stdout);
}

int
cmd_interactive(void)
{
	return isatty(STDERR_FILENO);
}

void
cmd_step_job(int64_t *flight, const char **job)
{
	const char *f = getenv("TLAB_FLIGHT");

	*job = getenv("TLAB_JOB");
	if (f == NULL || *f == '\0' || *job == NULL || **job == '\0')
		cmd_usage_error("TLAB_FLIGHT and TLAB_JOB must name the job");
	*flight = cmd_flight_arg(f);
}

void
cmd_progress(const char *line, void *ctx)
{
	struct strbuf sb = STRBUF_INIT;

	(void)ctx;
	clock_add_utc(&sb, clock_utc());
	fprintf(stderr, "%s %s\n", sb.buf, line);
	strbuf_release(&sb);
}
