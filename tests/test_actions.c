/* The core actions against a temporary test-mode database: the cascade by
 * decline and by expiry, the contract clock on real offers, exhaustion and
 * spot purchases with separation of duties and the key-decision threshold,
 * the parallel policy, information pauses, pause/resume/withdraw, stale
 * versions, roles; and every refusal leaving the data exactly as it was. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <sqlite3.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/brokerage.h"
#include "core/report.h"
#include "core/worklist.h"
#include "tests/testutil.h"

#define LOT 1
#define DISTRICT "North"

static int32_t D(int y, int m, int d)
{
	return cal_days_from_civil(y, m, d);
}

/* A Europe/London wall-clock time that exists exactly once. */
static int64_t L(int y, int m, int d, int hh, int mm)
{
	int64_t utc = 0;
	assert_int_equal(cal_utc(D(y, m, d), hh * 60 + mm, &utc), CAL_LOCAL_OK);
	return utc;
}

static void at(struct tu_db *w, int y, int m, int d, int hh, int mm)
{
	w->ctx.now = L(y, m, d, hh, mm);
}

static void as(struct tu_db *w, const char *login)
{
	enum bk_status st = bk_identify(&w->ctx, login, true);
	if (st != BK_OK)
		fail_msg("identify %s: %s", login, w->ctx.msg);
}

/* Make w->s the council's policy, as an administrator would with
 * `policy load --apply`, and act again as whoever was acting. */
static void set_policy(struct tu_db *w)
{
	char was[64];
	snprintf(was, sizeof was, "%s", w->ctx.actor.login);
	as(w, "root");
	struct bk_policy_change ch;
	enum bk_status st = bk_policy_load(&w->ctx, &w->s, true, false, &ch);
	bk_policy_change_finish(&ch);
	if (st != BK_OK)
		fail_msg("policy load: %s", w->ctx.msg);
	as(w, was);
}

#define OK(expr)                                                                    \
	do {                                                                        \
		enum bk_status st_ = (expr);                                        \
		if (st_ != BK_OK)                                                   \
			fail_msg("%s: status %d: %s", #expr, (int)st_, w->ctx.msg); \
	} while (0)

static void rank(struct tu_db *w, const char *const *names, int n)
{
	OK(bk_rank_set(&w->ctx, LOT, DISTRICT, names, n));
}

static const char *const three[] = { "Alpha Care", "Beta Care", "Gamma Care", NULL }; /* ranked at setup */
static const char *const four[] = { "Alpha Care", "Beta Care", "Gamma Care", "Delta Care" };

static int setup(void **state)
{
	*state = tu_db_make(&(struct tu_fixture){
		.now = "2026-11-02T09:00",
		.admin = "root",
		.admin_name = "Root",
		.staff = (const struct tu_staff[]){ { "tl", "Tess Leader", "team_leader" },
	                                            { "ann", "Ann Officer", "officer" },
	                                            { "sue", "Sue Supervisor", "supervisor" },
	                                            { "sam", "Sam Supervisor", "supervisor" },
	                                            { 0 } },
		.keeper = "tl",
		.providers = (const struct tu_provider[]){ { .name = "Alpha Care" },
	                                                   { .name = "Beta Care" },
	                                                   { .name = "Gamma Care" },
	                                                   { .name = "Delta Care" },
	                                                   { .name = "Spot Co", .off = true },
	                                                   { 0 } },
		.rankings = (const struct tu_ranking[]){ { LOT, DISTRICT, three }, { 0 } },
		.as = "ann",
		.file = "brokerage.db",
	});
	return 0;
}

static int teardown(void **state)
{
	tu_db_close(*state);
	return 0;
}

/* ---- the whole database, to prove a refusal changed nothing ---- */

#define MAX_TABLES 32

struct snapshot {
	int n;
	char name[MAX_TABLES][64];
	int64_t rows[MAX_TABLES];
	uint64_t digest[MAX_TABLES];
};

static void fnv(uint64_t *h, const void *data, size_t n)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < n; i++) {
		*h ^= p[i];
		*h *= 1099511628211ULL;
	}
}

/* On PostgreSQL: each table's rows as text, in order, hashed by the server;
 * every table in one query (query_to_xml runs the query of each), so a
 * snapshot costs one psql and one connection rather than one per table. */
static void take_pg(const struct tu_db *w, struct snapshot *s)
{
	static char got[MAX_TABLES * 160];
	tu_psql_all(
		w->path,
		"SELECT table_name || ' ' || (xpath('/row/c/text()', query_to_xml(format("
		"'SELECT count(*) || '' '' || md5(coalesce(string_agg(r::text, E''\\n'' ORDER BY r::text), '''')) "
		"AS c FROM %I r', table_name), false, true, '')))[1]::text "
		"FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' "
		"ORDER BY table_name",
		got, sizeof got);
	for (char *save = NULL, *line = strtok_r(got, "\n", &save); line && s->n < MAX_TABLES;
	     line = strtok_r(NULL, "\n", &save)) {
		int i = s->n++;
		long long rows = -1;
		char md5[40] = "";
		assert_int_equal(sscanf(line, "%63s %lld %32s", s->name[i], &rows, md5), 3);
		s->rows[i] = rows;
		uint64_t h = 14695981039346656037ULL;
		fnv(&h, md5, strlen(md5));
		s->digest[i] = h;
	}
	assert_true(s->n >= 12);
}

static void take(const struct tu_db *w, struct snapshot *s)
{
	memset(s, 0, sizeof *s);
	if (tu_is_conninfo(w->path)) {
		take_pg(w, s);
		return;
	}
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open_v2(w->path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	sqlite3_stmt *t = NULL;
	assert_int_equal(sqlite3_prepare_v2(db,
	                                    "SELECT name FROM sqlite_schema WHERE type = 'table' "
	                                    "AND name NOT LIKE 'sqlite_%' ORDER BY name",
	                                    -1, &t, NULL),
	                 SQLITE_OK);
	while (sqlite3_step(t) == SQLITE_ROW && s->n < MAX_TABLES) {
		int i = s->n++;
		snprintf(s->name[i], sizeof s->name[i], "%s", (const char *)sqlite3_column_text(t, 0));
		char sql[512];
		snprintf(sql, sizeof sql, "SELECT * FROM \"%s\"", s->name[i]);
		sqlite3_stmt *q = NULL;
		assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
		int cols = sqlite3_column_count(q);
		sqlite3_finalize(q);
		size_t off = (size_t)snprintf(sql, sizeof sql, "SELECT * FROM \"%s\" ORDER BY ", s->name[i]);
		for (int c = 1; c <= cols && off < sizeof sql; c++)
			off += (size_t)snprintf(sql + off, sizeof sql - off, "%s%d", c > 1 ? "," : "", c);
		assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
		uint64_t h = 14695981039346656037ULL;
		while (sqlite3_step(q) == SQLITE_ROW) {
			s->rows[i]++;
			for (int c = 0; c < cols; c++) {
				int type = sqlite3_column_type(q, c);
				fnv(&h, &type, sizeof type);
				const void *b = sqlite3_column_blob(q, c);
				int len = sqlite3_column_bytes(q, c);
				fnv(&h, &len, sizeof len);
				if (b && len > 0)
					fnv(&h, b, (size_t)len);
			}
		}
		sqlite3_finalize(q);
		s->digest[i] = h;
	}
	sqlite3_finalize(t);
	sqlite3_close(db);
	assert_true(s->n >= 12);
}

static int64_t rows_of(const struct snapshot *s, const char *table)
{
	for (int i = 0; i < s->n; i++)
		if (strcmp(s->name[i], table) == 0)
			return s->rows[i];
	fail_msg("no table %s", table);
	return -1;
}

static void assert_same(const struct snapshot *a, const struct snapshot *b, const char *what)
{
	assert_int_equal(a->n, b->n);
	for (int i = 0; i < a->n; i++) {
		assert_string_equal(a->name[i], b->name[i]);
		if (a->rows[i] != b->rows[i])
			fail_msg("%s: table %s had %lld rows, now %lld", what, a->name[i], (long long)a->rows[i],
			         (long long)b->rows[i]);
		if (a->digest[i] != b->digest[i])
			fail_msg("%s: table %s changed", what, a->name[i]);
	}
}

static void chain_ok(struct tu_db *w)
{
	struct store_verify v;
	assert_int_equal(store_audit_verify(w->ctx.store, &v), STORE_OK);
	if (v.bad_seq)
		fail_msg("audit chain broken at %lld: %s", (long long)v.bad_seq, v.problem);
	int problems = 0;
	assert_int_equal(store_check(w->ctx.store, false, NULL, NULL, &problems), STORE_OK);
	assert_int_equal(problems, 0);
}

static void report_problem(void *ud, const char *what)
{
	(void)ud;
	fprintf(stderr, "invariant: %s\n", what);
}

/* The invariants between tables hold (check --deep). */
static void invariants_ok(struct tu_db *w)
{
	int problems = 0;
	assert_int_equal(store_check_deep(w->ctx.store, report_problem, NULL, &problems), STORE_OK);
	assert_int_equal(problems, 0);
}

/* The call is refused with `want` and a sentence, and nothing changes:
 * every table's rows, the audit events, the chain. */
#define REFUSED(want, words, expr)                                                                            \
	do {                                                                                                  \
		struct snapshot before_, after_;                                                              \
		take(w, &before_);                                                                            \
		w->ctx.msg[0] = '\0';                                                                         \
		enum bk_status st_ = (expr);                                                                  \
		if (st_ != (want))                                                                            \
			fail_msg("%s: status %d, expected %d: %s", #expr, (int)st_, (int)(want), w->ctx.msg); \
		if (strlen(w->ctx.msg) < 10)                                                                  \
			fail_msg("%s refused without a sentence", #expr);                                     \
		tu_assert_contains(w->ctx.msg, words);                                                        \
		take(w, &after_);                                                                             \
		assert_same(&before_, &after_, #expr);                                                        \
		chain_ok(w);                                                                                  \
	} while (0)

/* ---- helpers over the API ---- */

static int64_t new_referral(struct tu_db *w, const char *case_ref)
{
	struct bk_referral_input in = {
		.case_ref = case_ref,
		.lot = LOT,
		.district = DISTRICT,
		.hours = "10",
		.age = 12,
		.urgent = 0,
		.panel_date = "2026-01-05",
	};
	int64_t id = 0;
	OK(bk_referral_new(&w->ctx, &in, &id));
	assert_true(id > 0);
	return id;
}

/* A new referral, sent to its ranked providers at once. */
static int64_t sent_referral(struct tu_db *w, const char *case_ref)
{
	int64_t id = new_referral(w, case_ref);
	OK(bk_referral_send(&w->ctx, id, 0));
	return id;
}

/* The parallel cascade (batches of 3) over the four providers, and a new
 * referral made at Fri 2026-11-20 10:00 by the officer, not yet sent. */
static int64_t parallel_referral(struct tu_db *w, const char *case_ref)
{
	w->s.cascade = BK_CASCADE_PARALLEL;
	w->s.batch_size = 3;
	set_policy(w);
	as(w, "tl");
	rank(w, four, 4);
	as(w, "ann");
	at(w, 2026, 11, 20, 10, 0);
	return new_referral(w, case_ref);
}

static struct bk_referral_view *load(struct tu_db *w, int64_t id)
{
	struct bk_referral_view *v = NULL;
	OK(bk_referral_load(&w->ctx, id, true, &v));
	return v;
}

static int64_t version_of(struct tu_db *w, int64_t id)
{
	struct bk_referral_view *v = load(w, id);
	int64_t ver = v->r.version;
	bk_referral_view_destroy(v);
	return ver;
}

static void assert_status(struct tu_db *w, int64_t id, const char *status)
{
	struct bk_referral_view *v = load(w, id);
	if (strcmp(wf_status_name(v->r.status), status) != 0)
		fail_msg("referral %lld is %s, expected %s", (long long)id, wf_status_name(v->r.status), status);
	bk_referral_view_destroy(v);
}

/* The offer of referral id at index k: provider and status. */
static void assert_offer(struct tu_db *w, int64_t id, int k, const char *provider, const char *status)
{
	struct bk_referral_view *v = load(w, id);
	if (k >= v->n_offers)
		fail_msg("referral %lld has %d offers, wanted index %d", (long long)id, v->n_offers, k);
	assert_string_equal(v->offers[k].provider, provider);
	if (strcmp(wf_offer_status_name(v->offers[k].offer.status), status) != 0)
		fail_msg("offer %d (%s) is %s, expected %s", k, provider,
		         wf_offer_status_name(v->offers[k].offer.status), status);
	bk_referral_view_destroy(v);
}

static int n_offers(struct tu_db *w, int64_t id)
{
	struct bk_referral_view *v = load(w, id);
	int n = v->n_offers;
	bk_referral_view_destroy(v);
	return n;
}

static enum bk_status decline(struct tu_db *w, int64_t id, const char *provider)
{
	return bk_referral_respond(&w->ctx, id, 0, provider, BK_ANSWER_DECLINE, "no carers free");
}

static enum bk_status accept(struct tu_db *w, int64_t id, const char *provider)
{
	return bk_referral_respond(&w->ctx, id, 0, provider, BK_ANSWER_ACCEPT, "2026-12-07");
}

/* A referral sent Fri 20 Nov 10:00 and declined by all three: exhausted. */
static int64_t exhausted_referral(struct tu_db *w, const char *case_ref)
{
	at(w, 2026, 11, 20, 10, 0);
	int64_t id = sent_referral(w, case_ref);
	at(w, 2026, 11, 23, 9, 0);
	OK(decline(w, id, "Alpha Care"));
	OK(decline(w, id, "Beta Care"));
	OK(decline(w, id, "Gamma Care"));
	assert_status(w, id, "exhausted");
	return id;
}

static int64_t request_spot(struct tu_db *w, int64_t id, const char *rate)
{
	struct bk_spot_input in = {
		.referral_id = id,
		.provider = "Spot Co",
		.rate = rate,
		.hours = "10",
		.weeks = 52,
		.why = "every framework provider declined",
	};
	int64_t spot = 0;
	OK(bk_spot_request(&w->ctx, &in, &spot));
	assert_true(spot > 0);
	return spot;
}

static int64_t provider_id(struct tu_db *w, const char *name)
{
	struct store_provider p;
	assert_int_equal(store_provider_by_name(w->ctx.store, name, &p), STORE_OK);
	return p.id;
}

static void spot_of(struct tu_db *w, int64_t id, struct store_spot *out)
{
	assert_int_equal(store_spot_get(w->ctx.store, id, out), STORE_OK);
}

/* ---- tests ---- */

static void test_cascade_by_decline_and_expiry(void **state)
{
	struct tu_db *w = *state;
	/* the worked example: sent Fri 2026-11-20 10:00 */
	at(w, 2026, 11, 20, 10, 0);
	int64_t id = new_referral(w, "C-100");
	assert_status(w, id, "new");
	assert_int_equal(version_of(w, id), 1);
	OK(bk_referral_send(&w->ctx, id, 1));
	tu_assert_contains(w->ctx.msg, "Alpha Care");
	struct bk_referral_view *v = load(w, id);
	assert_int_equal(v->r.status, WF_SEARCHING);
	assert_int_equal(v->n_offers, 1);
	assert_string_equal(v->offers[0].provider, "Alpha Care");
	assert_int_equal(v->offers[0].offer.rank, 1);
	assert_int_equal(v->offers[0].offer.status, WF_OFFER_SENT);
	assert_int_equal(v->offers[0].offer.sent_at, L(2026, 11, 20, 10, 0));
	assert_int_equal(v->offers[0].offer.received_on, D(2026, 11, 20));
	/* -> deadline Wed 2026-11-25 17:00 local */
	assert_int_equal(v->offers[0].offer.deadline_at, L(2026, 11, 25, 17, 0));
	assert_int_equal(v->next_deadline, L(2026, 11, 25, 17, 0));
	bk_referral_view_destroy(v);

	/* rank 1 declines Mon 23 09:00: rank 2 approached at once */
	at(w, 2026, 11, 23, 9, 0);
	OK(decline(w, id, "Alpha Care"));
	tu_assert_contains(w->ctx.msg, "Beta Care");
	assert_offer(w, id, 0, "Alpha Care", "declined");
	assert_offer(w, id, 1, "Beta Care", "sent");
	v = load(w, id);
	assert_int_equal(v->offers[1].offer.deadline_at, L(2026, 11, 26, 17, 0));
	assert_int_equal(v->offers[0].offer.answered_at, L(2026, 11, 23, 9, 0));
	assert_string_equal(v->offers[0].offer.reason, "no carers free");
	bk_referral_view_destroy(v);

	/* at the deadline exactly nothing expires */
	struct bk_sweep_result res;
	at(w, 2026, 11, 26, 17, 0);
	OK(bk_sweep(&w->ctx, &res));
	assert_int_equal(res.expired, 0);
	assert_int_equal(res.approached, 0);
	assert_offer(w, id, 1, "Beta Care", "sent");

	/* a minute after: rank 2 expires, rank 3 is approached at the sweep's time */
	at(w, 2026, 11, 26, 17, 1);
	OK(bk_sweep(&w->ctx, &res));
	assert_int_equal(res.expired, 1);
	assert_int_equal(res.approached, 1);
	assert_int_equal(res.exhausted, 0);
	assert_offer(w, id, 1, "Beta Care", "expired");
	assert_offer(w, id, 2, "Gamma Care", "sent");
	v = load(w, id);
	assert_int_equal(v->offers[2].offer.sent_at, L(2026, 11, 26, 17, 1));
	/* after the cut-off: received Fri 27, deadline Wed 2 Dec 17:00 */
	assert_int_equal(v->offers[2].offer.received_on, D(2026, 11, 27));
	assert_int_equal(v->offers[2].offer.deadline_at, L(2026, 12, 2, 17, 0));
	/* the candidates say why the first two are out */
	assert_int_equal(v->n_candidates, 3);
	assert_false(v->candidates[0].eligible);
	tu_assert_contains(v->candidates[0].reasons_text, "declined on Mon 23 Nov 2026");
	assert_false(v->candidates[1].eligible);
	tu_assert_contains(v->candidates[1].reasons_text, "Thu 26 Nov 2026");
	assert_true(v->candidates[2].eligible);
	assert_true(v->candidates[2].offered);
	assert_int_equal(v->candidates[2].offer_status, WF_OFFER_SENT);
	bk_referral_view_destroy(v);

	/* rank 3 accepts: sourced */
	at(w, 2026, 11, 27, 10, 0);
	OK(accept(w, id, "Gamma Care"));
	v = load(w, id);
	assert_int_equal(v->r.status, WF_SOURCED);
	assert_string_equal(v->sourced_provider, "Gamma Care");
	assert_int_equal(v->r.sourced_provider_id, provider_id(w, "Gamma Care"));
	assert_string_equal(v->r.route, "framework");
	assert_int_equal(v->r.sourced_at, L(2026, 11, 27, 10, 0));
	assert_int_equal(v->r.weekly_cost, 19500); /* £19.50 x 10 h */
	assert_int_equal(v->offers[2].offer.status, WF_OFFER_ACCEPTED);
	assert_true(v->offers[2].offer.confirmed);
	assert_int_equal(v->offers[2].offer.start_date, D(2026, 12, 7));
	bk_referral_view_destroy(v);
	assert_int_equal(n_offers(w, id), 3);
	chain_ok(w);
	invariants_ok(w);
	/* Delta Care was never ranked, never approached */
}

/* A referral's view with its candidates names each offer's provider and
 * counts the ranking as the view without them does, an offer to a
 * provider no longer ranked included (its name is not among the
 * candidates'). */
static void test_load_offer_of_provider_unranked(void **state)
{
	struct tu_db *w = *state;
	at(w, 2026, 11, 20, 10, 0);
	int64_t id = sent_referral(w, "C-190");
	as(w, "tl");
	rank(w, (const char *const[]){ "Beta Care", "Gamma Care" }, 2);
	as(w, "ann");
	struct bk_referral_view *v = load(w, id), *bare = NULL;
	OK(bk_referral_load(&w->ctx, id, false, &bare));
	assert_int_equal(v->n_offers, 1);
	assert_string_equal(v->offers[0].provider, "Alpha Care");
	assert_string_equal(v->current_provider, "Alpha Care");
	assert_int_equal(v->n_candidates, 2);
	assert_string_equal(v->candidates[0].provider, "Beta Care");
	assert_int_equal(v->ranked, 2);
	assert_int_equal(bare->ranked, 2);
	assert_string_equal(bare->offers[0].provider, "Alpha Care");
	bk_referral_view_destroy(v);
	bk_referral_view_destroy(bare);
	/* ranked again: the name from the candidates, the same */
	as(w, "tl");
	rank(w, four, 4);
	as(w, "ann");
	v = load(w, id);
	assert_string_equal(v->offers[0].provider, "Alpha Care");
	assert_int_equal(v->ranked, 4);
	bk_referral_view_destroy(v);
}

static void test_first_offer_deadlines(void **state)
{
	struct tu_db *w = *state;
	static const struct {
		int y, m, d, hh, mm; /* sent, local */
		int ry, rm, rd;      /* received */
		int dy, dm, dd;      /* deadline day, 17:00 */
	} cases[] = {
		{ 2026, 11, 20, 10, 0, 2026, 11, 20, 2026, 11, 25 },
		{ 2026, 11, 20, 16, 30, 2026, 11, 23, 2026, 11, 26 },
		{ 2026, 11, 20, 16, 0, 2026, 11, 23, 2026, 11, 26 }, /* at the cut-off counts as after */
		{ 2026, 11, 21, 11, 0, 2026, 11, 23, 2026, 11, 26 },
		{ 2026, 12, 23, 9, 0, 2026, 12, 23, 2026, 12, 30 },
		/* across the clock changes of 2026: BST to GMT, GMT to BST */
		{ 2026, 10, 23, 10, 0, 2026, 10, 23, 2026, 10, 28 },
		{ 2026, 3, 27, 10, 0, 2026, 3, 27, 2026, 4, 1 },
		/* Easter 2026: Good Friday 3 Apr, Easter Monday 6 Apr */
		{ 2026, 4, 2, 10, 0, 2026, 4, 2, 2026, 4, 9 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char ref[16];
		snprintf(ref, sizeof ref, "D-%zu", i);
		at(w, cases[i].y, cases[i].m, cases[i].d, cases[i].hh, cases[i].mm);
		int64_t id = sent_referral(w, ref);
		struct bk_referral_view *v = load(w, id);
		assert_int_equal(v->n_offers, 1);
		assert_int_equal(v->offers[0].offer.received_on, D(cases[i].ry, cases[i].rm, cases[i].rd));
		if (v->offers[0].offer.deadline_at != L(cases[i].dy, cases[i].dm, cases[i].dd, 17, 0))
			fail_msg("case %zu: deadline %lld, expected %04d-%02d-%02d 17:00", i,
			         (long long)v->offers[0].offer.deadline_at, cases[i].dy, cases[i].dm, cases[i].dd);
		bk_referral_view_destroy(v);
	}
}

static void test_cascade_to_exhausted_then_spot(void **state)
{
	struct tu_db *w = *state;
	int64_t id = exhausted_referral(w, "C-200");
	tu_assert_contains(w->ctx.msg, "exhausted");
	assert_int_equal(n_offers(w, id), 3);
	/* sending again finds nobody */
	REFUSED(BK_REFUSED, "spot purchase", bk_referral_send(&w->ctx, id, 0));

	/* a supervisor requests the spot purchase herself */
	as(w, "sue");
	at(w, 2026, 11, 23, 11, 0);
	int64_t spot = request_spot(w, id, "25.00");
	assert_status(w, id, "spot_requested");
	tu_assert_contains(w->ctx.msg, "£250.00 a week");
	tu_assert_contains(w->ctx.msg, "£13,000.00 a year");
	/* she may not decide her own request, whatever her role */
	REFUSED(BK_REFUSED, "another supervisor", bk_spot_decide(&w->ctx, spot, true, "fine by me", NULL));
	REFUSED(BK_REFUSED, "another supervisor", bk_spot_decide(&w->ctx, spot, false, "changed my mind", NULL));
	/* nor may an officer or a team leader */
	as(w, "ann");
	REFUSED(BK_REFUSED, "supervisor", bk_spot_decide(&w->ctx, spot, true, "ok", NULL));
	as(w, "tl");
	REFUSED(BK_REFUSED, "supervisor", bk_spot_decide(&w->ctx, spot, true, "ok", NULL));
	/* a second request while one waits */
	as(w, "ann");
	struct bk_spot_input again = {
		.referral_id = id,
		.provider = "Spot Co",
		.rate = "20.00",
		.hours = "10",
		.weeks = 10,
		.why = "cheaper",
	};
	int64_t other = 0;
	REFUSED(BK_REFUSED, "waiting", bk_spot_request(&w->ctx, &again, &other));
	/* another supervisor approves, with a note */
	as(w, "sam");
	at(w, 2026, 11, 23, 14, 0);
	REFUSED(BK_REFUSED, "note", bk_spot_decide(&w->ctx, spot, true, "", NULL));
	OK(bk_spot_decide(&w->ctx, spot, true, "no framework capacity in North", NULL));
	struct bk_referral_view *v = load(w, id);
	assert_int_equal(v->r.status, WF_SOURCED);
	assert_string_equal(v->r.route, "spot");
	assert_string_equal(v->sourced_provider, "Spot Co");
	assert_int_equal(v->r.weekly_cost, 25000);
	assert_int_equal(v->r.sourced_at, L(2026, 11, 23, 14, 0));
	bk_referral_view_destroy(v);
	struct store_spot s;
	spot_of(w, spot, &s);
	assert_int_equal(s.status, WF_SPOT_APPROVED);
	assert_int_equal(s.annual_cost, 1300000);
	struct store_staff sam;
	assert_int_equal(store_staff_by_login(w->ctx.store, "sam", &sam), STORE_OK);
	assert_int_equal(s.decided_by, sam.id);
	/* decided once only */
	as(w, "sam");
	REFUSED(BK_REFUSED, "already approved", bk_spot_decide(&w->ctx, spot, false, "again", NULL));
	chain_ok(w);
	invariants_ok(w);
}

static void test_spot_reject_back_to_exhausted(void **state)
{
	struct tu_db *w = *state;
	int64_t id = exhausted_referral(w, "C-210");
	int64_t spot = request_spot(w, id, "25.00");
	as(w, "sue");
	OK(bk_spot_decide(&w->ctx, spot, false, "too dear", NULL));
	assert_status(w, id, "exhausted");
	struct store_spot s;
	spot_of(w, spot, &s);
	assert_int_equal(s.status, WF_SPOT_REJECTED);
	/* a spot request on a referral that is still searching: refused */
	as(w, "ann");
	at(w, 2026, 11, 24, 9, 0);
	int64_t other = sent_referral(w, "C-211");
	struct bk_spot_input in = {
		.referral_id = other,
		.provider = "Spot Co",
		.rate = "25.00",
		.hours = "10",
		.weeks = 52,
		.why = "hurry",
	};
	int64_t sid = 0;
	REFUSED(BK_REFUSED, "exhausted", bk_spot_request(&w->ctx, &in, &sid));
	/* naming a framework provider: refused */
	in.referral_id = id;
	in.provider = "Alpha Care";
	REFUSED(BK_REFUSED, "framework provider", bk_spot_request(&w->ctx, &in, &sid));
	in.provider = "Spot Co";
	in.rate = "19.505";
	REFUSED(BK_REFUSED, "hourly rate", bk_spot_request(&w->ctx, &in, &sid));
	in.rate = "25.00";
	in.weeks = 0;
	REFUSED(BK_REFUSED, "weeks", bk_spot_request(&w->ctx, &in, &sid));
	in.weeks = 52;
	in.why = "";
	REFUSED(BK_REFUSED, "justification", bk_spot_request(&w->ctx, &in, &sid));
	chain_ok(w);
	invariants_ok(w);
}

/* The spot form's list and check: the providers a request may name, and
 * the same checks as the request itself, before it, writing nothing. */
static int collect_spot(void *ud, const struct bk_spot_provider *p)
{
	char *names = ud;
	strcat(names, p->name);
	strcat(names, ";");
	return 0;
}

static void test_spot_check_before_request(void **state)
{
	struct tu_db *w = *state;
	int64_t id = exhausted_referral(w, "C-220");
	char names[512] = "";
	OK(bk_spot_providers(&w->ctx, id, collect_spot, names));
	assert_string_equal(names, "Spot Co;"); /* the framework providers are not for a spot request */
	struct bk_spot_input in = {
		.referral_id = id,
		.provider = "Spot Co",
		.rate = "0",
		.hours = "10",
		.weeks = 52,
		.why = "none left",
	};
	struct bk_spot_quote quote;
	REFUSED(BK_REFUSED, "not a rate", bk_spot_check(&w->ctx, &in, &quote));
	in.provider = "Alpha Care";
	in.rate = "25.00";
	REFUSED(BK_REFUSED, "framework provider", bk_spot_check(&w->ctx, &in, &quote));
	in.provider = "Spot Co";
	/* a good request: the costs it would have, and nothing written */
	struct snapshot a, b;
	take(w, &a);
	OK(bk_spot_check(&w->ctx, &in, &quote));
	take(w, &b);
	assert_same(&a, &b, "spot check");
	assert_int_equal(quote.rate, 2500);
	assert_int_equal(quote.weekly_cost, 25000);
	assert_int_equal(quote.annual_cost, 25000 * 52);
	assert_string_equal(quote.provider, "Spot Co");
	int64_t sid = 0;
	OK(bk_spot_request(&w->ctx, &in, &sid));
	/* now waiting: the check refuses as the request would */
	REFUSED(BK_REFUSED, "waiting", bk_spot_check(&w->ctx, &in, &quote));
	chain_ok(w);
}

static void test_key_decision(void **state)
{
	struct tu_db *w = *state;
	int64_t id = exhausted_referral(w, "C-300");
	/* £1,000.00 x 10 h x 52 = £520,000 a year >= £500,000 */
	int64_t spot = request_spot(w, id, "1000.00");
	tu_assert_contains(w->ctx.msg, "key-decision");
	struct store_spot s;
	spot_of(w, spot, &s);
	assert_int_equal(s.weekly_cost, 1000000);
	assert_int_equal(s.annual_cost, 52000000);
	as(w, "sue");
	REFUSED(BK_REFUSED, "key-decision", bk_spot_decide(&w->ctx, spot, true, "needed", NULL));
	tu_assert_contains(w->ctx.msg, "£520,000.00");
	tu_assert_contains(w->ctx.msg, "£500,000.00");
	REFUSED(BK_REFUSED, "key-decision", bk_spot_decide(&w->ctx, spot, true, "needed", ""));
	/* rejecting needs no reference; approving with one goes through */
	OK(bk_spot_decide(&w->ctx, spot, true, "cabinet approved", "KD-2026-17"));
	spot_of(w, spot, &s);
	assert_int_equal(s.status, WF_SPOT_APPROVED);
	assert_string_equal(s.key_decision, "KD-2026-17");
	assert_status(w, id, "sourced");

	/* just below the threshold: no reference needed.
	 * £961.53 x 10 h = £9,615.30 a week, x 52 = £499,995.60 */
	as(w, "ann");
	int64_t id2 = exhausted_referral(w, "C-301");
	int64_t spot2 = request_spot(w, id2, "961.53");
	spot_of(w, spot2, &s);
	assert_int_equal(s.annual_cost, 49999560);
	as(w, "sue");
	OK(bk_spot_decide(&w->ctx, spot2, true, "within delegated limits", NULL));
	assert_status(w, id2, "sourced");
	chain_ok(w);
	invariants_ok(w);
}

static void test_parallel_rank_wins(void **state)
{
	struct tu_db *w = *state;
	int64_t id = parallel_referral(w, "C-400");
	OK(bk_referral_send(&w->ctx, id, 0));
	/* the top 3 at once; rank 4 waits */
	assert_int_equal(n_offers(w, id), 3);
	assert_offer(w, id, 0, "Alpha Care", "sent");
	assert_offer(w, id, 1, "Beta Care", "sent");
	assert_offer(w, id, 2, "Gamma Care", "sent");
	/* rank 3 accepts first: it waits on ranks 1 and 2 */
	at(w, 2026, 11, 23, 9, 0);
	OK(accept(w, id, "Gamma Care"));
	tu_assert_contains(w->ctx.msg, "confirmed once");
	assert_status(w, id, "searching");
	struct bk_referral_view *v = load(w, id);
	assert_int_equal(v->offers[2].offer.status, WF_OFFER_ACCEPTED);
	assert_false(v->offers[2].offer.confirmed);
	assert_int_equal(v->n_offers, 3);
	bk_referral_view_destroy(v);
	invariants_ok(w);
	/* then rank 1 accepts: rank 1 wins, rank 3 is told it was not needed */
	at(w, 2026, 11, 23, 9, 30);
	OK(accept(w, id, "Alpha Care"));
	v = load(w, id);
	assert_int_equal(v->r.status, WF_SOURCED);
	assert_string_equal(v->sourced_provider, "Alpha Care");
	assert_int_equal(v->offers[0].offer.status, WF_OFFER_ACCEPTED);
	assert_true(v->offers[0].offer.confirmed);
	assert_int_equal(v->offers[1].offer.status, WF_OFFER_WITHDRAWN);
	assert_int_equal(v->offers[2].offer.status, WF_OFFER_WITHDRAWN);
	assert_false(v->offers[2].offer.confirmed);
	tu_assert_contains(v->offers[2].offer.reason, "not needed");
	tu_assert_contains(v->offers[2].offer.reason, "Alpha Care");
	assert_int_equal(v->n_offers, 3);
	bk_referral_view_destroy(v);
	chain_ok(w);
	invariants_ok(w);
}

static void test_parallel_confirmed_when_higher_close(void **state)
{
	struct tu_db *w = *state;
	int64_t id = parallel_referral(w, "C-410");
	OK(bk_referral_send(&w->ctx, id, 0));
	at(w, 2026, 11, 23, 9, 0);
	/* rank 2 accepts; rank 3 declines (rank 4 is not approached while an
	 * acceptance waits); rank 1 still open */
	OK(accept(w, id, "Beta Care"));
	OK(decline(w, id, "Gamma Care"));
	assert_status(w, id, "searching");
	assert_int_equal(n_offers(w, id), 3);
	/* rank 1's deadline passes: the sweep confirms rank 2 */
	struct bk_sweep_result res;
	at(w, 2026, 11, 25, 17, 1);
	OK(bk_sweep(&w->ctx, &res));
	assert_int_equal(res.expired, 1);
	assert_int_equal(res.sourced, 1);
	assert_int_equal(res.approached, 0);
	struct bk_referral_view *v = load(w, id);
	assert_int_equal(v->r.status, WF_SOURCED);
	assert_string_equal(v->sourced_provider, "Beta Care");
	assert_true(v->offers[1].offer.confirmed);
	assert_int_equal(v->offers[0].offer.status, WF_OFFER_EXPIRED);
	bk_referral_view_destroy(v);
	/* a second sweep at the same moment changes nothing */
	struct snapshot a, b;
	take(w, &a);
	OK(bk_sweep(&w->ctx, &res));
	assert_int_equal(res.expired + res.approached + res.exhausted + res.sourced, 0);
	take(w, &b);
	assert_same(&a, &b, "second sweep");
	chain_ok(w);
	invariants_ok(w);
}

static void test_info_moves_deadline(void **state)
{
	struct tu_db *w = *state;
	/* sent Mon 2026-11-23 10:00: deadline Thu 26 17:00 */
	at(w, 2026, 11, 23, 10, 0);
	int64_t id = sent_referral(w, "C-500");
	struct bk_referral_view *v = load(w, id);
	assert_int_equal(v->offers[0].offer.deadline_at, L(2026, 11, 26, 17, 0));
	bk_referral_view_destroy(v);
	/* information requested Tue 24 */
	at(w, 2026, 11, 24, 11, 0);
	OK(bk_referral_respond(&w->ctx, id, 0, "Alpha Care", BK_ANSWER_INFO, "does the young person need a driver?"));
	assert_offer(w, id, 0, "Alpha Care", "info_requested");
	/* asking twice is refused */
	REFUSED(BK_REFUSED, "already waiting",
	        bk_referral_respond(&w->ctx, id, 0, "Alpha Care", BK_ANSWER_INFO, "and another thing"));
	/* supplied Thu 26 09:00: two working days (Wed 25, Thu 26) -> Mon 30 17:00 */
	at(w, 2026, 11, 26, 9, 0);
	/* the preview says where the deadline moves, and writes nothing */
	struct bk_plan p;
	struct snapshot before, after;
	take(w, &before);
	OK(bk_preview_info_supplied(&w->ctx, id, 0, "Alpha Care", &p));
	take(w, &after);
	assert_same(&before, &after, "bk_preview_info_supplied");
	assert_int_equal(p.deadline, L(2026, 11, 30, 17, 0));
	OK(bk_referral_info_supplied(&w->ctx, id, 0, "Alpha Care"));
	v = load(w, id);
	assert_int_equal(v->offers[0].offer.status, WF_OFFER_SENT);
	assert_int_equal(v->offers[0].offer.deadline_at, L(2026, 11, 30, 17, 0));
	assert_int_equal(v->offers[0].offer.info_requested_at, L(2026, 11, 24, 11, 0));
	assert_int_equal(v->offers[0].offer.info_supplied_at, L(2026, 11, 26, 9, 0));
	bk_referral_view_destroy(v);
	/* supplied again when not asked: refused */
	REFUSED(BK_REFUSED, "not asked", bk_referral_info_supplied(&w->ctx, id, 0, "Alpha Care"));
	REFUSED(BK_REFUSED, "not asked", bk_preview_info_supplied(&w->ctx, id, 0, "Alpha Care", &p));
	/* past the old deadline, before the new one: nothing expires */
	struct bk_sweep_result res;
	at(w, 2026, 11, 27, 10, 0);
	OK(bk_sweep(&w->ctx, &res));
	assert_int_equal(res.expired, 0);
	at(w, 2026, 11, 30, 17, 0);
	OK(bk_sweep(&w->ctx, &res));
	assert_int_equal(res.expired, 0);
	/* after the new one: expired, rank 2 approached */
	at(w, 2026, 11, 30, 17, 1);
	OK(bk_sweep(&w->ctx, &res));
	assert_int_equal(res.expired, 1);
	assert_offer(w, id, 0, "Alpha Care", "expired");
	assert_offer(w, id, 1, "Beta Care", "sent");
	chain_ok(w);
	invariants_ok(w);
}

static void test_info_requested_never_expires(void **state)
{
	struct tu_db *w = *state;
	at(w, 2026, 11, 23, 10, 0);
	int64_t id = sent_referral(w, "C-510");
	at(w, 2026, 11, 24, 11, 0);
	OK(bk_referral_respond(&w->ctx, id, 0, "Alpha Care", BK_ANSWER_INFO, "which school?"));
	struct bk_sweep_result res;
	at(w, 2027, 1, 15, 12, 0);
	struct snapshot a, b;
	take(w, &a);
	OK(bk_sweep(&w->ctx, &res));
	assert_int_equal(res.expired, 0);
	take(w, &b);
	assert_same(&a, &b, "sweep of a stopped clock");
	assert_offer(w, id, 0, "Alpha Care", "info_requested");
	/* the provider can still answer */
	OK(accept(w, id, "Alpha Care"));
	assert_status(w, id, "sourced");
	invariants_ok(w);
}

static void test_pause_resume(void **state)
{
	struct tu_db *w = *state;
	at(w, 2026, 11, 20, 10, 0);
	int64_t id = sent_referral(w, "C-600");
	at(w, 2026, 11, 23, 9, 0);
	REFUSED(BK_REFUSED, "why", bk_referral_pause(&w->ctx, id, 0, ""));
	OK(bk_referral_pause(&w->ctx, id, 0, "family asked to wait until after Christmas"));
	struct bk_referral_view *v = load(w, id);
	assert_int_equal(v->r.status, WF_PAUSED);
	assert_int_equal(v->r.paused_from, WF_SEARCHING);
	assert_int_equal(v->offers[0].offer.status, WF_OFFER_WITHDRAWN);
	tu_assert_contains(v->offers[0].offer.reason, "paused");
	bk_referral_view_destroy(v);
	/* paused: answers and sends are refused, and sweeps leave it alone */
	REFUSED(BK_REFUSED, "resume it first", bk_referral_send(&w->ctx, id, 0));
	REFUSED(BK_REFUSED, "resume it first", accept(w, id, "Alpha Care"));
	REFUSED(BK_REFUSED, "already paused", bk_referral_pause(&w->ctx, id, 0, "again"));
	struct bk_sweep_result res;
	at(w, 2026, 12, 1, 9, 0);
	OK(bk_sweep(&w->ctx, &res));
	assert_int_equal(res.expired + res.approached, 0);
	/* resume Wed 2 Dec 10:00: rank 1 approached again, with a new clock */
	at(w, 2026, 12, 2, 10, 0);
	OK(bk_referral_resume(&w->ctx, id, 0));
	v = load(w, id);
	assert_int_equal(v->r.status, WF_SEARCHING);
	assert_int_equal(v->r.paused_from, WF_NO_STATUS);
	assert_int_equal(v->n_offers, 2);
	assert_string_equal(v->offers[1].provider, "Alpha Care");
	assert_int_equal(v->offers[1].offer.status, WF_OFFER_SENT);
	assert_int_equal(v->offers[1].offer.sent_at, L(2026, 12, 2, 10, 0));
	assert_int_equal(v->offers[1].offer.deadline_at, L(2026, 12, 7, 17, 0));
	bk_referral_view_destroy(v);
	REFUSED(BK_REFUSED, "not paused", bk_referral_resume(&w->ctx, id, 0));
	chain_ok(w);
	invariants_ok(w);

	/* a paused exhausted referral resumes to exhausted */
	int64_t ex = exhausted_referral(w, "C-601");
	OK(bk_referral_pause(&w->ctx, ex, 0, "family on holiday"));
	OK(bk_referral_resume(&w->ctx, ex, 0));
	assert_status(w, ex, "exhausted");
	invariants_ok(w);
}

static void test_withdraw(void **state)
{
	struct tu_db *w = *state;
	at(w, 2026, 11, 20, 10, 0);
	int64_t id = sent_referral(w, "C-700");
	at(w, 2026, 11, 23, 9, 0);
	REFUSED(BK_REFUSED, "why", bk_referral_withdraw(&w->ctx, id, 0, NULL));
	OK(bk_referral_withdraw(&w->ctx, id, 0, "family moved out of the county"));
	struct bk_referral_view *v = load(w, id);
	assert_int_equal(v->r.status, WF_WITHDRAWN);
	assert_int_equal(v->r.closed_at, L(2026, 11, 23, 9, 0));
	assert_string_equal(v->r.close_reason, "family moved out of the county");
	assert_int_equal(v->offers[0].offer.status, WF_OFFER_WITHDRAWN);
	bk_referral_view_destroy(v);
	/* final: nothing more */
	REFUSED(BK_REFUSED, "withdrawn", bk_referral_send(&w->ctx, id, 0));
	REFUSED(BK_REFUSED, "withdrawn", bk_referral_withdraw(&w->ctx, id, 0, "again"));
	REFUSED(BK_REFUSED, "withdrawn", bk_referral_resume(&w->ctx, id, 0));
	REFUSED(BK_REFUSED, "withdrawn", accept(w, id, "Alpha Care"));

	/* a sourced referral is ended, not withdrawn */
	int64_t s = sent_referral(w, "C-701");
	OK(accept(w, s, "Alpha Care"));
	REFUSED(BK_REFUSED, "end the package", bk_referral_withdraw(&w->ctx, s, 0, "no longer needed"));
	REFUSED(BK_REFUSED, "end the package", bk_referral_pause(&w->ctx, s, 0, "hospital stay"));
	/* a pending spot request is cancelled with its referral */
	int64_t ex = exhausted_referral(w, "C-702");
	int64_t spot = request_spot(w, ex, "25.00");
	OK(bk_referral_withdraw(&w->ctx, ex, 0, "needs met by family"));
	struct store_spot sp;
	spot_of(w, spot, &sp);
	assert_int_equal(sp.status, WF_SPOT_REJECTED);
	chain_ok(w);
	invariants_ok(w);
}

static void test_stale_version(void **state)
{
	struct tu_db *w = *state;
	at(w, 2026, 11, 20, 10, 0);
	int64_t id = sent_referral(w, "C-800");
	int64_t seen = version_of(w, id);
	/* someone else records a decline */
	as(w, "tl");
	OK(decline(w, id, "Alpha Care"));
	int64_t now = version_of(w, id);
	assert_true(now > seen);
	/* acting on the old screen is refused with a conflict */
	as(w, "ann");
	REFUSED(BK_CONFLICT, "changed after you looked", bk_referral_withdraw(&w->ctx, id, seen, "duplicate referral"));
	tu_assert_contains(w->ctx.msg, "referral.respond by tl");
	REFUSED(BK_CONFLICT, "nothing was changed", bk_referral_pause(&w->ctx, id, seen, "wait"));
	REFUSED(BK_CONFLICT, "version", bk_referral_respond(&w->ctx, id, seen, "Beta Care", BK_ANSWER_ACCEPT, NULL));
	struct bk_spot_input in = {
		.referral_id = id,
		.expect_version = seen,
		.provider = "Spot Co",
		.rate = "25.00",
		.hours = "10",
		.weeks = 52,
		.why = "x",
	};
	int64_t sid = 0;
	REFUSED(BK_CONFLICT, "version", bk_spot_request(&w->ctx, &in, &sid));
	/* with the current version it goes through */
	OK(bk_referral_pause(&w->ctx, id, now, "wait"));
	assert_int_equal(version_of(w, id), now + 1);
	/* a sweep that touches the offers moves the version on too */
	chain_ok(w);
}

static void test_refusals_change_nothing(void **state)
{
	struct tu_db *w = *state;
	at(w, 2026, 11, 20, 10, 0);
	int64_t id = new_referral(w, "C-900");
	/* responding on a new referral: send it first */
	REFUSED(BK_REFUSED, "send the referral first", accept(w, id, "Alpha Care"));
	REFUSED(BK_REFUSED, "send the referral first", decline(w, id, "Alpha Care"));
	REFUSED(BK_REFUSED, "not paused", bk_referral_resume(&w->ctx, id, 0));
	REFUSED(BK_REFUSED, "only a sourced package", bk_referral_end(&w->ctx, id, 0, NULL));
	REFUSED(BK_REFUSED, "no referral", bk_referral_send(&w->ctx, 9999, 0));
	OK(bk_referral_send(&w->ctx, id, 0));
	/* answers from a provider not approached, or unknown */
	REFUSED(BK_REFUSED, "not been approached", accept(w, id, "Beta Care"));
	REFUSED(BK_REFUSED, "no provider named", accept(w, id, "Nobody Ltd"));
	/* a decline needs its reason */
	REFUSED(BK_REFUSED, "reason", bk_referral_respond(&w->ctx, id, 0, "Alpha Care", BK_ANSWER_DECLINE, ""));
	REFUSED(BK_REFUSED, "start date",
	        bk_referral_respond(&w->ctx, id, 0, "Alpha Care", BK_ANSWER_ACCEPT, "2026-02-30"));
	/* sending again while the offer is open */
	REFUSED(BK_REFUSED, "already has its offers open", bk_referral_send(&w->ctx, id, 0));
	/* bad input for a new referral */
	struct bk_referral_input bad = {
		.case_ref = "John Smith",
		.lot = LOT,
		.district = DISTRICT,
		.hours = "10",
		.age = -1,
	};
	int64_t nid = 0;
	REFUSED(BK_REFUSED, "case reference", bk_referral_new(&w->ctx, &bad, &nid));
	bad.case_ref = "C-901";
	bad.hours = "200";
	REFUSED(BK_REFUSED, "hours", bk_referral_new(&w->ctx, &bad, &nid));
	bad.hours = "10";
	bad.district = "Atlantis";
	REFUSED(BK_REFUSED, "district", bk_referral_new(&w->ctx, &bad, &nid));
	bad.district = DISTRICT;
	bad.lot = 42;
	REFUSED(BK_REFUSED, "lot 42", bk_referral_new(&w->ctx, &bad, &nid));
	bad.lot = LOT;
	bad.panel_date = "2027-01-01";
	REFUSED(BK_REFUSED, "future", bk_referral_new(&w->ctx, &bad, &nid));
	/* a duplicate provider, a ranking naming an unknown or off-framework one */
	as(w, "tl");
	struct bk_provider_input dup = { .name = "alpha care", .active = -1, .framework = 1 };
	int64_t pid = 0;
	REFUSED(BK_REFUSED, "already a provider", bk_provider_add(&w->ctx, &dup, &pid));
	const char *unknown[] = { "Alpha Care", "Nobody Ltd" };
	REFUSED(BK_REFUSED, "no provider named", bk_rank_set(&w->ctx, LOT, DISTRICT, unknown, 2));
	const char *spot[] = { "Spot Co" };
	REFUSED(BK_REFUSED, "not on the framework", bk_rank_set(&w->ctx, LOT, DISTRICT, spot, 1));
	const char *twice[] = { "Alpha Care", "Beta Care", "alpha care" };
	REFUSED(BK_REFUSED, "twice", bk_rank_set(&w->ctx, LOT, DISTRICT, twice, 3));
	/* staff: unknown role, duplicate login, not an admin */
	as(w, "root");
	REFUSED(BK_REFUSED, "role", bk_staff_add(&w->ctx, "zed", "Zed", "boss"));
	REFUSED(BK_REFUSED, "already has a staff record", bk_staff_add(&w->ctx, "ann", "Ann Again", "officer"));
	REFUSED(BK_REFUSED, "your own administrator rights", bk_staff_deactivate(&w->ctx, "root"));
	as(w, "tl");
	REFUSED(BK_REFUSED, "administrator", bk_staff_add(&w->ctx, "zed", "Zed", "officer"));
	chain_ok(w);
	invariants_ok(w);
}

static void test_roles(void **state)
{
	struct tu_db *w = *state;
	/* an officer cannot keep providers or rankings */
	as(w, "ann");
	const char *order[] = { "Gamma Care", "Beta Care", "Alpha Care" };
	REFUSED(BK_REFUSED, "team leader", bk_rank_set(&w->ctx, LOT, DISTRICT, order, 3));
	struct bk_provider_input p = { .name = "Epsilon Care", .active = -1, .framework = 1 };
	int64_t pid = 0;
	REFUSED(BK_REFUSED, "team leader", bk_provider_add(&w->ctx, &p, &pid));
	struct bk_provider_input emb = { .name = "Alpha Care",
		                         .embargo = "late visits",
		                         .active = -1,
		                         .framework = -1 };
	REFUSED(BK_REFUSED, "team leader", bk_provider_set(&w->ctx, &emb, NULL));
	/* nor decide a spot purchase */
	int64_t id = exhausted_referral(w, "C-1000");
	int64_t spot = request_spot(w, id, "25.00");
	as(w, "ann");
	REFUSED(BK_REFUSED, "supervisor", bk_spot_decide(&w->ctx, spot, true, "ok", NULL));
	/* an administrator does not work referrals */
	as(w, "root");
	struct bk_referral_input in = { .case_ref = "C-1001",
		                        .lot = LOT,
		                        .district = DISTRICT,
		                        .hours = "5",
		                        .age = -1 };
	int64_t rid = 0;
	REFUSED(BK_REFUSED, "work referrals", bk_referral_new(&w->ctx, &in, &rid));
	/* a team leader can rank */
	as(w, "tl");
	OK(bk_rank_set(&w->ctx, LOT, DISTRICT, order, 3));
	OK(bk_provider_set(&w->ctx, &emb, NULL));
	struct store_provider a;
	assert_int_equal(store_provider_by_name(w->ctx.store, "Alpha Care", &a), STORE_OK);
	assert_string_equal(a.embargo, "late visits");
	/* the new order is used: Gamma first, Alpha embargoed */
	as(w, "ann");
	at(w, 2026, 11, 24, 10, 0);
	int64_t r2 = sent_referral(w, "C-1002");
	assert_offer(w, r2, 0, "Gamma Care", "sent");
	struct bk_referral_view *v = load(w, r2);
	assert_int_equal(v->n_candidates, 3);
	assert_string_equal(v->candidates[2].provider, "Alpha Care");
	assert_false(v->candidates[2].eligible);
	tu_assert_contains(v->candidates[2].reasons_text, "embargoed: late visits");
	bk_referral_view_destroy(v);
	/* a login with no staff record */
	assert_int_equal(bk_identify(&w->ctx, "mallory", true), BK_REFUSED);
	tu_assert_contains(w->ctx.msg, "no staff record");
	chain_ok(w);
	invariants_ok(w);
}

static void test_team_leader_approval(void **state)
{
	struct tu_db *w = *state;
	w->s.require_approval = true;
	set_policy(w);
	at(w, 2026, 11, 20, 10, 0);
	int64_t id = new_referral(w, "C-1100");
	REFUSED(BK_REFUSED, "approval", bk_referral_send(&w->ctx, id, 0));
	REFUSED(BK_REFUSED, "team leader", bk_referral_approve(&w->ctx, id, 0));
	as(w, "tl");
	OK(bk_referral_approve(&w->ctx, id, 0));
	assert_status(w, id, "ready");
	REFUSED(BK_REFUSED, "only a new referral", bk_referral_approve(&w->ctx, id, 0));
	as(w, "ann");
	OK(bk_referral_send(&w->ctx, id, 0));
	assert_status(w, id, "searching");
	invariants_ok(w);
}

static void test_sweep_idempotent_across_connections(void **state)
{
	struct tu_db *w = *state;
	at(w, 2026, 11, 20, 10, 0);
	int64_t a = new_referral(w, "C-1200");
	int64_t b = new_referral(w, "C-1201");
	OK(bk_referral_send(&w->ctx, a, 0));
	OK(bk_referral_send(&w->ctx, b, 0));
	/* nothing past its deadline yet: nothing changes */
	struct bk_sweep_result res;
	struct snapshot s0, s1;
	at(w, 2026, 11, 25, 16, 59);
	take(w, &s0);
	OK(bk_sweep(&w->ctx, &res));
	take(w, &s1);
	assert_same(&s0, &s1, "early sweep");
	/* past it: both expire, each referral gets its next provider */
	at(w, 2026, 11, 25, 17, 30);
	OK(bk_sweep(&w->ctx, &res));
	assert_int_equal(res.expired, 2);
	assert_int_equal(res.approached, 2);
	/* the same sweep again, here and from a second connection (cron) */
	take(w, &s0);
	int64_t events = rows_of(&s0, "event");
	OK(bk_sweep(&w->ctx, &res));
	assert_int_equal(res.expired + res.approached + res.exhausted + res.sourced, 0);
	struct bk_ctx cron;
	struct bk_open_opts o = { .path = w->path };
	assert_int_equal(bk_open(&cron, &w->s, &o), BK_OK);
	assert_int_equal(bk_identify(&cron, "ann", true), BK_OK);
	cron.now = w->ctx.now;
	assert_int_equal(bk_sweep(&cron, &res), BK_OK);
	assert_int_equal(res.expired + res.approached + res.exhausted + res.sourced, 0);
	bk_close(&cron);
	take(w, &s1);
	assert_same(&s0, &s1, "repeated sweep");
	assert_int_equal(rows_of(&s1, "event"), events);
	assert_int_equal(n_offers(w, a), 2);
	assert_int_equal(n_offers(w, b), 2);
	/* rank 2 was sent at 17:30 Wed 25, after the cut-off: received Thu 26,
	 * deadline Tue 1 Dec 17:00; rank 3 then Mon 7 Dec 17:00 */
	at(w, 2026, 12, 1, 16, 59);
	OK(bk_sweep(&w->ctx, &res));
	assert_int_equal(res.expired, 0);
	at(w, 2026, 12, 1, 17, 30);
	OK(bk_sweep(&w->ctx, &res));
	assert_int_equal(res.expired, 2);
	assert_int_equal(res.approached, 2);
	at(w, 2026, 12, 7, 17, 30);
	OK(bk_sweep(&w->ctx, &res));
	assert_int_equal(res.expired, 2);
	assert_int_equal(res.approached, 0);
	assert_int_equal(res.exhausted, 2);
	assert_status(w, a, "exhausted");
	assert_status(w, b, "exhausted");
	chain_ok(w);
	invariants_ok(w);
}

/* Two sweeps at once (cron and a workstation) never send two offers. */
static void test_concurrent_sweeps(void **state)
{
	struct tu_db *w = *state;
	at(w, 2026, 11, 20, 10, 0);
	enum { N = 12 };
	int64_t ids[N];
	for (int i = 0; i < N; i++) {
		char ref[16];
		snprintf(ref, sizeof ref, "C-13%02d", i);
		ids[i] = new_referral(w, ref);
		OK(bk_referral_send(&w->ctx, ids[i], 0));
	}
	int64_t when = L(2026, 11, 25, 17, 30);
	pid_t kids[3];
	for (int k = 0; k < 3; k++) {
		kids[k] = fork();
		assert_true(kids[k] >= 0);
		if (kids[k] == 0) {
			struct bk_ctx c;
			struct bk_open_opts o = { .path = w->path };
			int rc = 10;
			if (bk_open(&c, &w->s, &o) == BK_OK && bk_identify(&c, "ann", true) == BK_OK) {
				struct bk_sweep_result res;
				c.now = when;
				rc = bk_sweep(&c, &res) == BK_OK ? 0 : 11;
			}
			bk_close(&c);
			_exit(rc);
		}
	}
	for (int k = 0; k < 3; k++) {
		int status = 0;
		assert_int_equal(waitpid(kids[k], &status, 0), kids[k]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	for (int i = 0; i < N; i++) {
		assert_int_equal(n_offers(w, ids[i]), 2);
		assert_offer(w, ids[i], 0, "Alpha Care", "expired");
		assert_offer(w, ids[i], 1, "Beta Care", "sent");
	}
	chain_ok(w);
	invariants_ok(w);
}

/* --as is for test-mode databases only. */
static void test_as_refused_off_test_mode(void **state)
{
	struct tu_db *w = *state;
	char path[700];
	tu_newdb(w->dir, "real.db", path, sizeof path);
	struct bk_ctx real;
	struct bk_open_opts o = { .path = path, .create = true };
	assert_int_equal(bk_open(&real, &w->s, &o), BK_OK);
	real.now = w->ctx.now;
	assert_int_equal(bk_init(&real, "root", "Root", false), BK_OK);
	assert_false(real.test_mode);
	assert_int_equal(bk_identify(&real, "root", true), BK_USAGE);
	tu_assert_contains(real.msg, "--as");
	tu_assert_contains(real.msg, "test-mode");
	assert_int_equal(bk_identify(&real, "root", false), BK_OK);
	/* init twice is refused */
	assert_int_equal(bk_init(&real, "root", "Root", false), BK_REFUSED);
	bk_close(&real);
	tu_dropdb(path);
	/* and the test-mode database accepts it */
	assert_true(w->ctx.test_mode);
	assert_int_equal(bk_identify(&w->ctx, "tl", true), BK_OK);
}

/* An urgent referral a team leader escalates may go to a spot purchase
 * while the framework is still being searched. */
static void test_escalated_spot_request(void **state)
{
	struct tu_db *w = *state;
	at(w, 2026, 11, 20, 10, 0);
	struct bk_referral_input in = {
		.case_ref = "U-1",
		.lot = LOT,
		.district = DISTRICT,
		.hours = "10",
		.age = -1,
		.urgent = 1,
	};
	int64_t id = 0;
	OK(bk_referral_new(&w->ctx, &in, &id));
	OK(bk_referral_send(&w->ctx, id, 0));
	struct bk_spot_input si = {
		.referral_id = id,
		.provider = "Spot Co",
		.rate = "25.00",
		.hours = "10",
		.weeks = 12,
		.why = "at risk",
	};
	int64_t spot = 0;
	REFUSED(BK_REFUSED, "exhausted", bk_spot_request(&w->ctx, &si, &spot));
	REFUSED(BK_REFUSED, "team leader", bk_referral_escalate(&w->ctx, id, 0, "risk of harm"));
	as(w, "tl");
	OK(bk_referral_escalate(&w->ctx, id, 0, "risk of harm at home"));
	REFUSED(BK_REFUSED, "already escalated", bk_referral_escalate(&w->ctx, id, 0, "again"));
	as(w, "ann");
	OK(bk_spot_request(&w->ctx, &si, &spot));
	assert_status(w, id, "spot_requested");
	/* the framework offer still open is withdrawn */
	assert_offer(w, id, 0, "Alpha Care", "withdrawn");
	/* a referral that is not urgent cannot be escalated */
	int64_t plain = new_referral(w, "U-2");
	as(w, "tl");
	REFUSED(BK_REFUSED, "urgent", bk_referral_escalate(&w->ctx, plain, 0, "hurry"));
	chain_ok(w);
	invariants_ok(w);
}

/* BUG (reported): escalating a new (unsent) urgent referral succeeds and
 * says it "may now go to a spot purchase before the framework is
 * exhausted", but the spot request is then refused with "a spot purchase
 * can be requested only when the framework is exhausted (or a team leader
 * escalated an urgent referral)". Either the escalation should be refused
 * (send first) or the request allowed; the two must agree. */
static void test_escalated_new_referral_consistent(void **state)
{
	struct tu_db *w = *state;
	at(w, 2026, 11, 20, 10, 0);
	struct bk_referral_input in = {
		.case_ref = "U-3",
		.lot = LOT,
		.district = DISTRICT,
		.hours = "10",
		.age = -1,
		.urgent = 1,
	};
	int64_t id = 0;
	OK(bk_referral_new(&w->ctx, &in, &id));
	as(w, "tl");
	enum bk_status esc = bk_referral_escalate(&w->ctx, id, 0, "risk of harm at home");
	if (esc != BK_OK)
		return; /* refused up front: consistent */
	char said[sizeof w->ctx.msg];
	snprintf(said, sizeof said, "%s", w->ctx.msg);
	as(w, "ann");
	struct bk_spot_input si = {
		.referral_id = id,
		.provider = "Spot Co",
		.rate = "25.00",
		.hours = "10",
		.weeks = 12,
		.why = "at risk",
	};
	int64_t spot = 0;
	enum bk_status st = bk_spot_request(&w->ctx, &si, &spot);
	if (st != BK_OK)
		fail_msg("escalate said \"%s\", then the spot request was refused: \"%s\"", said, w->ctx.msg);
}

/* Issue 14, class 2: who acts is read again inside each action's
 * transaction. A supervisor deactivated (or moved to another role) while
 * their workstation is open is refused on the next action. */
static void test_actor_checked_in_transaction(void **state)
{
	struct tu_db *w = *state;
	int64_t id = exhausted_referral(w, "C-900");
	int64_t spot = request_spot(w, id, "25.00");
	as(w, "sam");
	struct bk_actor sam = w->ctx.actor; /* sam's workstation, opened now */
	as(w, "root");
	OK(bk_staff_deactivate(&w->ctx, "sam"));
	w->ctx.actor = sam;
	REFUSED(BK_REFUSED, "deactivated", bk_spot_decide(&w->ctx, spot, true, "approved from an open screen", NULL));
	/* and nothing more with that identity */
	REFUSED(BK_REFUSED, "not identified", bk_spot_decide(&w->ctx, spot, true, "again", NULL));
	/* sue becomes an officer while her screen is open */
	as(w, "sue");
	struct bk_actor sue = w->ctx.actor;
	as(w, "root");
	OK(bk_staff_set_role(&w->ctx, "sue", "officer"));
	w->ctx.actor = sue;
	REFUSED(BK_REFUSED, "changed from supervisor to brokerage officer",
	        bk_spot_decide(&w->ctx, spot, true, "ok", NULL));
	/* her next try is judged by the role she has now */
	REFUSED(BK_REFUSED, "supervisor", bk_spot_decide(&w->ctx, spot, true, "ok", NULL));
	chain_ok(w);
	invariants_ok(w);
}

/* Issue 14, class 3: the provider is checked again when a spot purchase is
 * requested and when it is approved: embargo, red risk, inactive, CQC
 * registration for a lot that needs it, and the ages it serves. */
static void test_spot_provider_rechecked(void **state)
{
	struct tu_db *w = *state;
	int64_t id = exhausted_referral(w, "C-910");
	int64_t spot = request_spot(w, id, "25.00");
	/* embargoed after the request */
	as(w, "tl");
	struct bk_provider_input emb = { .name = "Spot Co",
		                         .embargo = "safeguarding inquiry",
		                         .active = -1,
		                         .framework = -1 };
	OK(bk_provider_set(&w->ctx, &emb, NULL));
	as(w, "sam");
	REFUSED(BK_REFUSED, "embargoed", bk_spot_decide(&w->ctx, spot, true, "fine", NULL));
	/* rejecting is still possible */
	OK(bk_spot_decide(&w->ctx, spot, false, "provider embargoed", NULL));
	as(w, "tl");
	struct bk_provider_input lift = { .name = "Spot Co", .no_embargo = true, .active = -1, .framework = -1 };
	OK(bk_provider_set(&w->ctx, &lift, NULL));
	/* the ages it serves: 30 to 60, the referral is for a child of 12 */
	struct bk_provider_input ages = { .name = "Spot Co", .ages = "30-60", .active = -1, .framework = -1 };
	OK(bk_provider_set(&w->ctx, &ages, NULL));
	as(w, "ann");
	struct bk_spot_input in = {
		.referral_id = id,
		.provider = "Spot Co",
		.rate = "25.00",
		.hours = "10",
		.weeks = 52,
		.why = "exhausted",
	};
	int64_t sid = 0;
	REFUSED(BK_REFUSED, "age", bk_spot_request(&w->ctx, &in, &sid));
	/* no CQC registration for domiciliary care (lot 2) */
	as(w, "tl");
	struct bk_provider_input young = { .name = "Spot Co", .ages = "0-25", .active = -1, .framework = -1 };
	OK(bk_provider_set(&w->ctx, &young, NULL));
	as(w, "ann");
	at(w, 2026, 11, 24, 9, 0);
	struct bk_referral_input dom = {
		.case_ref = "C-911",
		.lot = 2,
		.district = DISTRICT,
		.hours = "10",
		.age = 12,
		.urgent = 0,
	};
	int64_t rid = 0;
	OK(bk_referral_new(&w->ctx, &dom, &rid));
	OK(bk_referral_send(&w->ctx, rid, 0)); /* nobody ranked: exhausted */
	assert_status(w, rid, "exhausted");
	in.referral_id = rid;
	REFUSED(BK_REFUSED, "CQC", bk_spot_request(&w->ctx, &in, &sid));
	chain_ok(w);
	invariants_ok(w);
}

static void test_end_package(void **state)
{
	struct tu_db *w = *state;
	at(w, 2026, 11, 20, 10, 0);
	int64_t id = sent_referral(w, "C-1300");
	OK(accept(w, id, "Alpha Care"));
	REFUSED(BK_REFUSED, "before it was sourced", bk_referral_end(&w->ctx, id, 0, "2026-11-01"));
	/* a date after today is a planned end: active until then (issue 14) */
	OK(bk_referral_end(&w->ctx, id, 0, "2027-03-31"));
	tu_assert_contains(w->ctx.msg, "will end on");
	struct bk_referral_view *v = load(w, id);
	assert_int_equal(v->r.status, WF_SOURCED);
	assert_int_equal(v->r.ended_on, D(2027, 3, 31));
	bk_referral_view_destroy(v);
	as(w, "tl");
	struct bk_sweep_result res;
	at(w, 2027, 3, 30, 9, 0);
	OK(bk_sweep(&w->ctx, &res));
	assert_int_equal(res.ended, 0);
	at(w, 2027, 3, 31, 9, 0);
	OK(bk_sweep(&w->ctx, &res));
	assert_int_equal(res.ended, 1);
	v = load(w, id);
	assert_int_equal(v->r.status, WF_ENDED);
	assert_int_equal(v->r.ended_on, D(2027, 3, 31));
	bk_referral_view_destroy(v);
	REFUSED(BK_REFUSED, "ended", bk_referral_send(&w->ctx, id, 0));
	invariants_ok(w);
}

/* The waiting list's first screen: which keys its rows can come from. */
static void test_waiting_first(void **state)
{
	(void)state;
	struct bk_waiting_key k[] = {
		{ .id = 1, .waited_days = 5 }, { .id = 2, .waited_days = 9 }, { .id = 3, .waited_days = 9 },
		{ .id = 4, .waited_days = 3 }, { .id = 5, .waited_days = 9 }, { .id = 6, .waited_days = 1 },
		{ .id = 7, .waited_days = 0 }, { .id = 8, .waited_days = 0 },
	};
	int n = (int)(sizeof k / sizeof k[0]);
	/* two wanted, but three waited the longest: all three, in id order */
	assert_int_equal(bk_waiting_first(k, n, 2), 3);
	const int64_t order[] = { 2, 3, 5, 1, 4, 6, 7, 8 };
	for (int i = 0; i < n; i++)
		assert_int_equal(k[i].id, order[i]);
	assert_int_equal(bk_waiting_first(k, n, 4), 4);
	assert_int_equal(bk_waiting_first(k, n, 7), 8); /* the two at 0 days tie */
	assert_int_equal(bk_waiting_first(k, n, 8), 8);
	assert_int_equal(bk_waiting_first(k, n, 50), 8);
	assert_int_equal(bk_waiting_first(k, n, 0), 0);
	assert_int_equal(bk_waiting_first(k, 0, 5), 0);
}

struct key_seen {
	int n;
	int64_t ids[16];
	int waited[16];
};

static int key_seen(void *ud, const struct bk_waiting_key *k)
{
	struct key_seen *ks = ud;
	if (ks->n < 16) {
		ks->ids[ks->n] = k->id;
		ks->waited[ks->n] = k->waited_days;
	}
	ks->n++;
	return 0;
}

static int row_seen(void *ud, const struct bk_referral_row *row)
{
	struct key_seen *ks = ud;
	if (ks->n < 16) {
		ks->ids[ks->n] = row->r->id;
		ks->waited[ks->n] = row->waited_days;
	}
	ks->n++;
	return 0;
}

/* The keys are the waiting list's own referrals with its days waited, and
 * one row read by id is that row of the list. */
static void test_waiting_keys_match_list(void **state)
{
	struct tu_db *w = *state;
	int64_t a = new_referral(w, "C-1400");
	int64_t b = new_referral(w, "C-1401");
	OK(bk_referral_send(&w->ctx, a, 0));
	w->ctx.now += 6 * 86400;
	int64_t c = sent_referral(w, "C-1402");
	OK(accept(w, c, "Alpha Care"));
	struct key_seen keys = { 0 }, rows = { 0 };
	OK(bk_waiting_keys(&w->ctx, key_seen, &keys));
	struct store_referral_filter f = { .unsourced_only = true, .brief = true };
	OK(bk_referral_list(&w->ctx, &f, row_seen, &rows));
	assert_true(keys.n >= 2);
	assert_int_equal(keys.n, rows.n);
	for (int i = 0; i < keys.n && i < 16; i++) {
		assert_int_equal(keys.ids[i], rows.ids[i]);
		assert_int_equal(keys.waited[i], rows.waited[i]);
		assert_true(keys.ids[i] != c); /* accepted: sourced, not waiting */
	}
	bool saw_a = false;
	for (int i = 0; i < keys.n && i < 16; i++)
		if (keys.ids[i] == a) {
			saw_a = true;
			assert_true(keys.waited[i] >= 6);
		}
	assert_true(saw_a);
	struct key_seen one = { 0 };
	f.id = b;
	OK(bk_referral_list(&w->ctx, &f, row_seen, &one));
	assert_int_equal(one.n, 1);
	assert_int_equal(one.ids[0], b);
	f.id = c; /* sourced: not on the waiting list */
	one.n = 0;
	OK(bk_referral_list(&w->ctx, &f, row_seen, &one));
	assert_int_equal(one.n, 0);
}

/* A list asked for its first n rows gets exactly those, in the list's
 * order (the store's SQL LIMIT, on both engines), whatever form the query
 * takes; 0 is every row, and a limit past the end is the whole list. */
static void test_list_limit(void **state)
{
	struct tu_db *w = *state;
	int64_t ids[5];
	for (int i = 0; i < 5; i++) {
		char ref[16];
		snprintf(ref, sizeof ref, "C-15%02d", i);
		ids[i] = new_referral(w, ref);
	}
	int64_t done = sent_referral(w, "C-1599");
	OK(accept(w, done, "Alpha Care"));
	struct store_referral_filter forms[] = {
		{ .unsourced_only = true, .brief = true }, { .unsourced_only = true },
		{ .status = "new", .brief = true },        { .status = "new" },
		{ .open_only = true, .brief = true },      { 0 },
	};
	for (size_t k = 0; k < sizeof forms / sizeof forms[0]; k++) {
		struct store_referral_filter f = forms[k];
		struct key_seen all = { 0 }, some = { 0 };
		OK(bk_referral_list(&w->ctx, &f, row_seen, &all));
		assert_true(all.n >= 5);
		f.limit = 2;
		OK(bk_referral_list(&w->ctx, &f, row_seen, &some));
		assert_int_equal(some.n, 2);
		assert_int_equal(some.ids[0], all.ids[0]);
		assert_int_equal(some.ids[1], all.ids[1]);
		some.n = 0;
		f.limit = all.n + 10;
		OK(bk_referral_list(&w->ctx, &f, row_seen, &some));
		assert_int_equal(some.n, all.n);
		some.n = 0;
		f.limit = 0;
		OK(bk_referral_list(&w->ctx, &f, row_seen, &some));
		assert_int_equal(some.n, all.n);
	}
	/* the first rows of the waiting list are its oldest referrals, and
	 * the sourced one is not among them */
	struct store_referral_filter f = { .unsourced_only = true, .brief = true, .limit = 3 };
	struct key_seen first = { 0 };
	OK(bk_referral_list(&w->ctx, &f, row_seen, &first));
	assert_int_equal(first.n, 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(first.ids[i], ids[i]);
	/* with one referral asked by id, a limit of one is that row */
	struct store_referral_filter one = { .unsourced_only = true, .brief = true, .id = ids[4], .limit = 1 };
	struct key_seen got = { 0 };
	OK(bk_referral_list(&w->ctx, &one, row_seen, &got));
	assert_int_equal(got.n, 1);
	assert_int_equal(got.ids[0], ids[4]);
}

/* A preview is the action itself, rolled back: it changes nothing, and
 * what it says is what the action then does (the providers approached,
 * their deadline, exhausted or sourced, the offers withdrawn), refusals
 * included. */
static void expect_plan_done(struct tu_db *w, int64_t id, const struct bk_plan *p, int first_new)
{
	struct bk_referral_view *v = load(w, id);
	assert_int_equal(v->n_offers - first_new, p->approached);
	for (int i = 0; i < p->approached; i++) {
		assert_string_equal(v->offers[first_new + i].provider, p->provider[i]);
		assert_int_equal(v->offers[first_new + i].offer.rank, p->rank[i]);
		assert_int_equal(v->offers[first_new + i].offer.deadline_at, p->deadline);
	}
	assert_int_equal(v->r.status == WF_EXHAUSTED, p->exhausted);
	assert_int_equal(v->r.status == WF_SOURCED, p->sourced);
	bk_referral_view_destroy(v);
}

static void test_preview_is_what_the_action_does(void **state)
{
	struct tu_db *w = *state;
	at(w, 2026, 11, 20, 10, 0);
	int64_t id = new_referral(w, "C-PRE");
	struct bk_plan p;
	struct snapshot before, after;

	/* send: Alpha Care, rank 1 of 3, by Wed 25 Nov 17:00; nothing written */
	take(w, &before);
	OK(bk_preview_send(&w->ctx, id, 0, &p));
	take(w, &after);
	assert_same(&before, &after, "bk_preview_send");
	chain_ok(w);
	tu_assert_contains(w->ctx.msg, "Alpha Care");
	assert_int_equal(p.approached, 1);
	assert_string_equal(p.provider[0], "Alpha Care");
	assert_int_equal(p.rank[0], 1);
	assert_int_equal(p.ranked, 3);
	assert_int_equal(p.deadline, L(2026, 11, 25, 17, 0));
	assert_false(p.exhausted);
	OK(bk_referral_send(&w->ctx, id, 0));
	expect_plan_done(w, id, &p, 0);

	/* a decline: the next provider, as the action then approaches it */
	at(w, 2026, 11, 23, 9, 0);
	OK(bk_preview_respond(&w->ctx, id, 0, "Alpha Care", BK_ANSWER_DECLINE, "no carers free", &p));
	assert_int_equal(p.approached, 1);
	assert_string_equal(p.provider[0], "Beta Care");
	assert_int_equal(n_offers(w, id), 1);
	OK(decline(w, id, "Alpha Care"));
	expect_plan_done(w, id, &p, 1);

	/* a decline without its reason is refused by the preview as by the action */
	REFUSED(BK_REFUSED, "reason", bk_preview_respond(&w->ctx, id, 0, "Beta Care", BK_ANSWER_DECLINE, "", &p));

	/* the last decline: nobody left, exhausted */
	OK(bk_preview_respond(&w->ctx, id, 0, "Beta Care", BK_ANSWER_DECLINE, "no carers free", &p));
	assert_string_equal(p.provider[0], "Gamma Care");
	OK(decline(w, id, "Beta Care"));
	expect_plan_done(w, id, &p, 2);
	OK(bk_preview_respond(&w->ctx, id, 0, "Gamma Care", BK_ANSWER_DECLINE, "no carers free", &p));
	assert_int_equal(p.approached, 0);
	assert_true(p.exhausted);
	OK(decline(w, id, "Gamma Care"));
	expect_plan_done(w, id, &p, 3);

	/* sending again: refused in the preview with the action's words */
	REFUSED(BK_REFUSED, "spot purchase", bk_preview_send(&w->ctx, id, 0, &p));
	REFUSED(BK_REFUSED, "spot purchase", bk_referral_send(&w->ctx, id, 0));
	invariants_ok(w);
}

static void test_preview_parallel_and_withdraw(void **state)
{
	struct tu_db *w = *state;
	int64_t id = parallel_referral(w, "C-PAR");
	struct bk_plan p;
	OK(bk_preview_send(&w->ctx, id, 0, &p));
	assert_int_equal(p.approached, 3);
	assert_int_equal(p.ranked, 4);
	OK(bk_referral_send(&w->ctx, id, 0));
	expect_plan_done(w, id, &p, 0);

	/* rank 3 accepts while 1 and 2 are open: not sourced yet */
	at(w, 2026, 11, 23, 9, 0);
	OK(bk_preview_respond(&w->ctx, id, 0, "Gamma Care", BK_ANSWER_ACCEPT, "2026-12-07", &p));
	assert_false(p.sourced);
	assert_int_equal(p.approached, 0);
	OK(accept(w, id, "Gamma Care"));
	assert_status(w, id, "searching");

	/* withdrawing names every open or unconfirmed offer it withdraws */
	struct snapshot before, after;
	take(w, &before);
	OK(bk_preview_withdraw(&w->ctx, id, 0, "family moved away", &p));
	take(w, &after);
	assert_same(&before, &after, "bk_preview_withdraw");
	assert_int_equal(p.withdrawn, 3);
	assert_string_equal(p.withdrawn_from[0], "Alpha Care");
	assert_string_equal(p.withdrawn_from[1], "Beta Care");
	assert_string_equal(p.withdrawn_from[2], "Gamma Care");
	OK(bk_referral_withdraw(&w->ctx, id, 0, "family moved away"));
	struct bk_referral_view *v = load(w, id);
	int withdrawn = 0;
	for (int i = 0; i < v->n_offers; i++)
		withdrawn += v->offers[i].offer.status == WF_OFFER_WITHDRAWN;
	assert_int_equal(withdrawn, p.withdrawn);
	bk_referral_view_destroy(v);
	chain_ok(w);
	invariants_ok(w);
}

/* ---- issue 17: answers with their own time, decline codes, hand-back ---- */

static struct store_offer offer_at(struct tu_db *w, int64_t id, int k)
{
	struct bk_referral_view *v = load(w, id);
	assert_true(k < v->n_offers);
	struct store_offer o = v->offers[k].offer;
	bk_referral_view_destroy(v);
	return o;
}

static enum bk_status answer(struct tu_db *w, int64_t id, const char *provider, enum bk_answer a, const char *text,
                             const char *code, int64_t when, const char *via)
{
	struct bk_response r = { .provider = provider,
		                 .answer = a,
		                 .text = text,
		                 .code = code,
		                 .at = when,
		                 .via = via };
	return bk_referral_answer(&w->ctx, id, 0, &r);
}

/* A report's cell by the row's first text and the column's key; -1 when empty. */
static int64_t cell(struct tu_db *w, const char *report, const char *from, const char *to, const char *row_text,
                    const char *key)
{
	struct bk_report_params p = { .from = from, .to = to };
	struct bk_table *t = NULL;
	OK(bk_report(&w->ctx, report, &p, &t));
	int col = -1, text_col = -1;
	for (int c = 0; c < t->n_cols; c++) {
		if (strcmp(t->cols[c].key, key) == 0)
			col = c;
		if (text_col < 0 && t->cols[c].type == BK_COL_TEXT)
			text_col = c;
	}
	if (col < 0)
		fail_msg("%s has no column %s", report, key);
	int64_t v = -2;
	for (int r = 0; r < t->n_rows; r++) {
		const struct bk_cell *x = &t->rows[r].cells[text_col];
		if (x->set && x->text && strcmp(x->text, row_text) == 0) {
			v = t->rows[r].cells[col].set ? t->rows[r].cells[col].v : -1;
			break;
		}
	}
	bk_table_destroy(t);
	if (v == -2)
		fail_msg("%s has no row %s", report, row_text);
	return v;
}

static void deep_check_ok(struct tu_db *w)
{
	char was[64];
	snprintf(was, sizeof was, "%s", w->ctx.actor.login);
	as(w, "root");
	struct bk_check_result res;
	OK(bk_check(&w->ctx, false, true, report_problem, NULL, &res));
	assert_int_equal(res.problems, 0);
	as(w, was);
}

static void test_answer_time_bounds(void **state)
{
	struct tu_db *w = *state;
	at(w, 2026, 11, 20, 10, 0); /* Fri: Alpha must answer by Wed 25 Nov 17:00 */
	int64_t id = sent_referral(w, "C-AT");
	at(w, 2026, 11, 25, 16, 30);
	/* before the offer was sent, or after now: refused in words, nothing changed */
	REFUSED(BK_REFUSED, "before the offer was sent",
	        answer(w, id, "Alpha Care", BK_ANSWER_DECLINE, NULL, "capacity", L(2026, 11, 20, 9, 59), "phone"));
	REFUSED(BK_REFUSED, "in the future",
	        answer(w, id, "Alpha Care", BK_ANSWER_ACCEPT, NULL, NULL, L(2026, 11, 25, 16, 31), "phone"));
	REFUSED(BK_REFUSED, "not 'fax'",
	        answer(w, id, "Alpha Care", BK_ANSWER_ACCEPT, NULL, NULL, L(2026, 11, 25, 15, 0), "fax"));
	/* phoned at 15:50 on the last day, typed in after the deadline (the
	 * sweep has not run): on time, counted at 15:50 */
	at(w, 2026, 11, 25, 17, 30);
	OK(answer(w, id, "Alpha Care", BK_ANSWER_DECLINE, NULL, "capacity", L(2026, 11, 25, 15, 50), "phone"));
	struct store_offer o = offer_at(w, id, 0);
	assert_int_equal(o.answered_at, L(2026, 11, 25, 15, 50));
	assert_int_equal(o.recorded_at, L(2026, 11, 25, 17, 30));
	assert_string_equal(o.via, "phone");
	assert_string_equal(o.decline_code, "capacity");
	assert_int_equal(o.status, WF_OFFER_DECLINED);
	/* by the offer's id (as the mail inbox answers): an offer no longer open, or none */
	struct bk_response byid = { .answer = BK_ANSWER_DECLINE, .code = "area" };
	REFUSED(BK_REFUSED, "declined this referral", bk_offer_answer(&w->ctx, o.id, 0, &byid));
	REFUSED(BK_REFUSED, "there is no offer 999", bk_offer_answer(&w->ctx, 999, 0, &byid));
	/* Beta, sent now (17:30, after the cut-off): received Thu 26, due Mon 30 17:00 */
	assert_offer(w, id, 1, "Beta Care", "sent");
	/* a request for information: its time is when it was asked */
	at(w, 2026, 11, 27, 12, 0);
	struct bk_response q = { .answer = BK_ANSWER_INFO,
		                 .text = "Is there a plan?",
		                 .at = L(2026, 11, 27, 11, 0),
		                 .via = "email" };
	OK(bk_offer_answer(&w->ctx, offer_at(w, id, 1).id, 0, &q));
	assert_int_equal(offer_at(w, id, 1).info_requested_at, L(2026, 11, 27, 11, 0));
	OK(bk_referral_info_supplied(&w->ctx, id, 0, "Beta Care")); /* Fri 27 12:00: one working day more */
	/* an answer cannot come before the information was supplied */
	at(w, 2026, 12, 2, 11, 0);
	REFUSED(BK_REFUSED, "before the information was supplied",
	        answer(w, id, "Beta Care", BK_ANSWER_ACCEPT, NULL, NULL, L(2026, 11, 27, 11, 30), NULL));
	/* Beta's deadline is now Tue 1 Dec 17:00; it accepts Wed 2 Dec 10:00: late by one working hour */
	assert_int_equal(offer_at(w, id, 1).deadline_at, L(2026, 12, 1, 17, 0));
	OK(answer(w, id, "Beta Care", BK_ANSWER_ACCEPT, "2026-12-07", NULL, L(2026, 12, 2, 10, 0), "post"));
	assert_status(w, id, "sourced");
	/* late-answers: Alpha on time, Beta's first answer (the question, Fri 27) was on time too */
	assert_int_equal(cell(w, "late-answers", "2026-11-01", "2026-12-02", "Alpha Care", "answered"), 1);
	assert_int_equal(cell(w, "late-answers", "2026-11-01", "2026-12-02", "Alpha Care", "answered_late"), 0);
	assert_int_equal(cell(w, "late-answers", "2026-11-01", "2026-12-02", "Beta Care", "answered_late"), 0);
	chain_ok(w);
	invariants_ok(w);
	deep_check_ok(w);
}

static void sweep_as_tl(struct tu_db *w)
{
	as(w, "tl");
	struct bk_sweep_result sr;
	OK(bk_sweep(&w->ctx, &sr));
	as(w, "ann");
}

/* The sweep expired the offer at 17:00; the answer had come at 16:50 and
 * is typed in at 17:30: recorded in time, as if the sweep had not run. */
static void test_answer_in_time_after_the_sweep(void **state)
{
	struct tu_db *w = *state;
	at(w, 2026, 11, 20, 10, 0); /* Alpha due Wed 25 Nov 17:00 */
	int64_t d = new_referral(w, "C-SW1"), acc = new_referral(w, "C-SW2");
	OK(bk_referral_send(&w->ctx, d, 0));
	OK(bk_referral_send(&w->ctx, acc, 0));
	at(w, 2026, 11, 25, 17, 1);
	sweep_as_tl(w);
	assert_offer(w, d, 0, "Alpha Care", "expired");
	assert_offer(w, d, 1, "Beta Care", "sent");
	at(w, 2026, 11, 25, 17, 30);
	/* without its time, or with a time after the deadline: still expired */
	REFUSED(BK_REFUSED, "expired on", answer(w, d, "Alpha Care", BK_ANSWER_DECLINE, NULL, "area", 0, NULL));
	REFUSED(BK_REFUSED, "expired on",
	        answer(w, d, "Alpha Care", BK_ANSWER_DECLINE, NULL, "area", L(2026, 11, 25, 17, 0) + 1, NULL));
	REFUSED(BK_REFUSED, "cannot open it again",
	        answer(w, d, "Alpha Care", BK_ANSWER_INFO, "a question", NULL, L(2026, 11, 25, 16, 50), NULL));
	/* a decline that came at 16:50: declined, on time; the search goes on as it was */
	OK(answer(w, d, "Alpha Care", BK_ANSWER_DECLINE, NULL, "area", L(2026, 11, 25, 16, 50), "phone"));
	tu_assert_contains(w->ctx.msg, "declined in time");
	assert_offer(w, d, 0, "Alpha Care", "declined");
	assert_int_equal(offer_at(w, d, 0).answered_at, L(2026, 11, 25, 16, 50));
	assert_offer(w, d, 1, "Beta Care", "sent");
	assert_int_equal(n_offers(w, d), 2);
	assert_status(w, d, "searching");
	/* an acceptance that came at 16:55: Alpha ranks first, it is sourced and Beta withdrawn */
	OK(answer(w, acc, "Alpha Care", BK_ANSWER_ACCEPT, "2026-12-07", NULL, L(2026, 11, 25, 16, 55), "phone"));
	assert_status(w, acc, "sourced");
	assert_offer(w, acc, 0, "Alpha Care", "accepted");
	assert_offer(w, acc, 1, "Beta Care", "withdrawn");
	/* on an exhausted referral too: searched again, and sourced */
	at(w, 2026, 11, 30, 10, 0);
	int64_t ex = new_referral(w, "C-SW3");
	OK(bk_referral_send(&w->ctx, ex, 0)); /* Alpha due Thu 3 Dec 17:00 */
	OK(decline(w, ex, "Alpha Care"));     /* Beta due Thu 3 Dec */
	OK(decline(w, ex, "Beta Care"));      /* Gamma due Thu 3 Dec */
	at(w, 2026, 12, 3, 17, 5);
	sweep_as_tl(w);
	assert_status(w, ex, "exhausted");
	REFUSED(BK_REFUSED, "every framework provider has answered",
	        answer(w, ex, "Gamma Care", BK_ANSWER_ACCEPT, NULL, NULL, 0, NULL));
	OK(answer(w, ex, "Gamma Care", BK_ANSWER_ACCEPT, NULL, NULL, L(2026, 12, 3, 16, 0), "email"));
	assert_status(w, ex, "sourced");
	/* the late-answers report counts them on time */
	assert_int_equal(cell(w, "late-answers", "2026-11-01", "2026-12-03", "Alpha Care", "answered_late"), 0);
	assert_int_equal(cell(w, "late-answers", "2026-11-01", "2026-12-03", "Alpha Care", "expired"), 0);
	assert_int_equal(cell(w, "late-answers", "2026-11-01", "2026-12-03", "Gamma Care", "answered"), 1);
	chain_ok(w);
	invariants_ok(w);
	deep_check_ok(w);
}

/* An answer by the offer's id (the inbox's way) goes to that offer only. */
static void test_answer_by_offer(void **state)
{
	struct tu_db *w = *state;
	at(w, 2026, 11, 20, 10, 0);
	int64_t id = sent_referral(w, "C-BYID");
	int64_t first = offer_at(w, id, 0).id;
	OK(bk_referral_pause(&w->ctx, id, 0, "family asked to wait"));
	OK(bk_referral_resume(&w->ctx, id, 0)); /* Alpha is offered it again */
	int64_t again = offer_at(w, id, 1).id;
	assert_true(again != first);
	struct bk_response a = { .answer = BK_ANSWER_DECLINE, .code = "needs", .via = "email" };
	REFUSED(BK_REFUSED, "offered the referral again", bk_offer_answer(&w->ctx, first, 0, &a));
	OK(bk_offer_answer(&w->ctx, again, 0, &a));
	assert_offer(w, id, 1, "Alpha Care", "declined");
	assert_string_equal(offer_at(w, id, 1).decline_code, "needs");
	chain_ok(w);
}

static void test_late_answers_report(void **state)
{
	struct tu_db *w = *state;
	at(w, 2026, 11, 20, 10, 0); /* Alpha due Wed 25 Nov 17:00 */
	int64_t id = sent_referral(w, "C-LATE");
	/* a decline that reached the council Thu 26 at 11:00: two working hours late */
	at(w, 2026, 11, 26, 12, 0);
	OK(answer(w, id, "Alpha Care", BK_ANSWER_DECLINE, "no carers free", NULL, L(2026, 11, 26, 11, 0), "phone"));
	assert_string_equal(offer_at(w, id, 0).decline_code, "other"); /* words alone: other */
	/* Beta (sent Thu 26 12:00, due Tue 1 Dec 17:00) lets it expire */
	at(w, 2026, 12, 2, 9, 0);
	as(w, "tl");
	struct bk_sweep_result sr;
	OK(bk_sweep(&w->ctx, &sr));
	as(w, "ann");
	assert_offer(w, id, 1, "Beta Care", "expired");
	const char *f = "2026-11-01", *t = "2026-12-02";
	assert_int_equal(cell(w, "late-answers", f, t, "Alpha Care", "offers"), 1);
	assert_int_equal(cell(w, "late-answers", f, t, "Alpha Care", "answered_late"), 1);
	assert_int_equal(cell(w, "late-answers", f, t, "Alpha Care", "median_late"), 120);
	assert_int_equal(cell(w, "late-answers", f, t, "Beta Care", "expired"), 1);
	assert_int_equal(cell(w, "late-answers", f, t, "Beta Care", "answered"), 0);
	assert_int_equal(cell(w, "late-answers", f, t, "All providers", "offers"), 3); /* Gamma approached too */
	/* as it stood at the end of Wed 25: nothing answered yet, nothing expired */
	assert_int_equal(cell(w, "late-answers", f, "2026-11-25", "Alpha Care", "answered"), 0);
	assert_int_equal(cell(w, "late-answers", f, "2026-11-25", "All providers", "expired"), 0);
}

static void test_decline_codes(void **state)
{
	struct tu_db *w = *state;
	at(w, 2026, 11, 20, 10, 0);
	int64_t id = sent_referral(w, "C-CODE");
	at(w, 2026, 11, 23, 10, 0);
	/* an unknown code is refused naming the codes; other needs words; only a decline takes a code */
	REFUSED(BK_REFUSED, "capacity (no capacity)",
	        answer(w, id, "Alpha Care", BK_ANSWER_DECLINE, NULL, "budget", 0, NULL));
	REFUSED(BK_REFUSED, "needs the provider's reason in words",
	        answer(w, id, "Alpha Care", BK_ANSWER_DECLINE, NULL, "other", 0, NULL));
	REFUSED(BK_REFUSED, "needs its code", answer(w, id, "Alpha Care", BK_ANSWER_DECLINE, NULL, NULL, 0, NULL));
	REFUSED(BK_REFUSED, "only a decline takes a code",
	        answer(w, id, "Alpha Care", BK_ANSWER_ACCEPT, NULL, "area", 0, NULL));
	/* a code alone, any case; a code with words */
	OK(answer(w, id, "Alpha Care", BK_ANSWER_DECLINE, NULL, "AREA", 0, NULL));
	struct store_offer o = offer_at(w, id, 0);
	assert_string_equal(o.decline_code, "area");
	assert_string_equal(o.reason, "");
	assert_string_equal(o.via, "");
	OK(answer(w, id, "Beta Care", BK_ANSWER_DECLINE, "no carers north", "capacity", 0, "email"));
	o = offer_at(w, id, 1);
	assert_string_equal(o.decline_code, "capacity");
	assert_string_equal(o.reason, "no carers north");
	OK(decline(w, id, "Gamma Care")); /* words alone: other */
	assert_string_equal(offer_at(w, id, 2).decline_code, "other");
	assert_status(w, id, "exhausted");
	/* a council's own code */
	w->s.n_decline_codes = 2;
	snprintf(w->s.decline_codes[0].keyword, sizeof w->s.decline_codes[0].keyword, "transport");
	snprintf(w->s.decline_codes[0].label, sizeof w->s.decline_codes[0].label, "no transport");
	snprintf(w->s.decline_codes[1].keyword, sizeof w->s.decline_codes[1].keyword, "other");
	snprintf(w->s.decline_codes[1].label, sizeof w->s.decline_codes[1].label, "other");
	set_policy(w);
	int64_t id2 = sent_referral(w, "C-CODE2");
	REFUSED(BK_REFUSED, "transport (no transport), other (other)",
	        answer(w, id2, "Alpha Care", BK_ANSWER_DECLINE, NULL, "capacity", 0, NULL));
	OK(answer(w, id2, "Alpha Care", BK_ANSWER_DECLINE, NULL, "transport", 0, NULL));
	/* market-gap: lot 1 North, by code; the exhausted referral's 10 hours are unsourced */
	const char *f = "2026-11-01", *t = "2026-11-23";
	struct bk_report_params p = { .from = f, .to = t };
	struct bk_table *tb = NULL;
	OK(bk_report(&w->ctx, "market-gap", &p, &tb));
	int data = 0;
	for (int r = 0; r < tb->n_rows; r++)
		data += tb->rows[r].kind == BK_ROW_DATA;
	assert_int_equal(data, 4); /* area, capacity, other (kept though no longer in the policy), transport */
	bk_table_destroy(tb);
	assert_int_equal(cell(w, "market-gap", f, t, "All", "declines"), 4);
	assert_int_equal(cell(w, "market-gap", f, t, "All", "referrals"), 2);
	assert_int_equal(cell(w, "market-gap", f, t, "All", "unsourced_hours"), 20 * 60);
	chain_ok(w);
	deep_check_ok(w);
}

static void test_hand_back_cascade(void **state)
{
	struct tu_db *w = *state;
	at(w, 2026, 11, 20, 10, 0);
	int64_t id = new_referral(w, "C-HB");
	REFUSED(BK_REFUSED, "only a sourced package", bk_referral_hand_back(&w->ctx, id, 0, "no staff", NULL));
	OK(bk_referral_send(&w->ctx, id, 0));
	at(w, 2026, 11, 23, 10, 0);
	OK(accept(w, id, "Alpha Care"));
	assert_status(w, id, "sourced");
	at(w, 2026, 12, 1, 10, 0);
	REFUSED(BK_REFUSED, "why the provider handed", bk_referral_hand_back(&w->ctx, id, 0, "", NULL));
	REFUSED(BK_REFUSED, "sourced only on", bk_referral_hand_back(&w->ctx, id, 0, "no staff", "2026-11-22"));
	REFUSED(BK_REFUSED, "future", bk_referral_hand_back(&w->ctx, id, 0, "no staff", "2026-12-02"));
	struct bk_plan plan;
	OK(bk_preview_hand_back(&w->ctx, id, 0, "carer left", "2026-11-30", &plan));
	assert_int_equal(plan.approached, 1);
	assert_string_equal(plan.provider[0], "Beta Care");
	OK(bk_referral_hand_back(&w->ctx, id, 0, "carer left", "2026-11-30"));
	tu_assert_contains(w->ctx.msg, "Alpha Care handed back referral");
	assert_status(w, id, "searching");
	struct store_offer o = offer_at(w, id, 0);
	assert_int_equal(o.status, WF_OFFER_ACCEPTED); /* history kept */
	assert_int_equal(o.handed_back_on, D(2026, 11, 30));
	assert_int_equal(o.handed_back_at, L(2026, 12, 1, 10, 0));
	assert_string_equal(o.reason, "carer left");
	assert_offer(w, id, 1, "Beta Care", "sent");
	struct bk_referral_view *v = load(w, id);
	assert_int_equal(v->r.sourced_at, 0);
	assert_false(v->candidates[0].eligible);
	assert_true(v->candidates[0].reasons & MATCH_HANDED_BACK);
	tu_assert_contains(v->candidates[0].reasons_text, "handed this package back on");
	bk_referral_view_destroy(v);
	/* the search runs on without Alpha: Beta and Gamma decline, exhausted */
	OK(decline(w, id, "Beta Care"));
	OK(decline(w, id, "Gamma Care"));
	assert_status(w, id, "exhausted");
	assert_int_equal(n_offers(w, id), 3);
	/* the response report gives the hand-back rate */
	assert_int_equal(cell(w, "response", "2026-11-01", "2026-12-01", "Alpha Care", "handed_back"), 1);
	assert_int_equal(cell(w, "response", "2026-11-01", "2026-12-01", "Alpha Care", "hand_back_rate"), 10000);
	assert_int_equal(cell(w, "response", "2026-11-01", "2026-12-01", "Beta Care", "hand_back_rate"), -1);
	/* a spot purchase handed back searches the framework again */
	int64_t spot = request_spot(w, id, "25.00");
	as(w, "sue");
	OK(bk_spot_decide(&w->ctx, spot, true, "agreed", NULL));
	as(w, "ann");
	assert_status(w, id, "sourced");
	OK(bk_referral_hand_back(&w->ctx, id, 0, "agency closed", NULL));
	assert_status(w, id, "exhausted");
	chain_ok(w);
	invariants_ok(w);
	deep_check_ok(w);
}

/* "Since you last looked" is kept with each member of staff in the
 * database: another program on the same database (another host, another
 * path to it) reads the same moment; each person has their own; marking
 * it writes no audit event (it changes no referral and decides nothing). */
static void test_worklist_last_looked(void **state)
{
	struct tu_db *w = *state;
	int64_t seen = -1;
	assert_int_equal(bk_worklist_last_looked(&w->ctx, &seen), BK_OK);
	assert_int_equal(seen, 0); /* never */
	int events = tu_events(w, NULL, 0);
	at(w, 2026, 11, 20, 9, 0);
	assert_int_equal(bk_worklist_mark_looked(&w->ctx), BK_OK);
	assert_int_equal(tu_events(w, NULL, 0), events);
	assert_int_equal(bk_worklist_last_looked(&w->ctx, &seen), BK_OK);
	assert_int_equal(seen, L(2026, 11, 20, 9, 0));

	struct bk_ctx other;
	struct bk_open_opts o = { .path = w->path };
	assert_int_equal(bk_open(&other, &w->s, &o), BK_OK);
	assert_int_equal(bk_identify(&other, "ann", true), BK_OK);
	assert_int_equal(bk_worklist_last_looked(&other, &seen), BK_OK);
	assert_int_equal(seen, L(2026, 11, 20, 9, 0));
	assert_int_equal(bk_identify(&other, "sue", true), BK_OK);
	assert_int_equal(bk_worklist_last_looked(&other, &seen), BK_OK);
	assert_int_equal(seen, 0); /* her own: she has not looked */
	other.now = L(2026, 11, 23, 8, 30);
	assert_int_equal(bk_worklist_mark_looked(&other), BK_OK);
	bk_close(&other);

	assert_int_equal(bk_worklist_last_looked(&w->ctx, &seen), BK_OK);
	assert_int_equal(seen, L(2026, 11, 20, 9, 0)); /* ann's is as she left it */
	as(w, "sue");
	assert_int_equal(bk_worklist_last_looked(&w->ctx, &seen), BK_OK);
	assert_int_equal(seen, L(2026, 11, 23, 8, 30));
}

/* A capacity as `provider set --capacity` and the provider form read it:
 * one function in core says which district, how many minutes, or what is
 * wrong. */
static void test_capacity_parse(void **state)
{
	(void)state;
	struct bk_settings s;
	bk_settings_defaults(&s);
	int d = -9, m = -9;
	char msg[300] = "";
	assert_true(bk_capacity_parse(&s, "East=12.5", &d, &m, msg, sizeof msg));
	assert_int_equal(d, bk_settings_district_index(&s, "East"));
	assert_int_equal(m, 750);
	assert_true(
		bk_capacity_parse(&s, "North=200", &d, &m, msg, sizeof msg)); /* a district, not one person's week */
	assert_int_equal(m, 200 * 60);
	assert_true(bk_capacity_parse(&s, "West=none", &d, &m, msg, sizeof msg));
	assert_int_equal(m, -1);
	assert_true(bk_capacity_parse(&s, "South=0", &d, &m, msg, sizeof msg));
	assert_int_equal(m, 0);
	assert_false(bk_capacity_parse(&s, "North40", &d, &m, msg, sizeof msg));
	assert_non_null(strstr(msg, "write DISTRICT=HOURS"));
	assert_false(bk_capacity_parse(&s, "Atlantis=10", &d, &m, msg, sizeof msg));
	assert_non_null(strstr(msg, "'Atlantis' is not a configured district"));
	assert_false(bk_capacity_parse(&s, "North=lots", &d, &m, msg, sizeof msg));
	assert_non_null(strstr(msg, "North: "));
}

/* The waiting list's order: longest waited first, then most working days,
 * then by id (what bk_waiting_first counts the first screen in). */
static void test_waiting_order(void **state)
{
	(void)state;
	struct bk_work_row rows[4];
	memset(rows, 0, sizeof rows);
	int days[4][2] = { { 10, 7 }, { 12, 8 }, { 10, 8 }, { 10, 8 } };
	for (int i = 0; i < 4; i++) {
		rows[i].id = 4 - i;
		rows[i].waited_days = days[i][0];
		rows[i].waited_working_days = days[i][1];
	}
	assert_true(bk_work_cmp_waiting(&rows[1], &rows[0]) < 0); /* 12 days before 10 */
	assert_true(bk_work_cmp_waiting(&rows[2], &rows[0]) < 0); /* 8 working days before 7 */
	assert_true(bk_work_cmp_waiting(&rows[3], &rows[2]) < 0); /* alike: id 1 before id 2 */
	assert_int_equal(bk_work_cmp_waiting(&rows[3], &rows[3]), 0);
}

/* A form's field check is the action's: a panel date after today is refused
 * by bk_check_field in the words bk_referral_new refuses it with, and a spot
 * request's weeks are checked as the request checks them (1 to 520). */
static void test_field_checks_are_the_actions(void **state)
{
	struct tu_db *w = *state;
	at(w, 2026, 11, 20, 10, 0);
	char msg[320];
	assert_true(bk_check_field(&w->ctx, "panel-date", "2026-11-20", msg, sizeof msg));
	assert_true(bk_check_field(&w->ctx, "panel-date", "", msg, sizeof msg));
	assert_false(bk_check_field(&w->ctx, "panel-date", "2026-11-21", msg, sizeof msg));
	tu_assert_contains(msg, "2026-11-21 is in the future; the panel must have approved the package already");
	assert_false(bk_check_field(&w->ctx, "panel-date", "2026-13-01", msg, sizeof msg));
	struct bk_referral_input in = { .case_ref = "C-FUT",
		                        .lot = LOT,
		                        .district = DISTRICT,
		                        .hours = "10",
		                        .age = -1,
		                        .panel_date = "2026-11-21" };
	int64_t id = 0;
	REFUSED(BK_REFUSED, "panel date: 2026-11-21 is in the future; the panel must have approved the package already",
	        bk_referral_new(&w->ctx, &in, &id));
	assert_true(bk_check_field(&w->ctx, "weeks", "1", msg, sizeof msg));
	assert_true(bk_check_field(&w->ctx, "weeks", "520", msg, sizeof msg));
	const char *bad[] = { "0", "521", "", "12x", "-3" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_false(bk_check_field(&w->ctx, "weeks", bad[i], msg, sizeof msg));
		tu_assert_contains(msg, "a whole number of weeks from 1 to 520");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_capacity_parse),
		cmocka_unit_test(test_waiting_order),
		cmocka_unit_test_setup_teardown(test_cascade_by_decline_and_expiry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_offer_of_provider_unranked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_preview_is_what_the_action_does, setup, teardown),
		cmocka_unit_test_setup_teardown(test_preview_parallel_and_withdraw, setup, teardown),
		cmocka_unit_test_setup_teardown(test_answer_time_bounds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_field_checks_are_the_actions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_late_answers_report, setup, teardown),
		cmocka_unit_test_setup_teardown(test_answer_by_offer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_answer_in_time_after_the_sweep, setup, teardown),
		cmocka_unit_test_setup_teardown(test_decline_codes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hand_back_cascade, setup, teardown),
		cmocka_unit_test_setup_teardown(test_first_offer_deadlines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cascade_to_exhausted_then_spot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spot_reject_back_to_exhausted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spot_check_before_request, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_decision, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parallel_rank_wins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parallel_confirmed_when_higher_close, setup, teardown),
		cmocka_unit_test_setup_teardown(test_info_moves_deadline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_info_requested_never_expires, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pause_resume, setup, teardown),
		cmocka_unit_test_setup_teardown(test_withdraw, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals_change_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_roles, setup, teardown),
		cmocka_unit_test_setup_teardown(test_team_leader_approval, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sweep_idempotent_across_connections, setup, teardown),
		cmocka_unit_test_setup_teardown(test_end_package, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_sweeps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_as_refused_off_test_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_escalated_spot_request, setup, teardown),
		cmocka_unit_test_setup_teardown(test_escalated_new_referral_consistent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_actor_checked_in_transaction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spot_provider_rechecked, setup, teardown),
		cmocka_unit_test(test_waiting_first),
		cmocka_unit_test_setup_teardown(test_waiting_keys_match_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_worklist_last_looked, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
