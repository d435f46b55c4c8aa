/* The one list view (listview.h says what it owns). */
#include <curses.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tui/listview.h"

#define LV_GAP 1
#define LV_GUTTER 1 /* the mark column before the first column */

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

static void grow_text(const struct lv_column *cols, int n, int width, int *w, int *used, bool half)
{
	for (int i = 0; i < n; i++) {
		if (!w[i] || cols[i].kind != LV_TEXT)
			continue;
		int want = half ? cols[i].narrow + (cols[i].wide - cols[i].narrow) / 2 : cols[i].wide;
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
		w[i] = !on                       ? 0
		       : cols[i].kind == LV_TEXT ? cols[i].narrow
		                                 : fixed_width(&cols[i], false, need ? need[i] : 0);
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
	grow_text(cols, n, width, w, &used, true);
	for (int i = 0; i < n; i++) {
		if (!w[i] || cols[i].kind == LV_TEXT)
			continue;
		int more = fixed_width(&cols[i], true, need ? need[i] : 0) - w[i];
		if (more > 0 && used + more <= width) {
			w[i] += more;
			used += more;
		}
	}
	grow_text(cols, n, width, w, &used, false);
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
		if (!v)
			return NULL;
		w->rows = v;
		w->cap = cap;
	}
	char *row = w->rows + (size_t)w->n++ * w->size;
	memset(row, 0, w->size);
	return row;
}

const void *lv_window_row(const struct lv_window *w, int i)
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
		if (!sp->keep || sp->keep(lv->ud, lv->win.rows + (size_t)i * sp->row_size, lv->filter))
			lv->idx[n++] = i;
	lv->total = n;
	if (sp->nsorts && !lv_sort(lv->idx, n, lv->win.rows, sp->row_size, sp->sorts[lv->sort].cmp))
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
	if (!id || !lv->spec->id)
		return -1;
	if (lv->spec->load_all) {
		for (int i = 0; i < lv->total; i++)
			if (lv->spec->id(lv_row(lv, i)) == id)
				return i;
		return -1;
	}
	for (int i = 0; i < lv->win.n; i++)
		if (lv->spec->id(lv->win.rows + (size_t)i * lv->spec->row_size) == id)
			return lv->win.base + i;
	return -1;
}

bool lv_reload(struct listview *lv, int64_t follow)
{
	const struct lv_spec *sp = lv->spec;
	const void *cur = lv->total ? lv_current(lv) : NULL;
	char *was = NULL;
	if (cur && sp->id) {
		was = malloc(sp->row_size);
		if (was)
			memcpy(was, cur, sp->row_size);
	}
	lv->failed = false;
	bool ok;
	if (sp->load_all) {
		lv->win.n = 0;
		lv->win.base = 0;
		ok = sp->load_all(lv->ud, &lv->win) && arrange(lv);
		if (!ok)
			lv->failed = true;
	} else {
		int page = lv->cursor - lv->top + 1 > 24 ? lv->cursor - lv->top + 1 : 24;
		int from = lv->top - page > 0 ? lv->top - page : 0;
		ok = load_window(lv, from, 3 * page);
	}
	if (was) {
		int at = lv_find_id(lv, sp->id(was));
		const void *now = at >= 0 ? lv_row(lv, at) : NULL;
		if (now && memcmp(now, was, sp->row_size) != 0)
			lv->marked = sp->id(was);
		free(was);
	}
	if (follow) {
		int at = lv_find_id(lv, follow);
		if (at >= 0) {
			int line = lv->cursor - lv->top;
			lv->cursor = at;
			lv->top = at - line > 0 ? at - line : 0;
		}
	}
	clamp(lv);
	return ok;
}

void lv_set_sort(struct listview *lv, int sort, bool desc)
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
	return r && lv->spec->matches && lv->spec->matches(r, needle);
}

static void draw_header(const struct listview *lv, const int *w, int y)
{
	int head = draw_attr(LOOK_HEAD);
	draw_fill(y, 0, COLS, head);
	int x = LV_GUTTER;
	for (int i = 0; i < lv->spec->ncols; i++) {
		const struct lv_column *c = &lv->spec->cols[i];
		if (!w[i])
			continue;
		/* a fixed column's label always fits its width (lv_fit); a text
		 * column's may have a short form */
		const char *label = c->label ? c->label : "";
		if (c->short_label && text_width(label) > w[i])
			label = c->short_label;
		if (c->tight && x > LV_GUTTER)
			x -= LV_GAP;
		draw_cell(y, x, w[i], label, c->right, head);
		x += w[i] + LV_GAP;
	}
}

static void draw_row(const struct listview *lv, const void *row, const int *w, int y, bool selected)
{
	const struct lv_spec *sp = lv->spec;
	int base = selected ? draw_attr(LOOK_SELECT) : (int)A_NORMAL;
	char mark = ' ';
	if (sp->mark)
		mark = sp->mark(lv->ud, row);
	if (lv->marked && sp->id && sp->id(row) == lv->marked)
		mark = '>';
	char m[2] = { mark, '\0' };
	draw_fill(y, 0, COLS, base);
	draw_text(y, 0, 1, m, base | A_BOLD, true);
	int x = LV_GUTTER;
	for (int i = 0; i < sp->ncols; i++) {
		const struct lv_column *c = &sp->cols[i];
		if (!w[i])
			continue;
		char buf[512] = "";
		struct lv_cell cell = { buf, sizeof buf, w[i], LOOK_NORMAL, RAG_NONE };
		if (c->cell)
			c->cell(lv->ud, row, &cell);
		if (c->tight && x > LV_GUTTER)
			x -= LV_GAP;
		if (c->kind == LV_RAG) {
			draw_rag(y, x, cell.rag, base);
		} else {
			int attr = selected || cell.look == LOOK_NORMAL ? base : draw_attr(cell.look);
			draw_cell(y, x, w[i], buf, c->right, attr);
		}
		x += w[i] + LV_GAP;
	}
}

/* The widest cell of each fixed column among the rows on screen, in the
 * narrow form: what the column needs so that nothing of it is cut. */
static void measure(struct listview *lv, int rows, int *need)
{
	const struct lv_spec *sp = lv->spec;
	for (int r = 0; r < rows && lv->top + r < lv->total; r++) {
		const void *row = lv_row(lv, lv->top + r);
		if (!row)
			break;
		for (int i = 0; i < sp->ncols && i < 64; i++) {
			const struct lv_column *c = &sp->cols[i];
			if (c->kind != LV_FIXED || !c->cell)
				continue;
			char buf[512] = "";
			struct lv_cell cell = { buf, sizeof buf, c->narrow, LOOK_NORMAL, RAG_NONE };
			c->cell(lv->ud, row, &cell);
			int tw = text_width(buf);
			if (tw > need[i])
				need[i] = tw;
		}
	}
}

void lv_draw(struct tui *t, struct screen *s, int y, int h)
{
	(void)t;
	struct listview *lv = s->st;
	const struct lv_spec *sp = lv->spec;
	int w[64] = { 0 }, need[64] = { 0 };
	char banner[512] = "";
	if (sp->banner)
		sp->banner(lv->ud, banner, sizeof banner);
	if (banner[0] && h > 4) {
		/* read whole: wrapped on two lines at most */
		struct textview tv = { 0 };
		tv_add_wrapped(&tv, LOOK_TITLE, COLS - 2, 2, banner);
		for (int i = 0; i < tv.n && i < 2; i++) {
			draw_fill(y, 0, COLS, A_NORMAL);
			draw_text(y, 1, COLS - 2, tv.v[i].text, draw_attr(LOOK_TITLE), false);
			y++;
			h--;
		}
		tv_clear(&tv);
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
	draw_header(lv, w, y);
	for (int r = 0; r < rows; r++) {
		int i = lv->top + r;
		const void *row = i < lv->total ? lv_row(lv, i) : NULL;
		if (row)
			draw_row(lv, row, w, y + 1 + r, i == lv->cursor);
		else
			draw_fill(y + 1 + r, 0, COLS, A_NORMAL);
	}
	if (lv->total == 0) {
		draw_text(y + 2, 3, COLS - 6,
		          lv->failed  ? "The list could not be read."
		          : sp->empty ? sp->empty
		                      : "Nothing to show.",
		          draw_attr(LOOK_TITLE), false);
		if (sp->empty_hint)
			draw_text(y + 4, 3, COLS - 6, sp->empty_hint, A_NORMAL, false);
	}
}

void lv_choose_sort(struct tui *t, struct screen *s)
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

void lv_sort_step(struct tui *t, struct screen *s, int dir)
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
			int n = sp->filters[i].choices(lv->ud, one, LV_MAX_CHOICES);
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
	int n = sp->filters[k].choices(lv->ud, items, LV_MAX_CHOICES);
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

/* ---- since you last looked ---- */

static bool state_dir(char *buf, size_t len)
{
	const char *x = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");
	int n;
	if (x && x[0] == '/')
		n = snprintf(buf, len, "%s/brokerage", x);
	else if (home && home[0])
		n = snprintf(buf, len, "%s/.local/state/brokerage", home);
	else
		return false;
	return n > 0 && (size_t)n < len;
}

/* One file per user and database: the name from a hash of both. */
static bool state_file(const char *db, const char *login, char *buf, size_t len)
{
	char dir[3072];
	if (!state_dir(dir, sizeof dir))
		return false;
	uint64_t h = 1469598103934665603ull;
	for (const char *p = db ? db : ""; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	h = (h ^ 0xff) * 1099511628211ull;
	for (const char *p = login ? login : ""; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	int n = snprintf(buf, len, "%s/last-looked-%016llx", dir, (unsigned long long)h);
	return n > 0 && (size_t)n < len;
}

int64_t lv_last_looked(const char *db, const char *login)
{
	char path[4096];
	if (!state_file(db, login, path, sizeof path))
		return 0;
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	long long at = 0;
	if (fscanf(f, "%lld", &at) != 1)
		at = 0;
	fclose(f);
	return at > 0 ? (int64_t)at : 0;
}

static void make_dirs(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST) {
			*p = '/';
			return;
		}
		*p = '/';
	}
	mkdir(path, 0700);
}

void lv_remember_looked(const char *db, const char *login, int64_t now)
{
	char dir[3072], path[4096], tmp[4200];
	if (!state_dir(dir, sizeof dir) || !state_file(db, login, path, sizeof path))
		return;
	make_dirs(dir);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	if (!f)
		return;
	bool ok = fprintf(f, "%lld\n", (long long)now) > 0;
	ok = fclose(f) == 0 && ok;
	if (ok)
		rename(tmp, path);
	else
		remove(tmp);
}
