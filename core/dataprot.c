/* The data-protection duties: a subject access request answered from
 * everything held about one case reference, erasure under the retention
 * rules (the audit chain stays verifiable: the erasure is itself an event
 * whose hash covers it), and reads of a referral recorded as events. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/internal.h"
#include "core/vec.h"
#include "core/report.h"
#include "core/text.h"
#include "storage/store_data.h"

/* ---- reads ---- */

static enum bk_status record_read_tx(struct bk_ctx *ctx, void *ud)
{
	int64_t referral_id = *(const int64_t *)ud;
	struct store_referral r;
	enum store_status ss = store_referral_get(ctx->store, referral_id, &r);
	if (ss == STORE_NOT_FOUND)
		return BK_OK; /* nothing was there to read */
	if (ss != STORE_OK)
		return bk_from_store(ctx, ss);
	return bk_audit_obj(ctx, "referral.read", "referral", referral_id, referral_id, NULL, NULL);
}

enum bk_status bk_record_read(struct bk_ctx *ctx, int64_t referral_id)
{
	if (!ctx->store || store_is_readonly(ctx->store))
		return BK_OK;
	return bk_tx_run(ctx, record_read_tx, &referral_id);
}

static enum bk_status bulk_read_tx(struct bk_ctx *ctx, void *ud)
{
	const char *what = ud;
	return bk_audit_obj(ctx, "data.read", "read", 0, 0, NULL, json_pack("{so}", "list", bk_json_text(what)));
}

enum bk_status bk_record_bulk_read(struct bk_ctx *ctx, const char *what)
{
	if (!ctx->store || store_is_readonly(ctx->store))
		return BK_OK;
	return bk_tx_run(ctx, bulk_read_tx, (void *)what);
}

/* ---- subject access ---- */

static enum bk_status require_role(struct bk_ctx *ctx, bool team_leader_too, const char *what)
{
	if (ctx->actor.staff_id == 0)
		return bk_fail(ctx, BK_REFUSED, "you are not identified as a member of staff");
	if (ctx->actor.role == ROLE_ADMIN || (team_leader_too && ctx->actor.role == ROLE_TEAM_LEADER))
		return BK_OK;
	return bk_fail(ctx, BK_REFUSED, "only %s can %s (you are %s)",
	               team_leader_too ? "a team leader or an administrator" : "an administrator", what,
	               policy_role_with_article(ctx->actor.role));
}

struct referral_set {
	VEC(struct store_referral) r;
	bool failed;
};

static int collect_referral(void *ud, const struct store_referral *r)
{
	struct referral_set *s = ud;
	struct store_referral *e = vec_push(&s->r);
	if (!e) {
		s->failed = true;
		return 1;
	}
	*e = *r;
	return 0;
}

/* A directory of our own for the answer: made 0700, or an existing empty
 * one that is really a directory of ours. */
static enum bk_status make_out_dir(struct bk_ctx *ctx, const char *dir)
{
	if (mkdir(dir, 0700) == 0)
		return BK_OK;
	if (errno != EEXIST)
		return bk_fail(ctx, BK_REFUSED, "cannot create %s: %s", dir, strerror(errno));
	struct stat sb;
	if (lstat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
		return bk_fail(ctx, BK_REFUSED, "%s exists and is not a directory", dir);
	if (sb.st_uid != geteuid())
		return bk_fail(ctx, BK_REFUSED, "%s belongs to someone else: give a new directory", dir);
	DIR *d = opendir(dir);
	if (!d)
		return bk_fail(ctx, BK_REFUSED, "cannot read %s: %s", dir, strerror(errno));
	struct dirent *e;
	bool empty = true;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			empty = false;
	closedir(d);
	if (!empty)
		return bk_fail(ctx, BK_REFUSED, "%s is not empty: give a new or empty directory", dir);
	if (chmod(dir, 0700) != 0)
		return bk_fail(ctx, BK_REFUSED, "cannot make %s private: %s", dir, strerror(errno));
	return BK_OK;
}

static FILE *open_private(const char *dir, const char *name, char *path, size_t len)
{
	snprintf(path, len, "%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return NULL;
	FILE *f = fdopen(fd, "w");
	if (!f)
		close(fd);
	return f;
}

/* ---- the answer's CSV files, each from one description ---- */

/* Where a column's value is in a record, and when its cell stays empty. */
enum src {
	SRC_I64,          /* int64_t */
	SRC_I64_SET,      /* int64_t; empty when 0 */
	SRC_INT,          /* int */
	SRC_INT_SET,      /* int; empty when negative */
	SRC_DATE,         /* int32_t day; empty when STORE_NO_DATE */
	SRC_YES_NO,       /* bool */
	SRC_TEXT,         /* char array, written even when empty */
	SRC_TEXT_SET,     /* char array; empty when "" */
	SRC_TEXT_PTR,     /* const char *; empty when NULL */
	SRC_STATUS,       /* enum wf_status, by its name */
	SRC_OFFER_STATUS, /* enum wf_offer_status, by its name */
	SRC_SPOT_STATUS,  /* enum wf_spot_status, by its name */
};

struct answer_col {
	const char *key; /* the heading */
	enum bk_col_type type;
	enum src src;
	size_t off;       /* of the value in the record */
	const char *with; /* empty unless this column's cell is set too; NULL: no such rule */
};

/* The records the rows are made from: as stored, with the provider's name. */
struct referral_view {
	struct store_referral r;
	char provider[128];
};
struct offer_view {
	struct store_offer o;
	char provider[128];
};
struct spot_view {
	struct store_spot s;
	char provider[128];
};

#define RV(m) offsetof(struct referral_view, m)
static const struct answer_col referral_cols[] = {
	{ "id", BK_COL_INT, SRC_I64, RV(r.id), NULL },
	{ "case_ref", BK_COL_TEXT, SRC_TEXT, RV(r.case_ref), NULL },
	{ "lot", BK_COL_INT, SRC_INT, RV(r.lot), NULL },
	{ "district", BK_COL_TEXT, SRC_TEXT, RV(r.district), NULL },
	{ "hours", BK_COL_HOURS, SRC_INT, RV(r.hours_minutes), NULL },
	{ "panel_date", BK_COL_DATE, SRC_DATE, RV(r.panel_date), NULL },
	{ "start_date", BK_COL_DATE, SRC_DATE, RV(r.start_date), NULL },
	{ "age", BK_COL_INT, SRC_INT_SET, RV(r.age), NULL },
	{ "urgent", BK_COL_TEXT, SRC_YES_NO, RV(r.urgent), NULL },
	{ "note", BK_COL_TEXT, SRC_TEXT_SET, RV(r.note), NULL },
	{ "status", BK_COL_TEXT, SRC_STATUS, RV(r.status), NULL },
	{ "created_at", BK_COL_TIME, SRC_I64, RV(r.created_at), NULL },
	{ "sourced_at", BK_COL_TIME, SRC_I64_SET, RV(r.sourced_at), NULL },
	{ "provider", BK_COL_TEXT, SRC_TEXT_SET, RV(provider), NULL },
	{ "route", BK_COL_TEXT, SRC_TEXT_SET, RV(r.route), NULL },
	{ "weekly_cost", BK_COL_MONEY, SRC_I64, RV(r.weekly_cost), "route" }, /* a cost only once sourced */
	{ "ended_on", BK_COL_DATE, SRC_DATE, RV(r.ended_on), NULL },
	{ "closed_at", BK_COL_TIME, SRC_I64_SET, RV(r.closed_at), NULL },
	{ "close_reason", BK_COL_TEXT, SRC_TEXT_SET, RV(r.close_reason), NULL },
};
#define OV(m) offsetof(struct offer_view, m)
static const struct answer_col offer_cols[] = {
	{ "id", BK_COL_INT, SRC_I64, OV(o.id), NULL },
	{ "referral", BK_COL_INT, SRC_I64, OV(o.referral_id), NULL },
	{ "provider", BK_COL_TEXT, SRC_TEXT, OV(provider), NULL },
	{ "rank", BK_COL_INT, SRC_INT, OV(o.rank), NULL },
	{ "status", BK_COL_TEXT, SRC_OFFER_STATUS, OV(o.status), NULL },
	{ "sent_at", BK_COL_TIME, SRC_I64, OV(o.sent_at), NULL },
	{ "deadline_at", BK_COL_TIME, SRC_I64, OV(o.deadline_at), NULL },
	{ "answered_at", BK_COL_TIME, SRC_I64_SET, OV(o.answered_at), NULL },
	{ "reason", BK_COL_TEXT, SRC_TEXT_SET, OV(o.reason), NULL },
};
#define SV(m) offsetof(struct spot_view, m)
static const struct answer_col spot_cols[] = {
	{ "id", BK_COL_INT, SRC_I64, SV(s.id), NULL },
	{ "referral", BK_COL_INT, SRC_I64, SV(s.referral_id), NULL },
	{ "provider", BK_COL_TEXT, SRC_TEXT, SV(provider), NULL },
	{ "status", BK_COL_TEXT, SRC_SPOT_STATUS, SV(s.status), NULL },
	{ "rate", BK_COL_MONEY, SRC_I64, SV(s.rate), NULL },
	{ "hours", BK_COL_HOURS, SRC_INT, SV(s.hours_minutes), NULL },
	{ "weekly_cost", BK_COL_MONEY, SRC_I64, SV(s.weekly_cost), NULL },
	{ "justification", BK_COL_TEXT, SRC_TEXT, SV(s.justification), NULL },
	{ "note", BK_COL_TEXT, SRC_TEXT_SET, SV(s.note), NULL },
	{ "requested_at", BK_COL_TIME, SRC_I64, SV(s.requested_at), NULL },
};
#define EV(m) offsetof(struct store_event, m)
static const struct answer_col event_cols[] = {
	{ "seq", BK_COL_INT, SRC_I64, EV(seq), NULL },
	{ "at", BK_COL_TIME, SRC_I64, EV(at), NULL },
	{ "actor", BK_COL_TEXT, SRC_TEXT, EV(actor), NULL },
	{ "action", BK_COL_TEXT, SRC_TEXT, EV(action), NULL },
	{ "entity", BK_COL_TEXT, SRC_TEXT, EV(entity), NULL },
	{ "entity_id", BK_COL_INT, SRC_I64, EV(entity_id), NULL },
	{ "referral", BK_COL_INT, SRC_I64, EV(referral_id), NULL },
	{ "before", BK_COL_TEXT, SRC_TEXT_PTR, EV(before), NULL },
	{ "after", BK_COL_TEXT, SRC_TEXT_PTR, EV(after), NULL },
};
#define N_COLS(cols) ((int)(sizeof cols / sizeof cols[0]))

static struct bk_table *answer_table(const char *name, const struct answer_col *cols, int n)
{
	struct bk_table *t = bk_table_create(name, name);
	for (int i = 0; t && i < n; i++)
		bk_table_add_column(t, cols[i].key, cols[i].key, NULL, cols[i].type);
	return t;
}

static int col_named(const struct answer_col *cols, int n, const char *key)
{
	for (int i = 0; i < n; i++)
		if (strcmp(cols[i].key, key) == 0)
			return i;
	return -1;
}

/* One row of t from rec, as cols describe it. */
static void answer_row(struct bk_table *t, const struct answer_col *cols, int n, const void *rec)
{
	int row = bk_table_add_row(t, BK_ROW_DATA);
	if (row < 0)
		return;
	for (int c = 0; c < n; c++) {
		const char *p = (const char *)rec + cols[c].off;
		if (cols[c].with) {
			int w = col_named(cols, n, cols[c].with);
			if (w < 0 || !t->rows[row].cells[w].set)
				continue;
		}
		switch (cols[c].src) {
		case SRC_I64:
		case SRC_I64_SET: {
			int64_t v = *(const int64_t *)(const void *)p;
			if (v || cols[c].src == SRC_I64)
				bk_table_set(t, row, c, v);
			break;
		}
		case SRC_INT:
		case SRC_INT_SET: {
			int v = *(const int *)(const void *)p;
			if (v >= 0 || cols[c].src == SRC_INT)
				bk_table_set(t, row, c, v);
			break;
		}
		case SRC_DATE: {
			int32_t v = *(const int32_t *)(const void *)p;
			if (v != STORE_NO_DATE)
				bk_table_set(t, row, c, v);
			break;
		}
		case SRC_YES_NO:
			bk_table_set_text(t, row, c, *(const bool *)(const void *)p ? "yes" : "no");
			break;
		case SRC_TEXT:
		case SRC_TEXT_SET:
			if (*p || cols[c].src == SRC_TEXT)
				bk_table_set_text(t, row, c, p);
			break;
		case SRC_STATUS:
			bk_table_set_text(t, row, c, wf_status_name(*(const enum wf_status *)(const void *)p));
			break;
		case SRC_OFFER_STATUS:
			bk_table_set_text(t, row, c,
			                  wf_offer_status_name(*(const enum wf_offer_status *)(const void *)p));
			break;
		case SRC_SPOT_STATUS:
			bk_table_set_text(t, row, c,
			                  wf_spot_status_name(*(const enum wf_spot_status *)(const void *)p));
			break;
		case SRC_TEXT_PTR: {
			const char *v = *(const char *const *)(const void *)p;
			if (v)
				bk_table_set_text(t, row, c, v);
			break;
		}
		}
	}
}

/* ---- the answer ---- */

struct sar {
	struct bk_ctx *ctx;
	json_t *offers, *spots, *events; /* for the referral being read */
	json_t *mail_out, *mail_in;      /* the messages sent and received about it */
	VEC(int64_t) offer_ids;          /* its offers, for the answers that came in */
	VEC(int64_t) inbox_ids;          /* the inbox items its audit events name (received, matched) */
	const char *case_ref;            /* the reference asked about */
	struct bk_table *t_offers, *t_spots, *t_events;
	bool failed;
};

/* A message sent about the referral, with its text as it went. */
static int sar_mail_out(void *ud, const struct store_outbox *m)
{
	struct sar *s = ud;
	struct store_outbox whole;
	char *text = NULL;
	if (store_outbox_get(s->ctx->store, m->id, &whole, &text) != STORE_OK) {
		s->failed = true;
		return 1;
	}
	json_array_append_new(s->mail_out, json_pack("{ss ss ss so so ss*}", "kind", store_mail_kind_name(m->kind),
	                                             "status", store_mail_status_name(m->status), "to", m->recipients,
	                                             "queued_at", bk_json_time(m->queued_at), "sent_at",
	                                             bk_json_time(m->sent_at), "message", text));
	free(text);
	return 0;
}

/* A character a case reference may hold (text_valid_case_ref). */
static bool ref_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '/' ||
	       c == '_' || c == '.';
}

/* Does text name the case reference ref, in any case, as a whole word: not
 * part of a longer reference (C-1 is not named by C-10 or XC-1; a full stop
 * after it ends a sentence)? */
static bool names_case(const char *text, const char *ref)
{
	size_t n = strlen(ref);
	if (!text || !n)
		return false;
	for (const char *p = text; *p; p++) {
		if (strncasecmp(p, ref, n) != 0)
			continue;
		if (p > text && ref_char(p[-1]))
			continue;
		char after = p[n];
		if (after == '.' && ref_char(p[n + 1]) && p[n + 1] != '.')
			continue;
		if (after != '.' && ref_char(after))
			continue;
		return true;
	}
	return false;
}

/* A message received about the referral, with its text as kept (none once
 * erased): one that answers one of its offers (by its token, or matched to
 * it by an officer), one its audit events name, or one in triage whose
 * subject or text names its case reference. */
static int sar_mail_in(void *ud, const struct store_inbox *x)
{
	struct sar *s = ud;
	bool ours = false;
	for (size_t i = 0; x->offer_id && !ours && i < s->offer_ids.n; i++)
		ours = s->offer_ids.v[i] == x->offer_id;
	for (size_t i = 0; !ours && i < s->inbox_ids.n; i++)
		ours = s->inbox_ids.v[i] == x->id;
	if (!ours && !x->offer_id)
		ours = names_case(x->subject, s->case_ref);
	char *body = NULL;
	if ((ours || !x->offer_id) && store_inbox_body(s->ctx->store, x->id, &body) != STORE_OK) {
		s->failed = true;
		return 1;
	}
	/* an item answering another referral's offer is that referral's, whatever it quotes */
	if (!ours && !x->offer_id)
		ours = names_case(body, s->case_ref);
	if (ours)
		json_array_append_new(s->mail_in,
		                      json_pack("{sI ss ss so ss ss so ss ss* ss*}", "id", (json_int_t)x->id, "kind",
		                                x->proposed ? "proposed" : "triage", "state", x->state, "offer",
		                                x->offer_id ? json_integer(x->offer_id) : json_null(), "from",
		                                x->sender, "subject", x->subject, "received_at",
		                                bk_json_time(x->received_at), "verb", x->verb, "reason",
		                                x->reason[0] ? x->reason : NULL, "message", body));
	free(body);
	return 0;
}

static int sar_offer(void *ud, const struct store_offer *o)
{
	struct sar *s = ud;
	int64_t *id = vec_push(&s->offer_ids);
	if (!id) {
		s->failed = true;
		return 1;
	}
	*id = o->id;
	struct offer_view v = { .o = *o };
	bk_provider_name(s->ctx, o->provider_id, v.provider, sizeof v.provider);
	json_t *j = bk_offer_obj(o);
	json_object_set_new(j, "provider", json_string(v.provider));
	json_array_append_new(s->offers, j);
	answer_row(s->t_offers, offer_cols, N_COLS(offer_cols), &v);
	return 0;
}

static int sar_spot(void *ud, const struct store_spot *sp)
{
	struct sar *s = ud;
	struct spot_view v = { .s = *sp };
	bk_provider_name(s->ctx, sp->provider_id, v.provider, sizeof v.provider);
	json_t *j = bk_spot_obj(sp);
	json_object_set_new(j, "provider", json_string(v.provider));
	json_array_append_new(s->spots, j);
	answer_row(s->t_spots, spot_cols, N_COLS(spot_cols), &v);
	return 0;
}

static int sar_event(void *ud, const struct store_event *e)
{
	struct sar *s = ud;
	if (strcmp(e->entity, "inbox") == 0) {
		int64_t *id = vec_push(&s->inbox_ids);
		if (!id) {
			s->failed = true;
			return 1;
		}
		*id = e->entity_id;
	}
	json_t *before = e->before ? json_loads(e->before, 0, NULL) : NULL;
	json_t *after = e->after ? json_loads(e->after, 0, NULL) : NULL;
	json_array_append_new(s->events, json_pack("{sI so ss ss ss sI so so sb}", "seq", (json_int_t)e->seq, "at",
	                                           bk_json_time(e->at), "actor", e->actor, "action", e->action,
	                                           "entity", e->entity, "entity_id", (json_int_t)e->entity_id, "before",
	                                           before ? before : json_null(), "after", after ? after : json_null(),
	                                           "erased", e->payload_erased));
	answer_row(s->t_events, event_cols, N_COLS(event_cols), e);
	return 0;
}

static void referral_row(struct bk_ctx *ctx, struct bk_table *t, const struct store_referral *r)
{
	struct referral_view v = { .r = *r };
	bk_provider_name(ctx, r->sourced_provider_id, v.provider, sizeof v.provider);
	answer_row(t, referral_cols, N_COLS(referral_cols), &v);
}

static bool write_table(const char *dir, const char *file, const struct bk_table *t)
{
	char path[1200];
	FILE *f = open_private(dir, file, path, sizeof path);
	if (!f)
		return false;
	bool ok = bk_table_write_csv(t, f);
	return fclose(f) == 0 && ok;
}

struct sar_args {
	const char *case_ref;
	struct referral_set rs; /* the case's referrals, as read in the transaction */
};

static enum bk_status sar_tx(struct bk_ctx *ctx, void *ud)
{
	struct sar_args *a = ud;
	const char *case_ref = a->case_ref;
	vec_free(&a->rs.r);
	memset(&a->rs, 0, sizeof a->rs);
	struct store_referral_filter f = { .case_ref = case_ref };
	enum store_status ss = store_referral_each(ctx->store, &f, collect_referral, &a->rs);
	if (a->rs.failed || ss != STORE_OK)
		return a->rs.failed ? bk_fail(ctx, BK_STORAGE, "out of memory") : bk_from_store(ctx, ss);
	const struct referral_set rs = a->rs;
	enum bk_status st = BK_OK;
	for (size_t i = 0; st == BK_OK && i < rs.r.n; i++)
		st = bk_audit_obj(ctx, "subject.access", "referral", rs.r.v[i].id, rs.r.v[i].id, NULL,
		                  json_pack("{ss}", "answered_by", ctx->actor.login));
	/* A request that found nothing is about no referral, so no erasure
	 * would ever reach it: the trail keeps a fingerprint of the case
	 * reference (salted with this database's first event), enough to show
	 * later that a given request was answered, and the reference itself
	 * nowhere. */
	if (st == BK_OK && rs.r.n == 0) {
		struct store_origin og;
		char salted[2 * STORE_HASH_BYTES + 80], salt[2 * STORE_HASH_BYTES + 1], fp[65];
		if (store_audit_origin(ctx->store, &og) != STORE_OK)
			memset(og.hash, 0, sizeof og.hash);
		store_hash_hex(og.hash, salt);
		snprintf(salted, sizeof salted, "%s:%s", salt, case_ref);
		store_sha256_hex(salted, strlen(salted), fp);
		st = bk_audit_obj(ctx, "subject.access", "subject", 0, 0, NULL,
		                  json_pack("{ss si ss}", "case_ref_fingerprint", fp, "referrals", 0, "answered_by",
		                            ctx->actor.login));
	}
	return st;
}

enum bk_status bk_subject_access(struct bk_ctx *ctx, const char *case_ref, const char *dir, int *n_referrals)
{
	*n_referrals = 0;
	enum bk_status st = require_role(ctx, true, "answer a subject access request");
	if (st != BK_OK)
		return st;
	const char *why = NULL;
	if (!text_valid_case_ref(case_ref ? case_ref : "", &why))
		return bk_fail(ctx, BK_REFUSED, "case reference: %s", why);
	if (!dir || !*dir)
		return bk_fail(ctx, BK_USAGE, "give the directory for the answer with --out DIR");
	if (store_is_readonly(ctx->store))
		return bk_fail(ctx, BK_REFUSED,
		               "the database is open read-only, so the subject access cannot be recorded in "
		               "the audit trail; nothing was written");
	if ((st = make_out_dir(ctx, dir)) != BK_OK)
		return st;
	/* Recorded first: an answer is never written without its event. */
	struct sar_args sa = { .case_ref = case_ref };
	st = bk_tx_run(ctx, sar_tx, &sa);
	struct referral_set rs = sa.rs;
	enum store_status ss = STORE_OK;
	if (st != BK_OK) {
		vec_free(&rs.r);
		return st;
	}

	struct bk_table *t_ref = answer_table("referrals", referral_cols, N_COLS(referral_cols));
	struct sar s = {
		.ctx = ctx,
		.t_offers = answer_table("offers", offer_cols, N_COLS(offer_cols)),
		.t_spots = answer_table("spot_requests", spot_cols, N_COLS(spot_cols)),
		.t_events = answer_table("events", event_cols, N_COLS(event_cols)),
	};
	json_t *root = json_object(), *refs = json_array();
	char stamp[32];
	cal_format_utc(ctx->now, stamp, sizeof stamp);
	json_object_set_new(root, "case_ref", json_string(case_ref));
	json_object_set_new(root, "generated_at", json_string(stamp));
	json_object_set_new(root, "generated_by", json_string(ctx->actor.login));
	if (!t_ref || !s.t_offers || !s.t_spots || !s.t_events) {
		st = bk_fail(ctx, BK_STORAGE, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < rs.r.n && ss == STORE_OK; i++) {
		const struct store_referral *r = &rs.r.v[i];
		referral_row(ctx, t_ref, r);
		json_t *j = bk_referral_obj(r);
		s.offers = json_array();
		s.spots = json_array();
		s.events = json_array();
		s.mail_out = json_array();
		s.mail_in = json_array();
		s.offer_ids.n = 0;
		s.inbox_ids.n = 0;
		s.case_ref = r->case_ref;
		ss = store_offer_each_for_referral(ctx->store, r->id, sar_offer, &s);
		if (ss == STORE_OK)
			ss = store_outbox_each(ctx->store, r->id, sar_mail_out, &s);
		if (ss == STORE_OK)
			ss = store_spot_each(ctx->store, false, r->id, sar_spot, &s);
		struct store_event_filter ef = { .referral_id = r->id };
		if (ss == STORE_OK)
			ss = store_audit_each(ctx->store, &ef, sar_event, &s);
		/* after the events: they name the items received and matched about it */
		if (ss == STORE_OK && !s.failed)
			ss = store_inbox_each(ctx->store, false, sar_mail_in, &s);
		if (ss == STORE_OK && s.failed)
			ss = STORE_ERROR;
		json_object_set_new(j, "offers", s.offers);
		json_object_set_new(j, "spot_requests", s.spots);
		json_object_set_new(j, "events", s.events);
		json_object_set_new(j, "mail_sent", s.mail_out);
		json_object_set_new(j, "mail_received", s.mail_in);
		json_array_append_new(refs, j);
	}
	json_object_set_new(root, "referrals", refs);
	if (ss != STORE_OK) {
		st = bk_from_store(ctx, ss);
		goto done;
	}
	char path[1200];
	FILE *jf = open_private(dir, "subject.json", path, sizeof path);
	char *raw = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	char *hard = raw ? text_json_harden(raw) : NULL;
	bool ok = jf && hard && fputs(hard, jf) != EOF && fputc('\n', jf) != EOF;
	free(raw);
	free(hard);
	if (jf)
		ok = fclose(jf) == 0 && ok;
	ok = ok && write_table(dir, "referrals.csv", t_ref) && write_table(dir, "offers.csv", s.t_offers) &&
	     write_table(dir, "spot_requests.csv", s.t_spots) && write_table(dir, "events.csv", s.t_events);
	if (!ok || t_ref->failed || s.t_offers->failed || s.t_spots->failed || s.t_events->failed) {
		st = bk_fail(ctx, BK_STORAGE, "writing the answer into %s failed: %s", dir, strerror(errno));
		goto done;
	}
	*n_referrals = (int)rs.r.n;
	if (rs.r.n)
		bk_fail(ctx, BK_OK,
		        "wrote everything held about case %s (%d referral%s) into %s: subject.json, "
		        "referrals.csv, offers.csv, spot_requests.csv, events.csv",
		        case_ref, (int)rs.r.n, rs.r.n == 1 ? "" : "s", dir);
	else
		bk_fail(ctx, BK_OK, "nothing is held about case %s; %s holds the empty answer", case_ref, dir);
done:
	json_decref(root);
	bk_table_destroy(t_ref);
	bk_table_destroy(s.t_offers);
	bk_table_destroy(s.t_spots);
	bk_table_destroy(s.t_events);
	vec_free(&s.offer_ids);
	vec_free(&s.inbox_ids);
	vec_free(&rs.r);
	return st;
}

/* ---- retention ---- */

struct purge_row {
	int64_t id;
	char case_ref[64];
	enum wf_status status;
	int lot;
	char district[64];
	int32_t closed_on;
};

struct purge_set {
	int32_t cutoff;
	VEC(struct purge_row) rows;
	bool failed;
};

static int purge_candidate(void *ud, const struct store_report_referral *r)
{
	struct purge_set *ps = ud;
	if (r->erased)
		return 0;
	int32_t closed = STORE_NO_DATE;
	if (r->status == WF_ENDED)
		closed = r->ended_on;
	if ((r->status == WF_WITHDRAWN || closed == STORE_NO_DATE) && r->closed_at &&
	    (r->status == WF_ENDED || r->status == WF_WITHDRAWN))
		cal_local(r->closed_at, &closed, NULL);
	if (closed == STORE_NO_DATE || closed >= ps->cutoff)
		return 0;
	struct purge_row *p = vec_push(&ps->rows);
	if (!p) {
		ps->failed = true;
		return 1;
	}
	p->id = r->id;
	snprintf(p->case_ref, sizeof p->case_ref, "%s", r->case_ref);
	p->status = r->status;
	p->lot = r->lot;
	snprintf(p->district, sizeof p->district, "%s", r->district);
	p->closed_on = closed;
	return 0;
}

/* The triage messages that answer no offer but name a case being erased:
 * each message's subject and text split once into the runs a case
 * reference is made of (a full stop at the end is a sentence's), each
 * looked up among the references erased, so a purge of thousands reads
 * every message once. */
struct mail_purge {
	struct bk_ctx *ctx;
	const char **refs; /* the case references erased, sorted without regard to case */
	size_t n_refs;
	VEC(int64_t) ids;
	bool failed;
};

static int cmp_ref(const void *a, const void *b)
{
	return strcasecmp(*(const char *const *)a, *(const char *const *)b);
}

static bool text_names_any(const struct mail_purge *mp, const char *text)
{
	for (const char *p = text; p && *p;) {
		if (!ref_char(*p)) {
			p++;
			continue;
		}
		const char *q = p;
		while (ref_char(*q))
			q++;
		size_t n = (size_t)(q - p);
		while (n && p[n - 1] == '.')
			n--;
		char run[64];
		if (n && n < sizeof run) {
			memcpy(run, p, n);
			run[n] = '\0';
			const char *key = run;
			if (bsearch(&key, mp->refs, mp->n_refs, sizeof mp->refs[0], cmp_ref))
				return true;
		}
		p = q;
	}
	return false;
}

static int purge_mail(void *ud, const struct store_inbox *x)
{
	struct mail_purge *mp = ud;
	if (x->offer_id) /* erased with its offer's referral */
		return 0;
	bool named = text_names_any(mp, x->subject);
	if (!named) {
		char *body = NULL;
		if (store_inbox_body(mp->ctx->store, x->id, &body) != STORE_OK) {
			mp->failed = true;
			return 1;
		}
		named = text_names_any(mp, body);
		free(body);
	}
	int64_t *id = named ? vec_push(&mp->ids) : NULL;
	if (named && !id) {
		mp->failed = true;
		return 1;
	}
	if (id)
		*id = x->id;
	return 0;
}

static enum bk_status erase_mail_naming(struct bk_ctx *ctx, const struct purge_set *ps)
{
	if (!ps->rows.n)
		return BK_OK;
	struct mail_purge mp = { .ctx = ctx, .n_refs = ps->rows.n };
	mp.refs = calloc(ps->rows.n, sizeof *mp.refs);
	if (!mp.refs)
		return bk_fail(ctx, BK_STORAGE, "out of memory");
	for (size_t i = 0; i < ps->rows.n; i++)
		mp.refs[i] = ps->rows.v[i].case_ref;
	qsort(mp.refs, mp.n_refs, sizeof mp.refs[0], cmp_ref);
	enum store_status ss = store_inbox_each(ctx->store, false, purge_mail, &mp);
	for (size_t i = 0; ss == STORE_OK && !mp.failed && i < mp.ids.n; i++)
		ss = store_inbox_erase(ctx->store, mp.ids.v[i]);
	enum bk_status st = mp.failed ? bk_fail(ctx, BK_STORAGE, "out of memory or a storage failure reading the inbox")
	                    : ss != STORE_OK ? bk_from_store(ctx, ss)
	                                     : BK_OK;
	free(mp.refs);
	vec_free(&mp.ids);
	return st;
}

/* The same day `months` calendar months before (clamped to month end). */
static int32_t months_before(int32_t day, int months)
{
	struct cal_date d = cal_civil_from_days(day);
	int m = d.year * 12 + (d.month - 1) - months;
	int year = m / 12, month = m % 12 + 1, dd = d.day;
	while (dd > 28 && !cal_date_valid(year, month, dd))
		dd--;
	return cal_days_from_civil(year, month, dd);
}

/* The referrals the retention rules erase, read afresh into ps. */
static enum bk_status purge_collect(struct bk_ctx *ctx, struct purge_set *ps)
{
	vec_free(&ps->rows);
	ps->failed = false;
	enum store_status ss = store_report_referrals_each(ctx->store, purge_candidate, ps);
	if (ps->failed || ss != STORE_OK)
		return ps->failed ? bk_fail(ctx, BK_STORAGE, "out of memory") : bk_from_store(ctx, ss);
	return BK_OK;
}

struct purge_args {
	struct purge_set ps;
	int months;
};

static enum bk_status purge_tx(struct bk_ctx *ctx, void *ud)
{
	struct purge_args *a = ud;
	enum bk_status st = purge_collect(ctx, &a->ps);
	if (st == BK_OK)
		st = erase_mail_naming(ctx, &a->ps);
	for (size_t i = 0; st == BK_OK && i < a->ps.rows.n; i++) {
		const struct purge_row *p = &a->ps.rows.v[i];
		enum store_status ss = store_referral_erase(ctx->store, p->id);
		if (ss != STORE_OK)
			return bk_from_store(ctx, ss);
		char closed[16];
		cal_format_date(p->closed_on, closed, sizeof closed);
		st = bk_audit_obj(ctx, "referral.erase", "referral", p->id, p->id, NULL,
		                  json_pack("{ss ss si ss}", "reason", "retention", "status", wf_status_name(p->status),
		                            "retention_months", a->months, "closed_on", closed));
	}
	return st;
}

enum bk_status bk_retention_purge(struct bk_ctx *ctx, bool dry_run, struct bk_table **out)
{
	*out = NULL;
	enum bk_status st = require_role(ctx, false, "erase referrals under the retention rules");
	if (st != BK_OK)
		return st;
	if (!dry_run && store_is_readonly(ctx->store))
		return bk_fail(ctx, BK_REFUSED, "the database is open read-only: nothing can be erased");
	int32_t today;
	cal_local(ctx->now, &today, NULL);
	int months = ctx->settings->retention_months;
	struct purge_args pa = { .ps = { .cutoff = months_before(today, months) }, .months = months };
	st = dry_run ? purge_collect(ctx, &pa.ps) : bk_tx_run(ctx, purge_tx, &pa);
	struct purge_set ps = pa.ps;
	enum store_status ss = STORE_OK;
	if (st != BK_OK) {
		vec_free(&ps.rows);
		return st;
	}
	char cut[16];
	cal_format_date(ps.cutoff, cut, sizeof cut);
	struct bk_table *t =
		bk_table_create("retention", dry_run ? "Referrals that would be erased" : "Referrals erased");
	if (t) {
		char m[16];
		snprintf(m, sizeof m, "%d", months);
		bk_table_param(t, "retention_months", m);
		bk_table_param(t, "closed_before", cut);
		bk_table_add_column(t, "id", "Referral", NULL, BK_COL_INT);
		bk_table_add_column(t, "case_ref", "Case", NULL, BK_COL_TEXT);
		bk_table_add_column(t, "status", "Status", NULL, BK_COL_TEXT);
		bk_table_add_column(t, "lot", "Lot", NULL, BK_COL_INT);
		bk_table_add_column(t, "district", "District", NULL, BK_COL_TEXT);
		bk_table_add_column(t, "closed_on", "Ended or withdrawn on", NULL, BK_COL_DATE);
	}
	for (size_t i = 0; t && i < ps.rows.n; i++) {
		const struct purge_row *p = &ps.rows.v[i];
		int row = bk_table_add_row(t, BK_ROW_DATA);
		bk_table_set(t, row, 0, p->id);
		bk_table_set_text(t, row, 1, p->case_ref);
		bk_table_set_text(t, row, 2, wf_status_name(p->status));
		bk_table_set(t, row, 3, p->lot);
		bk_table_set_text(t, row, 4, p->district);
		bk_table_set(t, row, 5, p->closed_on);
	}
	vec_free(&ps.rows);
	if (!t || t->failed) {
		bk_table_destroy(t);
		return bk_fail(ctx, BK_STORAGE,
		               dry_run ? "out of memory"
		                       : "out of memory listing the referrals erased (they were erased)");
	}
	if (dry_run) {
		*out = t;
		bk_fail(ctx, BK_OK,
		        "%d referral%s ended or withdrawn before %s (%d months ago) would be erased; nothing "
		        "was changed",
		        t->n_rows, t->n_rows == 1 ? "" : "s", cut, months);
		return BK_OK;
	}
	/* Nothing of what was erased may stay behind in the write-ahead log. */
	bool busy = false;
	ss = store_checkpoint(ctx->store, &busy);
	*out = t;
	if (ss != STORE_OK) {
		st = bk_from_store(ctx, ss);
		snprintf(ctx->msg + strlen(ctx->msg), sizeof ctx->msg - strlen(ctx->msg),
		         " (%d referral%s were erased; run the purge again to finish clearing the log)", t->n_rows,
		         t->n_rows == 1 ? "" : "s");
		return st;
	}
	bk_fail(ctx, BK_OK, "erased %d referral%s ended or withdrawn before %s (%d months ago)%s", t->n_rows,
	        t->n_rows == 1 ? "" : "s", cut, months,
	        busy ? "; others were reading, so the write-ahead log still holds old pages: run the purge again when "
	               "no one is using the database"
	             : "; the audit chain records each erasure");
	return BK_OK;
}
