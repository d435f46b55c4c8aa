/* The PostgreSQL driver behind storage/sql.h, over libpq (issue 19).
 *
 * Each statement is prepared once per connection on the server (PQprepare
 * under a generated name) from SQL written in SQLite's numbered style,
 * ?N rewritten to $N. Parameters go as text, except blobs, which go in
 * binary (BYTEA); results come back in text format, and bytea's hex text
 * is decoded on demand. A statement that runs holds its whole result (one
 * PGresult) and pg_step walks the rows: other statements may run on the
 * connection meanwhile, as SQLite allows, which a row-by-row protocol
 * would not (single-row mode, or a cursor's FETCH, would tie the
 * connection to one statement, or cost a round trip a batch). So a caller
 * that wants only the first rows says so in its SQL (LIMIT: a list's
 * first screen), and the readers of whole tables (migrate, audit verify)
 * read them in pages by their key.
 *
 * Results speak SQLite's codes (SQLITE_ROW, SQLITE_DONE, the extended
 * error codes), mapped from the SQLSTATE, and pg_errmsg() keeps the
 * server's own message, so store_fail() words both engines the same. */
#include <ctype.h>
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "storage/pg.h"
#include "storage/pq.h"
#include "storage/pgpass.h"

/* The type OIDs of pg_type.h (server headers are not installed with
 * libpq): fixed in every PostgreSQL release. */
enum {
	OID_BOOL = 16,
	OID_BYTEA = 17,
	OID_INT8 = 20,
	OID_INT2 = 21,
	OID_INT4 = 23,
	OID_TEXT = 25,
	OID_OID = 26,
	OID_FLOAT4 = 700,
	OID_FLOAT8 = 701,
	OID_NUMERIC = 1700,
};

struct pq_table pq;

/* Loads libpq once; false with err set in words when it cannot be. */
bool pq_load(char *err, size_t errlen)
{
	if (!pq.tried) {
		pq.tried = true;
		void *h = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
		if (!h) {
			snprintf(pq.why, sizeof pq.why, "%s", dlerror());
		} else {
			bool all = true;
#define X(f)                                                                                       \
	do {                                                                                       \
		void *sym = dlsym(h, #f);                                                          \
		all = all && sym;                                                                  \
		memcpy(&pq.p_##f, &sym, sizeof sym); /* a function's address, as dlsym gives it */ \
	} while (0);
			PQ_FUNCTIONS(X)
#undef X
			if (all)
				pq.loaded = true;
			else
				snprintf(pq.why, sizeof pq.why, "libpq.so.5 lacks a function this program needs");
		}
	}
	if (!pq.loaded && err)
		snprintf(err, errlen,
		         "the PostgreSQL client library could not be loaded (install the Debian package libpq5): %s",
		         pq.why);
	return pq.loaded;
}


/* Statements finalized but not yet deallocated on the server: sent in one
 * round trip with the next preparation, or forgotten with the connection. */
#define PENDING_MAX 32

struct pg_conn {
	PGconn *conn;
	char err[512];
	int64_t changes;
	unsigned long next_name;
	int64_t notified; /* notifications from other connections, since open */
	int pid;          /* this connection's server process */
	unsigned session; /* counts reconnections (pg_reconnect): statements prepared in an earlier one are again */
	char pending[PENDING_MAX][24];
	int npending;
	/* the statements alive on this connection, to cut them loose at close */
	struct pg_stmt *stmts;
};

struct pg_param {
	char *buf; /* the value, NUL-terminated when text */
	size_t cap;
	int len;
	bool null;
	bool binary;
};

/* The bytea of one column, decoded for the current row. */
struct pg_blob {
	unsigned char *buf;
	size_t cap;
	int len;
	int row; /* the row it was decoded for, -1 none */
};

enum pg_state { ST_IDLE, ST_ROWS, ST_DONE };

struct pg_stmt {
	struct pg_conn *c;
	struct pg_stmt *next, *prev;
	char name[24];
	char *text;       /* the statement as sent ($N), to prepare it again after a reconnection */
	Oid *types;       /* its parameters' declared types (NULL: all from their places) */
	unsigned session; /* the connection's session it was prepared in */
	int nparams;
	struct pg_param *params;
	const char **values;
	int *lengths;
	int *formats;
	PGresult *res;
	enum pg_state state;
	int row, nrows, ncols;
	struct pg_blob *blobs; /* ncols of them while a result is held */
	int nblobs;
};

static void set_err(struct pg_conn *c, const char *msg)
{
	/* The server's words, on one line and with no control characters:
	 * they may quote what a user typed and they reach the terminal. */
	size_t n = 0;
	for (const char *p = msg ? msg : ""; *p && n + 1 < sizeof c->err; p++) {
		unsigned char ch = (unsigned char)*p;
		c->err[n++] = ch < 0x20 || ch == 0x7f ? ' ' : (char)ch;
	}
	while (n > 0 && c->err[n - 1] == ' ')
		n--;
	c->err[n] = '\0';
}

/* SQLSTATE to SQLite's extended codes (storage/sql.h). */
static int map_sqlstate(const char *state)
{
	if (!state || strlen(state) != 5)
		return SQLITE_ERROR;
	if (strcmp(state, "23505") == 0)
		return SQLITE_CONSTRAINT_UNIQUE;
	if (strcmp(state, "23503") == 0)
		return SQLITE_CONSTRAINT_FOREIGNKEY;
	if (strcmp(state, "23514") == 0)
		return SQLITE_CONSTRAINT_CHECK;
	if (strcmp(state, "23502") == 0)
		return SQLITE_CONSTRAINT_NOTNULL;
	if (strncmp(state, "23", 2) == 0) /* 23000, 23001 restrict, 23P01 exclusion */
		return SQLITE_CONSTRAINT;
	if (strcmp(state, "P0001") == 0) /* RAISE EXCEPTION in a trigger */
		return SQLITE_CONSTRAINT_TRIGGER;
	/* a serialization failure or a deadlock: the transaction may be run
	 * again (store_fail); a lock not granted in time is busy, as SQLite's */
	if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)
		return SQLITE_BUSY_SNAPSHOT;
	if (strcmp(state, "55P03") == 0)
		return SQLITE_BUSY;
	if (strcmp(state, "42501") == 0 || strcmp(state, "25006") == 0) /* no privilege; a READ ONLY transaction */
		return SQLITE_READONLY;
	if (strcmp(state, "53100") == 0)
		return SQLITE_FULL;
	if (strcmp(state, "53200") == 0)
		return SQLITE_NOMEM;
	if (strcmp(state, "57014") == 0)
		return SQLITE_INTERRUPT;
	if (strncmp(state, "08", 2) == 0 || strcmp(state, "57P01") == 0 || strcmp(state, "57P02") == 0 ||
	    strcmp(state, "57P03") == 0)
		return SQLITE_IOERR;
	if (strcmp(state, "XX001") == 0 || strcmp(state, "XX002") == 0)
		return SQLITE_CORRUPT;
	return SQLITE_ERROR;
}

/* The code for a failed result (res may be NULL), with the message kept. */
static int fail_result(struct pg_conn *c, const PGresult *res)
{
	if (!res || PQstatus(c->conn) == CONNECTION_BAD) {
		set_err(c, PQerrorMessage(c->conn));
		if (!c->err[0])
			set_err(c, res ? "the connection to the database server was lost" : "out of memory");
		return PQstatus(c->conn) == CONNECTION_BAD ? SQLITE_IOERR : SQLITE_NOMEM;
	}
	const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	set_err(c, primary ? primary : PQresultErrorMessage(res));
	return map_sqlstate(PQresultErrorField(res, PG_DIAG_SQLSTATE));
}

/* Notices (a DROP ... IF EXISTS that had nothing to drop) are not for the
 * terminal: libpq would print them on stderr. */
static void quiet_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

bool pg_is_conninfo(const char *text)
{
	if (!text)
		return false;
	if (strncmp(text, "postgresql://", 13) == 0 || strncmp(text, "postgres://", 11) == 0)
		return true;
	/* A keyword string: it starts with one of libpq's keywords and '='
	 * (host=..., dbname=..., service=...). A file's path may hold '=' too,
	 * but does not start with a libpq keyword and '='. */
	const char *p = text;
	while (*p == ' ' || *p == '\t')
		p++;
	const char *key = p;
	while (isalpha((unsigned char)*p) || *p == '_')
		p++;
	size_t klen = (size_t)(p - key);
	while (*p == ' ' || *p == '\t')
		p++;
	if (klen == 0 || *p != '=')
		return false;
	if (!pq_load(NULL, 0))
		return true; /* it looks like one: the connection will say libpq is missing */
	PQconninfoOption *opts = PQconndefaults();
	bool known = false;
	for (PQconninfoOption *o = opts; o && o->keyword && !known; o++)
		known = strlen(o->keyword) == klen && strncmp(o->keyword, key, klen) == 0;
	PQconninfoFree(opts);
	return known;
}

struct pg_conn *pg_connect(const char *conninfo, char *err, size_t errlen)
{
	/* The conninfo first, expanded; then what the program insists on
	 * whatever it says: UTF-8, and a name in pg_stat_activity. */
	const char *keys[] = { "connect_timeout", "dbname", "client_encoding", "fallback_application_name", NULL };
	const char *vals[] = { "10", conninfo, "UTF8", "brokerage", NULL };
	if (!pq_load(err, errlen))
		return NULL;
	PGconn *conn;
	if (getegid() != getgid()) {
		/* The shared deployment, holding its group: the conninfo is the
		 * host configuration's (cli/ gives the group up before any other),
		 * and its password file, 0640 root:brokerage, is read here, as
		 * libpq would refuse it (storage/pgpass.c). */
		const char *first_k[] = { "connect_timeout", NULL }, *first_v[] = { "10", NULL };
		conn = pgpass_connect(conninfo, first_k, first_v, keys + 2, vals + 2, err, errlen);
		if (!conn)
			return NULL;
	} else if (!(conn = PQconnectdbParams(keys, vals, 1))) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (PQstatus(conn) != CONNECTION_OK) {
		char msg[400];
		snprintf(msg, sizeof msg, "%s", PQerrorMessage(conn));
		msg[strcspn(msg, "\n")] = '\0';
		snprintf(err, errlen, "cannot reach the database server: %s", msg[0] ? msg : "the connection failed");
		PQfinish(conn);
		return NULL;
	}
	struct pg_conn *c = calloc(1, sizeof *c);
	if (!c) {
		snprintf(err, errlen, "out of memory");
		PQfinish(conn);
		return NULL;
	}
	c->conn = conn;
	c->pid = PQbackendPID(conn);
	PQsetNoticeProcessor(conn, quiet_notice, NULL);
	return c;
}

void pg_disconnect(struct pg_conn *c)
{
	if (!c)
		return;
	/* Statements left unfinalized keep working memory only: cut them
	 * loose so that finalizing them later touches no freed connection. */
	for (struct pg_stmt *s = c->stmts; s; s = s->next)
		s->c = NULL;
	PQfinish(c->conn);
	free(c);
}

const char *pg_errmsg(const struct pg_conn *c)
{
	return c ? c->err : "no connection";
}

int64_t pg_changes(const struct pg_conn *c)
{
	return c->changes;
}

bool pg_in_transaction(const struct pg_conn *c)
{
	/* a lost connection has no transaction left: the server ended it */
	return PQstatus(c->conn) == CONNECTION_OK && PQtransactionStatus(c->conn) != PQTRANS_IDLE;
}

int pg_reconnect(struct pg_conn *c)
{
	/* The same settings as the first connection (the password read from
	 * the host's file included, which libpq keeps). The server forgets
	 * this connection's prepared statements: each is prepared again at
	 * its next use, and the deallocations owed are owed no more. */
	PQreset(c->conn);
	if (PQstatus(c->conn) != CONNECTION_OK) {
		set_err(c, PQerrorMessage(c->conn));
		return SQLITE_IOERR;
	}
	c->session++;
	c->npending = 0;
	c->pid = PQbackendPID(c->conn);
	/* whatever other programs committed meanwhile went unheard: count
	 * one, so that a screen reads again */
	c->notified++;
	return SQLITE_OK;
}

const char *pg_client_version(void)
{
	static char v[32];
	if (!pq_load(NULL, 0))
		return "(not installed: Debian package libpq5)";
	int n = PQlibVersion(); /* 150018 */
	snprintf(v, sizeof v, "%d.%d", n / 10000, n % 10000);
	return v;
}

int pg_server_version(const struct pg_conn *c)
{
	return c ? PQserverVersion(c->conn) : 0;
}

int pg_backend_pid(const struct pg_conn *c)
{
	return c ? c->pid : 0;
}

bool pg_connection_lost(const struct pg_conn *c)
{
	return !c || PQstatus(c->conn) == CONNECTION_BAD;
}

/* Each statement's rows changed, for pg_changes (as sqlite3_changes: only
 * INSERT, UPDATE, DELETE and MERGE count). */
static void note_changes(struct pg_conn *c, const PGresult *res)
{
	const char *status = PQcmdStatus((PGresult *)res);
	if (strncmp(status, "INSERT", 6) == 0 || strncmp(status, "UPDATE", 6) == 0 ||
	    strncmp(status, "DELETE", 6) == 0 || strncmp(status, "MERGE", 5) == 0)
		c->changes = strtoll(PQcmdTuples((PGresult *)res), NULL, 10);
}

int pg_exec(struct pg_conn *c, const char *sql)
{
	PGresult *res = PQexec(c->conn, sql);
	ExecStatusType t = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	int rc = SQLITE_OK;
	if (t == PGRES_COMMAND_OK || t == PGRES_TUPLES_OK || t == PGRES_EMPTY_QUERY)
		note_changes(c, res);
	else
		rc = fail_result(c, res);
	PQclear(res);
	return rc;
}

/* Sends the DEALLOCATEs of finalized statements, when the connection can
 * take them (not inside a failed transaction, where they would fail and
 * where they could not be told apart from the failure itself). */
static void deallocate_pending(struct pg_conn *c)
{
	if (c->npending == 0 || PQtransactionStatus(c->conn) == PQTRANS_INERROR || PQstatus(c->conn) == CONNECTION_BAD)
		return;
	char sql[PENDING_MAX * 40];
	size_t n = 0;
	for (int i = 0; i < c->npending; i++)
		n += (size_t)snprintf(sql + n, sizeof sql - n, "DEALLOCATE %s;", c->pending[i]);
	PGresult *res = PQexec(c->conn, sql);
	PQclear(res);
	c->npending = 0;
}

/* ---- the rewrite of ?N to $N ---- */

/* The length of a dollar-quote tag at p ("$$" or "$tag$"), 0 if none. */
static size_t dollar_tag(const char *p)
{
	if (*p != '$')
		return 0;
	size_t i = 1;
	if (isalpha((unsigned char)p[i]) || p[i] == '_')
		while (isalnum((unsigned char)p[i]) || p[i] == '_')
			i++;
	return p[i] == '$' ? i + 1 : 0;
}

/* The rewrite, noting in used (when given, 32767 bits) each N that occurs. */
static int rewrite(const char *sql, char *out, size_t outlen, unsigned char *used)
{
	size_t o = 0;
	int highest = 0;
#define PUT(ch)                      \
	do {                         \
		if (o + 1 >= outlen) \
			return -1;   \
		out[o++] = (ch);     \
	} while (0)
	for (const char *p = sql; *p;) {
		if (*p == '\'' || *p == '"') { /* a string or a quoted identifier; '' and "" inside */
			char q = *p;
			PUT(*p++);
			while (*p) {
				if (*p == q && p[1] == q) {
					PUT(*p++);
					PUT(*p++);
				} else if (*p == q) {
					break;
				} else {
					PUT(*p++);
				}
			}
			if (*p)
				PUT(*p++);
		} else if (p[0] == '-' && p[1] == '-') { /* a comment to the end of the line */
			while (*p && *p != '\n')
				PUT(*p++);
		} else if (p[0] == '/' && p[1] == '*') { /* a comment, not nested (as SQLite reads it) */
			PUT(*p++);
			PUT(*p++);
			while (*p && !(p[0] == '*' && p[1] == '/'))
				PUT(*p++);
			for (int k = 0; k < 2 && *p; k++)
				PUT(*p++);
		} else if (*p == '$' && dollar_tag(p)) { /* $tag$ ... $tag$ */
			size_t t = dollar_tag(p);
			const char *tag = p;
			for (size_t k = 0; k < t; k++)
				PUT(*p++);
			while (*p && strncmp(p, tag, t) != 0)
				PUT(*p++);
			for (size_t k = 0; k < t && *p; k++)
				PUT(*p++);
		} else if (*p == '?') {
			p++;
			long n;
			if (isdigit((unsigned char)*p)) {
				char *end;
				n = strtol(p, &end, 10);
				p = end;
			} else {
				n = highest + 1; /* a bare ?: the next after the highest so far, as in SQLite */
			}
			if (n < 1 || n > 32766)
				return -1;
			if (n > highest)
				highest = (int)n;
			if (used)
				used[n / 8] |= (unsigned char)(1u << (n % 8));
			char num[16];
			snprintf(num, sizeof num, "$%ld", n);
			for (const char *d = num; *d; d++)
				PUT(*d);
		} else {
			PUT(*p++);
		}
	}
#undef PUT
	if (o >= outlen)
		return -1;
	out[o] = '\0';
	return highest;
}

int pg_rewrite_params(const char *sql, char *out, size_t outlen)
{
	return rewrite(sql, out, outlen, NULL);
}

/* ---- statements ---- */

int pg_prepare(struct pg_conn *c, const char *sql, struct pg_stmt **out)
{
	*out = NULL;
	deallocate_pending(c);
	size_t len = strlen(sql), marks = 0;
	for (const char *p = sql; *p; p++)
		marks += *p == '?';
	size_t cap = len + marks * 6 + 1;
	char *text = malloc(cap);
	struct pg_stmt *s = calloc(1, sizeof *s);
	if (!text || !s) {
		free(text);
		free(s);
		set_err(c, "out of memory");
		return SQLITE_NOMEM;
	}
	unsigned char used[32767 / 8 + 1] = { 0 };
	int n = rewrite(sql, text, cap, used);
	if (n < 0) {
		free(text);
		free(s);
		set_err(c, "a statement's parameter is out of range");
		return SQLITE_RANGE;
	}
	s->c = c;
	s->nparams = n;
	snprintf(s->name, sizeof s->name, "bk%lu", ++c->next_name);
	if (n > 0) {
		s->params = calloc((size_t)n, sizeof *s->params);
		s->values = calloc((size_t)n, sizeof *s->values);
		s->lengths = calloc((size_t)n, sizeof *s->lengths);
		s->formats = calloc((size_t)n, sizeof *s->formats);
		if (!s->params || !s->values || !s->lengths || !s->formats) {
			free(text);
			s->c = NULL;
			pg_finalize(s);
			set_err(c, "out of memory");
			return SQLITE_NOMEM;
		}
		for (int i = 0; i < n; i++)
			s->params[i].null = true;
	}
	/* A number the text skips (?2 and ?3 but no ?1, which SQLite allows)
	 * has no context to give it a type: it is declared text, and unused.
	 * The others take the type their place in the statement gives them. */
	Oid *types = NULL;
	for (int i = 1; i <= n && !types; i++)
		if (!(used[i / 8] & (1u << (i % 8))))
			types = calloc((size_t)n, sizeof *types);
	for (int i = 1; types && i <= n; i++)
		types[i - 1] = used[i / 8] & (1u << (i % 8)) ? 0 : OID_TEXT;
	s->text = text;
	s->types = types;
	s->session = c->session;
	PGresult *res = PQprepare(c->conn, s->name, text, types ? n : 0, types);
	if (!res || PQresultStatus(res) != PGRES_COMMAND_OK) {
		int rc = fail_result(c, res);
		PQclear(res);
		s->c = NULL;
		pg_finalize(s);
		return rc;
	}
	PQclear(res);
	s->next = c->stmts;
	if (c->stmts)
		c->stmts->prev = s;
	c->stmts = s;
	*out = s;
	return SQLITE_OK;
}

static void drop_result(struct pg_stmt *s)
{
	PQclear(s->res);
	s->res = NULL;
	s->nrows = s->ncols = 0;
	s->row = -1;
	for (int i = 0; i < s->nblobs; i++)
		s->blobs[i].row = -1;
}

void pg_finalize(struct pg_stmt *s)
{
	if (!s)
		return;
	drop_result(s);
	struct pg_conn *c = s->c;
	if (c) {
		if (s->prev)
			s->prev->next = s->next;
		else
			c->stmts = s->next;
		if (s->next)
			s->next->prev = s->prev;
		if (s->session == c->session && c->npending == PENDING_MAX)
			deallocate_pending(c);
		if (s->session == c->session && c->npending < PENDING_MAX)
			snprintf(c->pending[c->npending++], sizeof c->pending[0], "%s", s->name);
	}
	free(s->text);
	free(s->types);
	for (int i = 0; i < s->nparams; i++)
		free(s->params[i].buf);
	for (int i = 0; i < s->nblobs; i++)
		free(s->blobs[i].buf);
	free(s->params);
	free(s->values);
	free(s->lengths);
	free(s->formats);
	free(s->blobs);
	free(s);
}

/* Parameter i (1-based) set to n bytes of p, plus a NUL. */
static int put_param(struct pg_stmt *s, int i, const void *p, size_t n, bool binary)
{
	if (i < 1 || i > s->nparams)
		return SQLITE_RANGE;
	if (n > INT_MAX - 1)
		return SQLITE_TOOBIG;
	struct pg_param *pp = &s->params[i - 1];
	if (pp->cap < n + 1) {
		size_t cap = n + 1 < 32 ? 32 : n + 1;
		char *b = realloc(pp->buf, cap);
		if (!b)
			return SQLITE_NOMEM;
		pp->buf = b;
		pp->cap = cap;
	}
	if (n)
		memcpy(pp->buf, p, n);
	pp->buf[n] = '\0';
	pp->len = (int)n;
	pp->null = false;
	pp->binary = binary;
	return SQLITE_OK;
}

int pg_bind_int64(struct pg_stmt *s, int i, int64_t v)
{
	char num[24];
	int n = snprintf(num, sizeof num, "%lld", (long long)v);
	return put_param(s, i, num, (size_t)n, false);
}

/* The text is always copied (SQLite's SQLITE_STATIC promise is not
 * needed): libpq wants it NUL-terminated, which n bytes need not be. */
int pg_bind_text(struct pg_stmt *s, int i, const char *t, int n, bool copy)
{
	(void)copy;
	if (!t)
		return pg_bind_null(s, i);
	return put_param(s, i, t, n < 0 ? strlen(t) : (size_t)n, false);
}

int pg_bind_blob(struct pg_stmt *s, int i, const void *p, int n, bool copy)
{
	(void)copy;
	if (!p && n > 0)
		return SQLITE_MISUSE;
	if (!p)
		return pg_bind_null(s, i); /* as SQLite: a NULL pointer binds NULL */
	return put_param(s, i, p, n < 0 ? 0 : (size_t)n, true);
}

int pg_bind_null(struct pg_stmt *s, int i)
{
	if (i < 1 || i > s->nparams)
		return SQLITE_RANGE;
	s->params[i - 1].null = true;
	return SQLITE_OK;
}

int pg_clear_bindings(struct pg_stmt *s)
{
	for (int i = 0; i < s->nparams; i++)
		s->params[i].null = true;
	return SQLITE_OK;
}

int pg_reset(struct pg_stmt *s)
{
	drop_result(s);
	s->state = ST_IDLE;
	return SQLITE_OK;
}

static int execute(struct pg_stmt *s)
{
	struct pg_conn *c = s->c;
	if (!c) {
		return SQLITE_MISUSE;
	}
	if (s->session != c->session) { /* prepared before a reconnection */
		PGresult *res = PQprepare(c->conn, s->name, s->text, s->types ? s->nparams : 0, s->types);
		if (!res || PQresultStatus(res) != PGRES_COMMAND_OK) {
			int rc = fail_result(c, res);
			PQclear(res);
			return rc;
		}
		PQclear(res);
		s->session = c->session;
	}
	for (int i = 0; i < s->nparams; i++) {
		const struct pg_param *pp = &s->params[i];
		s->values[i] = pp->null ? NULL : pp->buf;
		s->lengths[i] = pp->null ? 0 : pp->len;
		s->formats[i] = pp->binary;
	}
	PGresult *res = PQexecPrepared(c->conn, s->name, s->nparams, s->values, s->lengths, s->formats, 0);
	ExecStatusType t = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (t == PGRES_TUPLES_OK || t == PGRES_COMMAND_OK) {
		note_changes(c, res);
		s->res = res;
		s->nrows = PQntuples(res);
		s->ncols = PQnfields(res);
		s->row = -1;
		s->state = ST_ROWS;
		if (s->ncols > s->nblobs) {
			struct pg_blob *b = realloc(s->blobs, (size_t)s->ncols * sizeof *b);
			if (!b) {
				drop_result(s);
				s->state = ST_IDLE;
				set_err(c, "out of memory");
				return SQLITE_NOMEM;
			}
			for (int i = s->nblobs; i < s->ncols; i++)
				b[i] = (struct pg_blob){ .row = -1 };
			s->blobs = b;
			s->nblobs = s->ncols;
		}
		return SQLITE_OK;
	}
	int rc = fail_result(c, res);
	PQclear(res);
	return rc;
}

int pg_step(struct pg_stmt *s)
{
	if (s->state != ST_ROWS) {
		/* As sqlite3_step: a statement that finished (or failed) runs
		 * again from the start. */
		drop_result(s);
		int rc = execute(s);
		if (rc != SQLITE_OK) {
			s->state = ST_IDLE;
			return rc;
		}
	}
	if (++s->row < s->nrows)
		return SQLITE_ROW;
	drop_result(s);
	s->state = ST_DONE;
	return SQLITE_DONE;
}

int pg_column_count(struct pg_stmt *s)
{
	return s->res ? s->ncols : 0;
}

static bool has_value(struct pg_stmt *s, int col)
{
	return s->res && s->row >= 0 && s->row < s->nrows && col >= 0 && col < s->ncols &&
	       !PQgetisnull(s->res, s->row, col);
}

int pg_column_type(struct pg_stmt *s, int col)
{
	if (!has_value(s, col))
		return SQLITE_NULL;
	switch (PQftype(s->res, col)) {
	case OID_INT2:
	case OID_INT4:
	case OID_INT8:
	case OID_OID:
	case OID_BOOL:
		return SQLITE_INTEGER;
	case OID_FLOAT4:
	case OID_FLOAT8:
		return SQLITE_FLOAT;
	case OID_NUMERIC: /* sum() of bigints: whole unless it shows a point */
		return strpbrk(PQgetvalue(s->res, s->row, col), ".eEN") ? SQLITE_FLOAT : SQLITE_INTEGER;
	case OID_BYTEA:
		return SQLITE_BLOB;
	default:
		return SQLITE_TEXT;
	}
}

static int hexval(unsigned char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* The bytea in col of the current row, decoded from its text (hex, or
 * the old escape format through libpq) into the column's buffer. */
static struct pg_blob *decoded(struct pg_stmt *s, int col)
{
	struct pg_blob *b = &s->blobs[col];
	if (b->row == s->row)
		return b;
	const char *t = PQgetvalue(s->res, s->row, col);
	size_t tl = (size_t)PQgetlength(s->res, s->row, col);
	unsigned char *esc = NULL;
	size_t n;
	if (tl >= 2 && t[0] == '\\' && t[1] == 'x')
		n = (tl - 2) / 2;
	else if (!(esc = PQunescapeBytea((const unsigned char *)t, &n)))
		return NULL;
	if (b->cap < n + 1) {
		unsigned char *p = realloc(b->buf, n + 1);
		if (!p) {
			PQfreemem(esc);
			return NULL;
		}
		b->buf = p;
		b->cap = n + 1;
	}
	if (esc) {
		memcpy(b->buf, esc, n);
		PQfreemem(esc);
	} else {
		for (size_t i = 0; i < n; i++) {
			int hi = hexval((unsigned char)t[2 + 2 * i]), lo = hexval((unsigned char)t[3 + 2 * i]);
			if (hi < 0 || lo < 0)
				return NULL;
			b->buf[i] = (unsigned char)(hi << 4 | lo);
		}
	}
	b->buf[n] = '\0';
	b->len = (int)n;
	b->row = s->row;
	return b;
}

int64_t pg_column_int64(struct pg_stmt *s, int col)
{
	if (!has_value(s, col))
		return 0;
	const char *t = PQgetvalue(s->res, s->row, col);
	if (PQftype(s->res, col) == OID_BOOL)
		return t[0] == 't';
	return strtoll(t, NULL, 10);
}

const unsigned char *pg_column_text(struct pg_stmt *s, int col)
{
	if (!has_value(s, col))
		return NULL;
	Oid type = PQftype(s->res, col);
	if (type == OID_BOOL) /* as SQLite would show the 0/1 it stores */
		return (const unsigned char *)(PQgetvalue(s->res, s->row, col)[0] == 't' ? "1" : "0");
	if (type == OID_BYTEA) {
		const struct pg_blob *b = decoded(s, col);
		return b ? b->buf : NULL;
	}
	return (const unsigned char *)PQgetvalue(s->res, s->row, col);
}

const void *pg_column_blob(struct pg_stmt *s, int col)
{
	if (!has_value(s, col))
		return NULL;
	if (PQftype(s->res, col) != OID_BYTEA)
		return PQgetlength(s->res, s->row, col) ? PQgetvalue(s->res, s->row, col) : NULL;
	const struct pg_blob *b = decoded(s, col);
	return b && b->len ? b->buf : NULL; /* as SQLite: an empty blob is NULL */
}

int pg_column_bytes(struct pg_stmt *s, int col)
{
	if (!has_value(s, col))
		return 0;
	Oid type = PQftype(s->res, col);
	if (type == OID_BYTEA) {
		const struct pg_blob *b = decoded(s, col);
		return b ? b->len : 0;
	}
	if (type == OID_BOOL)
		return 1;
	return PQgetlength(s->res, s->row, col);
}

/* ---- notifications ---- */

int pg_notifications(struct pg_conn *c, int64_t *count)
{
	if (PQconsumeInput(c->conn) == 0) {
		set_err(c, PQerrorMessage(c->conn));
		*count = c->notified;
		return SQLITE_IOERR;
	}
	PGnotify *n;
	while ((n = PQnotifies(c->conn)) != NULL) {
		if (n->be_pid != c->pid)
			c->notified++;
		PQfreemem(n);
	}
	*count = c->notified;
	return SQLITE_OK;
}

/* ---- the conninfo as it may be shown ---- */

bool pg_conninfo_display(const char *conninfo, char *out, size_t outlen, char *err, size_t errlen)
{
	if (outlen == 0 || !pq_load(err, errlen))
		return false;
	char *why = NULL;
	PQconninfoOption *opts = PQconninfoParse(conninfo, &why);
	if (!opts) {
		char msg[300];
		snprintf(msg, sizeof msg, "%s", why ? why : "out of memory");
		msg[strcspn(msg, "\n")] = '\0';
		snprintf(err, errlen, "the database connection string cannot be read: %s", msg);
		PQfreemem(why);
		return false;
	}
	size_t o = 0;
	out[0] = '\0';
	/* the server first, then who, then which database last: a display cut
	 * short from the left (the workstation's status line) keeps its name */
	for (int pass = 0; pass < 3; pass++)
		for (PQconninfoOption *p = opts; p->keyword; p++) {
			int rank = strcmp(p->keyword, "dbname") == 0 ? 2 : strcmp(p->keyword, "user") == 0 ? 1 : 0;
			if (rank != pass || !p->val || !*p->val || strcmp(p->keyword, "password") == 0)
				continue;
			/* key=value, or key='value' with ' and \ escaped when it is
			 * empty or has a space, a quote or a backslash: as libpq reads it */
			bool quote = !*p->val || strpbrk(p->val, " \t'\\") != NULL;
			int w = snprintf(out + o, o < outlen ? outlen - o : 0, "%s%s=%s", o ? " " : "", p->keyword,
			                 quote ? "'" : "");
			o += w > 0 ? (size_t)w : 0;
			if (o >= outlen)
				o = outlen ? outlen - 1 : 0;
			for (const char *v = p->val; *v; v++) {
				if (quote && (*v == '\'' || *v == '\\') && o + 1 < outlen)
					out[o++] = '\\';
				if (o + 1 < outlen)
					out[o++] = (unsigned char)*v < 0x20 ? ' ' : *v;
			}
			if (quote && o + 1 < outlen)
				out[o++] = '\'';
			if (o < outlen)
				out[o] = '\0';
		}
	if (outlen)
		out[o < outlen ? o : outlen - 1] = '\0';
	PQconninfoFree(opts);
	return true;
}
