/* The contract clock: civil dates, bank holidays, receipt, deadlines,
 * clock changes, parsing and formatting. Reckoned in Europe/London. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/calendar.h"
#include "core/settings.h"

static struct bk_settings settings;
static struct cal_rules rules;

static int setup(void **state)
{
	(void)state;
	if (!cal_zone_use("Europe/London"))
		return -1;
	bk_settings_defaults(&settings);
	cal_rules_from_settings(&rules, &settings);
	return 0;
}

static int32_t D(int y, int m, int d)
{
	return cal_days_from_civil(y, m, d);
}

/* A UTC instant from its civil parts. */
static int64_t Z(int y, int m, int d, int hh, int mm)
{
	return (int64_t)D(y, m, d) * 86400 + hh * 3600 + mm * 60;
}

/* A local (Europe/London) time that exists exactly once. */
static int64_t L(int y, int m, int d, int hh, int mm)
{
	int64_t utc = 0;
	assert_int_equal(cal_utc(D(y, m, d), hh * 60 + mm, &utc), CAL_LOCAL_OK);
	return utc;
}

static struct cal_rules rules_for(enum bk_region region)
{
	struct cal_rules r = rules;
	r.region = region;
	r.add = NULL;
	r.n_add = 0;
	r.remove = NULL;
	r.n_remove = 0;
	return r;
}

struct md {
	int month, day;
	const char *name; /* NULL: not checked */
};

/* The year's holidays are exactly these, in this order. */
static void assert_year(const struct cal_rules *r, int year, const struct md *want, int n)
{
	struct cal_holiday got[64];
	int count = cal_holidays(r, year, got, 64);
	for (int i = 0; i < count && i < n; i++) {
		struct cal_date d = cal_civil_from_days(got[i].day);
		if (d.year != year || d.month != want[i].month || d.day != want[i].day)
			fail_msg("%d holiday %d: got %04d-%02d-%02d (%s), want %02d-%02d", year, i, d.year, d.month,
			         d.day, got[i].name, want[i].month, want[i].day);
		if (want[i].name)
			assert_string_equal(got[i].name, want[i].name);
		const char *name = NULL;
		assert_true(cal_is_holiday(r, got[i].day, &name));
		assert_string_equal(name, got[i].name);
		assert_false(cal_is_working_day(r, got[i].day));
	}
	assert_int_equal(count, n);
}

#define ASSERT_YEAR(r, year, ...)                                                       \
	do {                                                                            \
		const struct md want_[] = { __VA_ARGS__ };                              \
		assert_year((r), (year), want_, (int)(sizeof want_ / sizeof want_[0])); \
	} while (0)

/* ---- civil dates ---------------------------------------------------------- */

static void test_civil_dates(void **state)
{
	(void)state;
	assert_int_equal(D(1970, 1, 1), 0);
	assert_int_equal(D(1970, 1, 2), 1);
	assert_int_equal(D(1969, 12, 31), -1);
	assert_int_equal(D(2000, 3, 1), 11017);
	assert_int_equal(D(2026, 11, 20), 20777);
	for (int32_t d = D(1600, 1, 1); d <= D(2400, 12, 31); d++) {
		struct cal_date c = cal_civil_from_days(d);
		assert_true(cal_date_valid(c.year, c.month, c.day));
		assert_int_equal(D(c.year, c.month, c.day), d);
	}
	struct cal_date c = cal_civil_from_days(D(2024, 2, 29));
	assert_int_equal(c.year, 2024);
	assert_int_equal(c.month, 2);
	assert_int_equal(c.day, 29);

	assert_true(cal_date_valid(2024, 2, 29));
	assert_true(cal_date_valid(2000, 2, 29));
	assert_false(cal_date_valid(1900, 2, 29));
	assert_false(cal_date_valid(2026, 2, 29));
	assert_false(cal_date_valid(2026, 13, 1));
	assert_false(cal_date_valid(2026, 0, 1));
	assert_false(cal_date_valid(2026, 4, 31));
	assert_false(cal_date_valid(2026, 1, 0));
	assert_true(cal_date_valid(2026, 12, 31));
}

static void test_weekday(void **state)
{
	(void)state;
	assert_int_equal(cal_weekday(D(1970, 1, 1)), 3);   /* Thursday */
	assert_int_equal(cal_weekday(D(1969, 12, 29)), 0); /* Monday */
	assert_int_equal(cal_weekday(D(2026, 11, 20)), 4); /* Friday */
	assert_int_equal(cal_weekday(D(2026, 11, 21)), 5);
	assert_int_equal(cal_weekday(D(2026, 11, 22)), 6);
	assert_int_equal(cal_weekday(D(2026, 11, 23)), 0);
	assert_int_equal(cal_weekday(D(1900, 1, 1)), 0);
	assert_int_equal(cal_weekday(D(2200, 12, 31)), 2);
}

static void test_easter(void **state)
{
	(void)state;
	assert_int_equal(cal_easter(2026), D(2026, 4, 5));
	assert_int_equal(cal_easter(2027), D(2027, 3, 28));
	assert_int_equal(cal_easter(2024), D(2024, 3, 31));
	assert_int_equal(cal_easter(2025), D(2025, 4, 20));
	assert_int_equal(cal_easter(2000), D(2000, 4, 23));
	assert_int_equal(cal_easter(2008), D(2008, 3, 23));
	assert_int_equal(cal_easter(2038), D(2038, 4, 25));
	assert_int_equal(cal_easter(1943), D(1943, 4, 25));
	assert_int_equal(cal_easter(1900), D(1900, 4, 15));
	assert_int_equal(cal_easter(2200), D(2200, 4, 6));
}

/* ---- zone ------------------------------------------------------------------ */

static void test_zone_names(void **state)
{
	(void)state;
	assert_true(cal_zone_valid("Europe/London"));
	assert_true(cal_zone_valid("UTC"));
	assert_true(cal_zone_valid("America/New_York"));
	assert_false(cal_zone_valid(""));
	assert_false(cal_zone_valid(NULL));
	assert_false(cal_zone_valid("Europe")); /* a directory */
	assert_false(cal_zone_valid("Nowhere/Land"));
	assert_false(cal_zone_valid("../../etc/passwd"));
	assert_false(cal_zone_valid("Europe/../Europe/London"));
	assert_false(cal_zone_valid("/usr/share/zoneinfo/Europe/London"));
	assert_false(cal_zone_valid("Europe/London;true"));
	assert_false(cal_zone_valid("Europe/London "));
	assert_false(cal_zone_valid("zone.tab"));

	/* A refused zone changes nothing, not even the count of zones used. */
	unsigned gen = cal_zone_generation();
	assert_false(cal_zone_use("Nowhere/Land"));
	assert_int_equal(cal_zone_generation(), gen);
	int32_t day;
	int minute;
	cal_local(Z(2026, 7, 1, 12, 0), &day, &minute);
	assert_int_equal(minute, 13 * 60);

	/* Another zone is really used, and London comes back; each change
	 * counts, so what a caller remembered of local times is known stale. */
	assert_true(cal_zone_use("America/New_York"));
	assert_int_not_equal(cal_zone_generation(), gen);
	gen = cal_zone_generation();
	cal_local(Z(2026, 7, 1, 12, 0), &day, &minute);
	assert_int_equal(minute, 8 * 60);
	assert_true(cal_zone_use("Europe/London"));
	assert_int_not_equal(cal_zone_generation(), gen);
	cal_local(Z(2026, 7, 1, 12, 0), &day, &minute);
	assert_int_equal(minute, 13 * 60);
}

static void test_local_and_utc(void **state)
{
	(void)state;
	int32_t day;
	int minute;
	cal_local(Z(2026, 11, 20, 10, 0), &day, &minute);
	assert_int_equal(day, D(2026, 11, 20));
	assert_int_equal(minute, 600);
	cal_local(Z(2026, 6, 30, 23, 30), &day, &minute); /* 00:30 BST next day */
	assert_int_equal(day, D(2026, 7, 1));
	assert_int_equal(minute, 30);

	int64_t utc = -1;
	assert_int_equal(cal_utc(D(2026, 11, 20), 600, &utc), CAL_LOCAL_OK);
	assert_int_equal(utc, Z(2026, 11, 20, 10, 0));
	assert_int_equal(cal_utc(D(2026, 7, 1), 30, &utc), CAL_LOCAL_OK);
	assert_int_equal(utc, Z(2026, 6, 30, 23, 30));
}

static void test_clock_changes(void **state)
{
	(void)state;
	int64_t utc = 12345;
	/* 29 Mar 2026: 01:00 GMT becomes 02:00 BST. */
	assert_int_equal(cal_utc(D(2026, 3, 29), 90, &utc), CAL_LOCAL_MISSING);
	assert_int_equal(utc, 12345); /* nothing given */
	assert_int_equal(cal_utc(D(2026, 3, 29), 60, &utc), CAL_LOCAL_MISSING);
	assert_int_equal(cal_utc(D(2026, 3, 29), 59, &utc), CAL_LOCAL_OK);
	assert_int_equal(utc, Z(2026, 3, 29, 0, 59));
	assert_int_equal(cal_utc(D(2026, 3, 29), 120, &utc), CAL_LOCAL_OK);
	assert_int_equal(utc, Z(2026, 3, 29, 1, 0));

	/* 25 Oct 2026: 02:00 BST becomes 01:00 GMT; 01:30 happens twice. */
	assert_int_equal(cal_utc(D(2026, 10, 25), 90, &utc), CAL_LOCAL_AMBIGUOUS);
	assert_int_equal(utc, Z(2026, 10, 25, 0, 30));
	assert_int_equal(cal_utc(D(2026, 10, 25), 60, &utc), CAL_LOCAL_AMBIGUOUS);
	assert_int_equal(utc, Z(2026, 10, 25, 0, 0));
	assert_int_equal(cal_utc(D(2026, 10, 25), 59, &utc), CAL_LOCAL_OK);
	assert_int_equal(utc, Z(2026, 10, 24, 23, 59));
	assert_int_equal(cal_utc(D(2026, 10, 25), 120, &utc), CAL_LOCAL_OK);
	assert_int_equal(utc, Z(2026, 10, 25, 2, 0));

	int32_t day;
	int minute;
	cal_local(Z(2026, 10, 25, 0, 30), &day, &minute);
	assert_int_equal(minute, 90);
	cal_local(Z(2026, 10, 25, 1, 30), &day, &minute);
	assert_int_equal(minute, 90);
	assert_int_equal(day, D(2026, 10, 25));
}

/* ---- bank holidays ---------------------------------------------------------- */

static void test_england_2026(void **state)
{
	(void)state;
	ASSERT_YEAR(&rules, 2026, { 1, 1, "New Year's Day" }, { 4, 3, "Good Friday" }, { 4, 6, "Easter Monday" },
	            { 5, 4, "Early May bank holiday" }, { 5, 25, "Spring bank holiday" },
	            { 8, 31, "Summer bank holiday" }, { 12, 25, "Christmas Day" },
	            { 12, 28, "Boxing Day (substitute day)" });
	assert_true(cal_is_working_day(&rules, D(2026, 1, 2)));
	assert_true(cal_is_working_day(&rules, D(2026, 8, 3)));
	assert_true(cal_is_working_day(&rules, D(2026, 11, 30)));
	assert_true(cal_is_working_day(&rules, D(2026, 12, 24)));
	assert_false(cal_is_working_day(&rules, D(2026, 12, 26))); /* Saturday */
	assert_false(cal_is_holiday(&rules, D(2026, 12, 26), NULL));
	assert_true(cal_is_working_day(&rules, D(2026, 12, 29)));
}

static void test_scotland_2026(void **state)
{
	(void)state;
	struct cal_rules s = rules_for(BK_REGION_SCOTLAND);
	ASSERT_YEAR(&s, 2026, { 1, 1, "New Year's Day" }, { 1, 2, "2nd January" }, { 4, 3, "Good Friday" },
	            { 5, 4, "Early May bank holiday" }, { 5, 25, "Spring bank holiday" },
	            { 8, 3, "Summer bank holiday" }, { 11, 30, "St Andrew's Day" }, { 12, 25, "Christmas Day" },
	            { 12, 28, "Boxing Day (substitute day)" });
	assert_true(cal_is_working_day(&s, D(2026, 4, 6)));  /* no Easter Monday */
	assert_true(cal_is_working_day(&s, D(2026, 8, 31))); /* English summer holiday */
	/* England on the same days, with the cache shared between them. */
	assert_false(cal_is_working_day(&rules, D(2026, 4, 6)));
	assert_true(cal_is_working_day(&rules, D(2026, 1, 2)));
	assert_false(cal_is_working_day(&s, D(2026, 1, 2)));
}

static void test_easter_2027_and_christmas(void **state)
{
	(void)state;
	const char *name = NULL;
	assert_true(cal_is_holiday(&rules, D(2027, 3, 26), &name));
	assert_string_equal(name, "Good Friday");
	assert_true(cal_is_holiday(&rules, D(2027, 3, 29), &name));
	assert_string_equal(name, "Easter Monday");
	assert_true(cal_is_working_day(&rules, D(2027, 3, 25)));
	assert_true(cal_is_working_day(&rules, D(2027, 3, 30)));

	/* 2026: Fri 25, Boxing Day on Saturday moves to Mon 28. */
	assert_true(cal_is_holiday(&rules, D(2026, 12, 25), &name));
	assert_string_equal(name, "Christmas Day");
	assert_true(cal_is_holiday(&rules, D(2026, 12, 28), &name));
	assert_string_equal(name, "Boxing Day (substitute day)");

	/* 2027: Christmas on Saturday: Mon 27 and Tue 28. */
	ASSERT_YEAR(&rules, 2027, { 1, 1, "New Year's Day" }, { 3, 26, "Good Friday" }, { 3, 29, "Easter Monday" },
	            { 5, 3, "Early May bank holiday" }, { 5, 31, "Spring bank holiday" },
	            { 8, 30, "Summer bank holiday" }, { 12, 27, "Christmas Day (substitute day)" },
	            { 12, 28, "Boxing Day (substitute day)" });
	assert_true(cal_is_working_day(&rules, D(2027, 12, 29)));

	/* 2022: Christmas on Sunday: Boxing Day Mon 26, Christmas substitute Tue 27. */
	assert_true(cal_is_holiday(&rules, D(2022, 12, 26), &name));
	assert_string_equal(name, "Boxing Day");
	assert_true(cal_is_holiday(&rules, D(2022, 12, 27), &name));
	assert_string_equal(name, "Christmas Day (substitute day)");
	assert_true(cal_is_working_day(&rules, D(2022, 12, 28)));

	/* 2021 (Saturday) as 2027; 2023 (Monday): no substitutes. */
	assert_false(cal_is_working_day(&rules, D(2021, 12, 27)));
	assert_false(cal_is_working_day(&rules, D(2021, 12, 28)));
	assert_true(cal_is_working_day(&rules, D(2023, 12, 27)));
}

static void test_new_year_substitutes(void **state)
{
	(void)state;
	const char *name = NULL;
	struct cal_rules s = rules_for(BK_REGION_SCOTLAND);

	/* 2022: 1 Jan Saturday. */
	assert_true(cal_is_holiday(&rules, D(2022, 1, 3), &name));
	assert_string_equal(name, "New Year's Day (substitute day)");
	assert_true(cal_is_working_day(&rules, D(2022, 1, 4)));
	assert_true(cal_is_holiday(&s, D(2022, 1, 3), &name));
	assert_string_equal(name, "New Year's Day (substitute day)");
	assert_true(cal_is_holiday(&s, D(2022, 1, 4), &name));
	assert_string_equal(name, "2nd January (substitute day)");
	assert_true(cal_is_working_day(&s, D(2022, 1, 5)));

	/* 2023: 1 Jan Sunday: England Mon 2; Scotland Mon 2 and Tue 3. */
	assert_false(cal_is_working_day(&rules, D(2023, 1, 2)));
	assert_true(cal_is_working_day(&rules, D(2023, 1, 3)));
	assert_false(cal_is_working_day(&s, D(2023, 1, 2)));
	assert_false(cal_is_working_day(&s, D(2023, 1, 3)));
	assert_true(cal_is_working_day(&s, D(2023, 1, 4)));

	/* 2027: 1 Jan Friday, 2 Jan Saturday: Scotland Mon 4. */
	assert_true(cal_is_holiday(&s, D(2027, 1, 4), &name));
	assert_string_equal(name, "2nd January (substitute day)");
	assert_true(cal_is_working_day(&rules, D(2027, 1, 4)));

	/* St Andrew's Day: 2025 Sunday -> Mon 1 Dec; 2024 Saturday -> Mon 2 Dec. */
	assert_true(cal_is_holiday(&s, D(2025, 12, 1), &name));
	assert_string_equal(name, "St Andrew's Day (substitute day)");
	assert_true(cal_is_holiday(&s, D(2024, 12, 2), &name));
	assert_true(cal_is_working_day(&s, D(2024, 12, 3)));
	assert_true(cal_is_working_day(&rules, D(2025, 12, 1)));
}

static void test_one_off_years(void **state)
{
	(void)state;
	ASSERT_YEAR(&rules, 2020, { 1, 1, "New Year's Day" }, { 4, 10, "Good Friday" }, { 4, 13, "Easter Monday" },
	            { 5, 8, "Early May bank holiday (VE Day)" }, { 5, 25, "Spring bank holiday" },
	            { 8, 31, "Summer bank holiday" }, { 12, 25, "Christmas Day" },
	            { 12, 28, "Boxing Day (substitute day)" });
	assert_true(cal_is_working_day(&rules, D(2020, 5, 4)));

	ASSERT_YEAR(&rules, 2022, { 1, 3, "New Year's Day (substitute day)" }, { 4, 15, "Good Friday" },
	            { 4, 18, "Easter Monday" }, { 5, 2, "Early May bank holiday" }, { 6, 2, "Spring bank holiday" },
	            { 6, 3, "Platinum Jubilee bank holiday" }, { 8, 29, "Summer bank holiday" },
	            { 9, 19, "Bank holiday for the State Funeral of Queen Elizabeth II" }, { 12, 26, "Boxing Day" },
	            { 12, 27, "Christmas Day (substitute day)" });
	assert_true(cal_is_working_day(&rules, D(2022, 5, 30)));

	ASSERT_YEAR(&rules, 2023, { 1, 2, "New Year's Day (substitute day)" }, { 4, 7, "Good Friday" },
	            { 4, 10, "Easter Monday" }, { 5, 1, "Early May bank holiday" },
	            { 5, 8, "Bank holiday for the coronation of King Charles III" }, { 5, 29, "Spring bank holiday" },
	            { 8, 28, "Summer bank holiday" }, { 12, 25, "Christmas Day" }, { 12, 26, "Boxing Day" });

	/* UK-wide: Scotland has them too. */
	struct cal_rules s = rules_for(BK_REGION_SCOTLAND);
	ASSERT_YEAR(&s, 2022, { 1, 3, "New Year's Day (substitute day)" }, { 1, 4, "2nd January (substitute day)" },
	            { 4, 15, "Good Friday" }, { 5, 2, "Early May bank holiday" }, { 6, 2, "Spring bank holiday" },
	            { 6, 3, "Platinum Jubilee bank holiday" }, { 8, 1, "Summer bank holiday" }, { 9, 19, NULL },
	            { 11, 30, "St Andrew's Day" }, { 12, 26, "Boxing Day" },
	            { 12, 27, "Christmas Day (substitute day)" });
	assert_false(cal_is_working_day(&s, D(2020, 5, 8)));
	assert_true(cal_is_working_day(&s, D(2020, 5, 4)));
	assert_false(cal_is_working_day(&s, D(2023, 5, 8)));

	/* The older ones. */
	assert_false(cal_is_working_day(&rules, D(2012, 6, 4)));
	assert_false(cal_is_working_day(&rules, D(2012, 6, 5)));
	assert_true(cal_is_working_day(&rules, D(2012, 5, 28)));
	assert_false(cal_is_working_day(&rules, D(2002, 6, 3)));
	assert_false(cal_is_working_day(&rules, D(2002, 6, 4)));
	assert_true(cal_is_working_day(&rules, D(2002, 5, 27)));
	assert_false(cal_is_working_day(&rules, D(2011, 4, 29)));
	assert_false(cal_is_working_day(&rules, D(1999, 12, 31)));
	assert_true(cal_is_working_day(&rules, D(2000, 12, 29)));
}

/* Every year 1900..2200 has the right count of bank holidays, all on
 * weekdays, sorted and distinct. */
static void test_every_year(void **state)
{
	(void)state;
	struct cal_rules s = rules_for(BK_REGION_SCOTLAND);
	for (int year = 1900; year <= 2200; year++) {
		int extra = 0;
		switch (year) {
		case 1999:
		case 2002:
		case 2011:
		case 2012:
		case 2023:
			extra = 1;
			break;
		case 2022:
			extra = 2;
			break;
		default:
			break;
		}
		struct cal_holiday h[32];
		int n = cal_holidays(&rules, year, h, 32);
		assert_int_equal(n, 8 + extra);
		for (int i = 0; i < n; i++) {
			assert_true(cal_weekday(h[i].day) < 5);
			assert_int_equal(cal_civil_from_days(h[i].day).year, year);
			if (i > 0)
				assert_true(h[i - 1].day < h[i].day);
		}
		n = cal_holidays(&s, year, h, 32);
		assert_int_equal(n, 9 + extra);
		for (int i = 0; i < n; i++) {
			assert_true(cal_weekday(h[i].day) < 5);
			if (i > 0)
				assert_true(h[i - 1].day < h[i].day);
		}
	}
	/* max is respected. */
	struct cal_holiday h[3];
	assert_int_equal(cal_holidays(&rules, 2026, h, 3), 3);
	assert_int_equal(cal_holidays(&rules, 2026, h, 0), 0);
}

static void test_settings_edits(void **state)
{
	(void)state;
	struct bk_settings s;
	bk_settings_defaults(&s);
	s.holidays_add[s.n_holidays_add++] = D(2026, 12, 24);
	s.holidays_add[s.n_holidays_add++] = D(2026, 12, 24); /* listed twice */
	s.holidays_add[s.n_holidays_add++] = D(2026, 12, 25); /* already a holiday */
	s.holidays_add[s.n_holidays_add++] = D(2027, 1, 4);
	s.holidays_remove[s.n_holidays_remove++] = D(2026, 12, 28);
	struct cal_rules r;
	cal_rules_from_settings(&r, &s);
	assert_int_equal(r.response_days, 3);
	assert_int_equal(r.cutoff_minute, 960);
	assert_int_equal(r.close_minute, 1020);

	const char *name = NULL;
	assert_true(cal_is_holiday(&r, D(2026, 12, 24), &name));
	assert_string_equal(name, "Added by configuration");
	assert_true(cal_is_holiday(&r, D(2026, 12, 25), &name));
	assert_string_equal(name, "Christmas Day");
	assert_false(cal_is_holiday(&r, D(2026, 12, 28), NULL));
	assert_true(cal_is_working_day(&r, D(2026, 12, 28)));
	assert_false(cal_is_working_day(&r, D(2027, 1, 4)));

	ASSERT_YEAR(&r, 2026, { 1, 1, NULL }, { 4, 3, NULL }, { 4, 6, NULL }, { 5, 4, NULL }, { 5, 25, NULL },
	            { 8, 31, NULL }, { 12, 24, "Added by configuration" }, { 12, 25, "Christmas Day" });

	/* Sent Wed 23 Dec: Mon 28 now works, Thu 24 does not: Mon 28, Tue 29, Wed 30. */
	int64_t deadline;
	int32_t received;
	assert_true(cal_deadline(&r, L(2026, 12, 23, 9, 0), &received, &deadline));
	assert_int_equal(deadline, Z(2026, 12, 30, 17, 0));
	assert_int_equal(cal_working_days_between(&r, D(2026, 12, 23), D(2027, 1, 5)), 5);

	/* Region NONE: weekends and added days only. */
	s.region = BK_REGION_NONE;
	cal_rules_from_settings(&r, &s);
	assert_true(cal_is_working_day(&r, D(2025, 12, 25)));
	assert_true(cal_is_working_day(&r, D(2026, 1, 1)));
	assert_true(cal_is_working_day(&r, D(2026, 4, 3)));
	assert_true(cal_is_holiday(&r, D(2026, 12, 25), &name));
	assert_string_equal(name, "Added by configuration");
	assert_false(cal_is_working_day(&r, D(2026, 12, 24)));
	assert_false(cal_is_working_day(&r, D(2026, 12, 26)));
	ASSERT_YEAR(&r, 2026, { 12, 24, "Added by configuration" }, { 12, 25, "Added by configuration" });
	ASSERT_YEAR(&r, 2027, { 1, 4, "Added by configuration" });
	assert_int_equal(cal_holidays(&r, 2025, (struct cal_holiday[4]){ { 0, NULL } }, 4), 0);
}

/* ---- working days ------------------------------------------------------------ */

static void test_working_day_steps(void **state)
{
	(void)state;
	assert_int_equal(cal_next_working_day(&rules, D(2026, 11, 20)), D(2026, 11, 20));
	assert_int_equal(cal_next_working_day(&rules, D(2026, 11, 21)), D(2026, 11, 23));
	assert_int_equal(cal_working_day_after(&rules, D(2026, 11, 20)), D(2026, 11, 23));
	assert_int_equal(cal_working_day_after(&rules, D(2026, 12, 24)), D(2026, 12, 29));
	assert_int_equal(cal_next_working_day(&rules, D(2026, 4, 3)), D(2026, 4, 7));
	assert_int_equal(cal_add_working_days(&rules, D(2026, 11, 20), 0), D(2026, 11, 20));
	assert_int_equal(cal_add_working_days(&rules, D(2026, 11, 20), 3), D(2026, 11, 25));
	assert_int_equal(cal_add_working_days(&rules, D(2026, 12, 23), 3), D(2026, 12, 30));

	assert_int_equal(cal_working_days_between(&rules, D(2026, 11, 20), D(2026, 11, 20)), 0);
	assert_int_equal(cal_working_days_between(&rules, D(2026, 11, 25), D(2026, 11, 20)), 0);
	assert_int_equal(cal_working_days_between(&rules, D(2026, 11, 20), D(2026, 11, 23)), 1);
	assert_int_equal(cal_working_days_between(&rules, D(2026, 11, 24), D(2026, 11, 26)), 2);
	assert_int_equal(cal_working_days_between(&rules, D(2026, 12, 23), D(2026, 12, 30)), 3);
	/* 2026 in full: 261 weekdays less 8 bank holidays. */
	assert_int_equal(cal_working_days_between(&rules, D(2025, 12, 31), D(2026, 12, 31)), 253);
}

/* The counted-by-year answer agrees with walking the days, across years,
 * regions and settings edits. */
static void test_between_matches_walk(void **state)
{
	(void)state;
	static int32_t add[3], rem[2];
	add[0] = D(2026, 12, 24);
	add[1] = D(2027, 6, 5); /* a Saturday */
	add[2] = D(2026, 12, 24);
	rem[0] = D(2026, 12, 28);
	rem[1] = D(2027, 1, 1);
	for (int region = 0; region < 3; region++) {
		for (int edits = 0; edits < 2; edits++) {
			struct cal_rules r = rules_for((enum bk_region)region);
			if (edits) {
				r.add = add;
				r.n_add = 3;
				r.remove = rem;
				r.n_remove = 2;
			}
			int32_t start = D(2025, 11, 1);
			for (int32_t from = start; from < start + 500; from += 7) {
				int walked = 0;
				for (int32_t to = from; to < from + 800; to++) {
					if (to > from && cal_is_working_day(&r, to))
						walked++;
					if ((to - from) % 13 == 0 || to - from < 20)
						assert_int_equal(cal_working_days_between(&r, from, to), walked);
				}
			}
		}
	}
}

/* ---- receipt and deadlines ----------------------------------------------------- */

static void assert_deadline(int64_t sent, int32_t want_received, int64_t want_deadline)
{
	int32_t received = -1;
	int64_t deadline = -1;
	assert_true(cal_deadline(&rules, sent, &received, &deadline));
	char got_r[32], want_r[32], got_d[32], want_d[32];
	cal_format_date(received, got_r, sizeof got_r);
	cal_format_date(want_received, want_r, sizeof want_r);
	cal_format_utc(deadline, got_d, sizeof got_d);
	cal_format_utc(want_deadline, want_d, sizeof want_d);
	assert_string_equal(got_r, want_r);
	assert_string_equal(got_d, want_d);
	assert_int_equal(cal_received_on(&rules, sent), want_received);
}

static void test_worked_examples(void **state)
{
	(void)state;
	/* Fri 20 Nov 10:00 -> Wed 25 Nov 17:00 (GMT: local = UTC). */
	assert_deadline(L(2026, 11, 20, 10, 0), D(2026, 11, 20), Z(2026, 11, 25, 17, 0));
	/* After the cut-off: received Mon 23 -> Thu 26. */
	assert_deadline(L(2026, 11, 20, 16, 30), D(2026, 11, 23), Z(2026, 11, 26, 17, 0));
	/* Exactly at the cut-off counts as after it. */
	assert_deadline(L(2026, 11, 20, 16, 0), D(2026, 11, 23), Z(2026, 11, 26, 17, 0));
	/* A minute before it does not. */
	assert_deadline(L(2026, 11, 20, 15, 59), D(2026, 11, 20), Z(2026, 11, 25, 17, 0));
	/* Saturday and Sunday: received Monday. */
	assert_deadline(L(2026, 11, 21, 11, 0), D(2026, 11, 23), Z(2026, 11, 26, 17, 0));
	assert_deadline(L(2026, 11, 22, 9, 0), D(2026, 11, 23), Z(2026, 11, 26, 17, 0));
	/* Sent just after midnight Monday: that day. */
	assert_deadline(L(2026, 11, 23, 0, 0), D(2026, 11, 23), Z(2026, 11, 26, 17, 0));
	/* Christmas: Thu 24, Tue 29, Wed 30. */
	assert_deadline(L(2026, 12, 23, 9, 0), D(2026, 12, 23), Z(2026, 12, 30, 17, 0));
	/* Sent on Christmas Day: received Tue 29 -> Fri 1 Jan is a holiday -> Mon 4 Jan. */
	assert_deadline(L(2026, 12, 25, 10, 0), D(2026, 12, 29), Z(2027, 1, 4, 17, 0));
	/* Sent on the substitute Boxing Day: received Tue 29 too. */
	assert_deadline(L(2026, 12, 28, 10, 0), D(2026, 12, 29), Z(2027, 1, 4, 17, 0));
}

static void test_easter_deadline(void **state)
{
	(void)state;
	/* Thu 2 Apr 2026 (BST): received that day; Fri 3 and Mon 6 are holidays:
	 * Tue 7, Wed 8, Thu 9 -> Thu 9 Apr 17:00 BST = 16:00Z. */
	assert_deadline(L(2026, 4, 2, 10, 0), D(2026, 4, 2), Z(2026, 4, 9, 16, 0));
	/* Sent on Good Friday: received Tue 7 -> Fri 10. */
	assert_deadline(L(2026, 4, 3, 10, 0), D(2026, 4, 7), Z(2026, 4, 10, 16, 0));
	/* Sent Thursday after the cut-off: received Tue 7 too. */
	assert_deadline(L(2026, 4, 2, 16, 0), D(2026, 4, 7), Z(2026, 4, 10, 16, 0));
}

static void test_deadline_across_clock_changes(void **state)
{
	(void)state;
	/* Fri 27 Mar 10:00 GMT -> Wed 1 Apr 17:00 BST = 16:00Z. */
	assert_int_equal(L(2026, 3, 27, 10, 0), Z(2026, 3, 27, 10, 0));
	assert_deadline(Z(2026, 3, 27, 10, 0), D(2026, 3, 27), Z(2026, 4, 1, 16, 0));
	/* Fri 23 Oct 10:00 BST (09:00Z) -> Wed 28 Oct 17:00 GMT = 17:00Z. */
	assert_int_equal(L(2026, 10, 23, 10, 0), Z(2026, 10, 23, 9, 0));
	assert_deadline(Z(2026, 10, 23, 9, 0), D(2026, 10, 23), Z(2026, 10, 28, 17, 0));
	/* 15:30Z on 23 Oct is 16:30 BST: after the cut-off, received Mon 26. */
	assert_deadline(Z(2026, 10, 23, 15, 30), D(2026, 10, 26), Z(2026, 10, 29, 17, 0));
	/* 15:30Z on 27 Mar is 15:30 GMT: before the cut-off. */
	assert_deadline(Z(2026, 3, 27, 15, 30), D(2026, 3, 27), Z(2026, 4, 1, 16, 0));

	assert_int_equal(cal_close_of(&rules, D(2026, 7, 1)), Z(2026, 7, 1, 16, 0));
	assert_int_equal(cal_close_of(&rules, D(2026, 12, 1)), Z(2026, 12, 1, 17, 0));
}

static void test_info_pause(void **state)
{
	(void)state;
	int64_t sent = L(2026, 11, 23, 10, 0);
	int64_t deadline;
	assert_true(cal_deadline(&rules, sent, NULL, &deadline));
	assert_int_equal(deadline, Z(2026, 11, 26, 17, 0));
	/* Requested Tue 24, supplied Thu 26 09:00: Wed 25 and Thu 26 -> Mon 30. */
	int64_t moved = cal_extend_for_info(&rules, deadline, L(2026, 11, 24, 11, 0), L(2026, 11, 26, 9, 0));
	assert_int_equal(moved, Z(2026, 11, 30, 17, 0));
	/* Supplied the same day it was asked for: no change. */
	assert_int_equal(cal_extend_for_info(&rules, deadline, L(2026, 11, 24, 11, 0), L(2026, 11, 24, 15, 0)),
	                 deadline);
	/* A pause over a weekend counts only the working days: asked Fri 20, supplied Mon 23. */
	assert_int_equal(cal_extend_for_info(&rules, deadline, L(2026, 11, 20, 11, 0), L(2026, 11, 23, 9, 0)),
	                 Z(2026, 11, 27, 17, 0));
	/* Moved across Christmas: deadline Thu 24 Dec, paused 1 day -> Tue 29. */
	assert_int_equal(cal_extend_for_info(&rules, Z(2026, 12, 24, 17, 0), L(2026, 12, 21, 9, 0),
	                                     L(2026, 12, 22, 9, 0)),
	                 Z(2026, 12, 29, 17, 0));
	/* Across the October clock change: deadline Fri 23 Oct 17:00 BST, 1 day -> Mon 26 17:00 GMT. */
	assert_int_equal(cal_extend_for_info(&rules, Z(2026, 10, 23, 16, 0), L(2026, 10, 20, 9, 0),
	                                     L(2026, 10, 21, 9, 0)),
	                 Z(2026, 10, 26, 17, 0));
}

static void test_waited(void **state)
{
	(void)state;
	int cal = -1, work = -1;
	cal_waited(&rules, L(2026, 11, 20, 10, 0), L(2026, 11, 30, 9, 0), &cal, &work);
	assert_int_equal(cal, 10);
	assert_int_equal(work, 6); /* 23..27, 30 */
	/* Local days, not UTC: 23:30Z on 30 Jun is 1 Jul in London. */
	cal_waited(&rules, Z(2026, 6, 30, 22, 0), Z(2026, 6, 30, 23, 30), &cal, &work);
	assert_int_equal(cal, 1);
	assert_int_equal(work, 1);
	cal_waited(&rules, L(2026, 12, 23, 9, 0), L(2027, 1, 5, 9, 0), &cal, &work);
	assert_int_equal(cal, 13);
	assert_int_equal(work, 6); /* 24, 29, 30, 31 Dec, 4 and 5 Jan */
	cal_waited(&rules, L(2026, 11, 20, 10, 0), L(2026, 11, 20, 12, 0), &cal, &work);
	assert_int_equal(cal, 0);
	assert_int_equal(work, 0);

	assert_int_equal(cal_seconds_left(Z(2026, 11, 25, 17, 0), Z(2026, 11, 25, 16, 0)), 3600);
	assert_true(cal_seconds_left(Z(2026, 11, 25, 17, 0), Z(2026, 11, 26, 9, 0)) < 0);
}

/* ---- parsing --------------------------------------------------------------------- */

static void assert_time(const char *text, int64_t want)
{
	int64_t utc = -1;
	char err[256] = "";
	if (!cal_parse_time(text, &utc, err, sizeof err))
		fail_msg("\"%s\" refused: %s", text, err);
	assert_int_equal(utc, want);
}

static void assert_time_refused(const char *text, const char *needle)
{
	int64_t utc = 777;
	char err[256] = "";
	assert_false(cal_parse_time(text, &utc, err, sizeof err));
	assert_int_equal(utc, 777);
	if (strstr(err, needle) == NULL)
		fail_msg("\"%s\": message \"%s\" lacks \"%s\"", text, err, needle);
}

static void test_parse_time(void **state)
{
	(void)state;
	assert_time("2026-11-20T10:00", Z(2026, 11, 20, 10, 0));
	assert_time("2026-11-20 10:00", Z(2026, 11, 20, 10, 0));
	assert_time("2026-11-20T10:00:30", Z(2026, 11, 20, 10, 0) + 30);
	assert_time("  2026-11-20T10:00  ", Z(2026, 11, 20, 10, 0));
	assert_time("2026-07-01T10:00", Z(2026, 7, 1, 9, 0)); /* BST */
	assert_time("2026-07-01T10:00Z", Z(2026, 7, 1, 10, 0));
	assert_time("2026-07-01T10:00:05Z", Z(2026, 7, 1, 10, 0) + 5);
	assert_time("2026-07-01T10:00+01:00", Z(2026, 7, 1, 9, 0));
	assert_time("2026-07-01T10:00-05:30", Z(2026, 7, 1, 15, 30));
	assert_time("2026-11-20", Z(2026, 11, 20, 0, 0));
	assert_time("2026-07-01", Z(2026, 6, 30, 23, 0));        /* local midnight in BST */
	assert_time("2026-10-25T01:30", Z(2026, 10, 25, 0, 30)); /* ambiguous: the first */
	assert_time("2026-03-29T02:00", Z(2026, 3, 29, 1, 0));
	assert_time("2024-02-29T12:00", Z(2024, 2, 29, 12, 0));

	int64_t utc;
	char err[256];
	assert_false(cal_parse_time("2026-03-29T01:30", &utc, err, sizeof err));
	assert_string_equal(err, "2026-03-29T01:30 does not exist in Europe/London: the clocks go forward");
	assert_time_refused("2026-03-29T01:00", "does not exist");
	assert_time_refused("2026-13-01T10:00", "month 13");
	assert_time_refused("2026-02-30T10:00", "February 2026 has 28 days");
	assert_time_refused("2026-02-30", "February 2026 has 28 days");
	assert_time_refused("2026-04-31", "April 2026 has 30 days");
	assert_time_refused("2026-11-20T24:00", "hour 24");
	assert_time_refused("2026-11-20T10:60", "minute 60");
	assert_time_refused("2026-11-20T10:00:61", "second 61");
	assert_time_refused("2026-11-20T10", "is not a time");
	assert_time_refused("2026-11-20T1000", "is not a time");
	assert_time_refused("2026-11-20T10:00+25:00", "offset");
	assert_time_refused("2026-11-20T10:00+0100", "offset");
	assert_time_refused("2026-11-20T10:00 GMT", "is not a time");
	assert_time_refused("2026-11-20T10:00Zjunk", "unexpected");
	assert_time_refused("20-11-2026", "is not a time");
	assert_time_refused("2026/11/20", "is not a time");
	assert_time_refused("tomorrow", "is not a time");
	assert_time_refused("", "no time given");
	assert_time_refused("   ", "no time given");
	assert_time_refused("2026-1-5", "is not a time");
	/* A NULL err is allowed. */
	assert_false(cal_parse_time("nonsense", &utc, NULL, 0));
	assert_false(cal_parse_time("nonsense", &utc, err, 0));
}

static void test_parse_date(void **state)
{
	(void)state;
	int32_t day = -1;
	char err[256] = "";
	assert_true(cal_parse_date("2026-11-20", &day, err, sizeof err));
	assert_int_equal(day, D(2026, 11, 20));
	assert_true(cal_parse_date(" 2024-02-29 ", &day, err, sizeof err));
	assert_int_equal(day, D(2024, 2, 29));
	assert_true(cal_parse_date("1969-12-31", &day, err, sizeof err));
	assert_int_equal(day, -1);

	const struct {
		const char *text, *needle;
	} bad[] = {
		{ "2026-11-20T10:00", "YYYY-MM-DD" },
		{ "2026-13-01", "month 13" },
		{ "2026-00-10", "month 0" },
		{ "2026-02-29", "February 2026 has 28 days" },
		{ "2026-06-31", "June 2026 has 30 days" },
		{ "2026-06-00", "June 2026 has 30 days" },
		{ "0000-01-01", "year 0" },
		{ "2026-6-1", "YYYY-MM-DD" },
		{ "26-06-01", "YYYY-MM-DD" },
		{ "2026-06-01x", "YYYY-MM-DD" },
		{ "", "no date given" },
		{ "next week", "YYYY-MM-DD" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		day = 12345;
		err[0] = '\0';
		assert_false(cal_parse_date(bad[i].text, &day, err, sizeof err));
		assert_int_equal(day, 12345);
		if (strstr(err, bad[i].needle) == NULL)
			fail_msg("\"%s\": message \"%s\" lacks \"%s\"", bad[i].text, err, bad[i].needle);
	}
}

/* ---- formatting -------------------------------------------------------------------- */

static void test_formatting(void **state)
{
	(void)state;
	char buf[64];
	cal_format_utc(Z(2026, 11, 25, 17, 0), buf, sizeof buf);
	assert_string_equal(buf, "2026-11-25T17:00:00Z");
	cal_format_utc(-1, buf, sizeof buf);
	assert_string_equal(buf, "1969-12-31T23:59:59Z");
	cal_format_utc(Z(2026, 7, 1, 9, 5) + 7, buf, sizeof buf);
	assert_string_equal(buf, "2026-07-01T09:05:07Z");

	cal_format_date(D(2026, 11, 25), buf, sizeof buf);
	assert_string_equal(buf, "2026-11-25");
	cal_format_date(D(1900, 1, 1), buf, sizeof buf);
	assert_string_equal(buf, "1900-01-01");

	cal_format_local(Z(2026, 11, 25, 17, 0), buf, sizeof buf);
	assert_string_equal(buf, "Wed 25 Nov 2026 17:00");
	cal_format_local(Z(2026, 4, 1, 16, 0), buf, sizeof buf);
	assert_string_equal(buf, "Wed 1 Apr 2026 17:00");
	cal_format_local(Z(2026, 6, 30, 23, 5), buf, sizeof buf);
	assert_string_equal(buf, "Wed 1 Jul 2026 00:05");

	cal_format_day(D(2026, 11, 25), buf, sizeof buf);
	assert_string_equal(buf, "Wed 25 Nov 2026");
	cal_format_day(D(2026, 11, 22), buf, sizeof buf);
	assert_string_equal(buf, "Sun 22 Nov 2026");

	/* The dates and times a table prints by the thousand are written without
	 * printf: the same text as printf's, at every day and minute and edge. */
	static const char *const wd[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
	static const char *const mo[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
		                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	char want[64];
	for (int32_t day = D(-30, 1, 1); day < D(10050, 1, 1); day += 13) {
		struct cal_date cd = cal_civil_from_days(day);
		cal_format_date(day, buf, sizeof buf);
		snprintf(want, sizeof want, "%04d-%02d-%02d", cd.year, cd.month, cd.day);
		assert_string_equal(buf, want);
	}
	for (int64_t t = Z(999, 12, 31, 0, 0); t < Z(10000, 1, 2, 0, 0); t += 86400 * 17 + 3547) {
		int32_t day;
		int minute;
		cal_local(t, &day, &minute);
		struct cal_date cd = cal_civil_from_days(day);
		cal_format_local(t, buf, sizeof buf);
		snprintf(want, sizeof want, "%s %d %s %d %02d:%02d", wd[cal_weekday(day)], cd.day, mo[cd.month - 1],
		         cd.year, minute / 60, minute % 60);
		assert_string_equal(buf, want);
	}

	/* Truncation is safe. */
	char small[8];
	cal_format_local(Z(2026, 11, 25, 17, 0), small, sizeof small);
	assert_string_equal(small, "Wed 25 ");

	/* Parse and format agree. */
	int64_t utc;
	assert_true(cal_parse_time("2026-10-25T01:30", &utc, NULL, 0));
	cal_format_local(utc, buf, sizeof buf);
	assert_string_equal(buf, "Sun 25 Oct 2026 01:30");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_civil_dates),
		cmocka_unit_test(test_weekday),
		cmocka_unit_test(test_easter),
		cmocka_unit_test(test_zone_names),
		cmocka_unit_test(test_local_and_utc),
		cmocka_unit_test(test_clock_changes),
		cmocka_unit_test(test_england_2026),
		cmocka_unit_test(test_scotland_2026),
		cmocka_unit_test(test_easter_2027_and_christmas),
		cmocka_unit_test(test_new_year_substitutes),
		cmocka_unit_test(test_one_off_years),
		cmocka_unit_test(test_every_year),
		cmocka_unit_test(test_settings_edits),
		cmocka_unit_test(test_working_day_steps),
		cmocka_unit_test(test_between_matches_walk),
		cmocka_unit_test(test_worked_examples),
		cmocka_unit_test(test_easter_deadline),
		cmocka_unit_test(test_deadline_across_clock_changes),
		cmocka_unit_test(test_info_pause),
		cmocka_unit_test(test_waited),
		cmocka_unit_test(test_parse_time),
		cmocka_unit_test(test_parse_date),
		cmocka_unit_test(test_formatting),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
