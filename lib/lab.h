/*
 * lab: one directory holding a lab: tlab.conf, the state database tlab.db,
 * logs/ (a directory per flight and job), stash/ (build artifacts) and
 * recipes/ (the lab's own recipes, found before the installed ones).
 *
 * Every binary finds its lab through --lab DIR or $TLAB_LAB and opens it
 * with lab_open, which reads and checks tlab.conf and opens tlab.db.
 */
#ifndef TLAB_LAB_H
#define TLAB_LAB_H

#include <stdint.h>

#include "conf.h"
#include "db.h"
#include "names.h"
#include "version.h"
#include "strbuf.h"

struct lab {
	char *dir;		/* as given, made absolute */
	struct conf conf;
	struct db db;
};

int lab_open(struct lab *lab, const char *dir, struct strbuf *err);
void lab_close(struct lab *lab);

/*
 * Make a new lab at dir (created if missing); refuses an existing lab.
 * abs, when not NULL, gets the lab's absolute path.
 */
int lab_init(const char *dir, struct strbuf *abs, struct strbuf *err);

/* Append dir/relative-path to sb. */
void lab_path(const struct lab *lab, struct strbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * The lab's SSH files, into path: its private key (ssh_key of tlab.conf,
 * relative to the lab; default ssh/id_ed25519), its known_hosts.
 */
void lab_ssh_key(const struct lab *lab, struct strbuf *path);
void lab_known_hosts(const struct lab *lab, struct strbuf *path);

/*
 * Where installed data (recipes/, recipes/lib.sh) lives: $TLAB_DATADIR, or
 * the pkgdatadir tlab was configured with.
 */
const char *lab_datadir(void);

/*
 * The file of recipe NAME: LAB/recipes/NAME.sh, else DATADIR/recipes/NAME.sh.
 * TS_E_INPUT names the recipe and both places when neither exists.
 */
int lab_find_recipe(const struct lab *lab, const char *recipe,
    struct strbuf *path, struct strbuf *err);

/* Append LAB/logs/FLIGHT/JOB to sb, making the directories. */
int lab_log_dir(const struct lab *lab, int64_t flight, const char *job,
    struct strbuf *sb, struct strbuf *err);

/* mkdir -p with mode for the new directories. */
int lab_mkdirs(const char *path, int mode, struct strbuf *err);

#endif
