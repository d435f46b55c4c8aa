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

struct fx {
	struct bk_settings s;
	struct bk_ctx ctx;
	char dir[64];
	char path[128];
	int64_t secret, gone, keep;
};

static int64_t at(const char *text)
{
	int64_t t = 0;
	assert_true(cal_parse_time(text, &t, NULL, 0));
	return t;
}

static void ok(struct fx *f, enum bk_status st)
{
	if (st != BK_OK)
		fail_msg("%s", f->ctx.msg);
}

static void as(struct fx *f, const char *login, const char *when)
{
	f->ctx.now = at(when);
	assert_int_equal(bk_identify(&f->ctx, login, true), BK_OK);
}

static int64_t referral(struct fx *f, const char *ref, const char *panel, const char *note)
{
	struct bk_referral_input in = {
		.case_ref = ref, .lot = 1, .district = "North", .hours = "6", .panel_date = panel, .age = 11, .note = note,
	};
	int64_t id = 0;
	ok(f, bk_referral_new(&f->ctx, &in, &id));
	return id;
}

/* SECRET-CASE-77: sourced in 2019, ended June 2019. GONE-2: withdrawn in
 * 2019. KEEP-1: ended in 2025, inside the 72 months. */
static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	bk_settings_defaults(&f->s);
	assert_true(cal_zone_use(f->s.zone));
	snprintf(f->dir, sizeof f->dir, "/tmp/bk_dataprot_XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof f->path, "%s/t.db", f->dir);
	struct bk_open_opts o = { .path = f->path, .create = true };
	assert_int_equal(bk_open(&f->ctx, &f->s, &o), BK_OK);
	f->ctx.now = at("2019-01-02T09:00");
	ok(f, bk_init(&f->ctx, "admin", "Admin", true));
	ok(f, bk_staff_add(&f->ctx, "tina", "Tina", "team_leader"));
	ok(f, bk_staff_add(&f->ctx, "alice", "Alice", "officer"));
	as(f, "tina", "2019-01-02T10:00");
	struct bk_provider_input p = { .name = "Alpha Care", .active = -1, .framework = -1 };
	int64_t pid;
	ok(f, bk_provider_add(&f->ctx, &p, &pid));
	const char *north[] = { "Alpha Care" };
	ok(f, bk_rank_set(&f->ctx, 1, "North", north, 1));

	as(f, "alice", "2019-01-07T10:00");
	f->secret = referral(f, "SECRET-CASE-77", "2019-01-04", "lives with gran at the farm");
	f->gone = referral(f, "GONE-2", "2019-01-04", "family moved away");
	ok(f, bk_referral_send(&f->ctx, f->secret, 0));
	as(f, "alice", "2019-01-08T10:00");
	ok(f, bk_referral_respond(&f->ctx, f->secret, 0, "Alpha Care", BK_ANSWER_ACCEPT, "2019-01-14"));
	ok(f, bk_referral_withdraw(&f->ctx, f->gone, 0, "family moved away"));
	as(f, "alice", "2019-07-01T10:00");
	ok(f, bk_referral_end(&f->ctx, f->secret, 0, "2019-06-30"));
	ok(f, bk_record_read(&f->ctx, f->secret));

	as(f, "alice", "2025-03-03T10:00");
	f->keep = referral(f, "KEEP-1", "2025-03-01", "keep me");
	ok(f, bk_referral_send(&f->ctx, f->keep, 0));
	ok(f, bk_referral_respond(&f->ctx, f->keep, 0, "Alpha Care", BK_ANSWER_ACCEPT, NULL));
	as(f, "alice", "2025-09-01T10:00");
	ok(f, bk_referral_end(&f->ctx, f->keep, 0, "2025-08-31"));
	as(f, "admin", "2026-01-14T12:00");
	*state = f;
	return 0;
}

static void rm_tree(const char *dir)
{
	char p[300];
	const char *files[] = { "t.db", "t.db-wal", "t.db-shm", "subject.json", "referrals.csv", "offers.csv",
		                "spot_requests.csv", "events.csv" };
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		snprintf(p, sizeof p, "%s/%s", dir, files[i]);
		unlink(p);
	}
	rmdir(dir);
}

static int teardown(void **state)
{
	struct fx *f = *state;
	bk_close(&f->ctx);
	char p[200];
	snprintf(p, sizeof p, "%s/sar", f->dir);
	rm_tree(p);
	snprintf(p, sizeof p, "%s/none", f->dir);
	rm_tree(p);
	rm_tree(f->dir);
	free(f);
	return 0;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	*len = 0;
	if (!fp)
		return calloc(1, 1);
	fseek(fp, 0, SEEK_END);
	long n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	char *buf = malloc((size_t)n + 1);
	*len = fread(buf, 1, (size_t)n, fp);
	buf[*len] = '\0';
	fclose(fp);
	return buf;
}

static bool file_has(const char *path, const char *needle)
{
	size_t len;
	char *buf = slurp(path, &len);
	bool found = memmem(buf, len, needle, strlen(needle)) != NULL;
	free(buf);
	return found;
}

static int count_event(void *ud, const struct store_event *e)
{
	(void)e;
	(*(int *)ud)++;
	return 0;
}

static int events(struct fx *f, const char *action, int64_t referral_id)
{
	int n = 0;
	struct store_event_filter ef = { .action = action, .referral_id = referral_id };
	assert_int_equal(store_audit_each(f->ctx.store, &ef, count_event, &n), STORE_OK);
	return n;
}

static void no_problem(void *ud, const char *what)
{
	(void)ud;
	fail_msg("check: %s", what);
}

static void test_subject_access(void **state)
{
	struct fx *f = *state;
	as(f, "tina", "2026-01-14T12:00");
	char dir[200], p[260];
	snprintf(dir, sizeof dir, "%s/sar", f->dir);
	int n = 0;
	ok(f, bk_subject_access(&f->ctx, "SECRET-CASE-77", dir, &n));
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
	size_t len;
	char *text = slurp(p, &len);
	json_t *j = json_loads(text, 0, NULL);
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
	assert_int_equal(events(f, "subject.access", f->secret), 1);
	/* A directory that exists and is not empty is refused. */
	assert_int_equal(bk_subject_access(&f->ctx, "SECRET-CASE-77", dir, &n), BK_REFUSED);
	/* A case with nothing held: an empty answer, still audited. */
	snprintf(dir, sizeof dir, "%s/none", f->dir);
	ok(f, bk_subject_access(&f->ctx, "NOBODY-1", dir, &n));
	assert_int_equal(n, 0);
	assert_int_equal(events(f, "subject.access", 0), 2);
	/* An officer may not. */
	as(f, "alice", "2026-01-14T12:00");
	assert_int_equal(bk_subject_access(&f->ctx, "SECRET-CASE-77", "/tmp/never", &n), BK_REFUSED);
}

static void test_purge_dry_run(void **state)
{
	struct fx *f = *state;
	struct bk_table *t = NULL;
	ok(f, bk_retention_purge(&f->ctx, true, &t));
	assert_int_equal(t->n_rows, 2);
	assert_string_equal(t->rows[0].cells[1].text, "SECRET-CASE-77");
	assert_string_equal(t->rows[1].cells[1].text, "GONE-2");
	bk_table_destroy(t);
	struct store_referral r;
	assert_int_equal(store_referral_get(f->ctx.store, f->secret, &r), STORE_OK);
	assert_string_equal(r.case_ref, "SECRET-CASE-77");
	assert_int_equal(events(f, "referral.erase", 0), 0);
	/* Only an administrator erases. */
	as(f, "tina", "2026-01-14T12:00");
	assert_int_equal(bk_retention_purge(&f->ctx, true, &t), BK_REFUSED);
	assert_null(t);
}

static void test_purge(void **state)
{
	struct fx *f = *state;
	struct bk_table *before = NULL;
	struct bk_report_params p = { .on = "2019-03-01" };
	ok(f, bk_report(&f->ctx, "provision", &p, &before));
	int64_t count_before = before->rows[before->n_rows - 1].cells[before->n_cols - 1].v;
	assert_int_equal(count_before, 1);
	bk_table_destroy(before);

	char wal0[200];
	snprintf(wal0, sizeof wal0, "%s-wal", f->path);
	assert_true(file_has(f->path, "SECRET-CASE-77") || file_has(wal0, "SECRET-CASE-77"));
	struct bk_table *t = NULL;
	ok(f, bk_retention_purge(&f->ctx, false, &t));
	assert_int_equal(t->n_rows, 2);
	bk_table_destroy(t);
	struct store_referral r;
	assert_int_equal(store_referral_get(f->ctx.store, f->secret, &r), STORE_OK);
	assert_true(r.erased);
	char want[32];
	snprintf(want, sizeof want, "erased-%lld", (long long)f->secret);
	assert_string_equal(r.case_ref, want);
	assert_string_equal(r.note, "");
	assert_int_equal(r.age, -1);
	assert_int_equal(r.lot, 1);
	assert_string_equal(r.district, "North");
	assert_int_equal(store_referral_get(f->ctx.store, f->gone, &r), STORE_OK);
	assert_true(r.erased);
	assert_string_equal(r.close_reason, "");
	assert_int_equal(store_referral_get(f->ctx.store, f->keep, &r), STORE_OK);
	assert_false(r.erased);
	assert_int_equal(events(f, "referral.erase", 0), 2);

	/* The chain still verifies, and the deep checks still hold. */
	struct store_verify v;
	assert_int_equal(store_audit_verify(f->ctx.store, &v), STORE_OK);
	if (v.bad_seq)
		fail_msg("event %lld: %s", (long long)v.bad_seq, v.problem);
	int problems = 0;
	assert_int_equal(store_check_deep(f->ctx.store, no_problem, NULL, &problems), STORE_OK);
	assert_int_equal(problems, 0);

	/* The past still counts the erased package. */
	ok(f, bk_report(&f->ctx, "provision", &p, &before));
	assert_int_equal(before->rows[before->n_rows - 1].cells[before->n_cols - 1].v, 1);
	bk_table_destroy(before);

	/* Nothing of the case is left in the file or its log. */
	char wal[200];
	snprintf(wal, sizeof wal, "%s-wal", f->path);
	const char *secrets[] = { "SECRET-CASE-77", "lives with gran", "GONE-2", "family moved away" };
	for (int i = 0; i < 4; i++) {
		if (file_has(f->path, secrets[i]))
			fail_msg("'%s' is still in the database file", secrets[i]);
		if (file_has(wal, secrets[i]))
			fail_msg("'%s' is still in the write-ahead log", secrets[i]);
	}
	assert_true(file_has(f->path, "KEEP-1"));

	/* A second purge finds nothing. */
	ok(f, bk_retention_purge(&f->ctx, false, &t));
	assert_int_equal(t->n_rows, 0);
	bk_table_destroy(t);
	/* An erased referral cannot be acted on. */
	as(f, "alice", "2026-01-14T12:00");
	assert_int_equal(bk_referral_withdraw(&f->ctx, f->gone, 0, "again"), BK_REFUSED);
}

static void test_record_read(void **state)
{
	struct fx *f = *state;
	as(f, "alice", "2026-01-14T12:00");
	int before = events(f, "referral.read", f->keep);
	ok(f, bk_record_read(&f->ctx, f->keep));
	assert_int_equal(events(f, "referral.read", f->keep), before + 1);
	ok(f, bk_record_read(&f->ctx, 99999)); /* nothing there: nothing recorded */
	assert_int_equal(events(f, "referral.read", 99999), 0);
	/* Read-only: silently skipped. */
	struct bk_ctx ro;
	struct bk_open_opts o = { .path = f->path, .readonly = true };
	assert_int_equal(bk_open(&ro, &f->s, &o), BK_OK);
	ro.now = f->ctx.now;
	assert_int_equal(bk_identify(&ro, "alice", true), BK_OK);
	assert_int_equal(bk_record_read(&ro, f->keep), BK_OK);
	bk_close(&ro);
	assert_int_equal(events(f, "referral.read", f->keep), before + 1);
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
