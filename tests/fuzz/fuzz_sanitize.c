/* libFuzzer target: the text sanitiser (core/text.c). Its promise is
 * checked on every output: valid UTF-8, no ESC, no C0 but nothing, no DEL,
 * no C1 (U+0080..U+009F), no bidi control, no BOM, NUL-terminated within
 * the buffer, for every buffer size. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"

static void check_clean(const unsigned char *s, size_t n, int ascii)
{
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		if (c < 0x20 || c == 0x7f)
			abort();
		if (c < 0x80) {
			i++;
			continue;
		}
		if (ascii)
			abort();
		size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
		if (len == 0 || i + len > n)
			abort();
		uint32_t cp = c & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				abort();
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		static const uint32_t min[] = { 0, 0, 0x80, 0x800, 0x10000 };
		if (cp < min[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			abort();
		if ((cp >= 0x80 && cp <= 0x9F) || cp == 0x061C || cp == 0x200E || cp == 0x200F ||
		    (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF)
			abort();
		i += len;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = malloc(size + 1);
	if (!in)
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	size_t outlens[] = { 1, 2, 3, 4, 7, 16, size + 1, size * 3 + 8 };
	for (size_t k = 0; k < sizeof outlens / sizeof outlens[0]; k++) {
		for (int ascii = 0; ascii < 2; ascii++) {
			size_t cap = outlens[k];
			char *out = malloc(cap);
			if (!out)
				break;
			size_t n = text_sanitize(in, out, cap, ascii);
			if (n >= cap || out[n] != '\0' || strlen(out) != n)
				abort();
			check_clean((const unsigned char *)out, n, ascii);
			free(out);
		}
	}
	char *clean = malloc(size * 3 + 8);
	if (clean) {
		size_t n = text_utf8_clean(in, clean, size * 3 + 8);
		if (strlen(clean) != n)
			abort();
		free(clean);
	}
	(void)text_has_controls(in);
	const char *why = NULL;
	if (!text_valid_case_ref(in, &why) && !why)
		abort();
	free(in);
	return 0;
}
