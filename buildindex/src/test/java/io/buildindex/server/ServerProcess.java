package io.buildindex.server;

import io.buildindex.server.RawHttp.Response;
import io.buildindex.testing.ChildProcess;
import io.buildindex.testing.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * build-index running as a child JVM ({@link Main} on this test's classpath, same java binary), for
 * tests that need a real process: SIGTERM, kill -9, exit codes. The process handling (readiness,
 * stop, kill, log, cleanup) is {@link ChildProcess}'s; this adds build-index's command line and a
 * {@link RawHttp} client. Output goes to a log file in the test's directory.
 */
final class ServerProcess implements AutoCloseable {
  private static final int START_ATTEMPTS = 3;

  private final ChildProcess child;
  private final RawHttp http;

  private ServerProcess(ChildProcess child, int port) {
    this.child = child;
    this.http = new RawHttp(port);
  }

  /** Starts {@code Main --config config --port <free>} in {@code dir} and waits until ready. */
  static ServerProcess start(Path dir, Path config) {
    return start(dir, config, Map.of());
  }

  /** As {@link #start(Path, Path)}, with {@code environment} set in the child. */
  static ServerProcess start(Path dir, Path config, Map<String, String> environment) {
    for (int attempt = 1; ; attempt++) {
      int port = FreePorts.one();
      ChildProcess child = main(dir, "server-" + port + "-" + attempt, List.of(),
          "--config", config.toString(), "--port", Integer.toString(port))
          .environment(environment).readyOnHttpGet(port, "/readiness").build();
      if (child.launch().awaitReadyOrExit()) {
        return new ServerProcess(child, port);
      }
      // Another process may have taken the port between our probe and the child's bind.
      if (attempt == START_ATTEMPTS || !child.portWasTaken()) {
        throw new AssertionError("server did not become ready (exit " + child.awaitExit() + "):\n" + child.log());
      }
    }
  }

  /**
   * Writes {@code dir/config.yaml} ({@code localdb} in {@code dir/index.db}, then {@code moreYaml}:
   * further top-level sections) and starts a server with it, as {@link #start(Path, Path)}.
   */
  static ServerProcess startWithYaml(Path dir, String moreYaml) {
    Path config = dir.resolve("config.yaml");
    try {
      Files.writeString(config, "localdb:\n  source: '" + dir.resolve("index.db").toString().replace("'", "''") + "'\n"
          + moreYaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return start(dir, config);
  }

  /** {@code Main args} in {@code dir} with {@code jvmOptions}, logging to {@code dir/<name>.log} (one launch) or {@code dir/<name>-<n>.log}. */
  static ChildProcess.Builder main(Path dir, String name, List<String> jvmOptions, String... args) {
    return ChildProcess.java(name, jvmOptions, Main.class.getName(), List.of(args)).directory(dir)
        .logs(n -> dir.resolve(n == 1 ? name + ".log" : name + "-" + n + ".log"));
  }

  /** Launches {@code Main args} in {@code dir} without waiting (logging to {@code dir/<name>.log}): for exit codes and start-up failures. */
  static ChildProcess launch(Path dir, String name, String... args) {
    return main(dir, name, List.of(), args).build().launch();
  }

  RawHttp http() {
    return http;
  }

  long pid() {
    return child.pid();
  }

  Response send(String method, String path) {
    return http.send(method, path, Map.of(), new byte[0]);
  }

  /** SIGTERM, then the exit code. */
  int stop() {
    return child.stop();
  }

  /** SIGKILL, then the exit code. */
  int kill() {
    return child.kill();
  }

  int awaitExit() {
    return child.awaitExit();
  }

  String log() {
    return child.log();
  }

  @Override
  public void close() {
    child.close();
  }
}
