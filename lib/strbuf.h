/*
 * strbuf: a growing string, after git's strbuf.h.
 *
 * buf is never NULL and always NUL-terminated, so a strbuf can be passed
 * where a C string is wanted at any time; len counts the bytes before the
 * NUL.  STRBUF_INIT gives an empty buffer that owns no memory yet;
 * strbuf_release frees it and leaves it empty and reusable.
 */
#ifndef TLAB_STRBUF_H
#define TLAB_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct strbuf {
	size_t alloc;
	size_t len;
	char *buf;
};

extern char strbuf_slopbuf[];
#define STRBUF_INIT { 0, 0, strbuf_slopbuf }

void strbuf_init(struct strbuf *sb, size_t hint);
void strbuf_release(struct strbuf *sb);
char *strbuf_detach(struct strbuf *sb, size_t *len);
void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_setlen(struct strbuf *sb, size_t len);
#define strbuf_reset(sb) strbuf_setlen((sb), 0)

void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_addstr(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, int c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
void strbuf_insertstr(struct strbuf *sb, size_t pos, const char *s);

/* Drop trailing whitespace (newlines included). */
void strbuf_rtrim(struct strbuf *sb);

/*
 * Append s quoted for a POSIX shell: in single quotes, with each ' written
 * as '\'' (git's quote.c).  Whatever s holds, the shell sees one word of
 * data: $, `, \, ; and newlines stay text.
 */
void strbuf_add_sq(struct strbuf *sb, const char *s);

/* Append each word of argv, shell-quoted, separated by spaces. */
void strbuf_add_sq_argv(struct strbuf *sb, const char *const *argv);

/*
 * Append words of argv for people to read: a word that needs no quoting
 * (letters, digits and -_./=:,+@%) is written bare, any other is quoted as
 * strbuf_add_sq does.  What is printed can still be pasted into a shell.
 */
void strbuf_add_argv_human(struct strbuf *sb, const char *const *argv);

/* Read the whole of file descriptor fd; -1 with errno set on error. */
int strbuf_read_fd(struct strbuf *sb, int fd);
/* Read the whole file at path; -1 with errno set on error. */
int strbuf_read_file(struct strbuf *sb, const char *path);

#endif
