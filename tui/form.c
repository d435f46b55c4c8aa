/* Forms: fields checked as they are typed and left, with the reason next
 * to the field, and everything typed kept when the core refuses. Also the
 * line editor the prompts share. */
#include <curses.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

#include "tui/app.h"
#include "tui/draw.h"
#include "tui/form.h"
#include "tui/keymap.h"

/* ---- line editing ---- */

static bool is_cont(unsigned char b)
{
	return (b & 0xC0) == 0x80;
}

bool le_key(struct lineedit *le, int key)
{
	size_t len = strlen(le->buf);
	key = key_normalize(key);
	switch (key) {
	case TK_FN + KEY_LEFT:
		while (le->cur > 0 && is_cont((unsigned char)le->buf[--le->cur]))
			;
		return true;
	case TK_FN + KEY_RIGHT:
		if (le->cur < len)
			for (le->cur++; le->cur < len && is_cont((unsigned char)le->buf[le->cur]); le->cur++)
				;
		return true;
	case TK_FN + KEY_HOME:
	case TK_CTRL('a'):
		le->cur = 0;
		return true;
	case TK_FN + KEY_END:
	case TK_CTRL('e'):
		le->cur = len;
		return true;
	case TK_FN + KEY_BACKSPACE: {
		if (le->cur == 0)
			return true;
		size_t start = le->cur;
		while (start > 0 && is_cont((unsigned char)le->buf[--start]))
			;
		memmove(le->buf + start, le->buf + le->cur, len - le->cur + 1);
		le->cur = start;
		return true;
	}
	case TK_FN + KEY_DC:
	case TK_CTRL('d'): {
		if (le->cur >= len)
			return true;
		size_t end = le->cur + 1;
		while (end < len && is_cont((unsigned char)le->buf[end]))
			end++;
		memmove(le->buf + le->cur, le->buf + end, len - end + 1);
		return true;
	}
	case TK_CTRL('u'):
		le->buf[0] = '\0';
		le->cur = 0;
		return true;
	default:
		break;
	}
	if (key < ' ' || key >= TK_FN || key == 127 || !iswprint((wint_t)key))
		return false;
	char mb[MB_LEN_MAX + 1];
	mbstate_t st;
	memset(&st, 0, sizeof st);
	size_t n = wcrtomb(mb, (wchar_t)key, &st);
	if (n == (size_t)-1 || n == 0)
		return true;
	if (len + n + 1 > le->cap)
		return true; /* full: the key is used, nothing added */
	memmove(le->buf + le->cur + n, le->buf + le->cur, len - le->cur + 1);
	memcpy(le->buf + le->cur, mb, n);
	le->cur += n;
	return true;
}

int le_draw(const struct lineedit *le, int y, int x, int width, int attr)
{
	/* Show the part that holds the cursor, from a character boundary. */
	size_t start = 0;
	char before[FORM_VALUE_MAX];
	for (;;) {
		size_t n = le->cur - start;
		if (n >= sizeof before)
			n = sizeof before - 1;
		memcpy(before, le->buf + start, n);
		before[n] = '\0';
		if (text_width(before) < width || start >= le->cur)
			break;
		start++;
		while (start < le->cur && is_cont((unsigned char)le->buf[start]))
			start++;
	}
	draw_text(y, x, width, le->buf + start, attr, true);
	return x + text_width(before);
}

/* ---- forms ---- */

struct form *form_create(const char *title, form_submit_fn submit)
{
	struct form *f = calloc(1, sizeof *f);
	if (!f)
		return NULL;
	snprintf(f->title, sizeof f->title, "%s", title);
	f->submit = submit;
	return f;
}

struct form_field *form_add(struct form *f, enum field_kind kind, const char *label, const char *check,
                            const char *hint, bool required)
{
	if (f->n >= FORM_MAX_FIELDS)
		return NULL;
	struct form_field *ff = &f->field[f->n++];
	memset(ff, 0, sizeof *ff);
	ff->kind = kind;
	ff->label = label;
	ff->check = check;
	ff->hint = hint ? hint : "";
	ff->required = required;
	return ff;
}

void form_fields(struct form *f, const struct field_spec *spec, int n)
{
	for (int i = 0; i < n; i++)
		form_add(f, spec[i].kind, spec[i].label, spec[i].check, spec[i].hint, spec[i].required);
}

void form_choice(struct form_field *ff, const char *choice)
{
	char **v = realloc(ff->choices, ((size_t)ff->n_choices + 1) * sizeof *v);
	if (!v)
		return;
	ff->choices = v;
	if ((v[ff->n_choices] = strdup(choice)))
		ff->n_choices++;
}

void form_choices(struct form_field *ff, ...)
{
	va_list ap;
	va_start(ap, ff);
	for (const char *c; ff && (c = va_arg(ap, const char *));)
		form_choice(ff, c);
	va_end(ap);
}

static void form_free(struct form *f)
{
	if (!f)
		return;
	for (int i = 0; i < f->n; i++) {
		for (int k = 0; k < f->field[i].n_choices; k++)
			free(f->field[i].choices[k]);
		free(f->field[i].choices);
	}
	if (f->free_data)
		f->free_data(f->data);
	else
		free(f->data);
	free(f);
}

void form_set(struct form_field *ff, const char *value)
{
	if (ff->kind == FIELD_CHOICE) {
		for (int i = 0; i < ff->n_choices; i++)
			if (strcmp(ff->choices[i], value) == 0)
				ff->choice = i;
	} else if (ff->kind == FIELD_CHECK) {
		ff->on = value && *value;
	} else {
		snprintf(ff->value, sizeof ff->value, "%s", value ? value : "");
		ff->cur = strlen(ff->value);
	}
}

const char *form_value(const struct form *f, int i)
{
	const struct form_field *ff = &f->field[i];
	if (ff->kind == FIELD_CHOICE)
		return ff->n_choices ? ff->choices[ff->choice] : "";
	if (ff->kind == FIELD_CHECK)
		return ff->on ? "yes" : "";
	return ff->value;
}

const char *form_changed(const struct form *f, int i)
{
	const char *v = form_value(f, i);
	return strcmp(v, f->field[i].original) == 0 ? NULL : v;
}

static bool check_field(struct tui *t, struct form *f, int i)
{
	struct form_field *ff = &f->field[i];
	const char *v = form_value(f, i);
	ff->error[0] = '\0';
	if (ff->kind == FIELD_CHECK)
		return true;
	if (!*v) {
		if (ff->required)
			snprintf(ff->error, sizeof ff->error, "required");
		return !ff->required;
	}
	if (ff->own_check && !ff->own_check(t, v, ff->error, sizeof ff->error))
		return false;
	return !ff->check || bk_check_field(t->ctx, ff->check, v, ff->error, sizeof ff->error);
}

/* The field left is checked. */
static void focus_move(struct tui *t, struct form *f, int by)
{
	f->field[f->focus].visited = true;
	check_field(t, f, f->focus);
	f->focus = (f->focus + by + f->n) % f->n;
}

/* Every field checked, the focus on the first one wrong; else submitted. */
static void save(struct tui *t, struct screen *s)
{
	struct form *f = s->st;
	int first_bad = -1;
	f->message[0] = '\0';
	for (int i = 0; i < f->n; i++) {
		f->field[i].visited = true;
		if (!check_field(t, f, i) && first_bad < 0)
			first_bad = i;
	}
	if (first_bad >= 0) {
		f->focus = first_bad;
		snprintf(f->message, sizeof f->message, "%s: %s", f->field[first_bad].label, f->field[first_bad].error);
		return;
	}
	tui_clock(t);
	if (!f->submit(t, f))
		return;
	struct detail_arg a = { f->open_after };
	tui_pop(t); /* f is freed */
	if (a.referral_id && t->depth)
		tui_push(t, SCR_DETAIL, &a);
}

/* ---- the form as a screen ---- */

static bool form_screen_open(struct tui *t, struct screen *s, void *arg)
{
	(void)t;
	s->st = arg;
	return true;
}

static void form_screen_close(struct screen *s)
{
	form_free(s->st);
	s->st = NULL;
}

static bool form_screen_dirty(const struct screen *s)
{
	const struct form *f = s->st;
	return f && f->dirty;
}

static void edited(struct tui *t, struct form *f)
{
	struct form_field *ff = &f->field[f->focus];
	/* Changed only while some field differs from what the form opened
	 * with: typed and taken back again, there is nothing to lose. */
	f->dirty = false;
	for (int i = 0; i < f->n && !f->dirty; i++)
		f->dirty = form_changed(f, i) != NULL;
	/* As typed: a field already marked wrong is checked again, so the mark
	 * goes as soon as it is right. */
	if (ff->error[0])
		check_field(t, f, f->focus);
}

/* A key for the focused field: typed, or one of the editing keys of
 * actions.def (each the key it is named for). */
static void field_key(struct tui *t, struct form *f, int key)
{
	struct form_field *ff = &f->field[f->focus];
	bool left = key == TK_FN + KEY_LEFT, right = key == TK_FN + KEY_RIGHT;
	if (ff->kind == FIELD_CHECK) {
		/* A yes/no changes only by y, n or Left/Right: a stray Space (or
		 * any other typed key) changes nothing and says what does. */
		bool yes = key == 'y' || key == 'Y', no = key == 'n' || key == 'N';
		if (!yes && !no && !left && !right) {
			if (key >= ' ' && key < TK_FN)
				snprintf(f->message, sizeof f->message,
				         "%s is a yes/no: y or n (or Left/Right) changes it", ff->label);
			return;
		}
		f->message[0] = '\0';
		ff->on = yes || (!no && !ff->on);
		edited(t, f);
		return;
	}
	if (ff->kind == FIELD_CHOICE) {
		/* A typed letter or digit picks the next choice that starts with it, as in a pick list. */
		int n = ff->n_choices, i = choose_jump((const char *const *)ff->choices, n, ff->choice, key);
		if (!n)
			return;
		if (left || key == TK_FN + KEY_BACKSPACE)
			i = (ff->choice + n - 1) % n;
		else if (right)
			i = (ff->choice + 1) % n;
		else if (key == TK_FN + KEY_HOME)
			i = 0;
		else if (key == TK_FN + KEY_END)
			i = n - 1;
		if (i >= 0) {
			ff->choice = i;
			edited(t, f);
		}
		return;
	}
	struct lineedit le = { ff->value, sizeof ff->value, ff->cur };
	le_key(&le, key);
	ff->cur = le.cur;
	edited(t, f);
}

static bool form_screen_input(struct tui *t, struct screen *s, int key)
{
	struct form *f = s->st;
	if (key < ' ' || key >= TK_FN || key == 127)
		return false;
	/* Where nothing can be typed, ? is the help, as F1 is; in a text field
	 * it is a character. */
	if (key == '?' && f->field[f->focus].kind != FIELD_TEXT)
		return false;
	field_key(t, f, key);
	return true;
}

/* The lines under a field: its error, else its hint when it is focused or
 * not yet visited, wrapped whole (never cut); at least one line. */
static int field_below(struct tui *t, const struct form_field *ff, bool focused, int width, struct textview *tv)
{
	tv_clear(tv);
	if (ff->error[0]) {
		tv_addf(tv, LOOK_ERROR, width, 2, "%s %s", t->ascii ? "!" : "\u2716", ff->error);
	} else if (focused || !ff->visited) {
		tv_add_wrapped(tv, LOOK_DIM, width, 2, ff->hint);
	}
	return tv->n > 1 ? tv->n : 1;
}

static void form_screen_draw(struct tui *t, struct screen *s, int y, int h)
{
	struct form *f = s->st;
	for (int r = 0; r < h; r++)
		draw_fill(y + r, 0, COLS, A_NORMAL);
	int row = y;
	draw_text(row++, 2, COLS - 4, f->intro[0] ? f->intro : f->title, draw_attr(LOOK_TITLE), false);
	row++;
	int label_w = 20;
	int field_w = COLS - label_w - 6;
	if (field_w > 60)
		field_w = 60;
	int fx = label_w + 3;
	/* The message at the foot, wrapped whole: up to three lines. */
	struct textview msg = { 0 };
	if (f->message[0])
		tv_add_wrapped(&msg, LOOK_ERROR, COLS - 4, 2, f->message);
	int msg_lines = msg.n > 3 ? 3 : msg.n;
	int bottom = y + h - 1 - (msg_lines ? msg_lines : 1); /* the save line */
	/* A field takes its line and the lines under it; scroll so the focused
	 * one shows whole. */
	struct textview below[FORM_MAX_FIELDS] = { 0 };
	int heights[FORM_MAX_FIELDS], first = 0, used = 0;
	for (int i = 0; i < f->n; i++)
		heights[i] = 1 + field_below(t, &f->field[i], i == f->focus, COLS - fx - 1, &below[i]);
	for (int i = 0; i <= f->focus; i++)
		used += heights[i];
	while (first < f->focus && used > bottom - row)
		used -= heights[first++];
	int cur_y = -1, cur_x = 0;
	for (int i = first; i < f->n && row + 1 < bottom; i++) {
		struct form_field *ff = &f->field[i];
		bool focused = i == f->focus;
		char label[64];
		snprintf(label, sizeof label, "%s%s", ff->label, ff->required ? " *" : "");
		char fitted[128];
		text_fit(label, label_w, true, fitted, sizeof fitted);
		draw_text(row, 1, label_w, fitted, focused ? draw_attr(LOOK_TITLE) : (int)A_NORMAL, true);
		int attr = draw_attr(focused ? LOOK_FIELD_CUR : LOOK_FIELD);
		if (ff->kind == FIELD_TEXT) {
			struct lineedit le = { ff->value, sizeof ff->value, ff->cur };
			int cx = le_draw(&le, row, fx, field_w, attr);
			if (focused) {
				cur_y = row;
				cur_x = cx;
			}
		} else {
			/* a list, or a yes/no: the choice between arrows */
			char v[128];
			const char *now = ff->kind == FIELD_CHECK ? (ff->on ? "yes" : "no")
			                  : ff->n_choices         ? ff->choices[ff->choice]
			                                          : "";
			snprintf(v, sizeof v, "%s %s", t->ascii ? "<" : "\u2039", now);
			bool yes_no = ff->kind == FIELD_CHECK;
			int w = draw_text(row, fx, (yes_no ? 8 : field_w) - 2, v, attr, !yes_no);
			draw_text(row, fx + w, 2, t->ascii ? " >" : " \u203a", attr, true);
		}
		for (int k = 0; k < below[i].n && row + 1 + k < bottom; k++)
			draw_text(row + 1 + k, fx, COLS - fx - 1, below[i].v[k].text, draw_attr(below[i].v[k].look),
			          false);
		row += heights[i];
	}
	char save_line[160];
	snprintf(save_line, sizeof save_line, "F2 or Ctrl-S %s%s.  Esc leaves%s.", f->done ? f->done : "saves",
	         f->focus == f->n - 1 ? " (or Enter here)" : "", f->dirty ? " (asks first)" : "");
	draw_text(bottom, 2, COLS - 4, save_line, draw_attr(LOOK_DIM), false);
	for (int k = 0; k < msg_lines; k++)
		draw_text(bottom + 1 + k, 2, COLS - 4, msg.v[k].text, draw_attr(LOOK_ERROR), true);
	tv_clear(&msg);
	for (int i = 0; i < f->n; i++)
		tv_clear(&below[i]);
	if (cur_y >= 0) {
		move(cur_y, cur_x);
		curs_set(1);
	} else {
		curs_set(0);
	}
}

static void form_screen_context(struct tui *t, const struct screen *s, char *buf, size_t len)
{
	(void)t;
	const struct form *f = s->st;
	snprintf(buf, len, "%s%s", f->title, f->dirty ? "  (changed, not saved)" : "");
}

const struct screen_ops screen_form_ops = {
	.id = SCR_FORM,
	.open = form_screen_open,
	.close = form_screen_close,
	.draw = form_screen_draw,
	.input = form_screen_input,
	.context = form_screen_context,
	.dirty = form_screen_dirty,
};

bool form_open(struct tui *t, struct form *f)
{
	if (!f)
		return false;
	for (int i = 0; i < f->n; i++)
		str_copy(f->field[i].original, sizeof f->field[i].original, form_value(f, i));
	if (!tui_push(t, SCR_FORM, f)) {
		form_free(f);
		return false;
	}
	return true;
}

/* ---- the form's keys (actions.def) ---- */

ACTION_FN(act_field_next, focus_move(t, s->st, 1));

ACTION_FN(act_field_prev, focus_move(t, s->st, -1));

void act_field_enter(struct tui *t, struct screen *s)
{
	struct form *f = s->st;
	if (f->focus == f->n - 1)
		save(t, s);
	else
		focus_move(t, f, 1);
}

/* The editing keys of actions.def, each the key it is named for. */
ACTION_FN(act_field_left, field_key(t, s->st, TK_FN + KEY_LEFT));
ACTION_FN(act_field_right, field_key(t, s->st, TK_FN + KEY_RIGHT));
ACTION_FN(act_field_home, field_key(t, s->st, TK_FN + KEY_HOME));
ACTION_FN(act_field_end, field_key(t, s->st, TK_FN + KEY_END));
ACTION_FN(act_field_erase, field_key(t, s->st, TK_FN + KEY_BACKSPACE));
ACTION_FN(act_field_delete, field_key(t, s->st, TK_FN + KEY_DC));
ACTION_FN(act_field_clear, field_key(t, s->st, TK_CTRL('u')));

ACTION_FN(act_save, save(t, s));
