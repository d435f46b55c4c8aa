/* Reading a provider's reply: HTML to text, the reply's own text above the
 * quote, and its first line as an answer. Pure: strings in, strings out. */
#include "core/mail_text.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/calendar.h"

/* ---- output into a bounded buffer ---- */

struct sink {
	char *out;
	size_t len, n;
};

static void put(struct sink *k, char c)
{
	if (k->n + 1 < k->len)
		k->out[k->n++] = c;
}

static void put_utf8(struct sink *k, unsigned long cp)
{
	if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		cp = 0xFFFD;
	if (cp < 0x80) {
		put(k, (char)cp);
	} else if (cp < 0x800) {
		put(k, (char)(0xC0 | (cp >> 6)));
		put(k, (char)(0x80 | (cp & 0x3F)));
	} else if (cp < 0x10000) {
		put(k, (char)(0xE0 | (cp >> 12)));
		put(k, (char)(0x80 | ((cp >> 6) & 0x3F)));
		put(k, (char)(0x80 | (cp & 0x3F)));
	} else {
		put(k, (char)(0xF0 | (cp >> 18)));
		put(k, (char)(0x80 | ((cp >> 12) & 0x3F)));
		put(k, (char)(0x80 | ((cp >> 6) & 0x3F)));
		put(k, (char)(0x80 | (cp & 0x3F)));
	}
}

/* ---- HTML ---- */

static bool tag_is(const char *p, const char *name)
{
	size_t n = strlen(name);
	return strncasecmp(p, name, n) == 0 && !isalnum((unsigned char)p[n]);
}

/* An entity at p ('&'): its character written, the bytes it took. */
static size_t entity(const char *p, struct sink *k)
{
	static const struct {
		const char *name;
		unsigned long cp;
	} named[] = {
		{ "amp;", '&' },      { "lt;", '<' },       { "gt;", '>' },        { "quot;", '"' },
		{ "apos;", '\'' },    { "nbsp;", ' ' },     { "pound;", 0xA3 },    { "euro;", 0x20AC },
		{ "rsquo;", 0x2019 }, { "lsquo;", 0x2018 }, { "rdquo;", 0x201D },  { "ldquo;", 0x201C },
		{ "ndash;", 0x2013 }, { "mdash;", 0x2014 }, { "hellip;", 0x2026 }, { "copy;", 0xA9 },
	};
	if (p[1] == '#') {
		const char *q = p + 2;
		int base = 10;
		if (*q == 'x' || *q == 'X') {
			base = 16;
			q++;
		}
		char *end;
		unsigned long cp = strtoul(q, &end, base);
		if (end == q || end - q > 8)
			goto literal;
		if (*end == ';')
			end++;
		put_utf8(k, cp == 0xA0 ? ' ' : cp);
		return (size_t)(end - p);
	}
	for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
		if (strncasecmp(p + 1, named[i].name, strlen(named[i].name)) == 0) {
			put_utf8(k, named[i].cp);
			return 1 + strlen(named[i].name);
		}
literal:
	put(k, '&');
	return 1;
}

size_t mail_html_to_text(const char *html, char *out, size_t outlen)
{
	struct sink k = { out, outlen, 0 };
	if (outlen == 0)
		return 0;
	const char *p = html;
	bool space = false;
	while (*p) {
		if (*p == '<') {
			const char *t = p + 1;
			bool closing = *t == '/';
			if (closing)
				t++;
			if (strncmp(p, "<!--", 4) == 0) {
				const char *e = strstr(p + 4, "-->");
				p = e ? e + 3 : p + strlen(p);
				continue;
			}
			/* content dropped whole */
			const char *skip = NULL;
			if (!closing &&
			    (tag_is(t, "script") || tag_is(t, "style") || tag_is(t, "head") || tag_is(t, "title")))
				skip = tag_is(t, "script")  ? "</script"
				       : tag_is(t, "style") ? "</style"
				       : tag_is(t, "head")  ? "</head"
				                            : "</title";
			bool block = tag_is(t, "br") || tag_is(t, "p") || tag_is(t, "div") || tag_is(t, "tr") ||
			             tag_is(t, "li") || tag_is(t, "blockquote") || tag_is(t, "h1") || tag_is(t, "h2") ||
			             tag_is(t, "h3") || tag_is(t, "table") || tag_is(t, "hr");
			const char *e = strchr(p, '>');
			if (!e)
				break;
			p = e + 1;
			if (skip) {
				const char *q = p;
				while (*q && strncasecmp(q, skip, strlen(skip)) != 0)
					q++;
				if (*q) {
					e = strchr(q, '>');
					p = e ? e + 1 : q + strlen(q);
				} else {
					p = q;
				}
				continue;
			}
			/* a quoted original (Gmail, Apple Mail, Thunderbird) reads as "> " */
			if (!closing && tag_is(t, "blockquote")) {
				put(&k, '\n');
				put(&k, '>');
				put(&k, ' ');
				space = false;
				continue;
			}
			if (block) {
				put(&k, '\n');
				space = false;
			}
			continue;
		}
		if (*p == '&') {
			p += entity(p, &k);
			space = false;
			continue;
		}
		if (*p == '\r' || *p == '\n' || *p == '\t' || *p == ' ') {
			if (!space && k.n > 0 && out[k.n - 1] != '\n')
				put(&k, ' ');
			space = true;
			p++;
			continue;
		}
		space = false;
		put(&k, *p++);
	}
	out[k.n] = '\0';
	return k.n;
}

/* ---- the reply's own text ---- */

/* One line [s, e) trimmed of spaces at both ends into buf. */
static void line_copy(const char *s, const char *e, char *buf, size_t len)
{
	while (s < e && (*s == ' ' || *s == '\t' || *s == '\r'))
		s++;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		e--;
	size_t n = (size_t)(e - s) < len - 1 ? (size_t)(e - s) : len - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
}

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), m = strlen(tail);
	return n >= m && strcasecmp(s + n - m, tail) == 0;
}

static bool starts_with(const char *s, const char *head)
{
	return strncasecmp(s, head, strlen(head)) == 0;
}

/* "On <date>, <who> wrote:" in the languages the councils' providers
 * write in; the clients wrap it over two lines when it is long. */
static bool attribution(const char *line, const char *next)
{
	static const char *const opens[] = { "On ", "Am ", "Op ", "Le ", "El " };
	static const char *const closes[] = { "wrote:", "schrieb:", "schreef:", "a écrit :", "a écrit:", "escribió:" };
	bool open = false;
	for (size_t i = 0; i < sizeof opens / sizeof opens[0]; i++)
		open = open || starts_with(line, opens[i]);
	for (size_t i = 0; i < sizeof closes / sizeof closes[0]; i++) {
		if (open && ends_with(line, closes[i]))
			return true;
		if (open && next && ends_with(next, closes[i]) && strlen(next) < 100)
			return true;
	}
	return false;
}

static bool header_line(const char *line)
{
	static const char *const heads[] = { "Sent:", "Date:",    "To:",        "Subject:", "Cc:",       "Gesendet:",
		                             "An:",   "Betreff:", "Verzonden:", "Aan:",     "Onderwerp:" };
	for (size_t i = 0; i < sizeof heads / sizeof heads[0]; i++)
		if (starts_with(line, heads[i]))
			return true;
	return false;
}

/* Is this line where the quoted original begins? */
static bool quote_starts(const char *line, const char *next)
{
	if (line[0] == '>')
		return true;
	if (strcmp(line, "--") == 0)
		return true; /* the signature: its trailing space was trimmed */
	const char *p = line;
	while (*p == '-' || *p == ' ')
		p++;
	if (p - line >= 3 && (starts_with(p, "Original Message") || starts_with(p, "Forwarded message") ||
	                      starts_with(p, "Ursprüngliche Nachricht") || starts_with(p, "Oorspronkelijk bericht")))
		return true;
	if (strspn(line, "_") >= 20)
		return true; /* Outlook's rule above its "From:" block */
	if ((starts_with(line, "From:") || starts_with(line, "Von:") || starts_with(line, "Van:")) && next &&
	    header_line(next))
		return true;
	return attribution(line, next);
}

size_t mail_own_text(const char *text, char *out, size_t outlen)
{
	if (outlen == 0)
		return 0;
	struct sink k = { out, outlen, 0 };
	char line[1024], next[1024];
	const char *p = text;
	size_t kept_end = 0; /* the output up to the last line that was not blank */
	bool started = false;
	while (*p) {
		const char *e = strchr(p, '\n');
		if (!e)
			e = p + strlen(p);
		line_copy(p, e, line, sizeof line);
		const char *q = *e ? e + 1 : e;
		/* the next line that is not blank, for two-line markers (looked
		 * for after a line that is not blank, so each run of blank lines is
		 * passed once) */
		next[0] = '\0';
		while (line[0] && *q) {
			const char *qe = strchr(q, '\n');
			if (!qe)
				qe = q + strlen(q);
			line_copy(q, qe, next, sizeof next);
			if (next[0])
				break;
			q = *qe ? qe + 1 : qe;
		}
		if (line[0] && quote_starts(line, next[0] ? next : NULL))
			break;
		if (line[0] || started) {
			if (started)
				put(&k, '\n');
			for (const char *c = line; *c; c++)
				put(&k, *c);
			started = true;
			if (line[0])
				kept_end = k.n;
		}
		p = *e ? e + 1 : e;
	}
	k.n = kept_end < k.n ? kept_end : k.n;
	out[k.n] = '\0';
	return k.n;
}

const char *mail_subject_strip(const char *subject)
{
	static const char *const prefixes[] = { "re:", "aw:", "antw:", "fw:", "fwd:", "wg:", "sv:", "vs:" };
	const char *p = subject;
	for (bool again = true; again;) {
		again = false;
		while (*p == ' ' || *p == '\t')
			p++;
		for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
			if (strncasecmp(p, prefixes[i], strlen(prefixes[i])) == 0) {
				p += strlen(prefixes[i]);
				again = true;
				break;
			}
	}
	return p;
}

/* ---- the answer ---- */

const char *mail_verb_name(enum mail_verb v)
{
	return v == MAIL_ACCEPT ? "accept" : v == MAIL_DECLINE ? "decline" : v == MAIL_INFO ? "info" : "";
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static bool
no_answer(struct mail_answer *a, const char *fmt, ...)
{
	a->verb = MAIL_NO_VERB;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(a->why, sizeof a->why, fmt, ap);
	va_end(ap);
	return false;
}

/* The first word of s into word (lower case); the rest after spaces. */
static const char *first_word(const char *s, char *word, size_t len)
{
	size_t n = 0;
	while (*s && !isspace((unsigned char)*s) && *s != ':' && *s != ',' && *s != '.') {
		if (n + 1 < len)
			word[n++] = (char)tolower((unsigned char)*s);
		s++;
	}
	word[n] = '\0';
	while (*s == ':' || *s == ',' || *s == '.' || isspace((unsigned char)*s))
		s++;
	return s;
}

/* The line in lower case, punctuation as spaces, single-spaced, with a
 * space at both ends so that " no " finds the word. */
static void normalise(const char *s, char *out, size_t len)
{
	size_t n = 0;
	out[n++] = ' ';
	for (; *s && n + 2 < len; s++) {
		unsigned char c = (unsigned char)*s;
		char x = isalnum(c) || c == '\'' || c >= 0x80 ? (char)tolower(c) : ' ';
		if (x == ' ' && out[n - 1] == ' ')
			continue;
		out[n++] = x;
	}
	if (out[n - 1] != ' ')
		out[n++] = ' ';
	out[n] = '\0';
}

static bool has_any(const char *s, const char *const *words)
{
	for (; *words; words++)
		if (strstr(s, *words))
			return true;
	return false;
}

/* "yes we can take this", "sorry, no capacity": only where nothing in
 * the line says otherwise. */
static bool natural(const char *line, struct mail_answer *a)
{
	static const char *const yes[] = { " yes ",       " we can take ",   " can take this ", " happy to take ",
		                           " we accept ", " we can accept ", " accepted ",      NULL };
	static const char *const no[] = { " no ",     " not ",   " sorry ",    " unable ",   " cannot ",
		                          " can't ",  " cant ",  " decline ",  " declined ", " unfortunately ",
		                          " don't ",  " won't ", " but ",      " however ",  " if ",
		                          " unless ", " maybe ", " possibly ", " might ",    "?",
		                          " only ",   " until ", " after ",    " from ",     NULL };
	static const char *const capacity[] = { " no capacity ",          " not have capacity ",
		                                " don't have capacity ",  " do not have the capacity ",
		                                " do not have capacity ", " don't have the capacity ",
		                                " have no capacity ",     NULL };
	static const char *const other_reason[] = { " area ",  " needs ",   " eligib", " information ",
		                                    " but ",   " however ", " if ",    " unless ",
		                                    " until ", " yes ",     " maybe ", " can take ",
		                                    " accept", "?",         " only ",  NULL };
	char n[1100];
	normalise(line, n, sizeof n);
	if (strchr(line, '?'))
		return false;
	if (has_any(n, yes) && !has_any(n, no)) {
		a->verb = MAIL_ACCEPT;
		a->natural = true;
		return true;
	}
	if (has_any(n, capacity) && !has_any(n, other_reason)) {
		a->verb = MAIL_DECLINE;
		a->natural = true;
		snprintf(a->code, sizeof a->code, "capacity");
		snprintf(a->words, sizeof a->words, "%s", line);
		return true;
	}
	return false;
}

/* The first paragraph from p (its first line already in first), its
 * lines joined with spaces: a question or a reason the client wrapped
 * (format=flowed) or the provider wrote over several lines. */
static void paragraph(const char *first, const char *e, char *out, size_t len)
{
	snprintf(out, len, "%s", first);
	while (e && e[1] && e[1] != '\n' && e[1] != '\r') {
		const char *s2 = e + 1, *e2 = strchr(s2, '\n');
		char more[1024];
		line_copy(s2, e2 ? e2 : s2 + strlen(s2), more, sizeof more);
		size_t n = strlen(out);
		if (!more[0] || n + 1 + strlen(more) >= len)
			break;
		out[n] = ' ';
		memcpy(out + n + 1, more, strlen(more) + 1);
		e = e2;
	}
}

bool mail_read_answer(const char *own_text, const struct bk_settings *s, struct mail_answer *a)
{
	memset(a, 0, sizeof *a);
	a->start = INT32_MIN;
	char line[1024];
	const char *p = own_text ? own_text : "";
	while (*p == '\n' || *p == ' ' || *p == '\t' || *p == '\r')
		p++;
	if (!*p)
		return no_answer(a, "%s", "the reply has no text of its own above the quoted message");
	const char *e = strchr(p, '\n');
	line_copy(p, e ? e : p + strlen(p), line, sizeof line);
	char word[16], err[128], para[1024];
	const char *rest = first_word(line, word, sizeof word);
	if (strcmp(word, "accept") == 0) {
		a->verb = MAIL_ACCEPT;
		if (*rest) {
			char date[64];
			const char *after = first_word(rest, date, sizeof date);
			if (*after || !cal_parse_date(date, &a->start, err, sizeof err))
				return no_answer(
					a, "ACCEPT is followed by '%.60s', which is not a start date (YYYY-MM-DD)",
					rest);
		}
		return true;
	}
	if (strcmp(word, "decline") == 0) {
		char code[64];
		const char *words = first_word(rest, code, sizeof code);
		if (!code[0])
			return no_answer(a, "%s", "DECLINE without a code (the policy's decline codes)");
		const struct bk_decline_code *dc = bk_settings_decline_code(s, code);
		if (!dc)
			return no_answer(a, "DECLINE with '%.40s', which is not one of the policy's decline codes",
			                 code);
		if (strcmp(dc->keyword, "other") == 0 && !*words)
			return no_answer(a, "%s", "DECLINE other without words saying why");
		a->verb = MAIL_DECLINE;
		snprintf(a->code, sizeof a->code, "%s", dc->keyword);
		paragraph(line, e, para, sizeof para);
		snprintf(a->words, sizeof a->words, "%s",
		         first_word(first_word(para, code, sizeof code), code, sizeof code));
		return true;
	}
	if (strcmp(word, "info") == 0) {
		if (!*rest)
			return no_answer(a, "%s", "INFO without the question");
		a->verb = MAIL_INFO;
		paragraph(line, e, para, sizeof para);
		snprintf(a->words, sizeof a->words, "%s", first_word(para, word, sizeof word));
		return true;
	}
	if (natural(line, a))
		return true;
	return no_answer(a, "the first line ('%.80s') is not ACCEPT, DECLINE or INFO, nor clearly one of them", line);
}
