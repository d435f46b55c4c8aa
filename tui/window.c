/* Windows of long lists: the approvals, the provider register and the audit
 * trail hold in memory only the rows on screen and a page either side. */
#include <stdlib.h>
#include <string.h>

#include "tui/tui.h"

bool window_begin(struct tui *t, struct row_window *w, int from, int count, int least)
{
	if (from < 0)
		from = 0;
	if (count < least)
		count = least;
	if (w->cap < count) {
		void *v = realloc(w->rows, (size_t)count * w->size);
		if (!v) {
			tui_message(t, true, "Out of memory");
			return false;
		}
		w->rows = v;
		w->cap = count;
	}
	w->n = 0;
	w->base = from;
	w->upto = from + count;
	return true;
}

void *window_take(struct row_window *w, int i)
{
	if (i < w->base || i >= w->upto || w->n >= w->cap)
		return NULL;
	void *row = (char *)w->rows + (size_t)w->n++ * w->size;
	memset(row, 0, w->size);
	return row;
}

void *window_row(const struct row_window *w, int i)
{
	return i >= w->base && i < w->base + w->n ? (char *)w->rows + (size_t)(i - w->base) * w->size : NULL;
}

bool window_misses(const struct row_window *w, int top, int rows, bool more_after)
{
	bool before = top < w->base;
	bool after = top + rows > w->base + w->n;
	return before || (after && more_after);
}

void window_keep_cursor(const struct row_window *w, struct screen *s, int64_t id, window_id_fn id_of, int total)
{
	for (int i = 0; id && i < w->n; i++)
		if (id_of((const char *)w->rows + (size_t)i * w->size) == id)
			s->cursor = w->base + i;
	if (s->cursor >= total)
		s->cursor = total - 1;
	if (s->cursor < 0)
		s->cursor = 0;
}

void window_finish(struct row_window *w)
{
	free(w->rows);
	w->rows = NULL;
	w->n = w->cap = 0;
}
