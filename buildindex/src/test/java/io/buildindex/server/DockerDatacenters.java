package io.buildindex.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.buildindex.docker.testing.RegistryProcess;
import io.buildindex.docker.testing.Skopeo;
import io.buildindex.server.RawHttp.Response;
import io.buildindex.testing.FreePorts;
import io.buildindex.testing.Poll;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Two datacenters on loopback, each a registry (its origin) and a build-index child process:
 * build-index A replicates {@code team/.*} to build-index B, and registry A notifies build-index A
 * of every push (registered and replicated). Both treat {@code team/.*} as docker images.
 * {@link #close()} stops every process, also after a failed start.
 *
 * <p>Build-index A runs with a 64 MB heap: a blob copy that buffered a layer instead of streaming
 * it fails with an OutOfMemoryError. Registry B can be stopped and restarted on its port.
 */
final class DockerDatacenters implements AutoCloseable {
  /** Build-index A's heap: enough for the server, far too little to hold a 50 MB layer as well. */
  static final String SMALL_HEAP = "-Xmx64m";
  /** How long replication may take in these tests: retries are every 200 ms to 1 s. */
  static final Duration REPLICATION_TIMEOUT = Duration.ofSeconds(60);

  final RegistryProcess registryB;
  final DockerNode buildIndexB;
  final RegistryProcess registryA;
  final DockerNode buildIndexA;

  private DockerDatacenters(RegistryProcess registryB, DockerNode buildIndexB, RegistryProcess registryA,
      DockerNode buildIndexA) {
    this.registryB = registryB;
    this.buildIndexB = buildIndexB;
    this.registryA = registryA;
    this.buildIndexA = buildIndexA;
  }

  /** Skips (or under CI fails) the calling test when docker-registry or skopeo is missing. */
  static void assumeTools() {
    RegistryProcess.assumeInstalled();
    Skopeo.assumeInstalled();
  }

  /** Starts B (registry, then build-index), then A (registry notifying A's port, then build-index). */
  static DockerDatacenters start(Path dir) {
    return start(dir, "");
  }

  /** As {@link #start(Path)}, with {@code tagReplication} (e.g. {@code ", verification_interval: 1s"}) added to A's section. */
  static DockerDatacenters start(Path dir, String tagReplication) {
    assumeTools();
    List<AutoCloseable> started = new ArrayList<>();
    try {
      RegistryProcess registryB = add(started, RegistryProcess.start(dir.resolve("registry-b")));
      DockerNode buildIndexB = add(started, DockerNode.start(dir.resolve("build-index-b"),
          yaml(registryB.url(), List.of(), ""), FreePorts.one(), List.of()));
      // Registry A must know where build-index A listens before build-index A starts (its origin).
      int portA = FreePorts.one();
      RegistryProcess registryA = add(started, RegistryProcess.start(dir.resolve("registry-a"),
          "http://127.0.0.1:" + portA + "/notifications", Map.of()));
      String replication = "notifications: {replicate: true}\n"
          + "remotes:\n  \"" + buildIndexB.hostPort() + "\": [\"team/.*\"]\n"
          + "tag_replication: {retry_interval: 200ms, max_retry_interval: 1s, poll_retries_interval: 200ms"
          + tagReplication + "}\n";
      DockerNode buildIndexA = add(started, DockerNode.start(dir.resolve("build-index-a"),
          yaml(registryA.url(), List.of(registryB.url()), replication), portA, List.of(SMALL_HEAP)));
      return new DockerDatacenters(registryB, buildIndexB, registryA, buildIndexA);
    } catch (RuntimeException | Error e) {
      try {
        closeAll(started);
      } catch (RuntimeException closing) {
        e.addSuppressed(closing); // the start failure is the news
      }
      throw e;
    }
  }

  private static <T extends AutoCloseable> T add(List<AutoCloseable> started, T resource) {
    started.add(resource);
    return resource;
  }

  /** {@code remoteRegistries}: the registries of other datacenters this origin may copy blobs to. */
  private static String yaml(String originUrl, List<String> remoteRegistries, String more) {
    return "localdb: {source: ./index.db}\n"
        + "tag_types:\n"
        + "  - {namespace: \"team/.*\", type: docker}\n"
        + "  - {namespace: \".*\", type: default}\n"
        + "origin:\n  registry: {url: \"" + originUrl + "\", remote_registries: "
        + remoteRegistries.stream().map(u -> "\"" + u + "\"").toList() + "}\n"
        + more;
  }

  /** Build-index A's replication tasks for {@code tag} ({@code GET /tags/{tag}/replication}). */
  JsonNode tasksOnA(String tag) {
    Response r = buildIndexA.get("/tags/" + TestServer.escape(tag) + "/replication");
    if (r.status() != 200) {
      throw new AssertionError("GET replication status of " + tag + ": " + r);
    }
    return r.json();
  }

  /**
   * Waits until build-index B holds {@code tag -> digest} and A's task for it is done: the
   * blobs were copied before the tag (B checks its origin before accepting), so the image is
   * complete in registry B.
   */
  void awaitReplicated(String tag, String digest) {
    Poll.until(REPLICATION_TIMEOUT, "replication of " + tag + " -> " + digest, () -> {
      Response onB = buildIndexB.get("/tags/" + TestServer.escape(tag));
      return onB.status() == 200 && onB.text().equals(digest) && taskToBIs(tag, "done");
    }, () -> "tasks on A: " + tasksOnA(tag) + "\nbuild-index A log:\n" + tail(buildIndexA.log()));
  }

  /** Build-index A's task replicating {@code tag} to build-index B, or a missing node when there is none. */
  JsonNode taskToB(String tag) {
    for (JsonNode task : tasksOnA(tag)) {
      if (task.path("destination").asText().equals(buildIndexB.hostPort())) {
        return task;
      }
    }
    return MissingNode.getInstance();
  }

  /** Whether A's task replicating {@code tag} to B is in {@code state}. */
  boolean taskToBIs(String tag, String state) {
    return state.equals(taskToB(tag).path("state").asText());
  }

  /** The last lines of a log, enough to see why without drowning the failure message. */
  static String tail(String log) {
    String[] lines = log.split("\n");
    return String.join("\n", List.of(lines).subList(Math.max(0, lines.length - 60), lines.length));
  }

  @Override
  public void close() {
    closeAll(List.of(registryB, buildIndexB, registryA, buildIndexA));
  }

  /** Closes in reverse order of start; one failing close does not keep the others running. */
  private static void closeAll(List<AutoCloseable> started) {
    List<AutoCloseable> reversed = new ArrayList<>(started);
    Collections.reverse(reversed);
    RuntimeException first = null;
    for (AutoCloseable resource : reversed) {
      try {
        resource.close();
      } catch (Exception e) {
        if (first == null) {
          first = new IllegalStateException("closing " + resource + " failed", e);
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
