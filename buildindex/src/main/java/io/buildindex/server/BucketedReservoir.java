package io.buildindex.server;

import com.codahale.metrics.LockFreeExponentiallyDecayingReservoir;
import com.codahale.metrics.Reservoir;
import com.codahale.metrics.Snapshot;
import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;

/**
 * A Dropwizard {@link Reservoir} that also counts every value into fixed buckets and keeps the
 * exact sum, so that a timer or histogram exports as a Prometheus histogram: cumulative buckets,
 * sum and count that only grow, and that add up across nodes. Thread-safe.
 *
 * <p>Design: Dropwizard's reservoirs sample, so their sum is an estimate that can go down between
 * scrapes and their quantiles cannot be aggregated. Buckets are exact at the cost of their
 * resolution. The sampled {@link #getSnapshot()} of Dropwizard's default reservoir is kept for
 * Dropwizard readers (none in the server; tests and reporters may use it).
 */
final class BucketedReservoir implements Reservoir {
  private final long[] upperBounds;
  /** One per upper bound, then the +Inf bucket; not cumulative. */
  private final LongAdder[] counts;
  private final LongAdder sum = new LongAdder();
  /** Lock-free: the default reservoir takes a lock on every update, i.e. on every request (~3% of a hot GET). */
  private final Reservoir sample = LockFreeExponentiallyDecayingReservoir.builder().build();

  /** {@code upperBounds}: inclusive, strictly ascending, in the unit of the recorded values. */
  BucketedReservoir(long[] upperBounds) {
    for (int i = 1; i < upperBounds.length; i++) {
      if (upperBounds[i] <= upperBounds[i - 1]) {
        throw new IllegalArgumentException("bucket bounds not ascending: " + Arrays.toString(upperBounds));
      }
    }
    this.upperBounds = upperBounds.clone();
    this.counts = new LongAdder[upperBounds.length + 1];
    Arrays.setAll(counts, i -> new LongAdder());
  }

  @Override
  public int size() {
    return sample.size();
  }

  @Override
  public void update(long value) {
    int i = Arrays.binarySearch(upperBounds, value);
    counts[i >= 0 ? i : -i - 1].increment(); // not found: the first bound above the value, or +Inf
    sum.add(value);
    sample.update(value);
  }

  @Override
  public Snapshot getSnapshot() {
    return sample.getSnapshot();
  }

  /** The buckets' current counts, one per upper bound then +Inf; not cumulative, not atomic across buckets. */
  long[] bucketCounts() {
    long[] out = new long[counts.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = counts[i].sum();
    }
    return out;
  }

  /** The exact sum of every value recorded, in their unit. */
  long sum() {
    return sum.sum();
  }

  long[] upperBounds() {
    return upperBounds.clone();
  }

  /** A timer (values in nanoseconds) whose buckets the exporter reads. */
  static final class BucketedTimer extends com.codahale.metrics.Timer {
    private final BucketedReservoir buckets;

    BucketedTimer(BucketedReservoir buckets) {
      super(buckets);
      this.buckets = buckets;
    }

    BucketedReservoir buckets() {
      return buckets;
    }
  }

  /** A histogram whose buckets the exporter reads. */
  static final class BucketedHistogram extends com.codahale.metrics.Histogram {
    private final BucketedReservoir buckets;

    BucketedHistogram(BucketedReservoir buckets) {
      super(buckets);
      this.buckets = buckets;
    }

    BucketedReservoir buckets() {
      return buckets;
    }
  }
}
