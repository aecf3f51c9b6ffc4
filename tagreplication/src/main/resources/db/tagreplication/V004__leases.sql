-- Leases: a running task is held by lease_owner (the id of the node that claimed it) until
-- lease_until_ms, which that node renews while it works on the task. A task whose lease ended goes
-- back to pending for any node to claim (its node died). NULL on rows that are not running.
ALTER TABLE replication_tasks ADD COLUMN lease_owner TEXT;
ALTER TABLE replication_tasks ADD COLUMN lease_until_ms INTEGER;
-- Claims look for running rows whose lease ended: a range of this small index.
CREATE INDEX replication_tasks_leases ON replication_tasks (lease_until_ms) WHERE state = 'running';
