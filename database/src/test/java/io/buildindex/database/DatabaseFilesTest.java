package io.buildindex.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.codahale.metrics.MetricRegistry;
import io.buildindex.database.testing.SqliteFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The database's files: one node at a time (a lock beside the file), no empty file taken for a
 * new database, and a {@code -wal} deleted under a running node fails it closed.
 */
final class DatabaseFilesTest {
  @TempDir Path dir;

  @Test
  void open_fileAlreadyOpen_refusedNamingTheHolder() {
    Path file = dir.resolve("index.db");
    try (LocalDb first = Databases.sqlite(file, new MetricRegistry())) {
      assertThatThrownBy(() -> Databases.sqlite(file, new MetricRegistry()))
          .isInstanceOf(StoreUnavailableException.class)
          .hasMessageContaining("in use by another build-index")
          .hasMessageContaining("pid " + ProcessHandle.current().pid())
          .hasMessageContaining("index.db.lock");
      first.check(); // the refused open took nothing from the holder
    }
  }

  @Test
  void open_afterTheHolderClosed_succeeds() {
    Path file = dir.resolve("index.db");
    Databases.sqlite(file, new MetricRegistry()).close();

    try (LocalDb again = Databases.sqlite(file, new MetricRegistry())) {
      again.check();
    }
  }

  @Test
  void open_zeroLengthFile_refused() throws IOException {
    Path file = Files.createFile(dir.resolve("index.db"));

    assertThatThrownBy(() -> Databases.sqlite(file, new MetricRegistry()))
        .isInstanceOf(StoreUnavailableException.class)
        .hasMessageContaining("empty (0 bytes)");
    assertThat(Files.size(file)).isZero(); // left as found, for whoever investigates
  }

  @Test
  void walDeletedWhileOpen_writeFailsAndTheDatabaseStaysFailed() throws IOException {
    try (SqliteFixture fixture = SqliteFixture.open(dir, SqliteFixture.TEST_MODULE)) {
      LocalDb db = fixture.db();
      db.write(tx -> insert(tx, 100));
      Path wal = fixture.file().resolveSibling(fixture.file().getFileName() + "-wal");
      assertThat(wal).exists();

      Files.delete(wal);

      assertThatThrownBy(() -> db.write(tx -> insert(tx, 101)))
          .isInstanceOf(StoreUnavailableException.class).hasMessageContaining("write-ahead log");
      assertThatThrownBy(() -> db.write(tx -> insert(tx, 102))).isInstanceOf(StoreUnavailableException.class);
      assertThatThrownBy(db::check).isInstanceOf(StoreUnavailableException.class).hasMessageContaining("restart");
      assertThatThrownBy(() -> db.read(c -> 1)).isInstanceOf(StoreUnavailableException.class);
    }
  }

  @Test
  void walDeletedWhileIdle_checkFails() throws IOException {
    try (SqliteFixture fixture = SqliteFixture.open(dir, SqliteFixture.TEST_MODULE)) {
      LocalDb db = fixture.db();
      db.write(tx -> insert(tx, 200));
      db.check();

      Files.delete(fixture.file().resolveSibling(fixture.file().getFileName() + "-wal"));

      assertThatThrownBy(db::check).isInstanceOf(StoreUnavailableException.class).hasMessageContaining("write-ahead log");
    }
  }

  private static int insert(Connection c, int id) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("INSERT INTO items (id, name) VALUES (?, ?)")) {
      s.setInt(1, id);
      s.setString(2, "item-" + id);
      return s.executeUpdate();
    }
  }
}
