#!/bin/sh
test_description='ts-push and ts-branch: the push gate, its overrides and its record'
. "${abs_top_srcdir:-$(dirname "$0")/..}/tests/lib/test-lib.sh"

require_command sqlite3 git

# An upstream bare repository up.git made here, with master at c1 and
# staging ahead of it; tree t of the lab is that path.  Flights of branch b
# are made by hand: a job build-t whose recipe records built_revision_TREE
# (the value of its runvar build_as) and a job test-t; the verdict that
# ts-report would store is written with sqlite3, so that each test chooses
# it (one test lets ts-report judge).  At the end, a git server over SSH (a
# test host of tests/lib/lib-sshd.sh, added with ts-host add so that its
# key is known) and one whose key is not known.

UP=$TRASH_DIRECTORY/up.git

# git_w ARGS: git in the work tree, as a fixed person, quietly.
git_w () {
	git -C "$TRASH_DIRECTORY/work" -c user.name=tlab \
	    -c user.email=tlab@example.org "$@"
}

# commit NAME: a commit on the work tree's current branch; prints its id.
commit () {
	echo "$1" >"$TRASH_DIRECTORY/work/$1" &&
	git_w add "$1" && git_w commit -q -m "$1" && git_w rev-parse HEAD
}

# master [REPO]: the master of up.git (or REPO).
master () {
	git --git-dir="${1:-$UP}" rev-parse refs/heads/master
}

# db_w SQL: write to the lab's database, as ts-report would.
db_w () {
	sqlite3 -batch "$TLAB_LAB/tlab.db" ".timeout 5000" "$1" >/dev/null
}

# verdict FLIGHT VERDICT BLOCKING
verdict () {
	db_w "INSERT INTO verdicts (flight, verdict, baseline, blocking, computed)
	    VALUES ($1, '$2', NULL, $3, 1700000000)"
}

# flight REVISION BUILT [TREE [BRANCH]]: a finished real flight testing
# REVISION of TREE (default t), whose build job built BUILT; prints its id.
flight () {
	_t=${3:-t}
	_f=$(ts-flight-create --branch "${4:-b}" --intended real) &&
	ts-job-create "$_f" "build-$_t" built tree_under_test="$_t" \
	    "revision_$_t=$1" build_as="$2" >/dev/null &&
	ts-job-create "$_f" "test-$_t" pass tree_under_test="$_t" \
	    "revision_$_t=$1" >/dev/null &&
	ts-flight-run -q "$_f" >/dev/null 2>&1 &&
	echo "$_f"
}

# last COLUMNS: of the newest row of pushes, separated by |.
last () {
	db "SELECT $1 FROM pushes ORDER BY id DESC LIMIT 1"
}

test_expect_success 'setup: a lab, an upstream repository with master and staging' '
	lab_init &&
	git init -q --bare up.git &&
	git init -q work &&
	c1=$(commit c1) &&
	git_w push -q "$UP" HEAD:refs/heads/master &&
	git_w checkout -q -b staging &&
	s1=$(commit s1) &&
	git_w push -q "$UP" HEAD:refs/heads/staging &&
	is "$c1" "$(master)" &&
	printf "[tree t]\nurl = %s\nstaging = refs/heads/staging\nmaster = refs/heads/master\n" \
	    "$UP" >>"$TLAB_LAB/tlab.conf" &&
	write_recipe built <<-\EOF &&
	step --testid=build sh -c "ts-runvar \"built_revision_\$(ts-runvar tree_under_test)=\$(ts-runvar build_as)\""
	EOF
	write_recipe pass <<-\EOF
	step true
	EOF
'

test_expect_success 'a tolerable flight is pushed: master is its revision, the push is recorded' '
	f1=$(flight "$s1" "$s1") &&
	is "$s1" "$(ts-runvar "$f1" build-t built_revision_t)" &&
	verdict "$f1" tolerable 0 &&
	ts-push "$f1" >out 2>err &&
	test ! -s err &&
	has_f "flight $f1: pushed tree t to $UP: refs/heads/master $c1..$s1" out &&
	is "$s1" "$(master)" &&
	is "$f1|t|refs/heads/master|$c1|$s1|pushed|verdict tolerable" \
	    "$(last "flight, tree, ref, old_rev, new_rev, outcome, reason")" &&
	case $(last who) in *@*) ;; *) echo "who: $(last who)"; false ;; esac &&
	test "$(last at)" -gt 1700000000
'

test_expect_success 'the same flight again: up to date, exit 0, recorded' '
	ts-push "$f1" >out &&
	has_f "flight $f1: tree t: nothing to push: refs/heads/master is $s1 already ($UP)" out &&
	is "up-to-date|$s1|$s1" "$(last "outcome, old_rev, new_rev")"
'

test_expect_success 'verdict regressions: refused, exit 1, master unchanged, the reason recorded' '
	s2=$(commit s2) &&
	git_w push -q "$UP" HEAD:refs/heads/staging &&
	f2=$(flight "$s2" "$s2") &&
	verdict "$f2" regressions 2 &&
	code_err 1 ts-push "$f2" >out &&
	test_line_count = 1 err &&
	has_f "ts-push: flight $f2: refused: verdict regressions, 2 blocking failures" err &&
	test ! -s out &&
	is "$s1" "$(master)" &&
	is "refused|$s2" "$(last "outcome, new_rev")" &&
	last reason | grep "^verdict regressions, 2 blocking failures"
'

test_expect_success '--dry-run of a refusal: the same exit and reason, a dry-run row' '
	code_err 1 ts-push --dry-run "$f2" &&
	has_f "ts-push: flight $f2: dry run: would refuse: verdict regressions" err &&
	is "$s1" "$(master)" &&
	is dry-run "$(last outcome)" &&
	last reason | grep "^would refuse: verdict regressions"
'

test_expect_success 'a force override: the regressions flight is pushed, the force recorded' '
	ts-branch force b --why "guest-start is flaky upstream" --who alice@lab >out &&
	has_f "branch b: force set by alice@lab: guest-start is flaky upstream" out &&
	ts-push "$f2" >out &&
	has_f "flight $f2: pushed tree t to $UP: refs/heads/master $s1..$s2" out &&
	has_f "verdict overridden: force #" out &&
	is "$s2" "$(master)" &&
	is "pushed|$s1|$s2" "$(last "outcome, old_rev, new_rev")" &&
	last reason | grep "^verdict regressions, pushed by force #[0-9]* by alice@lab: guest-start is flaky upstream$" &&
	ts-branch clear b force --who dave@lab >out &&
	has_f "branch b: 1 override cleared by dave@lab" out &&
	is dave@lab "$(db "SELECT cleared_by FROM branch_overrides WHERE branch = '\''b'\'' AND who = '\''alice@lab'\''")"
'

test_expect_success 'master has the revision already (a descendant of it): up to date, exit 0' '
	ts-push "$f1" >out &&
	has_f "nothing to push: refs/heads/master is $s2, which has $s1 already" out &&
	is "$s2" "$(master)" &&
	is "up-to-date|$s2|$s1" "$(last "outcome, old_rev, new_rev")" &&
	ts-push -n "$f1" >out &&
	has_f "flight $f1: dry run: tree t: nothing to push: refs/heads/master is $s2, which has $s1" out &&
	is "dry-run" "$(last outcome)"
'

test_expect_success 'a block override: even a perfect flight is refused, exit 1; a force does not lift it' '
	s3=$(commit s3) &&
	git_w push -q "$UP" HEAD:refs/heads/staging &&
	f3=$(flight "$s3" "$s3") &&
	verdict "$f3" perfect 0 &&
	ts-branch block b --why "release freeze" --who bob@lab >out &&
	code_err 1 ts-push "$f3" &&
	has "ts-push: flight $f3: refused: branch b is blocked (block #[0-9]* by bob@lab: release freeze)" err &&
	is "$s2" "$(master)" &&
	is refused "$(last outcome)" &&
	ts-branch force b --why "try" --who carol@lab >out &&
	has "block #[0-9]* by bob@lab holds, and a block wins" out &&
	code_err 1 ts-push "$f3" &&
	is "$s2" "$(master)" &&
	ts-branch clear b >out &&
	has_f "branch b: 2 overrides cleared" out
'

test_expect_success '--dry-run: says what it would push, pushes nothing, records dry-run' '
	ts-push -n "$f3" >out 2>err &&
	has_f "flight $f3: dry run: would push tree t to $UP: refs/heads/master $s2..$s3" out &&
	is "$s2" "$(master)" &&
	is "dry-run|$s2|$s3|would push: verdict perfect" \
	    "$(last "outcome, old_rev, new_rev, reason")"
'

test_expect_success 'master moved elsewhere: not a fast-forward, refused, exit 1; nothing moved' '
	git_w checkout -q -b side "$s2" &&
	x=$(commit side) &&
	git_w push -q "$UP" HEAD:refs/heads/master &&
	code_err 1 ts-push "$f3" &&
	has_f "refused: not a fast-forward: refs/heads/master of $UP is $x, which is not an ancestor of $s3" err &&
	is "$x" "$(master)" &&
	is "refused|$x|$s3" "$(last "outcome, old_rev, new_rev")" &&
	git_w push -q -f "$UP" "$s2:refs/heads/master" &&
	git_w checkout -q staging
'

test_expect_success 'a build of another revision: refused, exit 1, naming the job' '
	f4=$(flight "$s3" "$s2") &&
	verdict "$f4" tolerable 0 &&
	code_err 1 ts-push "$f4" &&
	has_f "refused: job build-t built $s2 (built_revision_t), not the tested $s3" err &&
	is "$s2" "$(master)"
'

test_expect_success 'no build of the tree at all: refused, exit 1' '
	f=$(ts-flight-create --branch b --intended real) &&
	ts-job-create "$f" test-t pass tree_under_test=t revision_t="$s3" >/dev/null &&
	ts-flight-run -q "$f" >/dev/null 2>&1 &&
	verdict "$f" perfect 0 &&
	code_err 1 ts-push "$f" &&
	has_f "refused: no job built tree t (no runvar built_revision_t)" err &&
	is "$s2" "$(master)"
'

test_expect_success 'a flight not finished: exit 2, constructing or running' '
	f=$(ts-flight-create --branch b --intended real) &&
	ts-job-create "$f" build-t built tree_under_test=t revision_t="$s3" \
	    build_as="$s3" >/dev/null &&
	code_err 2 ts-push "$f" &&
	has_f "ts-push: flight $f: refused: it is constructing, not finished" err &&
	db_w "UPDATE flights SET blessing = '\''running'\'' WHERE flight = $f" &&
	code_err 2 ts-push "$f" &&
	has_f "refused: it is running, not finished" err &&
	is refused "$(last outcome)" &&
	is "$s2" "$(master)"
'

test_expect_success 'no verdict yet: exit 2, run ts-report first' '
	f5=$(flight "$s3" "$s3") &&
	code_err 2 ts-push "$f5" &&
	has_f "ts-push: flight $f5: refused: no verdict: run ts-report first" err &&
	is "$s2" "$(master)"
'

test_expect_success 'bad input: exit 2, one line; no row for a flight or tree not known' '
	n=$(db "SELECT count(*) FROM pushes") &&
	code_err 2 ts-push 99999 &&
	test_line_count = 1 err &&
	has_f "flight 99999" err &&
	f=$(ts-flight-create --branch b --intended real) &&
	ts-job-create "$f" j pass revision_t="$s3" >/dev/null &&
	ts-flight-run -q "$f" >/dev/null 2>&1 &&
	code_err 2 ts-push "$f" &&
	has_f "no job names the tree under test (runvar tree_under_test): give --tree" err &&
	code_err 2 ts-push --tree nosuch "$f" &&
	has_f "tree nosuch: not in tlab.conf" err &&
	is "$n" "$(db "SELECT count(*) FROM pushes")" &&
	test_expect_code 2 ts-push 2>err &&
	test_expect_code 2 ts-push --why b "$f" 2>err &&
	test_line_count = 1 err
'

test_expect_success 'a play flight is not pushed: exit 2' '
	f=$(ts-flight-create --branch b --intended play) &&
	ts-job-create "$f" build-t built tree_under_test=t revision_t="$s3" \
	    build_as="$s3" >/dev/null &&
	ts-flight-run -q "$f" >/dev/null 2>&1 &&
	verdict "$f" perfect 0 &&
	code_err 2 ts-push "$f" &&
	has_f "it is blessed play: only a real flight is pushed" err
'

test_expect_success 'ts-push --why: verdict, blockers, overrides with who and why, last push' '
	f6=$(flight "$s3" "$s3") &&
	db_w "INSERT INTO verdicts (flight, verdict, baseline, blocking, computed)
	    VALUES ($f6, '\''regressions'\'', $f1, 2, 1700000000)" &&
	db_w "INSERT INTO failures (flight, job, testid, status, class, blocking, since, detail)
	    VALUES ($f6, '\''test-t'\'', '\''guest-start'\'', '\''fail'\'', '\''regression'\'', 1, $f1, '\''REGR. vs. $f1'\''),
	    ($f6, '\''test-t'\'', '\''leak-check'\'', '\''fail'\'', '\''allowed'\'', 0, NULL, NULL),
	    ($f6, '\''build-t'\'', '\''build'\'', '\''broken'\'', '\''broken'\'', 1, NULL, '\''host died'\'')" &&
	ts-branch block b --why "waiting for the 4.19 release" --who dave@lab >/dev/null &&
	code_err 1 ts-push "$f6" &&
	ts-push --why b >out 2>err &&
	test ! -s err &&
	cat out &&
	has "^branch b: flight $f6 (real, finished .*): not pushed$" out &&
	has_f "tree:      t at $s3" out &&
	has "^verdict:   regressions against flight $f1, 2 blocking, computed " out &&
	has_f "test-t guest-start: regression, fail: REGR. vs. $f1" out &&
	has_f "build-t build: broken, broken: host died" out &&
	! grep leak-check out &&
	has "^overrides: block #[0-9]* by dave@lab, set .*: waiting for the 4.19 release$" out &&
	has "^last push: .* Z flight $f6: refused by .*@" out &&
	has "^           tree t refs/heads/master, revision $s3$" out &&
	has "^           branch b is blocked (block #[0-9]* by dave@lab: " out &&
	test "$(wc -l <out)" -le 24 &&
	ts-branch clear b block >/dev/null
'

test_expect_success 'ts-push --why: a branch without finished real flights; a bad name is exit 2' '
	ts-push --why nosuch >out &&
	has_f "branch nosuch: no finished real flight" out &&
	has_f "overrides: (none)" out &&
	code_err 2 ts-push --why "bad name" &&
	test_line_count = 1 err
'

test_expect_success 'ts-branch: force, block, clear, show with who and why; a replaced one is said' '
	ts-branch force rel --why "first" --who erin@lab >out &&
	ts-branch force rel --why "second" --who frank@lab >out &&
	has "^branch rel: it replaces force #[0-9]* by erin@lab: first$" out &&
	ts-branch block rel -w "freeze" >out &&
	has "^branch rel: block set by .*@.*: freeze$" out &&
	ts-branch show rel >out &&
	has "^  block #[0-9]* by .*@.*, set [0-9-]* [0-9:]* Z: freeze$" out &&
	has "^  force #[0-9]* by frank@lab, set .*: second$" out &&
	has "^past overrides:$" out &&
	has "^  force #[0-9]* by erin@lab, set .*, cleared .* by frank@lab: first$" out &&
	is 3 "$(db "SELECT count(*) FROM branch_overrides WHERE branch = '\''rel'\''")" &&
	is 2 "$(db "SELECT count(*) FROM branch_overrides WHERE branch = '\''rel'\'' AND cleared_at IS NULL")" &&
	ts-branch clear rel block >out &&
	has_f "branch rel: 1 override cleared" out &&
	ts-branch clear rel block >out &&
	has_f "branch rel: 0 overrides cleared" out &&
	ts-branch show --json rel >json &&
	grep "\"branch\": *\"rel\"" json &&
	grep "\"who\": *\"frank@lab\"" json &&
	grep "\"in_force\": *true" json &&
	grep "\"in_force\": *false" json &&
	grep "\"cleared_by\": *\"frank@lab\"" json &&
	ts-branch show b >out &&
	has "^last pushes:$" out &&
	has "^  .* Z flight $f6: refused by " out &&
	has "^    tree t refs/heads/master, revision $s3$" out &&
	has "^    branch b is blocked (block #" out &&
	ts-branch show --json b >json &&
	grep "\"pushes\": *\[{\"id\": *[0-9]*, *\"flight\": *$f6," json
'

test_expect_success 'ts-branch: bad usage is exit 2 with one line, nothing changed' '
	n=$(db "SELECT count(*) FROM branch_overrides") &&
	code_err 2 ts-branch force rel && test_line_count = 1 err &&
	has_f "needs --why TEXT" err &&
	code_err 2 ts-branch push rel && test_line_count = 1 err &&
	code_err 2 ts-branch block "a b" --why x && test_line_count = 1 err &&
	code_err 2 ts-branch clear rel maybe && test_line_count = 1 err &&
	code_err 2 ts-branch force rel --why "   " && test_line_count = 1 err &&
	is "$n" "$(db "SELECT count(*) FROM branch_overrides")"
'

test_expect_success 'with ts-report: the verdict it stores lets the flight through' '
	s4=$(commit s4) &&
	git_w push -q "$UP" HEAD:refs/heads/staging &&
	f7=$(flight "$s4" "$s4") &&
	code_err 2 ts-push "$f7" &&
	ts-report "$f7" >report &&
	is 1 "$(db "SELECT count(*) FROM verdicts WHERE flight = $f7")" &&
	ts-push "$f7" >out &&
	has_f "flight $f7: pushed tree t to $UP: refs/heads/master $s2..$s4" out &&
	is "$s4" "$(master)" &&
	last reason | grep "^verdict \(perfect\|tolerable\)$"
'

# --- over SSH --------------------------------------------------------------

# The server runs git-receive-pack as the SSH user's command: this
# machine's git, found in sshd's default PATH.
if ! command -v git-receive-pack >/dev/null 2>&1; then
	test_skip 'ssh:// remotes' 'no git-receive-pack in PATH'
	test_done
fi
. "$abs_top_srcdir/tests/lib/lib-sshd.sh"

test_expect_success 'setup: a git server over SSH whose key the lab knows, one it does not' '
	sshd_start gitsrv &&
	host_add gitsrv >/dev/null &&
	sshd_start stranger &&
	git clone -q --bare "$UP" "$(sshd_dir gitsrv)/up.git" &&
	git clone -q --bare "$UP" "$(sshd_dir stranger)/up.git" &&
	git --git-dir="$(sshd_dir gitsrv)/up.git" update-ref refs/heads/master "$s2" &&
	git --git-dir="$(sshd_dir stranger)/up.git" update-ref refs/heads/master "$s2" &&
	gport=$(cat "$(sshd_dir gitsrv)/port") &&
	sport=$(cat "$(sshd_dir stranger)/port") &&
	printf "[tree s]\nurl = ssh://root@127.0.0.1:%s%s/up.git\n" \
	    "$gport" "$(sshd_dir gitsrv)" >>"$TLAB_LAB/tlab.conf" &&
	printf "[tree u]\nurl = ssh://root@127.0.0.1:%s%s/up.git\n" \
	    "$sport" "$(sshd_dir stranger)" >>"$TLAB_LAB/tlab.conf" &&
	is "$s2" "$(master "$(sshd_dir gitsrv)/up.git")"
'

test_expect_success 'ssh://: a tolerable flight is pushed with the lab key, the host key checked' '
	f=$(flight "$s3" "$s3" s sshb) &&
	verdict "$f" tolerable 0 &&
	ts-push "$f" >out &&
	has_f "flight $f: pushed tree s to ssh://root@127.0.0.1:$gport" out &&
	is "$s3" "$(master "$(sshd_dir gitsrv)/up.git")" &&
	is "pushed|s|$s2|$s3" "$(last "outcome, tree, old_rev, new_rev")"
'

test_expect_success 'ssh://: an unknown host key is a failure of the lab, exit 3; nothing pushed' '
	f=$(flight "$s3" "$s3" u sshb) &&
	verdict "$f" tolerable 0 &&
	code_err 3 ts-push "$f" &&
	cat err &&
	test_line_count = 1 err &&
	has_f "ts-push: flight $f: failed: " err &&
	has "host key.*not in .*known_hosts" err &&
	is "$s2" "$(master "$(sshd_dir stranger)/up.git")" &&
	is "failed|u" "$(last "outcome, tree")" &&
	! grep "Accepted publickey" "$(sshd_dir stranger)/sshd.log"
'

test_done
