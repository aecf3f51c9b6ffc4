package io.buildindex.server;

import io.buildindex.config.BuildIndexConfig;
import io.buildindex.config.ConfigException;
import io.buildindex.config.ConfigLoader;
import io.buildindex.config.LoadedConfig;
import io.buildindex.database.StoreUnavailableException;
import io.buildindex.migrate.MigrateCommand;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar buildindex.jar [--config FILE] [--port N]} (or {@code --config=FILE
 * --port=N}, as Kraken's Helm chart starts build-index), or {@code migrate ...} (see
 * {@link MigrateCommand}): with no arguments, one open node on
 * 127.0.0.1:15004 storing under {@code ./data}. Exits 2 on bad arguments (printing {@link
 * Usage#TEXT}) or configuration; {@code --help} and {@code --version} print and exit 0.
 */
public final class Main {
  private static final Logger log = LoggerFactory.getLogger(Main.class);
  private static final String USAGE = "usage: buildindex [--config FILE] [--port N]";

  private Main() {}

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals(MigrateCommand.NAME)) {
      System.exit(MigrateCommand.run(java.util.Arrays.copyOfRange(args, 1, args.length), System.out, System.err));
      return;
    }
    if (Usage.answered(args, System.out)) {
      return;
    }
    BuildIndexConfig config;
    try {
      LoadedConfig loaded = load(args);
      config = loaded.config();
      LogFormat.apply(LogFormat.effective(System.getenv(LogFormat.ENV), config.logging().format()));
      loaded.warnings().forEach(log::warn);
    } catch (BadArgumentException e) {
      System.err.println("build-index: " + e.getMessage());
      System.err.print(Usage.TEXT);
      System.exit(2);
      return;
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
    } catch (StoreUnavailableException e) {
      // An operator's matter (another node holds the directory, a corrupt or empty file): the
      // message says what and where; the trace helps nobody at ERROR.
      log.error("build-index cannot start: {}", rootMessage(e));
      log.debug("start-up failure", e);
      System.err.println("build-index: cannot start: " + rootMessage(e));
      System.exit(1);
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
    return load(args).config();
  }

  /** The configuration the arguments name, with the warnings its loading produced. */
  static LoadedConfig load(String[] args) {
    LoadedConfig loaded = new LoadedConfig(BuildIndexConfig.defaults(), java.util.List.of());
    Integer port = null;
    for (int i = 0; i < args.length; i++) {
      // Go's flag package (Kraken's cobra) takes --flag=value as well as --flag value.
      int eq = args[i].startsWith("--") ? args[i].indexOf('=') : -1;
      String flag = eq < 0 ? args[i] : args[i].substring(0, eq);
      switch (flag) {
        case "--config" -> loaded = ConfigLoader.loadWithWarnings(Path.of(eq < 0 ? value(args, ++i, flag) : args[i].substring(eq + 1)));
        case "--port" -> port = port(eq < 0 ? value(args, ++i, flag) : args[i].substring(eq + 1));
        case "-h", "--help" -> throw new IllegalArgumentException(USAGE);
        default -> throw new BadArgumentException("unknown argument \"" + args[i] + "\" (" + USAGE + ")");
      }
    }
    BuildIndexConfig config = port == null ? loaded.config() : loaded.config().withPort(port);
    if (config.cluster() != null && config.tagserver().listener().addr() == null) {
      throw new ConfigException("tagserver.listener", "a cluster member needs a TCP port: with net: unix, give --port");
    }
    log.debug("configuration: {}", config);
    return new LoadedConfig(config, loaded.warnings());
  }

  private static String value(String[] args, int i, String flag) {
    if (i >= args.length) {
      throw new BadArgumentException(flag + " needs a value");
    }
    return args[i];
  }

  private static int port(String text) {
    try {
      int port = Integer.parseInt(text);
      if (port < 0 || port > 65535) {
        throw new BadArgumentException("--port out of range: " + text);
      }
      return port;
    } catch (NumberFormatException e) {
      throw new BadArgumentException("--port wants a number, got \"" + text + "\"");
    }
  }

  /** A command line that is not ours (as opposed to a bad configuration): answered with the usage. */
  static final class BadArgumentException extends IllegalArgumentException {
    BadArgumentException(String message) {
      super(message);
    }
  }
}
