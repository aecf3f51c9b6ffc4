package io.buildindex.docker.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Assumptions;

/**
 * A real OCI distribution registry (Debian's {@code docker-registry} package) serving from a
 * directory on a free 127.0.0.1 port, without auth or TLS. Start it in a test, close it after.
 *
 * <p>Without the binary the calling test is skipped, unless {@code CI} is set: CI installs the
 * package ({@code apt-get install docker-registry}), so there a missing binary fails the test.
 */
public final class RegistryProcess implements AutoCloseable {
  public static final Path BINARY = Path.of("/usr/bin/docker-registry");
  /** How long a registry may take to answer {@code GET /v2/}; it usually takes well under a second. */
  public static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private final Process process;
  private final int port;
  private final Path log;

  private RegistryProcess(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
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
      int port = freePort();
      Path config = dir.resolve("config.yml");
      Files.writeString(config, config(storage, port, notificationUrl, headers));
      Path log = dir.resolve("registry.log");
      Process process = new ProcessBuilder(command(config))
          .redirectErrorStream(true).redirectOutput(log.toFile()).start();
      RegistryProcess registry = new RegistryProcess(process, port, log);
      registry.awaitReady();
      return registry;
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

  /** What the registry has logged so far, for failure messages. */
  public String log() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
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

  private void awaitReady() {
    OkHttpClient http = new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(2)).build();
    Instant deadline = Instant.now().plus(START_TIMEOUT);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IllegalStateException("docker-registry exited with " + process.exitValue() + ":\n" + log());
      }
      if (answers(http)) {
        return;
      }
      pollPause();
    }
    close();
    throw new IllegalStateException("docker-registry did not answer GET /v2/ within " + START_TIMEOUT + ":\n" + log());
  }

  private boolean answers(OkHttpClient http) {
    try (Response response = http.newCall(new Request.Builder().url(url() + "/v2/").build()).execute()) {
      return response.code() == 200;
    } catch (IOException e) {
      return false; // not listening yet
    }
  }

  private static void pollPause() {
    try {
      Thread.sleep(50); // between polls of a deadline-bounded wait
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for docker-registry", e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return socket.getLocalPort();
    }
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
