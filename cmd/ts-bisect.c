/*
 * ts-bisect: find the change that made a step fail, across the trees a
 * job tested.  start records a bisection; step runs one flight (cron);
 * run steps until a verdict (a terminal); status, mark and report read
 * or add to it.  Exits with OSSTEST's codes.  See ts-bisect(1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bisectrun.h"
#include "clock.h"
#include "cmd.h"
#include "proc.h"
#include "banned.h"

static void
quiet_progress(const char *line, void *ctx)
{
	(void)line;
	(void)ctx;
}

static enum bisect_result
parse_result(const char *s)
{
	if (strcmp(s, "pass") == 0 || strcmp(s, "good") == 0)
		return BISECT_PASS;
	if (strcmp(s, "fail") == 0 || strcmp(s, "bad") == 0)
		return BISECT_FAIL;
	if (strcmp(s, "skip") != 0)
		cmd_usage_error("mark: '%s' is not pass, fail or skip", s);
	return BISECT_SKIP;
}

/* start: record it, say what it expects to need. */
static int
do_start(struct lab *lab, const struct bisection_start_opts *so,
    struct strbuf *err)
{
	struct strbuf out = STRBUF_INIT;
	struct bisectrun r;
	int64_t id;
	int rc;

	if ((rc = bisection_start(lab, so, &id, err)) != 0) {
		if (rc > 0) {
			fprintf(stderr, "%s: %s\n", cmd_name, err->buf);
			strbuf_reset(err);
			return TS_BISECT_NO_PAIR;
		}
		return rc;
	}
	if ((rc = bisectrun_load(lab, id, NULL, &r, err)) < 0)
		return rc;
	printf("bisection %lld: %s %s on branch %s: flight %lld against basis "
	    "flight %lld\n", (long long)id, so->job, so->testid, r.b.branch,
	    (long long)r.b.fail_flight, (long long)r.b.basis_flight);
	printf("bisection %lld: %zu tuples, %zu candidates; it expects about %d "
	    "flights", (long long)id, r.g.n, r.d.ncand, r.d.est_flights);
	if (r.job_secs > 0) {
		clock_add_duration(&out, r.job_secs * r.d.est_flights);
		printf(" (%s at %llds a flight)", out.buf, (long long)r.job_secs);
	}
	printf("\n");
	bisectrun_release(&r);
	strbuf_release(&out);
	return 0;
}

/* A line of lib/bisection or lib/bisectrun: errors go to stderr. */
static void
say_line(const char *line, void *ctx)
{
	(void)ctx;
	if (strncmp(line, "error: ", 7) == 0)
		fprintf(stderr, "%s: %s\n", cmd_name, line + 7);
	else
		printf("%s\n", line);
}

/* run: step until a verdict, the budget, or a signal. */
static int
do_run(struct lab *lab, int64_t id, struct bisectrun_opts *o, int quiet,
    struct strbuf *err)
{
	struct strbuf said = STRBUF_INIT, st = STRBUF_INIT;
	struct bisectrun r;
	int64_t flight;
	int rc;

	for (;;) {
		if (!quiet && bisectrun_load(lab, id, NULL, &r, err) == 0) {
			strbuf_reset(&st);
			bisectrun_status(&r, &st);
			fprintf(stderr, "\n%s", st.buf);
			bisectrun_release(&r);
		}
		strbuf_reset(err);
		strbuf_reset(&said);
		rc = bisectrun_step(lab, id, o, &flight, &said, err);
		if (rc < 0)
			break;
		if (!quiet || rc != 0)
			printf("%s\n", said.buf);
		fflush(stdout);
		if (rc != 0)
			break;
		if (proc_aborted()) {
			rc = err_setf(err, TS_E_LAB, "bisection %lld: stopped by signal "
			    "%d between flights; ts-bisect run goes on from here",
			    (long long)id, proc_aborted());
			break;
		}
	}
	strbuf_release(&said);
	strbuf_release(&st);
	return rc;
}

int
main(int argc, const char **argv)
{
	static const struct cmd_info info = {
		"start --flight F (--job J --testid T | --regressions) | "
		"step [--branch B] | run | status | "
		"mark TUPLE pass|fail|skip | report [--graph FILE]",
		"find the change that made a step fail, across the trees a job "
		"tested", 1, 4, 0,
	};
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT, runjob = STRBUF_INIT;
	struct bisection_start_opts so = { 0 };
	struct bisectrun_opts ro = { 0 };
	const char *flight = NULL, *basis = NULL, *graph = NULL;
	long long budget = 0, id = 0;
	int parallel = 0, quiet = 0, mail = 0, regressions = 0;
	const char *branch = NULL;
	struct poptOption opts[] = {
		{ "flight", 'f', POPT_ARG_STRING, &flight, 0,
		  "start: the flight where the step failed", "FLIGHT" },
		{ "job", 'j', POPT_ARG_STRING, &so.job, 0,
		  "start: the job", "JOB" },
		{ "testid", 't', POPT_ARG_STRING, &so.testid, 0,
		  "start: the step's testid", "TESTID" },
		{ "basis", 0, POPT_ARG_STRING, &basis, 0,
		  "start: the flight where it passed (default: the newest earlier one "
		  "on the same hosts)", "FLIGHT" },
		{ "budget", 0, POPT_ARG_LONGLONG, &budget, 0,
		  "start: stop after N flights with what is known", "N" },
		{ "bisection", 'b', POPT_ARG_LONGLONG, &id, 0,
		  "the bisection (default: the one going on)", "ID" },
		{ "parallel", 'P', POPT_ARG_INT, &parallel, 0,
		  "step, run: jobs at once in a flight", "N" },
		{ "quiet", 'q', POPT_ARG_NONE, &quiet, 0,
		  "run: only the verdict (as when not on a terminal)", NULL },
		{ "regressions", 'r', POPT_ARG_NONE, &regressions, 0,
		  "start: one bisection for each regression ts-report found in the "
		  "flight, unless bisected since the branch's last push", NULL },
		{ "branch", 'B', POPT_ARG_STRING, &branch, 0,
		  "step: one step of each bisection of BRANCH going on", "BRANCH" },
		{ "mail", 'm', POPT_ARG_NONE, &mail, 0,
		  "step, run: mail the verdict to the branch's list and the culprit's "
		  "author", NULL },
		{ "graph", 'g', POPT_ARG_STRING, &graph, 0,
		  "report: write the graph (FILE.dot; .svg or .png with Graphviz)",
		  "FILE" },
		CMD_POPT_LAB,
		CMD_POPT_END
	};
	const char **args, *verb, *dir;
	struct bisectrun r;
	struct lab lab;
	int64_t f;
	int nargs, rc;

	args = cmd_parse(argc, argv, opts, &info, &nargs);
	verb = args[0];
	if (strcmp(verb, "start") != 0 && strcmp(verb, "step") != 0 &&
	    strcmp(verb, "run") != 0 && strcmp(verb, "status") != 0 &&
	    strcmp(verb, "mark") != 0 && strcmp(verb, "report") != 0)
		cmd_usage_error("'%s': not start, step, run, status, mark or report "
		    "(see %s --help)", verb, cmd_name);
	if (strcmp(verb, "mark") == 0 ? nargs != 3 : nargs != 1)
		cmd_usage_error("%s: %s (see %s --help)", verb,
		    strcmp(verb, "mark") == 0 ? "needs TUPLE and pass, fail or skip" :
		    "takes no arguments", cmd_name);
	if (strcmp(verb, "start") == 0) {
		if (regressions && (so.job != NULL || so.testid != NULL ||
		    basis != NULL || flight == NULL))
			cmd_usage_error("start --regressions: needs --flight, and takes "
			    "no --job, --testid or --basis");
		if (!regressions && (flight == NULL || so.job == NULL ||
		    so.testid == NULL))
			cmd_usage_error("start: needs --flight, --job and --testid");
		so.fail_flight = cmd_flight_arg(flight);
		so.basis_flight = basis ? cmd_flight_arg(basis) : 0;
		if (budget < 0)
			cmd_usage_error("--budget: %lld is not a number of flights", budget);
		so.budget = budget;
	} else if (flight || so.job || so.testid || basis || budget ||
	    regressions) {
		cmd_usage_error("%s: --flight, --job, --testid, --basis, --budget "
		    "and --regressions are for start", verb);
	}
	if (branch != NULL && (strcmp(verb, "step") != 0 || id != 0))
		cmd_usage_error("%s: --branch is for step, without --bisection", verb);
	if (graph != NULL && strcmp(verb, "report") != 0)
		cmd_usage_error("%s: takes no --graph", verb);
	if (quiet && strcmp(verb, "run") != 0)
		cmd_usage_error("%s: takes no --quiet", verb);
	if (parallel != 0 && strcmp(verb, "run") != 0 && strcmp(verb, "step") != 0)
		cmd_usage_error("%s: takes no --parallel", verb);
	if (mail && strcmp(verb, "run") != 0 && strcmp(verb, "step") != 0)
		cmd_usage_error("%s: takes no --mail", verb);
	if (parallel < 0)
		cmd_usage_error("--parallel: %d is not a number of jobs", parallel);
	if (id < 0)
		cmd_usage_error("--bisection: %lld is not a bisection", id);
	cmd_open_lab(&lab);
	if (strcmp(verb, "start") == 0) {
		if (regressions)
			rc = bisection_start_regressions(&lab, so.fail_flight, so.budget,
			    say_line, NULL, &err);
		else
			rc = do_start(&lab, &so, &err);
		rc = rc < 0 || !regressions ? rc : 0;
		goto out;
	}
	dir = proc_self_dir();
	strbuf_addf(&runjob, "%s%sts-run-job", dir ? dir : "", dir ? "/" : "");
	ro.run_job = runjob.buf;
	ro.parallel = parallel;
	ro.mail = mail;
	ro.progress = cmd_interactive() ? cmd_progress : quiet_progress;
	if (branch != NULL) {
		proc_catch_abort();
		rc = bisectrun_step_branch(&lab, branch, &ro, say_line, NULL, &err);
		goto out;
	}
	if (id == 0 && (rc = bisection_current(&lab, (int64_t *)&id, &err)) < 0)
		goto out;
	if (strcmp(verb, "step") == 0) {
		proc_catch_abort();
		if ((rc = bisectrun_step(&lab, id, &ro, &f, &out, &err)) >= 0)
			printf("%s\n", out.buf);
	} else if (strcmp(verb, "run") == 0) {
		proc_catch_abort();
		quiet = quiet || !cmd_interactive();
		if (quiet)
			ro.progress = quiet_progress;
		rc = do_run(&lab, id, &ro, quiet, &err);
	} else if ((rc = bisectrun_load(&lab, id, NULL, &r, &err)) == 0) {
		if (strcmp(verb, "status") == 0) {
			bisectrun_status(&r, &out);
			cmd_print(&out);
		} else if (strcmp(verb, "mark") == 0) {
			if ((rc = bisection_mark(&lab, &r.b, &r.g, args[1],
			    parse_result(args[2]), &err)) == 0)
				printf("bisection %lld: %s marked %s\n", id, args[1], args[2]);
		} else {
			if ((rc = bisectrun_report(&lab, &r, &out, &err)) == 0 &&
			    (graph == NULL || (rc = bisectrun_graph_file(&r, graph, &err)) == 0))
				cmd_print(&out);
			if (rc == 0)
				rc = r.b.finished ? r.b.verdict : 0;
		}
		bisectrun_release(&r);
	}
out:
	lab_close(&lab);
	strbuf_release(&out);
	strbuf_release(&runjob);
	if (rc > 0) {
		cmd_exit(0, &err);
		return rc;
	}
	return cmd_exit(rc, &err);
}
