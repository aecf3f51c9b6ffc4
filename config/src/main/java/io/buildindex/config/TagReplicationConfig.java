package io.buildindex.config;

import java.time.Duration;

/**
 * The {@code tag_replication} section: the retry policy and worker pool of the persistent
 * replication queue. The circuit breaker never holds a destination longer than
 * {@code max_retry_interval}, so it cannot delay work beyond what this policy allows.
 */
public record TagReplicationConfig(
    Duration retryInterval,
    Duration maxRetryInterval,
    Duration pollRetriesInterval,
    Integer maxAttempts,
    Integer numWorkers,
    Integer maxConcurrencyPerDestination,
    Duration doneRetention,
    Integer backfillRatePerSecond,
    Duration connectTimeout,
    Duration readTimeout,
    Duration verificationInterval,
    Duration leaseDuration) {
  public static final Duration DEFAULT_RETRY_INTERVAL = Duration.ofSeconds(30);
  public static final Duration DEFAULT_MAX_RETRY_INTERVAL = Duration.ofMinutes(10);
  public static final Duration DEFAULT_POLL_RETRIES_INTERVAL = Duration.ofSeconds(15);
  /** 0 retries forever, as Kraken does; operators see stuck tasks in the status API instead. */
  public static final int DEFAULT_MAX_ATTEMPTS = 0;
  public static final int DEFAULT_NUM_WORKERS = 8;
  /** Requests in flight to one remote (each a task or a batch): keeps one slow remote from taking every worker. */
  public static final int DEFAULT_MAX_CONCURRENCY_PER_DESTINATION = 4;
  public static final Duration DEFAULT_DONE_RETENTION = Duration.ofDays(7);
  /** Backfill is background work: at most this many tasks enqueued per second. */
  public static final int DEFAULT_BACKFILL_RATE_PER_SECOND = 100;
  /** Connecting to a remote: a healthy one, even across an ocean, connects in well under a second. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
  /**
   * Waiting for a remote's next bytes: it answers a batch in milliseconds once it has it, so a
   * remote silent this long is stuck, and it must not hold a worker for long.
   */
  public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(10);
  /** How often each (remote, rule) is verified; an hour of a remote silently missing tags is the most we accept. */
  public static final Duration DEFAULT_VERIFICATION_INTERVAL = Duration.ofHours(1);
  /**
   * How long a claimed task stays this node's without a renewal (renewed every third of it while
   * the attempt runs): a node that dies loses its tasks to the others after at most this long.
   * Longer than any one attempt needs between renewals (a read timeout is 10 s), short enough
   * that a dead node's tasks wait only half a minute.
   */
  public static final Duration DEFAULT_LEASE_DURATION = Duration.ofSeconds(30);
  /** Shorter leases would be renewed more often than a busy database can take. */
  public static final Duration MIN_LEASE_DURATION = Duration.ofMillis(300);

  public TagReplicationConfig {
    retryInterval = Validate.positive("retry_interval", Validate.orDefault(retryInterval, DEFAULT_RETRY_INTERVAL));
    maxRetryInterval = Validate.positive("max_retry_interval",
        Validate.orDefault(maxRetryInterval, DEFAULT_MAX_RETRY_INTERVAL));
    if (maxRetryInterval.compareTo(retryInterval) < 0) {
      throw new ConfigException("max_retry_interval", "must be >= retry_interval ("
          + GoDurations.format(maxRetryInterval) + " < " + GoDurations.format(retryInterval) + ")");
    }
    pollRetriesInterval = Validate.positive("poll_retries_interval",
        Validate.orDefault(pollRetriesInterval, DEFAULT_POLL_RETRIES_INTERVAL));
    maxAttempts = Validate.atLeast("max_attempts", 0, Validate.orDefault(maxAttempts, DEFAULT_MAX_ATTEMPTS));
    numWorkers = Validate.atLeast("num_workers", 1, Validate.orDefault(numWorkers, DEFAULT_NUM_WORKERS));
    maxConcurrencyPerDestination = Validate.atLeast("max_concurrency_per_destination", 1,
        Validate.orDefault(maxConcurrencyPerDestination, DEFAULT_MAX_CONCURRENCY_PER_DESTINATION));
    doneRetention = Validate.nonNegative("done_retention", Validate.orDefault(doneRetention, DEFAULT_DONE_RETENTION));
    backfillRatePerSecond = Validate.atLeast("backfill_rate_per_second", 1,
        Validate.orDefault(backfillRatePerSecond, DEFAULT_BACKFILL_RATE_PER_SECOND));
    connectTimeout = Validate.positive("connect_timeout", Validate.orDefault(connectTimeout, DEFAULT_CONNECT_TIMEOUT));
    readTimeout = Validate.positive("read_timeout", Validate.orDefault(readTimeout, DEFAULT_READ_TIMEOUT));
    verificationInterval = Validate.nonNegative("verification_interval",
        Validate.orDefault(verificationInterval, DEFAULT_VERIFICATION_INTERVAL));
    leaseDuration = Validate.orDefault(leaseDuration, DEFAULT_LEASE_DURATION);
    if (leaseDuration.compareTo(MIN_LEASE_DURATION) < 0) {
      throw new ConfigException("lease_duration", "must be at least " + GoDurations.format(MIN_LEASE_DURATION)
          + ", got " + GoDurations.format(leaseDuration));
    }
  }

  /** Without {@code lease_duration}: it takes its default. */
  public TagReplicationConfig(Duration retryInterval, Duration maxRetryInterval, Duration pollRetriesInterval,
      Integer maxAttempts, Integer numWorkers, Integer maxConcurrencyPerDestination, Duration doneRetention,
      Integer backfillRatePerSecond, Duration connectTimeout, Duration readTimeout, Duration verificationInterval) {
    this(retryInterval, maxRetryInterval, pollRetriesInterval, maxAttempts, numWorkers, maxConcurrencyPerDestination,
        doneRetention, backfillRatePerSecond, connectTimeout, readTimeout, verificationInterval, null);
  }

  /** A copy with {@code lease_duration} set. */
  public TagReplicationConfig withLeaseDuration(Duration lease) {
    return new TagReplicationConfig(retryInterval, maxRetryInterval, pollRetriesInterval, maxAttempts, numWorkers,
        maxConcurrencyPerDestination, doneRetention, backfillRatePerSecond, connectTimeout, readTimeout,
        verificationInterval, lease);
  }

  /** The components Kraken's and the first versions had; the later ones take their defaults. */
  public TagReplicationConfig(Duration retryInterval, Duration maxRetryInterval, Duration pollRetriesInterval,
      Integer maxAttempts, Integer numWorkers, Integer maxConcurrencyPerDestination, Duration doneRetention,
      Integer backfillRatePerSecond) {
    this(retryInterval, maxRetryInterval, pollRetriesInterval, maxAttempts, numWorkers, maxConcurrencyPerDestination,
        doneRetention, backfillRatePerSecond, null, null, null, null);
  }

  /** Whether verification runs ({@code verification_interval} not 0). */
  public boolean verifies() {
    return !verificationInterval.isZero();
  }

  public static TagReplicationConfig defaults() {
    return new TagReplicationConfig(null, null, null, null, null, null, null, null, null, null, null, null);
  }
}
