package io.buildindex.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.Locale;

/**
 * The {@code logging} section: how log lines are written (the level is {@code BUILDINDEX_LOG_LEVEL}'s).
 *
 * @param format {@code text} (one human-readable line per event) or {@code json} (one JSON object
 *     per line, for log collectors); the environment variable {@code BUILDINDEX_LOG_FORMAT}
 *     overrides it
 * @param accessLog whether every HTTP request is logged (method, path, status, duration, caller)
 */
public record LoggingConfig(Format format, Boolean accessLog) {
  public static final Format DEFAULT_FORMAT = Format.TEXT;
  /** Off: a busy node serves thousands of requests a second; the metrics count them. */
  public static final boolean DEFAULT_ACCESS_LOG = false;

  /** How each log event is written. */
  public enum Format {
    TEXT, JSON;

    @JsonCreator
    public static Format parse(String text) {
      try {
        return valueOf(text.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new ConfigException("", "unknown log format \"" + text + "\" (want text or json)");
      }
    }
  }

  public LoggingConfig {
    format = Validate.orDefault(format, DEFAULT_FORMAT);
    accessLog = Validate.orDefault(accessLog, DEFAULT_ACCESS_LOG);
  }

  public static LoggingConfig defaults() {
    return new LoggingConfig(null, null);
  }
}
