/* The application (app.c): the workstation's state, the messages, the
 * stack of screens, keys from the terminal, and the modal dialogs over the
 * screen (dialogs.c). */
#ifndef BK_TUI_APP_H
#define BK_TUI_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/brokerage.h"
#include "tui/screens.h"
#include "tui/workstation.h"

struct tui {
	struct tui_start start;
	struct bk_ctx *ctx;
	bool ascii;
	struct screen stack[8];
	int depth;
	char msg[1024];
	bool msg_error;
	char last_msg[1024];                 /* the last message set, for M (act_last_message) */
	int64_t offered_id, offered_version; /* the referral the hints were last worked out for */
	int offered_screen;                  /* on which screen */
	bool offered_send, offered_spot;     /* and whether s, x do something for it */
	bool quit;
	bool redraw;
	bool too_small;
	int64_t data_version;
	int64_t last_live_reload; /* ms, monotonic: when another's change was last loaded */
	int64_t last_sweep;       /* ms, monotonic */
	char search[128];
};

/* Set the status message (sanitised when drawn). */
void tui_message(struct tui *t, bool error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The result of a core action: ok -> message, else the refusal in words. */
void tui_result(struct tui *t, enum bk_status st);
/* The same after an action, and every screen loaded again. */
void tui_done(struct tui *t, enum bk_status st);
/* Bring ctx->now up to date (real clock only). */
void tui_clock(struct tui *t);
/* Push a screen on top; false (message set) when it would not open. */
bool tui_push(struct tui *t, enum screen_id id, void *arg);
void tui_pop(struct tui *t);
struct screen *tui_top(struct tui *t);
/* Reload every screen after an action of ours. */
void tui_reload_all(struct tui *t);
void tui_draw(struct tui *t);

/* A key from the terminal (TK_FN + a curses code for a function key), or
 * -1 when none came within the poll time (dialogs.c). */
int tui_read_key(void);
/* A signal asked the program to stop (app.c). */
bool tui_interrupted(void);

/* Modal dialogs over the current screen (dialogs.c). */
bool tui_confirm(struct tui *t, const char *title, const char *const *lines, int n);
/* Choose one of items; returns its index or -1. A letter or digit jumps
 * to the next item starting with it. */
int tui_choose(struct tui *t, const char *title, const char *const *items, int n, int initial);
/* The item a typed key jumps to from cur: the next (wrapping) whose first
 * letter or digit is key, case ignored; -1 when none or not a letter. */
int choose_jump(const char *const *items, int n, int cur, int key);
/* Ask for a line of text; false when cancelled. check (may be NULL) is a
 * bk_validate_field name; required refuses an empty answer. */
bool tui_prompt(struct tui *t, const char *title, const char *label, const char *check, bool required, char *buf,
                size_t len);

/* `report NAME [--on D] [--from D] ...` typed at the : prompt (words, n):
 * the report's table on the Report table screen (screen_reports.c), worked
 * out once the screen says it is coming. False when the words ask for
 * something the screen does not do (--csv, --json, an unknown report or
 * option): the command then runs as typed. */
bool tui_report_command(struct tui *t, char *const *words, int n);

/* Split a command line into words, honouring quotes and backslashes.
 * Returns the count, or -1 with why set (unbalanced quote, too many). */
int split_words(const char *line, char *store, size_t storelen, char **words, int max, const char **why);

#endif
