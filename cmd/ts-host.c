/*
 * ts-host: the lab's inventory of test hosts: add, list, show, set,
 * quarantine, unquarantine, remove, import.  See ts-host(1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "cmd.h"
#include "host.h"
#include "xalloc.h"
#include "banned.h"

struct opts {
	const char *address, *arch, *flags, *host_key, *why, *timeout;
	const char **props;
	int json, no_connect, rescan;
	int64_t timeout_ms;
};

static struct opts o;

#define HOST_OPTIONS \
	{ "address", 'a', POPT_ARG_STRING, &o.address, 0, \
	  "where to reach it: [user@]host[:port] (user root, port 22)", "ADDRESS" }, \
	{ "arch", 0, POPT_ARG_STRING, &o.arch, 0, "its architecture: amd64, arm64...", \
	  "ARCH" }, \
	{ "flags", 'f', POPT_ARG_STRING, &o.flags, 0, \
	  "its flags, a,b,c; with set also +FLAG,-FLAG", "FLAGS" }, \
	{ "prop", 'p', POPT_ARG_ARGV, &o.props, 0, \
	  "a property NAME=VALUE (NAME= removes it with set); repeat", "NAME=VALUE" }, \
	{ "host-key", 'k', POPT_ARG_STRING, &o.host_key, 0, \
	  "its SSH host key, \"TYPE BASE64\" as in known_hosts", "KEY" }, \
	{ "no-connect", 0, POPT_ARG_NONE, &o.no_connect, 0, \
	  "add without connecting (needs --host-key)", NULL }

/* Flags and properties of o into h (add) or c (set). */
static int
collect(struct host *h, struct host_change *c, struct strbuf *err)
{
	struct host_change tmp = HOST_CHANGE_INIT;
	const char **p;
	int rc = 0;

	if (c == NULL)
		c = &tmp;
	if (o.flags != NULL &&
	    (rc = host_parse_flags(o.flags, c, h == NULL, err)) < 0)
		goto out;
	for (p = o.props; p != NULL && *p != NULL; p++) {
		if ((rc = host_check_prop(*p, err)) < 0)
			goto out;
		strvec_push(h != NULL ? &h->props : &c->props_set, *p);
	}
	if (h != NULL)
		strvec_pushv(&h->flags, tmp.flags_set.v);
out:
	host_change_release(&tmp);
	return rc;
}

static int
do_add(struct lab *lab, const char *name, struct strbuf *err)
{
	struct strbuf fp = STRBUF_INIT;
	struct host h;
	int rc;

	if (o.address == NULL || o.arch == NULL)
		return err_setf(err, TS_E_INPUT, "host %s: add needs --address and --arch",
		    name);
	host_init(&h);
	h.name = xstrdup(name);
	h.address = xstrdup(o.address);
	h.arch = xstrdup(o.arch);
	if ((rc = collect(&h, NULL, err)) == 0 &&
	    (rc = host_enroll(lab, &h, o.host_key, !o.no_connect, &fp, err)) == 0)
		printf("%s: added, host key %s\n", name, fp.buf);
	host_release(&h);
	strbuf_release(&fp);
	return rc;
}

static int
do_set(struct lab *lab, const char *name, struct strbuf *err)
{
	struct host_change c = HOST_CHANGE_INIT;
	struct strbuf fp = STRBUF_INIT;
	int rc;

	c.address = o.address;
	c.arch = o.arch;
	if ((rc = collect(NULL, &c, err)) == 0)
		rc = host_update(lab, name, &c, err);
	if (rc == 0 && (o.host_key != NULL || o.rescan) &&
	    (rc = host_rekey(lab, name, o.host_key, &fp, err)) == 0)
		printf("%s: host key now %s\n", name, fp.buf);
	host_change_release(&c);
	strbuf_release(&fp);
	return rc;
}

/* Who holds h now, for list and show (the allocator knows). */
static int
held_by(struct lab *lab, struct host *h, struct strbuf *err)
{
	struct strbuf who = STRBUF_INIT;
	int rc;

	if ((rc = alloc_holder(lab, h->name, &who, err)) > 0)
		h->held_by = strbuf_detach(&who, NULL);
	strbuf_release(&who);
	return rc < 0 ? rc : 0;
}

static int
do_show(struct lab *lab, const char *name, struct strbuf *out, struct strbuf *err)
{
	struct host h;
	int rc;

	if ((rc = host_get(lab, name, &h, err)) == 0 &&
	    (rc = alloc_reap(lab, err)) >= 0 &&
	    (rc = held_by(lab, &h, err)) == 0) {
		host_format_show(lab, &h, o.json, out);
		host_release(&h);
	}
	return rc;
}

/*
 * exec: run WORD... on the host, each word quoted for its shell; its
 * output comes here as it comes, and its exit status is ours.
 */
static int
do_exec(struct lab *lab, const char *name, const char **words, int nwords,
    int *code, struct strbuf *err)
{
	struct ssh_exec_opts eo = SSH_EXEC_OPTS_INIT;
	struct ssh_result res;
	struct ssh_conn *c = NULL;
	struct strvec argv = STRVEC_INIT;
	struct host h;
	int rc, i;

	if (nwords == 0)
		return err_setf(err, TS_E_INPUT, "exec: no command (ts-host exec NAME -- WORD...)");
	for (i = 0; i < nwords; i++)
		strvec_push(&argv, words[i]);
	eo.out_fd = 1;
	eo.err_fd = 2;
	eo.timeout_ms = o.timeout_ms;
	fflush(stdout);
	if ((rc = host_get(lab, name, &h, err)) == 0 &&
	    (rc = host_connect(lab, &h, 0, &c, err)) == 0 &&
	    (rc = ssh_exec(c, argv.v, &eo, &res, err)) == 0) {
		if (res.exited) {
			*code = res.code;
		} else {
			strbuf_reset(err);
			strbuf_addf(err, "host %s: ", name);
			strbuf_add_argv_human(err, argv.v);
			strbuf_addstr(err, ": ");
			ssh_describe(&res, err);
			if (res.timed_out)
				strbuf_addf(err, " after %lld s", (long long)(o.timeout_ms / 1000));
			rc = TS_E_LAB;
		}
	}
	ssh_close(c);
	host_release(&h);
	strvec_clear(&argv);
	return rc;
}

/* put LOCAL REMOTE, get REMOTE LOCAL: one file by SFTP, its mode kept. */
static int
do_copy(struct lab *lab, const char *name, int put, const char **paths,
    int npaths, struct strbuf *err)
{
	struct ssh_conn *c = NULL;
	struct host h;
	int rc;

	if (npaths != 2)
		return err_setf(err, TS_E_INPUT, "%s: two paths, %s", put ? "put" : "get",
		    put ? "LOCAL REMOTE" : "REMOTE LOCAL");
	if ((rc = host_get(lab, name, &h, err)) < 0)
		return rc;
	if ((rc = host_connect(lab, &h, 0, &c, err)) == 0)
		rc = put ? ssh_put(c, paths[0], paths[1], o.timeout_ms, err) :
		    ssh_get(c, paths[0], paths[1], o.timeout_ms, err);
	ssh_close(c);
	host_release(&h);
	return rc;
}

/* One line of a hosts file: NAME and the options of add. */
static int
import_line(struct lab *lab, const char *file, int lineno, const char *line,
    struct strbuf *err)
{
	struct poptOption table[] = { HOST_OPTIONS, POPT_TABLEEND };
	struct strbuf words = STRBUF_INIT;
	const char **argv = NULL, **args;
	struct opts saved = o;
	poptContext con;
	int argc, r, rc;

	strbuf_addf(&words, "ts-host %s", line);
	if (poptParseArgvString(words.buf, &argc, &argv) != 0) {
		rc = err_setf(err, TS_E_INPUT, "%s:%d: cannot split into words", file, lineno);
		goto out;
	}
	memset(&o, 0, sizeof(o));
	o.no_connect = saved.no_connect;
	con = poptGetContext("ts-host", argc, argv, table, 0);
	while ((r = poptGetNextOpt(con)) >= 0)
		;
	args = poptGetArgs(con);
	if (r < -1)
		rc = err_setf(err, TS_E_INPUT, "%s:%d: %s: %s", file, lineno,
		    poptBadOption(con, 0), poptStrerror(r));
	else if (args == NULL || args[0] == NULL || args[1] != NULL)
		rc = err_setf(err, TS_E_INPUT, "%s:%d: one host name and its options",
		    file, lineno);
	else if ((rc = do_add(lab, args[0], err)) < 0)
		err_wrapf(err, rc, "%s:%d", file, lineno);
	poptFreeContext(con);
	/* popt's copies of this line's option values are ours to free. */
	free((char *)o.address);
	free((char *)o.arch);
	free((char *)o.flags);
	free((char *)o.host_key);
	for (args = o.props; args != NULL && *args != NULL; args++)
		free((char *)*args);
	free(o.props);
	o = saved;
out:
	free(argv);
	strbuf_release(&words);
	return rc;
}

static int
do_import(struct lab *lab, const char *file, struct strbuf *err)
{
	struct strbuf text = STRBUF_INIT;
	char *p, *nl;
	int rc = 0, lineno = 0;

	if (strbuf_read_file(&text, file) < 0)
		return err_errno(err, TS_E_INPUT, "%s", file);
	for (p = text.buf; rc == 0 && p != NULL && *p != '\0'; p = nl) {
		if ((nl = strchr(p, '\n')) != NULL)
			*nl++ = '\0';
		lineno++;
		p += strspn(p, " \t");
		if (*p == '\0' || *p == '#')
			continue;
		rc = import_line(lab, file, lineno, p, err);
	}
	strbuf_release(&text);
	return rc;
}

int
main(int argc, const char **argv)
{
	static const struct cmd_info info = {
		"add NAME --address ADDR --arch ARCH [OPTION...] | list | show NAME | "
		"set NAME [OPTION...] | quarantine NAME --why TEXT | unquarantine NAME | "
		"remove NAME | import FILE | exec NAME -- WORD... | put NAME LOCAL REMOTE | "
		"get NAME REMOTE LOCAL",
		"keep the lab's inventory of test hosts, and reach them", 1, -1, 0,
	};
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;
	struct poptOption opts[] = {
		HOST_OPTIONS,
		{ "rescan", 0, POPT_ARG_NONE, &o.rescan, 0,
		  "set: record the host key the host shows now", NULL },
		{ "why", 'w', POPT_ARG_STRING, &o.why, 0, "quarantine: the reason", "TEXT" },
		{ "json", 0, POPT_ARG_NONE, &o.json, 0, "list and show: JSON", NULL },
		{ "timeout", 't', POPT_ARG_STRING, &o.timeout, 0,
		  "exec, put, get: give up after this (default: 1h)", "DURATION" },
		CMD_POPT_LAB,
		CMD_POPT_END
	};
	const char **args, *verb, *name;
	struct lab lab;
	int nargs, rc, many, code = 0;

	args = cmd_parse(argc, argv, opts, &info, &nargs);
	verb = args[0];
	name = nargs > 1 ? args[1] : NULL;
	if (strcmp(verb, "list") == 0 ? name != NULL : name == NULL)
		cmd_usage_error("%s: %s (see %s --help)", verb,
		    name ? "takes no argument" : "needs a host name", cmd_name);
	many = strcmp(verb, "exec") == 0 || strcmp(verb, "put") == 0 ||
	    strcmp(verb, "get") == 0;
	if (!many && nargs > 2)
		cmd_usage_error("%s: too many arguments (see %s --help)", verb, cmd_name);
	o.timeout_ms = 3600 * 1000;
	if (o.timeout != NULL && (conf_parse_duration(o.timeout, &o.timeout_ms) < 0 ||
	    o.timeout_ms == 0))
		cmd_usage_error("--timeout: '%s' is not a duration of more than 0",
		    o.timeout);
	cmd_open_lab(&lab);
	if (strcmp(verb, "add") == 0) {
		rc = do_add(&lab, name, &err);
	} else if (strcmp(verb, "list") == 0) {
		struct host_list l = HOST_LIST_INIT;

		size_t i;

		if ((rc = host_list(&lab, &l, &err)) == 0 &&
		    (rc = alloc_reap(&lab, &err)) >= 0) {
			for (i = 0, rc = 0; rc == 0 && i < l.nr; i++)
				rc = held_by(&lab, &l.v[i], &err);
			if (rc == 0)
				host_format_list(&l, o.json, &out);
		}
		host_list_release(&l);
	} else if (strcmp(verb, "show") == 0) {
		rc = do_show(&lab, name, &out, &err);
	} else if (strcmp(verb, "set") == 0) {
		rc = do_set(&lab, name, &err);
	} else if (strcmp(verb, "quarantine") == 0) {
		rc = host_set_state(&lab, name, HOST_QUARANTINED, o.why, &err);
	} else if (strcmp(verb, "unquarantine") == 0) {
		rc = host_set_state(&lab, name, HOST_FREE, NULL, &err);
	} else if (strcmp(verb, "remove") == 0) {
		rc = host_remove(&lab, name, &err);
	} else if (strcmp(verb, "import") == 0) {
		rc = do_import(&lab, name, &err);
	} else if (strcmp(verb, "exec") == 0) {
		rc = do_exec(&lab, name, args + 2, nargs - 2, &code, &err);
	} else if (strcmp(verb, "put") == 0 || strcmp(verb, "get") == 0) {
		rc = do_copy(&lab, name, verb[0] == 'p', args + 2, nargs - 2, &err);
	} else {
		rc = err_setf(&err, TS_E_INPUT, "'%s': not add, list, show, set, "
		    "quarantine, unquarantine, remove, import, exec, put or get", verb);
	}
	cmd_print(&out);
	lab_close(&lab);
	strbuf_release(&out);
	rc = cmd_exit(rc, &err);
	return rc == 0 ? code : rc;
}
