/* The modal dialogs over the current screen: a confirmation, a choice
 * from a list (letters jump), a line of text; and the key reader they and
 * the loop share. Each draws the screen under it first, so a resize or a
 * refresh never leaves it half drawn. */
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

/* The next key for a dialog: 0 when there is none to act on (none came,
 * or the terminal is too small: draw again), -1 when a signal asked the
 * program to stop. */
static int dialog_key(struct tui *t)
{
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
		int k = dialog_key(t);
		if (k < 0)
			break;
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

/* The first letter or digit of an item, lower case; 0 when none. */
static int lead_char(const char *item)
{
	for (const unsigned char *p = (const unsigned char *)item; *p; p++) {
		if (*p >= 'A' && *p <= 'Z')
			return *p - 'A' + 'a';
		if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
			return *p;
		if (*p >= 0x80)
			return 0;
	}
	return 0;
}

int choose_jump(const char *const *items, int n, int cur, int key)
{
	if (key < 0 || key > 0x7e ||
	    !((key >= 'a' && key <= 'z') || (key >= 'A' && key <= 'Z') || (key >= '0' && key <= '9')))
		return -1;
	int want = key >= 'A' && key <= 'Z' ? key - 'A' + 'a' : key;
	for (int k = 1; k <= n; k++) {
		int i = (cur + k) % n;
		if (lead_char(items[i]) == want)
			return i;
	}
	return -1;
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
			draw_text(b.y + b.h - 2, b.x + 2, b.w - 4,
			          "Up/Down or a letter choose   Enter take it   Esc cancel", A_BOLD, false);
		}
		refresh();
		int k = dialog_key(t);
		if (k < 0)
			return -1;
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
			/* the error wrapped whole under the line typed, never cut */
			struct textview ev = { 0 };
			if (error[0])
				tv_add_wrapped(&ev, LOOK_ERROR, w, 2, error);
			int el = ev.n ? ev.n : 1;
			struct box b = box_for(tv.n + 3 + el, w);
			box_frame(t, &b, title);
			int y = b.y + 1;
			for (int i = 0; i < tv.n && y < b.y + b.h - 3 - el; i++)
				draw_text(y++, b.x + 2, b.w - 4, tv.v[i].text, A_NORMAL, false);
			int iy = y + 1;
			for (int i = 0; i < ev.n; i++)
				if (iy + 1 + i < b.y + b.h - 2)
					draw_text(iy + 1 + i, b.x + 2, b.w - 4, ev.v[i].text, draw_attr(LOOK_ERROR),
					          false);
			tv_clear(&ev);
			draw_text(b.y + b.h - 2, b.x + 2, b.w - 4, "Enter  done        Esc  cancel", A_BOLD, false);
			int cx = le_draw(&le, iy, b.x + 2, b.w - 4, draw_attr(LOOK_FIELD_CUR));
			move(iy, cx);
			curs_set(1);
		}
		refresh();
		int k = dialog_key(t);
		if (k < 0 || k == TK_ESC)
			break;
		if (k == TK_ENTER) {
			error[0] = '\0';
			if (!value[0] && required) {
				snprintf(error, sizeof error, "an answer is needed (Esc cancels)");
				continue;
			}
			if (value[0] && check &&
			    !bk_validate_field(t->ctx->settings, check, value, error, sizeof error))
				continue;
			snprintf(buf, len, "%s", value);
			ok = true;
			break;
		}
		if (k)
			le_key(&le, k);
	}
	tv_clear(&tv);
	curs_set(0);
	t->redraw = true;
	return ok;
}
