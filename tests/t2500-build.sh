#!/bin/sh
test_description='ts-build, ts-dist-install, recipes build and test-suite: builds on real hosts, reuse, bad input'
. "${abs_top_srcdir:-$(dirname "$0")/..}/tests/lib/test-lib.sh"

require_command sqlite3 git tar gzip make timeout
. "$abs_top_srcdir/tests/lib/lib-sshd.sh"

# Two real hosts (tests/lib/lib-sshd.sh): bh builds (purpose-build), th
# tests (purpose-test).  th's work directory has a space, a $ and quotes
# in its name, so every path built on it must arrive as data.  The project
# under test is a git repository made here: `make` writes DIST (its name
# read from the file distname) with bin/hello and run-tests, which checks
# bin/hello's greeting and leaves a file ran-tests behind it.
#
# Flights, in order: 1 builds and tests master (passes); 2 has a build
# whose command fails and the test job it blocks; 3 has a bad revision;
# 4 builds the branch evil, whose dist_dir is full of shell syntax; 5 is
# a by-hand --no-reuse build of flight 1's definition; 6 reruns flight
# 1's definition with bh's sshd stopped: the build is reused.  The
# hosts' sshds are stopped at the end, whatever happened.

pwned=$TRASH_DIRECTORY/pwned
evil_dist="out dir; \$(touch $pwned) \`touch $pwned\` 'q' *"
th_work="$(sshd_dir th)/work \$HOME; 'x' \`y\`"

# git_q ARGS: git in the project, as a fixed person, quietly.
git_q () {
	git -C "$TRASH_DIRECTORY/proj" -c user.name=tlab -c user.email=tlab@example.org \
	    "$@"
}

# rv FLIGHT JOB NAME: a runvar's value (empty when unset).
rv () {
	db "SELECT val FROM runvars WHERE flight = $1 AND job = '$2' AND name = '$3'"
}

# job_is FLIGHT JOB STATUS, with the job's why when it is not.
job_is () {
	_got=$(job_status "$1" "$2")
	[ "$_got" = "$3" ] && return 0
	echo "job $1.$2 is $_got, not $3 ($(db "SELECT why FROM jobs
	    WHERE flight = $1 AND job = '$2'"))" >&2
	db "SELECT stepno, testid, status, exit_code, log FROM steps
	    WHERE flight = $1 AND job = '$2'" >&2
	for _l in $(db "SELECT log FROM steps WHERE flight = $1 AND job = '$2'"); do
		echo "--- $_l" >&2
		cat "$TLAB_LAB/$_l" >&2
	done
	return 1
}

# step_col FLIGHT JOB TESTID COLUMNS
step_col () {
	db "SELECT $4 FROM steps WHERE flight = $1 AND job = '$2' AND testid = '$3'"
}

# build_job FLIGHT NAME [NAME=VALUE...]: a build of tree proj on a
# purpose-build host, master with `make` unless the arguments say else.
build_job () {
	_f=$1 _j=$2
	shift 2
	ts-job-create "$_f" "$_j" build tree=proj tree_proj="$TRASH_DIRECTORY/proj" \
	    host_hostflags=purpose-build revision_proj=master build_command=make \
	    dist_dir=dist "$@"
}

# test_job FLIGHT NAME BUILDJOB: run-tests of that build on a test host.
test_job () {
	ts-job-create "$1" "$2" test-suite buildjob="$3" tree=proj \
	    host_hostflags=purpose-test test_command=./run-tests
}

# sessions HOST: how many logins HOST's sshd has accepted.
sessions () {
	grep -c "Accepted publickey" "$(sshd_dir "$1")/sshd.log"
}

test_expect_success 'setup: a lab, a build host, a test host, a project in git' '
	lab_init &&
	sshd_start bh &&
	sshd_start th &&
	host_add bh --flags purpose-build >out &&
	mkdir -p "$th_work" &&
	ts-host add th --address "$(sshd_address th)" --arch amd64 \
	    --flags purpose-test --prop "workdir=$th_work" >out &&
	ts-host show th >out &&
	grep -F "$th_work" out &&
	mkdir proj &&
	git_q init -q &&
	printf "dist\n" >proj/distname &&
	printf "#!/bin/sh\necho \"hello, @WHO@\"\n" >proj/hello.in &&
	printf "world\n" >proj/who &&
	{
		printf "all:\n" &&
		printf "\t@echo building into \"\$\$(cat distname)\"\n" &&
		printf "\td=\"\$\$(cat distname)\" && mkdir -p \"\$\$d/bin\" && " &&
		printf "sed \"s/@WHO@/\$\$(cat who)/\" hello.in >\"\$\$d/bin/hello\" && " &&
		printf "chmod +x \"\$\$d/bin/hello\" && cp run-tests \"\$\$d/\"\n"
	} >proj/Makefile &&
	cat >proj/run-tests <<-\EOF &&
	#!/bin/sh
	test "$(./bin/hello)" = "hello, world" || exit 1
	echo "ran in $PWD" >ran-tests
	echo "1..1"
	echo "ok 1 - bin/hello greets the world"
	EOF
	chmod +x proj/run-tests &&
	git_q add . &&
	git_q commit -q -m "hello, world" &&
	git_q tag v1 &&
	echo "a second commit" >proj/NEWS &&
	git_q add NEWS &&
	git_q commit -q -m "news" &&
	git_q checkout -q -b evil &&
	printf "%s\n" "$evil_dist" >proj/distname &&
	git_q commit -q -a -m "a dist_dir full of shell syntax" &&
	git_q checkout -q master &&
	master=$(git_q rev-parse master) &&
	test -n "$master"
'

test_expect_success 'flight 1: the build passes on bh, the test suite on th' '
	f1=$(ts-flight-create --branch proj) &&
	build_job "$f1" build-proj &&
	test_job "$f1" test-proj build-proj &&
	timeout 60 ts-flight-run -j 2 "$f1" >out 2>&1 &&
	job_is "$f1" build-proj pass &&
	job_is "$f1" test-proj pass &&
	is bh "$(rv "$f1" build-proj host)" &&
	is th "$(rv "$f1" test-proj host)" &&
	is pass "$(step_col "$f1" build-proj logs-capture/host status)" &&
	is pass "$(step_col "$f1" test-proj logs-capture/host status)"
'

test_expect_success 'flight 1: built_revision is the commit, the tarball is in the stash' '
	tarball=$TLAB_LAB/stash/$f1/build-proj/projdist.tar.gz &&
	is "$master" "$(rv "$f1" build-proj built_revision_proj)" &&
	is "$tarball" "$(rv "$f1" build-proj path_projdist)" &&
	is "" "$(rv "$f1" build-proj reused_build_proj)" &&
	test -f "$tarball" &&
	tar -tzf "$tarball" >list &&
	grep -x "./bin/hello" list &&
	grep -x "./run-tests" list &&
	test ! -e "$TLAB_LAB/stash/$f1/build-proj/proj.bundle" &&
	test -d "$TLAB_LAB/git/proj.git" &&
	is 0 "$(step_col "$f1" build-proj build/host/proj exit_code)"
'

test_expect_success 'flight 1: the build ran on bh from the bundle, its directory is gone' '
	log=$TLAB_LAB/$(step_col "$f1" build-proj build/host/proj log) &&
	grep -F "building into dist" "$log" &&
	grep -F "revision master is $master" "$log" &&
	grep -F "host bh" "$log" &&
	test -d "$(sshd_dir bh)/work/$f1/build-proj" &&
	test ! -e "$(sshd_dir bh)/work/$f1/build-proj/build-proj"
'

test_expect_success 'flight 1: the tests ran on th, in its work directory of shell syntax' '
	dir="$th_work/$f1/test-proj/projdist" &&
	is "$dir" "$(rv "$f1" test-proj installed_proj)" &&
	test -x "$dir/bin/hello" &&
	test -f "$dir/ran-tests" &&
	is "ran in $dir" "$(cat "$dir/ran-tests")" &&
	test ! -e "$dir/../projdist.tar.gz" &&
	log=$TLAB_LAB/$(step_col "$f1" test-proj test-suite log) &&
	grep -F "ok 1 - bin/hello greets the world" "$log"
'

test_expect_success 'flight 2: a build command that fails is a fail (exit 1); its test job is blocked' '
	f2=$(ts-flight-create --branch proj) &&
	build_job "$f2" build-proj build_command="make no-such-target" &&
	test_job "$f2" test-proj build-proj &&
	timeout 60 ts-flight-run -j 2 "$f2" >out 2>&1 &&
	job_is "$f2" build-proj fail &&
	is 1 "$(step_col "$f2" build-proj build/host/proj exit_code)" &&
	is fail "$(step_col "$f2" build-proj build/host/proj status)" &&
	job_is "$f2" test-proj blocked &&
	is "" "$(rv "$f2" build-proj path_projdist)" &&
	test ! -e "$TLAB_LAB/stash/$f2/build-proj/projdist.tar.gz" &&
	log=$TLAB_LAB/$(step_col "$f2" build-proj build/host/proj log) &&
	grep -F "no-such-target" "$log" &&
	grep -F "build_command: exit status 2" "$log" &&
	test -d "$(sshd_dir bh)/work/$f2/build-proj/build-proj/src/.git"
'

test_expect_success 'flight 2: ts-dist-install for a build that failed is blocked: exit 4, one line' '
	code_err 4 env TLAB_FLIGHT="$f2" TLAB_JOB=test-proj \
	    ts-dist-install host proj >out &&
	test_line_count = 1 err &&
	grep "^ts-dist-install: " err &&
	grep -F "build-proj" err &&
	test ! -s out
'

test_expect_success 'flight 3: a revision that names no commit is exit 2: the job is broken' '
	f3=$(ts-flight-create --branch proj) &&
	build_job "$f3" build-proj revision_proj=no-such-branch &&
	ts-job-create "$f3" build-other build tree=other revision_other=master \
	    build_command=make &&
	code_err 2 env TLAB_FLIGHT="$f3" TLAB_JOB=build-proj ts-build host proj &&
	test_line_count = 1 err &&
	grep "^ts-build: tree proj: revision .no-such-branch.: " err &&
	code_err 2 env TLAB_FLIGHT="$f3" TLAB_JOB=build-other ts-build host other &&
	test_line_count = 1 err &&
	grep "^ts-build: tree other: unknown tree: runvar tree_other is not set" err &&
	code_err 2 env TLAB_FLIGHT="$f3" TLAB_JOB=build-proj ts-build host "pr oj" &&
	grep "^ts-build: tree .pr oj.: not a tree name" err &&
	timeout 60 ts-flight-run "$f3" >out 2>&1 &&
	job_is "$f3" build-proj broken &&
	is 2 "$(step_col "$f3" build-proj build/host/proj exit_code)"
'

test_expect_success 'bad runvars are exit 2: no build_command, dist_dir absolute or with ..' '
	f=$(ts-flight-create --branch proj) &&
	ts-job-create "$f" nocmd build tree=proj tree_proj="$TRASH_DIRECTORY/proj" \
	    revision_proj=master &&
	build_job "$f" abs dist_dir=/etc &&
	build_job "$f" up dist_dir=dist/../.. &&
	build_job "$f" nopath tree_proj="$TRASH_DIRECTORY/no-such-repo" &&
	code_err 2 env TLAB_FLIGHT="$f" TLAB_JOB=nocmd ts-build host proj &&
	grep "build_command is not set" err &&
	code_err 2 env TLAB_FLIGHT="$f" TLAB_JOB=abs ts-build host proj &&
	grep "dist_dir ./etc.: not a path relative" err &&
	code_err 2 env TLAB_FLIGHT="$f" TLAB_JOB=up ts-build host proj &&
	grep "leaves the source tree" err &&
	code_err 2 env TLAB_FLIGHT="$f" TLAB_JOB=nopath ts-build host proj &&
	grep "no-such-repo: No such file or directory" err &&
	code_err 2 env TLAB_FLIGHT="$f" TLAB_JOB=no-such-job ts-build host proj &&
	grep "job no-such-job: no such job" err &&
	code_err 2 env TLAB_FLIGHT="$f" TLAB_JOB=abs ts-build host &&
	code_err 2 env TLAB_FLIGHT="$f" ts-build host proj
'

test_expect_success 'flight 4: a dist_dir full of shell syntax arrives as data' '
	f4=$(ts-flight-create --branch proj) &&
	build_job "$f4" build-proj revision_proj=evil dist_dir="$evil_dist" &&
	test_job "$f4" test-proj build-proj &&
	timeout 60 ts-flight-run -j 2 "$f4" >out 2>&1 &&
	job_is "$f4" build-proj pass &&
	job_is "$f4" test-proj pass &&
	is "$(git_q rev-parse evil)" "$(rv "$f4" build-proj built_revision_proj)" &&
	tar -tzf "$(rv "$f4" build-proj path_projdist)" >list &&
	grep -x "./bin/hello" list &&
	test -f "$th_work/$f4/test-proj/projdist/ran-tests" &&
	test ! -e "$pwned"
'

test_expect_success 'flight 5: --no-reuse builds again, on bh, by hand' '
	f5=$(ts-flight-create --branch proj) &&
	build_job "$f5" build-proj &&
	before=$(sessions bh) &&
	TLAB_FLIGHT=$f5 TLAB_JOB=build-proj ts-host-allocate --timeout 10 host >out &&
	test_when_finished "TLAB_FLIGHT=$f5 TLAB_JOB=build-proj ts-host-release" &&
	TLAB_FLIGHT=$f5 TLAB_JOB=build-proj ts-build --no-reuse host proj >out 2>err &&
	test "$(sessions bh)" -gt "$before" &&
	grep -F "built $master on host bh" err &&
	test -f "$TLAB_LAB/stash/$f5/build-proj/projdist.tar.gz" &&
	is "" "$(rv "$f5" build-proj reused_build_proj)" &&
	grep -x "built_revision_proj=$master" out &&
	grep -x "path_projdist=$TLAB_LAB/stash/$f5/build-proj/projdist.tar.gz" out
'

test_expect_success 'flight 6: the same definition again reuses flight 1'"'"'s build, no SSH to bh' '
	sshd_stop bh &&
	f6=$(ts-flight-create --branch proj) &&
	build_job "$f6" build-proj &&
	test_job "$f6" test-proj build-proj &&
	timeout 60 ts-flight-run -j 2 "$f6" >out 2>&1 &&
	job_is "$f6" build-proj pass &&
	job_is "$f6" test-proj pass &&
	is "$f1.build-proj" "$(rv "$f6" build-proj reused_build_proj)" &&
	is "$tarball" "$(rv "$f6" build-proj path_projdist)" &&
	is "$master" "$(rv "$f6" build-proj built_revision_proj)" &&
	test ! -e "$TLAB_LAB/stash/$f6/build-proj/projdist.tar.gz" &&
	log=$TLAB_LAB/$(step_col "$f6" build-proj build/host/proj log) &&
	grep -F "reusing the build of job $f1.build-proj" "$log" &&
	is "" "$(step_col "$f6" build-proj logs-capture/host status)" &&
	test -f "$th_work/$f6/test-proj/projdist/ran-tests"
'

test_expect_success 'a reused build whose tarball left the stash is built again (here: no host, exit 3)' '
	mv "$tarball" "$tarball.away" &&
	test_when_finished "mv \"$tarball.away\" \"$tarball\"" &&
	f7=$(ts-flight-create --branch proj) &&
	build_job "$f7" build-proj &&
	TLAB_FLIGHT=$f7 TLAB_JOB=build-proj ts-host-allocate --timeout 10 host >out &&
	test_when_finished "TLAB_FLIGHT=$f7 TLAB_JOB=build-proj ts-host-release" &&
	code_err 3 env TLAB_FLIGHT="$f7" TLAB_JOB=build-proj ts-build host proj &&
	grep "host bh" err &&
	is "" "$(rv "$f7" build-proj reused_build_proj)"
'

test_done
