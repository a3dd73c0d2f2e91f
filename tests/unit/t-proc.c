/*
 * t-proc: unit tests of lib/proc: spawning, exit codes and signals kept
 * apart, a program that cannot be run, timeouts that kill the whole
 * process group, stragglers of a group, process tokens, waiting for any of
 * several, waiting while passing on output, and the abort signals.
 *
 * The test makes itself a child subreaper (proc_subreaper, as the job
 * runner does), so that a grandchild orphaned by its shell comes to it and
 * not to an init that may never reap it: kill(pid, 0) also succeeds on a
 * zombie, so "gone" can only be checked where zombies are reaped.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "err.h"
#include "proc.h"
#include "tap.h"

static char dir[] = "/tmp/t-proc.XXXXXX";

/* Spawn argv, wait with no bound; 0 with res, or the error code. */
static int
run(const char *const *argv, struct proc_result *res, struct strbuf *err)
{
	struct proc_opts o = PROC_OPTS_INIT;
	struct proc p;
	int rc;

	o.argv = argv;
	memset(res, 0, sizeof(*res));
	if ((rc = proc_spawn(&p, &o, err)) < 0)
		return rc;
	rc = proc_wait(&p, NULL, 1000, res, err);
	proc_release(&p);
	return rc;
}

/* The pid a shell wrote into path, waiting a little for it; 0 if none. */
static pid_t
read_pid(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	pid_t pid = 0;
	int i;

	for (i = 0; i < 200 && pid == 0; i++) {
		strbuf_reset(&sb);
		if (strbuf_read_file(&sb, path) == 0 && sb.len > 0 &&
		    sb.buf[sb.len - 1] == '\n')
			pid = (pid_t)atoi(sb.buf);
		else
			clock_sleep_ms(10);
	}
	strbuf_release(&sb);
	return pid;
}

/*
 * Is orphan pid gone?  As a subreaper we are its parent once its shell
 * has exited: lib/proc reaps what is left of a group it killed, and a
 * zombie it left (killed after its last look) we reap here.  Polls up to
 * a second; if it still runs after that, kill it ourselves so that the
 * test leaves nothing behind.  1: gone, 0: it was still running.
 */
static int
orphan_gone(pid_t pid)
{
	int st, i;

	for (i = 0; i < 100; i++) {
		if (kill(pid, 0) < 0 && errno == ESRCH)
			return 1;
		if (waitpid(pid, &st, WNOHANG) == pid)
			return WIFSIGNALED(st);
		clock_sleep_ms(10);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return 0;
}

static void
test_exit_codes(void)
{
	const char *t[] = { "true", NULL };
	const char *f[] = { "false", NULL };
	const char *seven[] = { "sh", "-c", "exit 7", NULL };
	const char *nine[] = { "sh", "-c", "kill -9 $$", NULL };
	struct strbuf err = STRBUF_INIT, d = STRBUF_INIT;
	struct proc_result res;

	is_int(run(t, &res, &err), 0, "true: spawned and waited");
	ok(res.exited && res.code == 0 && !res.signaled && !res.timed_out,
	    "true: exited 0");
	is_int(proc_exit_code(&res), 0, "true: proc_exit_code 0");
	proc_describe(&res, &d);
	is(d.buf, "exit status 0", "true: described as exit status 0");

	is_int(run(f, &res, &err), 0, "false: spawned and waited");
	ok(res.exited && res.code == 1 && !res.signaled, "false: exited 1");

	is_int(run(seven, &res, &err), 0, "sh -c 'exit 7': spawned and waited");
	ok(res.exited && res.code == 7 && !res.signaled, "sh -c 'exit 7': exited 7");
	is_int(proc_exit_code(&res), 7, "proc_exit_code 7");
	strbuf_reset(&d);
	proc_describe(&res, &d);
	is(d.buf, "exit status 7", "described as exit status 7");

	is_int(run(nine, &res, &err), 0, "sh -c 'kill -9 $$': spawned and waited");
	ok(res.signaled && res.sig == 9 && !res.exited,
	    "a signal is a signal, not an exit (signaled %d, sig %d, exited %d)",
	    res.signaled, res.sig, res.exited);
	ok(!res.timed_out && !res.aborted, "not a timeout, not an abort");
	is_int(proc_exit_code(&res), 137, "proc_exit_code of signal 9 is 137");
	strbuf_reset(&d);
	proc_describe(&res, &d);
	like(d.buf, "killed by signal 9", "described as killed by signal 9");
	like(d.buf, "Killed", "with the signal's name");

	memset(&res, 0, sizeof(res));
	strbuf_reset(&d);
	proc_describe(&res, &d);
	like(d.buf, "unknown", "a result with neither exit nor signal is unknown");
	is_int(proc_exit_code(&res), 255, "and its exit code is 255");

	strbuf_release(&err);
	strbuf_release(&d);
}

static void
test_cannot_run(void)
{
	const char *missing[] = { "tlab-no-such-program-xyz", "arg", NULL };
	const char *noexec[2] = { NULL, NULL };
	struct strbuf err = STRBUF_INIT, path = STRBUF_INIT;
	struct proc_opts o = PROC_OPTS_INIT;
	struct proc p;
	FILE *f;
	int rc;

	o.argv = missing;
	rc = proc_spawn(&p, &o, &err);
	is_int(rc, TS_E_INPUT, "a missing program is bad input");
	like(err.buf, "tlab-no-such-program-xyz", "the message names the program");
	like(err.buf, "No such file", "the message says why");
	ok(p.reaped, "the child that could not exec is reaped");
	errno = 0;
	ok(waitpid(p.pid, NULL, WNOHANG) < 0 && errno == ECHILD,
	    "no zombie of it is left");
	proc_release(&p);

	/* A working directory that is not there: the message must say so. */
	{
		const char *t[] = { "true", NULL };

		o.argv = t;
		o.cwd = "/nonexistent-dir-of-t-proc";
		rc = proc_spawn(&p, &o, &err);
		is_int(rc, TS_E_INPUT, "a missing working directory is bad input");
		like(err.buf, "/nonexistent-dir-of-t-proc",
		    "the message names the directory, not the program");
		if (rc == 0) {
			struct proc_result res;

			proc_wait(&p, NULL, 1000, &res, &err);
		}
		proc_release(&p);
		o.cwd = NULL;
	}

	strbuf_addf(&path, "%s/not-executable", dir);
	f = fopen(path.buf, "w");
	fputs("#!/bin/sh\nexit 0\n", f);
	fclose(f);
	chmod(path.buf, 0644);
	noexec[0] = path.buf;
	o.argv = noexec;
	rc = proc_spawn(&p, &o, &err);
	if (rc == 0) {
		struct proc_result res;

		proc_wait(&p, NULL, 1000, &res, &err);
	}
	is_int(rc, TS_E_INPUT, "a file that is not executable is bad input");
	like(err.buf, path.buf, "the message names the file");
	like(err.buf, "Permission denied", "the message says why");
	proc_release(&p);
	unlink(path.buf);

	strbuf_release(&err);
	strbuf_release(&path);
}

static void
test_timeout(void)
{
	struct strbuf err = STRBUF_INIT, file = STRBUF_INIT, cmd = STRBUF_INIT;
	struct proc_opts o = PROC_OPTS_INIT;
	const char *argv[] = { "sh", "-c", NULL, NULL };
	struct proc_result res;
	struct deadline dl;
	struct proc p;
	int64_t t0, took;
	pid_t bg;
	int rc;

	strbuf_addf(&file, "%s/bg.pid", dir);
	strbuf_addf(&cmd, "sleep 100 & echo $! > '%s'; sleep 100", file.buf);
	argv[2] = cmd.buf;
	o.argv = argv;
	o.new_group = 1;
	t0 = clock_now_ms();
	deadline_in(&dl, 300, "test command");
	rc = proc_spawn(&p, &o, &err);
	is_int(rc, 0, "spawned sh with a background sleep, in a new group");
	bg = read_pid(file.buf);
	ok(bg > 0, "the background sleep's pid was written (%d)", (int)bg);
	rc = proc_wait(&p, &dl, 1000, &res, &err);
	took = clock_now_ms() - t0;
	is_int(rc, 0, "proc_wait returns 0 on a timeout");
	ok(res.timed_out, "timed_out is set");
	ok(!res.aborted, "aborted is not");
	ok(res.signaled && res.sig == SIGTERM,
	    "the shell was ended by SIGTERM (signaled %d, sig %d)", res.signaled,
	    res.sig);
	ok(took >= 300 && took < 3000, "it waited the 300 ms, not much more (%lld ms)",
	    (long long)took);
	if (bg > 0) {
		ok(orphan_gone(bg), "the background sleep of the group was killed too");
		ok(kill(bg, 0) < 0 && errno == ESRCH, "the background sleep is gone");
	}
	ok(kill(-p.pid, 0) < 0 && errno == ESRCH, "nothing is left of the group");
	proc_release(&p);
	deadline_release(&dl);
	unlink(file.buf);

	strbuf_release(&err);
	strbuf_release(&file);
	strbuf_release(&cmd);
}

static void
test_stragglers(void)
{
	struct strbuf err = STRBUF_INIT, file = STRBUF_INIT, cmd = STRBUF_INIT;
	struct proc_opts o = PROC_OPTS_INIT;
	const char *argv[] = { "sh", "-c", NULL, NULL };
	struct proc_result res;
	struct deadline dl;
	struct proc p;
	pid_t bg;
	int rc;

	strbuf_addf(&file, "%s/straggler.pid", dir);
	strbuf_addf(&cmd, "sleep 100 & echo $! > '%s'; exit 3", file.buf);
	argv[2] = cmd.buf;
	o.argv = argv;
	o.new_group = 1;
	deadline_in(&dl, 10000, "test command");
	rc = proc_spawn(&p, &o, &err);
	is_int(rc, 0, "spawned a group leader that leaves a background sleep");
	bg = read_pid(file.buf);
	ok(bg > 0, "the straggler's pid was written (%d)", (int)bg);
	rc = proc_wait(&p, &dl, 500, &res, &err);
	is_int(rc, 0, "proc_wait returns 0");
	ok(res.exited && res.code == 3, "the leader exited 3");
	ok(!res.timed_out, "not a timeout");
	if (bg > 0) {
		ok(orphan_gone(bg), "the straggler was killed");
		ok(kill(bg, 0) < 0 && errno == ESRCH, "the straggler is gone");
	}
	proc_release(&p);
	deadline_release(&dl);
	unlink(file.buf);

	strbuf_release(&err);
	strbuf_release(&file);
	strbuf_release(&cmd);
}

static void
test_token(void)
{
	const char *argv[] = { "true", NULL };
	struct strbuf me = STRBUF_INIT, child = STRBUF_INIT, err = STRBUF_INIT;
	struct proc_opts o = PROC_OPTS_INIT;
	struct proc_result res;
	struct proc p;
	const char *colon;

	proc_token(getpid(), &me);
	colon = strchr(me.buf, ':');
	ok(colon != NULL && colon > me.buf && colon[1] != '\0',
	    "proc_token is BOOTID:STARTTIME (%s)", me.buf);
	ok(proc_alive(getpid(), me.buf), "proc_alive: this process with its token");
	ok(proc_alive(getpid(), NULL), "proc_alive: this process, no token");
	ok(!proc_alive(getpid(), "noboot:1"), "proc_alive: this pid with a wrong token");
	{
		struct strbuf wrong = STRBUF_INIT;

		strbuf_add(&wrong, me.buf, (size_t)(colon - me.buf) + 1);
		strbuf_addstr(&wrong, "1");
		ok(!proc_alive(getpid(), wrong.buf),
		    "proc_alive: the right boot, a wrong start time");
		strbuf_release(&wrong);
	}
	ok(!proc_alive(0, NULL), "proc_alive: pid 0 is not a process");
	ok(!proc_alive(-1, NULL), "proc_alive: pid -1 is not a process");

	o.argv = argv;
	if (proc_spawn(&p, &o, &err) == 0) {
		proc_token(p.pid, &child);
		ok(strcmp(child.buf, me.buf) != 0, "a child has its own token");
		proc_wait(&p, NULL, 1000, &res, &err);
		ok(!proc_alive(p.pid, child.buf),
		    "proc_alive: a child after it was reaped is not alive");
		ok(!proc_alive(p.pid, NULL),
		    "proc_alive: a reaped child's pid, no token, is not alive");
		proc_release(&p);
	} else {
		ok(0, "spawn true: %s", err.buf);
	}

	strbuf_release(&me);
	strbuf_release(&child);
	strbuf_release(&err);
}

static void
test_zombie_not_alive(void)
{
	const char *argv[] = { "true", NULL };
	struct strbuf tok = STRBUF_INIT, err = STRBUF_INIT;
	struct proc_opts o = PROC_OPTS_INIT;
	struct proc_result res;
	struct proc p;
	int i;

	o.argv = argv;
	if (proc_spawn(&p, &o, &err) < 0) {
		ok(0, "spawn true: %s", err.buf);
		return;
	}
	proc_token(p.pid, &tok);
	/* Let it exit, but do not reap it yet: a zombie is not alive. */
	for (i = 0; i < 500; i++) {
		siginfo_t si;

		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, (id_t)p.pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0 ||
		    si.si_pid == p.pid)
			break;
		clock_sleep_ms(10);
	}
	ok(!p.reaped && kill(p.pid, 0) == 0, "the child is a zombie, not reaped yet");
	ok(!proc_alive(p.pid, tok.buf), "proc_alive: an exited, unreaped child is not alive");
	proc_wait(&p, NULL, 1000, &res, &err);
	proc_release(&p);
	strbuf_release(&tok);
	strbuf_release(&err);
}

static void
test_wait_any(void)
{
	const char *slow[] = { "sleep", "100", NULL };
	const char *fast[] = { "sh", "-c", "sleep 0.2; exit 5", NULL };
	struct strbuf err = STRBUF_INIT;
	struct proc_opts o = PROC_OPTS_INIT;
	struct proc a, b, c, *ps[3];
	struct proc_result res;
	int rc;

	o.argv = slow;
	proc_spawn(&a, &o, &err);
	proc_spawn(&c, &o, &err);
	o.argv = fast;
	proc_spawn(&b, &o, &err);
	ps[0] = &a;
	ps[1] = &b;
	ps[2] = &c;
	rc = proc_wait_any(ps, 3, 100);
	is_int(rc, -1, "proc_wait_any: -1 when none ends within the bound");
	rc = proc_wait_any(ps, 3, 10000);
	is_int(rc, 1, "proc_wait_any: the index of the one that exited");
	ok(b.reaped, "and it is reaped");
	proc_result_of(&b, &res);
	ok(res.exited && res.code == 5, "proc_result_of gives its exit 5");
	ok(!a.reaped && !c.reaped, "the others still run");
	rc = proc_wait_any(ps, 3, 0);
	is_int(rc, 1, "an already reaped one is found again at once");

	proc_stop(&a, 1000);
	proc_stop(&c, 1000);
	proc_result_of(&a, &res);
	ok(a.reaped && res.signaled && res.sig == SIGTERM, "proc_stop ends sleep by SIGTERM");
	proc_release(&a);
	proc_release(&b);
	proc_release(&c);
	strbuf_release(&err);
}

static void
collect(const char *buf, size_t n, void *ctx)
{
	strbuf_add(ctx, buf, n);
}

static void
test_wait_io(void)
{
	const char *talk[] = { "sh", "-c", "echo hello; echo world >&2; exit 4", NULL };
	const char *quiet[] = { "sleep", "100", NULL };
	const char *leaver[] = { "sh", "-c", "sleep 100 & echo hi", NULL };
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;
	struct proc_opts o = PROC_OPTS_INIT;
	struct proc_result res;
	struct proc p;
	int64_t t0;
	int fd[2], rc;

	if (pipe(fd) < 0) {
		ok(0, "pipe: %s", strerror(errno));
		return;
	}
	o.argv = talk;
	o.fd_out = fd[1];
	o.fd_err = fd[1];
	rc = proc_spawn(&p, &o, &err);
	close(fd[1]);
	is_int(rc, 0, "spawned sh with stdout and stderr on a pipe");
	rc = proc_wait_io(&p, fd[0], collect, &out, 5000);
	is_int(rc, 1, "proc_wait_io: 1 when it exited");
	is(out.buf, "hello\nworld\n", "proc_wait_io passed on all it wrote");
	proc_result_of(&p, &res);
	ok(res.exited && res.code == 4, "and it exited 4");
	proc_release(&p);
	close(fd[0]);

	strbuf_reset(&out);
	if (pipe(fd) < 0)
		return;
	o.argv = quiet;
	o.fd_err = -1;
	o.fd_out = fd[1];
	o.new_group = 1;
	rc = proc_spawn(&p, &o, &err);
	close(fd[1]);
	t0 = clock_now_ms();
	rc = proc_wait_io(&p, fd[0], collect, &out, 200);
	is_int(rc, 0, "proc_wait_io: 0 when the bound passes first");
	ok(clock_now_ms() - t0 >= 200, "after the 200 ms");
	proc_stop(&p, 1000);
	ok(p.reaped, "proc_stop ends and reaps it");
	proc_release(&p);
	close(fd[0]);

	/* A grandchild that keeps the pipe open must not hold up the wait. */
	strbuf_reset(&out);
	if (pipe(fd) < 0)
		return;
	o.argv = leaver;
	o.fd_out = fd[1];
	rc = proc_spawn(&p, &o, &err);
	close(fd[1]);
	t0 = clock_now_ms();
	rc = proc_wait_io(&p, fd[0], collect, &out, 5000);
	is_int(rc, 1, "proc_wait_io returns when the child exits");
	ok(clock_now_ms() - t0 < 3000,
	    "though a grandchild still holds the pipe open");
	is(out.buf, "hi\n", "what the child wrote was passed on");
	proc_result_of(&p, &res);
	proc_stop(&p, 1000);
	ok(kill(-p.pid, 0) < 0 && errno == ESRCH, "proc_stop ended the grandchild");
	proc_release(&p);
	close(fd[0]);

	strbuf_release(&err);
	strbuf_release(&out);
}

/* Last: proc_catch_abort changes this process for good. */
static void
test_abort(void)
{
	const char *argv[] = { "sh", "-c", "sleep 0.2; kill -TERM $PPID; sleep 100",
	    NULL };
	struct strbuf err = STRBUF_INIT;
	struct proc_opts o = PROC_OPTS_INIT;
	struct proc_result res;
	struct proc p, *ps[1];
	int64_t t0;
	int rc;

	proc_catch_abort();
	is_int(proc_aborted(), 0, "no abort signal yet");
	o.argv = argv;
	o.new_group = 1;
	rc = proc_spawn(&p, &o, &err);
	is_int(rc, 0, "spawned a child that sends us SIGTERM");
	t0 = clock_now_ms();
	rc = proc_wait(&p, NULL, 1000, &res, &err);
	is_int(rc, 0, "proc_wait returns 0 when told to stop");
	ok(res.aborted, "res says aborted");
	ok(!res.timed_out, "not timed out");
	ok(res.signaled && res.sig == SIGTERM, "the child was stopped by SIGTERM");
	ok(clock_now_ms() - t0 < 5000, "at once, not after the child's sleep");
	is_int(proc_aborted(), SIGTERM, "proc_aborted gives SIGTERM");
	ok(kill(-p.pid, 0) < 0 && errno == ESRCH, "nothing is left of its group");
	proc_release(&p);
	is_int(proc_sleep(10000), TS_E_AGAIN, "proc_sleep returns at once once aborted");
	ps[0] = &p;
	memset(&p, 0, sizeof(p));
	p.pid = getpid();
	p.pidfd = -1;
	is_int(proc_wait_any(ps, 1, 10000), TS_E_AGAIN,
	    "proc_wait_any returns TS_E_AGAIN once aborted");
	strbuf_release(&err);
}

int
main(void)
{
	/* Line by line: a forked child must not repeat our buffered output. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (mkdtemp(dir) == NULL) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	/* As ts-run-job does: orphans of a step's group are ours to reap. */
	proc_subreaper();
	test_exit_codes();
	test_cannot_run();
	test_timeout();
	test_stragglers();
	test_token();
	test_zombie_not_alive();
	test_wait_any();
	test_wait_io();
	test_abort();
	rmdir(dir);
	return done_testing();
}
