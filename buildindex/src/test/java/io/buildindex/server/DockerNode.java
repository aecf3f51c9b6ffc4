package io.buildindex.server;

import io.buildindex.server.RawHttp.Response;
import io.buildindex.testing.ChildProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * build-index as a child JVM, like {@link ServerProcess}, but with JVM options (a small
 * {@code -Xmx}, so that buffering a layer fails loudly) and on a port the caller chose before the
 * start, because a registry must be told where to send notifications before the node is up. The
 * node runs in {@code dir} with {@code dir/config.yaml}; output goes to {@code dir/server.log}.
 * The process handling is {@link ChildProcess}'s.
 */
final class DockerNode implements AutoCloseable {
  private final ChildProcess child;
  private final RawHttp http;

  private DockerNode(ChildProcess child, int port) {
    this.child = child;
    this.http = new RawHttp(port);
  }

  /** Writes {@code yaml} to {@code dir/config.yaml}, starts the node on {@code port}, waits for readiness. */
  static DockerNode start(Path dir, String yaml, int port, List<String> jvmOptions) {
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("config.yaml"), yaml);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start build-index in " + dir, e);
    }
    ChildProcess child = ServerProcess.main(dir, "server", jvmOptions, "--config", "config.yaml",
        "--port", Integer.toString(port)).readyOnHttpGet(port, "/readiness").build();
    return new DockerNode(child.start(), port);
  }

  int port() {
    return http.port();
  }

  /** {@code 127.0.0.1:<port>}, as a {@code remotes} key names it. */
  String hostPort() {
    return "127.0.0.1:" + port();
  }

  boolean isRunning() {
    return child.isRunning();
  }

  Response get(String path) {
    return http.send("GET", path, Map.of(), new byte[0]);
  }

  Response put(String path) {
    return http.send("PUT", path, Map.of(), new byte[0]);
  }

  /** What the node has logged so far, for failure messages. */
  String log() {
    return child.log();
  }

  /** SIGTERM (the node's shutdown hook closes the database) and wait. */
  @Override
  public void close() {
    if (child.isRunning()) {
      child.stop();
    }
  }
}
