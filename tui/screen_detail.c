/* Referral detail: the facts, the candidates in rank order with every
 * reason, the offer timeline, spot requests and the audit trail; and the
 * referral keys (send, answer, information, pause, withdraw), which also
 * work on the list. Every action passes the version the screen showed, so
 * a change by someone else is refused rather than overwritten. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/report.h"
#include "core/describe.h"
#include "tui/app.h"
#include "tui/draw.h"
#include "tui/keymap.h"
#include "tui/pager.h"

struct detail {
	struct textview tv; /* first: the pager's ops read it */
	int64_t id;
	struct bk_referral_view *v;
	int built_width;
	struct textview audit; /* one line per event, unwrapped */
};

/* ---- building the page ---- */

/* An instant (0: none), or a day, in buf; "-" when there is none. */
static const char *fmt_local(int64_t t, char *buf, size_t len)
{
	if (t)
		cal_format_local(t, buf, len);
	else
		snprintf(buf, len, "-");
	return buf;
}

static const char *fmt_day(int32_t d, char *buf, size_t len)
{
	if (d != STORE_NO_DATE)
		cal_format_day(d, buf, len);
	else
		snprintf(buf, len, "-");
	return buf;
}

struct audit_state {
	struct textview *tv;
	const struct bk_referral_view *v;
	bool ascii;
};

/* Names the referral's view knows, for the history's sentences. */
static const char *view_provider(void *ud, int64_t id)
{
	const struct bk_referral_view *v = ud;
	for (int i = 0; i < v->n_candidates; i++)
		if (v->candidates[i].provider_id == id)
			return v->candidates[i].provider;
	for (int i = 0; i < v->n_offers; i++)
		if (v->offers[i].offer.provider_id == id)
			return v->offers[i].provider;
	for (int i = 0; i < v->n_spots; i++)
		if (v->spots[i].spot.provider_id == id)
			return v->spots[i].provider;
	return NULL;
}

static const char *view_offer_provider(void *ud, int64_t offer_id)
{
	const struct bk_referral_view *v = ud;
	for (int i = 0; i < v->n_offers; i++)
		if (v->offers[i].offer.id == offer_id)
			return v->offers[i].provider;
	return NULL;
}

static int audit_cb(void *ud, const struct store_event *e)
{
	struct audit_state *a = ud;
	char when[48];
	cal_format_local(e->at, when, sizeof when);
	char change[1200] = "(details erased under the retention rules)";
	struct bk_event_names names = { view_provider, view_offer_provider, NULL, (void *)a->v, a->ascii };
	if (!e->payload_erased)
		bk_event_sentence_named(&names, e->action, e->entity, e->before, e->after, change, sizeof change);
	tv_add(a->tv, LOOK_NORMAL, "  %s  %s %s", when, e->actor, change);
	return 0;
}

static void load_audit(struct tui *t, struct detail *d)
{
	tv_clear(&d->audit);
	struct store_event_filter f = { .referral_id = d->id, .newest_first = true, .limit = 200 };
	struct audit_state a = { &d->audit, d->v, t->ascii };
	if (bk_audit_each(t->ctx, &f, audit_cb, &a) != BK_OK)
		tv_add(&d->audit, LOOK_ERROR, "the audit trail could not be read: %s", t->ctx->msg);
}

static void section(struct textview *tv, const char *title)
{
	tv_add(tv, LOOK_NORMAL, "%s", "");
	tv_add(tv, LOOK_TITLE, "%s", title);
}

/* A message about this referral (an offer, a reminder, a notice) and
 * where it stands, as core says it: "not delivered: why" in amber. */
struct mail_lines {
	struct textview *tv;
	int width, n;
};

static int mail_line(void *ud, const struct bk_mail_view *m)
{
	struct mail_lines *ml = ud;
	if (ml->n == 0)
		section(ml->tv, "Mail to providers (R on the Chase tab sends a stopped message again)");
	tv_addf(ml->tv, m->undelivered ? LOOK_AMBER : LOOK_NORMAL, ml->width, 6, "  %s to %s: %s",
	        bk_mail_kind_name(m->m.kind), m->provider, m->state);
	ml->n++;
	return 0;
}

static void build(struct tui *t, struct detail *d, int width)
{
	struct textview *tv = &d->tv;
	tv_clear(tv);
	d->built_width = width;
	const struct bk_referral_view *v = d->v; /* there while the screen is: open fails without it */
	const struct store_referral *r = &v->r;
	const struct bk_lot *lot = bk_settings_lot(t->ctx->settings, r->lot);
	char hours[16], a[48], b[48], line[2400];
	hours_format(r->hours_minutes, hours, sizeof hours);

	tv_add(tv, LOOK_TITLE, "Referral %lld   case %s   %s%s", (long long)r->id, r->case_ref,
	       bk_referral_status_words(r->status), r->urgent ? "   URGENT" : "");
	tv_addf(tv, LOOK_NORMAL, width, 4, "  Lot %d %s, %s, %s hours a week", r->lot,
	        lot ? lot->name : "(not configured)", r->district, hours);
	char age[16] = "not given";
	if (r->age >= 0)
		snprintf(age, sizeof age, "%d", r->age);
	tv_addf(tv, LOOK_NORMAL, width, 4, "  Panel approved %s; wanted start %s; age %s",
	        fmt_day(r->panel_date, a, sizeof a), fmt_day(r->start_date, b, sizeof b), age);
	tv_addf(tv, LOOK_NORMAL, width, 4, "  Held by %s; waited %d day%s (%d working day%s); version %lld",
	        v->holder[0] ? v->holder : "nobody", v->waited_days, v->waited_days == 1 ? "" : "s",
	        v->waited_working_days, v->waited_working_days == 1 ? "" : "s", (long long)r->version);
	if (v->next_deadline && v->clock_stopped) {
		tv_addf(tv, LOOK_AMBER, width, 4,
		        "  Now with %s (rank %d of %d): waiting for the information it asked for; its "
		        "clock is stopped (i records it as supplied)",
		        v->current_provider, v->current_rank, v->ranked);
	} else if (v->next_deadline) {
		char left[96];
		wf_time_left_words(&t->ctx->cal, v->next_deadline, t->ctx->now, left, sizeof left);
		enum rag rag = wf_rag(&t->ctx->cal, v->next_deadline, t->ctx->now);
		tv_addf(tv, draw_rag_look(rag), width, 4, "  %s Now with %s (rank %d of %d): answer due %s, %s",
		        rag_marker(rag), v->current_provider, v->current_rank, v->ranked,
		        fmt_local(v->next_deadline, a, sizeof a), left);
	}
	if (r->sourced_at)
		tv_addf(tv, LOOK_OK, width, 4, "  Sourced %s with %s (%s), %s a week",
		        fmt_local(r->sourced_at, a, sizeof a), v->sourced_provider, r->route,
		        money_text(r->weekly_cost));
	if (r->status == WF_PAUSED)
		tv_addf(tv, LOOK_AMBER, width, 4, "  Paused (was %s): %s", bk_referral_status_words(r->paused_from),
		        r->close_reason);
	else if (r->close_reason[0])
		tv_addf(tv, LOOK_NORMAL, width, 4, "  Reason recorded: %s", r->close_reason);
	if (r->note[0])
		tv_addf(tv, LOOK_NORMAL, width, 8, "  Note: %.2300s", r->note);

	snprintf(line, sizeof line, "Candidates for lot %d in %s, in rank order", r->lot, r->district);
	section(tv, line);
	if (v->n_candidates == 0) {
		tv_add(tv, LOOK_NORMAL, "  No provider is ranked for lot %d in %s.", r->lot, r->district);
	} else {
		/* the names and offers as wide as the widest shown (the names at most
		 * 22 or 30): the reasons take the rest of the line */
		int pw = 8, ow = 5;
		for (int i = 0; i < v->n_candidates; i++) {
			const struct bk_candidate_view *cv = &v->candidates[i];
			if (text_width(cv->provider) > pw)
				pw = text_width(cv->provider);
			if (cv->offered && text_width(bk_offer_status_words(cv->offer_status)) > ow)
				ow = text_width(bk_offer_status_words(cv->offer_status));
		}
		if (pw > (width >= 96 ? 30 : 22))
			pw = width >= 96 ? 30 : 22;
		tv_add(tv, LOOK_HEAD, "  %4s  %-*s %-9s %-*s %s", "RANK", pw, "PROVIDER", "ELIGIBLE", ow, "OFFER",
		       "REASONS");
		for (int i = 0; i < v->n_candidates; i++) {
			const struct bk_candidate_view *cv = &v->candidates[i];
			char name[128];
			text_fit(cv->provider, pw, false, name, sizeof name);
			const char *offer = cv->offered ? bk_offer_status_words(cv->offer_status) : "-";
			snprintf(line, sizeof line, "  %4d  %s %-9s %-*s %s", cv->rank, name,
			         cv->eligible ? (cv->warning ? "yes (!)" : "yes") : "no", ow, offer, cv->reasons_text);
			enum tui_look look = !cv->eligible ? LOOK_DIM : cv->warning ? LOOK_AMBER : LOOK_NORMAL;
			tv_add_wrapped(tv, look, width, 2 + 4 + 2 + pw + 1 + 10 + ow + 1, line);
		}
	}

	section(tv, "Offers, in the order sent");
	if (v->n_offers == 0)
		tv_add(tv, LOOK_NORMAL, "%s", "  None yet: s sends the referral to the first eligible provider.");
	for (int i = 0; i < v->n_offers; i++) {
		const struct store_offer *o = &v->offers[i].offer;
		bool open = wf_offer_open(o->status);
		enum rag rag = open ? wf_rag(&t->ctx->cal, o->deadline_at, t->ctx->now) : RAG_NONE;
		tv_addf(tv, open ? draw_rag_look(rag) : LOOK_TITLE, width, 6, "  %s (rank %d): %s%s",
		        v->offers[i].provider, o->rank, bk_offer_status_words(o->status),
		        o->confirmed ? ", confirmed" : "");
		char sent[48], dl[48], recv[48], left[96] = "";
		if (open)
			wf_time_left_words(&t->ctx->cal, o->deadline_at, t->ctx->now, left, sizeof left);
		tv_addf(tv, LOOK_NORMAL, width, 8, "      sent %s; received %s; deadline %s%s%s%s%s",
		        fmt_local(o->sent_at, sent, sizeof sent), fmt_day(o->received_on, recv, sizeof recv),
		        fmt_local(o->deadline_at, dl, sizeof dl), open ? " (" : "", left, open ? ") " : "",
		        open ? rag_marker(rag) : "");
		if (o->info_requested_at)
			tv_addf(tv, LOOK_NORMAL, width, 8, "      information asked %s%s%s%s%s",
			        fmt_local(o->info_requested_at, a, sizeof a),
			        o->status == WF_OFFER_INFO_REQUESTED && o->reason[0] ? ": " : "",
			        o->status == WF_OFFER_INFO_REQUESTED ? o->reason : "",
			        o->info_supplied_at ? "; supplied " : "; clock stopped until it is supplied",
			        o->info_supplied_at ? fmt_local(o->info_supplied_at, b, sizeof b) : "");
		if (o->answered_at || (!open && o->reason[0])) {
			char start[64] = "";
			if (o->start_date != STORE_NO_DATE)
				snprintf(start, sizeof start, ", start %s", fmt_day(o->start_date, b, sizeof b));
			/* how the answer came and its decline code (issue 17) */
			char how[200] = "";
			const struct bk_decline_code *dc =
				o->decline_code[0] ? bk_settings_decline_code(t->ctx->settings, o->decline_code) : NULL;
			if (o->via[0] || o->decline_code[0])
				snprintf(how, sizeof how, " (%s%s%s%s)", o->via[0] ? "by " : "", o->via,
				         o->via[0] && o->decline_code[0] ? "; " : "", dc ? dc->label : o->decline_code);
			const char *words = o->handed_back_at ? "" : o->reason;
			tv_addf(tv, LOOK_NORMAL, width, 8, "      %s%s%s%s%s%s%s",
			        o->status == WF_OFFER_WITHDRAWN ? "withdrawn"
			        : o->status == WF_OFFER_EXPIRED ? "expired"
			                                        : "answered",
			        o->answered_at ? " " : "", o->answered_at ? fmt_local(o->answered_at, a, sizeof a) : "",
			        start, how, words[0] ? ": " : "", words);
		}
		if (o->handed_back_at)
			tv_addf(tv, LOOK_NORMAL, width, 8, "      handed the package back %s%s%s",
			        fmt_day(o->handed_back_on, b, sizeof b), o->reason[0] ? ": " : "", o->reason);
	}

	struct mail_lines ml = { .tv = tv, .width = width };
	if (bk_mail_of_referral(t->ctx, r->id, mail_line, &ml) != BK_OK)
		tv_add(tv, LOOK_ERROR, "  The referral's mail could not be read: %s", t->ctx->msg);

	if (v->n_spots) {
		section(tv, "Spot purchase requests");
		for (int i = 0; i < v->n_spots; i++) {
			const struct bk_spot_view *sv = &v->spots[i];
			tv_addf(tv, LOOK_NORMAL, width, 6,
			        "  %lld %s: %s at %s an hour, %s a week, %s a year; asked by %s%s%s",
			        (long long)sv->spot.id, wf_spot_status_name(sv->spot.status), sv->provider,
			        money_text(sv->spot.rate), money_text(sv->spot.weekly_cost),
			        money_text(sv->spot.annual_cost), sv->requested_by,
			        sv->decided_by[0] ? ", decided by " : "", sv->decided_by);
		}
	}

	section(tv, "Audit trail of this referral (newest first, at most 200)");
	for (int i = 0; i < d->audit.n; i++)
		tv_add_wrapped(tv, LOOK_NORMAL, width, 8, d->audit.v[i].text);
	if (d->audit.n == 0)
		tv_add(tv, LOOK_NORMAL, "%s", "  No events.");
}

static bool load(struct tui *t, struct detail *d)
{
	struct bk_referral_view *v = NULL;
	enum bk_status st = bk_referral_load(t->ctx, d->id, true, &v);
	if (st != BK_OK) {
		tui_result(t, st);
		return false;
	}
	bk_referral_view_destroy(d->v);
	d->v = v;
	load_audit(t, d);
	d->built_width = 0;
	return true;
}

static void detail_close(struct screen *s)
{
	struct detail *d = s->st;
	if (!d)
		return;
	bk_referral_view_destroy(d->v);
	tv_clear(&d->audit);
	pager_close(s); /* the page, and d */
}

static bool detail_open(struct tui *t, struct screen *s, void *arg)
{
	const struct detail_arg *a = arg;
	struct detail *d = calloc(1, sizeof *d);
	if (!d)
		return false;
	s->st = d;
	d->id = a->referral_id;
	if (!load(t, d)) {
		detail_close(s);
		return false;
	}
	/* Opening a case is on the record, once per opening (not per refresh). */
	enum bk_status st = bk_record_read(t->ctx, d->id);
	if (st != BK_OK) {
		tui_result(t, st);
		detail_close(s);
	}
	return st == BK_OK;
}

static void detail_reload(struct tui *t, struct screen *s)
{
	load(t, s->st);
}

static void detail_draw(struct tui *t, struct screen *s, int y, int h)
{
	struct detail *d = s->st;
	if (d->built_width != COLS - 2)
		build(t, d, COLS - 2);
	pager_draw(s, &d->tv, y, h);
}

static void detail_context(struct tui *t, const struct screen *s, char *buf, size_t len)
{
	(void)t;
	const struct detail *d = s->st;
	snprintf(buf, len, "Referral %lld, case %s: %s", (long long)d->id, d->v->r.case_ref,
	         bk_referral_status_words(d->v->r.status));
}

static bool detail_referral(const struct screen *s, struct referral_ref *out)
{
	const struct detail *d = s->st;
	out->id = d->id;
	out->version = d->v->r.version;
	return true;
}

const struct screen_ops screen_detail_ops = {
	.id = SCR_DETAIL,
	.open = detail_open,
	.close = detail_close,
	.reload = detail_reload,
	.draw = detail_draw,
	.rows = pager_rows,
	.matches = pager_matches_op,
	.context = detail_context,
	.referral = detail_referral,
};

/* ---- the referral keys ---- */

/* What the action's preview says it does next, as lines for its confirmation. */
static int plan_lines(const struct bk_plan *p, char (*out)[400], int max)
{
	int n = 0;
	char when[48] = "?";
	if (p->deadline)
		cal_format_local(p->deadline, when, sizeof when);
	for (int i = 0; i < p->approached && i < BK_PLAN_MAX && n < max; i++)
		snprintf(out[n++], 400, "Next: %.200s (rank %d of %d) is approached now and must answer by %s.",
		         p->provider[i], p->rank[i], p->ranked, when);
	if (p->sourced && n < max)
		snprintf(out[n++], 400, "%.200s's acceptance is then confirmed: the referral is sourced.",
		         p->sourced_with);
	if (p->approached == 0 && !p->sourced && n < max) {
		if (p->exhausted)
			snprintf(out[n++], 400,
			         "No eligible framework provider is left: the referral becomes exhausted, "
			         "and x can then request a spot purchase.");
		else
			snprintf(out[n++], 400,
			         "Nobody new is approached: the offers already open wait for their answers.");
	}
	return n;
}

/* The confirmation of a referral key, once core's preview of the action
 * (st, plan) allows it: head, then what happens next (the line next, what
 * the plan says, or nothing when neither is given); true when the user says
 * yes, else no is said (when not NULL). */
static bool confirm_plan(struct tui *t, enum bk_status st, const struct bk_plan *plan, const char *title,
                         const char *head, const char *next, const char *no)
{
	if (st != BK_OK) {
		tui_result(t, st); /* nothing to confirm: the core says why not, in its words */
		return false;
	}
	char said[8][400];
	const char *lines[10] = { head, "", next };
	int n = next ? 3 : 1; /* the head, and next after a blank line */
	if (plan && !next) {
		int k = plan_lines(plan, said, 8);
		for (int i = 0; i < k; i++)
			lines[2 + i] = said[i];
		n = 2 + k;
	}
	if (tui_confirm(t, title, lines, n))
		return true;
	if (no)
		tui_message(t, false, "%s", no);
	return false;
}

void referral_key(struct tui *t, struct screen *s, referral_key_fn fn)
{
	struct referral_ref ref;
	if (!screen_referral(s, &ref)) {
		tui_message(t, true, "No referral selected");
		return;
	}
	struct bk_referral_view *v = NULL;
	enum bk_status st = bk_referral_load(t->ctx, ref.id, true, &v);
	if (st != BK_OK) {
		tui_result(t, st);
		return;
	}
	fn(t, ref, v);
	bk_referral_view_destroy(v);
}

/* One of the open offers (info_only: those waiting for information), the
 * user asked whose (title) only when there is a choice; NULL when there is
 * none (none is said) or the user cancels. */
static const struct bk_offer_view *pick_offer(struct tui *t, const struct bk_referral_view *v, bool info_only,
                                              const char *title, const char *none)
{
	const struct bk_offer_view *offers[64];
	const char *names[64];
	int n = 0;
	for (int i = 0; i < v->n_offers && n < 64; i++) {
		enum wf_offer_status st = v->offers[i].offer.status;
		if (info_only ? st == WF_OFFER_INFO_REQUESTED : wf_offer_open(st)) {
			offers[n] = &v->offers[i];
			names[n++] = v->offers[i].provider;
		}
	}
	if (n == 0) {
		tui_message(t, true, "%s", none);
		return NULL;
	}
	int p = 0; /* the only one, or the one chosen */
	if (n > 1)
		p = tui_choose(t, title, names, n, 0);
	return p < 0 ? NULL : offers[p];
}

static void key_send(struct tui *t, struct referral_ref ref, const struct bk_referral_view *v)
{
	struct bk_plan plan = { 0 };
	enum bk_status st = bk_preview_send(t->ctx, ref.id, ref.version, &plan);
	char head[400];
	snprintf(head, sizeof head, "Send referral %lld (case %s, lot %d, %s, %s)?", (long long)ref.id, v->r.case_ref,
	         v->r.lot, v->r.district, bk_referral_status_words(v->r.status));
	if (confirm_plan(t, st, &plan, "Send the referral", head, NULL, "Not sent"))
		tui_done(t, bk_referral_send(t->ctx, ref.id, ref.version));
}
ACTION_FN(act_send, referral_key(t, s, key_send));

/* The decline codes of the council's policy, as a pick list; NULL when none was chosen. */
static const struct bk_decline_code *choose_decline_code(struct tui *t)
{
	const struct bk_settings *set = t->ctx->settings;
	char code_text[BK_MAX_DECLINE_CODES][160];
	const char *codes[BK_MAX_DECLINE_CODES];
	for (int i = 0; i < set->n_decline_codes; i++) {
		const struct bk_decline_code *dc = &set->decline_codes[i];
		if (strcasecmp(dc->keyword, dc->label) == 0)
			snprintf(code_text[i], sizeof code_text[i], "%s", dc->keyword);
		else
			snprintf(code_text[i], sizeof code_text[i], "%s: %s", dc->keyword, dc->label);
		codes[i] = code_text[i];
	}
	int c = tui_choose(t, "Why did the provider decline?", codes, set->n_decline_codes, 0);
	return c < 0 ? NULL : &set->decline_codes[c];
}

/* The answer the officer types: its text and the head of its
 * confirmation; false when cancelled. */
static bool ask_answer(struct tui *t, struct referral_ref ref, const struct bk_referral_view *v, int k,
                       const char *title, struct bk_response *a, char *text, size_t len, char *head, size_t hlen)
{
	const char *who = a->provider;
	if (k == 0) {
		if (v->r.start_date != STORE_NO_DATE)
			cal_format_date(v->r.start_date, text, len);
		if (!tui_prompt(t, title, "Start date the provider gave (YYYY-MM-DD; empty if not given):", "start",
		                false, text, len))
			return false;
		a->answer = BK_ANSWER_ACCEPT;
		snprintf(head, hlen, "Record that %s accepted referral %lld (case %s)%s%s", who, (long long)ref.id,
		         v->r.case_ref, text[0] ? ", starting " : "", text);
		return true;
	}
	if (k == 1) {
		const struct bk_decline_code *dc = choose_decline_code(t);
		if (!dc)
			return false;
		a->code = dc->keyword;
		bool other = strcmp(a->code, "other") == 0;
		if (!tui_prompt(t, title,
		                other ? "The provider's reason for declining:"
		                      : "The provider's words (optional; empty if none):",
		                "reason", other, text, len))
			return false;
		a->answer = BK_ANSWER_DECLINE;
		snprintf(head, hlen, "Record that %s declined referral %lld (case %s): %s%s%.400s%s", who,
		         (long long)ref.id, v->r.case_ref, dc->label, text[0] ? ", \"" : "", text, text[0] ? "\"" : "");
		return true;
	}
	if (!tui_prompt(t, title, "What the provider asked (its clock stops until you record the answer with i):",
	                "question", true, text, len))
		return false;
	a->answer = BK_ANSWER_INFO;
	snprintf(head, hlen, "Record that %s asked about referral %lld (case %s): \"%.400s\"", who, (long long)ref.id,
	         v->r.case_ref, text);
	return true;
}

static void key_respond(struct tui *t, struct referral_ref ref, const struct bk_referral_view *v)
{
	char none[200];
	snprintf(none, sizeof none, "Referral %lld has no open offer to answer (it is %s)", (long long)ref.id,
	         bk_referral_status_words(v->r.status));
	const struct bk_offer_view *o = pick_offer(t, v, false, "Whose answer is it?", none);
	if (!o)
		return;
	const char *provider = o->provider;
	char title[600];
	snprintf(title, sizeof title, "%s answered", provider);
	const char *answers[] = { "accepted (with a start date)", "declined (with its code and the reason)",
		                  "asked for more information" };
	int k = tui_choose(t, title, answers, 3, 0);
	if (k < 0)
		return;
	/* when and how the answer came: its time counts for the deadline, not
	 * when it is typed in (core refuses one before the offer or to come) */
	char at_text[64] = "", text[600] = "", head[1400], when[64] = "", next[400] = "";
	int how = -1, n_vias = 0;
	while (bk_answer_vias[n_vias])
		n_vias++;
	if (tui_prompt(t, title, "When did the answer reach the council? (YYYY-MM-DDTHH:MM; empty: just now)", "at",
	               false, at_text, sizeof at_text))
		how = tui_choose(t, "How did the answer come?", bk_answer_vias, n_vias, 0);
	struct bk_response a = { .provider = provider, .via = how >= 0 ? bk_answer_vias[how] : NULL };
	if (how < 0 || !ask_answer(t, ref, v, k, title, &a, text, sizeof text, head, sizeof head)) {
		tui_message(t, false, "Nothing recorded");
		return;
	}
	if (at_text[0]) {
		cal_parse_time(at_text, &a.at, NULL, 0);
		cal_format_local(a.at, when, sizeof when);
	}
	a.text = text[0] ? text : NULL;
	struct bk_plan plan = { 0 };
	enum bk_status st = bk_preview_answer(t->ctx, ref.id, ref.version, &a, &plan);
	size_t hl = strlen(head);
	snprintf(head + hl, sizeof head - hl, ", %s by %s?", when[0] ? when : "received just now", a.via);
	if (a.answer == BK_ANSWER_INFO)
		snprintf(next, sizeof next, "Its clock stops until you record that it has the information (i).");
	else if (a.answer == BK_ANSWER_ACCEPT && plan.sourced)
		snprintf(next, sizeof next, "The referral is then sourced with %.200s%s.", plan.sourced_with,
		         plan.withdrawn ? " and the other open offers are withdrawn" : "");
	else if (a.answer == BK_ANSWER_ACCEPT)
		snprintf(
			next, sizeof next,
			"It is confirmed once every higher-ranked provider approached has declined or let its deadline "
			"pass.");
	static const char *const confirm_titles[] = { "Record an acceptance", "Record a decline",
		                                      "Record a request for information" };
	if (confirm_plan(t, st, &plan, confirm_titles[k], head, next[0] ? next : NULL, "Nothing recorded"))
		tui_done(t, bk_referral_answer(t->ctx, ref.id, ref.version, &a));
}
ACTION_FN(act_respond, referral_key(t, s, key_respond));

static void key_info(struct tui *t, struct referral_ref ref, const struct bk_referral_view *v)
{
	char none[120], when[48] = "?", head[800];
	snprintf(none, sizeof none, "No provider is waiting for information on referral %lld", (long long)ref.id);
	const struct bk_offer_view *ov = pick_offer(t, v, true, "Who was given the information?", none);
	if (!ov)
		return;
	struct bk_plan plan = { 0 }; /* core's preview says where the deadline moves */
	enum bk_status st = bk_preview_info_supplied(t->ctx, ref.id, ref.version, ov->provider, &plan);
	if (plan.deadline)
		cal_format_local(plan.deadline, when, sizeof when);
	snprintf(head, sizeof head,
	         "Record that %s now has the information it asked for? Its clock restarts: its deadline moves to %s.",
	         ov->provider, when);
	if (confirm_plan(t, st, NULL, "Information supplied", head, NULL, NULL))
		tui_done(t, bk_referral_info_supplied(t->ctx, ref.id, ref.version, ov->provider));
}
ACTION_FN(act_info, referral_key(t, s, key_info));

/* Pause (pause true) or withdraw: the reason, the core's preview of the
 * offers it withdraws, the confirmation, then the action. */
static void end_with_reason(struct tui *t, struct referral_ref ref, const struct bk_referral_view *v, bool pause)
{
	char head[800], offers[600] = "", what[800], reason[600] = "";
	if (pause && v->r.status == WF_PAUSED) {
		snprintf(head, sizeof head,
		         "Resume referral %lld (case %s)? It goes back to %s; the search starts again "
		         "from the top of the ranking.",
		         (long long)ref.id, v->r.case_ref, bk_referral_status_words(v->r.paused_from));
		if (confirm_plan(t, BK_OK, NULL, "Resume", head, NULL, NULL))
			tui_done(t, bk_referral_resume(t->ctx, ref.id, ref.version));
		return;
	}
	const char *ask =
		pause ? "Why pause it (e.g. the family asked to wait)?" : "Why is the referral no longer needed?";
	if (!tui_prompt(t, pause ? "Pause" : "Withdraw", ask, "reason", true, reason, sizeof reason))
		return;
	struct bk_plan plan = { 0 };
	enum bk_status st = pause ? bk_preview_pause(t->ctx, ref.id, ref.version, reason, &plan)
	                          : bk_preview_withdraw(t->ctx, ref.id, ref.version, reason, &plan);
	int n = plan.withdrawn < BK_PLAN_MAX ? plan.withdrawn : BK_PLAN_MAX;
	size_t off = 0;
	for (int i = 0; i < n; i++)
		str_appendf(offers, sizeof offers, &off, "%s%s", i ? (i + 1 == n ? " and " : ", ") : "",
		            plan.withdrawn_from[i]);
	snprintf(head, sizeof head, "%s referral %lld (case %s): \"%.400s\"?", pause ? "Pause" : "Withdraw",
	         (long long)ref.id, v->r.case_ref, reason);
	const char *after = pause ? "p resumes it later." : "It leaves every queue for good.";
	if (n)
		snprintf(what, sizeof what, "%sThe open offer%s to %s %s withdrawn%s",
		         pause ? "" : "It leaves every queue for good. ", n == 1 ? "" : "s", offers,
		         n == 1 ? "is" : "are", pause ? "; p resumes it later." : ".");
	else
		snprintf(what, sizeof what, "%s%s", pause ? "No offer is open; " : "", after);
	if (confirm_plan(t, st, &plan, pause ? "Pause" : "Withdraw the referral", head, what,
	                 pause ? "Not paused" : "Not withdrawn"))
		tui_done(t, pause ? bk_referral_pause(t->ctx, ref.id, ref.version, reason)
		                  : bk_referral_withdraw(t->ctx, ref.id, ref.version, reason));
}

static void key_pause(struct tui *t, struct referral_ref ref, const struct bk_referral_view *v)
{
	end_with_reason(t, ref, v, true);
}
ACTION_FN(act_pause, referral_key(t, s, key_pause));

static void key_withdraw(struct tui *t, struct referral_ref ref, const struct bk_referral_view *v)
{
	end_with_reason(t, ref, v, false);
}
ACTION_FN(act_withdraw, referral_key(t, s, key_withdraw));

static void key_hand_back(struct tui *t, struct referral_ref ref, const struct bk_referral_view *v)
{
	if (v->r.status != WF_SOURCED) {
		tui_message(t, true, "Referral %lld is not sourced (it is %s): there is no package to hand back",
		            (long long)ref.id, bk_referral_status_words(v->r.status));
		return;
	}
	char reason[600] = "", title[600], head[800];
	snprintf(title, sizeof title, "%.500s hands the package back", v->sourced_provider);
	if (!tui_prompt(t, title, "Why does the provider hand it back?", "reason", true, reason, sizeof reason))
		return;
	struct bk_plan plan = { 0 };
	enum bk_status st = bk_preview_hand_back(t->ctx, ref.id, ref.version, reason, NULL, &plan);
	snprintf(head, sizeof head, "Record that %.300s handed back referral %lld (case %s) today: \"%.300s\"?",
	         v->sourced_provider, (long long)ref.id, v->r.case_ref, reason);
	if (confirm_plan(t, st, &plan, "Hand back", head, NULL, "Nothing recorded"))
		tui_done(t, bk_referral_hand_back(t->ctx, ref.id, ref.version, reason, NULL));
}
ACTION_FN(act_hand_back, referral_key(t, s, key_hand_back));
