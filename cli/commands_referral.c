/* The commands on referrals and spot purchases: new, edit, the actions, show, list, waiting,
 * sweep and the spot requests. */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <syslog.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "conf/conf.h"
#include "core/brokerage.h"
#include "core/report.h"
#include "core/text.h"
#include "cli/cli.h"
#include "cli/commands.h"

static json_t *spot_json(const struct bk_spot_view *v)
{
	const struct store_spot *s = &v->spot;
	char hours[16];
	hours_format(s->hours_minutes, hours, sizeof hours);
	json_t *j =
		json_pack("{sI sI ss ss ss so ss si so sb so so so}", "id", (json_int_t)s->id, "referral",
	                  (json_int_t)s->referral_id, "provider", v->provider, "status", wf_spot_status_name(s->status),
	                  "requested_by", v->requested_by, "decided_by", cli_jtext(v->decided_by), "hours", hours,
	                  "weeks", s->weeks, "justification", cli_jtext(s->justification), "needs_key_decision",
	                  v->needs_key_decision, "note", cli_jtext(s->note), "key_decision", cli_jtext(s->key_decision),
	                  "requested_at", jtime(s->requested_at));
	json_object_set_new(j, "decided_at", jtime(s->decided_at));
	set_money(j, "rate", s->rate);
	set_money(j, "weekly_cost", s->weekly_cost);
	set_money(j, "annual_cost", s->annual_cost);
	set_money(j, "premium_weekly", v->premium_weekly);
	set_money(j, "framework_rate", s->framework_rate);
	return j;
}

static const struct list_col spot_cols[] = {
	{ "id", "ID", BK_COL_INT },
	{ "referral", "REFERRAL", BK_COL_INT },
	{ "status", "STATUS", BK_COL_TEXT },
	{ "provider", "PROVIDER", BK_COL_TEXT },
	{ "rate", "RATE/H", BK_COL_MONEY },
	{ "weekly_cost", "WEEKLY", BK_COL_MONEY },
	{ "annual_cost", "ANNUAL", BK_COL_MONEY },
	{ "premium_weekly", "PREMIUM/WK", BK_COL_MONEY },
	{ "requested_by", "REQUESTED BY", BK_COL_TEXT },
	{ "decided_by", "DECIDED BY", BK_COL_TEXT },
	{ "key_decision", "KEY DECISION", BK_COL_TEXT },
};

static int spot_row(void *ud, const struct bk_spot_view *v)
{
	struct list_out *o = ud;
	const struct store_spot *s = &v->spot;
	if (o->arr) {
		json_array_append_new(o->arr, spot_json(v));
		return 0;
	}
	table_row(o->t, s->id, s->referral_id, wf_spot_status_name(s->status), v->provider, s->rate, s->weekly_cost,
	          s->annual_cost, v->premium_weekly, v->requested_by, v->decided_by[0] ? v->decided_by : "-",
	          v->needs_key_decision ? "KEY DECISION" : "");
	return o->t->failed;
}

/* ---- referrals ---- */

/* A new referral or spot request made, in words: its id on standard output
 * (for scripts), what was done on standard error. False with --json or
 * when nothing was made. */
static bool new_id_said(struct cli *c, enum bk_status st, int64_t id)
{
	if (st != BK_OK || c->json)
		return false;
	printf("%" PRId64 "\n", id);
	out_text(c, stderr, c->ctx.msg);
	fputc('\n', stderr);
	return true;
}

static bool referral_input(struct cli *c, struct bk_referral_input *in, bool all)
{
	memset(in, 0, sizeof *in);
	in->age = -1;
	in->case_ref = cli_opt(c, "case");
	const char *lot = cli_opt(c, "lot");
	int64_t v;
	if (lot) {
		if (!parse_int(lot, 1, 99, &v)) {
			cli_usage(c, "--lot takes a lot number");
			return false;
		}
		in->lot = (int)v;
	} else if (all) {
		cli_usage(c, "give the lot with --lot");
		return false;
	}
	in->district = cli_opt(c, "district");
	in->hours = cli_opt(c, "hours");
	if (all && (!in->case_ref || !in->district || !in->hours)) {
		cli_usage(c, !in->case_ref   ? "give the case reference with --case"
		             : !in->district ? "give the district with --district"
		                             : "give the hours per week with --hours");
		return false;
	}
	in->panel_date = cli_opt(c, "panel-date");
	in->start = cli_opt(c, "start");
	const char *age = cli_opt(c, "age");
	if (age) {
		if (!parse_int(age, 0, 120, &v)) {
			snprintf(c->ctx.msg, sizeof c->ctx.msg,
			         "age: the age must be a whole number of years from 0 to 120");
			cli_finish(c, BK_REFUSED, NULL);
			return false;
		}
		in->age = (int)v;
	}
	in->urgent = cli_flag(c, "urgent") ? 1 : cli_flag(c, "not-urgent") ? 0 : all ? 0 : -1;
	in->note = cli_opt(c, "note");
	return true;
}

enum bk_status cmd_referral_new(struct cli *c)
{
	struct bk_referral_input in;
	if (!no_extra(c, 0))
		return BK_USAGE;
	if (!referral_input(c, &in, true))
		return c->ctx.msg[0] && strncmp(c->ctx.msg, "age:", 4) == 0 ? BK_REFUSED : BK_USAGE;
	int64_t id = 0;
	enum bk_status st = bk_referral_new(&c->ctx, &in, &id);
	if (new_id_said(c, st, id))
		return BK_OK;
	return referral_done(c, st, id);
}

enum bk_status cmd_referral_edit(struct cli *c)
{
	int64_t id, ev;
	struct bk_referral_input in;
	if (!pos_id(c, 0, "referral id", &id) || !no_extra(c, 1) || !expect_version(c, &ev))
		return BK_USAGE;
	if (!referral_input(c, &in, false))
		return BK_USAGE;
	return referral_done(c, bk_referral_edit(&c->ctx, id, ev, &in), id);
}

typedef enum bk_status (*simple_action)(struct bk_ctx *, int64_t, int64_t);

static enum bk_status simple(struct cli *c, simple_action fn)
{
	int64_t id, ev;
	if (!pos_id(c, 0, "referral id", &id) || !no_extra(c, 1) || !expect_version(c, &ev))
		return BK_USAGE;
	return referral_done(c, fn(&c->ctx, id, ev), id);
}

typedef enum bk_status (*text_action)(struct bk_ctx *, int64_t, int64_t, const char *);

static enum bk_status with_text(struct cli *c, text_action fn, const char *opt, bool required)
{
	int64_t id, ev;
	if (!pos_id(c, 0, "referral id", &id) || !expect_version(c, &ev))
		return BK_USAGE;
	const char *text = opt ? cli_opt(c, opt) : (c->args.npos > 1 ? c->args.pos[1] : NULL);
	if (!no_extra(c, opt ? 1 : 2))
		return BK_USAGE;
	if (required && !text) {
		char m[96];
		snprintf(m, sizeof m, opt ? "give --%s" : "give the login", opt);
		return cli_usage(c, m);
	}
	return referral_done(c, fn(&c->ctx, id, ev, text), id);
}

enum bk_status cmd_referral_approve(struct cli *c)
{
	return simple(c, bk_referral_approve);
}
enum bk_status cmd_referral_send(struct cli *c)
{
	return simple(c, bk_referral_send);
}
enum bk_status cmd_referral_resume(struct cli *c)
{
	return simple(c, bk_referral_resume);
}
enum bk_status cmd_referral_pause(struct cli *c)
{
	return with_text(c, bk_referral_pause, "reason", true);
}
enum bk_status cmd_referral_withdraw(struct cli *c)
{
	return with_text(c, bk_referral_withdraw, "reason", true);
}
enum bk_status cmd_referral_end(struct cli *c)
{
	return with_text(c, bk_referral_end, "date", false);
}
enum bk_status cmd_referral_hand_back(struct cli *c)
{
	int64_t id, ev;
	if (!pos_id(c, 0, "referral id", &id) || !no_extra(c, 1) || !expect_version(c, &ev))
		return BK_USAGE;
	const char *reason = cli_opt(c, "reason");
	if (!reason)
		return cli_usage(c, "give --reason: why the provider handed the package back");
	return referral_done(c, bk_referral_hand_back(&c->ctx, id, ev, reason, cli_opt(c, "date")), id);
}
enum bk_status cmd_referral_escalate(struct cli *c)
{
	return with_text(c, bk_referral_escalate, "reason", true);
}
enum bk_status cmd_referral_assign(struct cli *c)
{
	return with_text(c, bk_referral_assign, NULL, true);
}
enum bk_status cmd_referral_info_supplied(struct cli *c)
{
	return with_text(c, bk_referral_info_supplied, "provider", true);
}

enum bk_status cmd_referral_respond(struct cli *c)
{
	int64_t id, ev;
	if (!pos_id(c, 0, "referral id", &id) || !expect_version(c, &ev))
		return BK_USAGE;
	if (c->args.npos < 2)
		return cli_usage(c, "say the answer: accept, decline or info");
	if (!no_extra(c, 2))
		return BK_USAGE;
	const char *answer = c->args.pos[1];
	struct bk_response a = { .provider = cli_opt(c, "provider"), .via = cli_opt(c, "via") };
	if (strcmp(answer, "accept") == 0) {
		a.answer = BK_ANSWER_ACCEPT;
		a.text = cli_opt(c, "start");
		if (cli_opt(c, "reason") || cli_opt(c, "question") || cli_opt(c, "code"))
			return cli_usage(c, "an acceptance takes only --start");
	} else if (strcmp(answer, "decline") == 0) {
		a.answer = BK_ANSWER_DECLINE;
		a.text = cli_opt(c, "reason");
		a.code = cli_opt(c, "code");
		if (!a.text && !a.code)
			return cli_usage(c, "a decline needs --code KEYWORD or --reason TEXT (or both)");
		if (cli_opt(c, "start") || cli_opt(c, "question"))
			return cli_usage(c, "a decline takes only --code and --reason");
	} else if (strcmp(answer, "info") == 0) {
		a.answer = BK_ANSWER_INFO;
		a.text = cli_opt(c, "question");
		if (!a.text)
			return cli_usage(c, "a request for information needs --question");
		if (cli_opt(c, "start") || cli_opt(c, "reason") || cli_opt(c, "code"))
			return cli_usage(c, "a request for information takes only --question");
	} else {
		return cli_usage(c, "the answer is accept, decline or info");
	}
	if (!a.provider)
		return cli_usage(c, "name the provider with --provider");
	const char *at = cli_opt(c, "at");
	if (at) {
		char err[256];
		if (!cal_parse_time(at, &a.at, err, sizeof err)) {
			snprintf(c->ctx.msg, sizeof c->ctx.msg, "--at: %s", err);
			return cli_finish(c, BK_USAGE, NULL);
		}
	}
	return referral_done(c, bk_referral_answer(&c->ctx, id, ev, &a), id);
}

/* An offer as JSON: its provider (by name or id), then its fields in order */
static json_t *offer_fields(const char *key, json_t *provider, const struct store_offer *x)
{
	return json_pack("{so si ss sb so so so so so}", key, provider, "rank", x->rank, "status",
	                 wf_offer_status_name(x->status), "confirmed", x->confirmed, "sent_at", jtime(x->sent_at),
	                 "received_on", jdate(x->received_on), "deadline_at", jtime(x->deadline_at), "answered_at",
	                 jtime(x->answered_at), "reason", cli_jtext(x->reason));
}

static json_t *offer_json(const struct bk_offer_view *o)
{
	json_t *j = offer_fields("provider", json_string(o->provider), &o->offer);
	json_object_set_new(j, "start_date", jdate(o->offer.start_date));
	json_object_set_new(j, "info_requested_at", jtime(o->offer.info_requested_at));
	/* schema 6: how the answer came, and a hand-back */
	json_object_set_new(j, "via", cli_jtext(o->offer.via));
	json_object_set_new(j, "decline_code", cli_jtext(o->offer.decline_code));
	json_object_set_new(j, "recorded_at", jtime(o->offer.recorded_at));
	json_object_set_new(j, "handed_back_on", jdate(o->offer.handed_back_on));
	return j;
}

static int offer_row_json(void *ud, const struct store_offer *x)
{
	json_array_append_new(ud, offer_fields("provider_id", json_integer(x->provider_id), x));
	return 0;
}

static json_t *referral_json(struct cli *c, const struct store_referral *r, const char *holder)
{
	char hours[16];
	hours_format(r->hours_minutes, hours, sizeof hours);
	const struct bk_lot *lot = bk_settings_lot(c->ctx.settings, r->lot);
	json_t *o =
		json_pack("{sI ss si so ss ss sI so ss so so so sb so so so so}", "id", (json_int_t)r->id, "case_ref",
	                  r->case_ref, "lot", r->lot, "lot_name", cli_jtext(lot ? lot->name : NULL), "district",
	                  r->district, "status", wf_status_name(r->status), "version", (json_int_t)r->version, "holder",
	                  cli_jtext(holder), "hours", hours, "panel_date", jdate(r->panel_date), "start_date",
	                  jdate(r->start_date), "age", r->age >= 0 ? json_integer(r->age) : json_null(), "urgent",
	                  r->urgent, "note", cli_jtext(r->note), "created_at", jtime(r->created_at), "sourced_at",
	                  jtime(r->sourced_at), "route", cli_jtext(r->route));
	if (r->route[0])
		set_money(o, "weekly_cost", r->weekly_cost);
	else
		json_object_set_new(o, "weekly_cost", json_null());
	/* the day the package ended, or, while it is still sourced, will end */
	json_object_set_new(o, "ended_on", jdate(r->ended_on));
	return o;
}

/* A message of the outbox as JSON (referral show's "mail", mail list). */
json_t *mail_json(const struct bk_mail_view *v)
{
	const struct store_outbox *m = &v->m;
	json_t *o = json_pack("{sI sI sI so ss ss so si so so so so so ss}", "id", (json_int_t)m->id, "offer_id",
	                      (json_int_t)m->offer_id, "referral_id", (json_int_t)m->referral_id, "provider",
	                      cli_jtext(v->provider), "kind", bk_mail_kind_name(m->kind), "status",
	                      bk_mail_status_name(m->status), "to", cli_jtext(m->recipients), "attempts", m->attempts,
	                      "queued_at", jtime(m->queued_at), "sent_at", jtime(m->sent_at), "next_attempt_at",
	                      m->status == STORE_MAIL_QUEUED ? jtime(m->next_attempt_at) : json_null(), "error",
	                      cli_jtext(m->last_error), "message_id", cli_jtext(m->message_id), "state", v->state);
	json_object_set_new(o, "undelivered", json_boolean(v->undelivered));
	return o;
}

static int mail_row_json(void *ud, const struct bk_mail_view *v)
{
	json_array_append_new(ud, mail_json(v));
	return 0;
}

static int mail_count_row(void *ud, const struct bk_mail_view *v)
{
	(void)v;
	(*(int *)ud)++;
	return 0;
}

static int mail_row_text(void *ud, const struct bk_mail_view *v)
{
	struct cli *c = ud;
	out_line(c, "  %-6s to %-28s %s", bk_mail_kind_name(v->m.kind), v->provider, v->state);
	return 0;
}

enum bk_status cmd_referral_show(struct cli *c)
{
	int64_t id;
	if (!pos_id(c, 0, "referral id", &id) || !no_extra(c, 1))
		return BK_USAGE;
	struct bk_referral_view *v = NULL;
	enum bk_status st = bk_referral_load(&c->ctx, id, true, &v);
	if (st != BK_OK)
		return cli_finish(c, st, NULL);
	/* Reading a child's or adult's case is itself on the record. */
	if ((st = bk_record_read(&c->ctx, id)) != BK_OK) {
		bk_referral_view_destroy(v);
		return cli_finish(c, st, NULL);
	}
	if (c->json) {
		json_t *o = referral_json(c, &v->r, v->holder);
		json_t *offers = json_array(), *cands = json_array();
		for (int i = 0; i < v->n_offers; i++)
			json_array_append_new(offers, offer_json(&v->offers[i]));
		for (int i = 0; i < v->n_candidates; i++) {
			json_t *reasons = json_array();
			for (int k = 0; k < v->candidates[i].n_reasons; k++)
				json_array_append_new(reasons, cli_jtext(v->candidates[i].reason[k]));
			json_array_append_new(cands, json_pack("{ss si sb sb so so}", "provider",
			                                       v->candidates[i].provider, "rank", v->candidates[i].rank,
			                                       "eligible", v->candidates[i].eligible, "warning",
			                                       v->candidates[i].warning, "reasons", reasons, "offer",
			                                       v->candidates[i].offered
			                                               ? json_string(wf_offer_status_name(
										 v->candidates[i].offer_status))
			                                               : json_null()));
		}
		json_object_set_new(o, "offers", offers);
		json_object_set_new(o, "candidates", cands);
		json_t *spots = json_array();
		for (int i = 0; i < v->n_spots; i++)
			json_array_append_new(spots, spot_json(&v->spots[i]));
		json_object_set_new(o, "spot_requests", spots);
		json_object_set_new(o, "sourced_provider", cli_jtext(v->sourced_provider));
		json_object_set_new(o, "next_deadline", jtime(v->next_deadline));
		json_object_set_new(o, "waited_days", json_integer(v->waited_days));
		json_object_set_new(o, "waited_working_days", json_integer(v->waited_working_days));
		json_t *mail = json_array();
		bk_mail_of_referral(&c->ctx, id, mail_row_json, mail);
		json_object_set_new(o, "mail", mail);
		cli_print_json(o);
		bk_referral_view_destroy(v);
		return BK_OK;
	}
	const struct store_referral *r = &v->r;
	const struct bk_lot *lot = bk_settings_lot(c->ctx.settings, r->lot);
	char hours[16], d1[32], d2[32], age[16] = "-";
	hours_format(r->hours_minutes, hours, sizeof hours);
	if (r->age >= 0)
		snprintf(age, sizeof age, "%d", r->age);
	out_line(c, "referral %" PRId64 " (version %" PRId64 ")  case %s  %s%s", r->id, r->version, r->case_ref,
	         wf_status_name(r->status), r->urgent ? "  URGENT" : "");
	out_line(c, "  lot %d %s, %s, %s h/week, held by %s", r->lot, lot ? lot->name : "?", r->district, hours,
	         v->holder[0] ? v->holder : "nobody");
	d1[0] = d2[0] = '\0';
	if (r->panel_date != STORE_NO_DATE)
		cal_format_day(r->panel_date, d1, sizeof d1);
	if (r->start_date != STORE_NO_DATE)
		cal_format_day(r->start_date, d2, sizeof d2);
	out_line(c, "  panel %s, wanted start %s, age %s, waited %d days (%d working days)", d1[0] ? d1 : "-",
	         d2[0] ? d2 : "-", age, v->waited_days, v->waited_working_days);
	if (r->note[0])
		out_line(c, "  note: %s", r->note);
	if (r->sourced_at) {
		char w[32];
		money_format(r->weekly_cost, c->ascii, w, sizeof w);
		out_line(c, "  sourced (%s) with %s, %s a week", r->route, v->sourced_provider, w);
	}
	out_line(c, "candidates:");
	if (v->n_candidates == 0)
		out_line(c, "  none: no provider is ranked for lot %d in %s", r->lot, r->district);
	for (int i = 0; i < v->n_candidates; i++) {
		const struct bk_candidate_view *cv = &v->candidates[i];
		out_line(c, "  %3d  %-32s %-11s %s", cv->rank, cv->provider,
		         cv->eligible ? (cv->warning ? "eligible(!)" : "eligible") : "not", cv->reasons_text);
	}
	out_line(c, "offers:");
	if (v->n_offers == 0)
		out_line(c, "  none yet");
	for (int i = 0; i < v->n_offers; i++) {
		const struct store_offer *o = &v->offers[i].offer;
		char sent[48], dl[48], ans[48] = "";
		cal_format_local(o->sent_at, sent, sizeof sent);
		cal_format_local(o->deadline_at, dl, sizeof dl);
		if (o->answered_at)
			cal_format_local(o->answered_at, ans, sizeof ans);
		char how[96] = "";
		if (o->via[0] || o->decline_code[0])
			snprintf(how, sizeof how, " (%s%s%s)", o->via, o->via[0] && o->decline_code[0] ? ", " : "",
			         o->decline_code);
		if (o->handed_back_at) {
			char hb[32];
			cal_format_day(o->handed_back_on, hb, sizeof hb);
			snprintf(how + strlen(how), sizeof how - strlen(how), ", handed back %s", hb);
		}
		out_line(c, "  rank %d %-28s %-14s sent %s, deadline %s%s%s%s%s%s", o->rank, v->offers[i].provider,
		         wf_offer_status_name(o->status), sent, dl, ans[0] ? ", answered " : "", ans, how,
		         o->reason[0] ? ": " : "", o->reason);
	}
	int n_mail = 0;
	bk_mail_of_referral(&c->ctx, id, mail_count_row, &n_mail);
	if (n_mail) {
		out_line(c, "mail:");
		bk_mail_of_referral(&c->ctx, id, mail_row_text, c);
	}
	if (v->n_spots) {
		struct list_out so = { c, NULL, list_table("spots", "spot requests:", spot_cols, 11) };
		for (int i = 0; so.t && i < v->n_spots; i++)
			spot_row(&so, &v->spots[i]);
		if (so.t)
			print_table(c, so.t);
		bk_table_destroy(so.t);
	}
	bk_referral_view_destroy(v);
	return BK_OK;
}

struct ref_out {
	struct list_out out; /* first: the rows go into it */
	int n;
	/* waiting: counts by lot x district and breaches */
	int grid[BK_MAX_LOTS][BK_MAX_DISTRICTS];
	int breached;
};

static void row_add(struct bk_table *t, const struct bk_referral_row *row)
{
	const struct store_referral *r = row->r;
	char waited[32], dl[48] = "-", next[64], step[160] = "-";
	snprintf(waited, sizeof waited, "%dd/%dwd", row->waited_days, row->waited_working_days);
	if (row->clock_stopped)
		snprintf(dl, sizeof dl, "clock stopped (information asked)");
	else if (row->next_deadline)
		cal_format_local(row->next_deadline, dl, sizeof dl);
	snprintf(next, sizeof next, "%s%s", dl, row->breached ? " BREACHED" : "");
	if (row->current_provider[0])
		snprintf(step, sizeof step, "%s (%d of %d)", row->current_provider, row->current_rank, row->ranked);
	table_row(t, r->id, r->case_ref, (int64_t)r->lot, r->district, (int64_t)r->hours_minutes,
	          wf_status_name(r->status), row->holder, waited, step, next);
}

static int list_cb(void *ud, const struct bk_referral_row *row)
{
	struct ref_out *o = ud;
	struct cli *c = o->out.c;
	o->n++;
	if (row->breached)
		o->breached++;
	for (int l = 0; l < c->ctx.settings->n_lots; l++)
		if (c->ctx.settings->lots[l].number == row->r->lot) {
			int d = bk_settings_district_index(c->ctx.settings, row->r->district);
			if (d >= 0)
				o->grid[l][d]++;
		}
	if (!o->out.arr) {
		row_add(o->out.t, row);
		return o->out.t->failed;
	}
	json_t *j = referral_json(c, row->r, row->holder);
	json_object_set_new(j, "current_provider", cli_jtext(row->current_provider));
	json_object_set_new(j, "current_rank", row->current_rank ? json_integer(row->current_rank) : json_null());
	json_object_set_new(j, "ranked", json_integer(row->ranked));
	/* an offer waiting for information has no deadline running */
	json_object_set_new(j, "next_deadline", row->clock_stopped ? json_null() : jtime(row->next_deadline));
	json_object_set_new(j, "clock_stopped", json_boolean(row->clock_stopped));
	json_object_set_new(j, "breached", json_boolean(row->breached));
	json_object_set_new(j, "overdue", json_boolean(row->overdue));
	json_object_set_new(j, "waited_days", json_integer(row->waited_days));
	json_object_set_new(j, "waited_working_days", json_integer(row->waited_working_days));
	json_t *offers = json_array();
	bk_offer_each(&c->ctx, row->r->id, offer_row_json, offers);
	json_object_set_new(j, "offers", offers);
	json_array_append_new(o->out.arr, j);
	return 0;
}

/* The referrals the filter picks, into o: a JSON array (--json) or a table
 * titled `title`. NULL when out of memory. */
static struct ref_out *list_referrals(struct cli *c, struct store_referral_filter *f, const char *title,
                                      enum bk_status *st)
{
	static const struct list_col cols[] = {
		{ "id", "ID", BK_COL_INT },          { "case", "CASE", BK_COL_TEXT },
		{ "lot", "L", BK_COL_INT },          { "district", "AREA", BK_COL_TEXT },
		{ "hours", "HOURS", BK_COL_HOURS },  { "status", "STATUS", BK_COL_TEXT },
		{ "holder", "HOLDER", BK_COL_TEXT }, { "waited", "WAITED", BK_COL_TEXT },
		{ "step", "STEP", BK_COL_TEXT },     { "next_deadline", "NEXT DEADLINE", BK_COL_TEXT },
	};
	f->brief = !c->json; /* the text lines show only what the screens show */
	struct ref_out *o = calloc(1, sizeof *o);
	*st = BK_STORAGE;
	if (o && list_begin(c, &o->out, "referrals", title, cols, 10))
		*st = bk_referral_list(&c->ctx, f, list_cb, o);
	return o;
}

enum bk_status cmd_referral_list(struct cli *c)
{
	enum bk_status rd = bk_record_bulk_read(&c->ctx, "referral list");
	if (rd != BK_OK)
		return cli_finish(c, rd, NULL);
	struct store_referral_filter f = { 0 };
	int64_t lot = 0;
	f.status = cli_opt(c, "status");
	enum wf_status ws;
	if (f.status && !wf_status_parse(f.status, &ws))
		return cli_usage(c,
		                 "--status is one of new, ready, searching, sourced, ended, exhausted, spot_requested, "
		                 "paused, withdrawn");
	if (cli_opt(c, "lot") && !parse_int(cli_opt(c, "lot"), 1, 99, &lot))
		return cli_usage(c, "--lot takes a lot number");
	f.lot = (int)lot;
	bool bad;
	f.district = district_opt(c, &bad);
	if (bad)
		return cli_usage(c, "--district names no configured district");
	f.open_only = !f.status && !cli_flag(c, "all");
	if (cli_flag(c, "mine"))
		f.holder_id = c->ctx.actor.staff_id;
	enum bk_status st;
	struct ref_out *o = list_referrals(c, &f, "Referrals", &st);
	if (!o)
		return cli_finish(c, st, NULL);
	st = list_finish(c, st, o->out.arr, o->out.t);
	free(o);
	return st;
}

/* The waiting list's counts by lot and district, a part after its rows. */
static struct bk_table *waiting_grid(const struct bk_settings *s, const struct ref_out *o)
{
	char title[96];
	snprintf(title, sizeof title, "%d waiting, %d with a deadline breached", o->n, o->breached);
	struct bk_table *g = bk_table_create("waiting_by_lot_district", title);
	if (!g)
		return NULL;
	/* laid out as the Waiting list screen lays it out */
	bk_table_add_column(g, "lot", "lot \\ district", NULL, BK_COL_TEXT);
	for (int d = 0; d < s->n_districts; d++)
		bk_table_add_column(g, s->districts[d].name, s->districts[d].name, NULL, BK_COL_INT);
	bk_table_add_column(g, "total", "total", NULL, BK_COL_INT);
	for (int l = 0; l < s->n_lots; l++) {
		int row = bk_table_add_row(g, BK_ROW_DATA), total = 0;
		if (row < 0)
			break;
		char lot[96];
		snprintf(lot, sizeof lot, "%d %s", s->lots[l].number, s->lots[l].name);
		bk_table_set_text(g, row, 0, lot);
		for (int d = 0; d < s->n_districts; d++) {
			bk_table_set(g, row, 1 + d, o->grid[l][d]);
			total += o->grid[l][d];
		}
		bk_table_set(g, row, 1 + s->n_districts, total);
	}
	return g;
}

enum bk_status cmd_waiting(struct cli *c)
{
	enum bk_status rd = bk_record_bulk_read(&c->ctx, "waiting");
	if (rd != BK_OK)
		return cli_finish(c, rd, NULL);
	struct store_referral_filter f = { .unsourced_only = true };
	if (!no_extra(c, 0))
		return BK_USAGE;
	enum bk_status st;
	struct ref_out *o = list_referrals(c, &f, "Waiting list", &st);
	if (!o)
		return cli_finish(c, st, NULL);
	const struct bk_settings *s = c->ctx.settings;
	json_t *out = NULL;
	if (st == BK_OK && o->out.arr) {
		json_t *grid = json_object();
		for (int l = 0; l < s->n_lots; l++) {
			json_t *row = json_object();
			for (int d = 0; d < s->n_districts; d++)
				json_object_set_new(row, s->districts[d].name, json_integer(o->grid[l][d]));
			char key[8];
			snprintf(key, sizeof key, "%d", s->lots[l].number);
			json_object_set_new(grid, key, row);
		}
		out = json_pack("{si si so so}", "total", o->n, "breached", o->breached, "by_lot_district", grid,
		                "referrals", o->out.arr);
		o->out.arr = NULL;
	} else if (st == BK_OK && o->out.t) {
		struct bk_table *g = waiting_grid(s, o);
		if (!g)
			o->out.t->failed = true;
		else
			bk_table_append_part(o->out.t, g);
	}
	json_decref(o->out.arr);
	st = list_finish(c, st, out, o->out.t);
	free(o);
	return st;
}

enum bk_status cmd_sweep(struct cli *c)
{
	struct bk_sweep_result r;
	if (!no_extra(c, 0))
		return BK_USAGE;
	enum bk_status st = bk_sweep(&c->ctx, &r);
	return cli_finish(c, st,
	                  c->json ? json_pack("{si si si si si si si}", "expired", r.expired, "approached",
	                                      r.approached, "exhausted", r.exhausted, "sourced", r.sourced, "ended",
	                                      r.ended, "chased", r.chased, "mail_sent", r.mail_sent)
	                          : NULL);
}

/* ---- spot purchases ---- */

enum bk_status cmd_spot_request(struct cli *c)
{
	struct bk_spot_input in = { 0 };
	int64_t weeks;
	if (!pos_id(c, 0, "referral id", &in.referral_id) || !no_extra(c, 1) || !expect_version(c, &in.expect_version))
		return BK_USAGE;
	in.provider = cli_opt(c, "provider");
	in.rate = cli_opt(c, "rate");
	in.hours = cli_opt(c, "hours");
	in.why = cli_opt(c, "why");
	if (!in.provider || !in.rate || !in.hours || !cli_opt(c, "weeks") || !in.why)
		return cli_usage(c, "a spot request needs --provider, --rate, --hours, --weeks and --why");
	if (!parse_int(cli_opt(c, "weeks"), 1, 520, &weeks)) {
		snprintf(c->ctx.msg, sizeof c->ctx.msg,
		         "expected duration: --weeks must be a whole number from 1 to 520");
		return cli_finish(c, BK_REFUSED, NULL);
	}
	in.weeks = (int)weeks;
	int64_t id = 0;
	enum bk_status st = bk_spot_request(&c->ctx, &in, &id);
	if (new_id_said(c, st, id))
		return BK_OK;
	return cli_finish(c, st,
	                  st == BK_OK
	                          ? json_pack("{sI sI}", "id", (json_int_t)id, "referral", (json_int_t)in.referral_id)
	                          : NULL);
}

static enum bk_status decide(struct cli *c, bool approve)
{
	int64_t id;
	if (!pos_id(c, 0, "spot request id", &id) || !no_extra(c, 1))
		return BK_USAGE;
	if (!cli_opt(c, "note"))
		return cli_usage(c, "a decision needs --note");
	return cli_finish(c, bk_spot_decide(&c->ctx, id, approve, cli_opt(c, "note"), cli_opt(c, "key-decision")),
	                  NULL);
}

enum bk_status cmd_spot_approve(struct cli *c)
{
	return decide(c, true);
}
enum bk_status cmd_spot_reject(struct cli *c)
{
	return decide(c, false);
}

enum bk_status cmd_spot_list(struct cli *c)
{
	enum bk_status rd = bk_record_bulk_read(&c->ctx, "spot list");
	if (rd != BK_OK)
		return cli_finish(c, rd, NULL);
	struct list_out o;
	enum bk_status st = list_begin(c, &o, "spots", "Spot purchase requests", spot_cols, 11)
	                            ? bk_spot_list(&c->ctx, cli_flag(c, "pending"), spot_row, &o)
	                            : BK_STORAGE;
	return list_finish(c, st, o.arr, o.t);
}
