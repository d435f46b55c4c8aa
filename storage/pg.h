/* Private to storage/: what the PostgreSQL driver (storage/pg.c) offers
 * beyond the statement interface of storage/sql.h, for the connection
 * code of storage/db.c. Only storage/pg.c includes libpq-fe.h. */
#ifndef BK_STORE_PG_H
#define BK_STORE_PG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "storage/records.h"
#include "storage/sql.h"

/* Does text name a PostgreSQL database rather than a file? A URI
 * (postgresql:// or postgres://) or a keyword string (key=value ...,
 * which a file path is not: it has an '=' before any '/'). */
bool pg_is_conninfo(const char *text);
/* The conninfo as it may be shown (store_path, messages, logs): the same
 * settings with any password left out. false with err set in words when
 * libpq cannot parse it. */
bool pg_conninfo_display(const char *conninfo, char *out, size_t outlen, char *err, size_t errlen);
/* The libpq this program runs with, "15.18" (the one loaded). */
const char *pg_client_version(void);
/* The server's version as a number (150018), 0 when not connected. */
int pg_server_version(const struct pg_conn *c);
/* This connection's server process id (pg_terminate_backend, logs). */
int pg_backend_pid(const struct pg_conn *c);
/* Is the connection gone (the server restarted, the network failed)? */
bool pg_connection_lost(const struct pg_conn *c);
/* Connect again with the same settings (after pg_connection_lost): the
 * statements prepared before are prepared again at their next use.
 * SQLITE_OK, or SQLITE_IOERR with the reason in pg_errmsg. */
int pg_reconnect(struct pg_conn *c);

/* Notifications (LISTEN/NOTIFY): how many notifications sent by other
 * connections have arrived on this one since it opened, after reading
 * whatever the server has sent, without sending a query (those this
 * connection sent itself, which come back to it too, are not counted).
 * Each is counted and discarded. SQLITE_OK, or SQLITE_IOERR when the
 * connection is lost. */
int pg_notifications(struct pg_conn *c, int64_t *count);

/* The rewrite pg_prepare does, exposed for the tests: sql with each ?N
 * (and a bare ?, numbered as SQLite numbers it) outside quoted strings,
 * quoted identifiers, dollar quotes and comments turned into $N, into out.
 * Returns the number of parameters (the highest N), or -1 when out is too
 * small or a number is out of range. */
int pg_rewrite_params(const char *sql, char *out, size_t outlen);

/* PostgreSQL's side of the schema (storage/schema_pg.c, branch pg-schema):
 * the checks of store_check_kind and store_migrate by the version in meta,
 * and how many tables, sequences and functions the current schema holds
 * (0: empty). Declared here too until that file is merged (the same
 * declarations as storage/internal.h's there). */
struct store;
enum store_status store_pg_check_kind(struct store *st, char *err, size_t errlen);
enum store_status store_pg_migrate(struct store *st, char *err, size_t errlen);
enum store_status store_pg_objects(struct store *st, int64_t *n);

#endif
