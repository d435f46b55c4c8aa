/* Every column of every table as the program's storage reads it from the
 * engine's own catalog, one line each (table column kind null|not-null):
 * tests/pg/schema.sh compares SQLite's schema with PostgreSQL's by it.
 * Usage: schema_columns PATH|CONNINFO (an existing database, read only). */
#include <stdio.h>

#include "storage/store.h"

static int print(void *ud, const char *table, const char *column, const char *kind, bool notnull)
{
	(void)ud;
	printf("%s %s %s %s\n", table, column, kind, notnull ? "not-null" : "null");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: schema_columns PATH|CONNINFO\n");
		return 2;
	}
	struct store *st = NULL;
	char err[1024];
	struct store_open_opts o = { .path = argv[1], .readonly = true };
	if (store_open(&o, &st, err, sizeof err) != STORE_OK) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	enum store_status s = store_schema_each(st, print, NULL);
	if (s != STORE_OK)
		fprintf(stderr, "%s\n", store_errmsg(st));
	store_close(st);
	return s == STORE_OK ? 0 : 1;
}
