/* Policy: the cascade (which providers to approach next, which acceptance
 * wins), who may do what, separation of duties, the key-decision threshold.
 * Pure functions over plain values. */
#ifndef BK_POLICY_H
#define BK_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "core/settings.h"

enum bk_role { ROLE_OFFICER, ROLE_TEAM_LEADER, ROLE_SUPERVISOR, ROLE_ADMIN, ROLE_COUNT };

const char *policy_role_name(enum bk_role r);
const char *policy_role_title(enum bk_role r);        /* "team leader" */
const char *policy_role_with_article(enum bk_role r); /* "a team leader", "an administrator" */
bool policy_role_parse(const char *name, enum bk_role *out);

enum policy_perm {
	PERM_READ,           /* see referrals, providers, reports */
	PERM_WORK_REFERRALS, /* record, send, answers, pause, withdraw, end, spot request */
	PERM_APPROVE_REFERRAL,
	PERM_ASSIGN,
	PERM_ESCALATE,
	PERM_EDIT_PROVIDERS, /* providers and rankings */
	PERM_DECIDE_SPOT,
	PERM_MANAGE_STAFF,
	PERM_SWEEP,
	PERM_BACKUP,     /* a full copy of special-category data */
	PERM_RESTORE,    /* replace the whole database */
	PERM_SET_POLICY, /* the council's rules */
	PERM_COUNT
};

/* May role do perm? When not, *why names the roles that may. */
bool policy_may(enum bk_role role, enum policy_perm perm, const char **why);

/* ---- the cascade ---- */

enum policy_slot_state {
	SLOT_NONE,     /* not approached on this referral */
	SLOT_OPEN,     /* offer sent or waiting for information */
	SLOT_ACCEPTED, /* accepted, not yet confirmed */
	SLOT_CLOSED,   /* declined, expired or withdrawn */
};

struct policy_slot {
	bool eligible; /* from matching */
	enum policy_slot_state state;
};

#define POLICY_MAX_SEND 32

struct policy_plan {
	int send[POLICY_MAX_SEND]; /* slot indexes to approach now, in rank order */
	int n_send;
	int confirm;            /* slot whose acceptance is confirmed, -1 when none */
	bool waiting_on_higher; /* an acceptance waits for higher ranks to answer */
	bool exhausted;         /* nobody open, nobody left to approach */
};

/* Slots in rank order. Sequential keeps one offer open at a time; parallel
 * keeps up to batch open; an acceptance is confirmed only when no
 * higher-ranked offer is still open, so rank wins. */
void policy_cascade(enum bk_cascade cascade, int batch, const struct policy_slot *slots, int n,
                    struct policy_plan *plan);

/* ---- spot purchases ---- */

/* Separation of duties: a supervisor may decide a request, never their own. */
bool policy_may_decide_spot(int64_t decider_id, enum bk_role decider_role, int64_t requester_id, const char **why);
/* A request whose annual cost reaches the threshold needs a key-decision reference. */
bool policy_needs_key_decision(int64_t annual_cost, int64_t threshold);

#endif
