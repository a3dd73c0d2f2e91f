/*
 * log: log directories and timestamped lines.  See log.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <unistd.h>

#include "clock.h"
#include "err.h"
#include "log.h"
#include "strbuf.h"
#include "banned.h"

int
log_open(const char *path, struct strbuf *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

	if (fd < 0)
		return err_errno(err, TS_E_LAB, "log %s", path);
	return fd;
}

void
log_line(int fd, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p;
	ssize_t n;
	va_list ap;

	clock_add_utc(&sb, clock_utc());
	strbuf_addch(&sb, ' ');
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	strbuf_addch(&sb, '\n');
	for (p = sb.buf; p < sb.buf + sb.len; p += n)
		if ((n = write(fd, p, (size_t)(sb.buf + sb.len - p))) <= 0 &&
		    errno != EINTR)
			break;
		else if (n < 0)
			n = 0;
	strbuf_release(&sb);
}
