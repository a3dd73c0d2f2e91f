#!/bin/sh
test_description='ts-host-allocate, ts-host-release: flags, equiv classes, waiting, the queue, dead owners'
. "${abs_top_srcdir:-$(dirname "$0")/..}/tests/lib/test-lib.sh"

require_command sqlite3

# The hosts need no SSH: they are added with --no-connect and never
# reached.  Each group of tests has hosts of its own, told apart by a pool
# flag (pool-f, pool-e, ...) that its jobs ask for in all_hostflags, so
# that what one group holds never changes what another is given.
#
# Allocations by hand belong to the process that ran ts-host-allocate:
# here, mostly the shell running this file, which lives to the end; each
# test gives back what it took.  Never inside $(...): that subshell would
# be the owner, gone at once.

# alloc JOB IDENT...: ts-host-allocate by hand in job JOB of flight $f,
# from this shell (its owner).
alloc () {
	_j=$1
	shift
	TLAB_FLIGHT=$f TLAB_JOB=$_j ts-host-allocate "$@"
}

# release JOB [IDENT...]
release () {
	_j=$1
	shift
	TLAB_FLIGHT=$f TLAB_JOB=$_j ts-host-release "$@"
}

# add_host NAME N FLAGS: a host at root@10.9.9.N with those flags.
add_host () {
	ts-host add "$1" --address "root@10.9.9.$2" --arch amd64 --flags "$3" \
	    --no-connect --host-key "$hostkey" >/dev/null
}

# held JOB: IDENT=HOST of what job JOB of flight $f holds now, by ident.
held () {
	db "SELECT ident || '=' || host FROM allocations WHERE flight = $f
	    AND job = '$1' AND released_ms IS NULL ORDER BY ident"
}

# rows JOB: how many allocations job JOB of flight $f ever had.
rows () {
	db "SELECT COUNT(*) FROM allocations WHERE flight = $f AND job = '$1'"
}

# a_col COLUMNS JOB: those columns of job JOB's allocation (of flight $f).
a_col () {
	db "SELECT $1 FROM allocations WHERE flight = $f AND job = '$2'"
}

# holder HOST: FLIGHT.JOB of who holds HOST now, empty when nobody.
holder () {
	db "SELECT flight || '.' || job FROM allocations WHERE host = '$1'
	    AND released_ms IS NULL"
}

# job JOB [NAME=VALUE...] [--priority N]: a job of flight $f, recipe take.
job () {
	_j=$1
	shift
	ts-job-create "$f" "$_j" take "$@"
}

# runner JOB: ts-run-job JOB in the background; when it ends, its exit
# code in JOB.rc; its output in JOB.out.
runner () {
	rm -f "$1.rc"
	(ts-run-job "$f" "$1" >"$1.out" 2>&1; echo $? >"$1.rc") &
}

# runner_direct JOB: ts-run-job JOB in the background as a direct child
# of this shell, its pid in JOB.pid (to be killed, then reaped by wait).
runner_direct () {
	ts-run-job "$f" "$1" >"$1.out" 2>&1 &
	echo $! >"$1.pid"
}

# hand_hold JOB IDENT...: a shell in the background takes hosts by hand
# for JOB (IDENT=HOST lines in JOB.out) and keeps them while it lives:
# until the file stop-JOB appears, 30 s at most.  Its pid in JOB.pid.
hand_hold () {
	_j=$1
	shift
	rm -f "$_j.out" "stop-$_j"
	sh -c '
		f=$1 j=$2
		shift 2
		TLAB_FLIGHT=$f TLAB_JOB=$j ts-host-allocate "$@" >"$j.out" || exit
		i=0
		while [ ! -e "stop-$j" ] && [ "$i" -lt 300 ]; do
			i=$((i + 1))
			sleep 0.1
		done' sh "$f" "$_j" "$@" &
	echo $! >"$_j.pid"
	bg_pids="$bg_pids $!"
}

# alloc_bg JOB ARG...: alloc JOB ARG... in the background, its output in
# JOB.out and JOB.err, its exit code (when it ends) in JOB.rc.
alloc_bg () {
	rm -f "$1.rc"
	(alloc "$@" >"$1.out" 2>"$1.err"; echo $? >"$1.rc") &
	bg_pids="$bg_pids $!"
}

# release_bg JOB: release JOB in the background, its pid in JOB.rpid.
release_bg () {
	release "$1" &
	echo $! >"$1.rpid"
}

# new_flight: a new flight $f, to add jobs to once the last one runs.
new_flight () {
	f=$(ts-flight-create --branch b) &&
	test -n "$f"
}

# waiting JOB: job JOB is in the queue for hosts.
waiting () {
	test "$(db "SELECT COUNT(*) FROM alloc_waiters WHERE flight = $f
	    AND job = '$1'")" = 1
}

# kill_child PID: kill PID if it is still a child of this shell (not a
# process that got the number of one that ended).
kill_child () {
	test "$(ps -o ppid= -p "$1" | tr -d " ")" = "$$" && kill "$1"
}

# At the end, whatever failed: every wait of a recipe or a holder ends,
# and the processes started in the background here (bg_pids) are killed.
bg_pids=
test_atexit 'touch "$TRASH_DIRECTORY/go" "$TRASH_DIRECTORY/stop-KC" \
	"$TRASH_DIRECTORY/stop-HA" "$TLAB_LAB/release-RH" "$TLAB_LAB/release-RA" \
	"$TLAB_LAB/release-WA" "$TLAB_LAB/release-KA";
	for p in $bg_pids; do kill_child "$p"; done'

test_expect_success 'setup: a lab, hosts of several pools, recipes that take a host' '
	lab_init &&
	printf "abort_grace = 1\nhost_check_timeout = 2\n" >>"$TLAB_LAB/tlab.conf" &&
	hostkey="ssh-ed25519 $(cut -d" " -f2 "$TLAB_LAB/ssh/id_ed25519.pub")" &&
	add_host f1 1 pool-f,arch-amd64 &&
	add_host f2 2 pool-f,arch-amd64,hvm-intel &&
	add_host f3 3 pool-f,arch-arm64,hvm-intel &&
	add_host g1 4 pool-g,arch-amd64,hvm-intel &&
	add_host a1 11 pool-e,equiv-x &&
	add_host a2 12 pool-e,equiv-x &&
	add_host a3 13 pool-e,equiv-y &&
	add_host q1 21 pool-q &&
	add_host r1 22 pool-r &&
	add_host w1 23 pool-w &&
	add_host k1 24 pool-k &&
	add_host h1 25 pool-h &&
	add_host h2 26 pool-h &&
	add_host s1 31 pool-s &&
	add_host s2 32 pool-s &&
	add_host o1 33 pool-o &&
	add_host n1 34 pool-n &&
	add_host n2 35 pool-n &&
	test "$(ts-host list | wc -l)" = 18 &&
	write_recipe take <<-\EOF &&
	step ts-host-allocate host + --timeout=60
	EOF
	write_recipe take-fail <<-\EOF &&
	step ts-host-allocate host + --timeout=60
	step false
	EOF
	write_recipe take-broken <<-\EOF &&
	step ts-host-allocate host + --timeout=60
	step --testid=lab-error sh -c "exit 3"
	EOF
	write_recipe take-hold <<-\EOF &&
	step ts-host-allocate host + --timeout=60
	i=0
	while [ ! -e "$TLAB_LAB/release-$TLAB_JOB" ]; do
		i=$((i + 1))
		[ "$i" -le 600 ] || exit 1
		sleep 0.1
	done
	EOF
	new_flight
'

# --- which hosts are given -------------------------------------------------

test_expect_success 'a host with every flag asked is given: IDENT=HOST out, runvar, row' '
	job F1 all_hostflags=pool-f host_hostflags=arch-amd64,hvm-intel &&
	test_when_finished "release F1" &&
	code_err 0 alloc F1 host >out &&
	echo host=f2 >expect &&
	test_cmp expect out &&
	empty err &&
	is f2 "$(ts-runvar "$f" F1 host)" &&
	is host=f2 "$(held F1)" &&
	is "job|1|$$" "$(a_col "holder, released_ms IS NULL, owner_pid" F1)"
'

# The allocator prefers the host used least recently: were another host
# fit, a second job would get it rather than f2 again.
test_expect_success 'only hosts with every flag: f2 again for the same flags' '
	job F2 all_hostflags=pool-f host_hostflags=arch-amd64,hvm-intel &&
	test_when_finished "release F2" &&
	alloc F2 host >out &&
	is host=f2 "$(cat out)" &&
	is host=f2 "$(held F2)"
'

test_expect_success 'all_hostflags and IDENT_hostflags combine (no host of another pool)' '
	job F3 all_hostflags=pool-f,hvm-intel host_hostflags=arch-arm64 &&
	test_when_finished "release F3" &&
	alloc F3 host >out &&
	is host=f3 "$(cat out)" &&
	job F4 all_hostflags=hvm-intel,arch-amd64 &&
	test_when_finished "release F4" &&
	job F5 all_hostflags=hvm-intel,arch-amd64 host_hostflags=pool-g &&
	test_when_finished "release F5" &&
	alloc F5 host >out &&
	is host=g1 "$(cat out)" &&
	alloc F4 host >out &&
	is host=f2 "$(cat out)"
'

test_expect_success 'two idents of one job never get one host' '
	job F6 all_hostflags=pool-f src_host_hostflags=arch-amd64 \
	    dst_host_hostflags=arch-amd64 &&
	test_when_finished "release F6" &&
	alloc F6 src_host dst_host >out &&
	sort out >got &&
	printf "dst_host=%s\nsrc_host=%s\n" \
	    "$(ts-runvar "$f" F6 dst_host)" "$(ts-runvar "$f" F6 src_host)" >expect &&
	test_cmp expect got &&
	cut -d= -f2 out | sort >hosts &&
	printf "f1\nf2\n" >expect &&
	test_cmp expect hosts &&
	is 2 "$(rows F6)"
'

test_expect_success 'two idents with every flag but one host that fits: not both given' '
	job F7 all_hostflags=pool-f host_hostflags=hvm-intel,arch-amd64 \
	    dst_host_hostflags=hvm-intel,arch-amd64 &&
	code_err 3 alloc F7 --timeout 1 host dst_host &&
	grep "^ts-host-allocate: no hosts for host (.*), dst_host (.*) within 1 s" err &&
	is 0 "$(rows F7)" &&
	test_must_fail ts-runvar "$f" F7 host
'

test_expect_success 'equiv: src_host/dst_host of one class get a1 and a2, never a3' '
	job E0 all_hostflags=pool-e,equiv-1 &&
	alloc E0 host host2 >out &&
	release E0 &&
	cut -d= -f2 out | sort >hosts &&
	printf "a1\na2\n" >expect &&
	test_cmp expect hosts &&
	# a3, never used, now comes first among the hosts of pool-e.
	job E1 all_hostflags=pool-e src_host_hostflags=equiv-1 \
	    dst_host_hostflags=equiv-1 &&
	test_when_finished "release E1" &&
	alloc E1 src_host dst_host >out &&
	cut -d= -f2 out | sort >hosts &&
	printf "a1\na2\n" >expect &&
	test_cmp expect hosts
'

test_expect_success 'equiv: with a1 held, a pair of one class waits rather than take a2 and a3' '
	job E2 &&
	ts-runvar "$f" E2 host=a1 &&
	test_when_finished "release E2" &&
	alloc E2 host >out &&
	is host=a1 "$(cat out)" &&
	job E3 all_hostflags=pool-e src_host_hostflags=equiv-1 \
	    dst_host_hostflags=equiv-1 &&
	code_err 3 alloc E3 --timeout 1 src_host dst_host &&
	is 0 "$(rows E3)" &&
	job E4 all_hostflags=pool-e,equiv-1 &&
	test_when_finished "release E4" &&
	alloc E4 host >out &&
	grep -e "^host=a[23]\$" out
'

# As OSSTEST's: a job made with host=NAME runs on that host.
test_expect_success 'a host named by a definition runvar IDENT is used, even without the flags' '
	job N1 host=f1 host_hostflags=hvm-intel,no-host-has-this &&
	test_when_finished "release N1" &&
	code_err 0 alloc N1 host >out &&
	is host=f1 "$(cat out)" &&
	is host=f1 "$(held N1)" &&
	is f1 "$(ts-runvar "$f" N1 host)"
'

test_expect_success 'a host named by a runtime runvar IDENT is used, even without the flags' '
	job N3 host_hostflags=hvm-intel,no-host-has-this &&
	ts-runvar "$f" N3 host=f1 &&
	test_when_finished "release N3" &&
	code_err 0 alloc N3 host >out &&
	is host=f1 "$(cat out)" &&
	is host=f1 "$(held N3)"
'

test_expect_success 'a named host that does not exist: exit 2, one line, nothing recorded' '
	job N2 host=nosuch &&
	before=$(db_digest) &&
	code_err 2 alloc N2 host >out &&
	test_line_count = 1 err &&
	grep "^ts-host-allocate: .*nosuch" err &&
	empty out &&
	is "$before" "$(db_digest)"
'

test_expect_success 'a quarantined host is never given' '
	ts-host quarantine f2 --why "bad disk" &&
	test_when_finished "ts-host unquarantine f2" &&
	job Q1 all_hostflags=pool-f,hvm-intel &&
	test_when_finished "release Q1" &&
	alloc Q1 host >out &&
	is host=f3 "$(cat out)" &&
	job Q2 all_hostflags=pool-f,hvm-intel,arch-amd64 &&
	code_err 3 alloc Q2 --timeout 1 host &&
	grep "^ts-host-allocate: no hosts for host (.*) within 1 s" err &&
	is 0 "$(rows Q2)"
'

test_expect_success 'a quarantined host named in runvar IDENT: exit 2, one line, nothing recorded' '
	ts-host quarantine f1 --why "bad disk" &&
	test_when_finished "ts-host unquarantine f1" &&
	job Q3 host=f1 &&
	before=$(db_digest) &&
	code_err 2 alloc Q3 host >out &&
	test_line_count = 1 err &&
	grep "^ts-host-allocate: .*f1.*quarantined" err &&
	empty out &&
	is "$before" "$(db_digest)"
'

test_expect_success 'a want no host of the lab could meet: exit 2, one line, nothing recorded' '
	job X1 all_hostflags=pool-f host_hostflags=arch-amd64,no-host-has-this &&
	before=$(db_digest) &&
	t0=$(date +%s) &&
	code_err 2 alloc X1 --timeout 30 host >out &&
	test $(($(date +%s) - t0)) -le 5 &&
	test_line_count = 1 err &&
	grep "^ts-host-allocate: .*no-host-has-this" err &&
	empty out &&
	is "$before" "$(db_digest)"
'

test_expect_success 'a want one ident of several can never meet: exit 2, nothing recorded' '
	job X2 all_hostflags=pool-f dst_host_hostflags=no-host-has-this &&
	before=$(db_digest) &&
	code_err 2 alloc X2 host dst_host >out &&
	test_line_count = 1 err &&
	grep "^ts-host-allocate: .*dst_host" err &&
	empty out &&
	is "$before" "$(db_digest)"
'

test_expect_success 'without TLAB_JOB, or an ident given twice: exit 2, one line, nothing recorded' '
	before=$(db_digest) &&
	code_err 2 env TLAB_FLIGHT=$f ts-host-allocate host &&
	test_line_count = 1 err &&
	grep "^ts-host-allocate: .*TLAB_JOB" err &&
	job X3 all_hostflags=pool-f &&
	before=$(db_digest) &&
	code_err 2 alloc X3 host host &&
	test_line_count = 1 err &&
	grep "^ts-host-allocate: .*host" err &&
	is "$before" "$(db_digest)"
'

# --- inside ts-run-job -----------------------------------------------------

# run_ends JOB RECIPE STATUS: job JOB of recipe RECIPE takes r1 in its
# recipe, ends STATUS, and its runner gave r1 back saying so.
run_ends () {
	new_flight &&
	ts-job-create "$f" "$1" "$2" all_hostflags=pool-r &&
	test_expect_code "$4" ts-run-job "$f" "$1" &&
	is "$3" "$(job_status "$f" "$1")" &&
	is pass "$(step_status "$f" "$1" host-allocate/host)" &&
	is r1 "$(ts-runvar "$f" "$1" host)" &&
	is "r1|host|1" "$(a_col "host, ident, released_ms >= taken_ms" "$1")" &&
	a_col why "$1" >why &&
	grep "$3" why &&
	is "" "$(holder r1)"
}

test_expect_success 'in a recipe: the job that passed gave its host back' '
	run_ends RP take pass 0
'

test_expect_success 'in a recipe: the job that failed gave its host back' '
	run_ends RF take-fail fail 1
'

# These hosts never answer SSH: the one a broken job leaves is
# quarantined by its runner (t2600 has the cases of hosts that do).
test_expect_success 'in a recipe: the job that broke gave its host back, quarantined as it does not answer' '
	run_ends RB take-broken broken 3 &&
	is quarantined "$(db "SELECT state FROM hosts WHERE name = '\''r1'\''")" &&
	db "SELECT state_why FROM hosts WHERE name = '\''r1'\''" >why &&
	has "^flight $f job RB: ended broken and the host does not answer SSH: .* (ts-host unquarantine r1 once it is well)\$" why &&
	ts-host unquarantine r1
'

test_expect_success 'in a recipe: the host belongs to the runner while the job runs' '
	new_flight &&
	ts-job-create "$f" RH take-hold all_hostflags=pool-r &&
	runner RH &&
	wait_for 20 "test \"\$(held RH)\" = host=r1" &&
	pid=$(a_col owner_pid RH) &&
	ps -o args= -p "$pid" >args &&
	grep "ts-run-job $f RH" args &&
	touch "$TLAB_LAB/release-RH" &&
	wait_for 20 "test -s RH.rc" &&
	is 0 "$(cat RH.rc)" &&
	a_col why RH >why &&
	grep pass why &&
	is "" "$(holder r1)"
'

test_expect_success 'in a recipe: the job aborted by SIGTERM gave its host back' '
	new_flight &&
	ts-job-create "$f" RA take-hold all_hostflags=pool-r &&
	runner_direct RA &&
	bg_pids="$bg_pids $(cat RA.pid)" &&
	wait_for 20 "test \"\$(held RA)\" = host=r1" &&
	kill -TERM "$(cat RA.pid)" &&
	wait_for 20 "gone $(cat RA.pid)" &&
	{ wait "$(cat RA.pid)"; :; } &&
	is aborted "$(job_status "$f" RA)" &&
	is 1 "$(a_col "released_ms IS NOT NULL" RA)" &&
	a_col why RA >why &&
	grep aborted why &&
	is "" "$(holder r1)"
'

# --- waiting ---------------------------------------------------------------

test_expect_success 'waiting: job B gives up after --timeout 2, exit 3, a line saying for what' '
	new_flight &&
	ts-job-create "$f" WA take-hold all_hostflags=pool-w &&
	job WB all_hostflags=pool-w &&
	runner WA &&
	wait_for 20 "test \"\$(held WA)\" = host=w1" &&
	t0=$(date +%s) &&
	code_err 3 alloc WB --timeout 2 host >out &&
	t1=$(date +%s) &&
	test $((t1 - t0)) -ge 2 &&
	test $((t1 - t0)) -le 5 &&
	test_line_count = 1 err &&
	grep "^ts-host-allocate: .*host (pool-w)" err &&
	grep "within 2 s" err &&
	empty out &&
	is 0 "$(rows WB)" &&
	test_must_fail ts-runvar "$f" WB host &&
	! waiting WB
'

test_expect_success 'waiting: with a longer bound, job B gets the host once job A ends' '
	test_when_finished "release WB" &&
	alloc_bg WB --timeout 30 host &&
	wait_for 10 "waiting WB" &&
	is "" "$(held WB)" &&
	touch "$TLAB_LAB/release-WA" &&
	wait_for 20 "test -s WA.rc" &&
	is 0 "$(cat WA.rc)" &&
	wait_for 20 "test -s WB.rc" &&
	is 0 "$(cat WB.rc)" &&
	is host=w1 "$(cat WB.out)" &&
	is w1 "$(ts-runvar "$f" WB host)" &&
	ended=$(a_col released_ms WA) &&
	taken=$(a_col taken_ms WB) &&
	test "$taken" -ge "$ended" &&
	! waiting WB
'

# --- the queue -------------------------------------------------------------

# queue_up JOB...: run each job, one after the other in the queue.
queue_up () {
	for _j; do
		runner "$_j" &&
		wait_for 20 "waiting $_j" || return 1
	done
}

# queue_done JOB...: each job's runner ended, exit 0.
queue_done () {
	for _j; do
		wait_for 30 "test -s $_j.rc" &&
		is 0 "$(cat "$_j.rc")" || return 1
	done
}

# Host q1 is held by hand (job QH); four jobs ask for it in the order QA
# (priority 5), QB (1), QC (3), QD (1), each waiting before the next asks.
# They get it by priority, then by time of asking: QB, QD, QC, QA.
test_expect_success 'the queue: served by priority (lower first), then time of asking' '
	new_flight &&
	job QH all_hostflags=pool-q &&
	alloc QH host >out &&
	is host=q1 "$(cat out)" &&
	job QA all_hostflags=pool-q --priority 5 &&
	job QB all_hostflags=pool-q --priority 1 &&
	job QC all_hostflags=pool-q --priority 3 &&
	job QD all_hostflags=pool-q --priority 1 &&
	queue_up QA QB QC QD &&
	is "$f.QH" "$(holder q1)" &&
	release QH &&
	queue_done QA QB QC QD &&
	db "SELECT job FROM allocations WHERE host = '\''q1'\'' AND job <> '\''QH'\''
	    ORDER BY taken_ms, id" >order &&
	printf "QB\nQD\nQC\nQA\n" >expect &&
	test_cmp expect order &&
	is 0 "$(db "SELECT COUNT(*) FROM allocations a, allocations b
	    WHERE a.host = '\''q1'\'' AND b.host = '\''q1'\'' AND a.id < b.id
	    AND a.taken_ms < b.released_ms AND b.taken_ms < a.released_ms")" &&
	is 0 "$(db "SELECT COUNT(*) FROM alloc_waiters")"
'

# A job that waits for the host its runvar names can use no other: the
# hosts it keeps for itself are that one only.
test_expect_success 'the queue: a job waiting for its named host keeps no other from the others' '
	new_flight &&
	job NA all_hostflags=pool-n &&
	job NB &&
	job NC all_hostflags=pool-n &&
	ts-runvar "$f" NB host=n1 &&
	test_when_finished "release NA; release NB; release NC" &&
	alloc NA host >out &&
	is host=n1 "$(cat out)" &&
	alloc_bg NB --timeout 20 host &&
	wait_for 10 "waiting NB" &&
	code_err 0 alloc NC --timeout 2 host >out &&
	is host=n2 "$(cat out)" &&
	release NA &&
	wait_for 10 "test -s NB.rc" &&
	is 0 "$(cat NB.rc)" &&
	is host=n1 "$(cat NB.out)"
'

# --- owners that are gone --------------------------------------------------

test_expect_success 'a runner killed -9 while it holds the host: the next one gets it' '
	new_flight &&
	ts-job-create "$f" KA take-hold all_hostflags=pool-k &&
	job KB all_hostflags=pool-k &&
	runner_direct KA &&
	bg_pids="$bg_pids $(cat KA.pid)" &&
	wait_for 20 "test \"\$(held KA)\" = host=k1" &&
	kill -9 "$(cat KA.pid)" &&
	{ wait "$(cat KA.pid)"; :; } &&
	test_when_finished "release KB" &&
	code_err 0 alloc KB --timeout 10 host >out &&
	is host=k1 "$(cat out)" &&
	is "its owner is gone" "$(a_col why KA)" &&
	test "$(a_col released_ms KA)" -le "$(a_col taken_ms KB)" &&
	is 1 "$(db "SELECT COUNT(*) FROM allocations WHERE host = '\''k1'\''
	    AND released_ms IS NULL")"
'

test_expect_success 'a shell killed -9 after it took a host by hand: the next one gets it' '
	new_flight &&
	job KC all_hostflags=pool-k &&
	job KD all_hostflags=pool-k &&
	hand_hold KC host &&
	kc=$(cat KC.pid) &&
	wait_for 20 "test \"\$(held KC)\" = host=k1" &&
	is "$kc" "$(a_col owner_pid KC)" &&
	code_err 3 alloc KD --timeout 1 host &&
	kill -9 "$kc" &&
	{ wait "$kc"; :; } &&
	test_when_finished "release KD" &&
	code_err 0 alloc KD --timeout 10 host >out &&
	is host=k1 "$(cat out)" &&
	is "its owner is gone" "$(a_col why KC)"
'

# --- by hand ---------------------------------------------------------------

test_expect_success 'by hand: the host stays with the shell that asked while it lives' '
	new_flight &&
	job HA all_hostflags=pool-h src_host_hostflags=pool-h &&
	job HB all_hostflags=pool-h &&
	hand_hold HA host src_host &&
	ha=$(cat HA.pid) &&
	wait_for 20 "test -s HA.out" &&
	sort HA.out >got &&
	printf "host=%s\nsrc_host=%s\n" "$(ts-runvar "$f" HA host)" \
	    "$(ts-runvar "$f" HA src_host)" >expect &&
	test_cmp expect got &&
	is "$ha|$ha" "$(db "SELECT MIN(owner_pid) || '\''|'\'' || MAX(owner_pid)
	    FROM allocations WHERE job = '\''HA'\''")" &&
	code_err 3 alloc HB --timeout 1 host &&
	is 2 "$(held HA | wc -l)" &&
	touch stop-HA &&
	wait_for 10 "gone $ha" &&
	test_when_finished "release HB" &&
	code_err 0 alloc HB --timeout 10 host >out &&
	grep "^host=h[12]\$" out &&
	is 0 "$(held HA | wc -l)" &&
	is "its owner is gone" "$(a_col "DISTINCT why" HA)"
'

test_expect_success 'by hand: ts-host-release IDENT gives back that ident only, then all' '
	new_flight &&
	job HC all_hostflags=pool-h &&
	alloc HC src_host dst_host >out &&
	test_line_count = 2 out &&
	release HC src_host >rout 2>err &&
	empty rout &&
	empty err &&
	is "dst_host=$(ts-runvar "$f" HC dst_host)" "$(held HC)" &&
	is "released by ts-host-release" "$(db "SELECT why FROM allocations
	    WHERE job = '\''HC'\'' AND ident = '\''src_host'\''")" &&
	release HC &&
	is "" "$(held HC)" &&
	is 2 "$(db "SELECT COUNT(*) FROM allocations WHERE job = '\''HC'\''
	    AND why = '\''released by ts-host-release'\''")" &&
	release HC &&
	is "" "$(holder h1)$(holder h2)" &&
	before=$(db_digest) &&
	code_err 2 env TLAB_FLIGHT=$f ts-host-release &&
	test_line_count = 1 err &&
	grep "^ts-host-release: .*TLAB_JOB" err &&
	code_err 2 release HC "no such/ident" &&
	test_line_count = 1 err &&
	grep "^ts-host-release: .*no such/ident" err &&
	is "$before" "$(db_digest)"
'

# --- the recorded times ---------------------------------------------------

# lock_db_until FILE: another writer holds the lab's database (a write
# transaction of the sqlite3 tool that changes nothing) until FILE
# appears, 3 s at most; its pid in lock.pid.
lock_db_until () {
	rm -f "$1"
	{
		echo "BEGIN IMMEDIATE;"
		_i=0
		while [ ! -e "$1" ] && [ "$_i" -lt 300 ]; do
			sleep 0.01
			_i=$((_i + 1))
		done
		echo "COMMIT;"
	} | sqlite3 -batch "$TLAB_LAB/tlab.db" &
	echo $! >lock.pid
}

# busy_round N: job ON1 holds o1; while another writer holds the
# database, job ON2 asks for o1 and ON1 gives it back; when the writer
# is done, ON1's release and ON2's take go through, in that order (ON2
# cannot take o1 before it is free).  The rows must say so.
busy_round () {
	job "O${1}1" all_hostflags=pool-o &&
	job "O${1}2" all_hostflags=pool-o &&
	alloc "O${1}1" host >out &&
	is host=o1 "$(cat out)" &&
	lock_db_until go &&
	sleep 0.2 &&
	alloc_bg "O${1}2" --timeout 10 host &&
	sleep 0.4 &&
	release_bg "O${1}1" &&
	sleep 0.03 &&
	touch go &&
	wait "$(cat "O${1}1.rpid")" &&
	wait "$(cat lock.pid)" &&
	wait_for 15 "test -s O${1}2.rc" &&
	is 0 "$(cat "O${1}2.rc")" &&
	is host=o1 "$(cat "O${1}2.out")" &&
	release "O${1}2" &&
	_rel=$(a_col released_ms "O${1}1") &&
	_take=$(a_col taken_ms "O${1}2") &&
	if [ "$_take" -lt "$_rel" ]; then
		echo "O${1}1 released o1 at $_rel, O${1}2 took it at $_take:" \
		    "$((_rel - _take)) ms before" >&2
		return 1
	fi
}

# Each time is read when the transaction that records it holds the
# database: a take that had to wait for the database to be free is dated
# when it took the host, not before the release it came after.
test_expect_success 'recorded times: a take that waited for the database is not dated before the release' '
	new_flight &&
	busy_round 1 &&
	busy_round 2 &&
	busy_round 3
'

# --- the fault test --------------------------------------------------------

# make_jobs <NAMES: a job of flight $f for each line, asking for pool-s.
make_jobs () {
	while read _j; do
		ts-job-create "$f" "$_j" take all_hostflags=pool-s || return 1
	done
}

# stress_proc P: in the background, 25 rounds of taking a host in job
# SPrR and giving it back; "done" in stress.P at the end, or the round
# that failed; stderr of the binaries in stress-err.P.
stress_proc () {
	rm -f "stress.$1"
	sh -c '
		f=$1 p=$2
		for r in $(seq 1 25); do
			TLAB_FLIGHT=$f TLAB_JOB=S${p}r$r ts-host-allocate --timeout 50 host \
			    >/dev/null 2>>"stress-err.$p" ||
			    { echo "round $r: ts-host-allocate exit $?"; exit 1; }
			TLAB_FLIGHT=$f TLAB_JOB=S${p}r$r ts-host-release 2>>"stress-err.$p" ||
			    { echo "round $r: ts-host-release exit $?"; exit 1; }
		done
		echo done' sh "$f" "$1" >"stress.$1" 2>&1 &
	bg_pids="$bg_pids $!"
}

# 8 processes allocating 2 hosts 200 times in all never hold one host
# twice at once: each process takes a host in a job of its own (one per
# round), gives it back, 25 times; then every pair of allocations of one
# host is checked for an overlap of [taken_ms, released_ms).
test_expect_success 'stress: 8 processes, 2 hosts, 200 allocations, never one host twice' '
	for p in 1 2 3 4 5 6 7 8; do
		for r in $(seq 1 25); do
			echo "S${p}r$r"
		done
	done >jobs &&
	new_flight &&
	make_jobs <jobs &&
	t0=$(date +%s) &&
	for p in 1 2 3 4 5 6 7 8; do
		stress_proc $p
	done &&
	wait_for 90 "test \$(cat stress.* | wc -l) = 8" &&
	t1=$(date +%s) &&
	say "200 allocations of 2 hosts by 8 processes: $((t1 - t0)) s" &&
	cat stress.* >results &&
	is 8 "$(grep -c "^done\$" results)" &&
	{ cat stress-err.* || :; } &&
	is 200 "$(db "SELECT COUNT(*) FROM allocations WHERE job LIKE '\''S%r%'\''")" &&
	is 0 "$(db "SELECT COUNT(*) FROM allocations WHERE job LIKE '\''S%r%'\''
	    AND (released_ms IS NULL OR why <> '\''released by ts-host-release'\'')")" &&
	is "s1|s2" "$(db "SELECT MIN(host) || '\''|'\'' || MAX(host) FROM allocations
	    WHERE job LIKE '\''S%r%'\''")" &&
	db "SELECT a.id, a.host, a.job, a.taken_ms, a.released_ms,
	    b.id, b.job, b.taken_ms, b.released_ms
	    FROM allocations a JOIN allocations b ON a.host = b.host AND a.id < b.id
	    WHERE a.host IN ('\''s1'\'', '\''s2'\'')
	    AND a.taken_ms < b.released_ms AND b.taken_ms < a.released_ms" >overlaps &&
	empty overlaps &&
	is 0 "$(db "SELECT COUNT(*) FROM alloc_waiters")"
'

test_done
