/* Answers that come in (issue 17): by mail (`mail-in`) or a file (`import
 * responses`). A reply whose token checks out, from one of the provider's
 * addresses, with a first line that reads as an answer, is PROPOSED to the
 * officer; anything else is kept for TRIAGE with the reason. Nothing is
 * applied by mail alone: an officer confirms a proposed answer, which is
 * then `referral respond` itself (same rules, refusals and audit), dated
 * when the message reached the council. */
#ifndef BK_INBOX_H
#define BK_INBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/brokerage.h"

/* One item with what the lists show beside it. */
struct bk_inbox_row {
	struct store_inbox item;
	char provider[128];   /* "" when none */
	int64_t referral_id;  /* the offer's referral, 0 when none */
	char case_ref[64];    /* "" when none */
	int64_t late_seconds; /* received after the offer's deadline by this much; 0 when not late */
	bool offer_open;      /* the offer still waits for this answer */
};
typedef int (*bk_inbox_fn)(void *ud, const struct bk_inbox_row *r);
/* Open items (or every item): proposed first, oldest first. Officers and up. */
enum bk_status bk_inbox_each(struct bk_ctx *ctx, bool open_only, bk_inbox_fn fn, void *ud);
/* One item; body (may be NULL) gets the message text kept, malloc'd:
 * untrusted text, to be shown only through the sanitising draw functions. */
enum bk_status bk_inbox_get(struct bk_ctx *ctx, int64_t id, struct bk_inbox_row *out, char **body);
/* "accept from 2026-12-01", "decline (capacity): words", "info: question". */
void bk_inbox_answer_words(const struct store_inbox *x, char *buf, size_t len);
/* "2 days 3 hours" */
void bk_inbox_late_words(int64_t seconds, char *buf, size_t len);

/* Read one message (its first len bytes of whole; whole > len when it was
 * too big to be read whole) and record it: one transaction. */
struct bk_mail_in_result {
	int64_t id;     /* the inbox item, 0 when none was recorded */
	bool proposed;  /* else triage */
	bool duplicate; /* its Message-ID was received before: nothing recorded */
	char reason[512];
};
enum bk_status bk_mail_in(struct bk_ctx *ctx, const char *data, size_t len, size_t whole,
                          struct bk_mail_in_result *res);

/* Apply a proposed answer: `referral respond` on its offer in the same
 * transaction as the item is marked confirmed; the answer's time is when
 * the message reached the council, within [offer sent, now]. */
enum bk_status bk_inbox_confirm(struct bk_ctx *ctx, int64_t id);
/* What confirming would do now (rolled back): the respond's own preview. */
enum bk_status bk_inbox_preview_confirm(struct bk_ctx *ctx, int64_t id, struct bk_plan *out);
enum bk_status bk_inbox_reject(struct bk_ctx *ctx, int64_t id, const char *reason);
/* The officer says which offer an item answers: its text is read again as
 * an answer to that offer (proposed when it reads, else still triage). */
enum bk_status bk_inbox_match(struct bk_ctx *ctx, int64_t id, int64_t offer_id);

/* Is addr one of the provider's contact addresses (schema 4), case
 * ignored? (core/provider_email.c) */
bool bk_provider_has_email(struct bk_ctx *ctx, int64_t provider_id, const char *addr);

#endif
