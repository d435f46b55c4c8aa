/* The PostgreSQL side of the seam (storage/sql.h) when the program is
 * built without libpq: every connection is refused in words, so a
 * conninfo given to --db says what is missing rather than failing later. */
#include <stdio.h>

#include "storage/sql.h"

struct pg_conn *pg_connect(const char *conninfo, char *err, size_t errlen)
{
	(void)conninfo;
	snprintf(err, errlen, "this brokerage was built without PostgreSQL (libpq): use a database file");
	return NULL;
}
void pg_disconnect(struct pg_conn *c)
{
	(void)c;
}
int pg_prepare(struct pg_conn *c, const char *sql, struct pg_stmt **out)
{
	(void)c, (void)sql;
	*out = NULL;
	return SQLITE_MISUSE;
}
void pg_finalize(struct pg_stmt *s)
{
	(void)s;
}
int pg_exec(struct pg_conn *c, const char *sql)
{
	(void)c, (void)sql;
	return SQLITE_MISUSE;
}
const char *pg_errmsg(const struct pg_conn *c)
{
	(void)c;
	return "this brokerage was built without PostgreSQL";
}
int64_t pg_changes(const struct pg_conn *c)
{
	(void)c;
	return 0;
}
bool pg_in_transaction(const struct pg_conn *c)
{
	(void)c;
	return false;
}
int pg_bind_int64(struct pg_stmt *s, int i, int64_t v)
{
	(void)s, (void)i, (void)v;
	return SQLITE_MISUSE;
}
int pg_bind_text(struct pg_stmt *s, int i, const char *t, int n, bool copy)
{
	(void)s, (void)i, (void)t, (void)n, (void)copy;
	return SQLITE_MISUSE;
}
int pg_bind_blob(struct pg_stmt *s, int i, const void *p, int n, bool copy)
{
	(void)s, (void)i, (void)p, (void)n, (void)copy;
	return SQLITE_MISUSE;
}
int pg_bind_null(struct pg_stmt *s, int i)
{
	(void)s, (void)i;
	return SQLITE_MISUSE;
}
int pg_step(struct pg_stmt *s)
{
	(void)s;
	return SQLITE_MISUSE;
}
int pg_reset(struct pg_stmt *s)
{
	(void)s;
	return SQLITE_OK;
}
int pg_clear_bindings(struct pg_stmt *s)
{
	(void)s;
	return SQLITE_OK;
}
int pg_column_count(struct pg_stmt *s)
{
	(void)s;
	return 0;
}
int pg_column_type(struct pg_stmt *s, int col)
{
	(void)s, (void)col;
	return SQLITE_NULL;
}
int64_t pg_column_int64(struct pg_stmt *s, int col)
{
	(void)s, (void)col;
	return 0;
}
const unsigned char *pg_column_text(struct pg_stmt *s, int col)
{
	(void)s, (void)col;
	return NULL;
}
const void *pg_column_blob(struct pg_stmt *s, int col)
{
	(void)s, (void)col;
	return NULL;
}
int pg_column_bytes(struct pg_stmt *s, int col)
{
	(void)s, (void)col;
	return 0;
}
