package io.buildindex.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.buildindex.server.RawHttp.Response;
import io.buildindex.tagreplication.wire.NodeHeaders;
import io.buildindex.testing.ChildProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One build-index node of a test cluster: a child JVM ({@link Main}) on a port chosen before it
 * starts, so that every node's config can name every other node. It can be stopped and started
 * again on the same port and data directory; each launch logs to its own file in the node's
 * directory. The process handling is {@link ChildProcess}'s; this adds the node's config and
 * domain calls. Driven by one test thread at a time.
 */
final class ClusterNode implements AutoCloseable {
  /** Makes a node answer a GET from its own store only, as it does for its neighbors. */

  private final String name;
  private final Path dir;
  private final int port;
  private final RawHttp http;
  private final ChildProcess child;

  /** Writes the node's config into {@code dir/name}; {@link #launch()} starts it. */
  ClusterNode(Path dir, String name, int port, String yaml) {
    this(dir, name, port, yaml, javax.net.SocketFactory.getDefault());
  }

  /** As {@link #ClusterNode(Path, String, int, String)}, the test talking to it through {@code sockets} (TLS ones for an HTTPS node). */
  ClusterNode(Path dir, String name, int port, String yaml, javax.net.SocketFactory sockets) {
    this.name = name;
    this.dir = dir.resolve(name);
    this.port = port;
    Path config = this.dir.resolve("build-index.yaml");
    this.http = new RawHttp(port, sockets);
    try {
      Files.createDirectories(this.dir);
      Files.writeString(config, yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // Several JVMs start at once on few cores: a quick JIT and a small GC keep start-up short.
    List<String> jvm = new ArrayList<>(ChildProcess.FAST_START);
    jvm.add("-Xmx256m");
    this.child = ChildProcess.java(name + "@127.0.0.1:" + port, jvm, ClusterClasspath.get(), Main.class.getName(),
            List.of("--config", config.toString()))
        .directory(this.dir).logs(n -> this.dir.resolve("server-" + n + ".log"))
        .readyWhen(() -> get("/readiness").status() == 200).build();
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
    child.launch();
  }

  /** Waits until {@code /readiness} answers 200 (true), or false when the process exits first. */
  boolean awaitReady() {
    return child.awaitReadyOrExit();
  }

  /** Starts the node and waits until it is ready. */
  void start() {
    child.start();
  }

  boolean isRunning() {
    return child.isRunning();
  }

  /** Whether the last launch failed because its port was taken. */
  boolean portWasTaken() {
    return child.portWasTaken();
  }

  /** SIGKILL: no shutdown hook, no graceful stop. */
  void kill() {
    child.kill();
  }

  /** SIGTERM and wait for the graceful stop. */
  void stop() {
    child.stop();
  }

  /** Deletes the database and its {@code -wal}, {@code -shm} and any other companion files. Node must be down. */
  void wipeData(Path db) {
    if (isRunning()) {
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

  /** A neighbor's DuplicatePut: stored on this node alone, sent to no other. */
  Response duplicatePut(String tag, String digest) {
    return http.send("PUT", "/internal/duplicate/tags/" + TestServer.escape(tag) + "/digest/" + digest, Map.of(),
        "{\"delay\":0}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
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
    return child.log();
  }

  /** The end of the log, for failure messages. */
  String logTail() {
    return child.logTail();
  }

  /** Kills the node if it runs. */
  @Override
  public void close() {
    child.close();
  }

  @Override
  public String toString() {
    return name + "@" + address();
  }
}
