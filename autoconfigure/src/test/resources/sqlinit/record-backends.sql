-- Run by spring.sql.init: records how many of the pool's connections are open when it runs.
DROP TABLE IF EXISTS seen_at_init;
CREATE TABLE seen_at_init AS SELECT count(*) AS backends FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend';
