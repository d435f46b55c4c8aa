/* Money in pence and hours in minutes: parse, cost, format. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/money.h"

struct accept {
	const char *text;
	int64_t want;
};

struct refuse {
	const char *text;
	const char *needle; /* the message must name the problem */
};

static void test_rate_accepted(void **state)
{
	(void)state;
	const struct accept ok[] = {
		{ "19.50", 1950 },
		{ "\xc2\xa3"
		  "19.50",
		  1950 },
		{ "\xc2\xa3 19.50", 1950 },
		{ "GBP 19.50", 1950 },
		{ "19.5", 1950 },
		{ "19", 1900 },
		{ "  19.50  ", 1950 },
		{ "0.05", 5 },
		{ ".75", 75 },
		{ "0", 0 },
		{ "19.99", 1999 },
		{ "1,000", 100000 },
		{ "10000", MONEY_MAX_RATE },
		{ "10,000.00", MONEY_MAX_RATE },
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		int64_t pence = -1;
		char err[256] = "";
		if (!money_parse_rate(ok[i].text, &pence, err, sizeof err))
			fail_msg("\"%s\" refused: %s", ok[i].text, err);
		assert_int_equal(pence, ok[i].want);
	}
}

static void test_rate_refused(void **state)
{
	(void)state;
	const struct refuse bad[] = {
		{ "19.505", "more than two decimal places" },
		{ "-1", "cannot be negative" },
		{ "-\xc2\xa3"
		  "1",
		  "cannot be negative" },
		{ "\xc2\xa3-1", "cannot be negative" },
		{ "1e3", "is not an amount" },
		{ "19,50", "use a full stop for pence" },
		{ "1,00.00", "use a full stop for pence" },
		{ "", "no rate given" },
		{ "   ", "no rate given" },
		{ "abc", "is not an amount" },
		{ "19.50p", "is not an amount" },
		{ "19.", "is not an amount" },
		{ ".", "is not an amount" },
		{ "\xc2\xa3", "is not an amount" },
		{ "1 9", "is not an amount" },
		{ "+19", "is not an amount" },
		{ "0x10", "is not an amount" },
		{ "19.5.0", "is not an amount" },
		{ "10000.01", "\xc2\xa3"
		              "10,000.00 an hour" },
		{ "99999999999999999999", "too large" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int64_t pence = 4242;
		char err[256] = "";
		assert_false(money_parse_rate(bad[i].text, &pence, err, sizeof err));
		assert_int_equal(pence, 4242);
		if (strstr(err, bad[i].needle) == NULL)
			fail_msg("\"%s\": message \"%s\" lacks \"%s\"", bad[i].text, err, bad[i].needle);
	}
	int64_t pence;
	assert_false(money_parse_rate(NULL, &pence, NULL, 0));
	assert_false(money_parse_rate("x", &pence, NULL, 0));
}

static void test_amount(void **state)
{
	(void)state;
	int64_t pence = -1;
	char err[256] = "";
	assert_true(money_parse_amount("500000", &pence, err, sizeof err));
	assert_int_equal(pence, 50000000);
	assert_true(money_parse_amount("\xc2\xa3"
	                               "1,234,567.89",
	                               &pence, err, sizeof err));
	assert_int_equal(pence, 123456789);
	/* The largest amount that fits, and one penny more. */
	assert_true(money_parse_amount("92233720368547757.99", &pence, err, sizeof err));
	assert_int_equal(pence, INT64_MAX - 8);
	assert_false(money_parse_amount("922337203685477580.00", &pence, err, sizeof err));
	assert_non_null(strstr(err, "too large"));
	assert_false(money_parse_amount("-5", &pence, err, sizeof err));
	assert_non_null(strstr(err, "cannot be negative"));
	assert_false(money_parse_amount("", &pence, err, sizeof err));
	assert_non_null(strstr(err, "no amount given"));
	assert_false(money_parse_amount("5.001", &pence, err, sizeof err));
	assert_non_null(strstr(err, "more than two decimal places"));
}

static void test_hours(void **state)
{
	(void)state;
	const struct accept ok[] = {
		{ "10", 600 },    { "10.5", 630 },     { "7.25", 435 },    { "7.50", 450 }, { "0.05", 3 },
		{ "168", 10080 }, { "168.00", 10080 }, { " 37.5 ", 2250 }, { ".5", 30 },    { "7.75", 465 },
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		int minutes = -1;
		char err[256] = "";
		if (!hours_parse(ok[i].text, &minutes, err, sizeof err))
			fail_msg("\"%s\" refused: %s", ok[i].text, err);
		assert_int_equal(minutes, ok[i].want);
	}

	const struct refuse bad[] = {
		{ "168.05", "exceeds 168 hours a week" },
		{ "168.01", "exceeds 168 hours a week" }, /* too many, not "not whole minutes" */
		{ "200", "exceeds 168 hours a week" },
		{ "99999999999999", "exceeds 168 hours a week" },
		{ "7.255", "more than two decimal places" },
		{ "-1", "cannot be negative" },
		{ "", "no hours given" },
		{ "0", "more than zero" },
		{ "0.00", "more than zero" },
		{ "7.33", "hours must be in whole minutes (e.g. 7.25 or 7.5)" },
		{ "7.01", "whole minutes" },
		{ "seven", "is not a number of hours" },
		{ "7,5", "is not a number of hours" },
		{ "7h", "is not a number of hours" },
		{ "7.", "is not a number of hours" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int minutes = 4242;
		char err[256] = "";
		assert_false(hours_parse(bad[i].text, &minutes, err, sizeof err));
		assert_int_equal(minutes, 4242);
		if (strstr(err, bad[i].needle) == NULL)
			fail_msg("\"%s\": message \"%s\" lacks \"%s\"", bad[i].text, err, bad[i].needle);
	}
}

/* A provider's capacity is hours a week in a district, many people's:
 * 400 is fine (issue 14). */
static void test_capacity_hours(void **state)
{
	(void)state;
	int minutes = 0;
	char err[256] = "";
	assert_true(hours_parse_capacity("400", &minutes, err, sizeof err));
	assert_int_equal(minutes, 400 * 60);
	assert_true(hours_parse_capacity("12.5", &minutes, err, sizeof err));
	assert_int_equal(minutes, 750);
	assert_false(hours_parse_capacity("100000.01", &minutes, err, sizeof err));
	if (!strstr(err, "exceeds 100000 hours a week"))
		fail_msg("%s", err);
	assert_false(hours_parse("400", &minutes, err, sizeof err));
}

static void test_costs(void **state)
{
	(void)state;
	assert_int_equal(money_weekly_cost(1950, 630), 20475); /* exact */
	assert_int_equal(money_weekly_cost(1999, 435), 14493); /* 14492.75 */
	assert_int_equal(money_weekly_cost(1999, 30), 1000);   /* 999.5: half up */
	assert_int_equal(money_weekly_cost(1997, 30), 999);    /* 998.5 -> 999 */
	assert_int_equal(money_weekly_cost(1, 20), 0);         /* 0.33 */
	assert_int_equal(money_weekly_cost(1, 40), 1);         /* 0.67 */
	assert_int_equal(money_weekly_cost(1, 30), 1);         /* 0.5 */
	assert_int_equal(money_weekly_cost(2150, 600), 21500);
	assert_int_equal(money_weekly_cost(0, 600), 0);
	assert_int_equal(money_weekly_cost(MONEY_MAX_RATE, HOURS_MAX_MINUTES), 168000000);
	/* Rounded once over the week: 13.33 x 1.05 h = 13.9965 -> 14.00. */
	assert_int_equal(money_weekly_cost(1333, 63), 1400); /* 1399.65 */
	assert_int_equal(money_weekly_cost(INT64_MAX, 10080), INT64_MAX);

	assert_int_equal(money_annual_cost(20475), 1064700);
	assert_int_equal(money_annual_cost(14493), 753636);
	assert_int_equal(money_annual_cost(0), 0);
	assert_int_equal(money_annual_cost(INT64_MAX / 10), INT64_MAX);
}

static void test_format(void **state)
{
	(void)state;
	const struct {
		int64_t pence;
		const char *pound, *ascii, *plain;
	} cases[] = {
		{ 123456,
		  "\xc2\xa3"
		  "1,234.56",
		  "GBP 1,234.56", "1234.56" },
		{ 5,
		  "\xc2\xa3"
		  "0.05",
		  "GBP 0.05", "0.05" },
		{ 0,
		  "\xc2\xa3"
		  "0.00",
		  "GBP 0.00", "0.00" },
		{ -100,
		  "-\xc2\xa3"
		  "1.00",
		  "-GBP 1.00", "-1.00" },
		{ 99999,
		  "\xc2\xa3"
		  "999.99",
		  "GBP 999.99", "999.99" },
		{ 100000,
		  "\xc2\xa3"
		  "1,000.00",
		  "GBP 1,000.00", "1000.00" },
		{ 50000000,
		  "\xc2\xa3"
		  "500,000.00",
		  "GBP 500,000.00", "500000.00" },
		{ 123456789012,
		  "\xc2\xa3"
		  "1,234,567,890.12",
		  "GBP 1,234,567,890.12", "1234567890.12" },
		{ INT64_MIN,
		  "-\xc2\xa3"
		  "92,233,720,368,547,758.08",
		  "-GBP 92,233,720,368,547,758.08", "-92233720368547758.08" },
	};
	char buf[64];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		money_format(cases[i].pence, false, buf, sizeof buf);
		assert_string_equal(buf, cases[i].pound);
		money_format(cases[i].pence, true, buf, sizeof buf);
		assert_string_equal(buf, cases[i].ascii);
		money_format_plain(cases[i].pence, buf, sizeof buf);
		assert_string_equal(buf, cases[i].plain);
	}
	/* What is shown parses back to the same pence. */
	for (int64_t p = 0; p < 2000000; p += 997) {
		int64_t back = -1;
		money_format(p, false, buf, sizeof buf);
		assert_true(money_parse_amount(buf, &back, NULL, 0));
		assert_int_equal(back, p);
		money_format(p, true, buf, sizeof buf);
		assert_true(money_parse_amount(buf, &back, NULL, 0));
		assert_int_equal(back, p);
	}
	char small[6];
	money_format(123456, true, small, sizeof small);
	assert_string_equal(small, "GBP 1");
}

static void test_hours_format(void **state)
{
	(void)state;
	char buf[32];
	const struct {
		int minutes;
		const char *text;
	} cases[] = {
		{ 435, "7.25" }, { 600, "10" },  { 630, "10.5" }, { 3, "0.05" },   { 10080, "168" },
		{ 0, "0" },      { 20, "0.33" }, { 59, "0.98" },  { 119, "1.98" }, { 1, "0.02" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		hours_format(cases[i].minutes, buf, sizeof buf);
		assert_string_equal(buf, cases[i].text);
	}
	/* Every parseable value formats back to itself. */
	for (int m = 3; m <= HOURS_MAX_MINUTES; m += 3) {
		int back = -1;
		hours_format(m, buf, sizeof buf);
		assert_true(hours_parse(buf, &back, NULL, 0));
		assert_int_equal(back, m);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rate_accepted),  cmocka_unit_test(test_rate_refused),
		cmocka_unit_test(test_amount),         cmocka_unit_test(test_hours),
		cmocka_unit_test(test_capacity_hours), cmocka_unit_test(test_costs),
		cmocka_unit_test(test_format),         cmocka_unit_test(test_hours_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
