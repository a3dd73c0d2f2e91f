#!/bin/sh
test_description='ts-logs-capture: the hosts'\'' logs into logs/FLIGHT/JOB/HOST/, a power cycle for a host that does not answer'
. "${abs_top_srcdir:-$(dirname "$0")/..}/tests/lib/test-lib.sh"

require_command sqlite3 setsid find
. "$abs_top_srcdir/tests/lib/lib-sshd.sh"

# The test hosts are sshds on this machine (tests/lib/lib-sshd.sh), so
# what dmesg, journalctl or xl print "on the host" is this machine's, and
# the test decides what to expect as the step does: by command -v here.
# A command that exists here but fails or prints nothing (dmesg in a
# container without CAP_SYSLOG) is replaced, for the hosts, by a stand-in
# in fix/ put first in their PATH (sshd_config SetEnv), so that a pass
# still means what it should.
#
# The host's /var/log/xen is this machine's: the test adds files of its
# own there (making the directory only if it is not there) and removes
# what it made at exit; where it cannot, those checks are skipped.  The
# same for /var/log/syslog, for a host without journalctl (h3).
#
# A power cycle is power=cmd:TEMPLATE (lib/power): power-up notes its
# arguments and starts the host's sshd again from its config, in a session
# of its own so that it outlives the power command's process group;
# power-none only notes them.

TD=$TRASH_DIRECTORY
SYSPATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

hasnt_f () {
	grep -F -e "$1" "$2" >/dev/null || return 0
	echo "a line containing '$1' in $2:" >&2
	cat "$2" >&2
	return 1
}
nonempty () {
	test -s "$1" && return 0
	echo "$1 is missing or empty" >&2
	ls -la "$(dirname "$1")" >&2
	return 1
}

# new_job RECIPE NAME=VALUE...: a flight $f with job J; its host
# directories are hostdir NAME.
new_job () {
	_r=$1
	shift
	f=$(ts-flight-create --branch b) &&
	ts-job-create "$f" J "$_r" "$@"
}
hostdir () {
	echo "$TLAB_LAB/logs/$f/J/$1"
}
# capture_log: the log of J's step logs-capture.
capture_log () {
	echo "$TLAB_LAB/$(db "SELECT log FROM steps WHERE flight = $f AND job = 'J'
	    AND testid = 'logs-capture'")"
}
# capture ARG...: ts-logs-capture by hand in job J of flight $f.
capture () {
	TLAB_FLIGHT=$f TLAB_JOB=J ts-logs-capture "$@"
}

# sshd_down NAME: stop NAME's sshd and wait until it is gone.
sshd_down () {
	_p=$(cat "$(sshd_dir "$1")/sshd.pid.keep") &&
	sshd_stop "$1" &&
	wait_for 5 "gone $_p"
}

# sshd_again NAME: start NAME's sshd from its config, as power-up does,
# and wait (10 s at most) until it listens.
sshd_again () {
	_d=$(sshd_dir "$1")
	_n=$(grep -c "Server listening" "$_d/sshd.log")
	setsid "$SSHD" -D -f "$_d/sshd_config" -E "$_d/sshd.log" \
	    </dev/null >/dev/null 2>&1 &
	echo $! >"$_d/sshd.pid.keep"
	wait_for 10 "test \$(grep -c \"Server listening\" \"$_d/sshd.log\") -gt $_n"
}

# host_env NAME [PATH]: NAME's commands run with HOME an empty directory
# (a login shell's rc file, run before each command, costs seconds on
# some machines) and PATH (default: fix/, then the usual directories).
host_env () {
	_d=$(sshd_dir "$1")
	mkdir -p "$TD/home" &&
	sshd_down "$1" &&
	# sshd takes the first SetEnv only: replace lib-sshd.sh's.
	sed -i "/^SetEnv /d" "$_d/sshd_config" &&
	echo "SetEnv HOME=$TD/home PATH=${2:-$TD/fix:$SYSPATH}" >>"$_d/sshd_config" &&
	"$SSHD" -t -f "$_d/sshd_config" &&
	sshd_again "$1"
}

# test_host NAME [PATH]: sshd_start, host_env, host_add NAME.
test_host () {
	sshd_start "$1" &&
	host_env "$1" "${2:-}" &&
	host_add "$1" >/dev/null
}

# works CMD ARG...: CMD is here, exits 0 and prints something.
works () {
	command -v "$1" >/dev/null 2>&1 || return 1
	_out=$("$@" 2>/dev/null) || return 1
	test -n "$_out"
}

# stand_in NAME TEXT: fix/NAME, a command that prints TEXT.
stand_in () {
	mkdir -p "$TD/fix" &&
	printf '#!/bin/sh\necho "%s"\n' "$2" >"$TD/fix/$1" &&
	chmod +x "$TD/fix/$1"
}

# What the hosts will have: a stand-in where the real command does not do.
if ! works dmesg; then
	stand_in dmesg "[0.000000] stand-in kernel log (dmesg does not work here)"
fi
have_journalctl=
if command -v journalctl >/dev/null 2>&1; then
	have_journalctl=t
	works journalctl -b --no-pager ||
	    stand_in journalctl "stand-in journal (journalctl -b does not work here)"
fi
have_xl=
if command -v xl >/dev/null 2>&1; then
	have_xl=t
	works xl dmesg || stand_in xl "(XEN) stand-in xl dmesg"
fi

# Files of ours in this machine's /var/log/xen (and the directory, if it
# was not there), removed at exit.  xen_ok when they are there.
# (test_atexit runs the last registered first: the directory goes last.)
xen_tag=tlab-t2400-$$
xen_ok=
if [ ! -e /var/log/xen ] && mkdir /var/log/xen 2>/dev/null; then
	test_atexit "rmdir /var/log/xen"
fi
if [ -d /var/log/xen ] && [ -w /var/log/xen ] &&
    mkdir "/var/log/xen/$xen_tag" 2>/dev/null; then
	test_atexit "rm -f /var/log/xen/$xen_tag.log; rm -rf /var/log/xen/$xen_tag"
	echo "xen log of $xen_tag" >"/var/log/xen/$xen_tag.log" &&
	mkdir "/var/log/xen/$xen_tag/console" &&
	echo "guest console of $xen_tag" >"/var/log/xen/$xen_tag/console/guest.log" &&
	xen_ok=t
fi

test_expect_success 'setup: a lab, hosts h1 and h2, power and console commands, a recipe' '
	lab_init &&
	printf "connect_timeout = 5\n" >>"$TLAB_LAB/tlab.conf" &&
	cat >power-up <<-EOF &&
	#!/bin/sh
	# power-up HOST ACTION: note it, start HOST'\''s sshd again from its
	# config, and return once it listens (10 s at most): a power command
	# ends when its action is done, and what is left of its process group
	# then is killed, a daemon that has not yet left it too.
	echo "\$*" >>"$TD/power.calls"
	d="$TD/hosts/\$1"
	n=\$(grep -c "Server listening" "\$d/sshd.log")
	setsid "$SSHD" -D -f "\$d/sshd_config" -E "\$d/sshd.log" </dev/null >/dev/null 2>&1 &
	echo \$! >"\$d/sshd.pid.keep"
	i=0
	while [ "\$(grep -c "Server listening" "\$d/sshd.log")" -le "\$n" ]; do
		i=\$((i + 1))
		[ "\$i" -le 100 ] || exit 1
		sleep 0.1
	done
	EOF
	cat >power-none <<-EOF &&
	#!/bin/sh
	echo "\$*" >>"$TD/power.calls"
	EOF
	cat >console-cmd <<-\EOF &&
	#!/bin/sh
	# console-cmd --host NAME: what a console server would give
	echo "console of host <$2> (args: $*)"
	echo "a word on stderr" >&2
	EOF
	chmod +x power-up power-none console-cmd &&
	printf "boot messages of h1\nlogin:\n" >console-h1 &&
	test_host h1 &&
	ts-host set h1 --prop "console=file:$TD/console-h1" \
	    --prop "power=cmd:$TD/power-up %h %a" &&
	test_host h2 &&
	ts-host set h2 --prop "console=cmd:\"$TD/console-cmd\" --host %h" \
	    --prop "power=cmd:$TD/power-up %h %a" &&
	write_recipe capture <<-\EOF
	always ts-logs-capture + --boot-timeout=15s
	EOF
'

# check_host DIR: what every reachable host of this machine gives.
check_host () {
	nonempty "$1/dmesg.txt" &&
	if [ -n "$have_journalctl" ]; then
		nonempty "$1/journal.txt"
	else
		test ! -e "$1/journal.txt"
	fi &&
	if [ -n "$have_xl" ]; then
		nonempty "$1/xl-dmesg.txt"
	else
		test ! -e "$1/xl-dmesg.txt"
	fi
}

# check_xen DIR: our files of /var/log/xen, fetched with their paths.
check_xen () {
	cmp "/var/log/xen/$xen_tag.log" "$1/var/log/xen/$xen_tag.log" &&
	cmp "/var/log/xen/$xen_tag/console/guest.log" \
	    "$1/var/log/xen/$xen_tag/console/guest.log"
}

test_expect_success 'a job with one host: always ts-logs-capture passes, its files in logs/F/J/h1/' '
	new_job capture host=h1 &&
	test_expect_code 0 ts-run-job "$f" J &&
	test "$(job_status "$f" J)" = pass &&
	test "$(step_status "$f" J logs-capture)" = pass &&
	d=$(hostdir h1) &&
	check_host "$d" &&
	cmp console-h1 "$d/console.txt" &&
	log=$(capture_log) &&
	has "^ts-logs-capture: host h1: dmesg: dmesg.txt, [1-9][0-9]* bytes\$" "$log" &&
	has "^ts-logs-capture: host h1: console: console.txt, [1-9][0-9]* bytes\$" "$log" &&
	hasnt_f "not fetched" "$log" &&
	last_line_is_exit "$log" 0
'

test_expect_success 'a host without xl: no xl-dmesg.txt, a note in the log, no failure' '
	if [ -n "$have_xl" ]; then
		echo "xl is here: nothing to check" && return 0
	fi &&
	has_f "host h1: xl dmesg: no xl on the host" "$(capture_log)"
'

if [ -n "$xen_ok" ]; then
	test_expect_success 'every regular file under /var/log/xen, with its path' '
		check_xen "$(hostdir h1)" &&
		has_f "host h1: /var/log/xen/$xen_tag/console/guest.log: " "$(capture_log)"
	'
else
	test_skip 'every regular file under /var/log/xen, with its path' \
	    'cannot add files to this machine'\''s /var/log/xen'
fi

test_expect_success 'two hosts of one job (host, dst_host): each in its own directory' '
	new_job capture host=h1 dst_host=h2 &&
	test_expect_code 0 ts-run-job "$f" J &&
	test "$(step_status "$f" J logs-capture)" = pass &&
	check_host "$(hostdir h1)" &&
	check_host "$(hostdir h2)" &&
	cmp console-h1 "$(hostdir h1)/console.txt" &&
	if [ -n "$xen_ok" ]; then
		check_xen "$(hostdir h1)" && check_xen "$(hostdir h2)"
	fi
'

test_expect_success 'console=cmd:TEMPLATE: words split as a shell would, %h the host, stdout the console' '
	echo "console of host <h2> (args: --host h2)" >expect &&
	test_cmp expect "$(hostdir h2)/console.txt" &&
	has_f "a word on stderr" "$(capture_log)"
'

test_expect_success 'by hand with idents: only those hosts; a host named twice is captured once' '
	new_job capture host=h1 dst_host=h2 src_host=h1 &&
	capture src_host host 2>err &&
	check_host "$(hostdir h1)" &&
	test ! -e "$(hostdir h2)" &&
	test "$(grep -c "host h1: dmesg: dmesg.txt" err)" = 1
'

test_expect_success 'a host that does not answer is power-cycled, captured on the second try: pass' '
	rm -f power.calls &&
	sshd_down h2 &&
	new_job capture host=h2 &&
	test_expect_code 0 ts-run-job "$f" J &&
	test "$(step_status "$f" J logs-capture)" = pass &&
	echo "h2 cycle" >expect &&
	test_cmp expect power.calls &&
	check_host "$(hostdir h2)" &&
	nonempty "$(hostdir h2)/console.txt" &&
	log=$(capture_log) &&
	has "^ts-logs-capture: host h2: cannot be reached (.*): power-cycling it" "$log" &&
	has_f "host h2: answers again" "$log" &&
	hasnt_f "not fetched" "$log"
'

test_expect_success 'power=ssh;cmd:...: ssh cannot reach the host, so the next method power-cycles it' '
	rm -f power.calls &&
	ts-host set h2 --prop "power=ssh; cmd:$TD/power-up %h %a" &&
	test_when_finished "ts-host set h2 --prop \"power=cmd:$TD/power-up %h %a\"" &&
	sshd_down h2 &&
	new_job capture host=h2 &&
	test_expect_code 0 ts-run-job "$f" J &&
	test "$(step_status "$f" J logs-capture)" = pass &&
	echo "h2 cycle" >expect &&
	test_cmp expect power.calls &&
	check_host "$(hostdir h2)" &&
	has "^ts-logs-capture: host h2: power cycle: power cmd: .*power-up h2 cycle: exit status 0, after ssh failed: power ssh: " "$(capture_log)"
'

test_expect_success 'setup: h4 (power does nothing) and h5 (no power property)' '
	test_host h4 &&
	ts-host set h4 --prop "console=file:$TD/console-h1" \
	    --prop "power=cmd:$TD/power-none %h %a" &&
	test_host h5 &&
	sshd_down h4 &&
	sshd_down h5 &&
	write_recipe capture-short <<-\EOF
	always ts-logs-capture + --boot-timeout=3s
	EOF
'

# not_fetched HOST FILE: each remote item of HOST is listed in FILE.
not_fetched () {
	for _i in dmesg journal /var/log/xen "xl dmesg"; do
		has "^ts-logs-capture: not fetched: host $1: $_i: " "$2" || return 1
	done
}

test_expect_success 'a host that stays unreachable: step broken (exit 3), each item listed' '
	rm -f power.calls &&
	new_job capture-short host=h4 &&
	t0=$(date +%s) &&
	test_expect_code 3 ts-run-job "$f" J &&
	t=$(($(date +%s) - t0)) &&
	echo "took $t s" &&
	test "$t" -lt 20 &&
	test "$(job_status "$f" J)" = broken &&
	test "$(step_status "$f" J logs-capture)" = broken &&
	echo "h4 cycle" >expect &&
	test_cmp expect power.calls &&
	log=$(capture_log) &&
	not_fetched h4 "$log" &&
	has_f "no answer after" "$log" &&
	cmp console-h1 "$(hostdir h4)/console.txt" &&
	test ! -e "$(hostdir h4)/dmesg.txt" &&
	last_line_is_exit "$log" 3
'

test_expect_success 'unreachable and no power method: exit 3, each item listed with why' '
	new_job capture-short host=h5 &&
	code_err 3 capture &&
	not_fetched h5 err &&
	has_f "power cycle failed: no property power" err &&
	has_f "host h5: console: no console property" err &&
	hasnt_f "not fetched: host h5: console" err &&
	tail -n 1 err | grep "^ts-logs-capture: 4 items not fetched"
'

test_expect_success 'one host of two unreachable: the other is captured all the same' '
	new_job capture-short host=h5 dst_host=h1 &&
	code_err 3 capture &&
	not_fetched h5 err &&
	check_host "$(hostdir h1)" &&
	hasnt_f "not fetched: host h1" err
'

test_expect_success 'a console command that fails or outlives --timeout: listed, the rest still fetched' '
	printf "#!/bin/sh\necho partial\necho \$\$ >\"%s\"\nexec sleep 30\n" \
	    "$TD/slow.pid" >console-slow &&
	chmod +x console-slow &&
	test_when_finished "kill_pidfile \"$TD/slow.pid\"" &&
	ts-host set h1 --prop "console=cmd:$TD/console-slow" &&
	new_job capture host=h1 &&
	t0=$(date +%s) &&
	code_err 3 capture --timeout 2 &&
	t=$(($(date +%s) - t0)) &&
	echo "took $t s" &&
	test "$t" -lt 10 &&
	has "^ts-logs-capture: not fetched: host h1: console: .*console-slow: timed out after 2 s" err &&
	test "$(grep -c "^ts-logs-capture: not fetched: " err)" = 1 &&
	echo partial >expect &&
	test_cmp expect "$(hostdir h1)/console.txt" &&
	wait_for 5 "gone \$(cat \"$TD/slow.pid\")" &&
	check_host "$(hostdir h1)" &&
	ts-host set h1 --prop "console=cmd:false" &&
	code_err 3 capture &&
	has "^ts-logs-capture: not fetched: host h1: console: false: exit status 1\$" err &&
	test ! -e "$(hostdir h1)/console.txt"
'

test_expect_success 'a bad console property is listed: neither file: nor cmd:, a bad template' '
	ts-host set h1 --prop "console=serial0" &&
	code_err 3 capture &&
	has_f "host h1: console: property console: '\''serial0'\'' is neither file:PATH nor cmd:TEMPLATE" err &&
	ts-host set h1 --prop "console=cmd:tail %q" &&
	code_err 3 capture &&
	has_f "host h1: console: property console: '\''tail %q'\'': %q is not" err &&
	ts-host set h1 --prop "console=cmd:" &&
	code_err 3 capture &&
	has_f "host h1: console: property console: '\'''\'': no command" err &&
	ts-host set h1 --prop "console=file:no-such-console" &&
	code_err 3 capture &&
	has_f "host h1: console: $TLAB_LAB/no-such-console: No such file or directory" err &&
	ts-host set h1 --prop "console=file:$TD/console-h1"
'

test_expect_success 'no journalctl on the host: /var/log/syslog instead, or a note' '
	mkdir -p h3bin &&
	for c in sh dmesg find; do
		p=$(command -v "$c") && ln -sf "$p" "h3bin/$c" || return 1
	done &&
	if [ -x fix/dmesg ]; then ln -sf "$TD/fix/dmesg" h3bin/dmesg; fi &&
	printf "#!/bin/sh\n[ \"\$1\" = dmesg ] && echo \"(XEN) stand-in hypervisor log\"\n" \
	    >h3bin/xl &&
	chmod +x h3bin/xl &&
	test_host h3 "$TD/h3bin" &&
	new_job capture host=h3 &&
	capture 2>err &&
	d=$(hostdir h3) &&
	nonempty "$d/dmesg.txt" &&
	test ! -e "$d/journal.txt" &&
	if [ -r /var/log/syslog ]; then
		nonempty "$d/var/log/syslog"
	else
		has_f "host h3: journal: neither journalctl nor /var/log/syslog on the host" err &&
		test ! -e "$d/var/log/syslog"
	fi
'

test_expect_success 'xl on the host: xl dmesg into xl-dmesg.txt' '
	echo "(XEN) stand-in hypervisor log" >expect &&
	test_cmp expect "$(hostdir h3)/xl-dmesg.txt"
'

syslog_made=
if [ ! -e /var/log/syslog ] && [ -w /var/log ] &&
    (set -C; echo "syslog line of tlab-t2400-$$" >/var/log/syslog) 2>/dev/null; then
	syslog_made=t
	test_atexit "rm -f /var/log/syslog"
fi
if [ -n "$syslog_made" ]; then
	test_expect_success 'no journalctl, but /var/log/syslog: it is fetched as var/log/syslog' '
		capture 2>err &&
		cmp /var/log/syslog "$(hostdir h3)/var/log/syslog" &&
		has_f "host h3: /var/log/syslog: " err
	'
else
	test_skip 'no journalctl, but /var/log/syslog: it is fetched as var/log/syslog' \
	    'this machine has a /var/log/syslog of its own, or it cannot be made'
fi

test_expect_success 'xl dmesg that fails is listed; the rest still fetched' '
	printf "#!/bin/sh\necho \"xl: cannot open privcmd\" >&2\nexit 1\n" >h3bin/xl &&
	code_err 3 capture &&
	has "^ts-logs-capture: not fetched: host h3: xl dmesg: exit status 1\$" err &&
	has_f "xl: cannot open privcmd" err &&
	test ! -e "$(hostdir h3)/xl-dmesg.txt" &&
	nonempty "$(hostdir h3)/dmesg.txt"
'

test_expect_success 'bad usage and bad input: exit 2, one line' '
	code_err 2 ts-logs-capture &&
	test_line_count = 1 err &&
	has "^ts-logs-capture: TLAB_FLIGHT and TLAB_JOB" err &&
	code_err 2 capture --timeout soon &&
	test_line_count = 1 err &&
	has_f "--timeout" err &&
	code_err 2 capture --boot-timeout 0 &&
	test_line_count = 1 err &&
	code_err 2 capture "bad ident" &&
	test_line_count = 1 err &&
	new_job capture host=h1 &&
	code_err 2 capture dst_host &&
	test_line_count = 1 err &&
	has "^ts-logs-capture: runvar dst_host: not set" err &&
	new_job capture host=nosuch &&
	code_err 2 capture &&
	test_line_count = 1 err &&
	has "^ts-logs-capture: host nosuch: no such host" err
'

test_expect_success 'a job with no hosts: nothing to capture, exit 0' '
	new_job capture &&
	capture 2>err &&
	has_f "the job has no hosts" err &&
	test ! -e "$TLAB_LAB/logs/$f/J/h1"
'

# test_done removes the trash directory before the atexit commands run, so
# that sshd_stop would find no pid file then: stop the hosts here.
for h in h1 h2 h3 h4 h5; do
	sshd_stop "$h"
done

test_done
