/* The growable array: pushes keep what was pushed, in order, zeroed when
 * new; a reserve past what memory can hold fails and leaves it as it was. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/vec.h"

struct item {
	int64_t id;
	char name[8];
};

static void test_push_keeps_order(void **state)
{
	(void)state;
	VEC(struct item) a = { 0 };
	for (int i = 0; i < 1000; i++) {
		struct item *it = vec_push(&a);
		assert_non_null(it);
		assert_int_equal(it->id, 0);
		assert_int_equal(it->name[0], 0);
		it->id = i;
	}
	assert_int_equal(a.n, 1000);
	assert_true(a.cap >= 1000);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(a.v[i].id, i);
	vec_clear(&a);
	assert_int_equal(a.n, 0);
	assert_non_null(vec_push(&a));
	assert_int_equal(a.v[0].id, 0);
	vec_free(&a);
	assert_null(a.v);
	assert_int_equal(a.cap, 0);
}

static void test_reserve_too_much_changes_nothing(void **state)
{
	(void)state;
	VEC(struct item) a = { 0 };
	assert_non_null(vec_push(&a));
	struct item *before = a.v;
	size_t cap = a.cap;
	assert_false(vec_reserve(&a, SIZE_MAX / 2));
	assert_ptr_equal(a.v, before);
	assert_int_equal(a.cap, cap);
	assert_int_equal(a.n, 1);
	vec_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_push_keeps_order),
		cmocka_unit_test(test_reserve_too_much_changes_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
