/* Mail in (issue 17): the corpus of replies under tests/mail/ as real
 * clients write them (Outlook, Gmail, Apple Mail, Thunderbird, HTML only,
 * base64, RFC 2047, Latin-1) and hostile ones (broken MIME, NULs, bad
 * charsets, huge headers, deep nesting, no end to tags), each read with
 * GMime into its sender, subject and own text, and its first line read as
 * an answer; then a bounded, seeded mutation loop over the corpus. Nothing
 * may crash, hang or leak (the ASan build runs this same test). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/mail_parse.h"
#include "core/mail_text.h"
#include "core/text.h"
#include "tests/testutil.h"

static struct bk_settings settings;
static struct cal_rules cal;

static char *corpus_file(const char *name, size_t *len)
{
	const char *root = getenv("BROKERAGE_SOURCE_ROOT");
	char path[1024];
	snprintf(path, sizeof path, "%s/tests/mail/%s", root ? root : ".", name);
	char *data = (char *)tu_read_file(path, len);
	if (!data)
		fail_msg("cannot read %s (set BROKERAGE_SOURCE_ROOT)", path);
	return data;
}

/* What a message reads as: the answer, or NULL and why. */
struct reading {
	struct mail_msg m;
	char own[BK_MAIL_MAX_TEXT + 1];
	struct mail_answer a;
	bool answered;
};

static void read_message(const char *data, size_t len, struct reading *r)
{
	assert_true(mail_parse(data, len, &r->m));
	assert_non_null(r->m.text);
	assert_true(tu_valid_utf8_str(r->m.text));
	assert_true(tu_valid_utf8_str(r->m.subject));
	assert_true(strlen(r->m.text) <= BK_MAIL_MAX_TEXT);
	mail_own_text(r->m.text, r->own, sizeof r->own);
	r->answered = mail_read_answer(r->own, &settings, &r->a);
}

static struct reading *read_corpus(const char *name)
{
	size_t len;
	char *data = corpus_file(name, &len);
	struct reading *r = calloc(1, sizeof *r);
	assert_non_null(r);
	read_message(data, len, r);
	free(data);
	return r;
}

static void done(struct reading *r)
{
	mail_msg_free(&r->m);
	free(r);
}

/* ---- the pure readers ---- */

static void test_own_text(void **state)
{
	(void)state;
	char out[512];
	mail_own_text("\n\nACCEPT\n\nOn Thu, 19 Nov 2026 at 10:06, X <x@y>\nwrote:\n> quoted\n", out, sizeof out);
	assert_string_equal(out, "ACCEPT");
	mail_own_text("DECLINE area\r\n-----Original Message-----\r\nFrom: x\r\n", out, sizeof out);
	assert_string_equal(out, "DECLINE area");
	mail_own_text("ACCEPT\nFrom: Brokerage\nSent: Thursday\nTo: x\n", out, sizeof out);
	assert_string_equal(out, "ACCEPT");
	mail_own_text("ACCEPT\n-- \nJo Bloggs\n", out, sizeof out);
	assert_string_equal(out, "ACCEPT");
	mail_own_text("From: the manager we can take this\nthanks\n", out, sizeof out);
	assert_string_equal(out, "From: the manager we can take this\nthanks"); /* no header after it */
	mail_own_text("> all quoted\n", out, sizeof out);
	assert_string_equal(out, "");
	/* bounded output, always terminated */
	mail_own_text("a very long line of the reply that does not fit", out, 8);
	assert_string_equal(out, "a very ");
}

static void test_html(void **state)
{
	(void)state;
	char out[256];
	mail_html_to_text("<html><head><style>p{}</style><title>t</title></head><body><p>Yes&nbsp;we can &amp; "
	                  "will</p><script>x()</script><div>&#163;5 &#x20AC;</div></body></html>",
	                  out, sizeof out);
	assert_string_equal(out, "\nYes we can & will\n\n£5 €\n");
	mail_html_to_text("<blockquote>quoted</blockquote>", out, sizeof out);
	assert_non_null(strstr(out, "> quoted"));
	/* no end to a tag, a comment or a script: stops, no overrun */
	mail_html_to_text("text <div class=", out, sizeof out);
	assert_string_equal(out, "text ");
	mail_html_to_text("a<!-- never closed", out, sizeof out);
	assert_string_equal(out, "a");
	mail_html_to_text("b<script>never closed", out, sizeof out);
	assert_string_equal(out, "b");
	mail_html_to_text("&#0;&#xD800;&#99999999;&bogus;", out, sizeof out);
	assert_true(tu_valid_utf8_str(out));
}

static void test_subject_strip(void **state)
{
	(void)state;
	assert_string_equal(mail_subject_strip("RE: AW: Antw:  Fwd: offer"), "offer");
	assert_string_equal(mail_subject_strip("re:re:offer"), "offer");
	assert_string_equal(mail_subject_strip("Reply needed"), "Reply needed");
}

static void expect_answer(const char *line, enum mail_verb verb, const char *code)
{
	struct mail_answer a;
	bool ok = mail_read_answer(line, &settings, &a);
	if (verb == MAIL_NO_VERB) {
		if (ok)
			fail_msg("'%s' read as %s", line, mail_verb_name(a.verb));
		assert_true(a.why[0] != '\0');
		return;
	}
	if (!ok)
		fail_msg("'%s' not read: %s", line, a.why);
	assert_int_equal(a.verb, verb);
	if (code)
		assert_string_equal(a.code, code);
}

static void test_answers(void **state)
{
	(void)state;
	expect_answer("ACCEPT", MAIL_ACCEPT, NULL);
	expect_answer("accept 2026-12-01", MAIL_ACCEPT, NULL);
	expect_answer("Accept: 2026-12-01", MAIL_ACCEPT, NULL);
	expect_answer("ACCEPT next week", MAIL_NO_VERB, NULL);
	expect_answer("ACCEPT 2026-02-30", MAIL_NO_VERB, NULL);
	expect_answer("DECLINE capacity", MAIL_DECLINE, "capacity");
	expect_answer("decline AREA not ours", MAIL_DECLINE, "area");
	expect_answer("DECLINE", MAIL_NO_VERB, NULL);
	expect_answer("DECLINE busy", MAIL_NO_VERB, NULL);
	expect_answer("DECLINE other", MAIL_NO_VERB, NULL);
	expect_answer("DECLINE other the office is closing", MAIL_DECLINE, "other");
	expect_answer("INFO Is there a hoist?", MAIL_INFO, NULL);
	expect_answer("INFO", MAIL_NO_VERB, NULL);
	/* plain forms, only where unambiguous */
	expect_answer("yes we can take this", MAIL_ACCEPT, NULL);
	expect_answer("Yes, we can take this package.", MAIL_ACCEPT, NULL);
	expect_answer("sorry, no capacity", MAIL_DECLINE, "capacity");
	expect_answer("Sorry - we have no capacity at the moment", MAIL_DECLINE, "capacity");
	expect_answer("Yes, but no capacity until March", MAIL_NO_VERB, NULL);
	expect_answer("yes we can take this if the start is later", MAIL_NO_VERB, NULL);
	expect_answer("we cannot take this", MAIL_NO_VERB, NULL);
	expect_answer("Can we take this? Not sure", MAIL_NO_VERB, NULL);
	expect_answer("no capacity in that area", MAIL_NO_VERB, NULL);
	expect_answer("no", MAIL_NO_VERB, NULL);
	expect_answer("Thanks for this", MAIL_NO_VERB, NULL);
	expect_answer("", MAIL_NO_VERB, NULL);
	/* the question and the words take the whole first paragraph */
	struct mail_answer a;
	assert_true(mail_read_answer("INFO Does she need\ntwo carers?\n\nthanks", &settings, &a));
	assert_string_equal(a.words, "Does she need two carers?");
	assert_true(mail_read_answer("DECLINE needs PEG feeding\nnot trained\n\nJo", &settings, &a));
	assert_string_equal(a.words, "PEG feeding not trained");
	/* but an acceptance is its first line only: the signature below it is not a date */
	assert_true(mail_read_answer("ACCEPT\nKind regards\nJo", &settings, &a));
	assert_int_equal(a.verb, MAIL_ACCEPT);
}

/* ---- the corpus ---- */

struct expect {
	const char *file;
	const char *from;        /* NULL: not checked */
	const char *subject_has; /* NULL: not checked */
	bool readable;
	enum mail_verb verb;
	const char *code;  /* decline */
	const char *start; /* accept, YYYY-MM-DD */
	const char *words_has;
	bool natural;
};

static const struct expect corpus[] = {
	{ "outlook_toppost.eml", "referrals@acorn.example", "RE: Care package offer CYP-1001 [@TOKEN@]", true,
	  MAIL_DECLINE, "capacity", NULL, "No carers free in that district until January", false },
	{ "outlook_underscores.eml", "office@linden.example", NULL, true, MAIL_DECLINE, "eligibility", NULL,
	  "young person’s age", false },
	{ "gmail_reply.eml", "orchard.family.care@gmail.com", "Re: Care package offer", true, MAIL_ACCEPT, NULL,
	  "2026-12-01", NULL, false },
	{ "apple_mail.eml", "hello@willowtree.example", NULL, true, MAIL_ACCEPT, NULL, NULL, NULL, true },
	{ "thunderbird.eml", "duty@kingfisher.example", NULL, true, MAIL_INFO, NULL, NULL,
	  "hoist for transfers? We would need two carers if so.", false },
	{ "html_only.eml", "bookings@primrose.example", NULL, true, MAIL_DECLINE, "capacity", NULL, NULL, true },
	{ "base64_body.eml", "team@hawthorn.example", "AW: Care package offer – district", true, MAIL_DECLINE, "area",
	  NULL, "Westbury", false },
	{ "rfc2047_latin1.eml", "rowan@rowan.example", "Antw: Care package offer £", true, MAIL_ACCEPT, NULL,
	  "2026-12-07", NULL, false },
	{ "mixed_natural.eml", "referrals@acorn.example", NULL, true, MAIL_NO_VERB, NULL, NULL, NULL, false },
	{ "nested_multipart.eml", "intake@steppingstones.example", "RE: RE:", true, MAIL_ACCEPT, NULL, NULL, NULL,
	  false },
	{ "no_text.eml", "referrals@acorn.example", NULL, false, MAIL_NO_VERB, NULL, NULL, NULL, false },
	{ "quote_only.eml", "referrals@acorn.example", NULL, true, MAIL_NO_VERB, NULL, NULL, NULL, false },
	{ "no_token.eml", "referrals@acorn.example", "Question", true, MAIL_ACCEPT, NULL, NULL, NULL, false },
	{ "bad_charset.eml", "orchard.family.care@gmail.com", NULL, true, MAIL_DECLINE, "needs", NULL, "PEG feeding",
	  false },
	{ "control_chars.eml", "referrals@acorn.example", NULL, true, MAIL_INFO, NULL, NULL, NULL, false },
	/* hostile: whatever they read as, they are read without harm */
	{ "broken_mime.eml", NULL, NULL, true, MAIL_NO_VERB, NULL, NULL, NULL, false },
	{ "nul_bytes.eml", "referrals@acorn.example", NULL, true, MAIL_NO_VERB, NULL, NULL, NULL, false },
};

static void test_corpus(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof corpus / sizeof corpus[0]; i++) {
		const struct expect *e = &corpus[i];
		struct reading *r = read_corpus(e->file);
		if (e->from && strcmp(r->m.from, e->from) != 0)
			fail_msg("%s: from '%s', expected '%s'", e->file, r->m.from, e->from);
		if (e->subject_has && !strstr(r->m.subject, e->subject_has))
			fail_msg("%s: subject '%s' lacks '%s'", e->file, r->m.subject, e->subject_has);
		if (strcmp(e->file, "broken_mime.eml") == 0 || strcmp(e->file, "nul_bytes.eml") == 0) {
			done(r); /* no crash, valid text: enough */
			continue;
		}
		if (r->m.readable != e->readable)
			fail_msg("%s: readable %d (%s), expected %d", e->file, r->m.readable, r->m.why, e->readable);
		if (e->verb == MAIL_NO_VERB) {
			if (r->answered)
				fail_msg("%s: read as %s, expected no answer", e->file, mail_verb_name(r->a.verb));
		} else {
			if (!r->answered || r->a.verb != e->verb)
				fail_msg("%s: read as '%s' (%s; own text '%s'), expected %s", e->file,
				         mail_verb_name(r->a.verb), r->a.why, r->own, mail_verb_name(e->verb));
			if (e->code)
				assert_string_equal(r->a.code, e->code);
			if (e->start) {
				char day[16];
				assert_int_not_equal(r->a.start, INT32_MIN);
				cal_format_day(r->a.start, day, sizeof day);
				int32_t want;
				char err[64];
				assert_true(cal_parse_date(e->start, &want, err, sizeof err));
				assert_int_equal(r->a.start, want);
			}
			if (e->words_has && !strstr(r->a.words, e->words_has))
				fail_msg("%s: words '%s' lack '%s'", e->file, r->a.words, e->words_has);
			assert_int_equal(r->a.natural, e->natural);
		}
		done(r);
	}
}

/* The top-most Received header is when the council's server had it. */
static void test_received(void **state)
{
	(void)state;
	struct reading *r = read_corpus("outlook_toppost.eml");
	assert_int_equal(r->m.received_at, tu_at("2026-11-20T10:15:00Z"));
	assert_string_equal(r->m.message_id, "DB9PR01MB1234ABCD@DB9PR01MB1234.eurprd01.prod.outlook.com");
	done(r);
	r = read_corpus("broken_mime.eml");
	assert_int_equal(r->m.received_at, 0);
	done(r);
}

/* ---- made hostile ---- */

static char *repeat(const char *head, const char *unit, size_t times, const char *tail, size_t *len)
{
	size_t hu = strlen(head), uu = strlen(unit), tl = strlen(tail);
	*len = hu + uu * times + tl;
	char *s = malloc(*len + 1);
	assert_non_null(s);
	memcpy(s, head, hu);
	for (size_t i = 0; i < times; i++)
		memcpy(s + hu + i * uu, unit, uu);
	memcpy(s + hu + uu * times, tail, tl + 1);
	return s;
}

static void test_hostile_made(void **state)
{
	(void)state;
	struct reading *r = calloc(1, sizeof *r);
	assert_non_null(r);
	size_t len;
	/* a 1 MB header line */
	char *s = repeat("Subject: ", "x", 1 << 20, "\nFrom: a@b.example\n\nACCEPT\n", &len);
	read_message(s, len, r);
	assert_true(strlen(r->m.subject) < sizeof r->m.subject);
	mail_msg_free(&r->m);
	free(s);
	/* 20,000 headers */
	s = repeat("From: a@b.example\n", "X-Junk: 1\n", 20000, "\nACCEPT\n", &len);
	read_message(s, len, r);
	assert_int_equal(r->a.verb, MAIL_ACCEPT);
	mail_msg_free(&r->m);
	free(s);
	/* multiparts nested 5,000 deep: read no deeper than the limit */
	s = repeat("Content-Type: multipart/mixed; boundary=b\n\n",
	           "--b\nContent-Type: multipart/mixed; boundary=b\n\n", 5000, "--b--\n", &len);
	read_message(s, len, r);
	assert_false(r->m.readable);
	mail_msg_free(&r->m);
	free(s);
	/* 3 MB of blank lines after one line, then a quote: linear, not quadratic */
	s = repeat("Content-Type: text/plain\n\nACCEPT\n", "\n", 3 << 20, "> quoted\n", &len);
	read_message(s, len, r);
	assert_int_equal(r->a.verb, MAIL_ACCEPT);
	mail_msg_free(&r->m);
	free(s);
	/* HTML of unclosed tags and scripts */
	s = repeat("Content-Type: text/html\n\n", "<script><div <!-- &#", 100000, "", &len);
	read_message(s, len, r);
	mail_msg_free(&r->m);
	free(s);
	/* too big: refused unread */
	s = repeat("Content-Type: text/plain\n\n", "ACCEPT\n", (BK_MAIL_MAX_BYTES / 7) + 10, "", &len);
	read_message(s, len, r);
	assert_false(r->m.readable);
	assert_non_null(strstr(r->m.why, "too big"));
	mail_msg_free(&r->m);
	free(s);
	/* nothing at all, and garbage */
	read_message("", 0, r);
	mail_msg_free(&r->m);
	read_message("\0\0\0\xff\xfe", 5, r);
	mail_msg_free(&r->m);
	free(r);
}

/* A bounded, seeded mutation loop over the corpus: byte flips, inserted
 * MIME punctuation, cut and repeated ranges. Deterministic (no clock), so
 * a failure is the same failure every time; the longer, unbounded run is
 * tests/fuzz/fuzz_mail.c under libFuzzer. */
static uint64_t rng = 0x9E3779B97F4A7C15u;
static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void test_mutations(void **state)
{
	(void)state;
	static const char *const bits[] = { "\n--",
		                            "boundary=",
		                            "Content-Type: multipart/alternative; boundary=x\n",
		                            "=?utf-8?B?",
		                            "?=",
		                            "\r\n\r\n",
		                            "=\n",
		                            "<blockquote>",
		                            "&#x",
		                            "Content-Transfer-Encoding: base64\n",
		                            "charset=x-bad\n",
		                            "\0" };
	struct reading *r = calloc(1, sizeof *r);
	assert_non_null(r);
	int rounds = getenv("MAIL_MUTATIONS") ? atoi(getenv("MAIL_MUTATIONS")) : 400;
	size_t n_corpus = sizeof corpus / sizeof corpus[0];
	for (int k = 0; k < rounds; k++) {
		size_t len;
		char *seed = corpus_file(corpus[next_rand() % n_corpus].file, &len);
		size_t cap = len * 2 + 256, n = len;
		char *buf = malloc(cap);
		assert_non_null(buf);
		memcpy(buf, seed, len);
		free(seed);
		int edits = 1 + (int)(next_rand() % 8);
		for (int e = 0; e < edits && n > 0; e++) {
			size_t at = next_rand() % n;
			switch (next_rand() % 4) {
			case 0:
				buf[at] = (char)next_rand();
				break;
			case 1: {
				const char *b = bits[next_rand() % (sizeof bits / sizeof bits[0])];
				size_t bl = strlen(b) ? strlen(b) : 1;
				if (n + bl < cap) {
					memmove(buf + at + bl, buf + at, n - at);
					memcpy(buf + at, b, bl);
					n += bl;
				}
				break;
			}
			case 2: {
				size_t cut = next_rand() % (n - at + 1);
				memmove(buf + at, buf + at + cut, n - at - cut);
				n -= cut;
				break;
			}
			default: {
				size_t span = next_rand() % (n - at + 1);
				if (n + span < cap) {
					memmove(buf + at + span, buf + at, n - at);
					n += span;
				}
				break;
			}
			}
		}
		read_message(buf, n, r);
		mail_msg_free(&r->m);
		free(buf);
	}
	free(r);
}

static int setup(void **state)
{
	(void)state;
	return tu_cal_london(&settings, &cal);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_own_text),      cmocka_unit_test(test_html),
		cmocka_unit_test(test_subject_strip), cmocka_unit_test(test_answers),
		cmocka_unit_test(test_corpus),        cmocka_unit_test(test_received),
		cmocka_unit_test(test_hostile_made),  cmocka_unit_test(test_mutations),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
