#include "core/settings.h"

#include <string.h>
#include <strings.h>

/* Staffordshire's framework as the built-in default (seed 000): four lots,
 * four districts, England and Wales bank holidays, three working days. */
static const struct bk_settings defaults = {
	.zone = "Europe/London",
	.lots = {
		{ .number = 1, .name = "Lifeskills & Independence", .cqc_required = false, .framework_rate = 1950 },
		{ .number = 2, .name = "Community support / domiciliary care", .cqc_required = true, .framework_rate = 2150 },
		{ .number = 3, .name = "Sitting service", .cqc_required = false, .framework_rate = 1800 },
		{ .number = 4, .name = "Complex care", .cqc_required = true, .framework_rate = 2650 },
	},
	.n_lots = 4,
	.districts = { { "North" }, { "South" }, { "East" }, { "West" } },
	.n_districts = 4,
	.response_days = 3,
	.cutoff_minute = 16 * 60,
	.close_minute = 17 * 60,
	.region = BK_REGION_ENGLAND_WALES,
	.cascade = BK_CASCADE_SEQUENTIAL,
	.batch_size = 3,
	.excluded_risks = BK_RISK_BIT(BK_RISK_RED),
	.require_approval = false,
	.key_decision_threshold = 50000000, /* £500,000 (seed 002) */
	.retention_months = 72,
	.decline_codes = {
		{ "capacity", "no capacity" },
		{ "area", "outside the area" },
		{ "needs", "cannot meet the needs" },
		{ "eligibility", "not eligible" },
		{ "information", "information missing" },
		{ "other", "other" },
	},
	.n_decline_codes = 6,
	.mail_enabled = false,
	.mail_offer_fields = (1u << BK_MAIL_FIELD_COUNT) - 1,
	.mail_chase_hours = 8, /* 09:00 on the last working day, with close of business at 17:00 */
};

const char *const bk_mail_field_names[BK_MAIL_FIELD_COUNT] = {
	[BK_MAIL_CASE] = "case",       [BK_MAIL_LOT] = "lot",           [BK_MAIL_DISTRICT] = "district",
	[BK_MAIL_HOURS] = "hours",     [BK_MAIL_START] = "start",       [BK_MAIL_AGE_BAND] = "age_band",
	[BK_MAIL_URGENCY] = "urgency", [BK_MAIL_DEADLINE] = "deadline",
};

static bool label_ok(const char *b, const char *e)
{
	if (e == b || e - b > 63 || *b == '-' || e[-1] == '-')
		return false;
	for (const char *p = b; p < e; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-'))
			return false;
	return true;
}

bool bk_email_valid(const char *addr, const char **why)
{
	const char *at = addr ? strchr(addr, '@') : NULL;
	*why = NULL;
	if (!addr || !*addr)
		*why = "an address is empty";
	else if (strlen(addr) > BK_EMAIL_MAX)
		*why = "an address is at most 254 characters";
	else if (!at || strchr(at + 1, '@'))
		*why = "an address has one @, as in referrals@acorn-care.org.uk";
	else if (at == addr || at - addr > 64)
		*why = "the part before the @ must be 1 to 64 characters";
	if (*why)
		return false;
	for (const char *p = addr; p < at; p++) {
		/* the plain characters of RFC 5322's dot-atom: no quoting, no comments */
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      strchr("!#$%&'*+/=?^_`{|}~.-", *p))) {
			*why = "the part before the @ may hold only letters, digits and ! # $ % & ' * + / = ? ^ _ ` { "
			       "| } ~ . -";
			return false;
		}
	}
	if (addr[0] == '.' || at[-1] == '.' || strstr(addr, "..")) {
		*why = "the part before the @ cannot start or end with a dot, or hold two dots together";
		return false;
	}
	const char *d = at + 1, *dot;
	int labels = 0;
	while ((dot = strchr(d, '.')) != NULL) {
		if (!label_ok(d, dot))
			break;
		labels++;
		d = dot + 1;
	}
	if (dot || !label_ok(d, d + strlen(d)) || labels == 0) {
		*why = "the part after the @ must be a domain name such as acorn-care.org.uk";
		return false;
	}
	return true;
}

const char *const bk_setting_names[BK_SET_COUNT] = {
	[BK_SET_ZONE] = "zone",
	[BK_SET_LOTS] = "lots",
	[BK_SET_DISTRICTS] = "districts",
	[BK_SET_RESPONSE_DAYS] = "response_days",
	[BK_SET_CUTOFF] = "cutoff",
	[BK_SET_CLOSE] = "close_of_business",
	[BK_SET_REGION] = "bank_holidays",
	[BK_SET_HOLIDAYS_ADD] = "holidays_add",
	[BK_SET_HOLIDAYS_REMOVE] = "holidays_remove",
	[BK_SET_CASCADE] = "cascade",
	[BK_SET_BATCH] = "batch_size",
	[BK_SET_EXCLUDED_RISKS] = "excluded_risks",
	[BK_SET_REQUIRE_APPROVAL] = "require_approval",
	[BK_SET_KEY_DECISION] = "key_decision_threshold",
	[BK_SET_RETENTION] = "retention_months",
	[BK_SET_DECLINE_CODES] = "decline_codes",
	[BK_SET_MAIL_ENABLED] = "mail_enabled",
	[BK_SET_MAIL_FROM] = "mail_from",
	[BK_SET_MAIL_REPLY_TO] = "mail_reply_to",
	[BK_SET_MAIL_OFFER_FIELDS] = "mail_offer_fields",
	[BK_SET_MAIL_CHASE_HOURS] = "mail_chase_hours",
};

void bk_settings_defaults(struct bk_settings *s)
{
	*s = defaults;
}

const struct bk_lot *bk_settings_lot(const struct bk_settings *s, int number)
{
	for (int i = 0; i < s->n_lots; i++)
		if (s->lots[i].number == number)
			return &s->lots[i];
	return NULL;
}

int bk_settings_district_index(const struct bk_settings *s, const char *name)
{
	for (int i = 0; i < s->n_districts; i++)
		if (strcasecmp(s->districts[i].name, name) == 0)
			return i;
	return -1;
}

const struct bk_decline_code *bk_settings_decline_code(const struct bk_settings *s, const char *keyword)
{
	for (int i = 0; i < s->n_decline_codes; i++)
		if (strcasecmp(s->decline_codes[i].keyword, keyword) == 0)
			return &s->decline_codes[i];
	return NULL;
}

const char *const bk_region_names[BK_N_REGIONS] = {
	[BK_REGION_ENGLAND_WALES] = "england-and-wales",
	[BK_REGION_SCOTLAND] = "scotland",
	[BK_REGION_NONE] = "none",
};

const char *const bk_cascade_names[BK_N_CASCADES] = {
	[BK_CASCADE_SEQUENTIAL] = "sequential",
	[BK_CASCADE_PARALLEL] = "parallel",
};

const char *const bk_risk_names[BK_N_RISKS] = {
	[BK_RISK_GREEN] = "green",
	[BK_RISK_AMBER] = "amber",
	[BK_RISK_RED] = "red",
};

int bk_name_index(const char *const *names, int n, const char *word)
{
	for (int i = 0; word && i < n; i++)
		if (strcmp(word, names[i]) == 0)
			return i;
	return -1;
}

bool bk_parse_clock(const char *text, int *minute)
{
	const char *p = text;
	int h = 0, m;

	if (*p < '0' || *p > '9')
		return false;
	h = *p++ - '0';
	if (*p >= '0' && *p <= '9')
		h = h * 10 + (*p++ - '0');
	if (*p++ != ':')
		return false;
	if (p[0] < '0' || p[0] > '5' || p[1] < '0' || p[1] > '9' || p[2] != '\0')
		return false;
	m = (p[0] - '0') * 10 + (p[1] - '0');
	if (h > 23)
		return false;
	*minute = h * 60 + m;
	return true;
}
