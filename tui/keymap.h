/* Keys as numbers, and the actions of actions.def, from which the key
 * lookup, the help screen and the status line hints are made (keymap.c). */
#ifndef BK_TUI_KEYMAP_H
#define BK_TUI_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "core/policy.h"
#include "tui/screens.h"

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

/* A handler of one statement: ACTION_FN(act_down, move_by(s, 1)); */
#define ACTION_FN(handler, stmt)                      \
	void handler(struct tui *t, struct screen *s) \
	{                                             \
		stmt;                                 \
	}                                             \
	_Static_assert(1, #handler)

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
/* The main keys of a screen for the status line: "Enter open  s send ...",
 * each hint whole, within width columns, the screen's own keys first and
 * "? help" always among those that fit. */
void keymap_hints(enum screen_id screen, int width, char *buf, size_t len);
/* Role rules shown, not only enforced: once a role is set (the user's),
 * help and hints leave out the actions it may not use (PERMIT lines in
 * actions.def); -1, the default, shows every action. And actions that do
 * nothing where they would be offered (s on a referral that cannot be
 * sent, x on one not exhausted or escalated) are left out too: fn says, for the screen on top, whether a does
 * something (NULL: all are offered). */
typedef bool (*keymap_offered_fn)(void *ud, const struct action *a);
void keymap_set_viewer(int role, keymap_offered_fn fn, void *ud);
/* May role use action a? When not, *why names the roles that may. */
bool keymap_permitted(const struct action *a, enum bk_role role, const char **why);

#endif
