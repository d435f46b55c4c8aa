/* Forms (form.c): a line editor, and a form of fields checked as the core
 * checks them, shown as a pushed screen. */
#ifndef BK_TUI_FORM_H
#define BK_TUI_FORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/brokerage.h"

struct tui;

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
	char **choices; /* FIELD_CHOICE: as many as form_choice gave, freed with the form */
	int n_choices, choice;
	bool on;                       /* FIELD_CHECK */
	char original[FORM_VALUE_MAX]; /* its value as the form opened (form_open) */
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
	const char *done; /* what F2 does, for the foot of the form: NULL "saves" */
	struct form_field field[FORM_MAX_FIELDS];
	int n, focus;
	bool dirty;
	char message[1024];
	form_submit_fn submit;
	int64_t referral_id, version;
	int64_t open_after;            /* set by submit: a referral to open once the form closes */
	void *data;                    /* the screen's own (e.g. the full names behind a choice), freed with the form */
	void (*free_data)(void *data); /* NULL: free() */
};
struct form *form_create(const char *title, form_submit_fn submit);
struct form_field *form_add(struct form *f, enum field_kind kind, const char *label, const char *check,
                            const char *hint, bool required);
/* A field as a form's table of fields describes it (form_fields). */
struct field_spec {
	enum field_kind kind;
	const char *label, *check, *hint; /* check: a bk_validate_field name, or NULL */
	bool required;
};
/* Each of the n fields described, in order. */
void form_fields(struct form *f, const struct field_spec *spec, int n);
void form_choice(struct form_field *ff, const char *choice);
/* Each of the choices given, up to a NULL. */
void form_choices(struct form_field *ff, ...);
void form_set(struct form_field *ff, const char *value);
const char *form_value(const struct form *f, int i);
/* The value of field i when it is not the one the form opened with; NULL when it is. */
const char *form_changed(const struct form *f, int i);
/* The form as a pushed screen; the screen owns f. */
bool form_open(struct tui *t, struct form *f);
/* The end of a form's submit (screen_forms.c): when st is BK_OK the result
 * is shown and the screens reload, true (the form closes); else the form
 * says refused and why ("Not saved: ..."), false (and on a conflict the
 * screens under it reload, the form staying over the thing as it is now). */
bool form_saved(struct tui *t, struct form *f, enum bk_status st, const char *refused);

#endif
