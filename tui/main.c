/* brokerage: the command line and the workstation. */
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "tui/cli.h"
#include "version.h"

int main(int argc, char **argv)
{
	static struct cli c;
	/* Special-category data: nothing this program creates is for others
	 * unless the shared deployment's group says so. */
	umask(077);
	setlocale(LC_ALL, "");
	const char *codeset = nl_langinfo(CODESET);
	c.ascii = !(codeset && strcmp(codeset, "UTF-8") == 0);
	enum bk_status st = cli_parse(&c, argc, argv);
	if (st != BK_OK)
		return (int)st;
	if (c.version) {
		printf("brokerage %s\n", BK_VERSION);
		return 0;
	}
	if (c.help) {
		if (c.cmd)
			cli_print_command_help(stdout, c.cmd);
		else
			cli_print_help(stdout);
		return 0;
	}
	return (int)cli_run(&c);
}
