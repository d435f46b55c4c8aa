/* Helpers shared by the unit tests: temporary directories, UTF-8 checks,
 * local times. Static inline only: each test includes what it uses. */
#ifndef BK_TESTUTIL_H
#define BK_TESTUTIL_H

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A fresh directory under $TMPDIR (or /tmp), into buf. */
static inline bool tu_mkdtemp(char *buf, size_t len)
{
	const char *base = getenv("TMPDIR");
	if (!base || !*base)
		base = "/tmp";
	if ((size_t)snprintf(buf, len, "%s/bk-test-XXXXXX", base) >= len)
		return false;
	return mkdtemp(buf) != NULL;
}

/* Remove a directory and everything in it (one level of subdirectories
 * is all the tests make; deeper ones are handled too). */
static inline void tu_rmtree(const char *path)
{
	DIR *d = opendir(path);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			char sub[4096];
			if ((size_t)snprintf(sub, sizeof sub, "%.2000s/%.1000s", path, e->d_name) >= sizeof sub)
				continue;
			struct stat sb;
			if (lstat(sub, &sb) == 0 && S_ISDIR(sb.st_mode))
				tu_rmtree(sub);
			else
				unlink(sub);
		}
		closedir(d);
	}
	rmdir(path);
}

/* Is s (n bytes) valid, shortest-form UTF-8 with no surrogates? Written
 * independently of core/text.c so that the two can disagree. */
static inline bool tu_valid_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned char c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t len;
		if (c >= 0xC2 && c <= 0xDF)
			len = 2;
		else if (c >= 0xE0 && c <= 0xEF)
			len = 3;
		else if (c >= 0xF0 && c <= 0xF4)
			len = 4;
		else
			return false;
		if (i + len > n)
			return false;
		for (size_t k = 1; k < len; k++)
			if ((s[i + k] & 0xC0) != 0x80)
				return false;
		unsigned char c1 = s[i + 1];
		if (c == 0xE0 && c1 < 0xA0)
			return false; /* overlong */
		if (c == 0xED && c1 >= 0xA0)
			return false; /* surrogate */
		if (c == 0xF0 && c1 < 0x90)
			return false; /* overlong */
		if (c == 0xF4 && c1 >= 0x90)
			return false; /* beyond U+10FFFF */
		i += len;
	}
	return true;
}

static inline bool tu_valid_utf8_str(const char *s)
{
	return tu_valid_utf8((const unsigned char *)s, strlen(s));
}

/* Read a whole file into a malloc'd buffer; NULL on failure. */
static inline unsigned char *tu_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	unsigned char *buf = malloc(cap);
	while (buf) {
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (n < cap)
			break;
		unsigned char *grown = realloc(buf, cap * 2);
		if (!grown) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = grown;
		cap *= 2;
	}
	fclose(f);
	*len = n;
	return buf;
}

/* Does haystack contain needle? For messages, with a helpful failure. */
#define tu_assert_contains(haystack, needle)                                                          \
	do {                                                                                            \
		const char *h_ = (haystack), *n_ = (needle);                                                \
		if (!h_ || !strstr(h_, n_))                                                                 \
			fail_msg("expected \"%s\" to contain \"%s\"", h_ ? h_ : "(null)", n_);                  \
	} while (0)

#endif
