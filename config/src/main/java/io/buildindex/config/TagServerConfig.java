package io.buildindex.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

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
  /** Where a unix-socket listener's {@code --port} listens, as Kraken's nginx does. */
  static final String ALL_INTERFACES = "0.0.0.0";

  public TagServerConfig {
    listener = Validate.orDefault(listener, Listener.tcp(DEFAULT_ADDR));
    duplicatePutStagger = Validate.nonNegative("duplicate_put_stagger",
        Validate.orDefault(duplicatePutStagger, DEFAULT_DUPLICATE_PUT_STAGGER));
    duplicateReplicateStagger = Validate.nonNegative("duplicate_replicate_stagger",
        Validate.orDefault(duplicateReplicateStagger, DEFAULT_DUPLICATE_REPLICATE_STAGGER));
    maxClockSkew = Validate.nonNegative("max_clock_skew", Validate.orDefault(maxClockSkew, DEFAULT_MAX_CLOCK_SKEW));
  }

  public static TagServerConfig defaults() {
    return new TagServerConfig(null, null, null, null);
  }

  /**
   * The listener with its TCP port set to {@code port} ({@code --port}). A unix-socket listener
   * keeps its socket and also gets TCP on every interface at {@code port}: Kraken's build-index
   * serves that port through nginx in front of the socket, and we have no nginx.
   */
  public TagServerConfig withPort(int port) {
    HostPort tcp = listener.addr() == null ? new HostPort(ALL_INTERFACES, port) : listener.addr().withPort(port);
    return new TagServerConfig(new Listener(tcp, listener.socket(), listener.backlog()), duplicatePutStagger,
        duplicateReplicateStagger, maxClockSkew);
  }

  /**
   * {@code listener: {net: tcp|unix, addr, backlog}}, Kraken's {@code listener.Config} plus our
   * backlog: {@code net: tcp} (the default) listens on {@code addr} = {@code host:port};
   * {@code net: unix} serves HTTP on the unix socket at path {@code addr}. {@code addr} is null for
   * a socket alone, {@code socket} null for TCP alone; both are set for a socket given a
   * {@code --port}. {@code backlog}: connections the kernel queues before the server accepts them
   * on TCP (capped by the system's {@code net.core.somaxconn}).
   */
  public record Listener(@Nullable HostPort addr, @Nullable Path socket, Integer backlog) {
    /**
     * Jetty's default of 50 dropped SYNs under a burst of 10,000 connections: clients then wait
     * for a SYN retransmit (1 s, 3 s...). 1024 absorbs such bursts at a few KiB of kernel memory.
     */
    public static final int DEFAULT_BACKLOG = 1024;

    public Listener {
      if (addr == null && socket == null) {
        throw new ConfigException("addr", "is required");
      }
      backlog = Validate.atLeast("backlog", 1, Validate.orDefault(backlog, DEFAULT_BACKLOG));
    }

    public static Listener tcp(HostPort addr) {
      return new Listener(addr, null, null);
    }

    @JsonCreator
    static Listener parse(@JsonProperty("net") @Nullable String net, @JsonProperty("addr") @Nullable String addr,
        @JsonProperty("backlog") @Nullable Integer backlog) {
      if (net == null || net.equals("tcp")) {
        try {
          return new Listener(addr == null ? DEFAULT_ADDR : HostPort.parse(addr), null, backlog);
        } catch (IllegalArgumentException e) {
          throw new ConfigException("addr", e.getMessage());
        }
      }
      if (!net.equals("unix")) {
        throw new ConfigException("net", "want tcp or unix, got \"" + net + "\"");
      }
      Validate.required("addr", addr); // the socket's path
      return new Listener(null, Path.of(addr), backlog);
    }
  }
}
