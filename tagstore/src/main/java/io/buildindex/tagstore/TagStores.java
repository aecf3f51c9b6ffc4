package io.buildindex.tagstore;

import com.codahale.metrics.MetricRegistry;
import io.buildindex.config.TagStoreConfig;
import io.buildindex.database.LocalDb;
import java.time.Clock;

/** Builds the {@link TagStore}: cache, then the database (SQLite, or PostgreSQL in shared mode). */
public final class TagStores {
  private TagStores() {}

  /** Applies the tag store's migrations to {@code db} and returns a cached store on it. */
  public static TagStore create(LocalDb db, TagStoreConfig config, Clock clock, MetricRegistry metrics) {
    return new CachingTagStore(new SqlTagStore(db, clock), config.cacheMaximumSize(), metrics);
  }
}
