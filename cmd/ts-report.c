/*
 * ts-report: judge a finished flight against its baseline, store the
 * verdict, and report it: text for mail (or JSON) on standard output, a
 * JUnit XML file and an HTML directory when asked.  See ts-report(1).
 */
#include "cmd.h"
#include "report.h"
#include "banned.h"

int
main(int argc, const char **argv)
{
	static const struct cmd_info info = {
		"FLIGHT", "judge a finished flight against its baseline and report it",
		1, 1, 0,
	};
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT, xml = STRBUF_INIT;
	struct report r = REPORT_INIT;
	struct report_opts o = { 0, NULL };
	const char *baseline = NULL, *html = NULL, *junit = NULL, *log_url = NULL;
	int json = 0, stored = 0, nargs, rc;
	struct poptOption opts[] = {
		{ "baseline", 0, POPT_ARG_STRING, &baseline, 0,
		  "judge against FLIGHT, not the one found", "FLIGHT" },
		{ "allow", 0, POPT_ARG_STRING, &o.allow, 0,
		  "failures FILE allows (default: LAB/allow.all, LAB/allow.BRANCH)",
		  "FILE" },
		{ "html", 0, POPT_ARG_STRING, &html, 0,
		  "write the HTML report into DIR", "DIR" },
		{ "json", 0, POPT_ARG_NONE, &json, 0,
		  "print JSON for programs, not text", NULL },
		{ "junit", 0, POPT_ARG_STRING, &junit, 0,
		  "write JUnit XML to FILE", "FILE" },
		{ "log-url", 0, POPT_ARG_STRING, &log_url, 0,
		  "where LAB/logs/ is published, for links", "URL" },
		{ "stored", 0, POPT_ARG_NONE, &stored, 0,
		  "print the verdict stored, without judging again", NULL },
		CMD_POPT_LAB,
		CMD_POPT_END
	};
	const char **args;
	struct lab lab;
	int64_t flight;

	args = cmd_parse(argc, argv, opts, &info, &nargs);
	flight = cmd_flight_arg(args[0]);
	if (baseline != NULL)
		o.baseline = cmd_flight_arg(baseline);
	if (stored && (baseline != NULL || o.allow != NULL || html != NULL ||
	    junit != NULL || log_url != NULL))
		cmd_usage_error("--stored: only --json goes with it");
	cmd_open_lab(&lab);
	if (stored) {
		rc = report_stored_write(&lab, flight, json, &out, &err);
		if (rc >= 0)
			cmd_print(&out);
		if (rc == REPORT_REGRESSIONS)
			rc = TS_E_FAIL;
		else if (rc > 0)
			rc = 0;
		goto out;
	}
	/* Files first and the verdict last: a run that fails stores nothing. */
	rc = report_judge(&lab, flight, &o, &r, &err);
	if (rc == 0 && junit != NULL) {
		report_junit(&r, &xml);
		rc = report_write_file(junit, &xml, &err);
		if (rc < 0)
			err_wrapf(&err, rc, "--junit");
	}
	if (rc == 0 && html != NULL && (rc = report_html(&lab, &r, html, log_url,
	    &err)) < 0)
		err_wrapf(&err, rc, "--html");
	if (rc == 0)
		rc = report_store(&lab, &r, &err);
	if (rc == 0) {
		if (json)
			report_json(&lab, &r, log_url, &out);
		else
			report_text(&lab, &r, log_url, &out);
		cmd_print(&out);
		if (r.verdict == REPORT_REGRESSIONS)
			rc = TS_E_FAIL;
	}
	report_release(&r);
out:
	lab_close(&lab);
	strbuf_release(&out);
	strbuf_release(&xml);
	return cmd_exit(rc, &err);
}
