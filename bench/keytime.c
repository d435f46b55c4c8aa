/* keytime.so: loaded with LD_PRELOAD into a curses program under test, it
 * times each key from the moment wget_wch hands it over to the end of the
 * next wrefresh (the screen updated for it), and writes the nanoseconds as
 * one int64 to the file descriptor named by BENCH_KEYTIME_FD. The harness
 * waits for that before typing the next key, so keys never queue up (and
 * curses never cuts an update short for typeahead). */
#define _GNU_SOURCE
#include <curses.h>
#include <dlfcn.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static int64_t key_at;
static int out_fd = -2;

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int wget_wch(WINDOW *w, wint_t *wc)
{
	static int (*real)(WINDOW *, wint_t *);
	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "wget_wch");
	int r = real(w, wc);
	if (r != ERR)
		key_at = now_ns();
	return r;
}

int wgetch(WINDOW *w)
{
	static int (*real)(WINDOW *);
	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "wgetch");
	int r = real(w);
	if (r != ERR)
		key_at = now_ns();
	return r;
}

int wrefresh(WINDOW *w)
{
	static int (*real)(WINDOW *);
	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "wrefresh");
	int r = real(w);
	if (key_at) {
		int64_t dt = now_ns() - key_at;
		key_at = 0;
		if (out_fd == -2) {
			const char *e = getenv("BENCH_KEYTIME_FD");
			out_fd = e ? atoi(e) : -1;
		}
		if (out_fd >= 0 && write(out_fd, &dt, sizeof dt) != (ssize_t)sizeof dt)
			out_fd = -1;
	}
	return r;
}
