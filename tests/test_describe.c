/* Audit events in sentences (core/describe.c), on the shapes the program
 * really records (taken from a demo database): each says what happened in
 * words, never a raw field name such as provider_id or hours_minutes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/calendar.h"
#include "core/describe.h"
#include "tests/testutil.h"

static char out[2048];

static const char *say(const char *action, const char *entity, const char *before, const char *after)
{
	bk_event_sentence(action, entity, before, after, out, sizeof out);
	return out;
}

/* No field name of the records reaches the sentence. */
static void no_raw_names(const char *s)
{
	static const char *const raw[] = { "provider_id",
		                           "hours_minutes",
		                           "info_requested",
		                           "spot_requested",
		                           "weekly_cost",
		                           "sourced_provider_id",
		                           "deadline_at",
		                           "holder_id",
		                           "close_reason",
		                           "team_leader",
		                           "_at\"",
		                           "{",
		                           "\"" };
	for (size_t i = 0; i < sizeof raw / sizeof raw[0]; i++)
		if (strstr(s, raw[i])) {
			print_error("'%s' found in: %s\n", raw[i], s);
			fail();
		}
}

static int setup(void **state)
{
	(void)state;
	assert_true(cal_zone_use("Europe/London"));
	return 0;
}

static void test_offer_send(void **state)
{
	(void)state;
	const char *s =
		say("offer.send", "offer", NULL,
	            "{\"answered_at\":null,\"confirmed\":false,\"deadline_at\":\"2026-11-25T17:00:00Z\",\"id\":1,"
	            "\"info_requested_at\":null,\"info_supplied_at\":null,\"provider_id\":30,\"rank\":2,"
	            "\"reason\":null,\"received_on\":\"2026-11-20\",\"referral_id\":1,"
	            "\"sent_at\":\"2026-11-20T10:23:00Z\",\"start_date\":null,\"status\":\"sent\"}");
	assert_string_equal(s, "sent the referral to provider 30 (rank 2); answer due Wed 25 Nov 2026 17:00");
	no_raw_names(s);
}

static const char *acme(void *ud, int64_t id)
{
	(void)ud;
	return id == 30 ? "Acme Care" : NULL;
}

static const char *offer_acme(void *ud, int64_t id)
{
	(void)ud;
	return id == 50 ? "Acme Care" : NULL;
}

static void test_names_resolved(void **state)
{
	(void)state;
	struct bk_event_names n = { .provider = acme, .offer_provider = offer_acme, .ascii = true };
	bk_event_sentence_named(&n, "offer.send", "offer", NULL,
	                        "{\"deadline_at\":\"2026-11-25T17:00:00Z\",\"id\":50,\"provider_id\":30,\"rank\":2,"
	                        "\"status\":\"sent\"}",
	                        out, sizeof out);
	assert_string_equal(out, "sent the referral to Acme Care (rank 2); answer due Wed 25 Nov 2026 17:00");
	/* an offer's later events carry only its id */
	bk_event_sentence_named(
		&n, "offer.decline", "offer", "{\"answered_at\":null,\"id\":50,\"reason\":null,\"status\":\"sent\"}",
		"{\"answered_at\":\"2026-11-21T13:17:00Z\",\"id\":50,\"reason\":\"no staff available in "
		"the area\",\"status\":\"declined\"}",
		out, sizeof out);
	assert_string_equal(out, "recorded that Acme Care declined: no staff available in the area");
	bk_event_sentence_named(
		&n, "referral.respond", "referral",
		"{\"id\":1,\"route\":null,\"sourced_at\":null,\"sourced_provider_id\":0,"
		"\"status\":\"searching\",\"version\":2,\"weekly_cost\":0}",
		"{\"id\":1,\"route\":\"framework\",\"sourced_at\":\"2024-12-03T10:10:00Z\","
		"\"sourced_provider_id\":30,\"status\":\"sourced\",\"version\":3,\"weekly_cost\":10600}",
		out, sizeof out);
	assert_non_null(strstr(out, "sourced with Acme Care"));
	assert_non_null(strstr(out, "weekly cost set to GBP 106.00"));
	no_raw_names(out);
}

static void test_status_change(void **state)
{
	(void)state;
	const char *s = say("referral.send", "referral", "{\"id\":1,\"status\":\"new\",\"version\":1}",
	                    "{\"id\":1,\"status\":\"searching\",\"version\":2}");
	assert_string_equal(s, "sent the referral out; status changed from new to searching");
	s = say("referral.spot-request", "referral", "{\"id\":2,\"status\":\"exhausted\",\"version\":7}",
	        "{\"id\":2,\"status\":\"spot_requested\",\"version\":8}");
	assert_string_equal(s, "asked for a spot purchase; status changed from exhausted to spot requested");
	no_raw_names(s);
	/* a change of nothing but the version says only what was done */
	s = say("referral.respond", "referral", "{\"id\":2,\"version\":2}", "{\"id\":2,\"version\":3}");
	assert_string_equal(s, "recorded a provider's answer");
}

static void test_sourced(void **state)
{
	(void)state;
	const char *s = say("referral.respond", "referral",
	                    "{\"id\":1,\"route\":null,\"sourced_at\":null,\"sourced_provider_id\":0,"
	                    "\"status\":\"searching\",\"version\":2,\"weekly_cost\":0}",
	                    "{\"id\":1,\"route\":\"framework\",\"sourced_at\":\"2024-12-03T10:10:00Z\","
	                    "\"sourced_provider_id\":6,\"status\":\"sourced\",\"version\":3,\"weekly_cost\":10600}");
	assert_non_null(strstr(s, "status changed from searching to sourced"));
	assert_non_null(strstr(s, "sourced with provider 6"));
	assert_non_null(strstr(s, "weekly cost set to \xc2\xa3"
	                          "106.00"));
	no_raw_names(s);
}

static void test_info_request_and_supplied(void **state)
{
	(void)state;
	const char *s = say("offer.info-request", "offer",
	                    "{\"id\":50,\"info_requested_at\":null,\"reason\":null,\"status\":\"sent\"}",
	                    "{\"id\":50,\"info_requested_at\":\"2025-02-19T10:32:00Z\",\"reason\":\"Is moving and "
	                    "handling training needed?\",\"status\":\"info_requested\"}");
	assert_non_null(strstr(s, "asked for information: Is moving and handling training needed?"));
	assert_non_null(strstr(s, "clock stops"));
	no_raw_names(s);
	s = say("offer.info-supplied", "offer",
	        "{\"deadline_at\":\"2025-02-20T17:00:00Z\",\"id\":50,\"info_supplied_at\":null,\"status\":"
	        "\"info_requested\"}",
	        "{\"deadline_at\":\"2025-02-21T17:00:00Z\",\"id\":50,\"info_supplied_at\":\"2025-02-20T10:26:00Z\","
	        "\"status\":\"sent\"}");
	assert_non_null(strstr(s, "answer now due Fri 21 Feb 2025 17:00"));
	no_raw_names(s);
}

static void test_new_referral(void **state)
{
	(void)state;
	const char *s =
		say("referral.new", "referral", NULL,
	            "{\"age\":22,\"approved_by\":0,\"case_ref\":\"CYP-257967\",\"close_reason\":null,"
	            "\"closed_at\":null,\"created_by\":3,\"district\":\"West\",\"ended_on\":null,\"erased\":false,"
	            "\"escalated\":false,\"holder_id\":3,\"hours_minutes\":750,\"id\":1,\"lot\":4,\"note\":"
	            "\"Panel approved\",\"panel_date\":\"2024-11-25\",\"paused_from\":null,\"route\":null,"
	            "\"sourced_at\":null,\"sourced_provider_id\":0,\"start_date\":\"2024-12-12\",\"status\":"
	            "\"new\",\"urgent\":true,\"version\":1,\"weekly_cost\":0}");
	assert_string_equal(s, "recorded the referral: case CYP-257967, lot 4, West, 12.5 hours a week, urgent");
	no_raw_names(s);
}

static void test_pause_withdraw_end(void **state)
{
	(void)state;
	const char *s =
		say("referral.pause", "referral",
	            "{\"close_reason\":null,\"id\":15,\"paused_from\":null,\"status\":\"searching\",\"version\":2}",
	            "{\"close_reason\":\"paused: family asked to wait\",\"id\":15,\"paused_from\":\"searching\","
	            "\"status\":\"paused\",\"version\":3}");
	assert_string_equal(s, "paused the referral; reason set to paused: family asked to wait; status changed from "
	                       "searching to paused");
	s = say("referral.end", "referral",
	        "{\"closed_at\":null,\"ended_on\":null,\"id\":1,\"status\":\"sourced\",\"version\":3}",
	        "{\"closed_at\":\"2025-08-14T10:10:00Z\",\"ended_on\":\"2025-08-14\",\"id\":1,\"status\":\"ended\","
	        "\"version\":4}");
	assert_string_equal(s, "ended the package; ended on Thu 14 Aug 2025; status changed from sourced to ended");
}

static void test_spot(void **state)
{
	(void)state;
	const char *s = say("spot.request", "spot_request", NULL,
	                    "{\"annual_cost\":1033500,\"decided_at\":null,\"decided_by\":0,\"framework_rate\":1950,"
	                    "\"hours_minutes\":300,\"id\":1,\"justification\":\"every framework provider declined\","
	                    "\"key_decision\":null,\"note\":null,\"provider_id\":33,\"rate\":3975,\"referral_id\":2,"
	                    "\"requested_by\":5,\"status\":\"pending\",\"weekly_cost\":19875,\"weeks\":21}");
	assert_string_equal(s, "asked for a spot purchase from provider 33 at \xc2\xa3"
	                       "39.75 an hour for 5 hours a week "
	                       "(\xc2\xa3"
	                       "198.75 a week, \xc2\xa3"
	                       "10,335.00 a year): every framework provider declined");
	s = say("spot.reject", "spot_request",
	        "{\"decided_at\":null,\"decided_by\":0,\"id\":3,\"note\":null,\"status\":\"pending\"}",
	        "{\"decided_at\":\"2025-03-24T09:26:00Z\",\"decided_by\":8,\"id\":3,\"note\":\"rate too high\","
	        "\"status\":\"rejected\"}");
	assert_string_equal(s, "rejected the spot purchase request: rate too high");
}

static void test_staff_and_providers(void **state)
{
	(void)state;
	const char *s =
		say("staff.add", "staff", NULL,
	            "{\"active\":true,\"id\":3,\"login\":\"tina\",\"name\":\"Tina Walsh\",\"role\":\"team_leader\"}");
	assert_string_equal(s, "added Tina Walsh (tina) as a team leader");
	s = say("staff.set-role", "staff",
	        "{\"active\":true,\"id\":3,\"login\":\"tina\",\"name\":\"Tina Walsh\",\"role\":\"officer\"}",
	        "{\"active\":true,\"id\":3,\"login\":\"tina\",\"name\":\"Tina Walsh\",\"role\":\"team_leader\"}");
	assert_string_equal(s, "changed Tina Walsh (tina): role changed from officer to team leader");
	s = say("provider.set", "provider", "{\"embargo\":null,\"id\":8}",
	        "{\"embargo\":\"safeguarding investigation open\",\"id\":8}");
	assert_string_equal(s, "changed provider 8: embargo set to safeguarding investigation open");
	s = say("provider.capacity", "provider", NULL, "{\"capacity\":\"North=1380\"}");
	assert_string_equal(s, "set a provider's capacity in North to 23 hours a week");
	/* the payloads are ASCII JSON: \u escapes (a surrogate pair too) come back as the text */
	s = say("provider.add", "provider", NULL,
	        "{\"framework\":false,\"id\":41,\"name\":\"Caf\\u00e9 \\u65e5 \\ud83d\\ude00\"}");
	assert_string_equal(s, "added the provider Caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80 (off the framework)");
	s = say("ranking.set", "ranking", NULL, "{\"lot 1 North\":\"Foxglove Family Support | Linden Lifeskills\"}");
	assert_string_equal(s, "set the ranking of lot 1 North, in order: Foxglove Family Support, Linden Lifeskills");
	s = say("ranking.set", "ranking", "{\"lot 1 North\":\"Beta Support | Acme Care\"}",
	        "{\"lot 1 North\":\"Acme Care | Beta Support | Delta Living\"}");
	assert_string_equal(
		s, "changed the ranking of lot 1 North from Beta Support, Acme Care to Acme Care, Beta Support, "
		   "Delta Living");
}

static void test_bad_payload_and_room(void **state)
{
	(void)state;
	/* what is not an object is not shown raw */
	const char *s = say("referral.edit", "referral", "[1,2", "\"x\"");
	assert_string_equal(s, "referral.edit (its details cannot be read)");
	/* a small buffer is filled, never overrun */
	char small[12];
	memset(small, 'X', sizeof small);
	bk_event_sentence("referral.send", "referral", "{\"status\":\"new\"}", "{\"status\":\"searching\"}", small,
	                  sizeof small);
	assert_int_equal(strlen(small), sizeof small - 1);
	/* an unknown field still reads as words */
	s = say("referral.edit", "referral", "{\"care_setting\":\"home\"}", "{\"care_setting\":\"school\"}");
	assert_string_equal(s, "changed the referral's details; care setting changed from home to school");
}

/* s is offered where the workflow lets a referral be sent */
static void test_send_applies(void **state)
{
	(void)state;
	assert_true(bk_send_applies(false, WF_NEW));
	assert_false(bk_send_applies(true, WF_NEW)); /* waits for a team leader's approval */
	assert_true(bk_send_applies(true, WF_READY));
	assert_true(bk_send_applies(false, WF_SEARCHING));
	assert_true(bk_send_applies(false, WF_EXHAUSTED));
	assert_false(bk_send_applies(false, WF_SOURCED));
	assert_false(bk_send_applies(false, WF_ENDED));
	assert_false(bk_send_applies(false, WF_WITHDRAWN));
	assert_false(bk_send_applies(false, WF_PAUSED));
	assert_false(bk_send_applies(false, WF_SPOT_REQUESTED));
	assert_false(bk_send_applies(false, WF_STATUS_COUNT));
	assert_string_equal(bk_referral_status_words(WF_SPOT_REQUESTED), "spot requested");
	assert_string_equal(bk_offer_status_words(WF_OFFER_INFO_REQUESTED), "information requested");
	assert_string_equal(bk_status_words("info_requested"), "information requested");
	assert_string_equal(bk_status_words("searching"), "searching");
}

/* x is offered where a spot purchase may be asked: exhausted, or escalated */
static void test_spot_applies(void **state)
{
	(void)state;
	assert_true(bk_spot_applies(WF_EXHAUSTED, false));
	assert_true(bk_spot_applies(WF_SEARCHING, true)); /* an urgent one a team leader escalated */
	assert_false(bk_spot_applies(WF_SEARCHING, false));
	assert_false(bk_spot_applies(WF_NEW, false));
	assert_false(bk_spot_applies(WF_SPOT_REQUESTED, false)); /* already asked */
	assert_false(bk_spot_applies(WF_SPOT_REQUESTED, true));
	assert_false(bk_spot_applies(WF_SOURCED, false));
	assert_false(bk_spot_applies(WF_WITHDRAWN, true));
	assert_false(bk_spot_applies(WF_STATUS_COUNT, true));
}

/* The audit view's ACTION column: words, never the code. */
static void test_action_words(void **state)
{
	(void)state;
	char buf[64];
	assert_string_equal(bk_action_words("offer.expire", buf, sizeof buf), "offer expired");
	assert_string_equal(bk_action_words("referral.spot-approved", buf, sizeof buf), "spot purchase approved");
	assert_string_equal(bk_action_words("ranking.set", buf, sizeof buf), "ranking changed");
	/* one it does not know: no dots or dashes left */
	assert_string_equal(bk_action_words("widget.re-frob", buf, sizeof buf), "widget re frob");
	assert_string_equal(bk_action_words(NULL, buf, sizeof buf), "");
}

/* Answers that came in (issue 17): received, for triage, confirmed, set aside, matched. */
static void test_inbox(void **state)
{
	(void)state;
	assert_string_equal(say("inbox.receive", "inbox", NULL,
	                        "{\"id\":3,\"kind\":\"proposed\",\"offer\":7,\"verb\":\"accept\","
	                        "\"sender\":\"a@b.example\"}"),
	                    "received a proposed answer (accept) to offer 7 from a@b.example: inbox item 3");
	assert_string_equal(say("inbox.receive", "inbox", NULL,
	                        "{\"id\":4,\"kind\":\"triage\",\"offer\":null,\"verb\":\"\","
	                        "\"sender\":\"\",\"reason\":\"no reply token\"}"),
	                    "kept a message from an unknown sender for triage (inbox item 4): no reply token");
	assert_string_equal(say("inbox.confirm", "inbox", "{}", "{\"id\":3,\"offer\":7,\"verb\":\"decline\"}"),
	                    "confirmed inbox item 3, the answer (decline) to offer 7");
	assert_string_equal(say("inbox.reject", "inbox", "{}", "{\"id\":4,\"decision\":\"spam\"}"),
	                    "set inbox item 4 aside: spam");
	assert_string_equal(say("inbox.match", "inbox", "{}", "{\"id\":4,\"offer\":9,\"verb\":\"info\"}"),
	                    "matched inbox item 4 to offer 9: it reads as info");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_offer_send),
		cmocka_unit_test(test_names_resolved),
		cmocka_unit_test(test_status_change),
		cmocka_unit_test(test_sourced),
		cmocka_unit_test(test_info_request_and_supplied),
		cmocka_unit_test(test_new_referral),
		cmocka_unit_test(test_pause_withdraw_end),
		cmocka_unit_test(test_spot),
		cmocka_unit_test(test_staff_and_providers),
		cmocka_unit_test(test_bad_payload_and_room),
		cmocka_unit_test(test_send_applies),
		cmocka_unit_test(test_spot_applies),
		cmocka_unit_test(test_action_words),
		cmocka_unit_test(test_inbox),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
