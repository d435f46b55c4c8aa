/* Drawing: colours (or their absence), text that is always sanitised and
 * measured in display columns, boxes, pages of text, and the RAG rule. */
#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

#include "core/calendar.h"
#include "core/money.h"
#include "core/text.h"
#include "tui/draw.h"

static int looks[LOOK_COUNT];
static bool colour;
static bool ascii_mode;

void draw_set_ascii(bool ascii)
{
	ascii_mode = ascii;
}

/* The colour pairs; looks of the same colours share one. */
enum { P_BAR = 1, P_TAB_CUR, P_RED, P_AMBER, P_GREEN, P_MATCH, P_KEY, P_TITLE };

/* Each look without colour (attributes every terminal has, vt100 included)
 * and with it: its attributes, and its pair (0: none) of fg on bg (-1: the
 * terminal's own background). */
static const struct look_def {
	int plain, coloured;
	short pair, fg, bg;
} look_defs[LOOK_COUNT] = {
	[LOOK_NORMAL] = { A_NORMAL, A_NORMAL, 0, 0, 0 },
	[LOOK_BAR] = { A_REVERSE, A_NORMAL, P_BAR, COLOR_WHITE, COLOR_BLUE },
	[LOOK_TAB] = { A_REVERSE, A_NORMAL, P_BAR, COLOR_WHITE, COLOR_BLUE },
	[LOOK_TAB_CUR] = { A_BOLD, A_BOLD, P_TAB_CUR, COLOR_BLACK, COLOR_CYAN },
	[LOOK_HEAD] = { A_BOLD | A_UNDERLINE, A_BOLD | A_UNDERLINE, 0, 0, 0 },
	[LOOK_SELECT] = { A_REVERSE, A_REVERSE, 0, 0, 0 },
	[LOOK_TITLE] = { A_BOLD, A_BOLD, P_TITLE, COLOR_CYAN, -1 },
	[LOOK_DIM] = { A_NORMAL, A_DIM, 0, 0, 0 },
	[LOOK_RED] = { A_BOLD, A_BOLD, P_RED, COLOR_RED, -1 },
	[LOOK_AMBER] = { A_NORMAL, A_BOLD, P_AMBER, COLOR_YELLOW, -1 },
	[LOOK_GREEN] = { A_NORMAL, A_NORMAL, P_GREEN, COLOR_GREEN, -1 },
	[LOOK_ERROR] = { A_BOLD, A_BOLD, P_RED, COLOR_RED, -1 },
	[LOOK_OK] = { A_NORMAL, A_NORMAL, P_GREEN, COLOR_GREEN, -1 },
	[LOOK_KEY] = { A_REVERSE | A_BOLD, A_NORMAL, P_KEY, COLOR_BLACK, COLOR_CYAN },
	[LOOK_MATCH] = { A_BOLD | A_UNDERLINE, A_NORMAL, P_MATCH, COLOR_BLACK, COLOR_YELLOW },
	[LOOK_FIELD] = { A_UNDERLINE, A_UNDERLINE, 0, 0, 0 },
	[LOOK_FIELD_CUR] = { A_REVERSE, A_REVERSE, 0, 0, 0 },
};

void draw_init_colours(bool no_color)
{
	colour = !no_color && has_colors() && start_color() == OK && COLORS >= 8 && COLOR_PAIRS > P_TITLE;
	short bg = colour && use_default_colors() == OK ? -1 : COLOR_BLACK;
	for (int i = 0; i < LOOK_COUNT; i++) {
		const struct look_def *d = &look_defs[i];
		looks[i] = colour ? d->coloured : d->plain;
		if (colour && d->pair) {
			init_pair(d->pair, d->fg, d->bg < 0 ? bg : d->bg);
			looks[i] |= (int)COLOR_PAIR(d->pair);
		}
	}
}

int draw_attr(enum tui_look look)
{
	return looks[look];
}

enum tui_look draw_rag_look(enum rag r)
{
	static const enum tui_look
		look[] = { [RAG_RED] = LOOK_RED, [RAG_AMBER] = LOOK_AMBER, [RAG_GREEN] = LOOK_GREEN };
	return (unsigned)r <= RAG_RED ? look[r] : LOOK_NORMAL;
}

/* ---- text ---- */

void draw_clean(const char *in, char *out, size_t len)
{
	text_sanitize(in ? in : "", out, len, ascii_mode);
}

/* Bytes of printable ASCII at the start of s, looking at no more than max.
 * Printable ASCII is one column a byte and sanitising leaves it as it is,
 * so most text (case references, numbers, dates, names) needs neither the
 * multibyte conversion nor the sanitiser's copy. */
static size_t plain_run(const char *s, size_t max)
{
	size_t i = 0;
	while (i < max && s[i] >= 0x20 && s[i] < 0x7f)
		i++;
	return i;
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
		size_t n = 1;
		int cw = 1;
		if ((unsigned char)s[i] >= 0x80) {
			n = mbrtowc(&wc, s + i, MB_CUR_MAX, &mb);
			if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
				n = 1;
				wc = L'?';
				memset(&mb, 0, sizeof mb);
			}
			cw = wcwidth(wc);
			if (cw < 0)
				cw = 1;
		}
		if (w + cw > width)
			break;
		w += cw;
		i += n;
	}
	if (cols)
		*cols = w;
	return i;
}

/* text as it may be drawn in width columns: itself when all that could
 * show of it (width columns and one more, to tell whether it is cut) is
 * printable ASCII; else sanitised into buf. */
static const char *drawable(const char *text, int width, char *buf, size_t len)
{
	if (!text)
		return "";
	size_t k = plain_run(text, width > 0 ? (size_t)width + 1 : 1);
	if (!text[k] || k > (size_t)(width > 0 ? width : 0))
		return text;
	draw_clean(text, buf, len);
	return buf;
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
	if (outlen == 0)
		return;
	out[0] = '\0';
	if (width <= 0)
		return;
	const char *src = drawable(s, width, clean, sizeof clean);
	int cols;
	size_t n = fit_bytes(src, width, &cols), off = 0;
	bool cut = src[n] != '\0';
	if (cut) /* room for the '~' that says so */
		n = fit_bytes(src, width - 1, &cols);
	int pad = width - cols - (cut ? 1 : 0);
	if (right)
		for (; pad > 0 && off + 1 < outlen; pad--)
			out[off++] = ' ';
	if (n > outlen - off - 1)
		n = outlen - off - 1;
	memcpy(out + off, src, n);
	off += n;
	if (cut && off + 1 < outlen)
		out[off++] = '~';
	for (; pad > 0 && off + 1 < outlen; pad--)
		out[off++] = ' ';
	out[off] = '\0';
}

/* n bytes of fitted text at y,x in attr (which attron has set too). A run
 * of printable ASCII goes into the window as cells, as addch would put
 * them but without its per-character multibyte and width look-ups. */
static void put_text(int y, int x, const char *s, size_t n, int attr)
{
	chtype cells[512];
	if (n == 0)
		return;
	if (n <= sizeof cells / sizeof cells[0] && plain_run(s, n) == n) {
		for (size_t i = 0; i < n; i++)
			cells[i] = (chtype)(unsigned char)s[i] | (chtype)attr;
		mvaddchnstr(y, x, cells, (int)n);
		return;
	}
	mvaddnstr(y, x, s, (int)n);
}

/* Blanks in the attributes set: one call for the run, not one a cell. */
static void blanks(int y, int x, int n)
{
	if (n > 0)
		mvhline(y, x, ' ', n);
}

int draw_text(int y, int x, int width, const char *text, int attr, bool pad)
{
	char clean[4096];
	if (width <= 0)
		return 0;
	const char *src = drawable(text, width, clean, sizeof clean);
	int cols;
	size_t n = fit_bytes(src, width, &cols);
	attron(attr);
	put_text(y, x, src, n, attr);
	if (pad)
		blanks(y, x + cols, width - cols);
	attroff(attr);
	return pad ? width : cols;
}

void draw_cell(int y, int x, int width, const char *text, bool right, int attr)
{
	char cell[4096];
	text_fit(text, width, right, cell, sizeof cell);
	attron(attr);
	put_text(y, x, cell, strlen(cell), attr);
	attroff(attr);
}

void draw_fill(int y, int x, int width, int attr)
{
	attron(attr);
	blanks(y, x, width);
	attroff(attr);
}

void draw_rag(int y, int x, enum rag r, int base)
{
	if (r == RAG_NONE) {
		draw_fill(y, x, 3, base);
	} else if (colour) {
		char block[4] = { ' ', rag_marker(r)[1], ' ', '\0' };
		draw_cell(y, x, 3, block, false, draw_attr(draw_rag_look(r)) | A_REVERSE);
	} else {
		draw_cell(y, x, 3, rag_marker(r), false, base);
	}
}

/* The ranks line up down a column; in a wide column they follow a name's
 * usual room, not the far edge (a longer name still reads whole). */
#define PROVIDER_NAME_ROOM 28

void provider_rank_text(const char *provider, int rank, int ranked, int width, char *out, size_t len)
{
	char of[24], name[160];
	snprintf(of, sizeof of, " %d/%d", rank, ranked);
	int room = width - (int)strlen(of);
	int want = text_width(provider) > PROVIDER_NAME_ROOM ? text_width(provider) : PROVIDER_NAME_ROOM;
	text_fit(provider, want < room ? want : room, false, name, sizeof name);
	snprintf(out, len, "%s%s", name, of);
}

void draw_hline(int y, int x, int width, bool ascii)
{
	if (width > 0)
		mvhline(y, x, ascii ? '-' : ACS_HLINE, width);
}

void draw_box(int y, int x, int h, int w, bool ascii, int attr)
{
	attron(attr);
	for (int r = 0; r < h; r++)
		mvhline(y + r, x, ' ', w);
	chtype hl = ascii ? '-' : ACS_HLINE, vl = ascii ? '|' : ACS_VLINE;
	mvhline(y, x + 1, hl, w - 2);
	mvhline(y + h - 1, x + 1, hl, w - 2);
	mvvline(y + 1, x, vl, h - 2);
	mvvline(y + 1, x + w - 1, vl, h - 2);
	mvaddch(y, x, ascii ? '+' : ACS_ULCORNER);
	mvaddch(y, x + w - 1, ascii ? '+' : ACS_URCORNER);
	mvaddch(y + h - 1, x, ascii ? '+' : ACS_LLCORNER);
	mvaddch(y + h - 1, x + w - 1, ascii ? '+' : ACS_LRCORNER);
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

void tv_addf(struct textview *tv, enum tui_look look, int width, int indent, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *text = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (!text)
		return;
	va_start(ap, fmt);
	vsnprintf(text, (size_t)n + 1, fmt, ap);
	va_end(ap);
	tv_add_wrapped(tv, look, width, indent, text);
	free(text);
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
		char clean[4096];
		if (hscroll > 0) {
			draw_clean(text, clean, sizeof clean);
			text = clean + fit_bytes(clean, hscroll, NULL);
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

void str_appendf(char *buf, size_t len, size_t *off, const char *fmt, ...)
{
	if (*off >= len)
		return;
	va_list ap;
	va_start(ap, fmt);
	int w = vsnprintf(buf + *off, len - *off, fmt, ap);
	va_end(ap);
	if (w > 0)
		*off += (size_t)w;
	if (*off >= len)
		*off = len - 1;
}

bool text_contains(const char *hay, const char *needle)
{
	if (!needle || !*needle)
		return false;
	size_t n = strlen(needle);
	for (const char *p = hay; p && *p; p++)
		if (strncasecmp(p, needle, n) == 0)
			return true;
	return false;
}

bool tv_matches(const struct textview *tv, int row, const char *needle)
{
	return row >= 0 && row < tv->n && text_contains(tv->v[row].text, needle);
}

/* ---- times in list columns ---- */

void when_format(int64_t t, enum when_style style, char *buf, size_t len)
{
	if (style == WHEN_NUMERIC) {
		int32_t day;
		int minute;
		cal_local(t, &day, &minute);
		struct cal_date d = cal_civil_from_days(day);
		snprintf(buf, len, "%02d/%02d %02d:%02d", d.day, d.month, minute / 60, minute % 60);
		return;
	}
	/* The words are the calendar's own: "Mon 2 Mar 2026 10:00", taken apart. */
	char full[48], wday[16], day[16], mon[16], year[16], hm[16];
	cal_format_local(t, full, sizeof full);
	if (sscanf(full, "%15s %15s %15s %15s %15s", wday, day, mon, year, hm) != 5) {
		snprintf(buf, len, "%s", full);
		return;
	}
	size_t yl = strlen(year);
	switch (style) {
	case WHEN_DAY:
		snprintf(buf, len, "%s %s %s %s", wday, day, mon, hm);
		break;
	case WHEN_YEAR:
		snprintf(buf, len, "%s %s %s %s", day, mon, year + (yl > 2 ? yl - 2 : 0), hm);
		break;
	default:
		snprintf(buf, len, "%s %s %s", day, mon, hm);
		break;
	}
}

const char *money_text(int64_t pence)
{
	static char buf[8][48];
	static int turn;
	turn = (turn + 1) % 8;
	money_format(pence, ascii_mode, buf[turn], sizeof buf[turn]);
	return buf[turn];
}

/* ---- the RAG marker ---- */

const char *rag_marker(enum rag r)
{
	static const char
		*const marker[] = { [RAG_NONE] = "   ", [RAG_GREEN] = "[G]", [RAG_AMBER] = "[A]", [RAG_RED] = "[R]" };
	return (unsigned)r <= RAG_RED ? marker[r] : "   ";
}
