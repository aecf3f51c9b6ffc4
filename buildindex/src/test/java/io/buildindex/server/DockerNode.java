package io.buildindex.server;

import io.buildindex.server.RawHttp.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * build-index as a child JVM, like {@link ServerProcess}, but with JVM options (a small
 * {@code -Xmx}, so that buffering a layer fails loudly) and on a port the caller chose before the
 * start, because a registry must be told where to send notifications before the node is up. The
 * node runs in {@code dir} with {@code dir/config.yaml}; output goes to {@code dir/server.log}.
 */
final class DockerNode implements AutoCloseable {
  private final Process process;
  private final Path log;
  private final RawHttp http;

  private DockerNode(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.http = new RawHttp(port);
  }

  /** Writes {@code yaml} to {@code dir/config.yaml}, starts the node on {@code port}, waits for readiness. */
  static DockerNode start(Path dir, String yaml, int port, List<String> jvmOptions) {
    Path log = dir.resolve("server.log");
    List<String> command;
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("config.yaml"), yaml);
      command = new ArrayList<>(ServerProcess.javaCommand("--config", "config.yaml", "--port", Integer.toString(port)));
      command.addAll(1, jvmOptions); // after the java binary, before the class path and main class
      Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(log.toFile()).start();
      DockerNode node = new DockerNode(process, log, port);
      node.awaitReady();
      return node;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start build-index in " + dir, e);
    }
  }

  private void awaitReady() {
    Instant deadline = Instant.now().plus(ServerProcess.START_TIMEOUT);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new AssertionError("build-index exited with " + process.exitValue() + " before it was ready:\n" + log());
      }
      try {
        if (get("/readiness").status() == 200) {
          return;
        }
      } catch (UncheckedIOException e) {
        // not listening yet
      }
      ServerProcess.pause();
    }
    close();
    throw new AssertionError("build-index not ready within " + ServerProcess.START_TIMEOUT + ":\n" + log());
  }

  int port() {
    return http.port();
  }

  /** {@code 127.0.0.1:<port>}, as a {@code remotes} key names it. */
  String hostPort() {
    return "127.0.0.1:" + port();
  }

  boolean alive() {
    return process.isAlive();
  }

  Response get(String path) {
    return http.send("GET", path, Map.of(), new byte[0]);
  }

  Response put(String path) {
    return http.send("PUT", path, Map.of(), new byte[0]);
  }

  /** What the node has logged so far, for failure messages. */
  String log() {
    try {
      return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() {
    process.destroy(); // SIGTERM: the node's shutdown hook closes the database
    try {
      if (!process.waitFor(ServerProcess.EXIT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
