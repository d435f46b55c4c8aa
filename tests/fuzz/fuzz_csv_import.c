/* libFuzzer target: CSV import (core/import.c) of providers, rankings and
 * referrals into a real test-mode database. The first byte picks the kind;
 * the rest is the file. Every import runs inside an outer transaction that
 * is rolled back, so the database stays as it was set up. An import either
 * succeeds or is refused with reasons; the database must still check. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/report.h"
#include "storage/store_data.h"

static struct bk_settings settings;
static struct bk_ctx ctx;
static int ready;
static char dbpath[96];

static void remove_db(void)
{
	char p[128];
	const char *ext[] = { "", "-wal", "-shm" };
	for (int i = 0; i < 3; i++) {
		snprintf(p, sizeof p, "%s%s", dbpath, ext[i]);
		unlink(p);
	}
}

static void setup(void)
{
	bk_settings_defaults(&settings);
	if (!cal_zone_use(settings.zone))
		abort();
	const char *dir = getenv("FUZZ_TMPDIR");
	snprintf(dbpath, sizeof dbpath, "%s/fuzz_import.%d.db", dir && *dir ? dir : "/tmp", (int)getpid());
	remove_db();
	atexit(remove_db);
	struct bk_open_opts o = { .path = dbpath, .create = true };
	if (bk_open(&ctx, &settings, &o) != BK_OK)
		abort();
	int64_t t = 0;
	cal_parse_time("2026-01-05T09:00", &t, NULL, 0);
	ctx.now = t;
	if (bk_init(&ctx, "admin", "Admin", true) != BK_OK || bk_staff_add(&ctx, "tina", "Tina", "team_leader") != BK_OK) {
		fprintf(stderr, "fuzz_csv_import: setting up: %s\n", ctx.msg);
		abort();
	}
	/* a few providers and a ranking for the referrals to name */
	static const char providers[] = "name,framework,cqc,ages,risk,rate,capacity\n"
	                                "Alpha Care,yes,1-100,0-18,green,19.50,North=40;South=20\n"
	                                "\"Delta, Care\",yes,1-200,0-25,amber,,\n"
	                                "Spot Agency,no,,,green,25.00,\n";
	static const char rankings[] = "lot,district,rank,provider\n1,North,1,Alpha Care\n1,North,2,\"Delta, Care\"\n";
	if (bk_identify(&ctx, "tina", true) != BK_OK)
		abort();
	struct bk_import_result r;
	if (bk_import_buffer(&ctx, BK_IMPORT_PROVIDERS, "p.csv", providers, sizeof providers - 1, NULL, NULL, &r) != BK_OK)
		abort();
	bk_import_result_finish(&r);
	if (bk_import_buffer(&ctx, BK_IMPORT_RANKINGS, "k.csv", rankings, sizeof rankings - 1, NULL, NULL, &r) != BK_OK)
		abort();
	bk_import_result_finish(&r);
	ready = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!ready)
		setup();
	if (size < 1)
		return 0;
	enum bk_import_kind kind = (enum bk_import_kind)(data[0] % 3);
	if (store_begin(ctx.store) != STORE_OK)
		abort();
	struct bk_import_result r;
	enum bk_status st = bk_import_buffer(&ctx, kind, "fuzz.csv", (const char *)data + 1, size - 1, NULL, NULL, &r);
	if (st == BK_REFUSED && r.n_errors == 0 && ctx.msg[0] == '\0')
		abort(); /* refused without saying why */
	bk_import_result_finish(&r);
	store_rollback(ctx.store);
	return 0;
}
