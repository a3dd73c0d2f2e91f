/*
 * push: the push gate's decision, its libgit2 push, the pushes
 * record and a branch's overrides.  See push.h.
 *
 * This module owns the tables pushes and branch_overrides.  It reads the
 * verdicts and failures that ts-report stores through lib/report, and the
 * flights, jobs and runvars of the flight it decides on.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <git2.h>

#include "clock.h"
#include "db.h"
#include "digest.h"
#include "err.h"
#include "flight.h"
#include "host.h"
#include "job.h"
#include "json.h"
#include "proc.h"
#include "push.h"
#include "report.h"
#include "runvar.h"
#include "ssh.h"
#include "status.h"
#include "tree.h"
#include "xalloc.h"
#include "banned.h"

/* Blocking failures listed by --why before "and N more". */
#define PUSH_WHY_MAX_FAILURES 10

const char *
push_outcome_name(enum push_outcome o)
{
	switch (o) {
	case PUSH_PUSHED:
		return "pushed";
	case PUSH_UP_TO_DATE:
		return "up-to-date";
	case PUSH_REFUSED:
		return "refused";
	case PUSH_FAILED:
		return "failed";
	case PUSH_DRY_RUN:
		return "dry-run";
	case PUSH_NONE:
		break;
	}
	return "none";
}

void
push_result_release(struct push_result *r)
{
	free(r->branch);
	free(r->tree);
	free(r->url);
	free(r->ref);
	free(r->forced);
	free(r->reason);
	memset(r, 0, sizeof(*r));
}

void
push_who(struct strbuf *sb)
{
	const char *user = getenv("USER");
	struct passwd *pw;
	char host[256];

	if (user == NULL || *user == '\0')
		user = getenv("LOGNAME");
	if ((user == NULL || *user == '\0') && (pw = getpwuid(getuid())) != NULL)
		user = pw->pw_name;
	if (user == NULL || *user == '\0')
		user = "unknown";
	if (gethostname(host, sizeof(host)) < 0)
		host[0] = '\0';
	host[sizeof(host) - 1] = '\0';
	strbuf_addf(sb, "%s@%s", user, host[0] != '\0' ? host : "localhost");
}

static int
is_full_sha(const char *s)
{
	size_t i;

	for (i = 0; i < 40; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return s[40] == '\0';
}

static void
copy_sha(char dst[41], const char *src)
{
	size_t i;

	for (i = 0; i < 40 && src[i] != '\0'; i++)
		dst[i] = (char)tolower((unsigned char)src[i]);
	dst[i] = '\0';
}

/* --- what the flight says ---------------------------------------------------- */

/* Everything the decision reads, gathered once. */
struct gate {
	struct flight f;
	int have_flight;
	struct job_list jobs;
	char *tree, *url, *ref;
	char rev[41];
	char *verdict;			/* NULL: ts-report has not run */
	int64_t blocking;
	struct push_override_list held;	/* overrides in force, newest first */
	const struct push_override *force, *block;
};

static void
gate_release(struct gate *g)
{
	if (g->have_flight)
		flight_release(&g->f);
	job_list_release(&g->jobs);
	free(g->tree);
	free(g->url);
	free(g->ref);
	free(g->verdict);
	push_override_list_release(&g->held);
	memset(g, 0, sizeof(*g));
}

/*
 * The value every job that has runvar name gives it: 1 and *val (with
 * *who, the first job that has it) when some job has it and they agree,
 * 0 when none has it; TS_E_INPUT naming two jobs that disagree.
 */
static int
jobs_agree(struct lab *lab, const struct gate *g, const char *name, char **val,
    const char **who, struct strbuf *err)
{
	size_t i;
	int rc = 0;

	*val = NULL;
	*who = NULL;
	for (i = 0; i < g->jobs.nr; i++) {
		char *v = NULL;
		int r;

		if ((r = runvar_get(lab, g->f.id, g->jobs.v[i].name, name, &v, err)) < 0) {
			rc = r;
			break;
		}
		if (r == 0)
			continue;
		if (*val == NULL) {
			*val = v;
			*who = g->jobs.v[i].name;
			rc = 1;
			continue;
		}
		if (strcmp(*val, v) != 0)
			rc = err_setf(err, TS_E_INPUT, "jobs disagree on %s: %s has '%s', "
			    "%s has '%s'", name, *who, *val, g->jobs.v[i].name, v);
		free(v);
		if (rc < 0)
			break;
	}
	if (rc < 0) {
		free(*val);
		*val = NULL;
	}
	return rc;
}

/* The tree under test: the jobs' tree_under_test, else the caller's. */
static int
gate_tree(struct lab *lab, struct gate *g, const char *given, struct strbuf *err)
{
	const char *who;
	char *t;
	int rc;

	if ((rc = jobs_agree(lab, g, "tree_under_test", &t, &who, err)) < 0)
		return rc;
	if (rc == 1 && given != NULL && strcmp(t, given) != 0) {
		rc = err_setf(err, TS_E_INPUT, "it tests tree %s (tree_under_test of %s), "
		    "not %s", t, who, given);
		free(t);
		return rc;
	}
	if (rc == 0 && given == NULL)
		return err_setf(err, TS_E_INPUT, "no job names the tree under test "
		    "(runvar tree_under_test): give --tree");
	g->tree = rc == 1 ? t : xstrdup(given);
	return tree_check_name(g->tree, err);
}

/*
 * The tree's url and master ref, from tlab.conf's [tree NAME] (lib/tree):
 * master a full ref, or a branch name taken as refs/heads/NAME.
 */
static int
gate_tree_conf(struct lab *lab, struct gate *g, struct strbuf *err)
{
	struct tree t = TREE_INIT;
	int rc;

	if ((rc = tree_get(lab, g->tree, &t, err)) < 0)
		return rc;
	g->url = xstrdup(t.url);
	g->ref = strncmp(t.master, "refs/", 5) == 0 ? xstrdup(t.master) :
	    xasprintf("refs/heads/%s", t.master);
	tree_release(&t);
	if (strpbrk(g->ref, ": ~^?*[\\") != NULL || strstr(g->ref, "..") != NULL)
		return err_setf(err, TS_E_INPUT, "tree %s: master '%s': not a ref name",
		    g->tree, g->ref);
	return 0;
}

/* Finished, and real: only a real flight's results are the lab's word. */
static int
gate_ready(const struct gate *g, struct strbuf *err)
{
	if (strcmp(g->f.blessing, BLESSING_CONSTRUCTING) == 0 ||
	    strcmp(g->f.blessing, BLESSING_RUNNING) == 0)
		return err_setf(err, TS_E_INPUT, "it is %s, not finished", g->f.blessing);
	if (strcmp(g->f.blessing, BLESSING_REAL) != 0)
		return err_setf(err, TS_E_INPUT, "it is blessed %s: only a real flight "
		    "is pushed", g->f.blessing);
	return 0;
}

/* The tested revision: the jobs' revision_TREE, one full commit id. */
static int
gate_revision(struct lab *lab, struct gate *g, struct strbuf *err)
{
	struct strbuf name = STRBUF_INIT;
	const char *who;
	char *rev;
	int rc;

	strbuf_addf(&name, "revision_%s", g->tree);
	if ((rc = jobs_agree(lab, g, name.buf, &rev, &who, err)) == 0)
		rc = err_setf(err, TS_E_INPUT, "no job has %s: it does not say what "
		    "it tested", name.buf);
	else if (rc > 0 && !is_full_sha(rev))
		rc = err_setf(err, TS_E_INPUT, "%s of %s is '%s', not a commit id: "
		    "only the exact commit tested is pushed", name.buf, who, rev);
	else if (rc > 0)
		copy_sha(g->rev, rev);
	free(rev);
	strbuf_release(&name);
	return rc < 0 ? rc : 0;
}

/* Every build of the tree built the tested revision, and there was one. */
static int
gate_built(struct lab *lab, struct gate *g, struct strbuf *err)
{
	struct strbuf name = STRBUF_INIT;
	size_t i;
	int rc = 0, built = 0;

	strbuf_addf(&name, "built_revision_%s", g->tree);
	for (i = 0; rc == 0 && i < g->jobs.nr; i++) {
		char *v = NULL;
		int r;

		if ((r = runvar_get(lab, g->f.id, g->jobs.v[i].name, name.buf, &v, err)) < 0)
			rc = r;
		else if (r > 0 && strcasecmp(v, g->rev) != 0)
			rc = err_setf(err, TS_E_FAIL, "job %s built %s (%s), not the "
			    "tested %s", g->jobs.v[i].name, v, name.buf, g->rev);
		else if (r > 0)
			built++;
		free(v);
	}
	if (rc == 0 && built == 0)
		rc = err_setf(err, TS_E_FAIL, "no job built tree %s (no runvar %s): "
		    "nothing shows the revision was built", g->tree, name.buf);
	strbuf_release(&name);
	return rc;
}

/* What ts-report stored (lib/report owns the verdicts). */
static int
gate_verdict(struct lab *lab, struct gate *g, struct strbuf *err)
{
	struct report_stored rs;
	int rc;

	if ((rc = report_stored_get(lab, g->f.id, &rs, err)) > 0) {
		g->verdict = xstrdup(report_verdict_name(rs.verdict));
		g->blocking = rs.blocking;
	}
	return rc < 0 ? rc : 0;
}

static int
gate_overrides(struct lab *lab, struct gate *g, struct strbuf *err)
{
	size_t i;
	int rc;

	if ((rc = push_override_list(lab, g->f.branch, 1, &g->held, err)) < 0)
		return rc;
	for (i = 0; i < g->held.nr; i++) {
		const struct push_override *o = &g->held.v[i];

		if (strcmp(o->kind, PUSH_FORCE) == 0 && g->force == NULL)
			g->force = o;
		else if (strcmp(o->kind, PUSH_BLOCK) == 0 && g->block == NULL)
			g->block = o;
	}
	return 0;
}

static int
verdict_allows(const char *verdict)
{
	return strcmp(verdict, "perfect") == 0 || strcmp(verdict, "tolerable") == 0;
}

/*
 * The checks that need no remote, in push.h's order.  0 when the flight
 * may be pushed (g->force set when only a force lets it through).
 */
static int
gate_decide(struct lab *lab, struct gate *g, struct strbuf *err)
{
	int rc;

	if ((rc = gate_ready(g, err)) < 0 ||
	    (rc = gate_revision(lab, g, err)) < 0 ||
	    (rc = gate_built(lab, g, err)) < 0 ||
	    (rc = gate_verdict(lab, g, err)) < 0 ||
	    (rc = gate_overrides(lab, g, err)) < 0)
		return rc;
	if (g->verdict == NULL)
		return err_setf(err, TS_E_INPUT, "no verdict: run ts-report first");
	if (g->block != NULL)
		return err_setf(err, TS_E_FAIL, "branch %s is blocked (block #%lld by "
		    "%s: %s)", g->f.branch, (long long)g->block->id, g->block->who,
		    g->block->why);
	if (verdict_allows(g->verdict)) {
		g->force = NULL;
		return 0;
	}
	if (g->force != NULL)
		return 0;
	return err_setf(err, TS_E_FAIL, "verdict %s, %lld blocking failure%s "
	    "(ts-push --why %s; ts-branch force %s overrides)", g->verdict,
	    (long long)g->blocking, g->blocking == 1 ? "" : "s", g->f.branch,
	    g->f.branch);
}

/* --- the remote ---------------------------------------------------------- */

struct remote {
	struct lab *lab;
	const char *tree, *url, *ref;
	int ssh;
	char *host;			/* ssh: the server, for known_hosts */
	int port;
	struct strbuf key;		/* the lab's private key */
	struct strbuf known;		/* the lab's known_hosts */
	int key_tries;
	const struct deadline *dl;
	struct strbuf why;		/* what stopped libgit2, from a callback */
	struct strbuf rejected;		/* the remote's refusal of the update */
	char old[41];			/* the remote's ref, as the push saw it */
};

/* A URL (scheme://, or scp-like host:path) or else a local path. */
static int
is_local_path(const char *url)
{
	const char *colon = strchr(url, ':'), *slash = strchr(url, '/');

	return colon == NULL || (slash != NULL && slash < colon);
}

/*
 * What the url is: a local path or file:// URL, or ssh (ssh://, ssh+git://,
 * git+ssh://, scp-like [user@]host:path) with its host and port.  Other
 * URLs (https://: no credentials for it) are not pushed to.
 */
static int
remote_parse(struct remote *r, struct strbuf *err)
{
	static const char *const schemes[] = { "ssh://", "ssh+git://", "git+ssh://" };
	const char *u = r->url, *auth = NULL, *end = NULL;
	char *a, *user = NULL;
	size_t i;
	int rc;

	if (strncmp(u, "file://", 7) == 0 || is_local_path(u))
		return 0;
	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]) && auth == NULL; i++)
		if (strncmp(u, schemes[i], strlen(schemes[i])) == 0) {
			auth = u + strlen(schemes[i]);
			end = strchr(auth, '/');
		}
	if (auth == NULL && strstr(u, "://") != NULL)
		return err_setf(err, TS_E_INPUT, "tree %s: url %s: only a path, file:// "
		    "or ssh:// is pushed to", r->tree, u);
	if (auth == NULL) {		/* scp-like: [user@]host:path, port 22 */
		auth = u;
		end = strchr(u, ':');
	}
	if (end == NULL || end == auth || end[1] == '\0')
		return err_setf(err, TS_E_INPUT, "tree %s: url %s: no host and path",
		    r->tree, u);
	a = xstrndup(auth, (size_t)(end - auth));
	rc = ssh_parse_address(a, &user, &r->host, &r->port, err);
	free(a);
	free(user);
	if (rc < 0)
		return err_wrapf(err, rc, "tree %s: url %s", r->tree, u);
	r->ssh = 1;
	return 0;
}

/*
 * Is fp (SHA256:...) a key the lab's known_hosts has for the server's host
 * and port?  1 yes, 0 no; *any when it has some key for it.  Every key line
 * of the host counts: libssh2 may pick another of the server's key types
 * than the one written first.
 */
static int
known_has(const struct remote *r, const char *fp, int *any)
{
	struct strbuf text = STRBUF_INIT, name = STRBUF_INIT, kfp = STRBUF_INIT;
	const char *p, *nl;
	int found = 0;

	*any = 0;
	if (r->port == 22)
		strbuf_addstr(&name, r->host);
	else
		strbuf_addf(&name, "[%s]:%d", r->host, r->port);
	if (strbuf_read_file(&text, r->known.buf) < 0)
		goto out;
	for (p = text.buf; *p != '\0' && !found; p = nl) {
		const char *sp, *q;

		nl = strchr(p, '\n');
		nl = nl ? nl + 1 : p + strlen(p);
		if (*p == '#' || *p == '@' || (sp = memchr(p, ' ', (size_t)(nl - p))) == NULL)
			continue;
		for (q = p; q < sp; ) {
			const char *comma = memchr(q, ',', (size_t)(sp - q));
			size_t n = comma ? (size_t)(comma - q) : (size_t)(sp - q);

			if (n == name.len && memcmp(q, name.buf, n) == 0) {
				char *line = xstrndup(sp + 1, (size_t)(nl - sp - 1));

				*any = 1;
				strbuf_reset(&kfp);
				found = ssh_key_fingerprint(line, &kfp) == 0 &&
				    strcmp(kfp.buf, fp) == 0;
				free(line);
				break;
			}
			q += n + 1;
		}
	}
out:
	strbuf_release(&text);
	strbuf_release(&name);
	strbuf_release(&kfp);
	return found;
}

/* Every callback is a chance to give up: the bound passed, or a signal. */
static int
stop_now(struct remote *r)
{
	if (deadline_passed(r->dl) || proc_aborted()) {
		strbuf_reset(&r->why);
		strbuf_addf(&r->why, "no end after %lld s",
		    (long long)deadline_waited_s(r->dl));
		return -1;
	}
	return 0;
}

/* libgit2 1.5 trusts no ssh host key by itself: the lab's known_hosts decides. */
static int
cb_certificate(git_cert *cert, int valid, const char *host, void *payload)
{
	struct remote *r = payload;
	struct strbuf fp = STRBUF_INIT;
	const git_cert_hostkey *hk = (const git_cert_hostkey *)cert;
	int any, rc = 0;

	(void)valid;
	(void)host;
	if (cert->cert_type != GIT_CERT_HOSTKEY_LIBSSH2 || !r->ssh)
		return GIT_PASSTHROUGH;
	if (stop_now(r) < 0)
		return -1;
	strbuf_reset(&r->why);
	if (!(hk->type & GIT_CERT_SSH_RAW) || hk->hostkey == NULL) {
		strbuf_addstr(&r->why, "libgit2 did not show the server's host key");
		return GIT_ECERTIFICATE;
	}
	digest_fingerprint(&fp, (const unsigned char *)hk->hostkey, hk->hostkey_len);
	if (!known_has(r, fp.buf, &any)) {
		strbuf_addf(&r->why, any ? "host key changed: the server shows %s, "
		    "which %s does not have for it" : "its host key %s is not in %s",
		    fp.buf, r->known.buf);
		rc = GIT_ECERTIFICATE;
	}
	strbuf_release(&fp);
	return rc;
}

/*
 * The lab's key logs in, once: libgit2 asks again after a refusal, without
 * end.  The user is the URL's, else ours (as ssh and tree_fetch do).
 */
static int
cb_credentials(git_credential **out, const char *url, const char *user_from_url,
    unsigned int allowed, void *payload)
{
	struct remote *r = payload;
	const char *user = user_from_url;
	struct passwd *pw;

	(void)url;
	if (stop_now(r) < 0)
		return -1;
	if (user == NULL || *user == '\0')
		user = (pw = getpwuid(getuid())) != NULL ? pw->pw_name : "root";
	if (allowed & GIT_CREDENTIAL_USERNAME)
		return git_credential_username_new(out, user);
	if (!(allowed & GIT_CREDENTIAL_SSH_KEY) || r->key_tries++ > 0) {
		strbuf_reset(&r->why);
		strbuf_addf(&r->why, "the server refused the lab's key %s for user %s",
		    r->key.buf, user);
		return GIT_EAUTH;
	}
	return git_credential_ssh_key_new(out, user, NULL, r->key.buf, NULL);
}

static int
cb_sideband(const char *str, int len, void *payload)
{
	(void)str;
	(void)len;
	return stop_now(payload);
}

static int
cb_push_progress(unsigned int current, unsigned int total, size_t bytes,
    void *payload)
{
	(void)current;
	(void)total;
	(void)bytes;
	return stop_now(payload);
}

static int
cb_pack_progress(int stage, uint32_t current, uint32_t total, void *payload)
{
	(void)stage;
	(void)current;
	(void)total;
	return stop_now(payload);
}

/* The remote's answer for each ref: a NULL status is success. */
static int
cb_update_reference(const char *refname, const char *status, void *payload)
{
	struct remote *r = payload;

	if (status != NULL) {
		if (r->rejected.len > 0)
			strbuf_addstr(&r->rejected, "; ");
		strbuf_addf(&r->rejected, "%s: %s", refname, status);
	}
	return 0;
}

/* What the push changes: the remote's value of the ref before it. */
static int
cb_negotiation(const git_push_update **updates, size_t len, void *payload)
{
	struct remote *r = payload;
	size_t i;

	for (i = 0; i < len; i++)
		if (strcmp(updates[i]->dst_refname, r->ref) == 0 &&
		    !git_oid_is_zero(&updates[i]->src))
			git_oid_tostr(r->old, sizeof(r->old), &updates[i]->src);
	return stop_now(r);
}

/*
 * libgit2 1.5 pushes from a ref, not a commit id: the commit is given this
 * ref of the cache for the push (one push of a tree at a time), outside
 * the refs/heads and refs/tags that mirror the remote.
 */
#define PUSH_SOURCE_REF "refs/tlab/push"

/*
 * Push exactly sha to the remote's ref, without +: libgit2 checks again
 * that it is a fast-forward of what the remote shows now, and the remote
 * moves the ref only from that value.
 */
static int
push_here(struct remote *r, const char *sha, struct strbuf *err)
{
	struct strbuf spec = STRBUF_INIT;
	char *specs[1];
	git_strarray refspecs = { specs, 1 };
	git_remote_create_options ro;
	git_push_options po;
	git_repository *repo = NULL;
	git_remote *remote = NULL;
	git_reference *src = NULL;
	git_oid oid;
	int r2, rc;

	strbuf_addf(&spec, "%s:%s", PUSH_SOURCE_REF, r->ref);
	specs[0] = spec.buf;
	if ((rc = tree_cache_open(r->lab, r->tree, &repo, err)) < 0)
		goto out;
	if (git_oid_fromstr(&oid, sha) < 0 ||
	    git_reference_create(&src, repo, PUSH_SOURCE_REF, &oid, 1,
	    "tlab push") < 0) {
		rc = tree_git_fail(err, TS_E_LAB, "tree %s: git cache: %s",
		    r->tree, PUSH_SOURCE_REF);
		goto out;
	}
	git_remote_create_options_init(&ro, GIT_REMOTE_CREATE_OPTIONS_VERSION);
	ro.repository = repo;
	/* The url as tlab.conf has it, whatever the caller's git config says. */
	ro.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF |
	    GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC;
	git_push_options_init(&po, GIT_PUSH_OPTIONS_VERSION);
	po.pb_parallelism = 1;
	po.callbacks.credentials = cb_credentials;
	po.callbacks.certificate_check = cb_certificate;
	po.callbacks.sideband_progress = cb_sideband;
	po.callbacks.push_transfer_progress = cb_push_progress;
	po.callbacks.pack_progress = cb_pack_progress;
	po.callbacks.push_update_reference = cb_update_reference;
	po.callbacks.push_negotiation = cb_negotiation;
	po.callbacks.payload = r;
	if (git_remote_create_with_opts(&remote, r->url, &ro) < 0) {
		rc = tree_git_fail(err, TS_E_INPUT, "push to %s", r->url);
	} else if ((r2 = git_remote_push(remote, &refspecs, &po)) < 0) {
		rc = r2 == GIT_ENONFASTFORWARD ? TS_E_FAIL : TS_E_LAB;
		if (r->why.len > 0)
			err_setf(err, rc, "push to %s: %s", r->url, r->why.buf);
		else
			tree_git_fail(err, rc, "push to %s", r->url);
	} else if (r->rejected.len > 0) {
		rc = err_setf(err, TS_E_LAB, "push to %s: the remote refused the "
		    "update: %s", r->url, r->rejected.buf);
	}
out:
	if (src != NULL)
		(void)git_reference_delete(src);
	git_reference_free(src);
	git_remote_free(remote);
	git_repository_free(repo);
	strbuf_release(&spec);
	return rc;
}

struct push_work {
	struct remote *r;
	const char *sha;
};

/* The push, in the child of tree_git_bounded; the answer is r->old. */
static int
push_fn(void *ctx, struct strbuf *answer, struct strbuf *err)
{
	struct push_work *w = ctx;
	int rc = push_here(w->r, w->sha, err);

	strbuf_addstr(answer, w->r->old);
	return rc;
}

/*
 * Push in a child process, killed if it is not done a little after the
 * bound.  r->old gets the remote's value before, as the push saw it.
 */
static int
push_bounded(struct remote *r, const char *sha, struct strbuf *err)
{
	struct push_work w = { r, sha };
	struct strbuf what = STRBUF_INIT, old = STRBUF_INIT;
	int rc;

	strbuf_addf(&what, "push to %s", r->url);
	rc = tree_git_bounded(what.buf, r->dl, push_fn, &w, &old, err);
	if (is_full_sha(old.buf))
		copy_sha(r->old, old.buf);
	strbuf_release(&what);
	strbuf_release(&old);
	return rc;
}

/* flock path within dl; what says who would hold it, for the message. */
static int
lock_file(const char *path, const char *what, const struct deadline *dl,
    int *fdp, struct strbuf *err)
{
	int fd;

	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0)
		return err_errno(err, TS_E_LAB, "%s", path);
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK) {
			close(fd);
			return err_errno(err, TS_E_LAB, "lock %s", path);
		}
		if (deadline_passed(dl) || proc_aborted()) {
			close(fd);
			return err_setf(err, TS_E_LAB, "%s: still locked by %s after %lld s",
			    path, what, (long long)deadline_waited_s(dl));
		}
		clock_sleep_ms(100);
	}
	*fdp = fd;
	return 0;
}

/* How the tested revision stands to the remote's ref, in the cache. */
enum ancestry {
	ANC_FAST_FORWARD,	/* the ref is an ancestor (or absent): push */
	ANC_SAME,		/* the ref is the revision */
	ANC_CONTAINED,		/* the ref is a descendant: it has the revision */
	ANC_DIVERGED,		/* neither: not a fast-forward */
};

/* TS_E_INPUT when the cache does not have the revision. */
static int
cache_ancestry(struct lab *lab, const struct gate *g, const char *old,
    enum ancestry *a, struct strbuf *err)
{
	git_repository *repo = NULL;
	git_commit *c = NULL;
	git_oid new_oid, old_oid;
	int rc, ff = 0, in = 0;

	if (git_libgit2_init() < 0)
		return tree_git_fail(err, TS_E_LAB, "libgit2");
	if ((rc = tree_cache_open(lab, g->tree, &repo, err)) < 0)
		goto out;
	if (git_oid_fromstr(&new_oid, g->rev) < 0 ||
	    git_commit_lookup(&c, repo, &new_oid) < 0) {
		rc = err_setf(err, TS_E_INPUT, "commit %s is neither at %s nor in the "
		    "lab's git cache of tree %s", g->rev, g->url, g->tree);
		goto out;
	}
	if (old[0] == '\0') {
		*a = ANC_FAST_FORWARD;	/* the remote has no such ref: the push makes it */
		goto out;
	}
	if (strcmp(old, g->rev) == 0) {
		*a = ANC_SAME;
		goto out;
	}
	if (git_oid_fromstr(&old_oid, old) < 0 ||
	    (ff = git_graph_descendant_of(repo, &new_oid, &old_oid)) < 0 ||
	    (ff == 0 && (in = git_graph_descendant_of(repo, &old_oid, &new_oid)) < 0)) {
		rc = tree_git_fail(err, TS_E_LAB, "tree %s: the ancestry of %s and %s",
		    g->tree, g->rev, old);
		goto out;
	}
	*a = ff ? ANC_FAST_FORWARD : in ? ANC_CONTAINED : ANC_DIVERGED;
out:
	git_commit_free(c);
	git_repository_free(repo);
	git_libgit2_shutdown();
	return rc;
}

/*
 * The remote part, one ts-push of a tree at a time: fetch the remote into
 * the cache, compare its ref with the revision, push.  res->old_rev gets
 * the remote's ref before; *outcome PUSH_UP_TO_DATE when it is the
 * revision already.
 */
static int
gate_remote(struct lab *lab, const struct push_opts *o, struct gate *g,
    struct push_result *res, enum push_outcome *outcome, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT, e = STRBUF_INIT;
	enum ancestry anc = ANC_FAST_FORWARD;
	struct deadline dl;
	struct remote r;
	int fd = -1, rc;

	memset(&r, 0, sizeof(r));
	strbuf_init(&r.key, 0);
	strbuf_init(&r.known, 0);
	strbuf_init(&r.why, 0);
	strbuf_init(&r.rejected, 0);
	r.lab = lab;
	r.tree = g->tree;
	r.url = g->url;
	r.ref = g->ref;
	r.dl = &dl;
	lab_ssh_key(lab, &r.key);
	lab_known_hosts(lab, &r.known);
	deadline_in(&dl, o->timeout_ms, "the push of tree %s", g->tree);
	lab_path(lab, &path, "git");
	if ((rc = remote_parse(&r, err)) < 0 ||
	    (rc = lab_mkdirs(path.buf, 0755, err)) < 0)
		goto out;
	strbuf_addf(&path, "/%s.push.lock", g->tree);
	if ((rc = lock_file(path.buf, "another ts-push of the tree", &dl, &fd, err)) < 0 ||
	    (rc = tree_fetch(lab, g->tree, g->url, deadline_left(&dl), err)) < 0)
		goto out;
	/* After the fetch, the cache's ref is the remote's (none: a new ref). */
	if ((rc = tree_resolve(lab, g->tree, g->ref, res->old_rev, &e)) == TS_E_INPUT) {
		res->old_rev[0] = '\0';
	} else if (rc < 0) {
		err_setf(err, rc, "%s", e.buf);
		goto out;
	}
	if ((rc = cache_ancestry(lab, g, res->old_rev, &anc, err)) < 0)
		goto out;
	if (anc == ANC_SAME || anc == ANC_CONTAINED) {
		*outcome = PUSH_UP_TO_DATE;
		goto out;
	}
	if (anc == ANC_DIVERGED) {
		rc = err_setf(err, TS_E_FAIL, "not a fast-forward: %s of %s is %s, "
		    "which is not an ancestor of %s", g->ref, g->url, res->old_rev,
		    g->rev);
		goto out;
	}
	if (o->dry_run)
		goto out;
	rc = push_bounded(&r, g->rev, err);
	if (r.old[0] != '\0')
		copy_sha(res->old_rev, r.old);
out:
	if (fd >= 0)
		close(fd);
	free(r.host);
	strbuf_release(&r.key);
	strbuf_release(&r.known);
	strbuf_release(&r.why);
	strbuf_release(&r.rejected);
	strbuf_release(&path);
	strbuf_release(&e);
	deadline_release(&dl);
	return rc;
}

/* --- the record ------------------------------------------------------------ */

static const char push_insert_sql[] =
	"INSERT INTO pushes (flight, tree, ref, old_rev, new_rev, outcome, reason,"
	" at, who) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING id";

static int
record(struct lab *lab, const struct push_opts *o, struct push_result *res,
    struct strbuf *err)
{
	int rc;

	if ((rc = db_begin(&lab->db, err)) < 0)
		return rc;
	rc = db_int(&lab->db, &res->id, push_insert_sql, err, "issssssis",
	    o->flight, res->tree, res->ref,
	    res->old_rev[0] != '\0' ? res->old_rev : NULL,
	    res->new_rev[0] != '\0' ? res->new_rev : NULL,
	    push_outcome_name(res->outcome), res->reason, clock_utc(), o->who);
	if (rc == 0)
		rc = err_setf(err, TS_E_LAB, "pushes: insert returned no id");
	return db_end(&lab->db, rc, err);
}

int
push_flight(struct lab *lab, const struct push_opts *o,
    struct push_result *res, struct strbuf *err)
{
	struct strbuf reason = STRBUF_INIT, e2 = STRBUF_INIT;
	enum push_outcome outcome = PUSH_PUSHED;
	struct gate g;
	int rc, r2;

	memset(&g, 0, sizeof(g));
	if ((rc = flight_get(lab, o->flight, &g.f, err)) < 0)
		return rc;
	g.have_flight = 1;
	res->branch = xstrdup(g.f.branch);
	if ((rc = job_list(lab, o->flight, &g.jobs, err)) < 0 ||
	    (rc = gate_tree(lab, &g, o->tree, err)) < 0 ||
	    (rc = gate_tree_conf(lab, &g, err)) < 0) {
		err_wrapf(err, rc, "flight %lld", (long long)o->flight);
		goto out;
	}
	res->tree = xstrdup(g.tree);
	res->url = xstrdup(g.url);
	res->ref = xstrdup(g.ref);
	/* From here on, whatever happens is recorded. */
	rc = gate_decide(lab, &g, err);
	copy_sha(res->new_rev, g.rev);
	if (rc == 0 && g.force != NULL)
		res->forced = xasprintf("force #%lld by %s: %s", (long long)g.force->id,
		    g.force->who, g.force->why);
	if (rc == 0)
		rc = gate_remote(lab, o, &g, res, &outcome, err);
	if (rc < 0) {
		outcome = rc == TS_E_FAIL || rc == TS_E_INPUT || rc == TS_E_NOTFOUND ?
		    PUSH_REFUSED : PUSH_FAILED;
		strbuf_addstr(&reason, err->buf);
	} else if (outcome == PUSH_UP_TO_DATE && strcmp(res->old_rev, g.rev) == 0) {
		strbuf_addf(&reason, "%s is %s already", g.ref, g.rev);
	} else if (outcome == PUSH_UP_TO_DATE) {
		strbuf_addf(&reason, "%s is %s, which has %s already", g.ref,
		    res->old_rev, g.rev);
	} else if (res->forced != NULL) {
		strbuf_addf(&reason, "verdict %s, pushed by %s", g.verdict, res->forced);
	} else {
		strbuf_addf(&reason, "verdict %s", g.verdict);
	}
	res->would = outcome;
	if (o->dry_run) {
		if (rc < 0)
			strbuf_insertstr(&reason, 0, outcome == PUSH_REFUSED ?
			    "would refuse: " : "would fail: ");
		else if (outcome == PUSH_UP_TO_DATE)
			strbuf_insertstr(&reason, 0, "up to date: ");
		else
			strbuf_insertstr(&reason, 0, "would push: ");
		outcome = PUSH_DRY_RUN;
	}
	res->outcome = outcome;
	res->reason = strbuf_detach(&reason, NULL);
	if ((r2 = record(lab, o, res, &e2)) < 0) {
		err_setf(err, r2, "flight %lld: %s (and it was not recorded: %s)",
		    (long long)o->flight, res->reason, e2.buf);
		rc = r2;
		goto out;
	}
	if (rc < 0 && o->dry_run)
		err_wrapf(err, rc, "flight %lld: dry run: would %s", (long long)o->flight,
		    rc == TS_E_LAB ? "fail" : "refuse");
	else if (rc < 0)
		err_wrapf(err, rc, "flight %lld: %s", (long long)o->flight,
		    rc == TS_E_LAB ? "failed" : "refused");
out:
	gate_release(&g);
	strbuf_release(&reason);
	strbuf_release(&e2);
	return rc;
}

/* --- overrides ------------------------------------------------------------- */

void
push_override_list_release(struct push_override_list *l)
{
	size_t i;

	for (i = 0; i < l->nr; i++) {
		free(l->v[i].branch);
		free(l->v[i].kind);
		free(l->v[i].who);
		free(l->v[i].why);
		free(l->v[i].cleared_by);
	}
	free(l->v);
	l->v = NULL;
	l->nr = l->alloc = 0;
}

static const char override_list_sql[] =
	"SELECT id, branch, kind, who, why, set_at, cleared_at, cleared_by"
	" FROM branch_overrides"
	" WHERE branch = ?1 AND (?2 = 0 OR cleared_at IS NULL)"
	" AND (?3 IS NULL OR kind = ?3) ORDER BY id DESC";

static int
override_query(struct lab *lab, const char *branch, int in_force,
    const char *kind, struct push_override_list *out, struct strbuf *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_query(&lab->db, &st, override_list_sql, err, "sds", branch,
	    in_force, kind)) < 0)
		return rc;
	while ((rc = db_row(&lab->db, st, err)) > 0) {
		struct push_override *p;

		ALLOC_GROW(out->v, out->nr + 1, out->alloc);
		p = &out->v[out->nr++];
		p->id = sqlite3_column_int64(st, 0);
		p->branch = db_strdup(st, 1);
		p->kind = db_strdup(st, 2);
		p->who = db_strdup(st, 3);
		p->why = db_strdup(st, 4);
		p->set_at = sqlite3_column_int64(st, 5);
		p->cleared_at = sqlite3_column_int64(st, 6);
		p->cleared_by = db_strdup(st, 7);
	}
	return rc;
}

int
push_override_list(struct lab *lab, const char *branch, int in_force,
    struct push_override_list *out, struct strbuf *err)
{
	return override_query(lab, branch, in_force, NULL, out, err);
}

static int
check_kind(const char *kind, struct strbuf *err)
{
	if (kind != NULL && strcmp(kind, PUSH_FORCE) != 0 &&
	    strcmp(kind, PUSH_BLOCK) != 0)
		return err_setf(err, TS_E_INPUT, "'%s': not force or block", kind);
	return 0;
}

static const char override_clear_sql[] =
	"UPDATE branch_overrides SET cleared_at = ?3, cleared_by = ?4"
	" WHERE branch = ?1 AND (?2 IS NULL OR kind = ?2) AND cleared_at IS NULL";
static const char override_insert_sql[] =
	"INSERT INTO branch_overrides (branch, kind, who, why, set_at)"
	" VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id";

int
push_override_set(struct lab *lab, const char *branch, const char *kind,
    const char *who, const char *why, struct push_override_list *replaced,
    struct strbuf *err)
{
	struct push_override_list old = PUSH_OVERRIDE_LIST_INIT;
	int64_t id, now = clock_utc();
	int rc;

	if ((rc = lab_check_name("branch", branch, err)) < 0 ||
	    (rc = check_kind(kind, err)) < 0)
		return rc;
	if (who == NULL || *who == '\0')
		return err_setf(err, TS_E_INPUT, "branch %s: %s: who set it is empty",
		    branch, kind);
	if (why == NULL || why[strspn(why, " \t\n")] == '\0')
		return err_setf(err, TS_E_INPUT, "branch %s: %s needs a reason (--why TEXT)",
		    branch, kind);
	if ((rc = db_begin(&lab->db, err)) < 0)
		return rc;
	if ((rc = override_query(lab, branch, 1, kind, &old, err)) >= 0 &&
	    (rc = db_run(&lab->db, override_clear_sql, err, "ssis", branch, kind,
	    now, who)) >= 0 &&
	    (rc = db_int(&lab->db, &id, override_insert_sql, err, "ssssi", branch,
	    kind, who, why, now)) == 0)
		rc = err_setf(err, TS_E_LAB, "branch_overrides: insert returned no id");
	rc = db_end(&lab->db, rc < 0 ? rc : 0, err);
	if (rc == 0 && replaced != NULL) {
		*replaced = old;
		memset(&old, 0, sizeof(old));
	}
	push_override_list_release(&old);
	return rc;
}

int
push_override_clear(struct lab *lab, const char *branch, const char *kind,
    const char *who, struct strbuf *err)
{
	int rc;

	if ((rc = lab_check_name("branch", branch, err)) < 0 ||
	    (rc = check_kind(kind, err)) < 0)
		return rc;
	return db_write(&lab->db, override_clear_sql, err, "ssis", branch, kind,
	    clock_utc(), who);
}

/* --- reading the record ------------------------------------------------------ */

void
push_record_list_release(struct push_record_list *l)
{
	size_t i;

	for (i = 0; i < l->nr; i++) {
		struct push_record *p = &l->v[i];

		free(p->tree);
		free(p->ref);
		free(p->old_rev);
		free(p->new_rev);
		free(p->outcome);
		free(p->reason);
		free(p->who);
	}
	free(l->v);
	l->v = NULL;
	l->nr = l->alloc = 0;
}

#define PUSH_COLUMNS \
	"p.id, p.flight, p.at, p.tree, p.ref, p.old_rev, p.new_rev, p.outcome," \
	" p.reason, p.who"

static const char push_records_sql[] =
	"SELECT " PUSH_COLUMNS " FROM pushes p JOIN flights f ON f.flight = p.flight"
	" WHERE f.branch = ?1 ORDER BY p.id DESC LIMIT ?2";
static const char push_records_flight_sql[] =
	"SELECT " PUSH_COLUMNS " FROM pushes p WHERE p.flight = ?1"
	" ORDER BY p.id DESC LIMIT 1";

static int
records_query(struct lab *lab, sqlite3_stmt *st, struct push_record_list *out,
    struct strbuf *err)
{
	int rc;

	while ((rc = db_row(&lab->db, st, err)) > 0) {
		struct push_record *p;

		ALLOC_GROW(out->v, out->nr + 1, out->alloc);
		p = &out->v[out->nr++];
		p->id = sqlite3_column_int64(st, 0);
		p->flight = sqlite3_column_int64(st, 1);
		p->at = sqlite3_column_int64(st, 2);
		p->tree = db_strdup(st, 3);
		p->ref = db_strdup(st, 4);
		p->old_rev = db_strdup(st, 5);
		p->new_rev = db_strdup(st, 6);
		p->outcome = db_strdup(st, 7);
		p->reason = db_strdup(st, 8);
		p->who = db_strdup(st, 9);
	}
	return rc;
}

int
push_records(struct lab *lab, const char *branch, int limit,
    struct push_record_list *out, struct strbuf *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_query(&lab->db, &st, push_records_sql, err, "sd", branch,
	    limit)) < 0)
		return rc;
	return records_query(lab, st, out, err);
}

/* --- for people and programs --------------------------------------------------- */

static void
add_time(struct strbuf *sb, int64_t utc)
{
	clock_add_utc(sb, utc);
}

/*
 * A push attempt in three lines: when and what came of it, then (indented
 * by width) what and why.
 */
static void
add_record(struct strbuf *out, const struct push_record *p, const char *indent,
    size_t width)
{
	strbuf_addstr(out, indent);
	add_time(out, p->at);
	strbuf_addf(out, " flight %lld: %s by %s\n", (long long)p->flight,
	    p->outcome, p->who ? p->who : "?");
	strbuf_addf(out, "%*stree %s %s", (int)width, "", p->tree, p->ref);
	if (p->old_rev != NULL && p->new_rev != NULL)
		strbuf_addf(out, " %s..%s", p->old_rev, p->new_rev);
	else if (p->new_rev != NULL)
		strbuf_addf(out, ", revision %s", p->new_rev);
	strbuf_addch(out, '\n');
	if (p->reason != NULL && *p->reason != '\0')
		strbuf_addf(out, "%*s%s\n", (int)width, "", p->reason);
}

static void
add_override(struct strbuf *out, const struct push_override *o, const char *indent)
{
	strbuf_addf(out, "%s%s #%lld by %s, set ", indent, o->kind, (long long)o->id,
	    o->who);
	add_time(out, o->set_at);
	if (o->cleared_at != 0) {
		strbuf_addstr(out, ", cleared ");
		add_time(out, o->cleared_at);
		if (o->cleared_by != NULL)
			strbuf_addf(out, " by %s", o->cleared_by);
	}
	strbuf_addf(out, ": %s\n", o->why);
}

static void
json_override(struct json *j, const struct push_override *o)
{
	json_obj_begin(j);
	json_kv_int(j, "id", o->id);
	json_kv_str(j, "kind", o->kind);
	json_kv_str(j, "who", o->who);
	json_kv_str(j, "why", o->why);
	json_kv_int(j, "set_at", o->set_at);
	json_kv_opt_int(j, "cleared_at", o->cleared_at != 0, o->cleared_at);
	json_kv_str(j, "cleared_by", o->cleared_by);
	json_key(j, "in_force");
	json_bool(j, o->cleared_at == 0);
	json_obj_end(j);
}

static void
json_record(struct json *j, const struct push_record *p)
{
	json_obj_begin(j);
	json_kv_int(j, "id", p->id);
	json_kv_int(j, "flight", p->flight);
	json_kv_int(j, "at", p->at);
	json_kv_str(j, "tree", p->tree);
	json_kv_str(j, "ref", p->ref);
	json_kv_str(j, "old_rev", p->old_rev);
	json_kv_str(j, "new_rev", p->new_rev);
	json_kv_str(j, "outcome", p->outcome);
	json_kv_str(j, "reason", p->reason);
	json_kv_str(j, "who", p->who);
	json_obj_end(j);
}

/* How many pushes ts-branch show lists. */
#define PUSH_SHOW_PUSHES 10

int
push_format_branch(struct lab *lab, const char *branch, int json,
    struct strbuf *out, struct strbuf *err)
{
	struct push_override_list ov = PUSH_OVERRIDE_LIST_INIT;
	struct push_record_list pr = PUSH_RECORD_LIST_INIT;
	size_t i;
	int rc, held = 0;

	if ((rc = lab_check_name("branch", branch, err)) < 0 ||
	    (rc = push_override_list(lab, branch, 0, &ov, err)) < 0 ||
	    (rc = push_records(lab, branch, PUSH_SHOW_PUSHES, &pr, err)) < 0)
		goto out;
	if (json) {
		struct json j;

		json_init(&j, out);
		json_obj_begin(&j);
		json_kv_str(&j, "branch", branch);
		json_key(&j, "overrides");
		json_arr_begin(&j);
		for (i = 0; i < ov.nr; i++)
			json_override(&j, &ov.v[i]);
		json_arr_end(&j);
		json_key(&j, "pushes");
		json_arr_begin(&j);
		for (i = 0; i < pr.nr; i++)
			json_record(&j, &pr.v[i]);
		json_arr_end(&j);
		json_obj_end(&j);
		strbuf_addch(out, '\n');
		goto out;
	}
	strbuf_addf(out, "branch %s\n", branch);
	strbuf_addstr(out, "overrides in force:\n");
	for (i = 0; i < ov.nr; i++)
		if (ov.v[i].cleared_at == 0) {
			add_override(out, &ov.v[i], "  ");
			held++;
		}
	if (held == 0)
		strbuf_addstr(out, "  (none)\n");
	if ((size_t)held < ov.nr) {
		strbuf_addstr(out, "past overrides:\n");
		for (i = 0; i < ov.nr; i++)
			if (ov.v[i].cleared_at != 0)
				add_override(out, &ov.v[i], "  ");
	}
	strbuf_addstr(out, "last pushes:\n");
	for (i = 0; i < pr.nr; i++)
		add_record(out, &pr.v[i], "  ", 4);
	if (pr.nr == 0)
		strbuf_addstr(out, "  (none)\n");
out:
	push_override_list_release(&ov);
	push_record_list_release(&pr);
	return rc;
}

/* --- ts-push --why ------------------------------------------------------------ */

static const char last_flight_sql[] =
	"SELECT max(flight) FROM flights WHERE branch = ?1 AND blessing = 'real'";
static const char newer_running_sql[] =
	"SELECT max(flight) FROM flights WHERE branch = ?1 AND flight > ?2"
	" AND blessing IN ('constructing', 'running')";
struct why_failures {
	struct strbuf *out;
	int n;
};

/* One blocking failure a line, up to PUSH_WHY_MAX_FAILURES. */
static int
why_failure(const struct report_failure *f, void *ctx)
{
	struct why_failures *w = ctx;

	if (!f->blocking || ++w->n > PUSH_WHY_MAX_FAILURES)
		return 0;
	strbuf_addf(w->out, "%s %s %s: %s, %s", w->n == 1 ? "blocking: " :
	    "          ", f->job, *f->testid != '\0' ? f->testid : "(job)",
	    report_class_name(f->cls), status_name(f->status));
	if (f->detail != NULL && *f->detail != '\0')
		strbuf_addf(w->out, ": %s", f->detail);
	strbuf_addch(w->out, '\n');
	return 0;
}

/* The verdict ts-report stored (lib/report), and the failures that block. */
static int
why_verdict(struct lab *lab, int64_t flight, struct strbuf *out, struct strbuf *err)
{
	struct why_failures w = { out, 0 };
	struct report_stored rs;
	int rc;

	if ((rc = report_stored_get(lab, flight, &rs, err)) < 0)
		return rc;
	if (rc == 0) {
		strbuf_addf(out, "verdict:   none: ts-report has not run on flight %lld\n",
		    (long long)flight);
		return 0;
	}
	strbuf_addf(out, "verdict:   %s", report_verdict_name(rs.verdict));
	if (rs.baseline != 0)
		strbuf_addf(out, " against flight %lld", (long long)rs.baseline);
	strbuf_addf(out, ", %lld blocking, computed ", (long long)rs.blocking);
	add_time(out, rs.computed);
	strbuf_addch(out, '\n');
	if ((rc = report_stored_failures(lab, flight, why_failure, &w, err)) < 0)
		return rc;
	if (w.n > PUSH_WHY_MAX_FAILURES)
		strbuf_addf(out, "           ... and %d more (ts-report --stored %lld)\n",
		    w.n - PUSH_WHY_MAX_FAILURES, (long long)flight);
	else if (w.n == 0)
		strbuf_addstr(out, "blocking:  (none)\n");
	return 0;
}

/* The flight's tree under test and tested revision, when its jobs say. */
static void
why_tree(struct lab *lab, struct flight *f, struct strbuf *out)
{
	struct strbuf e = STRBUF_INIT, name = STRBUF_INIT;
	struct gate g;
	const char *who;
	char *rev = NULL;

	memset(&g, 0, sizeof(g));
	g.f = *f;		/* borrowed: have_flight stays 0 */
	if (job_list(lab, f->id, &g.jobs, &e) < 0 ||
	    gate_tree(lab, &g, NULL, &e) < 0) {
		strbuf_addf(out, "tree:      ? (%s)\n", e.buf);
		goto out;
	}
	strbuf_addf(&name, "revision_%s", g.tree);
	strbuf_reset(&e);
	if (jobs_agree(lab, &g, name.buf, &rev, &who, &e) > 0)
		strbuf_addf(out, "tree:      %s at %s\n", g.tree, rev);
	else
		strbuf_addf(out, "tree:      %s (%s)\n", g.tree,
		    e.len ? e.buf : "no revision");
out:
	free(rev);
	gate_release(&g);
	strbuf_release(&e);
	strbuf_release(&name);
}

int
push_explain(struct lab *lab, const char *branch, struct strbuf *out,
    struct strbuf *err)
{
	struct push_override_list ov = PUSH_OVERRIDE_LIST_INIT;
	struct push_record_list last = PUSH_RECORD_LIST_INIT,
	    any = PUSH_RECORD_LIST_INIT;
	struct flight f;
	sqlite3_stmt *st;
	int64_t id, newer;
	size_t i;
	int rc, have_f = 0;

	if ((rc = lab_check_name("branch", branch, err)) < 0 ||
	    (rc = db_int(&lab->db, &id, last_flight_sql, err, "s", branch)) < 0)
		return rc;
	if (rc == 0) {
		strbuf_addf(out, "branch %s: no finished real flight\n", branch);
		id = 0;
	} else {
		if ((rc = flight_get(lab, id, &f, err)) < 0)
			return rc;
		have_f = 1;
		if ((rc = db_query(&lab->db, &st, push_records_flight_sql, err, "i",
		    id)) < 0 || (rc = records_query(lab, st, &last, err)) < 0)
			goto out;
		strbuf_addf(out, "branch %s: flight %lld (real, finished ", branch,
		    (long long)id);
		add_time(out, f.finished);
		strbuf_addf(out, "): %s\n", last.nr == 0 ? "not pushed: ts-push has not "
		    "run on it" : strcmp(last.v[0].outcome, "pushed") == 0 ? "pushed" :
		    strcmp(last.v[0].outcome, "up-to-date") == 0 ?
		    "up to date, nothing to push" : "not pushed");
		why_tree(lab, &f, out);
		if ((rc = why_verdict(lab, id, out, err)) < 0)
			goto out;
	}
	if ((rc = push_override_list(lab, branch, 1, &ov, err)) < 0)
		goto out;
	for (i = 0; i < ov.nr; i++)
		add_override(out, &ov.v[i], i == 0 ? "overrides: " : "           ");
	if (ov.nr == 0)
		strbuf_addstr(out, "overrides: (none)\n");
	/* The last attempt on that flight, else the branch's last. */
	if (last.nr == 0 && (rc = push_records(lab, branch, 1, &any, err)) < 0)
		goto out;
	if (last.nr > 0)
		add_record(out, &last.v[0], "last push: ", 11);
	else if (any.nr > 0)
		add_record(out, &any.v[0], "last push: ", 11);
	else
		strbuf_addstr(out, "last push: (none)\n");
	if ((rc = db_int(&lab->db, &newer, newer_running_sql, err, "si", branch,
	    id)) > 0)
		strbuf_addf(out, "newer:     flight %lld is not finished yet\n",
		    (long long)newer);
	rc = rc < 0 ? rc : 0;
out:
	if (have_f)
		flight_release(&f);
	push_override_list_release(&ov);
	push_record_list_release(&last);
	push_record_list_release(&any);
	return rc;
}
