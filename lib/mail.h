/*
 * mail: sending a report by mail through the lab's sendmail command.
 *
 * The command is tlab.conf's `sendmail` (default "/usr/sbin/sendmail -t
 * -oi"), split into words as a shell would and run without one; the
 * message goes to its standard input with its headers, so that -t takes
 * the recipients from them.  Bounded; a non-zero exit is the lab's
 * failure, with the command's words and status.
 */
#ifndef TLAB_MAIL_H
#define TLAB_MAIL_H

#include "lab.h"
#include "strvec.h"

/* The lab's From address: mail_from, else tlab@HOSTNAME. */
void mail_from(const struct lab *lab, struct strbuf *from);

/*
 * The recipients of a branch's reports: [branch NAME] mail_to, else the
 * lab's mail_to, split at commas and spaces; none is TS_E_INPUT.
 */
int mail_recipients(const struct lab *lab, const char *branch,
    struct strvec *to, struct strbuf *err);

/* Send body (text) to every address of to, with subject. */
int mail_send(const struct lab *lab, const struct strvec *to,
    const char *subject, const char *body, struct strbuf *err);

#endif
