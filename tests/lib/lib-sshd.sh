# tests/lib/lib-sshd.sh: real test hosts for the suite, after OpenSSH's
# regress/test-exec.sh start_sshd.
#
# Each host is an OpenSSH sshd of its own on 127.0.0.1: its own port, host
# key, authorized key (the lab's) and work directory, under
# $TRASH_DIRECTORY/hosts/NAME/.  Its sessions get an empty HOME of their
# own, so that the login shell does not run this machine's rc files (a
# root ~/.bashrc that loads pyenv costs seconds a command).  Its config is checked with sshd -t first,
# its start waited for with a bound, and it is stopped when the test file
# ends, whatever happened.  Source after test-lib.sh; make the lab first
# (lab_init), since the host must accept the lab's key.
#
#	sshd_start NAME		start host NAME (fails after 10 s)
#	sshd_address NAME	root@127.0.0.1:PORT
#	sshd_dir NAME		its directory (work/ is its work directory)
#	sshd_stop NAME		stop it (kill its sshd; connections die)
#	host_add NAME [OPTION...]	ts-host add NAME at its address, arch amd64

SSHD=${SSHD:-/usr/sbin/sshd}
[ -x "$SSHD" ] || test_skip_all "no $SSHD to test against (openssh-server)"
command -v ssh-keygen >/dev/null 2>&1 ||
    test_skip_all "no ssh-keygen (openssh-client)"

_sshd_random_port () {
	echo $((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 40000))
}

sshd_dir () {
	echo "$TRASH_DIRECTORY/hosts/$1"
}

sshd_address () {
	echo "root@127.0.0.1:$(cat "$(sshd_dir "$1")/port")"
}

sshd_stop () {
	_d=$(sshd_dir "$1")
	if [ -s "$_d/sshd.pid.keep" ]; then
		kill "$(cat "$_d/sshd.pid.keep")" 2>/dev/null
		rm -f "$_d/sshd.pid.keep"
	fi
}

sshd_start () {
	_d=$(sshd_dir "$1")
	mkdir -p "$_d/work" "$_d/home" /run/sshd || return 1
	[ -f "$_d/hostkey" ] ||
	    ssh-keygen -q -t ed25519 -N '' -f "$_d/hostkey" -C "test host $1" || return 1
	cp "$TLAB_LAB/ssh/id_ed25519.pub" "$_d/authorized_keys" || return 1
	for _try in 1 2 3 4 5; do
		_port=$(_sshd_random_port)
		cat >"$_d/sshd_config" <<-EOC
		Port $_port
		ListenAddress 127.0.0.1
		HostKey $_d/hostkey
		PidFile $_d/sshd.pid
		AuthorizedKeysFile $_d/authorized_keys
		PermitRootLogin prohibit-password
		PasswordAuthentication no
		KbdInteractiveAuthentication no
		UsePAM no
		StrictModes no
		Subsystem sftp internal-sftp
		LogLevel VERBOSE
		MaxStartups 200
		MaxSessions 200
		SetEnv HOME=$_d/home
		EOC
		"$SSHD" -t -f "$_d/sshd_config" || return 1
		: >"$_d/sshd.log"
		"$SSHD" -D -f "$_d/sshd_config" -E "$_d/sshd.log" &
		echo $! >"$_d/sshd.pid.keep"
		echo "$_port" >"$_d/port"
		test_atexit "sshd_stop $1"
		_i=0
		while [ "$_i" -lt 100 ]; do
			if grep -q "Server listening on" "$_d/sshd.log"; then
				return 0
			fi
			kill -0 "$(cat "$_d/sshd.pid.keep")" 2>/dev/null || break
			sleep 0.1
			_i=$((_i + 1))
		done
		sshd_stop "$1"
		grep -q "Address already in use" "$_d/sshd.log" || break
	done
	echo "sshd_start $1: no sshd listening after 10 s:" >&2
	cat "$_d/sshd.log" >&2
	return 1
}

host_add () {
	_name=$1
	shift
	ts-host add "$_name" --address "$(sshd_address "$_name")" --arch amd64 \
	    --prop "workdir=$(sshd_dir "$_name")/work" "$@"
}
