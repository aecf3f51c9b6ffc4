package io.buildindex.server;

import static io.buildindex.server.TestServer.digest;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A registry redelivering an old push event after the node restarted (issue #12, item 10). */
final class NotificationRedeliveryTest {
  private static final String TAG = "team/app:v1";
  private static final String EVENTS = "application/vnd.docker.distribution.events.v1+json";

  @TempDir Path dir;
  private ReplicationNode node;

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void oldEventRedeliveredAfterRestart_doesNotRollTheTagBack() {
    node = ReplicationNode.reserve(dir, "a").start();
    Instant first = Instant.now().minusSeconds(60);
    String oldPush = push("event-1", first, digest(1));
    String newPush = push("event-2", first.plusSeconds(30), digest(2));
    assertThat(notify(oldPush).status()).isEqualTo(200);
    assertThat(notify(newPush).status()).isEqualTo(200);
    assertThat(node.digestOf(TAG)).isEqualTo(digest(2));

    node.stop();
    node.start();
    assertThat(notify(oldPush).status()).as("the redelivery is acknowledged").isEqualTo(200);

    assertThat(node.digestOf(TAG)).as("the newer push stays").isEqualTo(digest(2));
    assertThat(node.history(TAG)).hasSize(2);
  }

  @Test
  void eventWithoutTimestamp_registersAsANewWrite() {
    node = ReplicationNode.reserve(dir, "a").start();
    assertThat(notify(push("event-1", Instant.now().minusSeconds(60), digest(1))).status()).isEqualTo(200);

    assertThat(notify(push("event-2", null, digest(2))).status()).isEqualTo(200);

    assertThat(node.digestOf(TAG)).isEqualTo(digest(2));
  }

  private RawHttp.Response notify(String event) {
    byte[] body = ("{\"events\":[" + event + "]}").getBytes(StandardCharsets.UTF_8);
    return new RawHttp(node.port()).send("POST", "/notifications", Map.of("Content-Type", EVENTS), body);
  }

  private static String push(String id, Instant at, String digest) {
    return "{\"id\":\"" + id + "\"," + (at == null ? "" : "\"timestamp\":\"" + at + "\",")
        + "\"action\":\"push\",\"target\":{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
        + "\"digest\":\"" + digest + "\",\"size\":10,\"repository\":\"team/app\",\"tag\":\"v1\"}}";
  }
}
