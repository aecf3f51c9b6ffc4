-- PostgreSQL twin of ../V004__leases.sql.
ALTER TABLE replication_tasks ADD COLUMN lease_owner TEXT;
ALTER TABLE replication_tasks ADD COLUMN lease_until_ms BIGINT;
CREATE INDEX replication_tasks_leases ON replication_tasks (lease_until_ms) WHERE state = 'running';
