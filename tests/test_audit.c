/* The audit trail: a hash chain that verifies, and every kind of tampering
 * found, with the first bad event named. Tampering is done as root with
 * sqlite3 would: a raw connection that first drops the triggers. With
 * BROKERAGE_TEST_ENGINE=pg (issue 19, through tests/pg/unit.sh) the same on
 * PostgreSQL, the tampering done by the cluster's superuser through psql with
 * the triggers (and foreign keys) off for the session; the anchor file beside
 * the database is the SQLite file's own and skipped there. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <sqlite3.h>

#include "storage/internal.h"
#include "storage/store.h"
#include "tests/testutil.h"

#define EVENTS 6

struct fixture {
	char dir[512];
	char path[600];
};

static struct store *open_store(const char *path)
{
	struct store_open_opts o = { .path = path, .create = true };
	struct store *st = NULL;
	char err[1024] = "";
	if (store_open(&o, &st, err, sizeof err) != STORE_OK)
		fail_msg("store_open: %s", err);
	return st;
}

/* EVENTS events, in two transactions; event 4 is about referral 0, the
 * others about referral 7 (no such referral: never erased). */
static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	if (!f || !tu_mkdtemp(f->dir, sizeof f->dir))
		return -1;
	tu_newdb(f->dir, "audit.db", f->path, sizeof f->path);
	*state = f;
	struct store *st = open_store(f->path);
	int64_t at = 1795600000;
	for (int tx = 0; tx < 2; tx++) {
		if (store_begin(st) != STORE_OK)
			return -1;
		for (int i = 0; i < EVENTS / 2; i++) {
			int n = tx * (EVENTS / 2) + i + 1;
			char before[64], after[64];
			snprintf(before, sizeof before, "{\"status\":\"s%d\"}", n - 1);
			snprintf(after, sizeof after, "{\"status\":\"s%d\"}", n);
			if (store_audit_append(st, at + n * 60, n % 2 ? "ann" : "bob", "referral.edit", "referral", 7,
			                       n == 4 ? 0 : 7, n == 1 ? NULL : before, after) != STORE_OK)
				return -1;
		}
		if (store_commit(st) != STORE_OK)
			return -1;
	}
	store_close(st);
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	tu_dropdb(f->path);
	tu_rmtree(f->dir);
	free(f);
	return 0;
}

static struct store_verify verify(const char *path)
{
	struct store *st = open_store(path);
	struct store_verify v;
	memset(&v, 0x55, sizeof v);
	assert_int_equal(store_audit_verify(st, &v), STORE_OK);
	store_close(st);
	return v;
}

/* Run SQL on a raw connection with the triggers dropped (on PostgreSQL: as
 * the superuser, replica mode, so neither triggers nor foreign keys fire,
 * as a raw sqlite3 connection enforces no foreign keys). */
static void tamper(const char *path, const char *sql)
{
	if (tu_is_conninfo(path)) {
		char q[4096];
		snprintf(q, sizeof q, "SET session_replication_role = replica; %s", sql);
		tu_psql(path, q, NULL, 0);
		return;
	}
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	char *err = NULL;
	int rc = sqlite3_exec(db,
	                      "DROP TRIGGER IF EXISTS event_no_update; DROP TRIGGER IF EXISTS event_no_delete;"
	                      "DROP TRIGGER IF EXISTS event_payload_no_update;"
	                      "DROP TRIGGER IF EXISTS event_payload_erase_only;",
	                      NULL, NULL, &err);
	if (rc != SQLITE_OK)
		fail_msg("dropping triggers: %s", err);
	rc = sqlite3_exec(db, sql, NULL, NULL, &err);
	if (rc != SQLITE_OK)
		fail_msg("%s: %s", sql, err);
	sqlite3_close(db);
}

static void assert_bad(const struct store_verify *v, int64_t seq, const char *words)
{
	if (v->bad_seq != seq)
		fail_msg("verify named event %lld (%s), expected %lld", (long long)v->bad_seq, v->problem,
		         (long long)seq);
	tu_assert_contains(v->problem, words);
}

static void test_chain_verifies(void **state)
{
	struct fixture *f = *state;
	struct store_verify v = verify(f->path);
	assert_int_equal(v.events, EVENTS);
	assert_int_equal(v.bad_seq, 0);
	assert_string_equal(v.problem, "");
}

/* Collects events into an array. */
struct ev {
	int64_t seq, at, referral_id;
	unsigned char prev[STORE_HASH_BYTES], hash[STORE_HASH_BYTES];
	char actor[64];
	char after[64];
	bool erased;
};
struct evs {
	struct ev v[EVENTS + 4];
	int n;
};

static int collect(void *ud, const struct store_event *e)
{
	struct evs *l = ud;
	if (l->n >= EVENTS + 4)
		return 1;
	struct ev *x = &l->v[l->n++];
	x->seq = e->seq;
	x->at = e->at;
	x->referral_id = e->referral_id;
	memcpy(x->prev, e->prev_hash, STORE_HASH_BYTES);
	memcpy(x->hash, e->hash, STORE_HASH_BYTES);
	snprintf(x->actor, sizeof x->actor, "%s", e->actor);
	snprintf(x->after, sizeof x->after, "%s", e->after ? e->after : "");
	x->erased = e->payload_erased;
	return 0;
}

static void test_events_chained(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_store(f->path);
	struct evs l = { .n = 0 };
	struct store_event_filter all = { 0 };
	assert_int_equal(store_audit_each(st, &all, collect, &l), STORE_OK);
	assert_int_equal(l.n, EVENTS);
	unsigned char zero[STORE_HASH_BYTES] = { 0 };
	for (int i = 0; i < l.n; i++) {
		assert_int_equal(l.v[i].seq, i + 1);
		assert_string_equal(l.v[i].actor, (i + 1) % 2 ? "ann" : "bob");
		char want[64];
		snprintf(want, sizeof want, "{\"status\":\"s%d\"}", i + 1);
		assert_string_equal(l.v[i].after, want);
		assert_false(l.v[i].erased);
		assert_memory_equal(l.v[i].prev, i == 0 ? zero : l.v[i - 1].hash, STORE_HASH_BYTES);
		assert_memory_not_equal(l.v[i].hash, zero, STORE_HASH_BYTES);
	}
	/* the filters: one referral, newest first, a limit */
	struct evs r = { .n = 0 };
	struct store_event_filter one = { .referral_id = 7, .newest_first = true, .limit = 2 };
	assert_int_equal(store_audit_each(st, &one, collect, &r), STORE_OK);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.v[0].seq, 6);
	assert_int_equal(r.v[1].seq, 5);
	struct evs a = { .n = 0 };
	struct store_event_filter by = { .actor = "bob" };
	assert_int_equal(store_audit_each(st, &by, collect, &a), STORE_OK);
	assert_int_equal(a.n, 3);
	store_close(st);
}

static void test_edit_actor(void **state)
{
	struct fixture *f = *state;
	tamper(f->path, "UPDATE event SET actor = 'mallory' WHERE seq = 3");
	struct store_verify v = verify(f->path);
	assert_bad(&v, 3, "actor");
	assert_int_equal(v.events, 3);
}

static void test_edit_time(void **state)
{
	struct fixture *f = *state;
	tamper(f->path, "UPDATE event SET at = at - 86400 WHERE seq = 5");
	struct store_verify v = verify(f->path);
	assert_bad(&v, 5, "edited");
}

static void test_edit_payload_after(void **state)
{
	struct fixture *f = *state;
	tamper(f->path, "UPDATE event_payload SET after = '{\"status\":\"sourced\"}' WHERE seq = 2");
	struct store_verify v = verify(f->path);
	assert_bad(&v, 2, "before/after values were edited");
}

static void test_edit_payload_before(void **state)
{
	struct fixture *f = *state;
	/* from a value to NULL: NULL and "" and text all hash differently */
	tamper(f->path, "UPDATE event_payload SET before = NULL WHERE seq = 4");
	struct store_verify v = verify(f->path);
	assert_bad(&v, 4, "before/after values were edited");
}

static void test_delete_middle_event(void **state)
{
	struct fixture *f = *state;
	tamper(f->path, "DELETE FROM event_payload WHERE seq = 3; DELETE FROM event WHERE seq = 3");
	struct store_verify v = verify(f->path);
	/* the first event that does not match is the one after the gap */
	assert_bad(&v, 4, "event 3 is missing");
}

static void test_delete_newest_event(void **state)
{
	struct fixture *f = *state;
	tamper(f->path, "DELETE FROM event_payload WHERE seq = 6; DELETE FROM event WHERE seq = 6");
	struct store_verify v = verify(f->path);
	/* the chain itself is intact; the recorded head is not */
	assert_bad(&v, 6, "newest events were removed");
}

static void test_insert_forged_renumbered(void **state)
{
	struct fixture *f = *state;
	/* make room at 3 by renumbering 3.. up by one, then insert a forged
	 * event 3 that claims to follow event 2 */
	tamper(f->path, "UPDATE event SET seq = -seq WHERE seq >= 3;"
	                "UPDATE event SET seq = 1 - seq WHERE seq < 0;"
	                "UPDATE event_payload SET seq = -seq WHERE seq >= 3;"
	                "UPDATE event_payload SET seq = 1 - seq WHERE seq < 0;"
	                "INSERT INTO event(seq, at, actor, action, entity, entity_id, referral_id, payload_hash, "
	                "prev_hash, hash) "
	                "  SELECT 3, at + 1, 'mallory', 'spot.approve', 'spot_request', 1, 7, payload_hash, hash, hash "
	                "  FROM event WHERE seq = 2;"
	                "INSERT INTO event_payload(seq, referral_id, before, after) VALUES (3, 7, NULL, "
	                "'{\"status\":\"approved\"}');");
	struct store_verify v = verify(f->path);
	assert_int_equal(v.bad_seq, 3);
	assert_true(strlen(v.problem) > 10);
}

static void test_insert_forged_at_end(void **state)
{
	struct fixture *f = *state;
	tamper(f->path, "INSERT INTO event(seq, at, actor, action, entity, entity_id, referral_id, payload_hash, "
	                "prev_hash, hash) "
	                "  SELECT 7, at + 1, 'mallory', 'referral.edit', 'referral', 7, 7, payload_hash, hash, hash "
	                "  FROM event WHERE seq = 6;"
	                "INSERT INTO event_payload(seq, referral_id, before, after) "
	                "  SELECT 7, referral_id, before, after FROM event_payload WHERE seq = 6;");
	struct store_verify v = verify(f->path);
	assert_bad(&v, 7, "edited");
}

static void test_swap_two_events(void **state)
{
	struct fixture *f = *state;
	/* swap the contents of events 2 and 3, payloads included (reordering) */
	tamper(f->path,
	       "CREATE TEMP TABLE e AS SELECT * FROM event WHERE seq IN (2, 3);"
	       "CREATE TEMP TABLE p AS SELECT * FROM event_payload WHERE seq IN (2, 3);"
	       "DELETE FROM event WHERE seq IN (2, 3); DELETE FROM event_payload WHERE seq IN (2, 3);"
	       "INSERT INTO event SELECT 5 - seq, at, actor, action, entity, entity_id, referral_id, payload_hash, "
	       "  prev_hash, hash FROM e;"
	       "INSERT INTO event_payload SELECT 5 - seq, referral_id, before, after FROM p;");
	struct store_verify v = verify(f->path);
	assert_bad(&v, 2, "");
	assert_int_equal(v.events, 2);
}

static void test_swap_seq_numbers(void **state)
{
	struct fixture *f = *state;
	/* the rows keep their contents, their numbers are swapped */
	tamper(f->path,
	       "UPDATE event SET seq = 100 WHERE seq = 4; UPDATE event SET seq = 4 WHERE seq = 5;"
	       "UPDATE event SET seq = 5 WHERE seq = 100;"
	       "UPDATE event_payload SET seq = 100 WHERE seq = 4; UPDATE event_payload SET seq = 4 WHERE seq = 5;"
	       "UPDATE event_payload SET seq = 5 WHERE seq = 100;");
	struct store_verify v = verify(f->path);
	assert_bad(&v, 4, "");
}

static void test_delete_payload_without_erasure(void **state)
{
	struct fixture *f = *state;
	tamper(f->path, "DELETE FROM event_payload WHERE seq = 5");
	struct store_verify v = verify(f->path);
	assert_bad(&v, 5, "deleted without an erasure");
}

static void test_rewrite_tail_with_fresh_hash(void **state)
{
	struct fixture *f = *state;
	/* the newest event's hash replaced by another's: the head recorded at
	 * commit no longer matches */
	tamper(f->path, "UPDATE event SET hash = (SELECT hash FROM event WHERE seq = 1) WHERE seq = 6");
	struct store_verify v = verify(f->path);
	assert_int_equal(v.bad_seq, 6);
}

/* Through a normal connection the triggers refuse changes to events. */
static void test_triggers_refuse(void **state)
{
	struct fixture *f = *state;
	if (tu_is_conninfo(f->path)) {
		/* even the superuser, triggers on: refused in the trigger's words */
		static const char *const refused[][2] = {
			{ "UPDATE event SET actor = 'mallory' WHERE seq = 1", "cannot be changed" },
			{ "DELETE FROM event WHERE seq = 1", "cannot be deleted" },
			{ "UPDATE event_payload SET after = '{}' WHERE seq = 1", "" },
			{ "DELETE FROM event_payload WHERE seq = 2", "cannot be deleted" },
		};
		for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
			char out[1024];
			assert_int_not_equal(tu_psql_status(f->path, refused[i][0], out, sizeof out), 0);
			tu_assert_contains(out, refused[i][1]);
		}
		struct store_verify v = verify(f->path);
		assert_int_equal(v.bad_seq, 0);
		assert_int_equal(v.events, EVENTS);
		return;
	}
	struct store *st = open_store(f->path);
	char *err = NULL;
	int rc = sqlite3_exec(st->db, "UPDATE event SET actor = 'mallory' WHERE seq = 1", NULL, NULL, &err);
	assert_int_not_equal(rc, SQLITE_OK);
	tu_assert_contains(err, "cannot be changed");
	sqlite3_free(err);
	err = NULL;
	rc = sqlite3_exec(st->db, "DELETE FROM event WHERE seq = 1", NULL, NULL, &err);
	assert_int_not_equal(rc, SQLITE_OK);
	tu_assert_contains(err, "cannot be deleted");
	sqlite3_free(err);
	err = NULL;
	rc = sqlite3_exec(st->db, "UPDATE event_payload SET after = '{}' WHERE seq = 1", NULL, NULL, &err);
	assert_int_not_equal(rc, SQLITE_OK);
	sqlite3_free(err);
	err = NULL;
	rc = sqlite3_exec(st->db, "DELETE FROM event_payload WHERE seq = 2", NULL, NULL, &err);
	assert_int_not_equal(rc, SQLITE_OK);
	tu_assert_contains(err, "cannot be deleted");
	sqlite3_free(err);
	/* the chain is still whole */
	store_close(st);
	struct store_verify v = verify(f->path);
	assert_int_equal(v.bad_seq, 0);
	assert_int_equal(v.events, EVENTS);
}

/* A rolled-back append leaves no trace and the chain continues. */
static void test_rollback_then_append(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_store(f->path);
	assert_int_equal(store_begin(st), STORE_OK);
	assert_int_equal(store_audit_append(st, 1795700000, "ann", "x", "referral", 1, 0, NULL, "{}"), STORE_OK);
	store_rollback(st);
	assert_int_equal(store_begin(st), STORE_OK);
	assert_int_equal(store_audit_append(st, 1795700000, "ann", "y", "referral", 1, 0, NULL, "{}"), STORE_OK);
	assert_int_equal(store_commit(st), STORE_OK);
	store_close(st);
	struct store_verify v = verify(f->path);
	assert_int_equal(v.bad_seq, 0);
	assert_int_equal(v.events, EVENTS + 1);
}

/* In a batch (demo, import), an action undone at its savepoint takes its
 * events with it: the head recorded at the batch's commit is the newest
 * event kept, not the undone one (audit verify would call that tampering). */
static void test_savepoint_rollback_keeps_head(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_store(f->path);
	assert_int_equal(store_begin(st), STORE_OK);
	assert_int_equal(store_begin(st), STORE_OK);
	assert_int_equal(store_audit_append(st, 1795700000, "ann", "kept", "referral", 1, 0, NULL, "{}"), STORE_OK);
	assert_int_equal(store_commit(st), STORE_OK);
	assert_int_equal(store_begin(st), STORE_OK);
	assert_int_equal(store_audit_append(st, 1795700001, "ann", "undone", "referral", 1, 0, NULL, "{}"), STORE_OK);
	assert_int_equal(store_audit_append(st, 1795700002, "ann", "undone", "referral", 1, 0, NULL, "{}"), STORE_OK);
	store_rollback(st);
	assert_int_equal(store_commit(st), STORE_OK);
	store_close(st);
	struct store_verify v = verify(f->path);
	if (v.bad_seq != 0)
		fail_msg("verify named event %lld: %s", (long long)v.bad_seq, v.problem);
	assert_int_equal(v.events, EVENTS + 1);
}

/* ---- issue 14: the sealed origin and the anchors ---- */

/* A database as bk_init makes one: event 1 database.init records test
 * mode, meta says the same; then a second event chains to it. */
static void make_origin(const char *path, bool test_mode)
{
	struct store *st = open_store(path);
	assert_int_equal(store_begin(st), STORE_OK);
	assert_int_equal(store_meta_set(st, "test_mode", test_mode ? "1" : "0"), STORE_OK);
	assert_int_equal(store_audit_append(st, 1795600000, "ann", "database.init", "database", 0, 0, NULL,
	                                    test_mode ? "{\"database\":\"ab\",\"test_mode\":\"yes\"}"
	                                              : "{\"database\":\"ab\",\"test_mode\":\"no\"}"),
	                 STORE_OK);
	assert_int_equal(store_audit_append(st, 1795600001, "ann", "staff.add", "staff", 1, 0, NULL, "{\"id\":1}"),
	                 STORE_OK);
	assert_int_equal(store_commit(st), STORE_OK);
	store_close(st);
}

static struct store_origin origin(const char *path)
{
	struct store *st = open_store(path);
	struct store_origin o;
	assert_int_equal(store_audit_origin(st, &o), STORE_OK);
	store_close(st);
	return o;
}

static void test_origin_sealed(void **state)
{
	struct fixture *f = *state;
	char path[700];
	tu_newdb(f->dir, "origin.db", path, sizeof path);
	make_origin(path, true);
	struct store_origin o = origin(path);
	assert_true(o.known);
	assert_true(o.sealed);
	assert_true(o.test_mode);
	assert_true(o.meta_test_mode);
	/* a real database whose meta flag is set by hand stays real */
	tu_newdb(f->dir, "real.db", path, sizeof path);
	make_origin(path, false);
	tamper(path, "UPDATE meta SET value = '1' WHERE key = 'test_mode'");
	o = origin(path);
	assert_true(o.sealed);
	assert_false(o.test_mode);
	assert_true(o.meta_test_mode);
	/* the init event's payload rewritten: not sealed, so not test mode */
	tamper(path, "UPDATE event_payload SET after = '{\"database\":\"ab\",\"test_mode\":\"yes\"}' WHERE seq = 1");
	o = origin(path);
	assert_true(o.known);
	assert_false(o.sealed);
	assert_false(o.test_mode);
	/* a trail that does not begin with database.init */
	o = origin(f->path);
	assert_false(o.known);
	assert_false(o.test_mode);
}

/* The newest event's hash made zeros, in the engine's own words. */
#define ZERO_HEAD(path)                                                                                 \
	(tu_is_conninfo(path) ? "UPDATE event SET hash = decode(repeat('00', 32), 'hex') WHERE seq = 6" \
	                      : "UPDATE event SET hash = zeroblob(32) WHERE seq = 6")

static void test_anchor_head(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_store(f->path);
	int64_t seq;
	unsigned char head[STORE_HASH_BYTES];
	assert_int_equal(store_audit_head(st, &seq, head), STORE_OK);
	assert_int_equal(seq, EVENTS);
	struct store_anchor_check a = { 0 };
	assert_int_equal(store_anchor_check_head(st, seq, head, &a), STORE_OK);
	assert_int_equal(a.bad_seq, 0);
	assert_int_equal(a.heads, 1);
	store_close(st);
	/* the newest event's hash rewritten (as a whole-trail rewrite would) */
	tamper(f->path, ZERO_HEAD(f->path));
	st = open_store(f->path);
	memset(&a, 0, sizeof a);
	assert_int_equal(store_anchor_check_head(st, seq, head, &a), STORE_OK);
	assert_int_equal(a.bad_seq, EVENTS);
	tu_assert_contains(a.problem, "rewritten");
	store_close(st);
	/* the newest events removed */
	tamper(f->path, "DELETE FROM event_payload WHERE seq >= 5; DELETE FROM event WHERE seq >= 5");
	st = open_store(f->path);
	memset(&a, 0, sizeof a);
	assert_int_equal(store_anchor_check_head(st, seq, head, &a), STORE_OK);
	assert_int_equal(a.bad_seq, EVENTS);
	tu_assert_contains(a.problem, "removed");
	store_close(st);
}

static void test_anchor_file(void **state)
{
	struct fixture *f = *state;
	if (tu_is_conninfo(f->path))
		skip(); /* the anchor file beside the SQLite file */
	struct store *st = open_store(f->path);
	assert_int_equal(store_anchor_record(st, 1795700000), STORE_OK);
	assert_int_equal(store_anchor_record(st, 1795700001), STORE_OK); /* the head did not move: no second line */
	store_close(st);
	char apath[700];
	snprintf(apath, sizeof apath, "%s-anchor", f->path);
	st = open_store(f->path);
	struct store_anchor_check a;
	assert_int_equal(store_anchor_check_file(st, apath, &a), STORE_OK);
	assert_true(a.found);
	assert_int_equal(a.heads, 1);
	assert_int_equal(a.newest, EVENTS);
	assert_int_equal(a.bad_seq, 0);
	store_close(st);
	tamper(f->path, ZERO_HEAD(f->path));
	st = open_store(f->path);
	assert_int_equal(store_anchor_check_file(st, apath, &a), STORE_OK);
	assert_int_equal(a.bad_seq, EVENTS);
	/* a missing anchor file is named as missing, not as a match */
	char none[700];
	snprintf(none, sizeof none, "%s/none-anchor", f->dir);
	assert_int_equal(store_anchor_check_file(st, none, &a), STORE_OK);
	assert_true(a.missing);
	assert_false(a.found);
	store_close(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_chain_verifies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_events_chained, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edit_actor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edit_time, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edit_payload_after, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edit_payload_before, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_middle_event, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_newest_event, setup, teardown),
		cmocka_unit_test_setup_teardown(test_insert_forged_renumbered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_insert_forged_at_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_swap_two_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_swap_seq_numbers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_payload_without_erasure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rewrite_tail_with_fresh_hash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_triggers_refuse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rollback_then_append, setup, teardown),
		cmocka_unit_test_setup_teardown(test_savepoint_rollback_keeps_head, setup, teardown),
		cmocka_unit_test_setup_teardown(test_origin_sealed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_anchor_head, setup, teardown),
		cmocka_unit_test_setup_teardown(test_anchor_file, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
