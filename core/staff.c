/* Staff: adding, changing a role, deactivating (with the open referrals
 * reassigned first). */
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "core/text.h"

/* ---- staff ---- */

static bool valid_login(const char *login)
{
	size_t n = strlen(login);
	if (n == 0 || n > 32)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = login[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
		      c == '_' || c == '-'))
			return false;
	}
	return true;
}

struct staff_add {
	struct store_staff s0;
};

static enum bk_status staff_add_tx(struct bk_ctx *ctx, void *ud)
{
	const struct staff_add *a = ud;
	struct store_staff s = a->s0;
	enum store_status ss = store_staff_add(ctx->store, &s);
	if (ss == STORE_CONFLICT)
		return bk_fail(ctx, BK_REFUSED, "'%s' already has a staff record", s.login);
	return ss == STORE_OK ? bk_audit(ctx, "staff.add", "staff", s.id, 0, NULL, bk_staff_json(&s))
	                      : bk_from_store(ctx, ss);
}

enum bk_status bk_staff_add(struct bk_ctx *ctx, const char *login, const char *name, const char *role)
{
	enum bk_status st = bk_require(ctx, PERM_MANAGE_STAFF);
	if (st != BK_OK)
		return st;
	enum bk_role r;
	if (!valid_login(login))
		return bk_fail(ctx, BK_REFUSED,
		               "'%s' is not a login: use the user's login name on this host "
		               "(letters, digits, . _ -)",
		               login);
	struct store_staff s = { .active = true };
	if (bk_text(ctx, "name", name, s.name, sizeof s.name, "--name") != BK_OK)
		return BK_REFUSED;
	if (!role || !policy_role_parse(role, &r))
		return bk_fail(ctx, BK_REFUSED, "the role must be officer, team_leader, supervisor or admin");
	snprintf(s.login, sizeof s.login, "%s", login);
	snprintf(s.role, sizeof s.role, "%s", role);
	struct staff_add a = { .s0 = s };
	st = bk_tx_run(ctx, staff_add_tx, &a);
	if (st == BK_OK)
		bk_fail(ctx, BK_OK, "added %s (%s) as %s", login, s.name, policy_role_title(r));
	return st;
}

static int count_held(void *ud, const struct store_referral *r)
{
	(void)r;
	(*(int64_t *)ud)++;
	return 0;
}

struct staff_change {
	const char *login, *role;
	enum bk_role r;
	bool deactivate;
};

static enum bk_status staff_change_tx(struct bk_ctx *ctx, void *ud)
{
	const struct staff_change *a = ud;
	const char *login = a->login, *role = a->role;
	enum bk_role r = a->r;
	bool deactivate = a->deactivate;
	struct store_staff before, after;
	enum store_status ss = store_staff_by_login(ctx->store, login, &before);
	if (ss == STORE_NOT_FOUND)
		return bk_fail(ctx, BK_REFUSED, "there is no staff record for '%s'", login);
	if (ss != STORE_OK)
		return bk_from_store(ctx, ss);
	if (before.id == ctx->actor.staff_id && (deactivate || r != ROLE_ADMIN))
		return bk_fail(ctx, BK_REFUSED,
		               "you cannot remove your own administrator rights: ask another administrator");
	/* Open referrals need someone who works them: a deactivated login or an
	 * administrator (who does not work referrals) cannot hold them. */
	enum bk_role was = ROLE_OFFICER;
	bool worked = before.active && policy_role_parse(before.role, &was) && was != ROLE_ADMIN;
	if (worked && (deactivate || r == ROLE_ADMIN)) {
		int64_t held = 0;
		struct store_referral_filter f = { .open_only = true, .holder_id = before.id };
		ss = store_referral_each(ctx->store, &f, count_held, &held);
		if (ss != STORE_OK)
			return bk_from_store(ctx, ss);
		if (held > 0)
			return bk_fail(ctx, BK_REFUSED,
			               "%s holds %lld open referral%s: a team leader must reassign %s first "
			               "with 'brokerage referral assign ID LOGIN' (the waiting list shows who "
			               "holds each); nothing was changed",
			               login, (long long)held, held == 1 ? "" : "s", held == 1 ? "it" : "them");
	}
	after = before;
	if (role)
		snprintf(after.role, sizeof after.role, "%s", role);
	if (deactivate)
		after.active = false;
	ss = store_staff_update(ctx->store, &after);
	return ss == STORE_OK ? bk_audit(ctx, deactivate ? "staff.deactivate" : "staff.set-role", "staff", after.id, 0,
	                                 bk_staff_json(&before), bk_staff_json(&after))
	                      : bk_from_store(ctx, ss);
}

static enum bk_status staff_change(struct bk_ctx *ctx, const char *login, const char *role, bool deactivate)
{
	enum bk_status st = bk_require(ctx, PERM_MANAGE_STAFF);
	if (st != BK_OK)
		return st;
	enum bk_role r = ROLE_OFFICER;
	if (role && !policy_role_parse(role, &r))
		return bk_fail(ctx, BK_REFUSED, "the role must be officer, team_leader, supervisor or admin");
	struct staff_change a = { login, role, r, deactivate };
	st = bk_tx_run(ctx, staff_change_tx, &a);
	if (st == BK_OK && deactivate)
		bk_fail(ctx, BK_OK, "deactivated %s", login);
	else if (st == BK_OK)
		bk_fail(ctx, BK_OK, "%s is now %s", login, policy_role_with_article(r));
	return st;
}

enum bk_status bk_staff_set_role(struct bk_ctx *ctx, const char *login, const char *role)
{
	return staff_change(ctx, login, role, false);
}

enum bk_status bk_staff_deactivate(struct bk_ctx *ctx, const char *login)
{
	return staff_change(ctx, login, NULL, true);
}
