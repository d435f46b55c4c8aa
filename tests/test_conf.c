/* conf/: finding the user's file; reading brokerage.conf (the system file,
 * then the user's, host and personal keys only, the system file's policy
 * keys as a seed); reading a policy file on top of a base policy; refusing
 * bad files with "FILE:LINE: what is wrong"; and the entries `policy show`
 * and `config show` print, which must read back as the same policy. */
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

#include "conf/conf.h"
#include "core/settings.h"

/* ---- helpers ------------------------------------------------------------ */

/* A temporary file holding body; the caller frees and unlinks. */
static char *write_temp(const char *body)
{
	char *path = strdup("/tmp/bk_conf_test_XXXXXX");
	int fd;
	size_t len = strlen(body);

	assert_non_null(path);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, body, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
	return path;
}

static void write_file(const char *path, const char *body)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(body, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* The policy's values (not which file set them). */
static void assert_same_policy(const struct bk_settings *a, const struct bk_settings *b)
{
	assert_string_equal(a->zone, b->zone);
	assert_int_equal(a->n_lots, b->n_lots);
	for (int i = 0; i < a->n_lots; i++) {
		assert_int_equal(a->lots[i].number, b->lots[i].number);
		assert_string_equal(a->lots[i].name, b->lots[i].name);
		assert_int_equal(a->lots[i].cqc_required, b->lots[i].cqc_required);
		assert_int_equal(a->lots[i].framework_rate, b->lots[i].framework_rate);
	}
	assert_int_equal(a->n_districts, b->n_districts);
	for (int i = 0; i < a->n_districts; i++)
		assert_string_equal(a->districts[i].name, b->districts[i].name);
	assert_int_equal(a->response_days, b->response_days);
	assert_int_equal(a->cutoff_minute, b->cutoff_minute);
	assert_int_equal(a->close_minute, b->close_minute);
	assert_int_equal(a->region, b->region);
	assert_int_equal(a->n_holidays_add, b->n_holidays_add);
	for (int i = 0; i < a->n_holidays_add; i++)
		assert_int_equal(a->holidays_add[i], b->holidays_add[i]);
	assert_int_equal(a->n_holidays_remove, b->n_holidays_remove);
	for (int i = 0; i < a->n_holidays_remove; i++)
		assert_int_equal(a->holidays_remove[i], b->holidays_remove[i]);
	assert_int_equal(a->cascade, b->cascade);
	assert_int_equal(a->batch_size, b->batch_size);
	assert_int_equal(a->excluded_risks, b->excluded_risks);
	assert_int_equal(a->require_approval, b->require_approval);
	assert_int_equal(a->key_decision_threshold, b->key_decision_threshold);
	assert_int_equal(a->retention_months, b->retention_months);
	assert_int_equal(a->n_decline_codes, b->n_decline_codes);
	for (int i = 0; i < a->n_decline_codes; i++) {
		assert_string_equal(a->decline_codes[i].keyword, b->decline_codes[i].keyword);
		assert_string_equal(a->decline_codes[i].label, b->decline_codes[i].label);
	}
	assert_int_equal(a->mail_enabled, b->mail_enabled);
	assert_string_equal(a->mail_from, b->mail_from);
	assert_string_equal(a->mail_reply_to, b->mail_reply_to);
	assert_int_equal(a->mail_offer_fields, b->mail_offer_fields);
	assert_int_equal(a->mail_chase_hours, b->mail_chase_hours);
}

/* The values and the marks of which keys a file set, and the file. */
static void assert_same_settings(const struct bk_settings *a, const struct bk_settings *b)
{
	assert_same_policy(a, b);
	for (int i = 0; i < BK_SET_COUNT; i++)
		assert_int_equal(a->from_file[i], b->from_file[i]);
	assert_string_equal(a->file, b->file);
}

static void assert_defaults(const struct bk_settings *s)
{
	struct bk_settings d;

	bk_settings_defaults(&d);
	assert_same_settings(s, &d);
}

static void assert_no_marks(const struct bk_settings *s)
{
	for (int i = 0; i < BK_SET_COUNT; i++)
		assert_false(s->from_file[i]);
}

/* A policy file holding body, read on top of the defaults; it must be
 * refused with exactly "FILE:line: message", and out left untouched. */
static void expect_refused(const char *body, int line, const char *message)
{
	char *path = write_temp(body);
	struct bk_settings base, s, before;
	char err[1024], want[1024];

	bk_settings_defaults(&base);
	memset(&s, 0x5a, sizeof s);
	before = s;
	assert_false(conf_load_policy(path, &base, &s, err, sizeof err));
	snprintf(want, sizeof want, "%s:%d: %s", path, line, message);
	assert_string_equal(err, want);
	assert_memory_equal(&s, &before, sizeof s);
	assert_defaults(&base);
	unlink(path);
	free(path);
}

/* A policy file holding body, read on top of base; it must be accepted. */
static void load_policy_over(const char *body, const struct bk_settings *base, struct bk_settings *s)
{
	char *path = write_temp(body);
	char err[1024];

	if (!conf_load_policy(path, base, s, err, sizeof err))
		fail_msg("refused: %s", err);
	assert_string_equal(err, "");
	assert_string_equal(s->file, path);
	unlink(path);
	free(path);
}

/* ... on top of the defaults. */
static void load_ok(const char *body, struct bk_settings *s)
{
	struct bk_settings d;

	bk_settings_defaults(&d);
	load_policy_over(body, &d, s);
}

/* brokerage.conf: system_body (NULL: no system file) then personal_body
 * (NULL: none); paths returned in sys_path / per_path (caller unlinks and
 * frees, either may be NULL). Returns what conf_load returned. */
static bool load_conf(const char *system_body, const char *personal_body, char **sys_path, char **per_path,
                      struct conf_host *h, struct bk_settings *seed, char *err, size_t errlen)
{
	char *sp = system_body ? write_temp(system_body) : NULL;
	char *pp = personal_body ? write_temp(personal_body) : NULL;
	bool ok = conf_load(sp ? sp : "", pp ? pp : "", h, seed, err, errlen);

	*sys_path = sp;
	*per_path = pp;
	return ok;
}

static void drop(char *path)
{
	if (path) {
		unlink(path);
		free(path);
	}
}

/* A personal brokerage.conf holding body: refused as "FILE:line: message". */
static void expect_personal_refused(const char *body, int line, const char *message)
{
	char *sp, *pp, err[1024], want[1024];
	struct conf_host h;
	struct bk_settings seed;

	assert_false(load_conf(NULL, body, &sp, &pp, &h, &seed, err, sizeof err));
	assert_non_null(pp);
	snprintf(want, sizeof want, "%s:%d: %s", pp ? pp : "?", line, message);
	assert_string_equal(err, want);
	drop(sp);
	drop(pp);
}

/* A system brokerage.conf holding body: refused as "FILE:line: message". */
static void expect_system_refused(const char *body, int line, const char *message)
{
	char *sp, *pp, err[1024], want[1024];
	struct conf_host h;
	struct bk_settings seed;

	assert_false(load_conf(body, NULL, &sp, &pp, &h, &seed, err, sizeof err));
	assert_non_null(sp);
	snprintf(want, sizeof want, "%s:%d: %s", sp ? sp : "?", line, message);
	assert_string_equal(err, want);
	drop(sp);
	drop(pp);
}

/* A valid lots block with one lot, and a template for one lot line. */
#define ONE_LOT(fields) "lots = (\n  { " fields " }\n);\n"
/* A decline_codes block with "other" after the given entries. */
#define CODES(entries) "decline_codes = (\n" entries "  { keyword = \"other\"; label = \"other\"; }\n);\n"

static const char policy_key_message[] =
	"is one of the council's rules, which now live in the database, the same for everyone: remove it from this "
	"file; see them with 'brokerage policy show', and an administrator changes them with 'brokerage policy load "
	"FILE'";
static const char host_key_message[] =
	"is a personal or host setting, not one of the council's rules: it belongs in brokerage.conf, not in a "
	"policy file";

/* ---- the defaults --------------------------------------------------------- */

static void test_defaults_when_no_file(void **state)
{
	struct conf_host h;
	struct bk_settings s;
	char err[256] = "junk";

	(void)state;
	memset(&h, 0x5a, sizeof h);
	memset(&s, 0x5a, sizeof s);
	assert_true(conf_load("", "", &h, &s, err, sizeof err));
	assert_string_equal(err, "");
	assert_defaults(&s);
	assert_string_equal(s.file, "");
	assert_no_marks(&s);
	assert_string_equal(h.database, "");
	assert_true(h.colour);
	assert_string_equal(h.set_in[CONF_DATABASE], "");
	assert_string_equal(h.set_in[CONF_COLOUR], "");
	assert_string_equal(h.system_file, "");
	assert_string_equal(h.personal_file, "");
	assert_false(h.system_policy);
	/* The defaults named in domain.md, checked against the words, not the code. */
	assert_string_equal(s.zone, "Europe/London");
	assert_int_equal(s.n_lots, 4);
	assert_int_equal(s.n_districts, 4);
	assert_int_equal(s.response_days, 3);
	assert_int_equal(s.cutoff_minute, 16 * 60);
	assert_int_equal(s.close_minute, 17 * 60);
	assert_int_equal(s.excluded_risks, BK_RISK_BIT(BK_RISK_RED));
	assert_int_equal(s.key_decision_threshold, 50000000);
	assert_non_null(bk_settings_decline_code(&s, "other"));

	memset(&h, 0x5a, sizeof h);
	memset(&s, 0x5a, sizeof s);
	assert_true(conf_load(NULL, NULL, &h, &s, err, sizeof err));
	assert_defaults(&s);
	assert_string_equal(h.database, "");
	assert_true(h.colour);
	assert_false(h.system_policy);
}

/* A system file that is not there is not an error: most hosts have none. */
static void test_missing_system_file_is_skipped(void **state)
{
	char dir[] = "/tmp/bk_conf_nosys_XXXXXX";
	char path[256], nested[512], err[512];
	struct conf_host h;
	struct bk_settings s;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/brokerage.conf", dir);
	assert_true(conf_load(path, "", &h, &s, err, sizeof err));
	assert_string_equal(err, "");
	assert_string_equal(h.system_file, "");
	assert_defaults(&s);
	/* A missing directory on the way (ENOTDIR through a file) likewise. */
	write_file(path, "");
	snprintf(nested, sizeof nested, "%s/brokerage.conf", path);
	assert_true(conf_load(nested, "", &h, &s, err, sizeof err));
	assert_string_equal(h.system_file, "");
	unlink(path);
	rmdir(dir);
}

/* ---- policy files ------------------------------------------------------- */

static const char full_policy[] =
	"# every policy key, none at its default\n"
	"zone = \"Europe/Dublin\";\n"
	"lots = (\n"
	"  { number = 7; name = \"Short breaks\"; cqc_required = true; framework_rate = \"\xc2\xa3"
	"23.75\"; },\n"
	"  { number = 12; name = \"Overnight support\"; cqc_required = false; framework_rate = \"19.5\"; },\n"
	"  { number = 99; name = \"Day opportunities\"; cqc_required = false; framework_rate = \"10000\"; }\n"
	");\n"
	"districts = [ \"Cannock Chase\", \"Lichfield\", \"Tamworth\" ];\n"
	"response_days = 5;\n"
	"cutoff = \"15:30\";\n"
	"close_of_business = \"17:45\";\n"
	"bank_holidays = \"scotland\";\n"
	"holidays_add = [ \"2026-12-24\", \"2026-12-31\" ];\n"
	"holidays_remove = [ \"2026-08-31\" ];\n"
	"cascade = \"parallel\";\n"
	"batch_size = 4;\n"
	"excluded_risks = [ \"red\", \"amber\" ];\n"
	"require_approval = true;\n"
	"key_decision_threshold = \"250000\";\n"
	"retention_months = 84;\n"
	"decline_codes = (\n"
	"  { keyword = \"capacity\"; label = \"no capacity\"; },\n"
	"  { keyword = \"travel-time\"; label = \"too far to travel\"; },\n"
	"  { keyword = \"other\"; label = \"something else\"; }\n"
	");\n"
	"mail_enabled = true;\n"
	"mail_from = \"brokerage@staffordshire.example.gov.uk\";\n"
	"mail_reply_to = \"answers@staffordshire.example.gov.uk\";\n"
	"mail_offer_fields = [ \"deadline\", \"case\" ];\n"
	"mail_chase_hours = 4;\n";

static void check_full_policy(const struct bk_settings *s)
{
	assert_string_equal(s->zone, "Europe/Dublin");
	assert_int_equal(s->n_lots, 3);
	assert_int_equal(s->lots[0].number, 7);
	assert_string_equal(s->lots[0].name, "Short breaks");
	assert_true(s->lots[0].cqc_required);
	assert_int_equal(s->lots[0].framework_rate, 2375);
	assert_int_equal(s->lots[1].number, 12);
	assert_string_equal(s->lots[1].name, "Overnight support");
	assert_false(s->lots[1].cqc_required);
	assert_int_equal(s->lots[1].framework_rate, 1950);
	assert_int_equal(s->lots[2].number, 99);
	assert_int_equal(s->lots[2].framework_rate, 1000000);
	assert_int_equal(s->n_districts, 3);
	assert_string_equal(s->districts[0].name, "Cannock Chase");
	assert_string_equal(s->districts[1].name, "Lichfield");
	assert_string_equal(s->districts[2].name, "Tamworth");
	assert_int_equal(s->response_days, 5);
	assert_int_equal(s->cutoff_minute, 15 * 60 + 30);
	assert_int_equal(s->close_minute, 17 * 60 + 45);
	assert_int_equal(s->region, BK_REGION_SCOTLAND);
	assert_int_equal(s->n_holidays_add, 2);
	assert_int_equal(s->holidays_add[0], 20811); /* 2026-12-24 */
	assert_int_equal(s->holidays_add[1], 20818); /* 2026-12-31 */
	assert_int_equal(s->n_holidays_remove, 1);
	assert_int_equal(s->holidays_remove[0], 20696); /* 2026-08-31 */
	assert_int_equal(s->cascade, BK_CASCADE_PARALLEL);
	assert_int_equal(s->batch_size, 4);
	assert_int_equal(s->excluded_risks, BK_RISK_BIT(BK_RISK_RED) | BK_RISK_BIT(BK_RISK_AMBER));
	assert_true(s->require_approval);
	assert_int_equal(s->key_decision_threshold, 25000000);
	assert_int_equal(s->retention_months, 84);
	assert_int_equal(s->n_decline_codes, 3);
	assert_string_equal(s->decline_codes[0].keyword, "capacity");
	assert_string_equal(s->decline_codes[0].label, "no capacity");
	assert_string_equal(s->decline_codes[1].keyword, "travel-time");
	assert_string_equal(s->decline_codes[1].label, "too far to travel");
	assert_string_equal(s->decline_codes[2].keyword, "other");
	assert_string_equal(s->decline_codes[2].label, "something else");
	assert_true(s->mail_enabled);
	assert_string_equal(s->mail_from, "brokerage@staffordshire.example.gov.uk");
	assert_string_equal(s->mail_reply_to, "answers@staffordshire.example.gov.uk");
	assert_int_equal(s->mail_offer_fields, BK_MAIL_FIELD_BIT(BK_MAIL_CASE) | BK_MAIL_FIELD_BIT(BK_MAIL_DEADLINE));
	assert_int_equal(s->mail_chase_hours, 4);
}

static void test_policy_file_sets_every_key(void **state)
{
	struct bk_settings s;

	(void)state;
	load_ok(full_policy, &s);
	check_full_policy(&s);
	for (int i = 0; i < BK_SET_COUNT; i++)
		assert_true(s.from_file[i]);
}

static void test_policy_needs_a_file(void **state)
{
	struct bk_settings base, s, before;
	char err[256];

	(void)state;
	bk_settings_defaults(&base);
	memset(&s, 0x5a, sizeof s);
	before = s;
	assert_false(conf_load_policy("", &base, &s, err, sizeof err));
	assert_string_equal(err, "give the policy file to read");
	assert_false(conf_load_policy(NULL, &base, &s, err, sizeof err));
	assert_string_equal(err, "give the policy file to read");
	assert_memory_equal(&s, &before, sizeof s);
}

static void test_partial_file_keeps_other_defaults(void **state)
{
	struct bk_settings s, d;

	(void)state;
	load_ok("# only one key\nresponse_days = 10;\n", &s);
	bk_settings_defaults(&d);
	d.response_days = 10;
	d.from_file[BK_SET_RESPONSE_DAYS] = true;
	snprintf(d.file, sizeof d.file, "%s", s.file);
	assert_same_settings(&s, &d);

	/* An empty policy file: the base, nothing marked. */
	load_ok("# nothing\n", &s);
	bk_settings_defaults(&d);
	assert_same_policy(&s, &d);
	assert_no_marks(&s);
}

/* `policy load` reads on top of the database's policy, not the defaults:
 * what the file does not name keeps the base's value, and only what it
 * names is marked as from the file. */
static void test_policy_on_top_of_a_base(void **state)
{
	struct bk_settings base, s, want;

	(void)state;
	load_ok(full_policy, &base);
	snprintf(base.file, sizeof base.file, "%s", "/the/earlier/policy");
	load_policy_over("retention_months = 12;\n"
	                 "districts = [ \"Stafford\" ];\n",
	                 &base, &s);
	want = base;
	want.retention_months = 12;
	want.n_districts = 1;
	snprintf(want.districts[0].name, sizeof want.districts[0].name, "Stafford");
	for (int i = 0; i < BK_SET_COUNT; i++)
		want.from_file[i] = i == BK_SET_RETENTION || i == BK_SET_DISTRICTS;
	snprintf(want.file, sizeof want.file, "%s", s.file);
	assert_same_settings(&s, &want);
	/* The base itself is not changed. */
	check_full_policy(&base);
	for (int i = 0; i < BK_SET_COUNT; i++)
		assert_true(base.from_file[i]);

	/* A check across two keys sees the base's other key: the base's
	 * close is 17:45, so a cut-off of 17:30 passes here, and 17:50 not. */
	load_policy_over("cutoff = \"17:30\";\n", &base, &s);
	assert_int_equal(s.cutoff_minute, 17 * 60 + 30);
	assert_int_equal(s.close_minute, 17 * 60 + 45);
	{
		char *path = write_temp("cutoff = \"17:50\";\n");
		char err[512], want_err[512];
		assert_false(conf_load_policy(path, &base, &s, err, sizeof err));
		snprintf(want_err, sizeof want_err, "%s:1: cutoff 17:50 must be before close_of_business 17:45", path);
		assert_string_equal(err, want_err);
		drop(path);
	}
	/* The base's holidays_add meets the file's holidays_remove. */
	{
		char *path = write_temp("# a\nholidays_remove = [ \"2026-12-31\" ];\n");
		char err[512], want_err[512];
		assert_false(conf_load_policy(path, &base, &s, err, sizeof err));
		snprintf(want_err, sizeof want_err, "%s:2: 2026-12-31 is in both holidays_add and holidays_remove",
		         path);
		assert_string_equal(err, want_err);
		drop(path);
	}

	/* out may be the base itself. */
	s = base;
	load_policy_over("batch_size = 9;\n", &s, &s);
	assert_int_equal(s.batch_size, 9);
	assert_int_equal(s.response_days, 5);
	assert_true(s.from_file[BK_SET_BATCH]);
	assert_false(s.from_file[BK_SET_RESPONSE_DAYS]);
}

static void test_lists_replace_the_base_and_may_be_empty(void **state)
{
	struct bk_settings s, base;

	(void)state;
	load_ok(ONE_LOT("number = 3; name = \"Sitting service\"; cqc_required = false; framework_rate = \"0.01\";") "di"
	                                                                                                            "st"
	                                                                                                            "ri"
	                                                                                                            "ct"
	                                                                                                            "s "
	                                                                                                            "= "
	                                                                                                            "( "
	                                                                                                            "\""
	                                                                                                            "Bo"
	                                                                                                            "ro"
	                                                                                                            "ug"
	                                                                                                            "h"
	                                                                                                            "\""
	                                                                                                            " )"
	                                                                                                            ";"
	                                                                                                            "\n"
	                                                                                                            "ex"
	                                                                                                            "cl"
	                                                                                                            "ud"
	                                                                                                            "ed"
	                                                                                                            "_r"
	                                                                                                            "is"
	                                                                                                            "ks"
	                                                                                                            " ="
	                                                                                                            " ["
	                                                                                                            "];"
	                                                                                                            "\n"
	                                                                                                            "ke"
	                                                                                                            "y_"
	                                                                                                            "de"
	                                                                                                            "ci"
	                                                                                                            "si"
	                                                                                                            "on"
	                                                                                                            "_t"
	                                                                                                            "hr"
	                                                                                                            "es"
	                                                                                                            "ho"
	                                                                                                            "ld"
	                                                                                                            " ="
	                                                                                                            " "
	                                                                                                            "\""
	                                                                                                            "\xc2\xa3"
	                                                                                                            "10"
	                                                                                                            "00"
	                                                                                                            "00"
	                                                                                                            "0."
	                                                                                                            "50"
	                                                                                                            "\""
	                                                                                                            ";"
	                                                                                                            "\n",
	        &s);
	assert_int_equal(s.n_lots, 1);
	assert_int_equal(s.lots[0].number, 3);
	assert_int_equal(s.lots[0].framework_rate, 1);
	assert_int_equal(s.n_districts, 1);
	assert_string_equal(s.districts[0].name, "Borough");
	assert_int_equal(s.excluded_risks, 0);
	assert_true(s.from_file[BK_SET_EXCLUDED_RISKS]);
	assert_int_equal(s.key_decision_threshold, 100000050);
	assert_false(s.from_file[BK_SET_ZONE]);

	/* Over a base with holidays, empty lists clear them. */
	load_ok(full_policy, &base);
	load_policy_over("holidays_add = [];\nholidays_remove = ( );\n", &base, &s);
	assert_int_equal(s.n_holidays_add, 0);
	assert_int_equal(s.n_holidays_remove, 0);
	assert_true(s.from_file[BK_SET_HOLIDAYS_ADD]);
	assert_true(s.from_file[BK_SET_HOLIDAYS_REMOVE]);
	/* A shorter list of lots replaces the base's three whole. */
	load_policy_over(ONE_LOT("number = 7; name = \"Short breaks\"; cqc_required = false; framework_rate = \"20\";"),
	                 &base, &s);
	assert_int_equal(s.n_lots, 1);
	assert_false(s.lots[0].cqc_required);
	assert_int_equal(s.lots[0].framework_rate, 2000);
	assert_null(bk_settings_lot(&s, 12));
}

static void test_include_beside_the_file(void **state)
{
	char dir[] = "/tmp/bk_conf_inc_XXXXXX";
	char main_path[256], extra_path[256], err[1024], want[1024];
	struct bk_settings s, d;
	struct conf_host h;

	(void)state;
	bk_settings_defaults(&d);
	assert_non_null(mkdtemp(dir));
	snprintf(main_path, sizeof main_path, "%s/policy.conf", dir);
	snprintf(extra_path, sizeof extra_path, "%s/extra.conf", dir);
	write_file(main_path, "zone = \"Europe/London\";\n@include \"extra.conf\"\n");
	write_file(extra_path, "# from the included file\nretention_months = 0;\n");
	assert_false(conf_load_policy(main_path, &d, &s, err, sizeof err));
	snprintf(want, sizeof want, "%s:2: retention_months must be from 1 to 1200, not 0", extra_path);
	assert_string_equal(err, want);

	/* A syntax error inside the included file names that file too. */
	write_file(extra_path, "retention_months = ;\n");
	assert_false(conf_load_policy(main_path, &d, &s, err, sizeof err));
	snprintf(want, sizeof want, "%s:1: syntax error", extra_path);
	assert_string_equal(err, want);
	/* libconfig wraps 4294967308 to 12; the file's text is read back
	 * from the included file, not from the working directory. */
	write_file(extra_path, "retention_months = 4294967308;\n");
	assert_false(conf_load_policy(main_path, &d, &s, err, sizeof err));
	snprintf(want, sizeof want, "%s:1: retention_months must be from 1 to 1200, not 4294967308", extra_path);
	assert_string_equal(err, want);

	write_file(extra_path, "retention_months = 12;\n");
	assert_true(conf_load_policy(main_path, &d, &s, err, sizeof err));
	assert_int_equal(s.retention_months, 12);
	assert_true(s.from_file[BK_SET_RETENTION]);
	assert_string_equal(s.file, main_path);

	/* An included file in a policy file may not hold host keys either. */
	write_file(extra_path, "\ncolour = false;\n");
	assert_false(conf_load_policy(main_path, &d, &s, err, sizeof err));
	snprintf(want, sizeof want, "%s:2: 'colour' %s", extra_path, host_key_message);
	assert_string_equal(err, want);

	/* In brokerage.conf: a policy key in a file the user's file includes
	 * is refused, naming the included file; a host key there is read and
	 * set_in names the included file. */
	write_file(main_path, "colour = true;\n@include \"extra.conf\"\n");
	write_file(extra_path, "# policy\nresponse_days = 4;\n");
	assert_false(conf_load("", main_path, &h, &s, err, sizeof err));
	snprintf(want, sizeof want, "%s:2: 'response_days' %s", extra_path, policy_key_message);
	assert_string_equal(err, want);
	write_file(extra_path, "database = \"/srv/inc.db\";\n");
	assert_true(conf_load("", main_path, &h, &s, err, sizeof err));
	assert_string_equal(h.database, "/srv/inc.db");
	assert_string_equal(h.set_in[CONF_DATABASE], extra_path);
	assert_string_equal(h.set_in[CONF_COLOUR], main_path);
	unlink(main_path);
	unlink(extra_path);
	rmdir(dir);
}

/* ---- refusals, one class at a time ------------------------------------- */
/* ---- refusals, one class at a time ------------------------------------- */

static void test_syntax_error(void **state)
{
	(void)state;
	expect_refused("response_days = 3;\ncutoff = ;\n", 2, "syntax error");
	expect_refused("# one\n# two\nzone = \"Europe/London\";\ncascade = parallel;\n", 4, "syntax error");
	expect_refused("zone = \"Europe/London\";\nzone = \"Europe/Paris\";\n", 2, "duplicate setting name");
}

static void test_wrong_type(void **state)
{
	(void)state;
	expect_refused("# days\n\nresponse_days = \"three\";\n", 3,
	               "response_days must be a whole number, not a string");
	expect_refused("batch_size = 2.5;\n", 1, "batch_size must be a whole number, not a decimal number");
	expect_refused("retention_months = true;\n", 1, "retention_months must be a whole number, not true or false");
	expect_refused("require_approval = 1;\n", 1, "require_approval must be true or false, not a whole number");
	expect_refused("cutoff = 1600;\n", 1,
	               "cutoff must be a string in quotes, such as \"16:00\", not a whole number");
	expect_refused("key_decision_threshold = 500000;\n", 1,
	               "key_decision_threshold must be a string in quotes, such as \"500000.00\", not a whole number");
	expect_refused("districts = \"North\";\n", 1,
	               "districts must be an array of strings, such as [ \"North\", \"South\" ], not a string");
	expect_refused("districts = [ \"North\",\n  \"South\" ];\nholidays_add = ( \"2026-12-24\",\n 25 );\n", 4,
	               "holidays_add: entry 2 must be a string in quotes, not a whole number");
	expect_refused("lots = { number = 1; };\n", 1,
	               "lots must be a list in ( ) of groups such as { number = 1; name = \"Sitting service\"; "
	               "cqc_required = false; framework_rate = \"18.00\"; }, not a group in { }");
	expect_refused("lots = ( \"Sitting service\" );\n", 1,
	               "lots: entry 1 must be a group such as { number = 1; name = \"Sitting service\"; "
	               "cqc_required = false; framework_rate = \"18.00\"; }, not a string");
	/* A rate must be text: a float would not hold pence exactly. */
	expect_refused(ONE_LOT("number = 1; name = \"A\"; cqc_required = true;\n    framework_rate = 19.50;"), 3,
	               "lot 1: framework_rate must be a string in quotes, such as \"19.50\", not a decimal number");
	expect_refused(ONE_LOT("number = \"1\"; name = \"A\"; cqc_required = true; framework_rate = \"19.50\";"), 2,
	               "lots: entry 1: number must be a whole number, not a string");
	expect_refused(ONE_LOT("number = 1; name = \"A\"; cqc_required = \"yes\"; framework_rate = \"19.50\";"), 2,
	               "lot 1: cqc_required must be true or false, not a string");
}

static void test_out_of_range_numbers(void **state)
{
	(void)state;
	expect_refused("response_days = 0;\n", 1, "response_days must be from 1 to 30, not 0");
	expect_refused("response_days = 31;\n", 1, "response_days must be from 1 to 30, not 31");
	expect_refused("response_days = -3;\n", 1, "response_days must be from 1 to 30, not -3");
	/* libconfig 1.5 wraps this to 3; it must not pass as 3. */
	expect_refused("\nresponse_days =\n  4294967299;\n", 2, "response_days must be from 1 to 30, not 4294967299");
	expect_refused("response_days = 4294967299L;\n", 1, "response_days must be from 1 to 30, not 4294967299");
	expect_refused("batch_size = 21;\n", 1, "batch_size must be from 1 to 20, not 21");
	expect_refused("batch_size = 0;\n", 1, "batch_size must be from 1 to 20, not 0");
	expect_refused("retention_months = 1201;\n", 1, "retention_months must be from 1 to 1200, not 1201");
	expect_refused(ONE_LOT("number = 100; name = \"A\"; cqc_required = true; framework_rate = \"19.50\";"), 2,
	               "lots: entry 1: number must be from 1 to 99, not 100");
}

static void test_out_of_range_times(void **state)
{
	(void)state;
	expect_refused("cutoff = \"25:00\";\n", 1,
	               "cutoff must be a time of day from \"00:00\" to \"23:59\", not \"25:00\"");
	expect_refused("cutoff = \"16:60\";\n", 1,
	               "cutoff must be a time of day from \"00:00\" to \"23:59\", not \"16:60\"");
	expect_refused("close_of_business = \"5pm\";\n", 1,
	               "close_of_business must be a time of day from \"00:00\" to \"23:59\", not \"5pm\"");
	expect_refused("cutoff = \"16:00 \";\n", 1,
	               "cutoff must be a time of day from \"00:00\" to \"23:59\", not \"16:00 \"");
	/* The cut-off must come before close of business; the line is the cut-off's. */
	expect_refused("close_of_business = \"17:00\";\ncutoff = \"17:00\";\n", 2,
	               "cutoff 17:00 must be before close_of_business 17:00");
	expect_refused("cutoff = \"16:30\";\nclose_of_business = \"16:00\";\n", 1,
	               "cutoff 16:30 must be before close_of_business 16:00");
	/* Only close set: the default cut-off 16:00 is too late; the line is close's. */
	expect_refused("# early close\nclose_of_business = \"15:00\";\n", 2,
	               "cutoff 16:00 must be before close_of_business 15:00");
}

static void test_unknown_zone_and_choices(void **state)
{
	(void)state;
	expect_refused("zone = \"Europe/Londn\";\n", 1,
	               "zone \"Europe/Londn\" is not a time zone this system knows; give an IANA name such as "
	               "\"Europe/London\"");
	expect_refused("zone = \"\";\n", 1,
	               "zone \"\" is not a time zone this system knows; give an IANA name such as \"Europe/London\"");
	expect_refused("bank_holidays = \"wales\";\n", 1,
	               "bank_holidays must be \"england-and-wales\", \"scotland\" or \"none\", not \"wales\"");
	expect_refused("cascade = \"random\";\n", 1, "cascade must be \"sequential\" or \"parallel\", not \"random\"");
	expect_refused("excluded_risks = [ \"red\", \"purple\" ];\n", 1,
	               "excluded_risks: \"purple\" is not a risk rating; use \"green\", \"amber\" or \"red\"");
	expect_refused("excluded_risks = [ \"red\",\n \"red\" ];\n", 2, "excluded_risks: \"red\" is listed twice");
}

static void test_lots_refused(void **state)
{
	(void)state;
	expect_refused("lots = (\n"
	               "  { number = 1; name = \"A\"; cqc_required = true; framework_rate = \"19.50\"; },\n"
	               "  { number = 2; name = \"B\"; cqc_required = true; framework_rate = \"19.50\"; },\n"
	               "  { number = 1; name = \"C\"; cqc_required = true; framework_rate = \"19.50\"; }\n"
	               ");\n",
	               4, "lot number 1 is used twice (entries 1 and 3)");
	expect_refused("lots = (\n"
	               "  { number = 1; name = \"Sitting\"; cqc_required = true; framework_rate = \"19.50\"; },\n"
	               "  { number = 2;\n    name = \"sitting\"; cqc_required = true; framework_rate = \"19.50\"; }\n"
	               ");\n",
	               4, "lot name \"sitting\" is used twice (lots 1 and 2)");
	expect_refused("lots = ();\n", 1, "lots is empty; at least one lot is needed");
	expect_refused("lots = (\n  { number = 1; name = \"A\";\n    framework_rate = \"19.50\"; }\n);\n", 2,
	               "lot 1 has no cqc_required (say true for personal-care lots, else false)");
	expect_refused(ONE_LOT("name = \"A\"; cqc_required = true; framework_rate = \"19.50\";"), 2,
	               "lots: entry 1 has no number");
	expect_refused(ONE_LOT("number = 4; name = \"\"; cqc_required = true; framework_rate = \"19.50\";"), 2,
	               "lot 4: name \"\" is empty");
	expect_refused(
		ONE_LOT("number = 4; name = \"0123456789012345678901234567890123456789012345678901234567890123\"; "
	                "cqc_required = true; framework_rate = \"19.50\";"),
		2,
		"lot 4: name \"0123456789012345678901234567890123456789012345678901234567890123\" is longer "
		"than 63 bytes");
	/* 17 lots: one more than BK_MAX_LOTS. */
	{
		char body[4096] = "lots = (\n";
		for (int i = 1; i <= BK_MAX_LOTS + 1; i++) {
			char lot[160];
			snprintf(lot, sizeof lot,
			         "  { number = %d; name = \"Lot %d\"; cqc_required = false; framework_rate = "
			         "\"19.50\"; }%s\n",
			         i, i, i <= BK_MAX_LOTS ? "," : "");
			strcat(body, lot);
		}
		strcat(body, ");\n");
		expect_refused(body, 1, "lots has 17 entries; at most 16 are allowed");
	}
}

static void test_bad_rates(void **state)
{
	static const struct {
		const char *rate, *why;
	} bad[] = {
		{ "19.505", "has more than two decimal places (amounts are in whole pence)" },
		{ "10000.01", "is too large" },
		{ "10001", "is too large" },
		{ "99999999999999999999999", "is too large" },
		{ "-1", "is not an amount in pounds and pence" },
		{ "1e3", "is not an amount in pounds and pence" },
		{ "19,50", "is not an amount in pounds and pence" },
		{ "19.", "is not an amount in pounds and pence" },
		{ ".50", "is not an amount in pounds and pence" },
		{ " 19.50", "is not an amount in pounds and pence" },
		{ "GBP 19.50", "is not an amount in pounds and pence" },
		{ "", "is not an amount in pounds and pence" },
	};
	char body[512], msg[512];

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(body, sizeof body,
		         ONE_LOT("number = 2; name = \"A\"; cqc_required = true;\n    framework_rate = \"%s\";"),
		         bad[i].rate);
		snprintf(msg, sizeof msg,
		         "lot 2: framework_rate \"%s\" %s; give pounds an hour such as \"19.50\", more than 0.00 and "
		         "at most "
		         "10000.00",
		         bad[i].rate, bad[i].why);
		expect_refused(body, 3, msg);
	}
	expect_refused(ONE_LOT("number = 2; name = \"A\"; cqc_required = true; framework_rate = \"0.00\";"), 2,
	               "lot 2: framework_rate must be more than 0.00");
	expect_refused(
		"key_decision_threshold = \"500,000\";\n", 1,
		"key_decision_threshold \"500,000\" is not an amount in pounds and pence; give pounds a year such "
		"as \"500000.00\", more than 0.00 and at most 1000000000.00");
	expect_refused("key_decision_threshold = \"0\";\n", 1, "key_decision_threshold must be more than 0.00");
}

static void test_districts_refused(void **state)
{
	(void)state;
	expect_refused("districts = [ \"North\",\n  \"north\" ];\n", 2,
	               "district \"north\" is listed twice (names are compared ignoring case)");
	expect_refused("districts = [ \"North, East\" ];\n", 1,
	               "district \"North, East\" contains a comma, which the CSV reports use to separate columns");
	expect_refused("districts = [ \"\" ];\n", 1, "district \"\" is empty");
	/* Control bytes and broken UTF-8 are not echoed to the terminal. */
	expect_refused("districts = [ \"North\\tEast\" ];\n", 1,
	               "district \"North?East\" contains a control character");
	expect_refused("districts = [ \"\\x1b[2J\" ];\n", 1, "district \"?[2J\" contains a control character");
	expect_refused("districts = [ \" North\" ];\n", 1, "district \" North\" begins or ends with a space");
	expect_refused("districts = [];\n", 1, "districts is empty; at least one district is needed");
	expect_refused("districts = [ \"Caf\xe9\" ];\n", 1, "district \"Caf?\" is not valid UTF-8");
	expect_refused(
		"zone = \"\xc2\xa3\xff\";\n", 1,
		"zone \"???\" is not a time zone this system knows; give an IANA name such as \"Europe/London\"");
}

static void test_bad_dates(void **state)
{
	(void)state;
	expect_refused(
		"holidays_add = [\n  \"2026-12-24\",\n  \"2026-02-30\" ];\n", 3,
		"holidays_add: \"2026-02-30\" is not a date; write a real date as YYYY-MM-DD, such as \"2026-12-24\"");
	expect_refused("holidays_remove = [ \"24/12/2026\" ];\n", 1,
	               "holidays_remove: \"24/12/2026\" is not a date; write a real date as YYYY-MM-DD, such as "
	               "\"2026-12-24\"");
	expect_refused("holidays_add = [ \"2026-12-24T00:00\" ];\n", 1,
	               "holidays_add: \"2026-12-24T00:00\" is not a date; write a real date as YYYY-MM-DD, such as "
	               "\"2026-12-24\"");
	expect_refused("holidays_add = [ \"2026-12-24\", \"2026-12-24\" ];\n", 1,
	               "holidays_add: 2026-12-24 is listed twice");
	expect_refused("holidays_add = [ \"2026-12-24\" ];\n\nholidays_remove = [ \"2026-12-24\" ];\n", 3,
	               "2026-12-24 is in both holidays_add and holidays_remove");
}

static void test_unknown_key_top_level(void **state)
{
	(void)state;
	expect_refused("zone = \"Europe/London\";\nrespones_days = 3;\n", 2,
	               "unknown setting 'respones_days' (did you mean 'response_days'?)");
	expect_refused("cutof = \"16:00\";\n", 1, "unknown setting 'cutof' (did you mean 'cutoff'?)");
	expect_refused("lot = ();\n", 1, "unknown setting 'lot' (did you mean 'lots'?)");
	expect_refused("bank_holiday = \"scotland\";\n", 1,
	               "unknown setting 'bank_holiday' (did you mean 'bank_holidays'?)");
	expect_refused("zones = \"Europe/London\";\n", 1, "unknown setting 'zones' (did you mean 'zone'?)");
	/* Nothing within two edits: no guess. */
	expect_refused("theme = \"blue\";\n", 1, "unknown setting 'theme'");
	expect_refused("decline_code = ();\n", 1, "unknown setting 'decline_code' (did you mean 'decline_codes'?)");
	/* Guesses come from every key, so a misspelt key is named whichever
	 * kind of file it is in (and then refused if it is the wrong kind). */
	expect_refused("color = true;\n", 1, "unknown setting 'color' (did you mean 'colour'?)");
	expect_refused("deadline_days = 3;\n", 1, "unknown setting 'deadline_days'");
	/* A group the program does not know is refused whole, not looked into. */
	expect_refused("# old\nscreen = { colour = \"blue\"; };\n", 2, "unknown setting 'screen'");
}

static void test_unknown_key_in_lot(void **state)
{
	(void)state;
	expect_refused("lots = (\n"
	               "  { number = 1; name = \"A\"; cqc_required = true; framework_rate = \"19.50\"; },\n"
	               "  { number = 2;\n"
	               "    nmae = \"B\"; cqc_required = true; framework_rate = \"19.50\"; }\n"
	               ");\n",
	               4, "unknown setting 'nmae' in a lot (did you mean 'name'?)");
	/* Part of a key: that key, not one two letters away ('name'). */
	expect_refused(ONE_LOT("number = 1; name = \"A\"; cqc_required = true; rate = \"19.50\";"), 2,
	               "unknown setting 'rate' in a lot (did you mean 'framework_rate'?)");
	expect_refused(ONE_LOT("number = 1; name = \"A\"; cqc = true; framework_rate = \"19.50\";"), 2,
	               "unknown setting 'cqc' in a lot (did you mean 'cqc_required'?)");
	expect_refused(ONE_LOT("number = 1; name = \"A\"; cqc_required = true; price = \"19.50\";"), 2,
	               "unknown setting 'price' in a lot");
	/* A lot key at the top level is still unknown there. */
	expect_refused("framework_rate = \"19.50\";\n", 1, "unknown setting 'framework_rate'");
}

/* ---- decline codes ------------------------------------------------------- */

static void test_decline_codes_read(void **state)
{
	struct bk_settings s;

	(void)state;
	load_ok(CODES("  { keyword = \"no-staff-2\"; label = \"no staff, \\\"this week\\\"\"; },\n"
	              "  { keyword = \"a\"; label = \"\xc2\xa3 too low\"; },\n"
	              "  { keyword = \"abcdefghijklmnopqrstuvw\"; label = \"twenty-three letters\"; },\n"),
	        &s);
	assert_int_equal(s.n_decline_codes, 4);
	assert_string_equal(s.decline_codes[0].keyword, "no-staff-2");
	assert_string_equal(s.decline_codes[0].label, "no staff, \"this week\"");
	assert_string_equal(s.decline_codes[1].keyword, "a");
	assert_string_equal(s.decline_codes[1].label, "\xc2\xa3 too low");
	assert_string_equal(s.decline_codes[2].keyword, "abcdefghijklmnopqrstuvw");
	assert_string_equal(s.decline_codes[3].keyword, "other");
	assert_true(s.from_file[BK_SET_DECLINE_CODES]);
	assert_non_null(bk_settings_decline_code(&s, "other"));
	assert_null(bk_settings_decline_code(&s, "capacity"));
	/* "other" alone is enough, and may come first. */
	load_ok("decline_codes = ( { label = \"anything else\"; keyword = \"other\"; } );\n", &s);
	assert_int_equal(s.n_decline_codes, 1);
	assert_string_equal(s.decline_codes[0].label, "anything else");
	/* Sixteen is the most. */
	{
		char body[4096] = "decline_codes = (\n";
		for (int i = 1; i < BK_MAX_DECLINE_CODES; i++) {
			char line[128];
			snprintf(line, sizeof line, "  { keyword = \"code-%d\"; label = \"Code %d\"; },\n", i, i);
			strcat(body, line);
		}
		strcat(body, "  { keyword = \"other\"; label = \"other\"; }\n);\n");
		load_ok(body, &s);
		assert_int_equal(s.n_decline_codes, BK_MAX_DECLINE_CODES);
	}
}

static void test_decline_codes_refused(void **state)
{
	static const char keyword_rule[] = "must be 1 to 23 lower-case letters, digits or '-'";
	static const struct {
		const char *keyword, *shown;
	} bad_keywords[] = {
		{ "Capacity", "Capacity" },
		{ "no capacity", "no capacity" },
		{ "no_capacity", "no_capacity" },
		{ "", "" },
		{ "abcdefghijklmnopqrstuvwx", "abcdefghijklmnopqrstuvwx" }, /* 24 */
		{ "caf\xc3\xa9", "caf\xc3\xa9" },
		{ "a\\tb", "a?b" },
		{ "OTHER", "OTHER" },
	};
	static const char other_needed[] = "decline_codes must include { keyword = \"other\"; label = \"other\"; }: a "
					   "decline that fits no code is recorded as other, with words";
	char body[512], msg[512];

	(void)state;
	for (size_t i = 0; i < sizeof bad_keywords / sizeof bad_keywords[0]; i++) {
		snprintf(body, sizeof body, CODES("  { keyword = \"%s\"; label = \"x\"; },\n"),
		         bad_keywords[i].keyword);
		snprintf(msg, sizeof msg, "decline_codes: keyword \"%s\" %s", bad_keywords[i].shown, keyword_rule);
		expect_refused(body, 2, msg);
	}
	/* Duplicates: the line is the second one's keyword. */
	expect_refused(CODES("  { keyword = \"capacity\"; label = \"no capacity\"; },\n"
	                     "  { keyword = \"area\"; label = \"outside the area\"; },\n"
	                     "  { label = \"full\";\n    keyword = \"capacity\"; },\n"),
	               5, "decline code \"capacity\" is listed twice");
	expect_refused("decline_codes = (\n  { keyword = \"other\"; label = \"other\"; },\n"
	               "  { keyword = \"other\"; label = \"again\"; }\n);\n",
	               3, "decline code \"other\" is listed twice");
	/* "other" is required: a decline that fits no code still has one. */
	expect_refused("# none\ndecline_codes = (\n  { keyword = \"capacity\"; label = \"no capacity\"; }\n);\n", 2,
	               other_needed);
	expect_refused("decline_codes = ();\n", 1, other_needed);
	/* Unknown members, with a guess when there is a near one. */
	expect_refused(CODES("  { keyword = \"capacity\"; labl = \"no capacity\"; },\n"), 2,
	               "unknown setting 'labl' in a decline code (did you mean 'label'?)");
	expect_refused(CODES("  { word = \"capacity\"; label = \"no capacity\"; },\n"), 2,
	               "unknown setting 'word' in a decline code (did you mean 'keyword'?)");
	expect_refused(CODES("  { keyword = \"capacity\"; label = \"no capacity\"; colour = \"red\"; },\n"), 2,
	               "unknown setting 'colour' in a decline code");
	/* Missing members, wrong types. */
	expect_refused(CODES("  { label = \"no capacity\"; },\n"), 2, "decline_codes: entry 1 has no keyword");
	expect_refused(CODES("  { keyword = \"capacity\"; },\n"), 2, "decline code capacity has no label");
	expect_refused(CODES("  { keyword = 3; label = \"three\"; },\n"), 2,
	               "decline_codes: keyword must be a string in quotes, such as \"capacity\", not a whole number");
	expect_refused(CODES("  { keyword = \"capacity\"; label = [ \"no\" ]; },\n"), 2,
	               "decline_codes: label must be a string in quotes, such as \"no capacity\", not an array in [ ]");
	expect_refused(CODES("  \"capacity\",\n"), 2,
	               "decline_codes: entry 1 must be a group such as { keyword = \"capacity\"; label = \"no "
	               "capacity\"; }, not a string");
	expect_refused("decline_codes = { keyword = \"other\"; label = \"other\"; };\n", 1,
	               "decline_codes must be a list in ( ) of groups such as { keyword = \"capacity\"; label = \"no "
	               "capacity\"; }, not a group in { }");
	expect_refused("decline_codes = [ \"other\" ];\n", 1,
	               "decline_codes must be a list in ( ) of groups such as { keyword = \"capacity\"; label = \"no "
	               "capacity\"; }, not an array in [ ]");
	/* Labels are shown on screens: the same rules as names. */
	expect_refused(CODES("  { keyword = \"capacity\"; label = \"\"; },\n"), 2,
	               "decline code capacity: label \"\" is empty");
	expect_refused(CODES("  { keyword = \"capacity\"; label = \"no\\x1b[2Jcapacity\"; },\n"), 2,
	               "decline code capacity: label \"no?[2Jcapacity\" contains a control character");
	expect_refused(CODES("  { keyword = \"capacity\"; label = \"no capacity \"; },\n"), 2,
	               "decline code capacity: label \"no capacity \" begins or ends with a space");
	expect_refused(CODES("  { keyword = \"capacity\"; label = \"Caf\xe9\"; },\n"), 2,
	               "decline code capacity: label \"Caf?\" is not valid UTF-8");
	/* Seventeen: one too many. */
	{
		char big[4096] = "decline_codes = (\n";
		for (int i = 1; i <= BK_MAX_DECLINE_CODES; i++) {
			char line[128];
			snprintf(line, sizeof line, "  { keyword = \"code-%d\"; label = \"Code %d\"; },\n", i, i);
			strcat(big, line);
		}
		strcat(big, "  { keyword = \"other\"; label = \"other\"; }\n);\n");
		expect_refused(big, 1, "decline_codes has 17 entries; at most 16 are allowed");
	}
}

/* ---- which keys go in which file -------------------------------------------- */

static void test_policy_key_in_personal_file_refused(void **state)
{
	char msg[1024], *sp, *pp, err[1024];
	struct conf_host h;
	struct bk_settings seed;

	(void)state;
	snprintf(msg, sizeof msg, "'response_days' %s", policy_key_message);
	expect_personal_refused("colour = false;\n\nresponse_days = 3;\n", 3, msg);
	for (int k = 0; k < BK_SET_COUNT; k++) {
		char body[256];
		/* Any value at all: the key is refused before it is read. */
		snprintf(body, sizeof body, "# mine\ndatabase = \"/srv/x.db\";\n%s = 1;\n", bk_setting_names[k]);
		snprintf(msg, sizeof msg, "'%s' %s", bk_setting_names[k], policy_key_message);
		expect_personal_refused(body, 3, msg);
	}
	/* The words point at the commands that show and change the policy. */
	assert_false(load_conf(NULL, "lots = ();\n", &sp, &pp, &h, &seed, err, sizeof err));
	assert_non_null(strstr(err, pp));
	assert_non_null(strstr(err, ":1: "));
	assert_non_null(strstr(err, "policy"));
	assert_non_null(strstr(err, "brokerage policy show"));
	assert_non_null(strstr(err, "brokerage policy load"));
	drop(sp);
	drop(pp);
	/* Even when the system file may hold the same key, the user's may not. */
	assert_false(load_conf("response_days = 4;\n", "response_days = 4;\n", &sp, &pp, &h, &seed, err, sizeof err));
	snprintf(msg, sizeof msg, "%s:1: 'response_days' %s", pp, policy_key_message);
	assert_string_equal(err, msg);
	drop(sp);
	drop(pp);
}

static void test_host_key_in_policy_file_refused(void **state)
{
	char msg[512];

	(void)state;
	snprintf(msg, sizeof msg, "'database' %s", host_key_message);
	expect_refused("response_days = 4;\ndatabase = \"/srv/brokerage.db\";\n", 2, msg);
	snprintf(msg, sizeof msg, "'colour' %s", host_key_message);
	expect_refused("# colour\ncolour = false;\n", 2, msg);
	/* Refused whatever its value: even one the host file would refuse. */
	snprintf(msg, sizeof msg, "'database' %s", host_key_message);
	expect_refused("database = 3;\n", 1, msg);
}

static void test_unknown_keys_in_brokerage_conf(void **state)
{
	char *sp, *pp, err[1024];
	struct conf_host h;
	struct bk_settings seed;

	(void)state;
	expect_personal_refused("databse = \"/srv/x.db\";\n", 1,
	                        "unknown setting 'databse' (did you mean 'database'?)");
	expect_personal_refused("# mine\ncolur = false;\n", 2, "unknown setting 'colur' (did you mean 'colour'?)");
	expect_personal_refused("theme = \"dark\";\n", 1, "unknown setting 'theme'");
	/* In the system file both kinds are known, so both are guessed. */
	expect_system_refused("databse = \"/srv/x.db\";\n", 1, "unknown setting 'databse' (did you mean 'database'?)");
	expect_system_refused("respones_days = 3;\n", 1,
	                      "unknown setting 'respones_days' (did you mean 'response_days'?)");
	/* A misspelt policy key in the user's file is refused, and named. */
	assert_false(load_conf(NULL, "respones_days = 3;\n", &sp, &pp, &h, &seed, err, sizeof err));
	assert_non_null(strstr(err, ":1: unknown setting 'respones_days' (did you mean 'response_days'?)"));
	drop(sp);
	drop(pp);
}

/* ---- brokerage.conf: the system file, then the user's ------------------------ */

static void test_system_file_seeds_the_policy(void **state)
{
	char *sp, *pp, err[1024];
	struct conf_host h;
	struct bk_settings seed, want;

	(void)state;
	memset(&h, 0x5a, sizeof h);
	assert_true(load_conf("# from before the policy moved\n"
	                      "database = \"/srv/brokerage/shared.db\";\n"
	                      "response_days = 5;\n"
	                      "districts = [ \"Cannock Chase\", \"Lichfield\" ];\n",
	                      NULL, &sp, &pp, &h, &seed, err, sizeof err));
	assert_string_equal(err, "");
	assert_string_equal(h.database, "/srv/brokerage/shared.db");
	assert_string_equal(h.set_in[CONF_DATABASE], sp);
	assert_true(h.colour);
	assert_string_equal(h.set_in[CONF_COLOUR], "");
	assert_string_equal(h.system_file, sp);
	assert_string_equal(h.personal_file, "");
	assert_true(h.system_policy);
	bk_settings_defaults(&want);
	want.response_days = 5;
	want.n_districts = 2;
	snprintf(want.districts[0].name, sizeof want.districts[0].name, "Cannock Chase");
	snprintf(want.districts[1].name, sizeof want.districts[1].name, "Lichfield");
	want.from_file[BK_SET_RESPONSE_DAYS] = true;
	want.from_file[BK_SET_DISTRICTS] = true;
	snprintf(want.file, sizeof want.file, "%s", sp);
	assert_same_settings(&seed, &want);
	drop(sp);

	/* Every policy key may be in the system file. */
	assert_true(load_conf(full_policy, NULL, &sp, &pp, &h, &seed, err, sizeof err));
	check_full_policy(&seed);
	for (int i = 0; i < BK_SET_COUNT; i++)
		assert_true(seed.from_file[i]);
	assert_true(h.system_policy);
	assert_string_equal(h.database, "");
	drop(sp);

	/* Host keys only: no policy in the system file, the seed is the defaults. */
	assert_true(load_conf("database = \"/srv/brokerage/shared.db\";\ncolour = false;\n", NULL, &sp, &pp, &h, &seed,
	                      err, sizeof err));
	assert_false(h.system_policy);
	assert_false(h.colour);
	assert_string_equal(h.set_in[CONF_COLOUR], sp);
	bk_settings_defaults(&want);
	assert_same_policy(&seed, &want);
	assert_no_marks(&seed);
	drop(sp);

	/* An empty system file: read, and nothing in it. */
	assert_true(load_conf("", NULL, &sp, &pp, &h, &seed, err, sizeof err));
	assert_string_equal(h.system_file, sp);
	assert_false(h.system_policy);
	assert_same_policy(&seed, &want);
	drop(sp);
}

static void test_system_file_checked_like_a_policy_file(void **state)
{
	(void)state;
	expect_system_refused("database = \"/srv/x.db\";\nresponse_days = 0;\n", 2,
	                      "response_days must be from 1 to 30, not 0");
	expect_system_refused("\nresponse_days =\n  4294967299;\n", 2,
	                      "response_days must be from 1 to 30, not 4294967299");
	expect_system_refused("cutoff = \"17:00\";\n", 1, "cutoff 17:00 must be before close_of_business 17:00");
	expect_system_refused(
		"decline_codes = ();\n", 1,
		"decline_codes must include { keyword = \"other\"; label = \"other\"; }: a decline that fits "
		"no code is recorded as other, with words");
	expect_system_refused("database = \"relative.db\";\n", 1,
	                      "database must be an absolute path beginning with '/', a PostgreSQL connection string "
	                      "(postgresql://... or host=... dbname=...), or \"\" for the default, not "
	                      "\"relative.db\"");
	expect_system_refused("colour = true;\ncolour = false;\n", 2, "duplicate setting name");
}

static void test_personal_file_overrides_system(void **state)
{
	char *sp, *pp, err[1024];
	struct conf_host h;
	struct bk_settings seed, want;

	(void)state;
	assert_true(load_conf("database = \"/srv/brokerage/shared.db\";\ncolour = false;\nretention_months = 24;\n",
	                      "# mine\ndatabase = \"/home/me/trial.db\";\n", &sp, &pp, &h, &seed, err, sizeof err));
	assert_string_equal(err, "");
	assert_string_equal(h.database, "/home/me/trial.db");
	drop(sp);
	drop(pp);
	/* a PostgreSQL database by its connection string (issue 19) */
	const char *conninfos[] = { "postgresql:///brokerage?host=/run/postgresql", "postgres://db.example/brokerage",
		                    "host=/run/postgresql dbname=brokerage", "service = brokerage" };
	for (size_t i = 0; i < sizeof conninfos / sizeof conninfos[0]; i++) {
		char body[300];
		snprintf(body, sizeof body, "database = \"%s\";\n", conninfos[i]);
		assert_true(load_conf("", body, &sp, &pp, &h, &seed, err, sizeof err));
		assert_string_equal(h.database, conninfos[i]);
		drop(sp);
		drop(pp);
	}
	assert_true(load_conf("database = \"/srv/brokerage/shared.db\";\ncolour = false;\nretention_months = 24;\n",
	                      "# mine\ndatabase = \"/home/me/trial.db\";\n", &sp, &pp, &h, &seed, err, sizeof err));
	assert_string_equal(h.set_in[CONF_DATABASE], pp);
	assert_false(h.colour);
	assert_string_equal(h.set_in[CONF_COLOUR], sp);
	assert_string_equal(h.system_file, sp);
	assert_string_equal(h.personal_file, pp);
	assert_true(h.system_policy);
	/* The user's file does not change the seed. */
	bk_settings_defaults(&want);
	want.retention_months = 24;
	assert_same_policy(&seed, &want);
	assert_true(seed.from_file[BK_SET_RETENTION]);
	assert_string_equal(seed.file, sp);
	drop(sp);
	drop(pp);

	/* The user turns colour back on, and sets the default database back. */
	assert_true(load_conf("database = \"/srv/brokerage/shared.db\";\ncolour = false;\n",
	                      "colour = true;\ndatabase = \"\";\n", &sp, &pp, &h, &seed, err, sizeof err));
	assert_true(h.colour);
	assert_string_equal(h.database, "");
	assert_string_equal(h.set_in[CONF_COLOUR], pp);
	assert_string_equal(h.set_in[CONF_DATABASE], pp);
	drop(sp);
	drop(pp);

	/* A user's file alone. */
	assert_true(load_conf(NULL, "colour = false;\n", &sp, &pp, &h, &seed, err, sizeof err));
	assert_false(h.colour);
	assert_string_equal(h.set_in[CONF_COLOUR], pp);
	assert_string_equal(h.set_in[CONF_DATABASE], "");
	assert_string_equal(h.database, "");
	assert_string_equal(h.system_file, "");
	assert_string_equal(h.personal_file, pp);
	assert_false(h.system_policy);
	assert_defaults(&seed);
	drop(sp);
	drop(pp);

	/* A bad user's file after a good system file: the user's is named. */
	assert_false(load_conf("colour = false;\n", "colour = \"no\";\n", &sp, &pp, &h, &seed, err, sizeof err));
	{
		char want_err[1024];
		snprintf(want_err, sizeof want_err, "%s:1: colour must be true or false, not a string", pp);
		assert_string_equal(err, want_err);
	}
	drop(sp);
	drop(pp);
}

static void test_host_values_refused(void **state)
{
	char body[1200], msg[1200];

	(void)state;
	expect_personal_refused("colour = \"no\";\n", 1, "colour must be true or false, not a string");
	expect_personal_refused("colour = 0;\n", 1, "colour must be true or false, not a whole number");
	expect_personal_refused("database = \"brokerage.db\";\n", 1,
	                        "database must be an absolute path beginning with '/', a PostgreSQL connection string "
	                        "(postgresql://... or host=... dbname=...), or \"\" for the default, not "
	                        "\"brokerage.db\"");
	expect_personal_refused("database = \"~/brokerage.db\";\n", 1,
	                        "database must be an absolute path beginning with '/', a PostgreSQL connection string "
	                        "(postgresql://... or host=... dbname=...), or \"\" for the default, not "
	                        "\"~/brokerage.db\"; '~' is not expanded");
	expect_personal_refused(
		"# db\ndatabase = 3;\n", 2,
		"database must be a string in quotes, such as \"/var/lib/brokerage/brokerage.db\", not a "
		"whole number");
	expect_personal_refused("database = \"/srv/a\\tb.db\";\n", 1, "database contains a control character");
	expect_personal_refused("database = \"/srv/a.db\";\ndatabase = \"/srv/b.db\";\n", 2, "duplicate setting name");
	expect_personal_refused("colour = ;\n", 1, "syntax error");
	/* The longest path that fits, and one byte more. */
	memset(body, 0, sizeof body);
	strcpy(body, "database = \"/");
	memset(body + strlen(body), 'a', BK_PATH_MAX - 1);
	strcat(body, "\";\n");
	snprintf(msg, sizeof msg, "database is longer than %d bytes", BK_PATH_MAX - 1);
	expect_personal_refused(body, 1, msg);
	{
		char *sp, *pp, err[1024];
		struct conf_host h;
		struct bk_settings seed;
		char *end = strchr(body + 13, '"');
		memmove(end - 1, end, strlen(end) + 1); /* now BK_PATH_MAX - 1 bytes */
		assert_true(load_conf(NULL, body, &sp, &pp, &h, &seed, err, sizeof err));
		assert_int_equal(strlen(h.database), BK_PATH_MAX - 1);
		drop(sp);
		drop(pp);
	}
}

static void test_unreadable_file(void **state)
{
	char dir[] = "/tmp/bk_conf_dir_XXXXXX";
	char path[256], err[512], want[512];
	struct bk_settings s, before, base;
	struct conf_host h;

	(void)state;
	bk_settings_defaults(&base);
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/missing.conf", dir);
	memset(&s, 0x5a, sizeof s);
	before = s;
	assert_false(conf_load_policy(path, &base, &s, err, sizeof err));
	snprintf(want, sizeof want, "cannot read configuration file %s: No such file or directory", path);
	assert_string_equal(err, want);
	assert_memory_equal(&s, &before, sizeof s);
	/* The user's file named but not there. */
	assert_false(conf_load("", path, &h, &s, err, sizeof err));
	assert_string_equal(err, want);

	snprintf(want, sizeof want, "cannot read configuration file %s: Is a directory", dir);
	assert_false(conf_load_policy(dir, &base, &s, err, sizeof err));
	assert_string_equal(err, want);
	assert_memory_equal(&s, &before, sizeof s);
	assert_false(conf_load("", dir, &h, &s, err, sizeof err));
	assert_string_equal(err, want);
	/* A system file that is there but cannot be read is an error, not skipped. */
	assert_false(conf_load(dir, "", &h, &s, err, sizeof err));
	assert_string_equal(err, want);

	if (geteuid() != 0) {
		write_file(path, "colour = false;\n");
		assert_int_equal(chmod(path, 0), 0);
		snprintf(want, sizeof want, "cannot read configuration file %s: Permission denied", path);
		assert_false(conf_load(path, "", &h, &s, err, sizeof err));
		assert_string_equal(err, want);
		assert_false(conf_load("", path, &h, &s, err, sizeof err));
		assert_string_equal(err, want);
		unlink(path);
	}
	rmdir(dir);
}

/* ---- conf_find ------------------------------------------------------------- */

struct find_dirs {
	char root[64];
	char xdg[128], home[128], xdg_file[256], home_file[256], option_file[256], env_file[256];
};

static void make_find_dirs(struct find_dirs *d)
{
	char p[256];

	snprintf(d->root, sizeof d->root, "/tmp/bk_conf_find_XXXXXX");
	assert_non_null(mkdtemp(d->root));
	snprintf(d->xdg, sizeof d->xdg, "%s/xdg", d->root);
	snprintf(d->home, sizeof d->home, "%s/home", d->root);
	assert_int_equal(mkdir(d->xdg, 0700), 0);
	snprintf(p, sizeof p, "%s/brokerage", d->xdg);
	assert_int_equal(mkdir(p, 0700), 0);
	assert_int_equal(mkdir(d->home, 0700), 0);
	snprintf(p, sizeof p, "%s/.config", d->home);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof p, "%s/.config/brokerage", d->home);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(d->xdg_file, sizeof d->xdg_file, "%s/brokerage/brokerage.conf", d->xdg);
	snprintf(d->home_file, sizeof d->home_file, "%s/.config/brokerage/brokerage.conf", d->home);
	snprintf(d->option_file, sizeof d->option_file, "%s/option.conf", d->root);
	snprintf(d->env_file, sizeof d->env_file, "%s/env.conf", d->root);
	write_file(d->xdg_file, "");
	write_file(d->home_file, "");
	write_file(d->option_file, "");
	write_file(d->env_file, "");
}

static void remove_find_dirs(struct find_dirs *d)
{
	char p[256];

	unlink(d->xdg_file);
	unlink(d->home_file);
	unlink(d->option_file);
	unlink(d->env_file);
	snprintf(p, sizeof p, "%s/brokerage", d->xdg);
	rmdir(p);
	rmdir(d->xdg);
	snprintf(p, sizeof p, "%s/.config/brokerage", d->home);
	rmdir(p);
	snprintf(p, sizeof p, "%s/.config", d->home);
	rmdir(p);
	rmdir(d->home);
	rmdir(d->root);
}

static void expect_found(const char *option, const char *env, const char *xdg, const char *home, const char *want_path,
                         enum conf_origin want_origin)
{
	char path[512] = "junk", err[512] = "junk";
	enum conf_origin origin = CONF_ORIGIN_OPTION;

	if (!conf_find(option, env, xdg, home, path, sizeof path, &origin, err, sizeof err))
		fail_msg("conf_find refused: %s", err);
	assert_string_equal(path, want_path);
	assert_int_equal(origin, want_origin);
	assert_string_equal(err, "");
}

static void test_find_order(void **state)
{
	struct find_dirs d;

	(void)state;
	make_find_dirs(&d);
	/* Each source wins over all those after it. */
	expect_found(d.option_file, d.env_file, d.xdg, d.home, d.option_file, CONF_ORIGIN_OPTION);
	expect_found(NULL, d.env_file, d.xdg, d.home, d.env_file, CONF_ORIGIN_ENV);
	expect_found(NULL, "", d.xdg, d.home, d.xdg_file, CONF_ORIGIN_XDG);
	expect_found(NULL, NULL, d.xdg, d.home, d.xdg_file, CONF_ORIGIN_XDG);
	/* $XDG_CONFIG_HOME unset, empty or relative: ~/.config. */
	expect_found(NULL, NULL, NULL, d.home, d.home_file, CONF_ORIGIN_XDG);
	expect_found(NULL, NULL, "", d.home, d.home_file, CONF_ORIGIN_XDG);
	expect_found(NULL, NULL, "relative/dir", d.home, d.home_file, CONF_ORIGIN_XDG);
	/* The user's file absent: none (the system file is not a fallback any
	 * more: conf_load reads it anyway); with $XDG_CONFIG_HOME set,
	 * ~/.config is not looked at. */
	unlink(d.xdg_file);
	expect_found(NULL, NULL, d.xdg, d.home, "", CONF_ORIGIN_NONE);
	expect_found(NULL, NULL, NULL, d.home, d.home_file, CONF_ORIGIN_XDG);
	unlink(d.home_file);
	expect_found(NULL, NULL, NULL, d.home, "", CONF_ORIGIN_NONE);
	expect_found(NULL, NULL, NULL, NULL, "", CONF_ORIGIN_NONE);
	expect_found(NULL, "", "", "", "", CONF_ORIGIN_NONE);
	/* No home directory at all: nothing to look for. */
	remove_find_dirs(&d);
}

static void test_find_explicit_must_exist(void **state)
{
	struct find_dirs d;
	char missing[256], path[512], err[512], want[512];
	enum conf_origin origin;

	(void)state;
	make_find_dirs(&d);
	snprintf(missing, sizeof missing, "%s/missing.conf", d.root);
	snprintf(want, sizeof want, "cannot read configuration file %s: No such file or directory", missing);

	/* --config naming nothing: an error, even though later files exist. */
	assert_false(conf_find(missing, d.env_file, d.xdg, d.home, path, sizeof path, &origin, err, sizeof err));
	assert_string_equal(err, want);
	assert_int_equal(origin, CONF_ORIGIN_OPTION);

	assert_false(conf_find(NULL, missing, d.xdg, d.home, path, sizeof path, &origin, err, sizeof err));
	assert_string_equal(err, want);
	assert_int_equal(origin, CONF_ORIGIN_ENV);

	assert_false(conf_find("", NULL, d.xdg, d.home, path, sizeof path, &origin, err, sizeof err));
	assert_string_equal(err, "--config needs the name of a configuration file");

	/* --config naming a directory. */
	assert_false(conf_find(d.root, NULL, d.xdg, d.home, path, sizeof path, &origin, err, sizeof err));
	snprintf(want, sizeof want, "cannot read configuration file %s: Is a directory", d.root);
	assert_string_equal(err, want);

	/* A path that does not fit the caller's buffer. */
	assert_false(conf_find(d.option_file, NULL, NULL, NULL, path, 8, &origin, err, sizeof err));
	assert_string_equal(err, "the configuration file's path is too long");
	assert_string_equal(path, "");
	remove_find_dirs(&d);
}

static void test_find_unreadable_user_file_is_an_error(void **state)
{
	struct find_dirs d;
	char path[512], err[512], want[512];
	enum conf_origin origin;

	(void)state;
	make_find_dirs(&d);
	/* A directory where the file belongs: there, but not readable as a file. */
	unlink(d.xdg_file);
	assert_int_equal(mkdir(d.xdg_file, 0700), 0);
	assert_false(conf_find(NULL, NULL, d.xdg, d.home, path, sizeof path, &origin, err, sizeof err));
	snprintf(want, sizeof want, "cannot read configuration file %s: Is a directory", d.xdg_file);
	assert_string_equal(err, want);
	assert_int_equal(rmdir(d.xdg_file), 0);
	write_file(d.xdg_file, "");

	/* No permission (root reads anything, so only for others). */
	if (geteuid() != 0) {
		assert_int_equal(chmod(d.xdg_file, 0), 0);
		assert_false(conf_find(NULL, NULL, d.xdg, d.home, path, sizeof path, &origin, err, sizeof err));
		snprintf(want, sizeof want, "cannot read configuration file %s: Permission denied", d.xdg_file);
		assert_string_equal(err, want);
	}
	remove_find_dirs(&d);
}

/* ---- policy show / config show -------------------------------------------- */

static void test_policy_entries_of_defaults(void **state)
{
	static const char *const values[BK_SET_COUNT] = {
		[BK_SET_ZONE] = "\"Europe/London\"",
		[BK_SET_LOTS] =
			"(\n"
			"  { number = 1; name = \"Lifeskills & Independence\"; cqc_required = false; "
			"framework_rate = \"19.50\"; },\n"
			"  { number = 2; name = \"Community support / domiciliary care\"; cqc_required = true; "
			"framework_rate = \"21.50\"; },\n"
			"  { number = 3; name = \"Sitting service\"; cqc_required = false; "
			"framework_rate = \"18.00\"; },\n"
			"  { number = 4; name = \"Complex care\"; cqc_required = true; framework_rate = \"26.50\"; }\n"
			")",
		[BK_SET_DISTRICTS] = "[ \"North\", \"South\", \"East\", \"West\" ]",
		[BK_SET_RESPONSE_DAYS] = "3",
		[BK_SET_CUTOFF] = "\"16:00\"",
		[BK_SET_CLOSE] = "\"17:00\"",
		[BK_SET_REGION] = "\"england-and-wales\"",
		[BK_SET_HOLIDAYS_ADD] = "[ ]",
		[BK_SET_HOLIDAYS_REMOVE] = "[ ]",
		[BK_SET_CASCADE] = "\"sequential\"",
		[BK_SET_BATCH] = "3",
		[BK_SET_EXCLUDED_RISKS] = "[ \"red\" ]",
		[BK_SET_REQUIRE_APPROVAL] = "false",
		[BK_SET_KEY_DECISION] = "\"500000.00\"",
		[BK_SET_RETENTION] = "72",
		[BK_SET_DECLINE_CODES] = "(\n"
					 "  { keyword = \"capacity\"; label = \"no capacity\"; },\n"
					 "  { keyword = \"area\"; label = \"outside the area\"; },\n"
					 "  { keyword = \"needs\"; label = \"cannot meet the needs\"; },\n"
					 "  { keyword = \"eligibility\"; label = \"not eligible\"; },\n"
					 "  { keyword = \"information\"; label = \"information missing\"; },\n"
					 "  { keyword = \"other\"; label = \"other\"; }\n"
					 ")",
		[BK_SET_MAIL_ENABLED] = "false",
		[BK_SET_MAIL_FROM] = "\"\"",
		[BK_SET_MAIL_REPLY_TO] = "\"\"",
		[BK_SET_MAIL_OFFER_FIELDS] = "[ \"case\", \"lot\", \"district\", \"hours\", \"start\", \"age_band\", "
					     "\"urgency\", \"deadline\" ]",
		[BK_SET_MAIL_CHASE_HOURS] = "8",
	};
	struct bk_settings s;
	struct conf_entry e[BK_SET_COUNT + 4];

	(void)state;
	bk_settings_defaults(&s);
	assert_int_equal(conf_policy_entries(&s, e, BK_SET_COUNT + 4), BK_SET_COUNT);
	for (int i = 0; i < BK_SET_COUNT; i++) {
		/* In the order of enum bk_setting_id, under the names core uses. */
		assert_string_equal(e[i].key, bk_setting_names[i]);
		assert_string_equal(e[i].value, values[i]);
		assert_false(e[i].from_file);
	}
	/* Fewer slots than keys: only that many, in order. */
	assert_int_equal(conf_policy_entries(&s, e, 3), 3);
	assert_string_equal(e[2].key, "districts");
	assert_int_equal(conf_policy_entries(&s, e, 0), 0);
}

static void test_policy_entries_of_file(void **state)
{
	static const char *const values[BK_SET_COUNT] = {
		[BK_SET_ZONE] = "\"Europe/Dublin\"",
		[BK_SET_LOTS] =
			"(\n"
			"  { number = 7; name = \"Short breaks\"; cqc_required = true; framework_rate = \"23.75\"; },\n"
			"  { number = 12; name = \"Overnight support\"; cqc_required = false; "
			"framework_rate = \"19.50\"; },\n"
			"  { number = 99; name = \"Day opportunities\"; cqc_required = false; "
			"framework_rate = \"10000.00\"; }\n"
			")",
		[BK_SET_DISTRICTS] = "[ \"Cannock Chase\", \"Lichfield\", \"Tamworth\" ]",
		[BK_SET_RESPONSE_DAYS] = "5",
		[BK_SET_CUTOFF] = "\"15:30\"",
		[BK_SET_CLOSE] = "\"17:45\"",
		[BK_SET_REGION] = "\"scotland\"",
		[BK_SET_HOLIDAYS_ADD] = "[ \"2026-12-24\", \"2026-12-31\" ]",
		[BK_SET_HOLIDAYS_REMOVE] = "[ \"2026-08-31\" ]",
		[BK_SET_CASCADE] = "\"parallel\"",
		[BK_SET_BATCH] = "4",
		[BK_SET_EXCLUDED_RISKS] = "[ \"amber\", \"red\" ]",
		[BK_SET_REQUIRE_APPROVAL] = "true",
		[BK_SET_KEY_DECISION] = "\"250000.00\"",
		[BK_SET_RETENTION] = "84",
		[BK_SET_DECLINE_CODES] = "(\n"
					 "  { keyword = \"capacity\"; label = \"no capacity\"; },\n"
					 "  { keyword = \"travel-time\"; label = \"too far to travel\"; },\n"
					 "  { keyword = \"other\"; label = \"something else\"; }\n"
					 ")",
		[BK_SET_MAIL_ENABLED] = "true",
		[BK_SET_MAIL_FROM] = "\"brokerage@staffordshire.example.gov.uk\"",
		[BK_SET_MAIL_REPLY_TO] = "\"answers@staffordshire.example.gov.uk\"",
		[BK_SET_MAIL_OFFER_FIELDS] = "[ \"case\", \"deadline\" ]",
		[BK_SET_MAIL_CHASE_HOURS] = "4",
	};
	struct bk_settings s;
	struct conf_entry e[BK_SET_COUNT];

	(void)state;
	load_ok(full_policy, &s);
	assert_int_equal(conf_policy_entries(&s, e, BK_SET_COUNT), BK_SET_COUNT);
	for (int i = 0; i < BK_SET_COUNT; i++) {
		assert_string_equal(e[i].key, bk_setting_names[i]);
		assert_string_equal(e[i].value, values[i]);
		assert_true(e[i].from_file);
	}

	/* Only what the file set is marked as from the file. */
	load_ok("cascade = \"parallel\";\nbatch_size = 2;\n", &s);
	assert_int_equal(conf_policy_entries(&s, e, BK_SET_COUNT), BK_SET_COUNT);
	for (int i = 0; i < BK_SET_COUNT; i++)
		assert_int_equal(e[i].from_file,
		                 strcmp(e[i].key, "cascade") == 0 || strcmp(e[i].key, "batch_size") == 0);
}

/* `policy show` > FILE, `policy load FILE`: the entries written as
 * `key = value;` lines read back, on top of any base, as the same policy,
 * every key marked as from the file; and they print the same again. */
static void assert_round_trip(const struct bk_settings *s)
{
	struct conf_entry e[BK_SET_COUNT], again[BK_SET_COUNT];
	struct bk_settings bases[2], back;
	char *text = calloc(1, (size_t)BK_SET_COUNT * sizeof e[0].value + 4096);
	size_t used = 0;
	int n;

	assert_non_null(text);
	n = conf_policy_entries(s, e, BK_SET_COUNT);
	assert_int_equal(n, BK_SET_COUNT);
	for (int i = 0; i < n; i++) {
		size_t len = strlen(e[i].value);
		/* Never cut: a cut value would not read back. */
		if (len >= 3 && strcmp(e[i].value + len - 3, "...") == 0)
			fail_msg("%s was cut: %s", e[i].key, e[i].value);
		used += (size_t)sprintf(text + used, "%s = %s;\n", e[i].key, e[i].value);
	}
	bk_settings_defaults(&bases[0]);
	load_ok(full_policy, &bases[1]);
	for (int b = 0; b < 2; b++) {
		char *path = write_temp(text), err[1024];
		if (!conf_load_policy(path, &bases[b], &back, err, sizeof err))
			fail_msg("the entries do not read back: %s\n%s", err, text);
		assert_same_policy(&back, s);
		for (int i = 0; i < BK_SET_COUNT; i++)
			assert_true(back.from_file[i]);
		assert_string_equal(back.file, path);
		assert_int_equal(conf_policy_entries(&back, again, BK_SET_COUNT), BK_SET_COUNT);
		for (int i = 0; i < BK_SET_COUNT; i++)
			assert_string_equal(again[i].value, e[i].value);
		drop(path);
	}
	free(text);
}

static void test_policy_entries_read_back(void **state)
{
	struct bk_settings s;

	(void)state;
	bk_settings_defaults(&s);
	assert_round_trip(&s);
	load_ok(full_policy, &s);
	assert_round_trip(&s);

	/* Every other choice, and values at their limits. */
	bk_settings_defaults(&s);
	snprintf(s.zone, sizeof s.zone, "America/New_York");
	s.n_lots = 3;
	s.lots[0] = (struct bk_lot){ .number = 99,
		                     .name = "Quote \" and back\\slash",
		                     .cqc_required = true,
		                     .framework_rate = 1 };
	s.lots[1] =
		(struct bk_lot){ .number = 1, .name = "\xc2\xa3 rate & (more) {care}; #1", .framework_rate = 1000000 };
	s.lots[2] = (struct bk_lot){ .number = 50, .name = "\\\"", .framework_rate = 1999 };
	s.n_districts = 2;
	snprintf(s.districts[0].name, sizeof s.districts[0].name, "Stoke-on-Trent \"city\"");
	snprintf(s.districts[1].name, sizeof s.districts[1].name, "Ynys M\xc3\xb4n");
	s.response_days = 30;
	s.cutoff_minute = 0;
	s.close_minute = 23 * 60 + 59;
	s.region = BK_REGION_NONE;
	s.n_holidays_add = BK_MAX_HOLIDAY_EDITS;
	s.n_holidays_remove = BK_MAX_HOLIDAY_EDITS;
	for (int i = 0; i < BK_MAX_HOLIDAY_EDITS; i++) {
		s.holidays_add[i] = 20000 + i;         /* 2024-10-04 on */
		s.holidays_remove[i] = -25567 + i * 7; /* from 1900-01-01 */
	}
	s.cascade = BK_CASCADE_PARALLEL;
	s.batch_size = 20;
	s.excluded_risks = BK_RISK_BIT(BK_RISK_GREEN) | BK_RISK_BIT(BK_RISK_AMBER) | BK_RISK_BIT(BK_RISK_RED);
	s.require_approval = true;
	s.key_decision_threshold = 100000000000LL;
	s.retention_months = 1200;
	s.n_decline_codes = 2;
	s.decline_codes[0] = (struct bk_decline_code){ .keyword = "other", .label = "\"other\", with words" };
	s.decline_codes[1] = (struct bk_decline_code){ .keyword = "a-1", .label = "back\\slash" };
	assert_round_trip(&s);

	s.excluded_risks = BK_RISK_BIT(BK_RISK_GREEN);
	s.region = BK_REGION_SCOTLAND;
	s.key_decision_threshold = 1;
	s.retention_months = 1;
	s.response_days = 1;
	s.batch_size = 1;
	s.n_holidays_add = 0;
	s.n_holidays_remove = 1;
	assert_round_trip(&s);
}

/* The longest values a policy can hold still fit, whole, and read back. */
static void test_policy_entries_longest_values(void **state)
{
	struct bk_settings s;

	(void)state;
	bk_settings_defaults(&s);
	s.n_lots = BK_MAX_LOTS;
	for (int i = 0; i < BK_MAX_LOTS; i++) {
		struct bk_lot *l = &s.lots[i];
		/* 63 bytes, each '"' or '\\' written as two. */
		for (int j = 0; j < BK_NAME_MAX - 2; j++)
			l->name[j] = j % 2 ? '\\' : '"';
		l->name[BK_NAME_MAX - 2] = (char)('A' + i);
		l->name[BK_NAME_MAX - 1] = '\0';
		l->number = 84 + i;
		l->cqc_required = i % 2;
		l->framework_rate = 999999 - i;
	}
	s.n_districts = BK_MAX_DISTRICTS;
	for (int i = 0; i < BK_MAX_DISTRICTS; i++) {
		/* 63 bytes: 30 two-byte letters, a space, two digits. */
		char *name = s.districts[i].name;
		for (int j = 0; j < 30; j++)
			memcpy(name + 2 * j, "\xc3\xb4", 2);
		snprintf(name + 60, 4, " %02d", i);
		assert_int_equal(strlen(name), BK_NAME_MAX - 1);
	}
	s.n_decline_codes = BK_MAX_DECLINE_CODES;
	for (int i = 0; i < BK_MAX_DECLINE_CODES; i++) {
		struct bk_decline_code *c = &s.decline_codes[i];
		if (i == 0)
			snprintf(c->keyword, sizeof c->keyword, "other");
		else
			snprintf(c->keyword, sizeof c->keyword, "abcdefghijklmnopqrst-%02d", i);
		assert_int_equal(strlen(c->keyword), i == 0 ? 5 : BK_CODE_MAX - 1);
		for (int j = 0; j < BK_NAME_MAX - 2; j++)
			c->label[j] = j % 2 ? '"' : '\\';
		c->label[BK_NAME_MAX - 2] = 'x';
		c->label[BK_NAME_MAX - 1] = '\0';
	}
	s.n_holidays_add = BK_MAX_HOLIDAY_EDITS;
	for (int i = 0; i < BK_MAX_HOLIDAY_EDITS; i++)
		s.holidays_add[i] = 30000 + i;
	assert_round_trip(&s);
}

/* A value too long for conf_entry.value must not pass for a whole one:
 * it ends in "..." (conf/load.c, add()) and so is never read back as
 * a different policy. 32 districts of 63 bytes, each '"' or '\\'
 * written as two, do not fit in 4096. */
static void test_policy_entries_cut_value_is_marked(void **state)
{
	struct bk_settings s;
	struct conf_entry e[BK_SET_COUNT];
	size_t len;

	(void)state;
	bk_settings_defaults(&s);
	s.n_districts = BK_MAX_DISTRICTS;
	for (int i = 0; i < BK_MAX_DISTRICTS; i++) {
		char *name = s.districts[i].name;
		for (int j = 0; j < BK_NAME_MAX - 3; j++)
			name[j] = j % 2 ? '\\' : '"';
		name[BK_NAME_MAX - 3] = (char)('A' + i / 26);
		name[BK_NAME_MAX - 2] = (char)('a' + i % 26);
		name[BK_NAME_MAX - 1] = '\0';
	}
	assert_int_equal(conf_policy_entries(&s, e, BK_SET_COUNT), BK_SET_COUNT);
	len = strlen(e[BK_SET_DISTRICTS].value);
	if (len < sizeof e[0].value - 1) {
		/* It fitted after all: then it must read back. */
		assert_round_trip(&s);
		return;
	}
	assert_int_equal(len, sizeof e[0].value - 1);
	if (strcmp(e[BK_SET_DISTRICTS].value + len - 3, "...") != 0)
		fail_msg("districts filled the entry and was cut without \"...\": it ends \"%s\"",
		         e[BK_SET_DISTRICTS].value + len - 12);
}

static void test_host_entries(void **state)
{
	struct conf_host h;
	struct bk_settings seed;
	struct conf_entry e[CONF_HOST_COUNT + 2];
	char *sp, *pp, err[1024], body[2 * sizeof e[0].value + 64];

	(void)state;
	assert_true(conf_load("", "", &h, &seed, err, sizeof err));
	assert_int_equal(conf_host_entries(&h, e, CONF_HOST_COUNT + 2), CONF_HOST_COUNT);
	assert_string_equal(e[CONF_DATABASE].key, "database");
	assert_string_equal(e[CONF_DATABASE].value, "\"\"");
	assert_false(e[CONF_DATABASE].from_file);
	assert_string_equal(e[CONF_COLOUR].key, "colour");
	assert_string_equal(e[CONF_COLOUR].value, "true");
	assert_false(e[CONF_COLOUR].from_file);
	assert_int_equal(conf_host_entries(&h, e, 1), 1);
	assert_int_equal(conf_host_entries(&h, e, 0), 0);

	assert_true(load_conf("colour = false;\n", "database = \"/srv/my \\\"team\\\"\\\\db.sqlite\";\n", &sp, &pp, &h,
	                      &seed, err, sizeof err));
	assert_string_equal(h.database, "/srv/my \"team\"\\db.sqlite");
	assert_int_equal(conf_host_entries(&h, e, CONF_HOST_COUNT), CONF_HOST_COUNT);
	assert_string_equal(e[CONF_DATABASE].value, "\"/srv/my \\\"team\\\"\\\\db.sqlite\"");
	assert_true(e[CONF_DATABASE].from_file);
	assert_string_equal(e[CONF_COLOUR].value, "false");
	assert_true(e[CONF_COLOUR].from_file);
	drop(sp);
	drop(pp);

	/* `config show` reads back as a user's file. */
	{
		struct conf_host back;
		snprintf(body, sizeof body, "%s = %s;\n%s = %s;\n", e[0].key, e[0].value, e[1].key, e[1].value);
		assert_true(load_conf(NULL, body, &sp, &pp, &back, &seed, err, sizeof err));
		assert_string_equal(back.database, h.database);
		assert_int_equal(back.colour, h.colour);
		drop(sp);
		drop(pp);
	}
}

/* ---- the documentation agrees with the code ----------------------------- */

static char *slurp(const char *relative)
{
	const char *root = getenv("BROKERAGE_SOURCE_ROOT");
	char path[1024];
	FILE *f;
	char *text;
	size_t n;

	snprintf(path, sizeof path, "%s/%s", root && root[0] ? root : ".", relative);
	f = fopen(path, "r");
	if (!f)
		fail_msg("cannot read %s (set BROKERAGE_SOURCE_ROOT)", path);
	text = calloc(1, 256 * 1024);
	assert_non_null(text);
	n = fread(text, 1, 256 * 1024 - 1, f);
	text[n] = '\0';
	fclose(f);
	return text;
}

/* The example brokerage.conf loads as the system file (which may hold
 * both kinds of key); and, if it names no policy key, as a user's file. */
static void test_example_file_loads(void **state)
{
	const char *root = getenv("BROKERAGE_SOURCE_ROOT");
	char path[1024], err[1024];
	struct conf_host h;
	struct bk_settings s;

	(void)state;
	snprintf(path, sizeof path, "%s/docs/brokerage.conf.example", root && root[0] ? root : ".");
	if (!conf_load(path, "", &h, &s, err, sizeof err))
		fail_msg("the example is refused as the system file: %s", err);
	if (!h.system_policy && !conf_load("", path, &h, &s, err, sizeof err))
		fail_msg("the example is refused as a user's file: %s", err);
	free(slurp("docs/brokerage.conf.example"));
}

/* Every key, host and policy, is documented in a manual page. */
static void test_man_pages_document_every_key(void **state)
{
	static const char *const pages[] = { "man/brokerage.conf.5", "man/brokerage.1", "man/brokerage.7" };
	char *text[3];
	struct conf_entry e[BK_SET_COUNT + CONF_HOST_COUNT];
	struct conf_host h = { .colour = true };
	struct bk_settings s;
	int n;
	char pattern[64], missing[512];

	(void)state;
	for (int p = 0; p < 3; p++)
		text[p] = slurp(pages[p]);
	bk_settings_defaults(&s);
	n = conf_policy_entries(&s, e, BK_SET_COUNT);
	n += conf_host_entries(&h, e + n, CONF_HOST_COUNT);
	assert_int_equal(n, BK_SET_COUNT + CONF_HOST_COUNT);
	missing[0] = '\0';
	for (int i = 0; i < n; i++) {
		bool found = false;
		snprintf(pattern, sizeof pattern, "\n.It Cm %s\n", e[i].key);
		for (int p = 0; p < 3; p++)
			found = found || strstr(text[p], pattern);
		if (!found)
			snprintf(missing + strlen(missing), sizeof missing - strlen(missing), " %s", e[i].key);
	}
	for (int p = 0; p < 3; p++)
		free(text[p]);
	if (missing[0])
		fail_msg("no manual page documents (.It Cm KEY):%s", missing);
}

/* The EXAMPLES block of brokerage.conf(5) is a file that loads (as the
 * system file, which may hold both kinds of key). */
static void test_man_page_example_loads(void **state)
{
	char *text = slurp("man/brokerage.conf.5");
	const char *from = strstr(text, "\n.Sh EXAMPLES\n"), *p, *end;
	char body[8192], err[1024], *path;
	size_t n = 0;
	struct conf_host h;
	struct bk_settings s;

	(void)state;
	assert_non_null(from);
	p = strstr(from, "\n.Bd -literal");
	assert_non_null(p);
	p = strchr(p + 1, '\n') + 1;
	end = strstr(p, "\n.Ed\n");
	assert_non_null(end);
	/* Undo the roff escape for the pound sign. */
	while (p <= end && n + 3 < sizeof body) {
		if (strncmp(p, "\\(Po", 4) == 0) {
			memcpy(body + n, "\xc2\xa3", 2);
			n += 2;
			p += 4;
		} else {
			body[n++] = *p++;
		}
	}
	body[n] = '\0';
	path = write_temp(body);
	if (!conf_load(path, "", &h, &s, err, sizeof err))
		fail_msg("the example in brokerage.conf(5) is refused: %s", err);
	drop(path);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_when_no_file),
		cmocka_unit_test(test_missing_system_file_is_skipped),
		cmocka_unit_test(test_policy_file_sets_every_key),
		cmocka_unit_test(test_policy_needs_a_file),
		cmocka_unit_test(test_partial_file_keeps_other_defaults),
		cmocka_unit_test(test_policy_on_top_of_a_base),
		cmocka_unit_test(test_lists_replace_the_base_and_may_be_empty),
		cmocka_unit_test(test_include_beside_the_file),
		cmocka_unit_test(test_syntax_error),
		cmocka_unit_test(test_wrong_type),
		cmocka_unit_test(test_out_of_range_numbers),
		cmocka_unit_test(test_out_of_range_times),
		cmocka_unit_test(test_unknown_zone_and_choices),
		cmocka_unit_test(test_lots_refused),
		cmocka_unit_test(test_bad_rates),
		cmocka_unit_test(test_districts_refused),
		cmocka_unit_test(test_bad_dates),
		cmocka_unit_test(test_unknown_key_top_level),
		cmocka_unit_test(test_unknown_key_in_lot),
		cmocka_unit_test(test_decline_codes_read),
		cmocka_unit_test(test_decline_codes_refused),
		cmocka_unit_test(test_policy_key_in_personal_file_refused),
		cmocka_unit_test(test_host_key_in_policy_file_refused),
		cmocka_unit_test(test_unknown_keys_in_brokerage_conf),
		cmocka_unit_test(test_system_file_seeds_the_policy),
		cmocka_unit_test(test_system_file_checked_like_a_policy_file),
		cmocka_unit_test(test_personal_file_overrides_system),
		cmocka_unit_test(test_host_values_refused),
		cmocka_unit_test(test_unreadable_file),
		cmocka_unit_test(test_find_order),
		cmocka_unit_test(test_find_explicit_must_exist),
		cmocka_unit_test(test_find_unreadable_user_file_is_an_error),
		cmocka_unit_test(test_policy_entries_of_defaults),
		cmocka_unit_test(test_policy_entries_of_file),
		cmocka_unit_test(test_policy_entries_read_back),
		cmocka_unit_test(test_policy_entries_longest_values),
		cmocka_unit_test(test_policy_entries_cut_value_is_marked),
		cmocka_unit_test(test_host_entries),
		cmocka_unit_test(test_example_file_loads),
		cmocka_unit_test(test_man_pages_document_every_key),
		cmocka_unit_test(test_man_page_example_loads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
