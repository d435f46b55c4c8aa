/* The command handlers: each collects its arguments, calls one core
 * function, and prints the result in words or as JSON. */
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
#include "tui/cli.h"

/* ---- shared helpers ---- */


static json_t *jtime(int64_t t)
{
	if (!t)
		return json_null();
	char buf[32];
	cal_format_utc(t, buf, sizeof buf);
	return json_string(buf);
}

static json_t *jdate(int32_t d)
{
	if (d == STORE_NO_DATE)
		return json_null();
	char buf[16];
	cal_format_date(d, buf, sizeof buf);
	return json_string(buf);
}

/* Money in JSON: KEY is whole pence, KEY_display the amount as shown. */
static void set_money(json_t *o, const char *key, int64_t pence)
{
	char buf[48], display[64];
	money_format(pence, false, buf, sizeof buf);
	snprintf(display, sizeof display, "%s_display", key);
	json_object_set_new(o, key, json_integer(pence));
	json_object_set_new(o, display, json_string(buf));
}


/* The end of every command: the message, or the refusal, and the status. */


static bool parse_int(const char *s, int64_t lo, int64_t hi, int64_t *out)
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
static bool pos_id(struct cli *c, int i, const char *what, int64_t *id)
{
	if (i >= c->args.npos || !parse_int(c->args.pos[i], 1, INT64_MAX, id)) {
		char m[128];
		snprintf(m, sizeof m, "give the %s as a number", what);
		cli_usage(c, m);
		return false;
	}
	return true;
}

static bool expect_version(struct cli *c, int64_t *v)
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

static bool no_extra(struct cli *c, int allowed)
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
static const char *district_opt(struct cli *c, bool *bad)
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

/* After a referral action: JSON with its id, version and status now. */
static enum bk_status referral_done(struct cli *c, enum bk_status st, int64_t id)
{
	if (st != BK_OK)
		return cli_finish(c, st, NULL);
	struct store_referral r;
	json_t *o = NULL;
	if (c->json && store_referral_get(c->ctx.store, id, &r) == STORE_OK)
		o = json_pack("{sI sI ss}", "id", (json_int_t)id, "version", (json_int_t)r.version, "status", r.status);
	return cli_finish(c, BK_OK, o);
}

/* ---- init, staff, config ---- */

enum bk_status cmd_init(struct cli *c);
enum bk_status cmd_init(struct cli *c)
{
	if (!no_extra(c, 0))
		return BK_USAGE;
	const char *name = cli_opt(c, "name");
	/* A test-mode database may name its first administrator with --as. */
	const char *admin = c->as && cli_flag(c, "test-mode") ? c->as : c->login;
	enum bk_status st = bk_init(&c->ctx, admin, name ? name : admin, cli_flag(c, "test-mode"));
	return cli_finish(c, st, c->json ? json_pack("{ss ss sb}", "database", c->db_path, "administrator", admin,
	                                         "test_mode", cli_flag(c, "test-mode"))
	                             : NULL);
}

enum bk_status cmd_staff_add(struct cli *c);
enum bk_status cmd_staff_add(struct cli *c)
{
	if (c->args.npos < 1)
		return cli_usage(c, "give the login");
	if (!no_extra(c, 1))
		return BK_USAGE;
	return cli_finish(c, bk_staff_add(&c->ctx, c->args.pos[0], cli_opt(c, "name"), cli_opt(c, "role")), NULL);
}

struct staff_out {
	struct cli *c;
	json_t *arr;
};

static int staff_row(void *ud, const struct store_staff *s)
{
	struct staff_out *o = ud;
	if (o->arr)
		json_array_append_new(o->arr, json_pack("{ss so ss sb}", "login", s->login, "name", cli_jtext(s->name), "role",
		                                        s->role, "active", s->active));
	else
		out_line(o->c, "%-16s %-12s %-8s %s", s->login, s->role, s->active ? "active" : "inactive", s->name);
	return 0;
}

enum bk_status cmd_staff_list(struct cli *c);
enum bk_status cmd_staff_list(struct cli *c)
{
	struct staff_out o = { c, c->json ? json_array() : NULL };
	if (!o.arr)
		out_line(c, "%-16s %-12s %-8s %s", "LOGIN", "ROLE", "STATE", "NAME");
	enum store_status ss = store_staff_each(c->ctx.store, staff_row, &o);
	if (ss != STORE_OK) {
		json_decref(o.arr);
		return cli_finish(c, bk_from_store(&c->ctx, ss), NULL);
	}
	if (o.arr)
		cli_print_json(o.arr);
	return BK_OK;
}

enum bk_status cmd_staff_set_role(struct cli *c);
enum bk_status cmd_staff_set_role(struct cli *c)
{
	if (c->args.npos < 1)
		return cli_usage(c, "give the login");
	const char *role = cli_opt(c, "role");
	if (!role && c->args.npos == 2)
		role = c->args.pos[1];
	if (!role)
		return cli_usage(c, "give the new role with --role");
	return cli_finish(c, bk_staff_set_role(&c->ctx, c->args.pos[0], role), NULL);
}

enum bk_status cmd_staff_deactivate(struct cli *c);
enum bk_status cmd_staff_deactivate(struct cli *c)
{
	if (c->args.npos != 1)
		return cli_usage(c, "give one login");
	return cli_finish(c, bk_staff_deactivate(&c->ctx, c->args.pos[0]), NULL);
}

enum bk_status cmd_config_show(struct cli *c);
enum bk_status cmd_config_show(struct cli *c)
{
	struct conf_entry e[CONF_HOST_COUNT];
	int n = conf_host_entries(&c->host, e, CONF_HOST_COUNT);
	if (c->json) {
		json_t *o = json_object(), *arr = json_array();
		json_object_set_new(o, "system_file", cli_jtext(c->host.system_file));
		json_object_set_new(o, "personal_file", cli_jtext(c->host.personal_file));
		for (int i = 0; i < n; i++)
			json_array_append_new(arr, json_pack("{ss so so}", "key", e[i].key, "value", cli_jtext(e[i].value),
			                                     "source", e[i].from_file ? cli_jtext(c->host.set_in[i])
			                                                              : json_string("default")));
		json_object_set_new(o, "settings", arr);
		json_object_set_new(o, "policy", json_string("the council's rules are kept in the database: "
		                                             "brokerage policy show"));
		cli_print_json(o);
		return BK_OK;
	}
	out_line(c, "# system file: %s", c->host.system_file[0] ? c->host.system_file : "(none)");
	out_line(c, "# your file:   %s", c->host.personal_file[0] ? c->host.personal_file : "(none)");
	for (int i = 0; i < n; i++)
		out_line(c, "%s = %s; # %s", e[i].key, e[i].value, e[i].from_file ? c->host.set_in[i] : "default");
	out_line(c, "# The council's rules (lots, districts, the calendar, the clock, the cascade, risks, thresholds,");
	out_line(c, "# retention, decline codes) are kept in the database, the same for everyone: brokerage policy show");
	if (c->host.system_policy)
		out_line(c, "# The system file still names some of them: they were read only as the first policy of a "
		            "database made before the rules moved into it.");
	return BK_OK;
}

/* ---- the council's policy ---- */

/* A value that may run over several lines (lots, decline codes), each
 * line sanitised on its own. */
static void out_value(struct cli *c, const char *first, const char *value, const char *last)
{
	const char *p = value;
	bool one = true;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		out_line(c, "%s%.*s%s", one ? first : "", (int)len, p, nl ? "" : last);
		one = false;
		p = nl ? nl + 1 : p + len;
	}
}

enum bk_status cmd_policy_show(struct cli *c);
enum bk_status cmd_policy_show(struct cli *c)
{
	if (!no_extra(c, 0))
		return BK_USAGE;
	struct bk_policy_origin origin[BK_SET_COUNT];
	enum bk_status st = bk_policy_origins(&c->ctx, origin);
	if (st != BK_OK)
		return cli_finish(c, st, NULL);
	if (c->json) {
		json_t *o = json_object();
		for (int k = 0; k < BK_SET_COUNT; k++) {
			char when[32] = "";
			if (origin[k].recorded)
				cal_format_utc(origin[k].set_at, when, sizeof when);
			json_object_set_new(o, bk_setting_names[k],
			                    json_pack("{so so so sb}", "value", bk_policy_value(c->ctx.settings, k), "set_by",
			                              cli_jtext(origin[k].set_by), "set_at", cli_jtext(when), "recorded",
			                              origin[k].recorded));
		}
		cli_print_json(json_pack("{ss so}", "database", c->db_path, "policy", o));
		return BK_OK;
	}
	static struct conf_entry e[BK_SET_COUNT];
	int n = conf_policy_entries(c->ctx.settings, e, BK_SET_COUNT);
	out_line(c, "# The council's policy, kept in %s: the same for everyone who opens it.", c->db_path);
	out_line(c, "# An administrator changes it with 'brokerage policy load FILE'; this output is such a file.");
	for (int k = 0; k < n; k++) {
		char when[64] = "";
		if (origin[k].recorded) {
			cal_format_local(origin[k].set_at, when, sizeof when);
			out_line(c, "%s", "");
			out_line(c, "# %s: set by %s, %s", e[k].key, origin[k].set_by, when);
		} else {
			out_line(c, "%s", "");
			out_line(c, "# %s: the built-in default (not yet recorded)", e[k].key);
		}
		char first[64];
		snprintf(first, sizeof first, "%s = ", e[k].key);
		out_value(c, first, e[k].value, ";");
	}
	return BK_OK;
}

static json_t *move_json(const struct bk_deadline_move *m)
{
	return json_pack("{sI sI ss ss so so}", "offer", (json_int_t)m->offer.id, "referral",
	                 (json_int_t)m->offer.referral_id, "case_ref", m->case_ref, "provider", m->provider, "before",
	                 jtime(m->old_deadline), "after", jtime(m->new_deadline));
}

enum bk_status cmd_policy_load(struct cli *c);
enum bk_status cmd_policy_load(struct cli *c)
{
	if (c->args.npos < 1)
		return cli_usage(c, "give the policy file");
	if (!no_extra(c, 1))
		return BK_USAGE;
	bool apply = cli_flag(c, "apply"), move = cli_flag(c, "move-open-deadlines");
	if (move && !apply)
		return cli_usage(c, "--move-open-deadlines decides what --apply does: give both");
	static struct bk_settings next;
	char err[1024];
	if (!conf_load_policy(c->args.pos[0], c->ctx.settings, &next, err, sizeof err)) {
		snprintf(c->ctx.msg, sizeof c->ctx.msg, "%.990s; nothing was changed", err);
		return cli_finish(c, BK_REFUSED, NULL);
	}
	static struct conf_entry before[BK_SET_COUNT], after[BK_SET_COUNT];
	conf_policy_entries(c->ctx.settings, before, BK_SET_COUNT);
	conf_policy_entries(&next, after, BK_SET_COUNT);
	struct bk_policy_change ch;
	enum bk_status st = bk_policy_load(&c->ctx, &next, apply, move, &ch);
	if (st != BK_OK) {
		bk_policy_change_finish(&ch);
		return cli_finish(c, st, NULL);
	}
	if (c->json) {
		json_t *changed = json_array(), *moves = json_array();
		for (int k = 0; k < BK_SET_COUNT; k++)
			if (ch.changed[k])
				json_array_append_new(changed, json_pack("{ss ss ss}", "key", bk_setting_names[k], "before",
				                                         before[k].value, "after", after[k].value));
		for (int i = 0; i < ch.n_moves; i++)
			json_array_append_new(moves, move_json(&ch.moves[i]));
		json_t *o = json_pack("{sb so so sb so}", "applied", ch.applied, "changed", changed, "deadlines", moves,
		                      "deadlines_moved", ch.moved, "warnings", cli_jtext(ch.warnings));
		bool any = ch.n_changed > 0;
		bk_policy_change_finish(&ch);
		if (any)
			c->ctx.msg[0] = '\0'; /* the message is only for a file that changes nothing */
		return cli_finish(c, BK_OK, o);
	}
	if (ch.n_changed == 0) {
		bk_policy_change_finish(&ch);
		return cli_finish(c, BK_OK, NULL);
	}
	out_line(c, "%s %d setting%s of the council's policy:", ch.applied ? "Changed" : "Would change", ch.n_changed,
	         ch.n_changed == 1 ? "" : "s");
	for (int k = 0; k < BK_SET_COUNT; k++)
		if (ch.changed[k]) {
			char first[64];
			snprintf(first, sizeof first, "  %s: ", bk_setting_names[k]);
			out_value(c, first, before[k].value, "");
			out_value(c, "    becomes ", after[k].value, "");
		}
	if (ch.n_moves) {
		out_line(c, "%d open offer%s %s %s deadline moved by the new rules%s:", ch.n_moves, ch.n_moves == 1 ? "" : "s",
		         ch.moved ? (ch.n_moves == 1 ? "has" : "have") : "would have", ch.n_moves == 1 ? "its" : "their",
		         ch.applied && !ch.moved ? " (they keep the deadlines they were sent with)" : "");
		for (int i = 0; i < ch.n_moves; i++) {
			char a[64], b[64];
			cal_format_local(ch.moves[i].old_deadline, a, sizeof a);
			cal_format_local(ch.moves[i].new_deadline, b, sizeof b);
			out_line(c, "  offer %lld (referral %lld, %s, %s): %s -> %s", (long long)ch.moves[i].offer.id,
			         (long long)ch.moves[i].offer.referral_id, ch.moves[i].case_ref, ch.moves[i].provider, a, b);
		}
	} else {
		out_line(c, "No open offer's deadline moves.");
	}
	if (ch.warnings[0])
		out_line(c, "Note: %s.", ch.warnings);
	if (!ch.applied)
		out_line(c, "Nothing was changed: give --apply to make this the policy%s.",
		         ch.n_moves ? " (open offers keep the deadlines they were sent with unless you also give "
		                      "--move-open-deadlines)"
		                    : "");
	else if (ch.n_moves)
		out_line(c, "Applied and recorded in the audit trail; the open offers %s.",
		         ch.moved ? "have their deadlines moved to the new rules" : "keep the deadlines they were sent with");
	else
		out_line(c, "Applied and recorded in the audit trail.");
	bk_policy_change_finish(&ch);
	return BK_OK;
}

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

enum bk_status cmd_check(struct cli *c);
enum bk_status cmd_check(struct cli *c)
{
	struct problems p = { c, c->json ? json_array() : NULL };
	int n = 0;
	enum store_status ss = store_check(c->ctx.store, cli_flag(c, "quick"), report_problem, &p, &n);
	if (ss != STORE_OK) {
		json_decref(p.arr);
		if (store_is_damaged(c->ctx.store))
			snprintf(c->ctx.msg, sizeof c->ctx.msg,
			         "the database file is damaged: the check could not read all of it (%d problem%s found before "
			         "it stopped); restore the last good backup with 'brokerage restore FILE' (an administrator)",
			         n, n == 1 ? "" : "s");
		else
			snprintf(c->ctx.msg, sizeof c->ctx.msg, "%s", store_errmsg(c->ctx.store));
		return cli_finish(c, BK_STORAGE, NULL);
	}
	if (ss == STORE_OK && cli_flag(c, "deep"))
		ss = store_check_deep(c->ctx.store, report_problem, &p, &n);
	if (ss == STORE_OK && cli_flag(c, "deep"))
		ss = bk_check_content(c->ctx.store, report_problem, &p, &n);
	struct store_verify v;
	if (ss == STORE_OK)
		ss = store_audit_verify(c->ctx.store, &v);
	if (ss != STORE_OK) {
		json_decref(p.arr);
		return cli_finish(c, bk_from_store(&c->ctx, ss), NULL);
	}
	if (v.bad_seq) {
		char line[400];
		snprintf(line, sizeof line, "audit trail: event %" PRId64 " does not match: %s", v.bad_seq, v.problem);
		report_problem(&p, line);
		n++;
	}
	char apath[1100];
	struct store_anchor_check a;
	if (store_anchor_path(c->ctx.store, apath, sizeof apath) &&
	    store_anchor_check_file(c->ctx.store, apath, &a) == STORE_OK && a.bad_seq) {
		char line[700];
		snprintf(line, sizeof line, "audit trail: the anchor file %.300s does not match: %s", apath, a.problem);
		report_problem(&p, line);
		n++;
	}
	log_head(c, "check");
	if (p.arr) {
		cli_print_json(json_pack("{sb so sI si sI}", "ok", n == 0, "problems", p.arr, "events", (json_int_t)v.events,
		                     "schema_version", store_schema_version(c->ctx.store), "problem_count", (json_int_t)n));
	} else if (n == 0) {
		out_line(c, "ok: integrity, foreign keys, schema version %d and %" PRId64 " audit events all check out",
		         store_schema_version(c->ctx.store), v.events);
	} else {
		out_line(c, "%d problem%s found: if the file is damaged, restore the last good backup with "
		         "'brokerage restore FILE' (an administrator)", n, n == 1 ? "" : "s");
	}
	return n == 0 ? BK_OK : BK_STORAGE;
}

enum bk_status cmd_backup(struct cli *c);
enum bk_status cmd_backup(struct cli *c)
{
	if (c->args.npos != 1)
		return cli_usage(c, "give the file to write the backup to");
	const char *why;
	if (!policy_may(c->ctx.actor.role, PERM_BACKUP, &why)) {
		snprintf(c->ctx.msg, sizeof c->ctx.msg, "%s", why);
		return cli_finish(c, BK_REFUSED, NULL);
	}
	char err[512];
	enum store_status ss = store_backup(c->ctx.store, c->args.pos[0], err, sizeof err);
	if (ss != STORE_OK) {
		snprintf(c->ctx.msg, sizeof c->ctx.msg, "%s", err);
		return cli_finish(c, ss == STORE_REFUSED ? BK_REFUSED : BK_STORAGE, NULL);
	}
	log_head(c, "backup");
	int64_t seq = 0;
	unsigned char hash[STORE_HASH_BYTES];
	char hex[2 * STORE_HASH_BYTES + 1] = "";
	if (store_audit_head(c->ctx.store, &seq, hash) == STORE_OK)
		store_hash_hex(hash, hex);
	snprintf(c->ctx.msg, sizeof c->ctx.msg,
	         "backed up to %s and checked the copy; the audit trail then ended at event %" PRId64 " (%.16s...): "
	         "'audit verify --anchor %s' checks the live trail still holds it",
	         c->args.pos[0], seq, hex, c->args.pos[0]);
	return cli_finish(c, BK_OK, c->json ? json_pack("{ss}", "backup", c->args.pos[0]) : NULL);
}

enum bk_status cmd_restore(struct cli *c);
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
		if ((size_t)snprintf(keep, sizeof keep, "%s.before-restore-%s%s", c->db_path, stamp, suffix) >= sizeof keep) {
			snprintf(c->ctx.msg, sizeof c->ctx.msg, "the database path is too long to keep a copy beside it");
			return cli_finish(c, BK_REFUSED, NULL);
		}
	} while (lstat(keep, &sb) == 0 && ++n < 100);
	enum bk_status st = bk_restore(&c->ctx, c->args.pos[0], keep);
	return cli_finish(c, st, c->json && st == BK_OK ? json_pack("{ss ss}", "restored_from", c->args.pos[0], "kept", keep)
	                                            : NULL);
}

/* The head of the trail to the system log (LOG_AUTHPRIV), which nobody
 * who can only write the database can rewrite: compare it with
 * 'journalctl -t brokerage' or /var/log/auth.log. */
static void log_head(struct cli *c, const char *what)
{
	int64_t seq;
	unsigned char hash[STORE_HASH_BYTES];
	if (store_audit_head(c->ctx.store, &seq, hash) != STORE_OK)
		return;
	char hex[2 * STORE_HASH_BYTES + 1], path[1024];
	store_hash_hex(hash, hex);
	text_sanitize(store_path(c->ctx.store), path, sizeof path, true);
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
		json_array_append_new(arr, json_pack("{so sb sI sI so}", "anchor", cli_jtext(name), "checked", !a->missing,
		                                     "heads", (json_int_t)a->heads, "newest", (json_int_t)a->newest, "problem",
		                                     good ? json_null() : cli_jtext(a->problem)));
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
	if (store_anchor_path(c->ctx.store, path, sizeof path) &&
	    store_anchor_check_file(c->ctx.store, path, &a) == STORE_OK)
		good = anchor_line(c, arr, path, &a) && good;
	const char *files[16];
	int n = with_options ? cli_opt_all(c, "anchor", files, 16) : 0;
	for (int i = 0; i < n; i++) {
		struct store *b = NULL;
		char err[512];
		struct store_open_opts o = { .path = files[i], .inspect = true };
		memset(&a, 0, sizeof a);
		enum store_status ss;
		if (store_open(&o, &b, err, sizeof err) == STORE_OK) {
			int64_t seq;
			unsigned char hash[STORE_HASH_BYTES];
			ss = store_audit_head(b, &seq, hash);
			store_close(b);
			if (ss == STORE_OK && seq > 0)
				ss = store_anchor_check_head(c->ctx.store, seq, hash, &a);
			else
				a.missing = true;
		} else {
			ss = store_anchor_check_file(c->ctx.store, files[i], &a);
		}
		if (ss == STORE_OK)
			good = anchor_line(c, arr, files[i], &a) && good;
	}
	return good;
}

enum bk_status cmd_audit_verify(struct cli *c);
enum bk_status cmd_audit_verify(struct cli *c)
{
	struct store_verify v;
	enum store_status ss = store_audit_verify(c->ctx.store, &v);
	if (ss != STORE_OK)
		return cli_finish(c, bk_from_store(&c->ctx, ss), NULL);
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
		cli_print_json(json_pack("{sb sI so so so}", "ok", v.bad_seq == 0 && anchored, "events", (json_int_t)v.events,
		                         "first_bad", v.bad_seq ? json_integer(v.bad_seq) : json_null(), "problem",
		                         v.bad_seq ? json_string(v.problem) : json_null(), "anchors", anchors));
	else
		out_line(c, "the head is also written to the system log (journalctl -t brokerage): compare it there");
	return v.bad_seq == 0 && anchored ? BK_OK : BK_STORAGE;
}

struct event_out {
	struct cli *c;
	json_t *arr;
};

static int event_row(void *ud, const struct store_event *e)
{
	struct event_out *o = ud;
	char when[32];
	cal_format_utc(e->at, when, sizeof when);
	if (o->arr) {
		json_t *before = e->before ? json_loads(e->before, 0, NULL) : NULL;
		json_t *after = e->after ? json_loads(e->after, 0, NULL) : NULL;
		json_array_append_new(o->arr, json_pack("{sI ss ss ss ss sI so so so sb}", "seq", (json_int_t)e->seq, "at", when,
		                                        "actor", e->actor, "action", e->action, "entity", e->entity, "entity_id",
		                                        (json_int_t)e->entity_id, "referral",
		                                        e->referral_id ? json_integer(e->referral_id) : json_null(), "before",
		                                        before ? before : json_null(), "after", after ? after : json_null(),
		                                        "erased", e->payload_erased));
	} else {
		char ref[32] = "", login[64], by[96] = "";
		if (e->referral_id)
			snprintf(ref, sizeof ref, "referral %" PRId64, e->referral_id);
		if (!e->payload_erased && bk_event_run_by(e->after, login, sizeof login))
			snprintf(by, sizeof by, "  (by the sweep, run by %s)", login);
		out_line(o->c, "%6" PRId64 "  %s  %-12s %-24s %s %" PRId64 " %s%s", e->seq, when, e->actor, e->action, e->entity,
		         e->entity_id, ref, by);
	}
	return 0;
}

enum bk_status cmd_audit_log(struct cli *c);
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
	struct event_out o = { c, c->json ? json_array() : NULL };
	enum store_status ss = store_audit_each(c->ctx.store, &f, event_row, &o);
	if (ss != STORE_OK) {
		json_decref(o.arr);
		return cli_finish(c, bk_from_store(&c->ctx, ss), NULL);
	}
	if (o.arr)
		cli_print_json(o.arr);
	return BK_OK;
}

/* ---- providers and rankings ---- */

static void provider_input(struct cli *c, struct bk_provider_input *in)
{
	memset(in, 0, sizeof *in);
	in->name = c->args.npos > 0 ? c->args.pos[0] : NULL;
	in->cqc = cli_opt(c, "cqc");
	in->ages = cli_opt(c, "ages");
	in->risk = cli_opt(c, "risk");
	in->pamms = cli_opt(c, "pamms");
	in->rate = cli_opt(c, "rate");
	in->embargo = cli_opt(c, "embargo");
	in->no_embargo = cli_flag(c, "no-embargo");
	in->active = cli_flag(c, "active") ? 1 : cli_flag(c, "inactive") ? 0 : -1;
	in->framework = cli_flag(c, "framework") ? 1 : cli_flag(c, "off-framework") ? 0 : -1;
	in->n_capacity = cli_opt_all(c, "capacity", in->capacity, BK_MAX_DISTRICTS);
}

enum bk_status cmd_provider_add(struct cli *c);
enum bk_status cmd_provider_add(struct cli *c)
{
	if (c->args.npos < 1)
		return cli_usage(c, "give the provider's name");
	if (!no_extra(c, 1))
		return BK_USAGE;
	struct bk_provider_input in;
	provider_input(c, &in);
	int64_t id = 0;
	enum bk_status st = bk_provider_add(&c->ctx, &in, &id);
	return cli_finish(c, st, c->json && st == BK_OK ? json_pack("{sI}", "id", (json_int_t)id) : NULL);
}

enum bk_status cmd_provider_set(struct cli *c);
enum bk_status cmd_provider_set(struct cli *c)
{
	if (c->args.npos < 1)
		return cli_usage(c, "give the provider's name");
	if (!no_extra(c, 1))
		return BK_USAGE;
	if (cli_flag(c, "active") && cli_flag(c, "inactive"))
		return cli_usage(c, "give --active or --inactive, not both");
	if (cli_flag(c, "framework") && cli_flag(c, "off-framework"))
		return cli_usage(c, "give --framework or --off-framework, not both");
	struct bk_provider_input in;
	provider_input(c, &in);
	int open = 0;
	enum bk_status st = bk_provider_set(&c->ctx, &in, &open);
	return cli_finish(c, st, c->json && st == BK_OK ? json_pack("{si}", "open_offers", open) : NULL);
}

static json_t *provider_json(struct cli *c, const struct store_provider *p)
{
	(void)c;
	json_t *o = json_pack("{sI ss sb so so ss so so so sb}", "id", (json_int_t)p->id, "name", p->name, "framework",
	                      p->framework, "cqc", cli_jtext(p->cqc_id), "pamms", cli_jtext(p->pamms), "risk", p->risk, "embargo",
	                      cli_jtext(p->embargo), "age_min", p->age_min >= 0 ? json_integer(p->age_min) : json_null(),
	                      "age_max", p->age_max >= 0 ? json_integer(p->age_max) : json_null(), "active", p->active);
	if (p->rate)
		set_money(o, "rate", p->rate);
	else
		json_object_set_new(o, "rate", json_null());
	return o;
}

struct provider_out {
	struct cli *c;
	json_t *arr;
};

static int provider_row(void *ud, const struct store_provider *p)
{
	struct provider_out *o = ud;
	if (o->arr) {
		json_array_append_new(o->arr, provider_json(o->c, p));
		return 0;
	}
	char ages[16] = "-";
	if (p->age_min >= 0)
		snprintf(ages, sizeof ages, "%d-%d", p->age_min, p->age_max);
	out_line(o->c, "%-32.32s %-13s %-6s %-20s %-7s %-8s %s%s", p->name, p->framework ? "framework" : "off-framework",
	         p->risk, p->pamms[0] ? p->pamms : "-", ages, p->active ? "active" : "inactive",
	         p->embargo[0] ? "EMBARGOED: " : "", p->embargo);
	return 0;
}

enum bk_status cmd_provider_list(struct cli *c);
enum bk_status cmd_provider_list(struct cli *c)
{
	struct provider_out o = { c, c->json ? json_array() : NULL };
	if (!o.arr)
		out_line(c, "%-32s %-13s %-6s %-20s %-7s %-8s %s", "PROVIDER", "ROUTE", "RISK", "PAMMS", "AGES", "STATE",
		         "EMBARGO");
	enum store_status ss = store_provider_each(c->ctx.store, provider_row, &o);
	if (ss != STORE_OK) {
		json_decref(o.arr);
		return cli_finish(c, bk_from_store(&c->ctx, ss), NULL);
	}
	if (o.arr)
		cli_print_json(o.arr);
	return BK_OK;
}

struct cap_out {
	struct cli *c;
	json_t *obj;
};

static int cap_row(void *ud, const char *district, int minutes)
{
	struct cap_out *o = ud;
	char h[16];
	hours_format(minutes, h, sizeof h);
	if (o->obj)
		json_object_set_new(o->obj, district, json_integer(minutes));
	else
		out_line(o->c, "  capacity %-10s %s h/week", district, h);
	return 0;
}

struct where_ranked {
	struct cli *c;
	int64_t id;
	json_t *arr;
};

static int where_row(void *ud, const struct store_rank *r)
{
	struct where_ranked *w = ud;
	if (r->provider_id != w->id)
		return 0;
	if (w->arr)
		json_array_append_new(w->arr, json_pack("{si ss si}", "lot", r->lot, "district", r->district, "rank", r->rank));
	else
		out_line(w->c, "  ranked %d in lot %d, %s", r->rank, r->lot, r->district);
	return 0;
}

enum bk_status cmd_provider_show(struct cli *c);
enum bk_status cmd_provider_show(struct cli *c)
{
	if (c->args.npos != 1)
		return cli_usage(c, "give one provider's name");
	struct store_provider p;
	enum store_status ss = store_provider_by_name(c->ctx.store, c->args.pos[0], &p);
	if (ss == STORE_NOT_FOUND) {
		snprintf(c->ctx.msg, sizeof c->ctx.msg, "there is no provider named '%s'", c->args.pos[0]);
		return cli_finish(c, BK_REFUSED, NULL);
	}
	if (ss != STORE_OK)
		return cli_finish(c, bk_from_store(&c->ctx, ss), NULL);
	if (c->json) {
		json_t *o = provider_json(c, &p);
		struct cap_out co = { c, json_object() };
		struct where_ranked w = { c, p.id, json_array() };
		store_capacity_each(c->ctx.store, p.id, cap_row, &co);
		store_ranking_each(c->ctx.store, 0, NULL, where_row, &w);
		json_object_set_new(o, "capacity_minutes", co.obj);
		json_object_set_new(o, "rankings", w.arr);
		cli_print_json(o);
		return BK_OK;
	}
	struct provider_out po = { c, NULL };
	provider_row(&po, &p);
	if (p.cqc_id[0])
		out_line(c, "  CQC %s", p.cqc_id);
	if (p.rate) {
		char r[32];
		money_format(p.rate, c->ascii, r, sizeof r);
		out_line(c, "  rate %s an hour", r);
	}
	struct cap_out co = { c, NULL };
	struct where_ranked w = { c, p.id, NULL };
	store_capacity_each(c->ctx.store, p.id, cap_row, &co);
	store_ranking_each(c->ctx.store, 0, NULL, where_row, &w);
	int64_t open = 0;
	if (store_offer_count_open_for_provider(c->ctx.store, p.id, &open) == STORE_OK)
		out_line(c, "  open offers: %" PRId64, open);
	return BK_OK;
}

enum bk_status cmd_rank_set(struct cli *c);
enum bk_status cmd_rank_set(struct cli *c)
{
	int64_t lot;
	if (!parse_int(cli_opt(c, "lot"), 1, 99, &lot))
		return cli_usage(c, "give the lot number with --lot");
	if (!cli_opt(c, "district"))
		return cli_usage(c, "give the district with --district");
	return cli_finish(c, bk_rank_set(&c->ctx, (int)lot, cli_opt(c, "district"), c->args.pos, c->args.npos), NULL);
}

struct rank_out {
	struct cli *c;
	json_t *arr;
	int last_lot;
	char last_district[64];
};

static int rank_row(void *ud, const struct store_rank *r)
{
	struct rank_out *o = ud;
	char name[128];
	bk_provider_name(&o->c->ctx, r->provider_id, name, sizeof name);
	if (o->arr) {
		json_array_append_new(o->arr, json_pack("{si ss si ss}", "lot", r->lot, "district", r->district, "rank",
		                                        r->rank, "provider", name));
		return 0;
	}
	if (r->lot != o->last_lot || strcmp(r->district, o->last_district) != 0) {
		const struct bk_lot *lot = bk_settings_lot(o->c->ctx.settings, r->lot);
		out_line(o->c, "lot %d (%s), %s:", r->lot, lot ? lot->name : "not configured", r->district);
		o->last_lot = r->lot;
		snprintf(o->last_district, sizeof o->last_district, "%s", r->district);
	}
	out_line(o->c, "  %3d  %s", r->rank, name);
	return 0;
}

enum bk_status cmd_rank_show(struct cli *c);
enum bk_status cmd_rank_show(struct cli *c)
{
	int64_t lot = 0;
	if (cli_opt(c, "lot") && !parse_int(cli_opt(c, "lot"), 1, 99, &lot))
		return cli_usage(c, "--lot takes a lot number");
	bool bad;
	const char *district = district_opt(c, &bad);
	if (bad)
		return cli_usage(c, "--district names no configured district");
	struct rank_out o = { c, c->json ? json_array() : NULL, 0, "" };
	enum store_status ss = store_ranking_each(c->ctx.store, (int)lot, district, rank_row, &o);
	if (ss != STORE_OK) {
		json_decref(o.arr);
		return cli_finish(c, bk_from_store(&c->ctx, ss), NULL);
	}
	if (o.arr)
		cli_print_json(o.arr);
	return BK_OK;
}

static json_t *spot_json(const struct bk_spot_view *v)
{
	const struct store_spot *s = &v->spot;
	char hours[16];
	hours_format(s->hours_minutes, hours, sizeof hours);
	json_t *j = json_pack("{sI sI ss ss ss so ss si so sb so so so}", "id", (json_int_t)s->id, "referral",
	                      (json_int_t)s->referral_id, "provider", v->provider, "status", s->status, "requested_by",
	                      v->requested_by, "decided_by", cli_jtext(v->decided_by), "hours", hours, "weeks", s->weeks,
	                      "justification", cli_jtext(s->justification), "needs_key_decision", v->needs_key_decision,
	                      "note", cli_jtext(s->note), "key_decision", cli_jtext(s->key_decision), "requested_at",
	                      jtime(s->requested_at));
	json_object_set_new(j, "decided_at", jtime(s->decided_at));
	set_money(j, "rate", s->rate);
	set_money(j, "weekly_cost", s->weekly_cost);
	set_money(j, "annual_cost", s->annual_cost);
	set_money(j, "premium_weekly", v->premium_weekly);
	set_money(j, "framework_rate", s->framework_rate);
	return j;
}

struct spot_out {
	struct cli *c;
	json_t *arr;
};

static int spot_row(void *ud, const struct bk_spot_view *v)
{
	struct spot_out *o = ud;
	const struct store_spot *s = &v->spot;
	if (o->arr) {
		json_array_append_new(o->arr, spot_json(v));
		return 0;
	}
	char weekly[32], annual[32], premium[32], rate[32];
	money_format(s->rate, o->c->ascii, rate, sizeof rate);
	money_format(s->weekly_cost, o->c->ascii, weekly, sizeof weekly);
	money_format(s->annual_cost, o->c->ascii, annual, sizeof annual);
	money_format(v->premium_weekly, o->c->ascii, premium, sizeof premium);
	out_line(o->c, "%4" PRId64 " referral %-5" PRId64 " %-9s %-24.24s %s/h %s/wk %s/yr (+%s/wk) by %s%s%s%s", s->id,
	         s->referral_id, s->status, v->provider, rate, weekly, annual, premium, v->requested_by,
	         v->decided_by[0] ? ", decided by " : "", v->decided_by, v->needs_key_decision ? "  KEY DECISION" : "");
	return 0;
}

/* ---- referrals ---- */

static bool referral_input(struct cli *c, struct bk_referral_input *in, bool all)
{
	memset(in, 0, sizeof *in);
	in->age = -1;
	in->case_ref = cli_opt(c, "case");
	const char *lot = cli_opt(c, "lot");
	int64_t v;
	if (lot) {
		if (!parse_int(lot, 1, 99, &v)) {
			cli_usage(c, "--lot takes a lot number");
			return false;
		}
		in->lot = (int)v;
	} else if (all) {
		cli_usage(c, "give the lot with --lot");
		return false;
	}
	in->district = cli_opt(c, "district");
	in->hours = cli_opt(c, "hours");
	if (all && (!in->case_ref || !in->district || !in->hours)) {
		cli_usage(c, !in->case_ref ? "give the case reference with --case"
		         : !in->district ? "give the district with --district" : "give the hours per week with --hours");
		return false;
	}
	in->panel_date = cli_opt(c, "panel-date");
	in->start = cli_opt(c, "start");
	const char *age = cli_opt(c, "age");
	if (age) {
		if (!parse_int(age, 0, 120, &v)) {
			snprintf(c->ctx.msg, sizeof c->ctx.msg, "age: the age must be a whole number of years from 0 to 120");
			cli_finish(c, BK_REFUSED, NULL);
			return false;
		}
		in->age = (int)v;
	}
	in->urgent = cli_flag(c, "urgent") ? 1 : cli_flag(c, "not-urgent") ? 0 : all ? 0 : -1;
	in->note = cli_opt(c, "note");
	return true;
}

enum bk_status cmd_referral_new(struct cli *c);
enum bk_status cmd_referral_new(struct cli *c)
{
	struct bk_referral_input in;
	if (!no_extra(c, 0))
		return BK_USAGE;
	if (!referral_input(c, &in, true))
		return c->ctx.msg[0] && strncmp(c->ctx.msg, "age:", 4) == 0 ? BK_REFUSED : BK_USAGE;
	int64_t id = 0;
	enum bk_status st = bk_referral_new(&c->ctx, &in, &id);
	if (st == BK_OK && !c->json) {
		printf("%" PRId64 "\n", id);
		out_text(c, stderr, c->ctx.msg);
		fputc('\n', stderr);
		return BK_OK;
	}
	return referral_done(c, st, id);
}

enum bk_status cmd_referral_edit(struct cli *c);
enum bk_status cmd_referral_edit(struct cli *c)
{
	int64_t id, ev;
	struct bk_referral_input in;
	if (!pos_id(c, 0, "referral id", &id) || !no_extra(c, 1) || !expect_version(c, &ev))
		return BK_USAGE;
	if (!referral_input(c, &in, false))
		return BK_USAGE;
	return referral_done(c, bk_referral_edit(&c->ctx, id, ev, &in), id);
}

typedef enum bk_status (*simple_action)(struct bk_ctx *, int64_t, int64_t);

static enum bk_status simple(struct cli *c, simple_action fn)
{
	int64_t id, ev;
	if (!pos_id(c, 0, "referral id", &id) || !no_extra(c, 1) || !expect_version(c, &ev))
		return BK_USAGE;
	return referral_done(c, fn(&c->ctx, id, ev), id);
}

typedef enum bk_status (*text_action)(struct bk_ctx *, int64_t, int64_t, const char *);

static enum bk_status with_text(struct cli *c, text_action fn, const char *opt, bool required)
{
	int64_t id, ev;
	if (!pos_id(c, 0, "referral id", &id) || !expect_version(c, &ev))
		return BK_USAGE;
	const char *text = opt ? cli_opt(c, opt) : (c->args.npos > 1 ? c->args.pos[1] : NULL);
	if (!no_extra(c, opt ? 1 : 2))
		return BK_USAGE;
	if (required && !text) {
		char m[96];
		snprintf(m, sizeof m, opt ? "give --%s" : "give the login", opt);
		return cli_usage(c, m);
	}
	return referral_done(c, fn(&c->ctx, id, ev, text), id);
}

enum bk_status cmd_referral_approve(struct cli *c);
enum bk_status cmd_referral_approve(struct cli *c) { return simple(c, bk_referral_approve); }
enum bk_status cmd_referral_send(struct cli *c);
enum bk_status cmd_referral_send(struct cli *c) { return simple(c, bk_referral_send); }
enum bk_status cmd_referral_resume(struct cli *c);
enum bk_status cmd_referral_resume(struct cli *c) { return simple(c, bk_referral_resume); }
enum bk_status cmd_referral_pause(struct cli *c);
enum bk_status cmd_referral_pause(struct cli *c) { return with_text(c, bk_referral_pause, "reason", true); }
enum bk_status cmd_referral_withdraw(struct cli *c);
enum bk_status cmd_referral_withdraw(struct cli *c) { return with_text(c, bk_referral_withdraw, "reason", true); }
enum bk_status cmd_referral_end(struct cli *c);
enum bk_status cmd_referral_end(struct cli *c) { return with_text(c, bk_referral_end, "date", false); }
enum bk_status cmd_referral_escalate(struct cli *c);
enum bk_status cmd_referral_escalate(struct cli *c) { return with_text(c, bk_referral_escalate, "reason", true); }
enum bk_status cmd_referral_assign(struct cli *c);
enum bk_status cmd_referral_assign(struct cli *c) { return with_text(c, bk_referral_assign, NULL, true); }
enum bk_status cmd_referral_info_supplied(struct cli *c);
enum bk_status cmd_referral_info_supplied(struct cli *c)
{
	return with_text(c, bk_referral_info_supplied, "provider", true);
}

enum bk_status cmd_referral_respond(struct cli *c);
enum bk_status cmd_referral_respond(struct cli *c)
{
	int64_t id, ev;
	if (!pos_id(c, 0, "referral id", &id) || !expect_version(c, &ev))
		return BK_USAGE;
	if (c->args.npos < 2)
		return cli_usage(c, "say the answer: accept, decline or info");
	if (!no_extra(c, 2))
		return BK_USAGE;
	const char *answer = c->args.pos[1];
	enum bk_answer a;
	const char *text;
	if (strcmp(answer, "accept") == 0) {
		a = BK_ANSWER_ACCEPT;
		text = cli_opt(c, "start");
		if (cli_opt(c, "reason") || cli_opt(c, "question"))
			return cli_usage(c, "an acceptance takes only --start");
	} else if (strcmp(answer, "decline") == 0) {
		a = BK_ANSWER_DECLINE;
		text = cli_opt(c, "reason");
		if (!text)
			return cli_usage(c, "a decline needs --reason");
	} else if (strcmp(answer, "info") == 0) {
		a = BK_ANSWER_INFO;
		text = cli_opt(c, "question");
		if (!text)
			return cli_usage(c, "a request for information needs --question");
	} else {
		return cli_usage(c, "the answer is accept, decline or info");
	}
	if (!cli_opt(c, "provider"))
		return cli_usage(c, "name the provider with --provider");
	return referral_done(c, bk_referral_respond(&c->ctx, id, ev, cli_opt(c, "provider"), a, text), id);
}

static json_t *offer_json(const struct bk_offer_view *o)
{
	const struct store_offer *x = &o->offer;
	return json_pack("{ss si ss sb so so so so so so so}", "provider", o->provider, "rank", x->rank, "status", x->status,
	                 "confirmed", x->confirmed, "sent_at", jtime(x->sent_at), "received_on", jdate(x->received_on),
	                 "deadline_at", jtime(x->deadline_at), "answered_at", jtime(x->answered_at), "reason",
	                 cli_jtext(x->reason), "start_date", jdate(x->start_date), "info_requested_at",
	                 jtime(x->info_requested_at));
}

static int offer_row_json(void *ud, const struct store_offer *x)
{
	/* the provider's name: lists are read in one transaction-less pass, so look it up */
	json_t *arr = ud;
	json_array_append_new(arr, json_pack("{sI si ss sb so so so so so}", "provider_id", (json_int_t)x->provider_id,
	                                     "rank", x->rank, "status", x->status, "confirmed", x->confirmed, "sent_at",
	                                     jtime(x->sent_at), "received_on", jdate(x->received_on), "deadline_at",
	                                     jtime(x->deadline_at), "answered_at", jtime(x->answered_at), "reason",
	                                     cli_jtext(x->reason)));
	return 0;
}

static json_t *referral_json(struct cli *c, const struct store_referral *r, const char *holder)
{
	char hours[16];
	hours_format(r->hours_minutes, hours, sizeof hours);
	const struct bk_lot *lot = bk_settings_lot(c->ctx.settings, r->lot);
	json_t *o = json_pack("{sI ss si so ss ss sI so ss so so so sb so so so so}", "id", (json_int_t)r->id, "case_ref",
	                      r->case_ref, "lot", r->lot, "lot_name", cli_jtext(lot ? lot->name : NULL), "district",
	                      r->district, "status", r->status, "version", (json_int_t)r->version, "holder", cli_jtext(holder),
	                      "hours", hours, "panel_date", jdate(r->panel_date), "start_date", jdate(r->start_date), "age",
	                      r->age >= 0 ? json_integer(r->age) : json_null(), "urgent", r->urgent, "note",
	                      cli_jtext(r->note), "created_at", jtime(r->created_at), "sourced_at", jtime(r->sourced_at),
	                      "route", cli_jtext(r->route));
	if (r->route[0])
		set_money(o, "weekly_cost", r->weekly_cost);
	else
		json_object_set_new(o, "weekly_cost", json_null());
	/* the day the package ended, or, while it is still sourced, will end */
	json_object_set_new(o, "ended_on", jdate(r->ended_on));
	return o;
}

enum bk_status cmd_referral_show(struct cli *c);
enum bk_status cmd_referral_show(struct cli *c)
{
	int64_t id;
	if (!pos_id(c, 0, "referral id", &id) || !no_extra(c, 1))
		return BK_USAGE;
	struct bk_referral_view *v = NULL;
	enum bk_status st = bk_referral_load(&c->ctx, id, true, &v);
	if (st != BK_OK)
		return cli_finish(c, st, NULL);
	/* Reading a child's or adult's case is itself on the record. */
	if ((st = bk_record_read(&c->ctx, id)) != BK_OK) {
		bk_referral_view_destroy(v);
		return cli_finish(c, st, NULL);
	}
	if (c->json) {
		json_t *o = referral_json(c, &v->r, v->holder);
		json_t *offers = json_array(), *cands = json_array();
		for (int i = 0; i < v->n_offers; i++)
			json_array_append_new(offers, offer_json(&v->offers[i]));
		for (int i = 0; i < v->n_candidates; i++) {
			json_t *reasons = json_array();
			for (int k = 0; k < v->candidates[i].n_reasons; k++)
				json_array_append_new(reasons, cli_jtext(v->candidates[i].reason[k]));
			json_array_append_new(cands, json_pack("{ss si sb sb so so}", "provider", v->candidates[i].provider, "rank",
			                                       v->candidates[i].rank, "eligible", v->candidates[i].eligible,
			                                       "warning", v->candidates[i].warning, "reasons", reasons, "offer",
			                                       cli_jtext(v->candidates[i].offer_status)));
		}
		json_object_set_new(o, "offers", offers);
		json_object_set_new(o, "candidates", cands);
		json_t *spots = json_array();
		for (int i = 0; i < v->n_spots; i++)
			json_array_append_new(spots, spot_json(&v->spots[i]));
		json_object_set_new(o, "spot_requests", spots);
		json_object_set_new(o, "sourced_provider", cli_jtext(v->sourced_provider));
		json_object_set_new(o, "next_deadline", jtime(v->next_deadline));
		json_object_set_new(o, "waited_days", json_integer(v->waited_days));
		json_object_set_new(o, "waited_working_days", json_integer(v->waited_working_days));
		cli_print_json(o);
		bk_referral_view_destroy(v);
		return BK_OK;
	}
	const struct store_referral *r = &v->r;
	const struct bk_lot *lot = bk_settings_lot(c->ctx.settings, r->lot);
	char hours[16], d1[32], d2[32], age[16] = "-";
	hours_format(r->hours_minutes, hours, sizeof hours);
	if (r->age >= 0)
		snprintf(age, sizeof age, "%d", r->age);
	out_line(c, "referral %" PRId64 " (version %" PRId64 ")  case %s  %s%s", r->id, r->version, r->case_ref, r->status,
	         r->urgent ? "  URGENT" : "");
	out_line(c, "  lot %d %s, %s, %s h/week, held by %s", r->lot, lot ? lot->name : "?", r->district, hours,
	         v->holder[0] ? v->holder : "nobody");
	d1[0] = d2[0] = '\0';
	if (r->panel_date != STORE_NO_DATE)
		cal_format_day(r->panel_date, d1, sizeof d1);
	if (r->start_date != STORE_NO_DATE)
		cal_format_day(r->start_date, d2, sizeof d2);
	out_line(c, "  panel %s, wanted start %s, age %s, waited %d days (%d working days)", d1[0] ? d1 : "-",
	         d2[0] ? d2 : "-", age, v->waited_days,
	         v->waited_working_days);
	if (r->note[0])
		out_line(c, "  note: %s", r->note);
	if (r->sourced_at) {
		char w[32];
		money_format(r->weekly_cost, c->ascii, w, sizeof w);
		out_line(c, "  sourced (%s) with %s, %s a week", r->route, v->sourced_provider, w);
	}
	out_line(c, "candidates:");
	if (v->n_candidates == 0)
		out_line(c, "  none: no provider is ranked for lot %d in %s", r->lot, r->district);
	for (int i = 0; i < v->n_candidates; i++) {
		const struct bk_candidate_view *cv = &v->candidates[i];
		out_line(c, "  %3d  %-32s %-11s %s", cv->rank, cv->provider,
		         cv->eligible ? (cv->warning ? "eligible(!)" : "eligible") : "not", cv->reasons_text);
	}
	out_line(c, "offers:");
	if (v->n_offers == 0)
		out_line(c, "  none yet");
	for (int i = 0; i < v->n_offers; i++) {
		const struct store_offer *o = &v->offers[i].offer;
		char sent[48], dl[48], ans[48] = "";
		cal_format_local(o->sent_at, sent, sizeof sent);
		cal_format_local(o->deadline_at, dl, sizeof dl);
		if (o->answered_at)
			cal_format_local(o->answered_at, ans, sizeof ans);
		out_line(c, "  rank %d %-28s %-14s sent %s, deadline %s%s%s%s%s", o->rank, v->offers[i].provider, o->status,
		         sent, dl, ans[0] ? ", answered " : "", ans, o->reason[0] ? ": " : "", o->reason);
	}
	if (v->n_spots)
		out_line(c, "spot requests:");
	for (int i = 0; i < v->n_spots; i++) {
		struct spot_out so = { c, NULL };
		spot_row(&so, &v->spots[i]);
	}
	bk_referral_view_destroy(v);
	return BK_OK;
}

struct list_out {
	struct cli *c;
	json_t *arr;
	int n;
	/* waiting: counts by lot x district and breaches */
	int grid[BK_MAX_LOTS][BK_MAX_DISTRICTS];
	int breached;
};

static void row_line(struct cli *c, const struct bk_referral_row *row)
{
	const struct store_referral *r = row->r;
	char hours[16], dl[48] = "-", step[160] = "-";
	hours_format(r->hours_minutes, hours, sizeof hours);
	if (row->clock_stopped)
		snprintf(dl, sizeof dl, "clock stopped (information asked)");
	else if (row->next_deadline)
		cal_format_local(row->next_deadline, dl, sizeof dl);
	if (row->current_provider[0])
		snprintf(step, sizeof step, "%s (%d of %d)", row->current_provider, row->current_rank, row->ranked);
	out_line(c, "%6" PRId64 " %-12s %d %-6s %6s %-14s %-10s %4dd/%3dwd %-32.32s %s%s", r->id, r->case_ref, r->lot,
	         r->district, hours, r->status, row->holder, row->waited_days, row->waited_working_days, step, dl,
	         row->breached ? " BREACHED" : "");
}

static int list_cb(void *ud, const struct bk_referral_row *row)
{
	struct list_out *o = ud;
	o->n++;
	if (row->breached)
		o->breached++;
	for (int l = 0; l < o->c->ctx.settings->n_lots; l++)
		if (o->c->ctx.settings->lots[l].number == row->r->lot) {
			int d = bk_settings_district_index(o->c->ctx.settings, row->r->district);
			if (d >= 0)
				o->grid[l][d]++;
		}
	if (!o->arr) {
		row_line(o->c, row);
		return 0;
	}
	json_t *j = referral_json(o->c, row->r, row->holder);
	json_object_set_new(j, "current_provider", cli_jtext(row->current_provider));
	json_object_set_new(j, "current_rank", row->current_rank ? json_integer(row->current_rank) : json_null());
	json_object_set_new(j, "ranked", json_integer(row->ranked));
	/* an offer waiting for information has no deadline running */
	json_object_set_new(j, "next_deadline", row->clock_stopped ? json_null() : jtime(row->next_deadline));
	json_object_set_new(j, "clock_stopped", json_boolean(row->clock_stopped));
	json_object_set_new(j, "breached", json_boolean(row->breached));
	json_object_set_new(j, "overdue", json_boolean(row->overdue));
	json_object_set_new(j, "waited_days", json_integer(row->waited_days));
	json_object_set_new(j, "waited_working_days", json_integer(row->waited_working_days));
	json_t *offers = json_array();
	store_offer_each_for_referral(o->c->ctx.store, row->r->id, offer_row_json, offers);
	json_object_set_new(j, "offers", offers);
	json_array_append_new(o->arr, j);
	return 0;
}

static void list_header(struct cli *c)
{
	out_line(c, "%6s %-12s %s %-6s %6s %-14s %-10s %11s %-32s %s", "ID", "CASE", "L", "AREA", "HOURS", "STATUS",
	         "HOLDER", "WAITED", "STEP", "NEXT DEADLINE");
}

enum bk_status cmd_referral_list(struct cli *c);
enum bk_status cmd_referral_list(struct cli *c)
{
	enum bk_status rd = bk_record_bulk_read(&c->ctx, "referral list");
	if (rd != BK_OK)
		return cli_finish(c, rd, NULL);
	struct store_referral_filter f = { 0 };
	int64_t lot = 0;
	f.status = cli_opt(c, "status");
	enum wf_status ws;
	if (f.status && !wf_status_parse(f.status, &ws))
		return cli_usage(c, "--status is one of new, ready, searching, sourced, ended, exhausted, spot_requested, "
		                "paused, withdrawn");
	if (cli_opt(c, "lot") && !parse_int(cli_opt(c, "lot"), 1, 99, &lot))
		return cli_usage(c, "--lot takes a lot number");
	f.lot = (int)lot;
	bool bad;
	f.district = district_opt(c, &bad);
	if (bad)
		return cli_usage(c, "--district names no configured district");
	f.open_only = !f.status && !cli_flag(c, "all");
	if (cli_flag(c, "mine"))
		f.holder_id = c->ctx.actor.staff_id;
	f.brief = !c->json; /* the text lines show only what the screens show */
	struct list_out *o = calloc(1, sizeof *o);
	if (!o)
		return BK_STORAGE;
	o->c = c;
	o->arr = c->json ? json_array() : NULL;
	if (!o->arr)
		list_header(c);
	enum bk_status st = bk_referral_list(&c->ctx, &f, list_cb, o);
	if (st == BK_OK && o->arr)
		cli_print_json(o->arr);
	else
		json_decref(o->arr);
	free(o);
	return st == BK_OK ? BK_OK : cli_finish(c, st, NULL);
}

enum bk_status cmd_waiting(struct cli *c);
enum bk_status cmd_waiting(struct cli *c)
{
	enum bk_status rd = bk_record_bulk_read(&c->ctx, "waiting");
	if (rd != BK_OK)
		return cli_finish(c, rd, NULL);
	struct store_referral_filter f = { .unsourced_only = true, .brief = !c->json };
	if (!no_extra(c, 0))
		return BK_USAGE;
	struct list_out *o = calloc(1, sizeof *o);
	if (!o)
		return BK_STORAGE;
	o->c = c;
	o->arr = c->json ? json_array() : NULL;
	if (!o->arr)
		list_header(c);
	enum bk_status st = bk_referral_list(&c->ctx, &f, list_cb, o);
	if (st != BK_OK) {
		json_decref(o->arr);
		free(o);
		return cli_finish(c, st, NULL);
	}
	const struct bk_settings *s = c->ctx.settings;
	if (o->arr) {
		json_t *grid = json_object();
		for (int l = 0; l < s->n_lots; l++) {
			json_t *row = json_object();
			for (int d = 0; d < s->n_districts; d++)
				json_object_set_new(row, s->districts[d].name, json_integer(o->grid[l][d]));
			char key[8];
			snprintf(key, sizeof key, "%d", s->lots[l].number);
			json_object_set_new(grid, key, row);
		}
		cli_print_json(json_pack("{si si so so}", "total", o->n, "breached", o->breached, "by_lot_district", grid,
		                     "referrals", o->arr));
		free(o);
		return BK_OK;
	}
	putchar('\n');
	out_line(c, "%d waiting, %d with a deadline breached", o->n, o->breached);
	char line[512];
	size_t off = (size_t)snprintf(line, sizeof line, "%-34s", "lot \\ district");
	for (int d = 0; d < s->n_districts && off < sizeof line; d++)
		off += (size_t)snprintf(line + off, sizeof line - off, " %7.7s", s->districts[d].name);
	out_line(c, "%s   total", line);
	for (int l = 0; l < s->n_lots; l++) {
		int total = 0;
		off = (size_t)snprintf(line, sizeof line, "%2d %-31.31s", s->lots[l].number, s->lots[l].name);
		for (int d = 0; d < s->n_districts && off < sizeof line; d++) {
			off += (size_t)snprintf(line + off, sizeof line - off, " %7d", o->grid[l][d]);
			total += o->grid[l][d];
		}
		out_line(c, "%s %7d", line, total);
	}
	free(o);
	return BK_OK;
}

enum bk_status cmd_sweep(struct cli *c);
enum bk_status cmd_sweep(struct cli *c)
{
	struct bk_sweep_result r;
	if (!no_extra(c, 0))
		return BK_USAGE;
	enum bk_status st = bk_sweep(&c->ctx, &r);
	return cli_finish(c, st, c->json ? json_pack("{si si si si si}", "expired", r.expired, "approached", r.approached,
	                                         "exhausted", r.exhausted, "sourced", r.sourced, "ended", r.ended)
	                             : NULL);
}

/* ---- spot purchases ---- */

enum bk_status cmd_spot_request(struct cli *c);
enum bk_status cmd_spot_request(struct cli *c)
{
	struct bk_spot_input in = { 0 };
	int64_t weeks;
	if (!pos_id(c, 0, "referral id", &in.referral_id) || !no_extra(c, 1) || !expect_version(c, &in.expect_version))
		return BK_USAGE;
	in.provider = cli_opt(c, "provider");
	in.rate = cli_opt(c, "rate");
	in.hours = cli_opt(c, "hours");
	in.why = cli_opt(c, "why");
	if (!in.provider || !in.rate || !in.hours || !cli_opt(c, "weeks") || !in.why)
		return cli_usage(c, "a spot request needs --provider, --rate, --hours, --weeks and --why");
	if (!parse_int(cli_opt(c, "weeks"), 1, 520, &weeks)) {
		snprintf(c->ctx.msg, sizeof c->ctx.msg, "expected duration: --weeks must be a whole number from 1 to 520");
		return cli_finish(c, BK_REFUSED, NULL);
	}
	in.weeks = (int)weeks;
	int64_t id = 0;
	enum bk_status st = bk_spot_request(&c->ctx, &in, &id);
	if (st == BK_OK && !c->json) {
		printf("%" PRId64 "\n", id);
		out_text(c, stderr, c->ctx.msg);
		fputc('\n', stderr);
		return BK_OK;
	}
	return cli_finish(c, st, st == BK_OK ? json_pack("{sI sI}", "id", (json_int_t)id, "referral", (json_int_t)in.referral_id)
	                                 : NULL);
}

static enum bk_status decide(struct cli *c, bool approve)
{
	int64_t id;
	if (!pos_id(c, 0, "spot request id", &id) || !no_extra(c, 1))
		return BK_USAGE;
	if (!cli_opt(c, "note"))
		return cli_usage(c, "a decision needs --note");
	return cli_finish(c, bk_spot_decide(&c->ctx, id, approve, cli_opt(c, "note"), cli_opt(c, "key-decision")), NULL);
}

enum bk_status cmd_spot_approve(struct cli *c);
enum bk_status cmd_spot_approve(struct cli *c) { return decide(c, true); }
enum bk_status cmd_spot_reject(struct cli *c);
enum bk_status cmd_spot_reject(struct cli *c) { return decide(c, false); }

enum bk_status cmd_spot_list(struct cli *c);
enum bk_status cmd_spot_list(struct cli *c)
{
	enum bk_status rd = bk_record_bulk_read(&c->ctx, "spot list");
	if (rd != BK_OK)
		return cli_finish(c, rd, NULL);
	struct spot_out o = { c, c->json ? json_array() : NULL };
	enum bk_status st = bk_spot_list(&c->ctx, cli_flag(c, "pending"), spot_row, &o);
	if (st != BK_OK) {
		json_decref(o.arr);
		return cli_finish(c, st, NULL);
	}
	if (o.arr)
		cli_print_json(o.arr);
	return BK_OK;
}

/* ---- the calendar ---- */

enum bk_status cmd_deadline(struct cli *c);
enum bk_status cmd_deadline(struct cli *c)
{
	const char *sent = cli_opt(c, "sent");
	if (!sent)
		return cli_usage(c, "give the time the offer is sent with --sent");
	int64_t t, deadline;
	int32_t received;
	char err[256];
	if (!cal_parse_time(sent, &t, err, sizeof err)) {
		snprintf(c->ctx.msg, sizeof c->ctx.msg, "--sent: %s", err);
		return cli_finish(c, BK_USAGE, NULL);
	}
	if (!cal_deadline(&c->ctx.cal, t, &received, &deadline)) {
		snprintf(c->ctx.msg, sizeof c->ctx.msg, "the deadline cannot be worked out in zone %s", c->ctx.settings->zone);
		return cli_finish(c, BK_REFUSED, NULL);
	}
	char a[48], b[48], r[32];
	if (c->json) {
		cal_format_date(received, r, sizeof r);
		cal_format_utc(t, a, sizeof a);
		cal_format_utc(deadline, b, sizeof b);
		char local[48];
		cal_format_local(deadline, local, sizeof local);
		cli_print_json(json_pack("{ss ss ss ss si}", "sent_at", a, "received_on", r, "deadline_at", b, "deadline_local",
		                     local, "working_days", c->ctx.settings->response_days));
		return BK_OK;
	}
	cal_format_local(t, a, sizeof a);
	cal_format_day(received, r, sizeof r);
	cal_format_local(deadline, b, sizeof b);
	out_line(c, "sent %s, received %s, deadline %s", a, r, b);
	return BK_OK;
}

enum bk_status cmd_calendar(struct cli *c);
enum bk_status cmd_calendar(struct cli *c)
{
	int64_t year;
	if (!parse_int(cli_opt(c, "year"), 1900, 2200, &year))
		return cli_usage(c, "give a year from 1900 to 2200 with --year");
	struct cal_holiday h[64];
	int n = cal_holidays(&c->ctx.cal, (int)year, h, 64);
	json_t *arr = c->json ? json_array() : NULL;
	for (int i = 0; i < n; i++) {
		char d[16], day[32];
		cal_format_date(h[i].day, d, sizeof d);
		cal_format_day(h[i].day, day, sizeof day);
		if (arr)
			json_array_append_new(arr, json_pack("{ss ss}", "date", d, "name", h[i].name));
		else
			out_line(c, "%s  %s", day, h[i].name);
	}
	if (arr)
		cli_print_json(json_pack("{si so ss}", "year", (int)year, "holidays", arr, "note",
		                     "Saturdays and Sundays are not working days either"));
	return BK_OK;
}

/* ---- demo ---- */

enum bk_status cmd_demo(struct cli *c);
enum bk_status cmd_demo(struct cli *c)
{
	int64_t n = 2000, seed = 1;
	if (cli_opt(c, "referrals") && !parse_int(cli_opt(c, "referrals"), 0, 1000000, &n))
		return cli_usage(c, "--referrals takes a number from 0 to 1000000");
	if (cli_opt(c, "seed") && !parse_int(cli_opt(c, "seed"), 0, INT32_MAX, &seed))
		return cli_usage(c, "--seed takes a whole number");
	enum bk_status st = bk_init(&c->ctx, c->login, c->login, true);
	if (st != BK_OK)
		return cli_finish(c, st, NULL);
	st = bk_demo(&c->ctx, (int)n, (uint32_t)seed, NULL, NULL);
	return cli_finish(c, st, c->json ? json_pack("{ss sI}", "database", c->db_path, "referrals", (json_int_t)n) : NULL);
}
