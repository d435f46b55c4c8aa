/* One growable array for every list the program holds in memory.
 *
 *     VEC(struct row) rows = { 0 };
 *     struct row *r = vec_push(&rows);   // a new zeroed element, or NULL
 *     vec_collect(&rows, &row, &failed);  // a copy of row: 0, or 1 and failed set
 *     ...
 *     vec_free(&rows);
 *
 * The elements are rows.v[0 .. rows.n-1]. Growth doubles (from 16), so a
 * push is amortised constant time; on failure the array is as it was. */
#ifndef BK_VEC_H
#define BK_VEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define VEC(T)                 \
	struct {               \
		T *v;          \
		size_t n, cap; \
	}

/* Make room for at least need elements of size bytes; false when memory
 * (or size_t) runs out, leaving *v and *cap as they were. */
bool vec_reserve_(void **v, size_t *cap, size_t need, size_t size);

#define vec_reserve(a, need) vec_reserve_((void **)&(a)->v, &(a)->cap, (need), sizeof *(a)->v)
#define vec_push(a) (vec_reserve((a), (a)->n + 1) ? memset(&(a)->v[(a)->n++], 0, sizeof *(a)->v) : NULL)
/* A copy of *x appended, for the callback of a read that collects rows:
 * 0 to go on, or 1 (stop) with *failed set when memory ran out. */
#define vec_collect(a, x, failed) (vec_push(a) ? ((a)->v[(a)->n - 1] = *(x), 0) : (*(failed) = true, 1))
#define vec_clear(a) ((a)->n = 0)
#define vec_free(a) (free((a)->v), (a)->v = NULL, (a)->n = (a)->cap = 0)

#endif
