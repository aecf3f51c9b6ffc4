package io.buildindex.config;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The keys of Kraken's build-index configuration that this server reads differently or not at
 * all, in one place. Follows uber/kraken {@code build-index/cmd/config.go} (the {@code Config}
 * struct of Kraken v0.1.x) and the structs it embeds:
 * {@code tagserver.Config}, {@code persistedretry.Config}, {@code upstream.ActiveConfig}
 * ({@code hostlist.Config}, {@code healthcheck.FilterConfig} and {@code MonitorConfig}),
 * {@code localdb.Config}, {@code tagtype.Config}; plus {@code backend_manager} of later Kraken
 * releases and {@code tagserver.cache} of earlier ones. {@code tls} is not listed: it has a
 * section of its own. Stateless.
 */
final class KrakenKeys {
  /**
   * Kraken keys with no meaning here: accepted, dropped and named in one start-up warning. A
   * dotted path drops the whole subtree under it.
   */
  static final List<String> IGNORED = List.of(
      // Top-level sections of Kraken's build-index Config this server has no use for: logging and
      // metrics are configured the Java way, storage is SQLite, and there is no nginx in front.
      "zap", "metrics", "backends", "backend_manager", "tag_store", "store", "writeback", "nginx",
      // tagserver.Config of Kraken releases that had a response cache.
      "tagserver.cache",
      // persistedretry.Config: buffers, throttling and synchronous retries of Kraken's in-memory
      // queues. Ours is a persistent queue with its own retry policy (see tag_replication.*).
      "tag_replication.incoming_buffer", "tag_replication.retry_buffer", "tag_replication.max_task_throughput",
      "tag_replication.sync_retries", "tag_replication.sync_retry_delay", "tag_replication.testing",
      // upstream.ActiveConfig: health checks of the origin cluster (blob transfers retry instead),
      // and the switch that turns off the cluster's (ours always run).
      "origin.healthcheck", "cluster.healthcheck.disabled");

  /**
   * Kraken's spellings of keys we have, relative to their section: {@code cluster.healthcheck}'s
   * {@code filter.*} and {@code monitor.interval} (Kraken's {@code upstream.ActiveConfig}) are our
   * flat {@code healthcheck.*}.
   */
  static final Map<String, Map<String, String>> HEALTHCHECK_ALIASES = Map.of(
      "filter", Map.of("fails", "fails", "passes", "passes", "timeout", "timeout"),
      "monitor", Map.of("interval", "interval"));

  /**
   * Kraken's two worker pools (new tasks, retries) of {@code tag_replication}; our one pool,
   * {@code num_workers}, serves both, so it defaults to their sum.
   */
  static final Set<String> WORKER_POOLS = Set.of("num_incoming_workers", "num_retry_workers");
  /** Kraken's {@code persistedretry.Config} defaults, used for a pool given as 0 or not at all. */
  static final int DEFAULT_INCOMING_WORKERS = 4;
  static final int DEFAULT_RETRY_WORKERS = 2;

  /** Our {@code auth} keys; an {@code auth} section with none of them is Kraken's backend credentials. */
  static final Set<String> OUR_AUTH_KEYS = Set.of("tokens", "client_token");

  private KrakenKeys() {}
}
