#!/bin/sh
test_description='recipes/flights/daily-branch: the cron run of a branch, baseline, flight, report, push and mail'
. "${abs_top_srcdir:-$(dirname "$0")/..}/tests/lib/test-lib.sh"

require_command sqlite3 git flock

# Real parts throughout: an upstream repository up.git made here is tree t
# (master, and staging ahead of it); branch b's file makes three hostless
# jobs: build-t records that it built the revision under test, test-t
# passes when the file `status' of that revision (read from the lab's
# cache of the tree) says good, and test-hold waits while LAB/hold exists
# (so that a run can be caught holding its lock).  The mail goes through
# exim4 into an mbox (tests/lib/lib-mail.sh).

. "$abs_top_srcdir/tests/lib/lib-mail.sh"
mail_setup

DAILY=$abs_top_srcdir/recipes/flights/daily-branch
UP=$TRASH_DIRECTORY/up.git

# git_w ARGS: git in the work tree, as a fixed person, quietly.
git_w () {
	git -C "$TRASH_DIRECTORY/work" -c user.name=tlab \
	    -c user.email=tlab@example.org "$@"
}

# stage STATUS NAME: a commit on staging whose file status says STATUS,
# pushed to up.git's staging; prints its id.
stage () {
	echo "$1" >"$TRASH_DIRECTORY/work/status" &&
	echo "$2" >"$TRASH_DIRECTORY/work/$2" &&
	git_w add status "$2" && git_w commit -q -m "$2" &&
	git_w push -q "$UP" HEAD:refs/heads/staging &&
	git_w rev-parse HEAD
}

master () {
	git --git-dir="$UP" rev-parse refs/heads/master
}

flights () {
	db "SELECT count(*) FROM flights"
}

newest () {
	db "SELECT max(flight) FROM flights"
}

# rev FLIGHT: the revision of tree t its jobs test.
rev () {
	db "SELECT DISTINCT val FROM runvars WHERE flight = $1 AND name = 'revision_t'"
}

verdict () {
	db "SELECT verdict FROM verdicts WHERE flight = $1"
}

# pushes FLIGHT: its rows of pushes, "outcome|new_rev".
pushes () {
	db "SELECT outcome || '|' || new_rev FROM pushes WHERE flight = $1"
}

# subject: the Subject: of the one message in the mbox.
subject () {
	is 1 "$(mail_count)" &&
	sed -n 's/^Subject: //p' "$MAILBOX"
}

# daily [ARG...]: run the script, its output in out and err, its exit
# status in $rc; without bisections (--no-bisect) but where asked for by
# bisecting: bisecting daily [ARG...].
daily () {
	rc=0
	if [ -n "${with_bisect:-}" ]; then
		"$DAILY" "$@" >out 2>err || rc=$?
	else
		"$DAILY" --no-bisect "$@" >out 2>err || rc=$?
	fi
}

bisecting () {
	with_bisect=t
	"$@"
	_r=$?
	with_bisect=
	return $_r
}

# expect_rc N: the last daily exited N; else show what it said.
expect_rc () {
	[ "$rc" = "$1" ] && return 0
	echo "daily-branch exited $rc, not $1; stdout:" >&2
	cat out >&2
	echo "stderr:" >&2
	cat err >&2
	return 1
}

test_expect_success 'setup: a lab mailing through exim, tree t, branch b and its recipes' '
	test -x "$DAILY" &&
	lab_init &&
	cat >>"$TLAB_LAB/tlab.conf" <<-EOF &&
	sendmail = $MAIL_SENDMAIL
	mail_from = lab@tlab.test
	mail_to = all@tlab.test

	[tree t]
	url = $UP
	staging = refs/heads/staging
	master = refs/heads/master

	[tree u]
	url = file://$TRASH_DIRECTORY/no-such-repository.git

	[branch b]
	mail_to = b-devel@tlab.test
	EOF
	git init -q --bare up.git &&
	git init -q work &&
	echo good >work/status &&
	git_w add status && git_w commit -q -m c1 &&
	c1=$(git_w rev-parse HEAD) &&
	git_w push -q "$UP" HEAD:refs/heads/master &&
	git_w checkout -q -b staging &&
	s1=$(stage good s1) &&
	write_recipe built <<-\EOF &&
	step --testid=build sh -c "ts-runvar \"built_revision_t=\$(ts-runvar revision_t)\""
	EOF
	write_recipe check <<-\EOF &&
	step --testid=check sh -c "git --git-dir=\"\$TLAB_LAB/git/t.git\" show \"\$(ts-runvar revision_t):status\" | grep -qx good"
	EOF
	write_recipe hold <<-\EOF &&
	step --testid=hold sh -c "n=0; while [ -e \"\$TLAB_LAB/hold\" ] && [ \$n -lt 600 ]; do sleep 0.1; n=\$((n + 1)); done"
	EOF
	mkdir -p "$TLAB_LAB/recipes/branches" &&
	cat >"$TLAB_LAB/recipes/branches/b.sh" <<-\EOF &&
	tree_under_test t
	job build-t built
	job test-t check buildjob=build-t
	job test-hold hold
	EOF
	cat >"$TLAB_LAB/recipes/branches/u.sh" <<-\EOF &&
	tree_under_test u
	job build-u built
	EOF
	is "$c1" "$(master)" &&
	is 0 "$(flights)"
'

test_expect_success 'first run, master never tested: a baseline flight of master, nothing pushed, mailed' '
	daily b &&
	expect_rc 0 &&
	empty err &&
	f1=$(newest) &&
	is 1 "$(flights)" &&
	is "$c1" "$(rev "$f1")" &&
	is "real|real" "$(db "SELECT intended || '\''|'\'' || blessing FROM flights WHERE flight = $f1")" &&
	is perfect "$(verdict "$f1")" &&
	is "$c1" "$(master)" &&
	is 0 "$(db "SELECT count(*) FROM pushes")" &&
	is "[b baseline test] $f1: perfect" "$(subject)" &&
	has "^To: b-devel@tlab.test$" "$MAILBOX" &&
	has "^$f1: perfect$" "$MAILBOX" &&
	has_f "not pushed: a baseline test (tree t'\''s master, $c1, had never been tested)" "$MAILBOX" &&
	is "branch b: flight $f1: perfect: baseline test, nothing pushed" "$(head -n 1 out)" &&
	has_f "tested:  tree t at $c1 (master, never tested before)" out &&
	has_f "report:  $TLAB_LAB/reports/$f1/index.html" out &&
	has_f "mail:    sent: [b baseline test] $f1: perfect" out &&
	test -s "$TLAB_LAB/reports/$f1/index.html" &&
	has "^$f1: perfect$" "$TLAB_LAB/reports/$f1/report.txt" &&
	test -f "$TLAB_LAB/locks/daily-branch.b" &&
	empty "$TLAB_LAB/locks/daily-branch.b"
'

test_expect_success 'staging ahead with a good change: a flight of it, perfect, pushed, mailed - PUSHED' '
	mail_clear &&
	daily b &&
	expect_rc 0 &&
	empty err &&
	f2=$(newest) &&
	is 2 "$(flights)" &&
	is "$s1" "$(rev "$f2")" &&
	is perfect "$(verdict "$f2")" &&
	is "$s1" "$(master)" &&
	is "pushed|$s1" "$(pushes "$f2")" &&
	is "[b test] $f2: perfect - PUSHED" "$(subject)" &&
	has "^flight $f2: pushed tree t to $UP: refs/heads/master $c1\.\.$s1$" "$MAILBOX" &&
	is "branch b: flight $f2: perfect: pushed" "$(head -n 1 out)" &&
	has_f "tested:  tree t at $s1 (staging; master is $c1, tested in flight $f1)" out &&
	has_f "push:    flight $f2: pushed tree t to $UP: refs/heads/master $c1..$s1" out &&
	has_f "mail:    sent: [b test] $f2: perfect - PUSHED" out &&
	test -s "$TLAB_LAB/reports/$f2/index.html"
'

test_expect_success 'nothing new: exit 0, no flight, no output, no mail; -v says why in one line' '
	mail_clear &&
	daily b &&
	expect_rc 0 &&
	empty out &&
	empty err &&
	is 2 "$(flights)" &&
	is 0 "$(mail_count)" &&
	daily -v b &&
	expect_rc 0 &&
	empty out &&
	test_line_count = 1 err &&
	has_f "daily-branch: branch b: up to date: tree t at $s1, tested in flight $f2" err &&
	is 2 "$(flights)"
'

test_expect_success 'a change that breaks a test: regressions, exit 1, master kept, the mail lists it' '
	mail_clear &&
	s2=$(stage bad s2) &&
	daily b &&
	expect_rc 1 &&
	empty err &&
	f3=$(newest) &&
	is "$s2" "$(rev "$f3")" &&
	is regressions "$(verdict "$f3")" &&
	is "$s1" "$(master)" &&
	is "refused|$s2" "$(pushes "$f3")" &&
	is "[b test] $f3: regressions" "$(subject)" &&
	has "test-t.*check.*regression" "$MAILBOX" &&
	has_f "ts-push: flight $f3: refused: verdict regressions" "$MAILBOX" &&
	is "branch b: flight $f3: regressions: not pushed" "$(head -n 1 out)" &&
	has_f "push:    ts-push: flight $f3: refused: verdict regressions" out
'

test_expect_success 'the regression is bisected: a flight a run, the culprit mailed to its author' '
	mail_clear && bisecting daily b && expect_rc 1 &&
	has_f "bisect:  test-t check: bisection 1 started" out &&
	has "^bisect:  bisection 1: flight [0-9]*: reproduce" out &&
	is bisect "$(db "SELECT blessing FROM flights WHERE flight = (SELECT max(flight) FROM bisection_flights)")" &&
	n=0 &&
	while ! grep -q "^bisect:  bisection 1: culprit" out && [ $n -lt 10 ]; do
		mail_clear && bisecting daily b && expect_rc 1 || return 1
		has_f "bisect:  test-t check: bisection 1 of it going on" out || return 1
		n=$((n + 1))
	done &&
	has_f "bisect:  bisection 1: culprit t $(echo $s2 | cut -c1-12)" out &&
	has "^bisect:  bisection 1: mailed to b-devel@tlab.test, tlab <tlab@example.org>$" out &&
	has_f "Subject: [b bisection] test-t check: culprit t $(echo $s2 | cut -c1-12)" "$MAILBOX" &&
	has "^Envelope-to: tlab@example.org" "$MAILBOX" &&
	is 4 "$(db "SELECT verdict FROM bisections WHERE id = 1")" &&
	mail_clear && bisecting daily b && expect_rc 1 &&
	has_f "bisect:  test-t check: bisection 1 of it since the last push" out &&
	! grep -q "^bisect:  bisection 1: flight" out &&
	is 1 "$(db "SELECT count(*) FROM bisections")" &&
	daily b && expect_rc 1 && ! grep -q "^bisect:" out
'

test_expect_success 'a run holds the lock: another is busy, exit 75, naming it; none waits forever' '
	mail_clear &&
	s3=$(stage good s3) &&
	n=$(flights) &&
	: >"$TLAB_LAB/hold" &&
	test_when_finished "rm -f \"$TLAB_LAB/hold\"" &&
	{ { "$DAILY" --no-bisect b >bg.out 2>bg.err; echo $? >bg.rc; } & } &&
	wait_for 30 "grep -q \"^flight \" \"$TLAB_LAB/locks/daily-branch.b\"" &&
	pid=$(sed -n "s/^pid //p" "$TLAB_LAB/locks/daily-branch.b") &&
	ps -o args= -p "$pid" | grep daily-branch &&
	f4=$(newest) &&
	daily b &&
	expect_rc 75 &&
	empty out &&
	test_line_count = 1 err &&
	has "^daily-branch: branch b: busy: pid $pid has run it since [0-9-]* [0-9:]* Z, flight $f4 ($TLAB_LAB/locks/daily-branch.b)$" err &&
	daily --wait 1 b &&
	expect_rc 75 &&
	test_line_count = 1 err &&
	has "^daily-branch: branch b: busy: pid $pid .*; gave up after 1 s (" err &&
	is $((n + 1)) "$(flights)" &&
	{ { "$DAILY" --no-bisect -w 1m b >w.out 2>w.err; echo $? >w.rc; } & } &&
	wait_for 30 "ps -eo args | grep -q \"^flock -E 75 -w 60 9\"" &&
	rm -f "$TLAB_LAB/hold" &&
	wait_for 60 "test -s bg.rc && test -s w.rc" &&
	is 0 "$(cat bg.rc)" &&
	empty bg.err &&
	has_f "branch b: flight $f4: perfect: pushed" bg.out &&
	is "$s3" "$(master)" &&
	is 0 "$(cat w.rc)" &&
	empty w.out &&
	empty w.err &&
	is $((n + 1)) "$(flights)" &&
	is "[b test] $f4: perfect - PUSHED" "$(subject)"
'

test_expect_success 'a lock held by another program: busy, exit 75, the holder not known' '
	exec 8<>"$TLAB_LAB/locks/daily-branch.b" &&
	test_when_finished "exec 8>&-" &&
	flock -n 8 &&
	n=$(flights) &&
	daily b &&
	expect_rc 75 &&
	test_line_count = 1 err &&
	has_f "daily-branch: branch b: busy: another process holds it ($TLAB_LAB/locks/daily-branch.b)" err &&
	is "$n" "$(flights)" &&
	exec 8>&- &&
	daily b &&
	expect_rc 0 &&
	empty err
'

test_expect_success '--dry-run: says what it would test; no flight, no mail' '
	mail_clear &&
	s4=$(stage good s4) &&
	n=$(flights) &&
	daily -n b &&
	expect_rc 0 &&
	empty err &&
	is "branch b: would run a flight of tree t at $s4 (staging; master is $s3, tested in flight $f4)" "$(cat out)" &&
	is "$n" "$(flights)" &&
	is 0 "$(mail_count)"
'

test_expect_success '--no-push --no-mail, --html-root, --log-url: judged, not pushed, not mailed' '
	mail_clear &&
	daily --no-push --no-mail --html-root www --log-url https://lab.example/logs b &&
	expect_rc 0 &&
	empty err &&
	f5=$(newest) &&
	is "$s4" "$(rev "$f5")" &&
	is perfect "$(verdict "$f5")" &&
	is "$s3" "$(master)" &&
	is "" "$(pushes "$f5")" &&
	is 0 "$(mail_count)" &&
	is "branch b: flight $f5: perfect: not pushed (--no-push)" "$(head -n 1 out)" &&
	has_f "report:  $TRASH_DIRECTORY/www/$f5/index.html" out &&
	has_f "push:    not pushed: --no-push" out &&
	has_f "mail:    not sent (--no-mail)" out &&
	test -s "www/$f5/index.html" &&
	has_f "https://lab.example/logs/$f5/" "www/$f5/index.html" &&
	has "^$f5: perfect$" "www/$f5/report.txt" &&
	test ! -e "$TLAB_LAB/reports/$f5"
'

test_expect_success '--no-push of regressions: exit 1; --no-mail alone still pushes' '
	s5=$(stage bad s5) &&
	daily --no-push --no-mail b &&
	expect_rc 1 &&
	is regressions "$(verdict "$(newest)")" &&
	s6=$(stage good s6) &&
	daily --no-mail -j 2 b &&
	expect_rc 0 &&
	f6=$(newest) &&
	is "$s6" "$(master)" &&
	is "pushed|$s6" "$(pushes "$f6")" &&
	is 0 "$(mail_count)"
'

test_expect_success 'SIGTERM: the flight is stopped, exit 3 saying so; the lock is free again' '
	s7=$(stage good s7) &&
	: >"$TLAB_LAB/hold" &&
	test_when_finished "rm -f \"$TLAB_LAB/hold\"" &&
	rm -f bg.rc &&
	{ { "$DAILY" --no-bisect --no-mail b >bg.out 2>bg.err; echo $? >bg.rc; } & } &&
	wait_for 30 "grep -q \"^flight \" \"$TLAB_LAB/locks/daily-branch.b\" &&
	    test \"\$(job_status \$(newest) test-hold)\" = running" &&
	pid=$(sed -n "s/^pid //p" "$TLAB_LAB/locks/daily-branch.b") &&
	f7=$(newest) &&
	kill -TERM "$pid" &&
	wait_for 30 "test -s bg.rc" &&
	is 3 "$(cat bg.rc)" &&
	has_f "daily-branch: branch b: flight $f7: stopped by SIGTERM; the flight is kept" bg.err &&
	is aborted "$(job_status "$f7" test-hold)" &&
	is running "$(db "SELECT blessing FROM flights WHERE flight = $f7")" &&
	is "$s6" "$(master)" &&
	empty "$TLAB_LAB/locks/daily-branch.b" &&
	rm -f "$TLAB_LAB/hold" &&
	daily --no-mail b &&
	expect_rc 0 &&
	is "$s7" "$(master)"
'

test_expect_success 'a mail that fails: exit 3, saying so; the flight, verdict and push recorded' '
	s8=$(stage good s8) &&
	sed -i "s|^sendmail = .*|sendmail = sh -c \"exit 75\"|" "$TLAB_LAB/tlab.conf" &&
	test_when_finished "sed -i \"s|^sendmail = .*|sendmail = \$MAIL_SENDMAIL|\" \"\$TLAB_LAB/tlab.conf\"" &&
	daily b &&
	expect_rc 3 &&
	f8=$(newest) &&
	has "^ts-mail: mail: sh -c .exit 75.: exit status 75" err &&
	has_f "daily-branch: branch b: flight $f8: not mailed: ts-mail exited 3; the flight, its verdict and its push are recorded, the report is in $TLAB_LAB/reports/$f8/report.txt" err &&
	is perfect "$(verdict "$f8")" &&
	is "pushed|$s8" "$(pushes "$f8")" &&
	is "$s8" "$(master)" &&
	has_f "mail:    FAILED: ts-mail exited 3" out &&
	has "^flight $f8: pushed tree t" "$TLAB_LAB/reports/$f8/report.txt"
'

test_expect_success 'bad input: exit 2 with one line, no flight, no lock made' '
	n=$(flights) &&
	daily nosuch &&
	expect_rc 2 &&
	test_line_count = 1 err &&
	has_f nosuch err &&
	empty out &&
	daily "../b" &&
	expect_rc 2 &&
	test_line_count = 1 err &&
	has_f "daily-branch: branch '\''../b'\'': not a branch name" err &&
	test ! -e "$TLAB_LAB/locks/daily-branch.." &&
	daily &&
	expect_rc 2 && test_line_count = 1 err && has "^daily-branch: no branch given" err &&
	daily b c &&
	expect_rc 2 && test_line_count = 1 err && has "^daily-branch: c: one branch only" err &&
	daily --no-such-option b &&
	expect_rc 2 && test_line_count = 1 err && has "^daily-branch: --no-such-option: unknown option" err &&
	daily -j x b &&
	expect_rc 2 && test_line_count = 1 err && has "^daily-branch: -j x: not a number" err &&
	daily --wait=soon b &&
	expect_rc 2 && test_line_count = 1 err && has "^daily-branch: --wait soon: not a duration" err &&
	daily b --lab &&
	expect_rc 2 && test_line_count = 1 err && has "^daily-branch: --lab: needs a value" err &&
	(unset TLAB_LAB && daily b && expect_rc 2 && test_line_count = 1 err &&
	    has "^daily-branch: no lab: give --lab DIR or set TLAB_LAB" err) &&
	daily -L "$TRASH_DIRECTORY/no-lab" b &&
	expect_rc 2 && test_line_count = 1 err && has_f "no-lab: not a directory" err &&
	daily -L work b &&
	expect_rc 2 && test_line_count = 1 err && has_f "lab work: not a lab: no tlab.db" err &&
	test ! -e work/locks &&
	is "$n" "$(flights)"
'

test_expect_success 'a tree that cannot be fetched: exit 3, no flight, no mail' '
	mail_clear &&
	n=$(flights) &&
	daily u &&
	expect_rc 3 &&
	empty out &&
	has_f "no-such-repository" err &&
	is "$n" "$(flights)" &&
	is 0 "$(mail_count)"
'

test_expect_success 'the lab is found by -L as by TLAB_LAB; --help, --usage, --version' '
	lab=$TLAB_LAB &&
	(unset TLAB_LAB; cd / && exec "$DAILY" --no-bisect -L "$lab" -v b) >out 2>err &&
	empty out &&
	has_f "up to date" err &&
	"$DAILY" --help >out &&
	has "^Usage: daily-branch \[OPTION\.\.\.\] BRANCH$" out &&
	"$DAILY" --usage >out &&
	has "^Usage: daily-branch " out &&
	"$DAILY" --version >out &&
	test_line_count = 1 out &&
	has "^daily-branch (tlab " out
'

test_expect_success 'installed, run by cron: the binaries found in PREFIX/bin when PATH has none' '
	p=$TRASH_DIRECTORY/prefix &&
	mkdir -p "$p/bin" "$p/share/tlab/recipes/flights" &&
	cp "$DAILY" "$p/share/tlab/recipes/flights/" &&
	for b in "$abs_top_builddir"/cmd/ts-*; do
		case $b in *.o) continue ;; esac
		if [ -f "$b" ] && [ -x "$b" ]; then
			cp "$b" "$p/bin/" || return 1
		fi
	done &&
	(PATH=/usr/bin:/bin && ! command -v ts-branch) &&
	PATH=/usr/bin:/bin "$p/share/tlab/recipes/flights/daily-branch" -v b >out 2>err &&
	empty out &&
	has_f "daily-branch: branch b: up to date: tree t at $s8" err &&
	PATH=/usr/bin:/bin "$p/share/tlab/recipes/flights/daily-branch" --version >out &&
	has "^daily-branch (tlab " out &&
	mkdir -p lone/a/b/c && cp "$DAILY" lone/a/b/c/ &&
	code_err 2 env PATH=/usr/bin:/bin lone/a/b/c/daily-branch b &&
	has_f "daily-branch: ts-branch: not found in PATH (/usr/bin:/bin)" err
'

# The page documents every option of --help, and no other (like t0010).
test_expect_success 'man/tlab-daily-branch.1: its OPTIONS and --help agree' '
	"$DAILY" --help >help &&
	sed -n -e "s/^  -\([^ -]\), --\([a-z-]*\).*/\2 \1/p" \
	    -e "s/^      --\([a-z-]*\).*/\1/p" help >opts &&
	test_line_count -ge 12 opts &&
	page=$abs_top_srcdir/man/tlab-daily-branch.1 &&
	while read -r name short; do
		grep -Eq "Fl -$name([^a-z-]|\$)" "$page" || {
			echo "--$name: not in $page" >&2; return 1; }
		if [ -n "$short" ]; then
			grep -Eq "^\.It Fl $short( .*)?, Fl -$name([^a-z-]|\$)" "$page" || {
				echo "-$short, --$name: no .It line in $page" >&2; return 1; }
		fi
	done <opts &&
	sed "s/ .*//" opts | sort -u >help.names &&
	sed -n "/^\.Sh OPTIONS/,/^\.Sh /p" "$page" |
	    grep -o "Fl -[a-z][a-z-]*" | sed "s/^Fl -//" | sort -u >page.names &&
	test_cmp help.names page.names
'

test_done
