package io.buildindex.tagreplication;

import com.codahale.metrics.MetricRegistry;
import io.buildindex.config.TagStoreConfig;
import io.buildindex.database.testing.SqliteFixture;
import io.buildindex.tagstore.TagStore;
import io.buildindex.tagstore.TagStores;
import java.nio.file.Path;
import java.time.Clock;

/** A temp database with tagstore's and tagreplication's migrations, and a tag store on it. */
final class TagDb implements AutoCloseable {
  private final SqliteFixture db;
  private final TagStore tags;

  TagDb(Path dir, Clock clock) {
    db = SqliteFixture.open(dir, "tagstore", "tagreplication");
    tags = TagStores.create(db.db(), TagStoreConfig.defaults(), clock, new MetricRegistry());
  }

  TagStore tags() {
    return tags;
  }

  @Override
  public void close() {
    tags.close();
    db.close();
  }
}
