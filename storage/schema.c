/* Schema versions through PRAGMA user_version; each migration in its own
 * transaction; a newer database is refused and left untouched. */
#include <stdio.h>
#include <string.h>

#include "storage/internal.h"
#include "storage/pg.h"

#define BK_APPLICATION_ID 0x42524b47 /* "BRKG" */

static const char *const schema_v1[] = {
	"CREATE TABLE meta("
	"  key TEXT PRIMARY KEY,"
	"  value TEXT NOT NULL) STRICT;",
	"CREATE TABLE staff("
	"  id INTEGER PRIMARY KEY,"
	"  login TEXT NOT NULL UNIQUE,"
	"  name TEXT NOT NULL,"
	"  role TEXT NOT NULL CHECK (role IN ('officer','team_leader','supervisor','admin')),"
	"  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0,1))) STRICT;",
	"CREATE TABLE lot("
	"  number INTEGER PRIMARY KEY CHECK (number BETWEEN 1 AND 99),"
	"  name TEXT NOT NULL,"
	"  cqc_required INTEGER NOT NULL CHECK (cqc_required IN (0,1)),"
	"  framework_rate INTEGER NOT NULL CHECK (framework_rate >= 0)) STRICT;",
	"CREATE TABLE district("
	"  name TEXT PRIMARY KEY COLLATE NOCASE) STRICT, WITHOUT ROWID;",
	"CREATE TABLE provider("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE COLLATE NOCASE,"
	"  framework INTEGER NOT NULL CHECK (framework IN (0,1)),"
	"  cqc_id TEXT,"
	"  pamms TEXT CHECK (pamms IN ('excellent','good','requires-improvement','poor')),"
	"  risk TEXT NOT NULL DEFAULT 'green' CHECK (risk IN ('green','amber','red')),"
	"  embargo TEXT,"
	"  age_min INTEGER CHECK (age_min >= 0),"
	"  age_max INTEGER CHECK (age_max >= age_min),"
	"  rate INTEGER CHECK (rate >= 0),"
	"  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0,1))) STRICT;",
	"CREATE TABLE capacity("
	"  provider_id INTEGER NOT NULL REFERENCES provider(id),"
	"  district TEXT NOT NULL REFERENCES district(name),"
	"  minutes INTEGER NOT NULL CHECK (minutes >= 0),"
	"  PRIMARY KEY (provider_id, district)) STRICT, WITHOUT ROWID;",
	"CREATE TABLE ranking("
	"  lot INTEGER NOT NULL REFERENCES lot(number),"
	"  district TEXT NOT NULL REFERENCES district(name),"
	"  rank INTEGER NOT NULL CHECK (rank >= 1),"
	"  provider_id INTEGER NOT NULL REFERENCES provider(id),"
	"  PRIMARY KEY (lot, district, rank),"
	"  UNIQUE (lot, district, provider_id)) STRICT, WITHOUT ROWID;",
	"CREATE TABLE referral("
	"  id INTEGER PRIMARY KEY,"
	"  case_ref TEXT NOT NULL,"
	"  lot INTEGER NOT NULL REFERENCES lot(number),"
	"  district TEXT NOT NULL REFERENCES district(name),"
	"  hours_minutes INTEGER NOT NULL CHECK (hours_minutes > 0),"
	"  panel_date INTEGER,"
	"  start_date INTEGER,"
	"  age INTEGER CHECK (age >= 0),"
	"  urgent INTEGER NOT NULL DEFAULT 0 CHECK (urgent IN (0,1)),"
	"  note TEXT,"
	"  status TEXT NOT NULL CHECK (status IN ('new','ready','searching','sourced','ended',"
	"      'exhausted','spot_requested','paused','withdrawn')),"
	"  paused_from TEXT,"
	"  holder_id INTEGER REFERENCES staff(id),"
	"  created_at INTEGER NOT NULL,"
	"  created_by INTEGER NOT NULL REFERENCES staff(id),"
	"  approved_by INTEGER REFERENCES staff(id),"
	"  escalated INTEGER NOT NULL DEFAULT 0 CHECK (escalated IN (0,1)),"
	"  sourced_at INTEGER,"
	"  sourced_provider_id INTEGER REFERENCES provider(id),"
	"  route TEXT CHECK (route IN ('framework','spot')),"
	"  weekly_cost INTEGER,"
	"  ended_on INTEGER,"
	"  closed_at INTEGER,"
	"  close_reason TEXT,"
	"  version INTEGER NOT NULL DEFAULT 1,"
	"  erased INTEGER NOT NULL DEFAULT 0 CHECK (erased IN (0,1))) STRICT;",
	"CREATE INDEX referral_status ON referral(status, holder_id);",
	"CREATE INDEX referral_case ON referral(case_ref);",
	"CREATE TABLE offer("
	"  id INTEGER PRIMARY KEY,"
	"  referral_id INTEGER NOT NULL REFERENCES referral(id),"
	"  provider_id INTEGER NOT NULL REFERENCES provider(id),"
	"  rank INTEGER NOT NULL,"
	"  status TEXT NOT NULL CHECK (status IN ('sent','accepted','declined','expired',"
	"      'info_requested','withdrawn')),"
	"  confirmed INTEGER NOT NULL DEFAULT 0 CHECK (confirmed IN (0,1)),"
	"  sent_at INTEGER NOT NULL,"
	"  received_on INTEGER NOT NULL,"
	"  deadline_at INTEGER NOT NULL,"
	"  answered_at INTEGER,"
	"  reason TEXT,"
	"  start_date INTEGER,"
	"  info_requested_at INTEGER,"
	"  info_supplied_at INTEGER,"
	"  sent_by INTEGER REFERENCES staff(id)) STRICT;",
	"CREATE INDEX offer_referral ON offer(referral_id);",
	"CREATE INDEX offer_open_deadline ON offer(deadline_at) WHERE status = 'sent';",
	"CREATE UNIQUE INDEX offer_one_open ON offer(referral_id, provider_id)"
	"  WHERE status IN ('sent','info_requested');",
	"CREATE TABLE spot_request("
	"  id INTEGER PRIMARY KEY,"
	"  referral_id INTEGER NOT NULL REFERENCES referral(id),"
	"  provider_id INTEGER NOT NULL REFERENCES provider(id),"
	"  rate INTEGER NOT NULL CHECK (rate > 0),"
	"  hours_minutes INTEGER NOT NULL CHECK (hours_minutes > 0),"
	"  weeks INTEGER NOT NULL CHECK (weeks > 0),"
	"  weekly_cost INTEGER NOT NULL,"
	"  annual_cost INTEGER NOT NULL,"
	"  framework_rate INTEGER NOT NULL,"
	"  justification TEXT NOT NULL,"
	"  status TEXT NOT NULL CHECK (status IN ('pending','approved','rejected')),"
	"  requested_by INTEGER NOT NULL REFERENCES staff(id),"
	"  requested_at INTEGER NOT NULL,"
	"  decided_by INTEGER REFERENCES staff(id),"
	"  decided_at INTEGER,"
	"  note TEXT,"
	"  key_decision TEXT,"
	"  CHECK (decided_by IS NULL OR decided_by <> requested_by)) STRICT;",
	"CREATE INDEX spot_referral ON spot_request(referral_id);",
	"CREATE UNIQUE INDEX spot_one_pending ON spot_request(referral_id) WHERE status = 'pending';"
	/* The audit trail: events are never changed; payloads may be erased
	 * only for a referral under erasure, and the chain still verifies
	 * because each event's hash covers its payload's hash. */
	,
	"CREATE TABLE event("
	"  seq INTEGER PRIMARY KEY,"
	"  at INTEGER NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  action TEXT NOT NULL,"
	"  entity TEXT NOT NULL,"
	"  entity_id INTEGER NOT NULL,"
	"  referral_id INTEGER,"
	"  payload_hash BLOB NOT NULL,"
	"  prev_hash BLOB NOT NULL,"
	"  hash BLOB NOT NULL) STRICT;",
	"CREATE INDEX event_referral ON event(referral_id) WHERE referral_id IS NOT NULL;",
	"CREATE TABLE event_payload("
	"  seq INTEGER PRIMARY KEY REFERENCES event(seq),"
	"  referral_id INTEGER,"
	"  before TEXT,"
	"  after TEXT) STRICT;",
	"CREATE TRIGGER event_no_update BEFORE UPDATE ON event BEGIN"
	"  SELECT RAISE(ABORT, 'audit events cannot be changed');"
	"END;",
	"CREATE TRIGGER event_no_delete BEFORE DELETE ON event BEGIN"
	"  SELECT RAISE(ABORT, 'audit events cannot be deleted');"
	"END;",
	"CREATE TRIGGER event_payload_no_update BEFORE UPDATE ON event_payload BEGIN"
	"  SELECT RAISE(ABORT, 'audit events cannot be changed');"
	"END;",
	"CREATE TRIGGER event_payload_erase_only BEFORE DELETE ON event_payload"
	"  WHEN OLD.referral_id IS NULL"
	"    OR NOT EXISTS (SELECT 1 FROM referral WHERE id = OLD.referral_id AND erased = 1)"
	"  BEGIN SELECT RAISE(ABORT, 'audit events cannot be deleted'); END;",
	NULL,
};

/* Version 2: indexes for the lists people open all day. A referral's open
 * offers in deadline order (the list shows the earliest), and the
 * referrals not yet sourced, ended or withdrawn (the waiting list, and an
 * officer's work in hand), which stay a few thousand while the history
 * grows by tens of thousands a year. The second holds every column the
 * screens' lists show, so those lists never read the table itself. */
static const char *const schema_v2[] = {
	/* whether a referral ever missed a deadline, from the index alone */
	"DROP INDEX offer_referral;",
	"CREATE INDEX offer_referral ON offer(referral_id, status, deadline_at);",
	"CREATE INDEX offer_open_by_referral ON offer(referral_id, deadline_at, id)"
	"  WHERE status IN ('sent','info_requested');",
	"CREATE INDEX referral_unsourced ON referral(id, status, holder_id, lot, district, case_ref, hours_minutes,"
	"  panel_date, urgent, created_at, sourced_at, closed_at, version)"
	"  WHERE status NOT IN ('sourced','ended','withdrawn');",
	NULL,
};

/* Version 3: the council's policy lives in the database, the same for
 * everyone who opens it (written by core at the first open after this
 * migration, from the system file or the built-in defaults, audited); and
 * history kept per offer and referral, so a report on a past date reads
 * what held then: every deadline an offer has had, every request for
 * information, the lot, district and hours from each change on. The
 * history of a database from before is taken from its audit trail as far
 * as it goes, then from the rows themselves. */
static const char *const schema_v3[] = {
	"CREATE TABLE policy("
	"  key TEXT PRIMARY KEY,"
	"  value TEXT NOT NULL,"
	"  set_by TEXT NOT NULL,"
	"  set_at INTEGER NOT NULL) STRICT, WITHOUT ROWID;",
	"CREATE TABLE offer_deadline("
	"  id INTEGER PRIMARY KEY,"
	"  offer_id INTEGER NOT NULL REFERENCES offer(id),"
	"  deadline_at INTEGER NOT NULL,"
	"  set_at INTEGER NOT NULL,"
	"  reason TEXT NOT NULL CHECK (reason IN ('sent','information supplied','policy change',"
	"      'before history was kept'))) STRICT;",
	"CREATE INDEX offer_deadline_offer ON offer_deadline(offer_id, set_at, id);",
	"CREATE TABLE offer_info("
	"  id INTEGER PRIMARY KEY,"
	"  offer_id INTEGER NOT NULL REFERENCES offer(id),"
	"  requested_at INTEGER NOT NULL,"
	"  question TEXT,"
	"  supplied_at INTEGER CHECK (supplied_at IS NULL OR supplied_at >= requested_at)) STRICT;",
	"CREATE INDEX offer_info_offer ON offer_info(offer_id, requested_at, id);",
	"CREATE TABLE referral_fact("
	"  referral_id INTEGER NOT NULL REFERENCES referral(id),"
	"  valid_from INTEGER NOT NULL,"
	"  lot INTEGER NOT NULL,"
	"  district TEXT NOT NULL,"
	"  hours_minutes INTEGER NOT NULL CHECK (hours_minutes > 0),"
	"  PRIMARY KEY (referral_id, valid_from)) STRICT, WITHOUT ROWID;",
	/* deadlines from the trail: each offer event whose record names one */
	"INSERT INTO offer_deadline(offer_id, deadline_at, set_at, reason) "
	"SELECT e.entity_id, unixepoch(json_extract(p.after, '$.deadline_at')), e.at, "
	"  CASE e.action WHEN 'offer.send' THEN 'sent' WHEN 'offer.info-supplied' THEN 'information supplied' "
	"  ELSE 'before history was kept' END "
	"FROM event e JOIN event_payload p ON p.seq = e.seq "
	"WHERE e.entity = 'offer' AND json_valid(p.after) AND json_type(p.after, '$.deadline_at') = 'text' "
	"  AND unixepoch(json_extract(p.after, '$.deadline_at')) IS NOT NULL "
	"  AND EXISTS (SELECT 1 FROM offer o WHERE o.id = e.entity_id) ORDER BY e.seq;",
	"INSERT INTO offer_deadline(offer_id, deadline_at, set_at, reason) "
	"SELECT o.id, o.deadline_at, o.sent_at, 'before history was kept' FROM offer o "
	"WHERE NOT EXISTS (SELECT 1 FROM offer_deadline d WHERE d.offer_id = o.id);",
	/* where the trail stops short of the row, the row has the last word:
	 * before version 3 only information supplied moved a deadline */
	"INSERT INTO offer_deadline(offer_id, deadline_at, set_at, reason) "
	"SELECT o.id, o.deadline_at, "
	"  max(coalesce(o.info_supplied_at, 0), (SELECT max(d.set_at) FROM offer_deadline d WHERE d.offer_id = o.id)), "
	"  CASE WHEN o.info_supplied_at IS NOT NULL THEN 'information supplied' ELSE 'before history was kept' END "
	"FROM offer o "
	"WHERE (SELECT d.deadline_at FROM offer_deadline d WHERE d.offer_id = o.id "
	"  ORDER BY d.set_at DESC, d.id DESC LIMIT 1) <> o.deadline_at;",
	/* requests for information from the trail, then when each was supplied */
	"INSERT INTO offer_info(offer_id, requested_at, question) "
	"SELECT e.entity_id, unixepoch(json_extract(p.after, '$.info_requested_at')), json_extract(p.after, "
	"'$.reason') "
	"FROM event e JOIN event_payload p ON p.seq = e.seq "
	"WHERE e.entity = 'offer' AND e.action = 'offer.info-request' AND json_valid(p.after) "
	"  AND json_type(p.after, '$.info_requested_at') = 'text' "
	"  AND unixepoch(json_extract(p.after, '$.info_requested_at')) IS NOT NULL "
	"  AND EXISTS (SELECT 1 FROM offer o WHERE o.id = e.entity_id) ORDER BY e.seq;",
	"UPDATE offer_info SET supplied_at = ("
	"  SELECT min(unixepoch(json_extract(p.after, '$.info_supplied_at'))) FROM event e "
	"  JOIN event_payload p ON p.seq = e.seq "
	"  WHERE e.referral_id = (SELECT o.referral_id FROM offer o WHERE o.id = offer_info.offer_id) "
	"    AND e.entity = 'offer' AND e.entity_id = offer_info.offer_id AND e.action = 'offer.info-supplied' "
	"    AND json_valid(p.after) AND json_type(p.after, '$.info_supplied_at') = 'text' "
	"    AND unixepoch(json_extract(p.after, '$.info_supplied_at')) >= offer_info.requested_at "
	"    AND NOT EXISTS (SELECT 1 FROM offer_info n WHERE n.offer_id = offer_info.offer_id "
	"      AND n.requested_at > offer_info.requested_at "
	"      AND n.requested_at <= unixepoch(json_extract(p.after, '$.info_supplied_at'))));",
	"INSERT INTO offer_info(offer_id, requested_at, question, supplied_at) "
	"SELECT o.id, o.info_requested_at, CASE WHEN o.status = 'info_requested' THEN o.reason END, "
	"  CASE WHEN o.info_supplied_at >= o.info_requested_at THEN o.info_supplied_at END FROM offer o "
	"WHERE o.info_requested_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM offer_info i WHERE i.offer_id = o.id);",
	/* a referral's lot, district and hours from each event that named one */
	"INSERT OR REPLACE INTO referral_fact(referral_id, valid_from, lot, district, hours_minutes) "
	"SELECT e.entity_id, e.at, "
	"  coalesce((SELECT json_extract(q.after, '$.lot') FROM event f JOIN event_payload q ON q.seq = f.seq "
	"    WHERE f.referral_id = e.referral_id AND f.entity = 'referral' AND f.seq <= e.seq AND json_valid(q.after) "
	"    AND json_type(q.after, '$.lot') = 'integer' ORDER BY f.seq DESC LIMIT 1), r.lot), "
	"  coalesce((SELECT json_extract(q.after, '$.district') FROM event f JOIN event_payload q ON q.seq = f.seq "
	"    WHERE f.referral_id = e.referral_id AND f.entity = 'referral' AND f.seq <= e.seq AND json_valid(q.after) "
	"    AND json_type(q.after, '$.district') = 'text' ORDER BY f.seq DESC LIMIT 1), r.district), "
	"  coalesce((SELECT json_extract(q.after, '$.hours_minutes') FROM event f JOIN event_payload q ON q.seq = "
	"f.seq "
	"    WHERE f.referral_id = e.referral_id AND f.entity = 'referral' AND f.seq <= e.seq AND json_valid(q.after) "
	"    AND json_type(q.after, '$.hours_minutes') = 'integer' ORDER BY f.seq DESC LIMIT 1), r.hours_minutes) "
	"FROM event e JOIN event_payload p ON p.seq = e.seq JOIN referral r ON r.id = e.entity_id "
	"WHERE e.entity = 'referral' AND e.referral_id = e.entity_id AND json_valid(p.after) "
	"  AND (json_type(p.after, '$.lot') IS NOT NULL OR json_type(p.after, '$.district') IS NOT NULL "
	"    OR json_type(p.after, '$.hours_minutes') IS NOT NULL) ORDER BY e.seq;",
	"INSERT OR IGNORE INTO referral_fact(referral_id, valid_from, lot, district, hours_minutes) "
	"SELECT r.id, r.created_at, r.lot, r.district, r.hours_minutes FROM referral r "
	"WHERE NOT EXISTS (SELECT 1 FROM referral_fact f WHERE f.referral_id = r.id);",
	"INSERT OR REPLACE INTO referral_fact(referral_id, valid_from, lot, district, hours_minutes) "
	"SELECT r.id, (SELECT max(f.valid_from) FROM referral_fact f WHERE f.referral_id = r.id) + 1, "
	"  r.lot, r.district, r.hours_minutes FROM referral r "
	"WHERE NOT EXISTS (SELECT 1 FROM referral_fact f WHERE f.referral_id = r.id AND f.lot = r.lot "
	"  AND f.district = r.district AND f.hours_minutes = r.hours_minutes "
	"  AND f.valid_from = (SELECT max(g.valid_from) FROM referral_fact g WHERE g.referral_id = r.id));",
	NULL,
};

/* Mail (issue 17): a provider's contact addresses, and the outbox, where a
 * message is written in the transaction of the action that sends it and
 * waits until the mail command has taken it. */
static const char *const schema_v4[] = {
	"ALTER TABLE provider ADD COLUMN emails TEXT NOT NULL DEFAULT '';",
	"CREATE TABLE outbox("
	"  id INTEGER PRIMARY KEY,"
	"  message_id TEXT NOT NULL UNIQUE,"
	"  kind TEXT NOT NULL CHECK (kind IN ('offer','chaser','notice')),"
	"  offer_id INTEGER NOT NULL REFERENCES offer(id),"
	"  referral_id INTEGER NOT NULL REFERENCES referral(id),"
	"  provider_id INTEGER NOT NULL REFERENCES provider(id),"
	"  recipients TEXT NOT NULL CHECK (recipients <> ''),"
	"  message TEXT NOT NULL,"
	"  status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued','sent','stopped')),"
	"  attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),"
	"  queued_at INTEGER NOT NULL,"
	"  next_attempt_at INTEGER NOT NULL,"
	"  last_attempt_at INTEGER,"
	"  sent_at INTEGER,"
	"  last_error TEXT,"
	"  claimed_by TEXT,"
	"  claimed_at INTEGER,"
	"  UNIQUE (offer_id, kind)) STRICT;",
	"CREATE INDEX outbox_due ON outbox(status, next_attempt_at);",
	"CREATE INDEX outbox_referral ON outbox(referral_id, id);",
	NULL,
};

/* Schema 5 (issue 17): answers that came in by mail or a file, each
 * proposed to an officer (a token that checks out, from the provider) or
 * kept for triage with the reason; the message text is kept for showing. */
static const char *const schema_v5[] = {
	"CREATE TABLE inbox("
	"  id INTEGER PRIMARY KEY,"
	"  kind TEXT NOT NULL CHECK (kind IN ('proposed','triage')),"
	"  state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open','confirmed','rejected')),"
	"  source TEXT NOT NULL CHECK (source IN ('mail','import')),"
	"  offer_id INTEGER REFERENCES offer(id),"
	"  provider_id INTEGER REFERENCES provider(id),"
	"  verb TEXT CHECK (verb IS NULL OR verb IN ('accept','decline','info')),"
	"  code TEXT,"
	"  start_date INTEGER,"
	"  words TEXT,"
	"  received_at INTEGER NOT NULL,"
	"  read_at INTEGER NOT NULL,"
	"  reason TEXT,"
	"  sender TEXT,"
	"  subject TEXT,"
	"  message_id TEXT,"
	"  body TEXT,"
	"  decided_by INTEGER REFERENCES staff(id),"
	"  decided_at INTEGER,"
	"  decision TEXT,"
	"  CHECK ((kind = 'proposed') = (verb IS NOT NULL AND offer_id IS NOT NULL AND reason IS NULL))) STRICT;",
	"CREATE INDEX inbox_open ON inbox(state, kind, received_at, id);",
	"CREATE INDEX inbox_offer ON inbox(offer_id) WHERE offer_id IS NOT NULL;",
	"CREATE UNIQUE INDEX inbox_message ON inbox(message_id) WHERE message_id IS NOT NULL;",
	NULL,
};

/* Version 6 (issue 17, answers): how and when an answer reached the
 * council, kept with the offer. answered_at stays the moment the answer
 * was received (what the deadline and the reports count); recorded_at is
 * when it was typed in; via the channel it came by; decline_code the
 * policy's keyword for why a provider declined. A provider that hands a
 * sourced package back keeps its accepted offer, marked with the day it
 * handed back (its words in reason) and when that was recorded. Offers
 * from before have none of these (null). */
static const char *const schema_v6[] = {
	"ALTER TABLE offer ADD COLUMN via TEXT;",
	"ALTER TABLE offer ADD COLUMN decline_code TEXT;",
	"ALTER TABLE offer ADD COLUMN recorded_at INTEGER;",
	"ALTER TABLE offer ADD COLUMN handed_back_on INTEGER;",
	"ALTER TABLE offer ADD COLUMN handed_back_at INTEGER;",
	"CREATE INDEX offer_handed_back ON offer(provider_id) WHERE handed_back_at IS NOT NULL;",
	NULL,
};

/* Version 7 (issue 16): when a member of staff last looked at their
 * worklist, for the "since you last looked" mark; kept with them in the
 * database, so it is the same from every host and under every path to it
 * (it was a file per host). UTC seconds; null: never. */
static const char *const schema_v7[] = {
	"ALTER TABLE staff ADD COLUMN last_looked_at INTEGER;",
	NULL,
};

/* Version 8 (issue 16): when each referral waited, from the index alone.
 * The waiting report and its trend read the referrals not sourced or
 * closed before their first moment (a few in ten of them): sought by
 * sourced_at (none, or since then) with the rest of what says when in the
 * index, they no longer read every referral's whole row. An offer's
 * deadline at a moment (the last set before it) is read from its history
 * index alone, without the row. */
static const char *const schema_v8[] = {
	"CREATE INDEX referral_span ON referral(sourced_at, closed_at, panel_date, created_at, status);",
	"DROP INDEX offer_deadline_offer;",
	"CREATE INDEX offer_deadline_offer ON offer_deadline(offer_id, set_at, id, deadline_at);",
	NULL,
};

struct migration {
	int version;
	const char *const *sql; /* statements, NULL-terminated */
};

static const struct migration migrations[] = {
	{ 1, schema_v1 }, { 2, schema_v2 }, { 3, schema_v3 }, { 4, schema_v4 },
	{ 5, schema_v5 }, { 6, schema_v6 }, { 7, schema_v7 }, { 8, schema_v8 },
};

static int read_int_pragma(struct store *st, const char *sql, int *out)
{
	sql_stmt *s = NULL;
	int rc = sql_prepare(st, sql, &s);
	if (rc == SQLITE_OK) {
		rc = sql_step(s);
		if (rc == SQLITE_ROW) {
			*out = sql_column_int(s, 0);
			rc = SQLITE_OK;
		}
	}
	sql_finalize(s);
	return rc;
}

static bool has_tables(struct store *st, bool *any)
{
	int n = 0;
	if (read_int_pragma(st, "SELECT count(*) FROM sqlite_schema", &n) != SQLITE_OK)
		return false;
	*any = n > 0;
	return true;
}

/* Is this file ours, and not from a newer program? Reads only. */
enum store_status store_check_kind(struct store *st, char *err, size_t errlen)
{
	int version = 0, app = 0;
	int rc = read_int_pragma(st, "PRAGMA user_version", &version);
	if (rc == SQLITE_OK)
		rc = read_int_pragma(st, "PRAGMA application_id", &app);
	if (rc != SQLITE_OK) {
		store_fail(st, rc, "reading the schema version");
		snprintf(err, errlen, "%s: %s", st->path, st->err);
		return STORE_ERROR;
	}
	bool any = false;
	if (!has_tables(st, &any)) {
		snprintf(err, errlen,
		         "%s cannot be read: the file is damaged (its list of tables cannot be read); restore the last "
		         "good backup by putting it in the file's place; nothing was changed",
		         st->path);
		return STORE_ERROR;
	}
	if (!any && !st->create) {
		snprintf(err, errlen, "%s is an empty SQLite file, not a brokerage database; nothing was changed",
		         st->path);
		return STORE_REFUSED;
	}
	if (any && app != BK_APPLICATION_ID) {
		snprintf(err, errlen, "%s is an SQLite file but not a brokerage database; nothing was changed",
		         st->path);
		return STORE_REFUSED;
	}
	return store_refuse_newer(st, version, err, errlen);
}

enum store_status store_refuse_newer(const struct store *st, int version, char *err, size_t errlen)
{
	if (version <= STORE_SCHEMA_VERSION)
		return STORE_OK;
	snprintf(err, errlen,
	         "%s was written by a newer brokerage (schema version %d; this program knows up to %d): "
	         "upgrade the program; the %s was not changed",
	         st->path, version, STORE_SCHEMA_VERSION, st->engine == STORE_ENGINE_SQLITE ? "file" : "database");
	return STORE_REFUSED;
}

enum store_status store_migrate(struct store *st, char *err, size_t errlen)
{
	int version = 0;
	int rc = read_int_pragma(st, "PRAGMA user_version", &version);
	if (rc != SQLITE_OK) {
		store_fail(st, rc, "reading the schema version");
		snprintf(err, errlen, "%s", st->err);
		return STORE_ERROR;
	}
	if (version == STORE_SCHEMA_VERSION)
		return STORE_OK;
	if (st->readonly) {
		snprintf(err, errlen,
		         "%s needs upgrading to schema version %d but is open read-only (check and audit verify "
		         "change nothing: any other command by a member of staff upgrades it)",
		         st->path, STORE_SCHEMA_VERSION);
		return STORE_REFUSED;
	}
	for (size_t i = 0; i < sizeof migrations / sizeof migrations[0]; i++) {
		const struct migration *m = &migrations[i];
		if (m->version <= version)
			continue;
		char pragma[96];
		if (store_exec(st, "BEGIN IMMEDIATE", "starting a schema migration") != STORE_OK)
			goto failed;
		snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", m->version);
		bool ok = true;
		for (const char *const *q = m->sql; ok && *q; q++)
			ok = store_exec(st, *q, "migrating the schema") == STORE_OK;
		if (!ok || store_exec(st, pragma, "recording the schema version") != STORE_OK ||
		    store_exec(st, "PRAGMA application_id = 1112689479", "marking the file as a brokerage database") !=
		            STORE_OK) {
			sql_exec(st, "ROLLBACK");
			goto failed;
		}
		if (store_exec(st, "COMMIT", "committing a schema migration") != STORE_OK) {
			sql_exec(st, "ROLLBACK");
			goto failed;
		}
		version = m->version;
	}
	return STORE_OK;
failed:
	snprintf(err, errlen, "upgrading %s to schema version %d failed: %s", st->path, STORE_SCHEMA_VERSION, st->err);
	return STORE_ERROR;
}

int store_schema_version(struct store *st)
{
	if (st->engine == STORE_ENGINE_PG)
		return store_pg_schema_version(st);
	int v = -1;
	if (read_int_pragma(st, "PRAGMA user_version", &v) != SQLITE_OK)
		return -1;
	return v;
}

int store_program_schema_version(void)
{
	return STORE_SCHEMA_VERSION;
}

const char *store_sqlite_version(void)
{
	return sqlite3_libversion();
}

const char *store_libpq_version(void)
{
	return pg_client_version();
}
