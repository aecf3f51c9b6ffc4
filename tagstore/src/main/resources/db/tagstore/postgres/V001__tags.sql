-- PostgreSQL (shared mode) twin of ../V001__tags.sql. COLLATE "C" orders tags by bytes, as SQLite
-- does, so /list and /repositories pages and their paging tokens are the same in both dialects
-- whatever the database's default collation.
CREATE TABLE tags (
  tag        TEXT COLLATE "C" PRIMARY KEY,
  digest     TEXT,
  generation BIGINT NOT NULL,
  updated_ms BIGINT NOT NULL
);

-- Every applied put, oldest first by id; survives deletes. Writes of one tag are serialized by its
-- row lock in tags, so their ids follow their commit order.
CREATE TABLE tag_history (
  id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tag        TEXT COLLATE "C" NOT NULL,
  digest     TEXT NOT NULL,
  generation BIGINT NOT NULL,
  time_ms    BIGINT NOT NULL
);
CREATE INDEX tag_history_by_tag ON tag_history (tag, id);
