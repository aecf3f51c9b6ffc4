package io.buildindex.tagstore;

import com.codahale.metrics.CachedGauge;
import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.buildindex.database.LocalDb;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Caffeine read cache in front of {@link SqlTagStore}, caching misses too (a 404 is a common
 * answer to a build that looks for a tag before pushing it).
 *
 * <p>Design, one node: a read loads through {@code cache.get(tag, loader)}, which holds the key's
 * entry while it reads the database; a write, after its commit, merges its result into the entry,
 * if there is one, keeping the newer state by the store's own ordering. So whatever the
 * interleaving (a load that read the old row before the commit waits for it to finish and is then
 * corrected, two writers finishing out of order), the entry ends at the newest committed state and
 * no read after a write's return can see an older one.
 *
 * <p>Design, shared mode (PostgreSQL, other nodes write too): every committed change notifies the
 * tag on {@link SqlTagStore#CHANNEL}, and this cache drops the tag's entry when told. The drop
 * waits for a load of that key in flight (Caffeine holds the entry while loading), and a load that
 * starts after the notification reads after the commit, so no entry outlives a notified change.
 * Notifications are only as good as the listening connection: the cache is <em>known fresh</em>
 * only while it is up. Each entry carries the cache's epoch at the start of its load; the epoch
 * moves when the connection goes down and when it is listening again, so an entry loaded before
 * either edge is never answered afterwards (it is reloaded). While the connection is down, every
 * read bypasses the cache and reads the database. So a node never answers from a cache that may
 * have missed a change, and since the database answers the newest committed state, a node never
 * answers an older digest after a newer one. Notices are sent just after the commit (see
 * {@code PostgresLocalDb}), so a writer that dies in between leaves other nodes' entries of that tag
 * stale: entries expire after {@link #SHARED_MAX_AGE} to bound it.
 *
 * <p>PostgreSQL outage: the listener goes down with the database, so reads go to the database too
 * and fail with a 503 instead of being served from the cache. That is deliberate: a node cannot tell
 * an outage of the database from its own network partition, during which the other nodes may still
 * write, and a cached answer could then be older than a write another node acknowledged. Reads come
 * back from the cache once the listener has reconnected (within its backoff, at most 5 s).
 */
final class CachingTagStore implements TagStore {
  private static final Logger log = LoggerFactory.getLogger(CachingTagStore.class);

  /**
   * Shared mode: the longest an entry is answered without reading the database again. It bounds the
   * one staleness notifications cannot rule out: a node that dies after committing a write and
   * before its notice is sent (a window of milliseconds; the write was never acknowledged).
   */
  static final Duration SHARED_MAX_AGE = Duration.ofSeconds(30);

  private final SqlTagStore store;
  private final Cache<Tag, Entry> cache;
  /** Moves at each edge of the listening connection; entries of an older epoch are never answered. */
  private final AtomicLong epoch = new AtomicLong();
  private final LocalDb.Subscription changes;
  private final Counter invalidations;
  private final Counter bypassedReads;

  /**
   * A cached answer (null: no such tag) and the epoch its load started in. Not an Optional: the
   * cache holds tens of thousands of these, and a wrapper is 16 more bytes each.
   */
  private record Entry(@Nullable TagRecord record, long epoch) {}

  CachingTagStore(SqlTagStore store, long maximumSize, MetricRegistry metrics) {
    this(store, maximumSize, metrics, Ticker.systemTicker());
  }

  CachingTagStore(SqlTagStore store, long maximumSize, MetricRegistry metrics, Ticker ticker) {
    this.store = store;
    Caffeine<Object, Object> builder = Caffeine.newBuilder().maximumSize(maximumSize).recordStats();
    if (store.db().dialect().shared()) {
      builder.expireAfterWrite(SHARED_MAX_AGE).ticker(ticker);
    }
    this.cache = builder.build();
    this.invalidations = metrics.counter(MetricRegistry.name("tagstore", "cache", "invalidations"));
    this.bypassedReads = metrics.counter(MetricRegistry.name("tagstore", "cache", "bypassed_reads"));
    metrics.gauge(MetricRegistry.name("tagstore", "cache", "size"), () -> cache::estimatedSize);
    metrics.gauge(MetricRegistry.name("tagstore", "cache", "hit_ratio"), () -> () -> cache.stats().hitRate());
    metrics.register(MetricRegistry.name("tagstore", "tags"), new CachedGauge<Long>(10, TimeUnit.SECONDS) {
      @Override
      protected Long loadValue() {
        return store.countLive();
      }
    });
    this.changes = store.db().listen(SqlTagStore.CHANNEL, new LocalDb.Listener() {
      @Override
      public void notified(String payload) {
        invalidate(payload);
      }

      @Override
      public void listening(boolean up) {
        epoch.incrementAndGet(); // first: a load finishing now is not answered from the cache again
        cache.invalidateAll();
        log.info(up ? "tag cache listening for other nodes' writes again; serving from the cache"
            : "tag cache lost its notifications; reading every tag from the database until it reconnects");
      }
    });
    metrics.gauge(MetricRegistry.name("tagstore", "cache", "listening"), () -> () -> changes.listening() ? 1 : 0);
  }

  private void invalidate(String tag) {
    try {
      cache.invalidate(Tag.parse(tag));
      invalidations.inc();
    } catch (RuntimeException e) { // not a tag we could have cached
      log.warn("tag change notification for an unparsable tag {}", tag);
    }
  }

  @Override
  public Optional<TagRecord> record(Tag tag) {
    while (true) {
      if (!changes.listening()) {
        bypassedReads.inc();
        return store.record(tag);
      }
      long started = epoch.get();
      Entry e = cache.get(tag, t -> new Entry(store.record(t).orElse(null), started));
      if (e.epoch() == epoch.get()) {
        return Optional.ofNullable(e.record());
      }
      cache.asMap().remove(tag, e); // loaded before the listener's last edge: may have missed a change
    }
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
    // ordering the store applied (generation, then the digest tie-break), whatever order writers finish in.
    // compute, not computeIfPresent: Caffeine's computeIfPresent returns at once while a load of
    // the key is in flight, and that load (of the pre-commit row) would then be cached.
    cache.asMap().compute(committed.tag(), (tag, old) -> old == null ? null
        : new Entry(SqlTagStore.decide(Optional.ofNullable(old.record()), committed).current(), old.epoch()));
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
    changes.close();
    cache.invalidateAll();
    store.close();
  }
}
