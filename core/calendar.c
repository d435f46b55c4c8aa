/* The contract clock. Day arithmetic is Howard Hinnant's civil-date
 * algorithms; the bank holidays are generated from their rules, so the
 * calendar never runs out. The zone is the only thing that comes from the
 * system: the C library's reading of /usr/share/zoneinfo. */
#include "core/calendar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/text.h"

#define SECONDS_PER_DAY 86400
#define MAX_BUILTIN 16 /* a region's own bank holidays in one year */

static const char *const weekday_abbr[7] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
static const char *const month_abbr[12] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};
static const char *const month_name[12] = {
	"January", "February", "March",     "April",   "May",      "June",
	"July",    "August",   "September", "October", "November", "December",
};

static const char added_name[] = "Added by configuration";

/* ---- civil dates ---------------------------------------------------------- */

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	if (a % b != 0 && ((a < 0) != (b < 0)))
		q--;
	return q;
}

int32_t cal_days_from_civil(int year, int month, int day)
{
	int64_t y = (int64_t)year - (month <= 2);
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (int32_t)(era * 146097 + doe - 719468);
}

struct cal_date cal_civil_from_days(int32_t days)
{
	int64_t z = (int64_t)days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	struct cal_date d;
	d.day = (int)(doy - (153 * mp + 2) / 5 + 1);
	d.month = (int)(mp < 10 ? mp + 3 : mp - 9);
	d.year = (int)(yoe + era * 400 + (d.month <= 2));
	return d;
}

static bool is_leap(int year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int days_in_month(int year, int month)
{
	static const int len[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (month == 2 && is_leap(year))
		return 29;
	return len[month - 1];
}

bool cal_date_valid(int year, int month, int day)
{
	if (month < 1 || month > 12 || day < 1)
		return false;
	return day <= days_in_month(year, month);
}

int cal_weekday(int32_t days)
{
	/* 1970-01-01 was a Thursday (3). */
	int w = (int)(((int64_t)days + 3) % 7);
	return w < 0 ? w + 7 : w;
}

/* ---- the zone ------------------------------------------------------------- */

static char zone_in_use[256];

/* The answers worked out so far, for the zone in use: an import or a
 * report asks the same few days and times thousands of times, and each
 * answer costs a score of conversions by the C library. */
#define LOCAL_MEMO 4096
static struct local_memo {
	bool set;
	int32_t day;
	int minute;
	enum cal_local_result res;
	int64_t utc, after_gap;
} local_memo[LOCAL_MEMO];

static bool zone_name_safe(const char *zone)
{
	size_t n = strlen(zone);
	if (n == 0 || n >= sizeof zone_in_use || zone[0] == '/' || strstr(zone, "..") != NULL)
		return false;
	for (const char *p = zone; *p; p++) {
		char c = *p;
		bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/' ||
		          c == '_' || c == '+' || c == '-';
		if (!ok)
			return false;
	}
	return true;
}

bool cal_zone_valid(const char *zone)
{
	if (zone == NULL || !zone_name_safe(zone))
		return false;
	char path[sizeof zone_in_use + 32];
	snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", zone);
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return false;
	char magic[4];
	size_t got = fread(magic, 1, sizeof magic, f);
	fclose(f);
	return got == sizeof magic && memcmp(magic, "TZif", 4) == 0;
}

static unsigned zone_generation;

unsigned cal_zone_generation(void)
{
	return zone_generation;
}

bool cal_zone_use(const char *zone)
{
	if (!cal_zone_valid(zone))
		return false;
	if (setenv("TZ", zone, 1) != 0)
		return false;
	tzset();
	memset(local_memo, 0, sizeof local_memo); /* worked out in another zone */
	zone_generation++;
	snprintf(zone_in_use, sizeof zone_in_use, "%s", zone);
	return true;
}

/* The zone's name for messages. */
static const char *zone_label(void)
{
	if (zone_in_use[0] != '\0')
		return zone_in_use;
	const char *tz = getenv("TZ");
	if (tz != NULL && tz[0] != '\0')
		return tz[0] == ':' ? tz + 1 : tz;
	return "the local time zone";
}

/* Local wall clock of an instant: day, second of day and UTC offset. */
static void local_parts(int64_t utc, int32_t *day, int *second, long *gmtoff)
{
	time_t t = (time_t)utc;
	struct tm tm;
	if (localtime_r(&t, &tm) != NULL) {
		*day = cal_days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
		*second = tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
		*gmtoff = tm.tm_gmtoff;
		return;
	}
	/* Out of the C library's range: reckon in UTC rather than fail. */
	*day = (int32_t)floor_div(utc, SECONDS_PER_DAY);
	*second = (int)(utc - (int64_t)*day * SECONDS_PER_DAY);
	*gmtoff = 0;
}

void cal_local(int64_t utc, int32_t *day, int *minute)
{
	int32_t d;
	int sec;
	long off;
	local_parts(utc, &d, &sec, &off);
	if (day)
		*day = d;
	if (minute)
		*minute = sec / 60;
}

static bool round_trips(int64_t cand, int32_t day, int minute)
{
	int32_t d;
	int sec;
	long off;
	local_parts(cand, &d, &sec, &off);
	return d == day && sec == minute * 60;
}

static void add_candidate(int64_t *cands, int *n, int64_t c)
{
	for (int i = 0; i < *n; i++)
		if (cands[i] == c)
			return;
	cands[(*n)++] = c;
}

/* Local time -> UTC. Candidates come from the offsets in force a day either
 * side and from mktime() told standard and summer time; each is kept only if
 * it reads back as the same local time. None: the clocks skipped it. Two:
 * the clocks went back over it, and the earlier is the first occurrence.
 * *after_gap (may be NULL) gets, for a missing time, the instant the clocks
 * read it "late", i.e. with the offset from before the jump. */
static enum cal_local_result local_to_utc_worked(int32_t day, int minute, int64_t *utc, int64_t *after_gap)
{
	int64_t naive = (int64_t)day * SECONDS_PER_DAY + (int64_t)minute * 60;
	int64_t cands[8];
	int n = 0;
	long before_off = 0;

	for (int k = -1; k <= 1; k++) {
		int32_t d;
		int sec;
		long off;
		local_parts(naive + (int64_t)k * SECONDS_PER_DAY, &d, &sec, &off);
		if (k == -1)
			before_off = off;
		add_candidate(cands, &n, naive - off);
	}
	struct cal_date cd = cal_civil_from_days(day);
	for (int isdst = 0; isdst <= 1; isdst++) {
		struct tm tm = { 0 };
		tm.tm_year = cd.year - 1900;
		tm.tm_mon = cd.month - 1;
		tm.tm_mday = cd.day;
		tm.tm_hour = minute / 60;
		tm.tm_min = minute % 60;
		tm.tm_isdst = isdst;
		time_t t = mktime(&tm);
		if (t != (time_t)-1)
			add_candidate(cands, &n, (int64_t)t);
	}

	int64_t best = 0;
	int valid = 0;
	for (int i = 0; i < n; i++) {
		if (!round_trips(cands[i], day, minute))
			continue;
		if (valid == 0 || cands[i] < best)
			best = cands[i];
		valid++;
	}
	if (valid == 0) {
		if (after_gap)
			*after_gap = naive - before_off;
		return CAL_LOCAL_MISSING;
	}
	if (utc)
		*utc = best;
	if (after_gap)
		*after_gap = best;
	return valid > 1 ? CAL_LOCAL_AMBIGUOUS : CAL_LOCAL_OK;
}


static enum cal_local_result local_to_utc(int32_t day, int minute, int64_t *utc, int64_t *after_gap)
{
	struct local_memo *m = &local_memo[((uint32_t)day * 31u + (uint32_t)minute) % LOCAL_MEMO];
	if (!m->set || m->day != day || m->minute != minute) {
		int64_t u = 0, g = 0;
		enum cal_local_result res = local_to_utc_worked(day, minute, &u, &g);
		*m = (struct local_memo){ true, day, minute, res, u, g };
	}
	if (utc && m->res != CAL_LOCAL_MISSING)
		*utc = m->utc;
	if (after_gap)
		*after_gap = m->after_gap;
	return m->res;
}

enum cal_local_result cal_utc(int32_t day, int minute, int64_t *utc)
{
	return local_to_utc(day, minute, utc, NULL);
}

int64_t cal_utc_at(int32_t day, int minute)
{
	int64_t t;
	if (cal_utc(day, minute, &t) == CAL_LOCAL_MISSING && cal_utc(day, minute + 60, &t) == CAL_LOCAL_MISSING)
		t = (int64_t)day * SECONDS_PER_DAY + minute * 60;
	return t;
}

/* ---- bank holidays --------------------------------------------------------- */

int32_t cal_easter(int year)
{
	/* The anonymous Gregorian algorithm (Meeus/Jones/Butcher). */
	int a = year % 19, b = year / 100, c = year % 100;
	int d = b / 4, e = b % 4;
	int f = (b + 8) / 25, g = (b - f + 1) / 3;
	int h = (19 * a + b - d - g + 15) % 30;
	int i = c / 4, k = c % 4;
	int l = (32 + 2 * e + 2 * i - h - k) % 7;
	int m = (a + 11 * h + 22 * l) / 451;
	int month = (h + l - 7 * m + 114) / 31;
	int day = (h + l - 7 * m + 114) % 31 + 1;
	return cal_days_from_civil(year, month, day);
}

static int32_t first_monday(int year, int month)
{
	int32_t d = cal_days_from_civil(year, month, 1);
	return d + (7 - cal_weekday(d)) % 7;
}

static int32_t last_monday(int year, int month)
{
	int32_t d = cal_days_from_civil(year, month, days_in_month(year, month));
	return d - cal_weekday(d);
}

static bool is_weekend(int32_t day)
{
	return cal_weekday(day) >= 5;
}

struct year_list {
	int n;
	struct cal_holiday h[MAX_BUILTIN];
};

static bool list_has(const struct year_list *l, int32_t day)
{
	for (int i = 0; i < l->n; i++)
		if (l->h[i].day == day)
			return true;
	return false;
}

static void list_add(struct year_list *l, int32_t day, const char *name)
{
	if (l->n < MAX_BUILTIN && !list_has(l, day))
		l->h[l->n++] = (struct cal_holiday){ day, name };
}

static void list_replace(struct year_list *l, int32_t old_day, int32_t new_day, const char *name)
{
	for (int i = 0; i < l->n; i++) {
		if (l->h[i].day == old_day) {
			l->h[i] = (struct cal_holiday){ new_day, name };
			return;
		}
	}
	list_add(l, new_day, name);
}

/* Fixed-date holidays that move to the next free weekday when they fall at
 * a weekend: the weekday ones are taken first, then each weekend one in date
 * order takes the first weekday after it that is not already a holiday. */
struct fixed_day {
	int32_t day;
	const char *name;
	const char *substitute;
};

static void add_with_substitutes(struct year_list *l, const struct fixed_day *days, int count)
{
	for (int i = 0; i < count; i++)
		if (!is_weekend(days[i].day))
			list_add(l, days[i].day, days[i].name);
	for (int i = 0; i < count; i++) {
		if (!is_weekend(days[i].day))
			continue;
		int32_t d = days[i].day + 1;
		while (is_weekend(d) || list_has(l, d))
			d++;
		list_add(l, d, days[i].substitute);
	}
}

/* One-off changes announced by proclamation, UK-wide. */
enum one_off_kind {
	ONE_OFF_MOVE_EARLY_MAY,
	ONE_OFF_MOVE_SPRING,
	ONE_OFF_EXTRA,
};

static const struct one_off {
	int year, month, day;
	enum one_off_kind kind;
	const char *name;
} one_offs[] = {
	{ 1995, 5, 8, ONE_OFF_MOVE_EARLY_MAY, "Early May bank holiday (VE Day)" },
	{ 1999, 12, 31, ONE_OFF_EXTRA, "Millennium celebrations" },
	{ 2002, 6, 4, ONE_OFF_MOVE_SPRING, "Spring bank holiday" },
	{ 2002, 6, 3, ONE_OFF_EXTRA, "Queen's Golden Jubilee" },
	{ 2011, 4, 29, ONE_OFF_EXTRA, "Wedding of Prince William and Catherine Middleton" },
	{ 2012, 6, 4, ONE_OFF_MOVE_SPRING, "Spring bank holiday" },
	{ 2012, 6, 5, ONE_OFF_EXTRA, "Queen's Diamond Jubilee" },
	{ 2020, 5, 8, ONE_OFF_MOVE_EARLY_MAY, "Early May bank holiday (VE Day)" },
	{ 2022, 6, 2, ONE_OFF_MOVE_SPRING, "Spring bank holiday" },
	{ 2022, 6, 3, ONE_OFF_EXTRA, "Platinum Jubilee bank holiday" },
	{ 2022, 9, 19, ONE_OFF_EXTRA, "Bank holiday for the State Funeral of Queen Elizabeth II" },
	{ 2023, 5, 8, ONE_OFF_EXTRA, "Bank holiday for the coronation of King Charles III" },
};

static int compare_holidays(const void *a, const void *b)
{
	const struct cal_holiday *x = a, *y = b;
	return (x->day > y->day) - (x->day < y->day);
}

/* The region's own bank holidays in a year, before the settings' edits. */
static void build_region_year(enum bk_region region, int year, struct year_list *l)
{
	l->n = 0;
	if (region != BK_REGION_ENGLAND_WALES && region != BK_REGION_SCOTLAND)
		return;
	bool scotland = region == BK_REGION_SCOTLAND;

	if (scotland) {
		const struct fixed_day new_year[] = {
			{ cal_days_from_civil(year, 1, 1), "New Year's Day", "New Year's Day (substitute day)" },
			{ cal_days_from_civil(year, 1, 2), "2nd January", "2nd January (substitute day)" },
		};
		add_with_substitutes(l, new_year, 2);
	} else {
		const struct fixed_day new_year[] = {
			{ cal_days_from_civil(year, 1, 1), "New Year's Day", "New Year's Day (substitute day)" },
		};
		add_with_substitutes(l, new_year, 1);
	}

	int32_t easter = cal_easter(year);
	list_add(l, easter - 2, "Good Friday");
	if (!scotland)
		list_add(l, easter + 1, "Easter Monday");

	int32_t early_may = first_monday(year, 5);
	int32_t spring = last_monday(year, 5);
	list_add(l, early_may, "Early May bank holiday");
	list_add(l, spring, "Spring bank holiday");
	if (scotland)
		list_add(l, first_monday(year, 8), "Summer bank holiday");
	else
		list_add(l, last_monday(year, 8), "Summer bank holiday");

	if (scotland) {
		const struct fixed_day st_andrew[] = {
			{ cal_days_from_civil(year, 11, 30), "St Andrew's Day", "St Andrew's Day (substitute day)" },
		};
		add_with_substitutes(l, st_andrew, 1);
	}

	const struct fixed_day christmas[] = {
		{ cal_days_from_civil(year, 12, 25), "Christmas Day", "Christmas Day (substitute day)" },
		{ cal_days_from_civil(year, 12, 26), "Boxing Day", "Boxing Day (substitute day)" },
	};
	add_with_substitutes(l, christmas, 2);

	for (size_t i = 0; i < sizeof one_offs / sizeof one_offs[0]; i++) {
		const struct one_off *o = &one_offs[i];
		if (o->year != year)
			continue;
		int32_t d = cal_days_from_civil(o->year, o->month, o->day);
		switch (o->kind) {
		case ONE_OFF_MOVE_EARLY_MAY:
			list_replace(l, early_may, d, o->name);
			break;
		case ONE_OFF_MOVE_SPRING:
			list_replace(l, spring, d, o->name);
			break;
		case ONE_OFF_EXTRA:
			list_add(l, d, o->name);
			break;
		}
	}
	qsort(l->h, (size_t)l->n, sizeof l->h[0], compare_holidays);
}

/* The generated lists depend only on (region, year): a small direct-mapped
 * cache keeps the loops over thousands of rows cheap. */
#define CACHE_SLOTS 32
static _Thread_local struct cache_slot {
	bool used;
	enum bk_region region;
	int year;
	struct year_list list;
} year_cache[CACHE_SLOTS];

static const struct year_list *region_year(enum bk_region region, int year)
{
	struct cache_slot *s = &year_cache[(unsigned)year % CACHE_SLOTS];
	if (!s->used || s->region != region || s->year != year) {
		build_region_year(region, year, &s->list);
		s->region = region;
		s->year = year;
		s->used = true;
	}
	return &s->list;
}

static bool in_days(const int32_t *days, int n, int32_t day)
{
	for (int i = 0; i < n; i++)
		if (days[i] == day)
			return true;
	return false;
}

/* A region holiday the settings did not remove: its name, else NULL. */
static const char *region_holiday(const struct cal_rules *r, int32_t day)
{
	const struct year_list *l = region_year(r->region, cal_civil_from_days(day).year);
	for (int i = 0; i < l->n; i++)
		if (l->h[i].day == day)
			return in_days(r->remove, r->n_remove, day) ? NULL : l->h[i].name;
	return NULL;
}

/* The settings' removals apply to the region's days; an added day is a
 * holiday whatever the removals say. */
bool cal_is_holiday(const struct cal_rules *r, int32_t day, const char **name)
{
	const char *n = region_holiday(r, day);
	if (n == NULL && in_days(r->add, r->n_add, day))
		n = added_name;
	if (n != NULL && name != NULL)
		*name = n;
	return n != NULL;
}

bool cal_is_working_day(const struct cal_rules *r, int32_t day)
{
	return !is_weekend(day) && !cal_is_holiday(r, day, NULL);
}

int cal_holidays(const struct cal_rules *r, int year, struct cal_holiday *out, int max)
{
	if (max <= 0)
		return 0;
	const struct year_list *l = region_year(r->region, year);
	int32_t first = cal_days_from_civil(year, 1, 1);
	int32_t next = cal_days_from_civil(year + 1, 1, 1);
	int n = 0;
	for (int i = 0; i < l->n && n < max; i++)
		if (!in_days(r->remove, r->n_remove, l->h[i].day))
			out[n++] = l->h[i];
	for (int i = 0; i < r->n_add && n < max; i++) {
		int32_t d = r->add[i];
		if (d < first || d >= next)
			continue;
		bool seen = false;
		for (int j = 0; j < n && !seen; j++)
			seen = out[j].day == d;
		if (!seen)
			out[n++] = (struct cal_holiday){ d, added_name };
	}
	qsort(out, (size_t)n, sizeof out[0], compare_holidays);
	return n;
}

void cal_rules_from_settings(struct cal_rules *r, const struct bk_settings *s)
{
	r->region = s->region;
	r->add = s->holidays_add;
	r->n_add = s->n_holidays_add;
	r->remove = s->holidays_remove;
	r->n_remove = s->n_holidays_remove;
	r->response_days = s->response_days;
	r->cutoff_minute = s->cutoff_minute;
	r->close_minute = s->close_minute;
}

/* ---- working days ---------------------------------------------------------- */

int32_t cal_next_working_day(const struct cal_rules *r, int32_t day)
{
	while (!cal_is_working_day(r, day))
		day++;
	return day;
}

int32_t cal_working_day_after(const struct cal_rules *r, int32_t day)
{
	return cal_next_working_day(r, day + 1);
}

int32_t cal_add_working_days(const struct cal_rules *r, int32_t day, int n)
{
	for (int i = 0; i < n; i++)
		day = cal_working_day_after(r, day);
	return day;
}

/* Weekdays in [1970-01-05 (a Monday), day), negative before it. */
static int64_t weekdays_before(int32_t day)
{
	int64_t x = (int64_t)day - 4;
	int64_t weeks = floor_div(x, 7);
	int64_t rest = x - weeks * 7;
	return weeks * 5 + (rest < 5 ? rest : 5);
}

/* Counted as weekdays less the holidays that fall on them, so that a wait of
 * years costs a few dozen look-ups rather than a walk over every day. */
int cal_working_days_between(const struct cal_rules *r, int32_t from, int32_t to)
{
	if (to <= from)
		return 0;
	int64_t count = weekdays_before(to + 1) - weekdays_before(from + 1);
	int first_year = cal_civil_from_days(from + 1).year;
	int last_year = cal_civil_from_days(to).year;
	for (int y = first_year; y <= last_year; y++) {
		const struct year_list *l = region_year(r->region, y);
		for (int i = 0; i < l->n; i++) {
			int32_t d = l->h[i].day;
			if (d > from && d <= to && !is_weekend(d) && !in_days(r->remove, r->n_remove, d))
				count--;
		}
	}
	for (int i = 0; i < r->n_add; i++) {
		int32_t d = r->add[i];
		if (d <= from || d > to || is_weekend(d) || region_holiday(r, d) != NULL)
			continue;
		if (!in_days(r->add, i, d)) /* counted once however often it is listed */
			count--;
	}
	return (int)count;
}

/* ---- receipt and deadlines -------------------------------------------------- */

int32_t cal_received_on(const struct cal_rules *r, int64_t sent)
{
	int32_t day;
	int minute;
	cal_local(sent, &day, &minute);
	if (cal_is_working_day(r, day) && minute < r->cutoff_minute)
		return day;
	return cal_working_day_after(r, day);
}

int64_t cal_close_of(const struct cal_rules *r, int32_t day)
{
	int64_t utc = 0, after_gap = 0;
	if (local_to_utc(day, r->close_minute, &utc, &after_gap) == CAL_LOCAL_MISSING)
		return after_gap;
	return utc;
}

bool cal_deadline(const struct cal_rules *r, int64_t sent, int32_t *received_on, int64_t *deadline)
{
	int32_t received = cal_received_on(r, sent);
	int32_t due = cal_add_working_days(r, received, r->response_days);
	int64_t utc = 0, after_gap = 0;
	enum cal_local_result res = local_to_utc(due, r->close_minute, &utc, &after_gap);
	if (received_on)
		*received_on = received;
	if (deadline)
		*deadline = res == CAL_LOCAL_MISSING ? after_gap : utc;
	return res != CAL_LOCAL_MISSING;
}

int64_t cal_extend_for_info(const struct cal_rules *r, int64_t deadline, int64_t requested, int64_t supplied)
{
	int32_t asked, answered, due;
	cal_local(requested, &asked, NULL);
	cal_local(supplied, &answered, NULL);
	int n = cal_working_days_between(r, asked, answered);
	if (n <= 0)
		return deadline;
	cal_local(deadline, &due, NULL);
	return cal_close_of(r, cal_add_working_days(r, due, n));
}

void cal_waited(const struct cal_rules *r, int64_t from, int64_t to, int *calendar_days, int *working_days)
{
	int32_t a, b;
	cal_local(from, &a, NULL);
	cal_local(to, &b, NULL);
	if (calendar_days)
		*calendar_days = (int)(b - a);
	if (working_days)
		*working_days = cal_working_days_between(r, a, b);
}

int64_t cal_seconds_left(int64_t deadline, int64_t now)
{
	return deadline - now;
}

/* ---- parsing ---------------------------------------------------------------- */

/* Exactly n decimal digits. */
static bool take_digits(const char **p, int n, int *value)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		char c = (*p)[i];
		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (c - '0');
	}
	*p += n;
	*value = v;
	return true;
}

/* "YYYY-MM-DD" at *p, validated; err names the problem. */
static bool take_date(const char **p, const char *shown, int32_t *day, char *err, size_t errlen)
{
	int y, m, d;
	const char *s = *p;
	if (!take_digits(&s, 4, &y) || *s++ != '-' || !take_digits(&s, 2, &m) || *s++ != '-' ||
	    !take_digits(&s, 2, &d)) {
		text_set_err(err, errlen, "\"%.40s\" is not a date: write it as YYYY-MM-DD, e.g. 2026-11-20", shown);
		return false;
	}
	if (y < 1) {
		text_set_err(err, errlen, "\"%.40s\" is not a date: there is no year 0", shown);
		return false;
	}
	if (m < 1 || m > 12) {
		text_set_err(err, errlen, "\"%.40s\" is not a date: there is no month %d (months run 01 to 12)", shown,
		             m);
		return false;
	}
	if (d < 1 || d > days_in_month(y, m)) {
		text_set_err(err, errlen, "\"%.40s\" is not a date: %s %d has %d days", shown, month_name[m - 1], y,
		             days_in_month(y, m));
		return false;
	}
	*p = s;
	*day = cal_days_from_civil(y, m, d);
	return true;
}

bool cal_parse_date(const char *text, int32_t *day, char *err, size_t errlen)
{
	char buf[64];
	if (text == NULL || !text_trimmed(text, buf, sizeof buf) || buf[0] == '\0') {
		text_set_err(err, errlen, "no date given: write it as YYYY-MM-DD, e.g. 2026-11-20");
		return false;
	}
	const char *p = buf;
	int32_t d;
	if (!take_date(&p, buf, &d, err, errlen))
		return false;
	if (*p != '\0') {
		text_set_err(err, errlen, "\"%.40s\" is not a date: write it as YYYY-MM-DD, e.g. 2026-11-20", buf);
		return false;
	}
	*day = d;
	return true;
}

bool cal_parse_time(const char *text, int64_t *utc, char *err, size_t errlen)
{
	static const char form[] = "write it as 2026-11-20T10:00 (local time), 2026-11-20T10:00Z (UTC), "
				   "2026-11-20T10:00+01:00, or 2026-11-20 for midnight";
	char buf[64];
	if (text == NULL || !text_trimmed(text, buf, sizeof buf) || buf[0] == '\0') {
		text_set_err(err, errlen, "no time given: %s", form);
		return false;
	}
	const char *p = buf;
	int32_t day;
	if (!take_date(&p, buf, &day, err, errlen)) {
		/* A malformed date part is a malformed time: say how to write one. */
		int y, m;
		const char *q = buf;
		if (!(take_digits(&q, 4, &y) && *q++ == '-' && take_digits(&q, 2, &m) && *q++ == '-'))
			text_set_err(err, errlen, "\"%.40s\" is not a time: %s", buf, form);
		return false;
	}

	if (*p == '\0') { /* a date alone: the day's first moment */
		int64_t t = 0, after_gap = 0;
		if (local_to_utc(day, 0, &t, &after_gap) == CAL_LOCAL_MISSING)
			t = after_gap;
		*utc = t;
		return true;
	}

	int hh, mm, ss = 0;
	if (!((*p == 'T' || *p == 't' || *p == ' ') && (p++, take_digits(&p, 2, &hh)) && *p++ == ':' &&
	      take_digits(&p, 2, &mm))) {
		text_set_err(err, errlen, "\"%.40s\" is not a time: %s", buf, form);
		return false;
	}
	if (*p == ':' && !(p++, take_digits(&p, 2, &ss))) {
		text_set_err(err, errlen, "\"%.40s\" is not a time: the seconds need two digits", buf);
		return false;
	}
	if (hh > 23) {
		text_set_err(err, errlen, "\"%.40s\" is not a time: hour %d is out of range (00 to 23)", buf, hh);
		return false;
	}
	if (mm > 59) {
		text_set_err(err, errlen, "\"%.40s\" is not a time: minute %d is out of range (00 to 59)", buf, mm);
		return false;
	}
	if (ss > 59) {
		text_set_err(err, errlen, "\"%.40s\" is not a time: second %d is out of range (00 to 59)", buf, ss);
		return false;
	}

	int minute = hh * 60 + mm;
	if (*p == '\0') {
		int64_t t;
		if (local_to_utc(day, minute, &t, NULL) == CAL_LOCAL_MISSING) {
			struct cal_date cd = cal_civil_from_days(day);
			text_set_err(err, errlen,
			             "%04d-%02d-%02dT%02d:%02d does not exist in %s: the clocks go forward", cd.year,
			             cd.month, cd.day, hh, mm, zone_label());
			return false;
		}
		*utc = t + ss;
		return true;
	}

	int offset = 0;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p++ == '-' ? -1 : 1;
		int oh, om;
		if (!(take_digits(&p, 2, &oh) && *p++ == ':' && take_digits(&p, 2, &om))) {
			text_set_err(err, errlen, "\"%.40s\" is not a time: write a UTC offset as +01:00 or -05:00",
			             buf);
			return false;
		}
		if (oh > 14 || om > 59) {
			text_set_err(err, errlen, "\"%.40s\" is not a time: the UTC offset is out of range", buf);
			return false;
		}
		offset = sign * (oh * 3600 + om * 60);
	} else {
		text_set_err(err, errlen, "\"%.40s\" is not a time: %s", buf, form);
		return false;
	}
	if (*p != '\0') {
		text_set_err(err, errlen, "\"%.40s\" is not a time: unexpected text after the time", buf);
		return false;
	}
	*utc = (int64_t)day * SECONDS_PER_DAY + (int64_t)minute * 60 + ss - offset;
	return true;
}

/* ---- formatting -------------------------------------------------------------- */

void cal_format_utc(int64_t utc, char *buf, size_t len)
{
	int64_t day = floor_div(utc, SECONDS_PER_DAY);
	int sec = (int)(utc - day * SECONDS_PER_DAY);
	struct cal_date d = cal_civil_from_days((int32_t)day);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02dZ", d.year, d.month, d.day, sec / 3600, sec / 60 % 60,
	         sec % 60);
}

/* n as `width` digits at p (0 <= n < 10^width). */
static void put_digits(char *p, int n, int width)
{
	for (int i = width - 1; i >= 0; i--, n /= 10)
		p[i] = (char)('0' + n % 10);
}

void cal_format_date(int32_t day, char *buf, size_t len)
{
	struct cal_date d = cal_civil_from_days(day);
	if (len > 10 && d.year >= 0 && d.year <= 9999) { /* tables print thousands: not through printf */
		put_digits(buf, d.year, 4);
		buf[4] = '-';
		put_digits(buf + 5, d.month, 2);
		buf[7] = '-';
		put_digits(buf + 8, d.day, 2);
		buf[10] = '\0';
		return;
	}
	snprintf(buf, len, "%04d-%02d-%02d", d.year, d.month, d.day);
}

void cal_format_day(int32_t day, char *buf, size_t len)
{
	struct cal_date d = cal_civil_from_days(day);
	snprintf(buf, len, "%s %d %s %d", weekday_abbr[cal_weekday(day)], d.day, month_abbr[d.month - 1], d.year);
}

void cal_format_local(int64_t utc, char *buf, size_t len)
{
	int32_t day;
	int minute;
	cal_local(utc, &day, &minute);
	struct cal_date d = cal_civil_from_days(day);
	if (len >= 24 && d.year >= 1000 && d.year <= 9999 && minute >= 0 && minute < 24 * 60) {
		/* "Thu 5 Mar 2026 17:00", as the printf below writes it */
		char *p = buf;
		memcpy(p, weekday_abbr[cal_weekday(day)], 3);
		p[3] = ' ';
		p += 4;
		if (d.day >= 10)
			*p++ = (char)('0' + d.day / 10);
		*p++ = (char)('0' + d.day % 10);
		*p++ = ' ';
		memcpy(p, month_abbr[d.month - 1], 3);
		p[3] = ' ';
		put_digits(p + 4, d.year, 4);
		p[8] = ' ';
		put_digits(p + 9, minute / 60, 2);
		p[11] = ':';
		put_digits(p + 12, minute % 60, 2);
		p[14] = '\0';
		return;
	}
	snprintf(buf, len, "%s %d %s %d %02d:%02d", weekday_abbr[cal_weekday(day)], d.day, month_abbr[d.month - 1],
	         d.year, minute / 60, minute % 60);
}
