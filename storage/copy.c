/* Moving a team between engines (issue 19): every table copied row by row
 * through prepared statements on both connections, in one transaction on
 * the target, ids and audit rows kept byte for byte; then checked on
 * arrival (every table's count, the audit chain verifying with the same
 * head) before the commit. Generic over store_tables: columns are read by
 * name from each engine's catalog, so that a column added to both schemas
 * is copied without a word here. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "storage/internal.h"
#include "storage/pg.h"

#define MAX_COLUMNS 40

struct columns {
	int n;
	char name[MAX_COLUMNS][64];
	char kind[MAX_COLUMNS][8]; /* integer, text, blob */
	bool notnull[MAX_COLUMNS];
};

/* A table's columns in order, as the engine's catalog has them. */
static enum store_status table_columns(struct store *st, const char *table, struct columns *out)
{
	static const char *const lite =
		"SELECT name, CASE upper(type) WHEN 'INTEGER' THEN 'integer' WHEN 'TEXT' THEN 'text' "
		"  WHEN 'BLOB' THEN 'blob' ELSE lower(type) END, \"notnull\" OR pk "
		"FROM pragma_table_info(?1) ORDER BY cid";
	static const char *const pg =
		"SELECT CAST(a.attname AS TEXT), CASE t.typname WHEN 'int8' THEN 'integer' WHEN 'text' THEN 'text' "
		"  WHEN 'citext' THEN 'text' WHEN 'bytea' THEN 'blob' ELSE CAST(t.typname AS TEXT) END, "
		"  CASE WHEN a.attnotnull THEN 1 ELSE 0 END "
		"FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
		"JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_type t ON t.oid = a.atttypid "
		"WHERE n.nspname = current_schema() AND c.relname = ?1 AND c.relkind = 'r' "
		"  AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum";
	memset(out, 0, sizeof *out);
	sql_stmt *s = NULL;
	int rc = sql_prepare(st, st->engine == STORE_ENGINE_PG ? pg : lite, &s);
	if (rc != SQLITE_OK)
		return store_fail(st, rc, "reading the list of columns");
	if (sql_bind_text(s, 1, table, -1, SQLITE_STATIC) != SQLITE_OK) {
		sql_finalize(s);
		return store_fail(st, SQLITE_ERROR, "reading the list of columns");
	}
	while ((rc = sql_step(s)) == SQLITE_ROW) {
		if (out->n == MAX_COLUMNS) {
			sql_finalize(s);
			snprintf(st->err, sizeof st->err, "the table %s has more than %d columns", table, MAX_COLUMNS);
			return STORE_ERROR;
		}
		store_col_text(s, 0, out->name[out->n], sizeof out->name[0]);
		store_col_text(s, 1, out->kind[out->n], sizeof out->kind[0]);
		out->notnull[out->n] = sql_column_int64(s, 2) != 0;
		out->n++;
	}
	sql_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, "reading the list of columns");
	return STORE_OK;
}

enum store_status store_schema_each(struct store *st, store_schema_fn fn, void *ud)
{
	for (size_t i = 0; i < store_table_count; i++) {
		struct columns c;
		enum store_status s = table_columns(st, store_tables[i].name, &c);
		if (s != STORE_OK)
			return s;
		for (int k = 0; k < c.n; k++)
			if (fn(ud, store_tables[i].name, c.name[k], c.kind[k], c.notnull[k]) != 0)
				return STORE_OK;
	}
	return STORE_OK;
}

/* Appends text to buf at *off; false when it does not fit. */
static bool put(char *buf, size_t len, size_t *off, const char *text)
{
	size_t n = strlen(text);
	if (*off + n >= len)
		return false;
	memcpy(buf + *off, text, n + 1);
	*off += n;
	return true;
}

/* SQL text made of parts (NULL-terminated): the names of tables and
 * columns, which no statement can take as a bound value, from the static
 * list of tables or the catalog; never a value, which is always bound. */
bool store_sql_cat(char *buf, size_t len, const char *const *parts)
{
	size_t off = 0;
	buf[0] = '\0';
	for (; *parts; parts++)
		if (!put(buf, len, &off, *parts))
			return false;
	return true;
}

/* Rows of a table, meta's schema_version left out (SQLite keeps its
 * version in the file's header; each side keeps its own). */
static enum store_status count_rows(struct store *st, const char *table, int64_t *n)
{
	char sql[160];
	const char *const parts[] = { "SELECT count(*) FROM ", table,
		                      strcmp(table, "meta") == 0 ? " WHERE key <> 'schema_version'" : "", NULL };
	if (!store_sql_cat(sql, sizeof sql, parts)) {
		snprintf(st->err, sizeof st->err, "the name of the table %s is too long", table);
		return STORE_ERROR;
	}
	sql_stmt *s = NULL;
	int rc = sql_prepare(st, sql, &s);
	if (rc != SQLITE_OK)
		return store_fail(st, rc, "counting the rows");
	rc = sql_step(s);
	if (rc == SQLITE_ROW) {
		*n = sql_column_int64(s, 0);
		rc = SQLITE_DONE;
	}
	sql_finalize(s);
	return rc == SQLITE_DONE ? STORE_OK : store_fail(st, rc, "counting the rows");
}

/* Rows go over in batches: one INSERT of up to COPY_BATCH rows, each
 * value held here until the batch is written (the source's cursor moves
 * on meanwhile), so that a server is asked once for many rows. */
#define COPY_BATCH 64

struct cell {
	int type; /* SQLITE_NULL, SQLITE_INTEGER, SQLITE_TEXT, SQLITE_BLOB */
	int64_t i;
	char *p;
	int n;
	size_t cap;
};

/* Takes column col of the source's current row into c. */
static bool take(sql_stmt *s, int col, struct cell *c)
{
	c->type = sql_column_type(s, col);
	if (c->type == SQLITE_INTEGER) {
		c->i = sql_column_int64(s, col);
		return true;
	}
	if (c->type == SQLITE_NULL)
		return true;
	if (c->type != SQLITE_TEXT && c->type != SQLITE_BLOB)
		return false;
	const void *v = c->type == SQLITE_TEXT ? (const void *)sql_column_text(s, col) : sql_column_blob(s, col);
	int n = sql_column_bytes(s, col);
	if (n < 0 || (n > 0 && !v))
		return false;
	if ((size_t)n + 1 > c->cap) {
		char *p = realloc(c->p, (size_t)n + 1);
		if (!p)
			return false;
		c->p = p;
		c->cap = (size_t)n + 1;
	}
	if (n)
		memcpy(c->p, v, (size_t)n);
	c->p[n] = '\0';
	c->n = n;
	return true;
}

static int bind_cell(sql_stmt *w, int idx, const struct cell *c)
{
	switch (c->type) {
	case SQLITE_INTEGER:
		return sql_bind_int64(w, idx, c->i);
	case SQLITE_TEXT:
		return sql_bind_text(w, idx, c->p, c->n, SQLITE_STATIC);
	case SQLITE_BLOB:
		return sql_bind_blob(w, idx, c->p, c->n, SQLITE_STATIC);
	default:
		return sql_bind_null(w, idx);
	}
}

/* INSERT INTO table(columns) VALUES (?1, ...), ... for k rows. */
static char *insert_sql(const char *table, const struct columns *c, int k)
{
	size_t len = 64 + strlen(table) + (size_t)c->n * (sizeof c->name[0] + 2) + (size_t)k * (size_t)c->n * 10;
	char *sql = malloc(len), num[24];
	size_t off = 0;
	bool fits =
		sql && put(sql, len, &off, "INSERT INTO ") && put(sql, len, &off, table) && put(sql, len, &off, "(");
	for (int i = 0; fits && i < c->n; i++)
		fits = put(sql, len, &off, i ? ", " : "") && put(sql, len, &off, c->name[i]);
	fits = fits && put(sql, len, &off, ") VALUES ");
	for (int r = 0; fits && r < k; r++)
		for (int i = 0; fits && i < c->n; i++) {
			snprintf(num, sizeof num, "%s?%d%s",
			         i   ? ", "
			         : r ? ", ("
			             : "(",
			         r * c->n + i + 1, i + 1 == c->n ? ")" : "");
			fits = put(sql, len, &off, num);
		}
	if (!fits) {
		free(sql);
		return NULL;
	}
	return sql;
}

/* Writes the k rows held in cells through an INSERT of k rows (the full
 * batch's statement, prepared once, or one made for the last few). */
static enum store_status write_rows(struct store *to, const struct store_table *t, const struct columns *c,
                                    sql_stmt **batch, struct cell *cells, int k, int64_t first, char *err,
                                    size_t errlen)
{
	sql_stmt *w = k == COPY_BATCH ? *batch : NULL;
	if (!w) {
		char *sql = insert_sql(t->name, c, k);
		int rc = sql ? sql_prepare(to, sql, &w) : SQLITE_NOMEM;
		free(sql);
		if (rc != SQLITE_OK) {
			store_fail(to, rc, "writing the target");
			snprintf(err, errlen, "copying the table %s: %s", t->name, to->err);
			return STORE_ERROR;
		}
		if (k == COPY_BATCH)
			*batch = w;
	}
	int rc = SQLITE_OK;
	for (int i = 0; rc == SQLITE_OK && i < k * c->n; i++)
		rc = bind_cell(w, i + 1, &cells[i]);
	if (rc == SQLITE_OK)
		rc = sql_step(w);
	else
		rc = SQLITE_MISMATCH;
	sql_reset(w);
	sql_clear_bindings(w);
	if (w != *batch)
		sql_finalize(w);
	if (rc != SQLITE_DONE) {
		enum store_status s = store_fail(to, rc, "writing the target");
		snprintf(err, errlen, "copying the table %s, rows %lld to %lld: %s", t->name, (long long)first,
		         (long long)first + k - 1, to->err);
		return s == STORE_OK ? STORE_ERROR : s;
	}
	return STORE_OK;
}

/* Rows of the source a page: a whole number of batches. */
#define COPY_PAGE (16 * COPY_BATCH)

/* The columns of a table's key (its primary key, store_tables), as
 * positions among its columns, and their values in the last row read. */
struct keyset {
	int n;
	int col[4];
	struct cell last[4];
};

static bool key_columns(const struct store_table *t, const struct columns *c, struct keyset *k)
{
	memset(k, 0, sizeof *k);
	for (const char *p = t->key; *p;) {
		size_t len = strcspn(p, ", ");
		int found = -1;
		for (int i = 0; i < c->n && found < 0; i++)
			if (strlen(c->name[i]) == len && strncmp(c->name[i], p, len) == 0)
				found = i;
		if (found < 0 || k->n == 4)
			return false;
		k->col[k->n++] = found;
		p += len;
		p += strspn(p, ", ");
	}
	return k->n > 0;
}

/* SELECT the columns FROM the table [WHERE (key) > (?2, ...)] ORDER BY
 * key LIMIT ?1 (meta without its schema_version, which each side keeps). */
static bool page_sql(const struct store_table *t, const struct columns *c, const struct keyset *k, bool after,
                     char *sql, size_t len)
{
	size_t off = 0;
	char num[16];
	bool fits = put(sql, len, &off, "SELECT ");
	for (int i = 0; fits && i < c->n; i++)
		fits = put(sql, len, &off, i ? ", " : "") && put(sql, len, &off, c->name[i]);
	fits = fits && put(sql, len, &off, " FROM ") && put(sql, len, &off, t->name) &&
	       put(sql, len, &off, strcmp(t->name, "meta") == 0 ? " WHERE key <> 'schema_version'" : " WHERE 1 = 1");
	if (after) {
		fits = fits && put(sql, len, &off, " AND (") && put(sql, len, &off, t->key) &&
		       put(sql, len, &off, ") > (");
		for (int i = 0; fits && i < k->n; i++) {
			snprintf(num, sizeof num, "%s?%d", i ? ", " : "", i + 2);
			fits = put(sql, len, &off, num);
		}
		fits = fits && put(sql, len, &off, ")");
	}
	return fits && put(sql, len, &off, " ORDER BY ") && put(sql, len, &off, t->key) &&
	       put(sql, len, &off, " LIMIT ?1");
}

/* A key's value bound as the type it was read as, copied (the cell is
 * overwritten while the statement runs). */
static int bind_key(sql_stmt *s, int idx, const struct cell *c)
{
	switch (c->type) {
	case SQLITE_INTEGER:
		return sql_bind_int64(s, idx, c->i);
	case SQLITE_TEXT:
		return sql_bind_text(s, idx, c->p, c->n, SQLITE_TRANSIENT);
	default: /* a key is never NULL nor a blob */
		return SQLITE_MISMATCH;
	}
}

/* One table, in batches of rows: the source's columns (the target must
 * have the same, in the same order), each value bound as the type it has. */
static enum store_status copy_table(struct store *from, struct store *to, const struct store_table *t, int64_t *rows,
                                    char *err, size_t errlen)
{
	struct columns a, b;
	if (table_columns(from, t->name, &a) != STORE_OK) {
		snprintf(err, errlen, "reading the table %s of the source failed: %s", t->name, from->err);
		return STORE_ERROR;
	}
	if (table_columns(to, t->name, &b) != STORE_OK) {
		snprintf(err, errlen, "reading the table %s of the target failed: %s", t->name, to->err);
		return STORE_ERROR;
	}
	bool same = a.n == b.n && a.n > 0;
	for (int i = 0; same && i < a.n; i++)
		same = strcmp(a.name[i], b.name[i]) == 0 && strcmp(a.kind[i], b.kind[i]) == 0;
	if (!same) {
		snprintf(err, errlen,
		         "the table %s has other columns in the source and the target (a schema of another version?)",
		         t->name);
		return STORE_REFUSED;
	}
	/* The source is read in pages, by its key (WHERE (key) > (the last
	 * row's) ORDER BY key LIMIT n): a server's driver holds a statement's
	 * whole result, and a table (event_payload) may be large. */
	struct keyset keys;
	if (!key_columns(t, &a, &keys)) {
		snprintf(err, errlen, "the table %s has no column for its key %s", t->name, t->key);
		return STORE_ERROR;
	}
	char sel_first[2048], sel_next[2400];
	if (!page_sql(t, &a, &keys, false, sel_first, sizeof sel_first) ||
	    !page_sql(t, &a, &keys, true, sel_next, sizeof sel_next)) {
		snprintf(err, errlen, "the table %s has too many columns to copy", t->name);
		return STORE_ERROR;
	}
	struct cell *cells = calloc((size_t)COPY_BATCH * (size_t)a.n, sizeof *cells);
	if (!cells) {
		snprintf(err, errlen, "out of memory");
		return STORE_ERROR;
	}
	sql_stmt *first = NULL, *next = NULL, *batch = NULL;
	int rc = sql_prepare(from, sel_first, &first);
	if (rc == SQLITE_OK)
		rc = sql_prepare(from, sel_next, &next);
	if (rc != SQLITE_OK) {
		store_fail(from, rc, "reading the source");
		snprintf(err, errlen, "copying the table %s: %s", t->name, from->err);
		sql_finalize(first);
		free(cells);
		return STORE_ERROR;
	}
	enum store_status status = STORE_OK;
	int held = 0;
	*rows = 0;
	for (bool more = true, on = false; more && status == STORE_OK; on = true) {
		sql_stmt *s = on ? next : first;
		rc = sql_bind_int64(s, 1, COPY_PAGE);
		for (int k = 0; on && rc == SQLITE_OK && k < keys.n; k++)
			rc = bind_key(s, k + 2, &keys.last[k]);
		if (rc != SQLITE_OK) {
			sql_reset(s);
			status = store_fail(from, rc, "reading the source");
			snprintf(err, errlen, "copying the table %s: %s", t->name, from->err);
			break;
		}
		int got = 0;
		while ((rc = sql_step(s)) == SQLITE_ROW) {
			bool ok = true;
			for (int i = 0; ok && i < a.n; i++)
				ok = take(s, i, &cells[held * a.n + i]);
			for (int k = 0; ok && k < keys.n; k++)
				ok = take(s, keys.col[k], &keys.last[k]);
			if (!ok) {
				snprintf(err, errlen,
				         "copying the table %s: a value of row %lld could not be taken over", t->name,
				         (long long)*rows + held + 1);
				status = STORE_ERROR;
				break;
			}
			got++;
			if (++held == COPY_BATCH) {
				status = write_rows(to, t, &a, &batch, cells, held, *rows + 1, err, errlen);
				if (status != STORE_OK)
					break;
				*rows += held;
				held = 0;
			}
		}
		if (status == STORE_OK && rc != SQLITE_DONE) {
			status = store_fail(from, rc, "reading the source");
			snprintf(err, errlen, "copying the table %s: %s", t->name, from->err);
		}
		sql_reset(s);
		more = got == COPY_PAGE;
	}
	if (status == STORE_OK && held > 0) {
		status = write_rows(to, t, &a, &batch, cells, held, *rows + 1, err, errlen);
		if (status == STORE_OK)
			*rows += held;
	}
	for (int k = 0; k < keys.n; k++)
		free(keys.last[k].p);
	sql_finalize(first);
	sql_finalize(next);
	sql_finalize(batch);
	for (int i = 0; i < COPY_BATCH * a.n; i++)
		free(cells[i].p);
	free(cells);
	return status;
}

/* A PostgreSQL identity column numbers on from the copied rows. */
static enum store_status number_on(struct store *to, const struct store_table *t)
{
	if (to->engine != STORE_ENGINE_PG || !t->identity)
		return STORE_OK;
	char sql[300];
	const char *const parts[] = { "SELECT setval(pg_get_serial_sequence(?1, ?2), (SELECT coalesce(max(",
		                      t->identity,
		                      "), 0) + 1 FROM ",
		                      t->name,
		                      "), false)",
		                      NULL };
	if (!store_sql_cat(sql, sizeof sql, parts))
		return store_fail(to, SQLITE_TOOBIG, "numbering on from the copied rows");
	sql_stmt *s = NULL;
	int rc = sql_prepare(to, sql, &s);
	if (rc == SQLITE_OK && (sql_bind_text(s, 1, t->name, -1, SQLITE_STATIC) != SQLITE_OK ||
	                        sql_bind_text(s, 2, t->identity, -1, SQLITE_STATIC) != SQLITE_OK))
		rc = SQLITE_ERROR;
	if (rc == SQLITE_OK) {
		rc = sql_step(s);
		if (rc == SQLITE_ROW)
			rc = SQLITE_DONE;
	}
	sql_finalize(s);
	return rc == SQLITE_DONE ? STORE_OK : store_fail(to, rc, "numbering on from the copied rows");
}

enum store_status store_copy(struct store *from, struct store *to, struct store_copy_result *out, char *err,
                             size_t errlen)
{
	memset(out, 0, sizeof *out);
	snprintf(out->target, sizeof out->target, "%s", to->path);
	if (to->readonly) {
		snprintf(err, errlen, "the target is open read-only: nothing can be copied into it");
		return STORE_REFUSED;
	}
	/* One view of the source throughout: a read transaction. */
	if (store_begin_read(from) != STORE_OK) {
		snprintf(err, errlen, "reading the source failed: %s", from->err);
		return STORE_ERROR;
	}
	/* The source must be whole before it is copied: its chain verifies. */
	struct store_verify v;
	enum store_status s = store_audit_verify(from, &v);
	if (s != STORE_OK) {
		snprintf(err, errlen, "reading the source's audit trail failed: %s", from->err);
		goto end_read;
	}
	if (v.bad_seq) {
		snprintf(err, errlen, "the source's audit trail does not verify at event %lld (%s): nothing was copied",
		         (long long)v.bad_seq, v.problem);
		s = STORE_REFUSED;
		goto end_read;
	}
	s = store_audit_head(from, &out->head_seq, out->head);
	if (s != STORE_OK) {
		snprintf(err, errlen, "reading the source's audit trail failed: %s", from->err);
		goto end_read;
	}
	out->events = v.events;

	if (store_begin(to) != STORE_OK) {
		snprintf(err, errlen, "starting the copy failed: %s", to->err);
		s = STORE_ERROR;
		goto end_read;
	}
	/* An empty PostgreSQL database gets its schema in the same transaction. */
	int64_t objects = 1;
	if (to->engine == STORE_ENGINE_PG && (s = store_pg_objects(to, &objects)) != STORE_OK) {
		snprintf(err, errlen, "reading the target failed: %s", to->err);
		goto undo;
	}
	if (objects == 0 && (s = store_pg_schema(to, err, errlen)) != STORE_OK)
		goto undo;
	/* What the target's own opening wrote (the marks in meta) gives way to
	 * the source's; every other table must be empty. */
	if (sql_exec(to, "DELETE FROM meta WHERE key <> 'schema_version'") != SQLITE_OK) {
		s = store_fail(to, SQLITE_ERROR, "emptying the target's settings");
		snprintf(err, errlen, "%s", to->err);
		goto undo;
	}
	for (size_t i = 0; i < store_table_count; i++) {
		int64_t n = 0;
		if ((s = count_rows(to, store_tables[i].name, &n)) != STORE_OK) {
			snprintf(err, errlen, "reading the target failed: %s", to->err);
			goto undo;
		}
		if (n > 0) {
			snprintf(err, errlen,
			         "the target is not empty (its table %s has %lld rows): nothing was copied",
			         store_tables[i].name, (long long)n);
			s = STORE_REFUSED;
			goto undo;
		}
	}
	for (size_t i = 0; i < store_table_count; i++) {
		const struct store_table *t = &store_tables[i];
		int64_t rows = 0, want = 0, got = 0;
		if ((s = copy_table(from, to, t, &rows, err, errlen)) != STORE_OK)
			goto undo;
		if ((s = number_on(to, t)) != STORE_OK) {
			snprintf(err, errlen, "%s", to->err);
			goto undo;
		}
		/* On arrival: as many rows there as here. */
		if ((s = count_rows(from, t->name, &want)) != STORE_OK) {
			snprintf(err, errlen, "counting the source's rows failed: %s", from->err);
			goto undo;
		}
		if ((s = count_rows(to, t->name, &got)) != STORE_OK) {
			snprintf(err, errlen, "counting the target's rows failed: %s", to->err);
			goto undo;
		}
		if (want != rows || got != want) {
			snprintf(err, errlen,
			         "the table %s arrived with %lld rows but the source has %lld: nothing was copied",
			         t->name, (long long)got, (long long)want);
			s = STORE_ERROR;
			goto undo;
		}
		out->tables++;
		out->rows += rows;
	}
	/* On arrival: the chain verifies there and ends at the same event. */
	struct store_verify tv;
	int64_t head_seq = 0;
	unsigned char head[STORE_HASH_BYTES];
	if ((s = store_audit_verify(to, &tv)) != STORE_OK || (s = store_audit_head(to, &head_seq, head)) != STORE_OK) {
		snprintf(err, errlen, "reading the copied audit trail failed: %s", to->err);
		goto undo;
	}
	if (tv.bad_seq || tv.events != v.events || head_seq != out->head_seq ||
	    memcmp(head, out->head, STORE_HASH_BYTES) != 0) {
		char a[2 * STORE_HASH_BYTES + 1], b[2 * STORE_HASH_BYTES + 1];
		store_hash_hex(out->head, a);
		store_hash_hex(head, b);
		if (tv.bad_seq)
			snprintf(err, errlen,
			         "the copied audit trail does not verify at event %lld (%s): nothing was copied",
			         (long long)tv.bad_seq, tv.problem);
		else
			snprintf(err, errlen,
			         "the copied audit trail ends at event %lld (%.16s...), the source's at %lld "
			         "(%.16s...): "
			         "nothing was copied",
			         (long long)head_seq, b, (long long)out->head_seq, a);
		s = STORE_ERROR;
		goto undo;
	}
	if ((s = store_commit(to)) != STORE_OK) {
		snprintf(err, errlen, "saving the copy failed: %s", to->err);
		goto end_read;
	}
	store_rollback(from);
	return STORE_OK;
undo:
	store_rollback(to);
end_read:
	store_rollback(from);
	return s;
}

/* A connection to a PostgreSQL database with nothing checked nor made:
 * the target of a copy, which makes the schema in its own transaction. */
static enum store_status connect_bare(const char *conninfo, struct store **out, char *err, size_t errlen)
{
	struct store *st = calloc(1, sizeof *st);
	if (!st) {
		snprintf(err, errlen, "out of memory");
		return STORE_ERROR;
	}
	st->engine = STORE_ENGINE_PG;
	if (!pg_conninfo_display(conninfo, st->path, sizeof st->path, err, errlen)) {
		free(st);
		return STORE_REFUSED;
	}
	char why[512];
	st->pg = pg_connect(conninfo, why, sizeof why);
	if (!st->pg) {
		snprintf(err, errlen, "%s: %s", st->path, why);
		free(st);
		return STORE_ERROR;
	}
	*out = st;
	return STORE_OK;
}

enum store_status store_copy_target(const char *target, bool postgres, struct store **out, char *err, size_t errlen)
{
	*out = NULL;
	if (!postgres) {
		struct stat sb;
		if (lstat(target, &sb) == 0) {
			snprintf(err, errlen, "%s exists already: the copy goes into a new file", target);
			return STORE_REFUSED;
		}
		struct store_open_opts o = { .path = target, .create = true };
		return store_open(&o, out, err, errlen);
	}
	struct store *st = NULL;
	enum store_status s = connect_bare(target, &st, err, errlen);
	if (s != STORE_OK)
		return s;
	int64_t n = 0;
	s = store_pg_objects(st, &n);
	if (s != STORE_OK) {
		snprintf(err, errlen, "%s: %s", st->path, st->err);
		store_close(st);
		return s;
	}
	if (n > 0) {
		snprintf(
			err, errlen,
			"%s is not an empty database (it holds %lld objects: tables, sequences, indexes or functions): "
			"the copy goes only into an empty one; nothing was changed",
			st->path, (long long)n);
		store_close(st);
		return STORE_REFUSED;
	}
	*out = st;
	return STORE_OK;
}

void store_copy_discard(struct store *to, const char *target, bool postgres)
{
	store_close(to);
	if (postgres || !target)
		return;
	static const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };
	for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		char path[1100];
		if ((size_t)snprintf(path, sizeof path, "%s%s", target, suffixes[i]) < sizeof path)
			unlink(path);
	}
}
