package io.buildindex.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.buildindex.server.RawHttp.Response;
import io.buildindex.tagreplication.wire.NodeHeaders;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * One build-index node of a test cluster: a child JVM ({@link Main}) on a port chosen before it
 * starts, so that every node's config can name every other node. Unlike {@link ServerProcess} it
 * can be stopped and started again on the same port and data directory. Each launch logs to its
 * own file in the node's directory. Driven by one test thread at a time.
 */
final class ClusterNode implements AutoCloseable {
  /** Makes a node answer a GET from its own store only, as it does for its neighbors. */
  /** Generous: a cold JVM on a loaded two-core CI machine, several starting at once. */
  static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(60);
  private static final int LOG_TAIL_CHARS = 6_000;

  private final String name;
  private final Path dir;
  private final int port;
  private final Path config;
  private final RawHttp http;
  private final Thread killOnExit = new Thread(this::destroyQuietly, "kill-cluster-node");
  private @Nullable Process process;
  private @Nullable Path log;
  private int launches;

  /** Writes the node's config into {@code dir/name}; {@link #launch()} starts it. */
  ClusterNode(Path dir, String name, int port, String yaml) {
    this(dir, name, port, yaml, javax.net.SocketFactory.getDefault());
  }

  /** As {@link #ClusterNode(Path, String, int, String)}, the test talking to it through {@code sockets} (TLS ones for an HTTPS node). */
  ClusterNode(Path dir, String name, int port, String yaml, javax.net.SocketFactory sockets) {
    this.name = name;
    this.dir = dir.resolve(name);
    this.port = port;
    this.config = this.dir.resolve("build-index.yaml");
    this.http = new RawHttp(port, sockets);
    try {
      Files.createDirectories(this.dir);
      Files.writeString(config, yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // Should the test JVM itself be stopped, its children must not outlive it.
    Runtime.getRuntime().addShutdownHook(killOnExit);
  }

  /** Where a node's config should put its database: under the node's own directory. */
  static Path dbOf(Path dir, String name) {
    return dir.resolve(name).resolve("data").resolve("index.db");
  }

  /** {@code localdb.source} and the listener for a node, as YAML, followed by {@code more}. */
  static String yaml(int port, Path db, String more) {
    return "tagserver:\n"
        + "  listener: {addr: \"127.0.0.1:" + port + "\"}\n"
        + "  duplicate_put_stagger: 1s\n"
        + "  duplicate_replicate_stagger: 2s\n"
        + "localdb: {source: '" + db.toString().replace("'", "''") + "'}\n"
        + more;
  }

  String name() {
    return name;
  }

  int port() {
    return port;
  }

  /** {@code 127.0.0.1:port}, as the node names itself in member lists. */
  String address() {
    return "127.0.0.1:" + port;
  }

  /** Starts the child JVM without waiting for it. */
  void launch() {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException(name + " is already running");
    }
    launches++;
    log = dir.resolve("server-" + launches + ".log");
    List<String> command = List.of(ProcessHandle.current().info().command().orElseThrow(),
        // Several JVMs start at once on few cores: a quick JIT and a small GC keep start-up short.
        "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m",
        "--enable-native-access=ALL-UNNAMED", // sqlite-jdbc loads a native library
        "-cp", ClusterClasspath.get(), Main.class.getName(), "--config", config.toString());
    try {
      process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(log.toFile()).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command, e);
    }
  }

  /** Polls {@code /readiness} until 200 (true), or false when the process exits first. */
  boolean awaitReady() {
    Instant deadline = Instant.now().plus(START_TIMEOUT);
    while (Instant.now().isBefore(deadline)) {
      if (!isAlive()) {
        return false;
      }
      try {
        if (get("/readiness").status() == 200) {
          return true;
        }
      } catch (UncheckedIOException | IllegalStateException e) {
        // not listening yet, or cut off while starting
      }
      ServerProcess.pause();
    }
    throw new AssertionError(name + " not ready within " + START_TIMEOUT + ":\n" + logTail());
  }

  /** Starts the node and waits until it is ready. */
  void start() {
    launch();
    if (!awaitReady()) {
      throw new AssertionError(name + " exited before it was ready:\n" + logTail());
    }
  }

  boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** Whether the last launch failed because its port was taken. */
  boolean portWasTaken() {
    return !isAlive() && log().toLowerCase(java.util.Locale.ROOT).contains("in use");
  }

  /** SIGKILL: no shutdown hook, no graceful stop. */
  void kill() {
    if (process != null) {
      process.destroyForcibly();
      awaitExit();
    }
  }

  /** SIGTERM and wait for the graceful stop. */
  void terminate() {
    if (process != null) {
      process.destroy();
      awaitExit();
    }
  }

  /** Deletes the database and its {@code -wal}, {@code -shm} and any other companion files. Node must be down. */
  void wipeData(Path db) {
    if (isAlive()) {
      throw new IllegalStateException(name + " is running");
    }
    String prefix = db.getFileName().toString();
    try (Stream<Path> files = Files.list(db.getParent())) {
      for (Path f : files.filter(f -> f.getFileName().toString().startsWith(prefix)).toList()) {
        Files.delete(f);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void awaitExit() {
    try {
      if (!process.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(name + " did not exit within " + EXIT_TIMEOUT + ":\n" + logTail());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  Response get(String path) {
    return send("GET", path, Map.of());
  }

  /** A GET answered from this node's own store, never from the tag's other owners. */
  Response getLocal(String path) {
    return send("GET", path, Map.of(NodeHeaders.FORWARDED, "1"));
  }

  Response put(String path) {
    return send("PUT", path, Map.of());
  }

  Response send(String method, String path, Map<String, String> headers) {
    return http.send(method, path, headers, new byte[0]);
  }

  /** {@code PUT /tags/{tag}/digest/{digest}}, the tag escaped as Kraken clients do. */
  Response putTag(String tag, String digest) {
    return put("/tags/" + TestServer.escape(tag) + "/digest/" + digest);
  }

  /** {@code PUT /tags/{tag}/digest/{digest}?replicate=true}: also replicated to the remotes its rules name. */
  Response putReplicated(String tag, String digest) {
    return put("/tags/" + TestServer.escape(tag) + "/digest/" + digest + "?replicate=true");
  }

  /** {@link #putTag}, failing with the response and this node's log unless it answers 200. */
  Response putTagOk(String tag, String digest) {
    return ok("PUT " + tag, putTag(tag, digest));
  }

  /** {@code response}, failing with it and this node's log unless it is a 200. */
  Response ok(String what, Response response) {
    assertThat(response.status()).as(() -> what + " on " + this + ": " + response + "\n" + logTail()).isEqualTo(200);
    return response;
  }

  /** The tag as this node holds it locally. */
  Response getLocalTag(String tag) {
    return getLocal("/tags/" + TestServer.escape(tag));
  }

  /** The tag as a client sees it from this node (asking the owners when it lacks it). */
  Response getTag(String tag) {
    return get("/tags/" + TestServer.escape(tag));
  }

  /** The value of an unlabeled series in {@code /metrics}; a counter may be given without {@code _total}. */
  double metric(String name) {
    String text = get("/metrics").text();
    for (String line : text.lines().toList()) {
      String[] fields = line.split(" ");
      if (!line.startsWith("#") && fields.length >= 2 && (fields[0].equals(name) || fields[0].equals(name + "_total"))) {
        return Double.parseDouble(fields[1]);
      }
    }
    throw new AssertionError("no series " + name + " in /metrics of " + this.name + ":\n" + text);
  }

  /** Everything the current (or last) launch wrote. */
  String log() {
    try {
      return log != null && Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The end of the log, for failure messages. */
  String logTail() {
    String all = log();
    String tail = all.length() <= LOG_TAIL_CHARS ? all : "..." + all.substring(all.length() - LOG_TAIL_CHARS);
    return "---- " + name + " (" + address() + ", launch " + launches + ") ----\n" + tail;
  }

  private void destroyQuietly() {
    if (process != null) {
      process.destroyForcibly();
    }
  }

  @Override
  public void close() {
    try {
      if (isAlive()) {
        kill();
      }
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(killOnExit);
      } catch (IllegalStateException e) {
        // the JVM is already shutting down: the hook runs anyway
      }
    }
  }

  @Override
  public String toString() {
    return name + "@" + address();
  }
}
