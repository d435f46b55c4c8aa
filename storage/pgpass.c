/* The program's own credentials for PostgreSQL in the shared deployment
 * (issue 19; brokerage(7), "POSTGRESQL: WHO MAY REACH THE DATA").
 *
 * The password of the login role brokerage_app lives in a pgpass-format
 * file, /etc/brokerage/pgpass, 0640 root:brokerage: only root and the
 * program (setgid to the brokerage group, holding it while it opens the
 * database) may read it; staff may not. libpq reads a file named by the
 * conninfo's `passfile` itself, but ignores one that its group may read
 * ("permissions should be u=rw (0600) or less"), and a 0600 file could not
 * be read by the group at all. So, when the caller says the connection is
 * the shared deployment's own (the host's configuration names it and the
 * program holds the group), the file is read here, the password handed to
 * libpq as the `password` keyword, and libpq never opens the file itself.
 * Everywhere else (a conninfo on --db, a personal configuration, no
 * group) libpq reads its own files as usual, with its own rules. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "storage/pgpass.h"

#define LINE_MAX_LEN 4096

__attribute__((format(printf, 3, 4))) static void say(char *err, size_t errlen, const char *fmt, ...)
{
	if (!err || !errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* One field of a pgpass line, with \: and \\ unescaped, up to the next
 * unescaped ':' (or the end for the last). Returns the text after it, or
 * NULL at the end of the line. */
static char *field(char *p, char **out)
{
	char *w = p;
	*out = p;
	while (*p && *p != ':') {
		if (*p == '\\' && p[1])
			p++;
		*w++ = *p++;
	}
	char *next = *p == ':' ? p + 1 : NULL;
	*w = '\0';
	return next;
}

static bool matches(const char *pattern, const char *value)
{
	return strcmp(pattern, "*") == 0 || strcmp(pattern, value) == 0;
}

bool pgpass_lookup(const char *path, const char *host, const char *port, const char *dbname, const char *user,
                   char *password, size_t len, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		say(err, errlen, "cannot read the database's password file %s: %s", path, strerror(errno));
		return false;
	}
	struct stat sb;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		say(err, errlen, "the database's password file %s is not a plain file", path);
		return false;
	}
	/* Readable by everyone, or writable by anyone but its owner: not a
	 * secret of the group. */
	if (sb.st_mode & (S_IROTH | S_IWOTH | S_IXOTH | S_IWGRP)) {
		close(fd);
		say(err, errlen,
		    "the database's password file %s may be read or changed by others: make it 0640, owned by root "
		    "and the program's group",
		    path);
		return false;
	}
	FILE *f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		say(err, errlen, "cannot read the database's password file %s: %s", path, strerror(errno));
		return false;
	}
	char line[LINE_MAX_LEN];
	bool found = false;
	while (!found && fgets(line, sizeof line, f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		char *h, *p, *d, *u, *pw, *rest = line;
		if (!(rest = field(rest, &h)) || !(rest = field(rest, &p)) || !(rest = field(rest, &d)) ||
		    !(rest = field(rest, &u)))
			continue;
		field(rest, &pw);
		if (matches(h, host) && matches(p, port) && matches(d, dbname) && matches(u, user)) {
			if (strlen(pw) >= len) {
				say(err, errlen, "the password in %s is too long", path);
				explicit_bzero(line, sizeof line);
				fclose(f);
				return false;
			}
			snprintf(password, len, "%s", pw);
			found = true;
		}
	}
	explicit_bzero(line, sizeof line);
	fclose(f);
	if (!found)
		say(err, errlen, "the database's password file %s has no line for the user %s", path, user);
	return found;
}

void pgpass_params_free(struct pgpass_params *p)
{
	for (int i = 0; i < p->n; i++) {
		if (p->vals[i] && strcmp(p->keys[i], "password") == 0)
			explicit_bzero(p->vals[i], strlen(p->vals[i]));
		free(p->keys[i]);
		free(p->vals[i]);
	}
	free(p->keys);
	free(p->vals);
	*p = (struct pgpass_params){ 0 };
}

static bool add(struct pgpass_params *p, const char *k, const char *v)
{
	p->keys[p->n] = strdup(k);
	p->vals[p->n] = strdup(v);
	if (!p->keys[p->n] || !p->vals[p->n]) {
		free(p->keys[p->n]);
		free(p->vals[p->n]);
		return false;
	}
	p->n++;
	p->keys[p->n] = NULL;
	p->vals[p->n] = NULL;
	return true;
}

bool pgpass_params(const char *conninfo, bool read_passfile, struct pgpass_params *out, char *err, size_t errlen)
{
	*out = (struct pgpass_params){ 0 };
	if (err && errlen)
		*err = '\0';
	char *perr = NULL;
	PQconninfoOption *opts = PQconninfoParse(conninfo, &perr);
	if (!opts) {
		say(err, errlen, "the database's connection string cannot be read: %s", perr ? perr : "out of memory");
		PQfreemem(perr);
		return false;
	}
	int n = 0;
	for (PQconninfoOption *o = opts; o->keyword; o++)
		n++;
	out->keys = calloc((size_t)n + 2, sizeof *out->keys);
	out->vals = calloc((size_t)n + 2, sizeof *out->vals);
	if (!out->keys || !out->vals) {
		PQconninfoFree(opts);
		pgpass_params_free(out);
		say(err, errlen, "out of memory");
		return false;
	}
	const char *host = NULL, *hostaddr = NULL, *port = NULL, *dbname = NULL, *user = NULL, *passfile = NULL;
	bool has_password = false, ok = true;
	for (PQconninfoOption *o = opts; ok && o->keyword; o++) {
		if (!o->val)
			continue;
		const char *k = o->keyword;
		if (strcmp(k, "host") == 0)
			host = o->val;
		else if (strcmp(k, "hostaddr") == 0)
			hostaddr = o->val;
		else if (strcmp(k, "port") == 0)
			port = o->val;
		else if (strcmp(k, "dbname") == 0)
			dbname = o->val;
		else if (strcmp(k, "user") == 0)
			user = o->val;
		else if (strcmp(k, "password") == 0)
			has_password = true;
		if (strcmp(k, "passfile") == 0 && read_passfile) {
			passfile = o->val; /* read here, not handed to libpq */
			continue;
		}
		ok = add(out, k, o->val);
	}
	if (ok && passfile && !has_password) {
		/* the file is matched as libpq would: host (or hostaddr, or
		 * localhost), port, database (the user's name by default), user */
		char password[1024];
		if (!user || !*user) {
			say(err, errlen,
			    "the database's connection string names a password file but no user: add "
			    "user=brokerage_app");
			ok = false;
		} else if (host && strchr(host, ',')) {
			say(err, errlen, "the database's connection string names several hosts (%s): name one", host);
			ok = false;
		} else if ((ok = pgpass_lookup(passfile,
		                               host && *host           ? host
		                               : hostaddr && *hostaddr ? hostaddr
		                                                       : "localhost",
		                               port && *port ? port : "5432", dbname && *dbname ? dbname : user, user,
		                               password, sizeof password, err, errlen))) {
			ok = add(out, "password", password);
			explicit_bzero(password, sizeof password);
		}
	}
	PQconninfoFree(opts);
	if (!ok) {
		pgpass_params_free(out);
		if (err && errlen && !*err)
			say(err, errlen, "out of memory");
	}
	return ok;
}

PGconn *pgpass_connect(const char *conninfo, const char *const *first_keys, const char *const *first_vals,
                       const char *const *last_keys, const char *const *last_vals, char *err, size_t errlen)
{
	struct pgpass_params p;
	if (!pgpass_params(conninfo, true, &p, err, errlen))
		return NULL;
	int nf = 0, nl = 0;
	while (first_keys && first_keys[nf])
		nf++;
	while (last_keys && last_keys[nl])
		nl++;
	const char **keys = calloc((size_t)(nf + p.n + nl + 1), sizeof *keys);
	const char **vals = calloc((size_t)(nf + p.n + nl + 1), sizeof *vals);
	PGconn *conn = NULL;
	if (keys && vals) {
		/* later keywords win: the caller's defaults, the conninfo, then
		 * what the caller insists on */
		int k = 0;
		for (int i = 0; i < nf; i++, k++)
			keys[k] = first_keys[i], vals[k] = first_vals[i];
		for (int i = 0; i < p.n; i++, k++)
			keys[k] = p.keys[i], vals[k] = p.vals[i];
		for (int i = 0; i < nl; i++, k++)
			keys[k] = last_keys[i], vals[k] = last_vals[i];
		conn = PQconnectdbParams(keys, vals, 0);
	}
	if (!conn)
		say(err, errlen, "out of memory");
	free(keys);
	free(vals);
	pgpass_params_free(&p);
	return conn;
}
