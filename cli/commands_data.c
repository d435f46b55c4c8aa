/* The command-line handlers for reports, import, export and the
 * data-protection duties: each collects its arguments, calls one core
 * function, and prints the result as a table, CSV or JSON. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/brokerage.h"
#include "core/report.h"
#include "core/text.h"
#include "cli/cli.h"
#include "cli/commands.h"

/* ---- tables on a terminal ---- */

#define MAX_WIDTH 40

/* One cell at line[*off], after two spaces unless it is the first: padded
 * or cut to w characters (not bytes: "£" is two), to the left or the right;
 * w < 0 writes it whole. */
static void put_cell(char *line, size_t *off, size_t cap, int k, const char *text, int w, bool left)
{
	if (k)
		*off += (size_t)snprintf(line + *off, cap - *off, "  ");
	size_t n = text_chars(text), bytes = strlen(text);
	if (w >= 0 && n > (size_t)w) {
		const char *p = text;
		for (int i = 0; i <= w && *p; p++)
			if ((*p & 0xC0) != 0x80 && ++i > w)
				break;
		bytes = (size_t)(p - text);
		n = (size_t)w;
	}
	int pad = w > (int)n ? w - (int)n : 0;
	*off += (size_t)snprintf(line + *off, cap - *off, "%*s%.*s%*s", left ? 0 : pad, "", (int)bytes, text,
	                         left ? pad : 0, "");
}

/* A line of cells, without the padding after its last. */
static void put_line(struct cli *c, char *line, size_t off)
{
	while (off > 0 && line[off - 1] == ' ')
		off--;
	line[off] = '\0';
	out_line(c, "%s", line);
}

static void print_part(struct cli *c, const struct bk_table *t)
{
	char cellbuf[512];
	int *w = calloc((size_t)(t->n_cols ? t->n_cols : 1), sizeof *w);
	if (!w)
		return;
	bool groups = false;
	for (int k = 0; k < t->n_cols; k++) {
		w[k] = (int)text_chars(t->cols[k].label);
		groups = groups || t->cols[k].group;
		for (int r = 0; r < t->n_rows; r++) {
			if (t->rows[r].kind == BK_ROW_SECTION && k == 0)
				continue;
			bk_table_cell_text(t, r, k, false, c->ascii, cellbuf, sizeof cellbuf);
			int n = (int)text_chars(cellbuf);
			if (n > w[k])
				w[k] = n;
		}
		if (w[k] > MAX_WIDTH)
			w[k] = MAX_WIDTH;
	}
	size_t cap = 64;
	for (int k = 0; k < t->n_cols; k++)
		cap += (size_t)w[k] * 4 + 2;
	cap += sizeof cellbuf; /* the last text column is written whole */
	char *line = malloc(cap);
	if (!line) {
		free(w);
		return;
	}
	out_line(c, "%s", t->title);
	size_t off;
	if (groups) {
		/* Each group's name over its first column, as the council's sheets do. */
		off = 0;
		const char *last = NULL;
		for (int k = 0; k < t->n_cols; k++) {
			const char *g = t->cols[k].group;
			put_cell(line, &off, cap, k, g && (!last || strcmp(g, last) != 0) ? g : "", w[k], true);
			last = g;
		}
		put_line(c, line, off);
	}
	/* labels aligned as their cells are: text to the left, numbers to the
	 * right; the last text column whole, with nothing after it to keep in line */
	for (int r = -1; r < t->n_rows; r++) {
		off = 0;
		if (r >= 0 && t->rows[r].kind == BK_ROW_SECTION) {
			bk_table_cell_text(t, r, 0, false, c->ascii, cellbuf, sizeof cellbuf);
			out_line(c, "%s", "");
			out_line(c, "%s", cellbuf);
			continue;
		}
		for (int k = 0; k < t->n_cols; k++) {
			bool left = (r < 0 && k == 0) || t->cols[k].type == BK_COL_TEXT;
			if (r >= 0)
				bk_table_cell_text(t, r, k, false, c->ascii, cellbuf, sizeof cellbuf);
			put_cell(line, &off, cap, k, r < 0 ? t->cols[k].label : cellbuf,
			         left && k == t->n_cols - 1 ? -1 : w[k], left);
		}
		put_line(c, line, off);
	}
	for (int i = 0; i < t->n_notes; i++)
		out_line(c, "note: %s", t->notes[i]);
	free(line);
	free(w);
}

void print_table(struct cli *c, const struct bk_table *t)
{
	for (const struct bk_table *p = t; p; p = p->next) {
		if (p != t)
			putchar('\n');
		print_part(c, p);
	}
}

/* ---- where a table goes ---- */

/* A command's table goes to a file (--csv FILE), as CSV or JSON to
 * standard output, or as a table on the terminal. Written out as CSV or
 * JSON it is a data export, recorded in the audit trail before it is
 * written (bk_record_export, bk_export): the file is opened first, so a
 * file that cannot be written records nothing, and an existing file is
 * replaced only once the event is recorded. */
struct dest {
	const char *path; /* the file, or NULL for standard output */
	bool csv, json;   /* neither: a table on the terminal */
	FILE *f;
	bool created; /* the file is new: removed again if nothing is written */
	bool regular; /* a plain file (not /dev/null or a pipe): emptied before writing */
};

static void dest_choose(struct cli *c, bool csv_default, struct dest *d)
{
	const char *csv = cli_opt(c, "csv");
	*d = (struct dest){ .f = stdout };
	if (csv && *csv) {
		d->csv = true;
		d->path = strcmp(csv, "-") == 0 ? NULL : csv;
	} else if (c->json) {
		d->json = true;
	} else {
		d->csv = csv_default;
	}
}

/* Open the file owner-only (reports and lists name cases), not yet
 * emptying one that exists. */
static enum bk_status dest_open(struct cli *c, struct dest *d)
{
	if (!d->path)
		return BK_OK;
	int fd = open(d->path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	d->created = fd >= 0;
	/* An existing file is written only if it is a regular file of the
	 * user's own: never a FIFO or a device (opened without waiting for a
	 * reader), nor a file another user owns. */
	if (fd < 0 && errno == EEXIST)
		fd = open(d->path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 && errno == ENXIO) { /* a FIFO nobody reads, or a device that is not there */
		snprintf(c->ctx.msg, sizeof c->ctx.msg,
		         "%s is not a regular file (a pipe, a device or a directory): give a new file's name", d->path);
		return cli_finish(c, BK_REFUSED, NULL);
	}
	struct stat sb;
	bool known = fd >= 0 && fstat(fd, &sb) == 0;
	d->regular = known && S_ISREG(sb.st_mode);
	if (fd >= 0 && !d->created && (!d->regular || sb.st_uid != geteuid())) {
		snprintf(c->ctx.msg, sizeof c->ctx.msg,
		         !d->regular
		                 ? "%s is not a regular file (a pipe, a device or a directory): give a new file's name"
		                 : "%s belongs to another user: give a new file's name",
		         d->path);
		close(fd);
		return cli_finish(c, BK_REFUSED, NULL);
	}
	if (fd >= 0 && !d->created) {
		int fl = fcntl(fd, F_GETFL);
		if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0) {
			snprintf(c->ctx.msg, sizeof c->ctx.msg, "cannot write %s: %s", d->path, strerror(errno));
			close(fd);
			return cli_finish(c, BK_REFUSED, NULL);
		}
	}
	/* A file replaced is made owner-only too, as a new one is. */
	if (d->regular && !d->created && (sb.st_mode & 077) && fchmod(fd, 0600) != 0) {
		snprintf(c->ctx.msg, sizeof c->ctx.msg, "cannot make %s private: %s", d->path, strerror(errno));
		close(fd);
		return cli_finish(c, BK_REFUSED, NULL);
	}
	d->f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (d->f)
		return BK_OK;
	snprintf(c->ctx.msg, sizeof c->ctx.msg, "cannot write %s: %s", d->path, strerror(errno));
	if (fd >= 0)
		close(fd);
	if (d->created)
		unlink(d->path);
	return cli_finish(c, BK_REFUSED, NULL);
}

/* Nothing is to be written after all: a new file goes, an old one stays
 * as it was. */
static void dest_abandon(struct dest *d)
{
	if (!d->path)
		return;
	fclose(d->f);
	if (d->created)
		unlink(d->path);
}

/* CSV for a terminal: each line through the sanitiser, as every other
 * listing is (a file or a pipe gets the bytes as they are). */
static enum bk_status csv_to_terminal(struct cli *c, struct bk_table *t)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	bool ok = m && bk_table_write_csv(t, m);
	if (m)
		ok = fclose(m) == 0 && ok;
	bk_table_destroy(t);
	if (!ok) {
		free(buf);
		snprintf(c->ctx.msg, sizeof c->ctx.msg, "writing the CSV to standard output failed");
		return cli_finish(c, BK_STORAGE, NULL);
	}
	for (char *line = buf, *nl; line && *line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		out_text(c, stdout, line);
		fputc('\n', stdout);
	}
	free(buf);
	return BK_OK;
}

/* Write t (and release it) and finish the command. */
static enum bk_status dest_write(struct cli *c, struct dest *d, struct bk_table *t)
{
	if (!d->csv && !d->json) {
		print_table(c, t);
		bk_table_destroy(t);
		return BK_OK;
	}
	if (d->json && !d->path) {
		cli_print_json(bk_table_json(t));
		bk_table_destroy(t);
		return BK_OK;
	}
	if (!d->path && isatty(STDOUT_FILENO))
		return csv_to_terminal(c, t);
	bool ok = (!d->regular || ftruncate(fileno(d->f), 0) == 0) && bk_table_write_csv(t, d->f);
	int saved = errno;
	int rows = 0;
	for (const struct bk_table *p = t; p; p = p->next)
		rows += p->n_rows;
	if (!d->path) {
		bk_table_destroy(t);
		if (ok)
			return BK_OK;
		snprintf(c->ctx.msg, sizeof c->ctx.msg, "writing the CSV to standard output failed");
		return cli_finish(c, BK_STORAGE, NULL);
	}
	ok = fclose(d->f) == 0 && ok;
	if (!ok) {
		/* A half-written file is worse than none. */
		snprintf(c->ctx.msg, sizeof c->ctx.msg, "writing %s failed: %s%s", d->path,
		         strerror(errno ? errno : saved), d->regular ? "; the file was removed" : "");
		if (d->regular)
			unlink(d->path);
		bk_table_destroy(t);
		return cli_finish(c, BK_STORAGE, NULL);
	}
	snprintf(c->ctx.msg, sizeof c->ctx.msg, "wrote %s (%d rows) to %s", t->title, rows, d->path);
	bk_table_destroy(t);
	return cli_finish(c, BK_OK, c->json ? json_pack("{ss si}", "file", d->path, "rows", rows) : NULL);
}

/* ---- report ---- */

enum bk_status cmd_report(struct cli *c)
{
	if (c->args.npos != 1) {
		char m[256];
		size_t off = (size_t)snprintf(m, sizeof m, "name one report:");
		const char *const *names = bk_report_names();
		for (int i = 0; names[i] && off < sizeof m; i++)
			off += (size_t)snprintf(m + off, sizeof m - off, " %s", names[i]);
		return cli_usage(c, m);
	}
	const char *name = c->args.pos[0];
	const struct bk_report_info *info = bk_report_info(name);
	if (info) {
		/* An option the report does not take is a mistake worth saying. */
		static const char *const opts[] = { "on", "from", "to", "by", "week", "fy", NULL };
		for (int i = 0; opts[i]; i++) {
			if (!cli_opt(c, opts[i]))
				continue;
			const char *p = strstr(info->params, opts[i]);
			size_t n = strlen(opts[i]);
			if (!p || (p[n] && p[n] != ' ')) {
				char m[256];
				snprintf(m, sizeof m, "the %s report takes no --%s (brokerage report %s)", name,
				         opts[i], info->usage);
				snprintf(c->ctx.msg, sizeof c->ctx.msg, "%s", m);
				return cli_finish(c, BK_USAGE, NULL);
			}
		}
	}
	struct bk_report_params p = {
		.on = cli_opt(c, "on"),
		.from = cli_opt(c, "from"),
		.to = cli_opt(c, "to"),
		.by = cli_opt(c, "by"),
		.week = cli_opt(c, "week"),
		.fy = cli_opt(c, "fy"),
	};
	struct bk_table *t = NULL;
	enum bk_status st = bk_report(&c->ctx, name, &p, &t);
	if (st != BK_OK)
		return cli_finish(c, st, NULL);
	struct dest d;
	dest_choose(c, false, &d);
	if ((st = dest_open(c, &d)) != BK_OK) {
		bk_table_destroy(t);
		return st;
	}
	if (!d.csv && !d.json && (st = bk_record_bulk_read(&c->ctx, t->name)) != BK_OK) {
		dest_abandon(&d);
		bk_table_destroy(t);
		return cli_finish(c, st, NULL);
	}
	if ((d.csv || d.json) && (st = bk_record_export(&c->ctx, t, d.path)) != BK_OK) {
		dest_abandon(&d);
		bk_table_destroy(t);
		return cli_finish(c, st, NULL);
	}
	return dest_write(c, &d, t);
}

/* ---- export ---- */

enum bk_status cmd_export(struct cli *c)
{
	if (c->args.npos != 1)
		return cli_usage(c, "name one list: referrals, providers, offers or rankings");
	struct dest d;
	dest_choose(c, true, &d);
	enum bk_status st = dest_open(c, &d);
	if (st != BK_OK)
		return st;
	struct bk_table *t = NULL;
	if ((st = bk_export(&c->ctx, c->args.pos[0], d.path, &t)) != BK_OK) {
		dest_abandon(&d);
		return cli_finish(c, st, NULL);
	}
	return dest_write(c, &d, t);
}

/* ---- import ---- */

struct progress {
	bool tty;
	int last_tenth;
};

static void show_progress(void *ud, int done, int total)
{
	struct progress *p = ud;
	if (p->tty) {
		fprintf(stderr, "\rimporting: %d of %d records (%d%%)", done, total,
		        total ? (int)((int64_t)done * 100 / total) : 100);
		if (done == total)
			fputc('\n', stderr);
		fflush(stderr);
		return;
	}
	int tenth = total ? (int)((int64_t)done * 10 / total) : 10;
	if (tenth != p->last_tenth) {
		fprintf(stderr, "importing: %d of %d records\n", done, total);
		p->last_tenth = tenth;
	}
}

enum bk_status cmd_import(struct cli *c)
{
	enum bk_import_kind kind;
	if (c->args.npos != 2 || !bk_import_kind_parse(c->args.pos[0], &kind))
		return cli_usage(
			c, "say what to import (providers, rankings, referrals or responses) and give the CSV file");
	struct progress pr = { .tty = isatty(STDERR_FILENO) == 1, .last_tenth = 0 };
	struct bk_import_result res;
	enum bk_status st = bk_import_file(&c->ctx, kind, c->args.pos[1], show_progress, &pr, &res);
	if (st != BK_OK) {
		json_t *problems = NULL;
		if (res.errors) {
			out_text(c, stderr, "");
			char *save = NULL;
			problems = c->json ? json_array() : NULL;
			for (char *line = strtok_r(res.errors, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
				out_text(c, stderr, line);
				fputc('\n', stderr);
				if (problems)
					json_array_append_new(problems, cli_jtext(line));
			}
		}
		bk_import_result_finish(&res);
		return cli_finish(c, st, problems ? json_pack("{so}", "problems", problems) : NULL);
	}
	json_t *o = c->json ? json_pack("{si si si}", "records", res.rows, "added", res.added, "skipped", res.skipped)
	                    : NULL;
	bk_import_result_finish(&res);
	return cli_finish(c, BK_OK, o);
}

/* ---- data protection ---- */

enum bk_status cmd_subject_access(struct cli *c)
{
	if (c->args.npos != 1)
		return cli_usage(c, "give one case reference");
	const char *dir = cli_opt(c, "out");
	if (!dir || !*dir)
		return cli_usage(c, "give a new directory for the answer with --out");
	int n = 0;
	enum bk_status st = bk_subject_access(&c->ctx, c->args.pos[0], dir, &n);
	return cli_finish(c, st,
	                  st == BK_OK && c->json ? json_pack("{ss si}", "directory", dir, "referrals", n) : NULL);
}

enum bk_status cmd_retention_purge(struct cli *c)
{
	if (c->args.npos != 0)
		return cli_usage(c, "retention purge takes no arguments");
	bool dry = cli_flag(c, "dry-run");
	struct bk_table *t = NULL;
	enum bk_status st = bk_retention_purge(&c->ctx, dry, &t);
	if (t && (st == BK_OK || !c->json)) {
		if (c->json) {
			json_t *o = bk_table_json(t);
			json_object_set_new(o, "dry_run", json_boolean(dry));
			json_object_set_new(o, "message", cli_jtext(c->ctx.msg));
			json_object_set_new(o, "ok", json_true());
			bk_table_destroy(t);
			cli_print_json(o);
			return BK_OK;
		}
		if (t->n_rows)
			print_table(c, t);
	}
	bk_table_destroy(t);
	return cli_finish(c, st, NULL);
}
