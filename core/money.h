/* Money in whole pence and hours in whole minutes: parsed exactly, never
 * through floating point. */
#ifndef BK_MONEY_H
#define BK_MONEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MONEY_MAX_RATE 1000000 /* £10,000.00 an hour, in pence */
#define HOURS_MAX_MINUTES (168 * 60)
#define CAPACITY_MAX_MINUTES (100000 * 60) /* a district's week: many people's hours */

/* "19.50", "£19.50", "19.5", "19" -> 1950. Refuses "19.505", "-1", "1e3",
 * "19,50", "" and rates over £10,000 with a sentence in err. */
bool money_parse_rate(const char *text, int64_t *pence, char *err, size_t errlen);
/* Any non-negative amount in pounds (no upper bound but int64 overflow). */
bool money_parse_amount(const char *text, int64_t *pence, char *err, size_t errlen);
/* "10", "10.5", "7.25" -> minutes (600, 630, 435). Refuses more than two
 * decimals, more than 168 hours, negative, empty, zero. */
bool hours_parse(const char *text, int *minutes, char *err, size_t errlen);
/* The same for a provider's capacity in a district: hours a week of all
 * its staff there, up to 100,000. */
bool hours_parse_capacity(const char *text, int *minutes, char *err, size_t errlen);

/* rate (pence/hour) x minutes/60, rounded half up to the penny once. */
int64_t money_weekly_cost(int64_t rate_pence, int minutes_per_week);
int64_t money_annual_cost(int64_t weekly_pence); /* x 52 */

/* "£1,234.56" (or "GBP 1,234.56" when ascii); negative as "-£1.00". */
void money_format(int64_t pence, bool ascii, char *buf, size_t len);
/* "1234.56" plain, for CSV and JSON display strings without symbol. */
void money_format_plain(int64_t pence, char *buf, size_t len);
/* "7.25" from 435 minutes; "10" from 600. */
void hours_format(int minutes, char *buf, size_t len);

#endif
