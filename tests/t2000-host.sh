#!/bin/sh
test_description='ts-host: the inventory of hosts, their rows, JSON and host keys'
. "${abs_top_srcdir:-$(dirname "$0")/..}/tests/lib/test-lib.sh"

require_command sqlite3 python3
. "$abs_top_srcdir/tests/lib/lib-sshd.sh"

# The hosts are real sshd servers on 127.0.0.1 (tests/lib/lib-sshd.sh).
# h1 is added by connecting, h2 with --no-connect --host-key, h3..h5 by
# import; h1's key is changed (a reinstall) near the end.

# fingerprint NAME: the SHA256 fingerprint of host NAME's key, as
# ssh-keygen prints it.
fingerprint () {
	ssh-keygen -lf "$(sshd_dir "$1")/hostkey.pub" | cut -d' ' -f2
}

# keyline NAME: "TYPE BASE64" of host NAME's key.
keyline () {
	cut -d' ' -f1,2 "$(sshd_dir "$1")/hostkey.pub"
}

# known NAME: the known_hosts name of host NAME's address.
known () {
	echo "[127.0.0.1]:$(cat "$(sshd_dir "$1")/port")"
}

# kh_lines PATTERN: the lines of the lab's known_hosts starting with
# PATTERN (a fixed string), into the file kh.
kh_lines () {
	{ cat "$TLAB_LAB/known_hosts" 2>/dev/null || :; } |
	    awk -v p="$1" 'index($0, p) == 1' >kh
}

# connections NAME: how many SSH connections host NAME's sshd has seen.
connections () {
	grep -c "Connection from" "$(sshd_dir "$1")/sshd.log" || :
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on.
free_port () {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# json_check FILE EXPR [ARG...]: FILE is JSON (j) for which the python
# expression EXPR is true; A is the list of ARGs.
json_check () {
	python3 - "$@" <<-\EOF
	import json, sys
	j = json.load(open(sys.argv[1]))
	A = sys.argv[3:]
	if not eval("(" + sys.argv[2] + ")"):
	    print("json_check: not true: %s (A = %r)" % (sys.argv[2], A), file=sys.stderr)
	    print(json.dumps(j, indent=1), file=sys.stderr)
	    sys.exit(1)
	EOF
}

# db_is SQL EXPECTED: the query's output is EXPECTED.
db_is () {
	_got=$(db "$1") || return 1
	test "$_got" = "$2" && return 0
	echo "db: $1" >&2
	echo "  wanted: $2" >&2
	echo "  got:    $_got" >&2
	return 1
}

# snapshot / unchanged: the database and known_hosts are as they were.
snapshot () {
	db_digest >db.before &&
	{ cat "$TLAB_LAB/known_hosts" 2>/dev/null || :; } >kh.before
}
unchanged () {
	db_digest >db.after &&
	{ cat "$TLAB_LAB/known_hosts" 2>/dev/null || :; } >kh.after &&
	test_cmp db.before db.after &&
	test_cmp kh.before kh.after
}

# one_line CODE PATTERN COMMAND...: COMMAND exits CODE with one line on
# stderr (in err) that starts with "ts-host: " and contains PATTERN.
one_line () {
	_code=$1 _pat=$2
	shift 2
	code_err "$_code" "$@" >out || return 1
	test_line_count = 1 err || return 1
	grep "^ts-host: " err >/dev/null || {
		echo "stderr does not start with 'ts-host: ':" >&2
		cat err >&2
		return 1
	}
	grep -F -e "$_pat" err >/dev/null || {
		echo "stderr does not name '$_pat':" >&2
		cat err >&2
		return 1
	}
}

# bad_add PATTERN ARG...: ts-host add ARG... is bad input: exit 2, one
# line naming PATTERN, nothing on stdout, nothing recorded.
bad_add () {
	_p=$1
	shift
	snapshot &&
	one_line 2 "$_p" ts-host add "$@" &&
	empty out &&
	unchanged
}

test_expect_success 'setup: a lab and two hosts' '
	lab_init &&
	sshd_start h1 &&
	sshd_start h2
'

test_expect_success 'add connects once, learns the host key and prints its fingerprint' '
	fp1=$(fingerprint h1) &&
	case $fp1 in SHA256:?*) ;; *) false ;; esac &&
	host_add h1 --flags purpose-test,hvm-intel --prop power=none \
	    --prop "console=file:/var/log/con h1" >out 2>err &&
	empty err &&
	echo "h1: added, host key $fp1" >expect &&
	test_cmp expect out &&
	test "$(connections h1)" = 1 &&
	kh_lines "$(known h1) " &&
	echo "$(known h1) $(keyline h1)" >expect &&
	test_cmp expect kh &&
	grep "^\[127\.0\.0\.1\]:[0-9]* ssh-ed25519 [A-Za-z0-9+/=]*\$" kh
'

test_expect_success 'add records the rows of hosts, host_flags and host_props' '
	db_is "SELECT name, address, arch, state, state_why IS NULL, added > 0
	    FROM hosts" "h1|$(sshd_address h1)|amd64|free|1|1" &&
	db "SELECT host, flag FROM host_flags ORDER BY flag" >actual &&
	printf "h1|hvm-intel\nh1|purpose-test\n" >expect &&
	test_cmp expect actual &&
	db "SELECT host, name, val FROM host_props ORDER BY name" >actual &&
	printf "h1|console|file:/var/log/con h1\nh1|power|none\nh1|workdir|%s\n" \
	    "$(sshd_dir h1)/work" >expect &&
	test_cmp expect actual
'

test_expect_success 'show prints the host with its key fingerprint' '
	ts-host show h1 >out 2>err &&
	empty err &&
	has "^name  *h1\$" out &&
	has "^address  *$(sshd_address h1)\$" out &&
	has "^arch  *amd64\$" out &&
	has "^state  *free\$" out &&
	has "^flags  *hvm-intel,purpose-test\$" out &&
	has "^prop  *console=file:/var/log/con h1\$" out &&
	has "^prop  *power=none\$" out &&
	has "^host key ssh-ed25519 $fp1\$" out
'

test_expect_success 'show --json parses and carries state, flags, props and host_key' '
	ts-host show h1 --json >out &&
	json_check out "j[\"name\"] == \"h1\" and j[\"address\"] == A[0] and
	    j[\"arch\"] == \"amd64\" and j[\"state\"] == \"free\" and
	    j[\"why\"] is None and isinstance(j[\"added\"], int) and
	    j[\"flags\"] == [\"hvm-intel\", \"purpose-test\"] and
	    j[\"props\"] == {\"console\": \"file:/var/log/con h1\",
	        \"power\": \"none\", \"workdir\": A[1]} and
	    j[\"host_key\"] == A[2]" \
	    "$(sshd_address h1)" "$(sshd_dir h1)/work" "$fp1"
'

test_expect_success 'add --no-connect --host-key records the key without connecting' '
	n=$(connections h2) &&
	ts-host add h2 --address "$(sshd_address h2)" --arch arm64 --no-connect \
	    --host-key "$(keyline h2)" >out 2>err &&
	empty err &&
	echo "h2: added, host key $(fingerprint h2)" >expect &&
	test_cmp expect out &&
	test "$(connections h2)" = "$n" &&
	kh_lines "$(known h2) " &&
	echo "$(known h2) $(keyline h2)" >expect &&
	test_cmp expect kh &&
	db_is "SELECT arch, state FROM hosts WHERE name = '\''h2'\''" "arm64|free" &&
	db_is "SELECT count(*) FROM host_flags WHERE host = '\''h2'\''" 0 &&
	ts-host show h2 >out &&
	has "^host key ssh-ed25519 $(fingerprint h2)\$" out &&
	ts-host exec h2 -- true
'

test_expect_success 'list prints one line a host: name, address, arch, state, flags' '
	ts-host list >out 2>err &&
	empty err &&
	test_line_count = 2 out &&
	awk "{ print \$1 }" out >actual &&
	printf "h1\nh2\n" >expect &&
	test_cmp expect actual &&
	awk "\$1 == \"h1\" { print \$2, \$3, \$4, \$5, NF }" out >actual &&
	echo "$(sshd_address h1) amd64 free hvm-intel,purpose-test 5" >expect &&
	test_cmp expect actual &&
	awk "\$1 == \"h2\" { print \$2, \$3, \$4, NF }" out >actual &&
	echo "$(sshd_address h2) arm64 free 4" >expect &&
	test_cmp expect actual
'

test_expect_success 'list --json parses and carries state, flags and props' '
	ts-host list --json >out &&
	json_check out "[h[\"name\"] for h in j] == [\"h1\", \"h2\"] and
	    j[0][\"state\"] == \"free\" and j[0][\"address\"] == A[0] and
	    j[0][\"flags\"] == [\"hvm-intel\", \"purpose-test\"] and
	    j[0][\"props\"][\"power\"] == \"none\" and
	    j[0][\"props\"][\"console\"] == \"file:/var/log/con h1\" and
	    j[1][\"flags\"] == [] and j[1][\"arch\"] == \"arm64\" and
	    j[1][\"props\"] == {}" "$(sshd_address h1)"
'

test_expect_success 'set --flags +FLAG,-FLAG edits the flags' '
	ts-host set h1 --flags +equiv-1,-hvm-intel,+share-build-x >out 2>err &&
	empty err && empty out &&
	db "SELECT flag FROM host_flags WHERE host = '\''h1'\'' ORDER BY flag" >actual &&
	printf "equiv-1\npurpose-test\nshare-build-x\n" >expect &&
	test_cmp expect actual &&
	ts-host show h1 >out &&
	has "^flags  *equiv-1,purpose-test,share-build-x\$" out
'

test_expect_success 'set --flags a,b replaces the flags' '
	ts-host set h1 --flags arch-amd64,purpose-build &&
	db "SELECT flag FROM host_flags WHERE host = '\''h1'\'' ORDER BY flag" >actual &&
	printf "arch-amd64\npurpose-build\n" >expect &&
	test_cmp expect actual &&
	db_is "SELECT count(*) FROM host_flags WHERE host = '\''h2'\''" 0
'

test_expect_success 'set --flags mixing edits and a list is exit 2, nothing changed' '
	snapshot &&
	one_line 2 "+equiv-2,purpose-test" ts-host set h1 --flags +equiv-2,purpose-test &&
	unchanged &&
	snapshot &&
	one_line 2 "purpose-test,-arch-amd64" ts-host set h1 --flags purpose-test,-arch-amd64 &&
	unchanged
'

test_expect_success 'set --prop NAME=VALUE sets, NAME= removes' '
	ts-host set h1 --prop power=cmd:ipmi-power --prop rack=r2 &&
	db "SELECT name, val FROM host_props WHERE host = '\''h1'\'' ORDER BY name" >actual &&
	printf "console|file:/var/log/con h1\npower|cmd:ipmi-power\nrack|r2\nworkdir|%s\n" \
	    "$(sshd_dir h1)/work" >expect &&
	test_cmp expect actual &&
	ts-host set h1 --prop rack= --prop console= &&
	db "SELECT name, val FROM host_props WHERE host = '\''h1'\'' ORDER BY name" >actual &&
	printf "power|cmd:ipmi-power\nworkdir|%s\n" "$(sshd_dir h1)/work" >expect &&
	test_cmp expect actual &&
	ts-host show h1 --json >out &&
	json_check out "j[\"props\"] == {\"power\": \"cmd:ipmi-power\", \"workdir\": A[0]}" \
	    "$(sshd_dir h1)/work"
'

test_expect_success 'set --arch and --address change the row' '
	ts-host set h2 --arch amd64 &&
	db_is "SELECT arch FROM hosts WHERE name = '\''h2'\''" amd64 &&
	port2=$(cat "$(sshd_dir h2)/port") &&
	ts-host set h2 --address "127.0.0.1:$port2" &&
	db_is "SELECT address, arch FROM hosts WHERE name = '\''h2'\''" \
	    "127.0.0.1:$port2|amd64" &&
	ts-host exec h2 -- true &&
	ts-host set h2 --address "$(sshd_address h2)" --arch arm64 &&
	db_is "SELECT address, arch FROM hosts WHERE name = '\''h2'\''" \
	    "$(sshd_address h2)|arm64"
'

test_expect_success 'set of a host that is not there is exit 2' '
	snapshot &&
	one_line 2 nosuch ts-host set nosuch --arch amd64 &&
	unchanged
'

test_expect_success 'quarantine needs --why: exit 2 without, the host stays free' '
	snapshot &&
	one_line 2 "--why" ts-host quarantine h1 &&
	unchanged &&
	one_line 2 "--why" ts-host quarantine h1 --why "" &&
	unchanged &&
	db_is "SELECT state FROM hosts WHERE name = '\''h1'\''" free
'

test_expect_success 'quarantine takes the host out with its reason, unquarantine frees it' '
	ts-host quarantine h1 --why "bad RAM, ticket 4711" &&
	db_is "SELECT state, state_why FROM hosts WHERE name = '\''h1'\''" \
	    "quarantined|bad RAM, ticket 4711" &&
	ts-host show h1 >out &&
	has "^state  *quarantined: bad RAM, ticket 4711\$" out &&
	ts-host show h1 --json >out &&
	json_check out "j[\"state\"] == \"quarantined\" and j[\"why\"] == \"bad RAM, ticket 4711\"" &&
	ts-host list >out &&
	awk "\$1 == \"h1\" { print \$4 }" out >actual &&
	echo quarantined >expect &&
	test_cmp expect actual &&
	ts-host list --json >out &&
	json_check out "j[0][\"state\"] == \"quarantined\" and j[1][\"state\"] == \"free\"" &&
	ts-host unquarantine h1 &&
	db_is "SELECT state, state_why IS NULL FROM hosts WHERE name = '\''h1'\''" \
	    "free|1" &&
	ts-host show h1 >out &&
	has "^state  *free\$" out
'

test_expect_success 'add of a name already there is exit 2, nothing changed' '
	snapshot &&
	one_line 2 h1 host_add h1 &&
	unchanged &&
	one_line 2 h1 ts-host add h1 --address "$(sshd_address h2)" --arch arm64 &&
	unchanged &&
	one_line 2 h1 ts-host add h1 --address "root@192.0.2.1" --arch arm64 \
	    --no-connect --host-key "$(keyline h2)" &&
	unchanged
'

test_expect_success 'a bad name is exit 2 with one line, nothing recorded' '
	a=$(sshd_address h2) &&
	bad_add "bad name" "bad name" --address "$a" --arch amd64 &&
	bad_add "a/b" "a/b" --address "$a" --arch amd64 &&
	bad_add "x\$y" "x\$y" --address "$a" --arch amd64 &&
	bad_add ".dot" .dot --address "$a" --arch amd64
'

test_expect_success 'a bad address is exit 2 with one line, nothing recorded' '
	bad_add "127.0.0.1:99999" h9 --address "root@127.0.0.1:99999" --arch amd64 &&
	bad_add "127.0.0.1:ssh" h9 --address "127.0.0.1:ssh" --arch amd64 &&
	bad_add "root@:22" h9 --address "root@:22" --arch amd64 &&
	bad_add "[::1" h9 --address "[::1" --arch amd64 &&
	bad_add "@127.0.0.1" h9 --address "@127.0.0.1" --arch amd64
'

test_expect_success 'a bad flag is exit 2 with one line, nothing recorded' '
	a=$(sshd_address h2) &&
	bad_add "purpose test" h9 --address "$a" --arch amd64 --flags "equiv-1,purpose test" &&
	bad_add "a/b" h9 --address "$a" --arch amd64 --flags a/b &&
	bad_add "+equiv-1" h9 --address "$a" --arch amd64 --flags +equiv-1
'

test_expect_success 'a bad property or arch is exit 2 with one line, nothing recorded' '
	a=$(sshd_address h2) &&
	bad_add "noequals" h9 --address "$a" --arch amd64 --prop noequals &&
	bad_add "=v" h9 --address "$a" --arch amd64 --prop =v &&
	bad_add "na me" h9 --address "$a" --arch amd64 --prop "na me=v" &&
	bad_add "x y" h9 --address "$a" --arch "x y" &&
	bad_add "--arch" h9 --address "$a"
'

test_expect_success 'a bad --host-key is exit 2 with one line, nothing recorded' '
	bad_add "not-a-key" h9 --address "$(sshd_address h2)" --arch amd64 \
	    --no-connect --host-key not-a-key &&
	bad_add "ssh-ed25519 !!!" h9 --address "$(sshd_address h2)" --arch amd64 \
	    --no-connect --host-key "ssh-ed25519 !!!"
'

test_expect_success 'add --no-connect without --host-key is exit 2, nothing recorded' '
	bad_add "--host-key" h9 --address "$(sshd_address h2)" --arch amd64 --no-connect
'

test_expect_success 'add of a host nothing answers for is exit 3, nothing recorded' '
	port=$(free_port) &&
	snapshot &&
	one_line 3 h9 ts-host add h9 --address "root@127.0.0.1:$port" --arch amd64 &&
	has_f "$port" err &&
	empty out &&
	unchanged &&
	kh_lines "[127.0.0.1]:$port " &&
	empty kh
'

test_expect_success 'add with a --host-key that the host does not show is exit 3, nothing recorded' '
	sshd_start hk &&
	snapshot &&
	one_line 3 hk ts-host add hk --address "$(sshd_address hk)" --arch amd64 \
	    --host-key "$(keyline h1)" &&
	has_f "$(fingerprint h1)" err &&
	has_f "$(fingerprint hk)" err &&
	test "$(connections hk)" = 1 &&
	empty out &&
	unchanged
'

test_expect_success 'setup: three more hosts to import' '
	sshd_start h3 &&
	sshd_start h4 &&
	ssh-keygen -q -t ed25519 -N "" -f key5 -C "key of h5" &&
	port5=$(free_port)
'

test_expect_success 'import adds every host of a file: comments, blank lines, options' '
	cat >hosts.txt <<-EOF &&
	# the lab'\''s hosts

	h3 --address $(sshd_address h3) --arch amd64 --flags purpose-test,equiv-1 --prop "console=file:/var/log/con h3"
	   # an indented comment
	   h4 --address=$(sshd_address h4) --arch=arm64 -p workdir=/srv/w -p '\''power=cmd:pdu 7'\''
	h5 -a root@127.0.0.1:$port5 --arch amd64 --no-connect -k "$(cut -d" " -f1,2 key5.pub)"
	EOF
	ts-host import hosts.txt >out 2>err &&
	empty err &&
	printf "h3: added, host key %s\nh4: added, host key %s\nh5: added, host key %s\n" \
	    "$(fingerprint h3)" "$(fingerprint h4)" \
	    "$(ssh-keygen -lf key5.pub | cut -d" " -f2)" >expect &&
	test_cmp expect out &&
	db "SELECT name, address, arch, state FROM hosts ORDER BY name" >actual &&
	cat >expect <<-EOF &&
	h1|$(sshd_address h1)|amd64|free
	h2|$(sshd_address h2)|arm64|free
	h3|$(sshd_address h3)|amd64|free
	h4|$(sshd_address h4)|arm64|free
	h5|root@127.0.0.1:$port5|amd64|free
	EOF
	test_cmp expect actual &&
	db "SELECT host, flag FROM host_flags WHERE host >= '\''h3'\'' ORDER BY host, flag" >actual &&
	printf "h3|equiv-1\nh3|purpose-test\n" >expect &&
	test_cmp expect actual &&
	db "SELECT host, name, val FROM host_props WHERE host >= '\''h3'\'' ORDER BY host, name" >actual &&
	printf "h3|console|file:/var/log/con h3\nh4|power|cmd:pdu 7\nh4|workdir|/srv/w\n" >expect &&
	test_cmp expect actual &&
	kh_lines "$(known h3) " && echo "$(known h3) $(keyline h3)" >expect && test_cmp expect kh &&
	kh_lines "$(known h4) " && echo "$(known h4) $(keyline h4)" >expect && test_cmp expect kh &&
	kh_lines "[127.0.0.1]:$port5 " &&
	echo "[127.0.0.1]:$port5 $(cut -d" " -f1,2 key5.pub)" >expect &&
	test_cmp expect kh
'

test_expect_success 'import stops at a bad line, named FILE:LINE, exit 2; the lines before stay' '
	cat >bad-hosts <<-EOF &&
	# good, then bad
	h6 --address root@192.0.2.6 --arch amd64 --no-connect --host-key "$(keyline h2)"

	h7 --address root@192.0.2.7 --arch amd64 --flags "purpose test" --no-connect --host-key "$(keyline h2)"
	h8 --address root@192.0.2.8 --arch amd64 --no-connect --host-key "$(keyline h2)"
	EOF
	one_line 2 "bad-hosts:4" ts-host import bad-hosts &&
	has_f "purpose test" err &&
	db_is "SELECT name FROM hosts WHERE name >= '\''h6'\'' ORDER BY name" h6 &&
	printf "h9 --address root@192.0.2.9 --arch amd64 --bogus\n" >bad2 &&
	snapshot &&
	one_line 2 "bad2:1" ts-host import bad2 &&
	unchanged &&
	printf "\n\n# x\nh9 --address \"root@192.0.2.9 --arch amd64\n" >bad3 &&
	one_line 2 "bad3:4" ts-host import bad3 &&
	unchanged &&
	printf "h9 h10 --address root@192.0.2.9 --arch amd64\n" >bad4 &&
	one_line 2 "bad4:1" ts-host import bad4 &&
	unchanged &&
	one_line 2 "no-such-file" ts-host import no-such-file &&
	unchanged
'

test_expect_success 'setup: h1 is reinstalled: a new host key, at a new port' '
	oldfp=$(fingerprint h1) &&
	oldkey=$(keyline h1) &&
	oldknown=$(known h1) &&
	sshd_stop h1 &&
	rm "$(sshd_dir h1)/hostkey" "$(sshd_dir h1)/hostkey.pub" &&
	ssh-keygen -q -t ed25519 -N "" -f "$(sshd_dir h1)/hostkey" -C "h1 reinstalled" &&
	sshd_start h1 &&
	newfp=$(fingerprint h1) &&
	newkey=$(keyline h1) &&
	test "$oldfp" != "$newfp" &&
	ts-host set h1 --address "$(sshd_address h1)" &&
	db_is "SELECT address FROM hosts WHERE name = '\''h1'\''" "$(sshd_address h1)"
'

test_expect_success 'the host keeps its recorded key across the address change' '
	ts-host show h1 >out &&
	has "^host key ssh-ed25519 $oldfp\$" out &&
	ts-host show h1 --json >out &&
	json_check out "j[\"host_key\"] == A[0]" "$oldfp"
'

test_expect_success 'exec on a host whose key changed is exit 3: one line, the host and both fingerprints' '
	one_line 3 h1 ts-host exec h1 -- touch "$TRASH_DIRECTORY/ran" &&
	has_f "$oldfp" err &&
	has_f "$newfp" err &&
	empty out &&
	test ! -e "$TRASH_DIRECTORY/ran"
'

test_expect_success 'set --rescan records the key the host shows now; exec works again' '
	ts-host set h1 --rescan >out 2>err &&
	empty err &&
	echo "h1: host key now $newfp" >expect &&
	test_cmp expect out &&
	kh_lines "$(known h1) " &&
	echo "$(known h1) $newkey" >expect &&
	test_cmp expect kh &&
	ts-host show h1 >out &&
	has "^host key ssh-ed25519 $newfp\$" out &&
	ts-host exec h1 -- touch "$TRASH_DIRECTORY/ran" &&
	test -e "$TRASH_DIRECTORY/ran"
'

test_expect_success 'set --host-key records the key given: a wrong one is refused, the right one works' '
	ts-host set h1 --host-key "$oldkey" >out &&
	echo "h1: host key now $oldfp" >expect &&
	test_cmp expect out &&
	one_line 3 h1 ts-host exec h1 -- true &&
	has_f "$oldfp" err &&
	has_f "$newfp" err &&
	ts-host set h1 --host-key "$newkey" >out &&
	echo "h1: host key now $newfp" >expect &&
	test_cmp expect out &&
	kh_lines "$(known h1) " &&
	echo "$(known h1) $newkey" >expect &&
	test_cmp expect kh &&
	ts-host exec h1 -- true &&
	snapshot &&
	one_line 2 "garbage" ts-host set h1 --host-key garbage &&
	unchanged
'

test_expect_success 'remove deletes the rows and the known_hosts line' '
	ts-host remove h1 >out 2>err &&
	empty err &&
	db_is "SELECT count(*) FROM hosts WHERE name = '\''h1'\''" 0 &&
	db_is "SELECT count(*) FROM host_flags WHERE host = '\''h1'\''" 0 &&
	db_is "SELECT count(*) FROM host_props WHERE host = '\''h1'\''" 0 &&
	kh_lines "$(known h1) " &&
	empty kh &&
	kh_lines "$oldknown " &&
	empty kh &&
	kh_lines "$(known h2) " &&
	test_line_count = 1 kh &&
	db_is "SELECT count(*) FROM hosts" 5 &&
	one_line 2 h1 ts-host show h1 &&
	one_line 2 h1 ts-host remove h1
'

test_expect_success 'a removed host can be added again at its address' '
	host_add h1 >out &&
	echo "h1: added, host key $newfp" >expect &&
	test_cmp expect out &&
	ts-host exec h1 -- true
'

test_done
