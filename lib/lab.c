/*
 * lab: find, check and make lab directories.  See lab.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "err.h"
#include "proc.h"
#include "lab.h"
#include "xalloc.h"
#include "banned.h"

void
lab_path(const struct lab *lab, struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;

	strbuf_addstr(sb, lab->dir);
	strbuf_addch(sb, '/');
	va_start(ap, fmt);
	strbuf_vaddf(sb, fmt, ap);
	va_end(ap);
}

void
lab_ssh_key(const struct lab *lab, struct strbuf *path)
{
	const char *k = conf_get(&lab->conf, "", "", "ssh_key");

	strbuf_reset(path);
	if (k != NULL && k[0] == '/')
		strbuf_addstr(path, k);
	else if (k != NULL)
		lab_path(lab, path, "%s", k);
	else
		lab_path(lab, path, "ssh/id_ed25519");
}

void
lab_known_hosts(const struct lab *lab, struct strbuf *path)
{
	strbuf_reset(path);
	lab_path(lab, path, "known_hosts");
}

static char *
absolute(const char *dir)
{
	char cwd[PATH_MAX];

	if (dir[0] == '/' || getcwd(cwd, sizeof(cwd)) == NULL)
		return xstrdup(dir);
	return xasprintf("%s/%s", cwd, dir);
}

int
lab_open(struct lab *lab, const char *dir, struct strbuf *err)
{
	struct strbuf p = STRBUF_INIT;
	struct stat sb;
	int rc;

	memset(lab, 0, sizeof(*lab));
	if (dir == NULL || *dir == '\0')
		dir = getenv("TLAB_LAB");
	if (dir == NULL || *dir == '\0')
		return err_setf(err, TS_E_INPUT,
		    "no lab: give --lab DIR or set TLAB_LAB (ts-lab-init makes one)");
	if (stat(dir, &sb) < 0)
		return err_errno(err, errno == ENOENT ? TS_E_INPUT : TS_E_LAB,
		    "lab %s", dir);
	if (!S_ISDIR(sb.st_mode))
		return err_setf(err, TS_E_INPUT, "lab %s: not a directory", dir);
	lab->dir = absolute(dir);
	lab_path(lab, &p, "tlab.db");
	if (access(p.buf, F_OK) < 0) {
		rc = err_setf(err, TS_E_INPUT,
		    "lab %s: no tlab.db here (not a lab? ts-lab-init makes one)", dir);
		goto fail;
	}
	strbuf_reset(&p);
	lab_path(lab, &p, "tlab.conf");
	if ((rc = conf_load(&lab->conf, p.buf, err)) < 0)
		goto fail;
	strbuf_reset(&p);
	lab_path(lab, &p, "tlab.db");
	if ((rc = db_open(&lab->db, p.buf, DB_OPEN_EXISTING, err)) < 0)
		goto fail;
	strbuf_release(&p);
	return 0;
fail:
	strbuf_release(&p);
	lab_close(lab);
	return rc;
}

void
lab_close(struct lab *lab)
{
	db_close(&lab->db);
	conf_release(&lab->conf);
	free(lab->dir);
	lab->dir = NULL;
}

/* A component that cannot become a directory is the user's path, not the lab. */
static int
mkdir_fail(const char *path, struct strbuf *err)
{
	int e = errno;

	return err_errno(err, e == EACCES || e == ENOTDIR || e == EEXIST ||
	    e == ENOENT ? TS_E_INPUT : TS_E_LAB, "mkdir %s", path);
}

int
lab_mkdirs(const char *path, int mode, struct strbuf *err)
{
	char *copy, *p;
	struct stat sb;
	int rc = 0;

	if (*path == '\0')
		return err_setf(err, TS_E_INPUT, "mkdir: empty path");
	/* Most calls find the directory there already: one stat, no walk. */
	if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
		return 0;
	copy = xstrdup(path);
	for (p = copy + 1; ; p++) {
		char c = *p;

		if (c != '/' && c != '\0')
			continue;
		*p = '\0';
		if (mkdir(copy, (mode_t)mode) < 0) {
			if (errno != EEXIST ||
			    (stat(copy, &sb) == 0 && !S_ISDIR(sb.st_mode))) {
				if (errno == EEXIST)
					errno = ENOTDIR;
				rc = mkdir_fail(copy, err);
				break;
			}
		}
		*p = c;
		if (c == '\0')
			break;
	}
	free(copy);
	return rc;
}

int
lab_log_dir(const struct lab *lab, int64_t flight, const char *job,
    struct strbuf *sb, struct strbuf *err)
{
	lab_path(lab, sb, "logs/%lld/%s", (long long)flight, job);
	return lab_mkdirs(sb->buf, 0755, err);
}

static int
write_new_file(const char *path, const char *text, struct strbuf *err)
{
	size_t len = strlen(text);
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return errno == EEXIST ? 0 : err_errno(err, TS_E_LAB, "%s", path);
	if (write(fd, text, len) != (ssize_t)len || close(fd) < 0)
		return err_errno(err, TS_E_LAB, "%s", path);
	return 0;
}

/*
 * The lab's SSH key, ssh/id_ed25519, made by ssh-keygen (OpenSSH's own
 * tool: libssh2 cannot make keys).  An existing one is kept.
 */
static int
make_key(const struct lab *lab, struct strbuf *err)
{
	struct strbuf dir = STRBUF_INIT, key = STRBUF_INIT, comment = STRBUF_INIT;
	struct proc_opts po = PROC_OPTS_INIT;
	struct proc_result res;
	struct proc p;
	const char *argv[] = { "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C",
	    NULL, "-f", NULL, NULL };
	int rc = 0, nullfd;

	lab_path(lab, &dir, "ssh");
	lab_path(lab, &key, "ssh/id_ed25519");
	if (access(key.buf, F_OK) == 0)
		goto out;
	if ((rc = lab_mkdirs(dir.buf, 0700, err)) < 0)
		goto out;
	strbuf_addf(&comment, "tlab@%s", lab->dir);
	argv[7] = comment.buf;
	argv[9] = key.buf;
	nullfd = open("/dev/null", O_RDWR | O_CLOEXEC);
	po.argv = argv;
	po.fd_in = po.fd_out = nullfd;
	if ((rc = proc_spawn(&p, &po, err)) == 0) {
		rc = proc_wait(&p, NULL, 0, &res, err);
		proc_release(&p);
		if (rc == 0 && (!res.exited || res.code != 0)) {
			strbuf_reset(err);
			proc_describe(&res, err);
			rc = err_wrapf(err, TS_E_LAB, "ssh-keygen for %s", key.buf);
		}
	} else {
		err_wrapf(err, TS_E_LAB, "the lab's key (install openssh-client)");
		rc = TS_E_LAB;
	}
	if (nullfd >= 0)
		close(nullfd);
out:
	strbuf_release(&dir);
	strbuf_release(&key);
	strbuf_release(&comment);
	return rc;
}

int
lab_init(const char *dir, struct strbuf *abs, struct strbuf *err)
{
	static const char *const subdirs[] = { "logs", "stash", "recipes" };
	struct lab lab;
	struct strbuf p = STRBUF_INIT;
	struct db db;
	size_t i;
	int rc;

	memset(&lab, 0, sizeof(lab));
	lab.dir = absolute(dir);
	if ((rc = lab_mkdirs(lab.dir, 0755, err)) < 0)
		goto out;
	if (abs != NULL)
		strbuf_addstr(abs, lab.dir);
	lab_path(&lab, &p, "tlab.db");
	if (access(p.buf, F_OK) == 0) {
		rc = err_setf(err, TS_E_INPUT, "%s: already a lab (tlab.db exists)", dir);
		goto out;
	}
	for (i = 0; i < sizeof(subdirs) / sizeof(subdirs[0]); i++) {
		strbuf_reset(&p);
		lab_path(&lab, &p, "%s", subdirs[i]);
		if ((rc = lab_mkdirs(p.buf, 0755, err)) < 0)
			goto out;
	}
	/* An existing tlab.conf is the user's: keep it, but it must be valid. */
	strbuf_reset(&p);
	lab_path(&lab, &p, "tlab.conf");
	if ((rc = write_new_file(p.buf, conf_template, err)) < 0 ||
	    (rc = conf_load(&lab.conf, p.buf, err)) < 0)
		goto out;
	if ((rc = make_key(&lab, err)) < 0)
		goto out;
	strbuf_reset(&p);
	lab_path(&lab, &p, "tlab.db");
	if ((rc = db_open(&db, p.buf, DB_OPEN_CREATE, err)) < 0)
		goto out;
	db_close(&db);
out:
	strbuf_release(&p);
	lab_close(&lab);
	return rc;
}

const char *
lab_datadir(void)
{
	const char *d = getenv("TLAB_DATADIR");

	return d != NULL && *d != '\0' ? d : PKGDATADIR;
}

int
lab_find_recipe(const struct lab *lab, const char *recipe, struct strbuf *path,
    struct strbuf *err)
{
	int rc;

	if ((rc = lab_check_name("recipe", recipe, err)) < 0)
		return rc;
	strbuf_reset(path);
	lab_path(lab, path, "recipes/%s.sh", recipe);
	if (access(path->buf, R_OK) == 0)
		return 0;
	strbuf_reset(path);
	strbuf_addf(path, "%s/recipes/%s.sh", lab_datadir(), recipe);
	if (access(path->buf, R_OK) == 0)
		return 0;
	return err_setf(err, TS_E_INPUT, "recipe %s: not found in %s/recipes or %s/recipes",
	    recipe, lab->dir, lab_datadir());
}

