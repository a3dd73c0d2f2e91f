#!/bin/sh
test_description='ts-run-job: recipes of steps, job status, per_host, logs, runvars'
. "${abs_top_srcdir:-$(dirname "$0")/..}/tests/lib/test-lib.sh"

require_command sqlite3

# Each test makes a flight with one job J running a recipe of its own
# (ts-run-job starts the flight, so a finished flight takes no more jobs).

# new_job RECIPE [NAME=VALUE...] <BODY: the recipe, a flight $f, its job J.
new_job () {
	write_recipe "$1" &&
	f=$(ts-flight-create --branch b) &&
	ts-job-create "$f" J "$@"
}

# col COLUMNS TESTID: those columns of J's step TESTID, |-separated.
col () {
	db "SELECT $1 FROM steps WHERE flight = $f AND job = 'J' AND testid = '$2'"
}

step_log () {
	echo "$TLAB_LAB/$(col log "$1")"
}

# steps_are 'TESTID=STATUS ...': J's steps, in step order, are exactly these.
steps_are () {
	_got=$(db "SELECT testid || '=' || status FROM steps
	    WHERE flight = $f AND job = 'J' ORDER BY stepno" | tr '\n' ' ')
	if [ "$_got" = "${1:+$1 }" ]; then
		return 0
	fi
	echo "steps are: $_got" >&2
	echo "expected:  $1" >&2
	return 1
}

# job_is STATUS: J's status.
job_is () {
	_got=$(job_status "$f" J)
	[ "$_got" = "$1" ] && return 0
	echo "job J is $_got, not $1 ($(db "SELECT why FROM jobs
	    WHERE flight = $f AND job = 'J'"))" >&2
	return 1
}

# Every step of J has its log, with the exit line matching its row.
check_step_logs () {
	db "SELECT stepno, step, log, COALESCE(exit_code, 128 + signal)
	    FROM steps WHERE flight = $f AND job = 'J'" >rows &&
	test -s rows || return 1
	while IFS='|' read -r _n _name _log _code; do
		test "$_log" = "logs/$f/J/$_n.$_name.log" ||
		    { echo "step $_n: log $_log" >&2; return 1; }
		test -f "$TLAB_LAB/$_log" ||
		    { echo "step $_n: no $_log" >&2; return 1; }
		last_line_is_exit "$TLAB_LAB/$_log" "$_code" ||
		    { echo "step $_n: $_log does not end with exit status $_code" >&2;
		      cat "$TLAB_LAB/$_log" >&2; return 1; }
	done <rows
}

test_expect_success 'setup: a lab with short bounds and some step programs' '
	lab_init &&
	printf "abort_grace = 1\npause_timeout = 2\n" >>"$TLAB_LAB/tlab.conf" &&
	mkdir bin &&
	printf "#!/bin/sh\necho \"exiting \$1\"\nexit \"\$1\"\n" >bin/ts-exit &&
	printf "#!/bin/sh\necho \"args: \$*\"\n" >bin/ts-foo &&
	printf "#!/bin/sh\necho \"ident=\$1 args=\$*\"\n[ \"\$1\" != \"\$2\" ]\n" \
	    >bin/ts-failon &&
	cat >bin/ts-meet <<-\EOF &&
	#!/bin/sh
	# ts-meet IDENT OTHER...: mark IDENT here, wait (5 s at most) for the others.
	me=$1
	shift
	echo "ident=$me"
	touch "$TLAB_LAB/met.$TLAB_FLIGHT.$me"
	for o in "$@"; do
		i=0
		while [ ! -e "$TLAB_LAB/met.$TLAB_FLIGHT.$o" ]; do
			i=$((i + 1))
			if [ "$i" -gt 50 ]; then
				echo "$o did not come in 5 s"
				exit 1
			fi
			sleep 0.1
		done
	done
	echo "met $*"
	EOF
	chmod +x bin/* &&
	PATH=$PWD/bin:$PATH && export PATH
'

# Job status: aborted > broken > blocked > fail > pass, and ts-run-job's
# exit code is the job's status's (0 pass, 1 fail, 4 blocked, 3 broken).
test_expect_success 'all steps pass: job pass, ts-run-job exits 0' '
	new_job allpass <<-\EOF &&
	step ts-exit 0
	always true
	EOF
	test_expect_code 0 ts-run-job "$f" J &&
	job_is pass &&
	steps_are "exit/0=pass true=pass"
'

test_expect_success 'a pass and a fail: job fail, exit 1' '
	new_job passfail <<-\EOF &&
	step ts-exit 0
	always ts-exit 1
	always true
	EOF
	test_expect_code 1 ts-run-job "$f" J &&
	job_is fail &&
	steps_are "exit/0=pass exit/1=fail true=pass"
'

test_expect_success 'fail and blocked, in either order: job blocked, exit 4' '
	new_job failblocked <<-\EOF &&
	always ts-exit 1
	always ts-exit 4
	always --testid=fail2 ts-exit 1
	EOF
	test_expect_code 4 ts-run-job "$f" J &&
	job_is blocked &&
	steps_are "exit/1=fail exit/4=blocked fail2=fail"
'

test_expect_success 'blocked, broken and fail: job broken, exit 3' '
	new_job broken <<-\EOF &&
	always ts-exit 4
	always ts-exit 3
	always ts-exit 1
	always ts-exit 0
	EOF
	test_expect_code 3 ts-run-job "$f" J &&
	job_is broken &&
	steps_are "exit/4=blocked exit/3=broken exit/1=fail exit/0=pass"
'

test_expect_success 'a step exiting 2 (bad input) makes the job broken, exit 3' '
	new_job usage <<-\EOF &&
	always ts-exit 2
	always ts-exit 1
	EOF
	test_expect_code 3 ts-run-job "$f" J &&
	job_is broken &&
	steps_are "exit/2=broken exit/1=fail"
'

test_expect_success 'an aborted step beats a broken one: job aborted, exit 3' '
	new_job aborted <<-\EOF &&
	always ts-exit 3
	always --testid=abort sh -c "kill -TERM \$PPID; sleep 5"
	always ts-exit 1
	EOF
	test_expect_code 3 ts-run-job "$f" J &&
	job_is aborted &&
	steps_are "exit/3=broken abort=aborted exit/1=fail"
'

test_expect_success '--on-fail=broken in a recipe: an exit 1 makes the job broken' '
	new_job onfail <<-\EOF &&
	always --on-fail=broken ts-exit 1
	EOF
	test_expect_code 3 ts-run-job "$f" J &&
	job_is broken &&
	steps_are "exit/1=broken"
'

# A failed step stops the steps after it; `always` still runs.
test_expect_success 'after a failed step later steps are not run nor recorded; always is' '
	new_job stops <<-\EOF &&
	step true
	step ts-exit 1
	step --testid=later sh -c "echo ran >later-ran"
	always --testid=capture ts-exit 0
	step --testid=later2 true
	EOF
	test_expect_code 1 ts-run-job "$f" J &&
	job_is fail &&
	steps_are "true=pass exit/1=fail capture=pass" &&
	test ! -e "$TLAB_LAB/later-ran" &&
	test "$(grep -c "skipped after a failed step" "$TLAB_LAB/logs/$f/J/job.log")" = 2
'

test_expect_success 'a broken or blocked step stops later steps too' '
	new_job stops3 <<-\EOF &&
	step ts-exit 3
	step --testid=later true
	always --testid=capture true
	EOF
	test_expect_code 3 ts-run-job "$f" J &&
	job_is broken &&
	steps_are "exit/3=broken capture=pass" &&
	new_job stops4 <<-\EOF &&
	step ts-exit 4
	step --testid=later true
	EOF
	test_expect_code 4 ts-run-job "$f" J &&
	job_is blocked &&
	steps_are "exit/4=blocked"
'

# per_host: one step per host ident, all at once.
test_expect_success 'per_host with hosts: one step per ident, concurrently, ident first' '
	new_job meet <<-\EOF &&
	hosts host src_host
	per_host ts-meet host src_host
	EOF
	test_expect_code 0 ts-run-job "$f" J &&
	job_is pass &&
	test "$(db "SELECT testid || '\''='\'' || status FROM steps
	    WHERE flight = $f AND job = '\''J'\'' ORDER BY testid" | tr "\n" " ")" = \
	    "meet=pass meet/src_host=pass " &&
	grep "^ident=host\$" "$(step_log meet)" &&
	grep "^met host src_host\$" "$(step_log meet)" &&
	grep "^ident=src_host\$" "$(step_log meet/src_host)" &&
	grep "^met host src_host\$" "$(step_log meet/src_host)"
'

test_expect_success 'per_host from runvars host and *_host; one host failing fails the job' '
	new_job failon host=h1 src_host=h2 hostname=x other=y <<-\EOF &&
	per_host ts-failon src_host
	step --testid=later true
	per_host --always --testid==.cap ts-foo
	EOF
	test_expect_code 1 ts-run-job "$f" J &&
	job_is fail &&
	test "$(col status failon)" = pass &&
	test "$(col status failon/src_host)" = fail &&
	grep "^ident=host args=host src_host\$" "$(step_log failon)" &&
	grep "^ident=src_host args=src_host src_host\$" "$(step_log failon/src_host)" &&
	test "$(col status foo.cap)" = pass &&
	test "$(col status foo/src_host.cap)" = pass &&
	test "$(db "SELECT COUNT(*) FROM steps WHERE flight = $f")" = 4 &&
	test -z "$(col status later)"
'

test_expect_success 'a failing per_host --always --on-fail=broken makes a failed job broken' '
	new_job capbroken host=h1 src_host=h2 <<-\EOF &&
	step ts-exit 1
	per_host --always --on-fail=broken ts-failon src_host
	EOF
	test_expect_code 3 ts-run-job "$f" J &&
	job_is broken &&
	test "$(col status failon)" = pass &&
	test "$(col status failon/src_host)" = broken
'

test_expect_success 'per_host in a job with no hosts: job broken, exit 3, saying so' '
	new_job nohosts <<-\EOF &&
	per_host true
	EOF
	test_expect_code 3 ts-run-job "$f" J &&
	job_is broken &&
	grep "per_host: the job has no hosts" "$TLAB_LAB/logs/$f/J/job.log"
'

# Testids in a recipe.
test_expect_success 'testids: from the command and args before +, --testid forms' '
	new_job testids <<-\EOF &&
	step ts-foo a b + c d
	step --testid=mine ts-foo
	step --testid==.2 ts-foo a b
	step "--testid=*" ts-foo
	step true
	EOF
	test_expect_code 0 ts-run-job "$f" J &&
	steps_are "foo/a/b=pass mine=pass foo/a/b.2=pass foo(4)=pass true=pass" &&
	grep "^args: a b c d\$" "$(step_log foo/a/b)"
'

test_expect_success 'a testid used twice: refused, job broken, exit 3, the first row stays' '
	new_job twice <<-\EOF &&
	step --testid=same ts-exit 0
	step --testid=same sh -c "echo ran >second-ran"
	always --testid=after true
	EOF
	test_expect_code 3 ts-run-job "$f" J &&
	job_is broken &&
	test "$(col "stepno, status, exit_code" same)" = "1|pass|0" &&
	test ! -e "$TLAB_LAB/second-ran" &&
	grep "testid same: already used by step 1" "$TLAB_LAB/logs/$f/J/job.log"
'

# Logs.
test_expect_success 'each step has logs/FLIGHT/JOB/STEPNO.NAME.log ending with its exit status' '
	new_job logs <<-\EOF &&
	step sh -c "echo out-of-one; echo err-of-one >&2"
	step ts-foo x
	always ts-exit 5
	always --testid=sig sh -c "kill -KILL \$\$"
	EOF
	test_expect_code 1 ts-run-job "$f" J &&
	check_step_logs &&
	grep "^out-of-one\$" "$TLAB_LAB/logs/$f/J/1.sh.log" &&
	grep "^err-of-one\$" "$TLAB_LAB/logs/$f/J/1.sh.log" &&
	grep "^args: x\$" "$TLAB_LAB/logs/$f/J/2.ts-foo.log" &&
	last_line_is_exit "$TLAB_LAB/logs/$f/J/3.ts-exit.log" 5 &&
	last_line_is_exit "$TLAB_LAB/logs/$f/J/4.sh.log" 137 &&
	test "$(col "exit_code IS NULL, signal" sig)" = "1|9"
'

test_expect_success 'job.log has the runner'\''s lines, each step and the job'\''s status' '
	log=$TLAB_LAB/logs/$f/J/job.log &&
	test -f "$log" &&
	grep "step 1 sh/-c/.*: pass (exit status 0" "$log" &&
	grep "step 3 exit/5: fail (exit status 5" "$log" &&
	tail -n 1 "$log" | grep "^[0-9-]* [0-9:]* Z job J: fail"
'

# Timeouts.
test_expect_success 'a step over its --timeout: fail, timed_out=1, process group killed' '
	new_job timeout <<-\EOF &&
	step --timeout=1 sh -c "sleep 100 & echo \$! >pidfile; sleep 100"
	step --testid=later true
	EOF
	t0=$(date +%s) &&
	test_expect_code 1 ts-run-job "$f" J &&
	t1=$(date +%s) &&
	test $((t1 - t0)) -le 6 &&
	job_is fail &&
	test "$(db "SELECT status, timed_out, exit_code IS NULL FROM steps
	    WHERE flight = $f AND stepno = 1")" = "fail|1|1" &&
	test "$(db "SELECT COUNT(*) FROM steps WHERE flight = $f")" = 1 &&
	test -s "$TLAB_LAB/pidfile" &&
	gone "$(cat "$TLAB_LAB/pidfile")"
'

test_expect_success 'a timed-out step with --on-fail=broken: broken, job broken, exit 3' '
	new_job timeoutb <<-\EOF &&
	step --timeout=1 --on-fail=broken --testid=slow sh -c "sleep 100 & echo \$! >pidfile-b; sleep 100"
	EOF
	test_expect_code 3 ts-run-job "$f" J &&
	job_is broken &&
	test "$(col "status, timed_out" slow)" = "broken|1" &&
	gone "$(cat "$TLAB_LAB/pidfile-b")"
'

# What a step sees.
test_expect_success 'a step runs with TLAB_FLIGHT, TLAB_JOB, TLAB_STEP, TLAB_LAB and no stdin' '
	new_job env <<-\EOF &&
	step true
	step --testid=env sh -c "echo lab=\$TLAB_LAB flight=\$TLAB_FLIGHT job=\$TLAB_JOB step=\$TLAB_STEP"
	step --testid=stdin sh -c "cat; echo end-of-input"
	EOF
	echo leaked-input | ts-run-job "$f" J &&
	grep "^lab=$TLAB_LAB flight=$f job=J step=2\$" "$(step_log env)" &&
	grep "^end-of-input\$" "$(step_log stdin)" &&
	! grep leaked-input "$(step_log stdin)"
'

# Runvars: runtime ones from steps, never over a definition.
test_expect_success 'runtime runvars set by a step are recorded, and a later step may change them' '
	new_job rtvars <<-\EOF &&
	step --testid=set ts-runvar built_revision=abc path_dist=/x
	step --testid=again ts-runvar built_revision=def
	step --testid=read ts-runvar built_revision
	EOF
	test_expect_code 0 ts-run-job "$f" J &&
	test "$(db "SELECT val, synth FROM runvars WHERE flight = $f AND job = '\''J'\''
	    AND name = '\''built_revision'\''")" = "def|1" &&
	test "$(db "SELECT val, synth FROM runvars WHERE flight = $f AND job = '\''J'\''
	    AND name = '\''path_dist'\''")" = "/x|1" &&
	grep "^def\$" "$(step_log read)"
'

test_expect_success 'a step cannot overwrite nor remove a definition runvar: step broken' '
	new_job defvars defvar=old <<-\EOF &&
	always --testid=overwrite ts-runvar defvar=new
	always --testid=remove ts-runvar "!defvar"
	always --testid=read ts-runvar defvar
	EOF
	test_expect_code 3 ts-run-job "$f" J &&
	job_is broken &&
	test "$(col "status, exit_code" overwrite)" = "broken|2" &&
	grep "^ts-runvar: runvar defvar: " "$(step_log overwrite)" &&
	test "$(col "status, exit_code" remove)" = "broken|2" &&
	test "$(db "SELECT val, synth FROM runvars WHERE flight = $f AND job = '\''J'\''
	    AND name = '\''defvar'\''")" = "old|0" &&
	grep "^old\$" "$(step_log read)"
'

# pause_on_fail: a person debugging a job makes its failing step wait.
test_expect_success 'pause_on_fail matching the testid: the failed step pauses pause_timeout' '
	new_job pause "pause_on_fail=nomatch,pz*" <<-\EOF &&
	step --testid=pz1 ts-exit 1
	EOF
	t0=$(date +%s) &&
	test_expect_code 1 ts-run-job "$f" J &&
	t1=$(date +%s) &&
	test $((t1 - t0)) -ge 2 &&
	test $((t1 - t0)) -le 6 &&
	test "$(col status pz1)" = fail &&
	grep "PAUSING" "$(step_log pz1)"
'

test_expect_success 'the log of a paused step still ends with its exit status line' '
	last_line_is_exit "$(step_log pz1)" 1
'

test_expect_success 'pause_on_fail matching the step name pauses too' '
	new_job pausename "pause_on_fail=ts-exit" <<-\EOF &&
	step --testid=zz ts-exit 1
	EOF
	t0=$(date +%s) &&
	test_expect_code 1 ts-run-job "$f" J &&
	t1=$(date +%s) &&
	test $((t1 - t0)) -ge 2 &&
	grep "PAUSING" "$(step_log zz)"
'

test_expect_success 'no pause when the glob does not match, nor for a pass or a broken step' '
	new_job nopause "pause_on_fail=pz*" <<-\EOF &&
	always --testid=other ts-exit 1
	always --testid=pzpass ts-exit 0
	always --testid=pzbroken ts-exit 3
	EOF
	test_expect_code 3 ts-run-job "$f" J &&
	steps_are "other=fail pzpass=pass pzbroken=broken" &&
	! grep PAUSING "$TLAB_LAB/logs/$f/J/"*.log
'

# --dry-run
test_expect_success 'ts-run-job --dry-run prints the steps and records nothing' '
	new_job dry <<-\EOF &&
	hosts host src_host
	step --testid=mark sh -c "echo ran >dry-ran"
	step ts-exit 1
	always ts-foo a + b
	per_host ts-meet
	EOF
	before=$(db_digest) &&
	test_expect_code 0 ts-run-job --dry-run "$f" J >out &&
	test "$(db_digest)" = "$before" &&
	job_is queued &&
	test ! -e "$TLAB_LAB/dry-ran" &&
	test ! -e "$TLAB_LAB/logs/$f" &&
	grep "testid=mark" out &&
	grep "ts-exit 1" out &&
	grep "ts-foo a + b" out &&
	grep "ts-meet.*host" out &&
	grep "ts-meet src_host" out &&
	test_line_count = 5 out
'

# The job's statuses on its way, and its build jobs.
test_expect_success 'while its recipe runs the job is running' '
	new_job running <<-\EOF &&
	step --testid=look sqlite3 -readonly "$TLAB_LAB/tlab.db" "SELECT status FROM jobs WHERE flight = $TLAB_FLIGHT AND job = '\''$TLAB_JOB'\''"
	EOF
	job_is queued &&
	test_expect_code 0 ts-run-job "$f" J &&
	grep "^running\$" "$(step_log look)" &&
	job_is pass
'

test_expect_success 'a job whose build job failed is blocked, exit 4, its recipe not run' '
	echo "step ts-exit 1" | write_recipe build &&
	echo "step --testid=test-ran true" | write_recipe test &&
	f=$(ts-flight-create --branch b) &&
	ts-job-create "$f" B build &&
	ts-job-create "$f" J test buildjob=B &&
	before=$(db_digest) &&
	code_err 2 ts-run-job "$f" J &&
	test_line_count = 1 err &&
	grep "^ts-run-job: .*J.*wait" err &&
	test "$(db_digest)" = "$before" &&
	test_expect_code 1 ts-run-job "$f" B &&
	test_expect_code 4 ts-run-job "$f" J &&
	job_is blocked &&
	steps_are "build-check=blocked"
'

# A recipe that goes wrong outside any step.
test_expect_success 'a recipe failing outside a step: job broken, exit 3, why says so' '
	new_job toplevel <<-\EOF &&
	step true
	false
	step --testid=later true
	EOF
	test_expect_code 3 ts-run-job "$f" J &&
	job_is broken &&
	steps_are "true=pass" &&
	db "SELECT why FROM jobs WHERE flight = $f AND job = '\''J'\''" >why &&
	grep "recipe failed" why
'

test_expect_success 'a recipe failing outside a step after a failed step: still broken' '
	new_job toplevel2 <<-\EOF &&
	always ts-exit 1
	false
	EOF
	test_expect_code 3 ts-run-job "$f" J &&
	job_is broken &&
	steps_are "exit/1=fail"
'

test_expect_success 'a recipe using an unset variable (set -u): job broken, exit 3' '
	new_job unset <<-\EOF &&
	step "$no_such_variable"
	EOF
	test_expect_code 3 ts-run-job "$f" J &&
	job_is broken &&
	steps_are ""
'

test_expect_success 'ts-run-job of a job that already ran: exit 2, one line, nothing changed' '
	before=$(db_digest) &&
	code_err 2 ts-run-job "$f" J &&
	test_line_count = 1 err &&
	grep "^ts-run-job: .*J" err &&
	test "$(db_digest)" = "$before"
'

test_done
