/* The raw baselines: the same work as the project's features, written the
 * straightforward way against the sqlite3 C API, on a copy of the same
 * database that also has the indexes those queries want (raw_indexes.sql);
 * for a raw side named by a PostgreSQL connection string, the same jobs
 * through libpq (raw_pg.c). Nothing here calls the project. */
#ifndef BK_BENCH_RAW_H
#define BK_BENCH_RAW_H

#include <stdbool.h>
#include <stdint.h>

struct raw;

/* Open with the project's durability: WAL, synchronous=FULL, foreign keys. */
struct raw *raw_open(const char *path);
void raw_close(struct raw *r);

/* The working-day calendar: bank holidays as day numbers (sorted), the
 * zone's today, and now (UTC seconds). */
void raw_set_calendar(struct raw *r, const int32_t *holidays, int n, int32_t today, int64_t now);

/* What a list gave, to check both sides did the same work. */
struct raw_sum {
	long rows;
	long long check;
};

/* The waiting list in id order with holder, current step, ranking size,
 * breach and working-day age; limit 0 means all rows. */
bool raw_waiting(struct raw *r, int limit, struct raw_sum *out);

/* The ranked providers of one referral with every eligibility reason in words. */
bool raw_candidates(struct raw *r, int64_t referral_id, struct raw_sum *out);

/* Send one new referral to its first eligible provider: one transaction. */
bool raw_send(struct raw *r, int64_t referral_id, int64_t staff_id, const char *actor, int64_t deadline_at,
              int32_t received_on);

/* Expire every offer past its deadline at `at` and approach the next
 * eligible provider of each referral, one transaction per referral (as the
 * project does); one_tx puts the whole sweep in one transaction. */
struct raw_sweep_result {
	int expired, approached, exhausted;
};
bool raw_sweep(struct raw *r, int64_t at, int64_t deadline_at, int32_t received_on, bool one_tx,
               struct raw_sweep_result *out);

const char *raw_error(struct raw *r);

#endif
