/* Anchors of the audit trail outside the database file: the newest event's
 * number and hash, written where someone who rewrites the whole file (and
 * recomputes every hash, which the chain alone cannot prevent) does not
 * also rewrite them. Each anchor names an event the trail must still hold
 * with that very hash. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "storage/internal.h"

enum store_status store_audit_head(struct store *st, int64_t *seq, unsigned char hash[STORE_HASH_BYTES])
{
	*seq = 0;
	memset(hash, 0, STORE_HASH_BYTES);
	sql_stmt *s = store_stmt(st, Q_EVENT_LAST, "SELECT seq, hash FROM event ORDER BY seq DESC LIMIT 1");
	if (!s)
		return STORE_ERROR;
	int rc = sql_step(s);
	if (rc == SQLITE_ROW) {
		*seq = sql_column_int64(s, 0);
		if (sql_column_bytes(s, 1) == STORE_HASH_BYTES)
			memcpy(hash, sql_column_blob(s, 1), STORE_HASH_BYTES);
	}
	sql_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, rc, "reading the audit trail");
	return STORE_OK;
}

void store_hash_hex(const unsigned char hash[STORE_HASH_BYTES], char out[2 * STORE_HASH_BYTES + 1])
{
	static const char hex[] = "0123456789abcdef";
	for (int i = 0; i < STORE_HASH_BYTES; i++) {
		out[2 * i] = hex[hash[i] >> 4];
		out[2 * i + 1] = hex[hash[i] & 0xf];
	}
	out[2 * STORE_HASH_BYTES] = '\0';
}

bool store_anchor_path(const struct store *st, char *buf, size_t len)
{
	/* A server database has no file to keep an anchor beside: its head is
	 * kept by the server's own log and replicas (brokerage(7)). */
	if (st->engine != STORE_ENGINE_SQLITE)
		return false;
	return (size_t)snprintf(buf, len, "%s-anchor", st->path) < len;
}

/* Does the trail hold event seq with this hash? */
static enum store_status check_one(struct store *st, int64_t seq, const char *hex, struct store_anchor_check *out)
{
	sql_stmt *s = NULL;
	int rc = sql_prepare(st, "SELECT hash FROM event WHERE seq = ?1", &s);
	if (rc != SQLITE_OK)
		return store_fail(st, rc, "reading the audit trail");
	if (sql_bind_int64(s, 1, seq) != SQLITE_OK) {
		sql_finalize(s);
		return store_fail(st, SQLITE_ERROR, "reading the audit trail");
	}
	rc = sql_step(s);
	char have[2 * STORE_HASH_BYTES + 1] = "";
	bool found = rc == SQLITE_ROW && sql_column_bytes(s, 0) == STORE_HASH_BYTES;
	if (found)
		store_hash_hex(sql_column_blob(s, 0), have);
	sql_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, rc, "reading the audit trail");
	out->heads++;
	if (seq > out->newest)
		out->newest = seq;
	if (out->bad_seq)
		return STORE_OK;
	if (!found) {
		out->bad_seq = seq;
		snprintf(out->problem, sizeof out->problem,
		         "event %lld was recorded as the newest at some time, and the trail no longer holds it: events "
		         "were removed",
		         (long long)seq);
	} else if (strcmp(have, hex) != 0) {
		out->bad_seq = seq;
		snprintf(out->problem, sizeof out->problem,
		         "event %lld is not the event recorded then (its hash differs): the trail up to it was "
		         "rewritten",
		         (long long)seq);
	}
	return STORE_OK;
}

enum store_status store_anchor_check_file(struct store *st, const char *path, struct store_anchor_check *out)
{
	memset(out, 0, sizeof *out);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		out->missing = true;
		if (fd >= 0)
			close(fd);
		return STORE_OK;
	}
	FILE *f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		out->missing = true;
		return STORE_OK;
	}
	out->found = true;
	char line[256];
	enum store_status s = STORE_OK;
	while (s == STORE_OK && fgets(line, sizeof line, f)) {
		if (strncmp(line, "restored", 8) == 0) {
			/* A restore ends the trail those heads belonged to. */
			int64_t heads = out->heads;
			memset(out, 0, sizeof *out);
			out->found = true;
			out->before_restore = heads;
			continue;
		}
		long long seq = 0, at = 0;
		char hex[2 * STORE_HASH_BYTES + 2] = "";
		if (sscanf(line, "%lld %65s %lld", &seq, hex, &at) < 2 || strlen(hex) != 2 * STORE_HASH_BYTES ||
		    seq < 1) {
			out->unreadable++;
			continue;
		}
		s = check_one(st, seq, hex, out);
	}
	fclose(f);
	return s;
}

enum store_status store_anchor_check_head(struct store *st, int64_t seq, const unsigned char hash[STORE_HASH_BYTES],
                                          struct store_anchor_check *out)
{
	char hex[2 * STORE_HASH_BYTES + 1];
	store_hash_hex(hash, hex);
	out->found = true;
	return check_one(st, seq, hex, out);
}

enum store_status store_anchor_record(struct store *st, int64_t now)
{
	int64_t seq;
	unsigned char hash[STORE_HASH_BYTES];
	enum store_status s = store_audit_head(st, &seq, hash);
	if (s != STORE_OK || seq == 0)
		return s;
	char path[1100], hex[2 * STORE_HASH_BYTES + 1], line[160];
	if (!store_anchor_path(st, path, sizeof path))
		return STORE_OK;
	store_hash_hex(hash, hex);
	int n = snprintf(line, sizeof line, "%lld %s %lld\n", (long long)seq, hex, (long long)now);
	/* Kept open, so that the head a command leaves is written at close
	 * even after the group that may write there was given up. */
	int fd = st->anchor_open ? st->anchor_fd : -1;
	struct stat sb;
	if (!st->anchor_open) {
		fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK,
		          st->shared ? 0660 : 0600);
		if (fd < 0)
			return STORE_OK; /* an anchor is a help, never a reason to refuse work */
		if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || (!st->shared && sb.st_uid != geteuid())) {
			close(fd);
			return STORE_OK;
		}
		st->anchor_fd = fd;
		st->anchor_open = true;
		st->anchor_now = now;
	}
	if (fstat(fd, &sb) != 0)
		return STORE_OK;
	char tail[160] = "";
	off_t from = sb.st_size > (off_t)sizeof tail - 1 ? sb.st_size - (off_t)sizeof tail + 1 : 0;
	ssize_t got = pread(fd, tail, sizeof tail - 1, from);
	if (got > 0) {
		tail[got] = '\0';
		char *last = tail;
		size_t tl = strlen(tail);
		if (tl && tail[tl - 1] == '\n')
			tail[--tl] = '\0';
		char *nl = strrchr(tail, '\n');
		if (nl)
			last = nl + 1;
		long long lseq = 0;
		char lhex[2 * STORE_HASH_BYTES + 2] = "";
		if (sscanf(last, "%lld %65s", &lseq, lhex) == 2 && lseq == seq && strcmp(lhex, hex) == 0)
			return STORE_OK;
	}
	if (n > 0 && write(fd, line, (size_t)n) != n) {
		/* a full disk: the next command tries again */
	}
	return STORE_OK;
}

enum store_status store_anchor_restored(struct store *st, int64_t now)
{
	char path[1100], line[64];
	if (!store_anchor_path(st, path, sizeof path))
		return STORE_OK;
	if (!st->anchor_open)
		return STORE_OK;
	int n = snprintf(line, sizeof line, "restored %lld\n", (long long)now);
	if (n > 0 && write(st->anchor_fd, line, (size_t)n) != n) {
		snprintf(st->err, sizeof st->err, "cannot write %.300s: %s", path, strerror(errno));
		return STORE_ERROR;
	}
	return store_anchor_record(st, now);
}
