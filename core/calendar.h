/* The contract clock: working days, bank holidays, receipt days, deadlines.
 *
 * Days are "day numbers": whole days since 1970-01-01 in the proleptic
 * Gregorian calendar, with no zone attached. Instants are UTC seconds.
 * Converting between the two uses the configured zone (cal_zone_use()).
 * Everything else here is pure arithmetic over plain values. */
#ifndef BK_CALENDAR_H
#define BK_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/settings.h"

struct cal_date {
	int year, month, day; /* month 1..12 */
};

/* Civil date <-> day number. cal_days_from_civil does not validate. */
int32_t cal_days_from_civil(int year, int month, int day);
struct cal_date cal_civil_from_days(int32_t days);
bool cal_date_valid(int year, int month, int day);
int cal_weekday(int32_t days); /* 0 = Monday .. 6 = Sunday */

/* The zone in which days are reckoned. Returns false (and changes nothing)
 * when the zone is not a known IANA zone on this system. Process-wide: the
 * program reckons in one zone at a time. */
bool cal_zone_valid(const char *zone);
bool cal_zone_use(const char *zone);
/* A number that changes whenever cal_zone_use() changes the zone: what
 * callers remembered of local times under another number is stale. */
unsigned cal_zone_generation(void);

/* UTC instant -> local day number and minute of day (0..1439). */
void cal_local(int64_t utc, int32_t *day, int *minute);

enum cal_local_result {
	CAL_LOCAL_OK,
	CAL_LOCAL_AMBIGUOUS, /* occurs twice (clocks went back): the first is given */
	CAL_LOCAL_MISSING,   /* never occurs (clocks went forward): nothing given */
};
/* Local day and minute -> UTC instant. */
enum cal_local_result cal_utc(int32_t day, int minute, int64_t *utc);
/* The same as an instant always: a time the clocks skipped is taken an
 * hour later, and failing that (no zone skips two hours) as if UTC. */
int64_t cal_utc_at(int32_t day, int minute);

/* One bank holiday. name is a static string. */
struct cal_holiday {
	int32_t day;
	const char *name;
};

/* The calendar rules: built from the settings once, then passed around. */
struct cal_rules {
	enum bk_region region;
	const int32_t *add; /* extra non-working days */
	int n_add;
	const int32_t *remove; /* days the region's rules name that are working days here */
	int n_remove;
	int response_days;
	int cutoff_minute;
	int close_minute;
};
void cal_rules_from_settings(struct cal_rules *r, const struct bk_settings *s);

/* The region's bank holidays in one year, with the settings' additions and
 * removals applied, sorted by day. Returns how many were written (at most
 * max); names of added days are "Added by configuration". */
int cal_holidays(const struct cal_rules *r, int year, struct cal_holiday *out, int max);

/* Easter Sunday of a Gregorian year. */
int32_t cal_easter(int year);

/* Is this day a bank holiday (name filled when it is)? A working day? */
bool cal_is_holiday(const struct cal_rules *r, int32_t day, const char **name);
bool cal_is_working_day(const struct cal_rules *r, int32_t day);

/* The first working day on or after day / strictly after day. */
int32_t cal_next_working_day(const struct cal_rules *r, int32_t day);
int32_t cal_working_day_after(const struct cal_rules *r, int32_t day);
/* Day n working days after day (n >= 0; n = 0 gives day itself). */
int32_t cal_add_working_days(const struct cal_rules *r, int32_t day, int n);
/* Working days in (from, to]: days after from up to and including to.
 * 0 when to <= from. */
int cal_working_days_between(const struct cal_rules *r, int32_t from, int32_t to);

/* The day an offer sent at `sent` is received: that day if it is a working
 * day and the local time is before the cut-off, else the next working day. */
int32_t cal_received_on(const struct cal_rules *r, int64_t sent);

/* Close of business on the response_days-th working day after receipt.
 * Returns false if that local time does not exist (never, for sane settings). */
bool cal_deadline(const struct cal_rules *r, int64_t sent, int32_t *received_on, int64_t *deadline);

/* Close of business on `day` as a UTC instant. */
int64_t cal_close_of(const struct cal_rules *r, int32_t day);

/* A deadline moved for an information pause: later by the working days from
 * the day after `requested` up to and including the day of `supplied`. */
int64_t cal_extend_for_info(const struct cal_rules *r, int64_t deadline, int64_t requested, int64_t supplied);

/* Waiting time between two instants: calendar days and working days, counted
 * as whole local days from the day of `from` to the day of `to`. */
void cal_waited(const struct cal_rules *r, int64_t from, int64_t to, int *calendar_days, int *working_days);

/* Working time left until deadline at now: whole working days and hours, in
 * working hours only counted roughly by close of business. Negative when past. */
int64_t cal_seconds_left(int64_t deadline, int64_t now);

/* Parsing and formatting of times and dates as the command line takes them.
 * "2026-11-20T10:00" is local; with "Z" or "+01:00" it is absolute;
 * "2026-11-20" alone is local midnight (for --now) or a date.
 * On failure, err (if non-NULL) gets a sentence saying what is wrong. */
bool cal_parse_time(const char *text, int64_t *utc, char *err, size_t errlen);
bool cal_parse_date(const char *text, int32_t *day, char *err, size_t errlen);

/* "2026-11-25T17:00:00Z" */
void cal_format_utc(int64_t utc, char *buf, size_t len);
/* "2026-11-25" */
void cal_format_date(int32_t day, char *buf, size_t len);
/* "Wed 25 Nov 2026 17:00" in the zone */
void cal_format_local(int64_t utc, char *buf, size_t len);
/* "Wed 25 Nov 2026" */
void cal_format_day(int32_t day, char *buf, size_t len);

#endif
