/* libFuzzer target: the configuration parser (conf/load.c) on arbitrary
 * file contents. The file is written to a private temporary file because
 * conf_load reads a path. A refused file must say why. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/conf.h"

static char path[64];

static void remove_file(void)
{
	unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!path[0]) {
		snprintf(path, sizeof path, "/tmp/fuzz_config.%d.conf", (int)getpid());
		atexit(remove_file);
	}
	FILE *f = fopen(path, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	struct bk_settings s;
	char err[1024];
	err[0] = '\0';
	if (!conf_load(path, &s, err, sizeof err)) {
		if (!err[0])
			abort(); /* a refusal without a reason */
	} else {
		struct conf_entry e[256];
		(void)conf_entries(&s, e, 256);
	}
	return 0;
}
