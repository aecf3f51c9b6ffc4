package io.buildindex.tagstore;

import io.buildindex.database.Dialect;

/** {@link SqlTagStoreTest} on SQLite. */
final class SqliteTagStoreTest extends SqlTagStoreTest {
  SqliteTagStoreTest() {
    super(Dialect.SQLITE);
  }
}
