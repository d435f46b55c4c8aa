-- The raw baseline of import_100k: the sqlite3 command line's .import of
-- the same CSV into a staging table, then the same tables the program
-- writes (referral, and one audit event with its payload per referral),
-- in one transaction at synchronous=FULL. bench/run feeds it with
-- .import's file name set by -cmd; the hashes are not computed.
PRAGMA journal_mode = WAL;
PRAGMA synchronous = FULL;
PRAGMA foreign_keys = ON;
CREATE TEMP TABLE stage(case_ref, lot, district, hours, panel_date, age, urgent, note, status, provider, route,
  sourced_on, weekly_cost, ended_on);
.import --csv --skip 1 --schema temp :CSV: stage
BEGIN;
INSERT INTO referral(case_ref, lot, district, hours_minutes, panel_date, age, urgent, note, status, holder_id,
  created_at, created_by, sourced_at, sourced_provider_id, route, weekly_cost, ended_on, closed_at)
SELECT s.case_ref, CAST(s.lot AS INTEGER), s.district, CAST(round(s.hours * 60) AS INTEGER),
  CAST(julianday(s.panel_date) - 2440587.5 AS INTEGER), CAST(nullif(s.age, '') AS INTEGER), s.urgent = 'yes',
  nullif(s.note, ''), CASE s.status WHEN 'waiting' THEN 'new' ELSE s.status END, st.id,
  CAST(strftime('%s', s.panel_date) AS INTEGER) + 32400, st.id,
  CAST(strftime('%s', nullif(s.sourced_on, '')) AS INTEGER) + 43200, p.id, nullif(s.route, ''),
  CASE WHEN p.id IS NULL THEN NULL ELSE CAST(round(s.hours * 60) AS INTEGER) * l.framework_rate / 60 END,
  CAST(julianday(nullif(s.ended_on, '')) - 2440587.5 AS INTEGER),
  CAST(strftime('%s', nullif(s.ended_on, '')) AS INTEGER) + 43200
FROM stage s JOIN staff st ON st.login = 'alice' JOIN lot l ON l.number = CAST(s.lot AS INTEGER)
LEFT JOIN provider p ON p.name = s.provider;
INSERT INTO event(at, actor, action, entity, entity_id, referral_id, payload_hash, prev_hash, hash)
SELECT created_at, 'alice', 'referral.import', 'referral', id, id, zeroblob(32), zeroblob(32), zeroblob(32)
FROM referral WHERE case_ref LIKE 'IMP-%';
INSERT INTO event_payload(seq, referral_id, before, after)
SELECT e.seq, e.referral_id, NULL, json_object('case_ref', r.case_ref, 'lot', r.lot, 'district', r.district,
  'hours_minutes', r.hours_minutes, 'status', r.status, 'panel_date', r.panel_date, 'sourced_at', r.sourced_at,
  'sourced_provider_id', r.sourced_provider_id, 'route', r.route, 'weekly_cost', r.weekly_cost, 'note', r.note)
FROM event e JOIN referral r ON r.id = e.entity_id WHERE e.action = 'referral.import';
COMMIT;
