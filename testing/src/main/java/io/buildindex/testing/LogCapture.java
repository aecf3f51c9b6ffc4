package io.buildindex.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Captures what one logger (and its children) logs in this JVM, through a Logback
 * {@link ListAppender}, from {@link #of} until {@link #close}. Thread-safe: loggers append from
 * any thread while the test reads {@link #events}.
 */
public final class LogCapture implements AutoCloseable {
  private final Logger logger;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final Level previous;

  private LogCapture(Logger logger, Level level) {
    this.logger = logger;
    this.previous = logger.getLevel();
    logger.setLevel(level);
    appender.start();
    logger.addAppender(appender);
  }

  /** Captures the events of the logger named after {@code type} at {@code level} and above. */
  public static LogCapture of(Class<?> type, Level level) {
    return new LogCapture((Logger) LoggerFactory.getLogger(type), level);
  }

  /** Captures the events of the logger {@code name} at {@code level} and above. */
  public static LogCapture of(String name, Level level) {
    return new LogCapture((Logger) LoggerFactory.getLogger(name), level);
  }

  /** Captures the events of the logger named after {@code type} at INFO and above (the server's default level). */
  public static LogCapture of(Class<?> type) {
    return of(type, Level.INFO);
  }

  /** The events so far, oldest first. */
  public List<ILoggingEvent> events() {
    synchronized (appender) { // AppenderBase.doAppend appends under the appender's monitor
      return List.copyOf(appender.list);
    }
  }

  /** The formatted messages of the events at {@code level} so far, oldest first. */
  public List<String> messages(Level level) {
    return events().stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage).toList();
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    appender.stop();
    logger.setLevel(previous);
  }
}
