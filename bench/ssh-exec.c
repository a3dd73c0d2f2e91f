/*
 * bench/ssh-exec: time `true` on a host through lib/ssh, n times on fresh
 * connections and n times on one connection; print the medians in ms.
 * bench/ssh-exec.sh starts the host and compares with OpenSSH.
 *
 *	ssh-exec KEY KNOWN_HOSTS ADDRESS N
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "clock.h"
#include "ssh.h"
#include "banned.h"

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
run_true(struct ssh_conn *c, struct strbuf *err)
{
	static const char *const argv[] = { "true", NULL };
	struct ssh_exec_opts o = SSH_EXEC_OPTS_INIT;
	struct ssh_result res;

	o.timeout_ms = 30000;
	if (ssh_exec(c, argv, &o, &res, err) < 0)
		return -1;
	return res.exited && res.code == 0 ? 0 : -1;
}

int
main(int argc, char **argv)
{
	struct strbuf err = STRBUF_INIT;
	struct ssh_params p = { "bench", NULL, NULL, NULL, 0, 30000 };
	struct ssh_conn *c;
	double *fresh, *reuse, t;
	int n, i;

	if (argc != 5 || (n = atoi(argv[4])) < 1) {
		fprintf(stderr, "usage: ssh-exec KEY KNOWN_HOSTS ADDRESS N\n");
		return 2;
	}
	p.key = argv[1];
	p.known_hosts = argv[2];
	p.address = argv[3];
	fresh = calloc((size_t)n, sizeof(*fresh));
	reuse = calloc((size_t)n, sizeof(*reuse));
	for (i = 0; i < n; i++) {
		t = now_ms();
		if (ssh_open(&c, &p, &err) < 0 || run_true(c, &err) < 0)
			goto fail;
		ssh_close(c);
		fresh[i] = now_ms() - t;
	}
	if (ssh_open(&c, &p, &err) < 0)
		goto fail;
	for (i = 0; i < n; i++) {
		t = now_ms();
		if (run_true(c, &err) < 0)
			goto fail;
		reuse[i] = now_ms() - t;
	}
	ssh_close(c);
	printf("%.2f %.2f\n", median(fresh, n), median(reuse, n));
	return 0;
fail:
	fprintf(stderr, "ssh-exec: %s\n", err.buf);
	return 3;
}
