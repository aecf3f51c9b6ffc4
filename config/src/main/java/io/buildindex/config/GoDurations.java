package io.buildindex.config;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses and formats durations the way Go's {@code time.ParseDuration} does ({@code 100ms},
 * {@code 30s}, {@code 1h30m}, {@code 1.5h}), because Kraken's configs and wire bodies use them.
 * Stateless and thread-safe.
 */
public final class GoDurations {
  private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|μs|ms|s|m|h)");
  private static final Map<String, Long> NANOS_PER_UNIT = Map.of(
      "ns", 1L, "us", 1_000L, "µs", 1_000L, "μs", 1_000L, "ms", 1_000_000L,
      "s", 1_000_000_000L, "m", 60_000_000_000L, "h", 3_600_000_000_000L);

  private GoDurations() {}

  /** Parses {@code text}; throws {@link IllegalArgumentException} naming it when malformed. */
  public static Duration parse(String text) {
    String s = text.strip();
    boolean negative = s.startsWith("-");
    if (negative || s.startsWith("+")) {
      s = s.substring(1);
    }
    if (s.equals("0")) {
      return Duration.ZERO;
    }
    if (s.isEmpty()) {
      throw new IllegalArgumentException("bad duration \"" + text + "\" (want e.g. 100ms, 30s, 20m, 1h30m)");
    }
    Matcher m = PART.matcher(s);
    BigDecimal nanos = BigDecimal.ZERO;
    int end = 0;
    while (m.find() && m.start() == end) {
      nanos = nanos.add(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(NANOS_PER_UNIT.get(m.group(2)))));
      end = m.end();
    }
    if (end != s.length()) {
      throw new IllegalArgumentException("bad duration \"" + text + "\" (want e.g. 100ms, 30s, 20m, 1h30m)");
    }
    try {
      // Go truncates fractions of a nanosecond and rejects what does not fit in 64 bits.
      Duration d = Duration.ofNanos(nanos.setScale(0, RoundingMode.DOWN).longValueExact());
      return negative ? d.negated() : d;
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("bad duration \"" + text + "\" (out of range)");
    }
  }

  /** Formats as Go's {@code Duration.String} would for whole units, e.g. {@code 1h30m0s}. */
  public static String format(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    long nanos = d.toNanos();
    if (Math.abs(nanos) < 1_000_000_000L) {
      return nanos % 1_000_000 == 0 ? nanos / 1_000_000 + "ms" : nanos + "ns";
    }
    StringBuilder b = new StringBuilder(d.isNegative() ? "-" : "");
    Duration abs = d.abs();
    if (abs.toHours() > 0) {
      b.append(abs.toHours()).append('h');
    }
    if (abs.toHours() > 0 || abs.toMinutesPart() > 0) {
      b.append(abs.toMinutesPart()).append('m');
    }
    b.append(abs.toSecondsPart());
    if (abs.toMillisPart() > 0) {
      b.append('.').append(String.format("%03d", abs.toMillisPart()));
    }
    return b.append('s').toString();
  }
}
