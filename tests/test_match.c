/* Matching: each reason a ranked provider is not eligible, alone and
 * together, in words; amber eligible with a warning; order kept. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/calendar.h"
#include "core/match.h"
#include "core/settings.h"
#include "tests/testutil.h"

static unsigned default_excluded;

static int setup(void **state)
{
	(void)state;
	if (!cal_zone_use("Europe/London"))
		return -1;
	struct bk_settings s;
	bk_settings_defaults(&s);
	default_excluded = s.excluded_risks;
	return 0;
}

/* An eligible framework provider with nothing kept about it. */
static struct match_provider good(const char *name, int rank)
{
	struct match_provider p = {
		.id = rank,
		.name = name,
		.rank = rank,
		.active = true,
		.framework = true,
		.embargo = NULL,
		.risk = BK_RISK_GREEN,
		.has_cqc = true,
		.age_min = -1,
		.age_max = -1,
		.capacity_minutes = -1,
		.declined_on = INT32_MIN,
		.expired_on = INT32_MIN,
	};
	return p;
}

static const struct match_referral plain_ref = { .cqc_required = false, .age = 10, .hours_minutes = 600 };

static struct match_candidate one(const struct match_referral *ref, const struct match_provider *p, unsigned excluded)
{
	struct match_candidate c;
	memset(&c, 0xAA, sizeof c);
	match_candidates(ref, p, 1, excluded, &c);
	assert_ptr_equal(c.provider, p);
	return c;
}

/* The reasons in words, joined, and checked against the list. */
static void reasons_agree(const struct match_candidate *c, char *joined, size_t len)
{
	char list[MATCH_MAX_REASONS][MATCH_REASON_LEN];
	int n = match_reason_list(c, list, MATCH_MAX_REASONS);
	char want[MATCH_MAX_REASONS * MATCH_REASON_LEN] = "";
	size_t off = 0;
	for (int i = 0; i < n; i++)
		off += (size_t)snprintf(want + off, sizeof want - off, "%s%s", i ? "; " : "", list[i]);
	size_t got = match_reasons_text(c, joined, len);
	assert_string_equal(joined, want);
	assert_int_equal(got, strlen(want));
}

/* The only reason is `bit`, whose words are exactly `words`. */
static void only_reason(const struct match_candidate *c, unsigned bit, const char *words)
{
	assert_false(c->eligible);
	assert_int_equal(c->reasons, bit);
	char list[MATCH_MAX_REASONS][MATCH_REASON_LEN];
	assert_int_equal(match_reason_list(c, list, MATCH_MAX_REASONS), 1);
	assert_string_equal(list[0], words);
	char joined[512];
	reasons_agree(c, joined, sizeof joined);
	assert_string_equal(joined, words);
}

static void test_eligible(void **state)
{
	(void)state;
	struct match_provider p = good("Acme", 1);
	struct match_candidate c = one(&plain_ref, &p, default_excluded);
	assert_true(c.eligible);
	assert_false(c.warning);
	assert_int_equal(c.reasons, 0);
	char list[MATCH_MAX_REASONS][MATCH_REASON_LEN];
	assert_int_equal(match_reason_list(&c, list, MATCH_MAX_REASONS), 0);
	char joined[64] = "x";
	assert_int_equal(match_reasons_text(&c, joined, sizeof joined), 0);
	assert_string_equal(joined, "");
}

static void test_inactive(void **state)
{
	(void)state;
	struct match_provider p = good("Acme", 1);
	p.active = false;
	struct match_candidate c = one(&plain_ref, &p, default_excluded);
	only_reason(&c, MATCH_INACTIVE, "inactive");
}

static void test_embargoed(void **state)
{
	(void)state;
	struct match_provider p = good("Acme", 1);
	p.embargo = "late visits";
	struct match_candidate c = one(&plain_ref, &p, default_excluded);
	only_reason(&c, MATCH_EMBARGOED, "embargoed: late visits");
	/* an empty reason is no embargo */
	p.embargo = "";
	c = one(&plain_ref, &p, default_excluded);
	assert_true(c.eligible);
}

static void test_red_and_amber(void **state)
{
	(void)state;
	assert_int_equal(default_excluded, BK_RISK_BIT(BK_RISK_RED));
	struct match_provider p = good("Acme", 1);
	p.risk = BK_RISK_RED;
	struct match_candidate c = one(&plain_ref, &p, default_excluded);
	only_reason(&c, MATCH_RISK_EXCLUDED, "red risk");
	assert_false(c.warning);

	p.risk = BK_RISK_AMBER;
	c = one(&plain_ref, &p, default_excluded);
	assert_true(c.eligible);
	assert_true(c.warning);
	assert_int_equal(c.reasons, 0);
	char list[MATCH_MAX_REASONS][MATCH_REASON_LEN];
	assert_int_equal(match_reason_list(&c, list, MATCH_MAX_REASONS), 1);
	tu_assert_contains(list[0], "amber");
	tu_assert_contains(list[0], "warning");
	char joined[256];
	reasons_agree(&c, joined, sizeof joined);

	/* a council that also excludes amber */
	c = one(&plain_ref, &p, BK_RISK_BIT(BK_RISK_RED) | BK_RISK_BIT(BK_RISK_AMBER));
	assert_false(c.eligible);
	assert_int_equal(c.reasons, MATCH_RISK_EXCLUDED);
	assert_int_equal(match_reason_list(&c, list, MATCH_MAX_REASONS), 1);
	assert_string_equal(list[0], "amber risk");

	/* nothing excluded: red is eligible */
	p.risk = BK_RISK_RED;
	c = one(&plain_ref, &p, 0);
	assert_true(c.eligible);
	p.risk = BK_RISK_GREEN;
	c = one(&plain_ref, &p, default_excluded);
	assert_true(c.eligible);
	assert_false(c.warning);
}

static void test_declined_on_a_day(void **state)
{
	(void)state;
	struct match_provider p = good("Acme", 1);
	p.declined_on = cal_days_from_civil(2026, 11, 23);
	struct match_candidate c = one(&plain_ref, &p, default_excluded);
	only_reason(&c, MATCH_DECLINED, "declined on Mon 23 Nov 2026");
}

static void test_expired(void **state)
{
	(void)state;
	struct match_provider p = good("Acme", 1);
	p.expired_on = cal_days_from_civil(2026, 11, 25);
	struct match_candidate c = one(&plain_ref, &p, default_excluded);
	assert_false(c.eligible);
	assert_int_equal(c.reasons, MATCH_EXPIRED);
	char list[MATCH_MAX_REASONS][MATCH_REASON_LEN];
	assert_int_equal(match_reason_list(&c, list, MATCH_MAX_REASONS), 1);
	tu_assert_contains(list[0], "expire");
	tu_assert_contains(list[0], "Wed 25 Nov 2026");
	char joined[256];
	reasons_agree(&c, joined, sizeof joined);
}

static void test_no_cqc(void **state)
{
	(void)state;
	struct match_provider p = good("Acme", 1);
	p.has_cqc = false;
	/* a lot without the requirement: eligible */
	struct match_candidate c = one(&plain_ref, &p, default_excluded);
	assert_true(c.eligible);
	struct match_referral personal = plain_ref;
	personal.cqc_required = true;
	c = one(&personal, &p, default_excluded);
	assert_false(c.eligible);
	assert_int_equal(c.reasons, MATCH_NO_CQC);
	char list[MATCH_MAX_REASONS][MATCH_REASON_LEN];
	assert_int_equal(match_reason_list(&c, list, MATCH_MAX_REASONS), 1);
	tu_assert_contains(list[0], "CQC");
	/* registered: eligible on the personal-care lot */
	p.has_cqc = true;
	c = one(&personal, &p, default_excluded);
	assert_true(c.eligible);
}

static void test_ages(void **state)
{
	(void)state;
	struct match_provider p = good("Acme", 1);
	p.age_min = 0;
	p.age_max = 17;
	struct match_referral r = plain_ref;
	r.age = 18;
	struct match_candidate c = one(&r, &p, default_excluded);
	only_reason(&c, MATCH_AGE, "serves ages 0-17");
	/* the bounds are inclusive */
	r.age = 17;
	assert_true(one(&r, &p, default_excluded).eligible);
	r.age = 0;
	assert_true(one(&r, &p, default_excluded).eligible);
	p.age_min = 16;
	p.age_max = 25;
	r.age = 15;
	c = one(&r, &p, default_excluded);
	only_reason(&c, MATCH_AGE, "serves ages 16-25");
	/* age not known: not a reason */
	r.age = -1;
	assert_true(one(&r, &p, default_excluded).eligible);
	/* ages not kept: not a reason */
	p.age_min = p.age_max = -1;
	r.age = 90;
	assert_true(one(&r, &p, default_excluded).eligible);
}

static void test_capacity(void **state)
{
	(void)state;
	struct match_provider p = good("Acme", 1);
	p.capacity_minutes = 5 * 60;
	struct match_candidate c = one(&plain_ref, &p, default_excluded); /* 10 h wanted */
	assert_false(c.eligible);
	assert_int_equal(c.reasons, MATCH_CAPACITY);
	char list[MATCH_MAX_REASONS][MATCH_REASON_LEN];
	assert_int_equal(match_reason_list(&c, list, MATCH_MAX_REASONS), 1);
	tu_assert_contains(list[0], "capacity");
	tu_assert_contains(list[0], "5");
	/* exactly enough */
	p.capacity_minutes = 600;
	assert_true(one(&plain_ref, &p, default_excluded).eligible);
	/* one minute short */
	p.capacity_minutes = 599;
	assert_false(one(&plain_ref, &p, default_excluded).eligible);
	/* capacity not kept */
	p.capacity_minutes = -1;
	assert_true(one(&plain_ref, &p, default_excluded).eligible);
	/* kept as zero: not enough */
	p.capacity_minutes = 0;
	assert_int_equal(one(&plain_ref, &p, default_excluded).reasons, MATCH_CAPACITY);
}

static void test_many_reasons_and_order(void **state)
{
	(void)state;
	struct match_referral r = { .cqc_required = true, .age = 30, .hours_minutes = 20 * 60 };
	struct match_provider ps[4];
	ps[0] = good("First", 1);
	ps[1] = good("Second", 2);
	ps[1].active = false;
	ps[1].embargo = "safeguarding concern";
	ps[1].risk = BK_RISK_RED;
	ps[1].declined_on = cal_days_from_civil(2026, 11, 23);
	ps[1].has_cqc = false;
	ps[1].age_min = 0;
	ps[1].age_max = 17;
	ps[1].capacity_minutes = 60;
	ps[2] = good("Third", 3);
	ps[2].risk = BK_RISK_AMBER;
	ps[3] = good("Fourth", 4);
	ps[3].expired_on = cal_days_from_civil(2026, 11, 25);
	struct match_candidate c[4];
	match_candidates(&r, ps, 4, default_excluded, c);
	/* one candidate per provider, in the order given */
	for (int i = 0; i < 4; i++)
		assert_ptr_equal(c[i].provider, &ps[i]);
	assert_true(c[0].eligible);
	assert_false(c[1].eligible);
	assert_true(c[2].eligible);
	assert_true(c[2].warning);
	assert_false(c[3].eligible);
	assert_int_equal(c[3].reasons, MATCH_EXPIRED);

	unsigned all = MATCH_INACTIVE | MATCH_EMBARGOED | MATCH_RISK_EXCLUDED | MATCH_DECLINED | MATCH_NO_CQC |
	               MATCH_AGE | MATCH_CAPACITY;
	assert_int_equal(c[1].reasons, all);
	char list[MATCH_MAX_REASONS][MATCH_REASON_LEN];
	int n = match_reason_list(&c[1], list, MATCH_MAX_REASONS);
	assert_int_equal(n, 7);
	/* every reason listed, in the order domain.md gives them */
	assert_string_equal(list[0], "inactive");
	assert_string_equal(list[1], "embargoed: safeguarding concern");
	assert_string_equal(list[2], "red risk");
	assert_string_equal(list[3], "declined on Mon 23 Nov 2026");
	tu_assert_contains(list[4], "CQC");
	assert_string_equal(list[5], "serves ages 0-17");
	tu_assert_contains(list[6], "capacity 1");
	char joined[2048];
	reasons_agree(&c[1], joined, sizeof joined);
	tu_assert_contains(joined,
	                   "inactive; embargoed: safeguarding concern; red risk; declined on Mon 23 Nov 2026; ");

	/* max limits the list */
	assert_int_equal(match_reason_list(&c[1], list, 3), 3);
	assert_string_equal(list[2], "red risk");
}

static void test_off_framework(void **state)
{
	(void)state;
	struct match_provider p = good("Spot Co", 1);
	p.framework = false;
	struct match_candidate c = one(&plain_ref, &p, default_excluded);
	assert_false(c.eligible);
	assert_int_equal(c.reasons, MATCH_OFF_FRAMEWORK);
}

static void test_text_truncates(void **state)
{
	(void)state;
	struct match_provider p = good("Acme", 1);
	p.active = false;
	p.embargo = "late visits";
	struct match_candidate c = one(&plain_ref, &p, default_excluded);
	char small[12];
	size_t n = match_reasons_text(&c, small, sizeof small);
	assert_true(n < sizeof small);
	assert_int_equal(strlen(small), n);
	assert_true(strncmp(small, "inactive; embargoed", strlen(small)) == 0);
	assert_int_equal(match_reasons_text(&c, small, 0), 0);
}

static void test_reason_names(void **state)
{
	(void)state;
	const unsigned bits[] = { MATCH_INACTIVE, MATCH_EMBARGOED, MATCH_RISK_EXCLUDED,
		                  MATCH_DECLINED, MATCH_EXPIRED,   MATCH_NO_CQC,
		                  MATCH_AGE,      MATCH_CAPACITY,  MATCH_OFF_FRAMEWORK };
	for (size_t i = 0; i < sizeof bits / sizeof bits[0]; i++) {
		const char *name = match_reason_name(bits[i]);
		assert_non_null(name);
		assert_string_not_equal(name, "?");
		for (size_t k = 0; k < i; k++)
			assert_string_not_equal(name, match_reason_name(bits[k]));
	}
	assert_string_equal(match_reason_name(MATCH_EMBARGOED), "embargoed");
	assert_string_equal(match_reason_name(1u << 20), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eligible),
		cmocka_unit_test(test_inactive),
		cmocka_unit_test(test_embargoed),
		cmocka_unit_test(test_red_and_amber),
		cmocka_unit_test(test_declined_on_a_day),
		cmocka_unit_test(test_expired),
		cmocka_unit_test(test_no_cqc),
		cmocka_unit_test(test_ages),
		cmocka_unit_test(test_capacity),
		cmocka_unit_test(test_many_reasons_and_order),
		cmocka_unit_test(test_off_framework),
		cmocka_unit_test(test_text_truncates),
		cmocka_unit_test(test_reason_names),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
