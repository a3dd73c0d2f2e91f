#!/bin/sh
test_description='ts-host exec, put, get: reaching hosts over SSH, quoting, faults'
. "${abs_top_srcdir:-$(dirname "$0")/..}/tests/lib/test-lib.sh"

require_command sqlite3 pgrep cmp
. "$abs_top_srcdir/tests/lib/lib-sshd.sh"

# h1 is a real sshd on 127.0.0.1 (tests/lib/lib-sshd.sh); it runs on this
# machine, so what a remote command does shows in our files.  Commands
# that could outlive a block (sleep 30) write their pid into a file first,
# and are killed by that pid afterwards.  The last block kills h1's sshd.

# one_line CODE PATTERN COMMAND...: COMMAND exits CODE with one line on
# stderr (in err) that starts with "ts-host: " and contains PATTERN;
# its stdout is in out.
one_line () {
	_code=$1 _pat=$2
	shift 2
	code_err "$_code" "$@" >out || return 1
	test_line_count = 1 err || return 1
	has "^ts-host: " err && has_f "$_pat" err
}

# mode FILE: its permission bits, in octal.
mode () {
	stat -c %a "$1"
}

# descendants PID: the pids of PID's children, theirs, and so on.
descendants () {
	for _c in $(pgrep -P "$1"); do
		echo "$_c"
		descendants "$_c"
	done
}

# elapsed_ms START: milliseconds since START (a date +%s%N).
now_ns () {
	date +%s%N
}
elapsed_ms () {
	echo $((($(now_ns) - $1) / 1000000))
}

# What must never run: if a word became shell syntax on the host, the
# file pwned would appear here.  The issue's own example ends in rm -rf /,
# which GNU rm refuses (--preserve-root is its default); with another rm
# the proof deletes a directory of ours instead.
pwned=$TRASH_DIRECTORY/pwned
if rm --version 2>/dev/null | grep "GNU coreutils" >/dev/null; then
	evil1="\$(touch $pwned); rm -rf /"
else
	evil1="\$(touch $pwned); rm -rf $TRASH_DIRECTORY/victim"
fi
evil2="it's \`touch $pwned\`; touch $pwned | touch $pwned & touch $pwned
second line: \"\$(touch $pwned)\" * ? [a] ~root \$HOME \\\\ \\n '\\'' ''\\ !x #c"

test_expect_success 'setup: a lab and a host' '
	mkdir victim &&
	lab_init &&
	sshd_start h1 &&
	host_add h1 >out &&
	has "^h1: added, host key SHA256:" out &&
	w=$(sshd_dir h1)/work &&
	test -d "$w"
'

test_expect_success 'exec passes the remote exit status through: 0, 1, 7' '
	ts-host exec h1 -- true >out 2>err &&
	empty out && empty err &&
	code_err 1 ts-host exec h1 -- false >out &&
	empty out && empty err &&
	code_err 7 ts-host exec h1 -- sh -c "exit 7" >out &&
	empty out && empty err &&
	code_err 0 ts-host exec h1 -- sh -c "exit 0"
'

test_expect_success 'exec: stdout and stderr arrive separately' '
	ts-host exec h1 -- sh -c "echo out1; echo err1 >&2; echo out2; exit 0" \
	    >out 2>err &&
	printf "out1\nout2\n" >expect &&
	test_cmp expect out &&
	printf "err1\n" >expect &&
	test_cmp expect err
'

test_expect_success 'exec: a word reaching the host is data: $(touch ...); rm -rf /' '
	printf %s "$evil1" >expect &&
	ts-host exec h1 -- printf %s "$evil1" >out 2>err &&
	cmp expect out &&
	empty err &&
	test ! -e "$pwned" &&
	test -d victim
'

test_expect_success 'exec: quotes, backquotes, newlines, ; | & * and friends are data' '
	printf %s "$evil2" >expect &&
	ts-host exec h1 -- printf %s "$evil2" >out 2>err &&
	cmp expect out &&
	empty err &&
	test ! -e "$pwned"
'

test_expect_success 'exec: every word stays one word, empty ones and -- too' '
	printf "[%s]\n" "a b" "" "  " "-n" "--" "*" "~" "\$x" "a\"b" "x'\''y" "$evil1" >expect &&
	ts-host exec h1 -- printf "[%s]\n" "a b" "" "  " "-n" "--" "*" "~" "\$x" \
	    "a\"b" "x'\''y" "$evil1" >out &&
	test_cmp expect out &&
	test ! -e "$pwned"
'

test_expect_success 'exec: the remote command runs with its arguments in its own words' '
	ts-host exec h1 -- sh -c "printf \"%s|\" \"\$#\" \"\$@\"; touch \"\$0\"" \
	    "$w/argv0 with space" "$evil2" "" >out &&
	printf "%s|" 2 "$evil2" "" >expect &&
	cmp expect out &&
	test -e "$w/argv0 with space" &&
	test ! -e "$pwned"
'

test_expect_success 'exec: binary output arrives byte for byte' '
	dd if=/dev/urandom of="$w/random" bs=1024 count=1024 2>/dev/null &&
	ts-host exec h1 -- cat "$w/random" >out &&
	cmp "$w/random" out
'

test_expect_success 'exec: a command killed by a signal is exit 3, one line saying so' '
	one_line 3 "signal KILL" ts-host exec h1 -- sh -c "echo before; kill -9 \$\$" &&
	has_f h1 err &&
	echo before >expect &&
	test_cmp expect out
'

test_expect_success 'exec --timeout 1 gives up on sleep 30 after 1 s: exit 3, one line' '
	test_when_finished "kill_pidfile \"$TRASH_DIRECTORY/sleep.pid\"" &&
	t0=$(now_ns) &&
	one_line 3 "timed out after 1 s" ts-host exec --timeout 1 h1 -- \
	    sh -c "echo \$\$ >\"\$0\"; exec sleep 30" "$TRASH_DIRECTORY/sleep.pid" &&
	ms=$(elapsed_ms "$t0") &&
	echo "took $ms ms" &&
	test "$ms" -ge 900 &&
	test "$ms" -lt 3500 &&
	has_f h1 err &&
	has_f "sleep" err &&
	test -s "$TRASH_DIRECTORY/sleep.pid"
'

test_expect_success 'exec: a bad --timeout or no command is exit 2' '
	one_line 2 "--timeout" ts-host exec --timeout soon h1 -- true &&
	one_line 2 "--timeout" ts-host exec --timeout 0 h1 -- true &&
	one_line 2 "no command" ts-host exec h1 --
'

test_expect_success 'exec on a host that is not in the lab is exit 2' '
	one_line 2 nosuch ts-host exec nosuch -- touch "$TRASH_DIRECTORY/ran" &&
	test ! -e "$TRASH_DIRECTORY/ran" &&
	one_line 2 nosuch ts-host put nosuch /dev/null "$w/x" &&
	test ! -e "$w/x" &&
	one_line 2 nosuch ts-host get nosuch "$w/random" got.x &&
	test ! -e got.x
'

test_expect_success 'put copies a file with its mode, 0751 and 0600' '
	printf "#!/bin/sh\necho hello from a script\n" >script &&
	chmod 0751 script &&
	ts-host put h1 script "$w/script" >out 2>err &&
	empty out && empty err &&
	cmp script "$w/script" &&
	test "$(mode "$w/script")" = 751 &&
	ts-host exec h1 -- "$w/script" >out &&
	echo "hello from a script" >expect &&
	test_cmp expect out &&
	printf "secret\n" >secret &&
	chmod 0600 secret &&
	ts-host put h1 secret "$w/secret" &&
	cmp secret "$w/secret" &&
	test "$(mode "$w/secret")" = 600
'

test_expect_success 'put over an existing file replaces its contents and its mode' '
	printf "a much longer old content\n" >"$w/over" &&
	chmod 0644 "$w/over" &&
	printf "new\n" >over &&
	chmod 0600 over &&
	ts-host put h1 over "$w/over" &&
	cmp over "$w/over" &&
	test "$(mode "$w/over")" = 600
'

test_expect_success 'get copies a file with its mode, whatever our umask' '
	printf "remote script\n" >"$w/rscript" &&
	chmod 0751 "$w/rscript" &&
	(umask 077 && ts-host get h1 "$w/rscript" got.rscript) >out 2>err &&
	empty out && empty err &&
	cmp "$w/rscript" got.rscript &&
	test "$(mode got.rscript)" = 751 &&
	printf "remote secret\n" >"$w/rsecret" &&
	chmod 0600 "$w/rsecret" &&
	(umask 000 && ts-host get h1 "$w/rsecret" got.rsecret) &&
	cmp "$w/rsecret" got.rsecret &&
	test "$(mode got.rsecret)" = 600
'

test_expect_success 'put and get carry 1 MB of random bytes byte for byte' '
	dd if=/dev/urandom of=big bs=1024 count=1024 2>/dev/null &&
	test "$(wc -c <big)" = 1048576 &&
	ts-host put h1 big "$w/big" &&
	cmp big "$w/big" &&
	ts-host get h1 "$w/big" big.back &&
	cmp big big.back
'

test_expect_success 'get of a remote file that is not there fails with one line' '
	{ ts-host get h1 "$w/no-such-file" got.missing >out 2>err; rc=$?; } &&
	echo "exit $rc" &&
	{ test "$rc" = 3 || test "$rc" = 2; } &&
	empty out &&
	test_line_count = 1 err &&
	has "^ts-host: " err &&
	has_f "$w/no-such-file" err &&
	test ! -e got.missing
'

test_expect_success 'put of a local file that is not there is exit 2, one line' '
	one_line 2 no-such-file ts-host put h1 no-such-file "$w/nothing" &&
	test ! -e "$w/nothing"
'

test_expect_success 'put and get need two paths: exit 2' '
	one_line 2 "two paths" ts-host put h1 big &&
	one_line 2 "two paths" ts-host get h1 "$w/big" a b
'

test_expect_success 'the connection dropped in the middle of a command: exit 3, "connection lost"' '
	d=$(sshd_dir h1) &&
	listener=$(cat "$d/sshd.pid.keep") &&
	test_when_finished "kill_pidfile \"$TRASH_DIRECTORY/drop.pid\"" &&
	{
		ts-host exec --timeout 30 h1 -- \
		    sh -c "echo started; echo \$\$ >\"\$0\"; exec sleep 30" \
		    "$TRASH_DIRECTORY/drop.pid" >drop.out 2>drop.err &
	} &&
	ts=$! &&
	test_when_finished "kill -9 $ts" &&
	wait_for 10 "test -s \"$TRASH_DIRECTORY/drop.pid\"" &&
	descendants "$listener" >pids &&
	has "^$(cat "$TRASH_DIRECTORY/drop.pid")\$" pids &&
	t0=$(now_ns) &&
	kill -9 "$listener" $(cat pids) &&
	rm -f "$d/sshd.pid.keep" &&
	wait_for 10 "gone $ts" &&
	ms=$(elapsed_ms "$t0") &&
	echo "took $ms ms" &&
	{ wait "$ts"; rc=$?; } &&
	test "$rc" = 3 &&
	test_line_count = 1 drop.err &&
	has "^ts-host: " drop.err &&
	has_f "connection lost" drop.err &&
	has_f h1 drop.err &&
	echo started >expect &&
	test_cmp expect drop.out
'

test_expect_success 'a host whose sshd is gone is exit 3, one line' '
	one_line 3 h1 ts-host exec h1 -- true
'

# The same fault inside a job: the step that ran the command is broken
# (the lab failed, not the test), ts-host-run exits 3, and the step's log
# says the connection was lost.
test_expect_success 'the connection dropped in a step: the step is broken, exit 3, its log says so' '
	sshd_start h5 && host_add h5 >/dev/null &&
	d=$(sshd_dir h5) &&
	f=$(ts-flight-create --branch b) &&
	write_recipe drop <<-\EOF &&
	step --testid=long ts-host-run -- host sh -c "echo \$\$ >\"\$1\"; exec sleep 30" run "$TLAB_LAB/../drop5.pid"
	EOF
	ts-job-create "$f" J drop host=h5 &&
	{ ts-run-job "$f" J >run.out 2>&1 & } &&
	rj=$! &&
	test_when_finished "kill $rj 2>/dev/null; kill_pidfile \"$TRASH_DIRECTORY/drop5.pid\"" &&
	wait_for 20 "test -s \"$TRASH_DIRECTORY/drop5.pid\"" &&
	listener=$(cat "$d/sshd.pid.keep") &&
	descendants "$listener" >pids5 &&
	kill -9 "$listener" $(cat pids5) &&
	rm -f "$d/sshd.pid.keep" &&
	wait_for 20 "gone $rj" &&
	{ wait "$rj"; rc=$?; } &&
	test "$rc" = 3 &&
	test "$(db "SELECT status || \" \" || exit_code FROM steps
	    WHERE flight = $f AND job = '\''J'\'' AND testid = '\''long'\''")" = "broken 3" &&
	test "$(job_status "$f" J)" = broken &&
	log=$TLAB_LAB/$(db "SELECT log FROM steps WHERE flight = $f AND job = '\''J'\''") &&
	grep "connection lost" "$log" &&
	tail -n 1 "$log" | grep "Z exit status 3$"
'

test_done
