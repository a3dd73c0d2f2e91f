/*
 * ts-runvar: list, print and set a job's runvars.  See ts-runvar(1).
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "job.h"
#include "json.h"
#include "runvar.h"
#include "xalloc.h"
#include "banned.h"

static void
list(const struct runvar_list *l, int json, struct strbuf *out)
{
	struct json j;
	size_t i;

	if (!json) {
		for (i = 0; i < l->nr; i++)
			strbuf_addf(out, "%s=%s\n", l->v[i].name, l->v[i].val);
		return;
	}
	json_init(&j, out);
	json_arr_begin(&j);
	for (i = 0; i < l->nr; i++) {
		json_obj_begin(&j);
		json_kv_str(&j, "name", l->v[i].name);
		json_kv_str(&j, "value", l->v[i].val);
		json_key(&j, "definition");
		json_bool(&j, !l->v[i].synth);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	strbuf_addch(out, '\n');
}

/* One NAME, NAME=VALUE or !NAME. */
static int
one(struct lab *lab, int64_t flight, const char *job, const char *a,
    int define, const char *via, struct strbuf *out, struct strbuf *err)
{
	const char *eq = strchr(a, '=');
	char *name, *val = NULL;
	int rc;

	if (a[0] == '!')
		return (rc = runvar_unset(lab, flight, job, a + 1, err)) < 0 ? rc : 0;
	if (eq == NULL) {
		if (via != NULL)
			rc = job_runvar_via(lab, flight, job, via, a, &val, err);
		else if ((rc = runvar_check_name(a, err)) == 0)
			rc = runvar_get(lab, flight, job, a, &val, err);
		if (rc < 0)
			return rc;
		if (rc == 0 && via != NULL)
			return err_setf(err, TS_E_FAIL, "runvar %s: not set in the job "
			    "that %s names", a, via);
		if (rc == 0)
			return err_setf(err, TS_E_FAIL,
			    "runvar %s: not set in flight %lld job %s", a,
			    (long long)flight, job);
		strbuf_addf(out, "%s\n", val);
		free(val);
		return 0;
	}
	name = xstrndup(a, (size_t)(eq - a));
	if (define)
		rc = runvar_define(lab, flight, job, name, eq + 1, err);
	else
		rc = runvar_set(lab, flight, job, name, eq + 1, err);
	free(name);
	return rc;
}

int
main(int argc, const char **argv)
{
	static const struct cmd_info info = {
		"[FLIGHT JOB] [NAME | NAME=VALUE | !NAME]...",
		"list a job's runvars, print one, or set and unset them", 0, -1, 0,
	};
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;
	int json = 0, define = 0, nargs, rc = 0, i;
	const char *via = NULL;
	struct poptOption opts[] = {
		{ "define", 'd', POPT_ARG_NONE, &define, 0,
		  "set definition runvars (only while the flight is constructing)", NULL },
		{ "via", 0, POPT_ARG_STRING, &via, 0,
		  "read NAME of the job that runvar REFVAR names (buildjob=..); "
		  "exit 4 when that job did not pass", "REFVAR" },
		{ "json", 0, POPT_ARG_NONE, &json, 0,
		  "list as JSON: [{\"name\", \"value\", \"definition\"}]", NULL },
		CMD_POPT_LAB,
		CMD_POPT_END
	};
	const char **args, *job, *env;
	struct lab lab;
	struct job j;
	int64_t flight;

	args = cmd_parse(argc, argv, opts, &info, &nargs);
	/* FLIGHT JOB when the first word is a number, else the step's own job. */
	if (nargs >= 2 && strspn(args[0], "0123456789") == strlen(args[0])) {
		flight = cmd_flight_arg(args[0]);
		job = args[1];
		args += 2;
		nargs -= 2;
	} else {
		if ((env = getenv("TLAB_FLIGHT")) == NULL || getenv("TLAB_JOB") == NULL)
			cmd_usage_error("no job: give FLIGHT JOB, or set TLAB_FLIGHT and TLAB_JOB");
		flight = cmd_flight_arg(env);
		job = getenv("TLAB_JOB");
	}
	if (via != NULL && (nargs == 0 || define))
		cmd_usage_error("--via: give the NAMEs to read, and no --define");
	cmd_open_lab(&lab);
	if ((rc = job_get(&lab, flight, job, &j, &err)) == 0) {
		job_release(&j);
		if (nargs == 0) {
			struct runvar_list l = RUNVAR_LIST_INIT;

			if ((rc = runvar_list(&lab, flight, job, &l, &err)) == 0)
				list(&l, json, &out);
			runvar_list_release(&l);
		}
		for (i = 0; i < nargs && rc == 0; i++)
			rc = one(&lab, flight, job, args[i], define, via, &out, &err);
	}
	cmd_print(&out);
	lab_close(&lab);
	strbuf_release(&out);
	return cmd_exit(rc, &err);
}
