/*
 * t-lab: unit tests of lib/lab (making, opening and naming things in a
 * lab, finding recipes) and of lib/runvar's rules: a runtime runvar never
 * replaces a definition, definitions only while the flight is
 * constructing, job references.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "db.h"
#include "err.h"
#include "flight.h"
#include "job.h"
#include "lab.h"
#include "runvar.h"
#include "tap.h"

static char dir[] = "/tmp/t-lab.XXXXXX";

/* dir/rel in sb (reset first). */
static const char *
in_dir(struct strbuf *sb, const char *rel)
{
	strbuf_reset(sb);
	strbuf_addf(sb, "%s/%s", dir, rel);
	return sb->buf;
}

static int
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		printf("# %s: %s\n", path, strerror(errno));
		return;
	}
	fputs(text, f);
	fclose(f);
}

static void
test_init_open(void)
{
	struct strbuf p = STRBUF_INIT, err = STRBUF_INIT;
	struct lab lab;
	char cwd[4096];
	int rc;

	in_dir(&p, "lab");
	rc = lab_init(p.buf, NULL, &err);
	is_int(rc, 0, "lab_init of a new directory");
	if (rc < 0)
		printf("#   err: %s\n", err.buf);
	in_dir(&p, "lab/logs");
	ok(is_dir(p.buf), "lab_init made logs/");
	in_dir(&p, "lab/stash");
	ok(is_dir(p.buf), "lab_init made stash/");
	in_dir(&p, "lab/recipes");
	ok(is_dir(p.buf), "lab_init made recipes/");
	in_dir(&p, "lab/tlab.conf");
	ok(access(p.buf, R_OK) == 0, "lab_init wrote tlab.conf");
	in_dir(&p, "lab/tlab.db");
	ok(access(p.buf, R_OK) == 0, "lab_init made tlab.db");

	in_dir(&p, "lab");
	rc = lab_init(p.buf, NULL, &err);
	is_int(rc, TS_E_INPUT, "lab_init of an existing lab is refused");
	like(err.buf, "already a lab", "the message says it is already a lab");

	rc = lab_open(&lab, p.buf, &err);
	is_int(rc, 0, "lab_open of the new lab");
	if (rc == 0) {
		is(lab.dir, p.buf, "lab.dir is the directory");
		ok(lab.db.h != NULL, "the database is open");
		lab_close(&lab);
		ok(lab.dir == NULL && lab.db.h == NULL, "lab_close closes");
	}

	/* A relative --lab is made absolute. */
	if (getcwd(cwd, sizeof(cwd)) != NULL && chdir(dir) == 0) {
		struct strbuf abs = STRBUF_INIT, want = STRBUF_INIT;

		rc = lab_init("rel", &abs, &err);
		is_int(rc, 0, "lab_init of a relative path");
		strbuf_addf(&want, "%s/rel", dir);
		ok(strcmp(abs.buf, want.buf) == 0 ||
		    (abs.buf[0] == '/' && strstr(abs.buf, "/rel") != NULL &&
		    access(abs.buf, F_OK) == 0),
		    "lab_init gives the lab's absolute path (%s)", abs.buf);
		strbuf_release(&abs);
		strbuf_release(&want);
		rc = lab_open(&lab, "lab", &err);
		is_int(rc, 0, "lab_open of a relative path");
		if (rc == 0) {
			ok(lab.dir[0] == '/' && strstr(lab.dir, "/lab") != NULL,
			    "lab.dir is absolute (%s)", lab.dir);
			lab_close(&lab);
		}
		if (chdir(cwd) < 0)
			printf("# chdir back: %s\n", strerror(errno));
	}

	/* No --lab: TLAB_LAB. */
	setenv("TLAB_LAB", p.buf, 1);
	rc = lab_open(&lab, NULL, &err);
	is_int(rc, 0, "lab_open(NULL) uses TLAB_LAB");
	if (rc == 0)
		lab_close(&lab);
	unsetenv("TLAB_LAB");
	rc = lab_open(&lab, NULL, &err);
	is_int(rc, TS_E_INPUT, "no --lab and no TLAB_LAB is bad input");
	like(err.buf, "TLAB_LAB", "the message says how to give one");

	in_dir(&p, "not-a-lab");
	mkdir(p.buf, 0755);
	rc = lab_open(&lab, p.buf, &err);
	is_int(rc, TS_E_INPUT, "lab_open of a directory without tlab.db");
	like(err.buf, "no tlab.db", "the message says no tlab.db");
	in_dir(&p, "missing");
	rc = lab_open(&lab, p.buf, &err);
	is_int(rc, TS_E_INPUT, "lab_open of a missing directory");
	like(err.buf, p.buf, "the message names it");

	/* A typo in tlab.conf stops lab_open, naming file and line. */
	in_dir(&p, "lab/tlab.conf");
	write_file(p.buf, "# edited\nparallel = 2\nstep_timout = 1h\n");
	in_dir(&p, "lab");
	rc = lab_open(&lab, p.buf, &err);
	is_int(rc, TS_E_INPUT, "lab_open of a lab whose tlab.conf has a typo");
	like(err.buf, "tlab.conf:3: ", "the message names tlab.conf:3");
	in_dir(&p, "lab/tlab.conf");
	write_file(p.buf, "parallel = 2\n");

	/* lab_init keeps a user's tlab.conf but checks it. */
	in_dir(&p, "lab2");
	mkdir(p.buf, 0755);
	in_dir(&p, "lab2/tlab.conf");
	write_file(p.buf, "name = mine\n");
	in_dir(&p, "lab2");
	is_int(lab_init(p.buf, NULL, &err), 0, "lab_init where a tlab.conf exists");
	rc = lab_open(&lab, p.buf, &err);
	if (rc == 0) {
		is(conf_get(&lab.conf, "", "", "name"), "mine", "the user's tlab.conf is kept");
		lab_close(&lab);
	} else {
		ok(0, "lab_open lab2: %s", err.buf);
	}
	in_dir(&p, "lab3");
	mkdir(p.buf, 0755);
	in_dir(&p, "lab3/tlab.conf");
	write_file(p.buf, "nmae = mine\n");
	in_dir(&p, "lab3");
	rc = lab_init(p.buf, NULL, &err);
	is_int(rc, TS_E_INPUT, "lab_init refuses a bad existing tlab.conf");
	like(err.buf, "tlab.conf:1: ", "naming tlab.conf:1");
	in_dir(&p, "lab3/tlab.db");
	ok(access(p.buf, F_OK) < 0, "and makes no tlab.db");

	/* A path that cannot be a directory is the user's mistake. */
	in_dir(&p, "afile");
	write_file(p.buf, "x\n");
	rc = lab_init(p.buf, NULL, &err);
	is_int(rc, TS_E_INPUT, "lab_init of a regular file is bad input");
	like(err.buf, p.buf, "the message names it");
	in_dir(&p, "afile/sub");
	rc = lab_init(p.buf, NULL, &err);
	is_int(rc, TS_E_INPUT, "lab_init under a regular file is bad input");

	in_dir(&p, "deep/er/dir/");
	is_int(lab_mkdirs(p.buf, 0755, &err), 0, "lab_mkdirs makes every level");
	ok(is_dir(p.buf), "the directory exists");
	is_int(lab_mkdirs(p.buf, 0755, &err), 0, "lab_mkdirs of an existing one is fine");

	strbuf_release(&p);
	strbuf_release(&err);
}

/* Check name n; label, when not NULL, shows it in the test's line. */
static void
name_l(const char *n, int good, const char *label)
{
	struct strbuf err = STRBUF_INIT;
	int rc = lab_check_name("job", n, &err);

	if (label == NULL)
		label = n;
	if (good) {
		is_int(rc, 0, "name '%.30s' is good", label);
	} else {
		is_int(rc, TS_E_INPUT, "name '%.30s' is refused", label);
		like(err.buf, "job name", "its message says which name");
	}
	strbuf_release(&err);
}

static void
name(const char *n, int good)
{
	name_l(n, good, NULL);
}

static void
test_names(void)
{
	char hundred[102];

	name("build-amd64", 1);
	name("test-amd64-amd64-xl-qemuu-debianhvm-amd64", 1);
	name("a.b_c+d-9", 1);
	name("X", 1);
	memset(hundred, 'a', 100);
	hundred[100] = '\0';
	name(hundred, 1);
	hundred[100] = 'a';
	hundred[101] = '\0';
	name(hundred, 0);
	name("", 0);
	name(".hidden", 0);
	name("-rf", 0);
	name("a/b", 0);
	name("..", 0);
	name("a b", 0);
	name("a;b", 0);
	name("$(id)", 0);
	name("caf\xc3\xa9", 0);
	name_l("tab\there", 0, "tab\\there");
	name_l("new\nline", 0, "new\\nline");
}

static void
test_recipes(void)
{
	struct strbuf p = STRBUF_INIT, err = STRBUF_INIT, path = STRBUF_INIT;
	struct strbuf want = STRBUF_INIT;
	struct lab lab;
	int rc;

	in_dir(&p, "lab");
	if (lab_open(&lab, p.buf, &err) < 0) {
		ok(0, "lab_open: %s", err.buf);
		return;
	}
	in_dir(&p, "data");
	setenv("TLAB_DATADIR", p.buf, 1);
	is(lab_datadir(), p.buf, "lab_datadir is $TLAB_DATADIR");
	in_dir(&p, "data/recipes");
	lab_mkdirs(p.buf, 0755, &err);
	ok(is_dir(p.buf), "lab_mkdirs made data/recipes");
	in_dir(&p, "data/recipes/both.sh");
	write_file(p.buf, "# installed\n");
	in_dir(&p, "data/recipes/installed.sh");
	write_file(p.buf, "# installed\n");
	in_dir(&p, "lab/recipes/both.sh");
	write_file(p.buf, "# lab's own\n");
	in_dir(&p, "lab/recipes/own.sh");
	write_file(p.buf, "# lab's own\n");

	rc = lab_find_recipe(&lab, "both", &path, &err);
	is_int(rc, 0, "a recipe in both places is found");
	is(path.buf, in_dir(&want, "lab/recipes/both.sh"), "the lab's own comes first");
	rc = lab_find_recipe(&lab, "own", &path, &err);
	is(path.buf, in_dir(&want, "lab/recipes/own.sh"), "a recipe only in the lab");
	rc = lab_find_recipe(&lab, "installed", &path, &err);
	is_int(rc, 0, "a recipe only installed is found");
	is(path.buf, in_dir(&want, "data/recipes/installed.sh"),
	    "in $TLAB_DATADIR/recipes");
	rc = lab_find_recipe(&lab, "nowhere", &path, &err);
	is_int(rc, TS_E_INPUT, "a recipe in neither place is bad input");
	like(err.buf, "nowhere", "the message names the recipe");
	like(err.buf, in_dir(&want, "lab/recipes"), "and the lab's recipes/");
	like(err.buf, in_dir(&want, "data/recipes"), "and $TLAB_DATADIR/recipes");
	rc = lab_find_recipe(&lab, "../data/recipes/installed", &path, &err);
	is_int(rc, TS_E_INPUT, "a recipe name with / is refused");

	unsetenv("TLAB_DATADIR");
	ok(lab_datadir() != NULL && lab_datadir()[0] != '\0',
	    "without TLAB_DATADIR, the configured one (%s)", lab_datadir());
	lab_close(&lab);

	strbuf_release(&p);
	strbuf_release(&err);
	strbuf_release(&path);
	strbuf_release(&want);
}

/* The value of a runvar, or "(unset)". */
static const char *
rv(struct lab *lab, int64_t flight, const char *job, const char *n,
    struct strbuf *out)
{
	struct strbuf err = STRBUF_INIT;
	char *val = NULL;
	int rc = runvar_get(lab, flight, job, n, &val, &err);

	strbuf_reset(out);
	if (rc == 1)
		strbuf_addstr(out, val ? val : "(null)");
	else if (rc == 0)
		strbuf_addstr(out, "(unset)");
	else
		strbuf_addf(out, "(error %d: %s)", rc, err.buf);
	free(val);
	strbuf_release(&err);
	return out->buf;
}

static void
test_runvars(void)
{
	struct strbuf p = STRBUF_INIT, err = STRBUF_INIT, v = STRBUF_INIT;
	struct runvar defs[] = {
		{ (char *)"arch", (char *)"amd64", 0 },
		{ (char *)"buildjob", (char *)"build-amd64", 0 },
	};
	struct runvar baddefs[] = { { (char *)"bad-name", (char *)"x", 0 } };
	struct runvar_list l = RUNVAR_LIST_INIT;
	struct lab lab;
	struct job j;
	int64_t fl = 0, other = 0;
	int rc;

	in_dir(&p, "lab");
	if (lab_open(&lab, p.buf, &err) < 0) {
		ok(0, "lab_open: %s", err.buf);
		return;
	}
	rc = flight_create(&lab, "xen-unstable", "real", &fl, &err);
	is_int(rc, 0, "flight_create");
	ok(fl > 0, "a flight id (%lld)", (long long)fl);
	rc = job_create(&lab, fl, "test-amd64-xl", "test", 0, defs, 2, &err);
	is_int(rc, 0, "job_create with two definition runvars");
	if (rc < 0)
		printf("#   err: %s\n", err.buf);
	is(rv(&lab, fl, "test-amd64-xl", "arch", &v), "amd64", "a definition is set");

	rc = job_create(&lab, fl, "test-amd64-xl", "test", 0, NULL, 0, &err);
	is_int(rc, TS_E_INPUT, "job_create of an existing job is refused");
	like(err.buf, "already exists", "saying it already exists");
	rc = job_create(&lab, fl, "other", "test", 0, baddefs, 1, &err);
	is_int(rc, TS_E_INPUT, "job_create with a bad runvar name is refused");
	ok(job_get(&lab, fl, "other", &j, &err) == TS_E_INPUT,
	    "and the job was not made");

	/* Runtime never replaces a definition. */
	rc = runvar_set(&lab, fl, "test-amd64-xl", "arch", "i386", &err);
	is_int(rc, TS_E_INPUT, "runvar_set over a definition is refused");
	like(err.buf, "arch", "the message names the runvar");
	like(err.buf, "definition", "and says it is a definition");
	is(rv(&lab, fl, "test-amd64-xl", "arch", &v), "amd64", "the definition is unchanged");

	rc = runvar_set(&lab, fl, "test-amd64-xl", "host", "bedbug", &err);
	is_int(rc, 0, "runvar_set of a new runtime runvar");
	is(rv(&lab, fl, "test-amd64-xl", "host", &v), "bedbug", "it is set");
	rc = runvar_set(&lab, fl, "test-amd64-xl", "host", "italia0", &err);
	is_int(rc, 0, "runvar_set over a runtime runvar");
	is(rv(&lab, fl, "test-amd64-xl", "host", &v), "italia0", "runtime replaces runtime");
	rc = runvar_set(&lab, fl, "test-amd64-xl", "host", "italia0", &err);
	is_int(rc, 0, "runvar_set to the same value again is fine");

	rc = runvar_set(&lab, fl, "no-such-job", "host", "x", &err);
	is_int(rc, TS_E_INPUT, "runvar_set on a job that does not exist");
	like(err.buf, "no-such-job", "names the job");
	rc = runvar_set(&lab, fl, "test-amd64-xl", "9lives", "x", &err);
	is_int(rc, TS_E_INPUT, "a runvar name starting with a digit is refused");
	rc = runvar_set(&lab, fl, "test-amd64-xl", "a-b", "x", &err);
	is_int(rc, TS_E_INPUT, "a runvar name with - is refused");
	rc = runvar_set(&lab, fl, "test-amd64-xl", "", "x", &err);
	is_int(rc, TS_E_INPUT, "an empty runvar name is refused");

	/* Definitions while constructing: new, and over runtime. */
	rc = runvar_define(&lab, fl, "test-amd64-xl", "kernel", "6.1", &err);
	is_int(rc, 0, "runvar_define while constructing");
	is(rv(&lab, fl, "test-amd64-xl", "kernel", &v), "6.1", "the definition is set");
	rc = runvar_set(&lab, fl, "test-amd64-xl", "kernel", "6.2", &err);
	is_int(rc, TS_E_INPUT, "and runvar_set cannot replace it");

	runvar_list(&lab, fl, "test-amd64-xl", &l, &err);
	is_int(l.nr, 4, "runvar_list: arch, buildjob, host, kernel");
	is(runvar_list_get(&l, "host"), "italia0", "runvar_list_get");
	ok(runvar_list_get(&l, "nope") == NULL, "runvar_list_get of unset is NULL");
	if (l.nr == 4) {
		ok(!strcmp(l.v[0].name, "arch") && l.v[0].synth == 0 &&
		    !strcmp(l.v[2].name, "host") && l.v[2].synth == 1,
		    "runvar_list in name order, synth 0 for definitions, 1 for runtime");
	}
	runvar_list_release(&l);

	/* The flight starts: definitions are fixed, jobs cannot be added. */
	rc = db_begin(&lab.db, &err);
	if (rc == 0)
		rc = flight_start(&lab, fl, &err);
	rc = db_end(&lab.db, rc, &err);
	is_int(rc, 0, "flight_start");
	rc = runvar_define(&lab, fl, "test-amd64-xl", "arch", "arm64", &err);
	is_int(rc, TS_E_INPUT, "runvar_define once the flight runs is refused");
	like(err.buf, "not constructing", "saying the flight is not constructing");
	is(rv(&lab, fl, "test-amd64-xl", "arch", &v), "amd64", "the definition is unchanged");
	rc = runvar_define(&lab, fl, "test-amd64-xl", "newdef", "x", &err);
	is_int(rc, TS_E_INPUT, "a new definition once the flight runs is refused");
	is(rv(&lab, fl, "test-amd64-xl", "newdef", &v), "(unset)", "and not set");
	rc = runvar_unset(&lab, fl, "test-amd64-xl", "arch", &err);
	is_int(rc, TS_E_INPUT, "runvar_unset of a definition once the flight runs");
	is(rv(&lab, fl, "test-amd64-xl", "arch", &v), "amd64", "the definition stays");
	rc = runvar_set(&lab, fl, "test-amd64-xl", "host", "bedbug", &err);
	is_int(rc, 0, "runtime runvars are still written while running");
	rc = runvar_unset(&lab, fl, "test-amd64-xl", "host", &err);
	is_int(rc, 1, "runvar_unset of a runtime runvar");
	is(rv(&lab, fl, "test-amd64-xl", "host", &v), "(unset)", "it is gone");
	rc = runvar_unset(&lab, fl, "test-amd64-xl", "host", &err);
	is_int(rc, 0, "runvar_unset of an unset runvar is 0");
	rc = job_create(&lab, fl, "late-job", "test", 0, NULL, 0, &err);
	is_int(rc, TS_E_INPUT, "job_create in a flight that is not constructing");
	like(err.buf, "not constructing", "saying it is not constructing");
	ok(job_get(&lab, fl, "late-job", &j, &err) == TS_E_INPUT, "no job was made");

	/* A second flight's jobs are its own. */
	flight_create(&lab, "xen-unstable", "real", &other, &err);
	job_create(&lab, other, "test-amd64-xl", "test", 0, NULL, 0, &err);
	is(rv(&lab, other, "test-amd64-xl", "arch", &v), "(unset)",
	    "a job of the same name in another flight has its own runvars");
	rc = runvar_define(&lab, 999999, "x", "a", "b", &err);
	is_int(rc, TS_E_INPUT, "runvar_define in a flight that does not exist");

	/* Reading a build job's runvars through buildjob=. */
	{
		struct runvar tdefs[] = {
			{ (char *)"buildjob", (char *)"build-amd64", 0 },
			{ (char *)"oldbuildjob", NULL, 0 },
			{ (char *)"nobuildjob", (char *)"build-arm64", 0 },
		};
		struct strbuf ref = STRBUF_INIT;
		char *val = NULL;

		strbuf_addf(&ref, "%lld.test-amd64-xl", (long long)fl);
		tdefs[1].val = ref.buf;
		job_create(&lab, other, "build-amd64", "build", 0, NULL, 0, &err);
		rc = job_create(&lab, other, "test-amd64", "test", 0, tdefs, 3, &err);
		is_int(rc, 0, "a test job naming its build job");
		runvar_set(&lab, other, "build-amd64", "path_xendist", "/stash/x.tar", &err);
		rc = job_runvar_via(&lab, other, "test-amd64", "buildjob", "path_xendist",
		    &val, &err);
		is_int(rc, 1, "job_runvar_via reads the build job's runvar");
		is(val, "/stash/x.tar", "its value");
		free(val);
		val = NULL;
		rc = job_runvar_via(&lab, other, "test-amd64", "buildjob", "unset_one",
		    &val, &err);
		is_int(rc, 0, "job_runvar_via of a runvar the build job lacks is 0");
		rc = job_runvar_via(&lab, other, "test-amd64", "oldbuildjob", "host",
		    &val, &err);
		is_int(rc, 0, "FLIGHT.JOB reaches another flight's job");
		rc = job_runvar_via(&lab, other, "test-amd64", "oldbuildjob", "arch",
		    &val, &err);
		is_int(rc, 1, "and reads its runvar");
		is(val, "amd64", "FLIGHT.JOB: the other flight's value");
		free(val);
		val = NULL;
		rc = job_runvar_via(&lab, other, "test-amd64", "nobuildjob", "x", &val,
		    &err);
		is_int(rc, TS_E_INPUT, "a reference to a job that does not exist");
		like(err.buf, "nobuildjob", "names the reference runvar");
		rc = job_runvar_via(&lab, other, "test-amd64", "missingref", "x", &val,
		    &err);
		is_int(rc, TS_E_INPUT, "a reference runvar that is not set");
		rc = job_finish(&lab, other, "build-amd64", ST_FAIL, "compile error",
		    NULL, &err);
		is_int(rc, 0, "the build job fails");
		rc = job_runvar_via(&lab, other, "test-amd64", "buildjob", "path_xendist",
		    &val, &err);
		is_int(rc, TS_E_BLOCKED, "reading through a failed build job is blocked");
		like(err.buf, "build-amd64", "naming the build job");
		free(val);
		strbuf_release(&ref);
	}

	lab_close(&lab);
	strbuf_release(&p);
	strbuf_release(&err);
	strbuf_release(&v);
}

static void
jobref(const char *ref, int64_t this_flight, int rc_want, int64_t fl_want,
    const char *job_want)
{
	struct strbuf err = STRBUF_INIT;
	int64_t fl = -1;
	char *job = NULL;
	int rc = runvar_parse_jobref(ref, this_flight, &fl, &job, &err);

	is_int(rc, rc_want, "jobref '%s' in flight %lld: %s", ref,
	    (long long)this_flight, rc_want == 0 ? "accepted" : "refused");
	if (rc_want == 0 && rc == 0) {
		is_int(fl, fl_want, "jobref '%s': flight %lld", ref, (long long)fl_want);
		is(job, job_want, "jobref '%s': the job", ref);
	}
	if (rc_want < 0)
		ok(err.len > 0, "jobref '%s': a message (%s)", ref, err.buf);
	free(job);
	strbuf_release(&err);
}

static void
test_jobref(void)
{
	jobref("build-amd64", 50, 0, 50, "build-amd64");
	jobref("41.build-amd64", 50, 0, 41, "build-amd64");
	jobref("41.build-amd64.v2", 50, 0, 41, "build-amd64.v2");
	jobref("build.amd64", 50, 0, 50, "build.amd64");
	jobref("4a.build", 50, 0, 50, "4a.build");
	jobref("41.", 50, TS_E_INPUT, 0, NULL);
	jobref("", 50, TS_E_INPUT, 0, NULL);
	jobref(".build", 50, TS_E_INPUT, 0, NULL);
	jobref("0.build", 50, TS_E_INPUT, 0, NULL);
	jobref("41.a b", 50, TS_E_INPUT, 0, NULL);
	jobref("99999999999999999999999.x", 50, TS_E_INPUT, 0, NULL);
	ok(runvar_name_ends("buildjob", "buildjob"), "runvar_name_ends: equal");
	ok(runvar_name_ends("xenbuildjob", "buildjob"), "runvar_name_ends: suffix");
	ok(!runvar_name_ends("job", "buildjob"), "runvar_name_ends: shorter");
	ok(!runvar_name_ends("buildjobs", "buildjob"), "runvar_name_ends: not at end");
}

/*
 * Last, as it may be caught by valgrind or ASan: an empty path must be an
 * error, without reading or writing past the copy lab_mkdirs makes of it.
 */
static void
test_mkdirs_empty(void)
{
	struct strbuf err = STRBUF_INIT;
	int rc = lab_mkdirs("", 0755, &err);

	ok(rc < 0, "lab_mkdirs of an empty path is an error (%d)", rc);
	strbuf_release(&err);
}

static void
rm_rf(const char *path)
{
	/* The test's own temporary directory only. */
	char *const argv[] = { (char *)"rm", (char *)"-rf", (char *)path, NULL };
	pid_t pid;
	int st;

	if (strncmp(path, "/tmp/t-lab.", 11) != 0)
		return;
	if ((pid = fork()) == 0) {
		execvp("rm", argv);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, &st, 0);
}

int
main(void)
{
	/* Line by line: a forked child must not repeat our buffered output. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (mkdtemp(dir) == NULL) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	unsetenv("TLAB_LAB");
	test_init_open();
	test_names();
	test_recipes();
	test_runvars();
	test_jobref();
	rm_rf(dir);
	test_mkdirs_empty();
	return done_testing();
}
