/* The commands that check the database and its audit trail: check, backup, restore, audit
 * verify and audit log. */
#include <inttypes.h>
#include <jansson.h>
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

/* ---- check, backup, audit ---- */

static void log_head(struct cli *c, const char *what);

struct problems {
	struct cli *c;
	json_t *arr;
};

static void report_problem(void *ud, const char *what)
{
	struct problems *p = ud;
	if (p->arr)
		json_array_append_new(p->arr, cli_jtext(what));
	else {
		fputs("problem: ", stdout);
		out_text(p->c, stdout, what);
		fputc('\n', stdout);
	}
}

enum bk_status cmd_check(struct cli *c)
{
	struct problems p = { c, c->json ? json_array() : NULL };
	struct bk_check_result res;
	enum bk_status st = bk_check(&c->ctx, cli_flag(c, "quick"), cli_flag(c, "deep"), report_problem, &p, &res);
	if (st != BK_OK) {
		json_decref(p.arr);
		return cli_finish(c, st, NULL);
	}
	int n = res.problems;
	log_head(c, "check");
	if (p.arr) {
		cli_print_json(json_pack("{sb so sI si sI}", "ok", n == 0, "problems", p.arr, "events",
		                         (json_int_t)res.events, "schema_version", res.schema_version, "problem_count",
		                         (json_int_t)n));
	} else if (n == 0) {
		out_line(c, "ok: integrity, foreign keys, schema version %d and %" PRId64 " audit events all check out",
		         res.schema_version, res.events);
	} else {
		out_line(c,
		         "%d problem%s found: if the file is damaged, restore the last good backup with "
		         "'brokerage restore FILE' (an administrator)",
		         n, n == 1 ? "" : "s");
	}
	return n == 0 ? BK_OK : BK_STORAGE;
}

enum bk_status cmd_backup(struct cli *c)
{
	if (c->args.npos != 1)
		return cli_usage(c, "give the file to write the backup to");
	int64_t seq = 0;
	char hex[2 * STORE_HASH_BYTES + 1] = "";
	enum bk_status st = bk_backup(&c->ctx, c->args.pos[0], &seq, hex);
	if (st != BK_OK)
		return cli_finish(c, st, NULL);
	log_head(c, "backup");
	snprintf(c->ctx.msg, sizeof c->ctx.msg,
	         "backed up to %s and checked the copy; the audit trail then ended at event %" PRId64 " (%.16s...): "
	         "'audit verify --anchor %s' checks the live trail still holds it",
	         c->args.pos[0], seq, hex, c->args.pos[0]);
	return cli_finish(c, BK_OK, c->json ? json_pack("{ss}", "backup", c->args.pos[0]) : NULL);
}

enum bk_status cmd_restore(struct cli *c)
{
	if (c->args.npos != 1)
		return cli_usage(c, "give the backup file to restore");
	char keep[600], stamp[32];
	cal_format_utc(c->ctx.now, stamp, sizeof stamp);
	for (char *p = stamp; *p; p++)
		if (*p == ':')
			*p = '-';
	/* A second restore within the same second keeps its copy under the
	 * next free name, never over the first. */
	struct stat sb;
	int n = 1;
	do {
		char suffix[16] = "";
		if (n > 1)
			snprintf(suffix, sizeof suffix, "-%d", n);
		if ((size_t)snprintf(keep, sizeof keep, "%s.before-restore-%s%s", c->db_path, stamp, suffix) >=
		    sizeof keep) {
			snprintf(c->ctx.msg, sizeof c->ctx.msg,
			         "the database path is too long to keep a copy beside it");
			return cli_finish(c, BK_REFUSED, NULL);
		}
	} while (lstat(keep, &sb) == 0 && ++n < 100);
	enum bk_status st = bk_restore(&c->ctx, c->args.pos[0], keep);
	return cli_finish(c, st,
	                  c->json && st == BK_OK ? json_pack("{ss ss}", "restored_from", c->args.pos[0], "kept", keep)
	                                         : NULL);
}

/* Moving a team between engines: the database opened (--db, or --from's)
 * copied into the other (--to's, or the new file --db names). */
enum bk_status cmd_migrate(struct cli *c)
{
	const char *to = cli_opt(c, "to"), *from = cli_opt(c, "from");
	if (c->args.npos != 0 || (to && from) || (!to && !from))
		return cli_usage(c, "give either --to CONNINFO (the --db file into an empty PostgreSQL database) or "
		                    "--from CONNINFO (a PostgreSQL database into the new file --db names)");
	struct bk_migrate_result r;
	enum bk_status st = bk_migrate(&c->ctx, to != NULL, to ? to : from, to ? c->db_path : c->migrate_into, &r);
	if (st != BK_OK)
		return cli_finish(c, st, NULL);
	log_head(c, "migrate");
	snprintf(c->ctx.msg, sizeof c->ctx.msg,
	         "copied %" PRId64 " tables (%" PRId64 " rows) into %.600s and checked them there: every table's rows "
	         "counted, and the audit trail verified, ending at event %" PRId64 " (%.16s...) as in the source",
	         r.tables, r.rows, r.target, r.head_seq, r.head_hex);
	return cli_finish(c, BK_OK,
	                  c->json ? json_pack("{ss sI sI sI sI ss}", "migrated_to", r.target, "tables",
	                                      (json_int_t)r.tables, "rows", (json_int_t)r.rows, "events",
	                                      (json_int_t)r.events, "head_seq", (json_int_t)r.head_seq, "head",
	                                      r.head_hex)
	                          : NULL);
}

/* The head of the trail to the system log (LOG_AUTHPRIV), which nobody
 * who can only write the database can rewrite: compare it with
 * 'journalctl -t brokerage' or /var/log/auth.log. */
static void log_head(struct cli *c, const char *what)
{
	int64_t seq;
	char hex[2 * STORE_HASH_BYTES + 1], path[1024];
	if (bk_audit_head(&c->ctx, &seq, hex) != BK_OK)
		return;
	text_sanitize(bk_path(&c->ctx), path, sizeof path, true);
	openlog("brokerage", LOG_PID, LOG_AUTHPRIV);
	syslog(LOG_NOTICE, "%s: audit head of %s: event %" PRId64 " %s (by %s)", what, path, seq, hex, c->login);
	closelog();
}

/* One anchor checked: a line of the report, true when it matches. */
static bool anchor_line(struct cli *c, json_t *arr, const char *name, const struct store_anchor_check *a)
{
	char line[700];
	bool good = a->bad_seq == 0;
	if (a->missing)
		snprintf(line, sizeof line, "anchor %.300s: not found, not checked", name);
	else if (!good)
		snprintf(line, sizeof line, "ANCHOR DOES NOT MATCH: %.300s: %s", name, a->problem);
	else
		snprintf(line, sizeof line, "anchor %.300s: %" PRId64 " head%s up to event %" PRId64 " match%s%s", name,
		         a->heads, a->heads == 1 ? "" : "s", a->newest, a->heads == 1 ? "es" : "",
		         a->before_restore ? " (heads from before a restore not checked)" : "");
	if (arr)
		json_array_append_new(arr,
		                      json_pack("{so sb sI sI so}", "anchor", cli_jtext(name), "checked", !a->missing,
		                                "heads", (json_int_t)a->heads, "newest", (json_int_t)a->newest,
		                                "problem", good ? json_null() : cli_jtext(a->problem)));
	else
		out_line(c, "%s", line);
	return good;
}

/* The anchor file beside the database, and each --anchor FILE (a backup
 * of this database, or an anchor file copied elsewhere). */
static bool check_anchors(struct cli *c, json_t *arr, bool with_options)
{
	bool good = true;
	char path[1100];
	struct store_anchor_check a;
	if (bk_anchor_path(&c->ctx, path, sizeof path) && bk_anchor_check(&c->ctx, path, &a) == BK_OK)
		good = anchor_line(c, arr, path, &a) && good;
	const char *files[16];
	int n = with_options ? cli_opt_all(c, "anchor", files, 16) : 0;
	for (int i = 0; i < n; i++)
		if (bk_anchor_check(&c->ctx, files[i], &a) == BK_OK)
			good = anchor_line(c, arr, files[i], &a) && good;
	return good;
}

enum bk_status cmd_audit_verify(struct cli *c)
{
	struct store_verify v;
	enum bk_status st = bk_audit_verify(&c->ctx, &v);
	if (st != BK_OK)
		return cli_finish(c, st, NULL);
	json_t *anchors = c->json ? json_array() : NULL;
	if (!c->json) {
		if (v.bad_seq == 0)
			out_line(c, "ok: the audit chain of %" PRId64 " events verifies", v.events);
		else
			out_line(c, "TAMPERED: event %" PRId64 " does not match: %s", v.bad_seq, v.problem);
	}
	bool anchored = check_anchors(c, anchors, true);
	log_head(c, "audit verify");
	if (c->json)
		cli_print_json(json_pack("{sb sI so so so}", "ok", v.bad_seq == 0 && anchored, "events",
		                         (json_int_t)v.events, "first_bad",
		                         v.bad_seq ? json_integer(v.bad_seq) : json_null(), "problem",
		                         v.bad_seq ? json_string(v.problem) : json_null(), "anchors", anchors));
	else
		out_line(c, "the head is also written to the system log (journalctl -t brokerage): compare it there");
	return v.bad_seq == 0 && anchored ? BK_OK : BK_STORAGE;
}

static int event_row(void *ud, const struct store_event *e)
{
	struct list_out *o = ud;
	char when[32];
	cal_format_utc(e->at, when, sizeof when);
	if (o->arr) {
		json_t *before = e->before ? json_loads(e->before, 0, NULL) : NULL;
		json_t *after = e->after ? json_loads(e->after, 0, NULL) : NULL;
		json_array_append_new(o->arr, json_pack("{sI ss ss ss ss sI so so so sb}", "seq", (json_int_t)e->seq,
		                                        "at", when, "actor", e->actor, "action", e->action, "entity",
		                                        e->entity, "entity_id", (json_int_t)e->entity_id, "referral",
		                                        e->referral_id ? json_integer(e->referral_id) : json_null(),
		                                        "before", before ? before : json_null(), "after",
		                                        after ? after : json_null(), "erased", e->payload_erased));
		return 0;
	}
	char entity[96], login[64], by[96] = "";
	snprintf(entity, sizeof entity, "%s %" PRId64, e->entity, e->entity_id);
	if (!e->payload_erased && bk_event_run_by(e->after, login, sizeof login))
		snprintf(by, sizeof by, "by the sweep, run by %s", login);
	char ref[24] = "";
	if (e->referral_id)
		snprintf(ref, sizeof ref, "%" PRId64, e->referral_id);
	table_row(o->t, e->seq, when, e->actor, e->action, entity, ref, by);
	return o->t->failed;
}

enum bk_status cmd_audit_log(struct cli *c)
{
	enum bk_status rd = bk_record_bulk_read(&c->ctx, c->json ? "audit log --json" : "audit log");
	if (rd != BK_OK)
		return cli_finish(c, rd, NULL);
	struct store_event_filter f = { 0 };
	const char *s;
	int64_t v;
	if ((s = cli_opt(c, "referral"))) {
		if (!parse_int(s, 1, INT64_MAX, &v))
			return cli_usage(c, "--referral takes a referral id");
		f.referral_id = v;
	}
	if ((s = cli_opt(c, "since"))) {
		char err[256];
		if (!cal_parse_time(s, &f.since, err, sizeof err)) {
			snprintf(c->ctx.msg, sizeof c->ctx.msg, "--since: %s", err);
			return cli_finish(c, BK_USAGE, NULL);
		}
	}
	if ((s = cli_opt(c, "limit"))) {
		if (!parse_int(s, 1, INT64_MAX, &v))
			return cli_usage(c, "--limit takes a number");
		f.limit = v;
	}
	f.actor = cli_opt(c, "actor");
	f.action = cli_flag(c, "reads") ? "referral.read" : cli_opt(c, "action");
	static const struct list_col cols[] = {
		{ "seq", "SEQ", BK_COL_INT },        { "at", "AT", BK_COL_TEXT },
		{ "actor", "ACTOR", BK_COL_TEXT },   { "action", "ACTION", BK_COL_TEXT },
		{ "entity", "ENTITY", BK_COL_TEXT }, { "referral", "REFERRAL", BK_COL_TEXT },
		{ "note", "NOTE", BK_COL_TEXT },
	};
	struct list_out o;
	enum bk_status st = list_begin(c, &o, "audit", "Audit events", cols, 7)
	                            ? bk_audit_each(&c->ctx, &f, event_row, &o)
	                            : BK_STORAGE;
	return list_finish(c, st, o.arr, o.t);
}
