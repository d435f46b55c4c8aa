/* Reading a provider's reply (issue 17): pure functions over text, no
 * MIME (core/mail_parse.c hands them the message's text). What the reply
 * itself says is the text above the quoted original; its first line is
 * read as ACCEPT [start], DECLINE <code> [words] or INFO <question>, and a
 * few plain forms only where they cannot mean anything else. */
#ifndef BK_MAIL_TEXT_H
#define BK_MAIL_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/settings.h"

/* HTML to plain text: tags dropped (script, style and head with their
 * contents), block ends and <br> as line breaks, the common entities and
 * numeric references decoded. Always NUL-terminates. */
size_t mail_html_to_text(const char *html, char *out, size_t outlen);

/* The reply's own text: the lines above the first sign of the quoted
 * original ("On ... wrote:", "-----Original Message-----", a "> " line,
 * Outlook's "From:" block or its line of underscores, a signature "-- "),
 * trimmed of blank lines at both ends. Always NUL-terminates. */
size_t mail_own_text(const char *text, char *out, size_t outlen);

/* The subject without its reply and forward prefixes (RE:, AW:, Antw:,
 * FW:, WG:, Fwd:, any case, repeated). Points into subject. */
const char *mail_subject_strip(const char *subject);

enum mail_verb { MAIL_NO_VERB, MAIL_ACCEPT, MAIL_DECLINE, MAIL_INFO };
struct mail_answer {
	enum mail_verb verb;
	char code[BK_CODE_MAX]; /* a decline's code */
	int32_t start;          /* an acceptance's start day, INT32_MIN when none */
	char words[1024];       /* a decline's words, the question */
	bool natural;           /* read from a plain form, not the keyword */
	char why[256];          /* MAIL_NO_VERB: why it could not be read */
};
/* Read the first non-blank line of the reply's own text. False (why set)
 * when it is not an answer or not clearly one. s gives the decline codes. */
bool mail_read_answer(const char *own_text, const struct bk_settings *s, struct mail_answer *out);
const char *mail_verb_name(enum mail_verb v); /* "accept", "decline", "info", "" */

#endif
