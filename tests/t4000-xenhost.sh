#!/bin/sh
test_description='a QEMU test host that runs Xen: make-image, start, qmp reboots, ts-install-xen, test-xen-guest jobs (pass, an honest fail, QEMU killed), stop'
. "${abs_top_srcdir:-$(dirname "$0")/..}/tests/lib/test-lib.sh"

# The host is a real QEMU machine (software emulation: TCG) booting Debian
# 12 from the image of tests/xenhost/make-image, cached in
# $TLAB_XENHOST_DIR (default /var/cache/tlab/xenhost): about 2 minutes to
# build the first time, a second to reuse.  It boots plain Debian through
# its own GRUB (no Xen yet: installing Xen is ts-install-xen's).  Its run
# directory (disk overlay, console, QMP socket, pid) is in the trash; it is
# stopped when the file ends, whatever happened.

require_command sqlite3 ssh ssh-keygen
[ "$(id -u)" = 0 ] || test_skip_all "tests/xenhost/make-image needs root"

xh=$abs_top_srcdir/tests/xenhost
cache=${TLAB_XENHOST_DIR:-/var/cache/tlab/xenhost}
TLAB_XENHOST_RUN=$TRASH_DIRECTORY/run
export TLAB_XENHOST_RUN

# secs_since T0: whole seconds since T0 (a date +%s).
secs_since () {
	echo $(($(date +%s) - $1))
}

# field NAME FILE: the value of the line "NAME value" of start's output.
field () {
	sed -n "s/^$1 //p" "$2"
}

t0=$(date +%s)
"$xh/make-image" >make-image.out 2>&1
image_rc=$?
t_image=$(secs_since "$t0")
if [ "$image_rc" = 3 ]; then
	test_skip_all "no image: $(tail -n 1 make-image.out)"
fi

test_expect_success 'make-image made or reused the image' '
	cat make-image.out &&
	is 0 "$image_rc" &&
	if grep -q "^make-image: reused" make-image.out; then
		echo "TIME make-image (reused): $t_image s" >>times
	else
		echo "TIME make-image (built from scratch): $t_image s" >>times
	fi
'

test_expect_success 'a second make-image reuses the cache, saying so' '
	t=$(date +%s) &&
	"$xh/make-image" >again.out 2>&1 &&
	echo "TIME make-image (reused): $(secs_since "$t") s" >>times &&
	has "^make-image: reused .* (recipe [0-9a-f]*)" again.out &&
	test "$(secs_since "$t")" -lt 10
'

test_expect_success 'bad usage: exit 2, one line' '
	code_err 2 "$xh/make-image" --bogus && test_line_count = 1 err &&
	code_err 2 "$xh/start" && test_line_count = 1 err &&
	code_err 2 "$xh/start" xh1 --port soon && test_line_count = 1 err &&
	code_err 2 "$xh/stop" && test_line_count = 1 err &&
	"$xh/make-image" --help >out && has "^usage:" out &&
	"$xh/start" --help >out && has "^usage:" out
'

test_expect_success 'start: a host that answers SSH, with what ts-host add needs' '
	lab_init &&
	test_atexit "\"$xh/stop\" xh1" &&
	t=$(date +%s) &&
	"$xh/start" xh1 --authorized-key "$TLAB_LAB/ssh/id_ed25519.pub" >start.out &&
	echo "TIME start to SSH login: $(secs_since "$t") s (QEMU says $(field boot start.out))" >>times &&
	cat start.out &&
	has "^address root@127\.0\.0\.1:[0-9]*$" start.out &&
	test -S "$(field qmp start.out)" &&
	test -s "$(field console start.out)" &&
	test -s "$(field key start.out)" &&
	kill -0 "$(field pid start.out)" &&
	has "^relaunch .*/start xh1 --keep " start.out &&
	grep -q TLAB-XENHOST-READY "$(field console start.out)"
'

test_expect_success 'a second start of a running host: refused' '
	code_err 1 "$xh/start" xh1 --no-wait &&
	has_f "running already" err
'

test_expect_success 'ts-host add: the lab logs in with its own key' '
	ts-host add xh1 --address "$(field address start.out)" --arch amd64 \
	    --flags purpose-test \
	    --prop "power=qmp:$(field qmp start.out)" \
	    --prop "console=file:$(field console start.out)" >add.out &&
	cat add.out &&
	ts-host show xh1 >show.out &&
	has_f "power=qmp:" show.out
'

test_expect_success 'ts-host exec: uname -r is the Debian kernel of the image' '
	ts-host exec xh1 -- uname -r >uname.out &&
	has "^6\.[0-9]*\.[0-9]*-[0-9]*-amd64$" uname.out &&
	ts-host exec xh1 -- test -x /usr/sbin/xl &&
	ts-host exec xh1 -- cat /proc/sys/kernel/random/boot_id >boot1
'

test_expect_success 'ts-install-xen: xen_image, /boot/xen.gz and one GRUB entry, twice' '
	img=$cache/xen-4.17-amd64.gz &&
	test -s "$img" &&
	write_recipe by-hand <<-\EOF &&
	step ts-host-allocate host
	EOF
	fh=$(ts-flight-create --branch by-hand) &&
	ts-job-create "$fh" j-xh1 by-hand host=xh1 &&
	ts-runvar "$fh" j-xh1 "xen_image=$img" \
	    "xen_boot_append=dom0_max_vcpus=2 loglvl=all guest_loglvl=all bootscrub=false" \
	    "dom0_boot_append=quiet loglevel=3 net.ifnames=0" &&
	t=$(date +%s) &&
	TLAB_FLIGHT=$fh TLAB_JOB=j-xh1 ts-install-xen host >inst.out 2>inst.err &&
	echo "TIME ts-install-xen (xen_image): $(secs_since "$t") s" >>times &&
	cat inst.err inst.out &&
	sum=$(sha256sum "$img" | cut -d" " -f1) &&
	has "^xen_installed=$sum$" inst.out &&
	has "^xen_boot_entry=xen$" inst.out &&
	test_line_count = 2 inst.out &&
	TLAB_FLIGHT=$fh TLAB_JOB=j-xh1 ts-install-xen host >inst2.out 2>inst2.err &&
	ts-host exec xh1 -- sha256sum /boot/xen.gz >rsum &&
	has "^$sum " rsum &&
	ts-host exec xh1 -- cat /boot/grub/grub.cfg >grub.cfg &&
	cat grub.cfg &&
	test "$(grep -c "^menuentry .xen. " grub.cfg)" = 1 &&
	test "$(grep -c "^set default=" grub.cfg)" = 1 &&
	has "^set default=xen$" grub.cfg &&
	has "^  multiboot2 /boot/xen.gz console=com1 com1=115200,8n1 dom0_mem=1024M,max:1024M dom0_max_vcpus=2 " grub.cfg &&
	has "^  module2 /boot/vmlinuz root=/dev/vda rw console=hvc0 quiet loglevel=3 net.ifnames=0$" grub.cfg &&
	ts-runvar "$fh" j-xh1 xen_installed >r && is "$sum" "$(cat r)" &&
	ts-runvar "$fh" j-xh1 xen_boot_entry >r && is xen "$(cat r)"
'

test_expect_success 'ts-install-xen: from the build job'\''s dist tarball (its boot/xen*.gz)' '
	mkdir -p dist/boot &&
	cp "$img" dist/boot/xen-4.17-amd64.gz &&
	ln -s xen-4.17-amd64.gz dist/boot/xen.gz &&
	tar -czf xendist.tar.gz -C dist . &&
	write_recipe fakebuild <<-EOF &&
	step --testid=dist ts-runvar "path_xendist=$PWD/xendist.tar.gz"
	EOF
	fd=$(ts-flight-create --branch by-hand) &&
	ts-job-create "$fd" build-amd64 fakebuild &&
	ts-job-create "$fd" j-dist by-hand host=xh1 buildjob=build-amd64 &&
	ts-run-job "$fd" build-amd64 &&
	TLAB_FLIGHT=$fd TLAB_JOB=j-dist ts-install-xen host >dist.out 2>dist.err ||
	{ cat dist.err; false; } &&
	cat dist.err dist.out &&
	has "^xen_installed=$sum$" dist.out &&
	ts-runvar "$fd" j-dist xen_installed_from >r &&
	is "dist:$PWD/xendist.tar.gz" "$(cat r)" &&
	ts-host exec xh1 -- sha256sum /boot/xen.gz >rsum &&
	has "^$sum " rsum &&
	ts-host exec xh1 -- ls /var/tmp >tmp.out &&
	! grep -q tlab-xendist tmp.out
'

test_expect_success 'ts-install-xen: bad input is exit 2 (a command line GRUB would parse)' '
	ts-runvar "$fh" j-xh1 "dom0_boot_append=quiet; reboot" &&
	code_err 2 env TLAB_FLIGHT=$fh TLAB_JOB=j-xh1 ts-install-xen host &&
	has_f "GRUB would read as syntax" err &&
	ts-runvar "$fh" j-xh1 "dom0_boot_append=quiet loglevel=3 net.ifnames=0" &&
	code_err 2 env TLAB_FLIGHT=$fh TLAB_JOB=j-xh1 ts-install-xen nohost &&
	code_err 2 ts-install-xen
'

test_expect_success 'ts-host-reboot, power "ssh;qmp:": an SSH reboot that does nothing, then QMP' '
	ts-host set xh1 --prop "power=ssh;qmp:$(field qmp start.out)" \
	    --prop power_ssh_cycle=true \
	    --prop "power_relaunch=$(field relaunch start.out)" &&
	ts-host exec xh1 -- cat /proc/sys/kernel/random/boot_id >boot1 &&
	t=$(date +%s) &&
	TLAB_FLIGHT=$fh TLAB_JOB=j-xh1 ts-host-reboot --down-timeout 10s \
	    --up-timeout 300s host 2>fallback.err ||
	{ cat fallback.err; false; } &&
	echo "TIME reboot by ssh (does nothing), then qmp: $(secs_since "$t") s" >>times &&
	cat fallback.err &&
	has "ssh failed: .*; trying qmp:" fallback.err &&
	has "rebooted in [0-9]* s by qmp:.*, after ssh failed" fallback.err &&
	ts-host exec xh1 -- cat /proc/sys/kernel/random/boot_id >boot2 &&
	! cmp -s boot1 boot2 &&
	ts-host exec xh1 -- cat /sys/hypervisor/type >hyp &&
	is xen "$(cat hyp)" &&
	ts-host set xh1 --prop "power=qmp:$(field qmp start.out)"
'

# The guest of the jobs, from this machine's own packages.
test_expect_success 'make-guest: a kernel and two busybox initramfs (up, panic)' '
	"$xh/make-guest" >guest.out &&
	cat guest.out &&
	for f in guest-vmlinuz guest-initrd.gz guest-panic-initrd.gz; do
		test -s "$cache/$f" || return 1
	done
'

# job NAME RUNVAR...: a test-xen-guest job in flight $fx on xh1 (the Xen of
# the image, the suite's guest), with RUNVARs on top.
job () {
	_j=$1
	shift
	ts-job-create "$fx" "$_j" test-xen-guest all_hostflags=purpose-test \
	    "xen_image=$cache/xen-4.17-amd64.gz" \
	    "xen_boot_append=dom0_max_vcpus=2 loglvl=all guest_loglvl=all bootscrub=false" \
	    "dom0_boot_append=quiet loglevel=3 net.ifnames=0" \
	    "guest_kernel=$cache/guest-vmlinuz" "guest_ramdisk=$cache/guest-initrd.gz" \
	    guest_marker=TLAB-GUEST-UP "$@"
}

# steps FLIGHT JOB: "testid status" of each step, in order.
steps () {
	db "SELECT testid || ' ' || status FROM steps WHERE flight = $1 AND job = '$2' ORDER BY stepno"
}

# times FLIGHT JOB: each step's time into the file times.
step_times () {
	db "SELECT '$2 ' || testid || ': ' || (finished - started) || ' s' FROM steps WHERE flight = $1 AND job = '$2' ORDER BY stepno" |
	    sed "s/^/TIME   /" >>times
}

test_expect_success 'power_relaunch: a power cycle is QMP quit and start --keep; the jobs' '
	ts-host set xh1 --prop "power_relaunch=$(field relaunch start.out)" &&
	fx=$(ts-flight-create --branch xen-4.17) && echo "$fx" >fx &&
	job panic "guest_ramdisk=$cache/guest-panic-initrd.gz" &&
	job good guest_type=pvh guest_tsc_mode=native &&
	write_recipe guest-only <<-\EOF &&
	step ts-host-allocate host
	step ts-guest-start + host guest
	always ts-logs-capture host
	EOF
	ts-job-create "$fx" killed guest-only all_hostflags=purpose-test \
	    "guest_kernel=$cache/guest-vmlinuz" "guest_ramdisk=$cache/guest-initrd.gz" \
	    guest_marker=TLAB-GUEST-UP
'
fx=$(cat fx 2>/dev/null)

test_expect_success 'a guest whose kernel panics: guest-start fails, the host is well' '
	t=$(date +%s) &&
	test_expect_code 1 ts-run-job "$fx" panic &&
	echo "TIME job panic (fails at guest-start): $(secs_since "$t") s" >>times &&
	step_times "$fx" panic &&
	steps "$fx" panic >steps.out &&
	cat steps.out &&
	cat >expect <<-\EOF &&
	host-allocate/host pass
	install-xen pass
	host-reboot pass
	xen-check pass
	guest-start fail
	logs-capture/host pass
	EOF
	test_cmp expect steps.out &&
	is fail "$(job_status "$fx" panic)" &&
	log=$TLAB_LAB/logs/$fx/panic &&
	has_f "its domain ended before its sign of life" "$log/"*.ts-guest-start.log &&
	has_f "Kernel panic" "$log/xh1/var/log/xen/console/guest-guest.log" &&
	has_f "TLAB-GUEST-PANIC" "$log/xh1/var/log/xen/console/guest-guest.log" &&
	ts-host show xh1 >show.out &&
	has "^state *free" show.out &&
	ts-host exec xh1 -- xl list >xl.out &&
	! grep -q "^guest " xl.out
'

test_expect_success 'test-xen-guest on the same host: every step passes, every log is there' '
	t=$(date +%s) &&
	ts-run-job "$fx" good ||
	{ cat "$TLAB_LAB/logs/$fx/good/"*.log; false; } &&
	echo "TIME job good (all steps): $(secs_since "$t") s" >>times &&
	step_times "$fx" good &&
	steps "$fx" good >steps.out &&
	cat steps.out &&
	cat >expect <<-\EOF &&
	host-allocate/host pass
	install-xen pass
	host-reboot pass
	xen-check pass
	guest-start pass
	guest-saverestore pass
	guest-localmigrate pass
	guest-stop pass
	logs-capture/host pass
	EOF
	test_cmp expect steps.out &&
	is pass "$(job_status "$fx" good)" &&
	log=$TLAB_LAB/logs/$fx/good &&
	has "power qmp:.*: quit done; power_relaunch: " "$log/"*.ts-host-reboot.log &&
	ts-runvar "$fx" good xen_running_version >r && has "^4\.17\." r &&
	has_f "it is the Xen installed" "$log/"*.ts-xen-check.log &&
	has_f "up after xl restore" "$log/"*.ts-guest-saverestore.log &&
	has_f "up after xl migrate" "$log/"*.ts-guest-localmigrate.log &&
	for f in console.txt xl-dmesg.txt journal.txt dmesg.txt \
	    var/log/xen/console/guest-guest.log; do
		test -s "$log/xh1/$f" || { echo "no $f"; return 1; }
	done &&
	has_f "(XEN) Xen version 4.17" "$log/xh1/xl-dmesg.txt" &&
	grep -q "TLAB-GUEST-UP type=PVH" "$log/xh1/var/log/xen/console/guest-guest.log" &&
	has_f "TLAB-GUEST-POWEROFF" "$log/xh1/var/log/xen/console/guest-guest--incoming.log" &&
	ts-host exec xh1 -- xl list >xl.out &&
	! grep -q "^guest" xl.out
'
test_expect_success 'QEMU killed in the middle of a guest start: broken, and the host is rebooted or quarantined' '
	ts-host exec xh1 -- cat /proc/sys/kernel/random/boot_id >boot-before &&
	qemu=$(cat "$TLAB_XENHOST_RUN/xh1/pid") &&
	test -n "$qemu" && kill -0 "$qemu" &&
	t=$(date +%s) || return 1
	# In the background alone: an & ending an && list would put the whole
	# list there.
	ts-run-job "$fx" killed >killed.out 2>&1 &
	runner=$!
	log=$TLAB_LAB/logs/$fx/killed &&
	i=0 &&
	until grep -q "xl create" "$log/2.ts-guest-start.log" 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -lt 600 ] || { kill "$runner"; return 1; }
		sleep 0.2
	done &&
	kill -9 "$qemu" &&
	echo "killed QEMU $qemu at: $(grep "xl create" "$log/2.ts-guest-start.log")" &&
	{ wait "$runner"; echo $? >killed.rc; } &&
	echo "TIME job killed (QEMU killed at xl create, host back): $(secs_since "$t") s" >>times &&
	step_times "$fx" killed &&
	cat killed.out &&
	is 3 "$(cat killed.rc)" &&
	steps "$fx" killed >steps.out &&
	cat steps.out &&
	has "^guest-start broken$" steps.out &&
	is broken "$(job_status "$fx" killed)" &&
	has_f "ts-guest-start: host xh1: " "$log/2.ts-guest-start.log" &&
	ts-host show xh1 >show.out &&
	cat show.out &&
	if grep -q "^state *quarantined" show.out; then
		has_f "ended broken" show.out
	else
		has "^state *free" show.out &&
		new=$(cat "$TLAB_XENHOST_RUN/xh1/pid") &&
		test "$new" != "$qemu" && kill -0 "$new" &&
		ts-host exec xh1 -- cat /proc/sys/kernel/random/boot_id >boot-after &&
		! cmp -s boot-before boot-after &&
		ts-host exec xh1 -- cat /sys/hypervisor/type >hyp &&
		is xen "$(cat hyp)"
	fi
'

test_expect_success 'stop: QMP quit; QEMU is gone; a second stop is no error' '
	pid=$(cat "$TLAB_XENHOST_RUN/xh1/pid") &&
	"$xh/stop" xh1 >stop.out &&
	cat stop.out &&
	has "stopped (QMP quit)$" stop.out &&
	gone "$pid" &&
	"$xh/stop" xh1 >stop.out &&
	has "not running" stop.out
'

test -f times && sed 's/^/# /' times
test_done
