#!/bin/sh
test_description='ts-lab-init: a new lab and its files'
. "${abs_top_srcdir:-$(dirname "$0")/..}/tests/lib/test-lib.sh"

test_expect_success 'ts-lab-init makes tlab.conf, tlab.db, logs/, stash/, recipes/' '
	ts-lab-init lab >out &&
	test -f lab/tlab.conf && test -f lab/tlab.db &&
	test -d lab/logs && test -d lab/stash && test -d lab/recipes &&
	grep "^export TLAB_LAB=$PWD/lab$" out
'

test_expect_success 'the database is WAL, marked as tlab, at the latest schema' '
	TLAB_LAB=$PWD/lab &&
	test "$(db "PRAGMA journal_mode")" = wal &&
	test "$(db "PRAGMA application_id")" = 1414283586 &&
	test "$(db "PRAGMA user_version")" -ge 1
'

test_expect_success 'a second ts-lab-init refuses, exit 2, one line naming the lab' '
	TLAB_LAB=$PWD/lab &&
	before=$(db_digest) &&
	test_expect_code 2 ts-lab-init lab 2>err &&
	test_line_count = 1 err &&
	grep "^ts-lab-init: lab: already a lab" err &&
	test "$(db_digest)" = "$before"
'

test_expect_success 'an existing tlab.conf is kept' '
	mkdir lab2 && echo "name = mine" >lab2/tlab.conf &&
	ts-lab-init lab2 >/dev/null &&
	test "$(cat lab2/tlab.conf)" = "name = mine"
'

test_expect_success 'a bad existing tlab.conf is refused with file and line' '
	mkdir lab3 && printf "name = x\nbogus = 1\n" >lab3/tlab.conf &&
	test_expect_code 2 ts-lab-init lab3 2>err &&
	grep "tlab.conf:2: unknown key .bogus." err &&
	test ! -e lab3/tlab.db
'

test_done
