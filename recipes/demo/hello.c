/*
 * The demo flight's program under test: a build job compiles it, a test
 * job runs it.  Built with -DDEMO_BREAK it does not compile, which is how
 * the demo shows a failed build and the test job it blocks.
 */
#include <stdio.h>
#include <string.h>

#ifdef DEMO_BREAK
#error "DEMO_BREAK: this build is meant to fail"
#endif

int
main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--version") == 0) {
		puts("hello 1.0");
		return 0;
	}
	printf("hello, %s\n", argc > 1 ? argv[1] : "world");
	return 0;
}
