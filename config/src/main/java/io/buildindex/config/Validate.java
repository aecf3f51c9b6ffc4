package io.buildindex.config;

import java.time.Duration;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jspecify.annotations.Nullable;

/** Checks shared by the config records; each throws {@link ConfigException} naming the key. */
final class Validate {
  private Validate() {}

  static Duration nonNegative(String key, Duration d) {
    if (d.isNegative()) {
      throw new ConfigException(key, "must not be negative, got " + GoDurations.format(d));
    }
    return d;
  }

  static Duration positive(String key, Duration d) {
    if (d.isNegative() || d.isZero()) {
      throw new ConfigException(key, "must be positive, got " + GoDurations.format(d));
    }
    return d;
  }

  static int atLeast(String key, int min, int value) {
    if (value < min) {
      throw new ConfigException(key, "must be >= " + min + ", got " + value);
    }
    return value;
  }

  static String required(String key, @Nullable String value) {
    if (value == null || value.isBlank()) {
      throw new ConfigException(key, "is required");
    }
    return value;
  }

  static Pattern regex(String key, String regex) {
    try {
      return Pattern.compile(regex);
    } catch (PatternSyntaxException e) {
      throw new ConfigException(key, "bad regex \"" + regex + "\": " + e.getDescription());
    }
  }

  static <T> T orDefault(@Nullable T value, T fallback) {
    return value == null ? fallback : value;
  }
}
