/* The commands on mail: deliver what waits in the outbox, list what has
 * not gone, queue a stopped message again. */
#include <jansson.h>
#include <stdio.h>

#include "core/brokerage.h"
#include "cli/cli.h"
#include "cli/commands.h"

enum bk_status cmd_mail_flush(struct cli *c)
{
	if (!no_extra(c, 0))
		return BK_USAGE;
	struct bk_mail_flush_result r;
	enum bk_status st = bk_mail_flush(&c->ctx, &r);
	return cli_finish(c, st,
	                  c->json && st == BK_OK
	                          ? json_pack("{si si si}", "sent", r.sent, "failed", r.failed, "stopped", r.stopped)
	                          : NULL);
}

static const struct list_col mail_cols[] = {
	{ "id", "ID", BK_COL_INT },        { "referral", "REFERRAL", BK_COL_INT },  { "case", "CASE", BK_COL_TEXT },
	{ "kind", "KIND", BK_COL_TEXT },   { "provider", "PROVIDER", BK_COL_TEXT }, { "to", "TO", BK_COL_TEXT },
	{ "state", "STATE", BK_COL_TEXT },
};
#define N_MAIL_COLS ((int)(sizeof mail_cols / sizeof mail_cols[0]))

static int mail_row(void *ud, const struct bk_mail_view *v)
{
	struct list_out *o = ud;
	if (o->arr) {
		json_t *j = mail_json(v);
		json_object_set_new(j, "case_ref", cli_jtext(v->case_ref));
		json_array_append_new(o->arr, j);
		return 0;
	}
	table_row(o->t, (int64_t)v->m.id, (int64_t)v->m.referral_id, v->case_ref, bk_mail_kind_name(v->m.kind),
	          v->provider, v->m.recipients, v->state);
	return o->t->failed;
}

enum bk_status cmd_mail_list(struct cli *c)
{
	if (!no_extra(c, 0))
		return BK_USAGE;
	struct list_out o;
	enum bk_status st = list_begin(c, &o, "mail", "Mail not yet delivered", mail_cols, N_MAIL_COLS)
	                            ? bk_mail_list(&c->ctx, mail_row, &o)
	                            : BK_STORAGE;
	return list_finish(c, st, o.arr, o.t);
}

enum bk_status cmd_mail_retry(struct cli *c)
{
	int64_t id;
	if (!pos_id(c, 0, "message id", &id) || !no_extra(c, 1))
		return BK_USAGE;
	return cli_finish(c, bk_mail_retry(&c->ctx, id), NULL);
}
