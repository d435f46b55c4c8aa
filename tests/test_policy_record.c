/* core/policy_record.c: the council's policy kept in the database, read by
 * every program that opens it, changed only by an administrator's audited
 * load, and read again by an open program before its next action. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>

#include "storage/store_data.h"
#include "testutil.h"

static void sql(const char *path, const char *q)
{
	if (tu_is_conninfo(path)) {
		tu_psql(path, q, NULL, 0);
		return;
	}
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	char *err = NULL;
	if (sqlite3_exec(db, q, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("%s: %s", q, err);
	sqlite3_close(db);
}

struct counted {
	const char *action;
	int n;
	char actor[64];
	char after[4096];
};

static int count_action(void *ud, const struct store_event *e)
{
	struct counted *c = ud;
	if (strcmp(e->action, c->action) == 0) {
		c->n++;
		snprintf(c->actor, sizeof c->actor, "%s", e->actor);
		snprintf(c->after, sizeof c->after, "%s", e->after ? e->after : "");
	}
	return 0;
}

static int events(struct tu_db *db, const char *action, struct counted *c)
{
	memset(c, 0, sizeof *c);
	c->action = action;
	struct store_event_filter f = { 0 };
	assert_int_equal(store_audit_each(db->ctx.store, &f, count_action, c), STORE_OK);
	return c->n;
}

static void open_second(struct tu_db *db, struct bk_ctx *other, const struct bk_settings *seed, const char *login)
{
	struct bk_open_opts o = { .path = db->path };
	assert_int_equal(bk_open(other, seed, &o), BK_OK);
	other->now = db->ctx.now;
	assert_int_equal(bk_identify(other, login, true), BK_OK);
}

static enum bk_status load(struct tu_db *db, const struct bk_settings *next, bool apply, bool move,
                           struct bk_policy_change *ch)
{
	enum bk_status st = bk_policy_load(&db->ctx, next, apply, move, ch);
	return st;
}

/* An open offer on a referral in lot 1, North, sent at `when`. */
static int64_t open_offer(struct tu_db *db, const char *case_ref, const char *when)
{
	tu_as(db, "tina", when);
	struct bk_provider_input p = { .name = "Acorn Care", .ages = "0-25", .active = -1, .framework = -1 };
	int64_t pid = 0;
	if (bk_provider_add(&db->ctx, &p, &pid) == BK_OK) {
		const char *ranked[] = { "Acorn Care" };
		tu_ok(db, bk_rank_set(&db->ctx, 1, "North", ranked, 1));
	}
	tu_as(db, "alice", when);
	struct bk_referral_input in = { .case_ref = case_ref,
		                        .lot = 1,
		                        .district = "North",
		                        .hours = "5",
		                        .age = 10,
		                        .urgent = 0 };
	int64_t id = 0;
	tu_ok(db, bk_referral_new(&db->ctx, &in, &id));
	tu_ok(db, bk_referral_send(&db->ctx, id, 0));
	return id;
}

static int64_t deadline_of(struct tu_db *db, int64_t referral)
{
	struct bk_referral_view *v = NULL;
	assert_int_equal(bk_referral_load(&db->ctx, referral, false, &v), BK_OK);
	assert_true(v->n_offers >= 1);
	int64_t d = v->offers[0].offer.deadline_at;
	bk_referral_view_destroy(v);
	return d;
}

struct last_deadline {
	int64_t deadline_at, set_at;
	enum store_deadline_reason why;
	int n;
};

static int keep_last(void *ud, const struct store_offer_deadline *d)
{
	struct last_deadline *l = ud;
	l->deadline_at = d->deadline_at;
	l->set_at = d->set_at;
	l->why = d->reason;
	l->n++;
	return 0;
}

static int no_info(void *ud, const struct store_offer_info *i)
{
	(void)ud;
	(void)i;
	return 0;
}

static void test_new_database_records_its_policy(void **state)
{
	(void)state;
	struct tu_db *db = tu_db_open("2026-11-16T09:00");
	struct bk_policy_origin o[BK_SET_COUNT];
	assert_int_equal(bk_policy_origins(&db->ctx, o), BK_OK);
	for (int k = 0; k < BK_SET_COUNT; k++) {
		assert_true(o[k].recorded);
		assert_string_equal(o[k].set_by, "admin");
	}
	struct counted c;
	assert_int_equal(events(db, "policy.init", &c), 1);
	assert_non_null(strstr(c.after, "\"source\":\"built-in defaults\""));
	assert_int_equal(db->ctx.settings->response_days, 3);
	tu_db_close(db);
}

/* The seed given at open is not the policy of a database that has one. */
static void test_seed_does_not_override(void **state)
{
	(void)state;
	struct tu_db *db = tu_db_open("2026-11-16T09:00");
	struct bk_settings mine = db->s;
	mine.response_days = 9;
	mine.excluded_risks = 0;
	struct bk_ctx other;
	open_second(db, &other, &mine, "alice");
	assert_int_equal(other.settings->response_days, 3);
	assert_int_equal(other.settings->excluded_risks, BK_RISK_BIT(BK_RISK_RED));
	bk_close(&other);
	tu_db_close(db);
}

static void test_only_administrators_load(void **state)
{
	(void)state;
	struct tu_db *db = tu_db_open("2026-11-16T09:00");
	struct bk_settings next = *db->ctx.settings;
	next.response_days = 5;
	struct bk_policy_change ch;
	for (const char *const *who = (const char *const[]){ "alice", "tina", "sam", NULL }; *who; who++) {
		tu_as(db, *who, NULL);
		assert_int_equal(load(db, &next, true, false, &ch), BK_REFUSED);
		assert_non_null(strstr(db->ctx.msg, "administrator"));
		bk_policy_change_finish(&ch);
		assert_int_equal(db->ctx.settings->response_days, 3);
	}
	tu_db_close(db);
}

static void test_preview_changes_nothing(void **state)
{
	(void)state;
	struct tu_db *db = tu_db_open("2026-11-16T09:00");
	int64_t id = open_offer(db, "P-1", "2026-11-20T10:00");
	assert_int_equal(deadline_of(db, id), tu_at("2026-11-25T17:00"));
	struct counted before;
	events(db, "policy.load", &before);
	tu_as(db, "admin", NULL);
	struct bk_settings next = *db->ctx.settings;
	next.response_days = 5;
	struct bk_policy_change ch;
	assert_int_equal(load(db, &next, false, false, &ch), BK_OK);
	assert_false(ch.applied);
	assert_true(ch.changed[BK_SET_RESPONSE_DAYS]);
	assert_int_equal(ch.n_changed, 1);
	assert_int_equal(ch.n_moves, 1);
	assert_string_equal(ch.moves[0].case_ref, "P-1");
	assert_int_equal(ch.moves[0].old_deadline, tu_at("2026-11-25T17:00"));
	assert_int_equal(ch.moves[0].new_deadline, tu_at("2026-11-27T17:00"));
	bk_policy_change_finish(&ch);
	assert_int_equal(db->ctx.settings->response_days, 3);
	assert_int_equal(deadline_of(db, id), tu_at("2026-11-25T17:00"));
	struct counted after;
	assert_int_equal(events(db, "policy.load", &after), before.n);
	/* and a new offer still gets three days */
	int64_t id2 = open_offer(db, "P-2", "2026-11-20T10:00");
	assert_int_equal(deadline_of(db, id2), tu_at("2026-11-25T17:00"));
	tu_db_close(db);
}

static void test_apply_keeps_or_moves_open_deadlines(void **state)
{
	(void)state;
	struct tu_db *db = tu_db_open("2026-11-16T09:00");
	int64_t id = open_offer(db, "K-1", "2026-11-20T10:00");
	tu_as(db, "admin", "2026-11-20T12:00");
	struct bk_settings next = *db->ctx.settings;
	next.response_days = 5;
	struct bk_policy_change ch;
	assert_int_equal(load(db, &next, true, false, &ch), BK_OK);
	assert_true(ch.applied);
	assert_false(ch.moved);
	bk_policy_change_finish(&ch);
	assert_int_equal(db->ctx.settings->response_days, 5);
	assert_int_equal(deadline_of(db, id), tu_at("2026-11-25T17:00")); /* kept, by decision */
	struct counted c;
	assert_int_equal(events(db, "policy.deadlines-kept", &c), 1);
	assert_int_equal(events(db, "policy.load", &c), 1);
	assert_string_equal(c.actor, "admin");
	assert_non_null(strstr(c.after, "\"response_days\":5"));
	assert_null(strstr(c.after, "\"cutoff\"")); /* only what changed */

	next.response_days = 4;
	assert_int_equal(load(db, &next, true, true, &ch), BK_OK);
	assert_true(ch.moved);
	bk_policy_change_finish(&ch);
	assert_int_equal(deadline_of(db, id), tu_at("2026-11-26T17:00"));
	struct last_deadline l = { 0 };
	assert_int_equal(store_offer_history_of_referral(db->ctx.store, id, INT64_MAX, keep_last, no_info, &l),
	                 STORE_OK);
	assert_int_equal(l.n, 2); /* sent, then moved by the policy, when and why */
	assert_int_equal(l.deadline_at, tu_at("2026-11-26T17:00"));
	assert_int_equal(l.set_at, tu_at("2026-11-20T12:00"));
	assert_int_equal(l.why, STORE_DEADLINE_POLICY);
	assert_int_equal(events(db, "offer.deadline-moved", &c), 1);
	assert_int_equal(events(db, "policy.deadlines-moved", &c), 1);
	struct store_verify v;
	assert_int_equal(store_audit_verify(db->ctx.store, &v), STORE_OK);
	assert_int_equal(v.bad_seq, 0);
	tu_db_close(db);
}

/* A program that was open when the policy changed uses the new one for its
 * next action: two officers never get two deadlines for one offer. */
static void test_open_program_follows_a_change(void **state)
{
	(void)state;
	struct tu_db *db = tu_db_open("2026-11-16T09:00");
	open_offer(db, "F-0", "2026-11-20T09:00"); /* providers and ranking in place */
	struct bk_ctx officer;
	open_second(db, &officer, &db->s, "alice");
	assert_int_equal(officer.settings->response_days, 3);

	tu_as(db, "admin", "2026-11-20T09:30");
	struct bk_settings next = *db->ctx.settings;
	next.response_days = 5;
	next.holidays_add[next.n_holidays_add++] = cal_days_from_civil(2026, 11, 23);
	struct bk_policy_change ch;
	assert_int_equal(load(db, &next, true, false, &ch), BK_OK);
	bk_policy_change_finish(&ch);

	officer.now = tu_at("2026-11-20T10:00");
	struct bk_referral_input in = { .case_ref = "F-1", .lot = 1, .district = "North", .hours = "5", .age = 10 };
	int64_t id = 0;
	assert_int_equal(bk_referral_new(&officer, &in, &id), BK_OK);
	assert_int_equal(bk_referral_send(&officer, id, 0), BK_OK);
	assert_int_equal(officer.settings->response_days, 5);
	/* Fri 20 + 5 working days, Mon 23 now a holiday: Tue 24 .. Mon 30 */
	struct bk_referral_view *v = NULL;
	assert_int_equal(bk_referral_load(&officer, id, false, &v), BK_OK);
	assert_int_equal(v->offers[0].offer.deadline_at, tu_at("2026-11-30T17:00"));
	bk_referral_view_destroy(v);
	bk_close(&officer);
	tu_db_close(db);
}

/* A database made before the policy lived in it: the seed (the system file
 * or the built-in defaults) is recorded as its first policy, audited; a
 * program that only inspects it writes nothing. */
static void test_first_policy_of_an_older_database(void **state)
{
	(void)state;
	struct tu_db *db = tu_db_open("2026-11-16T09:00");
	bk_close(&db->ctx);
	sql(db->path, "DELETE FROM policy; DELETE FROM meta WHERE key = 'policy_generation';");
	struct bk_settings seed = db->s;
	seed.response_days = 7;
	snprintf(seed.file, sizeof seed.file, "/etc/brokerage/brokerage.conf");

	struct bk_ctx look;
	struct bk_open_opts ro = { .path = db->path, .inspect_only = true, .login = "alice" };
	assert_int_equal(bk_open(&look, &seed, &ro), BK_OK);
	assert_int_equal(look.settings->response_days, 7);
	assert_false(look.policy_recorded);
	bk_close(&look);

	struct bk_open_opts o = { .path = db->path, .login = "alice", .now = tu_at("2026-12-01T09:00") };
	assert_int_equal(bk_open(&db->ctx, &seed, &o), BK_OK);
	assert_true(db->ctx.policy_recorded);
	assert_int_equal(db->ctx.settings->response_days, 7);
	struct counted c;
	assert_int_equal(events(db, "policy.init", &c), 2);
	assert_string_equal(c.actor, "system");
	assert_non_null(strstr(c.after, "\"source\":\"/etc/brokerage/brokerage.conf\""));
	assert_non_null(strstr(c.after, "\"opened_by\":\"alice\""));

	/* the next program, whatever its seed, reads what was recorded */
	struct bk_ctx other;
	assert_int_equal(bk_open(&other, &db->s, &o), BK_OK);
	assert_int_equal(other.settings->response_days, 7);
	bk_close(&other);
	tu_db_close(db);
}

static void test_damaged_policy_is_refused(void **state)
{
	(void)state;
	struct tu_db *db = tu_db_open("2026-11-16T09:00");
	bk_close(&db->ctx);
	sql(db->path, "UPDATE policy SET value = '\"three\"' WHERE key = 'response_days';");
	struct bk_open_opts o = { .path = db->path };
	assert_int_equal(bk_open(&db->ctx, &db->s, &o), BK_STORAGE);
	assert_non_null(strstr(db->ctx.msg, "response_days"));
	sql(db->path, "UPDATE policy SET value = '[{\"number\":1}]' WHERE key = 'lots';"
	              "UPDATE policy SET value = '3' WHERE key = 'response_days';");
	assert_int_equal(bk_open(&db->ctx, &db->s, &o), BK_STORAGE);
	assert_non_null(strstr(db->ctx.msg, "lots"));
	sql(db->path, "DELETE FROM policy WHERE key = 'lots';");
	assert_int_equal(bk_open(&db->ctx, &db->s, &o), BK_OK); /* a key not recorded is the built-in default */
	tu_db_close(db);
}

/* Every key survives the trip into the database and back. */
static void test_every_key_round_trips(void **state)
{
	(void)state;
	struct tu_db *db = tu_db_open("2026-11-16T09:00");
	struct bk_settings next = *db->ctx.settings;
	snprintf(next.zone, sizeof next.zone, "Europe/Dublin");
	next.n_lots = 1;
	next.lots[0] = (struct bk_lot){ .number = 7,
		                        .name = "Night \"sitting\"",
		                        .cqc_required = true,
		                        .framework_rate = 2399 };
	next.n_districts = 1;
	snprintf(next.districts[0].name, sizeof next.districts[0].name, "Ynys Môn");
	next.response_days = 2;
	next.cutoff_minute = 15 * 60 + 30;
	next.close_minute = 18 * 60;
	next.region = BK_REGION_SCOTLAND;
	next.n_holidays_add = 1;
	next.holidays_add[0] = cal_days_from_civil(2026, 12, 24);
	next.n_holidays_remove = 1;
	next.holidays_remove[0] = cal_days_from_civil(2026, 12, 28);
	next.cascade = BK_CASCADE_PARALLEL;
	next.batch_size = 4;
	next.excluded_risks = BK_RISK_BIT(BK_RISK_AMBER) | BK_RISK_BIT(BK_RISK_RED);
	next.require_approval = true;
	next.key_decision_threshold = 12345678;
	next.retention_months = 99;
	next.n_decline_codes = 2;
	snprintf(next.decline_codes[0].keyword, sizeof next.decline_codes[0].keyword, "staff");
	snprintf(next.decline_codes[0].label, sizeof next.decline_codes[0].label, "no staff");
	snprintf(next.decline_codes[1].keyword, sizeof next.decline_codes[1].keyword, "other");
	snprintf(next.decline_codes[1].label, sizeof next.decline_codes[1].label, "other");
	next.mail_enabled = true;
	snprintf(next.mail_from, sizeof next.mail_from, "brokerage@council.example.gov.uk");
	snprintf(next.mail_reply_to, sizeof next.mail_reply_to, "answers@council.example.gov.uk");
	next.mail_offer_fields = BK_MAIL_FIELD_BIT(BK_MAIL_CASE) | BK_MAIL_FIELD_BIT(BK_MAIL_DEADLINE);
	next.mail_chase_hours = 5;
	struct bk_policy_change ch;
	assert_int_equal(load(db, &next, true, false, &ch), BK_OK);
	assert_int_equal(ch.n_changed, BK_SET_COUNT);
	bk_policy_change_finish(&ch);

	struct bk_ctx other;
	struct bk_settings defaults;
	bk_settings_defaults(&defaults);
	struct bk_open_opts o = { .path = db->path };
	assert_int_equal(bk_open(&other, &defaults, &o), BK_OK);
	for (int k = 0; k < BK_SET_COUNT; k++) {
		json_t *a = bk_policy_value(&next, (enum bk_setting_id)k),
		       *b = bk_policy_value(other.settings, (enum bk_setting_id)k);
		if (!json_equal(a, b))
			fail_msg("%s did not survive the round trip", bk_setting_names[k]);
		json_decref(a);
		json_decref(b);
	}
	bk_close(&other);
	cal_zone_use("Europe/London");
	tu_db_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_database_records_its_policy),
		cmocka_unit_test(test_seed_does_not_override),
		cmocka_unit_test(test_only_administrators_load),
		cmocka_unit_test(test_preview_changes_nothing),
		cmocka_unit_test(test_apply_keeps_or_moves_open_deadlines),
		cmocka_unit_test(test_open_program_follows_a_change),
		cmocka_unit_test(test_first_policy_of_an_older_database),
		cmocka_unit_test(test_damaged_policy_is_refused),
		cmocka_unit_test(test_every_key_round_trips),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
