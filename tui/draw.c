/* Drawing: colours (or their absence), text that is always sanitised and
 * measured in display columns, boxes, pages of text, and the RAG rule. */
#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "core/text.h"
#include "tui/tui.h"

static int looks[LOOK_COUNT];
static bool colour;
static bool ascii_mode;

enum { P_BAR = 1, P_TAB_CUR, P_RED, P_AMBER, P_GREEN, P_MATCH, P_KEY, P_TITLE };

void draw_set_ascii(bool ascii)
{
	ascii_mode = ascii;
}

void draw_init_colours(bool no_color)
{
	colour = !no_color && has_colors() && start_color() == OK && COLORS >= 8 && COLOR_PAIRS >= 9;
	/* Without colour: attributes every terminal has, vt100 included. */
	looks[LOOK_NORMAL] = A_NORMAL;
	looks[LOOK_BAR] = A_REVERSE;
	looks[LOOK_TAB] = A_REVERSE;
	looks[LOOK_TAB_CUR] = A_BOLD;
	looks[LOOK_HEAD] = A_BOLD | A_UNDERLINE;
	looks[LOOK_SELECT] = A_REVERSE;
	looks[LOOK_TITLE] = A_BOLD;
	looks[LOOK_DIM] = A_NORMAL;
	looks[LOOK_RED] = A_BOLD;
	looks[LOOK_AMBER] = A_NORMAL;
	looks[LOOK_GREEN] = A_NORMAL;
	looks[LOOK_ERROR] = A_BOLD;
	looks[LOOK_OK] = A_NORMAL;
	looks[LOOK_KEY] = A_REVERSE | A_BOLD;
	looks[LOOK_MATCH] = A_BOLD | A_UNDERLINE;
	looks[LOOK_FIELD] = A_UNDERLINE;
	looks[LOOK_FIELD_CUR] = A_REVERSE;
	if (!colour)
		return;
	short bg = use_default_colors() == OK ? -1 : COLOR_BLACK;
	init_pair(P_BAR, COLOR_WHITE, COLOR_BLUE);
	init_pair(P_TAB_CUR, COLOR_BLACK, COLOR_CYAN);
	init_pair(P_RED, COLOR_RED, bg);
	init_pair(P_AMBER, COLOR_YELLOW, bg);
	init_pair(P_GREEN, COLOR_GREEN, bg);
	init_pair(P_MATCH, COLOR_BLACK, COLOR_YELLOW);
	init_pair(P_KEY, COLOR_BLACK, COLOR_CYAN);
	init_pair(P_TITLE, COLOR_CYAN, bg);
	looks[LOOK_BAR] = (int)COLOR_PAIR(P_BAR);
	looks[LOOK_TAB] = (int)COLOR_PAIR(P_BAR);
	looks[LOOK_TAB_CUR] = (int)COLOR_PAIR(P_TAB_CUR) | A_BOLD;
	looks[LOOK_TITLE] = (int)COLOR_PAIR(P_TITLE) | A_BOLD;
	looks[LOOK_DIM] = A_DIM;
	looks[LOOK_RED] = (int)COLOR_PAIR(P_RED) | A_BOLD;
	looks[LOOK_AMBER] = (int)COLOR_PAIR(P_AMBER) | A_BOLD;
	looks[LOOK_GREEN] = (int)COLOR_PAIR(P_GREEN);
	looks[LOOK_ERROR] = (int)COLOR_PAIR(P_RED) | A_BOLD;
	looks[LOOK_OK] = (int)COLOR_PAIR(P_GREEN);
	looks[LOOK_KEY] = (int)COLOR_PAIR(P_KEY);
	looks[LOOK_MATCH] = (int)COLOR_PAIR(P_MATCH);
}

bool draw_has_colour(void)
{
	return colour;
}

int draw_attr(enum tui_look look)
{
	return looks[look];
}

enum tui_look draw_rag_look(enum rag r)
{
	switch (r) {
	case RAG_RED: return LOOK_RED;
	case RAG_AMBER: return LOOK_AMBER;
	case RAG_GREEN: return LOOK_GREEN;
	default: return LOOK_NORMAL;
	}
}

/* ---- text ---- */

void draw_clean(const char *in, char *out, size_t len)
{
	text_sanitize(in ? in : "", out, len, ascii_mode);
}

/* Bytes of s that fit in width columns; *cols gets the columns they take. */
static size_t fit_bytes(const char *s, int width, int *cols)
{
	mbstate_t mb;
	memset(&mb, 0, sizeof mb);
	size_t i = 0;
	int w = 0;
	while (s[i]) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, s + i, MB_CUR_MAX, &mb);
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			n = 1;
			wc = L'?';
			memset(&mb, 0, sizeof mb);
		}
		int cw = wcwidth(wc);
		if (cw < 0)
			cw = 1;
		if (w + cw > width)
			break;
		w += cw;
		i += n;
	}
	if (cols)
		*cols = w;
	return i;
}

int text_width(const char *s)
{
	int w;
	fit_bytes(s, 1 << 30, &w);
	return w;
}

void text_fit(const char *s, int width, bool right, char *out, size_t outlen)
{
	char clean[4096];
	draw_clean(s, clean, sizeof clean);
	if (outlen == 0)
		return;
	out[0] = '\0';
	if (width <= 0)
		return;
	int cols;
	size_t n = fit_bytes(clean, width, &cols);
	bool cut = clean[n] != '\0';
	if (cut)
		n = fit_bytes(clean, width - 1, &cols);
	size_t off = 0;
	int pad = width - cols - (cut ? 1 : 0);
	if (right)
		for (; pad > 0 && off + 1 < outlen; pad--)
			out[off++] = ' ';
	if (n > outlen - off - 1)
		n = outlen - off - 1;
	memcpy(out + off, clean, n);
	off += n;
	if (cut && off + 1 < outlen)
		out[off++] = '~';
	for (; pad > 0 && off + 1 < outlen; pad--)
		out[off++] = ' ';
	out[off] = '\0';
}

int draw_text(int y, int x, int width, const char *text, int attr, bool pad)
{
	char clean[4096];
	draw_clean(text, clean, sizeof clean);
	if (width <= 0)
		return 0;
	int cols;
	size_t n = fit_bytes(clean, width, &cols);
	attron(attr);
	mvaddnstr(y, x, clean, (int)n);
	if (pad)
		for (int i = cols; i < width; i++)
			mvaddch(y, x + i, ' ');
	attroff(attr);
	return pad ? width : cols;
}

void draw_fill(int y, int x, int width, int attr)
{
	attron(attr);
	for (int i = 0; i < width; i++)
		mvaddch(y, x + i, ' ');
	attroff(attr);
}

void draw_hline(int y, int x, int width, bool ascii)
{
	if (width <= 0)
		return;
	if (ascii)
		mvhline(y, x, '-', width);
	else
		mvhline(y, x, ACS_HLINE, width);
}

void draw_box(int y, int x, int h, int w, bool ascii, int attr)
{
	attron(attr);
	for (int r = 0; r < h; r++)
		mvhline(y + r, x, ' ', w);
	if (ascii) {
		mvhline(y, x + 1, '-', w - 2);
		mvhline(y + h - 1, x + 1, '-', w - 2);
		mvvline(y + 1, x, '|', h - 2);
		mvvline(y + 1, x + w - 1, '|', h - 2);
		mvaddch(y, x, '+');
		mvaddch(y, x + w - 1, '+');
		mvaddch(y + h - 1, x, '+');
		mvaddch(y + h - 1, x + w - 1, '+');
	} else {
		mvhline(y, x + 1, ACS_HLINE, w - 2);
		mvhline(y + h - 1, x + 1, ACS_HLINE, w - 2);
		mvvline(y + 1, x, ACS_VLINE, h - 2);
		mvvline(y + 1, x + w - 1, ACS_VLINE, h - 2);
		mvaddch(y, x, ACS_ULCORNER);
		mvaddch(y, x + w - 1, ACS_URCORNER);
		mvaddch(y + h - 1, x, ACS_LLCORNER);
		mvaddch(y + h - 1, x + w - 1, ACS_LRCORNER);
	}
	attroff(attr);
}

/* ---- pages of text ---- */

void tv_clear(struct textview *tv)
{
	for (int i = 0; i < tv->n; i++)
		free(tv->v[i].text);
	free(tv->v);
	tv->v = NULL;
	tv->n = tv->cap = 0;
}

static void tv_push(struct textview *tv, enum tui_look look, char *text)
{
	if (!text)
		return;
	if (tv->n == tv->cap) {
		int cap = tv->cap ? tv->cap * 2 : 64;
		struct tline *v = realloc(tv->v, (size_t)cap * sizeof *v);
		if (!v) {
			free(text);
			return;
		}
		tv->v = v;
		tv->cap = cap;
	}
	tv->v[tv->n].text = text;
	tv->v[tv->n].look = look;
	tv->n++;
}

void tv_add(struct textview *tv, enum tui_look look, const char *fmt, ...)
{
	char buf[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	tv_push(tv, look, strdup(buf));
}

void tv_add_wrapped(struct textview *tv, enum tui_look look, int width, int indent, const char *text)
{
	size_t cap = strlen(text ? text : "") * 3 + 8;
	char *clean = malloc(cap);
	if (!clean)
		return;
	draw_clean(text, clean, cap);
	if (width < 20)
		width = 20;
	const char *p = clean;
	bool first = true;
	do {
		int room = width - (first ? 0 : indent);
		int cols;
		size_t n = fit_bytes(p, room, &cols);
		if (p[n]) {
			/* break at the last space that fits, if there is one */
			size_t b = n;
			while (b > 0 && p[b] != ' ')
				b--;
			if (b > 0)
				n = b;
		}
		if (n == 0 && *p)
			n = 1;
		char line[4096];
		int lead = first ? 0 : indent;
		snprintf(line, sizeof line, "%*s%.*s", lead, "", (int)n, p);
		tv_push(tv, look, strdup(line));
		p += n;
		while (*p == ' ')
			p++;
		first = false;
	} while (*p);
	free(clean);
}

void tv_draw(const struct textview *tv, int first, int y, int h, int hilite, int hscroll)
{
	for (int r = 0; r < h; r++) {
		int i = first + r;
		if (i < 0 || i >= tv->n) {
			draw_fill(y + r, 0, COLS, A_NORMAL);
			continue;
		}
		int attr = i == hilite ? draw_attr(LOOK_MATCH) : draw_attr(tv->v[i].look);
		const char *text = tv->v[i].text;
		if (hscroll > 0) {
			char clean[4096];
			draw_clean(text, clean, sizeof clean);
			int cols;
			size_t skip = fit_bytes(clean, hscroll, &cols);
			draw_text(y + r, 0, 1, " ", A_NORMAL, true);
			draw_text(y + r, 1, COLS - 1, clean + skip, attr, true);
			continue;
		}
		draw_text(y + r, 0, 1, " ", A_NORMAL, true);
		draw_text(y + r, 1, COLS - 1, text, attr, true);
	}
}

void str_copy(char *dst, size_t len, const char *src)
{
	if (!len)
		return;
	size_t n = src ? strlen(src) : 0;
	if (n >= len) {
		n = len - 1;
		while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
			n--;
	}
	if (n)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

bool text_contains(const char *hay, const char *needle)
{
	if (!needle || !*needle)
		return false;
	size_t n = strlen(needle);
	for (const char *p = hay; p && *p; p++) {
		size_t k = 0;
		while (k < n && p[k]) {
			char a = p[k], b = needle[k];
			if (a >= 'A' && a <= 'Z')
				a = (char)(a - 'A' + 'a');
			if (b >= 'A' && b <= 'Z')
				b = (char)(b - 'A' + 'a');
			if (a != b)
				break;
			k++;
		}
		if (k == n)
			return true;
	}
	return false;
}

bool tv_matches(const struct textview *tv, int row, const char *needle)
{
	return row >= 0 && row < tv->n && text_contains(tv->v[row].text, needle);
}

/* ---- the RAG rule ---- */

enum rag rag_of(const struct cal_rules *cal, int64_t deadline, int64_t now)
{
	if (deadline == 0)
		return RAG_NONE;
	if (deadline < now)
		return RAG_RED;
	int32_t today, day;
	cal_local(now, &today, NULL);
	cal_local(deadline, &day, NULL);
	return day <= cal_working_day_after(cal, today) ? RAG_AMBER : RAG_GREEN;
}

const char *rag_marker(enum rag r)
{
	switch (r) {
	case RAG_RED: return "[R]";
	case RAG_AMBER: return "[A]";
	case RAG_GREEN: return "[G]";
	default: return "   ";
	}
}

void rag_time_left(const struct cal_rules *cal, int64_t deadline, int64_t now, char *buf, size_t len)
{
	if (deadline == 0) {
		snprintf(buf, len, "-");
		return;
	}
	int32_t today, day;
	cal_local(now, &today, NULL);
	cal_local(deadline, &day, NULL);
	if (deadline < now) {
		int wd = cal_working_days_between(cal, day, today);
		if (wd > 0)
			snprintf(buf, len, "late %dwd", wd);
		else
			snprintf(buf, len, "late %dh", (int)((now - deadline) / 3600));
		return;
	}
	if (day == today) {
		int64_t s = deadline - now;
		if (s < 3600)
			snprintf(buf, len, "%dm", (int)(s / 60));
		else
			snprintf(buf, len, "%dh", (int)(s / 3600));
		return;
	}
	int wd = cal_working_days_between(cal, today, day);
	int hours = 0;
	if (cal_is_working_day(cal, today)) {
		int64_t close = cal_close_of(cal, today);
		if (close > now)
			hours = (int)((close - now) / 3600);
	}
	if (hours > 0)
		snprintf(buf, len, "%dwd %dh", wd, hours);
	else
		snprintf(buf, len, "%dwd", wd);
}
