-- brokerage on PostgreSQL: the roles and the database (brokerage(7),
-- "POSTGRESQL: WHO MAY REACH THE DATA"). Run once by the server's
-- superuser, before `brokerage init`:
--
--   psql -X -v ON_ERROR_STOP=1 -v owner_password="'...'" -v app_password="'...'" \
--        -d postgres -f postgresql-roles.sql
--
-- brokerage_owner owns the schema and is used only to make and upgrade it
-- (init, migrate, the first command after an upgrade of the program), by
-- an administrator as root. brokerage_app is the program's login: it may
-- read and write the rows the program works with, never change or remove
-- an audit event, and owns nothing, so it can drop no trigger nor
-- constraint. Members of staff have no role at all.
CREATE ROLE brokerage_owner LOGIN PASSWORD :owner_password;
CREATE ROLE brokerage_app LOGIN PASSWORD :app_password;
CREATE DATABASE brokerage OWNER brokerage_owner ENCODING 'UTF8' TEMPLATE template0;
REVOKE ALL ON DATABASE brokerage FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE brokerage TO brokerage_owner;
GRANT CONNECT ON DATABASE brokerage TO brokerage_app;
\connect brokerage
-- Only the owner makes objects; nobody else may even look into the schema
-- but the program's login.
REVOKE ALL ON SCHEMA public FROM PUBLIC;
ALTER SCHEMA public OWNER TO brokerage_owner;
GRANT USAGE ON SCHEMA public TO brokerage_app;
