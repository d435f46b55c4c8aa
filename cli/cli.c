/* Command-line parsing and dispatch, from the one list in commands.def. */
#define _GNU_SOURCE /* setresgid */
#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "conf/conf.h"
#include "core/text.h"
#include "cli/cli.h"
#include "tui/workstation.h"
#include "version.h"

const struct cli_command cli_commands[] = {
#define CMD(name, handler, needs, options, usage, summary) { name, handler, needs, options, usage, summary },
#include "cli/commands.def"
#undef CMD
};
const int cli_n_commands = (int)(sizeof cli_commands / sizeof cli_commands[0]);

/* Global options (cli/globals.def): allowed before or after the command;
 * each is kept at its place in struct cli, a const char * when it takes a
 * value, else a bool. */
static const struct {
	const char *name;
	bool takes_value;
	size_t at;
} globals[] = {
#define GLOBAL(name, member, takes_value, value) { name, takes_value, offsetof(struct cli, member) },
#include "cli/globals.def"
#undef GLOBAL
};

static int global_index(const char *name)
{
	for (size_t i = 0; i < sizeof globals / sizeof globals[0]; i++)
		if (strcmp(globals[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* How an option is declared in the command's list: 0 absent, 1 flag,
 * 2 one value, 3 one or more values. */
static int option_kind(const struct cli_command *cmd, const char *name, size_t len)
{
	const char *p = cmd ? cmd->options : "";
	while (*p) {
		while (*p == ' ')
			p++;
		const char *start = p;
		while (*p && *p != ' ' && *p != '=' && *p != '+')
			p++;
		size_t n = (size_t)(p - start);
		int kind = *p == '=' ? 2 : *p == '+' ? 3 : 1;
		if (*p == '=' || *p == '+')
			p++;
		if (n == len && strncmp(start, name, len) == 0)
			return kind;
	}
	return 0;
}

static const struct cli_command *find_command(const char *w1, const char *w2, int *words)
{
	char two[128];
	if (w2) {
		snprintf(two, sizeof two, "%s %s", w1, w2);
		for (int i = 0; i < cli_n_commands; i++)
			if (strcmp(cli_commands[i].name, two) == 0) {
				*words = 2;
				return &cli_commands[i];
			}
	}
	for (int i = 0; i < cli_n_commands; i++)
		if (strcmp(cli_commands[i].name, w1) == 0) {
			*words = 1;
			return &cli_commands[i];
		}
	return NULL;
}

static bool is_group(const char *w)
{
	size_t n = strlen(w);
	for (int i = 0; i < cli_n_commands; i++)
		if (strncmp(cli_commands[i].name, w, n) == 0 && cli_commands[i].name[n] == ' ')
			return true;
	return false;
}

static enum bk_status usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A message to stderr, through the sanitiser: messages echo arguments
 * and file contents, which must not reach a terminal raw. */
static void say_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say_error(const char *fmt, ...)
{
	char line[2048], clean[2048 * 3 + 8];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	text_sanitize(line, clean, sizeof clean, false);
	fprintf(stderr, "brokerage: %s\n", clean);
}

static enum bk_status usage_error(const char *fmt, ...)
{
	char line[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	say_error("%s", line);
	return BK_USAGE;
}

static bool add_opt(struct cli_args *a, const char *name, const char *value)
{
	if (a->nopts >= CLI_MAX_OPTS)
		return false;
	a->opts[a->nopts].name = name;
	a->opts[a->nopts].value = value;
	a->nopts++;
	return true;
}

enum bk_status cli_parse(struct cli *c, int argc, char **argv)
{
	const char *words[CLI_MAX_POS];
	int nwords = 0;
	/* Options are collected against the command; the command is found
	 * from the first words, so options before it must be global. */
	static char namebuf[CLI_MAX_OPTS][48];
	int nnames = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0) {
			for (i++; i < argc && nwords < CLI_MAX_POS; i++)
				words[nwords++] = argv[i];
			break;
		}
		if (strcmp(a, "-h") == 0) {
			c->help = true;
			continue;
		}
		if (strncmp(a, "--", 2) != 0 || a[2] == '\0') {
			if (nwords >= CLI_MAX_POS)
				return usage_error("too many arguments");
			words[nwords++] = a;
			/* "inbox" is a command and a group ("inbox confirm"): the
			 * second word may name the sub-command */
			if ((!c->cmd || (nwords == 2 && !strchr(c->cmd->name, ' ') && is_group(words[0]))) &&
			    nwords <= 2) {
				int used = 0;
				const struct cli_command *cmd =
					find_command(words[0], nwords == 2 ? words[1] : NULL, &used);
				if (cmd && used == nwords)
					c->cmd = cmd;
				else if (cmd && nwords == 2 && used == 1 && !is_group(words[0]))
					c->cmd = cmd;
			}
			continue;
		}
		const char *name = a + 2, *eq = strchr(name, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);
		char gname[48];
		snprintf(gname, sizeof gname, "%.*s", (int)(len < 47 ? len : 47), name);
		int kind = option_kind(c->cmd, name, len);
		int g = kind ? -1 : global_index(gname);
		if (g >= 0) {
			const char *value = NULL;
			if (globals[g].takes_value) {
				if (eq)
					value = eq + 1;
				else if (i + 1 < argc)
					value = argv[++i];
				else
					return usage_error("--%s needs a value", gname);
			} else if (eq) {
				return usage_error("--%s takes no value", gname);
			}
			void *at = (char *)c + globals[g].at;
			if (globals[g].takes_value)
				*(const char **)at = value;
			else
				*(bool *)at = true;
			continue;
		}
		if (!c->cmd)
			return usage_error("unknown option --%s (see 'brokerage --help')", gname);
		if (kind == 0)
			return usage_error("'%s' has no option --%s; usage: brokerage %s", c->cmd->name, gname,
			                   c->cmd->usage);
		if (nnames >= CLI_MAX_OPTS)
			return usage_error("too many options");
		snprintf(namebuf[nnames], sizeof namebuf[nnames], "%s", gname);
		const char *stored = namebuf[nnames++];
		if (kind == 1) {
			if (eq)
				return usage_error("--%s takes no value", gname);
			if (!add_opt(&c->args, stored, NULL))
				return usage_error("too many options");
			continue;
		}
		const char *value = eq ? eq + 1 : NULL;
		if (!value) {
			if (i + 1 >= argc)
				return usage_error("--%s needs a value; usage: brokerage %s", gname, c->cmd->usage);
			value = argv[++i];
		}
		if (!add_opt(&c->args, stored, value))
			return usage_error("too many options");
		/* --capacity North=40 South=20: more values while they look alike */
		while (kind == 3 && i + 1 < argc && argv[i + 1][0] != '-' && strchr(argv[i + 1], '='))
			if (!add_opt(&c->args, stored, argv[++i]))
				return usage_error("too many options");
	}
	if (!c->cmd && nwords > 0 && !c->help && !c->version) {
		char w0[64], w1[64], subs[1024];
		text_sanitize(words[0], w0, sizeof w0, false);
		if (is_group(words[0])) {
			/* the group is known: name the sub-command that is not, and list its own */
			size_t n = strlen(words[0]), off = 0;
			subs[0] = '\0';
			for (int i = 0; i < cli_n_commands && off < sizeof subs; i++)
				if (strncmp(cli_commands[i].name, words[0], n) == 0 && cli_commands[i].name[n] == ' ')
					off += (size_t)snprintf(subs + off, sizeof subs - off, "%s%s", off ? ", " : "",
					                        cli_commands[i].name + n + 1);
			if (nwords == 1)
				return usage_error("'%s' needs a sub-command: %s; see 'brokerage --help'", w0, subs);
			text_sanitize(words[1], w1, sizeof w1, false);
			return usage_error(
				"unknown sub-command '%s' of '%s': its sub-commands are %s; see 'brokerage --help'", w1,
				w0, subs);
		}
		return usage_error("unknown command '%s'; see 'brokerage --help'", w0);
	}
	if (c->cmd) {
		int skip = strchr(c->cmd->name, ' ') ? 2 : 1;
		for (int i = skip; i < nwords; i++)
			c->args.pos[c->args.npos++] = words[i];
	} else if (c->help && nwords > 0) {
		int used = 0;
		c->cmd = find_command(words[0], nwords > 1 ? words[1] : NULL, &used);
	}
	return BK_OK;
}

const char *cli_opt(const struct cli *c, const char *name)
{
	for (int i = c->args.nopts - 1; i >= 0; i--)
		if (strcmp(c->args.opts[i].name, name) == 0)
			return c->args.opts[i].value ? c->args.opts[i].value : "";
	return NULL;
}

bool cli_flag(const struct cli *c, const char *name)
{
	return cli_opt(c, name) != NULL;
}

int cli_opt_all(const struct cli *c, const char *name, const char **out, int max)
{
	int n = 0;
	for (int i = 0; i < c->args.nopts && n < max; i++)
		if (strcmp(c->args.opts[i].name, name) == 0 && c->args.opts[i].value)
			out[n++] = c->args.opts[i].value;
	return n;
}

void cli_print_help(FILE *out)
{
	fprintf(out, "usage: brokerage [GLOBAL OPTIONS] [COMMAND [ARGS]]\n"
	             "\n"
	             "With no command, brokerage opens the workstation on the database.\n"
	             "\n"
	             "Global options (before or after the command):\n"
	             "  --db PATH        the database (default: the configuration's, else\n"
	             "                   $XDG_DATA_HOME/brokerage/brokerage.db)\n"
	             "  --config FILE    the configuration file\n"
	             "  --json           machine-readable output\n"
	             "  --as LOGIN       act as LOGIN (test-mode databases only)\n"
	             "  --now TIME       take TIME as now (test-mode databases only)\n"
	             "  --help           this help, or a command's with 'brokerage COMMAND --help'\n"
	             "  --version        the program's version\n"
	             "\n"
	             "Commands:\n");
	for (int i = 0; i < cli_n_commands; i++)
		fprintf(out, "  %-22s %s\n", cli_commands[i].name, cli_commands[i].summary);
	fprintf(out, "\n"
	             "Exit codes: 0 done; 1 refused (nothing changed); 2 usage error;\n"
	             "3 conflict (someone else changed it first; nothing changed); 4 storage or system failure.\n"
	             "See brokerage(1), brokerage.conf(5) and brokerage(7).\n");
}

void cli_print_command_help(FILE *out, const struct cli_command *cmd)
{
	fprintf(out, "usage: brokerage %s\n\n%s.\n", cmd->usage, cmd->summary);
	fprintf(out, "\nGlobal options --db, --config, --json, --as and --now may be given too.\n");
}

/* ---- output ---- */

void out_text(const struct cli *c, FILE *f, const char *text)
{
	size_t n = strlen(text ? text : "") * 3 + 8;
	char stackbuf[1024];
	char *buf = n <= sizeof stackbuf ? stackbuf : malloc(n);
	if (!buf)
		return;
	text_sanitize(text, buf, n, c->ascii);
	fputs(buf, f);
	if (buf != stackbuf)
		free(buf);
}

void out_line(const struct cli *c, const char *fmt, ...)
{
	char line[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	out_text(c, stdout, line);
	fputc('\n', stdout);
}

/* ---- identity and paths ---- */

bool cli_os_login(char *buf, size_t len)
{
	struct passwd pw, *res = NULL;
	long size = sysconf(_SC_GETPW_R_SIZE_MAX);
	if (size < 1024)
		size = 16384;
	char *tmp = malloc((size_t)size);
	if (!tmp)
		return false;
	int rc = getpwuid_r(getuid(), &pw, tmp, (size_t)size, &res);
	bool ok = rc == 0 && res && res->pw_name && *res->pw_name;
	if (ok)
		snprintf(buf, len, "%s", res->pw_name);
	free(tmp);
	return ok;
}

static bool make_dir(const char *path)
{
	char tmp[1024];
	snprintf(tmp, sizeof tmp, "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
			return false;
		*p = '/';
	}
	return mkdir(tmp, 0700) == 0 || errno == EEXIST;
}

bool cli_default_db(char *buf, size_t len, bool create_dir)
{
	const char *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");
	char dir[1024];
	if (xdg && *xdg && xdg[0] == '/')
		snprintf(dir, sizeof dir, "%s/brokerage", xdg);
	else if (home && *home)
		snprintf(dir, sizeof dir, "%s/.local/share/brokerage", home);
	else
		return false;
	if (create_dir && !make_dir(dir))
		return false;
	snprintf(buf, len, "%s/brokerage.db", dir);
	return true;
}

/* ---- running a command ---- */

#define SYSTEM_CONFIG "/etc/brokerage/brokerage.conf"

/* The host's settings and the user's own. The council's policy is the
 * database's; the system file's policy keys (from before it moved there)
 * only seed a database that has none, and init takes the built-in policy
 * or --policy FILE, never anything from a personal file. */
static enum bk_status load_settings(struct cli *c)
{
	char path[1024], err[1024];
	enum conf_origin origin;
	const char *env = getenv("BROKERAGE_CONFIG");
	if (!conf_find(c->config, env && *env ? env : NULL, getenv("XDG_CONFIG_HOME"), getenv("HOME"), path,
	               sizeof path, &origin, err, sizeof err)) {
		say_error("%s", err);
		return BK_USAGE;
	}
	if (!conf_load(SYSTEM_CONFIG, path, &c->host, &c->settings, err, sizeof err)) {
		say_error("%s", err);
		say_error("the configuration was refused; nothing was started");
		return BK_USAGE;
	}
	if (c->cmd && c->cmd->needs == NEEDS_CREATE) {
		const char *policy = cli_opt(c, "policy");
		struct bk_settings defaults;
		bk_settings_defaults(&defaults);
		if (policy && !conf_load_policy(policy, &defaults, &c->settings, err, sizeof err)) {
			say_error("%s", err);
			say_error("the policy file was refused; nothing was created");
			return BK_USAGE;
		}
		if (!policy)
			c->settings = defaults;
	}
	if (!cal_zone_use(c->settings.zone)) {
		say_error("the time zone '%s' is not known on this system", c->settings.zone);
		return BK_USAGE;
	}
	return BK_OK;
}

/* --now, read in the council's zone. */
static enum bk_status parse_now(struct cli *c, int64_t *now)
{
	*now = (int64_t)time(NULL);
	if (!c->now_text)
		return BK_OK;
	char err[256];
	if (!cal_parse_time(c->now_text, now, err, sizeof err)) {
		say_error("--now: %s", err);
		return BK_USAGE;
	}
	return BK_OK;
}

/* Give up the brokerage group for everything after opening the database:
 * real, effective and saved, so that nothing later (a file the user names,
 * a bug) can take it back. */
static enum bk_status drop_group(struct cli *c, bool not_yet)
{
	if (not_yet)
		return BK_OK;
	umask(077);
	gid_t g = getgid(), r, e, s;
	if (setresgid(g, g, g) != 0 || getresgid(&r, &e, &s) != 0 || r != g || e != g || s != g) {
		say_error("could not give up the brokerage group's rights: %s", strerror(errno));
		bk_close(&c->ctx);
		return BK_STORAGE;
	}
	return BK_OK;
}

/* libpq reads PGHOST, PGHOSTADDR, PGOPTIONS, PGSERVICEFILE, PGPASSFILE and
 * the rest for whatever a connection string leaves out. While the program
 * holds its group to reach the host's database with its own password, none
 * of the user's may steer the connection: each PG variable is removed. */
static void forget_libpq_environment(void)
{
	extern char **environ;
	for (bool again = true; again;) {
		again = false;
		for (char **e = environ; e && *e; e++) {
			if (strncmp(*e, "PG", 2) != 0 || !strchr(*e, '='))
				continue;
			char name[256];
			size_t n = (size_t)(strchr(*e, '=') - *e);
			if (n >= sizeof name)
				continue;
			memcpy(name, *e, n);
			name[n] = '\0';
			unsetenv(name); /* environ changed: start again */
			again = true;
			break;
		}
	}
}

/* A restore in the shared deployment: the group set aside (effective
 * only) while the backup is read as the user, taken back just to keep the
 * current contents in the group's directory, then given up for good. */
static gid_t saved_group;

static bool raise_group(void *ud)
{
	(void)ud;
	return setegid(saved_group) == 0;
}

static void lower_group(void *ud)
{
	(void)ud;
	if (setegid(getgid()) != 0)
		abort(); /* never go on holding the group */
}

static const struct store_keep_access keep_access = { raise_group, lower_group, NULL };

const char *cli_db_shown(const struct cli *c)
{
	const char *shown = bk_path(&c->ctx);
	return shown[0] ? shown : c->db_path ? c->db_path : "";
}

enum bk_status cli_run(struct cli *c)
{
	enum bk_status st = load_settings(c);
	if (st != BK_OK)
		return st;
	if (!cli_os_login(c->login, sizeof c->login)) {
		say_error("cannot tell who you are: your user id has no login on this host");
		return BK_STORAGE;
	}
	int64_t now;
	if ((st = parse_now(c, &now)) != BK_OK)
		return st;
	if (c->cmd && c->cmd->needs == NEEDS_NOTHING) {
		c->ctx.now = now;
		return c->cmd->handler(c);
	}
	char dbpath[1024];
	const char *db = c->db;
	if (!db && c->host.database[0])
		db = c->host.database;
	if (!db) {
		if (!cli_default_db(dbpath, sizeof dbpath, c->cmd && c->cmd->needs == NEEDS_CREATE)) {
			say_error("cannot work out where the database lives: give --db PATH");
			return BK_USAGE;
		}
		db = dbpath;
	}
	/* migrate --from: the database opened (and whose staff say who may
	 * copy it) is the PostgreSQL one named there; --db names the new file. */
	if (c->cmd && strcmp(c->cmd->name, "migrate") == 0 && cli_opt(c, "from")) {
		c->migrate_into = db;
		db = cli_opt(c, "from");
	}
	bool create = c->cmd && c->cmd->needs == NEEDS_CREATE;
	bool policy_only = c->cmd && c->cmd->needs == NEEDS_POLICY;
	c->db_path = db;
	struct stat sb;
	if (policy_only && !c->db && !c->host.database[0] && stat(db, &sb) != 0 && errno == ENOENT) {
		/* no database anywhere: the policy a new one would have */
		bk_settings_defaults(&c->settings);
		if (!cal_zone_use(c->settings.zone))
			return BK_STORAGE;
		c->ctx.settings = &c->settings;
		cal_rules_from_settings(&c->ctx.cal, &c->settings);
		c->ctx.now = now;
		return c->cmd->handler(c);
	}
	if (create && (c->as || c->now_text) && !cli_flag(c, "test-mode") && strcmp(c->cmd->name, "demo") != 0) {
		say_error("--as and --now are accepted only with 'init --test-mode'; nothing was created");
		return BK_USAGE;
	}
	/* Shared deployment: installed setgid to the brokerage group, the only
	 * group that may enter the data directory. The database files are made
	 * group-readable for it (0660), and the group is kept only while they
	 * are opened: exports and backups are then written as the user. */
	bool shared = getegid() != getgid();
	/* PostgreSQL in the shared deployment (brokerage(7), "POSTGRESQL: WHO
	 * MAY REACH THE DATA"): the group, which alone may read the program's
	 * password file, is kept to connect only to the database the host's
	 * configuration names, and libpq's environment is then ignored. A
	 * connection string on --db or in a personal file is the user's own:
	 * the group is given up before it is used. */
	if (shared && bk_db_is_server(db)) {
		bool from_host = !c->db && c->host.system_file[0] &&
		                 strcmp(c->host.set_in[CONF_DATABASE], c->host.system_file) == 0;
		if (from_host)
			forget_libpq_environment();
		else if (drop_group(c, false) != BK_OK)
			return BK_STORAGE;
		else
			shared = false;
	}
	if (shared)
		umask(007);

	struct bk_open_opts oo = {
		.path = db,
		.create = create,
		.allow_remote =
			getenv("BROKERAGE_ALLOW_NETWORK_FS") && strcmp(getenv("BROKERAGE_ALLOW_NETWORK_FS"), "1") == 0,
		.shared = getegid() != getgid(),
		.inspect_only =
			c->cmd && (strcmp(c->cmd->name, "check") == 0 || strcmp(c->cmd->name, "backup") == 0 ||
		                   strcmp(c->cmd->name, "restore") == 0 || strcmp(c->cmd->name, "migrate") == 0 ||
		                   strncmp(c->cmd->name, "audit ", 6) == 0 || policy_only),
		.inspect = c->cmd && (strcmp(c->cmd->name, "check") == 0 || strcmp(c->cmd->name, "audit verify") == 0 ||
		                      strcmp(c->cmd->name, "migrate") == 0 || policy_only),
		.login = c->login,
		.now = now,
	};
	char seed_zone[BK_NAME_MAX];
	snprintf(seed_zone, sizeof seed_zone, "%s", c->settings.zone);
	st = bk_open(&c->ctx, &c->settings, &oo);
	if (st != BK_OK) {
		say_error("%s", c->ctx.msg);
		return st;
	}
	/* --now names a time in the council's zone, which is the database's. */
	if (c->now_text && strcmp(seed_zone, c->ctx.settings->zone) != 0 && (st = parse_now(c, &now)) != BK_OK) {
		bk_close(&c->ctx);
		return st;
	}
	if (bk_readonly(&c->ctx) && !oo.inspect)
		say_error("%s is read-only for you: you can look, but nothing can be changed", cli_db_shown(c));
	c->ctx.now = now;
	/* messages written by an action go through the host's mail command after its commit */
	c->ctx.mail_command = c->host.mail_command;
	if (create || policy_only) {
		/* a new database has no one to identify yet; the policy is the
		 * council's, not case data: no one need be identified */
		if (shared && drop_group(c, false) != BK_OK)
			return BK_STORAGE;
		st = c->cmd->handler(c);
		bk_close(&c->ctx);
		return st;
	}
	cli_handler body = c->cmd ? c->cmd->handler : cli_workstation;
	bool as_override = c->as != NULL;
	if (c->now_text && !c->ctx.test_mode) {
		say_error("--as and --now are accepted only by a database made with "
		          "'brokerage init --test-mode'; %s is a real database",
		          cli_db_shown(c));
		bk_close(&c->ctx);
		return BK_USAGE;
	}
	/* Who is acting is known before the group is given up, so that a login
	 * with no staff record leaves nothing behind in the group's directory
	 * (SQLite removes its log at close only while it may write there). */
	st = bk_identify(&c->ctx, as_override ? c->as : c->login, as_override);
	if (st != BK_OK) {
		say_error("%s", c->ctx.msg);
		bk_close(&c->ctx);
		return st;
	}
	/* The head of the trail, outside the file, while the group may still
	 * write in its directory (the file stays open for the head at close). */
	if (!oo.inspect)
		bk_anchor_record(&c->ctx, (int64_t)time(NULL));
	bool restoring = c->cmd && strcmp(c->cmd->name, "restore") == 0;
	if (shared && restoring) {
		saved_group = getegid();
		umask(077);
		if (setegid(getgid()) != 0) {
			say_error("could not set aside the brokerage group's rights: %s", strerror(errno));
			bk_close(&c->ctx);
			return BK_STORAGE;
		}
		bk_set_keep_access(&c->ctx, &keep_access);
	}
	if (shared && drop_group(c, restoring) != BK_OK)
		return BK_STORAGE;
	st = body(c);
	/* The heads anchored so far name events of the trail just replaced. */
	if (restoring && st == BK_OK)
		bk_anchor_restored(&c->ctx, (int64_t)time(NULL));
	if (shared && restoring && drop_group(c, false) != BK_OK)
		return BK_STORAGE;
	bk_close(&c->ctx);
	return st;
}

/* ---- output shared by the command handlers ---- */

json_t *cli_jtext(const char *s)
{
	return s && *s ? bk_json_text(s) : json_null();
}

void cli_print_json(json_t *j)
{
	if (!j)
		return;
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	char *hard = s ? text_json_harden(s) : NULL;
	if (hard)
		puts(hard);
	free(s);
	free(hard);
	json_decref(j);
}

enum bk_status cli_finish(struct cli *c, enum bk_status st, json_t *extra)
{
	if (st == BK_OK) {
		if (c->json) {
			json_t *o = extra && json_is_object(extra) ? extra : json_object();
			if (!json_object_get(o, "ok"))
				json_object_set_new(o, "ok", json_true());
			if (c->ctx.msg[0] && !json_object_get(o, "message"))
				json_object_set_new(o, "message", cli_jtext(c->ctx.msg));
			if (c->ctx.warning[0] && !json_object_get(o, "warning"))
				json_object_set_new(o, "warning", cli_jtext(c->ctx.warning));
			cli_print_json(o);
			if (extra && o != extra)
				json_decref(extra);
		} else {
			if (c->ctx.msg[0])
				out_line(c, "%s", c->ctx.msg);
			json_decref(extra);
		}
		return BK_OK;
	}
	fputs("brokerage: ", stderr);
	out_text(c, stderr, c->ctx.msg[0] ? c->ctx.msg : bk_status_name(st));
	fputc('\n', stderr);
	if (c->json) {
		json_t *err = json_pack("{sb s{ss so si}}", "ok", 0, "error", "status", bk_status_name(st), "message",
		                        cli_jtext(c->ctx.msg), "exit", (int)st);
		if (extra)
			json_object_update(json_object_get(err, "error"), extra);
		cli_print_json(err);
	}
	json_decref(extra);
	return st;
}

enum bk_status cli_usage(struct cli *c, const char *what)
{
	snprintf(c->ctx.msg, sizeof c->ctx.msg, "%s; usage: brokerage %s", what, c->cmd->usage);
	return cli_finish(c, BK_USAGE, NULL);
}

enum bk_status cli_workstation(struct cli *c)
{
	struct tui_start start = {
		.ctx = &c->ctx,
		.db_path = c->db_path,
		.config = c->config,
		.as = c->as,
		.now_text = c->now_text,
		.ascii = c->ascii,
		.colour = c->host.colour,
	};
	return tui_workstation(&start);
}
