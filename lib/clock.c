/*
 * clock: monotonic milliseconds, UTC seconds and deadlines.  See clock.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <time.h>

#include "clock.h"
#include "banned.h"

int64_t
clock_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
clock_utc(void)
{
	return (int64_t)time(NULL);
}

int64_t
clock_utc_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
clock_add_utc(struct strbuf *sb, int64_t utc)
{
	time_t t = (time_t)utc;
	struct tm tm;

	gmtime_r(&t, &tm);
	strbuf_addf(sb, "%04d-%02d-%02d %02d:%02d:%02d Z", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void
clock_sleep_ms(int64_t ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000;
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

void
deadline_in(struct deadline *dl, int64_t ms, const char *fmt, ...)
{
	va_list ap;

	dl->start = clock_now_ms();
	dl->at = ms < 0 || ms > INT64_MAX - dl->start ? INT64_MAX : dl->start + ms;
	strbuf_init(&dl->what, 0);
	va_start(ap, fmt);
	strbuf_vaddf(&dl->what, fmt, ap);
	va_end(ap);
}

void
deadline_release(struct deadline *dl)
{
	strbuf_release(&dl->what);
}

int64_t
deadline_left(const struct deadline *dl)
{
	int64_t now;

	if (dl->at == INT64_MAX)
		return INT64_MAX;
	now = clock_now_ms();
	return now >= dl->at ? 0 : dl->at - now;
}

int
deadline_passed(const struct deadline *dl)
{
	return deadline_left(dl) == 0;
}

int64_t
deadline_waited_s(const struct deadline *dl)
{
	return (clock_now_ms() - dl->start + 500) / 1000;
}

void
clock_add_duration(struct strbuf *sb, int64_t s)
{
	if (s >= 3600)
		strbuf_addf(sb, "%lldh%02lldm", (long long)(s / 3600),
		    (long long)(s % 3600 / 60));
	else if (s >= 60)
		strbuf_addf(sb, "%lldm%02llds", (long long)(s / 60), (long long)(s % 60));
	else
		strbuf_addf(sb, "%llds", (long long)s);
}
