/*
 * schema: the numbered migrations that build tlab.db.  See schema.c.
 */
#ifndef TLAB_SCHEMA_H
#define TLAB_SCHEMA_H

struct schema_migration {
	int version;
	const char *what;
	const char *sql;
};

extern const struct schema_migration schema_migrations[];
extern const int schema_nmigrations;

#endif
