/* What the command handlers (cli/commands*.c) share: reading their
 * arguments and writing JSON. The handlers themselves are declared in
 * cli/cli.h from cli/commands.def. */
#ifndef BK_COMMANDS_H
#define BK_COMMANDS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/report.h"
#include "cli/cli.h"

/* An instant (0: null) and a day (STORE_NO_DATE: null) as JSON. */
json_t *jtime(int64_t t);
json_t *jdate(int32_t d);
/* Money in JSON: KEY is whole pence, KEY_display the amount as shown. */
void set_money(json_t *o, const char *key, int64_t pence);
/* A whole number in [lo, hi]; false when s is not one. */
bool parse_int(const char *s, int64_t lo, int64_t hi, int64_t *out);
/* Positional argument i as an id (a usage error when it is not). */
bool pos_id(struct cli *c, int i, const char *what, int64_t *id);
/* --expect-version, 0 when not given (a usage error when it is bad). */
bool expect_version(struct cli *c, int64_t *v);
/* No more than `allowed` positional arguments (a usage error otherwise). */
bool no_extra(struct cli *c, int allowed);
/* A --district option as the configured name (any case); NULL when absent.
 * Sets *bad when it names no configured district. */
const char *district_opt(struct cli *c, bool *bad);
/* A table on the terminal as the reports print it (tui/commands_data.c):
 * its title, the column labels, the rows, its notes; every part. */
void print_table(struct cli *c, const struct bk_table *t);
/* A command-line list's table: its columns in order (the failed flag set
 * when out of memory; NULL when not even the table could be made). */
struct list_col {
	const char *key, *label;
	enum bk_col_type type;
};
struct bk_table *list_table(const char *name, const char *title, const struct list_col *cols, int n);
/* What a list command's rows go into: a JSON array (--json) or a table. */
struct list_out {
	struct cli *c;
	json_t *arr;
	struct bk_table *t;
};
/* Starts a list into o: a JSON array with --json, else a table of the
 * columns. False when out of memory. */
bool list_begin(struct cli *c, struct list_out *o, const char *name, const char *title, const struct list_col *cols,
                int n);
/* A data row of t, one argument for each column: a const char * (NULL:
 * empty) for a text column, an int64_t (cast it) for any other. Running
 * out of memory sets t->failed. */
void table_row(struct bk_table *t, ...);
/* A list command's end: json (--json) or t (text) is printed when st is
 * BK_OK and nothing ran out of memory; otherwise both are freed and the
 * reason is said. */
enum bk_status list_finish(struct cli *c, enum bk_status st, json_t *json, struct bk_table *t);
/* A message of the outbox as JSON. */
json_t *mail_json(const struct bk_mail_view *v);
/* After a referral action: JSON with its id, version and status now. */
enum bk_status referral_done(struct cli *c, enum bk_status st, int64_t id);

#endif
