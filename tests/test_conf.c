/* conf/: finding the file, loading it over the defaults, refusing bad files
 * with "FILE:LINE: what is wrong", and `config show`. */
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

static void assert_same_settings(const struct bk_settings *a, const struct bk_settings *b)
{
	assert_string_equal(a->database, b->database);
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

/* Load body; it must be refused with exactly "FILE:line: message" and the
 * settings left as the defaults. */
static void expect_refused(const char *body, int line, const char *message)
{
	char *path = write_temp(body);
	struct bk_settings s;
	char err[1024], want[1024];

	memset(&s, 0x5a, sizeof s); /* not the defaults: conf_load must put them back */
	assert_false(conf_load(path, &s, err, sizeof err));
	snprintf(want, sizeof want, "%s:%d: %s", path, line, message);
	assert_string_equal(err, want);
	assert_defaults(&s);
	unlink(path);
	free(path);
}

/* Load body; it must be accepted. */
static void load_ok(const char *body, struct bk_settings *s)
{
	char *path = write_temp(body);
	char err[1024];

	if (!conf_load(path, s, err, sizeof err))
		fail_msg("refused: %s", err);
	assert_string_equal(err, "");
	assert_string_equal(s->file, path);
	unlink(path);
	free(path);
}

/* A valid lots block with one lot, and a template for one lot line. */
#define ONE_LOT(fields) "lots = (\n  { " fields " }\n);\n"

/* ---- loading ------------------------------------------------------------ */

static void test_defaults_when_no_file(void **state)
{
	struct bk_settings s;
	char err[256] = "junk";

	(void)state;
	memset(&s, 0x5a, sizeof s);
	assert_true(conf_load("", &s, err, sizeof err));
	assert_string_equal(err, "");
	assert_defaults(&s);
	assert_string_equal(s.file, "");
	for (int i = 0; i < BK_SET_COUNT; i++)
		assert_false(s.from_file[i]);
	/* The defaults named in domain.md, checked against the words, not the code. */
	assert_string_equal(s.zone, "Europe/London");
	assert_int_equal(s.n_lots, 4);
	assert_int_equal(s.n_districts, 4);
	assert_int_equal(s.response_days, 3);
	assert_int_equal(s.cutoff_minute, 16 * 60);
	assert_int_equal(s.close_minute, 17 * 60);
	assert_int_equal(s.excluded_risks, BK_RISK_BIT(BK_RISK_RED));
	assert_int_equal(s.key_decision_threshold, 50000000);

	memset(&s, 0x5a, sizeof s);
	assert_true(conf_load(NULL, &s, err, sizeof err));
	assert_defaults(&s);
}

static const char full_file[] =
	"# every key, none at its default\n"
	"database = \"/srv/brokerage/test.db\";\n"
	"zone = \"Europe/Dublin\";\n"
	"lots = (\n"
	"  { number = 7; name = \"Short breaks\"; cqc_required = true; framework_rate = \"\xc2\xa3" "23.75\"; },\n"
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
	"retention_months = 84;\n";

static void test_full_file_overrides_every_key(void **state)
{
	struct bk_settings s;

	(void)state;
	load_ok(full_file, &s);
	assert_string_equal(s.database, "/srv/brokerage/test.db");
	assert_string_equal(s.zone, "Europe/Dublin");
	assert_int_equal(s.n_lots, 3);
	assert_int_equal(s.lots[0].number, 7);
	assert_string_equal(s.lots[0].name, "Short breaks");
	assert_true(s.lots[0].cqc_required);
	assert_int_equal(s.lots[0].framework_rate, 2375);
	assert_int_equal(s.lots[1].number, 12);
	assert_string_equal(s.lots[1].name, "Overnight support");
	assert_false(s.lots[1].cqc_required);
	assert_int_equal(s.lots[1].framework_rate, 1950);
	assert_int_equal(s.lots[2].number, 99);
	assert_int_equal(s.lots[2].framework_rate, 1000000);
	assert_int_equal(s.n_districts, 3);
	assert_string_equal(s.districts[0].name, "Cannock Chase");
	assert_string_equal(s.districts[1].name, "Lichfield");
	assert_string_equal(s.districts[2].name, "Tamworth");
	assert_int_equal(s.response_days, 5);
	assert_int_equal(s.cutoff_minute, 15 * 60 + 30);
	assert_int_equal(s.close_minute, 17 * 60 + 45);
	assert_int_equal(s.region, BK_REGION_SCOTLAND);
	assert_int_equal(s.n_holidays_add, 2);
	assert_int_equal(s.holidays_add[0], 20811); /* 2026-12-24 */
	assert_int_equal(s.holidays_add[1], 20818); /* 2026-12-31 */
	assert_int_equal(s.n_holidays_remove, 1);
	assert_int_equal(s.holidays_remove[0], 20696); /* 2026-08-31 */
	assert_int_equal(s.cascade, BK_CASCADE_PARALLEL);
	assert_int_equal(s.batch_size, 4);
	assert_int_equal(s.excluded_risks, BK_RISK_BIT(BK_RISK_RED) | BK_RISK_BIT(BK_RISK_AMBER));
	assert_true(s.require_approval);
	assert_int_equal(s.key_decision_threshold, 25000000);
	assert_int_equal(s.retention_months, 84);
	for (int i = 0; i < BK_SET_COUNT; i++)
		assert_true(s.from_file[i]);
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
}

static void test_lists_replace_defaults_and_may_be_empty(void **state)
{
	struct bk_settings s;

	(void)state;
	load_ok(ONE_LOT("number = 3; name = \"Sitting service\"; cqc_required = false; framework_rate = \"0.01\";")
	        "districts = ( \"Borough\" );\n"
	        "excluded_risks = [];\n"
	        "key_decision_threshold = \"\xc2\xa3" "1000000.50\";\n",
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
}

static void test_include_beside_the_file(void **state)
{
	char dir[] = "/tmp/bk_conf_inc_XXXXXX";
	char main_path[256], extra_path[256], err[1024], want[1024];
	struct bk_settings s;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(main_path, sizeof main_path, "%s/brokerage.conf", dir);
	snprintf(extra_path, sizeof extra_path, "%s/extra.conf", dir);
	write_file(main_path, "zone = \"Europe/London\";\n@include \"extra.conf\"\n");
	write_file(extra_path, "# from the included file\nretention_months = 0;\n");
	assert_false(conf_load(main_path, &s, err, sizeof err));
	snprintf(want, sizeof want, "%s:2: retention_months must be from 1 to 1200, not 0", extra_path);
	assert_string_equal(err, want);

	/* A syntax error inside the included file names that file too. */
	write_file(extra_path, "retention_months = ;\n");
	assert_false(conf_load(main_path, &s, err, sizeof err));
	snprintf(want, sizeof want, "%s:1: syntax error", extra_path);
	assert_string_equal(err, want);
	/* libconfig wraps 4294967308 to 12; the file's text is read back
	 * from the included file, not from the working directory. */
	write_file(extra_path, "retention_months = 4294967308;\n");
	assert_false(conf_load(main_path, &s, err, sizeof err));
	snprintf(want, sizeof want, "%s:1: retention_months must be from 1 to 1200, not 4294967308", extra_path);
	assert_string_equal(err, want);

	write_file(extra_path, "retention_months = 12;\n");
	assert_true(conf_load(main_path, &s, err, sizeof err));
	assert_int_equal(s.retention_months, 12);
	unlink(main_path);
	unlink(extra_path);
	rmdir(dir);
}

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
	expect_refused("# days\n\nresponse_days = \"three\";\n", 3, "response_days must be a whole number, not a string");
	expect_refused("batch_size = 2.5;\n", 1, "batch_size must be a whole number, not a decimal number");
	expect_refused("retention_months = true;\n", 1, "retention_months must be a whole number, not true or false");
	expect_refused("require_approval = 1;\n", 1, "require_approval must be true or false, not a whole number");
	expect_refused("cutoff = 1600;\n", 1, "cutoff must be a string in quotes, such as \"16:00\", not a whole number");
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
	expect_refused("cutoff = \"25:00\";\n", 1, "cutoff must be a time of day from \"00:00\" to \"23:59\", not \"25:00\"");
	expect_refused("cutoff = \"16:60\";\n", 1, "cutoff must be a time of day from \"00:00\" to \"23:59\", not \"16:60\"");
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
	               "zone \"Europe/Londn\" is not a time zone this system knows; give an IANA name such as \"Europe/London\"");
	expect_refused("zone = \"\";\n", 1,
	               "zone \"\" is not a time zone this system knows; give an IANA name such as \"Europe/London\"");
	expect_refused("bank_holidays = \"wales\";\n", 1,
	               "bank_holidays must be \"england-and-wales\", \"scotland\" or \"none\", not \"wales\"");
	expect_refused("cascade = \"random\";\n", 1, "cascade must be \"sequential\" or \"parallel\", not \"random\"");
	expect_refused("excluded_risks = [ \"red\", \"purple\" ];\n", 1,
	               "excluded_risks: \"purple\" is not a risk rating; use \"green\", \"amber\" or \"red\"");
	expect_refused("excluded_risks = [ \"red\",\n \"red\" ];\n", 2, "excluded_risks: \"red\" is listed twice");
	expect_refused("database = \"brokerage.db\";\n", 1,
	               "database must be an absolute path beginning with '/' (or \"\" for the default), not \"brokerage.db\"");
	expect_refused("database = \"~/brokerage.db\";\n", 1,
	               "database must be an absolute path beginning with '/' (or \"\" for the default), not "
	               "\"~/brokerage.db\"; '~' is not expanded");
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
	expect_refused(ONE_LOT("number = 4; name = \"0123456789012345678901234567890123456789012345678901234567890123\"; "
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
			         "  { number = %d; name = \"Lot %d\"; cqc_required = false; framework_rate = \"19.50\"; }%s\n",
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
		         ONE_LOT("number = 2; name = \"A\"; cqc_required = true;\n    framework_rate = \"%s\";"), bad[i].rate);
		snprintf(msg, sizeof msg,
		         "lot 2: framework_rate \"%s\" %s; give pounds an hour such as \"19.50\", more than 0.00 and at most "
		         "10000.00",
		         bad[i].rate, bad[i].why);
		expect_refused(body, 3, msg);
	}
	expect_refused(ONE_LOT("number = 2; name = \"A\"; cqc_required = true; framework_rate = \"0.00\";"), 2,
	               "lot 2: framework_rate must be more than 0.00");
	expect_refused("key_decision_threshold = \"500,000\";\n", 1,
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
	expect_refused("districts = [ \"North\\tEast\" ];\n", 1, "district \"North?East\" contains a control character");
	expect_refused("districts = [ \"\\x1b[2J\" ];\n", 1, "district \"?[2J\" contains a control character");
	expect_refused("districts = [ \" North\" ];\n", 1, "district \" North\" begins or ends with a space");
	expect_refused("districts = [];\n", 1, "districts is empty; at least one district is needed");
	expect_refused("districts = [ \"Caf\xe9\" ];\n", 1, "district \"Caf?\" is not valid UTF-8");
	expect_refused("zone = \"\xc2\xa3\xff\";\n", 1,
	               "zone \"???\" is not a time zone this system knows; give an IANA name such as \"Europe/London\"");
}

static void test_bad_dates(void **state)
{
	(void)state;
	expect_refused("holidays_add = [\n  \"2026-12-24\",\n  \"2026-02-30\" ];\n", 3,
	               "holidays_add: \"2026-02-30\" is not a date; write a real date as YYYY-MM-DD, such as \"2026-12-24\"");
	expect_refused("holidays_remove = [ \"24/12/2026\" ];\n", 1,
	               "holidays_remove: \"24/12/2026\" is not a date; write a real date as YYYY-MM-DD, such as \"2026-12-24\"");
	expect_refused("holidays_add = [ \"2026-12-24T00:00\" ];\n", 1,
	               "holidays_add: \"2026-12-24T00:00\" is not a date; write a real date as YYYY-MM-DD, such as "
	               "\"2026-12-24\"");
	expect_refused("holidays_add = [ \"2026-12-24\", \"2026-12-24\" ];\n", 1, "holidays_add: 2026-12-24 is listed twice");
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
	expect_refused("bank_holiday = \"scotland\";\n", 1, "unknown setting 'bank_holiday' (did you mean 'bank_holidays'?)");
	expect_refused("zones = \"Europe/London\";\n", 1, "unknown setting 'zones' (did you mean 'zone'?)");
	/* Nothing within two edits: no guess. */
	expect_refused("colour = \"blue\";\n", 1, "unknown setting 'colour'");
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

static void test_unreadable_file(void **state)
{
	char dir[] = "/tmp/bk_conf_dir_XXXXXX";
	char path[256], err[512], want[512];
	struct bk_settings s;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/missing.conf", dir);
	memset(&s, 0x5a, sizeof s);
	assert_false(conf_load(path, &s, err, sizeof err));
	snprintf(want, sizeof want, "cannot read configuration file %s: No such file or directory", path);
	assert_string_equal(err, want);
	assert_defaults(&s);

	assert_false(conf_load(dir, &s, err, sizeof err));
	snprintf(want, sizeof want, "cannot read configuration file %s: Is a directory", dir);
	assert_string_equal(err, want);
	assert_defaults(&s);
	rmdir(dir);
}

/* ---- conf_find ------------------------------------------------------------- */

struct find_dirs {
	char root[64];
	char xdg[128], home[128], xdg_file[256], home_file[256], system_file[256], option_file[256], env_file[256];
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
	snprintf(d->system_file, sizeof d->system_file, "%s/system.conf", d->root);
	snprintf(d->option_file, sizeof d->option_file, "%s/option.conf", d->root);
	snprintf(d->env_file, sizeof d->env_file, "%s/env.conf", d->root);
	write_file(d->xdg_file, "");
	write_file(d->home_file, "");
	write_file(d->system_file, "");
	write_file(d->option_file, "");
	write_file(d->env_file, "");
}

static void remove_find_dirs(struct find_dirs *d)
{
	char p[256];

	unlink(d->xdg_file);
	unlink(d->home_file);
	unlink(d->system_file);
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

static void expect_found(const char *option, const char *env, const char *xdg, const char *home, const char *system,
                         const char *want_path, enum conf_origin want_origin)
{
	char path[512] = "junk", err[512] = "junk";
	enum conf_origin origin = CONF_ORIGIN_OPTION;

	if (!conf_find(option, env, xdg, home, system, path, sizeof path, &origin, err, sizeof err))
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
	expect_found(d.option_file, d.env_file, d.xdg, d.home, d.system_file, d.option_file, CONF_ORIGIN_OPTION);
	expect_found(NULL, d.env_file, d.xdg, d.home, d.system_file, d.env_file, CONF_ORIGIN_ENV);
	expect_found(NULL, "", d.xdg, d.home, d.system_file, d.xdg_file, CONF_ORIGIN_XDG);
	expect_found(NULL, NULL, d.xdg, d.home, d.system_file, d.xdg_file, CONF_ORIGIN_XDG);
	/* $XDG_CONFIG_HOME unset, empty or relative: ~/.config. */
	expect_found(NULL, NULL, NULL, d.home, d.system_file, d.home_file, CONF_ORIGIN_XDG);
	expect_found(NULL, NULL, "", d.home, d.system_file, d.home_file, CONF_ORIGIN_XDG);
	expect_found(NULL, NULL, "relative/dir", d.home, d.system_file, d.home_file, CONF_ORIGIN_XDG);
	/* The user's file absent: the system one; with $XDG_CONFIG_HOME set,
	 * ~/.config is not looked at. */
	unlink(d.xdg_file);
	expect_found(NULL, NULL, d.xdg, d.home, d.system_file, d.system_file, CONF_ORIGIN_SYSTEM);
	unlink(d.home_file);
	expect_found(NULL, NULL, NULL, d.home, d.system_file, d.system_file, CONF_ORIGIN_SYSTEM);
	expect_found(NULL, NULL, NULL, NULL, d.system_file, d.system_file, CONF_ORIGIN_SYSTEM);
	/* Nothing at all: the defaults. */
	unlink(d.system_file);
	expect_found(NULL, NULL, d.xdg, d.home, d.system_file, "", CONF_ORIGIN_DEFAULTS);
	expect_found(NULL, NULL, NULL, NULL, NULL, "", CONF_ORIGIN_DEFAULTS);
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
	assert_false(conf_find(missing, d.env_file, d.xdg, d.home, d.system_file, path, sizeof path, &origin, err,
	                       sizeof err));
	assert_string_equal(err, want);
	assert_int_equal(origin, CONF_ORIGIN_OPTION);

	assert_false(conf_find(NULL, missing, d.xdg, d.home, d.system_file, path, sizeof path, &origin, err, sizeof err));
	assert_string_equal(err, want);
	assert_int_equal(origin, CONF_ORIGIN_ENV);

	assert_false(conf_find("", NULL, d.xdg, d.home, d.system_file, path, sizeof path, &origin, err, sizeof err));
	assert_string_equal(err, "--config needs the name of a configuration file");

	/* A path that does not fit the caller's buffer. */
	assert_false(conf_find(d.option_file, NULL, NULL, NULL, NULL, path, 8, &origin, err, sizeof err));
	assert_string_equal(err, "the configuration file's path is too long");
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
	assert_false(conf_find(NULL, NULL, d.xdg, d.home, d.system_file, path, sizeof path, &origin, err, sizeof err));
	snprintf(want, sizeof want, "cannot read configuration file %s: Is a directory", d.xdg_file);
	assert_string_equal(err, want);
	assert_int_equal(rmdir(d.xdg_file), 0);
	write_file(d.xdg_file, "");

	/* No permission (root reads anything, so only for others). */
	if (geteuid() != 0) {
		assert_int_equal(chmod(d.xdg_file, 0), 0);
		assert_false(
			conf_find(NULL, NULL, d.xdg, d.home, d.system_file, path, sizeof path, &origin, err, sizeof err));
		snprintf(want, sizeof want, "cannot read configuration file %s: Permission denied", d.xdg_file);
		assert_string_equal(err, want);
	}
	remove_find_dirs(&d);
}

/* ---- config show ------------------------------------------------------------ */

static const char *const key_order[] = {
	"database", "zone", "lots", "districts", "response_days", "cutoff", "close_of_business", "bank_holidays",
	"holidays_add", "holidays_remove", "cascade", "batch_size", "excluded_risks", "require_approval",
	"key_decision_threshold", "retention_months",
};
#define N_KEYS ((int)(sizeof key_order / sizeof key_order[0]))

static void test_entries_of_defaults(void **state)
{
	static const char *const values[] = {
		"(default: $XDG_DATA_HOME/brokerage/brokerage.db)",
		"Europe/London",
		"1 Lifeskills & Independence (CQC not required, \xc2\xa3" "19.50/h); "
		"2 Community support / domiciliary care (CQC required, \xc2\xa3" "21.50/h); "
		"3 Sitting service (CQC not required, \xc2\xa3" "18.00/h); "
		"4 Complex care (CQC required, \xc2\xa3" "26.50/h)",
		"North, South, East, West",
		"3",
		"16:00",
		"17:00",
		"england-and-wales",
		"(none)",
		"(none)",
		"sequential",
		"3",
		"red",
		"false",
		"500000.00",
		"72",
	};
	struct bk_settings s;
	struct conf_entry e[BK_SET_COUNT + 4];

	(void)state;
	assert_int_equal(N_KEYS, BK_SET_COUNT);
	bk_settings_defaults(&s);
	assert_int_equal(conf_entries(&s, e, BK_SET_COUNT + 4), BK_SET_COUNT);
	for (int i = 0; i < N_KEYS; i++) {
		assert_string_equal(e[i].key, key_order[i]);
		assert_string_equal(e[i].value, values[i]);
		assert_false(e[i].from_file);
	}
	/* Fewer slots than keys: only that many, in order. */
	assert_int_equal(conf_entries(&s, e, 3), 3);
	assert_string_equal(e[2].key, "lots");
	assert_int_equal(conf_entries(&s, e, 0), 0);
}

static void test_entries_of_file(void **state)
{
	static const char *const values[] = {
		"/srv/brokerage/test.db",
		"Europe/Dublin",
		"7 Short breaks (CQC required, \xc2\xa3" "23.75/h); 12 Overnight support (CQC not required, \xc2\xa3"
		"19.50/h); 99 Day opportunities (CQC not required, \xc2\xa3" "10000.00/h)",
		"Cannock Chase, Lichfield, Tamworth",
		"5",
		"15:30",
		"17:45",
		"scotland",
		"2026-12-24, 2026-12-31",
		"2026-08-31",
		"parallel",
		"4",
		"amber, red",
		"true",
		"250000.00",
		"84",
	};
	struct bk_settings s;
	struct conf_entry e[BK_SET_COUNT];

	(void)state;
	load_ok(full_file, &s);
	assert_int_equal(conf_entries(&s, e, BK_SET_COUNT), BK_SET_COUNT);
	for (int i = 0; i < N_KEYS; i++) {
		assert_string_equal(e[i].key, key_order[i]);
		assert_string_equal(e[i].value, values[i]);
		assert_true(e[i].from_file);
	}

	/* Only what the file set is marked as from the file. */
	load_ok("cascade = \"parallel\";\nbatch_size = 2;\n", &s);
	assert_int_equal(conf_entries(&s, e, BK_SET_COUNT), BK_SET_COUNT);
	for (int i = 0; i < N_KEYS; i++)
		assert_int_equal(e[i].from_file, strcmp(e[i].key, "cascade") == 0 || strcmp(e[i].key, "batch_size") == 0);
}

static void test_entries_long_value_is_cut_cleanly(void **state)
{
	struct bk_settings s;
	struct conf_entry e[BK_SET_COUNT];
	size_t len;

	(void)state;
	bk_settings_defaults(&s);
	s.n_lots = BK_MAX_LOTS;
	for (int i = 0; i < BK_MAX_LOTS; i++) {
		s.lots[i].number = i + 1;
		snprintf(s.lots[i].name, sizeof s.lots[i].name, "A rather long lot name for lot number %d", i + 1);
		s.lots[i].framework_rate = 2000;
	}
	assert_int_equal(conf_entries(&s, e, BK_SET_COUNT), BK_SET_COUNT);
	len = strlen(e[BK_SET_LOTS].value);
	assert_int_equal(len, sizeof e[0].value - 1);
	assert_string_equal(e[BK_SET_LOTS].value + len - 3, "...");
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

static void test_example_file_loads_and_names_every_key(void **state)
{
	const char *root = getenv("BROKERAGE_SOURCE_ROOT");
	char path[1024], err[1024], pattern[64];
	struct bk_settings s;
	char *text = slurp("docs/brokerage.conf.example");

	(void)state;
	snprintf(path, sizeof path, "%s/docs/brokerage.conf.example", root && root[0] ? root : ".");
	if (!conf_load(path, &s, err, sizeof err))
		fail_msg("the example is refused: %s", err);
	for (int i = 0; i < N_KEYS; i++) {
		snprintf(pattern, sizeof pattern, "\n%s = ", key_order[i]);
		if (!strstr(text, pattern))
			fail_msg("the example does not set %s", key_order[i]);
		assert_true(s.from_file[i]);
	}
	free(text);
}

static void test_man_page_documents_every_key(void **state)
{
	char *text = slurp("man/brokerage.conf.5");
	char pattern[64];

	(void)state;
	for (int i = 0; i < N_KEYS; i++) {
		snprintf(pattern, sizeof pattern, "\n.It Cm %s\n", key_order[i]);
		if (!strstr(text, pattern))
			fail_msg("brokerage.conf(5) does not document %s", key_order[i]);
	}
	free(text);
}

/* The EXAMPLES block of brokerage.conf(5) is a file that loads. */
static void test_man_page_example_loads(void **state)
{
	char *text = slurp("man/brokerage.conf.5");
	const char *from = strstr(text, "\n.Sh EXAMPLES\n"), *p, *end;
	char body[8192], err[1024], *path;
	size_t n = 0;
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
	if (!conf_load(path, &s, err, sizeof err))
		fail_msg("the example in brokerage.conf(5) is refused: %s", err);
	assert_int_equal(s.n_lots, 3);
	assert_int_equal(s.lots[2].framework_rate, 2710);
	assert_int_equal(s.n_districts, 5);
	assert_int_equal(s.region, BK_REGION_SCOTLAND);
	unlink(path);
	free(path);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_when_no_file),
		cmocka_unit_test(test_full_file_overrides_every_key),
		cmocka_unit_test(test_partial_file_keeps_other_defaults),
		cmocka_unit_test(test_lists_replace_defaults_and_may_be_empty),
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
		cmocka_unit_test(test_unreadable_file),
		cmocka_unit_test(test_find_order),
		cmocka_unit_test(test_find_explicit_must_exist),
		cmocka_unit_test(test_find_unreadable_user_file_is_an_error),
		cmocka_unit_test(test_entries_of_defaults),
		cmocka_unit_test(test_entries_of_file),
		cmocka_unit_test(test_entries_long_value_is_cut_cleanly),
		cmocka_unit_test(test_example_file_loads_and_names_every_key),
		cmocka_unit_test(test_man_page_documents_every_key),
		cmocka_unit_test(test_man_page_example_loads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
