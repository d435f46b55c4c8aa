/* Private to core/: helpers the actions share. */
#ifndef BK_CORE_INTERNAL_H
#define BK_CORE_INTERNAL_H

#include <jansson.h>
#include <stdarg.h>

#include "core/brokerage.h"
#include "storage/store_data.h"

#if defined(__GNUC__)
#define BK_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define BK_PRINTF(a, b)
/* Record an answer that came in (core/inbox.c) with its audit event, in
 * the caller's transaction; BK_CONFLICT when its message id is there. */
enum bk_status bk_inbox_record(struct bk_ctx *ctx, struct store_inbox *x, const char *body, int64_t referral_id);

#endif

/* Set ctx->msg and return status. */
enum bk_status bk_fail(struct bk_ctx *ctx, enum bk_status status, const char *fmt, ...) BK_PRINTF(3, 4);
/* Refuse unless the actor's role may. */
enum bk_status bk_require(struct bk_ctx *ctx, enum policy_perm perm);
/* One action's transaction: begin (the policy and the actor's record read
 * again), fn, then commit when fn says BK_OK, roll back otherwise. When
 * the store says the transaction failed for a reason worth running it
 * again (store_retry_wanted: on PostgreSQL a serialization failure or a
 * deadlock, or the connection lost before COMMIT was sent), it is rolled
 * back and fn runs again from the start, at most BK_TX_TRIES times with a
 * short growing pause, then the failure is said in words. So fn reads,
 * decides by policy and checks versions itself, and sets its outputs from
 * scratch; ctx->msg, warning and mail_queued end as after one clean run.
 * A busy database (the wait was as long as allowed) is not run again.
 * Inside an open transaction (a batch) fn runs once, in a savepoint: the
 * batch's own bk_tx_run runs the whole again. */
#define BK_TX_TRIES 5
typedef enum bk_status (*bk_tx_fn)(struct bk_ctx *ctx, void *ud);
enum bk_status bk_tx_run(struct bk_ctx *ctx, bk_tx_fn fn, void *ud);
/* The same, always rolled back: a preview or a check writes nothing (its
 * warning and queued mail are dropped too). */
enum bk_status bk_tx_try(struct bk_ctx *ctx, bk_tx_fn fn, void *ud);

/* Audit: append an event with before/after JSON (either may be NULL). The
 * JSON strings are freed. */
enum bk_status bk_audit(struct bk_ctx *ctx, const char *action, const char *entity, int64_t entity_id,
                        int64_t referral_id, char *before, char *after);
/* The same with JSON objects, which are consumed; no text round trip. */
enum bk_status bk_audit_obj(struct bk_ctx *ctx, const char *action, const char *entity, int64_t entity_id,
                            int64_t referral_id, json_t *before, json_t *after);
/* An audit event for a referral or an offer: the whole record when before
 * is NULL, else the id and the fields that changed. The history reports
 * read (an offer's deadlines and requests for information, a referral's
 * lot, district and hours) is written with it. */
enum bk_status bk_audit_referral(struct bk_ctx *ctx, const char *action, const struct store_referral *before,
                                 const struct store_referral *after);
enum bk_status bk_audit_offer(struct bk_ctx *ctx, const char *action, const struct store_offer *before,
                              const struct store_offer *after);
/* A record as the audit trail writes it (json_dumps with JSON_COMPACT |
 * JSON_SORT_KEYS | JSON_ENSURE_ASCII, byte for byte); NULL as json_dumps
 * gives it. The caller frees it; o is kept. */
char *bk_audit_canonical(json_t *o);
json_t *bk_referral_obj(const struct store_referral *r);
json_t *bk_offer_obj(const struct store_offer *o);
json_t *bk_provider_obj(const struct store_provider *p);
json_t *bk_spot_obj(const struct store_spot *s);
json_t *bk_staff_obj(const struct store_staff *s);
char *bk_provider_json(const struct store_provider *p);
char *bk_spot_json(const struct store_spot *s);
char *bk_staff_json(const struct store_staff *s);
char *bk_text_json(const char *key, const char *value);
/* An instant as "2026-11-25T17:00:00Z"; null for 0 (not set). */
json_t *bk_json_time(int64_t t);

/* The council's policy: read it at open (recording the seed as the first
 * policy where there is none); record a whole policy (in a transaction);
 * write the lots and districts it names into their tables. */
enum bk_status bk_policy_open(struct bk_ctx *ctx, const struct bk_settings *seed, const char *opened_by, bool creating);
enum bk_status bk_policy_record_first(struct bk_ctx *ctx, const struct bk_settings *p, const char *source,
                                      const char *opened_by);
enum bk_status bk_record_reference(struct bk_ctx *ctx);
/* A ranking as its audit events and the replay write it: the providers'
 * names in rank order, joined by " | " (name appended at *off). */
void bk_ranking_join(char *buf, size_t len, size_t *off, const char *name);
/* The policy's audit events name it as record 1 of entity "policy". */
#define BK_POLICY_RECORD 1
/* The policy as recorded, key -> value; STORE_NOT_FOUND before the first. */
enum store_status bk_policy_recorded(struct store *st, json_t **out);

/* Free text for a field of the one table (core/text.c: note, reason,
 * question, justification, decision-note, key-decision, name,
 * provider-name, embargo) into out: blank counts as empty, lengths are
 * characters, controls and invalid UTF-8 are refused, in words. */
enum bk_status bk_text(struct bk_ctx *ctx, const char *key, const char *value, char *out, size_t outlen,
                       const char *what /* put before the reason: "--name", or NULL */);

/* Read a referral for an action, checking the version the user saw. */
enum bk_status bk_referral_for_action(struct bk_ctx *ctx, int64_t id, int64_t expect_version, struct store_referral *r);
/* Apply a workflow move, or refuse in words. */
enum bk_status bk_move(struct bk_ctx *ctx, struct store_referral *r, enum wf_action a);
/* The same for a move back to where it was (resume, spot reject). */
enum bk_status bk_move_back(struct bk_ctx *ctx, struct store_referral *r, enum wf_action a, enum wf_status resume_to);
/* Save a referral changed by an action, with its audit event. */
enum bk_status bk_referral_save(struct bk_ctx *ctx, const char *action, const struct store_referral *before,
                                struct store_referral *after);

/* After an offer changes: confirm an acceptance, approach the next
 * providers, or mark the referral exhausted, per the cascade policy.
 * Counters (may be NULL) are added to. */
struct bk_advance {
	int approached;
	int sourced;
	int exhausted;
	char first_provider[512]; /* the first provider approached, for messages */
	char amber[256];          /* the amber-risk providers approached, for the warning */
	int64_t first_deadline;
};
enum bk_status bk_advance(struct bk_ctx *ctx, struct store_referral *r, struct bk_advance *out);
/* The same, with the referral's offers already read in this transaction:
 * every one, in the store's order (store_offer_each_for_referral), as they
 * now stand (the sweep, which has just expired some of them). */
enum bk_status bk_advance_offers(struct bk_ctx *ctx, struct store_referral *r, const struct store_offer *v, size_t n,
                                 struct bk_advance *out);

/* The candidates for a referral, in rank order (caller frees *out). */
enum bk_status bk_candidates(struct bk_ctx *ctx, const struct store_referral *r, struct bk_candidate_view **out,
                             int *n);

/* Could provider p take referral r now, by the match rules (inactive,
 * embargo, excluded risk, CQC for the lot, ages, capacity when given, -1
 * when not kept)? Reasons in ignore (enum match_reason bits) do not count.
 * Refuses in words; *amber (may be NULL) is set when it may, with a warning. */
enum bk_status bk_provider_fits(struct bk_ctx *ctx, const struct store_referral *r, const struct store_provider *p,
                                int capacity, unsigned ignore, bool *amber);

/* The duplicate rule, the one place it is decided: a case has one referral
 * per lot and panel date (no panel date counts as one date). Refuses in
 * words naming the referral it duplicates; except_id is the referral
 * itself on an edit. *dup_id (may be NULL) gets that referral's id. */
enum bk_status bk_referral_duplicate(struct bk_ctx *ctx, const char *case_ref, int lot, int32_t panel_date,
                                     int64_t except_id, int64_t *dup_id);

/* Mail (core/mail.c), inside the action's transaction: the first
 * approach of an offer just made, and the notice of an offer that ended
 * without the provider's doing. Nothing when mail is off or the provider
 * has no address (a phone offer), or, for a notice, when the offer did not
 * go out by mail. */
enum bk_mail_notice {
	BK_NOTICE_PAUSED,       /* the referral was paused */
	BK_NOTICE_WITHDRAWN,    /* the referral was withdrawn */
	BK_NOTICE_PLACED,       /* another provider's acceptance was confirmed */
	BK_NOTICE_NOT_SELECTED, /* it accepted, and a higher rank won (parallel) */
	BK_NOTICE_SPOT,         /* the package goes to a spot purchase */
};
enum bk_status bk_mail_queue_offer(struct bk_ctx *ctx, const struct store_referral *r, const struct store_offer *o);
enum bk_status bk_mail_queue_notice(struct bk_ctx *ctx, const struct store_offer *o, enum bk_mail_notice why);
/* The sweep's chasers: one reminder for each open offer that went out by
 * mail, once its deadline is policy mail_chase_hours away; each referral's
 * in its own transaction. */
enum bk_status bk_mail_chase(struct bk_ctx *ctx, int *queued);
/* After a commit: deliver what the transaction queued (and anything else
 * due). Never changes ctx->msg or the caller's status. */
void bk_mail_after_commit(struct bk_ctx *ctx);
/* Deliver every message due now through ctx->mail_command (res may be NULL). */
enum bk_status bk_mail_deliver_due(struct bk_ctx *ctx, struct bk_mail_flush_result *res);

/* Withdraw every open or unconfirmed offer of r, with a reason; the
 * providers told by mail why (notice). */
enum bk_status bk_withdraw_offers(struct bk_ctx *ctx, const struct store_referral *r, const char *reason,
                                  enum bk_mail_notice notice, int *count);

/* Sweep one referral (the demo generator uses this to age one referral). */
enum bk_status bk_sweep_referral(struct bk_ctx *ctx, int64_t id, struct bk_sweep_result *res);

/* Every record (referrals, offers, spot requests, providers, staff)
 * replayed from its audit events and compared with the record stored:
 * each that differs is reported once, naming the field and the event.
 * Adds to *problems. Part of check --deep and of restore's checks. */
enum store_status bk_check_content(struct store *st, bk_check_report_fn report, void *ud, int *problems);

enum bk_status bk_parse_status(struct bk_ctx *ctx, const struct store_referral *r, enum wf_status *s);

/* Record an answer that came in (core/inbox.c) with its audit event, in
 * the caller's transaction; BK_CONFLICT when its message id is there. */
enum bk_status bk_inbox_record(struct bk_ctx *ctx, struct store_inbox *x, const char *body, int64_t referral_id);

#endif
