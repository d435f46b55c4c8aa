/* Providers and the framework's rankings: kept by team leaders. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/internal.h"
#include "core/text.h"

bool bk_parse_ages(const char *text, int *lo, int *hi)
{
	char *end = NULL;
	long a = strtol(text, &end, 10);
	if (end == text || *end != '-')
		return false;
	const char *rest = end + 1;
	long b = strtol(rest, &end, 10);
	if (end == rest || *end || a < 0 || b < a || b > 120)
		return false;
	*lo = (int)a;
	*hi = (int)b;
	return true;
}

bool bk_capacity_parse(const struct bk_settings *s, const char *text, int *district, int *minutes, char *msg,
                       size_t len)
{
	const char *eq = strchr(text, '=');
	char name[BK_NAME_MAX];
	if (!eq || (size_t)(eq - text) >= sizeof name) {
		snprintf(msg, len, "'%.40s': write DISTRICT=HOURS, e.g. North=40 (or North=none)", text);
		return false;
	}
	memcpy(name, text, (size_t)(eq - text));
	name[eq - text] = '\0';
	*district = bk_settings_district_index(s, name);
	if (*district < 0) {
		snprintf(msg, len, "'%.40s' is not a configured district", name);
		return false;
	}
	*minutes = -1;
	if (strcmp(eq + 1, "none") == 0)
		return true;
	*minutes = 0;
	if (strcmp(eq + 1, "0") == 0)
		return true;
	char why[200];
	if (hours_parse_capacity(eq + 1, minutes, why, sizeof why))
		return true;
	snprintf(msg, len, "%s: %s", s->districts[*district].name, why);
	return false;
}

static bool one_of(const char *v, const char *const *set)
{
	for (; *set; set++)
		if (strcmp(v, *set) == 0)
			return true;
	return false;
}

/* Apply in to p (validated), recording capacities to write in caps. */
struct capacity_change {
	char district[BK_NAME_MAX];
	int minutes;
};

static enum bk_status apply_input(struct bk_ctx *ctx, const struct bk_provider_input *in, struct store_provider *p,
                                  struct capacity_change *caps, int *n_caps)
{
	static const char *const risks[] = { "green", "amber", "red", NULL };
	static const char *const pamms[] = { "excellent", "good", "requires-improvement", "poor", NULL };
	char msg[256];
	if (in->cqc) {
		if (strlen(in->cqc) > 30 || text_has_controls(in->cqc))
			return bk_fail(ctx, BK_REFUSED,
			               "--cqc: a CQC location id is up to 30 characters, e.g. 1-123456789");
		snprintf(p->cqc_id, sizeof p->cqc_id, "%s", in->cqc);
	}
	if (in->ages) {
		if (!bk_parse_ages(in->ages, &p->age_min, &p->age_max))
			return bk_fail(ctx, BK_REFUSED,
			               "--ages: give the ages served as FROM-TO in years, e.g. 0-18 or 16-25");
	}
	if (in->risk) {
		if (!one_of(in->risk, risks))
			return bk_fail(ctx, BK_REFUSED, "--risk: the risk rating is green, amber or red");
		snprintf(p->risk, sizeof p->risk, "%s", in->risk);
	}
	if (in->pamms) {
		if (!one_of(in->pamms, pamms))
			return bk_fail(ctx, BK_REFUSED,
			               "--pamms: the PAMMS rating is excellent, good, requires-improvement or poor");
		snprintf(p->pamms, sizeof p->pamms, "%s", in->pamms);
	}
	if (in->rate) {
		if (!money_parse_rate(in->rate, &p->rate, msg, sizeof msg))
			return bk_fail(ctx, BK_REFUSED, "--rate: %s", msg);
		if (p->rate == 0)
			return bk_fail(ctx, BK_REFUSED,
			               "--rate: a rate of %s an hour is not a rate: give the hourly rate in "
			               "pounds, e.g. 19.50",
			               in->rate);
	}
	if (in->no_embargo)
		p->embargo[0] = '\0';
	if (in->embargo) {
		enum bk_status st = bk_text(ctx, "embargo", in->embargo, p->embargo, sizeof p->embargo, "--embargo");
		if (st != BK_OK)
			return st;
	}
	if (in->emails) {
		enum bk_status st = bk_parse_emails(ctx, in->emails, p->emails, sizeof p->emails);
		if (st != BK_OK)
			return st;
	}
	if (in->active >= 0)
		p->active = in->active;
	if (in->framework >= 0)
		p->framework = in->framework;
	*n_caps = 0;
	for (int i = 0; i < in->n_capacity; i++) {
		int d, minutes;
		if (!bk_capacity_parse(ctx->settings, in->capacity[i], &d, &minutes, msg, sizeof msg))
			return bk_fail(ctx, BK_REFUSED, "--capacity: %s", msg);
		snprintf(caps[*n_caps].district, sizeof caps[*n_caps].district, "%s", ctx->settings->districts[d].name);
		caps[*n_caps].minutes = minutes;
		(*n_caps)++;
	}
	return BK_OK;
}

static enum bk_status write_capacity(struct bk_ctx *ctx, int64_t id, const struct capacity_change *caps, int n)
{
	for (int i = 0; i < n; i++) {
		enum store_status ss = store_capacity_set(ctx->store, id, caps[i].district, caps[i].minutes);
		if (ss != STORE_OK)
			return bk_from_store(ctx, ss);
		char after[96];
		snprintf(after, sizeof after, "%s=%d", caps[i].district, caps[i].minutes);
		enum bk_status st =
			bk_audit(ctx, "provider.capacity", "provider", id, 0, NULL, bk_text_json("capacity", after));
		if (st != BK_OK)
			return st;
	}
	return BK_OK;
}

struct provider_add {
	const struct bk_provider_input *in;
	struct store_provider p0, p; /* as given; as added */
};

static enum bk_status provider_add_tx(struct bk_ctx *ctx, void *ud);

enum bk_status bk_provider_add(struct bk_ctx *ctx, const struct bk_provider_input *in, int64_t *id)
{
	enum bk_status st = bk_require(ctx, PERM_EDIT_PROVIDERS);
	if (st != BK_OK)
		return st;
	struct store_provider p = { .age_min = -1, .age_max = -1, .active = true, .framework = true };
	/* trimmed, so " Acorn Care" is Acorn Care, and the name is unique whatever its case */
	if ((st = bk_text(ctx, "provider-name", in->name, p.name, sizeof p.name, NULL)) != BK_OK)
		return st;
	snprintf(p.risk, sizeof p.risk, "green");
	struct provider_add a = { .in = in, .p0 = p };
	st = bk_tx_run(ctx, provider_add_tx, &a);
	p = a.p;
	if (st == BK_OK) {
		*id = p.id;
		bk_fail(ctx, BK_OK, "added %s provider %s", p.framework ? "framework" : "off-framework", p.name);
	}
	return st;
}

static enum bk_status provider_add_tx(struct bk_ctx *ctx, void *ud)
{
	struct provider_add *a = ud;
	struct store_provider p = a->p0;
	struct capacity_change caps[BK_MAX_DISTRICTS];
	int n_caps = 0;
	enum bk_status st = apply_input(ctx, a->in, &p, caps, &n_caps);
	if (st != BK_OK)
		return st;
	/* The name as it is kept is looked up before the insert, not after
	 * its refusal: on PostgreSQL a refused statement ends what the
	 * transaction may still read. */
	struct store_provider there = { 0 };
	enum store_status ss = store_provider_by_name(ctx->store, p.name, &there);
	if (ss == STORE_OK)
		ss = STORE_CONFLICT;
	else if (ss == STORE_NOT_FOUND)
		ss = store_provider_add(ctx->store, &p);
	if (ss == STORE_CONFLICT) {
		if (strcasecmp(there.name, p.name) != 0) /* refused by the index alone: a writer in between */
			snprintf(there.name, sizeof there.name, "%s", p.name);
		return bk_fail(ctx, BK_REFUSED,
		               "there is already a provider named '%s' (names are compared "
		               "without case and the spaces around them)",
		               there.name);
	}
	st = ss == STORE_OK ? bk_audit(ctx, "provider.add", "provider", p.id, 0, NULL, bk_provider_json(&p))
	                    : bk_from_store(ctx, ss);
	if (st == BK_OK)
		st = write_capacity(ctx, p.id, caps, n_caps);
	a->p = p;
	return st;
}

struct provider_set {
	const struct bk_provider_input *in;
	struct store_provider before, p;
};

static enum bk_status provider_set_tx(struct bk_ctx *ctx, void *ud)
{
	struct provider_set *a = ud;
	const struct bk_provider_input *in = a->in;
	char name[512] = "";
	if (in->name && !text_trimmed(in->name, name, sizeof name))
		name[0] = '\0';
	enum store_status ss = store_provider_by_name(ctx->store, name, &a->before);
	if (ss == STORE_NOT_FOUND)
		return bk_fail(ctx, BK_REFUSED, "there is no provider named '%s'", name);
	if (ss != STORE_OK)
		return bk_from_store(ctx, ss);
	a->p = a->before;
	struct capacity_change caps[BK_MAX_DISTRICTS];
	int n_caps = 0;
	enum bk_status st = apply_input(ctx, in, &a->p, caps, &n_caps);
	if (st != BK_OK)
		return st;
	ss = store_provider_update(ctx->store, &a->p);
	st = ss == STORE_OK ? bk_audit(ctx, "provider.set", "provider", a->p.id, 0, bk_provider_json(&a->before),
	                               bk_provider_json(&a->p))
	                    : bk_from_store(ctx, ss);
	if (st == BK_OK)
		st = write_capacity(ctx, a->p.id, caps, n_caps);
	return st;
}

enum bk_status bk_provider_set(struct bk_ctx *ctx, const struct bk_provider_input *in, int *open_offers)
{
	enum bk_status st = bk_require(ctx, PERM_EDIT_PROVIDERS);
	if (st != BK_OK)
		return st;
	if (in->embargo && in->no_embargo)
		return bk_fail(ctx, BK_USAGE, "give either --embargo REASON or --no-embargo, not both");
	struct provider_set a = { .in = in };
	if ((st = bk_tx_run(ctx, provider_set_tx, &a)) != BK_OK)
		return st;
	const struct store_provider before = a.before, p = a.p;
	/* An embargo does not touch offers already made: say how many there are. */
	int64_t open = 0;
	if (store_offer_count_open_for_provider(ctx->store, p.id, &open) != STORE_OK)
		open = 0;
	if (open_offers)
		*open_offers = (int)open;
	if (p.embargo[0] && !before.embargo[0]) {
		bk_fail(ctx, BK_OK,
		        "embargoed %s; it still holds %lld open offer%s, which stand until answered or expired", p.name,
		        (long long)open, open == 1 ? "" : "s");
		return BK_OK;
	}
	/* the same when a new rating keeps it from new work (red, by default) */
	unsigned ex = ctx->settings->excluded_risks;
	bool now_excluded = (strcmp(p.risk, "red") == 0 && (ex & BK_RISK_BIT(BK_RISK_RED))) ||
	                    (strcmp(p.risk, "amber") == 0 && (ex & BK_RISK_BIT(BK_RISK_AMBER)));
	if (now_excluded && strcmp(p.risk, before.risk) != 0) {
		bk_fail(ctx, BK_OK,
		        "rated %s %s risk: it is offered no new work; it still holds %lld open offer%s, which "
		        "stand until answered or expired",
		        p.name, p.risk, (long long)open, open == 1 ? "" : "s");
		return BK_OK;
	}
	if (before.active && !p.active) {
		bk_fail(ctx, BK_OK,
		        "made %s inactive: it is offered no new work; it still holds %lld open offer%s, which "
		        "stand until answered or expired",
		        p.name, (long long)open, open == 1 ? "" : "s");
		return BK_OK;
	}
	bk_fail(ctx, BK_OK, "changed provider %s", p.name);
	return BK_OK;
}

struct names {
	struct bk_ctx *ctx;
	char buf[2048];
	size_t off;
};

static int add_name(void *ud, const struct store_rank *r)
{
	struct names *n = ud;
	char name[sizeof((struct store_provider *)0)->name];
	bk_provider_name(n->ctx, r->provider_id, name, sizeof name);
	bk_ranking_join(n->buf, sizeof n->buf, &n->off, name);
	return 0;
}

void bk_ranking_join(char *buf, size_t len, size_t *off, const char *name)
{
	if (*off >= len)
		return;
	int w = snprintf(buf + *off, len - *off, "%s%s", *off ? " | " : "", name);
	if (w > 0)
		*off += (size_t)w;
	if (*off >= len)
		*off = len - 1;
}

struct rank_set {
	int lot;
	const char *district;
	const char *const *providers;
	int n;
	char dname[sizeof((struct bk_settings *)0)->districts[0].name];
};

static enum bk_status rank_set_tx(struct bk_ctx *ctx, void *ud);

enum bk_status bk_rank_set(struct bk_ctx *ctx, int lot, const char *district, const char *const *providers, int n)
{
	enum bk_status st = bk_require(ctx, PERM_EDIT_PROVIDERS);
	if (st != BK_OK)
		return st;
	if (n > 200)
		return bk_fail(ctx, BK_REFUSED, "a ranking holds at most 200 providers");
	struct rank_set a = { .lot = lot, .district = district, .providers = providers, .n = n };
	st = bk_tx_run(ctx, rank_set_tx, &a);
	if (st == BK_OK)
		bk_fail(ctx, BK_OK, "ranked %d provider%s for lot %d in %s", n, n == 1 ? "" : "s", lot, a.dname);
	return st;
}

static enum bk_status rank_set_tx(struct bk_ctx *ctx, void *ud)
{
	struct rank_set *a = ud;
	int lot = a->lot, n = a->n;
	const char *const *providers = a->providers;
	/* by the policy as it stands now */
	if (!bk_settings_lot(ctx->settings, lot))
		return bk_fail(ctx, BK_REFUSED, "lot %d is not configured", lot);
	int d = a->district ? bk_settings_district_index(ctx->settings, a->district) : -1;
	if (d < 0)
		return bk_fail(ctx, BK_REFUSED, "'%s' is not a configured district", a->district ? a->district : "");
	int64_t *ids = calloc((size_t)(n ? n : 1), sizeof *ids);
	if (!ids)
		return bk_fail(ctx, BK_STORAGE, "out of memory");
	enum bk_status st = BK_OK;
	for (int i = 0; st == BK_OK && i < n; i++) {
		struct store_provider p;
		enum store_status ss = store_provider_by_name(ctx->store, providers[i], &p);
		if (ss == STORE_NOT_FOUND)
			st = bk_fail(ctx, BK_REFUSED, "there is no provider named '%s'", providers[i]);
		else if (ss != STORE_OK)
			st = bk_from_store(ctx, ss);
		else if (!p.framework)
			st = bk_fail(ctx, BK_REFUSED, "%s is not on the framework, so it cannot be ranked", p.name);
		if (st != BK_OK)
			break;
		for (int k = 0; k < i; k++)
			if (ids[k] == p.id)
				st = bk_fail(ctx, BK_REFUSED, "%s is named twice in the ranking", p.name);
		ids[i] = p.id;
	}
	const char *dname = ctx->settings->districts[d].name;
	snprintf(a->dname, sizeof a->dname, "%s", dname);
	char before[2048] = "", after[2048] = "";
	struct names old = { .ctx = ctx };
	if (st == BK_OK) {
		enum store_status ss = store_ranking_each(ctx->store, lot, dname, add_name, &old);
		if (ss != STORE_OK)
			st = bk_from_store(ctx, ss);
		snprintf(before, sizeof before, "%s", old.buf);
	}
	if (st == BK_OK) {
		enum store_status ss = store_ranking_replace(ctx->store, lot, dname, ids, n);
		if (ss != STORE_OK)
			st = bk_from_store(ctx, ss);
	}
	if (st == BK_OK) {
		/* the ranking as stored, read back the way the replay of the trail
		 * will read it: the providers' own names, whatever was typed */
		struct names now = { .ctx = ctx };
		enum store_status ss = store_ranking_each(ctx->store, lot, dname, add_name, &now);
		if (ss != STORE_OK)
			st = bk_from_store(ctx, ss);
		snprintf(after, sizeof after, "%s", now.buf);
	}
	if (st == BK_OK) {
		char key[96];
		snprintf(key, sizeof key, "lot %d %s", lot, dname);
		st = bk_audit(ctx, "ranking.set", "ranking", lot, 0, before[0] ? bk_text_json(key, before) : NULL,
		              bk_text_json(key, after));
	}
	free(ids);
	return st;
}
