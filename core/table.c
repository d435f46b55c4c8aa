/* The table model every report, export and list is made of (struct
 * bk_table: typed columns, rows, notes and parameters), and its writers:
 * the cells as text, CSV and JSON. Every face writes tables through these. */
#include <csv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "core/describe.h"
#include "core/internal.h"
#include "core/report.h"
#include "core/text.h"
#include "storage/store_data.h"
#include "core/report_internal.h"

/* ---- tables ---- */

static const char *const col_type_names[] = {
	[BK_COL_TEXT] = "text", [BK_COL_INT] = "integer", [BK_COL_MONEY] = "money",     [BK_COL_DATE] = "date",
	[BK_COL_TIME] = "time", [BK_COL_HOURS] = "hours", [BK_COL_PERCENT] = "percent", [BK_COL_TENTHS] = "tenths",
};

const char *bk_col_type_name(enum bk_col_type t)
{
	return (unsigned)t <= BK_COL_TENTHS ? col_type_names[t] : "?";
}

static char *dupstr(struct bk_table *t, const char *s)
{
	if (!s)
		return NULL;
	char *d = strdup(s);
	if (!d)
		t->failed = true;
	return d;
}

struct bk_table *bk_table_create(const char *name, const char *title)
{
	struct bk_table *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->name = dupstr(t, name ? name : "");
	t->title = dupstr(t, title ? title : "");
	if (t->failed) {
		bk_table_destroy(t);
		return NULL;
	}
	return t;
}

void bk_table_destroy(struct bk_table *t)
{
	while (t) {
		struct bk_table *next = t->next;
		for (int r = 0; r < t->n_rows; r++) {
			for (int c = 0; c < t->n_cols; c++)
				free(t->rows[r].cells[c].text);
			free(t->rows[r].cells);
		}
		free(t->rows);
		for (int c = 0; c < t->n_cols; c++) {
			free(t->cols[c].key);
			free(t->cols[c].label);
			free(t->cols[c].group);
		}
		free(t->cols);
		for (int i = 0; i < t->n_notes; i++)
			free(t->notes[i]);
		free(t->notes);
		for (int i = 0; i < t->n_params; i++) {
			free(t->params[i].key);
			free(t->params[i].value);
		}
		free(t->params);
		free(t->name);
		free(t->title);
		free(t);
		t = next;
	}
}

int bk_table_add_column(struct bk_table *t, const char *key, const char *label, const char *group,
                        enum bk_col_type type)
{
	struct bk_column *cols = realloc(t->cols, (size_t)(t->n_cols + 1) * sizeof *cols);
	if (!cols) {
		t->failed = true;
		return -1;
	}
	t->cols = cols;
	for (int r = 0; r < t->n_rows; r++) {
		struct bk_cell *cells = realloc(t->rows[r].cells, (size_t)(t->n_cols + 1) * sizeof *cells);
		if (!cells) {
			t->failed = true;
			return -1;
		}
		memset(&cells[t->n_cols], 0, sizeof cells[0]);
		t->rows[r].cells = cells;
	}
	struct bk_column *c = &t->cols[t->n_cols];
	c->key = dupstr(t, key);
	c->label = dupstr(t, label ? label : key);
	c->group = dupstr(t, group);
	c->type = type;
	c->words = false;
	return t->n_cols++;
}

int bk_table_add_row(struct bk_table *t, enum bk_row_kind kind)
{
	if (t->n_rows == t->cap_rows) {
		int cap = t->cap_rows ? t->cap_rows * 2 : 16;
		struct bk_row *rows = realloc(t->rows, (size_t)cap * sizeof *rows);
		if (!rows) {
			t->failed = true;
			return -1;
		}
		t->rows = rows;
		t->cap_rows = cap;
	}
	struct bk_cell *cells = calloc((size_t)(t->n_cols ? t->n_cols : 1), sizeof *cells);
	if (!cells) {
		t->failed = true;
		return -1;
	}
	t->rows[t->n_rows].kind = kind;
	t->rows[t->n_rows].cells = cells;
	return t->n_rows++;
}

static struct bk_cell *cell(struct bk_table *t, int row, int col)
{
	if (row < 0 || row >= t->n_rows || col < 0 || col >= t->n_cols)
		return NULL;
	return &t->rows[row].cells[col];
}

void bk_table_set(struct bk_table *t, int row, int col, int64_t v)
{
	struct bk_cell *c = cell(t, row, col);
	if (c) {
		c->set = true;
		c->v = v;
	}
}

void bk_table_add(struct bk_table *t, int row, int col, int64_t v)
{
	struct bk_cell *c = cell(t, row, col);
	if (c) {
		c->v = (c->set ? c->v : 0) + v;
		c->set = true;
	}
}

void bk_table_set_text(struct bk_table *t, int row, int col, const char *text)
{
	struct bk_cell *c = cell(t, row, col);
	if (!c)
		return;
	free(c->text);
	c->text = dupstr(t, text ? text : "");
	c->set = c->text != NULL;
}

void bk_table_note(struct bk_table *t, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	char **notes = realloc(t->notes, (size_t)(t->n_notes + 1) * sizeof *notes);
	if (!notes) {
		t->failed = true;
		return;
	}
	t->notes = notes;
	t->notes[t->n_notes] = dupstr(t, buf);
	if (t->notes[t->n_notes])
		t->n_notes++;
}

void bk_table_param(struct bk_table *t, const char *key, const char *value)
{
	struct bk_param *p = realloc(t->params, (size_t)(t->n_params + 1) * sizeof *p);
	if (!p) {
		t->failed = true;
		return;
	}
	t->params = p;
	p[t->n_params].key = dupstr(t, key);
	p[t->n_params].value = dupstr(t, value);
	t->n_params++;
}

void bk_table_append_part(struct bk_table *t, struct bk_table *part)
{
	if (!part) {
		t->failed = true;
		return;
	}
	while (t->next)
		t = t->next;
	t->next = part;
}

static void format_fixed(int64_t v, int64_t unit, int decimals, char *buf, size_t len)
{
	const char *sign = v < 0 ? "-" : "";
	uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	snprintf(buf, len, "%s%llu.%0*llu", sign, (unsigned long long)(a / (uint64_t)unit), decimals,
	         (unsigned long long)(a % (uint64_t)unit));
}

void bk_table_cell_text(const struct bk_table *t, int row, int col, bool for_csv, bool ascii, char *buf, size_t len)
{
	buf[0] = '\0';
	if (row < 0 || row >= t->n_rows || col < 0 || col >= t->n_cols)
		return;
	const struct bk_cell *c = &t->rows[row].cells[col];
	if (!c->set)
		return;
	switch (t->cols[col].type) {
	case BK_COL_TEXT:
		snprintf(buf, len, "%s",
		         !c->text                         ? ""
		         : for_csv || !t->cols[col].words ? c->text
		                                          : bk_status_words(c->text));
		break;
	case BK_COL_INT:
		snprintf(buf, len, "%lld", (long long)c->v);
		break;
	case BK_COL_MONEY:
		if (for_csv)
			money_format_plain(c->v, buf, len);
		else
			money_format(c->v, ascii, buf, len);
		break;
	case BK_COL_DATE:
		cal_format_date((int32_t)c->v, buf, len);
		break;
	case BK_COL_TIME:
		if (for_csv)
			cal_format_utc(c->v, buf, len);
		else
			cal_format_local(c->v, buf, len);
		break;
	case BK_COL_HOURS:
		hours_format((int)c->v, buf, len);
		break;
	case BK_COL_PERCENT:
		if (for_csv) {
			format_fixed(c->v, 100, 2, buf, len);
		} else {
			char tmp[32];
			format_fixed((c->v + (c->v < 0 ? -5 : 5)) / 10, 10, 1, tmp, sizeof tmp);
			snprintf(buf, len, "%s%%", tmp);
		}
		break;
	case BK_COL_TENTHS:
		format_fixed(c->v, 10, 1, buf, len);
		break;
	}
}

/* ---- CSV ---- */

static bool csv_text(FILE *f, const char *s)
{
	/* A spreadsheet runs a cell that starts like a formula: neutralise it. */
	if (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r') {
		size_t n = strlen(s);
		char *q = malloc(n + 2);
		if (!q)
			return false;
		q[0] = '\'';
		memcpy(q + 1, s, n + 1);
		int rc = csv_fwrite(f, q, n + 1);
		free(q);
		return rc == 0;
	}
	return csv_fwrite(f, s, strlen(s)) == 0;
}

static bool write_csv_part(const struct bk_table *t, FILE *f)
{
	bool ok = true;
	for (int c = 0; ok && c < t->n_cols; c++) {
		char head[512];
		const struct bk_column *col = &t->cols[c];
		if (col->group)
			snprintf(head, sizeof head, "%s: %s", col->group, col->label);
		else
			snprintf(head, sizeof head, "%s", col->label);
		if (c)
			ok = fputc(',', f) != EOF;
		ok = ok && csv_text(f, head);
	}
	ok = ok && fputs("\r\n", f) != EOF;
	size_t cap = 4096;
	char *buf = malloc(cap);
	if (!buf)
		return false;
	for (int r = 0; ok && r < t->n_rows; r++) {
		for (int c = 0; ok && c < t->n_cols; c++) {
			if (c)
				ok = fputc(',', f) != EOF;
			const struct bk_cell *cl = &t->rows[r].cells[c];
			if (!ok || !cl->set)
				continue;
			if (t->cols[c].type == BK_COL_TEXT) {
				ok = csv_text(f, cl->text ? cl->text : "");
				continue;
			}
			bk_table_cell_text(t, r, c, true, true, buf, cap);
			/* Numbers stay numbers (a negative amount is not a formula);
			 * dates and times hold no comma or quote. */
			ok = fputs(buf, f) != EOF;
		}
		ok = ok && fputs("\r\n", f) != EOF;
	}
	free(buf);
	return ok;
}

bool bk_table_write_csv(const struct bk_table *t, FILE *f)
{
	bool ok = write_csv_part(t, f);
	for (const struct bk_table *p = t->next; ok && p; p = p->next) {
		ok = fputs("\r\n", f) != EOF && csv_text(f, p->title) && fputs("\r\n", f) != EOF;
		ok = ok && write_csv_part(p, f);
	}
	return ok && fflush(f) == 0 && !ferror(f);
}

/* ---- JSON ---- */

static const char *const row_kind_names[] = { "data", "section", "total" };

static json_t *table_json(const struct bk_table *t)
{
	json_t *o = json_object();
	json_t *cols = json_array(), *rows = json_array(), *notes = json_array();
	json_object_set_new(o, "title", bk_json_text(t->title));
	for (int c = 0; c < t->n_cols; c++) {
		const struct bk_column *col = &t->cols[c];
		json_t *j = json_pack("{ss so ss}", "key", col->key, "label", bk_json_text(col->label), "type",
		                      bk_col_type_name(col->type));
		if (col->group)
			json_object_set_new(j, "group", bk_json_text(col->group));
		json_array_append_new(cols, j);
	}
	char buf[128], key[160];
	for (int r = 0; r < t->n_rows; r++) {
		json_t *row = json_object();
		json_object_set_new(row, "row_kind", json_string(row_kind_names[t->rows[r].kind]));
		for (int c = 0; c < t->n_cols; c++) {
			const struct bk_column *col = &t->cols[c];
			const struct bk_cell *cl = &t->rows[r].cells[c];
			if (!cl->set) {
				json_object_set_new(row, col->key, json_null());
				continue;
			}
			switch (col->type) {
			case BK_COL_TEXT:
				json_object_set_new(row, col->key, bk_json_text(cl->text));
				break;
			case BK_COL_INT:
				json_object_set_new(row, col->key, json_integer(cl->v));
				break;
			case BK_COL_DATE:
			case BK_COL_TIME:
				bk_table_cell_text(t, r, c, true, false, buf, sizeof buf);
				json_object_set_new(row, col->key, json_string(buf));
				break;
			case BK_COL_MONEY:
			case BK_COL_HOURS:
			case BK_COL_PERCENT:
			case BK_COL_TENTHS:
				json_object_set_new(row, col->key, json_integer(cl->v));
				bk_table_cell_text(t, r, c, false, false, buf, sizeof buf);
				snprintf(key, sizeof key, "%s_display", col->key);
				json_object_set_new(row, key, bk_json_text(buf));
				break;
			}
		}
		json_array_append_new(rows, row);
	}
	for (int i = 0; i < t->n_notes; i++)
		json_array_append_new(notes, bk_json_text(t->notes[i]));
	json_object_set_new(o, "columns", cols);
	json_object_set_new(o, "rows", rows);
	json_object_set_new(o, "notes", notes);
	return o;
}

json_t *params_json(const struct bk_table *t)
{
	json_t *params = json_object();
	for (int i = 0; i < t->n_params; i++)
		json_object_set_new(params, t->params[i].key, bk_json_text(t->params[i].value));
	return params;
}

json_t *bk_table_json(const struct bk_table *t)
{
	json_t *o = json_object();
	json_object_set_new(o, "report", bk_json_text(t->name));
	json_object_set_new(o, "parameters", params_json(t));
	json_t *main = table_json(t);
	json_object_update(o, main);
	json_decref(main);
	json_t *parts = json_array();
	for (const struct bk_table *p = t->next; p; p = p->next)
		json_array_append_new(parts, table_json(p));
	json_object_set_new(o, "parts", parts);
	return o;
}
