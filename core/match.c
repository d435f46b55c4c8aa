#include "core/match.h"

#include <stdio.h>
#include <string.h>

#include "core/calendar.h"
#include "core/money.h"
#include "core/settings.h"

static const char *const risk_names[] = { "green", "amber", "red" };

void match_candidates(const struct match_referral *ref, const struct match_provider *providers, int n,
                      unsigned excluded_risks, struct match_candidate *out)
{
	for (int i = 0; i < n; i++) {
		const struct match_provider *p = &providers[i];
		unsigned r = 0;
		if (!p->active)
			r |= MATCH_INACTIVE;
		if (!p->framework)
			r |= MATCH_OFF_FRAMEWORK;
		if (p->embargo && *p->embargo)
			r |= MATCH_EMBARGOED;
		if (p->risk >= 0 && p->risk <= BK_RISK_RED && (excluded_risks & BK_RISK_BIT((unsigned)p->risk)))
			r |= MATCH_RISK_EXCLUDED;
		if (p->declined_on != INT32_MIN)
			r |= MATCH_DECLINED;
		if (p->expired_on != INT32_MIN)
			r |= MATCH_EXPIRED;
		if (p->handed_back)
			r |= MATCH_HANDED_BACK;
		if (ref->cqc_required && !p->has_cqc)
			r |= MATCH_NO_CQC;
		if (ref->age >= 0 &&
		    ((p->age_min >= 0 && ref->age < p->age_min) || (p->age_max >= 0 && ref->age > p->age_max)))
			r |= MATCH_AGE;
		if (p->capacity_minutes >= 0 && p->capacity_minutes < ref->hours_minutes)
			r |= MATCH_CAPACITY;
		out[i].provider = p;
		out[i].reasons = r;
		out[i].eligible = r == 0;
		out[i].warning = p->risk == BK_RISK_AMBER;
	}
}

const char *match_reason_name(unsigned bit)
{
	switch (bit) {
	case MATCH_INACTIVE:
		return "inactive";
	case MATCH_EMBARGOED:
		return "embargoed";
	case MATCH_RISK_EXCLUDED:
		return "risk";
	case MATCH_DECLINED:
		return "declined";
	case MATCH_EXPIRED:
		return "expired";
	case MATCH_NO_CQC:
		return "no CQC registration";
	case MATCH_AGE:
		return "ages";
	case MATCH_CAPACITY:
		return "capacity";
	case MATCH_OFF_FRAMEWORK:
		return "off framework";
	case MATCH_HANDED_BACK:
		return "handed back";
	default:
		return "?";
	}
}

#define REASON_LEN MATCH_REASON_LEN

static void add(char (*out)[REASON_LEN], int max, int *n, const char *text)
{
	if (*n < max)
		snprintf(out[(*n)++], REASON_LEN, "%s", text);
}

int match_reason_list(const struct match_candidate *c, char (*out)[MATCH_REASON_LEN], int max)
{
	const struct match_provider *p = c->provider;
	int n = 0;
	char one[REASON_LEN], day[32];
	if (c->reasons & MATCH_INACTIVE)
		add(out, max, &n, "inactive");
	if (c->reasons & MATCH_OFF_FRAMEWORK)
		add(out, max, &n, "not on the framework");
	if (c->reasons & MATCH_EMBARGOED) {
		snprintf(one, sizeof one, "embargoed: %s", p->embargo);
		add(out, max, &n, one);
	}
	if (c->reasons & MATCH_RISK_EXCLUDED) {
		snprintf(one, sizeof one, "%s risk", p->risk >= 0 && p->risk <= 2 ? risk_names[p->risk] : "excluded");
		add(out, max, &n, one);
	}
	if (c->reasons & MATCH_DECLINED) {
		cal_format_day(p->declined_on, day, sizeof day);
		snprintf(one, sizeof one, "declined on %s", day);
		add(out, max, &n, one);
	}
	if (c->reasons & MATCH_EXPIRED) {
		cal_format_day(p->expired_on, day, sizeof day);
		snprintf(one, sizeof one, "let its offer expire on %s", day);
		add(out, max, &n, one);
	}
	if (c->reasons & MATCH_HANDED_BACK) {
		cal_format_day(p->handed_back_on, day, sizeof day);
		snprintf(one, sizeof one, "handed this package back on %s", day);
		add(out, max, &n, one);
	}
	if (c->reasons & MATCH_NO_CQC)
		add(out, max, &n, "no CQC registration (the lot needs one)");
	if (c->reasons & MATCH_AGE) {
		if (p->age_min >= 0 && p->age_max >= 0)
			snprintf(one, sizeof one, "serves ages %d-%d", p->age_min, p->age_max);
		else if (p->age_min >= 0)
			snprintf(one, sizeof one, "serves ages %d and over", p->age_min);
		else
			snprintf(one, sizeof one, "serves ages up to %d", p->age_max);
		add(out, max, &n, one);
	}
	if (c->reasons & MATCH_CAPACITY) {
		char hours[16];
		hours_format(p->capacity_minutes, hours, sizeof hours);
		snprintf(one, sizeof one, "capacity %s h/week in the district", hours);
		add(out, max, &n, one);
	}
	if (c->eligible && c->warning)
		add(out, max, &n, "amber risk: offered with a warning");
	return n;
}

size_t match_reasons_text(const struct match_candidate *c, char *buf, size_t len)
{
	char list[MATCH_MAX_REASONS][MATCH_REASON_LEN];
	int n = match_reason_list(c, list, MATCH_MAX_REASONS);
	size_t off = 0;
	if (len == 0)
		return 0;
	buf[0] = '\0';
	for (int i = 0; i < n && off + 1 < len; i++) {
		int w = snprintf(buf + off, len - off, "%s%s", i ? "; " : "", list[i]);
		if (w < 0)
			break;
		off += (size_t)w;
	}
	return off < len ? off : len - 1;
}
