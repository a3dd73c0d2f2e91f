/*
 * stepmsg: messages between ts-step and its job's runner.  See stepmsg.h.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>

#include "err.h"
#include "stepmsg.h"
#include "banned.h"

void
stepmsg_add(struct strbuf *m, const char *field)
{
	strbuf_add(m, field, strlen(field) + 1);
}

void
stepmsg_addf(struct strbuf *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(m, fmt, ap);
	va_end(ap);
	strbuf_addch(m, '\0');
}

int
stepmsg_split(const char *buf, size_t len, const char **fields, int max)
{
	size_t at = 0;
	int n = 0;

	if (len == 0 || buf[len - 1] != '\0')
		return -1;
	while (at < len) {
		if (n == max)
			return -1;
		fields[n++] = buf + at;
		at += strlen(buf + at) + 1;
	}
	return n;
}

/* FNV-1a, 64 bits: names the socket without the limits of sun_path. */
static uint64_t
fnv1a(const char *s, uint64_t h)
{
	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

int
stepmsg_address(const char *labdir, int64_t flight, const char *job,
    struct sockaddr_un *sa, socklen_t *len, struct strbuf *err)
{
	struct strbuf key = STRBUF_INIT, name = STRBUF_INIT;
	struct stat st;

	if (stat(labdir, &st) < 0)
		return err_errno(err, errno == ENOENT ? TS_E_INPUT : TS_E_LAB,
		    "lab %s", labdir);
	strbuf_addf(&key, "%llx:%llx/%lld/%s", (unsigned long long)st.st_dev,
	    (unsigned long long)st.st_ino, (long long)flight, job);
	strbuf_addf(&name, "tlab-step-%016llx",
	    (unsigned long long)fnv1a(key.buf, 0xcbf29ce484222325ULL));
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	/* sun_path[0] stays NUL: the abstract namespace. */
	memcpy(sa->sun_path + 1, name.buf, name.len);
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + name.len);
	strbuf_release(&key);
	strbuf_release(&name);
	return 0;
}

int
stepmsg_send(int fd, const struct strbuf *m, struct strbuf *err)
{
	ssize_t n;

	if (m->len > STEPMSG_MAX)
		return err_setf(err, TS_E_INPUT,
		    "step message of %zu bytes: more than %d (arguments too long?)",
		    m->len, STEPMSG_MAX);
	while ((n = send(fd, m->buf, m->len, MSG_NOSIGNAL)) < 0 && errno == EINTR)
		;
	if (n != (ssize_t)m->len)
		return err_errno(err, TS_E_LAB, "send to the job's runner");
	return 0;
}

int
stepmsg_recv(int fd, struct strbuf *buf, int64_t timeout_ms, struct strbuf *err)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	ssize_t n;
	int r;

	while ((r = poll(&pfd, 1, timeout_ms > INT32_MAX ? -1 : (int)timeout_ms)) < 0 &&
	    errno == EINTR)
		;
	if (r == 0)
		return err_setf(err, TS_E_LAB, "the job's runner did not answer in %lld s",
		    (long long)(timeout_ms / 1000));
	strbuf_reset(buf);
	strbuf_grow(buf, STEPMSG_MAX + 1);
	while ((n = recv(fd, buf->buf, STEPMSG_MAX, MSG_TRUNC)) < 0 && errno == EINTR)
		;
	if (n < 0)
		return err_errno(err, TS_E_LAB, "receive from the job's runner");
	if (n == 0)
		return err_setf(err, TS_E_LAB, "the job's runner went away");
	if (n > STEPMSG_MAX)
		return err_setf(err, TS_E_LAB, "message of %zd bytes: too long", n);
	strbuf_setlen(buf, (size_t)n);
	return 0;
}
