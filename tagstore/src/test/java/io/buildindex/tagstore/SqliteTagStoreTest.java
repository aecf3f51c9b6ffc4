package io.buildindex.tagstore;

import static io.buildindex.tagstore.SqlTagStoreTest.digest;
import static io.buildindex.tagstore.SqlTagStoreTest.gen;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.buildindex.database.Dialect;
import io.buildindex.database.testing.SqliteFixture;
import io.buildindex.testing.FakeClock;
import io.buildindex.testing.LogCapture;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link SqlTagStoreTest} on SQLite, and the upgrade of a database the first schema wrote. */
final class SqliteTagStoreTest extends SqlTagStoreTest {
  private static final Tag TAG = Tag.parse("team/app:v1");
  private static final Tag OTHER = Tag.parse("team/app:v2");

  @TempDir Path oldDir;

  SqliteTagStoreTest() {
    super(Dialect.SQLITE);
  }

  /**
   * A database at tagstore's schema version 1 (history in a rowid table, in id order) keeps every
   * history entry, in the same order, once the store has moved it to the table keyed by tag.
   */
  @Test
  void historyOfSchemaVersion1_keptInOrder_afterTheUpgrade() throws Exception {
    String firstSchema = resource("db/tagstore/V001__tags.sql");
    try (SqliteFixture old = SqliteFixture.open(oldDir)) {
      old.db().write(tx -> {
        try (Statement s = tx.createStatement()) {
          s.execute("CREATE TABLE schema_migrations (module TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL, "
              + "PRIMARY KEY (module, version)) WITHOUT ROWID");
          for (String statement : firstSchema.split(";\\s*(\\n|$)")) {
            if (!statement.isBlank()) {
              s.execute(statement);
            }
          }
          s.execute("INSERT INTO schema_migrations VALUES ('tagstore', 1, 'V001__tags.sql')");
          s.execute("INSERT INTO tags VALUES ('team/app:v1', '" + digest('b') + "', 2, 3000), ('team/app:v2', NULL, 9, 9000)");
          // As the first schema's store appended them, in the order they were applied.
          s.execute("INSERT INTO tag_history (tag, digest, generation, time_ms) VALUES "
              + "('team/app:v1', '" + digest('c') + "', 1, 1000), ('team/app:v2', '" + digest('a') + "', 5, 5000), "
              + "('team/app:v1', '" + digest('a') + "', 2, 2000), ('team/app:v1', '" + digest('b') + "', 2, 3000)");
        }
        return null;
      });
      FakeClock clock = new FakeClock();
      SqlTagStore store;
      try (LogCapture log = LogCapture.of("io.buildindex.database.SqliteLocalDb", Level.INFO)) {
        store = new SqlTagStore(old.db(), clock);
        assertThat(log.messages(Level.INFO)).singleElement().asString()
            .startsWith("applied migration V002__history_by_tag.sql of tagstore to ").contains(" ms");
      }
      try {
        assertThat(store.history(TAG, 10)).containsExactly(new HistoryEntry(digest('b'), gen(2), Instant.ofEpochMilli(3000)),
            new HistoryEntry(digest('a'), gen(2), Instant.ofEpochMilli(2000)),
            new HistoryEntry(digest('c'), gen(1), Instant.ofEpochMilli(1000)));
        assertThat(store.history(OTHER, 10)).extracting(HistoryEntry::digest).containsExactly(digest('a'));
        String schema = old.db().read(c -> {
          try (PreparedStatement q = c.prepareStatement("SELECT sql FROM sqlite_master WHERE name = 'tag_history'");
              ResultSet rs = q.executeQuery()) {
            return rs.next() ? rs.getString(1) : null;
          }
        });
        assertThat(schema).contains("WITHOUT ROWID");

        store.put(TAG, digest('d'), gen(3));
        assertThat(store.history(TAG, 10)).extracting(HistoryEntry::digest)
            .containsExactly(digest('d'), digest('b'), digest('a'), digest('c'));
      } finally {
        store.close();
      }
    }
  }

  private static String resource(String path) throws IOException {
    try (InputStream in = SqliteTagStoreTest.class.getClassLoader().getResourceAsStream(path)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
