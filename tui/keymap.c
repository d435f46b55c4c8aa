/* The key table, expanded from actions.def: lookup, help, status hints. */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "tui/draw.h"
#include "tui/keymap.h"

const struct action tui_actions[ACT_COUNT] = {
#define ACTION(id, key, alias, hint, help, screens, handler) { id, key, alias, hint, help, screens, handler },
#include "tui/actions.def"
#undef ACTION
};

/* The PERMIT lines of actions.def: the permission each action needs;
 * PERM_READ, which every role has, for an action without one. */
static const enum policy_perm action_perm[ACT_COUNT] = {
#define ACTION(id, key, alias, hint, help, screens, handler)
#define PERMIT(id, perm) [id] = perm,
#include "tui/actions.def"
#undef PERMIT
#undef ACTION
};

bool keymap_permitted(const struct action *a, enum bk_role role, const char **why)
{
	return policy_may(role, action_perm[a->id], why);
}

static int shown_role = -1;
static keymap_offered_fn offered;
static void *offered_ud;

void keymap_set_viewer(int role, keymap_offered_fn fn, void *ud)
{
	shown_role = role;
	offered = fn;
	offered_ud = ud;
}

/* Is the action shown to the role set by keymap_set_viewer, and does it do
 * something where it would be offered? */
static bool shown(const struct action *a)
{
	const char *why;
	if (offered && !offered(offered_ud, a))
		return false;
	return shown_role < 0 || keymap_permitted(a, (enum bk_role)shown_role, &why);
}

static const struct {
	const char *name;
	int key;
} named_keys[] = {
	{ "Down", TK_FN + KEY_DOWN },
	{ "Up", TK_FN + KEY_UP },
	{ "Left", TK_FN + KEY_LEFT },
	{ "Right", TK_FN + KEY_RIGHT },
	{ "PgDn", TK_FN + KEY_NPAGE },
	{ "PgUp", TK_FN + KEY_PPAGE },
	{ "Home", TK_FN + KEY_HOME },
	{ "End", TK_FN + KEY_END },
	{ "Enter", TK_ENTER },
	{ "Esc", TK_ESC },
	{ "Tab", '\t' },
	{ "S-Tab", TK_FN + KEY_BTAB },
	{ "Space", ' ' },
	{ "Backspace", TK_FN + KEY_BACKSPACE },
	{ "Delete", TK_FN + KEY_DC },
};

int key_from_name(const char *name)
{
	if (!name || !*name)
		return -1;
	if (name[1] == '\0')
		return (unsigned char)name[0];
	for (size_t i = 0; i < sizeof named_keys / sizeof named_keys[0]; i++)
		if (strcmp(named_keys[i].name, name) == 0)
			return named_keys[i].key;
	if (name[0] == 'C' && name[1] == '-' && name[2] >= 'a' && name[2] <= 'z' && name[3] == '\0')
		return TK_CTRL(name[2]);
	int n;
	char more;
	if (sscanf(name, "F%d%c", &n, &more) == 1 && n >= 1 && n <= 12)
		return TK_FN + KEY_F(n);
	return -1;
}

bool key_is_fkey(int key)
{
	return key >= TK_FN + KEY_F(1) && key <= TK_FN + KEY_F(12);
}

int key_normalize(int key)
{
	switch (key) {
	case '\r':
	case TK_FN + KEY_ENTER:
		return TK_ENTER;
	case 127:
	case 8:
		return TK_FN + KEY_BACKSPACE;
	default:
		return key;
	}
}

const struct action *keymap_lookup(enum screen_id screen, int key)
{
	key = key_normalize(key);
	for (int i = 0; i < ACT_COUNT; i++) {
		const struct action *a = &tui_actions[i];
		if (!(a->screens & (1u << screen)))
			continue;
		if (key_from_name(a->key) == key || (a->alias[0] && key_from_name(a->alias) == key))
			return a;
	}
	return NULL;
}

int keymap_help(enum screen_id screen, keymap_line_fn fn, void *ud)
{
	int n = 0;
	for (int i = 0; i < ACT_COUNT; i++) {
		const struct action *a = &tui_actions[i];
		if (!(a->screens & (1u << screen)) || !shown(a))
			continue;
		char line[256];
		snprintf(line, sizeof line, "  %-10s %-6s %s", a->key, a->alias, a->help);
		if (fn)
			fn(ud, a, line);
		n++;
	}
	return n;
}

/* Appends the hints of the screen's own keys (general false) or of the keys
 * every screen has, each whole and only while the line stays within width. */
static void add_hints(enum screen_id screen, bool general, int width, char *buf, size_t len, size_t *off)
{
	for (int k = 0; k < ACT_COUNT; k++) {
		const struct action *a = &tui_actions[k];
		bool everywhere = (a->screens & SM_TABS) == SM_TABS || (a->screens & SM(HELP));
		if (!(a->screens & (1u << screen)) || !a->hint[0] || everywhere != general || !shown(a))
			continue;
		/* The key a person reaches for: the plain one for an F-key, except
		 * where plain keys are typed into a form. */
		bool plain = a->alias[0] && a->alias[1] == '\0' && screen != SCR_FORM;
		const char *key = key_is_fkey(key_from_name(a->key)) && plain ? a->alias : a->key;
		char one[96];
		snprintf(one, sizeof one, "%s%s %s", *off ? "  " : "", key, a->hint);
		if (text_width(buf) + text_width(one) > width)
			return; /* the rest would be cut: leave them to ? */
		str_appendf(buf, len, off, "%s", one);
	}
}

void keymap_hints(enum screen_id screen, int width, char *buf, size_t len)
{
	if (!len)
		return;
	/* The keys every screen has (help, quit) keep their room at the end:
	 * help is where the keys left out are found. */
	char general[160] = "";
	size_t goff = 0;
	add_hints(screen, true, width, general, sizeof general, &goff);
	int room = width - (general[0] ? text_width(general) + 2 : 0);
	size_t off = 0;
	buf[0] = '\0';
	add_hints(screen, false, room, buf, len, &off);
	if (general[0])
		str_appendf(buf, len, &off, "%s%s", off ? "  " : "", general);
}
