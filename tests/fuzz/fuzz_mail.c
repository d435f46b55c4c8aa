/* libFuzzer target: a message that came in (issue 17), read as mail-in
 * reads it: GMime parsing (core/mail_parse.c), the reply's own text and its
 * first line as an answer, the subject's prefixes (core/mail_text.c), and
 * the HTML stripper on the raw bytes. Hostile input must never crash, hang
 * or leak, and every text handed on is valid UTF-8 within its bound. Seeds:
 * tests/fuzz/corpus/fuzz_mail (copies of tests/mail/). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/calendar.h"
#include "core/mail_parse.h"
#include "core/mail_text.h"
#include "core/settings.h"

static struct bk_settings settings;
static int ready;

static void check_utf8(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	while (*u) {
		int n = *u < 0x80 ? 1 : (*u & 0xE0) == 0xC0 ? 2 : (*u & 0xF0) == 0xE0 ? 3 : (*u & 0xF8) == 0xF0 ? 4 : 0;
		if (!n)
			abort();
		for (int i = 1; i < n; i++)
			if ((u[i] & 0xC0) != 0x80)
				abort();
		u += n;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!ready) {
		bk_settings_defaults(&settings);
		cal_zone_use("Europe/London");
		ready = 1;
	}
	struct mail_msg m;
	if (!mail_parse((const char *)data, size, &m))
		return 0;
	check_utf8(m.text);
	check_utf8(m.subject);
	if (strlen(m.text) > BK_MAIL_MAX_TEXT)
		abort();
	static char own[BK_MAIL_MAX_TEXT + 1];
	mail_own_text(m.text, own, sizeof own);
	struct mail_answer a;
	mail_read_answer(own, &settings, &a);
	(void)mail_subject_strip(m.subject);
	mail_msg_free(&m);
	/* the stripper on the raw bytes, as a NUL-terminated string */
	char *raw = malloc(size + 1);
	if (!raw)
		return 0;
	memcpy(raw, data, size);
	raw[size] = '\0';
	static char text[8192];
	mail_html_to_text(raw, text, sizeof text);
	mail_own_text(raw, text, sizeof text);
	free(raw);
	return 0;
}
