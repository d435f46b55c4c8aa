/* What the command handlers share (tui/commands.h). The handlers, in
 * groups: commands_admin.c, commands_audit.c, commands_provider.c,
 * commands_referral.c and commands_data.c; each collects its arguments,
 * calls one core function, and prints the result in words or as JSON. */
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "conf/conf.h"
#include "core/brokerage.h"
#include "core/report.h"
#include "core/text.h"
#include "cli/cli.h"

#include "cli/commands.h"

/* ---- shared helpers ---- */


json_t *jtime(int64_t t)
{
	if (!t)
		return json_null();
	char buf[32];
	cal_format_utc(t, buf, sizeof buf);
	return json_string(buf);
}

json_t *jdate(int32_t d)
{
	if (d == STORE_NO_DATE)
		return json_null();
	char buf[16];
	cal_format_date(d, buf, sizeof buf);
	return json_string(buf);
}

/* Money in JSON: KEY is whole pence, KEY_display the amount as shown. */
void set_money(json_t *o, const char *key, int64_t pence)
{
	char buf[48], display[64];
	money_format(pence, false, buf, sizeof buf);
	snprintf(display, sizeof display, "%s_display", key);
	json_object_set_new(o, key, json_integer(pence));
	json_object_set_new(o, display, json_string(buf));
}


/* The end of every command: the message, or the refusal, and the status. */


bool parse_int(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
	if (!s || !*s)
		return false;
	char *end = NULL;
	long long v = strtoll(s, &end, 10);
	if (*end || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

/* Positional argument i as an id. */
bool pos_id(struct cli *c, int i, const char *what, int64_t *id)
{
	if (i >= c->args.npos || !parse_int(c->args.pos[i], 1, INT64_MAX, id)) {
		char m[128];
		snprintf(m, sizeof m, "give the %s as a number", what);
		cli_usage(c, m);
		return false;
	}
	return true;
}

bool expect_version(struct cli *c, int64_t *v)
{
	const char *s = cli_opt(c, "expect-version");
	*v = 0;
	if (!s)
		return true;
	if (!parse_int(s, 1, INT64_MAX, v)) {
		cli_usage(c, "--expect-version takes the version number you saw");
		return false;
	}
	return true;
}

bool no_extra(struct cli *c, int allowed)
{
	if (c->args.npos > allowed) {
		char m[256];
		snprintf(m, sizeof m, "unexpected argument '%s'", c->args.pos[allowed]);
		cli_usage(c, m);
		return false;
	}
	return true;
}

/* A --district option as the configured name (any case); NULL when absent.
 * Sets *bad when it names no configured district. */
const char *district_opt(struct cli *c, bool *bad)
{
	const char *d = cli_opt(c, "district");
	*bad = false;
	if (!d)
		return NULL;
	int i = bk_settings_district_index(c->ctx.settings, d);
	if (i < 0) {
		*bad = true;
		return NULL;
	}
	return c->ctx.settings->districts[i].name;
}

/* A command-line list's table: its columns in order. */
struct bk_table *list_table(const char *name, const char *title, const struct list_col *cols, int n)
{
	struct bk_table *t = bk_table_create(name, title);
	for (int k = 0; t && k < n; k++)
		if (bk_table_add_column(t, cols[k].key, cols[k].label, NULL, cols[k].type) < 0)
			t->failed = true;
	return t;
}

/* Starts a list into o: a JSON array with --json, else a table. */
bool list_begin(struct cli *c, struct list_out *o, const char *name, const char *title, const struct list_col *cols,
                int n)
{
	*o = (struct list_out){ .c = c };
	if (c->json)
		o->arr = json_array();
	else
		o->t = list_table(name, title, cols, n);
	return o->arr || o->t;
}

/* A data row of t, one argument for each column: a const char * (NULL:
 * empty) for a text column, an int64_t for any other. */
void table_row(struct bk_table *t, ...)
{
	int row = bk_table_add_row(t, BK_ROW_DATA);
	va_list ap;
	va_start(ap, t);
	for (int k = 0; row >= 0 && k < t->n_cols; k++) {
		if (t->cols[k].type != BK_COL_TEXT)
			bk_table_set(t, row, k, va_arg(ap, int64_t));
		else {
			const char *s = va_arg(ap, const char *);
			if (s)
				bk_table_set_text(t, row, k, s);
		}
	}
	va_end(ap);
}

/* A list command's end: on failure both are freed and the reason said;
 * otherwise the JSON or the table is printed. */
enum bk_status list_finish(struct cli *c, enum bk_status st, json_t *json, struct bk_table *t)
{
	if (st == BK_OK && ((!json && !t) || (t && t->failed)))
		st = BK_STORAGE;
	if (st == BK_OK && json)
		cli_print_json(json);
	else
		json_decref(json);
	if (st == BK_OK && t)
		print_table(c, t);
	bk_table_destroy(t);
	return st == BK_OK ? BK_OK : cli_finish(c, st, NULL);
}

/* After a referral action: JSON with its id, version and status now. */
enum bk_status referral_done(struct cli *c, enum bk_status st, int64_t id)
{
	if (st != BK_OK)
		return cli_finish(c, st, NULL);
	struct store_referral r;
	json_t *o = NULL;
	if (c->json && bk_referral_get(&c->ctx, id, &r) == BK_OK)
		o = json_pack("{sI sI ss}", "id", (json_int_t)id, "version", (json_int_t)r.version, "status",
		              wf_status_name(r.status));
	return cli_finish(c, BK_OK, o);
}
