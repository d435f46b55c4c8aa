/* bench_tui: the figures of the workstation in a pseudo-terminal (200x60),
 * each against its plain baseline, alternating.
 *
 *   bench_tui first_paint --bin BROKERAGE --db DB --as LOGIN --now TIME --raw-db RAW --reps N
 *       process start to the first complete screen (its bottom line, the
 *       fixed clock, is drawn last) vs the sqlite3 command line printing
 *       the first screen of the waiting list ordered by time waited.
 *   bench_tui keys ... --raw-bin RAW_TUI --shim KEYTIME.so --keys N --sessions S
 *       each key's time from being read to the end of the screen update
 *       (keytime.so inside the program), scrolling the waiting list
 *       (j j j j Space, over and over) vs plain ncurses (bench_raw_tui).
 *   bench_tui walk --bin BROKERAGE --db DB --as LOGIN --now TIME --reps N
 *       the slowest key of a scripted walk (tabs 1-6, everyone's referrals,
 *       a referral opened and closed, the trend, ':report waiting', the
 *       response report, a sort, a filter and a search on the waiting
 *       list), each key from being sent to the screen settling; every
 *       key's median printed as a note.
 *   bench_tui rss ... --raw-bin RAW_TUI --shim KEYTIME.so
 *       peak resident memory of opening and paging through the whole
 *       waiting list to its end, then quitting.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/bench.h"

#define COLS_ 200
#define LINES_ 60
#define MARKER "(fixed)"

struct opts {
	const char *mode, *bin, *db, *as, *now_text, *raw_db, *raw_bin, *shim, *now_utc;
	int reps, keys, sessions;
};

struct child {
	pid_t pid;
	int master;
	int sync_rd; /* keytime.so's reports, -1 when not used */
	char tail[64];
	size_t out_bytes;
	size_t drawn; /* out_bytes less the cursor shown and hidden (a prompt blinks it while it waits) */
	bool marked;
	bool coming; /* the screen said work is coming ("Working out the ...", "Counting the ...") */
};

/* The bytes of buf that draw something: all but the sequences that only
 * show or hide the cursor. */
static size_t drawn_bytes(const char *buf, size_t n)
{
	static const char *const cursor[] = { "\033[?25l", "\033[?25h", "\033[?12l", "\033[?12h" };
	size_t drawn = n;
	for (size_t i = 0; i + 6 <= n; i++)
		for (size_t k = 0; k < sizeof cursor / sizeof cursor[0]; k++)
			if (memcmp(buf + i, cursor[k], 6) == 0) {
				drawn -= 6;
				i += 5;
				break;
			}
	return drawn;
}

static void spawn(struct child *c, char *const argv[], const char *shim)
{
	int sync[2] = { -1, -1 };
	if (shim && pipe(sync) != 0)
		bench_die("pipe");
	struct winsize ws = { .ws_row = LINES_, .ws_col = COLS_ };
	memset(c, 0, sizeof *c);
	c->pid = forkpty(&c->master, NULL, NULL, &ws);
	if (c->pid < 0)
		bench_die("forkpty: %s", strerror(errno));
	if (c->pid == 0) {
		setenv("TERM", "xterm-256color", 1);
		setenv("LC_ALL", "C.UTF-8", 1);
		setenv("TZ", "UTC", 1);
		unsetenv("LINES");
		unsetenv("COLUMNS");
		setenv("ESCDELAY", "25", 1);
		if (shim) {
			char fd[16];
			close(sync[0]);
			snprintf(fd, sizeof fd, "%d", sync[1]);
			setenv("BENCH_KEYTIME_FD", fd, 1);
			setenv("LD_PRELOAD", shim, 1);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	c->sync_rd = -1;
	if (shim) {
		close(sync[1]);
		c->sync_rd = sync[0];
	}
}

/* Read what the child wrote; false at its end. */
static bool drain(struct child *c, int timeout_ms)
{
	struct pollfd p = { .fd = c->master, .events = POLLIN };
	int r = poll(&p, 1, timeout_ms);
	if (r <= 0)
		return r == 0;
	char buf[65536];
	ssize_t n = read(c->master, buf, sizeof buf);
	if (n <= 0)
		return false;
	c->out_bytes += (size_t)n;
	c->drawn += drawn_bytes(buf, (size_t)n);
	/* look for the marker across reads */
	size_t keep = strlen(c->tail);
	char scan[sizeof c->tail + sizeof buf + 1];
	memcpy(scan, c->tail, keep);
	memcpy(scan + keep, buf, (size_t)n);
	scan[keep + (size_t)n] = '\0';
	for (size_t i = 0; i + 1 < keep + (size_t)n; i++)
		if (scan[i] == '\0')
			scan[i] = ' ';
	if (strstr(scan, MARKER))
		c->marked = true;
	if (strstr(scan, "Working out the") || strstr(scan, "Counting the") || strstr(scan, "counting the"))
		c->coming = true;
	size_t total = keep + (size_t)n, t = total < 16 ? total : 16;
	memcpy(c->tail, scan + total - t, t);
	c->tail[t] = '\0';
	return true;
}

static void wait_marker(struct child *c, int limit_ms)
{
	int64_t end = bench_now_ns() + (int64_t)limit_ms * 1000000;
	while (!c->marked) {
		if (bench_now_ns() > end || !drain(c, 50))
			bench_die("the program never showed a complete screen (no '%s' in %zu bytes)", MARKER,
			          c->out_bytes);
	}
}

/* Let it settle: nothing written for quiet_ms. */
static void wait_quiet(struct child *c, int quiet_ms)
{
	for (;;) {
		size_t before = c->out_bytes;
		if (!drain(c, quiet_ms) || c->out_bytes == before)
			return;
	}
}

static void finish(struct child *c, bool quit_key, struct rusage *ru)
{
	if (quit_key && write(c->master, "q", 1) != 1)
		kill(c->pid, SIGTERM);
	else if (!quit_key)
		kill(c->pid, SIGTERM);
	int64_t end = bench_now_ns() + 10LL * 1000000000;
	int status;
	struct rusage local;
	for (;;) {
		pid_t w = wait4(c->pid, &status, WNOHANG, ru ? ru : &local);
		if (w == c->pid)
			break;
		if (bench_now_ns() > end) {
			kill(c->pid, SIGKILL);
			wait4(c->pid, &status, 0, ru ? ru : &local);
			break;
		}
		drain(c, 10);
	}
	close(c->master);
	if (c->sync_rd >= 0)
		close(c->sync_rd);
}

static void project_argv(const struct opts *o, char **argv)
{
	int a = 0;
	argv[a++] = (char *)o->bin;
	argv[a++] = "--db";
	argv[a++] = (char *)o->db;
	argv[a++] = "--as";
	argv[a++] = (char *)o->as;
	argv[a++] = "--now";
	argv[a++] = (char *)o->now_text;
	argv[a] = NULL;
}

static void raw_argv(const struct opts *o, char **argv)
{
	int a = 0;
	argv[a++] = (char *)o->raw_bin;
	argv[a++] = (char *)o->raw_db;
	argv[a++] = "--now";
	argv[a++] = (char *)o->now_utc;
	argv[a] = NULL;
}

/* ---- first paint ---- */

static double paint_project(const struct opts *o)
{
	char *argv[16];
	project_argv(o, argv);
	struct child c;
	int64_t t0 = bench_now_ns();
	spawn(&c, argv, NULL);
	wait_marker(&c, 60000);
	double ms = bench_ms(bench_now_ns() - t0);
	finish(&c, false, NULL);
	return ms;
}

static double paint_sqlite(const struct opts *o)
{
	static char sql[2048];
	snprintf(sql, sizeof sql,
	         "SELECT r.case_ref, r.lot, r.district, r.hours_minutes / 60.0, r.status, s.login, "
	         "%s / 86400 - coalesce(r.panel_date, r.created_at / 86400) AS waited, p.name, o.rank, "
	         "datetime(o.deadline_at, 'unixepoch') "
	         "FROM referral r INDEXED BY raw_referral_waiting LEFT JOIN staff s ON s.id = r.holder_id "
	         "LEFT JOIN offer o ON o.id = (SELECT x.id FROM offer x WHERE x.referral_id = r.id "
	         "  AND x.status IN ('sent','info_requested') ORDER BY x.deadline_at, x.id LIMIT 1) "
	         "LEFT JOIN provider p ON p.id = o.provider_id "
	         "WHERE r.status IN ('new','ready','searching','exhausted','spot_requested','paused') "
	         "ORDER BY waited DESC, r.id LIMIT 50",
	         o->now_utc);
	char *argv[] = { "/usr/bin/sqlite3", "-readonly", "-column", (char *)o->raw_db, sql, NULL };
	struct child c;
	int64_t t0 = bench_now_ns();
	spawn(&c, argv, NULL);
	while (drain(&c, 10000))
		;
	int status;
	waitpid(c.pid, &status, 0);
	double ms = bench_ms(bench_now_ns() - t0);
	close(c.master);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || c.out_bytes < 1000)
		bench_die("sqlite3 failed (%zu bytes of output)", c.out_bytes);
	return ms;
}

static void fig_first_paint(const struct opts *o)
{
	double p[200], r[200];
	paint_project(o); /* warm the page cache for both */
	paint_sqlite(o);
	for (int i = 0; i < o->reps; i++) {
		if (i % 2 == 0) {
			p[i] = paint_project(o);
			r[i] = paint_sqlite(o);
		} else {
			r[i] = paint_sqlite(o);
			p[i] = paint_project(o);
		}
	}
	char note[128];
	snprintf(note, sizeof note, "median of %d, alternating; as %s, 200x60 pty", o->reps, o->as);
	bench_figure("first_paint", bench_median(p, o->reps), bench_median(r, o->reps), "ms", note);
}

/* ---- keys ---- */

static const char pattern[] = "jjjj ";

/* One session: open, settle, type n keys each waiting for its update. */
static int key_session(const struct opts *o, bool project, int n, double *out, struct rusage *ru, bool to_end)
{
	char *argv[16];
	if (project)
		project_argv(o, argv);
	else
		raw_argv(o, argv);
	struct child c;
	spawn(&c, argv, o->shim);
	wait_marker(&c, 60000);
	wait_quiet(&c, 300);
	int got = 0;
	for (int i = 0; i < n; i++) {
		char k = to_end ? ' ' : pattern[i % (sizeof pattern - 1)];
		if (to_end && i == n - 1)
			k = 'G';
		if (write(c.master, &k, 1) != 1)
			bench_die("typing failed");
		int64_t end = bench_now_ns() + 5LL * 1000000000;
		for (;;) {
			struct pollfd p[2] = { { .fd = c.sync_rd, .events = POLLIN },
				               { .fd = c.master, .events = POLLIN } };
			if (poll(p, 2, 100) < 0 && errno != EINTR)
				bench_die("poll");
			if (p[1].revents)
				drain(&c, 0);
			if (p[0].revents & POLLIN) {
				int64_t dt;
				if (read(c.sync_rd, &dt, sizeof dt) == (ssize_t)sizeof dt && out)
					out[got] = (double)dt / 1e6;
				got++;
				break;
			}
			if (bench_now_ns() > end)
				bench_die("no screen update for key %d in 5 s", i);
		}
	}
	wait_quiet(&c, 100);
	finish(&c, true, ru);
	return got;
}

static void fig_keys(const struct opts *o)
{
	int n = o->keys, s = o->sessions;
	double *p = calloc((size_t)(n * s), sizeof *p), *r = calloc((size_t)(n * s), sizeof *r);
	if (!p || !r)
		bench_die("out of memory");
	int np = 0, nr = 0;
	for (int i = 0; i < s; i++) {
		if (i % 2 == 0) {
			np += key_session(o, true, n, p + np, NULL, false);
			nr += key_session(o, false, n, r + nr, NULL, false);
		} else {
			nr += key_session(o, false, n, r + nr, NULL, false);
			np += key_session(o, true, n, p + np, NULL, false);
		}
	}
	double pm = bench_median(p, np), rm = bench_median(r, nr);
	double p99 = bench_percentile(p, np, 99), r99 = bench_percentile(r, nr, 99);
	char note[200];
	snprintf(note, sizeof note,
	         "p99 of %d keys in %d sessions each, alternating (medians %.3f vs %.3f ms); 'jjjj Space'", np, s, pm,
	         rm);
	bench_figure("keystroke_repaint", p99, r99, "ms", note);
	free(p);
	free(r);
}

/* ---- the slowest key of a walk ---- */

/* A walk through the workstation as a team leader might take it, a key
 * (or a text typed into a prompt) a step, each timed from being sent to
 * the screen settling: the first byte drawn, waited for up to
 * WALK_FIRST_MS, then the last one written before WALK_QUIET_MS of quiet,
 * so work done before the first repaint and after it both count (and when
 * the screen says its figures are coming, "Working out the ..." or
 * "Counting the ...", the wait for the next drawing is up to
 * WALK_COMING_MS: deferred work counts however long it takes). Steps
 * without a name are not timed (moving in a list, typing into a prompt);
 * they are sent and let settle all the same. Keys are sent as xterm sends
 * them in the keypad mode ncurses asks for (Down is ESC O B). */
#define WALK_QUIET_MS 400
#define WALK_FIRST_MS 10000
#define WALK_COMING_MS 10000 /* after "Working out the ...": the figures it promises */
#define DOWN "\033OB"        /* as xterm sends it in keypad mode (ncurses asks for that mode) */
#define ESC "\033"
#define F2 "\033OQ"

static const struct step {
	const char *name, *keys;
} walk[] = {
	{ "1 My referrals", "1" },
	{ "2 Waiting list", "2" },
	{ "3 Approvals", "3" },
	{ "4 Providers", "4" },
	{ "5 Reports", "5" },
	{ "6 Audit", "6" },
	{ "1 back to My referrals", "1" },
	{ "a everyone's referrals", "a" },
	{ "Enter open a referral", "\r" },
	{ "q back to the list", "q" },
	{ "2 Waiting list again", "2" },
	{ "T trend", "T" },
	{ "q back from the trend", "q" },
	{ NULL, ":" },
	{ NULL, "report waiting" },
	{ ":report waiting Enter", "\r" },
	{ "q back from the report", "q" },
	{ NULL, "5" },
	{ NULL, DOWN },
	{ NULL, DOWN },
	{ "Enter response report's form", "\r" },
	{ "F2 the response report", F2 },
	{ "q back to its form", "q" },
	{ NULL, ESC },
	{ "2 Waiting list, third time", "2" },
	{ "o sort: the columns", "o" },
	{ NULL, DOWN },
	{ "Enter sort by the next column", "\r" },
	{ "f filter: what by", "f" },
	{ "Enter filter: the lots", "\r" },
	{ NULL, DOWN },
	{ "Enter filter by lot 1", "\r" },
	{ NULL, "/" },
	{ NULL, "Care" },
	{ "/ search Enter", "\r" },
};
#define N_WALK (int)(sizeof walk / sizeof walk[0])

/* Send keys; milliseconds until the screen settled: the first byte drawn
 * (waited for up to WALK_FIRST_MS: work done before any repaint counts),
 * then the last one before WALK_QUIET_MS of quiet. 0: nothing drawn. */
static double walk_key(struct child *c, const char *keys)
{
	size_t n = strlen(keys);
	c->coming = false;
	int64_t t0 = bench_now_ns(), last = 0;
	if (write(c->master, keys, n) != (ssize_t)n)
		bench_die("typing failed");
	int64_t give_up = t0 + 30LL * 1000000000;
	int64_t wait_ms = WALK_FIRST_MS;
	for (;;) {
		size_t before = c->drawn;
		int64_t quiet_end = bench_now_ns() + wait_ms * 1000000;
		while (c->drawn == before && bench_now_ns() < quiet_end)
			if (!drain(c, 20))
				bench_die("the program ended during the walk");
		if (c->drawn == before)
			break;
		last = bench_now_ns();
		/* a screen that says its figures are coming is not settled until
		 * they are drawn, however long the quiet before them */
		wait_ms = c->coming ? WALK_COMING_MS : WALK_QUIET_MS;
		c->coming = false;
		if (last > give_up)
			bench_die("the screen never settled after '%s'", keys);
	}
	return last ? bench_ms(last - t0) : 0;
}

static void fig_walk(const struct opts *o)
{
	int reps = o->reps > 15 ? 15 : o->reps;
	double t[N_WALK][15];
	for (int r = 0; r < reps; r++) {
		char *argv[16];
		project_argv(o, argv);
		struct child c;
		spawn(&c, argv, NULL);
		wait_marker(&c, 60000);
		wait_quiet(&c, WALK_QUIET_MS);
		for (int i = 0; i < N_WALK; i++)
			t[i][r] = walk_key(&c, walk[i].keys);
		finish(&c, false, NULL);
	}
	int worst = -1;
	double worst_ms = 0;
	for (int i = 0; i < N_WALK; i++) {
		if (!walk[i].name)
			continue;
		double m = bench_median(t[i], reps);
		bench_note("slowest_key: %-34s %8.1f ms (median of %d walks)", walk[i].name, m, reps);
		if (worst < 0 || m > worst_ms) {
			worst = i;
			worst_ms = m;
		}
	}
	char note[200];
	snprintf(note, sizeof note,
	         "the slowest key of a walk through the workstation (as %s, 200x60 pty, median of %d "
	         "walks, sent to settled): %s",
	         o->as, reps, walk[worst].name);
	bench_figure("slowest_key", worst_ms, -1, "ms", note);
}

/* ---- memory ---- */

static void fig_rss(const struct opts *o)
{
	double p[8], r[8];
	int reps = o->reps > 8 ? 8 : o->reps;
	for (int i = 0; i < reps; i++) {
		struct rusage ru;
		key_session(o, true, o->keys, NULL, &ru, true);
		p[i] = (double)ru.ru_maxrss / 1024.0;
		key_session(o, false, o->keys, NULL, &ru, true);
		r[i] = (double)ru.ru_maxrss / 1024.0;
	}
	char note[160];
	snprintf(note, sizeof note, "peak RSS, median of %d; %d pages down then End, then q", reps, o->keys);
	bench_figure("rss_browse", bench_median(p, reps), bench_median(r, reps), "MB", note);
}

int main(int argc, char **argv)
{
	struct opts o = { .as = "tina", .reps = 7, .keys = 600, .sessions = 3 };
	if (argc < 2)
		bench_die("usage: bench_tui first_paint|keys|walk|rss --bin B --db DB --now T --raw-db RAW [...]");
	o.mode = argv[1];
	for (int i = 2; i + 1 < argc; i += 2) {
		const char *k = argv[i], *v = argv[i + 1];
		if (strcmp(k, "--bin") == 0)
			o.bin = v;
		else if (strcmp(k, "--db") == 0)
			o.db = v;
		else if (strcmp(k, "--as") == 0)
			o.as = v;
		else if (strcmp(k, "--now") == 0)
			o.now_text = v;
		else if (strcmp(k, "--now-utc") == 0)
			o.now_utc = v;
		else if (strcmp(k, "--raw-db") == 0)
			o.raw_db = v;
		else if (strcmp(k, "--raw-bin") == 0)
			o.raw_bin = v;
		else if (strcmp(k, "--shim") == 0)
			o.shim = v;
		else if (strcmp(k, "--reps") == 0)
			o.reps = atoi(v);
		else if (strcmp(k, "--keys") == 0)
			o.keys = atoi(v);
		else if (strcmp(k, "--sessions") == 0)
			o.sessions = atoi(v);
		else
			bench_die("unknown option %s", k);
	}
	if (!o.bin || !o.db || !o.now_text || !o.raw_db || !o.now_utc)
		bench_die("--bin, --db, --now, --now-utc and --raw-db are needed");
	if (o.reps < 1 || o.reps > 200)
		bench_die("--reps from 1 to 200");
	signal(SIGPIPE, SIG_IGN);
	if (strcmp(o.mode, "first_paint") == 0)
		fig_first_paint(&o);
	else if (strcmp(o.mode, "walk") == 0)
		fig_walk(&o);
	else if (strcmp(o.mode, "keys") == 0) {
		if (!o.raw_bin || !o.shim)
			bench_die("keys needs --raw-bin and --shim");
		fig_keys(&o);
	} else if (strcmp(o.mode, "rss") == 0) {
		if (!o.raw_bin || !o.shim)
			bench_die("rss needs --raw-bin and --shim");
		fig_rss(&o);
	} else
		bench_die("unknown mode %s", o.mode);
	return 0;
}
