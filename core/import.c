/* Import of providers, rankings and referrals from CSV files (RFC 4180,
 * through libcsv; UTF-8 with or without a byte-order mark; CRLF or LF).
 * All or nothing: every record is checked, every bad one is listed as
 * FILE:LINE: column: what is wrong, and only a file with none is written,
 * in one transaction. A file imported before is refused (its SHA-256 is
 * kept in meta), and records that exist already are skipped, so an import
 * never makes a duplicate. */
#include <csv.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/internal.h"
#include "core/mail_token.h"
#include "core/report.h"
#include "core/text.h"
#include "core/vec.h"
#include "storage/store_data.h"

/* Bounded memory on any input: the 100,000-referral demo exports to about
 * 12 MB; a line longer than any record could be is not a CSV of ours. */
#define MAX_FILE_BYTES ((size_t)64 << 20)
#define MAX_LINE_BYTES ((size_t)64 << 10)
#define MAX_NOTE 2000
#define PROGRESS_OVER 5000
#define PROGRESS_EVERY 1000

/* An array v of elem-byte items with room for *cap, given room for need,
 * by core/vec.h's growth (doubling), the first room at least `first` (a
 * power of two). Returns the array (v itself when it had the room), or
 * NULL when memory runs out, leaving v and *cap as they were. */
static void *grown(void *v, size_t elem, size_t need, size_t *cap, size_t first)
{
	if (!vec_reserve_(&v, cap, *cap == 0 && need < first ? first : need, elem))
		return NULL;
	return v;
}

/* ---- errors ---- */

struct errors {
	const char *file;
	char *s;
	size_t len, cap;
	int n;
	bool failed;
};

static void err_add(struct errors *e, int line, const char *column, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void err_add(struct errors *e, int line, const char *column, const char *fmt, ...)
{
	char msg[1024], full[1400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	int w = column ? snprintf(full, sizeof full, "%s:%d: %s: %s\n", e->file, line, column, msg)
	               : snprintf(full, sizeof full, "%s:%d: %s\n", e->file, line, msg);
	if (w < 0)
		return;
	size_t n = strlen(full);
	e->n++;
	char *s = grown(e->s, 1, e->len + n + 1, &e->cap, 4096);
	if (!s) {
		e->failed = true;
		return;
	}
	e->s = s;
	memcpy(e->s + e->len, full, n + 1);
	e->len += n;
}

/* ---- parsing ---- */

struct record {
	int line;     /* physical line where it starts */
	size_t first; /* index of its first field in fields[] */
	int n;
};

struct parsed {
	char *arena; /* field texts, NUL-terminated */
	size_t used, cap;
	size_t *fields; /* offsets into arena */
	size_t n_fields, cap_fields;
	struct record *recs;
	int n_recs;
	size_t cap_recs;
	int line;     /* the line being fed */
	int rec_line; /* where the record being read began */
	size_t rec_first;
	size_t *nuls; /* fields (indexes into fields[]) that held a NUL byte */
	size_t n_nuls, cap_nuls;
	bool failed;
};

static void on_field(void *data, size_t len, void *ud)
{
	struct parsed *p = ud;
	if (p->failed)
		return;
	char *a = grown(p->arena, 1, p->used + len + 1, &p->cap, 65536);
	size_t *f = a ? grown(p->fields, sizeof *f, p->n_fields + 1, &p->cap_fields, 4096) : NULL;
	if (a)
		p->arena = a;
	if (!f) {
		p->failed = true;
		return;
	}
	p->fields = f;
	/* A NUL would end the text where C reads it: the field is refused, never cut short. */
	if (len && memchr(data, '\0', len)) {
		size_t *nl = grown(p->nuls, sizeof *nl, p->n_nuls + 1, &p->cap_nuls, 16);
		if (!nl) {
			p->failed = true;
			return;
		}
		p->nuls = nl;
		p->nuls[p->n_nuls++] = p->n_fields;
	}
	char *dst = p->arena + p->used;
	size_t k = 0;
	const char *src = data;
	/* Undo the quote our exports put before a formula-looking cell, so an
	 * exported file imports as it was. */
	if (len >= 2 && src[0] == '\'' && strchr("=+-@\t\r", src[1])) {
		src++;
		len--;
	}
	for (size_t i = 0; i < len; i++) {
		/* A line break inside a quoted field is kept as a plain newline. */
		if (src[i] == '\r' && i + 1 < len && src[i + 1] == '\n')
			continue;
		dst[k++] = src[i];
	}
	dst[k] = '\0';
	p->fields[p->n_fields++] = p->used;
	p->used += k + 1;
}

static void on_record(int c, void *ud)
{
	(void)c;
	struct parsed *p = ud;
	if (p->failed)
		return;
	struct record *r = grown(p->recs, sizeof *r, (size_t)p->n_recs + 1, &p->cap_recs, 1024);
	if (!r) {
		p->failed = true;
		return;
	}
	p->recs = r;
	p->recs[p->n_recs].line = p->rec_line;
	p->recs[p->n_recs].first = p->rec_first;
	p->recs[p->n_recs].n = (int)(p->n_fields - p->rec_first);
	p->n_recs++;
	p->rec_first = p->n_fields;
}

static const char *field(const struct parsed *p, const struct record *r, int i)
{
	if (i < 0 || i >= r->n)
		return "";
	return p->arena + p->fields[r->first + (size_t)i];
}

static void parsed_free(struct parsed *p)
{
	free(p->arena);
	free(p->fields);
	free(p->recs);
	free(p->nuls);
}

/* Feed the file line by line so each record knows the physical line it
 * starts on: a line starts a record when it begins outside quotes. */
static bool parse_csv(const char *data, size_t len, struct parsed *p, struct errors *e)
{
	memset(p, 0, sizeof *p);
	if (len >= 3 && (unsigned char)data[0] == 0xEF && (unsigned char)data[1] == 0xBB &&
	    (unsigned char)data[2] == 0xBF) {
		data += 3;
		len -= 3;
	}
	struct csv_parser cp;
	if (csv_init(&cp, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
		p->failed = true;
		return false;
	}
	bool in_quotes = false, ok = true;
	size_t pos = 0;
	p->line = 0;
	while (pos < len && ok && !p->failed) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (data + pos)) + 1 : len - pos;
		p->line++;
		if (!in_quotes)
			p->rec_line = p->line;
		for (size_t i = 0; i < n; i++)
			if (data[pos + i] == '"')
				in_quotes = !in_quotes;
		if (csv_parse(&cp, data + pos, n, on_field, on_record, p) != n) {
			err_add(e, p->line, NULL,
			        "the CSV is malformed (%s): a quote inside an unquoted field, or text after "
			        "a closing quote; quote a field that holds a quote and double the quote inside it",
			        csv_strerror(csv_error(&cp)));
			ok = false;
		}
		pos += n;
	}
	if (ok && !p->failed && csv_fini(&cp, on_field, on_record, p) != 0) {
		err_add(e, p->rec_line, NULL, "a quoted field is not closed before the end of the file");
		ok = false;
	}
	csv_free(&cp);
	return ok && !p->failed;
}

/* ---- columns ---- */

struct colspec {
	const char *name;
	bool required;
};

/* Map the header onto the kind's columns: idx[i] is the field index of
 * spec[i], -1 when absent. Ignored names are accepted and not used. */
static bool map_header(const struct parsed *p, const struct record *h, const struct colspec *spec, int nspec,
                       const char *const *ignored, int *idx, struct errors *e)
{
	bool ok = true;
	for (int i = 0; i < nspec; i++)
		idx[i] = -1;
	for (int f = 0; f < h->n; f++) {
		char name[96];
		const char *raw = field(p, h, f);
		while (*raw == ' ' || *raw == '\t')
			raw++;
		snprintf(name, sizeof name, "%s", raw);
		size_t n = strlen(name);
		while (n && (name[n - 1] == ' ' || name[n - 1] == '\t'))
			name[--n] = '\0';
		bool found = false;
		for (int i = 0; i < nspec; i++) {
			if (strcasecmp(spec[i].name, name) != 0)
				continue;
			found = true;
			if (idx[i] >= 0) {
				err_add(e, h->line, name, "the column is named twice in the header");
				ok = false;
			}
			idx[i] = f;
		}
		for (int k = 0; !found && ignored && ignored[k]; k++)
			found = strcasecmp(ignored[k], name) == 0;
		if (!found) {
			char known[512];
			size_t off = 0;
			for (int i = 0; i < nspec && off < sizeof known; i++)
				off += (size_t)snprintf(known + off, sizeof known - off, "%s%s", i ? ", " : "",
				                        spec[i].name);
			err_add(e, h->line, name[0] ? name : "(empty)", "not a known column; the columns are: %s",
			        known);
			ok = false;
		}
	}
	for (int i = 0; i < nspec; i++)
		if (spec[i].required && idx[i] < 0) {
			err_add(e, h->line, spec[i].name, "this column is required but the header lacks it");
			ok = false;
		}
	return ok;
}

/* A field's value with surrounding blanks removed, in buf. */
static const char *value(const struct parsed *p, const struct record *r, const int *idx, int col, char *buf, size_t len)
{
	if (idx[col] < 0) {
		buf[0] = '\0';
		return buf;
	}
	const char *s = field(p, r, idx[col]);
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s); /* cut to the buffer as a printf would, without one (a dozen a record) */
	if (n >= len)
		n = len - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	while (n && (buf[n - 1] == ' ' || buf[n - 1] == '\t' || buf[n - 1] == '\r' || buf[n - 1] == '\n'))
		buf[--n] = '\0';
	return buf;
}

static bool valid_utf8_record(const struct parsed *p, const struct record *r, const struct record *h, struct errors *e)
{
	bool ok = true;
	for (int f = 0; f < r->n; f++) {
		bool nul = false;
		for (size_t k = 0; k < p->n_nuls && !nul; k++)
			nul = p->nuls[k] == r->first + (size_t)f;
		if (nul) {
			err_add(e, r->line, field(p, h, f), "holds a NUL byte (a control character): remove it");
			ok = false;
			continue;
		}
		const char *s = field(p, r, f);
		size_t n = strlen(s);
		char *clean = malloc(n * 3 + 1);
		if (!clean)
			return false;
		text_utf8_clean(s, clean, n * 3 + 1);
		if (strcmp(clean, s) != 0) {
			err_add(e, r->line, field(p, h, f), "not valid UTF-8 text (save the file as UTF-8)");
			ok = false;
		}
		free(clean);
	}
	return ok;
}

static bool yes_no(const char *v, int *out)
{
	if (!*v)
		return false;
	if (!strcasecmp(v, "yes") || !strcasecmp(v, "y") || !strcasecmp(v, "true") || !strcmp(v, "1")) {
		*out = 1;
		return true;
	}
	if (!strcasecmp(v, "no") || !strcasecmp(v, "n") || !strcasecmp(v, "false") || !strcmp(v, "0")) {
		*out = 0;
		return true;
	}
	return false;
}

static bool parse_whole(const char *v, long lo, long hi, long *out)
{
	char *end = NULL;
	errno = 0;
	long x = strtol(v, &end, 10);
	if (!*v || *end || errno || x < lo || x > hi)
		return false;
	*out = x;
	return true;
}

/* ---- a small hash set of keys seen in this file ---- */

struct seen {
	char **keys;
	int *lines;
	size_t cap, n;
};

static uint64_t hash_key(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* Returns the line the key was first seen on, 0 when new (and adds it);
 * -1 when out of memory. */
static int seen_add(struct seen *s, const char *key, int line)
{
	if ((s->n + 1) * 2 > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 1024;
		char **keys = calloc(cap, sizeof *keys);
		int *lines = calloc(cap, sizeof *lines);
		if (!keys || !lines) {
			free(keys);
			free(lines);
			return -1;
		}
		for (size_t i = 0; i < s->cap; i++) {
			if (!s->keys[i])
				continue;
			size_t j = hash_key(s->keys[i]) & (cap - 1);
			while (keys[j])
				j = (j + 1) & (cap - 1);
			keys[j] = s->keys[i];
			lines[j] = s->lines[i];
		}
		free(s->keys);
		free(s->lines);
		s->keys = keys;
		s->lines = lines;
		s->cap = cap;
	}
	size_t j = hash_key(key) & (s->cap - 1);
	while (s->keys[j]) {
		if (strcmp(s->keys[j], key) == 0)
			return s->lines[j];
		j = (j + 1) & (s->cap - 1);
	}
	s->keys[j] = strdup(key);
	if (!s->keys[j])
		return -1;
	s->lines[j] = line;
	s->n++;
	return 0;
}

static void seen_free(struct seen *s)
{
	for (size_t i = 0; i < s->cap; i++)
		free(s->keys[i]);
	free(s->keys);
	free(s->lines);
}

/* ---- one import ---- */

/* Where a provider stands in the ranking of a lot and district, as read
 * in this transaction (an import of referrals changes no ranking). */
struct ranked_memo {
	int lot;
	char district[64];
	int64_t id;
	int rank, capacity;
};
#define RANKED_MEMO 512

struct job {
	struct bk_ctx *ctx;
	const char *name;
	struct parsed p;
	struct errors e;
	struct bk_import_result *res;
	bk_progress_fn progress;
	void *ud;
	int total;
	struct ranked_memo *ranked; /* RANKED_MEMO of them, n_ranked read; NULL: none kept */
	int n_ranked;
};

static void tick(struct job *j, int done)
{
	if (j->progress && j->total > PROGRESS_OVER && (done % PROGRESS_EVERY == 0 || done == j->total))
		j->progress(j->ud, done, j->total);
}

static bool fields_match(struct job *j, const struct record *r, const struct record *h)
{
	if (r->n == h->n)
		return true;
	err_add(&j->e, r->line, NULL, "%d field%s where the header has %d", r->n, r->n == 1 ? "" : "s", h->n);
	return false;
}

/* Data record i, counted and shown in the progress: NULL (its errors
 * listed) unless it has the header's number of fields and valid UTF-8. */
static const struct record *data_record(struct job *j, int i, const struct record *h)
{
	const struct record *r = &j->p.recs[i];
	tick(j, i);
	j->res->rows++;
	return fields_match(j, r, h) && valid_utf8_record(&j->p, r, h, &j->e) ? r : NULL;
}

/* ---- providers ---- */

enum { P_NAME, P_FRAMEWORK, P_CQC, P_AGES, P_RISK, P_PAMMS, P_RATE, P_EMBARGO, P_ACTIVE, P_CAPACITY, P_COUNT };
static const struct colspec provider_cols[P_COUNT] = {
	{ "name", true },   { "framework", false }, { "cqc", false },     { "ages", false },   { "risk", false },
	{ "pamms", false }, { "rate", false },      { "embargo", false }, { "active", false }, { "capacity", false },
};

static void import_providers(struct job *j, const struct record *h)
{
	int idx[P_COUNT];
	if (!map_header(&j->p, h, provider_cols, P_COUNT, NULL, idx, &j->e))
		return;
	struct seen names = { 0 };
	for (int i = 1; i < j->p.n_recs; i++) {
		const struct record *r = data_record(j, i, h);
		if (!r)
			continue;
		char v[P_COUNT][512];
		for (int c = 0; c < P_COUNT; c++)
			value(&j->p, r, idx, c, v[c], sizeof v[c]);
		struct bk_provider_input in = { .name = v[P_NAME], .active = -1, .framework = -1 };
		int yn;
		bool ok = true;
		if (!v[P_NAME][0]) {
			err_add(&j->e, r->line, "name", "the provider's name is empty");
			continue;
		}
		char lower[512];
		size_t k = 0;
		for (; v[P_NAME][k] && k + 1 < sizeof lower; k++)
			lower[k] = (char)(v[P_NAME][k] >= 'A' && v[P_NAME][k] <= 'Z' ? v[P_NAME][k] - 'A' + 'a'
			                                                             : v[P_NAME][k]);
		lower[k] = '\0';
		int first = seen_add(&names, lower, r->line);
		if (first > 0) {
			err_add(&j->e, r->line, "name", "%s is named already on line %d", v[P_NAME], first);
			continue;
		}
		if (v[P_FRAMEWORK][0]) {
			if (yes_no(v[P_FRAMEWORK], &yn))
				in.framework = yn;
			else {
				err_add(&j->e, r->line, "framework", "'%s' is not yes or no", v[P_FRAMEWORK]);
				ok = false;
			}
		}
		if (v[P_ACTIVE][0]) {
			if (yes_no(v[P_ACTIVE], &yn))
				in.active = yn;
			else {
				err_add(&j->e, r->line, "active", "'%s' is not yes or no", v[P_ACTIVE]);
				ok = false;
			}
		}
		in.cqc = v[P_CQC][0] ? v[P_CQC] : NULL;
		in.ages = v[P_AGES][0] ? v[P_AGES] : NULL;
		in.risk = v[P_RISK][0] ? v[P_RISK] : NULL;
		in.pamms = v[P_PAMMS][0] ? v[P_PAMMS] : NULL;
		in.rate = v[P_RATE][0] ? v[P_RATE] : NULL;
		int64_t pence;
		char msg[256];
		if (in.rate && !money_parse_rate(in.rate, &pence, msg, sizeof msg)) {
			err_add(&j->e, r->line, "rate", "%s", msg);
			ok = false;
		}
		in.embargo = v[P_EMBARGO][0] ? v[P_EMBARGO] : NULL;
		char *save = NULL;
		for (char *tok = strtok_r(v[P_CAPACITY], ";", &save); tok && in.n_capacity < BK_MAX_DISTRICTS;
		     tok = strtok_r(NULL, ";", &save)) {
			while (*tok == ' ')
				tok++;
			if (*tok)
				in.capacity[in.n_capacity++] = tok;
		}
		if (!ok)
			continue;
		struct store_provider existing;
		enum store_status ss = store_provider_by_name(j->ctx->store, v[P_NAME], &existing);
		if (ss == STORE_OK) {
			j->res->skipped++;
			continue;
		}
		if (ss != STORE_NOT_FOUND) {
			err_add(&j->e, r->line, NULL, "%s", store_errmsg(j->ctx->store));
			break;
		}
		int64_t id = 0;
		enum bk_status st = bk_provider_add(j->ctx, &in, &id);
		if (st != BK_OK) {
			/* The core says "--cqc: ..."; the file says "cqc: ...". */
			const char *m = j->ctx->msg;
			err_add(&j->e, r->line, NULL, "%s", m[0] == '-' && m[1] == '-' ? m + 2 : m);
			if (st == BK_STORAGE)
				break;
			continue;
		}
		j->res->added++;
	}
	seen_free(&names);
}

/* ---- rankings ---- */

enum { K_LOT, K_DISTRICT, K_RANK, K_PROVIDER, K_COUNT };
static const struct colspec ranking_cols[K_COUNT] = {
	{ "lot", true },
	{ "district", true },
	{ "rank", true },
	{ "provider", true },
};

struct rank_entry {
	int lot, district, rank, line;
	char provider[512];
	int64_t provider_id;
};

static int cmp_rank_entry(const void *a, const void *b)
{
	const struct rank_entry *x = a, *y = b;
	if (x->lot != y->lot)
		return x->lot - y->lot;
	if (x->district != y->district)
		return x->district - y->district;
	return x->rank - y->rank;
}

struct current_rank {
	int64_t ids[256];
	int n;
};

static int collect_current(void *ud, const struct store_rank *r)
{
	struct current_rank *c = ud;
	if (c->n < 256)
		c->ids[c->n++] = r->provider_id;
	return 0;
}

static void import_rankings(struct job *j, const struct record *h)
{
	int idx[K_COUNT];
	if (!map_header(&j->p, h, ranking_cols, K_COUNT, NULL, idx, &j->e))
		return;
	const struct bk_settings *s = j->ctx->settings;
	struct rank_entry *v = calloc((size_t)(j->p.n_recs ? j->p.n_recs : 1), sizeof *v);
	if (!v) {
		j->e.failed = true;
		return;
	}
	int n = 0;
	for (int i = 1; i < j->p.n_recs; i++) {
		const struct record *r = data_record(j, i, h);
		if (!r)
			continue;
		char val[K_COUNT][256];
		for (int c = 0; c < K_COUNT; c++)
			value(&j->p, r, idx, c, val[c], sizeof val[c]);
		struct rank_entry x = { .line = r->line };
		bool ok = true;
		long lv;
		if (!parse_whole(val[K_LOT], 1, 99, &lv) || !bk_settings_lot(s, (int)lv)) {
			err_add(&j->e, r->line, "lot", "'%s' is not a configured lot number", val[K_LOT]);
			ok = false;
		} else {
			x.lot = (int)lv;
		}
		x.district = bk_settings_district_index(s, val[K_DISTRICT]);
		if (x.district < 0) {
			err_add(&j->e, r->line, "district", "'%s' is not a configured district", val[K_DISTRICT]);
			ok = false;
		}
		if (!parse_whole(val[K_RANK], 1, 200, &lv)) {
			err_add(&j->e, r->line, "rank", "'%s' is not a rank from 1 to 200", val[K_RANK]);
			ok = false;
		} else {
			x.rank = (int)lv;
		}
		struct store_provider p;
		enum store_status ss = store_provider_by_name(j->ctx->store, val[K_PROVIDER], &p);
		if (ss == STORE_NOT_FOUND) {
			err_add(&j->e, r->line, "provider",
			        "there is no provider named '%s' (import the providers first)", val[K_PROVIDER]);
			ok = false;
		} else if (ss != STORE_OK) {
			err_add(&j->e, r->line, NULL, "%s", store_errmsg(j->ctx->store));
			break;
		} else if (!p.framework) {
			err_add(&j->e, r->line, "provider", "%s is not on the framework, so it cannot be ranked",
			        p.name);
			ok = false;
		} else {
			snprintf(x.provider, sizeof x.provider, "%s", p.name);
			x.provider_id = p.id;
		}
		if (!ok)
			continue;
		for (int k = 0; k < n; k++) {
			if (v[k].lot != x.lot || v[k].district != x.district)
				continue;
			if (v[k].rank == x.rank) {
				err_add(&j->e, r->line, "rank", "rank %d of lot %d in %s is given already on line %d",
				        x.rank, x.lot, s->districts[x.district].name, v[k].line);
				ok = false;
			} else if (v[k].provider_id == x.provider_id) {
				err_add(&j->e, r->line, "provider", "%s is ranked already for lot %d in %s on line %d",
				        x.provider, x.lot, s->districts[x.district].name, v[k].line);
				ok = false;
			}
		}
		if (ok)
			v[n++] = x;
	}
	if (j->e.n == 0 && n > 0) {
		qsort(v, (size_t)n, sizeof v[0], cmp_rank_entry);
		for (int a = 0; a < n;) {
			int b = a;
			while (b < n && v[b].lot == v[a].lot && v[b].district == v[a].district)
				b++;
			const char *names[256];
			int count = 0;
			for (int k = a; k < b && count < 256; k++)
				names[count++] = v[k].provider;
			const char *dname = s->districts[v[a].district].name;
			struct current_rank cur = { .n = 0 };
			enum store_status ss =
				store_ranking_each(j->ctx->store, v[a].lot, dname, collect_current, &cur);
			bool same = ss == STORE_OK && cur.n == count;
			for (int k = 0; same && k < count; k++)
				same = cur.ids[k] == v[a + k].provider_id;
			if (same) {
				j->res->skipped += count;
			} else {
				enum bk_status st = bk_rank_set(j->ctx, v[a].lot, dname, names, count);
				if (st != BK_OK)
					err_add(&j->e, v[a].line, NULL, "%s", j->ctx->msg);
				else
					j->res->added += count;
			}
			a = b;
		}
	}
	free(v);
}

/* ---- referrals ---- */

enum {
	R_CASE,
	R_LOT,
	R_DISTRICT,
	R_HOURS,
	R_PANEL,
	R_START,
	R_AGE,
	R_URGENT,
	R_NOTE,
	R_STATUS,
	R_PROVIDER,
	R_ROUTE,
	R_SOURCED,
	R_WEEKLY,
	R_RATE,
	R_ENDED,
	R_RECORDED,
	R_WITHDRAWN,
	R_WHY,
	R_COUNT
};
static const struct colspec referral_cols[R_COUNT] = {
	{ "case_ref", true },
	{ "lot", true },
	{ "district", true },
	{ "hours", true },
	{ "panel_date", false },
	{ "start_date", false },
	{ "age", false },
	{ "urgent", false },
	{ "note", false },
	{ "status", false },
	{ "provider", false },
	{ "route", false },
	{ "sourced_on", false },
	{ "weekly_cost", false },
	{ "hourly_rate", false },
	{ "ended_on", false },
	{ "recorded_on", false },
	{ "withdrawn_on", false },
	{ "withdrawn_reason", false },
};
static const char *const referral_ignored[] = { "id", "workflow_status", NULL };

/* Providers by name, read once: an import of 100,000 referrals names a
 * few dozen providers over and over. */
struct name_cache {
	struct store_provider *v;
	int n;
	size_t cap;
};

static int cache_provider(void *ud, const struct store_provider *p)
{
	struct name_cache *c = ud;
	struct store_provider *v = grown(c->v, sizeof *v, (size_t)c->n + 1, &c->cap, 64);
	if (!v)
		return 1;
	c->v = v;
	c->v[c->n++] = *p;
	return 0;
}

static const struct store_provider *cached(const struct name_cache *c, const char *name)
{
	for (int i = 0; i < c->n; i++)
		if (strcasecmp(c->v[i].name, name) == 0)
			return &c->v[i];
	return NULL;
}

static bool date_col(struct job *j, const struct record *r, const char *col, const char *text, int32_t today,
                     int32_t *out)
{
	char msg[256];
	*out = STORE_NO_DATE;
	if (!*text)
		return true;
	if (!cal_parse_date(text, out, msg, sizeof msg)) {
		err_add(&j->e, r->line, col, "%s", msg);
		return false;
	}
	if (*out > today && strcmp(col, "start_date") != 0) {
		err_add(&j->e, r->line, col, "%s is in the future", text);
		return false;
	}
	return true;
}

/* Where the provider of a framework package stands in the ranking of its
 * lot and district: its rank (0 when it is not ranked there) and declared
 * capacity there (-1 when none is kept). */
struct ranked_find {
	int64_t id;
	int rank, capacity;
};

static int find_ranked(void *ud, int rank, const struct store_provider *p, int capacity)
{
	struct ranked_find *f = ud;
	if (p->id != f->id)
		return 0;
	f->rank = rank;
	f->capacity = capacity;
	return 1;
}

/* A package brought in stands for what the actions would have done: a
 * framework one for a provider ranked for its lot and district and
 * eligible by the match rules, an off-contract one for a provider a spot
 * request could name; and a cost that a supervisor could approve without a
 * key decision, at a believable hourly rate. Each problem to the errors. */
static void package_rules(struct job *j, const struct record *r, const struct store_referral *x,
                          const struct store_provider *p, bool framework)
{
	struct bk_ctx *ctx = j->ctx;
	int capacity = -1;
	if (framework) {
		struct ranked_find f = { .id = p->id };
		const struct ranked_memo *m = NULL; /* the ranking of a lot and district is read once an import */
		for (int i = 0; i < j->n_ranked && !m; i++)
			if (j->ranked[i].id == p->id && j->ranked[i].lot == x->lot &&
			    strcmp(j->ranked[i].district, x->district) == 0)
				m = &j->ranked[i];
		if (m) {
			f.rank = m->rank;
			f.capacity = m->capacity;
		} else {
			enum store_status ss =
				store_ranked_providers_each(ctx->store, x->lot, x->district, find_ranked, &f);
			if (ss != STORE_OK) {
				err_add(&j->e, r->line, NULL, "%s", store_errmsg(ctx->store));
				return;
			}
			if (!j->ranked)
				j->ranked = malloc(RANKED_MEMO * sizeof *j->ranked);
			if (j->ranked && j->n_ranked < RANKED_MEMO) {
				struct ranked_memo *n = &j->ranked[j->n_ranked++];
				*n = (struct ranked_memo){ .lot = x->lot,
					                   .id = p->id,
					                   .rank = f.rank,
					                   .capacity = f.capacity };
				snprintf(n->district, sizeof n->district, "%s", x->district);
			}
		}
		if (f.rank == 0) {
			err_add(&j->e, r->line, "provider",
			        "%s is not ranked for lot %d in %s, so no framework package of that "
			        "lot and district could have gone to it (import the rankings first, or give route "
			        "spot)",
			        p->name, x->lot, x->district);
			return;
		}
		capacity = f.capacity;
	}
	if (bk_provider_fits(ctx, x, p, capacity, framework ? 0u : (unsigned)MATCH_OFF_FRAMEWORK, NULL) != BK_OK)
		err_add(&j->e, r->line, "provider", "%s", ctx->msg);
	if (x->hours_minutes > 0 && x->weekly_cost > 0) {
		int64_t hourly = x->weekly_cost * 60 / x->hours_minutes;
		if (hourly > MONEY_MAX_RATE) {
			char rate[32], max[32];
			money_format(hourly, false, rate, sizeof rate);
			money_format(MONEY_MAX_RATE, false, max, sizeof max);
			err_add(&j->e, r->line, "weekly_cost",
			        "%s an hour is not believable (more than %s): check the figure", rate, max);
			return;
		}
	}
	int64_t annual = money_annual_cost(x->weekly_cost);
	if (policy_needs_key_decision(annual, ctx->settings->key_decision_threshold)) {
		char a[32], t[32];
		money_format(annual, false, a, sizeof a);
		money_format(ctx->settings->key_decision_threshold, false, t, sizeof t);
		err_add(&j->e, r->line, "weekly_cost",
		        "%s a year reaches the key-decision threshold of %s: such a package "
		        "needs a recorded key decision, which only a spot request and a supervisor's approval with "
		        "--key-decision record",
		        a, t);
	}
}

static void import_referrals(struct job *j, const struct record *h)
{
	int idx[R_COUNT];
	if (!map_header(&j->p, h, referral_cols, R_COUNT, referral_ignored, idx, &j->e))
		return;
	struct bk_ctx *ctx = j->ctx;
	const struct bk_settings *s = ctx->settings;
	struct name_cache provs = { 0 };
	if (store_provider_each(ctx->store, cache_provider, &provs) != STORE_OK) {
		err_add(&j->e, h->line, NULL, "%s", store_errmsg(ctx->store));
		free(provs.v);
		return;
	}
	int32_t today;
	cal_local(ctx->now, &today, NULL);
	struct seen keys = { 0 };
	static char v[R_COUNT][MAX_NOTE * 4 + 64]; /* 2,000 characters of UTF-8 */
	for (int i = 1; i < j->p.n_recs; i++) {
		const struct record *r = data_record(j, i, h);
		if (!r)
			continue;
		for (int c = 0; c < R_COUNT; c++)
			value(&j->p, r, idx, c, v[c], sizeof v[c]);
		if (idx[R_NOTE] >= 0) /* a note keeps its own spacing */
			snprintf(v[R_NOTE], sizeof v[R_NOTE], "%s", field(&j->p, r, idx[R_NOTE]));
		if (v[R_WHY][0]) /* so does a reason, when there is one */
			snprintf(v[R_WHY], sizeof v[R_WHY], "%s", field(&j->p, r, idx[R_WHY]));
		int errs = j->e.n;
		const char *why = NULL;
		char msg[256];
		struct store_referral x = {
			.panel_date = STORE_NO_DATE,
			.start_date = STORE_NO_DATE,
			.ended_on = STORE_NO_DATE,
			.age = -1,
			.paused_from = WF_NO_STATUS,
		};
		if (!text_valid_case_ref(v[R_CASE], &why))
			err_add(&j->e, r->line, "case_ref", "%s", why);
		snprintf(x.case_ref, sizeof x.case_ref, "%.63s", v[R_CASE]);
		long lv;
		if (!parse_whole(v[R_LOT], 1, 99, &lv) || !bk_settings_lot(s, (int)lv))
			err_add(&j->e, r->line, "lot", "'%s' is not a configured lot number", v[R_LOT]);
		else
			x.lot = (int)lv;
		int di = bk_settings_district_index(s, v[R_DISTRICT]);
		if (di < 0)
			err_add(&j->e, r->line, "district", "'%s' is not a configured district", v[R_DISTRICT]);
		else
			snprintf(x.district, sizeof x.district, "%s", s->districts[di].name);
		if (!hours_parse(v[R_HOURS], &x.hours_minutes, msg, sizeof msg))
			err_add(&j->e, r->line, "hours", "%s", msg);
		date_col(j, r, "panel_date", v[R_PANEL], today, &x.panel_date);
		date_col(j, r, "start_date", v[R_START], today, &x.start_date);
		if (v[R_AGE][0]) {
			if (!parse_whole(v[R_AGE], 0, 120, &lv))
				err_add(&j->e, r->line, "age", "'%s' is not a whole number of years from 0 to 120",
				        v[R_AGE]);
			else
				x.age = (int)lv;
		}
		int yn = 0;
		if (v[R_URGENT][0] && !yes_no(v[R_URGENT], &yn))
			err_add(&j->e, r->line, "urgent", "'%s' is not yes or no", v[R_URGENT]);
		x.urgent = yn;
		/* the same check as referral new --note and the form's Note */
		char terr[256];
		if (!text_field_check(text_field_find("note"), v[R_NOTE], x.note, sizeof x.note, terr, sizeof terr))
			err_add(&j->e, r->line, "note", "%s", terr);
		const char *status = v[R_STATUS][0] ? v[R_STATUS] : "waiting";
		bool sourced = strcmp(status, "sourced") == 0, ended = strcmp(status, "ended") == 0;
		bool withdrawn = strcmp(status, "withdrawn") == 0;
		bool known = sourced || ended || withdrawn || strcmp(status, "waiting") == 0;
		int32_t sourced_on = STORE_NO_DATE, ended_on = STORE_NO_DATE, recorded_on = STORE_NO_DATE;
		int32_t withdrawn_on = STORE_NO_DATE;
		date_col(j, r, "sourced_on", v[R_SOURCED], today, &sourced_on);
		/* a sourced package may have a planned end, after today */
		date_col(j, r, "ended_on", v[R_ENDED], sourced ? INT32_MAX : today, &ended_on);
		date_col(j, r, "recorded_on", v[R_RECORDED], today, &recorded_on);
		date_col(j, r, "withdrawn_on", v[R_WITHDRAWN], today, &withdrawn_on);
		if (!known) {
			err_add(&j->e, r->line, "status", "'%s' is not waiting, sourced, ended or withdrawn", status);
		} else if (!sourced && !ended) {
			/* Never sourced: waiting (recorded as new), or withdrawn before it was. */
			x.status = withdrawn ? WF_WITHDRAWN : WF_NEW;
			static const int not_for_waiting[] = {
				R_PROVIDER, R_ROUTE, R_SOURCED, R_WEEKLY, R_RATE, R_ENDED
			};
			for (size_t k = 0; k < sizeof not_for_waiting / sizeof not_for_waiting[0]; k++)
				if (v[not_for_waiting[k]][0])
					err_add(&j->e, r->line, referral_cols[not_for_waiting[k]].name,
					        "a %s referral has no %s", status,
					        referral_cols[not_for_waiting[k]].name);
		} else {
			x.status = sourced ? WF_SOURCED : WF_ENDED;
			const struct store_provider *p = NULL;
			if (!v[R_PROVIDER][0])
				err_add(&j->e, r->line, "provider", "a %s referral needs its provider", status);
			else if (!(p = cached(&provs, v[R_PROVIDER])))
				err_add(&j->e, r->line, "provider",
				        "there is no provider named '%s' (import the providers first)", v[R_PROVIDER]);
			const char *route = v[R_ROUTE];
			if (!*route && p)
				route = p->framework ? "framework" : "spot";
			if (*route && strcmp(route, "framework") != 0 && strcmp(route, "spot") != 0)
				err_add(&j->e, r->line, "route", "'%s' is not framework or spot", route);
			else if (p && strcmp(route, "framework") == 0 && !p->framework)
				err_add(&j->e, r->line, "route", "%s is not on the framework", p->name);
			else if (strcmp(route, "spot") == 0 && j->ctx->actor.role != ROLE_SUPERVISOR)
				/* an off-contract purchase is a supervisor's decision: only a
				 * supervisor brings such history in */
				err_add(&j->e, r->line, "route",
				        "only a supervisor can import a package bought off-contract (it stands for a "
				        "supervisor's approval)");
			snprintf(x.route, sizeof x.route, "%.11s", route);
			if (p)
				x.sourced_provider_id = p->id;
			if (sourced_on == STORE_NO_DATE && !v[R_SOURCED][0])
				err_add(&j->e, r->line, "sourced_on", "a %s referral needs the date it was sourced",
				        status);
			else if (sourced_on != STORE_NO_DATE && x.panel_date != STORE_NO_DATE &&
			         sourced_on < x.panel_date)
				err_add(&j->e, r->line, "sourced_on", "%s is before the panel date", v[R_SOURCED]);
			if (ended && ended_on == STORE_NO_DATE && !v[R_ENDED][0])
				err_add(&j->e, r->line, "ended_on", "an ended referral needs the date it ended");
			else if (ended_on != STORE_NO_DATE && sourced_on != STORE_NO_DATE && ended_on < sourced_on)
				err_add(&j->e, r->line, "ended_on", "%s is before the day it was sourced", v[R_ENDED]);
			int64_t weekly = -1, rate = 0;
			if (v[R_WEEKLY][0]) {
				if (!money_parse_amount(v[R_WEEKLY], &weekly, msg, sizeof msg))
					err_add(&j->e, r->line, "weekly_cost", "%s", msg);
			} else if (v[R_RATE][0]) {
				if (!money_parse_rate(v[R_RATE], &rate, msg, sizeof msg))
					err_add(&j->e, r->line, "hourly_rate", "%s", msg);
				else
					weekly = money_weekly_cost(rate, x.hours_minutes);
			} else if (p && p->rate > 0) {
				weekly = money_weekly_cost(p->rate, x.hours_minutes);
			} else if (strcmp(route, "framework") == 0 && x.lot) {
				const struct bk_lot *lot = bk_settings_lot(s, x.lot);
				weekly = money_weekly_cost(lot ? lot->framework_rate : 0, x.hours_minutes);
			} else if (*route) {
				err_add(&j->e, r->line, "weekly_cost",
				        "give the weekly cost (or hourly_rate) of an off-contract "
				        "package");
			}
			x.weekly_cost = weekly > 0 ? weekly : 0;
			if (weekly == 0)
				err_add(&j->e, r->line, v[R_WEEKLY][0] ? "weekly_cost" : "hourly_rate",
				        "a package costs something: a cost of nothing is not a package that was "
				        "bought");
			if (p && j->e.n == errs && (!strcmp(route, "framework") || !strcmp(route, "spot")))
				package_rules(j, r, &x, p, strcmp(route, "framework") == 0);
		}
		/* The day it was withdrawn is what the retention rules count from,
		 * so a withdrawn referral must say it; the reason is kept when given. */
		if (withdrawn) {
			if (withdrawn_on == STORE_NO_DATE && !v[R_WITHDRAWN][0])
				err_add(&j->e, r->line, "withdrawn_on",
				        "a withdrawn referral needs the date it was withdrawn");
			else if (withdrawn_on != STORE_NO_DATE && x.panel_date != STORE_NO_DATE &&
			         withdrawn_on < x.panel_date)
				err_add(&j->e, r->line, "withdrawn_on", "%s is before the panel date", v[R_WITHDRAWN]);
			/* as referral withdraw --reason takes it, but optional here: old records may lack it */
			struct text_field reason = *text_field_find("reason");
			reason.required = false;
			if (!text_field_check(&reason, v[R_WHY], x.close_reason, sizeof x.close_reason, terr,
			                      sizeof terr))
				err_add(&j->e, r->line, "withdrawn_reason", "%s", terr);
		} else if (known) {
			if (v[R_WITHDRAWN][0])
				err_add(&j->e, r->line, "withdrawn_on",
				        "only a withdrawn referral has a withdrawal date");
			if (v[R_WHY][0])
				err_add(&j->e, r->line, "withdrawn_reason",
				        "only a withdrawn referral has a withdrawal reason");
		}
		if (j->e.n != errs)
			continue;
		char key[128];
		char panel[16] = "-";
		if (x.panel_date != STORE_NO_DATE)
			cal_format_date(x.panel_date, panel, sizeof panel);
		snprintf(key, sizeof key, "%s\x1f%d\x1f%s", x.case_ref, x.lot, panel);
		int first = seen_add(&keys, key, r->line);
		if (first < 0) {
			j->e.failed = true;
			break;
		}
		if (first > 0) {
			err_add(&j->e, r->line, "case_ref",
			        "%s for lot %d with panel date %s is given already on line %d (a case "
			        "has one referral per lot and panel decision)",
			        x.case_ref, x.lot, panel, first);
			continue;
		}
		/* the same referral as one recorded already: an import given twice */
		int64_t dup = 0;
		enum bk_status dst = bk_referral_duplicate(ctx, x.case_ref, x.lot, x.panel_date, 0, &dup);
		if (dst == BK_STORAGE) {
			err_add(&j->e, r->line, NULL, "%s", ctx->msg);
			break;
		}
		if (dup) {
			j->res->skipped++;
			continue;
		}
		if (j->e.n)
			continue; /* nothing will be kept: only check the rest */
		/* The facts as they happened, each at a plain hour of its day. */
		if (recorded_on == STORE_NO_DATE)
			recorded_on = x.panel_date != STORE_NO_DATE ? x.panel_date
			              : sourced_on != STORE_NO_DATE ? sourced_on
			                                            : today;
		x.created_at = cal_utc_at(recorded_on, 9 * 60);
		if (x.created_at > ctx->now)
			x.created_at = ctx->now;
		if (sourced_on != STORE_NO_DATE) {
			x.sourced_at = cal_utc_at(sourced_on, 12 * 60);
			if (x.sourced_at > ctx->now)
				x.sourced_at = ctx->now;
			if (x.created_at > x.sourced_at)
				x.created_at = x.sourced_at;
		}
		if (sourced && ended_on != STORE_NO_DATE) {
			x.ended_on = ended_on; /* its planned end: still sourced until the sweep on that day */
		} else if (ended_on != STORE_NO_DATE || withdrawn_on != STORE_NO_DATE) {
			x.ended_on = ended_on;
			x.closed_at = cal_utc_at(ended_on != STORE_NO_DATE ? ended_on : withdrawn_on, 12 * 60);
			if (x.closed_at > ctx->now)
				x.closed_at = ctx->now;
			if (x.created_at > x.closed_at)
				x.created_at = x.closed_at;
		}
		x.holder_id = ctx->actor.staff_id;
		x.created_by = ctx->actor.staff_id;
		enum store_status ss = store_referral_add(ctx->store, &x);
		enum bk_status st =
			ss == STORE_OK ? bk_audit_referral(ctx, "referral.import", NULL, &x) : bk_from_store(ctx, ss);
		if (st != BK_OK) {
			err_add(&j->e, r->line, NULL, "%s", ctx->msg);
			break;
		}
		j->res->added++;
	}
	seen_free(&keys);
	free(provs.v);
}

/* ---- responses (issue 17): each row a proposed answer in the inbox ---- */

enum { S_OFFER, S_VERB, S_TIME, S_CODE, S_START, S_WORDS, S_COUNT };
static const struct colspec response_cols[S_COUNT] = {
	{ "offer", true }, { "verb", true },   { "time", false },
	{ "code", false }, { "start", false }, { "words", false },
};

/* The offer a row names: a reply token (its tag checked) or an offer id. */
static bool response_offer(struct job *j, int line, const char *v, struct store_offer *o)
{
	int64_t id = 0;
	if (strncasecmp(v, "BRK-", 4) == 0) {
		enum bk_token_check tc = bk_mail_token_find(j->ctx, v, &id);
		if (tc != BK_TOKEN_OK) {
			err_add(&j->e, line, "offer", "'%s' is not a reply token made here%s", v,
			        tc == BK_TOKEN_BAD_TAG ? " (its tag is wrong)" : "");
			return false;
		}
	} else {
		long n;
		if (!parse_whole(v, 1, 2000000000L, &n)) {
			err_add(&j->e, line, "offer", "'%s' is neither a reply token (BRK-...) nor an offer id", v);
			return false;
		}
		id = n;
	}
	enum store_status ss = store_offer_get(j->ctx->store, id, o);
	if (ss == STORE_NOT_FOUND) {
		err_add(&j->e, line, "offer", "there is no offer %lld", (long long)id);
		return false;
	}
	if (ss != STORE_OK) {
		err_add(&j->e, line, NULL, "%s", store_errmsg(j->ctx->store));
		return false;
	}
	if (!wf_offer_open(o->status)) {
		err_add(&j->e, line, "offer", "offer %lld is no longer open (%s)", (long long)id,
		        wf_offer_status_name(o->status));
		return false;
	}
	return true;
}

static void import_responses(struct job *j, const struct record *h)
{
	int idx[S_COUNT];
	if (!map_header(&j->p, h, response_cols, S_COUNT, NULL, idx, &j->e))
		return;
	struct seen offers = { 0 };
	struct store_inbox *x = malloc(sizeof *x);
	if (!x) {
		j->e.failed = true;
		return;
	}
	for (int i = 1; i < j->p.n_recs; i++) {
		const struct record *r = data_record(j, i, h);
		if (!r)
			continue;
		char v[S_COUNT][2100], msg[256];
		for (int c = 0; c < S_COUNT; c++)
			value(&j->p, r, idx, c, v[c], sizeof v[c]);
		memset(x, 0, sizeof *x);
		x->start_date = STORE_NO_DATE;
		struct store_offer o;
		if (!response_offer(j, r->line, v[S_OFFER], &o))
			continue;
		char key[32];
		snprintf(key, sizeof key, "%lld", (long long)o.id);
		int first = seen_add(&offers, key, r->line);
		if (first > 0) {
			err_add(&j->e, r->line, "offer", "offer %lld is answered already on line %d", (long long)o.id,
			        first);
			continue;
		}
		bool ok = true;
		for (char *c = v[S_VERB]; *c; c++)
			*c = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
		if (strcmp(v[S_VERB], "accept") != 0 && strcmp(v[S_VERB], "decline") != 0 &&
		    strcmp(v[S_VERB], "info") != 0) {
			err_add(&j->e, r->line, "verb", "'%s' is not accept, decline or info", v[S_VERB]);
			continue;
		}
		x->received_at = j->ctx->now;
		if (v[S_TIME][0]) {
			if (!cal_parse_time(v[S_TIME], &x->received_at, msg, sizeof msg)) {
				err_add(&j->e, r->line, "time", "%s", msg);
				ok = false;
			} else if (x->received_at > j->ctx->now) {
				err_add(&j->e, r->line, "time", "%s is in the future", v[S_TIME]);
				ok = false;
			} else if (x->received_at < o.sent_at) {
				err_add(&j->e, r->line, "time", "%s is before the offer was sent", v[S_TIME]);
				ok = false;
			}
		}
		bool decline = strcmp(v[S_VERB], "decline") == 0, accept = strcmp(v[S_VERB], "accept") == 0;
		if (v[S_CODE][0] && !decline) {
			err_add(&j->e, r->line, "code", "only a decline has a code");
			ok = false;
		} else if (decline) {
			const struct bk_decline_code *dc =
				bk_settings_decline_code(j->ctx->settings, v[S_CODE][0] ? v[S_CODE] : "other");
			if (!dc) {
				err_add(&j->e, r->line, "code", "'%s' is not one of the policy's decline codes",
				        v[S_CODE]);
				ok = false;
			} else if (strcmp(dc->keyword, "other") == 0 && !v[S_WORDS][0]) {
				err_add(&j->e, r->line, "words",
				        "a decline without a code (or with 'other') needs words");
				ok = false;
			} else {
				snprintf(x->code, sizeof x->code, "%s", dc->keyword);
			}
		}
		if (v[S_START][0] && !accept) {
			err_add(&j->e, r->line, "start", "only an acceptance has a start date");
			ok = false;
		} else if (v[S_START][0] && !cal_parse_date(v[S_START], &x->start_date, msg, sizeof msg)) {
			err_add(&j->e, r->line, "start", "%s", msg);
			ok = false;
		}
		if (strcmp(v[S_VERB], "info") == 0 && !v[S_WORDS][0]) {
			err_add(&j->e, r->line, "words", "a request for information needs the question");
			ok = false;
		}
		if (v[S_WORDS][0] && bk_text(j->ctx, strcmp(v[S_VERB], "info") == 0 ? "question" : "reason", v[S_WORDS],
		                             x->words, sizeof x->words, NULL) != BK_OK) {
			err_add(&j->e, r->line, "words", "%s", j->ctx->msg);
			ok = false;
		}
		if (!ok)
			continue;
		x->proposed = true;
		snprintf(x->source, sizeof x->source, "import");
		snprintf(x->verb, sizeof x->verb, "%.7s", v[S_VERB]);
		x->offer_id = o.id;
		x->provider_id = o.provider_id;
		x->read_at = j->ctx->now;
		snprintf(x->sender, sizeof x->sender, "%s", j->ctx->actor.login);
		snprintf(x->subject, sizeof x->subject, "%.400s:%d", j->name, r->line);
		enum bk_status st = bk_inbox_record(j->ctx, x, x->words, o.referral_id);
		if (st != BK_OK) {
			err_add(&j->e, r->line, NULL, "%s", j->ctx->msg);
			if (st == BK_STORAGE)
				break;
			continue;
		}
		j->res->added++;
	}
	free(x);
	seen_free(&offers);
}

/* ---- the frame ---- */

bool bk_import_kind_parse(const char *name, enum bk_import_kind *out)
{
	static const char *const names[] = { "providers", "rankings", "referrals", "responses" };
	for (int i = 0; i < 4; i++)
		if (name && strcmp(name, names[i]) == 0) {
			*out = (enum bk_import_kind)i;
			return true;
		}
	return false;
}

void bk_import_result_finish(struct bk_import_result *r)
{
	if (!r)
		return;
	free(r->errors);
	memset(r, 0, sizeof *r);
}

static const char *kind_name(enum bk_import_kind k)
{
	return k == BK_IMPORT_PROVIDERS   ? "providers"
	       : k == BK_IMPORT_RANKINGS  ? "rankings"
	       : k == BK_IMPORT_RESPONSES ? "responses"
	                                  : "referrals";
}

/* The import's transaction: the file read before, the rows written and
 * counted from scratch at each run. */
struct import_run {
	struct job *j;
	enum bk_import_kind kind;
	char hex[65], key[80];
};

static enum bk_status import_tx(struct bk_ctx *ctx, void *ud)
{
	struct import_run *a = ud;
	struct job *j = a->j;
	struct bk_import_result *res = j->res;
	free(j->e.s);
	j->e = (struct errors){ .file = j->name };
	j->n_ranked = 0; /* read again in a transaction tried again */
	res->rows = res->added = res->skipped = 0;
	char when[64];
	enum store_status ss = store_meta_get(ctx->store, a->key, when, sizeof when);
	if (ss == STORE_OK)
		return bk_fail(ctx, BK_REFUSED, "%s was imported before (the same contents, %s); nothing was changed",
		               j->name, when);
	if (ss != STORE_NOT_FOUND)
		return bk_from_store(ctx, ss);
	const struct record *h = &j->p.recs[0];
	if (valid_utf8_record(&j->p, h, h, &j->e)) {
		if (a->kind == BK_IMPORT_PROVIDERS)
			import_providers(j, h);
		else if (a->kind == BK_IMPORT_RANKINGS)
			import_rankings(j, h);
		else if (a->kind == BK_IMPORT_RESPONSES)
			import_responses(j, h);
		else
			import_referrals(j, h);
	}
	if (j->e.failed)
		return bk_fail(ctx, BK_STORAGE, "out of memory importing %s", j->name);
	if (j->e.n)
		return BK_REFUSED;
	char stamp[64], value_text[192];
	cal_format_utc(ctx->now, stamp, sizeof stamp);
	snprintf(value_text, sizeof value_text, "%s by %s", stamp, ctx->actor.login);
	ss = store_meta_set(ctx->store, a->key, value_text);
	enum bk_status st = ss == STORE_OK ? BK_OK : bk_from_store(ctx, ss);
	if (st == BK_OK) {
		json_t *after = json_pack("{ss ss ss si si si}", "kind", kind_name(a->kind), "file", j->name, "sha256",
		                          a->hex, "rows", res->rows, "added", res->added, "skipped", res->skipped);
		st = bk_audit_obj(ctx, "data.import", "import", 0, 0, NULL, after);
	}
	return st;
}

enum bk_status bk_import_buffer(struct bk_ctx *ctx, enum bk_import_kind kind, const char *name, const char *data,
                                size_t len, bk_progress_fn progress, void *ud, struct bk_import_result *res)
{
	memset(res, 0, sizeof *res);
	enum bk_status st =
		bk_require(ctx, kind == BK_IMPORT_REFERRALS || kind == BK_IMPORT_RESPONSES ? PERM_WORK_REFERRALS
	                                                                                   : PERM_EDIT_PROVIDERS);
	if (st != BK_OK)
		return st;
	struct import_run a = { .kind = kind };
	store_sha256_hex(data, len, a.hex);
	snprintf(a.key, sizeof a.key, "import:%s", a.hex);
	struct job j = { .ctx = ctx, .name = name, .res = res, .progress = progress, .ud = ud };
	j.e.file = name;
	if (!parse_csv(data, len, &j.p, &j.e) || j.p.n_recs == 0) {
		if (j.p.failed || j.e.failed)
			st = bk_fail(ctx, BK_STORAGE, "out of memory reading %s", name);
		else if (j.e.n == 0)
			st = bk_fail(ctx, BK_REFUSED, "%s is empty: it needs a header row naming its columns", name);
		else
			st = BK_REFUSED;
		goto out;
	}
	j.total = j.p.n_recs - 1;
	a.j = &j;
	st = bk_tx_run(ctx, import_tx, &a);
	if (st == BK_OK)
		bk_fail(ctx, BK_OK, "imported %s from %s: %d added, %d already present (skipped), %d record%s read",
		        kind_name(kind), name, res->added, res->skipped, res->rows, res->rows == 1 ? "" : "s");
out:
	if (j.e.n) {
		res->n_errors = j.e.n;
		res->errors = j.e.s;
		j.e.s = NULL;
		res->added = 0;
		bk_fail(ctx, BK_REFUSED, "%s: %d problem%s found; nothing was imported", name, j.e.n,
		        j.e.n == 1 ? "" : "s");
		st = BK_REFUSED;
	}
	free(j.e.s);
	free(j.ranked);
	parsed_free(&j.p);
	return st;
}

enum bk_status bk_import_file(struct bk_ctx *ctx, enum bk_import_kind kind, const char *path, bk_progress_fn progress,
                              void *ud, struct bk_import_result *res)
{
	memset(res, 0, sizeof *res);
	FILE *f = fopen(path, "rb");
	if (!f)
		return bk_fail(ctx, BK_REFUSED, "cannot read %s: %s", path, strerror(errno));
	size_t cap = 1 << 16, len = 0, line_start = 0, checked = 0;
	long line = 1;
	bool too_long_line = false, too_big = false;
	char *buf = malloc(cap);
	bool ok = buf != NULL;
	while (ok) {
		/* Lines are measured as they arrive, so /dev/zero or a file with
		 * no line breaks stops at the first overlong line. */
		for (; checked < len; checked++)
			if (buf[checked] == '\n') {
				line++;
				line_start = checked + 1;
			}
		if (len - line_start > MAX_LINE_BYTES) {
			too_long_line = true;
			break;
		}
		if (len == cap) {
			if (cap >= MAX_FILE_BYTES) {
				too_big = true;
				break;
			}
			char *b = realloc(buf, cap * 2);
			if (!b) {
				ok = false;
				break;
			}
			buf = b;
			cap *= 2;
		}
		size_t n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	bool read_error = ferror(f) != 0;
	fclose(f);
	if (too_long_line || too_big) {
		free(buf);
		if (too_long_line)
			return bk_fail(ctx, BK_REFUSED,
			               "%s, line %ld: the line is longer than %zu KiB, longer than any record can be: "
			               "it is not a "
			               "CSV file of referrals, providers or rankings; nothing was imported",
			               path, line, MAX_LINE_BYTES >> 10);
		return bk_fail(ctx, BK_REFUSED,
		               "%s is larger than %zu MB: import it in parts (each with its header line); nothing was "
		               "imported",
		               path, MAX_FILE_BYTES >> 20);
	}
	if (!ok || read_error) {
		free(buf);
		return bk_fail(ctx, read_error ? BK_REFUSED : BK_STORAGE, "cannot read %s: %s", path,
		               read_error ? "a read error" : "the file is too large or memory ran out");
	}
	enum bk_status st = bk_import_buffer(ctx, kind, path, buf, len, progress, ud, res);
	free(buf);
	return st;
}
