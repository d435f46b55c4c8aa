/* The forms of a referral: new referral, edit details, spot purchase
 * request. Fields are checked as the core checks them; a refusal keeps
 * everything typed. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/vec.h"
#include "core/describe.h"
#include "tui/app.h"
#include "tui/draw.h"
#include "tui/form.h"
#include "tui/keymap.h"

bool form_saved(struct tui *t, struct form *f, enum bk_status st, const char *refused)
{
	if (st != BK_OK) {
		snprintf(f->message, sizeof f->message, "%s: %.900s", refused, t->ctx->msg);
		if (st == BK_CONFLICT)
			tui_reload_all(t); /* the form stays, over the referral as it is now */
		return false;
	}
	tui_done(t, st);
	return true;
}

enum { F_CASE, F_LOT, F_DISTRICT, F_HOURS, F_PANEL, F_START, F_AGE, F_URGENT, F_NOTE };

static const struct field_spec referral_spec[] = {
	{ FIELD_TEXT, "Case reference", "case", "from the social-care record, e.g. CYP-123456", true },
	/* the configured lots and districts to choose from (core checks them again on saving) */
	{ FIELD_CHOICE, "Lot", NULL, "Left/Right or the first letter to choose", true },
	{ FIELD_CHOICE, "District", NULL, "Left/Right or the first letter", true },
	{ FIELD_TEXT, "Hours a week", "hours", "e.g. 10 or 7.25 (at most two decimals)", true },
	{ FIELD_TEXT, "Panel date", "panel-date", "YYYY-MM-DD: when the resource panel approved it", false },
	{ FIELD_TEXT, "Wanted start", "start", "YYYY-MM-DD, optional", false },
	{ FIELD_TEXT, "Age", "age", "years, optional; matched to the ages providers serve", false },
	{ FIELD_CHECK, "Urgent", NULL, "y or n (Left/Right change it too)", false },
	{ FIELD_TEXT, "Note", "note", "optional; no names or addresses: the case reference is enough", false },
};

static void referral_fields(struct tui *t, struct form *f)
{
	const struct bk_settings *set = t->ctx->settings;
	form_fields(f, referral_spec, F_NOTE + 1);
	for (int i = 0; i < set->n_lots; i++) {
		char c[80];
		snprintf(c, sizeof c, "%d %s", set->lots[i].number, set->lots[i].name);
		form_choice(&f->field[F_LOT], c);
	}
	for (int i = 0; i < set->n_districts; i++)
		form_choice(&f->field[F_DISTRICT], set->districts[i].name);
}

/* The referral as the form has it: each field given (new), or each field
 * changed (edit; an emptied one as ""). */
static struct bk_referral_input referral_input(const struct form *f, bool edit)
{
	const char *v[F_NOTE + 1];
	for (int i = F_CASE; i <= F_NOTE; i++)
		v[i] = edit ? form_changed(f, i) : *form_value(f, i) ? form_value(f, i) : NULL;
	return (struct bk_referral_input){
		.case_ref = v[F_CASE],
		.lot = v[F_LOT] ? atoi(v[F_LOT]) : -1,
		.district = v[F_DISTRICT],
		.hours = v[F_HOURS],
		.panel_date = v[F_PANEL],
		.start = v[F_START],
		.age = v[F_AGE] && *v[F_AGE] ? atoi(v[F_AGE]) : -1,
		.urgent = f->field[F_URGENT].on ? 1 : 0,
		.note = v[F_NOTE],
	};
}

static bool new_submit(struct tui *t, struct form *f)
{
	struct bk_referral_input in = referral_input(f, false);
	int64_t id = 0;
	enum bk_status st = bk_referral_new(t->ctx, &in, &id);
	if (st == BK_OK)
		f->open_after = id;
	return form_saved(t, f, st, "Not saved");
}

void act_new(struct tui *t, struct screen *s)
{
	(void)s;
	struct form *f = form_create("New referral", new_submit);
	if (!f)
		return;
	snprintf(f->intro, sizeof f->intro, "New referral, approved by the resource panel (* must be filled in)");
	referral_fields(t, f);
	int32_t today;
	char d[16];
	cal_local(t->ctx->now, &today, NULL);
	cal_format_date(today, d, sizeof d);
	form_set(&f->field[F_PANEL], d);
	form_open(t, f);
}

/* ---- edit ---- */

static bool edit_submit(struct tui *t, struct form *f)
{
	struct bk_referral_input in = referral_input(f, true);
	const char *age = form_changed(f, F_AGE);
	if ((in.panel_date && !*in.panel_date) || (in.start && !*in.start) || (age && !*age)) {
		snprintf(f->message, sizeof f->message,
		         "A date or age once recorded cannot be emptied here; correct it "
		         "instead");
		return false;
	}
	if (!f->dirty) {
		tui_message(t, false, "Nothing changed");
		return true;
	}
	enum bk_status st = bk_referral_edit(t->ctx, f->referral_id, f->version, &in);
	if (st == BK_CONFLICT) {
		snprintf(f->message, sizeof f->message,
		         "Not saved: %.800s. Esc, then e again to edit the current version.", t->ctx->msg);
		tui_reload_all(t);
		return false;
	}
	return form_saved(t, f, st, "Not saved");
}

static void key_edit(struct tui *t, struct referral_ref ref, const struct bk_referral_view *v)
{
	const struct store_referral *r = &v->r;
	struct form *f = form_create("Edit referral", edit_submit);
	if (!f)
		return;
	snprintf(f->intro, sizeof f->intro,
	         "Referral %lld, case %s (lot, district, hours and age only before sending "
	         "or while paused)",
	         (long long)r->id, r->case_ref);
	f->referral_id = ref.id;
	f->version = ref.version;
	referral_fields(t, f);
	char lot[96], hours[16], panel[16] = "", start[16] = "", age[16] = "";
	const struct bk_lot *l = bk_settings_lot(t->ctx->settings, r->lot);
	snprintf(lot, sizeof lot, "%d %s", r->lot, l ? l->name : "");
	hours_format(r->hours_minutes, hours, sizeof hours);
	if (r->panel_date != STORE_NO_DATE)
		cal_format_date(r->panel_date, panel, sizeof panel);
	if (r->start_date != STORE_NO_DATE)
		cal_format_date(r->start_date, start, sizeof start);
	if (r->age >= 0)
		snprintf(age, sizeof age, "%d", r->age);
	const char *values[] = { r->case_ref, lot, r->district, hours, panel, start, age, r->urgent ? "yes" : "",
		                 r->note };
	for (int i = F_CASE; i <= F_NOTE; i++)
		form_set(&f->field[i], values[i]);
	form_open(t, f);
}
ACTION_FN(act_edit, referral_key(t, s, key_edit));

/* ---- spot purchase request ---- */

enum { S_PROVIDER, S_RATE, S_HOURS, S_WEEKS, S_WHY };

/* The providers a spot request may name, every one of them, as the
 * form's choice shows them ("Apex Agency Care, £29.25 an hour") and by
 * their full names. */
struct spot_choice {
	char name[512];
	char label[80];
	int64_t rate;
};
struct spot_choices {
	VEC(struct spot_choice) v;
	bool ascii;
	char hint[160]; /* the provider field's, which the form points to */
};

static void spot_choices_free(void *data)
{
	struct spot_choices *c = data;
	if (c)
		vec_free(&c->v);
	free(c);
}

static int spot_choice_cb(void *ud, const struct bk_spot_provider *p)
{
	struct spot_choices *c = ud;
	struct spot_choice *sc = vec_push(&c->v);
	if (!sc)
		return 1;
	str_copy(sc->name, sizeof sc->name, p->name);
	sc->rate = p->rate;
	char rate[48] = "no rate on record", name[64];
	if (p->rate) {
		char m[40];
		money_format(p->rate, c->ascii, m, sizeof m);
		snprintf(rate, sizeof rate, "%s an hour", m);
	}
	/* the name cut so the rate always shows */
	int room = 76 - text_width(rate) - 2 - (p->amber ? 8 : 0);
	text_fit(p->name, room > 20 ? room : 20, false, name, sizeof name);
	for (size_t k = strlen(name); k > 0 && name[k - 1] == ' '; k--)
		name[k - 1] = '\0';
	char label[sizeof name + sizeof rate + 16];
	snprintf(label, sizeof label, "%s, %s%s", name, rate, p->amber ? " (amber)" : "");
	str_copy(sc->label, sizeof sc->label, label); /* cut, if ever, on a character */
	return 0;
}

static bool spot_submit(struct tui *t, struct form *f)
{
	const struct spot_choices *c = f->data;
	int k = f->field[S_PROVIDER].choice;
	const struct spot_choice *sc = c && k >= 0 && (size_t)k < c->v.n ? &c->v.v[k] : NULL;
	/* no rate typed: the provider's rate on record */
	char on_record[32] = "";
	if (!*form_value(f, S_RATE) && sc && sc->rate)
		money_format_plain(sc->rate, on_record, sizeof on_record);
	struct bk_spot_input in = {
		.referral_id = f->referral_id,
		.expect_version = f->version,
		.provider = sc ? sc->name : "",
		.rate = on_record[0] ? on_record : form_value(f, S_RATE),
		.hours = form_value(f, S_HOURS),
		.weeks = atoi(form_value(f, S_WEEKS)),
		.why = form_value(f, S_WHY),
	};
	/* Every check the request makes, before anything is asked: a refusal
	 * never comes after "are you sure?". */
	struct bk_spot_quote q;
	enum bk_status st = bk_spot_check(t->ctx, &in, &q);
	if (st != BK_OK)
		return form_saved(t, f, st, "Not requested");
	char hs[16];
	hours_format(q.minutes, hs, sizeof hs);
	char head[800], cost[600], who[400];
	snprintf(head, sizeof head, "Ask a supervisor to approve buying from %.500s for referral %lld?", q.provider,
	         (long long)f->referral_id);
	snprintf(cost, sizeof cost,
	         "%s an hour for %s hours a week over %d weeks: %s a week, %s a year; %s a week "
	         "over the framework rate of %s an hour.",
	         money_text(q.rate), hs, in.weeks, money_text(q.weekly_cost), money_text(q.annual_cost),
	         money_text(q.premium_weekly), money_text(q.framework_rate));
	snprintf(who, sizeof who, "%s%s",
	         q.needs_key_decision
	                 ? "The annual cost reaches the key-decision threshold: the supervisor will need a "
	                   "key-decision reference. "
	                 : "",
	         q.amber ? "The provider is rated amber risk. Open offers are withdrawn; a supervisor decides the "
	                   "request."
	                 : "Open offers are withdrawn; a supervisor decides the request.");
	const char *lines[] = { head, "", cost, "", who };
	if (!tui_confirm(t, "Request a spot purchase", lines, 5)) {
		snprintf(f->message, sizeof f->message, "Not requested: change the form, or Esc to leave it");
		return false;
	}
	int64_t id;
	return form_saved(t, f, bk_spot_request(t->ctx, &in, &id), "Not requested");
}

static void key_spot(struct tui *t, struct referral_ref ref, const struct bk_referral_view *v)
{
	const struct store_referral *r = &v->r;
	if (r->status != WF_EXHAUSTED && !r->escalated) {
		tui_message(t, true,
		            "Referral %lld is %s: a spot purchase can be requested only when the framework is "
		            "exhausted, or earlier when a team leader has escalated an urgent referral",
		            (long long)r->id, bk_referral_status_words(r->status));
		return;
	}
	struct spot_choices *c = calloc(1, sizeof *c);
	if (!c)
		return;
	c->ascii = t->ascii;
	enum bk_status st = bk_spot_providers(t->ctx, ref.id, spot_choice_cb, c);
	if (st != BK_OK || c->v.n == 0) {
		if (st != BK_OK)
			tui_result(t, st);
		else
			tui_message(t, true,
			            "No off-framework provider can take referral %lld now (none active, not embargoed "
			            "and fitting its lot, age and hours): a team leader can add one on Providers (4)",
			            (long long)ref.id);
		spot_choices_free(c);
		return;
	}
	struct form *f = form_create("Spot purchase request", spot_submit);
	if (!f) {
		spot_choices_free(c);
		return;
	}
	f->data = c;
	f->free_data = spot_choices_free;
	f->referral_id = ref.id;
	f->version = ref.version;
	snprintf(f->intro, sizeof f->intro, "Spot purchase for referral %lld, case %s: a supervisor must approve it",
	         (long long)r->id, r->case_ref);
	snprintf(c->hint, sizeof c->hint, "%zu that may be used (off-framework, fitting); Left/Right or a letter",
	         c->v.n);
	const struct field_spec spot_spec[] = {
		{ FIELD_CHOICE, "Provider", NULL, c->hint, true },
		{ FIELD_TEXT, "Rate an hour", "rate", "pounds, e.g. 24.50; empty: the provider's rate on record",
		  false },
		{ FIELD_TEXT, "Hours a week", "hours", "as the package needs", true },
		{ FIELD_TEXT, "Weeks", "weeks", "expected duration, 1 to 520", true },
		{ FIELD_TEXT, "Justification", "justification", "why the framework cannot supply (required)", true },
	};
	form_fields(f, spot_spec, S_WHY + 1);
	for (size_t i = 0; i < c->v.n; i++)
		form_choice(&f->field[S_PROVIDER], c->v.v[i].label);
	char h[16];
	hours_format(r->hours_minutes, h, sizeof h);
	form_set(&f->field[S_HOURS], h);
	form_set(&f->field[S_WEEKS], "52");
	form_open(t, f);
}
ACTION_FN(act_spot, referral_key(t, s, key_spot));
