/*
 * proc: spawn, wait with a bound, kill a process group.  See proc.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "err.h"
#include "proc.h"
#include "xalloc.h"
#include "banned.h"

extern char **environ;

static volatile sig_atomic_t abort_sig;
static int abort_caught;

static void
on_abort(int sig)
{
	if (abort_sig == 0)
		abort_sig = sig;
}

static void
abort_set(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
}

void
proc_catch_abort(void)
{
	struct sigaction sa;
	sigset_t set;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_abort;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	abort_set(&set);
	sigprocmask(SIG_BLOCK, &set, NULL);
	abort_caught = 1;
}

int
proc_aborted(void)
{
	struct timespec zero = { 0, 0 };
	sigset_t set;
	int sig;

	if (abort_sig == 0 && abort_caught) {
		/* Blocked and pending: take it now rather than at the next wait. */
		abort_set(&set);
		if ((sig = sigtimedwait(&set, NULL, &zero)) > 0)
			abort_sig = sig;
	}
	return abort_sig;
}

/* The mask to sleep with: ours, with the abort signals let through. */
static void
wait_mask(sigset_t *mask)
{
	sigprocmask(SIG_SETMASK, NULL, mask);
	if (abort_caught) {
		sigdelset(mask, SIGTERM);
		sigdelset(mask, SIGINT);
		sigdelset(mask, SIGHUP);
	}
}

static int
ms_to_ts(int64_t ms, struct timespec *ts)
{
	if (ms == INT64_MAX || ms < 0)
		return 0;
	ts->tv_sec = ms / 1000;
	ts->tv_nsec = (ms % 1000) * 1000000;
	return 1;
}

int
proc_sleep(int64_t ms)
{
	int64_t until = clock_now_ms() + ms;
	struct timespec ts;
	sigset_t mask;

	wait_mask(&mask);
	for (;;) {
		int64_t left = until - clock_now_ms();

		if (proc_aborted())
			return TS_E_AGAIN;
		if (left <= 0)
			return 0;
		ms_to_ts(left, &ts);
		(void)ppoll(NULL, 0, &ts, &mask);
	}
}

static int
pidfd_open_compat(pid_t pid)
{
#ifdef SYS_pidfd_open
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);

	if (fd >= 0)
		(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	return fd;
#else
	(void)pid;
	return -1;
#endif
}

enum { SPAWN_DUP = 1, SPAWN_CHDIR, SPAWN_EXEC };

static void __attribute__((noreturn))
child(const struct proc_opts *o, pid_t parent, int errfd)
{
	struct sigaction sa;
	sigset_t none;
	int e[2];

	if (o->new_group)
		setpgid(0, 0);
	if (o->pdeathsig) {
		prctl(PR_SET_PDEATHSIG, o->pdeathsig);
		if (getppid() != parent)	/* the parent died before prctl */
			_exit(128 + o->pdeathsig);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* What failed goes back to the parent: which stage, then errno. */
	e[0] = SPAWN_DUP;
	if ((o->fd_in >= 0 && dup2(o->fd_in, 0) < 0) ||
	    (o->fd_out >= 0 && dup2(o->fd_out, 1) < 0) ||
	    (o->fd_err >= 0 && dup2(o->fd_err, 2) < 0))
		goto fail;
	e[0] = SPAWN_CHDIR;
	if (o->cwd != NULL && chdir(o->cwd) < 0)
		goto fail;
	e[0] = SPAWN_EXEC;
	execvpe(o->argv[0], (char *const *)o->argv,
	    o->envp != NULL ? o->envp : environ);
fail:
	e[1] = errno;
	(void)!write(errfd, e, sizeof(e));
	_exit(e[1] == ENOENT ? 127 : 126);
}

int
proc_spawn(struct proc *p, const struct proc_opts *o, struct strbuf *err)
{
	pid_t parent = getpid();
	int ep[2], e[2] = { 0, 0 };
	ssize_t n;

	memset(p, 0, sizeof(*p));
	p->pidfd = -1;
	if (pipe2(ep, O_CLOEXEC) < 0)
		return err_errno(err, TS_E_LAB, "pipe");
	/*
	 * vfork: no copy of our memory to make and then fault on, which is
	 * a good part of what a step costs.  child() only makes system calls
	 * and never returns; the abort signals are blocked meanwhile.
	 */
	p->pid = vfork();
	if (p->pid < 0) {
		close(ep[0]);
		close(ep[1]);
		return err_errno(err, TS_E_LAB, "vfork");
	}
	if (p->pid == 0)
		child(o, parent, ep[1]);
	close(ep[1]);
	p->new_group = o->new_group;
	if (o->new_group)
		setpgid(p->pid, p->pid);	/* both sides: no race with killpg */
	while ((n = read(ep[0], e, sizeof(e))) < 0 && errno == EINTR)
		;
	close(ep[0]);
	if (n == sizeof(e)) {
		int rc = e[1] == ENOENT || e[1] == EACCES || e[1] == ENOTDIR ?
		    TS_E_INPUT : TS_E_LAB;

		while (waitpid(p->pid, NULL, 0) < 0 && errno == EINTR)
			;
		p->reaped = 1;
		errno = e[1];
		if (e[0] == SPAWN_CHDIR)
			return err_errno(err, rc, "%s: chdir %s", o->argv[0], o->cwd);
		if (e[0] == SPAWN_DUP)
			return err_errno(err, TS_E_LAB, "%s: dup2", o->argv[0]);
		return err_errno(err, rc, "%s", o->argv[0]);
	}
	p->pidfd = pidfd_open_compat(p->pid);
	return 0;
}

static int
try_reap(struct proc *p, int flags)
{
	pid_t r;

	if (p->reaped)
		return 1;
	while ((r = waitpid(p->pid, &p->wstatus, flags)) < 0 && errno == EINTR)
		;
	if (r == p->pid) {
		p->reaped = 1;
		return 1;
	}
	return 0;
}

/*
 * Wait up to ms (INT64_MAX: no bound) for p to exit.  1: reaped, 0: still
 * running after ms, TS_E_AGAIN: an abort signal came (when interruptible).
 */
static int
wait_exit(struct proc *p, int64_t ms, int interruptible)
{
	int64_t until = ms == INT64_MAX ? INT64_MAX : clock_now_ms() + ms;
	struct pollfd pfd;
	struct timespec ts;
	sigset_t mask;

	wait_mask(&mask);
	if (!interruptible)
		sigprocmask(SIG_SETMASK, NULL, &mask);
	for (;;) {
		int64_t left, slice;

		if (try_reap(p, WNOHANG))
			return 1;
		if (interruptible && proc_aborted())
			return TS_E_AGAIN;
		left = until == INT64_MAX ? INT64_MAX : until - clock_now_ms();
		if (left <= 0)
			return 0;
		if (p->pidfd >= 0) {
			pfd.fd = p->pidfd;
			pfd.events = POLLIN;
			slice = left;
		} else {
			slice = left < 20 ? left : 20;	/* no pidfd: poll waitpid */
		}
		ms_to_ts(slice, &ts);
		(void)ppoll(p->pidfd >= 0 ? &pfd : NULL, p->pidfd >= 0 ? 1 : 0,
		    slice == INT64_MAX ? NULL : &ts, &mask);
	}
}

void
proc_signal(struct proc *p, int sig)
{
	if (p->new_group)
		(void)kill(-p->pid, sig);
	else if (!p->reaped)
		(void)kill(p->pid, sig);
}

/*
 * Does the group have a member that is not a zombie?  Zombies that are
 * not our children wait for an init that may be slow to reap them; they
 * hold nothing, so they do not count.
 */
static int
group_has_live(pid_t pgid)
{
	struct strbuf path = STRBUF_INIT, stat = STRBUF_INIT;
	struct dirent *d;
	DIR *dir;
	int live = 0;

	if ((dir = opendir("/proc")) == NULL)
		return 1;
	while (!live && (d = readdir(dir)) != NULL) {
		const char *p;
		long pg;

		if (d->d_name[0] < '1' || d->d_name[0] > '9')
			continue;
		strbuf_reset(&path);
		strbuf_reset(&stat);
		strbuf_addf(&path, "/proc/%s/stat", d->d_name);
		if (strbuf_read_file(&stat, path.buf) < 0 ||
		    (p = strrchr(stat.buf, ')')) == NULL || p[1] != ' ')
			continue;
		/* ") S PPID PGRP ...": state at p[2], the group two fields on. */
		if (sscanf(p + 4, "%*d %ld", &pg) == 1 && pg == (long)pgid &&
		    p[2] != 'Z')
			live = 1;
	}
	closedir(dir);
	strbuf_release(&path);
	strbuf_release(&stat);
	return live;
}

/*
 * Is anything of the group left?  Zombies of it that are our children
 * (all of them, once we are a subreaper) are reaped first: a dead process
 * waiting for its parent still counts for kill(-pgid, 0), and an init that
 * reaps slowly would make a finished group look alive.
 */
static void
reap_group(pid_t pgid)
{
	siginfo_t si;

	for (;;) {
		memset(&si, 0, sizeof(si));
		if (waitid(P_PGID, (id_t)pgid, &si, WEXITED | WNOHANG) < 0 ||
		    si.si_pid == 0)
			break;
	}
}

static int
group_alive(pid_t pgid)
{
	reap_group(pgid);
	if (kill(-pgid, 0) < 0 && errno != EPERM)
		return 0;
	if (group_has_live(pgid))
		return 1;
	reap_group(pgid);	/* what died while we looked */
	return 0;
}

void
proc_die_with_parent(int sig)
{
	pid_t parent = getppid();

	(void)prctl(PR_SET_PDEATHSIG, sig);
	/* The parent may have died before prctl: then act now. */
	if (getppid() != parent)
		(void)raise(sig);
}

void
proc_subreaper(void)
{
	(void)prctl(PR_SET_CHILD_SUBREAPER, 1);
}

/* After the leader exited: TERM what is left of its group, then KILL. */
static void
kill_stragglers(struct proc *p, int64_t grace_ms)
{
	int64_t until;

	if (!p->new_group || !group_alive(p->pid))
		return;
	(void)kill(-p->pid, SIGTERM);
	until = clock_now_ms() + grace_ms;
	while (group_alive(p->pid) && clock_now_ms() < until)
		clock_sleep_ms(10);
	if (group_alive(p->pid))
		(void)kill(-p->pid, SIGKILL);
}

void
proc_stop(struct proc *p, int64_t grace_ms)
{
	if (!p->reaped) {
		proc_signal(p, SIGTERM);
		/* SIGCONT too: a stopped process cannot act on SIGTERM. */
		proc_signal(p, SIGCONT);
		if (wait_exit(p, grace_ms, 0) != 1) {
			proc_signal(p, SIGKILL);
			(void)try_reap(p, 0);
		}
	}
	kill_stragglers(p, grace_ms);
}

void
proc_result_of(const struct proc *p, struct proc_result *res)
{
	memset(res, 0, sizeof(*res));
	if (WIFEXITED(p->wstatus)) {
		res->exited = 1;
		res->code = WEXITSTATUS(p->wstatus);
	} else if (WIFSIGNALED(p->wstatus)) {
		res->signaled = 1;
		res->sig = WTERMSIG(p->wstatus);
	}
}

int
proc_wait(struct proc *p, const struct deadline *dl, int64_t grace_ms,
    struct proc_result *res, struct strbuf *err)
{
	int r = wait_exit(p, dl != NULL ? deadline_left(dl) : INT64_MAX, 1);
	int timed_out = r == 0, aborted = r == TS_E_AGAIN;

	if (r == 1)
		kill_stragglers(p, grace_ms);
	else
		proc_stop(p, grace_ms);
	if (!p->reaped)
		return err_setf(err, TS_E_LAB, "process %d: could not be reaped",
		    (int)p->pid);
	proc_result_of(p, res);
	res->timed_out = timed_out;
	res->aborted = aborted;
	return 0;
}

int
proc_wait_any(struct proc **ps, int n, int64_t timeout_ms)
{
	int64_t until = timeout_ms == INT64_MAX ? INT64_MAX : clock_now_ms() + timeout_ms;
	struct pollfd *pfd = xcalloc((size_t)n + 1, sizeof(*pfd));
	struct timespec ts;
	sigset_t mask;
	int i, r = -1, polling = 0;

	wait_mask(&mask);
	for (;;) {
		int64_t left;
		int np = 0;

		for (i = 0; i < n; i++)
			if (ps[i]->reaped || try_reap(ps[i], WNOHANG)) {
				r = i;
				goto out;
			}
		if (proc_aborted()) {
			r = TS_E_AGAIN;
			goto out;
		}
		left = until == INT64_MAX ? INT64_MAX : until - clock_now_ms();
		if (left <= 0)
			goto out;
		for (i = 0; i < n; i++) {
			if (ps[i]->pidfd < 0) {
				polling = 1;
				continue;
			}
			pfd[np].fd = ps[i]->pidfd;
			pfd[np].events = POLLIN;
			np++;
		}
		if (polling && left > 20)
			left = 20;
		ms_to_ts(left, &ts);
		(void)ppoll(pfd, (nfds_t)np, left == INT64_MAX ? NULL : &ts, &mask);
	}
out:
	free(pfd);
	return r;
}

int
proc_poll(struct pollfd *pfd, int n, int64_t timeout_ms)
{
	struct timespec ts;
	sigset_t mask;
	int r;

	wait_mask(&mask);
	ms_to_ts(timeout_ms, &ts);
	r = ppoll(pfd, (nfds_t)n, timeout_ms == INT64_MAX ? NULL : &ts, &mask);
	if (r < 0) {
		/* Interrupted: nothing is ready. */
		for (r = 0; r < n; r++)
			pfd[r].revents = 0;
		return 0;
	}
	return r;
}

int
proc_reaped(struct proc *p)
{
	return try_reap(p, WNOHANG);
}

int
proc_group_gone(struct proc *p)
{
	return !p->new_group || !group_alive(p->pid);
}

int
proc_drain(int fd, void (*on_data)(const char *, size_t, void *), void *ctx)
{
	char buf[8192];
	ssize_t n;

	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n > 0) {
			on_data(buf, (size_t)n, ctx);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		return n == 0 ? 0 : 1;
	}
}

int
proc_wait_io(struct proc *p, int fd,
    void (*on_data)(const char *buf, size_t n, void *ctx), void *ctx,
    int64_t timeout_ms)
{
	int64_t until = timeout_ms == INT64_MAX ? INT64_MAX : clock_now_ms() + timeout_ms;
	struct pollfd pfd[2];
	struct timespec ts;
	sigset_t mask;
	int fl = fcntl(fd, F_GETFL);

	if (fl >= 0 && !(fl & O_NONBLOCK))
		(void)fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	wait_mask(&mask);
	for (;;) {
		int64_t left;
		int np = 0;

		if (fd >= 0 && proc_drain(fd, on_data, ctx) == 0)
			fd = -1;	/* every writer closed it */
		if (try_reap(p, WNOHANG)) {
			if (fd >= 0)
				(void)proc_drain(fd, on_data, ctx);
			return 1;
		}
		if (proc_aborted())
			return TS_E_AGAIN;
		left = until == INT64_MAX ? INT64_MAX : until - clock_now_ms();
		if (left <= 0)
			return 0;
		if (fd >= 0) {
			pfd[np].fd = fd;
			pfd[np++].events = POLLIN;
		}
		if (p->pidfd >= 0) {
			pfd[np].fd = p->pidfd;
			pfd[np++].events = POLLIN;
		} else if (left > 20) {
			left = 20;
		}
		ms_to_ts(left, &ts);
		(void)ppoll(pfd, (nfds_t)np, left == INT64_MAX ? NULL : &ts, &mask);
	}
}

const char *
proc_self_dir(void)
{
	static char dir[4096];
	ssize_t n;
	char *slash;

	if (dir[0] != '\0')
		return dir;
	n = readlink("/proc/self/exe", dir, sizeof(dir) - 1);
	if (n <= 0)
		return NULL;
	dir[n] = '\0';
	if ((slash = strrchr(dir, '/')) == NULL) {
		dir[0] = '\0';
		return NULL;
	}
	*slash = '\0';
	return dir;
}

void
proc_release(struct proc *p)
{
	if (p->pidfd >= 0)
		close(p->pidfd);
	p->pidfd = -1;
}

void
proc_describe(const struct proc_result *res, struct strbuf *sb)
{
	if (res->exited)
		strbuf_addf(sb, "exit status %d", res->code);
	else if (res->signaled)
		strbuf_addf(sb, "exit status %d (killed by signal %d, %s)",
		    128 + res->sig, res->sig, strsignal(res->sig));
	else
		strbuf_addstr(sb, "exit status unknown");
}

int
proc_exit_code(const struct proc_result *res)
{
	if (res->exited)
		return res->code;
	if (res->signaled)
		return 128 + res->sig;
	return 255;
}

static void
boot_id(struct strbuf *sb)
{
	static char id[64];

	if (id[0] == '\0') {
		struct strbuf b = STRBUF_INIT;

		if (strbuf_read_file(&b, "/proc/sys/kernel/random/boot_id") == 0) {
			strbuf_rtrim(&b);
			if (b.len < sizeof(id))
				memcpy(id, b.buf, b.len + 1);
		}
		strbuf_release(&b);
		if (id[0] == '\0')
			memcpy(id, "noboot", 7);
	}
	strbuf_addstr(sb, id);
}

/* Read state (field 3) and starttime (field 22) of /proc/PID/stat. */
static int
read_stat(pid_t pid, char *state, struct strbuf *start)
{
	struct strbuf path = STRBUF_INIT, stat = STRBUF_INIT;
	const char *p;
	int field, rc = -1;

	strbuf_addf(&path, "/proc/%d/stat", (int)pid);
	if (strbuf_read_file(&stat, path.buf) == 0 &&
	    (p = strrchr(stat.buf, ')')) != NULL && p[1] == ' ') {
		*state = p[2];
		/* Fields 3.. follow the ") "; count spaces up to field 22. */
		for (field = 2; *p != '\0' && field < 22; p++)
			if (*p == ' ')
				field++;
		strbuf_add(start, p, strcspn(p, " "));
		rc = 0;
	}
	strbuf_release(&path);
	strbuf_release(&stat);
	return rc;
}

void
proc_token(pid_t pid, struct strbuf *sb)
{
	char state;

	boot_id(sb);
	strbuf_addch(sb, ':');
	(void)read_stat(pid, &state, sb);
}

int
proc_alive(pid_t pid, const char *token)
{
	struct strbuf now = STRBUF_INIT;
	char state = '?';
	int alive;

	if (pid <= 0 || (kill(pid, 0) < 0 && errno == ESRCH))
		return 0;
	boot_id(&now);
	strbuf_addch(&now, ':');
	if (read_stat(pid, &state, &now) < 0)
		alive = 0;
	else
		alive = state != 'Z' && (token == NULL || strcmp(now.buf, token) == 0);
	strbuf_release(&now);
	return alive;
}

const char *
proc_hostname(void)
{
	static char name[256];

	if (name[0] == '\0' && gethostname(name, sizeof(name) - 1) < 0)
		memcpy(name, "localhost", 10);
	return name;
}
