/* Private to cli/: the command line. */
#ifndef BK_CLI_H
#define BK_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "conf/conf.h"
#include "core/brokerage.h"

#define CLI_MAX_POS 256
#define CLI_MAX_OPTS 64

struct cli_opt {
	const char *name;
	const char *value; /* NULL for a flag */
};

struct cli_args {
	const char *pos[CLI_MAX_POS];
	int npos;
	struct cli_opt opts[CLI_MAX_OPTS];
	int nopts;
};

/* NEEDS_POLICY: reads the council's policy from the database, when there
 * is one, without identifying anyone (the deadline calculator, the
 * calendar); with no database named and none at the default place, the
 * built-in policy. */
enum cli_needs { NEEDS_NOTHING, NEEDS_CREATE, NEEDS_POLICY, NEEDS_STAFF };

struct cli;
typedef enum bk_status (*cli_handler)(struct cli *c);

struct cli_command {
	const char *name;
	cli_handler handler;
	enum cli_needs needs;
	const char *options;
	const char *usage;
	const char *summary;
};

/* The global options and everything a command needs. */
struct cli {
	const struct cli_command *cmd;
	struct cli_args args;
	const char *db;
	const char *config;
	const char *as;
	const char *now_text;
	bool json;
	bool help;
	bool version;
	struct conf_host host;       /* personal and host settings */
	struct bk_settings settings; /* the seed: the policy of a database that has none yet */
	struct bk_ctx ctx;
	char login[64];
	bool ascii;               /* the locale cannot show UTF-8 */
	const char *db_path;      /* the database in use */
	const char *migrate_into; /* migrate --from: the new file (--db) the database opened is copied into */
};

extern const struct cli_command cli_commands[];
extern const int cli_n_commands;
/* Every command's handler, declared from the one list (cli/commands*.c). */
#define CMD(name, handler, needs, options, usage, summary) enum bk_status handler(struct cli *c);
#include "cli/commands.def"
#undef CMD

/* Parse argv into c (global options anywhere). Returns BK_OK or BK_USAGE
 * with the message printed. */
enum bk_status cli_parse(struct cli *c, int argc, char **argv);
void cli_print_help(FILE *out);
void cli_print_command_help(FILE *out, const struct cli_command *cmd);
enum bk_status cli_run(struct cli *c);
/* The workstation: what runs when no command is given (tui/workstation.h). */
enum bk_status cli_workstation(struct cli *c);

const char *cli_opt(const struct cli *c, const char *name);
bool cli_flag(const struct cli *c, const char *name);
int cli_opt_all(const struct cli *c, const char *name, const char **out, int max);

/* Output helpers: user text is sanitised before it reaches a terminal. */
void out_text(const struct cli *c, FILE *f, const char *text);
void out_line(const struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The database as it may be shown: the path, or a PostgreSQL conninfo
 * without its password (as storage shows it once open). */
const char *cli_db_shown(const struct cli *c);

/* The end of every command: the message or JSON on success; on failure the
 * refusal in words on stderr (and a JSON error object with --json, into
 * which extra is merged). Returns st. extra is consumed. */
enum bk_status cli_finish(struct cli *c, enum bk_status st, json_t *extra);
/* A usage error naming the command's usage line. */
enum bk_status cli_usage(struct cli *c, const char *what);
/* Text for JSON: NULL/"" as null, invalid UTF-8 cleaned. */
json_t *cli_jtext(const char *s);
/* Print and release a JSON value. */
void cli_print_json(json_t *j);

/* The identity of the user running the program, from the OS. */
bool cli_os_login(char *buf, size_t len);
/* The default database path: $XDG_DATA_HOME/brokerage/brokerage.db. */
bool cli_default_db(char *buf, size_t len, bool create_dir);

#endif
