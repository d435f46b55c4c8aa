/* The exports: whole tables of referrals, offers, providers and rankings
 * in the shape the import reads back, and the audit event each export
 * writes. */
#include <csv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "core/internal.h"
#include "core/report.h"
#include "core/text.h"
#include "storage/store_data.h"
#include "core/report_internal.h"

/* ---- exports ---- */

static const char *const export_names[] = { "referrals", "providers", "offers", "rankings", NULL };

/* The status as the referral import takes it. */
static const char *import_status(enum wf_status status)
{
	if (status == WF_SOURCED || status == WF_ENDED || status == WF_WITHDRAWN)
		return wf_status_name(status);
	return "waiting";
}

struct export_state {
	struct bk_ctx *ctx;
	struct bk_table *t;
	const struct provider_set *provs;
	int rows;
};

static int export_referral(void *ud, const struct store_referral *r)
{
	struct export_state *es = ud;
	struct bk_table *t = es->t;
	if (r->erased)
		return 0; /* erased under retention: a stub that names no one, and nothing to import again */
	int row = bk_table_add_row(t, BK_ROW_DATA);
	if (row < 0)
		return 1;
	char hours[16];
	hours_format(r->hours_minutes, hours, sizeof hours);
	bk_table_set(t, row, 0, r->id);
	bk_table_set_text(t, row, 1, r->case_ref);
	bk_table_set(t, row, 2, r->lot);
	bk_table_set_text(t, row, 3, r->district);
	bk_table_set(t, row, 4, r->hours_minutes);
	if (r->panel_date != STORE_NO_DATE)
		bk_table_set(t, row, 5, r->panel_date);
	if (r->start_date != STORE_NO_DATE)
		bk_table_set(t, row, 6, r->start_date);
	if (r->age >= 0)
		bk_table_set(t, row, 7, r->age);
	bk_table_set_text(t, row, 8, r->urgent ? "yes" : "no");
	if (r->note[0])
		bk_table_set_text(t, row, 9, r->note);
	bk_table_set_text(t, row, 10, import_status(r->status));
	if (r->sourced_provider_id)
		bk_table_set_text(t, row, 11, provider_name(es->provs, r->sourced_provider_id));
	if (r->route[0]) {
		bk_table_set_text(t, row, 12, r->route);
		bk_table_set(t, row, 14, r->weekly_cost);
	}
	if (r->sourced_at)
		bk_table_set(t, row, 13, local_day(r->sourced_at));
	if (r->ended_on != STORE_NO_DATE)
		bk_table_set(t, row, 15, r->ended_on);
	bk_table_set(t, row, 16, local_day(r->created_at));
	bk_table_set_text(t, row, 17, wf_status_name(r->status));
	if (r->status == WF_WITHDRAWN) {
		if (r->closed_at)
			bk_table_set(t, row, 18, local_day(r->closed_at));
		if (r->close_reason[0])
			bk_table_set_text(t, row, 19, r->close_reason);
	}
	es->rows++;
	return t->failed;
}

struct cap_text {
	char buf[512];
	size_t off;
};

static int cap_add(void *ud, const char *district, int minutes)
{
	struct cap_text *c = ud;
	char h[16];
	hours_format(minutes, h, sizeof h);
	if (c->off < sizeof c->buf)
		c->off += (size_t)snprintf(c->buf + c->off, sizeof c->buf - c->off, "%s%s=%s", c->off ? ";" : "",
		                           district, h);
	return 0;
}

static int export_offer(void *ud, const struct store_report_offer *o)
{
	struct export_state *es = ud;
	struct bk_table *t = es->t;
	int row = bk_table_add_row(t, BK_ROW_DATA);
	if (row < 0)
		return 1;
	bk_table_set(t, row, 0, o->id);
	bk_table_set(t, row, 1, o->referral_id);
	bk_table_set_text(t, row, 2, provider_name(es->provs, o->provider_id));
	bk_table_set(t, row, 3, o->rank);
	bk_table_set_text(t, row, 4, wf_offer_status_name(o->status));
	bk_table_set_text(t, row, 5, o->confirmed ? "yes" : "no");
	bk_table_set(t, row, 6, o->sent_at);
	bk_table_set(t, row, 7, o->deadline_at);
	if (o->answered_at)
		bk_table_set(t, row, 8, o->answered_at);
	if (o->info_requested_at)
		bk_table_set(t, row, 9, o->info_requested_at);
	if (o->info_supplied_at)
		bk_table_set(t, row, 10, o->info_supplied_at);
	if (o->closed_at)
		bk_table_set(t, row, 11, o->closed_at);
	if (o->reason[0])
		bk_table_set_text(t, row, 12, o->reason);
	/* schema 6: how the answer came, its decline code, a hand-back */
	if (o->via[0])
		bk_table_set_text(t, row, 13, o->via);
	if (o->decline_code[0])
		bk_table_set_text(t, row, 14, o->decline_code);
	if (o->recorded_at)
		bk_table_set(t, row, 15, o->recorded_at);
	if (o->handed_back_on != STORE_NO_DATE)
		bk_table_set(t, row, 16, o->handed_back_on);
	es->rows++;
	return t->failed;
}

static int export_rank(void *ud, const struct store_rank *r)
{
	struct export_state *es = ud;
	struct bk_table *t = es->t;
	int row = bk_table_add_row(t, BK_ROW_DATA);
	if (row < 0)
		return 1;
	bk_table_set(t, row, 0, r->lot);
	bk_table_set_text(t, row, 1, r->district);
	bk_table_set(t, row, 2, r->rank);
	bk_table_set_text(t, row, 3, provider_name(es->provs, r->provider_id));
	es->rows++;
	return t->failed;
}

/* The one "data.export" event, for a list ("list": its name) or a report
 * ("report": its name, "parameters"): the rows of every part and, when it
 * goes to a file, the file's full path. */
static enum bk_status export_tx(struct bk_ctx *ctx, void *ud)
{
	json_t *after = ud; /* kept for a second run: the event takes a reference of its own */
	return bk_audit_obj(ctx, "data.export", "export", 0, 0, NULL, json_incref(after));
}

static enum bk_status audit_export(struct bk_ctx *ctx, const char *kind, const struct bk_table *t, const char *file)
{
	if (store_is_readonly(ctx->store))
		return BK_OK;
	json_t *after = json_object();
	json_object_set_new(after, kind, bk_json_text(t->name));
	if (t->n_params)
		json_object_set_new(after, "parameters", params_json(t));
	int rows = 0;
	for (const struct bk_table *p = t; p; p = p->next)
		rows += p->n_rows;
	json_object_set_new(after, "rows", json_integer(rows));
	if (file) {
		char *full = realpath(file, NULL);
		json_object_set_new(after, "file", bk_json_text(full ? full : file));
		free(full);
	}
	enum bk_status st = bk_tx_run(ctx, export_tx, after);
	json_decref(after);
	return st;
}

enum bk_status bk_record_export(struct bk_ctx *ctx, const struct bk_table *t, const char *file)
{
	enum bk_status st = bk_require(ctx, PERM_READ);
	return st != BK_OK ? st : audit_export(ctx, "report", t, file);
}

enum bk_status bk_export(struct bk_ctx *ctx, const char *name, const char *file, struct bk_table **out)
{
	*out = NULL;
	enum bk_status st = bk_require(ctx, PERM_READ);
	if (st != BK_OK)
		return st;
	int which = -1;
	for (int i = 0; name && export_names[i]; i++)
		if (strcmp(export_names[i], name) == 0)
			which = i;
	if (which < 0)
		return bk_fail(ctx, BK_USAGE,
		               "there is no list '%s' to export: choose referrals, providers, offers or rankings",
		               name ? name : "");
	struct provider_set provs;
	if ((st = load_providers(ctx, &provs)) != BK_OK)
		return st;
	struct bk_table *t = bk_table_create(name, which == 0   ? "Referrals"
	                                           : which == 1 ? "Providers"
	                                           : which == 2 ? "Offers"
	                                                        : "Rankings");
	if (!t) {
		vec_free(&provs.p);
		return bk_fail(ctx, BK_STORAGE, "out of memory");
	}
	struct export_state es = { .ctx = ctx, .t = t, .provs = &provs };
	enum store_status ss = STORE_OK;
	if (which == 0) {
		bk_table_add_column(t, "id", "id", NULL, BK_COL_INT);
		bk_table_add_column(t, "case_ref", "case_ref", NULL, BK_COL_TEXT);
		bk_table_add_column(t, "lot", "lot", NULL, BK_COL_INT);
		bk_table_add_column(t, "district", "district", NULL, BK_COL_TEXT);
		bk_table_add_column(t, "hours", "hours", NULL, BK_COL_HOURS);
		bk_table_add_column(t, "panel_date", "panel_date", NULL, BK_COL_DATE);
		bk_table_add_column(t, "start_date", "start_date", NULL, BK_COL_DATE);
		bk_table_add_column(t, "age", "age", NULL, BK_COL_INT);
		bk_table_add_column(t, "urgent", "urgent", NULL, BK_COL_TEXT);
		bk_table_add_column(t, "note", "note", NULL, BK_COL_TEXT);
		bk_table_add_column(t, "status", "status", NULL, BK_COL_TEXT);
		bk_table_add_column(t, "provider", "provider", NULL, BK_COL_TEXT);
		bk_table_add_column(t, "route", "route", NULL, BK_COL_TEXT);
		bk_table_add_column(t, "sourced_on", "sourced_on", NULL, BK_COL_DATE);
		bk_table_add_column(t, "weekly_cost", "weekly_cost", NULL, BK_COL_MONEY);
		bk_table_add_column(t, "ended_on", "ended_on", NULL, BK_COL_DATE);
		bk_table_add_column(t, "recorded_on", "recorded_on", NULL, BK_COL_DATE);
		bk_table_add_column(t, "workflow_status", "workflow_status", NULL, BK_COL_TEXT);
		bk_table_add_column(t, "withdrawn_on", "withdrawn_on", NULL, BK_COL_DATE);
		bk_table_add_column(t, "withdrawn_reason", "withdrawn_reason", NULL, BK_COL_TEXT);
		struct store_referral_filter f = { 0 };
		ss = store_referral_each(ctx->store, &f, export_referral, &es);
	} else if (which == 1) {
		bk_table_add_column(t, "name", "name", NULL, BK_COL_TEXT);
		bk_table_add_column(t, "framework", "framework", NULL, BK_COL_TEXT);
		bk_table_add_column(t, "cqc", "cqc", NULL, BK_COL_TEXT);
		bk_table_add_column(t, "ages", "ages", NULL, BK_COL_TEXT);
		bk_table_add_column(t, "risk", "risk", NULL, BK_COL_TEXT);
		bk_table_add_column(t, "pamms", "pamms", NULL, BK_COL_TEXT);
		bk_table_add_column(t, "rate", "rate", NULL, BK_COL_MONEY);
		bk_table_add_column(t, "embargo", "embargo", NULL, BK_COL_TEXT);
		bk_table_add_column(t, "active", "active", NULL, BK_COL_TEXT);
		bk_table_add_column(t, "capacity", "capacity", NULL, BK_COL_TEXT);
		for (size_t i = 0; i < provs.p.n && ss == STORE_OK; i++) {
			const struct store_provider *pv = &provs.p.v[i];
			int row = bk_table_add_row(t, BK_ROW_DATA);
			bk_table_set_text(t, row, 0, pv->name);
			bk_table_set_text(t, row, 1, pv->framework ? "yes" : "no");
			if (pv->cqc_id[0])
				bk_table_set_text(t, row, 2, pv->cqc_id);
			if (pv->age_min >= 0) {
				char ages[32];
				snprintf(ages, sizeof ages, "%d-%d", pv->age_min, pv->age_max);
				bk_table_set_text(t, row, 3, ages);
			}
			bk_table_set_text(t, row, 4, pv->risk);
			if (pv->pamms[0])
				bk_table_set_text(t, row, 5, pv->pamms);
			if (pv->rate)
				bk_table_set(t, row, 6, pv->rate);
			if (pv->embargo[0])
				bk_table_set_text(t, row, 7, pv->embargo);
			bk_table_set_text(t, row, 8, pv->active ? "yes" : "no");
			struct cap_text ct = { .off = 0 };
			ct.buf[0] = '\0';
			ss = store_capacity_each(ctx->store, pv->id, cap_add, &ct);
			if (ct.buf[0])
				bk_table_set_text(t, row, 9, ct.buf);
			es.rows++;
		}
	} else if (which == 3) {
		/* as import rankings takes them: a framework package imports only
		 * for a provider ranked for its lot and district */
		bk_table_add_column(t, "lot", "lot", NULL, BK_COL_INT);
		bk_table_add_column(t, "district", "district", NULL, BK_COL_TEXT);
		bk_table_add_column(t, "rank", "rank", NULL, BK_COL_INT);
		bk_table_add_column(t, "provider", "provider", NULL, BK_COL_TEXT);
		ss = store_ranking_each(ctx->store, 0, NULL, export_rank, &es);
	} else {
		bk_table_add_column(t, "id", "id", NULL, BK_COL_INT);
		bk_table_add_column(t, "referral", "referral", NULL, BK_COL_INT);
		bk_table_add_column(t, "provider", "provider", NULL, BK_COL_TEXT);
		bk_table_add_column(t, "rank", "rank", NULL, BK_COL_INT);
		bk_table_add_column(t, "status", "status", NULL, BK_COL_TEXT);
		bk_table_add_column(t, "confirmed", "confirmed", NULL, BK_COL_TEXT);
		bk_table_add_column(t, "sent_at", "sent_at", NULL, BK_COL_TIME);
		bk_table_add_column(t, "deadline_at", "deadline_at", NULL, BK_COL_TIME);
		bk_table_add_column(t, "answered_at", "answered_at", NULL, BK_COL_TIME);
		bk_table_add_column(t, "info_requested_at", "info_requested_at", NULL, BK_COL_TIME);
		bk_table_add_column(t, "info_supplied_at", "info_supplied_at", NULL, BK_COL_TIME);
		bk_table_add_column(t, "closed_at", "closed_at", NULL, BK_COL_TIME);
		bk_table_add_column(t, "reason", "reason", NULL, BK_COL_TEXT);
		bk_table_add_column(t, "via", "via", NULL, BK_COL_TEXT);
		bk_table_add_column(t, "decline_code", "decline_code", NULL, BK_COL_TEXT);
		bk_table_add_column(t, "recorded_at", "recorded_at", NULL, BK_COL_TIME);
		bk_table_add_column(t, "handed_back_on", "handed_back_on", NULL, BK_COL_DATE);
		ss = store_report_offers_each(ctx->store, INT64_MIN, INT64_MAX, export_offer, &es);
	}
	vec_free(&provs.p);
	if (ss != STORE_OK) {
		bk_table_destroy(t);
		return bk_from_store(ctx, ss);
	}
	if (t->failed) {
		bk_table_destroy(t);
		return bk_fail(ctx, BK_STORAGE, "out of memory exporting %s", name);
	}
	if (which != 1 && which != 3 && (st = audit_export(ctx, "list", t, file)) != BK_OK) {
		bk_table_destroy(t);
		return st;
	}
	*out = t;
	bk_fail(ctx, BK_OK, "exported %d %s", es.rows, name);
	return BK_OK;
}
