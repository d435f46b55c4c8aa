/* libFuzzer target: date and time parsers (core/calendar.c) and what is
 * done with their results: local time, the contract deadline, working days. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/calendar.h"
#include "core/settings.h"

static struct cal_rules rules;
static int ready;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!ready) {
		static struct bk_settings s;
		bk_settings_defaults(&s);
		if (!cal_zone_use(s.zone))
			abort();
		cal_rules_from_settings(&rules, &s);
		ready = 1;
	}
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	char err[256], buf[128];
	int64_t t = 0;
	if (cal_parse_time(text, &t, err, sizeof err)) {
		cal_format_utc(t, buf, sizeof buf);
		cal_format_local(t, buf, sizeof buf);
		int32_t day, recv;
		int minute;
		cal_local(t, &day, &minute);
		int64_t deadline;
		if (cal_deadline(&rules, t, &recv, &deadline)) {
			(void)cal_extend_for_info(&rules, deadline, t, t + 86400 * 3);
			(void)cal_seconds_left(deadline, t);
		}
		int cd, wd;
		cal_waited(&rules, t, t + 86400 * 40, &cd, &wd);
	}
	int32_t d = 0;
	if (cal_parse_date(text, &d, err, sizeof err)) {
		char day_text[64];
		cal_format_day(d, day_text, sizeof day_text);
		cal_format_date(d, buf, sizeof buf);
		int32_t again = 0;
		if (!cal_parse_date(buf, &again, err, sizeof err) || again != d)
			abort(); /* a date printed must read back */
		(void)cal_is_working_day(&rules, d);
		(void)cal_add_working_days(&rules, d, 3);
		(void)cal_working_days_between(&rules, d, d + 30);
		struct cal_holiday h[64];
		(void)cal_holidays(&rules, cal_civil_from_days(d).year, h, 64);
	}
	(void)cal_parse_time(text, &t, NULL, 0);
	free(text);
	return 0;
}
