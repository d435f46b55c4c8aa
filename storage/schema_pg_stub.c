/* Stand-ins for PostgreSQL's side of the schema until storage/schema_pg.c
 * (branch pg-schema) is merged; built only when that file is absent. A
 * brokerage database on PostgreSQL is one whose meta table records a
 * schema_version; an empty one cannot be made by this stand-in. */
#include <stdio.h>

#include "storage/internal.h"
#include "storage/pg.h"

static enum store_status number(struct store *st, const char *sql, int64_t *out)
{
	sql_stmt *q = NULL;
	int rc = sql_prepare(st, sql, &q);
	*out = -1;
	if (rc == SQLITE_OK && (rc = sql_step(q)) == SQLITE_ROW) {
		*out = sql_column_int64(q, 0);
		rc = SQLITE_DONE;
	}
	sql_finalize(q);
	return rc == SQLITE_DONE ? STORE_OK : store_fail(st, rc, "reading the list of tables");
}

enum store_status store_pg_objects(struct store *st, int64_t *n)
{
	return number(st,
	              "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
	              "WHERE n.nspname = current_schema()",
	              n);
}

enum store_status store_pg_check_kind(struct store *st, char *err, size_t errlen)
{
	int64_t n = 0, meta = 0;
	enum store_status s = store_pg_objects(st, &n);
	if (s == STORE_OK && n > 0)
		s = number(st, "SELECT to_regclass('meta') IS NOT NULL", &meta);
	if (s != STORE_OK) {
		snprintf(err, errlen, "%s: %s", st->path, st->err);
		return s;
	}
	if (n == 0 && !st->create) {
		snprintf(err, errlen,
		         "%s is an empty PostgreSQL database, not a brokerage database; nothing was changed", st->path);
		return STORE_REFUSED;
	}
	if (n > 0 && meta != 1) {
		snprintf(err, errlen, "%s is a PostgreSQL database but not a brokerage database; nothing was changed",
		         st->path);
		return STORE_REFUSED;
	}
	return STORE_OK;
}

enum store_status store_pg_migrate(struct store *st, char *err, size_t errlen)
{
	int64_t n = 0;
	enum store_status s = store_pg_objects(st, &n);
	if (s != STORE_OK) {
		snprintf(err, errlen, "%s: %s", st->path, st->err);
		return s;
	}
	if (n == 0) {
		snprintf(err, errlen, "%s: this program cannot make the brokerage schema on PostgreSQL yet", st->path);
		return STORE_REFUSED;
	}
	return STORE_OK;
}
