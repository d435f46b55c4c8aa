/* Providers: the register (framework or off-framework, CQC, PAMMS, risk,
 * embargo and its reason, ages, rate, capacity by district, active), the
 * add and edit forms (checked as the core checks them, field by field),
 * and the rankings editor of one lot and district: K/J move a provider,
 * a adds, d removes, s saves the whole order in one change that the core
 * audits with before and after. Referrals in flight keep their offers;
 * the next approach uses the new order. The register reads only the
 * window on screen and a page either side. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "tui/form.h"
#include "tui/keymap.h"
#include "tui/listview.h"

struct providers {
	struct listview lv; /* first: the list view's ops read it; a window of struct store_provider */
	struct lv_walk walk;
};

/* ---- loading ---- */

/* A provider's capacities: "North 40, East 12.5" to read, or
 * "North=40 East=12.5" as the form's field takes them. */
struct cap_text {
	char *buf;
	size_t len, off;
	bool field;
};

static int capacity_cb(void *ud, const char *district, int minutes)
{
	struct cap_text *c = ud;
	char h[16];
	if (minutes < 0)
		return 0;
	hours_format(minutes, h, sizeof h);
	if (c->field)
		str_appendf(c->buf, c->len, &c->off, "%s%s=%s", c->off ? " " : "", district, h);
	else
		str_appendf(c->buf, c->len, &c->off, "%s%s %s", c->off ? ", " : "", district, h);
	return 0;
}

static void capacity_text(struct tui *t, int64_t id, bool field, char *buf, size_t len)
{
	struct cap_text c = { buf, len, 0, field };
	buf[0] = '\0';
	bk_capacity_each(t->ctx, id, capacity_cb, &c);
}

/* every provider is walked (they are a few hundred), the window's kept */
static int provider_cb(void *ud, const struct store_provider *p)
{
	struct store_provider *r = lv_walk_put(ud);
	if (r)
		*r = *p;
	return 0;
}

static bool load(void *ud, int from, int count, struct lv_window *w, int *total)
{
	struct providers *pv = ud;
	struct tui *t = pv->lv.t;
	pv->walk = (struct lv_walk){ w, from, from + count, 0 };
	enum bk_status st = bk_provider_each(t->ctx, provider_cb, &pv->walk);
	if (st != BK_OK) {
		tui_result(t, st);
		return false;
	}
	*total = pv->walk.n;
	return !w->full;
}

/* ---- columns: at 80 the names and PAMMS whole, the CQC id in the pane
 * below only ---- */

#define P struct store_provider
#define PR(p) const P *p = row

static enum tui_look risk_look(const char *risk)
{
	return strcmp(risk, "red") == 0 ? LOOK_RED : strcmp(risk, "amber") == 0 ? LOOK_AMBER : LOOK_GREEN;
}

static void cell_name(void *ud, const void *row, struct lv_cell *c)
{
	PR(p);
	str_copy(c->buf, c->len, p->name);
	if (!p->active)
		c->look = LOOK_DIM;
}

static void cell_fw(void *ud, const void *row, struct lv_cell *c)
{
	PR(p);
	snprintf(c->buf, c->len, "%s", p->framework ? "yes" : "off");
}

LV_FIELD_CELL_DASH(cell_cqc, TEXT, P, cqc_id);

static void cell_pamms(void *ud, const void *row, struct lv_cell *c)
{
	PR(p);
	bool ri = strcmp(p->pamms, "requires-improvement") == 0;
	snprintf(c->buf, c->len, "%s",
	         ri            ? (c->width < 20 ? "req. improvement" : "requires improvement")
	         : p->pamms[0] ? p->pamms
	                       : "-");
}

static void cell_risk(void *ud, const void *row, struct lv_cell *c)
{
	PR(p);
	str_copy(c->buf, c->len, p->risk);
	c->look = risk_look(p->risk);
}

static void cell_ages(void *ud, const void *row, struct lv_cell *c)
{
	PR(p);
	if (p->age_min >= 0)
		snprintf(c->buf, c->len, "%d-%d", p->age_min, p->age_max);
	else
		snprintf(c->buf, c->len, "-");
}

LV_FIELD_CELL_DASH(cell_rate, MONEY, P, rate);
LV_FIELD_CELL(cell_active, YESNO, P, active);

static void cell_embargo(void *ud, const void *row, struct lv_cell *c)
{
	PR(p);
	lv_cell_field(ud, &(struct lv_field)LV_AT_DASH(TEXT, P, embargo), row, c);
	if (p->embargo[0])
		c->look = LOOK_RED;
}

static const struct lv_column columns[] = {
	{ "PROVIDER", 26, 30, LV_TEXT, false, 2, 0, cell_name, NULL, false },
	{ "FW", 3, 3, LV_FIXED, false, 0, 0, cell_fw, NULL, false },
	{ "CQC", 8, 8, LV_FIXED, false, 0, 99, cell_cqc, NULL, false },
	{ "PAMMS", 16, 20, LV_TEXT, false, 0, 0, cell_pamms, NULL, false },
	{ "RISK", 5, 5, LV_FIXED, false, 0, 0, cell_risk, NULL, false },
	{ "AGES", 5, 5, LV_FIXED, false, 0, 0, cell_ages, NULL, false },
	{ "RATE", 6, 6, LV_FIXED, true, 0, 0, cell_rate, NULL, false },
	{ "ACT", 3, 3, LV_FIXED, false, 0, 0, cell_active, NULL, false },
	{ "EMBARGO (REASON)", 8, 30, LV_TEXT, false, 1, 0, cell_embargo, "EMBARGO", false },
};

static void pane(void *ud, const void *row, int width, struct textview *tv);

static const struct lv_spec spec = {
	.row_size = sizeof(P),
	.key = LV_AT(ID, P, id),
	.search = { LV_AT(TEXT, P, name), LV_AT(TEXT, P, cqc_id), LV_AT(TEXT, P, embargo) },
	.load = load,
	.cols = columns,
	.ncols = (int)(sizeof columns / sizeof columns[0]),
	.empty = "No providers yet: c adds one (team leaders).",
	.pane = pane,
};

LV_OPEN(providers_open, struct providers, spec);

/* ---- the provider in full ---- */

struct ranked_in {
	int64_t id;
	char *buf;
	size_t len, off;
	int n;
};

static int ranked_cb(void *ud, const struct store_rank *r)
{
	struct ranked_in *ri = ud;
	if (r->provider_id != ri->id || ri->off >= ri->len)
		return 0;
	str_appendf(ri->buf, ri->len, &ri->off, "%slot %d %s #%d", ri->n ? ", " : "", r->lot, r->district, r->rank);
	ri->n++;
	return 0;
}

static void pane(void *ud, const void *row, int width, struct textview *tv)
{
	struct tui *t = ((struct providers *)ud)->lv.t;
	const struct store_provider *p = row;
	int64_t open_offers = 0;
	char ranked[400] = "", capacity[200];
	capacity_text(t, p->id, false, capacity, sizeof capacity);
	bk_provider_open_offers(t->ctx, p->id, &open_offers);
	struct ranked_in ri = { p->id, ranked, sizeof ranked, 0, 0 };
	bk_ranking_each(t->ctx, 0, NULL, ranked_cb, &ri);
	char ages[32] = "any age", rate[48] = "no rate kept";
	if (p->age_min >= 0)
		snprintf(ages, sizeof ages, "ages %d-%d", p->age_min, p->age_max);
	if (p->rate) {
		char m[32];
		money_format(p->rate, t->ascii, m, sizeof m);
		snprintf(rate, sizeof rate, "%s an hour", m);
	}
	tv_addf(tv, LOOK_TITLE, width, 4, "%s: %s, CQC %s, PAMMS %s, risk %s, %s, %s, %s", p->name,
	        p->framework ? "framework" : "off-framework", p->cqc_id[0] ? p->cqc_id : "none",
	        p->pamms[0] ? p->pamms : "not rated", p->risk, ages, rate, p->active ? "active" : "INACTIVE");
	if (p->embargo[0]) {
		tv_addf(tv, LOOK_RED, width, 4, "  Embargoed from new placements: %s. It holds %lld open offer%s%s",
		        p->embargo, (long long)open_offers, open_offers == 1 ? "" : "s",
		        open_offers ? ", which stand until answered or expired." : ".");
	} else {
		tv_addf(tv, LOOK_NORMAL, width, 4, "  Not embargoed; holds %lld open offer%s.", (long long)open_offers,
		        open_offers == 1 ? "" : "s");
	}
	tv_addf(tv, LOOK_NORMAL, width, 4, "  Capacity (hours a week): %s", capacity[0] ? capacity : "not kept");
	tv_addf(tv, LOOK_NORMAL, width, 4, "  Ranked: %s", ranked[0] ? ranked : "nowhere");
	tv_addf(tv, LOOK_NORMAL, width, 4, "  Mail: %s", p->emails[0] ? p->emails : "no address (offers by phone)");
}

/* ---- drawing: the register, and the provider under the cursor in full ---- */

static void providers_draw(struct tui *t, struct screen *s, int y, int h)
{
	lv_draw_pane(t, s, y, h, h - 6);
}

static void providers_context(struct tui *t, const struct screen *s, char *buf, size_t len)
{
	const struct providers *pv = s->st;
	snprintf(buf, len, "Provider register: %d provider%s (framework first); r shows a ranking", pv->lv.total,
	         pv->lv.total == 1 ? "" : "s");
}

const struct screen_ops screen_providers_ops =
	LV_SCREEN_OPS(SCR_PROVIDERS, providers_open, providers_draw, providers_context);

/* ---- the form: checks that mirror the core's ---- */

/* The fields are checked by the core's own field checks (provider-name,
 * cqc, ages, rate, embargo); the capacity line here: "North=40 East=12.5
 * West=none", by spaces or commas, each entry as the command's --capacity
 * takes it (core's bk_capacity_parse); a district not named is not kept (-1). */
static bool parse_capacity(const struct bk_settings *set, const char *text, int *minutes, char *err, size_t len)
{
	for (int d = 0; d < set->n_districts; d++)
		minutes[d] = -1;
	char buf[FORM_VALUE_MAX];
	snprintf(buf, sizeof buf, "%s", text);
	char *save = NULL;
	for (char *tok = strtok_r(buf, " ,;", &save); tok; tok = strtok_r(NULL, " ,;", &save)) {
		int d, m;
		if (!bk_capacity_parse(set, tok, &d, &m, err, len))
			return false;
		minutes[d] = m;
	}
	return true;
}

static bool check_capacity(struct tui *t, const char *v, char *err, size_t len)
{
	int minutes[BK_MAX_DISTRICTS];
	return parse_capacity(t->ctx->settings, v, minutes, err, len);
}

enum { F_NAME, F_FRAMEWORK, F_CQC, F_PAMMS, F_RISK, F_AGES, F_RATE, F_EMBARGO, F_ACTIVE, F_CAPACITY };

/* The add form has the name first; the edit form has none (the name is the key). */
static int field(const struct form *f, int which)
{
	return f->referral_id ? which - 1 : which;
}

static const char *value(const struct form *f, int which)
{
	return form_value(f, field(f, which));
}

static const char *changed(const struct form *f, int which)
{
	return form_changed(f, field(f, which));
}

static void provider_fields(struct tui *t, struct form *f, bool add)
{
	if (add)
		form_add(f, FIELD_TEXT, "Name", "provider-name",
		         "as the provider trades; it names the provider everywhere", true);
	form_add(f, FIELD_CHECK, "Framework", NULL, "y: on the framework (can be ranked); n: off-framework (spot)",
	         false);
	form_add(f, FIELD_TEXT, "CQC location id", "cqc", "e.g. 1-123456789; empty when not registered", false);
	form_choices(form_add(f, FIELD_CHOICE, "PAMMS rating", NULL, "Left/Right or the first letter", false),
	             "not rated", "excellent", "good", "requires-improvement", "poor", NULL);
	form_choices(form_add(f, FIELD_CHOICE, "Risk", NULL, "red: no new work; amber: offered with a warning", true),
	             "green", "amber", "red", NULL);
	form_add(f, FIELD_TEXT, "Ages served", "ages", "FROM-TO in years, e.g. 0-18; empty when any age", false);
	form_add(f, FIELD_TEXT, "Rate an hour", "rate", "pounds, e.g. 24.50; empty when not kept", false);
	form_add(f, FIELD_TEXT, "Embargo reason", "embargo", "empty: no embargo; a reason embargoes new placements",
	         false);
	form_add(f, FIELD_CHECK, "Active", NULL, "y or n; an inactive provider is never approached", false);
	struct form_field *ff = form_add(f, FIELD_TEXT, "Capacity", NULL,
	                                 "hours a week by district: North=40 East=12.5 West=none", false);
	ff->own_check = check_capacity;
}

/* The capacity entries of the form that differ from before, as the core
 * takes them; -1 (the form says why) when the line is not right. */
static int capacity_changes(struct tui *t, struct form *f, const char *before, char (*store)[96], const char **out)
{
	const struct bk_settings *set = t->ctx->settings;
	int old[BK_MAX_DISTRICTS], now[BK_MAX_DISTRICTS], n = 0;
	char err[300];
	if (!parse_capacity(set, before, old, err, sizeof err))
		for (int d = 0; d < set->n_districts; d++)
			old[d] = -1;
	if (!parse_capacity(set, value(f, F_CAPACITY), now, err, sizeof err)) {
		snprintf(f->message, sizeof f->message, "Capacity: %s", err);
		return -1;
	}
	for (int d = 0; d < set->n_districts; d++) {
		int v = now[d];
		if (old[d] == v)
			continue;
		if (v < 0) {
			snprintf(store[n], 96, "%s=none", set->districts[d].name);
		} else {
			char h[16];
			hours_format(v, h, sizeof h);
			snprintf(store[n], 96, "%s=%s", set->districts[d].name, v == 0 ? "0" : h);
		}
		out[n] = store[n];
		n++;
	}
	return n;
}

/* Referrals where the provider holds an open offer (at most 8, as
 * "CYP-1 (referral 3)"), for the embargo's confirmation. */
struct held {
	char *buf;
	size_t len, off;
	int n;
};

static int held_cb(void *ud, int64_t referral_id, const char *case_ref)
{
	struct held *h = ud;
	str_appendf(h->buf, h->len, &h->off, "%s%s (referral %lld)", h->n++ ? ", " : "", case_ref,
	            (long long)referral_id);
	return 0;
}

static void open_offers_text(struct tui *t, int64_t provider_id, int64_t count, char *buf, size_t len)
{
	struct held h = { buf, len, 0, 0 };
	buf[0] = '\0';
	bk_provider_open_offer_referrals(t->ctx, provider_id, 8, held_cb, &h);
	if (count > h.n)
		str_appendf(buf, len, &h.off, "%s and %lld more", h.n ? "," : "", (long long)(count - h.n));
}

static bool add_submit(struct tui *t, struct form *f)
{
	struct bk_provider_input in = { .active = 1 };
	in.name = value(f, F_NAME);
	in.framework = f->field[field(f, F_FRAMEWORK)].on ? 1 : 0;
	in.cqc = *value(f, F_CQC) ? value(f, F_CQC) : NULL;
	in.pamms = strcmp(value(f, F_PAMMS), "not rated") == 0 ? NULL : value(f, F_PAMMS);
	in.risk = value(f, F_RISK);
	in.ages = *value(f, F_AGES) ? value(f, F_AGES) : NULL;
	in.rate = *value(f, F_RATE) ? value(f, F_RATE) : NULL;
	in.embargo = *value(f, F_EMBARGO) ? value(f, F_EMBARGO) : NULL;
	in.active = f->field[field(f, F_ACTIVE)].on ? 1 : 0;
	char store[BK_MAX_DISTRICTS][96];
	in.n_capacity = capacity_changes(t, f, "", store, in.capacity);
	if (in.n_capacity < 0)
		return false;
	int64_t id = 0;
	enum bk_status st = bk_provider_add(t->ctx, &in, &id);
	return form_saved(t, f, st, "Not saved");
}

/* The form is not saved, and says why. */
static bool refuse(struct form *f, const char *why)
{
	snprintf(f->message, sizeof f->message, "%s", why);
	return false;
}

static bool edit_submit(struct tui *t, struct form *f)
{
	struct store_provider p;
	if (bk_provider_get(t->ctx, f->referral_id, &p) != BK_OK) {
		snprintf(f->message, sizeof f->message, "The provider cannot be read: %.900s", t->ctx->msg);
		return false;
	}
	struct bk_provider_input in = { .name = p.name, .active = -1, .framework = -1 };
	const char *v;
	if ((v = changed(f, F_FRAMEWORK)))
		in.framework = *v ? 1 : 0;
	if ((v = changed(f, F_ACTIVE)))
		in.active = *v ? 1 : 0;
	in.cqc = changed(f, F_CQC);
	if ((v = changed(f, F_PAMMS))) {
		if (strcmp(v, "not rated") == 0)
			return refuse(f, "PAMMS: a rating once recorded can be changed, not removed");
		in.pamms = v;
	}
	in.risk = changed(f, F_RISK);
	if ((v = changed(f, F_AGES))) {
		if (!*v)
			return refuse(f, "Ages served: once recorded they can be changed, not emptied");
		in.ages = v;
	}
	if ((v = changed(f, F_RATE))) {
		if (!*v)
			return refuse(f, "Rate: once recorded it can be changed, not emptied");
		in.rate = v;
	}
	bool embargoing = false;
	if ((v = changed(f, F_EMBARGO))) {
		if (*v) {
			in.embargo = v;
			embargoing = !p.embargo[0];
		} else {
			in.no_embargo = true;
		}
	}
	char store[BK_MAX_DISTRICTS][96];
	in.n_capacity = capacity_changes(t, f, f->field[field(f, F_CAPACITY)].original, store, in.capacity);
	if (in.n_capacity < 0)
		return false;
	if (in.framework < 0 && in.active < 0 && !in.cqc && !in.pamms && !in.risk && !in.ages && !in.rate &&
	    !in.embargo && !in.no_embargo && in.n_capacity == 0) {
		tui_message(t, false, "Nothing changed");
		return true;
	}
	if (embargoing) {
		int64_t open = 0;
		bk_provider_open_offers(t->ctx, p.id, &open);
		char head[600], held[1200], what[1400];
		snprintf(head, sizeof head, "Embargo %.200s from new placements: \"%.300s\"?", p.name, in.embargo);
		if (open > 0) {
			open_offers_text(t, p.id, open, held, sizeof held);
			snprintf(what, sizeof what,
			         "It holds %lld open offer%s: %s. They stand until answered or expired; no new "
			         "offer goes to it.",
			         (long long)open, open == 1 ? "" : "s", held);
		} else {
			snprintf(what, sizeof what, "It holds no open offers. No new offer goes to it.");
		}
		const char *lines[] = { head, "", what };
		if (!tui_confirm(t, "Embargo the provider", lines, 3))
			return refuse(f, "Not saved: change the form, or Esc to leave it");
	}
	int open_offers = 0;
	enum bk_status st = bk_provider_set(t->ctx, &in, &open_offers);
	return form_saved(t, f, st, "Not saved");
}

void act_provider_add(struct tui *t, struct screen *s)
{
	struct form *f = form_create("New provider", add_submit);
	if (!f)
		return;
	snprintf(f->intro, sizeof f->intro, "New provider (* must be filled in)");
	provider_fields(t, f, true);
	form_set(&f->field[field(f, F_FRAMEWORK)], "yes");
	form_set(&f->field[field(f, F_ACTIVE)], "yes");
	form_set(&f->field[field(f, F_RISK)], "green");
	form_open(t, f);
}

void act_provider_edit(struct tui *t, struct screen *s)
{
	const P *r = lv_at_or(t, s, "No provider here");
	if (!r)
		return;
	struct store_provider p;
	enum bk_status st = bk_provider_get(t->ctx, r->id, &p);
	if (st != BK_OK) {
		tui_result(t, st);
		return;
	}
	struct form *f = form_create("Edit provider", edit_submit);
	if (!f)
		return;
	f->referral_id = p.id; /* the provider: the form's record id */
	char clean[200];
	draw_clean(p.name, clean, sizeof clean);
	snprintf(f->intro, sizeof f->intro, "Provider %s (the name cannot change here)", clean);
	provider_fields(t, f, false);
	char v[FORM_VALUE_MAX];
	form_set(&f->field[field(f, F_FRAMEWORK)], p.framework ? "yes" : "");
	form_set(&f->field[field(f, F_CQC)], p.cqc_id);
	form_set(&f->field[field(f, F_PAMMS)], p.pamms[0] ? p.pamms : "not rated");
	form_set(&f->field[field(f, F_RISK)], p.risk);
	v[0] = '\0';
	if (p.age_min >= 0)
		snprintf(v, sizeof v, "%d-%d", p.age_min, p.age_max);
	form_set(&f->field[field(f, F_AGES)], v);
	v[0] = '\0';
	if (p.rate)
		money_format_plain(p.rate, v, sizeof v);
	form_set(&f->field[field(f, F_RATE)], v);
	form_set(&f->field[field(f, F_EMBARGO)], p.embargo);
	form_set(&f->field[field(f, F_ACTIVE)], p.active ? "yes" : "");
	capacity_text(t, p.id, true, v, sizeof v);
	form_set(&f->field[field(f, F_CAPACITY)], v);
	form_open(t, f);
}
