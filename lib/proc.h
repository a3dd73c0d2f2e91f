/*
 * proc: run a program as a child, wait for it with a bound, and kill it and
 * everything it started when the bound passes.
 *
 * After OpenBSD's timeout(1): a child started with new_group leads its own
 * process group, so a timeout signals the whole group (SIGTERM, then
 * SIGKILL after a grace), and grandchildren that outlive the child are
 * killed too.  The outcome keeps the raw wait status: a normal exit, a
 * signal and a timeout are three different facts.
 *
 * Waits are interruptible by the abort signals (SIGTERM, SIGINT, SIGHUP)
 * once proc_catch_abort() is in force: the signal is noted, not acted on,
 * and the wait returns TS_E_AGAIN so the caller can stop its children and
 * record what happened.
 */
#ifndef TLAB_PROC_H
#define TLAB_PROC_H

#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

#include "clock.h"
#include "strbuf.h"

struct proc {
	pid_t pid;
	int pidfd;		/* -1 when the kernel has no pidfd_open */
	int new_group;		/* pid is also the process group id */
	int reaped;
	int wstatus;
};

struct proc_opts {
	const char *const *argv;
	char *const *envp;	/* NULL: the caller's environment */
	const char *cwd;	/* NULL: the caller's */
	int fd_in, fd_out, fd_err;	/* -1: inherit */
	int new_group;		/* lead a new process group */
	int pdeathsig;		/* signal the child gets when we die; 0: none */
};

#define PROC_OPTS_INIT { NULL, NULL, NULL, -1, -1, -1, 0, 0 }

struct proc_result {
	int exited;		/* exited normally with code */
	int code;
	int signaled;		/* killed by sig */
	int sig;
	int timed_out;		/* we killed it: its deadline passed */
	int aborted;		/* we killed it: we were told to stop */
};

/*
 * Start opts->argv[0] (searched in PATH).  A program that cannot be run is
 * TS_E_INPUT ("COMMAND: No such file or directory"), reported from the
 * child through a close-on-exec pipe, so no zombie of it is left behind.
 */
int proc_spawn(struct proc *p, const struct proc_opts *opts, struct strbuf *err);

/*
 * Wait for p until dl passes (dl NULL: no bound).  When dl passes the group
 * (or the child) gets SIGTERM, then SIGKILL after grace_ms, and res says
 * timed_out.  When an abort signal arrives, the same is done and res says
 * aborted.  Stragglers of a group whose leader exited are killed as well.
 * Returns 0 with res filled, or TS_E_LAB.
 */
int proc_wait(struct proc *p, const struct deadline *dl, int64_t grace_ms,
    struct proc_result *res, struct strbuf *err);

/*
 * Wait until one of ps[0..n) exits or timeout_ms passes.  Returns the index
 * of a finished process (reaped: see proc_result_of), -1 on timeout and
 * TS_E_AGAIN when an abort signal arrived.
 */
int proc_wait_any(struct proc **ps, int n, int64_t timeout_ms);

/*
 * Wait up to timeout_ms for p to exit while copying what arrives on fd
 * (the read end of p's output pipe) to on_data.  1: p exited (reaped; what
 * was left in the pipe has been passed on), 0: timeout, TS_E_AGAIN: an
 * abort signal arrived.
 */
int proc_wait_io(struct proc *p, int fd,
    void (*on_data)(const char *buf, size_t n, void *ctx), void *ctx,
    int64_t timeout_ms);

/*
 * ppoll on pfd for up to timeout_ms with the abort signals let through
 * (an abort cuts it short: see proc_aborted).  The number of ready
 * descriptors; 0 when interrupted.
 */
int proc_poll(struct pollfd *pfd, int n, int64_t timeout_ms);

/* Has p exited?  Reaps it when so (then proc_result_of says how). */
int proc_reaped(struct proc *p);

/* Is nothing left of p's process group?  (Reaps its zombies of ours.) */
int proc_group_gone(struct proc *p);

/*
 * Pass on to on_data what the non-blocking fd holds now.  0 at end of
 * file, 1 when it may have more later.
 */
int proc_drain(int fd, void (*on_data)(const char *buf, size_t n, void *ctx),
    void *ctx);

/* Fill res from a reaped p. */
void proc_result_of(const struct proc *p, struct proc_result *res);

/* Signal p's group (or p alone); SIGKILL after grace_ms if it lingers. */
void proc_stop(struct proc *p, int64_t grace_ms);

/*
 * Get sig when our parent dies (PR_SET_PDEATHSIG): a step whose recipe is
 * gone stops its program instead of running on unwatched.  With sig one of
 * the abort signals caught by proc_catch_abort, that is an abort.
 */
void proc_die_with_parent(int sig);

/*
 * Make orphaned descendants our children (PR_SET_CHILD_SUBREAPER), so that
 * what is left of a killed process group is reaped by us, at once, rather
 * than by whatever init the machine has.
 */
void proc_subreaper(void);

/* The directory of the running binary (from /proc/self/exe), or NULL. */
const char *proc_self_dir(void);

/* Send sig to p's group (or p alone). */
void proc_signal(struct proc *p, int sig);

void proc_release(struct proc *p);

/*
 * "exit status 0", "exit status 137 (killed by signal 9, Killed)": the
 * code a shell would see, and what it means.  Callers add a timeout or an
 * abort themselves.
 */
void proc_describe(const struct proc_result *res, struct strbuf *sb);
/* The exit code a wrapper passes up: the code, or 128+signal. */
int proc_exit_code(const struct proc_result *res);

/*
 * Abort signals.  proc_catch_abort() blocks SIGTERM, SIGINT and SIGHUP and
 * installs a handler that records them; the waits above unblock them while
 * sleeping.  proc_aborted() gives the signal received, or 0.
 */
void proc_catch_abort(void);
int proc_aborted(void);
/* Sleep up to ms, waking early on an abort signal (returns TS_E_AGAIN). */
int proc_sleep(int64_t ms);

/*
 * Who a process is, surviving pid reuse and reboots: "BOOTID:STARTTIME".
 * proc_alive says whether pid on this machine still has that token.
 */
void proc_token(pid_t pid, struct strbuf *sb);
int proc_alive(pid_t pid, const char *token);
/* This machine's name, for the runner_host columns. */
const char *proc_hostname(void);

#endif
