/* bench_core: the figures measured through the core API, each against its
 * raw baseline (raw.c) in the same process, alternating project and raw
 * (and which goes first) on every repetition, reporting medians.
 *
 *   bench_core FIGURE --db PROJECT.db --raw RAW.db --now TIME [--reps N] [--at TIME2]
 *
 * FIGURE is waiting_first_screen, waiting_all, candidates, send_offer,
 * send_offer_mail or sweep_5k. send_offer writes: give it copies.
 * send_offer_mail is send_offer with mail on (policy mail_enabled, every
 * provider given an address first, not timed): each offer's message is
 * written to the outbox in its transaction (no mail command: the cost of
 * the outbox, not of a delivery). sweep_5k copies --db and
 * --raw afresh before every repetition (the copy is not timed). */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench/bench.h"
#include "bench/raw.h"
#include "bench/raw_pg.h"
#include "core/brokerage.h"
#include "storage/store.h"

#define SCREEN_ROWS 50 /* the rows of the waiting list a 200x60 terminal shows */
#define MAX_REPS 1000

struct opts {
	const char *figure, *db, *raw, *now_text, *at_text, *label;
	const char *db2, *raw2; /* scaling: the smaller history, measured in the same run */
	int reps;
};

static struct bk_settings settings;
static int64_t now;
static int32_t holidays[256];
static int n_holidays;

static int64_t parse_time(const char *text)
{
	int64_t t;
	char err[256];
	if (!cal_parse_time(text, &t, err, sizeof err))
		bench_die("%s: %s", text, err);
	return t;
}

static void open_project(struct bk_ctx *ctx, const char *path, const char *login)
{
	struct bk_open_opts oo = { .path = path };
	if (bk_open(ctx, &settings, &oo) != BK_OK)
		bench_die("%s", ctx->msg);
	if (bk_identify(ctx, login, true) != BK_OK)
		bench_die("%s: %s", login, ctx->msg);
	ctx->now = now;
}

static struct raw *open_raw(const char *path, int64_t at)
{
	struct raw *r = raw_open(path);
	if (!r)
		bench_die("cannot open %s", path);
	int32_t today;
	cal_local(at, &today, NULL);
	raw_set_calendar(r, holidays, n_holidays, today, at);
	return r;
}

/* The bank holidays the raw side subtracts, from the same rules. */
static void load_holidays(void)
{
	struct cal_rules rules;
	cal_rules_from_settings(&rules, &settings);
	for (int y = 2015; y <= 2035; y++) {
		struct cal_holiday h[32];
		int n = cal_holidays(&rules, y, h, 32);
		for (int i = 0; i < n && n_holidays < (int)(sizeof holidays / sizeof holidays[0]); i++)
			if (cal_weekday(h[i].day) < 5)
				holidays[n_holidays++] = h[i].day;
	}
}

/* ---- what the project side hands back, checked against the raw side ---- */

struct sum {
	long rows, limit;
	long long check;
};

static int row_sum(void *ud, const struct bk_referral_row *row)
{
	struct sum *s = ud;
	s->rows++;
	s->check += row->r->id + row->waited_working_days + row->ranked + row->current_rank + row->breached +
	            (long long)strlen(row->current_provider) + (long long)strlen(row->holder) +
	            (long long)strlen(row->r->case_ref);
	return s->limit && s->rows >= s->limit;
}

static void check_same(const char *what, long prow, long long pcheck, long rrow, long long rcheck)
{
	static bool said;
	if ((prow != rrow || pcheck != rcheck) && !said) {
		said = true;
		bench_note("%s: project and raw differ (rows %ld vs %ld, checksum %lld vs %lld)", what, prow, rrow,
		           pcheck, rcheck);
	}
}

/* ---- the timing loop ---- */

typedef void (*side_fn)(void *ud, int rep);

static void alternate(int reps, int warmup, side_fn project, side_fn raw, void *ud, double *pt, double *rt)
{
	for (int i = 0; i < warmup; i++) {
		project(ud, -1 - i);
		raw(ud, -1 - i);
	}
	for (int i = 0; i < reps; i++) {
		for (int k = 0; k < 2; k++) {
			bool proj = (k == 0) == (i % 2 == 0);
			int64_t t0 = bench_now_ns();
			(proj ? project : raw)(ud, i);
			double ms = bench_ms(bench_now_ns() - t0);
			(proj ? pt : rt)[i] = ms;
		}
	}
}

static void report(const char *name, double *pt, double *rt, int reps, const char *unit, const char *note)
{
	double p = bench_median(pt, reps), r = bench_median(rt, reps);
	char full[256];
	snprintf(full, sizeof full, "median of %d, alternating%s%s", reps, note && *note ? "; " : "", note ? note : "");
	bench_figure(name, p, r, unit, full);
}

/* Scaling: the same figure on two histories, the four sides (project and
 * raw, large and small) taken in turn within each repetition, the order
 * rotating, so that the growth is not the machine's mood between runs. */
static void alternate4(int reps, int warmup, side_fn project, side_fn raw, void *big, void *small, double *pb,
                       double *ps, double *rb, double *rs)
{
	side_fn fn[4] = { project, project, raw, raw };
	void *ud[4] = { big, small, big, small };
	double *out[4] = { pb, ps, rb, rs };
	for (int i = 0; i < warmup; i++)
		for (int k = 0; k < 4; k++)
			fn[k](ud[k], -1 - i);
	for (int i = 0; i < reps; i++)
		for (int k = 0; k < 4; k++) {
			int side = (k + i) % 4;
			int64_t t0 = bench_now_ns();
			fn[side](ud[side], i);
			out[side][i] = bench_ms(bench_now_ns() - t0);
		}
}

static void report_scaling(const struct opts *o, double *pb, double *ps, double *rb, double *rs, const char *note)
{
	char name[128];
	snprintf(name, sizeof name, "scale_big.%s", o->label);
	report(name, pb, rb, o->reps, "ms", note);
	snprintf(name, sizeof name, "scale_small.%s", o->label);
	report(name, ps, rs, o->reps, "ms", note);
}

/* ---- waiting list ---- */

struct waiting_job {
	struct bk_ctx ctx;
	struct raw *raw;
	int limit;
	struct sum ps;
	struct raw_sum rs;
};

static void waiting_project(void *ud, int rep)
{
	(void)rep;
	struct waiting_job *j = ud;
	/* as the screen asks: a screenful when a screenful is wanted (0: all) */
	struct store_referral_filter f = { .unsourced_only = true, .brief = true, .limit = j->limit };
	j->ps = (struct sum){ .limit = j->limit };
	if (bk_referral_list(&j->ctx, &f, row_sum, &j->ps) != BK_OK)
		bench_die("waiting list: %s", j->ctx.msg);
}

static void waiting_raw(void *ud, int rep)
{
	(void)rep;
	struct waiting_job *j = ud;
	if (!raw_waiting(j->raw, j->limit, &j->rs))
		bench_die("raw waiting: %s", raw_error(j->raw));
}

static void waiting_setup(struct waiting_job *j, const char *db, const char *raw, int limit)
{
	open_project(&j->ctx, db, "tina");
	j->raw = open_raw(raw, now);
	j->limit = limit;
}

static void waiting_done(struct waiting_job *j)
{
	raw_close(j->raw);
	bk_close(&j->ctx);
}

static void fig_waiting(const struct opts *o, int limit)
{
	static struct waiting_job j, k;
	static double pt[MAX_REPS], rt[MAX_REPS], pt2[MAX_REPS], rt2[MAX_REPS];
	waiting_setup(&j, o->db, o->raw, limit);
	char note[128];
	if (o->db2) {
		waiting_setup(&k, o->db2, o->raw2, limit);
		alternate4(o->reps, 2, waiting_project, waiting_raw, &j, &k, pt, pt2, rt, rt2);
		check_same(o->figure, k.ps.rows, k.ps.check, k.rs.rows, k.rs.check);
		snprintf(note, sizeof note, "%ld rows; both histories in one run", k.ps.rows);
		report_scaling(o, pt, pt2, rt, rt2, note);
		waiting_done(&k);
	} else {
		alternate(o->reps, 2, waiting_project, waiting_raw, &j, pt, rt);
		snprintf(note, sizeof note, "%ld rows", j.ps.rows);
		report(o->label, pt, rt, o->reps, "ms", note);
	}
	check_same(o->figure, j.ps.rows, j.ps.check, j.rs.rows, j.rs.check);
	waiting_done(&j);
}

/* ---- candidates ---- */

struct cand_job {
	struct bk_ctx ctx;
	struct raw *raw;
	int64_t ids[64];
	int n_ids;
	long prow, rrow;
};

static int pick_ids(void *ud, const struct bk_referral_row *row)
{
	struct cand_job *j = ud;
	/* searching or exhausted referrals: several offers, reasons to give */
	if ((row->r->status == WF_SEARCHING || row->r->status == WF_EXHAUSTED) && row->r->id % 37 == 0 && j->n_ids < 64)
		j->ids[j->n_ids++] = row->r->id;
	return 0;
}

static void cand_project(void *ud, int rep)
{
	struct cand_job *j = ud;
	struct bk_referral_view *v = NULL;
	int64_t id = j->ids[(rep < 0 ? -rep : rep) % j->n_ids];
	if (bk_referral_load(&j->ctx, id, true, &v) != BK_OK)
		bench_die("referral %lld: %s", (long long)id, j->ctx.msg);
	j->prow += v->n_candidates;
	bk_referral_view_destroy(v);
}

static void cand_raw(void *ud, int rep)
{
	struct cand_job *j = ud;
	struct raw_sum s;
	int64_t id = j->ids[(rep < 0 ? -rep : rep) % j->n_ids];
	if (!raw_candidates(j->raw, id, &s))
		bench_die("raw candidates %lld: %s", (long long)id, raw_error(j->raw));
	j->rrow += s.rows;
}

static void fig_candidates(const struct opts *o)
{
	static struct cand_job j;
	open_project(&j.ctx, o->db, "alice");
	j.raw = open_raw(o->raw, now);
	struct store_referral_filter f = { .unsourced_only = true };
	bk_referral_list(&j.ctx, &f, pick_ids, &j);
	if (j.n_ids == 0)
		bench_die("no referral to show candidates for");
	double pt[MAX_REPS], rt[MAX_REPS];
	alternate(o->reps, 2, cand_project, cand_raw, &j, pt, rt);
	check_same("candidates", j.prow, 0, j.rrow, 0);
	char note[128];
	snprintf(note, sizeof note, "one referral each time, %d different", j.n_ids);
	report(o->label, pt, rt, o->reps, "ms", note);
	raw_close(j.raw);
	bk_close(&j.ctx);
}

/* ---- send ---- */

struct send_job {
	struct bk_ctx ctx;
	struct raw *raw;
	int64_t *ids;
	int n_ids, n, cap;
	int64_t deadline;
	int32_t received;
};

static int pick_new(void *ud, const struct bk_referral_row *row)
{
	struct send_job *j = ud;
	if (j->n_ids < j->cap)
		j->ids[j->n_ids++] = row->r->id;
	return j->n_ids >= j->cap;
}

static int64_t send_id(struct send_job *j, int rep)
{
	int i = rep < 0 ? -rep - 1 : rep + 2; /* two warm-up sends first */
	if (i >= j->n_ids)
		bench_die("not enough new referrals to send (%d)", j->n_ids);
	return j->ids[i];
}

static void send_project(void *ud, int rep)
{
	struct send_job *j = ud;
	if (bk_referral_send(&j->ctx, send_id(j, rep), 0) != BK_OK)
		bench_die("send: %s", j->ctx.msg);
}

static void send_raw(void *ud, int rep)
{
	struct send_job *j = ud;
	if (!raw_send(j->raw, send_id(j, rep), j->ctx.actor.staff_id, j->ctx.actor.login, j->deadline, j->received))
		bench_die("raw send: %s", raw_error(j->raw));
}

#define MAX_PROVIDERS 4096

struct names {
	char (*name)[512];
	int n;
};

static int collect_name(void *ud, const struct store_provider *p)
{
	struct names *a = ud;
	if (a->n < MAX_PROVIDERS)
		snprintf(a->name[a->n++], sizeof a->name[0], "%s", p->name);
	return 0;
}

/* Mail on: every provider given an address (by a team leader, not timed),
 * and the policy's mail_enabled in the sending context. */
static void mail_on(struct send_job *j, const char *db)
{
	struct bk_ctx tl;
	open_project(&tl, db, "tina");
	struct names a = { calloc(MAX_PROVIDERS, sizeof *a.name), 0 };
	if (!a.name)
		bench_die("out of memory");
	if (bk_provider_each(&tl, collect_name, &a) != BK_OK)
		bench_die("providers: %s", tl.msg);
	for (int i = 0; i < a.n; i++) {
		char email[64];
		snprintf(email, sizeof email, "offers@provider-%d.example.org", i + 1);
		struct bk_provider_input in = { .name = a.name[i], .active = -1, .framework = -1, .emails = email };
		if (bk_provider_set(&tl, &in, NULL) != BK_OK)
			bench_die("giving %s an address: %s", a.name[i], tl.msg);
	}
	free(a.name);
	bk_close(&tl);
	j->ctx.policy.mail_enabled = true;
	snprintf(j->ctx.policy.mail_from, sizeof j->ctx.policy.mail_from, "brokerage@council.example.gov.uk");
	j->ctx.mail_command = NULL; /* the outbox only: no delivery is timed */
}

static void send_setup(struct send_job *j, const char *db, const char *raw, int reps, bool mail)
{
	open_project(&j->ctx, db, "alice");
	if (mail)
		mail_on(j, db);
	j->raw = open_raw(raw, now);
	j->cap = reps + 2;
	j->ids = calloc((size_t)j->cap, sizeof *j->ids);
	if (!j->ids)
		bench_die("out of memory");
	struct store_referral_filter f = { .status = "new" };
	bk_referral_list(&j->ctx, &f, pick_new, j);
	if (!cal_deadline(&j->ctx.cal, now, &j->received, &j->deadline))
		bench_die("no deadline");
}

static void send_done(struct send_job *j)
{
	free(j->ids);
	raw_close(j->raw);
	bk_close(&j->ctx);
}

static void fig_send(const struct opts *o)
{
	static struct send_job j, k;
	static double pt[MAX_REPS], rt[MAX_REPS], pt2[MAX_REPS], rt2[MAX_REPS];
	bool mail = strcmp(o->figure, "send_offer_mail") == 0;
	send_setup(&j, o->db, o->raw, o->reps, mail);
	if (o->db2) {
		send_setup(&k, o->db2, o->raw2, o->reps, mail);
		alternate4(o->reps, 2, send_project, send_raw, &j, &k, pt, pt2, rt, rt2);
		report_scaling(o, pt, pt2, rt, rt2,
		               "each a different new referral, synchronous=FULL; both histories in one run");
		send_done(&k);
	} else {
		alternate(o->reps, 2, send_project, send_raw, &j, pt, rt);
		report(o->label, pt, rt, o->reps, "ms",
		       mail ? "each a different new referral, synchronous=FULL, its offer's message written to the "
		              "outbox"
		            : "each a different new referral, synchronous=FULL");
	}
	send_done(&j);
}

/* ---- sweep ---- */

static void fig_sweep(const struct opts *o)
{
	if (!o->at_text)
		bench_die("sweep_5k needs --at");
	int64_t at = parse_time(o->at_text);
	char pwork[4200], rwork[4200];
	/* on PostgreSQL a database copied from --db (or --raw) as a template */
	bool pg = rawpg_is_conninfo(o->db);
	snprintf(pwork, sizeof pwork, "%s.work", o->db);
	snprintf(rwork, sizeof rwork, "%s.work", o->raw);
	double pt[MAX_REPS], rt[MAX_REPS], one[MAX_REPS];
	struct bk_sweep_result pres = { 0 };
	struct raw_sweep_result rres = { 0 }, ores = { 0 };
	int32_t received;
	int64_t deadline;
	struct cal_rules rules;
	cal_rules_from_settings(&rules, &settings);
	if (!cal_deadline(&rules, at, &received, &deadline))
		bench_die("no deadline");
	for (int i = 0; i < o->reps; i++) {
		for (int k = 0; k < 3; k++) {
			/* project, raw, raw in one transaction; the first two swap each time */
			int which = k == 2 ? 2 : (k == 0) == (i % 2 == 0) ? 0 : 1;
			const char *src = which == 0 ? o->db : o->raw, *work = which == 0 ? pwork : rwork;
			char err[1024];
			if (pg ? !rawpg_clone(src, "work", which == 0 ? pwork : rwork, sizeof pwork, err, sizeof err)
			       : !bench_copy_file(src, work))
				bench_die("copying %s%s%s", src, pg ? ": " : "", pg ? err : "");
			if (which == 0) {
				struct bk_ctx ctx;
				open_project(&ctx, work, "tina");
				ctx.now = at;
				int64_t t0 = bench_now_ns();
				if (bk_sweep(&ctx, &pres) != BK_OK)
					bench_die("sweep: %s", ctx.msg);
				pt[i] = bench_ms(bench_now_ns() - t0);
				bk_close(&ctx);
			} else {
				struct raw *r = open_raw(work, at);
				int64_t t0 = bench_now_ns();
				if (!raw_sweep(r, at, deadline, received, which == 2, which == 2 ? &ores : &rres))
					bench_die("raw sweep: %s", raw_error(r));
				(which == 2 ? one : rt)[i] = bench_ms(bench_now_ns() - t0);
				raw_close(r);
			}
			if (!pg)
				bench_remove_db(work);
			else if (!rawpg_drop(work, err, sizeof err))
				bench_die("%s", err);
		}
	}
	char note[256];
	snprintf(note, sizeof note,
	         "project %d expired %d approached %d exhausted; raw %d/%d/%d; raw in one transaction %.0f ms",
	         pres.expired, pres.approached, pres.exhausted, rres.expired, rres.approached, rres.exhausted,
	         bench_median(one, o->reps));
	report(o->label, pt, rt, o->reps, "ms", note);
}

int main(int argc, char **argv)
{
	struct opts o = { .reps = 15 };
#ifdef __GLIBC__
	/* The allocator as the program sets it (cli/main.c): freed memory kept
	 * for reuse. Without it each list's large free gives memory back and
	 * the next takes it again with page faults, a cost the program does
	 * not have. Both sides of every figure run in this one process. */
	mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
	mallopt(M_TOP_PAD, 16 * 1024 * 1024);
#endif
	if (argc < 2)
		bench_die("usage: bench_core FIGURE --db DB --raw DB --now TIME [--reps N] [--at TIME] [--label NAME] "
		          "[--db2 DB --raw2 DB]");
	o.figure = argv[1];
	for (int i = 2; i + 1 < argc; i += 2) {
		const char *k = argv[i], *v = argv[i + 1];
		if (strcmp(k, "--db") == 0)
			o.db = v;
		else if (strcmp(k, "--raw") == 0)
			o.raw = v;
		else if (strcmp(k, "--now") == 0)
			o.now_text = v;
		else if (strcmp(k, "--at") == 0)
			o.at_text = v;
		else if (strcmp(k, "--reps") == 0)
			o.reps = atoi(v);
		else if (strcmp(k, "--label") == 0)
			o.label = v;
		else if (strcmp(k, "--db2") == 0)
			o.db2 = v;
		else if (strcmp(k, "--raw2") == 0)
			o.raw2 = v;
		else
			bench_die("unknown option %s", k);
	}
	if (!o.db || !o.raw || !o.now_text)
		bench_die("--db, --raw and --now are needed");
	if (!o.db2 != !o.raw2)
		bench_die("--db2 and --raw2 go together");
	if (o.reps < 1 || o.reps > MAX_REPS)
		bench_die("--reps from 1 to %d", MAX_REPS);
	if (!o.label)
		o.label = o.figure;
	bk_settings_defaults(&settings);
	if (!cal_zone_use(settings.zone))
		bench_die("zone %s unknown", settings.zone);
	setenv("TZ", settings.zone, 1); /* the raw side reckons local days with localtime_r */
	tzset();
	load_holidays();
	now = parse_time(o.now_text);
	if (strcmp(o.figure, "waiting_first_screen") == 0)
		fig_waiting(&o, SCREEN_ROWS);
	else if (strcmp(o.figure, "waiting_all") == 0)
		fig_waiting(&o, 0);
	else if (strcmp(o.figure, "candidates") == 0)
		fig_candidates(&o);
	else if (strcmp(o.figure, "send_offer") == 0 || strcmp(o.figure, "send_offer_mail") == 0)
		fig_send(&o);
	else if (strcmp(o.figure, "sweep_5k") == 0)
		fig_sweep(&o);
	else
		bench_die("unknown figure %s", o.figure);
	return 0;
}
