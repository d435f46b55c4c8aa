/* The council's policy: one row a key, its value as JSON text (core
 * encodes and checks it), with who set it and when. */
#include <string.h>

#include "storage/internal.h"

enum store_status store_policy_each(struct store *st, store_policy_fn fn, void *ud)
{
	sql_stmt *s = store_stmt(st, Q_POLICY_EACH, "SELECT key, value, set_by, set_at FROM policy ORDER BY key");
	if (!s)
		return STORE_ERROR;
	int rc;
	while ((rc = sql_step(s)) == SQLITE_ROW) {
		const char *key = (const char *)sql_column_text(s, 0);
		const char *value = (const char *)sql_column_text(s, 1);
		const char *by = (const char *)sql_column_text(s, 2);
		if (fn(ud, key ? key : "", value ? value : "", by ? by : "", sql_column_int64(s, 3)) != 0)
			break;
	}
	sql_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_fail(st, rc, "reading the council's policy");
	return STORE_OK;
}

enum store_status store_policy_put(struct store *st, const char *key, const char *value, const char *set_by,
                                   int64_t set_at)
{
	sql_stmt *s = store_stmt(st, Q_POLICY_PUT,
	                         "INSERT INTO policy(key, value, set_by, set_at) VALUES (?1, ?2, ?3, ?4) "
	                         "ON CONFLICT(key) DO UPDATE SET value = excluded.value, set_by = excluded.set_by, "
	                         "set_at = excluded.set_at");
	if (!s)
		return STORE_ERROR;
	if (sql_bind_text(s, 1, key, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sql_bind_text(s, 2, value, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sql_bind_text(s, 3, set_by, -1, SQLITE_STATIC) != SQLITE_OK || sql_bind_int64(s, 4, set_at) != SQLITE_OK)
		return store_fail(st, SQLITE_ERROR, "saving the council's policy");
	int rc = sql_step(s);
	sql_reset(s);
	return rc == SQLITE_DONE ? STORE_OK : store_fail(st, rc, "saving the council's policy");
}
