package io.buildindex.tagreplication;

import io.buildindex.config.TagReplicationConfig;
import java.time.Duration;
import java.time.Instant;

/**
 * How many tasks one destination may have in flight (in requests sent and not yet answered): a
 * congestion window in tasks, adapted to the link and the remote from each attempt's latency and
 * outcome. Pure (times are parameters); not thread-safe: guarded by the {@link Lanes} lock.
 *
 * <p>Design: a fixed number of requests of a fixed size caps throughput at
 * {@code requests x batch / RTT} however fast both ends are (4 x 64 over 100 ms: 2,560 tasks/s), and
 * on a fast link the same fixed number may bury a slow remote. The window works like TCP's, on
 * tasks rather than bytes:
 * <ul>
 *   <li>it starts at {@link #INITIAL} and grows while attempts come back "fast", that is while
 *       their smoothed latency ({@link #SMOOTHING}) stays within {@link #RISE_FACTOR} x the
 *       smallest latency seen lately plus {@link #RISE_SLACK}: by the tasks acknowledged (doubling
 *       every round trip) up to the slow-start threshold, then by about
 *       {@link #GROWTH_PER_ROUND} tasks per round trip; doubling again once the last decrease is
 *       {@link #MIN_LATENCY_WINDOW} old. It grows only while it limits the lane (work waited for
 *       room, or at least half of it was in flight: the lane decides), so an idle lane does not
 *       inflate it;
 *   <li>smoothed latency rising above that bound (the remote, or the link, queueing our work)
 *       shrinks it by {@link #RISE_DECREASE} (not below {@link #RISE_FLOOR}); push-back
 *       ({@code 429}, {@code 503}) and failures that blame the destination (5xx, timeouts,
 *       refused connections) halve it. Either at most once per round: attempts started before
 *       the last decrease answer for the old window and do not shrink it again;
 *   <li>it never drops below {@link #MIN} (one task keeps probing) nor exceeds its {@code max}.
 * </ul>
 * The smallest latency is a windowed minimum (over the last one to two {@link #MIN_LATENCY_WINDOW}s),
 * so a link that became slower is learnt again rather than taken for congestion forever. Request
 * latency includes the remote's time for the batch, which grows with its size: the slack and the
 * factor leave room for that; a remote that takes far longer per batch than the link's round trip
 * is exactly what the window is to back off from. The window never delays a task beyond its retry
 * policy: it limits what runs at once, while failed tasks wait for their retry as always.
 */
final class CongestionWindow {
  /** Smallest window: one task in flight still probes the destination. */
  static final int MIN = 1;
  /**
   * First window: a full write batch ({@link WriteBatch#MAX_WRITES}) for each request a lane sends
   * at once by default ({@code max_concurrency_per_destination}, 4), capped by the lane's own
   * maximum. A remote that serves the batch route takes that many writes in one request by contract
   * (build-index applies them 64 at a time), so a smaller start protects it from little and costs
   * a backlog round trips of ramp: with one batch (1,000) a 10,000-task drain over a 100 ms link
   * spent a third of its time doubling up to the maximum (10,406 tasks/s, against 16,340 from
   * here; BENCHMARKS.md), and from 256 most of it. A remote that cannot take it pushes back or
   * slows down, and the window shrinks as for any other.
   */
  static final int INITIAL = TagReplicationConfig.DEFAULT_MAX_CONCURRENCY_PER_DESTINATION * WriteBatch.MAX_WRITES;
  /** Attempts slower than this factor times the smallest recent latency (plus the slack) count as congestion. */
  static final double RISE_FACTOR = 2.0;
  /** Latency allowed above {@code RISE_FACTOR x} the minimum: the remote's time for a large batch, scheduling noise. */
  static final Duration RISE_SLACK = Duration.ofMillis(200);
  /** Weight of a new sample in the smoothed latency (TCP's SRTT gain): one slow answer (a GC pause) is not a trend. */
  static final double SMOOTHING = 1.0 / 8;
  /** Factor applied to the window when latency rises. */
  static final double RISE_DECREASE = 0.7;
  /**
   * Latency alone never shrinks the window below this many tasks: a remote that is slow however
   * little it gets is not helped by less, and its minimum latency is learnt again within
   * {@link #MIN_LATENCY_WINDOW}s. Push-back and failures still shrink it to {@link #MIN}.
   */
  static final int RISE_FLOOR = 32;
  /** Tasks the window grows by per round trip once past slow start. */
  static final int GROWTH_PER_ROUND = 256;
  /**
   * The smallest latency is the minimum over the last one to two of these (as BBR keeps its
   * minimum RTT for 10 s): a link that became slower (a new route) is taken for congestion, and
   * holds the window at {@link #RISE_FLOOR}, for at most twice this.
   */
  static final Duration MIN_LATENCY_WINDOW = Duration.ofSeconds(10);

  private final int max;
  private double window;
  private double slowStartThreshold;
  private Instant lastDecrease = Instant.EPOCH;
  private long minNanos = Long.MAX_VALUE;
  private long previousMinNanos = Long.MAX_VALUE;
  private double smoothedNanos = -1;
  private Instant minSince = Instant.EPOCH;

  /** A window of at most {@code max} tasks (at least {@link #MIN}). */
  CongestionWindow(int max) {
    if (max < MIN) {
      throw new IllegalArgumentException("max < " + MIN + ": " + max);
    }
    this.max = max;
    this.window = Math.min(INITIAL, max);
    this.slowStartThreshold = max;
  }

  /** Tasks that may be in flight now. */
  int tasks() {
    return (int) window;
  }

  /** The smallest latency seen lately; {@link Duration#ZERO} before any. */
  Duration minLatency() {
    long m = Math.min(minNanos, previousMinNanos);
    return m == Long.MAX_VALUE ? Duration.ZERO : Duration.ofNanos(m);
  }

  /**
   * An attempt of {@code tasks} tasks started at {@code started} was answered (some or all done)
   * after {@code latency}; {@code limited}: the window limited the lane meanwhile (work waited for
   * room, or at least half of the window was in flight).
   */
  void answered(int tasks, Instant started, Duration latency, boolean limited, Instant now) {
    sample(latency, now);
    if (smoothedNanos > riseBound().toNanos()) {
      if (window > RISE_FLOOR) {
        decrease(started, now, RISE_DECREASE, RISE_FLOOR);
      }
      return;
    }
    if (!limited) {
      return;
    }
    if (!now.isBefore(lastDecrease.plus(MIN_LATENCY_WINDOW))) {
      slowStartThreshold = max; // no trouble for a while: a new backlog ramps up by doubling again
    }
    double grown = window < slowStartThreshold ? window + tasks : window + (double) GROWTH_PER_ROUND * tasks / window;
    window = Math.min(max, grown);
  }

  /**
   * The destination is back after an outage (its breaker closed): what the window learnt before says
   * nothing about the link and the remote now (the failures that opened the breaker halved it to
   * {@link #MIN} without any congestion; the remote may even be another host), so it starts again
   * as new: {@link #INITIAL} (or more, if it had not shrunk), slow start, latencies forgotten. As
   * TCP's restart window after idle, it never grows the window past what it was or
   * {@link #INITIAL}.
   */
  void restart() {
    window = Math.max(window, Math.min(INITIAL, max));
    slowStartThreshold = max;
    lastDecrease = Instant.EPOCH;
    minNanos = Long.MAX_VALUE;
    previousMinNanos = Long.MAX_VALUE;
    smoothedNanos = -1;
    minSince = Instant.EPOCH;
  }

  /** An attempt started at {@code started} was pushed back (429, 503) or failed for the destination's sake. */
  void pushedBack(Instant started, Instant now) {
    decrease(started, now, 0.5, MIN);
  }

  /** Latencies above this are congestion. */
  Duration riseBound() {
    Duration min = minLatency();
    return Duration.ofNanos((long) (min.toNanos() * RISE_FACTOR)).plus(RISE_SLACK);
  }

  private void decrease(Instant started, Instant now, double factor, int floor) {
    if (started.isBefore(lastDecrease)) {
      return; // sent under the window before the last decrease: that decrease answered for it
    }
    window = Math.max(floor, window * factor);
    slowStartThreshold = Math.max(MIN, window);
    lastDecrease = now;
  }

  private void sample(Duration latency, Instant now) {
    if (!now.isBefore(minSince.plus(MIN_LATENCY_WINDOW))) {
      previousMinNanos = minNanos;
      minNanos = Long.MAX_VALUE;
      minSince = now;
    }
    long nanos = Math.max(0, latency.toNanos());
    minNanos = Math.min(minNanos, nanos);
    smoothedNanos = smoothedNanos < 0 ? nanos : smoothedNanos + (nanos - smoothedNanos) * SMOOTHING;
  }
}
