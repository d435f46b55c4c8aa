/* Import: every bad row reported with its physical line and the database
 * unchanged; a byte-order mark, CRLF, quoted commas and newlines; a
 * re-import refused, rows that exist already skipped; history imported
 * with one audit event per referral. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/report.h"
#include "storage/store_data.h"
#include "tests/testutil.h"

static const char *fixture(const char *name)
{
	static char buf[1024];
	const char *root = getenv("BROKERAGE_SOURCE_ROOT");
	snprintf(buf, sizeof buf, "%s/tests/fixtures/%s", root && *root ? root : "..", name);
	return buf;
}

static int setup(void **state)
{
	*state = tu_db_open("2026-01-05T09:00");
	tu_as(*state, "tina", NULL);
	return 0;
}

static int teardown(void **state)
{
	tu_db_close(*state);
	return 0;
}

static int64_t referrals(struct tu_db *f)
{
	int64_t n = 0;
	assert_int_equal(store_referral_count(f->ctx.store, &n), STORE_OK);
	return n;
}

static void import_ok(struct tu_db *f, enum bk_import_kind kind, const char *name, int added)
{
	struct bk_import_result res;
	enum bk_status st = bk_import_file(&f->ctx, kind, fixture(name), NULL, NULL, &res);
	if (st != BK_OK)
		fail_msg("%s\n%s", f->ctx.msg, res.errors ? res.errors : "");
	assert_int_equal(res.added, added);
	bk_import_result_finish(&res);
}

static void load_providers(struct tu_db *f)
{
	tu_as(f, "tina", NULL);
	import_ok(f, BK_IMPORT_PROVIDERS, "providers.csv", 4);
	import_ok(f, BK_IMPORT_RANKINGS, "rankings.csv", 3);
	tu_as(f, "alice", NULL);
}

/* Each of want is among the problems reported, and there are no others. */
static void expect_problems(const struct bk_import_result *res, const char *const *want, int n)
{
	assert_non_null(res->errors);
	for (int i = 0; i < n; i++)
		if (!strstr(res->errors, want[i]))
			fail_msg("missing '%s' in:\n%s", want[i], res->errors);
	assert_int_equal(res->n_errors, n);
}

static void test_providers_bom_crlf(void **state)
{
	struct tu_db *f = *state;
	load_providers(f);
	struct store_provider p;
	assert_int_equal(store_provider_by_name(f->ctx.store, "Delta, Care", &p), STORE_OK); /* quoted comma */
	assert_true(p.framework);
	assert_string_equal(p.risk, "amber");
	assert_int_equal(p.age_max, 25);
	assert_int_equal(store_provider_by_name(f->ctx.store, "Alpha Care", &p), STORE_OK); /* after the BOM */
	assert_int_equal(p.rate, 1950);
	int minutes = 0;
	assert_int_equal(store_capacity_get(f->ctx.store, p.id, "South", &minutes), STORE_OK);
	assert_int_equal(minutes, 20 * 60);
	assert_int_equal(store_provider_by_name(f->ctx.store, "=Formula Care", &p), STORE_OK);
	assert_false(p.framework);
	assert_int_equal(tu_events(f, "data.import", 0), 2);
}

static void test_bad_rows_all_reported(void **state)
{
	struct tu_db *f = *state;
	load_providers(f);
	int64_t before = referrals(f);
	int ev = tu_events(f, NULL, 0);
	struct bk_import_result res;
	assert_int_equal(bk_import_file(&f->ctx, BK_IMPORT_REFERRALS, fixture("referrals_bad.csv"), NULL, NULL, &res),
	                 BK_REFUSED);
	static const char *const want[] = {
		"referrals_bad.csv:4: lot: '7'",
		"referrals_bad.csv:5: district: 'Atlantis'",
		"referrals_bad.csv:6: hours: ",
		"referrals_bad.csv:7: panel_date: ",
		"referrals_bad.csv:8: provider: there is no provider named 'Nobody Ltd'",
		"referrals_bad.csv:9: status: 'lost'",
		"referrals_bad.csv:10: case_ref: BAD-1 for lot 1 with panel date 2025-11-03 is given already on line 2",
		"referrals_bad.csv:11: case_ref: ",
		"referrals_bad.csv:12: 7 fields where the header has 9",
	};
	expect_problems(&res, want, 9);
	assert_null(strstr(res.errors, ":2:")); /* the good two-line row */
	assert_null(strstr(res.errors, ":3:"));
	assert_non_null(strstr(f->ctx.msg, "nothing was imported"));
	bk_import_result_finish(&res);
	/* Nothing changed: no referral, no event, and the file may be fixed and retried. */
	assert_int_equal(referrals(f), before);
	assert_int_equal(tu_events(f, NULL, 0), ev);
	char hex[65], key[80], buf[64];
	FILE *fp = fopen(fixture("referrals_bad.csv"), "rb");
	char data[4096];
	size_t n = fread(data, 1, sizeof data, fp);
	fclose(fp);
	store_sha256_hex(data, n, hex);
	snprintf(key, sizeof key, "import:%s", hex);
	assert_int_equal(store_meta_get(f->ctx.store, key, buf, sizeof buf), STORE_NOT_FOUND);
}

static void test_referrals_history(void **state)
{
	struct tu_db *f = *state;
	load_providers(f);
	tu_as(f, "sam", NULL); /* off-contract history is a supervisor's to bring in */
	import_ok(f, BK_IMPORT_REFERRALS, "referrals.csv", 4);
	assert_int_equal(tu_events(f, "referral.import", 0), 4);
	struct store_referral r;
	int64_t n = 0;
	assert_int_equal(store_referral_count(f->ctx.store, &n), STORE_OK);
	assert_int_equal(n, 4);
	/* IMP-1: waiting, its note with a comma and a newline kept. */
	assert_int_equal(store_referral_get(f->ctx.store, 1, &r), STORE_OK);
	assert_string_equal(r.case_ref, "IMP-1");
	assert_int_equal(r.status, WF_NEW);
	assert_string_equal(r.note, "needs a carer who drives, and\nspeaks Polish");
	assert_int_equal(r.age, 12);
	/* IMP-2: sourced through the framework at Alpha's rate. */
	assert_int_equal(store_referral_get(f->ctx.store, 2, &r), STORE_OK);
	assert_int_equal(r.status, WF_SOURCED);
	assert_string_equal(r.route, "framework");
	assert_int_equal(r.weekly_cost, 14625); /* 7.5 h x 19.50 */
	assert_true(r.urgent);
	/* IMP-3: spot, the formula-looking note kept as text. */
	assert_int_equal(store_referral_get(f->ctx.store, 3, &r), STORE_OK);
	assert_string_equal(r.route, "spot");
	assert_int_equal(r.weekly_cost, 18000);
	assert_string_equal(r.note, "=HYPERLINK(\"http://x\")");
	/* IMP-4: ended. */
	assert_int_equal(store_referral_get(f->ctx.store, 4, &r), STORE_OK);
	assert_int_equal(r.status, WF_ENDED);
	int32_t d;
	assert_true(cal_parse_date("2019-06-30", &d, NULL, 0));
	assert_int_equal(r.ended_on, d);
	/* The reports see the history: provision on 1 Dec 2025 counts IMP-2 and IMP-3. */
	struct bk_report_params p = { .on = "2025-12-01" };
	struct bk_table *t = NULL;
	tu_ok(f, bk_report(&f->ctx, "provision", &p, &t));
	assert_int_equal(t->rows[t->n_rows - 1].cells[t->n_cols - 1].v, 2);
	bk_table_destroy(t);
	p.on = "2019-03-01";
	tu_ok(f, bk_report(&f->ctx, "provision", &p, &t));
	assert_int_equal(t->rows[t->n_rows - 1].cells[t->n_cols - 1].v, 1);
	bk_table_destroy(t);
}

static void test_crlf_quoted_newline(void **state)
{
	struct tu_db *f = *state;
	load_providers(f);
	import_ok(f, BK_IMPORT_REFERRALS, "referrals_crlf.csv", 2);
	struct store_referral r;
	assert_int_equal(store_referral_get(f->ctx.store, 1, &r), STORE_OK);
	assert_string_equal(r.case_ref, "CRLF-1");
	assert_string_equal(r.note, "line one,\nline two");
	assert_int_equal(store_referral_get(f->ctx.store, 2, &r), STORE_OK);
	assert_string_equal(r.case_ref, "CRLF-2");
	assert_string_equal(r.district, "East");
	assert_string_equal(r.note, "plain");
}

static void test_reimport(void **state)
{
	struct tu_db *f = *state;
	load_providers(f);
	tu_as(f, "sam", NULL); /* off-contract history is a supervisor's to bring in */
	import_ok(f, BK_IMPORT_REFERRALS, "referrals.csv", 4);
	int64_t n = referrals(f);
	/* The same file: refused. */
	struct bk_import_result res;
	assert_int_equal(bk_import_file(&f->ctx, BK_IMPORT_REFERRALS, fixture("referrals.csv"), NULL, NULL, &res),
	                 BK_REFUSED);
	assert_non_null(strstr(f->ctx.msg, "imported before"));
	bk_import_result_finish(&res);
	assert_int_equal(referrals(f), n);
	/* The same rows in another file: skipped, never duplicated. */
	const char *again = "case_ref,lot,district,hours,panel_date\nIMP-1,1,North,10,2025-11-03\nNEW-1,1,North,3,\n";
	tu_ok(f, bk_import_buffer(&f->ctx, BK_IMPORT_REFERRALS, "again.csv", again, strlen(again), NULL, NULL, &res));
	assert_int_equal(res.added, 1);
	assert_int_equal(res.skipped, 1);
	bk_import_result_finish(&res);
	assert_int_equal(referrals(f), n + 1);
	/* Providers by name, whatever the case. */
	tu_as(f, "tina", NULL);
	const char *prov = "name\nalpha care\nNew Provider\n";
	tu_ok(f, bk_import_buffer(&f->ctx, BK_IMPORT_PROVIDERS, "p.csv", prov, strlen(prov), NULL, NULL, &res));
	assert_int_equal(res.added, 1);
	assert_int_equal(res.skipped, 1);
	bk_import_result_finish(&res);
}

static void test_header_and_malformed(void **state)
{
	struct tu_db *f = *state;
	load_providers(f);
	struct bk_import_result res;
	const char *h = "case_ref,lot,colour\nX-1,1,red\n";
	assert_int_equal(bk_import_buffer(&f->ctx, BK_IMPORT_REFERRALS, "h.csv", h, strlen(h), NULL, NULL, &res),
	                 BK_REFUSED);
	assert_non_null(strstr(res.errors, "h.csv:1: colour: not a known column"));
	assert_non_null(strstr(res.errors, "h.csv:1: district: this column is required"));
	assert_non_null(strstr(res.errors, "h.csv:1: hours: this column is required"));
	bk_import_result_finish(&res);
	const char *m = "case_ref,lot,district,hours\nA-1,1,North,10\nA-2,1,No\"rth,10\n";
	assert_int_equal(bk_import_buffer(&f->ctx, BK_IMPORT_REFERRALS, "m.csv", m, strlen(m), NULL, NULL, &res),
	                 BK_REFUSED);
	assert_non_null(strstr(res.errors, "m.csv:3: the CSV is malformed"));
	bk_import_result_finish(&res);
	const char *u = "case_ref,lot,district,hours\nA-1,1,North,10\n\"A-2,1,North,10\n";
	assert_int_equal(bk_import_buffer(&f->ctx, BK_IMPORT_REFERRALS, "u.csv", u, strlen(u), NULL, NULL, &res),
	                 BK_REFUSED);
	assert_non_null(strstr(res.errors, "u.csv:3: a quoted field is not closed"));
	bk_import_result_finish(&res);
	const char *bad8 = "case_ref,lot,district,hours,note\nA-1,1,North,10,caf\xe9\n";
	assert_int_equal(bk_import_buffer(&f->ctx, BK_IMPORT_REFERRALS, "u8.csv", bad8, strlen(bad8), NULL, NULL, &res),
	                 BK_REFUSED);
	assert_non_null(strstr(res.errors, "u8.csv:2: note: not valid UTF-8"));
	bk_import_result_finish(&res);
	assert_int_equal(referrals(f), 0);
	/* An officer may not import providers. */
	const char *prov = "name\nX\n";
	assert_int_equal(bk_import_buffer(&f->ctx, BK_IMPORT_PROVIDERS, "p.csv", prov, strlen(prov), NULL, NULL, &res),
	                 BK_REFUSED);
	bk_import_result_finish(&res);
}

static void no_problem(void *ud, const char *what)
{
	(void)ud;
	fail_msg("check: %s", what);
}

/* A withdrawn referral, as export writes one, arrives withdrawn on its
 * day with its reason: a state the workflow allows, that check --deep
 * passes and that the retention rules count from. */
static void test_withdrawn(void **state)
{
	struct tu_db *f = *state;
	load_providers(f);
	const char *csv =
		"id,case_ref,lot,district,hours,panel_date,status,recorded_on,workflow_status,withdrawn_on,"
		"withdrawn_reason\r\n"
		"7,WD-1,1,North,6,2019-01-04,withdrawn,2019-01-07,withdrawn,2019-01-08,\"family moved, away\"\r\n"
		"8,WD-2,2,South,3,,withdrawn,2025-12-01,withdrawn,2025-11-20,\r\n"
		"9,WT-3,1,North,4,2025-12-01,waiting,,exhausted,,\r\n";
	struct bk_import_result res;
	tu_ok(f, bk_import_buffer(&f->ctx, BK_IMPORT_REFERRALS, "wd.csv", csv, strlen(csv), NULL, NULL, &res));
	assert_int_equal(res.added, 3);
	bk_import_result_finish(&res);
	struct store_referral r;
	int32_t d;
	assert_int_equal(store_referral_get(f->ctx.store, 1, &r), STORE_OK);
	assert_string_equal(r.case_ref, "WD-1");
	assert_int_equal(r.status, WF_WITHDRAWN);
	assert_string_equal(r.close_reason, "family moved, away");
	assert_true(cal_parse_date("2019-01-08", &d, NULL, 0));
	int32_t closed;
	cal_local(r.closed_at, &closed, NULL);
	assert_int_equal(closed, d);
	assert_int_equal(r.ended_on, STORE_NO_DATE);
	assert_int_equal(r.sourced_at, 0);
	assert_string_equal(r.route, "");
	assert_true(r.created_at <= r.closed_at);
	/* Recorded after the day it was withdrawn: recorded no later than that. */
	assert_int_equal(store_referral_get(f->ctx.store, 2, &r), STORE_OK);
	assert_int_equal(r.status, WF_WITHDRAWN);
	assert_string_equal(r.close_reason, "");
	assert_true(r.created_at <= r.closed_at);
	assert_int_equal(store_referral_get(f->ctx.store, 3, &r), STORE_OK);
	assert_int_equal(r.status, WF_NEW);
	assert_int_equal(r.closed_at, 0);
	assert_int_equal(tu_events(f, "referral.import", 0), 3);
	int problems = 0;
	assert_int_equal(store_check_deep(f->ctx.store, no_problem, NULL, &problems), STORE_OK);
	assert_int_equal(problems, 0);
	/* Nothing more can be done with it, as with one withdrawn here. */
	assert_int_equal(bk_referral_send(&f->ctx, 1, 0), BK_REFUSED);
	/* The retention rules see it: withdrawn in 2019, more than 72 months ago. */
	tu_as(f, "admin", NULL);
	struct bk_table *t = NULL;
	tu_ok(f, bk_retention_purge(&f->ctx, true, &t));
	assert_int_equal(t->n_rows, 1);
	assert_string_equal(t->rows[0].cells[1].text, "WD-1");
	bk_table_destroy(t);
}

static void test_withdrawn_refused(void **state)
{
	struct tu_db *f = *state;
	load_providers(f);
	char reason[600];
	memset(reason, 'x', 501);
	reason[501] = '\0';
	char csv[2048];
	snprintf(csv, sizeof csv,
	         "case_ref,lot,district,hours,panel_date,status,provider,sourced_on,withdrawn_on,withdrawn_reason\n"
	         "B-1,1,North,6,2025-11-03,withdrawn,,,,moved away\n"
	         "B-2,1,North,6,2025-11-03,withdrawn,Alpha Care,2025-11-04,2025-11-05,\n"
	         "B-3,1,North,6,2025-11-03,withdrawn,,,2025-11-01,\n"
	         "B-4,1,North,6,2025-11-03,withdrawn,,,2026-02-01,\n"
	         "B-5,1,North,6,2025-11-03,withdrawn,,,2025-11-05,\"bell\a\"\n"
	         "B-6,1,North,6,2025-11-03,withdrawn,,,2025-11-05,%s\n"
	         "B-7,1,North,6,2025-11-03,waiting,,,2025-11-05,\n"
	         "B-8,1,North,6,2025-11-03,sourced,Alpha Care,2025-11-04,,no longer needed\n"
	         "B-9,1,North,6,2025-11-03,Withdrawn,,,2025-11-05,\n",
	         reason);
	int ev = tu_events(f, NULL, 0);
	struct bk_import_result res;
	assert_int_equal(bk_import_buffer(&f->ctx, BK_IMPORT_REFERRALS, "b.csv", csv, strlen(csv), NULL, NULL, &res),
	                 BK_REFUSED);
	static const char *const want[] = {
		"b.csv:2: withdrawn_on: a withdrawn referral needs the date it was withdrawn",
		"b.csv:3: provider: a withdrawn referral has no provider",
		"b.csv:3: sourced_on: a withdrawn referral has no sourced_on",
		"b.csv:4: withdrawn_on: 2025-11-01 is before the panel date",
		"b.csv:5: withdrawn_on: 2026-02-01 is in the future",
		"b.csv:6: withdrawn_reason: the reason holds a control character (U+0007): remove it",
		"b.csv:7: withdrawn_reason: the reason is 501 characters long; at most 500 are kept",
		"b.csv:8: withdrawn_on: only a withdrawn referral has a withdrawal date",
		"b.csv:9: withdrawn_reason: only a withdrawn referral has a withdrawal reason",
		"b.csv:10: status: 'Withdrawn' is not waiting, sourced, ended or withdrawn",
	};
	expect_problems(&res, want, 10);
	bk_import_result_finish(&res);
	assert_int_equal(referrals(f), 0);
	assert_int_equal(tu_events(f, NULL, 0), ev);
}

struct prog {
	int calls, last, total;
};

static void on_progress(void *ud, int done, int total)
{
	struct prog *p = ud;
	p->calls++;
	p->last = done;
	p->total = total;
}

static void test_many_rows_with_progress(void **state)
{
	struct tu_db *f = *state;
	load_providers(f);
	int rows = 12000;
	size_t cap = (size_t)rows * 64 + 128, len = 0;
	char *buf = malloc(cap);
	len += (size_t)snprintf(buf + len, cap - len,
	                        "case_ref,lot,district,hours,panel_date,status,provider,sourced_on\n");
	for (int i = 0; i < rows; i++)
		len += (size_t)snprintf(buf + len, cap - len, "M-%d,%d,%s,%d,2025-0%d-1%d,%s\n", i,
		                        i % 2 ? 1 : 1 + i % 4,
		                        /* a sourced one where Alpha Care is ranked */
		                        (const char *[]){ "North", "South", "East", "West" }[i % 2 ? 0 : i % 4],
		                        1 + i % 20, 1 + i % 9, i % 10,
		                        i % 2 ? "sourced,Alpha Care,2025-10-01" : "waiting,,");
	struct prog pr = { 0 };
	struct bk_import_result res;
	tu_ok(f, bk_import_buffer(&f->ctx, BK_IMPORT_REFERRALS, "many.csv", buf, len, on_progress, &pr, &res));
	assert_int_equal(res.added, rows);
	assert_int_equal(pr.last, rows);
	assert_int_equal(pr.total, rows);
	assert_true(pr.calls >= 12);
	bk_import_result_finish(&res);
	free(buf);
	assert_int_equal(tu_events(f, "referral.import", 0), rows);
	struct store_verify v;
	assert_int_equal(store_audit_verify(f->ctx.store, &v), STORE_OK);
	assert_int_equal(v.bad_seq, 0);
}

/* Issue 14: an import records only what the actions could have recorded.
 * Delta, Care is amber and ranked for lot 1 in North (rank 2) and lot 2 in
 * South; Alpha Care is ranked for lot 1 in North, serving ages 0-18 with
 * 40 hours in North. */
static void test_packages_follow_the_rules(void **state)
{
	struct tu_db *f = *state;
	load_providers(f);
	tu_as(f, "tina", NULL);
	struct bk_provider_input emb = { .name = "Alpha Care",
		                         .embargo = "late visits",
		                         .active = -1,
		                         .framework = -1 };
	tu_ok(f, bk_provider_set(&f->ctx, &emb, NULL));
	tu_as(f, "sam", NULL);
	const char csv[] =
		"case_ref,lot,district,hours,panel_date,age,status,provider,route,sourced_on,weekly_cost\n"
		"P-1,1,North,10,2025-11-03,12,sourced,Alpha Care,framework,2025-11-10,\n"      /* embargoed */
		"P-2,1,South,10,2025-11-03,12,sourced,\"Delta, Care\",framework,2025-11-10,\n" /* not ranked there */
		"P-3,1,North,10,2025-11-03,30,sourced,\"Delta, Care\",framework,2025-11-10,\n" /* serves 0-25 */
		"P-4,1,North,10,2025-11-03,12,sourced,\"Delta, Care\",framework,2025-11-10,99999.00\n" /* key decision
	                                                                                                */
		"P-5,1,North,10,2025-11-03,12,sourced,\"Delta, Care\",framework,2025-11-10,0\n"        /* nothing */
		"P-6,2,South,10,2025-11-03,12,sourced,@Spot Agency,spot,2025-11-10,250.00\n"           /* fits */
		"P-7,1,North,10,2025-11-03,12,sourced,\"Delta, Care\",framework,2025-11-10,\n";        /* fits */
	struct bk_import_result res;
	int64_t before = referrals(f);
	assert_int_equal(bk_import_buffer(&f->ctx, BK_IMPORT_REFERRALS, "p.csv", csv, strlen(csv), NULL, NULL, &res),
	                 BK_REFUSED);
	static const char *const want[] = {
		"p.csv:2: provider: Alpha Care cannot take this referral (lot 1 in North, age 12) now: embargoed: late "
		"visits",
		"p.csv:3: provider: Delta, Care is not ranked for lot 1 in South",
		"p.csv:4: provider: Delta, Care cannot take this referral (lot 1 in North, age 30) now: serves ages "
		"0-25",
		"p.csv:5: weekly_cost:",
		"p.csv:6: weekly_cost: a package costs something",
	};
	expect_problems(&res, want, 5);
	assert_non_null(strstr(res.errors, "reaches the key-decision threshold"));
	assert_int_equal(referrals(f), before);
	bk_import_result_finish(&res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_providers_bom_crlf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_rows_all_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(test_referrals_history, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crlf_quoted_newline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reimport, setup, teardown),
		cmocka_unit_test_setup_teardown(test_header_and_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_withdrawn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_withdrawn_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_rows_with_progress, setup, teardown),
		cmocka_unit_test_setup_teardown(test_packages_follow_the_rules, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
