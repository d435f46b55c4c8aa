/* The raw baselines on PostgreSQL (raw_pg.c): the jobs of raw.h through
 * libpq, for a raw side named by a connection string (raw_open hands it
 * here). */
#ifndef BK_BENCH_RAW_PG_H
#define BK_BENCH_RAW_PG_H

#include <string.h>

#include "bench/raw.h"

struct rawpg;

struct rawpg *rawpg_open(const char *conninfo);
void rawpg_close(struct rawpg *r);
void rawpg_set_calendar(struct rawpg *r, const int32_t *holidays, int n, int32_t today, int64_t now);
bool rawpg_waiting(struct rawpg *r, int limit, struct raw_sum *out);
bool rawpg_candidates(struct rawpg *r, int64_t referral_id, struct raw_sum *out);
bool rawpg_send(struct rawpg *r, int64_t referral_id, int64_t staff_id, const char *actor, int64_t deadline_at,
                int32_t received_on);
bool rawpg_sweep(struct rawpg *r, int64_t at, int64_t deadline_at, int32_t received_on, bool one_tx,
                 struct raw_sweep_result *out);
const char *rawpg_error(struct rawpg *r);

/* A fresh copy of the database conninfo names (a keyword string), as the
 * database NAME_suffix made from it as a template (dropped first when it
 * exists); out gets its conninfo. No one may be connected to the original. */
bool rawpg_clone(const char *conninfo, const char *suffix, char *out, size_t len, char *err, size_t errlen);
bool rawpg_drop(const char *conninfo, char *err, size_t errlen);
/* Does text name a PostgreSQL database rather than a file? */
static inline bool rawpg_is_conninfo(const char *text)
{
	return strncmp(text, "postgres", 8) == 0 || strchr(text, '=') != NULL;
}

#endif
