/* The one pager (tui/pager.h), and its pages: the help (made from the
 * action list) and the output of a command typed after ':'. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/pager.h"

/* ---- the pager ---- */

void pager_draw(struct screen *s, const struct textview *tv, int y, int h)
{
	screen_scroll(s, h);
	tv_draw(tv, s->cursor, y, h, s->hilite, s->hscroll);
}

void pager_draw_op(struct tui *t, struct screen *s, int y, int h)
{
	(void)t;
	pager_draw(s, s->st, y, h);
}

int pager_rows(const struct screen *s)
{
	const struct textview *tv = s->st;
	return tv->n;
}

bool pager_matches_op(const struct screen *s, int row, const char *needle)
{
	return tv_matches(s->st, row, needle);
}

void pager_close(struct screen *s)
{
	struct textview *tv = s->st;
	if (tv)
		tv_clear(tv);
	free(tv);
	s->st = NULL;
}

/* Left and Right on a page: twenty columns at a time. */
ACTION_FN(act_scroll_left, s->hscroll = s->hscroll > 20 ? s->hscroll - 20 : 0);

ACTION_FN(act_scroll_right, s->hscroll += 20);

/* ---- the pages ---- */

struct page {
	struct textview tv; /* first: the pager's ops read it */
	char context[160];
};

static struct page *page_new(struct screen *s)
{
	struct page *p = calloc(1, sizeof *p);
	s->st = p;
	return p;
}

static void page_context(struct tui *t, const struct screen *s, char *buf, size_t len)
{
	(void)t;
	const struct page *p = s->st;
	snprintf(buf, len, "%s", p->context[0] ? p->context : s->title);
}

/* ---- help ---- */

/* A key's line, its words wrapped under the WHAT IT DOES column (20 in). */
static void help_line(void *ud, const struct action *a, const char *line)
{
	(void)a;
	tv_add_wrapped(ud, LOOK_NORMAL, COLS - 2, 20, line);
}

static bool help_open(struct tui *t, struct screen *s, void *arg)
{
	(void)t;
	const struct text_arg *a = arg;
	struct page *p = page_new(s);
	if (!p)
		return false;
	enum screen_id id = a ? a->help_for : SCR_MINE;
	snprintf(p->context, sizeof p->context, "Help: the keys of %s", tui_screens[id].title);
	tv_add(&p->tv, LOOK_TITLE, "Keys on the screen '%s'", tui_screens[id].title);
	tv_add(&p->tv, LOOK_NORMAL, "%s", "");
	tv_add(&p->tv, LOOK_HEAD, "  %-10s %-6s %s", "KEY", "ALSO", "WHAT IT DOES");
	keymap_help(id, help_line, &p->tv);
	tv_add(&p->tv, LOOK_NORMAL, "%s", "");
	tv_add(&p->tv, LOOK_DIM, "%s", "  C-x means Ctrl and x together; S-Tab is Shift and Tab.");
	static const char *const deadlines[] = {
		"",
		"  Deadlines",
		"  R (or [R]) late: the answer deadline has passed",
		"  A (or [A]) due today or on the next working day",
		"  G (or [G]) due later",
		"  TIME LEFT: working days after today to the deadline, and the hours left today",
		"  !  before a case reference: urgent"
	};
	for (int i = 0; (id == SCR_MINE || id == SCR_DETAIL) && i < 7; i++)
		tv_add(&p->tv, i == 1 ? LOOK_TITLE : LOOK_NORMAL, "%s", deadlines[i]);
	if (id == SCR_FORM)
		tv_add(&p->tv, LOOK_DIM, "%s",
		       "  Any other key types into the field; in a list field a letter picks a choice.");
	else {
		tv_add(&p->tv, LOOK_DIM, "%s",
		       "  The mouse, where the terminal has one: a click on a tab opens it, on a row");
		tv_add(&p->tv, LOOK_DIM, "%s", "  of a list selects it; the wheel moves as Up and Down do.");
	}
	tv_add(&p->tv, LOOK_DIM, "%s", "  q or Esc leaves this help.");
	return true;
}

const struct screen_ops screen_help_ops = PAGER_SCREEN_OPS(SCR_HELP, help_open, page_context);

/* ---- command output ---- */

static bool output_open(struct tui *t, struct screen *s, void *arg)
{
	(void)t;
	const struct text_arg *a = arg;
	struct page *p = page_new(s);
	if (!p)
		return false;
	snprintf(p->context, sizeof p->context, "%s", a->title);
	const char *q = a->text;
	while (*q) {
		const char *nl = strchr(q, '\n');
		size_t n = nl ? (size_t)(nl - q) : strlen(q);
		char line[4096], clean[4096];
		snprintf(line, sizeof line, "%.*s", (int)n, q);
		draw_clean(line, clean, sizeof clean);
		tv_add(&p->tv, LOOK_NORMAL, "%s", clean);
		q += n;
		if (*q == '\n')
			q++;
	}
	return true;
}

const struct screen_ops screen_output_ops = PAGER_SCREEN_OPS(SCR_OUTPUT, output_open, page_context);
