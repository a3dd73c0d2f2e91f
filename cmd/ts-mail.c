/*
 * ts-mail: mail what comes on standard input (a report) through the lab's
 * sendmail.  See ts-mail(1).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "mail.h"
#include "banned.h"

int
main(int argc, const char **argv)
{
	static const struct cmd_info info = {
		"", "mail standard input through the lab's sendmail, its first line "
		"the subject", 0, 0, 0,
	};
	struct strbuf err = STRBUF_INIT, body = STRBUF_INIT, subject = STRBUF_INIT;
	const char *subj = NULL, *branch = NULL, **to_args = NULL;
	struct poptOption opts[] = {
		{ "to", 't', POPT_ARG_ARGV, &to_args, 0,
		  "a recipient (repeat); default: mail_to of the branch or the lab", "ADDRESS" },
		{ "branch", 'b', POPT_ARG_STRING, &branch, 0,
		  "whose mail_to to use", "BRANCH" },
		{ "subject", 's', POPT_ARG_STRING, &subj, 0,
		  "the subject (default: the first line of the message)", "TEXT" },
		CMD_POPT_LAB,
		CMD_POPT_END
	};
	struct strvec to = STRVEC_INIT;
	struct lab lab;
	const char **a;
	int nargs, rc;

	(void)cmd_parse(argc, argv, opts, &info, &nargs);
	cmd_open_lab(&lab);
	if (strbuf_read_fd(&body, STDIN_FILENO) < 0) {
		rc = err_errno(&err, TS_E_LAB, "standard input");
		goto out;
	}
	if (subj != NULL)
		strbuf_addstr(&subject, subj);
	else
		strbuf_add(&subject, body.buf, strcspn(body.buf, "\n"));
	for (a = to_args; a != NULL && *a != NULL; a++)
		strvec_push(&to, *a);
	rc = 0;
	if (to.nr == 0)
		rc = mail_recipients(&lab, branch, &to, &err);
	if (rc == 0 && subject.len == 0)
		rc = err_setf(&err, TS_E_INPUT, "no subject: an empty first line and no --subject");
	if (rc == 0)
		rc = mail_send(&lab, &to, subject.buf, body.buf, &err);
out:
	lab_close(&lab);
	strvec_clear(&to);
	strbuf_release(&body);
	strbuf_release(&subject);
	return cmd_exit(rc, &err);
}
