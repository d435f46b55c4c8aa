/* An audit event in a sentence: what a person (or the sweep) did, in the
 * words the screens use, from the event's action, entity and before/after
 * JSON. Pure: it reads only what it is given. */
#ifndef BK_DESCRIBE_H
#define BK_DESCRIBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/workflow.h"

/* "sent the referral to provider 6 (rank 1); answer due Thu 5 Dec 2024
 * 17:00", "status changed from searching to sourced; sourced with provider
 * 6; weekly cost set to £106.00". Never a raw field name; an id stands for
 * a provider or a member of staff ("provider 6") only where the event
 * records no name. Money as £; times and dates in the configured zone. */
void bk_event_sentence(const char *action, const char *entity, const char *before, const char *after, char *buf,
                       size_t len);

/* Names the caller knows (e.g. a referral's view: its candidates, offers
 * and spot requests), so the sentence can say "Acme Care" for provider 30.
 * Each function may be NULL, and returns NULL (or "") when it does not
 * know the id. ascii: money as "GBP 1.00" rather than "£1.00". */
struct bk_event_names {
	const char *(*provider)(void *ud, int64_t provider_id);
	const char *(*offer_provider)(void *ud, int64_t offer_id);
	const char *(*staff)(void *ud, int64_t staff_id);
	void *ud;
	bool ascii;
};
void bk_event_sentence_named(const struct bk_event_names *names, const char *action, const char *entity,
                             const char *before, const char *after, char *buf, size_t len);

/* A status as a person says it: "information requested", "spot requested",
 * "sourced"; the text itself when it is not a status. */
const char *bk_status_words(const char *status);

/* The same for the records' statuses: "information requested". */
const char *bk_referral_status_words(enum wf_status s);
const char *bk_offer_status_words(enum wf_offer_status s);

/* Would send (s) do anything for a referral in this status: a move the
 * workflow allows, and not a new referral still waiting for a team
 * leader's approval. The screens offer the key only where it does. */
bool bk_send_applies(bool require_approval, enum wf_status status);

/* Would x ask for anything for a referral in this status: a spot purchase
 * is asked once the framework is exhausted, or earlier for an urgent
 * referral a team leader escalated, where the workflow allows the move. */
bool bk_spot_applies(enum wf_status status, bool escalated);

/* An audit event's action in a few words, for a column beside the
 * sentence: "referral sent", "offer expired", "ranking changed"; an action
 * it does not know as "entity verb" ("referral frobnicate"). Returns buf. */
const char *bk_action_words(const char *action, char *buf, size_t len);

#endif
