/*
 * t-strbuf: unit tests of lib/strbuf (growing strings, shell quoting,
 * reading files) and lib/strvec (argv and environment lists).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "strbuf.h"
#include "strvec.h"
#include "tap.h"

extern char **environ;

/* Run "sh -c cmd" and put what it writes on stdout in out; its exit code. */
static int
run_sh(const char *cmd, struct strbuf *out)
{
	int fd[2], st;
	pid_t pid;

	if (pipe(fd) < 0)
		return -1;
	if ((pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		dup2(fd[1], 1);
		close(fd[0]);
		close(fd[1]);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	strbuf_read_fd(out, fd[0]);
	close(fd[0]);
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* Does the shell read back s, quoted by strbuf_add_sq, as s itself? */
static void
sq_round_trip(const char *s, const char *what)
{
	struct strbuf cmd = STRBUF_INIT, out = STRBUF_INIT;
	int rc;

	strbuf_addstr(&cmd, "printf '%s' ");
	strbuf_add_sq(&cmd, s);
	rc = run_sh(cmd.buf, &out);
	is_int(rc, 0, "sh runs the quoted %s", what);
	is(out.buf, s, "sh reads the quoted %s back unchanged", what);
	strbuf_release(&cmd);
	strbuf_release(&out);
}

static void
test_init_and_growth(void)
{
	struct strbuf sb = STRBUF_INIT;
	char want[1001];
	size_t i;
	int good;

	is(sb.buf, "", "STRBUF_INIT is an empty string");
	is_int(sb.len, 0, "STRBUF_INIT has len 0");

	for (i = 0; i < 1000; i++) {
		strbuf_addch(&sb, 'a' + (int)(i % 26));
		want[i] = (char)('a' + (int)(i % 26));
	}
	want[1000] = '\0';
	is_int(sb.len, 1000, "1000 addch give len 1000");
	ok(sb.alloc > sb.len, "alloc (%zu) leaves room for the NUL", sb.alloc);
	is(sb.buf, want, "1000 addch keep every byte in order");

	strbuf_reset(&sb);
	is_int(sb.len, 0, "reset empties");
	is(sb.buf, "", "reset leaves an empty string");

	strbuf_add(&sb, "ab\0cd", 5);
	is_int(sb.len, 5, "add counts an embedded NUL");
	ok(memcmp(sb.buf, "ab\0cd", 6) == 0, "add copies bytes and terminates");
	strbuf_release(&sb);
	is(sb.buf, "", "release leaves an empty string");
	is_int(sb.alloc, 0, "release frees");
	strbuf_addstr(&sb, "again");
	is(sb.buf, "again", "a released strbuf is reusable");
	strbuf_release(&sb);

	/* addf: short, then one longer than the first guess of 64 bytes. */
	strbuf_addf(&sb, "%s=%d", "x", 42);
	is(sb.buf, "x=42", "addf formats");
	{
		struct strbuf big = STRBUF_INIT;

		for (i = 0; i < 700; i++)
			strbuf_addch(&big, 'A' + (int)(i % 26));
		strbuf_addf(&sb, " [%s] %05d", big.buf, 7);
		is_int(sb.len, 4 + 2 + 700 + 2 + 5, "addf grows past its first guess");
		good = strncmp(sb.buf, "x=42 [", 6) == 0 &&
		    memcmp(sb.buf + 6, big.buf, 700) == 0 &&
		    strcmp(sb.buf + 706, "] 00007") == 0;
		ok(good, "addf of a long argument keeps what was there and "
		    "writes it all");
		strbuf_release(&big);
	}
	strbuf_release(&sb);

	/* Many addf calls, each near a boundary. */
	good = 1;
	for (i = 0; i < 300; i++)
		strbuf_addf(&sb, "%03zu,", i);
	for (i = 0; i < 300 && good; i++) {
		char w[5];

		w[0] = (char)('0' + (int)(i / 100));
		w[1] = (char)('0' + (int)(i / 10 % 10));
		w[2] = (char)('0' + (int)(i % 10));
		w[3] = ',';
		good = memcmp(sb.buf + 4 * i, w, 4) == 0;
	}
	ok(good && sb.len == 1200 && sb.buf[1200] == '\0',
	    "300 addf appends land one after another");
	strbuf_release(&sb);

	/* detach hands over the buffer and leaves sb empty. */
	{
		char *p;
		size_t len = 99;

		strbuf_addstr(&sb, "kept");
		p = strbuf_detach(&sb, &len);
		is(p, "kept", "detach returns the string");
		is_int(len, 4, "detach gives the length");
		is(sb.buf, "", "detach leaves sb empty");
		free(p);
		p = strbuf_detach(&sb, NULL);
		is(p, "", "detach of an empty strbuf gives an owned empty string");
		free(p);
	}
}

static void
test_insert_rtrim(void)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_insertstr(&sb, 0, "world");
	is(sb.buf, "world", "insertstr into an empty strbuf");
	strbuf_insertstr(&sb, 0, "hello ");
	is(sb.buf, "hello world", "insertstr at the front");
	strbuf_insertstr(&sb, 5, ",");
	is(sb.buf, "hello, world", "insertstr in the middle");
	strbuf_insertstr(&sb, sb.len, "!");
	is(sb.buf, "hello, world!", "insertstr at the end");
	strbuf_insertstr(&sb, 1000, "?");
	is(sb.buf, "hello, world!?", "insertstr past the end appends");
	is_int(sb.len, 14, "insertstr keeps len right");
	strbuf_insertstr(&sb, 3, "");
	is(sb.buf, "hello, world!?", "inserting nothing changes nothing");
	strbuf_release(&sb);

	{
		struct strbuf big = STRBUF_INIT;
		size_t i;

		strbuf_addstr(&sb, "<>");
		for (i = 0; i < 500; i++)
			strbuf_addch(&big, 'z');
		strbuf_insertstr(&sb, 1, big.buf);
		ok(sb.len == 502 && sb.buf[0] == '<' && sb.buf[501] == '>' &&
		    sb.buf[502] == '\0' && strspn(sb.buf + 1, "z") == 500,
		    "insertstr of 500 bytes grows the buffer");
		strbuf_release(&big);
		strbuf_release(&sb);
	}

	strbuf_addstr(&sb, "line \t\r\n\n");
	strbuf_rtrim(&sb);
	is(sb.buf, "line", "rtrim drops spaces, tabs, CR and newlines");
	is_int(sb.len, 4, "rtrim sets len");
	strbuf_reset(&sb);
	strbuf_addstr(&sb, "  inner space  x");
	strbuf_rtrim(&sb);
	is(sb.buf, "  inner space  x", "rtrim leaves leading and inner space");
	strbuf_reset(&sb);
	strbuf_addstr(&sb, " \n\t ");
	strbuf_rtrim(&sb);
	is(sb.buf, "", "rtrim of only whitespace gives empty");
	is_int(sb.len, 0, "rtrim of only whitespace gives len 0");
	strbuf_release(&sb);
	strbuf_rtrim(&sb);
	is(sb.buf, "", "rtrim of STRBUF_INIT is harmless");
}

static void
test_quoting(void)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_add_sq(&sb, "it's");
	is(sb.buf, "'it'\\''s'", "add_sq writes ' as '\\''");
	strbuf_reset(&sb);
	strbuf_add_sq(&sb, "$HOME `id` $(id) \\ ; | &");
	is(sb.buf, "'$HOME `id` $(id) \\ ; | &'",
	    "add_sq leaves $, backquotes, backslash and ; inside single quotes");
	strbuf_reset(&sb);
	strbuf_add_sq(&sb, "");
	is(sb.buf, "''", "add_sq of an empty string is ''");
	strbuf_reset(&sb);
	strbuf_add_sq(&sb, "''");
	is(sb.buf, "''\\'''\\'''", "add_sq of two quotes");
	strbuf_release(&sb);

	sq_round_trip("it's", "apostrophe");
	sq_round_trip("$HOME and `echo pwned` and $(echo pwned)", "$ and backquotes");
	sq_round_trip("a\nb\\c;d|e&f*g?h ~ \"i\" '' !x", "newline and metacharacters");
	sq_round_trip("", "empty string");

	{
		const char *argv[] = { "a b", "c'd", "$x", "", NULL };
		const char *none[] = { NULL };

		strbuf_add_sq_argv(&sb, argv);
		is(sb.buf, "'a b' 'c'\\''d' '$x' ''",
		    "add_sq_argv quotes each word, one space between");
		strbuf_reset(&sb);
		strbuf_addstr(&sb, "ssh host");
		strbuf_add_sq_argv(&sb, argv);
		is(sb.buf, "ssh host 'a b' 'c'\\''d' '$x' ''",
		    "add_sq_argv after text puts a space first");
		strbuf_reset(&sb);
		strbuf_addstr(&sb, "x");
		strbuf_add_sq_argv(&sb, none);
		is(sb.buf, "x", "add_sq_argv of no words adds nothing");
		strbuf_reset(&sb);

		/* The shell must see exactly these words. */
		strbuf_addstr(&sb, "printf '<%s>' ");
		strbuf_add_sq_argv(&sb, argv);
		{
			struct strbuf out = STRBUF_INIT;

			run_sh(sb.buf, &out);
			is(out.buf, "<a b><c'd><$x><>",
			    "sh splits add_sq_argv's text into the same words");
			strbuf_release(&out);
		}
		strbuf_release(&sb);
	}

	{
		const char *argv[] = { "ts-guest-start", "host=bedbug", "-o",
		    "a/b.c:1,2+3@x%y_z", "a b", "", "it's", "$HOME", "x;y",
		    "`id`", "*", NULL };
		const char *one[] = { "solo", NULL };

		strbuf_add_argv_human(&sb, argv);
		is(sb.buf, "ts-guest-start host=bedbug -o a/b.c:1,2+3@x%y_z "
		    "'a b' '' 'it'\\''s' '$HOME' 'x;y' '`id`' '*'",
		    "add_argv_human: plain words bare, others quoted");
		strbuf_reset(&sb);
		strbuf_add_argv_human(&sb, one);
		is(sb.buf, "solo", "add_argv_human of one word has no space");
		strbuf_release(&sb);
	}
}

static void
test_read(void)
{
	char dir[] = "/tmp/t-strbuf.XXXXXX";
	struct strbuf path = STRBUF_INIT, sb = STRBUF_INIT, want = STRBUF_INIT;
	size_t i;
	int fd;

	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	/* More than one 8192-byte read, with a NUL inside. */
	for (i = 0; i < 20000; i++)
		strbuf_addch(&want, i == 100 ? '\0' : 'a' + (int)(i % 23));
	strbuf_addf(&path, "%s/f", dir);
	fd = open(path.buf, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ok(fd >= 0 && write(fd, want.buf, want.len) == (ssize_t)want.len &&
	    close(fd) == 0, "wrote a 20000-byte file");

	strbuf_addstr(&sb, "prefix:");
	is_int(strbuf_read_file(&sb, path.buf), 0, "read_file returns 0");
	is_int(sb.len, 7 + 20000, "read_file appends every byte");
	ok(memcmp(sb.buf, "prefix:", 7) == 0 &&
	    memcmp(sb.buf + 7, want.buf, want.len) == 0 && sb.buf[sb.len] == '\0',
	    "read_file keeps what was there and reads the bytes as written");
	strbuf_release(&sb);

	errno = 0;
	strbuf_addf(&path, ".missing");
	is_int(strbuf_read_file(&sb, path.buf), -1, "read_file of a missing file is -1");
	is_int(errno, ENOENT, "with errno ENOENT");
	is(sb.buf, "", "and leaves the strbuf empty");

	strbuf_setlen(&path, path.len - strlen(".missing"));
	unlink(path.buf);
	rmdir(dir);
	strbuf_release(&path);
	strbuf_release(&sb);
	strbuf_release(&want);
}

static size_t
count_prefix(const struct strvec *sv, const char *prefix)
{
	size_t i, n = 0;

	for (i = 0; i < sv->nr; i++)
		if (strncmp(sv->v[i], prefix, strlen(prefix)) == 0)
			n++;
	return n;
}

static int
has(const struct strvec *sv, const char *s)
{
	size_t i;

	for (i = 0; i < sv->nr; i++)
		if (strcmp(sv->v[i], s) == 0)
			return 1;
	return 0;
}

static void
test_strvec(void)
{
	struct strvec sv = STRVEC_INIT, set = STRVEC_INIT, env = STRVEC_INIT;
	const char *more[] = { "c", "d", NULL };
	char word[8] = "abc";
	size_t i, nenv;

	ok(sv.v != NULL && sv.v[0] == NULL && sv.nr == 0,
	    "STRVEC_INIT is an empty NULL-terminated list");
	strvec_push(&sv, word);
	word[0] = 'X';
	is(sv.v[0], "abc", "push copies the string");
	strvec_pushf(&sv, "n=%d", 5);
	strvec_pushv(&sv, more);
	is_int(sv.nr, 4, "push, pushf, pushv give 4 words");
	is(sv.v[1], "n=5", "pushf formats");
	ok(strcmp(sv.v[2], "c") == 0 && strcmp(sv.v[3], "d") == 0,
	    "pushv appends in order");
	ok(sv.v[4] == NULL, "the list stays NULL-terminated");
	for (i = 0; i < 100; i++)
		strvec_pushf(&sv, "w%zu", i);
	ok(sv.nr == 104 && strcmp(sv.v[103], "w99") == 0 && sv.v[104] == NULL,
	    "the list grows to 104 words");
	strvec_clear(&sv);
	ok(sv.nr == 0 && sv.v[0] == NULL, "clear empties");
	strvec_push(&sv, "again");
	ok(sv.nr == 1 && strcmp(sv.v[0], "again") == 0, "a cleared strvec is reusable");
	strvec_clear(&sv);

	setenv("TLAB_UT_A", "old", 1);
	setenv("TLAB_UT_AB", "longer", 1);
	setenv("TLAB_UT_B", "keep", 1);
	unsetenv("TLAB_UT_C");
	for (nenv = 0; environ[nenv] != NULL; nenv++)
		;
	strvec_push(&set, "TLAB_UT_A=new");
	strvec_push(&set, "TLAB_UT_C=added");
	strvec_env(&env, &set);
	ok(has(&env, "TLAB_UT_A=new"), "strvec_env: a set variable has its new value");
	is_int(count_prefix(&env, "TLAB_UT_A="), 1,
	    "strvec_env: the old value of a set variable is gone");
	ok(has(&env, "TLAB_UT_AB=longer"),
	    "strvec_env: a variable whose name only starts the same is kept");
	ok(has(&env, "TLAB_UT_B=keep"), "strvec_env: an unset variable is inherited");
	ok(has(&env, "TLAB_UT_C=added"), "strvec_env: a new variable is added");
	is_int(env.nr, nenv + 1, "strvec_env: the environment plus one new variable");
	ok(env.v[env.nr] == NULL, "strvec_env: NULL-terminated");
	strvec_clear(&env);
	strvec_clear(&set);
	unsetenv("TLAB_UT_A");
	unsetenv("TLAB_UT_AB");
	unsetenv("TLAB_UT_B");
}

int
main(void)
{
	/* Line by line: a forked child must not repeat our buffered output. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_init_and_growth();
	test_insert_rtrim();
	test_quoting();
	test_read();
	test_strvec();
	return done_testing();
}
