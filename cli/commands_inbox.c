/* Answers that come in: mail-in (one message on standard input, or a
 * Maildir), the inbox and the officer's decisions on it. Message text is
 * the provider's (or anyone's): it reaches the terminal only sanitised. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/commands.h"
#include "core/inbox.h"
#include "core/mail_parse.h"
#include "core/mail_text.h"

/* ---- mail-in ---- */

/* Read fd into a buffer of at most BK_MAIL_MAX_BYTES; the rest is read and
 * counted (so the sender is never cut off) but not kept. */
static bool read_bounded(int fd, char **out, size_t *len, size_t *whole)
{
	size_t cap = 64 << 10, n = 0, total = 0;
	char *buf = malloc(cap), sink[8192];
	if (!buf)
		return false;
	for (;;) {
		char *into = n < BK_MAIL_MAX_BYTES ? buf + n : sink;
		size_t room = n < BK_MAIL_MAX_BYTES ? cap - n : sizeof sink;
		if (n < BK_MAIL_MAX_BYTES && room == 0) {
			size_t ncap = cap * 2 > BK_MAIL_MAX_BYTES ? BK_MAIL_MAX_BYTES : cap * 2;
			char *nb = realloc(buf, ncap);
			if (!nb) {
				free(buf);
				return false;
			}
			buf = nb;
			cap = ncap;
			continue;
		}
		ssize_t r = read(fd, into, room);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(buf);
			return false;
		}
		if (r == 0)
			break;
		total += (size_t)r;
		if (into != sink)
			n += (size_t)r;
	}
	*out = buf;
	*len = n;
	*whole = total;
	return true;
}

static json_t *mail_in_json(const char *file, const struct bk_mail_in_result *r)
{
	json_t *o = json_pack("{so so ss so}", "file", file ? cli_jtext(file) : json_null(), "id",
	                      r->id ? json_integer(r->id) : json_null(), "kind",
	                      r->duplicate  ? "duplicate"
	                      : r->proposed ? "proposed"
	                                    : "triage",
	                      "reason", r->reason[0] ? cli_jtext(r->reason) : json_null());
	return o;
}

static enum bk_status mail_in_one(struct cli *c, int fd, const char *file, json_t *arr, int *proposed, int *triage)
{
	char *data;
	size_t len, whole;
	if (!read_bounded(fd, &data, &len, &whole)) {
		fprintf(stderr, "brokerage: ");
		out_text(c, stderr, file ? file : "standard input");
		fprintf(stderr, ": could not be read (%s)\n", strerror(errno));
		return BK_STORAGE;
	}
	struct bk_mail_in_result r;
	enum bk_status st = bk_mail_in(&c->ctx, data, len, whole, &r);
	free(data);
	if (st != BK_OK)
		return st;
	if (r.duplicate)
		snprintf(c->ctx.msg, sizeof c->ctx.msg,
		         "already received (the same Message-ID, or the same message byte for byte): nothing recorded");
	else if (r.proposed)
		(*proposed)++;
	else
		(*triage)++;
	if (arr) {
		json_array_append_new(arr, mail_in_json(file, &r));
	} else {
		if (file) {
			out_text(c, stdout, file);
			fputs(": ", stdout);
		}
		out_text(c, stdout, c->ctx.msg);
		fputc('\n', stdout);
	}
	return BK_OK;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every message in DIR/new, oldest name first; each moved to DIR/cur once
 * its result is committed, so a message is read again only when it was not. */
static enum bk_status mail_in_maildir(struct cli *c, const char *dir, json_t *arr, int *proposed, int *triage)
{
	char newdir[4096], curdir[4096];
	if (snprintf(newdir, sizeof newdir, "%s/new", dir) >= (int)sizeof newdir ||
	    snprintf(curdir, sizeof curdir, "%s/cur", dir) >= (int)sizeof curdir)
		return cli_usage(c, "the Maildir's path is too long");
	DIR *d = opendir(newdir);
	struct stat sb;
	if (!d || stat(curdir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		if (d)
			closedir(d);
		snprintf(c->ctx.msg, sizeof c->ctx.msg, "%s is not a Maildir (it needs new/ and cur/): %s", dir,
		         strerror(errno ? errno : ENOTDIR));
		return BK_USAGE;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	enum bk_status st = BK_OK;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			char **nn = realloc(names, cap * sizeof *names);
			if (!nn) {
				st = BK_STORAGE;
				break;
			}
			names = nn;
		}
		if (!(names[n] = strdup(e->d_name))) {
			st = BK_STORAGE;
			break;
		}
		n++;
	}
	closedir(d);
	if (st == BK_OK && n > 1)
		qsort(names, n, sizeof *names, name_cmp);
	for (size_t i = 0; st == BK_OK && i < n; i++) {
		char from[8192], to[8192];
		snprintf(from, sizeof from, "%s/%s", newdir, names[i]);
		snprintf(to, sizeof to, "%s/%s%s", curdir, names[i], strchr(names[i], ':') ? "" : ":2,");
		int fd = open(from, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT)
			continue; /* another run took it */
		if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
			if (fd >= 0)
				close(fd);
			fprintf(stderr, "brokerage: ");
			out_text(c, stderr, from);
			fprintf(stderr, ": not a message file; left where it is\n");
			continue;
		}
		st = mail_in_one(c, fd, names[i], arr, proposed, triage);
		close(fd);
		if (st == BK_OK && rename(from, to) != 0) {
			snprintf(
				c->ctx.msg, sizeof c->ctx.msg,
				"%s was recorded but could not be moved to cur/ (%s); reading it again records nothing",
				names[i], strerror(errno));
			st = BK_STORAGE;
		}
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return st;
}

enum bk_status cmd_mail_in(struct cli *c)
{
	if (!no_extra(c, 0))
		return BK_USAGE;
	const char *dir = cli_opt(c, "maildir");
	json_t *arr = c->json ? json_array() : NULL;
	int proposed = 0, triage = 0;
	enum bk_status st = dir ? mail_in_maildir(c, dir, arr, &proposed, &triage)
	                        : mail_in_one(c, STDIN_FILENO, NULL, arr, &proposed, &triage);
	if (st == BK_OK)
		snprintf(c->ctx.msg, sizeof c->ctx.msg, "%d proposed answer%s, %d for triage", proposed,
		         proposed == 1 ? "" : "s", triage);
	if (st != BK_OK || !c->json) {
		json_decref(arr);
		if (st == BK_OK && !dir)
			return BK_OK; /* the one message's line said it */
		return cli_finish(c, st, NULL);
	}
	return cli_finish(c, st, json_pack("{so si si}", "messages", arr, "proposed", proposed, "triage", triage));
}

/* ---- the inbox ---- */

static json_t *row_json(const struct bk_inbox_row *r)
{
	const struct store_inbox *x = &r->item;
	json_t *o = json_pack("{sI ss ss so so ss so so}", "id", (json_int_t)x->id, "kind",
	                      x->proposed ? "proposed" : "triage", "state", x->state, "offer",
	                      x->offer_id ? json_integer(x->offer_id) : json_null(), "provider",
	                      r->provider[0] ? cli_jtext(r->provider) : json_null(), "verb", x->verb, "received_at",
	                      jtime(x->received_at), "reason", x->proposed ? json_null() : cli_jtext(x->reason));
	if (!o)
		return NULL;
	json_object_set_new(o, "referral", r->referral_id ? json_integer(r->referral_id) : json_null());
	json_object_set_new(o, "code", x->code[0] ? json_string(x->code) : json_null());
	json_object_set_new(o, "start", jdate(x->start_date));
	json_object_set_new(o, "words", cli_jtext(x->words));
	json_object_set_new(o, "late_seconds", r->late_seconds ? json_integer(r->late_seconds) : json_null());
	json_object_set_new(o, "source", json_string(x->source));
	json_object_set_new(o, "sender", cli_jtext(x->sender));
	json_object_set_new(o, "subject", cli_jtext(x->subject));
	return o;
}

static const struct list_col inbox_cols[] = {
	{ "id", "ID", BK_COL_INT },
	{ "kind", "KIND", BK_COL_TEXT },
	{ "received", "RECEIVED", BK_COL_TIME },
	{ "offer", "OFFER", BK_COL_TEXT },
	{ "provider", "PROVIDER", BK_COL_TEXT },
	{ "answer", "ANSWER", BK_COL_TEXT },
	{ "note", "REASON / LATE", BK_COL_TEXT },
};

static int inbox_row(void *ud, const struct bk_inbox_row *r)
{
	struct list_out *o = ud;
	if (o->arr) {
		json_array_append_new(o->arr, row_json(r));
		return 0;
	}
	const struct store_inbox *x = &r->item;
	char offer[64] = "-", answer[256], note[600] = "", late[48];
	if (x->offer_id)
		snprintf(offer, sizeof offer, "%lld (ref %lld)", (long long)x->offer_id, (long long)r->referral_id);
	bk_inbox_answer_words(x, answer, sizeof answer);
	if (strcmp(x->state, "open") != 0)
		snprintf(note, sizeof note, "%s", x->state);
	else if (!x->proposed)
		snprintf(note, sizeof note, "%s", x->reason);
	else if (r->late_seconds) {
		bk_inbox_late_words(r->late_seconds, late, sizeof late);
		snprintf(note, sizeof note, "late by %s", late);
	}
	table_row(o->t, (int64_t)x->id, x->proposed ? "proposed" : "triage", (int64_t)x->received_at, offer,
	          r->provider[0] ? r->provider : "-", answer, note);
	return o->t->failed;
}

enum bk_status cmd_inbox(struct cli *c)
{
	if (c->args.npos > 0)
		return cli_usage(c, "inbox takes no arguments; its sub-commands are show, confirm, reject and match");
	/* the messages are case data: the read is recorded, as for the other lists */
	enum bk_status rd = bk_record_bulk_read(&c->ctx, cli_flag(c, "all") ? "inbox --all" : "inbox");
	if (rd != BK_OK)
		return cli_finish(c, rd, NULL);
	struct list_out o;
	enum bk_status st = list_begin(c, &o, "inbox", "Inbox", inbox_cols, 7)
	                            ? bk_inbox_each(&c->ctx, !cli_flag(c, "all"), inbox_row, &o)
	                            : BK_STORAGE;
	return list_finish(c, st, o.arr, o.t);
}

enum bk_status cmd_inbox_show(struct cli *c)
{
	int64_t id;
	if (!pos_id(c, 0, "inbox item", &id) || !no_extra(c, 1))
		return BK_USAGE;
	struct bk_inbox_row *r = malloc(sizeof *r);
	if (!r)
		return cli_finish(c, BK_STORAGE, NULL);
	char *body = NULL;
	enum bk_status st = bk_inbox_get(&c->ctx, id, r, &body);
	if (st == BK_OK)
		st = r->referral_id ? bk_record_read(&c->ctx, r->referral_id)
		                    : bk_record_bulk_read(&c->ctx, "inbox show");
	if (st != BK_OK) {
		free(body);
		free(r);
		return cli_finish(c, st, NULL);
	}
	if (c->json) {
		json_t *o = row_json(r);
		json_object_set_new(o, "text", cli_jtext(body));
		free(body);
		free(r);
		cli_print_json(o);
		return BK_OK;
	}
	const struct store_inbox *x = &r->item;
	char when[48], answer[256];
	cal_format_utc(x->received_at, when, sizeof when);
	bk_inbox_answer_words(x, answer, sizeof answer);
	out_line(c, "inbox item %lld: %s, %s (from %s)", (long long)x->id, x->proposed ? "proposed" : "triage",
	         x->state, x->source);
	out_line(c, "received  %s", when);
	out_line(c, "from      %s", x->sender[0] ? x->sender : "-");
	out_line(c, "subject   %s", mail_subject_strip(x->subject)); /* without RE:, AW:, Antw: */
	if (x->offer_id)
		out_line(c, "offer     %lld on referral %lld (%s), %s", (long long)x->offer_id,
		         (long long)r->referral_id, r->case_ref, r->provider);
	out_line(c, "answer    %s", answer);
	if (!x->proposed)
		out_line(c, "reason    %s", x->reason);
	if (x->decision[0])
		out_line(c, "decision  %s", x->decision);
	out_line(c, "%s", "");
	/* the message, line by line, each sanitised */
	char *save = NULL;
	for (char *line = strtok_r(body ? body : (char *)"", "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		fputs("  | ", stdout);
		out_text(c, stdout, line);
		fputc('\n', stdout);
	}
	free(body);
	free(r);
	return BK_OK;
}

static enum bk_status item_done(struct cli *c, enum bk_status st, int64_t id)
{
	if (st != BK_OK || !c->json)
		return cli_finish(c, st, NULL);
	struct bk_inbox_row *r = malloc(sizeof *r);
	json_t *o = NULL;
	if (r && bk_inbox_get(&c->ctx, id, r, NULL) == BK_OK)
		o = row_json(r);
	free(r);
	return cli_finish(c, BK_OK, o);
}

enum bk_status cmd_inbox_confirm(struct cli *c)
{
	int64_t id;
	if (!pos_id(c, 0, "inbox item", &id) || !no_extra(c, 1))
		return BK_USAGE;
	return item_done(c, bk_inbox_confirm(&c->ctx, id), id);
}

enum bk_status cmd_inbox_reject(struct cli *c)
{
	int64_t id;
	if (!pos_id(c, 0, "inbox item", &id) || !no_extra(c, 1))
		return BK_USAGE;
	if (!cli_opt(c, "reason"))
		return cli_usage(c, "say why with --reason");
	return item_done(c, bk_inbox_reject(&c->ctx, id, cli_opt(c, "reason")), id);
}

enum bk_status cmd_inbox_match(struct cli *c)
{
	int64_t id, offer;
	if (!pos_id(c, 0, "inbox item", &id) || !no_extra(c, 1))
		return BK_USAGE;
	if (!cli_opt(c, "offer") || !parse_int(cli_opt(c, "offer"), 1, INT64_MAX, &offer))
		return cli_usage(c, "name the offer with --offer ID");
	return item_done(c, bk_inbox_match(&c->ctx, id, offer), id);
}
