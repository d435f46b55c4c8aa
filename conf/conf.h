/* Configuration files, read with libconfig. Two kinds:
 *
 * - brokerage.conf: what is personal or about the host (the database's
 *   path, colour). The system file (/etc/brokerage/brokerage.conf) is read
 *   first, then the user's own on top. The council's rules are not here:
 *   a policy key in a user's file is an error. The system file may still
 *   hold policy keys from before the policy moved into the database; they
 *   are read only as the first policy of a database that has none.
 * - a policy file: the council's rules, for `init --policy` and
 *   `policy load` (same syntax, policy keys only).
 *
 * Files are never written. */
#ifndef BK_CONF_H
#define BK_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/settings.h"

/* Where the personal file comes from, in the order they are tried. */
enum conf_origin {
	CONF_ORIGIN_OPTION, /* --config FILE */
	CONF_ORIGIN_ENV,    /* $BROKERAGE_CONFIG */
	CONF_ORIGIN_XDG,    /* $XDG_CONFIG_HOME/brokerage/brokerage.conf or ~/.config/... */
	CONF_ORIGIN_NONE,   /* none found */
};

/* The settings that are personal or about the host. */
enum conf_host_id { CONF_DATABASE, CONF_COLOUR, CONF_MAIL_COMMAND, CONF_HOST_COUNT };

#define CONF_MAIL_COMMAND_DEFAULT "/usr/sbin/sendmail -t -oi"

struct conf_host {
	char database[BK_PATH_MAX];     /* "" : the XDG default, resolved by the caller */
	bool colour;                    /* false: never draw in colour */
	char mail_command[BK_PATH_MAX]; /* a sendmail-compatible program and its words, run without a shell */
	char set_in[CONF_HOST_COUNT][BK_PATH_MAX]; /* the file that set each, "" for the default */
	char system_file[BK_PATH_MAX];             /* the system file read, "" when none */
	char personal_file[BK_PATH_MAX];           /* the user's file read, "" when none */
	bool system_policy;                        /* the system file names policy keys */
};

/* Find the user's own file. option may be NULL. env_config,
 * xdg_config_home and home are the caller's reading of the environment
 * (any may be NULL). path gets the file's path, or "" when there is none.
 * A --config or $BROKERAGE_CONFIG naming a file that does not exist is an
 * error (returns false, err says so); the XDG file is optional. */
bool conf_find(const char *option, const char *env_config, const char *xdg_config_home, const char *home, char *path,
               size_t pathlen, enum conf_origin *origin, char *err, size_t errlen);

/* Read the system file (system_path, may be "" or absent on disk) and then
 * the user's (personal_path, "" for none) into host. seed gets the built-in
 * policy with the system file's policy keys on top: the first policy of a
 * database made before the policy lived in the database. On any error
 * returns false and writes "FILE:LINE: what is wrong" to err. */
bool conf_load(const char *system_path, const char *personal_path, struct conf_host *host, struct bk_settings *seed,
               char *err, size_t errlen);

/* Read a policy file on top of base (keys the file does not name keep
 * base's values) into out, with out->from_file marking the keys it named.
 * Validated whole; on error out is untouched and err says FILE:LINE. */
bool conf_load_policy(const char *path, const struct bk_settings *base, struct bk_settings *out, char *err,
                      size_t errlen);

/* One setting as a file would write it. */
struct conf_entry {
	const char *key;  /* the file's key, e.g. "response_days" */
	char value[8192]; /* in the file's syntax: 3, "16:00", [ "red" ], ( { ... } ) */
	bool from_file;
};
/* Every policy key, in libconfig syntax: what `policy show` prints, and
 * what `policy load` reads back. Returns the count (<= max). */
int conf_policy_entries(const struct bk_settings *s, struct conf_entry *out, int max);
/* The host and personal settings, for `config show`. */
int conf_host_entries(const struct conf_host *h, struct conf_entry *out, int max);

#endif
