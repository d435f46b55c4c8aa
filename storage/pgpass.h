/* The program's own PostgreSQL credentials in the shared deployment: a
 * pgpass-format file read by the program while it holds its group
 * (storage/pgpass.c says why libpq cannot read it itself). Only storage/
 * includes this. */
#ifndef BK_STORAGE_PGPASS_H
#define BK_STORAGE_PGPASS_H

#include <stdbool.h>
#include <stddef.h>

#include <libpq-fe.h>

/* A conninfo taken apart for PQconnectdbParams(keys, vals, 0): both
 * NULL-terminated. */
struct pgpass_params {
	char **keys, **vals;
	int n;
};

/* conninfo (a URI or keyword string) as keyword/value arrays. With
 * read_passfile, a `passfile` it names is read here (refused when others
 * may read it or anyone but its owner may write it) and the matching line's
 * password is given as `password`; the file itself is not passed on. Without,
 * the keywords are passed on as they are and libpq reads its files itself.
 * False with err in plain words when the conninfo cannot be read or the
 * file gives no password. Free with pgpass_params_free (which wipes the
 * password). */
bool pgpass_params(const char *conninfo, bool read_passfile, struct pgpass_params *out, char *err, size_t errlen);
void pgpass_params_free(struct pgpass_params *p);

/* The password of the first line of a pgpass-format file matching host,
 * port, dbname and user ('*' matches anything; \: and \\ escaped). */
bool pgpass_lookup(const char *path, const char *host, const char *port, const char *dbname, const char *user,
                   char *password, size_t len, char *err, size_t errlen);

/* PQconnectdbParams on conninfo with its password file read here (as
 * pgpass_params with read_passfile), first_keys/first_vals before it
 * (defaults it may override) and last_keys/last_vals after it (what it may
 * not); each NULL-terminated or NULL. NULL with err set when the file
 * gives no password (or out of memory); otherwise libpq's connection, to
 * be checked with PQstatus. */
PGconn *pgpass_connect(const char *conninfo, const char *const *first_keys, const char *const *first_vals,
                       const char *const *last_keys, const char *const *last_vals, char *err, size_t errlen);

#endif
