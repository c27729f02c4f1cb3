--liquibase formatted sql

-- Run by Liquibase: records how many of the pool's connections are open when it migrates.
--changeset poolwarden:1
CREATE TABLE seen_at_migration AS SELECT count(*) AS backends FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend';
