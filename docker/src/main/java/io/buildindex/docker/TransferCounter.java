package io.buildindex.docker;

import com.codahale.metrics.Meter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Tallies one replication into a {@link TransferSummary} and marks the shared bytes meter as
 * data flows. Confined to the thread running the replication.
 */
final class TransferCounter {
  private final Meter bytesMeter;
  private final Clock clock;
  private final Instant start;
  private long bytes;
  private int copied;
  private int skipped;
  private int mounted;
  private int manifests;

  TransferCounter(Meter bytesMeter, Clock clock) {
    this.bytesMeter = bytesMeter;
    this.clock = clock;
    this.start = clock.instant();
  }

  void bytes(long n) {
    bytes += n;
    bytesMeter.mark(n);
  }

  void copied() {
    copied++;
  }

  void skipped() {
    skipped++;
  }

  void mounted() {
    mounted++;
  }

  void manifestPut() {
    manifests++;
  }

  TransferSummary summary() {
    Duration elapsed = Duration.between(start, clock.instant());
    return new TransferSummary(bytes, copied, skipped, mounted, manifests, elapsed.isNegative() ? Duration.ZERO : elapsed);
  }
}
