/*
 * stepd: the runner's side of stepmsg.h: while ts-run-job runs a job it
 * listens for the job's ts-steps and records their steps for them.
 *
 * The runner watches stepd's file descriptors with its own (stepd_pollfds)
 * and lets stepd serve what is ready (stepd_serve).  A connection is one
 * step; one that closes before its end was reported leaves the step
 * broken.  Only processes of the runner's own user are served.
 */
#ifndef TLAB_STEPD_H
#define TLAB_STEPD_H

#include <poll.h>
#include <stdint.h>

#include "lab.h"

struct stepd_conn;

struct stepd {
	struct lab *lab;
	int64_t flight;
	char *job;
	int lfd;
	struct stepd_conn *c;
	size_t n, alloc;
};

/* Listen for flight's job; TS_E_LAB when another runner already does. */
int stepd_open(struct stepd *sd, struct lab *lab, int64_t flight,
    const char *job, struct strbuf *err);

/* The descriptors to watch, into pfd[0..max); returns how many. */
int stepd_pollfds(const struct stepd *sd, struct pollfd *pfd, int max);

/* Serve what is ready among pfd[0..n), as stepd_pollfds filled them. */
void stepd_serve(struct stepd *sd, const struct pollfd *pfd, int n);

/* How many ts-steps are connected now. */
size_t stepd_busy(const struct stepd *sd);

/* Stop listening; steps still open are recorded broken. */
void stepd_close(struct stepd *sd);

#endif
