/*
 * stepmsg: how ts-step talks to the runner that holds its job.
 *
 * While ts-run-job runs a job it is the one writer of that job's steps: it
 * listens on a Unix socket named for the lab, flight and job (in the
 * abstract namespace, so no path length or stale file), and each ts-step
 * asks it to record the step's start and end.  ts-step itself runs the
 * step's program, as before, and never opens the database: a step costs
 * one small process and two short transactions of a process that already
 * has the database open.
 *
 * A message is one SOCK_SEQPACKET datagram of NUL-terminated fields, the
 * first naming it:
 *
 *	begin FLIGHT JOB SPEC ARGV...	SPEC is "-" for none, else "=" + spec
 *	 -> ok STEPNO TESTID LOG STEP_TIMEOUT_MS GRACE_MS
 *	end STEPNO STATUS EXITED CODE SIGNALED SIG TIMED_OUT SECONDS
 *	 -> ok PAUSE_MS
 *	any -> err CODE MESSAGE		(CODE a TS_E_* of err.h)
 *
 * A connection carries one step.  When it closes before `end`, the
 * runner records the step broken: its recorder went away.
 */
#ifndef TLAB_STEPMSG_H
#define TLAB_STEPMSG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "strbuf.h"

#define STEPMSG_MAX (256 * 1024)	/* bytes in one message */
#define STEPMSG_MAXFIELDS 4096

/* Append one field. */
void stepmsg_add(struct strbuf *m, const char *field);
void stepmsg_addf(struct strbuf *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Split a received message into its fields (pointers into buf, which
 * must end with a NUL).  Returns the count, or -1 when it is malformed.
 */
int stepmsg_split(const char *buf, size_t len, const char **fields, int max);

/*
 * The socket address of the runner of (lab, flight, job): a name in the
 * abstract namespace made from the lab directory's device and inode, so
 * that every path to one lab gives one name.
 */
int stepmsg_address(const char *labdir, int64_t flight, const char *job,
    struct sockaddr_un *sa, socklen_t *len, struct strbuf *err);

/* Send m whole; receive one message into buf (NUL-terminated), bounded. */
int stepmsg_send(int fd, const struct strbuf *m, struct strbuf *err);
int stepmsg_recv(int fd, struct strbuf *buf, int64_t timeout_ms,
    struct strbuf *err);

#endif
