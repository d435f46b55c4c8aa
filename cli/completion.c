/* Writes the bash completion of brokerage(1) to standard output, made from
 * the one list of commands (cli/commands.def) and of global options
 * (cli/globals.def), so it never drifts from the program. Run by meson at
 * build time; not part of the program.
 *
 * What each argument takes is read from the command's usage line: a word
 * list such as "officer|team_leader" is offered as it is; LOGIN is a staff
 * login (a host login for "staff add"), PROVIDER, the value of --provider and
 * NAME in the provider commands but "provider add" a provider's name, FILE a
 * file and DIR a directory. Staff logins and provider names are read at
 * completion time through the program itself ("staff list --json",
 * "provider list --json"), which quietly gives nothing when there is no
 * database. The functions that use the tables written here are in
 * cli/completion.bash, copied after them. */
#define _POSIX_C_SOURCE 200809L /* strtok_r: project arguments are not given to a native program */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct command {
	const char *name, *options, *usage;
};

static const struct command commands[] = {
#define CMD(name, handler, needs, options, usage, summary) { name, options, usage },
#include "cli/commands.def"
#undef CMD
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

struct global {
	const char *name;
	bool takes_value;
	const char *value;
};

static const struct global globals[] = {
#define GLOBAL(name, member, takes_value, value) { name, takes_value, value },
#include "cli/globals.def"
#undef GLOBAL
};
#define N_GLOBALS (sizeof globals / sizeof globals[0])

static void die(const char *what, const char *where)
{
	fprintf(stderr, "completion: %s: %s\n", where, what);
	exit(1);
}

/* Everything written into the script is a plain word: no quoting needed. */
static void check_word(const char *w, const char *where)
{
	for (const char *p = w; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_-. ", *p))
			die("a character the completion cannot carry", where);
}

/* The completion kind of a value written as TEXT in COMMAND's usage:
 * "w:a b c" (those words), files, dirs, logins, users, providers or none;
 * a trailing "..." (the argument repeats) is kept. */
static void value_kind(const char *command, const char *option, const char *text, char *out, size_t len)
{
	char t[256];
	snprintf(t, sizeof t, "%s", text);
	const char *repeat = "";
	size_t n = strlen(t);
	if (n > 3 && strcmp(t + n - 3, "...") == 0) {
		t[n - 3] = '\0';
		repeat = "...";
	}
	bool provider_group = strncmp(command, "provider ", 9) == 0 && strcmp(command, "provider add") != 0;
	if (strchr(t, '|')) {
		if (strncmp(t, "FILE", 4) == 0) {
			snprintf(out, len, "files%s", repeat);
			return;
		}
		char words[256] = "";
		for (char *save = NULL, *w = strtok_r(t, "|", &save); w; w = strtok_r(NULL, "|", &save)) {
			if (!islower((unsigned char)w[0]))
				die("a choice of words mixes in a placeholder", command);
			strncat(words, words[0] ? " " : "", sizeof words - strlen(words) - 1);
			strncat(words, w, sizeof words - strlen(words) - 1);
		}
		check_word(words, command);
		snprintf(out, len, "w:%s%s", words, repeat);
	} else if (islower((unsigned char)t[0])) {
		check_word(t, command);
		snprintf(out, len, "w:%s%s", t, repeat);
	} else if (strcmp(t, "LOGIN") == 0) {
		snprintf(out, len, "%s%s", strcmp(command, "staff add") == 0 ? "users" : "logins", repeat);
	} else if (strcmp(t, "PROVIDER") == 0 || (option && strcmp(option, "provider") == 0) ||
	           (!option && provider_group && strcmp(t, "NAME") == 0)) {
		snprintf(out, len, "providers%s", repeat);
	} else if (strncmp(t, "FILE", 4) == 0) {
		snprintf(out, len, "files%s", repeat);
	} else if (strcmp(t, "DIR") == 0) {
		snprintf(out, len, "dirs%s", repeat);
	} else {
		snprintf(out, len, "none%s", repeat);
	}
}

/* The option NAME of a command: 0 absent, 1 a flag, 2 takes a value. */
static int option_kind(const struct command *c, const char *name)
{
	size_t len = strlen(name);
	for (const char *p = c->options; *p;) {
		while (*p == ' ')
			p++;
		const char *start = p;
		while (*p && *p != ' ' && *p != '=' && *p != '+')
			p++;
		int kind = (*p == '=' || *p == '+') ? 2 : 1;
		if ((size_t)(p - start) == len && strncmp(start, name, len) == 0)
			return kind;
		if (*p == '=' || *p == '+')
			p++;
	}
	return 0;
}

/* The usage's words after the command's name, split at spaces. */
static int usage_words(const struct command *c, char *buf, size_t len, char **words, int max)
{
	snprintf(buf, len, "%s", c->usage);
	char *rest = buf + strlen(c->name);
	if (strncmp(buf, c->name, strlen(c->name)) != 0)
		die("the usage does not start with the command's name", c->name);
	int n = 0;
	for (char *save = NULL, *w = strtok_r(rest, " ", &save); w && n < max; w = strtok_r(NULL, " ", &save))
		words[n++] = w;
	return n;
}

/* What the usage writes after --NAME ("" when it is not there). */
static void option_value_text(const struct command *c, const char *name, char *out, size_t len)
{
	char buf[1024], *w[128];
	int n = usage_words(c, buf, sizeof buf, w, 128);
	out[0] = '\0';
	for (int i = 0; i + 1 < n; i++) {
		const char *o = w[i] + strspn(w[i], "[");
		if (strncmp(o, "--", 2) == 0 && strcmp(o + 2, name) == 0) {
			snprintf(out, len, "%.*s", (int)strcspn(w[i + 1], "]"), w[i + 1]);
			return;
		}
	}
}

static void print_command(const struct command *c)
{
	printf("\t'%s')\n\t\t_bk_opts=(", c->name);
	char names[64][48];
	int nn = 0;
	for (const char *p = c->options; *p && nn < 64;) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		size_t k = strcspn(p, " =+");
		snprintf(names[nn], sizeof names[nn], "%.*s", (int)k, p);
		check_word(names[nn], c->name);
		printf("%s--%s", nn ? " " : "", names[nn]);
		nn++;
		p += k;
		if (*p == '=' || *p == '+')
			p++;
	}
	printf(")\n\t\t_bk_kinds=(");
	for (int i = 0; i < nn; i++) {
		char text[256], kind[300];
		if (option_kind(c, names[i]) == 1) {
			printf("%sflag", i ? " " : "");
			continue;
		}
		option_value_text(c, names[i], text, sizeof text);
		value_kind(c->name, names[i], text[0] ? text : "VALUE", kind, sizeof kind);
		printf("%s'%s'", i ? " " : "", kind);
	}
	printf(")\n\t\t_bk_pos=(");
	/* The positional arguments: what is outside brackets and is not an
	 * option or its value; "a | b" at one place are choices of one. */
	char buf[1024], *w[128];
	int n = usage_words(c, buf, sizeof buf, w, 128), depth = 0, npos = 0;
	char pos[16][300];
	bool alternative = false;
	for (int i = 0; i < n; i++) {
		int was = depth;
		for (const char *p = w[i]; *p; p++)
			depth += *p == '[' ? 1 : *p == ']' ? -1 : 0;
		if (was > 0 || strchr(w[i], '['))
			continue;
		if (strcmp(w[i], "|") == 0) {
			alternative = true;
			continue;
		}
		if (strncmp(w[i], "--", 2) == 0) {
			if (option_kind(c, w[i] + 2) == 2)
				i++;
			continue;
		}
		char kind[300];
		value_kind(c->name, NULL, w[i], kind, sizeof kind);
		if (alternative && npos > 0 && strncmp(pos[npos - 1], "w:", 2) == 0 && strncmp(kind, "w:", 2) == 0) {
			/* a word named twice ("decline --code K | decline --reason T") is offered once */
			char have_words[310], word[310];
			snprintf(have_words, sizeof have_words, " %s ", pos[npos - 1] + 2);
			snprintf(word, sizeof word, " %s ", kind + 2);
			size_t have = strlen(pos[npos - 1]);
			if (!strstr(have_words, word))
				snprintf(pos[npos - 1] + have, sizeof pos[npos - 1] - have, " %s", kind + 2);
		} else if (npos < 16) {
			snprintf(pos[npos++], sizeof pos[0], "%s", kind);
		}
		alternative = false;
	}
	for (int i = 0; i < npos; i++)
		printf("%s'%s'", i ? " " : "", pos[i]);
	printf(")\n\t\t;;\n");
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: completion cli/completion.bash\n");
		return 2;
	}
	const char *path = argv[1];
	printf("# bash completion for brokerage(1), made at build time from cli/commands.def\n"
	       "# and cli/globals.def by cli/completion.c: do not edit.\n\n");

	/* the first words: single commands and groups, each once */
	printf("_brokerage_first='");
	for (size_t i = 0; i < N_COMMANDS; i++) {
		size_t k = strcspn(commands[i].name, " ");
		bool seen = false;
		for (size_t j = 0; j < i; j++)
			seen = seen || (strncmp(commands[j].name, commands[i].name, k) == 0 &&
			                (commands[j].name[k] == ' ' || commands[j].name[k] == '\0'));
		if (!seen)
			printf("%s%.*s", i ? " " : "", (int)k, commands[i].name);
	}
	printf("'\n\n");

	/* a group's sub-commands, and whether the group's name is a command too */
	printf("# the sub-commands of a group (status 1: not a group)\n_brokerage_subs() {\n\tcase $1 in\n");
	for (size_t i = 0; i < N_COMMANDS; i++) {
		size_t k = strcspn(commands[i].name, " ");
		if (!commands[i].name[k])
			continue;
		bool seen = false;
		for (size_t j = 0; j < i; j++)
			seen = seen || strncmp(commands[j].name, commands[i].name, k + 1) == 0;
		if (seen)
			continue;
		printf("\t%.*s) _bk_subs='", (int)k, commands[i].name);
		for (size_t j = i, first = 1; j < N_COMMANDS; j++)
			if (strncmp(commands[j].name, commands[i].name, k + 1) == 0) {
				printf("%s%s", first ? "" : " ", commands[j].name + k + 1);
				first = 0;
			}
		/* a group that is also a command by itself ("inbox", "inbox confirm") */
		bool self = false;
		for (size_t j = 0; j < N_COMMANDS; j++)
			self = self ||
			       (strncmp(commands[j].name, commands[i].name, k) == 0 && commands[j].name[k] == '\0');
		printf("'; _bk_self=%d ;;\n", self ? 1 : 0);
	}
	printf("\t*) return 1 ;;\n\tesac\n}\n\n");

	printf("_brokerage_globals='");
	for (size_t i = 0; i < N_GLOBALS; i++)
		printf("%s--%s", i ? " " : "", globals[i].name);
	printf("'\n\n# the kind of value a global option takes (status 1: a flag or none)\n"
	       "_brokerage_global_kind() {\n\tcase $1 in\n");
	for (size_t i = 0; i < N_GLOBALS; i++)
		if (globals[i].takes_value) {
			char kind[300];
			value_kind("", globals[i].name, globals[i].value, kind, sizeof kind);
			printf("\t--%s) _bk_kind='%s' ;;\n", globals[i].name, kind);
		}
	printf("\t*) return 1 ;;\n\tesac\n}\n\n");

	printf("# a command's options, the kind of each one's value (flag: none) and its\n"
	       "# positional arguments (status 1: no such command)\n"
	       "_brokerage_spec() {\n\tcase $1 in\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		print_command(&commands[i]);
	printf("\t*) return 1 ;;\n\tesac\n}\n\n");

	/* then the functions that use these tables, as they are */
	FILE *f = fopen(path, "r");
	if (!f)
		die("cannot be read", path);
	char line[1024];
	while (fgets(line, sizeof line, f))
		fputs(line, stdout);
	bool bad = ferror(f);
	fclose(f);
	return bad || ferror(stdout) || fflush(stdout) != 0 ? 1 : 0;
}
