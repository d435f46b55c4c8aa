/* The inbox (schema 5): answers that came in by mail or a file, proposed to
 * an officer or kept for triage, with the message text kept for showing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage/internal.h"

#define INBOX_COLS                                                                                              \
	"id, kind, state, source, offer_id, provider_id, verb, code, start_date, words, received_at, read_at, " \
	"reason, "                                                                                              \
	"sender, subject, message_id, decided_by, decided_at, decision"

static int bind_id_or_null(sql_stmt *s, int idx, int64_t id)
{
	return id > 0 ? sql_bind_int64(s, idx, id) : sql_bind_null(s, idx);
}

static int bind_text_or_null(sql_stmt *s, int idx, const char *text)
{
	return text && *text ? sql_bind_text(s, idx, text, -1, SQLITE_STATIC) : sql_bind_null(s, idx);
}

static void read_row(sql_stmt *s, struct store_inbox *x)
{
	memset(x, 0, sizeof *x);
	char kind[16];
	x->id = sql_column_int64(s, 0);
	store_col_text(s, 1, kind, sizeof kind);
	x->proposed = strcmp(kind, "proposed") == 0;
	store_col_text(s, 2, x->state, sizeof x->state);
	store_col_text(s, 3, x->source, sizeof x->source);
	x->offer_id = store_col_int(s, 4, 0);
	x->provider_id = store_col_int(s, 5, 0);
	store_col_text(s, 6, x->verb, sizeof x->verb);
	store_col_text(s, 7, x->code, sizeof x->code);
	x->start_date = store_col_date(s, 8);
	store_col_text(s, 9, x->words, sizeof x->words);
	x->received_at = sql_column_int64(s, 10);
	x->read_at = sql_column_int64(s, 11);
	store_col_text(s, 12, x->reason, sizeof x->reason);
	store_col_text(s, 13, x->sender, sizeof x->sender);
	store_col_text(s, 14, x->subject, sizeof x->subject);
	store_col_text(s, 15, x->message_id, sizeof x->message_id);
	x->decided_by = store_col_int(s, 16, 0);
	x->decided_at = store_col_int(s, 17, 0);
	store_col_text(s, 18, x->decision, sizeof x->decision);
}

enum store_status store_inbox_add(struct store *st, struct store_inbox *x, const char *body)
{
	sql_stmt *s = store_stmt(st, Q_INBOX_ADD,
	                         "INSERT INTO inbox(kind, state, source, offer_id, provider_id, verb, code, "
	                         "start_date, words, received_at, read_at, reason, sender, subject, message_id, "
	                         "body) VALUES (?1, 'open', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
	                         "?14, ?15) ON CONFLICT DO NOTHING RETURNING id");
	if (!s)
		return STORE_ERROR;
	if (sql_bind_text(s, 1, x->proposed ? "proposed" : "triage", -1, SQLITE_STATIC) != SQLITE_OK ||
	    sql_bind_text(s, 2, x->source, -1, SQLITE_STATIC) != SQLITE_OK ||
	    bind_id_or_null(s, 3, x->offer_id) != SQLITE_OK || bind_id_or_null(s, 4, x->provider_id) != SQLITE_OK ||
	    bind_text_or_null(s, 5, x->verb) != SQLITE_OK || bind_text_or_null(s, 6, x->code) != SQLITE_OK ||
	    store_bind_date(s, 7, x->start_date) != SQLITE_OK || bind_text_or_null(s, 8, x->words) != SQLITE_OK ||
	    sql_bind_int64(s, 9, x->received_at) != SQLITE_OK || sql_bind_int64(s, 10, x->read_at) != SQLITE_OK ||
	    bind_text_or_null(s, 11, x->proposed ? NULL : x->reason) != SQLITE_OK ||
	    bind_text_or_null(s, 12, x->sender) != SQLITE_OK || bind_text_or_null(s, 13, x->subject) != SQLITE_OK ||
	    bind_text_or_null(s, 14, x->message_id) != SQLITE_OK || bind_text_or_null(s, 15, body) != SQLITE_OK)
		return store_fail(st, SQLITE_ERROR, "recording an answer that came in");
	/* A message received before (the unique index on message_id) is not
	 * refused but left out, no row returned: on PostgreSQL a refused
	 * statement would stop the transaction, and an import of responses
	 * goes on to its next row after a duplicate. */
	x->id = 0;
	enum store_status status = store_insert_id(st, s, "recording an answer that came in", &x->id);
	if (status == STORE_OK && x->id == 0)
		status = STORE_CONFLICT;
	if (status == STORE_CONFLICT) {
		snprintf(st->err, sizeof st->err, "message %s was received before", x->message_id);
		return STORE_CONFLICT;
	}
	if (status != STORE_OK)
		return status;
	snprintf(x->state, sizeof x->state, "open");
	return STORE_OK;
}

enum store_status store_inbox_get(struct store *st, int64_t id, struct store_inbox *out)
{
	sql_stmt *s = store_stmt(st, Q_INBOX_GET, "SELECT " INBOX_COLS " FROM inbox WHERE id = ?1");
	if (!s)
		return STORE_ERROR;
	if (sql_bind_int64(s, 1, id) != SQLITE_OK)
		return store_fail(st, SQLITE_ERROR, "reading an answer that came in");
	int rc = sql_step(s);
	enum store_status r = STORE_OK;
	if (rc == SQLITE_ROW)
		read_row(s, out);
	else if (rc == SQLITE_DONE) {
		snprintf(st->err, sizeof st->err, "there is no inbox item %lld", (long long)id);
		r = STORE_NOT_FOUND;
	} else
		r = store_fail(st, rc, "reading an answer that came in");
	sql_reset(s);
	return r;
}

enum store_status store_inbox_body(struct store *st, int64_t id, char **out)
{
	*out = NULL;
	sql_stmt *s = store_stmt(st, Q_INBOX_BODY, "SELECT body FROM inbox WHERE id = ?1");
	if (!s)
		return STORE_ERROR;
	if (sql_bind_int64(s, 1, id) != SQLITE_OK)
		return store_fail(st, SQLITE_ERROR, "reading a message that came in");
	int rc = sql_step(s);
	enum store_status r = STORE_OK;
	if (rc == SQLITE_ROW) {
		const unsigned char *t = sql_column_text(s, 0);
		size_t n = t ? (size_t)sql_column_bytes(s, 0) : 0;
		*out = malloc(n + 1);
		if (!*out) {
			r = store_fail(st, SQLITE_NOMEM, "reading a message that came in");
		} else {
			if (n)
				memcpy(*out, t, n);
			(*out)[n] = '\0';
		}
	} else if (rc == SQLITE_DONE) {
		snprintf(st->err, sizeof st->err, "there is no inbox item %lld", (long long)id);
		r = STORE_NOT_FOUND;
	} else {
		r = store_fail(st, rc, "reading a message that came in");
	}
	sql_reset(s);
	return r;
}

enum store_status store_inbox_update(struct store *st, const struct store_inbox *x)
{
	sql_stmt *s = store_stmt(st, Q_INBOX_UPDATE,
	                         "UPDATE inbox SET kind = ?2, state = ?3, offer_id = ?4, provider_id = ?5, "
	                         "verb = ?6, code = ?7, start_date = ?8, words = ?9, reason = ?10, "
	                         "decided_by = ?11, decided_at = ?12, decision = ?13 WHERE id = ?1");
	if (!s)
		return STORE_ERROR;
	if (sql_bind_int64(s, 1, x->id) != SQLITE_OK ||
	    sql_bind_text(s, 2, x->proposed ? "proposed" : "triage", -1, SQLITE_STATIC) != SQLITE_OK ||
	    sql_bind_text(s, 3, x->state, -1, SQLITE_STATIC) != SQLITE_OK ||
	    bind_id_or_null(s, 4, x->offer_id) != SQLITE_OK || bind_id_or_null(s, 5, x->provider_id) != SQLITE_OK ||
	    bind_text_or_null(s, 6, x->verb) != SQLITE_OK || bind_text_or_null(s, 7, x->code) != SQLITE_OK ||
	    store_bind_date(s, 8, x->start_date) != SQLITE_OK || bind_text_or_null(s, 9, x->words) != SQLITE_OK ||
	    bind_text_or_null(s, 10, x->proposed ? NULL : x->reason) != SQLITE_OK ||
	    bind_id_or_null(s, 11, x->decided_by) != SQLITE_OK ||
	    (x->decided_at ? sql_bind_int64(s, 12, x->decided_at) : sql_bind_null(s, 12)) != SQLITE_OK ||
	    bind_text_or_null(s, 13, x->decision) != SQLITE_OK)
		return store_fail(st, SQLITE_ERROR, "saving an answer that came in");
	int rc = sql_step(s);
	sql_reset(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, "saving an answer that came in");
	if (sql_changes(st) == 0) {
		snprintf(st->err, sizeof st->err, "there is no inbox item %lld", (long long)x->id);
		return STORE_NOT_FOUND;
	}
	return STORE_OK;
}

enum store_status store_inbox_erase(struct store *st, int64_t id)
{
	sql_stmt *s = store_stmt(st, Q_INBOX_ERASE_ONE,
	                         "UPDATE inbox SET words = NULL, subject = NULL, body = NULL WHERE id = ?1");
	if (!s)
		return STORE_ERROR;
	if (sql_bind_int64(s, 1, id) != SQLITE_OK) {
		sql_reset(s);
		return store_fail(st, SQLITE_ERROR, "erasing a message that came in");
	}
	int rc = sql_step(s);
	sql_reset(s);
	return rc == SQLITE_DONE ? STORE_OK : store_fail(st, rc, "erasing a message that came in");
}

enum store_status store_inbox_each(struct store *st, bool open_only, store_inbox_fn fn, void *ud)
{
	sql_stmt *s = open_only ? store_stmt(st, Q_INBOX_EACH_OPEN,
	                                     "SELECT " INBOX_COLS " FROM inbox WHERE state = 'open' "
	                                     "ORDER BY kind = 'triage', received_at, id")
	                        : store_stmt(st, Q_INBOX_EACH_ALL,
	                                     "SELECT " INBOX_COLS " FROM inbox "
	                                     "ORDER BY state <> 'open', kind = 'triage', received_at, id");
	if (!s)
		return STORE_ERROR;
	int rc;
	struct store_inbox *x = malloc(sizeof *x);
	if (!x)
		return store_fail(st, SQLITE_NOMEM, "reading the inbox");
	while ((rc = sql_step(s)) == SQLITE_ROW) {
		read_row(s, x);
		if (fn(ud, x) != 0)
			break;
	}
	free(x);
	sql_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_fail(st, rc, "reading the inbox");
	return STORE_OK;
}
