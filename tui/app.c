/* The workstation: the frame (tabs, context line, hints, message), the
 * main loop, the screen stack, live refresh and the sweep. The modal
 * dialogs are in dialogs.c, the command line (':') in prompt.c. Screens
 * are known only by their ops tables. */
#include <curses.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "core/describe.h"
#include "core/text.h"
#include "core/worklist.h"
#include "tui/keymap.h"
#include "tui/listview.h"

#define MIN_COLS 80
#define MIN_LINES 24
#define SWEEP_EVERY_MS 60000
#define POLL_MS 250
/* While others keep changing the data, the screen loads their changes at
 * most this often (a change still shows within a second): a ten-thousand-
 * row list is not read again four times a second. */
#define LIVE_RELOAD_MS 700
#define WHEEL_LINES 3

const struct screen_info tui_screens[SCR_COUNT] = {
#define X(id, title, short_title, tab, ops) [SCR_##id] = { title, short_title, tab, &ops },
	TUI_SCREENS(X)
#undef X
};

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

bool tui_interrupted(void)
{
	return got_signal != 0;
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

/* ---- messages and the clock ---- */

void tui_message(struct tui *t, bool error, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->msg, sizeof t->msg, fmt, ap);
	va_end(ap);
	t->msg_error = error;
	if (t->msg[0])
		memcpy(t->last_msg, t->msg, sizeof t->last_msg);
}

/* The last message in full, on a page: the bottom line cuts a long one. */
void act_last_message(struct tui *t, struct screen *s)
{
	if (!t->last_msg[0]) {
		tui_message(t, false, "No message yet");
		return;
	}
	/* an empty page of command output (its state begins with its text), the message wrapped on it */
	struct text_arg a = { .title = "The last message, in full", .text = "" };
	if (tui_push(t, SCR_OUTPUT, &a))
		tv_add_wrapped(tui_top(t)->st, LOOK_NORMAL, COLS - 4 > 20 ? COLS - 4 : 20, 0, t->last_msg);
}

void tui_result(struct tui *t, enum bk_status st)
{
	const char *m = t->ctx->msg[0] ? t->ctx->msg : bk_status_name(st);
	if (st == BK_OK)
		tui_message(t, false, "%s", m);
	else if (st == BK_CONFLICT)
		tui_message(t, true, "Not saved: %s (the screen now shows it as it is)", m);
	else
		tui_message(t, true, "%s: %s", st == BK_STORAGE ? "Storage problem" : "Refused", m);
}

void tui_done(struct tui *t, enum bk_status st)
{
	tui_result(t, st);
	tui_reload_all(t);
}

void tui_clock(struct tui *t)
{
	if (!t->start.now_text)
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

static void close_all(struct tui *t)
{
	while (t->depth > 0) {
		struct screen *s = &t->stack[--t->depth];
		if (s->ops->close)
			s->ops->close(s);
	}
}

static bool any_dirty(struct tui *t)
{
	for (int i = 0; i < t->depth; i++)
		if (t->stack[i].ops->dirty && t->stack[i].ops->dirty(&t->stack[i]))
			return true;
	return false;
}

static int rows_of(const struct screen *s)
{
	return s->ops->rows ? s->ops->rows(s) : 0;
}

/* v kept from lo to hi; lo when hi is below it */
static int clamp(int v, int lo, int hi)
{
	if (v > hi)
		v = hi;
	return v < lo ? lo : v;
}

void screen_scroll(struct screen *s, int visible)
{
	int n = rows_of(s);
	if (visible < 1)
		visible = 1;
	s->page = visible;
	if (!s->ops->cursor_rows) { /* a page: the cursor is its first line shown */
		s->cursor = clamp(s->cursor, 0, n - visible);
		s->top = s->cursor;
		return;
	}
	s->cursor = clamp(s->cursor, 0, n - 1);
	s->top = clamp(s->top, s->cursor - visible + 1, s->cursor); /* the cursor's row shown */
	s->top = clamp(s->top, 0, n - visible);
}

int screen_row_at(const struct screen *s, int y)
{
	if (!s->ops->cursor_rows || s->row_y <= 0 || y < s->row_y || y >= s->row_y + s->page)
		return -1;
	int row = s->top + (y - s->row_y);
	return row < rows_of(s) ? row : -1;
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

/* A tab as the top line shows it; the mouse finds tabs by the same text.
 * Three forms, the first whose tabs all fit in cols: the whole names
 * spaced out, the short names spaced out, the short names closer. */
enum { TABS_WHOLE, TABS_SHORT, TABS_CLOSE };

static void tab_label(int i, int form, char *buf, size_t len)
{
	snprintf(buf, len, form == TABS_CLOSE ? " %c %s" : " %c %s ", tui_screens[i].tab,
	         form == TABS_WHOLE ? tui_screens[i].title : tui_screens[i].short_title);
}

/* The tabs from column 0, in the first form whose tabs all fit in cols: the
 * one at column x (SCR_COUNT: none), each drawn when draw (current as the
 * current one); *end the column after the last. */
static enum screen_id tabs_walk(int cols, int x, bool draw, enum screen_id current, int *end)
{
	char label[64];
	int form = TABS_WHOLE, at = 0;
	for (int w = 0; form < TABS_CLOSE; form++, w = 0) {
		for (int i = 0; i < SCR_COUNT; i++)
			if (tui_screens[i].tab) {
				tab_label(i, form, label, sizeof label);
				w += text_width(label);
			}
		if (w <= cols)
			break;
	}
	enum screen_id hit = SCR_COUNT;
	for (int i = 0; i < SCR_COUNT && at < cols; i++) {
		if (!tui_screens[i].tab)
			continue;
		tab_label(i, form, label, sizeof label);
		int w = text_width(label) < cols - at ? text_width(label) : cols - at; /* cut at the edge, as drawn */
		if (draw)
			draw_text(0, at, w, label, draw_attr(i == (int)current ? LOOK_TAB_CUR : LOOK_TAB), false);
		if (x >= at && x < at + w)
			hit = (enum screen_id)i;
		at += w;
	}
	if (end)
		*end = at;
	return hit;
}

enum screen_id tui_tab_at(int x, int cols)
{
	return tabs_walk(cols, x, false, SCR_COUNT, NULL);
}

/* The tabs, and who on the right; false when the tabs left who no room. */
static bool draw_tabs(struct tui *t)
{
	draw_fill(0, 0, COLS, draw_attr(LOOK_BAR));
	int x;
	tabs_walk(COLS, -1, true, t->depth ? t->stack[0].ops->id : SCR_MINE, &x);
	char who[256];
	snprintf(who, sizeof who, "%.120s (%s) ", t->ctx->actor.name[0] ? t->ctx->actor.name : t->ctx->actor.login,
	         policy_role_title(t->ctx->actor.role));
	int w = text_width(who);
	if (COLS - x < w + 2)
		return false;
	draw_text(0, COLS - w, w, who, draw_attr(LOOK_BAR) | A_BOLD, false);
	return true;
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
 * (when the tabs left no room: who_here) or the database. True when the
 * database had no room either. */
static bool draw_context(struct tui *t, struct screen *s, bool who_here)
{
	draw_fill(1, 0, COLS, A_NORMAL);
	char ctx[512] = "";
	s->ops->context(t, s, ctx, sizeof ctx);
	char right[1200];
	int lw = text_width(ctx);
	bool db_on_status = who_here;
	if (who_here) {
		/* Who is said whole, as fully as what the screen shows leaves room
		 * for: name and role, login and role, the name, the login; only
		 * beside the login does what the screen shows give way. */
		const struct bk_actor *a = &t->ctx->actor;
		const char *name = a->name[0] ? a->name : a->login;
		const char *role = policy_role_title(a->role);
		for (int k = 0; k < 4; k++) {
			const char *who = k == 0 || k == 2 ? name : a->login;
			if (k < 2)
				snprintf(right, sizeof right, "%s (%s)", who, role);
			else
				str_copy(right, sizeof right, who);
			if (lw <= COLS - text_width(right) - 4)
				break;
		}
		int keep = COLS - text_width(right) - 4;
		if (lw > keep)
			lw = keep > 20 ? keep : 20;
	}
	if (lw > COLS - 2)
		lw = COLS - 2;
	draw_text(1, 1, lw, ctx, draw_attr(LOOK_TITLE), false);
	int room = COLS - lw - 4;
	if (!who_here) {
		char db[1100];
		/* as storage shows it: a PostgreSQL conninfo without its password */
		short_path(bk_path(t->ctx), room - 3, db, sizeof db);
		snprintf(right, sizeof right, "db %s", db);
		if (text_width(right) > room) {
			right[0] = '\0';
			db_on_status = true;
		}
	}
	int rw = text_width(right);
	if (rw > room)
		rw = room;
	draw_text(1, COLS - rw - 1, rw, right, draw_attr(LOOK_DIM), false);
	return db_on_status;
}

/* Does action a do something on the screen on top (keymap_set_viewer)?
 * Save a ranking only once it is changed; send, and ask for a spot purchase, only where core says it would; worked
 * out once per referral and version under the cursor (and screen: a list and the page differ). */
static bool action_offered(void *ud, const struct action *a)
{
	struct tui *t = ud;
	struct screen *s = tui_top(t);
	if (a->id == ACT_RANK_SAVE) /* s saves a ranking only when it was changed */
		return s && s->ops->dirty && s->ops->dirty(s);
	if (a->id != ACT_SEND && a->id != ACT_SPOT)
		return true;
	struct referral_ref ref;
	if (!s || !screen_referral(s, &ref))
		return false;
	if (ref.id != t->offered_id || ref.version != t->offered_version || (int)s->ops->id != t->offered_screen) {
		/* core's answer: the workflow allows it; and on the referral's own
		 * page, the action itself, previewed and rolled back, would do
		 * something (not on every row a list's cursor passes: a preview
		 * takes the write lock for a moment) */
		struct bk_referral_view *v = NULL;
		t->offered_send = t->offered_spot = true; /* when it cannot be read, the key says why itself */
		char keep[sizeof t->ctx->msg];
		memcpy(keep, t->ctx->msg, sizeof keep);
		if (bk_referral_load(t->ctx, ref.id, false, &v) == BK_OK && v) {
			struct bk_plan plan;
			t->offered_send = bk_send_applies(t->ctx->settings->require_approval, v->r.status) &&
			                  (s->ops->id != SCR_DETAIL ||
			                   bk_preview_send(t->ctx, ref.id, ref.version, &plan) == BK_OK);
			t->offered_spot = bk_spot_applies(v->r.status, v->r.escalated);
		}
		bk_referral_view_destroy(v);
		memcpy(t->ctx->msg, keep, sizeof keep);
		t->offered_id = ref.id;
		t->offered_version = ref.version;
		t->offered_screen = (int)s->ops->id;
	}
	return a->id == ACT_SEND ? t->offered_send : t->offered_spot;
}

/* The last message on the left; on the right the clock the deadlines are
 * reckoned by (and the database, when the context line had no room: db_here). */
static void draw_message(struct tui *t, bool db_here)
{
	draw_fill(LINES - 1, 0, COLS, A_NORMAL);
	char when[1200], clock[48], db[1100] = "";
	cal_format_local(t->ctx->now, clock, sizeof clock);
	if (db_here) {
		char p[1000];
		short_path(bk_path(t->ctx), COLS / 3, p, sizeof p);
		snprintf(db, sizeof db, "db %s  ", p);
	}
	snprintf(when, sizeof when, "%s%s%s%s", bk_readonly(t->ctx) ? "READ-ONLY  " : "", db, clock,
	         t->start.now_text ? " (fixed)" : "");
	int ww = text_width(when);
	int mw = t->msg[0] ? text_width(t->msg) : 0;
	if (mw <= COLS - ww - 4)
		draw_text(LINES - 1, COLS - ww - 1, ww, when, draw_attr(LOOK_DIM), false);
	if (t->msg[0]) {
		int attr = draw_attr(t->msg_error ? LOOK_ERROR : LOOK_OK);
		static const char more[] = " ... M: all of it";
		if (mw > COLS - 2) {
			/* cut, and it says so: M shows it whole */
			int room = COLS - 2 - (int)strlen(more);
			draw_text(LINES - 1, 1, room, t->msg, attr, true);
			draw_text(LINES - 1, 1 + room, (int)strlen(more), more, attr | A_BOLD, false);
		} else {
			draw_text(LINES - 1, 1, COLS - 2, t->msg, attr, false);
		}
	}
}

static void draw_too_small(void)
{
	erase();
	char line[2][128];
	snprintf(line[0], sizeof line[0], "Make the terminal at least %dx%d", MIN_COLS, MIN_LINES);
	snprintf(line[1], sizeof line[1], "(it is %dx%d now)", COLS, LINES);
	for (int i = 0, y = LINES / 2 - 1 > 0 ? LINES / 2 - 1 : 0; i < 2 && y + i < LINES; i++) {
		int x = (COLS - (int)strlen(line[i])) / 2;
		draw_text(y + i, x < 0 ? 0 : x, COLS, line[i], i ? A_NORMAL : A_BOLD, false);
	}
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
	bool db_here = draw_context(t, s, !draw_tabs(t));
	char hints[512];
	keymap_hints(s->ops->id, COLS - 2, hints, sizeof hints);
	draw_fill(LINES - 2, 0, COLS, draw_attr(LOOK_BAR));
	draw_text(LINES - 2, 1, COLS - 2, hints, draw_attr(LOOK_BAR), false);
	draw_message(t, db_here);
	curs_set(0);
	s->ops->draw(t, s, 2, LINES - 4);
}

/* ---- navigation (actions.def) ---- */

static void move_by(struct screen *s, int by)
{
	s->cursor += by;
	screen_scroll(s, s->page);
}

ACTION_FN(act_down, move_by(s, 1));
ACTION_FN(act_up, move_by(s, -1));
ACTION_FN(act_page_down, move_by(s, s->page > 1 ? s->page - 1 : 1));
ACTION_FN(act_page_up, move_by(s, -(s->page > 1 ? s->page - 1 : 1)));
ACTION_FN(act_first, move_by(s, -s->cursor));
ACTION_FN(act_last, move_by(s, rows_of(s) - s->cursor));

/* Does row i of the screen on top match the search? */
static bool find_match(void *ud, int i)
{
	struct tui *t = ud;
	return tui_top(t)->ops->matches(tui_top(t), i, t->search);
}

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
	bool wrapped;
	int i = lv_search(n, s->cursor, dir, from_here, find_match, t, &wrapped);
	if (i < 0) {
		tui_message(t, true, "No match for '%s'", t->search);
		return;
	}
	s->cursor = i;
	s->hilite = s->ops->cursor_rows ? -1 : i;
	if (!s->ops->cursor_rows && i > 2)
		s->cursor = i - 2; /* a little context above the match */
	screen_scroll(s, s->page);
	tui_message(t, false, "Match for '%s'%s", t->search, wrapped ? " (search wrapped)" : "");
}

void act_search(struct tui *t, struct screen *s)
{
	char q[128] = "";
	const char *what =
		s->ops->cursor_rows ? "Case reference or provider (part of it will do):" : "Text to find on this page:";
	if (!tui_prompt(t, "Search", what, NULL, true, q, sizeof q))
		return;
	snprintf(t->search, sizeof t->search, "%s", q);
	find(t, s, 1, true);
}

ACTION_FN(act_next_match, find(t, s, 1, false));
ACTION_FN(act_prev_match, find(t, s, -1, false));

/* ---- screens ---- */

/* Unsaved changes (dirty) are lost only when the user says so. */
static bool discard_ok(struct tui *t, bool dirty, const char *what)
{
	char head[96];
	snprintf(head, sizeof head, "%s has changes that are not saved.", what);
	const char *lines[] = { head, "", "Leave it and lose what was typed?" };
	return !dirty || tui_confirm(t, "Discard the form?", lines, 3);
}

static void go_tab(struct tui *t, enum screen_id id)
{
	if (t->depth == 1 && t->stack[0].ops->id == id)
		return;
	if (!discard_ok(t, any_dirty(t), "A form"))
		return;
	if (t->stack[0].ops->id == id) {
		/* back to the tab's own screen (a screen was over it): the last
		 * pop loads it again as it comes up */
		t->stack[0].stale = true;
		while (t->depth > 1)
			tui_pop(t);
		return;
	}
	close_all(t);
	tui_clock(t);
	if (!tui_push(t, id, NULL))
		tui_push(t, SCR_MINE, NULL);
}

ACTION_FN(act_tab1, go_tab(t, SCR_MINE));
ACTION_FN(act_tab2, go_tab(t, SCR_WAITING));
ACTION_FN(act_tab3, go_tab(t, SCR_APPROVALS));
ACTION_FN(act_tab4, go_tab(t, SCR_PROVIDERS));
ACTION_FN(act_tab5, go_tab(t, SCR_REPORTS));
ACTION_FN(act_tab6, go_tab(t, SCR_AUDIT));
ACTION_FN(act_tab7, go_tab(t, SCR_INBOX));
ACTION_FN(act_tab8, go_tab(t, SCR_CHASE));

void act_back(struct tui *t, struct screen *s)
{
	if (discard_ok(t, s->ops->dirty && s->ops->dirty(s), "This form"))
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
	clearok(curscr, TRUE);
	tui_reload_all(t);
}

void act_help(struct tui *t, struct screen *s)
{
	struct text_arg a = { .title = "Help", .help_for = s->ops->id };
	tui_push(t, SCR_HELP, &a);
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
	t->last_sweep = monotonic_ms();
	enum bk_status st = bk_sweep(t->ctx, &r);
	if (st != BK_OK) {
		tui_result(t, st);
		return;
	}
	if (r.expired || r.approached || r.exhausted || r.sourced) {
		tui_message(t, false,
		            "Deadlines checked: %d offer%s expired, %d provider%s approached, %d referral%s exhausted",
		            r.expired, r.expired == 1 ? "" : "s", r.approached, r.approached == 1 ? "" : "s",
		            r.exhausted, r.exhausted == 1 ? "" : "s");
		tui_reload_all(t);
	}
}

/* ---- the loop ---- */

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

enum bk_status tui_workstation(const struct tui_start *start)
{
	static struct tui app;
	struct tui *t = &app;
	memset(t, 0, sizeof *t);
	t->start = *start;
	t->ctx = start->ctx;
	t->ascii = start->ascii;
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
	draw_set_ascii(start->ascii);
	draw_init_colours((nc && *nc) || !start->colour);
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
	keymap_set_viewer((int)t->ctx->actor.role, action_offered, t);
	/* each role's first screen: an officer's (and an administrator's) is My referrals */
	static const enum screen_id
		homes[ROLE_COUNT] = { [ROLE_TEAM_LEADER] = SCR_WAITING, [ROLE_SUPERVISOR] = SCR_APPROVALS };
	enum screen_id home = t->ctx->actor.role < ROLE_COUNT ? homes[t->ctx->actor.role] : SCR_MINE;
	if (!tui_push(t, home, NULL) && !tui_push(t, SCR_MINE, NULL)) {
		endwin();
		fprintf(stderr, "brokerage: %s\n", t->msg);
		return BK_STORAGE;
	}
	tui_draw(t);
	refresh();
	sweep(t);
	t->redraw = true;
	int64_t last_minute = monotonic_ms();
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
		int key = tui_read_key();
		if (got_signal)
			break;
		if (key == -1) {
			poll_data(t);
			int64_t m = monotonic_ms();
			if (m - t->last_sweep >= SWEEP_EVERY_MS)
				sweep(t);
			if (m - last_minute >= 30000) {
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
	bk_worklist_mark_looked(t->ctx); /* "since you last looked" starts from now */
	close_all(t);
	endwin();
	return BK_OK;
}
