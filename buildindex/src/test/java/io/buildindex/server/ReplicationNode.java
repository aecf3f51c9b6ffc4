package io.buildindex.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.buildindex.server.RawHttp.Response;
import io.buildindex.testing.ChildProcess;
import io.buildindex.testing.FreePorts;
import io.buildindex.testing.Poll;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * One build-index of a replication test, as a child JVM ({@link Main}) with its own directory and
 * a port reserved before any node starts: remotes name each other by address, so a config can
 * point at a node that is not running yet, and a node that is stopped or killed comes back on the
 * same port with the same database. Each launch logs to its own file in the node's directory. The
 * process handling is {@link ChildProcess}'s; this adds the config and the domain calls. Driven by
 * one test thread at a time, except the HTTP helpers, which are thread-safe.
 */
final class ReplicationNode implements AutoCloseable {
  /** How long a test waits for replication to reach a state it expects. */
  static final Duration AWAIT_TIMEOUT = Duration.ofSeconds(60);
  /** Short enough that tests never wait long for a retry, long enough not to spin. */
  static final String FAST_RETRIES = """
      tag_replication:
        retry_interval: 200ms
        max_retry_interval: 1s
        poll_retries_interval: 200ms
      """;

  private final String name;
  private final Path dir;
  private final int port;
  private final ChildProcess child;
  private volatile RawHttp http;
  private String yaml = "";

  private ReplicationNode(String name, Path dir, int port) {
    this.name = name;
    this.dir = dir;
    this.port = port;
    this.http = new RawHttp(port);
    // These tests start many short-lived JVMs: ChildProcess.FAST_START.
    this.child = ServerProcess.main(dir, name, ChildProcess.FAST_START,
            "--config", "build-index.yaml", "--port", Integer.toString(port))
        .logs(n -> dir.resolve(name + "-" + n + ".log"))
        .readyWhen(() -> send("GET", "/readiness").status() == 200).build();
  }

  /** A node named {@code name} in {@code parent/name} on a free port, not started. */
  static ReplicationNode reserve(Path parent, String name) {
    Path dir = parent.resolve(name);
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new ReplicationNode(name, dir, FreePorts.one());
  }

  /** {@code host:port} as remotes rules and task destinations name this node. */
  String address() {
    return "127.0.0.1:" + port;
  }

  int port() {
    return port;
  }

  /** The {@code remotes} section replicating tags that match any of {@code regexes} to this node. */
  String asRemote(String... regexes) {
    return remotes(address(), regexes);
  }

  /** The {@code remotes} section replicating tags that match any of {@code regexes} to {@code address}. */
  static String remotes(String address, String... regexes) {
    StringBuilder b = new StringBuilder("remotes:\n  \"").append(address).append("\":\n");
    for (String regex : regexes) {
      b.append("    - '").append(regex.replace("'", "''")).append("'\n");
    }
    return b.toString();
  }

  /** Talks to the node through {@code sockets} from now on (a TLS socket factory when it serves HTTPS). */
  ReplicationNode clientSockets(javax.net.SocketFactory sockets) {
    this.http = new RawHttp(port, sockets);
    return this;
  }

  /** Top-level YAML sections for the next launch, besides {@code localdb} (always {@code data/index.db} here). */
  ReplicationNode configure(String moreYaml) {
    this.yaml = moreYaml;
    return this;
  }

  /** Starts the process without waiting for it; {@link #awaitReady()} waits. */
  ReplicationNode launch() {
    if (isRunning()) {
      throw new IllegalStateException(name + " is already running");
    }
    try {
      // Relative to the node's directory, the child's working directory.
      Files.writeString(dir.resolve("build-index.yaml"), "localdb:\n  source: data/index.db\n" + yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    child.launch();
    return this;
  }

  /** Waits until {@code /readiness} answers 200; fails with the log when the process exits or the time is up. */
  ReplicationNode awaitReady() {
    child.awaitReady();
    return this;
  }

  ReplicationNode start() {
    return launch().awaitReady();
  }

  /** Launches all of {@code nodes} at once (JVM start-up dominates), then waits for each. */
  static void startAll(ReplicationNode... nodes) {
    for (ReplicationNode n : nodes) {
      n.launch();
    }
    for (ReplicationNode n : nodes) {
      n.awaitReady();
    }
  }

  /** Deletes the node's database (with its WAL), as a disk replaced under a stopped node. */
  void deleteDatabase() {
    if (isRunning()) {
      throw new IllegalStateException(name + " is running");
    }
    try (var files = Files.list(dir.resolve("data"))) {
      for (Path f : files.toList()) {
        Files.delete(f);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  boolean isRunning() {
    return child.isRunning();
  }

  /** SIGTERM and wait: a clean shutdown. */
  void stop() {
    child.stop();
  }

  /** SIGKILL and wait: nothing in the process gets to run. */
  void kill() {
    child.kill();
  }

  Response send(String method, String target) {
    return send(method, target, Map.of());
  }

  Response send(String method, String target, Map<String, String> headers) {
    return http.send(method, target, headers, new byte[0]);
  }

  /** {@code PUT /tags/{tag}/digest/{digest}}, with {@code ?replicate=true} when {@code replicate}. */
  Response put(String tag, String digest, boolean replicate) {
    return send("PUT", "/tags/" + TestServer.escape(tag) + "/digest/" + digest + (replicate ? "?replicate=true" : ""));
  }

  Response get(String tag) {
    return send("GET", "/tags/" + TestServer.escape(tag));
  }

  /** The digest this node serves for {@code tag}, or null on 404 (or when the node is down). */
  @Nullable String digestOf(String tag) {
    try {
      Response r = get(tag);
      return r.status() == 200 ? r.text() : null;
    } catch (UncheckedIOException e) {
      return null;
    }
  }

  /** {@code GET /tags/{tag}/history}: newest first. */
  JsonNode history(String tag) {
    return send("GET", "/tags/" + TestServer.escape(tag) + "/history").json();
  }

  /** {@code GET /tags/{tag}/replication}: one task per destination. */
  JsonNode replication(String tag) {
    return send("GET", "/tags/" + TestServer.escape(tag) + "/replication").json();
  }

  /** The task of {@code tag} towards {@code destination}, or a missing node when there is none. */
  JsonNode task(String tag, ReplicationNode destination) {
    for (JsonNode t : replication(tag)) {
      if (t.get("destination").asText().equals(destination.address())) {
        return t;
      }
    }
    return MissingNode.getInstance();
  }

  /** Every task of {@code GET /replication/tasks?query}, following {@code next} links; 1000 a page unless the query says. */
  List<JsonNode> tasks(String query) {
    List<JsonNode> all = new ArrayList<>();
    String target = "/replication/tasks?" + (query.contains("limit=") ? query : "limit=1000" + (query.isEmpty() ? "" : "&" + query));
    while (!target.isEmpty()) {
      Response r = send("GET", target);
      if (r.status() != 200) {
        throw new AssertionError("GET " + target + ": " + r);
      }
      r.json().get("tasks").forEach(all::add);
      target = r.json().get("next").asText();
    }
    return all;
  }

  /** How many of this node's tasks towards {@code destination} are in each state. */
  Map<String, Long> taskStates(ReplicationNode destination) {
    return taskStates(destination.address());
  }

  /** How many of this node's tasks towards {@code destination} ({@code host:port}) are in each state. */
  Map<String, Long> taskStates(String destination) {
    return tasks("destination=" + destination).stream()
        .collect(Collectors.groupingBy(t -> t.get("state").asText(), TreeMap::new, Collectors.counting()));
  }

  /** Waits until all {@code count} tasks of this node towards {@code destination} are done. */
  void awaitAllDone(ReplicationNode destination, int count) {
    await(count + " tasks of " + name + " to " + destination.name + " done", () -> taskStates(destination),
        states -> states.equals(Map.of("done", (long) count)), this, destination);
  }

  /**
   * Polls {@code probe} until {@code done} holds for what it returns, and returns that; fails
   * with the last value and the logs of {@code nodes} when {@link #AWAIT_TIMEOUT} passes. A probe
   * that throws (a node still starting) counts as not done yet.
   */
  static <T> T await(String what, Supplier<T> probe, Predicate<T> done, ReplicationNode... nodes) {
    return Poll.value(AWAIT_TIMEOUT, what, probe, done, () -> Arrays.stream(nodes).map(ReplicationNode::logTail)
        .collect(Collectors.joining("\n")));
  }

  /** Waits until this node serves {@code digest} for {@code tag}. */
  void awaitDigest(String tag, String digest, ReplicationNode... logsOf) {
    await(name + " serves " + digest + " for " + tag, () -> digestOf(tag), digest::equals, logsOf);
  }

  /** Waits until this node's task of {@code tag} towards {@code destination} is in {@code state}; returns it. */
  JsonNode awaitTask(String tag, ReplicationNode destination, String state) {
    return await(name + "'s task of " + tag + " to " + destination.name + " is " + state,
        () -> task(tag, destination), t -> state.equals(t.path("state").asText()), this, destination);
  }

  /** The end of the current (or last) launch's log. */
  String logTail() {
    return child.logTail();
  }

  /** Everything the current (or last) launch logged. */
  String log() {
    return child.log();
  }

  @Override
  public String toString() {
    return name + "@" + address();
  }

  /** Kills the process if it runs, and waits for it. */
  @Override
  public void close() {
    child.close();
  }
}
