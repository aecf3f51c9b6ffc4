package io.buildindex.config;

import java.time.Duration;

/**
 * The {@code tagserver} section: where the HTTP API listens and how neighbor duplication is
 * staggered (Kraken's names).
 */
public record TagServerConfig(Listener listener, Duration duplicatePutStagger, Duration duplicateReplicateStagger) {
  public static final HostPort DEFAULT_ADDR = new HostPort("127.0.0.1", 15004);
  /** Kraken's default: the n-th neighbor waits n times this before its deferred work. */
  public static final Duration DEFAULT_DUPLICATE_PUT_STAGGER = Duration.ofMinutes(20);
  public static final Duration DEFAULT_DUPLICATE_REPLICATE_STAGGER = Duration.ofMinutes(20);

  public TagServerConfig {
    listener = Validate.orDefault(listener, new Listener(DEFAULT_ADDR));
    duplicatePutStagger = Validate.nonNegative("duplicate_put_stagger",
        Validate.orDefault(duplicatePutStagger, DEFAULT_DUPLICATE_PUT_STAGGER));
    duplicateReplicateStagger = Validate.nonNegative("duplicate_replicate_stagger",
        Validate.orDefault(duplicateReplicateStagger, DEFAULT_DUPLICATE_REPLICATE_STAGGER));
  }

  public static TagServerConfig defaults() {
    return new TagServerConfig(null, null, null);
  }

  public TagServerConfig withPort(int port) {
    return new TagServerConfig(new Listener(listener.addr().withPort(port)), duplicatePutStagger, duplicateReplicateStagger);
  }

  /** {@code listener: {addr: "host:port"}}. */
  public record Listener(HostPort addr) {
    public Listener {
      addr = Validate.orDefault(addr, DEFAULT_ADDR);
    }
  }
}
