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

#define I struct bk_inbox_row

struct inbox {
	struct listview lv; /* first: the list view's ops read it */
	struct lv_walk walk;
	bool all; /* decided items too */
	int proposed, triage;
};

/* ---- loading a window ---- */

static int item_cb(void *ud, const I *r)
{
	struct inbox *b = ud;
	if (strcmp(r->item.state, "open") == 0) {
		b->proposed += r->item.proposed;
		b->triage += !r->item.proposed;
	}
	I *x = lv_walk_put(&b->walk);
	if (x)
		*x = *r;
	return 0;
}

static bool load(void *ud, int from, int count, struct lv_window *w, int *total)
{
	struct inbox *b = ud;
	b->walk = (struct lv_walk){ w, from, from + count, 0 };
	b->proposed = b->triage = 0;
	enum bk_status st = bk_inbox_each(b->lv.t->ctx, !b->all, item_cb, b);
	if (st != BK_OK) {
		tui_result(b->lv.t, st);
		return false;
	}
	*total = b->walk.n;
	return true;
}

/* ---- columns ---- */

LV_FIELD_CELL(cell_id, ID, I, item.id);
LV_FIELD_CELL_DASH(cell_case, TEXT, I, case_ref);

static void cell_kind(void *ud, const void *row, struct lv_cell *c)
{
	const I *x = row;
	if (strcmp(x->item.state, "open") != 0) {
		str_copy(c->buf, c->len, x->item.state);
		c->look = LOOK_DIM;
	} else {
		str_copy(c->buf, c->len, x->item.proposed ? "proposed" : "triage");
		if (!x->item.proposed)
			c->look = LOOK_AMBER;
	}
}

static void cell_received(void *ud, const void *row, struct lv_cell *c)
{
	cal_format_local(((const I *)row)->item.received_at, c->buf, c->len);
}

static void cell_provider(void *ud, const void *row, struct lv_cell *c)
{
	const I *x = row;
	str_copy(c->buf, c->len, x->provider[0] ? x->provider : x->item.sender);
}

static void cell_answer(void *ud, const void *row, struct lv_cell *c)
{
	bk_inbox_answer_words(&((const I *)row)->item, c->buf, c->len);
}

static void cell_note(void *ud, const void *row, struct lv_cell *c)
{
	const I *x = row;
	char late[48];
	if (!x->item.proposed) {
		str_copy(c->buf, c->len, x->item.reason);
	} else if (x->late_seconds) {
		bk_inbox_late_words(x->late_seconds, late, sizeof late);
		snprintf(c->buf, c->len, "late by %s", late);
		c->look = LOOK_AMBER;
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

/* ---- the item under the cursor, with its message's lines ---- */

static void pane(void *ud, const void *row, int width, struct textview *tv)
{
	struct inbox *b = ud;
	const I *x = row;
	const struct store_inbox *it = &x->item;
	char *body = NULL, when[48], answer[2200];
	I *tmp = malloc(sizeof *tmp);
	if (tmp && bk_inbox_get(b->lv.t->ctx, it->id, tmp, &body) != BK_OK)
		body = NULL;
	free(tmp);
	cal_format_local(it->received_at, when, sizeof when);
	bk_inbox_answer_words(it, answer, sizeof answer);
	tv_addf(tv, LOOK_TITLE, width, 4, "Item %lld, %s by %s, received %s from %.200s", (long long)it->id,
	        it->proposed ? "a proposed answer" : "for triage", strcmp(it->source, "mail") == 0 ? "mail" : "a file",
	        when, it->sender[0] ? it->sender : "an unknown sender");
	tv_addf(tv, LOOK_NORMAL, width, 4, "  Subject: %.500s", mail_subject_strip(it->subject)); /* without RE:, AW: */
	if (it->offer_id)
		tv_addf(tv, x->offer_open ? LOOK_NORMAL : LOOK_AMBER, width, 4,
		        "  Offer %lld on referral %lld (case %.64s) to %.128s%s", (long long)it->offer_id,
		        (long long)x->referral_id, x->case_ref, x->provider, x->offer_open ? "" : ": no longer open");
	tv_addf(tv, LOOK_NORMAL, width, 4, "  Answer: %s", answer);
	if (!it->proposed)
		tv_addf(tv, LOOK_AMBER, width, 4, "  Why it waits in triage: %.500s", it->reason);
	if (strcmp(it->state, "open") != 0)
		tv_addf(tv, LOOK_KEY, width, 4, "  %s%s%.500s",
		        strcmp(it->state, "confirmed") == 0 ? "Confirmed" : "Set aside", it->decision[0] ? ": " : "",
		        it->decision);
	else
		tv_addf(tv, LOOK_KEY, width, 4, "  %s",
		        it->proposed ? "y confirms it (you see what it will do first); x sets it aside; Enter "
		                       "shows the whole message."
		                     : "m matches it to an offer; x sets it aside; Enter shows the whole message.");
	tv_add(tv, LOOK_TITLE, "%s", "The message");
	/* the message's first 200 lines, each made safe to show by tv_addf */
	const char *q = body ? body : "";
	for (int n = 0; *q && n < 200; n++) {
		int len = (int)strcspn(q, "\n");
		tv_addf(tv, LOOK_DIM, width, 4, "  %.*s", len < 1023 ? len : 1023, q);
		q += len + (q[len] == '\n');
	}
	free(body);
}

static const struct lv_spec spec = {
	.row_size = sizeof(I),
	.key = LV_AT(ID, I, item.id),
	.referral = LV_AT(ID, I, referral_id),
	.search = { LV_AT(TEXT, I, case_ref), LV_AT(TEXT, I, provider), LV_AT(TEXT, I, item.sender),
	            LV_AT(TEXT, I, item.subject) },
	.load = load,
	.cols = columns,
	.ncols = (int)(sizeof columns / sizeof columns[0]),
	.pane = pane,
	.empty = "No answer is waiting: replies that come in by mail or a file are listed here (h shows decided "
		 "ones).",
};

LV_OPEN(inbox_open, struct inbox, spec);

static void inbox_draw(struct tui *t, struct screen *s, int y, int h)
{
	struct inbox *b = s->st;
	int list_h = b->lv.total + 1 < h / 2 ? b->lv.total + 1 : h / 2;
	lv_draw_pane(t, s, y, h, list_h < 4 ? 4 : list_h);
}

static void inbox_context(struct tui *t, const struct screen *s, char *buf, size_t len)
{
	const struct inbox *b = s->st;
	snprintf(buf, len, "Inbox: %d proposed answer%s to confirm, %d in triage%s", b->proposed,
	         b->proposed == 1 ? "" : "s", b->triage, b->all ? " (decided items too)" : " (oldest first)");
}

const struct screen_ops screen_inbox_ops = LV_SCREEN_OPS(SCR_INBOX, inbox_open, inbox_draw, inbox_context);

/* ---- acting on an item ---- */

static const I *open_item(struct tui *t, struct screen *s)
{
	const I *x = lv_at_or(t, s, "No inbox item here");
	if (!x)
		return NULL;
	if (strcmp(x->item.state, "open") != 0) {
		tui_message(t, true, "Inbox item %lld was %s already", (long long)x->item.id, x->item.state);
		return NULL;
	}
	return x;
}

void act_inbox_show(struct tui *t, struct screen *s)
{
	const I *x = lv_at_or(t, s, "No inbox item here");
	if (!x)
		return;
	struct bk_inbox_row *r = malloc(sizeof *r);
	char *body = NULL;
	enum bk_status st = r ? bk_inbox_get(t->ctx, x->item.id, r, &body) : BK_STORAGE;
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
	const I *x = open_item(t, s);
	if (!x)
		return;
	I row = *x;
	if (!row.item.proposed) {
		tui_message(t, true, "Inbox item %lld is in triage (%s): m matches it to an offer, x sets it aside",
		            (long long)row.item.id, row.item.reason);
		return;
	}
	struct bk_plan plan;
	enum bk_status st = bk_inbox_preview_confirm(t->ctx, row.item.id, &plan);
	if (st != BK_OK) {
		tui_result(t, st);
		return;
	}
	char answer[2200], head[2600], effect[1100], when[48];
	bk_inbox_answer_words(&row.item, answer, sizeof answer);
	cal_format_local(row.item.received_at, when, sizeof when);
	snprintf(head, sizeof head, "Record %.128s's answer on referral %lld (case %.64s): %.1000s, received %s?",
	         row.provider, (long long)row.referral_id, row.case_ref, answer, when);
	snprintf(effect, sizeof effect, "%s", t->ctx->msg); /* what respond would say it did */
	const char *lines[] = { head, "", effect };
	char title[64];
	snprintf(title, sizeof title, "Confirm inbox item %lld", (long long)row.item.id);
	if (!tui_confirm(t, title, lines, 3)) {
		tui_message(t, false, "Nothing confirmed");
		return;
	}
	tui_done(t, bk_inbox_confirm(t->ctx, row.item.id));
}

/* The open item under the cursor and an answer about it; 0 when none or cancelled. */
static int64_t ask_about(struct tui *t, struct screen *s, const char *verb, const char *what, const char *label,
                         const char *check, char *buf, size_t len)
{
	const I *x = open_item(t, s);
	int64_t id = x ? x->item.id : 0; /* the window may be read again under the prompt */
	char title[96];
	snprintf(title, sizeof title, "%s inbox item %lld %s", verb, (long long)id, what);
	return id && tui_prompt(t, title, label, check, true, buf, len) ? id : 0;
}

void act_inbox_reject(struct tui *t, struct screen *s)
{
	char why[1001] = "";
	int64_t id = ask_about(t, s, "Set", "aside", "Why (for the record; nothing else changes):", "reason", why,
	                       sizeof why);
	if (id)
		tui_done(t, bk_inbox_reject(t->ctx, id, why));
}

void act_inbox_match(struct tui *t, struct screen *s)
{
	char offer[32] = "";
	int64_t id = ask_about(t, s, "Match", "to an offer", "The offer's id (referral show lists its offers):", NULL,
	                       offer, sizeof offer);
	if (!id)
		return;
	char *end;
	long long o = strtoll(offer, &end, 10);
	if (end == offer || *end || o <= 0) {
		tui_message(t, true, "'%s' is not an offer id", offer);
		return;
	}
	tui_done(t, bk_inbox_match(t->ctx, id, o));
}

void act_inbox_decided(struct tui *t, struct screen *s)
{
	struct inbox *b = s->st;
	b->all = !b->all;
	lv_show(s);
	tui_message(t, false,
	            b->all ? "Showing every item, decided ones too (h: open ones only)"
	                   : "Showing the items waiting for an officer (h: the decided ones too)");
}
