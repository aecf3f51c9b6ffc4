package io.buildindex.server;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every metric family this server exports from its Dropwizard registry, in one place: the name a
 * module registers (the <em>source</em>, before any labels; see {@link LabeledMetrics#name}), the
 * Prometheus name it is exported as, its type, HELP text and, for histograms, the bucket bounds.
 * {@link CatalogCollector} exports only what is listed here; {@code MetricsExpositionTest} fails
 * naming any registered metric that is missing, and README's metric list must equal the scrape.
 *
 * <p>Adding a metric is one line below. Counters are named with {@code _total}; names carry their
 * base unit ({@code _seconds}, {@code _bytes}); a source in other units gives its units per exported unit
 * ({@code antientropy.last_round_millis}: 1000). Timers record nanoseconds and are exported in seconds;
 * Dropwizard {@code Timer}s and {@code Histogram}s of these families must come from
 * {@link CatalogRegistry} (so from {@code MetricRegistry.timer(name)}, which it overrides) to
 * have exact buckets.
 */
final class MetricCatalog {
  /** Request and commit latencies, seconds: sub-millisecond reads up to requests that time out. */
  static final double[] LATENCY_SECONDS =
      {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
  /** Enqueue to replicated, seconds: a healthy remote takes milliseconds, an outage hours. */
  static final double[] LAG_SECONDS =
      {0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600, 4 * 3600, 24 * 3600};
  /** Writes per group commit: powers of two up to the writer's largest batch (2048). */
  static final double[] BATCH_SIZES = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048};

  enum Type { COUNTER, GAUGE, HISTOGRAM }

  /**
   * One exported family.
   *
   * @param source the Dropwizard name (before labels) the metric is registered under
   * @param name the Prometheus family name, with {@code _total} for counters
   * @param perUnit source units per exported unit, dividing the source's values (1e9 for nanoseconds to seconds)
   * @param buckets histogram upper bounds in the exported unit, +Inf implied; empty otherwise
   */
  record Family(String source, String name, Type type, String help, double perUnit, List<Double> buckets) {
    Family {
      if (type == Type.COUNTER != name.endsWith("_total")) {
        throw new IllegalArgumentException("only counters end in _total: " + name);
      }
      if (type == Type.HISTOGRAM == buckets.isEmpty()) {
        throw new IllegalArgumentException("buckets are for histograms only: " + name);
      }
      buckets = List.copyOf(buckets);
    }

    /** The name in the Prometheus model, which writes the {@code _total} of counters itself. */
    String baseName() {
      return type == Type.COUNTER ? name.substring(0, name.length() - "_total".length()) : name;
    }

    /** The bucket bounds in the source's unit (nanoseconds for timers), for {@link BucketedReservoir}. */
    long[] sourceBounds() {
      return buckets.stream().mapToLong(b -> Math.round(b * perUnit)).toArray();
    }
  }

  private static final Map<String, Family> BY_SOURCE = new LinkedHashMap<>();

  static {
    // HTTP (buildindex)
    timer("http_request_duration", "http_request_duration_seconds", LATENCY_SECONDS,
        "Time to answer a request, by route template (unmatched for paths no route matches).");
    counter("http_responses", "http_responses_total", "Responses by route template and status class (2xx...5xx).");
    // Local database (database)
    timer("localdb.commit", "localdb_commit_duration_seconds", LATENCY_SECONDS,
        "Time of one group commit of the local database, including its fsync.");
    histogram("localdb.commit_batch_size", "localdb_commit_batch_size", BATCH_SIZES,
        "Writes committed together in one group commit.");
    counter("localdb.batch_splits", "localdb_batch_splits_total",
        "Group commits whose writes then ran one by one, because one failed or (shared database) the transaction was aborted.");
    gauge("localdb.write_queue", "localdb_write_queue", "Writes waiting for the local database's writer.");
    gauge("localdb.size_bytes", "localdb_size_bytes", "Size of the local database's files (database, WAL, shared memory).");
    gauge("localdb.disk_available_bytes", "localdb_disk_available_bytes",
        "Bytes available to this process on the file system that holds the local database.");
    // Shared mode: the PostgreSQL pool and the notification connection (database)
    counter("localdb.write_retries", "localdb_write_retries_total",
        "Shared database writes retried after a serialization failure or deadlock.");
    gauge("localdb.pool_active_connections", "localdb_pool_active_connections", "Shared database connections in use.");
    gauge("localdb.pool_idle_connections", "localdb_pool_idle_connections", "Shared database connections idle in the pool.");
    gauge("localdb.pool_pending_threads", "localdb_pool_pending_threads", "Threads waiting for a shared database connection.");
    gauge("localdb.pool_max_connections", "localdb_pool_max_connections", "Size limit of the shared database connection pool.");
    gauge("localdb.listen_connected", "localdb_listen_connected",
        "1 while the connection that hears other nodes' writes (LISTEN) is up, else 0.");
    // Tag store (tagstore; tagstore.up by the server)
    gauge("tagstore.up", "tagstore_up", "1 while the tag store can serve (the readiness check's store check), else 0.");
    gauge("tagstore.tags", "tagstore_tags", "Tags stored, tombstones excluded (refreshed every 10 s).");
    gauge("tagstore.cache.size", "tagstore_cache_entries", "Entries in the tag store's read cache.");
    gauge("tagstore.cache.listening", "tagstore_cache_listening",
        "1 while the read cache hears other nodes' writes (shared mode; always 1 on SQLite), else 0 and reads bypass it.");
    counter("tagstore.cache.invalidations", "tagstore_cache_invalidations_total",
        "Read cache entries dropped because another node changed the tag (shared mode).");
    counter("tagstore.cache.bypassed_reads", "tagstore_cache_bypassed_reads_total",
        "Tag reads sent to the database because the cache was not hearing other nodes' writes.");
    gauge("tagstore.cache.hit_ratio", "tagstore_cache_hit_ratio", "Share of tag reads answered by the read cache since start.");
    // Replication (tagreplication)
    gauge("tagreplication_queue", "tagreplication_queue", "Replication tasks by destination and state (refreshed every 5 s).");
    gauge("tagreplication_oldest_unfinished_seconds", "tagreplication_oldest_unfinished_seconds",
        "Age of the destination's oldest unfinished replication task: its replication lag.");
    timer("tagreplication.attempt_latency", "tagreplication_attempt_duration_seconds", LATENCY_SECONDS,
        "Time of one replication request to a remote (one task or a batch).");
    timer("tagreplication.replication_lag", "tagreplication_replication_lag_seconds", LAG_SECONDS,
        "Time from enqueueing a replication task to its success.");
    counter("tagreplication.done", "tagreplication_done_total", "Replication tasks that succeeded.");
    counter("tagreplication.superseded", "tagreplication_superseded_total",
        "Replication tasks that ended because the remote already had the tag or a newer write.");
    counter("tagreplication.leases_expired", "tagreplication_leases_expired_total",
        "Claimed replication tasks returned to the queue because their node's lease ran out (a node died or stalled).");
    counter("tagreplication_failures", "tagreplication_failures_total", "Failed replication attempts by reason.");
    gauge("tagreplication.engine_up", "tagreplication_engine_up",
        "1 while the replication engine runs, 0 once a thread of it has ended.");
    gauge("tagreplication_window", "tagreplication_window",
        "Replication tasks the destination may have in flight now: its congestion window.");
    gauge("tagreplication_destination_breaker_open", "tagreplication_destination_breaker_open",
        "1 while the destination's circuit breaker is open or half-open (attempts stopped or probing), else 0.");
    counter("tagreplication.verification_runs", "tagreplication_verification_runs_total", "Verification runs.");
    counter("tagreplication.verification_failed_runs", "tagreplication_verification_failed_runs_total",
        "Verification runs that could not complete.");
    counter("tagreplication.verification_mismatches", "tagreplication_verification_mismatches_total",
        "Tags verification found missing or older on a remote.");
    counter("tagreplication.verification_repaired", "tagreplication_verification_repaired_total",
        "Tags verification enqueued again.");
    gauge("tagreplication_verification_seconds_since_success", "tagreplication_verification_seconds_since_success",
        "Seconds since the destination's least recently verified rule last verified successfully.");
    // Cluster (buildindex, hashring)
    counter("duplicate_put_failures", "duplicate_put_failures_total", "Tag writes that no neighbor acknowledged.");
    counter("duplicate_replicate_failures", "duplicate_replicate_failures_total",
        "Replication requests that no neighbor acknowledged.");
    counter("duplicate_delete_failures", "duplicate_delete_failures_total", "Tag deletes that no neighbor acknowledged.");
    gauge("hashring.members", "hashring_members", "Members of the hash ring.");
    gauge("hashring.healthy_members", "hashring_healthy_members", "Members of the hash ring that pass health checks.");
    gauge("hashring.membership_stale", "hashring_membership_stale",
        "1 while the membership source fails and the last known membership is in use.");
    gauge("hashring.seconds_since_refresh", "hashring_seconds_since_refresh",
        "Seconds since the membership source last answered (since start when it never has).");
    counter("hashring.refresh_failures", "hashring_refresh_failures_total", "Failed refreshes of the membership.");
    counter("cluster.list_fanout_failures", "cluster_list_fanout_failures_total",
        "Member list pages that failed or timed out while answering a cluster-wide list.");
    counter("cluster.list_incomplete", "cluster_list_incomplete_total",
        "Lists answered 503 because some tags had no reachable owner.");
    counter("antientropy.repaired", "antientropy_repaired_total", "Tags anti-entropy copied between neighbors.");
    counter("antientropy.differing_buckets", "antientropy_differing_buckets_total",
        "Digest buckets anti-entropy found to differ from a neighbor's.");
    counter("antientropy.failed_rounds", "antientropy_failed_rounds_total", "Anti-entropy rounds that failed.");
    counter("antientropy.handed_off", "antientropy_handed_off_total", "Tags anti-entropy handed off to their new owners.");
    add("antientropy.last_round_millis", "antientropy_last_round_seconds", Type.GAUGE, 1e3, new double[0],
        "Duration of the last anti-entropy round.");
    // Docker and notifications (docker, buildindex)
    counter("docker.transfer.bytes", "docker_transfer_bytes_total", "Blob bytes copied between registries.");
    counter("notifications.registered", "notifications_registered_total", "Tags registered from registry notifications.");
    counter("docker.reconcile.runs", "docker_reconcile_runs_total", "Registry reconciliation walks.");
    counter("docker.reconcile.failed_runs", "docker_reconcile_failed_runs_total", "Registry reconciliation walks that failed.");
    counter("docker.reconcile.registered", "docker_reconcile_registered_total", "Tags registered by reconciliation.");
    counter("docker.reconcile.errors", "docker_reconcile_errors_total", "Errors of reconciliation on single tags.");
    gauge("docker.reconcile.differing", "docker_reconcile_differing", "Tags the last reconciliation walk found differing.");
    gauge("docker.reconcile.tags_seen", "docker_reconcile_tags_seen", "Tags the current reconciliation walk has seen.");
    gauge("docker.reconcile.seconds_since_success", "docker_reconcile_seconds_since_success",
        "Seconds since a reconciliation walk last succeeded.");
  }

  private MetricCatalog() {}

  /** The family of a source name (labels stripped), if listed. */
  static Optional<Family> bySource(String source) {
    return Optional.ofNullable(BY_SOURCE.get(LabeledMetrics.family(source)));
  }

  static List<Family> families() {
    return List.copyOf(BY_SOURCE.values());
  }

  private static void counter(String source, String name, String help) {
    add(source, name, Type.COUNTER, 1, new double[0], help);
  }

  private static void gauge(String source, String name, String help) {
    add(source, name, Type.GAUGE, 1, new double[0], help);
  }

  /** A Dropwizard timer: nanoseconds, exported in seconds. */
  private static void timer(String source, String name, double[] bucketsSeconds, String help) {
    add(source, name, Type.HISTOGRAM, 1e9, bucketsSeconds, help);
  }

  private static void histogram(String source, String name, double[] buckets, String help) {
    add(source, name, Type.HISTOGRAM, 1, buckets, help);
  }

  private static void add(String source, String name, Type type, double perUnit, double[] buckets, String help) {
    Family f = new Family(source, name, type, help, perUnit, Arrays.stream(buckets).boxed().toList());
    if (BY_SOURCE.putIfAbsent(source, f) != null) {
      throw new IllegalStateException("listed twice: " + source);
    }
  }
}
