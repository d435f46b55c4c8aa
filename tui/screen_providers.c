/* Providers: the register (framework or off-framework, CQC, PAMMS, risk,
 * embargo and its reason, ages, rate, capacity by district, active), the
 * add and edit forms (checked as the core checks them, field by field),
 * and the rankings editor of one lot and district: K/J move a provider,
 * a adds, d removes, s saves the whole order in one change that the core
 * audits with before and after. Referrals in flight keep their offers;
 * the next approach uses the new order. The register reads only the
 * window on screen and a page either side. */
#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "tui/tui.h"

struct prow {
	struct store_provider p;
	char capacity[200]; /* "North 40, East 12.5" */
};

struct providers {
	struct row_window win; /* of struct prow */
	int total;
	/* the provider under the cursor, in full */
	int64_t detail_id;
	int64_t open_offers;
	char ranked[400];
	struct textview tv;
	int built_width;
};

/* ---- loading ---- */

/* Text added at *off of buf, cut to fit; *off stays inside buf. */
__attribute__((format(printf, 4, 5))) static void append(char *buf, size_t len, size_t *off, const char *fmt, ...)
{
	if (*off >= len)
		return;
	va_list ap;
	va_start(ap, fmt);
	int w = vsnprintf(buf + *off, len - *off, fmt, ap);
	va_end(ap);
	if (w > 0)
		*off += (size_t)w;
	if (*off >= len)
		*off = len - 1;
}

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
		append(c->buf, c->len, &c->off, "%s%s=%s", c->off ? " " : "", district, h);
	else
		append(c->buf, c->len, &c->off, "%s%s %s", c->off ? ", " : "", district, h);
	return 0;
}

static void capacity_text(struct tui *t, int64_t id, bool field, char *buf, size_t len)
{
	struct cap_text c = { buf, len, 0, field };
	buf[0] = '\0';
	bk_capacity_each(t->ctx, id, capacity_cb, &c);
}

struct window_load {
	struct providers *pv;
	int index;
};

static int provider_cb(void *ud, const struct store_provider *p)
{
	struct window_load *wl = ud;
	struct providers *pv = wl->pv;
	int i = wl->index++;
	pv->total++;
	struct prow *r = window_take(&pv->win, i);
	if (r)
		r->p = *p;
	return 0;
}

static void load_window(struct tui *t, struct screen *s, int from, int count)
{
	struct providers *pv = s->st;
	if (!window_begin(t, &pv->win, from, count, 24))
		return;
	pv->total = 0;
	struct window_load wl = { pv, 0 };
	enum bk_status st = bk_provider_each(t->ctx, provider_cb, &wl);
	if (st != BK_OK)
		tui_result(t, st);
	/* capacities afterwards: one statement at a time */
	for (int i = 0; i < pv->win.n; i++) {
		struct prow *r = window_row(&pv->win, pv->win.base + i);
		capacity_text(t, r->p.id, false, r->capacity, sizeof r->capacity);
	}
	pv->detail_id = 0;
}

static const struct prow *row_at(const struct screen *s, int i)
{
	const struct providers *pv = s->st;
	return window_row(&pv->win, i);
}

static int64_t prow_id(const void *row)
{
	const struct prow *r = row;
	return r->p.id;
}

static void load(struct tui *t, struct screen *s)
{
	struct providers *pv = s->st;
	const struct prow *cur = row_at(s, s->cursor);
	int64_t keep = cur ? cur->p.id : 0;
	int page = s->page > 0 ? s->page : 20;
	load_window(t, s, s->top - page, 3 * page + 1);
	window_keep_cursor(&pv->win, s, keep, prow_id, pv->total);
}

static bool providers_open(struct tui *t, struct screen *s, void *arg)
{
	(void)arg;
	struct providers *pv = calloc(1, sizeof *pv);
	if (!pv)
		return false;
	pv->win.size = sizeof(struct prow);
	s->st = pv;
	load(t, s);
	return true;
}

static void providers_close(struct screen *s)
{
	struct providers *pv = s->st;
	if (pv) {
		window_finish(&pv->win);
		tv_clear(&pv->tv);
	}
	free(pv);
	s->st = NULL;
}

static int providers_rows(const struct screen *s)
{
	const struct providers *pv = s->st;
	return pv->total;
}

static bool providers_matches(const struct screen *s, int i, const char *needle)
{
	const struct prow *r = row_at(s, i);
	return r && (text_contains(r->p.name, needle) || text_contains(r->p.cqc_id, needle) ||
	             text_contains(r->p.embargo, needle));
}

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
	append(ri->buf, ri->len, &ri->off, "%slot %d %s #%d", ri->n ? ", " : "", r->lot, r->district, r->rank);
	ri->n++;
	return 0;
}

static const char *pamms_words(const char *p)
{
	return p[0] ? p : "not rated";
}

static void build(struct tui *t, struct screen *s, int width)
{
	struct providers *pv = s->st;
	const struct prow *r = row_at(s, s->cursor);
	tv_clear(&pv->tv);
	pv->built_width = width;
	if (!r)
		return;
	const struct store_provider *p = &r->p;
	if (pv->detail_id != p->id) {
		pv->detail_id = p->id;
		pv->open_offers = 0;
		bk_provider_open_offers(t->ctx, p->id, &pv->open_offers);
		struct ranked_in ri = { p->id, pv->ranked, sizeof pv->ranked, 0, 0 };
		pv->ranked[0] = '\0';
		bk_ranking_each(t->ctx, 0, NULL, ranked_cb, &ri);
	}
	char line[1600], ages[32] = "any age", rate[48] = "no rate kept";
	if (p->age_min >= 0)
		snprintf(ages, sizeof ages, "ages %d-%d", p->age_min, p->age_max);
	if (p->rate) {
		char m[32];
		money_format(p->rate, t->ascii, m, sizeof m);
		snprintf(rate, sizeof rate, "%s an hour", m);
	}
	snprintf(line, sizeof line, "%s: %s, CQC %s, PAMMS %s, risk %s, %s, %s, %s", p->name,
	         p->framework ? "framework" : "off-framework", p->cqc_id[0] ? p->cqc_id : "none", pamms_words(p->pamms),
	         p->risk, ages, rate, p->active ? "active" : "INACTIVE");
	tv_add_wrapped(&pv->tv, LOOK_TITLE, width, 4, line);
	if (p->embargo[0]) {
		snprintf(line, sizeof line, "  Embargoed from new placements: %s. It holds %lld open offer%s%s", p->embargo,
		         (long long)pv->open_offers, pv->open_offers == 1 ? "" : "s",
		         pv->open_offers ? ", which stand until answered or expired." : ".");
		tv_add_wrapped(&pv->tv, LOOK_RED, width, 4, line);
	} else {
		snprintf(line, sizeof line, "  Not embargoed; holds %lld open offer%s.", (long long)pv->open_offers,
		         pv->open_offers == 1 ? "" : "s");
		tv_add_wrapped(&pv->tv, LOOK_NORMAL, width, 4, line);
	}
	snprintf(line, sizeof line, "  Capacity (hours a week): %s", r->capacity[0] ? r->capacity : "not kept");
	tv_add_wrapped(&pv->tv, LOOK_NORMAL, width, 4, line);
	snprintf(line, sizeof line, "  Ranked: %s", pv->ranked[0] ? pv->ranked : "nowhere");
	tv_add_wrapped(&pv->tv, LOOK_NORMAL, width, 4, line);
}

/* ---- drawing ---- */

static enum tui_look risk_look(const char *risk)
{
	return strcmp(risk, "red") == 0 ? LOOK_RED : strcmp(risk, "amber") == 0 ? LOOK_AMBER : LOOK_GREEN;
}

enum { P_NAME, P_FW, P_CQC, P_PAMMS, P_RISK, P_AGES, P_RATE, P_ACTIVE, P_EMBARGO, P_COUNT };

static void providers_draw(struct tui *t, struct screen *s, int y, int h)
{
	struct providers *pv = s->st;
	int pane = 6;
	int rows = h - 1 - pane;
	screen_scroll(s, rows);
	if (pv->total > 0 && window_misses(&pv->win, s->top, rows, pv->win.base + pv->win.n < pv->total)) {
		load_window(t, s, s->top - rows, 3 * rows + 1);
		screen_scroll(s, rows);
	}
	s->row_y = y + 1; /* for a mouse click */
	bool wide = COLS >= 100;
	int w[P_COUNT] = { wide ? 24 : 18, 3, wide ? 12 : 10, wide ? 10 : 9, 5, 5, wide ? 8 : 7, 3, 0 };
	int used = 1;
	for (int i = 0; i < P_COUNT; i++)
		used += w[i] + 1;
	w[P_EMBARGO] = COLS - used - 1;
	static const char *const labels[P_COUNT] = { "PROVIDER", "FW", "CQC", "PAMMS", "RISK", "AGES", "RATE", "ACT",
		                                         "EMBARGO (REASON)" };
	int head = draw_attr(LOOK_HEAD);
	draw_fill(y, 0, COLS, head);
	int x = 1;
	for (int i = 0; i < P_COUNT; i++)
		draw_column(y, &x, w[i], labels[i], i == P_RATE, head);
	for (int r = 0; r < rows; r++) {
		int i = s->top + r, ry = y + 1 + r;
		draw_fill(ry, 0, COLS, A_NORMAL);
		const struct prow *row = row_at(s, i);
		if (!row)
			continue;
		const struct store_provider *p = &row->p;
		bool sel = i == s->cursor;
		int base = sel ? draw_attr(LOOK_SELECT) : (!p->active ? draw_attr(LOOK_DIM) : (int)A_NORMAL);
		if (sel)
			draw_fill(ry, 0, COLS, base);
		char ages[16] = "-", rate[32] = "-", pamms[24];
		if (p->age_min >= 0)
			snprintf(ages, sizeof ages, "%d-%d", p->age_min, p->age_max);
		if (p->rate)
			money_format(p->rate, t->ascii, rate, sizeof rate);
		snprintf(pamms, sizeof pamms, "%s", strcmp(p->pamms, "requires-improvement") == 0 ? "req. impr." :
		         p->pamms[0] ? p->pamms : "-");
		x = 1;
		draw_column(ry, &x, w[P_NAME], p->name, false, base);
		draw_column(ry, &x, w[P_FW], p->framework ? "yes" : "off", false, base);
		draw_column(ry, &x, w[P_CQC], p->cqc_id[0] ? p->cqc_id : "-", false, base);
		draw_column(ry, &x, w[P_PAMMS], pamms, false, base);
		draw_column(ry, &x, w[P_RISK], p->risk, false, sel ? base : draw_attr(risk_look(p->risk)));
		draw_column(ry, &x, w[P_AGES], ages, false, base);
		draw_column(ry, &x, w[P_RATE], rate, true, base);
		draw_column(ry, &x, w[P_ACTIVE], p->active ? "yes" : "no", false, base);
		draw_column(ry, &x, w[P_EMBARGO], p->embargo[0] ? p->embargo : "-", false,
		    sel || !p->embargo[0] ? base : draw_attr(LOOK_RED));
	}
	int py = y + 1 + rows;
	for (int r = 0; r < pane; r++)
		draw_fill(py + r, 0, COLS, A_NORMAL);
	if (pv->total == 0) {
		draw_text(y + 2, 3, COLS - 6, "No providers yet: c adds one (team leaders).", draw_attr(LOOK_TITLE), false);
		return;
	}
	const struct prow *cur = row_at(s, s->cursor);
	if (cur && (pv->built_width != COLS - 2 || pv->detail_id != cur->p.id))
		build(t, s, COLS - 2);
	draw_hline(py, 0, COLS, t->ascii);
	tv_draw(&pv->tv, 0, py + 1, pane - 1, -1, 0);
}

static void providers_context(struct tui *t, const struct screen *s, char *buf, size_t len)
{
	(void)t;
	const struct providers *pv = s->st;
	snprintf(buf, len, "Provider register: %d provider%s (framework first); r shows a ranking", pv->total,
	         pv->total == 1 ? "" : "s");
}

const struct screen_ops screen_providers_ops = {
	.id = SCR_PROVIDERS,
	.open = providers_open,
	.close = providers_close,
	.reload = load,
	.draw = providers_draw,
	.rows = providers_rows,
	.matches = providers_matches,
	.context = providers_context,
	.cursor_rows = true,
};

/* ---- the form: checks that mirror the core's ---- */

/* Text of at most max bytes with no control characters; else why, in err. */
static bool check_text(const char *v, size_t max, const char *why, char *err, size_t len)
{
	if (strlen(v) > max || text_has_controls(v)) {
		snprintf(err, len, "%s", why);
		return false;
	}
	return true;
}

static bool check_name(struct tui *t, const char *v, char *err, size_t len)
{
	(void)t;
	return check_text(v, 100, "a provider's name is 1 to 100 characters with no control characters", err, len);
}

static bool check_cqc(struct tui *t, const char *v, char *err, size_t len)
{
	(void)t;
	return check_text(v, 30, "a CQC location id is up to 30 characters, e.g. 1-123456789", err, len);
}

static bool check_ages(struct tui *t, const char *v, char *err, size_t len)
{
	(void)t;
	int lo, hi;
	if (!bk_parse_ages(v, &lo, &hi)) {
		snprintf(err, len, "give the ages served as FROM-TO in years, e.g. 0-18 or 16-25");
		return false;
	}
	return true;
}

static bool check_embargo(struct tui *t, const char *v, char *err, size_t len)
{
	(void)t;
	return check_text(v, 250, "the embargo's reason is up to 250 characters", err, len);
}

/* Capacity as typed: "North=40 East=12.5 West=none", by spaces or commas. */
#define CAP_NOT_GIVEN (-2)
static bool parse_capacity(const struct bk_settings *set, const char *text, int *minutes, char *err, size_t len)
{
	for (int d = 0; d < set->n_districts; d++)
		minutes[d] = CAP_NOT_GIVEN;
	char buf[FORM_VALUE_MAX];
	snprintf(buf, sizeof buf, "%s", text);
	char *save = NULL;
	for (char *tok = strtok_r(buf, " ,;", &save); tok; tok = strtok_r(NULL, " ,;", &save)) {
		char *eq = strchr(tok, '=');
		if (!eq) {
			snprintf(err, len, "'%.40s': write DISTRICT=HOURS, e.g. North=40 (or North=none)", tok);
			return false;
		}
		*eq = '\0';
		int d = bk_settings_district_index(set, tok);
		if (d < 0) {
			snprintf(err, len, "'%.40s' is not a configured district", tok);
			return false;
		}
		const char *h = eq + 1;
		char msg[200];
		if (strcmp(h, "none") == 0)
			minutes[d] = -1;
		else if (strcmp(h, "0") == 0)
			minutes[d] = 0;
		else if (!hours_parse(h, &minutes[d], msg, sizeof msg)) {
			snprintf(err, len, "%s: %s", set->districts[d].name, msg);
			return false;
		}
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
	int i = field(f, which);
	const char *v = form_value(f, i);
	return strcmp(v, f->field[i].original) == 0 ? NULL : v;
}

static void provider_fields(struct tui *t, struct form *f, bool add)
{
	(void)t;
	struct form_field *ff;
	if (add) {
		ff = form_add(f, FIELD_TEXT, "Name", "provider-name", "as the provider trades; it names the provider everywhere", true);
		ff->own_check = check_name;
	}
	form_add(f, FIELD_CHECK, "Framework", NULL, "ticked: on the framework (can be ranked); not: off-framework (spot)",
	         false);
	ff = form_add(f, FIELD_TEXT, "CQC location id", NULL, "e.g. 1-123456789; empty when not registered", false);
	ff->own_check = check_cqc;
	ff = form_add(f, FIELD_CHOICE, "PAMMS rating", NULL, "Left/Right or the first letter", false);
	form_choice(ff, "not rated");
	form_choice(ff, "excellent");
	form_choice(ff, "good");
	form_choice(ff, "requires-improvement");
	form_choice(ff, "poor");
	ff = form_add(f, FIELD_CHOICE, "Risk", NULL, "red: no new work; amber: offered with a warning", true);
	form_choice(ff, "green");
	form_choice(ff, "amber");
	form_choice(ff, "red");
	ff = form_add(f, FIELD_TEXT, "Ages served", NULL, "FROM-TO in years, e.g. 0-18; empty when any age", false);
	ff->own_check = check_ages;
	form_add(f, FIELD_TEXT, "Rate an hour", "rate", "pounds, e.g. 24.50; empty when not kept", false);
	ff = form_add(f, FIELD_TEXT, "Embargo reason", "embargo", "empty: no embargo; a reason embargoes new placements",
	              false);
	ff->own_check = check_embargo;
	form_add(f, FIELD_CHECK, "Active", NULL, "Space to tick; an inactive provider is never approached", false);
	ff = form_add(f, FIELD_TEXT, "Capacity", NULL, "hours a week by district: North=40 East=12.5 West=none", false);
	ff->own_check = check_capacity;
}

/* The capacity entries that differ from before, as the core takes them. */
static int capacity_changes(struct tui *t, const char *before, const char *after, char (*store)[96],
                            const char **out)
{
	const struct bk_settings *set = t->ctx->settings;
	int old[BK_MAX_DISTRICTS], now[BK_MAX_DISTRICTS], n = 0;
	char err[200];
	if (!parse_capacity(set, before, old, err, sizeof err))
		for (int d = 0; d < set->n_districts; d++)
			old[d] = CAP_NOT_GIVEN;
	if (!parse_capacity(set, after, now, err, sizeof err))
		return -1;
	for (int d = 0; d < set->n_districts; d++) {
		int o = old[d] == CAP_NOT_GIVEN ? -1 : old[d];
		int v = now[d] == CAP_NOT_GIVEN ? -1 : now[d];
		if (o == v)
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

/* Referrals where the provider holds an open offer (at most max, as
 * "CYP-1 (ref 3)"), for the embargo's confirmation. */
struct held_scan {
	int64_t *ids;
	int n, cap;
};

static int searching_cb(void *ud, const struct store_referral *r)
{
	struct held_scan *h = ud;
	if (h->n == h->cap) {
		int cap = h->cap ? h->cap * 2 : 256;
		int64_t *v = realloc(h->ids, (size_t)cap * sizeof *v);
		if (!v)
			return 1;
		h->ids = v;
		h->cap = cap;
	}
	h->ids[h->n++] = r->id;
	return 0;
}

struct open_find {
	int64_t provider_id;
	bool found;
};

static int offer_cb(void *ud, const struct store_offer *o)
{
	struct open_find *f = ud;
	if (o->provider_id == f->provider_id && (o->status == WF_OFFER_SENT || o->status == WF_OFFER_INFO_REQUESTED))
		f->found = true;
	return 0;
}

static void open_offers_text(struct tui *t, int64_t provider_id, int64_t count, char *buf, size_t len)
{
	buf[0] = '\0';
	if (count <= 0)
		return;
	struct held_scan h = { 0 };
	struct store_referral_filter f = { .status = "searching" };
	bk_referral_each(t->ctx, &f, searching_cb, &h);
	size_t off = 0;
	int found = 0;
	for (int i = 0; i < h.n && found < count && found < 8; i++) {
		struct open_find of = { provider_id, false };
		bk_offer_each(t->ctx, h.ids[i], offer_cb, &of);
		if (!of.found)
			continue;
		struct store_referral *r = malloc(sizeof *r);
		if (r && bk_referral_get(t->ctx, h.ids[i], r) == BK_OK)
			append(buf, len, &off, "%s%s (referral %lld)", found ? ", " : "", r->case_ref,
			       (long long)r->id);
		free(r);
		found++;
	}
	if (count > found)
		append(buf, len, &off, "%s and %lld more", found ? "," : "", (long long)(count - found));
	free(h.ids);
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
	int n = capacity_changes(t, "", value(f, F_CAPACITY), store, in.capacity);
	if (n < 0) {
		snprintf(f->message, sizeof f->message, "Capacity: write DISTRICT=HOURS, e.g. North=40");
		return false;
	}
	in.n_capacity = n;
	int64_t id = 0;
	enum bk_status st = bk_provider_add(t->ctx, &in, &id);
	return form_saved(t, f, st, "Not saved");
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
		if (strcmp(v, "not rated") == 0) {
			snprintf(f->message, sizeof f->message, "PAMMS: a rating once recorded can be changed, not removed");
			return false;
		}
		in.pamms = v;
	}
	in.risk = changed(f, F_RISK);
	if ((v = changed(f, F_AGES))) {
		if (!*v) {
			snprintf(f->message, sizeof f->message, "Ages served: once recorded they can be changed, not emptied");
			return false;
		}
		in.ages = v;
	}
	if ((v = changed(f, F_RATE))) {
		if (!*v) {
			snprintf(f->message, sizeof f->message, "Rate: once recorded it can be changed, not emptied");
			return false;
		}
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
	int i = field(f, F_CAPACITY);
	int n = capacity_changes(t, f->field[i].original, form_value(f, i), store, in.capacity);
	if (n < 0) {
		snprintf(f->message, sizeof f->message, "Capacity: write DISTRICT=HOURS, e.g. North=40");
		return false;
	}
	in.n_capacity = n;
	if (in.framework < 0 && in.active < 0 && !in.cqc && !in.pamms && !in.risk && !in.ages && !in.rate && !in.embargo &&
	    !in.no_embargo && n == 0) {
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
			snprintf(what, sizeof what, "It holds %lld open offer%s: %s. They stand until answered or expired; no new "
			         "offer goes to it.", (long long)open, open == 1 ? "" : "s", held);
		} else {
			snprintf(what, sizeof what, "It holds no open offers. No new offer goes to it.");
		}
		const char *lines[] = { head, "", what };
		if (!tui_confirm(t, "Embargo the provider", lines, 3)) {
			snprintf(f->message, sizeof f->message, "Not saved: change the form, or Esc to leave it");
			return false;
		}
	}
	int open_offers = 0;
	enum bk_status st = bk_provider_set(t->ctx, &in, &open_offers);
	return form_saved(t, f, st, "Not saved");
}

void act_provider_add(struct tui *t, struct screen *s)
{
	(void)s;
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
	const struct prow *r = row_at(s, s->cursor);
	if (!r) {
		tui_message(t, true, "No provider here");
		return;
	}
	struct store_provider p;
	enum bk_status st = bk_provider_get(t->ctx, r->p.id, &p);
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

/* ---- the rankings editor ---- */

struct rentry {
	int64_t id;
	char name[128];
	bool framework, active;
	char risk[8];
	char embargo[96];
	int capacity; /* minutes, -1 when not kept */
};

struct rankings {
	int lot;
	char district[64];
	struct rentry *v;
	int n, cap;
	int64_t *saved; /* the order as stored */
	int n_saved;
	char saved_text[2048];
};

/* e added at the end of the n entries in *v (room for cap). */
static bool entry_push(struct rentry **v, int *n, int *cap, const struct rentry *e)
{
	if (*n == *cap) {
		int more = *cap ? *cap * 2 : 32;
		struct rentry *nv = realloc(*v, (size_t)more * sizeof *nv);
		if (!nv)
			return false;
		*v = nv;
		*cap = more;
	}
	(*v)[(*n)++] = *e;
	return true;
}

static bool rank_push(struct rankings *rk, const struct rentry *e)
{
	return entry_push(&rk->v, &rk->n, &rk->cap, e);
}

static void entry_from(struct rentry *e, const struct store_provider *p, int capacity)
{
	memset(e, 0, sizeof *e);
	e->id = p->id;
	str_copy(e->name, sizeof e->name, p->name);
	e->framework = p->framework;
	e->active = p->active;
	str_copy(e->risk, sizeof e->risk, p->risk);
	str_copy(e->embargo, sizeof e->embargo, p->embargo);
	e->capacity = capacity;
}

static int ranked_provider_cb(void *ud, int rank, const struct store_provider *p, int capacity)
{
	(void)rank;
	struct rankings *rk = ud;
	struct rentry e;
	entry_from(&e, p, capacity);
	return rank_push(rk, &e) ? 0 : 1;
}

static void order_text(const struct rankings *rk, char *buf, size_t len)
{
	size_t off = 0;
	buf[0] = '\0';
	for (int i = 0; i < rk->n && off < len; i++) {
		int w = snprintf(buf + off, len - off, "%s%s", i ? " | " : "", rk->v[i].name);
		if (w < 0)
			break;
		off += (size_t)w;
	}
	if (!rk->n)
		snprintf(buf, len, "(nobody)");
}

static void rankings_load(struct tui *t, struct screen *s)
{
	struct rankings *rk = s->st;
	rk->n = 0;
	enum bk_status st = bk_ranked_providers_each(t->ctx, rk->lot, rk->district, ranked_provider_cb, rk);
	if (st != BK_OK)
		tui_result(t, st);
	free(rk->saved);
	rk->saved = malloc((size_t)(rk->n ? rk->n : 1) * sizeof *rk->saved);
	rk->n_saved = 0;
	for (int i = 0; rk->saved && i < rk->n; i++)
		rk->saved[rk->n_saved++] = rk->v[i].id;
	order_text(rk, rk->saved_text, sizeof rk->saved_text);
}

static bool rankings_dirty(const struct screen *s)
{
	const struct rankings *rk = s->st;
	if (!rk || rk->n != rk->n_saved)
		return rk != NULL;
	for (int i = 0; i < rk->n; i++)
		if (rk->v[i].id != rk->saved[i])
			return true;
	return false;
}

static bool rankings_open(struct tui *t, struct screen *s, void *arg)
{
	const struct rankings_arg *a = arg;
	struct rankings *rk = calloc(1, sizeof *rk);
	if (!rk)
		return false;
	rk->lot = a->lot;
	str_copy(rk->district, sizeof rk->district, a->district);
	s->st = rk;
	rankings_load(t, s);
	return true;
}

static void rankings_close(struct screen *s)
{
	struct rankings *rk = s->st;
	if (rk) {
		free(rk->v);
		free(rk->saved);
	}
	free(rk);
	s->st = NULL;
}

/* Another user's change to the ranking shows only while ours is unsaved-free. */
static void rankings_reload(struct tui *t, struct screen *s)
{
	if (!rankings_dirty(s))
		rankings_load(t, s);
}

static int rankings_rows(const struct screen *s)
{
	const struct rankings *rk = s->st;
	return rk->n;
}

static bool rankings_matches(const struct screen *s, int i, const char *needle)
{
	const struct rankings *rk = s->st;
	return i >= 0 && i < rk->n && text_contains(rk->v[i].name, needle);
}

static void rankings_draw(struct tui *t, struct screen *s, int y, int h)
{
	struct rankings *rk = s->st;
	const struct bk_lot *lot = bk_settings_lot(t->ctx->settings, rk->lot);
	char line[2400];
	for (int r = 0; r < h; r++)
		draw_fill(y + r, 0, COLS, A_NORMAL);
	snprintf(line, sizeof line, "Lot %d %s in %s: rank 1 is approached first", rk->lot, lot ? lot->name : "",
	         rk->district);
	draw_text(y, 1, COLS - 2, line, draw_attr(LOOK_TITLE), false);
	int head = draw_attr(LOOK_HEAD);
	int nw = COLS - 2 - 5 - 1 - 6 - 1 - 10 - 1 - 4 - 1 - 28;
	if (nw > 40)
		nw = 40;
	char name_h[64];
	text_fit("PROVIDER", nw, false, name_h, sizeof name_h);
	snprintf(line, sizeof line, "%4s  %s %-6s %10s %-4s %s", "RANK", name_h, "RISK", "CAPACITY", "ACT", "EMBARGO");
	draw_fill(y + 2, 0, COLS, head);
	draw_text(y + 2, 1, COLS - 2, line, head, true);
	bool dirty = rankings_dirty(s);
	int rows = h - 3 - (dirty ? 3 : 1);
	screen_scroll(s, rows);
	s->row_y = y + 3; /* for a mouse click */
	for (int r = 0; r < rows; r++) {
		int i = s->top + r;
		if (i >= rk->n)
			break;
		const struct rentry *e = &rk->v[i];
		bool sel = i == s->cursor;
		int attr = sel ? draw_attr(LOOK_SELECT) : e->embargo[0] || strcmp(e->risk, "red") == 0 || !e->active
		                                             ? draw_attr(LOOK_DIM) : (int)A_NORMAL;
		char name[256], cap[16] = "-";
		text_fit(e->name, nw, false, name, sizeof name);
		if (e->capacity >= 0)
			hours_format(e->capacity, cap, sizeof cap);
		snprintf(line, sizeof line, "%4d  %s %-6s %10s %-4s %s", i + 1, name, e->risk, cap, e->active ? "yes" : "no",
		         e->embargo[0] ? e->embargo : "-");
		draw_fill(y + 3 + r, 0, COLS, attr);
		draw_text(y + 3 + r, 1, COLS - 2, line, attr, true);
	}
	if (rk->n == 0)
		draw_text(y + 4, 3, COLS - 6, "Nobody is ranked here: a adds a framework provider.", draw_attr(LOOK_TITLE),
		          false);
	if (dirty) {
		char now[2048];
		order_text(rk, now, sizeof now);
		snprintf(line, sizeof line, "Changed, not saved (s saves, q asks): was %s", rk->saved_text);
		draw_text(y + h - 2, 1, COLS - 2, line, draw_attr(LOOK_AMBER), false);
		snprintf(line, sizeof line, "now %s", now);
		draw_text(y + h - 1, 1, COLS - 2, line, draw_attr(LOOK_AMBER), false);
	} else {
		draw_text(y + h - 1, 1, COLS - 2, "Saved. Referrals in flight keep their offers; the next approach uses this "
		          "order.", draw_attr(LOOK_DIM), false);
	}
}

static void rankings_context(struct tui *t, const struct screen *s, char *buf, size_t len)
{
	(void)t;
	const struct rankings *rk = s->st;
	snprintf(buf, len, "Ranking of lot %d in %s: %d provider%s%s", rk->lot, rk->district, rk->n, rk->n == 1 ? "" : "s",
	         rankings_dirty(s) ? "  (changed, not saved)" : "");
}

const struct screen_ops screen_rankings_ops = {
	.id = SCR_RANKINGS,
	.open = rankings_open,
	.close = rankings_close,
	.reload = rankings_reload,
	.draw = rankings_draw,
	.rows = rankings_rows,
	.matches = rankings_matches,
	.context = rankings_context,
	.dirty = rankings_dirty,
	.cursor_rows = true,
};

void act_rankings(struct tui *t, struct screen *s)
{
	const struct bk_settings *set = t->ctx->settings;
	struct rankings_arg a = { 0 };
	int lot_at = 0, district_at = 0;
	bool here = s->ops->id == SCR_RANKINGS;
	if (here) {
		const struct rankings *rk = s->st;
		for (int i = 0; i < set->n_lots; i++)
			if (set->lots[i].number == rk->lot)
				lot_at = i;
		district_at = bk_settings_district_index(set, rk->district);
		if (district_at < 0)
			district_at = 0;
		if (rankings_dirty(s)) {
			const char *lines[] = { "This ranking has changes that are not saved.", "",
				                    "Leave it and lose them?" };
			if (!tui_confirm(t, "Discard the changes?", lines, 3))
				return;
		}
	}
	char text[BK_MAX_LOTS][96];
	const char *items[BK_MAX_DISTRICTS];
	for (int i = 0; i < set->n_lots; i++) {
		snprintf(text[i], sizeof text[i], "%d %s", set->lots[i].number, set->lots[i].name);
		items[i] = text[i];
	}
	int l = tui_choose(t, "Ranking of which lot?", items, set->n_lots, lot_at);
	if (l < 0)
		return;
	for (int i = 0; i < set->n_districts; i++)
		items[i] = set->districts[i].name;
	int d = tui_choose(t, "In which district?", items, set->n_districts, district_at);
	if (d < 0)
		return;
	a.lot = set->lots[l].number;
	str_copy(a.district, sizeof a.district, set->districts[d].name);
	if (here)
		tui_pop(t);
	tui_push(t, SCR_RANKINGS, &a);
}

static void swap(struct rentry *a, struct rentry *b)
{
	struct rentry tmp = *a;
	*a = *b;
	*b = tmp;
}

void act_rank_up(struct tui *t, struct screen *s)
{
	struct rankings *rk = s->st;
	if (s->cursor <= 0 || s->cursor >= rk->n) {
		tui_message(t, true, "Already first");
		return;
	}
	swap(&rk->v[s->cursor], &rk->v[s->cursor - 1]);
	s->cursor--;
	screen_scroll(s, s->page);
	tui_message(t, false, "%s now rank %d (not saved: s saves)", rk->v[s->cursor].name, s->cursor + 1);
}

void act_rank_down(struct tui *t, struct screen *s)
{
	struct rankings *rk = s->st;
	if (s->cursor < 0 || s->cursor + 1 >= rk->n) {
		tui_message(t, true, "Already last");
		return;
	}
	swap(&rk->v[s->cursor], &rk->v[s->cursor + 1]);
	s->cursor++;
	screen_scroll(s, s->page);
	tui_message(t, false, "%s now rank %d (not saved: s saves)", rk->v[s->cursor].name, s->cursor + 1);
}

struct addable {
	const struct rankings *rk;
	struct rentry *v;
	int n, cap;
};

static int addable_cb(void *ud, const struct store_provider *p)
{
	struct addable *a = ud;
	if (!p->framework)
		return 0;
	for (int i = 0; i < a->rk->n; i++)
		if (a->rk->v[i].id == p->id)
			return 0;
	struct rentry e;
	entry_from(&e, p, -1);
	return entry_push(&a->v, &a->n, &a->cap, &e) ? 0 : 1;
}

void act_rank_add(struct tui *t, struct screen *s)
{
	struct rankings *rk = s->st;
	struct addable a = { rk, NULL, 0, 0 };
	bk_provider_each(t->ctx, addable_cb, &a);
	if (a.n == 0) {
		tui_message(t, true, "Every framework provider is ranked here already (c on Providers adds one)");
		free(a.v);
		return;
	}
	char (*text)[200] = calloc((size_t)a.n, sizeof *text);
	const char **items = calloc((size_t)a.n, sizeof *items);
	if (!text || !items) {
		free(text);
		free(items);
		free(a.v);
		return;
	}
	for (int i = 0; i < a.n; i++) {
		const struct rentry *e = &a.v[i];
		snprintf(text[i], sizeof text[i], "%s%s%s%s%s", e->name, strcmp(e->risk, "green") ? "  risk " : "",
		         strcmp(e->risk, "green") ? e->risk : "", e->embargo[0] ? "  embargoed" : "",
		         e->active ? "" : "  inactive");
		items[i] = text[i];
	}
	int k = tui_choose(t, "Add which framework provider?", items, a.n, 0);
	if (k >= 0) {
		struct rentry e = a.v[k];
		int capacity = -1;
		bk_capacity_get(t->ctx, e.id, rk->district, &capacity);
		e.capacity = capacity;
		int at = rk->n ? s->cursor + 1 : 0;
		if (rank_push(rk, &e)) {
			memmove(&rk->v[at + 1], &rk->v[at], (size_t)(rk->n - 1 - at) * sizeof *rk->v);
			rk->v[at] = e;
			s->cursor = at;
			screen_scroll(s, s->page);
			tui_message(t, false, "%s added at rank %d (not saved: s saves)", e.name, at + 1);
		}
	}
	free(text);
	free(items);
	free(a.v);
}

void act_rank_remove(struct tui *t, struct screen *s)
{
	struct rankings *rk = s->st;
	if (s->cursor < 0 || s->cursor >= rk->n) {
		tui_message(t, true, "Nobody here to remove");
		return;
	}
	char name[128];
	str_copy(name, sizeof name, rk->v[s->cursor].name);
	memmove(&rk->v[s->cursor], &rk->v[s->cursor + 1], (size_t)(rk->n - s->cursor - 1) * sizeof *rk->v);
	rk->n--;
	screen_scroll(s, s->page);
	tui_message(t, false, "%s removed (not saved: s saves)", name);
}

void act_rank_save(struct tui *t, struct screen *s)
{
	struct rankings *rk = s->st;
	if (!rankings_dirty(s)) {
		tui_message(t, false, "Nothing changed");
		return;
	}
	char now[2048], head[300], before[2100], after[2100];
	order_text(rk, now, sizeof now);
	snprintf(head, sizeof head, "Save the ranking of lot %d in %s?", rk->lot, rk->district);
	snprintf(before, sizeof before, "Before: %s", rk->saved_text);
	snprintf(after, sizeof after, "After:  %s", now);
	const char *lines[] = { head, "", before, after, "",
		                    "Referrals already in flight keep the offers they were sent; the next approach uses the "
		                    "new order. The change is audited with before and after." };
	if (!tui_confirm(t, "Save the ranking", lines, 6)) {
		tui_message(t, false, "Not saved");
		return;
	}
	const char **names = calloc((size_t)(rk->n ? rk->n : 1), sizeof *names);
	if (!names)
		return;
	for (int i = 0; i < rk->n; i++)
		names[i] = rk->v[i].name;
	enum bk_status st = bk_rank_set(t->ctx, rk->lot, rk->district, names, rk->n);
	free(names);
	if (st == BK_OK)
		rankings_load(t, s);
	tui_result(t, st);
	tui_reload_all(t);
}
