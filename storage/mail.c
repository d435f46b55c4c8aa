/* The outbox (schema 4): each message written in the transaction of the
 * action that sent it, then delivered after the commit; one function per
 * operation, statements prepared once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage/internal.h"

static const char *const kind_text[STORE_MAIL_KIND_COUNT] = {
	[STORE_MAIL_OFFER] = "offer",
	[STORE_MAIL_CHASER] = "chaser",
	[STORE_MAIL_NOTICE] = "notice",
};
static const char *const status_text[STORE_MAIL_STATUS_COUNT] = {
	[STORE_MAIL_QUEUED] = "queued",
	[STORE_MAIL_SENT] = "sent",
	[STORE_MAIL_STOPPED] = "stopped",
};

const char *store_mail_kind_name(enum store_mail_kind k)
{
	return (unsigned)k < STORE_MAIL_KIND_COUNT ? kind_text[k] : "?";
}

const char *store_mail_status_name(enum store_mail_status s)
{
	return (unsigned)s < STORE_MAIL_STATUS_COUNT ? status_text[s] : "?";
}

static int col_word(sql_stmt *s, int col, const char *const *names, int n)
{
	const char *t = (const char *)sql_column_text(s, col);
	for (int i = 0; t && i < n; i++)
		if (strcmp(t, names[i]) == 0)
			return i;
	return -1;
}

static enum store_status bind_failed(struct store *st, sql_stmt *s, const char *doing)
{
	sql_reset(s);
	return store_fail(st, SQLITE_ERROR, doing);
}

#define OUTBOX_COLS                                                                                           \
	"id, message_id, kind, offer_id, referral_id, provider_id, recipients, status, attempts, queued_at, " \
	"next_attempt_at, last_attempt_at, sent_at, last_error, claimed_by, claimed_at"

static void fill_outbox(sql_stmt *s, struct store_outbox *m)
{
	memset(m, 0, sizeof *m);
	m->id = sql_column_int64(s, 0);
	store_col_text(s, 1, m->message_id, sizeof m->message_id);
	m->kind = (enum store_mail_kind)col_word(s, 2, kind_text, STORE_MAIL_KIND_COUNT);
	m->offer_id = sql_column_int64(s, 3);
	m->referral_id = sql_column_int64(s, 4);
	m->provider_id = sql_column_int64(s, 5);
	store_col_text(s, 6, m->recipients, sizeof m->recipients);
	m->status = (enum store_mail_status)col_word(s, 7, status_text, STORE_MAIL_STATUS_COUNT);
	m->attempts = sql_column_int(s, 8);
	m->queued_at = sql_column_int64(s, 9);
	m->next_attempt_at = sql_column_int64(s, 10);
	m->last_attempt_at = store_col_int(s, 11, 0);
	m->sent_at = store_col_int(s, 12, 0);
	store_col_text(s, 13, m->last_error, sizeof m->last_error);
	store_col_text(s, 14, m->claimed_by, sizeof m->claimed_by);
	m->claimed_at = store_col_int(s, 15, 0);
}

enum store_status store_outbox_add(struct store *st, struct store_outbox *m, const char *message)
{
	if ((unsigned)m->kind >= STORE_MAIL_KIND_COUNT) {
		snprintf(st->err, sizeof st->err, "queueing a message: unknown kind");
		return STORE_ERROR;
	}
	sql_stmt *s = store_stmt(st, Q_OUTBOX_ADD,
	                         "INSERT INTO outbox(message_id, kind, offer_id, referral_id, provider_id, "
	                         "recipients, message, queued_at, next_attempt_at) "
	                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8) RETURNING id");
	if (!s)
		return STORE_ERROR;
	if (sql_bind_text(s, 1, m->message_id, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sql_bind_text(s, 2, kind_text[m->kind], -1, SQLITE_STATIC) != SQLITE_OK ||
	    sql_bind_int64(s, 3, m->offer_id) != SQLITE_OK || sql_bind_int64(s, 4, m->referral_id) != SQLITE_OK ||
	    sql_bind_int64(s, 5, m->provider_id) != SQLITE_OK ||
	    sql_bind_text(s, 6, m->recipients, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sql_bind_text(s, 7, message, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sql_bind_int64(s, 8, m->queued_at) != SQLITE_OK)
		return bind_failed(st, s, "queueing a message");
	enum store_status status = store_insert_id(st, s, "queueing a message", &m->id);
	if (status != STORE_OK)
		return status;
	m->status = STORE_MAIL_QUEUED;
	m->next_attempt_at = m->queued_at;
	return STORE_OK;
}

enum store_status store_outbox_has(struct store *st, int64_t offer_id, enum store_mail_kind kind, bool *has)
{
	*has = false;
	if ((unsigned)kind >= STORE_MAIL_KIND_COUNT)
		return STORE_OK;
	sql_stmt *s = store_stmt(st, Q_OUTBOX_HAS, "SELECT 1 FROM outbox WHERE offer_id = ?1 AND kind = ?2");
	if (!s)
		return STORE_ERROR;
	if (sql_bind_int64(s, 1, offer_id) != SQLITE_OK ||
	    sql_bind_text(s, 2, kind_text[kind], -1, SQLITE_STATIC) != SQLITE_OK)
		return bind_failed(st, s, "reading the outbox");
	int rc = sql_step(s);
	sql_reset(s);
	if (rc == SQLITE_ROW)
		*has = true;
	else if (rc != SQLITE_DONE)
		return store_fail(st, rc, "reading the outbox");
	return STORE_OK;
}

enum store_status store_outbox_due(struct store *st, int64_t now, int64_t *ids, int max, int *n)
{
	*n = 0;
	sql_stmt *s = store_stmt(st, Q_OUTBOX_DUE,
	                         "SELECT id FROM outbox WHERE status = 'queued' AND next_attempt_at <= ?1 "
	                         "ORDER BY next_attempt_at, id LIMIT ?2");
	if (!s)
		return STORE_ERROR;
	if (sql_bind_int64(s, 1, now) != SQLITE_OK || sql_bind_int(s, 2, max) != SQLITE_OK)
		return bind_failed(st, s, "reading the outbox");
	int rc;
	while ((rc = sql_step(s)) == SQLITE_ROW && *n < max)
		ids[(*n)++] = sql_column_int64(s, 0);
	sql_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_fail(st, rc, "reading the outbox");
	return STORE_OK;
}

enum store_status store_outbox_get(struct store *st, int64_t id, struct store_outbox *out, char **message)
{
	sql_stmt *s = store_stmt(st, Q_OUTBOX_GET, "SELECT " OUTBOX_COLS ", message FROM outbox WHERE id = ?1");
	if (!s)
		return STORE_ERROR;
	if (sql_bind_int64(s, 1, id) != SQLITE_OK)
		return bind_failed(st, s, "reading the outbox");
	int rc = sql_step(s);
	enum store_status status = STORE_OK;
	if (rc == SQLITE_ROW) {
		fill_outbox(s, out);
		if (message) {
			const unsigned char *t = sql_column_text(s, 16);
			size_t n = t ? (size_t)sql_column_bytes(s, 16) : 0;
			*message = malloc(n + 1);
			if (!*message) {
				snprintf(st->err, sizeof st->err, "reading the outbox: out of memory");
				status = STORE_ERROR;
			} else {
				if (n)
					memcpy(*message, t, n);
				(*message)[n] = '\0';
			}
		}
	} else if (rc == SQLITE_DONE) {
		snprintf(st->err, sizeof st->err, "there is no message %lld in the outbox", (long long)id);
		status = STORE_NOT_FOUND;
	} else {
		status = store_fail(st, rc, "reading the outbox");
	}
	sql_reset(s);
	return status;
}

static int bind_time_or_null(sql_stmt *s, int idx, int64_t t)
{
	return t ? sql_bind_int64(s, idx, t) : sql_bind_null(s, idx);
}

enum store_status store_outbox_update(struct store *st, const struct store_outbox *m)
{
	if ((unsigned)m->status >= STORE_MAIL_STATUS_COUNT) {
		snprintf(st->err, sizeof st->err, "changing a message: unknown status");
		return STORE_ERROR;
	}
	sql_stmt *s = store_stmt(st, Q_OUTBOX_UPDATE,
	                         "UPDATE outbox SET status = ?2, attempts = ?3, next_attempt_at = ?4, "
	                         "last_attempt_at = ?5, sent_at = ?6, last_error = ?7, claimed_by = ?8, "
	                         "claimed_at = ?9 WHERE id = ?1");
	if (!s)
		return STORE_ERROR;
	if (sql_bind_int64(s, 1, m->id) != SQLITE_OK ||
	    sql_bind_text(s, 2, status_text[m->status], -1, SQLITE_STATIC) != SQLITE_OK ||
	    sql_bind_int(s, 3, m->attempts) != SQLITE_OK || sql_bind_int64(s, 4, m->next_attempt_at) != SQLITE_OK ||
	    bind_time_or_null(s, 5, m->last_attempt_at) != SQLITE_OK ||
	    bind_time_or_null(s, 6, m->sent_at) != SQLITE_OK ||
	    store_bind_text_or_null(s, 7, m->last_error) != SQLITE_OK ||
	    store_bind_text_or_null(s, 8, m->claimed_by) != SQLITE_OK ||
	    bind_time_or_null(s, 9, m->claimed_at) != SQLITE_OK)
		return bind_failed(st, s, "changing a message in the outbox");
	int rc = sql_step(s);
	sql_reset(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, "changing a message in the outbox");
	if (sql_changes(st) == 0) {
		snprintf(st->err, sizeof st->err, "there is no message %lld in the outbox", (long long)m->id);
		return STORE_NOT_FOUND;
	}
	return STORE_OK;
}

enum store_status store_outbox_each(struct store *st, int64_t referral_id, store_outbox_fn fn, void *ud)
{
	sql_stmt *s = referral_id > 0
	                      ? store_stmt(st, Q_OUTBOX_EACH_REFERRAL,
	                                   "SELECT " OUTBOX_COLS " FROM outbox WHERE referral_id = ?1 ORDER BY id")
	                      : store_stmt(st, Q_OUTBOX_EACH_UNSENT,
	                                   "SELECT " OUTBOX_COLS " FROM outbox WHERE status <> 'sent' ORDER BY id");
	if (!s)
		return STORE_ERROR;
	if (referral_id > 0 && sql_bind_int64(s, 1, referral_id) != SQLITE_OK)
		return bind_failed(st, s, "reading the outbox");
	int rc;
	while ((rc = sql_step(s)) == SQLITE_ROW) {
		struct store_outbox m;
		fill_outbox(s, &m);
		if (fn(ud, &m) != 0)
			break;
	}
	sql_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_fail(st, rc, "reading the outbox");
	return STORE_OK;
}
