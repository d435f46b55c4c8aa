/* Matching: the providers ranked for a referral's lot and district, each
 * marked eligible or not with every reason that applies. Pure. */
#ifndef BK_MATCH_H
#define BK_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum match_reason {
	MATCH_INACTIVE = 1u << 0,
	MATCH_EMBARGOED = 1u << 1,
	MATCH_RISK_EXCLUDED = 1u << 2,
	MATCH_DECLINED = 1u << 3,
	MATCH_EXPIRED = 1u << 4,
	MATCH_NO_CQC = 1u << 5,
	MATCH_AGE = 1u << 6,
	MATCH_CAPACITY = 1u << 7,
	MATCH_OFF_FRAMEWORK = 1u << 8,
	MATCH_HANDED_BACK = 1u << 9,
};

/* What matching needs to know of one ranked provider and its history on
 * this referral. Strings are borrowed. */
struct match_provider {
	int64_t id;
	const char *name;
	int rank;
	bool active;
	bool framework;
	const char *embargo; /* NULL or "" when none */
	int risk;            /* enum bk_risk */
	bool has_cqc;
	int age_min, age_max;   /* -1 when not kept */
	int capacity_minutes;   /* in the referral's district; -1 when not kept */
	int32_t declined_on;    /* local day it declined this referral, INT32_MIN when it did not */
	int32_t expired_on;     /* local day its offer expired, INT32_MIN when none */
	bool handed_back;       /* it took this referral's package and handed it back */
	int32_t handed_back_on; /* then the local day it did */
};

struct match_referral {
	bool cqc_required;
	int age; /* -1 when not known */
	int hours_minutes;
};

struct match_candidate {
	const struct match_provider *provider;
	bool eligible;
	bool warning;     /* amber: eligible, offered with a warning */
	unsigned reasons; /* enum match_reason bits */
};

/* One candidate per provider, in the order given (rank order). */
void match_candidates(const struct match_referral *ref, const struct match_provider *providers, int n,
                      unsigned excluded_risks, struct match_candidate *out);

#define MATCH_MAX_REASONS 10
#define MATCH_REASON_LEN 320

/* Every reason in words, one per entry; returns how many (<= max). */
int match_reason_list(const struct match_candidate *c, char (*out)[MATCH_REASON_LEN], int max);

/* Every reason in words, joined with "; ": "embargoed: late visits;
 * declined on 23 Nov 2026". Returns the length written. */
size_t match_reasons_text(const struct match_candidate *c, char *buf, size_t len);
/* The short name of one reason bit: "embargoed", "risk red", ... */
const char *match_reason_name(unsigned bit);

#endif
