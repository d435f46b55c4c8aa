/* The officer's worklist: the open referrals one member of staff holds (or
 * everyone's), each with why it needs them now, decided here once; and what
 * changed for them since they last looked. A read model: nothing written. */
#ifndef BK_CORE_WORKLIST_H
#define BK_CORE_WORKLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/brokerage.h"

/* Why a referral is on the worklist, most pressing first. Those before
 * WORK_WAITING need the officer now; the rest are shown behind a filter. */
enum bk_work_reason {
	WORK_INFO_OWED,      /* a provider asked for information: its clock stops until we give it */
	WORK_LATE,           /* a provider's answer is past its deadline (not yet swept) */
	WORK_DUE,            /* a provider's answer is due today or on the next working day */
	WORK_EXHAUSTED,      /* no framework provider is left and no spot purchase is asked for */
	WORK_SEND,           /* new or ready: to send to the providers */
	WORK_START_PASSED,   /* the wanted start date has passed and nobody is sourced */
	WORK_WAITING,        /* with a provider, the answer not due yet */
	WORK_SPOT_REQUESTED, /* with a supervisor */
	WORK_PAUSED,
	WORK_SOURCED,
	WORK_REASON_COUNT
};
/* Why it needs the user in words, the longest form in at most max
 * characters ("clock stopped: we owe information", "clock
 * stopped: owe info", "stopped: owe info"); the shortest when none fits. */
const char *bk_work_reason_fit(enum bk_work_reason r, size_t max);

/* What changed since the user last looked, as bits. */
enum {
	WORK_CHANGED_EXPIRED = 1,   /* an offer expired unanswered */
	WORK_CHANGED_EXHAUSTED = 2, /* it became exhausted */
	WORK_CHANGED_TO_YOU = 4,    /* reassigned to the user */
	WORK_CHANGED_AWAY = 8,      /* reassigned away from the user */
};

struct bk_work_row {
	int64_t id, version;
	char case_ref[40];
	char district[32];
	enum wf_status status;
	char provider[128]; /* the open offer's provider, or the one sourced; "" none */
	char holder[32];
	int lot, hours_minutes;
	int rank, ranked; /* the open offer's rank, of those ranked */
	bool urgent;
	bool clock_stopped; /* the open offer waits for information we owe: no deadline runs */
	bool breached;      /* wf_breached */
	bool overdue;       /* wf_overdue */
	int64_t deadline;   /* the answer due, 0 when none (or the clock is stopped) */
	enum rag rag;       /* wf_rag of that deadline at the time of reading */
	int32_t start_date; /* wanted start; INT32_MIN when none */
	int waited_days, waited_working_days;
	enum bk_work_reason reason;
	bool needs_you;   /* reason < WORK_WAITING */
	unsigned changed; /* WORK_CHANGED_* since the user last looked */
};

struct bk_worklist_query {
	int64_t holder_id; /* 0: everyone's */
	bool sourced;      /* the sourced packages too (they come after the rest) */
	bool sourced_only; /* only the sourced packages */
	/* Read from the index alone, for a first screen at once: the wanted
	 * start dates are not read, so no row has WORK_START_PASSED yet (the
	 * full read follows). */
	bool quick;
	int64_t id; /* with quick: only this referral (0: every one) */
};
typedef int (*bk_work_fn)(void *ud, const struct bk_work_row *row);
enum bk_status bk_worklist(struct bk_ctx *ctx, const struct bk_worklist_query *q, bk_work_fn fn, void *ud);

/* The staff who may hold referrals (active, in a role that works them),
 * each with their open caseload: the open referrals they hold, sourced
 * packages too (the reassign list shows it). */
struct bk_caseload {
	const struct store_staff *staff;
	enum bk_role role;
	int open;
};
typedef int (*bk_caseload_fn)(void *ud, const struct bk_caseload *c);
enum bk_status bk_caseloads(struct bk_ctx *ctx, bk_caseload_fn fn, void *ud);

/* What changed for staff_id since `since` (0: nothing is reported). */
struct bk_work_change {
	int64_t referral_id;
	unsigned what;
};
struct bk_work_changes {
	int expired, exhausted, to_you, away;
	struct bk_work_change *v;
	size_t n, cap;
};
enum bk_status bk_worklist_changes(struct bk_ctx *ctx, int64_t staff_id, int64_t since, struct bk_work_changes *out);
void bk_worklist_changes_free(struct bk_work_changes *c);
unsigned bk_worklist_changed(const struct bk_work_changes *c, int64_t referral_id);
/* When the user (ctx's actor) last looked at their worklist, kept with
 * their staff record (*at 0: never, or no staff record); and marking that
 * they look now (ctx->now), which a read-only database keeps as it was.
 * The mark is not audited: it is where one person got to in reading, not a
 * change to a referral or to what anyone decided. */
enum bk_status bk_worklist_last_looked(struct bk_ctx *ctx, int64_t *at);
enum bk_status bk_worklist_mark_looked(struct bk_ctx *ctx);

/* The orders the worklist offers, each stable-sort ready (ties by id). */
int bk_work_cmp_due(const void *a, const void *b);      /* what needs you, soonest due first */
int bk_work_cmp_breached(const void *a, const void *b); /* breached first, then due */
int bk_work_cmp_urgent(const void *a, const void *b);   /* urgent first, then due */
int bk_work_cmp_case(const void *a, const void *b);     /* by case reference */
int bk_work_cmp_waited(const void *a, const void *b);   /* longest waiting first */
/* The waiting list's order: longest waiting first, then most working days
 * waited, then by id (the order bk_waiting_first counts the first screen in). */
int bk_work_cmp_waiting(const void *a, const void *b);

#endif
