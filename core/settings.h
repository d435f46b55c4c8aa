/* The council's policy: every rule that decides an outcome, as plain values.
 * It lives in the database, the same for everyone who opens it (core loads
 * it at open); conf/ parses a policy file into it for `init --policy` and
 * `policy load`, and nothing personal is here. */
#ifndef BK_SETTINGS_H
#define BK_SETTINGS_H

#include <stdbool.h>
#include <stdint.h>

#define BK_MAX_LOTS 16
#define BK_MAX_DISTRICTS 32
#define BK_MAX_HOLIDAY_EDITS 64
#define BK_MAX_DECLINE_CODES 16
#define BK_CODE_MAX 24
#define BK_NAME_MAX 64
#define BK_PATH_MAX 1024

enum bk_region {
	BK_REGION_ENGLAND_WALES,
	BK_REGION_SCOTLAND,
	BK_REGION_NONE, /* weekends only, plus the added dates */
};

enum bk_cascade {
	BK_CASCADE_SEQUENTIAL,
	BK_CASCADE_PARALLEL,
};

/* Provider risk ratings, used as bits in bk_settings.excluded_risks. */
enum bk_risk {
	BK_RISK_GREEN = 0,
	BK_RISK_AMBER = 1,
	BK_RISK_RED = 2,
};
#define BK_RISK_BIT(r) (1u << (r))

struct bk_lot {
	int number; /* 1..99, unique */
	char name[BK_NAME_MAX];
	bool cqc_required;      /* personal-care lots need a CQC registration */
	int64_t framework_rate; /* pence per hour */
};

struct bk_district {
	char name[BK_NAME_MAX];
};

/* Why a provider declined, coded so commissioners see the market's gaps. */
struct bk_decline_code {
	char keyword[BK_CODE_MAX]; /* "capacity": lower-case letters, digits, '-' */
	char label[BK_NAME_MAX];   /* "no capacity" */
};

/* The policy's keys, in the order `policy show` lists them. */
enum bk_setting_id {
	BK_SET_ZONE,
	BK_SET_LOTS,
	BK_SET_DISTRICTS,
	BK_SET_RESPONSE_DAYS,
	BK_SET_CUTOFF,
	BK_SET_CLOSE,
	BK_SET_REGION,
	BK_SET_HOLIDAYS_ADD,
	BK_SET_HOLIDAYS_REMOVE,
	BK_SET_CASCADE,
	BK_SET_BATCH,
	BK_SET_EXCLUDED_RISKS,
	BK_SET_REQUIRE_APPROVAL,
	BK_SET_KEY_DECISION,
	BK_SET_RETENTION,
	BK_SET_DECLINE_CODES,
	BK_SET_MAIL_ENABLED,
	BK_SET_MAIL_FROM,
	BK_SET_MAIL_REPLY_TO,
	BK_SET_MAIL_OFFER_FIELDS,
	BK_SET_MAIL_CHASE_HOURS,
	BK_SET_COUNT
};

/* What a first approach by mail may carry (the policy's template names
 * which, in this order): never a name, a note or anything else that
 * identifies the person. */
enum bk_mail_field {
	BK_MAIL_CASE,     /* the case reference */
	BK_MAIL_LOT,      /* number and name */
	BK_MAIL_DISTRICT, /* the area */
	BK_MAIL_HOURS,    /* hours a week */
	BK_MAIL_START,    /* the wanted start date */
	BK_MAIL_AGE_BAND, /* "11 to 15", never the age */
	BK_MAIL_URGENCY,  /* urgent or not */
	BK_MAIL_DEADLINE, /* by when to answer, in words and as a local time */
	BK_MAIL_FIELD_COUNT
};
extern const char *const bk_mail_field_names[BK_MAIL_FIELD_COUNT];
#define BK_MAIL_FIELD_BIT(f) (1u << (f))
#define BK_EMAIL_MAX 254

struct bk_settings {
	char zone[BK_NAME_MAX]; /* IANA zone name */

	struct bk_lot lots[BK_MAX_LOTS];
	int n_lots;
	struct bk_district districts[BK_MAX_DISTRICTS];
	int n_districts;

	int response_days; /* working days to answer an offer */
	int cutoff_minute; /* minutes after local midnight; a send at or after it is received next working day */
	int close_minute;  /* close of business on the deadline day */

	enum bk_region region;
	int32_t holidays_add[BK_MAX_HOLIDAY_EDITS]; /* day numbers (days since 1970-01-01) */
	int n_holidays_add;
	int32_t holidays_remove[BK_MAX_HOLIDAY_EDITS];
	int n_holidays_remove;

	enum bk_cascade cascade;
	int batch_size;                                             /* parallel: providers approached at once */
	unsigned excluded_risks;                                    /* BK_RISK_BIT set */
	bool require_approval;                                      /* team leader approves before the first approach */
	int64_t key_decision_threshold;                             /* pence of annual cost */
	int retention_months;                                       /* after end or withdrawal, before erasure */
	struct bk_decline_code decline_codes[BK_MAX_DECLINE_CODES]; /* "other" always among them */
	int n_decline_codes;

	bool mail_enabled;                    /* offers, chasers and notices go by mail to providers with addresses */
	char mail_from[BK_EMAIL_MAX + 1];     /* the council's sending address ("" : mail cannot be sent) */
	char mail_reply_to[BK_EMAIL_MAX + 1]; /* where answers go ("" : to mail_from) */
	unsigned mail_offer_fields;           /* BK_MAIL_FIELD_BIT set: what a first approach carries */
	int mail_chase_hours;                 /* a chaser goes this many hours before an open offer's deadline */

	bool from_file[BK_SET_COUNT]; /* true where a policy file set it */
	char file[BK_PATH_MAX];       /* the policy file read, empty when none */
};

/* The built-in defaults: a complete, working policy. */
void bk_settings_defaults(struct bk_settings *s);

/* Look-ups over the configured lists; NULL / -1 when absent. */
const struct bk_lot *bk_settings_lot(const struct bk_settings *s, int number);
int bk_settings_district_index(const struct bk_settings *s, const char *name);
const struct bk_decline_code *bk_settings_decline_code(const struct bk_settings *s, const char *keyword);

/* The words a policy file and the database use for the rules' choices,
 * indexed by their enums; the index of a word, or -1. */
#define BK_N_REGIONS (BK_REGION_NONE + 1)
#define BK_N_CASCADES (BK_CASCADE_PARALLEL + 1)
#define BK_N_RISKS (BK_RISK_RED + 1)
extern const char *const bk_region_names[BK_N_REGIONS];
extern const char *const bk_cascade_names[BK_N_CASCADES];
extern const char *const bk_risk_names[BK_N_RISKS];
int bk_name_index(const char *const *names, int n, const char *word);
/* "HH:MM" (or "H:MM"), 00:00 to 23:59 -> minutes after midnight. */
bool bk_parse_clock(const char *text, int *minute);
/* A mail address as the policy and a provider's contacts take it:
 * local@domain in plain ASCII, no display name, no spaces, at most 254
 * characters. False with why set when it is not one. */
bool bk_email_valid(const char *addr, const char **why);
/* The policy's key names, indexed by enum bk_setting_id. */
extern const char *const bk_setting_names[BK_SET_COUNT];

#endif
