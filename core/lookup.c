/* The records as the faces read them: the stored rows, through core, so
 * that no face calls storage. Each read of case data needs a member of
 * staff (PERM_READ); the caller records a list read with
 * bk_record_bulk_read where it shows one. The checks of the database and
 * its audit trail (check, backup, anchors) live here too. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/internal.h"

static enum bk_status done(struct bk_ctx *ctx, enum store_status ss)
{
	return ss == STORE_OK ? BK_OK : bk_from_store(ctx, ss);
}

bool bk_readonly(const struct bk_ctx *ctx)
{
	return ctx->store && store_is_readonly(ctx->store);
}

const char *bk_path(const struct bk_ctx *ctx)
{
	return ctx->store ? store_path(ctx->store) : "";
}

bool bk_db_is_server(const char *db)
{
	return store_is_conninfo(db);
}

enum bk_status bk_data_version(struct bk_ctx *ctx, int64_t *v)
{
	return done(ctx, store_data_version(ctx->store, v));
}

enum bk_status bk_referral_get(struct bk_ctx *ctx, int64_t id, struct store_referral *out)
{
	enum bk_status st = bk_require(ctx, PERM_READ);
	if (st != BK_OK)
		return st;
	enum store_status ss = store_referral_get(ctx->store, id, out);
	if (ss == STORE_NOT_FOUND)
		return bk_fail(ctx, BK_REFUSED, "there is no referral %" PRId64, id);
	return done(ctx, ss);
}

enum bk_status bk_referral_each(struct bk_ctx *ctx, const struct store_referral_filter *f, bk_referral_fn fn, void *ud)
{
	enum bk_status st = bk_require(ctx, PERM_READ);
	return st != BK_OK ? st : done(ctx, store_referral_each(ctx->store, f, fn, ud));
}

enum bk_status bk_offer_each(struct bk_ctx *ctx, int64_t referral_id, bk_offer_fn fn, void *ud)
{
	enum bk_status st = bk_require(ctx, PERM_READ);
	return st != BK_OK ? st : done(ctx, store_offer_each_for_referral(ctx->store, referral_id, fn, ud));
}

enum bk_status bk_staff_each(struct bk_ctx *ctx, bk_staff_fn fn, void *ud)
{
	enum bk_status st = bk_require(ctx, PERM_READ);
	return st != BK_OK ? st : done(ctx, store_staff_each(ctx->store, fn, ud));
}

enum bk_status bk_provider_each(struct bk_ctx *ctx, bk_provider_fn fn, void *ud)
{
	enum bk_status st = bk_require(ctx, PERM_READ);
	return st != BK_OK ? st : done(ctx, store_provider_each(ctx->store, fn, ud));
}

enum bk_status bk_provider_get(struct bk_ctx *ctx, int64_t id, struct store_provider *out)
{
	enum bk_status st = bk_require(ctx, PERM_READ);
	if (st != BK_OK)
		return st;
	enum store_status ss = store_provider_by_id(ctx->store, id, out);
	if (ss == STORE_NOT_FOUND)
		return bk_fail(ctx, BK_REFUSED, "there is no provider %" PRId64, id);
	return done(ctx, ss);
}

enum bk_status bk_provider_find(struct bk_ctx *ctx, const char *name, struct store_provider *out)
{
	enum bk_status st = bk_require(ctx, PERM_READ);
	if (st != BK_OK)
		return st;
	enum store_status ss = store_provider_by_name(ctx->store, name, out);
	if (ss == STORE_NOT_FOUND)
		return bk_fail(ctx, BK_REFUSED, "there is no provider named '%s'", name);
	return done(ctx, ss);
}

enum bk_status bk_provider_open_offers(struct bk_ctx *ctx, int64_t provider_id, int64_t *n)
{
	*n = 0;
	enum bk_status st = bk_require(ctx, PERM_READ);
	return st != BK_OK ? st : done(ctx, store_offer_count_open_for_provider(ctx->store, provider_id, n));
}

enum bk_status bk_capacity_each(struct bk_ctx *ctx, int64_t provider_id, bk_capacity_fn fn, void *ud)
{
	enum bk_status st = bk_require(ctx, PERM_READ);
	return st != BK_OK ? st : done(ctx, store_capacity_each(ctx->store, provider_id, fn, ud));
}

enum bk_status bk_capacity_get(struct bk_ctx *ctx, int64_t provider_id, const char *district, int *minutes)
{
	*minutes = -1;
	enum bk_status st = bk_require(ctx, PERM_READ);
	return st != BK_OK ? st : done(ctx, store_capacity_get(ctx->store, provider_id, district, minutes));
}

enum bk_status bk_ranking_each(struct bk_ctx *ctx, int lot, const char *district, bk_rank_fn fn, void *ud)
{
	enum bk_status st = bk_require(ctx, PERM_READ);
	return st != BK_OK ? st : done(ctx, store_ranking_each(ctx->store, lot, district, fn, ud));
}

enum bk_status bk_ranked_providers_each(struct bk_ctx *ctx, int lot, const char *district, bk_ranked_fn fn, void *ud)
{
	enum bk_status st = bk_require(ctx, PERM_READ);
	return st != BK_OK ? st : done(ctx, store_ranked_providers_each(ctx->store, lot, district, fn, ud));
}

enum bk_status bk_audit_each(struct bk_ctx *ctx, const struct store_event_filter *f, bk_event_fn fn, void *ud)
{
	enum bk_status st = bk_require(ctx, PERM_READ);
	if (st != BK_OK)
		return st;
	return done(ctx, store_audit_each(ctx->store, f, fn, ud));
}

enum bk_status bk_audit_verify(struct bk_ctx *ctx, struct store_verify *out)
{
	enum store_status ss = store_audit_verify(ctx->store, out);
	if (ss != STORE_OK)
		return bk_from_store(ctx, ss);
	return BK_OK;
}

enum bk_status bk_audit_head(struct bk_ctx *ctx, int64_t *seq, char hex[2 * STORE_HASH_BYTES + 1])
{
	unsigned char hash[STORE_HASH_BYTES];
	*seq = 0;
	hex[0] = '\0';
	enum store_status ss = store_audit_head(ctx->store, seq, hash);
	if (ss != STORE_OK)
		return bk_from_store(ctx, ss);
	store_hash_hex(hash, hex);
	return BK_OK;
}

/* ---- the checks ---- */

enum bk_status bk_check(struct bk_ctx *ctx, bool quick, bool deep, bk_check_report_fn report, void *ud,
                        struct bk_check_result *res)
{
	memset(res, 0, sizeof *res);
	int n = 0;
	enum store_status ss = store_check(ctx->store, quick, report, ud, &n);
	res->problems = n;
	if (ss != STORE_OK) {
		if (store_is_damaged(ctx->store))
			return bk_fail(
				ctx, BK_STORAGE,
				"the database file is damaged: the check could not read all of it (%d problem%s found "
				"before it stopped); restore the last good backup with 'brokerage restore FILE' (an "
				"administrator)",
				n, n == 1 ? "" : "s");
		return bk_fail(ctx, BK_STORAGE, "%s", store_errmsg(ctx->store));
	}
	if (deep)
		ss = store_check_deep(ctx->store, report, ud, &n);
	if (ss == STORE_OK && deep)
		ss = bk_check_content(ctx->store, report, ud, &n);
	struct store_verify v;
	if (ss == STORE_OK)
		ss = store_audit_verify(ctx->store, &v);
	res->problems = n;
	if (ss != STORE_OK)
		return bk_from_store(ctx, ss);
	res->events = v.events;
	res->schema_version = store_schema_version(ctx->store);
	if (v.bad_seq) {
		char line[400];
		snprintf(line, sizeof line, "audit trail: event %" PRId64 " does not match: %s", v.bad_seq, v.problem);
		report(ud, line);
		n++;
	}
	char apath[1100];
	struct store_anchor_check a;
	if (store_anchor_path(ctx->store, apath, sizeof apath) &&
	    store_anchor_check_file(ctx->store, apath, &a) == STORE_OK && a.bad_seq) {
		char line[700];
		snprintf(line, sizeof line, "audit trail: the anchor file %.300s does not match: %s", apath, a.problem);
		report(ud, line);
		n++;
	}
	res->problems = n;
	return BK_OK;
}

enum bk_status bk_backup(struct bk_ctx *ctx, const char *dest, int64_t *head_seq,
                         char head_hex[2 * STORE_HASH_BYTES + 1])
{
	const char *why;
	if (!policy_may(ctx->actor.role, PERM_BACKUP, &why))
		return bk_fail(ctx, BK_REFUSED, "%s", why);
	char err[512];
	enum store_status ss = store_backup(ctx->store, dest, err, sizeof err);
	if (ss != STORE_OK)
		return bk_fail(ctx, ss == STORE_REFUSED ? BK_REFUSED : BK_STORAGE, "%s", err);
	if (bk_audit_head(ctx, head_seq, head_hex) != BK_OK) {
		*head_seq = 0;
		head_hex[0] = '\0';
		ctx->msg[0] = '\0';
	}
	return BK_OK;
}

enum bk_status bk_migrate(struct bk_ctx *ctx, bool to_server, const char *conninfo, const char *file,
                          struct bk_migrate_result *out)
{
	memset(out, 0, sizeof *out);
	if (!conninfo || !store_is_conninfo(conninfo))
		return bk_fail(ctx, BK_USAGE,
		               "--to and --from take a PostgreSQL database: a URI (postgresql://...) or keywords "
		               "(host=... dbname=...)");
	if (!file || store_is_conninfo(file))
		return bk_fail(ctx, BK_USAGE,
		               to_server ? "migrate --to copies a database file: --db must name the file"
		                         : "migrate --from copies into a new database file: --db must name the file");
	const char *why = NULL;
	if (ctx->actor.staff_id == 0 || !policy_may(ctx->actor.role, PERM_RESTORE, &why))
		return bk_fail(ctx, BK_REFUSED, "only an administrator can copy the database into another one");
	const char *target = to_server ? conninfo : file;
	char err[1024];
	struct store *to = NULL;
	enum store_status ss = store_copy_target(target, to_server, &to, err, sizeof err);
	if (ss != STORE_OK)
		return bk_fail(ctx, ss == STORE_REFUSED || ss == STORE_NOT_FOUND ? BK_REFUSED : BK_STORAGE, "%s", err);
	struct store_copy_result r;
	ss = store_copy(ctx->store, to, &r, err, sizeof err);
	if (ss != STORE_OK) {
		store_copy_discard(to, target, to_server);
		return bk_fail(ctx, ss == STORE_REFUSED ? BK_REFUSED : BK_STORAGE, "%s", err);
	}
	store_close(to);
	out->tables = r.tables;
	out->rows = r.rows;
	out->events = r.events;
	out->head_seq = r.head_seq;
	store_hash_hex(r.head, out->head_hex);
	snprintf(out->target, sizeof out->target, "%s", r.target);
	return BK_OK;
}

/* ---- anchors: the audit head kept outside the file ---- */

bool bk_anchor_path(const struct bk_ctx *ctx, char *buf, size_t len)
{
	return ctx->store && store_anchor_path(ctx->store, buf, len);
}

void bk_anchor_record(struct bk_ctx *ctx, int64_t now)
{
	if (ctx->store && !store_is_readonly(ctx->store))
		store_anchor_record(ctx->store, now);
}

void bk_anchor_restored(struct bk_ctx *ctx, int64_t now)
{
	store_anchor_restored(ctx->store, now);
}

enum bk_status bk_anchor_check(struct bk_ctx *ctx, const char *file, struct store_anchor_check *out)
{
	memset(out, 0, sizeof *out);
	struct store *b = NULL;
	char err[512];
	struct store_open_opts o = { .path = file, .inspect = true };
	enum store_status ss;
	if (store_open(&o, &b, err, sizeof err) == STORE_OK) {
		/* a backup of this database: its head must be in the live trail */
		int64_t seq;
		unsigned char hash[STORE_HASH_BYTES];
		ss = store_audit_head(b, &seq, hash);
		store_close(b);
		if (ss == STORE_OK && seq > 0)
			ss = store_anchor_check_head(ctx->store, seq, hash, out);
		else
			out->missing = true;
	} else {
		ss = store_anchor_check_file(ctx->store, file, out);
	}
	return ss == STORE_OK ? BK_OK : bk_from_store(ctx, ss);
}

void bk_set_keep_access(struct bk_ctx *ctx, const struct store_keep_access *acc)
{
	store_set_keep_access(ctx->store, acc);
}
