/* Reports (tab 5): the list of reports, a small form of the parameters the
 * chosen one takes, and the table it returns. Every part of the table is
 * shown in turn, columns aligned by type, the first column frozen while the
 * others scroll left and right, the headings of the part kept in view while
 * its rows scroll, and the whole exported to CSV or JSON by the same writers
 * the command line uses, so a file from here equals `brokerage report ...`. */
#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/report.h"
#include "core/text.h"
#include "tui/listview.h"

#define MAX_REPORTS 16
#define GAP 2 /* columns between two table columns */
#define MAX_COL_WIDTH 40

/* ---- the parameters a report may take ---- */

enum param { P_ON, P_FROM, P_TO, P_BY, P_WEEK, P_FY, P_COUNT };

static bool check_date(struct tui *t, const char *value, char *err, size_t len);
static bool check_year(struct tui *t, const char *value, char *err, size_t len);

static const struct param_desc {
	const char *key; /* as bk_report_info.params names it, and the option */
	const char *label;
	const char *hint;
	enum field_kind kind;
	bool (*check)(struct tui *t, const char *value, char *err, size_t len);
} params[P_COUNT] = {
	[P_ON] = { "on", "On", "YYYY-MM-DD: as things stood on that day", FIELD_TEXT, check_date },
	[P_FROM] = { "from", "From", "YYYY-MM-DD: the first day counted", FIELD_TEXT, check_date },
	[P_TO] = { "to", "To", "YYYY-MM-DD: the last day counted", FIELD_TEXT, check_date },
	[P_BY] = { "by", "Grouped by", "Left/Right: all together, or by month, lot or district", FIELD_CHOICE, NULL },
	[P_WEEK] = { "week", "Week of", "YYYY-MM-DD: any day of the week (Monday to Sunday)", FIELD_TEXT, check_date },
	[P_FY] = { "fy", "Financial year", "the year it starts: 2025 is April 2025 to March 2026", FIELD_TEXT,
	           check_year },
};

static const char *const by_choices[] = { "all together", "month", "lot", "district" };

static bool check_date(struct tui *t, const char *value, char *err, size_t len)
{
	(void)t;
	int32_t day;
	return cal_parse_date(value, &day, err, len);
}

static bool check_year(struct tui *t, const char *value, char *err, size_t len)
{
	(void)t;
	char *end;
	long y = strtol(value, &end, 10);
	if (*end || end == value || y < 1990 || y > 2200) {
		snprintf(err, len,
		         "\"%.20s\" is not a year: write the year the financial year starts in, e.g. 2025 for "
		         "April 2025 to March 2026",
		         value);
		return false;
	}
	return true;
}

/* Does the report take this parameter? (info->params: "from to by") */
static bool takes(const struct bk_report_info *info, enum param p)
{
	size_t n = strlen(params[p].key);
	for (const char *q = info->params; (q = strstr(q, params[p].key)) != NULL; q += n)
		if ((q == info->params || q[-1] == ' ') && (q[n] == '\0' || q[n] == ' '))
			return true;
	return false;
}

/* The default of a parameter: today, the current financial year, the last
 * full month, this week's Monday; "" for by (all together). */
static void param_default(const struct bk_ctx *ctx, enum param p, char *buf, size_t len)
{
	int32_t today;
	cal_local(ctx->now, &today, NULL);
	struct cal_date d = cal_civil_from_days(today);
	int32_t this_month = cal_days_from_civil(d.year, d.month, 1);
	buf[0] = '\0';
	switch (p) {
	case P_ON:
		cal_format_date(today, buf, len);
		break;
	case P_FROM:
		cal_format_date(d.month == 1 ? cal_days_from_civil(d.year - 1, 12, 1)
		                             : cal_days_from_civil(d.year, d.month - 1, 1),
		                buf, len);
		break;
	case P_TO:
		cal_format_date(this_month - 1, buf, len);
		break;
	case P_WEEK:
		cal_format_date(today - cal_weekday(today), buf, len);
		break;
	case P_FY:
		snprintf(buf, len, "%d", d.month >= 4 ? d.year : d.year - 1);
		break;
	case P_BY:
	case P_COUNT:
		break;
	}
}

/* ---- the list of reports ---- */

struct reports {
	struct listview lv; /* first: the list view's ops read it */
	const char *names[MAX_REPORTS];
	int n;
	int chosen; /* the report whose parameters the form asks for */
};

static const struct bk_report_info *info_at(const struct reports *rs, int i)
{
	return i >= 0 && i < rs->n ? bk_report_info(rs->names[i]) : NULL;
}

/* a row of the list: the report's place in names */
struct rrow {
	int64_t index;
};

static bool load_all(void *ud, struct lv_window *all)
{
	struct reports *rs = ud;
	for (int i = 0; i < rs->n; i++) {
		struct rrow *r = lv_window_put(all);
		if (!r)
			return false;
		r->index = i;
	}
	return true;
}

static int64_t rrow_id(const void *row)
{
	return ((const struct rrow *)row)->index + 1;
}

static void cell_title(void *ud, const void *row, struct lv_cell *c)
{
	const struct bk_report_info *info = info_at(ud, (int)((const struct rrow *)row)->index);
	str_copy(c->buf, c->len, info ? info->title : "");
}

static void cell_what(void *ud, const void *row, struct lv_cell *c)
{
	const struct bk_report_info *info = info_at(ud, (int)((const struct rrow *)row)->index);
	str_copy(c->buf, c->len, info ? info->description : "");
}

static const struct lv_column columns[] = {
	{ "REPORT", 18, 20, LV_TEXT, false, 0, 0, cell_title, NULL, false },
	{ "WHAT IT SHOWS", 20, 60, LV_TEXT, false, 1, 0, cell_what, NULL, false },
};

static struct reports *matching_list; /* lv_spec.matches has no context */

static bool row_matches(const void *row, const char *needle)
{
	const struct bk_report_info *info = info_at(matching_list, (int)((const struct rrow *)row)->index);
	return info && (text_contains(info->title, needle) || text_contains(info->name, needle) ||
	                text_contains(info->description, needle));
}

static const struct lv_spec spec = {
	.row_size = sizeof(struct rrow),
	.id = rrow_id,
	.load_all = load_all,
	.matches = row_matches,
	.cols = columns,
	.ncols = (int)(sizeof columns / sizeof columns[0]),
	.empty = "No reports.",
};

static bool list_open(struct tui *t, struct screen *s, void *arg)
{
	(void)arg;
	struct reports *rs = calloc(1, sizeof *rs);
	if (!rs) {
		tui_message(t, true, "Out of memory");
		return false;
	}
	const char *const *names = bk_report_names();
	for (int i = 0; names[i] && rs->n < MAX_REPORTS; i++)
		if (bk_report_info(names[i]))
			rs->names[rs->n++] = names[i];
	s->st = rs;
	matching_list = rs;
	lv_init(&rs->lv, &spec, rs, SCR_REPORTS);
	lv_reload(&rs->lv, 0);
	lv_to_screen(&rs->lv, s);
	return true;
}

static void list_close(struct screen *s)
{
	struct reports *rs = s->st;
	if (rs)
		lv_finish(&rs->lv);
	if (matching_list == rs)
		matching_list = NULL;
	free(rs);
	s->st = NULL;
}

/* "on (default 2026-11-20)", "from (default 2026-10-01), to (default ...)" */
static void defaults_text(const struct tui *t, const struct bk_report_info *info, char *buf, size_t len)
{
	size_t off = 0;
	buf[0] = '\0';
	for (int p = 0; p < P_COUNT && off < len; p++) {
		if (!takes(info, (enum param)p))
			continue;
		char v[32];
		param_default(t->ctx, (enum param)p, v, sizeof v);
		int w = snprintf(buf + off, len - off, "%s%s (default %s)", off ? ", " : "", params[p].key,
		                 v[0] ? v : "all together");
		if (w < 0)
			break;
		off += (size_t)w;
	}
}

static void list_draw(struct tui *t, struct screen *s, int y, int h)
{
	struct reports *rs = s->st;
	for (int r = 0; r < h; r++)
		draw_fill(y + r, 0, COLS, A_NORMAL);
	int list_h = rs->n + 1 < h / 2 ? rs->n + 1 : h / 2;
	lv_draw(t, s, y, list_h);
	int row = y + list_h;
	/* The one under the cursor in full: what it shows, what it asks, the
	 * same report on the command line. */
	const struct bk_report_info *info = info_at(rs, s->cursor);
	if (!info)
		return;
	row++;
	if (row >= y + h)
		return;
	char head[160];
	snprintf(head, sizeof head, " %s ", info->title);
	draw_hline(row, 1, COLS - 2, t->ascii);
	draw_text(row, 3, COLS - 6, head, draw_attr(LOOK_TITLE), false);
	row++;
	struct textview tv = { 0 };
	char line[1024], defaults[256];
	snprintf(line, sizeof line, "Shows %s.", info->description);
	tv_add_wrapped(&tv, LOOK_NORMAL, COLS - 4, 0, line);
	defaults_text(t, info, defaults, sizeof defaults);
	snprintf(line, sizeof line, "Parameters: %s.", defaults);
	tv_add_wrapped(&tv, LOOK_NORMAL, COLS - 4, 2, line);
	snprintf(line, sizeof line, "Command line: brokerage report %s [--csv FILE|-] [--json]", info->usage);
	tv_add_wrapped(&tv, LOOK_DIM, COLS - 4, 2, line);
	tv_add(&tv, LOOK_NORMAL, "%s", "");
	tv_add_wrapped(&tv, LOOK_DIM, COLS - 4, 0,
	               "Enter asks its parameters, then shows the table; there Left/Right scroll the columns and e "
	               "exports it as CSV or JSON.");
	for (int i = 0; i < tv.n && row < y + h; i++, row++)
		draw_text(row, 2, COLS - 4, tv.v[i].text, draw_attr(tv.v[i].look), false);
	tv_clear(&tv);
}

static void list_context(struct tui *t, const struct screen *s, char *buf, size_t len)
{
	(void)t;
	const struct reports *rs = s->st;
	snprintf(buf, len, "Reports: %d; Enter chooses one, then its parameters", rs->n);
}

const struct screen_ops screen_reports_ops = {
	.id = SCR_REPORTS,
	.open = list_open,
	.close = list_close,
	.draw = list_draw,
	.rows = lv_rows,
	.matches = lv_matches,
	.context = list_context,
	.cursor_rows = true,
};

/* ---- the parameter form ---- */

/* What the form hands the table view. */
struct report_arg {
	const char *name;
	const char *value[P_COUNT]; /* NULL: the report's default */
	struct bk_table *table;     /* the view owns it from open on */
};

static struct reports *reports_screen(struct tui *t)
{
	for (int i = 0; i < t->depth; i++)
		if (t->stack[i].ops->id == SCR_REPORTS)
			return t->stack[i].st;
	return NULL;
}

static int param_of_field(const struct form_field *ff)
{
	for (int p = 0; p < P_COUNT; p++)
		if (ff->label == params[p].label)
			return p;
	return -1;
}

/* A refusal of the core ("--from: ...", "--fy takes ...") next to its field. */
static void refusal_on_field(struct form *f, const char *msg)
{
	snprintf(f->message, sizeof f->message, "Not run: %.900s", msg);
	if (strncmp(msg, "--", 2) != 0)
		return;
	for (int i = 0; i < f->n; i++) {
		int p = param_of_field(&f->field[i]);
		if (p < 0)
			continue;
		size_t n = strlen(params[p].key);
		if (strncmp(msg + 2, params[p].key, n) != 0 || (msg[2 + n] != ':' && msg[2 + n] != ' '))
			continue;
		const char *why = msg + 2 + n;
		if (*why == ':')
			why++;
		while (*why == ' ')
			why++;
		snprintf(f->field[i].error, sizeof f->field[i].error, "%.300s", msg[2 + n] == ':' ? why : msg);
		f->focus = i;
		return;
	}
}

static bool params_submit(struct tui *t, struct form *f)
{
	struct reports *rs = reports_screen(t);
	const struct bk_report_info *info = rs ? info_at(rs, rs->chosen) : NULL;
	if (!info) {
		snprintf(f->message, sizeof f->message, "Not run: the Reports screen is not open");
		return false;
	}
	struct report_arg a = { .name = info->name };
	int from_field = -1;
	for (int i = 0; i < f->n; i++) {
		int p = param_of_field(&f->field[i]);
		if (p < 0)
			continue;
		const char *v = form_value(f, i);
		if (p == P_BY && f->field[i].choice == 0)
			v = NULL;
		a.value[p] = v && *v ? v : NULL;
		if (p == P_FROM)
			from_field = i;
	}
	int32_t from, to;
	if (from_field >= 0 && a.value[P_FROM] && a.value[P_TO] && cal_parse_date(a.value[P_FROM], &from, NULL, 0) &&
	    cal_parse_date(a.value[P_TO], &to, NULL, 0) && from > to) {
		struct form_field *ff = &f->field[from_field];
		snprintf(ff->error, sizeof ff->error, "after the To date (%.12s): the period runs From to To",
		         a.value[P_TO]);
		f->focus = from_field;
		snprintf(f->message, sizeof f->message, "From: %s", ff->error);
		return false;
	}
	struct bk_report_params p = {
		.on = a.value[P_ON],
		.from = a.value[P_FROM],
		.to = a.value[P_TO],
		.by = a.value[P_BY],
		.week = a.value[P_WEEK],
		.fy = a.value[P_FY],
	};
	t->ctx->msg[0] = '\0';
	enum bk_status st = bk_report(t->ctx, info->name, &p, &a.table);
	if (st != BK_OK) {
		refusal_on_field(f, t->ctx->msg[0] ? t->ctx->msg : bk_status_name(st));
		return false;
	}
	f->message[0] = '\0';
	if (tui_push(t, SCR_REPORT, &a)) {
		/* What was typed has been used: leaving the form loses nothing. */
		f->dirty = false;
		tui_message(t, false, "%s", "q goes back to the parameters; e exports the report");
	}
	/* The form stays under the table, so q from the table comes back to it. */
	return false;
}

static void open_params(struct tui *t, struct reports *rs)
{
	const struct bk_report_info *info = info_at(rs, rs->chosen);
	if (!info)
		return;
	char title[128];
	snprintf(title, sizeof title, "Report: %s", info->title);
	struct form *f = form_create(title, params_submit);
	if (!f) {
		tui_message(t, true, "Out of memory");
		return;
	}
	snprintf(f->intro, sizeof f->intro, "%s: its parameters (F2 shows the report; Esc goes back)", info->title);
	for (int p = 0; p < P_COUNT; p++) {
		if (!takes(info, (enum param)p))
			continue;
		struct form_field *ff = form_add(f, params[p].kind, params[p].label, NULL, params[p].hint,
		                                 params[p].kind == FIELD_TEXT);
		if (!ff)
			break;
		ff->own_check = params[p].check;
		if (params[p].kind == FIELD_CHOICE) {
			for (size_t k = 0; k < sizeof by_choices / sizeof by_choices[0]; k++)
				form_choice(ff, by_choices[k]);
			form_set(ff, by_choices[0]);
		} else {
			char v[32];
			param_default(t->ctx, (enum param)p, v, sizeof v);
			form_set(ff, v);
		}
	}
	form_open(t, f);
}

void act_report_choose(struct tui *t, struct screen *s)
{
	struct reports *rs = s->st;
	if (!info_at(rs, s->cursor)) {
		tui_message(t, true, "No report here to choose");
		return;
	}
	rs->chosen = s->cursor;
	tui_clock(t);
	open_params(t, rs);
}

/* ---- the table ---- */

enum vline_kind {
	VL_BLANK,
	VL_TITLE,   /* a further part's title */
	VL_GROUP,   /* group names over their columns */
	VL_HEAD1,   /* the first line of two-line headings */
	VL_HEAD2,   /* the headings */
	VL_RULE,    /* before a run of total rows */
	VL_ROW,     /* a data or total row */
	VL_SECTION, /* a section row: its name across the line */
	VL_NOTE,    /* a line of a wrapped note */
	VL_EMPTY,   /* a part without rows */
};

struct vline {
	enum vline_kind kind;
	int part, row;
	char *text; /* VL_NOTE */
};

struct vpart {
	const struct bk_table *t;
	int *nat;   /* natural widths: the widest cell, the heading on at most two lines */
	int *w;     /* as laid out for the screen's width */
	int *split; /* byte where a heading goes onto its second line; -1 when it does not */
	bool groups, two_lines;
	int head_first, n_head; /* the heading lines, kept in view while the rows scroll */
	int maxoff;             /* the most columns that scrolling right may skip */
};

struct view {
	const struct bk_report_info *info;
	char *value[P_COUNT];
	struct bk_table *table;
	struct vpart *parts;
	int n_parts;
	struct vline *lines;
	int n_lines, cap_lines;
	int laid_cols; /* the width the lines were laid out for; 0: lay out again */
	int max_head;
	int maxoff;
	bool failed;
};

static void cell_text(const struct bk_table *t, int row, int col, bool ascii, char *buf, size_t len)
{
	char raw[512];
	bk_table_cell_text(t, row, col, false, ascii, raw, sizeof raw);
	draw_clean(raw, buf, len);
}

static bool right_aligned(const struct bk_table *t, int col)
{
	return t->cols[col].type != BK_COL_TEXT;
}

/* Where to break a heading onto two lines so that it is narrowest; its
 * width (either line) in *width. -1 when one line is narrowest. */
static int best_split(const char *label, int *width)
{
	char clean[256];
	draw_clean(label, clean, sizeof clean);
	int whole = text_width(clean), at = -1;
	*width = whole;
	for (size_t i = 0; clean[i]; i++) {
		if (clean[i] != ' ')
			continue;
		char left[256];
		memcpy(left, clean, i);
		left[i] = '\0';
		int lw = text_width(left), rw = text_width(clean + i + 1);
		int w = lw > rw ? lw : rw;
		if (w < *width) {
			*width = w;
			at = (int)i;
		}
	}
	return at;
}

static void part_measure(struct vpart *vp, bool ascii, bool *failed)
{
	const struct bk_table *t = vp->t;
	int n = t->n_cols ? t->n_cols : 1;
	vp->nat = calloc((size_t)n, sizeof *vp->nat);
	vp->w = calloc((size_t)n, sizeof *vp->w);
	vp->split = calloc((size_t)n, sizeof *vp->split);
	if (!vp->nat || !vp->w || !vp->split) {
		*failed = true;
		return;
	}
	char buf[512];
	for (int c = 0; c < t->n_cols; c++) {
		int cells = 1;
		for (int r = 0; r < t->n_rows; r++) {
			if (t->rows[r].kind == BK_ROW_SECTION)
				continue; /* drawn across the line */
			cell_text(t, r, c, ascii, buf, sizeof buf);
			int w = text_width(buf);
			if (w > cells)
				cells = w;
		}
		char label[256];
		draw_clean(t->cols[c].label, label, sizeof label);
		int whole = text_width(label), two;
		int at = best_split(t->cols[c].label, &two);
		vp->split[c] = -1;
		if (whole <= cells) {
			vp->nat[c] = cells;
		} else if (at >= 0 && two < whole) {
			vp->nat[c] = cells > two ? cells : two;
			if (vp->nat[c] < whole) {
				vp->split[c] = at;
				vp->two_lines = true;
			}
		} else {
			vp->nat[c] = whole;
		}
		vp->groups = vp->groups || t->cols[c].group;
	}
}

static void part_layout(struct vpart *vp, int cols)
{
	const struct bk_table *t = vp->t;
	int room = cols - 2;
	int total = 0;
	for (int c = 0; c < t->n_cols; c++) {
		vp->w[c] = vp->nat[c] < MAX_COL_WIDTH ? vp->nat[c] : MAX_COL_WIDTH;
		total += (c ? GAP : 0) + vp->w[c];
	}
	/* A wide table keeps a third of the screen at most for its frozen
	 * first column, leaving the rest to the columns that scroll. */
	int first_max = room / 3 > 12 ? room / 3 : 12;
	if (total > room && t->n_cols && vp->w[0] > first_max)
		vp->w[0] = first_max;
	/* The first column is always shown; how many of the others may be
	 * skipped so that the last ones fill the screen? */
	vp->maxoff = 0;
	int used = t->n_cols ? vp->w[0] : 0;
	for (int c = t->n_cols - 1; c >= 1; c--) {
		used += GAP + vp->w[c];
		if (used > room) {
			vp->maxoff = c; /* columns 1..c cannot all show with the later ones */
			break;
		}
	}
}

static bool add_line(struct view *v, enum vline_kind kind, int part, int row, const char *text)
{
	if (v->n_lines == v->cap_lines) {
		int cap = v->cap_lines ? v->cap_lines * 2 : 128;
		struct vline *nl = realloc(v->lines, (size_t)cap * sizeof *nl);
		if (!nl) {
			v->failed = true;
			return false;
		}
		v->lines = nl;
		v->cap_lines = cap;
	}
	char *copy = NULL;
	if (text && !(copy = strdup(text))) {
		v->failed = true;
		return false;
	}
	v->lines[v->n_lines++] = (struct vline){ kind, part, row, copy };
	return true;
}

static void clear_lines(struct view *v)
{
	for (int i = 0; i < v->n_lines; i++)
		free(v->lines[i].text);
	v->n_lines = 0;
}

static void clear_parts(struct view *v)
{
	for (int i = 0; i < v->n_parts; i++) {
		free(v->parts[i].nat);
		free(v->parts[i].w);
		free(v->parts[i].split);
	}
	free(v->parts);
	v->parts = NULL;
	v->n_parts = 0;
	clear_lines(v);
	v->laid_cols = 0;
}

/* Measure every part of a newly run table. */
static void measure(struct view *v, bool ascii)
{
	clear_parts(v);
	int n = 0;
	for (const struct bk_table *p = v->table; p; p = p->next)
		n++;
	v->parts = calloc((size_t)(n ? n : 1), sizeof *v->parts);
	if (!v->parts) {
		v->failed = true;
		return;
	}
	v->n_parts = n;
	int i = 0;
	for (const struct bk_table *p = v->table; p; p = p->next, i++) {
		v->parts[i].t = p;
		part_measure(&v->parts[i], ascii, &v->failed);
	}
}

/* The lines of the page for a screen cols wide. */
static void layout(struct view *v, int cols)
{
	clear_lines(v);
	v->max_head = 1;
	v->maxoff = 0;
	for (int i = 0; i < v->n_parts && !v->failed; i++) {
		struct vpart *vp = &v->parts[i];
		const struct bk_table *t = vp->t;
		part_layout(vp, cols);
		if (vp->maxoff > v->maxoff)
			v->maxoff = vp->maxoff;
		if (i > 0) {
			add_line(v, VL_BLANK, i, -1, NULL);
			add_line(v, VL_TITLE, i, -1, NULL);
		}
		vp->head_first = v->n_lines;
		if (vp->groups)
			add_line(v, VL_GROUP, i, -1, NULL);
		if (vp->two_lines)
			add_line(v, VL_HEAD1, i, -1, NULL);
		add_line(v, VL_HEAD2, i, -1, NULL);
		vp->n_head = v->n_lines - vp->head_first;
		if (vp->n_head > v->max_head)
			v->max_head = vp->n_head;
		if (t->n_rows == 0)
			add_line(v, VL_EMPTY, i, -1, NULL);
		for (int r = 0; r < t->n_rows; r++) {
			enum bk_row_kind k = t->rows[r].kind;
			if (k == BK_ROW_SECTION) {
				if (r > 0)
					add_line(v, VL_BLANK, i, r, NULL);
				add_line(v, VL_SECTION, i, r, NULL);
				continue;
			}
			/* A rule sets a run of totals apart from the rows they add up. */
			if (k == BK_ROW_TOTAL && r > 0 && t->rows[r - 1].kind == BK_ROW_DATA)
				add_line(v, VL_RULE, i, r, NULL);
			add_line(v, VL_ROW, i, r, NULL);
		}
		struct textview tv = { 0 };
		for (int k = 0; k < t->n_notes; k++) {
			char note[2048];
			snprintf(note, sizeof note, "Note: %s", t->notes[k]);
			tv_add_wrapped(&tv, LOOK_DIM, cols - 2, 6, note);
		}
		if (tv.n)
			add_line(v, VL_BLANK, i, -1, NULL);
		for (int k = 0; k < tv.n; k++)
			add_line(v, VL_NOTE, i, -1, tv.v[k].text);
		tv_clear(&tv);
	}
	v->laid_cols = cols;
}

static void view_free(struct view *v)
{
	if (!v)
		return;
	clear_parts(v);
	free(v->lines);
	bk_table_destroy(v->table);
	for (int p = 0; p < P_COUNT; p++)
		free(v->value[p]);
	free(v);
}

static bool view_open(struct tui *t, struct screen *s, void *arg)
{
	struct report_arg *a = arg;
	struct view *v = calloc(1, sizeof *v);
	if (!v) {
		bk_table_destroy(a->table);
		tui_message(t, true, "Out of memory");
		return false;
	}
	v->info = bk_report_info(a->name);
	v->table = a->table;
	for (int p = 0; p < P_COUNT; p++)
		if (a->value[p] && !(v->value[p] = strdup(a->value[p])))
			v->failed = true;
	measure(v, t->ascii);
	if (v->failed || !v->info || !v->table) {
		view_free(v);
		tui_message(t, true, "Out of memory: the report cannot be shown");
		return false;
	}
	s->st = v;
	snprintf(s->title, sizeof s->title, "%s", v->info->title);
	return true;
}

static void view_close(struct screen *s)
{
	view_free(s->st);
	s->st = NULL;
}

/* Run the report again with the same parameters (the data changed, or C-l). */
static void view_reload(struct tui *t, struct screen *s)
{
	struct view *v = s->st;
	struct bk_report_params p = {
		.on = v->value[P_ON],
		.from = v->value[P_FROM],
		.to = v->value[P_TO],
		.by = v->value[P_BY],
		.week = v->value[P_WEEK],
		.fy = v->value[P_FY],
	};
	struct bk_table *table = NULL;
	enum bk_status st = bk_report(t->ctx, v->info->name, &p, &table);
	if (st != BK_OK) {
		tui_result(t, st);
		return; /* the table as it was stays */
	}
	bk_table_destroy(v->table);
	v->table = table;
	v->failed = false;
	measure(v, t->ascii);
	if (v->failed)
		tui_message(t, true, "Out of memory: the report is shown in part");
}

static int view_rows(const struct screen *s)
{
	const struct view *v = s->st;
	return v->n_lines;
}

static bool view_matches(const struct screen *s, int row, const char *needle)
{
	const struct view *v = s->st;
	if (row < 0 || row >= v->n_lines)
		return false;
	const struct vline *l = &v->lines[row];
	const struct bk_table *t = v->parts[l->part].t;
	char buf[512];
	switch (l->kind) {
	case VL_NOTE:
		return text_contains(l->text, needle);
	case VL_TITLE:
		return text_contains(t->title, needle);
	case VL_ROW:
	case VL_SECTION:
		for (int c = 0; c < t->n_cols; c++) {
			cell_text(t, l->row, c, false, buf, sizeof buf);
			if (text_contains(buf, needle))
				return true;
		}
		return false;
	default:
		return false;
	}
}

/* The columns after the first that show at offset off: first..last, the
 * last cut to last_w when only part of it fits (full: the last whole one). */
struct shown {
	int first, last, last_w, full;
};

static struct shown shown_columns(const struct vpart *vp, int off, int cols)
{
	const struct bk_table *t = vp->t;
	struct shown sh;
	sh.first = 1 + (off < vp->maxoff ? off : vp->maxoff);
	sh.last = sh.full = sh.first - 1;
	sh.last_w = 0;
	int x = 1 + (t->n_cols ? vp->w[0] : 0);
	for (int c = sh.first; c < t->n_cols; c++) {
		int room = cols - 1 - x - GAP;
		if (vp->w[c] > room) {
			/* Part of a wide column rather than a blank; Right brings it whole. */
			if (room >= 6 && !right_aligned(t, c)) {
				sh.last = c;
				sh.last_w = room;
			}
			break;
		}
		x += GAP + vp->w[c];
		sh.last = sh.full = c;
		sh.last_w = vp->w[c];
	}
	return sh;
}

static int col_width(const struct vpart *vp, const struct shown *sh, int c)
{
	return c == sh->last ? sh->last_w : vp->w[c];
}

static void put_cell(int y, int x, int w, const char *text, bool right, int attr)
{
	char fitted[1024];
	text_fit(text, w, right, fitted, sizeof fitted);
	draw_text(y, x, w, fitted, attr, true);
}

/* The part of a heading on one of its two lines. */
static void heading_line(const struct vpart *vp, int c, bool upper, char *buf, size_t len)
{
	const char *label = vp->t->cols[c].label;
	char clean[256];
	draw_clean(label, clean, sizeof clean);
	int at = vp->split[c];
	if (at < 0 || at >= (int)strlen(clean)) {
		snprintf(buf, len, "%s", upper ? "" : clean);
		return;
	}
	if (upper)
		snprintf(buf, len, "%.*s", at, clean);
	else
		snprintf(buf, len, "%s", clean + at + 1);
}

static void draw_line(struct tui *t, const struct view *v, int idx, int y, int off, int hilite)
{
	const struct vline *l = &v->lines[idx];
	const struct vpart *vp = &v->parts[l->part];
	const struct bk_table *tb = vp->t;
	struct shown sh = shown_columns(vp, off, COLS);
	int first = sh.first, last = sh.last;
	int base = idx == hilite ? draw_attr(LOOK_MATCH) : (int)A_NORMAL;
	draw_fill(y, 0, COLS, base);
	int w0 = tb->n_cols ? vp->w[0] : 0;
	int width = w0; /* the table's width on screen */
	for (int c = first; c <= last; c++)
		width += GAP + col_width(vp, &sh, c);
	char buf[512];
	switch (l->kind) {
	case VL_BLANK:
		return;
	case VL_TITLE:
		draw_text(y, 1, COLS - 2, tb->title, base | draw_attr(LOOK_TITLE), false);
		return;
	case VL_NOTE:
		draw_text(y, 1, COLS - 2, l->text, base | draw_attr(LOOK_DIM), false);
		return;
	case VL_EMPTY:
		draw_text(y, 1, COLS - 2, "No rows for these parameters.", base, false);
		return;
	case VL_RULE:
		draw_hline(y, 1, width, t->ascii);
		return;
	case VL_SECTION:
		cell_text(tb, l->row, 0, t->ascii, buf, sizeof buf);
		draw_text(y, 1, COLS - 2, buf, base | draw_attr(LOOK_TITLE), false);
		return;
	case VL_GROUP: {
		/* Each group's name over the columns of it that show, with a rule
		 * to its last one, so a scrolled table still says which lot. */
		int x = 1 + w0;
		for (int c = first; c <= last; c++) {
			const char *g = tb->cols[c].group;
			int span = col_width(vp, &sh, c), end = c;
			while (g && end + 1 <= last && tb->cols[end + 1].group &&
			       strcmp(tb->cols[end + 1].group, g) == 0) {
				end++;
				span += GAP + col_width(vp, &sh, end);
			}
			if (g) {
				char label[160], fitted[640];
				snprintf(label, sizeof label, "%s ", g);
				int used = text_width(label);
				if (used > span) {
					text_fit(g, span, false, fitted, sizeof fitted); /* cut, and says so */
					used = draw_text(y, x + GAP, span, fitted, base | A_BOLD, false);
				} else {
					used = draw_text(y, x + GAP, span, label, base | A_BOLD, false);
				}
				if (span - used > 0)
					draw_hline(y, x + GAP + used, span - used, t->ascii);
			}
			x += GAP + span;
			c = end;
		}
		return;
	}
	case VL_HEAD1:
	case VL_HEAD2: {
		bool upper = l->kind == VL_HEAD1;
		int attr = base | (upper ? (int)A_BOLD : draw_attr(LOOK_HEAD));
		heading_line(vp, 0, upper, buf, sizeof buf);
		put_cell(y, 1, w0, buf, false, attr);
		int x = 1 + w0;
		for (int c = first; c <= last; c++) {
			heading_line(vp, c, upper, buf, sizeof buf);
			if (!upper)
				draw_text(y, x, GAP, "", attr, true);
			put_cell(y, x + GAP, col_width(vp, &sh, c), buf, right_aligned(tb, c), attr);
			x += GAP + col_width(vp, &sh, c);
		}
		return;
	}
	case VL_ROW: {
		int attr = base | (tb->rows[l->row].kind == BK_ROW_TOTAL ? (int)A_BOLD : 0);
		cell_text(tb, l->row, 0, t->ascii, buf, sizeof buf);
		put_cell(y, 1, w0, buf, right_aligned(tb, 0), attr);
		int x = 1 + w0;
		for (int c = first; c <= last; c++) {
			cell_text(tb, l->row, c, t->ascii, buf, sizeof buf);
			put_cell(y, x + GAP, col_width(vp, &sh, c), buf, right_aligned(tb, c), attr);
			x += GAP + col_width(vp, &sh, c);
		}
		return;
	}
	}
}

/* "--on 2026-11-20 --by lot": the parameters the table was run with. */
static void params_text(const struct bk_table *t, bool options, char *buf, size_t len)
{
	size_t off = 0;
	buf[0] = '\0';
	for (int i = 0; i < t->n_params && off < len; i++) {
		int w = snprintf(buf + off, len - off, "%s%s%s %s", off ? (options ? " " : ", ") : "",
		                 options ? "--" : "", t->params[i].key, t->params[i].value ? t->params[i].value : "");
		if (w < 0)
			break;
		off += (size_t)w;
	}
}

static void view_draw(struct tui *t, struct screen *s, int y, int h)
{
	struct view *v = s->st;
	if (v->laid_cols != COLS)
		layout(v, COLS);
	for (int r = 0; r < h; r++)
		draw_fill(y + r, 0, COLS, A_NORMAL);
	/* The title and where the page is. */
	char title[1024];
	text_fit(v->table->title, COLS - 2, false, title, sizeof title);
	draw_text(y, 1, COLS - 2, title, draw_attr(LOOK_TITLE), false);
	int body = y + 2, body_h = h - 2;
	screen_scroll(s, body_h - v->max_head);
	if (s->hscroll > v->maxoff)
		s->hscroll = v->maxoff;
	if (s->hscroll < 0)
		s->hscroll = 0;
	int top = s->cursor;
	int row = body;
	if (top < v->n_lines) {
		/* The headings of the part whose rows are at the top stay in view. */
		const struct vline *l = &v->lines[top];
		const struct vpart *vp = &v->parts[l->part];
		bool in_rows = l->kind == VL_ROW || l->kind == VL_RULE || l->kind == VL_SECTION ||
		               (l->kind == VL_BLANK && l->row >= 0);
		if (in_rows && top >= vp->head_first + vp->n_head)
			for (int k = 0; k < vp->n_head && row < body + body_h; k++)
				draw_line(t, v, vp->head_first + k, row++, s->hscroll, -1);
	}
	int last_line = top - 1;
	for (int i = top; i < v->n_lines && row < body + body_h; i++, row++) {
		draw_line(t, v, i, row, s->hscroll, s->hilite);
		last_line = i;
	}
	/* Under the title: the part, rows and columns shown, and the command line. */
	char pos[400] = "", cmd[512], where[160] = "";
	if (v->n_lines) {
		int part = v->lines[top < v->n_lines ? top : v->n_lines - 1].part;
		const struct vpart *vp = &v->parts[part];
		int r1 = -1, r2 = -1;
		for (int i = top; i <= last_line; i++) {
			if (v->lines[i].part != part || v->lines[i].kind != VL_ROW)
				continue;
			if (r1 < 0)
				r1 = v->lines[i].row;
			r2 = v->lines[i].row;
		}
		struct shown sh = shown_columns(vp, s->hscroll, COLS);
		if (sh.first > 1 || sh.full < vp->t->n_cols - 1)
			snprintf(where, sizeof where, "; columns 1, %d-%d of %d%s%s", sh.first + 1, sh.full + 1,
			         vp->t->n_cols, sh.first > 1 ? ", Left: earlier" : "",
			         sh.full < vp->t->n_cols - 1 ? ", Right: later" : "");
		char part_of[48] = "";
		if (v->n_parts > 1)
			snprintf(part_of, sizeof part_of, "part %d of %d, ", part + 1, v->n_parts);
		if (r1 >= 0)
			snprintf(pos, sizeof pos, "%srows %d-%d of %d%s", part_of, r1 + 1, r2 + 1, vp->t->n_rows,
			         where);
		else
			snprintf(pos, sizeof pos, "%s%d rows%s", part_of, vp->t->n_rows, where);
	}
	char opts[400];
	params_text(v->table, true, opts, sizeof opts);
	snprintf(cmd, sizeof cmd, "brokerage report %s%s%s", v->info->name, opts[0] ? " " : "", opts);
	int pw = draw_text(y + 1, 1, COLS - 2, pos, draw_attr(LOOK_DIM), false);
	/* The same report on the command line, where there is room for it. */
	int cw = text_width(cmd), tw = text_width(v->table->title);
	if (tw + 3 + cw <= COLS - 2)
		draw_text(y, COLS - 1 - cw, cw, cmd, draw_attr(LOOK_DIM), false);
	else if (pw + 3 + cw <= COLS - 2)
		draw_text(y + 1, COLS - 1 - cw, cw, cmd, draw_attr(LOOK_DIM), false);
}

static void view_context(struct tui *t, const struct screen *s, char *buf, size_t len)
{
	const struct view *v = s->st;
	char p[400];
	params_text(v->table, false, p, sizeof p);
	snprintf(buf, len, "Report: %s%s%s", v->info->title, p[0] ? ", " : "", p);
	/* The parameters only where they leave the user's name whole (the
	 * frame puts it on this line when the tabs leave no room); the title
	 * under it says them too. */
	char who[256];
	snprintf(who, sizeof who, "%.120s (%s)", t->ctx->actor.name[0] ? t->ctx->actor.name : t->ctx->actor.login,
	         policy_role_name(t->ctx->actor.role));
	if (text_width(buf) + text_width(who) + 6 > COLS)
		snprintf(buf, len, "Report: %s", v->info->title);
}

const struct screen_ops screen_report_ops = {
	.id = SCR_REPORT,
	.open = view_open,
	.close = view_close,
	.reload = view_reload,
	.draw = view_draw,
	.rows = view_rows,
	.matches = view_matches,
	.context = view_context,
};

void act_report_left(struct tui *t, struct screen *s)
{
	if (s->hscroll <= 0) {
		tui_message(t, false, "The first columns show already");
		return;
	}
	s->hscroll--;
}

void act_report_right(struct tui *t, struct screen *s)
{
	const struct view *v = s->st;
	if (s->hscroll >= v->maxoff) {
		tui_message(t, false, v->maxoff ? "The last columns show already" : "Every column shows already");
		return;
	}
	s->hscroll++;
}

/* ---- export ---- */

/* "provision-2026-11-20.csv" */
static void default_file(const struct bk_table *t, const char *ext, char *buf, size_t len)
{
	size_t off = (size_t)snprintf(buf, len, "%s", t->name ? t->name : "report");
	for (int i = 0; i < t->n_params && off < len; i++) {
		int w = snprintf(buf + off, len - off, "-%s", t->params[i].value ? t->params[i].value : "");
		if (w < 0)
			break;
		off += (size_t)w;
	}
	if (off < len)
		snprintf(buf + off, len - off, ".%s", ext);
	for (char *p = buf; *p; p++)
		if (*p == '/' || *p == ' ')
			*p = '_';
}

/* Write the whole table to path, owner-only (a report may name cases).
 * replace: the person agreed to replace the file there. The export is
 * recorded in the audit trail once the file is open and before anything
 * is written (an existing file is emptied only then), so no file is
 * written without its event and a refused record leaves the file as it was. */
static bool write_file(struct tui *tu, const struct bk_table *t, bool json, const char *path, bool replace, char *err,
                       size_t len)
{
	int flags = O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | (replace ? 0 : O_EXCL);
	int fd = open(path, flags, 0600);
	struct stat sb;
	/* Replaced only when it is a regular file of the user's own: never a
	 * pipe, a device or another user's file. */
	if (fd >= 0 && replace && (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_uid != geteuid())) {
		snprintf(err, len,
		         "%s is not a regular file of your own (a pipe, a device or another user's): give a new "
		         "name",
		         path);
		close(fd);
		return false;
	}
	if (fd >= 0 && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0) {
		snprintf(err, len, "cannot write %s: %s", path, strerror(errno));
		close(fd);
		return false;
	}
	if (fd < 0) {
		if (errno == ENXIO)
			snprintf(err, len, "%s is a pipe or a device: give a regular file", path);
		else if (errno == ELOOP)
			snprintf(err, len, "%s is a symbolic link; give the file itself", path);
		else if (errno == EEXIST)
			snprintf(err, len, "%s appeared meanwhile; nothing was replaced", path);
		else
			snprintf(err, len, "cannot write %s: %s", path, strerror(errno));
		return false;
	}
	if (replace && fchmod(fd, 0600) != 0) {
		snprintf(err, len, "cannot make %s private: %s", path, strerror(errno));
		close(fd);
		return false;
	}
	char where[PATH_MAX];
	if (!realpath(path, where))
		snprintf(where, sizeof where, "%s", path);
	if (bk_record_export(tu->ctx, t, where) != BK_OK) {
		snprintf(err, len, "%s", tu->ctx->msg);
		close(fd);
		if (!replace)
			unlink(path);
		return false;
	}
	if (replace && ftruncate(fd, 0) != 0) {
		snprintf(err, len, "cannot empty %s: %s", path, strerror(errno));
		close(fd);
		return false;
	}
	FILE *f = fdopen(fd, "w");
	if (!f) {
		snprintf(err, len, "cannot write %s: %s", path, strerror(errno));
		close(fd);
		return false;
	}
	bool ok;
	if (json) {
		json_t *j = bk_table_json(t);
		char *raw = j ? json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
		char *text = raw ? text_json_harden(raw) : NULL;
		ok = text && fputs(text, f) != EOF && fputc('\n', f) != EOF;
		free(raw);
		free(text);
		json_decref(j);
	} else {
		ok = bk_table_write_csv(t, f);
	}
	int saved = errno;
	ok = fclose(f) == 0 && ok;
	if (!ok)
		snprintf(err, len, "writing %s failed: %s", path, strerror(errno ? errno : saved));
	return ok;
}

void act_report_export(struct tui *t, struct screen *s)
{
	struct view *v = s->st;
	static const char *const formats[] = {
		"CSV: for a spreadsheet (every part, one after another)",
		"JSON: for another program",
	};
	int k = tui_choose(t, "Export the report as", formats, 2, 0);
	if (k < 0)
		return;
	bool json = k == 1;
	char path[PATH_MAX];
	default_file(v->table, json ? "json" : "csv", path, sizeof path);
	for (;;) {
		if (!tui_prompt(t, json ? "Export as JSON" : "Export as CSV",
		                "The file to write (readable by you only; ~/ is your home directory):", NULL, true,
		                path, sizeof path))
			return;
		char full[PATH_MAX];
		const char *home = getenv("HOME");
		if (strncmp(path, "~/", 2) == 0 && home && *home)
			snprintf(full, sizeof full, "%s/%s", home, path + 2);
		else
			snprintf(full, sizeof full, "%s", path);
		struct stat st;
		bool replace = false;
		if (lstat(full, &st) == 0) {
			if (S_ISDIR(st.st_mode)) {
				tui_message(t, true, "%s is a folder: give a file name in it", full);
				continue;
			}
			char what[PATH_MAX + 64];
			snprintf(what, sizeof what, "%s exists already (%lld bytes).", full, (long long)st.st_size);
			const char *lines[] = { what, "", "Replace it with this report?" };
			if (!tui_confirm(t, "Replace the file?", lines, 3)) {
				tui_message(t, false, "Not exported: %s was left as it was", full);
				return;
			}
			replace = true;
		}
		char err[PATH_MAX + 128];
		if (!write_file(t, v->table, json, full, replace, err, sizeof err)) {
			tui_message(t, true, "Not exported: %s", err);
			return;
		}
		int rows = 0;
		for (const struct bk_table *p = v->table; p; p = p->next)
			rows += p->n_rows;
		char shown[PATH_MAX];
		if (!realpath(full, shown))
			snprintf(shown, sizeof shown, "%s", full);
		tui_message(t, false, "Exported %d rows as %s to %s", rows, json ? "JSON" : "CSV", shown);
		return;
	}
}
