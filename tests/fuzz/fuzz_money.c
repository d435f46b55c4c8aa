/* libFuzzer target: money and hours parsers (core/money.c). Whatever is
 * accepted formats and parses back to the same value; overflow is refused,
 * never wrapped. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/money.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	char err[256], buf[128];
	int64_t pence = 0;
	if (money_parse_rate(text, &pence, err, sizeof err)) {
		if (pence < 0)
			abort();
		money_format(pence, false, buf, sizeof buf);
		money_format(pence, true, buf, sizeof buf);
		money_format_plain(pence, buf, sizeof buf);
		int64_t again = -1;
		if (!money_parse_amount(buf, &again, err, sizeof err) || again != pence)
			abort(); /* what we print we must read back */
		int64_t weekly = money_weekly_cost(pence, 60 * 168);
		(void)money_annual_cost(weekly);
	}
	if (money_parse_amount(text, &pence, err, sizeof err)) {
		money_format(pence, false, buf, sizeof buf);
		money_format(pence, true, buf, sizeof buf);
	}
	int minutes = 0;
	if (hours_parse(text, &minutes, err, sizeof err)) {
		if (minutes < 0)
			abort();
		hours_format(minutes, buf, sizeof buf);
		int again = -1;
		if (!hours_parse(buf, &again, err, sizeof err) || again != minutes)
			abort();
		(void)money_weekly_cost(2550, minutes);
	}
	/* the NULL-error forms too */
	(void)money_parse_rate(text, &pence, NULL, 0);
	(void)hours_parse(text, &minutes, NULL, 0);
	free(text);
	return 0;
}
