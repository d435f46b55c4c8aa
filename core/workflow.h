/* The referral and offer state machines as tables: every legal move, and
 * for every illegal one a sentence that says why. Pure. */
#ifndef BK_WORKFLOW_H
#define BK_WORKFLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "storage/records.h" /* the status enums: plain values, no functions */

struct cal_rules;


enum wf_action {
	WF_APPROVE, /* team leader approves a new referral */
	WF_SEND,    /* first approach */
	WF_SOURCE,  /* an acceptance is confirmed */
	WF_EXHAUST, /* no eligible provider left */
	WF_REOPEN,  /* a ranking change brings a candidate back (exhausted -> searching) */
	WF_SPOT_REQUEST,
	WF_SPOT_APPROVE,
	WF_SPOT_REJECT,
	WF_PAUSE,
	WF_RESUME,
	WF_WITHDRAW,
	WF_END,
	WF_ESCALATE,  /* team leader allows an early spot request */
	WF_RESPOND,   /* record a provider's answer */
	WF_EDIT,      /* change the referral's facts or holder */
	WF_UNAPPROVE, /* what a team leader approved changed: approve again (ready -> new) */
	WF_HAND_BACK, /* the provider hands a sourced package back: search again (sourced -> searching) */
	WF_ACTION_COUNT
};


enum wf_offer_action {
	WF_OFFER_ACCEPT,
	WF_OFFER_DECLINE,
	WF_OFFER_ASK_INFO,
	WF_OFFER_INFO_SUPPLIED,
	WF_OFFER_EXPIRE,
	WF_OFFER_WITHDRAW,
	/* an answer that reached the council by the deadline, recorded after
	 * the sweep expired the offer (the action checks the time) */
	WF_OFFER_ACCEPT_IN_TIME,
	WF_OFFER_DECLINE_IN_TIME,
	WF_OFFER_ACTION_COUNT
};

const char *wf_status_name(enum wf_status s);
bool wf_status_parse(const char *name, enum wf_status *out);
bool wf_status_open(enum wf_status s);    /* not ended or withdrawn */
bool wf_status_waiting(enum wf_status s); /* on the waiting list: not sourced, ended or withdrawn */
const char *wf_action_name(enum wf_action a);

const char *wf_offer_status_name(enum wf_offer_status s);
bool wf_offer_status_parse(const char *name, enum wf_offer_status *out);
bool wf_offer_open(enum wf_offer_status s); /* sent or info_requested */
const char *wf_spot_status_name(enum wf_spot_status s);

/* The move a referral in `from` makes under `a`. For WF_RESUME, resume_to
 * is the status it was paused from; for WF_SPOT_REJECT, the status it was
 * in before the request (new, ready, searching or exhausted; anything else
 * gives exhausted). Returns false and sets *why when the
 * move is illegal; `to` is then unchanged. WF_RESPOND and WF_EDIT leave
 * the status as it is when legal. */
/* Breached, the one meaning every list, screen and report uses: a
 * referral still waiting on which a provider has missed a deadline, that
 * is an offer expired unanswered, or an offer open past the deadline in
 * force and not waiting for information the council owes (its clock is
 * stopped). earliest_running is the earliest deadline in force, at `at`,
 * of the open offers whose clock runs; 0 when none. */
bool wf_breached(bool waiting, bool expired_unanswered, int64_t earliest_running, int64_t at);
/* Overdue now: an offer whose clock runs is past its deadline at `at` and
 * has not yet been expired by the sweep (a minute at most, normally). */
bool wf_overdue(int64_t earliest_running, int64_t at);

bool wf_referral_move(enum wf_status from, enum wf_action a, enum wf_status resume_to, enum wf_status *to,
                      const char **why);

bool wf_offer_move(enum wf_offer_status from, enum wf_offer_action a, enum wf_offer_status *to, const char **why);

/* RAG: how close a deadline is. Red when past; amber when due today or on
 * the next working day; green later; none without a deadline (0). The one
 * meaning every screen colours by. */
enum rag { RAG_NONE, RAG_GREEN, RAG_AMBER, RAG_RED };
enum rag wf_rag(const struct cal_rules *cal, int64_t deadline, int64_t now);
/* Working time left, short enough for a list column: "2wd 5h" (whole
 * working days after today to the deadline's day, and the hours left
 * today), "3h", "40m", "late 1wd", "late 2h", "-" without a deadline. */
void wf_time_left(const struct cal_rules *cal, int64_t deadline, int64_t now, char *buf, size_t len);
/* The same in words for a page: "1 working day 5 hours left", "late by 2
 * working days". */
void wf_time_left_words(const struct cal_rules *cal, int64_t deadline, int64_t now, char *buf, size_t len);

#endif
