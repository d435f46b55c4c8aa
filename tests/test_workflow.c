/* The referral and offer state machines: every (status, action) pair, the
 * legal moves with their targets as domain.md draws the life of a
 * referral, and a sentence for every illegal one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/calendar.h"
#include "core/settings.h"
#include "core/workflow.h"
#include "tests/testutil.h"

/* The expected table, written out from domain.md ("The life of a
 * referral") independently of core/workflow.c. ILLEGAL marks a refusal;
 * KEEP a legal move that leaves the status as it is; RESUMES the move to
 * the status the referral was paused from. */
#define ILLEGAL (-1)
#define KEEP (-2)
#define RESUMES (-3)

static int expected[WF_STATUS_COUNT][WF_ACTION_COUNT];

static void build_expected(void)
{
	for (int s = 0; s < WF_STATUS_COUNT; s++)
		for (int a = 0; a < WF_ACTION_COUNT; a++)
			expected[s][a] = ILLEGAL;
	/* new --(team-leader approval)--> ready --send--> searching; a new
	 * referral may be sent directly when approval is not configured. */
	expected[WF_NEW][WF_APPROVE] = WF_READY;
	expected[WF_NEW][WF_SEND] = WF_SEARCHING;
	expected[WF_NEW][WF_PAUSE] = WF_PAUSED;
	expected[WF_NEW][WF_WITHDRAW] = WF_WITHDRAWN;
	expected[WF_NEW][WF_EDIT] = KEEP;
	expected[WF_NEW][WF_ESCALATE] = KEEP;
	/* an escalated urgent referral may go to a spot purchase before it is
	 * sent; the action checks the escalation */
	expected[WF_NEW][WF_SPOT_REQUEST] = WF_SPOT_REQUESTED;

	expected[WF_READY][WF_UNAPPROVE] = WF_NEW; /* what was approved changed */
	expected[WF_READY][WF_SEND] = WF_SEARCHING;
	expected[WF_READY][WF_PAUSE] = WF_PAUSED;
	expected[WF_READY][WF_WITHDRAW] = WF_WITHDRAWN;
	expected[WF_READY][WF_EDIT] = KEEP;
	expected[WF_READY][WF_SPOT_REQUEST] = WF_SPOT_REQUESTED;
	expected[WF_READY][WF_ESCALATE] = KEEP;

	/* searching: a provider accepts (sourced), all decline (exhausted);
	 * answers are recorded; a send tops up the cascade; an escalated
	 * urgent referral may go to a spot request early. */
	expected[WF_SEARCHING][WF_SEND] = KEEP;
	expected[WF_SEARCHING][WF_SOURCE] = WF_SOURCED;
	expected[WF_SEARCHING][WF_EXHAUST] = WF_EXHAUSTED;
	expected[WF_SEARCHING][WF_SPOT_REQUEST] = WF_SPOT_REQUESTED;
	expected[WF_SEARCHING][WF_PAUSE] = WF_PAUSED;
	expected[WF_SEARCHING][WF_WITHDRAW] = WF_WITHDRAWN;
	expected[WF_SEARCHING][WF_RESPOND] = KEEP;
	expected[WF_SEARCHING][WF_EDIT] = KEEP;
	expected[WF_SEARCHING][WF_ESCALATE] = KEEP;

	/* exhausted --officer requests spot purchase--> spot_requested; a
	 * ranking change can bring a candidate back. */
	expected[WF_EXHAUSTED][WF_SPOT_REQUEST] = WF_SPOT_REQUESTED;
	expected[WF_EXHAUSTED][WF_REOPEN] = WF_SEARCHING;
	expected[WF_EXHAUSTED][WF_SEND] = WF_SEARCHING;
	expected[WF_EXHAUSTED][WF_PAUSE] = WF_PAUSED;
	expected[WF_EXHAUSTED][WF_WITHDRAW] = WF_WITHDRAWN;
	expected[WF_EXHAUSTED][WF_EDIT] = KEEP;

	/* spot_requested --approve--> sourced; --reject--> where it was */
	expected[WF_SPOT_REQUESTED][WF_SPOT_APPROVE] = WF_SOURCED;
	expected[WF_SPOT_REQUESTED][WF_SPOT_REJECT] = RESUMES;
	expected[WF_SPOT_REQUESTED][WF_PAUSE] = WF_PAUSED;
	expected[WF_SPOT_REQUESTED][WF_WITHDRAW] = WF_WITHDRAWN;
	expected[WF_SPOT_REQUESTED][WF_EDIT] = KEEP;

	/* sourced --package ends--> ended */
	expected[WF_SOURCED][WF_END] = WF_ENDED;
	expected[WF_SOURCED][WF_EDIT] = KEEP;
	/* sourced --the provider hands the package back--> searching again */
	expected[WF_SOURCED][WF_HAND_BACK] = WF_SEARCHING;

	/* paused --resume--> previous state; withdraw from any open state */
	expected[WF_PAUSED][WF_RESUME] = RESUMES;
	expected[WF_PAUSED][WF_WITHDRAW] = WF_WITHDRAWN;
	expected[WF_PAUSED][WF_EDIT] = KEEP;
	/* ended and withdrawn: final, every action refused */
}

static int setup(void **state)
{
	(void)state;
	build_expected();
	return 0;
}

static void test_every_referral_pair(void **state)
{
	(void)state;
	int legal = 0, illegal = 0;
	for (int s = 0; s < WF_STATUS_COUNT; s++) {
		for (int a = 0; a < WF_ACTION_COUNT; a++) {
			enum wf_status to = WF_STATUS_COUNT;
			const char *why = NULL;
			/* resume_to searching: a plausible paused_from */
			bool ok = wf_referral_move((enum wf_status)s, (enum wf_action)a, WF_SEARCHING, &to, &why);
			int want = expected[s][a];
			if (want == ILLEGAL) {
				if (ok)
					fail_msg("%s on a %s referral should be refused, but it moved to %s",
					         wf_action_name((enum wf_action)a), wf_status_name((enum wf_status)s),
					         wf_status_name(to));
				if (!why || strlen(why) < 10)
					fail_msg("%s on a %s referral is refused without a sentence",
					         wf_action_name((enum wf_action)a), wf_status_name((enum wf_status)s));
				/* "to" is left untouched on refusal */
				assert_int_equal(to, WF_STATUS_COUNT);
				illegal++;
				continue;
			}
			if (!ok)
				fail_msg("%s on a %s referral should be legal, refused: %s",
				         wf_action_name((enum wf_action)a), wf_status_name((enum wf_status)s),
				         why ? why : "(no reason)");
			int target = want == KEEP ? s : want == RESUMES ? WF_SEARCHING : want;
			if ((int)to != target)
				fail_msg("%s on a %s referral went to %s, expected %s",
				         wf_action_name((enum wf_action)a), wf_status_name((enum wf_status)s),
				         wf_status_name(to), wf_status_name((enum wf_status)target));
			legal++;
		}
	}
	assert_int_equal(legal + illegal, WF_STATUS_COUNT * WF_ACTION_COUNT);
	assert_int_equal(legal, 40); /* two: spot request from new and ready, once escalated; one: ready back to new;
	                              * one: a sourced package handed back */
}

/* The words for particular refusals. */
static const char *refusal(enum wf_status s, enum wf_action a)
{
	enum wf_status to = WF_STATUS_COUNT;
	const char *why = NULL;
	assert_false(wf_referral_move(s, a, WF_SEARCHING, &to, &why));
	assert_non_null(why);
	return why;
}

static void test_specific_messages(void **state)
{
	(void)state;
	tu_assert_contains(refusal(WF_NEW, WF_RESPOND), "send the referral first");
	tu_assert_contains(refusal(WF_READY, WF_RESPOND), "send the referral first");
	tu_assert_contains(refusal(WF_SOURCED, WF_WITHDRAW), "end the package");
	tu_assert_contains(refusal(WF_SOURCED, WF_PAUSE), "end the package");
	tu_assert_contains(refusal(WF_SOURCED, WF_SEND), "already sourced");
	tu_assert_contains(refusal(WF_PAUSED, WF_SEND), "resume it first");
	tu_assert_contains(refusal(WF_PAUSED, WF_RESPOND), "resume it first");
	tu_assert_contains(refusal(WF_PAUSED, WF_PAUSE), "already paused");
	tu_assert_contains(refusal(WF_ENDED, WF_EDIT), "ended");
	tu_assert_contains(refusal(WF_WITHDRAWN, WF_SEND), "withdrawn");
	tu_assert_contains(refusal(WF_SEARCHING, WF_RESUME), "not paused");
	tu_assert_contains(refusal(WF_SEARCHING, WF_END), "sourced");
	tu_assert_contains(refusal(WF_SEARCHING, WF_SPOT_APPROVE), "no spot request");
	tu_assert_contains(refusal(WF_SPOT_REQUESTED, WF_SPOT_REQUEST), "already been requested");
	tu_assert_contains(refusal(WF_SPOT_REQUESTED, WF_SEND), "supervisor");
	tu_assert_contains(refusal(WF_EXHAUSTED, WF_ESCALATE), "already exhausted");
	tu_assert_contains(refusal(WF_READY, WF_APPROVE), "only a new referral");
	tu_assert_contains(refusal(WF_EXHAUSTED, WF_RESPOND), "no open offer");
}

static void test_resume_returns_to_paused_from(void **state)
{
	(void)state;
	const enum wf_status back[] = { WF_NEW, WF_READY, WF_SEARCHING, WF_EXHAUSTED, WF_SPOT_REQUESTED };
	for (size_t i = 0; i < sizeof back / sizeof back[0]; i++) {
		enum wf_status to = WF_STATUS_COUNT;
		const char *why = NULL;
		assert_true(wf_referral_move(WF_PAUSED, WF_RESUME, back[i], &to, &why));
		assert_int_equal(to, back[i]);
	}
	/* Nothing sensible to resume to: refused, with words. */
	const enum wf_status bad[] = { WF_PAUSED, WF_ENDED, WF_WITHDRAWN, WF_SOURCED };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		enum wf_status to = WF_STATUS_COUNT;
		const char *why = NULL;
		assert_false(wf_referral_move(WF_PAUSED, WF_RESUME, bad[i], &to, &why));
		assert_non_null(why);
		assert_true(strlen(why) > 10);
		assert_int_equal(to, WF_STATUS_COUNT);
	}
}

/* BUG (reported): core/bk_move passes WF_STATUS_COUNT as resume_to when a
 * paused referral's paused_from is empty or unknown, meaning "nowhere to
 * go"; wf_referral_move accepts it (wf_status_open(WF_STATUS_COUNT) is
 * true) and moves the referral to status WF_STATUS_COUNT, named "?". */
static void test_resume_refuses_unknown_paused_from(void **state)
{
	(void)state;
	enum wf_status to = WF_NEW;
	const char *why = NULL;
	bool ok = wf_referral_move(WF_PAUSED, WF_RESUME, WF_STATUS_COUNT, &to, &why);
	if (ok)
		fail_msg("resume with an unknown paused_from was accepted and moved to status %d (\"%s\")", (int)to,
		         wf_status_name(to));
	assert_non_null(why);
	assert_int_equal(to, WF_NEW);
}

/* Issue 14: a rejected spot request returns the referral to where it was
 * (an escalated referral never offered is not left exhausted with every
 * provider unasked); from an unknown state it is exhausted. */
static void test_spot_reject_returns(void **state)
{
	(void)state;
	const enum wf_status back[] = { WF_NEW, WF_READY, WF_SEARCHING, WF_EXHAUSTED };
	for (size_t i = 0; i < sizeof back / sizeof back[0]; i++) {
		enum wf_status to = WF_STATUS_COUNT;
		const char *why = NULL;
		assert_true(wf_referral_move(WF_SPOT_REQUESTED, WF_SPOT_REJECT, back[i], &to, &why));
		assert_int_equal(to, back[i]);
	}
	enum wf_status to = WF_STATUS_COUNT;
	const char *why = NULL;
	assert_true(wf_referral_move(WF_SPOT_REQUESTED, WF_SPOT_REJECT, WF_STATUS_COUNT, &to, &why));
	assert_int_equal(to, WF_EXHAUSTED);
	assert_true(wf_referral_move(WF_SPOT_REQUESTED, WF_SPOT_REJECT, WF_SOURCED, &to, &why));
	assert_int_equal(to, WF_EXHAUSTED);
}

static void test_out_of_range(void **state)
{
	(void)state;
	enum wf_status to = WF_NEW;
	const char *why = NULL;
	assert_false(wf_referral_move(WF_STATUS_COUNT, WF_SEND, WF_NEW, &to, &why));
	assert_non_null(why);
	why = NULL;
	assert_false(wf_referral_move(WF_NEW, WF_ACTION_COUNT, WF_NEW, &to, &why));
	assert_non_null(why);
	enum wf_offer_status oto = WF_OFFER_SENT;
	why = NULL;
	assert_false(wf_offer_move(WF_OFFER_STATUS_COUNT, WF_OFFER_ACCEPT, &oto, &why));
	assert_non_null(why);
	why = NULL;
	assert_false(wf_offer_move(WF_OFFER_SENT, WF_OFFER_ACTION_COUNT, &oto, &why));
	assert_non_null(why);
}

static void test_names_round_trip(void **state)
{
	(void)state;
	const char *const names[WF_STATUS_COUNT] = {
		[WF_NEW] = "new",
		[WF_READY] = "ready",
		[WF_SEARCHING] = "searching",
		[WF_SOURCED] = "sourced",
		[WF_ENDED] = "ended",
		[WF_EXHAUSTED] = "exhausted",
		[WF_SPOT_REQUESTED] = "spot_requested",
		[WF_PAUSED] = "paused",
		[WF_WITHDRAWN] = "withdrawn",
	};
	for (int s = 0; s < WF_STATUS_COUNT; s++) {
		assert_string_equal(wf_status_name((enum wf_status)s), names[s]);
		enum wf_status back = WF_STATUS_COUNT;
		assert_true(wf_status_parse(names[s], &back));
		assert_int_equal(back, s);
	}
	enum wf_status x;
	assert_false(wf_status_parse("Searching", &x));
	assert_false(wf_status_parse("", &x));
	assert_string_equal(wf_status_name(WF_STATUS_COUNT), "?");

	const char *const onames[WF_OFFER_STATUS_COUNT] = {
		[WF_OFFER_SENT] = "sent",
		[WF_OFFER_ACCEPTED] = "accepted",
		[WF_OFFER_DECLINED] = "declined",
		[WF_OFFER_EXPIRED] = "expired",
		[WF_OFFER_INFO_REQUESTED] = "info_requested",
		[WF_OFFER_WITHDRAWN] = "withdrawn",
	};
	for (int s = 0; s < WF_OFFER_STATUS_COUNT; s++) {
		assert_string_equal(wf_offer_status_name((enum wf_offer_status)s), onames[s]);
		enum wf_offer_status back = WF_OFFER_STATUS_COUNT;
		assert_true(wf_offer_status_parse(onames[s], &back));
		assert_int_equal(back, s);
	}
	enum wf_offer_status y;
	assert_false(wf_offer_status_parse("open", &y));
}

static void test_open_and_waiting(void **state)
{
	(void)state;
	for (int s = 0; s < WF_STATUS_COUNT; s++) {
		bool open = s != WF_ENDED && s != WF_WITHDRAWN;
		bool waiting = open && s != WF_SOURCED;
		assert_int_equal(wf_status_open((enum wf_status)s), open);
		assert_int_equal(wf_status_waiting((enum wf_status)s), waiting);
	}
	for (int s = 0; s < WF_OFFER_STATUS_COUNT; s++)
		assert_int_equal(wf_offer_open((enum wf_offer_status)s),
		                 s == WF_OFFER_SENT || s == WF_OFFER_INFO_REQUESTED);
}

/* ---- offers ---- */

static void test_every_offer_pair(void **state)
{
	(void)state;
	int exp[WF_OFFER_STATUS_COUNT][WF_OFFER_ACTION_COUNT];
	for (int s = 0; s < WF_OFFER_STATUS_COUNT; s++)
		for (int a = 0; a < WF_OFFER_ACTION_COUNT; a++)
			exp[s][a] = ILLEGAL;
	exp[WF_OFFER_SENT][WF_OFFER_ACCEPT] = WF_OFFER_ACCEPTED;
	exp[WF_OFFER_SENT][WF_OFFER_DECLINE] = WF_OFFER_DECLINED;
	exp[WF_OFFER_SENT][WF_OFFER_ASK_INFO] = WF_OFFER_INFO_REQUESTED;
	exp[WF_OFFER_SENT][WF_OFFER_EXPIRE] = WF_OFFER_EXPIRED;
	exp[WF_OFFER_SENT][WF_OFFER_WITHDRAW] = WF_OFFER_WITHDRAWN;
	/* the clock is stopped: it cannot expire; supplying restarts it */
	exp[WF_OFFER_INFO_REQUESTED][WF_OFFER_INFO_SUPPLIED] = WF_OFFER_SENT;
	exp[WF_OFFER_INFO_REQUESTED][WF_OFFER_ACCEPT] = WF_OFFER_ACCEPTED;
	exp[WF_OFFER_INFO_REQUESTED][WF_OFFER_DECLINE] = WF_OFFER_DECLINED;
	exp[WF_OFFER_INFO_REQUESTED][WF_OFFER_WITHDRAW] = WF_OFFER_WITHDRAWN;
	/* accepted is final except that a higher rank can overtake it */
	exp[WF_OFFER_ACCEPTED][WF_OFFER_WITHDRAW] = WF_OFFER_WITHDRAWN;
	/* expired, but the answer had reached the council by the deadline */
	exp[WF_OFFER_EXPIRED][WF_OFFER_ACCEPT_IN_TIME] = WF_OFFER_ACCEPTED;
	exp[WF_OFFER_EXPIRED][WF_OFFER_DECLINE_IN_TIME] = WF_OFFER_DECLINED;
	int legal = 0;
	for (int s = 0; s < WF_OFFER_STATUS_COUNT; s++) {
		for (int a = 0; a < WF_OFFER_ACTION_COUNT; a++) {
			enum wf_offer_status to = WF_OFFER_STATUS_COUNT;
			const char *why = NULL;
			bool ok = wf_offer_move((enum wf_offer_status)s, (enum wf_offer_action)a, &to, &why);
			if (exp[s][a] == ILLEGAL) {
				if (ok)
					fail_msg("offer action %d on a %s offer should be refused, it moved to %s", a,
					         wf_offer_status_name((enum wf_offer_status)s),
					         wf_offer_status_name(to));
				if (!why || strlen(why) < 10)
					fail_msg("offer action %d on a %s offer refused without a sentence", a,
					         wf_offer_status_name((enum wf_offer_status)s));
				assert_int_equal(to, WF_OFFER_STATUS_COUNT);
				continue;
			}
			if (!ok)
				fail_msg("offer action %d on a %s offer should be legal: %s", a,
				         wf_offer_status_name((enum wf_offer_status)s), why ? why : "");
			assert_int_equal(to, exp[s][a]);
			legal++;
		}
	}
	assert_int_equal(legal, 12);
}

static const char *offer_refusal(enum wf_offer_status s, enum wf_offer_action a)
{
	enum wf_offer_status to;
	const char *why = NULL;
	assert_false(wf_offer_move(s, a, &to, &why));
	assert_non_null(why);
	return why;
}

static void test_offer_messages(void **state)
{
	(void)state;
	tu_assert_contains(offer_refusal(WF_OFFER_INFO_REQUESTED, WF_OFFER_EXPIRE), "clock is stopped");
	tu_assert_contains(offer_refusal(WF_OFFER_INFO_REQUESTED, WF_OFFER_ASK_INFO), "supplied");
	tu_assert_contains(offer_refusal(WF_OFFER_SENT, WF_OFFER_INFO_SUPPLIED), "not asked for information");
	tu_assert_contains(offer_refusal(WF_OFFER_ACCEPTED, WF_OFFER_DECLINE), "already accepted");
	tu_assert_contains(offer_refusal(WF_OFFER_DECLINED, WF_OFFER_ACCEPT), "already declined");
	tu_assert_contains(offer_refusal(WF_OFFER_EXPIRED, WF_OFFER_ACCEPT), "expired");
	tu_assert_contains(offer_refusal(WF_OFFER_WITHDRAWN, WF_OFFER_ACCEPT), "withdrawn");
	tu_assert_contains(offer_refusal(WF_OFFER_SENT, WF_OFFER_DECLINE_IN_TIME), "not expired");
	/* final states stay final whatever the answer (an expired offer takes
	 * only an answer recorded late that came in time) */
	const enum wf_offer_status finals[] = { WF_OFFER_DECLINED, WF_OFFER_EXPIRED, WF_OFFER_WITHDRAWN };
	for (size_t i = 0; i < sizeof finals / sizeof finals[0]; i++)
		for (int a = 0; a < WF_OFFER_ACTION_COUNT; a++)
			if (finals[i] != WF_OFFER_EXPIRED ||
			    (a != WF_OFFER_ACCEPT_IN_TIME && a != WF_OFFER_DECLINE_IN_TIME))
				(void)offer_refusal(finals[i], (enum wf_offer_action)a);
}

/* ---- the RAG rule and the time left (moved from tests/test_keymap.c:
 * they are core's now) ---- */

static struct bk_settings settings;
static struct cal_rules cal;

static int setup_cal(void **state)
{
	(void)state;
	return tu_cal_london(&settings, &cal);
}

static void test_rag(void **state)
{
	(void)state;
	int64_t now = tu_at("2026-11-20T09:00"); /* a Friday */
	assert_int_equal(wf_rag(&cal, 0, now), RAG_NONE);
	assert_int_equal(wf_rag(&cal, tu_at("2026-11-19T17:00"), now), RAG_RED);
	assert_int_equal(wf_rag(&cal, tu_at("2026-11-20T08:59"), now), RAG_RED);
	assert_int_equal(wf_rag(&cal, tu_at("2026-11-20T17:00"), now), RAG_AMBER); /* today */
	assert_int_equal(wf_rag(&cal, tu_at("2026-11-23T17:00"), now),
	                 RAG_AMBER); /* next working day, over the weekend */
	assert_int_equal(wf_rag(&cal, tu_at("2026-11-24T17:00"), now), RAG_GREEN);
	assert_int_equal(wf_rag(&cal, tu_at("2026-11-25T17:00"), now), RAG_GREEN); /* the worked example */
	/* on a Saturday, Monday is the next working day */
	assert_int_equal(wf_rag(&cal, tu_at("2026-11-23T17:00"), tu_at("2026-11-21T11:00")), RAG_AMBER);
	assert_int_equal(wf_rag(&cal, tu_at("2026-11-24T17:00"), tu_at("2026-11-21T11:00")), RAG_GREEN);
	/* over Christmas: Thu 24 Dec, the next working day is Tue 29 Dec */
	assert_int_equal(wf_rag(&cal, tu_at("2026-12-29T17:00"), tu_at("2026-12-24T10:00")), RAG_AMBER);
	assert_int_equal(wf_rag(&cal, tu_at("2026-12-30T17:00"), tu_at("2026-12-24T10:00")), RAG_GREEN);
}

static void test_time_left(void **state)
{
	(void)state;
	char b[32];
	int64_t now = tu_at("2026-11-20T09:00");
	wf_time_left(&cal, tu_at("2026-11-25T17:00"), now, b, sizeof b);
	assert_string_equal(b, "3wd 8h");
	wf_time_left(&cal, tu_at("2026-11-20T17:00"), now, b, sizeof b);
	assert_string_equal(b, "8h");
	wf_time_left(&cal, tu_at("2026-11-20T17:00"), tu_at("2026-11-20T16:30"), b, sizeof b);
	assert_string_equal(b, "30m");
	wf_time_left(&cal, tu_at("2026-11-20T08:00"), now, b, sizeof b);
	assert_string_equal(b, "late 1h");
	wf_time_left(&cal, tu_at("2026-11-19T17:00"), now, b, sizeof b);
	assert_string_equal(b, "late 1wd");
	wf_time_left(&cal, tu_at("2026-11-17T17:00"), now, b, sizeof b);
	assert_string_equal(b, "late 3wd");
	wf_time_left(&cal, 0, now, b, sizeof b);
	assert_string_equal(b, "-");
	/* the same in words, for a page */
	char w[64];
	wf_time_left_words(&cal, tu_at("2026-11-25T17:00"), now, w, sizeof w);
	assert_string_equal(w, "3 working days 8 hours left");
	wf_time_left_words(&cal, tu_at("2026-11-23T09:00"), tu_at("2026-11-20T16:30"), w, sizeof w);
	assert_string_equal(w, "1 working day left");
	wf_time_left_words(&cal, tu_at("2026-11-20T17:00"), tu_at("2026-11-20T16:30"), w, sizeof w);
	assert_string_equal(w, "30 minutes left");
	wf_time_left_words(&cal, tu_at("2026-11-20T08:00"), now, w, sizeof w);
	assert_string_equal(w, "late by 1 hour");
	wf_time_left_words(&cal, tu_at("2026-11-17T17:00"), now, w, sizeof w);
	assert_string_equal(w, "late by 3 working days");
	wf_time_left_words(&cal, 0, now, w, sizeof w);
	assert_string_equal(w, "-");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_referral_pair),
		cmocka_unit_test(test_specific_messages),
		cmocka_unit_test(test_resume_returns_to_paused_from),
		cmocka_unit_test(test_resume_refuses_unknown_paused_from),
		cmocka_unit_test(test_spot_reject_returns),
		cmocka_unit_test(test_out_of_range),
		cmocka_unit_test(test_names_round_trip),
		cmocka_unit_test(test_open_and_waiting),
		cmocka_unit_test(test_every_offer_pair),
		cmocka_unit_test(test_offer_messages),
		cmocka_unit_test_setup(test_rag, setup_cal),
		cmocka_unit_test_setup(test_time_left, setup_cal),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
