/* Inbox: the answers that came in by mail or a file (issue 17), proposed
 * answers first, then triage, oldest first within each; the item under the
 * cursor below, with its message's first lines. Enter shows the whole
 * message (sanitised, as all command output is); y confirms a proposed
 * answer after a confirmation that says what it will do (core's preview,
 * the very action rolled back); x sets an item aside with a reason; m
 * matches it to an offer by id; h shows decided items too. Only the window
 * of items on screen, and a page either side, is held. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/inbox.h"
#include "core/mail_text.h"
#include "tui/keymap.h"
#include "tui/listview.h"

struct irow {
	struct bk_inbox_row r;
};

struct inbox {
	struct listview lv; /* first: the list view's ops read it */
	struct tui *t;
	bool all; /* decided items too */
	int proposed, triage;
	int64_t detail_id;
	char *body;
	struct textview tv;
	int built_width;
};

/* ---- loading a window ---- */

struct window_load {
	struct inbox *b;
	struct lv_window *w;
	int from, upto, index;
};

static int item_cb(void *ud, const struct bk_inbox_row *r)
{
	struct window_load *wl = ud;
	int i = wl->index++;
	if (strcmp(r->item.state, "open") == 0) {
		if (r->item.proposed)
			wl->b->proposed++;
		else
			wl->b->triage++;
	}
	if (i < wl->from || i >= wl->upto)
		return 0;
	struct irow *x = lv_window_put(wl->w);
	if (!x)
		return 1;
	x->r = *r;
	return 0;
}

static bool load(void *ud, int from, int count, struct lv_window *w, int *total)
{
	struct inbox *b = ud;
	struct window_load wl = { b, w, from, from + count, 0 };
	b->proposed = b->triage = 0;
	enum bk_status st = bk_inbox_each(b->t->ctx, !b->all, item_cb, &wl);
	if (st != BK_OK) {
		tui_result(b->t, st);
		return false;
	}
	*total = wl.index;
	b->built_width = 0;
	return true;
}

static const struct irow *row_at(const struct screen *s, int i)
{
	struct inbox *b = s->st;
	return lv_row(&b->lv, i);
}

static int64_t item_id(const void *row)
{
	const struct irow *x = row;
	return x->r.item.id;
}

static bool matches(const void *row, const char *needle)
{
	const struct irow *x = row;
	return text_contains(x->r.case_ref, needle) || text_contains(x->r.provider, needle) ||
	       text_contains(x->r.item.sender, needle) || text_contains(x->r.item.subject, needle);
}

/* ---- columns ---- */

#define ROW(x) const struct irow *x = row

static void cell_id(void *ud, const void *row, struct lv_cell *c)
{
	(void)ud;
	ROW(x);
	snprintf(c->buf, c->len, "%lld", (long long)x->r.item.id);
}

static void cell_kind(void *ud, const void *row, struct lv_cell *c)
{
	(void)ud;
	ROW(x);
	if (strcmp(x->r.item.state, "open") != 0) {
		str_copy(c->buf, c->len, x->r.item.state);
		c->look = LOOK_DIM;
	} else {
		str_copy(c->buf, c->len, x->r.item.proposed ? "proposed" : "triage");
		if (!x->r.item.proposed)
			c->look = LOOK_AMBER;
	}
}

static void cell_received(void *ud, const void *row, struct lv_cell *c)
{
	(void)ud;
	ROW(x);
	cal_format_local(x->r.item.received_at, c->buf, c->len);
}

static void cell_case(void *ud, const void *row, struct lv_cell *c)
{
	(void)ud;
	ROW(x);
	str_copy(c->buf, c->len, x->r.case_ref[0] ? x->r.case_ref : "-");
}

static void cell_provider(void *ud, const void *row, struct lv_cell *c)
{
	(void)ud;
	ROW(x);
	str_copy(c->buf, c->len, x->r.provider[0] ? x->r.provider : x->r.item.sender);
}

static void cell_answer(void *ud, const void *row, struct lv_cell *c)
{
	(void)ud;
	ROW(x);
	bk_inbox_answer_words(&x->r.item, c->buf, c->len);
}

static void cell_note(void *ud, const void *row, struct lv_cell *c)
{
	(void)ud;
	ROW(x);
	char late[48];
	if (!x->r.item.proposed) {
		str_copy(c->buf, c->len, x->r.item.reason);
	} else if (x->r.late_seconds) {
		bk_inbox_late_words(x->r.late_seconds, late, sizeof late);
		snprintf(c->buf, c->len, "late by %s", late);
		c->look = LOOK_AMBER;
	} else {
		c->buf[0] = '\0';
	}
}

static const struct lv_column columns[] = {
	{ "ID", 2, 3, LV_FIXED, true, 0, 0, cell_id, NULL, false },
	{ "KIND", 8, 9, LV_FIXED, false, 0, 0, cell_kind, NULL, false },
	{ "RECEIVED", 21, 21, LV_FIXED, false, 0, 90, cell_received, NULL, false },
	{ "CASE", 8, 10, LV_FIXED, false, 0, 0, cell_case, NULL, false },
	{ "PROVIDER", 10, 24, LV_TEXT, false, 1, 0, cell_provider, NULL, false },
	{ "ANSWER", 8, 30, LV_TEXT, false, 2, 0, cell_answer, NULL, false },
	{ "REASON / LATE", 8, 40, LV_TEXT, false, 2, 0, cell_note, "WHY", false },
};

static const struct lv_spec spec = {
	.row_size = sizeof(struct irow),
	.id = item_id,
	.load = load,
	.matches = matches,
	.cols = columns,
	.ncols = (int)(sizeof columns / sizeof columns[0]),
	.empty = "No answer is waiting: replies that come in by mail or a file are listed here (h shows decided "
		 "ones).",
};

static void reload(struct tui *t, struct screen *s)
{
	(void)t;
	struct inbox *b = s->st;
	lv_from_screen(&b->lv, s);
	lv_reload(&b->lv, 0);
	lv_to_screen(&b->lv, s);
	b->detail_id = 0;
}

static bool inbox_open(struct tui *t, struct screen *s, void *arg)
{
	(void)arg;
	struct inbox *b = calloc(1, sizeof *b);
	if (!b)
		return false;
	b->t = t;
	s->st = b;
	lv_init(&b->lv, &spec, b, SCR_INBOX);
	reload(t, s);
	b->lv.marked = 0;
	return true;
}

static void inbox_close(struct screen *s)
{
	struct inbox *b = s->st;
	if (b) {
		lv_finish(&b->lv);
		free(b->body);
		tv_clear(&b->tv);
	}
	free(b);
	s->st = NULL;
}

static bool inbox_referral(const struct screen *s, struct referral_ref *out)
{
	const struct irow *x = row_at(s, s->cursor);
	if (!x || !x->r.referral_id)
		return false;
	out->id = x->r.referral_id;
	out->version = 0;
	return true;
}

/* ---- the item under the cursor ---- */

static void build(struct tui *t, struct screen *s, int width)
{
	struct inbox *b = s->st;
	const struct irow *x = row_at(s, s->cursor);
	tv_clear(&b->tv);
	b->built_width = width;
	if (!x)
		return;
	const struct store_inbox *it = &x->r.item;
	if (b->detail_id != it->id) {
		free(b->body);
		b->body = NULL;
		b->detail_id = it->id;
		struct bk_inbox_row *tmp = malloc(sizeof *tmp);
		if (tmp && bk_inbox_get(t->ctx, it->id, tmp, &b->body) != BK_OK)
			b->body = NULL;
		free(tmp);
	}
	char line[2400], when[48], answer[2200];
	cal_format_local(it->received_at, when, sizeof when);
	bk_inbox_answer_words(it, answer, sizeof answer);
	snprintf(line, sizeof line, "Item %lld, %s by %s, received %s from %.200s", (long long)it->id,
	         it->proposed ? "a proposed answer" : "for triage", strcmp(it->source, "mail") == 0 ? "mail" : "a file",
	         when, it->sender[0] ? it->sender : "an unknown sender");
	tv_add_wrapped(&b->tv, LOOK_TITLE, width, 4, line);
	snprintf(line, sizeof line, "  Subject: %.500s", mail_subject_strip(it->subject)); /* without RE:, AW: */
	tv_add_wrapped(&b->tv, LOOK_NORMAL, width, 4, line);
	if (it->offer_id) {
		snprintf(line, sizeof line, "  Offer %lld on referral %lld (case %.64s) to %.128s%s",
		         (long long)it->offer_id, (long long)x->r.referral_id, x->r.case_ref, x->r.provider,
		         x->r.offer_open ? "" : ": no longer open");
		tv_add_wrapped(&b->tv, x->r.offer_open ? LOOK_NORMAL : LOOK_AMBER, width, 4, line);
	}
	snprintf(line, sizeof line, "  Answer: %s", answer);
	tv_add_wrapped(&b->tv, LOOK_NORMAL, width, 4, line);
	if (!it->proposed) {
		snprintf(line, sizeof line, "  Why it waits in triage: %.500s", it->reason);
		tv_add_wrapped(&b->tv, LOOK_AMBER, width, 4, line);
	}
	if (strcmp(it->state, "open") != 0)
		snprintf(line, sizeof line, "  %s%s%.500s",
		         strcmp(it->state, "confirmed") == 0 ? "Confirmed" : "Set aside", it->decision[0] ? ": " : "",
		         it->decision);
	else if (it->proposed)
		snprintf(line, sizeof line,
		         "  y confirms it (you see what it will do first); x sets it aside; Enter "
		         "shows the whole message.");
	else
		snprintf(line, sizeof line,
		         "  m matches it to an offer; x sets it aside; Enter shows the whole message.");
	tv_add_wrapped(&b->tv, LOOK_KEY, width, 4, line);
	tv_add(&b->tv, LOOK_TITLE, "%s", "The message");
	/* the message's lines, each made safe to show */
	const char *q = b->body ? b->body : "";
	for (int n = 0; *q && n < 200; n++) {
		const char *nl = strchr(q, '\n');
		size_t len = nl ? (size_t)(nl - q) : strlen(q);
		char raw[1024], clean[1024];
		snprintf(raw, sizeof raw, "%.*s", (int)(len < sizeof raw - 1 ? len : sizeof raw - 1), q);
		draw_clean(raw, clean, sizeof clean);
		snprintf(line, sizeof line, "  %s", clean);
		tv_add_wrapped(&b->tv, LOOK_DIM, width, 4, line);
		q += len;
		if (*q == '\n')
			q++;
	}
}

static void inbox_draw(struct tui *t, struct screen *s, int y, int h)
{
	struct inbox *b = s->st;
	int list_h = b->lv.total + 1;
	if (list_h > h / 2)
		list_h = h / 2;
	if (list_h < 4)
		list_h = 4;
	lv_draw(t, s, y, list_h);
	int py = y + list_h, ph = h - list_h;
	for (int r = 0; r < ph; r++)
		draw_fill(py + r, 0, COLS, A_NORMAL);
	const struct irow *x = row_at(s, s->cursor);
	if (b->lv.total == 0 || !x)
		return;
	if (b->built_width != COLS - 2 || b->detail_id != x->r.item.id)
		build(t, s, COLS - 2);
	draw_hline(py, 0, COLS, t->ascii);
	tv_draw(&b->tv, 0, py + 1, ph - 1, -1, 0);
}

static void inbox_context(struct tui *t, const struct screen *s, char *buf, size_t len)
{
	(void)t;
	const struct inbox *b = s->st;
	snprintf(buf, len, "Inbox: %d proposed answer%s to confirm, %d in triage%s", b->proposed,
	         b->proposed == 1 ? "" : "s", b->triage, b->all ? " (decided items too)" : " (oldest first)");
}

const struct screen_ops screen_inbox_ops = {
	.id = SCR_INBOX,
	.open = inbox_open,
	.close = inbox_close,
	.reload = reload,
	.draw = inbox_draw,
	.rows = lv_rows,
	.matches = lv_matches,
	.context = inbox_context,
	.referral = inbox_referral,
	.cursor_rows = true,
};

/* ---- acting on an item ---- */

static const struct irow *open_item(struct tui *t, struct screen *s)
{
	const struct irow *x = row_at(s, s->cursor);
	if (!x) {
		tui_message(t, true, "No inbox item here");
		return NULL;
	}
	if (strcmp(x->r.item.state, "open") != 0) {
		tui_message(t, true, "Inbox item %lld was %s already", (long long)x->r.item.id, x->r.item.state);
		return NULL;
	}
	return x;
}

void act_inbox_show(struct tui *t, struct screen *s)
{
	const struct irow *x = row_at(s, s->cursor);
	if (!x) {
		tui_message(t, true, "No inbox item here");
		return;
	}
	struct bk_inbox_row *r = malloc(sizeof *r);
	char *body = NULL;
	enum bk_status st = r ? bk_inbox_get(t->ctx, x->r.item.id, r, &body) : BK_STORAGE;
	if (st != BK_OK) {
		free(r);
		tui_result(t, st);
		return;
	}
	size_t len = strlen(body ? body : "") + 1200;
	char *text = malloc(len), title[96], when[48];
	if (text) {
		cal_format_local(r->item.received_at, when, sizeof when);
		snprintf(text, len, "From: %s\nSubject: %s\nReceived: %s\n\n%s", r->item.sender, r->item.subject, when,
		         body ? body : "");
		snprintf(title, sizeof title, "The message of inbox item %lld", (long long)r->item.id);
		struct text_arg a = { .title = title, .text = text };
		tui_push(t, SCR_OUTPUT, &a); /* each line sanitised as it is shown */
	}
	free(text);
	free(body);
	free(r);
}

void act_inbox_confirm(struct tui *t, struct screen *s)
{
	const struct irow *x = open_item(t, s);
	if (!x)
		return;
	struct irow row = *x;
	if (!row.r.item.proposed) {
		tui_message(t, true, "Inbox item %lld is in triage (%s): m matches it to an offer, x sets it aside",
		            (long long)row.r.item.id, row.r.item.reason);
		return;
	}
	struct bk_plan plan;
	enum bk_status st = bk_inbox_preview_confirm(t->ctx, row.r.item.id, &plan);
	if (st != BK_OK) {
		tui_result(t, st);
		return;
	}
	char answer[2200], head[2600], effect[1100], when[48];
	bk_inbox_answer_words(&row.r.item, answer, sizeof answer);
	cal_format_local(row.r.item.received_at, when, sizeof when);
	snprintf(head, sizeof head, "Record %.128s's answer on referral %lld (case %.64s): %.1000s, received %s?",
	         row.r.provider, (long long)row.r.referral_id, row.r.case_ref, answer, when);
	snprintf(effect, sizeof effect, "%s", t->ctx->msg); /* what respond would say it did */
	const char *lines[] = { head, "", effect };
	char title[64];
	snprintf(title, sizeof title, "Confirm inbox item %lld", (long long)row.r.item.id);
	if (!tui_confirm(t, title, lines, 3)) {
		tui_message(t, false, "Nothing confirmed");
		return;
	}
	tui_result(t, bk_inbox_confirm(t->ctx, row.r.item.id));
	tui_reload_all(t);
}

void act_inbox_reject(struct tui *t, struct screen *s)
{
	const struct irow *x = open_item(t, s);
	if (!x)
		return;
	int64_t id = x->r.item.id;
	char title[64], why[1001] = "";
	snprintf(title, sizeof title, "Set inbox item %lld aside", (long long)id);
	if (!tui_prompt(t, title, "Why (for the record; nothing else changes):", "reason", true, why, sizeof why))
		return;
	tui_result(t, bk_inbox_reject(t->ctx, id, why));
	tui_reload_all(t);
}

void act_inbox_match(struct tui *t, struct screen *s)
{
	const struct irow *x = open_item(t, s);
	if (!x)
		return;
	int64_t id = x->r.item.id;
	char title[64], offer[32] = "";
	snprintf(title, sizeof title, "Match inbox item %lld to an offer", (long long)id);
	if (!tui_prompt(t, title, "The offer's id (referral show lists its offers):", NULL, true, offer, sizeof offer))
		return;
	char *end;
	long long o = strtoll(offer, &end, 10);
	if (end == offer || *end || o <= 0) {
		tui_message(t, true, "'%s' is not an offer id", offer);
		return;
	}
	tui_result(t, bk_inbox_match(t->ctx, id, o));
	tui_reload_all(t);
}

void act_inbox_decided(struct tui *t, struct screen *s)
{
	struct inbox *b = s->st;
	b->all = !b->all;
	s->cursor = s->top = 0;
	reload(t, s);
	b->lv.marked = 0;
	tui_message(t, false,
	            b->all ? "Showing every item, decided ones too (h: open ones only)"
	                   : "Showing the items waiting for an officer (h: the decided ones too)");
}
