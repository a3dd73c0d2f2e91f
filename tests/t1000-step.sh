#!/bin/sh
test_description='ts-step: one step run by hand, its status, exit code, row and log'
. "${abs_top_srcdir:-$(dirname "$0")/..}/tests/lib/test-lib.sh"

require_command sqlite3

# The steps here are run as a person runs one by hand, in job H of flight
# $f while its runner holds it (its recipe waits for the file release):
# TLAB_FLIGHT=$f TLAB_JOB=H ts-step COMMAND...  Steps are recorded only
# while a runner holds the job (ts-step(1)); job Q stays queued.

# Run job H in the background; its exit code goes to runner.rc.
start_runner () {
	(ts-run-job "$f" H; echo $? >runner.rc) >runner.out 2>&1 &
}

hand () {
	TLAB_FLIGHT=$f TLAB_JOB=H ts-step "$@"
}

# col COLUMNS TESTID: those columns of job H's step TESTID, |-separated.
col () {
	db "SELECT $1 FROM steps WHERE flight = $f AND job = 'H' AND testid = '$2'"
}

# The log of job H's step TESTID, as recorded in its row.
step_log () {
	echo "$TLAB_LAB/$(col log "$1")"
}

# check_exit CODE STATUS TS-STEP-EXIT [OPTION...]: a step exiting CODE
# is STATUS, ts-step exits TS-STEP-EXIT, the row has the code and no
# signal, and ts-step's line says so.
check_exit () {
	_code=$1 _st=$2 _want=$3
	shift 3
	code_err "$_want" hand "$@" ts-exit "$_code" &&
	test "$(col "status, exit_code, signal IS NULL, timed_out, finished > 0" \
	    "exit/$_code")" = "$_st|$_code|1|0|1" &&
	grep "step [0-9]* exit/$_code: $_st (exit status $_code, " err &&
	grep "^exiting $_code\$" "$(step_log "exit/$_code")" &&
	last_line_is_exit "$(step_log "exit/$_code")" "$_code"
}

test_expect_success 'setup: a lab, a running job, a queued one and some step programs' '
	lab_init &&
	printf "abort_grace = 1\n" >>"$TLAB_LAB/tlab.conf" &&
	write_recipe hold <<-\EOF &&
	i=0
	while [ ! -e "$TLAB_LAB/release" ]; do
		i=$((i + 1))
		[ "$i" -le 1200 ] || exit 1
		sleep 0.1
	done
	EOF
	echo "step true" | write_recipe done &&
	f=$(ts-flight-create --branch b) &&
	ts-job-create "$f" H hold &&
	ts-job-create "$f" Q done &&
	ts-job-create "$f" D done &&
	test_atexit "touch \"$TLAB_LAB/release\"" &&
	start_runner &&
	wait_for 10 "test \"\$(job_status $f H)\" = running" &&
	mkdir bin &&
	printf "#!/bin/sh\necho \"exiting \$1\"\nexit \"\$1\"\n" >bin/ts-exit &&
	printf "#!/bin/sh\necho \"args: \$*\"\n" >bin/ts-foo &&
	printf "#!/bin/sh\nsleep 100 & echo \$! >\"\$1\"\nsleep 100\n" >bin/ts-bg &&
	printf "#!/bin/sh\ntrap \"\" TERM\nsleep 100 & echo \$! >\"\$1\"\nsleep 100\n" \
	    >bin/ts-stubborn &&
	chmod +x bin/* &&
	PATH=$PWD/bin:$PATH && export PATH
'

# DESIGN.md's table: exit code -> step status -> ts-step's own exit code.
test_expect_success 'exit 0 is pass, ts-step exits 0' 'check_exit 0 pass 0'
test_expect_success 'exit 1 is fail, ts-step exits 1' 'check_exit 1 fail 1'
test_expect_success 'exit 2 (bad input) is broken, ts-step exits 3' 'check_exit 2 broken 3'
test_expect_success 'exit 3 (the lab failed) is broken, ts-step exits 3' 'check_exit 3 broken 3'
test_expect_success 'exit 4 (prerequisite missing) is blocked, ts-step exits 4' \
	'check_exit 4 blocked 4'
test_expect_success 'any other non-zero exit (5) is fail, ts-step exits 1' 'check_exit 5 fail 1'

test_expect_success 'a command that is not found is broken, exit_code 127, ts-step exits 3' '
	code_err 3 hand --testid=missing no-such-command-of-tlab &&
	test "$(col "status, exit_code, signal IS NULL" missing)" = "broken|127|1" &&
	grep "no-such-command-of-tlab" "$(step_log missing)" &&
	last_line_is_exit "$(step_log missing)" 127
'

test_expect_success '--on-fail=broken makes an exit 1 broken, ts-step exits 3' '
	test_expect_code 3 hand --on-fail=broken --testid=ob1 ts-exit 1 &&
	test "$(col "status, exit_code" ob1)" = "broken|1"
'

test_expect_success '--on-fail=broken leaves a pass a pass and a blocked blocked' '
	test_expect_code 0 hand --on-fail=broken --testid=ob0 ts-exit 0 &&
	test_expect_code 4 hand --on-fail=broken --testid=ob4 ts-exit 4 &&
	test "$(col status ob0)" = pass &&
	test "$(col status ob4)" = blocked
'

test_expect_success '--on-fail=blocked makes an exit 1 blocked, ts-step exits 4' '
	test_expect_code 4 hand --on-fail=blocked --testid=obl ts-exit 1 &&
	test "$(col "status, exit_code" obl)" = "blocked|1"
'

test_expect_success 'a bad --on-fail or --timeout: exit 2, one line, nothing recorded' '
	before=$(db_digest) &&
	code_err 2 hand --on-fail=pass true &&
	test_line_count = 1 err &&
	grep "^ts-step: --on-fail: .pass." err &&
	code_err 2 hand --timeout=soon true &&
	test_line_count = 1 err &&
	grep "^ts-step: --timeout: .soon." err &&
	code_err 2 hand --timeout=0 true &&
	test_line_count = 1 err &&
	grep "^ts-step: --timeout: .0." err &&
	test "$(db_digest)" = "$before"
'

test_expect_success 'a step killed by a signal: signal in the row, NULL exit_code, fail' '
	test_expect_code 1 hand --testid=killed sh -c "kill -KILL \$\$" &&
	test "$(col "status, exit_code IS NULL, signal, timed_out" killed)" = "fail|1|9|0" &&
	last_line_is_exit "$(step_log killed)" 137
'

test_expect_success 'steps are numbered 1, 2, ... in the order they ran' '
	db "SELECT stepno FROM steps WHERE flight = $f AND job = '\''H'\'' ORDER BY stepno" >nums &&
	n=$(wc -l <nums) &&
	test "$n" -ge 10 &&
	seq 1 "$n" >expect &&
	test_cmp expect nums &&
	test "$(db "SELECT COUNT(*) FROM steps WHERE flight = $f AND job = '\''H'\''
	    AND (finished IS NULL OR finished < started)")" = 0
'

test_expect_success 'the log is logs/FLIGHT/JOB/STEPNO.NAME.log, with the output and the exit line' '
	test_expect_code 1 hand --testid=out sh -c "echo to-stdout; echo to-stderr >&2; exit 1" &&
	n=$(col stepno out) &&
	test "$(col log out)" = "logs/$f/H/$n.sh.log" &&
	log=$TLAB_LAB/logs/$f/H/$n.sh.log &&
	test -f "$log" &&
	grep "^to-stdout\$" "$log" &&
	grep "^to-stderr\$" "$log" &&
	last_line_is_exit "$log" 1
'

test_expect_success 'the log is named after the program, without its directory' '
	hand --testid=full "$PWD/bin/ts-foo" x &&
	n=$(col stepno full) &&
	test -f "$TLAB_LAB/logs/$f/H/$n.ts-foo.log" &&
	grep "^args: x\$" "$TLAB_LAB/logs/$f/H/$n.ts-foo.log"
'

# Testids: OSSTEST's rules (reference/osstest.md 4.2).
test_expect_success 'default testid: name without ts-, then /ARG for each arg before +' '
	hand ts-foo a b + c d &&
	test "$(col step foo/a/b)" = ts-foo &&
	grep "^args: a b c d\$" "$(step_log foo/a/b)"
'

test_expect_success 'the + is not passed to the command and args after it are' '
	hand ts-foo plus + "two words" &&
	grep "^args: plus two words\$" "$(step_log foo/plus)" &&
	! grep "args:.*+" "$(step_log foo/plus)"
'

test_expect_success 'default testid of a command with no ts- prefix is its name' '
	hand echo hello &&
	test "$(col step echo/hello)" = echo
'

test_expect_success '--testid=X sets it, --testid==.2 appends, --testid=* appends (STEPNO)' '
	hand --testid=mine ts-foo a &&
	test "$(col step mine)" = ts-foo &&
	hand --testid==.2 ts-foo a + z &&
	test "$(col step foo/a.2)" = ts-foo &&
	hand "--testid=*" ts-foo &&
	n=$(db "SELECT MAX(stepno) FROM steps WHERE flight = $f AND job = '\''H'\''") &&
	test "$(col stepno "foo($n)")" = "$n"
'

test_expect_success 'a testid with /@ and (*) gets the args and the step number' '
	hand "--testid=x/@/y(*)" ts-foo p + q &&
	n=$(db "SELECT MAX(stepno) FROM steps WHERE flight = $f AND job = '\''H'\''") &&
	test "$(col stepno "x/p/y($n)")" = "$n"
'

test_expect_success 'a testid used twice: exit 2, one line naming it, the first row stays' '
	hand --testid=twice ts-exit 0 &&
	first=$(col "stepno, status, exit_code, started, finished, log" twice) &&
	before=$(db_digest) &&
	code_err 2 hand --testid=twice sh -c "echo ran >ran-twice" &&
	test_line_count = 1 err &&
	grep "^ts-step: testid twice: already used by step" err &&
	test ! -e ran-twice &&
	test "$(db_digest)" = "$before" &&
	test "$(col "stepno, status, exit_code, started, finished, log" twice)" = "$first"
'

# Timeouts: the whole process group goes (OpenBSD timeout(1)).
test_expect_success 'a timed-out step is fail, timed_out=1, and its process group is killed' '
	t0=$(date +%s) &&
	code_err 1 hand --timeout=1 --testid=slow ts-bg "$PWD/bg.pid" &&
	t1=$(date +%s) &&
	test $((t1 - t0)) -le 6 &&
	test "$(col "status, timed_out, exit_code IS NULL, signal IS NOT NULL" slow)" = \
	    "fail|1|1|1" &&
	grep "timed out" err &&
	test -s bg.pid &&
	gone "$(cat bg.pid)" &&
	grep "timed out" "$(step_log slow)" &&
	last_line_is_exit "$(step_log slow)" "$((128 + $(col signal slow)))"
'

test_expect_success 'a timed-out step with --on-fail=broken is broken, ts-step exits 3' '
	test_expect_code 3 hand --timeout=1 --on-fail=broken --testid=slowb \
	    ts-bg "$PWD/bgb.pid" &&
	test "$(col "status, timed_out" slowb)" = "broken|1" &&
	gone "$(cat bgb.pid)"
'

test_expect_success 'a step that ignores SIGTERM is killed after abort_grace, with its children' '
	t0=$(date +%s) &&
	test_expect_code 1 hand --timeout=1 --testid=stubborn ts-stubborn "$PWD/st.pid" &&
	t1=$(date +%s) &&
	test $((t1 - t0)) -le 8 &&
	test "$(col "status, timed_out, signal" stubborn)" = "fail|1|9" &&
	gone "$(cat st.pid)"
'

test_expect_success 'a step that ends before its timeout is not timed out' '
	hand --timeout=5 --testid=quick sleep 0 &&
	test "$(col "status, timed_out" quick)" = "pass|0"
'

test_expect_success 'a step leaving a child behind: the child is killed when it ends' '
	hand --testid=leaver sh -c "sleep 100 & echo \$! >\"$PWD/leaver.pid\"" &&
	test "$(col status leaver)" = pass &&
	gone "$(cat leaver.pid)"
'

test_expect_success 'a step sees TLAB_LAB, TLAB_FLIGHT, TLAB_JOB and TLAB_STEP' '
	hand --testid=env sh -c "echo \"lab=\$TLAB_LAB flight=\$TLAB_FLIGHT job=\$TLAB_JOB step=\$TLAB_STEP\"" &&
	n=$(col stepno env) &&
	grep "^lab=$TLAB_LAB flight=$f job=H step=$n\$" "$(step_log env)"
'

test_expect_success 'a step reads /dev/null, not the caller'\''s stdin' '
	echo leaked-input | hand --testid=stdin sh -c "cat; echo end-of-input" &&
	grep "^end-of-input\$" "$(step_log stdin)" &&
	! grep leaked-input "$(step_log stdin)"
'

test_expect_success 'a step run by hand in a running job is recorded; the job still runs' '
	TLAB_FLIGHT=$f TLAB_JOB=H ts-step --testid=byhand true &&
	test "$(col status byhand)" = pass &&
	test "$(job_status "$f" H)" = running
'

test_expect_success 'ts-step in a queued job: exit 2, one line, nothing recorded' '
	before=$(db_digest) &&
	code_err 2 env TLAB_FLIGHT=$f TLAB_JOB=Q ts-step --testid=early true &&
	test_line_count = 1 err &&
	grep "^ts-step: .*job Q: no runner holds it" err &&
	test "$(db_digest)" = "$before" &&
	test "$(job_status "$f" Q)" = queued
'

test_expect_success 'ts-step without TLAB_FLIGHT or TLAB_JOB: exit 2, one line' '
	before=$(db_digest) &&
	code_err 2 env TLAB_JOB=H ts-step true &&
	test_line_count = 1 err &&
	grep "^ts-step: .*TLAB_FLIGHT" err &&
	code_err 2 env TLAB_FLIGHT=$f ts-step true &&
	test_line_count = 1 err &&
	grep "^ts-step: .*TLAB_JOB" err &&
	test "$(db_digest)" = "$before"
'

test_expect_success 'ts-step in a job that does not exist: exit 2, one line naming it' '
	before=$(db_digest) &&
	code_err 2 env TLAB_FLIGHT=$f TLAB_JOB=nosuch ts-step true &&
	test_line_count = 1 err &&
	grep "^ts-step: .*nosuch" err &&
	test "$(db_digest)" = "$before"
'

test_expect_success 'ts-step in a finished job: exit 2, nothing recorded' '
	ts-run-job "$f" D &&
	test "$(job_status "$f" D)" = pass &&
	before=$(db_digest) &&
	code_err 2 env TLAB_FLIGHT=$f TLAB_JOB=D ts-step --testid=late true &&
	test_line_count = 1 err &&
	grep "^ts-step: .*job D: no runner holds it" err &&
	test "$(db_digest)" = "$before"
'

test_expect_success 'the job ends with the worst of the steps run by hand in it' '
	touch "$TLAB_LAB/release" &&
	wait_for 10 "test -s runner.rc" &&
	test "$(cat runner.rc)" = 3 &&
	test "$(job_status "$f" H)" = broken
'

test_done
