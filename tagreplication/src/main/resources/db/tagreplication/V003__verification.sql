-- Verification of one remote rule: what the remote holds compared with what it should hold, by
-- bucket. last_run_ms is the start of the last run, last_success_ms of the last one that finished.
-- The counts are those of the last successful run, repaired_total of every run.
CREATE TABLE replication_verification (
  destination       TEXT    NOT NULL,
  rule              TEXT    NOT NULL,
  runs              INTEGER NOT NULL DEFAULT 0,
  created_ms        INTEGER NOT NULL,
  last_run_ms       INTEGER,
  last_success_ms   INTEGER,
  last_error        TEXT,
  buckets_compared  INTEGER NOT NULL DEFAULT 0,
  differing_buckets INTEGER NOT NULL DEFAULT 0,
  mismatches        INTEGER NOT NULL DEFAULT 0,
  repaired          INTEGER NOT NULL DEFAULT 0,
  repaired_total    INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (destination, rule)
) WITHOUT ROWID;
-- When a verification last found this task's tag missing or older on the remote, NULL if never.
ALTER TABLE replication_tasks ADD COLUMN verification_mismatch_ms INTEGER;
