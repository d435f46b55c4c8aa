/* The workstation below the screen: the key table made from actions.def,
 * the help and hints made from it, the RAG marker, the text as drawn, list
 * times and audit events in words, where a mouse click lands, and the
 * word splitting of the ':' command line. */
#include <curses.h>
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/calendar.h"
#include "core/settings.h"
#include "tests/testutil.h"
#include "tui/app.h"
#include "tui/draw.h"
#include "tui/keymap.h"

/* ---- the key table ---- */

static void test_every_action_has_key_and_help(void **state)
{
	(void)state;
	for (int i = 0; i < ACT_COUNT; i++) {
		const struct action *a = &tui_actions[i];
		assert_int_equal(a->id, i);
		assert_non_null(a->key);
		assert_true(a->key[0] != '\0');
		if (key_from_name(a->key) < 0)
			fail_msg("action %d: key '%s' has no meaning", i, a->key);
		if (a->alias[0] && key_from_name(a->alias) < 0)
			fail_msg("action %d: alias '%s' has no meaning", i, a->alias);
		assert_true(strlen(a->help) > 5);
		assert_non_null(a->handler);
		assert_true(a->screens != 0);
		assert_true((a->screens & ~((1u << SCR_COUNT) - 1)) == 0);
	}
}

static void test_no_key_twice_on_a_screen(void **state)
{
	(void)state;
	for (int s = 0; s < SCR_COUNT; s++) {
		for (int i = 0; i < ACT_COUNT; i++) {
			const struct action *a = &tui_actions[i];
			if (!(a->screens & (1u << s)))
				continue;
			int ka[2] = { key_from_name(a->key), a->alias[0] ? key_from_name(a->alias) : -2 };
			if (ka[0] == ka[1])
				fail_msg("'%s' is bound twice by one action", a->key);
			for (int j = i + 1; j < ACT_COUNT; j++) {
				const struct action *b = &tui_actions[j];
				if (!(b->screens & (1u << s)))
					continue;
				int kb[2] = { key_from_name(b->key), b->alias[0] ? key_from_name(b->alias) : -3 };
				for (int x = 0; x < 2; x++)
					for (int y = 0; y < 2; y++)
						if (ka[x] == kb[y])
							fail_msg("screen %s: key %s of '%s' is also a key of '%s'",
							         tui_screens[s].title, x ? a->alias : a->key, a->help,
							         b->help);
			}
		}
	}
}

static void test_every_fkey_has_a_plain_alias(void **state)
{
	(void)state;
	int fkeys = 0;
	for (int i = 0; i < ACT_COUNT; i++) {
		const struct action *a = &tui_actions[i];
		bool k = key_is_fkey(key_from_name(a->key));
		bool al = a->alias[0] && key_is_fkey(key_from_name(a->alias));
		if (k || al)
			fkeys++;
		if (k && (!a->alias[0] || al))
			fail_msg("%s (%s) has no letter alias", a->key, a->help);
		/* an F-key given as the alias has its plain key as the key */
	}
	assert_true(fkeys >= 3);
}

static void test_key_names(void **state)
{
	(void)state;
	assert_int_equal(key_from_name("j"), 'j');
	assert_int_equal(key_from_name("Down"), TK_FN + KEY_DOWN);
	assert_int_equal(key_from_name("C-l"), 12);
	assert_int_equal(key_from_name("F1"), TK_FN + KEY_F(1));
	assert_int_equal(key_from_name("F10"), TK_FN + KEY_F(10));
	assert_int_equal(key_from_name("Enter"), '\n');
	assert_int_equal(key_from_name("Nonsense"), -1);
	assert_true(key_is_fkey(key_from_name("F2")));
	assert_false(key_is_fkey('q'));
}

static void test_lookup(void **state)
{
	(void)state;
	assert_int_equal(keymap_lookup(SCR_MINE, 'j')->id, ACT_DOWN);
	assert_int_equal(keymap_lookup(SCR_MINE, TK_FN + KEY_DOWN)->id, ACT_DOWN);
	assert_int_equal(keymap_lookup(SCR_MINE, '\r')->id, ACT_OPEN);
	assert_int_equal(keymap_lookup(SCR_MINE, TK_FN + KEY_ENTER)->id, ACT_OPEN);
	assert_int_equal(keymap_lookup(SCR_MINE, '?')->id, ACT_HELP);
	assert_int_equal(keymap_lookup(SCR_MINE, TK_FN + KEY_F(1))->id, ACT_HELP);
	assert_int_equal(keymap_lookup(SCR_DETAIL, 's')->id, ACT_SEND);
	assert_int_equal(keymap_lookup(SCR_FORM, TK_FN + KEY_F(2))->id, ACT_SAVE);
	assert_int_equal(keymap_lookup(SCR_FORM, TK_CTRL('s'))->id, ACT_SAVE);
	assert_int_equal(keymap_lookup(SCR_FORM, '\n')->id, ACT_FIELD_ENTER);
	/* letters type into a form: no action takes them there */
	assert_null(keymap_lookup(SCR_FORM, 'j'));
	assert_null(keymap_lookup(SCR_FORM, 'q'));
	/* the referral keys are not on the waiting list */
	assert_null(keymap_lookup(SCR_WAITING, 's'));
	assert_int_equal(keymap_lookup(SCR_MINE, 'q')->id, ACT_QUIT);
	assert_int_equal(keymap_lookup(SCR_DETAIL, 'q')->id, ACT_BACK);
}

/* ---- help and hints ---- */

struct collected {
	int n;
	bool seen[ACT_COUNT];
	char text[8192];
	size_t off;
};

static void collect(void *ud, const struct action *a, const char *line)
{
	struct collected *c = ud;
	c->n++;
	c->seen[a->id] = true;
	c->off += (size_t)snprintf(c->text + c->off, sizeof c->text - c->off, "%s\n", line);
}

static void test_help_lists_exactly_the_screens_actions(void **state)
{
	(void)state;
	for (int s = 0; s < SCR_COUNT; s++) {
		struct collected c = { 0 };
		int n = keymap_help((enum screen_id)s, collect, &c);
		assert_int_equal(n, c.n);
		for (int i = 0; i < ACT_COUNT; i++) {
			bool valid = (tui_actions[i].screens & (1u << s)) != 0;
			if (valid != c.seen[i])
				fail_msg("screen %s: help %s '%s'", tui_screens[s].title,
				         valid ? "lacks" : "wrongly lists", tui_actions[i].help);
			if (valid && !strstr(c.text, tui_actions[i].help))
				fail_msg("screen %s: help text of '%s' missing", tui_screens[s].title,
				         tui_actions[i].key);
		}
	}
	struct collected form = { 0 };
	keymap_help(SCR_FORM, collect, &form);
	assert_non_null(strstr(form.text, "save the form"));
	assert_null(strstr(form.text, "filter: what is shown"));
	struct collected mine = { 0 };
	keymap_help(SCR_MINE, collect, &mine);
	assert_non_null(strstr(mine.text, "filter: what is shown"));
	assert_null(strstr(mine.text, "save the form"));
}

static void test_hints(void **state)
{
	(void)state;
	char h[512];
	keymap_hints(SCR_MINE, 500, h, sizeof h);
	assert_non_null(strstr(h, "Enter open"));
	assert_non_null(strstr(h, "? help"));
	assert_non_null(strstr(h, "q quit"));
	assert_null(strstr(h, "save"));
	keymap_hints(SCR_DETAIL, 500, h, sizeof h);
	assert_non_null(strstr(h, "s send"));
	assert_non_null(strstr(h, "q back"));
	keymap_hints(SCR_FORM, 500, h, sizeof h);
	assert_non_null(strstr(h, "F2 save"));
	assert_non_null(strstr(h, "Esc cancel"));
	assert_null(strstr(h, "? help")); /* '?' types into a form: F1 is shown */
	/* the screen's own keys come before the keys every screen has */
	keymap_hints(SCR_MINE, 500, h, sizeof h);
	assert_true(strstr(h, "Enter open") < strstr(h, "? help"));
	/* narrow: only whole hints, within the width, help always among them */
	char wide[512];
	keymap_hints(SCR_WAITING, 500, wide, sizeof wide);
	for (int width = 20; width <= 100; width++) {
		keymap_hints(SCR_WAITING, width, h, sizeof h);
		assert_true((int)strlen(h) <= width);
		assert_non_null(strstr(h, "? help"));
		/* whole hints of the wide line, in its order: none cut short */
		const char *at = wide;
		for (const char *p = h; *p;) {
			const char *end = strstr(p, "  ");
			size_t n = end ? (size_t)(end - p) : strlen(p);
			for (;;) { /* the next hint of the wide line that is this one */
				const char *wend = strstr(at, "  ");
				size_t wn = wend ? (size_t)(wend - at) : strlen(at);
				assert_true(wn > 0);
				bool same = wn == n && strncmp(at, p, n) == 0;
				at = wend ? wend + 2 : at + wn;
				if (same)
					break;
			}
			p = end ? end + 2 : p + n;
		}
	}
	keymap_hints(SCR_WAITING, 78, h, sizeof h);
	assert_non_null(strstr(h, "Enter open"));
}

/* ---- the RAG marker; times in words ---- */

static struct bk_settings settings;
static struct cal_rules cal;

static int setup_cal(void **state)
{
	(void)state;
	return tu_cal_london(&settings, &cal);
}

/* wf_rag and wf_time_left are core's (tests/test_workflow.c); the marker
 * a screen draws without colours is the workstation's. */
static void test_rag_marker(void **state)
{
	(void)state;
	assert_string_equal(rag_marker(RAG_RED), "[R]");
	assert_string_equal(rag_marker(RAG_AMBER), "[A]");
	assert_string_equal(rag_marker(RAG_GREEN), "[G]");
	assert_string_equal(rag_marker(RAG_NONE), "   ");
	assert_int_equal(draw_rag_look(RAG_RED), LOOK_RED);
	assert_int_equal(draw_rag_look(RAG_AMBER), LOOK_AMBER);
	assert_int_equal(draw_rag_look(RAG_GREEN), LOOK_GREEN);
	assert_int_equal(draw_rag_look(RAG_NONE), LOOK_NORMAL);
}

/* ---- text as drawn ---- */

static void test_text_as_drawn(void **state)
{
	(void)state;
	char out[256];
	draw_set_ascii(false);
	draw_clean("needs \x1b[2Jevenings", out, sizeof out);
	assert_string_equal(out, "needs evenings");
	draw_clean("a\x1b]0;owned\x07"
	           "b",
	           out, sizeof out);
	assert_string_equal(out, "ab");
	draw_clean("x\x1b]8;;http://e.test\x1b\\link\x1b]8;;\x1b\\y", out, sizeof out);
	assert_null(strchr(out, '\x1b'));
	draw_clean("c1\xc2\x9b"
	           "2Jz",
	           out, sizeof out); /* C1 CSI as UTF-8 */
	assert_null(strstr(out, "\xc2\x9b"));
	draw_clean("raw\x9b"
	           "2J",
	           out, sizeof out); /* C1 CSI as a bare byte */
	assert_null(strchr(out, '\x9b'));
	draw_clean("abc\xe2\x80\xae"
	           "def",
	           out, sizeof out); /* RIGHT-TO-LEFT OVERRIDE */
	assert_string_equal(out, "abcdef");
	draw_clean("tab\there\nline", out, sizeof out);
	assert_null(strchr(out, '\t'));
	assert_null(strchr(out, '\n'));
	draw_set_ascii(true);
	draw_clean("\xc2\xa3"
	           "5 caf\xc3\xa9",
	           out, sizeof out);
	assert_string_equal(out, "GBP5 caf?");
	draw_set_ascii(false);
}

static void test_text_fit(void **state)
{
	(void)state;
	char out[128];
	text_fit("Acme", 6, false, out, sizeof out);
	assert_string_equal(out, "Acme  ");
	text_fit("Acme", 6, true, out, sizeof out);
	assert_string_equal(out, "  Acme");
	text_fit("Acme Care Ltd", 8, false, out, sizeof out);
	assert_string_equal(out, "Acme Ca~");
	text_fit("a\x1b[2Jb", 4, false, out, sizeof out); /* escapes take no room */
	assert_string_equal(out, "ab  ");
	if (setlocale(LC_ALL, "C.UTF-8")) {
		assert_int_equal(text_width("\xe6\x97\xa5\xe6\x9c\xac"), 4); /* two wide characters */
		text_fit("\xe6\x97\xa5\xe6\x9c\xac", 5, false, out, sizeof out);
		assert_string_equal(out, "\xe6\x97\xa5\xe6\x9c\xac ");
		text_fit("\xc3\xa9t\xc3\xa9", 4, false, out, sizeof out);
		assert_string_equal(out, "\xc3\xa9t\xc3\xa9 ");
	}
}

/* The list columns' times: the calendar's words, shortened. */
static void test_when_format(void **state)
{
	(void)state;
	char out[48];
	int64_t t = tu_at("2026-03-02T09:05"); /* a Monday, GMT */
	when_format(t, WHEN_NUMERIC, out, sizeof out);
	assert_string_equal(out, "02/03 09:05");
	when_format(t, WHEN_SHORT, out, sizeof out);
	assert_string_equal(out, "2 Mar 09:05");
	when_format(t, WHEN_DAY, out, sizeof out);
	assert_string_equal(out, "Mon 2 Mar 09:05");
	when_format(t, WHEN_YEAR, out, sizeof out);
	assert_string_equal(out, "2 Mar 26 09:05");
	when_format(tu_at("2026-07-14T17:00"), WHEN_NUMERIC, out, sizeof out); /* BST */
	assert_string_equal(out, "14/07 17:00");
}

/* ---- pick lists: a letter jumps ---- */

static void test_choose_jump(void **state)
{
	(void)state;
	const char *const items[] = { "accepted (with a start date)", "declined (with the reason)",
		                      "asked for more information", "1 Lifeskills", "  Apex Agency Care" };
	assert_int_equal(choose_jump(items, 5, 0, 'd'), 1);
	assert_int_equal(choose_jump(items, 5, 0, 'a'), 2); /* the next starting with a */
	assert_int_equal(choose_jump(items, 5, 2, 'a'), 4); /* leading spaces skipped */
	assert_int_equal(choose_jump(items, 5, 4, 'A'), 0); /* wraps; case ignored */
	assert_int_equal(choose_jump(items, 5, 0, '1'), 3);
	assert_int_equal(choose_jump(items, 5, 0, 'z'), -1); /* none: the key keeps its own meaning */
	assert_int_equal(choose_jump(items, 5, 0, '?'), -1);
	assert_int_equal(choose_jump(items, 5, 0, TK_FN + 2), -1);
}

/* ---- the mouse: where a click lands ---- */

static void test_tab_at(void **state)
{
	(void)state;
	/* " 1 My referrals " " 2 Waiting list " " 3 Approvals " " 4 Providers " " 5 Reports " " 6 Audit "
	 * " 7 Inbox " " 8 Chase " */
	assert_int_equal(tui_tab_at(0, 100), SCR_MINE);
	assert_int_equal(tui_tab_at(15, 100), SCR_MINE);
	assert_int_equal(tui_tab_at(16, 100), SCR_WAITING);
	assert_int_equal(tui_tab_at(32, 100), SCR_APPROVALS);
	assert_int_equal(tui_tab_at(57, 100), SCR_PROVIDERS);
	assert_int_equal(tui_tab_at(58, 100), SCR_REPORTS);
	assert_int_equal(tui_tab_at(77, 100), SCR_AUDIT);
	assert_int_equal(tui_tab_at(78, 100), SCR_INBOX);
	assert_int_equal(tui_tab_at(86, 100), SCR_INBOX);
	assert_int_equal(tui_tab_at(87, 100), SCR_CHASE);
	assert_int_equal(tui_tab_at(95, 100), SCR_CHASE);
	assert_int_equal(tui_tab_at(96, 100), SCR_COUNT); /* past the last tab: the user's name */
	assert_int_equal(tui_tab_at(-1, 100), SCR_COUNT);
	/* 80 columns: the short names, closer: " 1 Mine" " 2 Waiting" " 3 Approvals" " 4 Providers"
	 * " 5 Reports" " 6 Audit" " 7 Inbox" " 8 Chase", every tab on the line */
	assert_int_equal(tui_tab_at(0, 80), SCR_MINE);
	assert_int_equal(tui_tab_at(6, 80), SCR_MINE);
	assert_int_equal(tui_tab_at(7, 80), SCR_WAITING);
	assert_int_equal(tui_tab_at(58, 80), SCR_AUDIT);
	assert_int_equal(tui_tab_at(59, 80), SCR_INBOX);
	assert_int_equal(tui_tab_at(74, 80), SCR_CHASE);
	assert_int_equal(tui_tab_at(75, 80), SCR_COUNT);
	/* a narrower screen still cuts the last tab where it is drawn */
	assert_int_equal(tui_tab_at(69, 70), SCR_CHASE);
	assert_int_equal(tui_tab_at(70, 70), SCR_COUNT);
}

static int ten_rows(const struct screen *s)
{
	(void)s;
	return 10;
}

static void test_row_at(void **state)
{
	(void)state;
	struct screen_ops list = { .rows = ten_rows, .cursor_rows = true };
	struct screen s = { .ops = &list, .top = 5, .page = 4, .row_y = 3 };
	assert_int_equal(screen_row_at(&s, 3), 5);
	assert_int_equal(screen_row_at(&s, 6), 8);
	assert_int_equal(screen_row_at(&s, 2), -1); /* the heads above the rows */
	assert_int_equal(screen_row_at(&s, 7), -1); /* below the rows shown */
	s.top = 8;
	assert_int_equal(screen_row_at(&s, 4), 9);
	assert_int_equal(screen_row_at(&s, 5), -1); /* a line with no row: the list has 10 */
	s.row_y = 0;
	assert_int_equal(screen_row_at(&s, 4), -1); /* the screen did not say where its rows are */
	struct screen_ops page = { .rows = ten_rows };
	struct screen p = { .ops = &page, .top = 0, .page = 4, .row_y = 3 };
	assert_int_equal(screen_row_at(&p, 3), -1); /* a page of text has no rows to select */
}

/* ---- the ':' command line ---- */

static void test_split_words(void **state)
{
	(void)state;
	char store[256];
	char *w[16];
	const char *why;
	int n = split_words("referral respond 3 decline --reason \"no staff in North\"", store, sizeof store, w, 16,
	                    &why);
	assert_int_equal(n, 6);
	assert_string_equal(w[0], "referral");
	assert_string_equal(w[5], "no staff in North");
	n = split_words("  a 'b c'  d\\ e \"it's\" ", store, sizeof store, w, 16, &why);
	assert_int_equal(n, 4);
	assert_string_equal(w[1], "b c");
	assert_string_equal(w[2], "d e");
	assert_string_equal(w[3], "it's");
	assert_int_equal(split_words("a \"open", store, sizeof store, w, 16, &why), -1);
	assert_non_null(why);
	assert_int_equal(split_words("", store, sizeof store, w, 16, &why), 0);
	assert_int_equal(split_words("a b c", store, sizeof store, w, 2, &why), -1);
}

/* ---- the team leader's and supervisor's screens (issue 6) ---- */

static void test_leader_keys(void **state)
{
	(void)state;
	assert_int_equal(keymap_lookup(SCR_WAITING, 'R')->id, ACT_REASSIGN);
	assert_int_equal(keymap_lookup(SCR_WAITING, 't')->id, ACT_TAG);
	assert_int_equal(keymap_lookup(SCR_WAITING, 'o')->id, ACT_SORT);
	assert_int_equal(keymap_lookup(SCR_WAITING, '<')->id, ACT_SORT_PREV);
	assert_int_equal(keymap_lookup(SCR_WAITING, '>')->id, ACT_SORT_NEXT);
	assert_int_equal(keymap_lookup(SCR_WAITING, 'b')->id, ACT_BREACHED);
	assert_int_equal(keymap_lookup(SCR_WAITING, '\n')->id, ACT_OPEN_REF);
	/* Space stays a page down; o stays "open" on My referrals */
	assert_int_equal(keymap_lookup(SCR_WAITING, ' ')->id, ACT_PAGE_DOWN);
	assert_int_equal(keymap_lookup(SCR_MINE, 'o')->id, ACT_OPEN);
	assert_int_equal(keymap_lookup(SCR_RANKINGS, 'K')->id, ACT_RANK_UP);
	assert_int_equal(keymap_lookup(SCR_RANKINGS, 'J')->id, ACT_RANK_DOWN);
	assert_int_equal(keymap_lookup(SCR_RANKINGS, 'j')->id, ACT_DOWN);
	assert_int_equal(keymap_lookup(SCR_RANKINGS, 's')->id, ACT_RANK_SAVE);
	assert_int_equal(keymap_lookup(SCR_RANKINGS, TK_FN + KEY_F(2))->id, ACT_RANK_SAVE);
	assert_int_equal(keymap_lookup(SCR_RANKINGS, 'q')->id, ACT_BACK);
	assert_int_equal(keymap_lookup(SCR_TREND, 'q')->id, ACT_BACK);
	assert_int_equal(keymap_lookup(SCR_APPROVALS, 'a')->id, ACT_APPROVE);
	assert_int_equal(keymap_lookup(SCR_APPROVALS, 'd')->id, ACT_REJECT);
	assert_int_equal(keymap_lookup(SCR_AUDIT, 'v')->id, ACT_VERIFY);
	assert_int_equal(keymap_lookup(SCR_PROVIDERS, 'e')->id, ACT_PROV_EDIT);
	/* the referral keys stay where they were */
	assert_null(keymap_lookup(SCR_WAITING, 's'));
	assert_null(keymap_lookup(SCR_APPROVALS, 'x'));
}

static void test_permissions(void **state)
{
	(void)state;
	const char *why = NULL;
	const struct action *r = &tui_actions[ACT_REASSIGN];
	assert_true(keymap_permitted(r, ROLE_TEAM_LEADER, &why));
	assert_false(keymap_permitted(r, ROLE_OFFICER, &why));
	assert_non_null(strstr(why, "team leader"));
	const struct action *a = &tui_actions[ACT_APPROVE];
	assert_true(keymap_permitted(a, ROLE_SUPERVISOR, &why));
	assert_false(keymap_permitted(a, ROLE_TEAM_LEADER, &why));
	assert_non_null(strstr(why, "supervisor"));
	assert_false(keymap_permitted(&tui_actions[ACT_RANK_SAVE], ROLE_SUPERVISOR, &why));
	assert_false(keymap_permitted(&tui_actions[ACT_SEND], ROLE_ADMIN, &why));
	/* moving about and reading are for everyone */
	for (int role = 0; role < ROLE_COUNT; role++) {
		assert_true(keymap_permitted(&tui_actions[ACT_DOWN], (enum bk_role)role, &why));
		assert_true(keymap_permitted(&tui_actions[ACT_TREND], (enum bk_role)role, &why));
		assert_true(keymap_permitted(&tui_actions[ACT_VERIFY], (enum bk_role)role, &why));
	}
}

static void test_help_and_hints_follow_the_role(void **state)
{
	(void)state;
	char h[512];
	struct collected c = { 0 };
	keymap_set_viewer(ROLE_OFFICER, NULL, NULL);
	keymap_help(SCR_WAITING, collect, &c);
	assert_null(strstr(c.text, "reassign the tagged"));
	assert_non_null(strstr(c.text, "only the referrals with a breached deadline"));
	keymap_hints(SCR_WAITING, 500, h, sizeof h);
	assert_null(strstr(h, "R reassign"));
	assert_non_null(strstr(h, "b breached"));
	keymap_hints(SCR_APPROVALS, 500, h, sizeof h);
	assert_null(strstr(h, "a approve"));
	keymap_set_viewer(ROLE_TEAM_LEADER, NULL, NULL);
	memset(&c, 0, sizeof c);
	keymap_help(SCR_WAITING, collect, &c);
	assert_non_null(strstr(c.text, "reassign the tagged"));
	keymap_hints(SCR_WAITING, 500, h, sizeof h);
	assert_non_null(strstr(h, "R reassign"));
	keymap_hints(SCR_RANKINGS, 500, h, sizeof h);
	assert_non_null(strstr(h, "K up"));
	assert_non_null(strstr(h, "s save"));
	keymap_set_viewer(ROLE_SUPERVISOR, NULL, NULL);
	keymap_hints(SCR_APPROVALS, 500, h, sizeof h);
	assert_non_null(strstr(h, "a approve"));
	assert_non_null(strstr(h, "d reject"));
	keymap_hints(SCR_RANKINGS, 500, h, sizeof h);
	assert_null(strstr(h, "K up"));
	keymap_set_viewer(-1, NULL, NULL);
	keymap_hints(SCR_WAITING, 500, h, sizeof h);
	assert_non_null(strstr(h, "R reassign"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_action_has_key_and_help),
		cmocka_unit_test(test_no_key_twice_on_a_screen),
		cmocka_unit_test(test_every_fkey_has_a_plain_alias),
		cmocka_unit_test(test_key_names),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_help_lists_exactly_the_screens_actions),
		cmocka_unit_test(test_hints),
		cmocka_unit_test(test_rag_marker),
		cmocka_unit_test(test_text_as_drawn),
		cmocka_unit_test(test_text_fit),
		cmocka_unit_test_setup(test_when_format, setup_cal),
		cmocka_unit_test(test_choose_jump),
		cmocka_unit_test(test_tab_at),
		cmocka_unit_test(test_row_at),
		cmocka_unit_test(test_split_words),
		cmocka_unit_test(test_leader_keys),
		cmocka_unit_test(test_permissions),
		cmocka_unit_test(test_help_and_hints_follow_the_role),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
