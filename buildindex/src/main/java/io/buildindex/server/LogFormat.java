package io.buildindex.server;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import io.buildindex.config.ConfigException;
import io.buildindex.config.LoggingConfig;
import java.net.URL;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * Chooses the log format at start-up: {@code text} or {@code json} lines on stderr, from
 * {@code BUILDINDEX_LOG_FORMAT} or else {@code logging.format}. Not thread-safe: Main calls it once.
 *
 * <p>Design: logback.xml defines both appenders and its root picks one by the variable
 * {@value #ENV}, so that with the environment variable set even the first lines are in that format.
 * The configuration file is read only later; when it asks for JSON, the variable is set as a
 * system property (which Logback looks up before the environment) and our logback.xml is read
 * again. With {@code -Dlogback.configurationFile} the operator's own configuration stays.
 */
final class LogFormat {
  /** The environment variable (or system property) naming the format; logback.xml reads it. */
  static final String ENV = "BUILDINDEX_LOG_FORMAT";

  private LogFormat() {}

  /**
   * The format in effect: {@code env} (the variable's value, null when unset) if given, else
   * {@code configured}. Throws {@link ConfigException} naming the variable for a bad value.
   */
  static LoggingConfig.Format effective(@Nullable String env, LoggingConfig.Format configured) {
    if (env == null || env.isBlank()) {
      return configured;
    }
    try {
      return LoggingConfig.Format.valueOf(env.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(ENV, "unknown log format \"" + env + "\" (want text or json)");
    }
  }

  /** Makes Logback write {@code format}, reading logback.xml again if it was configured for the other one. */
  static void apply(LoggingConfig.Format format) {
    String name = format.name().toLowerCase(Locale.ROOT);
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    if (!(factory instanceof LoggerContext context)
        || context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender(name) != null) {
      return; // another binding, or already so
    }
    URL file = LogFormat.class.getResource("/logback.xml");
    if (file == null || System.getProperty("logback.configurationFile") != null) {
      return; // the operator's own Logback configuration decides
    }
    System.setProperty(ENV, name);
    context.reset();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    try {
      configurator.doConfigure(file);
    } catch (JoranException e) {
      throw new IllegalStateException("reading " + file + " again failed", e); // ours, in the jar: a bug
    }
  }
}
