package io.buildindex.tagreplication;

import com.codahale.metrics.MetricRegistry;
import io.buildindex.config.TagStoreConfig;
import io.buildindex.tagstore.LocalDb;
import io.buildindex.tagstore.TagStore;
import io.buildindex.tagstore.TagStores;
import java.nio.file.Path;
import java.time.Clock;

/**
 * A node's database in a temporary directory with the tag store's and this module's migrations
 * applied; {@link #reopen} closes and opens the same file, as a restart does.
 */
final class SqliteFixture implements AutoCloseable {
  private final Path file;
  private final Clock clock;
  private LocalDb db;
  private TagStore tags;

  SqliteFixture(Path dir, Clock clock) {
    this.file = dir.resolve("node.db");
    this.clock = clock;
    open();
  }

  private void open() {
    db = LocalDb.open(file, new MetricRegistry());
    tags = TagStores.create(db, TagStoreConfig.defaults(), clock, new MetricRegistry());
    db.migrate("tagreplication");
  }

  LocalDb db() {
    return db;
  }

  TagStore tags() {
    return tags;
  }

  void reopen() {
    close();
    open();
  }

  @Override
  public void close() {
    tags.close();
    db.close();
  }
}
