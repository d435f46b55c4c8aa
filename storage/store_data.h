/* Storage for reports, import, export and the data-protection duties:
 * whole-table reads for reports, the import's duplicate check, erasure
 * under the retention rules and the checkpoint that makes it final. */
#ifndef BK_STORE_DATA_H
#define BK_STORE_DATA_H

#include "storage/store.h"

/* The facts of a referral that reports are built from: all immutable once
 * set (created, sourced, closed), so a report for a past date can be
 * worked out from today's rows. */
struct store_report_referral {
	int64_t id;
	char case_ref[64];
	int lot;
	char district[64];
	int hours_minutes;
	int32_t panel_date; /* STORE_NO_DATE when none */
	int64_t created_at;
	enum wf_status status;
	int64_t sourced_at; /* 0 when not sourced */
	int64_t sourced_provider_id;
	char route[12]; /* "", framework, spot */
	int64_t weekly_cost;
	int32_t ended_on;            /* STORE_NO_DATE when not ended */
	int64_t closed_at;           /* 0 when open */
	int64_t spot_framework_rate; /* the lot's rate recorded on its approved spot request, -1 when none */
	char holder[64];             /* login, "" when nobody */
	bool erased;
};
typedef int (*store_report_referral_fn)(void *ud, const struct store_report_referral *r);
/* Every referral, in id order. */
enum store_status store_report_referrals_each(struct store *st, store_report_referral_fn fn, void *ud);
/* The referrals neither sourced nor closed before `since` (a sourced_at or
 * closed_at of 0 counts as none), those that may have been waiting at some
 * moment from since on, in no particular order (sought through the index
 * referral_span, not read from the table), with only id, panel_date,
 * created_at, sourced_at and closed_at read (the rest zero, ended_on
 * STORE_NO_DATE, spot rate -1): when each waited, for counting (the waiting
 * report's weeks). */
enum store_status store_report_referral_spans(struct store *st, int64_t since, store_report_referral_fn fn, void *ud);

/* A package that was in place and was handed back (issue 17): the
 * referral's sourced facts as they were, read from the rows kept. A
 * framework package is its accepted, confirmed offer marked handed back:
 * sourced when the acceptance was confirmed (the offer.confirm event; its
 * answer when there is none), its weekly cost left for core to work out
 * (-1) from the provider's rate (provider_rate, 0 when it has none) or the
 * lot's, and the hours then. A spot package is an approved spot request
 * followed by a referral.hand-back event: sourced when it was approved,
 * with its own weekly cost, hours and framework rate. lot, district and
 * hours are as referral_fact recorded them when it was sourced (the
 * referral's own when it has none). The package in place now is not one
 * of them: it is the referral's own sourced columns. */
struct store_report_placement {
	int64_t referral_id;
	int64_t provider_id;
	bool spot;
	int64_t from;  /* sourced */
	int64_t until; /* the hand-back recorded */
	int lot;
	char district[64];
	int hours_minutes;
	int64_t weekly_cost;    /* -1 for a framework package: core works it out */
	int64_t provider_rate;  /* the provider's own hourly rate, 0 when none */
	int64_t framework_rate; /* a spot package's recorded framework rate, -1 for framework */
};
typedef int (*store_report_placement_fn)(void *ud, const struct store_report_placement *p);
/* Every package handed back, by referral and then when it was sourced. */
enum store_status store_report_placements_past(struct store *st, store_report_placement_fn fn, void *ud);

/* An offer with the moment it stopped being open: answered_at for an
 * answer, the time of its expiry or withdrawal event otherwise; 0 while
 * open. */
struct store_report_offer {
	int64_t id;
	int64_t referral_id;
	int64_t provider_id;
	int rank;
	enum wf_offer_status status;
	bool confirmed;
	int64_t sent_at;
	int64_t deadline_at;
	int64_t answered_at;
	int64_t info_requested_at;
	int64_t info_supplied_at;
	int64_t closed_at;
	char reason[512];
	char decline_code[32];  /* schema 6: "" when none (or declined before codes were kept) */
	char via[16];           /* how the answer came, "" when not said */
	int64_t recorded_at;    /* when the answer was typed in, 0 when not kept */
	int64_t handed_back_at; /* 0 when not handed back */
	int32_t handed_back_on; /* STORE_NO_DATE when not */
};
typedef int (*store_report_offer_fn)(void *ud, const struct store_report_offer *o);
/* Offers sent in [sent_from, sent_to), ordered by referral then sending. */
enum store_status store_report_offers_each(struct store *st, int64_t sent_from, int64_t sent_to,
                                           store_report_offer_fn fn, void *ud);
/* Offers sent in [sent_from, sent_to) in the order of their ids, without
 * closed_at (0: the event that closed an expired or withdrawn one is not
 * looked up): one pass over the offers, for the response report. */
enum store_status store_report_offers_sent(struct store *st, int64_t sent_from, int64_t sent_to,
                                           store_report_offer_fn fn, void *ud);
/* The rows of the waiting report: every referral neither sourced nor
 * closed before `at` (a sourced_at or closed_at of 0 counts as none), in no
 * particular order, to on_referral, with id, panel_date, created_at,
 * sourced_at, closed_at, case_ref, status, holder, and the lot, district
 * and hours they had just before at where referral_fact recorded them
 * (their own where it did not). The rest is zero, ended_on STORE_NO_DATE,
 * the spot rate -1 (a referral may come more than once, each time its
 * rows resume: a server need not keep a referral's offers together).
 * Among them, each after its referral, in no particular order (match them
 * by referral_id), the offers of those referrals sent before at, to
 * on_offer, with id, referral_id,
 * provider_id, rank, status, sent_at, deadline_at, answered_at and
 * closed_at read (the rest zero or empty), the deadline in force just
 * before at (the last set before it; 0 when the history has none) and
 * whether its clock was stopped then (information asked for before at and
 * not supplied before it). */
struct store_waiting_offer {
	struct store_report_offer o;
	int64_t deadline_then;
	bool stopped_then;
};
typedef int (*store_waiting_offer_fn)(void *ud, const struct store_waiting_offer *w);
enum store_status store_report_waiting(struct store *st, int64_t at, store_report_referral_fn on_referral,
                                       store_waiting_offer_fn on_offer, void *ud);
/* How SQLite runs the spans and the waiting rows, one step a line (the
 * tests hold them to their indexes); refused on PostgreSQL. */
enum store_status store_report_waiting_plan(struct store *st, char *buf, size_t len);

/* ---- history: what an offer and a referral were at any moment ---- */

/* Why an offer's deadline is what it is from set_at on. */
enum store_deadline_reason {
	STORE_DEADLINE_SENT,   /* when it was sent */
	STORE_DEADLINE_INFO,   /* moved later by information supplied */
	STORE_DEADLINE_POLICY, /* moved by an administrator's change of policy */
	STORE_DEADLINE_BEFORE, /* known only from before the history was kept */
};
const char *store_deadline_reason_name(enum store_deadline_reason r);
struct store_offer_deadline {
	int64_t offer_id;
	int64_t deadline_at;
	int64_t set_at;
	enum store_deadline_reason reason;
};
struct store_offer_info {
	int64_t offer_id;
	int64_t requested_at;
	int64_t supplied_at; /* 0 while the council owes it */
};
enum store_status store_offer_deadline_add(struct store *st, int64_t offer_id, int64_t deadline_at, int64_t set_at,
                                           enum store_deadline_reason why);
enum store_status store_offer_info_asked(struct store *st, int64_t offer_id, int64_t requested_at,
                                         const char *question);
/* The request still waiting on this offer is answered at supplied_at. */
enum store_status store_offer_info_supplied(struct store *st, int64_t offer_id, int64_t supplied_at);
typedef int (*store_offer_deadline_fn)(void *ud, const struct store_offer_deadline *d);
typedef int (*store_offer_info_fn)(void *ud, const struct store_offer_info *i);
/* The deadlines set, then the requests for information made, before
 * `before` on the offers of one referral, each by offer then in time. */
enum store_status store_offer_history_of_referral(struct store *st, int64_t referral_id, int64_t before,
                                                  store_offer_deadline_fn on_deadline, store_offer_info_fn on_info,
                                                  void *ud);

/* The deadlines set, then the requests for information made, on the
 * offers with ids id_lo .. id_hi, each by offer then in time: the histories
 * of a run of offers read at once (the response report). */
enum store_status store_offer_history_between(struct store *st, int64_t id_lo, int64_t id_hi,
                                              store_offer_deadline_fn on_deadline, store_offer_info_fn on_info,
                                              void *ud);

/* The lot, district and hours a referral had from valid_from on. */
struct store_referral_fact {
	int64_t valid_from;
	int lot;
	char district[64];
	int hours_minutes;
};
enum store_status store_referral_fact_add(struct store *st, int64_t referral_id, int64_t valid_from, int lot,
                                          const char *district, int hours_minutes);
/* What held just before `at`; STORE_NOT_FOUND before the referral existed. */
enum store_status store_referral_fact_at(struct store *st, int64_t referral_id, int64_t at,
                                         struct store_referral_fact *out);

/* The referral of this case, lot and panel date (the duplicate rule):
 * its id in *id, 0 when there is none; except_id is never found. */
enum store_status store_referral_exists(struct store *st, const char *case_ref, int lot, int32_t panel_date,
                                        int64_t except_id, int64_t *id);

/* Erase a referral's personal data (case reference, note, age, reasons,
 * spot justifications and notes) and the payloads of its audit events.
 * The referral keeps its lot, district, dates and costs. Bumps its version. */
enum store_status store_referral_erase(struct store *st, int64_t id);

/* Copy the write-ahead log into the database and empty it. *busy is set
 * when another connection kept part of the log from being copied. */
enum store_status store_checkpoint(struct store *st, bool *busy);

/* SHA-256 of data as 64 hex digits and a NUL. */
void store_sha256_hex(const void *data, size_t len, char hex[65]);

#endif
