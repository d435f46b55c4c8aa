/* The message writer (core/mail_message.c): what it writes is read back
 * with GMime's parser, as a provider's mail program would read it; and
 * the address rule (bk_email_valid). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gmime/gmime.h>

#include "core/mail_message.h"
#include "core/settings.h"

static const char body_text[] = "Dear Gofal M\xc3\xb4n,\n\nCase reference:  CASE-77\n"
				"A line long enough to be wrapped by quoted-printable encoding, which keeps "
				"lines under seventy-six characters = even with an equals sign.\n"
				"From the start of a line, and a trailing space \n";

static struct bk_mail_out sample(void)
{
	return (struct bk_mail_out){
		.from = "brokerage@council.example.gov.uk",
		.reply_to = "answers@council.example.gov.uk",
		.to_name = "Gofal M\xc3\xb4n",
		.to = "offers@gofal.example.org, team@gofal.example.org",
		.subject = "[BRK-12-abcdefghijkm] Care package offer: Ynys M\xc3\xb4n \xe2\x80\x93 answer by Thu",
		.body = body_text,
		.message_id = "brk-12-offer-0123456789abcdef@council.example.gov.uk",
		.date = 1795510800, /* 2026-11-25T09:00:00Z */
	};
}

static GMimeMessage *parse(const char *text)
{
	GMimeStream *s = g_mime_stream_mem_new_with_buffer(text, strlen(text));
	GMimeParser *p = g_mime_parser_new_with_stream(s);
	GMimeMessage *m = g_mime_parser_construct_message(p, NULL);
	g_object_unref(p);
	g_object_unref(s);
	return m;
}

static char *header_block(const char *text)
{
	const char *end = strstr(text, "\n\n");
	assert_non_null(end);
	char *h = strndup(text, (size_t)(end - text));
	assert_non_null(h);
	return h;
}

static void test_headers_read_back(void **state)
{
	(void)state;
	struct bk_mail_out m = sample();
	char err[256] = "";
	char *text = bk_mail_write(&m, err, sizeof err);
	assert_non_null(text);
	GMimeMessage *msg = parse(text);
	assert_non_null(msg);
	assert_string_equal(g_mime_message_get_subject(msg), m.subject);
	assert_string_equal(g_mime_message_get_message_id(msg), m.message_id);
	InternetAddressList *to = g_mime_message_get_to(msg);
	assert_int_equal(internet_address_list_length(to), 2);
	InternetAddress *a0 = internet_address_list_get_address(to, 0);
	assert_string_equal(internet_address_get_name(a0), "Gofal M\xc3\xb4n");
	assert_string_equal(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a0)),
	                    "offers@gofal.example.org");
	assert_string_equal(internet_address_mailbox_get_addr(
				    INTERNET_ADDRESS_MAILBOX(internet_address_list_get_address(to, 1))),
	                    "team@gofal.example.org");
	InternetAddressList *from = g_mime_message_get_from(msg);
	assert_string_equal(internet_address_mailbox_get_addr(
				    INTERNET_ADDRESS_MAILBOX(internet_address_list_get_address(from, 0))),
	                    "brokerage@council.example.gov.uk");
	InternetAddressList *reply = g_mime_message_get_reply_to(msg);
	assert_string_equal(internet_address_mailbox_get_addr(
				    INTERNET_ADDRESS_MAILBOX(internet_address_list_get_address(reply, 0))),
	                    "answers@council.example.gov.uk");
	GDateTime *d = g_mime_message_get_date(msg);
	assert_non_null(d);
	assert_int_equal(g_date_time_to_unix(d), m.date);
	g_object_unref(msg);

	/* every header is 7-bit: the UTF-8 is encoded, as RFC 2047 words */
	char *h = header_block(text);
	for (const unsigned char *p = (const unsigned char *)h; *p; p++)
		assert_true(*p < 0x80);
	assert_non_null(strstr(h, "=?UTF-8?"));
	assert_null(strstr(h, "\r"));
	assert_non_null(strstr(h, "MIME-Version: 1.0"));
	assert_non_null(strstr(h, "Content-Type: text/plain; charset=utf-8"));
	assert_non_null(strstr(h, "Content-Transfer-Encoding: quoted-printable"));
	free(h);
	free(text);
}

static void test_body_read_back(void **state)
{
	(void)state;
	struct bk_mail_out m = sample();
	char err[256] = "";
	char *text = bk_mail_write(&m, err, sizeof err);
	assert_non_null(text);
	/* on the wire: 7-bit, no line over 76 characters */
	const char *body = strstr(text, "\n\n") + 2;
	size_t line = 0;
	for (const unsigned char *p = (const unsigned char *)body; *p; p++) {
		assert_true(*p < 0x80);
		line = *p == '\n' ? 0 : line + 1;
		assert_true(line <= 76);
	}
	GMimeMessage *msg = parse(text);
	GMimeObject *part = g_mime_message_get_mime_part(msg);
	assert_true(GMIME_IS_TEXT_PART(part));
	char *decoded = g_mime_text_part_get_text(GMIME_TEXT_PART(part));
	assert_string_equal(decoded, body_text);
	g_free(decoded);
	g_object_unref(msg);
	free(text);
}

static void test_without_reply_to(void **state)
{
	(void)state;
	struct bk_mail_out m = sample();
	m.reply_to = "";
	m.to_name = NULL;
	m.to = "one@example.org";
	char err[256] = "";
	char *text = bk_mail_write(&m, err, sizeof err);
	assert_non_null(text);
	assert_null(strstr(text, "Reply-To:"));
	assert_non_null(strstr(text, "To: one@example.org\n"));
	free(text);
}

static void test_refused(void **state)
{
	(void)state;
	char err[256];
	struct bk_mail_out m = sample();
	m.to = " , ";
	err[0] = '\0';
	assert_null(bk_mail_write(&m, err, sizeof err));
	assert_non_null(strstr(err, "addresses"));
	m = sample();
	m.message_id = "";
	assert_null(bk_mail_write(&m, err, sizeof err));
	assert_non_null(strstr(err, "Message-ID"));
	m = sample();
	m.subject = "bad \xff UTF-8";
	assert_null(bk_mail_write(&m, err, sizeof err));
	assert_non_null(strstr(err, "not UTF-8"));
	m = sample();
	m.body = "bad \xc3";
	assert_null(bk_mail_write(&m, err, sizeof err));
}

/* A subject or name with a newline cannot add a header. */
static void test_no_header_injection(void **state)
{
	(void)state;
	struct bk_mail_out m = sample();
	m.subject = "offer\nBcc: victim@example.org";
	m.to_name = "Acorn\r\nBcc: other@example.org";
	char err[256];
	char *text = bk_mail_write(&m, err, sizeof err);
	assert_non_null(text);
	char *h = header_block(text);
	assert_null(strstr(h, "\nBcc:"));
	free(h);
	free(text);
}

static void test_email_valid(void **state)
{
	(void)state;
	const char *why;
	static const char *const good[] = { "a@b.org", "referrals@acorn-care.org.uk", "first.last+tag@x-y.example.com",
		                            "O'Neil@care.example.org" };
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		assert_true(bk_email_valid(good[i], &why));
		assert_null(why);
	}
	static const char *const bad[] = {
		"",           "plain",         "a@b",      "@b.org",   "a@@b.org", "a b@c.org",  "Name <a@b.org>",
		"a@-b.org",   "a@b-.org",      "a@b..org", ".a@b.org", "a.@b.org", "a..b@c.org", "a@b.org\n",
		"a\"b@c.org", "\xc3\xa9@b.org"
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_false(bk_email_valid(bad[i], &why));
		assert_non_null(why);
	}
	char longer[300];
	memset(longer, 'a', sizeof longer);
	longer[sizeof longer - 1] = '\0';
	memcpy(longer + 250, "@b.org", 7);
	assert_false(bk_email_valid(longer, &why));
}

int main(void)
{
	g_mime_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_headers_read_back),   cmocka_unit_test(test_body_read_back),
		cmocka_unit_test(test_without_reply_to),    cmocka_unit_test(test_refused),
		cmocka_unit_test(test_no_header_injection), cmocka_unit_test(test_email_valid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
