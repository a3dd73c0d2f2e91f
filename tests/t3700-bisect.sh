#!/bin/sh
test_description='ts-bisect: start, step, run, status, mark, report on real git histories'
. "${abs_top_srcdir:-$(dirname "$0")/..}/tests/lib/test-lib.sh"

require_command git

T=$PWD
GIT="git -c user.name=Ann -c user.email=ann@example.org"

# commits DIR TREE FROM TO [CULPRIT]: commits FROM..TO of TREE in repo DIR
# with fixed dates, each adding line N to file log; the one numbered
# CULPRIT also adds the file "broken".  Their ids in $DIR.ids, one a line.
commits () {
	_d=$1 _t=$2 _i=$3
	while [ "$_i" -le "$4" ]; do
		echo "$_t $_i" >>"$_d/log"
		[ "$_i" != "${5:-}" ] || echo "$_t" >"$_d/broken"
		git -C "$_d" add -A &&
		GIT_AUTHOR_DATE="@$((1700000000 + _i * 60)) +0000" \
		GIT_COMMITTER_DATE="@$((1700000000 + _i * 60)) +0000" \
		    $GIT -C "$_d" commit -q -m "$_t change $_i" || return 1
		git -C "$_d" rev-parse HEAD >>"$_d.ids"
		_i=$((_i + 1))
	done
}

# rev DIR N: the id of commit N (from 0) of DIR.
rev () {
	sed -n "$(($2 + 1))p" "$1.ids"
}

# cache TREE DIR: the lab's cache of TREE is a bare copy of DIR.
cache () {
	rm -rf "$TLAB_LAB/git/$1.git" &&
	git clone -q --bare "$2" "$TLAB_LAB/git/$1.git"
}

# flight BRANCH JOB RECIPE NAME=VALUE...: a real flight of one job, run.
flight () {
	_b=$1 _j=$2 _r=$3
	shift 3
	F=$(ts-flight-create --branch "$_b" --intended real) &&
	ts-job-create "$F" "$_j" "$_r" host=bedbug "$@" &&
	timeout 120 ts-flight-run "$F" >/dev/null 2>&1
}

test_expect_success 'setup: a lab; a recipe whose step fails when the tree has "broken"' '
	lab_init &&
	write_recipe probe <<-\EOF &&
	any=
	for t in x y; do
		r=$(ts-runvar "$TLAB_FLIGHT" "$TLAB_JOB" revision_$t 2>/dev/null) || continue
		any="$any git --git-dir=$TLAB_LAB/git/$t.git cat-file -e $r:broken ||"
	done
	step --testid=check sh -c "! { $any false; } 2>/dev/null"
	EOF
	mkdir x && git -C x init -q &&
	commits x x 0 20 13 &&
	cache x x &&
	test $(wc -l <x.ids) = 21
'

test_expect_success 'a pass at commit 0, a fail at commit 20' '
	flight b1 test-x probe revision_x=$(rev x 0) &&
	P=$F &&
	is pass "$(step_status $P test-x check)" &&
	flight b1 test-x probe revision_x=$(rev x 20) &&
	FF=$F &&
	is fail "$(step_status $FF test-x check)" &&
	echo $P >P && echo $FF >FF
'

test_expect_success 'start: the basis found, the graph and the estimate said' '
	P=$(cat P) FF=$(cat FF) &&
	ts-bisect start --flight $FF --job test-x --testid check >out &&
	has "^bisection 1: test-x check on branch b1: flight $FF against basis flight $P$" out &&
	has "^bisection 1: 21 tuples, 20 candidates; it expects about [0-9]* flights" out &&
	is "1|$FF|$P|host=bedbug" "$(db "SELECT id || \"|\" || fail_flight || \"|\" || basis_flight || \"|\" || hosts FROM bisections")" &&
	is "x|$(rev x 0)|$(rev x 20)" "$(db "SELECT tree || \"|\" || pass_rev || \"|\" || fail_rev FROM bisection_trees")"
'

test_expect_success 'status before a step: candidates, the next tuple and why' '
	ts-bisect status >out &&
	has "^left:      20 candidates$" out &&
	has "^next:      $(rev x 0 | cut -c1-12) (reproduce" out
'

test_expect_success 'step: one flight of blessing bisect, recorded against the bisection' '
	ts-bisect step >out &&
	is 1 "$(db "SELECT count(*) FROM bisection_flights")" &&
	f=$(db "SELECT flight FROM bisection_flights") &&
	is bisect "$(db "SELECT blessing FROM flights WHERE flight = $f")" &&
	is "$(rev x 0)" "$(db "SELECT val FROM runvars WHERE flight = $f AND name = '\''revision_x'\''")" &&
	is bedbug "$(db "SELECT val FROM runvars WHERE flight = $f AND name = '\''host'\''")" &&
	has "^bisection 1: flight $f: " out
'

test_expect_success 'run: to the culprit, commit 13, found and reproduced: exit 4' '
	test_expect_code 4 ts-bisect run -q >out &&
	has "^bisection 1: culprit x $(rev x 13 | cut -c1-12)" out &&
	is "4" "$(db "SELECT verdict FROM bisections WHERE id = 1")" &&
	n=$(db "SELECT count(*) FROM bisection_flights") &&
	say "# flights: $n for 20 candidates" &&
	test "$n" -le 14
'

test_expect_success 'report: the culprit commit, its author, date and subject; the evidence' '
	test_expect_code 4 ts-bisect report -b 1 >out &&
	has "^verdict: culprit x $(rev x 13 | cut -c1-12)" out &&
	has "^  commit:  $(rev x 13)$" out &&
	has "^  author:  Ann <ann@example.org>$" out &&
	has "^  subject: x change 13$" out &&
	has "^  fails:   .*fail" out &&
	has "^  passes:  $(rev x 12 | cut -c1-12) before it: .*pass" out
'

test_expect_success 'report --graph FILE.dot: every tuple, the culprit marked' '
	test_expect_code 4 ts-bisect report -b 1 --graph g.dot >/dev/null &&
	is 21 "$(grep -c "^	n[0-9]* \[label" g.dot)" &&
	is 20 "$(grep -c -- "->" g.dot)" &&
	has "CULPRIT" g.dot &&
	grep CULPRIT g.dot | grep -q "$(rev x 13 | cut -c1-12)"
'

if command -v dot >/dev/null 2>&1; then
	test_expect_success 'report --graph FILE.svg, FILE.png: Graphviz makes them' '
		test_expect_code 4 ts-bisect report -b 1 --graph g.svg >/dev/null &&
		grep -q "<svg" g.svg && test -s g.dot &&
		test_expect_code 4 ts-bisect report -b 1 --graph g.png >/dev/null &&
		is PNG "$(head -c 4 g.png | tail -c 3)"
	'
else
	test_skip 'report --graph FILE.svg, FILE.png' 'no Graphviz dot'
fi

test_expect_success 'a step of an ended bisection says so and exits as it did' '
	test_expect_code 4 ts-bisect step -b 1 >out &&
	has "^bisection 1: ended: culprit" out &&
	code_err 2 ts-bisect step &&
	has "no bisection going on" err
'

test_expect_success 'two trees: the culprit in the second one' '
	mkdir y && git -C y init -q &&
	commits y y 0 9 6 &&
	cache y y &&
	flight b2 test-xy probe revision_x=$(rev x 0) revision_y=$(rev y 0) &&
	is pass "$(step_status $F test-xy check)" &&
	flight b2 test-xy probe revision_x=$(rev x 12) revision_y=$(rev y 9) &&
	is fail "$(step_status $F test-xy check)" &&
	ts-bisect start --flight $F --job test-xy --testid check >out &&
	has "22 tuples, 21 candidates" out &&
	test_expect_code 4 ts-bisect run -q >out &&
	has "^bisection 2: culprit y $(rev y 6 | cut -c1-12)" out &&
	test_expect_code 4 ts-bisect report -b 2 >out &&
	has "^  tree:    y " out &&
	has "^  subject: y change 6$" out
'

# linear N CULPRIT: repo lin of N commits made by git fast-import (fixed
# dates), commit CULPRIT adding "broken"; its ids in lin.ids.
linear () {
	rm -rf lin lin.ids && git init -q lin &&
	_i=0 && {
		while [ $_i -lt "$1" ]; do
			echo "commit refs/heads/master"
			echo "mark :$((_i + 1))"
			echo "committer Ann <ann@example.org> $((1700000000 + _i * 60)) +0000"
			echo "data <<EOM"
			echo "lin change $_i"
			echo "EOM"
			[ $_i = 0 ] || echo "from :$_i"
			echo "M 644 inline log"
			echo "data <<EOM"
			echo "$_i"
			echo "EOM"
			if [ $_i = "$2" ]; then
				echo "M 644 inline broken"
				echo "data <<EOM"
				echo "since $_i"
				echo "EOM"
			fi
			_i=$((_i + 1))
		done
	} | git -C lin fast-import --quiet &&
	git -C lin rev-list --reverse master >lin.ids
}

test_expect_success 'a line of 1000 commits, the culprit at 737: found, exit 4' '
	linear 1000 737 &&
	test $(wc -l <lin.ids) = 1000 &&
	cache x lin &&
	flight b4 test-x probe revision_x=$(rev lin 0) &&
	is pass "$(step_status $F test-x check)" &&
	flight b4 test-x probe revision_x=$(rev lin 999) &&
	is fail "$(step_status $F test-x check)" &&
	ts-bisect start --flight $F --job test-x --testid check >out &&
	has "1000 tuples, 999 candidates" out &&
	id=$(db "SELECT max(id) FROM bisections") &&
	test_expect_code 4 ts-bisect run -q -b $id >out &&
	has "^bisection $id: culprit x $(rev lin 737 | cut -c1-12)" out &&
	n=$(db "SELECT count(*) FROM bisection_flights WHERE bisection = $id") &&
	echo "# 999 candidates: $n flights (log2: 10, with 2 + 6 reproduction runs)" &&
	test "$n" -le 18
'

# The merge-heavy history of repo mh: a main line, side branches forked
# and merged back (one forked before the passing commit); the culprit on
# side branch s3.  Tags name the commits.
test_expect_success 'merges: the culprit on a side branch, found, exit 4' '
	rm -rf mh && mkdir mh && git -C mh init -q -b master &&
	c () {
		n=$((${n:-0} + 1)) &&
		echo "$1" >"mh/$1" &&
		if [ "${2:-}" = broken ]; then echo broken >mh/broken; fi &&
		git -C mh add -A &&
		GIT_AUTHOR_DATE="@$((1700000000 + n * 60)) +0000" \
		GIT_COMMITTER_DATE="@$((1700000000 + n * 60)) +0000" \
		    $GIT -C mh commit -q -m "$1" && git -C mh tag "$1"
	} &&
	m () {
		n=$((n + 1)) &&
		GIT_AUTHOR_DATE="@$((1700000000 + n * 60)) +0000" \
		GIT_COMMITTER_DATE="@$((1700000000 + n * 60)) +0000" \
		    $GIT -C mh merge -q --no-ff -m "merge $1" "$1" && git -C mh tag "m-$1"
	} &&
	c m0 && git -C mh branch s1 &&
	c m1 && c pass &&
	git -C mh checkout -q s1 && c s1a && c s1b && git -C mh checkout -q master &&
	c m2 && m s1 && git -C mh branch s2 && git -C mh branch s3 &&
	git -C mh checkout -q s2 && c s2a && c s2b && c s2c && git -C mh checkout -q master &&
	c m3 && m s2 &&
	git -C mh checkout -q s3 && c s3a && c s3b broken && c s3c && git -C mh checkout -q master &&
	c m4 && c m5 && m s3 && c m6 && c m7 &&
	cache x mh &&
	P=$(git -C mh rev-parse pass) L=$(git -C mh rev-parse m7) &&
	flight b5 test-x probe revision_x=$P &&
	is pass "$(step_status $F test-x check)" &&
	flight b5 test-x probe revision_x=$L &&
	is fail "$(step_status $F test-x check)" &&
	ts-bisect start --flight $F --job test-x --testid check >out &&
	k=$(git -C mh rev-list --count $L ^$P) &&
	has "$((k + 1)) tuples, $k candidates" out &&
	id=$(db "SELECT max(id) FROM bisections") && echo $id >mh.id &&
	ts-bisect status -b $id >st &&
	next=$(sed -n "s/^next: *\([0-9a-f]*\) .*/\1/p" st) &&
	test -n "$next" &&
	test_expect_code 4 ts-bisect run -q -b $id >out &&
	has "^bisection $id: culprit x $(git -C mh rev-parse s3b | cut -c1-12)" out
'

test_expect_success 'the same step again: every result known is used, a verdict with no flight' '
	ts-bisect start --flight $F --job test-x --testid check >out &&
	id=$(db "SELECT max(id) FROM bisections") &&
	test_expect_code 4 ts-bisect step -b $id >out &&
	has "^bisection $id: culprit x $(git -C mh rev-parse s3b | cut -c1-12)" out &&
	is 0 "$(db "SELECT count(*) FROM bisection_flights WHERE bisection = $id")"
'

test_expect_success 'mark: a person'\''s verdict counts at the next step; no flight runs for it' '
	flight b6 test-x probe revision_x=$(git -C mh rev-parse pass) &&
	flight b6 test-x probe revision_x=$(git -C mh rev-parse m7) &&
	ts-bisect start --flight $F --job test-x --testid check --budget 3 >out &&
	id=$(db "SELECT max(id) FROM bisections") && echo $id >mark.id &&
	ts-bisect status -b $id >st &&
	has "^next:      $(git -C mh rev-parse pass | cut -c1-12) (reproduce" st &&
	known=$(sed -n "s/.*; \([0-9]*\) results known$/\1/p" st) &&
	ts-bisect mark -b $id "$(git -C mh rev-parse pass | cut -c1-8)" pass >out &&
	has "marked pass" out &&
	is "$(git -C mh rev-parse pass)|pass" "$(db "SELECT tuple || \"|\" || result FROM bisection_marks WHERE bisection = $id")" &&
	ts-bisect status -b $id >st &&
	has "; $((known + 1)) results known$" st &&
	! grep -q "^next:      $(git -C mh rev-parse pass | cut -c1-12) (reproduce the basis" st &&
	is 0 "$(db "SELECT count(*) FROM bisection_flights WHERE bisection = $id")"
'

test_expect_success 'a step while another step of it runs: busy, exit 75, nothing done' '
	id=$(cat mark.id) &&
	mkdir -p "$TLAB_LAB/locks" &&
	{ flock "$TLAB_LAB/locks/bisect.$id" sleep 5 & } &&
	sleep 0.5 &&
	code_err 75 ts-bisect step -b $id >out &&
	has "^bisection $id: busy: a step runs already" out &&
	is 0 "$(db "SELECT count(*) FROM bisection_flights WHERE bisection = $id")" &&
	wait
'

test_expect_success '--budget 3: three flights, then exit 8 with what is known' '
	id=$(cat mark.id) &&
	test_expect_code 8 ts-bisect run -q -b $id >out &&
	has "^bisection $id: budget of 3 flights used; [0-9]* candidates left" out &&
	is 3 "$(db "SELECT count(*) FROM bisection_flights WHERE bisection = $id")" &&
	is 8 "$(db "SELECT verdict FROM bisections WHERE id = $id")"
'

test_expect_success 'settings: bisect_repro_basis and bisect_repro_culprit of [branch] cut the reproduction' '
	cache x x &&
	printf "[branch b10]\nbisect_repro_basis = 1\nbisect_repro_culprit = 1\n" >>"$TLAB_LAB/tlab.conf" &&
	flight b10 test-x probe revision_x=$(rev x 0) &&
	flight b10 test-x probe revision_x=$(rev x 20) &&
	ts-bisect start --flight $F --job test-x --testid check >out &&
	id=$(db "SELECT max(id) FROM bisections") &&
	test_expect_code 4 ts-bisect run -q -b $id >out &&
	has "^bisection $id: culprit x $(rev x 13 | cut -c1-12)" out &&
	n=$(db "SELECT count(*) FROM bisection_flights WHERE bisection = $id") &&
	echo "# with 1 and 1: $n flights, against $(db "SELECT count(*) FROM bisection_flights WHERE bisection = 1") with the defaults" &&
	test "$n" -lt "$(db "SELECT count(*) FROM bisection_flights WHERE bisection = 1")"
'

if command -v script >/dev/null 2>&1; then
	test_expect_success 'run on a terminal: what is left and the estimate before each flight' '
		flight b11 test-x probe revision_x=$(rev x 0) &&
		flight b11 test-x probe revision_x=$(rev x 20) &&
		ts-bisect start --flight $F --job test-x --testid check >out &&
		id=$(db "SELECT max(id) FROM bisections") &&
		TERM=dumb script -qec "ts-bisect run -b $id" /dev/null >tty.out </dev/null ||
		test $? = 4 &&
		has "^left:      20 candidates" tty.out &&
		has "^next:      .*(reproduce" tty.out &&
		has "^estimate:  [0-9]* more flights" tty.out &&
		has "bisection $id: culprit x $(rev x 13 | cut -c1-12)" tty.out
	'
else
	test_skip 'run on a terminal' 'no script(1)'
fi

test_expect_success 'a tuple whose flights break three times: exit 3 naming it; marked skip, it goes on' '
	write_recipe brk13 <<-\EOF &&
	r=$(ts-runvar "$TLAB_FLIGHT" "$TLAB_JOB" revision_x)
	ok=
	case $(cat "$TLAB_LAB/x.ok") in *"$r"*) ok=t ;; esac
	if [ -e "$TLAB_LAB/lab-broken" ] && [ -z "$ok" ]; then
		step --testid=check sh -c "echo the host is on fire; exit 3"
	else
		step --testid=check sh -c "! git --git-dir=$TLAB_LAB/git/x.git cat-file -e $r:broken 2>/dev/null"
	fi
	EOF
	cache x x &&
	{ rev x 0 && rev x 20; } >"$TLAB_LAB/x.ok" &&
	flight b12 test-x brk13 revision_x=$(rev x 0) &&
	flight b12 test-x brk13 revision_x=$(rev x 20) &&
	ts-bisect start --flight $F --job test-x --testid check >out &&
	id=$(db "SELECT max(id) FROM bisections") &&
	touch "$TLAB_LAB/lab-broken" &&
	code_err 3 ts-bisect run -q -b $id &&
	has "^ts-bisect: bisection $id: x [0-9a-f]*: the last 3 flights there ended broken or aborted" err &&
	test_line_count = 1 err &&
	t=$(sed -n "s/^ts-bisect: bisection $id: x \([0-9a-f]*\): .*/\1/p" err) &&
	is 3 "$(db "SELECT count(*) FROM bisection_flights WHERE bisection = $id AND tuple LIKE '\''$t%'\''")" &&
	code_err 3 ts-bisect step -b $id &&
	ts-bisect mark -b $id $t skip >out &&
	rm "$TLAB_LAB/lab-broken" &&
	test_expect_code 4 ts-bisect run -q -b $id >out &&
	has "^bisection $id: culprit x $(rev x 13 | cut -c1-12)" out
'

test_expect_success 'unbuildable commits next to the culprit: a range of three, exit 8' '
	write_recipe buildp <<-\EOF &&
	r=$(ts-runvar "$TLAB_FLIGHT" "$TLAB_JOB" revision_x)
	step --testid=build sh -c "! git --git-dir=$TLAB_LAB/git/x.git cat-file -e $r:nobuild 2>/dev/null"
	EOF
	mkdir ub && git -C ub init -q && commits ub ub 0 10 &&
	echo x >ub/nobuild && commits ub ub 11 12 &&
	rm ub/nobuild && commits ub ub 13 20 13 &&
	cache x ub &&
	for r in 0 20 12; do
		F=$(ts-flight-create --branch b7 --intended real) &&
		ts-job-create $F build-x buildp revision_x=$(rev ub $r) &&
		ts-job-create $F test-x probe host=bedbug buildjob=build-x \
		    revision_x=$(rev ub $r) &&
		timeout 120 ts-flight-run $F >/dev/null 2>&1 || return 1
		[ $r != 20 ] || FAILED=$F
	done &&
	is blocked "$(job_status $F test-x)" &&
	ts-bisect start --flight $FAILED --job test-x --testid check >out &&
	id=$(db "SELECT max(id) FROM bisections") &&
	test_expect_code 8 ts-bisect run -q -b $id >out &&
	has "^bisection $id: culprit one of 3: " out &&
	for r in 11 12 13; do
		has " x $(rev ub $r | cut -c1-12)" out || return 1
	done &&
	test_expect_code 8 ts-bisect report -b $id >out &&
	has "^Bug introduced by one of (not told apart):" out &&
	has "^  subject: ub change 13$" out &&
	has "^  subject: ub change 11$" out &&
	f=$(db "SELECT max(flight) FROM bisection_flights WHERE bisection = $id") &&
	is bisect "$(db "SELECT blessing FROM flights WHERE flight = $f")" &&
	is 2 "$(db "SELECT count(*) FROM jobs WHERE flight = $f")" &&
	ts-flight-show $f >show &&
	has "build-x" show && has "test-x" show
'

test_expect_success 'a test that fails one flight in five (the basis first): settled by repeats, the right culprit, exit 12' '
	write_recipe flaky <<-\EOF &&
	r=$(ts-runvar "$TLAB_FLIGHT" "$TLAB_JOB" revision_x)
	step --testid=check sh -c "{ [ $TLAB_FLIGHT -le $(cat "$TLAB_LAB/flaky.from") ] || [ \$((($TLAB_FLIGHT - $(cat "$TLAB_LAB/flaky.from")) % 5)) != 1 ]; } && ! git --git-dir=$TLAB_LAB/git/x.git cat-file -e $r:broken 2>/dev/null"
	EOF
	linear 200 123 && cache x lin &&
	echo 999999 >"$TLAB_LAB/flaky.from" &&
	F=$(ts-flight-create --branch b8 --intended real) &&
	ts-job-create $F test-x flaky host=bedbug revision_x=$(rev lin 0) &&
	timeout 120 ts-flight-run $F >/dev/null 2>&1 &&
	is pass "$(step_status $F test-x check)" &&
	F=$(ts-flight-create --branch b8 --intended real) &&
	ts-job-create $F test-x flaky host=bedbug revision_x=$(rev lin 199) &&
	timeout 120 ts-flight-run $F >/dev/null 2>&1 &&
	is fail "$(step_status $F test-x check)" &&
	echo $F >"$TLAB_LAB/flaky.from" &&
	ts-bisect start --flight $F --job test-x --testid check >out &&
	id=$(db "SELECT max(id) FROM bisections") &&
	{ ts-bisect run -q -b $id >out; rc=$?; } &&
	n=$(db "SELECT count(*) FROM bisection_flights WHERE bisection = $id") &&
	echo "# flaky: exit $rc after $n flights: $(cat out)" &&
	is 12 "$rc" &&
	has "^bisection $id: culprit x $(rev lin 123 | cut -c1-12): culprit found, but some results were inconsistent" out &&
	spurious=$(db "SELECT count(*) FROM steps s JOIN bisection_flights b ON b.flight = s.flight
	    WHERE b.bisection = $id AND b.tuple = '\''$(rev lin 0)'\'' AND s.status = '\''fail'\''") &&
	test "$spurious" -ge 1
'

if command -v exim4 >/dev/null 2>&1 && id Debian-exim >/dev/null 2>&1; then
	. "$abs_top_srcdir/tests/lib/lib-mail.sh"
	mail_setup
	test_expect_success 'run --mail: the verdict mailed to the list and the culprit'\''s author' '
		{
			# The lab'\''s keys come before any [section].
			echo "sendmail = $MAIL_SENDMAIL" &&
			echo "mail_from = lab@tlab.test" &&
			cat "$TLAB_LAB/tlab.conf" &&
			echo "[branch b9]" &&
			echo "mail_to = xen-devel@tlab.test"
		} >conf.new && mv conf.new "$TLAB_LAB/tlab.conf" &&
		cache x x &&
		flight b9 test-x probe revision_x=$(rev x 0) &&
		flight b9 test-x probe revision_x=$(rev x 20) &&
		ts-bisect start --flight $F --job test-x --testid check >out &&
		id=$(db "SELECT max(id) FROM bisections") &&
		test_expect_code 4 ts-bisect run -q --mail -b $id >out &&
		has "^bisection $id: mailed to xen-devel@tlab.test, Ann <ann@example.org>$" out &&
		# One message, a copy for each recipient in the one mbox.
		is 2 "$(mail_count)" &&
		grep "^Subject: \[b9 bisection\] test-x check: culprit x $(rev x 13 | cut -c1-12)" "$MAILBOX" &&
		grep "^Envelope-to: xen-devel@tlab.test" "$MAILBOX" &&
		grep "^Envelope-to: ann@example.org" "$MAILBOX" &&
		grep "^  commit:  $(rev x 13)$" "$MAILBOX" &&
		test_expect_code 4 ts-bisect step --mail -b $id >out &&
		is 2 "$(mail_count)"
	'
else
	test_skip 'run --mail' 'no exim4 to deliver mail'
fi

test_expect_success 'bad input: exit 2 with one line; no pair: exit 32; nothing recorded' '
	n=$(db "SELECT count(*) FROM bisections") &&
	code_err 2 ts-bisect start --flight $(cat P) --job test-x --testid check &&
	has "check: pass, not fail" err && test_line_count = 1 err &&
	code_err 2 ts-bisect start --flight 999 --job test-x --testid check &&
	test_line_count = 1 err &&
	code_err 2 ts-bisect start --flight $(cat FF) --job nosuch --testid check &&
	code_err 2 ts-bisect start --flight $(cat FF) --job test-x &&
	has "needs --flight, --job and --testid" err &&
	code_err 2 ts-bisect frobnicate &&
	code_err 2 ts-bisect mark abc pass -b 1 &&
	code_err 2 ts-bisect mark "$(rev x 3)" maybe -b 1 &&
	cache x x &&
	flight b3 test-x probe revision_x=$(rev x 20) &&
	code_err 32 ts-bisect start --flight $F --job test-x --testid check &&
	has "no earlier flight of branch b3 where it passed on the same hosts" err &&
	is "$n" "$(db "SELECT count(*) FROM bisections")"
'

test_done
