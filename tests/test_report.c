/* Reports on a fixture with known answers, built through the real actions
 * with the clock set: every figure checked, and the provision report in
 * the shape of the council's Appendix 2. Also the CSV and JSON writers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/calendar.h"
#include "core/report.h"
#include "core/report_internal.h"
#include "storage/store_data.h"
#include "tests/testutil.h"

/* The referrals setup makes (see below), for the tests to name. */
static struct {
	int64_t r1, r2, r3;
} ids;

static int64_t new_referral(struct tu_db *f, const char *ref, int lot, const char *district, const char *hours)
{
	struct bk_referral_input in = {
		.case_ref = ref,
		.lot = lot,
		.district = district,
		.hours = hours,
		.panel_date = "2026-01-05",
		.age = 12,
	};
	int64_t id = 0;
	tu_ok(f, bk_referral_new(&f->ctx, &in, &id));
	return id;
}

/* A: framework, ranked first in lot 1 North; B: framework, first in lot 2
 * South; C: framework with no packages; S: off-framework.
 * R1 (lot 1 North, 10 h): sent Mon 5 Jan 10:00 to A, accepted Tue 11:00.
 * R2 (lot 2 South, 5 h): sent Mon 10:00 to B, declined Wed 10:00; A
 *    approached, expired in the sweep of Tue 13 Jan 09:00; spot with S at
 *    30.00 an hour approved Tue 13 Jan 10:00.
 * R3 (lot 1 North, 8 h): recorded, never sent. */
static int setup(void **state)
{
	struct tu_db *f = tu_db_make(&(struct tu_fixture){
		.now = "2026-01-02T09:00",
		.keep_at = "2026-01-02T10:00",
		.providers = (const struct tu_provider[]){ { .name = "Alpha Care", .cqc = "1-100" },
	                                                   { .name = "Beta Support", .cqc = "1-100" },
	                                                   { .name = "Cedar Homes", .cqc = "1-100" },
	                                                   { .name = "Spot Agency", .cqc = "1-900", .off = true },
	                                                   { 0 } },
		.rankings =
			(const struct tu_ranking[]){
				{ 1, "North", (const char *const[]){ "Alpha Care", NULL } },
				{ 2, "South", (const char *const[]){ "Beta Support", "Alpha Care", NULL } },
				{ 0 } },
	});

	tu_as(f, "alice", "2026-01-05T10:00");
	ids.r1 = new_referral(f, "CYP-R1", 1, "North", "10");
	ids.r2 = new_referral(f, "CYP-R2", 2, "South", "5");
	ids.r3 = new_referral(f, "CYP-R3", 1, "North", "8");
	tu_ok(f, bk_referral_send(&f->ctx, ids.r1, 0));
	tu_ok(f, bk_referral_send(&f->ctx, ids.r2, 0));
	tu_as(f, "alice", "2026-01-06T11:00");
	tu_ok(f, bk_referral_respond(&f->ctx, ids.r1, 0, "Alpha Care", BK_ANSWER_ACCEPT, NULL));
	tu_as(f, "alice", "2026-01-07T10:00");
	tu_ok(f, bk_referral_respond(&f->ctx, ids.r2, 0, "Beta Support", BK_ANSWER_DECLINE, "no carers"));
	tu_as(f, "alice", "2026-01-13T09:00");
	struct bk_sweep_result sw;
	tu_ok(f, bk_sweep(&f->ctx, &sw));
	assert_int_equal(sw.expired, 1);
	assert_int_equal(sw.exhausted, 1);
	tu_as(f, "alice", "2026-01-13T09:30");
	struct bk_spot_input si = {
		.referral_id = ids.r2,
		.provider = "Spot Agency",
		.rate = "30.00",
		.hours = "5",
		.weeks = 10,
		.why = "framework exhausted",
	};
	int64_t req;
	tu_ok(f, bk_spot_request(&f->ctx, &si, &req));
	tu_as(f, "sam", "2026-01-13T10:00");
	tu_ok(f, bk_spot_decide(&f->ctx, req, true, "agreed", NULL));
	tu_as(f, "alice", "2026-01-14T12:00");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	tu_db_close(*state);
	return 0;
}

/* ---- table look-ups ---- */

static int col(const struct bk_table *t, const char *key)
{
	for (int c = 0; c < t->n_cols; c++)
		if (strcmp(t->cols[c].key, key) == 0)
			return c;
	fail_msg("no column %s in %s", key, t->name);
	return -1;
}

/* The nth row (0-based) whose first cell is label. */
static int row_named(const struct bk_table *t, const char *label, int nth)
{
	for (int r = 0; r < t->n_rows; r++) {
		const struct bk_cell *c = &t->rows[r].cells[0];
		if (c->set && c->text && strcmp(c->text, label) == 0 && nth-- == 0)
			return r;
	}
	fail_msg("no row %s in %s", label, t->name);
	return -1;
}

static int64_t val(const struct bk_table *t, int row, const char *key)
{
	const struct bk_cell *c = &t->rows[row].cells[col(t, key)];
	if (!c->set)
		fail_msg("%s row %d %s is empty", t->name, row, key);
	return c->v;
}

static struct bk_table *run(struct tu_db *f, const char *name, struct bk_report_params p)
{
	struct bk_table *t = NULL;
	tu_ok(f, bk_report(&f->ctx, name, &p, &t));
	assert_non_null(t);
	return t;
}

/* ---- the reports ---- */

static void test_provision_shape(void **state)
{
	struct tu_db *f = *state;
	struct bk_table *t = run(f, "provision", (struct bk_report_params){ .on = "2026-01-14" });
	assert_int_equal(t->n_cols, 1 + 4 * 4 + 1);
	assert_string_equal(t->cols[1].group, "Lot 1 Lifeskills & Independence");
	assert_string_equal(t->cols[1].label, "North");
	/* Framework block: a row for every framework provider, zero rows kept. */
	int fw = row_named(t, "Framework Provider", 0);
	assert_int_equal(t->rows[fw].kind, BK_ROW_SECTION);
	assert_string_equal(t->rows[fw + 1].cells[0].text, "Alpha Care");
	assert_string_equal(t->rows[fw + 2].cells[0].text, "Beta Support");
	assert_string_equal(t->rows[fw + 3].cells[0].text, "Cedar Homes");
	assert_int_equal(val(t, fw + 1, "lot1_north"), 1);
	assert_int_equal(val(t, fw + 1, "total"), 1);
	assert_int_equal(val(t, fw + 2, "total"), 0);
	assert_int_equal(val(t, fw + 3, "total"), 0);
	int tot = fw + 4;
	assert_string_equal(t->rows[tot].cells[0].text, "Total");
	assert_int_equal(t->rows[tot].kind, BK_ROW_TOTAL);
	assert_int_equal(val(t, tot, "lot1_north"), 1);
	assert_int_equal(val(t, tot, "total"), 1);
	assert_string_equal(t->rows[tot + 1].cells[0].text, "Support by lots");
	assert_int_equal(val(t, tot + 1, "lot1_north"), 1); /* lot 1 under its first column */
	assert_int_equal(val(t, tot + 1, "lot2_north"), 0);
	assert_int_equal(val(t, tot + 1, "total"), 1);
	assert_string_equal(t->rows[tot + 2].cells[0].text, "Support by districts");
	assert_int_equal(val(t, tot + 2, "lot1_north"), 1); /* North in the first group */
	assert_int_equal(val(t, tot + 2, "lot2_north"), 0); /* South in the second */
	/* Off-contract block. */
	int oc = row_named(t, "Off Contract Provider", 0);
	assert_int_equal(oc, tot + 3);
	assert_string_equal(t->rows[oc + 1].cells[0].text, "Spot Agency");
	assert_int_equal(val(t, oc + 1, "lot2_south"), 1);
	assert_int_equal(val(t, oc + 1, "total"), 1);
	assert_string_equal(t->rows[oc + 2].cells[0].text, "Total");
	assert_int_equal(val(t, oc + 2, "total"), 1);
	assert_int_equal(val(t, oc + 3, "lot2_north"), 1); /* support by lots: lot 2 */
	assert_int_equal(val(t, oc + 4, "lot2_north"), 1); /* support by districts: South */
	int g = row_named(t, "Grand total", 0);
	assert_int_equal(g, t->n_rows - 1);
	assert_int_equal(val(t, g, "lot1_north"), 1);
	assert_int_equal(val(t, g, "lot2_south"), 1);
	assert_int_equal(val(t, g, "total"), 2);
	bk_table_destroy(t);

	/* The past stays true: before R2 was sourced only R1 was in place;
	 * before either, only zero rows. */
	t = run(f, "provision", (struct bk_report_params){ .on = "2026-01-12" });
	assert_int_equal(val(t, row_named(t, "Grand total", 0), "total"), 1);
	assert_int_equal(t->rows[row_named(t, "Off Contract Provider", 0) + 1].kind, BK_ROW_TOTAL);
	bk_table_destroy(t);
	t = run(f, "provision", (struct bk_report_params){ .on = "2026-01-05" });
	assert_int_equal(val(t, row_named(t, "Grand total", 0), "total"), 0);
	assert_int_equal(val(t, row_named(t, "Cedar Homes", 0), "total"), 0);
	bk_table_destroy(t);
}

static void test_waiting(void **state)
{
	struct tu_db *f = *state;
	struct bk_table *t = run(f, "waiting", (struct bk_report_params){ .on = "2026-01-14" });
	assert_int_equal(t->n_rows, 1);
	assert_int_equal(val(t, 0, "id"), ids.r3);
	assert_int_equal(val(t, 0, "waited_days"), 9);
	assert_int_equal(val(t, 0, "waited_working_days"), 7);
	struct bk_table *g = t->next, *h = t->next->next;
	assert_string_equal(g->name, "waiting_by_lot_district");
	assert_int_equal(val(g, row_named(g, "1 Lifeskills & Independence", 0), "north"), 1);
	assert_int_equal(val(g, row_named(g, "Total", 0), "total"), 1);
	assert_int_equal(h->n_rows, 17);
	assert_int_equal(val(h, 16, "waiting"), 1);
	assert_int_equal(val(h, 15, "waiting"), 2); /* end of 7 Jan: R2 and R3 */
	assert_int_equal(val(h, 14, "waiting"), 0); /* 31 Dec: none yet */
	bk_table_destroy(t);

	/* On 7 Jan: R2 waits with its offer to Alpha open (sent that day), R3 waits. */
	t = run(f, "waiting", (struct bk_report_params){ .on = "2026-01-07" });
	assert_int_equal(t->n_rows, 2);
	int r2 = val(t, 0, "id") == ids.r2 ? 0 : 1;
	assert_string_equal(t->rows[r2].cells[col(t, "current_provider")].text, "Alpha Care");
	assert_string_equal(t->rows[r2].cells[col(t, "breached")].text, "no");
	bk_table_destroy(t);
	/* On 12 Jan (end of day) Alpha's offer on R2 is past its deadline, not yet swept: breached. */
	t = run(f, "waiting", (struct bk_report_params){ .on = "2026-01-12" });
	r2 = val(t, 0, "id") == ids.r2 ? 0 : 1;
	assert_string_equal(t->rows[r2].cells[col(t, "breached")].text, "yes");
	bk_table_destroy(t);
}

static void test_response(void **state)
{
	struct tu_db *f = *state;
	struct bk_table *t = run(f, "response", (struct bk_report_params){ .from = "2026-01-05", .to = "2026-01-14" });
	int a = row_named(t, "Alpha Care", 0), b = row_named(t, "Beta Support", 0),
	    all = row_named(t, "All providers", 0);
	assert_int_equal(val(t, a, "offers"), 2);
	assert_int_equal(val(t, a, "answered_in_time"), 1);
	assert_int_equal(val(t, a, "due"), 2);
	assert_int_equal(val(t, a, "share_in_time"), 5000);
	assert_int_equal(val(t, a, "median_answer"), 9 * 60); /* Mon 10-17, Tue 9-11 */
	assert_int_equal(val(t, a, "accepted"), 1);
	assert_int_equal(val(t, a, "expired"), 1);
	assert_int_equal(val(t, b, "offers"), 1);
	assert_int_equal(val(t, b, "declined"), 1);
	assert_int_equal(val(t, b, "share_in_time"), 10000);
	assert_int_equal(val(t, b, "median_answer"), 16 * 60); /* Mon 7 h, Tue 8 h, Wed 1 h */
	assert_int_equal(val(t, all, "offers"), 3);
	assert_int_equal(val(t, all, "median_answer"), (9 * 60 + 16 * 60) / 2);
	assert_int_equal(t->rows[all].kind, BK_ROW_TOTAL);
	bk_table_destroy(t);
}

static void test_time_to_source(void **state)
{
	struct tu_db *f = *state;
	struct bk_table *t =
		run(f, "time-to-source", (struct bk_report_params){ .from = "2026-01-01", .to = "2026-01-31" });
	int r = row_named(t, "All", 0);
	assert_int_equal(val(t, r, "sourced"), 2);
	assert_int_equal(val(t, r, "mean_days"), 45); /* (1 + 8) / 2 */
	assert_int_equal(val(t, r, "median_days"), 45);
	assert_int_equal(val(t, r, "mean_working_days"), 35); /* (1 + 6) / 2 */
	assert_int_equal(val(t, r, "median_working_days"), 35);
	bk_table_destroy(t);
	t = run(f, "time-to-source",
	        (struct bk_report_params){ .from = "2026-01-01", .to = "2026-01-31", .by = "lot" });
	assert_int_equal(val(t, row_named(t, "1 Lifeskills & Independence", 0), "mean_days"), 10);
	assert_int_equal(val(t, row_named(t, "2 Community support / domiciliary care", 0), "median_working_days"), 60);
	assert_int_equal(val(t, row_named(t, "All", 0), "sourced"), 2);
	bk_table_destroy(t);
	struct bk_report_params bad = { .by = "colour" };
	struct bk_table *none = NULL;
	assert_int_equal(bk_report(&f->ctx, "time-to-source", &bad, &none), BK_USAGE);
	assert_null(none);
}

static void test_pickup(void **state)
{
	struct tu_db *f = *state;
	struct bk_table *t = run(f, "pickup", (struct bk_report_params){ .week = "2026-01-14" });
	assert_int_equal(val(t, row_named(t, "Framework", 0), "packages"), 0);
	assert_int_equal(val(t, row_named(t, "Off contract", 0), "packages"), 1);
	assert_int_equal(val(t, row_named(t, "Off contract", 0), "hours"), 300);
	assert_int_equal(val(t, row_named(t, "Off contract", 0), "weekly_cost"), 15000);
	bk_table_destroy(t);
	t = run(f, "pickup", (struct bk_report_params){ .week = "2026-01-11" }); /* a Sunday: Mon 5 to Sun 11 */
	assert_int_equal(val(t, row_named(t, "Framework", 0), "packages"), 1);
	assert_int_equal(val(t, row_named(t, "Framework", 0), "hours"), 600);
	assert_int_equal(val(t, row_named(t, "Total", 0), "packages"), 1);
	bk_table_destroy(t);
}

static void test_spend(void **state)
{
	struct tu_db *f = *state;
	struct bk_table *t = run(f, "spend", (struct bk_report_params){ .fy = "2025" });
	int a = row_named(t, "Alpha Care", 0), s = row_named(t, "Spot Agency", 0);
	assert_int_equal(val(t, a, "weekly_cost"), 19500); /* 10 h at the lot 1 rate 19.50 */
	assert_int_equal(val(t, a, "annual_cost"), 19500 * 52);
	assert_int_equal(val(t, a, "cost_in_year"), (19500 * 85 + 3) / 7); /* 6 Jan to 31 Mar: 85 days */
	assert_int_equal(val(t, s, "weekly_cost"), 15000);
	assert_int_equal(val(t, s, "premium_weekly"), 15000 - 10750); /* 5 h at lot 2's 21.50 */
	int all = row_named(t, "All providers", 0);
	assert_int_equal(val(t, all, "weekly_cost"), 34500);
	assert_int_equal(val(t, all, "premium_weekly"), 4250);
	bk_table_destroy(t);
	t = run(f, "spend", (struct bk_report_params){ .fy = "2024" });
	assert_int_equal(val(t, row_named(t, "All providers", 0), "packages"), 0);
	bk_table_destroy(t);
}

static void test_report_names(void **state)
{
	struct tu_db *f = *state;
	const char *const *names = bk_report_names();
	int n = 0;
	for (; names[n]; n++) {
		assert_non_null(bk_report_info(names[n]));
		struct bk_table *t = NULL;
		tu_ok(f, bk_report(&f->ctx, names[n], NULL, &t));
		bk_table_destroy(t);
	}
	assert_int_equal(n, 8); /* and late-answers, market-gap (issue 17) */
	struct bk_table *t = NULL;
	assert_int_equal(bk_report(&f->ctx, "nonsense", NULL, &t), BK_USAGE);
	assert_non_null(strstr(f->ctx.msg, "provision"));
}

/* ---- exports in the audit trail ---- */

static int keep_after(void *ud, const struct store_event *e)
{
	json_t **last = ud;
	json_decref(*last);
	*last = e->after ? json_loads(e->after, 0, NULL) : NULL;
	return 0;
}

/* The "after" of the last data.export event. */
static json_t *last_export(struct tu_db *f)
{
	json_t *after = NULL;
	struct store_event_filter ef = { .action = "data.export" };
	assert_int_equal(store_audit_each(f->ctx.store, &ef, keep_after, &after), STORE_OK);
	assert_non_null(after);
	return after;
}

static void test_export_recorded(void **state)
{
	struct tu_db *f = *state;
	char file[400];
	snprintf(file, sizeof file, "%s/waiting.csv", f->dir);
	FILE *fp = fopen(file, "w");
	assert_non_null(fp);
	fclose(fp);
	char *full = realpath(file, NULL);
	assert_non_null(full);

	/* A report into a file: its name, parameters, rows and the full path. */
	struct bk_table *t = run(f, "waiting", (struct bk_report_params){ .on = "2026-01-14" });
	int n = tu_events(f, "data.export", 0);
	tu_ok(f, bk_record_export(&f->ctx, t, file));
	assert_int_equal(tu_events(f, "data.export", 0), n + 1);
	json_t *a = last_export(f);
	assert_string_equal(json_string_value(json_object_get(a, "report")), "waiting");
	assert_string_equal(json_string_value(json_object_get(json_object_get(a, "parameters"), "on")), "2026-01-14");
	int rows = 0; /* of every part: R3, the counts by lot and district, the weeks */
	for (const struct bk_table *p = t; p; p = p->next)
		rows += p->n_rows;
	assert_true(rows > t->n_rows);
	assert_int_equal(json_integer_value(json_object_get(a, "rows")), rows);
	assert_string_equal(json_string_value(json_object_get(a, "file")), full);
	json_decref(a);
	/* To standard output: the same, with no file. */
	tu_ok(f, bk_record_export(&f->ctx, t, NULL));
	a = last_export(f);
	assert_string_equal(json_string_value(json_object_get(a, "report")), "waiting");
	assert_null(json_object_get(a, "file"));
	json_decref(a);
	bk_table_destroy(t);

	/* A list: the same event, "list" for "report". */
	tu_ok(f, bk_export(&f->ctx, "offers", file, &t));
	a = last_export(f);
	assert_string_equal(json_string_value(json_object_get(a, "list")), "offers");
	assert_int_equal(json_integer_value(json_object_get(a, "rows")), t->n_rows);
	assert_string_equal(json_string_value(json_object_get(a, "file")), full);
	assert_null(json_object_get(a, "report"));
	json_decref(a);
	bk_table_destroy(t);
	n = tu_events(f, "data.export", 0);
	tu_ok(f, bk_export(&f->ctx, "providers", file, &t)); /* names no one: not recorded */
	bk_table_destroy(t);
	assert_int_equal(tu_events(f, "data.export", 0), n);
	free(full);

	/* Read-only: nothing can be recorded, and nothing is. */
	struct bk_ctx ro;
	struct bk_open_opts o = { .path = f->path, .readonly = true };
	assert_int_equal(bk_open(&ro, &f->s, &o), BK_OK);
	ro.now = f->ctx.now;
	assert_int_equal(bk_identify(&ro, "alice", true), BK_OK);
	assert_int_equal(bk_report(&ro, "waiting", NULL, &t), BK_OK);
	assert_int_equal(bk_record_export(&ro, t, file), BK_OK);
	bk_table_destroy(t);
	bk_close(&ro);
	assert_int_equal(tu_events(f, "data.export", 0), n);
}

/* ---- writers ---- */

static char *csv_of(const struct bk_table *t)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	assert_true(bk_table_write_csv(t, m));
	fclose(m);
	return buf;
}

/* A status column says its codes in words on a page and screen, and keeps
 * the code in CSV and JSON, which scripts read. */
static void test_status_words(void **state)
{
	(void)state;
	struct bk_table *t = bk_table_create("x", "X");
	int c = bk_table_add_column(t, "status_now", "Status now", NULL, BK_COL_TEXT);
	int plain = bk_table_add_column(t, "note", "Note", NULL, BK_COL_TEXT);
	t->cols[c].words = true;
	int r = bk_table_add_row(t, BK_ROW_DATA);
	bk_table_set_text(t, r, c, "spot_requested");
	bk_table_set_text(t, r, plain, "spot_requested");
	char buf[64];
	bk_table_cell_text(t, r, c, false, false, buf, sizeof buf);
	assert_string_equal(buf, "spot requested");
	bk_table_cell_text(t, r, plain, false, false, buf, sizeof buf);
	assert_string_equal(buf, "spot_requested");
	char *csv = csv_of(t);
	assert_non_null(strstr(csv, "\"spot_requested\",\"spot_requested\"\r\n"));
	free(csv);
	json_t *j = bk_table_json(t);
	json_t *row = json_array_get(json_object_get(j, "rows"), 0);
	assert_string_equal(json_string_value(json_object_get(row, "status_now")), "spot_requested");
	json_decref(j);
	bk_table_destroy(t);
}

static void test_csv_neutralised(void **state)
{
	(void)state;
	struct bk_table *t = bk_table_create("x", "X");
	bk_table_add_column(t, "name", "Name", NULL, BK_COL_TEXT);
	bk_table_add_column(t, "amount", "Amount", NULL, BK_COL_MONEY);
	bk_table_add_column(t, "n", "N", NULL, BK_COL_INT);
	const char *bad[] = { "=SUM(A1:A2)", "+1", "-1", "@cmd", "\tx", "\rx", "plain, with \"quotes\"" };
	for (int i = 0; i < 7; i++) {
		int r = bk_table_add_row(t, BK_ROW_DATA);
		bk_table_set_text(t, r, 0, bad[i]);
		bk_table_set(t, r, 1, -1250);
		bk_table_set(t, r, 2, -3);
	}
	char *csv = csv_of(t);
	assert_non_null(strstr(csv, "\"Name\",\"Amount\",\"N\"\r\n"));
	assert_non_null(strstr(csv, "\"'=SUM(A1:A2)\",-12.50,-3\r\n"));
	assert_non_null(strstr(csv, "\"'+1\",-12.50,-3\r\n"));
	assert_non_null(strstr(csv, "\"'-1\","));
	assert_non_null(strstr(csv, "\"'@cmd\","));
	assert_non_null(strstr(csv, "\"'\tx\","));
	assert_non_null(strstr(csv, "\"'\rx\","));
	assert_non_null(strstr(csv, "\"plain, with \"\"quotes\"\"\",-12.50,-3\r\n"));
	free(csv);
	json_t *j = bk_table_json(t);
	json_t *row = json_array_get(json_object_get(j, "rows"), 0);
	assert_int_equal(json_integer_value(json_object_get(row, "amount")), -1250);
	assert_string_equal(json_string_value(json_object_get(row, "amount_display")), "-\xc2\xa3"
	                                                                               "12.50");
	assert_string_equal(json_string_value(json_object_get(row, "name")), "=SUM(A1:A2)");
	json_decref(j);
	bk_table_destroy(t);
}

static void test_working_minutes(void **state)
{
	struct tu_db *f = *state;
	/* Fri 16:00 to Mon 10:00: one hour on Friday, one on Monday. */
	assert_int_equal(bk_working_minutes(&f->ctx, tu_at("2026-01-09T16:00"), tu_at("2026-01-12T10:00")), 120);
	/* Over Christmas: 24 Dec 16:00 to 29 Dec 10:00 (25, 26 and the substitute 28 off). */
	assert_int_equal(bk_working_minutes(&f->ctx, tu_at("2026-12-24T16:00"), tu_at("2026-12-29T10:00")), 120);
	/* Outside hours only. */
	assert_int_equal(bk_working_minutes(&f->ctx, tu_at("2026-01-05T18:00"), tu_at("2026-01-06T08:00")), 0);
	/* To the minute across days: 16:41:19 to 10:41:19 two working days later is 600 minutes
	 * (18:41 + 8 h + 1:41:19), not 599 from minutes cut off each day. */
	assert_int_equal(bk_working_minutes(&f->ctx, tu_at("2026-01-05T16:41:19"), tu_at("2026-01-07T10:41:19")), 600);
	/* Across the change to BST: Fri 27 Mar 2026 09:00 to Mon 30 Mar 17:00 is two whole days. */
	assert_int_equal(bk_working_minutes(&f->ctx, tu_at("2026-03-27T09:00"), tu_at("2026-03-30T17:00")), 16 * 60);
}


/* ---- history: reports read what held at the moment asked ---- */

/* A database of its own: Hist Care ranked first for lot 1 East. */
static struct tu_db *history_db(void)
{
	return tu_db_make(&(struct tu_fixture){
		.now = "2026-01-02T09:00",
		.keep_at = "2026-01-02T10:00",
		.providers = (const struct tu_provider[]){ { .name = "Hist Care", .cqc = "1-200" }, { 0 } },
		.rankings =
			(const struct tu_ranking[]){ { 1, "East", (const char *const[]){ "Hist Care", NULL } }, { 0 } },
		.as = "tina",
	});
}

static int64_t sent_referral(struct tu_db *f, const char *ref, const char *when)
{
	tu_as(f, "alice", when);
	int64_t id = new_referral(f, ref, 1, "East", "10");
	tu_ok(f, bk_referral_send(&f->ctx, id, 0));
	return id;
}

static void respond(struct tu_db *f, int64_t id, const char *when, enum bk_answer a, const char *text)
{
	tu_as(f, "alice", when);
	tu_ok(f, bk_referral_respond(&f->ctx, id, 0, "Hist Care", a, text));
}

static void supplied(struct tu_db *f, int64_t id, const char *when)
{
	tu_as(f, "alice", when);
	tu_ok(f, bk_referral_info_supplied(&f->ctx, id, 0, "Hist Care"));
}

struct seen_history {
	int deadlines, infos, supplied;
	int64_t deadline[8];
	enum store_deadline_reason why[8];
};

static int saw_deadline(void *ud, const struct store_offer_deadline *d)
{
	struct seen_history *h = ud;
	if (h->deadlines < 8) {
		h->deadline[h->deadlines] = d->deadline_at;
		h->why[h->deadlines] = d->reason;
	}
	h->deadlines++;
	return 0;
}

static int saw_info(void *ud, const struct store_offer_info *i)
{
	struct seen_history *h = ud;
	h->infos++;
	h->supplied += i->supplied_at != 0;
	return 0;
}

static const char *text_at(const struct bk_table *t, int row, const char *key)
{
	const struct bk_cell *c = &t->rows[row].cells[col(t, key)];
	return c->set && c->text ? c->text : "";
}

/* Every request for information is kept, and the first answer is the first
 * of them: asked Monday 14:00 and again Wednesday, accepted Thursday. */
static void test_every_info_request_kept(void **state)
{
	(void)state;
	struct tu_db *f = history_db();
	int64_t id = sent_referral(f, "H-1", "2026-02-02T10:00");
	respond(f, id, "2026-02-02T14:00", BK_ANSWER_INFO, "which days?");
	supplied(f, id, "2026-02-03T10:00");
	respond(f, id, "2026-02-04T15:00", BK_ANSWER_INFO, "and the address of the school?");
	supplied(f, id, "2026-02-05T09:00");
	respond(f, id, "2026-02-05T11:00", BK_ANSWER_ACCEPT, NULL);

	struct seen_history h = { 0 };
	assert_int_equal(store_offer_history_of_referral(f->ctx.store, id, INT64_MAX, saw_deadline, saw_info, &h),
	                 STORE_OK);
	assert_int_equal(h.infos, 2);
	assert_int_equal(h.supplied, 2);
	assert_int_equal(h.deadlines, 3);
	assert_int_equal(h.deadline[0], tu_at("2026-02-05T17:00"));
	assert_int_equal(h.why[0], STORE_DEADLINE_SENT);
	assert_int_equal(h.deadline[1], tu_at("2026-02-06T17:00")); /* Tue supplied: one working day more */
	assert_int_equal(h.why[1], STORE_DEADLINE_INFO);
	assert_int_equal(h.deadline[2], tu_at("2026-02-09T17:00")); /* Thu supplied: Thu, one more */
	assert_int_equal(h.why[2], STORE_DEADLINE_INFO);

	struct bk_table *t = run(f, "response", (struct bk_report_params){ .from = "2026-02-01", .to = "2026-02-28" });
	int r = row_named(t, "Hist Care", 0);
	assert_int_equal(val(t, r, "median_answer"), 4 * 60); /* Mon 10:00 to 14:00, not to Wednesday */
	assert_int_equal(val(t, r, "answered_in_time"), 1);
	assert_int_equal(val(t, r, "info_requested"), 1);
	bk_table_destroy(t);
	tu_db_close(f);
}

/* A first answer after the deadline is late, though information supplied
 * afterwards moved the deadline later. */
static void test_late_first_answer_stays_late(void **state)
{
	(void)state;
	struct tu_db *f = history_db();
	int64_t id = sent_referral(f, "H-2", "2026-03-02T10:00");              /* due Thu 5 Mar 17:00 */
	respond(f, id, "2026-03-06T10:00", BK_ANSWER_INFO, "how many hours?"); /* Fri: late, not yet swept */
	supplied(f, id, "2026-03-09T10:00");                                   /* one working day: Fri 6 Mar 17:00 */
	respond(f, id, "2026-03-09T11:00", BK_ANSWER_ACCEPT, NULL);
	struct bk_table *t = run(f, "response", (struct bk_report_params){ .from = "2026-03-01", .to = "2026-03-31" });
	int r = row_named(t, "Hist Care", 0);
	assert_int_equal(val(t, r, "due"), 1);
	assert_int_equal(val(t, r, "answered_in_time"), 0);
	bk_table_destroy(t);
	tu_db_close(f);
}

/* On a past date: the deadline in force then, the clock as it was, the
 * breach as it stood. Sent Mon 13 Apr (due Thu 16), information asked Tue
 * 14 and supplied Wed 22 (six working days: due Fri 24). */
static void test_waiting_on_a_past_date(void **state)
{
	(void)state;
	struct tu_db *f = history_db();
	int64_t id = sent_referral(f, "H-3", "2026-04-13T10:00");
	respond(f, id, "2026-04-14T10:00", BK_ANSWER_INFO, "which days?");
	supplied(f, id, "2026-04-22T10:00");
	tu_as(f, "alice", "2026-05-01T10:00");

	struct bk_table *t = run(f, "waiting", (struct bk_report_params){ .on = "2026-04-20" });
	assert_int_equal(t->n_rows, 1);
	/* its clock stopped: no deadline is shown (Thu 16's would look passed) */
	assert_false(t->rows[0].cells[col(t, "next_deadline")].set);
	assert_string_equal(text_at(t, 0, "current_provider"), "Hist Care");
	assert_string_equal(text_at(t, 0, "clock"), "stopped: we owe information");
	assert_string_equal(text_at(t, 0, "breached"), "no");
	bk_table_destroy(t);

	t = run(f, "waiting", (struct bk_report_params){ .on = "2026-04-23" });
	assert_int_equal(val(t, 0, "next_deadline"), tu_at("2026-04-24T17:00"));
	assert_string_equal(text_at(t, 0, "clock"), "running");
	assert_string_equal(text_at(t, 0, "breached"), "no");
	bk_table_destroy(t);

	/* open past Fri 24's deadline at the end of Mon 27, not yet swept */
	t = run(f, "waiting", (struct bk_report_params){ .on = "2026-04-27" });
	assert_string_equal(text_at(t, 0, "breached"), "yes");
	bk_table_destroy(t);
	tu_db_close(f);
}

/* A referral moved from lot 1 North to lot 3 East in June is under lot 1
 * North on a date in May, in its row and in the grid. */
static void test_waiting_facts_as_they_were(void **state)
{
	(void)state;
	struct tu_db *f = history_db();
	tu_as(f, "alice", "2026-05-04T10:00");
	int64_t id = new_referral(f, "H-4", 1, "North", "10");
	tu_as(f, "alice", "2026-06-10T10:00");
	struct bk_referral_input e = { .lot = 3, .district = "East", .hours = "12", .age = -1, .urgent = -1 };
	tu_ok(f, bk_referral_edit(&f->ctx, id, 0, &e));
	tu_as(f, "alice", "2026-06-20T10:00");

	struct bk_table *t = run(f, "waiting", (struct bk_report_params){ .on = "2026-05-20" });
	assert_int_equal(t->n_rows, 1);
	assert_int_equal(val(t, 0, "lot"), 1);
	assert_string_equal(text_at(t, 0, "district"), "North");
	assert_int_equal(val(t, 0, "hours"), 600);
	struct bk_table *g = t->next;
	assert_int_equal(val(g, row_named(g, "1 Lifeskills & Independence", 0), "north"), 1);
	assert_int_equal(val(g, row_named(g, "3 Sitting service", 0), "east"), 0);
	bk_table_destroy(t);

	t = run(f, "waiting", (struct bk_report_params){ .on = "2026-06-15" });
	assert_int_equal(val(t, 0, "lot"), 3);
	assert_string_equal(text_at(t, 0, "district"), "East");
	assert_int_equal(val(t, 0, "hours"), 720);
	g = t->next;
	assert_int_equal(val(g, row_named(g, "3 Sitting service", 0), "east"), 1);
	assert_int_equal(val(g, row_named(g, "1 Lifeskills & Independence", 0), "north"), 0);
	bk_table_destroy(t);
	tu_db_close(f);
}

/* A package handed back counts for the days it was in place and no longer
 * (issue 17): sent Mon 2 Nov 2026 to Alpha, accepted Tue 3 Nov (day 2),
 * handed back Tue 10 Nov (day 9), Beta accepts Fri 13 Nov (day 12); every
 * report asked on Sat 14 Nov about day 5, day 10 and day 13. */
static void test_hand_back_keeps_history(void **state)
{
	(void)state;
	struct tu_db *f = tu_db_make(&(struct tu_fixture){
		.now = "2026-11-02T09:00",
		.keep_at = "2026-11-02T10:00",
		.providers = (const struct tu_provider[]){ { .name = "Alpha Care", .cqc = "1-100" },
	                                                   { .name = "Beta Support", .cqc = "1-100" },
	                                                   { 0 } },
		.rankings =
			(const struct tu_ranking[]){
				{ 1, "North", (const char *const[]){ "Alpha Care", "Beta Support", NULL } },
				{ 0 } },
		.as = "tina",
	});
	tu_as(f, "alice", "2026-11-02T10:00");
	struct bk_referral_input in = {
		.case_ref = "HB-1",
		.lot = 1,
		.district = "North",
		.hours = "10",
		.panel_date = "2026-11-02",
		.age = 12,
	};
	int64_t id = 0;
	tu_ok(f, bk_referral_new(&f->ctx, &in, &id));
	tu_ok(f, bk_referral_send(&f->ctx, id, 0));
	tu_as(f, "alice", "2026-11-03T11:00");
	tu_ok(f, bk_referral_respond(&f->ctx, id, 0, "Alpha Care", BK_ANSWER_ACCEPT, NULL));
	tu_as(f, "alice", "2026-11-10T11:00");
	tu_ok(f, bk_referral_hand_back(&f->ctx, id, 0, "carer left", NULL));
	tu_as(f, "alice", "2026-11-13T11:00");
	tu_ok(f, bk_referral_respond(&f->ctx, id, 0, "Beta Support", BK_ANSWER_ACCEPT, NULL));
	tu_as(f, "alice", "2026-11-14T12:00");

	static const struct {
		const char *on;
		int waiting;
		int alpha, beta; /* in place with each */
		int sourced;     /* packages sourced from 1 Nov to the day */
	} days[] = {
		{ "2026-11-06", 0, 1, 0, 1 },
		{ "2026-11-11", 1, 0, 0, 1 },
		{ "2026-11-14", 0, 0, 1, 2 },
	};
	for (size_t k = 0; k < sizeof days / sizeof days[0]; k++) {
		struct bk_table *t = run(f, "waiting", (struct bk_report_params){ .on = days[k].on });
		assert_int_equal(t->n_rows, days[k].waiting);
		bk_table_destroy(t);
		t = run(f, "provision", (struct bk_report_params){ .on = days[k].on });
		assert_int_equal(val(t, row_named(t, "Alpha Care", 0), "total"), days[k].alpha);
		assert_int_equal(val(t, row_named(t, "Beta Support", 0), "total"), days[k].beta);
		bk_table_destroy(t);
		t = run(f, "time-to-source", (struct bk_report_params){ .from = "2026-11-01", .to = days[k].on });
		assert_int_equal(val(t, row_named(t, "All", 0), "sourced"), days[k].sourced);
		bk_table_destroy(t);
		t = run(f, "response", (struct bk_report_params){ .from = "2026-11-01", .to = days[k].on });
		assert_int_equal(val(t, row_named(t, "Alpha Care", 0), "handed_back"), k > 0);
		bk_table_destroy(t);
	}
	/* the second package from the hand-back: 3 days; the first 1 day */
	struct bk_table *t =
		run(f, "time-to-source", (struct bk_report_params){ .from = "2026-11-01", .to = "2026-11-14" });
	assert_int_equal(val(t, row_named(t, "All", 0), "mean_days"), 20);
	bk_table_destroy(t);
	t = run(f, "pickup", (struct bk_report_params){ .week = "2026-11-06" });
	assert_int_equal(val(t, row_named(t, "Framework", 0), "packages"), 1);
	assert_int_equal(val(t, row_named(t, "Framework", 0), "weekly_cost"), 19500);
	bk_table_destroy(t);
	/* Alpha's package 3 to 9 Nov: one week of 10 h at 19.50; Beta's from 13 Nov */
	t = run(f, "spend", (struct bk_report_params){ .fy = "2026" });
	int a = row_named(t, "Alpha Care", 0);
	assert_int_equal(val(t, a, "packages"), 1);
	assert_int_equal(val(t, a, "weekly_cost"), 19500);
	assert_int_equal(val(t, a, "cost_in_year"), 19500);
	assert_int_equal(val(t, row_named(t, "Framework total", 0), "packages"), 2);
	bk_table_destroy(t);
	/* the weeks of the waiting trend, as the Waiting list's trend reads them */
	int32_t wdays[BK_WAITING_WEEKS];
	int counts[BK_WAITING_WEEKS], n = 0;
	tu_ok(f, bk_waiting_weekly(&f->ctx, wdays, counts, &n));
	assert_int_equal(counts[n - 1], 0); /* Sat 14 Nov: sourced with Beta */
	assert_int_equal(counts[n - 2], 0); /* Sat 7 Nov: in place with Alpha */
	tu_db_close(f);
}

/* The reports remember local times per zone: after a change of zone the
 * day of an instant is the new zone's, and the old one's after changing back. */
static void test_local_day_follows_the_zone(void **state)
{
	(void)state;
	int64_t t = (int64_t)cal_days_from_civil(2026, 7, 1) * 86400 + 23 * 3600 + 30 * 60; /* 23:30 UTC */
	assert_true(cal_zone_use("Europe/London"));
	assert_int_equal(local_day(t), cal_days_from_civil(2026, 7, 2)); /* 00:30 BST */
	assert_true(cal_zone_use("America/New_York"));
	assert_int_equal(local_day(t), cal_days_from_civil(2026, 7, 1)); /* 19:30 EDT */
	assert_true(cal_zone_use("Europe/London"));
	assert_int_equal(local_day(t), cal_days_from_civil(2026, 7, 2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_provision_shape, setup, teardown),
		cmocka_unit_test_setup_teardown(test_waiting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_response, setup, teardown),
		cmocka_unit_test_setup_teardown(test_time_to_source, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pickup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spend, setup, teardown),
		cmocka_unit_test_setup_teardown(test_report_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_export_recorded, setup, teardown),
		cmocka_unit_test(test_csv_neutralised),
		cmocka_unit_test(test_status_words),
		cmocka_unit_test(test_local_day_follows_the_zone),
		cmocka_unit_test_setup_teardown(test_working_minutes, setup, teardown),
		cmocka_unit_test(test_every_info_request_kept),
		cmocka_unit_test(test_late_first_answer_stays_late),
		cmocka_unit_test(test_waiting_on_a_past_date),
		cmocka_unit_test(test_waiting_facts_as_they_were),
		cmocka_unit_test(test_hand_back_keeps_history),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
