package io.buildindex.docker.testing;

import io.buildindex.testing.ChildProcess;
import io.buildindex.testing.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;

/**
 * A real OCI distribution registry (Debian's {@code docker-registry} package) serving from a
 * directory on a free 127.0.0.1 port, without auth or TLS. Start it in a test, close it after.
 * {@link #stop()} and {@link #restart()} bring it down and back on the same port with the same
 * storage, for outage tests (a build-index names its origin by URL). The process handling is
 * {@code testing.ChildProcess}'s.
 *
 * <p>Without the binary the calling test is skipped, unless {@code CI} is set: CI installs the
 * package ({@code apt-get install docker-registry}), so there a missing binary fails the test.
 */
public final class RegistryProcess implements AutoCloseable {
  public static final Path BINARY = Path.of("/usr/bin/docker-registry");

  private final ChildProcess child;
  private final int port;

  private RegistryProcess(ChildProcess child, int port) {
    this.child = child;
    this.port = port;
  }

  /** Skips the calling test when the registry binary is absent and {@code CI} is not set; fails it under CI. */
  public static void assumeInstalled() {
    assumeTool(BINARY, "docker-registry");
  }

  /** Starts a registry storing under {@code dir}. */
  public static RegistryProcess start(Path dir) {
    return start(dir, "", Map.of());
  }

  /**
   * Starts a registry storing under {@code dir} that also POSTs its event envelopes to
   * {@code notificationUrl} (every event: it sends, retries every second, and gives up never).
   *
   * @param headers sent with every notification, e.g. {@code Authorization: Bearer ...}
   */
  public static RegistryProcess start(Path dir, String notificationUrl, Map<String, String> headers) {
    assumeInstalled();
    try {
      Path storage = Files.createDirectories(dir.resolve("storage"));
      int port = FreePorts.one();
      Path config = dir.resolve("config.yml");
      Files.writeString(config, config(storage, port, notificationUrl, headers));
      ChildProcess child = ChildProcess.command("docker-registry@127.0.0.1:" + port, command(config))
          .directory(dir).logs(n -> dir.resolve(n == 1 ? "registry.log" : "registry-" + n + ".log"))
          .readyOnHttpGet(port, "/v2/").build();
      return new RegistryProcess(child.start(), port);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code http://127.0.0.1:<port>}. */
  public String url() {
    return "http://" + hostPort();
  }

  /** {@code 127.0.0.1:<port>}, as image references name it. */
  public String hostPort() {
    return "127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /** What the registry's current (or last) run has logged, for failure messages. */
  public String log() {
    return child.log();
  }

  /** Stops the registry (SIGTERM, and wait); its storage stays, for {@link #restart()}. */
  public void stop() {
    if (child.isRunning()) {
      child.stop();
    }
  }

  /** Starts the registry again on the same port with the same storage, and waits until it answers. */
  public void restart() {
    child.start();
  }

  @Override
  public void close() {
    stop();
  }

  static void assumeTool(Path binary, String aptPackage) {
    if (Files.isExecutable(binary)) {
      return;
    }
    if (onCi()) {
      throw new IllegalStateException(binary + " is missing but CI is set: install it (apt-get install -y "
          + aptPackage + ")");
    }
    Assumptions.abort(binary + " is not installed (apt-get install -y " + aptPackage + "); skipping");
  }

  /** Whether the {@code CI} environment variable is set (to anything but "false"). */
  static boolean onCi() {
    String ci = System.getenv("CI");
    return ci != null && !ci.isEmpty() && !ci.equalsIgnoreCase("false");
  }

  static String config(Path storage, int port, String notificationUrl, Map<String, String> headers) {
    StringBuilder yaml = new StringBuilder()
        .append("version: 0.1\n")
        .append("log:\n  level: info\n  accesslog:\n    disabled: true\n")
        .append("storage:\n  filesystem:\n    rootdirectory: ").append(quoted(storage.toString())).append('\n')
        .append("  delete:\n    enabled: true\n")
        .append("http:\n  addr: 127.0.0.1:").append(port).append('\n');
    if (!notificationUrl.isEmpty()) {
      yaml.append("notifications:\n  endpoints:\n    - name: buildindex\n")
          .append("      url: ").append(quoted(notificationUrl)).append('\n')
          .append("      timeout: 5s\n      threshold: 10\n      backoff: 1s\n");
      if (!headers.isEmpty()) {
        yaml.append("      headers:\n");
        headers.forEach((name, value) -> yaml.append("        ").append(name).append(": [")
            .append(quoted(value)).append("]\n"));
      }
    }
    return yaml.toString();
  }

  private static String quoted(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static List<String> command(Path config) {
    return List.of(BINARY.toString(), "serve", config.toString());
  }
}
