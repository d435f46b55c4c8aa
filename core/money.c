/* Money and hours, parsed digit by digit into whole pence and whole minutes.
 * Nothing here goes near floating point: a rate typed as 19.99 must cost
 * exactly what the provider invoices. */
#include "core/money.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/text.h"

static const char pound_sign[] = "\xc2\xa3"; /* £ in UTF-8 */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* After the whole part, an optional fraction: a full stop and the digits
 * after it. *p moves past it; *frac is where its digits begin (NULL when
 * there is no full stop). Returns how many digits it has. */
static int take_fraction(const char **p, const char **frac)
{
	*frac = NULL;
	if (**p != '.')
		return 0;
	*frac = ++*p;
	while (is_digit(**p))
		++*p;
	return (int)(*p - *frac);
}

/* The first two digits of a fraction (at most two) as hundredths: "5" is
 * 50, "25" is 25, none is 0. */
static int hundredths(const char *frac, int digits)
{
	int h = 0;
	if (digits >= 1)
		h += (frac[0] - '0') * 10;
	if (digits == 2)
		h += frac[1] - '0';
	return h;
}

/* Skip a leading "£" or "GBP" and the spaces after it. */
static const char *skip_currency(const char *p)
{
	if (strncmp(p, pound_sign, sizeof pound_sign - 1) == 0)
		p += sizeof pound_sign - 1;
	else if (strncasecmp(p, "GBP", 3) == 0)
		p += 3;
	else
		return p;
	while (text_is_space(*p))
		p++;
	return p;
}

/* The whole-number part with optional thousands commas (1,234,567): true
 * when the commas sit between groups of three. *end is where it stopped. */
static bool commas_well_placed(const char *start, const char *end)
{
	int group = 0;
	bool seen_comma = false;
	for (const char *p = start; p < end; p++) {
		if (*p == ',') {
			if (group == 0 || (seen_comma ? group != 3 : group > 3))
				return false;
			seen_comma = true;
			group = 0;
		} else {
			group++;
		}
	}
	return !seen_comma || group == 3;
}

/* "19.50" -> 1950 pence; what is "rate" or "amount" for the messages. */
static bool parse_pounds(const char *text, const char *what, int64_t *pence, char *err, size_t errlen)
{
	char buf[128];
	if (text == NULL || !text_trimmed(text, buf, sizeof buf)) {
		text_set_err(err, errlen, "the %s is too long to be an amount of money", what);
		return false;
	}
	if (buf[0] == '\0') {
		text_set_err(err, errlen, "no %s given: write it in pounds, e.g. 19.50", what);
		return false;
	}
	const char *p = buf;
	if (*p == '-' || *p == '(') {
		text_set_err(err, errlen, "the %s \"%s\" cannot be negative", what, buf);
		return false;
	}
	p = skip_currency(p);
	if (*p == '-') {
		text_set_err(err, errlen, "the %s \"%s\" cannot be negative", what, buf);
		return false;
	}

	const char *whole = p;
	while (is_digit(*p) || *p == ',')
		p++;
	const char *whole_end = p;
	const char *frac;
	int frac_digits = take_fraction(&p, &frac);
	bool any_digit = frac_digits > 0;
	for (const char *q = whole; q < whole_end; q++)
		any_digit = any_digit || is_digit(*q);

	if (*p != '\0' || !any_digit || (frac != NULL && frac_digits == 0)) {
		text_set_err(err, errlen, "\"%s\" is not an amount of money: use digits and a full stop, e.g. 19.50",
		             buf);
		return false;
	}
	if (!commas_well_placed(whole, whole_end)) {
		text_set_err(err, errlen,
		             "\"%s\" is not an amount of money: use a full stop for pence (e.g. 19.50); "
		             "commas may only separate thousands",
		             buf);
		return false;
	}
	if (frac_digits > 2) {
		text_set_err(err, errlen, "\"%s\" has more than two decimal places: money is in whole pence", buf);
		return false;
	}

	int64_t pounds = 0;
	for (const char *q = whole; q < whole_end; q++) {
		if (*q == ',')
			continue;
		int digit = *q - '0';
		if (pounds > ((INT64_MAX - 99) / 100 - digit) / 10) {
			text_set_err(err, errlen, "\"%s\" is too large an amount", buf);
			return false;
		}
		pounds = pounds * 10 + digit;
	}
	*pence = pounds * 100 + hundredths(frac, frac_digits);
	return true;
}

bool money_parse_rate(const char *text, int64_t *pence, char *err, size_t errlen)
{
	int64_t v;
	if (!parse_pounds(text, "rate", &v, err, errlen))
		return false;
	if (v > MONEY_MAX_RATE) {
		char max[32];
		money_format(MONEY_MAX_RATE, false, max, sizeof max);
		text_set_err(err, errlen, "a rate of more than %s an hour is not believable: check the figure", max);
		return false;
	}
	*pence = v;
	return true;
}

bool money_parse_amount(const char *text, int64_t *pence, char *err, size_t errlen)
{
	return parse_pounds(text, "amount", pence, err, errlen);
}

static bool hours_parse_upto(const char *text, long max_minutes, int *minutes, char *err, size_t errlen);

bool hours_parse(const char *text, int *minutes, char *err, size_t errlen)
{
	return hours_parse_upto(text, HOURS_MAX_MINUTES, minutes, err, errlen);
}

bool hours_parse_capacity(const char *text, int *minutes, char *err, size_t errlen)
{
	return hours_parse_upto(text, CAPACITY_MAX_MINUTES, minutes, err, errlen);
}

/* Hours a week up to max_minutes: one person's week, or a district's. */
static bool hours_parse_upto(const char *text, long max_minutes, int *minutes, char *err, size_t errlen)
{
	char buf[64];
	if (text == NULL || !text_trimmed(text, buf, sizeof buf)) {
		text_set_err(err, errlen, "too long to be a number of hours");
		return false;
	}
	if (buf[0] == '\0') {
		text_set_err(err, errlen, "no hours given: write them as a number, e.g. 7.5");
		return false;
	}
	if (buf[0] == '-') {
		text_set_err(err, errlen, "hours \"%s\" cannot be negative", buf);
		return false;
	}

	const char *p = buf;
	long whole = 0;
	int whole_digits = 0;
	while (is_digit(*p)) {
		if (whole <= 1000000)
			whole = whole * 10 + (*p - '0');
		whole_digits++;
		p++;
	}
	const char *frac;
	int frac_digits = take_fraction(&p, &frac);
	if (*p != '\0' || whole_digits + frac_digits == 0 || (frac != NULL && frac_digits == 0)) {
		text_set_err(err, errlen, "\"%s\" is not a number of hours: write it like 10, 7.5 or 7.25", buf);
		return false;
	}
	if (frac_digits > 2) {
		text_set_err(
			err, errlen,
			"\"%s\" has more than two decimal places: hours must be in whole minutes (e.g. 7.25 or 7.5)",
			buf);
		return false;
	}
	int part = hundredths(frac, frac_digits);
	/* too many before not whole minutes: 168.01 is too many, whatever else */
	if (whole * 100 + part > max_minutes / 60 * 100 + max_minutes % 60 * 100 / 60) {
		if (max_minutes == HOURS_MAX_MINUTES)
			text_set_err(err, errlen, "\"%s\" exceeds 168 hours a week, the whole of a week", buf);
		else
			text_set_err(err, errlen, "\"%s\" exceeds %ld hours a week", buf, max_minutes / 60);
		return false;
	}
	if (part * 60 % 100 != 0) {
		text_set_err(err, errlen, "\"%s\": hours must be in whole minutes (e.g. 7.25 or 7.5)", buf);
		return false;
	}
	long total = whole * 60 + part * 60 / 100;
	if (total == 0) {
		text_set_err(err, errlen, "hours must be more than zero");
		return false;
	}
	*minutes = (int)total;
	return true;
}

/* rate x minutes / 60 with one rounding, half away from zero, saturating
 * rather than wrapping on absurd inputs. */
int64_t money_weekly_cost(int64_t rate_pence, int minutes_per_week)
{
	bool negative = (rate_pence < 0) != (minutes_per_week < 0);
	uint64_t rate = rate_pence < 0 ? 0 - (uint64_t)rate_pence : (uint64_t)rate_pence;
	uint64_t mins = minutes_per_week < 0 ? 0 - (uint64_t)minutes_per_week : (uint64_t)minutes_per_week;
	uint64_t whole;
	if (__builtin_mul_overflow(rate / 60, mins, &whole))
		return negative ? INT64_MIN : INT64_MAX;
	uint64_t part = ((rate % 60) * mins + 30) / 60;
	uint64_t total = whole + part;
	if (total < whole || total > (uint64_t)INT64_MAX)
		return negative ? INT64_MIN : INT64_MAX;
	return negative ? -(int64_t)total : (int64_t)total;
}

int64_t money_annual_cost(int64_t weekly_pence)
{
	int64_t annual;
	if (__builtin_mul_overflow(weekly_pence, (int64_t)52, &annual))
		return weekly_pence < 0 ? INT64_MIN : INT64_MAX;
	return annual;
}

static uint64_t magnitude(int64_t v)
{
	return v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
}

void money_format(int64_t pence, bool ascii, char *buf, size_t len)
{
	uint64_t mag = magnitude(pence);
	char digits[32];
	snprintf(digits, sizeof digits, "%" PRIu64, mag / 100);
	/* Pounds with a comma every three digits from the right. */
	char grouped[48];
	size_t n = strlen(digits), g = 0;
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			grouped[g++] = ',';
		grouped[g++] = digits[i];
	}
	grouped[g] = '\0';
	snprintf(buf, len, "%s%s%s.%02u", pence < 0 ? "-" : "", ascii ? "GBP " : pound_sign, grouped,
	         (unsigned)(mag % 100));
}

void money_format_plain(int64_t pence, char *buf, size_t len)
{
	uint64_t mag = magnitude(pence);
	snprintf(buf, len, "%s%" PRIu64 ".%02u", pence < 0 ? "-" : "", mag / 100, (unsigned)(mag % 100));
}

void hours_format(int minutes, char *buf, size_t len)
{
	uint64_t mag = magnitude(minutes);
	uint64_t whole = mag / 60;
	/* Minutes that are not a whole hundredth of an hour are rounded to one. */
	uint64_t hundredths = ((mag % 60) * 100 + 30) / 60;
	if (hundredths == 100) {
		whole++;
		hundredths = 0;
	}
	const char *sign = minutes < 0 ? "-" : "";
	if (hundredths == 0)
		snprintf(buf, len, "%s%" PRIu64, sign, whole);
	else if (hundredths % 10 == 0)
		snprintf(buf, len, "%s%" PRIu64 ".%u", sign, whole, (unsigned)(hundredths / 10));
	else
		snprintf(buf, len, "%s%" PRIu64 ".%02u", sign, whole, (unsigned)hundredths);
}
