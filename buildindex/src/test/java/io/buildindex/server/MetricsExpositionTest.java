package io.buildindex.server;

import static io.buildindex.server.TestServer.digest;
import static org.assertj.core.api.Assertions.assertThat;

import io.buildindex.testing.FreePorts;
import io.buildindex.testing.Poll;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scrape of a node that has served traffic, replicated to a remote and failed to reach
 * another: what {@code promtool check metrics} says of it, whether every registered metric is
 * exported, and whether README's metric list is exactly the scrape's families.
 */
final class MetricsExpositionTest {
  @TempDir
  static Path dir;
  static TestServer remote;
  static TestServer node;
  static String scrape;

  @BeforeAll
  static void serveSomeTraffic() throws IOException {
    remote = TestServer.start(Files.createDirectories(dir.resolve("remote")));
    String down = "127.0.0.1:" + FreePorts.one(); // nothing listens: its breaker opens
    node = TestServer.start(Files.createDirectories(dir.resolve("node")),
        "remotes: {\"127.0.0.1:" + remote.port() + "\": [\"team/.*\"], \"" + down + "\": [\"team/.*\"]}\n"
            + "tag_replication: {retry_interval: 100ms, max_retry_interval: 200ms, poll_retries_interval: 100ms,"
            + " verification_interval: 1s}\n");
    for (int i = 1; i <= 3; i++) {
      assertThat(node.put("/tags/team%2Fapp:v" + i + "/digest/" + digest(i) + "?replicate=true").status()).isEqualTo(200);
    }
    node.getTag("team/app:v1");
    node.getTag("team/app:nope");
    node.get("/scan");
    Poll.until(Poll.DEADLINE, "replicated to the remote and the other destination's breaker open", () -> {
      String text = node.get("/metrics").text();
      return text.contains("tagreplication_done_total 3")
          && text.contains("tagreplication_destination_breaker_open{destination=\"" + down + "\"} 1");
    }, () -> node.get("/metrics").text());
    scrape = node.get("/metrics").text();
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
    if (remote != null) {
      remote.close();
    }
  }

  @Test
  void promtoolCheckMetrics_findsNothing() {
    PromTool.assumeInstalled();

    PromTool.Result r = PromTool.run(dir, scrape, "check", "metrics");

    assertThat(r.output()).as("promtool check metrics on\n" + scrape).isEmpty();
    assertThat(r.exitCode()).isZero();
  }

  @Test
  void everyRegisteredMetric_isExported() {
    assertThat(node.app().metricsExport().uncataloged()).as("registered metrics missing from MetricCatalog").isEmpty();
  }

  private static final Set<String> SHARED_MODE_ONLY = Set.of("localdb_write_retries_total",
      "localdb_pool_active_connections", "localdb_pool_idle_connections", "localdb_pool_pending_threads",
      "localdb_pool_max_connections", "localdb_listen_connected", "tagstore_cache_listening",
      "tagstore_cache_invalidations_total", "tagstore_cache_bypassed_reads_total");

  @Test
  void everyCatalogFamilyWithoutConfigNeeds_isInTheScrape() {
    Set<String> missing = new TreeSet<>(catalogNames());
    missing.removeAll(families(scrape));

    // Only what needs a cluster (ring, neighbors, anti-entropy, cluster lists), an origin (Docker),
    // notifications, or shared mode (the PostgreSQL pool and the cache's notification connection).
    assertThat(missing).allMatch(n -> n.startsWith("hashring_") || n.startsWith("duplicate_")
        || n.startsWith("antientropy_") || n.startsWith("cluster_") || n.startsWith("docker_")
        || n.startsWith("notifications_") || SHARED_MODE_ONLY.contains(n), "needs a cluster, an origin, notifications or shared mode");
  }

  @Test
  void latencies_areHistogramsWithExactCounts() {
    assertThat(scrape)
        .contains("# TYPE http_request_duration_seconds histogram")
        .contains("http_request_duration_seconds_count{route=\"PUT /tags/{tag}/digest/{digest}\"} 3")
        .contains("http_request_duration_seconds_bucket{route=\"PUT /tags/{tag}/digest/{digest}\",le=\"+Inf\"} 3")
        .contains("# TYPE localdb_commit_duration_seconds histogram")
        .contains("# TYPE tagreplication_replication_lag_seconds histogram")
        .contains("tagreplication_replication_lag_seconds_count 3")
        .containsPattern("(?m)^build_info\\{java=\"[^\"]+\",revision=\"[^\"]+\",version=\"[^\"]+\"} 1")
        .containsPattern("(?m)^process_cpu_seconds_total ")
        .containsPattern("(?m)^jvm_memory_used_bytes\\{area=\"heap\"}");
  }

  @Test
  void readme_listsExactlyTheScrapesFamilies() throws IOException {
    Set<String> expected = new TreeSet<>(catalogNames());
    expected.addAll(families(scrape));

    assertThat(readmeMetricNames()).isEqualTo(expected);
  }

  /** Family names of a scrape, from its TYPE lines. */
  static Set<String> families(String text) {
    return text.lines().filter(l -> l.startsWith("# TYPE "))
        .map(l -> l.split(" ")[2]).collect(Collectors.toCollection(TreeSet::new));
  }

  static Set<String> catalogNames() {
    return MetricCatalog.families().stream().map(MetricCatalog.Family::name).collect(Collectors.toCollection(TreeSet::new));
  }

  /**
   * The names README's Metrics section lists: every backticked name (labels in braces dropped)
   * between the section's start and the {@code <!-- end of metric list -->} marker.
   */
  static Set<String> readmeMetricNames() throws IOException {
    String readme = Files.readString(repositoryRoot().resolve("README.md"));
    int start = readme.indexOf("\n## Metrics\n");
    int end = readme.indexOf("<!-- end of metric list -->", start);
    assertThat(start).as("README's Metrics section").isPositive();
    assertThat(end).as("README's end of metric list marker").isPositive();
    Matcher m = Pattern.compile("`([a-z][a-z0-9_]*)(\\{[a-z_,]*})?`").matcher(readme.substring(start, end));
    Set<String> names = new TreeSet<>();
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  static Path repositoryRoot() {
    Path p = Path.of("").toAbsolutePath();
    while (!Files.exists(p.resolve("README.md")) || !Files.isDirectory(p.resolve("buildindex"))) {
      p = p.getParent();
    }
    return p;
  }
}
