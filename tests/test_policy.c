/* Policy: the cascade (sequential and parallel, rank wins), who may do
 * what, separation of duties, the key-decision threshold. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/policy.h"
#include "core/settings.h"
#include "tests/testutil.h"


/* Slots from a string: one letter per rank. Upper case eligible, lower
 * case not: N none, O open, A accepted, C closed. */
static int slots_from(const char *spec, struct policy_slot *out)
{
	int n = 0;
	for (const char *p = spec; *p; p++, n++) {
		char c = *p;
		out[n].eligible = c >= 'A' && c <= 'Z';
		switch (c | 0x20) {
		case 'n':
			out[n].state = SLOT_NONE;
			break;
		case 'o':
			out[n].state = SLOT_OPEN;
			break;
		case 'a':
			out[n].state = SLOT_ACCEPTED;
			break;
		default:
			out[n].state = SLOT_CLOSED;
			break;
		}
	}
	return n;
}

static struct policy_plan plan_for(enum bk_cascade mode, int batch, const char *spec)
{
	struct policy_slot slots[32];
	int n = slots_from(spec, slots);
	struct policy_plan plan;
	memset(&plan, 0x55, sizeof plan);
	policy_cascade(mode, batch, slots, n, &plan);
	return plan;
}

static void assert_sends(const struct policy_plan *p, const int *want, int n)
{
	if (p->n_send != n)
		fail_msg("sends %d providers, expected %d", p->n_send, n);
	for (int i = 0; i < n; i++)
		if (p->send[i] != want[i])
			fail_msg("send[%d] is slot %d, expected %d", i, p->send[i], want[i]);
}

#define SENDS(plan, ...)                                                    \
	do {                                                                \
		const int w_[] = { __VA_ARGS__ };                           \
		assert_sends(&(plan), w_, (int)(sizeof w_ / sizeof w_[0])); \
	} while (0)

static void assert_quiet(const struct policy_plan *p)
{
	assert_int_equal(p->n_send, 0);
	assert_int_equal(p->confirm, -1);
	assert_false(p->waiting_on_higher);
	assert_false(p->exhausted);
}

/* ---- sequential ---- */

static void test_sequential(void **state)
{
	(void)state;
	/* first send: rank 1 only */
	struct policy_plan p = plan_for(BK_CASCADE_SEQUENTIAL, 3, "NNN");
	SENDS(p, 0);
	assert_int_equal(p.confirm, -1);
	assert_false(p.exhausted);
	/* one open at a time: nothing more while rank 1 is open */
	p = plan_for(BK_CASCADE_SEQUENTIAL, 3, "ONN");
	assert_quiet(&p);
	/* rank 1 declined: rank 2 is ineligible, so rank 3 is next */
	p = plan_for(BK_CASCADE_SEQUENTIAL, 3, "CnN");
	SENDS(p, 2);
	assert_false(p.exhausted);
	/* the first eligible may be further down from the start */
	p = plan_for(BK_CASCADE_SEQUENTIAL, 3, "nnN");
	SENDS(p, 2);
	/* none open, none left: exhausted */
	p = plan_for(BK_CASCADE_SEQUENTIAL, 3, "CnC");
	assert_int_equal(p.n_send, 0);
	assert_true(p.exhausted);
	assert_int_equal(p.confirm, -1);
	/* nobody eligible at all */
	p = plan_for(BK_CASCADE_SEQUENTIAL, 3, "nnn");
	assert_true(p.exhausted);
	/* nobody ranked */
	p = plan_for(BK_CASCADE_SEQUENTIAL, 3, "");
	assert_true(p.exhausted);
	assert_int_equal(p.n_send, 0);
	/* an open offer to a provider that has since become ineligible still counts */
	p = plan_for(BK_CASCADE_SEQUENTIAL, 3, "oN");
	assert_quiet(&p);
	/* acceptance with nothing higher open: confirmed */
	p = plan_for(BK_CASCADE_SEQUENTIAL, 3, "CCA");
	assert_int_equal(p.confirm, 2);
	assert_int_equal(p.n_send, 0);
	assert_false(p.exhausted);
	assert_false(p.waiting_on_higher);
	/* the batch size means nothing in sequential mode */
	p = plan_for(BK_CASCADE_SEQUENTIAL, 5, "NNNNN");
	SENDS(p, 0);
}

/* ---- parallel ---- */

static void test_parallel_batch(void **state)
{
	(void)state;
	/* the top 3 eligible at once */
	struct policy_plan p = plan_for(BK_CASCADE_PARALLEL, 3, "NNNNN");
	SENDS(p, 0, 1, 2);
	assert_false(p.exhausted);
	/* skipping the ineligible */
	p = plan_for(BK_CASCADE_PARALLEL, 3, "NnNNN");
	SENDS(p, 0, 2, 3);
	/* the batch is kept full as answers come in */
	p = plan_for(BK_CASCADE_PARALLEL, 3, "COONN");
	SENDS(p, 3);
	p = plan_for(BK_CASCADE_PARALLEL, 3, "OOONN");
	assert_quiet(&p);
	/* fewer left than the batch */
	p = plan_for(BK_CASCADE_PARALLEL, 3, "CCN");
	SENDS(p, 2);
	/* all closed: exhausted */
	p = plan_for(BK_CASCADE_PARALLEL, 3, "CCCn");
	assert_true(p.exhausted);
	assert_int_equal(p.n_send, 0);
	/* a batch of 0 behaves as 1 */
	p = plan_for(BK_CASCADE_PARALLEL, 0, "NNN");
	SENDS(p, 0);
}

static void test_parallel_rank_wins(void **state)
{
	(void)state;
	/* rank 3 accepts while ranks 1 and 2 are open: it waits */
	struct policy_plan p = plan_for(BK_CASCADE_PARALLEL, 3, "OOANN");
	assert_true(p.waiting_on_higher);
	assert_int_equal(p.confirm, -1);
	assert_int_equal(p.n_send, 0);
	assert_false(p.exhausted);
	/* rank 1 declines, rank 2 still open: still waiting, nobody new approached */
	p = plan_for(BK_CASCADE_PARALLEL, 3, "COANN");
	assert_true(p.waiting_on_higher);
	assert_int_equal(p.confirm, -1);
	assert_int_equal(p.n_send, 0);
	/* both higher ranks closed: rank 3 is confirmed */
	p = plan_for(BK_CASCADE_PARALLEL, 3, "CCANN");
	assert_false(p.waiting_on_higher);
	assert_int_equal(p.confirm, 2);
	assert_int_equal(p.n_send, 0);
	/* rank 1 accepts after rank 3: rank 1 wins at once, rank 2 open or not */
	p = plan_for(BK_CASCADE_PARALLEL, 3, "AOANN");
	assert_int_equal(p.confirm, 0);
	assert_false(p.waiting_on_higher);
	p = plan_for(BK_CASCADE_PARALLEL, 3, "ACANN");
	assert_int_equal(p.confirm, 0);
	/* rank 2 accepts after rank 3 while rank 1 is open: waits on rank 1 */
	p = plan_for(BK_CASCADE_PARALLEL, 3, "OAANN");
	assert_true(p.waiting_on_higher);
	assert_int_equal(p.confirm, -1);
	/* then rank 1 declines: rank 2, not rank 3, is confirmed */
	p = plan_for(BK_CASCADE_PARALLEL, 3, "CAANN");
	assert_int_equal(p.confirm, 1);
}

/* ---- permissions ---- */

static void test_role_table(void **state)
{
	(void)state;
	/* rows: officer, team leader, supervisor, admin */
	static const struct {
		enum policy_perm perm;
		bool may[ROLE_COUNT];
	} table[] = {
		{ PERM_READ, { true, true, true, true } },
		{ PERM_WORK_REFERRALS, { true, true, true, false } },
		{ PERM_APPROVE_REFERRAL, { false, true, false, false } },
		{ PERM_ASSIGN, { false, true, false, false } },
		{ PERM_ESCALATE, { false, true, false, false } },
		{ PERM_EDIT_PROVIDERS, { false, true, false, false } },
		{ PERM_DECIDE_SPOT, { false, false, true, false } },
		{ PERM_MANAGE_STAFF, { false, false, false, true } },
		{ PERM_SWEEP, { true, true, true, true } },
		{ PERM_BACKUP, { false, true, false, true } },
		{ PERM_RESTORE, { false, false, false, true } },
		{ PERM_SET_POLICY, { false, false, false, true } },
	};
	assert_int_equal(sizeof table / sizeof table[0], PERM_COUNT);
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
		for (int r = 0; r < ROLE_COUNT; r++) {
			const char *why = NULL;
			bool may = policy_may((enum bk_role)r, table[i].perm, &why);
			if (may != table[i].may[r])
				fail_msg("permission %d for %s: got %d, expected %d", (int)table[i].perm,
				         policy_role_name((enum bk_role)r), may, table[i].may[r]);
			if (!may && (!why || strlen(why) < 10))
				fail_msg("permission %d refused to %s without a sentence", (int)table[i].perm,
				         policy_role_name((enum bk_role)r));
		}
	}
	const char *why = NULL;
	assert_false(policy_may(ROLE_OFFICER, PERM_EDIT_PROVIDERS, &why));
	tu_assert_contains(why, "team leader");
	assert_false(policy_may(ROLE_TEAM_LEADER, PERM_DECIDE_SPOT, &why));
	tu_assert_contains(why, "supervisor");
	assert_false(policy_may(ROLE_COUNT, PERM_READ, &why));
	assert_false(policy_may(ROLE_OFFICER, PERM_COUNT, &why));
}

static void test_role_names(void **state)
{
	(void)state;
	const char *names[] = { "officer", "team_leader", "supervisor", "admin" };
	for (int r = 0; r < ROLE_COUNT; r++) {
		assert_string_equal(policy_role_name((enum bk_role)r), names[r]);
		enum bk_role back = ROLE_COUNT;
		assert_true(policy_role_parse(names[r], &back));
		assert_int_equal(back, r);
	}
	assert_string_equal(policy_role_title(ROLE_TEAM_LEADER), "team leader");
	enum bk_role x;
	assert_false(policy_role_parse("Supervisor", &x));
	assert_false(policy_role_parse("root", &x));
}

static void test_separation_of_duties(void **state)
{
	(void)state;
	const char *why = NULL;
	/* one's own request: refused whatever the role */
	for (int r = 0; r < ROLE_COUNT; r++) {
		why = NULL;
		assert_false(policy_may_decide_spot(7, (enum bk_role)r, 7, &why));
		assert_non_null(why);
		assert_true(strlen(why) > 10);
	}
	assert_false(policy_may_decide_spot(7, ROLE_SUPERVISOR, 7, &why));
	tu_assert_contains(why, "another supervisor");
	/* an officer, a team leader or an admin deciding someone else's: refused */
	assert_false(policy_may_decide_spot(7, ROLE_OFFICER, 8, &why));
	tu_assert_contains(why, "supervisor");
	assert_false(policy_may_decide_spot(7, ROLE_TEAM_LEADER, 8, &why));
	assert_false(policy_may_decide_spot(7, ROLE_ADMIN, 8, &why));
	/* a supervisor deciding another's request: allowed */
	assert_true(policy_may_decide_spot(7, ROLE_SUPERVISOR, 8, &why));
}

static void test_key_decision(void **state)
{
	(void)state;
	struct bk_settings s;
	bk_settings_defaults(&s);
	int64_t t = s.key_decision_threshold;
	assert_int_equal(t, 50000000); /* £500,000 */
	assert_true(policy_needs_key_decision(t, t));
	assert_true(policy_needs_key_decision(t + 1, t));
	assert_true(policy_needs_key_decision(52000000, t)); /* £1,000/h x 10 h x 52 */
	assert_false(policy_needs_key_decision(t - 1, t));
	assert_false(policy_needs_key_decision(0, t));
	/* no threshold configured: never */
	assert_false(policy_needs_key_decision(INT64_MAX, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sequential),         cmocka_unit_test(test_parallel_batch),
		cmocka_unit_test(test_parallel_rank_wins), cmocka_unit_test(test_role_table),
		cmocka_unit_test(test_role_names),         cmocka_unit_test(test_separation_of_duties),
		cmocka_unit_test(test_key_decision),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
