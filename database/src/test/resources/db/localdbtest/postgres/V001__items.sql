-- Rows written by LocalDbTest and by InTransaction hooks in SqliteTagStoreTest.
CREATE TABLE items (
  id   INTEGER PRIMARY KEY,
  name TEXT NOT NULL
);

CREATE TABLE seeds (
  note TEXT NOT NULL
);
