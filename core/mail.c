/* Offers, chasers and notices by mail (issue 17, "Out").
 *
 * A message is written to the outbox inside the transaction of the action
 * that sends it, so a refused action (rolled back) sends nothing and a
 * committed one cannot lose its message. After the commit it is piped to
 * the host's mail command (fork and exec, no shell). Before the pipe the
 * message is claimed ("host:pid", committed) so that two programs never
 * deliver it at once; a claim whose program died (kill -9 between commit
 * and delivery) is taken over, and the message goes with the same
 * Message-ID, by which delivery is idempotent.
 *
 * What a first approach says is what the policy's template names
 * (mail_offer_fields); a name, a note or an exact age is never written. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/internal.h"
#include "core/mail_message.h"
#include "core/mail_token.h"
#include "core/vec.h"

#define BACKOFF_FIRST 300       /* five minutes after the first failure, */
#define BACKOFF_MOST (6 * 3600) /* doubling each time, at most six hours */
#define CLAIM_STALE 3600        /* a claim this old from another host is taken over */
#define COMMAND_SECONDS 60      /* a mail command that has not finished by then has failed */
#define MAX_ARGS 32

/* ---- what a message says ---- */

struct text {
	char *buf;
	size_t len, off;
};

static void add(struct text *t, const char *fmt, ...) BK_PRINTF(2, 3);
static void add(struct text *t, const char *fmt, ...)
{
	if (t->off >= t->len)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(t->buf + t->off, t->len - t->off, fmt, ap);
	va_end(ap);
	if (n > 0)
		t->off += (size_t)n;
	if (t->off >= t->len)
		t->off = t->len - 1;
}

static bool field(const struct bk_settings *s, enum bk_mail_field f)
{
	return (s->mail_offer_fields & BK_MAIL_FIELD_BIT(f)) != 0;
}

/* An age as a band, never the age itself. */
static void age_band(int age, char *buf, size_t len)
{
	static const struct {
		int lo, hi;
	} bands[] = { { 0, 4 }, { 5, 10 }, { 11, 15 }, { 16, 17 }, { 18, 24 }, { 25, 64 } };
	if (age < 0) {
		snprintf(buf, len, "not given");
		return;
	}
	for (size_t i = 0; i < sizeof bands / sizeof bands[0]; i++)
		if (age >= bands[i].lo && age <= bands[i].hi) {
			snprintf(buf, len, "%d to %d", bands[i].lo, bands[i].hi);
			return;
		}
	snprintf(buf, len, "65 and over");
}

/* "17:00 on Wednesday 25 November 2026" */
static void deadline_words(int64_t t, char *buf, size_t len)
{
	static const char *const days[] = {
		"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"
	};
	static const char *const months[] = { "January", "February", "March",     "April",   "May",      "June",
		                              "July",    "August",   "September", "October", "November", "December" };
	int32_t day;
	int minute;
	cal_local(t, &day, &minute);
	struct cal_date d = cal_civil_from_days(day);
	snprintf(buf, len, "%02d:%02d on %s %d %s %d", minute / 60, minute % 60, days[cal_weekday(day)], d.day,
	         months[(d.month - 1) % 12], d.year);
}

static void day_words(int32_t day, char *buf, size_t len)
{
	char iso[16];
	cal_format_date(day, iso, sizeof iso);
	char words[32];
	cal_format_day(day, words, sizeof words);
	snprintf(buf, len, "%s (%s)", words, iso);
}

/* The facts the template names, one a line. */
static void facts(struct bk_ctx *ctx, struct text *t, const struct store_referral *r, const struct store_offer *o)
{
	const struct bk_settings *s = ctx->settings;
	char buf[160];
	if (field(s, BK_MAIL_CASE))
		add(t, "Case reference:  %s\n", r->case_ref);
	if (field(s, BK_MAIL_LOT)) {
		const struct bk_lot *lot = bk_settings_lot(s, r->lot);
		add(t, "Lot:             %d %s\n", r->lot, lot ? lot->name : "");
	}
	if (field(s, BK_MAIL_DISTRICT))
		add(t, "District:        %s\n", r->district);
	if (field(s, BK_MAIL_HOURS)) {
		hours_format(r->hours_minutes, buf, sizeof buf);
		add(t, "Hours a week:    %s\n", buf);
	}
	if (field(s, BK_MAIL_START)) {
		if (r->start_date != STORE_NO_DATE)
			day_words(r->start_date, buf, sizeof buf);
		else
			snprintf(buf, sizeof buf, "as soon as possible");
		add(t, "Wanted start:    %s\n", buf);
	}
	if (field(s, BK_MAIL_AGE_BAND)) {
		age_band(r->age, buf, sizeof buf);
		add(t, "Age band:        %s\n", buf);
	}
	if (field(s, BK_MAIL_URGENCY))
		add(t, "Urgency:         %s\n", r->urgent ? "urgent" : "routine");
	if (field(s, BK_MAIL_DEADLINE)) {
		deadline_words(o->deadline_at, buf, sizeof buf);
		char local[48];
		cal_format_local(o->deadline_at, local, sizeof local);
		add(t, "Answer by:       %s\n                 (%s, %s)\n", buf, local, s->zone);
	}
}

static void how_to_answer(struct bk_ctx *ctx, struct text *t, const char *token)
{
	const struct bk_settings *s = ctx->settings;
	add(t,
	    "\nTo answer, reply to this message keeping [%s]\n"
	    "in the subject, with one of these on the first line of your reply:\n\n"
	    "  ACCEPT [start date, e.g. 2026-12-01]\n"
	    "  DECLINE <code> [a few words]\n"
	    "  INFO <your question>\n\n"
	    "The decline codes are:\n",
	    token);
	for (int i = 0; i < s->n_decline_codes; i++)
		add(t, "  %-12s %s\n", s->decline_codes[i].keyword, s->decline_codes[i].label);
}

static const char footer[] = "\n-- \nSent by the council's brokerage team. This message names no person:\n"
			     "the case reference is all the council will quote. Please do not send\n"
			     "personal details by mail.\n";

/* ---- the outbox ---- */

static bool mail_on(const struct bk_ctx *ctx)
{
	return ctx->settings->mail_enabled && ctx->settings->mail_from[0];
}

/* "brk-12-offer-<16 hex>@domain-of-the-sender" */
static void make_message_id(struct bk_ctx *ctx, int64_t offer_id, enum store_mail_kind kind, char *buf, size_t len)
{
	unsigned char rnd[8];
	char hex[sizeof rnd * 2 + 1];
	randombytes_buf(rnd, sizeof rnd);
	sodium_bin2hex(hex, sizeof hex, rnd, sizeof rnd);
	const char *at = strchr(ctx->settings->mail_from, '@');
	snprintf(buf, len, "brk-%lld-%s-%s@%s", (long long)offer_id, store_mail_kind_name(kind), hex,
	         at ? at + 1 : "localhost");
}

static enum bk_status queue(struct bk_ctx *ctx, const struct store_offer *o, const struct store_provider *p,
                            enum store_mail_kind kind, const char *subject, const char *body)
{
	struct store_outbox m = {
		.kind = kind,
		.offer_id = o->id,
		.referral_id = o->referral_id,
		.provider_id = p->id,
		.queued_at = ctx->now,
	};
	make_message_id(ctx, o->id, kind, m.message_id, sizeof m.message_id);
	snprintf(m.recipients, sizeof m.recipients, "%s", p->emails);
	struct bk_mail_out out = {
		.from = ctx->settings->mail_from,
		.reply_to = ctx->settings->mail_reply_to[0] ? ctx->settings->mail_reply_to : ctx->settings->mail_from,
		.to_name = p->name,
		.to = p->emails,
		.subject = subject,
		.body = body,
		.message_id = m.message_id,
		.date = ctx->now,
	};
	char err[256];
	char *text = bk_mail_write(&out, err, sizeof err);
	if (!text)
		return bk_fail(ctx, BK_STORAGE, "the message to %s could not be written: %s", p->name, err);
	enum store_status ss = store_outbox_add(ctx->store, &m, text);
	free(text);
	if (ss != STORE_OK)
		return bk_from_store(ctx, ss);
	ctx->mail_queued++;
	return BK_OK;
}

/* The provider, when it takes mail: addresses kept and mail switched on. */
static enum bk_status mail_provider(struct bk_ctx *ctx, int64_t id, struct store_provider *p, bool *by_mail)
{
	*by_mail = false;
	if (!mail_on(ctx))
		return BK_OK;
	enum store_status ss = store_provider_by_id(ctx->store, id, p);
	if (ss != STORE_OK)
		return bk_from_store(ctx, ss);
	*by_mail = p->emails[0] != '\0';
	return BK_OK;
}

enum bk_status bk_mail_queue_offer(struct bk_ctx *ctx, const struct store_referral *r, const struct store_offer *o)
{
	struct store_provider p;
	bool by_mail;
	enum bk_status st = mail_provider(ctx, o->provider_id, &p, &by_mail);
	if (st != BK_OK || !by_mail)
		return st;
	char token[BK_TOKEN_MAX];
	if ((st = bk_mail_token(ctx, o->id, token, sizeof token)) != BK_OK)
		return st;
	const struct bk_settings *s = ctx->settings;
	char subject[512], when[48] = "";
	struct text sub = { subject, sizeof subject, 0 };
	add(&sub, "[%s] Care package offer", token);
	if (field(s, BK_MAIL_LOT))
		add(&sub, ": lot %d", r->lot);
	if (field(s, BK_MAIL_DISTRICT))
		add(&sub, "%s %s", field(s, BK_MAIL_LOT) ? "," : ":", r->district);
	if (field(s, BK_MAIL_DEADLINE)) {
		cal_format_local(o->deadline_at, when, sizeof when);
		add(&sub, " - answer by %s", when);
	}
	char body[4096];
	struct text t = { body, sizeof body, 0 };
	add(&t, "Dear %s,\n\nThe council offers you the care package below under the framework\n", p.name);
	add(&t, "(you are approached as rank %d for its lot and district).\n\n", o->rank);
	facts(ctx, &t, r, o);
	how_to_answer(ctx, &t, token);
	add(&t, "%s", footer);
	return queue(ctx, o, &p, STORE_MAIL_OFFER, subject, body);
}

static bool went_by_mail(struct bk_ctx *ctx, int64_t offer_id, enum bk_status *st)
{
	bool has = false;
	enum store_status ss = store_outbox_has(ctx->store, offer_id, STORE_MAIL_OFFER, &has);
	*st = ss == STORE_OK ? BK_OK : bk_from_store(ctx, ss);
	return has;
}

enum bk_status bk_mail_queue_notice(struct bk_ctx *ctx, const struct store_offer *o, enum bk_mail_notice why)
{
	struct store_provider p;
	bool by_mail, has;
	enum bk_status st = mail_provider(ctx, o->provider_id, &p, &by_mail);
	if (st != BK_OK || !by_mail || !went_by_mail(ctx, o->id, &st))
		return st;
	/* told once: a second ending of the same offer says nothing more */
	enum store_status ss = store_outbox_has(ctx->store, o->id, STORE_MAIL_NOTICE, &has);
	if (ss != STORE_OK)
		return bk_from_store(ctx, ss);
	if (has)
		return BK_OK;
	struct store_referral r;
	if ((ss = store_referral_get(ctx->store, o->referral_id, &r)) != STORE_OK)
		return bk_from_store(ctx, ss);
	char token[BK_TOKEN_MAX];
	if ((st = bk_mail_token(ctx, o->id, token, sizeof token)) != BK_OK)
		return st;
	static const char *const heads[] = {
		[BK_NOTICE_PAUSED] = "Offer withdrawn: the referral is on hold",
		[BK_NOTICE_WITHDRAWN] = "Offer withdrawn: the referral is no longer needed",
		[BK_NOTICE_PLACED] = "Offer withdrawn: the package has been placed",
		[BK_NOTICE_NOT_SELECTED] = "Not selected: the package has been placed",
		[BK_NOTICE_SPOT] = "Offer withdrawn: the package is being sourced another way",
	};
	static const char *const words[] = {
		[BK_NOTICE_PAUSED] = "The referral has been put on hold, so the council withdraws its offer.\n"
				     "No answer is needed. If it resumes, you may be approached again.\n",
		[BK_NOTICE_WITHDRAWN] = "The referral is no longer needed, so the council withdraws its offer.\n"
					"No answer is needed.\n",
		[BK_NOTICE_PLACED] = "The package has been placed with another provider, so the council\n"
				     "withdraws its offer. No answer is needed.\n",
		[BK_NOTICE_NOT_SELECTED] = "Thank you for accepting. The offer went to several providers at once,\n"
					   "and the package has been placed with a provider ranked higher on the\n"
					   "framework, so your acceptance was not selected.\n",
		[BK_NOTICE_SPOT] = "No framework provider could take the package, so it is being sourced\n"
				   "another way and the council withdraws its offer. No answer is needed.\n",
	};
	if ((unsigned)why > BK_NOTICE_SPOT)
		return bk_fail(ctx, BK_STORAGE, "an unknown kind of notice");
	char subject[512], body[2048];
	snprintf(subject, sizeof subject, "[%s] %s", token, heads[why]);
	struct text t = { body, sizeof body, 0 };
	add(&t, "Dear %s,\n\n", p.name);
	if (field(ctx->settings, BK_MAIL_CASE))
		add(&t, "About the offer of case reference %s:\n\n", r.case_ref);
	add(&t, "%s", words[why]);
	add(&t, "%s", footer);
	return queue(ctx, o, &p, STORE_MAIL_NOTICE, subject, body);
}

/* ---- chasers ---- */

typedef struct {
	VEC(struct store_offer) o;
	bool failed;
} offer_vec;

static int collect_open(void *ud, const struct store_offer *o)
{
	offer_vec *v = ud;
	struct store_offer *e = vec_push(&v->o);
	if (!e) {
		v->failed = true;
		return 1;
	}
	*e = *o;
	return 0;
}

/* Due a chaser: waiting for an answer (a stopped clock is not chased), its
 * deadline still ahead and no more than mail_chase_hours away. */
static bool chase_due(const struct bk_ctx *ctx, const struct store_offer *o)
{
	return o->status == WF_OFFER_SENT && o->deadline_at > ctx->now &&
	       ctx->now >= o->deadline_at - (int64_t)ctx->settings->mail_chase_hours * 3600;
}

static enum bk_status chase_one(struct bk_ctx *ctx, const struct store_offer *seen, bool *queued)
{
	*queued = false;
	struct store_offer o;
	enum store_status ss = store_offer_get(ctx->store, seen->id, &o);
	if (ss != STORE_OK)
		return bk_from_store(ctx, ss);
	struct store_provider p;
	bool by_mail, has;
	enum bk_status st = mail_provider(ctx, o.provider_id, &p, &by_mail);
	if (st != BK_OK || !by_mail || !chase_due(ctx, &o) || !went_by_mail(ctx, o.id, &st))
		return st;
	if ((ss = store_outbox_has(ctx->store, o.id, STORE_MAIL_CHASER, &has)) != STORE_OK)
		return bk_from_store(ctx, ss);
	if (has)
		return BK_OK;
	struct store_referral r;
	if ((ss = store_referral_get(ctx->store, o.referral_id, &r)) != STORE_OK)
		return bk_from_store(ctx, ss);
	char token[BK_TOKEN_MAX], when[48], words[96];
	if ((st = bk_mail_token(ctx, o.id, token, sizeof token)) != BK_OK)
		return st;
	cal_format_local(o.deadline_at, when, sizeof when);
	deadline_words(o.deadline_at, words, sizeof words);
	char subject[512], body[4096];
	snprintf(subject, sizeof subject, "[%s] Reminder: your answer is due by %s", token, when);
	struct text t = { body, sizeof body, 0 };
	add(&t, "Dear %s,\n\nThe council has not yet had your answer to its offer below. Under the\n", p.name);
	add(&t, "framework it is due by %s.\n\n", words);
	facts(ctx, &t, &r, &o);
	how_to_answer(ctx, &t, token);
	add(&t, "%s", footer);
	if ((st = queue(ctx, &o, &p, STORE_MAIL_CHASER, subject, body)) == BK_OK)
		*queued = true;
	return st;
}

struct chase_run {
	const struct store_offer *o;
	bool one; /* a chaser was queued */
};

static enum bk_status chase_tx(struct bk_ctx *ctx, void *ud)
{
	struct chase_run *c = ud;
	c->one = false;
	return chase_one(ctx, c->o, &c->one);
}

enum bk_status bk_mail_chase(struct bk_ctx *ctx, int *queued)
{
	*queued = 0;
	if (!mail_on(ctx))
		return BK_OK;
	offer_vec v = { 0 };
	enum store_status ss = store_offer_each_open(ctx->store, collect_open, &v);
	enum bk_status st = v.failed ? bk_fail(ctx, BK_STORAGE, "out of memory") : bk_from_store(ctx, ss);
	/* each in its own transaction, read again inside it; the sweep
	 * delivers them after (and counts them) */
	bool delivering = ctx->mail_delivering;
	ctx->mail_delivering = true;
	for (size_t i = 0; st == BK_OK && i < v.o.n; i++) {
		if (!chase_due(ctx, &v.o.v[i]))
			continue;
		struct chase_run c = { .o = &v.o.v[i] };
		st = bk_tx_run(ctx, chase_tx, &c);
		if (st == BK_OK && c.one)
			(*queued)++;
	}
	ctx->mail_delivering = delivering;
	vec_free(&v.o);
	return st;
}

/* ---- delivery ---- */

static void claim_name(char *buf, size_t len)
{
	char host[64] = "";
	if (gethostname(host, sizeof host) != 0)
		snprintf(host, sizeof host, "?");
	host[sizeof host - 1] = '\0';
	snprintf(buf, len, "%s:%ld", host, (long)getpid());
}

/* Is the program that claimed the message gone (killed between its claim
 * and its result)? On this host its pid says; from another, the age. */
static bool claim_dead(const struct bk_ctx *ctx, const struct store_outbox *m)
{
	if (!m->claimed_by[0])
		return true;
	char mine[96];
	claim_name(mine, sizeof mine);
	const char *colon = strrchr(m->claimed_by, ':');
	const char *my_colon = strrchr(mine, ':');
	if (colon && my_colon && colon - m->claimed_by == my_colon - mine &&
	    strncmp(m->claimed_by, mine, (size_t)(colon - m->claimed_by)) == 0) {
		long pid = strtol(colon + 1, NULL, 10);
		if (pid <= 0 || pid == (long)getpid())
			return true;
		return kill((pid_t)pid, 0) != 0 && errno == ESRCH;
	}
	return ctx->now - m->claimed_at > CLAIM_STALE || m->claimed_at > ctx->now;
}

/* The command's words: split at spaces, no shell. */
static int split_command(char *cmd, char **argv, int max)
{
	int n = 0;
	for (char *save = NULL, *w = strtok_r(cmd, " ", &save); w && n < max - 1; w = strtok_r(NULL, " ", &save))
		argv[n++] = w;
	argv[n] = NULL;
	return n;
}

static int cloexec_pipe(int fds[2])
{
	if (pipe(fds) != 0)
		return -1;
	if (fcntl(fds[0], F_SETFD, FD_CLOEXEC) != 0 || fcntl(fds[1], F_SETFD, FD_CLOEXEC) != 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	return 0;
}

static void first_line(const char *text, char *buf, size_t len)
{
	size_t n = strcspn(text, "\r\n");
	if (n >= len)
		n = len - 1;
	memcpy(buf, text, n);
	buf[n] = '\0';
	for (char *p = buf; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
}

/* Pipe text to the mail command; true when it took it (exit 0), else the
 * reason in why. */
static bool run_command(const char *command, const char *text, char *why, size_t len)
{
	char cmd[BK_PATH_MAX];
	char *argv[MAX_ARGS];
	snprintf(cmd, sizeof cmd, "%s", command);
	if (split_command(cmd, argv, MAX_ARGS) == 0) {
		snprintf(why, len, "no mail command is set (brokerage.conf mail_command)");
		return false;
	}
	int in[2], err[2];
	if (cloexec_pipe(in) != 0) {
		snprintf(why, len, "could not start %s: %s", argv[0], strerror(errno));
		return false;
	}
	if (cloexec_pipe(err) != 0) {
		snprintf(why, len, "could not start %s: %s", argv[0], strerror(errno));
		close(in[0]);
		close(in[1]);
		return false;
	}
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(why, len, "could not start %s: %s", argv[0], strerror(errno));
		close(in[0]);
		close(in[1]);
		close(err[0]);
		close(err[1]);
		return false;
	}
	if (pid == 0) {
		/* the child: the message on stdin, nothing on the terminal */
		int devnull = open("/dev/null", O_WRONLY);
		if (dup2(in[0], 0) < 0 || dup2(err[1], 2) < 0 || (devnull >= 0 && dup2(devnull, 1) < 0))
			_exit(126);
		signal(SIGPIPE, SIG_DFL);
		execvp(argv[0], argv);
		dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(in[0]);
	close(err[1]);
	struct sigaction ignore = { .sa_handler = SIG_IGN }, old;
	sigemptyset(&ignore.sa_mask);
	sigaction(SIGPIPE, &ignore, &old);
	fcntl(in[1], F_SETFL, O_NONBLOCK);
	size_t left = strlen(text), off = 0;
	char errbuf[512];
	size_t errlen = 0;
	bool timed_out = false;
	time_t until = time(NULL) + COMMAND_SECONDS;
	int wfd = in[1], rfd = err[0];
	if (left == 0) {
		close(wfd);
		wfd = -1;
	}
	while (wfd >= 0 || rfd >= 0) {
		struct pollfd fds[2] = { { .fd = wfd, .events = POLLOUT }, { .fd = rfd, .events = POLLIN } };
		int wait_ms = (int)(until - time(NULL)) * 1000;
		if (wait_ms <= 0) {
			timed_out = true;
			break;
		}
		int r = poll(fds, 2, wait_ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			timed_out = r == 0;
			break;
		}
		if (wfd >= 0 && (fds[0].revents & (POLLOUT | POLLERR | POLLHUP))) {
			ssize_t w = write(wfd, text + off, left);
			if (w > 0) {
				off += (size_t)w;
				left -= (size_t)w;
			}
			if (left == 0 || (w < 0 && errno != EAGAIN && errno != EINTR)) {
				close(wfd);
				wfd = -1;
			}
		}
		if (rfd >= 0 && (fds[1].revents & (POLLIN | POLLERR | POLLHUP))) {
			char chunk[256];
			ssize_t n = read(rfd, chunk, sizeof chunk);
			if (n > 0) {
				size_t keep = sizeof errbuf - 1 - errlen;
				if ((size_t)n < keep)
					keep = (size_t)n;
				memcpy(errbuf + errlen, chunk, keep);
				errlen += keep;
			} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
				close(rfd);
				rfd = -1;
			}
		}
	}
	if (wfd >= 0)
		close(wfd);
	if (rfd >= 0)
		close(rfd);
	errbuf[errlen] = '\0';
	if (timed_out)
		kill(pid, SIGKILL);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	sigaction(SIGPIPE, &old, NULL);
	char said[300];
	first_line(errbuf, said, sizeof said);
	const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0]; /* the program, in short */
	if (timed_out) {
		snprintf(why, len, "%s did not finish within %d seconds", name, COMMAND_SECONDS);
		return false;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && left == 0)
		return true;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && said[0])
		snprintf(why, len, "%s", said);
	else if (WIFEXITED(status))
		snprintf(why, len, "%s exited with status %d%s%s", name, WEXITSTATUS(status), said[0] ? ": " : "",
		         said);
	else if (WIFSIGNALED(status))
		snprintf(why, len, "%s was killed by signal %d", name, WTERMSIG(status));
	else
		snprintf(why, len, "%s did not take the whole message", name);
	return false;
}

static int64_t backoff(int attempts)
{
	int64_t wait = BACKOFF_FIRST;
	for (int i = 1; i < attempts && wait < BACKOFF_MOST; i++)
		wait *= 2;
	return wait < BACKOFF_MOST ? wait : BACKOFF_MOST;
}

/* Claim one message (committed), pipe it, record the result (committed).
 * *outcome: 0 not due or claimed by another, 1 sent, 2 failed, 3 stopped. */
static enum bk_status deliver_one(struct bk_ctx *ctx, int64_t id, int *outcome)
{
	*outcome = 0;
	struct store_outbox m;
	char *text = NULL;
	char mine[96];
	claim_name(mine, sizeof mine);
	enum store_status ss = store_begin(ctx->store);
	if (ss != STORE_OK)
		return bk_from_store(ctx, ss);
	ss = store_outbox_get(ctx->store, id, &m, &text);
	if (ss == STORE_OK && (m.status != STORE_MAIL_QUEUED || m.next_attempt_at > ctx->now || !claim_dead(ctx, &m))) {
		free(text);
		store_rollback(ctx->store);
		return BK_OK;
	}
	if (ss == STORE_OK) {
		snprintf(m.claimed_by, sizeof m.claimed_by, "%s", mine);
		m.claimed_at = ctx->now;
		ss = store_outbox_update(ctx->store, &m);
	}
	if (ss == STORE_OK)
		ss = store_commit(ctx->store);
	else
		store_rollback(ctx->store);
	if (ss != STORE_OK) {
		free(text);
		return bk_from_store(ctx, ss);
	}
	char why[512] = "";
	bool sent = ctx->mail_command ? run_command(ctx->mail_command, text, why, sizeof why) : false;
	if (!ctx->mail_command)
		snprintf(why, sizeof why, "no mail command is set");
	free(text);

	if ((ss = store_begin(ctx->store)) != STORE_OK)
		return bk_from_store(ctx, ss);
	struct store_outbox now;
	ss = store_outbox_get(ctx->store, id, &now, NULL);
	if (ss == STORE_OK && strcmp(now.claimed_by, mine) == 0) {
		now.claimed_by[0] = '\0';
		now.claimed_at = 0;
		now.attempts++;
		now.last_attempt_at = ctx->now;
		if (sent) {
			now.status = STORE_MAIL_SENT;
			now.sent_at = ctx->now;
			now.last_error[0] = '\0';
			*outcome = 1;
		} else {
			snprintf(now.last_error, sizeof now.last_error, "%s", why);
			if (now.attempts >= BK_MAIL_MAX_ATTEMPTS) {
				now.status = STORE_MAIL_STOPPED;
				*outcome = 3;
			} else {
				now.next_attempt_at = ctx->now + backoff(now.attempts);
				*outcome = 2;
			}
		}
		ss = store_outbox_update(ctx->store, &now);
	}
	if (ss == STORE_OK)
		ss = store_commit(ctx->store);
	else
		store_rollback(ctx->store);
	return ss == STORE_OK ? BK_OK : bk_from_store(ctx, ss);
}

enum bk_status bk_mail_deliver_due(struct bk_ctx *ctx, struct bk_mail_flush_result *res)
{
	if (ctx->mail_delivering)
		return BK_OK;
	ctx->mail_delivering = true;
	enum bk_status st = BK_OK;
	int64_t done_upto = 0; /* each message at most once a run, even if due again */
	for (;;) {
		int64_t ids[64];
		int n = 0;
		enum store_status ss = store_outbox_due(ctx->store, ctx->now, ids, 64, &n);
		if (ss != STORE_OK) {
			st = bk_from_store(ctx, ss);
			break;
		}
		int tried = 0;
		for (int i = 0; st == BK_OK && i < n; i++) {
			if (ids[i] <= done_upto)
				continue;
			int outcome;
			st = deliver_one(ctx, ids[i], &outcome);
			tried++;
			if (res && outcome == 1)
				res->sent++;
			else if (res && outcome == 2)
				res->failed++;
			else if (res && outcome == 3)
				res->stopped++;
		}
		for (int i = 0; i < n; i++)
			if (ids[i] > done_upto)
				done_upto = ids[i];
		if (st != BK_OK || tried == 0 || n < 64)
			break;
	}
	ctx->mail_delivering = false;
	return st;
}

void bk_mail_after_commit(struct bk_ctx *ctx)
{
	ctx->mail_queued = 0;
	if (!ctx->mail_command)
		return; /* waits for mail flush or the sweep */
	/* The action is done whatever happens to its mail: a failure is kept
	 * on the message and shown, never given as the action's result. */
	char msg[sizeof ctx->msg];
	memcpy(msg, ctx->msg, sizeof msg);
	bk_mail_deliver_due(ctx, NULL);
	memcpy(ctx->msg, msg, sizeof msg);
}

enum bk_status bk_mail_flush(struct bk_ctx *ctx, struct bk_mail_flush_result *res)
{
	memset(res, 0, sizeof *res);
	enum bk_status st = bk_require(ctx, PERM_WORK_REFERRALS);
	if (st != BK_OK && bk_require(ctx, PERM_SWEEP) != BK_OK)
		return st;
	if (!ctx->mail_command)
		return bk_fail(ctx, BK_REFUSED, "no mail command is set: see mail_command in brokerage.conf(5)");
	if ((st = bk_mail_deliver_due(ctx, res)) != BK_OK)
		return st;
	bk_fail(ctx, BK_OK, "mail: %d sent, %d failed and will be tried again, %d stopped (an officer must look)",
	        res->sent, res->failed, res->stopped);
	return BK_OK;
}

static enum bk_status mail_retry_tx(struct bk_ctx *ctx, void *ud)
{
	int64_t id = *(const int64_t *)ud;
	struct store_outbox m;
	enum store_status ss = store_outbox_get(ctx->store, id, &m, NULL);
	if (ss != STORE_OK)
		return bk_from_store(ctx, ss);
	if (m.status != STORE_MAIL_STOPPED)
		return bk_fail(ctx, BK_REFUSED, "message %lld is %s, not stopped: nothing to retry", (long long)id,
		               m.status == STORE_MAIL_SENT ? "sent" : "waiting to be sent");
	/* the addresses as they are now: the officer may have put them right */
	struct store_provider p;
	if ((ss = store_provider_by_id(ctx->store, m.provider_id, &p)) != STORE_OK)
		return bk_from_store(ctx, ss);
	if (strcmp(p.emails, m.recipients) != 0)
		return bk_fail(ctx, BK_REFUSED,
		               "%s's addresses changed since message %lld was written: phone the "
		               "provider, or withdraw and send the offer again",
		               p.name, (long long)id);
	m.status = STORE_MAIL_QUEUED;
	m.attempts = 0;
	m.next_attempt_at = ctx->now;
	m.claimed_by[0] = '\0';
	m.claimed_at = 0;
	if ((ss = store_outbox_update(ctx->store, &m)) != STORE_OK)
		return bk_from_store(ctx, ss);
	enum bk_status st =
		bk_audit_obj(ctx, "mail.retry", "outbox", m.id, m.referral_id, NULL,
	                     json_pack("{sI ss}", "offer_id", (json_int_t)m.offer_id, "last_error", m.last_error));
	ctx->mail_queued++;
	return st;
}

enum bk_status bk_mail_retry(struct bk_ctx *ctx, int64_t id)
{
	enum bk_status st = bk_require(ctx, PERM_WORK_REFERRALS);
	if (st != BK_OK)
		return st;
	st = bk_tx_run(ctx, mail_retry_tx, &id);
	if (st == BK_OK)
		bk_fail(ctx, BK_OK, "message %lld queued again", (long long)id);
	return st;
}


/* ---- reading ---- */

const char *bk_mail_kind_name(enum store_mail_kind k)
{
	return store_mail_kind_name(k);
}

const char *bk_mail_status_name(enum store_mail_status s)
{
	return store_mail_status_name(s);
}

void bk_mail_state(const struct store_outbox *m, char *buf, size_t len)
{
	char when[48];
	switch (m->status) {
	case STORE_MAIL_SENT:
		cal_format_local(m->sent_at, when, sizeof when);
		snprintf(buf, len, "sent %s", when);
		return;
	case STORE_MAIL_STOPPED:
		snprintf(buf, len,
		         "not delivered: %s (stopped after %d attempts: phone the provider, or put the "
		         "mail right and run 'brokerage mail retry %lld')",
		         m->last_error, m->attempts, (long long)m->id);
		return;
	case STORE_MAIL_QUEUED:
	default:
		if (!m->attempts) {
			snprintf(buf, len, "waiting to be sent");
			return;
		}
		cal_format_local(m->next_attempt_at, when, sizeof when);
		snprintf(buf, len, "not delivered: %s (attempt %d of %d; next try %s)", m->last_error, m->attempts,
		         BK_MAIL_MAX_ATTEMPTS, when);
		return;
	}
}

struct reading {
	struct bk_ctx *ctx;
	bk_mail_fn fn;
	void *ud;
};

static int read_one(void *ud, const struct store_outbox *m)
{
	struct reading *r = ud;
	struct bk_mail_view v = { .m = *m };
	struct store_provider p;
	struct store_referral ref;
	if (store_provider_by_id(r->ctx->store, m->provider_id, &p) == STORE_OK)
		snprintf(v.provider, sizeof v.provider, "%s", p.name);
	if (store_referral_get(r->ctx->store, m->referral_id, &ref) == STORE_OK)
		snprintf(v.case_ref, sizeof v.case_ref, "%s", ref.case_ref);
	v.undelivered = m->status != STORE_MAIL_SENT && m->attempts > 0;
	bk_mail_state(m, v.state, sizeof v.state);
	return r->fn(r->ud, &v);
}

enum bk_status bk_mail_list(struct bk_ctx *ctx, bk_mail_fn fn, void *ud)
{
	enum bk_status st = bk_require(ctx, PERM_READ);
	if (st != BK_OK)
		return st;
	struct reading r = { ctx, fn, ud };
	return bk_from_store(ctx, store_outbox_each(ctx->store, 0, read_one, &r));
}

enum bk_status bk_mail_of_referral(struct bk_ctx *ctx, int64_t referral_id, bk_mail_fn fn, void *ud)
{
	enum bk_status st = bk_require(ctx, PERM_READ);
	if (st != BK_OK)
		return st;
	struct reading r = { ctx, fn, ud };
	return bk_from_store(ctx, store_outbox_each(ctx->store, referral_id, read_one, &r));
}

/* ---- a provider's addresses ---- */

enum bk_status bk_parse_emails(struct bk_ctx *ctx, const char *text, char *out, size_t len)
{
	out[0] = '\0';
	if (!text)
		return BK_OK;
	char copy[2048];
	if (strlen(text) >= sizeof copy)
		return bk_fail(ctx, BK_REFUSED, "--email: the addresses are too long");
	snprintf(copy, sizeof copy, "%s", text);
	size_t off = 0;
	int n = 0;
	for (char *save = NULL, *a = strtok_r(copy, ",", &save); a; a = strtok_r(NULL, ",", &save)) {
		while (*a == ' ' || *a == '\t')
			a++;
		size_t l = strlen(a);
		while (l && (a[l - 1] == ' ' || a[l - 1] == '\t'))
			a[--l] = '\0';
		if (!*a)
			continue;
		const char *why;
		if (!bk_email_valid(a, &why))
			return bk_fail(ctx, BK_REFUSED, "--email: '%s' is not a mail address: %s", a, why);
		for (char *p = a; *p; p++) /* the domain is compared without case; keep the local part */
			if (p > strchr(a, '@') && *p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		char key[BK_EMAIL_MAX + 3];
		snprintf(key, sizeof key, ",%s,", a);
		char have[2200];
		snprintf(have, sizeof have, ",%s,", out);
		if (strstr(have, key))
			continue; /* named twice */
		if (++n > 8)
			return bk_fail(ctx, BK_REFUSED, "--email: give at most 8 addresses");
		int w = snprintf(out + off, len - off, "%s%s", off ? "," : "", a);
		if (w < 0 || (size_t)w >= len - off)
			return bk_fail(ctx, BK_REFUSED, "--email: the addresses are too long");
		off += (size_t)w;
	}
	if (strlen(text) && !n && strspn(text, " \t,") != strlen(text))
		return bk_fail(ctx, BK_REFUSED, "--email: no address given");
	return BK_OK;
}

/* ---- the Chase list ---- */

const char *bk_chase_kind_name(enum bk_chase_kind k)
{
	switch (k) {
	case BK_CHASE_DUE_TODAY:
		return "due today";
	case BK_CHASE_UNDELIVERED:
		return "not delivered";
	case BK_CHASE_INFO:
		return "information asked";
	}
	return "?";
}

typedef struct {
	VEC(struct store_outbox) m;
	bool failed;
} outbox_vec;

static int collect_unsent(void *ud, const struct store_outbox *m)
{
	outbox_vec *v = ud;
	if (m->attempts == 0)
		return 0; /* waiting for its first try: nothing to chase yet */
	struct store_outbox *e = vec_push(&v->m);
	if (!e) {
		v->failed = true;
		return 1;
	}
	*e = *m;
	return 0;
}

static int by_deadline(const void *a, const void *b)
{
	const struct store_offer *x = a, *y = b;
	return x->deadline_at < y->deadline_at   ? -1
	       : x->deadline_at > y->deadline_at ? 1
	                                         : (x->id > y->id) - (x->id < y->id);
}

static int by_asked(const void *a, const void *b)
{
	const struct store_offer *x = a, *y = b;
	return x->info_requested_at < y->info_requested_at   ? -1
	       : x->info_requested_at > y->info_requested_at ? 1
	                                                     : (x->id > y->id) - (x->id < y->id);
}

static int stopped_first(const void *a, const void *b)
{
	const struct store_outbox *x = a, *y = b;
	bool xs = x->status == STORE_MAIL_STOPPED, ys = y->status == STORE_MAIL_STOPPED;
	if (xs != ys)
		return xs ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

/* The referral's case and holder, the provider's name. */
static void chase_names(struct bk_ctx *ctx, struct bk_chase_row *r, int64_t provider_id)
{
	struct store_referral ref;
	struct store_provider p;
	struct store_staff s;
	if (store_referral_get(ctx->store, r->referral_id, &ref) == STORE_OK) {
		snprintf(r->case_ref, sizeof r->case_ref, "%s", ref.case_ref);
		if (ref.holder_id && store_staff_by_id(ctx->store, ref.holder_id, &s) == STORE_OK)
			snprintf(r->holder, sizeof r->holder, "%s", s.login);
	}
	if (store_provider_by_id(ctx->store, provider_id, &p) == STORE_OK)
		snprintf(r->provider, sizeof r->provider, "%s", p.name);
}

enum bk_status bk_chase_list(struct bk_ctx *ctx, bk_chase_fn fn, void *ud)
{
	enum bk_status st = bk_require(ctx, PERM_READ);
	if (st != BK_OK)
		return st;
	offer_vec open = { 0 };
	outbox_vec mail = { 0 };
	enum store_status ss = store_offer_each_open(ctx->store, collect_open, &open);
	if (ss == STORE_OK && !open.failed)
		ss = store_outbox_each(ctx->store, 0, collect_unsent, &mail);
	if (open.failed || mail.failed)
		st = bk_fail(ctx, BK_STORAGE, "out of memory");
	else if (ss != STORE_OK)
		st = bk_from_store(ctx, ss);
	int32_t today;
	cal_local(ctx->now, &today, NULL);
	bool stop = false;
	/* due today, earliest first */
	if (st == BK_OK && open.o.n > 1)
		qsort(open.o.v, open.o.n, sizeof open.o.v[0], by_deadline);
	for (size_t i = 0; st == BK_OK && !stop && i < open.o.n; i++) {
		const struct store_offer *o = &open.o.v[i];
		int32_t day;
		cal_local(o->deadline_at, &day, NULL);
		if (o->status != WF_OFFER_SENT || day != today)
			continue;
		struct bk_chase_row r = { .kind = BK_CHASE_DUE_TODAY,
			                  .referral_id = o->referral_id,
			                  .offer_id = o->id,
			                  .when = o->deadline_at };
		chase_names(ctx, &r, o->provider_id);
		char when[48];
		cal_format_local(o->deadline_at, when, sizeof when);
		snprintf(r.what, sizeof r.what, "%s by %s", o->deadline_at <= ctx->now ? "was due" : "answer due",
		         when);
		stop = fn(ud, &r) != 0;
	}
	/* undelivered: stopped first, then oldest */
	if (st == BK_OK && mail.m.n > 1)
		qsort(mail.m.v, mail.m.n, sizeof mail.m.v[0], stopped_first);
	for (size_t i = 0; st == BK_OK && !stop && i < mail.m.n; i++) {
		const struct store_outbox *m = &mail.m.v[i];
		struct bk_chase_row r = { .kind = BK_CHASE_UNDELIVERED,
			                  .referral_id = m->referral_id,
			                  .offer_id = m->offer_id,
			                  .message_id = m->id,
			                  .when = m->queued_at,
			                  .stopped = m->status == STORE_MAIL_STOPPED };
		chase_names(ctx, &r, m->provider_id);
		char state[600];
		bk_mail_state(m, state, sizeof state);
		snprintf(r.what, sizeof r.what, "%s: %s", store_mail_kind_name(m->kind), state);
		stop = fn(ud, &r) != 0;
	}
	/* information asked, oldest first */
	if (st == BK_OK && open.o.n > 1)
		qsort(open.o.v, open.o.n, sizeof open.o.v[0], by_asked);
	for (size_t i = 0; st == BK_OK && !stop && i < open.o.n; i++) {
		const struct store_offer *o = &open.o.v[i];
		if (o->status != WF_OFFER_INFO_REQUESTED)
			continue;
		struct bk_chase_row r = { .kind = BK_CHASE_INFO,
			                  .referral_id = o->referral_id,
			                  .offer_id = o->id,
			                  .when = o->info_requested_at };
		chase_names(ctx, &r, o->provider_id);
		char when[48];
		cal_format_local(o->info_requested_at, when, sizeof when);
		snprintf(r.what, sizeof r.what, "asked %s: %.500s", when,
		         o->reason[0] ? o->reason : "(no question recorded)");
		stop = fn(ud, &r) != 0;
	}
	vec_free(&open.o);
	vec_free(&mail.m);
	return st;
}
