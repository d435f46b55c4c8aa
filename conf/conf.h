/* The configuration file: found, parsed into a plain settings struct on top
 * of the defaults, validated. The file is the user's: it is never written. */
#ifndef BK_CONF_H
#define BK_CONF_H

#include <stdbool.h>
#include <stddef.h>

#include "core/settings.h"

/* Where the file comes from, in the order they are tried. */
enum conf_origin {
	CONF_ORIGIN_OPTION,   /* --config FILE */
	CONF_ORIGIN_ENV,      /* $BROKERAGE_CONFIG */
	CONF_ORIGIN_XDG,      /* $XDG_CONFIG_HOME/brokerage/brokerage.conf or ~/.config/... */
	CONF_ORIGIN_SYSTEM,   /* /etc/brokerage/brokerage.conf */
	CONF_ORIGIN_DEFAULTS, /* none found */
};

/* Find the file. option may be NULL. env_config, xdg_config_home and home
 * are the caller's reading of the environment (any may be NULL). path gets
 * the file's path, or "" for the defaults. A --config or $BROKERAGE_CONFIG
 * naming a file that does not exist is an error (returns false, err says so);
 * the XDG and system files are optional. */
bool conf_find(const char *option, const char *env_config, const char *xdg_config_home,
               const char *home, const char *system_path, char *path, size_t pathlen,
               enum conf_origin *origin, char *err, size_t errlen);

/* Load: defaults, then the file on top (path "" means defaults only).
 * On any error returns false, leaves *out as the defaults and writes
 * "FILE:LINE: what is wrong" to err. Unknown keys are errors. */
bool conf_load(const char *path, struct bk_settings *out, char *err, size_t errlen);

/* One line of `config show`. */
struct conf_entry {
	const char *key;      /* the file's key, e.g. "response_days" */
	char value[512];      /* rendered value */
	bool from_file;
};
/* Fill entries for every setting; returns the count (<= max). */
int conf_entries(const struct bk_settings *s, struct conf_entry *out, int max);

#endif
