/* The shared deployment's PostgreSQL password file (storage/pgpass.c):
 * pgpass lines matched as libpq matches them (first match, '*', escapes,
 * comments), a file others may read or write refused in words, the
 * password handed on as a keyword and the file not, and nothing read when
 * the caller does not hold the group (libpq's own rules then). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <sys/stat.h>

#include "storage/pgpass.h"
#include "tests/testutil.h"

struct fixture {
	char dir[512];
	char file[600];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	if (!f || !tu_mkdtemp(f->dir, sizeof f->dir))
		return -1;
	snprintf(f->file, sizeof f->file, "%s/pgpass", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	tu_rmtree(f->dir);
	free(f);
	return 0;
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	assert_int_equal(chmod(path, mode), 0);
}

static const char *const lines = "# the program's credentials\n"
				 "\n"
				 "db.example:5432:brokerage:brokerage_owner:owner-secret\n"
				 "/run/postgresql:*:brokerage:brokerage_app:sock\\:et\n"
				 "*:5432:brokerage:brokerage_app:app-secret\n"
				 "*:*:*:brokerage_app:fallback\n";

static void lookup_matches_as_libpq(void **state)
{
	struct fixture *f = *state;
	write_file(f->file, lines, 0640);
	char pw[128], err[512];
	assert_true(pgpass_lookup(f->file, "db.example", "5432", "brokerage", "brokerage_app", pw, sizeof pw, err,
	                          sizeof err));
	assert_string_equal(pw, "app-secret");
	assert_true(pgpass_lookup(f->file, "/run/postgresql", "5433", "brokerage", "brokerage_app", pw, sizeof pw, err,
	                          sizeof err));
	assert_string_equal(pw, "sock:et");
	assert_true(pgpass_lookup(f->file, "db.example", "5432", "brokerage", "brokerage_owner", pw, sizeof pw, err,
	                          sizeof err));
	assert_string_equal(pw, "owner-secret");
	assert_true(pgpass_lookup(f->file, "other", "6000", "x", "brokerage_app", pw, sizeof pw, err, sizeof err));
	assert_string_equal(pw, "fallback");
	assert_false(
		pgpass_lookup(f->file, "db.example", "5432", "brokerage", "alice", pw, sizeof pw, err, sizeof err));
	assert_non_null(strstr(err, "no line for the user alice"));
}

static void a_file_others_may_read_is_refused(void **state)
{
	struct fixture *f = *state;
	char pw[128], err[512];
	write_file(f->file, lines, 0644);
	assert_false(pgpass_lookup(f->file, "db.example", "5432", "brokerage", "brokerage_app", pw, sizeof pw, err,
	                           sizeof err));
	assert_non_null(strstr(err, "may be read or changed by others"));
	write_file(f->file, lines, 0660);
	assert_false(pgpass_lookup(f->file, "db.example", "5432", "brokerage", "brokerage_app", pw, sizeof pw, err,
	                           sizeof err));
	write_file(f->file, lines, 0600);
	assert_true(pgpass_lookup(f->file, "db.example", "5432", "brokerage", "brokerage_app", pw, sizeof pw, err,
	                          sizeof err));
	char missing[700];
	snprintf(missing, sizeof missing, "%s/none", f->dir);
	assert_false(pgpass_lookup(missing, "h", "1", "d", "u", pw, sizeof pw, err, sizeof err));
	assert_non_null(strstr(err, "cannot read the database's password file"));
}

static const char *value(const struct pgpass_params *p, const char *key)
{
	for (int i = 0; i < p->n; i++)
		if (strcmp(p->keys[i], key) == 0)
			return p->vals[i];
	return NULL;
}

static void params_carry_the_password_not_the_file(void **state)
{
	struct fixture *f = *state;
	write_file(f->file, lines, 0640);
	char conninfo[1024], err[512];
	struct pgpass_params p;
	snprintf(conninfo, sizeof conninfo, "host=db.example dbname=brokerage user=brokerage_app passfile=%s", f->file);
	assert_true(pgpass_params(conninfo, true, &p, err, sizeof err));
	assert_string_equal(value(&p, "password"), "app-secret");
	assert_null(value(&p, "passfile"));
	assert_string_equal(value(&p, "host"), "db.example");
	assert_null(p.keys[p.n]);
	pgpass_params_free(&p);
	/* not holding the group: handed to libpq as it is */
	assert_true(pgpass_params(conninfo, false, &p, err, sizeof err));
	assert_null(value(&p, "password"));
	assert_string_equal(value(&p, "passfile"), f->file);
	pgpass_params_free(&p);
	/* a URI */
	snprintf(conninfo, sizeof conninfo, "postgresql://db.example/brokerage?user=brokerage_app&passfile=%s",
	         f->file);
	assert_true(pgpass_params(conninfo, true, &p, err, sizeof err));
	assert_string_equal(value(&p, "password"), "app-secret");
	pgpass_params_free(&p);
	/* no user named: said so */
	snprintf(conninfo, sizeof conninfo, "host=db.example dbname=brokerage passfile=%s", f->file);
	assert_false(pgpass_params(conninfo, true, &p, err, sizeof err));
	assert_non_null(strstr(err, "no user"));
	assert_false(pgpass_params("host='unterminated", true, &p, err, sizeof err));
	assert_non_null(strstr(err, "cannot be read"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(lookup_matches_as_libpq, setup, teardown),
		cmocka_unit_test_setup_teardown(a_file_others_may_read_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(params_carry_the_password_not_the_file, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
