package io.buildindex.docker;

import io.buildindex.tagstore.Digest;
import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import io.buildindex.config.OriginConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciliation with the registry (GitLab Geo's backfill of rows that events missed): every
 * {@code origin.registry.reconcile_interval} the registry's catalog and tag lists are walked, each
 * tag's manifest digest read with a {@code HEAD}, and tags build-index does not know are
 * registered through the {@link TagIndex}, as their lost push notification would have. A tag whose
 * digest differs is counted and listed, never overwritten: a {@code PUT} from CI may be newer than
 * the registry's state. Registry requests are paced at {@value #REQUESTS_PER_SECOND} a second.
 * Scheduled walks run only where {@link TagIndex#responsible()} says so. Thread-safe; walks never
 * overlap.
 */
public final class RegistryReconciler implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RegistryReconciler.class);
  /** A walk of 30,000 tags takes ten minutes at this pace; a registry serves far more than that. */
  static final int REQUESTS_PER_SECOND = 50;

  private final RegistryCatalog catalog;
  private final TagIndex index;
  private final Duration interval;
  private final Clock clock;
  private final Counter runs;
  private final Counter failedRuns;
  private final Counter registeredTotal;
  private final Counter errors;
  private final AtomicLong tagsSeen = new AtomicLong();
  private final AtomicLong lastSuccessMillis;
  private final ScheduledThreadPoolExecutor scheduler =
      new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().name("registry-reconciliation").daemon().factory());
  private volatile ReconciliationStatus status;

  /** Walks {@code catalog} into {@code index} every {@code interval} once {@link #start}ed (zero: only by {@link #runOnce}). */
  RegistryReconciler(RegistryCatalog catalog, TagIndex index, Duration interval, Clock clock, MetricRegistry metrics) {
    this.catalog = catalog;
    this.index = index;
    this.interval = interval;
    this.clock = clock;
    this.status = new ReconciliationStatus(catalog.address(), "never", 0, null, null, null, 0, 0, 0, 0, 0, 0, List.of());
    this.lastSuccessMillis = new AtomicLong(clock.millis());
    runs = metrics.counter("docker.reconcile.runs");
    failedRuns = metrics.counter("docker.reconcile.failed_runs");
    registeredTotal = metrics.counter("docker.reconcile.registered");
    errors = metrics.counter("docker.reconcile.errors");
    metrics.register("docker.reconcile.tags_seen", (Gauge<Long>) tagsSeen::get);
    metrics.register("docker.reconcile.differing", (Gauge<Long>) () -> status.differingCount());
    metrics.register("docker.reconcile.seconds_since_success",
        (Gauge<Long>) () -> Math.max(0, (clock.millis() - lastSuccessMillis.get()) / 1000));
    scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
  }

  /** The reconciler of {@code config}'s registry, authenticating with its credentials. */
  public static RegistryReconciler create(OriginConfig.RegistryConfig config, OkHttpClient http, TagIndex index,
      Clock clock, MetricRegistry metrics) {
    RegistryAuth auth = new RegistryAuth(config.username(), config.password(), http, clock, TrustedHosts.of(config));
    OkHttpClient authenticated = http.newBuilder().addInterceptor(auth).authenticator(auth).build();
    RegistryCatalog catalog = new RegistryCatalog(HttpUrl.get(config.url()), authenticated,
        pace(REQUESTS_PER_SECOND, Sleeper.SYSTEM));
    return new RegistryReconciler(catalog, index, config.reconcileInterval(), clock, metrics);
  }

  /** Evenly spaced requests, {@code perSecond} of them a second, for one walking thread. */
  static RegistryCatalog.Pace pace(int perSecond, Sleeper sleeper) {
    long gapNanos = 1_000_000_000L / perSecond;
    long[] next = {System.nanoTime()};
    return () -> {
      long now = System.nanoTime();
      if (next[0] > now) {
        sleeper.sleep(Duration.ofNanos(next[0] - now));
      }
      next[0] = Math.max(now, next[0]) + gapNanos;
    };
  }

  /** Schedules a walk every interval, the first one interval after now; nothing when the interval is zero. */
  public void start() {
    if (!interval.isZero()) {
      scheduler.scheduleWithFixedDelay(this::runQuietly, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** The last walk's outcome; during a walk, its state is {@code running} and {@code tags_seen} counts. */
  public ReconciliationStatus status() {
    ReconciliationStatus s = status;
    return s.state().equals("running") ? new ReconciliationStatus(s.registry(), s.state(), s.runs(), s.lastRun(),
        s.lastSuccess(), s.lastError(), s.repositories(), tagsSeen.get(), s.registered(), s.registeredTotal(), s.errors(),
        s.differingCount(), s.differing()) : s;
  }

  private void runQuietly() {
    try {
      if (!index.responsible()) {
        log.debug("reconciliation with {}: another cluster member walks", catalog.address());
        return;
      }
      runOnce();
    } catch (RuntimeException e) {
      log.warn("reconciliation with {} failed unexpectedly", catalog.address(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One walk of the whole registry; returns the status it leaves. */
  public synchronized ReconciliationStatus runOnce() throws InterruptedException {
    Instant started = clock.instant();
    ReconciliationStatus before = status;
    runs.inc();
    tagsSeen.set(0);
    status = withState(before, "running");
    Walk walk = new Walk();
    try {
      for (String repository : catalog.repositories()) {
        walk.repositories++;
        for (String tag : catalog.tags(repository)) {
          check(walk, repository, tag);
        }
      }
    } catch (OriginException e) {
      failedRuns.inc();
      log.warn("reconciliation with {} failed after {} tags: {}", catalog.address(), tagsSeen.get(), e.getMessage());
      status = new ReconciliationStatus(before.registry(), "failed", before.runs() + 1, started, before.lastSuccess(),
          e.getMessage(), before.repositories(), tagsSeen.get(), before.registered(), before.registeredTotal() + walk.registered,
          before.errors(), before.differingCount(), before.differing());
      return status;
    }
    lastSuccessMillis.set(started.toEpochMilli());
    status = new ReconciliationStatus(before.registry(), "ok", before.runs() + 1, started, started, null,
        walk.repositories, tagsSeen.get(), walk.registered, before.registeredTotal() + walk.registered, walk.errors,
        walk.differingCount, walk.differing);
    report(status);
    return status;
  }

  /** What one walk has found so far. */
  private static final class Walk {
    long repositories;
    long registered;
    long errors;
    long differingCount;
    final List<ReconciliationStatus.Differing> differing = new ArrayList<>();
  }

  private void check(Walk walk, String repository, String tag) throws InterruptedException {
    tagsSeen.incrementAndGet();
    Optional<Digest> there = catalog.manifestDigest(repository, tag);
    if (there.isEmpty()) {
      return; // deleted since the tag list was read
    }
    try {
      Optional<TagIndex.Held> held = index.lookup(repository, tag);
      if (held.isEmpty()) {
        index.register(repository, tag, there.get());
        walk.registered++;
        registeredTotal.inc();
      } else if (!there.get().toString().equals(held.get().digest())) {
        walk.differingCount++;
        if (walk.differing.size() < ReconciliationStatus.MAX_LISTED) {
          walk.differing.add(new ReconciliationStatus.Differing(repository + ":" + tag, there.get().toString(),
              held.get().digest()));
        }
      }
    } catch (OriginException e) {
      throw e; // the registry (or our origin) is down: the walk cannot go on
    } catch (RuntimeException e) {
      walk.errors++;
      errors.inc();
      log.info("reconciliation cannot register {}:{} -> {}: {}", repository, tag, there.get(), e.getMessage());
    }
  }

  private void report(ReconciliationStatus s) {
    if (s.registered() > 0 || s.differingCount() > 0 || s.errors() > 0) {
      log.warn("reconciliation with {}: {} tags in {} repositories, {} registered (no notification announced them), "
          + "{} differ from build-index (left as they are), {} errors", s.registry(), s.tagsSeen(), s.repositories(),
          s.registered(), s.differingCount(), s.errors());
    } else {
      log.debug("reconciliation with {}: {} tags in {} repositories, all known", s.registry(), s.tagsSeen(), s.repositories());
    }
  }

  private static ReconciliationStatus withState(ReconciliationStatus s, String state) {
    return new ReconciliationStatus(s.registry(), state, s.runs(), s.lastRun(), s.lastSuccess(), s.lastError(),
        s.repositories(), s.tagsSeen(), s.registered(), s.registeredTotal(), s.errors(), s.differingCount(), s.differing());
  }

  /** Stops scheduling; a walk in progress is interrupted at its next request. */
  @Override
  public void close() {
    scheduler.shutdownNow();
    try {
      scheduler.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
