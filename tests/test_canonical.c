/* The audit trail's text of a record (bk_audit_canonical): byte for byte what
 * jansson's json_dumps writes with JSON_COMPACT | JSON_SORT_KEYS |
 * JSON_ENSURE_ASCII, over which every event's hash is taken; and what it
 * cannot write itself handed to jansson. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/internal.h"

static void same_as_jansson(json_t *o)
{
	assert_non_null(o);
	char *want = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
	char *got = bk_audit_canonical(o);
	if (!want) {
		assert_null(got);
	} else {
		assert_non_null(got);
		assert_string_equal(got, want);
	}
	free(want);
	free(got);
	json_decref(o);
}

static void test_records(void **state)
{
	(void)state;
	/* keys out of order, prefixes of each other, nested, empty */
	same_as_jansson(json_pack("{sisssbsnsbs{}s[]}", "status", 3, "case_ref", "CYP-1", "urgent", 1, "note", "b", 0,
	                          "a", "ab"));
	same_as_jansson(json_pack("{s{sisi}s[iisn]}", "z", "b", 2, "a", 1, "y", -9223372036854775807LL - 1, 0, "x"));
	same_as_jansson(json_pack("[]"));
	same_as_jansson(json_pack("{}"));
	same_as_jansson(json_pack("[{sf}]", "rate", 12.5)); /* a real: jansson writes it */
	same_as_jansson(json_string("top level text"));     /* not an object: NULL, as jansson */
	same_as_jansson(json_integer(7));

	/* every character that is escaped: quotes, backslash, controls, DEL kept,
	 * slash kept, two- three- and four-byte UTF-8 (a surrogate pair) */
	const char text[] = "say \"hi\" \\ / \b\f\n\r\t \x01\x1f \x7f caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 end";
	same_as_jansson(json_pack("{ss}", text, text));
	json_t *nul = json_object();
	json_object_set_new(nul, "k", json_stringn("a\0b", 3)); /* a NUL inside the text */
	same_as_jansson(nul);

	/* many keys (more than kept on the stack), given in reverse */
	json_t *many = json_object();
	for (int i = 99; i >= 0; i--) {
		char key[16];
		snprintf(key, sizeof key, "k%02d", i);
		json_object_set_new(many, key, json_integer(i * 1000003LL));
	}
	same_as_jansson(many);
}

/* Many records made at random (a fixed seed): keys and text drawn from
 * plain letters, every control character, quotes, backslashes, multi-byte
 * UTF-8 and bytes that are not UTF-8; integers at both ends; nesting. */
static uint32_t seed = 12345u;
static uint32_t next_random(void)
{
	seed = seed * 1103515245u + 12345u;
	return seed >> 8;
}

static void random_text(char *buf, size_t len)
{
	static const char *const pieces[] = { "a",
		                              "Z",
		                              "0",
		                              " ",
		                              "\"",
		                              "\\",
		                              "/",
		                              "\x01",
		                              "\x1f",
		                              "\x7f",
		                              "\t",
		                              "\xc3\xa9",
		                              "\xe2\x82\xac",
		                              "\xf0\x9f\x98\x80",
		                              "\xc3",
		                              "\xff",
		                              "\xed\xa0\x80",
		                              "k",
		                              "k1",
		                              "" };
	size_t off = 0;
	int n = (int)(next_random() % 6);
	buf[0] = '\0';
	for (int i = 0; i < n; i++) {
		const char *p = pieces[next_random() % (sizeof pieces / sizeof pieces[0])];
		size_t k = strlen(p);
		if (off + k + 1 > len)
			break;
		memcpy(buf + off, p, k + 1);
		off += k;
	}
}

static json_t *random_value(int depth)
{
	char text[64];
	switch (next_random() % (depth > 2 ? 5 : 7)) {
	case 0:
		return json_integer((int64_t)next_random() * (next_random() % 2 ? 1 : -1) * 1000003LL);
	case 1:
		return json_integer(next_random() % 2 ? INT64_MAX : INT64_MIN);
	case 2: {
		/* half of them unchecked: text that is not UTF-8 reaches the writer */
		random_text(text, sizeof text);
		json_t *v = next_random() % 2 ? json_string_nocheck(text) : json_string(text);
		return v ? v : json_null();
	}
	case 3:
		return next_random() % 2 ? json_true() : json_false();
	case 4:
		return json_null();
	case 5: {
		json_t *a = json_array();
		for (int i = (int)(next_random() % 4); i > 0; i--)
			json_array_append_new(a, random_value(depth + 1));
		return a;
	}
	default: {
		json_t *o = json_object();
		for (int i = (int)(next_random() % 6); i > 0; i--) {
			random_text(text, sizeof text);
			json_object_set_new(o, text,
			                    random_value(depth + 1)); /* a key not UTF-8 is refused: none set */
		}
		return o;
	}
	}
}

static void test_random_records(void **state)
{
	(void)state;
	for (int i = 0; i < 3000; i++) {
		json_t *o = json_object();
		for (int k = (int)(next_random() % 8); k > 0; k--) {
			char key[64];
			random_text(key, sizeof key);
			json_object_set_new_nocheck(o, key, random_value(0)); /* keys not UTF-8 too */
		}
		same_as_jansson(o);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_records),
		cmocka_unit_test(test_random_records),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
