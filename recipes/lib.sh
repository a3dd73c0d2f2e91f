# recipes/lib.sh: what every tlab recipe sources, as its first line:
#
#	. "$TLAB_LIBSH"
#
# ts-run-job runs a recipe with sh, in the lab directory, with TLAB_LAB,
# TLAB_FLIGHT, TLAB_JOB, TLAB_RECIPE and TLAB_LIBSH set and the tlab
# binaries first in PATH.  A recipe is a list of steps:
#
#	step [OPTION...] COMMAND [ARG...] [+ ARG...]
#		Run COMMAND as the job's next step, recorded by ts-step.
#		After a step that did not pass, later `step`s are skipped.
#	always [OPTION...] COMMAND [ARG...]
#		The same, but it runs even after a failure (log capture).
#	per_host [--always] [OPTION...] COMMAND [ARG...]
#		One step per host of the job, all at once; each gets its host
#		ident as first argument.  The hosts are those named by `hosts`,
#		else the job's runvars `host` and `*_host`.
#	hosts IDENT...
#		Name the job's host idents (host, src_host, dst_host, ...).
#
# OPTIONs are ts-step's, written as one word each: --testid=ID,
# --testid==SUFFIX, --timeout=DURATION, --on-fail=broken (ts-step(1)).
# The testid of a step defaults to the command's name without "ts-" and its
# arguments before a "+", each as /ARG; a job's testids must differ.
#
# Under TLAB_SIMULATE (ts-run-job --dry-run) steps are printed, not run.
# The job's status is worked out by ts-run-job from the recorded steps and
# the recipe's exit status (the worst step's, as ts-step exits): a recipe
# that fails outside a recorded step (a shell error under set -e, a step
# ts-step refused) makes the job broken.

set -eu

# A recipe that ends normally exits with the worst outcome of its steps, so
# that a step ts-step refused (and so never recorded) still fails the job.
# One that stops on its own error (set -e, exit) exits 3: the job is broken
# whatever its steps said, as a recipe error is the lab's, not the test's.
_tlab_exit () {
	_tlab_rc=$?
	if [ "$_tlab_rc" != 0 ]; then
		echo "the recipe failed outside its steps (exit status $_tlab_rc)" >&2
		exit 3
	fi
	exit "$_tlab_worst"
}
trap _tlab_exit EXIT

# Worst outcome of the steps so far, as ts-step's exit code: 0 none,
# 1 fail, 4 blocked, 3 broken (the order of DESIGN.md's precedence).
_tlab_worst=0

_tlab_record () {
	case $1 in
	0) ;;
	2|3) _tlab_worst=3 ;;
	4) [ "$_tlab_worst" = 3 ] || _tlab_worst=4 ;;
	*) [ "$_tlab_worst" != 0 ] || _tlab_worst=1 ;;
	esac
}

_tlab_skip () {
	echo "skipped after a failed step: $*" >&2
}

_tlab_step () {
	if [ -n "${TLAB_SIMULATE:-}" ]; then
		echo "step $*"
		return 0
	fi
	_tlab_rc=0
	ts-step "$@" || _tlab_rc=$?
	_tlab_record "$_tlab_rc"
	return 0
}

step () {
	if [ "$_tlab_worst" != 0 ]; then
		_tlab_skip "$@"
		return 0
	fi
	_tlab_step "$@"
}

always () {
	_tlab_step "$@"
}

hosts () {
	TLAB_HOSTS="$*"
}

# The job's host idents: from `hosts`, else its host and *_host runvars.
_tlab_hosts () {
	if [ -n "${TLAB_HOSTS:-}" ]; then
		echo "$TLAB_HOSTS"
		return 0
	fi
	ts-runvar | sed -n 's/^\(host\)=.*/\1/p; s/^\([A-Za-z0-9_]*_host\)=.*/\1/p' |
	    tr '\n' ' '
}

# IDENT OPTION... COMMAND ARG...: ts-step OPTION... COMMAND IDENT + ARG...
# (COMMAND + host ARG... for the ident "host", which the testid leaves out).
_tlab_per_host_one () {
	_tlab_ident=$1
	shift
	_tlab_n=$#
	_tlab_cmd=0
	while [ "$_tlab_n" -gt 0 ]; do
		_tlab_a=$1
		shift
		_tlab_n=$((_tlab_n - 1))
		if [ "$_tlab_cmd" = 0 ]; then
			case $_tlab_a in
			-*) set -- "$@" "$_tlab_a"; continue ;;
			esac
			_tlab_cmd=1
			if [ "$_tlab_ident" = host ]; then
				set -- "$@" "$_tlab_a" + host
			else
				set -- "$@" "$_tlab_a" "$_tlab_ident" +
			fi
			continue
		fi
		set -- "$@" "$_tlab_a"
	done
	_tlab_step "$@"
	exit "$_tlab_worst"
}

per_host () {
	_tlab_always=0
	if [ "${1:-}" = --always ]; then
		_tlab_always=1
		shift
	fi
	if [ "$_tlab_always" = 0 ] && [ "$_tlab_worst" != 0 ]; then
		_tlab_skip "$@"
		return 0
	fi
	_tlab_idents=$(_tlab_hosts)
	if [ -z "$_tlab_idents" ]; then
		echo "per_host: the job has no hosts (name them with: hosts IDENT...)" >&2
		_tlab_record 3
		return 0
	fi
	_tlab_pids=
	for _tlab_i in $_tlab_idents; do
		(trap - EXIT; _tlab_worst=0; _tlab_per_host_one "$_tlab_i" "$@") &
		_tlab_pids="$_tlab_pids $!"
	done
	for _tlab_p in $_tlab_pids; do
		_tlab_rc=0
		wait "$_tlab_p" || _tlab_rc=$?
		_tlab_record "$_tlab_rc"
	done
	return 0
}
