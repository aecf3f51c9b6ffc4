package io.buildindex.tagstore;

import io.buildindex.database.Dialect;

/** {@link SqlTagStoreTest} on PostgreSQL (a real server: PostgresFixture). */
final class PostgresTagStoreTest extends SqlTagStoreTest {
  PostgresTagStoreTest() {
    super(Dialect.POSTGRES);
  }
}
