/*
 * logs: what a job's hosts had to say, fetched into the job's log
 * directory when the job ends (ts-logs-capture), as OSSTEST's
 * ts-logs-capture does.
 *
 * From each host, into LAB/logs/FLIGHT/JOB/HOST/: its console first (the
 * host property console: file:PATH, a file on this machine, or
 * cmd:TEMPLATE, a command run here whose output is the console), before
 * anything is done to the host; then over SSH its kernel log (dmesg.txt),
 * its journal (journal.txt, or /var/log/syslog where there is no
 * journalctl), every regular file under /var/log/xen, and xl dmesg
 * (xl-dmesg.txt) where there is xl.  What is a command's output is
 * NAME.txt; a file fetched keeps its path under HOST/ (var/log/xen/...).
 *
 * A host that cannot be reached at all (no connection, or one lost before
 * anything came) is power-cycled and, once it answers again, tried once
 * more.  Each item is bounded on its own; an item that fails does not stop
 * the others.  What is optional and absent (no xl, no /var/log/xen, neither
 * journalctl nor /var/log/syslog, no console property) is said, not
 * counted as missing.
 */
#ifndef TLAB_LOGS_H
#define TLAB_LOGS_H

#include <stdint.h>

#include "lab.h"
#include "strvec.h"

/* Defaults of ts-logs-capture's bounds. */
#define LOGS_ITEM_TIMEOUT_MS (300LL * 1000)
#define LOGS_BOOT_TIMEOUT_MS (600LL * 1000)

struct logs_opts {
	int64_t item_timeout_ms;	/* each item: a command, a copy, /var/log/xen */
	int64_t boot_timeout_ms;	/* after a power cycle, for SSH to answer */
	int err_fd;	/* where hosts' and console commands' stderr goes; -1: nowhere */
	/* A line for the step's log as things happen (what came, notes). */
	void (*say)(const char *line, void *ctx);
	void *ctx;
};

#define LOGS_OPTS_INIT { LOGS_ITEM_TIMEOUT_MS, LOGS_BOOT_TIMEOUT_MS, -1, NULL, NULL }

/*
 * The host idents of a job: its runvars host and *_host, by name (none is
 * no error: a job may end before it has hosts).
 */
int logs_job_idents(struct lab *lab, int64_t flight, const char *job,
    struct strvec *idents, struct strbuf *err);

/*
 * Capture every host named by the job's runvars idents.  Each item that
 * could not be fetched is one line in missing ("host bedbug: dmesg:
 * exit status 1").  0 when everything came; TS_E_LAB when something is
 * missing; TS_E_INPUT when an ident is not set or names no host of the
 * lab (the other hosts are captured all the same).
 */
int logs_capture(struct lab *lab, int64_t flight, const char *job,
    const char *const *idents, const struct logs_opts *o,
    struct strvec *missing, struct strbuf *err);

#endif
