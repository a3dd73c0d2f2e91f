/*
 * ts-flight-show: a flight's jobs and steps with their statuses, or the
 * newest flights.  See ts-flight-show(1).
 */
#include <string.h>

#include "clock.h"
#include "cmd.h"
#include "flight.h"
#include "job.h"
#include "json.h"
#include "step.h"
#include "banned.h"

static void
add_time(struct strbuf *out, int64_t t)
{
	if (t)
		clock_add_utc(out, t);
	else
		strbuf_addch(out, '-');
}

static void
show_text(const struct flight *f, const char *harness,
    const struct job_list *jobs, const struct step_list *steps,
    struct strbuf *out)
{
	size_t i, k, wj = 3, wr = 6, wt = 6;

	strbuf_addf(out, "flight %lld  branch %s  intended %s  blessing %s\n",
	    (long long)f->id, f->branch, f->intended, f->blessing);
	strbuf_addstr(out, "created ");
	add_time(out, f->created);
	strbuf_addstr(out, "  started ");
	add_time(out, f->started);
	strbuf_addstr(out, "  finished ");
	add_time(out, f->finished);
	strbuf_addf(out, "\nharness %s\n", harness);
	for (i = 0; i < jobs->nr; i++) {
		if (strlen(jobs->v[i].name) > wj)
			wj = strlen(jobs->v[i].name);
		if (strlen(jobs->v[i].recipe) > wr)
			wr = strlen(jobs->v[i].recipe);
	}
	for (k = 0; k < steps->nr; k++)
		if (strlen(steps->v[k].testid) > wt)
			wt = strlen(steps->v[k].testid);
	for (i = 0; i < jobs->nr; i++) {
		const struct job *j = &jobs->v[i];

		strbuf_addf(out, "\n%-*s  %-*s  %s%s%s\n", (int)wj, j->name, (int)wr,
		    j->recipe, status_name(j->status), j->why ? ": " : "",
		    j->why ? j->why : "");
		for (k = 0; k < steps->nr; k++) {
			const struct step_row *s = &steps->v[k];

			if (strcmp(s->job, j->name) != 0)
				continue;
			strbuf_addf(out, "  %3lld  %-*s  %-7s", (long long)s->stepno,
			    (int)wt, s->testid, status_name(s->status));
			if (s->finished)
				strbuf_addf(out, " %5llds", (long long)(s->finished - s->started));
			else
				strbuf_addstr(out, "      -");
			strbuf_addf(out, "  %s\n", s->log ? s->log : "");
		}
	}
}

static void
show_json(const struct flight *f, const char *harness,
    const struct job_list *jobs, const struct step_list *steps,
    struct strbuf *out)
{
	struct json j;
	size_t i, k;

	json_init(&j, out);
	json_obj_begin(&j);
	json_kv_int(&j, "flight", f->id);
	json_kv_str(&j, "branch", f->branch);
	json_kv_str(&j, "intended", f->intended);
	json_kv_str(&j, "blessing", f->blessing);
	json_kv_int(&j, "created", f->created);
	json_kv_opt_int(&j, "started", f->started != 0, f->started);
	json_kv_opt_int(&j, "finished", f->finished != 0, f->finished);
	json_kv_str(&j, "harness", harness);
	json_key(&j, "jobs");
	json_arr_begin(&j);
	for (i = 0; i < jobs->nr; i++) {
		const struct job *jb = &jobs->v[i];

		json_obj_begin(&j);
		json_kv_str(&j, "job", jb->name);
		json_kv_str(&j, "recipe", jb->recipe);
		json_kv_str(&j, "status", status_name(jb->status));
		json_kv_str(&j, "why", jb->why);
		json_kv_int(&j, "priority", jb->priority);
		json_kv_opt_int(&j, "started", jb->started != 0, jb->started);
		json_kv_opt_int(&j, "finished", jb->finished != 0, jb->finished);
		json_key(&j, "steps");
		json_arr_begin(&j);
		for (k = 0; k < steps->nr; k++) {
			const struct step_row *s = &steps->v[k];

			if (strcmp(s->job, jb->name) != 0)
				continue;
			json_obj_begin(&j);
			json_kv_int(&j, "stepno", s->stepno);
			json_kv_str(&j, "step", s->step);
			json_kv_str(&j, "testid", s->testid);
			json_kv_str(&j, "status", status_name(s->status));
			json_kv_int(&j, "started", s->started);
			json_kv_opt_int(&j, "finished", s->finished != 0, s->finished);
			json_kv_opt_int(&j, "exit_code", s->has_exit, s->exit_code);
			json_kv_opt_int(&j, "signal", s->has_signal, s->signal);
			json_key(&j, "timed_out");
			json_bool(&j, s->timed_out);
			json_kv_str(&j, "log", s->log);
			json_obj_end(&j);
		}
		json_arr_end(&j);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_obj_end(&j);
	strbuf_addch(out, '\n');
}

struct listing {
	int json;
	struct json j;
	struct strbuf *out;
};

static int
list_one(const struct flight *f, void *ctx)
{
	struct listing *l = ctx;

	if (l->json) {
		json_obj_begin(&l->j);
		json_kv_int(&l->j, "flight", f->id);
		json_kv_str(&l->j, "branch", f->branch);
		json_kv_str(&l->j, "intended", f->intended);
		json_kv_str(&l->j, "blessing", f->blessing);
		json_kv_int(&l->j, "created", f->created);
		json_obj_end(&l->j);
		return 0;
	}
	strbuf_addf(l->out, "%6lld  %-24s %-8s %-12s ", (long long)f->id, f->branch,
	    f->intended, f->blessing);
	clock_add_utc(l->out, f->created);
	strbuf_addch(l->out, '\n');
	return 0;
}

static int
show(struct lab *lab, int64_t id, int json, struct strbuf *out,
    struct strbuf *err)
{
	struct strbuf harness = STRBUF_INIT;
	struct job_list jobs = JOB_LIST_INIT;
	struct step_list steps = STEP_LIST_INIT;
	struct flight f;
	int rc;

	/* A look is also when a dead runner's job is found and marked broken. */
	if ((rc = job_reap_stale(lab, id, err)) < 0 ||
	    (rc = flight_get(lab, id, &f, err)) < 0)
		return rc;
	if ((rc = flight_harness(lab, id, &harness, err)) == 0 &&
	    (rc = job_list(lab, id, &jobs, err)) == 0 &&
	    (rc = step_list(lab, id, NULL, &steps, err)) == 0) {
		if (json)
			show_json(&f, harness.buf, &jobs, &steps, out);
		else
			show_text(&f, harness.buf, &jobs, &steps, out);
	}
	flight_release(&f);
	job_list_release(&jobs);
	step_list_release(&steps);
	strbuf_release(&harness);
	return rc;
}

int
main(int argc, const char **argv)
{
	static const struct cmd_info info = {
		"[FLIGHT]", "show a flight's jobs and steps, or list the newest flights",
		0, 1, 0,
	};
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;
	int json = 0, limit = 20, nargs, rc;
	struct poptOption opts[] = {
		{ "json", 0, POPT_ARG_NONE, &json, 0, "print JSON for programs", NULL },
		{ "limit", 'n', POPT_ARG_INT, &limit, 0,
		  "list at most N flights (default: 20)", "N" },
		CMD_POPT_LAB,
		CMD_POPT_END
	};
	const char **args;
	struct lab lab;

	args = cmd_parse(argc, argv, opts, &info, &nargs);
	if (limit <= 0)
		cmd_usage_error("--limit: %d is not a number of flights", limit);
	if (nargs == 1) {
		int64_t id = cmd_flight_arg(args[0]);

		cmd_open_lab(&lab);
		rc = show(&lab, id, json, &out, &err);
	} else {
		struct listing l = { json, { 0 }, &out };

		cmd_open_lab(&lab);
		json_init(&l.j, &out);
		if (json)
			json_arr_begin(&l.j);
		rc = flight_list(&lab, limit, list_one, &l, &err);
		if (json) {
			json_arr_end(&l.j);
			strbuf_addch(&out, '\n');
		}
	}
	if (rc == 0)
		cmd_print(&out);
	lab_close(&lab);
	strbuf_release(&out);
	return cmd_exit(rc, &err);
}
