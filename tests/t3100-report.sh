#!/bin/sh
test_description='ts-report: baseline, failure classes, verdict, text, JSON, JUnit, HTML'
. "${abs_top_srcdir:-$(dirname "$0")/..}/tests/lib/test-lib.sh"

T=$PWD

# run_flight BRANCH REV JOB=RECIPE...: a real flight of BRANCH whose jobs
# test revision REV of tree x, run to its end; its number in $F.  Jobs
# test-* use host bedbug, build-* host builder; test-blocked waits for
# build-amd64.
run_flight () {
	_branch=$1 _rev=$2
	shift 2
	F=$(ts-flight-create --branch "$_branch" --intended real) || return 1
	for _jr in "$@"; do
		_job=${_jr%%=*} _recipe=${_jr#*=}
		case $_job in
		build-*) set -- host=builder ;;
		test-blocked) set -- host=bedbug buildjob=build-amd64 ;;
		*) set -- host=bedbug ;;
		esac
		ts-job-create "$F" "$_job" "$_recipe" revision_x="$_rev" "$@" ||
		    return 1
	done
	timeout 120 ts-flight-run "$F" >/dev/null 2>&1
	is real "$(db "SELECT blessing FROM flights WHERE flight = $F")"
}

# failure FLIGHT JOB TESTID: "class|blocking|since" as stored.
failure () {
	db "SELECT class || '|' || blocking || '|' || coalesce(since, '')
	    FROM failures WHERE flight = $1 AND job = '$2' AND testid = '$3'"
}

# verdict FLIGHT: "verdict|baseline|blocking" as stored.
verdict () {
	db "SELECT verdict || '|' || coalesce(baseline, '') || '|' || blocking
	    FROM verdicts WHERE flight = $1"
}

test_expect_success 'setup: a lab, recipes, a tree x with two commits' '
	lab_init &&
	write_recipe ok <<-\EOF &&
	step --testid=a true
	step --testid=b true
	EOF
	write_recipe bad <<-\EOF &&
	step --testid=a true
	step --testid=b false
	EOF
	write_recipe brk <<-\EOF &&
	step --testid=a true
	step --testid=b sh -c "echo the disk is on fire; exit 3"
	EOF
	write_recipe die <<-\EOF &&
	step --testid=a true
	false
	EOF
	write_recipe blk <<-\EOF &&
	step --testid=t true
	EOF
	if command -v git >/dev/null 2>&1; then
		git init -q repo &&
		git -C repo -c user.name=T -c user.email=t@example.org \
		    commit -q --allow-empty -m "the pushed one" &&
		X1=$(git -C repo rev-parse HEAD) &&
		git -C repo -c user.name=T -c user.email=t@example.org \
		    commit -q --allow-empty -m "the change under test" &&
		X2=$(git -C repo rev-parse HEAD) &&
		mkdir -p "$TLAB_LAB/git" &&
		git clone -q --bare repo "$TLAB_LAB/git/x.git" &&
		have_git=t
	else
		X1=1111111111111111111111111111111111111111
		X2=2222222222222222222222222222222222222222
		have_git=
	fi &&
	test ${#X1} = 40 && test ${#X2} = 40
'

# The history of branch b, by tree x's revision:
#   A  X1  real   test-base fails, build-amd64 fails
#   B  X1  real   everything but test-never passes; then X1 is pushed from B
#   C  X2  real   test-heis passes (only two jobs)
#   D  X2  real   the flight judged: a failure of each class
ALL_JOBS="test-reg test-base test-heis test-never test-allow test-brk build-amd64 test-blocked test-die"

test_expect_success 'setup: flights A and B at X1, X1 pushed from B, C at X2' '
	run_flight b $X1 test-reg=ok test-base=bad test-heis=ok test-never=bad \
	    test-allow=ok test-brk=ok build-amd64=bad test-blocked=blk test-die=ok &&
	A=$F &&
	run_flight b $X1 test-reg=ok test-base=ok test-heis=ok test-never=bad \
	    test-allow=ok test-brk=ok build-amd64=ok test-blocked=blk test-die=ok &&
	B=$F &&
	sqlite3 "$TLAB_LAB/tlab.db" "INSERT INTO pushes (flight, tree, ref, old_rev,
	    new_rev, outcome, at, who) VALUES ($B, '\''x'\'', '\''refs/heads/master'\'',
	    NULL, '\''$X1'\'', '\''pushed'\'', 1, '\''test'\'')" &&
	run_flight b $X2 test-heis=ok test-never=bad &&
	C=$F &&
	is pass "$(step_status $A test-reg b)" &&
	is fail "$(step_status $A test-base b)" &&
	is pass "$(step_status $B test-base b)" &&
	is fail "$(step_status $A build-amd64 b)" &&
	is pass "$(step_status $B build-amd64 b)" &&
	is blocked "$(job_status $A test-blocked)"
'

test_expect_success 'setup: flight D at X2, every class of failure' '
	run_flight b $X2 test-reg=bad test-base=bad test-heis=bad test-never=bad \
	    test-allow=bad test-brk=brk build-amd64=bad test-blocked=blk test-die=die &&
	D=$F &&
	is fail "$(step_status $D test-reg b)" &&
	is broken "$(step_status $D test-brk b)" &&
	is broken "$(job_status $D test-die)" &&
	is pass "$(step_status $D test-die a)" &&
	is blocked "$(job_status $D test-blocked)"
'

# --- classes and the verdict -------------------------------------------------

test_expect_success 'D: regressions, exit 1, baseline B at the revision last pushed' '
	test_expect_code 1 ts-report $D >out 2>err &&
	empty err &&
	is "$D: regressions" "$(head -n 1 out)" &&
	is "regressions|$B|5" "$(verdict $D)"
'

test_expect_success 'a step that passed in every baseline flight is a regression, since the newest' '
	is "regression|1|$B" "$(failure $D test-reg b)"
'

test_expect_success 'a step that failed in a baseline flight is baseline-fail, not blocking' '
	is "baseline-fail|0|$D" "$(failure $D test-base b)"
'

test_expect_success 'a step that passed at the same revisions is a heisenbug, not blocking' '
	is "heisenbug|0|$C" "$(failure $D test-heis b)"
'

test_expect_success 'a step that never passed on the branch is never-pass, not blocking' '
	is "never-pass|0|$A" "$(failure $D test-never b)"
'

test_expect_success 'a build that the baseline built is a regression, though A failed it' '
	is "regression|1|$B" "$(failure $D build-amd64 b)"
'

test_expect_success 'a broken step is class broken, blocking, its log in the detail' '
	is "broken|1|$B" "$(failure $D test-brk b)" &&
	db "SELECT detail FROM failures WHERE flight = $D AND job = '\''test-brk'\''" >detail &&
	has_f "exit status 3" detail &&
	has_f "the disk is on fire" detail
'

test_expect_success 'a job broken without a broken step is class job, blocking' '
	is "job|1|" "$(failure $D test-die "")" &&
	is "" "$(failure $D test-die a)"
'

test_expect_success 'a job blocked by a failed build of the flight is class job, not blocking' '
	is "job|0|" "$(failure $D test-blocked "")" &&
	db "SELECT detail FROM failures WHERE flight = $D AND job = '\''test-blocked'\''" >detail &&
	has_f build-amd64 detail
'

test_expect_success 'kept attempts of jobs run again are not judged' '
	is broken "$(job_status $D "test-die~1")" &&
	is broken "$(job_status $D "test-brk~1")" &&
	is 0 "$(db "SELECT count(*) FROM failures WHERE flight = $D AND job LIKE '\''%~%'\''")"
'

test_expect_success 'with an allow file: the allowed failure is not blocking, the rows replaced' '
	cat >allow <<-\EOF &&
	# allowed while it is being fixed
	test-all* b

	no-such-job
	EOF
	test_expect_code 1 ts-report --allow allow $D >out &&
	is "allowed|0|$B" "$(failure $D test-allow b)" &&
	is "regressions|$B|4" "$(verdict $D)" &&
	is 9 "$(db "SELECT count(*) FROM failures WHERE flight = $D")" &&
	is 1 "$(db "SELECT count(*) FROM verdicts WHERE flight = $D")" &&
	grep "^allow .*allow" out
'

test_expect_success 'LAB/allow.BRANCH is read without --allow; a job alone allows every testid' '
	echo "test-allow" >"$TLAB_LAB/allow.b" &&
	test_when_finished "rm -f \"$TLAB_LAB/allow.b\"" &&
	test_expect_code 1 ts-report $D >out &&
	is "allowed|0|$B" "$(failure $D test-allow b)" &&
	db "SELECT detail FROM failures WHERE flight = $D AND job = '\''test-allow'\''" >detail &&
	has_f "allow.b:1" detail
'

test_expect_success 'tolerable: failures, none blocking; exit 0' '
	run_flight b $X2 test-reg=ok test-never=bad test-heis=ok &&
	E=$F &&
	ts-report $E >out &&
	is "$E: tolerable" "$(head -n 1 out)" &&
	is "tolerable|$B|0" "$(verdict $E)" &&
	is "never-pass|0|$A" "$(failure $E test-never b)"
'

test_expect_success 'perfect: nothing failed; exit 0' '
	run_flight b $X2 test-reg=ok &&
	P=$F &&
	ts-report $P >out &&
	is "$P: perfect" "$(head -n 1 out)" &&
	is "perfect|$B|0" "$(verdict $P)" &&
	is 0 "$(db "SELECT count(*) FROM failures WHERE flight = $P")"
'

test_expect_success 'nothing pushed: the baseline is the newest real flight of the branch' '
	run_flight nb $X1 test-reg=ok &&
	N1=$F &&
	run_flight nb $X2 test-reg=bad &&
	N2=$F &&
	test_expect_code 1 ts-report --json $N2 >out.json &&
	python3 -c "
import json, sys
d = json.load(sys.stdin)
assert d[\"baseline\"] == $N1, d
assert \"nothing pushed\" in d[\"baseline_how\"], d
assert [f[\"class\"] for f in d[\"failures\"]] == [\"regression\"], d
" <out.json
'

test_expect_success '--baseline FLIGHT overrides it; a step it did not run is still a regression' '
	test_expect_code 1 ts-report --json --baseline $C $D >out.json &&
	python3 -c "
import json, sys
d = json.load(sys.stdin)
assert d[\"baseline\"] == $C and d[\"baseline_flights\"] == [$C], d
f = [f for f in d[\"failures\"] if f[\"job\"] == \"test-reg\"][0]
assert f[\"class\"] == \"regression\" and \"not run in the baseline\" in f[\"detail\"], f
" <out.json &&
	is "regressions|$C|6" "$(verdict $D)"
'

# --- the reports ---------------------------------------------------------------

test_expect_success 'the text: verdict, blocking failures with host, since and log, then the rest' '
	test_expect_code 1 ts-report --allow allow --log-url https://lab.example/logs/ $D >out &&
	is "$D: regressions" "$(head -n 1 out)" &&
	has "^baseline flight $B (at the revisions last pushed)" out &&
	has "^baseline flights $B $A$" out &&
	sed -n "/^Tests which did not succeed and are blocking:/,/^$/p" out >blocking &&
	has "^ test-reg b: fail, regression since flight $B$" blocking &&
	has "^ build-amd64 b: fail, regression since flight $B$" blocking &&
	has "^ test-brk b: broken, last passed in flight $B$" blocking &&
	has "^ test-die (job): broken, job$" blocking &&
	has "^   host bedbug$" blocking &&
	has "^   host builder$" blocking &&
	has_f "   log https://lab.example/logs/$D/test-reg/2.false.log" blocking &&
	! grep "test-heis\|test-base\|test-never\|test-allow\|test-blocked" blocking &&
	has "^Tests which are failing intermittently" out &&
	has "^ test-heis b: fail, heisenbug since flight $C$" out &&
	has "^ test-base b: fail, baseline-fail since flight $D$" out &&
	has "^ test-never b: fail, never-pass since flight $A$" out &&
	has "^ test-allow b: fail, allowed, last passed in flight $B$" out &&
	has "^ test-blocked (job): blocked, job$" out &&
	has "^Revisions tested:" out &&
	has "^ x $X2  (baseline $X1)$" out &&
	has "^ test-die~1 .*broken (an attempt of test-die, run again): the recipe failed outside its recorded steps: exit status 3$" out
'

if [ -n "$have_git" ]; then
	test_expect_success 'the text has the log of x from the baseline to the tested revision' '
		test_expect_code 1 ts-report $D >out &&
		sed -n "/^Log of x from /,/^$/p" out >log &&
		has "^Log of x from $(echo $X1 | cut -c1-12) to $(echo $X2 | cut -c1-12):" log &&
		has " the change under test$" log &&
		! grep "the pushed one" log
	'
else
	test_skip 'the text has the log of x from the baseline to the tested revision' \
	    'git is not installed'
fi

test_expect_success 'without --log-url the text gives the logs paths in the lab' '
	test_expect_code 1 ts-report $D >out &&
	has_f "   log $TLAB_LAB/logs/$D/test-reg/2.false.log" out &&
	test -f "$TLAB_LAB/logs/$D/test-reg/2.false.log"
'

test_expect_success '--json parses: verdict, baseline, failures and jobs with steps' '
	test_expect_code 1 ts-report --json --allow allow $D >out.json &&
	python3 -c "
import json, sys
d = json.load(sys.stdin)
assert d[\"flight\"] == $D and d[\"verdict\"] == \"regressions\", d
assert d[\"baseline\"] == $B and d[\"baseline_flights\"] == [$B, $A], d
assert d[\"blocking\"] == 4, d
assert d[\"revisions\"] == [{\"tree\": \"x\", \"revision\": \"$X2\"}], d
assert d[\"baseline_revisions\"] == [{\"tree\": \"x\", \"revision\": \"$X1\"}], d
cls = dict(((f[\"job\"], f[\"testid\"]), (f[\"class\"], f[\"blocking\"], f[\"since\"]))
           for f in d[\"failures\"])
assert cls[(\"test-reg\", \"b\")] == (\"regression\", True, $B), cls
assert cls[(\"test-heis\", \"b\")] == (\"heisenbug\", False, $C), cls
assert cls[(\"test-allow\", \"b\")] == (\"allowed\", False, $B), cls
assert cls[(\"test-die\", \"\")] == (\"job\", True, None), cls
assert len(cls) == 9, cls
jobs = dict((j[\"job\"], j) for j in d[\"jobs\"])
assert set(\"$ALL_JOBS\".split()) <= set(jobs), jobs.keys()
assert jobs[\"test-die~1\"][\"attempt_of\"] == \"test-die\", jobs[\"test-die~1\"]
assert [(s[\"testid\"], s[\"status\"]) for s in jobs[\"test-reg\"][\"steps\"]] == \
    [(\"a\", \"pass\"), (\"b\", \"fail\")], jobs[\"test-reg\"]
assert jobs[\"test-reg\"][\"hosts\"] == \"bedbug\", jobs[\"test-reg\"]
" <out.json
'

test_expect_success '--junit FILE: well-formed JUnit XML with the right counts' '
	test_expect_code 1 ts-report --junit junit.xml --allow allow $D >out &&
	python3 -c "
import xml.etree.ElementTree as ET
root = ET.parse(\"junit.xml\").getroot()
assert root.tag == \"testsuites\", root.tag
suites = dict((s.get(\"name\"), s) for s in root.findall(\"testsuite\"))
assert sorted(suites) == sorted(\"$ALL_JOBS\".split()), sorted(suites)
cases = root.findall(\"testsuite/testcase\")
fails = root.findall(\"testsuite/testcase/failure\")
errors = root.findall(\"testsuite/testcase/error\")
skipped = root.findall(\"testsuite/testcase/skipped\")
# 7 jobs of steps a and b, test-blocked its build-check, test-die a and (job)
assert len(cases) == 17, len(cases)
assert len(fails) == 6, len(fails)
assert len(errors) == 2, len(errors)
assert len(skipped) == 1, len(skipped)
assert root.get(\"tests\") == \"17\" and root.get(\"failures\") == \"6\", root.attrib
assert root.get(\"errors\") == \"2\" and root.get(\"skipped\") == \"1\", root.attrib
reg = suites[\"test-reg\"]
assert reg.get(\"tests\") == \"2\" and reg.get(\"failures\") == \"1\", reg.attrib
c = [c for c in reg.findall(\"testcase\") if c.get(\"name\") == \"b\"][0]
assert c.get(\"classname\") == \"test-reg\", c.attrib
assert c.find(\"failure\").get(\"type\") == \"regression\", c.find(\"failure\").attrib
die = [c.get(\"name\") for c in suites[\"test-die\"].findall(\"testcase\")]
assert die == [\"a\", \"(job)\"], die
"
'

test_expect_success '--html DIR in the lab: index, job and host pages, relative log links' '
	test_expect_code 1 ts-report --html "$TLAB_LAB/html/$D" --allow allow $D >out &&
	H=$TLAB_LAB/html/$D &&
	test -s "$H/index.html" &&
	ok=t &&
	for j in $ALL_JOBS test-die~1; do
		test -s "$H/job-$j.html" || { echo "no job-$j.html" >&2; ok=; }
	done &&
	test -n "$ok" &&
	test -s "$H/host-bedbug.html" &&
	test -s "$H/host-builder.html" &&
	has_f "href=\"../../logs/$D/test-reg/2.false.log\"" "$H/index.html" &&
	has_f "href=\"job-test-reg.html\"" "$H/index.html" &&
	has_f "href=\"host-bedbug.html\"" "$H/index.html" &&
	! grep -i "<script" "$H/index.html" &&
	for fl in $A $B $D; do
		grep "<td>$fl</td>" "$H/job-test-reg.html" >/dev/null ||
		    { echo "flight $fl not in job-test-reg.html" >&2; ok=; }
	done &&
	test -n "$ok" &&
	grep "<td>$D</td><td>b</td><td>test-reg</td>" "$H/host-bedbug.html" &&
	! grep "<td>test-reg</td>" "$H/host-builder.html"
'

test_expect_success '--html DIR outside the lab links the logs by file:// URLs' '
	test_expect_code 1 ts-report --html "$T/out-html" $D >out &&
	has_f "href=\"file://$TLAB_LAB/logs/$D/test-reg/2.false.log\"" out-html/index.html
'

test_expect_success '--stored prints the verdict stored and exits by it, changing nothing' '
	before=$(db_digest) &&
	test_expect_code 1 ts-report --stored $D >out &&
	is "$D: regressions" "$(head -n 1 out)" &&
	has "^judged .* against flight $B, 5 blocking$" out &&
	has "^ test-reg b: fail, regression, blocking, flight $B$" out &&
	ts-report --stored $P >out &&
	is "$P: perfect" "$(head -n 1 out)" &&
	test_expect_code 1 ts-report --stored --json $D >out.json &&
	python3 -c "
import json, sys
d = json.load(sys.stdin)
assert d[\"flight\"] == $D and d[\"verdict\"] == \"regressions\", d
assert d[\"baseline\"] == $B and d[\"blocking\"] == 5, d
f = d[\"failures\"]
assert len(f) == 9 and [x[\"blocking\"] for x in f] == [True] * 5 + [False] * 4, f
" <out.json &&
	is "$before" "$(db_digest)" &&
	test_expect_code 2 ts-report --stored $C >out 2>err &&
	test_line_count = 1 err &&
	has "^ts-report: flight $C: no verdict stored" err &&
	test_expect_code 2 ts-report --stored --html x $D 2>err &&
	test_line_count = 1 err &&
	is "$before" "$(db_digest)"
'

test_expect_success 'HTML escapes what it shows: a testid with markup in it' '
	write_recipe markup <<-\EOF &&
	step --testid="<b>&\"x\"" true
	EOF
	run_flight m $X1 test-markup=markup &&
	ts-report --html "$T/markup-html" $F >out &&
	has_f "&lt;b&gt;&amp;&quot;x&quot;" markup-html/index.html &&
	! grep "<b>&" markup-html/index.html
'

CHROMIUM=/usr/bin/chromium
if [ -x "$CHROMIUM" ]; then
	test_expect_success 'headless Chromium: the grid shows every job and every step that ran' '
		ud=$(mktemp -d) &&
		test_when_finished "rm -rf \"$ud\"" &&
		timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
		    --disable-quic --no-first-run --disable-background-networking \
		    --disable-component-update --disable-sync --user-data-dir="$ud" \
		    --dump-dom "file://$TLAB_LAB/html/$D/index.html" >dom.html 2>chromium.err &&
		grep "id=\"grid\"" dom.html &&
		db "SELECT job FROM jobs WHERE flight = $D" >jobs &&
		test_line_count -ge 9 jobs &&
		ok=t &&
		while read -r j; do
			grep -F "<tr data-job=\"$j\">" dom.html >/dev/null ||
			    { echo "job $j: no row in the grid" >&2; ok=; }
		done <jobs &&
		db "SELECT job || \" \" || testid FROM steps WHERE flight = $D" >cells &&
		test_line_count -ge 18 cells &&
		while read -r j t; do
			grep -F "data-job=\"$j\" data-testid=\"$t\"" dom.html >/dev/null ||
			    { echo "no cell for job $j, testid $t" >&2; ok=; }
		done <cells &&
		test -n "$ok"
	'
else
	test_skip 'headless Chromium: the grid shows every job and every step that ran' \
	    "$CHROMIUM is not installed"
fi

# --- bad input ------------------------------------------------------------------

test_expect_success 'no such flight: exit 2, one line, nothing stored' '
	before=$(db_digest) &&
	test_expect_code 2 ts-report 9999 >out 2>err &&
	test_line_count = 1 err &&
	has "^ts-report: .*flight 9999: no such flight" err &&
	empty out &&
	is "$before" "$(db_digest)"
'

test_expect_success 'a flight still constructing or running: exit 2, nothing stored' '
	c=$(ts-flight-create --branch b --intended real) &&
	ts-job-create $c test-reg ok revision_x=$X2 &&
	ts-job-create $c test-base ok revision_x=$X2 &&
	before=$(db_digest) &&
	test_expect_code 2 ts-report $c >out 2>err &&
	test_line_count = 1 err &&
	has "^ts-report: flight $c: still constructing" err &&
	is "$before" "$(db_digest)" &&
	timeout 60 ts-run-job $c test-reg >/dev/null 2>&1 &&
	is running "$(db "SELECT blessing FROM flights WHERE flight = $c")" &&
	before=$(db_digest) &&
	test_expect_code 2 ts-report $c >out 2>err &&
	test_line_count = 1 err &&
	has "^ts-report: flight $c: still running" err &&
	empty out &&
	is "$before" "$(db_digest)" &&
	is 0 "$(db "SELECT count(*) FROM verdicts WHERE flight = $c")"
'

test_expect_success 'an allow file with a bad line: exit 2 naming FILE:LINE, nothing stored' '
	printf "# fine\ntest-reg b\ntest-reg b extra\n" >bad-allow &&
	before=$(db_digest) &&
	test_expect_code 2 ts-report --allow bad-allow $D >out 2>err &&
	test_line_count = 1 err &&
	has_f "ts-report: bad-allow:3: " err &&
	empty out &&
	is "$before" "$(db_digest)" &&
	echo "test-@@ b" >osstest-allow &&
	test_expect_code 2 ts-report --allow osstest-allow $D 2>err &&
	has_f "osstest-allow:1: " err &&
	test_expect_code 2 ts-report --allow no-such-file $D 2>err &&
	has_f "no-such-file" err &&
	is "$before" "$(db_digest)"
'

test_expect_success 'a baseline that is the flight itself, or not finished: exit 2' '
	test_expect_code 2 ts-report --baseline $D $D 2>err &&
	test_line_count = 1 err &&
	test_expect_code 2 ts-report --baseline $c $D 2>err &&
	has "flight $c: not finished" err &&
	test_expect_code 2 ts-report --baseline nonsense $D 2>err &&
	test_line_count = 1 err
'

test_done
