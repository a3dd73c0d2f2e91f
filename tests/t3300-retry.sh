#!/bin/sh
test_description='a job that broke runs again, on another host when one fits'
. "${abs_top_srcdir:-$(dirname "$0")/..}/tests/lib/test-lib.sh"

# Hosts need no SSH here: the recipes only allocate them.  None answers
# SSH, so the runner of a job that broke quarantines its host, after
# host_check_timeout (t2600 has hosts that answer).
add_host () {
	ts-host add "$1" --address "root@10.9.8.$2" --arch amd64 --flags pool \
	    --no-connect --host-key "ssh-ed25519 $(cut -d' ' -f2 "$TLAB_LAB/ssh/id_ed25519.pub")" \
	    >/dev/null
}

test_expect_success 'setup: a lab, two hosts, a recipe that breaks on h1' '
	lab_init &&
	printf "host_check_timeout = 2\n" >>"$TLAB_LAB/tlab.conf" &&
	add_host h1 1 && add_host h2 2 &&
	write_recipe flaky-host <<-\EOF &&
	step --on-fail=broken ts-host-allocate host
	step --testid=works sh -c "test \"\$(ts-runvar host)\" != h1 || { echo h1 is sick; exit 3; }"
	EOF
	write_recipe always-broken <<-\EOF
	step --testid=lab sh -c "exit 3"
	EOF
'

test_expect_success 'broken on h1, run again on h2: the job passes, the attempt is kept' '
	f=$(ts-flight-create --branch b) &&
	ts-job-create "$f" J flaky-host all_hostflags=pool &&
	ts-flight-run "$f" &&
	is pass "$(job_status "$f" J)" &&
	is broken "$(job_status "$f" "J~1")" &&
	is "J|1" "$(db "SELECT attempt_of || \"|\" || attempt FROM jobs
	    WHERE flight = $f AND job = '\''J~1'\''")" &&
	is h1 "$(ts-runvar "$f" "J~1" host)" &&
	is h2 "$(ts-runvar "$f" J host)" &&
	is h1 "$(ts-runvar "$f" J hosts_avoid)" &&
	is broken "$(step_status "$f" "J~1" works)" &&
	is pass "$(step_status "$f" J works)" &&
	is "h1=quarantined h2=free" "$(db "SELECT name || '\''='\'' || state FROM hosts
	    ORDER BY name" | tr "\n" " " | sed "s/ \$//")"
'

test_expect_success 'the kept attempt has its steps, logs and allocations' '
	log=$(db "SELECT log FROM steps WHERE flight = $f AND job = '\''J~1'\'' AND testid = '\''works'\''") &&
	case $log in "logs/$f/J~1/"*) ;; *) echo "log path $log"; false ;; esac &&
	grep "h1 is sick" "$TLAB_LAB/$log" &&
	test -f "$TLAB_LAB/logs/$f/J/job.log" &&
	is "J~1" "$(db "SELECT job FROM allocations WHERE flight = $f AND host = '\''h1'\''")" &&
	ts-flight-show "$f" >show &&
	grep "^J~1 .* broken" show &&
	grep "^J  *flaky-host  *pass" show
'

test_expect_success 'broken every time: run twice by default, both kept' '
	f=$(ts-flight-create --branch b) &&
	ts-job-create "$f" K always-broken &&
	ts-flight-run "$f" &&
	is broken "$(job_status "$f" K)" &&
	is broken "$(job_status "$f" "K~1")" &&
	is 2 "$(db "SELECT count(*) FROM jobs WHERE flight = $f")"
'

test_expect_success 'retry_broken = 0 in [branch NAME]: no second run' '
	printf "[branch nore]\nretry_broken = 0\n" >>"$TLAB_LAB/tlab.conf" &&
	f=$(ts-flight-create --branch nore) &&
	ts-job-create "$f" L always-broken &&
	ts-flight-run "$f" &&
	is broken "$(job_status "$f" L)" &&
	is 1 "$(db "SELECT count(*) FROM jobs WHERE flight = $f")"
'

test_expect_success 'retry_broken = 2: three runs in all' '
	printf "[branch two]\nretry_broken = 2\n" >>"$TLAB_LAB/tlab.conf" &&
	f=$(ts-flight-create --branch two) &&
	ts-job-create "$f" M always-broken &&
	ts-flight-run "$f" &&
	is 3 "$(db "SELECT count(*) FROM jobs WHERE flight = $f")" &&
	is "M~1 M~2" "$(db "SELECT job FROM jobs WHERE flight = $f AND attempt_of = '\''M'\'' ORDER BY attempt" | tr "\n" " " | sed "s/ \$//")"
'

test_expect_success 'a failed (not broken) job is not run again' '
	write_recipe fails <<-\EOF &&
	step false
	EOF
	f=$(ts-flight-create --branch b) &&
	ts-job-create "$f" N fails &&
	ts-flight-run "$f" &&
	is fail "$(job_status "$f" N)" &&
	is 1 "$(db "SELECT count(*) FROM jobs WHERE flight = $f")"
'

test_done
