/* The records the database holds, as plain values: what storage reads and
 * writes and what core hands to the faces. No functions and no SQLite here,
 * so that core/brokerage.h can give the records to tui without storage's
 * functions (store.h includes this; tui never includes store.h). */
#ifndef BK_RECORDS_H
#define BK_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STORE_NO_DATE INT32_MIN /* a day number that is not set */
#define STORE_HASH_BYTES 32

enum store_status {
	STORE_OK = 0,
	STORE_NOT_FOUND, /* no such row */
	STORE_CONFLICT,  /* the row changed since it was read (version) or a unique key exists */
	STORE_REFUSED,   /* a constraint or trigger said no */
	STORE_ERROR,     /* anything else: disk, corruption, locked too long */
	STORE_RETRY,     /* the transaction was stopped for a reason that running it again may cure
	                  * (PostgreSQL: a serialization failure, a deadlock, the connection lost
	                  * before COMMIT was sent): store_retry_wanted */
};

/* The statuses of referrals, offers and spot requests. Each list gives
 * the enum and its stored text, which is also the name core writes in
 * JSON and the audit trail (wf_status_name and the like): the words are
 * written here once. Storage converts at the SQL boundary; the rules are
 * in core/workflow.h. */
#define WF_STATUS_LIST(X)                      \
	X(WF_NEW, "new")                       \
	X(WF_READY, "ready")                   \
	X(WF_SEARCHING, "searching")           \
	X(WF_SOURCED, "sourced")               \
	X(WF_ENDED, "ended")                   \
	X(WF_EXHAUSTED, "exhausted")           \
	X(WF_SPOT_REQUESTED, "spot_requested") \
	X(WF_PAUSED, "paused")                 \
	X(WF_WITHDRAWN, "withdrawn")
#define WF_OFFER_STATUS_LIST(X)                      \
	X(WF_OFFER_SENT, "sent")                     \
	X(WF_OFFER_ACCEPTED, "accepted")             \
	X(WF_OFFER_DECLINED, "declined")             \
	X(WF_OFFER_EXPIRED, "expired")               \
	X(WF_OFFER_INFO_REQUESTED, "info_requested") \
	X(WF_OFFER_WITHDRAWN, "withdrawn")
#define WF_SPOT_STATUS_LIST(X)          \
	X(WF_SPOT_PENDING, "pending")   \
	X(WF_SPOT_APPROVED, "approved") \
	X(WF_SPOT_REJECTED, "rejected")

#define RECORDS_ENUM(e, text) e,
enum wf_status {
	WF_NO_STATUS = -1, /* none: the paused-from status of a referral that is not paused */
	WF_STATUS_LIST(RECORDS_ENUM) WF_STATUS_COUNT
};
enum wf_offer_status { WF_OFFER_STATUS_LIST(RECORDS_ENUM) WF_OFFER_STATUS_COUNT };
enum wf_spot_status { WF_SPOT_STATUS_LIST(RECORDS_ENUM) WF_SPOT_STATUS_COUNT };
#undef RECORDS_ENUM

struct store;

struct store_staff {
	int64_t id;
	char login[64];
	char name[512]; /* up to 100 characters of UTF-8 */
	char role[16];  /* officer, team_leader, supervisor, admin */
	bool active;
};

struct store_provider {
	int64_t id;
	char name[512]; /* up to 100 characters of UTF-8 */
	bool framework;
	char cqc_id[32];      /* "" when not registered */
	char pamms[24];       /* "" or excellent, good, requires-improvement, poor */
	char risk[8];         /* green, amber, red */
	char embargo[1024];   /* "" when not embargoed, else the reason */
	int age_min, age_max; /* -1 when not kept */
	int64_t rate;         /* pence/hour, 0 when not kept */
	bool active;
	char emails[1024]; /* contact addresses, "a@x.org,b@y.org"; "" when offers go by phone */
};

struct store_rank {
	int lot;
	char district[64];
	int rank;
	int64_t provider_id;
};

struct store_referral {
	int64_t id;
	char case_ref[64];
	int lot;
	char district[64];
	int hours_minutes;
	int32_t panel_date; /* STORE_NO_DATE when none */
	int32_t start_date; /* wanted start */
	int age;            /* -1 when not given */
	bool urgent;
	char note[8192];
	enum wf_status status;
	enum wf_status paused_from; /* status to resume to; counts (and is stored) only while paused */
	int64_t holder_id;          /* staff id, 0 when nobody */
	int64_t created_at;
	int64_t created_by;
	int64_t approved_by; /* 0 when not approved */
	bool escalated;      /* a team leader allowed an early spot request */
	int64_t sourced_at;  /* 0 when not sourced */
	int64_t sourced_provider_id;
	char route[12];          /* "", framework, spot */
	int64_t weekly_cost;     /* committed pence per week once sourced */
	int32_t ended_on;        /* STORE_NO_DATE when not ended */
	int64_t closed_at;       /* ended or withdrawn at, 0 when open */
	char close_reason[2048]; /* why it was last paused, escalated or withdrawn */
	int64_t version;
	bool erased;
};

struct store_referral_filter {
	const char *status;   /* NULL: any */
	bool open_only;       /* not sourced, ended or withdrawn */
	bool unsourced_only;  /* the waiting list: not sourced, ended, withdrawn */
	int64_t holder_id;    /* 0: any */
	int lot;              /* 0: any */
	const char *district; /* NULL: any */
	const char *case_ref; /* NULL: any */
	int64_t id;           /* 0: any; else that one referral (store_referral_rows_each, brief only) */
	/* Lists on screen: the referral's note, close reason, start date, age,
	 * route and cost, who created and approved it, and the paused-from
	 * status come back empty (store_referral_rows_each only). */
	bool brief;
	/* At most this many rows, the first in the list's order (SQL LIMIT,
	 * so the server sends no more); 0: all (store_referral_rows_each only). */
	int64_t limit;
};

struct store_referral_row {
	struct store_referral r;
	char holder[64];
	int64_t next_deadline; /* 0 when no open offer */
	int current_rank;
	char current_provider[128];
	enum wf_offer_status current_status; /* that offer's status: sent, or info_requested (clock stopped) */
	int ranked;
	bool expired_any;         /* unsourced, and an offer of it expired unanswered */
	int64_t running_deadline; /* unsourced: the earliest deadline of an offer whose clock runs (sent), 0 when none
	                           */
};

struct store_waiting_key {
	int64_t id;
	int lot;
	char district[64];
	int32_t panel_date; /* STORE_NO_DATE when none */
	int64_t created_at, sourced_at, closed_at;
};

struct store_offer {
	int64_t id;
	int64_t referral_id;
	int64_t provider_id;
	int rank; /* the provider's rank when sent */
	enum wf_offer_status status;
	bool confirmed; /* accepted and won (parallel: waits for higher ranks) */
	int64_t sent_at;
	int32_t received_on;
	int64_t deadline_at;
	int64_t answered_at; /* 0 when not answered */
	char reason[2048];   /* decline reason, info question, withdrawal reason */
	int32_t start_date;  /* accepted start, STORE_NO_DATE when none */
	int64_t info_requested_at;
	int64_t info_supplied_at;
	int64_t sent_by;
	/* schema 6: how the answer came */
	char via[16];           /* "" when not said; else a bk_answer_via word (phone, email, ...) */
	char decline_code[32];  /* a declined offer's code (the policy's keyword); "" when none */
	int64_t recorded_at;    /* when the answer was typed in (answered_at: when it was received); 0 none */
	int32_t handed_back_on; /* the day an accepted, sourced package was handed back; STORE_NO_DATE none */
	int64_t handed_back_at; /* when that hand-back was recorded, 0 when none */
};

/* A message in the outbox (schema 4): written in the transaction of the
 * action that sent it, delivered after the commit. */
enum store_mail_kind { STORE_MAIL_OFFER, STORE_MAIL_CHASER, STORE_MAIL_NOTICE, STORE_MAIL_KIND_COUNT };
enum store_mail_status {
	STORE_MAIL_QUEUED,  /* waiting to be delivered (again, after a failure: next_attempt_at) */
	STORE_MAIL_SENT,    /* the mail command took it */
	STORE_MAIL_STOPPED, /* failed too often: an officer must look */
	STORE_MAIL_STATUS_COUNT
};
struct store_outbox {
	int64_t id;
	char message_id[160]; /* without the angle brackets */
	enum store_mail_kind kind;
	int64_t offer_id, referral_id, provider_id;
	char recipients[1024]; /* "a@x.org,b@y.org" */
	enum store_mail_status status;
	int attempts;
	int64_t queued_at, next_attempt_at, last_attempt_at, sent_at; /* 0: not yet */
	char last_error[512];                                         /* "" when none */
	char claimed_by[96];                                          /* "host:pid" while a program delivers it */
	int64_t claimed_at;
};

struct store_spot {
	int64_t id;
	int64_t referral_id;
	int64_t provider_id;
	int64_t rate; /* pence per hour */
	int hours_minutes;
	int weeks;
	int64_t weekly_cost;
	int64_t annual_cost;
	int64_t framework_rate; /* the lot's framework rate when requested */
	char justification[4096];
	enum wf_spot_status status;
	int64_t requested_by;
	int64_t requested_at;
	int64_t decided_by; /* 0 when pending */
	int64_t decided_at;
	char note[4096];
	char key_decision[256];
};

struct store_event {
	int64_t seq;
	int64_t at;
	char actor[64];
	char action[48];
	char entity[24];
	int64_t entity_id;
	int64_t referral_id; /* 0 when not about a referral */
	const char *before;  /* JSON text or NULL; valid during the callback */
	const char *after;
	bool payload_erased;
	unsigned char prev_hash[STORE_HASH_BYTES];
	unsigned char hash[STORE_HASH_BYTES];
};

struct store_event_filter {
	int64_t referral_id; /* 0: any */
	int64_t since;       /* 0: any */
	const char *actor;   /* NULL: any */
	const char *action;  /* NULL: any */
	bool newest_first;
	int64_t limit; /* 0: no limit */
};

struct store_verify {
	int64_t events;    /* events checked */
	int64_t bad_seq;   /* first event that does not match, 0 when all do */
	char problem[256]; /* what is wrong with it */
};

struct store_anchor_check {
	bool found; /* the anchor was there to check */
	bool missing;
	int64_t heads;          /* heads checked */
	int64_t newest;         /* the newest event they name */
	int64_t unreadable;     /* lines that are not heads */
	int64_t before_restore; /* heads of a trail a restore replaced, not checked */
	int64_t bad_seq;        /* the first head the trail does not hold, 0 when all match */
	char problem[256];
};

/* An answer that came in (issue 17): proposed to an officer, or kept for
 * triage with the reason. Its message text is read apart (store_inbox_body). */
struct store_inbox {
	int64_t id;
	bool proposed;       /* else triage */
	char state[16];      /* "open", "confirmed", "rejected" */
	char source[8];      /* "mail", "import" */
	int64_t offer_id;    /* 0 when none */
	int64_t provider_id; /* 0 when none */
	char verb[8];        /* "accept", "decline", "info"; "" when none */
	char code[32];       /* a decline's code; "" when none */
	int32_t start_date;  /* an acceptance's start, STORE_NO_DATE when none */
	char words[2048];    /* a decline's words, the question; "" when none */
	int64_t received_at;
	int64_t read_at;
	char reason[512]; /* why it is in triage; "" when proposed */
	char sender[256];
	char subject[512];
	char message_id[256]; /* "" when none */
	int64_t decided_by;   /* 0 while open */
	int64_t decided_at;
	char decision[512];
};

/* How a restore takes back the group's rights to keep the current contents
 * (store_set_keep_access, bk_set_keep_access). */
struct store_keep_access {
	bool (*raise)(void *ud);
	void (*lower)(void *ud);
	void *ud;
};

#endif
