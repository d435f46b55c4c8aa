/* The brokerage database: one SQLite file. Only storage/ sees SQLite; the
 * rest of the program sees these records and functions. Every function that
 * can fail returns an enum store_status; store_errmsg() says why in words. */
#ifndef BK_STORE_H
#define BK_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "storage/records.h"

#define STORE_SCHEMA_VERSION 8

struct store;

struct store_open_opts {
	const char *path;
	bool create;       /* create the file if missing (init, demo) */
	bool readonly;     /* open read-only (browsing a file we cannot write) */
	bool allow_remote; /* accept a network filesystem */
	int busy_ms;       /* busy timeout, 0 means the default (5000) */
	bool shared;       /* shared deployment: a new file is made 0660 for the group */
	bool inspect;      /* check, audit verify: read only, and nothing made beside the file
	                    * (immutable when no -wal/-shm are there) */
};

/* Open (and migrate) the database. On failure *out is NULL and err says
 * what is wrong in words: missing directory, not a brokerage database,
 * written by a newer program, read-only, locked, corrupt. */
enum store_status store_open(const struct store_open_opts *opts, struct store **out, char *err, size_t errlen);
/* Does db name a PostgreSQL database (a postgresql:// or postgres:// URI,
 * or libpq's keyword=value settings) rather than a file? store_open then
 * connects to the server; store_path shows it without a password. */
bool store_is_conninfo(const char *db);
void store_close(struct store *st);
const char *store_errmsg(const struct store *st);
bool store_is_readonly(const struct store *st);
/* Is the database on a PostgreSQL server (not a file)? */
bool store_is_postgres(const struct store *st);
const char *store_path(const struct store *st);

/* One write transaction (BEGIN IMMEDIATE). Inside an open one, begin makes a
 * savepoint: commit releases it, rollback undoes only it. */
enum store_status store_begin(struct store *st);
enum store_status store_commit(struct store *st);
void store_rollback(struct store *st);
bool store_in_transaction(const struct store *st);
/* Did the write transaction now open (or just ended by a failure) fail
 * for a reason that running the whole of it again may cure: the server
 * could not serialize it with another, a deadlock, or the connection was
 * lost before its COMMIT was sent (the next begin connects again)? Never
 * for a busy database (the wait was already as long as allowed), nor a
 * connection lost during COMMIT (the change may have been saved). */
bool store_retry_wanted(const struct store *st);
/* Read snapshot for multi-statement reads (BEGIN DEFERRED). */
enum store_status store_begin_read(struct store *st);
/* A cheap number that changes when another connection commits. */
enum store_status store_data_version(struct store *st, int64_t *v);

int store_schema_version(struct store *st);
/* What this program is built for, without a database: the schema version it
 * writes, and the SQLite library it runs with (the one loaded, not the one
 * compiled against). */
int store_program_schema_version(void);
const char *store_sqlite_version(void);
const char *store_libpq_version(void);
/* A bigger page cache for bulk work (demo, import); the default stays small. */
enum store_status store_bulk_mode(struct store *st);

/* Key/value facts about the database: "test_mode", "created_at", ... */
enum store_status store_meta_get(struct store *st, const char *key, char *buf, size_t len);
enum store_status store_meta_set(struct store *st, const char *key, const char *value);

/* The council's policy, one row a key: value is JSON text that core
 * encodes and checks. Each key in key order; fn returns non-zero to stop. */
typedef int (*store_policy_fn)(void *ud, const char *key, const char *value, const char *set_by, int64_t set_at);
enum store_status store_policy_each(struct store *st, store_policy_fn fn, void *ud);
enum store_status store_policy_put(struct store *st, const char *key, const char *value, const char *set_by,
                                   int64_t set_at);

/* Checks: integrity, foreign keys, schema. Each problem is passed to report. */
typedef void (*store_report_fn)(void *ud, const char *what);
enum store_status store_check(struct store *st, bool quick, store_report_fn report, void *ud, int *problems);
/* Did the last failure find the database file damaged? */
bool store_is_damaged(const struct store *st);
/* Replace the database's contents with those of the backup src, online
 * (other users see the change at their next read). src is verified first,
 * as `check --deep` would (SQLite file, brokerage schema not newer,
 * integrity, foreign keys, audit chain, the workflow's invariants); when
 * keep is non-NULL the current contents are first backed up there, or,
 * when they are too damaged to be read through, copied byte for byte to
 * keep and keep-wal (then *kept_raw is set, if given). Nothing is
 * replaced unless every check passes. */
enum store_status store_restore(struct store *st, const char *src, const char *keep, bool *kept_raw, char *err,
                                size_t errlen);
/* In the shared deployment the program holds its group only to open the
 * database; a restore needs it once more to keep the current contents in
 * the group's directory: raise takes it back (false if it cannot), lower
 * gives it up again. Everything else, the backup read first, is done
 * without it. NULL when not shared. */
void store_set_keep_access(struct store *st, const struct store_keep_access *acc);

/* The invariants between tables (offers agree with referral statuses, one
 * open offer per rank, sourced referrals have their acceptance or approved
 * request, every change has its audit event). Adds to *problems. */
enum store_status store_check_deep(struct store *st, store_report_fn report, void *ud, int *problems);
/* Online backup to a new file (0600, never over an existing one), then an
 * integrity check of the copy; the copy is one self-contained file. */
enum store_status store_backup(struct store *st, const char *dest, char *err, size_t errlen);

/* ---- staff ---- */
enum store_status store_staff_add(struct store *st, struct store_staff *s);
enum store_status store_staff_by_login(struct store *st, const char *login, struct store_staff *out);
enum store_status store_staff_by_id(struct store *st, int64_t id, struct store_staff *out);
enum store_status store_staff_update(struct store *st, const struct store_staff *s);
typedef int (*store_staff_fn)(void *ud, const struct store_staff *s);
enum store_status store_staff_each(struct store *st, store_staff_fn fn, void *ud);
enum store_status store_staff_count(struct store *st, int64_t *n);
/* When a member of staff last looked at their worklist (UTC seconds, 0:
 * never), and its setting; STORE_NOT_FOUND when there is no such staff. */
enum store_status store_staff_last_looked(struct store *st, int64_t id, int64_t *at);
enum store_status store_staff_set_last_looked(struct store *st, int64_t id, int64_t at);

/* ---- lots and districts, as configured ---- */
/* Record a configured lot or district; *changed (may be NULL) says whether
 * the stored row was new or different. */
enum store_status store_lot_put(struct store *st, int number, const char *name, bool cqc_required, int64_t rate,
                                bool *changed);
enum store_status store_district_put(struct store *st, const char *name, bool *changed);

/* ---- providers ---- */
enum store_status store_provider_add(struct store *st, struct store_provider *p);
enum store_status store_provider_by_name(struct store *st, const char *name, struct store_provider *out);
enum store_status store_provider_by_id(struct store *st, int64_t id, struct store_provider *out);
enum store_status store_provider_update(struct store *st, const struct store_provider *p);
typedef int (*store_provider_fn)(void *ud, const struct store_provider *p);
enum store_status store_provider_each(struct store *st, store_provider_fn fn, void *ud);
/* Declared capacity in minutes per week for a district; -1 when not kept. */
enum store_status store_capacity_set(struct store *st, int64_t provider_id, const char *district, int minutes);
enum store_status store_capacity_get(struct store *st, int64_t provider_id, const char *district, int *minutes);
typedef int (*store_capacity_fn)(void *ud, const char *district, int minutes);
enum store_status store_capacity_each(struct store *st, int64_t provider_id, store_capacity_fn fn, void *ud);

/* ---- rankings ---- */
/* Replace the whole ordered list of one lot and district. */
enum store_status store_ranking_replace(struct store *st, int lot, const char *district, const int64_t *provider_ids,
                                        int n);
typedef int (*store_rank_fn)(void *ud, const struct store_rank *r);
/* lot 0 / district NULL: all. Ordered by lot, district, rank. */
enum store_status store_ranking_each(struct store *st, int lot, const char *district, store_rank_fn fn, void *ud);

/* The providers ranked for one lot and district, in rank order, each with
 * its declared capacity in that district (-1 when not kept): one query. */
typedef int (*store_ranked_fn)(void *ud, int rank, const struct store_provider *p, int capacity_minutes);
enum store_status store_ranked_providers_each(struct store *st, int lot, const char *district, store_ranked_fn fn,
                                              void *ud);

/* ---- referrals ---- */
enum store_status store_referral_add(struct store *st, struct store_referral *r);
enum store_status store_referral_get(struct store *st, int64_t id, struct store_referral *out);
/* Writes r with version r->version + 1 only if the stored version is
 * r->version; STORE_CONFLICT otherwise. On success r->version is bumped. */
enum store_status store_referral_update(struct store *st, struct store_referral *r);

typedef int (*store_referral_fn)(void *ud, const struct store_referral *r);
enum store_status store_referral_each(struct store *st, const struct store_referral_filter *f, store_referral_fn fn,
                                      void *ud);
enum store_status store_referral_count(struct store *st, int64_t *n);

/* A referral as lists show it: with its holder, its open offer with the
 * earliest deadline, how many providers are ranked for it, and the facts
 * core decides "breached" from. One query for the whole list. */
typedef int (*store_referral_row_fn)(void *ud, const struct store_referral_row *row);
enum store_status store_referral_rows_each(struct store *st, const struct store_referral_filter *f,
                                           store_referral_row_fn fn, void *ud);
/* The waiting list's keys, read from the index of unsourced referrals
 * alone: enough to count it by lot and district and to know which rows
 * come first in the order of time waited, before the rows are read. */
typedef int (*store_waiting_key_fn)(void *ud, const struct store_waiting_key *k);
enum store_status store_waiting_keys_each(struct store *st, store_waiting_key_fn fn, void *ud);
enum store_status store_referral_rows_plan(struct store *st, const struct store_referral_filter *f, char *buf,
                                           size_t len);

/* ---- offers ---- */
enum store_status store_offer_add(struct store *st, struct store_offer *o);
enum store_status store_offer_update(struct store *st, const struct store_offer *o);
typedef int (*store_offer_fn)(void *ud, const struct store_offer *o);
/* In the order sent. */
enum store_status store_offer_each_for_referral(struct store *st, int64_t referral_id, store_offer_fn fn, void *ud);
enum store_status store_offer_get(struct store *st, int64_t id, struct store_offer *out);
/* Open (sent) offers with deadline_at < now, oldest deadline first. */
enum store_status store_offer_each_overdue(struct store *st, int64_t now, store_offer_fn fn, void *ud);

/* Every open offer (sent or waiting for information), earliest deadline first. */
enum store_status store_offer_each_open(struct store *st, store_offer_fn fn, void *ud);
/* Open offers (sent or waiting for information) a provider holds. */
enum store_status store_offer_count_open_for_provider(struct store *st, int64_t provider_id, int64_t *n);

/* ---- the outbox (schema 4) ---- */
/* Queue a message; message is the whole RFC 5322 text. STORE_CONFLICT when
 * the offer already has a message of that kind (one offer, one chaser and
 * one notice an offer), so a second is never queued. */
enum store_status store_outbox_add(struct store *st, struct store_outbox *m, const char *message);
/* Whether the offer has a message of that kind. */
enum store_status store_outbox_has(struct store *st, int64_t offer_id, enum store_mail_kind kind, bool *has);
/* Messages to deliver now: queued, due by now, not claimed by a program
 * still working on them (claimed_by other than ignore_claim); ids into
 * ids (up to max), oldest first. */
enum store_status store_outbox_due(struct store *st, int64_t now, int64_t *ids, int max, int *n);
enum store_status store_outbox_get(struct store *st, int64_t id, struct store_outbox *out, char **message);
enum store_status store_outbox_update(struct store *st, const struct store_outbox *m);
typedef int (*store_outbox_fn)(void *ud, const struct store_outbox *m);
/* Every message of a referral (referral_id > 0), or every message not yet
 * sent (referral_id 0), oldest first. */
enum store_status store_outbox_each(struct store *st, int64_t referral_id, store_outbox_fn fn, void *ud);
const char *store_mail_kind_name(enum store_mail_kind k);
const char *store_mail_status_name(enum store_mail_status s);

/* ---- spot requests ---- */
enum store_status store_spot_add(struct store *st, struct store_spot *s);
enum store_status store_spot_get(struct store *st, int64_t id, struct store_spot *out);
enum store_status store_spot_update(struct store *st, const struct store_spot *s);
typedef int (*store_spot_fn)(void *ud, const struct store_spot *s);
enum store_status store_spot_each(struct store *st, bool pending_only, int64_t referral_id, store_spot_fn fn, void *ud);

/* ---- the audit trail ---- */
/* Append an event in the current transaction; the hash chains to the last. */
enum store_status store_audit_append(struct store *st, int64_t at, const char *actor, const char *action,
                                     const char *entity, int64_t entity_id, int64_t referral_id,
                                     const char *before_json, const char *after_json);
typedef int (*store_event_fn)(void *ud, const struct store_event *e);
enum store_status store_audit_each(struct store *st, const struct store_event_filter *f, store_event_fn fn, void *ud);

/* Every event about one kind of thing (entity), grouped by its id, each
 * group oldest first: for replaying the trail. */
enum store_status store_audit_each_of_entity(struct store *st, const char *entity, store_event_fn fn, void *ud);

enum store_status store_audit_verify(struct store *st, struct store_verify *out);

/* How the database was made, sealed into its first audit event
 * (database.init): whether it is in test mode, and that event's hash,
 * which names this database among all others (its backups share it). */
struct store_origin {
	bool any;            /* the trail has any event at all */
	bool known;          /* event 1 is a database.init */
	bool sealed;         /* its payload and hash verify, and event 2 follows it */
	bool test_mode;      /* what it records (false unless sealed) */
	bool meta_test_mode; /* what meta says */
	unsigned char hash[STORE_HASH_BYTES];
};
enum store_status store_audit_origin(struct store *st, struct store_origin *out);
/* ---- anchors: the audit head kept outside the file ---- */
/* The newest event (0 when none) and its hash. */
enum store_status store_audit_head(struct store *st, int64_t *seq, unsigned char hash[STORE_HASH_BYTES]);
void store_hash_hex(const unsigned char hash[STORE_HASH_BYTES], char out[2 * STORE_HASH_BYTES + 1]);
/* The anchor file beside the database (SQLite only; false on a server database): PATH-anchor, one line per head
 * ("SEQ HASH UNIXTIME"), appended when the head moved since the last
 * line; in the shared deployment in the group's directory, which staff
 * cannot write. Never a reason to refuse work: a failure is ignored. */
bool store_anchor_path(const struct store *st, char *buf, size_t len);
enum store_status store_anchor_record(struct store *st, int64_t now);
/* After a restore: the heads before it belong to a trail that is gone. */
enum store_status store_anchor_restored(struct store *st, int64_t now);
/* Every head in an anchor file, or one head (a backup's), against the trail. */
enum store_status store_anchor_check_file(struct store *st, const char *path, struct store_anchor_check *out);
enum store_status store_anchor_check_head(struct store *st, int64_t seq, const unsigned char hash[STORE_HASH_BYTES],
                                          struct store_anchor_check *out);

/* 32 random hex digits (and NUL): the name a new database gives itself in
 * its database.init event, so that no two databases begin alike. */
bool store_new_database_id(char out[33]);

/* ---- the inbox: answers that came in (schema 5) ---- */
/* Add an item (its id set); STORE_CONFLICT when its message id is there already. */
enum store_status store_inbox_add(struct store *st, struct store_inbox *x, const char *body);
enum store_status store_inbox_get(struct store *st, int64_t id, struct store_inbox *out);
/* The message text kept for showing (malloc'd, "" when none). */
enum store_status store_inbox_body(struct store *st, int64_t id, char **out);
/* Write the item's state, offer, provider, kind, reason and decision. */
enum store_status store_inbox_update(struct store *st, const struct store_inbox *x);
/* Erase what item id says (its words, subject and text), for a referral erased. */
enum store_status store_inbox_erase(struct store *st, int64_t id);
typedef int (*store_inbox_fn)(void *ud, const struct store_inbox *x);
/* Open items (or all): proposed first, then triage, oldest received first. */
enum store_status store_inbox_each(struct store *st, bool open_only, store_inbox_fn fn, void *ud);

/* ---- moving a team between engines (issue 19; storage/copy.c) ---- */
/* The target of a copy: a NEW SQLite file made with the schema (refused
 * when target exists), or an EMPTY PostgreSQL database (conninfo; refused
 * when it holds any table, sequence or function), which the copy itself
 * gives its schema. */
enum store_status store_copy_target(const char *target, bool postgres, struct store **out, char *err, size_t errlen);
struct store_copy_result {
	int64_t tables, rows; /* copied */
	int64_t events;       /* audit events, verified at both ends */
	int64_t head_seq;     /* the newest event, the same at both ends */
	unsigned char head[STORE_HASH_BYTES];
	char target[1024]; /* the target as it may be shown (no password) */
};
/* Every table of from into to (from store_copy_target), row by row, ids
 * and audit rows as they are, in one transaction on to: the source's
 * chain verified first; then, before the commit, every table's count and
 * the chain verified on arrival, ending at the same event with the same
 * hash. On any failure to is left as it was (rolled back). */
enum store_status store_copy(struct store *from, struct store *to, struct store_copy_result *out, char *err,
                             size_t errlen);
/* Close a target; a new SQLite file (not postgres) is removed with its
 * log: for a copy that failed. */
void store_copy_discard(struct store *to, const char *target, bool postgres);
/* Every column of every table, parents first, as the engine's catalog has
 * it: kind is integer, text or blob; for comparing the two schemas. */
typedef int (*store_schema_fn)(void *ud, const char *table, const char *column, const char *kind, bool notnull);
enum store_status store_schema_each(struct store *st, store_schema_fn fn, void *ud);

#endif
