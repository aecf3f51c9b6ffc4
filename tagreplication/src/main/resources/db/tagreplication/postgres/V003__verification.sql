-- PostgreSQL twin of ../V003__verification.sql.
CREATE TABLE replication_verification (
  destination       TEXT COLLATE "C" NOT NULL,
  rule              TEXT COLLATE "C" NOT NULL,
  runs              BIGINT  NOT NULL DEFAULT 0,
  created_ms        BIGINT  NOT NULL,
  last_run_ms       BIGINT,
  last_success_ms   BIGINT,
  last_error        TEXT,
  buckets_compared  INTEGER NOT NULL DEFAULT 0,
  differing_buckets INTEGER NOT NULL DEFAULT 0,
  mismatches        BIGINT  NOT NULL DEFAULT 0,
  repaired          BIGINT  NOT NULL DEFAULT 0,
  repaired_total    BIGINT  NOT NULL DEFAULT 0,
  PRIMARY KEY (destination, rule)
);
ALTER TABLE replication_tasks ADD COLUMN verification_mismatch_ms BIGINT;
