/* Private to storage/: the handle and the prepared-statement cache. */
#ifndef BK_STORE_INTERNAL_H
#define BK_STORE_INTERNAL_H

#include <sqlite3.h>

#include "storage/sql.h"

#include "storage/store.h"
#include "storage/store_data.h"

/* Every statement the store prepares, each once per connection. */
enum store_q {
	Q_META_GET,
	Q_META_SET,
	Q_STAFF_ADD,
	Q_STAFF_BY_LOGIN,
	Q_STAFF_BY_ID,
	Q_STAFF_UPDATE,
	Q_STAFF_EACH,
	Q_STAFF_COUNT,
	Q_STAFF_LOOKED_GET,
	Q_STAFF_LOOKED_SET,
	Q_LOT_PUT,
	Q_DISTRICT_PUT,
	Q_PROVIDER_ADD,
	Q_PROVIDER_BY_NAME,
	Q_PROVIDER_BY_ID,
	Q_PROVIDER_UPDATE,
	Q_PROVIDER_EACH,
	Q_CAPACITY_SET,
	Q_CAPACITY_DEL,
	Q_CAPACITY_GET,
	Q_CAPACITY_EACH,
	Q_RANK_DELETE,
	Q_RANK_INSERT,
	Q_RANK_EACH,
	Q_RANKED_PROVIDERS,
	Q_REFERRAL_ADD,
	Q_REFERRAL_GET,
	Q_REFERRAL_UPDATE,
	Q_REFERRAL_EACH,
	Q_REFERRAL_COUNT,
	Q_REFERRAL_ROWS,
	Q_REFERRAL_ROWS_STATUS,
	Q_REFERRAL_ROWS_UNSOURCED,
	Q_REFERRAL_ROWS_BRIEF,
	Q_REFERRAL_ROWS_STATUS_BRIEF,
	Q_REFERRAL_ROWS_UNSOURCED_BRIEF,
	Q_REFERRAL_ROW_ID_BRIEF,
	Q_WAITING_KEYS,
	Q_OFFER_ADD,
	Q_OFFER_UPDATE,
	Q_OFFER_GET,
	Q_OFFER_FOR_REFERRAL,
	Q_OFFER_OVERDUE,
	Q_OFFER_OPEN_FOR_PROVIDER,
	Q_SPOT_ADD,
	Q_SPOT_GET,
	Q_SPOT_UPDATE,
	Q_SPOT_EACH,
	Q_SPOT_FOR_REFERRAL,
	Q_EVENT_LAST,
	Q_EVENT_ADD,
	Q_EVENT_PAYLOAD_ADD,
	Q_EVENT_EACH,
	Q_EVENT_VERIFY,
	Q_DATA_VERSION,
	Q_SAVEPOINT,
	Q_RELEASE,
	Q_ROLLBACK_TO,
	Q_REPORT_REFERRALS,
	Q_REPORT_OFFERS,
	Q_REFERRAL_EXISTS,
	Q_ERASE_REFERRAL,
	Q_ERASE_OFFERS,
	Q_ERASE_SPOTS,
	Q_ERASE_PAYLOADS,
	Q_POLICY_EACH,
	Q_POLICY_PUT,
	Q_OFFER_EACH_OPEN,
	Q_DEADLINE_ADD,
	Q_INFO_ASKED,
	Q_INFO_SUPPLIED,
	Q_FACT_ADD,
	Q_FACT_AT,
	Q_DEADLINES_OF_REFERRAL,
	Q_INFOS_OF_REFERRAL,
	Q_ERASE_QUESTIONS,
	Q_OUTBOX_ADD,
	Q_OUTBOX_HAS,
	Q_OUTBOX_DUE,
	Q_OUTBOX_GET,
	Q_OUTBOX_UPDATE,
	Q_OUTBOX_EACH_REFERRAL,
	Q_OUTBOX_EACH_UNSENT,
	Q_OUTBOX_ERASE,
	/* the inbox (schema 5) */
	Q_INBOX_ADD,
	Q_INBOX_GET,
	Q_INBOX_BODY,
	Q_INBOX_UPDATE,
	Q_INBOX_EACH_OPEN,
	Q_INBOX_EACH_ALL,
	Q_ERASE_INBOX,
	Q_INBOX_ERASE_ONE, /* a triage message naming an erased case */
	/* the reports (issue 16) */
	Q_REPORT_OFFERS_SENT,
	Q_DEADLINES_BETWEEN,
	Q_INFOS_BETWEEN,
	Q_REPORT_REFERRAL_SPANS,
	Q_REPORT_WAITING,
	Q_REPORT_WAITING_FACTS,
	Q_REPORT_WAITING_LOGIN,
	Q_EVENT_OF_REFERRAL_OLD,
	Q_EVENT_OF_REFERRAL_NEW,
	Q_REPORT_PLACEMENTS_PAST, /* issue 17: the packages handed back */
	Q_COUNT
};

struct store {
	enum store_engine engine;
	sqlite3 *db;        /* SQLite: the connection */
	struct pg_conn *pg; /* PostgreSQL: the connection */
	char path[1024];
	char err[512];
	bool readonly;
	bool create;   /* opened to make a database (init, demo): an empty file may become one */
	bool shared;   /* shared deployment: checkpoint the log at close */
	int anchor_fd; /* the anchor file, opened once (before the group is given up) */
	bool anchor_open;
	int64_t anchor_now;                          /* the time given when it was opened, for the line at close */
	const struct store_keep_access *keep_access; /* restore in the shared deployment */
	bool damaged;                                /* the last failure found the file damaged */
	bool in_tx;
	bool tx_read; /* the open transaction is a read (store_begin_read) */
	int depth;    /* nested transactions: savepoints inside the outer one */
	/* the write transaction failed for a reason that running it again may
	 * cure (store_retry_wanted); committing: its COMMIT is on the way */
	bool retry;
	bool committing;
	int busy_ms; /* PostgreSQL: the lock timeout, set again on a new connection */
	/* the newest event appended in this transaction, recorded in meta at
	 * commit so that removing events from the end is seen by verify */
	bool audit_dirty;
	int64_t audit_head_seq;
	unsigned char audit_head_hash[STORE_HASH_BYTES];
	/* audit_head_* is the head as the writer's transaction sees it (it
	 * appended that event itself, and writers queue one at a time), so the
	 * next append need not read it again; cleared whenever a transaction
	 * or a savepoint ends */
	bool audit_head_known;
	sql_stmt stmts[Q_COUNT];
};

/* The cached statement for q, prepared from sql on first use; NULL on
 * failure with st->err set. The statement is reset and unbound. */
sql_stmt *store_stmt(struct store *st, enum store_q q, const char *sql);
/* Record a failure in words and map it to a status. */
enum store_status store_fail(struct store *st, int rc, const char *doing);
/* How SQLite will run prepared statement s, one step a line, appended to
 * buf (*used bytes of len already there); refused on another engine. */
enum store_status store_plan_of(struct store *st, sql_stmt *s, char *buf, size_t len, size_t *used);
/* Run plain SQL with no parameters (pragmas, migrations). */
enum store_status store_exec(struct store *st, const char *sql, const char *doing);

/* The connection side of the seam (storage/sql.h), on either engine. A
 * statement prepared for one use: *out is NULL unless SQLITE_OK. */
int sql_prepare(struct store *st, const char *sql, sql_stmt **out);
void sql_finalize(sql_stmt *s);
/* Plain SQL with no parameters; an SQLite result code. */
int sql_exec(struct store *st, const char *sql);
/* Rows the last INSERT, UPDATE or DELETE touched. */
int64_t sql_changes(struct store *st);
/* The engine's words for the last failure. */
const char *sql_errmsg(struct store *st);

/* Step an INSERT ... RETURNING id (bound and ready) and reset it: *id is
 * the new row's id. A failure is worded by store_fail (a duplicate is
 * STORE_CONFLICT). */
enum store_status store_insert_id(struct store *st, sql_stmt *s, const char *doing, int64_t *id);

/* Column helpers: copy text into a fixed buffer, "" for NULL. */
void store_col_text(sql_stmt *s, int col, char *buf, size_t len);
int64_t store_col_int(sql_stmt *s, int col, int64_t if_null);
int store_bind_text_or_null(sql_stmt *s, int idx, const char *text);
/* The statuses at the SQL boundary: the stored text <-> the enums of
 * storage/records.h (the schema's CHECKs allow no other text). A referral
 * status column that is NULL (paused_from) reads as WF_NO_STATUS and
 * WF_NO_STATUS binds NULL; an offer status NULL (no open offer) reads as
 * WF_OFFER_SENT, which its row's other columns say is not there. */
enum wf_status store_col_status(sql_stmt *s, int col);
int store_bind_status(sql_stmt *s, int idx, enum wf_status v);
enum wf_offer_status store_col_offer_status(sql_stmt *s, int col);
int store_bind_offer_status(sql_stmt *s, int idx, enum wf_offer_status v);
enum wf_spot_status store_col_spot_status(sql_stmt *s, int col);
int store_bind_spot_status(sql_stmt *s, int idx, enum wf_spot_status v);
int store_bind_date(sql_stmt *s, int idx, int32_t day);
int32_t store_col_date(sql_stmt *s, int col);

/* Every table of the schema, parents before children (storage/schema_pg.c):
 * what a copy between engines walks and what the schemas are compared by.
 * key orders a table's rows (its primary key); identity is the column
 * PostgreSQL numbers itself (NULL when none); pg_ddl makes the table on
 * PostgreSQL with its indexes and triggers. */
struct store_table {
	const char *name;
	const char *key;
	const char *identity;
	const char *pg_ddl;
};
extern const struct store_table store_tables[];
extern const size_t store_table_count;
/* SQL text made of parts (NULL-terminated) for the names of tables and
 * columns, which cannot be bound; false when it does not fit. */
bool store_sql_cat(char *buf, size_t len, const char *const *parts);

/* PostgreSQL's side of the schema (storage/schema_pg.c): make it whole in
 * an empty database (in the caller's transaction when one is open), the
 * checks of store_check_kind and store_migrate by the version in meta,
 * what integrity means there (store_check), and how many tables,
 * sequences and functions the current schema holds (0: empty). */
enum store_status store_pg_schema(struct store *st, char *err, size_t errlen);
enum store_status store_pg_check_kind(struct store *st, char *err, size_t errlen);
enum store_status store_pg_migrate(struct store *st, char *err, size_t errlen);
int store_pg_schema_version(struct store *st);
enum store_status store_pg_check(struct store *st, bool quick, store_report_fn report, void *ud, int *problems);
enum store_status store_pg_objects(struct store *st, int64_t *n);

enum store_status store_check_kind(struct store *st, char *err, size_t errlen);
/* STORE_REFUSED, in words, when version is newer than this program's
 * schema (either engine); STORE_OK otherwise. */
enum store_status store_refuse_newer(const struct store *st, int version, char *err, size_t errlen);
enum store_status store_migrate(struct store *st, char *err, size_t errlen);
/* Record the newest audit event in meta (at commit). */
enum store_status store_audit_record_head(struct store *st);

/* An offer history's two reads (history.c): each statement takes a and b
 * as ?1 and ?2; the deadlines go to on_deadline, then the requests for
 * information to on_info. */
enum store_status store_history_run(struct store *st, sql_stmt *deadlines, sql_stmt *infos, int64_t a, int64_t b,
                                    store_offer_deadline_fn on_deadline, store_offer_info_fn on_info, void *ud);

#endif
