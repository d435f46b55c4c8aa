/* The command line inside the workstation (':'): the line split into
 * words as a shell would, the program run again on the same database,
 * its output and exit status shown on a page. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/vec.h"
#include "tui/app.h"
#include "tui/draw.h"
#include "tui/keymap.h"

#define OUTPUT_MAX (4 << 20)

/* ---- the command line inside the workstation ---- */

int split_words(const char *line, char *store, size_t storelen, char **words, int max, const char **why)
{
	size_t o = 0;
	int n = 0;
	const char *p = line;
	*why = NULL;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		if (n >= max) {
			*why = "too many words";
			return -1;
		}
		words[n++] = store + o;
		char quote = 0;
		while (*p && (quote || (*p != ' ' && *p != '\t'))) {
			char ch = *p++;
			if (quote && ch == quote) {
				quote = 0;
				continue;
			}
			if (!quote && (ch == '"' || ch == '\'')) {
				quote = ch;
				continue;
			}
			if (ch == '\\' && quote != '\'' && *p)
				ch = *p++;
			if (o + 1 >= storelen) {
				*why = "the line is too long";
				return -1;
			}
			store[o++] = ch;
		}
		if (quote) {
			*why = quote == '"' ? "a \" is not closed" : "a ' is not closed";
			return -1;
		}
		store[o++] = '\0';
	}
	return n;
}

/* Run the program itself with argv; its output (stdout and stderr) in
 * *out, NUL-terminated. Returns the exit status, or -1. */
static int run_self(char *const argv[], char **out)
{
	int fd[2];
	*out = NULL;
	if (pipe(fd) != 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0) {
		close(fd[0]);
		close(fd[1]);
		return -1;
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);
		if (devnull >= 0)
			dup2(devnull, 0);
		dup2(fd[1], 1);
		dup2(fd[1], 2);
		close(fd[0]);
		close(fd[1]);
		execv("/proc/self/exe", argv);
		const char *m = "brokerage: cannot run the program again (/proc/self/exe)\n";
		ssize_t w = write(2, m, strlen(m));
		(void)w;
		_exit(127);
	}
	close(fd[1]);
	VEC(char) buf = { 0 };
	for (;;) {
		char chunk[8192];
		ssize_t r = read(fd[0], chunk, sizeof chunk);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		/* past the limit (or out of memory) it keeps draining, so the child can finish */
		if (buf.n + (size_t)r + 1 <= OUTPUT_MAX && vec_reserve(&buf, buf.n + (size_t)r + 1)) {
			memcpy(buf.v + buf.n, chunk, (size_t)r);
			buf.n += (size_t)r;
		}
	}
	close(fd[0]);
	if (buf.v)
		buf.v[buf.n] = '\0';
	*out = buf.v;
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void act_command(struct tui *t, struct screen *s)
{
	char line[1024] = "";
	if (!tui_prompt(t, "Command", "A brokerage command, as on the command line (e.g. referral list --mine):", NULL,
	                true, line, sizeof line))
		return;
	char store[2048];
	char *words[64];
	const char *why;
	int n = split_words(line, store, sizeof store, words, 48, &why);
	if (n < 0) {
		tui_message(t, true, "Command not run: %s", why);
		return;
	}
	int first = n > 0 && strcmp(words[0], "brokerage") == 0 ? 1 : 0;
	if (n - first <= 0) {
		tui_message(t, true, "Command not run: type a command, e.g. referral list");
		return;
	}
	if (tui_report_command(t, words + first, n - first))
		return;
	char *argv[64];
	int a = 0;
	argv[a++] = "brokerage";
	for (int i = first; i < n; i++)
		argv[a++] = words[i];
	/* The same database, configuration and (in test mode) person and clock. */
	const char *const pass[][2] = { { "--db", t->start.db_path },
		                        { "--config", t->start.config },
		                        { "--as", t->start.as },
		                        { "--now", t->start.now_text } };
	for (int i = 0; i < 4; i++)
		if (pass[i][1]) {
			argv[a++] = (char *)pass[i][0];
			argv[a++] = (char *)pass[i][1];
		}
	argv[a] = NULL;
	char *out = NULL;
	int rc = run_self(argv, &out);
	char title[160];
	snprintf(title, sizeof title, "brokerage %.140s", line);
	/* the output on a page (its state begins with its text), the exit status under it */
	struct text_arg ta = { .title = title, .text = out ? out : "" };
	if (tui_push(t, SCR_OUTPUT, &ta)) {
		static const char *const meaning[] = { "done", "refused, nothing changed", "usage error",
			                               "conflict, nothing changed", "storage or system failure" };
		tv_add(tui_top(t)->st, LOOK_NORMAL, "(exit status %d: %s)", rc,
		       rc >= 0 && rc <= 4 ? meaning[rc] : "the command could not be run");
	}
	free(out);
	tui_message(t, rc != 0, "Command finished with exit status %d", rc);
	tui_reload_all(t);
}
