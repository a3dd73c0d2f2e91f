# tests/lib/lib-mail.sh: a real local MTA for the tests that mail.
#
#	. "$abs_top_srcdir/tests/lib/lib-mail.sh"
#	mail_setup
#	echo "sendmail = $MAIL_SENDMAIL" >>"$TLAB_LAB/tlab.conf"
#	... grep "^Subject: ..." "$MAILBOX"
#
# exim4 (Debian's MTA) with a configuration of the test's own: every
# message, to any address, is delivered at once (-odi) into one mbox file,
# $MAILBOX, in the test's trash directory; nothing leaves the machine and
# no daemon runs.  Without exim4 or its Debian-exim user the whole test
# file is skipped (test_skip_all), with the reason.

# mail_setup: find exim4, write its configuration; set EXIM, MAILBOX and
# MAIL_SENDMAIL (a sendmail setting of tlab.conf that delivers there).
mail_setup () {
	EXIM=$(command -v exim4 || command -v exim || :)
	[ -n "$EXIM" ] ||
	    test_skip_all "no exim4 to deliver mail (exim4-daemon-light)"
	id Debian-exim >/dev/null 2>&1 ||
	    test_skip_all "no Debian-exim user to deliver as"
	_maildir=$TRASH_DIRECTORY/mail
	mkdir -p "$_maildir/spool" "$_maildir/log" && chmod 777 "$_maildir" ||
	    return 1
	cat >"$_maildir/exim.conf" <<-EOC
	primary_hostname = tlab.test
	domainlist local_domains = *
	exim_user = root
	exim_group = root
	spool_directory = $_maildir/spool
	log_file_path = $_maildir/log/%slog
	keep_environment =
	begin routers
	all:
	  driver = accept
	  transport = mbox
	begin transports
	mbox:
	  driver = appendfile
	  file = $_maildir/mbox
	  user = Debian-exim
	  envelope_to_add
	EOC
	MAILBOX=$_maildir/mbox
	MAIL_SENDMAIL="$EXIM -C $_maildir/exim.conf -odi -t"
}

# mail_count: the number of messages in the mbox (0 when there is none).
mail_count () {
	if [ -f "$MAILBOX" ]; then
		grep -c '^From ' "$MAILBOX" || :
	else
		echo 0
	fi
}

# mail_clear: empty the mbox.
mail_clear () {
	if [ -f "$MAILBOX" ]; then
		: >"$MAILBOX"
	fi
}
