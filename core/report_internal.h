/* Private to the report files (core/table.c, report.c, export.c): what
 * the reports and the exports share. */
#ifndef BK_REPORT_INTERNAL_H
#define BK_REPORT_INTERNAL_H

#include <jansson.h>

#include "core/internal.h"
#include "core/report.h"
#include "core/vec.h"

/* The local day (in the council's zone) of an instant. */
int32_t local_day(int64_t t);

/* Providers by id, for names and the framework flag. */
struct provider_set {
	VEC(struct store_provider) p;
	bool failed;
};
/* Every provider, sorted by id (vec_free(&s->p)). */
enum bk_status load_providers(struct bk_ctx *ctx, struct provider_set *s);
/* A provider's name, "(unknown provider)" when not in the set. */
const char *provider_name(const struct provider_set *s, int64_t id);

/* A table's parameters as a JSON object. */
json_t *params_json(const struct bk_table *t);

#endif
