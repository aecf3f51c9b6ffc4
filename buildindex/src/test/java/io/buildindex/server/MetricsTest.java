package io.buildindex.server;

import static io.buildindex.server.TestServer.digest;
import static org.assertj.core.api.Assertions.assertThat;

import io.buildindex.server.RawHttp.Response;
import io.buildindex.testing.RunningServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

final class MetricsTest {
  @RegisterExtension
  static final RunningServer<TestServer> server = RunningServer.perTest(TestServer::start);

  @Test
  void metrics_prometheusText() {
    Response r = server.get().get("/metrics");

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("Content-Type")).startsWith("text/plain").contains("version=0.0.4");
    assertThat(r.text()).contains("# TYPE ");
  }

  @Test
  void metrics_afterGet_timedByRouteTemplate() {
    server.get().putTag("team/app:v1", digest(1));
    server.get().getTag("team/app:v1");

    String metrics = server.get().get("/metrics").text();

    assertThat(metrics)
        .contains("# TYPE http_request_duration_seconds histogram")
        .contains("http_request_duration_seconds_count{route=\"GET /tags/{tag}\"} 1")
        .contains("http_request_duration_seconds_count{route=\"PUT /tags/{tag}/digest/{digest}\"} 1")
        .contains("http_responses_total{route=\"GET /tags/{tag}\",status=\"2xx\"} 1");
  }

  @Test
  void metrics_countsStatusClasses() {
    server.get().getTag("team/app:nope");
    server.get().get("/tags/Bad:v1");

    assertThat(server.get().get("/metrics").text())
        .contains("http_responses_total{route=\"GET /tags/{tag}\",status=\"4xx\"} 2");
  }

  @Test
  void metrics_storeAndJvm() {
    server.get().putTag("team/app:v1", digest(1));

    assertThat(server.get().get("/metrics").text())
        .contains("localdb_commit_duration_seconds_count 1")
        .contains("localdb_commit_batch_size")
        .contains("jvm_memory_used_bytes{area=\"heap\"}")
        .contains("jvm_threads")
        .contains("tagstore_cache");
  }

  @Test
  void metrics_neverHoldTagNames() {
    server.get().putTag("secret-team/app:v1", digest(1));
    server.get().get("/tags/secret-team%2Fapp:v1");
    server.get().get("/list/secret-team");

    assertThat(server.get().get("/metrics").text()).doesNotContain("secret-team");
  }

  @Test
  void metrics_unmatchedPaths_shareOneSeries() {
    server.get().get("/scan-1");
    server.get().get("/scan-2");
    server.get().send("PATCH", "/tags/app:v1");

    String metrics = server.get().get("/metrics").text();

    assertThat(metrics).doesNotContain("scan-").contains("route=\"unmatched\"");
    assertThat(metrics.lines().filter(l -> l.startsWith("http_responses_total{") && l.contains("unmatched"))).hasSize(1);
  }
}
