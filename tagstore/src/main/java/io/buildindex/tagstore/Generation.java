package io.buildindex.tagstore;

/**
 * The version of a write: a hybrid logical clock value, wall-clock milliseconds in the high bits
 * and a counter in the low {@value #COUNTER_BITS}, so that comparing two generations as longs
 * orders writes across nodes by time, and writes within one millisecond by counter.
 */
public record Generation(long value) implements Comparable<Generation> {
  public static final int COUNTER_BITS = 16;
  /** Older than every real write; what a missing row compares as. */
  public static final Generation ZERO = new Generation(0);

  public Generation {
    if (value < 0) {
      throw new InvalidInputException("generation", "must not be negative: " + value);
    }
  }

  public static Generation of(long millis, int counter) {
    return new Generation((millis << COUNTER_BITS) | (counter & ((1 << COUNTER_BITS) - 1)));
  }

  /** Parses the decimal form sent in {@code X-Tag-Generation}. */
  public static Generation parse(String text) {
    try {
      return new Generation(Long.parseLong(text.strip()));
    } catch (NumberFormatException e) {
      throw new InvalidInputException("generation", "want a non-negative integer, got \"" + Tag.printable(text) + "\"");
    }
  }

  public long millis() {
    return value >>> COUNTER_BITS;
  }

  public boolean isNewerThan(Generation other) {
    return value > other.value;
  }

  @Override
  public int compareTo(Generation o) {
    return Long.compare(value, o.value);
  }

  @Override
  public String toString() {
    return Long.toString(value);
  }
}
