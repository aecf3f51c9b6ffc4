-- PostgreSQL twin of ../V002__transfer.sql.
ALTER TABLE replication_tasks ADD COLUMN transfer_bytes BIGINT NOT NULL DEFAULT 0;
ALTER TABLE replication_tasks ADD COLUMN transfer_millis BIGINT NOT NULL DEFAULT 0;
