/* Data protection: a subject access answer with everything held about a
 * case; erasure under the retention rules that leaves the audit chain
 * verifiable, the past reports whole, and no trace of the case in the
 * database or its write-ahead log; reads recorded as events. */
#define _GNU_SOURCE /* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/report.h"
#include "tests/testutil.h"

/* The referrals setup makes (see below), for the tests to name. */
static struct {
	int64_t secret, gone, keep;
} ids;

static int64_t referral(struct tu_db *f, const char *ref, const char *panel, const char *note)
{
	struct bk_referral_input in = {
		.case_ref = ref,
		.lot = 1,
		.district = "North",
		.hours = "6",
		.panel_date = panel,
		.age = 11,
		.note = note,
	};
	int64_t id = 0;
	tu_ok(f, bk_referral_new(&f->ctx, &in, &id));
	return id;
}

/* SECRET-CASE-77: sourced in 2019, ended June 2019. GONE-2: withdrawn in
 * 2019. KEEP-1: ended in 2025, inside the 72 months. */
static int setup(void **state)
{
	struct tu_db *f = tu_db_make(&(struct tu_fixture){
		.now = "2019-01-02T09:00",
		.keep_at = "2019-01-02T10:00",
		.providers = (const struct tu_provider[]){ { .name = "Alpha Care" }, { 0 } },
		.rankings = (const struct tu_ranking[]){ { 1, "North", (const char *const[]){ "Alpha Care", NULL } },
	                                                 { 0 } },
	});

	tu_as(f, "alice", "2019-01-07T10:00");
	ids.secret = referral(f, "SECRET-CASE-77", "2019-01-04", "lives with gran at the farm");
	ids.gone = referral(f, "GONE-2", "2019-01-04", "family moved away");
	tu_ok(f, bk_referral_send(&f->ctx, ids.secret, 0));
	tu_as(f, "alice", "2019-01-08T10:00");
	tu_ok(f, bk_referral_respond(&f->ctx, ids.secret, 0, "Alpha Care", BK_ANSWER_ACCEPT, "2019-01-14"));
	tu_ok(f, bk_referral_withdraw(&f->ctx, ids.gone, 0, "family moved away"));
	tu_as(f, "alice", "2019-07-01T10:00");
	tu_ok(f, bk_referral_end(&f->ctx, ids.secret, 0, "2019-06-30"));
	tu_ok(f, bk_record_read(&f->ctx, ids.secret));

	tu_as(f, "alice", "2025-03-03T10:00");
	ids.keep = referral(f, "KEEP-1", "2025-03-01", "keep me");
	tu_ok(f, bk_referral_send(&f->ctx, ids.keep, 0));
	tu_ok(f, bk_referral_respond(&f->ctx, ids.keep, 0, "Alpha Care", BK_ANSWER_ACCEPT, NULL));
	tu_as(f, "alice", "2025-09-01T10:00");
	tu_ok(f, bk_referral_end(&f->ctx, ids.keep, 0, "2025-08-31"));
	tu_as(f, "admin", "2026-01-14T12:00");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	tu_db_close(*state); /* the answers written under its directory go with it */
	return 0;
}

static bool file_has(const char *path, const char *needle)
{
	size_t len = 0;
	unsigned char *buf = tu_read_file(path, &len);
	bool found = buf && memmem(buf, len, needle, strlen(needle)) != NULL;
	free(buf);
	return found;
}

static void no_problem(void *ud, const char *what)
{
	(void)ud;
	fail_msg("check: %s", what);
}

static void test_subject_access(void **state)
{
	struct tu_db *f = *state;
	tu_as(f, "tina", "2026-01-14T12:00");
	char dir[300], p[400];
	snprintf(dir, sizeof dir, "%s/sar", f->dir);
	int n = 0;
	tu_ok(f, bk_subject_access(&f->ctx, "SECRET-CASE-77", dir, &n));
	assert_int_equal(n, 1);
	struct stat sb;
	assert_int_equal(stat(dir, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	const char *files[] = { "subject.json", "referrals.csv", "offers.csv", "spot_requests.csv", "events.csv" };
	for (int i = 0; i < 5; i++) {
		snprintf(p, sizeof p, "%s/%s", dir, files[i]);
		assert_int_equal(stat(p, &sb), 0);
		assert_int_equal(sb.st_mode & 0777, 0600);
	}
	snprintf(p, sizeof p, "%s/subject.json", dir);
	size_t len = 0;
	unsigned char *text = tu_read_file(p, &len);
	assert_non_null(text);
	json_t *j = json_loadb((const char *)text, len, 0, NULL);
	free(text);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "case_ref")), "SECRET-CASE-77");
	json_t *refs = json_object_get(j, "referrals");
	assert_int_equal(json_array_size(refs), 1);
	json_t *r = json_array_get(refs, 0);
	assert_string_equal(json_string_value(json_object_get(r, "note")), "lives with gran at the farm");
	assert_int_equal(json_array_size(json_object_get(r, "offers")), 1);
	assert_true(json_array_size(json_object_get(r, "events")) >= 5); /* new, send, offer, accept, end, read */
	json_decref(j);
	snprintf(p, sizeof p, "%s/referrals.csv", dir);
	assert_true(file_has(p, "SECRET-CASE-77"));
	snprintf(p, sizeof p, "%s/events.csv", dir);
	assert_true(file_has(p, "referral.new"));
	snprintf(p, sizeof p, "%s/offers.csv", dir);
	assert_true(file_has(p, "Alpha Care"));
	assert_int_equal(tu_events(f, "subject.access", ids.secret), 1);
	/* A directory that exists and is not empty is refused. */
	assert_int_equal(bk_subject_access(&f->ctx, "SECRET-CASE-77", dir, &n), BK_REFUSED);
	/* A case with nothing held: an empty answer, still audited. */
	snprintf(dir, sizeof dir, "%s/none", f->dir);
	tu_ok(f, bk_subject_access(&f->ctx, "NOBODY-1", dir, &n));
	assert_int_equal(n, 0);
	assert_int_equal(tu_events(f, "subject.access", 0), 2);
	/* An officer may not. */
	tu_as(f, "alice", "2026-01-14T12:00");
	assert_int_equal(bk_subject_access(&f->ctx, "SECRET-CASE-77", "/tmp/never", &n), BK_REFUSED);
}

static void test_purge_dry_run(void **state)
{
	struct tu_db *f = *state;
	struct bk_table *t = NULL;
	tu_ok(f, bk_retention_purge(&f->ctx, true, &t));
	assert_int_equal(t->n_rows, 2);
	assert_string_equal(t->rows[0].cells[1].text, "SECRET-CASE-77");
	assert_string_equal(t->rows[1].cells[1].text, "GONE-2");
	bk_table_destroy(t);
	struct store_referral r;
	assert_int_equal(store_referral_get(f->ctx.store, ids.secret, &r), STORE_OK);
	assert_string_equal(r.case_ref, "SECRET-CASE-77");
	assert_int_equal(tu_events(f, "referral.erase", 0), 0);
	/* Only an administrator erases. */
	tu_as(f, "tina", "2026-01-14T12:00");
	assert_int_equal(bk_retention_purge(&f->ctx, true, &t), BK_REFUSED);
	assert_null(t);
}

static void test_purge(void **state)
{
	struct tu_db *f = *state;
	struct bk_table *before = NULL;
	struct bk_report_params p = { .on = "2019-03-01" };
	tu_ok(f, bk_report(&f->ctx, "provision", &p, &before));
	int64_t count_before = before->rows[before->n_rows - 1].cells[before->n_cols - 1].v;
	assert_int_equal(count_before, 1);
	bk_table_destroy(before);

	char wal0[320];
	snprintf(wal0, sizeof wal0, "%s-wal", f->path);
	if (tu_is_conninfo(f->path))
		assert_true(tu_pg_dump_has(f->path, "SECRET-CASE-77"));
	else
		assert_true(file_has(f->path, "SECRET-CASE-77") || file_has(wal0, "SECRET-CASE-77"));
	struct bk_table *t = NULL;
	tu_ok(f, bk_retention_purge(&f->ctx, false, &t));
	assert_int_equal(t->n_rows, 2);
	bk_table_destroy(t);
	struct store_referral r;
	assert_int_equal(store_referral_get(f->ctx.store, ids.secret, &r), STORE_OK);
	assert_true(r.erased);
	char want[32];
	snprintf(want, sizeof want, "erased-%lld", (long long)ids.secret);
	assert_string_equal(r.case_ref, want);
	assert_string_equal(r.note, "");
	assert_int_equal(r.age, -1);
	assert_int_equal(r.lot, 1);
	assert_string_equal(r.district, "North");
	assert_int_equal(store_referral_get(f->ctx.store, ids.gone, &r), STORE_OK);
	assert_true(r.erased);
	assert_string_equal(r.close_reason, "");
	assert_int_equal(store_referral_get(f->ctx.store, ids.keep, &r), STORE_OK);
	assert_false(r.erased);
	assert_int_equal(tu_events(f, "referral.erase", 0), 2);

	/* The chain still verifies, and the deep checks still hold. */
	struct store_verify v;
	assert_int_equal(store_audit_verify(f->ctx.store, &v), STORE_OK);
	if (v.bad_seq)
		fail_msg("event %lld: %s", (long long)v.bad_seq, v.problem);
	int problems = 0;
	assert_int_equal(store_check_deep(f->ctx.store, no_problem, NULL, &problems), STORE_OK);
	assert_int_equal(problems, 0);

	/* The past still counts the erased package. */
	tu_ok(f, bk_report(&f->ctx, "provision", &p, &before));
	assert_int_equal(before->rows[before->n_rows - 1].cells[before->n_cols - 1].v, 1);
	bk_table_destroy(before);

	/* Nothing of the case is left in the file or its log. */
	char wal[320];
	snprintf(wal, sizeof wal, "%s-wal", f->path);
	const char *secrets[] = { "SECRET-CASE-77", "lives with gran", "GONE-2", "family moved away" };
	for (int i = 0; i < 4 && tu_is_conninfo(f->path); i++) /* PostgreSQL: in no row of any table */
		if (tu_pg_dump_has(f->path, secrets[i]))
			fail_msg("'%s' is still in the database", secrets[i]);
	for (int i = 0; i < 4 && !tu_is_conninfo(f->path); i++) {
		if (file_has(f->path, secrets[i]))
			fail_msg("'%s' is still in the database file", secrets[i]);
		if (file_has(wal, secrets[i]))
			fail_msg("'%s' is still in the write-ahead log", secrets[i]);
	}
	assert_true(tu_is_conninfo(f->path) ? tu_pg_dump_has(f->path, "KEEP-1") : file_has(f->path, "KEEP-1"));

	/* A second purge finds nothing. */
	tu_ok(f, bk_retention_purge(&f->ctx, false, &t));
	assert_int_equal(t->n_rows, 0);
	bk_table_destroy(t);
	/* An erased referral cannot be acted on. */
	tu_as(f, "alice", "2026-01-14T12:00");
	assert_int_equal(bk_referral_withdraw(&f->ctx, ids.gone, 0, "again"), BK_REFUSED);
}

static void test_record_read(void **state)
{
	struct tu_db *f = *state;
	tu_as(f, "alice", "2026-01-14T12:00");
	int before = tu_events(f, "referral.read", ids.keep);
	tu_ok(f, bk_record_read(&f->ctx, ids.keep));
	assert_int_equal(tu_events(f, "referral.read", ids.keep), before + 1);
	tu_ok(f, bk_record_read(&f->ctx, 99999)); /* nothing there: nothing recorded */
	assert_int_equal(tu_events(f, "referral.read", 99999), 0);
	/* Read-only: silently skipped. */
	struct bk_ctx ro;
	struct bk_open_opts o = { .path = f->path, .readonly = true };
	assert_int_equal(bk_open(&ro, &f->s, &o), BK_OK);
	ro.now = f->ctx.now;
	assert_int_equal(bk_identify(&ro, "alice", true), BK_OK);
	assert_int_equal(bk_record_read(&ro, ids.keep), BK_OK);
	bk_close(&ro);
	assert_int_equal(tu_events(f, "referral.read", ids.keep), before + 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_subject_access, setup, teardown),
		cmocka_unit_test_setup_teardown(test_purge_dry_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_purge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_record_read, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
