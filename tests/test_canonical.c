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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_records),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
