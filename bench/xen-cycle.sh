#!/bin/sh
# bench/xen-cycle.sh: the phases of one test-xen-guest job on a QEMU Xen
# test host (tests/xenhost), timed as tlab runs them (ts-run-job: each
# step, ts-step's recording included), beside the same actions done by
# hand over OpenSSH (ssh and scp, one command line per action, a new
# connection each, as a person would) on the same host, in one run:
#
#	install     Xen into /boot and GRUB's entry
#	reboot      QMP quit, QEMU started again, until SSH answers
#	xl info     /sys/hypervisor/type and xl info
#	guest start the guest's files copied, xl create, until its marker
#	save/restore xl save, xl restore, until its marker again
#	migrate     xl migrate within the host, until its marker again
#	stop        xl shutdown, until the domain is gone
#	logs        console, xl dmesg, journal, dmesg, /var/log/xen
#
# Target: tlab's own overhead (its total less the by-hand total) under 5%
# of the whole.  Software emulation makes the guest phases vary by tens
# of seconds from run to run; read one run's figures with that in mind.
#
# Needs root, QEMU and the cached image (tests/xenhost/make-image: about 5
# minutes the first time).  Prints figures; never fails on them.  Run it
# from a build directory (`make bench-xen`), or with BUILD=DIR.
#
#	BUILD=DIR	the build directory whose cmd/ to use (default: .)
#	KEEP=1		keep the temporary lab and the host's run directory

set -eu

BUILD=${BUILD:-.}
if [ -x "$BUILD/cmd/ts-run-job" ]; then
	PATH=$(cd "$BUILD/cmd" && pwd):$PATH
fi
if [ -z "${TLAB_DATADIR:-}" ]; then
	TLAB_DATADIR=$(cd "$(dirname "$0")/.." && pwd)
fi
export PATH TLAB_DATADIR
unset TLAB_LAB TLAB_FLIGHT TLAB_JOB TLAB_STEP TLAB_TESTID TLAB_SIMULATE \
    TLAB_LIBSH TLAB_RECIPE
LC_ALL=C
export LC_ALL

me=xen-cycle
say () {
	echo "$me: $*" >&2
}
command -v ts-run-job >/dev/null 2>&1 ||
    { say "ts-run-job: not found (run from a build directory, or set BUILD=DIR)"; exit 2; }
[ "$(id -u)" = 0 ] || { say "needs root (tests/xenhost/make-image); nothing measured"; exit 0; }

xh=$TLAB_DATADIR/tests/xenhost
cache=${TLAB_XENHOST_DIR:-/var/cache/tlab/xenhost}
if ! "$xh/make-image" >/dev/null 2>"${TMPDIR:-/tmp}/$me.err"; then
	say "no image: $(tail -n 1 "${TMPDIR:-/tmp}/$me.err"); nothing measured"
	exit 0
fi
"$xh/make-guest" >/dev/null

work=$(mktemp -d "${TMPDIR:-/tmp}/xen-cycle.XXXXXX")
TLAB_XENHOST_RUN=$work/run
export TLAB_XENHOST_RUN
cleanup () {
	"$xh/stop" xb1 >/dev/null 2>&1 || true
	if [ -n "${KEEP:-}" ]; then say "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now () {
	date +%s.%N
}
# secs T0 T1: T1 - T0 to a tenth of a second.
secs () {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'
}

ts-lab-init "$work/lab" >/dev/null
TLAB_LAB=$work/lab
export TLAB_LAB
"$xh/start" xb1 --authorized-key "$TLAB_LAB/ssh/id_ed25519.pub" >"$work/start.out"
field () {
	sed -n "s/^$1 //p" "$work/start.out"
}
addr=$(field address)
port=${addr##*:}
qmp=$(field qmp)
relaunch=$(field relaunch)
ts-host add xb1 --address "$addr" --arch amd64 --flags purpose-test \
    --prop "power=qmp:$qmp" --prop "power_relaunch=$relaunch" \
    --prop "console=file:$(field console)" >/dev/null

# --- tlab: the recipe's steps, each timed around its `step` ---------------

TIMES=$work/tlab.times
export TIMES
cat >"$TLAB_LAB/recipes/xen-cycle.sh" <<'EOF'
. "$TLAB_LIBSH"
t () { echo "$1 $(date +%s.%N)" >>"$TIMES"; }
step ts-host-allocate host
t install; step --on-fail=broken ts-install-xen + host
t reboot; step ts-host-reboot + host
t xl-info; step ts-xen-check + host
t guest-start; step ts-guest-start + host guest
t save-restore; step ts-guest-saverestore + host guest
t migrate; step ts-guest-localmigrate + host guest
t stop; step ts-guest-stop + host guest
t logs; always ts-logs-capture host
t end
EOF
fx=$(ts-flight-create --branch xen-cycle)
ts-job-create "$fx" cycle xen-cycle all_hostflags=purpose-test \
    "xen_image=$cache/xen-4.17-amd64.gz" \
    "xen_boot_append=dom0_max_vcpus=2 loglvl=all guest_loglvl=all bootscrub=false" \
    "dom0_boot_append=quiet loglevel=3 net.ifnames=0" \
    "guest_kernel=$cache/guest-vmlinuz" "guest_ramdisk=$cache/guest-initrd.gz" \
    guest_marker=TLAB-GUEST-UP guest_type=pvh guest_tsc_mode=native >/dev/null
t0=$(now)
if ! ts-run-job "$fx" cycle >/dev/null 2>&1; then
	say "the tlab job did not pass: $(ts-flight-show "$fx" | tail -n 12)"
	KEEP=1
fi
t1=$(now)
tlab_total=$(secs "$t0" "$t1")

# --- by hand: the same actions with ssh and scp -----------------------------

key=$TLAB_LAB/ssh/id_ed25519
sshopt="-q -i $key -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o ConnectTimeout=10"
h () {
	# shellcheck disable=SC2086
	ssh $sshopt -p "$port" root@127.0.0.1 "$@"
}
cp_to () {
	# shellcheck disable=SC2086
	scp $sshopt -P "$port" "$1" "root@127.0.0.1:$2"
}
HAND=$work/hand.times
: >"$HAND"
mark () {
	echo "$1 $(now)" >>"$HAND"
}
g=/var/lib/tlab/guest/guest
wait_marker='f=/var/log/xen/console/guest-guest$1.log; off=$(wc -c <"$f" 2>/dev/null || echo 0); shift; "$@" || exit 1;
	timeout 120 sh -c "until tail -c +\$((\$1 + 1)) \"\$2\" 2>/dev/null | grep -q TLAB-GUEST-UP || grep -q TLAB-GUEST-UP \"\$2\"--incoming 2>/dev/null; do sleep 1; done" sh "$off" "$f"'

h 'xl destroy guest 2>/dev/null; rm -f /var/log/xen/console/*' || true
mark install
cp_to "$cache/xen-4.17-amd64.gz" /boot/xen.gz.new
h 'mv -f /boot/xen.gz.new /boot/xen.gz && sha256sum /boot/xen.gz >/dev/null &&
    cp /boot/grub/grub.cfg /boot/grub/grub.cfg.new && mv -f /boot/grub/grub.cfg.new /boot/grub/grub.cfg && sync'
mark reboot
perl -MIO::Socket::UNIX -e '
	my $s = IO::Socket::UNIX->new(Peer => $ARGV[0]) or die "qmp: $!\n";
	<$s>; print $s "{\"execute\":\"qmp_capabilities\"}\n"; <$s>;
	print $s "{\"execute\":\"quit\"}\n"; 1 while <$s>;' "$qmp"
sh -c "$relaunch" >/dev/null
i=0
until h true 2>/dev/null; do
	i=$((i + 1))
	[ "$i" -lt 400 ] || { say "by hand: no SSH after the reboot"; exit 0; }
	sleep 1
done
mark xl-info
h 'cat /sys/hypervisor/type; xl info' >/dev/null
mark guest-start
h "mkdir -p $g"
cp_to "$cache/guest-vmlinuz" "$g/kernel"
cp_to "$cache/guest-initrd.gz" "$g/ramdisk"
h "sh -c '$wait_marker' sh '' xl create $g/guest.cfg" >/dev/null 2>&1
mark save-restore
h "xl save guest $g/guest.save >/dev/null 2>&1 && sh -c '$wait_marker' sh '' xl restore $g/guest.save; rm -f $g/guest.save" >/dev/null 2>&1
mark migrate
h "rm -f /var/log/xen/console/guest-guest--incoming.log; sh -c '$wait_marker' sh '' xl migrate -s '' guest 'xl migrate-receive'" >/dev/null 2>&1
mark stop
h 'xl shutdown -w guest' >/dev/null 2>&1
mark logs
mkdir -p "$work/hand-logs"
cp "$(field console)" "$work/hand-logs/console"
h 'xl dmesg' >"$work/hand-logs/xl-dmesg.txt"
h 'journalctl -b --no-pager' >"$work/hand-logs/journal.txt"
h 'dmesg' >"$work/hand-logs/dmesg.txt"
h 'tar -C / -cf - var/log/xen' | tar -C "$work/hand-logs" -xf -
mark end

# --- the table ----------------------------------------------------------------

# phase_times FILE: "PHASE SECONDS" from consecutive marks.
phase_times () {
	awk 'NR > 1 { printf "%s %.1f\n", p, $2 - t } { p = $1; t = $2 }' "$1"
}
phase_times "$TIMES" >"$work/tlab.phases"
phase_times "$HAND" >"$work/hand.phases"
hand_total=$(awk '{ s += $2 } END { printf "%.1f", s }' "$work/hand.phases")

echo "# $me: one test-xen-guest job (PVH guest) on a QEMU TCG Xen host, $(nproc) cores"
printf '%-14s %9s %9s %9s\n' phase tlab_s hand_s diff_s
join "$work/tlab.phases" "$work/hand.phases" 2>/dev/null |
    awk '{ printf "%-14s %9.1f %9.1f %+9.1f\n", $1, $2, $3, $2 - $3 }' ||
    paste "$work/tlab.phases" "$work/hand.phases"
phases=$(awk '{ s += $2 } END { printf "%.1f", s }' "$work/tlab.phases")
printf '%-14s %9s %9s %+9.1f\n' "sum" "$phases" "$hand_total" \
    "$(awk -v a="$phases" -v b="$hand_total" 'BEGIN { print a - b }')"
echo "tlab job total (ts-run-job, allocation and the job's bookkeeping included): $tlab_total s"
awk -v a="$tlab_total" -v b="$hand_total" 'BEGIN {
	printf "tlab overhead: %+.1f s, %+.1f%% of the by-hand total (target: under 5%%)\n",
	    a - b, 100 * (a - b) / b }'
