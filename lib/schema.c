/*
 * schema: tlab.db's tables, as numbered migrations.
 *
 * Migration N takes a database from PRAGMA user_version N-1 to N; db.c runs
 * the missing ones in order, each in its own write transaction, when a
 * binary opens the lab.  A migration once released is never edited: a
 * change is a new migration that adds to it.  The DDL keeps to types and
 * constraints PostgreSQL also accepts (BIGINT times as UTC seconds, INTEGER
 * flags, TEXT), so that a lab that outgrows one controller keeps its
 * schema; only the id columns differ there (SERIAL for INTEGER PRIMARY KEY).
 *
 * Version 1 holds every table the parts of DESIGN.md need, so that later
 * parts add columns, not rewrites: flights, jobs, runvars and steps for the
 * job engine; hosts, their flags and properties and allocations for the
 * host pool; trees and pushes for the push gate.
 */
#include "schema.h"

static const char schema_v1[] =
	/* One batch of jobs testing one set of revisions. */
	"CREATE TABLE flights ("
	"  flight INTEGER PRIMARY KEY,"
	"  branch TEXT NOT NULL,"
	"  intended TEXT NOT NULL,"		/* blessing it is meant to get */
	"  blessing TEXT NOT NULL,"		/* constructing, running, real... */
	"  created BIGINT NOT NULL,"
	"  started BIGINT,"			/* first job started */
	"  finished BIGINT"			/* blessed after running */
	");"
	/* Every tlab version (and git revision) that wrote to a flight. */
	"CREATE TABLE flight_harness ("
	"  flight INTEGER NOT NULL REFERENCES flights(flight),"
	"  harness TEXT NOT NULL,"
	"  first_seen BIGINT NOT NULL,"
	"  PRIMARY KEY (flight, harness)"
	");"
	"CREATE TABLE jobs ("
	"  flight INTEGER NOT NULL REFERENCES flights(flight),"
	"  job TEXT NOT NULL,"
	"  recipe TEXT NOT NULL,"
	"  status TEXT NOT NULL,"		/* queued ... pass fail broken blocked aborted */
	"  priority INTEGER NOT NULL DEFAULT 0,"
	"  why TEXT,"				/* one line: why broken, blocked, aborted */
	"  started BIGINT,"
	"  finished BIGINT,"
	"  runner_host TEXT,"			/* the ts-run-job holding the job */
	"  runner_pid INTEGER,"
	"  runner_token TEXT,"			/* boot id and start time of that pid */
	"  lease_until BIGINT,"			/* renewed while the runner lives */
	"  PRIMARY KEY (flight, job)"
	");"
	/* synth 0: definition runvar, fixed at job creation; 1: runtime. */
	"CREATE TABLE runvars ("
	"  flight INTEGER NOT NULL,"
	"  job TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  val TEXT NOT NULL,"
	"  synth INTEGER NOT NULL,"
	"  PRIMARY KEY (flight, job, name),"
	"  FOREIGN KEY (flight, job) REFERENCES jobs(flight, job)"
	");"
	"CREATE TABLE steps ("
	"  flight INTEGER NOT NULL,"
	"  job TEXT NOT NULL,"
	"  stepno INTEGER NOT NULL,"
	"  step TEXT NOT NULL,"			/* the binary: ts-guest-start */
	"  testid TEXT NOT NULL,"		/* compared across flights */
	"  status TEXT NOT NULL,"		/* running pass fail broken blocked aborted */
	"  started BIGINT NOT NULL,"
	"  finished BIGINT,"
	"  exit_code INTEGER,"			/* NULL when killed by a signal */
	"  signal INTEGER,"			/* NULL when it exited */
	"  timed_out INTEGER NOT NULL DEFAULT 0,"
	"  pid INTEGER,"			/* of the ts-step recording it */
	"  log TEXT,"				/* relative to the lab's logs/ */
	"  PRIMARY KEY (flight, job, stepno),"
	"  UNIQUE (flight, job, testid),"
	"  FOREIGN KEY (flight, job) REFERENCES jobs(flight, job)"
	");"
	"CREATE INDEX steps_testid ON steps (job, testid, flight);"
	/* The host pool. */
	"CREATE TABLE hosts ("
	"  name TEXT PRIMARY KEY,"
	"  address TEXT NOT NULL,"		/* user@host:port */
	"  arch TEXT NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'free',"	/* free allocated quarantined */
	"  state_why TEXT,"
	"  added BIGINT NOT NULL"
	");"
	"CREATE TABLE host_flags ("
	"  host TEXT NOT NULL REFERENCES hosts(name),"
	"  flag TEXT NOT NULL,"
	"  PRIMARY KEY (host, flag)"
	");"
	"CREATE TABLE host_props ("
	"  host TEXT NOT NULL REFERENCES hosts(name),"
	"  name TEXT NOT NULL,"
	"  val TEXT NOT NULL,"
	"  PRIMARY KEY (host, name)"
	");"
	/*
	 * Who holds a host: a job (its owner process, with a lease) or, later,
	 * a reservation.  Times in milliseconds: the allocator's order of
	 * events must show even within one second.
	 */
	"CREATE TABLE allocations ("
	"  id INTEGER PRIMARY KEY,"
	"  host TEXT NOT NULL REFERENCES hosts(name),"
	"  holder TEXT NOT NULL,"		/* 'job' or 'reservation' */
	"  flight INTEGER,"
	"  job TEXT,"
	"  ident TEXT,"				/* host, src_host, ... */
	"  owner_host TEXT,"
	"  owner_pid INTEGER,"
	"  owner_token TEXT,"
	"  lease_until BIGINT,"
	"  taken_ms BIGINT NOT NULL,"
	"  released_ms BIGINT,"			/* NULL while held */
	"  why TEXT"				/* why it was released */
	");"
	"CREATE INDEX allocations_held ON allocations (host, released_ms);"
	/* Jobs waiting for hosts, served by priority, then time of asking. */
	"CREATE TABLE alloc_waiters ("
	"  id INTEGER PRIMARY KEY,"
	"  flight INTEGER NOT NULL,"
	"  job TEXT NOT NULL,"
	"  priority INTEGER NOT NULL,"
	"  asked_ms BIGINT NOT NULL,"
	"  wants TEXT NOT NULL,"		/* flags of each ident: a,b;c */
	"  owner_host TEXT,"
	"  owner_pid INTEGER,"
	"  owner_token TEXT,"
	"  seen_ms BIGINT NOT NULL"		/* its last look */
	");"
	/* Trees under test and the pushes made to them. */
	"CREATE TABLE trees ("
	"  name TEXT PRIMARY KEY,"
	"  url TEXT NOT NULL,"
	"  staging_ref TEXT,"
	"  master_ref TEXT"
	");"
	"CREATE TABLE pushes ("
	"  id INTEGER PRIMARY KEY,"
	"  flight INTEGER REFERENCES flights(flight),"
	"  tree TEXT NOT NULL,"
	"  ref TEXT NOT NULL,"
	"  old_rev TEXT,"
	"  new_rev TEXT,"
	"  outcome TEXT NOT NULL,"		/* pushed, up-to-date, refused, failed, dry-run */
	"  reason TEXT,"
	"  at BIGINT NOT NULL,"
	"  who TEXT"
	");";

/*
 * Version 2: the push gate.  A flight's verdict against its baseline and
 * each failure's class (ts-report), a branch's push overrides (force,
 * block: who and why), and the attempts of a job run again after it broke.
 */
static const char schema_v2[] =
	"CREATE TABLE verdicts ("
	"  flight INTEGER PRIMARY KEY REFERENCES flights(flight),"
	"  verdict TEXT NOT NULL,"		/* perfect, tolerable, regressions */
	"  baseline INTEGER,"			/* the baseline flight, or NULL */
	"  blocking INTEGER NOT NULL,"		/* failures that block a push */
	"  computed BIGINT NOT NULL"
	");"
	"CREATE TABLE failures ("
	"  flight INTEGER NOT NULL REFERENCES flights(flight),"
	"  job TEXT NOT NULL,"
	"  testid TEXT NOT NULL,"		/* the step's; '' for a job without one */
	"  status TEXT NOT NULL,"		/* fail, broken, blocked, aborted */
	"  class TEXT NOT NULL,"		/* regression, baseline-fail, never-pass,"
						   heisenbug, allowed, broken, job */
	"  blocking INTEGER NOT NULL,"
	"  since INTEGER,"			/* a flight: where it last passed, or began failing */
	"  detail TEXT,"			/* the reason, for people */
	"  PRIMARY KEY (flight, job, testid)"
	");"
	"CREATE TABLE branch_overrides ("
	"  id INTEGER PRIMARY KEY,"
	"  branch TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"			/* force, block */
	"  who TEXT NOT NULL,"
	"  why TEXT NOT NULL,"
	"  set_at BIGINT NOT NULL,"
	"  cleared_at BIGINT"			/* NULL while it holds */
	");"
	"CREATE INDEX branch_overrides_held ON branch_overrides (branch, cleared_at);"
	/* A kept attempt of a job run again: named JOB~N, attempt_of JOB. */
	"ALTER TABLE jobs ADD COLUMN attempt_of TEXT;"
	"ALTER TABLE jobs ADD COLUMN attempt INTEGER NOT NULL DEFAULT 0;";

/* Version 3: who cleared a branch override, beside when. */
static const char schema_v3[] =
	"ALTER TABLE branch_overrides ADD COLUMN cleared_by TEXT;";

/*
 * Version 4: bisections.  One row per bisection of a (branch, job, testid)
 * from a failing flight against its basis; the trees it searches with
 * their passing and failing revisions; the flights it ran, each at one
 * tuple; and people's own verdicts on tuples (ts-bisect mark).
 */
static const char schema_v4[] =
	"CREATE TABLE bisections ("
	"  id INTEGER PRIMARY KEY,"
	"  branch TEXT NOT NULL,"
	"  job TEXT NOT NULL,"
	"  testid TEXT NOT NULL,"
	"  fail_flight INTEGER NOT NULL REFERENCES flights(flight),"
	"  basis_flight INTEGER NOT NULL REFERENCES flights(flight),"
	"  hosts TEXT NOT NULL,"		/* the failing job's NAME=HOST, space-separated */
	"  budget INTEGER NOT NULL,"		/* most flights it may run; 0: no bound */
	"  who TEXT NOT NULL,"
	"  started BIGINT NOT NULL,"
	"  finished BIGINT,"			/* NULL while it goes on */
	"  verdict INTEGER,"			/* ts-bisect's exit code at the end */
	"  summary TEXT"			/* one line: the culprit, or why none */
	");"
	"CREATE TABLE bisection_trees ("
	"  bisection INTEGER NOT NULL REFERENCES bisections(id),"
	"  pos INTEGER NOT NULL,"		/* the tree's place in a tuple */
	"  tree TEXT NOT NULL,"
	"  url TEXT NOT NULL,"
	"  pass_rev TEXT NOT NULL,"
	"  fail_rev TEXT NOT NULL,"
	"  PRIMARY KEY (bisection, pos)"
	");"
	"CREATE TABLE bisection_flights ("
	"  bisection INTEGER NOT NULL REFERENCES bisections(id),"
	"  flight INTEGER NOT NULL REFERENCES flights(flight),"
	"  tuple TEXT NOT NULL,"		/* the revisions, space-separated, in pos order */
	"  why TEXT NOT NULL,"
	"  PRIMARY KEY (bisection, flight)"
	");"
	"CREATE TABLE bisection_marks ("
	"  id INTEGER PRIMARY KEY,"
	"  bisection INTEGER NOT NULL REFERENCES bisections(id),"
	"  tuple TEXT NOT NULL,"
	"  result TEXT NOT NULL,"		/* pass, fail, skip */
	"  who TEXT NOT NULL,"
	"  at BIGINT NOT NULL"
	");";

const struct schema_migration schema_migrations[] = {
	{ 1, "flights, jobs, runvars, steps, hosts, allocations, waiters, trees, pushes",
	  schema_v1 },
	{ 2, "verdicts, failures, branch overrides, job attempts", schema_v2 },
	{ 3, "who cleared a branch override", schema_v3 },
	{ 4, "bisections, their trees, flights and marks", schema_v4 },
};

const int schema_nmigrations =
    (int)(sizeof(schema_migrations) / sizeof(schema_migrations[0]));
