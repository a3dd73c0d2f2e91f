/*
 * ssh: connections, commands and file copies over libssh2.  See ssh.h.
 *
 * libssh2 runs non-blocking here: each call that would block returns
 * LIBSSH2_ERROR_EAGAIN and we poll the socket in the direction libssh2
 * asks for, up to the action's deadline, sending keepalives meanwhile.
 * Nothing else waits on a host.
 */
#include <errno.h>
#include <fcntl.h>
#include <libssh2.h>
#include <libssh2_sftp.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "digest.h"
#include "err.h"
#include "proc.h"
#include "ssh.h"
#include "xalloc.h"
#include "banned.h"

#define SSH_KEEPALIVE_S 15
#define SSH_HANDSHAKE_TRIES 3	/* connections a handshake is tried on */

struct ssh_conn {
	int fd;
	LIBSSH2_SESSION *s;
	LIBSSH2_SFTP *sftp;
	char *name;
	char *known;		/* host name as known_hosts writes it */
	char *keyline;		/* "TYPE BASE64" the server showed */
	int ready;		/* logged in: keepalives may be sent */
};

int
ssh_parse_address(const char *address, char **user, char **host, int *port,
    struct strbuf *err)
{
	const char *at = strchr(address, '@'), *h, *colon, *end;
	char *pend;
	long p = 22;

	*user = xstrndup(at ? address : "root", at ? (size_t)(at - address) : 4);
	h = at ? at + 1 : address;
	if (*h == '[') {		/* [v6addr]:port */
		if ((end = strchr(h, ']')) == NULL)
			goto bad;
		*host = xstrndup(h + 1, (size_t)(end - h - 1));
		colon = end[1] == ':' ? end + 1 : NULL;
		if (end[1] != '\0' && colon == NULL)
			goto bad_host;
	} else {
		colon = strrchr(h, ':');
		*host = xstrndup(h, colon ? (size_t)(colon - h) : strlen(h));
	}
	if (colon != NULL) {
		errno = 0;
		p = strtol(colon + 1, &pend, 10);
		if (errno != 0 || *pend != '\0' || p < 1 || p > 65535)
			goto bad_host;
	}
	if (**user == '\0' || **host == '\0')
		goto bad_host;
	*port = (int)p;
	return 0;
bad_host:
	free(*host);
bad:
	free(*user);
	*user = *host = NULL;
	return err_setf(err, TS_E_INPUT,
	    "address '%s': not [user@]host[:port]", address);
}

/* "[host]:port" for a port other than 22, as OpenSSH writes known_hosts. */
static char *
known_name(const char *host, int port)
{
	return port == 22 ? xstrdup(host) : xasprintf("[%s]:%d", host, port);
}

/* --- known_hosts ------------------------------------------------------- */

/* Does the comma-separated pattern list of a line name exactly host? */
static int
names_host(const char *patterns, size_t len, const char *host)
{
	size_t hl = strlen(host);
	const char *p = patterns, *end = patterns + len;

	while (p < end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		size_t n = comma ? (size_t)(comma - p) : (size_t)(end - p);

		if (n == hl && memcmp(p, host, n) == 0)
			return 1;
		p += n + 1;
	}
	return 0;
}

static int
address_known_name(const char *address, char **name, struct strbuf *err)
{
	char *user, *host;
	int port, rc;

	if ((rc = ssh_parse_address(address, &user, &host, &port, err)) < 0)
		return rc;
	*name = known_name(host, port);
	free(user);
	free(host);
	return 0;
}

/*
 * Read known_hosts; for each line call fn(line, its length, whether it
 * names host).  A missing file is an empty one.
 */
static int
known_read(const char *path, struct strbuf *text, struct strbuf *err)
{
	if (strbuf_read_file(text, path) < 0 && errno != ENOENT)
		return err_errno(err, TS_E_LAB, "%s", path);
	return 0;
}

int
ssh_known_get(const char *path, const char *address, struct strbuf *line,
    struct strbuf *err)
{
	struct strbuf text = STRBUF_INIT;
	char *name = NULL;
	const char *p, *nl;
	int rc, found = 0;

	if ((rc = address_known_name(address, &name, err)) < 0 ||
	    (rc = known_read(path, &text, err)) < 0)
		goto out;
	for (p = text.buf; *p != '\0' && !found; p = nl) {
		const char *sp;

		nl = strchr(p, '\n');
		nl = nl ? nl + 1 : p + strlen(p);
		if (*p == '#' || *p == '@' || (sp = memchr(p, ' ', (size_t)(nl - p))) == NULL)
			continue;
		if (names_host(p, (size_t)(sp - p), name)) {
			strbuf_add(line, sp + 1, (size_t)(nl - sp - 1));
			strbuf_rtrim(line);
			found = 1;
		}
	}
	rc = found;
out:
	free(name);
	strbuf_release(&text);
	return rc;
}

/*
 * Rewrite known_hosts under an exclusive lock, dropping the lines of host
 * and, when line is not NULL, adding "host line".  Returns lines dropped.
 */
static int
known_rewrite(const char *path, const char *name, const char *line,
    struct strbuf *err)
{
	struct strbuf text = STRBUF_INIT, out = STRBUF_INIT, lock = STRBUF_INIT,
	    tmp = STRBUF_INIT;
	const char *p, *nl;
	int lfd, fd, rc, dropped = 0;

	strbuf_addf(&lock, "%s.lock", path);
	if ((lfd = open(lock.buf, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0) {
		rc = err_errno(err, TS_E_LAB, "%s", lock.buf);
		goto out;
	}
	while (flock(lfd, LOCK_EX) < 0 && errno == EINTR)
		;
	if ((rc = known_read(path, &text, err)) < 0)
		goto unlock;
	for (p = text.buf; *p != '\0'; p = nl) {
		const char *sp;

		nl = strchr(p, '\n');
		nl = nl ? nl + 1 : p + strlen(p);
		sp = memchr(p, ' ', (size_t)(nl - p));
		if (*p != '#' && sp != NULL && names_host(p, (size_t)(sp - p), name)) {
			dropped++;
			continue;
		}
		strbuf_add(&out, p, (size_t)(nl - p));
		if (out.len > 0 && out.buf[out.len - 1] != '\n')
			strbuf_addch(&out, '\n');
	}
	if (line != NULL)
		strbuf_addf(&out, "%s %s\n", name, line);
	strbuf_addf(&tmp, "%s.tmp", path);
	fd = open(tmp.buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, out.buf, out.len) != (ssize_t)out.len ||
	    fsync(fd) < 0 || close(fd) < 0 || rename(tmp.buf, path) < 0) {
		rc = err_errno(err, TS_E_LAB, "%s", path);
		goto unlock;
	}
	rc = dropped;
unlock:
	close(lfd);
out:
	strbuf_release(&text);
	strbuf_release(&out);
	strbuf_release(&lock);
	strbuf_release(&tmp);
	return rc;
}

int
ssh_known_set(const char *path, const char *address, const char *line,
    struct strbuf *err)
{
	char *name = NULL;
	int rc;

	if ((rc = address_known_name(address, &name, err)) == 0)
		rc = known_rewrite(path, name, line, err);
	free(name);
	return rc < 0 ? rc : 0;
}

int
ssh_known_remove(const char *path, const char *address, struct strbuf *err)
{
	char *name = NULL;
	int rc;

	if ((rc = address_known_name(address, &name, err)) == 0)
		rc = known_rewrite(path, name, NULL, err);
	free(name);
	return rc;
}

int
ssh_key_fingerprint(const char *line, struct strbuf *fp)
{
	struct strbuf blob = STRBUF_INIT;
	const char *sp = strchr(line, ' ');
	char *b64;
	int rc = -1;

	if (sp == NULL)
		return -1;
	b64 = xstrndup(sp + 1, strcspn(sp + 1, " \n"));
	if (base64_decode(b64, &blob) == 0 && blob.len > 4) {
		digest_fingerprint(fp, (const unsigned char *)blob.buf, blob.len);
		rc = 0;
	}
	free(b64);
	strbuf_release(&blob);
	return rc;
}

/* --- waiting on the socket --------------------------------------------- */

/*
 * libssh2 said EAGAIN: wait for the socket in the direction it wants, up
 * to dl, keeping the connection alive.  0 to try again, or an error.
 */
static int
ssh_wait(struct ssh_conn *c, const struct deadline *dl, struct strbuf *err)
{
	struct pollfd pfd = { c->fd, 0, 0 };
	int dir = libssh2_session_block_directions(c->s), next = SSH_KEEPALIVE_S;
	int64_t left = deadline_left(dl);

	if (left == 0)
		return err_setf(err, TS_E_LAB, "host %s: %s: no answer after %lld s",
		    c->name, dl->what.buf, (long long)deadline_waited_s(dl));
	if (proc_aborted())
		return err_setf(err, TS_E_LAB, "host %s: %s: stopped by signal %d",
		    c->name, dl->what.buf, proc_aborted());
	/* Not during the handshake: a keepalive there breaks the key exchange. */
	if (c->ready)
		(void)libssh2_keepalive_send(c->s, &next);
	if (dir & LIBSSH2_SESSION_BLOCK_INBOUND)
		pfd.events |= POLLIN;
	if (dir & LIBSSH2_SESSION_BLOCK_OUTBOUND)
		pfd.events |= POLLOUT;
	if (left > (int64_t)next * 1000)
		left = (int64_t)next * 1000;
	(void)proc_poll(&pfd, 1, left);
	return 0;
}

static int
ssh_fail(struct ssh_conn *c, int r, const char *what, struct strbuf *err)
{
	char *msg = NULL;

	libssh2_session_last_error(c->s, &msg, NULL, 0);
	if (r == LIBSSH2_ERROR_SOCKET_RECV || r == LIBSSH2_ERROR_SOCKET_SEND ||
	    r == LIBSSH2_ERROR_SOCKET_DISCONNECT || r == LIBSSH2_ERROR_SOCKET_NONE)
		return err_setf(err, TS_E_LAB, "host %s: connection lost during %s (%s)",
		    c->name, what, msg ? msg : "?");
	return err_setf(err, TS_E_LAB, "host %s: %s: %s (libssh2 error %d)", c->name,
	    what, msg ? msg : "failed", r);
}

/*
 * Call expr until it stops saying EAGAIN, within dl.  Afterwards wrc < 0
 * when the wait gave up (err says why), else r is libssh2's answer.
 */
#define SSH_RETRY(c, r, wrc, expr, dl, err) \
	for ((wrc) = 0; ((r) = (expr)) == LIBSSH2_ERROR_EAGAIN; ) \
		if (((wrc) = ssh_wait((c), (dl), (err))) < 0) \
			break

/* The error of a call retried by SSH_RETRY, or 0. */
static int
ssh_outcome(struct ssh_conn *c, int r, int wrc, const char *what,
    struct strbuf *err)
{
	if (wrc < 0)
		return wrc;
	return r < 0 ? ssh_fail(c, r, what, err) : 0;
}

/* --- connecting -------------------------------------------------------- */

static int
tcp_connect(const char *name, const char *host, int port,
    const struct deadline *dl, struct strbuf *err)
{
	struct addrinfo hints, *res = NULL, *ai;
	char service[16];
	int fd = -1, e = 0, r;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(service, sizeof(service), "%d", port);
	if ((r = getaddrinfo(host, service, &hints, &res)) != 0)
		return err_setf(err, TS_E_LAB, "host %s: %s: %s", name, host,
		    gai_strerror(r));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		struct pollfd pfd;
		socklen_t len = sizeof(e);

		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    ai->ai_protocol);
		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		e = errno;
		if (e == EINPROGRESS) {
			pfd.fd = fd;
			pfd.events = POLLOUT;
			while (proc_poll(&pfd, 1, deadline_left(dl)) == 0 &&
			    !deadline_passed(dl) && !proc_aborted())
				;
			if (pfd.revents != 0 &&
			    getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) == 0 && e == 0)
				break;
			if (pfd.revents == 0)
				e = ETIMEDOUT;
		}
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd >= 0) {
		/* Commands are small packets both ways: Nagle would hold each. */
		int one = 1;

		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	}
	if (fd < 0) {
		errno = e ? e : ECONNREFUSED;
		return err_errno(err, TS_E_LAB, "host %s: connect to %s port %d", name,
		    host, port);
	}
	return fd;
}

static const char *
key_type_name(int type)
{
	switch (type) {
	case LIBSSH2_HOSTKEY_TYPE_RSA: return "ssh-rsa";
	case LIBSSH2_HOSTKEY_TYPE_DSS: return "ssh-dss";
	case LIBSSH2_HOSTKEY_TYPE_ECDSA_256: return "ecdsa-sha2-nistp256";
	case LIBSSH2_HOSTKEY_TYPE_ECDSA_384: return "ecdsa-sha2-nistp384";
	case LIBSSH2_HOSTKEY_TYPE_ECDSA_521: return "ecdsa-sha2-nistp521";
	case LIBSSH2_HOSTKEY_TYPE_ED25519: return "ssh-ed25519";
	default: return NULL;
	}
}

/*
 * The host key algorithm to ask for, given the type recorded for a host,
 * so that the key shown can be compared with it; NULL (libssh2's own
 * order) when nothing is recorded.  One supported name each: libssh2
 * 1.10 rewrites a list with unknown names in place, overlapping copies.
 */
static const char *
hostkey_methods(const char *known_line)
{
	static const char *const types[] = {
		"ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
		"ecdsa-sha2-nistp521", "ssh-rsa",
	};
	size_t i, n;

	if (known_line == NULL)
		return NULL;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		n = strlen(types[i]);
		if (strncmp(known_line, types[i], n) == 0 && known_line[n] == ' ')
			/* An RSA key signs with SHA-2 now (OpenSSH refuses SHA-1). */
			return strcmp(types[i], "ssh-rsa") == 0 ? "rsa-sha2-512" : types[i];
	}
	return NULL;
}

/* Check (or, learning, record) the key the server showed. */
static int
check_host_key(struct ssh_conn *c, const struct ssh_params *p,
    const char *known_line, struct strbuf *err)
{
	struct strbuf seen = STRBUF_INIT, want = STRBUF_INIT;
	const char *key, *type;
	size_t len;
	int kt, rc = 0;

	key = libssh2_session_hostkey(c->s, &len, &kt);
	if (key == NULL || (type = key_type_name(kt)) == NULL)
		return err_setf(err, TS_E_LAB, "host %s: no host key of a known type",
		    c->name);
	strbuf_addf(&seen, "%s ", type);
	base64_add(&seen, (const unsigned char *)key, len, 1);
	c->keyline = xstrdup(seen.buf);
	if (known_line != NULL && strcmp(known_line, seen.buf) == 0)
		goto out;
	if (known_line != NULL) {
		struct strbuf fp = STRBUF_INIT;

		if (ssh_key_fingerprint(known_line, &want) < 0)
			strbuf_addstr(&want, "(unreadable)");
		digest_fingerprint(&fp, (const unsigned char *)key, len);
		rc = err_setf(err, TS_E_LAB,
		    "host %s: host key changed: known_hosts has %s, the host shows %s "
		    "(if the host was reinstalled: ts-host set %s --host-key ...)",
		    c->name, want.buf, fp.buf, c->name);
		strbuf_release(&fp);
		goto out;
	}
	if (!p->learn) {
		rc = err_setf(err, TS_E_LAB,
		    "host %s: its host key is not in %s (ts-host add records it)",
		    c->name, p->known_hosts);
		goto out;
	}
	rc = ssh_known_set(p->known_hosts, p->address, seen.buf, err);
out:
	strbuf_release(&seen);
	strbuf_release(&want);
	return rc;
}

int
ssh_open(struct ssh_conn **cp, const struct ssh_params *p, struct strbuf *err)
{
	struct strbuf known = STRBUF_INIT;
	struct ssh_conn *c = NULL;
	struct deadline dl;
	char *user = NULL, *host = NULL;
	const char *methods;
	int port, rc, r, wrc, attempt;

	*cp = NULL;
	deadline_in(&dl, p->timeout_ms, "ssh to %s", p->address);
	if ((rc = ssh_parse_address(p->address, &user, &host, &port, err)) < 0) {
		err_wrapf(err, rc, "host %s", p->name);
		goto out;
	}
	if ((rc = ssh_known_get(p->known_hosts, p->address, &known, err)) < 0)
		goto out;
	c = xcalloc(1, sizeof(*c));
	c->fd = -1;
	c->name = xstrdup(p->name);
	c->known = known_name(host, port);
	if (libssh2_init(0) != 0) {
		rc = err_setf(err, TS_E_LAB, "libssh2_init failed");
		goto out;
	}
	for (attempt = 1;; attempt++) {
		if ((rc = tcp_connect(p->name, host, port, &dl, err)) < 0)
			goto out;
		c->fd = rc;
		if ((c->s = libssh2_session_init()) == NULL) {
			rc = err_setf(err, TS_E_LAB, "host %s: libssh2 session: out of "
			    "memory", p->name);
			goto out;
		}
		libssh2_session_set_blocking(c->s, 0);
		libssh2_keepalive_config(c->s, 1, SSH_KEEPALIVE_S);
		/* Ask for the key type known_hosts has, so that a check can match. */
		if ((methods = hostkey_methods(known.len ? known.buf : NULL)) != NULL)
			(void)libssh2_session_method_pref(c->s, LIBSSH2_METHOD_HOSTKEY,
			    methods);
		SSH_RETRY(c, r, wrc, libssh2_session_handshake(c->s, c->fd), &dl, err);
		if ((rc = ssh_outcome(c, r, wrc, "handshake", err)) == 0)
			break;
		/*
		 * A handshake cut short (no banner, the key exchange broken
		 * off: a host too busy to answer in time) is tried again, a
		 * few times within the bound, as ssh's ConnectionAttempts.
		 */
		if (wrc < 0 || attempt == SSH_HANDSHAKE_TRIES || deadline_left(&dl) < 2000)
			goto out;
		(void)libssh2_session_free(c->s);
		c->s = NULL;
		close(c->fd);
		c->fd = -1;
		clock_sleep_ms(1000);
	}
	if ((rc = check_host_key(c, p, known.len ? known.buf : NULL, err)) < 0)
		goto out;
	SSH_RETRY(c, r, wrc, libssh2_userauth_publickey_fromfile_ex(c->s, user,
	    (unsigned)strlen(user), NULL, p->key, NULL), &dl, err);
	if (wrc < 0) {
		rc = wrc;
		goto out;
	}
	if (r < 0) {
		char *msg = NULL;

		libssh2_session_last_error(c->s, &msg, NULL, 0);
		rc = err_setf(err, TS_E_LAB,
		    "host %s: %s@%s: the lab's key %s is not accepted (%s)", p->name,
		    user, host, p->key, msg ? msg : "?");
		goto out;
	}
	c->ready = 1;
	*cp = c;
	c = NULL;
	rc = 0;
out:
	ssh_close(c);
	deadline_release(&dl);
	free(user);
	free(host);
	strbuf_release(&known);
	return rc;
}

void
ssh_close(struct ssh_conn *c)
{
	if (c == NULL)
		return;
	if (c->s != NULL) {
		/*
		 * Blocking for the goodbyes, so that they free what they hold,
		 * with a short bound so that a dead peer cannot hold us.
		 */
		libssh2_session_set_timeout(c->s, 2000);
		libssh2_session_set_blocking(c->s, 1);
		if (c->sftp != NULL)
			(void)libssh2_sftp_shutdown(c->sftp);
		(void)libssh2_session_disconnect(c->s, "tlab done");
		(void)libssh2_session_free(c->s);
	}
	if (c->fd >= 0)
		close(c->fd);
	free(c->name);
	free(c->known);
	free(c->keyline);
	free(c);
}

void
ssh_host_key(const struct ssh_conn *c, struct strbuf *line,
    struct strbuf *fingerprint)
{
	if (line != NULL)
		strbuf_addstr(line, c->keyline);
	if (fingerprint != NULL)
		(void)ssh_key_fingerprint(c->keyline, fingerprint);
}

/* --- commands ---------------------------------------------------------- */

static void
put_out(int fd, struct strbuf *sb, const char *buf, ssize_t n)
{
	ssize_t w;

	if (sb != NULL)
		strbuf_add(sb, buf, (size_t)n);
	while (fd >= 0 && n > 0) {
		if ((w = write(fd, buf, (size_t)n)) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		buf += w;
		n -= w;
	}
}

int
ssh_exec(struct ssh_conn *c, const char *const *argv,
    const struct ssh_exec_opts *o, struct ssh_result *res, struct strbuf *err)
{
	struct strbuf cmd = STRBUF_INIT, what = STRBUF_INIT;
	LIBSSH2_CHANNEL *ch = NULL;
	struct deadline dl;
	char buf[16384], *sig = NULL;
	int rc = 0, r, wrc;

	memset(res, 0, sizeof(*res));
	strbuf_add_sq_argv(&cmd, argv);
	strbuf_add_argv_human(&what, argv);
	deadline_in(&dl, o->timeout_ms, "%s", what.buf);
	do {
		ch = libssh2_channel_open_session(c->s);
		if (ch == NULL && libssh2_session_last_errno(c->s) != LIBSSH2_ERROR_EAGAIN) {
			rc = ssh_fail(c, libssh2_session_last_errno(c->s), "opening a channel", err);
			goto out;
		}
	} while (ch == NULL && (rc = ssh_wait(c, &dl, err)) == 0);
	if (ch == NULL)
		goto out;
	SSH_RETRY(c, r, wrc, libssh2_channel_exec(ch, cmd.buf), &dl, err);
	if ((rc = ssh_outcome(c, r, wrc, what.buf, err)) < 0)
		goto out;
	for (;;) {
		ssize_t n1, n2;

		while ((n1 = libssh2_channel_read(ch, buf, sizeof(buf))) > 0)
			put_out(o->out_fd, o->out, buf, n1);
		while ((n2 = libssh2_channel_read_stderr(ch, buf, sizeof(buf))) > 0)
			put_out(o->err_fd, NULL, buf, n2);
		if ((n1 < 0 && n1 != LIBSSH2_ERROR_EAGAIN) ||
		    (n2 < 0 && n2 != LIBSSH2_ERROR_EAGAIN)) {
			rc = ssh_fail(c, (int)(n1 < 0 && n1 != LIBSSH2_ERROR_EAGAIN ? n1 : n2),
			    what.buf, err);
			goto out;
		}
		if (libssh2_channel_eof(ch))
			break;
		if (deadline_passed(&dl)) {
			res->timed_out = 1;
			break;
		}
		if ((rc = ssh_wait(c, &dl, err)) < 0)
			goto out;
	}
	if (res->timed_out) {
		/*
		 * Closing would wait for the remote command to end; leave the
		 * channel to the session's end.  (The command itself may run
		 * on: sshd only closes its pipes.)
		 */
		ch = NULL;
		goto out;
	}
	SSH_RETRY(c, r, wrc, libssh2_channel_close(ch), &dl, err);
	if ((rc = ssh_outcome(c, r, wrc, what.buf, err)) < 0)
		goto out;
	SSH_RETRY(c, r, wrc, libssh2_channel_wait_closed(ch), &dl, err);
	if ((rc = ssh_outcome(c, r, wrc, what.buf, err)) < 0)
		goto out;
	(void)libssh2_channel_get_exit_signal(ch, &sig, NULL, NULL, NULL, NULL, NULL);
	if (sig != NULL) {
		snprintf(res->signal, sizeof(res->signal), "%s", sig);
		libssh2_free(c->s, sig);
	} else {
		res->exited = 1;
		res->code = libssh2_channel_get_exit_status(ch);
	}
out:
	if (ch != NULL)
		(void)libssh2_channel_free(ch);
	deadline_release(&dl);
	strbuf_release(&cmd);
	strbuf_release(&what);
	return rc;
}

void
ssh_describe(const struct ssh_result *res, struct strbuf *sb)
{
	if (res->timed_out)
		strbuf_addstr(sb, "timed out");
	else if (res->signal[0] != '\0')
		strbuf_addf(sb, "killed by signal %s", res->signal);
	else
		strbuf_addf(sb, "exit status %d", res->code);
}

/* --- files ------------------------------------------------------------- */

static int
sftp_start(struct ssh_conn *c, const struct deadline *dl, struct strbuf *err)
{
	while (c->sftp == NULL) {
		c->sftp = libssh2_sftp_init(c->s);
		if (c->sftp != NULL)
			break;
		if (libssh2_session_last_errno(c->s) != LIBSSH2_ERROR_EAGAIN)
			return ssh_fail(c, libssh2_session_last_errno(c->s), "sftp", err);
		if (ssh_wait(c, dl, err) < 0)
			return TS_E_LAB;
	}
	return 0;
}

static const char *
sftp_error(unsigned long code)
{
	switch (code) {
	case LIBSSH2_FX_NO_SUCH_FILE: return "no such file";
	case LIBSSH2_FX_PERMISSION_DENIED: return "permission denied";
	case LIBSSH2_FX_NO_SUCH_PATH: return "no such directory";
	case LIBSSH2_FX_FILE_ALREADY_EXISTS: return "file exists";
	case LIBSSH2_FX_NO_SPACE_ON_FILESYSTEM: return "no space left";
	case LIBSSH2_FX_QUOTA_EXCEEDED: return "quota exceeded";
	case LIBSSH2_FX_WRITE_PROTECT: return "read-only file system";
	default: return "sftp failure";
	}
}

static LIBSSH2_SFTP_HANDLE *
sftp_open(struct ssh_conn *c, const char *path, unsigned long flags, long mode,
    const struct deadline *dl, struct strbuf *err)
{
	LIBSSH2_SFTP_HANDLE *h;

	for (;;) {
		h = libssh2_sftp_open_ex(c->sftp, path, (unsigned)strlen(path), flags,
		    mode, LIBSSH2_SFTP_OPENFILE);
		if (h != NULL)
			return h;
		if (libssh2_session_last_errno(c->s) != LIBSSH2_ERROR_EAGAIN) {
			if (libssh2_session_last_errno(c->s) == LIBSSH2_ERROR_SFTP_PROTOCOL)
				err_setf(err, TS_E_LAB, "host %s: %s: %s", c->name, path,
				    sftp_error(libssh2_sftp_last_error(c->sftp)));
			else
				ssh_fail(c, libssh2_session_last_errno(c->s), path, err);
			return NULL;
		}
		if (ssh_wait(c, dl, err) < 0)
			return NULL;
	}
}

int
ssh_put(struct ssh_conn *c, const char *local, const char *remote,
    int64_t timeout_ms, struct strbuf *err)
{
	LIBSSH2_SFTP_HANDLE *h = NULL;
	LIBSSH2_SFTP_ATTRIBUTES attrs;
	struct deadline dl;
	struct stat st;
	char buf[32768];
	int fd, rc = 0, r, wrc;
	ssize_t n;

	if ((fd = open(local, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &st) < 0) {
		rc = err_errno(err, errno == ENOENT ? TS_E_INPUT : TS_E_LAB, "%s", local);
		if (fd >= 0)
			close(fd);
		return rc;
	}
	deadline_in(&dl, timeout_ms, "sftp put %s", remote);
	if ((rc = sftp_start(c, &dl, err)) < 0)
		goto out;
	h = sftp_open(c, remote, LIBSSH2_FXF_WRITE | LIBSSH2_FXF_CREAT |
	    LIBSSH2_FXF_TRUNC, (long)(st.st_mode & 07777), &dl, err);
	if (h == NULL) {
		rc = TS_E_LAB;
		goto out;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		char *p = buf;

		while (n > 0) {
			ssize_t w;

			while ((w = libssh2_sftp_write(h, p, (size_t)n)) == LIBSSH2_ERROR_EAGAIN)
				if ((rc = ssh_wait(c, &dl, err)) < 0)
					goto out;
			if (w < 0) {
				rc = ssh_fail(c, (int)w, remote, err);
				goto out;
			}
			p += w;
			n -= w;
		}
	}
	if (n < 0) {
		rc = err_errno(err, TS_E_LAB, "%s", local);
		goto out;
	}
	/* The mode of a file that existed is not changed by open: set it. */
	memset(&attrs, 0, sizeof(attrs));
	attrs.flags = LIBSSH2_SFTP_ATTR_PERMISSIONS;
	attrs.permissions = st.st_mode & 07777;
	SSH_RETRY(c, r, wrc, libssh2_sftp_fstat_ex(h, &attrs, 1), &dl, err);
	rc = ssh_outcome(c, r, wrc, remote, err);
out:
	if (h != NULL)
		while (libssh2_sftp_close_handle(h) == LIBSSH2_ERROR_EAGAIN &&
		    ssh_wait(c, &dl, NULL) == 0)
			;
	close(fd);
	deadline_release(&dl);
	return rc < 0 ? err_wrapf(err, rc, "put %s", local) : 0;
}

int
ssh_get(struct ssh_conn *c, const char *remote, const char *local,
    int64_t timeout_ms, struct strbuf *err)
{
	LIBSSH2_SFTP_HANDLE *h = NULL;
	LIBSSH2_SFTP_ATTRIBUTES attrs;
	struct deadline dl;
	char buf[32768];
	int fd = -1, rc = 0, r, wrc;
	ssize_t n;

	deadline_in(&dl, timeout_ms, "sftp get %s", remote);
	if ((rc = sftp_start(c, &dl, err)) < 0)
		goto out;
	if ((h = sftp_open(c, remote, LIBSSH2_FXF_READ, 0, &dl, err)) == NULL) {
		rc = TS_E_LAB;
		goto out;
	}
	memset(&attrs, 0, sizeof(attrs));
	SSH_RETRY(c, r, wrc, libssh2_sftp_fstat_ex(h, &attrs, 0), &dl, err);
	if ((rc = ssh_outcome(c, r, wrc, remote, err)) < 0)
		goto out;
	fd = open(local, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    (attrs.flags & LIBSSH2_SFTP_ATTR_PERMISSIONS) ?
	    (mode_t)(attrs.permissions & 07777) : 0644);
	if (fd < 0) {
		rc = err_errno(err, TS_E_LAB, "%s", local);
		goto out;
	}
	if (attrs.flags & LIBSSH2_SFTP_ATTR_PERMISSIONS)
		(void)fchmod(fd, (mode_t)(attrs.permissions & 07777));
	for (;;) {
		while ((n = libssh2_sftp_read(h, buf, sizeof(buf))) == LIBSSH2_ERROR_EAGAIN)
			if ((rc = ssh_wait(c, &dl, err)) < 0)
				goto out;
		if (n == 0)
			break;
		if (n < 0) {
			rc = ssh_fail(c, (int)n, remote, err);
			goto out;
		}
		if (write(fd, buf, (size_t)n) != n) {
			rc = err_errno(err, TS_E_LAB, "%s", local);
			goto out;
		}
	}
out:
	if (h != NULL)
		while (libssh2_sftp_close_handle(h) == LIBSSH2_ERROR_EAGAIN &&
		    ssh_wait(c, &dl, NULL) == 0)
			;
	if (fd >= 0 && close(fd) < 0 && rc == 0)
		rc = err_errno(err, TS_E_LAB, "%s", local);
	deadline_release(&dl);
	return rc < 0 ? err_wrapf(err, rc, "get %s", remote) : 0;
}
