package io.buildindex.tagstore;

import com.codahale.metrics.CachedGauge;
import com.codahale.metrics.MetricRegistry;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Caffeine read cache in front of {@link SqliteTagStore}, caching misses too (a 404 is a common
 * answer to a build that looks for a tag before pushing it).
 *
 * <p>Design: a read loads through {@code cache.get(tag, loader)}, which holds the key's entry
 * while it reads SQLite; a write, after its commit, merges its result into the entry, if there is
 * one, keeping the newer state by SQLite's own ordering. So whatever the interleaving (a load that
 * read the old row before the commit waits for it to finish and is then corrected, two writers
 * finishing out of order), the entry ends at the newest committed state and no read after a
 * write's return can see an older one.
 */
final class CachingTagStore implements TagStore {
  private final SqliteTagStore store;
  private final Cache<Tag, Optional<TagRecord>> cache;

  CachingTagStore(SqliteTagStore store, long maximumSize, MetricRegistry metrics) {
    this.store = store;
    this.cache = Caffeine.newBuilder().maximumSize(maximumSize).recordStats().build();
    metrics.gauge(MetricRegistry.name("tagstore", "cache", "size"), () -> cache::estimatedSize);
    metrics.gauge(MetricRegistry.name("tagstore", "cache", "hit_ratio"), () -> () -> cache.stats().hitRate());
    metrics.register(MetricRegistry.name("tagstore", "tags"), new CachedGauge<Long>(10, TimeUnit.SECONDS) {
      @Override
      protected Long loadValue() {
        return store.countLive();
      }
    });
  }

  @Override
  public Optional<TagRecord> record(Tag tag) {
    return cache.get(tag, store::record);
  }

  @Override
  public PutResult put(Tag tag, Digest digest, Generation generation, InTransaction then) {
    return remember(store.put(tag, digest, generation, then));
  }

  @Override
  public PutResult delete(Tag tag, Generation generation, InTransaction then) {
    return remember(store.delete(tag, generation, then));
  }

  private PutResult remember(PutResult result) {
    TagRecord committed = result.current();
    // Only tags already cached are updated: caching every written tag would churn the cache (and
    // the young generation) with tags nobody reads; the first read loads it. The merge keeps the
    // ordering SQLite applied (generation, then the digest tie-break), whatever order writers finish in.
    // compute, not computeIfPresent: Caffeine's computeIfPresent returns at once while a load of
    // the key is in flight, and that load (of the pre-commit row) would then be cached.
    cache.asMap().compute(committed.tag(), (tag, old) -> old == null ? null
        : Optional.of(old.isEmpty() ? committed : SqliteTagStore.decide(old, committed).current()));
    return result;
  }

  @Override
  public List<HistoryEntry> history(Tag tag, int limit) {
    return store.history(tag, limit);
  }

  @Override
  public Page list(String prefix, int limit, @Nullable String after) {
    return store.list(prefix, limit, after);
  }

  @Override
  public Page listRepository(String repository, int limit, @Nullable String after) {
    return store.listRepository(repository, limit, after);
  }

  @Override
  public List<TagRecord> scan(@Nullable String after, int limit) {
    return store.scan(after, limit);
  }

  @Override
  public Generation newestGeneration() {
    return store.newestGeneration();
  }

  @Override
  public void check() {
    store.check();
  }

  @Override
  public void close() {
    cache.invalidateAll();
    store.close();
  }
}
