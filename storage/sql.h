/* Private to storage/: the two database engines behind one statement
 * interface. Every storage function is written once against sql_*; the
 * SQL text is written once in SQLite's numbered-parameter style (?1, ?2,
 * ...), which the PostgreSQL driver rewrites to $1, $2 when it prepares.
 *
 * The common currency of results is SQLite's: sql_step() returns
 * SQLITE_ROW, SQLITE_DONE or an (extended) SQLite error code, and the
 * PostgreSQL driver maps each SQLSTATE to the nearest one (23505 to
 * SQLITE_CONSTRAINT_UNIQUE, 40001 and 40P01 to SQLITE_BUSY, 42501 to
 * SQLITE_READONLY, a lost connection to SQLITE_IOERR, ...), so that
 * store_fail() says the same words whichever engine failed.
 *
 * On SQLite every call is an inline pass-through: the embedded engine
 * pays one branch a call for the seam and nothing more. */
#ifndef BK_STORE_SQL_H
#define BK_STORE_SQL_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

enum store_engine { STORE_ENGINE_SQLITE, STORE_ENGINE_PG };

struct pg_conn;
struct pg_stmt;

/* One prepared statement of either engine: exactly one of the two is set. */
typedef struct sql_stmt {
	sqlite3_stmt *lite;
	struct pg_stmt *pg;
} sql_stmt;

/* ---- the PostgreSQL driver (storage/pg.c) ---- */
/* conninfo: a postgresql:// URI or a keyword string. NULL with err set
 * in words when the server cannot be reached or refuses. */
struct pg_conn *pg_connect(const char *conninfo, char *err, size_t errlen);
void pg_disconnect(struct pg_conn *c);
/* Prepare sql (?N parameters) on the server, once per connection. */
int pg_prepare(struct pg_conn *c, const char *sql, struct pg_stmt **out);
void pg_finalize(struct pg_stmt *s);
/* Run one or more statements without parameters (DDL, BEGIN, COMMIT). */
int pg_exec(struct pg_conn *c, const char *sql);
const char *pg_errmsg(const struct pg_conn *c);
/* Rows the last INSERT, UPDATE or DELETE of this connection touched. */
int64_t pg_changes(const struct pg_conn *c);
bool pg_in_transaction(const struct pg_conn *c);

int pg_bind_int64(struct pg_stmt *s, int i, int64_t v);
int pg_bind_text(struct pg_stmt *s, int i, const char *t, int n, bool copy);
int pg_bind_blob(struct pg_stmt *s, int i, const void *p, int n, bool copy);
int pg_bind_null(struct pg_stmt *s, int i);
int pg_step(struct pg_stmt *s);
int pg_reset(struct pg_stmt *s);
int pg_clear_bindings(struct pg_stmt *s);
int pg_column_count(struct pg_stmt *s);
int pg_column_type(struct pg_stmt *s, int col);
int64_t pg_column_int64(struct pg_stmt *s, int col);
const unsigned char *pg_column_text(struct pg_stmt *s, int col);
const void *pg_column_blob(struct pg_stmt *s, int col);
int pg_column_bytes(struct pg_stmt *s, int col);

/* ---- the statement interface storage is written against ---- */
static inline int sql_bind_int64(sql_stmt *s, int i, int64_t v)
{
	return s->lite ? sqlite3_bind_int64(s->lite, i, v) : pg_bind_int64(s->pg, i, v);
}
static inline int sql_bind_int(sql_stmt *s, int i, int v)
{
	return s->lite ? sqlite3_bind_int(s->lite, i, v) : pg_bind_int64(s->pg, i, v);
}
/* destructor is SQLITE_STATIC (the text lives until the statement is
 * reset) or SQLITE_TRANSIENT (copied now), as in SQLite. */
static inline int sql_bind_text(sql_stmt *s, int i, const char *t, int n, void (*destructor)(void *))
{
	return s->lite ? sqlite3_bind_text(s->lite, i, t, n, destructor)
	               : pg_bind_text(s->pg, i, t, n, destructor == SQLITE_TRANSIENT);
}
static inline int sql_bind_blob(sql_stmt *s, int i, const void *p, int n, void (*destructor)(void *))
{
	return s->lite ? sqlite3_bind_blob(s->lite, i, p, n, destructor)
	               : pg_bind_blob(s->pg, i, p, n, destructor == SQLITE_TRANSIENT);
}
static inline int sql_bind_null(sql_stmt *s, int i)
{
	return s->lite ? sqlite3_bind_null(s->lite, i) : pg_bind_null(s->pg, i);
}
static inline int sql_step(sql_stmt *s)
{
	return s->lite ? sqlite3_step(s->lite) : pg_step(s->pg);
}
static inline int sql_reset(sql_stmt *s)
{
	return s->lite ? sqlite3_reset(s->lite) : pg_reset(s->pg);
}
static inline int sql_clear_bindings(sql_stmt *s)
{
	return s->lite ? sqlite3_clear_bindings(s->lite) : pg_clear_bindings(s->pg);
}
static inline int sql_column_count(sql_stmt *s)
{
	return s->lite ? sqlite3_column_count(s->lite) : pg_column_count(s->pg);
}
/* SQLITE_NULL, SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT or SQLITE_BLOB. */
static inline int sql_column_type(sql_stmt *s, int col)
{
	return s->lite ? sqlite3_column_type(s->lite, col) : pg_column_type(s->pg, col);
}
static inline int64_t sql_column_int64(sql_stmt *s, int col)
{
	return s->lite ? sqlite3_column_int64(s->lite, col) : pg_column_int64(s->pg, col);
}
static inline int sql_column_int(sql_stmt *s, int col)
{
	return s->lite ? sqlite3_column_int(s->lite, col) : (int)pg_column_int64(s->pg, col);
}
static inline const unsigned char *sql_column_text(sql_stmt *s, int col)
{
	return s->lite ? sqlite3_column_text(s->lite, col) : pg_column_text(s->pg, col);
}
static inline const void *sql_column_blob(sql_stmt *s, int col)
{
	return s->lite ? sqlite3_column_blob(s->lite, col) : pg_column_blob(s->pg, col);
}
static inline int sql_column_bytes(sql_stmt *s, int col)
{
	return s->lite ? sqlite3_column_bytes(s->lite, col) : pg_column_bytes(s->pg, col);
}

#endif
