/* The commands that set a database up and keep its staff and rules: init, staff, config,
 * policy, the calendar and demo. */
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

/* ---- init, staff, config ---- */

enum bk_status cmd_init(struct cli *c)
{
	if (!no_extra(c, 0))
		return BK_USAGE;
	const char *name = cli_opt(c, "name");
	/* A test-mode database may name its first administrator with --as. */
	const char *admin = c->as && cli_flag(c, "test-mode") ? c->as : c->login;
	enum bk_status st = bk_init(&c->ctx, admin, name ? name : admin, cli_flag(c, "test-mode"));
	return cli_finish(c, st,
	                  c->json ? json_pack("{ss ss sb}", "database", cli_db_shown(c), "administrator", admin,
	                                      "test_mode", cli_flag(c, "test-mode"))
	                          : NULL);
}

enum bk_status cmd_staff_add(struct cli *c)
{
	if (c->args.npos < 1)
		return cli_usage(c, "give the login");
	if (!no_extra(c, 1))
		return BK_USAGE;
	return cli_finish(c, bk_staff_add(&c->ctx, c->args.pos[0], cli_opt(c, "name"), cli_opt(c, "role")), NULL);
}

/* The staff as JSON, or as a table printed as the reports are. */
static int staff_row(void *ud, const struct store_staff *s)
{
	struct list_out *o = ud;
	if (o->arr) {
		json_array_append_new(o->arr, json_pack("{ss so ss sb}", "login", s->login, "name", cli_jtext(s->name),
		                                        "role", s->role, "active", s->active));
		return 0;
	}
	table_row(o->t, s->login, s->role, s->active ? "active" : "inactive", s->name);
	return o->t->failed;
}

enum bk_status cmd_staff_list(struct cli *c)
{
	static const struct list_col cols[] = {
		{ "login", "LOGIN", BK_COL_TEXT },
		{ "role", "ROLE", BK_COL_TEXT },
		{ "state", "STATE", BK_COL_TEXT },
		{ "name", "NAME", BK_COL_TEXT },
	};
	struct list_out o;
	enum bk_status st =
		list_begin(c, &o, "staff", "Staff", cols, 4) ? bk_staff_each(&c->ctx, staff_row, &o) : BK_STORAGE;
	return list_finish(c, st, o.arr, o.t);
}

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

enum bk_status cmd_staff_deactivate(struct cli *c)
{
	if (c->args.npos != 1)
		return cli_usage(c, "give one login");
	return cli_finish(c, bk_staff_deactivate(&c->ctx, c->args.pos[0]), NULL);
}

enum bk_status cmd_config_show(struct cli *c)
{
	struct conf_entry e[CONF_HOST_COUNT];
	int n = conf_host_entries(&c->host, e, CONF_HOST_COUNT);
	if (c->json) {
		json_t *o = json_object(), *arr = json_array();
		json_object_set_new(o, "system_file", cli_jtext(c->host.system_file));
		json_object_set_new(o, "personal_file", cli_jtext(c->host.personal_file));
		for (int i = 0; i < n; i++)
			json_array_append_new(arr, json_pack("{ss so so}", "key", e[i].key, "value",
			                                     cli_jtext(e[i].value), "source",
			                                     e[i].from_file ? cli_jtext(c->host.set_in[i])
			                                                    : json_string("default")));
		json_object_set_new(o, "settings", arr);
		json_object_set_new(o, "policy",
		                    json_string("the council's rules are kept in the database: "
		                                "brokerage policy show"));
		cli_print_json(o);
		return BK_OK;
	}
	out_line(c, "# system file: %s", c->host.system_file[0] ? c->host.system_file : "(none)");
	out_line(c, "# your file:   %s", c->host.personal_file[0] ? c->host.personal_file : "(none)");
	for (int i = 0; i < n; i++)
		out_line(c, "%s = %s; # %s", e[i].key, e[i].value, e[i].from_file ? c->host.set_in[i] : "default");
	out_line(c, "# The council's rules (lots, districts, the calendar, the clock, the cascade, risks, thresholds,");
	out_line(c,
	         "# retention, decline codes) are kept in the database, the same for everyone: brokerage policy show");
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
			                    json_pack("{so so so sb}", "value", bk_policy_value(c->ctx.settings, k),
			                              "set_by", cli_jtext(origin[k].set_by), "set_at", cli_jtext(when),
			                              "recorded", origin[k].recorded));
		}
		cli_print_json(json_pack("{ss so}", "database", cli_db_shown(c), "policy", o));
		return BK_OK;
	}
	static struct conf_entry e[BK_SET_COUNT];
	int n = conf_policy_entries(c->ctx.settings, e, BK_SET_COUNT);
	out_line(c, "# The council's policy, kept in %s: the same for everyone who opens it.", cli_db_shown(c));
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
				json_array_append_new(changed,
				                      json_pack("{ss ss ss}", "key", bk_setting_names[k], "before",
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
		out_line(c, "%d open offer%s %s %s deadline moved by the new rules%s:", ch.n_moves,
		         ch.n_moves == 1 ? "" : "s", ch.moved ? (ch.n_moves == 1 ? "has" : "have") : "would have",
		         ch.n_moves == 1 ? "its" : "their",
		         ch.applied && !ch.moved ? " (they keep the deadlines they were sent with)" : "");
		for (int i = 0; i < ch.n_moves; i++) {
			char a[64], b[64];
			cal_format_local(ch.moves[i].old_deadline, a, sizeof a);
			cal_format_local(ch.moves[i].new_deadline, b, sizeof b);
			out_line(c, "  offer %lld (referral %lld, %s, %s): %s -> %s", (long long)ch.moves[i].offer.id,
			         (long long)ch.moves[i].offer.referral_id, ch.moves[i].case_ref, ch.moves[i].provider,
			         a, b);
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
		         ch.moved ? "have their deadlines moved to the new rules"
		                  : "keep the deadlines they were sent with");
	else
		out_line(c, "Applied and recorded in the audit trail.");
	bk_policy_change_finish(&ch);
	return BK_OK;
}

/* ---- the calendar ---- */

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
		snprintf(c->ctx.msg, sizeof c->ctx.msg, "the deadline cannot be worked out in zone %s",
		         c->ctx.settings->zone);
		return cli_finish(c, BK_REFUSED, NULL);
	}
	char a[48], b[48], r[32];
	if (c->json) {
		cal_format_date(received, r, sizeof r);
		cal_format_utc(t, a, sizeof a);
		cal_format_utc(deadline, b, sizeof b);
		char local[48];
		cal_format_local(deadline, local, sizeof local);
		cli_print_json(json_pack("{ss ss ss ss si}", "sent_at", a, "received_on", r, "deadline_at", b,
		                         "deadline_local", local, "working_days", c->ctx.settings->response_days));
		return BK_OK;
	}
	cal_format_local(t, a, sizeof a);
	cal_format_day(received, r, sizeof r);
	cal_format_local(deadline, b, sizeof b);
	out_line(c, "sent %s, received %s, deadline %s", a, r, b);
	return BK_OK;
}

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
	return cli_finish(c, st,
	                  c->json ? json_pack("{ss sI}", "database", cli_db_shown(c), "referrals", (json_int_t)n)
	                          : NULL);
}
