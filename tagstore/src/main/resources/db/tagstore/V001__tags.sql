-- Current state of each tag. digest is NULL for a tombstone (deleted tag), kept so that an older
-- generation cannot bring a deleted tag back. tag is "repository:name"; lexicographic order of the
-- primary key serves /list and /repositories paging.
CREATE TABLE tags (
  tag        TEXT PRIMARY KEY,
  digest     TEXT,
  generation INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL
) WITHOUT ROWID;

-- Every applied put, oldest first by id; survives deletes.
CREATE TABLE tag_history (
  id         INTEGER PRIMARY KEY,
  tag        TEXT NOT NULL,
  digest     TEXT NOT NULL,
  generation INTEGER NOT NULL,
  time_ms    INTEGER NOT NULL
);
CREATE INDEX tag_history_by_tag ON tag_history (tag, id);
