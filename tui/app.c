/* The workstation: the frame (tabs, context line, hints, message), the
 * main loop, the screen stack, live refresh, the sweep, modal dialogs and
 * the command line (':'). Screens are known only by their ops tables. */
#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "core/text.h"
#include "tui/tui.h"

#define MIN_COLS 80
#define MIN_LINES 24
#define SWEEP_EVERY 60
#define POLL_MS 250
/* While others keep changing the data, the screen loads their changes at
 * most this often (a change still shows within a second): a ten-thousand-
 * row list is not read again four times a second. */
#define LIVE_RELOAD_MS 700
#define OUTPUT_MAX (4 << 20)
#define WHEEL_LINES 3

const struct screen_info tui_screens[SCR_COUNT] = {
#define X(id, title, tab, ops) [SCR_##id] = { title, tab, &ops },
	TUI_SCREENS(X)
#undef X
};

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

static void restore_terminal(void)
{
	if (!isendwin())
		endwin();
}

static int64_t monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t monotonic(void)
{
	return monotonic_ms() / 1000;
}

/* ---- messages and the clock ---- */

void tui_message(struct tui *t, bool error, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->msg, sizeof t->msg, fmt, ap);
	va_end(ap);
	t->msg_error = error;
}

void tui_result(struct tui *t, enum bk_status st)
{
	const char *m = t->ctx->msg[0] ? t->ctx->msg : bk_status_name(st);
	switch (st) {
	case BK_OK:
		tui_message(t, false, "%s", m);
		break;
	case BK_CONFLICT:
		tui_message(t, true, "Not saved: %s (the screen now shows it as it is)", m);
		break;
	case BK_STORAGE:
		tui_message(t, true, "Storage problem: %s", m);
		break;
	default:
		tui_message(t, true, "Refused: %s", m);
		break;
	}
}

void tui_clock(struct tui *t)
{
	if (!t->test_clock)
		t->ctx->now = (int64_t)time(NULL);
}

/* ---- the screen stack ---- */

struct screen *tui_top(struct tui *t)
{
	return t->depth ? &t->stack[t->depth - 1] : NULL;
}

bool tui_push(struct tui *t, enum screen_id id, void *arg)
{
	if (t->depth >= (int)(sizeof t->stack / sizeof t->stack[0])) {
		tui_message(t, true, "Too many screens open: press q to go back first");
		return false;
	}
	struct screen *s = &t->stack[t->depth];
	memset(s, 0, sizeof *s);
	s->ops = tui_screens[id].ops;
	s->hilite = -1;
	snprintf(s->title, sizeof s->title, "%s", tui_screens[id].title);
	if (s->ops->open && !s->ops->open(t, s, arg))
		return false;
	t->depth++;
	t->redraw = true;
	return true;
}

static void reload_screen(struct tui *t, struct screen *s)
{
	s->stale = false;
	if (s->ops->reload)
		s->ops->reload(t, s);
}

void tui_pop(struct tui *t)
{
	if (!t->depth)
		return;
	struct screen *s = &t->stack[--t->depth];
	if (s->ops->close)
		s->ops->close(s);
	memset(s, 0, sizeof *s);
	if (!t->depth)
		t->quit = true;
	else if (t->stack[t->depth - 1].stale) {
		tui_clock(t);
		reload_screen(t, &t->stack[t->depth - 1]);
	}
	t->redraw = true;
	if (t->open_after && t->depth) {
		struct detail_arg a = { t->open_after };
		t->open_after = 0;
		tui_push(t, SCR_DETAIL, &a);
	}
}

/* The data changed: the screen on top loads again now; those under it
 * only when they are shown again, so a change made while a referral is
 * open does not reload the ten thousand rows of the list beneath it. */
void tui_reload_all(struct tui *t)
{
	tui_clock(t);
	for (int i = 0; i < t->depth - 1; i++)
		t->stack[i].stale = true;
	if (t->depth)
		reload_screen(t, &t->stack[t->depth - 1]);
	bk_data_version(t->ctx, &t->data_version);
	t->redraw = true;
}

static bool any_dirty(struct tui *t)
{
	for (int i = 0; i < t->depth; i++)
		if (t->stack[i].ops->dirty && t->stack[i].ops->dirty(&t->stack[i]))
			return true;
	return false;
}

void screen_scroll(struct screen *s, int visible)
{
	int n = s->ops->rows ? s->ops->rows(s) : 0;
	if (visible < 1)
		visible = 1;
	s->page = visible;
	if (s->ops->cursor_rows) {
		if (s->cursor >= n)
			s->cursor = n - 1;
		if (s->cursor < 0)
			s->cursor = 0;
		if (s->top > s->cursor)
			s->top = s->cursor;
		if (s->cursor >= s->top + visible)
			s->top = s->cursor - visible + 1;
		if (s->top > n - visible)
			s->top = n - visible;
		if (s->top < 0)
			s->top = 0;
	} else {
		if (s->cursor > n - visible)
			s->cursor = n - visible;
		if (s->cursor < 0)
			s->cursor = 0;
		s->top = s->cursor;
	}
}

int screen_row_at(const struct screen *s, int y)
{
	if (!s->ops->cursor_rows || s->row_y <= 0 || y < s->row_y || y >= s->row_y + s->page)
		return -1;
	int row = s->top + (y - s->row_y);
	return row < (s->ops->rows ? s->ops->rows(s) : 0) ? row : -1;
}

bool screen_referral(struct screen *s, struct referral_ref *out)
{
	return s && s->ops->referral && s->ops->referral(s, out);
}

/* ---- drawing the frame ---- */

static bool too_small(void)
{
	return COLS < MIN_COLS || LINES < MIN_LINES;
}

/* A tab as the top line shows it; the mouse finds tabs by the same text. */
static void tab_label(int i, char *buf, size_t len)
{
	snprintf(buf, len, " %c %s ", tui_screens[i].tab, tui_screens[i].title);
}

enum screen_id tui_tab_at(int x, int cols)
{
	int at = 0;
	for (int i = 0; i < SCR_COUNT && at < cols; i++) {
		if (!tui_screens[i].tab)
			continue;
		char label[64];
		tab_label(i, label, sizeof label);
		int w = text_width(label);
		if (w > cols - at)
			w = cols - at; /* cut at the edge, as drawn */
		if (x >= at && x < at + w)
			return (enum screen_id)i;
		at += w;
	}
	return SCR_COUNT;
}

static void draw_tabs(struct tui *t)
{
	draw_fill(0, 0, COLS, draw_attr(LOOK_BAR));
	enum screen_id current = t->depth ? t->stack[0].ops->id : SCR_MINE;
	int x = 0;
	for (int i = 0; i < SCR_COUNT; i++) {
		if (!tui_screens[i].tab)
			continue;
		char label[64];
		tab_label(i, label, sizeof label);
		x += draw_text(0, x, COLS - x, label, draw_attr(i == (int)current ? LOOK_TAB_CUR : LOOK_TAB), false);
	}
	char who[256];
	snprintf(who, sizeof who, "%.120s (%s) ", t->ctx->actor.name[0] ? t->ctx->actor.name : t->ctx->actor.login,
	         policy_role_name(t->ctx->actor.role));
	int w = text_width(who);
	t->who_on_context = COLS - x < w + 2;
	if (!t->who_on_context)
		draw_text(0, COLS - w, w, who, draw_attr(LOOK_BAR) | A_BOLD, false);
}

/* The end of a long path says more than its start. */
static void short_path(const char *path, int room, char *out, size_t len)
{
	if (text_width(path) <= room) {
		str_copy(out, len, path);
		return;
	}
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	snprintf(out, len, ".../%s", base);
}

/* The context line: what the screen shows on the left; on the right, who
 * (when the tabs left no room) or the database. */
static void draw_context(struct tui *t, struct screen *s)
{
	draw_fill(1, 0, COLS, A_NORMAL);
	char ctx[512] = "";
	if (s->ops->context)
		s->ops->context(t, s, ctx, sizeof ctx);
	else
		str_copy(ctx, sizeof ctx, s->title);
	int lw = text_width(ctx);
	if (lw > COLS - 20)
		lw = COLS - 20;
	draw_text(1, 1, lw, ctx, draw_attr(LOOK_TITLE), false);
	char right[1200];
	int room = COLS - lw - 4;
	t->db_on_status = t->who_on_context;
	if (t->who_on_context) {
		snprintf(right, sizeof right, "%s (%s)", t->ctx->actor.name[0] ? t->ctx->actor.name : t->ctx->actor.login,
		         policy_role_name(t->ctx->actor.role));
	} else {
		char db[1100];
		short_path(t->c->db_path ? t->c->db_path : "", room - 3, db, sizeof db);
		snprintf(right, sizeof right, "db %s", db);
		if (text_width(right) > room) {
			right[0] = '\0';
			t->db_on_status = true;
		}
	}
	int rw = text_width(right);
	if (rw > room)
		rw = room;
	draw_text(1, COLS - rw - 1, rw, right, draw_attr(LOOK_DIM), false);
}

static void draw_hints(struct tui *t, struct screen *s)
{
	(void)t;
	char hints[512];
	keymap_hints(s->ops->id, hints, sizeof hints);
	draw_fill(LINES - 2, 0, COLS, draw_attr(LOOK_BAR));
	draw_text(LINES - 2, 1, COLS - 2, hints, draw_attr(LOOK_BAR), false);
}

/* The last message on the left; on the right the clock the deadlines are
 * reckoned by (and the database, when the context line had no room). */
static void draw_message(struct tui *t)
{
	draw_fill(LINES - 1, 0, COLS, A_NORMAL);
	char when[1200], clock[48], db[1100] = "";
	cal_format_local(t->ctx->now, clock, sizeof clock);
	if (t->db_on_status) {
		char p[1000];
		short_path(t->c->db_path ? t->c->db_path : "", COLS / 3, p, sizeof p);
		snprintf(db, sizeof db, "db %s  ", p);
	}
	snprintf(when, sizeof when, "%s%s%s%s", bk_readonly(t->ctx) ? "READ-ONLY  " : "", db, clock,
	         t->test_clock ? " (fixed)" : "");
	int ww = text_width(when);
	int mw = t->msg[0] ? text_width(t->msg) : 0;
	if (mw <= COLS - ww - 4)
		draw_text(LINES - 1, COLS - ww - 1, ww, when, draw_attr(LOOK_DIM), false);
	if (t->msg[0])
		draw_text(LINES - 1, 1, COLS - 2, t->msg, draw_attr(t->msg_error ? LOOK_ERROR : LOOK_OK), false);
}

static void draw_too_small(void)
{
	erase();
	char a[128], b[128];
	snprintf(a, sizeof a, "Make the terminal at least %dx%d", MIN_COLS, MIN_LINES);
	snprintf(b, sizeof b, "(it is %dx%d now)", COLS, LINES);
	int y = LINES / 2 - 1;
	if (y < 0)
		y = 0;
	int x = (COLS - (int)strlen(a)) / 2;
	draw_text(y, x < 0 ? 0 : x, COLS, a, A_BOLD, false);
	x = (COLS - (int)strlen(b)) / 2;
	if (y + 1 < LINES)
		draw_text(y + 1, x < 0 ? 0 : x, COLS, b, A_NORMAL, false);
	curs_set(0);
}

void tui_draw(struct tui *t)
{
	t->too_small = too_small();
	if (t->too_small) {
		draw_too_small();
		return;
	}
	struct screen *s = tui_top(t);
	if (!s)
		return;
	t->who_on_context = false;
	draw_tabs(t);
	draw_context(t, s);
	draw_hints(t, s);
	draw_message(t);
	curs_set(0);
	s->ops->draw(t, s, 2, LINES - 4);
}

/* ---- keys ---- */

static int read_key(void)
{
	wint_t wc;
	int r = get_wch(&wc);
	if (r == ERR)
		return -1;
	if (r == KEY_CODE_YES)
		return TK_FN + (int)wc;
	return (int)wc;
}

/* ---- modal dialogs ---- */

struct box {
	int y, x, h, w;
};

static struct box box_for(int content_lines, int want_w)
{
	struct box b;
	b.w = want_w + 4;
	if (b.w > COLS - 4)
		b.w = COLS - 4;
	b.h = content_lines + 2;
	if (b.h > LINES - 4)
		b.h = LINES - 4;
	b.y = (LINES - b.h) / 2;
	b.x = (COLS - b.w) / 2;
	return b;
}

static void box_frame(struct tui *t, const struct box *b, const char *title)
{
	draw_box(b->y, b->x, b->h, b->w, t->ascii, A_NORMAL);
	char tt[160];
	snprintf(tt, sizeof tt, " %s ", title);
	draw_text(b->y, b->x + 2, b->w - 4, tt, A_BOLD, false);
}

/* Wrap lines for a box of inner width w. */
static void wrap_lines(struct textview *tv, const char *const *lines, int n, int w)
{
	tv_clear(tv);
	for (int i = 0; i < n; i++) {
		if (!lines[i][0])
			tv_add(tv, LOOK_NORMAL, "%s", "");
		else
			tv_add_wrapped(tv, LOOK_NORMAL, w, 2, lines[i]);
	}
}

bool tui_confirm(struct tui *t, const char *title, const char *const *lines, int n)
{
	struct textview tv = { 0 };
	bool answer = false;
	for (;;) {
		tui_draw(t);
		if (!t->too_small) {
			int w = COLS - 10 < 74 ? COLS - 10 : 74;
			wrap_lines(&tv, lines, n, w);
			struct box b = box_for(tv.n + 2, w);
			box_frame(t, &b, title);
			for (int i = 0; i < tv.n && i < b.h - 4; i++)
				draw_text(b.y + 1 + i, b.x + 2, b.w - 4, tv.v[i].text, A_NORMAL, false);
			draw_text(b.y + b.h - 2, b.x + 2, b.w - 4, "y  yes, do it        n or Esc  no, leave it",
			          A_BOLD, false);
		}
		refresh();
		int k = read_key();
		if (k == -1) {
			if (got_signal)
				break;
			continue;
		}
		if (t->too_small)
			continue;
		if (k == 'y' || k == 'Y') {
			answer = true;
			break;
		}
		if (k == 'n' || k == 'N' || k == TK_ESC || k == 'q')
			break;
	}
	tv_clear(&tv);
	t->redraw = true;
	return answer;
}

int tui_choose(struct tui *t, const char *title, const char *const *items, int n, int initial)
{
	int cur = initial >= 0 && initial < n ? initial : 0, top = 0;
	int want = (int)strlen(title) + 4;
	for (int i = 0; i < n; i++)
		if (text_width(items[i]) + 4 > want)
			want = text_width(items[i]) + 4;
	if (want < 44)
		want = 44;
	for (;;) {
		tui_draw(t);
		if (!t->too_small) {
			struct box b = box_for(n + 2, want);
			int rows = b.h - 4;
			if (cur < top)
				top = cur;
			if (cur >= top + rows)
				top = cur - rows + 1;
			box_frame(t, &b, title);
			for (int i = 0; i < rows && top + i < n; i++) {
				char line[256];
				snprintf(line, sizeof line, " %s", items[top + i]);
				draw_text(b.y + 1 + i, b.x + 2, b.w - 4, line,
				          top + i == cur ? draw_attr(LOOK_SELECT) : (int)A_NORMAL, true);
			}
			draw_text(b.y + b.h - 2, b.x + 2, b.w - 4, "Up/Down choose   Enter take it   Esc cancel", A_BOLD,
			          false);
		}
		refresh();
		int k = key_normalize(read_key());
		if (k == -1) {
			if (got_signal)
				return -1;
			continue;
		}
		if (t->too_small)
			continue;
		if (k == TK_FN + KEY_DOWN || k == 'j')
			cur = cur + 1 < n ? cur + 1 : cur;
		else if (k == TK_FN + KEY_UP || k == 'k')
			cur = cur > 0 ? cur - 1 : 0;
		else if (k == TK_FN + KEY_HOME || k == 'g')
			cur = 0;
		else if (k == TK_FN + KEY_END || k == 'G')
			cur = n - 1;
		else if (k == TK_ENTER) {
			t->redraw = true;
			return cur;
		} else if (k == TK_ESC || k == 'q') {
			t->redraw = true;
			return -1;
		}
	}
}

bool tui_prompt(struct tui *t, const char *title, const char *label, const char *check, bool required, char *buf,
                size_t len)
{
	char value[FORM_VALUE_MAX];
	snprintf(value, sizeof value, "%s", buf);
	struct lineedit le = { value, len < sizeof value ? len : sizeof value, strlen(value) };
	char error[512] = "";
	struct textview tv = { 0 };
	bool ok = false;
	for (;;) {
		tui_draw(t);
		if (!t->too_small) {
			int w = COLS - 10 < 74 ? COLS - 10 : 74;
			const char *lines[1] = { label };
			wrap_lines(&tv, lines, 1, w);
			struct box b = box_for(tv.n + 4, w);
			box_frame(t, &b, title);
			int y = b.y + 1;
			for (int i = 0; i < tv.n && y < b.y + b.h - 4; i++)
				draw_text(y++, b.x + 2, b.w - 4, tv.v[i].text, A_NORMAL, false);
			int iy = y + 1;
			if (error[0])
				draw_text(b.y + b.h - 3, b.x + 2, b.w - 4, error, draw_attr(LOOK_ERROR), false);
			draw_text(b.y + b.h - 2, b.x + 2, b.w - 4, "Enter  done        Esc  cancel", A_BOLD, false);
			int cx = le_draw(&le, iy, b.x + 2, b.w - 4, draw_attr(LOOK_FIELD_CUR));
			move(iy, cx);
			curs_set(1);
		}
		refresh();
		int k = key_normalize(read_key());
		if (k == -1) {
			if (got_signal)
				break;
			continue;
		}
		if (t->too_small)
			continue;
		if (k == TK_ESC)
			break;
		if (k == TK_ENTER) {
			error[0] = '\0';
			if (!value[0] && required) {
				snprintf(error, sizeof error, "an answer is needed (Esc cancels)");
				continue;
			}
			if (value[0] && check && !bk_validate_field(t->ctx->settings, check, value, error, sizeof error))
				continue;
			snprintf(buf, len, "%s", value);
			ok = true;
			break;
		}
		le_key(&le, k);
	}
	tv_clear(&tv);
	curs_set(0);
	t->redraw = true;
	return ok;
}

/* ---- navigation (actions.def) ---- */

static int rows_of(struct screen *s)
{
	return s->ops->rows ? s->ops->rows(s) : 0;
}

static void move_by(struct screen *s, int by)
{
	s->cursor += by;
	screen_scroll(s, s->page);
}

void act_down(struct tui *t, struct screen *s) { (void)t; move_by(s, 1); }
void act_up(struct tui *t, struct screen *s) { (void)t; move_by(s, -1); }
void act_page_down(struct tui *t, struct screen *s) { (void)t; move_by(s, s->page > 1 ? s->page - 1 : 1); }
void act_page_up(struct tui *t, struct screen *s) { (void)t; move_by(s, -(s->page > 1 ? s->page - 1 : 1)); }
void act_first(struct tui *t, struct screen *s) { (void)t; s->cursor = 0; screen_scroll(s, s->page); }
void act_last(struct tui *t, struct screen *s) { (void)t; s->cursor = rows_of(s); screen_scroll(s, s->page); }

static void find(struct tui *t, struct screen *s, int dir, bool from_here)
{
	if (!t->search[0]) {
		tui_message(t, true, "Nothing to search for yet: press / first");
		return;
	}
	int n = rows_of(s);
	if (!s->ops->matches || n == 0) {
		tui_message(t, true, "Nothing to search on this screen");
		return;
	}
	t->searching = true;
	int start = from_here ? s->cursor : s->cursor + dir;
	for (int k = 0; k < n; k++) {
		int i = ((start + dir * k) % n + n) % n;
		if (s->ops->matches(s, i, t->search)) {
			s->cursor = i;
			s->hilite = s->ops->cursor_rows ? -1 : i;
			if (!s->ops->cursor_rows && i > 2)
				s->cursor = i - 2; /* a little context above the match */
			screen_scroll(s, s->page);
			tui_message(t, false, "Match for '%s'%s", t->search,
			            (dir > 0 && i < start) || (dir < 0 && i > start) ? " (search wrapped)" : "");
			return;
		}
	}
	tui_message(t, true, "No match for '%s'", t->search);
}

void act_search(struct tui *t, struct screen *s)
{
	char q[128] = "";
	const char *what = s->ops->cursor_rows ? "Case reference or provider (part of it will do):"
	                                       : "Text to find on this page:";
	if (!tui_prompt(t, "Search", what, NULL, true, q, sizeof q))
		return;
	snprintf(t->search, sizeof t->search, "%s", q);
	find(t, s, 1, true);
}

void act_next_match(struct tui *t, struct screen *s)
{
	find(t, s, 1, false);
}
void act_prev_match(struct tui *t, struct screen *s)
{
	find(t, s, -1, false);
}

/* ---- screens ---- */

static bool discard_ok(struct tui *t)
{
	if (!any_dirty(t))
		return true;
	const char *lines[] = { "A form has changes that are not saved.", "", "Leave it and lose what was typed?" };
	return tui_confirm(t, "Discard the form?", lines, 3);
}

static void go_tab(struct tui *t, enum screen_id id)
{
	if (t->depth == 1 && t->stack[0].ops->id == id)
		return;
	if (!discard_ok(t))
		return;
	if (t->stack[0].ops->id == id) {
		/* back to the tab's own screen (a screen was over it): the last
		 * pop loads it again as it comes up */
		t->stack[0].stale = true;
		while (t->depth > 1)
			tui_pop(t);
		return;
	}
	while (t->depth > 0) {
		struct screen *s = &t->stack[--t->depth];
		if (s->ops->close)
			s->ops->close(s);
	}
	tui_clock(t);
	if (!tui_push(t, id, NULL))
		tui_push(t, SCR_MINE, NULL);
}

void act_tab1(struct tui *t, struct screen *s) { (void)s; go_tab(t, SCR_MINE); }
void act_tab2(struct tui *t, struct screen *s) { (void)s; go_tab(t, SCR_WAITING); }
void act_tab3(struct tui *t, struct screen *s) { (void)s; go_tab(t, SCR_APPROVALS); }
void act_tab4(struct tui *t, struct screen *s) { (void)s; go_tab(t, SCR_PROVIDERS); }
void act_tab5(struct tui *t, struct screen *s) { (void)s; go_tab(t, SCR_REPORTS); }
void act_tab6(struct tui *t, struct screen *s) { (void)s; go_tab(t, SCR_AUDIT); }

void act_back(struct tui *t, struct screen *s)
{
	if (s->ops->dirty && s->ops->dirty(s)) {
		const char *lines[] = { "This form has changes that are not saved.", "", "Leave it and lose what was typed?" };
		if (!tui_confirm(t, "Discard the form?", lines, 3))
			return;
	}
	tui_pop(t);
}

void act_cancel(struct tui *t, struct screen *s)
{
	if (t->depth <= 1) {
		tui_message(t, false, "This is a top screen: q quits");
		return;
	}
	act_back(t, s);
}

void act_redraw(struct tui *t, struct screen *s)
{
	(void)s;
	clearok(curscr, TRUE);
	tui_reload_all(t);
}

void act_help(struct tui *t, struct screen *s)
{
	struct text_arg a = { .title = "Help", .help_for = s->ops->id };
	tui_push(t, SCR_HELP, &a);
}

/* ---- the command line inside the workstation ---- */

int split_words(const char *line, char *store, size_t storelen, char **words, int max, const char **why)
{
	size_t o = 0;
	int n = 0;
	const char *p = line;
	*why = NULL;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		if (n >= max) {
			*why = "too many words";
			return -1;
		}
		words[n++] = store + o;
		char quote = 0;
		while (*p && (quote || (*p != ' ' && *p != '\t'))) {
			char ch = *p++;
			if (quote && ch == quote) {
				quote = 0;
				continue;
			}
			if (!quote && (ch == '"' || ch == '\'')) {
				quote = ch;
				continue;
			}
			if (ch == '\\' && quote != '\'' && *p)
				ch = *p++;
			if (o + 1 >= storelen) {
				*why = "the line is too long";
				return -1;
			}
			store[o++] = ch;
		}
		if (quote) {
			*why = quote == '"' ? "a \" is not closed" : "a ' is not closed";
			return -1;
		}
		store[o++] = '\0';
	}
	return n;
}

/* Run the program itself with argv; its output (stdout and stderr) in
 * *out, NUL-terminated. Returns the exit status, or -1. */
static int run_self(char *const argv[], char **out)
{
	int fd[2];
	*out = NULL;
	if (pipe(fd) != 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0) {
		close(fd[0]);
		close(fd[1]);
		return -1;
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);
		if (devnull >= 0)
			dup2(devnull, 0);
		dup2(fd[1], 1);
		dup2(fd[1], 2);
		close(fd[0]);
		close(fd[1]);
		execv("/proc/self/exe", argv);
		const char *m = "brokerage: cannot run the program again (/proc/self/exe)\n";
		ssize_t w = write(2, m, strlen(m));
		(void)w;
		_exit(127);
	}
	close(fd[1]);
	size_t cap = 8192, len = 0;
	char *buf = malloc(cap);
	for (;;) {
		char chunk[8192];
		ssize_t r = read(fd[0], chunk, sizeof chunk);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (!buf || len + (size_t)r + 1 > OUTPUT_MAX)
			continue; /* keep draining so the child can finish */
		if (len + (size_t)r + 1 > cap) {
			while (len + (size_t)r + 1 > cap)
				cap *= 2;
			char *nb = realloc(buf, cap);
			if (!nb)
				continue;
			buf = nb;
		}
		memcpy(buf + len, chunk, (size_t)r);
		len += (size_t)r;
	}
	close(fd[0]);
	if (buf)
		buf[len] = '\0';
	*out = buf;
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void act_command(struct tui *t, struct screen *s)
{
	(void)s;
	char line[1024] = "";
	if (!tui_prompt(t, "Command", "A brokerage command, as on the command line (e.g. referral list --mine):", NULL,
	                true, line, sizeof line))
		return;
	char store[2048];
	char *words[64];
	const char *why;
	int n = split_words(line, store, sizeof store, words, 48, &why);
	if (n < 0) {
		tui_message(t, true, "Command not run: %s", why);
		return;
	}
	int first = n > 0 && strcmp(words[0], "brokerage") == 0 ? 1 : 0;
	if (n - first <= 0) {
		tui_message(t, true, "Command not run: type a command, e.g. referral list");
		return;
	}
	char *argv[64];
	int a = 0;
	argv[a++] = "brokerage";
	for (int i = first; i < n; i++)
		argv[a++] = words[i];
	/* The same database, configuration and (in test mode) person and clock. */
	if (t->c->db_path) {
		argv[a++] = "--db";
		argv[a++] = (char *)t->c->db_path;
	}
	if (t->c->config) {
		argv[a++] = "--config";
		argv[a++] = (char *)t->c->config;
	}
	if (t->c->as) {
		argv[a++] = "--as";
		argv[a++] = (char *)t->c->as;
	}
	if (t->c->now_text) {
		argv[a++] = "--now";
		argv[a++] = (char *)t->c->now_text;
	}
	argv[a] = NULL;
	char *out = NULL;
	int rc = run_self(argv, &out);
	char title[160];
	snprintf(title, sizeof title, "brokerage %.140s", line);
	size_t ol = out ? strlen(out) : 0;
	char *text = malloc(ol + 200);
	if (text) {
		static const char *const meaning[] = { "done", "refused, nothing changed", "usage error",
			                                   "conflict, nothing changed", "storage or system failure" };
		snprintf(text, ol + 200, "%s%s(exit status %d: %s)", out ? out : "", ol && out[ol - 1] != '\n' ? "\n" : "",
		         rc, rc >= 0 && rc <= 4 ? meaning[rc] : "the command could not be run");
	}
	free(out);
	struct text_arg ta = { .title = title, .text = text ? text : "(no output)" };
	tui_push(t, SCR_OUTPUT, &ta);
	free(text);
	tui_message(t, rc != 0, "Command finished with exit status %d", rc);
	tui_reload_all(t);
}

/* Home and End come as different sequences from different terminals
 * (xterm's application mode, the vt220 editing keys tmux and screen
 * send); a TERM that names one misses the others. As htop does, accept
 * them all, where the entry does not say them already. */
static void define_home_end(void)
{
	static const struct {
		const char *seq;
		int key;
	} extra[] = {
		{ "\033[1~", KEY_HOME }, { "\033[7~", KEY_HOME }, { "\033[H", KEY_HOME }, { "\033OH", KEY_HOME },
		{ "\033[4~", KEY_END },  { "\033[8~", KEY_END },  { "\033[F", KEY_END },  { "\033OF", KEY_END },
	};
	for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++)
		if (key_defined(extra[i].seq) == 0)
			define_key(extra[i].seq, extra[i].key);
}

/* ---- live data and the sweep ---- */

static void poll_data(struct tui *t)
{
	int64_t v;
	if (bk_data_version(t->ctx, &v) != BK_OK)
		return;
	if (v == t->data_version)
		return;
	int64_t now = monotonic_ms();
	if (now - t->last_live_reload < LIVE_RELOAD_MS)
		return; /* loaded at a later poll */
	t->last_live_reload = now;
	/* an administrator may have loaded a new policy: lists and forms follow it */
	enum bk_status st = bk_policy_refresh(t->ctx);
	if (st != BK_OK)
		tui_result(t, st);
	tui_reload_all(t);
	t->data_version = v;
}

static void sweep(struct tui *t)
{
	struct bk_sweep_result r = { 0 };
	tui_clock(t);
	t->last_sweep = monotonic();
	enum bk_status st = bk_sweep(t->ctx, &r);
	if (st != BK_OK) {
		tui_result(t, st);
		return;
	}
	if (r.expired || r.approached || r.exhausted || r.sourced) {
		tui_message(t, false, "Deadlines checked: %d offer%s expired, %d provider%s approached, %d referral%s exhausted",
		            r.expired, r.expired == 1 ? "" : "s", r.approached, r.approached == 1 ? "" : "s", r.exhausted,
		            r.exhausted == 1 ? "" : "s");
		tui_reload_all(t);
	}
}

/* ---- the loop ---- */

static enum screen_id home_for(enum bk_role role)
{
	switch (role) {
	case ROLE_TEAM_LEADER: return SCR_WAITING;
	case ROLE_SUPERVISOR: return SCR_APPROVALS;
	default: return SCR_MINE;
	}
}

/* A click or a wheel turn: the mouse does only what keys do on the screen
 * (a tab where 1-6 work, Up and Down where they move), so it can never
 * reach what the keyboard cannot. */
static void mouse_event(struct tui *t, struct screen *s)
{
	MEVENT ev;
	if (getmouse(&ev) != OK)
		return;
	unsigned here = 1u << s->ops->id;
	if (ev.bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED)) {
		if (tui_actions[ACT_DOWN].screens & here)
			move_by(s, ev.bstate & BUTTON4_PRESSED ? -WHEEL_LINES : WHEEL_LINES);
		return;
	}
	if (!(ev.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED)))
		return;
	if (ev.y == 0) {
		enum screen_id id = tui_tab_at(ev.x, COLS);
		if (id != SCR_COUNT && (tui_actions[ACT_TAB1].screens & here))
			go_tab(t, id);
		return;
	}
	int row = screen_row_at(s, ev.y);
	if (row >= 0) {
		s->cursor = row;
		screen_scroll(s, s->page);
	}
}

static void handle_key(struct tui *t, int key)
{
	struct screen *s = tui_top(t);
	if (t->too_small) {
		if (key == 'q' && !any_dirty(t))
			t->quit = true;
		return;
	}
	t->msg[0] = '\0';
	if (key == TK_FN + KEY_MOUSE) {
		mouse_event(t, s);
		return;
	}
	if (s->ops->input && s->ops->input(t, s, key))
		return;
	const struct action *a = keymap_lookup(s->ops->id, key);
	if (!a) {
		if (key == TK_ESC)
			return;
		tui_message(t, true, "That key does nothing here: ? lists the keys of this screen");
		return;
	}
	const char *why;
	if (!keymap_permitted(a, t->ctx->actor.role, &why)) {
		tui_message(t, true, "Not for %s: %s", policy_role_with_article(t->ctx->actor.role), why);
		return;
	}
	/* On My referrals and on a referral, n walks the matches only right
	 * after a search (/, n or N); otherwise it is "new referral", as c is,
	 * for those who may record one. */
	bool was_searching = t->searching;
	t->searching = false; /* a search sets it again */
	const struct action *c;
	if (a->id == ACT_NEXT_MATCH && !was_searching && (c = keymap_lookup(s->ops->id, 'c')) != NULL &&
	    c->id == ACT_NEW && keymap_permitted(c, t->ctx->actor.role, &why))
		a = c;
	a->handler(t, s);
}

/* The terminal sends Ctrl-S and Ctrl-Q to the flow control unless told not to. */
static void no_flow_control(void)
{
	struct termios tio;
	if (tcgetattr(0, &tio) == 0) {
		tio.c_iflag &= ~(tcflag_t)(IXON | IXOFF);
		tcsetattr(0, TCSANOW, &tio);
	}
}

enum bk_status tui_workstation(struct cli *c)
{
	static struct tui app;
	struct tui *t = &app;
	memset(t, 0, sizeof *t);
	t->c = c;
	t->ctx = &c->ctx;
	t->ascii = c->ascii;
	t->test_clock = c->now_text != NULL;
	if (!isatty(0) || !isatty(1)) {
		fprintf(stderr, "brokerage: the workstation needs a terminal; give a command to use the command line "
		                "(see 'brokerage --help')\n");
		return BK_USAGE;
	}
	if (!getenv("ESCDELAY"))
		set_escdelay(50);
	if (!initscr()) {
		fprintf(stderr, "brokerage: cannot start the terminal screen (TERM=%s)\n",
		        getenv("TERM") ? getenv("TERM") : "");
		return BK_USAGE;
	}
	atexit(restore_terminal);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	define_home_end();
	no_flow_control();
	def_prog_mode();
	timeout(POLL_MS);
	curs_set(0);
	/* Presses, not clicks: a click waits for its release, and a key should not. */
	mouseinterval(0);
	mousemask(BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
	const char *nc = getenv("NO_COLOR");
	draw_set_ascii(c->ascii);
	draw_init_colours((nc && *nc) || !c->host.colour);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	tui_clock(t);
	bk_data_version(t->ctx, &t->data_version);
	/* Something on the screen at once, while the first list loads. */
	if (!too_small()) {
		draw_tabs(t);
		draw_text(2, 1, COLS - 2, "Loading...", A_NORMAL, false);
		refresh();
	}
	keymap_set_role((int)t->ctx->actor.role);
	enum screen_id home = home_for(t->ctx->actor.role);
	if (!tui_push(t, home, NULL) && !tui_push(t, SCR_MINE, NULL)) {
		endwin();
		fprintf(stderr, "brokerage: %s\n", t->msg);
		return BK_STORAGE;
	}
	tui_draw(t);
	refresh();
	sweep(t);
	t->redraw = true;
	int64_t last_minute = monotonic();
	while (!t->quit) {
		if (t->redraw) {
			tui_draw(t);
			t->redraw = false;
		}
		refresh();
		struct screen *top = tui_top(t);
		if (top && top->ops->more && top->ops->more(t, top)) {
			t->redraw = true;
			continue;
		}
		int key = read_key();
		if (got_signal)
			break;
		if (key == -1) {
			poll_data(t);
			int64_t m = monotonic();
			if (m - t->last_sweep >= SWEEP_EVERY)
				sweep(t);
			if (m - last_minute >= 30) {
				/* the time left on each deadline moves on */
				last_minute = m;
				tui_clock(t);
				t->redraw = true;
			}
			continue;
		}
		t->redraw = true;
		if (key == TK_FN + KEY_RESIZE)
			continue;
		tui_clock(t);
		handle_key(t, key);
	}
	while (t->depth > 0) {
		struct screen *s = &t->stack[--t->depth];
		if (s->ops->close)
			s->ops->close(s);
	}
	endwin();
	return BK_OK;
}
