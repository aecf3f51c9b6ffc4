package io.buildindex.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.buildindex.server.RawHttp.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * build-index running as a child JVM ({@link Main} on this test's classpath, same java binary), for
 * tests that need a real process: SIGTERM, kill -9, exit codes. Output goes to a log file in the
 * test's directory.
 */
final class ServerProcess implements AutoCloseable {
  /** Generous: a cold JVM on a loaded CI machine. */
  static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  static final Duration EXIT_TIMEOUT = Duration.ofSeconds(60);

  private final Process process;
  private final Path log;
  private final RawHttp http;

  private ServerProcess(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.http = new RawHttp(port);
  }

  /** Starts {@code Main --config config --port <free>} in {@code dir} and waits until ready. */
  static ServerProcess start(Path dir, Path config) {
    for (int attempt = 1; ; attempt++) {
      int port = freePort();
      Path log = dir.resolve("server-" + port + "-" + attempt + ".log");
      Process p = launch(dir, log, "--config", config.toString(), "--port", Integer.toString(port));
      ServerProcess server = new ServerProcess(p, log, port);
      if (server.awaitReady()) {
        return server;
      }
      // Another process may have taken the port between our probe and the child's bind.
      if (attempt == 3 || !server.log().toLowerCase().contains("in use")) {
        throw new AssertionError("server did not become ready (exit " + p.exitValue() + "):\n" + server.log());
      }
    }
  }

  /** Runs {@code Main} with {@code args} in {@code dir}, output to {@code log}. */
  static Process launch(Path dir, Path log, String... args) {
    List<String> command = javaCommand(args);
    try {
      return new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(log.toFile()).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command, e);
    }
  }

  static List<String> javaCommand(String... mainArgs) {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElseThrow());
    command.add("--enable-native-access=ALL-UNNAMED"); // sqlite-jdbc loads a native library
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Main.class.getName());
    command.addAll(List.of(mainArgs));
    return command;
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Polls {@code /readiness} until 200; false when the process exits first. */
  private boolean awaitReady() {
    Instant deadline = Instant.now().plus(START_TIMEOUT);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        return false;
      }
      try {
        if (http.send("GET", "/readiness", java.util.Map.of(), new byte[0]).status() == 200) {
          return true;
        }
      } catch (UncheckedIOException e) {
        // not listening yet
      }
      pause();
    }
    process.destroyForcibly();
    throw new AssertionError("not ready within " + START_TIMEOUT + ":\n" + log());
  }

  static void pause() {
    try {
      Thread.sleep(50); // poll interval, not a wait for an outcome
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  RawHttp http() {
    return http;
  }

  long pid() {
    return process.pid();
  }

  Response send(String method, String path) {
    return http.send(method, path, java.util.Map.of(), new byte[0]);
  }

  /** SIGTERM, then the exit code. */
  int terminate() {
    process.destroy();
    return awaitExit();
  }

  /** SIGKILL, then the exit code. */
  int kill() {
    process.destroyForcibly();
    return awaitExit();
  }

  int awaitExit() {
    try {
      assertThat(process.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
          .as("exited within " + EXIT_TIMEOUT + ":\n" + log()).isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return process.exitValue();
  }

  String log() {
    try {
      return Files.exists(log) ? new String(Files.readAllBytes(log), java.nio.charset.StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      awaitExit();
    }
  }
}
