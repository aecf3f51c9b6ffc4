package io.buildindex.server;

import io.buildindex.docker.testing.RegistryProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A {@code docker-registry} that keeps its port and storage across {@link #stop()} and
 * {@link #restart()}, for outage tests: a remote build-index names its origin by URL, so the
 * registry must come back where it was. {@link RegistryProcess} picks a fresh port on every start,
 * which is right everywhere else. No notifications, no auth, plain HTTP on 127.0.0.1. Not
 * thread-safe: the test thread drives it.
 */
final class DockerRegistry implements AutoCloseable {
  private final Path dir;
  private final int port;
  private @Nullable Process process;
  private int starts;

  private DockerRegistry(Path dir, int port) {
    this.dir = dir;
    this.port = port;
  }

  /** Starts a registry storing under {@code dir} on a free port. */
  static DockerRegistry start(Path dir) {
    RegistryProcess.assumeInstalled();
    DockerRegistry registry = new DockerRegistry(dir, ServerProcess.freePort());
    try {
      Files.createDirectories(dir.resolve("storage"));
      Files.writeString(dir.resolve("config.yml"), registry.config());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    registry.restart();
    return registry;
  }

  /** {@code http://127.0.0.1:<port>}. */
  String url() {
    return "http://" + hostPort();
  }

  /** {@code 127.0.0.1:<port>}, as image references name it. */
  String hostPort() {
    return "127.0.0.1:" + port;
  }

  int port() {
    return port;
  }

  /** Stops the registry process (SIGTERM, then SIGKILL); its storage stays. */
  void stop() {
    Process p = process;
    process = null;
    if (p == null) {
      return;
    }
    p.destroy();
    try {
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** Starts the registry again on the same port with the same storage, and waits until it answers. */
  void restart() {
    if (process != null) {
      throw new IllegalStateException("registry on " + hostPort() + " is already running");
    }
    Path log = dir.resolve("registry-" + (++starts) + ".log");
    try {
      process = new ProcessBuilder(RegistryProcess.BINARY.toString(), "serve", dir.resolve("config.yml").toString())
          .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    awaitReady(log);
  }

  private void awaitReady(Path log) {
    RawHttp http = new RawHttp(port);
    Instant deadline = Instant.now().plus(RegistryProcess.START_TIMEOUT);
    while (Instant.now().isBefore(deadline)) {
      Process p = process;
      if (p == null || !p.isAlive()) {
        throw new IllegalStateException("docker-registry on " + hostPort() + " exited:\n" + read(log));
      }
      try {
        if (http.send("GET", "/v2/", Map.of(), new byte[0]).status() == 200) {
          return;
        }
      } catch (UncheckedIOException e) {
        // not listening yet
      }
      ServerProcess.pause();
    }
    stop();
    throw new IllegalStateException("docker-registry on " + hostPort() + " did not answer GET /v2/ within "
        + RegistryProcess.START_TIMEOUT + ":\n" + read(log));
  }

  private String config() {
    return String.join("\n", List.of(
        "version: 0.1",
        "log:",
        "  level: info",
        "  accesslog:",
        "    disabled: true",
        "storage:",
        "  filesystem:",
        "    rootdirectory: \"" + dir.resolve("storage").toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"",
        "  delete:",
        "    enabled: true",
        "http:",
        "  addr: " + hostPort(),
        ""));
  }

  private static String read(Path log) {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() {
    stop();
  }
}
