/* Opening the file with the pragmas the house insists on, transactions,
 * errors in words, checks and the online backup. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "storage/internal.h"
#include "storage/pg.h"

#define DEFAULT_BUSY_MS 5000

/* Filesystems on which WAL's shared memory cannot work across hosts. */
static bool is_network_fs(long type)
{
	switch ((unsigned long)type) {
	case 0x6969UL:     /* NFS */
	case 0x517BUL:     /* SMB */
	case 0xFF534D42UL: /* CIFS */
	case 0xFE534D42UL: /* SMB2 */
	case 0x65735546UL: /* FUSE (sshfs and friends) */
	case 0x00C36400UL: /* Ceph */
		return true;
	default:
		return false;
	}
}

/* SQLite does not always keep the system's error (a failed commit loses
 * it): look at the disk and the limits for what a user can act on. */
static int likely_cause(const struct store *st)
{
	char dir[1024];
	snprintf(dir, sizeof dir, "%s", st->path);
	struct statvfs vfs;
	if (statvfs(dirname(dir), &vfs) == 0 && (unsigned long long)vfs.f_bavail * vfs.f_frsize < 256 * 1024)
		return ENOSPC;
	struct rlimit lim;
	if (getrlimit(RLIMIT_FSIZE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY) {
		char wal[1100];
		struct stat sb;
		snprintf(wal, sizeof wal, "%s-wal", st->path);
		unsigned long long biggest = 0;
		if (stat(st->path, &sb) == 0)
			biggest = (unsigned long long)sb.st_size;
		if (stat(wal, &sb) == 0 && (unsigned long long)sb.st_size > biggest)
			biggest = (unsigned long long)sb.st_size;
		if (biggest + 128 * 1024 >= (unsigned long long)lim.rlim_cur)
			return EFBIG;
	}
	return 0;
}

enum store_status store_fail(struct store *st, int rc, const char *doing)
{
	const char *detail = st->db || st->pg ? sql_errmsg(st) : sqlite3_errstr(rc);
	int primary = rc & 0xff;
	st->damaged = primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB;
	switch (primary) {
	case SQLITE_BUSY:
		if (rc == SQLITE_BUSY_SNAPSHOT && st->in_tx && !st->tx_read) {
			/* PostgreSQL: a serialization failure or a deadlock. The
			 * server undid this transaction; run again, it reads anew. */
			st->retry = true;
			snprintf(st->err, sizeof st->err,
			         "%s: the database server stopped this change because another one made at the same "
			         "time conflicted with it (%s)",
			         doing, detail);
			return STORE_RETRY;
		}
		/* fall through */
	case SQLITE_LOCKED:
		snprintf(st->err, sizeof st->err,
		         "%s: the database is busy (another user or a sweep held it too long); nothing was changed, "
		         "try again",
		         doing);
		return STORE_ERROR;
	case SQLITE_FULL:
		snprintf(st->err, sizeof st->err, "%s: the disk is full; nothing was changed", doing);
		return STORE_ERROR;
	case SQLITE_READONLY:
		snprintf(st->err, sizeof st->err, "%s: the database is read-only for you; nothing was changed", doing);
		return STORE_ERROR;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		snprintf(st->err, sizeof st->err,
		         "%s: the database file is damaged; run 'brokerage check' and restore from a backup", doing);
		return STORE_ERROR;
	case SQLITE_IOERR: {
		if (st->engine == STORE_ENGINE_PG) {
			/* No disk of ours: the connection to the server failed. In a
			 * change not yet sent to be saved, nothing was saved: it is run
			 * again on a new connection (store_begin). During COMMIT, it
			 * may or may not have been saved. */
			if (st->committing) {
				snprintf(st->err, sizeof st->err,
				         "%s: the server connection was lost while saving (%s); look at the referral "
				         "before trying again",
				         doing, detail);
				return STORE_ERROR;
			}
			if (st->in_tx && !st->tx_read) {
				st->retry = true;
				snprintf(st->err, sizeof st->err,
				         "%s: the connection to the database server was lost before the change was "
				         "saved (%s)",
				         doing, detail);
				return STORE_RETRY;
			}
			snprintf(st->err, sizeof st->err,
			         "%s: the connection to the database server was lost (%s); look before trying again",
			         doing, detail);
			return STORE_ERROR;
		}
		int sys = st->db ? sqlite3_system_errno(st->db) : 0;
		if (sys != ENOSPC && sys != EFBIG && sys != EDQUOT)
			sys = likely_cause(st);
		if (sys == ENOSPC)
			snprintf(st->err, sizeof st->err, "%s: the disk is full; nothing was changed", doing);
		else if (sys == EFBIG)
			snprintf(st->err, sizeof st->err, "%s: the file-size limit was reached; nothing was changed",
			         doing);
		else if (sys == EDQUOT)
			snprintf(st->err, sizeof st->err, "%s: your disk quota is used up; nothing was changed", doing);
		else
			snprintf(st->err, sizeof st->err, "%s: the disk could not be read or written (%s)", doing,
			         detail);
		return STORE_ERROR;
	}
	case SQLITE_CONSTRAINT:
		if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
			snprintf(st->err, sizeof st->err, "%s: it exists already", doing);
			return STORE_CONFLICT;
		}
		snprintf(st->err, sizeof st->err, "%s: refused (%s)", doing, detail);
		return STORE_REFUSED;
	default:
		snprintf(st->err, sizeof st->err, "%s: %s", doing, detail);
		return STORE_ERROR;
	}
}

enum store_status store_exec(struct store *st, const char *sql, const char *doing)
{
	int rc = sql_exec(st, sql);
	if (rc != SQLITE_OK)
		return store_fail(st, rc, doing);
	return STORE_OK;
}

int sql_exec(struct store *st, const char *sql)
{
	if (st->engine == STORE_ENGINE_PG)
		return pg_exec(st->pg, sql);
	return sqlite3_exec(st->db, sql, NULL, NULL, NULL);
}

int sql_prepare(struct store *st, const char *sql, sql_stmt **out)
{
	*out = NULL;
	sql_stmt *s = calloc(1, sizeof *s);
	if (!s)
		return SQLITE_NOMEM;
	int rc = st->engine == STORE_ENGINE_PG ? pg_prepare(st->pg, sql, &s->pg)
	                                       : sqlite3_prepare_v2(st->db, sql, -1, &s->lite, NULL);
	if (rc != SQLITE_OK || (!s->lite && !s->pg)) {
		sql_finalize(s);
		return rc != SQLITE_OK ? rc : SQLITE_ERROR;
	}
	*out = s;
	return SQLITE_OK;
}

void sql_finalize(sql_stmt *s)
{
	if (!s)
		return;
	if (s->lite)
		sqlite3_finalize(s->lite);
	if (s->pg)
		pg_finalize(s->pg);
	free(s);
}

int64_t sql_changes(struct store *st)
{
	return st->engine == STORE_ENGINE_PG ? pg_changes(st->pg) : sqlite3_changes64(st->db);
}

const char *sql_errmsg(struct store *st)
{
	return st->engine == STORE_ENGINE_PG ? pg_errmsg(st->pg) : sqlite3_errmsg(st->db);
}

/* An insert's statement ends in RETURNING_ID, which PostgreSQL answers
 * with the new row's id. SQLite runs such a statement to its end into a
 * table of its own made for the purpose at every execution (several
 * times the cost of the insert itself, an import's chief cost), so on
 * SQLite store_stmt prepares it without the clause and store_insert_id
 * reads the id the insert gave the row. */
#define RETURNING_ID " RETURNING id"

enum store_status store_insert_id(struct store *st, sql_stmt *s, const char *doing, int64_t *id)
{
	int rc = sql_step(s);
	if (rc == SQLITE_ROW) {
		*id = sql_column_int64(s, 0);
		rc = sql_step(s);
	} else if (rc == SQLITE_DONE && s->lite && sqlite3_column_count(s->lite) == 0 &&
	           sqlite3_changes64(st->db) > 0) {
		*id = sqlite3_last_insert_rowid(
			st->db); /* prepared without RETURNING_ID; none when nothing was added */
	}
	sql_reset(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, doing);
	return STORE_OK;
}

sql_stmt *store_stmt(struct store *st, enum store_q q, const char *sql)
{
	sql_stmt *s = &st->stmts[q];
	if (s->lite || s->pg) {
		sql_reset(s);
		sql_clear_bindings(s);
		return s;
	}
	int len = -1; /* SQLite: the whole text but an insert's RETURNING_ID */
	size_t n = strlen(sql), k = sizeof RETURNING_ID - 1;
	if (n > k && strcmp(sql + n - k, RETURNING_ID) == 0)
		len = (int)(n - k);
	int rc = st->engine == STORE_ENGINE_PG
	                 ? pg_prepare(st->pg, sql, &s->pg)
	                 : sqlite3_prepare_v3(st->db, sql, len, SQLITE_PREPARE_PERSISTENT, &s->lite, NULL);
	if (rc != SQLITE_OK || (!s->lite && !s->pg)) {
		store_fail(st, rc != SQLITE_OK ? rc : SQLITE_ERROR, "preparing a query");
		s->lite = NULL;
		s->pg = NULL;
		return NULL;
	}
	return s;
}

/* A text column into a fixed buffer, cut at the buffer's size (lists read
 * tens of thousands of these: a bounded copy, not a formatted print). */
void store_col_text(sql_stmt *s, int col, char *buf, size_t len)
{
	if (len == 0)
		return;
	const unsigned char *t = sql_column_text(s, col);
	size_t n = t ? (size_t)sql_column_bytes(s, col) : 0;
	if (n >= len)
		n = len - 1;
	if (n)
		memcpy(buf, t, n);
	buf[n] = '\0';
}

int64_t store_col_int(sql_stmt *s, int col, int64_t if_null)
{
	if (sql_column_type(s, col) == SQLITE_NULL)
		return if_null;
	return sql_column_int64(s, col);
}

int store_bind_text_or_null(sql_stmt *s, int idx, const char *text)
{
	if (!text || !*text)
		return sql_bind_null(s, idx);
	return sql_bind_text(s, idx, text, -1, SQLITE_TRANSIENT);
}

#define TEXT(e, text) [e] = text,
static const char *const status_text[WF_STATUS_COUNT] = { WF_STATUS_LIST(TEXT) };
static const char *const offer_status_text[WF_OFFER_STATUS_COUNT] = { WF_OFFER_STATUS_LIST(TEXT) };
static const char *const spot_status_text[WF_SPOT_STATUS_COUNT] = { WF_SPOT_STATUS_LIST(TEXT) };
#undef TEXT

/* The index of the column's text in names, or -1 (NULL, or not a name). */
static int col_name(sql_stmt *s, int col, const char *const *names, int n)
{
	const char *t = (const char *)sql_column_text(s, col);
	for (int i = 0; t && i < n; i++)
		if (strcmp(t, names[i]) == 0)
			return i;
	return -1;
}

/* A status bound as its stored word; one out of range as NULL (which the
 * schema's CHECK then refuses). */
static int bind_name(sql_stmt *s, int idx, const char *const *names, int n, int v)
{
	if (v < 0 || v >= n)
		return sql_bind_null(s, idx);
	return sql_bind_text(s, idx, names[v], -1, SQLITE_STATIC);
}

enum wf_status store_col_status(sql_stmt *s, int col)
{
	return (enum wf_status)col_name(s, col, status_text, WF_STATUS_COUNT);
}

int store_bind_status(sql_stmt *s, int idx, enum wf_status v)
{
	return bind_name(s, idx, status_text, WF_STATUS_COUNT, (int)v);
}

enum wf_offer_status store_col_offer_status(sql_stmt *s, int col)
{
	int i = col_name(s, col, offer_status_text, WF_OFFER_STATUS_COUNT);
	return i < 0 ? WF_OFFER_SENT : (enum wf_offer_status)i;
}

int store_bind_offer_status(sql_stmt *s, int idx, enum wf_offer_status v)
{
	return bind_name(s, idx, offer_status_text, WF_OFFER_STATUS_COUNT, (int)v);
}

enum wf_spot_status store_col_spot_status(sql_stmt *s, int col)
{
	int i = col_name(s, col, spot_status_text, WF_SPOT_STATUS_COUNT);
	return i < 0 ? WF_SPOT_PENDING : (enum wf_spot_status)i;
}

int store_bind_spot_status(sql_stmt *s, int idx, enum wf_spot_status v)
{
	return bind_name(s, idx, spot_status_text, WF_SPOT_STATUS_COUNT, (int)v);
}

int store_bind_date(sql_stmt *s, int idx, int32_t day)
{
	if (day == STORE_NO_DATE)
		return sql_bind_null(s, idx);
	return sql_bind_int64(s, idx, day);
}

int32_t store_col_date(sql_stmt *s, int col)
{
	if (sql_column_type(s, col) == SQLITE_NULL)
		return STORE_NO_DATE;
	return (int32_t)sql_column_int64(s, col);
}

static bool looks_like_sqlite(const char *path, bool *empty)
{
	char head[16];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return true; /* let SQLite say what is wrong */
	ssize_t n = read(fd, head, sizeof head);
	close(fd);
	*empty = n == 0;
	if (n == 0)
		return true;
	return n == (ssize_t)sizeof head && memcmp(head, "SQLite format 3", 16) == 0;
}

static enum store_status configure(struct store *st, int busy_ms)
{
	int on = 1, off = 0;
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, busy_ms > 0 ? busy_ms : DEFAULT_BUSY_MS);
	if (sqlite3_db_config(st->db, SQLITE_DBCONFIG_DEFENSIVE, on, NULL) != SQLITE_OK ||
	    sqlite3_db_config(st->db, SQLITE_DBCONFIG_DQS_DML, off, NULL) != SQLITE_OK ||
	    sqlite3_db_config(st->db, SQLITE_DBCONFIG_DQS_DDL, off, NULL) != SQLITE_OK ||
	    sqlite3_db_config(st->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, off, NULL) != SQLITE_OK ||
	    sqlite3_db_config(st->db, SQLITE_DBCONFIG_ENABLE_FKEY, on, NULL) != SQLITE_OK) {
		snprintf(st->err, sizeof st->err, "setting up the database connection failed: %s",
		         sqlite3_errmsg(st->db));
		return STORE_ERROR;
	}
	if (store_exec(st, "PRAGMA foreign_keys = ON", "turning on foreign keys") != STORE_OK ||
	    store_exec(st, "PRAGMA secure_delete = ON", "turning on secure delete") != STORE_OK)
		return STORE_ERROR;
	return STORE_OK;
}

/* Write-ahead logging changes the file's header: only once the file is
 * known to be ours (or new). */
static enum store_status use_wal(struct store *st)
{
	if (st->readonly)
		return STORE_OK;
	if (store_exec(st, "PRAGMA journal_mode = WAL", "turning on write-ahead logging") != STORE_OK ||
	    store_exec(st, "PRAGMA synchronous = FULL", "setting synchronous writes") != STORE_OK)
		return STORE_ERROR;
	return STORE_OK;
}

bool store_is_conninfo(const char *db)
{
	return pg_is_conninfo(db);
}

/* The advisory lock every write transaction on PostgreSQL takes first: one
 * number, fixed, the same in every program that opens a brokerage database
 * (advisory locks are per database, so two databases on one server do not
 * wait for each other). */
#define PG_WRITER_LOCK "4242019190"

/* The rights of the role the program connects as: without the right to
 * add audit events and change referrals, it is opened read-only, as a
 * file that cannot be written is. */
static enum store_status pg_rights(struct store *st, bool *can_write)
{
	*can_write = false;
	sql_stmt *q = NULL;
	int rc = sql_prepare(st,
	                     "SELECT has_table_privilege('event', 'INSERT') AND "
	                     "has_table_privilege('referral', 'UPDATE') AND has_table_privilege('meta', 'UPDATE')",
	                     &q);
	if (rc == SQLITE_OK && (rc = sql_step(q)) == SQLITE_ROW) {
		*can_write = sql_column_int64(q, 0) == 1;
		rc = SQLITE_OK;
	}
	sql_finalize(q);
	return rc == SQLITE_OK ? STORE_OK : store_fail(st, rc, "reading your rights in the database");
}

static enum store_status open_finish(struct store *st, char *err, size_t errlen);

/* What every PostgreSQL connection of the program is set to, at open and
 * again after a reconnection. */
static enum store_status pg_setup(struct store *st)
{
	char setup[160];
	snprintf(setup, sizeof setup, "SET lock_timeout = %d; LISTEN brokerage", st->busy_ms);
	return store_exec(st, setup, "setting up the database connection");
}

/* PostgreSQL: a connection found lost (the server restarted, the backend
 * was ended, the network failed) is made again before the next
 * transaction, LISTEN included. Nothing is open on it: the server ended
 * whatever transaction there was. */
static enum store_status pg_revive(struct store *st)
{
	if (st->engine != STORE_ENGINE_PG || !pg_connection_lost(st->pg))
		return STORE_OK;
	if (pg_reconnect(st->pg) != SQLITE_OK) {
		snprintf(st->err, sizeof st->err, "connecting to the database server again: %s", pg_errmsg(st->pg));
		return STORE_ERROR;
	}
	return pg_setup(st);
}

/* A PostgreSQL database, named by its conninfo. What is SQLite's alone is
 * not done here: no write-ahead-log or pragmas (the server keeps its own
 * log and settings), no refusal of a network filesystem (a server is the
 * way past one host), no anchor file beside the database (there is no
 * file: the trail's head is anchored by the server's own backups and
 * logs), no file modes (the server's roles and grants decide who may
 * read and write, brokerage(7)). */
static enum store_status open_pg(const struct store_open_opts *opts, struct store **out, char *err, size_t errlen)
{
	struct store *st = calloc(1, sizeof *st);
	if (!st) {
		snprintf(err, errlen, "out of memory");
		return STORE_ERROR;
	}
	st->engine = STORE_ENGINE_PG;
	/* store_path and every message show the conninfo without a password */
	if (!pg_conninfo_display(opts->path, st->path, sizeof st->path, err, errlen)) {
		free(st);
		return STORE_REFUSED;
	}
	st->readonly = opts->readonly || opts->inspect;
	st->create = opts->create;
	char why[512];
	st->pg = pg_connect(opts->path, why, sizeof why);
	if (!st->pg) {
		snprintf(err, errlen, "cannot open the PostgreSQL database %s: %s", st->path, why);
		free(st);
		return STORE_ERROR;
	}
	/* A writer waits for the one before it as long as SQLite's busy
	 * timeout would, then gives up in the same words (store_fail). The
	 * notifications of other programs' commits come on "brokerage"
	 * (store_data_version). */
	st->busy_ms = opts->busy_ms > 0 ? opts->busy_ms : DEFAULT_BUSY_MS;
	if (pg_setup(st) != STORE_OK) {
		snprintf(err, errlen, "%s: %s", st->path, st->err);
		store_close(st);
		return STORE_ERROR;
	}
	enum store_status status = store_pg_check_kind(st, err, errlen);
	bool can_write = false;
	if (status == STORE_OK && !st->readonly) {
		/* an empty database is made whole first (by a role that may) */
		int64_t objects = 0;
		status = store_pg_objects(st, &objects);
		if (status == STORE_OK && objects > 0)
			status = pg_rights(st, &can_write);
		else if (status == STORE_OK)
			can_write = true;
		if (status != STORE_OK)
			snprintf(err, errlen, "%s: %s", st->path, st->err);
		else if (!can_write && opts->create) {
			snprintf(err, errlen,
			         "%s: your database role may not change it, so a brokerage database cannot be made "
			         "there; nothing was changed",
			         st->path);
			status = STORE_REFUSED;
		}
		st->readonly = !can_write;
	}
	if (status == STORE_OK)
		status = store_pg_migrate(st, err, errlen);
	if (status != STORE_OK) {
		store_close(st);
		return status;
	}
	status = open_finish(st, err, errlen);
	if (status == STORE_OK)
		*out = st;
	return status;
}

enum store_status store_open(const struct store_open_opts *opts, struct store **out, char *err, size_t errlen)
{
	*out = NULL;
	const char *path = opts->path;
	if (!path || !*path) {
		snprintf(err, errlen, "no database path was given");
		return STORE_REFUSED;
	}
	if (store_is_conninfo(path))
		return open_pg(opts, out, err, errlen);
	char dir[1024];
	snprintf(dir, sizeof dir, "%s", path);
	const char *d = dirname(dir);
	struct stat sb;
	if (stat(d, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, "the directory %s does not exist: create it, or give another path with --db", d);
		return STORE_REFUSED;
	}
	struct stat lsb;
	if (lstat(path, &lsb) == 0 && S_ISLNK(lsb.st_mode)) {
		snprintf(err, errlen,
		         "%s is a symbolic link: give the database's own path with --db (the program never follows a "
		         "link "
		         "to its database, so that nobody can point it at another file); nothing was changed",
		         path);
		return STORE_REFUSED;
	}
	bool exists = stat(path, &sb) == 0;
	if (exists && !S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "%s is not a regular file, so it cannot be a brokerage database", path);
		return STORE_REFUSED;
	}
	if (!exists && !opts->create) {
		snprintf(err, errlen,
		         "there is no database at %s: create one with 'brokerage init' (or 'brokerage demo')", path);
		return STORE_NOT_FOUND;
	}
	if (exists && opts->create && sb.st_uid != geteuid()) {
		snprintf(err, errlen,
		         "%s belongs to another user: a database is made only in a new file or an empty one of your "
		         "own; "
		         "nothing was changed",
		         path);
		return STORE_REFUSED;
	}
	bool empty = false;
	if (exists && !looks_like_sqlite(path, &empty)) {
		snprintf(err, errlen,
		         "%s is not an SQLite file, so not a brokerage database (if it was one, it is damaged: restore "
		         "the "
		         "last good backup by putting it in the file's place); nothing was changed",
		         path);
		return STORE_REFUSED;
	}
	if (exists && empty && !opts->create) {
		snprintf(err, errlen, "%s is empty: it is not a brokerage database; nothing was changed", path);
		return STORE_REFUSED;
	}
	struct statfs fs;
	if (statfs(d, &fs) == 0 && is_network_fs((long)fs.f_type) && !opts->allow_remote) {
		snprintf(err, errlen,
		         "%s is on a network filesystem: the database's write-ahead log needs every user on one host; "
		         "keep it on a local disk (or set BROKERAGE_ALLOW_NETWORK_FS=1 if you are sure only one host "
		         "uses it)",
		         path);
		return STORE_REFUSED;
	}
	bool readonly = opts->readonly || opts->inspect;
	if (exists && !readonly && faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) != 0 && errno == EACCES)
		readonly = true;
	if (!readonly && faccessat(AT_FDCWD, d, W_OK, AT_EACCESS) != 0 && errno == EACCES) {
		if (!exists) {
			snprintf(err, errlen, "cannot create %s: the directory %s is not writable by you", path, d);
			return STORE_REFUSED;
		}
		readonly = true;
	}

	struct store *st = calloc(1, sizeof *st);
	if (!st) {
		snprintf(err, errlen, "out of memory");
		return STORE_ERROR;
	}
	snprintf(st->path, sizeof st->path, "%s", path);
	st->readonly = readonly;
	st->create = opts->create;
	st->shared = opts->shared;
	/* One connection, used by one thread: no locking inside SQLite, and no
	 * memory statistics (they take a global lock on every allocation). */
	static bool configured;
	if (!configured) {
		configured = true;
		sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); /* refused harmlessly once SQLite is initialised */
	}
	int flags = SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_EXRESCODE | SQLITE_OPEN_NOMUTEX |
	            (readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | (opts->create ? SQLITE_OPEN_CREATE : 0));
	/* Read-only in a directory nobody here can write, with no shared-memory
	 * file beside it: the write-ahead log cannot be shared, and nobody can
	 * be writing either, so the file is read as it stands. */
	char shm[1100], wal[1100], uri[1200];
	snprintf(shm, sizeof shm, "%s-shm", path);
	snprintf(wal, sizeof wal, "%s-wal", path);
	const char *name = path;
	/* To inspect a file nobody has open (a backup, a copy, a database at
	 * rest) SQLite must not make a log beside it nor change its header:
	 * with no -wal or -shm there, nobody is writing, so read it as it is. */
	bool at_rest = access(shm, F_OK) != 0 && access(wal, F_OK) != 0;
	if (readonly &&
	    ((opts->inspect && at_rest) || (faccessat(AT_FDCWD, d, W_OK, AT_EACCESS) != 0 && access(shm, F_OK) != 0))) {
		char *q = sqlite3_mprintf("file:%s?immutable=1", path);
		if (q && strlen(q) < sizeof uri && !strpbrk(path, "?#%")) {
			snprintf(uri, sizeof uri, "%s", q);
			name = uri;
			flags |= SQLITE_OPEN_URI;
		}
		sqlite3_free(q);
	}
	int rc = sqlite3_open_v2(name, &st->db, flags, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "cannot open %s: %s", path, st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
		store_close(st);
		return STORE_ERROR;
	}
	/* SQLite makes files 0644 less the umask; say what they must be. Its
	 * write-ahead log and shared-memory files copy the database's mode. */
	if ((!exists || empty) && chmod(path, opts->shared ? 0660 : 0600) != 0) {
		snprintf(err, errlen, "cannot set the permissions of %s: %s", path, strerror(errno));
		store_close(st);
		return STORE_ERROR;
	}
	if (configure(st, opts->busy_ms) != STORE_OK) {
		snprintf(err, errlen, "%s: %s", path, st->err);
		store_close(st);
		return STORE_ERROR;
	}
	enum store_status status = store_check_kind(st, err, errlen);
	if (status == STORE_OK && use_wal(st) != STORE_OK) {
		snprintf(err, errlen, "%s: %s", path, st->err);
		status = STORE_ERROR;
	}
	if (status == STORE_OK)
		status = store_migrate(st, err, errlen);
	if (status != STORE_OK) {
		store_close(st);
		return status;
	}
	status = open_finish(st, err, errlen);
	if (status == STORE_OK)
		*out = st;
	return status;
}

/* What every open does last, on either engine; st is closed on failure. */
static enum store_status open_finish(struct store *st, char *err, size_t errlen)
{
	enum store_status status = STORE_OK;
	/* From which event on every offer change carries all the fields it
	 * changed (earlier programs left out an answer's time, a moved deadline
	 * and a reason): check --deep compares those fields from there on.
	 * Written once, at the first open by a program that knows it. */
	char mark[32];
	if (status == STORE_OK && !st->readonly &&
	    store_meta_get(st, "offer_trail_complete_from", mark, sizeof mark) == STORE_NOT_FOUND) {
		sql_stmt *q = NULL;
		long long next = 1;
		if (sql_prepare(st, "SELECT coalesce(max(seq), 0) + 1 FROM event", &q) == SQLITE_OK &&
		    sql_step(q) == SQLITE_ROW)
			next = sql_column_int64(q, 0);
		sql_finalize(q);
		snprintf(mark, sizeof mark, "%lld", next);
		if (store_meta_set(st, "offer_trail_complete_from", mark) != STORE_OK) {
			snprintf(err, errlen, "%s: %s", st->path, st->err);
			status = STORE_ERROR;
		}
	}
	if (status != STORE_OK)
		store_close(st);
	return status;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	if (st->db && st->anchor_open) {
		if (!st->readonly)
			store_anchor_record(st, st->anchor_now);
		close(st->anchor_fd);
	}
	for (int i = 0; i < Q_COUNT; i++) {
		if (st->stmts[i].lite)
			sqlite3_finalize(st->stmts[i].lite);
		if (st->stmts[i].pg)
			pg_finalize(st->stmts[i].pg);
	}
	/* In the shared deployment the group is given up before close, so
	 * SQLite cannot remove its log from the group's directory: copy the
	 * log into the database now (without waiting for anyone). */
	if (st->db && st->shared && !st->readonly)
		sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	if (st->db)
		sqlite3_close(st->db);
	if (st->pg)
		pg_disconnect(st->pg);
	free(st);
}

const char *store_errmsg(const struct store *st)
{
	return st->err;
}

bool store_is_damaged(const struct store *st)
{
	return st->damaged;
}

bool store_is_postgres(const struct store *st)
{
	return st->engine == STORE_ENGINE_PG;
}

bool store_is_readonly(const struct store *st)
{
	return st->readonly;
}

void store_set_keep_access(struct store *st, const struct store_keep_access *acc)
{
	st->keep_access = acc;
}

const char *store_path(const struct store *st)
{
	return st->path;
}

/* The nested-transaction statements run once an action inside a batch:
 * prepared once, like every other statement. */
static enum store_status step_cached(struct store *st, enum store_q q, const char *sql, const char *doing)
{
	sql_stmt *s = store_stmt(st, q, sql);
	if (!s)
		return STORE_ERROR;
	int rc = sql_step(s);
	sql_reset(s);
	return rc == SQLITE_DONE ? STORE_OK : store_fail(st, rc, doing);
}

/* BEGIN on a live connection. A connection lost while idle is found lost
 * only now: connect again and begin once more (nothing was sent but the
 * BEGIN). */
static enum store_status begin_revived(struct store *st, const char *begin, const char *doing)
{
	enum store_status s = pg_revive(st);
	if (s == STORE_OK)
		s = store_exec(st, begin, doing);
	if (s != STORE_OK && st->engine == STORE_ENGINE_PG && pg_connection_lost(st->pg) &&
	    (s = pg_revive(st)) == STORE_OK)
		s = store_exec(st, begin, doing);
	return s;
}

enum store_status store_begin(struct store *st)
{
	if (st->depth == 0)
		st->retry = false;
	if (st->readonly) {
		snprintf(st->err, sizeof st->err, "the database is open read-only: nothing can be changed");
		return STORE_REFUSED;
	}
	if (st->depth > 0) {
		/* Inside a batch (demo, import): a savepoint that remembers where it began. */
		enum store_status s = step_cached(st, Q_SAVEPOINT, "SAVEPOINT action", "starting a change");
		if (s == STORE_OK)
			st->depth++;
		return s;
	}
	/* PostgreSQL: writers queue on one advisory lock, taken first, as
	 * SQLite's BEGIN IMMEDIATE queues them on the file, on every host at
	 * once. The cascade and the sweep read many rows and then write on
	 * what they read; with one writer at a time, nothing they read can
	 * change under them, each statement (READ COMMITTED) sees every
	 * change committed before the lock was granted, and the referral's
	 * version check (exit 3) stays exact. Two writers never hold row
	 * locks at once, so a deadlock or a serialization failure should not
	 * arise (READ COMMITTED raises none); should the server still answer
	 * one (40001, 40P01), or the connection be lost before COMMIT, the
	 * failure says so (STORE_RETRY, store_retry_wanted) and core runs the
	 * whole action again (bk_tx_run). A writer that waits longer than the
	 * busy timeout (lock_timeout) is told the database is busy, as on
	 * SQLite, and is not run again. */
	const char *begin = st->engine == STORE_ENGINE_PG ? "BEGIN ISOLATION LEVEL READ COMMITTED; "
	                                                    "SELECT pg_advisory_xact_lock(" PG_WRITER_LOCK ")"
	                                                  : "BEGIN IMMEDIATE";
	enum store_status s = begin_revived(st, begin, "starting a change");
	st->audit_head_known = false;
	if (s == STORE_OK) {
		st->in_tx = true;
		st->tx_read = false;
		st->depth = 1;
	} else if (st->engine == STORE_ENGINE_PG && pg_in_transaction(st->pg)) {
		sql_exec(st, "ROLLBACK"); /* the lock was not granted in time */
	}
	return s;
}

enum store_status store_begin_read(struct store *st)
{
	/* PostgreSQL: one snapshot for every statement of the read, as
	 * SQLite's read transaction gives; read-only, so it takes no lock a
	 * writer waits for and can never fail to serialize. */
	const char *begin = st->engine == STORE_ENGINE_PG ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN";
	enum store_status s = begin_revived(st, begin, "starting a read");
	if (s == STORE_OK) {
		st->in_tx = true;
		st->tx_read = true;
		st->depth = 1;
	}
	return s;
}

enum store_status store_commit(struct store *st)
{
	if (st->depth > 1) {
		enum store_status s = step_cached(st, Q_RELEASE, "RELEASE action", "saving the change");
		if (s == STORE_OK)
			st->depth--;
		return s;
	}
	enum store_status s = store_audit_record_head(st);
	if (s != STORE_OK) {
		store_rollback(st);
		return s;
	}
	/* PostgreSQL: other programs learn of the change by a notification,
	 * sent with the commit in one round trip (none for a read). */
	st->committing = !st->tx_read;
	s = store_exec(st, st->engine == STORE_ENGINE_PG && !st->tx_read ? "NOTIFY brokerage; COMMIT" : "COMMIT",
	               "saving the change");
	st->committing = false;
	if (s != STORE_OK) {
		char keep[sizeof st->err];
		memcpy(keep, st->err, sizeof keep);
		store_rollback(st);
		memcpy(st->err, keep, sizeof keep);
		return s;
	}
	st->in_tx = false;
	st->depth = 0;
	st->audit_head_known = false;
	return STORE_OK;
}

void store_rollback(struct store *st)
{
	st->audit_head_known = false; /* the events of what is undone are gone */
	if (st->depth > 1) {
		step_cached(st, Q_ROLLBACK_TO, "ROLLBACK TO action", "undoing the change");
		step_cached(st, Q_RELEASE, "RELEASE action", "undoing the change");
		st->depth--;
		return;
	}
	if (st->engine == STORE_ENGINE_PG ? pg_in_transaction(st->pg) : !sqlite3_get_autocommit(st->db))
		sql_exec(st, "ROLLBACK");
	st->in_tx = false;
	st->depth = 0;
	st->audit_dirty = false;
}

bool store_in_transaction(const struct store *st)
{
	return st->in_tx;
}

bool store_retry_wanted(const struct store *st)
{
	return st->retry;
}

/* For making a whole database in one go (the demo): a large page cache,
 * savepoint journals in memory, checkpoints in large steps, and commits
 * that reach the disk at checkpoints rather than at every batch. A killed
 * process still leaves a consistent file (the write-ahead log is written
 * at every commit); only a power cut can lose the last batches. */
enum store_status store_bulk_mode(struct store *st)
{
	/* PostgreSQL: commits of the batches need not wait for the server's
	 * disk; a crash of the server may lose the last ones, never leave
	 * them half done. */
	if (st->engine == STORE_ENGINE_PG)
		return store_exec(st, "SET synchronous_commit = off", "setting batch writes");
	if (store_exec(st, "PRAGMA cache_size = -131072", "enlarging the page cache") != STORE_OK ||
	    store_exec(st, "PRAGMA temp_store = MEMORY", "keeping temporary data in memory") != STORE_OK ||
	    store_exec(st, "PRAGMA wal_autocheckpoint = 16384", "spacing the checkpoints") != STORE_OK)
		return STORE_ERROR;
	return store_exec(st, "PRAGMA synchronous = NORMAL", "setting batch writes");
}

enum store_status store_data_version(struct store *st, int64_t *v)
{
	/* PostgreSQL: the count of notifications other programs sent at their
	 * commits (LISTEN at open, NOTIFY in store_commit); reading them sends
	 * no query when none came. */
	if (st->engine == STORE_ENGINE_PG) {
		/* a connection found lost is made again here too, so that a screen
		 * left open through a server restart goes on refreshing */
		if (!st->in_tx && pg_revive(st) != STORE_OK)
			return STORE_ERROR;
		int rc = pg_notifications(st->pg, v);
		return rc == SQLITE_OK ? STORE_OK : store_fail(st, rc, "checking for changes");
	}
	sql_stmt *s = store_stmt(st, Q_DATA_VERSION, "PRAGMA data_version");
	if (!s)
		return STORE_ERROR;
	int rc = sql_step(s);
	if (rc != SQLITE_ROW) {
		sql_reset(s);
		return store_fail(st, rc, "checking for changes");
	}
	*v = sql_column_int64(s, 0);
	sql_reset(s);
	return STORE_OK;
}

enum store_status store_meta_get(struct store *st, const char *key, char *buf, size_t len)
{
	sql_stmt *s = store_stmt(st, Q_META_GET, "SELECT value FROM meta WHERE key = ?1");
	if (!s)
		return STORE_ERROR;
	if (sql_bind_text(s, 1, key, -1, SQLITE_STATIC) != SQLITE_OK)
		return store_fail(st, SQLITE_ERROR, "reading a setting");
	int rc = sql_step(s);
	enum store_status status = STORE_OK;
	if (rc == SQLITE_ROW)
		store_col_text(s, 0, buf, len);
	else if (rc == SQLITE_DONE)
		status = STORE_NOT_FOUND;
	else
		status = store_fail(st, rc, "reading a setting");
	sql_reset(s);
	return status;
}

enum store_status store_meta_set(struct store *st, const char *key, const char *value)
{
	sql_stmt *s = store_stmt(st, Q_META_SET,
	                         "INSERT INTO meta(key, value) VALUES (?1, ?2) "
	                         "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
	if (!s)
		return STORE_ERROR;
	if (sql_bind_text(s, 1, key, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sql_bind_text(s, 2, value, -1, SQLITE_STATIC) != SQLITE_OK)
		return store_fail(st, SQLITE_ERROR, "saving a setting");
	int rc = sql_step(s);
	sql_reset(s);
	return rc == SQLITE_DONE ? STORE_OK : store_fail(st, rc, "saving a setting");
}

static enum store_status report_rows(struct store *st, const char *sql, const char *prefix, store_report_fn report,
                                     void *ud, int *problems, bool skip_ok)
{
	sql_stmt *s = NULL;
	int rc = sql_prepare(st, sql, &s);
	if (rc != SQLITE_OK)
		return store_fail(st, rc, "checking the database");
	while ((rc = sql_step(s)) == SQLITE_ROW) {
		char line[512], text[400] = "";
		int cols = sql_column_count(s);
		size_t off = 0;
		for (int c = 0; c < cols && off < sizeof text; c++) {
			const unsigned char *t = sql_column_text(s, c);
			int w = snprintf(text + off, sizeof text - off, "%s%s", c ? " " : "",
			                 t ? (const char *)t : "NULL");
			if (w < 0)
				break;
			off += (size_t)w;
		}
		if (skip_ok && strcmp(text, "ok") == 0)
			continue;
		snprintf(line, sizeof line, "%s%s", prefix, text);
		if (report)
			report(ud, line);
		(*problems)++;
	}
	sql_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, "checking the database");
	return STORE_OK;
}

enum store_status store_check(struct store *st, bool quick, store_report_fn report, void *ud, int *problems)
{
	*problems = 0;
	enum store_status s;
	if (st->engine == STORE_ENGINE_PG) {
		/* the server keeps its pages whole: its catalog and keys instead */
		s = store_pg_check(st, quick, report, ud, problems);
	} else {
		s = report_rows(st, quick ? "PRAGMA quick_check" : "PRAGMA integrity_check", "integrity: ", report, ud,
		                problems, true);
		if (s == STORE_OK)
			s = report_rows(st, "PRAGMA foreign_key_check", "foreign key broken: table ", report, ud,
			                problems, false);
	}
	if (s != STORE_OK)
		return s;
	struct store_origin og;
	s = store_audit_origin(st, &og);
	if (s != STORE_OK)
		return s;
	const char *origin_problem = NULL;
	if (og.any && !og.known)
		origin_problem = "the audit trail does not begin with the event that made the database (database.init)";
	else if (og.any && !og.sealed)
		origin_problem = "the event that made the database (database.init, event 1) was edited";
	else if (og.test_mode != og.meta_test_mode)
		origin_problem =
			og.test_mode ? "the database was made in test mode, but its test_mode flag was cleared "
				       "outside the program"
				     : "the database was made as a real one, but its test_mode flag was set outside "
				       "the program (so --as and --now stay refused)";
	if (origin_problem) {
		if (report)
			report(ud, origin_problem);
		(*problems)++;
	}
	int v = store_schema_version(st);
	if (v != STORE_SCHEMA_VERSION) {
		char line[128];
		snprintf(line, sizeof line, "schema version is %d, expected %d", v, STORE_SCHEMA_VERSION);
		if (report)
			report(ud, line);
		(*problems)++;
	}
	return STORE_OK;
}

/* Invariants between tables that the actions keep: each query lists the
 * rows that break one, with words for the report. */
static const struct {
	const char *what;
	const char *sql;
} invariants[] = {
	{ "searching referral with no open offer: referral ",
	  "SELECT r.id FROM referral r WHERE r.status = 'searching' AND NOT EXISTS (SELECT 1 FROM offer o "
	  "WHERE o.referral_id = r.id AND (o.status IN ('sent','info_requested') OR (o.status = 'accepted' AND "
	  "o.confirmed = 0)))" },
	{ "open offer on a referral that is not searching: referral ",
	  "SELECT DISTINCT r.id || ' (' || r.status || ')' FROM referral r JOIN offer o ON o.referral_id = r.id "
	  "WHERE r.status <> 'searching' AND o.status IN ('sent','info_requested')" },
	{ "sourced from the framework without one confirmed acceptance: referral ",
	  "SELECT r.id FROM referral r WHERE r.route = 'framework' AND r.status IN ('sourced','ended') AND "
	  "(SELECT count(*) FROM offer o WHERE o.referral_id = r.id AND o.status = 'accepted' AND o.confirmed = 1) <> "
	  "1 "
	  "AND NOT EXISTS (SELECT 1 FROM event e WHERE e.referral_id = r.id AND e.action = 'referral.import')" },
	{ "sourced off-contract without an approved spot request: referral ",
	  "SELECT r.id FROM referral r WHERE r.route = 'spot' AND r.status IN ('sourced','ended') AND NOT EXISTS "
	  "(SELECT 1 FROM spot_request s WHERE s.referral_id = r.id AND s.status = 'approved') "
	  "AND NOT EXISTS (SELECT 1 FROM event e WHERE e.referral_id = r.id AND e.action = 'referral.import')" },
	{ "sourced or ended with no route: referral ",
	  "SELECT r.id FROM referral r WHERE r.status IN ('sourced','ended') AND r.route IS NULL "
	  "AND NOT EXISTS (SELECT 1 FROM event e WHERE e.referral_id = r.id AND e.action = 'referral.import')" },
	{ "spot purchase requested without exactly one pending request: referral ",
	  "SELECT r.id FROM referral r WHERE (r.status = 'spot_requested' OR "
	  "(r.status = 'paused' AND r.paused_from = 'spot_requested')) <> "
	  "((SELECT count(*) FROM spot_request s WHERE s.referral_id = r.id AND s.status = 'pending') = 1)" },
	{ "two open offers at one rank: referral ",
	  "SELECT referral_id || ' rank ' || rank FROM offer WHERE status IN ('sent','info_requested') "
	  "GROUP BY referral_id, rank HAVING count(*) > 1" },
	{ "a spot request decided by its requester: request ",
	  "SELECT id FROM spot_request WHERE decided_by = requested_by" },
	{ "referral with no audit event recording it: referral ",
	  "SELECT r.id FROM referral r WHERE NOT EXISTS (SELECT 1 FROM event e WHERE e.referral_id = r.id "
	  "AND e.entity = 'referral' AND e.entity_id = r.id)" },
	{ "offer with no audit event recording it: offer ",
	  /* one pass over the trail, not one per offer: event has no index by entity */
	  "SELECT o.id FROM offer o LEFT JOIN (SELECT DISTINCT entity_id FROM event WHERE entity = 'offer') e "
	  "ON e.entity_id = o.id WHERE e.entity_id IS NULL" },
	{ "referral changed without an audit event for its version: referral ",
	  "SELECT r.id FROM referral r WHERE r.version > 1 + (SELECT count(*) FROM event e WHERE e.referral_id = r.id "
	  "AND e.entity = 'referral' AND e.entity_id = r.id "
	  "AND e.action NOT IN ('referral.new', 'referral.import', 'referral.read', 'subject.access'))" },
};

enum store_status store_check_deep(struct store *st, store_report_fn report, void *ud, int *problems)
{
	for (size_t i = 0; i < sizeof invariants / sizeof invariants[0]; i++) {
		enum store_status s =
			report_rows(st, invariants[i].sql, invariants[i].what, report, ud, problems, false);
		if (s != STORE_OK)
			return s;
	}
	return STORE_OK;
}

/* Creates dest for a backup: owner only, whatever the umask, and never
 * over an existing file. Returns an open descriptor or -1 with err set. */
static int create_backup_file(const char *dest, char *err, size_t errlen)
{
	struct stat sb;
	if (lstat(dest, &sb) == 0) {
		snprintf(err, errlen, "%s exists already: choose a new file for the backup", dest);
		return -1;
	}
	int fd = open(dest, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		snprintf(err, errlen, "cannot create %s: %s", dest, strerror(errno));
	return fd;
}

/* Copies the database into dest through SQLite's online backup, checks
 * the copy and turns it into one self-contained file (a rollback journal,
 * not WAL, so no -wal or -shm is ever left beside a backup). On failure
 * dest is removed and *damaged tells whether it was the database that
 * could not be read. */
/* Puts the finished copy tmp at dest: on the disk first (file and
 * directory synced), then under its name, never over a file that appeared
 * there meanwhile. */
static bool publish(const char *tmp, const char *dest, char *err, size_t errlen)
{
	int fd = open(tmp, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || fsync(fd) != 0) {
		snprintf(err, errlen, "cannot write %s: %s", dest, strerror(errno));
		if (fd >= 0)
			close(fd);
		return false;
	}
	close(fd);
	if (link(tmp, dest) != 0) {
		snprintf(err, errlen,
		         errno == EEXIST ? "%s exists already: choose a new file for the backup"
		                         : "cannot create %s: %s",
		         dest, strerror(errno));
		return false;
	}
	unlink(tmp);
	char dir[1024];
	snprintf(dir, sizeof dir, "%s", dest);
	int dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return true;
}

static enum store_status backup_copy(struct store *st, const char *dest, char *err, size_t errlen, bool *damaged)
{
	*damaged = false;
	struct stat sb;
	if (lstat(dest, &sb) == 0) {
		snprintf(err, errlen, "%s exists already: choose a new file for the backup", dest);
		return STORE_REFUSED;
	}
	/* The copy is made beside dest under a temporary name and renamed
	 * when whole and checked: a failure or a kill never leaves a partial
	 * or empty file at dest. */
	char tmp[1100];
	if ((size_t)snprintf(tmp, sizeof tmp, "%s.partial-XXXXXX", dest) >= sizeof tmp) {
		snprintf(err, errlen, "the path %s is too long", dest);
		return STORE_REFUSED;
	}
	int fd = mkstemp(tmp);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create %s: %s", dest, strerror(errno));
		return STORE_REFUSED;
	}
	fchmod(fd, 0600);
	close(fd);
	sqlite3 *out = NULL;
	char problem[300] = "";
	int rc = sqlite3_open_v2(tmp, &out, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_backup *b = sqlite3_backup_init(out, "main", st->db, "main");
		if (!b) {
			rc = sqlite3_errcode(out);
		} else {
			/* Step in pages so writers are not held up for the whole copy. */
			do {
				rc = sqlite3_backup_step(b, 1024);
				if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
					sqlite3_sleep(20);
			} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
			int frc = sqlite3_backup_finish(b);
			if (rc == SQLITE_DONE)
				rc = frc;
		}
		if ((rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB)
			snprintf(problem, sizeof problem, "the database file is damaged and could not be read through");
	}
	if (rc == SQLITE_OK) {
		sqlite3_stmt *s = NULL;
		rc = sqlite3_prepare_v2(out, "PRAGMA integrity_check", -1, &s, NULL);
		if (rc == SQLITE_OK) {
			rc = sqlite3_step(s);
			const unsigned char *t = rc == SQLITE_ROW ? sqlite3_column_text(s, 0) : NULL;
			if (t && strcmp((const char *)t, "ok") == 0) {
				rc = SQLITE_OK;
			} else {
				snprintf(problem, sizeof problem,
				         "the database file is damaged (the copy fails its integrity check: %.200s)",
				         t ? (const char *)t : sqlite3_errmsg(out));
				rc = SQLITE_CORRUPT;
			}
		}
		sqlite3_finalize(s);
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(out, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		*damaged = (rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB;
		snprintf(err, errlen, "the backup to %s failed: %s", dest,
		         problem[0] ? problem
		         : out      ? sqlite3_errmsg(out)
		                    : sqlite3_errstr(rc));
		sqlite3_close(out);
		unlink(tmp);
		return STORE_ERROR;
	}
	if (sqlite3_close(out) != SQLITE_OK) {
		snprintf(err, errlen, "the backup to %s failed: it could not be closed", dest);
		unlink(tmp);
		return STORE_ERROR;
	}
	if (!publish(tmp, dest, err, errlen)) {
		unlink(tmp);
		return STORE_ERROR;
	}
	return STORE_OK;
}

/* On PostgreSQL the server's own tools keep the database (and a copy the
 * program checks is migrate --from's): backup and restore say so. */
static const char pg_no_backup[] =
	"backup copies a database file; a PostgreSQL database is backed up with the server's own tools "
	"(pg_dump -Fc, restored with pg_restore into an empty database), or copied into a new file, checked on "
	"arrival, with 'brokerage migrate --from' (which 'brokerage backup' can then keep); nothing was done";
static const char pg_no_restore[] =
	"restore replaces a database file; a PostgreSQL database is restored with the server's own tools "
	"(pg_restore of a pg_dump -Fc, into an empty database), or a backup file is copied into an empty "
	"PostgreSQL database, checked on arrival, with 'brokerage migrate --to'; nothing was changed";

enum store_status store_backup(struct store *st, const char *dest, char *err, size_t errlen)
{
	if (st->engine == STORE_ENGINE_PG) {
		snprintf(err, errlen, "%s", pg_no_backup);
		return STORE_REFUSED;
	}
	bool damaged;
	enum store_status s = backup_copy(st, dest, err, errlen, &damaged);
	if (damaged) {
		size_t n = strlen(err);
		snprintf(err + n, errlen - n, "; run 'brokerage check' and restore the last good backup");
	}
	return s;
}

/* Copies one file byte for byte into a new file dest (0600); for keeping a
 * damaged database that SQLite cannot read through. A missing src is no
 * error when optional. */
static bool copy_bytes(const char *src, const char *dest, bool optional, char *err, size_t errlen)
{
	int in = open(src, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (in < 0) {
		if (optional && errno == ENOENT)
			return true;
		snprintf(err, errlen, "cannot read %s: %s", src, strerror(errno));
		return false;
	}
	int out = create_backup_file(dest, err, errlen);
	if (out < 0) {
		close(in);
		return false;
	}
	char buf[65536];
	ssize_t n = 0;
	bool ok = true;
	while (ok && (n = read(in, buf, sizeof buf)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "cannot read %s: %s", src, strerror(errno));
			ok = false;
			break;
		}
		for (ssize_t done = 0; done < n;) {
			ssize_t w = write(out, buf + done, (size_t)(n - done));
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				snprintf(err, errlen, "cannot write %s: %s", dest, strerror(errno));
				ok = false;
				break;
			}
			done += w;
		}
	}
	if (ok && fsync(out) != 0) {
		snprintf(err, errlen, "cannot write %s: %s", dest, strerror(errno));
		ok = false;
	}
	close(in);
	if (close(out) != 0 && ok) {
		snprintf(err, errlen, "cannot write %s: %s", dest, strerror(errno));
		ok = false;
	}
	if (!ok)
		unlink(dest);
	return ok;
}

/* Keeps the current contents at keep before a restore: through the online
 * backup, or, when the database is too damaged to be read through, the
 * database file and its write-ahead log copied byte for byte (keep and
 * keep-wal) under the write lock, for whoever investigates the damage. */
static enum store_status keep_current(struct store *st, const char *keep, char *err, size_t errlen, bool *raw)
{
	bool damaged;
	*raw = false;
	enum store_status s = backup_copy(st, keep, err, errlen, &damaged);
	if (s == STORE_OK || !damaged)
		return s;
	char wal[1100], keep_wal[1100];
	if ((size_t)snprintf(wal, sizeof wal, "%s-wal", st->path) >= sizeof wal ||
	    (size_t)snprintf(keep_wal, sizeof keep_wal, "%s-wal", keep) >= sizeof keep_wal) {
		snprintf(err, errlen, "the path of the database is too long");
		return STORE_REFUSED;
	}
	/* Hold off other writers while the bytes are copied, where the file
	 * still allows a transaction at all. */
	bool locked = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK;
	bool ok = copy_bytes(st->path, keep, false, err, errlen);
	struct stat sb;
	bool has_wal = stat(wal, &sb) == 0 && sb.st_size > 0;
	if (ok && has_wal && !copy_bytes(wal, keep_wal, true, err, errlen)) {
		unlink(keep);
		ok = false;
	}
	if (locked)
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	if (!ok)
		return STORE_ERROR;
	*raw = true;
	return STORE_OK;
}

/* Keeps the first problem a check reports, for a restore's refusal. */
struct first_problem {
	char text[300];
};

static void keep_first_problem(void *ud, const char *what)
{
	struct first_problem *f = ud;
	if (!f->text[0])
		snprintf(f->text, sizeof f->text, "%s", what);
}

enum store_status store_restore(struct store *st, const char *src, const char *keep, bool *kept_raw, char *err,
                                size_t errlen)
{
	if (kept_raw)
		*kept_raw = false;
	if (st->engine == STORE_ENGINE_PG) {
		snprintf(err, errlen, "%s", pg_no_restore);
		return STORE_REFUSED;
	}
	if (st->readonly) {
		snprintf(err, errlen, "the database is open read-only: it cannot be restored");
		return STORE_REFUSED;
	}
	/* Verify the backup first, through the same checks as `brokerage check --deep`. */
	struct store *from = NULL;
	struct store_open_opts o = { .path = src, .readonly = true };
	char why[512];
	enum store_status s = store_open(&o, &from, why, sizeof why);
	if (s != STORE_OK) {
		snprintf(err, errlen, "%s cannot be restored: %s", src, why);
		return STORE_REFUSED;
	}
	int problems = 0, broken = 0;
	struct first_problem first = { "" };
	struct store_verify v = { 0 };
	s = store_check(from, false, keep_first_problem, &first, &problems);
	if (s == STORE_OK && problems == 0)
		s = store_audit_verify(from, &v);
	if (s == STORE_OK && problems == 0 && !v.bad_seq)
		s = store_check_deep(from, keep_first_problem, &first, &broken);
	if (s != STORE_OK || problems > 0 || v.bad_seq || broken > 0) {
		if (s != STORE_OK)
			snprintf(err, errlen, "%s cannot be restored: %s", src, from->err);
		else if (problems)
			snprintf(err, errlen,
			         "%s cannot be restored: it fails its integrity check (%d problem%s; the first: %s)",
			         src, problems, problems == 1 ? "" : "s", first.text);
		else if (v.bad_seq)
			snprintf(err, errlen,
			         "%s cannot be restored: its audit trail does not verify at event %lld (%s)", src,
			         (long long)v.bad_seq, v.problem);
		else
			snprintf(
				err, errlen,
				"%s cannot be restored: it breaks the workflow's invariants that 'check --deep' checks "
				"(%d problem%s; the first: %s)",
				src, broken, broken == 1 ? "" : "s", first.text);
		store_close(from);
		return STORE_REFUSED;
	}
	/* Only this database's own past: the same first event (so not another
	 * council's file, nor a test database over a real one), and one that
	 * an administrator can still act on. */
	struct store_origin mine, theirs;
	int64_t admins = 0;
	const char *refusal = NULL;
	s = store_audit_origin(from, &theirs);
	if (s == STORE_OK) {
		sql_stmt *q = NULL;
		int rc = sql_prepare(from, "SELECT count(*) FROM staff WHERE role = 'admin' AND active = 1", &q);
		if (rc == SQLITE_OK && (rc = sql_step(q)) == SQLITE_ROW)
			admins = sql_column_int64(q, 0);
		else
			s = store_fail(from, rc, "reading its staff");
		sql_finalize(q);
	}
	if (s != STORE_OK) {
		snprintf(err, errlen, "%s cannot be restored: %s", src, from->err);
		store_close(from);
		return STORE_REFUSED;
	}
	bool mine_read = store_audit_origin(st, &mine) == STORE_OK && mine.known;
	if (theirs.test_mode && !(mine_read && mine.test_mode))
		refusal = "it is a test-mode database (anyone may act as anyone in it with --as) and this one is not";
	else if (mine_read && mine.sealed && memcmp(mine.hash, theirs.hash, STORE_HASH_BYTES) != 0)
		refusal = "it is not a backup of this database (its audit trail begins with another database.init "
			  "event): "
			  "a backup of another database is never restored over this one";
	else if (admins == 0)
		refusal = "it has no active administrator, so nobody could manage staff or restore again";
	if (refusal) {
		snprintf(err, errlen, "%s cannot be restored: %s; nothing was changed", src, refusal);
		store_close(from);
		return STORE_REFUSED;
	}
	bool raw = false;
	const struct store_keep_access *acc = st->keep_access;
	if (keep && acc && !acc->raise(acc->ud)) {
		snprintf(err, errlen,
		         "the current database could not be kept before restoring: the program could not take "
		         "back its group's rights; nothing was changed");
		store_close(from);
		return STORE_ERROR;
	}
	if (keep)
		s = keep_current(st, keep, why, sizeof why, &raw);
	if (keep && acc)
		acc->lower(acc->ud);
	if (keep && s != STORE_OK) {
		snprintf(err, errlen, "the current database could not be kept before restoring: %s", why);
		store_close(from);
		return s;
	}
	sqlite3_backup *b = sqlite3_backup_init(st->db, "main", from->db, "main");
	int rc = SQLITE_OK;
	if (!b) {
		rc = sqlite3_errcode(st->db);
	} else {
		rc = sqlite3_backup_step(b, -1);
		int frc = sqlite3_backup_finish(b);
		if (rc == SQLITE_DONE)
			rc = frc;
	}
	store_close(from);
	if (rc != SQLITE_OK) {
		store_fail(st, rc, "restoring");
		snprintf(err, errlen, "%s; the database was not changed", st->err);
		return STORE_ERROR;
	}
	st->damaged = false;
	if (kept_raw)
		*kept_raw = raw;
	return STORE_OK;
}
