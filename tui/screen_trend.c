/* The waiting trend: the number waiting at the end of each of the last
 * sixteen weeks, and now, as bars (the waiting report's weekly part,
 * bk_waiting_weekly). */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/report.h"
#include "tui/pager.h"

/* ---- the trend ---- */

#define TREND_WEEKS BK_WAITING_WEEKS /* sixteen weeks before, and now */

struct trend {
	struct textview tv; /* the page: the bars as lines, made for built_cols */
	int built_cols;
	int32_t day[TREND_WEEKS];
	int count[TREND_WEEKS];
	int n;
	bool pending; /* the weekly figures are counted after the screen is first drawn */
	bool failed;
};

static bool trend_open(struct tui *t, struct screen *s, void *arg)
{
	(void)t;
	(void)arg;
	struct trend *tr = calloc(1, sizeof *tr);
	if (!tr)
		return false;
	tr->pending = true;
	s->st = tr;
	return true;
}

/* The weekly counts read every referral that may have waited in those
 * weeks: the screen says they are coming, then they are read here, before
 * the next key (the counts of the waiting report's weekly part). */
static bool trend_more(struct tui *t, struct screen *s)
{
	struct trend *tr = s->st;
	if (!tr->pending)
		return false;
	tr->pending = false;
	enum bk_status st = bk_waiting_weekly(t->ctx, tr->day, tr->count, &tr->n);
	if (st != BK_OK) {
		tui_result(t, st);
		tr->failed = true;
		tr->n = 0;
	}
	tr->built_cols = 0;
	return true;
}

/* A bar of value/max of width columns: whole blocks and an eighth-step end,
 * or '#' in ASCII. */
static void bar_text(bool ascii, int64_t value, int64_t max, int width, char *out, size_t len)
{
	static const char *const eighths[] = {
		"", "\u258f", "\u258e", "\u258d", "\u258c", "\u258b", "\u258a", "\u2589"
	};
	size_t off = 0;
	out[0] = '\0';
	if (max <= 0 || width <= 0)
		return;
	int64_t units = value * width * 8 / max; /* in eighths of a column */
	if (value > 0 && units == 0)
		units = 1;
	int whole = (int)(units / 8), part = (int)(units % 8);
	if (ascii) { /* whole columns only: the nearest, at least one */
		if (part >= 4 || (value > 0 && whole == 0))
			whole++;
		part = 0;
	}
	for (int i = 0; i < whole; i++)
		str_appendf(out, len, &off, "%s", ascii ? "#" : "\u2588");
	str_appendf(out, len, &off, "%s", eighths[part]);
}

/* The page for a screen cols wide: a title, a bar a week (now in green),
 * and what the figures mean. */
static void trend_build(struct tui *t, struct trend *tr, int cols)
{
	tv_clear(&tr->tv);
	tr->built_cols = cols;
	tv_add(&tr->tv, LOOK_TITLE, "%s", "Referrals waiting at the end of each week");
	tv_add(&tr->tv, LOOK_NORMAL, "%s", "");
	if (tr->pending || tr->failed) {
		tv_add(&tr->tv, LOOK_DIM, "%s",
		       tr->pending ? "Counting the referrals waiting at the end of each week..."
		                   : "The weekly counts could not be read.");
		return;
	}
	int max = 0;
	for (int i = 0; i < tr->n; i++)
		if (tr->count[i] > max)
			max = tr->count[i];
	int labelw = 30, numw = 7;
	int barw = cols - 2 - labelw - 1 - numw - 1;
	for (int i = 0; i < tr->n; i++) {
		int ago = tr->n - 1 - i;
		char day[32], label[64], bar[1024], fitted[96];
		cal_format_day(tr->day[i], day, sizeof day);
		if (ago == 0)
			snprintf(label, sizeof label, "now          %s", day);
		else
			snprintf(label, sizeof label, "%2d week%s ago %s", ago, ago == 1 ? " " : "s", day);
		text_fit(label, labelw, false, fitted, sizeof fitted);
		bar_text(t->ascii, tr->count[i], max, barw, bar, sizeof bar);
		tv_add(&tr->tv, ago == 0 ? LOOK_GREEN : LOOK_NORMAL, "%s %s %d", fitted, bar, tr->count[i]);
	}
	tv_add(&tr->tv, LOOK_NORMAL, "%s", "");
	if (tr->n) {
		tv_addf(&tr->tv, LOOK_DIM, cols - 2, 0,
		        "%d sixteen weeks ago, %d now. A referral waits from its panel date (or the "
		        "day it was recorded) until it is sourced, ended or withdrawn; each week is worked out from "
		        "those recorded moments, so past weeks stay true when a referral changes later.",
		        tr->count[0], tr->count[tr->n - 1]);
	}
}

static void trend_draw(struct tui *t, struct screen *s, int y, int h)
{
	struct trend *tr = s->st;
	if (tr->built_cols != COLS)
		trend_build(t, tr, COLS);
	pager_draw(s, &tr->tv, y, h);
}

static void trend_context(struct tui *t, const struct screen *s, char *buf, size_t len)
{
	(void)t;
	const struct trend *tr = s->st;
	if (tr->pending)
		snprintf(buf, len, "Waiting trend: the end of each of the last 16 weeks, and now (counting...)");
	else
		snprintf(buf, len, "Waiting trend: the end of each of the last 16 weeks, and now (%d bars)", tr->n);
}

const struct screen_ops screen_trend_ops =
	PAGER_SCREEN_OPS(SCR_TREND, trend_open, trend_draw, trend_context, trend_more);

ACTION_FN(act_trend, tui_push(t, SCR_TREND, NULL));
