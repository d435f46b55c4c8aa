-- db_size's baseline: the same rows in a bare schema (same columns, no
-- STRICT, checks or triggers) with only the indexes the features need:
-- the waiting list, a referral's offers and open offer, the overdue
-- offers, a case reference, a referral's audit events, rankings.
-- Run on an empty file with the project's database attached as src.
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE staff(id INTEGER PRIMARY KEY, login TEXT UNIQUE, name TEXT, role TEXT, active INTEGER,
  last_looked_at INTEGER);
CREATE TABLE lot(number INTEGER PRIMARY KEY, name TEXT, cqc_required INTEGER, framework_rate INTEGER);
CREATE TABLE district(name TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE provider(id INTEGER PRIMARY KEY, name TEXT UNIQUE, framework INTEGER, cqc_id TEXT, pamms TEXT,
  risk TEXT, embargo TEXT, age_min INTEGER, age_max INTEGER, rate INTEGER, active INTEGER, emails TEXT);
CREATE TABLE capacity(provider_id INTEGER, district TEXT, minutes INTEGER, PRIMARY KEY (provider_id, district))
  WITHOUT ROWID;
CREATE TABLE ranking(lot INTEGER, district TEXT, rank INTEGER, provider_id INTEGER,
  PRIMARY KEY (lot, district, rank)) WITHOUT ROWID;
CREATE TABLE referral(id INTEGER PRIMARY KEY, case_ref TEXT, lot INTEGER, district TEXT, hours_minutes INTEGER,
  panel_date INTEGER, start_date INTEGER, age INTEGER, urgent INTEGER, note TEXT, status TEXT, paused_from TEXT,
  holder_id INTEGER, created_at INTEGER, created_by INTEGER, approved_by INTEGER, escalated INTEGER,
  sourced_at INTEGER, sourced_provider_id INTEGER, route TEXT, weekly_cost INTEGER, ended_on INTEGER,
  closed_at INTEGER, close_reason TEXT, version INTEGER, erased INTEGER);
CREATE TABLE offer(id INTEGER PRIMARY KEY, referral_id INTEGER, provider_id INTEGER, rank INTEGER, status TEXT,
  confirmed INTEGER, sent_at INTEGER, received_on INTEGER, deadline_at INTEGER, answered_at INTEGER, reason TEXT,
  start_date INTEGER, info_requested_at INTEGER, info_supplied_at INTEGER, sent_by INTEGER, via TEXT,
  decline_code TEXT, recorded_at INTEGER, handed_back_on INTEGER, handed_back_at INTEGER);
CREATE TABLE spot_request(id INTEGER PRIMARY KEY, referral_id INTEGER, provider_id INTEGER, rate INTEGER,
  hours_minutes INTEGER, weeks INTEGER, weekly_cost INTEGER, annual_cost INTEGER, framework_rate INTEGER,
  justification TEXT, status TEXT, requested_by INTEGER, requested_at INTEGER, decided_by INTEGER,
  decided_at INTEGER, note TEXT, key_decision TEXT);
CREATE TABLE event(seq INTEGER PRIMARY KEY, at INTEGER, actor TEXT, action TEXT, entity TEXT, entity_id INTEGER,
  referral_id INTEGER, payload_hash BLOB, prev_hash BLOB, hash BLOB);
CREATE TABLE event_payload(seq INTEGER PRIMARY KEY, referral_id INTEGER, before TEXT, after TEXT);
INSERT INTO meta SELECT * FROM src.meta;
INSERT INTO staff SELECT * FROM src.staff;
INSERT INTO lot SELECT * FROM src.lot;
INSERT INTO district SELECT * FROM src.district;
INSERT INTO provider SELECT * FROM src.provider;
INSERT INTO capacity SELECT * FROM src.capacity;
INSERT INTO ranking SELECT * FROM src.ranking;
INSERT INTO referral SELECT * FROM src.referral;
INSERT INTO offer SELECT * FROM src.offer;
INSERT INTO spot_request SELECT * FROM src.spot_request;
INSERT INTO event SELECT * FROM src.event;
INSERT INTO event_payload SELECT * FROM src.event_payload;
CREATE INDEX referral_waiting ON referral(id)
  WHERE status IN ('new','ready','searching','exhausted','spot_requested','paused');
CREATE INDEX referral_case ON referral(case_ref);
CREATE INDEX offer_referral ON offer(referral_id);
CREATE INDEX offer_overdue ON offer(deadline_at) WHERE status = 'sent';
CREATE INDEX spot_referral ON spot_request(referral_id);
CREATE INDEX event_referral ON event(referral_id) WHERE referral_id IS NOT NULL;
