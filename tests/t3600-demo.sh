#!/bin/sh
test_description='the demo (./quickstart demo): the push gate'\''s whole loop on sshd hosts'
. "${abs_top_srcdir:-$(dirname "$0")/..}/tests/lib/test-lib.sh"

# recipes/demo-flight as the README runs it, in a lab of its own: two
# sshds of this machine as hosts, a bare repository whose staging is one
# commit ahead of master, then cron's script three times.
[ -x "${SSHD:-/usr/sbin/sshd}" ] || test_skip_all "no sshd (openssh-server)"
require_command git flock

up=demo/demo-upstream.git

test_expect_success 'the demo: a baseline flight, a flight pushed, a regression not pushed' '
	sh "$abs_top_srcdir/recipes/demo-flight" demo >out 2>err &&
	TLAB_LAB=$TRASH_DIRECTORY/demo && export TLAB_LAB &&
	has "^  branch demo: flight 1: tolerable: baseline test, nothing pushed$" out &&
	has "^  branch demo: flight 2: tolerable: pushed$" out &&
	has "^  branch demo: flight 3: regressions: not pushed$" out &&
	is "1|tolerable 2|tolerable 3|regressions" \
	    "$(db "SELECT flight, verdict FROM verdicts ORDER BY flight" | tr "\n" " " | sed "s/ $//")" &&
	is "test-demo|regression|1" "$(db "SELECT job, class, blocking FROM failures
	    WHERE flight = 3 AND blocking = 1")" &&
	is "test-demo-french|never-pass|0" "$(db "SELECT job, class, blocking FROM failures
	    WHERE flight = 2")"
'

test_expect_success 'the regression bisected: the change to the greeting is the culprit, exit 4' '
	staging=$(git -C "$up" rev-parse staging) &&
	has "^  bisect:  test-demo test-suite: bisection 1 started$" out &&
	has "^  bisection 1: culprit demo $(echo $staging | cut -c1-12): culprit found and reproduced$" out &&
	has "^    commit:  $staging$" out &&
	has "^    subject: hello: a warmer greeting$" out &&
	is "4|test-demo" "$(db "SELECT verdict, job FROM bisections WHERE id = 1")" &&
	is bisect "$(db "SELECT DISTINCT blessing FROM flights f JOIN bisection_flights b
	    ON b.flight = f.flight")" &&
	if command -v dot >/dev/null 2>&1; then
		grep -q "<svg" "$TLAB_LAB/reports/bisect-1.svg"
	else
		grep -q CULPRIT "$TLAB_LAB/reports/bisect-1.dot"
	fi
'

test_expect_success 'master has what flight 2 tested; staging, with the regression, is not pushed' '
	master=$(git -C "$up" rev-parse master) &&
	staging=$(git -C "$up" rev-parse staging) &&
	is "$master" "$(db "SELECT val FROM runvars WHERE flight = 2
	    AND job = '\''test-demo'\'' AND name = '\''revision_demo'\''")" &&
	is "$staging" "$(db "SELECT val FROM runvars WHERE flight = 3
	    AND job = '\''test-demo'\'' AND name = '\''revision_demo'\''")" &&
	test "$master" != "$staging" &&
	is "pushed|$master" "$(db "SELECT outcome, new_rev FROM pushes WHERE flight = 2")" &&
	is "refused" "$(db "SELECT outcome FROM pushes WHERE flight = 3")" &&
	has "^  blocking:  test-demo test-suite: regression, fail: passed in baseline flight 2$" out
'

test_expect_success 'the HTML reports of the three flights are where the demo says' '
	for f in 1 2 3; do
		has_f "  $TLAB_LAB/reports/$f/index.html" out &&
		test -s "$TLAB_LAB/reports/$f/index.html" || return 1
	done &&
	grep -q "test-demo-french" "$TLAB_LAB/reports/3/index.html" &&
	has "^  3: regressions$" out
'

test_expect_success 'run again: the same revisions, master already tested, the builds reused' '
	sh "$abs_top_srcdir/recipes/demo-flight" demo >out2 2>err &&
	! grep "baseline test" out2 &&
	f=$(sed -n "s/^  branch demo: flight \([0-9]*\): tolerable: pushed$/\1/p" out2) &&
	has "^  branch demo: flight $((f + 1)): regressions: not pushed$" out2 &&
	is "$(git -C "$up" rev-parse master)" "$master" &&
	grep -q "reus" "$TLAB_LAB/logs/$f/build-demo/2.ts-build.log" &&
	has "^  bisect:  bisection 2: culprit demo " out2 &&
	is 0 "$(db "SELECT count(*) FROM bisection_flights WHERE bisection = 2")"
'

test_done
