/* The brokerage core: what the faces (command line, screens) call. Each
 * action is one transaction: it reads, checks with the pure rules, writes
 * and appends its audit events, or changes nothing and says why in
 * ctx->msg. Nothing here prints, reads the terminal, the environment or
 * the clock: the caller hands in who is acting and when. */
#ifndef BK_BROKERAGE_H
#define BK_BROKERAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/calendar.h"
#include "core/match.h"
#include "core/money.h"
#include "core/policy.h"
#include "core/settings.h"
#include "core/workflow.h"
#include "storage/records.h"

struct json_t;

/* Every outcome, with the exit code the command line gives it. */
enum bk_status {
	BK_OK = 0,       /* done */
	BK_REFUSED = 1,  /* validation or a rule said no; nothing changed */
	BK_USAGE = 2,    /* the command was not given right */
	BK_CONFLICT = 3, /* someone else changed it first; nothing changed */
	BK_STORAGE = 4,  /* storage or system failure */
};
const char *bk_status_name(enum bk_status s);

struct bk_actor {
	char login[64];
	int64_t staff_id; /* 0 when the login has no staff record */
	enum bk_role role;
	char name[512];
};

struct bk_ctx {
	const struct bk_settings *settings; /* the council's policy in force: &policy once open */
	struct bk_settings policy;          /* read from the database; reread when another program changes it */
	int64_t policy_generation;          /* the database's count of policy changes when it was read */
	bool policy_recorded;               /* false: a database without one yet (the seed stands in) */
	struct cal_rules cal;
	struct store *store;
	struct bk_actor actor;
	char run_by[64];      /* "" or, while the system acts (the sweep), the login whose program runs it */
	int64_t now;          /* UTC seconds */
	bool test_mode;       /* the database was made with init --test-mode */
	bool inspect_only;    /* opened to inspect (check, backup, audit): never written */
	struct bk_plan *plan; /* core's own: while a preview runs, what the action does is noted here */
	char msg[1024];       /* what happened, or why not, in words */
	char warning[1024];   /* what the user should know of an action that was done (an amber provider); "" none */
	/* Mail: the host's sendmail-compatible command (brokerage.conf
	 * mail_command), set by the face after opening; NULL: messages wait in
	 * the outbox for `mail flush` or the sweep. */
	const char *mail_command;
	int mail_queued;      /* core's own: messages written in the open transaction, delivered after its commit */
	bool mail_delivering; /* core's own: delivery under way */
};

/* ---- opening ---- */

struct bk_open_opts {
	const char *path;
	bool create; /* init and demo only */
	bool readonly;
	bool allow_remote;
	bool inspect_only; /* check, backup, audit: never write, not even the configured lots */
	bool shared;       /* shared deployment (setgid): database files for the group */
	const char *login; /* who opened it, for the record of a first policy (may be NULL) */
	int64_t now;       /* when, for the same record */
	bool inspect;      /* check, audit verify: opened read-only, nothing made beside the file */
};
/* Open the database and read the council's policy from it. seed is the
 * policy of a database that has none yet: what `init` records, or, for a
 * database made before the policy lived in it, what is recorded (audited)
 * as its first policy. Callers give the system file's policy or the
 * built-in defaults, never anything personal. */
enum bk_status bk_open(struct bk_ctx *ctx, const struct bk_settings *seed, const struct bk_open_opts *o);
void bk_close(struct bk_ctx *ctx);
/* For --version: the schema version this program writes, the SQLite and
 * the PostgreSQL client library (libpq) in use. */
int bk_schema_version(void);
const char *bk_sqlite_version(void);
const char *bk_libpq_version(void);
/* Make a new database; the login becomes its first administrator. */
enum bk_status bk_init(struct bk_ctx *ctx, const char *login, const char *name, bool test_mode);
/* Who is acting: the login must have an active staff record. as_override
 * is true for --as, which only a test-mode database accepts. */
enum bk_status bk_identify(struct bk_ctx *ctx, const char *login, bool as_override);

typedef void (*bk_check_report_fn)(void *ud, const char *what);

/* ---- the database, its checks and its audit trail (core/lookup.c) ---- */
bool bk_readonly(const struct bk_ctx *ctx);    /* the file cannot be written by this user */
const char *bk_path(const struct bk_ctx *ctx); /* the database file ("" when none is open) */
/* Does db (--db, the configuration's database) name a PostgreSQL database
 * rather than a file? */
bool bk_db_is_server(const char *db);
/* A cheap number that changes when another program commits. */
enum bk_status bk_data_version(struct bk_ctx *ctx, int64_t *v);
struct bk_check_result {
	int problems;   /* each was passed to report */
	int64_t events; /* audit events checked */
	int schema_version;
};
/* check: integrity, foreign keys, schema, the audit chain and the anchor
 * file beside the database; deep adds the workflow's invariants and every
 * record against its replayed audit events. BK_OK when the check ran
 * (res->problems says what it found); else msg says why it could not. */
enum bk_status bk_check(struct bk_ctx *ctx, bool quick, bool deep, bk_check_report_fn report, void *ud,
                        struct bk_check_result *res);
/* A verified copy to dest (PERM_BACKUP); the head of the trail it holds. */
enum bk_status bk_backup(struct bk_ctx *ctx, const char *dest, int64_t *head_seq,
                         char head_hex[2 * STORE_HASH_BYTES + 1]);
/* Move the team: copy the open database into another, verified on
 * arrival (every table's count, the audit chain ending at the same event
 * with the same hash); all or nothing (storage/copy.c). With to_server,
 * the open database is a file and conninfo names an empty PostgreSQL
 * database; else the open database is that PostgreSQL one and file names
 * the new file. Administrators. BK_USAGE when a name is of the wrong kind. */
struct bk_migrate_result {
	int64_t tables, rows, events, head_seq;
	char head_hex[2 * STORE_HASH_BYTES + 1];
	char target[1024]; /* as it may be shown (no password) */
};
enum bk_status bk_migrate(struct bk_ctx *ctx, bool to_server, const char *conninfo, const char *file,
                          struct bk_migrate_result *out);
enum bk_status bk_audit_verify(struct bk_ctx *ctx, struct store_verify *out);
/* The newest event (0 when none) and its hash in hex. */
enum bk_status bk_audit_head(struct bk_ctx *ctx, int64_t *seq, char hex[2 * STORE_HASH_BYTES + 1]);
typedef int (*bk_event_fn)(void *ud, const struct store_event *e);
/* Audit events by the filter (PERM_READ); the caller records the read. */
enum bk_status bk_audit_each(struct bk_ctx *ctx, const struct store_event_filter *f, bk_event_fn fn, void *ud);
/* Anchors, the audit head kept outside the file: the anchor file's path
 * (false when none); record the head (nothing on a read-only database;
 * never a reason to refuse); after a restore; check a file,
 * which is an anchor file or a backup of this database. */
bool bk_anchor_path(const struct bk_ctx *ctx, char *buf, size_t len);
void bk_anchor_record(struct bk_ctx *ctx, int64_t now);
void bk_anchor_restored(struct bk_ctx *ctx, int64_t now);
enum bk_status bk_anchor_check(struct bk_ctx *ctx, const char *file, struct store_anchor_check *out);
/* How a restore in the shared deployment takes back the group's rights. */
void bk_set_keep_access(struct bk_ctx *ctx, const struct store_keep_access *acc);

/* ---- the stored records, read (PERM_READ; core/lookup.c) ---- */
typedef int (*bk_referral_fn)(void *ud, const struct store_referral *r);
typedef int (*bk_offer_fn)(void *ud, const struct store_offer *o);
typedef int (*bk_staff_fn)(void *ud, const struct store_staff *s);
typedef int (*bk_provider_fn)(void *ud, const struct store_provider *p);
typedef int (*bk_capacity_fn)(void *ud, const char *district, int minutes);
typedef int (*bk_rank_fn)(void *ud, const struct store_rank *r);
typedef int (*bk_ranked_fn)(void *ud, int rank, const struct store_provider *p, int capacity_minutes);
enum bk_status bk_referral_get(struct bk_ctx *ctx, int64_t id, struct store_referral *out);
enum bk_status bk_referral_each(struct bk_ctx *ctx, const struct store_referral_filter *f, bk_referral_fn fn, void *ud);
/* A referral's offers, in the order sent. */
enum bk_status bk_offer_each(struct bk_ctx *ctx, int64_t referral_id, bk_offer_fn fn, void *ud);
enum bk_status bk_staff_each(struct bk_ctx *ctx, bk_staff_fn fn, void *ud);
enum bk_status bk_provider_each(struct bk_ctx *ctx, bk_provider_fn fn, void *ud);
enum bk_status bk_provider_get(struct bk_ctx *ctx, int64_t id, struct store_provider *out);
enum bk_status bk_provider_find(struct bk_ctx *ctx, const char *name, struct store_provider *out);
/* Open offers (sent or waiting for information) a provider holds. */
enum bk_status bk_provider_open_offers(struct bk_ctx *ctx, int64_t provider_id, int64_t *n);
/* The referrals where a provider holds those open offers, earliest deadline
 * first, at most max of them (an embargo's confirmation names them). */
typedef int (*bk_held_fn)(void *ud, int64_t referral_id, const char *case_ref);
enum bk_status bk_provider_open_offer_referrals(struct bk_ctx *ctx, int64_t provider_id, int max, bk_held_fn fn,
                                                void *ud);
/* Declared capacity, minutes a week per district (-1 when not kept). */
enum bk_status bk_capacity_each(struct bk_ctx *ctx, int64_t provider_id, bk_capacity_fn fn, void *ud);
enum bk_status bk_capacity_get(struct bk_ctx *ctx, int64_t provider_id, const char *district, int *minutes);
/* Rankings (lot 0 / district NULL: all), by lot, district, rank; the
 * providers ranked for one lot and district with their capacity there. */
enum bk_status bk_ranking_each(struct bk_ctx *ctx, int lot, const char *district, bk_rank_fn fn, void *ud);
enum bk_status bk_ranked_providers_each(struct bk_ctx *ctx, int lot, const char *district, bk_ranked_fn fn, void *ud);

/* Replace the database with a verified backup (administrators); the
 * current contents are first copied to keep; the restore is audited. */
enum bk_status bk_restore(struct bk_ctx *ctx, const char *src, const char *keep);

/* ---- the council's policy ---- */
/* Who set each key and when; recorded false for a key still at its
 * built-in default (a key newer than the database's policy). */
struct bk_policy_origin {
	bool recorded;
	char set_by[64];
	int64_t set_at;
};
enum bk_status bk_policy_origins(struct bk_ctx *ctx, struct bk_policy_origin origin[BK_SET_COUNT]);
/* Read the policy again if another program changed it (every action's
 * transaction does this; screens call it when the data changed). */
enum bk_status bk_policy_refresh(struct bk_ctx *ctx);
/* One key's value as JSON (jansson's json_t; the caller owns it). */
struct json_t *bk_policy_value(const struct bk_settings *s, enum bk_setting_id k);

/* An open offer whose deadline the new rules would move. */
struct bk_deadline_move {
	struct store_offer offer;
	char case_ref[64];
	char provider[128];
	int64_t old_deadline, new_deadline;
};
struct bk_policy_change {
	bool changed[BK_SET_COUNT];
	int n_changed;
	struct bk_deadline_move *moves; /* every open offer whose deadline the new rules would move */
	int n_moves;
	bool applied;
	bool moved;          /* applied, and the open offers' deadlines moved */
	char warnings[1024]; /* lots or districts dropped while open referrals are in them */
};
/* Compare next with the policy in force: what changes, and every open
 * offer whose deadline would move. Changes nothing unless apply; then one
 * audited transaction, and the open offers' deadlines move only when
 * move_open (the administrator's decision, recorded either way).
 * Administrators only. Free with bk_policy_change_finish. */
enum bk_status bk_policy_load(struct bk_ctx *ctx, const struct bk_settings *next, bool apply, bool move_open,
                              struct bk_policy_change *c);
void bk_policy_change_finish(struct bk_policy_change *c);

/* ---- staff ---- */
enum bk_status bk_staff_add(struct bk_ctx *ctx, const char *login, const char *name, const char *role);
enum bk_status bk_staff_set_role(struct bk_ctx *ctx, const char *login, const char *role);
enum bk_status bk_staff_deactivate(struct bk_ctx *ctx, const char *login);

/* ---- providers and rankings ---- */
struct bk_provider_input {
	const char *name;
	const char *cqc;  /* NULL: unchanged (set) / none (add); "" clears */
	const char *ages; /* "0-18" */
	const char *risk;
	const char *pamms;
	const char *rate;    /* pounds */
	const char *embargo; /* reason; NULL unchanged */
	bool no_embargo;
	int active;                             /* -1 unchanged, 0, 1 */
	int framework;                          /* -1 unchanged (set) / framework (add), 0, 1 */
	const char *capacity[BK_MAX_DISTRICTS]; /* "DISTRICT=HOURS" */
	int n_capacity;
	const char *emails; /* "a@x.org,b@y.org"; NULL unchanged / none; "" clears */
};
/* The ages a provider serves, "FROM-TO" in whole years (0 to 120). */
bool bk_parse_ages(const char *text, int *lo, int *hi);
/* One capacity as `provider set --capacity` takes it, "DISTRICT=HOURS"
 * (HOURS "none": not kept): the district's index in the settings and the
 * minutes a week (-1: not kept); false, and why in msg, when it is not. */
bool bk_capacity_parse(const struct bk_settings *s, const char *text, int *district, int *minutes, char *msg,
                       size_t len);
enum bk_status bk_provider_add(struct bk_ctx *ctx, const struct bk_provider_input *in, int64_t *id);
/* Change a provider. open_offers (may be NULL) gets the number of open
 * offers it holds, for the warning shown when embargoing. */
enum bk_status bk_provider_set(struct bk_ctx *ctx, const struct bk_provider_input *in, int *open_offers);
enum bk_status bk_rank_set(struct bk_ctx *ctx, int lot, const char *district, const char *const *providers, int n);

/* ---- referrals ---- */
struct bk_referral_input {
	const char *case_ref;
	int lot;
	const char *district;
	const char *hours;
	const char *panel_date; /* YYYY-MM-DD or NULL */
	const char *start;      /* YYYY-MM-DD or NULL */
	int age;                /* -1 when not given */
	int urgent;             /* 1 urgent, 0 not; for an edit -1 keeps it */
	const char *note;
};
enum bk_status bk_referral_new(struct bk_ctx *ctx, const struct bk_referral_input *in, int64_t *id);
/* Validate one field as the form would, without touching the database:
 * field is "case", "lot", "district", "hours", "panel-date", "start",
 * "date" (any day), "age", "rate", a spot request's "weeks", a provider's
 * "cqc" and "ages", or a text field's name.
 * Returns true when good, else msg says why. */
bool bk_validate_field(const struct bk_settings *s, const char *field, const char *value, char *msg, size_t len);
/* The same, and what depends on today (ctx->now): a panel date is not in
 * the future. The check the action itself makes, for the forms. */
bool bk_check_field(const struct bk_ctx *ctx, const char *field, const char *value, char *msg, size_t len);

/* expect_version 0: do not check. */
enum bk_status bk_referral_approve(struct bk_ctx *ctx, int64_t id, int64_t expect_version);
enum bk_status bk_referral_send(struct bk_ctx *ctx, int64_t id, int64_t expect_version);

enum bk_answer { BK_ANSWER_ACCEPT, BK_ANSWER_DECLINE, BK_ANSWER_INFO };
/* How an answer reaches the council (--via): "phone", "email", "post",
 * "in-person", "other"; NULL-terminated. */
extern const char *const bk_answer_vias[];
bool bk_answer_via_valid(const char *via);
/* A provider's answer as it reached the council. */
struct bk_response {
	const char *provider; /* the provider's name (its open offer on the referral is answered) */
	enum bk_answer answer;
	const char *text; /* accept: the start date (YYYY-MM-DD) or NULL; decline: the provider's words, optional
	                   * except with the code "other"; info: the question */
	const char *code; /* decline only: the policy's decline code keyword; NULL with words means "other" */
	int64_t at;       /* when the answer reached the council (UTC); 0 means now. Refused, in words, when before
	                   * the offer was sent (or its last request for information or supply) or after now. It is
	                   * what the deadline and the reports count; when it was typed in is kept beside it. */
	const char *via;  /* a bk_answer_vias word, or NULL when not said */
	int64_t offer_id; /* 0: the provider's offer; else this offer, which must be that provider's latest on the
	                   * referral (provider may then be NULL) */
};
enum bk_status bk_referral_answer(struct bk_ctx *ctx, int64_t id, int64_t expect_version,
                                  const struct bk_response *answer);
/* The same for one offer by its id (the mail inbox knows the offer, not
 * the referral): its referral and provider; answer->offer_id is ignored. */
enum bk_status bk_offer_answer(struct bk_ctx *ctx, int64_t offer_id, int64_t expect_version,
                               const struct bk_response *answer);
/* The same with text only, received now, by a channel not said. */
enum bk_status bk_referral_respond(struct bk_ctx *ctx, int64_t id, int64_t expect_version, const char *provider,
                                   enum bk_answer answer, const char *text /* start date, reason or question */);
enum bk_status bk_referral_info_supplied(struct bk_ctx *ctx, int64_t id, int64_t expect_version, const char *provider);
enum bk_status bk_referral_pause(struct bk_ctx *ctx, int64_t id, int64_t expect_version, const char *reason);
enum bk_status bk_referral_resume(struct bk_ctx *ctx, int64_t id, int64_t expect_version);
enum bk_status bk_referral_withdraw(struct bk_ctx *ctx, int64_t id, int64_t expect_version, const char *reason);
enum bk_status bk_referral_end(struct bk_ctx *ctx, int64_t id, int64_t expect_version, const char *date);
/* The provider hands a sourced package back (date: the day, YYYY-MM-DD,
 * NULL for today; not before it was sourced, not in the future): the
 * referral searches again from the top of the ranking without it. */
enum bk_status bk_referral_hand_back(struct bk_ctx *ctx, int64_t id, int64_t expect_version, const char *reason,
                                     const char *date);
enum bk_status bk_referral_assign(struct bk_ctx *ctx, int64_t id, int64_t expect_version, const char *login);
enum bk_status bk_referral_escalate(struct bk_ctx *ctx, int64_t id, int64_t expect_version, const char *reason);
/* Change facts: any NULL / -1 field is kept. */
enum bk_status bk_referral_edit(struct bk_ctx *ctx, int64_t id, int64_t expect_version,
                                const struct bk_referral_input *in);

/* ---- what a referral looks like now ---- */
struct bk_offer_view {
	struct store_offer offer;
	char provider[512];
};
struct bk_candidate_view {
	int64_t provider_id;
	char provider[512];
	int rank;
	bool eligible;
	bool warning;
	unsigned reasons;
	char reasons_text[1200];                          /* the reasons joined with "; " */
	char reason[MATCH_MAX_REASONS][MATCH_REASON_LEN]; /* each reason, for lists */
	int n_reasons;
	bool offered;                      /* it has an offer on this referral */
	enum wf_offer_status offer_status; /* then its latest offer's status */
};
struct bk_spot_view {
	struct store_spot spot;
	char provider[512];
	char requested_by[64];
	char decided_by[64];
	int64_t premium_weekly; /* over the lot's framework rate, pence */
	bool needs_key_decision;
};
struct bk_referral_view {
	struct store_referral r;
	char holder[64];
	char sourced_provider[512];
	struct bk_offer_view *offers;
	int n_offers;
	struct bk_candidate_view *candidates;
	int n_candidates;
	struct bk_spot_view *spots;
	int n_spots;
	/* derived */
	int64_t next_deadline;      /* earliest open offer's deadline, 0 when none */
	char current_provider[512]; /* the open offer with the earliest deadline */
	int current_rank;
	bool clock_stopped; /* that offer waits for information the council owes: its clock is stopped */
	int ranked;         /* providers ranked for its lot and district */
	int waited_days, waited_working_days;
};
enum bk_status bk_referral_load(struct bk_ctx *ctx, int64_t id, bool with_candidates, struct bk_referral_view **out);
/* The framework providers ranked for a lot and district that could take a
 * package of that age and hours now, by the match rules, in rank order. */
typedef int (*bk_candidate_fn)(void *ud, const struct bk_candidate_view *c);
enum bk_status bk_fitting_providers(struct bk_ctx *ctx, int lot, const char *district, int age, int hours_minutes,
                                    bk_candidate_fn fn, void *ud);
void bk_referral_view_destroy(struct bk_referral_view *v);

/* One row of a referral list or the waiting list. */
struct bk_referral_row {
	const struct store_referral *r;
	const char *holder;
	const char *current_provider;        /* "" when no open offer */
	enum wf_offer_status current_status; /* that offer: sent, or info_requested (its clock is stopped) */
	int current_rank;
	int ranked;
	int64_t next_deadline; /* 0 when none */
	int waited_days, waited_working_days;
	bool breached;      /* wf_breached(): still waiting, and a provider missed a deadline */
	bool overdue;       /* an offer whose clock runs is past its deadline, not yet swept */
	bool clock_stopped; /* the current offer waits for information: no deadline runs */
};
typedef int (*bk_referral_row_fn)(void *ud, const struct bk_referral_row *row);
enum bk_status bk_referral_list(struct bk_ctx *ctx, const struct store_referral_filter *f, bk_referral_row_fn fn,
                                void *ud);
/* The waiting list's keys (from its index alone): each unsourced
 * referral's id, lot, district and days waited, counted as the rows of
 * bk_referral_list count them. For a first screen before the rows. */
struct bk_waiting_key {
	int64_t id;
	int lot;
	const char *district;
	int waited_days;
};
typedef int (*bk_waiting_key_fn)(void *ud, const struct bk_waiting_key *k);
enum bk_status bk_waiting_keys(struct bk_ctx *ctx, bk_waiting_key_fn fn, void *ud);
/* Sorts keys by time waited, longest first (then id), and returns how many
 * of them the first `want` rows of the waiting list in that order can come
 * from: the first `want` and every other key that waited exactly as long as
 * the last of them (the list breaks such ties by working days, then id). */
int bk_waiting_first(struct bk_waiting_key *keys, int n, int want);

/* ---- previews: what an action would do now ---- */
#define BK_PLAN_MAX 16
struct bk_plan {
	int approached;                  /* providers the cascade approaches */
	char provider[BK_PLAN_MAX][128]; /* the first BK_PLAN_MAX of them, in the order approached */
	int rank[BK_PLAN_MAX];
	int ranked;       /* providers ranked for the referral's lot and district */
	int64_t deadline; /* by when those approached must answer */
	bool sourced;     /* an acceptance is confirmed: the referral is sourced with... */
	char sourced_with[128];
	bool exhausted;                        /* no eligible framework provider is left */
	int withdrawn;                         /* open offers withdrawn, */
	char withdrawn_from[BK_PLAN_MAX][128]; /* the first BK_PLAN_MAX of them by provider */
};
/* What the action would do now: the action itself, run in a transaction
 * that is then rolled back, so a confirmation can never promise what the
 * action will not do. Nothing changes. The return value and ctx->msg are
 * what the action would give (its refusal in words, or what it would say
 * it did); *out says which providers it approaches, whether the referral
 * is sourced or exhausted and which offers it withdraws. Arguments are the
 * action's. */
enum bk_status bk_preview_send(struct bk_ctx *ctx, int64_t id, int64_t expect_version, struct bk_plan *out);
enum bk_status bk_preview_respond(struct bk_ctx *ctx, int64_t id, int64_t expect_version, const char *provider,
                                  enum bk_answer answer, const char *text, struct bk_plan *out);
enum bk_status bk_preview_answer(struct bk_ctx *ctx, int64_t id, int64_t expect_version,
                                 const struct bk_response *answer, struct bk_plan *out);
enum bk_status bk_preview_pause(struct bk_ctx *ctx, int64_t id, int64_t expect_version, const char *reason,
                                struct bk_plan *out);
enum bk_status bk_preview_hand_back(struct bk_ctx *ctx, int64_t id, int64_t expect_version, const char *reason,
                                    const char *date, struct bk_plan *out);
enum bk_status bk_preview_withdraw(struct bk_ctx *ctx, int64_t id, int64_t expect_version, const char *reason,
                                   struct bk_plan *out);
/* Information supplied: out->deadline is the offer's deadline moved on. */
enum bk_status bk_preview_info_supplied(struct bk_ctx *ctx, int64_t id, int64_t expect_version, const char *provider,
                                        struct bk_plan *out);

/* ---- the sweep ---- */
struct bk_sweep_result {
	int expired;
	int approached;
	int exhausted;
	int sourced;
	int ended;     /* packages whose planned end date came */
	int chased;    /* reminders queued for offers on their last day */
	int mail_sent; /* messages delivered */
};
/* The sweep acts as the system: its events are recorded with the actor
 * "system", and their after payload names the login whose program ran it
 * ("run_by"). */
enum bk_status bk_sweep(struct bk_ctx *ctx, struct bk_sweep_result *res);
/* Who ran the sweep that made an event, from its after payload (JSON text
 * or NULL): true with the login in buf, false for any other event. */
bool bk_event_run_by(const char *after, char *buf, size_t len);

/* ---- mail: offers, chasers and notices (issue 17, core/mail.c) ----
 * An action that approaches a provider with contact addresses (policy
 * mail_enabled) writes the message to the outbox in its own transaction;
 * after the commit it is piped to ctx->mail_command. A failed delivery is
 * tried again later, each wait twice the last (5 minutes, then 10, 20...;
 * at most 6 hours), and after BK_MAIL_MAX_ATTEMPTS failures it stops and
 * waits for an officer (bk_mail_retry). */
#define BK_MAIL_MAX_ATTEMPTS 5
struct bk_mail_view {
	struct store_outbox m;
	char provider[512];
	char case_ref[64];
	bool undelivered; /* not sent, and a delivery failed */
	char state[640];  /* "sent ...", "waiting to be sent", "not delivered: WHY (...)" */
};
typedef int (*bk_mail_fn)(void *ud, const struct bk_mail_view *v);
/* Messages not yet sent (waiting, failing or stopped), oldest first. */
enum bk_status bk_mail_list(struct bk_ctx *ctx, bk_mail_fn fn, void *ud);
/* A referral's messages, oldest first. */
enum bk_status bk_mail_of_referral(struct bk_ctx *ctx, int64_t referral_id, bk_mail_fn fn, void *ud);
struct bk_mail_flush_result {
	int sent;    /* taken by the mail command */
	int failed;  /* not taken: tried again later */
	int stopped; /* not taken, for the last time: an officer must look */
};
/* Deliver every message due now (the sweep does this too). */
enum bk_status bk_mail_flush(struct bk_ctx *ctx, struct bk_mail_flush_result *res);
/* Queue a stopped message again, its failures forgotten (after the
 * provider's addresses or the mail set-up are put right). */
enum bk_status bk_mail_retry(struct bk_ctx *ctx, int64_t id);
/* A message's state in words: "sent Wed 25 Nov 2026 10:00", "waiting to be
 * sent", "not delivered: WHY (attempt 2 of 5; next try ...)". */
void bk_mail_state(const struct store_outbox *m, char *buf, size_t len);
/* The stored words: offer, chaser, notice; queued, sent, stopped. */
const char *bk_mail_kind_name(enum store_mail_kind k);
const char *bk_mail_status_name(enum store_mail_status s);
/* The Chase list: what an officer chases today. */
enum bk_chase_kind {
	BK_CHASE_DUE_TODAY,   /* an open offer whose deadline is today */
	BK_CHASE_UNDELIVERED, /* a message that failed to go (failing, or stopped for an officer) */
	BK_CHASE_INFO,        /* a provider asked for information: the council must answer */
};
struct bk_chase_row {
	enum bk_chase_kind kind;
	int64_t referral_id, offer_id, message_id; /* message_id: undelivered only (0 otherwise) */
	char case_ref[64];
	char provider[512];
	char holder[64]; /* the officer holding the referral, "" when nobody */
	int64_t when;    /* due: the deadline; undelivered: first queued; info: when asked */
	bool stopped;    /* undelivered: it stopped, an officer must act */
	char what[640];  /* in words: the deadline, the delivery's state, the question */
};
typedef int (*bk_chase_fn)(void *ud, const struct bk_chase_row *r);
/* The rows in that order: due today (earliest deadline first), then
 * undelivered (stopped first, then oldest), then information asked
 * (oldest first). */
enum bk_status bk_chase_list(struct bk_ctx *ctx, bk_chase_fn fn, void *ud);
const char *bk_chase_kind_name(enum bk_chase_kind k);
/* A provider's contact addresses as typed ("a@x.org, b@y.org"), checked
 * and normalised into out ("a@x.org,b@y.org"); "" clears them. */
enum bk_status bk_parse_emails(struct bk_ctx *ctx, const char *text, char *out, size_t len);

/* ---- spot purchases ---- */
struct bk_spot_input {
	int64_t referral_id;
	int64_t expect_version;
	const char *provider;
	const char *rate;
	const char *hours;
	int weeks;
	const char *why;
};
enum bk_status bk_spot_request(struct bk_ctx *ctx, const struct bk_spot_input *in, int64_t *id);
/* What bk_spot_request would do with in, by the same checks, writing
 * nothing: BK_OK with the costs, or the refusal it would give (ctx->msg),
 * so a confirmation never comes before a refusal. */
struct bk_spot_quote {
	char provider[512];
	int64_t rate, framework_rate, weekly_cost, annual_cost, premium_weekly; /* pence */
	int minutes;
	bool needs_key_decision;
	bool amber; /* the provider is rated amber risk: a warning */
};
enum bk_status bk_spot_check(struct bk_ctx *ctx, const struct bk_spot_input *in, struct bk_spot_quote *out);
/* The off-framework providers a spot request for the referral may name:
 * active, not embargoed, and fitting it by the match rules; with the rate
 * each has on record (0 when none). fn returns non-zero to stop. */
struct bk_spot_provider {
	int64_t id;
	const char *name;
	int64_t rate;
	bool amber;
};
typedef int (*bk_spot_provider_fn)(void *ud, const struct bk_spot_provider *p);
enum bk_status bk_spot_providers(struct bk_ctx *ctx, int64_t referral_id, bk_spot_provider_fn fn, void *ud);
enum bk_status bk_spot_decide(struct bk_ctx *ctx, int64_t id, bool approve, const char *note, const char *key_decision);
typedef int (*bk_spot_fn)(void *ud, const struct bk_spot_view *v);
enum bk_status bk_spot_list(struct bk_ctx *ctx, bool pending_only, bk_spot_fn fn, void *ud);

/* ---- demo data ---- */
/* Fill a freshly initialised test-mode database with staff, providers,
 * rankings and referrals through the real actions. progress may be NULL. */
typedef void (*bk_progress_fn)(void *ud, int done, int total);
enum bk_status bk_demo(struct bk_ctx *ctx, int referrals, uint32_t seed, bk_progress_fn progress, void *ud);

/* ---- helpers shared by the faces ---- */
/* Staff login for an id ("" when none); provider name for an id. */
void bk_staff_login(struct bk_ctx *ctx, int64_t id, char *buf, size_t len);
void bk_provider_name(struct bk_ctx *ctx, int64_t id, char *buf, size_t len);
/* The status and message of a storage failure, as the user should see it. */
enum bk_status bk_from_store(struct bk_ctx *ctx, enum store_status s);
/* Text as a JSON string (jansson's json_t) for output: text that is not
 * valid UTF-8 is cleaned (U+FFFD); JSON null for NULL. The caller owns it. */
struct json_t;
struct json_t *bk_json_text(const char *s);

#endif
