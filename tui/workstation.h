/* The workstation as the command line starts it: the one thing tui/ offers
 * to the rest of the program. */
#ifndef BK_WORKSTATION_H
#define BK_WORKSTATION_H

#include <stdbool.h>

#include "core/brokerage.h"

/* What the workstation is started with: an open, identified context and
 * what the `:` prompt passes on to the commands it runs. */
struct tui_start {
	struct bk_ctx *ctx;
	const char *db_path;  /* the database in use */
	const char *config;   /* --config, or NULL */
	const char *as;       /* --as (test mode), or NULL */
	const char *now_text; /* --now (test mode), or NULL: the clock stands still */
	bool ascii;           /* the locale cannot show UTF-8 */
	bool colour;          /* the host's colour setting */
};

/* Run the workstation until the user leaves. */
enum bk_status tui_workstation(const struct tui_start *start);

#endif
