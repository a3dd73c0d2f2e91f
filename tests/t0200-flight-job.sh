#!/bin/sh
test_description='flights, jobs and runvars: ts-flight-create, ts-job-create, ts-runvar, ts-flight-bless'
. "${abs_top_srcdir:-$(dirname "$0")/..}/tests/lib/test-lib.sh"

# runvars FLIGHT JOB: the job's runvars as NAME|VALUE|SYNTH lines, by name.
runvars () {
	db "SELECT name, val, synth FROM runvars WHERE flight = $1 AND job = '$2'
	    ORDER BY name"
}

# blessing FLIGHT
blessing () {
	db "SELECT blessing FROM flights WHERE flight = $1"
}

# is_number WORD
is_number () {
	case $1 in
	''|*[!0-9]*) echo "not a number: '$1'" >&2; return 1 ;;
	esac
}

test_expect_success 'setup: a lab and a recipe' '
	lab_init &&
	write_recipe R <<-\EOF &&
	step true
	EOF
	test -f "$TLAB_LAB/recipes/R.sh"
'

# --- ts-flight-create -----------------------------------------------------

test_expect_success 'ts-flight-create prints the new flight number, constructing' '
	f=$(ts-flight-create --branch xen-unstable --intended real) &&
	is_number "$f" &&
	test "$(blessing $f)" = constructing &&
	test "$(db "SELECT branch, intended FROM flights WHERE flight = $f")" = \
	    "xen-unstable|real" &&
	test "$(db "SELECT started IS NULL AND finished IS NULL
	    FROM flights WHERE flight = $f")" = 1
'

test_expect_success 'ts-flight-create --json prints {"flight": N}, a new number' '
	ts-flight-create --branch b --json >out &&
	g=$(python3 -c "import json,sys; d = json.load(sys.stdin); print(d[\"flight\"])" <out) &&
	is_number "$g" &&
	test "$g" -gt "$f" &&
	test "$(blessing $g)" = constructing
'

test_expect_success 'ts-flight-create without --branch: exit 2, nothing made' '
	before=$(db_digest) &&
	test_expect_code 2 ts-flight-create 2>err &&
	test_line_count = 1 err &&
	grep "^ts-flight-create: .*branch" err &&
	test "$(db_digest)" = "$before"
'

# --- ts-job-create --------------------------------------------------------

test_expect_success 'ts-job-create makes a queued job with definition runvars' '
	ts-job-create $f build-amd64 R arch=amd64 "tree_xen=git://x/xen.git" \
	    "empty=" "spaced=a b  c" >out 2>err &&
	test ! -s out &&
	test "$(job_status $f build-amd64)" = queued &&
	test "$(db "SELECT recipe FROM jobs WHERE flight = $f AND job = '\''build-amd64'\''")" = R &&
	cat >expect <<-\EOF &&
	arch|amd64|0
	empty||0
	spaced|a b  c|0
	tree_xen|git://x/xen.git|0
	EOF
	runvars $f build-amd64 >actual &&
	test_cmp expect actual
'

test_expect_success 'a later NAME=VALUE on the line replaces an earlier one' '
	ts-job-create $f twice R a=1 a=2 &&
	echo "a|2|0" >expect &&
	runvars $f twice >actual &&
	test_cmp expect actual
'

test_expect_success '!NAME drops a runvar given earlier on the line' '
	ts-job-create $f dropped R a=1 b=2 "!a" c=3 &&
	cat >expect <<-\EOF &&
	b|2|0
	c|3|0
	EOF
	runvars $f dropped >actual &&
	test_cmp expect actual
'

test_expect_success 'a literal disable argument creates nothing, exit 0' '
	before=$(db_digest) &&
	ts-job-create $f disabled R a=1 disable b=2 &&
	test -z "$(job_status $f disabled)" &&
	test "$(db "SELECT count(*) FROM runvars WHERE job = '\''disabled'\''")" = 0 &&
	test "$(db_digest)" = "$before"
'

test_expect_success 'a duplicate job is refused: exit 2, one line, the first kept' '
	before=$(db_digest) &&
	test_expect_code 2 ts-job-create $f build-amd64 R arch=i386 2>err &&
	test_line_count = 1 err &&
	grep "^ts-job-create: .*build-amd64" err &&
	test "$(db_digest)" = "$before" &&
	test "$(runvars $f build-amd64 | grep ^arch)" = "arch|amd64|0"
'

# --- ts-runvar ------------------------------------------------------------

test_expect_success 'setup: a job with runvars given out of order' '
	ts-job-create $f test-amd64 R zeta=1 alpha=2 mid=3 &&
	test "$(job_status $f test-amd64)" = queued
'

test_expect_success 'ts-runvar FLIGHT JOB lists NAME=VALUE sorted by name' '
	ts-runvar $f test-amd64 >actual &&
	cat >expect <<-\EOF &&
	alpha=2
	mid=3
	zeta=1
	EOF
	test_cmp expect actual
'

test_expect_success 'ts-runvar FLIGHT JOB NAME prints the value alone' '
	ts-runvar $f test-amd64 mid >actual &&
	echo 3 >expect &&
	test_cmp expect actual &&
	ts-runvar $f build-amd64 spaced >actual &&
	echo "a b  c" >expect &&
	test_cmp expect actual
'

test_expect_success 'ts-runvar NAME=VALUE sets a runtime runvar (synth 1)' '
	ts-runvar $f test-amd64 host=bedbug &&
	test "$(runvars $f test-amd64 | grep ^host)" = "host|bedbug|1" &&
	test "$(ts-runvar $f test-amd64 host)" = bedbug
'

test_expect_success 'a runtime value replaces an earlier runtime value' '
	ts-runvar $f test-amd64 host=potato &&
	test "$(runvars $f test-amd64 | grep ^host)" = "host|potato|1"
'

test_expect_success 'a runtime value never replaces a definition: exit 2, value kept' '
	before=$(db_digest) &&
	test_expect_code 2 ts-runvar $f test-amd64 alpha=evil 2>err &&
	test_line_count = 1 err &&
	grep "^ts-runvar: .*alpha" err &&
	test "$(runvars $f test-amd64 | grep ^alpha)" = "alpha|2|0" &&
	test "$(db_digest)" = "$before"
'

test_expect_success 'ts-runvar --define sets a definition while constructing' '
	ts-runvar --define $f test-amd64 extra=x &&
	test "$(runvars $f test-amd64 | grep ^extra)" = "extra|x|0" &&
	test_expect_code 2 ts-runvar $f test-amd64 extra=y 2>err &&
	test "$(ts-runvar $f test-amd64 extra)" = x
'

test_expect_success 'ts-runvar !NAME unsets a runvar' '
	ts-runvar $f test-amd64 "!host" &&
	test -z "$(runvars $f test-amd64 | grep ^host)" &&
	test_expect_code 1 ts-runvar $f test-amd64 host 2>err
'

test_expect_success 'a runvar that is not set: exit 1, nothing on stdout' '
	before=$(db_digest) &&
	test_expect_code 1 ts-runvar $f test-amd64 nosuch >out 2>err &&
	test ! -s out &&
	test_line_count = 1 err &&
	grep "^ts-runvar: .*nosuch" err &&
	test "$(db_digest)" = "$before"
'

test_expect_success 'ts-runvar --json lists name, value and definition' '
	ts-runvar $f test-amd64 built=yes &&
	ts-runvar --json $f test-amd64 >out &&
	python3 -c "
import json, sys
d = json.load(sys.stdin)
assert [v[\"name\"] for v in d] == [\"alpha\", \"built\", \"extra\", \"mid\", \"zeta\"], d
by = dict((v[\"name\"], v) for v in d)
assert by[\"alpha\"][\"value\"] == \"2\" and by[\"alpha\"][\"definition\"] is True, d
assert by[\"built\"][\"value\"] == \"yes\" and by[\"built\"][\"definition\"] is False, d
" <out
'

test_expect_success 'TLAB_FLIGHT and TLAB_JOB name the job: ts-runvar NAME' '
	test "$(TLAB_FLIGHT=$f TLAB_JOB=test-amd64 ts-runvar alpha)" = 2 &&
	TLAB_FLIGHT=$f TLAB_JOB=test-amd64 ts-runvar from_env=1 &&
	test "$(runvars $f test-amd64 | grep ^from_env)" = "from_env|1|1" &&
	TLAB_FLIGHT=$f TLAB_JOB=test-amd64 ts-runvar >actual &&
	ts-runvar $f test-amd64 >expect &&
	test_cmp expect actual
'

test_expect_success 'ts-runvar NAME without TLAB_FLIGHT/TLAB_JOB: exit 2' '
	test_expect_code 2 ts-runvar alpha 2>err &&
	test_line_count = 1 err &&
	grep "^ts-runvar: .*TLAB_FLIGHT" err
'

test_expect_success 'inside a running job a step reads and writes runvars by NAME' '
	write_recipe inside <<-\EOF &&
	step --testid=read sh -c "test \"\$(ts-runvar arch)\" = amd64"
	step --testid=write ts-runvar built_revision_xen=abc123
	step --testid=nodef sh -c "! ts-runvar arch=i386"
	EOF
	h=$(ts-flight-create --branch b) &&
	ts-job-create $h build inside arch=amd64 &&
	timeout 60 ts-run-job $h build &&
	test "$(job_status $h build)" = pass &&
	test "$(step_status $h build read)" = pass &&
	test "$(step_status $h build write)" = pass &&
	test "$(step_status $h build nodef)" = pass &&
	test "$(runvars $h build)" = "arch|amd64|0
built_revision_xen|abc123|1"
'

# --- once the flight runs -------------------------------------------------

test_expect_success 'jobs cannot be added once the flight is running' '
	test "$(blessing $h)" = running &&
	before=$(db_digest) &&
	test_expect_code 2 ts-job-create $h late R a=1 2>err &&
	test_line_count = 1 err &&
	grep "^ts-job-create: .*flight $h" err &&
	test -z "$(job_status $h late)" &&
	test "$(db_digest)" = "$before"
'

test_expect_success 'ts-runvar --define is refused once the flight is running' '
	before=$(db_digest) &&
	test_expect_code 2 ts-runvar --define $h build more=1 2>err &&
	test_line_count = 1 err &&
	grep "^ts-runvar: " err &&
	test_expect_code 2 ts-runvar --define $h build arch=i386 2>err &&
	test_expect_code 2 ts-runvar $h build "!arch" 2>err &&
	test "$(ts-runvar $h build arch)" = amd64 &&
	test "$(db_digest)" = "$before"
'

test_expect_success 'runtime runvars can still be set and unset while running' '
	ts-runvar $h build note=late &&
	test "$(runvars $h build | grep ^note)" = "note|late|1" &&
	ts-runvar $h build "!note" &&
	test -z "$(runvars $h build | grep ^note)"
'

# --- ts-flight-bless ------------------------------------------------------

test_expect_success 'ts-flight-bless from the default list (running) refuses constructing' '
	b=$(ts-flight-create --branch b) &&
	before=$(db_digest) &&
	test_expect_code 2 ts-flight-bless $b real 2>err &&
	test_line_count = 1 err &&
	grep "^ts-flight-bless: .*flight $b" err &&
	grep "constructing" err && grep "running" err &&
	test "$(blessing $b)" = constructing &&
	test "$(db_digest)" = "$before"
'

test_expect_success 'ts-flight-bless FLIGHT B OLD... blesses when the blessing is listed' '
	b2=$(ts-flight-create --branch b) &&
	ts-flight-bless $b2 adhoc real constructing &&
	test "$(blessing $b2)" = adhoc
'

test_expect_success 'ts-flight-bless FLIGHT B: from running by default, finish time set' '
	ts-job-create $b j R &&
	timeout 60 ts-run-job $b j &&
	test "$(blessing $b)" = running &&
	test "$(db "SELECT finished IS NULL FROM flights WHERE flight = $b")" = 1 &&
	ts-flight-bless $b real &&
	test "$(blessing $b)" = real &&
	test "$(db "SELECT finished IS NOT NULL FROM flights WHERE flight = $b")" = 1
'

test_expect_success 'a blessing not in the list is refused, naming both, exit 2' '
	before=$(db_digest) &&
	test_expect_code 2 ts-flight-bless $b adhoc running play 2>err &&
	test_line_count = 1 err &&
	grep "^ts-flight-bless: .*flight $b" err &&
	grep "real" err && grep "running" err &&
	test "$(blessing $b)" = real &&
	test "$(db_digest)" = "$before"
'

test_expect_success 'constructing and running are not blessings to give by hand' '
	c=$(ts-flight-create --branch b) &&
	before=$(db_digest) &&
	test_expect_code 2 ts-flight-bless $c constructing constructing 2>err &&
	test_line_count = 1 err &&
	grep "^ts-flight-bless: .*constructing" err &&
	test_expect_code 2 ts-flight-bless $c running constructing 2>err &&
	test_line_count = 1 err &&
	grep "^ts-flight-bless: .*running" err &&
	test "$(blessing $c)" = constructing &&
	test "$(db_digest)" = "$before"
'

test_expect_success 'a blessing with the word play may always be changed' '
	p=$(ts-flight-create --branch b) &&
	ts-flight-bless $p play constructing &&
	test "$(blessing $p)" = play &&
	ts-flight-bless $p real &&
	test "$(blessing $p)" = real &&
	q=$(ts-flight-create --branch b) &&
	ts-flight-bless $q adhoc-play constructing &&
	ts-flight-bless $q adhoc nonesuch &&
	test "$(blessing $q)" = adhoc
'

test_expect_success 'a blessing that only contains the letters play is not play' '
	r=$(ts-flight-create --branch b) &&
	ts-flight-bless $r playground constructing &&
	test_expect_code 2 ts-flight-bless $r real 2>err &&
	test "$(blessing $r)" = playground
'

# --- the harness that touched a flight ------------------------------------

test_expect_success 'every flight records the tlab version that touched it' '
	version=$(ts-flight-create --version | sed -n "s/^ts-flight-create (\(.*\))\$/\1/p") &&
	case $version in tlab*) ;; *) echo "version: $version" >&2; false ;; esac &&
	ok=t &&
	for fl in $f $g $h $b $b2 $c $p $q $r; do
		test "$(db "SELECT count(*) FROM flight_harness
		    WHERE flight = $fl AND harness = '\''$version'\''")" = 1 ||
		{ echo "flight $fl: no harness row $version" >&2; ok=; }
	done &&
	test -n "$ok"
'

test_expect_success 'ts-flight-show prints the harness' '
	ts-flight-show $h >out &&
	grep "^harness .*tlab" out &&
	ts-flight-show --json $h >out &&
	python3 -c "
import json, sys
d = json.load(sys.stdin)
assert \"tlab\" in d[\"harness\"], d
" <out
'

test_done
