package io.buildindex.config;

import java.time.Duration;

/**
 * The optional {@code cluster} section: this node's peers in the datacenter, how many own each
 * tag, and how their health is judged. Absent means a single node.
 */
public record ClusterConfig(HostsConfig hosts, Integer maxReplica, HealthCheckConfig healthcheck, Duration antiEntropyInterval) {
  public static final int DEFAULT_MAX_REPLICA = 3;
  public static final Duration DEFAULT_ANTI_ENTROPY_INTERVAL = Duration.ofMinutes(1);

  public ClusterConfig {
    if (hosts == null) {
      throw new ConfigException("hosts", "is required in a cluster section");
    }
    maxReplica = Validate.atLeast("max_replica", 1, Validate.orDefault(maxReplica, DEFAULT_MAX_REPLICA));
    healthcheck = Validate.orDefault(healthcheck, HealthCheckConfig.defaults());
    antiEntropyInterval = Validate.positive("anti_entropy_interval",
        Validate.orDefault(antiEntropyInterval, DEFAULT_ANTI_ENTROPY_INTERVAL));
  }

  /** {@code healthcheck: {fails, passes, timeout, interval}}, Kraken's healthcheck.FilterConfig. */
  public record HealthCheckConfig(Integer fails, Integer passes, Duration timeout, Duration interval) {
    public static final int DEFAULT_FAILS = 3;
    public static final int DEFAULT_PASSES = 2;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(3);
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);

    public HealthCheckConfig {
      fails = Validate.atLeast("fails", 1, Validate.orDefault(fails, DEFAULT_FAILS));
      passes = Validate.atLeast("passes", 1, Validate.orDefault(passes, DEFAULT_PASSES));
      timeout = Validate.positive("timeout", Validate.orDefault(timeout, DEFAULT_TIMEOUT));
      interval = Validate.positive("interval", Validate.orDefault(interval, DEFAULT_INTERVAL));
    }

    public static HealthCheckConfig defaults() {
      return new HealthCheckConfig(null, null, null, null);
    }
  }
}
