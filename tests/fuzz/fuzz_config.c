/* libFuzzer target: the configuration parser (conf/load.c) on arbitrary
 * file contents, read three ways: as a policy file on top of the defaults
 * (`init --policy`, `policy load`), and as brokerage.conf, both the user's
 * file and the system one. The input is written to a private temporary
 * file because conf/ reads paths. A refused file must say why; a policy
 * that was accepted must print (`policy show`) as a file that reads back
 * as the same policy. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/conf.h"

static char path[64], shown[64];

static void remove_files(void)
{
	unlink(path);
	unlink(shown);
}

static void check_refusal(bool ok, const char *err)
{
	if (!ok && !err[0])
		abort(); /* a refusal without a reason */
}

/* `policy show` > shown, `policy load shown`: the same entries again. */
static void check_round_trip(const struct bk_settings *s)
{
	static struct conf_entry e[BK_SET_COUNT], again[BK_SET_COUNT];
	struct bk_settings base, back;
	char err[1024];
	int n = conf_policy_entries(s, e, BK_SET_COUNT);
	FILE *f = fopen(shown, "w");

	if (!f)
		return;
	for (int i = 0; i < n; i++)
		fprintf(f, "%s = %s;\n", e[i].key, e[i].value);
	if (fclose(f) != 0)
		return;
	bk_settings_defaults(&base);
	if (!conf_load_policy(shown, &base, &back, err, sizeof err)) {
		/* Only a value too long to print whole may fail to read back. */
		for (int i = 0; i < n; i++)
			if (strlen(e[i].value) >= sizeof e[i].value - 1)
				return;
		abort();
	}
	if (conf_policy_entries(&back, again, BK_SET_COUNT) != n)
		abort();
	for (int i = 0; i < n; i++)
		if (strcmp(e[i].value, again[i].value) != 0)
			abort(); /* `policy show` does not read back as the same policy */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct bk_settings base, s, seed;
	struct conf_host host;
	struct conf_entry e[BK_SET_COUNT + CONF_HOST_COUNT];
	char err[1024];
	bool ok;

	if (!path[0]) {
		snprintf(path, sizeof path, "/tmp/fuzz_config.%d.conf", (int)getpid());
		snprintf(shown, sizeof shown, "/tmp/fuzz_config.%d.shown", (int)getpid());
		atexit(remove_files);
	}
	FILE *f = fopen(path, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);

	/* A policy file on top of the defaults. */
	bk_settings_defaults(&base);
	err[0] = '\0';
	ok = conf_load_policy(path, &base, &s, err, sizeof err);
	check_refusal(ok, err);
	if (ok)
		check_round_trip(&s);

	/* The user's brokerage.conf: host keys only. */
	err[0] = '\0';
	ok = conf_load("", path, &host, &seed, err, sizeof err);
	check_refusal(ok, err);
	if (ok) {
		(void)conf_host_entries(&host, e, CONF_HOST_COUNT);
		if (host.system_policy)
			abort(); /* no system file was read */
	}

	/* The system brokerage.conf: host keys, and policy keys as the seed. */
	err[0] = '\0';
	ok = conf_load(path, "", &host, &seed, err, sizeof err);
	check_refusal(ok, err);
	if (ok) {
		(void)conf_host_entries(&host, e, CONF_HOST_COUNT);
		(void)conf_policy_entries(&seed, e, BK_SET_COUNT);
	}
	return 0;
}
