#!/bin/sh
test_description='a QEMU test host that can run Xen: make-image, start, ts-host add, exec, qmp reboots, stop'
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

test_expect_success 'ts-host-reboot, power qmp: system_reset; a new boot id' '
	write_recipe reboot <<-\EOF &&
	step ts-host-allocate host + --timeout=60
	step ts-host-reboot host + --up-timeout=180
	EOF
	fh=$(ts-flight-create --branch by-hand) &&
	ts-job-create "$fh" j-xh1 reboot host=xh1 &&
	t=$(date +%s) &&
	TLAB_FLIGHT=$fh TLAB_JOB=j-xh1 ts-host-reboot --up-timeout 300 host 2>reboot.err &&
	echo "TIME qmp system_reset reboot (ts-host-reboot): $(secs_since "$t") s" >>times &&
	grep "SSH down after\|SSH back after" reboot.err | sed "s/^/TIME   /" >>times &&
	cat reboot.err &&
	has "power qmp:.*: system_reset done$" reboot.err &&
	has "^ts-host-reboot: host xh1: rebooted in" reboot.err &&
	ts-host exec xh1 -- cat /proc/sys/kernel/random/boot_id >boot2 &&
	! cmp -s boot1 boot2 &&
	test "$(grep -c TLAB-XENHOST-READY "$(field console start.out)")" = 2
'

test_expect_success 'ts-host-reboot, power qmp with power_relaunch: QEMU quits, start --keep runs it again' '
	ts-host set xh1 --prop "power_relaunch=$(field relaunch start.out)" &&
	old=$(field pid start.out) &&
	t=$(date +%s) &&
	TLAB_FLIGHT=$fh TLAB_JOB=j-xh1 ts-host-reboot --up-timeout 300 host 2>relaunch.err &&
	echo "TIME qmp quit + relaunch reboot (ts-host-reboot): $(secs_since "$t") s" >>times &&
	grep "SSH down after\|SSH back after" relaunch.err | sed "s/^/TIME   /" >>times &&
	cat relaunch.err &&
	has "power qmp:.*: quit done; power_relaunch: .*/start xh1 --keep" relaunch.err &&
	gone "$old" &&
	new=$(cat "$TLAB_XENHOST_RUN/xh1/pid") &&
	test "$new" != "$old" &&
	kill -0 "$new" &&
	ts-host exec xh1 -- cat /proc/sys/kernel/random/boot_id >boot3 &&
	! cmp -s boot2 boot3 &&
	ts-host exec xh1 -- uname -r
'

test_expect_success 'ts-install-xen: xen_image, /boot/xen.gz and one GRUB entry, twice' '
	img=${TLAB_XENHOST_DIR:-/var/cache/tlab/xenhost}/xen-4.17-amd64.gz &&
	test -s "$img" &&
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

test_expect_success 'ts-install-xen: bad input is exit 2 (a command line GRUB would parse)' '
	ts-runvar "$fh" j-xh1 "dom0_boot_append=quiet; reboot" &&
	code_err 2 env TLAB_FLIGHT=$fh TLAB_JOB=j-xh1 ts-install-xen host &&
	has_f "GRUB would read as syntax" err &&
	ts-runvar "$fh" j-xh1 "dom0_boot_append=quiet loglevel=3 net.ifnames=0" &&
	code_err 2 env TLAB_FLIGHT=$fh TLAB_JOB=j-xh1 ts-install-xen nohost &&
	code_err 2 ts-install-xen
'

test_expect_success 'ts-host-reboot into Xen (qmp relaunch): /sys/hypervisor/type is xen, xl info says 4.17' '
	t=$(date +%s) &&
	TLAB_FLIGHT=$fh TLAB_JOB=j-xh1 ts-host-reboot --up-timeout 400 host 2>xen-reboot.err ||
	{ cat xen-reboot.err; tail -n 40 "$(field console start.out)"; false; } &&
	echo "TIME reboot into Xen (qmp quit + relaunch): $(secs_since "$t") s" >>times &&
	grep "SSH down after\|SSH back after" xen-reboot.err | sed "s/^/TIME   /" >>times &&
	cat xen-reboot.err &&
	ts-host exec xh1 -- cat /sys/hypervisor/type >hyp &&
	is xen "$(cat hyp)" &&
	t=$(date +%s) &&
	ts-host exec xh1 -- xl info >xlinfo &&
	echo "TIME xl info: $(secs_since "$t") s" >>times &&
	cat xlinfo &&
	has "^xen_version *: 4\.17" xlinfo
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
