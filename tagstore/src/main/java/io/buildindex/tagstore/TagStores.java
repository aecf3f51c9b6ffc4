package io.buildindex.tagstore;

import com.codahale.metrics.MetricRegistry;
import io.buildindex.config.TagStoreConfig;
import io.buildindex.database.LocalDb;
import java.time.Clock;

/** Builds the {@link TagStore}: cache, then SQLite. */
public final class TagStores {
  private TagStores() {}

  /** Applies the tag store's migrations to {@code db} and returns a cached store on it. */
  public static TagStore create(LocalDb db, TagStoreConfig config, Clock clock, MetricRegistry metrics) {
    return new CachingTagStore(new SqliteTagStore(db, clock), config.cacheMaximumSize(), metrics);
  }
}
