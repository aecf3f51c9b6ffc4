-- What the last successful attempt copied to the remote origin, for the task status.
ALTER TABLE replication_tasks ADD COLUMN transfer_bytes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE replication_tasks ADD COLUMN transfer_millis INTEGER NOT NULL DEFAULT 0;
