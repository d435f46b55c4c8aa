/* Opening and identity, and the helpers every action shares (statuses,
 * refusals, rights, transactions). The audit encoding is in core/audit.c,
 * staff in core/staff.c. */
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/internal.h"
#include "core/text.h"

static const char *const status_names[] = {
	[BK_OK] = "done",           [BK_REFUSED] = "refused",         [BK_USAGE] = "usage error",
	[BK_CONFLICT] = "conflict", [BK_STORAGE] = "storage failure",
};

const char *bk_status_name(enum bk_status s)
{
	return (unsigned)s <= BK_STORAGE ? status_names[s] : "?";
}

enum bk_status bk_fail(struct bk_ctx *ctx, enum bk_status status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ctx->msg, sizeof ctx->msg, fmt, ap);
	va_end(ap);
	return status;
}

enum bk_status bk_from_store(struct bk_ctx *ctx, enum store_status s)
{
	switch (s) {
	case STORE_OK:
		return BK_OK;
	case STORE_NOT_FOUND:
		return bk_fail(ctx, BK_REFUSED, "%s",
		               store_errmsg(ctx->store)[0] ? store_errmsg(ctx->store) : "not found");
	case STORE_CONFLICT:
		return bk_fail(ctx, BK_CONFLICT, "%s", store_errmsg(ctx->store));
	case STORE_REFUSED:
		return bk_fail(ctx, BK_REFUSED, "%s", store_errmsg(ctx->store));
	case STORE_ERROR:
	default:
		return bk_fail(ctx, BK_STORAGE, "%s", store_errmsg(ctx->store));
	}
}

enum bk_status bk_require(struct bk_ctx *ctx, enum policy_perm perm)
{
	const char *why = NULL;
	if (ctx->actor.staff_id == 0)
		return bk_fail(ctx, BK_REFUSED, "you are not identified as a member of staff");
	if (!policy_may(ctx->actor.role, perm, &why))
		return bk_fail(ctx, BK_REFUSED, "%s (you are %s)", why, policy_role_with_article(ctx->actor.role));
	return BK_OK;
}

/* Who is acting, read again inside the transaction: a workstation stays
 * open for hours, and an administrator may deactivate its user or change
 * their role meanwhile. The command line reads the record at the start of
 * each command; this makes every action, from any face, answer to the
 * record as it is when the action is written. A changed role is taken on
 * (so the next action is judged by it) and this action is refused, since
 * its permission was checked under the old one. */
static enum bk_status actor_still(struct bk_ctx *ctx)
{
	if (ctx->actor.staff_id == 0)
		return BK_OK;
	struct store_staff s;
	enum store_status ss = store_staff_by_id(ctx->store, ctx->actor.staff_id, &s);
	if (ss == STORE_NOT_FOUND || (ss == STORE_OK && !s.active)) {
		ctx->actor.staff_id = 0;
		return bk_fail(ctx, BK_REFUSED,
		               "your staff record (%s) is %s: nothing was changed; ask an administrator",
		               ctx->actor.login, ss == STORE_NOT_FOUND ? "gone" : "deactivated");
	}
	if (ss != STORE_OK)
		return bk_from_store(ctx, ss);
	enum bk_role role;
	if (!policy_role_parse(s.role, &role))
		return bk_fail(ctx, BK_STORAGE, "the staff record for '%s' has an unknown role '%s'", s.login, s.role);
	if (role != ctx->actor.role) {
		enum bk_role was = ctx->actor.role;
		ctx->actor.role = role;
		return bk_fail(ctx, BK_REFUSED,
		               "your role was changed from %s to %s since you started: nothing was changed; "
		               "look again and retry as %s",
		               policy_role_title(was), policy_role_title(role), policy_role_with_article(role));
	}
	return BK_OK;
}

static enum bk_status tx_begin(struct bk_ctx *ctx, bool check_actor)
{
	ctx->warning[0] = '\0';
	if (!store_in_transaction(ctx->store))
		ctx->mail_queued = 0;
	enum store_status s = store_begin(ctx->store);
	if (s != STORE_OK)
		return bk_from_store(ctx, s);
	/* Every action decides by the policy as it stands when it begins, and
	 * answers to the actor's staff record as it is then. */
	enum bk_status st = bk_policy_refresh(ctx);
	if (st == BK_OK && check_actor)
		st = actor_still(ctx);
	if (st != BK_OK)
		store_rollback(ctx->store);
	return st;
}

enum bk_status bk_text(struct bk_ctx *ctx, const char *key, const char *value, char *out, size_t outlen,
                       const char *what)
{
	const struct text_field *f = text_field_find(key);
	char err[256];
	if (!f)
		return bk_fail(ctx, BK_STORAGE, "no field '%s' is described", key);
	if (!text_field_check(f, value, out, outlen, err, sizeof err))
		return what ? bk_fail(ctx, BK_REFUSED, "%s: %s", what, err) : bk_fail(ctx, BK_REFUSED, "%s", err);
	return BK_OK;
}

static enum bk_status tx_end(struct bk_ctx *ctx, enum bk_status status)
{
	if (status != BK_OK) {
		store_rollback(ctx->store);
		if (!store_in_transaction(ctx->store))
			ctx->mail_queued = 0; /* a refused action sends nothing */
		return status;
	}
	enum store_status s = store_commit(ctx->store);
	if (s != STORE_OK) {
		if (!store_in_transaction(ctx->store))
			ctx->mail_queued = 0;
		return bk_from_store(ctx, s);
	}
	/* the messages are in the file: now they may go */
	if (ctx->mail_queued && !store_in_transaction(ctx->store))
		bk_mail_after_commit(ctx);
	return BK_OK;
}

/* What an action may change in ctx besides its words: the policy it
 * read, and the reading's generation. A second run starts from them as the
 * first did (the policy read again if the store's generation differs). */
struct ctx_before {
	char msg[sizeof((struct bk_ctx *)0)->msg];
	struct bk_settings policy;
	int64_t policy_generation;
	bool policy_recorded;
	struct cal_rules cal;
};

static enum bk_status tx_run_with(struct bk_ctx *ctx, bk_tx_fn fn, void *ud, bool check_actor, bool keep, bool outer,
                                  struct ctx_before *was)
{
	for (int tries = 1;; tries++) {
		enum bk_status st = tx_begin(ctx, check_actor);
		if (st == BK_OK) {
			st = fn(ctx, ud);
			/* a failure fn let pass (a row of a batch, undone to its
			 * savepoint) still stopped the transaction on the server */
			if (st == BK_OK && outer && store_retry_wanted(ctx->store))
				st = bk_fail(ctx, BK_STORAGE, "%s", store_errmsg(ctx->store));
			if (keep) {
				st = tx_end(ctx, st);
			} else {
				store_rollback(ctx->store);
				if (!store_in_transaction(ctx->store))
					ctx->mail_queued = 0; /* a check sends nothing */
				ctx->warning[0] = '\0';       /* the action says it again when it is done */
			}
		}
		if (st == BK_OK || !outer || !was || !store_retry_wanted(ctx->store))
			return st;
		if (tries == BK_TX_TRIES) {
			char why[sizeof ctx->msg];
			memcpy(why, ctx->msg, sizeof why);
			return bk_fail(ctx, BK_STORAGE,
			               "%.900s; it was tried %d times: nothing was changed, try again later", why,
			               tries);
		}
		/* as before the first run: fn says it all again */
		memcpy(ctx->msg, was->msg, sizeof was->msg);
		ctx->warning[0] = '\0';
		ctx->policy = was->policy;
		ctx->settings = &ctx->policy;
		ctx->policy_generation = was->policy_generation;
		ctx->policy_recorded = was->policy_recorded;
		ctx->cal = was->cal;
		cal_zone_use(ctx->policy.zone);
		struct timespec pause = { 0, 10000000L << (tries - 1) }; /* 10, 20, 40, 80 ms */
		nanosleep(&pause, NULL);
	}
}


static enum bk_status tx_run(struct bk_ctx *ctx, bk_tx_fn fn, void *ud, bool check_actor, bool keep)
{
	bool outer = !store_in_transaction(ctx->store);
	struct ctx_before *was = NULL;
	if (outer && (was = malloc(sizeof *was)) != NULL)
		*was = (struct ctx_before){ .policy = ctx->policy,
			                    .policy_generation = ctx->policy_generation,
			                    .policy_recorded = ctx->policy_recorded,
			                    .cal = ctx->cal };
	if (was)
		memcpy(was->msg, ctx->msg, sizeof was->msg);
	enum bk_status st = tx_run_with(ctx, fn, ud, check_actor, keep, outer, was);
	free(was);
	return st;
}

enum bk_status bk_tx_run(struct bk_ctx *ctx, bk_tx_fn fn, void *ud)
{
	return tx_run(ctx, fn, ud, true, true);
}

enum bk_status bk_tx_try(struct bk_ctx *ctx, bk_tx_fn fn, void *ud)
{
	return tx_run(ctx, fn, ud, true, false);
}

/* ---- opening and identity ---- */

/* The policy's lots and districts, recorded so referrals can refer to
 * them; a change (a new rate, a renamed lot) is an audit event like any
 * other change. */
enum bk_status bk_record_reference(struct bk_ctx *ctx)
{
	const struct bk_settings *s = ctx->settings;
	enum store_status ss = STORE_OK;
	enum bk_status st = BK_OK;
	for (int i = 0; st == BK_OK && ss == STORE_OK && i < s->n_lots; i++) {
		const struct bk_lot *l = &s->lots[i];
		bool changed = false;
		ss = store_lot_put(ctx->store, l->number, l->name, l->cqc_required, l->framework_rate, &changed);
		if (ss == STORE_OK && changed)
			st = bk_audit_obj(ctx, "config.lot", "lot", l->number, 0, NULL,
			                  json_pack("{si ss sb sI}", "number", l->number, "name", l->name,
			                            "cqc_required", l->cqc_required, "framework_rate",
			                            (json_int_t)l->framework_rate));
	}
	for (int i = 0; st == BK_OK && ss == STORE_OK && i < s->n_districts; i++) {
		bool changed = false;
		ss = store_district_put(ctx->store, s->districts[i].name, &changed);
		if (ss == STORE_OK && changed)
			st = bk_audit_obj(ctx, "config.district", "district", i + 1, 0, NULL,
			                  json_pack("{ss}", "name", s->districts[i].name));
	}
	return st != BK_OK ? st : bk_from_store(ctx, ss);
}

enum bk_status bk_open(struct bk_ctx *ctx, const struct bk_settings *seed, const struct bk_open_opts *o)
{
	memset(ctx, 0, sizeof *ctx);
	ctx->policy = *seed;
	ctx->settings = &ctx->policy;
	cal_rules_from_settings(&ctx->cal, seed);
	struct store_open_opts so = {
		.path = o->path,
		.create = o->create,
		.readonly = o->readonly,
		.allow_remote = o->allow_remote,
		.shared = o->shared,
		.inspect = o->inspect,
	};
	enum store_status st = store_open(&so, &ctx->store, ctx->msg, sizeof ctx->msg);
	if (st != STORE_OK)
		return st == STORE_ERROR ? BK_STORAGE : BK_REFUSED;
	/* Test mode is what the database was made with, sealed into its first
	 * audit event; a flag in meta changed by hand does not count. */
	struct store_origin og;
	if (store_audit_origin(ctx->store, &og) == STORE_OK)
		ctx->test_mode = og.test_mode;
	ctx->inspect_only = o->inspect_only;
	ctx->now = o->now;
	enum bk_status bs = bk_policy_open(ctx, seed, o->login, o->create);
	if (bs != BK_OK) {
		store_close(ctx->store);
		ctx->store = NULL;
	}
	return bs;
}

void bk_close(struct bk_ctx *ctx)
{
	if (ctx && ctx->store) {
		store_close(ctx->store);
		ctx->store = NULL;
	}
}

int bk_schema_version(void)
{
	return store_program_schema_version();
}

const char *bk_sqlite_version(void)
{
	return store_sqlite_version();
}

const char *bk_libpq_version(void)
{
	return store_libpq_version();
}

struct init_args {
	const char *login, *name;
	bool test_mode;
};

static enum bk_status init_tx(struct bk_ctx *ctx, void *ud)
{
	const struct init_args *a = ud;
	const char *login = a->login, *name = a->name;
	bool test_mode = a->test_mode;
	int64_t n = 0;
	enum store_status ss = store_staff_count(ctx->store, &n);
	if (ss != STORE_OK)
		return bk_from_store(ctx, ss);
	if (n > 0)
		return bk_fail(ctx, BK_REFUSED, "%s is already a brokerage database with staff; nothing was changed",
		               store_path(ctx->store));
	char when[32];
	snprintf(when, sizeof when, "%lld", (long long)ctx->now);
	struct store_staff admin = { .active = true };
	snprintf(admin.login, sizeof admin.login, "%s", login);
	snprintf(admin.name, sizeof admin.name, "%s", name && *name ? name : login);
	snprintf(admin.role, sizeof admin.role, "admin");
	ss = store_meta_set(ctx->store, "test_mode", test_mode ? "1" : "0");
	if (ss == STORE_OK)
		ss = store_meta_set(ctx->store, "created_at", when);
	if (ss == STORE_OK)
		ss = store_staff_add(ctx->store, &admin);
	if (ss != STORE_OK)
		return bk_from_store(ctx, ss);
	ctx->actor.staff_id = admin.id;
	ctx->actor.role = ROLE_ADMIN;
	snprintf(ctx->actor.login, sizeof ctx->actor.login, "%s", login);
	char id[33];
	if (!store_new_database_id(id))
		return bk_fail(ctx, BK_STORAGE, "the random-number source could not be read");
	enum bk_status st = bk_audit_obj(ctx, "database.init", "database", 0, 0, NULL,
	                                 json_pack("{ss ss}", "test_mode", test_mode ? "yes" : "no", "database", id));
	if (st == BK_OK)
		st = bk_audit(ctx, "staff.add", "staff", admin.id, 0, NULL, bk_staff_json(&admin));
	if (st == BK_OK)
		st = bk_policy_record_first(ctx, &ctx->policy,
		                            ctx->policy.file[0] ? ctx->policy.file : "built-in defaults", NULL);
	if (st == BK_OK)
		st = bk_record_reference(ctx);
	return st;
}

enum bk_status bk_init(struct bk_ctx *ctx, const char *login, const char *name, bool test_mode)
{
	struct init_args a = { login, name, test_mode };
	/* the actor is not checked: there is none until the first is made */
	enum bk_status st = tx_run(ctx, init_tx, &a, false, true);
	if (st != BK_OK) {
		ctx->actor.staff_id = 0; /* as before: no one is identified by a change not made */
	} else {
		ctx->test_mode = test_mode;
		bk_fail(ctx, BK_OK, "created %s%s; %s is its first administrator", store_path(ctx->store),
		        test_mode ? " in test mode" : "", login);
	}
	return st;
}

enum bk_status bk_identify(struct bk_ctx *ctx, const char *login, bool as_override)
{
	if (as_override && !ctx->test_mode)
		return bk_fail(ctx, BK_USAGE,
		               "--as and --now are accepted only by a database made with 'brokerage init --test-mode'; "
		               "%s is a real database",
		               store_path(ctx->store));
	struct store_staff s;
	snprintf(ctx->actor.login, sizeof ctx->actor.login, "%s", login);
	ctx->actor.staff_id = 0;
	enum store_status ss = store_staff_by_login(ctx->store, login, &s);
	if (ss == STORE_NOT_FOUND)
		return bk_fail(ctx, BK_REFUSED,
		               "the login '%s' has no staff record in this database: an administrator can add it with "
		               "'brokerage staff add %s --name NAME --role ROLE'",
		               login, login);
	if (ss != STORE_OK)
		return bk_from_store(ctx, ss);
	if (!s.active)
		return bk_fail(ctx, BK_REFUSED, "the staff record for '%s' is deactivated: ask an administrator",
		               login);
	enum bk_role role;
	if (!policy_role_parse(s.role, &role))
		return bk_fail(ctx, BK_STORAGE, "the staff record for '%s' has an unknown role '%s'", login, s.role);
	ctx->actor.staff_id = s.id;
	ctx->actor.role = role;
	snprintf(ctx->actor.name, sizeof ctx->actor.name, "%s", s.name);
	return BK_OK;
}

struct first_problem {
	char text[500];
};

static void keep_first(void *ud, const char *what)
{
	struct first_problem *f = ud;
	if (!f->text[0])
		snprintf(f->text, sizeof f->text, "%s", what);
}

struct restored_args {
	const char *src, *keep;
	bool kept_raw;
};

static enum bk_status restored_tx(struct bk_ctx *ctx, void *ud)
{
	const struct restored_args *a = ud;
	return bk_audit_obj(ctx, "database.restore", "database", 0, 0, NULL,
	                    json_pack("{ss ss sb}", "restored_from", a->src, "kept", a->keep ? a->keep : "",
	                              "kept_damaged", a->kept_raw));
}

enum bk_status bk_restore(struct bk_ctx *ctx, const char *src, const char *keep)
{
	enum bk_status st = bk_require(ctx, PERM_RESTORE);
	if (st != BK_OK)
		return st;
	char err[1024];
	bool kept_raw = false;
	/* storage says how a server's database is restored instead */
	if (store_is_postgres(ctx->store)) {
		store_restore(ctx->store, src, keep, &kept_raw, err, sizeof err);
		return bk_fail(ctx, BK_REFUSED, "%s", err);
	}
	/* The records of the backup against its own trail, as check --deep
	 * does; the rest of the checks are storage's own. */
	struct store *from = NULL;
	struct store_open_opts o = { .path = src, .inspect = true };
	if (store_open(&o, &from, err, sizeof err) == STORE_OK) {
		struct first_problem first = { "" };
		int n = 0, broken = 0;
		/* A broken invariant is named by storage's own checks below. */
		enum store_status cs = store_check_deep(from, NULL, NULL, &broken);
		if (cs == STORE_OK && broken == 0)
			cs = bk_check_content(from, keep_first, &first, &n);
		store_close(from);
		if (cs == STORE_OK && n > 0)
			return bk_fail(ctx, BK_REFUSED,
			               "%.300s cannot be restored: its records differ from its own audit trail (%d "
			               "problem%s; the "
			               "first: %.400s); nothing was changed",
			               src, n, n == 1 ? "" : "s", first.text);
	}
	enum store_status ss = store_restore(ctx->store, src, keep, &kept_raw, err, sizeof err);
	if (ss != STORE_OK)
		return bk_fail(ctx, ss == STORE_REFUSED ? BK_REFUSED : BK_STORAGE, "%s", err);
	/* The restored trail records that it was restored, and from what (by
	 * the administrator who restored it, whose record the file may lack). */
	struct restored_args ra = { src, keep, kept_raw };
	st = tx_run(ctx, restored_tx, &ra, false, true);
	if (st == BK_OK && kept_raw)
		bk_fail(ctx, BK_OK,
		        "restored from %.400s after checking it; the previous contents were damaged and are kept as "
		        "they "
		        "were, byte for byte, in %.400s (with its -wal, if there was one)",
		        src, keep);
	else if (st == BK_OK)
		bk_fail(ctx, BK_OK, "restored from %.400s after checking it; the previous contents are in %.400s", src,
		        keep ? keep : "(not kept)");
	return st;
}

void bk_staff_login(struct bk_ctx *ctx, int64_t id, char *buf, size_t len)
{
	struct store_staff s;
	if (id && store_staff_by_id(ctx->store, id, &s) == STORE_OK)
		snprintf(buf, len, "%s", s.login);
	else
		snprintf(buf, len, "%s", "");
}

void bk_provider_name(struct bk_ctx *ctx, int64_t id, char *buf, size_t len)
{
	struct store_provider p;
	if (id && store_provider_by_id(ctx->store, id, &p) == STORE_OK)
		snprintf(buf, len, "%s", p.name);
	else
		snprintf(buf, len, "%s", "");
}
