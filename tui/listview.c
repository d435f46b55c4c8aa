/* The one list view (listview.h says what it owns). */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/describe.h"
#include "core/report.h"
#include "tui/keymap.h"
#include "tui/listview.h"

#define LV_GAP 1
#define LV_GUTTER 1 /* the mark column before the first column */

/* ---- fields ---- */

static const void *at(const void *row, const struct lv_field *f)
{
	return (const char *)row + f->off;
}

static int64_t field_i64(const void *row, const struct lv_field *f)
{
	int64_t v;
	memcpy(&v, at(row, f), sizeof v);
	return v;
}

static int64_t field_num(const void *row, const struct lv_field *f)
{
	switch (f->kind) {
	case LVF_ID:
	case LVF_MONEY:
	case LVF_INSTANT:
		return field_i64(row, f);
	case LVF_DATE: {
		int32_t d;
		memcpy(&d, at(row, f), sizeof d);
		return d;
	}
	case LVF_FLAG:
	case LVF_YESNO:
		return *(const bool *)at(row, f);
	default: {
		int v; /* int and the enums */
		memcpy(&v, at(row, f), sizeof v);
		return v;
	}
	}
}

void lv_field_text(const struct lv_field *f, const void *row, bool ascii, struct lv_cell *c)
{
	int64_t v = f->kind == LVF_TEXT || f->kind == LVF_NONE ? 0 : field_num(row, f);
	const char *text = NULL;
	c->buf[0] = '\0';
	switch (f->kind) {
	case LVF_NONE:
		return;
	case LVF_TEXT:
		text = at(row, f);
		break;
	case LVF_ID:
		if (v)
			snprintf(c->buf, c->len, "%lld", (long long)v);
		break;
	case LVF_INT:
		snprintf(c->buf, c->len, "%lld", (long long)v);
		break;
	case LVF_MONEY:
		if (v || !f->dash)
			money_format(v, ascii, c->buf, c->len);
		break;
	case LVF_HOURS:
		if (v >= 0)
			hours_format((int)v, c->buf, c->len);
		else
			text = "-";
		break;
	case LVF_DATE:
		if (v != STORE_NO_DATE)
			cal_format_date((int32_t)v, c->buf, c->len);
		break;
	case LVF_INSTANT:
		if (v)
			when_format(v,
			            c->width >= 16   ? WHEN_DAY
			            : c->width >= 14 ? WHEN_YEAR
			            : c->width >= 12 ? WHEN_SHORT
			                             : WHEN_NUMERIC,
			            c->buf, c->len);
		break;
	case LVF_STATUS:
		text = bk_referral_status_words((enum wf_status)v);
		break;
	case LVF_OFFER_STATUS:
		text = bk_offer_status_words((enum wf_offer_status)v);
		break;
	case LVF_SPOT_STATUS:
		text = bk_status_words(wf_spot_status_name((enum wf_spot_status)v));
		break;
	case LVF_FLAG:
		text = v ? "!" : "";
		break;
	case LVF_YESNO:
		text = v ? "yes" : "no";
		break;
	case LVF_RAG:
		c->rag = (enum rag)v;
		break;
	}
	if (text)
		str_copy(c->buf, c->len, text);
	if (f->dash && !c->buf[0] && f->kind != LVF_RAG && f->kind != LVF_FLAG)
		str_copy(c->buf, c->len, "-");
}

void lv_cell_field(void *ud, const struct lv_field *f, const void *row, struct lv_cell *c)
{
	const struct listview *lv = ud;
	lv_field_text(f, row, lv && lv->t && lv->t->ascii, c);
}

/* Two rows by a field: text and times empty or none last, flags set first. */
static int field_cmp(const struct lv_field *f, const void *a, const void *b)
{
	if (f->kind == LVF_TEXT) {
		const char *x = at(a, f), *y = at(b, f);
		if (!*x != !*y)
			return *x ? -1 : 1;
		return strcmp(x, y);
	}
	int64_t x = field_num(a, f), y = field_num(b, f);
	if (f->kind == LVF_FLAG || f->kind == LVF_YESNO)
		return (y > x) - (y < x);
	if (f->kind == LVF_INSTANT && !x != !y)
		return x ? -1 : 1;
	return (x > y) - (y > x);
}

/* ---- column fitting ---- */

static int label_width(const struct lv_column *c)
{
	return c->label ? text_width(c->label) : 0;
}

static int fixed_width(const struct lv_column *c, bool wide, int need)
{
	int w = wide && c->wide > c->narrow ? c->wide : c->narrow;
	if (w < need)
		w = need;
	if (c->kind == LV_RAG && w < 3)
		w = 3;
	int lw = label_width(c);
	return w > lw ? w : lw;
}

/* A text column's least and wanted widths: its narrow and wide ones, or,
 * when the widest cell shown (need) is narrower, no more than that cell
 * and its label take, so that the room goes where the text is. */
static void text_span(const struct lv_column *c, int need, int *lo, int *want)
{
	*lo = c->narrow;
	*want = c->wide;
	if (need <= 0)
		return;
	/* the header whole (in its short form if it has one) where it fits */
	int label = c->short_label ? text_width(c->short_label) : label_width(c);
	if (need < label)
		need = label;
	if (need < *lo)
		*lo = need;
	if (need < *want)
		*want = need > *lo ? need : *lo;
}

static void grow_text(const struct lv_column *cols, int n, int width, const int *need, int *w, int *used, bool half)
{
	for (int i = 0; i < n; i++) {
		if (!w[i] || cols[i].kind != LV_TEXT)
			continue;
		int lo, want;
		text_span(&cols[i], need ? need[i] : 0, &lo, &want);
		if (half)
			want = lo + (want - lo) / 2;
		int more = want - w[i];
		if (more > width - *used)
			more = width - *used;
		if (more > 0) {
			w[i] += more;
			*used += more;
		}
	}
}

int lv_fit(const struct lv_column *cols, int n, int width, int first, const int *need, int *w)
{
	int used = 0, shown = 0;
	if (n > 64)
		n = 64;
	for (int i = 0; i < n; i++) {
		bool on = (cols[i].hide_below <= 0 || width >= cols[i].hide_below) && (i == 0 || i >= first);
		int lo, want;
		text_span(&cols[i], need ? need[i] : 0, &lo, &want);
		w[i] = !on ? 0 : cols[i].kind == LV_TEXT ? lo : fixed_width(&cols[i], false, need ? need[i] : 0);
		if (w[i] > 0) {
			used += w[i] + (shown && !cols[i].tight ? LV_GAP : 0);
			shown++;
		}
	}
	/* too wide: text columns shrink to 4, then the rightmost go */
	for (int i = n - 1; i >= 0 && used > width; i--) {
		if (cols[i].kind != LV_TEXT || w[i] <= 4)
			continue;
		int give = used - width < w[i] - 4 ? used - width : w[i] - 4;
		w[i] -= give;
		used -= give;
	}
	for (int i = n - 1; i > 0 && used > width; i--) {
		if (!w[i])
			continue;
		used -= w[i] + (cols[i].tight ? 0 : LV_GAP);
		w[i] = 0;
	}
	/* room: text columns half way to what they want, then fixed columns in
	 * their wide form (left to right), then text columns up to what they
	 * want, then the rest to text columns by flex */
	grow_text(cols, n, width, need, w, &used, true);
	for (int i = 0; i < n; i++) {
		if (!w[i] || cols[i].kind == LV_TEXT)
			continue;
		int more = fixed_width(&cols[i], true, need ? need[i] : 0) - w[i];
		if (more > 0 && used + more <= width) {
			w[i] += more;
			used += more;
		}
	}
	grow_text(cols, n, width, need, w, &used, false);
	int flex = 0;
	for (int i = 0; i < n; i++)
		if (w[i] && cols[i].kind == LV_TEXT)
			flex += cols[i].flex;
	int spare = width - used;
	if (flex > 0 && spare > 0) {
		int last = -1, given = 0;
		for (int i = 0; i < n; i++) {
			if (!w[i] || cols[i].kind != LV_TEXT || !cols[i].flex)
				continue;
			int add = spare * cols[i].flex / flex;
			w[i] += add;
			given += add;
			last = i;
		}
		if (last >= 0)
			w[last] += spare - given;
		used = width;
	}
	return used;
}

/* ---- sorting: a merge sort of indexes, stable ---- */

static void merge_pass(int *a, int *tmp, int n, const char *rows, size_t size, lv_cmp_fn cmp)
{
	for (int width = 1; width < n; width *= 2) {
		for (int lo = 0; lo < n; lo += 2 * width) {
			int mid = lo + width < n ? lo + width : n;
			int hi = lo + 2 * width < n ? lo + 2 * width : n;
			int i = lo, j = mid, k = lo;
			while (i < mid && j < hi)
				tmp[k++] = cmp(rows + (size_t)a[j] * size, rows + (size_t)a[i] * size) < 0 ? a[j++]
				                                                                           : a[i++];
			while (i < mid)
				tmp[k++] = a[i++];
			while (j < hi)
				tmp[k++] = a[j++];
		}
		memcpy(a, tmp, (size_t)n * sizeof *a);
	}
}

bool lv_sort(int *idx, int n, const void *rows, size_t size, lv_cmp_fn cmp)
{
	if (n < 2 || !cmp)
		return true;
	int *tmp = malloc((size_t)n * sizeof *tmp);
	if (!tmp)
		return false;
	merge_pass(idx, tmp, n, rows, size, cmp);
	free(tmp);
	return true;
}

/* the sort lv_sort_by is doing (the view runs one at a time) */
static const struct lv_sort *sorting;
static lv_cmp_fn sorting_tie;

static int by_key(const void *a, const void *b)
{
	int c = field_cmp(&sorting->key, a, b);
	if (sorting->most_first && sorting->key.kind != LVF_TEXT)
		c = -c;
	return c || !sorting_tie ? c : sorting_tie(a, b);
}

bool lv_sort_by(int *idx, int n, const void *rows, size_t size, const struct lv_sort *by, lv_cmp_fn tie)
{
	if (by->cmp || by->key.kind == LVF_NONE)
		return lv_sort(idx, n, rows, size, by->cmp);
	sorting = by;
	sorting_tie = tie;
	return lv_sort(idx, n, rows, size, by_key);
}

/* ---- windows ---- */

bool lv_window_want(const struct lv_window *w, int top, int visible, int total, int *from, int *count)
{
	if (visible < 1)
		visible = 1;
	int last = top + visible < total ? top + visible : total;
	if (top >= w->base && last <= w->base + w->n)
		return false;
	*from = top - visible > 0 ? top - visible : 0;
	*count = 3 * visible;
	return true;
}

void *lv_window_put(struct lv_window *w)
{
	if (w->n == w->cap) {
		int cap = w->cap ? w->cap * 2 : 64;
		char *v = realloc(w->rows, (size_t)cap * w->size);
		if (!v) {
			w->full = true;
			return NULL;
		}
		w->rows = v;
		w->cap = cap;
	}
	char *row = w->rows + (size_t)w->n++ * w->size;
	memset(row, 0, w->size);
	return row;
}

void *lv_walk_put(struct lv_walk *k)
{
	int i = k->n++;
	return i >= k->from && i < k->upto ? lv_window_put(k->w) : NULL;
}

static const void *lv_window_row(const struct lv_window *w, int i)
{
	return i >= w->base && i < w->base + w->n ? w->rows + (size_t)(i - w->base) * w->size : NULL;
}

/* ---- search ---- */

int lv_search(int n, int start, int dir, bool from_here, lv_match_fn match, void *ud, bool *wrapped)
{
	*wrapped = false;
	if (n <= 0)
		return -1;
	int first = from_here ? start : start + dir;
	for (int k = 0; k < n; k++) {
		int i = ((first + dir * k) % n + n) % n;
		if (match(ud, i)) {
			/* past an end of the list from where the walk began */
			*wrapped = (dir > 0 && i < first) || (dir < 0 && i > first);
			return i;
		}
	}
	return -1;
}

/* ---- rows: their id, the filters' rules, the search ---- */

static int64_t row_id(const struct lv_spec *sp, const void *row)
{
	if (sp->id)
		return sp->id(row);
	return sp->key.kind == LVF_NONE ? 0 : field_num(row, &sp->key);
}

static bool has_id(const struct lv_spec *sp)
{
	return sp->id || sp->key.kind != LVF_NONE;
}

/* Does row pass filter f at its choice k (k > 0)? */
static bool passes(const struct listview *lv, const struct lv_filter *f, int k, const void *row)
{
	const struct bk_settings *set = lv->t ? lv->t->ctx->settings : NULL;
	switch (f->rule) {
	case LVR_SCREEN:
		return true;
	case LVR_LOT:
		return !set || k > set->n_lots || field_num(row, &f->field) == set->lots[k - 1].number;
	case LVR_DISTRICT:
		return !set || k > set->n_districts || strcmp(at(row, &f->field), set->districts[k - 1].name) == 0;
	case LVR_VALUE:
		return field_num(row, &f->field) == k - 1;
	case LVR_YES_NO:
		return field_num(row, &f->field) == (k == 1);
	}
	return true;
}

static bool keep_row(const struct listview *lv, const void *row)
{
	const struct lv_spec *sp = lv->spec;
	for (int k = 0; k < sp->nfilters && k < LV_MAX_FILTERS; k++)
		if (lv->filter[k] && !passes(lv, &sp->filters[k], lv->filter[k], row))
			return false;
	return !sp->keep || sp->keep(lv->ud, row, lv->filter);
}

static bool row_matches(const struct listview *lv, const void *row, const char *needle)
{
	const struct lv_spec *sp = lv->spec;
	if (sp->matches)
		return sp->matches(lv->ud, row, needle);
	for (int i = 0; i < LV_MAX_SEARCH; i++)
		if (sp->search[i].kind == LVF_TEXT && text_contains(at(row, &sp->search[i]), needle))
			return true;
	return false;
}

int lv_choices(const struct listview *lv, int k, char items[][80], int max)
{
	const struct lv_filter *f = &lv->spec->filters[k];
	if (f->choices)
		return f->choices(lv->ud, items, max);
	int n = 0;
	for (; f->words && f->words[n] && n < max; n++)
		snprintf(items[n], 80, "%s", f->words[n]);
	if (n)
		return n;
	const struct bk_settings *set = lv->t ? lv->t->ctx->settings : NULL;
	snprintf(items[n++], 80, "any");
	for (int i = 0; set && f->rule == LVR_LOT && i < set->n_lots && n < max; i++)
		snprintf(items[n++], 80, "%d %.70s", set->lots[i].number, set->lots[i].name);
	for (int i = 0; set && f->rule == LVR_DISTRICT && i < set->n_districts && n < max; i++)
		snprintf(items[n++], 80, "%.78s", set->districts[i].name);
	for (int i = 0; f->field.kind == LVF_STATUS && i < WF_STATUS_COUNT && n < max; i++)
		snprintf(items[n++], 80, "%s", bk_referral_status_words((enum wf_status)i));
	return n;
}

/* ---- the state kept per screen while the workstation is open ---- */

static struct lv_saved {
	bool set;
	int sort;
	bool desc;
	int filter[LV_MAX_FILTERS];
} saved[SCR_COUNT];

static void save_state(const struct listview *lv)
{
	struct lv_saved *sv = &saved[lv->sid];
	sv->set = true;
	sv->sort = lv->sort;
	sv->desc = lv->desc;
	memcpy(sv->filter, lv->filter, sizeof sv->filter);
}

void lv_init(struct listview *lv, const struct lv_spec *spec, void *ud, enum screen_id sid)
{
	memset(lv, 0, sizeof *lv);
	lv->spec = spec;
	lv->ud = ud;
	lv->sid = sid;
	lv->win.size = spec->row_size;
	lv->sort = spec->default_sort;
	if (saved[sid].set) {
		lv->sort = saved[sid].sort < spec->nsorts ? saved[sid].sort : 0;
		lv->desc = saved[sid].desc;
		memcpy(lv->filter, saved[sid].filter, sizeof lv->filter);
	}
}

void lv_finish(struct listview *lv)
{
	tv_clear(&lv->pane);
	free(lv->win.rows);
	free(lv->idx);
	lv->win.rows = NULL;
	lv->idx = NULL;
	lv->win.n = lv->win.cap = 0;
}

/* load_all: the kept rows, in the sort's order */
static bool arrange(struct listview *lv)
{
	const struct lv_spec *sp = lv->spec;
	free(lv->idx);
	lv->idx = malloc(((size_t)lv->win.n + 1) * sizeof *lv->idx);
	if (!lv->idx) {
		lv->total = 0;
		return false;
	}
	int n = 0;
	for (int i = 0; i < lv->win.n; i++)
		if (keep_row(lv, lv->win.rows + (size_t)i * sp->row_size))
			lv->idx[n++] = i;
	lv->total = n;
	if (sp->nsorts &&
	    !lv_sort_by(lv->idx, n, lv->win.rows, sp->row_size, &sp->sorts[lv->sort], sp->sorts[sp->default_sort].cmp))
		return false;
	for (int i = 0; lv->desc && i < n / 2; i++) {
		int x = lv->idx[i];
		lv->idx[i] = lv->idx[n - 1 - i];
		lv->idx[n - 1 - i] = x;
	}
	return true;
}

static void clamp(struct listview *lv)
{
	if (lv->cursor >= lv->total)
		lv->cursor = lv->total - 1;
	if (lv->cursor < 0)
		lv->cursor = 0;
	if (lv->top > lv->cursor)
		lv->top = lv->cursor;
	if (lv->top < 0)
		lv->top = 0;
}

static bool load_window(struct listview *lv, int from, int count)
{
	lv->win.n = 0;
	lv->win.base = from;
	lv->win.full = false;
	int total = 0;
	if (!lv->spec->load(lv->ud, from, count, &lv->win, &total)) {
		lv->failed = true;
		return false;
	}
	lv->total = total;
	return true;
}

const void *lv_row(struct listview *lv, int i)
{
	if (i < 0 || i >= lv->total)
		return NULL;
	if (lv->spec->load_all)
		return lv->win.rows + (size_t)lv->idx[i] * lv->spec->row_size;
	const void *r = lv_window_row(&lv->win, i);
	if (!r) {
		int from = i - 32 > 0 ? i - 32 : 0;
		if (!load_window(lv, from, 128))
			return NULL;
		r = lv_window_row(&lv->win, i);
	}
	return r;
}

const void *lv_current(struct listview *lv)
{
	return lv_row(lv, lv->cursor);
}

int lv_find_id(struct listview *lv, int64_t id)
{
	const struct lv_spec *sp = lv->spec;
	if (!id || !has_id(sp))
		return -1;
	if (sp->load_all) {
		for (int i = 0; i < lv->total; i++)
			if (row_id(sp, lv_row(lv, i)) == id)
				return i;
		return -1;
	}
	for (int i = 0; i < lv->win.n; i++)
		if (row_id(sp, lv->win.rows + (size_t)i * sp->row_size) == id)
			return lv->win.base + i;
	return -1;
}

bool lv_reload(struct listview *lv, int64_t follow)
{
	const struct lv_spec *sp = lv->spec;
	const void *cur = lv->total ? lv_current(lv) : NULL;
	char *was = NULL;
	if (cur && has_id(sp)) {
		was = malloc(sp->row_size);
		if (was)
			memcpy(was, cur, sp->row_size);
	}
	lv->failed = false;
	lv->pane_id = 0;
	bool ok;
	if (sp->load_all) {
		lv->win.n = lv->win.base = 0;
		lv->win.full = false;
		ok = sp->load_all(lv->ud, &lv->win) && arrange(lv);
		if (!ok)
			lv->failed = true;
		else if (lv->win.full && lv->t)
			tui_message(lv->t, true, "Out of memory: the list is incomplete");
	} else {
		int page = lv->cursor - lv->top + 1 > 24 ? lv->cursor - lv->top + 1 : 24;
		int from = lv->top - page > 0 ? lv->top - page : 0;
		ok = load_window(lv, from, 3 * page);
	}
	if (was) {
		int i = lv_find_id(lv, row_id(sp, was));
		const void *now = i >= 0 ? lv_row(lv, i) : NULL;
		if (now && memcmp(now, was, sp->row_size) != 0)
			lv->marked = row_id(sp, was);
		free(was);
	}
	if (follow) {
		int i = lv_find_id(lv, follow);
		if (i >= 0) {
			int line = lv->cursor - lv->top;
			lv->cursor = i;
			lv->top = i - line > 0 ? i - line : 0;
		}
	}
	clamp(lv);
	return ok;
}

/* Sort again (in memory when load_all), the cursor at the top. */
static void lv_set_sort(struct listview *lv, int sort, bool desc)
{
	if (sort < 0 || sort >= lv->spec->nsorts)
		return;
	lv->sort = sort;
	lv->desc = desc;
	lv->cursor = lv->top = 0;
	save_state(lv);
	if (lv->spec->load_all)
		arrange(lv);
	else
		lv_reload(lv, 0);
	lv->marked = 0;
}

void lv_clear_filters(struct listview *lv)
{
	memset(lv->filter, 0, sizeof lv->filter);
	lv_set_filter(lv, 0, 0);
}

void lv_set_filter(struct listview *lv, int k, int value)
{
	if (k < 0 || k >= LV_MAX_FILTERS)
		return;
	lv->filter[k] = value;
	lv->cursor = lv->top = 0;
	save_state(lv);
	if (lv->spec->load_all && !lv->spec->filter_reloads)
		arrange(lv);
	else
		lv_reload(lv, 0);
	lv->marked = 0;
}

/* ---- the screen's side ---- */

void lv_from_screen(struct listview *lv, const struct screen *s)
{
	lv->cursor = s->cursor;
	lv->top = s->top;
}

void lv_to_screen(const struct listview *lv, struct screen *s)
{
	s->cursor = lv->cursor;
	s->top = lv->top;
}

int lv_rows(const struct screen *s)
{
	const struct listview *lv = s->st;
	return lv->total;
}

bool lv_matches(const struct screen *s, int row, const char *needle)
{
	struct listview *lv = s->st;
	const void *r = lv_row(lv, row);
	return r && row_matches(lv, r, needle);
}

void *lv_open(struct tui *t, struct screen *s, size_t size, const struct lv_spec *spec)
{
	struct listview *lv = calloc(1, size);
	if (!lv)
		return NULL;
	s->st = lv;
	lv_init(lv, spec, lv, s->ops->id);
	lv->t = t;
	return lv;
}

bool lv_show(struct screen *s)
{
	struct listview *lv = s->st;
	s->cursor = s->top = 0;
	lv_from_screen(lv, s);
	bool ok = lv_reload(lv, 0);
	lv->marked = 0;
	lv_to_screen(lv, s);
	return ok;
}

bool lv_open_show(struct tui *t, struct screen *s, size_t size, const struct lv_spec *spec)
{
	if (!lv_open(t, s, size, spec))
		return false;
	lv_show(s);
	return true;
}

void lv_close(struct screen *s)
{
	struct listview *lv = s->st;
	if (lv) {
		if (lv->spec->finish)
			lv->spec->finish(lv->ud);
		lv_finish(lv);
	}
	free(lv);
	s->st = NULL;
}

void lv_screen_reload(struct tui *t, struct screen *s)
{
	(void)t;
	struct listview *lv = s->st;
	lv_from_screen(lv, s);
	lv_reload(lv, 0);
	lv_to_screen(lv, s);
}

bool lv_more(struct tui *t, struct screen *s)
{
	struct listview *lv = s->st;
	if (!lv->partial)
		return false;
	int64_t marked = lv->marked;
	lv->partial = false;
	lv_screen_reload(t, s);
	lv->marked = marked;
	return true;
}

const void *lv_at(const struct screen *s)
{
	return lv_row(s->st, s->cursor);
}

const void *lv_at_or(struct tui *t, const struct screen *s, const char *none)
{
	const void *r = lv_at(s);
	if (!r)
		tui_message(t, true, "%s", none);
	return r;
}

bool lv_referral(const struct screen *s, struct referral_ref *out)
{
	const struct lv_spec *sp = ((const struct listview *)s->st)->spec;
	const void *r = lv_at(s);
	if (!r || sp->referral.kind == LVF_NONE || !field_num(r, &sp->referral))
		return false;
	out->id = field_num(r, &sp->referral);
	out->version = sp->version.kind == LVF_NONE ? 0 : field_num(r, &sp->version);
	return true;
}

/* The one column drawer: the cells of a line (fill gives cell i's text,
 * look or RAG) in the widths lv_fit gave, after the gutter; a header, a
 * list row and a table's headings and rows alike. */
typedef void (*lv_fill_fn)(const void *ud, int i, struct lv_cell *c);

static void draw_columns(const struct lv_column *cols, int n, const int *w, int y, int base, bool selected,
                         lv_fill_fn fill, const void *ud)
{
	int x = LV_GUTTER;
	for (int i = 0; i < n; i++) {
		if (!w[i])
			continue;
		char buf[512] = "";
		struct lv_cell cell = { buf, sizeof buf, w[i], LOOK_NORMAL, RAG_NONE };
		fill(ud, i, &cell);
		if (cols[i].tight && x > LV_GUTTER)
			x -= LV_GAP;
		if (cell.rag != RAG_NONE) { /* a row's RAG; its header is the label */
			draw_rag(y, x, cell.rag, base);
		} else {
			int attr = selected || cell.look == LOOK_NORMAL ? base : draw_attr(cell.look);
			draw_cell(y, x, w[i], buf, cols[i].right, attr);
		}
		x += w[i] + LV_GAP;
	}
}

/* a header's cell: the label; a fixed column's always fits its width
 * (lv_fit), a text column's may have a short form */
static void label_cell(const void *ud, int i, struct lv_cell *c)
{
	const struct lv_column *col = &((const struct listview *)ud)->spec->cols[i];
	const char *label = col->label ? col->label : "";
	if (col->short_label && text_width(label) > c->width)
		label = col->short_label;
	str_copy(c->buf, c->len, label);
}

/* a list row's cell: the column's cell function */
struct row_at {
	const struct listview *lv;
	const void *row;
};

static void row_cell(const void *ud, int i, struct lv_cell *c)
{
	const struct row_at *r = ud;
	const struct lv_column *col = &r->lv->spec->cols[i];
	if (col->cell)
		col->cell(r->lv->ud, r->row, c);
}

static void draw_row(const struct listview *lv, const void *row, const int *w, int y, bool selected)
{
	const struct lv_spec *sp = lv->spec;
	int base = selected ? draw_attr(LOOK_SELECT) : (int)A_NORMAL;
	char mark = ' ';
	if (sp->mark)
		mark = sp->mark(lv->ud, row);
	if (lv->marked && row_id(sp, row) == lv->marked)
		mark = '>';
	char m[2] = { mark, '\0' };
	draw_fill(y, 0, COLS, base);
	draw_text(y, 0, 1, m, base | A_BOLD, true);
	draw_columns(sp->cols, sp->ncols, w, y, base, selected, row_cell, &(struct row_at){ lv, row });
}

/* The widest cell of each column among the rows on screen: a fixed
 * column's in the narrow form (what it needs so that nothing of it is
 * cut), a text column's in the wide form (more it does not want). */
static void measure(struct listview *lv, int rows, int *need)
{
	const struct lv_spec *sp = lv->spec;
	for (int r = 0; r < rows && lv->top + r < lv->total; r++) {
		const void *row = lv_row(lv, lv->top + r);
		if (!row)
			break;
		for (int i = 0; i < sp->ncols && i < 64; i++) {
			const struct lv_column *c = &sp->cols[i];
			if (c->kind == LV_RAG || !c->cell)
				continue;
			char buf[512] = "";
			struct lv_cell cell = { buf, sizeof buf, c->kind == LV_TEXT ? c->wide : c->narrow, LOOK_NORMAL,
				                RAG_NONE };
			c->cell(lv->ud, row, &cell);
			int tw = text_width(buf);
			if (tw > need[i])
				need[i] = tw;
		}
	}
}

/* Text wrapped from column x to the right edge on at most max lines (the
 * rest of a longer text is left out); returns the lines drawn. */
static int draw_wrapped(int y, int x, int max, enum tui_look look, const char *text)
{
	struct textview tv = { 0 };
	tv_add_wrapped(&tv, look, COLS - x - 1, 2, text);
	int n = tv.n < max ? tv.n : max;
	for (int i = 0; i < n; i++) {
		draw_fill(y + i, 0, COLS, A_NORMAL);
		draw_text(y + i, x, COLS - x - 1, tv.v[i].text, draw_attr(look), false);
	}
	tv_clear(&tv);
	return n;
}

void lv_draw(struct tui *t, struct screen *s, int y, int h)
{
	struct listview *lv = s->st;
	lv->t = t;
	const struct lv_spec *sp = lv->spec;
	int w[64] = { 0 }, need[64] = { 0 };
	char banner[512] = "";
	if (sp->banner)
		sp->banner(lv->ud, banner, sizeof banner);
	if (banner[0] && h > 4) {
		/* read whole: wrapped on two lines at most */
		int used = draw_wrapped(y, 1, 2, LOOK_TITLE, banner);
		y += used;
		h -= used;
	}
	int rows = h - 1;
	screen_scroll(s, rows);
	lv_from_screen(lv, s);
	s->row_y = y + 1;
	int from, count;
	if (!sp->load_all && lv_window_want(&lv->win, lv->top, rows, lv->total, &from, &count))
		load_window(lv, from, count);
	measure(lv, rows, need);
	lv_fit(sp->cols, sp->ncols, COLS - LV_GUTTER, lv->hcol + 1, need, w);
	draw_fill(y, 0, COLS, draw_attr(LOOK_HEAD));
	draw_columns(sp->cols, sp->ncols, w, y, draw_attr(LOOK_HEAD), true, label_cell, lv);
	for (int r = 0; r < rows; r++) {
		int i = lv->top + r;
		const void *row = i < lv->total ? lv_row(lv, i) : NULL;
		if (row)
			draw_row(lv, row, w, y + 1 + r, i == lv->cursor);
		else
			draw_fill(y + 1 + r, 0, COLS, A_NORMAL);
	}
	if (lv->total == 0 && rows > 2) {
		/* read whole, wrapped within the list's rows */
		int used = draw_wrapped(y + 2, 3, rows - 2, LOOK_TITLE,
		                        lv->failed  ? "The list could not be read."
		                        : sp->empty ? sp->empty
		                                    : "Nothing to show.");
		if (sp->empty_hint && rows - 3 - used > 0)
			draw_wrapped(y + 3 + used, 3, rows - 3 - used, LOOK_NORMAL, sp->empty_hint);
	}
}

int lv_draw_pane(struct tui *t, struct screen *s, int y, int h, int list_h)
{
	struct listview *lv = s->st;
	if (lv->total == 0) { /* no row for a pane: the list says why, whole */
		lv_draw(t, s, y, h);
		return 0;
	}
	lv_draw(t, s, y, list_h);
	int py = y + list_h, ph = h - list_h;
	for (int r = 0; r < ph; r++)
		draw_fill(py + r, 0, COLS, A_NORMAL);
	const void *row = lv_at(s);
	if (!row || !lv->spec->pane || ph < 2)
		return 0;
	if (lv->pane_width != COLS - 2 || lv->pane_id != row_id(lv->spec, row)) {
		tv_clear(&lv->pane);
		lv->spec->pane(lv->ud, row, COLS - 2, &lv->pane);
		lv->pane_width = COLS - 2;
		lv->pane_id = row_id(lv->spec, row);
	}
	draw_hline(py, 0, COLS, t->ascii);
	tv_draw(&lv->pane, 0, py + 1, ph - 1, -1, 0);
	return lv->pane.n > ph - 1 ? lv->pane.n - (ph - 1) : 0;
}

static void lv_choose_sort(struct tui *t, struct screen *s)
{
	struct listview *lv = s->st;
	const struct lv_spec *sp = lv->spec;
	if (sp->nsorts < 2) {
		tui_message(t, true, "This list has one order only");
		return;
	}
	char text[16][96];
	const char *items[16];
	int n = sp->nsorts < 16 ? sp->nsorts : 16;
	for (int i = 0; i < n; i++) {
		if (i == lv->sort)
			snprintf(text[i], sizeof text[i], "%s (in use: again reverses it)", sp->sorts[i].name);
		else
			snprintf(text[i], sizeof text[i], "%s", sp->sorts[i].name);
		items[i] = text[i];
	}
	int k = tui_choose(t, sp->sort_title ? sp->sort_title : "Order the list by", items, n, lv->sort);
	if (k < 0)
		return;
	lv_set_sort(lv, k, k == lv->sort ? !lv->desc : false);
	lv_to_screen(lv, s);
	tui_message(t, false, "Sorted by %s%s", sp->sorts[k].name, lv->desc ? ", reversed" : "");
}

static void lv_sort_step(struct tui *t, struct screen *s, int dir)
{
	struct listview *lv = s->st;
	const struct lv_spec *sp = lv->spec;
	if (sp->nsorts < 2)
		return;
	lv_set_sort(lv, ((lv->sort + dir) % sp->nsorts + sp->nsorts) % sp->nsorts, false);
	lv_to_screen(lv, s);
	tui_message(t, false, "Sorted by %s", sp->sorts[lv->sort].name);
}

void lv_choose_filter(struct tui *t, struct screen *s)
{
	struct listview *lv = s->st;
	const struct lv_spec *sp = lv->spec;
	if (!sp->nfilters) {
		tui_message(t, true, "This list has no filters");
		return;
	}
	static char items[LV_MAX_CHOICES][80];
	static char one[LV_MAX_CHOICES][80];
	const char *ptrs[LV_MAX_CHOICES];
	int k = 0;
	int nf = sp->nfilters < LV_MAX_FILTERS ? sp->nfilters : LV_MAX_FILTERS;
	if (nf > 1) {
		for (int i = 0; i < nf; i++) {
			int n = lv_choices(lv, i, one, LV_MAX_CHOICES);
			int v = lv->filter[i] < n ? lv->filter[i] : 0;
			snprintf(items[i], sizeof items[i], "%s: %.60s", sp->filters[i].name, one[v]);
			ptrs[i] = items[i];
		}
		snprintf(items[nf], sizeof items[nf], "clear every filter");
		ptrs[nf] = items[nf];
		k = tui_choose(t, sp->filter_title ? sp->filter_title : "Filter by", ptrs, nf + 1, 0);
		if (k < 0)
			return;
		if (k == nf) {
			lv_clear_filters(lv);
			lv_to_screen(lv, s);
			tui_message(t, false, "Every filter cleared");
			return;
		}
	}
	int n = lv_choices(lv, k, items, LV_MAX_CHOICES);
	for (int i = 0; i < n; i++)
		ptrs[i] = items[i];
	char title[96];
	snprintf(title, sizeof title, "Show the rows whose %s is", sp->filters[k].name);
	int v = tui_choose(t, title, ptrs, n, lv->filter[k] < n ? lv->filter[k] : 0);
	if (v < 0)
		return;
	lv_set_filter(lv, k, v);
	lv_to_screen(lv, s);
}

/* ---- the sort keys of every list screen (actions.def) ---- */

ACTION_FN(act_sort_prev, lv_sort_step(t, s, -1));

ACTION_FN(act_sort_next, lv_sort_step(t, s, 1));

ACTION_FN(act_sort_choose, lv_choose_sort(t, s));

/* ---- cells more than one list shows ---- */

enum rag lv_due_rag(const void *ud, int64_t deadline)
{
	const struct listview *lv = ud;
	return wf_rag(&lv->t->ctx->cal, deadline, lv->t->ctx->now);
}

void lv_cell_provider(struct lv_cell *c, const char *provider, int rank, int ranked)
{
	if (!provider[0])
		str_copy(c->buf, c->len, "-");
	else if (rank <= 0)
		str_copy(c->buf, c->len, provider);
	else
		provider_rank_text(provider, rank, ranked, c->width, c->buf, c->len);
}

/* ---- tables (reports) ---- */

#define LT_MAX_COLS 64
#define LT_MAX_TEXT 40 /* a text column is at most this wide; longer cells end in '~' */

enum lt_kind {
	LT_BLANK,
	LT_TITLE,   /* a further part's title */
	LT_GROUP,   /* group names over their columns */
	LT_HEAD1,   /* the first line of two-line headings */
	LT_HEAD2,   /* the headings */
	LT_RULE,    /* before a run of total rows */
	LT_ROW,     /* a data or total row */
	LT_SECTION, /* a section row: its name across the line */
	LT_NOTE,    /* a line of a wrapped note */
	LT_EMPTY,   /* a part without rows */
};

/* a row of the view: a line of the page */
struct lt_line {
	int kind, part;
	int row; /* the table's row; for a note line, the index of its text */
};

/* a column's heading: on two lines, or on the lower alone (upper "") */
struct lt_head {
	char upper[256], lower[256];
};

static void lt_cell(const struct bk_table *t, int row, int col, bool ascii, char *buf, size_t len)
{
	char raw[512];
	bk_table_cell_text(t, row, col, false, ascii, raw, sizeof raw);
	draw_clean(raw, buf, len);
}

/* The width of a cell, without formatting the plain ones. */
static int lt_cell_width(const struct bk_table *t, int row, int col, bool ascii)
{
	const struct bk_cell *c = &t->rows[row].cells[col];
	if (!c->set)
		return 0;
	if (t->cols[col].type == BK_COL_INT) {
		int w = c->v < 0 ? 2 : 1;
		for (int64_t v = c->v < 0 ? -(c->v / 10) : c->v / 10; v; v /= 10)
			w++;
		return w;
	}
	if (t->cols[col].type == BK_COL_TEXT && !t->cols[col].words && c->text) {
		const unsigned char *p = (const unsigned char *)c->text;
		while (*p >= 0x20 && *p < 0x7f)
			p++;
		if (!*p)
			return (int)(p - (const unsigned char *)c->text);
	}
	char buf[512];
	lt_cell(t, row, col, ascii, buf, sizeof buf);
	return text_width(buf);
}

/* A column's heading over its cells (cells wide): whole on the lower line
 * (upper "") when it fits them or has no space to break at, else broken
 * at the space that makes it narrowest, upper the part before it. Returns
 * the width of its wider line. */
static int lt_heading(const char *label, int cells, struct lt_head *h)
{
	char clean[256];
	draw_clean(label, clean, sizeof clean);
	snprintf(h->lower, sizeof h->lower, "%s", clean);
	h->upper[0] = '\0';
	int whole = text_width(clean), best = whole;
	for (size_t i = 0; whole > cells && clean[i]; i++) {
		if (clean[i] != ' ')
			continue;
		char left[256];
		snprintf(left, sizeof left, "%.*s", (int)i, clean);
		int lw = text_width(left), rw = text_width(clean + i + 1);
		if ((lw > rw ? lw : rw) < best) {
			best = lw > rw ? lw : rw;
			snprintf(h->upper, sizeof h->upper, "%s", left);
			snprintf(h->lower, sizeof h->lower, "%s", clean + i + 1);
		}
	}
	return best;
}

static void lt_part_free(struct lv_tpart *vp)
{
	free(vp->cols);
	free(vp->head);
	free(vp->need);
	free(vp->order);
	memset(vp, 0, sizeof *vp);
}

/* The columns of a part as lv_fit takes them, measured once a run: every
 * column fixed at its widest cell or heading line (a text column at most
 * LT_MAX_TEXT), one more for the gap before it. */
static bool lt_part_measure(struct lv_tpart *vp, const struct bk_table *t, bool ascii)
{
	vp->t = t;
	vp->n = t->n_cols < LT_MAX_COLS ? t->n_cols : LT_MAX_COLS;
	size_t n = (size_t)(vp->n ? vp->n : 1);
	vp->cols = calloc(n, sizeof *vp->cols);
	vp->head = calloc(n, sizeof *vp->head);
	vp->need = calloc(n, sizeof *vp->need);
	vp->order = malloc((size_t)(t->n_rows ? t->n_rows : 1) * sizeof *vp->order);
	if (!vp->cols || !vp->head || !vp->need || !vp->order)
		return false;
	for (int r = 0; r < t->n_rows; r++)
		vp->order[r] = r;
	for (int c = 0; c < vp->n; c++) {
		int w = 1;
		for (int r = 0; r < t->n_rows; r++) {
			if (t->rows[r].kind == BK_ROW_SECTION)
				continue; /* drawn across the line */
			int cw = lt_cell_width(t, r, c, ascii);
			if (cw > w)
				w = cw;
		}
		struct lt_head *h = &vp->head[c];
		int head = lt_heading(t->cols[c].label, w, h);
		if (head > w)
			w = head;
		vp->two_lines = vp->two_lines || h->upper[0];
		bool text = t->cols[c].type == BK_COL_TEXT;
		if (text && w > LT_MAX_TEXT)
			w = LT_MAX_TEXT;
		int gap = c ? 1 : 0;
		vp->need[c] = w + gap;
		/* lv_fit keeps a fixed column at least as wide as its label */
		vp->cols[c] =
			(struct lv_column){ .label = text_width(h->upper) > text_width(h->lower) ? h->upper : h->lower,
			                    .narrow = w + gap,
			                    .wide = w + gap,
			                    .kind = LV_FIXED,
			                    .right = !text };
		vp->groups = vp->groups || t->cols[c].group;
	}
	vp->first = vp->need[0];
	return true;
}

/* The widths of a part's columns with those after the first scrolled by off. */
static int lt_fit(const struct lv_tpart *vp, int off, int *w)
{
	memset(w, 0, LT_MAX_COLS * sizeof *w);
	if (!vp->n)
		return 0;
	return lv_fit(vp->cols, vp->n, COLS - LV_GUTTER, 1 + (off < vp->maxoff ? off : vp->maxoff), vp->need, w);
}

/* Lay the parts out for the screen's width: the first column of a table
 * wider than the screen keeps a third of it at most; how far the others
 * may scroll. */
static void lt_part_layout(struct lv_tpart *vp)
{
	if (!vp->n)
		return;
	bool text = vp->t->cols[0].type == BK_COL_TEXT;
	int room = COLS - LV_GUTTER, total = 0, w0 = vp->first;
	for (int c = 0; c < vp->n; c++)
		total += c ? vp->need[c] : w0;
	int first_max = room / 3 > 12 ? room / 3 : 12;
	if (text && total > room && w0 > first_max)
		w0 = first_max;
	vp->cols[0].narrow = vp->cols[0].wide = w0;
	vp->need[0] = text ? 0 : w0;
	vp->maxoff = 0;
	int w[LT_MAX_COLS];
	for (int off = 0; off < vp->n - 1; off++) {
		vp->maxoff = off;
		lv_fit(vp->cols, vp->n, room, 1 + off, vp->need, w);
		if (w[vp->n - 1] > 0)
			break;
	}
}

static bool lt_line(struct lv_window *all, int kind, int part, int row)
{
	struct lt_line *l = lv_window_put(all);
	if (!l)
		return false;
	*l = (struct lt_line){ kind, part, row };
	return true;
}

/* The view's load_all: the lines of the page for the screen's width. */
static bool lt_load(void *ud, struct lv_window *all)
{
	struct lv_table *lt = ud;
	tv_clear(&lt->notes);
	lt->max_head = 1;
	lt->laid_cols = COLS;
	bool ok = true;
	for (int i = 0; ok && i < lt->n_parts; i++) {
		struct lv_tpart *vp = &lt->parts[i];
		const struct bk_table *t = vp->t;
		lt_part_layout(vp);
		if (i > 0)
			ok = lt_line(all, LT_BLANK, i, -1) && lt_line(all, LT_TITLE, i, -1);
		vp->head_first = all->n;
		if (vp->groups)
			ok = ok && lt_line(all, LT_GROUP, i, -1);
		if (vp->two_lines)
			ok = ok && lt_line(all, LT_HEAD1, i, -1);
		ok = ok && lt_line(all, LT_HEAD2, i, -1);
		vp->n_head = all->n - vp->head_first;
		if (vp->n_head > lt->max_head)
			lt->max_head = vp->n_head;
		if (t->n_rows == 0)
			ok = ok && lt_line(all, LT_EMPTY, i, -1);
		for (int k = 0; ok && k < t->n_rows; k++) {
			int r = vp->order[k];
			enum bk_row_kind kind = t->rows[r].kind;
			if (kind == BK_ROW_SECTION) {
				ok = (k == 0 || lt_line(all, LT_BLANK, i, r)) && lt_line(all, LT_SECTION, i, r);
				continue;
			}
			/* a rule sets a run of totals apart from the rows they add up */
			if (kind == BK_ROW_TOTAL && k > 0 && t->rows[vp->order[k - 1]].kind == BK_ROW_DATA)
				ok = lt_line(all, LT_RULE, i, r);
			ok = ok && lt_line(all, LT_ROW, i, r);
		}
		int first_note = lt->notes.n;
		for (int k = 0; k < t->n_notes; k++)
			tv_addf(&lt->notes, LOOK_DIM, COLS - 2, 6, "Note: %s", t->notes[k]);
		if (lt->notes.n > first_note)
			ok = ok && lt_line(all, LT_BLANK, i, -1);
		for (int k = first_note; ok && k < lt->notes.n; k++)
			ok = lt_line(all, LT_NOTE, i, k);
	}
	return ok;
}

static void lt_parts_free(struct lv_table *lt)
{
	for (int i = 0; i < lt->n_parts; i++)
		lt_part_free(&lt->parts[i]);
	free(lt->parts);
	lt->parts = NULL;
	lt->n_parts = 0;
}

static bool lt_measure(struct lv_table *lt, const struct bk_table *table)
{
	lt_parts_free(lt);
	int n = 0;
	for (const struct bk_table *p = table; p; p = p->next)
		n++;
	lt->parts = calloc((size_t)(n ? n : 1), sizeof *lt->parts);
	if (!lt->parts)
		return false;
	lt->n_parts = n;
	int i = 0;
	for (const struct bk_table *p = table; p; p = p->next, i++)
		if (!lt_part_measure(&lt->parts[i], p, lt->ascii))
			return false;
	return true;
}

static const struct lt_line *lt_at(struct lv_table *lt, int i)
{
	return lv_row(&lt->lv, i);
}

/* ---- sorting a part's rows ---- */

static const struct lv_table *lt_sorting; /* the table lt_order is sorting (one at a time) */

static int lt_cmp(const void *a, const void *b)
{
	int col = lt_sorting->sort_col;
	const struct bk_cell *x = &((const struct bk_row *)a)->cells[col];
	const struct bk_cell *y = &((const struct bk_row *)b)->cells[col];
	if (!x->set || !y->set)
		return x->set ? -1 : y->set ? 1 : 0; /* empty cells last, either way */
	int d;
	if (lt_sorting->parts[lt_sorting->sort_part].t->cols[col].type == BK_COL_TEXT)
		d = strcasecmp(x->text ? x->text : "", y->text ? y->text : "");
	else
		d = (x->v > y->v) - (x->v < y->v);
	return lt_sorting->sort_desc ? -d : d;
}

/* The rows of the sorted part in the order of its sort (sort_col -1: core's). */
static void lt_order(struct lv_table *lt)
{
	struct lv_tpart *vp = &lt->parts[lt->sort_part];
	const struct bk_table *t = vp->t;
	for (int r = 0; r < t->n_rows; r++)
		vp->order[r] = r;
	lt_sorting = lt;
	/* each run of data rows on its own: sections and totals stay */
	for (int r = 0; lt->sort_col >= 0 && r < t->n_rows;) {
		if (t->rows[r].kind != BK_ROW_DATA) {
			r++;
			continue;
		}
		int end = r;
		while (end < t->n_rows && t->rows[end].kind == BK_ROW_DATA)
			end++;
		lv_sort(vp->order + r, end - r, t->rows, sizeof t->rows[0], lt_cmp);
		r = end;
	}
}

void lv_table_sort(struct lv_table *lt, int part, int col)
{
	if (part < 0 || part >= lt->n_parts || col >= lt->parts[part].n)
		return;
	lt->sort_desc = col >= 0 && lt->sort_part == part && lt->sort_col == col && !lt->sort_desc;
	lt->sort_part = part;
	lt->sort_col = col;
	lt_order(lt);
	lt->laid_cols = 0;
}

/* The view's matches: a line's cells, its note or its title. */
static bool lt_matches(void *ud, const void *row, const char *needle)
{
	struct lv_table *lt = ud;
	const struct lt_line *l = row;
	const struct bk_table *t = lt->parts[l->part].t;
	char buf[512];
	switch (l->kind) {
	case LT_NOTE:
		return text_contains(lt->notes.v[l->row].text, needle);
	case LT_TITLE:
		return text_contains(t->title, needle);
	case LT_ROW:
	case LT_SECTION:
		for (int c = 0; c < t->n_cols; c++) {
			lt_cell(t, l->row, c, lt->ascii, buf, sizeof buf);
			if (text_contains(buf, needle))
				return true;
		}
		return false;
	default:
		return false;
	}
}

static const struct lv_spec table_spec = { .row_size = sizeof(struct lt_line),
	                                   .load_all = lt_load,
	                                   .matches = lt_matches };

bool lv_table_init(struct lv_table *lt, const struct bk_table *table, enum screen_id sid, bool ascii)
{
	memset(lt, 0, sizeof *lt);
	lt->ascii = ascii;
	lt->sort_col = -1;
	lv_init(&lt->lv, &table_spec, lt, sid);
	return lv_table_set(lt, table);
}

bool lv_table_set(struct lv_table *lt, const struct bk_table *table)
{
	lt->failed = !lt_measure(lt, table);
	if (!lt->failed && lt->sort_col >= 0) {
		if (lt->sort_part < lt->n_parts && lt->sort_col < lt->parts[lt->sort_part].n)
			lt_order(lt);
		else
			lt->sort_col = -1;
	}
	lt->failed = lt->failed || !lv_reload(&lt->lv, 0);
	return !lt->failed;
}

void lv_table_finish(struct lv_table *lt)
{
	lt_parts_free(lt);
	tv_clear(&lt->notes);
	lv_finish(&lt->lv);
}

/* ---- drawing ---- */

/* a heading or row line's cell for draw_columns */
struct lt_at {
	const struct lv_table *lt;
	const struct lv_tpart *vp;
	const struct lt_line *l;
};

static void table_cell(const void *ud, int c, struct lv_cell *cell)
{
	const struct lt_at *a = ud;
	char buf[512];
	const char *text = buf;
	if (a->l->kind == LT_ROW)
		lt_cell(a->vp->t, a->l->row, c, a->lt->ascii, buf, sizeof buf);
	else
		text = a->l->kind == LT_HEAD1 ? a->vp->head[c].upper : a->vp->head[c].lower;
	size_t off = 0; /* the column's own gap, before it; cut to the cell */
	str_appendf(cell->buf, cell->len, &off, "%s%s", c ? " " : "", text);
}

static void lt_draw_line(struct lv_table *lt, int idx, int y, int hilite)
{
	const struct lt_line *l = lt_at(lt, idx);
	int base = idx == hilite ? draw_attr(LOOK_MATCH) : (int)A_NORMAL;
	draw_fill(y, 0, COLS, base);
	if (!l)
		return;
	const struct lv_tpart *vp = &lt->parts[l->part];
	const struct bk_table *tb = vp->t;
	int w[LT_MAX_COLS];
	int width = lt_fit(vp, lt->lv.hcol, w);
	char buf[512];
	switch (l->kind) {
	case LT_BLANK:
		return;
	case LT_TITLE:
		draw_text(y, 1, COLS - 2, tb->title, base | draw_attr(LOOK_TITLE), false);
		return;
	case LT_NOTE:
		draw_text(y, 1, COLS - 2, lt->notes.v[l->row].text, base | draw_attr(LOOK_DIM), false);
		return;
	case LT_EMPTY:
		draw_text(y, 1, COLS - 2, "No rows for these parameters.", base, false);
		return;
	case LT_RULE:
		draw_hline(y, LV_GUTTER, width, lt->ascii);
		return;
	case LT_SECTION:
		lt_cell(tb, l->row, 0, lt->ascii, buf, sizeof buf);
		draw_text(y, 1, COLS - 2, buf, base | draw_attr(LOOK_TITLE), false);
		return;
	case LT_GROUP: {
		/* each group's name over the columns of it that show, with a rule
		 * to its last one, so a scrolled table still says which group */
		int x = LV_GUTTER + w[0] + LV_GAP;
		for (int c = 1; c < vp->n; c++) {
			if (!w[c])
				continue;
			const char *g = tb->cols[c].group;
			int span = w[c] - 1, end = c;
			while (g && end + 1 < vp->n && w[end + 1] && tb->cols[end + 1].group &&
			       strcmp(tb->cols[end + 1].group, g) == 0) {
				end++;
				span += LV_GAP + w[end];
			}
			if (g) {
				char label[160], fitted[640];
				snprintf(label, sizeof label, "%s ", g);
				int used;
				if (text_width(label) > span) {
					text_fit(g, span, false, fitted, sizeof fitted); /* cut, and says so */
					used = draw_text(y, x + 1, span, fitted, base | A_BOLD, false);
				} else {
					used = draw_text(y, x + 1, span, label, base | A_BOLD, false);
				}
				if (span - used > 0)
					draw_hline(y, x + 1 + used, span - used, lt->ascii);
			}
			x += span + 1 + LV_GAP;
			c = end;
		}
		return;
	}
	case LT_HEAD1:
	case LT_HEAD2:
	case LT_ROW: {
		int attr = base | (l->kind == LT_HEAD1                     ? (int)A_BOLD
		                   : l->kind == LT_HEAD2                   ? draw_attr(LOOK_HEAD)
		                   : tb->rows[l->row].kind == BK_ROW_TOTAL ? (int)A_BOLD
		                                                           : 0);
		if (l->kind == LT_HEAD2)
			draw_fill(y, 0, width + LV_GUTTER, attr);
		draw_columns(vp->cols, vp->n, w, y, attr, true, table_cell, &(struct lt_at){ lt, vp, l });
		return;
	}
	}
}

void lv_table_draw(struct tui *t, struct screen *s, int y, int h)
{
	(void)t;
	struct lv_table *lt = s->st;
	if (lt->laid_cols != COLS)
		lv_reload(&lt->lv, 0);
	int rows = lt->lv.total;
	screen_scroll(s, h - lt->max_head);
	if (s->cursor >= rows)
		s->cursor = rows > 0 ? rows - 1 : 0;
	lt->lv.cursor = lt->lv.top = s->cursor;
	int top = s->cursor, row = y;
	const struct lt_line *l = lt_at(lt, top);
	if (l) {
		/* the headings of the part whose rows are at the top stay in view */
		const struct lv_tpart *vp = &lt->parts[l->part];
		bool in_rows = l->kind == LT_ROW || l->kind == LT_RULE || l->kind == LT_SECTION ||
		               (l->kind == LT_BLANK && l->row >= 0);
		if (in_rows && top >= vp->head_first + vp->n_head)
			for (int k = 0; k < vp->n_head && row < y + h; k++)
				lt_draw_line(lt, vp->head_first + k, row++, -1);
	}
	for (int i = top; row < y + h; i++)
		lt_draw_line(lt, i, row++, s->hilite);
	if (lt->failed)
		draw_text(y + 1, 3, COLS - 6, "The report could not be shown whole: out of memory.",
		          draw_attr(LOOK_ERROR), false);
}

int lv_table_part_at(const struct lv_table *lt, int top)
{
	struct lv_table *m = (struct lv_table *)lt;
	const struct lt_line *l = lt_at(m, top < m->lv.total ? top : m->lv.total - 1);
	return l ? l->part : 0;
}

void lv_table_where(struct lv_table *lt, int top, int h, char *buf, size_t len)
{
	buf[0] = '\0';
	if (!lt->lv.total || !lt->n_parts)
		return;
	int part = lv_table_part_at(lt, top);
	const struct lv_tpart *vp = &lt->parts[part];
	int r1 = -1, r2 = -1, n = 0;
	for (int i = top; i < top + h && i < lt->lv.total; i++) {
		const struct lt_line *l = lt_at(lt, i);
		if (!l || l->part != part || l->kind != LT_ROW)
			continue;
		n = l->row; /* its place in the order shown: itself unless the part is sorted */
		if (lt->sort_col >= 0 && lt->sort_part == part)
			for (int k = 0; k < vp->t->n_rows; k++)
				if (vp->order[k] == l->row)
					n = k;
		if (r1 < 0)
			r1 = n;
		r2 = n;
	}
	int w[LT_MAX_COLS];
	lt_fit(vp, lt->lv.hcol, w);
	int first = 0, last = 0;
	for (int c = 1; c < vp->n; c++)
		if (w[c]) {
			if (!first)
				first = c;
			last = c;
		}
	size_t off = 0;
	if (lt->n_parts > 1)
		str_appendf(buf, len, &off, "part %d of %d, ", part + 1, lt->n_parts);
	if (r1 >= 0)
		str_appendf(buf, len, &off, "rows %d-%d of %d", r1 + 1, r2 + 1, vp->t->n_rows);
	else
		str_appendf(buf, len, &off, "%d rows", vp->t->n_rows);
	if (first && (first > 1 || last < vp->t->n_cols - 1))
		str_appendf(buf, len, &off, "; columns 1, %d-%d of %d%s%s", first + 1, last + 1, vp->t->n_cols,
		            first > 1 ? ", Left: earlier" : "", last < vp->t->n_cols - 1 ? ", Right: later" : "");
	if (lt->sort_col >= 0 && lt->sort_part == part) {
		char clean[256];
		draw_clean(vp->t->cols[lt->sort_col].label, clean, sizeof clean);
		str_appendf(buf, len, &off, "; sorted by %.60s%s", clean, lt->sort_desc ? ", reversed" : "");
	}
}

bool lv_table_hscroll(struct lv_table *lt, int top, int dir)
{
	const struct lv_tpart *vp = &lt->parts[lv_table_part_at(lt, top)];
	if (lt->lv.hcol > vp->maxoff)
		lt->lv.hcol = vp->maxoff;
	int to = lt->lv.hcol + dir;
	if (to < 0 || to > vp->maxoff)
		return false;
	lt->lv.hcol = to;
	return true;
}
