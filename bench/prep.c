/* bench_prep: makes the benchmark's database variants through the core API,
 * as the program itself would (every row through the real actions, with
 * its audit events):
 *
 *   bench_prep waiting DB --now TIME --waiting W --spare S
 *       sweep at TIME (so nothing is overdue then), then record and send
 *       fresh referrals until W are waiting; S of them are left unsent
 *       ('new') for the send_offer figure. One outer transaction.
 *   bench_prep sweep DB --now TIME --at TIME2 --overdue N
 *       record and send fresh referrals at TIME until N offers are open
 *       past their deadline at TIME2 (the sweep_5k database).
 *   bench_prep csv FILE --rows N --now TIME
 *       write an import file of N referral rows (history and waiting).
 *   bench_prep info DB --now TIME
 *       print the counts the suite reports (referrals, waiting, offers).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"
#include "core/brokerage.h"
#include "storage/store.h"

struct opts {
	const char *mode, *path, *now_text, *at_text, *from;
	int waiting, spare, overdue, rows;
};

static void parse(int argc, char **argv, struct opts *o)
{
	if (argc < 3)
		bench_die("usage: bench_prep waiting|sweep|csv|info PATH [--now T] [--at T] [--waiting N] [--spare N] "
		          "[--overdue N] [--rows N] [--from DB]");
	o->mode = argv[1];
	o->path = argv[2];
	for (int i = 3; i + 1 < argc; i += 2) {
		const char *k = argv[i], *v = argv[i + 1];
		if (strcmp(k, "--now") == 0)
			o->now_text = v;
		else if (strcmp(k, "--at") == 0)
			o->at_text = v;
		else if (strcmp(k, "--waiting") == 0)
			o->waiting = atoi(v);
		else if (strcmp(k, "--spare") == 0)
			o->spare = atoi(v);
		else if (strcmp(k, "--overdue") == 0)
			o->overdue = atoi(v);
		else if (strcmp(k, "--rows") == 0)
			o->rows = atoi(v);
		else if (strcmp(k, "--from") == 0)
			o->from = v;
		else
			bench_die("unknown option %s", k);
	}
	if (!o->now_text)
		bench_die("--now is needed");
}

static int64_t parse_time(const char *text)
{
	int64_t t;
	char err[256];
	if (!cal_parse_time(text, &t, err, sizeof err))
		bench_die("%s: %s", text, err);
	return t;
}

static struct bk_settings settings;

static void open_db(struct bk_ctx *ctx, const char *path, int64_t now)
{
	bk_settings_defaults(&settings);
	if (!cal_zone_use(settings.zone))
		bench_die("zone %s unknown", settings.zone);
	struct bk_open_opts oo = { .path = path };
	if (bk_open(ctx, &settings, &oo) != BK_OK)
		bench_die("%s", ctx->msg);
	ctx->now = now;
}

static void identify(struct bk_ctx *ctx, const char *login)
{
	if (bk_identify(ctx, login, true) != BK_OK)
		bench_die("%s: %s", login, ctx->msg);
}

static int count_row(void *ud, const struct bk_referral_row *row)
{
	(void)row;
	(*(int *)ud)++;
	return 0;
}

static int count_waiting(struct bk_ctx *ctx)
{
	int n = 0;
	struct store_referral_filter f = { .unsourced_only = true };
	if (bk_referral_list(ctx, &f, count_row, &n) != BK_OK)
		bench_die("listing: %s", ctx->msg);
	return n;
}

static int count_offer(void *ud, const struct store_offer *o)
{
	(void)o;
	(*(int *)ud)++;
	return 0;
}

static int count_overdue(struct bk_ctx *ctx, int64_t at)
{
	int n = 0;
	if (store_offer_each_overdue(ctx->store, at, count_offer, &n) != STORE_OK)
		bench_die("overdue: %s", store_errmsg(ctx->store));
	return n;
}

static const char *const officers[] = { "alice", "bob", "chloe", "dan" };

/* Record (and unless spare, send) n fresh referrals at about now, in one
 * outer transaction: each action nests as a savepoint. */
static void add_referrals(struct bk_ctx *ctx, int n, int spare, const char *prefix)
{
	struct bk_actor actors[4];
	for (int i = 0; i < 4; i++) {
		identify(ctx, officers[i]);
		actors[i] = ctx->actor;
	}
	int64_t now = ctx->now;
	int32_t today;
	cal_local(now, &today, NULL);
	if (store_begin(ctx->store) != STORE_OK)
		bench_die("begin: %s", store_errmsg(ctx->store));
	for (int k = 0; k < n; k++) {
		ctx->actor = actors[k % 4];
		ctx->now = now - (n - k); /* one a second, the last at now */
		char case_ref[32], hours[16], panel[16], note[64];
		snprintf(case_ref, sizeof case_ref, "%s-%06d", prefix, k + 1);
		snprintf(hours, sizeof hours, "%d%s", 3 + k % 28, k % 3 == 0 ? ".5" : "");
		cal_format_date(today - (k * 7) % 120, panel, sizeof panel);
		snprintf(note, sizeof note, "bench referral %d", k + 1);
		struct bk_referral_input in = {
			.case_ref = case_ref,
			.lot = settings.lots[k % settings.n_lots].number,
			.district = settings.districts[(k / settings.n_lots) % settings.n_districts].name,
			.hours = hours,
			.panel_date = panel,
			.age = 4 + k % 21,
			.urgent = k % 12 == 0,
			.note = note,
		};
		int64_t id;
		if (bk_referral_new(ctx, &in, &id) != BK_OK)
			bench_die("referral new: %s", ctx->msg);
		if (k < n - spare && bk_referral_send(ctx, id, 0) != BK_OK)
			bench_die("referral send %lld: %s", (long long)id, ctx->msg);
	}
	if (store_commit(ctx->store) != STORE_OK)
		bench_die("commit: %s", store_errmsg(ctx->store));
	ctx->now = now;
}

static void mode_waiting(const struct opts *o)
{
	struct bk_ctx ctx;
	int64_t now = parse_time(o->now_text);
	open_db(&ctx, o->path, now);
	identify(&ctx, "tina");
	struct bk_sweep_result r;
	if (bk_sweep(&ctx, &r) != BK_OK)
		bench_die("sweep: %s", ctx.msg);
	int before = count_waiting(&ctx);
	int add = o->waiting - before;
	if (add < o->spare)
		add = o->spare;
	add_referrals(&ctx, add, o->spare, "BEN");
	int after = count_waiting(&ctx);
	printf("swept %d expired, %d approached; waiting %d -> %d (%d added, %d left unsent)\n", r.expired,
	       r.approached, before, after, add, o->spare);
	bk_close(&ctx);
}

static void mode_sweep(const struct opts *o)
{
	struct bk_ctx ctx;
	int64_t now = parse_time(o->now_text);
	if (!o->at_text)
		bench_die("--at is needed");
	int64_t at = parse_time(o->at_text);
	open_db(&ctx, o->path, now);
	int before = count_overdue(&ctx, at);
	int add = o->overdue - before;
	if (add > 0)
		add_referrals(&ctx, add, 0, "SWP");
	int after = count_overdue(&ctx, at);
	printf("offers overdue at %s: %d -> %d\n", o->at_text, before, after);
	bk_close(&ctx);
}

static void mode_info(const struct opts *o)
{
	struct bk_ctx ctx;
	open_db(&ctx, o->path, parse_time(o->now_text));
	int64_t n = 0;
	store_referral_count(ctx.store, &n);
	printf("referrals %lld waiting %d\n", (long long)n, count_waiting(&ctx));
	bk_close(&ctx);
}

/* The first provider able to take a package, among those that could, by
 * a number picked from the row. */
struct pick {
	uint32_t x;
	char name[512];
	int n;
};

static int count_fit(void *ud, const struct bk_candidate_view *c)
{
	struct pick *p = ud;
	/* each fitting provider as likely as the others: keep the n-th with chance 1/n */
	p->x = p->x * 1103515245u + 12345u;
	if (p->n++ == 0 || (p->x >> 8) % (uint32_t)p->n == 0)
		snprintf(p->name, sizeof p->name, "%s", c->provider);
	return 0;
}

/* An import file as a council would bring its history in: mostly packages
 * sourced (some since ended) on the framework, and the ones still waiting.
 * A package names a provider ranked for its lot and district that could
 * take it by the match rules, in the database the file is for (--from), as
 * import asks; with none, the package is still waiting. */
static void mode_csv(const struct opts *o)
{
	struct bk_ctx ctx;
	if (!o->from)
		bench_die("csv needs --from DB, the database the file is for");
	open_db(&ctx, o->from, parse_time(o->now_text));
	int32_t today;
	cal_local(parse_time(o->now_text), &today, NULL);
	FILE *f = fopen(o->path, "w");
	if (!f)
		bench_die("cannot write %s", o->path);
	fputs("case_ref,lot,district,hours,panel_date,age,urgent,note,status,provider,route,sourced_on,weekly_cost,"
	      "ended_on\n",
	      f);
	uint32_t x = 2463534242u;
	for (int k = 0; k < o->rows; k++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		int32_t panel = today - 90 - (int32_t)(x % 1400);
		char pd[16], sd[16] = "", ed[16] = "";
		cal_format_date(panel, pd, sizeof pd);
		int lot = settings.lots[k % settings.n_lots].number;
		const char *district = settings.districts[(k / 3) % settings.n_districts].name;
		int hours = 3 + (int)(x % 28), half = x % 3 ? 0 : 30, age = 4 + (int)((x >> 3) % 21);
		int kind = (int)(x >> 8) % 10; /* 0: waiting, 1-2: ended, else sourced */
		struct pick p = { .x = x >> 12 };
		if (kind && bk_fitting_providers(&ctx, lot, district, age, hours * 60 + half, count_fit, &p) != BK_OK)
			bench_die("%s", ctx.msg);
		if (kind && !p.n)
			kind = 0;
		const char *status = kind == 0 ? "waiting" : kind <= 2 ? "ended" : "sourced";
		if (kind) {
			cal_format_date(panel + 5 + (int32_t)((x >> 4) % 20), sd, sizeof sd);
			if (kind <= 2)
				cal_format_date(panel + 40 + (int32_t)((x >> 6) % 20), ed, sizeof ed);
		}
		fprintf(f, "IMP-%06d,%d,%s,%d%s,%s,%d,%s,%s,%s,%s,%s,%s,,%s\n", k + 1, lot, district, hours,
		        half ? ".5" : "", pd, age, x % 13 ? "no" : "yes",
		        k % 4 ? "" : "\"family prefers after-school visits, and a carer who drives\"", status,
		        kind ? p.name : "", kind ? "framework" : "", sd, ed);
	}
	if (fclose(f) != 0)
		bench_die("writing %s failed", o->path);
	bk_close(&ctx);
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	parse(argc, argv, &o);
	if (strcmp(o.mode, "waiting") == 0)
		mode_waiting(&o);
	else if (strcmp(o.mode, "sweep") == 0)
		mode_sweep(&o);
	else if (strcmp(o.mode, "csv") == 0)
		mode_csv(&o);
	else if (strcmp(o.mode, "info") == 0)
		mode_info(&o);
	else
		bench_die("unknown mode %s", o.mode);
	return 0;
}
