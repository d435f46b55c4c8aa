#include "core/workflow.h"

#include <stdio.h>
#include <string.h>

#include "core/calendar.h"

#define NAME(e, text) [e] = text,
static const char *const status_names[WF_STATUS_COUNT] = { WF_STATUS_LIST(NAME) };

static const char *const action_names[WF_ACTION_COUNT] = {
	[WF_APPROVE] = "approve",
	[WF_SEND] = "send",
	[WF_SOURCE] = "source",
	[WF_EXHAUST] = "exhaust",
	[WF_REOPEN] = "reopen",
	[WF_SPOT_REQUEST] = "spot request",
	[WF_SPOT_APPROVE] = "spot approve",
	[WF_SPOT_REJECT] = "spot reject",
	[WF_PAUSE] = "pause",
	[WF_RESUME] = "resume",
	[WF_WITHDRAW] = "withdraw",
	[WF_END] = "end",
	[WF_ESCALATE] = "escalate",
	[WF_RESPOND] = "respond",
	[WF_EDIT] = "edit",
	[WF_UNAPPROVE] = "approve again",
	[WF_HAND_BACK] = "hand back",
};

static const char *const offer_names[WF_OFFER_STATUS_COUNT] = { WF_OFFER_STATUS_LIST(NAME) };
static const char *const spot_names[WF_SPOT_STATUS_COUNT] = { WF_SPOT_STATUS_LIST(NAME) };
#undef NAME

const char *wf_status_name(enum wf_status s)
{
	return (unsigned)s < WF_STATUS_COUNT ? status_names[s] : "?";
}

bool wf_status_parse(const char *name, enum wf_status *out)
{
	for (int i = 0; i < WF_STATUS_COUNT; i++)
		if (strcmp(name, status_names[i]) == 0) {
			*out = (enum wf_status)i;
			return true;
		}
	return false;
}

bool wf_status_open(enum wf_status s)
{
	return s != WF_ENDED && s != WF_WITHDRAWN;
}

bool wf_status_waiting(enum wf_status s)
{
	return s != WF_SOURCED && s != WF_ENDED && s != WF_WITHDRAWN;
}

const char *wf_action_name(enum wf_action a)
{
	return (unsigned)a < WF_ACTION_COUNT ? action_names[a] : "?";
}

const char *wf_offer_status_name(enum wf_offer_status s)
{
	return (unsigned)s < WF_OFFER_STATUS_COUNT ? offer_names[s] : "?";
}

bool wf_offer_status_parse(const char *name, enum wf_offer_status *out)
{
	for (int i = 0; i < WF_OFFER_STATUS_COUNT; i++)
		if (strcmp(name, offer_names[i]) == 0) {
			*out = (enum wf_offer_status)i;
			return true;
		}
	return false;
}

const char *wf_spot_status_name(enum wf_spot_status s)
{
	return (unsigned)s < WF_SPOT_STATUS_COUNT ? spot_names[s] : "?";
}

bool wf_offer_open(enum wf_offer_status s)
{
	return s == WF_OFFER_SENT || s == WF_OFFER_INFO_REQUESTED;
}

/* One row per status: where each action leads (0 = illegal; targets are
 * stored +1 so that 0 can mean "no move"). SAME keeps the status. */
#define TO(s) ((s) + 1)
#define SAME (-1)

static const int moves[WF_STATUS_COUNT][WF_ACTION_COUNT] = {
	/* spot request from new, ready or searching: only once a team leader has
	 * escalated an urgent referral (checked by the action) */
	[WF_NEW] = {
		[WF_APPROVE] = TO(WF_READY), [WF_SEND] = TO(WF_SEARCHING), [WF_PAUSE] = TO(WF_PAUSED),
		[WF_WITHDRAW] = TO(WF_WITHDRAWN), [WF_EDIT] = SAME, [WF_ESCALATE] = SAME,
		[WF_SPOT_REQUEST] = TO(WF_SPOT_REQUESTED),
	},
	[WF_READY] = {
		[WF_UNAPPROVE] = TO(WF_NEW),
		[WF_SEND] = TO(WF_SEARCHING), [WF_PAUSE] = TO(WF_PAUSED), [WF_WITHDRAW] = TO(WF_WITHDRAWN),
		[WF_EDIT] = SAME, [WF_ESCALATE] = SAME, [WF_SPOT_REQUEST] = TO(WF_SPOT_REQUESTED),
	},
	[WF_SEARCHING] = {
		[WF_SEND] = SAME, [WF_SOURCE] = TO(WF_SOURCED), [WF_EXHAUST] = TO(WF_EXHAUSTED),
		[WF_PAUSE] = TO(WF_PAUSED), [WF_WITHDRAW] = TO(WF_WITHDRAWN), [WF_RESPOND] = SAME,
		[WF_EDIT] = SAME, [WF_ESCALATE] = SAME, [WF_SPOT_REQUEST] = TO(WF_SPOT_REQUESTED),
	},
	[WF_EXHAUSTED] = {
		[WF_SPOT_REQUEST] = TO(WF_SPOT_REQUESTED), [WF_REOPEN] = TO(WF_SEARCHING), [WF_SEND] = TO(WF_SEARCHING),
		[WF_PAUSE] = TO(WF_PAUSED), [WF_WITHDRAW] = TO(WF_WITHDRAWN), [WF_EDIT] = SAME,
	},
	[WF_SPOT_REQUESTED] = {
		/* a rejected request returns the referral to where it was */
		[WF_SPOT_APPROVE] = TO(WF_SOURCED), [WF_SPOT_REJECT] = SAME,
		[WF_PAUSE] = TO(WF_PAUSED), [WF_WITHDRAW] = TO(WF_WITHDRAWN), [WF_EDIT] = SAME,
	},
	[WF_SOURCED] = {
		[WF_END] = TO(WF_ENDED), [WF_EDIT] = SAME, [WF_HAND_BACK] = TO(WF_SEARCHING),
	},
	[WF_PAUSED] = {
		[WF_RESUME] = SAME, /* resolved to the status it was paused from */
		[WF_WITHDRAW] = TO(WF_WITHDRAWN), [WF_EDIT] = SAME,
	},
	[WF_ENDED] = { 0 },
	[WF_WITHDRAWN] = { 0 },
};

/* Why an action is refused in a status, in the user's words. */
static const char *refusal(enum wf_status from, enum wf_action a)
{
	switch (from) {
	case WF_ENDED:
		return "the package has ended: nothing more can be done with this referral";
	case WF_WITHDRAWN:
		return "the referral was withdrawn: nothing more can be done with it";
	case WF_PAUSED:
		if (a == WF_PAUSE)
			return "the referral is already paused";
		return "the referral is paused: resume it first";
	case WF_SOURCED:
		if (a == WF_WITHDRAW)
			return "the referral is sourced: end the package instead of withdrawing it";
		if (a == WF_PAUSE)
			return "a sourced referral cannot be paused: end the package if care stops";
		return "the referral is already sourced";
	default:
		break;
	}
	switch (a) {
	case WF_APPROVE:
		return "only a new referral waits for approval; this one is past that step";
	case WF_SEND:
		if (from == WF_SPOT_REQUESTED)
			return "a spot purchase has been requested: wait for the supervisor's decision";
		return "the referral cannot be sent in its present state";
	case WF_SOURCE:
		return "only a referral being searched can be sourced from the framework";
	case WF_EXHAUST:
		return "only a referral being searched can run out of providers";
	case WF_REOPEN:
		return "only an exhausted referral can be searched again";
	case WF_SPOT_REQUEST:
		if (from == WF_SPOT_REQUESTED)
			return "a spot purchase has already been requested and waits for a decision";
		return "a spot purchase can be requested only when the framework is exhausted (or a team leader "
		       "escalated an urgent referral)";
	case WF_SPOT_APPROVE:
	case WF_SPOT_REJECT:
		return "there is no spot request waiting for a decision on this referral";
	case WF_PAUSE:
		return "the referral cannot be paused in its present state";
	case WF_RESUME:
		return "the referral is not paused";
	case WF_WITHDRAW:
		return "the referral cannot be withdrawn in its present state";
	case WF_END:
		return "only a sourced package can end";
	case WF_ESCALATE:
		if (from == WF_EXHAUSTED)
			return "the framework is already exhausted: a spot purchase can be requested now, without "
			       "escalation";
		return "only a referral still waiting to be sourced can be escalated";
	case WF_RESPOND:
		if (from == WF_NEW || from == WF_READY)
			return "no provider has been approached yet: send the referral first";
		if (from == WF_EXHAUSTED)
			return "every framework provider has answered; there is no open offer";
		return "there is no open offer on this referral";
	case WF_UNAPPROVE:
		return "only a referral approved and not yet sent goes back for approval";
	case WF_HAND_BACK:
		return "only a sourced package can be handed back";
	case WF_EDIT:
	case WF_ACTION_COUNT:
		break;
	}
	return "that cannot be done to this referral now";
}

bool wf_referral_move(enum wf_status from, enum wf_action a, enum wf_status resume_to, enum wf_status *to,
                      const char **why)
{
	if ((unsigned)from >= WF_STATUS_COUNT || (unsigned)a >= WF_ACTION_COUNT) {
		*why = "unknown status or action";
		return false;
	}
	int m = moves[from][a];
	if (m == 0) {
		*why = refusal(from, a);
		return false;
	}
	if (a == WF_RESUME) {
		if ((unsigned)resume_to >= WF_STATUS_COUNT || !wf_status_open(resume_to) || resume_to == WF_PAUSED ||
		    resume_to == WF_SOURCED) {
			*why = "the referral has no state to resume to";
			return false;
		}
		*to = resume_to;
		return true;
	}
	if (a == WF_SPOT_REJECT) {
		bool back = resume_to == WF_NEW || resume_to == WF_READY || resume_to == WF_SEARCHING;
		*to = back ? resume_to : WF_EXHAUSTED;
		return true;
	}
	*to = m == SAME ? from : (enum wf_status)(m - 1);
	return true;
}

static const int offer_moves[WF_OFFER_STATUS_COUNT][WF_OFFER_ACTION_COUNT] = {
	[WF_OFFER_SENT] = {
		[WF_OFFER_ACCEPT] = TO(WF_OFFER_ACCEPTED), [WF_OFFER_DECLINE] = TO(WF_OFFER_DECLINED),
		[WF_OFFER_ASK_INFO] = TO(WF_OFFER_INFO_REQUESTED), [WF_OFFER_EXPIRE] = TO(WF_OFFER_EXPIRED),
		[WF_OFFER_WITHDRAW] = TO(WF_OFFER_WITHDRAWN),
	},
	[WF_OFFER_INFO_REQUESTED] = {
		[WF_OFFER_INFO_SUPPLIED] = TO(WF_OFFER_SENT), [WF_OFFER_ACCEPT] = TO(WF_OFFER_ACCEPTED),
		[WF_OFFER_DECLINE] = TO(WF_OFFER_DECLINED), [WF_OFFER_WITHDRAW] = TO(WF_OFFER_WITHDRAWN),
	},
	[WF_OFFER_ACCEPTED] = {
		/* an acceptance waiting on higher ranks (parallel) can be overtaken */
		[WF_OFFER_WITHDRAW] = TO(WF_OFFER_WITHDRAWN),
	},
	[WF_OFFER_EXPIRED] = {
		/* the answer came by the deadline; it was typed in after the sweep */
		[WF_OFFER_ACCEPT_IN_TIME] = TO(WF_OFFER_ACCEPTED), [WF_OFFER_DECLINE_IN_TIME] = TO(WF_OFFER_DECLINED),
	},
};

static const char *offer_refusal(enum wf_offer_status from, enum wf_offer_action a)
{
	switch (from) {
	case WF_OFFER_ACCEPTED:
		return "the provider has already accepted this offer";
	case WF_OFFER_DECLINED:
		return "the provider has already declined this offer";
	case WF_OFFER_EXPIRED:
		return "this offer expired: its deadline passed without an answer";
	case WF_OFFER_SENT:
	case WF_OFFER_INFO_REQUESTED:
		if (a == WF_OFFER_ACCEPT_IN_TIME || a == WF_OFFER_DECLINE_IN_TIME)
			return "the offer has not expired: record the answer as usual";
		if (from == WF_OFFER_SENT && a == WF_OFFER_INFO_SUPPLIED)
			return "the provider has not asked for information on this offer";
		if (from == WF_OFFER_INFO_REQUESTED && a == WF_OFFER_ASK_INFO)
			return "the provider is already waiting for information: record it as supplied first";
		if (from == WF_OFFER_INFO_REQUESTED && a == WF_OFFER_EXPIRE)
			return "the offer's clock is stopped while information is awaited";
		break;
	case WF_OFFER_WITHDRAWN:
		return "this offer was withdrawn";
	case WF_OFFER_STATUS_COUNT:
		break;
	}
	return "that answer cannot be recorded on this offer now";
}

bool wf_offer_move(enum wf_offer_status from, enum wf_offer_action a, enum wf_offer_status *to, const char **why)
{
	if ((unsigned)from >= WF_OFFER_STATUS_COUNT || (unsigned)a >= WF_OFFER_ACTION_COUNT) {
		*why = "unknown offer status or answer";
		return false;
	}
	int m = offer_moves[from][a];
	if (m == 0) {
		*why = offer_refusal(from, a);
		return false;
	}
	*to = (enum wf_offer_status)(m - 1);
	return true;
}

bool wf_breached(bool waiting, bool expired_unanswered, int64_t earliest_running, int64_t at)
{
	return waiting && (expired_unanswered || wf_overdue(earliest_running, at));
}

bool wf_overdue(int64_t earliest_running, int64_t at)
{
	return earliest_running != 0 && earliest_running < at;
}

/* ---- how close a deadline is: the one RAG every screen shows ---- */

enum rag wf_rag(const struct cal_rules *cal, int64_t deadline, int64_t now)
{
	if (deadline == 0)
		return RAG_NONE;
	if (deadline < now)
		return RAG_RED;
	int32_t today, day;
	cal_local(now, &today, NULL);
	cal_local(deadline, &day, NULL);
	return day <= cal_working_day_after(cal, today) ? RAG_AMBER : RAG_GREEN;
}

enum { WD, HOURS, MINUTES };

/* An amount of time left, after what buf holds: "2wd", or in words "2 working days". */
static void amount(char *buf, size_t len, bool words, int n, int unit)
{
	static const char *const shortly[] = { "wd", "h", "m" }, *const wordy[] = { "working day", "hour", "minute" };
	size_t off = strlen(buf);
	const char *sep = off && buf[off - 1] != ' ' ? " " : "";
	if (off >= len)
		return;
	if (words)
		snprintf(buf + off, len - off, "%s%d %s%s", sep, n, wordy[unit], n == 1 ? "" : "s");
	else
		snprintf(buf + off, len - off, "%s%d%s", sep, n, shortly[unit]);
}

static void time_left(const struct cal_rules *cal, int64_t deadline, int64_t now, bool words, char *buf, size_t len)
{
	snprintf(buf, len, "%s", deadline == 0 ? "-" : deadline < now ? (words ? "late by " : "late ") : "");
	if (deadline == 0)
		return;
	int32_t today, day;
	cal_local(now, &today, NULL);
	cal_local(deadline, &day, NULL);
	if (deadline < now) {
		int wd = cal_working_days_between(cal, day, today);
		if (wd > 0)
			amount(buf, len, words, wd, WD);
		else
			amount(buf, len, words, (int)((now - deadline) / 3600), HOURS);
		return;
	}
	if (day == today) {
		int64_t s = deadline - now;
		amount(buf, len, words, (int)(s < 3600 ? s / 60 : s / 3600), s < 3600 ? MINUTES : HOURS);
	} else {
		int hours = 0;
		if (cal_is_working_day(cal, today)) {
			int64_t close = cal_close_of(cal, today);
			if (close > now)
				hours = (int)((close - now) / 3600);
		}
		amount(buf, len, words, cal_working_days_between(cal, today, day), WD);
		if (hours > 0)
			amount(buf, len, words, hours, HOURS);
	}
	size_t off = strlen(buf);
	if (words && off < len)
		snprintf(buf + off, len - off, " left");
}

void wf_time_left(const struct cal_rules *cal, int64_t deadline, int64_t now, char *buf, size_t len)
{
	time_left(cal, deadline, now, false, buf, len);
}

void wf_time_left_words(const struct cal_rules *cal, int64_t deadline, int64_t now, char *buf, size_t len)
{
	time_left(cal, deadline, now, true, buf, len);
}
