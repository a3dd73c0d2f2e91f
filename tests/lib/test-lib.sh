# tests/lib/test-lib.sh: the shell test library, after git's t/test-lib.sh.
#
# A test file sets test_description, sources this file, runs
# test_expect_success 'title' 'commands' blocks and ends with test_done.
# Output is TAP, read by automake's TAP driver under `make check`; a test
# also runs alone: `sh tests/t0100-lab.sh` from the build directory (or
# with -v to see each block's output).
#
# Each test file runs in its own trash directory, made fresh, with the
# freshly built binaries first in PATH, TLAB_DATADIR at the source tree and
# no TLAB_* of the caller's.  The directory is removed when everything
# passed.

: "${abs_top_builddir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${abs_top_srcdir:=$abs_top_builddir}"
export abs_top_builddir abs_top_srcdir

test_verbose=
case "${1:-}" in -v|--verbose) test_verbose=t ;; esac

unset TLAB_LAB TLAB_FLIGHT TLAB_JOB TLAB_STEP TLAB_TESTID TLAB_SIMULATE \
    TLAB_LIBSH TLAB_RECIPE
PATH=$abs_top_builddir/cmd:$PATH
TLAB_DATADIR=$abs_top_srcdir
export PATH TLAB_DATADIR
LC_ALL=C
export LC_ALL

test_name=$(basename "$0" .sh)
TRASH_DIRECTORY=$abs_top_builddir/tests/trash.$test_name
rm -rf "$TRASH_DIRECTORY"
mkdir -p "$TRASH_DIRECTORY" || exit 1
cd "$TRASH_DIRECTORY" || exit 1

test_count=0
test_failed=0
test_cleanup=
test_atexit_cmds=

say () {
	echo "# $*"
}

# Run a command after the current test block, whatever its outcome.
test_when_finished () {
	test_cleanup="$*
$test_cleanup"
}

# Run a command when the whole test file ends (stop servers).
test_atexit () {
	test_atexit_cmds="$*
$test_atexit_cmds"
}

_test_run_atexit () {
	if [ -n "$test_atexit_cmds" ]; then
		eval "$test_atexit_cmds" >/dev/null 2>&1
	fi
}
trap '_test_run_atexit' EXIT

_test_report () {	# STATUS TITLE
	test_count=$((test_count + 1))
	if [ "$1" = 0 ]; then
		echo "ok $test_count - $2"
	else
		test_failed=$((test_failed + 1))
		echo "not ok $test_count - $2"
		sed 's/^/#   /' "$TRASH_DIRECTORY/.test-out"
	fi
}

# A block runs in a function of its own, so that the `return 1` of a loop
# in it ends the block as a failure (a return in test_expect_success's own
# eval would leave it unreported).
_test_eval () {
	eval "$1"
}

test_expect_success () {
	test_cleanup=
	{
		_test_eval "$2"
	} >"$TRASH_DIRECTORY/.test-out" 2>&1 </dev/null
	_test_status=$?
	if [ -n "$test_cleanup" ]; then
		(eval "$test_cleanup") >/dev/null 2>&1
	fi
	if [ -n "$test_verbose" ]; then
		echo "# --- $1"
		sed 's/^/#   /' "$TRASH_DIRECTORY/.test-out"
	fi
	_test_report "$_test_status" "$1"
}

# The same block expected to fail: a known bug, reported but not counted.
test_expect_failure () {
	{ _test_eval "$2"; } >"$TRASH_DIRECTORY/.test-out" 2>&1 </dev/null
	_test_status=$?
	test_count=$((test_count + 1))
	if [ "$_test_status" = 0 ]; then
		echo "ok $test_count - $1 # TODO known breakage vanished"
	else
		echo "not ok $test_count - $1 # TODO known breakage"
	fi
}

test_skip () {	# TITLE REASON
	test_count=$((test_count + 1))
	echo "ok $test_count # skip $1 ($2)"
}

test_done () {
	echo "1..$test_count"
	# Stop what the file started while its trash (pid files...) is there.
	_test_run_atexit
	test_atexit_cmds=
	if [ "$test_failed" = 0 ]; then
		cd "$abs_top_builddir" && rm -rf "$TRASH_DIRECTORY"
		exit 0
	fi
	exit 1
}

# skip_all='reason' followed by test_done_skip: nothing here can run.
test_skip_all () {
	echo "1..0 # SKIP $*"
	_test_run_atexit
	test_atexit_cmds=
	cd "$abs_top_builddir" && rm -rf "$TRASH_DIRECTORY"
	exit 0
}

# test_expect_code N COMMAND...: the command exits exactly N.
test_expect_code () {
	_want=$1
	shift
	"$@"
	_got=$?
	if [ "$_got" = "$_want" ]; then
		return 0
	fi
	echo "test_expect_code: wanted exit $_want, got $_got: $*" >&2
	return 1
}

# test_must_fail COMMAND...: a controlled failure, not a crash.
test_must_fail () {
	"$@"
	_got=$?
	if [ "$_got" = 0 ]; then
		echo "test_must_fail: succeeded: $*" >&2
		return 1
	fi
	if [ "$_got" -gt 128 ] || [ "$_got" = 127 ] || [ "$_got" = 126 ]; then
		echo "test_must_fail: died with $_got: $*" >&2
		return 1
	fi
	return 0
}

# test_cmp EXPECT ACTUAL
test_cmp () {
	diff -u "$1" "$2"
}

# test_line_count = N FILE (or -gt, -lt ...)
test_line_count () {
	_n=$(wc -l <"$3" | tr -d ' ')
	if [ "$_n" "$1" "$2" ]; then
		return 0
	fi
	echo "test_line_count: $3 has $_n lines, not $1 $2:" >&2
	cat "$3" >&2
	return 1
}

# code_err N COMMAND...: COMMAND exits N, its stderr in the file err
# (shown when the code is not N).
code_err () {
	_want=$1
	shift
	"$@" 2>err
	_got=$?
	[ "$_got" = "$_want" ] && return 0
	echo "wanted exit $_want, got $_got: $*; its stderr:" >&2
	cat err >&2
	return 1
}

# last_line_is_exit FILE N: the log ends with the UTC exit status line.
last_line_is_exit () {
	tail -n 1 "$1" | grep "^[0-9-]* [0-9:]* Z exit status $2\( \|$\)" && return 0
	echo "$1 does not end with a line giving exit status $2:" >&2
	cat "$1" >&2
	return 1
}

# gone PID: no such process, or only a zombie waiting for its reaper.
gone () {
	_s=$(ps -o stat= -p "$1") || return 0
	case $_s in Z*) return 0 ;; esac
	echo "process $1 is still alive ($_s)" >&2
	return 1
}

# wait_for SECONDS 'CONDITION': poll CONDITION (shell code) until true,
# failing with a line that names it after SECONDS of wall time (not of
# sleeps, which a loaded machine stretches).
wait_for () {
	_until=$(($(date +%s) + $1))
	while ! eval "$2" >/dev/null 2>&1; do
		if [ "$(date +%s)" -ge "$_until" ]; then
			echo "wait_for: '$2' not true after $1 s" >&2
			return 1
		fi
		sleep 0.1
	done
}


# --- assertions shared by the host tests ------------------------------

# has PATTERN FILE, has_f STRING FILE: FILE has a line matching PATTERN
# (a basic regular expression), containing STRING; else say so.
has () {
	grep -e "$1" "$2" >/dev/null && return 0
	echo "no line matching '$1' in $2:" >&2
	cat "$2" >&2
	return 1
}

has_f () {
	grep -F -e "$1" "$2" >/dev/null && return 0
	echo "no line containing '$1' in $2:" >&2
	cat "$2" >&2
	return 1
}

# empty FILE: FILE is empty; else show it.
empty () {
	test ! -s "$1" && return 0
	echo "$1 is not empty:" >&2
	cat "$1" >&2
	return 1
}

# is EXPECTED ACTUAL: the same string, else say both.
is () {
	test "$1" = "$2" && return 0
	echo "expected '$1', got '$2'" >&2
	return 1
}

# kill_pidfile FILE: kill the process whose pid FILE holds, if any.
kill_pidfile () {
	if [ -s "$1" ]; then
		kill -9 "$(cat "$1")" 2>/dev/null
	fi
	rm -f "$1"
}

# --- lab fixtures ------------------------------------------------------

# lab_init [DIR]: a new lab (default: lab), exported as TLAB_LAB.
lab_init () {
	_dir=${1:-lab}
	ts-lab-init "$_dir" >/dev/null &&
	TLAB_LAB=$(cd "$_dir" && pwd) &&
	export TLAB_LAB
}

# write_recipe NAME <BODY: a recipe in the lab's recipes/, sourcing lib.sh.
write_recipe () {
	{
		echo "# test recipe $1"
		echo '. "$TLAB_LIBSH"'
		cat
	} >"$TLAB_LAB/recipes/$1.sh"
}

# db SQL: run a read-only query on the lab's tlab.db (sqlite3's own tool).
db () {
	sqlite3 -batch -readonly "$TLAB_LAB/tlab.db" "$1"
}

# job_status FLIGHT JOB / step_status FLIGHT JOB TESTID
job_status () {
	db "SELECT status FROM jobs WHERE flight = $1 AND job = '$2'"
}
step_status () {
	db "SELECT status FROM steps WHERE flight = $1 AND job = '$2' AND testid = '$3'"
}

# db_digest: a digest of the database's contents, to prove it unchanged.
db_digest () {
	sqlite3 -batch -readonly "$TLAB_LAB/tlab.db" .dump | md5sum
}

# require_command CMD...: skip the whole file when a tool is missing.
require_command () {
	for _c in "$@"; do
		command -v "$_c" >/dev/null 2>&1 ||
		    test_skip_all "$_c is not installed"
	done
}
