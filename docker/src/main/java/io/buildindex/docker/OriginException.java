package io.buildindex.docker;

import org.jspecify.annotations.Nullable;

/**
 * A registry or Kraken origin failed: unreachable, an unexpected status, or credentials refused.
 * Not the client's fault (the server answers 502/503; replication tasks retry). Carries the
 * address and, when the origin answered, its HTTP status.
 */
public final class OriginException extends RuntimeException {
  /** {@link #status()} when the origin never answered (connection refused, timeout, broken stream). */
  public static final int NO_STATUS = 0;

  private final String address;
  private final int status;

  public OriginException(String address, int status, String problem) {
    super(address + ": " + problem);
    this.address = address;
    this.status = status;
  }

  public OriginException(String address, String problem, @Nullable Throwable cause) {
    super(address + ": " + problem, cause);
    this.address = address;
    this.status = NO_STATUS;
  }

  /** The registry URL or Kraken host:port that failed. */
  public String address() {
    return address;
  }

  /** The HTTP status the origin answered, or {@link #NO_STATUS}. */
  public int status() {
    return status;
  }
}
