#!/bin/sh
test_description='ts-flight-create --branch with a branch file: trees fetched, revisions resolved once per flight, errors leave no flight'
. "${abs_top_srcdir:-$(dirname "$0")/..}/tests/lib/test-lib.sh"

require_command sqlite3 git

# Two trees made here: xen (master, and staging one commit ahead of it)
# and linux (master, a tag v1 one commit behind it), in tlab.conf as
# [tree xen] (a path) and [tree linux] (a file:// URL).  The branch file
# xen-unstable tests xen with linux at its master: two builds and a test.
# Every error case counts the flights before and after: none is left.

# git_in REPO ARGS: git in a repository made here, as a fixed person.
git_in () {
	_r=$1
	shift
	git -C "$TRASH_DIRECTORY/$_r" -c user.name=tlab -c user.email=tlab@example.org \
	    "$@"
}

# commit REPO MESSAGE: an empty commit on the branch checked out.
commit () {
	git_in "$1" commit -q --allow-empty -m "$2"
}

# rv FLIGHT JOB NAME: a runvar's value (empty when unset).
rv () {
	db "SELECT val FROM runvars WHERE flight = $1 AND job = '$2' AND name = '$3'"
}

# branch_file NAME <BODY: a branch file in the lab's recipes/branches/.
branch_file () {
	mkdir -p "$TLAB_LAB/recipes/branches" &&
	cat >"$TLAB_LAB/recipes/branches/$1.sh"
}

flights () {
	ts-flight-show >flights.now &&
	wc -l <flights.now | tr -d " "
}

# refused CODE BRANCH PATTERN [OPTION...]: ts-flight-create --branch
# BRANCH exits CODE with one line matching PATTERN, and leaves no flight,
# no job and no runvar behind.
refused () {
	_code=$1 _branch=$2 _pat=$3
	shift 3
	_before=$(flights) &&
	_jobs=$(db "SELECT COUNT(*) FROM jobs") &&
	_vars=$(db "SELECT COUNT(*) FROM runvars") &&
	code_err "$_code" ts-flight-create --branch "$_branch" "$@" >out &&
	test_line_count = 1 err &&
	has "^ts-flight-create: branch $_branch: $_pat" err &&
	empty out &&
	is "$_before" "$(flights)" &&
	is "$_jobs" "$(db "SELECT COUNT(*) FROM jobs")" &&
	is "$_vars" "$(db "SELECT COUNT(*) FROM runvars")"
}

test_expect_success 'setup: a lab, trees xen (staging ahead of master) and linux, a branch file' '
	lab_init &&
	git init -q -b master xen &&
	commit xen "xen: the first" &&
	commit xen "xen: the second" &&
	git_in xen branch staging &&
	git_in xen checkout -q staging &&
	commit xen "xen: on staging" &&
	git_in xen checkout -q master &&
	git init -q -b master linux &&
	commit linux "linux: one" &&
	git_in linux tag v1 &&
	commit linux "linux: two" &&
	xen_staging=$(git_in xen rev-parse staging) &&
	xen_master=$(git_in xen rev-parse master) &&
	linux_master=$(git_in linux rev-parse master) &&
	linux_v1=$(git_in linux rev-parse v1) &&
	test "$xen_staging" != "$xen_master" &&
	cat >>"$TLAB_LAB/tlab.conf" <<-EOF &&
	[tree xen]
	url = $TRASH_DIRECTORY/xen
	staging = refs/heads/staging
	master = refs/heads/master

	[tree linux]
	url = file://$TRASH_DIRECTORY/linux
	EOF
	branch_file xen-unstable <<-\EOF
	# The branch of the tests: xen under test, linux at its master.
	tree_under_test xen
	tree_also linux
	for arch in amd64 i386; do
		job build-$arch build tree=xen arch=$arch "build_command=make dist"
	done
	job test-amd64 test-suite buildjob=build-amd64 tree=xen \
	    "test_command=make check" "greeting=it'\''s \$HOME"
	EOF
'

test_expect_success 'a flight of the branch: its jobs, with the trees'\'' runvars' '
	f1=$(ts-flight-create --branch xen-unstable --intended real 2>err) &&
	empty err &&
	is "build-amd64 build-i386 test-amd64" "$(db "SELECT job FROM jobs
	    WHERE flight = $f1 ORDER BY job" | tr "\n" " " | sed "s/ $//")" &&
	for j in build-amd64 build-i386 test-amd64; do
		is xen "$(rv "$f1" "$j" tree_under_test)" &&
		is "$TRASH_DIRECTORY/xen" "$(rv "$f1" "$j" tree_xen)" &&
		is "$xen_staging" "$(rv "$f1" "$j" revision_xen)" &&
		is "file://$TRASH_DIRECTORY/linux" "$(rv "$f1" "$j" tree_linux)" &&
		is "$linux_master" "$(rv "$f1" "$j" revision_linux)" || return 1
	done &&
	is i386 "$(rv "$f1" build-i386 arch)" &&
	is "it'\''s \$HOME" "$(rv "$f1" test-amd64 greeting)" &&
	is 0 "$(db "SELECT COUNT(*) FROM runvars WHERE flight = $f1 AND synth = 1")" &&
	db "SELECT branch, intended, blessing FROM flights WHERE flight = $f1" >out &&
	is "xen-unstable|real|constructing" "$(cat out)"
'

test_expect_success 'one revision per tree for the whole flight' '
	is 1 "$(db "SELECT COUNT(DISTINCT val) FROM runvars
	    WHERE flight = $f1 AND name = '\''revision_xen'\''")" &&
	is 3 "$(db "SELECT COUNT(*) FROM runvars
	    WHERE flight = $f1 AND name = '\''revision_xen'\''")" &&
	is 1 "$(db "SELECT COUNT(DISTINCT val) FROM runvars
	    WHERE flight = $f1 AND name = '\''revision_linux'\''")"
'

test_expect_success 'the caches LAB/git/TREE.git are bare and mirror the heads and tags' '
	for t in xen linux; do
		test -d "$TLAB_LAB/git/$t.git" &&
		is true "$(git --git-dir="$TLAB_LAB/git/$t.git" rev-parse --is-bare-repository)" ||
		return 1
	done &&
	is "$xen_staging" "$(git --git-dir="$TLAB_LAB/git/xen.git" rev-parse refs/heads/staging)" &&
	is "$linux_v1" "$(git --git-dir="$TLAB_LAB/git/linux.git" rev-parse "refs/tags/v1^{commit}")"
'

test_expect_success '--revision overrides: a ref, an abbreviated commit, a tag; repeatable' '
	f2=$(ts-flight-create -b xen-unstable --revision xen=master \
	    -r "linux=$(echo "$linux_v1" | cut -c1-10)") &&
	is "$xen_master" "$(rv "$f2" build-i386 revision_xen)" &&
	is "$linux_v1" "$(rv "$f2" test-amd64 revision_linux)" &&
	f3=$(ts-flight-create -b xen-unstable --revision=linux=v1) &&
	is "$xen_staging" "$(rv "$f3" build-amd64 revision_xen)" &&
	is "$linux_v1" "$(rv "$f3" build-amd64 revision_linux)"
'

test_expect_success 'a new commit on staging: the next flight fetches it' '
	git_in xen checkout -q staging &&
	commit xen "xen: staging moves on" &&
	git_in xen checkout -q master &&
	new=$(git_in xen rev-parse staging) &&
	test "$new" != "$xen_staging" &&
	f4=$(ts-flight-create --branch xen-unstable) &&
	is "$new" "$(rv "$f4" build-amd64 revision_xen)" &&
	is "$new" "$(git --git-dir="$TLAB_LAB/git/xen.git" rev-parse refs/heads/staging)" &&
	is "$xen_staging" "$(rv "$f1" build-amd64 revision_xen)" &&
	xen_staging=$new
'

test_expect_success 'tree_also TREE REF: the other tree at a tag' '
	branch_file pinned <<-\EOF &&
	tree_under_test xen
	tree_also linux refs/tags/v1
	job build build tree=xen
	EOF
	f=$(ts-flight-create -b pinned) &&
	is "$linux_v1" "$(rv "$f" build revision_linux)" &&
	is "$xen_staging" "$(rv "$f" build revision_xen)"
'

test_expect_success 'the installed branch file demo: a build and two tests of tree demo' '
	printf "[tree demo]\nurl = %s\n" "$TRASH_DIRECTORY/xen" >>"$TLAB_LAB/tlab.conf" &&
	f=$(ts-flight-create --branch demo) &&
	is "build-demo test-demo test-demo-french" "$(db "SELECT job FROM jobs
	    WHERE flight = $f ORDER BY job" | tr "\n" " " | sed "s/ $//")" &&
	is build "$(db "SELECT recipe FROM jobs WHERE flight = $f AND job = '\''build-demo'\''")" &&
	is test-suite "$(db "SELECT recipe FROM jobs WHERE flight = $f AND job = '\''test-demo'\''")" &&
	is "$xen_staging" "$(rv "$f" test-demo-french revision_demo)" &&
	is demo "$(rv "$f" build-demo tree_under_test)" &&
	is "make dist" "$(rv "$f" build-demo build_command)"
'

test_expect_success 'ts-branch-resolve prints the runvars a flight would get' '
	ts-branch-resolve xen linux=v1 >out 2>err &&
	empty err &&
	printf "%s\n" tree_under_test=xen "tree_xen=$TRASH_DIRECTORY/xen" \
	    "revision_xen=$xen_staging" "tree_linux=file://$TRASH_DIRECTORY/linux" \
	    "revision_linux=$linux_v1" >expect &&
	test_cmp expect out
'

test_expect_success 'ts-branch state: staging and master of the tree under test, never tested' '
	xen_staging=$(git_in xen rev-parse staging) &&
	ts-branch state xen-unstable >out 2>err &&
	empty err &&
	printf "%s\n" "branch xen-unstable" "tree xen" "staging $xen_staging" \
	    "master $xen_master" "tested none" >expect &&
	test_cmp expect out &&
	ts-branch state --json xen-unstable >json &&
	python3 -c "import json, sys; d = json.load(open(\"json\"))
assert d == {\"branch\": \"xen-unstable\", \"tree\": \"xen\",
    \"staging\": \"$xen_staging\", \"master\": \"$xen_master\",
    \"tested\": None}, d"
'

test_expect_success 'ts-branch state: tested is the newest finished real flight at master' '
	write_recipe nothing <<-\EOF &&
	step --testid=ok true
	EOF
	branch_file quick <<-\EOF &&
	tree_under_test xen
	tree_also linux
	job one nothing
	job two nothing
	EOF
	fm=$(ts-flight-create -b quick -i real -r xen=master) &&
	ts-flight-run -q "$fm" &&
	fp=$(ts-flight-create -b quick -i play -r xen=master) &&
	ts-flight-run -q "$fp" &&
	fs=$(ts-flight-create -b quick -i real) &&
	ts-flight-run -q "$fs" &&
	fc=$(ts-flight-create -b quick -i real -r xen=master) &&
	ts-branch state quick >out &&
	has_f "tested $fm" out &&
	has_f "staging $xen_staging" out &&
	ts-flight-run -q "$fc" &&
	ts-branch state quick >out &&
	has_f "tested $fc" out &&
	ts-branch state xen-unstable >out &&
	has_f "tested none" out
'

test_expect_success 'ts-branch state: a flight whose jobs disagree on the revision did not test it' '
	fx=$(ts-flight-create -b quick -i real -r xen=master) &&
	ts-runvar --define "$fx" two revision_xen="$xen_staging" &&
	ts-flight-run -q "$fx" &&
	ts-branch state quick >out &&
	has_f "tested $fc" out
'

test_expect_success 'ts-branch state: no branch file, an unknown verb or option: exit 2, one line' '
	code_err 2 ts-branch state no-file-here &&
	test_line_count = 1 err &&
	has "^ts-branch: branch no-file-here: no branch file" err &&
	code_err 2 ts-branch state quick --who me &&
	test_line_count = 1 err &&
	code_err 2 ts-branch state quick --timeout 0 &&
	test_line_count = 1 err &&
	code_err 2 ts-branch stat quick &&
	has "not force, block, clear, show or state" err
'

test_expect_success 'two flights made at once: each whole, the same revisions' '
	ts-flight-create -b xen-unstable >fa 2>ea &
	ts-flight-create -b xen-unstable >fb 2>eb &&
	wait &&
	empty ea && empty eb &&
	is "$xen_staging" "$(rv "$(cat fa)" build-i386 revision_xen)" &&
	is "$xen_staging" "$(rv "$(cat fb)" build-i386 revision_xen)" &&
	is 3 "$(db "SELECT COUNT(*) FROM jobs WHERE flight = $(cat fa)")" &&
	is 3 "$(db "SELECT COUNT(*) FROM jobs WHERE flight = $(cat fb)")"
'

test_expect_success 'an unknown tree: exit 2, one line, no flight' '
	branch_file unknown <<-\EOF &&
	tree_under_test xen
	tree_also nosuch
	job build build tree=xen
	EOF
	refused 2 unknown "tree nosuch: not in tlab.conf$"
'

test_expect_success 'a URL that cannot be fetched: exit 3, libgit2'\''s words, no flight' '
	mkdir not-a-repo &&
	printf "[tree gone]\nurl = %s\n" "$TRASH_DIRECTORY/not-a-repo" >>"$TLAB_LAB/tlab.conf" &&
	branch_file gone <<-\EOF &&
	tree_under_test xen
	tree_also gone
	job build build tree=xen
	EOF
	refused 3 gone "tree gone: fetch $TRASH_DIRECTORY/not-a-repo: could not find repository" &&
	code_err 3 ts-branch state gone &&
	test_line_count = 1 err &&
	has "^ts-branch: branch gone: tree gone: fetch $TRASH_DIRECTORY/not-a-repo: could not find repository" err
'

test_expect_success 'a ref that does not exist: exit 2 naming tree and ref, no flight' '
	printf "[tree nostaging]\nurl = %s\nstaging = refs/heads/nosuch\n" \
	    "$TRASH_DIRECTORY/linux" >>"$TLAB_LAB/tlab.conf" &&
	branch_file nostaging <<-\EOF &&
	tree_under_test nostaging
	job build build tree=nostaging
	EOF
	refused 2 nostaging "tree nostaging: revision .refs/heads/nosuch.: no such ref or commit$" &&
	code_err 2 ts-branch state nostaging &&
	has "^ts-branch: branch nostaging: tree nostaging: revision .refs/heads/nosuch.: no such ref or commit$" err &&
	refused 2 xen-unstable "tree xen: revision .no-such-branch.: no such ref or commit$" \
	    --revision xen=no-such-branch &&
	refused 2 xen-unstable "tree linux: revision .0123456789abcdef0123456789abcdef01234567.: no such ref" \
	    -r linux=0123456789abcdef0123456789abcdef01234567
'

test_expect_success 'a bad job line after good ones: exit 2, the jobs made are gone too' '
	branch_file badjob <<-\EOF &&
	tree_under_test xen
	job build-ok build tree=xen
	job test-bad test-suite "bad name=1"
	EOF
	refused 2 badjob "job test-bad: runvar .bad name.: " &&
	branch_file norecipe <<-\EOF &&
	tree_under_test xen
	job build-ok build tree=xen
	job test-bad no-such-recipe
	EOF
	refused 2 norecipe "job test-bad: recipe no-such-recipe: not found" &&
	branch_file setsrev <<-\EOF &&
	tree_under_test xen
	job build build tree=xen revision_xen=master
	EOF
	refused 2 setsrev "job build: runvar revision_xen: set by the branch.s trees"
'

test_expect_success 'a branch file used wrongly: exit 2, one line, no flight' '
	printf "job build build\n" | branch_file noutt &&
	refused 2 noutt "no tree under test" &&
	printf "tree_under_test xen\njob build build\ntree_also linux\n" | branch_file late &&
	refused 2 late "tree_also linux: after the first job" &&
	printf "tree_under_test xen\ntree_also xen\njob build build\n" | branch_file twice &&
	refused 2 twice "tree xen: named twice" &&
	printf "tree_under_test xen\n" | branch_file nojobs &&
	refused 2 nojobs ".*nojobs.sh: no job" &&
	printf "tree_under_test xen\nif then\n" | branch_file syntax &&
	refused 2 syntax ".*syntax.sh: .*" &&
	refused 2 xen-unstable "--revision nosuch=master: tree nosuch is not a tree of the branch" \
	    -r nosuch=master &&
	before=$(flights) &&
	code_err 2 ts-flight-create -b xen-unstable -r a-b=master &&
	test_line_count = 1 err &&
	has "^ts-flight-create: --revision: tree .a-b.: not a tree name" err &&
	is "$before" "$(flights)"
'

test_expect_success 'stopped by a signal while its file runs: no flight' '
	printf "tree_under_test xen\njob build build\nsleep 30\n" | branch_file slow &&
	before=$(flights) &&
	{ ts-flight-create -b slow >out 2>err & } &&
	pid=$! &&
	wait_for 10 "test \$(db \"SELECT COUNT(*) FROM jobs j JOIN flights f
	    ON f.flight = j.flight WHERE f.branch = '\''slow'\''\") = 1" &&
	kill -TERM "$pid" &&
	{ wait "$pid"; code=$?; } &&
	is 3 "$code" &&
	test_line_count = 1 err &&
	has "^ts-flight-create: branch slow: .*stopped by signal" err &&
	is "$before" "$(flights)"
'

test_expect_success 'without a branch file --branch is as before: an empty flight' '
	f=$(ts-flight-create --branch no-file-here) &&
	is 0 "$(db "SELECT COUNT(*) FROM jobs WHERE flight = $f")" &&
	is "no-file-here" "$(db "SELECT branch FROM flights WHERE flight = $f")" &&
	before=$(flights) &&
	code_err 2 ts-flight-create --branch no-file-here -r xen=master &&
	test_line_count = 1 err &&
	has "^ts-flight-create: --revision: branch no-file-here has no branch file" err &&
	is "$before" "$(flights)"
'

# A tree over SSH, from an sshd of this machine (tests/lib/lib-sshd.sh),
# when there is one: the lab's key logs in, the lab's known_hosts vouches
# for the server.
if [ -x "${SSHD:-/usr/sbin/sshd}" ] && command -v ssh-keygen >/dev/null 2>&1; then
	. "$abs_top_srcdir/tests/lib/lib-sshd.sh"

	test_expect_success 'ssh://: an unknown host key is refused (exit 3), a known one fetches' '
		sshd_start gitsrv &&
		port=$(cat "$(sshd_dir gitsrv)/port") &&
		url="ssh://$(id -un)@127.0.0.1:$port$TRASH_DIRECTORY/xen" &&
		printf "[tree viassh]\nurl = %s\n" "$url" >>"$TLAB_LAB/tlab.conf" &&
		code_err 3 ts-branch-resolve viassh >out &&
		test_line_count = 1 err &&
		has_f "tree viassh: fetch $url: host key of [127.0.0.1]:$port is not in $TLAB_LAB/known_hosts" err &&
		echo "[127.0.0.1]:$port $(cut -d" " -f1,2 "$(sshd_dir gitsrv)/hostkey.pub")" \
		    >>"$TLAB_LAB/known_hosts" &&
		ts-branch-resolve viassh >out &&
		has_f "revision_viassh=$xen_staging" out &&
		test -d "$TLAB_LAB/git/viassh.git"
	'

	test_expect_success 'ssh://: a changed host key, a refused lab key: exit 3, one line' '
		cp "$TLAB_LAB/known_hosts" known_hosts.good &&
		ssh-keygen -q -t ed25519 -N "" -f otherkey &&
		echo "[127.0.0.1]:$port $(cut -d" " -f1,2 otherkey.pub)" >"$TLAB_LAB/known_hosts" &&
		code_err 3 ts-branch-resolve viassh &&
		test_line_count = 1 err &&
		has_f "host key of [127.0.0.1]:$port changed" err &&
		cp known_hosts.good "$TLAB_LAB/known_hosts" &&
		: >"$(sshd_dir gitsrv)/authorized_keys" &&
		code_err 3 ts-branch-resolve viassh &&
		test_line_count = 1 err &&
		has_f "the server refused the lab'\''s key" err
	'
else
	test_skip "ssh:// trees" "no sshd (openssh-server)"
fi

# A server that takes the connection and never says a word: the fetch is
# killed a little after its bound.
if command -v python3 >/dev/null 2>&1; then
	test_expect_success 'a server that never answers: the fetch ends at its bound, exit 3' '
		python3 -c "
import socket, sys, time
s = socket.socket()
s.bind((\"127.0.0.1\", 0))
s.listen(8)
print(s.getsockname()[1], flush=True)
held = []
end = time.time() + 30
while time.time() < end:
    s.settimeout(1)
    try:
        held.append(s.accept())
    except OSError:
        pass
" >silent.port &
		spid=$! &&
		test_when_finished "kill $spid" &&
		wait_for 10 "test -s silent.port" &&
		printf "[tree silent]\nurl = ssh://git@127.0.0.1:%s/x.git\n" \
		    "$(cat silent.port)" >>"$TLAB_LAB/tlab.conf" &&
		start=$(date +%s) &&
		code_err 3 ts-branch-resolve --timeout 1s silent &&
		test "$(($(date +%s) - start))" -lt 10 &&
		test_line_count = 1 err &&
		has "tree silent: fetch ssh://git@127.0.0.1:[0-9]*/x.git: no end after [0-9]* s$" err
	'
else
	test_skip "a server that never answers" "no python3"
fi

test_done
