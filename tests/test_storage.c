/* Storage: opening and migrating, the pragmas and defensive settings in
 * force, each refusal with its own message (newer schema, not SQLite, not
 * a brokerage database, missing directory, missing file, read-only), STRICT
 * tables, the referral version guard and unique provider names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <fcntl.h>
#include <grp.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "storage/internal.h"
#include "storage/store.h"
#include "tests/testutil.h"

struct fixture {
	char dir[512];
	char path[600];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	if (!f || !tu_mkdtemp(f->dir, sizeof f->dir))
		return -1;
	snprintf(f->path, sizeof f->path, "%s/brokerage.db", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	tu_rmtree(f->dir);
	free(f);
	return 0;
}

static struct store *open_store(const char *path, bool create)
{
	struct store_open_opts o = { .path = path, .create = create };
	struct store *st = NULL;
	char err[1024] = "";
	enum store_status s = store_open(&o, &st, err, sizeof err);
	if (s != STORE_OK)
		fail_msg("store_open(%s): %d %s", path, (int)s, err);
	return st;
}

/* Open expecting a refusal; returns the status and fills err. */
static enum store_status open_fails(const char *path, bool create, char *err, size_t len)
{
	struct store_open_opts o = { .path = path, .create = create };
	struct store *st = (struct store *)&o; /* must be set to NULL */
	err[0] = '\0';
	enum store_status s = store_open(&o, &st, err, len);
	assert_int_not_equal(s, STORE_OK);
	assert_null(st);
	assert_true(strlen(err) > 10);
	return s;
}

static int64_t int_query(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	int64_t v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

static void text_query(sqlite3 *db, const char *sql, char *buf, size_t len)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	snprintf(buf, len, "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
}

static sqlite3 *raw_open(const char *path)
{
	sqlite3 *db = NULL;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
		fail_msg("raw open %s failed", path);
	return db;
}

static void raw_exec(sqlite3 *db, const char *sql)
{
	char *err = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("%s: %s", sql, err ? err : "?");
}

/* ---- open and migrate ---- */

static void test_create_and_migrate(void **state)
{
	struct fixture *f = *state;
	struct stat sb;
	assert_int_not_equal(stat(f->path, &sb), 0);
	struct store *st = open_store(f->path, true);
	assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
	assert_false(store_is_readonly(st));
	assert_string_equal(store_path(st), f->path);
	int problems = -1;
	assert_int_equal(store_check(st, false, NULL, NULL, &problems), STORE_OK);
	assert_int_equal(problems, 0);
	/* the whole domain's tables are there, STRICT */
	const char *tables[] = { "meta",    "staff",    "lot",   "district",     "provider", "capacity",
		                 "ranking", "referral", "offer", "spot_request", "event",    "event_payload" };
	sqlite3_stmt *q = NULL;
	assert_int_equal(sqlite3_prepare_v2(st->db, "SELECT strict FROM pragma_table_list WHERE name = ?1", -1, &q,
	                                    NULL),
	                 SQLITE_OK);
	for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
		assert_int_equal(sqlite3_reset(q), SQLITE_OK);
		assert_int_equal(sqlite3_bind_text(q, 1, tables[i], -1, SQLITE_STATIC), SQLITE_OK);
		if (sqlite3_step(q) != SQLITE_ROW || sqlite3_column_int(q, 0) != 1)
			fail_msg("table %s is missing or not STRICT", tables[i]);
	}
	sqlite3_finalize(q);
	/* a new file is private to its owner */
	assert_int_equal(stat(f->path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	store_close(st);
	/* reopened without create: same version, no second migration */
	st = open_store(f->path, false);
	assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
	store_close(st);
}

/* Version 6 to 7: a database from before keeps its staff, each with no
 * "last looked" (null: never), which can then be set and read back. */
static void test_migrate_v6_last_looked(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_store(f->path, true);
	struct store_staff a = { .login = "alice", .name = "Alice", .role = "officer", .active = true };
	assert_int_equal(store_staff_add(st, &a), STORE_OK);
	store_close(st);
	sqlite3 *db = raw_open(f->path);
	raw_exec(db, "ALTER TABLE staff DROP COLUMN last_looked_at; DROP INDEX referral_span; PRAGMA user_version = 6");
	sqlite3_close(db);
	st = open_store(f->path, false);
	assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
	int64_t at = -1;
	assert_int_equal(store_staff_last_looked(st, a.id, &at), STORE_OK);
	assert_int_equal(at, 0);
	assert_int_equal(store_staff_set_last_looked(st, a.id, 1795000000), STORE_OK);
	assert_int_equal(store_staff_last_looked(st, a.id, &at), STORE_OK);
	assert_int_equal(at, 1795000000);
	assert_int_equal(store_staff_last_looked(st, a.id + 1, &at), STORE_NOT_FOUND);
	assert_int_equal(store_staff_set_last_looked(st, a.id + 1, 1), STORE_NOT_FOUND);
	store_close(st);
}

/* Version 7 to 8: the index of when referrals waited is made, and the
 * waiting report's two reads seek it (and referral_unsourced), never
 * reading every referral; an offer's deadline then comes from its
 * history's index alone. */
static void test_migrate_v7_span_index(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_store(f->path, true);
	store_close(st);
	sqlite3 *db = raw_open(f->path);
	raw_exec(db, "DROP INDEX referral_span; DROP INDEX offer_deadline_offer; CREATE INDEX offer_deadline_offer ON "
	             "offer_deadline(offer_id, set_at, id); PRAGMA user_version = 7");
	sqlite3_close(db);
	st = open_store(f->path, false);
	assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
	assert_int_equal(int_query(st->db, "SELECT count(*) FROM sqlite_schema WHERE name = 'referral_span'"), 1);
	char plan[8192];
	assert_int_equal(store_report_waiting_plan(st, plan, sizeof plan), STORE_OK);
	tu_assert_contains(plan, "SEARCH referral USING COVERING INDEX referral_span (sourced_at=?)");
	tu_assert_contains(plan, "SEARCH referral USING COVERING INDEX referral_span (sourced_at>?)");
	tu_assert_contains(plan, "SCAN referral USING COVERING INDEX referral_unsourced");
	tu_assert_contains(plan, "SEARCH referral USING INDEX referral_span (sourced_at>?)");
	tu_assert_contains(plan, "SEARCH o USING INDEX offer_referral (referral_id=?)");
	tu_assert_contains(plan, "SEARCH d USING COVERING INDEX offer_deadline_offer (offer_id=? AND set_at<?)");
	assert_null(strstr(plan, "SCAN referral\n"));
	assert_null(strstr(plan, "referral_status"));
	store_close(st);
}

static void test_pragmas_in_force(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_store(f->path, true);
	assert_int_equal(int_query(st->db, "PRAGMA foreign_keys"), 1);
	assert_int_equal(int_query(st->db, "PRAGMA synchronous"), 2); /* FULL */
	assert_int_equal(int_query(st->db, "PRAGMA trusted_schema"), 0);
	char mode[32];
	text_query(st->db, "PRAGMA journal_mode", mode, sizeof mode);
	assert_string_equal(mode, "wal");
	/* seen from a second connection too: WAL is a property of the file */
	sqlite3 *other = raw_open(f->path);
	text_query(other, "PRAGMA journal_mode", mode, sizeof mode);
	assert_string_equal(mode, "wal");
	sqlite3_close(other);
	/* a busy timeout is set */
	assert_true(int_query(st->db, "PRAGMA busy_timeout") > 0);
	/* defensive: the schema cannot be written even with writable_schema */
	int v = -1;
	assert_int_equal(sqlite3_db_config(st->db, SQLITE_DBCONFIG_DEFENSIVE, -1, &v), SQLITE_OK);
	assert_int_equal(v, 1);
	sqlite3_exec(st->db, "PRAGMA writable_schema = ON", NULL, NULL, NULL);
	int rc = sqlite3_exec(st->db, "UPDATE sqlite_schema SET sql = 'CREATE TABLE x(y)' WHERE name = 'meta'", NULL,
	                      NULL, NULL);
	assert_int_not_equal(rc, SQLITE_OK);
	rc = sqlite3_exec(st->db, "DELETE FROM sqlite_schema WHERE name = 'event_no_delete'", NULL, NULL, NULL);
	assert_int_not_equal(rc, SQLITE_OK);
	sqlite3_exec(st->db, "PRAGMA writable_schema = OFF", NULL, NULL, NULL);
	/* the trigger is still there */
	assert_int_equal(int_query(st->db, "SELECT count(*) FROM sqlite_schema WHERE name = 'event_no_delete'"), 1);
	/* double-quoted strings are identifiers only */
	sqlite3_stmt *s = NULL;
	assert_int_not_equal(sqlite3_prepare_v2(st->db, "SELECT \"not a column\"", -1, &s, NULL), SQLITE_OK);
	sqlite3_finalize(s);
	/* foreign keys are enforced */
	rc = sqlite3_exec(st->db, "INSERT INTO capacity(provider_id, district, minutes) VALUES (999, 'Nowhere', 60)",
	                  NULL, NULL, NULL);
	assert_int_equal(rc & 0xff, SQLITE_CONSTRAINT);
	store_close(st);
}

/* ---- refusals ---- */

struct file_state {
	unsigned char *bytes;
	size_t len;
	struct stat sb;
};

static void snap(const char *path, struct file_state *fs)
{
	fs->bytes = tu_read_file(path, &fs->len);
	assert_non_null(fs->bytes);
	assert_int_equal(stat(path, &fs->sb), 0);
}

static void assert_unchanged(const char *path, struct file_state *before)
{
	struct file_state after;
	snap(path, &after);
	if (after.len != before->len)
		fail_msg("%s was changed: %zu bytes before, %zu after", path, before->len, after.len);
	for (size_t i = 0; i < after.len; i++)
		if (after.bytes[i] != before->bytes[i])
			fail_msg("%s was changed: byte %zu was 0x%02x, is 0x%02x (bytes 18-19 are the journal mode: 2 "
			         "is WAL)",
			         path, i, before->bytes[i], after.bytes[i]);
	assert_int_equal(after.sb.st_mtim.tv_sec, before->sb.st_mtim.tv_sec);
	assert_int_equal(after.sb.st_mtim.tv_nsec, before->sb.st_mtim.tv_nsec);
	assert_int_equal(after.sb.st_mode, before->sb.st_mode);
	free(after.bytes);
	free(before->bytes);
}

/* The stray files SQLite leaves beside a database. */
static void assert_no_sidecars(const char *path)
{
	char side[700];
	struct stat sb;
	snprintf(side, sizeof side, "%s-wal", path);
	assert_int_not_equal(stat(side, &sb), 0);
	snprintf(side, sizeof side, "%s-journal", path);
	assert_int_not_equal(stat(side, &sb), 0);
}

static void test_newer_schema_refused(void **state)
{
	struct fixture *f = *state;
	store_close(open_store(f->path, true));
	sqlite3 *db = raw_open(f->path);
	char newer[64];
	snprintf(newer, sizeof newer, "PRAGMA user_version = %d", STORE_SCHEMA_VERSION + 1);
	raw_exec(db, newer);
	sqlite3_close(db);
	assert_no_sidecars(f->path);
	struct file_state before;
	snap(f->path, &before);
	usleep(20000); /* so that a write would show in the mtime */
	char err[1024];
	assert_int_equal(open_fails(f->path, false, err, sizeof err), STORE_REFUSED);
	tu_assert_contains(err, "newer");
	snprintf(newer, sizeof newer, "schema version %d", STORE_SCHEMA_VERSION + 1);
	tu_assert_contains(err, newer);
	char mine[64];
	snprintf(mine, sizeof mine, "up to %d", STORE_SCHEMA_VERSION);
	tu_assert_contains(err, mine);
	tu_assert_contains(err, "not changed");
	assert_unchanged(f->path, &before);
	/* also when asked to create */
	snap(f->path, &before);
	assert_int_equal(open_fails(f->path, true, err, sizeof err), STORE_REFUSED);
	tu_assert_contains(err, newer);
	assert_unchanged(f->path, &before);
}

/* A newer brokerage that went back to a rollback journal: refusing it must
 * not switch the file to WAL on the way.
 * BUG (reported): store_open runs configure() (PRAGMA journal_mode = WAL)
 * before store_migrate() reads user_version and refuses, so the refused
 * file is left in WAL mode (header bytes 18-19 become 2). */
static void test_newer_schema_rollback_journal_unchanged(void **state)
{
	struct fixture *f = *state;
	store_close(open_store(f->path, true));
	sqlite3 *db = raw_open(f->path);
	raw_exec(db, "PRAGMA journal_mode = DELETE");
	char newer[64];
	snprintf(newer, sizeof newer, "PRAGMA user_version = %d", STORE_SCHEMA_VERSION + 1);
	raw_exec(db, newer);
	sqlite3_close(db);
	struct file_state before;
	snap(f->path, &before);
	usleep(20000);
	char err[1024];
	assert_int_equal(open_fails(f->path, false, err, sizeof err), STORE_REFUSED);
	snprintf(newer, sizeof newer, "schema version %d", STORE_SCHEMA_VERSION + 1);
	tu_assert_contains(err, newer);
	assert_unchanged(f->path, &before);
}

static void test_not_sqlite_refused(void **state)
{
	struct fixture *f = *state;
	FILE *fp = fopen(f->path, "w");
	assert_non_null(fp);
	fputs("name,age\nthis is a CSV file, not a database\n", fp);
	fclose(fp);
	struct file_state before;
	snap(f->path, &before);
	char err[1024];
	assert_int_equal(open_fails(f->path, false, err, sizeof err), STORE_REFUSED);
	tu_assert_contains(err, "not a brokerage database");
	tu_assert_contains(err, "not an SQLite file");
	assert_unchanged(f->path, &before);
	/* with create, the same */
	snap(f->path, &before);
	assert_int_equal(open_fails(f->path, true, err, sizeof err), STORE_REFUSED);
	tu_assert_contains(err, "not an SQLite file");
	assert_unchanged(f->path, &before);
}

/* BUG (reported): as above, someone else's SQLite file in rollback-journal
 * mode is switched to WAL before it is refused as not a brokerage database. */
static void test_other_sqlite_refused(void **state)
{
	struct fixture *f = *state;
	/* someone else's database, in SQLite's default rollback-journal mode */
	sqlite3 *db = raw_open(f->path);
	raw_exec(db, "CREATE TABLE recipes(name TEXT); INSERT INTO recipes VALUES ('scones')");
	sqlite3_close(db);
	struct file_state before;
	snap(f->path, &before);
	usleep(20000);
	char err[1024];
	assert_int_equal(open_fails(f->path, false, err, sizeof err), STORE_REFUSED);
	tu_assert_contains(err, "SQLite file but not a brokerage database");
	/* its message differs from the not-SQLite one */
	assert_null(strstr(err, "not an SQLite file"));
	assert_unchanged(f->path, &before);
}

static void test_missing_directory_refused(void **state)
{
	struct fixture *f = *state;
	char path[700];
	snprintf(path, sizeof path, "%s/no/such/dir/brokerage.db", f->dir);
	char err[1024];
	assert_int_equal(open_fails(path, true, err, sizeof err), STORE_REFUSED);
	tu_assert_contains(err, "directory");
	tu_assert_contains(err, "does not exist");
	char dir[700];
	snprintf(dir, sizeof dir, "%s/no", f->dir);
	struct stat sb;
	assert_int_not_equal(stat(dir, &sb), 0);
}

static void test_missing_file_refused(void **state)
{
	struct fixture *f = *state;
	char err[1024];
	assert_int_equal(open_fails(f->path, false, err, sizeof err), STORE_NOT_FOUND);
	tu_assert_contains(err, "no database at");
	tu_assert_contains(err, f->path);
	struct stat sb;
	assert_int_not_equal(stat(f->path, &sb), 0);
	/* an empty path */
	struct store_open_opts o = { .path = "" };
	struct store *st = NULL;
	assert_int_not_equal(store_open(&o, &st, err, sizeof err), STORE_OK);
	assert_null(st);
}

/* Opens f->path as a user who cannot write it; returns 0 when every check
 * passed, else the number of the check that failed. */
static int readonly_checks(const char *path)
{
	struct store_open_opts o = { .path = path };
	struct store *st = NULL;
	char err[1024];
	if (store_open(&o, &st, err, sizeof err) != STORE_OK) {
		fprintf(stderr, "read-only open failed: %s\n", err);
		return 1;
	}
	if (!store_is_readonly(st))
		return 2;
	if (store_schema_version(st) != STORE_SCHEMA_VERSION)
		return 3;
	if (store_begin(st) != STORE_REFUSED)
		return 4;
	if (!strstr(store_errmsg(st), "read-only"))
		return 5;
	/* reading works */
	int64_t n = -1;
	if (store_staff_count(st, &n) != STORE_OK || n != 1)
		return 6;
	store_close(st);
	return 0;
}

static void test_readonly_file(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_store(f->path, true);
	struct store_staff s = { .active = true };
	snprintf(s.login, sizeof s.login, "ann");
	snprintf(s.name, sizeof s.name, "Ann");
	snprintf(s.role, sizeof s.role, "officer");
	assert_int_equal(store_begin(st), STORE_OK);
	assert_int_equal(store_staff_add(st, &s), STORE_OK);
	assert_int_equal(store_commit(st), STORE_OK);
	store_close(st);
	assert_no_sidecars(f->path);
	assert_int_equal(chmod(f->path, 0444), 0);
	if (geteuid() != 0) {
		assert_int_equal(readonly_checks(f->path), 0);
		return;
	}
	/* root writes anything: check as an unprivileged user in a child. The
	 * directory stays writable, as SQLite needs to make the shared-memory
	 * file for a WAL database opened read-only. */
	assert_int_equal(chmod(f->dir, 0777), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(65534) != 0)
			_exit(100);
		_exit(readonly_checks(f->path));
	}
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) != 0)
		fail_msg("read-only check %d failed", WEXITSTATUS(status));
}

static void test_readonly_option(void **state)
{
	struct fixture *f = *state;
	store_close(open_store(f->path, true));
	struct store_open_opts o = { .path = f->path, .readonly = true };
	struct store *st = NULL;
	char err[512];
	assert_int_equal(store_open(&o, &st, err, sizeof err), STORE_OK);
	assert_true(store_is_readonly(st));
	assert_int_equal(store_begin(st), STORE_REFUSED);
	tu_assert_contains(store_errmsg(st), "read-only");
	assert_int_equal(store_meta_set(st, "x", "y") == STORE_OK, false);
	store_close(st);
}

/* ---- tables ---- */

static void test_strict_rejects_wrong_type(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_store(f->path, true);
	int rc = sqlite3_exec(st->db,
	                      "INSERT INTO lot(number, name, cqc_required, framework_rate) VALUES (1, 'x', 0, 'lots')",
	                      NULL, NULL, NULL);
	assert_int_equal(rc & 0xff, SQLITE_CONSTRAINT);
	assert_int_equal(sqlite3_extended_errcode(st->db), SQLITE_CONSTRAINT_DATATYPE);
	rc = sqlite3_exec(st->db, "INSERT INTO staff(login, name, role, active) VALUES ('a', 'A', 'officer', 'yes')",
	                  NULL, NULL, NULL);
	assert_int_equal(sqlite3_extended_errcode(st->db), SQLITE_CONSTRAINT_DATATYPE);
	/* a rowid key that is not a number */
	rc = sqlite3_exec(st->db,
	                  "INSERT INTO lot(number, name, cqc_required, framework_rate) VALUES ('one', 'x', 0, 1)", NULL,
	                  NULL, NULL);
	assert_int_not_equal(rc, SQLITE_OK);
	rc = sqlite3_exec(st->db,
	                  "INSERT INTO lot(number, name, cqc_required, framework_rate) VALUES (1, 'x', 0, '19.50')",
	                  NULL, NULL, NULL);
	assert_int_equal(sqlite3_extended_errcode(st->db), SQLITE_CONSTRAINT_DATATYPE);
	/* a number where text belongs is converted, as STRICT allows */
	rc = sqlite3_exec(st->db, "INSERT INTO district(name) VALUES (42)", NULL, NULL, NULL);
	assert_int_equal(rc, SQLITE_OK);
	/* a CHECK holds too */
	rc = sqlite3_exec(st->db, "INSERT INTO lot(number, name, cqc_required, framework_rate) VALUES (100, 'x', 0, 1)",
	                  NULL, NULL, NULL);
	assert_int_equal(rc & 0xff, SQLITE_CONSTRAINT);
	assert_int_equal(int_query(st->db, "SELECT count(*) FROM lot"), 0);
	store_close(st);
}

/* A staff member, a lot and a district, so a referral can be recorded. */
static int64_t seed(struct store *st)
{
	struct store_staff s = { .active = true };
	snprintf(s.login, sizeof s.login, "ann");
	snprintf(s.name, sizeof s.name, "Ann");
	snprintf(s.role, sizeof s.role, "officer");
	assert_int_equal(store_begin(st), STORE_OK);
	assert_int_equal(store_staff_add(st, &s), STORE_OK);
	assert_int_equal(store_lot_put(st, 1, "Lifeskills", false, 1950, NULL), STORE_OK);
	assert_int_equal(store_district_put(st, "North", NULL), STORE_OK);
	assert_int_equal(store_commit(st), STORE_OK);
	return s.id;
}

static int count_row(void *ud, const struct store_referral_row *row)
{
	struct store_referral_row *last = ud;
	*last = *row;
	last->ranked++; /* counts the rows (the fixture ranks nobody) */
	return 0;
}

/* The lists people open all day read an index, never the whole history:
 * the waiting list (and an officer's unsourced work) from the covering
 * index of unsourced referrals, a status from referral_status, a missed
 * deadline from offer_referral alone. A query that slips back to a scan
 * makes the workstation slow down year by year. */
static void test_list_plans(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_store(f->path, true);
	int64_t staff = seed(st);
	char plan[4096];

	struct store_referral_filter waiting = { .unsourced_only = true, .brief = true };
	assert_int_equal(store_referral_rows_plan(st, &waiting, plan, sizeof plan), STORE_OK);
	tu_assert_contains(plan, "SCAN r USING COVERING INDEX referral_unsourced");
	tu_assert_contains(plan, "SEARCH x USING INDEX offer_open_by_referral");
	tu_assert_contains(plan, "SEARCH b USING COVERING INDEX offer_referral");
	assert_null(strstr(plan, "TEMP B-TREE"));

	struct store_referral_filter mine = { .unsourced_only = true, .brief = true, .holder_id = staff };
	assert_int_equal(store_referral_rows_plan(st, &mine, plan, sizeof plan), STORE_OK);
	tu_assert_contains(plan, "COVERING INDEX referral_unsourced");

	struct store_referral_filter full = { .unsourced_only = true };
	assert_int_equal(store_referral_rows_plan(st, &full, plan, sizeof plan), STORE_OK);
	tu_assert_contains(plan, "SCAN r USING INDEX referral_unsourced");

	struct store_referral_filter sourced = { .status = "sourced", .brief = true, .holder_id = staff };
	assert_int_equal(store_referral_rows_plan(st, &sourced, plan, sizeof plan), STORE_OK);
	tu_assert_contains(plan, "SEARCH r USING INDEX referral_status (status=?");

	/* brief rows carry what the screens show, and leave the note out */
	struct store_referral r = {
		.lot = 1,
		.hours_minutes = 600,
		.panel_date = STORE_NO_DATE,
		.start_date = STORE_NO_DATE,
		.age = 12,
		.ended_on = STORE_NO_DATE,
		.created_at = 1790000000,
		.created_by = staff,
		.holder_id = staff,
	};
	snprintf(r.district, sizeof r.district, "North");
	snprintf(r.note, sizeof r.note, "family prefers mornings");
	assert_int_equal(store_begin(st), STORE_OK);
	snprintf(r.case_ref, sizeof r.case_ref, "C-WAIT");
	r.status = WF_EXHAUSTED;
	assert_int_equal(store_referral_add(st, &r), STORE_OK);
	snprintf(r.case_ref, sizeof r.case_ref, "C-DONE");
	r.status = WF_SOURCED;
	assert_int_equal(store_referral_add(st, &r), STORE_OK);
	assert_int_equal(store_commit(st), STORE_OK);
	struct store_referral_row last = { .ranked = 0 };
	assert_int_equal(store_referral_rows_each(st, &waiting, count_row, &last), STORE_OK);
	assert_int_equal(last.ranked, 1);
	assert_string_equal(last.r.case_ref, "C-WAIT");
	assert_int_equal(last.r.status, WF_EXHAUSTED);
	assert_string_equal(last.r.district, "North");
	assert_int_equal(last.r.hours_minutes, 600);
	assert_int_equal(last.r.holder_id, staff);
	assert_string_equal(last.r.note, "");
	memset(&last, 0, sizeof last);
	assert_int_equal(store_referral_rows_each(st, &full, count_row, &last), STORE_OK);
	assert_int_equal(last.ranked, 1);
	assert_string_equal(last.r.note, "family prefers mornings");
	memset(&last, 0, sizeof last);
	assert_int_equal(store_referral_rows_each(st, &sourced, count_row, &last), STORE_OK);
	assert_int_equal(last.ranked, 1);
	assert_string_equal(last.r.case_ref, "C-DONE");
	store_close(st);
}

static void test_referral_version_guard(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_store(f->path, true);
	int64_t staff = seed(st);
	struct store_referral r = {
		.lot = 1,
		.hours_minutes = 600,
		.panel_date = STORE_NO_DATE,
		.start_date = STORE_NO_DATE,
		.age = 12,
		.ended_on = STORE_NO_DATE,
		.created_at = 1790000000,
		.created_by = staff,
		.holder_id = staff,
	};
	snprintf(r.case_ref, sizeof r.case_ref, "C-1");
	snprintf(r.district, sizeof r.district, "North");
	r.status = WF_NEW;
	assert_int_equal(store_begin(st), STORE_OK);
	assert_int_equal(store_referral_add(st, &r), STORE_OK);
	assert_int_equal(store_commit(st), STORE_OK);
	assert_int_equal(r.version, 1);

	struct store_referral a, b;
	assert_int_equal(store_referral_get(st, r.id, &a), STORE_OK);
	b = a; /* a second user's screen, read at the same version */
	assert_int_equal(a.version, 1);
	a.status = WF_SEARCHING;
	assert_int_equal(store_begin(st), STORE_OK);
	assert_int_equal(store_referral_update(st, &a), STORE_OK);
	assert_int_equal(store_commit(st), STORE_OK);
	assert_int_equal(a.version, 2);

	/* the stale copy is refused and changes nothing */
	b.status = WF_WITHDRAWN;
	snprintf(b.note, sizeof b.note, "stale write");
	assert_int_equal(store_begin(st), STORE_OK);
	assert_int_equal(store_referral_update(st, &b), STORE_CONFLICT);
	tu_assert_contains(store_errmsg(st), "changed by someone else");
	store_rollback(st);
	assert_int_equal(b.version, 1);
	struct store_referral now;
	assert_int_equal(store_referral_get(st, r.id, &now), STORE_OK);
	assert_int_equal(now.status, WF_SEARCHING);
	assert_string_equal(now.note, "");
	assert_int_equal(now.version, 2);

	/* the fresh copy goes through */
	assert_int_equal(store_begin(st), STORE_OK);
	snprintf(now.note, sizeof now.note, "fresh");
	assert_int_equal(store_referral_update(st, &now), STORE_OK);
	assert_int_equal(store_commit(st), STORE_OK);
	assert_int_equal(store_referral_get(st, r.id, &now), STORE_OK);
	assert_int_equal(now.version, 3);
	assert_string_equal(now.note, "fresh");
	/* an unknown id: no row changed, a conflict */
	now.id = 999;
	assert_int_equal(store_begin(st), STORE_OK);
	assert_int_equal(store_referral_update(st, &now), STORE_CONFLICT);
	store_rollback(st);
	assert_int_equal(store_referral_get(st, 999, &now), STORE_NOT_FOUND);
	store_close(st);
}

static void test_unique_provider_names(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_store(f->path, true);
	struct store_provider p = { .framework = true, .active = true, .age_min = -1, .age_max = -1 };
	snprintf(p.name, sizeof p.name, "Acme Care");
	snprintf(p.risk, sizeof p.risk, "green");
	assert_int_equal(store_begin(st), STORE_OK);
	assert_int_equal(store_provider_add(st, &p), STORE_OK);
	assert_int_equal(store_commit(st), STORE_OK);
	struct store_provider q = p;
	snprintf(q.name, sizeof q.name, "ACME care");
	assert_int_equal(store_begin(st), STORE_OK);
	assert_int_equal(store_provider_add(st, &q), STORE_CONFLICT);
	tu_assert_contains(store_errmsg(st), "exists already");
	store_rollback(st);
	/* found by either spelling; still one row */
	struct store_provider got;
	assert_int_equal(store_provider_by_name(st, "acme CARE", &got), STORE_OK);
	assert_string_equal(got.name, "Acme Care");
	assert_int_equal(int_query(st->db, "SELECT count(*) FROM provider"), 1);
	/* renaming another provider onto the name: a conflict too */
	struct store_provider r = p;
	snprintf(r.name, sizeof r.name, "Bee Care");
	assert_int_equal(store_begin(st), STORE_OK);
	assert_int_equal(store_provider_add(st, &r), STORE_OK);
	assert_int_equal(store_commit(st), STORE_OK);
	snprintf(r.name, sizeof r.name, "acme care");
	assert_int_equal(store_begin(st), STORE_OK);
	assert_int_equal(store_provider_update(st, &r), STORE_CONFLICT);
	store_rollback(st);
	assert_int_equal(store_provider_by_id(st, r.id, &got), STORE_OK);
	assert_string_equal(got.name, "Bee Care");
	store_close(st);
}

static void test_transactions(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_store(f->path, true);
	assert_false(store_in_transaction(st));
	assert_int_equal(store_begin(st), STORE_OK);
	assert_true(store_in_transaction(st));
	assert_int_equal(store_meta_set(st, "k", "1"), STORE_OK);
	store_rollback(st);
	assert_false(store_in_transaction(st));
	char buf[16];
	assert_int_equal(store_meta_get(st, "k", buf, sizeof buf), STORE_NOT_FOUND);
	/* a savepoint inside: rolling it back keeps the outer work */
	assert_int_equal(store_begin(st), STORE_OK);
	assert_int_equal(store_meta_set(st, "k", "outer"), STORE_OK);
	assert_int_equal(store_begin(st), STORE_OK);
	assert_int_equal(store_meta_set(st, "k", "inner"), STORE_OK);
	store_rollback(st);
	assert_true(store_in_transaction(st));
	assert_int_equal(store_commit(st), STORE_OK);
	assert_int_equal(store_meta_get(st, "k", buf, sizeof buf), STORE_OK);
	assert_string_equal(buf, "outer");
	store_close(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_and_migrate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_v6_last_looked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_v7_span_index, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pragmas_in_force, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_schema_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_schema_rollback_journal_unchanged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_sqlite_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_sqlite_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_directory_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_file_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readonly_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readonly_option, setup, teardown),
		cmocka_unit_test_setup_teardown(test_strict_rejects_wrong_type, setup, teardown),
		cmocka_unit_test_setup_teardown(test_referral_version_guard, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_plans, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unique_provider_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
