package io.buildindex.config;

import java.time.Duration;

/**
 * The {@code tagserver} section: where the HTTP API listens, how neighbor duplication is
 * staggered (Kraken's names), and how far ahead of this node's clock a caller's generation may be.
 */
public record TagServerConfig(Listener listener, Duration duplicatePutStagger, Duration duplicateReplicateStagger,
    Duration maxClockSkew) {
  public static final HostPort DEFAULT_ADDR = new HostPort("127.0.0.1", 15004);
  /** Kraken's default: the n-th neighbor waits n times this before its deferred work. */
  public static final Duration DEFAULT_DUPLICATE_PUT_STAGGER = Duration.ofMinutes(20);
  public static final Duration DEFAULT_DUPLICATE_REPLICATE_STAGGER = Duration.ofMinutes(20);
  /**
   * Far more than NTP-synchronized clocks drift apart, far less than the lifetime of a tag: a
   * generation further ahead would make the tag unwritable for that long, so it is refused.
   */
  public static final Duration DEFAULT_MAX_CLOCK_SKEW = Duration.ofMinutes(5);

  public TagServerConfig {
    listener = Validate.orDefault(listener, new Listener(DEFAULT_ADDR, null));
    duplicatePutStagger = Validate.nonNegative("duplicate_put_stagger",
        Validate.orDefault(duplicatePutStagger, DEFAULT_DUPLICATE_PUT_STAGGER));
    duplicateReplicateStagger = Validate.nonNegative("duplicate_replicate_stagger",
        Validate.orDefault(duplicateReplicateStagger, DEFAULT_DUPLICATE_REPLICATE_STAGGER));
    maxClockSkew = Validate.nonNegative("max_clock_skew", Validate.orDefault(maxClockSkew, DEFAULT_MAX_CLOCK_SKEW));
  }

  public static TagServerConfig defaults() {
    return new TagServerConfig(null, null, null, null);
  }

  public TagServerConfig withPort(int port) {
    return new TagServerConfig(new Listener(listener.addr().withPort(port), listener.backlog()), duplicatePutStagger,
        duplicateReplicateStagger, maxClockSkew);
  }

  /**
   * {@code listener: {addr: "host:port", backlog: N}}; {@code backlog}: connections the kernel
   * queues before the server accepts them (capped by the system's {@code net.core.somaxconn}).
   */
  public record Listener(HostPort addr, Integer backlog) {
    /**
     * Jetty's default of 50 dropped SYNs under a burst of 10,000 connections: clients then wait
     * for a SYN retransmit (1 s, 3 s...). 1024 absorbs such bursts at a few KiB of kernel memory.
     */
    public static final int DEFAULT_BACKLOG = 1024;

    public Listener {
      addr = Validate.orDefault(addr, DEFAULT_ADDR);
      backlog = Validate.atLeast("backlog", 1, Validate.orDefault(backlog, DEFAULT_BACKLOG));
    }
  }
}
