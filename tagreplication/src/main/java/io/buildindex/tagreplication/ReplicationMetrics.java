package io.buildindex.tagreplication;

import com.codahale.metrics.CachedGauge;
import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import io.buildindex.database.LocalDb;
import io.buildindex.database.StoreUnavailableException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The module's metrics, all named {@code tagreplication.*}: per attempt (latency, end-to-end lag,
 * outcomes, failures by reason) and per destination (queue depth by state, age of the oldest
 * unfinished task). Thread-safe.
 *
 * <p>Design: queue gauges read one {@code GROUP BY} snapshot that is recomputed at most every
 * {@link #STATS_TTL}, when a gauge is read, so the queue's size costs nothing per task.
 */
final class ReplicationMetrics {
  static final String PREFIX = "tagreplication";
  /** How long a queue snapshot serves the gauges. */
  static final Duration STATS_TTL = Duration.ofSeconds(5);

  private final Timer attemptLatency;
  private final Timer replicationLag;
  private final Counter done;
  private final Counter superseded;
  private final Counter leasesExpired;
  private final Map<FailureReason, Counter> failures = new EnumMap<>(FailureReason.class);
  private final MetricRegistry registry;

  ReplicationMetrics(MetricRegistry registry) {
    this.registry = registry;
    attemptLatency = registry.timer(MetricRegistry.name(PREFIX, "attempt_latency"));
    replicationLag = registry.timer(MetricRegistry.name(PREFIX, "replication_lag"));
    done = registry.counter(MetricRegistry.name(PREFIX, "done"));
    superseded = registry.counter(MetricRegistry.name(PREFIX, "superseded"));
    leasesExpired = registry.counter(MetricRegistry.name(PREFIX, "leases_expired"));
    for (FailureReason r : FailureReason.values()) {
      failures.put(r, registry.counter(labeled(PREFIX + "_failures", "reason", r.metricName())));
    }
  }

  /**
   * Registers the queue gauges of {@code destinations}, fed by {@code db}, replacing gauges of the
   * same name (a registry outliving a restart of replication must not keep reading the old database).
   */
  static void registerQueueGauges(MetricRegistry registry, LocalDb db, Iterable<String> destinations, Clock clock) {
    TaskQueries queries = new TaskQueries();
    CachedGauge<TaskQueries.Stats> stats = new CachedGauge<>(STATS_TTL.toMillis(), TimeUnit.MILLISECONDS) {
      @Override
      protected TaskQueries.Stats loadValue() {
        try {
          return db.read(queries::stats);
        } catch (StoreUnavailableException e) {
          return TaskQueries.Stats.EMPTY; // closed or failing: the tag store's own checks report it
        }
      }
    };
    for (String destination : destinations) {
      for (TaskState s : TaskState.values()) {
        replace(registry, labeled(PREFIX + "_queue", "state", s.wireName(), "destination", destination),
            () -> stats.getValue().count(destination, s));
      }
      replace(registry, labeled(PREFIX + "_oldest_unfinished_seconds", "destination", destination), () -> {
        Instant oldest = stats.getValue().oldestUnfinished().get(destination);
        return oldest == null ? 0L : Math.max(0, Duration.between(oldest, clock.instant()).toSeconds());
      });
    }
  }

  /**
   * Registers {@code tagreplication_window{destination=...}}: the tasks {@code destination} may
   * have in flight now, its congestion window (replacing a gauge of an earlier engine).
   */
  void registerWindowGauge(String destination, Supplier<Long> window) {
    replace(registry, labeled(PREFIX + "_window", "destination", destination), window::get);
  }

  private static void replace(MetricRegistry registry, String name, Gauge<Long> gauge) {
    registry.remove(name);
    registry.register(name, gauge);
  }

  /**
   * A labeled metric name, {@code family<TAB>key=value...}: the server's Prometheus export turns
   * it into one family with a series per label set, e.g.
   * {@code tagreplication_queue{state="failed",destination="dc2:15004"}}. Destinations are kept
   * whole as label values rather than mangled into names.
   */
  static String labeled(String family, String... labelPairs) {
    StringBuilder b = new StringBuilder(family);
    for (int i = 0; i + 1 < labelPairs.length; i += 2) {
      b.append('\t').append(labelPairs[i]).append('=').append(labelPairs[i + 1]);
    }
    return b.toString();
  }

  /** Counts tasks returned to the queue because their lease ran out (their node died or stalled). */
  void leasesExpired(int tasks) {
    leasesExpired.inc(tasks);
  }

  /** Runs one attempt (one request to the remote, for one task or a batch), timing it. */
  <T> T time(Supplier<T> attempt) {
    long start = System.nanoTime();
    try {
      return attempt.get();
    } finally {
      attemptLatency.update(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
  }

  /**
   * Counts how a claim ended, once its row records it (so a result a newer write overtook is not
   * counted); a done task also records its lag since it was enqueued.
   */
  void finished(Finished f) {
    switch (f.result()) {
      case TaskResult.Done d -> {
        (d.superseded() ? superseded : done).inc();
        replicationLag.update(Duration.between(f.task().enqueued(), f.at()));
      }
      case TaskResult.Failed failed -> failures.get(failed.reason()).inc();
      case TaskResult.Released r -> { }
    }
  }
}
