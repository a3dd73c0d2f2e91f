/*
 * tree: trees of tlab.conf, the bare cache of each (libgit2), fetching
 * into it in a child process with a bound, resolving revisions, and the
 * revision log.  See tree.h.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <git2.h>

#include "clock.h"
#include "digest.h"
#include "err.h"
#include "proc.h"
#include "tree.h"
#include "xalloc.h"
#include "banned.h"

/* After the bound, how long the fetch's own words have to arrive. */
/* A libgit2 child that outlives its bound by this much is killed. */
#define TREE_GIT_GRACE_MS 2000

int
tree_check_name(const char *name, struct strbuf *err)
{
	const char *p;

	if (*name == '\0' || strlen(name) > 64)
		return err_setf(err, TS_E_INPUT, "tree '%s': not a tree name "
		    "(1 to 64 letters, digits and _)", name);
	for (p = name; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && *p != '_')
			return err_setf(err, TS_E_INPUT, "tree '%s': not a tree name "
			    "(letters, digits and _)", name);
	/* Its tree_NAME would be the runvar naming the tree under test. */
	if (strcmp(name, "under_test") == 0)
		return err_setf(err, TS_E_INPUT, "tree '%s': a name tlab keeps for "
		    "the runvar tree_under_test", name);
	return 0;
}

int
tree_get(struct lab *lab, const char *name, struct tree *t, struct strbuf *err)
{
	const char *url, *staging, *master;
	int rc;

	memset(t, 0, sizeof(*t));
	if ((rc = tree_check_name(name, err)) < 0)
		return rc;
	url = conf_get(&lab->conf, "tree", name, "url");
	staging = conf_get(&lab->conf, "tree", name, "staging");
	master = conf_get(&lab->conf, "tree", name, "master");
	if (url == NULL && staging == NULL && master == NULL)
		return err_setf(err, TS_E_INPUT, "tree %s: not in tlab.conf", name);
	if (url == NULL || *url == '\0')
		return err_setf(err, TS_E_INPUT, "tree %s: no url in tlab.conf", name);
	t->name = xstrdup(name);
	t->url = xstrdup(url);
	t->staging = xstrdup(staging != NULL && *staging != '\0' ? staging :
	    TREE_DEFAULT_STAGING);
	t->master = xstrdup(master != NULL && *master != '\0' ? master :
	    TREE_DEFAULT_MASTER);
	return 0;
}

void
tree_release(struct tree *t)
{
	free(t->name);
	free(t->url);
	free(t->staging);
	free(t->master);
	memset(t, 0, sizeof(*t));
}

int
tree_git_fail(struct strbuf *err, int rc, const char *fmt, ...)
{
	const git_error *e = git_error_last();
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	strbuf_addf(&sb, ": %s", e != NULL && e->message != NULL ?
	    e->message : "libgit2 failed");
	strbuf_rtrim(&sb);
	if (sb.len > 0 && sb.buf[sb.len - 1] == '.')
		strbuf_setlen(&sb, sb.len - 1);
	err_setf(err, rc, "%s", sb.buf);
	strbuf_release(&sb);
	return rc;
}

/* --- the cache ----------------------------------------------------------- */

void
tree_cache_path(const struct lab *lab, const char *name, struct strbuf *sb)
{
	lab_path(lab, sb, "git/%s.git", name);
}

/*
 * One process at a time fetches into a tree's cache: an flock on
 * LAB/git/NAME.lock, waited for within dl (the jobs of a flight, or two
 * flights being made, may want the same tree at once).
 */
static int
cache_lock(struct lab *lab, const char *name, const struct deadline *dl,
    int *fdp, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	int fd, rc = 0;

	lab_path(lab, &path, "git");
	if ((rc = lab_mkdirs(path.buf, 0755, err)) < 0) {
		rc = err_wrapf(err, TS_E_LAB, "git cache");
		goto out;
	}
	strbuf_reset(&path);
	lab_path(lab, &path, "git/%s.lock", name);
	if ((fd = open(path.buf, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0) {
		rc = err_errno(err, TS_E_LAB, "git cache: %s", path.buf);
		goto out;
	}
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK) {
			rc = err_errno(err, TS_E_LAB, "git cache: lock %s", path.buf);
			break;
		}
		if (deadline_passed(dl) || proc_aborted()) {
			rc = err_setf(err, TS_E_LAB, "git cache: %s: still locked by "
			    "another process after %lld s", path.buf,
			    (long long)deadline_waited_s(dl));
			break;
		}
		clock_sleep_ms(100);
	}
	if (rc < 0)
		close(fd);
	else
		*fdp = fd;
out:
	strbuf_release(&path);
	return rc;
}

int
tree_cache_open(struct lab *lab, const char *name, git_repository **repo,
    struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	int rc = 0;

	tree_cache_path(lab, name, &path);
	if (git_repository_open_bare(repo, path.buf) < 0 &&
	    git_repository_init(repo, path.buf, 1) < 0)
		rc = tree_git_fail(err, TS_E_LAB, "git cache %s", path.buf);
	strbuf_release(&path);
	return rc;
}

/* --- fetching ------------------------------------------------------------ */

struct fetch {
	struct lab *lab;
	const char *name;
	const char *url;
	const struct deadline *dl;
	int key_offered;	/* the lab's key was offered once already */
};

static int
fetch_timed_out(const struct fetch *f)
{
	return deadline_passed(f->dl) || proc_aborted();
}

/* A callback's no, in words that libgit2 passes up as its error. */
static int
fetch_refuse(const char *why)
{
	git_error_set_str(GIT_ERROR_NET, why);
	return -1;
}

static int
fetch_progress(const git_indexer_progress *stats, void *payload)
{
	(void)stats;
	return fetch_timed_out(payload) ? -1 : 0;
}

static int
fetch_sideband(const char *str, int len, void *payload)
{
	(void)str;
	(void)len;
	return fetch_timed_out(payload) ? -1 : 0;
}

/*
 * SSH logs in with the lab's key, once: a second request means the server
 * refused it, and asking again would loop.  The user is the URL's, else
 * ours (as ssh does).
 */
static int
fetch_credentials(git_credential **out, const char *url,
    const char *username_from_url, unsigned int allowed, void *payload)
{
	struct fetch *f = payload;
	struct strbuf key = STRBUF_INIT, pub = STRBUF_INIT, why = STRBUF_INIT;
	const char *user = username_from_url;
	struct passwd *pw;
	int rc;

	(void)url;
	if (fetch_timed_out(f))
		return fetch_refuse("no end in time");
	if (user == NULL || *user == '\0')
		user = (pw = getpwuid(getuid())) != NULL ? pw->pw_name : "root";
	if (allowed & GIT_CREDENTIAL_USERNAME)
		return git_credential_username_new(out, user);
	lab_ssh_key(f->lab, &key);
	if (!(allowed & GIT_CREDENTIAL_SSH_KEY) || f->key_offered) {
		strbuf_addf(&why, "the server refused the lab's key %s for user %s",
		    key.buf, user);
		rc = fetch_refuse(why.buf);
		goto out;
	}
	f->key_offered = 1;
	strbuf_addf(&pub, "%s.pub", key.buf);
	rc = git_credential_ssh_key_new(out, user,
	    access(pub.buf, R_OK) == 0 ? pub.buf : NULL, key.buf, NULL);
out:
	strbuf_release(&key);
	strbuf_release(&pub);
	strbuf_release(&why);
	return rc;
}

/* The port of an ssh:// URL; 22 for scp-like ones and when not given. */
static int
url_ssh_port(const char *url)
{
	const char *p = strstr(url, "://"), *end, *colon;
	long port;

	if (p == NULL)
		return 22;
	p += 3;
	end = p + strcspn(p, "/");
	if ((colon = memchr(p, '@', (size_t)(end - p))) != NULL)
		p = colon + 1;
	if (*p == '[' && (colon = memchr(p, ']', (size_t)(end - p))) != NULL)
		p = colon + 1;
	if ((colon = memchr(p, ':', (size_t)(end - p))) == NULL || colon + 1 == end)
		return 22;
	port = strtol(colon + 1, NULL, 10);
	return port > 0 && port < 65536 ? (int)port : 22;
}

/*
 * Is blob (a host key as the server sent it) what known_hosts has for
 * name?  1 yes, 0 the name is there with other keys only, -1 the name is
 * not there.  Plain names only (tlab writes no hashed ones).
 */
static int
known_hosts_match(const char *path, const char *name, const git_cert_hostkey *k)
{
	struct strbuf text = STRBUF_INIT, blob = STRBUF_INIT;
	size_t nl = strlen(name);
	const char *p, *eol;
	int found = -1;

	if (strbuf_read_file(&text, path) < 0)
		goto out;
	for (p = text.buf; *p != '\0' && found != 1; p = eol) {
		const char *sp, *q, *b64;
		struct strbuf field = STRBUF_INIT;
		int named = 0;

		eol = strchr(p, '\n');
		eol = eol != NULL ? eol + 1 : p + strlen(p);
		if (*p == '#' || *p == '@' || (sp = memchr(p, ' ', (size_t)(eol - p))) == NULL)
			continue;
		for (q = p; q < sp; ) {
			size_t n = strcspn(q, ", ");

			if (n == nl && memcmp(q, name, n) == 0)
				named = 1;
			q += n + (q[n] == ',');
		}
		if (!named)
			continue;
		if (found < 0)
			found = 0;
		/* "TYPE BASE64 [comment]": the blob names its own type. */
		b64 = sp + 1 + strcspn(sp + 1, " \n");
		b64 += strspn(b64, " ");
		strbuf_add(&field, b64, strcspn(b64, " \n"));
		strbuf_reset(&blob);
		if (base64_decode(field.buf, &blob) == 0) {
			unsigned char h[32];

			if (k->type & GIT_CERT_SSH_RAW)
				found = blob.len == k->hostkey_len &&
				    memcmp(blob.buf, k->hostkey, blob.len) == 0;
			else if (k->type & GIT_CERT_SSH_SHA256) {
				sha256(blob.buf, blob.len, h);
				found = memcmp(h, k->hash_sha256, 32) == 0;
			}
		}
		strbuf_release(&field);
	}
out:
	strbuf_release(&text);
	strbuf_release(&blob);
	return found;
}

/*
 * An SSH server must show the host key the lab's known_hosts has for it;
 * ~/.ssh/known_hosts of whoever runs tlab does not count either way.  TLS
 * certificates are left to libgit2 (the system's CAs).
 */
static int
fetch_certificate(git_cert *cert, int valid, const char *host, void *payload)
{
	struct fetch *f = payload;
	struct strbuf known = STRBUF_INIT, name = STRBUF_INIT, why = STRBUF_INIT;
	const git_cert_hostkey *k = (const git_cert_hostkey *)cert;
	int port, rc = 0, m;

	(void)valid;
	if (cert->cert_type != GIT_CERT_HOSTKEY_LIBSSH2)
		return GIT_PASSTHROUGH;
	if (fetch_timed_out(f))
		return fetch_refuse("no end in time");
	lab_known_hosts(f->lab, &known);
	port = url_ssh_port(f->url);
	if (port == 22)
		strbuf_addstr(&name, host);
	else
		strbuf_addf(&name, "[%s]:%d", host, port);
	if ((m = known_hosts_match(known.buf, name.buf, k)) == 1)
		goto out;
	if (m == 0)
		strbuf_addf(&why, "host key of %s changed: it is not the one %s has",
		    name.buf, known.buf);
	else
		strbuf_addf(&why, "host key of %s is not in %s (add it: ssh-keyscan "
		    "-p %d %s >>%s)", name.buf, known.buf, port, host, known.buf);
	rc = fetch_refuse(why.buf);
out:
	strbuf_release(&known);
	strbuf_release(&name);
	strbuf_release(&why);
	return rc;
}

/*
 * Mirror the heads and tags of url into the cache (refs/heads/X is the
 * remote's X), keeping what the remote no longer has.  The URL is taken as
 * it is, without the url.*.insteadOf of whoever runs tlab: a lab's trees
 * are what its configuration says, whoever runs it.
 */
static int
fetch_here(git_repository *repo, struct fetch *f, struct strbuf *err)
{
	static char heads[] = "+refs/heads/*:refs/heads/*";
	static char tags[] = "+refs/tags/*:refs/tags/*";
	char *specs[] = { heads, tags };
	git_strarray refspecs = { specs, 2 };
	git_remote_create_options ro;
	git_fetch_options fo;
	git_remote *remote = NULL;
	int rc = 0;

	git_remote_create_options_init(&ro, GIT_REMOTE_CREATE_OPTIONS_VERSION);
	ro.repository = repo;
	ro.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF |
	    GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC;
	git_fetch_options_init(&fo, GIT_FETCH_OPTIONS_VERSION);
	fo.callbacks.transfer_progress = fetch_progress;
	fo.callbacks.sideband_progress = fetch_sideband;
	fo.callbacks.credentials = fetch_credentials;
	fo.callbacks.certificate_check = fetch_certificate;
	fo.callbacks.payload = f;
	fo.prune = GIT_FETCH_NO_PRUNE;
	fo.update_fetchhead = 0;
	fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
	if (git_remote_create_with_opts(&remote, f->url, &ro) < 0 ||
	    git_remote_fetch(remote, &refspecs, &fo, NULL) < 0) {
		if (deadline_passed(f->dl))
			rc = err_setf(err, TS_E_LAB, "fetch %s: no end after %lld s",
			    f->url, (long long)deadline_waited_s(f->dl));
		else
			rc = tree_git_fail(err, TS_E_LAB, "fetch %s", f->url);
	}
	git_remote_free(remote);
	return rc;
}

/* --- libgit2 work in a child process, with a bound ----------------------- */

/* The child's side: fn, then "RC\nLEN\n", LEN bytes of err, the answer. */
static void
git_child(int (*fn)(void *ctx, struct strbuf *answer, struct strbuf *err),
    void *ctx, int fd)
{
	struct strbuf err = STRBUF_INIT, answer = STRBUF_INIT, out = STRBUF_INIT;
	sigset_t none;
	int rc;

	proc_die_with_parent(SIGKILL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	if (git_libgit2_init() < 0)
		rc = tree_git_fail(&err, TS_E_LAB, "libgit2");
	else
		rc = fn(ctx, &answer, &err);
	strbuf_addf(&out, "%d\n%zu\n", rc, err.len);
	strbuf_add(&out, err.buf, err.len);
	strbuf_add(&out, answer.buf, answer.len);
	(void)!write(fd, out.buf, out.len);
	_exit(0);
}

static void
git_collect(const char *buf, size_t n, void *ctx)
{
	strbuf_add(ctx, buf, n);
}

/* The parent's side: RC and the words from what the child wrote. */
static int
git_answer(const char *what, struct strbuf *words, int status,
    struct strbuf *answer, struct strbuf *err)
{
	char *end = words->buf + words->len, *p, *q;
	unsigned long long len;
	long rc;

	errno = 0;
	rc = strtol(words->buf, &p, 10);
	if (p == words->buf || *p != '\n' || errno != 0)
		goto died;
	len = strtoull(p + 1, &q, 10);
	if (q == p + 1 || *q != '\n' || len > (unsigned long long)(end - q - 1))
		goto died;
	q++;
	if (rc < 0)
		err_setf(err, (int)rc, "%.*s", (int)len, q);
	strbuf_add(answer, q + len, (size_t)(end - q) - (size_t)len);
	return (int)rc;
died:
	return err_setf(err, TS_E_LAB, "%s: the process doing it died (wait "
	    "status %d)", what, status);
}

int
tree_git_bounded(const char *what, const struct deadline *dl,
    int (*fn)(void *ctx, struct strbuf *answer, struct strbuf *err), void *ctx,
    struct strbuf *answer, struct strbuf *err)
{
	struct strbuf words = STRBUF_INIT;
	int64_t hard_at = dl->at == INT64_MAX ? INT64_MAX :
	    dl->at + TREE_GIT_GRACE_MS;
	int pfd[2], status = 0, rc = 0, more = 1;
	struct pollfd p;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return err_errno(err, TS_E_LAB, "%s: pipe", what);
	if ((pid = fork()) < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return err_errno(err, TS_E_LAB, "%s: fork", what);
	}
	if (pid == 0) {
		close(pfd[0]);
		git_child(fn, ctx, pfd[1]);
	}
	close(pfd[1]);
	(void)fcntl(pfd[0], F_SETFL, O_NONBLOCK);
	while (more) {
		int64_t now = clock_now_ms();

		if (proc_aborted()) {
			rc = err_setf(err, TS_E_LAB, "%s: stopped by signal %d", what,
			    proc_aborted());
			break;
		}
		if (now >= hard_at) {
			rc = err_setf(err, TS_E_LAB, "%s: no end after %lld s", what,
			    (long long)deadline_waited_s(dl));
			break;
		}
		p.fd = pfd[0];
		p.events = POLLIN;
		p.revents = 0;
		(void)proc_poll(&p, 1, hard_at == INT64_MAX ? INT64_MAX : hard_at - now);
		if (p.revents != 0)
			more = proc_drain(pfd[0], git_collect, &words) != 0;
	}
	if (more)
		(void)kill(pid, SIGKILL);
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (rc == 0)
		rc = git_answer(what, &words, status, answer, err);
	strbuf_release(&words);
	return rc;
}

/* The fetch, in the child. */
static int
fetch_fn(void *ctx, struct strbuf *answer, struct strbuf *err)
{
	struct fetch *f = ctx;
	git_repository *repo = NULL;
	int rc;

	(void)answer;
	if ((rc = tree_cache_open(f->lab, f->name, &repo, err)) == 0)
		rc = fetch_here(repo, f, err);
	git_repository_free(repo);
	return rc;
}

static int
fetch_locked(struct lab *lab, const char *name, const char *url,
    const struct deadline *dl, struct strbuf *err)
{
	struct fetch f = { lab, name, url, dl, 0 };
	struct strbuf what = STRBUF_INIT, answer = STRBUF_INIT;
	int rc;

	strbuf_addf(&what, "fetch %s", url);
	rc = tree_git_bounded(what.buf, dl, fetch_fn, &f, &answer, err);
	strbuf_release(&what);
	strbuf_release(&answer);
	return rc;
}

int
tree_fetch(struct lab *lab, const char *name, const char *url,
    int64_t timeout_ms, struct strbuf *err)
{
	struct deadline dl;
	int fd = -1, rc;

	if ((rc = tree_check_name(name, err)) < 0)
		return rc;
	deadline_in(&dl, timeout_ms, "the fetch of tree %s", name);
	if ((rc = cache_lock(lab, name, &dl, &fd, err)) == 0)
		rc = fetch_locked(lab, name, url, &dl, err);
	if (rc < 0)
		err_wrapf(err, rc, "tree %s", name);
	if (fd >= 0)
		close(fd);
	deadline_release(&dl);
	return rc;
}

/* --- revisions ----------------------------------------------------------- */

static int
is_full_sha(const char *s)
{
	size_t i;

	for (i = 0; i < 40; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return s[40] == '\0';
}

/* 1 and sha when the cache has commit rev (40 hex digits), else 0. */
static int
cache_has_commit(git_repository *repo, const char *rev, char sha[41])
{
	git_commit *c = NULL;
	git_oid oid;

	if (!is_full_sha(rev) || git_oid_fromstr(&oid, rev) < 0 ||
	    git_commit_lookup(&c, repo, &oid) < 0)
		return 0;
	git_oid_tostr(sha, 41, git_commit_id(c));
	git_commit_free(c);
	return 1;
}

/* rev to the commit it names, peeled (a tag gives its commit). */
static int
cache_resolve(git_repository *repo, const char *name, const char *rev,
    git_oid *oid, struct strbuf *err)
{
	git_object *obj = NULL, *commit = NULL;
	int r, rc = 0;

	if (*rev == '\0')
		return err_setf(err, TS_E_INPUT, "tree %s: an empty revision", name);
	if ((r = git_revparse_single(&obj, repo, rev)) == GIT_ENOTFOUND)
		rc = err_setf(err, TS_E_INPUT, "tree %s: revision '%s': no such ref "
		    "or commit", name, rev);
	else if (r < 0)
		rc = tree_git_fail(err, r == GIT_EAMBIGUOUS || r == GIT_EINVALIDSPEC ?
		    TS_E_INPUT : TS_E_LAB, "tree %s: revision '%s'", name, rev);
	else if (git_object_peel(&commit, obj, GIT_OBJECT_COMMIT) < 0)
		rc = tree_git_fail(err, TS_E_INPUT, "tree %s: revision '%s': not a "
		    "commit", name, rev);
	else
		git_oid_cpy(oid, git_object_id(commit));
	git_object_free(commit);
	git_object_free(obj);
	return rc;
}

/* The cache as it is, for reading: TS_E_INPUT when never fetched. */
static int
cache_open_existing(struct lab *lab, const char *name, const char *rev,
    git_repository **repo, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	int rc = 0;

	tree_cache_path(lab, name, &path);
	if (git_repository_open_bare(repo, path.buf) < 0)
		rc = err_setf(err, TS_E_INPUT, "tree %s: revision '%s': no such ref "
		    "or commit (no cache %s: never fetched)", name, rev, path.buf);
	strbuf_release(&path);
	return rc;
}

int
tree_resolve(struct lab *lab, const char *name, const char *rev, char sha[41],
    struct strbuf *err)
{
	git_repository *repo = NULL;
	git_oid oid;
	int rc;

	if ((rc = tree_check_name(name, err)) < 0)
		return rc;
	if (git_libgit2_init() < 0)
		return tree_git_fail(err, TS_E_LAB, "libgit2");
	if ((rc = cache_open_existing(lab, name, rev, &repo, err)) == 0 &&
	    (rc = cache_resolve(repo, name, rev, &oid, err)) == 0)
		git_oid_tostr(sha, 41, &oid);
	git_repository_free(repo);
	git_libgit2_shutdown();
	return rc;
}

int
tree_fetch_resolve(struct lab *lab, const char *name, const char *url,
    const char *rev, int64_t timeout_ms, char sha[41], struct strbuf *err)
{
	git_repository *repo = NULL;
	struct deadline dl;
	git_oid oid;
	int fd = -1, rc, have;

	if ((rc = tree_check_name(name, err)) < 0)
		return rc;
	if (git_libgit2_init() < 0)
		return tree_git_fail(err, TS_E_LAB, "libgit2");
	deadline_in(&dl, timeout_ms, "the fetch of tree %s", name);
	if ((rc = cache_lock(lab, name, &dl, &fd, err)) < 0 ||
	    (rc = tree_cache_open(lab, name, &repo, err)) < 0)
		goto out;
	/* A commit id the cache has needs no fetch: it cannot have moved. */
	have = cache_has_commit(repo, rev, sha);
	git_repository_free(repo);
	repo = NULL;
	if (have)
		goto out;
	if ((rc = fetch_locked(lab, name, url, &dl, err)) < 0) {
		err_wrapf(err, rc, "tree %s", name);
		goto out;
	}
	/* Opened afresh: what the child fetched is there. */
	if ((rc = tree_cache_open(lab, name, &repo, err)) == 0 &&
	    (rc = cache_resolve(repo, name, rev, &oid, err)) == 0)
		git_oid_tostr(sha, 41, &oid);
out:
	git_repository_free(repo);
	if (fd >= 0)
		close(fd);
	git_libgit2_shutdown();
	deadline_release(&dl);
	return rc;
}

/* --- the revision log ---------------------------------------------------- */

/* One commit to the callback; its return value. */
static int
log_one(git_repository *repo, const git_oid *oid,
    int (*cb)(const struct tree_commit *c, void *ctx), void *ctx,
    const char *name, struct strbuf *err)
{
	struct strbuf author = STRBUF_INIT;
	char sha[41], shortid[41];
	git_buf sb = { NULL, 0, 0 };
	git_commit *c = NULL;
	const git_signature *a;
	struct tree_commit tc;
	const char *subject;
	int rc;

	if (git_commit_lookup(&c, repo, oid) < 0)
		return tree_git_fail(err, TS_E_LAB, "tree %s: commit %s", name,
		    git_oid_tostr(sha, sizeof(sha), oid));
	git_oid_tostr(sha, sizeof(sha), oid);
	if (git_object_short_id(&sb, (const git_object *)c) == 0 && sb.ptr != NULL &&
	    sb.size < sizeof(shortid)) {
		memcpy(shortid, sb.ptr, sb.size);
		shortid[sb.size] = '\0';
	} else {
		git_oid_tostr(shortid, 13, oid);
	}
	git_buf_dispose(&sb);
	a = git_commit_author(c);
	strbuf_addf(&author, "%s <%s>", a->name, a->email);
	subject = git_commit_summary(c);
	tc.sha = sha;
	tc.short_id = shortid;
	tc.subject = subject != NULL ? subject : "";
	tc.author = author.buf;
	tc.time = (int64_t)a->when.time;
	rc = cb(&tc, ctx);
	strbuf_release(&author);
	git_commit_free(c);
	return rc;
}

int
tree_log(struct lab *lab, const char *name, const char *from, const char *to,
    int (*cb)(const struct tree_commit *c, void *ctx), void *ctx,
    struct strbuf *err)
{
	git_repository *repo = NULL;
	git_revwalk *walk = NULL;
	git_oid to_oid, from_oid, oid;
	int rc, r;

	if ((rc = tree_check_name(name, err)) < 0)
		return rc;
	if (git_libgit2_init() < 0)
		return tree_git_fail(err, TS_E_LAB, "libgit2");
	if ((rc = cache_open_existing(lab, name, to, &repo, err)) < 0 ||
	    (rc = cache_resolve(repo, name, to, &to_oid, err)) < 0)
		goto out;
	if (from != NULL && *from != '\0' &&
	    (rc = cache_resolve(repo, name, from, &from_oid, err)) < 0)
		goto out;
	if (git_revwalk_new(&walk, repo) < 0 ||
	    git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME) < 0 ||
	    git_revwalk_push(walk, &to_oid) < 0 ||
	    (from != NULL && *from != '\0' && git_revwalk_hide(walk, &from_oid) < 0)) {
		rc = tree_git_fail(err, TS_E_LAB, "tree %s: log %s..%s", name,
		    from != NULL ? from : "", to);
		goto out;
	}
	while ((r = git_revwalk_next(&oid, walk)) == 0)
		if ((rc = log_one(repo, &oid, cb, ctx, name, err)) != 0)
			break;
	if (rc > 0)
		rc = 0;
	else if (rc == 0 && r != GIT_ITEROVER)
		rc = tree_git_fail(err, TS_E_LAB, "tree %s: log %s..%s", name,
		    from != NULL ? from : "", to);
out:
	git_revwalk_free(walk);
	git_repository_free(repo);
	git_libgit2_shutdown();
	return rc;
}
