/* Private to tui/: the workstation. The main loop (app.c) knows screens
 * only through their ops tables and keys only through the action list in
 * actions.def, from which the key lookup, the help screen and the status
 * line hints are all made (keymap.c). */
#ifndef BK_TUI_H
#define BK_TUI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/brokerage.h"
#include "core/describe.h"
#include "tui/workstation.h"

/* ---- screens ----
 * One line per screen: id, title, tab key (0 when not a tab), ops table.
 * Adding a screen is one screen_*.c with its ops table and one line here. */
#define TUI_SCREENS(X)                                       \
	X(MINE, "My referrals", '1', screen_mine_ops)        \
	X(WAITING, "Waiting list", '2', screen_waiting_ops)  \
	X(APPROVALS, "Approvals", '3', screen_approvals_ops) \
	X(PROVIDERS, "Providers", '4', screen_providers_ops) \
	X(REPORTS, "Reports", '5', screen_reports_ops)       \
	X(AUDIT, "Audit", '6', screen_audit_ops)             \
	X(INBOX, "Inbox", '7', screen_inbox_ops)             \
	X(CHASE, "Chase", '8', screen_chase_ops)             \
	X(DETAIL, "Referral", 0, screen_detail_ops)          \
	X(TREND, "Waiting trend", 0, screen_trend_ops)       \
	X(RANKINGS, "Rankings", 0, screen_rankings_ops)      \
	X(REPORT, "Report table", 0, screen_report_ops)      \
	X(FORM, "Form", 0, screen_form_ops)                  \
	X(HELP, "Help", 0, screen_help_ops)                  \
	X(OUTPUT, "Command output", 0, screen_output_ops)

enum screen_id {
#define X(id, title, tab, ops) SCR_##id,
	TUI_SCREENS(X)
#undef X
		SCR_COUNT
};

/* Screen sets, as bits, for the action list. */
#define SM(id) (1u << SCR_##id)
#define SM_TABS \
	(SM(MINE) | SM(WAITING) | SM(APPROVALS) | SM(PROVIDERS) | SM(REPORTS) | SM(AUDIT) | SM(INBOX) | SM(CHASE))
#define SM_VIEWS (SM_TABS | SM(DETAIL) | SM(HELP) | SM(OUTPUT) | SM(TREND) | SM(RANKINGS) | SM(REPORT))
#define SM_ALL (SM_VIEWS | SM(FORM))
#define SM_REFERRAL (SM(MINE) | SM(DETAIL))

struct tui;
struct screen;
struct referral_ref;

struct screen_ops {
	enum screen_id id;
	/* Make the state and load the first rows; arg is screen specific.
	 * Returns false (with a message set) when the screen cannot open. */
	bool (*open)(struct tui *t, struct screen *s, void *arg);
	void (*close)(struct screen *s);
	/* The data changed: load again, keeping the cursor on the same thing. */
	void (*reload)(struct tui *t, struct screen *s);
	/* Draw the body: rows y .. y+h-1, the full width. */
	void (*draw)(struct tui *t, struct screen *s, int y, int h);
	/* How many rows the cursor moves over; 0 for a view without rows. */
	int (*rows)(const struct screen *s);
	/* Does row match the search text (case-insensitive)? May be NULL. */
	bool (*matches)(const struct screen *s, int row, const char *needle);
	/* Keys before the action list (typing in a form); true when used. */
	bool (*input)(struct tui *t, struct screen *s, int key);
	/* The line under the tabs: what this screen shows now. */
	void (*context)(struct tui *t, const struct screen *s, char *buf, size_t len);
	/* Unsaved typing that q or Esc would lose. May be NULL. */
	bool (*dirty)(const struct screen *s);
	/* The referral under the cursor, for the referral keys. May be NULL. */
	bool (*referral)(const struct screen *s, struct referral_ref *out);
	/* Rows still to load once the first screenful is shown (a long list
	 * shows its first page at once, then loads the rest). Returns true
	 * when it loaded something. May be NULL. */
	bool (*more)(struct tui *t, struct screen *s);
	bool cursor_rows; /* a highlighted row (lists) rather than a scrolled page */
};

#define X(id, title, tab, ops) extern const struct screen_ops ops;
TUI_SCREENS(X)
#undef X

struct screen_info {
	const char *title;
	int tab;
	const struct screen_ops *ops;
};
extern const struct screen_info tui_screens[SCR_COUNT];

struct screen {
	const struct screen_ops *ops;
	void *st;
	int cursor;  /* the highlighted row, or the first line shown */
	int top;     /* first row shown (lists) */
	int page;    /* rows the last draw showed */
	int hilite;  /* a page's line that matched the search, -1 when none */
	int hscroll; /* columns scrolled right (command output) */
	int row_y;   /* the screen line the list's row `top` was drawn on; 0 when
	              * the screen does not say (a click then selects nothing) */
	bool stale;  /* the data changed while another screen was over this one:
	              * load again before it is shown */
	char title[96];
};

/* ---- keys ----
 * A key is a wide character, or TK_FN + a curses KEY_ code, so the two
 * never collide. */
#define TK_FN 0x200000
#define TK_ESC 27
#define TK_ENTER '\n'
#define TK_CTRL(c) ((c)&0x1f)

/* "j" -> 'j', "Down" -> TK_FN + KEY_DOWN, "C-l" -> 12, "F1" -> TK_FN + KEY_F(1).
 * Returns -1 for an unknown name. */
int key_from_name(const char *name);
bool key_is_fkey(int key);
/* Fold the ways a terminal sends one key (CR and KEY_ENTER -> Enter, ...). */
int key_normalize(int key);

typedef void (*action_fn)(struct tui *t, struct screen *s);

enum action_id {
#define ACTION(id, key, alias, hint, help, screens, handler) id,
#include "tui/actions.def"
#undef ACTION
	ACT_COUNT
};

#define ACTION(id, key, alias, hint, help, screens, handler) void handler(struct tui *t, struct screen *s);
#include "tui/actions.def"
#undef ACTION

struct action {
	enum action_id id;
	const char *key;   /* as the help and the man page show it */
	const char *alias; /* "" when none */
	const char *hint;  /* short word for the status line; "" when not a main key */
	const char *help;
	unsigned screens; /* SM() bits */
	action_fn handler;
};
extern const struct action tui_actions[ACT_COUNT];

/* The action a key runs on a screen, or NULL. */
const struct action *keymap_lookup(enum screen_id screen, int key);
/* The help of one screen: one line per action, "KEY  ALIAS  HELP". Calls
 * fn for each; returns how many. */
typedef void (*keymap_line_fn)(void *ud, const struct action *a, const char *line);
int keymap_help(enum screen_id screen, keymap_line_fn fn, void *ud);
/* The main keys of a screen for the status line: "Enter open  s send ...". */
void keymap_hints(enum screen_id screen, char *buf, size_t len);
/* Role rules shown, not only enforced: once a role is set (the user's),
 * help and hints leave out the actions it may not use (PERMIT lines in
 * actions.def). -1, the default, shows every action. */
void keymap_set_role(int role);
/* Actions that do nothing where they would be offered (s on a referral
 * that cannot be sent) are left out of the help and the hints: fn says,
 * for the screen on top, whether a does something. NULL: all are offered. */
typedef bool (*keymap_offered_fn)(void *ud, const struct action *a);
void keymap_set_offered(keymap_offered_fn fn, void *ud);
/* May role use action a? When not, *why names the roles that may. */
bool keymap_permitted(const struct action *a, enum bk_role role, const char **why);

/* ---- RAG (core/workflow.h says what it means) ---- */
const char *rag_marker(enum rag r); /* "[R]", "[A]", "[G]", "   " */

/* ---- drawing (draw.c) ---- */
enum tui_look {
	LOOK_NORMAL,
	LOOK_BAR,
	LOOK_TAB,
	LOOK_TAB_CUR,
	LOOK_HEAD,
	LOOK_SELECT,
	LOOK_TITLE,
	LOOK_DIM,
	LOOK_RED,
	LOOK_AMBER,
	LOOK_GREEN,
	LOOK_ERROR,
	LOOK_OK,
	LOOK_KEY,
	LOOK_MATCH,
	LOOK_FIELD,
	LOOK_FIELD_CUR,
	LOOK_COUNT
};
void draw_init_colours(bool no_color);
void draw_set_ascii(bool ascii);
/* User text as it is drawn: escapes, controls and bidi overrides removed. */
void draw_clean(const char *in, char *out, size_t len);
int draw_attr(enum tui_look look);
enum tui_look draw_rag_look(enum rag r);
/* Display width of text (UTF-8 in a UTF-8 locale). */
int text_width(const char *s);
/* Copy s into out cut or padded to exactly width columns; right aligns.
 * Cut text ends with '~' so a reader knows. */
void text_fit(const char *s, int width, bool right, char *out, size_t outlen);
/* Draw text at y,x in at most width columns (padded when pad), always
 * sanitised first: user text can never move the cursor or clear. Returns
 * the columns used. */
int draw_text(int y, int x, int width, const char *text, int attr, bool pad);
/* Text fitted to exactly width columns as text_fit fits it (cut with '~',
 * right aligned when right), drawn in attr: a cell of a list. */
void draw_cell(int y, int x, int width, const char *text, bool right, int attr);
/* A list row's RAG in 3 columns: a coloured block with its letter, or
 * [R]/[A]/[G] in base without colour; blank in base when none. */
void draw_rag(int y, int x, enum rag r, int base);
/* A provider, cut to fit, and its rank of those ranked ("Acme Care 2/5"),
 * in width columns at most. */
void provider_rank_text(const char *provider, int rank, int ranked, int width, char *out, size_t len);
/* A line of width columns filled with attr. */
void draw_fill(int y, int x, int width, int attr);
void draw_hline(int y, int x, int width, bool ascii);
void draw_box(int y, int x, int h, int w, bool ascii, int attr);

/* An instant in the configured zone, short enough for a list column. */
enum when_style {
	WHEN_NUMERIC, /* "02/03 10:00" */
	WHEN_SHORT,   /* "2 Mar 10:00" */
	WHEN_DAY,     /* "Mon 2 Mar 10:00" */
	WHEN_YEAR,    /* "2 Mar 26 10:00" */
};
void when_format(int64_t t, enum when_style style, char *buf, size_t len);

/* A page of text lines: details, help, command output. */
struct tline {
	char *text;
	enum tui_look look;
};
struct textview {
	struct tline *v;
	int n, cap;
};
void tv_clear(struct textview *tv);
void tv_add(struct textview *tv, enum tui_look look, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Add text wrapped at width columns; continuation lines are indented. */
void tv_add_wrapped(struct textview *tv, enum tui_look look, int width, int indent, const char *text);
void tv_draw(const struct textview *tv, int first, int y, int h, int hilite, int hscroll);
bool tv_matches(const struct textview *tv, int row, const char *needle);
bool text_contains(const char *hay, const char *needle); /* case-insensitive */
/* Copy src (NULL: "") into dst of len bytes, cut on a character boundary. */
void str_copy(char *dst, size_t len, const char *src);

/* ---- line editing (form.c) ---- */
struct lineedit {
	char *buf; /* UTF-8, NUL-terminated */
	size_t cap;
	size_t cur; /* byte offset of the cursor */
};
/* Apply a key; true when it was an editing key. */
bool le_key(struct lineedit *le, int key);
/* Draw in width columns at y,x, scrolled so the cursor shows; returns the
 * column of the cursor. */
int le_draw(const struct lineedit *le, int y, int x, int width, int attr);

/* ---- forms (form.c) ---- */
#define FORM_MAX_FIELDS 12
#define FORM_VALUE_MAX 2048
enum field_kind { FIELD_TEXT, FIELD_CHOICE, FIELD_CHECK };
struct form_field {
	const char *label;
	const char *check; /* bk_validate_field name, or NULL */
	const char *hint;  /* shown after the field */
	enum field_kind kind;
	bool required;
	char value[FORM_VALUE_MAX];
	size_t cur;
	const char *choices[BK_MAX_DISTRICTS + 1];
	char choice_text[BK_MAX_DISTRICTS + 1][80];
	int n_choices, choice;
	bool on;                       /* FIELD_CHECK */
	char original[FORM_VALUE_MAX]; /* as opened, to tell what changed */
	/* A check of the screen's own (after required, before check); NULL when none. */
	bool (*own_check)(struct tui *t, const char *value, char *err, size_t len);
	char error[320];
	bool visited;
};
struct form;
/* Save the form: true when done (the form closes); else set f->message. */
typedef bool (*form_submit_fn)(struct tui *t, struct form *f);
struct form {
	char title[128];
	char intro[256];
	struct form_field field[FORM_MAX_FIELDS];
	int n, focus;
	bool dirty;
	char message[1024];
	form_submit_fn submit;
	int64_t referral_id, version;
	void *data; /* the screen's own (e.g. the full names behind a choice), freed with the form */
};
struct form *form_create(const char *title, form_submit_fn submit);
struct form_field *form_add(struct form *f, enum field_kind kind, const char *label, const char *check,
                            const char *hint, bool required);
void form_choice(struct form_field *ff, const char *choice);
void form_set(struct form_field *ff, const char *value);
/* Check every field; true when all are good. */
bool form_validate(struct tui *t, struct form *f);
const char *form_value(const struct form *f, int i);
/* The form as a pushed screen; the screen owns f. */
bool form_open(struct tui *t, struct form *f);
/* The end of a form's submit (screen_forms.c): when st is BK_OK the result
 * is shown and the screens reload, true (the form closes); else the form
 * says refused and why ("Not saved: ..."), false. */
bool form_saved(struct tui *t, struct form *f, enum bk_status st, const char *refused);

/* ---- the application (app.c) ---- */
struct tui {
	struct tui_start start;
	struct bk_ctx *ctx;
	bool ascii;
	bool test_clock; /* --now: the clock stands still */
	struct screen stack[8];
	int depth;
	char msg[1024];
	bool msg_error;
	char last_msg[1024];                 /* the last message set, for M (act_last_message) */
	int64_t offered_id, offered_version; /* the referral the hints were last worked out for */
	int offered_screen;                  /* on which screen */
	bool offered_send;                   /* and whether s does something for it */
	bool quit;
	bool redraw;
	bool too_small;
	int64_t data_version;
	int64_t last_live_reload; /* ms, monotonic: when another's change was last loaded */
	int64_t last_sweep;       /* monotonic seconds */
	char search[128];
	bool who_on_context; /* the tabs left no room for the user's name */
	bool db_on_status;   /* nor the context line for the database */
	int64_t open_after;  /* a referral to open once the form closes */
};

/* Set the status message (sanitised when drawn). */
void tui_message(struct tui *t, bool error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The result of a core action: ok -> message, else the refusal in words. */
void tui_result(struct tui *t, enum bk_status st);
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

/* Screens reached from others. */
struct detail_arg {
	int64_t referral_id;
};
/* The rankings of one lot and district (screen_providers.c). */
struct rankings_arg {
	int lot;
	char district[64];
};
struct text_arg {
	const char *title;
	const char *text; /* lines separated by '\n' */
	enum screen_id help_for;
};
/* `report NAME [--on D] [--from D] ...` typed at the : prompt (words, n):
 * the report's table on the Report table screen (screen_reports.c), worked
 * out once the screen says it is coming. False when the words ask for
 * something the screen does not do (--csv, --json, an unknown report or
 * option): the command then runs as typed. */
bool tui_report_command(struct tui *t, char *const *words, int n);

/* Referral actions shared by the list and the detail (screen_detail.c):
 * the referral and the version the screen showed. */
struct referral_ref {
	int64_t id;
	int64_t version;
};
/* The referral under the cursor of s; false when none. */
bool screen_referral(struct screen *s, struct referral_ref *out);
/* Keep the cursor in range and on screen, given the rows shown. */
void screen_scroll(struct screen *s, int visible);

/* ---- lists: every list screen is a spec on the one list view (listview.h) ---- */

/* The mouse, where the terminal has one: a click on a tab opens it, a click
 * on a list's row selects it, the wheel moves as Up and Down do. */
/* The tab drawn at column x of the top line of a cols-wide screen, or
 * SCR_COUNT where there is none. */
enum screen_id tui_tab_at(int x, int cols);
/* The row of the list s drawn on screen line y, or -1 (not a row of it). */
int screen_row_at(const struct screen *s, int y);

/* Split a command line into words, honouring quotes and backslashes.
 * Returns the count, or -1 with why set (unbalanced quote, too many). */
int split_words(const char *line, char *store, size_t storelen, char **words, int max, const char **why);

#endif
