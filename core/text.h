/* Text from users (notes, reasons, provider names) made safe to show.
 * Pure: no locale, no terminal. */
#ifndef BK_TEXT_H
#define BK_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* One line safe for a terminal: escape sequences (CSI, OSC, DCS and the
 * rest) and control characters (C0, DEL, C1 as bytes or as UTF-8) are
 * removed, bidirectional overrides and isolates are removed, tabs and
 * newlines become spaces, and invalid or overlong UTF-8 (a raw C1 byte such
 * as 0x9b is invalid UTF-8) becomes '?'. With
 * ascii set, every non-ASCII character becomes '?' (except '£' -> "GBP").
 * Always NUL-terminates; truncates on a character boundary. Returns the
 * bytes written. */
size_t text_sanitize(const char *in, char *out, size_t outlen, bool ascii);

/* Valid UTF-8 with invalid sequences replaced by U+FFFD; controls kept
 * (JSON escapes them). For machine-readable output. */
size_t text_utf8_clean(const char *in, char *out, size_t outlen);

/* A copy (malloc'd; NULL when out of memory) of JSON text in which C1
 * controls (U+0080..U+009F) and bidirectional marks, overrides and
 * isolates (U+200E, U+200F, U+202A..U+202E, U+2066..U+2069) are written as
 * \uXXXX escapes, so that no reader's terminal acts on them. They can only
 * occur inside JSON strings, where the escape means the same. */
char *text_json_harden(const char *json);

/* Does text have a control character or escape (other than tab/newline)? */
bool text_has_controls(const char *in);

/* A case reference: 1..32 characters of letters, digits, '-', '/', '_', '.'. */
bool text_valid_case_ref(const char *in, const char **why);

/* ---- free-text fields ---- */

/* One description of a free-text field: its key (the form's check name),
 * its label in messages, whether it is required, its length in characters,
 * and whether it is one line (a name or reference: trimmed, no breaks). */
struct text_field {
	const char *key;
	const char *label;
	bool required;
	int max_chars;
	bool one_line;
};
const struct text_field *text_field_find(const char *key);
/* Check value (NULL: not given) for f and copy what is kept into out:
 * blank text counts as empty (refused when required), control characters,
 * NUL-free invalid UTF-8 and too many characters are refused in words. */
bool text_field_check(const struct text_field *f, const char *value, char *out, size_t outlen, char *err,
                      size_t errlen);
/* Characters (code points) in UTF-8 text; nothing but spaces. */
size_t text_chars(const char *s);
bool text_blank(const char *s);

/* ---- for the parsers of typed values (dates, times, money, hours) ---- */

/* Space, tab, carriage return or newline. */
bool text_is_space(char c);
/* A copy of text without the spaces around it; false when it does not fit. */
bool text_trimmed(const char *text, char *buf, size_t len);
/* A sentence into err, when there is an err to write it to. */
void text_set_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
