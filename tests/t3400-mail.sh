#!/bin/sh
test_description='ts-mail: a report mailed through a real local MTA'
. "${abs_top_srcdir:-$(dirname "$0")/..}/tests/lib/test-lib.sh"

# exim4 (Debian's MTA) with a configuration of the test's own: every
# message, to any address, is delivered into one mbox file here
# (tests/lib/lib-mail.sh).
. "$abs_top_srcdir/tests/lib/lib-mail.sh"
mail_setup
maildir=$TRASH_DIRECTORY/mail

test_expect_success 'setup: a lab whose sendmail is the test MTA' '
	lab_init &&
	{
		echo "sendmail = $MAIL_SENDMAIL" &&
		echo "mail_from = lab@tlab.test" &&
		echo "mail_to = all@tlab.test" &&
		echo "[branch xen-unstable]" &&
		echo "mail_to = xen-devel@tlab.test, oncall@tlab.test"
	} >>"$TLAB_LAB/tlab.conf"
'

test_expect_success 'a report is delivered with its first line as the subject' '
	printf "42: regressions\n\ntest-amd64-xl guest-start: regression\n" >report &&
	ts-mail --branch xen-unstable <report &&
	grep "^Subject: 42: regressions\$" "$maildir/mbox" &&
	grep "^From: lab@tlab.test\$" "$maildir/mbox" &&
	grep "^To: xen-devel@tlab.test, oncall@tlab.test\$" "$maildir/mbox" &&
	grep "^Envelope-to: xen-devel@tlab.test" "$maildir/mbox" &&
	grep "^Envelope-to: oncall@tlab.test" "$maildir/mbox" &&
	grep "^test-amd64-xl guest-start: regression\$" "$maildir/mbox"
'

test_expect_success 'without a branch, the lab'\''s mail_to; --to and --subject win' '
	: >"$maildir/mbox" &&
	echo body | ts-mail --subject "43: perfect" &&
	grep "^Envelope-to: all@tlab.test" "$maildir/mbox" &&
	grep "^Subject: 43: perfect\$" "$maildir/mbox" &&
	: >"$maildir/mbox" &&
	echo "44: tolerable" | ts-mail --to me@tlab.test &&
	grep "^Envelope-to: me@tlab.test" "$maildir/mbox" &&
	! grep "all@tlab.test" "$maildir/mbox"
'

test_expect_success 'no recipient, no subject, a header with a line break: exit 2' '
	sed -i "/^mail_to = all/d" "$TLAB_LAB/tlab.conf" &&
	echo "x" | code_err 2 ts-mail &&
	test_line_count = 1 err &&
	grep "^ts-mail: no one to mail" err &&
	printf "\nbody\n" | code_err 2 ts-mail --to a@tlab.test &&
	grep "no subject" err &&
	echo x | code_err 2 ts-mail --to a@tlab.test --subject "a
Bcc: evil@tlab.test" &&
	grep "line break" err
'

test_expect_success 'a sendmail that fails: exit 3 naming it and its status' '
	sed -i "s|^sendmail = .*|sendmail = sh -c \"exit 75\"|" "$TLAB_LAB/tlab.conf" &&
	echo "45: x" | code_err 3 ts-mail --to a@tlab.test &&
	test_line_count = 1 err &&
	grep "^ts-mail: mail: sh -c .exit 75.: exit status 75" err
'

test_expect_success 'a long report to a sendmail that reads nothing: its status, not SIGPIPE' '
	{ echo "46: regressions"; seq 1 60000; } >long &&
	test $(wc -c <long) -gt 300000 &&
	code_err 3 ts-mail --to a@tlab.test <long &&
	test_line_count = 1 err &&
	grep "^ts-mail: mail: sh -c .exit 75.: exit status 75 (it took [0-9]* of the message.s [0-9]* bytes)$" err
'

test_done
