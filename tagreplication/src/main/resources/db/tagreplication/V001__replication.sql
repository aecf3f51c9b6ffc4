-- One row per (tag, destination): the newest replication work for that pair. A newer write replaces
-- the row in place and bumps version, which a running worker compares when it finishes.
-- digest is NULL for a task that replicates a delete (tombstone). next_attempt_ms is set exactly
-- while the task waits (pending or failed), which the CHECK holds and the due index relies on.
-- priority 0 is a write, 1 a backfill. attempts counts finished attempts since (re)enqueue.
CREATE TABLE replication_tasks (
  id              INTEGER PRIMARY KEY,
  tag             TEXT    NOT NULL,
  destination     TEXT    NOT NULL,
  digest          TEXT,
  dependencies    TEXT    NOT NULL,
  generation      INTEGER NOT NULL,
  priority        INTEGER NOT NULL,
  state           TEXT    NOT NULL CHECK (state IN ('pending', 'running', 'failed', 'dead', 'done')),
  next_attempt_ms INTEGER,
  attempts        INTEGER NOT NULL DEFAULT 0,
  last_error      TEXT,
  error_reason    TEXT,
  superseded      INTEGER NOT NULL DEFAULT 0,
  version         INTEGER NOT NULL DEFAULT 1,
  enqueued_ms     INTEGER NOT NULL,
  updated_ms      INTEGER NOT NULL,
  CHECK ((state IN ('pending', 'failed')) = (next_attempt_ms IS NOT NULL))
);
CREATE UNIQUE INDEX replication_tasks_key ON replication_tasks (tag, destination);
-- Claims: due tasks of one destination and priority, oldest due first.
CREATE INDEX replication_tasks_due ON replication_tasks (destination, priority, next_attempt_ms)
  WHERE next_attempt_ms IS NOT NULL;
-- Listing and retry by state, queue depth gauges.
CREATE INDEX replication_tasks_by_state ON replication_tasks (state, destination);
-- Purge of done tasks past their retention.
CREATE INDEX replication_tasks_done ON replication_tasks (updated_ms) WHERE state = 'done';

-- Backfill of one remote rule: existing tags are scanned in key order and enqueued; cursor is the
-- last key scanned, committed with the tasks it enqueued, so a restart resumes after it.
CREATE TABLE replication_backfill (
  destination TEXT    NOT NULL,
  rule        TEXT    NOT NULL,
  cursor      TEXT,
  enqueued    INTEGER NOT NULL DEFAULT 0,
  done        INTEGER NOT NULL DEFAULT 0,
  started_ms  INTEGER NOT NULL,
  updated_ms  INTEGER NOT NULL,
  PRIMARY KEY (destination, rule)
) WITHOUT ROWID;
