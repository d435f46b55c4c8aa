/* The modal dialogs over the current screen: a confirmation, a choice
 * from a list (letters jump), a line of text; and the key reader they and
 * the loop share. Each draws the screen under it first, so a resize or a
 * refresh never leaves it half drawn. */
#include <ctype.h>
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "tui/app.h"
#include "tui/draw.h"
#include "tui/form.h"
#include "tui/keymap.h"

/* ---- keys ---- */

int tui_read_key(void)
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

/* The inner width of a dialog of text. */
static int dialog_width(void)
{
	return COLS - 10 < 74 ? COLS - 10 : 74;
}

/* The screen under it drawn, then (unless the terminal is too small: false)
 * a box of content_lines for want_w columns, its title, and its keys on its
 * last line. */
static bool dialog_frame(struct tui *t, struct box *b, const char *title, int content_lines, int want_w,
                         const char *keys)
{
	tui_draw(t);
	if (t->too_small)
		return false;
	b->w = want_w + 4 > COLS - 4 ? COLS - 4 : want_w + 4;
	b->h = content_lines + 2 > LINES - 4 ? LINES - 4 : content_lines + 2;
	b->y = (LINES - b->h) / 2;
	b->x = (COLS - b->w) / 2;
	draw_box(b->y, b->x, b->h, b->w, t->ascii, A_NORMAL);
	char tt[160];
	snprintf(tt, sizeof tt, " %s ", title);
	draw_text(b->y, b->x + 2, b->w - 4, tt, A_BOLD, false);
	draw_text(b->y + b->h - 2, b->x + 2, b->w - 4, keys, A_BOLD, false);
	return true;
}

/* The lines of tv from line y of the box on, up to (not on) line end. */
static int dialog_lines(const struct box *b, const struct textview *tv, int y, int end)
{
	for (int i = 0; i < tv->n && y < end; i++)
		draw_text(y++, b->x + 2, b->w - 4, tv->v[i].text, draw_attr(tv->v[i].look), false);
	return y;
}

/* The next key for a dialog, once the screen is out: 0 when there is none
 * to act on (none came, or the terminal is too small: draw again), -1 when
 * a signal asked the program to stop. */
static int dialog_key(struct tui *t)
{
	refresh();
	int k = key_normalize(tui_read_key());
	if (k == -1)
		return tui_interrupted() ? -1 : 0;
	return t->too_small ? 0 : k;
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
	struct box b;
	int k;
	do {
		int w = dialog_width();
		wrap_lines(&tv, lines, n, w);
		if (dialog_frame(t, &b, title, tv.n + 2, w, "y  yes, do it        n or Esc  no, leave it"))
			dialog_lines(&b, &tv, b.y + 1, b.y + b.h - 3);
		k = dialog_key(t);
	} while (k >= 0 && k != 'y' && k != 'Y' && k != 'n' && k != 'N' && k != TK_ESC && k != 'q');
	tv_clear(&tv);
	t->redraw = true;
	return k == 'y' || k == 'Y';
}

/* The first letter or digit of an item, lower case; 0 when none (or a
 * character outside ASCII comes first). */
static int lead_char(const char *item)
{
	for (const unsigned char *p = (const unsigned char *)item; *p && *p < 0x80; p++)
		if (isalnum(*p))
			return tolower(*p);
	return 0;
}

int choose_jump(const char *const *items, int n, int cur, int key)
{
	if (key < 0 || key > 0x7e || !isalnum(key))
		return -1;
	for (int k = 1; k <= n; k++)
		if (lead_char(items[(cur + k) % n]) == tolower(key))
			return (cur + k) % n;
	return -1;
}

int tui_choose(struct tui *t, const char *title, const char *const *items, int n, int initial)
{
	int cur = initial >= 0 && initial < n ? initial : 0, top = 0;
	int want = (int)strlen(title) + 4;
	for (int i = 0; i < n; i++)
		if (text_width(items[i]) + 4 > want)
			want = text_width(items[i]) + 4;
	for (;;) {
		struct box b;
		if (dialog_frame(t, &b, title, n + 2, want < 44 ? 44 : want,
		                 "Up/Down or a letter choose   Enter take it   Esc cancel")) {
			int rows = b.h - 4;
			top = cur < top ? cur : cur >= top + rows ? cur - rows + 1 : top;
			for (int i = 0; i < rows && top + i < n; i++) {
				char line[256];
				snprintf(line, sizeof line, " %s", items[top + i]);
				draw_text(b.y + 1 + i, b.x + 2, b.w - 4, line,
				          top + i == cur ? draw_attr(LOOK_SELECT) : (int)A_NORMAL, true);
			}
		}
		int k = dialog_key(t);
		/* A letter goes to the next item starting with it; j, k, g, G and
		 * q keep their moves where no item starts with them. */
		int jump = choose_jump(items, n, cur, k);
		if (jump >= 0)
			cur = jump;
		else if (k == TK_FN + KEY_DOWN || k == 'j')
			cur = cur + 1 < n ? cur + 1 : cur;
		else if (k == TK_FN + KEY_UP || k == 'k')
			cur = cur > 0 ? cur - 1 : 0;
		else if (k == TK_FN + KEY_NPAGE)
			cur = cur + 10 < n ? cur + 10 : n - 1;
		else if (k == TK_FN + KEY_PPAGE)
			cur = cur > 10 ? cur - 10 : 0;
		else if (k == TK_FN + KEY_HOME || k == 'g')
			cur = 0;
		else if (k == TK_FN + KEY_END || k == 'G')
			cur = n - 1;
		else if (k < 0 || k == TK_ENTER || k == TK_ESC || k == 'q') {
			t->redraw = true;
			return k == TK_ENTER ? cur : -1;
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
	struct textview tv = { 0 }, ev = { 0 };
	int k;
	for (;;) {
		int w = dialog_width();
		wrap_lines(&tv, &label, 1, w);
		/* the error wrapped whole under the line typed, never cut */
		tv_clear(&ev);
		if (error[0])
			tv_add_wrapped(&ev, LOOK_ERROR, w, 2, error);
		int el = ev.n ? ev.n : 1;
		struct box b;
		if (dialog_frame(t, &b, title, tv.n + 3 + el, w, "Enter  done        Esc  cancel")) {
			int iy = dialog_lines(&b, &tv, b.y + 1, b.y + b.h - 3 - el) + 1;
			dialog_lines(&b, &ev, iy + 1, b.y + b.h - 2);
			move(iy, le_draw(&le, iy, b.x + 2, b.w - 4, draw_attr(LOOK_FIELD_CUR)));
			curs_set(1);
		}
		k = dialog_key(t);
		if (k < 0 || k == TK_ESC)
			break;
		if (k == TK_ENTER) {
			error[0] = '\0';
			if (!value[0] && required)
				snprintf(error, sizeof error, "an answer is needed (Esc cancels)");
			else if (!value[0] || !check || bk_check_field(t->ctx, check, value, error, sizeof error))
				break;
		} else if (k) {
			le_key(&le, k);
		}
	}
	tv_clear(&tv);
	tv_clear(&ev);
	curs_set(0);
	t->redraw = true;
	if (k == TK_ENTER)
		snprintf(buf, len, "%s", value);
	return k == TK_ENTER;
}
