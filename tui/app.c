/* The workstation. */
#include "tui/cli.h"

enum bk_status tui_workstation(struct cli *c)
{
	(void)c;
	return BK_OK;
}
