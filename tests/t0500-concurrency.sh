#!/bin/sh
test_description='many processes writing one flight at once: no step lost, no lock error'
. "${abs_top_srcdir:-$(dirname "$0")/..}/tests/lib/test-lib.sh"

require_command sqlite3

# 16 writers, 1000 steps in all: writer K records steps K+1, K+17, ...
# (62 or 63 of them) as the steps of its own job jK, one ts-step each.
NPROC=16
NSTEPS=1000
# Runtime runvars: 16 writers setting 50 each on one job.
NVARS=50
# How long all the writers of one block may take, in seconds: a bound
# against a hang, far above the few seconds each block takes on an idle
# 2-core machine.
BOUND=300

# Writer K's N-th step runs one of four commands in turn, starting at
# K, so that every job has every outcome and a status written to the wrong
# row shows.  step_want K N: the "STATUS EXIT" it must come to.
step_want () {
	case $((($1 + $2) % 4)) in
	0) echo 'pass 0' ;;
	1) echo 'fail 1' ;;
	2) echo 'broken 3' ;;
	3) echo 'blocked 4' ;;
	esac
}

# step_writer K: writer K's steps s(K+1), s(K+17), ... as steps of job jK,
# its stderr in stderr.K and each exit code in rc.K as "job|testid|code".
step_writer () {
	_k=$1
	_i=$((_k + 1))
	_n=1
	while [ "$_i" -le "$NSTEPS" ]; do
		case $(((_k + _n) % 4)) in
		0) set -- true ;;
		1) set -- false ;;
		2) set -- sh -c 'exit 3' ;;
		3) set -- sh -c 'exit 4' ;;
		esac
		_rc=0
		TLAB_FLIGHT=$flight TLAB_JOB=j$_k ts-step --testid="s$_i" "$@" \
		    2>>"stderr.$_k" || _rc=$?
		echo "j$_k|s$_i|$_rc" >>"rc.$_k"
		_i=$((_i + NPROC))
		_n=$((_n + 1))
	done
}

# make_jobs RECIPE: jobs j0..j15 in $flight.
make_jobs () {
	_k=0
	while [ "$_k" -lt "$NPROC" ]; do
		ts-job-create "$flight" "j$_k" "$1" || return 1
		_k=$((_k + 1))
	done
}

# start_runners: a ts-run-job for each job, its output in runner.K.out and
# its exit code in runner.K.rc.  Steps are recorded only while a runner
# holds the job; the recipe hold waits for the file release.
start_runners () {
	_k=0
	while [ "$_k" -lt "$NPROC" ]; do
		(ts-run-job "$flight" "j$_k" >"runner.$_k.out" 2>&1
		 echo $? >"runner.$_k.rc") &
		_k=$((_k + 1))
	done
}

# jobs_in STATUS: how many of the flight's jobs are STATUS.
jobs_in () {
	db "SELECT count(*) FROM jobs WHERE flight = $flight AND status = '$1'"
}

# expect_steps: expect-steps (job|testid|status), expect-rc
# (job|testid|exit) and expect-stepno (job|stepno|testid), sorted.
expect_steps () {
	: >expect-steps && : >expect-rc && : >expect-stepno || return 1
	_k=0
	while [ "$_k" -lt "$NPROC" ]; do
		_i=$((_k + 1))
		_n=1
		while [ "$_i" -le "$NSTEPS" ]; do
			_want=$(step_want "$_k" "$_n")
			echo "j$_k|s$_i|${_want% *}" >>expect-steps
			echo "j$_k|s$_i|${_want#* }" >>expect-rc
			echo "j$_k|$_n|s$_i" >>expect-stepno
			_i=$((_i + NPROC))
			_n=$((_n + 1))
		done
		_k=$((_k + 1))
	done
	sort -o expect-steps expect-steps &&
	sort -o expect-rc expect-rc &&
	sort -o expect-stepno expect-stepno
}

# expect_runvars: the NPROC * NVARS runvars the writers set, sorted.
expect_runvars () {
	_k=0
	while [ "$_k" -lt "$NPROC" ]; do
		_n=1
		while [ "$_n" -le "$NVARS" ]; do
			echo "w${_k}_$_n=v$_k.$_n"
			_n=$((_n + 1))
		done
		_k=$((_k + 1))
	done | sort
}

# A step still running, or ended without its end recorded.
unended="(status NOT IN ('pass', 'fail', 'broken', 'blocked')
    OR finished IS NULL OR exit_code IS NULL)"

# steps COLUMNS [WHERE]: the flight's steps as sorted "a|b|c" lines.
steps () {
	db "SELECT $1 FROM steps WHERE flight = $flight ${2:+AND $2}" | sort
}

# runvar_writer K: NVARS runtime runvars wK_N=vK.N on job j0, set while
# its runner holds it, as a step sets them.
runvar_writer () {
	_n=1
	while [ "$_n" -le "$NVARS" ]; do
		_rc=0
		TLAB_FLIGHT=$flight TLAB_JOB=j0 ts-runvar "w$1_$_n=v$1.$_n" \
		    2>>"stderr.$1" || _rc=$?
		echo "w$1_$_n|$_rc" >>"rc.$1"
		_n=$((_n + 1))
	done
}

# run_writers FUNCTION: NPROC copies of FUNCTION K at once, each leaving
# done.K when it ends; all must end within BOUND seconds.
run_writers () {
	rm -f done.* rc.* stderr.*
	_pids=
	_k=0
	while [ "$_k" -lt "$NPROC" ]; do
		("$1" "$_k"; : >"done.$_k") &
		_pids="$_pids $!"
		_k=$((_k + 1))
	done
	_until=$(($(date +%s) + BOUND))
	while [ "$(ls done.* 2>/dev/null | wc -l)" -lt "$NPROC" ]; do
		if [ "$(date +%s)" -ge "$_until" ]; then
			echo "run_writers: $1: $(ls done.* 2>/dev/null | wc -l)" \
			    "of $NPROC writers ended within $BOUND s" >&2
			kill $_pids 2>/dev/null
			return 1
		fi
		sleep 0.2
	done
	wait $_pids
}

# no_lock_errors: the writers' stderr says nothing of locks ("database is
# locked", SQLITE_BUSY; as a word, not the "blocked" of a step's status)
# and has no error line (`ts-step: thing: reason`): only ts-step's reports.
no_lock_errors () {
	cat stderr.* >stderr
	if grep -i -w -e locked -e busy -e sqlite_busy stderr; then
		echo "a lock error reached the user (above)" >&2
		return 1
	fi
	if grep "^ts-[a-z-]*:" stderr; then
		echo "an error reached the user (above)" >&2
		return 1
	fi
}

test_expect_success 'a lab, one flight, 16 jobs, each held running by its runner' '
	lab_init &&
	write_recipe hold <<-\EOF &&
	i=0
	while [ ! -e "$TLAB_LAB/release" ]; do
		i=$((i + 1))
		[ "$i" -le 1200 ] || exit 1
		sleep 0.5
	done
	EOF
	flight=$(ts-flight-create --branch concurrency) &&
	make_jobs hold &&
	test_atexit "touch \"$TLAB_LAB/release\"" &&
	start_runners &&
	wait_for 60 "test \"\$(jobs_in running)\" = $NPROC"
'
# Without its lab nothing below can tell anything.
test "$test_failed" = 0 || test_done

test_expect_success 'the expected outcome of every step' '
	expect_steps &&
	test_line_count = $NSTEPS expect-steps
'

took=
test_expect_success "$NPROC processes record $NSTEPS steps at once" '
	start=$(date +%s) &&
	run_writers step_writer &&
	took=$(($(date +%s) - start))
'
say "$NSTEPS steps by $NPROC writers: ${took:-?} s"

test_expect_success "the steps table has exactly $NSTEPS rows" '
	test "$(db "SELECT count(*) FROM steps")" = $NSTEPS &&
	steps "job, testid" >actual &&
	test_line_count = $NSTEPS actual
'

test_expect_success 'each job numbers its steps 1..n in the order they ran' '
	steps "job, stepno, testid" >actual &&
	test_cmp expect-stepno actual
'

test_expect_success 'every step has the status of its exit' '
	steps "job, testid, status" >actual &&
	test_cmp expect-steps actual
'

test_expect_success 'no step is left running, every step has ended' '
	steps "job, testid, status, finished, exit_code" "$unended" >actual &&
	test_line_count = 0 actual
'

test_expect_success 'ts-step exited 0, 1, 3 or 4 as its step did' '
	cat rc.* | sort >actual &&
	test_cmp expect-rc actual
'

test_expect_success 'no "database is locked" reached the user' '
	no_lock_errors
'

took=
test_expect_success "$NPROC processes set $NVARS runtime runvars each on one job at once" '
	start=$(date +%s) &&
	run_writers runvar_writer &&
	took=$(($(date +%s) - start))
'
say "$((NPROC * NVARS)) runvars by $NPROC writers: ${took:-?} s"

test_expect_success "all $((NPROC * NVARS)) runvars are there with their values" '
	expect_runvars >expect &&
	test_line_count = $((NPROC * NVARS)) expect &&
	ts-runvar $flight j0 | grep "^w" | sort >actual &&
	test_cmp expect actual &&
	ts-runvar --json $flight j0 >json &&
	test "$(grep -o "\"definition\": *false" json | wc -l)" = $((NPROC * NVARS))
'

test_expect_success 'every ts-runvar exited 0, none printed a lock error' '
	test "$(cat rc.* | grep -c "|0$")" = $((NPROC * NVARS)) &&
	no_lock_errors &&
	test_line_count = 0 stderr
'

test_expect_success 'released, every runner ends; each job is broken, its worst step' '
	touch "$TLAB_LAB/release" &&
	wait_for 60 "test \"\$(ls runner.*.rc | wc -l)\" = $NPROC" &&
	wait &&
	test "$(jobs_in broken)" = $NPROC &&
	cat runner.*.out >runners.out &&
	! grep -i -w -e locked -e busy -e sqlite_busy runners.out
'

test_done
