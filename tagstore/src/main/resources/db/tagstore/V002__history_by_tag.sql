-- tag_history as one B-tree keyed by tag instead of a rowid table and an index on (tag, id): a put
-- then writes one history row into one tree, not two (SQLite only: PostgreSQL has no clustered
-- tables). A tag's entries sort by (generation, digest) in the order they were applied, since an
-- applied put always comes after the tag's current state in that order (SqlTagStore.decide).
CREATE TABLE tag_history_v2 (
  tag        TEXT NOT NULL,
  generation INTEGER NOT NULL,
  digest     TEXT NOT NULL,
  time_ms    INTEGER NOT NULL,
  PRIMARY KEY (tag, generation, digest)
) WITHOUT ROWID;
INSERT OR IGNORE INTO tag_history_v2 (tag, generation, digest, time_ms)
  SELECT tag, generation, digest, time_ms FROM tag_history ORDER BY id;
DROP TABLE tag_history;
ALTER TABLE tag_history_v2 RENAME TO tag_history;
