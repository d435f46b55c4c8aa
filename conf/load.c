/* Configuration files, read with libconfig: defaults first, then each key
 * the file sets, each checked as it is read, then the checks that need two
 * keys. Nothing is applied to the caller's structs until the whole file has
 * passed. One table of keys drives the parse, the unknown-key check, the
 * did-you-mean hint and `policy show`, so they cannot drift apart. */
#include "conf/conf.h"

#include <errno.h>
#include <inttypes.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "core/calendar.h"

#define RATE_MAX_PENCE 1000000             /* £10,000.00 an hour */
#define THRESHOLD_MAX_PENCE 100000000000LL /* £1,000,000,000.00 a year */

/* What the reader carries while it works through one file. */
struct loader {
	const char *path;
	char include_dir[BK_PATH_MAX]; /* the file's directory, "" when none */
	char *err;
	size_t errlen;
	const config_setting_t *where[BK_SET_COUNT]; /* the setting of each key the file set */
	bool policy_seen;                            /* the file named a policy key */
	/* The text of the last source file read back (see literal_wrapped). */
	char *text_file;
	char *text;
};

static bool utf8_valid(const char *text);

/* The file a setting or an error came from, as the user would open it:
 * libconfig names an included file as written in @include, relative to
 * the including file's directory. */
static void source_name(const struct loader *ld, const char *file, char *buf, size_t len)
{
	if (!file || strcmp(file, ld->path) == 0 || file[0] == '/' || !ld->include_dir[0])
		snprintf(buf, len, "%s", file ? file : ld->path);
	else
		snprintf(buf, len, "%s/%s", ld->include_dir, file);
}

static bool fail(struct loader *ld, const config_setting_t *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static bool fail(struct loader *ld, const config_setting_t *at, const char *fmt, ...)
{
	unsigned line = at ? config_setting_source_line(at) : 0;
	char what[768], file[BK_PATH_MAX + 80];
	bool ascii_only;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	/* Values are echoed to a terminal: no control bytes, no broken UTF-8. */
	ascii_only = !utf8_valid(what);
	for (unsigned char *p = (unsigned char *)what; *p; p++)
		if (*p < 0x20 || *p == 0x7f || (ascii_only && *p >= 0x80))
			*p = '?';
	source_name(ld, at ? config_setting_source_file(at) : NULL, file, sizeof file);
	if (ld->errlen == 0)
		return false;
	if (line > 0)
		snprintf(ld->err, ld->errlen, "%s:%u: %s", file, line, what);
	else
		snprintf(ld->err, ld->errlen, "%s: %s", file, what);
	return false;
}

/* ---- words for types and values ---------------------------------------- */

static const char *type_words(const config_setting_t *s)
{
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		return "a whole number";
	case CONFIG_TYPE_FLOAT:
		return "a decimal number";
	case CONFIG_TYPE_STRING:
		return "a string";
	case CONFIG_TYPE_BOOL:
		return "true or false";
	case CONFIG_TYPE_GROUP:
		return "a group in { }";
	case CONFIG_TYPE_ARRAY:
		return "an array in [ ]";
	case CONFIG_TYPE_LIST:
		return "a list in ( )";
	default:
		return "empty";
	}
}

static bool is_integer(const config_setting_t *s)
{
	return config_setting_type(s) == CONFIG_TYPE_INT || config_setting_type(s) == CONFIG_TYPE_INT64;
}

static bool utf8_valid(const char *text)
{
	const unsigned char *p = (const unsigned char *)text;

	while (*p) {
		int follow;
		uint32_t cp;
		if (*p < 0x80) {
			p++;
			continue;
		} else if ((*p & 0xe0) == 0xc0) {
			follow = 1;
			cp = *p & 0x1f;
		} else if ((*p & 0xf0) == 0xe0) {
			follow = 2;
			cp = *p & 0x0f;
		} else if ((*p & 0xf8) == 0xf0) {
			follow = 3;
			cp = *p & 0x07;
		} else {
			return false;
		}
		p++;
		for (int i = 0; i < follow; i++, p++) {
			if ((*p & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (*p & 0x3f);
		}
		/* Overlong forms, surrogates and values past Unicode. */
		if ((follow == 1 && cp < 0x80) || (follow == 2 && cp < 0x800) || (follow == 3 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return false;
	}
	return true;
}

static bool has_control(const char *text)
{
	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return true;
	return false;
}

/* A name shown on screens and in reports (a lot or a district). NULL when
 * fine, else what is wrong with it. */
static const char *name_problem(const char *name, bool csv)
{
	size_t len = strlen(name);

	if (len == 0)
		return "is empty";
	if (len >= BK_NAME_MAX)
		return "is longer than 63 bytes";
	if (!utf8_valid(name))
		return "is not valid UTF-8";
	if (has_control(name))
		return "contains a control character";
	if (name[0] == ' ' || name[len - 1] == ' ')
		return "begins or ends with a space";
	if (csv && strchr(name, ','))
		return "contains a comma, which the CSV reports use to separate columns";
	return NULL;
}

/* "19.50", "£19.50", "19.5", "19" -> pence, exactly: integer arithmetic
 * only. NULL when it parsed, else what is wrong with the text. */
static const char *parse_pounds(const char *text, int64_t max_pence, int64_t *pence)
{
	const char *p = text;
	int64_t pounds = 0, frac = 0;
	int decimals = 0;

	if (strncmp(p, "\xc2\xa3", 2) == 0) /* £ in UTF-8 */
		p += 2;
	if (*p < '0' || *p > '9')
		return "is not an amount in pounds and pence";
	for (; *p >= '0' && *p <= '9'; p++) {
		pounds = pounds * 10 + (*p - '0');
		if (pounds * 100 > max_pence)
			return "is too large";
	}
	if (*p == '.') {
		p++;
		for (; *p >= '0' && *p <= '9'; p++) {
			if (++decimals > 2)
				return "has more than two decimal places (amounts are in whole pence)";
			frac = frac * 10 + (*p - '0');
		}
		if (decimals == 0)
			return "is not an amount in pounds and pence";
		if (decimals == 1)
			frac *= 10;
	}
	if (*p != '\0')
		return "is not an amount in pounds and pence";
	if (pounds * 100 + frac > max_pence)
		return "is too large";
	*pence = pounds * 100 + frac;
	return NULL;
}

/* "YYYY-MM-DD" exactly, a real date -> day number. */
static bool parse_day(const char *text, int32_t *day)
{
	int y = 0, mo = 0, d = 0;

	for (int i = 0; i < 10; i++) {
		bool dash = i == 4 || i == 7;
		if (dash ? text[i] != '-' : (text[i] < '0' || text[i] > '9'))
			return false;
	}
	if (text[10] != '\0')
		return false;
	for (int i = 0; i < 4; i++)
		y = y * 10 + (text[i] - '0');
	mo = (text[5] - '0') * 10 + (text[6] - '0');
	d = (text[8] - '0') * 10 + (text[9] - '0');
	if (y < 1900 || !cal_date_valid(y, mo, d))
		return false;
	*day = cal_days_from_civil(y, mo, d);
	return true;
}

/* ---- the did-you-mean hint ------------------------------------------- */

#define DISTANCE_MAX_LEN 64

/* Edits (insert, delete, change, swap two neighbours) from a to b. */
static int edit_distance(const char *a, const char *b)
{
	int d[DISTANCE_MAX_LEN + 1][DISTANCE_MAX_LEN + 1];
	size_t la = strlen(a), lb = strlen(b);

	if (la > DISTANCE_MAX_LEN || lb > DISTANCE_MAX_LEN)
		return DISTANCE_MAX_LEN;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = (int)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			int cost = a[i - 1] == b[j - 1] ? 0 : 1;
			int best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < best)
				best = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	}
	return d[la][lb];
}

/* The known key a misspelt one most likely meant, or NULL. A part of a key,
 * or a key with more around it ("rate", "lot"), is a better guess than a
 * key a couple of letters away ("name"). */
static const char *guess_key(const char *name, const char *const *known, int n_known)
{
	const char *nearest = NULL;
	int best = 3; /* within two edits only */

	if (strlen(name) >= 3)
		for (int i = 0; i < n_known; i++)
			if (strstr(known[i], name) || strstr(name, known[i]))
				return known[i];
	for (int i = 0; i < n_known; i++) {
		int dist = edit_distance(name, known[i]);
		if (dist < best) {
			best = dist;
			nearest = known[i];
		}
	}
	return nearest;
}

static bool unknown_setting(struct loader *ld, const config_setting_t *s, const char *where, const char *const *known,
                            int n_known)
{
	const char *name = config_setting_name(s);
	const char *guess = guess_key(name, known, n_known);

	if (guess)
		return fail(ld, s, "unknown setting '%s'%s (did you mean '%s'?)", name, where, guess);
	return fail(ld, s, "unknown setting '%s'%s", name, where);
}

/* ---- integers --------------------------------------------------------- */

/* Keep the text of one source file in memory, for literal_wrapped. */
static const char *source_text(struct loader *ld, const char *file)
{
	FILE *f;
	size_t cap = 0;

	if (ld->text_file && strcmp(ld->text_file, file) == 0)
		return ld->text;
	free(ld->text_file);
	free(ld->text);
	ld->text_file = NULL;
	ld->text = NULL;
	if (!(f = fopen(file, "r")))
		return NULL;
	/* The whole file: a configuration file holds no NUL byte. */
	if (getdelim(&ld->text, &cap, '\0', f) < 0 || !(ld->text_file = strdup(file))) {
		free(ld->text);
		ld->text = NULL;
	}
	fclose(f);
	return ld->text;
}

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
	       c == '*';
}

/* libconfig 1.5 keeps a plain integer in 32 bits and wraps it silently, so
 * `response_days = 4294967299;` would read as 3. Read the number back from
 * the file: true when the file says something other than what libconfig
 * gave (literal then holds the file's text). */
static bool literal_wrapped(struct loader *ld, const config_setting_t *s, char *literal, size_t litlen)
{
	const char *name = config_setting_name(s);
	unsigned line = config_setting_source_line(s);
	long long value = config_setting_get_int64(s);
	const char *text, *p;
	char file[BK_PATH_MAX + 80];
	size_t nlen;
	bool seen = false;

	source_name(ld, config_setting_source_file(s), file, sizeof file);
	if (!name || line == 0 || !(text = source_text(ld, file)))
		return false;
	for (p = text; line > 1 && *p; p++)
		if (*p == '\n')
			line--;
	nlen = strlen(name);
	/* Every `name =` on the setting's line; two lots may share one line. */
	for (; *p && *p != '\n'; p++) {
		const char *q = p + nlen, *start;
		char *end;
		long long v;
		if (strncmp(p, name, nlen) != 0 || (p > text && is_name_char(p[-1])) || is_name_char(*q))
			continue;
		while (*q == ' ' || *q == '\t')
			q++;
		if (*q != '=' && *q != ':')
			continue;
		q++;
		while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r')
			q++;
		start = q;
		errno = 0;
		if (q[0] == '0' && (q[1] == 'x' || q[1] == 'X'))
			v = (long long)strtoull(q, &end, 16);
		else
			v = strtoll(q, &end, 10);
		if (end == start)
			continue;
		if (errno == 0 && v == value)
			return false;
		if (!seen)
			snprintf(literal, litlen, "%.*s", (int)(end - start > 40 ? 40 : end - start), start);
		seen = true;
	}
	return seen;
}

static bool get_int(struct loader *ld, const config_setting_t *s, const char *what, int lo, int hi, int *out)
{
	char literal[48];
	long long v;

	if (!is_integer(s))
		return fail(ld, s, "%s must be a whole number, not %s", what, type_words(s));
	v = config_setting_get_int64(s);
	if (literal_wrapped(ld, s, literal, sizeof literal))
		return fail(ld, s, "%s must be from %d to %d, not %s", what, lo, hi, literal);
	if (v < lo || v > hi)
		return fail(ld, s, "%s must be from %d to %d, not %lld", what, lo, hi, v);
	*out = (int)v;
	return true;
}

/* The setting's text, or NULL (err written) when it is not a string. */
static const char *get_string(struct loader *ld, const config_setting_t *s, const char *what, const char *example)
{
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		fail(ld, s, "%s must be a string in quotes, such as %s, not %s", what, example, type_words(s));
		return NULL;
	}
	return config_setting_get_string(s);
}

/* An array [ ] or list ( ) of strings, each checked to be a string. */
static bool get_strings(struct loader *ld, const config_setting_t *s, const char *what, const char *example, int max)
{
	int n;

	if (config_setting_type(s) != CONFIG_TYPE_ARRAY && config_setting_type(s) != CONFIG_TYPE_LIST)
		return fail(ld, s, "%s must be an array of strings, such as %s, not %s", what, example, type_words(s));
	n = config_setting_length(s);
	if (n > max)
		return fail(ld, s, "%s has %d entries; at most %d are allowed", what, n, max);
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING)
			return fail(ld, e, "%s: entry %d must be a string in quotes, not %s", what, i + 1,
			            type_words(e));
	}
	return true;
}

static bool get_bool(struct loader *ld, const config_setting_t *s, const char *what, bool *out)
{
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return fail(ld, s, "%s must be true or false, not %s", what, type_words(s));
	*out = config_setting_get_bool(s) != 0;
	return true;
}

/* ---- one parser per key ------------------------------------------------ */

/* A PostgreSQL connection string: postgresql:// or postgres://, or a
 * keyword string (a word of letters, then '='). */
static bool looks_like_conninfo(const char *v)
{
	if (strncmp(v, "postgresql://", 13) == 0 || strncmp(v, "postgres://", 11) == 0)
		return true;
	const char *p = v;
	while ((*p >= 'a' && *p <= 'z') || *p == '_')
		p++;
	while (p > v && *p == ' ')
		p++;
	return p > v && *p == '=';
}

static bool parse_database(struct loader *ld, const config_setting_t *s, struct conf_host *h)
{
	const char *v;

	if (!(v = get_string(ld, s, "database", "\"/var/lib/brokerage/brokerage.db\"")))
		return false;
	if (strlen(v) >= sizeof h->database)
		return fail(ld, s, "database is longer than %zu bytes", sizeof h->database - 1);
	if (has_control(v))
		return fail(ld, s, "database contains a control character");
	/* A relative path would name a different database in each working
	 * directory: staff would silently work on different lists. A
	 * PostgreSQL database is named by its connection string (a URI, or
	 * keyword=value settings), which the program checks when it connects;
	 * this is the rule of store_is_conninfo (conf/ sees no storage). */
	if (v[0] != '\0' && v[0] != '/' && !looks_like_conninfo(v))
		return fail(ld, s,
		            "database must be an absolute path beginning with '/', a PostgreSQL connection string "
		            "(postgresql://... or host=... dbname=...), or \"\" for the default, not \"%s\"%s",
		            v, v[0] == '~' ? "; '~' is not expanded" : "");
	snprintf(h->database, sizeof h->database, "%s", v);
	return true;
}

static bool parse_colour(struct loader *ld, const config_setting_t *s, struct conf_host *h)
{
	return get_bool(ld, s, "colour", &h->colour);
}

/* The program that takes a message on its standard input and delivers it
 * to the addresses in its headers: run directly, its words split at
 * spaces, never through a shell. */
static bool parse_mail_command(struct loader *ld, const config_setting_t *s, struct conf_host *h)
{
	const char *v;

	if (!(v = get_string(ld, s, "mail_command", "\"" CONF_MAIL_COMMAND_DEFAULT "\"")))
		return false;
	if (strlen(v) >= sizeof h->mail_command)
		return fail(ld, s, "mail_command is longer than %zu bytes", sizeof h->mail_command - 1);
	if (has_control(v))
		return fail(ld, s, "mail_command contains a control character");
	const char *p = v;
	while (*p == ' ')
		p++;
	if (!*p)
		return fail(ld, s, "mail_command is empty; the default is \"" CONF_MAIL_COMMAND_DEFAULT "\"");
	if (strpbrk(v, "\"'`$|;&<>\\*?"))
		return fail(ld, s,
		            "mail_command \"%s\" is run directly, not by a shell: give the program and its words "
		            "separated by spaces, without quotes, pipes or variables",
		            v);
	snprintf(h->mail_command, sizeof h->mail_command, "%s", p);
	return true;
}

static bool parse_zone(struct loader *ld, const config_setting_t *s, struct bk_settings *st)
{
	const char *v;

	if (!(v = get_string(ld, s, "zone", "\"Europe/London\"")))
		return false;
	if (v[0] == '\0' || strlen(v) >= sizeof st->zone || has_control(v) || !cal_zone_valid(v))
		return fail(
			ld, s,
			"zone \"%s\" is not a time zone this system knows; give an IANA name such as \"Europe/London\"",
			v);
	snprintf(st->zone, sizeof st->zone, "%s", v);
	return true;
}

static const char *const lot_keys[] = { "number", "name", "cqc_required", "framework_rate" };
#define N_LOT_KEYS ((int)(sizeof lot_keys / sizeof lot_keys[0]))

static bool parse_lot(struct loader *ld, const config_setting_t *g, int item, struct bk_lot *lot)
{
	const config_setting_t *s;
	char what[48];
	const char *text, *why;

	if (config_setting_type(g) != CONFIG_TYPE_GROUP)
		return fail(ld, g,
		            "lots: entry %d must be a group such as { number = 1; name = \"Sitting service\"; "
		            "cqc_required = false; framework_rate = \"18.00\"; }, not %s",
		            item, type_words(g));
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
		bool known = false;
		for (int k = 0; k < N_LOT_KEYS; k++)
			known = known || strcmp(config_setting_name(m), lot_keys[k]) == 0;
		if (!known)
			return unknown_setting(ld, m, " in a lot", lot_keys, N_LOT_KEYS);
	}
	if (!(s = config_setting_get_member(g, "number")))
		return fail(ld, g, "lots: entry %d has no number", item);
	snprintf(what, sizeof what, "lots: entry %d: number", item);
	if (!get_int(ld, s, what, 1, 99, &lot->number))
		return false;

	if (!(s = config_setting_get_member(g, "name")))
		return fail(ld, g, "lot %d has no name", lot->number);
	snprintf(what, sizeof what, "lot %d: name", lot->number);
	if (!(text = get_string(ld, s, what, "\"Sitting service\"")))
		return false;
	if ((why = name_problem(text, false)))
		return fail(ld, s, "lot %d: name \"%s\" %s", lot->number, text, why);
	snprintf(lot->name, sizeof lot->name, "%s", text);

	if (!(s = config_setting_get_member(g, "cqc_required")))
		return fail(ld, g, "lot %d has no cqc_required (say true for personal-care lots, else false)",
		            lot->number);
	snprintf(what, sizeof what, "lot %d: cqc_required", lot->number);
	if (!get_bool(ld, s, what, &lot->cqc_required))
		return false;

	if (!(s = config_setting_get_member(g, "framework_rate")))
		return fail(ld, g, "lot %d has no framework_rate", lot->number);
	snprintf(what, sizeof what, "lot %d: framework_rate", lot->number);
	if (!(text = get_string(ld, s, what, "\"19.50\"")))
		return false;
	if ((why = parse_pounds(text, RATE_MAX_PENCE, &lot->framework_rate)))
		return fail(ld, s,
		            "lot %d: framework_rate \"%s\" %s; give pounds an hour such as \"19.50\", "
		            "more than 0.00 and at most 10000.00",
		            lot->number, text, why);
	if (lot->framework_rate == 0)
		return fail(ld, s, "lot %d: framework_rate must be more than 0.00", lot->number);
	return true;
}

static bool parse_lots(struct loader *ld, const config_setting_t *s, struct bk_settings *st)
{
	int n;

	if (config_setting_type(s) != CONFIG_TYPE_LIST)
		return fail(ld, s,
		            "lots must be a list in ( ) of groups such as { number = 1; name = \"Sitting service\"; "
		            "cqc_required = false; framework_rate = \"18.00\"; }, not %s",
		            type_words(s));
	n = config_setting_length(s);
	if (n == 0)
		return fail(ld, s, "lots is empty; at least one lot is needed");
	if (n > BK_MAX_LOTS)
		return fail(ld, s, "lots has %d entries; at most %d are allowed", n, BK_MAX_LOTS);
	for (int i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(s, (unsigned)i);
		struct bk_lot *lot = &st->lots[i];
		if (!parse_lot(ld, g, i + 1, lot))
			return false;
		for (int j = 0; j < i; j++) {
			if (st->lots[j].number == lot->number)
				return fail(ld, config_setting_get_member(g, "number"),
				            "lot number %d is used twice (entries %d and %d)", lot->number, j + 1,
				            i + 1);
			if (strcasecmp(st->lots[j].name, lot->name) == 0)
				return fail(ld, config_setting_get_member(g, "name"),
				            "lot name \"%s\" is used twice (lots %d and %d)", lot->name,
				            st->lots[j].number, lot->number);
		}
	}
	st->n_lots = n;
	return true;
}

static bool parse_districts(struct loader *ld, const config_setting_t *s, struct bk_settings *st)
{
	int n;

	if (!get_strings(ld, s, "districts", "[ \"North\", \"South\" ]", BK_MAX_DISTRICTS))
		return false;
	n = config_setting_length(s);
	if (n == 0)
		return fail(ld, s, "districts is empty; at least one district is needed");
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *name = config_setting_get_string(e), *why;
		if ((why = name_problem(name, true)))
			return fail(ld, e, "district \"%s\" %s", name, why);
		for (int j = 0; j < i; j++)
			if (strcasecmp(st->districts[j].name, name) == 0)
				return fail(ld, e, "district \"%s\" is listed twice (names are compared ignoring case)",
				            name);
		snprintf(st->districts[i].name, sizeof st->districts[i].name, "%s", name);
	}
	st->n_districts = n;
	return true;
}

static bool parse_response_days(struct loader *ld, const config_setting_t *s, struct bk_settings *st)
{
	return get_int(ld, s, "response_days", 1, 30, &st->response_days);
}

static bool parse_clock_key(struct loader *ld, const config_setting_t *s, const char *key, int *minute)
{
	const char *v;

	if (!(v = get_string(ld, s, key, "\"16:00\"")))
		return false;
	if (!bk_parse_clock(v, minute))
		return fail(ld, s, "%s must be a time of day from \"00:00\" to \"23:59\", not \"%s\"", key, v);
	return true;
}

static bool parse_cutoff(struct loader *ld, const config_setting_t *s, struct bk_settings *st)
{
	return parse_clock_key(ld, s, "cutoff", &st->cutoff_minute);
}

static bool parse_close(struct loader *ld, const config_setting_t *s, struct bk_settings *st)
{
	return parse_clock_key(ld, s, "close_of_business", &st->close_minute);
}

static bool parse_region(struct loader *ld, const config_setting_t *s, struct bk_settings *st)
{
	const char *v;

	if (!(v = get_string(ld, s, "bank_holidays", "\"england-and-wales\"")))
		return false;
	int r = bk_name_index(bk_region_names, BK_N_REGIONS, v);
	if (r >= 0) {
		st->region = (enum bk_region)r;
		return true;
	}
	return fail(ld, s, "bank_holidays must be \"england-and-wales\", \"scotland\" or \"none\", not \"%s\"", v);
}

static bool parse_days(struct loader *ld, const config_setting_t *s, const char *key, int32_t *days, int *n_days)
{
	int n;

	if (!get_strings(ld, s, key, "[ \"2026-12-24\" ]", BK_MAX_HOLIDAY_EDITS))
		return false;
	n = config_setting_length(s);
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *v = config_setting_get_string(e);
		if (!parse_day(v, &days[i]))
			return fail(ld, e,
			            "%s: \"%s\" is not a date; write a real date as YYYY-MM-DD, such as \"2026-12-24\"",
			            key, v);
		for (int j = 0; j < i; j++)
			if (days[j] == days[i])
				return fail(ld, e, "%s: %s is listed twice", key, v);
	}
	*n_days = n;
	return true;
}

static bool parse_holidays_add(struct loader *ld, const config_setting_t *s, struct bk_settings *st)
{
	return parse_days(ld, s, "holidays_add", st->holidays_add, &st->n_holidays_add);
}

static bool parse_holidays_remove(struct loader *ld, const config_setting_t *s, struct bk_settings *st)
{
	return parse_days(ld, s, "holidays_remove", st->holidays_remove, &st->n_holidays_remove);
}

static bool parse_cascade(struct loader *ld, const config_setting_t *s, struct bk_settings *st)
{
	const char *v;

	if (!(v = get_string(ld, s, "cascade", "\"sequential\"")))
		return false;
	int c = bk_name_index(bk_cascade_names, BK_N_CASCADES, v);
	if (c >= 0) {
		st->cascade = (enum bk_cascade)c;
		return true;
	}
	return fail(ld, s, "cascade must be \"sequential\" or \"parallel\", not \"%s\"", v);
}

static bool parse_batch(struct loader *ld, const config_setting_t *s, struct bk_settings *st)
{
	return get_int(ld, s, "batch_size", 1, 20, &st->batch_size);
}


static bool parse_risks(struct loader *ld, const config_setting_t *s, struct bk_settings *st)
{
	unsigned set = 0;

	if (!get_strings(ld, s, "excluded_risks", "[ \"red\" ]", BK_N_RISKS))
		return false;
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *v = config_setting_get_string(e);
		int r = bk_name_index(bk_risk_names, BK_N_RISKS, v);
		if (r < 0)
			return fail(ld, e,
			            "excluded_risks: \"%s\" is not a risk rating; use \"green\", \"amber\" or \"red\"",
			            v);
		if (set & BK_RISK_BIT(r))
			return fail(ld, e, "excluded_risks: \"%s\" is listed twice", v);
		set |= BK_RISK_BIT(r);
	}
	st->excluded_risks = set;
	return true;
}

static bool parse_approval(struct loader *ld, const config_setting_t *s, struct bk_settings *st)
{
	return get_bool(ld, s, "require_approval", &st->require_approval);
}

static bool parse_threshold(struct loader *ld, const config_setting_t *s, struct bk_settings *st)
{
	const char *v, *why;

	if (!(v = get_string(ld, s, "key_decision_threshold", "\"500000.00\"")))
		return false;
	if ((why = parse_pounds(v, THRESHOLD_MAX_PENCE, &st->key_decision_threshold)))
		return fail(ld, s,
		            "key_decision_threshold \"%s\" %s; give pounds a year such as \"500000.00\", "
		            "more than 0.00 and at most 1000000000.00",
		            v, why);
	if (st->key_decision_threshold == 0)
		return fail(ld, s, "key_decision_threshold must be more than 0.00");
	return true;
}

static bool parse_retention(struct loader *ld, const config_setting_t *s, struct bk_settings *st)
{
	return get_int(ld, s, "retention_months", 1, 1200, &st->retention_months);
}

static const char *const code_keys[] = { "keyword", "label" };
#define N_CODE_KEYS ((int)(sizeof code_keys / sizeof code_keys[0]))

static bool keyword_ok(const char *k)
{
	size_t n = strlen(k);
	if (n == 0 || n >= BK_CODE_MAX)
		return false;
	for (const char *p = k; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
			return false;
	return true;
}

static bool parse_decline_code(struct loader *ld, const config_setting_t *g, int item, struct bk_decline_code *c)
{
	const config_setting_t *s;
	const char *text, *why;

	if (config_setting_type(g) != CONFIG_TYPE_GROUP)
		return fail(ld, g,
		            "decline_codes: entry %d must be a group such as { keyword = \"capacity\"; "
		            "label = \"no capacity\"; }, not %s",
		            item, type_words(g));
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
		bool known = false;
		for (int k = 0; k < N_CODE_KEYS; k++)
			known = known || strcmp(config_setting_name(m), code_keys[k]) == 0;
		if (!known)
			return unknown_setting(ld, m, " in a decline code", code_keys, N_CODE_KEYS);
	}
	if (!(s = config_setting_get_member(g, "keyword")))
		return fail(ld, g, "decline_codes: entry %d has no keyword", item);
	if (!(text = get_string(ld, s, "decline_codes: keyword", "\"capacity\"")))
		return false;
	if (!keyword_ok(text))
		return fail(ld, s, "decline_codes: keyword \"%s\" must be 1 to %d lower-case letters, digits or '-'",
		            text, BK_CODE_MAX - 1);
	snprintf(c->keyword, sizeof c->keyword, "%s", text);
	if (!(s = config_setting_get_member(g, "label")))
		return fail(ld, g, "decline code %s has no label", c->keyword);
	if (!(text = get_string(ld, s, "decline_codes: label", "\"no capacity\"")))
		return false;
	if ((why = name_problem(text, false)))
		return fail(ld, s, "decline code %s: label \"%s\" %s", c->keyword, text, why);
	snprintf(c->label, sizeof c->label, "%s", text);
	return true;
}

static bool parse_decline_codes(struct loader *ld, const config_setting_t *s, struct bk_settings *st)
{
	int n;
	bool other = false;

	if (config_setting_type(s) != CONFIG_TYPE_LIST)
		return fail(ld, s,
		            "decline_codes must be a list in ( ) of groups such as { keyword = \"capacity\"; "
		            "label = \"no capacity\"; }, not %s",
		            type_words(s));
	n = config_setting_length(s);
	if (n > BK_MAX_DECLINE_CODES)
		return fail(ld, s, "decline_codes has %d entries; at most %d are allowed", n, BK_MAX_DECLINE_CODES);
	for (int i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(s, (unsigned)i);
		if (!parse_decline_code(ld, g, i + 1, &st->decline_codes[i]))
			return false;
		for (int j = 0; j < i; j++)
			if (strcmp(st->decline_codes[j].keyword, st->decline_codes[i].keyword) == 0)
				return fail(ld, config_setting_get_member(g, "keyword"),
				            "decline code \"%s\" is listed twice", st->decline_codes[i].keyword);
		other = other || strcmp(st->decline_codes[i].keyword, "other") == 0;
	}
	if (!other)
		return fail(ld, s,
		            "decline_codes must include { keyword = \"other\"; label = \"other\"; }: a decline "
		            "that fits no code is recorded as other, with words");
	st->n_decline_codes = n;
	return true;
}

/* ---- each key as a file would write it ---------------------------------- */

/* Appends to a fixed buffer; a value too long ends in "...". */
struct text {
	char *buf;
	size_t len, used;
};

static void add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->len < 4)
		return;
	/* Something that does not fit whole is cut, and the cut is shown. */
	if (t->used + 1 >= t->len) {
		memcpy(t->buf + t->len - 4, "...", 4);
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->used, t->len - t->used, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= t->len - t->used) {
		t->used = t->len - 1;
		memcpy(t->buf + t->len - 4, "...", 4);
		return;
	}
	t->used += (size_t)n;
}

/* A string in quotes, as libconfig reads it back. */
static void add_quoted(struct text *t, const char *v)
{
	add(t, "\"");
	for (const char *p = v; *p; p++) {
		if (*p == '"' || *p == '\\')
			add(t, "\\%c", *p);
		else
			add(t, "%c", *p);
	}
	add(t, "\"");
}

static void add_money(struct text *t, int64_t pence)
{
	add(t, "\"%" PRId64 ".%02" PRId64 "\"", pence / 100, pence % 100);
}

static void add_days(struct text *t, const int32_t *days, int n)
{
	add(t, "[");
	for (int i = 0; i < n; i++) {
		struct cal_date d = cal_civil_from_days(days[i]);
		add(t, "%s \"%04d-%02d-%02d\"", i ? "," : "", d.year, d.month, d.day);
	}
	add(t, " ]");
}

static void show_zone(const struct bk_settings *s, struct text *t)
{
	add_quoted(t, s->zone);
}

static void show_lots(const struct bk_settings *s, struct text *t)
{
	add(t, "(");
	for (int i = 0; i < s->n_lots; i++) {
		const struct bk_lot *l = &s->lots[i];
		add(t, "%s\n  { number = %d; name = ", i ? "," : "", l->number);
		add_quoted(t, l->name);
		add(t, "; cqc_required = %s; framework_rate = ", l->cqc_required ? "true" : "false");
		add_money(t, l->framework_rate);
		add(t, "; }");
	}
	add(t, "\n)");
}

static void show_districts(const struct bk_settings *s, struct text *t)
{
	add(t, "[");
	for (int i = 0; i < s->n_districts; i++) {
		add(t, "%s ", i ? "," : "");
		add_quoted(t, s->districts[i].name);
	}
	add(t, " ]");
}

static void show_clock(struct text *t, int minute)
{
	add(t, "\"%02d:%02d\"", minute / 60, minute % 60);
}

static void show_response_days(const struct bk_settings *s, struct text *t)
{
	add(t, "%d", s->response_days);
}

static void show_cutoff(const struct bk_settings *s, struct text *t)
{
	show_clock(t, s->cutoff_minute);
}

static void show_close(const struct bk_settings *s, struct text *t)
{
	show_clock(t, s->close_minute);
}

static void show_region(const struct bk_settings *s, struct text *t)
{
	add(t, "\"%s\"", bk_region_names[s->region]);
}

static void show_holidays_add(const struct bk_settings *s, struct text *t)
{
	add_days(t, s->holidays_add, s->n_holidays_add);
}

static void show_holidays_remove(const struct bk_settings *s, struct text *t)
{
	add_days(t, s->holidays_remove, s->n_holidays_remove);
}

static void show_cascade(const struct bk_settings *s, struct text *t)
{
	add(t, "\"%s\"", bk_cascade_names[s->cascade]);
}

static void show_batch(const struct bk_settings *s, struct text *t)
{
	add(t, "%d", s->batch_size);
}

static void show_risks(const struct bk_settings *s, struct text *t)
{
	const char *sep = " ";

	add(t, "[");
	for (int r = 0; r < BK_N_RISKS; r++) {
		if (s->excluded_risks & BK_RISK_BIT(r)) {
			add(t, "%s\"%s\"", sep, bk_risk_names[r]);
			sep = ", ";
		}
	}
	add(t, " ]");
}

static void show_approval(const struct bk_settings *s, struct text *t)
{
	add(t, "%s", s->require_approval ? "true" : "false");
}

static void show_threshold(const struct bk_settings *s, struct text *t)
{
	add_money(t, s->key_decision_threshold);
}

static void show_retention(const struct bk_settings *s, struct text *t)
{
	add(t, "%d", s->retention_months);
}

static void show_decline_codes(const struct bk_settings *s, struct text *t)
{
	add(t, "(");
	for (int i = 0; i < s->n_decline_codes; i++) {
		add(t, "%s\n  { keyword = ", i ? "," : "");
		add_quoted(t, s->decline_codes[i].keyword);
		add(t, "; label = ");
		add_quoted(t, s->decline_codes[i].label);
		add(t, "; }");
	}
	add(t, "\n)");
}

static bool parse_mail_enabled(struct loader *ld, const config_setting_t *s, struct bk_settings *st)
{
	return get_bool(ld, s, "mail_enabled", &st->mail_enabled);
}

static bool parse_address(struct loader *ld, const config_setting_t *s, const char *key, char *out)
{
	const char *v, *why;

	if (!(v = get_string(ld, s, key, "\"brokerage@council.gov.uk\"")))
		return false;
	if (*v && !bk_email_valid(v, &why))
		return fail(ld, s, "%s \"%s\" is not a mail address: %s", key, v, why);
	snprintf(out, BK_EMAIL_MAX + 1, "%s", v);
	return true;
}

static bool parse_mail_from(struct loader *ld, const config_setting_t *s, struct bk_settings *st)
{
	return parse_address(ld, s, "mail_from", st->mail_from);
}

static bool parse_mail_reply_to(struct loader *ld, const config_setting_t *s, struct bk_settings *st)
{
	return parse_address(ld, s, "mail_reply_to", st->mail_reply_to);
}

static bool parse_mail_fields(struct loader *ld, const config_setting_t *s, struct bk_settings *st)
{
	unsigned set = 0;

	if (!get_strings(ld, s, "mail_offer_fields", "[ \"case\", \"lot\", \"deadline\" ]", BK_MAIL_FIELD_COUNT))
		return false;
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *v = config_setting_get_string(e);
		int f = bk_name_index(bk_mail_field_names, BK_MAIL_FIELD_COUNT, v);
		if (f < 0)
			return fail(
				ld, e,
				"mail_offer_fields: \"%s\" is not a field a first approach may carry; use case, lot, "
				"district, hours, start, age_band, urgency or deadline (names and notes are never "
				"sent)",
				v);
		if (set & BK_MAIL_FIELD_BIT(f))
			return fail(ld, e, "mail_offer_fields: \"%s\" is listed twice", v);
		set |= BK_MAIL_FIELD_BIT(f);
	}
	st->mail_offer_fields = set;
	return true;
}

static bool parse_mail_chase(struct loader *ld, const config_setting_t *s, struct bk_settings *st)
{
	return get_int(ld, s, "mail_chase_hours", 1, 23, &st->mail_chase_hours);
}

static void show_mail_enabled(const struct bk_settings *s, struct text *t)
{
	add(t, "%s", s->mail_enabled ? "true" : "false");
}

static void show_mail_from(const struct bk_settings *s, struct text *t)
{
	add_quoted(t, s->mail_from);
}

static void show_mail_reply_to(const struct bk_settings *s, struct text *t)
{
	add_quoted(t, s->mail_reply_to);
}

static void show_mail_fields(const struct bk_settings *s, struct text *t)
{
	const char *sep = " ";

	add(t, "[");
	for (int f = 0; f < BK_MAIL_FIELD_COUNT; f++) {
		if (s->mail_offer_fields & BK_MAIL_FIELD_BIT(f)) {
			add(t, "%s\"%s\"", sep, bk_mail_field_names[f]);
			sep = ", ";
		}
	}
	add(t, " ]");
}

static void show_mail_chase(const struct bk_settings *s, struct text *t)
{
	add(t, "%d", s->mail_chase_hours);
}

/* ---- the one list of keys ----------------------------------------------- */

struct key {
	const char *name;
	enum bk_setting_id id;
	bool (*parse)(struct loader *, const config_setting_t *, struct bk_settings *);
	void (*show)(const struct bk_settings *, struct text *);
};

static const struct key keys[] = {
	{ "zone", BK_SET_ZONE, parse_zone, show_zone },
	{ "lots", BK_SET_LOTS, parse_lots, show_lots },
	{ "districts", BK_SET_DISTRICTS, parse_districts, show_districts },
	{ "response_days", BK_SET_RESPONSE_DAYS, parse_response_days, show_response_days },
	{ "cutoff", BK_SET_CUTOFF, parse_cutoff, show_cutoff },
	{ "close_of_business", BK_SET_CLOSE, parse_close, show_close },
	{ "bank_holidays", BK_SET_REGION, parse_region, show_region },
	{ "holidays_add", BK_SET_HOLIDAYS_ADD, parse_holidays_add, show_holidays_add },
	{ "holidays_remove", BK_SET_HOLIDAYS_REMOVE, parse_holidays_remove, show_holidays_remove },
	{ "cascade", BK_SET_CASCADE, parse_cascade, show_cascade },
	{ "batch_size", BK_SET_BATCH, parse_batch, show_batch },
	{ "excluded_risks", BK_SET_EXCLUDED_RISKS, parse_risks, show_risks },
	{ "require_approval", BK_SET_REQUIRE_APPROVAL, parse_approval, show_approval },
	{ "key_decision_threshold", BK_SET_KEY_DECISION, parse_threshold, show_threshold },
	{ "retention_months", BK_SET_RETENTION, parse_retention, show_retention },
	{ "decline_codes", BK_SET_DECLINE_CODES, parse_decline_codes, show_decline_codes },
	{ "mail_enabled", BK_SET_MAIL_ENABLED, parse_mail_enabled, show_mail_enabled },
	{ "mail_from", BK_SET_MAIL_FROM, parse_mail_from, show_mail_from },
	{ "mail_reply_to", BK_SET_MAIL_REPLY_TO, parse_mail_reply_to, show_mail_reply_to },
	{ "mail_offer_fields", BK_SET_MAIL_OFFER_FIELDS, parse_mail_fields, show_mail_fields },
	{ "mail_chase_hours", BK_SET_MAIL_CHASE_HOURS, parse_mail_chase, show_mail_chase },
};
#define N_KEYS ((int)(sizeof keys / sizeof keys[0]))

_Static_assert(sizeof keys / sizeof keys[0] == BK_SET_COUNT, "every policy setting has exactly one key");

/* What is personal or about the host. */
struct host_key {
	const char *name;
	enum conf_host_id id;
	bool (*parse)(struct loader *, const config_setting_t *, struct conf_host *);
};

static const struct host_key host_keys[] = {
	{ "database", CONF_DATABASE, parse_database },
	{ "colour", CONF_COLOUR, parse_colour },
	{ "mail_command", CONF_MAIL_COMMAND, parse_mail_command },
};
#define N_HOST_KEYS ((int)(sizeof host_keys / sizeof host_keys[0]))

_Static_assert(sizeof host_keys / sizeof host_keys[0] == CONF_HOST_COUNT, "every host setting has exactly one key");

/* Checks that need two keys, after every key has been read. */
static bool validate(struct loader *ld, const struct bk_settings *st)
{
	if (st->cutoff_minute >= st->close_minute) {
		const config_setting_t *at =
			ld->where[BK_SET_CUTOFF] ? ld->where[BK_SET_CUTOFF] : ld->where[BK_SET_CLOSE];
		return fail(ld, at, "cutoff %02d:%02d must be before close_of_business %02d:%02d",
		            st->cutoff_minute / 60, st->cutoff_minute % 60, st->close_minute / 60,
		            st->close_minute % 60);
	}
	if (st->mail_enabled && !st->mail_from[0])
		return fail(
			ld,
			ld->where[BK_SET_MAIL_ENABLED] ? ld->where[BK_SET_MAIL_ENABLED] : ld->where[BK_SET_MAIL_FROM],
			"mail_enabled is true but mail_from is not set: give the council's sending address, such as "
			"mail_from = \"brokerage@council.gov.uk\";");
	for (int i = 0; i < st->n_holidays_remove; i++) {
		for (int j = 0; j < st->n_holidays_add; j++) {
			if (st->holidays_remove[i] == st->holidays_add[j]) {
				const config_setting_t *at = ld->where[BK_SET_HOLIDAYS_REMOVE]
				                                     ? ld->where[BK_SET_HOLIDAYS_REMOVE]
				                                     : ld->where[BK_SET_HOLIDAYS_ADD];
				struct cal_date d = cal_civil_from_days(st->holidays_remove[i]);
				return fail(ld, at, "%04d-%02d-%02d is in both holidays_add and holidays_remove",
				            d.year, d.month, d.day);
			}
		}
	}
	return true;
}

/* Which keys a file may hold. */
enum file_kind {
	FILE_SYSTEM,   /* /etc: host keys, and policy keys as the seed of an upgrade */
	FILE_PERSONAL, /* the user's own: host keys only */
	FILE_POLICY,   /* a policy file: policy keys only */
};

static bool read_settings(struct loader *ld, const config_t *cfg, enum file_kind kind, struct conf_host *host,
                          struct bk_settings *st)
{
	const config_setting_t *root = config_root_setting(cfg);
	const char *names[N_KEYS + N_HOST_KEYS];
	int n_names = 0;

	/* Guesses come from every key: a misspelt rule in a personal file is
	 * then named, and refused for what it is once spelt right. */
	for (int k = 0; k < N_KEYS; k++)
		names[n_names++] = keys[k].name;
	for (int k = 0; k < N_HOST_KEYS; k++)
		names[n_names++] = host_keys[k].name;
	for (int i = 0; i < config_setting_length(root); i++) {
		const config_setting_t *s = config_setting_get_elem(root, (unsigned)i);
		const char *name = config_setting_name(s);
		int k = 0, h = 0;
		while (k < N_KEYS && strcmp(name, keys[k].name) != 0)
			k++;
		while (h < N_HOST_KEYS && strcmp(name, host_keys[h].name) != 0)
			h++;
		if (k < N_KEYS && kind == FILE_PERSONAL)
			return fail(ld, s,
			            "'%s' is one of the council's rules, which now live in the database, the same for "
			            "everyone: remove it from this file; see them with 'brokerage policy show', and an "
			            "administrator changes them with 'brokerage policy load FILE'",
			            name);
		if (h < N_HOST_KEYS && kind == FILE_POLICY)
			return fail(ld, s,
			            "'%s' is a personal or host setting, not one of the council's rules: it belongs in "
			            "brokerage.conf, not in a policy file",
			            name);
		if (k < N_KEYS) {
			if (!keys[k].parse(ld, s, st))
				return false;
			ld->where[keys[k].id] = s;
			st->from_file[keys[k].id] = true;
			ld->policy_seen = true;
		} else if (h < N_HOST_KEYS) {
			char file[BK_PATH_MAX + 80];
			if (!host_keys[h].parse(ld, s, host))
				return false;
			source_name(ld, config_setting_source_file(s), file, sizeof file);
			snprintf(host->set_in[host_keys[h].id], sizeof host->set_in[0], "%.*s", BK_PATH_MAX - 1, file);
		} else {
			return unknown_setting(ld, s, "", names, n_names);
		}
	}
	return validate(ld, st);
}

static bool readable(const char *path, char *err, size_t errlen)
{
	struct stat sb;
	FILE *f = fopen(path, "r");
	int e;

	if (f && fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode)) {
		fclose(f);
		return true;
	}
	e = f ? (S_ISDIR(sb.st_mode) ? EISDIR : EINVAL) : errno;
	if (f)
		fclose(f);
	if (errlen) {
		if (e == EINVAL)
			snprintf(err, errlen, "cannot read configuration file %s: it is not a regular file", path);
		else
			snprintf(err, errlen, "cannot read configuration file %s: %s", path, strerror(e));
	}
	errno = e;
	return false;
}

/* One file read into host and st, which are changed only when it all passed. */
static bool read_file(const char *path, enum file_kind kind, struct conf_host *host, struct bk_settings *st,
                      bool *policy_seen, char *err, size_t errlen)
{
	struct loader ld = { .path = path, .err = err, .errlen = errlen };
	struct conf_host h = *host;
	struct bk_settings s = *st;
	config_t cfg;
	char *slash;
	bool ok;

	if (strlen(path) >= BK_PATH_MAX) {
		if (errlen)
			snprintf(err, errlen, "cannot read configuration file %s: the path is too long", path);
		return false;
	}
	if (!readable(path, err, errlen))
		return false;

	/* @include "other.conf" is found beside the file, not in the working directory. */
	snprintf(ld.include_dir, sizeof ld.include_dir, "%s", path);
	slash = strrchr(ld.include_dir, '/');
	if (slash)
		slash[slash == ld.include_dir ? 1 : 0] = '\0';
	else
		ld.include_dir[0] = '\0';

	config_init(&cfg);
	if (ld.include_dir[0])
		config_set_include_dir(&cfg, ld.include_dir);
	if (!config_read_file(&cfg, path)) {
		if (config_error_type(&cfg) == CONFIG_ERR_FILE_IO) {
			if (errlen)
				snprintf(err, errlen, "cannot read configuration file %s: %s", path,
				         config_error_text(&cfg));
		} else if (errlen) {
			char file[BK_PATH_MAX + 80];
			source_name(&ld, config_error_file(&cfg), file, sizeof file);
			snprintf(err, errlen, "%s:%d: %s", file, config_error_line(&cfg), config_error_text(&cfg));
		}
		config_destroy(&cfg);
		return false;
	}
	for (int i = 0; i < BK_SET_COUNT; i++)
		s.from_file[i] = false;
	ok = read_settings(&ld, &cfg, kind, &h, &s);
	config_destroy(&cfg);
	free(ld.text_file);
	free(ld.text);
	if (!ok)
		return false;
	*host = h;
	*st = s;
	if (policy_seen)
		*policy_seen = ld.policy_seen;
	return true;
}

bool conf_load(const char *system_path, const char *personal_path, struct conf_host *host, struct bk_settings *seed,
               char *err, size_t errlen)
{
	struct conf_host h = { .colour = true, .mail_command = CONF_MAIL_COMMAND_DEFAULT };
	struct bk_settings s;
	bool found;

	bk_settings_defaults(&s);
	if (errlen)
		err[0] = '\0';
	if (system_path && system_path[0]) {
		found = readable(system_path, NULL, 0);
		if (!found && errno != ENOENT && errno != ENOTDIR)
			return readable(system_path, err, errlen);
		if (found) {
			if (!read_file(system_path, FILE_SYSTEM, &h, &s, &h.system_policy, err, errlen))
				return false;
			snprintf(h.system_file, sizeof h.system_file, "%s", system_path);
			if (h.system_policy)
				snprintf(s.file, sizeof s.file, "%s", system_path);
		}
	}
	if (personal_path && personal_path[0]) {
		struct bk_settings ignored = s;
		if (!read_file(personal_path, FILE_PERSONAL, &h, &ignored, NULL, err, errlen))
			return false;
		snprintf(h.personal_file, sizeof h.personal_file, "%s", personal_path);
	}
	*host = h;
	*seed = s;
	return true;
}

bool conf_load_policy(const char *path, const struct bk_settings *base, struct bk_settings *out, char *err,
                      size_t errlen)
{
	struct conf_host ignored = { .colour = true, .mail_command = CONF_MAIL_COMMAND_DEFAULT };
	struct bk_settings s = *base;

	if (errlen)
		err[0] = '\0';
	if (!path || !path[0]) {
		if (errlen)
			snprintf(err, errlen, "give the policy file to read");
		return false;
	}
	if (!read_file(path, FILE_POLICY, &ignored, &s, NULL, err, errlen))
		return false;
	snprintf(s.file, sizeof s.file, "%s", path);
	*out = s;
	return true;
}

/* ---- finding the user's file ----------------------------------------------- */

static bool set_path(char *path, size_t pathlen, char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static bool set_path(char *path, size_t pathlen, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(path, pathlen, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= pathlen) {
		if (errlen)
			snprintf(err, errlen, "the configuration file's path is too long");
		if (pathlen)
			path[0] = '\0';
		return false;
	}
	return true;
}

bool conf_find(const char *option, const char *env_config, const char *xdg_config_home, const char *home, char *path,
               size_t pathlen, enum conf_origin *origin, char *err, size_t errlen)
{
	bool found;

	if (errlen)
		err[0] = '\0';
	if (pathlen)
		path[0] = '\0';
	*origin = CONF_ORIGIN_NONE;

	if (option) {
		*origin = CONF_ORIGIN_OPTION;
		if (!option[0]) {
			if (errlen)
				snprintf(err, errlen, "--config needs the name of a configuration file");
			return false;
		}
		return set_path(path, pathlen, err, errlen, "%s", option) && readable(path, err, errlen);
	}
	if (env_config && env_config[0]) {
		*origin = CONF_ORIGIN_ENV;
		return set_path(path, pathlen, err, errlen, "%s", env_config) && readable(path, err, errlen);
	}

	/* The XDG rules ignore a relative $XDG_CONFIG_HOME. */
	*origin = CONF_ORIGIN_XDG;
	if (xdg_config_home && xdg_config_home[0] == '/') {
		if (!set_path(path, pathlen, err, errlen, "%s/brokerage/brokerage.conf", xdg_config_home))
			return false;
	} else if (home && home[0]) {
		if (!set_path(path, pathlen, err, errlen, "%s/.config/brokerage/brokerage.conf", home))
			return false;
	}
	if (pathlen && path[0]) {
		found = readable(path, err, errlen);
		if (found)
			return true;
		if (errno != ENOENT && errno != ENOTDIR)
			return false;
		if (errlen)
			err[0] = '\0';
	}
	*origin = CONF_ORIGIN_NONE;
	if (pathlen)
		path[0] = '\0';
	return true;
}

/* ---- showing ---------------------------------------------------------------- */

int conf_policy_entries(const struct bk_settings *s, struct conf_entry *out, int max)
{
	int n = 0;

	for (int k = 0; k < N_KEYS && n < max; k++, n++) {
		struct text t = { .buf = out[n].value, .len = sizeof out[n].value };
		out[n].key = keys[k].name;
		out[n].value[0] = '\0';
		keys[k].show(s, &t);
		out[n].from_file = s->from_file[keys[k].id];
	}
	return n;
}

int conf_host_entries(const struct conf_host *h, struct conf_entry *out, int max)
{
	int n = 0;

	for (int k = 0; k < N_HOST_KEYS && n < max; k++, n++) {
		struct text t = { .buf = out[n].value, .len = sizeof out[n].value };
		out[n].key = host_keys[k].name;
		out[n].value[0] = '\0';
		if (host_keys[k].id == CONF_DATABASE)
			add_quoted(&t, h->database);
		else if (host_keys[k].id == CONF_MAIL_COMMAND)
			add_quoted(&t, h->mail_command);
		else
			add(&t, "%s", h->colour ? "true" : "false");
		out[n].from_file = h->set_in[host_keys[k].id][0] != '\0';
	}
	return n;
}
