/* Private to tui/: the workstation, in one header per part: screens.h (the
 * screens and their ops), keymap.h (keys and the action list), draw.h
 * (drawing and pages of text), form.h (line editing and forms), app.h (the
 * application, its messages and dialogs); listview.h and pager.h for lists
 * and pages. A file includes the parts it uses; this header, all of them,
 * is for the files that have not yet said which. */
#ifndef BK_TUI_H
#define BK_TUI_H

#include "core/brokerage.h"
#include "core/describe.h"
#include "tui/app.h"
#include "tui/draw.h"
#include "tui/form.h"
#include "tui/keymap.h"
#include "tui/screens.h"

#endif
