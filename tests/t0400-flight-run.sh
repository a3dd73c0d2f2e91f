#!/bin/sh
test_description='ts-flight-run and ts-run-job: order, blocking, parallel jobs, aborts, dead runners'
. "${abs_top_srcdir:-$(dirname "$0")/..}/tests/lib/test-lib.sh"

T=$PWD

# blessing FLIGHT
blessing () {
	db "SELECT blessing FROM flights WHERE flight = $1"
}

# why FLIGHT JOB: the line a job's status came with.
why () {
	db "SELECT why FROM jobs WHERE flight = $1 AND job = '$2'"
}

# run_bg NAME COMMAND...: start COMMAND in the background, its output in
# NAME.out and NAME.err, its pid in NAME.pid at once and its exit status in
# NAME.rc when it ends.  The command is stopped when the test file ends.
run_bg () {
	_name=$1
	shift
	rm -f "$_name.pid" "$_name.rc"
	(
		"$@" >"$_name.out" 2>"$_name.err" &
		echo $! >"$_name.pid.tmp"
		mv "$_name.pid.tmp" "$_name.pid"
		wait $!
		echo $? >"$_name.rc"
	) &
	wait_for 10 "test -s $_name.pid" &&
	test_atexit "[ -e '$T/$_name.pid' ] && ! [ -s '$T/$_name.rc' ] &&
	    kill -9 $(cat "$_name.pid")"
}

# stop_sleep PIDFILE...: SIGKILL the sleep each file names, if still there.
stop_sleep () {
	for _f in "$@"; do
		[ -s "$_f" ] || continue
		_pid=$(cat "$_f")
		[ "$(cat "/proc/$_pid/comm" 2>/dev/null)" = sleep ] &&
		kill -9 "$_pid"
	done
	return 0
}

# alive PIDFILE: the process it names exists (and is not a zombie).
alive () {
	_pid=$(cat "$1") &&
	kill -0 "$_pid" 2>/dev/null &&
	! grep -q "^State:[[:space:]]*Z" "/proc/$_pid/status" 2>/dev/null
}

test_expect_success 'setup: a lab with abort_grace 2, helper scripts, recipes' '
	lab_init &&
	echo "abort_grace = 2" >>"$TLAB_LAB/tlab.conf" &&

	# meet.sh MINE OTHER TENTHS: make MINE, then wait for OTHER at most
	# TENTHS tenths of a second; fail if it never came.
	cat >meet.sh <<-\EOF &&
	: >"$1"
	i=0
	while [ ! -e "$2" ]; do
		i=$((i + 1))
		if [ "$i" -gt "$3" ]; then
			echo "$2 did not appear" >&2
			exit 1
		fi
		sleep 0.1
	done
	EOF
	# mark.sh FILE SECONDS: sleep, then make FILE.
	cat >mark.sh <<-\EOF &&
	sleep "$2"
	: >"$1"
	EOF
	# sleeper.sh PIDFILE [SECONDS]: a long step whose pid is known.
	cat >sleeper.sh <<-\EOF &&
	echo $$ >"$1"
	exec sleep "${2:-100}"
	EOF

	write_recipe pass <<-\EOF &&
	step true
	EOF
	write_recipe fail <<-\EOF &&
	step true
	step false
	step --testid=never true
	EOF
	write_recipe build <<-EOF &&
	step --testid=build sh "$T/mark.sh" "$T/built" 1
	EOF
	write_recipe test-after-build <<-EOF &&
	step --testid=check test -e "$T/built"
	EOF
	write_recipe build-fail <<-\EOF &&
	step --testid=build false
	EOF
	write_recipe test-blocked <<-EOF &&
	step --testid=touch touch "$T/ran-blocked"
	EOF
	write_recipe meet1 <<-EOF &&
	step --testid=meet sh "$T/meet.sh" "$T/p1" "$T/p2" 100
	EOF
	write_recipe meet2 <<-EOF &&
	step --testid=meet sh "$T/meet.sh" "$T/p2" "$T/p1" 100
	EOF
	write_recipe serial1 <<-EOF &&
	step --testid=meet sh "$T/meet.sh" "$T/q1" "$T/q2" 20
	EOF
	write_recipe serial2 <<-EOF &&
	step --testid=meet sh "$T/meet.sh" "$T/q2" "$T/q1" 20
	EOF
	write_recipe cycle <<-EOF &&
	step --testid=touch touch "$T/ran-cycle-\$TLAB_JOB"
	EOF
	for n in 1 2 3; do
		write_recipe sleeper$n <<-EOF
		step --testid=sleep sh "$T/sleeper.sh" "$T/sleep$n.pid"
		step --testid=after touch "$T/after$n"
		EOF
	done &&
	write_recipe short <<-EOF &&
	step --testid=short sh "$T/sleeper.sh" "$T/sleep4.pid" 3
	step --testid=after touch "$T/after4"
	EOF
	test -f "$TLAB_LAB/recipes/sleeper1.sh" &&
	test -f "$TLAB_LAB/recipes/sleeper3.sh"
'
test_atexit "stop_sleep '$T'/sleep1.pid '$T'/sleep2.pid '$T'/sleep3.pid '$T'/sleep4.pid"

# --- running a flight -------------------------------------------------------

test_expect_success 'ts-flight-run runs every job and blesses the flight as intended' '
	f=$(ts-flight-create --branch b --intended real) &&
	ts-job-create $f good pass &&
	ts-job-create $f bad fail &&
	test "$(blessing $f)" = constructing &&
	timeout 60 ts-flight-run $f &&
	test "$(job_status $f good)" = pass &&
	test "$(job_status $f bad)" = fail &&
	test "$(step_status $f good true)" = pass &&
	test "$(step_status $f bad true)" = pass &&
	test "$(step_status $f bad false)" = fail &&
	test -z "$(step_status $f bad never)" &&
	test "$(blessing $f)" = real &&
	test "$(db "SELECT started IS NOT NULL AND finished IS NOT NULL
	    AND started <= finished FROM flights WHERE flight = $f")" = 1 &&
	test "$(db "SELECT count(*) FROM jobs WHERE flight = $f
	    AND started IS NOT NULL AND finished IS NOT NULL")" = 2
'

test_expect_success 'ts-flight-run --blessing gives the flight another blessing' '
	g=$(ts-flight-create --branch b --intended real) &&
	ts-job-create $g good pass &&
	timeout 60 ts-flight-run --blessing adhoc $g &&
	test "$(job_status $g good)" = pass &&
	test "$(blessing $g)" = adhoc
'

test_expect_success 'ts-flight-run on a flight already blessed: exit 2, nothing changed' '
	before=$(db_digest) &&
	test_expect_code 2 timeout 60 ts-flight-run $f 2>err &&
	test_line_count = 1 err &&
	grep "^ts-flight-run: .*flight $f" err &&
	test "$(db_digest)" = "$before"
'

test_expect_success 'jobs with buildjob=B (or xenbuildjob=B) wait for B to pass' '
	rm -f built &&
	d=$(ts-flight-create --branch b) &&
	ts-job-create $d build-amd64 build &&
	ts-job-create --priority -10 $d test-1 test-after-build buildjob=build-amd64 &&
	ts-job-create --priority -10 $d test-2 test-after-build xenbuildjob=build-amd64 &&
	timeout 60 ts-flight-run -j 4 $d &&
	test "$(job_status $d build-amd64)" = pass &&
	test "$(job_status $d test-1)" = pass &&
	test "$(job_status $d test-2)" = pass &&
	test "$(step_status $d test-1 check)" = pass &&
	test "$(step_status $d test-2 check)" = pass &&
	built_at=$(db "SELECT finished FROM steps WHERE flight = $d
	    AND job = '\''build-amd64'\'' AND testid = '\''build'\''") &&
	first_test=$(db "SELECT min(started) FROM steps WHERE flight = $d
	    AND job LIKE '\''test-%'\''") &&
	test -n "$built_at" && test -n "$first_test" &&
	test "$first_test" -ge "$built_at"
'

test_expect_success 'a job whose build job did not pass is blocked, its recipe never run' '
	rm -f ran-blocked &&
	e=$(ts-flight-create --branch b) &&
	ts-job-create $e build-amd64 build-fail &&
	ts-job-create $e test-1 test-blocked buildjob=build-amd64 &&
	timeout 60 ts-flight-run $e &&
	test "$(job_status $e build-amd64)" = fail &&
	test "$(job_status $e test-1)" = blocked &&
	test ! -e ran-blocked &&
	test "$(step_status $e test-1 build-check)" = blocked &&
	test "$(db "SELECT count(*) FROM steps WHERE flight = $e
	    AND job = '\''test-1'\''")" = 1 &&
	why $e test-1 | grep build-amd64 &&
	test "$(blessing $e)" = play
'

test_expect_success 'ts-run-job by hand: exit 2 while the build job waits, then 1, then 4' '
	rm -f ran-blocked &&
	h=$(ts-flight-create --branch b) &&
	ts-job-create $h build-amd64 build-fail &&
	ts-job-create $h test-1 test-blocked buildjob=build-amd64 &&
	before=$(db_digest) &&
	test_expect_code 2 timeout 60 ts-run-job $h test-1 2>err &&
	test_line_count = 1 err &&
	grep "^ts-run-job: .*test-1" err &&
	test "$(db_digest)" = "$before" &&
	test "$(job_status $h test-1)" = queued &&
	test_expect_code 1 timeout 60 ts-run-job $h build-amd64 2>err &&
	test "$(job_status $h build-amd64)" = fail &&
	test_expect_code 4 timeout 60 ts-run-job $h test-1 2>err &&
	test "$(job_status $h test-1)" = blocked &&
	test ! -e ran-blocked
'

test_expect_success 'ts-run-job on a job that is not queued: exit 2, nothing changed' '
	ok=t &&
	for fj in $f:good $f:bad $e:test-1 $h:build-amd64; do
		fl=${fj%%:*} jb=${fj#*:}
		before=$(db_digest)
		test_expect_code 2 timeout 60 ts-run-job $fl $jb 2>err || ok=
		test_line_count = 1 err || ok=
		grep "^ts-run-job: .*$jb" err || ok=
		test "$(db_digest)" = "$before" || ok=
	done
	test -n "$ok"
'

# --- jobs at once ------------------------------------------------------------

test_expect_success '-j 2 runs two independent jobs at once' '
	rm -f p1 p2 &&
	k=$(ts-flight-create --branch b) &&
	ts-job-create $k meet-1 meet1 &&
	ts-job-create $k meet-2 meet2 &&
	timeout 60 ts-flight-run -j 2 $k &&
	test "$(step_status $k meet-1 meet)" = pass &&
	test "$(step_status $k meet-2 meet)" = pass &&
	test "$(job_status $k meet-1)" = pass &&
	test "$(job_status $k meet-2)" = pass
'

test_expect_success '-j 1 runs one job at a time' '
	rm -f q1 q2 &&
	m=$(ts-flight-create --branch b) &&
	ts-job-create $m serial-1 serial1 &&
	ts-job-create $m serial-2 serial2 &&
	timeout 60 ts-flight-run -j 1 $m &&
	test "$(db "SELECT count(*) FROM jobs WHERE flight = $m
	    AND status = '\''pass'\''")" = 1 &&
	test "$(db "SELECT count(*) FROM jobs WHERE flight = $m
	    AND status = '\''fail'\''")" = 1
'

test_expect_success 'a dependency cycle ends with both jobs broken, not a hang' '
	rm -f ran-cycle-* &&
	c=$(ts-flight-create --branch b) &&
	ts-job-create $c a cycle xbuildjob=b &&
	ts-job-create $c b cycle xbuildjob=a &&
	ts-job-create $c c cycle buildjob=a &&
	rc=0 &&
	timeout 60 ts-flight-run $c 2>err || rc=$? &&
	test "$rc" != 124 &&
	test "$(job_status $c a)" = broken &&
	test "$(job_status $c b)" = broken &&
	why $c a | grep cycle &&
	why $c b | grep cycle &&
	test -z "$(ls ran-cycle-* 2>/dev/null)" &&
	test "$(blessing $c)" = play
'

test_expect_success 'the why of a job in a cycle names the job it waits for' '
	why $c a >why.a && why $c b >why.b &&
	cat why.a why.b &&
	grep -w b why.a &&
	grep -w a why.b
'

test_expect_success 'a job whose build job is in a cycle is blocked, its recipe not run' '
	echo "job c: $(job_status $c c): $(why $c c)" &&
	test "$(job_status $c c)" = blocked &&
	test "$(step_status $c c build-check)" = blocked &&
	test ! -e ran-cycle-c
'

# --- stopping and dying -------------------------------------------------------

test_expect_success 'SIGTERM to ts-flight-run aborts its jobs and leaves the flight unblessed' '
	rm -f sleep1.pid after1 &&
	s=$(ts-flight-create --branch b --intended real) &&
	ts-job-create $s slow sleeper1 &&
	run_bg fr ts-flight-run $s &&
	wait_for 20 "test \"\$(step_status $s slow sleep)\" = running && test -s sleep1.pid" &&
	alive sleep1.pid &&
	kill -TERM "$(cat fr.pid)" &&
	wait_for 20 "test -s fr.rc" &&
	rc=$(cat fr.rc) &&
	test "$rc" != 0 && test "$rc" -lt 126 &&
	test "$(job_status $s slow)" = aborted &&
	test "$(step_status $s slow sleep)" = aborted &&
	test -z "$(step_status $s slow after)" &&
	test ! -e after1 &&
	wait_for 10 "! alive sleep1.pid" &&
	test "$(blessing $s)" = running &&
	test "$(db "SELECT finished IS NULL FROM flights WHERE flight = $s")" = 1
'

test_expect_success 'kill -9 of ts-run-job: the next ts-flight-show finds the job broken' '
	rm -f sleep2.pid after2 &&
	v=$(ts-flight-create --branch b) &&
	ts-job-create $v victim sleeper2 &&
	run_bg rj ts-run-job $v victim &&
	wait_for 20 "test \"\$(step_status $v victim sleep)\" = running && test -s sleep2.pid" &&
	test "$(job_status $v victim)" = running &&
	kill -9 "$(cat rj.pid)" &&
	wait_for 20 "test -s rj.rc" &&
	test "$(cat rj.rc)" = 137 &&
	ts-flight-show $v >show &&
	grep "^victim .*broken" show &&
	! grep -v "^flight " show | grep -w running &&
	test "$(job_status $v victim)" = broken &&
	test "$(step_status $v victim sleep)" != running &&
	why $v victim | grep runner &&
	test ! -e after2
'

test_expect_success 'a killed ts-run-job leaves no step process behind' '
	test_when_finished "stop_sleep sleep2.pid" &&
	test -s sleep2.pid &&
	wait_for 15 "! alive sleep2.pid"
'

test_expect_success 'kill -9 of ts-run-job: the next ts-flight-run finds the job broken' '
	rm -f sleep3.pid after3 &&
	w=$(ts-flight-create --branch b) &&
	ts-job-create $w victim sleeper3 &&
	ts-job-create $w other pass &&
	test_when_finished "stop_sleep sleep3.pid" &&
	run_bg rj2 ts-run-job $w victim &&
	wait_for 20 "test \"\$(step_status $w victim sleep)\" = running && test -s sleep3.pid" &&
	kill -9 "$(cat rj2.pid)" &&
	wait_for 20 "test -s rj2.rc" &&
	timeout 60 ts-flight-run $w &&
	test "$(job_status $w victim)" = broken &&
	test "$(step_status $w victim sleep)" != running &&
	why $w victim | grep runner &&
	test "$(job_status $w other)" = pass &&
	test "$(blessing $w)" = play &&
	test ! -e after3
'

test_expect_success 'a step that outlives its killed runner does not rewrite the broken job' '
	rm -f sleep4.pid after4 &&
	test_when_finished "stop_sleep sleep4.pid" &&
	o=$(ts-flight-create --branch b) &&
	ts-job-create $o victim short &&
	run_bg rj3 ts-run-job $o victim &&
	wait_for 20 "test \"\$(step_status $o victim short)\" = running && test -s sleep4.pid" &&
	db "SELECT pid FROM steps WHERE flight = $o AND job = '\''victim'\''" >step.pid &&
	test -s step.pid &&
	kill -9 "$(cat rj3.pid)" &&
	wait_for 20 "test -s rj3.rc" &&
	ts-flight-show $o >show &&
	test "$(job_status $o victim)" = broken &&
	before=$(step_status $o victim short) &&
	test "$before" != running &&
	wait_for 15 "! alive sleep4.pid && ! alive step.pid" &&
	echo "step: $before, then $(step_status $o victim short)" &&
	test "$(step_status $o victim short)" = "$before" &&
	test "$(job_status $o victim)" = broken &&
	why $o victim | grep runner &&
	test ! -e after4
'

# --- ts-flight-show ----------------------------------------------------------

test_expect_success 'ts-flight-show FLIGHT shows the jobs and steps with statuses' '
	ts-flight-show $f >out &&
	grep "^flight $f .*blessing real" out &&
	grep "^good .*pass" out &&
	grep "^bad .*fail" out &&
	grep "^ *[0-9][0-9]*  *false  *fail" out
'

test_expect_success 'ts-flight-show --json parses, with jobs and steps and statuses' '
	ts-flight-show --json $f >out &&
	python3 -c "
import json, sys
d = json.load(sys.stdin)
assert d[\"flight\"] == $f and d[\"blessing\"] == \"real\", d
jobs = dict((j[\"job\"], j) for j in d[\"jobs\"])
assert sorted(jobs) == [\"bad\", \"good\"], jobs
assert jobs[\"good\"][\"status\"] == \"pass\", jobs
assert jobs[\"bad\"][\"status\"] == \"fail\", jobs
steps = dict((s[\"testid\"], s[\"status\"]) for s in jobs[\"bad\"][\"steps\"])
assert steps == {\"true\": \"pass\", \"false\": \"fail\"}, steps
assert [s[\"status\"] for s in jobs[\"good\"][\"steps\"]] == [\"pass\"], jobs
" <out
'

test_expect_success 'ts-flight-show --json of an aborted flight shows the aborted step' '
	ts-flight-show --json $s >out &&
	python3 -c "
import json, sys
d = json.load(sys.stdin)
assert d[\"blessing\"] == \"running\", d
j = d[\"jobs\"][0]
assert j[\"job\"] == \"slow\" and j[\"status\"] == \"aborted\", j
assert [s[\"status\"] for s in j[\"steps\"]] == [\"aborted\"], j
" <out
'

test_expect_success 'ts-flight-show with no argument lists the flights' '
	ts-flight-show >out &&
	ok=t &&
	for fl in $f $g $d $e $h $k $m $c $s $v $w $o; do
		grep "^ *$fl " out || { echo "flight $fl not listed" >&2; ok=; }
	done &&
	test -n "$ok" &&
	ts-flight-show --json >out &&
	python3 -c "
import json, sys
d = json.load(sys.stdin)
ids = [x[\"flight\"] for x in d]
for fl in \"$f $g $d $e $h $k $m $c $s $v $w $o\".split():
    assert int(fl) in ids, (fl, ids)
assert ids == sorted(ids, reverse=True), ids
" <out
'

test_done
