package io.buildindex.server;

import io.buildindex.config.ConfigLoader;
import io.buildindex.config.TagStoreConfig;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The jar's entry point ({@code java -jar buildindex.jar ...}): runs {@link Main} in a JVM with
 * {@link JvmDefaults}' memory options when this JVM was given none (through {@link Relauncher}:
 * this process becomes that JVM in place, or on Java 21 starts it as a child), otherwise (and
 * for {@code --help}, {@code --version}, and a configuration that does not load, which {@link
 * Main} then reports) in this JVM. {@code java -cp buildindex.jar
 * io.buildindex.server.Main} always runs here, with the JVM's own defaults.
 *
 * <p>Loads no logging and nothing of the server before deciding: whatever it loads stays in the
 * launcher's memory for the server's lifetime.
 */
public final class Launcher {
  private Launcher() {}

  public static void main(String[] args) {
    Map<String, String> env = System.getenv();
    Relauncher.followLauncher(env);
    if (!hasManagement()) {
      Main.main(args);
      return;
    }
    List<String> jvmArguments = ManagementFactory.getRuntimeMXBean().getInputArguments();
    // The configuration is read (for the cache size) only when it may be used: reading it costs ~0.9 s.
    String stay = JvmDefaults.reasonToStay(jvmArguments, env);
    if (stay != null && JvmDefaults.operatorOption(jvmArguments, env) != null) {
      // The operator's limits stand; only the manageable options help the heap follow the data.
      Map<String, String> manageable = JvmDefaults.manageable(jvmArguments, usesG1());
      if (!manageable.isEmpty()) { // empty in the JVM started with the defaults, which has them all
        ManageableOptions.set(manageable);
      }
    }
    OptionalLong cacheEntries = stay != null ? OptionalLong.empty() : cacheEntries(args);
    if (cacheEntries.isPresent()) {
      JvmDefaults.Decision d = JvmDefaults.decide(jvmArguments, env, Runtime.version().feature(), cacheEntries.getAsLong());
      if (d.relaunch()) {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = Relauncher.command(java, d.jvmOptions(), jvmArguments, System.getProperty("java.class.path"),
            Launcher.class.getName(), List.of(args));
        Relauncher.replace(command, d.environment(), JvmDefaults.OPTION_VARIABLES); // returns only if it cannot
        System.exit(Relauncher.run(command, d.environment(), JvmDefaults.OPTION_VARIABLES));
        return;
      }
    }
    Main.main(args);
  }

  private static boolean usesG1() {
    return ManagementFactory.getGarbageCollectorMXBeans().stream().anyMatch(gc -> gc.getName().startsWith("G1"));
  }

  /** Whether this runtime can list its JVM options (a jlink image may lack java.management): else no relaunch. */
  private static boolean hasManagement() {
    return ModuleLayer.boot().findModule("java.management").isPresent();
  }

  /**
   * The configured read-cache size when the arguments start a server whose configuration loads;
   * empty for {@code --help}/{@code --version}, and for arguments or a configuration that
   * {@link Main} will refuse (it says why, in this JVM).
   */
  static OptionalLong cacheEntries(String[] args) {
    try {
      Path config = null;
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        if (a.equals("--config") && i + 1 < args.length) {
          config = Path.of(args[++i]);
        } else if (a.startsWith("--config=")) {
          config = Path.of(a.substring("--config=".length()));
        } else if (a.equals("--help") || a.equals("-h") || a.equals("--version")) {
          return OptionalLong.empty();
        }
      }
      return OptionalLong.of(config == null || !mayChangeCacheSize(Files.readString(config))
          ? TagStoreConfig.DEFAULT_CACHE_MAXIMUM_SIZE
          : ConfigLoader.load(config).tagstore().cacheMaximumSize());
    } catch (IOException | RuntimeException e) {
      return OptionalLong.empty();
    }
  }

  /*
   * Loading the configuration costs ~0.6-0.9 s in a cold JVM (Jackson and SnakeYAML starting up),
   * and the server's JVM loads it again: skipped when the text cannot set the cache size, since
   * a YAML key appears literally and only `extends` brings in another file's keys. A configuration
   * that does not load is then reported by the server's JVM, as it would be here.
   */
  private static boolean mayChangeCacheSize(String yaml) {
    return yaml.contains("cache_maximum_size") || yaml.contains("extends");
  }
}
