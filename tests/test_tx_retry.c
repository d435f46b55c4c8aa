/* An action's transaction run again (issue 19, core/ctx.c bk_tx_run): when
 * the store says the transaction failed for a reason worth it, the whole
 * action runs again from its first read, a bounded number of times, and
 * ends as after one clean run; past the limit it fails in words with
 * nothing changed. A busy database is not run again.
 *
 * On both engines the loop is driven by the store's own words for a
 * serialization failure (store_fail with the code PostgreSQL's 40001 maps
 * to). On PostgreSQL (tests/pg/unit.sh), the server's own answers: 40001
 * to the first writes of an offer and 55P03 (triggers the test adds), the
 * connection's server process ended by another connection between two
 * actions and inside one, and ended while COMMIT is on its way (not run
 * again). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <jansson.h>

#include "core/internal.h"
#include "storage/internal.h"
#include "tests/testutil.h"

/* How many events the trail holds (its last sequence number). */
static int64_t events(struct tu_db *db)
{
	int64_t seq = 0;
	unsigned char hash[STORE_HASH_BYTES];
	assert_int_equal(store_audit_head(db->ctx.store, &seq, hash), STORE_OK);
	return seq;
}

/* An action that records one event, says so, warns, queues nothing; the
 * first `fail` runs end as a serialization failure would (or busy). */
struct flaky {
	int runs, fail;
	int rc; /* the code the store is told of */
};

static enum bk_status flaky_tx(struct bk_ctx *ctx, void *ud)
{
	struct flaky *f = ud;
	f->runs++;
	assert_string_equal(ctx->msg, "before");
	assert_string_equal(ctx->warning, "");
	enum bk_status st = bk_audit_obj(ctx, "data.read", "read", 0, 0, NULL, json_pack("{si}", "run", f->runs));
	if (st != BK_OK)
		return st;
	snprintf(ctx->warning, sizeof ctx->warning, "warned in run %d", f->runs);
	if (f->runs <= f->fail)
		return bk_from_store(ctx, store_fail(ctx->store, f->rc, "recording a read"));
	bk_fail(ctx, BK_OK, "done in run %d", f->runs);
	return BK_OK;
}

static void test_run_again_until_clean(void **state)
{
	(void)state;
	struct tu_db *db = tu_db_open(NULL);
	int64_t e0 = events(db);
	struct flaky f = { .fail = 2, .rc = SQLITE_BUSY_SNAPSHOT };
	snprintf(db->ctx.msg, sizeof db->ctx.msg, "before");
	tu_ok(db, bk_tx_run(&db->ctx, flaky_tx, &f));
	assert_int_equal(f.runs, 3);
	/* one event, the last run's; its words and warning, as after one run */
	assert_int_equal(events(db), e0 + 1);
	assert_string_equal(db->ctx.msg, "done in run 3");
	assert_string_equal(db->ctx.warning, "warned in run 3");
	assert_false(store_in_transaction(db->ctx.store));
	tu_db_close(db);
}

static void test_past_the_limit_in_words(void **state)
{
	(void)state;
	struct tu_db *db = tu_db_open(NULL);
	int64_t e0 = events(db);
	struct flaky f = { .fail = 100, .rc = SQLITE_BUSY_SNAPSHOT };
	snprintf(db->ctx.msg, sizeof db->ctx.msg, "before");
	assert_int_equal(bk_tx_run(&db->ctx, flaky_tx, &f), BK_STORAGE);
	assert_int_equal(f.runs, BK_TX_TRIES);
	assert_non_null(strstr(db->ctx.msg, "recording a read: the database server stopped this change"));
	assert_non_null(strstr(db->ctx.msg, "it was tried 5 times: nothing was changed, try again later"));
	assert_int_equal(events(db), e0);
	assert_false(store_in_transaction(db->ctx.store));
	/* and the next action runs as ever */
	f = (struct flaky){ .fail = 0, .rc = SQLITE_BUSY_SNAPSHOT };
	snprintf(db->ctx.msg, sizeof db->ctx.msg, "before");
	tu_ok(db, bk_tx_run(&db->ctx, flaky_tx, &f));
	assert_int_equal(events(db), e0 + 1);
	tu_db_close(db);
}

static void test_busy_is_not_run_again(void **state)
{
	(void)state;
	struct tu_db *db = tu_db_open(NULL);
	int64_t e0 = events(db);
	struct flaky f = { .fail = 1, .rc = SQLITE_BUSY };
	snprintf(db->ctx.msg, sizeof db->ctx.msg, "before");
	assert_int_equal(bk_tx_run(&db->ctx, flaky_tx, &f), BK_STORAGE);
	assert_int_equal(f.runs, 1);
	assert_non_null(strstr(db->ctx.msg, "the database is busy"));
	assert_null(strstr(db->ctx.msg, "tried"));
	assert_int_equal(events(db), e0);
	tu_db_close(db);
}

/* Inside a batch the action runs once (a savepoint): the batch's own
 * bk_tx_run runs the whole again, the inner action with it. */
struct batch {
	struct flaky inner;
	int runs;
};

static enum bk_status batch_tx(struct bk_ctx *ctx, void *ud)
{
	struct batch *b = ud;
	b->runs++;
	snprintf(ctx->msg, sizeof ctx->msg, "before");
	return bk_tx_run(ctx, flaky_tx, &b->inner);
}

static void test_inside_a_batch_the_batch_runs_again(void **state)
{
	(void)state;
	struct tu_db *db = tu_db_open(NULL);
	int64_t e0 = events(db);
	struct batch b = { .inner = { .fail = 1, .rc = SQLITE_BUSY_SNAPSHOT } };
	tu_ok(db, bk_tx_run(&db->ctx, batch_tx, &b));
	assert_int_equal(b.runs, 2);
	assert_int_equal(b.inner.runs, 2);
	assert_int_equal(events(db), e0 + 1);
	tu_db_close(db);
}

/* ---- PostgreSQL: the server's own answers ---- */

static struct tu_db *sending_db(void)
{
	return tu_db_make(&(struct tu_fixture){
		.providers = (const struct tu_provider[]){ { .name = "Alpha Care" }, { .name = "Beta Care" }, { 0 } },
		.rankings = (const struct tu_ranking[]){ { 1, "North",
	                                                   (const char *[]){ "Alpha Care", "Beta Care", NULL } },
	                                                 { 0 } },
		.as = "alice" });
}

static int64_t new_referral(struct tu_db *db, const char *case_ref)
{
	struct bk_referral_input in = {
		.case_ref = case_ref,
		.lot = 1,
		.district = "North",
		.hours = "10",
		.age = 12,
		.panel_date = "2026-01-05",
	};
	int64_t id = 0;
	tu_ok(db, bk_referral_new(&db->ctx, &in, &id));
	return id;
}

static int64_t count(struct tu_db *db, const char *sql)
{
	char out[64];
	tu_psql(db->path, sql, out, sizeof out);
	return strtoll(out, NULL, 10);
}

/* The server answers 40001 (serialization_failure) to the first writes of
 * an offer while the test's counter says so: the count is a sequence, which
 * a rolled-back transaction does not undo. */
static void fail_offers(struct tu_db *db, const char *set_first)
{
	char out[64];
	tu_psql(db->path,
	        "SET client_min_messages = warning; DROP TRIGGER IF EXISTS test_fail ON offer; "
	        "DROP SEQUENCE IF EXISTS test_fail_seq; "
	        "DROP TABLE IF EXISTS test_fail_n; "
	        "CREATE SEQUENCE test_fail_seq; CREATE TABLE test_fail_n(n INT NOT NULL); "
	        "CREATE OR REPLACE FUNCTION test_fail() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
	        "IF nextval('test_fail_seq') <= (SELECT n FROM test_fail_n) THEN "
	        "RAISE EXCEPTION 'could not serialize access (test)' USING ERRCODE = 'serialization_failure'; "
	        "END IF; RETURN NEW; END $$; "
	        "CREATE TRIGGER test_fail BEFORE INSERT ON offer FOR EACH ROW EXECUTE FUNCTION test_fail(); "
	        "GRANT ALL ON test_fail_seq, test_fail_n TO PUBLIC",
	        out, sizeof out);
	tu_psql(db->path, set_first, out, sizeof out);
}

static void test_pg_serialization_failure(void **state)
{
	(void)state;
	if (!tu_engine_pg())
		skip();
	struct tu_db *db = sending_db();
	int64_t id = new_referral(db, "CYP-000001");
	fail_offers(db, "INSERT INTO test_fail_n VALUES (2)");
	int64_t e0 = count(db, "SELECT count(*) FROM event");
	tu_ok(db, bk_referral_send(&db->ctx, id, 0));
	assert_int_equal(count(db, "SELECT last_value FROM test_fail_seq"), 3); /* refused twice, then written */
	assert_int_equal(count(db, "SELECT count(*) FROM offer"), 1);
	assert_int_equal(count(db, "SELECT count(*) FROM event WHERE action = 'offer.send'"), 1);
	assert_int_equal(count(db, "SELECT count(*) FROM event WHERE action = 'referral.send'"), 1);
	int64_t e1 = count(db, "SELECT count(*) FROM event");
	assert_true(e1 > e0);

	/* past the limit: in words, nothing changed */
	int64_t id2 = new_referral(db, "CYP-000002");
	fail_offers(db, "INSERT INTO test_fail_n VALUES (100)");
	int64_t e2 = count(db, "SELECT count(*) FROM event");
	struct store_referral before, after;
	assert_int_equal(store_referral_get(db->ctx.store, id2, &before), STORE_OK);
	assert_int_equal(bk_referral_send(&db->ctx, id2, 0), BK_STORAGE);
	assert_non_null(strstr(db->ctx.msg, "could not serialize access (test)"));
	assert_non_null(strstr(db->ctx.msg, "it was tried 5 times: nothing was changed, try again later"));
	assert_int_equal(count(db, "SELECT last_value FROM test_fail_seq"), BK_TX_TRIES);
	assert_int_equal(count(db, "SELECT count(*) FROM offer"), 1);
	assert_int_equal(count(db, "SELECT count(*) FROM event"), e2);
	assert_int_equal(store_referral_get(db->ctx.store, id2, &after), STORE_OK);
	assert_int_equal(after.version, before.version);
	assert_int_equal(after.status, before.status);

	/* a lock not granted in time (55P03) is busy, run once */
	tu_psql(db->path,
	        "CREATE OR REPLACE FUNCTION test_fail() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
	        "IF nextval('test_fail_seq') > 0 THEN "
	        "RAISE EXCEPTION 'lock timeout (test)' USING ERRCODE = 'lock_not_available'; "
	        "END IF; RETURN NEW; END $$",
	        NULL, 0);
	tu_psql(db->path, "SELECT setval('test_fail_seq', 1, false)", NULL, 0);
	assert_int_equal(bk_referral_send(&db->ctx, id2, 0), BK_STORAGE);
	assert_non_null(strstr(db->ctx.msg, "the database is busy"));
	assert_int_equal(count(db, "SELECT last_value FROM test_fail_seq"), 1);
	tu_psql(db->path, "DROP TRIGGER test_fail ON offer", NULL, 0);
	tu_db_close(db);
}

/* The connection's server process ended (a restart, a network cut)
 * between two actions: the next action connects again and is done. */
static void test_pg_connection_lost_between_actions(void **state)
{
	(void)state;
	if (!tu_engine_pg())
		skip();
	struct tu_db *db = sending_db();
	int64_t id = new_referral(db, "CYP-000003");
	int64_t v0 = 0;
	assert_int_equal(store_data_version(db->ctx.store, &v0), STORE_OK);
	/* every connection the program has to this database (only this one) */
	assert_int_equal(count(db, "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'brokerage' "
	                           "AND datname = current_database()"),
	                 1);
	char out[64];
	tu_psql(db->path,
	        "SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity "
	        "WHERE application_name = 'brokerage' AND datname = current_database()",
	        out, sizeof out);
	assert_string_equal(out, "1");
	int64_t e0 = count(db, "SELECT count(*) FROM event");
	tu_ok(db, bk_referral_send(&db->ctx, id, 0));
	assert_int_equal(count(db, "SELECT count(*) FROM offer"), 1);
	assert_int_equal(count(db, "SELECT count(*) FROM event WHERE action = 'referral.send'"), 1);
	assert_true(count(db, "SELECT count(*) FROM event") > e0);
	/* a screen reads again: what others did meanwhile went unheard */
	int64_t v1 = 0;
	assert_int_equal(store_data_version(db->ctx.store, &v1), STORE_OK);
	assert_true(v1 > v0);
	/* and it goes on working: the statements prepared before the loss too */
	tu_ok(db, bk_referral_send(&db->ctx, new_referral(db, "CYP-000004"), 0));
	assert_int_equal(count(db, "SELECT count(*) FROM offer"), 2);
	tu_db_close(db);
}

/* Lost during an action, before COMMIT: the action runs again on a new
 * connection. */
struct killer {
	const char *conninfo;
	int runs;
};

static enum bk_status killed_once_tx(struct bk_ctx *ctx, void *ud)
{
	struct killer *k = ud;
	if (++k->runs == 1) {
		char out[64];
		tu_psql(k->conninfo,
		        "SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity "
		        "WHERE application_name = 'brokerage' AND datname = current_database()",
		        out, sizeof out);
		assert_string_equal(out, "1");
	}
	return bk_audit_obj(ctx, "data.read", "read", 0, 0, NULL, json_pack("{si}", "run", k->runs));
}

static void test_pg_connection_lost_in_an_action(void **state)
{
	(void)state;
	if (!tu_engine_pg())
		skip();
	struct tu_db *db = tu_db_open(NULL);
	int64_t e0 = count(db, "SELECT count(*) FROM event");
	struct killer k = { db->path, 0 };
	tu_ok(db, bk_tx_run(&db->ctx, killed_once_tx, &k));
	assert_int_equal(k.runs, 2);
	assert_int_equal(count(db, "SELECT count(*) FROM event"), e0 + 1);
	tu_db_close(db);
}

/* Lost while the server saves (COMMIT sent): the change may or may not
 * have been kept, so it is not run again; the words say to look first.
 * A deferred trigger ends its own server process at COMMIT. */
static void test_pg_connection_lost_while_saving(void **state)
{
	(void)state;
	if (!tu_engine_pg())
		skip();
	struct tu_db *db = sending_db();
	int64_t id = new_referral(db, "CYP-000005");
	tu_psql(db->path,
	        "CREATE SEQUENCE test_kill_seq; "
	        "CREATE FUNCTION test_kill() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
	        "PERFORM nextval('test_kill_seq'); PERFORM pg_terminate_backend(pg_backend_pid()); "
	        "PERFORM pg_sleep(5); RETURN NULL; END $$; "
	        "CREATE CONSTRAINT TRIGGER test_kill AFTER INSERT ON offer DEFERRABLE INITIALLY DEFERRED "
	        "FOR EACH ROW EXECUTE FUNCTION test_kill(); "
	        "GRANT ALL ON test_kill_seq TO PUBLIC",
	        NULL, 0);
	assert_int_equal(bk_referral_send(&db->ctx, id, 0), BK_STORAGE);
	assert_non_null(strstr(db->ctx.msg, "the server connection was lost while saving"));
	assert_non_null(strstr(db->ctx.msg, "look at the referral before trying again"));
	assert_int_equal(count(db, "SELECT last_value FROM test_kill_seq"), 1); /* run once */
	assert_int_equal(count(db, "SELECT count(*) FROM offer"), 0);           /* here the server kept none */
	tu_psql(db->path, "DROP TRIGGER test_kill ON offer", NULL, 0);
	/* the next action connects again */
	tu_ok(db, bk_referral_send(&db->ctx, id, 0));
	assert_int_equal(count(db, "SELECT count(*) FROM offer"), 1);
	tu_db_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_again_until_clean),
		cmocka_unit_test(test_past_the_limit_in_words),
		cmocka_unit_test(test_busy_is_not_run_again),
		cmocka_unit_test(test_inside_a_batch_the_batch_runs_again),
		cmocka_unit_test(test_pg_serialization_failure),
		cmocka_unit_test(test_pg_connection_lost_between_actions),
		cmocka_unit_test(test_pg_connection_lost_in_an_action),
		cmocka_unit_test(test_pg_connection_lost_while_saving),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
