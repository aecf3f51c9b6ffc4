package io.buildindex.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.buildindex.server.RawHttp.Response;
import io.buildindex.testing.RunningServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

final class OpsRoutesTest {
  @RegisterExtension
  static final RunningServer<TestServer> server = RunningServer.perTest(TestServer::start);

  @Test
  void health_ok() {
    Response health = server.get().get("/health");

    assertThat(health.status()).isEqualTo(200);
    assertThat(health.text()).isEqualTo("OK\n");
  }

  @Test
  void readiness_ok() {
    assertThat(server.get().get("/readiness").status()).isEqualTo(200);
  }

  @Test
  void readiness_503WhenTheReplicationEngineHasStopped() {
    assertThat(server.get().get("/metrics").text()).contains("tagreplication_engine_up 1");
    // The dispatcher survives every Throwable; an interrupt is the way left for it to end.
    java.util.List<Thread> dispatchers = Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("replication-dispatcher") && t.isAlive()).toList();
    assertThat(dispatchers).hasSize(1);
    dispatchers.get(0).interrupt();

    Response readiness = ReplicationNode.await("readiness 503", () -> server.get().get("/readiness"), r -> r.status() == 503);
    assertThat(readiness.json().get("message").asText()).contains("replication has stopped");
    assertThat(server.get().get("/metrics").text()).contains("tagreplication_engine_up 0");
  }

  @Test
  void origin_emptyBody() {
    Response origin = server.get().get("/origin");

    assertThat(origin.status()).isEqualTo(200);
    assertThat(origin.body()).isEmpty();
  }

  @Test
  void unknownPath_404JsonBody() {
    Response nope = server.get().get("/nope");

    assertThat(nope.status()).isEqualTo(404);
    assertThat(nope.json().get("status").asInt()).isEqualTo(404);
    assertThat(nope.json().get("message").asText()).contains("/nope");
  }
}
