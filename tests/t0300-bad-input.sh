#!/bin/sh
test_description='bad input: one line on stderr naming the thing, exit 2, nothing changed'
. "${abs_top_srcdir:-$(dirname "$0")/..}/tests/lib/test-lib.sh"

# check_bad PATTERN COMMAND...: COMMAND exits 2 with nothing on stdout and
# exactly one line on stderr, which starts with "ts-NAME: " (the binary)
# and contains PATTERN (a fixed string).
check_bad () {
	_pat=$1
	shift
	_bin=
	for _w in "$@"; do
		case $_w in ts-*) _bin=$_w; break ;; esac
	done
	_rc=0
	"$@" >bad.out 2>bad.err || _rc=$?
	if [ "$_rc" != 2 ]; then
		echo "wanted exit 2, got $_rc: $*" >&2
		cat bad.err >&2
		return 1
	fi
	if [ -s bad.out ]; then
		echo "stdout is not empty: $*" >&2
		cat bad.out >&2
		return 1
	fi
	test_line_count = 1 bad.err || return 1
	case $(cat bad.err) in
	"$_bin: "*) ;;
	*) echo "stderr does not start with '$_bin: ': $*" >&2
	   cat bad.err >&2
	   return 1 ;;
	esac
	if ! grep -F -e "$_pat" bad.err >/dev/null; then
		echo "stderr does not name '$_pat': $*" >&2
		cat bad.err >&2
		return 1
	fi
	return 0
}

# bad_input PATTERN COMMAND...: check_bad, and the lab's database unchanged:
# the same as $digest when set (a block's digest, taken once), else as
# before the command.
bad_input () {
	_before=${digest:-$(db_digest)} || return 1
	check_bad "$@" || return 1
	if [ "$(db_digest)" != "$_before" ]; then
		echo "the database changed: $*" >&2
		return 1
	fi
}

# bad_file COMMAND...: check_bad "$want", and $db_file is byte for byte
# $db_copy.
bad_file () {
	check_bad "$want" "$@" || return 1
	if ! cmp "$db_file" "$db_copy"; then
		echo "$db_file changed: $*" >&2
		return 1
	fi
}

# bad_lab COMMAND...: check_bad "$want" (nothing to compare: no database).
bad_lab () {
	check_bad "$want" "$@"
}

# every_binary CHECK [LAB OPTION...]: CHECK COMMAND... for each binary that
# opens a lab (flight 1, job J, recipe R); all are run, then the status.
every_binary () {
	_check=$1
	shift
	_ok=t
	$_check ts-flight-create "$@" --branch b || _ok=
	$_check ts-job-create "$@" 1 J2 R || _ok=
	$_check ts-runvar "$@" 1 J || _ok=
	$_check ts-runvar "$@" 1 J a=1 || _ok=
	$_check ts-run-job "$@" 1 J || _ok=
	$_check ts-flight-show "$@" || _ok=
	$_check ts-flight-show "$@" 1 || _ok=
	$_check ts-flight-run "$@" 1 || _ok=
	$_check ts-flight-bless "$@" 1 real || _ok=
	test -n "$_ok"
}

test_expect_success 'setup: a lab, a flight with a job, a recipe' '
	lab_init &&
	write_recipe R <<-\EOF &&
	step true
	EOF
	f=$(ts-flight-create --branch b) &&
	test "$f" = 1 &&
	ts-job-create $f J R a=1 &&
	test "$(job_status $f J)" = queued
'

# --- unknown flight, unknown job ------------------------------------------

test_expect_success 'an unknown flight: exit 2, one line naming "flight 999"' '
	digest=$(db_digest) &&
	ok=t &&
	bad_input "flight 999" ts-job-create 999 J R || ok=
	bad_input "flight 999" ts-runvar 999 J || ok=
	bad_input "flight 999" ts-runvar 999 J a || ok=
	bad_input "flight 999" ts-runvar 999 J a=1 || ok=
	bad_input "flight 999" ts-runvar 999 J "!a" || ok=
	bad_input "flight 999" ts-runvar --define 999 J a=1 || ok=
	bad_input "flight 999" env TLAB_FLIGHT=999 TLAB_JOB=J ts-runvar a || ok=
	bad_input "flight 999" ts-run-job 999 J || ok=
	bad_input "flight 999" ts-flight-show 999 || ok=
	bad_input "flight 999" ts-flight-show --json 999 || ok=
	bad_input "flight 999" ts-flight-run 999 || ok=
	bad_input "flight 999" ts-flight-bless 999 real || ok=
	bad_input "flight 999" ts-flight-bless 999 real running constructing || ok=
	test -n "$ok"
'

test_expect_success 'an unknown job: exit 2, one line naming it' '
	digest=$(db_digest) &&
	ok=t &&
	bad_input "nojob" ts-runvar $f nojob || ok=
	bad_input "nojob" ts-runvar $f nojob a || ok=
	bad_input "nojob" ts-runvar $f nojob a=1 || ok=
	bad_input "nojob" ts-runvar $f nojob "!a" || ok=
	bad_input "nojob" ts-runvar --define $f nojob a=1 || ok=
	bad_input "nojob" env TLAB_FLIGHT=$f TLAB_JOB=nojob ts-runvar a || ok=
	bad_input "nojob" ts-run-job $f nojob || ok=
	test -n "$ok"
'

# --- bad names ------------------------------------------------------------

test_expect_success 'bad runvar names: exit 2, one line naming the name' '
	digest=$(db_digest) &&
	ok=t &&
	for n in 1abc a-b "a b" "a.b" "x\$y"; do
		bad_input "$n" ts-job-create $f J2 R "$n=x" || ok=
		bad_input "$n" ts-runvar $f J "$n" || ok=
		bad_input "$n" ts-runvar $f J "$n=x" || ok=
		bad_input "$n" ts-runvar --define $f J "$n=x" || ok=
		bad_input "$n" ts-runvar $f J "!$n" || ok=
		bad_input "$n" env TLAB_FLIGHT=$f TLAB_JOB=J ts-runvar "$n" || ok=
	done
	test -n "$ok" &&
	test -z "$(job_status $f J2)"
'

test_expect_success 'a bad runvar name is refused even when !NAME drops it again' '
	digest= &&
	ok=t &&
	i=0 &&
	for n in 1abc a-b "a b"; do
		i=$((i + 1))
		bad_input "$n" ts-job-create $f drop$i R "$n=x" "!$n" || ok=
		bad_input "$n" ts-job-create $f dropb$i R "!$n" || ok=
		test -z "$(job_status $f drop$i)" || ok=
		test -z "$(job_status $f dropb$i)" || ok=
	done
	test -n "$ok"
'

test_expect_success 'an empty runvar name: exit 2, one line saying runvar' '
	digest=$(db_digest) &&
	ok=t &&
	bad_input "runvar" ts-job-create $f J2 R "=x" || ok=
	bad_input "runvar" ts-runvar $f J "" || ok=
	bad_input "runvar" ts-runvar $f J "=x" || ok=
	bad_input "runvar" ts-runvar --define $f J "=x" || ok=
	bad_input "runvar" ts-runvar $f J "!" || ok=
	test -n "$ok" &&
	test -z "$(job_status $f J2)"
'

test_expect_success 'a runvar name of more than 100 bytes: exit 2' '
	digest=$(db_digest) &&
	long=$(printf "%0101d" 0 | tr 0 x) &&
	bad_input "runvar" ts-runvar $f J "$long=1" &&
	bad_input "runvar" ts-job-create $f J2 R "$long=1"
'

test_expect_success 'an argument that is neither NAME=VALUE nor !NAME: exit 2' '
	digest=$(db_digest) &&
	bad_input "justaword" ts-job-create $f J2 R justaword &&
	test -z "$(job_status $f J2)"
'

test_expect_success 'bad job names: exit 2, one line naming the job' '
	digest=$(db_digest) &&
	ok=t &&
	bad_input "bad job" ts-job-create $f "bad job" R || ok=
	bad_input "a/b" ts-job-create $f "a/b" R || ok=
	bad_input "-x" ts-job-create $f -- "-x" R || ok=
	bad_input "job" ts-job-create $f "" R || ok=
	test -n "$ok"
'

test_expect_success 'a recipe that does not exist: ts-job-create refuses, names it' '
	digest=$(db_digest) &&
	bad_input "nosuchrecipe" ts-job-create $f J3 nosuchrecipe a=1 &&
	test -z "$(job_status $f J3)"
'

test_expect_success 'a recipe name that is a path: refused, names it' '
	digest=$(db_digest) &&
	mkdir -p "$TLAB_LAB/sub" &&
	cp "$TLAB_LAB/recipes/R.sh" "$TLAB_LAB/sub/R.sh" &&
	bad_input "../sub/R" ts-job-create $f J3 ../sub/R &&
	test -z "$(job_status $f J3)"
'

# --- flight arguments that are not flight numbers --------------------------

test_expect_success 'a flight argument that is not a number: exit 2, naming it' '
	digest=$(db_digest) &&
	ok=t &&
	for a in abc 0 1x 1.5 99999999999999999999; do
		bad_input "$a" ts-job-create "$a" J R || ok=
		bad_input "$a" ts-run-job "$a" J || ok=
		bad_input "$a" ts-flight-show "$a" || ok=
		bad_input "$a" ts-flight-run "$a" || ok=
		bad_input "$a" ts-flight-bless "$a" real || ok=
		bad_input "$a" env TLAB_FLIGHT="$a" TLAB_JOB=J ts-runvar a || ok=
		grep flight bad.err >/dev/null || ok=
	done
	test -n "$ok"
'

test_expect_success 'an empty flight argument: exit 2, naming the flight' '
	digest=$(db_digest) &&
	ok=t &&
	bad_input "flight" ts-job-create "" J R || ok=
	bad_input "flight" ts-runvar "" J || ok=
	bad_input "flight" ts-run-job "" J || ok=
	bad_input "flight" ts-flight-show "" || ok=
	bad_input "flight" ts-flight-run "" || ok=
	bad_input "flight" ts-flight-bless "" real || ok=
	test -n "$ok"
'

test_expect_success 'an unknown option: exit 2, one line naming it' '
	digest=$(db_digest) &&
	ok=t &&
	for b in ts-flight-create ts-job-create ts-runvar ts-run-job \
	    ts-flight-show ts-flight-run ts-flight-bless; do
		bad_input "--bogus" $b --bogus || ok=
	done
	test -n "$ok"
'

test_expect_success 'missing arguments: exit 2, one line' '
	digest=$(db_digest) &&
	ok=t &&
	bad_input "" ts-job-create $f J || ok=
	bad_input "" ts-run-job $f || ok=
	bad_input "" ts-flight-run || ok=
	bad_input "" ts-flight-bless $f || ok=
	test -n "$ok"
'

test_expect_success 'a job whose recipe is gone: ts-run-job exit 2 naming it, job broken' '
	write_recipe gone <<-\EOF &&
	step true
	EOF
	ts-job-create $f vanish gone &&
	rm "$TLAB_LAB/recipes/gone.sh" &&
	check_bad "gone" ts-run-job $f vanish &&
	test "$(job_status $f vanish)" = broken &&
	db "SELECT why FROM jobs WHERE flight = $f AND job = '\''vanish'\''" >why &&
	grep gone why &&
	test "$(db "SELECT count(*) FROM steps WHERE flight = $f AND job = '\''vanish'\''")" = 0
'

# --- a lab that is not one --------------------------------------------------

test_expect_success 'tlab.db replaced by a text file: exit 2 "not a tlab database", bytes kept' '
	cp -R "$TLAB_LAB" lab-text &&
	echo "this is not a database, it is a shopping list" >lab-text/tlab.db &&
	rm -f lab-text/tlab.db-wal lab-text/tlab.db-shm &&
	cp lab-text/tlab.db text.copy &&
	db_file=lab-text/tlab.db db_copy=text.copy want="not a tlab database" &&
	every_binary bad_file --lab "$PWD/lab-text" &&
	grep "tlab.db" bad.err
'

test_expect_success 'a foreign SQLite database: exit 2, naming tlab.db, unchanged' '
	cp -R "$TLAB_LAB" lab-foreign &&
	rm -f lab-foreign/tlab.db lab-foreign/tlab.db-wal lab-foreign/tlab.db-shm &&
	sqlite3 lab-foreign/tlab.db "CREATE TABLE x(a); INSERT INTO x VALUES (1)" &&
	cp lab-foreign/tlab.db foreign.copy &&
	db_file=lab-foreign/tlab.db db_copy=foreign.copy want="tlab.db" &&
	every_binary bad_file --lab "$PWD/lab-foreign" &&
	test "$(sqlite3 lab-foreign/tlab.db "SELECT count(*) FROM sqlite_master")" = 1
'

test_expect_success 'an empty tlab.db file: exit 2, naming tlab.db, left empty' '
	cp -R "$TLAB_LAB" lab-empty &&
	rm -f lab-empty/tlab.db-wal lab-empty/tlab.db-shm &&
	: >lab-empty/tlab.db &&
	: >empty.copy &&
	db_file=lab-empty/tlab.db db_copy=empty.copy want="tlab.db" &&
	every_binary bad_file --lab "$PWD/lab-empty" &&
	test ! -s lab-empty/tlab.db
'

test_expect_success 'a tlab.db of a newer schema version: exit 2 "newer", unchanged' '
	cp -R "$TLAB_LAB" lab-newer &&
	sqlite3 lab-newer/tlab.db "PRAGMA user_version = 99" &&
	test "$(sqlite3 lab-newer/tlab.db "PRAGMA user_version")" = 99 &&
	cp lab-newer/tlab.db newer.copy &&
	db_file=lab-newer/tlab.db db_copy=newer.copy want="newer" &&
	every_binary bad_file --lab "$PWD/lab-newer" &&
	test "$(sqlite3 lab-newer/tlab.db "PRAGMA user_version")" = 99
'

test_expect_success 'TLAB_LAB naming a missing directory: exit 2, naming it' '
	want=nolab-here &&
	(TLAB_LAB=$PWD/nolab-here && export TLAB_LAB && every_binary bad_lab) &&
	every_binary bad_lab --lab "$PWD/nolab-here" &&
	test ! -e nolab-here
'

test_expect_success 'TLAB_LAB naming a file or a directory without tlab.db: exit 2' '
	echo text >not-a-dir &&
	want=not-a-dir &&
	every_binary bad_lab --lab "$PWD/not-a-dir" &&
	mkdir empty-dir &&
	want=empty-dir &&
	every_binary bad_lab --lab "$PWD/empty-dir" &&
	test -z "$(ls empty-dir)"
'

test_expect_success 'no TLAB_LAB and no --lab: exit 2, saying how to name a lab' '
	want=TLAB_LAB &&
	(unset TLAB_LAB && every_binary bad_lab) &&
	(TLAB_LAB= && export TLAB_LAB && every_binary bad_lab)
'

test_expect_success 'a bad tlab.conf key: exit 2 naming tlab.conf:LINE, db unchanged' '
	cp -R "$TLAB_LAB" lab-conf &&
	echo "bogus_key = 1" >>lab-conf/tlab.conf &&
	n=$(wc -l <lab-conf/tlab.conf | tr -d " ") &&
	cp lab-conf/tlab.db conf.copy &&
	db_file=lab-conf/tlab.db db_copy=conf.copy want="tlab.conf:$n" &&
	every_binary bad_file --lab "$PWD/lab-conf" &&
	grep bogus_key bad.err
'

test_expect_success 'a bad tlab.conf value: exit 2 naming tlab.conf:LINE' '
	cp -R "$TLAB_LAB" lab-conf2 &&
	printf "parallel = 2\nabort_grace = soon\n" >>lab-conf2/tlab.conf &&
	n=$(wc -l <lab-conf2/tlab.conf | tr -d " ") &&
	cp lab-conf2/tlab.db conf2.copy &&
	db_file=lab-conf2/tlab.db db_copy=conf2.copy want="tlab.conf:$n" &&
	every_binary bad_file --lab "$PWD/lab-conf2" &&
	grep abort_grace bad.err
'

test_expect_success 'after all of it the good lab still works' '
	test "$(job_status $f J)" = queued &&
	timeout 60 ts-run-job $f J &&
	test "$(job_status $f J)" = pass
'

test_done
