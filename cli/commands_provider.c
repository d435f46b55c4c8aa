/* The commands on providers and rankings. */
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
	in->emails = cli_opt(c, "email");
}

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
	                      p->framework, "cqc", cli_jtext(p->cqc_id), "pamms", cli_jtext(p->pamms), "risk", p->risk,
	                      "embargo", cli_jtext(p->embargo), "age_min",
	                      p->age_min >= 0 ? json_integer(p->age_min) : json_null(), "age_max",
	                      p->age_max >= 0 ? json_integer(p->age_max) : json_null(), "active", p->active);
	if (p->rate)
		set_money(o, "rate", p->rate);
	else
		json_object_set_new(o, "rate", json_null());
	json_t *emails = json_array();
	char list[sizeof p->emails];
	snprintf(list, sizeof list, "%s", p->emails);
	for (char *save = NULL, *a = strtok_r(list, ",", &save); a; a = strtok_r(NULL, ",", &save))
		json_array_append_new(emails, cli_jtext(a));
	json_object_set_new(o, "emails", emails);
	return o;
}

static const struct list_col provider_cols[] = {
	{ "provider", "PROVIDER", BK_COL_TEXT }, { "route", "ROUTE", BK_COL_TEXT }, { "risk", "RISK", BK_COL_TEXT },
	{ "pamms", "PAMMS", BK_COL_TEXT },       { "ages", "AGES", BK_COL_TEXT },   { "state", "STATE", BK_COL_TEXT },
	{ "embargo", "EMBARGO", BK_COL_TEXT },
};

static int provider_row(void *ud, const struct store_provider *p)
{
	struct list_out *o = ud;
	if (o->arr) {
		json_array_append_new(o->arr, provider_json(o->c, p));
		return 0;
	}
	char ages[16] = "-", embargo[sizeof p->embargo + 16] = "";
	if (p->age_min >= 0)
		snprintf(ages, sizeof ages, "%d-%d", p->age_min, p->age_max);
	if (p->embargo[0])
		snprintf(embargo, sizeof embargo, "EMBARGOED: %s", p->embargo);
	table_row(o->t, p->name, p->framework ? "framework" : "off-framework", p->risk, p->pamms[0] ? p->pamms : "-",
	          ages, p->active ? "active" : "inactive", embargo);
	return o->t->failed;
}

enum bk_status cmd_provider_list(struct cli *c)
{
	struct list_out o;
	enum bk_status st = list_begin(c, &o, "providers", "Providers", provider_cols, 7)
	                            ? bk_provider_each(&c->ctx, provider_row, &o)
	                            : BK_STORAGE;
	return list_finish(c, st, o.arr, o.t);
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
		json_array_append_new(w->arr,
		                      json_pack("{si ss si}", "lot", r->lot, "district", r->district, "rank", r->rank));
	else
		out_line(w->c, "  ranked %d in lot %d, %s", r->rank, r->lot, r->district);
	return 0;
}

enum bk_status cmd_provider_show(struct cli *c)
{
	if (c->args.npos != 1)
		return cli_usage(c, "give one provider's name");
	struct store_provider p;
	enum bk_status st = bk_provider_find(&c->ctx, c->args.pos[0], &p);
	if (st != BK_OK)
		return cli_finish(c, st, NULL);
	if (c->json) {
		json_t *o = provider_json(c, &p);
		struct cap_out co = { c, json_object() };
		struct where_ranked w = { c, p.id, json_array() };
		bk_capacity_each(&c->ctx, p.id, cap_row, &co);
		bk_ranking_each(&c->ctx, 0, NULL, where_row, &w);
		json_object_set_new(o, "capacity_minutes", co.obj);
		json_object_set_new(o, "rankings", w.arr);
		cli_print_json(o);
		return BK_OK;
	}
	struct list_out po = { c, NULL, list_table("provider", p.name, provider_cols, 7) };
	if (!po.t || provider_row(&po, &p) || po.t->failed) {
		bk_table_destroy(po.t);
		return cli_finish(c, BK_STORAGE, NULL);
	}
	print_table(c, po.t);
	bk_table_destroy(po.t);
	if (p.cqc_id[0])
		out_line(c, "  CQC %s", p.cqc_id);
	out_line(c, "  mail %s", p.emails[0] ? p.emails : "none: offers are made by phone");
	if (p.rate) {
		char r[32];
		money_format(p.rate, c->ascii, r, sizeof r);
		out_line(c, "  rate %s an hour", r);
	}
	struct cap_out co = { c, NULL };
	struct where_ranked w = { c, p.id, NULL };
	bk_capacity_each(&c->ctx, p.id, cap_row, &co);
	bk_ranking_each(&c->ctx, 0, NULL, where_row, &w);
	int64_t open = 0;
	if (bk_provider_open_offers(&c->ctx, p.id, &open) == BK_OK)
		out_line(c, "  open offers: %" PRId64, open);
	return BK_OK;
}

enum bk_status cmd_rank_set(struct cli *c)
{
	int64_t lot;
	if (!parse_int(cli_opt(c, "lot"), 1, 99, &lot))
		return cli_usage(c, "give the lot number with --lot");
	if (!cli_opt(c, "district"))
		return cli_usage(c, "give the district with --district");
	return cli_finish(c, bk_rank_set(&c->ctx, (int)lot, cli_opt(c, "district"), c->args.pos, c->args.npos), NULL);
}

static int rank_row(void *ud, const struct store_rank *r)
{
	struct list_out *o = ud;
	char name[128];
	bk_provider_name(&o->c->ctx, r->provider_id, name, sizeof name);
	if (o->arr) {
		json_array_append_new(o->arr, json_pack("{si ss si ss}", "lot", r->lot, "district", r->district, "rank",
		                                        r->rank, "provider", name));
		return 0;
	}
	const struct bk_lot *lot = bk_settings_lot(o->c->ctx.settings, r->lot);
	table_row(o->t, (int64_t)r->lot, lot ? lot->name : "not configured", r->district, (int64_t)r->rank, name);
	return o->t->failed;
}

enum bk_status cmd_rank_show(struct cli *c)
{
	static const struct list_col cols[] = {
		{ "lot", "LOT", BK_COL_INT },
		{ "lot_name", "LOT NAME", BK_COL_TEXT },
		{ "district", "DISTRICT", BK_COL_TEXT },
		{ "rank", "RANK", BK_COL_INT },
		{ "provider", "PROVIDER", BK_COL_TEXT },
	};
	int64_t lot = 0;
	if (cli_opt(c, "lot") && !parse_int(cli_opt(c, "lot"), 1, 99, &lot))
		return cli_usage(c, "--lot takes a lot number");
	bool bad;
	const char *district = district_opt(c, &bad);
	if (bad)
		return cli_usage(c, "--district names no configured district");
	struct list_out o;
	enum bk_status st = list_begin(c, &o, "rankings", "Rankings", cols, 5)
	                            ? bk_ranking_each(&c->ctx, (int)lot, district, rank_row, &o)
	                            : BK_STORAGE;
	return list_finish(c, st, o.arr, o.t);
}
