/* Reports, exports, import and the data-protection duties.
 *
 * A report is a core function that returns one shape, a struct bk_table:
 * typed columns, rows of cells, notes. The screens, the CSV writer and the
 * JSON writer all take that shape, so the Reports screen lists, asks the
 * parameters of, shows and exports every report the same way.
 *
 * A table may have further parts (t->next), each a table of its own with
 * its own columns: the waiting list, for one, is followed by its counts by
 * lot and district and its weekly counts. */
#ifndef BK_REPORT_H
#define BK_REPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/brokerage.h"

/* ---- tables ---- */

enum bk_col_type {
	BK_COL_TEXT,
	BK_COL_INT,
	BK_COL_MONEY,   /* pence */
	BK_COL_DATE,    /* day number */
	BK_COL_TIME,    /* UTC seconds */
	BK_COL_HOURS,   /* minutes */
	BK_COL_PERCENT, /* basis points: 10000 = 100% */
	BK_COL_TENTHS,  /* tenths: 1234 = 123.4 (means of days) */
};
const char *bk_col_type_name(enum bk_col_type t);

struct bk_column {
	char *key;   /* machine name: JSON key */
	char *label; /* heading: CSV header, screen */
	char *group; /* a heading over several columns ("Lot 1 ..."), NULL when none */
	enum bk_col_type type;
	bool words; /* text: a status code, said in words on a page or screen; CSV and JSON keep the code */
};

struct bk_cell {
	bool set;   /* false: empty */
	int64_t v;  /* every type but text */
	char *text; /* text */
};

enum bk_row_kind {
	BK_ROW_DATA,
	BK_ROW_SECTION, /* a heading row: its first cell names the block that follows */
	BK_ROW_TOTAL,   /* a total or summary row */
};

struct bk_row {
	enum bk_row_kind kind;
	struct bk_cell *cells; /* n_cols of them */
};

struct bk_param {
	char *key;
	char *value;
};

struct bk_table {
	char *name;  /* "provision" */
	char *title; /* "Provision on 2026-11-20" */
	struct bk_column *cols;
	int n_cols;
	struct bk_row *rows;
	int n_rows, cap_rows;
	char **notes;
	int n_notes;
	struct bk_param *params;
	int n_params;
	struct bk_table *next; /* a further part, or NULL */
	bool failed;           /* out of memory somewhere while building */
};

struct bk_table *bk_table_create(const char *name, const char *title);
void bk_table_destroy(struct bk_table *t); /* the whole chain; NULL is fine */
/* Returns the column index, -1 when out of memory. */
int bk_table_add_column(struct bk_table *t, const char *key, const char *label, const char *group,
                        enum bk_col_type type);
/* Returns the row index, -1 when out of memory. */
int bk_table_add_row(struct bk_table *t, enum bk_row_kind kind);
void bk_table_set(struct bk_table *t, int row, int col, int64_t v);
void bk_table_add(struct bk_table *t, int row, int col, int64_t v); /* set to current + v */
void bk_table_set_text(struct bk_table *t, int row, int col, const char *text);
void bk_table_note(struct bk_table *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void bk_table_param(struct bk_table *t, const char *key, const char *value);
/* Append a part at the end of the chain; t owns it. */
void bk_table_append_part(struct bk_table *t, struct bk_table *part);

/* A cell as text for a screen or CSV: money "1234.56" (csv) or "£1,234.56"
 * (screen; "GBP" when ascii), hours "7.25", percent "62.50" (csv) or
 * "62.5%", tenths "12.3", dates "2026-11-20", times "2026-11-20T10:00:00Z". */
void bk_table_cell_text(const struct bk_table *t, int row, int col, bool for_csv, bool ascii, char *buf, size_t len);

/* RFC 4180 CSV (through libcsv), header row first; every part follows
 * after an empty line and a line with its title. Text cells that begin
 * with =, +, -, @, tab or CR get a leading ' so a spreadsheet never runs
 * them; number cells are written as plain numbers. Returns false when the
 * write failed. */
bool bk_table_write_csv(const struct bk_table *t, FILE *f);
/* JSON: {"report", "title", "parameters", "columns", "rows", "notes",
 * "parts"}; each row an object keyed by column key with "row_kind";
 * money, hours, percent and tenths as the integer plus KEY_display. */
json_t *bk_table_json(const struct bk_table *t);

/* ---- reports ---- */

/* Parameters as typed by a user; core checks them and says what is wrong.
 * NULL means the default (today, this week, this financial year, the last
 * 90 days). */
struct bk_report_params {
	const char *on; /* YYYY-MM-DD */
	const char *from;
	const char *to;
	const char *by;   /* month, lot, district */
	const char *week; /* any day of the week */
	const char *fy;   /* 2025 = April 2025 to March 2026 */
};

struct bk_report_info {
	const char *name;
	const char *title;
	const char *params; /* the parameters it takes, space-separated: "on", "from to by" */
	const char *usage;  /* "provision [--on DATE]" */
	const char *description;
};
/* NULL-terminated list of report names, in menu order. */
const char *const *bk_report_names(void);
const struct bk_report_info *bk_report_info(const char *name);

enum bk_status bk_report(struct bk_ctx *ctx, const char *name, const struct bk_report_params *p, struct bk_table **out);
/* The waiting report's weekly part alone, for today: the number waiting at
 * the end of each of the BK_WAITING_WEEKS - 1 weeks before and of today,
 * oldest first (the trend). Reads the referrals once and nothing else. */
#define BK_WAITING_WEEKS 17
enum bk_status bk_waiting_weekly(struct bk_ctx *ctx, int32_t *days, int *counts, int *n);

/* Reports and lists leaving the program. Whatever writes one out as CSV
 * or JSON, to a file or to standard output, records it first as one
 * "data.export" event: {"report": name, "parameters": {...}} or
 * {"list": name}, with "rows" (of every part) and, for a file, "file" (its
 * full path). The caller opens the file first and writes it only when the
 * event is recorded, so no file is written without its event and a file
 * that cannot be opened records nothing. A table shown on a screen or a
 * terminal is not an export. Nothing is recorded on a read-only database. */

/* Record that report t is being written out; file is where, NULL for
 * standard output. */
enum bk_status bk_record_export(struct bk_ctx *ctx, const struct bk_table *t, const char *file);

/* Lists for export: "referrals", "providers", "offers". Exporting personal
 * data (referrals, offers) records the event itself (file as above);
 * providers, which name no one, are not recorded. */
enum bk_status bk_export(struct bk_ctx *ctx, const char *name, const char *file, struct bk_table **out);

/* Working minutes between two instants: the time inside working hours,
 * 09:00 to close of business (settings) on working days, local time. */
int64_t bk_working_minutes(const struct bk_ctx *ctx, int64_t from, int64_t to);

/* ---- import ---- */

enum bk_import_kind { BK_IMPORT_PROVIDERS, BK_IMPORT_RANKINGS, BK_IMPORT_REFERRALS, BK_IMPORT_RESPONSES };
bool bk_import_kind_parse(const char *name, enum bk_import_kind *out);

struct bk_import_result {
	int rows;    /* data records read */
	int added;   /* records written */
	int skipped; /* records that exist already (no-op) */
	int n_errors;
	char *errors; /* every problem, one "FILE:LINE: column: what is wrong" a line; NULL when none */
};
void bk_import_result_finish(struct bk_import_result *r);

/* All or nothing: any bad record and nothing is changed, with every bad
 * record in res->errors. A file imported before (same SHA-256) is refused.
 * name is the file name for messages. progress (may be NULL) is called
 * every 1,000 records of files over 5,000. */
enum bk_status bk_import_buffer(struct bk_ctx *ctx, enum bk_import_kind kind, const char *name, const char *data,
                                size_t len, bk_progress_fn progress, void *ud, struct bk_import_result *res);
enum bk_status bk_import_file(struct bk_ctx *ctx, enum bk_import_kind kind, const char *path, bk_progress_fn progress,
                              void *ud, struct bk_import_result *res);

/* ---- data protection ---- */

/* Everything held about one case reference into dir (made 0700; files
 * 0600): subject.json with all of it, and referrals.csv, offers.csv,
 * spot_requests.csv, events.csv. Audited as "subject.access". */
enum bk_status bk_subject_access(struct bk_ctx *ctx, const char *case_ref, const char *dir, int *n_referrals);

/* The referrals ended or withdrawn more than retention_months ago. With
 * dry_run, the table lists them and nothing changes; otherwise each is
 * erased ("referral.erase") and the log is checkpointed so nothing of them
 * is left in the database or its write-ahead log. */
enum bk_status bk_retention_purge(struct bk_ctx *ctx, bool dry_run, struct bk_table **out);

/* Record that the actor read a referral's details ("referral.read"). One
 * small transaction; nothing is done (and BK_OK returned) on a read-only
 * database. */
enum bk_status bk_record_read(struct bk_ctx *ctx, int64_t referral_id);
/* Record that the actor read a list of case data ("data.read": which
 * list), before it is shown: the audit log, referral and spot lists, the
 * waiting list, a report on the screen. As bk_record_read otherwise. */
enum bk_status bk_record_bulk_read(struct bk_ctx *ctx, const char *what);

#endif
