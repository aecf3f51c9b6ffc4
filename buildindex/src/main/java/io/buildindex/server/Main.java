package io.buildindex.server;

import io.buildindex.config.BuildIndexConfig;
import io.buildindex.config.ConfigException;
import io.buildindex.config.ConfigLoader;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar buildindex.jar [--config FILE] [--port N]}: with no arguments, one open node on
 * 127.0.0.1:15004 storing under {@code ./data}. Exits 2 on bad arguments or configuration.
 */
public final class Main {
  private static final Logger log = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) {
    BuildIndexConfig config;
    try {
      config = parse(args);
    } catch (ConfigException | IllegalArgumentException e) {
      System.err.println("build-index: " + e.getMessage());
      System.exit(2);
      return;
    }
    BuildIndexApp app;
    try {
      app = BuildIndexApp.start(config);
    } catch (ConfigException e) {
      // Found while starting, e.g. a tls file that is not a PEM certificate.
      System.err.println("build-index: " + e.getMessage());
      System.exit(2);
      return;
    } catch (RuntimeException e) {
      log.error("build-index failed to start", e);
      System.err.println("build-index: cannot start: " + rootMessage(e));
      System.exit(1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(app::close, "shutdown"));
  }

  private static String rootMessage(Throwable e) {
    StringBuilder b = new StringBuilder(String.valueOf(e.getMessage()));
    for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
      b.append(": ").append(c.getMessage());
    }
    return b.toString();
  }

  static BuildIndexConfig parse(String[] args) {
    BuildIndexConfig config = BuildIndexConfig.defaults();
    Integer port = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--config" -> config = ConfigLoader.load(Path.of(value(args, ++i, "--config")));
        case "--port" -> port = port(value(args, ++i, "--port"));
        case "-h", "--help" -> throw new IllegalArgumentException("usage: buildindex [--config FILE] [--port N]");
        default -> throw new IllegalArgumentException("unknown argument \"" + args[i] + "\" (usage: buildindex [--config FILE] [--port N])");
      }
    }
    if (port != null) {
      config = config.withPort(port);
    }
    log.debug("configuration: {}", config);
    return config;
  }

  private static String value(String[] args, int i, String flag) {
    if (i >= args.length) {
      throw new IllegalArgumentException(flag + " needs a value");
    }
    return args[i];
  }

  private static int port(String text) {
    try {
      int port = Integer.parseInt(text);
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("--port out of range: " + text);
      }
      return port;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--port wants a number, got \"" + text + "\"");
    }
  }
}
