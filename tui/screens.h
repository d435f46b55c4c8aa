/* The screens of the workstation: their ids (one line each in
 * TUI_SCREENS), their ops tables, the state app.c keeps of each on its
 * stack, and what one screen hands another when it opens it. The main loop
 * knows screens only through these. */
#ifndef BK_TUI_SCREENS_H
#define BK_TUI_SCREENS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* X(id, title, short title for a narrow top line, tab key (0: not a tab), ops):
 * adding a screen is one screen_*.c with its ops table and one line here. */
#define TUI_SCREENS(X)                                                    \
	X(MINE, "My referrals", "Mine", '1', screen_mine_ops)             \
	X(WAITING, "Waiting list", "Waiting", '2', screen_waiting_ops)    \
	X(APPROVALS, "Approvals", "Approvals", '3', screen_approvals_ops) \
	X(PROVIDERS, "Providers", "Providers", '4', screen_providers_ops) \
	X(REPORTS, "Reports", "Reports", '5', screen_reports_ops)         \
	X(AUDIT, "Audit", "Audit", '6', screen_audit_ops)                 \
	X(INBOX, "Inbox", "Inbox", '7', screen_inbox_ops)                 \
	X(CHASE, "Chase", "Chase", '8', screen_chase_ops)                 \
	X(DETAIL, "Referral", "Referral", 0, screen_detail_ops)           \
	X(TREND, "Waiting trend", "Trend", 0, screen_trend_ops)           \
	X(RANKINGS, "Rankings", "Rankings", 0, screen_rankings_ops)       \
	X(REPORT, "Report table", "Report", 0, screen_report_ops)         \
	X(FORM, "Form", "Form", 0, screen_form_ops)                       \
	X(HELP, "Help", "Help", 0, screen_help_ops)                       \
	X(OUTPUT, "Command output", "Output", 0, screen_output_ops)

enum screen_id {
#define X(id, title, short_title, tab, ops) SCR_##id,
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
	/* The line under the tabs: what this screen shows now (every screen has one). */
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

#define X(id, title, short_title, tab, ops) extern const struct screen_ops ops;
TUI_SCREENS(X)
#undef X

struct screen_info {
	const char *title;
	const char *short_title; /* the tab's name where the whole ones do not fit */
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
/* Referral actions shared by the list and the detail (screen_detail.c):
 * the referral and the version the screen showed. */
struct referral_ref {
	int64_t id;
	int64_t version;
};
/* The referral under the cursor of s; false when none. */
bool screen_referral(struct screen *s, struct referral_ref *out);
/* A referral key (screen_detail.c): fn is given the referral under the
 * cursor of s as it is now (for the confirmations and forms) and the version
 * the screen showed (for the action); a message when there is none. */
struct bk_referral_view;
typedef void (*referral_key_fn)(struct tui *t, struct referral_ref ref, const struct bk_referral_view *v);
void referral_key(struct tui *t, struct screen *s, referral_key_fn fn);
/* Keep the cursor in range and on screen, given the rows shown. */
void screen_scroll(struct screen *s, int visible);

/* The mouse, where the terminal has one: a click on a tab opens it, a click
 * on a list's row selects it, the wheel moves as Up and Down do. */
/* The tab drawn at column x of the top line of a cols-wide screen, or
 * SCR_COUNT where there is none. */
enum screen_id tui_tab_at(int x, int cols);
/* The row of the list s drawn on screen line y, or -1 (not a row of it). */
int screen_row_at(const struct screen *s, int y);

#endif
