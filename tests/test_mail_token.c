/* core/mail_token.c: reply tokens that name an offer and cannot be guessed. */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/internal.h"
#include "core/mail_token.h"
#include "testutil.h"

struct token_args {
	int64_t offer;
	char *out;
};

static enum bk_status token_tx(struct bk_ctx *ctx, void *ud)
{
	const struct token_args *a = ud;
	return bk_mail_token(ctx, a->offer, a->out, BK_TOKEN_MAX);
}

static void token_of(struct tu_db *db, int64_t offer, char *out)
{
	struct token_args a = { offer, out };
	tu_ok(db, bk_tx_run(&db->ctx, token_tx, &a));
}

static void test_a_token_names_its_offer_and_is_stable(void **state)
{
	struct tu_db *db = tu_db_open(NULL);
	char a[BK_TOKEN_MAX], again[BK_TOKEN_MAX], b[BK_TOKEN_MAX];
	token_of(db, 42, a);
	token_of(db, 42, again);
	token_of(db, 43, b);
	assert_int_equal(strncmp(a, "BRK-42-", 7), 0);
	assert_int_equal(strlen(a), 7 + BK_TOKEN_TAG_LEN);
	for (const char *p = a + 7; *p; p++)
		assert_true(islower((unsigned char)*p) || (*p >= '2' && *p <= '7'));
	assert_string_equal(a, again);
	assert_string_not_equal(a + 7, b + 7);
	tu_db_close(db);
}

static void test_a_reply_subject_is_read_back(void **state)
{
	struct tu_db *db = tu_db_open(NULL);
	char tok[BK_TOKEN_MAX], text[160];
	token_of(db, 7, tok);
	int64_t id = 0;
	snprintf(text, sizeof text, "RE: AW: New package offer [%s] North, lot 1", tok);
	assert_int_equal(bk_mail_token_find(&db->ctx, text, &id), BK_TOKEN_OK);
	assert_int_equal(id, 7);
	/* a mail program that upper-cases the subject */
	for (char *p = text; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	id = 0;
	assert_int_equal(bk_mail_token_find(&db->ctx, text, &id), BK_TOKEN_OK);
	assert_int_equal(id, 7);
	tu_db_close(db);
}

static void test_a_changed_or_borrowed_token_does_not_check_out(void **state)
{
	struct tu_db *db = tu_db_open(NULL);
	char tok[BK_TOKEN_MAX], text[160];
	token_of(db, 7, tok);
	int64_t id = 0;
	/* the same tag on another offer: a guess from a token one has seen */
	snprintf(text, sizeof text, "[BRK-8-%s]", tok + 6);
	assert_int_equal(bk_mail_token_find(&db->ctx, text, &id), BK_TOKEN_BAD_TAG);
	assert_int_equal(id, 8);
	/* one character of the tag changed */
	snprintf(text, sizeof text, "[%s]", tok);
	char *last = text + strlen(text) - 2;
	*last = *last == 'a' ? 'b' : 'a';
	assert_int_equal(bk_mail_token_find(&db->ctx, text, &id), BK_TOKEN_BAD_TAG);
	/* made by another database */
	struct tu_db *other = tu_db_open(NULL);
	snprintf(text, sizeof text, "[%s]", tok);
	assert_int_equal(bk_mail_token_find(&other->ctx, text, &id), BK_TOKEN_BAD_TAG);
	tu_db_close(other);
	tu_db_close(db);
}

static void test_text_without_a_token(void **state)
{
	struct tu_db *db = tu_db_open(NULL);
	int64_t id = -1;
	const char *none[] = { "",
		               "Re: your offer",
		               "[BRK-]",
		               "[BRK-12]",
		               "[BRK-12-abc]",
		               "[BRK-0-aaaaaaaaaaaa]",
		               "XBRK-12-aaaaaaaaaaaa",
		               "[BRK-12-aaaaaaaaaaaaa]",
		               "[BRK-12-aaaaaaaaaaa1]" };
	for (size_t i = 0; i < sizeof none / sizeof none[0]; i++)
		assert_int_equal(bk_mail_token_find(&db->ctx, none[i], &id), BK_TOKEN_NONE);
	assert_int_equal(id, -1);
	/* no secret made yet: any token is one this database did not make */
	assert_int_equal(bk_mail_token_find(&db->ctx, "[BRK-12-aaaaaaaaaaaa]", &id), BK_TOKEN_BAD_TAG);
	tu_db_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_token_names_its_offer_and_is_stable),
		cmocka_unit_test(test_a_reply_subject_is_read_back),
		cmocka_unit_test(test_a_changed_or_borrowed_token_does_not_check_out),
		cmocka_unit_test(test_text_without_a_token),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
