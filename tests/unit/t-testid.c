/*
 * t-testid: unit tests of step_testid and step_name (lib/step), with the
 * examples of OSSTEST's own job recipes (sg-run-job).
 */
#include <stdint.h>
#include <string.h>

#include "step.h"
#include "tap.h"

static void
testid(const char *spec, const char *const *argv, int64_t stepno,
    const char *want, const char *what)
{
	struct strbuf out = STRBUF_INIT;

	step_testid(spec, argv, stepno, &out);
	is(out.buf, want, "%s", what);
	strbuf_release(&out);
}

static void
test_default(void)
{
	const char *migrate[] = { "ts-guest-migrate", "src_host", "dst_host", "+",
	    "debian", NULL };
	const char *localmigrate[] = { "ts-guest-localmigrate", "x10", "+", "host",
	    "debian", NULL };
	const char *start[] = { "ts-guest-start", "+", "debian", NULL };
	const char *noplus[] = { "ts-host-reboot", "host", "x", NULL };
	const char *bare[] = { "ts-hosts-allocate", NULL };
	const char *plusfirst[] = { "ts-xen-build", "+", NULL };
	const char *twoplus[] = { "ts-a", "x", "+", "y", "+", "z", NULL };

	testid(NULL, migrate, 3, "guest-migrate/src_host/dst_host",
	    "ts-guest-migrate src_host dst_host + debian: words before +");
	testid("=", migrate, 3, "guest-migrate/src_host/dst_host",
	    "spec = is the default");
	testid(NULL, localmigrate, 3, "guest-localmigrate/x10",
	    "ts-guest-localmigrate x10 + host debian");
	testid("=", start, 3, "guest-start", "ts-guest-start + debian, spec =");
	testid(NULL, start, 3, "guest-start", "ts-guest-start + debian, no spec");
	testid("=.2", start, 3, "guest-start.2", "spec =.2 adds a suffix");
	testid("=.repeat", localmigrate, 3, "guest-localmigrate/x10.repeat",
	    "spec =SUFFIX after the words");
	testid(NULL, noplus, 3, "host-reboot/host/x", "no + : every argument");
	testid(NULL, bare, 3, "hosts-allocate", "no arguments");
	testid(NULL, plusfirst, 3, "xen-build", "+ straight after the name");
	testid(NULL, twoplus, 3, "a/x", "words after the first + are not used");
}

static void
test_star(void)
{
	const char *start[] = { "ts-guest-start", "+", "debian", NULL };
	const char *leak[] = { "ts-leak-check", "basis", NULL };
	const char *leak2[] = { "ts-leak-check", "basis", "+", "host", NULL };

	testid("*", start, 12, "guest-start(12)", "spec * : name(STEPNO)");
	testid("*", leak, 7, "leak-check/basis(7)",
	    "ts-leak-check basis, spec *, step 7");
	testid("*", leak2, 7, "leak-check/basis(7)", "spec * stops at + too");
	testid("*", leak, 1234567890123LL, "leak-check/basis(1234567890123)",
	    "a large step number");
}

static void
test_literal(void)
{
	const char *reboot[] = { "ts-host-reboot", "host", "+", "x", NULL };
	const char *start[] = { "ts-guest-start", "+", "debian", NULL };

	testid("capture-logs", reboot, 9, "capture-logs", "a literal spec is itself");
	testid("xen-boot/@", reboot, 9, "xen-boot/host",
	    "a literal /@ becomes the words before +");
	testid("xen-boot/@/again", reboot, 9, "xen-boot/host/again",
	    "text after /@ stays");
	testid("install/@(*)", reboot, 9, "install/host(9)",
	    "literal /@ and (*) together");
	testid("final(*)", start, 5, "final(5)", "a literal ending (*) gets the step");
	testid("mid(*)dle", start, 5, "mid(*)dle", "(*) not at the end stays");
	testid("x/@", start, 5, "x", "/@ with no words before + is nothing");
	testid("@x", reboot, 9, "@x", "@ without / is literal");
}

static void
test_path_and_name(void)
{
	const char *path[] = { "/usr/bin/ts-foo", NULL };
	const char *patharg[] = { "./bin/ts-foo", "a", NULL };
	const char *cc[] = { "cc", "-o", "x", NULL };
	const char *ccpath[] = { "/usr/bin/cc", "-o", "x", NULL };
	const char *tsonly[] = { "ts-", NULL };
	const char *mid[] = { "my-ts-tool", NULL };
	struct strbuf sb = STRBUF_INIT;

	testid(NULL, path, 1, "foo", "/usr/bin/ts-foo: no directory, no ts-");
	testid(NULL, patharg, 1, "foo/a", "./bin/ts-foo a");
	testid(NULL, cc, 1, "cc/-o/x", "a program not named ts-*: cc -o x");
	testid(NULL, ccpath, 1, "cc/-o/x", "/usr/bin/cc -o x");
	testid("*", cc, 2, "cc/-o/x(2)", "cc -o x, spec *");
	testid(NULL, tsonly, 1, "ts-", "a program named just ts- keeps its name");
	testid(NULL, mid, 1, "my-ts-tool", "ts- is stripped only at the start");

	step_name("ts-guest-start", &sb);
	is(sb.buf, "ts-guest-start", "step_name keeps ts-");
	strbuf_reset(&sb);
	step_name("/usr/lib/tlab/ts-guest-start", &sb);
	is(sb.buf, "ts-guest-start", "step_name drops the directory");
	strbuf_reset(&sb);
	step_name("cc", &sb);
	is(sb.buf, "cc", "step_name of cc");
	strbuf_reset(&sb);
	strbuf_addstr(&sb, "pre:");
	step_name("./x/y", &sb);
	is(sb.buf, "pre:y", "step_name appends");
	strbuf_release(&sb);

	/* step_testid appends too, and (*) is looked for in its own result. */
	strbuf_addstr(&sb, "p ");
	step_testid("*", cc, 4, &sb);
	is(sb.buf, "p cc/-o/x(4)", "step_testid appends to what out holds");
	strbuf_release(&sb);
}

int
main(void)
{
	test_default();
	test_star();
	test_literal();
	test_path_and_name();
	return done_testing();
}
