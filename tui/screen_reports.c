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
#include "tui/form.h"
#include "tui/keymap.h"
#include "tui/listview.h"
#include "tui/pager.h"

/* ---- the parameters a report may take ---- */

enum param { P_ON, P_FROM, P_TO, P_BY, P_WEEK, P_FY, P_COUNT };

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

static const struct param_desc {
	const char *key; /* as bk_report_info.params names it, and the option */
	struct field_spec field;
	bool (*check)(struct tui *t, const char *value, char *err, size_t len); /* a check of the form's own */
} params[P_COUNT] = {
	[P_ON] = { "on", { FIELD_TEXT, "On", "date", "YYYY-MM-DD: as things stood on that day", true } },
	[P_FROM] = { "from", { FIELD_TEXT, "From", "date", "YYYY-MM-DD: the first day counted", true } },
	[P_TO] = { "to", { FIELD_TEXT, "To", "date", "YYYY-MM-DD: the last day counted", true } },
	[P_BY] = { "by",
	           { FIELD_CHOICE, "Grouped by", NULL, "Left/Right: all together, or by month, lot or district",
	             false } },
	[P_WEEK] = { "week",
	             { FIELD_TEXT, "Week of", "date", "YYYY-MM-DD: any day of the week (Monday to Sunday)", true } },
	[P_FY] = { "fy",
	           { FIELD_TEXT, "Financial year", NULL, "the year it starts: 2025 is April 2025 to March 2026", true },
	           check_year },
};

static const char *const by_choices[] = { "all together", "month", "lot", "district" };

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

static struct bk_report_params params_of(const char *const *value)
{
	return (struct bk_report_params){ .on = value[P_ON],
		                          .from = value[P_FROM],
		                          .to = value[P_TO],
		                          .by = value[P_BY],
		                          .week = value[P_WEEK],
		                          .fy = value[P_FY] };
}

/* ---- the list of reports ---- */

/* a row of the list: a report, its words where the view's cells and `/` read them */
struct rrow {
	int64_t index;
	const struct bk_report_info *info;
	char title[64], name[32], what[512];
};

static bool load_all(void *ud, struct lv_window *all)
{
	(void)ud;
	const char *const *names = bk_report_names();
	for (int i = 0; names[i]; i++) {
		const struct bk_report_info *info = bk_report_info(names[i]);
		if (!info)
			continue;
		struct rrow *r = lv_window_put(all);
		if (!r)
			return false;
		*r = (struct rrow){ .index = i + 1, .info = info };
		str_copy(r->title, sizeof r->title, info->title);
		str_copy(r->name, sizeof r->name, info->name);
		str_copy(r->what, sizeof r->what, info->description);
	}
	return true;
}

#define R struct rrow
LV_FIELD_CELL(cell_title, TEXT, R, title);
LV_FIELD_CELL(cell_what, TEXT, R, what);

static const struct lv_column columns[] = {
	{ "REPORT", 18, 20, LV_TEXT, false, 0, 0, cell_title, NULL, false },
	{ "WHAT IT SHOWS", 20, 60, LV_TEXT, false, 1, 0, cell_what, NULL, false },
};

static void pane(void *ud, const void *row, int width, struct textview *tv);

static const struct lv_spec spec = {
	.row_size = sizeof(R),
	.key = LV_AT(ID, R, index),
	.load_all = load_all,
	.search = { LV_AT(TEXT, R, title), LV_AT(TEXT, R, name), LV_AT(TEXT, R, what) },
	.pane = pane,
	.cols = columns,
	.ncols = (int)(sizeof columns / sizeof columns[0]),
	.empty = "No reports.",
};
#undef R

LV_OPEN(list_open, struct listview, spec);

/* "on (default 2026-11-20)", "from (default 2026-10-01), to (default ...)" */
static void defaults_text(const struct tui *t, const struct bk_report_info *info, char *buf, size_t len)
{
	size_t off = 0;
	buf[0] = '\0';
	for (int p = 0; p < P_COUNT; p++) {
		if (!takes(info, (enum param)p))
			continue;
		char v[32];
		param_default(t->ctx, (enum param)p, v, sizeof v);
		str_appendf(buf, len, &off, "%s%s (default %s)", off ? ", " : "", params[p].key,
		            v[0] ? v : "all together");
	}
}

/* The one under the cursor in full: what it shows, what it asks, the same
 * report on the command line. */
static void pane(void *ud, const void *row, int width, struct textview *tv)
{
	const struct bk_report_info *info = ((const struct rrow *)row)->info;
	char defaults[256];
	defaults_text(((struct listview *)ud)->t, info, defaults, sizeof defaults);
	tv_add(tv, LOOK_TITLE, "%s", info->title);
	tv_addf(tv, LOOK_NORMAL, width, 0, "Shows %s.", info->description);
	tv_addf(tv, LOOK_NORMAL, width, 2, "Parameters: %s.", defaults);
	tv_addf(tv, LOOK_DIM, width, 2, "Command line: brokerage report %s [--csv FILE|-] [--json]", info->usage);
	tv_add(tv, LOOK_NORMAL, "%s", "");
	tv_add_wrapped(tv, LOOK_DIM, width, 0,
	               "Enter asks its parameters, then shows the table; there Left/Right scroll the columns and e "
	               "exports it as CSV or JSON.");
}

static void list_draw(struct tui *t, struct screen *s, int y, int h)
{
	const struct listview *lv = s->st;
	lv_draw_pane(t, s, y, h, lv->total + 1 < h / 2 ? lv->total + 1 : h / 2);
}

static void list_context(struct tui *t, const struct screen *s, char *buf, size_t len)
{
	(void)t;
	const struct listview *lv = s->st;
	snprintf(buf, len, "Reports: %d; Enter chooses one, then its parameters", lv->total);
}

const struct screen_ops screen_reports_ops = LV_SCREEN_OPS(SCR_REPORTS, list_open, list_draw, list_context);

/* ---- the parameter form ---- */

/* What the form hands the table view. */
struct report_arg {
	const char *name;
	const char *value[P_COUNT]; /* NULL: the report's default */
	struct bk_table *table;     /* the view owns it from open on */
};

static int param_of_field(const struct form_field *ff)
{
	for (int p = 0; p < P_COUNT; p++)
		if (ff->label == params[p].field.label)
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
	const struct bk_report_info *info = bk_report_info(f->data);
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
	struct bk_report_params p = params_of(a.value);
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

/* The form of the report's parameters; its data the report's name. */
static void open_params(struct tui *t, const struct bk_report_info *info)
{
	char title[128];
	snprintf(title, sizeof title, "Report: %s", info->title);
	struct form *f = form_create(title, params_submit);
	if (!f || !(f->data = strdup(info->name))) {
		free(f);
		tui_message(t, true, "Out of memory");
		return;
	}
	snprintf(f->intro, sizeof f->intro, "%s: its parameters (F2 shows the report; Esc goes back)", info->title);
	f->done = "shows the report";
	for (int p = 0; p < P_COUNT; p++) {
		if (!takes(info, (enum param)p))
			continue;
		const struct field_spec *fs = &params[p].field;
		struct form_field *ff = form_add(f, fs->kind, fs->label, fs->check, fs->hint, fs->required);
		if (!ff)
			break;
		ff->own_check = params[p].check;
		if (fs->kind == FIELD_CHOICE) {
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
	const struct rrow *r = lv_at_or(t, s, "No report here to choose");
	if (!r)
		return;
	tui_clock(t);
	open_params(t, r->info);
}

/* ---- the table: on the list view (lv_table) ---- */

struct view {
	struct lv_table lt; /* first: the list view's ops read it */
	const struct bk_report_info *info;
	char *value[P_COUNT];
	struct bk_table *table;
	bool pending; /* run after the screen says it is coming (the : prompt) */
	bool failed;
};

static void view_free(struct view *v)
{
	if (!v)
		return;
	lv_table_finish(&v->lt);
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
	v->pending = !a->table;
	bool ok = v->info != NULL;
	for (int p = 0; p < P_COUNT; p++)
		if (a->value[p] && !(v->value[p] = strdup(a->value[p])))
			ok = false;
	if (ok)
		ok = lv_table_init(&v->lt, v->table, SCR_REPORT, t->ascii);
	if (!ok) {
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

/* Run the report with the view's parameters; the table shown stays as it
 * was when that fails. */
static bool view_run(struct tui *t, struct view *v)
{
	struct bk_report_params p = params_of((const char *const *)v->value);
	struct bk_table *table = NULL;
	t->ctx->msg[0] = '\0';
	enum bk_status st = bk_report(t->ctx, v->info->name, &p, &table);
	if (st != BK_OK) {
		tui_result(t, st);
		return false;
	}
	if (!lv_table_set(&v->lt, table))
		tui_message(t, true, "Out of memory: the report is shown in part");
	bk_table_destroy(v->table);
	v->table = table;
	return true;
}

/* The data changed, or C-l: the same report again. */
static void view_reload(struct tui *t, struct screen *s)
{
	struct view *v = s->st;
	if (!v->pending)
		view_run(t, v);
}

/* A report asked for at the : prompt is worked out once the screen says it
 * is coming; a key pressed meanwhile waits for it. */
static bool view_more(struct tui *t, struct screen *s)
{
	struct view *v = s->st;
	if (!v->pending)
		return false;
	v->pending = false;
	v->failed = !view_run(t, v);
	return true;
}

/* "--on 2026-11-20 --by lot": the parameters the table was run with. */
static void params_text(const struct bk_table *t, bool options, char *buf, size_t len)
{
	size_t off = 0;
	buf[0] = '\0';
	for (int i = 0; t && i < t->n_params; i++)
		str_appendf(buf, len, &off, "%s%s%s %s", off ? (options ? " " : ", ") : "", options ? "--" : "",
		            t->params[i].key, t->params[i].value ? t->params[i].value : "");
}

static void view_draw(struct tui *t, struct screen *s, int y, int h)
{
	struct view *v = s->st;
	for (int r = 0; r < 2 && r < h; r++)
		draw_fill(y + r, 0, COLS, A_NORMAL);
	if (!v->table) {
		char what[200];
		snprintf(what, sizeof what,
		         v->failed ? "The %s report could not be worked out (the message below says why)."
		                   : "Working out the %s report...",
		         v->info->title);
		draw_text(y, 1, COLS - 2, what, draw_attr(LOOK_DIM), false);
		for (int r = 1; r < h; r++)
			draw_fill(y + r, 0, COLS, A_NORMAL);
		return;
	}
	/* the title, where the page is, and the same report on the command line */
	char title[1024];
	text_fit(v->table->title, COLS - 2, false, title, sizeof title);
	draw_text(y, 1, COLS - 2, title, draw_attr(LOOK_TITLE), false);
	lv_table_draw(t, s, y + 2, h - 2);
	char pos[400], cmd[512], opts[400];
	lv_table_where(&v->lt, s->cursor, h - 2, pos, sizeof pos);
	params_text(v->table, true, opts, sizeof opts);
	snprintf(cmd, sizeof cmd, "brokerage report %s%s%s", v->info->name, opts[0] ? " " : "", opts);
	int pw = draw_text(y + 1, 1, COLS - 2, pos, draw_attr(LOOK_DIM), false);
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
	.rows = lv_rows, /* no lines until the table is there */
	.matches = lv_matches,
	.context = view_context,
	.more = view_more,
};

static bool view_ready(struct tui *t, const struct view *v)
{
	if (v->table)
		return true;
	tui_message(t, true, "The report is not there yet");
	return false;
}

static void hscroll(struct tui *t, struct screen *s, int dir)
{
	struct view *v = s->st;
	if (view_ready(t, v) && !lv_table_hscroll(&v->lt, s->cursor, dir))
		tui_message(t, false, dir < 0 ? "The first columns show already" : "The last columns show already");
}

ACTION_FN(act_report_left, hscroll(t, s, -1));

ACTION_FN(act_report_right, hscroll(t, s, 1));

/* Order the rows of the part in view by a column chosen from its headings
 * (the column in use again: reversed); the first choice is the report's own order. */
void act_report_sort(struct tui *t, struct screen *s)
{
	struct view *v = s->st;
	if (!view_ready(t, v))
		return;
	int part = lv_table_part_at(&v->lt, s->cursor);
	const struct lv_tpart *vp = &v->lt.parts[part];
	const char *items[65];
	char labels[64][140];
	int n = 0;
	items[n++] = "the report's own order";
	for (int c = 0; c < vp->n && n < 65; c++, n++) {
		char clean[100];
		draw_clean(vp->t->cols[c].label, clean, sizeof clean);
		bool now = v->lt.sort_part == part && v->lt.sort_col == c;
		snprintf(labels[c], sizeof labels[c], "%s%s", clean,
		         now ? (v->lt.sort_desc ? " (in use, reversed)" : " (in use: again reverses)") : "");
		items[n] = labels[c];
	}
	int at = v->lt.sort_part == part && v->lt.sort_col >= 0 ? v->lt.sort_col + 1 : 0;
	int k = tui_choose(t, "Order the rows by", items, n, at);
	if (k < 0)
		return;
	lv_table_sort(&v->lt, part, k - 1);
	/* a sort starts at the part's top */
	s->cursor = v->lt.parts[part].head_first > 0 && part > 0 ? v->lt.parts[part].head_first - 1 : 0;
	if (k == 0)
		tui_message(t, false, "The rows in the report's own order");
}

bool tui_report_command(struct tui *t, char *const *words, int n)
{
	if (n < 2 || strcmp(words[0], "report") != 0 || !bk_report_info(words[1]))
		return false;
	struct report_arg a = { .name = bk_report_info(words[1])->name };
	for (int i = 2; i < n; i++) {
		int p = 0;
		while (p < P_COUNT && !(strncmp(words[i], "--", 2) == 0 && strcmp(words[i] + 2, params[p].key) == 0))
			p++;
		if (p == P_COUNT || i + 1 >= n)
			return false; /* --csv, --json, a typing slip: the command line answers */
		a.value[p] = words[++i];
	}
	if (tui_push(t, SCR_REPORT, &a))
		tui_message(t, false, "%s", "q goes back; e exports the report; o orders its rows");
	return true;
}

/* ---- export ---- */

/* "provision-2026-11-20.csv" */
static void default_file(const struct bk_table *t, const char *ext, char *buf, size_t len)
{
	size_t off = 0;
	str_appendf(buf, len, &off, "%s", t->name ? t->name : "report");
	for (int i = 0; i < t->n_params; i++)
		str_appendf(buf, len, &off, "-%s", t->params[i].value ? t->params[i].value : "");
	str_appendf(buf, len, &off, ".%s", ext);
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
