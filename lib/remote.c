/*
 * remote: one step's work on one of its job's hosts.  See remote.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "err.h"
#include "remote.h"
#include "runvar.h"
#include "banned.h"

int
remote_find(struct lab *lab, int64_t flight, const char *job,
    const char *ident, struct remote *r, struct strbuf *err)
{
	char *name = NULL;
	int rc;

	host_init(&r->host);
	r->c = NULL;
	r->out_fd = r->err_fd = -1;
	r->dl.start = r->dl.at = 0;
	strbuf_init(&r->dl.what, 0);
	if ((rc = runvar_check_name(ident, err)) < 0 ||
	    (rc = runvar_get(lab, flight, job, ident, &name, err)) < 0)
		return rc;
	if (rc == 0)
		return err_setf(err, TS_E_INPUT, "runvar %s: not set: allocate the host "
		    "first (ts-host-allocate %s)", ident, ident);
	rc = host_get(lab, name, &r->host, err);
	free(name);
	return rc;
}

int
remote_connect(struct lab *lab, struct remote *r, int64_t ms, const char *what,
    struct strbuf *err)
{
	deadline_release(&r->dl);
	deadline_in(&r->dl, ms, "%s", what);
	return host_connect(lab, &r->host, 0, &r->c, err);
}

int
remote_open(struct lab *lab, int64_t flight, const char *job,
    const char *ident, int64_t ms, const char *what, struct remote *r,
    struct strbuf *err)
{
	int rc;

	if ((rc = remote_find(lab, flight, job, ident, r, err)) < 0)
		return rc;
	return remote_connect(lab, r, ms, what, err);
}

void
remote_close(struct remote *r)
{
	ssh_close(r->c);
	r->c = NULL;
	host_release(&r->host);
	deadline_release(&r->dl);
}

int
remote_timed_out(struct remote *r, struct strbuf *err)
{
	return err_setf(err, TS_E_LAB, "host %s: %s: no end after %lld s",
	    r->host.name, r->dl.what.buf, (long long)deadline_waited_s(&r->dl));
}

int
remote_exec(struct remote *r, const char *const *argv, int64_t bound_ms,
    struct strbuf *out, struct ssh_result *res, struct strbuf *err)
{
	struct ssh_exec_opts eo = SSH_EXEC_OPTS_INIT;
	int64_t left = deadline_left(&r->dl);

	if (left == 0)
		return remote_timed_out(r, err);
	eo.out_fd = out != NULL ? -1 : r->out_fd;
	eo.err_fd = r->err_fd;
	eo.out = out;
	eo.timeout_ms = bound_ms >= 0 && bound_ms < left ? bound_ms : left;
	return ssh_exec(r->c, argv, &eo, res, err);
}

int
remote_must(struct remote *r, const char *const *argv, const char *what,
    int fail_rc, struct strbuf *out, struct strbuf *err)
{
	struct ssh_result res;
	int rc;

	if ((rc = remote_exec(r, argv, -1, out, &res, err)) < 0)
		return rc;
	if (res.exited && res.code == 0)
		return 0;
	if (res.timed_out)
		return remote_timed_out(r, err);
	err_setf(err, fail_rc, "host %s: %s: ", r->host.name, what);
	ssh_describe(&res, err);
	return fail_rc;
}

int
remote_put(struct remote *r, const char *local, const char *path,
    struct strbuf *err)
{
	int64_t left = deadline_left(&r->dl);

	return left == 0 ? remote_timed_out(r, err) :
	    ssh_put(r->c, local, path, left, err);
}

int
remote_put_text(struct remote *r, const char *text, size_t len,
    const char *path, struct strbuf *err)
{
	const char *tmpdir = getenv("TMPDIR");
	struct strbuf tmp = STRBUF_INIT;
	ssize_t n;
	int fd, rc;

	strbuf_addf(&tmp, "%s/tlab-put.XXXXXX",
	    tmpdir != NULL && *tmpdir != '\0' ? tmpdir : "/tmp");
	if ((fd = mkstemp(tmp.buf)) < 0) {
		rc = err_errno(err, TS_E_LAB, "%s", tmp.buf);
		strbuf_release(&tmp);
		return rc;
	}
	while (len > 0) {
		if ((n = write(fd, text, len)) < 0) {
			if (errno == EINTR)
				continue;
			rc = err_errno(err, TS_E_LAB, "%s", tmp.buf);
			goto out;
		}
		text += n;
		len -= (size_t)n;
	}
	if (close(fd) < 0) {
		fd = -1;
		rc = err_errno(err, TS_E_LAB, "%s", tmp.buf);
		goto out;
	}
	fd = -1;
	rc = remote_put(r, tmp.buf, path, err);
out:
	if (fd >= 0)
		(void)close(fd);
	(void)unlink(tmp.buf);
	strbuf_release(&tmp);
	return rc;
}
