#!/bin/sh
# bench/ssh-exec.sh: the round trip of `true` on a host through lib/ssh,
# beside OpenSSH's client, in one run against one sshd on 127.0.0.1:
#
#	tlab, fresh connection     connect, log in, run, close (lib/ssh)
#	tlab, reused connection    run on a connection open already
#	ssh, plain                 ssh -i KEY ... true
#	ssh, ControlMaster         ssh through a master connection
#
# Targets: a fresh connection no slower than plain ssh; a command on a
# reused connection within 2x of ControlMaster.  Prints figures; never
# fails on them.  Run with `make bench` (it builds bench/ssh-exec), or
# BUILD=DIR sh bench/ssh-exec.sh.  N=runs (default 30).
set -eu

N=${N:-30}
BUILD=${BUILD:-.}
SSHD=${SSHD:-/usr/sbin/sshd}
probe=$BUILD/bench/ssh-exec
me=ssh-exec
[ -x "$SSHD" ] || { echo "$me: no $SSHD (openssh-server); nothing measured" >&2; exit 0; }
[ -x "$probe" ] || { echo "$me: $probe not built (make bench)" >&2; exit 2; }

dir=$(mktemp -d "${TMPDIR:-/tmp}/tlab-ssh-exec.XXXXXX")
pid=
cleanup () {
	[ -z "$pid" ] || kill "$pid" 2>/dev/null || :
	[ ! -S "$dir/cm" ] || ssh -o ControlPath="$dir/cm" -O exit x 2>/dev/null || :
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM

ssh-keygen -q -t ed25519 -N '' -f "$dir/hostkey"
ssh-keygen -q -t ed25519 -N '' -f "$dir/key"
cp "$dir/key.pub" "$dir/authorized_keys"
# sshd reads authorized_keys as the user logging in.
chmod 755 "$dir"
chmod 644 "$dir/authorized_keys"
mkdir -p /run/sshd 2>/dev/null || :
for try in 1 2 3 4 5; do
	port=$((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 40000))
	cat >"$dir/sshd_config" <<EOC
Port $port
ListenAddress 127.0.0.1
HostKey $dir/hostkey
PidFile $dir/sshd.pid
AuthorizedKeysFile $dir/authorized_keys
PermitRootLogin prohibit-password
AllowUsers *
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
MaxStartups 200
MaxSessions 200
EOC
	: >"$dir/log"
	"$SSHD" -D -f "$dir/sshd_config" -E "$dir/log" &
	pid=$!
	i=0
	while [ $i -lt 100 ] && ! grep -q "Server listening" "$dir/log"; do
		sleep 0.1
		i=$((i + 1))
	done
	grep -q "Server listening" "$dir/log" && break
	kill "$pid" 2>/dev/null || :
	pid=
done
[ -n "$pid" ] || { echo "$me: sshd did not start" >&2; exit 3; }
# The user's shell starts for every command: root's may load a lot (pyenv,
# nvm...), which would swamp what is measured.  As root, measure with a
# user of our own whose shell is /bin/sh.
user=$(id -un)
if [ "$(id -u)" = 0 ]; then
	user=tlab-bench
	id "$user" >/dev/null 2>&1 ||
	    useradd -r -M -d / -s /bin/sh -p '*' "$user" 2>/dev/null || user=root
fi
echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$dir/hostkey.pub")" >"$dir/known_hosts"

set -- $("$probe" "$dir/key" "$dir/known_hosts" "$user@127.0.0.1:$port" "$N")
fresh=$1 reuse=$2

ssh_opts="-i $dir/key -o UserKnownHostsFile=$dir/known_hosts -o StrictHostKeyChecking=yes -o BatchMode=yes -o LogLevel=ERROR -p $port"
# median_ms CMD...: the median of N runs of CMD, in ms
median_ms () {
	k=0
	: >"$dir/times"
	while [ $k -lt "$N" ]; do
		s=$(date +%s%N)
		"$@" >/dev/null
		e=$(date +%s%N)
		echo $(((e - s) / 1000)) >>"$dir/times"
		k=$((k + 1))
	done
	sort -n "$dir/times" | awk '{ v[NR] = $1 } END {
	    m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
	    printf "%.2f", m / 1000 }'
}
# shellcheck disable=SC2086
plain=$(median_ms ssh $ssh_opts "$user@127.0.0.1" true)
# shellcheck disable=SC2086
ssh $ssh_opts -o ControlMaster=yes -o ControlPath="$dir/cm" -o ControlPersist=120 -fN "$user@127.0.0.1"
# shellcheck disable=SC2086
cm=$(median_ms ssh $ssh_opts -o ControlPath="$dir/cm" "$user@127.0.0.1" true)

echo "$me: median of $N runs of true on 127.0.0.1, in ms:"
echo "$me:   tlab (lib/ssh), fresh connection   $fresh"
echo "$me:   ssh, plain                         $plain"
echo "$me:   tlab (lib/ssh), reused connection  $reuse"
echo "$me:   ssh, ControlMaster                 $cm"
awk -v f="$fresh" -v p="$plain" -v r="$reuse" -v c="$cm" 'BEGIN {
	printf "ssh-exec: fresh/plain %.2f (target <= 1), reused/ControlMaster %.2f (target <= 2)\n", f / p, r / c }'
