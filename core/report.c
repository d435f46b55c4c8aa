/* The reports as plain tables (the model and its writers are in
 * core/table.c, the exports in core/export.c). Every figure is worked out from the facts on
 * the referral and offer rows that never change once set (created,
 * sourced, closed, answered) and from the audit events, so a report for a
 * past date is true for that date. */
#include <csv.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/internal.h"
#include "core/report.h"
#include "core/report_internal.h"
#include "core/text.h"
#include "storage/store_data.h"

#define OPEN_MINUTE (9 * 60) /* working hours start at 09:00 */
#define DAY_SECONDS 86400

/* ---- helpers for reports ---- */

/* The reports ask the calendar when a day starts, opens and closes for the
 * same few hundred days tens of thousands of times (the response report:
 * four for each of 20,000 offers), and each answer costs the calendar a
 * handful of mktime/localtime calls (half the report's time). The answers
 * are remembered here for the zone in force; a change of zone forgets them
 * (the calendar's generation of zones, not the environment looked up at
 * every call: that lookup was a sixth of the response report). */
#define UTC_MEMO 1024
static struct utc_memo {
	int32_t day;
	int minute;
	int64_t utc;
	bool set;
} utc_memo[UTC_MEMO];
static unsigned utc_memo_generation;

static int64_t utc_at(int32_t day, int minute)
{
	unsigned g = cal_zone_generation();
	if (g != utc_memo_generation) {
		memset(utc_memo, 0, sizeof utc_memo);
		utc_memo_generation = g;
	}
	uint32_t h = ((uint32_t)day * 2654435761u) ^ (uint32_t)minute * 40503u;
	struct utc_memo *m = &utc_memo[h % UTC_MEMO];
	if (!m->set || m->day != day || m->minute != minute)
		*m = (struct utc_memo){ day, minute, cal_utc_at(day, minute), true };
	return m->utc;
}

int32_t local_day(int64_t t)
{
	/* The local day is the UTC day or one either side (offsets are under a
	 * day): the one whose start (remembered above) is the last at or before t. */
	int64_t q = t / DAY_SECONDS - (t % DAY_SECONDS < 0);
	if (q > INT32_MAX - 2 || q < INT32_MIN + 2)
		goto slow;
	int32_t d = (int32_t)q;
	int64_t a = utc_at(d, 0), b = utc_at(d + 1, 0);
	if (a >= b)
		goto slow; /* a day the clocks skipped: the calendar knows */
	if (t < a) {
		if (utc_at(d - 1, 0) > t || utc_at(d - 1, 0) >= a)
			goto slow;
		return d - 1;
	}
	if (t >= b) {
		if (utc_at(d + 2, 0) <= t || utc_at(d + 2, 0) <= b)
			goto slow;
		return d + 1;
	}
	return d;
slow:;
	int32_t day;
	cal_local(t, &day, NULL);
	return day;
}

static int32_t today(const struct bk_ctx *ctx)
{
	return local_day(ctx->now);
}

/* The instant a local day begins. */
static int64_t day_start(int32_t day)
{
	return utc_at(day, 0);
}

/* Seconds of [from, to) within the working hours of one day. */
static int64_t overlap_seconds(int32_t day, int open, int close, int64_t from, int64_t to)
{
	int64_t a = utc_at(day, open), b = utc_at(day, close);
	int64_t lo = from > a ? from : a, hi = to < b ? to : b;
	return hi > lo ? hi - lo : 0;
}

int64_t bk_working_minutes(const struct bk_ctx *ctx, int64_t from, int64_t to)
{
	int open = OPEN_MINUTE, close = ctx->settings->close_minute;
	if (to <= from || close <= open)
		return 0;
	int32_t d1 = local_day(from), d2 = local_day(to);
	/* seconds first, minutes at the end: the parts of the first and the
	 * last day are not whole minutes each, though their sum may be */
	int64_t seconds = 0;
	if (cal_is_working_day(&ctx->cal, d1))
		seconds += overlap_seconds(d1, open, close, from, to);
	if (d2 != d1 && cal_is_working_day(&ctx->cal, d2))
		seconds += overlap_seconds(d2, open, close, from, to);
	if (d2 - d1 > 1)
		seconds += (int64_t)cal_working_days_between(&ctx->cal, d1, d2 - 1) * (close - open) * 60;
	return seconds / 60;
}

static enum bk_status param_date(struct bk_ctx *ctx, const char *opt, const char *text, int32_t dflt, int32_t *out)
{
	char err[256];
	if (!text || !*text) {
		*out = dflt;
		return BK_OK;
	}
	if (!cal_parse_date(text, out, err, sizeof err))
		return bk_fail(ctx, BK_USAGE, "--%s: %s", opt, err);
	return BK_OK;
}

static void date_text(int32_t day, char *buf, size_t len)
{
	cal_format_date(day, buf, len);
}

/* A report over a range of days: its table titled "BEFORE FROM to TO
 * AFTER", the range its parameters; NULL with ctx->msg set when out of
 * memory. */
static struct bk_table *range_table(struct bk_ctx *ctx, const char *name, const char *before, const char *after,
                                    int32_t from, int32_t to)
{
	char a[16], b[16], title[160];
	date_text(from, a, sizeof a);
	date_text(to, b, sizeof b);
	snprintf(title, sizeof title, "%s %s to %s%s", before, a, b, after);
	struct bk_table *t = bk_table_create(name, title);
	if (!t) {
		bk_fail(ctx, BK_STORAGE, "out of memory");
		return NULL;
	}
	bk_table_param(t, "from", a);
	bk_table_param(t, "to", b);
	return t;
}

static int64_t round_div(int64_t num, int64_t den)
{
	if (den <= 0)
		return 0;
	return num >= 0 ? (num * 2 + den) / (den * 2) : -((-num * 2 + den) / (den * 2));
}


static int collect_provider(void *ud, const struct store_provider *p)
{
	struct provider_set *s = ud;
	return vec_collect(&s->p, p, &s->failed);
}

static int cmp_provider_id(const void *a, const void *b)
{
	const struct store_provider *x = a, *y = b;
	return (x->id > y->id) - (x->id < y->id);
}

enum bk_status load_providers(struct bk_ctx *ctx, struct provider_set *s)
{
	memset(s, 0, sizeof *s);
	enum store_status ss = store_provider_each(ctx->store, collect_provider, s);
	if (s->failed) {
		vec_free(&s->p);
		return bk_fail(ctx, BK_STORAGE, "out of memory reading providers");
	}
	if (ss != STORE_OK) {
		vec_free(&s->p);
		return bk_from_store(ctx, ss);
	}
	if (s->p.n)
		qsort(s->p.v, s->p.n, sizeof s->p.v[0], cmp_provider_id);
	return BK_OK;
}

static const struct store_provider *provider_of(const struct provider_set *s, int64_t id)
{
	struct store_provider key = { .id = id };
	if (!s->p.n)
		return NULL;
	return bsearch(&key, s->p.v, s->p.n, sizeof s->p.v[0], cmp_provider_id);
}

const char *provider_name(const struct provider_set *s, int64_t id)
{
	const struct store_provider *p = provider_of(s, id);
	return p ? p->name : "(unknown provider)";
}

static int lot_index(const struct bk_settings *s, int lot)
{
	for (int i = 0; i < s->n_lots; i++)
		if (s->lots[i].number == lot)
			return i;
	return -1;
}

static void key_of(const char *prefix, const char *name, char *buf, size_t len)
{
	size_t off = (size_t)snprintf(buf, len, "%s", prefix);
	for (const char *p = name; *p && off + 1 < len; p++) {
		char c = *p;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
			c = '_';
		buf[off++] = c;
	}
	buf[off] = '\0';
}

static enum bk_status table_done(struct bk_ctx *ctx, struct bk_table *t, struct bk_table **out)
{
	bool failed = false;
	for (struct bk_table *p = t; p; p = p->next)
		failed = failed || p->failed;
	if (failed) {
		bk_table_destroy(t);
		return bk_fail(ctx, BK_STORAGE, "out of memory building the report");
	}
	*out = t;
	return BK_OK;
}

/* The day a referral started waiting: its panel date, else the day recorded. */
static int32_t waiting_from(const struct store_report_referral *r)
{
	return r->panel_date != STORE_NO_DATE ? r->panel_date : local_day(r->created_at);
}

/* ---- what was in place when (issue 17) ---- */

/* A package in place from `from` until it was handed back (`until`, 0
 * while it is in place): the referral's own sourced columns, the one in
 * place now, or one handed back, kept on its offer or spot request. A
 * report asks these, never the referral's columns alone, so a package
 * handed back still counts for the days it was in place. */
struct placement {
	int64_t provider_id;
	const char *route; /* "framework", "spot", "" */
	bool spot;
	int64_t from, until;
	int lot;
	const char *district;
	int hours_minutes;
	int64_t weekly_cost;
	int64_t framework_rate; /* a spot package's recorded rate, -1: the lot's */
	int32_t ended_on;       /* the package in place now: the day it ends; STORE_NO_DATE none */
};

struct placements {
	VEC(struct store_report_placement) v; /* by referral, then when sourced */
	bool failed;
};

static int collect_placement(void *ud, const struct store_report_placement *p)
{
	struct placements *ps = ud;
	struct store_report_placement *e = vec_push(&ps->v);
	if (!e) {
		ps->failed = true;
		return 1;
	}
	*e = *p;
	return 0;
}

/* Every package handed back, with the weekly cost of a framework package
 * worked out as its confirmation did: the provider's own rate, else the
 * lot's, for the hours then. */
static enum bk_status load_placements(struct bk_ctx *ctx, struct placements *ps)
{
	memset(ps, 0, sizeof *ps);
	enum store_status ss = store_report_placements_past(ctx->store, collect_placement, ps);
	if (ps->failed || ss != STORE_OK) {
		vec_free(&ps->v);
		return ps->failed ? bk_fail(ctx, BK_STORAGE, "out of memory") : bk_from_store(ctx, ss);
	}
	for (size_t i = 0; i < ps->v.n; i++) {
		struct store_report_placement *p = &ps->v.v[i];
		if (p->weekly_cost >= 0)
			continue;
		const struct bk_lot *lot = bk_settings_lot(ctx->settings, p->lot);
		int64_t rate = p->provider_rate > 0 ? p->provider_rate : lot ? lot->framework_rate : 0;
		p->weekly_cost = money_weekly_cost(rate, p->hours_minutes);
	}
	return BK_OK;
}

static void placements_free(struct placements *ps)
{
	vec_free(&ps->v);
}

/* The packages of one referral in the order they were in place: those
 * handed back, then the one in place now. */
struct placement_walk {
	const struct store_report_referral *r;
	const struct store_report_placement *next, *end;
	bool current_done;
};

static void walk_start(struct placement_walk *w, const struct placements *ps, const struct store_report_referral *r)
{
	size_t lo = 0, hi = ps ? ps->v.n : 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ps->v.v[mid].referral_id < r->id)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t end = lo;
	while (ps && end < ps->v.n && ps->v.v[end].referral_id == r->id)
		end++;
	*w = (struct placement_walk){ r, ps ? ps->v.v + lo : NULL, ps ? ps->v.v + end : NULL, false };
}

static bool walk_next(struct placement_walk *w, struct placement *p)
{
	if (w->next && w->next < w->end) {
		const struct store_report_placement *x = w->next++;
		*p = (struct placement){
			.provider_id = x->provider_id,
			.route = x->spot ? "spot" : "framework",
			.spot = x->spot,
			.from = x->from,
			.until = x->until,
			.lot = x->lot,
			.district = x->district,
			.hours_minutes = x->hours_minutes,
			.weekly_cost = x->weekly_cost,
			.framework_rate = x->framework_rate,
			.ended_on = STORE_NO_DATE,
		};
		return true;
	}
	const struct store_report_referral *r = w->r;
	if (w->current_done || !r->sourced_at)
		return false;
	w->current_done = true;
	*p = (struct placement){
		.provider_id = r->sourced_provider_id,
		.route = r->route,
		.spot = strcmp(r->route, "spot") == 0,
		.from = r->sourced_at,
		.lot = r->lot,
		.district = r->district,
		.hours_minutes = r->hours_minutes,
		.weekly_cost = r->weekly_cost,
		.framework_rate = r->spot_framework_rate,
		.ended_on = r->ended_on,
	};
	return true;
}

/* In place at instant t: sourced at or before it and not handed back by it. */
static bool placed_at(const struct placement *p, int64_t t)
{
	return p->from <= t && (!p->until || p->until > t);
}

/* Waiting at the end of day `day` (t: the instant the next day begins):
 * from its start, not closed, and no package in place at that moment. */
static bool waiting_walk(const struct placement_walk *start, const struct store_report_referral *r, int32_t from,
                         int32_t day, int64_t t)
{
	if (from > day)
		return false;
	if (r->closed_at && r->closed_at < t)
		return false;
	struct placement_walk w = *start;
	struct placement p;
	while (walk_next(&w, &p))
		if (placed_at(&p, t - 1))
			return false;
	return true;
}

static bool waiting_at(const struct placements *ps, const struct store_report_referral *r, int32_t from, int32_t day,
                       int64_t t)
{
	struct placement_walk w;
	walk_start(&w, ps, r);
	return waiting_walk(&w, r, from, day, t);
}

/* The package active on a day: sourced on or before it, not handed back
 * or ended on or before it. */
static bool active_on(const struct placements *ps, const struct store_report_referral *r, int32_t day,
                      struct placement *out)
{
	if (r->status == WF_WITHDRAWN && r->closed_at && local_day(r->closed_at) <= day)
		return false;
	struct placement_walk w;
	struct placement p;
	walk_start(&w, ps, r);
	while (walk_next(&w, &p)) {
		if (local_day(p.from) > day)
			continue;
		if (p.until && local_day(p.until) <= day)
			continue;
		if (p.ended_on != STORE_NO_DATE && p.ended_on <= day)
			continue;
		*out = p;
		return true;
	}
	return false;
}

/* ---- what an offer was at a moment ---- */

/* The history of the offers of one referral: every deadline each has had
 * and every request for information, read once and asked per instant. */
struct timeline {
	VEC(struct store_offer_deadline) d;
	VEC(struct store_offer_info) i;
	bool failed;
};

static int tl_deadline(void *ud, const struct store_offer_deadline *d)
{
	struct timeline *tl = ud;
	return vec_collect(&tl->d, d, &tl->failed);
}

static int tl_info(void *ud, const struct store_offer_info *i)
{
	struct timeline *tl = ud;
	return vec_collect(&tl->i, i, &tl->failed);
}

/* The history of referral's offers made before `before`. */
static enum store_status tl_load(struct bk_ctx *ctx, struct timeline *tl, int64_t referral_id, int64_t before)
{
	vec_clear(&tl->d);
	vec_clear(&tl->i);
	enum store_status ss =
		store_offer_history_of_referral(ctx->store, referral_id, before, tl_deadline, tl_info, tl);
	return ss == STORE_OK && tl->failed ? STORE_ERROR : ss;
}

static void tl_free(struct timeline *tl)
{
	vec_free(&tl->d);
	vec_free(&tl->i);
}

/* The deadline in force on offer o at instant t: the last one set at or
 * before t (the offer's own when the history has none). */
static int64_t tl_deadline_at(const struct timeline *tl, const struct store_report_offer *o, int64_t t)
{
	int64_t d = 0, first = 0;
	for (size_t k = 0; k < tl->d.n; k++) {
		const struct store_offer_deadline *x = &tl->d.v[k];
		if (x->offer_id != o->id)
			continue;
		if (!first)
			first = x->deadline_at;
		if (x->set_at <= t)
			d = x->deadline_at;
	}
	return d ? d : first ? first : o->deadline_at;
}

/* The first request for information on o, 0 when none; and how many. */
static int64_t tl_first_info(const struct timeline *tl, int64_t offer_id, int *count)
{
	int64_t first = 0;
	*count = 0;
	for (size_t k = 0; k < tl->i.n; k++)
		if (tl->i.v[k].offer_id == offer_id) {
			if (!first || tl->i.v[k].requested_at < first)
				first = tl->i.v[k].requested_at;
			(*count)++;
		}
	return first;
}

/* ---- waiting ---- */

#define WEEKS_BACK (BK_WAITING_WEEKS - 1)

struct waiting_row {
	struct store_report_referral r; /* lot, district and hours as they were on the day */
	int64_t next_deadline;          /* the earliest deadline in force among the open offers */
	int64_t current_provider;
	int current_rank;
	int64_t current_sent, current_offer; /* that offer's sending and id: the earlier wins a tie */
	bool clock_stopped;                  /* that offer waits for information the council owes */
	bool expired;                        /* an offer expired unanswered by the end of the day */
	int64_t running;                     /* the earliest deadline of an open offer whose clock runs */
	bool breached;
};

struct waiting_state {
	struct bk_ctx *ctx;
	int32_t on;
	int64_t at; /* end of the day asked about */
	int64_t week_end[WEEKS_BACK + 1];
	int weekly[WEEKS_BACK + 1];
	struct placements pl; /* the packages handed back */
	VEC(struct waiting_row) rows;
	VEC(struct store_waiting_offer) offers; /* of the referrals open then, read beside them */
	bool failed;
};

/* A referral open at the end of the day: its row kept when it was
 * waiting then. */
static int waiting_referral(void *ud, const struct store_report_referral *r)
{
	struct waiting_state *w = ud;
	if (!waiting_at(&w->pl, r, waiting_from(r), w->on, w->at))
		return 0;
	struct waiting_row *row = vec_push(&w->rows);
	if (!row) {
		w->failed = true;
		return 1;
	}
	row->r = *r;
	return 0;
}

/* The weeks alone (the trend), from the few columns that say when. */
static int waiting_span(void *ud, const struct store_report_referral *r)
{
	struct waiting_state *w = ud;
	int32_t from = waiting_from(r);
	struct placement_walk pw;
	walk_start(&pw, &w->pl, r);
	for (int k = 0; k <= WEEKS_BACK; k++)
		if (waiting_walk(&pw, r, from, w->on - 7 * (WEEKS_BACK - k), w->week_end[k]))
			w->weekly[k]++;
	return 0;
}

/* Whether offer o was sent before the one the row shows (by time, then id). */
static bool sent_before(const struct waiting_row *row, const struct store_report_offer *o)
{
	return o->sent_at < row->current_sent || (o->sent_at == row->current_sent && o->id < row->current_offer);
}

static void show_offer(struct waiting_row *row, const struct store_report_offer *o, bool stopped)
{
	row->current_provider = o->provider_id;
	row->current_rank = o->rank;
	row->current_sent = o->sent_at;
	row->current_offer = o->id;
	row->clock_stopped = stopped;
}

static int waiting_offer_collect(void *ud, const struct store_waiting_offer *wo)
{
	struct waiting_state *w = ud;
	return vec_collect(&w->offers, wo, &w->failed);
}

static int cmp_waiting_row(const void *a, const void *b)
{
	int64_t x = ((const struct waiting_row *)a)->r.id, y = ((const struct waiting_row *)b)->r.id;
	return (x > y) - (x < y);
}

/* The row of referral id, NULL when it was not waiting (rows by id). */
static struct waiting_row *waiting_row_of(struct waiting_state *w, int64_t id)
{
	size_t lo = 0, hi = w->rows.n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (w->rows.v[mid].r.id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < w->rows.n && w->rows.v[lo].r.id == id ? &w->rows.v[lo] : NULL;
}

/* An offer of a referral (they come in no particular order): the row
 * shows the open offer with the earliest deadline whose clock runs (the
 * first sent of those on a tie), else the first sent of those whose clock
 * is stopped. */
static void waiting_offer(struct waiting_state *w, const struct store_waiting_offer *wo)
{
	const struct store_report_offer *o = &wo->o;
	struct waiting_row *row = waiting_row_of(w, o->referral_id);
	if (!row)
		return; /* not waiting on the day (it came after the day asked about) */
	/* as it stood at the end of the day: `at` is the next day's first instant */
	int64_t last = w->at - 1;
	if (o->status == WF_OFFER_EXPIRED && o->closed_at && o->closed_at <= last)
		row->expired = true;
	bool open = o->sent_at <= last && (o->closed_at == 0 || o->closed_at > last);
	if (!open)
		return;
	/* the deadline in force then: the last set before `at` (the offer's own when none was recorded) */
	int64_t deadline = wo->deadline_then ? wo->deadline_then : o->deadline_at;
	/* a stopped clock has no deadline to show: the one it had would look passed */
	if (wo->stopped_then) {
		if (!row->current_provider || (row->clock_stopped && sent_before(row, o)))
			show_offer(row, o, true);
		return;
	}
	if (!row->running || deadline < row->running)
		row->running = deadline;
	if (row->clock_stopped || !row->next_deadline || deadline < row->next_deadline ||
	    (deadline == row->next_deadline && sent_before(row, o))) {
		row->next_deadline = deadline;
		show_offer(row, o, false);
	}
}

enum bk_status bk_waiting_weekly(struct bk_ctx *ctx, int32_t *days, int *counts, int *n)
{
	int32_t on = today(ctx);
	struct waiting_state w = { .ctx = ctx, .on = on };
	for (int k = 0; k <= WEEKS_BACK; k++)
		w.week_end[k] = day_start(on + 1 - 7 * (WEEKS_BACK - k));
	enum bk_status st = load_placements(ctx, &w.pl);
	if (st != BK_OK)
		return st;
	enum store_status ss = store_report_referral_spans(ctx->store, w.week_end[0], waiting_span, &w);
	placements_free(&w.pl);
	if (ss != STORE_OK)
		return bk_from_store(ctx, ss);
	for (int k = 0; k <= WEEKS_BACK; k++) {
		days[k] = on - 7 * (WEEKS_BACK - k);
		counts[k] = w.weekly[k];
	}
	*n = WEEKS_BACK + 1;
	return BK_OK;
}

static enum bk_status report_waiting(struct bk_ctx *ctx, const struct bk_report_params *p, struct bk_table **out)
{
	int32_t on;
	enum bk_status st = param_date(ctx, "on", p->on, today(ctx), &on);
	if (st != BK_OK)
		return st;
	const struct bk_settings *s = ctx->settings;
	/* the end of the day asked about, or now when that is today: what is
	 * not yet known is not reported */
	int64_t end = day_start(on + 1);
	struct waiting_state w = { .ctx = ctx, .on = on, .at = end < ctx->now + 1 ? end : ctx->now + 1 };
	for (int k = 0; k <= WEEKS_BACK; k++)
		w.week_end[k] = day_start(on + 1 - 7 * (WEEKS_BACK - k));
	struct provider_set provs;
	if ((st = load_providers(ctx, &provs)) != BK_OK)
		return st;
	if ((st = load_placements(ctx, &w.pl)) != BK_OK) {
		vec_free(&provs.p);
		return st;
	}
	/* The weeks from the few columns that say when, for the referrals
	 * that may have waited at one of the moments counted (one sourced or
	 * closed before the first of them never did); then the whole rows of
	 * those open at the end of the day, with the lot, district and hours
	 * of each as they were then, and their offers with their deadlines and
	 * clocks as they were. */
	enum store_status ss =
		store_report_referral_spans(ctx->store, w.week_end[0] < w.at ? w.week_end[0] : w.at, waiting_span, &w);
	if (ss == STORE_OK)
		ss = store_report_waiting(ctx->store, w.at, waiting_referral, waiting_offer_collect, &w);
	if (!w.failed && ss == STORE_OK) {
		if (w.rows.n > 1) /* none: no array to sort */
			qsort(w.rows.v, w.rows.n, sizeof w.rows.v[0], cmp_waiting_row);
		size_t n = 0; /* a referral read twice (a server need not keep its offers together) kept once */
		for (size_t i = 0; i < w.rows.n; i++)
			if (!n || w.rows.v[n - 1].r.id != w.rows.v[i].r.id)
				w.rows.v[n++] = w.rows.v[i];
		w.rows.n = n;
		for (size_t i = 0; i < w.offers.n; i++)
			waiting_offer(&w, &w.offers.v[i]);
	}
	vec_free(&w.offers);
	for (size_t i = 0; i < w.rows.n; i++) {
		struct waiting_row *x = &w.rows.v[i];
		x->breached = wf_breached(true, x->expired, x->running, w.at);
	}
	if (w.failed || ss != STORE_OK) {
		vec_free(&w.rows);
		vec_free(&provs.p);
		placements_free(&w.pl);
		return w.failed ? bk_fail(ctx, BK_STORAGE, "out of memory") : bk_from_store(ctx, ss);
	}
	char d[16], title[128];
	date_text(on, d, sizeof d);
	snprintf(title, sizeof title, "Waiting list on %s", d);
	struct bk_table *t = bk_table_create("waiting", title);
	if (!t) {
		vec_free(&w.rows);
		vec_free(&provs.p);
		placements_free(&w.pl);
		return bk_fail(ctx, BK_STORAGE, "out of memory");
	}
	bk_table_param(t, "on", d);
	int c_id = bk_table_add_column(t, "id", "Referral", NULL, BK_COL_INT);
	int c_case = bk_table_add_column(t, "case_ref", "Case", NULL, BK_COL_TEXT);
	int c_lot = bk_table_add_column(t, "lot", "Lot", NULL, BK_COL_INT);
	int c_dist = bk_table_add_column(t, "district", "District", NULL, BK_COL_TEXT);
	int c_hours = bk_table_add_column(t, "hours", "Hours a week", NULL, BK_COL_HOURS);
	int c_since = bk_table_add_column(t, "waiting_since", "Waiting since", NULL, BK_COL_DATE);
	int c_days = bk_table_add_column(t, "waited_days", "Days waited", NULL, BK_COL_INT);
	int c_wdays = bk_table_add_column(t, "waited_working_days", "Working days waited", NULL, BK_COL_INT);
	int c_step = bk_table_add_column(t, "current_provider", "Approached", NULL, BK_COL_TEXT);
	int c_rank = bk_table_add_column(t, "current_rank", "Rank", NULL, BK_COL_INT);
	int c_dl = bk_table_add_column(t, "next_deadline", "Next deadline", NULL, BK_COL_TIME);
	int c_clock = bk_table_add_column(t, "clock", "Clock", NULL, BK_COL_TEXT);
	int c_br = bk_table_add_column(t, "breached", "Breached", NULL, BK_COL_TEXT);
	int c_status = bk_table_add_column(t, "status_now", "Status now", NULL, BK_COL_TEXT);
	if (c_status >= 0)
		t->cols[c_status].words = true;
	int c_holder = bk_table_add_column(t, "holder", "Held by (now)", NULL, BK_COL_TEXT);
	int grid[BK_MAX_LOTS][BK_MAX_DISTRICTS];
	memset(grid, 0, sizeof grid);
	int breached = 0, unplaced = 0;
	for (size_t i = 0; i < w.rows.n; i++) {
		const struct waiting_row *x = &w.rows.v[i];
		int row = bk_table_add_row(t, BK_ROW_DATA);
		int32_t from = waiting_from(&x->r);
		bk_table_set(t, row, c_id, x->r.id);
		bk_table_set_text(t, row, c_case, x->r.case_ref);
		bk_table_set(t, row, c_lot, x->r.lot);
		bk_table_set_text(t, row, c_dist, x->r.district);
		bk_table_set(t, row, c_hours, x->r.hours_minutes);
		bk_table_set(t, row, c_since, from);
		bk_table_set(t, row, c_days, on > from ? on - from : 0);
		bk_table_set(t, row, c_wdays, cal_working_days_between(&ctx->cal, from, on));
		if (x->next_deadline) {
			bk_table_set_text(t, row, c_step, provider_name(&provs, x->current_provider));
			bk_table_set(t, row, c_rank, x->current_rank);
			bk_table_set(t, row, c_dl, x->next_deadline);
			bk_table_set_text(t, row, c_clock, "running");
		} else if (x->clock_stopped) {
			bk_table_set_text(t, row, c_step, provider_name(&provs, x->current_provider));
			bk_table_set(t, row, c_rank, x->current_rank);
			bk_table_set_text(t, row, c_clock, "stopped: we owe information");
		}
		bk_table_set_text(t, row, c_br, x->breached ? "yes" : "no");
		bk_table_set_text(t, row, c_status, wf_status_name(x->r.status));
		bk_table_set_text(t, row, c_holder, x->r.holder);
		breached += x->breached;
		int li = lot_index(s, x->r.lot), di = bk_settings_district_index(s, x->r.district);
		if (li >= 0 && di >= 0)
			grid[li][di]++;
		else
			unplaced++;
	}
	if (w.at < end) {
		char now[48];
		cal_format_local(ctx->now, now, sizeof now);
		bk_table_note(t, "%d waiting now, %s, %d breached", (int)w.rows.n, now, breached);
	} else {
		bk_table_note(t, "%d waiting at the end of %s, %d breached", (int)w.rows.n, d, breached);
	}
	bk_table_note(t, "A referral waits from its panel date (or the day it was recorded) until it is sourced, ended "
	                 "or withdrawn; a paused referral still waits. Its lot, district, hours and deadlines are as "
	                 "they were at the end of the day; the status and holder are as they are now.");
	bk_table_note(
		t, "Breached: a provider missed a deadline on it by then, that is an offer expired unanswered, or an "
		   "offer was open past its deadline with its clock running (not waiting for information we owe).");
	if (unplaced)
		bk_table_note(t,
		              "%d waiting referral%s in a lot or district no longer in the policy %s counted in the "
		              "total but not in the grid by lot and district",
		              unplaced, unplaced == 1 ? "" : "s", unplaced == 1 ? "is" : "are");

	struct bk_table *g = bk_table_create("waiting_by_lot_district", "Waiting by lot and district");
	if (g) {
		int c_l = bk_table_add_column(g, "lot", "Lot", NULL, BK_COL_TEXT);
		int cd[BK_MAX_DISTRICTS];
		for (int di = 0; di < s->n_districts; di++) {
			char key[96];
			key_of("", s->districts[di].name, key, sizeof key);
			cd[di] = bk_table_add_column(g, key, s->districts[di].name, NULL, BK_COL_INT);
		}
		int c_t = bk_table_add_column(g, "total", "Total", NULL, BK_COL_INT);
		int totals = bk_table_add_row(g, BK_ROW_TOTAL);
		bk_table_set_text(g, totals, c_l, "Total");
		for (int li = 0; li < s->n_lots; li++) {
			int row = bk_table_add_row(g, BK_ROW_DATA);
			char label[96];
			snprintf(label, sizeof label, "%d %s", s->lots[li].number, s->lots[li].name);
			bk_table_set_text(g, row, c_l, label);
			int sum = 0;
			for (int di = 0; di < s->n_districts; di++) {
				bk_table_set(g, row, cd[di], grid[li][di]);
				bk_table_add(g, totals, cd[di], grid[li][di]);
				sum += grid[li][di];
			}
			bk_table_set(g, row, c_t, sum);
			bk_table_add(g, totals, c_t, sum);
		}
		/* The totals row goes last. */
		if (!g->failed && g->n_rows > 1) {
			struct bk_row tot = g->rows[0];
			memmove(&g->rows[0], &g->rows[1], (size_t)(g->n_rows - 1) * sizeof g->rows[0]);
			g->rows[g->n_rows - 1] = tot;
		}
	}
	bk_table_append_part(t, g);
	struct bk_table *h = bk_table_create("waiting_weekly", "Waiting at the end of each of the 16 weeks before");
	if (h) {
		int c_w = bk_table_add_column(h, "week_ending", "Week ending", NULL, BK_COL_DATE);
		int c_n = bk_table_add_column(h, "waiting", "Waiting", NULL, BK_COL_INT);
		for (int k = 0; k <= WEEKS_BACK; k++) {
			int row = bk_table_add_row(h, BK_ROW_DATA);
			bk_table_set(h, row, c_w, on - 7 * (WEEKS_BACK - k));
			bk_table_set(h, row, c_n, w.weekly[k]);
		}
	}
	bk_table_append_part(t, h);
	vec_free(&w.rows);
	vec_free(&provs.p);
	placements_free(&w.pl);
	return table_done(ctx, t, out);
}

/* ---- provision ---- */

struct prov_row {
	int64_t provider_id;
	const char *name;
	int counts[BK_MAX_LOTS * BK_MAX_DISTRICTS];
};

struct prov_block {
	VEC(struct prov_row) rows;
};

struct provision_state {
	struct bk_ctx *ctx;
	int32_t on;
	const struct provider_set *provs;
	const struct placements *pl;
	struct prov_block block[2]; /* framework, off-contract */
	int unplaced;               /* lot or district no longer configured */
	bool failed;
};

static struct prov_row *prov_row_for(struct provision_state *ps, int b, int64_t provider_id)
{
	struct prov_block *blk = &ps->block[b];
	for (size_t i = 0; i < blk->rows.n; i++)
		if (blk->rows.v[i].provider_id == provider_id)
			return &blk->rows.v[i];
	struct prov_row *r = vec_push(&blk->rows);
	if (!r) {
		ps->failed = true;
		return NULL;
	}
	r->provider_id = provider_id;
	r->name = provider_name(ps->provs, provider_id);
	return r;
}

static int provision_referral(void *ud, const struct store_report_referral *r)
{
	struct provision_state *ps = ud;
	struct placement p;
	if (!active_on(ps->pl, r, ps->on, &p))
		return 0;
	const struct bk_settings *s = ps->ctx->settings;
	int li = lot_index(s, p.lot), di = bk_settings_district_index(s, p.district);
	if (li < 0 || di < 0) {
		ps->unplaced++;
		return 0;
	}
	int b = p.spot ? 1 : 0;
	struct prov_row *row = prov_row_for(ps, b, p.provider_id);
	if (!row)
		return 1;
	row->counts[li * s->n_districts + di]++;
	return 0;
}

static int cmp_prov_row(const void *a, const void *b)
{
	const struct prov_row *x = a, *y = b;
	return strcasecmp(x->name, y->name);
}

static void provision_block(struct bk_table *t, const struct bk_settings *s, const struct prov_block *blk,
                            const char *heading, int *grand, const char *kind)
{
	int cells = s->n_lots * s->n_districts;
	int c_total = 1 + cells;
	int row = bk_table_add_row(t, BK_ROW_SECTION);
	bk_table_set_text(t, row, 0, heading);
	int sums[BK_MAX_LOTS * BK_MAX_DISTRICTS];
	memset(sums, 0, sizeof sums);
	int total = 0;
	for (size_t i = 0; i < blk->rows.n; i++) {
		row = bk_table_add_row(t, BK_ROW_DATA);
		bk_table_set_text(t, row, 0, blk->rows.v[i].name);
		int n = 0;
		for (int k = 0; k < cells; k++) {
			bk_table_set(t, row, 1 + k, blk->rows.v[i].counts[k]);
			sums[k] += blk->rows.v[i].counts[k];
			n += blk->rows.v[i].counts[k];
		}
		bk_table_set(t, row, c_total, n);
		total += n;
	}
	row = bk_table_add_row(t, BK_ROW_TOTAL);
	bk_table_set_text(t, row, 0, "Total");
	for (int k = 0; k < cells; k++) {
		bk_table_set(t, row, 1 + k, sums[k]);
		grand[k] += sums[k];
	}
	bk_table_set(t, row, c_total, total);
	/* Support by lots: each lot's total under its first column, as in the
	 * council's sheet; support by districts likewise, one district per lot
	 * group in turn. */
	char by_lot[1024] = "", by_district[1024] = "";
	size_t ol = 0, od = 0;
	row = bk_table_add_row(t, BK_ROW_TOTAL);
	bk_table_set_text(t, row, 0, "Support by lots");
	for (int li = 0; li < s->n_lots; li++) {
		int n = 0;
		for (int di = 0; di < s->n_districts; di++)
			n += sums[li * s->n_districts + di];
		bk_table_set(t, row, 1 + li * s->n_districts, n);
		if (ol < sizeof by_lot)
			ol += (size_t)snprintf(by_lot + ol, sizeof by_lot - ol, "%sLot %d %d", li ? ", " : "",
			                       s->lots[li].number, n);
	}
	bk_table_set(t, row, c_total, total);
	row = bk_table_add_row(t, BK_ROW_TOTAL);
	bk_table_set_text(t, row, 0, "Support by districts");
	for (int di = 0; di < s->n_districts; di++) {
		int n = 0;
		for (int li = 0; li < s->n_lots; li++)
			n += sums[li * s->n_districts + di];
		int col = di < s->n_lots ? 1 + di * s->n_districts : 1 + di;
		bk_table_set(t, row, col, n);
		if (od < sizeof by_district)
			od += (size_t)snprintf(by_district + od, sizeof by_district - od, "%s%s %d", di ? ", " : "",
			                       s->districts[di].name, n);
	}
	bk_table_set(t, row, c_total, total);
	bk_table_note(t, "%s support by lot: %s; total %d", kind, by_lot, total);
	bk_table_note(t, "%s support by district: %s; total %d", kind, by_district, total);
}

static enum bk_status report_provision(struct bk_ctx *ctx, const struct bk_report_params *p, struct bk_table **out)
{
	int32_t on;
	enum bk_status st = param_date(ctx, "on", p->on, today(ctx), &on);
	if (st != BK_OK)
		return st;
	const struct bk_settings *s = ctx->settings;
	struct provider_set provs;
	if ((st = load_providers(ctx, &provs)) != BK_OK)
		return st;
	struct placements pl;
	if ((st = load_placements(ctx, &pl)) != BK_OK) {
		vec_free(&provs.p);
		return st;
	}
	struct provision_state ps = { .ctx = ctx, .on = on, .provs = &provs, .pl = &pl };
	/* Every provider on the framework has its row, packages or none. */
	for (size_t i = 0; i < provs.p.n && !ps.failed; i++)
		if (provs.p.v[i].framework && provs.p.v[i].active)
			prov_row_for(&ps, 0, provs.p.v[i].id);
	enum store_status ss = ps.failed ? STORE_OK : store_report_referrals_each(ctx->store, provision_referral, &ps);
	struct bk_table *t = NULL;
	if (ss != STORE_OK || ps.failed) {
		st = ps.failed ? bk_fail(ctx, BK_STORAGE, "out of memory") : bk_from_store(ctx, ss);
		goto done;
	}
	for (int b = 0; b < 2; b++)
		if (ps.block[b].rows.n)
			qsort(ps.block[b].rows.v, ps.block[b].rows.n, sizeof ps.block[b].rows.v[0], cmp_prov_row);
	char d[16], title[128];
	date_text(on, d, sizeof d);
	snprintf(title, sizeof title, "Framework and off contract provision by provider, by lot, by district @ %s", d);
	t = bk_table_create("provision", title);
	if (!t) {
		st = bk_fail(ctx, BK_STORAGE, "out of memory");
		goto done;
	}
	bk_table_param(t, "on", d);
	bk_table_add_column(t, "provider", "Provider", NULL, BK_COL_TEXT);
	for (int li = 0; li < s->n_lots; li++) {
		char group[128];
		snprintf(group, sizeof group, "Lot %d %s", s->lots[li].number, s->lots[li].name);
		for (int di = 0; di < s->n_districts; di++) {
			char key[128], prefix[16];
			snprintf(prefix, sizeof prefix, "lot%d_", s->lots[li].number);
			key_of(prefix, s->districts[di].name, key, sizeof key);
			bk_table_add_column(t, key, s->districts[di].name, group, BK_COL_INT);
		}
	}
	bk_table_add_column(t, "total", "Total CYP supporting", NULL, BK_COL_INT);
	int grand[BK_MAX_LOTS * BK_MAX_DISTRICTS];
	memset(grand, 0, sizeof grand);
	provision_block(t, s, &ps.block[0], "Framework Provider", grand, "Framework");
	provision_block(t, s, &ps.block[1], "Off Contract Provider", grand, "Off contract");
	int row = bk_table_add_row(t, BK_ROW_TOTAL);
	bk_table_set_text(t, row, 0, "Grand total");
	int all = 0;
	for (int k = 0; k < s->n_lots * s->n_districts; k++) {
		bk_table_set(t, row, 1 + k, grand[k]);
		all += grand[k];
	}
	bk_table_set(t, row, 1 + s->n_lots * s->n_districts, all);
	bk_table_note(t, "Packages active on %s: sourced on or before it and not ended by it; %d in all", d, all);
	if (ps.unplaced)
		bk_table_note(t, "%d active package%s in a lot or district no longer configured %s not shown",
		              ps.unplaced, ps.unplaced == 1 ? "" : "s", ps.unplaced == 1 ? "is" : "are");
	st = table_done(ctx, t, out);
done:
	vec_free(&ps.block[0].rows);
	vec_free(&ps.block[1].rows);
	vec_free(&provs.p);
	placements_free(&pl);
	return st;
}

/* ---- provider response ---- */

/* The moment a report over a range is true for: the end of its last day,
 * or now when that is still to come. */
static int64_t range_end(const struct bk_ctx *ctx, int32_t to)
{
	int64_t end = day_start(to + 1);
	return end < ctx->now + 1 ? end : ctx->now + 1;
}


typedef VEC(int64_t) int_list;

static bool int_push(int_list *l, int64_t x)
{
	int64_t *e = vec_push(l);
	if (e)
		*e = x;
	return e != NULL;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* The median, doubled, so an even count stays exact in integers. */
static int64_t median2(int_list *l)
{
	if (!l->n)
		return 0;
	qsort(l->v, l->n, sizeof l->v[0], cmp_i64);
	if (l->n % 2)
		return 2 * l->v[l->n / 2];
	return l->v[l->n / 2 - 1] + l->v[l->n / 2];
}

struct resp_stat {
	int64_t provider_id;
	const char *name;
	int received, in_time, due, accepted, declined, expired, info, withdrawn, open;
	int handed_back; /* accepted, then the package handed back */
	int_list minutes;
};

/* The offers sent in the period, kept short: the fields the report counts. */
struct resp_item {
	int64_t id, provider_id, sent_at, deadline_at, answered_at, handed_back_at;
	enum wf_offer_status status;
};

struct response_state {
	struct bk_ctx *ctx;
	struct timeline tl; /* the histories of every offer counted */
	VEC(struct resp_item) items;
	const struct provider_set *provs;
	int64_t at; /* the moment it is true for: a hand-back counts from when it was recorded */
	VEC(struct resp_stat) stats;
	struct resp_stat all;
	bool failed;
};

/* What the report counts of one offer, worked out once for its provider's
 * row and the total. An offer's first answer is the first acceptance,
 * decline or request for information; it is in time when it came by the
 * deadline in force then. */
struct resp_offer {
	const struct store_report_offer *o;
	int asked;
	int64_t answer;
	bool in_time;
	int64_t minutes;
};

static void resp_judge(struct bk_ctx *ctx, const struct timeline *tl, const struct store_report_offer *o,
                       struct resp_offer *r)
{
	*r = (struct resp_offer){ .o = o };
	int64_t first_info = tl_first_info(tl, o->id, &r->asked);
	if (o->status == WF_OFFER_ACCEPTED || o->status == WF_OFFER_DECLINED ||
	    (o->status == WF_OFFER_WITHDRAWN && o->answered_at))
		r->answer = o->answered_at;
	if (first_info && (!r->answer || first_info < r->answer))
		r->answer = first_info;
	if (r->answer) {
		r->in_time = r->answer <= tl_deadline_at(tl, o, r->answer);
		r->minutes = bk_working_minutes(ctx, o->sent_at, r->answer);
	}
}

static void resp_count(struct resp_stat *s, const struct resp_offer *r, int64_t at, bool *failed)
{
	const struct store_report_offer *o = r->o;
	s->received++;
	if (o->status == WF_OFFER_ACCEPTED && o->handed_back_at && o->handed_back_at < at)
		s->handed_back++;
	if (o->status == WF_OFFER_ACCEPTED)
		s->accepted++;
	else if (o->status == WF_OFFER_DECLINED)
		s->declined++;
	else if (o->status == WF_OFFER_EXPIRED)
		s->expired++;
	else if (o->status == WF_OFFER_WITHDRAWN)
		s->withdrawn++;
	else
		s->open++;
	if (r->asked)
		s->info++;
	if (r->answer) {
		s->due++;
		if (r->in_time)
			s->in_time++;
		if (!int_push(&s->minutes, r->minutes))
			*failed = true;
	} else if (o->status == WF_OFFER_EXPIRED) {
		s->due++;
	}
}

static int response_collect(void *ud, const struct store_report_offer *o)
{
	struct response_state *rs = ud;
	struct resp_item *e = vec_push(&rs->items);
	if (!e) {
		rs->failed = true;
		return 1;
	}
	*e = (struct resp_item){ o->id,          o->provider_id,    o->sent_at, o->deadline_at,
		                 o->answered_at, o->handed_back_at, o->status };
	return 0;
}

static int response_offer(struct response_state *rs, const struct timeline *tl, const struct resp_item *it)
{
	struct store_report_offer o;
	o.id = it->id;
	o.provider_id = it->provider_id;
	o.sent_at = it->sent_at;
	o.deadline_at = it->deadline_at;
	o.answered_at = it->answered_at;
	o.handed_back_at = it->handed_back_at;
	o.status = it->status;
	struct resp_stat *s = NULL;
	for (size_t i = 0; i < rs->stats.n; i++)
		if (rs->stats.v[i].provider_id == o.provider_id)
			s = &rs->stats.v[i];
	if (!s) {
		if (!(s = vec_push(&rs->stats))) {
			rs->failed = true;
			return 1;
		}
		s->provider_id = o.provider_id;
		s->name = provider_name(rs->provs, o.provider_id);
	}
	struct resp_offer r;
	resp_judge(rs->ctx, tl, &o, &r);
	resp_count(s, &r, rs->at, &rs->failed);
	resp_count(&rs->all, &r, rs->at, &rs->failed);
	return rs->failed;
}

/* Every offer sent from..to (UTC) counted: the offers in one pass, then
 * the histories of the run of ids they span in one read, each offer given
 * its own part of them (both come in id order). */
static enum store_status response_run(struct bk_ctx *ctx, struct response_state *rs, int64_t from, int64_t to)
{
	enum store_status ss = store_report_offers_sent(ctx->store, from, to, response_collect, rs);
	if (ss != STORE_OK || rs->failed || !rs->items.n)
		return ss;
	const struct resp_item *items = rs->items.v;
	size_t n = rs->items.n;
	ss = store_offer_history_between(ctx->store, items[0].id, items[n - 1].id, tl_deadline, tl_info, &rs->tl);
	if (ss == STORE_OK && rs->tl.failed)
		rs->failed = true;
	if (ss != STORE_OK || rs->failed)
		return ss;
	size_t d = 0, i = 0;
	for (size_t k = 0; k < n && !rs->failed; k++) {
		int64_t id = items[k].id;
		while (d < rs->tl.d.n && rs->tl.d.v[d].offer_id < id)
			d++;
		while (i < rs->tl.i.n && rs->tl.i.v[i].offer_id < id)
			i++;
		struct timeline one = { 0 };
		one.d.v = rs->tl.d.v + d;
		one.i.v = rs->tl.i.v + i;
		while (d + one.d.n < rs->tl.d.n && one.d.v[one.d.n].offer_id == id)
			one.d.n++;
		while (i + one.i.n < rs->tl.i.n && one.i.v[one.i.n].offer_id == id)
			one.i.n++;
		response_offer(rs, &one, &items[k]);
	}
	return STORE_OK;
}

static int cmp_resp(const void *a, const void *b)
{
	const struct resp_stat *x = a, *y = b;
	return strcasecmp(x->name, y->name);
}

static enum bk_status range_params(struct bk_ctx *ctx, const struct bk_report_params *p, int32_t *from, int32_t *to)
{
	enum bk_status st = param_date(ctx, "to", p->to, today(ctx), to);
	if (st == BK_OK)
		st = param_date(ctx, "from", p->from, *to - 89, from);
	if (st == BK_OK && *from > *to)
		st = bk_fail(ctx, BK_USAGE, "--from must not be after --to");
	return st;
}

static void resp_row(struct bk_table *t, int row, struct resp_stat *s, const int *c)
{
	bk_table_set_text(t, row, c[0], s->name);
	bk_table_set(t, row, c[1], s->received);
	bk_table_set(t, row, c[2], s->in_time);
	bk_table_set(t, row, c[3], s->due);
	if (s->due)
		bk_table_set(t, row, c[4], round_div((int64_t)s->in_time * 10000, s->due));
	if (s->minutes.n)
		bk_table_set(t, row, c[5], round_div(median2(&s->minutes), 2));
	bk_table_set(t, row, c[6], s->accepted);
	bk_table_set(t, row, c[7], s->declined);
	bk_table_set(t, row, c[8], s->expired);
	bk_table_set(t, row, c[9], s->info);
	bk_table_set(t, row, c[10], s->withdrawn);
	bk_table_set(t, row, c[11], s->open);
	bk_table_set(t, row, c[12], s->handed_back);
	if (s->accepted)
		bk_table_set(t, row, c[13], round_div((int64_t)s->handed_back * 10000, s->accepted));
}

static enum bk_status report_response(struct bk_ctx *ctx, const struct bk_report_params *p, struct bk_table **out)
{
	int32_t from, to;
	enum bk_status st = range_params(ctx, p, &from, &to);
	if (st != BK_OK)
		return st;
	struct provider_set provs;
	if ((st = load_providers(ctx, &provs)) != BK_OK)
		return st;
	struct response_state rs = { .ctx = ctx, .provs = &provs, .at = range_end(ctx, to) };
	rs.all.name = "All providers";
	enum store_status ss = response_run(ctx, &rs, day_start(from), day_start(to + 1));
	struct bk_table *t = NULL;
	if (ss != STORE_OK || rs.failed) {
		st = rs.failed ? bk_fail(ctx, BK_STORAGE, "out of memory") : bk_from_store(ctx, ss);
		goto done;
	}
	if (rs.stats.n)
		qsort(rs.stats.v, rs.stats.n, sizeof rs.stats.v[0], cmp_resp);
	t = range_table(ctx, "response", "Provider response to offers sent", "", from, to);
	if (!t) {
		st = BK_STORAGE;
		goto done;
	}
	int c[14];
	c[0] = bk_table_add_column(t, "provider", "Provider", NULL, BK_COL_TEXT);
	c[1] = bk_table_add_column(t, "offers", "Offers received", NULL, BK_COL_INT);
	c[2] = bk_table_add_column(t, "answered_in_time", "Answered within deadline", NULL, BK_COL_INT);
	c[3] = bk_table_add_column(t, "due", "Answered or expired", NULL, BK_COL_INT);
	c[4] = bk_table_add_column(t, "share_in_time", "Share answered in time (%)", NULL, BK_COL_PERCENT);
	c[5] = bk_table_add_column(t, "median_answer", "Median answer (working hours)", NULL, BK_COL_HOURS);
	c[6] = bk_table_add_column(t, "accepted", "Accepted", NULL, BK_COL_INT);
	c[7] = bk_table_add_column(t, "declined", "Declined", NULL, BK_COL_INT);
	c[8] = bk_table_add_column(t, "expired", "Expired", NULL, BK_COL_INT);
	c[9] = bk_table_add_column(t, "info_requested", "Info requested", NULL, BK_COL_INT);
	c[10] = bk_table_add_column(t, "withdrawn", "Withdrawn", NULL, BK_COL_INT);
	c[11] = bk_table_add_column(t, "open", "Still open", NULL, BK_COL_INT);
	c[12] = bk_table_add_column(t, "handed_back", "Handed back", NULL, BK_COL_INT);
	c[13] = bk_table_add_column(t, "hand_back_rate", "Hand-back rate (%)", NULL, BK_COL_PERCENT);
	for (size_t i = 0; i < rs.stats.n; i++)
		resp_row(t, bk_table_add_row(t, BK_ROW_DATA), &rs.stats.v[i], c);
	resp_row(t, bk_table_add_row(t, BK_ROW_TOTAL), &rs.all, c);
	char close[24];
	snprintf(close, sizeof close, "%02d:%02d", ctx->settings->close_minute / 60, ctx->settings->close_minute % 60);
	bk_table_note(t,
	              "An answer is an acceptance, a decline or a request for information; its time runs from "
	              "sending to the first of them, in working time to the minute. It is in time when it came by the "
	              "deadline in force at that moment (a deadline moved later by information supplied afterwards "
	              "does not make a late answer timely).");
	bk_table_note(t,
	              "Working hours: 09:00 to close of business (%s) on working days (Monday to Friday less bank "
	              "holidays), local time.",
	              close);
	bk_table_note(t, "The share answered in time is of the offers answered or expired; offers still open or "
	                 "withdrawn before an answer are left out.");
	bk_table_note(t,
	              "Handed back: accepted packages the provider later handed back (referral hand-back) by the end "
	              "of the last day; the hand-back rate is of the offers it accepted.");
	st = table_done(ctx, t, out);
done:
	tl_free(&rs.tl);
	vec_free(&rs.items);
	for (size_t i = 0; i < rs.stats.n; i++)
		vec_free(&rs.stats.v[i].minutes);
	vec_free(&rs.all.minutes);
	vec_free(&rs.stats);
	vec_free(&provs.p);
	return st;
}

/* ---- time to source ---- */

enum tts_by { TTS_ALL, TTS_MONTH, TTS_LOT, TTS_DISTRICT };

struct tts_group {
	char label[96];
	int order;
	int_list cal, work;
};

struct tts_state {
	struct bk_ctx *ctx;
	int32_t from, to;
	enum tts_by by;
	struct placements pl;
	VEC(struct tts_group) groups;
	struct tts_group all;
	bool failed;
};

static struct tts_group *tts_group_for(struct tts_state *ts, const char *label, int order)
{
	for (size_t i = 0; i < ts->groups.n; i++)
		if (ts->groups.v[i].order == order && strcmp(ts->groups.v[i].label, label) == 0)
			return &ts->groups.v[i];
	struct tts_group *g = vec_push(&ts->groups);
	if (!g) {
		ts->failed = true;
		return NULL;
	}
	snprintf(g->label, sizeof g->label, "%s", label);
	g->order = order;
	return g;
}

/* One package sourced in the range: from the referral's start, or from
 * the hand-back of the package before it. */
static int tts_one(struct tts_state *ts, const struct placement *p, int32_t start)
{
	int32_t day = local_day(p->from);
	if (day < ts->from || day > ts->to)
		return 0;
	int64_t cal = day > start ? day - start : 0;
	int64_t work = cal_working_days_between(&ts->ctx->cal, start, day);
	char label[96] = "All";
	int order = 0;
	const struct bk_settings *s = ts->ctx->settings;
	if (ts->by == TTS_MONTH) {
		struct cal_date cd = cal_civil_from_days(day);
		snprintf(label, sizeof label, "%04d-%02d", cd.year, cd.month);
		order = cd.year * 12 + cd.month;
	} else if (ts->by == TTS_LOT) {
		int li = lot_index(s, p->lot);
		if (li >= 0)
			snprintf(label, sizeof label, "%d %s", p->lot, s->lots[li].name);
		else
			snprintf(label, sizeof label, "%d", p->lot);
		order = li >= 0 ? li : 1000 + p->lot;
	} else if (ts->by == TTS_DISTRICT) {
		int di = bk_settings_district_index(s, p->district);
		snprintf(label, sizeof label, "%s", p->district);
		order = di >= 0 ? di : 1000;
	}
	struct tts_group *g = tts_group_for(ts, label, order);
	if (!g)
		return 1;
	if (!int_push(&g->cal, cal) || !int_push(&g->work, work) || !int_push(&ts->all.cal, cal) ||
	    !int_push(&ts->all.work, work)) {
		ts->failed = true;
		return 1;
	}
	return 0;
}

static int tts_referral(void *ud, const struct store_report_referral *r)
{
	struct tts_state *ts = ud;
	struct placement_walk w;
	struct placement p;
	int32_t start = waiting_from(r);
	walk_start(&w, &ts->pl, r);
	while (walk_next(&w, &p)) {
		if (tts_one(ts, &p, start))
			return 1;
		if (p.until)
			start = local_day(p.until);
	}
	return 0;
}

static int cmp_tts(const void *a, const void *b)
{
	const struct tts_group *x = a, *y = b;
	if (x->order != y->order)
		return (x->order > y->order) - (x->order < y->order);
	return strcmp(x->label, y->label);
}

static int64_t mean_tenths(const int_list *l)
{
	int64_t sum = 0;
	for (size_t i = 0; i < l->n; i++)
		sum += l->v[i];
	return round_div(sum * 10, (int64_t)l->n);
}

static void tts_row(struct bk_table *t, int row, struct tts_group *g)
{
	bk_table_set_text(t, row, 0, g->label);
	bk_table_set(t, row, 1, g->cal.n);
	if (!g->cal.n)
		return;
	bk_table_set(t, row, 2, mean_tenths(&g->cal));
	bk_table_set(t, row, 3, median2(&g->cal) * 5);
	bk_table_set(t, row, 4, mean_tenths(&g->work));
	bk_table_set(t, row, 5, median2(&g->work) * 5);
}

static enum bk_status report_time_to_source(struct bk_ctx *ctx, const struct bk_report_params *p, struct bk_table **out)
{
	struct tts_state ts = { .ctx = ctx };
	enum bk_status st = range_params(ctx, p, &ts.from, &ts.to);
	if (st != BK_OK)
		return st;
	const char *by = p->by && *p->by ? p->by : NULL;
	if (!by)
		ts.by = TTS_ALL;
	else if (strcmp(by, "month") == 0)
		ts.by = TTS_MONTH;
	else if (strcmp(by, "lot") == 0)
		ts.by = TTS_LOT;
	else if (strcmp(by, "district") == 0)
		ts.by = TTS_DISTRICT;
	else
		return bk_fail(ctx, BK_USAGE, "--by is month, lot or district");
	snprintf(ts.all.label, sizeof ts.all.label, "All");
	if ((st = load_placements(ctx, &ts.pl)) != BK_OK)
		return st;
	enum store_status ss = store_report_referrals_each(ctx->store, tts_referral, &ts);
	struct bk_table *t = NULL;
	if (ss != STORE_OK || ts.failed) {
		st = ts.failed ? bk_fail(ctx, BK_STORAGE, "out of memory") : bk_from_store(ctx, ss);
		goto done;
	}
	if (ts.groups.n)
		qsort(ts.groups.v, ts.groups.n, sizeof ts.groups.v[0], cmp_tts);
	char a[16], b[16], title[160];
	date_text(ts.from, a, sizeof a);
	date_text(ts.to, b, sizeof b);
	snprintf(title, sizeof title, "Time to source, packages sourced %s to %s%s%s", a, b, by ? " by " : "",
	         by ? by : "");
	t = bk_table_create("time-to-source", title);
	if (!t) {
		st = bk_fail(ctx, BK_STORAGE, "out of memory");
		goto done;
	}
	bk_table_param(t, "from", a);
	bk_table_param(t, "to", b);
	if (by)
		bk_table_param(t, "by", by);
	bk_table_add_column(t, by ? by : "period",
	                    by ? (ts.by == TTS_MONTH ? "Month"
	                          : ts.by == TTS_LOT ? "Lot"
	                                             : "District")
	                       : "Period",
	                    NULL, BK_COL_TEXT);
	bk_table_add_column(t, "sourced", "Packages sourced", NULL, BK_COL_INT);
	bk_table_add_column(t, "mean_days", "Mean days", NULL, BK_COL_TENTHS);
	bk_table_add_column(t, "median_days", "Median days", NULL, BK_COL_TENTHS);
	bk_table_add_column(t, "mean_working_days", "Mean working days", NULL, BK_COL_TENTHS);
	bk_table_add_column(t, "median_working_days", "Median working days", NULL, BK_COL_TENTHS);
	if (by)
		for (size_t i = 0; i < ts.groups.n; i++)
			tts_row(t, bk_table_add_row(t, BK_ROW_DATA), &ts.groups.v[i]);
	tts_row(t, bk_table_add_row(t, by ? BK_ROW_TOTAL : BK_ROW_DATA), &ts.all);
	bk_table_note(t, "From the panel date (or the day recorded, when there is none) to the day sourced; a package "
	                 "sourced again after a provider handed one back counts from the day of the hand-back. "
	                 "Working days leave out weekends and bank holidays.");
	st = table_done(ctx, t, out);
done:
	for (size_t i = 0; i < ts.groups.n; i++) {
		vec_free(&ts.groups.v[i].cal);
		vec_free(&ts.groups.v[i].work);
	}
	vec_free(&ts.all.cal);
	vec_free(&ts.all.work);
	vec_free(&ts.groups);
	placements_free(&ts.pl);
	return st;
}

/* ---- weekly pick-up ---- */

struct pickup_state {
	struct bk_ctx *ctx;
	int32_t monday;
	struct placements pl;
	int packages[2];
	int64_t minutes[2], weekly[2];
	int lot_packages[BK_MAX_LOTS][2];
	int64_t lot_minutes[BK_MAX_LOTS][2];
};

static int pickup_referral(void *ud, const struct store_report_referral *r)
{
	struct pickup_state *ps = ud;
	struct placement_walk w;
	struct placement p;
	walk_start(&w, &ps->pl, r);
	while (walk_next(&w, &p)) {
		int32_t day = local_day(p.from);
		if (day < ps->monday || day > ps->monday + 6)
			continue;
		int b = p.spot ? 1 : 0;
		ps->packages[b]++;
		ps->minutes[b] += p.hours_minutes;
		ps->weekly[b] += p.weekly_cost;
		int li = lot_index(ps->ctx->settings, p.lot);
		if (li >= 0) {
			ps->lot_packages[li][b]++;
			ps->lot_minutes[li][b] += p.hours_minutes;
		}
	}
	return 0;
}

static enum bk_status report_pickup(struct bk_ctx *ctx, const struct bk_report_params *p, struct bk_table **out)
{
	int32_t day;
	enum bk_status st = param_date(ctx, "week", p->week, today(ctx), &day);
	if (st != BK_OK)
		return st;
	struct pickup_state ps = { .ctx = ctx, .monday = day - cal_weekday(day) };
	if ((st = load_placements(ctx, &ps.pl)) != BK_OK)
		return st;
	enum store_status ss = store_report_referrals_each(ctx->store, pickup_referral, &ps);
	placements_free(&ps.pl);
	if (ss != STORE_OK)
		return bk_from_store(ctx, ss);
	char a[16], b[16], title[128];
	date_text(ps.monday, a, sizeof a);
	date_text(ps.monday + 6, b, sizeof b);
	snprintf(title, sizeof title, "Packages picked up in the week %s to %s", a, b);
	struct bk_table *t = bk_table_create("pickup", title);
	if (!t)
		return bk_fail(ctx, BK_STORAGE, "out of memory");
	bk_table_param(t, "week", a);
	bk_table_add_column(t, "route", "Route", NULL, BK_COL_TEXT);
	bk_table_add_column(t, "packages", "Packages", NULL, BK_COL_INT);
	bk_table_add_column(t, "hours", "Hours a week", NULL, BK_COL_HOURS);
	bk_table_add_column(t, "weekly_cost", "Weekly cost", NULL, BK_COL_MONEY);
	static const char *const routes[] = { "Framework", "Off contract" };
	for (int k = 0; k < 3; k++) {
		int row = bk_table_add_row(t, k < 2 ? BK_ROW_DATA : BK_ROW_TOTAL);
		bk_table_set_text(t, row, 0, k < 2 ? routes[k] : "Total");
		bk_table_set(t, row, 1, k < 2 ? ps.packages[k] : ps.packages[0] + ps.packages[1]);
		bk_table_set(t, row, 2, k < 2 ? ps.minutes[k] : ps.minutes[0] + ps.minutes[1]);
		bk_table_set(t, row, 3, k < 2 ? ps.weekly[k] : ps.weekly[0] + ps.weekly[1]);
	}
	/* the note from the same numbers as the Total row, in the same form */
	int packages = ps.packages[0] + ps.packages[1];
	char hours[24];
	hours_format((int)(ps.minutes[0] + ps.minutes[1]), hours, sizeof hours);
	bk_table_note(t, "%d package%s (%s hour%s a week) picked up, Monday %s to Sunday %s", packages,
	              packages == 1 ? "" : "s", hours, strcmp(hours, "1") == 0 ? "" : "s", a, b);
	struct bk_table *g = bk_table_create("pickup_by_lot", "Picked up by lot");
	if (g) {
		bk_table_add_column(g, "lot", "Lot", NULL, BK_COL_TEXT);
		bk_table_add_column(g, "framework_packages", "Framework packages", NULL, BK_COL_INT);
		bk_table_add_column(g, "framework_hours", "Framework hours", NULL, BK_COL_HOURS);
		bk_table_add_column(g, "off_contract_packages", "Off contract packages", NULL, BK_COL_INT);
		bk_table_add_column(g, "off_contract_hours", "Off contract hours", NULL, BK_COL_HOURS);
		const struct bk_settings *s = ctx->settings;
		for (int li = 0; li < s->n_lots; li++) {
			int row = bk_table_add_row(g, BK_ROW_DATA);
			char label[96];
			snprintf(label, sizeof label, "%d %s", s->lots[li].number, s->lots[li].name);
			bk_table_set_text(g, row, 0, label);
			bk_table_set(g, row, 1, ps.lot_packages[li][0]);
			bk_table_set(g, row, 2, ps.lot_minutes[li][0]);
			bk_table_set(g, row, 3, ps.lot_packages[li][1]);
			bk_table_set(g, row, 4, ps.lot_minutes[li][1]);
		}
	}
	bk_table_append_part(t, g);
	return table_done(ctx, t, out);
}

/* ---- spend ---- */

struct spend_row {
	int64_t provider_id;
	const char *name;
	int packages;
	int64_t minutes, weekly, annual, in_year, premium_weekly, premium_in_year;
};

struct spend_state {
	struct bk_ctx *ctx;
	const struct provider_set *provs;
	int32_t fy_start, fy_end;
	struct placements pl;
	VEC(struct spend_row) rows[2]; /* framework, off contract */
	bool failed;
};

static struct spend_row *spend_row_for(struct spend_state *ss, int b, int64_t provider_id)
{
	for (size_t i = 0; i < ss->rows[b].n; i++)
		if (ss->rows[b].v[i].provider_id == provider_id)
			return &ss->rows[b].v[i];
	struct spend_row *r = vec_push(&ss->rows[b]);
	if (!r) {
		ss->failed = true;
		return NULL;
	}
	r->provider_id = provider_id;
	r->name = provider_name(ss->provs, provider_id);
	return r;
}

/* One package's days in place within the year, to the day before it was
 * handed back or ended. */
static int spend_one(struct spend_state *ss, const struct store_report_referral *r, const struct placement *p)
{
	if (!p->route[0])
		return 0;
	int32_t first = local_day(p->from);
	int32_t last = ss->fy_end;
	if (p->until && local_day(p->until) - 1 < last)
		last = local_day(p->until) - 1;
	if (p->ended_on != STORE_NO_DATE && p->ended_on - 1 < last)
		last = p->ended_on - 1;
	if (r->status == WF_WITHDRAWN && r->closed_at && local_day(r->closed_at) - 1 < last)
		last = local_day(r->closed_at) - 1;
	if (first < ss->fy_start)
		first = ss->fy_start;
	if (first > last)
		return 0;
	int64_t days = last - first + 1;
	int b = p->spot ? 1 : 0;
	struct spend_row *row = spend_row_for(ss, b, p->provider_id);
	if (!row)
		return 1;
	row->packages++;
	row->minutes += p->hours_minutes;
	row->weekly += p->weekly_cost;
	row->annual += money_annual_cost(p->weekly_cost);
	row->in_year += round_div(p->weekly_cost * days, 7);
	if (b == 1) {
		const struct bk_lot *lot = bk_settings_lot(ss->ctx->settings, p->lot);
		int64_t rate = p->framework_rate >= 0 ? p->framework_rate : lot ? lot->framework_rate : 0;
		int64_t premium = p->weekly_cost - money_weekly_cost(rate, p->hours_minutes);
		row->premium_weekly += premium;
		row->premium_in_year += round_div(premium * days, 7);
	}
	return 0;
}

static int spend_referral(void *ud, const struct store_report_referral *r)
{
	struct spend_state *ss = ud;
	struct placement_walk w;
	struct placement p;
	walk_start(&w, &ss->pl, r);
	while (walk_next(&w, &p))
		if (spend_one(ss, r, &p))
			return 1;
	return 0;
}

static int cmp_spend(const void *a, const void *b)
{
	const struct spend_row *x = a, *y = b;
	return strcasecmp(x->name, y->name);
}

static void spend_set(struct bk_table *t, int row, const char *label, const char *route, const struct spend_row *s,
                      bool premium)
{
	bk_table_set_text(t, row, 0, label);
	if (route)
		bk_table_set_text(t, row, 1, route);
	bk_table_set(t, row, 2, s->packages);
	bk_table_set(t, row, 3, s->minutes);
	bk_table_set(t, row, 4, s->weekly);
	bk_table_set(t, row, 5, s->annual);
	bk_table_set(t, row, 6, s->in_year);
	if (premium) {
		bk_table_set(t, row, 7, s->premium_weekly);
		bk_table_set(t, row, 8, s->premium_in_year);
	}
}

static void spend_sum(struct spend_row *to, const struct spend_row *s)
{
	to->packages += s->packages;
	to->minutes += s->minutes;
	to->weekly += s->weekly;
	to->annual += s->annual;
	to->in_year += s->in_year;
	to->premium_weekly += s->premium_weekly;
	to->premium_in_year += s->premium_in_year;
}

static enum bk_status report_spend(struct bk_ctx *ctx, const struct bk_report_params *p, struct bk_table **out)
{
	struct cal_date now = cal_civil_from_days(today(ctx));
	int64_t fy = now.month >= 4 ? now.year : now.year - 1;
	if (p->fy && *p->fy) {
		char *end = NULL;
		long v = strtol(p->fy, &end, 10);
		if (*end || v < 1990 || v > 2200)
			return bk_fail(ctx, BK_USAGE,
			               "--fy takes the year the financial year starts in, e.g. 2025 for April "
			               "2025 to March 2026");
		fy = v;
	}
	struct provider_set provs;
	enum bk_status st = load_providers(ctx, &provs);
	if (st != BK_OK)
		return st;
	struct spend_state ss = {
		.ctx = ctx,
		.provs = &provs,
		.fy_start = cal_days_from_civil((int)fy, 4, 1),
		.fy_end = cal_days_from_civil((int)fy + 1, 3, 31),
	};
	if ((st = load_placements(ctx, &ss.pl)) != BK_OK) {
		vec_free(&provs.p);
		return st;
	}
	enum store_status rc = store_report_referrals_each(ctx->store, spend_referral, &ss);
	struct bk_table *t = NULL;
	if (rc != STORE_OK || ss.failed) {
		st = ss.failed ? bk_fail(ctx, BK_STORAGE, "out of memory") : bk_from_store(ctx, rc);
		goto done;
	}
	char title[128], fyt[16];
	snprintf(fyt, sizeof fyt, "%lld", (long long)fy);
	snprintf(title, sizeof title,
	         "Committed spend by provider, financial year %lld/%02lld (April %lld to March %lld)", (long long)fy,
	         (long long)((fy + 1) % 100), (long long)fy, (long long)fy + 1);
	t = bk_table_create("spend", title);
	if (!t) {
		st = bk_fail(ctx, BK_STORAGE, "out of memory");
		goto done;
	}
	bk_table_param(t, "fy", fyt);
	bk_table_add_column(t, "provider", "Provider", NULL, BK_COL_TEXT);
	bk_table_add_column(t, "route", "Route", NULL, BK_COL_TEXT);
	bk_table_add_column(t, "packages", "Packages", NULL, BK_COL_INT);
	bk_table_add_column(t, "hours", "Hours a week", NULL, BK_COL_HOURS);
	bk_table_add_column(t, "weekly_cost", "Weekly cost", NULL, BK_COL_MONEY);
	bk_table_add_column(t, "annual_cost", "Annual cost (52 weeks)", NULL, BK_COL_MONEY);
	bk_table_add_column(t, "cost_in_year", "Cost in the year", NULL, BK_COL_MONEY);
	bk_table_add_column(t, "premium_weekly", "Premium over framework a week", NULL, BK_COL_MONEY);
	bk_table_add_column(t, "premium_in_year", "Premium in the year", NULL, BK_COL_MONEY);
	static const char *const heads[] = { "Framework", "Off contract" };
	static const char *const routes[] = { "framework", "off-contract" };
	struct spend_row all = { 0 };
	for (int b = 0; b < 2; b++) {
		if (ss.rows[b].n)
			qsort(ss.rows[b].v, ss.rows[b].n, sizeof ss.rows[b].v[0], cmp_spend);
		int row = bk_table_add_row(t, BK_ROW_SECTION);
		bk_table_set_text(t, row, 0, heads[b]);
		struct spend_row sub = { 0 };
		for (size_t i = 0; i < ss.rows[b].n; i++) {
			spend_set(t, bk_table_add_row(t, BK_ROW_DATA), ss.rows[b].v[i].name, routes[b],
			          &ss.rows[b].v[i], b == 1);
			spend_sum(&sub, &ss.rows[b].v[i]);
		}
		char label[64];
		snprintf(label, sizeof label, "%s total", heads[b]);
		spend_set(t, bk_table_add_row(t, BK_ROW_TOTAL), label, routes[b], &sub, b == 1);
		spend_sum(&all, &sub);
	}
	spend_set(t, bk_table_add_row(t, BK_ROW_TOTAL), "All providers", NULL, &all, true);
	bk_table_note(t, "Packages in place at any time in the year (a package handed back counts to the day before "
	                 "its hand-back). Weekly cost is the committed cost a week; annual cost is 52 weeks of it; "
	                 "cost in the year counts only the days in place within the year.");
	bk_table_note(t,
	              "The off-contract premium is the weekly cost less the lot's framework rate for the same hours.");
	st = table_done(ctx, t, out);
done:
	vec_free(&ss.rows[0]);
	vec_free(&ss.rows[1]);
	vec_free(&provs.p);
	placements_free(&ss.pl);
	return st;
}

/* ---- late answers ---- */

struct late_stat {
	int64_t provider_id;
	const char *name;
	int offers, answered, late, expired;
	int_list late_minutes; /* working minutes past the deadline of each late answer */
};

struct late_state {
	struct bk_ctx *ctx;
	struct timeline tl;
	int64_t tl_referral;
	int64_t at; /* the moment the report is true for */
	const struct provider_set *provs;
	VEC(struct late_stat) stats;
	struct late_stat all;
	bool failed;
};

/* An offer's first answer known at `at` (an acceptance, a decline or a
 * request for information, when it reached the council), 0 when none. */
static int64_t first_answer_at(const struct timeline *tl, const struct store_report_offer *o, int64_t at)
{
	int asked = 0;
	int64_t answer = 0;
	int64_t first_info = tl_first_info(tl, o->id, &asked);
	if ((o->status == WF_OFFER_ACCEPTED || o->status == WF_OFFER_DECLINED ||
	     (o->status == WF_OFFER_WITHDRAWN && o->answered_at)) &&
	    o->answered_at < at)
		answer = o->answered_at;
	if (first_info && first_info < at && (!answer || first_info < answer))
		answer = first_info;
	return answer;
}

static void late_count(struct bk_ctx *ctx, const struct timeline *tl, struct late_stat *s,
                       const struct store_report_offer *o, int64_t at, bool *failed)
{
	s->offers++;
	int64_t answer = first_answer_at(tl, o, at);
	if (answer) {
		s->answered++;
		int64_t deadline = tl_deadline_at(tl, o, answer);
		if (answer > deadline) {
			s->late++;
			if (!int_push(&s->late_minutes, bk_working_minutes(ctx, deadline, answer)))
				*failed = true;
		}
	} else if (o->status == WF_OFFER_EXPIRED && o->closed_at && o->closed_at < at) {
		s->expired++;
	}
}

static int late_offer(void *ud, const struct store_report_offer *o)
{
	struct late_state *ls = ud;
	if (o->sent_at >= ls->at)
		return 0;
	if (o->referral_id != ls->tl_referral) {
		if (tl_load(ls->ctx, &ls->tl, o->referral_id, ls->at) != STORE_OK) {
			ls->failed = true;
			return 1;
		}
		ls->tl_referral = o->referral_id;
	}
	struct late_stat *s = NULL;
	for (size_t i = 0; i < ls->stats.n; i++)
		if (ls->stats.v[i].provider_id == o->provider_id)
			s = &ls->stats.v[i];
	if (!s) {
		if (!(s = vec_push(&ls->stats))) {
			ls->failed = true;
			return 1;
		}
		s->provider_id = o->provider_id;
		s->name = provider_name(ls->provs, o->provider_id);
	}
	late_count(ls->ctx, &ls->tl, s, o, ls->at, &ls->failed);
	late_count(ls->ctx, &ls->tl, &ls->all, o, ls->at, &ls->failed);
	return ls->failed;
}

static int cmp_late(const void *a, const void *b)
{
	const struct late_stat *x = a, *y = b;
	return strcasecmp(x->name, y->name);
}

static void late_row(struct bk_table *t, int row, struct late_stat *s, const int *c)
{
	bk_table_set_text(t, row, c[0], s->name);
	bk_table_set(t, row, c[1], s->offers);
	bk_table_set(t, row, c[2], s->answered);
	bk_table_set(t, row, c[3], s->late);
	bk_table_set(t, row, c[4], s->expired);
	if (s->late_minutes.n)
		bk_table_set(t, row, c[5], round_div(median2(&s->late_minutes), 2));
}

static enum bk_status report_late_answers(struct bk_ctx *ctx, const struct bk_report_params *p, struct bk_table **out)
{
	int32_t from, to;
	enum bk_status st = range_params(ctx, p, &from, &to);
	if (st != BK_OK)
		return st;
	struct provider_set provs;
	if ((st = load_providers(ctx, &provs)) != BK_OK)
		return st;
	struct late_state ls = { .ctx = ctx, .provs = &provs, .at = range_end(ctx, to) };
	ls.all.name = "All providers";
	enum store_status ss =
		store_report_offers_each(ctx->store, day_start(from), day_start(to + 1), late_offer, &ls);
	struct bk_table *t = NULL;
	if (ss != STORE_OK || ls.failed) {
		st = ls.failed ? bk_fail(ctx, BK_STORAGE, "out of memory") : bk_from_store(ctx, ss);
		goto done;
	}
	if (ls.stats.n)
		qsort(ls.stats.v, ls.stats.n, sizeof ls.stats.v[0], cmp_late);
	char asof[48];
	t = range_table(ctx, "late-answers", "Late answers to offers sent", "", from, to);
	if (!t) {
		st = BK_STORAGE;
		goto done;
	}
	int c[6];
	c[0] = bk_table_add_column(t, "provider", "Provider", NULL, BK_COL_TEXT);
	c[1] = bk_table_add_column(t, "offers", "Offers", NULL, BK_COL_INT);
	c[2] = bk_table_add_column(t, "answered", "Answered", NULL, BK_COL_INT);
	c[3] = bk_table_add_column(t, "answered_late", "Answered late", NULL, BK_COL_INT);
	c[4] = bk_table_add_column(t, "expired", "Expired", NULL, BK_COL_INT);
	c[5] = bk_table_add_column(t, "median_late", "Median late (working hours)", NULL, BK_COL_HOURS);
	for (size_t i = 0; i < ls.stats.n; i++)
		late_row(t, bk_table_add_row(t, BK_ROW_DATA), &ls.stats.v[i], c);
	late_row(t, bk_table_add_row(t, BK_ROW_TOTAL), &ls.all, c);
	cal_format_local(ls.at - 1, asof, sizeof asof);
	bk_table_note(t,
	              "As it stood at %s. An answer is an acceptance, a decline or a request for information, at "
	              "the time it reached the council (an answer phoned in before the deadline and typed in after "
	              "it is on time); it is late when it came after the deadline in force at that moment.",
	              asof);
	bk_table_note(t, "Median late: working time from the deadline to the answer, 09:00 to close of business on "
	                 "working days (an answer the same evening is late by no working time). Expired: offers "
	                 "whose deadline passed with no answer.");
	st = table_done(ctx, t, out);
done:
	tl_free(&ls.tl);
	for (size_t i = 0; i < ls.stats.n; i++)
		vec_free(&ls.stats.v[i].late_minutes);
	vec_free(&ls.all.late_minutes);
	vec_free(&ls.stats);
	vec_free(&provs.p);
	return st;
}

/* ---- market gap ---- */

struct gap_group {
	int lot;
	char district[64];
	char code[32]; /* "" for a decline recorded before codes were kept */
	int order;     /* the code's place in the policy's list */
	int declines;
	int_list referrals; /* the referrals declined, one entry a decline */
	int64_t unsourced_minutes;
	int n_referrals;
};

struct gap_state {
	struct bk_ctx *ctx;
	int64_t from_t, at;
	struct placements pl;
	VEC(struct gap_group) groups;
	VEC(struct store_report_referral) refs; /* by id */
	bool failed;
};

static int gap_referral(void *ud, const struct store_report_referral *r)
{
	struct gap_state *g = ud;
	return vec_collect(&g->refs, r, &g->failed);
}

static int cmp_report_referral(const void *a, const void *b)
{
	const struct store_report_referral *x = a, *y = b;
	return (x->id > y->id) - (x->id < y->id);
}

static int gap_offer(void *ud, const struct store_report_offer *o)
{
	struct gap_state *g = ud;
	if (o->status != WF_OFFER_DECLINED || o->answered_at < g->from_t || o->answered_at >= g->at)
		return 0;
	struct store_report_referral key = { .id = o->referral_id };
	const struct store_report_referral *r =
		g->refs.n ? bsearch(&key, g->refs.v, g->refs.n, sizeof g->refs.v[0], cmp_report_referral) : NULL;
	if (!r)
		return 0;
	int lot = r->lot;
	char district[64];
	snprintf(district, sizeof district, "%s", r->district);
	struct store_referral_fact f;
	enum store_status ss = store_referral_fact_at(g->ctx->store, r->id, o->answered_at + 1, &f);
	if (ss == STORE_OK) {
		lot = f.lot;
		snprintf(district, sizeof district, "%s", f.district);
	} else if (ss != STORE_NOT_FOUND) {
		g->failed = true;
		return 1;
	}
	const struct bk_decline_code *dc =
		o->decline_code[0] ? bk_settings_decline_code(g->ctx->settings, o->decline_code) : NULL;
	const char *code = dc ? dc->keyword : o->decline_code;
	struct gap_group *grp = NULL;
	for (size_t i = 0; i < g->groups.n && !grp; i++)
		if (g->groups.v[i].lot == lot && strcmp(g->groups.v[i].district, district) == 0 &&
		    strcmp(g->groups.v[i].code, code) == 0)
			grp = &g->groups.v[i];
	if (!grp) {
		if (!(grp = vec_push(&g->groups))) {
			g->failed = true;
			return 1;
		}
		memset(grp, 0, sizeof *grp);
		grp->lot = lot;
		snprintf(grp->district, sizeof grp->district, "%s", district);
		snprintf(grp->code, sizeof grp->code, "%s", code);
	}
	grp->declines++;
	if (!int_push(&grp->referrals, o->referral_id))
		g->failed = true;
	return g->failed;
}

/* Where a code sits in the policy's list; codes no longer in it, then
 * declines without a code, after. */
static int code_order(const struct bk_settings *s, const char *code)
{
	if (!code[0])
		return BK_MAX_DECLINE_CODES + 1;
	for (int i = 0; i < s->n_decline_codes; i++)
		if (strcasecmp(s->decline_codes[i].keyword, code) == 0)
			return i;
	return BK_MAX_DECLINE_CODES;
}

static int cmp_gap(const void *a, const void *b)
{
	const struct gap_group *x = a, *y = b;
	if (x->lot != y->lot)
		return (x->lot > y->lot) - (x->lot < y->lot);
	int d = strcasecmp(x->district, y->district);
	if (d)
		return d;
	if (x->order != y->order)
		return x->order - y->order;
	return strcmp(x->code, y->code);
}

static enum bk_status report_market_gap(struct bk_ctx *ctx, const struct bk_report_params *p, struct bk_table **out)
{
	int32_t from, to;
	enum bk_status st = range_params(ctx, p, &from, &to);
	if (st != BK_OK)
		return st;
	const struct bk_settings *s = ctx->settings;
	struct gap_state g = { .ctx = ctx, .from_t = day_start(from), .at = range_end(ctx, to) };
	struct bk_table *t = NULL;
	if ((st = load_placements(ctx, &g.pl)) != BK_OK)
		return st;
	enum store_status ss = store_report_referrals_each(ctx->store, gap_referral, &g);
	if (ss == STORE_OK && !g.failed && g.refs.n)
		qsort(g.refs.v, g.refs.n, sizeof g.refs.v[0], cmp_report_referral);
	/* a decline in the range answers an offer sent before its end */
	if (ss == STORE_OK && !g.failed)
		ss = store_report_offers_each(ctx->store, 0, g.at, gap_offer, &g);
	if (ss != STORE_OK || g.failed) {
		st = g.failed ? bk_fail(ctx, BK_STORAGE, "out of memory or a storage failure") : bk_from_store(ctx, ss);
		goto done;
	}
	/* each referral once a group; its hours a week when still unsourced at the end */
	int64_t total_unsourced = 0;
	int total_declines = 0;
	int_list all_refs = { 0 };
	for (size_t i = 0; i < g.groups.n; i++) {
		struct gap_group *grp = &g.groups.v[i];
		total_declines += grp->declines;
		qsort(grp->referrals.v, grp->referrals.n, sizeof grp->referrals.v[0], cmp_i64);
		for (size_t k = 0; k < grp->referrals.n; k++) {
			int64_t id = grp->referrals.v[k];
			if (k && grp->referrals.v[k - 1] == id)
				continue;
			grp->n_referrals++;
			if (!int_push(&all_refs, id))
				g.failed = true;
			struct store_report_referral key = { .id = id };
			const struct store_report_referral *r =
				bsearch(&key, g.refs.v, g.refs.n, sizeof g.refs.v[0], cmp_report_referral);
			if (!r || !waiting_at(&g.pl, r, waiting_from(r), local_day(g.at - 1), g.at))
				continue;
			int minutes = r->hours_minutes;
			struct store_referral_fact f;
			ss = store_referral_fact_at(ctx->store, id, g.at, &f);
			if (ss == STORE_OK)
				minutes = f.hours_minutes;
			else if (ss != STORE_NOT_FOUND)
				break;
			ss = STORE_OK;
			grp->unsourced_minutes += minutes;
		}
		if (ss != STORE_OK)
			break;
	}
	if (ss != STORE_OK || g.failed) {
		vec_free(&all_refs);
		st = g.failed ? bk_fail(ctx, BK_STORAGE, "out of memory") : bk_from_store(ctx, ss);
		goto done;
	}
	/* the total counts each referral once, and its hours once */
	int total_refs = 0;
	if (all_refs.n)
		qsort(all_refs.v, all_refs.n, sizeof all_refs.v[0], cmp_i64);
	for (size_t k = 0; k < all_refs.n; k++) {
		if (k && all_refs.v[k - 1] == all_refs.v[k])
			continue;
		total_refs++;
		struct store_report_referral key = { .id = all_refs.v[k] };
		const struct store_report_referral *r =
			bsearch(&key, g.refs.v, g.refs.n, sizeof g.refs.v[0], cmp_report_referral);
		if (!r || !waiting_at(&g.pl, r, waiting_from(r), local_day(g.at - 1), g.at))
			continue;
		struct store_referral_fact f;
		total_unsourced += store_referral_fact_at(ctx->store, r->id, g.at, &f) == STORE_OK ? f.hours_minutes
		                                                                                   : r->hours_minutes;
	}
	vec_free(&all_refs);
	for (size_t i = 0; i < g.groups.n; i++)
		g.groups.v[i].order = code_order(s, g.groups.v[i].code);
	if (g.groups.n)
		qsort(g.groups.v, g.groups.n, sizeof g.groups.v[0], cmp_gap);
	char asof[48];
	t = range_table(ctx, "market-gap", "Market gap: declines", " by lot, district and reason", from, to);
	if (!t) {
		st = BK_STORAGE;
		goto done;
	}
	int c[8];
	/* the figures first, the words after: they fit a narrow screen */
	c[0] = bk_table_add_column(t, "lot", "Lot", NULL, BK_COL_INT);
	c[2] = bk_table_add_column(t, "district", "District", NULL, BK_COL_TEXT);
	c[3] = bk_table_add_column(t, "code", "Code", NULL, BK_COL_TEXT);
	c[5] = bk_table_add_column(t, "declines", "Declines", NULL, BK_COL_INT);
	c[6] = bk_table_add_column(t, "referrals", "Referrals", NULL, BK_COL_INT);
	c[7] = bk_table_add_column(t, "unsourced_hours", "Hours a week unsourced", NULL, BK_COL_HOURS);
	c[4] = bk_table_add_column(t, "reason", "Reason", NULL, BK_COL_TEXT);
	c[1] = bk_table_add_column(t, "lot_name", "Lot name", NULL, BK_COL_TEXT);
	for (size_t i = 0; i < g.groups.n; i++) {
		const struct gap_group *grp = &g.groups.v[i];
		int row = bk_table_add_row(t, BK_ROW_DATA);
		const struct bk_lot *lot = bk_settings_lot(s, grp->lot);
		const struct bk_decline_code *dc = grp->code[0] ? bk_settings_decline_code(s, grp->code) : NULL;
		bk_table_set(t, row, c[0], grp->lot);
		bk_table_set_text(t, row, c[1], lot ? lot->name : "(no longer configured)");
		bk_table_set_text(t, row, c[2], grp->district);
		bk_table_set_text(t, row, c[3], grp->code[0] ? grp->code : "-");
		bk_table_set_text(t, row, c[4],
		                  dc             ? dc->label
		                  : grp->code[0] ? "(no longer in the policy)"
		                                 : "not coded");
		bk_table_set(t, row, c[5], grp->declines);
		bk_table_set(t, row, c[6], grp->n_referrals);
		bk_table_set(t, row, c[7], grp->unsourced_minutes);
	}
	int row = bk_table_add_row(t, BK_ROW_TOTAL);
	bk_table_set_text(t, row, c[2], "All");
	bk_table_set(t, row, c[5], total_declines);
	bk_table_set(t, row, c[6], total_refs);
	bk_table_set(t, row, c[7], total_unsourced);
	char a[16], b[16];
	date_text(from, a, sizeof a);
	date_text(to, b, sizeof b);
	cal_format_local(g.at - 1, asof, sizeof asof);
	bk_table_note(t,
	              "Declines answered (reached the council) %s to %s, by the referral's lot and district when it "
	              "was declined and the provider's decline code; referrals: how many different referrals those "
	              "declines were on (the total counts each once).",
	              a, b);
	bk_table_note(t,
	              "Hours a week still unsourced: of those referrals, the ones not sourced, ended or withdrawn at "
	              "%s, with their hours then. Not coded: declines recorded before decline codes were kept.",
	              asof);
	st = table_done(ctx, t, out);
done:
	for (size_t i = 0; i < g.groups.n; i++)
		vec_free(&g.groups.v[i].referrals);
	vec_free(&g.groups);
	vec_free(&g.refs);
	placements_free(&g.pl);
	return st;
}

/* ---- the list of reports ---- */

typedef enum bk_status (*report_fn)(struct bk_ctx *, const struct bk_report_params *, struct bk_table **);

static const struct {
	struct bk_report_info info;
	report_fn fn;
} reports[] = {
	{ { "waiting", "Waiting list", "on", "waiting [--on DATE]",
	    "every unsourced referral on a date, how long it has waited, its step and next deadline; counts by lot and "
	    "district; the count at the end of each of the 16 weeks before" },
	  report_waiting },
	{ { "provision", "Provision", "on", "provision [--on DATE]",
	    "packages active on a date by provider, lot and district: framework and off-contract blocks with totals, "
	    "support by lot and by district (the council's Appendix 2 layout)" },
	  report_provision },
	{ { "response", "Provider response", "from to", "response [--from DATE] [--to DATE]",
	    "per provider: offers received, answered within the deadline (count and share), median answer time in "
	    "working hours, accepted, declined, expired, information requested" },
	  report_response },
	{ { "late-answers", "Late answers", "from to", "late-answers [--from DATE] [--to DATE]",
	    "per provider, for contract management: offers, answered, answered after the deadline, expired, and the "
	    "median working hours late; answers count from when they reached the council" },
	  report_late_answers },
	{ { "market-gap", "Market gap", "from to", "market-gap [--from DATE] [--to DATE]",
	    "for commissioners: declines by lot, district and decline code, the referrals declined and their hours a "
	    "week still unsourced" },
	  report_market_gap },
	{ { "time-to-source", "Time to source", "from to by",
	    "time-to-source [--from DATE] [--to DATE] [--by month|lot|district]",
	    "panel date (or recording) to sourced: count, mean and median in calendar and working days" },
	  report_time_to_source },
	{ { "pickup", "Weekly pick-up", "week", "pickup [--week DATE]",
	    "packages sourced and hours picked up in one Monday-to-Sunday week, framework against off-contract" },
	  report_pickup },
	{ { "spend", "Spend", "fy", "spend [--fy YEAR]",
	    "committed weekly and annual cost by provider for a financial year (April to March), framework against "
	    "off-contract, with the off-contract premium over framework rates" },
	  report_spend },
};
#define N_REPORTS (sizeof reports / sizeof reports[0])

const char *const *bk_report_names(void)
{
	static const char *names[N_REPORTS + 1];
	for (size_t i = 0; i < N_REPORTS; i++)
		names[i] = reports[i].info.name;
	names[N_REPORTS] = NULL;
	return names;
}

const struct bk_report_info *bk_report_info(const char *name)
{
	for (size_t i = 0; name && i < N_REPORTS; i++)
		if (strcmp(reports[i].info.name, name) == 0)
			return &reports[i].info;
	return NULL;
}

enum bk_status bk_report(struct bk_ctx *ctx, const char *name, const struct bk_report_params *p, struct bk_table **out)
{
	static const struct bk_report_params none = { 0 };
	*out = NULL;
	enum bk_status st = bk_require(ctx, PERM_READ);
	if (st != BK_OK)
		return st;
	for (size_t i = 0; name && i < N_REPORTS; i++) {
		if (strcmp(reports[i].info.name, name) != 0)
			continue;
		/* One snapshot, so the parts of a report agree with each other. */
		bool own = !store_in_transaction(ctx->store);
		if (own && store_begin_read(ctx->store) != STORE_OK)
			own = false;
		st = reports[i].fn(ctx, p ? p : &none, out);
		if (own)
			store_rollback(ctx->store);
		if (st == BK_OK)
			bk_fail(ctx, BK_OK, "%s", (*out)->title);
		return st;
	}
	char names[256] = "";
	size_t off = 0;
	for (size_t i = 0; i < N_REPORTS && off < sizeof names; i++)
		off += (size_t)snprintf(names + off, sizeof names - off, "%s%s", i ? ", " : "", reports[i].info.name);
	return bk_fail(ctx, BK_USAGE, "there is no report '%s': the reports are %s", name ? name : "", names);
}
