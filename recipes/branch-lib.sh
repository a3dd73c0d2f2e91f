# recipes/branch-lib.sh: runs a branch definition for ts-flight-create
# --branch NAME (tlab-branch(5)):
#
#	sh branch-lib.sh FILE [TREE=REV...]
#
# FILE is recipes/branches/NAME.sh; each TREE=REV is a --revision of
# ts-flight-create.  TLAB_LAB, TLAB_FLIGHT (the new flight, constructing)
# and TLAB_BRANCH are set and the tlab binaries are first in PATH.  For
# ts-branch state, TLAB_BRANCH_TREES is set instead of TLAB_FLIGHT: the
# file runs up to its first job, and the trees are printed, not fetched.  The
# branch file is POSIX sh, sourced here, and has these functions:
#
#	tree_under_test TREE
#		The tree the flight tests, at its staging ref.  Once.
#	tree_also TREE [REF]
#		Another tree the jobs use, at REF (a ref, tag or commit id),
#		by default its master ref.
#	job NAME RECIPE [RUNVAR=VALUE...]
#		A job of the flight (ts-job-create).  Besides its own runvars
#		it gets tree_under_test=TREE and, for every tree T,
#		tree_T=URL and revision_T=SHA.
#
# The trees come first: the first job fetches them all into the lab's
# caches and resolves every revision to a full commit id, once, with
# ts-branch-resolve; every job then gets the same revisions.  Anything
# that fails stops the file with one line on stderr and the exit code of
# what failed (2 bad input, 3 the lab); ts-flight-create then removes the
# flight.

set -eu

# _tlab_quote WORD: WORD as one single-quoted word for eval.
_tlab_quote () {
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

# _tlab_die CODE MESSAGE: one line, and stop the file.
_tlab_die () {
	echo "$2" >&2
	exit "$1"
}

_tlab_file=$1
shift
_tlab_revisions=	# --revision words for ts-branch-resolve
for _tlab_a in "$@"; do
	_tlab_revisions="$_tlab_revisions --revision=$(_tlab_quote "$_tlab_a")"
done
_tlab_under_test=	# the tree under test
_tlab_also=		# the other trees: quoted TREE or TREE=REF words
_tlab_resolved=		# set once the trees are resolved
_tlab_runvars=		# then: the trees' runvars, quoted NAME=VALUE words
_tlab_reserved=		# and their names, which a job may not set
_tlab_jobs=0

_tlab_declare () {	# FUNCTION TREE
	[ -z "$_tlab_resolved" ] ||
	    _tlab_die 2 "$1 $2: after the first job: the trees come first"
}

tree_under_test () {
	[ $# = 1 ] || _tlab_die 2 "tree_under_test: not tree_under_test TREE"
	_tlab_declare tree_under_test "$1"
	[ -z "$_tlab_under_test" ] ||
	    _tlab_die 2 "tree_under_test $1: the tree under test is $_tlab_under_test already"
	_tlab_under_test=$1
}

tree_also () {
	[ $# = 1 ] || [ $# = 2 ] || _tlab_die 2 "tree_also: not tree_also TREE [REF]"
	_tlab_declare tree_also "$1"
	if [ $# = 2 ]; then
		_tlab_also="$_tlab_also $(_tlab_quote "$1=$2")"
	else
		_tlab_also="$_tlab_also $(_tlab_quote "$1")"
	fi
}

# Fetch and resolve every tree, once.  ts-branch-resolve's own line says
# what failed.  With TLAB_BRANCH_TREES set (ts-branch state), only say
# the trees, and stop.
_tlab_resolve () {
	[ -z "$_tlab_resolved" ] || return 0
	[ -n "$_tlab_under_test" ] ||
	    _tlab_die 2 "no tree under test: tree_under_test TREE comes before the first job"
	if [ -n "${TLAB_BRANCH_TREES:-}" ]; then
		echo "tlab-tree-under-test $_tlab_under_test"
		eval "set -- $_tlab_also"
		for _tlab_a in "$@"; do
			echo "tlab-tree-also $_tlab_a"
		done
		exit 0
	fi
	_tlab_out=$(eval "ts-branch-resolve $_tlab_revisions -- \"\$_tlab_under_test\" $_tlab_also") ||
	    exit $?
	while IFS= read -r _tlab_l; do
		[ -n "$_tlab_l" ] || continue
		_tlab_runvars="$_tlab_runvars $(_tlab_quote "$_tlab_l")"
		_tlab_reserved="$_tlab_reserved ${_tlab_l%%=*}"
	done <<EOF
$_tlab_out
EOF
	_tlab_resolved=t
}

job () {
	[ $# -ge 2 ] || _tlab_die 2 "job ${1:-}: not job NAME RECIPE [RUNVAR=VALUE...]"
	_tlab_resolve
	_tlab_jn=$1
	_tlab_jr=$2
	shift 2
	for _tlab_a in "$@"; do
		case $_tlab_a in
		*=*|!*) ;;
		*) continue ;;
		esac
		_tlab_n=${_tlab_a%%=*}
		_tlab_n=${_tlab_n#!}
		for _tlab_r in $_tlab_reserved; do
			[ "$_tlab_n" != "$_tlab_r" ] ||
			    _tlab_die 2 "job $_tlab_jn: runvar $_tlab_n: set by the branch's trees, not by a job"
		done
	done
	# The trees' runvars come last: nothing before them can drop them.
	_tlab_rc=0
	_tlab_out=$(eval "ts-job-create \"\$TLAB_FLIGHT\" \"\$_tlab_jn\" \"\$_tlab_jr\" \"\$@\" $_tlab_runvars" 2>&1) ||
	    _tlab_rc=$?
	[ "$_tlab_rc" = 0 ] || _tlab_die "$_tlab_rc" "job $_tlab_jn: ${_tlab_out#ts-job-create: }"
	_tlab_jobs=$((_tlab_jobs + 1))
}

. "$_tlab_file"

[ "$_tlab_jobs" -gt 0 ] ||
    _tlab_die 2 "$_tlab_file: no job (job NAME RECIPE [RUNVAR=VALUE...])"
