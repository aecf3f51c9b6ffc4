package io.buildindex.tagreplication;

import java.time.Duration;

/** What copying a tag's blobs moved: bytes and time, shown in the task's status. */
public record Transfer(long bytes, Duration duration) {
  /** Nothing copied (no origin, or the remote origin had everything). */
  public static final Transfer NONE = new Transfer(0, Duration.ZERO);

  public Transfer {
    if (bytes < 0) {
      throw new IllegalArgumentException("bytes < 0: " + bytes);
    }
  }

  /** Average rate of the copy; 0 when nothing was timed. */
  public long bytesPerSecond() {
    long millis = duration.toMillis();
    return millis <= 0 ? 0 : bytes * 1000 / millis;
  }
}
