#include "core/text.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Decode one UTF-8 character at s (n bytes left). Returns its length and
 * sets *cp, or 0 when the bytes are not valid, shortest-form UTF-8. */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	if (n == 0)
		return 0;
	unsigned char c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	size_t len;
	uint32_t v, min;
	if ((c & 0xE0) == 0xC0) {
		len = 2;
		v = c & 0x1F;
		min = 0x80;
	} else if ((c & 0xF0) == 0xE0) {
		len = 3;
		v = c & 0x0F;
		min = 0x800;
	} else if ((c & 0xF8) == 0xF0) {
		len = 4;
		v = c & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return len;
}

static bool is_bidi_control(uint32_t cp)
{
	return cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

/* Length of an escape sequence starting at ESC (s[0] == 0x1b), so that the
 * whole of it can be dropped. */
static size_t escape_length(const unsigned char *s, size_t n)
{
	if (n < 2)
		return n;
	unsigned char k = s[1];
	size_t i = 2;
	if (k == '[') { /* CSI: parameters and intermediates, then a final byte */
		while (i < n && s[i] >= 0x20 && s[i] <= 0x3F)
			i++;
		while (i < n && s[i] >= 0x20 && s[i] <= 0x2F)
			i++;
		if (i < n && s[i] >= 0x40 && s[i] <= 0x7E)
			i++;
		return i;
	}
	if (k == ']' || k == 'P' || k == '_' || k == '^' || k == 'X') { /* strings: up to BEL or ST */
		while (i < n) {
			if (s[i] == 0x07)
				return i + 1;
			if (s[i] == 0x1b && i + 1 < n && s[i + 1] == '\\')
				return i + 2;
			i++;
		}
		return n;
	}
	i = 1; /* ESC, intermediates, a final byte */
	while (i < n && s[i] >= 0x20 && s[i] <= 0x2F)
		i++;
	return i < n ? i + 1 : n;
}

static bool put(char *out, size_t outlen, size_t *o, const char *bytes, size_t len)
{
	if (*o + len >= outlen)
		return false;
	memcpy(out + *o, bytes, len);
	*o += len;
	return true;
}

size_t text_sanitize(const char *in, char *out, size_t outlen, bool ascii)
{
	if (outlen == 0)
		return 0;
	const unsigned char *s = (const unsigned char *)(in ? in : "");
	size_t n = strlen((const char *)s), i = 0, o = 0;
	while (i < n) {
		unsigned char c = s[i];
		if (c == 0x1b) {
			i += escape_length(s + i, n - i);
			continue;
		}
		if (c == '\t' || c == '\n' || c == '\r') {
			if (!put(out, outlen, &o, " ", 1))
				break;
			i++;
			continue;
		}
		if (c < 0x20 || c == 0x7f) {
			i++;
			continue;
		}
		uint32_t cp;
		size_t len = utf8_decode(s + i, n - i, &cp);
		if (len == 0) {
			if (!put(out, outlen, &o, "?", 1))
				break;
			i++;
			continue;
		}
		if ((cp >= 0x80 && cp <= 0x9F) || is_bidi_control(cp) || cp == 0xFEFF) {
			i += len;
			continue;
		}
		bool ok;
		if (ascii && cp >= 0x80)
			ok = cp == 0xA3 ? put(out, outlen, &o, "GBP", 3) : put(out, outlen, &o, "?", 1);
		else
			ok = put(out, outlen, &o, (const char *)s + i, len);
		if (!ok)
			break;
		i += len;
	}
	out[o] = '\0';
	return o;
}

size_t text_utf8_clean(const char *in, char *out, size_t outlen)
{
	if (outlen == 0)
		return 0;
	const unsigned char *s = (const unsigned char *)(in ? in : "");
	size_t n = strlen((const char *)s), i = 0, o = 0;
	while (i < n) {
		uint32_t cp;
		size_t len = utf8_decode(s + i, n - i, &cp);
		bool ok =
			len ? put(out, outlen, &o, (const char *)s + i, len) : put(out, outlen, &o, "\xEF\xBF\xBD", 3);
		if (!ok)
			break;
		i += len ? len : 1;
	}
	out[o] = '\0';
	return o;
}

bool text_has_controls(const char *in)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t n = strlen(in);
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t len = utf8_decode(s + i, n - i, &cp);
		if (len == 0)
			return true;
		if ((cp < 0x20 && cp != '\t' && cp != '\n') || cp == 0x7f || (cp >= 0x80 && cp <= 0x9F) ||
		    is_bidi_control(cp))
			return true;
		i += len;
	}
	return false;
}

bool text_valid_case_ref(const char *in, const char **why)
{
	size_t n = strlen(in);
	if (n == 0) {
		*why = "the case reference is empty";
		return false;
	}
	if (n > 32) {
		*why = "the case reference is longer than 32 characters";
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		char c = in[i];
		bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
		          c == '/' || c == '_' || c == '.';
		if (!ok) {
			*why = "a case reference holds only letters, digits and - / _ . (it is the social-care "
			       "record's reference, never a name)";
			return false;
		}
	}
	return true;
}

bool text_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool text_trimmed(const char *text, char *buf, size_t len)
{
	while (text_is_space(*text))
		text++;
	size_t n = strlen(text);
	while (n > 0 && text_is_space(text[n - 1]))
		n--;
	if (n >= len)
		return false;
	memcpy(buf, text, n);
	buf[n] = '\0';
	return true;
}

void text_set_err(char *err, size_t errlen, const char *fmt, ...)
{
	if (err == NULL || errlen == 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* ---- free-text fields, described once ---- */

/* Every free-text field a person types: the command-line options, the
 * forms (bk_validate_field) and the CSV columns all check through this
 * table, so blank text, length, control characters and invalid UTF-8 are
 * judged the same way wherever the text comes in. Lengths are characters. */
static const struct text_field fields[] = {
	{ "note", "note", false, 2000, false },
	{ "reason", "reason", true, 500, false },
	{ "question", "question", true, 500, false },
	{ "justification", "justification", true, 1000, false },
	{ "decision-note", "note", true, 1000, false },
	{ "key-decision", "key-decision reference", false, 60, true },
	{ "name", "name", true, 100, true },
	{ "provider-name", "provider's name", true, 100, true },
	{ "embargo", "reason for the embargo", true, 250, false },
};

const struct text_field *text_field_find(const char *key)
{
	for (size_t i = 0; key && i < sizeof fields / sizeof fields[0]; i++)
		if (strcmp(fields[i].key, key) == 0)
			return &fields[i];
	return NULL;
}

size_t text_chars(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;
	for (; *p; p++)
		n += (*p & 0xC0) != 0x80;
	return n;
}

bool text_blank(const char *s)
{
	for (; s && *s; s++)
		if (!text_is_space(*s))
			return false;
	return true;
}

bool text_field_check(const struct text_field *f, const char *value, char *out, size_t outlen, char *err, size_t errlen)
{
	if (outlen)
		out[0] = '\0';
	if (!value || text_blank(value)) {
		if (f->required) {
			text_set_err(err, errlen, "the %s is required (spaces alone do not count)", f->label);
			return false;
		}
		return true; /* blank counts as empty */
	}
	const char *v = value;
	size_t n = strlen(v);
	if (f->one_line) { /* a name or a reference: the spaces around it are not part of it */
		while (text_is_space(*v)) {
			v++;
			n--;
		}
		while (n && text_is_space(v[n - 1]))
			n--;
	}
	const unsigned char *s = (const unsigned char *)v;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t len = utf8_decode(s + i, n - i, &cp);
		if (len == 0) {
			text_set_err(err, errlen, "the %s is not valid UTF-8 text", f->label);
			return false;
		}
		bool line_break = cp == '\t' || cp == '\n' || cp == '\r';
		if ((cp < 0x20 && !line_break) || cp == 0x7f || (cp >= 0x80 && cp <= 0x9F) || is_bidi_control(cp) ||
		    (line_break && f->one_line)) {
			text_set_err(err, errlen, "the %s holds a control character (U+%04X): remove it", f->label,
			             (unsigned)cp);
			return false;
		}
		i += len;
	}
	size_t chars = 0;
	for (size_t i = 0; i < n; i++)
		chars += (s[i] & 0xC0) != 0x80;
	if (chars > (size_t)f->max_chars) {
		text_set_err(err, errlen, "the %s is %zu characters long; at most %d are kept", f->label, chars,
		             f->max_chars);
		return false;
	}
	if (n + 1 > outlen) {
		text_set_err(err, errlen, "the %s is too long to keep", f->label);
		return false;
	}
	memcpy(out, v, n);
	out[n] = '\0';
	return true;
}

char *text_json_harden(const char *json)
{
	size_t n = strlen(json);
	char *out = malloc(n * 3 + 1); /* a 2-byte C1 becomes 6 bytes, a 3-byte mark 6 */
	if (!out)
		return NULL;
	const unsigned char *p = (const unsigned char *)json;
	char *o = out;
	static const char hex[] = "0123456789abcdef";
	while (*p) {
		unsigned cp = 0;
		size_t len = 0;
		if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			cp = p[1];
			len = 2;
		} else if (p[0] == 0xe2 && p[1] == 0x80 &&
		           ((p[2] >= 0x8e && p[2] <= 0x8f) || (p[2] >= 0xaa && p[2] <= 0xae))) {
			cp = 0x2000u | (p[2] & 0x3fu);
			len = 3;
		} else if (p[0] == 0xe2 && p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9) {
			cp = 0x2040u | (p[2] & 0x3fu);
			len = 3;
		}
		if (!len) {
			*o++ = (char)*p++;
			continue;
		}
		*o++ = '\\';
		*o++ = 'u';
		for (int shift = 12; shift >= 0; shift -= 4)
			*o++ = hex[(cp >> shift) & 0xf];
		p += len;
	}
	*o = '\0';
	return out;
}
