/*
 * log: the lab's log files.
 *
 * Each job has a directory logs/FLIGHT/JOB/ holding job.log (the runner's
 * own lines and the recipe's output) and one file per step,
 * STEPNO.NAME.log, which gets the step's whole output between a first line
 * naming the command and a last line giving the UTC time and the exit
 * status, as OSSTEST's logs end.  Lines written by tlab itself start with
 * the UTC time ("2026-11-29 03:52:43 Z ...").  lab_log_dir (lab.h) names
 * and makes a job's directory.
 */
#ifndef TLAB_LOG_H
#define TLAB_LOG_H

#include <stdint.h>

#include "strbuf.h"

/* Open path for appending (made 0644 if missing); the fd, or an error. */
int log_open(const char *path, struct strbuf *err);

/* Write one line, "UTC-TIME text", to fd in a single write. */
void log_line(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
