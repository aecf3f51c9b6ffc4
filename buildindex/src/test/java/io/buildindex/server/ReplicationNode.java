package io.buildindex.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.buildindex.server.RawHttp.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * One build-index of a replication test, as a child JVM ({@link Main}) with its own directory and
 * a port reserved before any node starts: remotes name each other by address, so a config can
 * point at a node that is not running yet, and a node that is stopped or killed comes back on the
 * same port with the same database. Each launch logs to its own file in the node's directory.
 * Driven by one test thread at a time, except the HTTP helpers, which are thread-safe.
 */
final class ReplicationNode implements AutoCloseable {
  /** Generous: cold JVMs on a loaded CI machine, several starting at once. */
  static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  /** How long a test waits for replication to reach a state it expects. */
  static final Duration AWAIT_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(60);
  private static final int LOG_TAIL_CHARS = 4_000;
  /** These tests start many short-lived JVMs: C1 only and the serial GC start a quarter faster. */
  private static final List<String> CHILD_JVM_OPTIONS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");
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
  private volatile RawHttp http;
  private final Thread killOnExit = new Thread(this::destroyQuietly, "kill-replication-node");
  private String yaml = "";
  private @Nullable Process process;
  private @Nullable Path log;
  private int launches;

  private ReplicationNode(String name, Path dir, int port) {
    this.name = name;
    this.dir = dir;
    this.port = port;
    this.http = new RawHttp(port);
    // Should the test JVM itself be stopped, its children must not outlive it.
    Runtime.getRuntime().addShutdownHook(killOnExit);
  }

  /** A node named {@code name} in {@code parent/name} on a free port, not started. */
  static ReplicationNode reserve(Path parent, String name) {
    Path dir = parent.resolve(name);
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new ReplicationNode(name, dir, ServerProcess.freePort());
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
    launches++;
    log = dir.resolve(name + "-" + launches + ".log");
    List<String> command = ServerProcess.javaCommand("--config", "build-index.yaml", "--port", Integer.toString(port));
    command.addAll(1, CHILD_JVM_OPTIONS);
    try {
      process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(log.toFile()).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command, e);
    }
    return this;
  }

  /** Polls {@code /readiness} until 200; fails with the log when the process exits or the time is up. */
  ReplicationNode awaitReady() {
    Process p = running();
    Instant deadline = Instant.now().plus(START_TIMEOUT);
    while (Instant.now().isBefore(deadline)) {
      if (!p.isAlive()) {
        throw new AssertionError(name + " exited with " + p.exitValue() + " before it was ready:\n" + logTail());
      }
      try {
        if (send("GET", "/readiness").status() == 200) {
          return this;
        }
      } catch (UncheckedIOException e) {
        // not listening yet
      }
      ServerProcess.pause();
    }
    throw new AssertionError(name + " not ready within " + START_TIMEOUT + ":\n" + logTail());
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
    return process != null && process.isAlive();
  }

  /** SIGTERM and wait: a clean shutdown. */
  void stop() {
    running().destroy();
    awaitExit();
  }

  /** SIGKILL and wait: nothing in the process gets to run. */
  void kill() {
    running().destroyForcibly();
    awaitExit();
  }

  private void awaitExit() {
    Process p = running();
    try {
      if (!p.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(name + " did not exit within " + EXIT_TIMEOUT + ":\n" + logTail());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } finally {
      process = null;
    }
  }

  private Process running() {
    Process p = process;
    if (p == null) {
      throw new IllegalStateException(name + " is not running");
    }
    return p;
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
    Instant deadline = Instant.now().plus(AWAIT_TIMEOUT);
    Object last = null;
    while (true) {
      try {
        T value = probe.get();
        if (done.test(value)) {
          return value;
        }
        last = value;
      } catch (RuntimeException e) {
        last = e;
      }
      if (Instant.now().isAfter(deadline)) {
        StringBuilder b = new StringBuilder("not within " + AWAIT_TIMEOUT + ": " + what + "\nlast seen: " + last);
        for (ReplicationNode n : nodes) {
          b.append("\n--- ").append(n.name).append(" ---\n").append(n.logTail());
        }
        throw new AssertionError(b.toString());
      }
      ServerProcess.pause();
    }
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
    try {
      if (log == null || !Files.exists(log)) {
        return "";
      }
      String text = Files.readString(log, StandardCharsets.UTF_8);
      return text.length() <= LOG_TAIL_CHARS ? text : "..." + text.substring(text.length() - LOG_TAIL_CHARS);
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  @Override
  public String toString() {
    return name + "@" + address();
  }

  private void destroyQuietly() {
    Process p = process;
    if (p != null) {
      p.destroyForcibly();
    }
  }

  /** Kills the process if it runs, and waits for it. */
  @Override
  public void close() {
    try {
      if (process != null) {
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
}
