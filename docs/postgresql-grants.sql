-- brokerage on PostgreSQL: what the program's login may do (brokerage(7),
-- "POSTGRESQL: WHO MAY REACH THE DATA"). Run as brokerage_owner after
-- `brokerage init` (or `migrate --to`) and again after every upgrade of
-- the program that changed the schema; running it twice does no harm:
--
--   psql -X -v ON_ERROR_STOP=1 "host=... dbname=brokerage user=brokerage_owner" -f postgresql-grants.sql
--
-- Every table: read and write its rows. The audit trail: events are only
-- added (no UPDATE, DELETE or TRUNCATE: the triggers refuse them anyway,
-- and TRUNCATE fires no trigger); their before and after values are added,
-- and deleted only by an erasure under the retention rules, which a
-- trigger of the owner's holds to erased referrals.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO brokerage_app;
REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM brokerage_app;
REVOKE UPDATE, DELETE ON event FROM brokerage_app;
REVOKE UPDATE ON event_payload FROM brokerage_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO brokerage_app;
