/* Text made safe to show: escapes and controls removed, bidi overrides
 * removed, invalid UTF-8 replaced, truncation on character boundaries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/text.h"
#include "tests/testutil.h"

static const char *san(const char *in)
{
	static char out[1024];
	size_t n = text_sanitize(in, out, sizeof out, false);
	assert_int_equal(n, strlen(out));
	return out;
}

static const char *san_ascii(const char *in)
{
	static char out[1024];
	size_t n = text_sanitize(in, out, sizeof out, true);
	assert_int_equal(n, strlen(out));
	return out;
}

/* No byte that a terminal acts on: C0 (but space), DEL, ESC, C1 (raw or
 * UTF-8), and the output is valid UTF-8. */
static void assert_terminal_safe(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; u[i]; i++) {
		if (u[i] < 0x20 || u[i] == 0x7f)
			fail_msg("control byte 0x%02x at %zu in \"%s\"", u[i], i, s);
		if (u[i] == 0xC2 && u[i + 1] >= 0x80 && u[i + 1] <= 0x9F)
			fail_msg("C1 control U+00%02X at %zu", u[i + 1], i);
	}
	if (!tu_valid_utf8_str(s))
		fail_msg("not valid UTF-8: \"%s\"", s);
}

static void test_plain_text_kept(void **state)
{
	(void)state;
	assert_string_equal(san("Acme Care Ltd"), "Acme Care Ltd");
	assert_string_equal(san("Caf\xC3\xA9 \xC2\xA3"
	                        "19.50 \xE2\x82\xAC \xF0\x9F\x98\x80"),
	                    "Caf\xC3\xA9 \xC2\xA3"
	                    "19.50 \xE2\x82\xAC \xF0\x9F\x98\x80");
	assert_string_equal(san(""), "");
	char out[8] = "xxx";
	assert_int_equal(text_sanitize(NULL, out, sizeof out, false), 0);
	assert_string_equal(out, "");
}

static void test_csi_removed(void **state)
{
	(void)state;
	assert_string_equal(san("a\x1b[2Jb"), "ab");
	assert_string_equal(san("\x1b[31mred\x1b[0m"), "red");
	assert_string_equal(san("x\x1b[?1049hy"), "xy");
	assert_string_equal(san("x\x1b[1;31;40mz"), "xz");
	/* an ESC at the very end */
	assert_string_equal(san("end\x1b"), "end");
	/* two-byte escapes (ESC c resets the terminal) */
	assert_string_equal(san("a\x1b"
	                        "cb"),
	                    "ab");
	assert_string_equal(san("a\x1b(Bb"), "ab");
}

static void test_osc_hyperlink_removed(void **state)
{
	(void)state;
	/* OSC 8 with ST terminators: the link text stays, the link goes */
	assert_string_equal(san("\x1b]8;;http://evil.example/\x1b\\click\x1b]8;;\x1b\\"), "click");
	/* with BEL terminators */
	assert_string_equal(san("\x1b]8;;http://evil.example/\aclick\x1b]8;;\a!"), "click!");
	/* window title */
	assert_string_equal(san("a\x1b]0;pwned\x07"
	                        "b"),
	                    "ab");
	/* unterminated: everything after it goes */
	assert_string_equal(san("a\x1b]0;never ends"), "a");
}

static void test_dcs_and_strings_removed(void **state)
{
	(void)state;
	assert_string_equal(san("a\x1bPq#0;2;0;0;0#0~~@@\x1b\\b"), "ab");
	assert_string_equal(san("a\x1b_apc\x1b\\b"), "ab");
	assert_string_equal(san("a\x1b^pm\x1b\\b"), "ab");
	assert_string_equal(san("a\x1bXsos\x1b\\b"), "ab");
}

static void test_c1_removed(void **state)
{
	(void)state;
	/* C1 CSI as UTF-8 U+009B: removed */
	assert_string_equal(san("a\xC2\x9B"
	                        "b"),
	                    "ab");
	assert_string_equal(san("a\xC2\x85"
	                        "b"),
	                    "ab"); /* NEL */
	assert_string_equal(san("a\xC2\x80\xC2\x9F"
	                        "b"),
	                    "ab");
	/* C1 CSI as a raw byte 0x9b: never passed through (it is not valid
	 * UTF-8, so it is shown as '?') */
	const char *s = san("a\x9b"
	                    "2Jb");
	assert_null(strchr(s, '\x9b'));
	assert_terminal_safe(s);
	assert_true(strcmp(s, "a2Jb") == 0 || strcmp(s, "a?2Jb") == 0);
	assert_terminal_safe(san("\x9b\x9d\x90\x8d"));
}

static void test_bidi_removed(void **state)
{
	(void)state;
	/* U+202E RIGHT-TO-LEFT OVERRIDE */
	assert_string_equal(san("abc\xE2\x80\xAE"
	                        "def"),
	                    "abcdef");
	/* U+2066..U+2069 isolates */
	assert_string_equal(san("\xE2\x81\xA6"
	                        "a\xE2\x81\xA7"
	                        "b\xE2\x81\xA8"
	                        "c\xE2\x81\xA9"),
	                    "abc");
	/* U+202A..U+202D embeddings and overrides, U+200E/U+200F marks, U+061C */
	assert_string_equal(san("\xE2\x80\xAA"
	                        "x\xE2\x80\xAB\xE2\x80\xAC\xE2\x80\xAD\xE2\x80\x8E\xE2\x80\x8F\xD8\x9C"
	                        "y"),
	                    "xy");
	/* neighbours of the bidi controls are kept */
	assert_string_equal(san("\xE2\x80\xA9"), "\xE2\x80\xA9"); /* U+2029 */
	assert_string_equal(san("\xE2\x81\xA5"), "\xE2\x81\xA5"); /* U+2065 */
}

static void test_controls(void **state)
{
	(void)state;
	assert_string_equal(san("a\x7f"
	                        "b"),
	                    "ab"); /* DEL */
	assert_string_equal(san("a\x01\x02\x07\x08\x0b\x0c\x1f"
	                        "b"),
	                    "ab");
	/* tabs and newlines become spaces */
	assert_string_equal(san("a\tb\nc\r\nd"), "a b c  d");
	/* the byte-order mark is removed */
	assert_string_equal(san("\xEF\xBB\xBF"
	                        "x"),
	                    "x");
	assert_terminal_safe(san("\x01\x1b[2J\x7f\xC2\x9B\xE2\x80\xAE\x9b\xC0\xAF"));
}

static void test_invalid_utf8(void **state)
{
	(void)state;
	/* overlong '/' */
	assert_string_equal(san("a\xC0\xAF"
	                        "b"),
	                    "a??b");
	/* overlong three-byte '/' */
	assert_string_equal(san("a\xE0\x80\xAF"
	                        "b"),
	                    "a???b");
	/* a UTF-16 surrogate, U+D800 */
	assert_string_equal(san("a\xED\xA0\x80"
	                        "b"),
	                    "a???b");
	/* beyond U+10FFFF */
	assert_string_equal(san("a\xF4\x90\x80\x80"
	                        "b"),
	                    "a????b");
	/* a lone continuation byte, a truncated sequence at the end */
	assert_string_equal(san("a\x80"
	                        "b"),
	                    "a?b");
	assert_string_equal(san("ab\xE2\x82"), "ab??");
	assert_string_equal(san("\xFF\xFE"), "??");
	/* a truncated sequence followed by ASCII keeps the ASCII */
	assert_string_equal(san("\xC3"
	                        "A"),
	                    "?A");
}

static void test_truncation_on_boundary(void **state)
{
	(void)state;
	/* 1-, 2-, 3- and 4-byte characters mixed */
	const char *in = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"
			 "b\xC2\xA3\xE2\x80\xAE"
			 "cd";
	char full[128];
	size_t total = text_sanitize(in, full, sizeof full, false);
	assert_string_equal(full, "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"
	                          "b\xC2\xA3"
	                          "cd");
	for (size_t len = 1; len <= total + 2; len++) {
		char out[128];
		memset(out, 'Z', sizeof out);
		size_t n = text_sanitize(in, out, len, false);
		assert_true(n < len);
		assert_int_equal(strlen(out), n);
		/* never a split sequence: valid UTF-8 and a prefix of the whole */
		if (!tu_valid_utf8_str(out))
			fail_msg("outlen %zu split a character: %zu bytes", len, n);
		assert_memory_equal(out, full, n);
		/* as much as fits: the next character would not have */
		if (n < total) {
			size_t next = 1;
			unsigned char c = (unsigned char)full[n];
			if (c >= 0xF0)
				next = 4;
			else if (c >= 0xE0)
				next = 3;
			else if (c >= 0xC0)
				next = 2;
			assert_true(n + next >= len);
		}
		/* nothing written past the terminator */
		for (size_t k = n + 1; k < sizeof out; k++)
			assert_int_equal(out[k], 'Z');
	}
	char one[1] = { 'x' };
	assert_int_equal(text_sanitize("abc", one, 1, false), 0);
	assert_int_equal(one[0], '\0');
	/* length 0 writes nothing */
	char none[2] = { 'q', 'q' };
	assert_int_equal(text_sanitize("abc", none, 0, false), 0);
	assert_int_equal(none[0], 'q');
	/* "GBP" in ascii mode is not split either */
	char small[4];
	assert_int_equal(text_sanitize("a\xC2\xA3", small, sizeof small, true), 1);
	assert_string_equal(small, "a");
}

static void test_ascii_mode(void **state)
{
	(void)state;
	assert_string_equal(san_ascii("\xC2\xA3"
	                              "19.50"),
	                    "GBP19.50");
	assert_string_equal(san_ascii("caf\xC3\xA9"), "caf?");
	assert_string_equal(san_ascii("\xE2\x82\xAC\xF0\x9F\x98\x80"), "??");
	assert_string_equal(san_ascii("plain"), "plain");
	/* escapes and bidi still removed */
	assert_string_equal(san_ascii("\x1b[2Ja\xE2\x80\xAE"
	                              "b"),
	                    "ab");
	const char *s = san_ascii("\xC2\xA3\xC3\xA9\xC0\xAF\x9b");
	for (const unsigned char *u = (const unsigned char *)s; *u; u++)
		assert_true(*u >= 0x20 && *u < 0x7f);
}

static void test_utf8_clean(void **state)
{
	(void)state;
	char out[256];
	const char *bad[] = {
		"\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\x80", "ab\xE2\x82", "\xFF", "\x9b",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		size_t n = text_utf8_clean(bad[i], out, sizeof out);
		assert_int_equal(strlen(out), n);
		if (!tu_valid_utf8_str(out))
			fail_msg("text_utf8_clean case %zu gave invalid UTF-8", i);
		tu_assert_contains(out, "\xEF\xBF\xBD");
	}
	/* valid text unchanged, controls kept for JSON to escape */
	assert_int_equal(text_utf8_clean("a\tb\x1b[2J\xC3\xA9", out, sizeof out), 9);
	assert_string_equal(out, "a\tb\x1b[2J\xC3\xA9");
	assert_int_equal(text_utf8_clean("\xC0"
	                                 "A",
	                                 out, sizeof out),
	                 4);
	assert_string_equal(out, "\xEF\xBF\xBD"
	                         "A");
	/* a small buffer is not overrun and stays valid */
	char small[5];
	text_utf8_clean("ab\xFF\xFF", small, sizeof small);
	assert_true(tu_valid_utf8_str(small));
	assert_string_equal(small, "ab");
}

static void test_has_controls(void **state)
{
	(void)state;
	assert_false(text_has_controls("plain text"));
	assert_false(text_has_controls("tab\tand\nnewline"));
	assert_false(text_has_controls("caf\xC3\xA9 \xC2\xA3"));
	assert_true(text_has_controls("a\x1b[2J"));
	assert_true(text_has_controls("a\rb"));
	assert_true(text_has_controls("a\x7f"));
	assert_true(text_has_controls("a\xC2\x9B"));
	assert_true(text_has_controls("a\xE2\x80\xAE"));
	assert_true(text_has_controls("a\x9b"));
	assert_true(text_has_controls("\xC0\xAF"));
}

static void test_case_ref(void **state)
{
	(void)state;
	const char *why = NULL;
	assert_true(text_valid_case_ref("ABC-123/45_x.y", &why));
	assert_true(text_valid_case_ref("C1", &why));
	assert_true(text_valid_case_ref("12345678901234567890123456789012", &why)); /* 32 */
	why = NULL;
	assert_false(text_valid_case_ref("123456789012345678901234567890123", &why)); /* 33 */
	tu_assert_contains(why, "32");
	why = NULL;
	assert_false(text_valid_case_ref("", &why));
	tu_assert_contains(why, "empty");
	const char *bad[] = { "John Smith", "a b", "caf\xC3\xA9", "x;y", "a\x1b[2J", "a\tb", "'1'", "C,1" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		why = NULL;
		if (text_valid_case_ref(bad[i], &why))
			fail_msg("case reference \"%s\" accepted", bad[i]);
		assert_non_null(why);
		tu_assert_contains(why, "never a name");
	}
}

/* Issue 14: one description per free-text field. Blank counts as empty,
 * lengths are characters, controls and invalid UTF-8 refused, names
 * trimmed; the same function serves options, forms and CSV columns. */
static void test_text_fields(void **state)
{
	(void)state;
	char out[4096], err[256];
	const struct text_field *reason = text_field_find("reason");
	assert_non_null(reason);
	assert_null(text_field_find("nonsense"));
	/* blank is empty: a required reason of spaces is refused */
	assert_false(text_field_check(reason, "   \t ", out, sizeof out, err, sizeof err));
	assert_non_null(strstr(err, "required"));
	assert_false(text_field_check(reason, NULL, out, sizeof out, err, sizeof err));
	/* an optional note of spaces is kept as nothing */
	assert_true(text_field_check(text_field_find("note"), "   ", out, sizeof out, err, sizeof err));
	assert_string_equal(out, "");
	/* 500 characters of two bytes each fit a 500-character reason; 501 do not */
	char e500[1100] = "";
	for (int i = 0; i < 500; i++)
		strcat(e500, "\xc3\xa9");
	assert_true(text_field_check(reason, e500, out, sizeof out, err, sizeof err));
	assert_int_equal(text_chars(out), 500);
	strcat(e500, "e");
	assert_false(text_field_check(reason, e500, out, sizeof out, err, sizeof err));
	assert_non_null(strstr(err, "501 characters"));
	/* controls, C1, bidi and invalid UTF-8 refused */
	assert_false(text_field_check(reason, "late \x1b[31mred", out, sizeof out, err, sizeof err));
	assert_non_null(strstr(err, "control character"));
	assert_false(text_field_check(reason, "x \xc2\x9b y", out, sizeof out, err, sizeof err));
	assert_false(text_field_check(reason, "x \xe2\x80\xae y", out, sizeof out, err, sizeof err));
	assert_false(text_field_check(reason, "bad \xff byte", out, sizeof out, err, sizeof err));
	assert_non_null(strstr(err, "UTF-8"));
	/* a note keeps its lines; a name has none and is trimmed */
	assert_true(text_field_check(text_field_find("note"), "line one\nline two", out, sizeof out, err, sizeof err));
	assert_string_equal(out, "line one\nline two");
	const struct text_field *name = text_field_find("provider-name");
	assert_true(text_field_check(name, "  Acorn Care \t", out, sizeof out, err, sizeof err));
	assert_string_equal(out, "Acorn Care");
	assert_false(text_field_check(name, "Acorn\nCare", out, sizeof out, err, sizeof err));
	/* a key-decision reference of spaces is none */
	assert_true(text_field_check(text_field_find("key-decision"), "  ", out, sizeof out, err, sizeof err));
	assert_string_equal(out, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_text_kept),
		cmocka_unit_test(test_csi_removed),
		cmocka_unit_test(test_osc_hyperlink_removed),
		cmocka_unit_test(test_dcs_and_strings_removed),
		cmocka_unit_test(test_c1_removed),
		cmocka_unit_test(test_bidi_removed),
		cmocka_unit_test(test_controls),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_truncation_on_boundary),
		cmocka_unit_test(test_ascii_mode),
		cmocka_unit_test(test_utf8_clean),
		cmocka_unit_test(test_has_controls),
		cmocka_unit_test(test_case_ref),
		cmocka_unit_test(test_text_fields),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
