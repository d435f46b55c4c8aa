/* The inbox: answers that came in by mail or a file, proposed to an officer
 * or kept for triage, and the officer's decisions on them. A confirmation
 * is `referral respond` itself, in the same transaction as the item is
 * marked confirmed. */
#include "core/inbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "core/mail_parse.h"
#include "core/mail_text.h"
#include "core/mail_token.h"
#include "storage/store.h"

/* ---- reading ---- */

void bk_inbox_late_words(int64_t seconds, char *buf, size_t len)
{
	int64_t days = seconds / 86400, hours = (seconds % 86400) / 3600, minutes = (seconds % 3600) / 60;
	if (days > 0)
		snprintf(buf, len, "%lld day%s %lld hour%s", (long long)days, days == 1 ? "" : "s", (long long)hours,
		         hours == 1 ? "" : "s");
	else if (hours > 0)
		snprintf(buf, len, "%lld hour%s %lld minute%s", (long long)hours, hours == 1 ? "" : "s",
		         (long long)minutes, minutes == 1 ? "" : "s");
	else
		snprintf(buf, len, "%lld minute%s", (long long)minutes, minutes == 1 ? "" : "s");
}

void bk_inbox_answer_words(const struct store_inbox *x, char *buf, size_t len)
{
	char day[32] = "";
	if (x->start_date != STORE_NO_DATE)
		cal_format_day(x->start_date, day, sizeof day);
	if (strcmp(x->verb, "accept") == 0)
		snprintf(buf, len, "accept%s%s", day[0] ? " from " : "", day);
	else if (strcmp(x->verb, "decline") == 0)
		snprintf(buf, len, "decline (%s)%s%s", x->code[0] ? x->code : "other", x->words[0] ? ": " : "",
		         x->words);
	else if (strcmp(x->verb, "info") == 0)
		snprintf(buf, len, "info: %s", x->words);
	else
		snprintf(buf, len, "-");
}

static enum bk_status fill_row(struct bk_ctx *ctx, const struct store_inbox *x, struct bk_inbox_row *r)
{
	memset(r, 0, sizeof *r);
	r->item = *x;
	if (x->provider_id)
		bk_provider_name(ctx, x->provider_id, r->provider, sizeof r->provider);
	if (!x->offer_id)
		return BK_OK;
	struct store_offer o;
	enum store_status ss = store_offer_get(ctx->store, x->offer_id, &o);
	if (ss == STORE_NOT_FOUND)
		return BK_OK;
	if (ss != STORE_OK)
		return bk_from_store(ctx, ss);
	r->referral_id = o.referral_id;
	r->offer_open = wf_offer_open(o.status);
	if (x->received_at > o.deadline_at)
		r->late_seconds = x->received_at - o.deadline_at;
	struct store_referral ref;
	ss = store_referral_get(ctx->store, o.referral_id, &ref);
	if (ss == STORE_OK)
		snprintf(r->case_ref, sizeof r->case_ref, "%s", ref.case_ref);
	else if (ss != STORE_NOT_FOUND)
		return bk_from_store(ctx, ss);
	return BK_OK;
}

struct each_ctx {
	struct bk_ctx *ctx;
	bk_inbox_fn fn;
	void *ud;
	enum bk_status st;
	struct bk_inbox_row row;
};

static int each_one(void *ud, const struct store_inbox *x)
{
	struct each_ctx *e = ud;
	if ((e->st = fill_row(e->ctx, x, &e->row)) != BK_OK)
		return 1;
	return e->fn(e->ud, &e->row);
}

enum bk_status bk_inbox_each(struct bk_ctx *ctx, bool open_only, bk_inbox_fn fn, void *ud)
{
	enum bk_status st = bk_require(ctx, PERM_WORK_REFERRALS);
	if (st != BK_OK)
		return st;
	struct each_ctx *e = calloc(1, sizeof *e);
	if (!e)
		return bk_fail(ctx, BK_STORAGE, "out of memory reading the inbox");
	*e = (struct each_ctx){ .ctx = ctx, .fn = fn, .ud = ud, .st = BK_OK };
	enum store_status ss = store_begin_read(ctx->store);
	if (ss == STORE_OK) {
		ss = store_inbox_each(ctx->store, open_only, each_one, e);
		store_rollback(ctx->store);
	}
	st = ss != STORE_OK ? bk_from_store(ctx, ss) : e->st;
	free(e);
	return st;
}

enum bk_status bk_inbox_get(struct bk_ctx *ctx, int64_t id, struct bk_inbox_row *out, char **body)
{
	if (body)
		*body = NULL;
	enum bk_status st = bk_require(ctx, PERM_WORK_REFERRALS);
	if (st != BK_OK)
		return st;
	struct store_inbox *x = malloc(sizeof *x);
	if (!x)
		return bk_fail(ctx, BK_STORAGE, "out of memory reading the inbox");
	enum store_status ss = store_inbox_get(ctx->store, id, x);
	if (ss == STORE_NOT_FOUND)
		st = bk_fail(ctx, BK_REFUSED, "there is no inbox item %lld", (long long)id);
	else if (ss != STORE_OK)
		st = bk_from_store(ctx, ss);
	else
		st = fill_row(ctx, x, out);
	free(x);
	if (st == BK_OK && body && (ss = store_inbox_body(ctx->store, id, body)) != STORE_OK)
		st = bk_from_store(ctx, ss);
	return st;
}

/* ---- recording ---- */

static json_t *item_obj(const struct store_inbox *x)
{
	json_t *o =
		json_pack("{sI ss ss ss so so ss so so ss}", "id", (json_int_t)x->id, "kind",
	                  x->proposed ? "proposed" : "triage", "state", x->state, "source", x->source, "offer",
	                  x->offer_id ? json_integer(x->offer_id) : json_null(), "provider",
	                  x->provider_id ? json_integer(x->provider_id) : json_null(), "verb", x->verb, "received_at",
	                  bk_json_time(x->received_at), "reason",
	                  x->reason[0] && !x->proposed ? bk_json_text(x->reason) : json_null(), "sender", x->sender);
	if (o && x->code[0])
		json_object_set_new(o, "code", json_string(x->code));
	return o;
}

enum bk_status bk_inbox_record(struct bk_ctx *ctx, struct store_inbox *x, const char *body, int64_t referral_id)
{
	enum store_status ss = store_inbox_add(ctx->store, x, body);
	if (ss == STORE_CONFLICT)
		return bk_fail(ctx, BK_CONFLICT, "message %s was received before; nothing was recorded",
		               strncmp(x->message_id, "sha256:", 7) == 0 ? "(the same bytes)" : x->message_id);
	if (ss != STORE_OK)
		return bk_from_store(ctx, ss);
	return bk_audit_obj(ctx, "inbox.receive", "inbox", x->id, referral_id, NULL, item_obj(x));
}

/* The answer read from the text into x: proposed, or triage with why. */
static void read_answer(struct bk_ctx *ctx, const char *text, struct store_inbox *x)
{
	size_t cap = strlen(text) + 1;
	char *own = malloc(cap);
	struct mail_answer a;
	if (!own) {
		snprintf(x->reason, sizeof x->reason, "out of memory reading the reply");
		x->proposed = false;
		return;
	}
	mail_own_text(text, own, cap);
	if (!mail_read_answer(own, ctx->settings, &a)) {
		snprintf(x->reason, sizeof x->reason, "unreadable answer: %s", a.why);
		x->proposed = false;
	} else {
		x->proposed = true;
		x->reason[0] = '\0';
		snprintf(x->verb, sizeof x->verb, "%s", mail_verb_name(a.verb));
		snprintf(x->code, sizeof x->code, "%s", a.code);
		x->start_date = a.start == INT32_MIN ? STORE_NO_DATE : a.start;
		snprintf(x->words, sizeof x->words, "%s", a.words);
	}
	free(own);
}

/* Is offer o (provider p) still waiting for an answer? Else why not, with
 * how late an answer received at t is. */
static bool offer_waits(const struct store_offer *o, int64_t t, char *why, size_t len)
{
	if (wf_offer_open(o->status))
		return true;
	char late[128] = "";
	if (t > o->deadline_at) {
		char span[48];
		bk_inbox_late_words(t - o->deadline_at, span, sizeof span);
		snprintf(late, sizeof late, "; this answer came %s after its deadline", span);
	}
	snprintf(why, len, "offer %lld is no longer open (%s)%s", (long long)o->id, wf_offer_status_name(o->status),
	         late);
	return false;
}

/* The message's record, made in its transaction from the item as read
 * (a->x0) each time. */
struct mail_in_run {
	struct mail_msg *m;
	struct store_inbox *x, x0;
	bool duplicate;
};

static enum bk_status mail_in_tx(struct bk_ctx *ctx, void *ud)
{
	struct mail_in_run *a = ud;
	struct mail_msg *m = a->m;
	struct store_inbox *x = a->x;
	*x = a->x0;
	int64_t offer_id = 0, referral_id = 0;
	enum bk_token_check tc = bk_mail_token_find(ctx, m->subject, &offer_id);
	if (tc == BK_TOKEN_NONE)
		tc = bk_mail_token_find(ctx, m->text, &offer_id);
	struct store_offer o;
	if (tc == BK_TOKEN_NONE) {
		snprintf(x->reason, sizeof x->reason, "no reply token ([BRK-...]) in the subject or the text%s%s",
		         m->readable ? "" : "; ", m->readable ? "" : m->why);
	} else if (tc == BK_TOKEN_BAD_TAG) {
		snprintf(x->reason, sizeof x->reason,
		         "the reply token names offer %lld but its tag is wrong (mistyped, or not made here)",
		         (long long)offer_id);
	} else {
		enum store_status ss = store_offer_get(ctx->store, offer_id, &o);
		if (ss == STORE_NOT_FOUND) {
			snprintf(x->reason, sizeof x->reason, "the reply token names offer %lld, which is not there",
			         (long long)offer_id);
		} else if (ss != STORE_OK) {
			return bk_from_store(ctx, ss);
		} else {
			x->offer_id = o.id;
			x->provider_id = o.provider_id;
			referral_id = o.referral_id;
			char name[128];
			bk_provider_name(ctx, o.provider_id, name, sizeof name);
			if (!m->readable)
				snprintf(x->reason, sizeof x->reason, "unreadable: %s", m->why);
			else if (!m->from[0] || !bk_provider_has_email(ctx, o.provider_id, m->from))
				snprintf(x->reason, sizeof x->reason, "the sender %s is not one of %s's addresses",
				         m->from[0] ? m->from : "(none)", name);
			else if (offer_waits(&o, x->received_at, x->reason, sizeof x->reason))
				read_answer(ctx, m->text, x);
			if (x->received_at < o.sent_at)
				x->received_at = o.sent_at;
		}
	}
	if (!m->readable && !x->reason[0])
		snprintf(x->reason, sizeof x->reason, "unreadable: %s", m->why);
	size_t blen = strlen(m->text);
	if (blen > BK_MAIL_MAX_TEXT)
		m->text[BK_MAIL_MAX_TEXT] = '\0';
	enum bk_status st = bk_inbox_record(ctx, x, m->text, referral_id);
	a->duplicate = st == BK_CONFLICT;
	return st;
}

enum bk_status bk_mail_in(struct bk_ctx *ctx, const char *data, size_t len, size_t whole, struct bk_mail_in_result *res)
{
	memset(res, 0, sizeof *res);
	enum bk_status st = bk_require(ctx, PERM_WORK_REFERRALS);
	if (st != BK_OK)
		return st;
	struct mail_msg m;
	if (!mail_parse(data, whole > len ? BK_MAIL_MAX_BYTES + 1 : len, &m))
		return bk_fail(ctx, BK_STORAGE, "out of memory reading a message");
	if (whole > len)
		snprintf(m.why, sizeof m.why, "too big to read (%zu bytes; the limit is %zu)", whole,
		         BK_MAIL_MAX_BYTES);
	struct store_inbox *x = calloc(1, sizeof *x);
	if (!x) {
		mail_msg_free(&m);
		return bk_fail(ctx, BK_STORAGE, "out of memory reading a message");
	}
	snprintf(x->source, sizeof x->source, "mail");
	x->start_date = STORE_NO_DATE;
	x->read_at = ctx->now;
	x->received_at = m.received_at > 0 && m.received_at <= ctx->now ? m.received_at : ctx->now;
	snprintf(x->sender, sizeof x->sender, "%s", m.from);
	snprintf(x->subject, sizeof x->subject, "%s", m.subject);
	/* Its identity: the Message-ID, else a digest of the bytes as they came
	 * (no Message-ID has the form sha256:HEX, which holds no @), so the same
	 * message fed twice, even by two mail-in runs at once, is kept once:
	 * the unique index refuses the second. */
	if (m.message_id[0]) {
		snprintf(x->message_id, sizeof x->message_id, "%s", m.message_id);
	} else {
		char hex[65];
		store_sha256_hex(data, len, hex);
		snprintf(x->message_id, sizeof x->message_id, "sha256:%s", hex);
	}

	struct mail_in_run run = { .m = &m, .x = x, .x0 = *x };
	st = bk_tx_run(ctx, mail_in_tx, &run);
	if (st == BK_CONFLICT && run.duplicate) {
		res->duplicate = true; /* kept once: the first says all */
		st = BK_OK;
		goto out;
	}
	if (st == BK_OK) {
		res->id = x->id;
		res->proposed = x->proposed;
		snprintf(res->reason, sizeof res->reason, "%s", x->reason);
		if (x->proposed) {
			char what[256];
			bk_inbox_answer_words(x, what, sizeof what);
			bk_fail(ctx, BK_OK,
			        "inbox item %lld: a proposed answer to offer %lld (%s), for an officer to confirm",
			        (long long)x->id, (long long)x->offer_id, what);
		} else {
			bk_fail(ctx, BK_OK, "inbox item %lld: kept for triage: %s", (long long)x->id, x->reason);
		}
	}
out:
	free(x);
	mail_msg_free(&m);
	return st;
}

/* ---- deciding ---- */

/* The open item id for a decision, read inside the transaction. */
static enum bk_status open_item(struct bk_ctx *ctx, int64_t id, struct store_inbox *x)
{
	enum store_status ss = store_inbox_get(ctx->store, id, x);
	if (ss == STORE_NOT_FOUND)
		return bk_fail(ctx, BK_REFUSED, "there is no inbox item %lld", (long long)id);
	if (ss != STORE_OK)
		return bk_from_store(ctx, ss);
	if (strcmp(x->state, "open") != 0)
		return bk_fail(ctx, BK_REFUSED, "inbox item %lld was %s already", (long long)id, x->state);
	return BK_OK;
}

static enum bk_status save_item(struct bk_ctx *ctx, const char *action, const struct store_inbox *before,
                                const struct store_inbox *after, int64_t referral_id)
{
	enum store_status ss = store_inbox_update(ctx->store, after);
	if (ss != STORE_OK)
		return bk_from_store(ctx, ss);
	json_t *b = item_obj(before), *a = item_obj(after);
	if (a && after->decision[0])
		json_object_set_new(a, "decision", bk_json_text(after->decision));
	return bk_audit_obj(ctx, action, "inbox", after->id, referral_id, b, a);
}

/* Run the respond for item x: as an action (nested in the confirmation's
 * transaction) or as its preview. The answer counts from when it reached
 * the council, with its decline code and the provider's words apart
 * (bk_response); an offer the sweep expired after the answer came in time
 * still takes it. */
static enum bk_status respond(struct bk_ctx *ctx, const struct store_inbox *x, struct store_offer *o,
                              struct bk_plan *preview)
{
	enum store_status ss = store_offer_get(ctx->store, x->offer_id, o);
	if (ss != STORE_OK)
		return bk_from_store(ctx, ss);
	char why[256];
	bool in_time = o->status == WF_OFFER_EXPIRED && x->received_at <= o->deadline_at;
	if (!in_time && !offer_waits(o, x->received_at, why, sizeof why))
		return bk_fail(ctx, BK_REFUSED, "%s", why);
	char provider[128], text[4096] = "";
	bk_provider_name(ctx, o->provider_id, provider, sizeof provider);
	struct bk_response r = { .provider = provider, .answer = BK_ANSWER_INFO, .offer_id = o->id };
	if (strcmp(x->verb, "accept") == 0) {
		r.answer = BK_ANSWER_ACCEPT;
		if (x->start_date != STORE_NO_DATE)
			cal_format_date(x->start_date, text, sizeof text);
	} else {
		if (strcmp(x->verb, "decline") == 0) {
			r.answer = BK_ANSWER_DECLINE;
			r.code = x->code[0] ? x->code : NULL;
		}
		snprintf(text, sizeof text, "%s", x->words);
	}
	r.text = text[0] ? text : NULL;
	/* the answer's time: when it reached the council; never before the
	 * offer's last step (sent, information asked for or supplied), which
	 * the action refuses, nor after now */
	int64_t step = o->sent_at;
	if (o->info_requested_at > step)
		step = o->info_requested_at;
	if (o->info_supplied_at > step)
		step = o->info_supplied_at;
	r.at = x->received_at < step ? step : x->received_at > ctx->now ? ctx->now : x->received_at;
	r.via = strcmp(x->source, "mail") == 0 ? "email" : NULL;
	return preview ? bk_preview_answer(ctx, o->referral_id, 0, &r, preview) : bk_offer_answer(ctx, o->id, 0, &r);
}

enum bk_status bk_inbox_preview_confirm(struct bk_ctx *ctx, int64_t id, struct bk_plan *out)
{
	memset(out, 0, sizeof *out);
	enum bk_status st = bk_require(ctx, PERM_WORK_REFERRALS);
	if (st != BK_OK)
		return st;
	struct store_inbox *x = malloc(sizeof *x);
	if (!x)
		return bk_fail(ctx, BK_STORAGE, "out of memory reading the inbox");
	struct store_offer o;
	st = open_item(ctx, id, x);
	if (st == BK_OK && !x->proposed)
		st = bk_fail(ctx, BK_REFUSED,
		             "inbox item %lld is in triage (%s): match it to an offer first, or reject it",
		             (long long)id, x->reason);
	if (st == BK_OK)
		st = respond(ctx, x, &o, out);
	free(x);
	return st;
}

/* What every decision on an inbox item shares: room for the item (x[0],
 * changed by the decision) and for how it stood before (x[1]), read in
 * the decision's transaction, open and undecided; and what the decision
 * says. */
struct decision {
	int64_t id;
	struct store_inbox *x;
	const char *why;  /* reject: the reason */
	int64_t offer_id; /* match: the offer */
	char *body;       /* match: the item's text */
	char said[sizeof((struct bk_ctx *)0)->msg];
};

static enum bk_status decision_read(struct bk_ctx *ctx, struct decision *d)
{
	enum bk_status st = open_item(ctx, d->id, d->x);
	if (st == BK_OK)
		d->x[1] = d->x[0];
	return st;
}

/* Run the decision fn in its transaction; d->x and d->body are freed by
 * decision_free. */
static enum bk_status decide(struct bk_ctx *ctx, struct decision *d, bk_tx_fn fn)
{
	d->x = malloc(2 * sizeof *d->x);
	if (!d->x)
		return bk_fail(ctx, BK_STORAGE, "out of memory reading the inbox");
	return bk_tx_run(ctx, fn, d);
}

static void decision_free(struct decision *d)
{
	free(d->body);
	free(d->x);
}

static enum bk_status confirm_tx(struct bk_ctx *ctx, void *ud)
{
	struct decision *d = ud;
	struct store_inbox *x = d->x;
	enum bk_status st = decision_read(ctx, d);
	struct store_offer o;
	d->said[0] = '\0';
	if (st == BK_OK && !x->proposed)
		st = bk_fail(ctx, BK_REFUSED,
		             "inbox item %lld is in triage (%s): match it to an offer first, or reject it",
		             (long long)d->id, x->reason);
	if (st == BK_OK)
		st = respond(ctx, x, &o, NULL);
	if (st == BK_OK) {
		snprintf(d->said, sizeof d->said, "%s", ctx->msg);
		snprintf(x->state, sizeof x->state, "confirmed");
		x->decided_by = ctx->actor.staff_id;
		x->decided_at = ctx->now;
		st = save_item(ctx, "inbox.confirm", &x[1], x, o.referral_id);
	}
	return st;
}

enum bk_status bk_inbox_confirm(struct bk_ctx *ctx, int64_t id)
{
	enum bk_status st = bk_require(ctx, PERM_WORK_REFERRALS);
	if (st != BK_OK)
		return st;
	struct decision d = { .id = id };
	st = decide(ctx, &d, confirm_tx);
	if (st == BK_OK)
		bk_fail(ctx, BK_OK, "confirmed inbox item %lld: %s", (long long)id, d.said);
	decision_free(&d);
	return st;
}

static enum bk_status reject_tx(struct bk_ctx *ctx, void *ud)
{
	struct decision *d = ud;
	struct store_inbox *x = d->x;
	enum bk_status st = decision_read(ctx, d);
	int64_t referral_id = 0;
	if (st == BK_OK) {
		struct store_offer o;
		if (x->offer_id && store_offer_get(ctx->store, x->offer_id, &o) == STORE_OK)
			referral_id = o.referral_id;
		snprintf(x->state, sizeof x->state, "rejected");
		snprintf(x->decision, sizeof x->decision, "%s", d->why);
		x->decided_by = ctx->actor.staff_id;
		x->decided_at = ctx->now;
		st = save_item(ctx, "inbox.reject", &x[1], x, referral_id);
	}
	return st;
}

enum bk_status bk_inbox_reject(struct bk_ctx *ctx, int64_t id, const char *reason)
{
	enum bk_status st = bk_require(ctx, PERM_WORK_REFERRALS);
	if (st != BK_OK)
		return st;
	char why[512];
	if ((st = bk_text(ctx, "reason", reason, why, sizeof why, "say why it is rejected (--reason)")) != BK_OK)
		return st;
	struct decision d = { .id = id, .why = why };
	st = decide(ctx, &d, reject_tx);
	if (st == BK_OK)
		bk_fail(ctx, BK_OK, "rejected inbox item %lld: nothing else was changed", (long long)id);
	decision_free(&d);
	return st;
}

static enum bk_status match_tx(struct bk_ctx *ctx, void *ud)
{
	struct decision *d = ud;
	struct store_inbox *x = d->x;
	free(d->body);
	d->body = NULL;
	enum bk_status st = decision_read(ctx, d);
	struct store_offer o;
	enum store_status ss;
	if (st == BK_OK) {
		ss = store_offer_get(ctx->store, d->offer_id, &o);
		if (ss == STORE_NOT_FOUND)
			st = bk_fail(ctx, BK_REFUSED, "there is no offer %lld", (long long)d->offer_id);
		else if (ss != STORE_OK)
			st = bk_from_store(ctx, ss);
	}
	char why[512];
	if (st == BK_OK && !offer_waits(&o, x->received_at, why, sizeof why))
		st = bk_fail(ctx, BK_REFUSED, "%s: it cannot take this answer", why);
	if (st == BK_OK && (ss = store_inbox_body(ctx->store, d->id, &d->body)) != STORE_OK)
		st = bk_from_store(ctx, ss);
	if (st == BK_OK) {
		x->offer_id = o.id;
		x->provider_id = o.provider_id;
		if (strcmp(x->source, "import") == 0 && x->verb[0]) {
			x->proposed = true; /* a row of a file says its answer in its columns */
		} else {
			read_answer(ctx, d->body ? d->body : "", x);
			if (!x->proposed)
				x->verb[0] = '\0';
		}
		st = save_item(ctx, "inbox.match", &x[1], x, o.referral_id);
	}
	return st;
}

enum bk_status bk_inbox_match(struct bk_ctx *ctx, int64_t id, int64_t offer_id)
{
	enum bk_status st = bk_require(ctx, PERM_WORK_REFERRALS);
	if (st != BK_OK)
		return st;
	struct decision d = { .id = id, .offer_id = offer_id };
	st = decide(ctx, &d, match_tx);
	struct store_inbox *x = d.x;
	if (st == BK_OK) {
		if (x->proposed) {
			char what[256];
			bk_inbox_answer_words(x, what, sizeof what);
			bk_fail(ctx, BK_OK, "inbox item %lld now answers offer %lld: %s, for an officer to confirm",
			        (long long)id, (long long)offer_id, what);
		} else {
			bk_fail(ctx, BK_OK, "inbox item %lld now names offer %lld, but stays in triage: %s",
			        (long long)id, (long long)offer_id, x->reason);
		}
	}
	decision_free(&d);
	return st;
}
