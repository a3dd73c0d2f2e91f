#!/bin/sh
test_description='ts-host-reboot: power methods, waiting for a host to go down and come back'
. "${abs_top_srcdir:-$(dirname "$0")/..}/tests/lib/test-lib.sh"

require_command sqlite3 setsid
. "$abs_top_srcdir/tests/lib/lib-sshd.sh"

# The test hosts are sshds on 127.0.0.1 (tests/lib/lib-sshd.sh), each with
# a file of its own as its boot id (property boot_id_file).  Nothing here
# reboots this machine: a reboot is simulated by power-sim, which a host's
# power method runs (cmd:, or over SSH by power_ssh_cycle): it stops the
# host's sshd and, 2 s later, writes a new boot id and starts the sshd
# again on the same port.  QEMU, when installed, is started paused with a
# QMP socket and no disks; it is killed at exit by its pid.

# boot_id HOST: its boot id now.
boot_id () {
	cat "$(sshd_dir "$1")/boot_id"
}

# logins HOST: how many times the lab has logged in to HOST so far.
logins () {
	grep -c "Accepted publickey" "$(sshd_dir "$1")/sshd.log"
}

# by_hand HOST [OPTION...]: ts-host-reboot run by hand for the job j-HOST
# of flight $fh (whose runvar host names HOST); its stderr in err.
by_hand () {
	_h=$1
	shift
	TLAB_FLIGHT=$fh TLAB_JOB=j-$_h ts-host-reboot "$@" host 2>err
}

# last_line STRING: err, the stderr of the last by_hand, ends with a line
# "ts-host-reboot: ..." containing STRING.
last_line () {
	tail -n 1 err >last &&
	has "^ts-host-reboot: " last &&
	has_f "$1" last
}

# add_hosts NAME...: test hosts, each with a boot id file, and a job
# j-NAME of flight $fh whose runvar host names it (for by_hand).
add_hosts () {
	for _h in "$@"; do
		sshd_start "$_h" &&
		cat /proc/sys/kernel/random/uuid >"$(sshd_dir "$_h")/boot_id" &&
		host_add "$_h" --prop "boot_id_file=$(sshd_dir "$_h")/boot_id" \
		    >/dev/null &&
		ts-job-create "$fh" "j-$_h" reboot "host=$_h" || return 1
	done
}

# qemu_start NAME: a QEMU machine, paused, its QMP at $qdir/NAME.sock,
# its pid in $qdir/NAME.pid; it is killed at exit.
qemu_start () {
	rm -f "$qdir/$1.sock"
	qemu-system-x86_64 -M pc -nodefaults -display none -S \
	    -qmp "unix:$qdir/$1.sock,server=on,wait=off" \
	    >"$qdir/$1.log" 2>&1 </dev/null &
	echo $! >"$qdir/$1.pid"
	test_atexit "kill -9 $!"
	wait_for 20 "test -S \"$qdir/$1.sock\""
}

sim=$TRASH_DIRECTORY/power-sim
cat >"$sim" <<EOF
#!/bin/sh
# power-sim DIR MODE [WORD...]: the power of the test host whose sshd
# directory is DIR.  It records its words, one a line, in DIR/power.argv,
# then, by MODE:
#   reboot  sshd stops; 2 s later a new boot id, and sshd again
#   same    sshd stops; 2 s later sshd again, with the same boot id
#   dead    sshd stops for good (a new boot id that nobody reads)
#   noop    nothing
#   fail    says why on stderr and exits 1
#   hang    sleeps 30 s, its pid in DIR/hang.pid
d=\$1 mode=\$2
shift 2
printf '%s\n' "\$@" >"\$d/power.argv"
case \$mode in
fail) echo "power-sim: the PDU says no" >&2; exit 1 ;;
hang) echo \$\$ >"\$d/hang.pid"; exec sleep 30 ;;
noop) exit 0 ;;
esac
kill "\$(cat "\$d/sshd.pid.keep")"
# The rest in a session of its own, and made one before we exit (it says
# so): what is left of a power command's process group when it exits is
# killed.
setsid -f sh -c '
	echo started
	exec >>"\$0/power-sim.log" 2>&1
	sleep 2
	[ "\$1" = same ] || cat /proc/sys/kernel/random/uuid >"\$0/boot_id"
	[ "\$1" = dead ] && exit 0
	"$SSHD" -D -f "\$0/sshd_config" -E "\$0/sshd.log" &
	echo \$! >"\$0/sshd.pid.keep"
' "\$d" "\$mode" </dev/null | { read -r _; }
exit 0
EOF
chmod +x "$sim"

test_expect_success 'setup: a lab, hosts with boot id files, a recipe that reboots' '
	lab_init &&
	printf "host_check_timeout = 3\n" >>"$TLAB_LAB/tlab.conf" &&
	write_recipe reboot <<-\EOF &&
	step ts-host-allocate host + --timeout=60
	step ts-host-reboot host + --up-timeout=20
	EOF
	write_recipe reboot-dead <<-\EOF &&
	step ts-host-allocate host + --timeout=60
	step ts-host-reboot host + --up-timeout=3
	EOF
	fh=$(ts-flight-create --branch by-hand) &&
	add_hosts h1 h2 h3 h4 h5 hq hr &&
	ts-host set h1 --prop "power=cmd:'\''$sim'\'' '\''$(sshd_dir h1)'\'' reboot \"two words\" host=%h %a 100%%" &&
	ts-host set h2 --prop "power=cmd:'\''$sim'\'' '\''$(sshd_dir h2)'\'' dead" &&
	ts-host set h3 --prop power=ssh \
	    --prop "power_ssh_cycle='\''$sim'\'' '\''$(sshd_dir h3)'\'' reboot \"a b\" %h %a" &&
	ts-host set h4 --prop power=manual
'

test_expect_success 'in a recipe: the host goes down, comes back with a new boot id: pass' '
	before=$(boot_id h1) &&
	f=$(ts-flight-create --branch b) &&
	ts-job-create "$f" J reboot host=h1 &&
	test_expect_code 0 ts-run-job "$f" J &&
	is pass "$(job_status "$f" J)" &&
	is pass "$(step_status "$f" J host-reboot/host)" &&
	after=$(boot_id h1) &&
	test "$before" != "$after" &&
	log=$TLAB_LAB/$(db "SELECT log FROM steps WHERE flight = $f AND job = '\''J'\''
	    AND testid = '\''host-reboot/host'\''") &&
	has "^ts-host-reboot: host h1: boot id $before\$" "$log" &&
	has "^ts-host-reboot: host h1: power cmd: .*: exit status 0\$" "$log" &&
	has "^ts-host-reboot: host h1: waiting up to 120 s for SSH to go down\$" "$log" &&
	has "^ts-host-reboot: host h1: SSH down after [0-9]* s" "$log" &&
	has "^ts-host-reboot: host h1: waiting up to 20 s for SSH to come back\$" "$log" &&
	has "^ts-host-reboot: host h1: SSH back after [0-9]* s\$" "$log" &&
	has "^ts-host-reboot: host h1: rebooted in [0-9]* s: boot id $after, was $before\$" "$log" &&
	last_line_is_exit "$log" 0
'

test_expect_success 'cmd: the template gave the host and the action as whole words' '
	printf "%s\n" "two words" host=h1 cycle "100%" >expect &&
	test_cmp expect "$(sshd_dir h1)/power.argv"
'

test_expect_success 'a host that never comes back: broken after the up bound, which the line names' '
	f=$(ts-flight-create --branch b) &&
	ts-job-create "$f" J reboot-dead host=h2 &&
	t0=$(date +%s) &&
	test_expect_code 3 ts-run-job "$f" J &&
	t=$(($(date +%s) - t0)) &&
	echo "took $t s" &&
	test "$t" -lt 20 &&
	is broken "$(job_status "$f" J)" &&
	is broken "$(step_status "$f" J host-reboot/host)" &&
	log=$TLAB_LAB/$(db "SELECT log FROM steps WHERE flight = $f AND job = '\''J'\''
	    AND testid = '\''host-reboot/host'\''") &&
	has "^ts-host-reboot: host h2: SSH down after" "$log" &&
	has "^ts-host-reboot: host h2: no SSH: gave up after [0-9]* s (up timeout: 3 s); last try: .*127.0.0.1" "$log" &&
	last_line_is_exit "$log" 3
'

# The runner of the job that broke tried h2 once more, power-cycled it
# (power-sim dead again) and waited host_check_timeout for it in vain.
test_expect_success 'the host that never came back is quarantined by the runner, the reason says why' '
	db "SELECT state || '\''|'\'' || state_why FROM hosts WHERE name = '\''h2'\''" >why &&
	has "^quarantined|flight $f job J: ended broken and the host does not answer SSH: connect to 127.0.0.1 port [0-9]*: Connection refused; power-cycled, no answer after [0-9]* s; the last look: .* (ts-host unquarantine h2 once it is well)\$" why &&
	has "Z host h2: power cmd: .*power-sim.* dead: exit status 0\$" "$TLAB_LAB/logs/$f/J/job.log"
'

test_expect_success 'ssh: power_ssh_cycle runs on the host, detached, with its words whole' '
	before=$(boot_id h3) &&
	code_err 0 by_hand h3 --up-timeout 20 &&
	test "$before" != "$(boot_id h3)" &&
	has "^ts-host-reboot: host h3: power ssh: .*power-sim .* reboot '\''a b'\'' h3 cycle: started in the background\$" err &&
	has "^ts-host-reboot: host h3: rebooted in" err &&
	printf "%s\n" "a b" h3 cycle >expect &&
	test_cmp expect "$(sshd_dir h3)/power.argv"
'

test_expect_success 'manual: says what a person must do, then waits for it to be done' '
	before=$(boot_id h4) &&
	rm -f m.rc &&
	(TLAB_FLIGHT=$fh TLAB_JOB=j-h4 ts-host-reboot --up-timeout 20 host \
	    >m.out 2>m.err; echo $? >m.rc) &
	wait_for 10 "grep -q \"by hand now\" m.err" &&
	has "^ts-host-reboot: host h4: power-cycle host h4 by hand now\$" m.err &&
	has "^ts-host-reboot: host h4: waiting up to 120 s for SSH to go down" m.err &&
	"$sim" "$(sshd_dir h4)" reboot &&
	wait_for 30 "test -s m.rc" &&
	is 0 "$(cat m.rc)" &&
	test "$before" != "$(boot_id h4)" &&
	has "^ts-host-reboot: host h4: rebooted in" m.err
'

test_expect_success 'manual, and nobody comes: broken after the down bound, which the line names' '
	code_err 3 by_hand h4 --down-timeout 2 &&
	has_f "power-cycle host h4 by hand now" err &&
	last_line "host h4: SSH still answers: gave up after" &&
	last_line "s (down timeout: 2 s)"
'

test_expect_success 'the whole reboot has a bound of its own: --timeout' '
	code_err 3 by_hand h4 --timeout 1 &&
	last_line "host h4: SSH still answers: gave up after" &&
	last_line "s (reboot timeout: 1 s)"
'

test_expect_success 'a power command that exits 1: broken, naming it and its status' '
	ts-host set h5 --prop "power=cmd:$sim $(sshd_dir h5) fail %h" &&
	code_err 3 by_hand h5 &&
	has_f "power-sim: the PDU says no" err &&
	last_line "host h5: power cmd: $sim $(sshd_dir h5) fail h5: exit status 1"
'

test_expect_success 'a power command that does not end: killed after power_timeout, broken' '
	d=$(sshd_dir h5) &&
	test_when_finished "kill -9 \$(cat \"$d/hang.pid\")" &&
	ts-host set h5 --prop "power=cmd:$sim $d hang" --prop power_timeout=1 &&
	code_err 3 by_hand h5 &&
	last_line "power cmd: $sim $d hang: no end after" &&
	last_line "s (power_timeout: 1 s)" &&
	wait_for 10 "gone $(cat "$d/hang.pid")" &&
	ts-host set h5 --prop power_timeout=
'

test_expect_success 'SSH comes back with the boot id it had: broken, "boot id unchanged"' '
	ts-host set h5 --prop "power=cmd:$sim $(sshd_dir h5) same" &&
	before=$(boot_id h5) &&
	code_err 3 by_hand h5 --up-timeout 6 &&
	has "^ts-host-reboot: host h5: SSH answers, boot id unchanged: waiting on\$" err &&
	last_line "host h5: boot id unchanged: gave up after" &&
	last_line "s (up timeout: 6 s); last try: " &&
	is "$before" "$(boot_id h5)"
'

# ipmi:BMC runs ipmitool; no BMC answers on this machine, so a stand-in
# ipmitool first in PATH records its words and has power-sim reboot h5.
test_expect_success 'ipmi:BMC runs ipmitool with the BMC, user and action as words' '
	wait_for 10 "ts-host exec h5 -- true" &&
	mkdir -p bin &&
	printf "#!/bin/sh\nexec %s %s reboot \"\$@\"\n" "$sim" "$(sshd_dir h5)" >bin/ipmitool &&
	chmod +x bin/ipmitool &&
	before=$(boot_id h5) &&
	ts-host set h5 --prop power=ipmi:h5-bmc --prop ipmi_user=admin &&
	(PATH=$PWD/bin:$PATH && export PATH && by_hand h5 --up-timeout 20) &&
	test "$before" != "$(boot_id h5)" &&
	printf "%s\n" -I lanplus -H h5-bmc -U admin -E chassis power cycle >expect &&
	test_cmp expect "$(sshd_dir h5)/power.argv" &&
	ts-host set h5 --prop "power=ipmi:h5'\''bmc" &&
	code_err 2 by_hand h5 &&
	last_line "ipmi:"
'

test_expect_success 'no power property: exit 2 naming it, the host untouched' '
	wait_for 10 "ts-host exec h5 -- true" &&
	n=$(logins h5) &&
	ts-host set h5 --prop power= &&
	code_err 2 by_hand h5 &&
	test_line_count = 1 err &&
	last_line "host h5: no property power" &&
	is "$n" "$(logins h5)"
'

test_expect_success 'an unknown method, a bad template: exit 2 naming them, the host untouched' '
	n=$(logins h5) &&
	ts-host set h5 --prop power=ipmi &&
	code_err 2 by_hand h5 &&
	last_line "host h5: property power: '\''ipmi'\'' is not ssh, cmd:TEMPLATE, ipmi:BMC, qmp:SOCKET or manual" &&
	ts-host set h5 --prop "power=cmd:ipmi-power %h %x" &&
	code_err 2 by_hand h5 &&
	last_line "host h5: property power: '\''ipmi-power %h %x'\'': %x is not %h (host), %a (action) or %% (a %)" &&
	ts-host set h5 --prop "power=cmd:ipmi-power \"%h" &&
	code_err 2 by_hand h5 &&
	last_line "host h5: property power: '\''ipmi-power \"%h'\''" &&
	ts-host set h5 --prop "power=cmd:" &&
	code_err 2 by_hand h5 &&
	last_line "host h5: property power: '\''cmd:'\''" &&
	ts-host set h5 --prop power=ssh --prop "power_ssh_cycle=a '\''b" &&
	code_err 2 by_hand h5 &&
	last_line "host h5: property power_ssh_cycle: " &&
	ts-host set h5 --prop power=ssh --prop power_ssh_cycle= --prop power_timeout=soon &&
	code_err 2 by_hand h5 &&
	last_line "host h5: property power_timeout: '\''soon'\''" &&
	ts-host set h5 --prop power_timeout= &&
	is "$n" "$(logins h5)"
'

test_expect_success 'a power command that is not there: exit 2 naming it' '
	ts-host set h5 --prop "power=cmd:/no/such/ipmi-power %h" &&
	code_err 2 by_hand h5 &&
	last_line "host h5: power cmd: /no/such/ipmi-power: No such file or directory"
'

test_expect_success 'bad usage: exit 2, one line' '
	code_err 2 by_hand h5 --timeout soon && test_line_count = 1 err &&
	has_f "--timeout" err &&
	code_err 2 by_hand h5 --up-timeout 0 && test_line_count = 1 err &&
	has_f "--up-timeout" err &&
	code_err 2 by_hand h5 --down-timeout -1 && test_line_count = 1 err &&
	code_err 2 ts-host-reboot host && test_line_count = 1 err &&
	has_f "TLAB_FLIGHT" err &&
	code_err 2 env TLAB_FLIGHT=$fh TLAB_JOB=j-h5 ts-host-reboot no_host &&
	test_line_count = 1 err &&
	has_f "runvar no_host: not set" err &&
	code_err 2 env TLAB_FLIGHT=$fh TLAB_JOB=j-h5 ts-host-reboot &&
	code_err 2 env TLAB_FLIGHT=$fh TLAB_JOB=j-h5 ts-host-reboot host extra
'

test_expect_success 'qmp: a socket that is not there: broken, naming it' '
	ts-host set h5 --prop "power=qmp:$TRASH_DIRECTORY/no-such.sock" &&
	code_err 3 by_hand h5 &&
	last_line "host h5: power qmp:$TRASH_DIRECTORY/no-such.sock: connect: No such file or directory"
'

# A list of methods: hl's first, ssh, runs power_ssh_cycle=true, which
# does nothing, so SSH still answers at the down bound; its second, cmd:,
# reboots it.
test_expect_success 'a list: ssh does not take the host down within its bound, the next method, cmd:, reboots it' '
	add_hosts hl &&
	d=$(sshd_dir hl) &&
	ts-host set hl --prop power_ssh_cycle=true \
	    --prop "power=ssh ; cmd:'\''$sim'\'' '\''$d'\'' reboot \"a;b\" %h %a" &&
	before=$(boot_id hl) &&
	code_err 0 by_hand hl --down-timeout 2 --up-timeout 20 &&
	after=$(boot_id hl) &&
	test "$before" != "$after" &&
	has "^ts-host-reboot: host hl: power ssh: true: started in the background\$" err &&
	has "^ts-host-reboot: host hl: ssh failed: SSH still answers: gave up after [0-9]* s (down timeout: 2 s); trying cmd:.*power-sim" err &&
	has "^ts-host-reboot: host hl: power cmd: .*power-sim .* reboot '\''a;b'\'' hl cycle: exit status 0\$" err &&
	last_line "host hl: rebooted in " &&
	last_line " by cmd:'\''$sim'\'' '\''$d'\'' reboot \"a;b\" %h %a, after ssh failed: boot id $after, was $before" &&
	printf "%s\n" "a;b" hl cycle >expect &&
	test_cmp expect "$d/power.argv"
'

test_expect_success 'a list whose methods all fail: broken, one line naming each and why' '
	wait_for 10 "ts-host exec hl -- true" &&
	d=$(sshd_dir hl) &&
	ts-host set hl --prop power_ssh_cycle=true \
	    --prop "power=ssh;cmd:$sim $d fail %h" &&
	before=$(boot_id hl) &&
	code_err 3 by_hand hl --down-timeout 2 &&
	has "^ts-host-reboot: host hl: ssh failed: SSH still answers: .*; trying cmd:$sim $d fail %h\$" err &&
	last_line "host hl: reboot: ssh failed: SSH still answers: gave up after" &&
	last_line "(down timeout: 2 s); cmd:$sim $d fail %h failed: power cmd: $sim $d fail hl: exit status 1" &&
	is "$before" "$(boot_id hl)"
'

test_expect_success 'a list and the whole reboot bound: the methods not tried are named' '
	code_err 3 by_hand hl --timeout 2 &&
	last_line "host hl: reboot: ssh failed: SSH still answers: gave up after" &&
	last_line "(reboot timeout: 2 s); cmd:$sim $(sshd_dir hl) fail %h not tried"
'

test_expect_success 'a list with a bad method: exit 2 naming it, the host untouched' '
	n=$(logins hl) &&
	ts-host set hl --prop "power=ssh;ipmi" &&
	code_err 2 by_hand hl &&
	test_line_count = 1 err &&
	last_line "host hl: property power: '\''ipmi'\'' is not ssh, cmd:TEMPLATE, ipmi:BMC, qmp:SOCKET or manual" &&
	ts-host set hl --prop "power=ssh; cmd:ipmi-power %h %x" &&
	code_err 2 by_hand hl &&
	last_line "host hl: property power: '\''ipmi-power %h %x'\'': %x is not" &&
	ts-host set hl --prop "power=cmd:ipmi-power \"%h;ssh" &&
	code_err 2 by_hand hl &&
	last_line "host hl: property power: '\''ipmi-power \"%h;ssh'\'': a quote is not closed" &&
	ts-host set hl --prop "power=ssh;;manual" &&
	code_err 2 by_hand hl &&
	last_line "host hl: property power: '\''ssh;;manual'\'': an empty method" &&
	ts-host set hl --prop "power=ssh; " &&
	code_err 2 by_hand hl &&
	last_line "an empty method" &&
	is "$n" "$(logins hl)"
'

if command -v qemu-system-x86_64 >/dev/null 2>&1; then
	qdir=$(mktemp -d /tmp/t2300.XXXXXX)
	test_atexit "rm -rf \"$qdir\""
	have_qemu=t
else
	have_qemu=
fi

if [ -n "$have_qemu" ]; then
	test_expect_success 'qmp with power_relaunch: QEMU quits, the relaunch starts it again, the host reboots' '
		qemu_start hq &&
		old=$(cat "$qdir/hq.pid") &&
		dq=$(sshd_dir hq) &&
		cat >relaunch <<-EOF &&
		#!/bin/sh
		# relaunch: the machine hq starts again (paused; its pid in
		# $qdir/hq.pid) and boots: its sshd comes back with a new boot id.
		echo "relaunch \$*" >&2
		i=0
		while [ -S "$qdir/hq.sock" ]; do
			i=\$((i + 1))
			[ "\$i" -le 50 ] || { echo "relaunch: the old QEMU is still there" >&2; exit 1; }
			sleep 0.1
		done
		qemu-system-x86_64 -M pc -nodefaults -display none -S \\
		    -qmp "unix:$qdir/hq.sock,server=on,wait=off" >/dev/null 2>&1 </dev/null &
		echo \$! >"$qdir/hq.pid"
		exec "$sim" "$dq" reboot
		EOF
		chmod +x relaunch &&
		ts-host set hq --prop "power=qmp:$qdir/hq.sock" \
		    --prop "power_relaunch=$TRASH_DIRECTORY/relaunch %h %a" &&
		before=$(boot_id hq) &&
		code_err 0 by_hand hq --up-timeout 20 &&
		new=$(cat "$qdir/hq.pid") &&
		test_atexit "kill -9 $new" &&
		test "$new" != "$old" &&
		gone "$old" &&
		kill -0 "$new" &&
		test -S "$qdir/hq.sock" &&
		test "$before" != "$(boot_id hq)" &&
		has "^ts-host-reboot: host hq: power qmp:$qdir/hq.sock: quit done; power_relaunch: .*relaunch hq cycle: exit status 0\$" err &&
		has "^relaunch hq cycle\$" err &&
		has "^ts-host-reboot: host hq: rebooted in" err
	'

	test_expect_success 'qmp without power_relaunch: system_reset, and QEMU runs on' '
		qemu_start hr &&
		ts-host set hr --prop "power=qmp:$qdir/hr.sock" &&
		code_err 3 by_hand hr --down-timeout 1 &&
		has "^ts-host-reboot: host hr: power qmp:$qdir/hr.sock: system_reset done\$" err &&
		last_line "host hr: SSH still answers: gave up after" &&
	last_line "s (down timeout: 1 s)" &&
		kill -0 "$(cat "$qdir/hr.pid")"
	'
else
	test_skip 'qmp with power_relaunch: QEMU quits, the relaunch starts it again' \
	    'qemu-system-x86_64 is not installed'
	test_skip 'qmp without power_relaunch: system_reset, and QEMU runs on' \
	    'qemu-system-x86_64 is not installed'
fi

test_done
