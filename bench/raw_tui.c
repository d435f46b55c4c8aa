/* bench_raw_tui: the waiting list drawn with plain ncurses, the baseline for
 * first_paint, keystroke_repaint and rss_browse. It loads every waiting
 * row with one query (the raw database's index), orders them by time
 * waited, and draws the rows in the window with the same columns as the
 * workstation; j/k move a line, Space/- a page, g/G the ends, q quits.
 *
 *   bench_raw_tui RAW.db --now TIME(UTC seconds)
 */
#include <curses.h>
#include <locale.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct row {
	int64_t id, deadline;
	int lot, hours, rank, panel;
	char case_ref[33], district[24], status[16], holder[24], provider[48];
};

static struct row *rows;
static int n_rows;

static int by_waited(const void *pa, const void *pb)
{
	const struct row *a = pa, *b = pb;
	if (a->panel != b->panel)
		return a->panel < b->panel ? -1 : 1;
	return (a->id > b->id) - (a->id < b->id);
}

static void copy(char *dst, size_t len, const unsigned char *src)
{
	snprintf(dst, len, "%s", src ? (const char *)src : "");
}

static void load(const char *path, int64_t now)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		exit(1);
	const char *sql =
		"SELECT r.id, r.case_ref, r.lot, r.district, r.hours_minutes, r.status, s.login, "
		"coalesce(r.panel_date, r.created_at / 86400), p.name, o.rank, o.deadline_at "
		"FROM referral r INDEXED BY raw_referral_waiting LEFT JOIN staff s ON s.id = r.holder_id "
		"LEFT JOIN offer o ON o.id = (SELECT x.id FROM offer x WHERE x.referral_id = r.id "
		"  AND x.status IN ('sent','info_requested') ORDER BY x.deadline_at, x.id LIMIT 1) "
		"LEFT JOIN provider p ON p.id = o.provider_id "
		"WHERE r.status IN ('new','ready','searching','exhausted','spot_requested','paused') ORDER BY r.id";
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		exit(1);
	int cap = 0;
	while (sqlite3_step(s) == SQLITE_ROW) {
		if (n_rows == cap) {
			cap = cap ? cap * 2 : 512;
			rows = realloc(rows, (size_t)cap * sizeof *rows);
			if (!rows)
				exit(1);
		}
		struct row *r = &rows[n_rows++];
		r->id = sqlite3_column_int64(s, 0);
		copy(r->case_ref, sizeof r->case_ref, sqlite3_column_text(s, 1));
		r->lot = sqlite3_column_int(s, 2);
		copy(r->district, sizeof r->district, sqlite3_column_text(s, 3));
		r->hours = sqlite3_column_int(s, 4);
		copy(r->status, sizeof r->status, sqlite3_column_text(s, 5));
		copy(r->holder, sizeof r->holder, sqlite3_column_text(s, 6));
		r->panel = sqlite3_column_int(s, 7);
		copy(r->provider, sizeof r->provider, sqlite3_column_text(s, 8));
		r->rank = sqlite3_column_int(s, 9);
		r->deadline = sqlite3_column_int64(s, 10);
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
	qsort(rows, (size_t)n_rows, sizeof *rows, by_waited);
	(void)now;
}

static void draw(int top, int cursor, int64_t now, const char *clock)
{
	int today = (int)(now / 86400);
	erase();
	attron(A_REVERSE);
	mvprintw(0, 0, "%-*s", COLS, " 1 My referrals  2 Waiting list  3 Approvals  4 Providers  5 Reports  6 Audit");
	attroff(A_REVERSE);
	mvprintw(1, 1, "Waiting list: %d not yet sourced, by time waited, descending", n_rows);
	attron(A_BOLD);
	mvprintw(3, 0, "     %-12s %3s %-7s %5s %-9s %-10s %-9s %-40s %s", "CASE", "LOT", "AREA", "HOURS", "STATUS",
	         "HOLDER", "WAITED", "STEP: PROVIDER, RANK", "DEADLINE");
	attroff(A_BOLD);
	int visible = LINES - 6;
	for (int i = 0; i < visible && top + i < n_rows; i++) {
		const struct row *r = &rows[top + i];
		char step[64] = "-", deadline[32] = "-";
		if (r->provider[0])
			snprintf(step, sizeof step, "%s, %d", r->provider, r->rank);
		if (r->deadline) {
			time_t t = (time_t)r->deadline;
			struct tm tm;
			gmtime_r(&t, &tm);
			strftime(deadline, sizeof deadline, "%a %d %b %H:%M", &tm);
		}
		if (top + i == cursor)
			attron(A_REVERSE);
		mvprintw(4 + i, 0, "     %-12s %3d %-7s %5d %-9s %-10s %6dd   %-40s %s", r->case_ref, r->lot,
		         r->district, r->hours / 60, r->status, r->holder, today - r->panel, step, deadline);
		if (top + i == cursor)
			attroff(A_REVERSE);
	}
	attron(A_REVERSE);
	mvprintw(LINES - 2, 0, "%-*s", COLS, " Enter open  o sort  f filter  / search  ? help  q quit");
	attroff(A_REVERSE);
	mvprintw(LINES - 1, COLS - (int)strlen(clock) - 1, "%s", clock);
}

int main(int argc, char **argv)
{
	if (argc < 4 || strcmp(argv[2], "--now") != 0) {
		fprintf(stderr, "usage: bench_raw_tui RAW.db --now UTC_SECONDS\n");
		return 2;
	}
	int64_t now = strtoll(argv[3], NULL, 10);
	setlocale(LC_ALL, "");
	initscr();
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	timeout(250);
	mvprintw(2, 1, "Loading...");
	refresh();
	load(argv[1], now);
	char clock[64];
	time_t t = (time_t)now;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(clock, sizeof clock - 8, "%a %d %b %Y %H:%M", &tm);
	strcat(clock, " (fixed)");
	int top = 0, cursor = 0;
	for (;;) {
		int visible = LINES - 6;
		if (cursor >= n_rows)
			cursor = n_rows - 1;
		if (cursor < 0)
			cursor = 0;
		if (cursor < top)
			top = cursor;
		if (cursor >= top + visible)
			top = cursor - visible + 1;
		draw(top, cursor, now, clock);
		refresh();
		wint_t wc;
		int k = get_wch(&wc);
		if (k == ERR)
			continue;
		if (wc == 'q')
			break;
		if (wc == 'j' || (k == KEY_CODE_YES && wc == KEY_DOWN))
			cursor++;
		else if (wc == 'k' || (k == KEY_CODE_YES && wc == KEY_UP))
			cursor--;
		else if (wc == ' ' || (k == KEY_CODE_YES && wc == KEY_NPAGE))
			cursor += visible - 1;
		else if (wc == '-' || (k == KEY_CODE_YES && wc == KEY_PPAGE))
			cursor -= visible - 1;
		else if (wc == 'g')
			cursor = 0;
		else if (wc == 'G')
			cursor = n_rows - 1;
	}
	endwin();
	free(rows);
	return 0;
}
