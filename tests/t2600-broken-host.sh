#!/bin/sh
test_description='ts-run-job: a host that a broken job leaves dead is quarantined, not given out again'
. "${abs_top_srcdir:-$(dirname "$0")/..}/tests/lib/test-lib.sh"

require_command sqlite3 setsid
. "$abs_top_srcdir/tests/lib/lib-sshd.sh"

# The test hosts are sshds on 127.0.0.1 (tests/lib/lib-sshd.sh).  A
# recipe's step "kills its host" by killing the host's sshd (host-down):
# new connections are then refused, as they are by a machine whose
# network is gone.  Stopped (SIGSTOP), it takes connections and never
# answers, as a hung kernel does.  A power method that brings a host back is
# power-sim, which starts the host's sshd again on its port.  Each group
# of tests has hosts of its own, told apart by a pool flag its jobs ask
# for in all_hostflags.

# alloc JOB IDENT...: ts-host-allocate by hand in job JOB of flight $f,
# from this shell (its owner, which lives to the end).
alloc () {
	_j=$1
	shift
	TLAB_FLIGHT=$f TLAB_JOB=$_j ts-host-allocate "$@"
}

# release JOB
release () {
	TLAB_FLIGHT=$f TLAB_JOB=$1 ts-host-release
}

# state HOST: STATE|WHY of HOST as ts-host show --json says it.
state () {
	ts-host show "$1" --json |
	    python3 -c 'import json, sys; j = json.load(sys.stdin); print("%s|%s" % (j["state"], j["why"] or ""))'
}

# holder HOST: FLIGHT.JOB of who holds HOST now, empty when nobody.
holder () {
	db "SELECT flight || '.' || job FROM allocations WHERE host = '$1'
	    AND released_ms IS NULL"
}

# waiting JOB: job JOB of flight $f is in the queue for hosts.
waiting () {
	test "$(db "SELECT COUNT(*) FROM alloc_waiters WHERE flight = $f
	    AND job = '$1'")" = 1
}

# flight_bg: ts-flight-run $f in the background; when it ends, its exit
# code in fr.rc, its output in fr.out.
flight_bg () {
	rm -f fr.rc
	(ts-flight-run "$f" >fr.out 2>&1; echo $? >fr.rc) &
}

# steps FLIGHT JOB: testid|status of each of its steps, in order.
steps () {
	db "SELECT testid || '|' || status FROM steps WHERE flight = $1
	    AND job = '$2' ORDER BY stepno"
}

# run_job RECIPE HOST_POOL CODE: a new flight $f with job J of RECIPE,
# asking for a host of HOST_POOL; ts-run-job exits CODE; job.log in $log.
run_job () {
	f=$(ts-flight-create --branch b) &&
	ts-job-create "$f" J "$1" "all_hostflags=$2" &&
	test_expect_code "$3" ts-run-job "$f" J &&
	log=$TLAB_LAB/logs/$f/J/job.log
}

# refused HOST: the reason ts-run-job gives when HOST's sshd is gone.
refused () {
	echo "flight $f job J: ended broken and the host does not answer SSH:" \
	    "connect to 127.0.0.1 port $(cat "$(sshd_dir "$1")/port"): Connection refused"
}

down=$TRASH_DIRECTORY/host-down
cat >"$down" <<\EOF
#!/bin/sh
# host-down HOST SIGNAL CODE: the sshd of test host HOST (its directory
# beside this file, in hosts/) gets SIGNAL, for TERM then waited for
# until it is gone; and exit CODE.
pid=$(cat "$(dirname "$0")/hosts/$1/sshd.pid.keep")
kill -"$2" "$pid" || exit 2
i=0
while [ "$2" = TERM ]; do
	s=$(ps -o stat= -p "$pid") || break
	case $s in Z*) break ;; esac
	i=$((i + 1))
	[ "$i" -le 100 ] || { echo "host-down: $1: sshd $pid still there" >&2; exit 2; }
	sleep 0.1
done
exit "$3"
EOF
chmod +x "$down"

sim=$TRASH_DIRECTORY/power-sim
cat >"$sim" <<EOF
#!/bin/sh
# power-sim DIR MODE: the power of the test host whose sshd directory is
# DIR.  It counts its cycles in DIR/cycles, then, by MODE:
#   up    sshd starts again on its port (in a session of its own, made
#         before we exit: what is left of a power command's process
#         group when it exits is killed)
#   noop  nothing
#   fail  says why on stderr and exits 1
d=\$1
echo "\$2" >>"\$d/cycles"
case \$2 in
fail) echo "power-sim: the PDU says no" >&2; exit 1 ;;
noop) exit 0 ;;
esac
setsid -f sh -c '
	echo started
	exec >>"\$0/power-sim.log" 2>&1
	"$SSHD" -D -f "\$0/sshd_config" -E "\$0/sshd.log" &
	echo \$! >"\$0/sshd.pid.keep"
' "\$d" </dev/null | { read -r _; }
exit 0
EOF
chmod +x "$sim"

test_expect_success 'setup: a lab with a short host check, hosts, recipes that leave their host dead' '
	lab_init &&
	printf "host_check_timeout = 5\n" >>"$TLAB_LAB/tlab.conf" &&
	for h in b1 b2 a1 f1 p1 p2 p3 s1 r1 r2; do
		sshd_start $h &&
		host_add $h --flags "pool-$(echo $h | cut -c1)" >/dev/null || return 1
	done &&
	write_recipe break-host <<-\EOF &&
	step ts-host-allocate host + --timeout=60
	step --testid=kill-host "$TLAB_LAB/../host-down" "$(ts-runvar host)" TERM 3
	EOF
	write_recipe fail-host <<-\EOF &&
	step ts-host-allocate host + --timeout=60
	step --testid=kill-host "$TLAB_LAB/../host-down" "$(ts-runvar host)" TERM 1
	EOF
	write_recipe broken-step <<-\EOF &&
	step ts-host-allocate host + --timeout=60
	step --testid=lab-error sh -c "exit 3"
	EOF
	write_recipe freeze-host <<-\EOF &&
	step ts-host-allocate host + --timeout=60
	step --testid=freeze-host "$TLAB_LAB/../host-down" "$(ts-runvar host)" STOP 3
	EOF
	write_recipe break-r1 <<-\EOF
	step ts-host-allocate host + --timeout=60
	if [ "$(ts-runvar host)" = r1 ]; then
		step --testid=kill-host "$TLAB_LAB/../host-down" r1 TERM 3
	fi
	step --testid=works true
	EOF
'

test_expect_success 'broken, its host dead: exit 3, the host quarantined with the reason' '
	run_job break-host pool-b 3 &&
	is broken "$(job_status "$f" J)" &&
	is b1 "$(ts-runvar "$f" J host)" &&
	reason="$(refused b1) (ts-host unquarantine b1 once it is well)" &&
	is "quarantined|$reason" "$(state b1)" &&
	ts-host show b1 >out &&
	has_f "state    quarantined: $reason" out &&
	ts-host list >out &&
	awk "\$1 == \"b1\" { print \$4 }" out >actual &&
	echo quarantined >expect &&
	test_cmp expect actual &&
	has_f "($reason)" out &&
	is "" "$(holder b1)" &&
	is free "$(state b2 | cut -d"|" -f1)"
'

test_expect_success 'broken, its host dead: job.log says so; the job keeps its status and steps' '
	has "^[0-9-]* [0-9:]* Z host b1: the job ended broken: does the host answer SSH? (up to 5 s)\$" "$log" &&
	has_f "Z host b1: quarantined: $reason" "$log" &&
	tail -n 1 "$log" >last &&
	has "Z job J: broken" last &&
	printf "host-allocate/host|pass\nkill-host|broken\n" >expect &&
	steps "$f" J >actual &&
	test_cmp expect actual &&
	is broken "$(job_status "$f" J)" &&
	ts-flight-show "$f" >show &&
	has "^J .* broken" show
'

test_expect_success 'the quarantined host is not given again: the next job gets b2, then none' '
	f=$(ts-flight-create --branch b) &&
	ts-job-create "$f" N1 break-host all_hostflags=pool-b &&
	ts-job-create "$f" N2 break-host all_hostflags=pool-b &&
	test_when_finished "release N1" &&
	code_err 0 alloc N1 host >out &&
	is host=b2 "$(cat out)" &&
	code_err 3 alloc N2 --timeout 1 host >out &&
	has "^ts-host-allocate: no hosts for host (pool-b) within 1 s" err &&
	empty out
'

test_expect_success 'once it is well, ts-host unquarantine puts it back' '
	sshd_start b1 &&
	ts-host set b1 --address "$(sshd_address b1)" &&
	ts-host exec b1 -- true &&
	ts-host unquarantine b1 &&
	is "free|" "$(state b1)" &&
	f=$(ts-flight-create --branch b) &&
	ts-job-create "$f" N3 break-host all_hostflags=pool-b &&
	test_when_finished "release N3" &&
	code_err 0 alloc N3 host >out &&
	is host=b1 "$(cat out)"
'

test_expect_success 'broken, its host still answers: given back free, as before' '
	n=$(grep -c "Accepted publickey" "$(sshd_dir a1)/sshd.log") &&
	run_job broken-step pool-a 3 &&
	is broken "$(job_status "$f" J)" &&
	is "free|" "$(state a1)" &&
	is "" "$(holder a1)" &&
	has "Z host a1: the job ended broken: does the host answer SSH?" "$log" &&
	has "Z host a1: answers SSH: given back free\$" "$log" &&
	test "$(grep -c "Accepted publickey" "$(sshd_dir a1)/sshd.log")" -gt "$n" &&
	tail -n 1 "$log" >last &&
	has "Z job J: broken" last
'

test_expect_success 'failed, its host dead: exit 1, given back free unchecked (a fail is the test'\''s)' '
	run_job fail-host pool-f 1 &&
	is fail "$(job_status "$f" J)" &&
	is "free|" "$(state f1)" &&
	is "" "$(holder f1)" &&
	! grep "host f1:" "$log" &&
	tail -n 1 "$log" >last &&
	has "Z job J: fail" last
'

test_expect_success 'a power method that brings it back: one cycle, then given back free' '
	ts-host set p1 --prop "power=cmd:$sim $(sshd_dir p1) up" &&
	run_job break-host pool-p 3 &&
	is broken "$(job_status "$f" J)" &&
	is "free|" "$(state p1)" &&
	is up "$(cat "$(sshd_dir p1)/cycles")" &&
	has "Z host p1: does not answer SSH (connect to 127.0.0.1 port [0-9]*: Connection refused): power-cycling it, then waiting up to 5 s\$" "$log" &&
	has "Z host p1: power cmd: .*power-sim .* up: exit status 0\$" "$log" &&
	has "Z host p1: answers SSH after its power cycle: given back free\$" "$log" &&
	ts-host exec p1 -- true
'

test_expect_success 'a power cycle that does not bring it back: quarantined, the reason says so' '
	ts-host set p2 --prop "power=cmd:$sim $(sshd_dir p2) noop" &&
	t0=$(date +%s) &&
	run_job break-host pool-p 3 &&
	t=$(($(date +%s) - t0)) &&
	echo "took $t s" &&
	test "$t" -ge 5 && test "$t" -lt 30 &&
	is p2 "$(ts-runvar "$f" J host)" &&
	is noop "$(cat "$(sshd_dir p2)/cycles")" &&
	state p2 >actual &&
	has "^quarantined|$(refused p2); power-cycled, no answer after [0-9]* s; the last look: connect to 127.0.0.1 port [0-9]*: Connection refused (ts-host unquarantine p2 once it is well)\$" actual &&
	has_f "Z host p2: quarantined: $(refused p2); power-cycled, no answer after" "$log"
'

test_expect_success 'a power cycle that fails: quarantined, the reason names the failure' '
	ts-host set p3 --prop "power=cmd:$sim $(sshd_dir p3) fail" &&
	run_job break-host pool-p 3 &&
	is p3 "$(ts-runvar "$f" J host)" &&
	state p3 >actual &&
	has_f "quarantined|$(refused p3); its power cycle failed: power cmd: $sim $(sshd_dir p3) fail: exit status 1 (ts-host unquarantine p3 once it is well)" actual
'

test_expect_success 'a host that takes connections but never answers: given up after host_check_timeout' '
	test_atexit "kill -CONT \$(cat \"$(sshd_dir s1)/sshd.pid.keep\")" &&
	t0=$(date +%s) &&
	run_job freeze-host pool-s 3 &&
	t=$(($(date +%s) - t0)) &&
	echo "took $t s" &&
	test "$t" -ge 5 && test "$t" -lt 30 &&
	state s1 >actual &&
	has "^quarantined|flight $f job J: ended broken and the host does not answer SSH: ssh to $(sshd_address s1): no answer after [45] s (ts-host unquarantine s1 once it is well)\$" actual
'

# r2 is held by hand while the flight runs: the run again of the job that
# broke r1 cannot have r2, and a host it avoids (hosts_avoid) would be
# taken rather than none; r1, quarantined, is not: it waits for r2.
test_expect_success 'in a flight: the run again of the broken job waits for another host, never the quarantined one' '
	fh=$(ts-flight-create --branch b) &&
	ts-job-create "$fh" HOLD broken-step host=r2 &&
	TLAB_FLIGHT=$fh TLAB_JOB=HOLD ts-host-allocate host >out &&
	is host=r2 "$(cat out)" &&
	test_when_finished "TLAB_FLIGHT=$fh TLAB_JOB=HOLD ts-host-release" &&
	f=$(ts-flight-create --branch b) &&
	ts-job-create "$f" J break-r1 all_hostflags=pool-r &&
	flight_bg &&
	wait_for 60 "waiting J" &&
	is broken "$(job_status "$f" "J~1")" &&
	is "quarantined" "$(state r1 | cut -d"|" -f1)" &&
	is "" "$(holder r1)" &&
	TLAB_FLIGHT=$fh TLAB_JOB=HOLD ts-host-release &&
	wait_for 60 "test -s fr.rc" &&
	is 0 "$(cat fr.rc)" &&
	is pass "$(job_status "$f" J)" &&
	is r1 "$(ts-runvar "$f" "J~1" host)" &&
	is r2 "$(ts-runvar "$f" J host)" &&
	is r2 "$(db "SELECT group_concat(host) FROM allocations
	    WHERE flight = $f AND job = '\''J'\''")" &&
	state r1 >actual &&
	has_f "quarantined|$(refused r1) (ts-host unquarantine r1 once it is well)" actual &&
	has_f "Z host r1: quarantined: " "$TLAB_LAB/logs/$f/J~1/job.log"
'

test_done
