/* Helpers shared by the unit tests: temporary directories, UTF-8 checks,
 * local times, and a test-mode database to run the core against. Static
 * inline only: each test includes what it uses (after <cmocka.h>), and
 * what it does not use is never compiled into it. */
#ifndef BK_TESTUTIL_H
#define BK_TESTUTIL_H

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/brokerage.h"
#include "storage/store.h"

/* A fresh directory under $TMPDIR (or /tmp), into buf. */
static inline bool tu_mkdtemp(char *buf, size_t len)
{
	const char *base = getenv("TMPDIR");
	if (!base || !*base)
		base = "/tmp";
	if ((size_t)snprintf(buf, len, "%s/bk-test-XXXXXX", base) >= len)
		return false;
	return mkdtemp(buf) != NULL;
}

/* Remove a directory and everything in it (one level of subdirectories
 * is all the tests make; deeper ones are handled too). */
static inline void tu_rmtree(const char *path)
{
	DIR *d = opendir(path);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			char sub[4096];
			if ((size_t)snprintf(sub, sizeof sub, "%.2000s/%.1000s", path, e->d_name) >= sizeof sub)
				continue;
			struct stat sb;
			if (lstat(sub, &sb) == 0 && S_ISDIR(sb.st_mode))
				tu_rmtree(sub);
			else
				unlink(sub);
		}
		closedir(d);
	}
	rmdir(path);
}

/* Is s (n bytes) valid, shortest-form UTF-8 with no surrogates? Written
 * independently of core/text.c so that the two can disagree. */
static inline bool tu_valid_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned char c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t len;
		if (c >= 0xC2 && c <= 0xDF)
			len = 2;
		else if (c >= 0xE0 && c <= 0xEF)
			len = 3;
		else if (c >= 0xF0 && c <= 0xF4)
			len = 4;
		else
			return false;
		if (i + len > n)
			return false;
		for (size_t k = 1; k < len; k++)
			if ((s[i + k] & 0xC0) != 0x80)
				return false;
		unsigned char c1 = s[i + 1];
		if (c == 0xE0 && c1 < 0xA0)
			return false; /* overlong */
		if (c == 0xED && c1 >= 0xA0)
			return false; /* surrogate */
		if (c == 0xF0 && c1 < 0x90)
			return false; /* overlong */
		if (c == 0xF4 && c1 >= 0x90)
			return false; /* beyond U+10FFFF */
		i += len;
	}
	return true;
}

static inline bool tu_valid_utf8_str(const char *s)
{
	return tu_valid_utf8((const unsigned char *)s, strlen(s));
}

/* Read a whole file into a malloc'd buffer; NULL on failure. */
static inline unsigned char *tu_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	unsigned char *buf = malloc(cap);
	while (buf) {
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (n < cap)
			break;
		unsigned char *grown = realloc(buf, cap * 2);
		if (!grown) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = grown;
		cap *= 2;
	}
	fclose(f);
	*len = n;
	return buf;
}

/* ---- the engine (issue 19) ----
 *
 * BROKERAGE_TEST_ENGINE=pg (the suite pg runs each unit test through
 * tests/pg/unit.sh, which starts a PostgreSQL cluster of its own and exports
 * PG_DIR): every database a fixture makes is a fresh empty one in that
 * cluster, given to the program by its conninfo. Otherwise, a file. */

static inline bool tu_engine_pg(void)
{
	const char *e = getenv("BROKERAGE_TEST_ENGINE");
	return e && strcmp(e, "pg") == 0;
}

/* Does path name a PostgreSQL database rather than a file? */
static inline bool tu_is_conninfo(const char *path)
{
	return strncmp(path, "postgresql://", 13) == 0 || strncmp(path, "postgres://", 11) == 0 ||
	       strchr(path, '=') != NULL;
}

/* Run a shell command line and keep the first line it prints (NUL-ended,
 * no newline) in out; fail the test unless it exits 0. */
static inline void tu_shell_line(const char *cmd, char *out, size_t len)
{
	FILE *p = popen(cmd, "r");
	if (!p)
		fail_msg("cannot run: %s", cmd);
	out[0] = '\0';
	if (!fgets(out, (int)len, p))
		out[0] = '\0';
	char rest[256];
	while (fgets(rest, sizeof rest, p))
		;
	int st = pclose(p);
	out[strcspn(out, "\n")] = '\0';
	if (st != 0)
		fail_msg("failed (%d): %s", st, cmd);
}

/* s in single quotes for the shell, into out. */
static inline void tu_shell_quote(const char *s, char *out, size_t len)
{
	size_t o = 0;
	if (len < 3)
		fail_msg("no room to quote");
	out[o++] = '\'';
	for (; *s; s++) {
		const char *piece = *s == '\'' ? "'\\''" : (char[2]){ *s, 0 };
		size_t n = strlen(piece);
		if (o + n + 2 > len)
			fail_msg("a command too long to quote");
		memcpy(out + o, piece, n);
		o += n;
	}
	out[o++] = '\'';
	out[o] = '\0';
}

static inline const char *tu_pg_bindir(void)
{
	const char *b = getenv("PG_BINDIR");
	return b && *b ? b : "/usr/lib/postgresql/15/bin";
}

/* The psql command that runs sql on conninfo as the cluster's superuser,
 * quiet and unaligned, stopping at an error; tail is appended (e.g. "
 * 2>&1"). One static buffer: use it before the next call. */
static inline const char *tu_psql_command(const char *conninfo, const char *sql, const char *tail)
{
	static char qc[1024], qs[16384], cmd[18000];
	tu_shell_quote(conninfo, qc, sizeof qc);
	tu_shell_quote(sql, qs, sizeof qs);
	snprintf(cmd, sizeof cmd, "%s/psql -X -q -A -t -v ON_ERROR_STOP=1 -d %s -c %s%s", tu_pg_bindir(), qc, qs, tail);
	return cmd;
}

/* Run SQL on the PostgreSQL database conninfo as the cluster's superuser
 * (psql); the first line it prints into out (may be NULL). */
static inline void tu_psql(const char *conninfo, const char *sql, char *out, size_t len)
{
	char line[512];
	tu_shell_line(tu_psql_command(conninfo, sql, ""), out ? out : line, out ? len : sizeof line);
}

/* Run SQL on the PostgreSQL database conninfo as the cluster's superuser
 * (psql); everything it prints, every line, into out (NUL-ended). One
 * process and one connection for a query of many rows. */
static inline void tu_psql_all(const char *conninfo, const char *sql, char *out, size_t len)
{
	const char *cmd = tu_psql_command(conninfo, sql, "");
	FILE *p = popen(cmd, "r");
	if (!p)
		fail_msg("cannot run: %s", cmd);
	size_t n = fread(out, 1, len - 1, p);
	out[n] = '\0';
	char rest[256];
	bool cut = false;
	while (fread(rest, 1, sizeof rest, p) > 0)
		cut = true;
	int st = pclose(p);
	if (st != 0)
		fail_msg("failed (%d): %s", st, cmd);
	if (cut)
		fail_msg("more than %zu bytes from: %s", len - 1, cmd);
}

/* Run SQL on conninfo as the superuser; its exit status, and what it
 * printed (stdout and stderr, the first line) into out. For SQL that must
 * be refused. */
static inline int tu_psql_status(const char *conninfo, const char *sql, char *out, size_t len)
{
	const char *cmd = tu_psql_command(conninfo, sql, " 2>&1");
	FILE *p = popen(cmd, "r");
	if (!p)
		fail_msg("cannot run: %s", cmd);
	out[0] = '\0';
	if (!fgets(out, (int)len, p))
		out[0] = '\0';
	char rest[256];
	while (fgets(rest, sizeof rest, p))
		;
	return pclose(p);
}

/* Does a dump of the PostgreSQL database conninfo (every row of every
 * table, as pg_dump writes it) hold needle? */
static inline bool tu_pg_dump_has(const char *conninfo, const char *needle)
{
	static char qc[1024], qn[512], cmd[2048];
	char out[64];
	tu_shell_quote(conninfo, qc, sizeof qc);
	tu_shell_quote(needle, qn, sizeof qn);
	snprintf(cmd, sizeof cmd, "%s/pg_dump -d %s | grep -c -F -e %s; true", tu_pg_bindir(), qc, qn);
	tu_shell_line(cmd, out, sizeof out);
	return atoi(out) > 0;
}

/* A fresh, empty database to give bk_open: dir/file on SQLite; on
 * PostgreSQL a new database in the test's cluster, its conninfo. */
static inline void tu_newdb(const char *dir, const char *file, char *out, size_t len)
{
	if (!tu_engine_pg()) {
		snprintf(out, len, "%.255s/%.40s", dir, file);
		return;
	}
	const char *root = getenv("BROKERAGE_SOURCE_ROOT"), *pgdir = getenv("PG_DIR");
	if (!root || !pgdir)
		fail_msg("BROKERAGE_TEST_ENGINE=pg needs BROKERAGE_SOURCE_ROOT and PG_DIR: run it through "
		         "tests/pg/unit.sh");
	static unsigned made;
	char cmd[1200];
	snprintf(cmd, sizeof cmd, "'%.500s/tests/pg/cluster.sh' createdb '%.500s' u%ld_%u", root, pgdir, (long)getpid(),
	         ++made);
	tu_shell_line(cmd, out, len);
	if (!tu_is_conninfo(out))
		fail_msg("cluster.sh createdb printed no conninfo: %s", out);
}

/* A fresh database holding the program's schema as its first open makes
 * it, and nothing else: for a fixture that opens with create and runs
 * bk_init straight away. On SQLite the same as tu_newdb (the open makes the
 * file). On PostgreSQL a copy of a template made once per test program by
 * bk_open on an empty database (CREATE DATABASE ... TEMPLATE copies files;
 * the schema's statements are not run again for each case). A test of what
 * a first open does (making the schema, versions, refusals) uses tu_newdb:
 * that one is empty. */
static inline void tu_newdb_ready(const struct bk_settings *s, const char *dir, const char *file, char *out, size_t len)
{
	if (!tu_engine_pg()) {
		tu_newdb(dir, file, out, len);
		return;
	}
	static char tmpl[300];
	static unsigned made;
	const char *admin = getenv("PG_ADMIN");
	if (!admin)
		fail_msg("BROKERAGE_TEST_ENGINE=pg needs PG_ADMIN: run it through tests/pg/unit.sh");
	if (!tmpl[0]) {
		char path[300];
		tu_newdb(dir, "template", path, sizeof path);
		struct bk_ctx ctx;
		memset(&ctx, 0, sizeof ctx);
		struct bk_open_opts o = { .path = path, .create = true };
		if (bk_open(&ctx, s, &o) != BK_OK)
			fail_msg("making the template database: %s", ctx.msg);
		bk_close(&ctx);
		snprintf(tmpl, sizeof tmpl, "%s", path);
	}
	const char *at = strstr(tmpl, "dbname=");
	if (!at)
		fail_msg("no dbname in %s", tmpl);
	char name[64], sql[200];
	snprintf(name, sizeof name, "u%ld_r%u", (long)getpid(), ++made);
	snprintf(sql, sizeof sql, "CREATE DATABASE %s TEMPLATE %.60s", name, at + 7);
	tu_psql(admin, sql, NULL, 0);
	if ((size_t)snprintf(out, len, "%.*s%s", (int)(at + 7 - tmpl), tmpl, name) >= len)
		fail_msg("no room for the conninfo");
}

/* Drop a database tu_newdb made (nothing on SQLite: its directory goes). */
static inline void tu_dropdb(const char *path)
{
	if (!tu_is_conninfo(path))
		return;
	const char *name = strstr(path, "dbname=");
	const char *admin = getenv("PG_ADMIN");
	if (!name || !admin)
		return;
	char sql[200];
	/* cluster.sh puts the name last: lower-case letters, digits and _ */
	snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %.60s WITH (FORCE)", name + 7);
	tu_psql(admin, sql, NULL, 0);
}

/* ---- a test-mode database, for the tests that link the core ---- */

struct tu_db {
	struct bk_settings s;
	struct bk_ctx ctx;
	char dir[256];
	char path[300];
};

/* A time as --now takes it ("2026-01-05T09:00", local time). */
static inline int64_t tu_at(const char *text)
{
	int64_t t = 0;
	assert_true(cal_parse_time(text, &t, NULL, 0));
	return t;
}

/* The built-in policy's calendar in Europe/London: a cmocka setup's
 * answer (0, or -1 when the zone cannot be used). */
static inline int tu_cal_london(struct bk_settings *settings, struct cal_rules *cal)
{
	bk_settings_defaults(settings);
	cal_rules_from_settings(cal, settings);
	return cal_zone_use("Europe/London") ? 0 : -1;
}

/* Fail with the core's own words unless st is BK_OK. */
static inline void tu_ok(struct tu_db *db, enum bk_status st)
{
	if (st != BK_OK)
		fail_msg("%s", db->ctx.msg);
}

/* Act as login (who must have a staff record), at when; NULL keeps the
 * clock where it is. */
static inline void tu_as(struct tu_db *db, const char *login, const char *when)
{
	if (when)
		db->ctx.now = tu_at(when);
	if (bk_identify(&db->ctx, login, true) != BK_OK)
		fail_msg("identify %s: %s", login, db->ctx.msg);
}

/* ---- the one fixture builder ----
 *
 * A test-mode database in a directory of its own, made through the core's
 * own actions (so every row obeys the rules and is in the audit trail):
 * the administrator, the staff, the providers and the rankings a test asks
 * for. Every field may be left out:
 *
 *   struct tu_db *db = tu_db_make(&(struct tu_fixture){
 *           .providers = (const struct tu_provider[]){ { "Alpha Care" }, { "Spot Co", .off = true }, { 0 } },
 *           .rankings = (const struct tu_ranking[]){ { 1, "North", (const char *[]){ "Alpha Care", NULL } },
 *                                                    { 0 } },
 *           .as = "alice" });
 */

struct tu_staff {
	const char *login, *name, *role;
};

struct tu_provider {
	const char *name;
	const char *cqc;  /* NULL: none */
	const char *ages; /* NULL: any */
	bool off;         /* off the framework (a spot agency) */
};

struct tu_ranking {
	int lot;
	const char *district;
	const char *const *names; /* in rank order, NULL-terminated */
};

struct tu_fixture {
	const char *now;                     /* when it is made; NULL: 2026-11-02T09:00 */
	const char *admin, *admin_name;      /* NULL: "admin", "Admin" */
	const struct tu_staff *staff;        /* up to a NULL login; NULL: the usual team (the team
	                                      * leader tina, the officer alice, the supervisor sam) */
	const char *keeper;                  /* who adds providers and rankings; NULL: "tina" */
	const char *keep_at;                 /* and when; NULL: now */
	const struct tu_provider *providers; /* up to a NULL name; NULL: none */
	const struct tu_ranking *rankings;   /* up to a NULL district; NULL: none */
	const char *as;                      /* who acts once it is made; NULL: the administrator */
	const char *as_at;                   /* from when; NULL: the clock stays */
	const char *file;                    /* the file's name in its directory; NULL: "t.db" */
};

static inline struct tu_db *tu_db_make(const struct tu_fixture *f)
{
	struct tu_db *db = calloc(1, sizeof *db);
	assert_non_null(db);
	bk_settings_defaults(&db->s);
	assert_true(cal_zone_use(db->s.zone));
	assert_true(tu_mkdtemp(db->dir, sizeof db->dir));
	tu_newdb_ready(&db->s, db->dir, f->file ? f->file : "t.db", db->path, sizeof db->path);
	struct bk_open_opts o = { .path = db->path, .create = true };
	assert_int_equal(bk_open(&db->ctx, &db->s, &o), BK_OK);
	db->ctx.now = tu_at(f->now ? f->now : "2026-11-02T09:00");
	const char *admin = f->admin ? f->admin : "admin";
	tu_ok(db, bk_init(&db->ctx, admin, f->admin_name ? f->admin_name : "Admin", true));
	static const struct tu_staff team[] = {
		{ "tina", "Tina", "team_leader" },
		{ "alice", "Alice", "officer" },
		{ "sam", "Sam", "supervisor" },
		{ NULL, NULL, NULL },
	};
	for (const struct tu_staff *p = f->staff ? f->staff : team; p->login; p++)
		tu_ok(db, bk_staff_add(&db->ctx, p->login, p->name, p->role));
	if ((f->providers && f->providers->name) || (f->rankings && f->rankings->district)) {
		tu_as(db, f->keeper ? f->keeper : "tina", f->keep_at);
		for (const struct tu_provider *p = f->providers; p && p->name; p++) {
			struct bk_provider_input in = { .name = p->name,
				                        .cqc = p->cqc,
				                        .ages = p->ages,
				                        .active = -1,
				                        .framework = p->off ? 0 : -1 };
			int64_t id = 0;
			tu_ok(db, bk_provider_add(&db->ctx, &in, &id));
		}
		for (const struct tu_ranking *r = f->rankings; r && r->district; r++) {
			int n = 0;
			while (r->names[n])
				n++;
			tu_ok(db, bk_rank_set(&db->ctx, r->lot, r->district, r->names, n));
		}
	}
	if (f->as)
		tu_as(db, f->as, f->as_at);
	return db;
}

/* The usual team and nothing else, made at now; acting as the administrator. */
static inline struct tu_db *tu_db_open(const char *now)
{
	return tu_db_make(&(struct tu_fixture){ .now = now });
}

/* Close it and remove its directory with all in it. */
static inline void tu_db_close(struct tu_db *db)
{
	bk_close(&db->ctx);
	tu_dropdb(db->path);
	tu_rmtree(db->dir);
	free(db);
}

static inline int tu_count_event(void *ud, const struct store_event *e)
{
	(void)e;
	(*(int *)ud)++;
	return 0;
}

/* The audit events with this action (NULL: any) on this referral (0: any). */
static inline int tu_events(struct tu_db *db, const char *action, int64_t referral_id)
{
	int n = 0;
	struct store_event_filter ef = { .action = action, .referral_id = referral_id };
	assert_int_equal(store_audit_each(db->ctx.store, &ef, tu_count_event, &n), STORE_OK);
	return n;
}

/* Does haystack contain needle? For messages, with a helpful failure. */
#define tu_assert_contains(haystack, needle)                                                   \
	do {                                                                                   \
		const char *h_ = (haystack), *n_ = (needle);                                   \
		if (!h_ || !strstr(h_, n_))                                                    \
			fail_msg("expected \"%s\" to contain \"%s\"", h_ ? h_ : "(null)", n_); \
	} while (0)

#endif
