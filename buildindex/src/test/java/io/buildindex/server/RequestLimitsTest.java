package io.buildindex.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.buildindex.server.RawHttp.Response;
import io.buildindex.testing.RunningServer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Request bodies on a real server process: a chunked body (no {@code Content-Length}) is held to
 * the same 1 MiB limit as a declared one, while it streams in, and broken chunked framing is a
 * 400; both with the JSON error body and no ERROR in the log.
 */
final class RequestLimitsTest {
  /** A valid digest, as a constant for the parameter lists. */
  private static final String D = "sha256:0000000000000000000000000000000000000000000000000000000000000001";
  /** Eight times the limit: buffered whole, as before, it would be accepted or fail to parse. */
  private static final long STREAMED_BYTES = 8L * 1024 * 1024;

  @RegisterExtension
  static final RunningServer<ServerProcess> server = RunningServer.perClass(dir -> ServerProcess.startWithYaml(dir, ""));

  @ParameterizedTest(name = "[{index}] POST/PUT {0}")
  @ValueSource(strings = {"/notifications", "/replication/writes", "/internal/duplicate/tags/team%2Fapp:c/digest/" + D,
      "/internal/duplicate/remotes/tags/team%2Fapp:c/digest/" + D})
  void chunkedBody_overTheLimit_413WhileStreaming(String path) {
    Response r = server.get().http().sendChunked(method(path), path, Map.of("Content-Type", "application/json"),
        (byte) ' ', STREAMED_BYTES, 64 * 1024);

    assertError(r, 413, "too large");
    assertThat(server.get().send("GET", "/health").status()).isEqualTo(200);
  }

  @Test
  void declaredBody_overTheLimit_413() {
    byte[] body = new byte[2 * 1024 * 1024];
    java.util.Arrays.fill(body, (byte) ' ');

    Response r = server.get().http().send("POST", "/notifications", Map.of("Content-Type", "application/json"), body);

    assertError(r, 413, "too large");
  }

  @Test
  void chunkedBody_underTheLimit_read() {
    String path = "/internal/duplicate/tags/team%2Fapp:small/digest/" + D;
    String request = "PUT " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        + "Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n"
        + "5\r\n{\"del\r\n6\r\nay\":0}\r\n0\r\n\r\n";

    Response r = server.get().http().sendRaw("PUT", request.getBytes(StandardCharsets.ISO_8859_1));

    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(server.get().send("GET", "/tags/team%2Fapp:small").text()).isEqualTo(D);
  }

  @Test
  void chunkedNotification_underTheLimit_registersTheTag() {
    String event = "{\"events\":[{\"id\":\"e1\",\"action\":\"push\",\"target\":{\"mediaType\":"
        + "\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + D + "\",\"size\":10,"
        + "\"repository\":\"team/app\",\"tag\":\"pushed\"}}]}";
    int half = event.length() / 2;
    String chunked = Integer.toHexString(half) + "\r\n" + event.substring(0, half) + "\r\n"
        + Integer.toHexString(event.length() - half) + "\r\n" + event.substring(half) + "\r\n0\r\n\r\n";
    String request = "POST /notifications HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        + "Transfer-Encoding: chunked\r\nContent-Type: application/vnd.docker.distribution.events.v2+json\r\n\r\n" + chunked;

    Response r = server.get().http().sendRaw("POST", request.getBytes(StandardCharsets.ISO_8859_1));

    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.json().get("registered").asInt()).isEqualTo(1);
    assertThat(server.get().send("GET", "/tags/team%2Fapp:pushed").text()).isEqualTo(D);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"zz\r\n{}\r\n0\r\n\r\n", "-1\r\n{}\r\n0\r\n\r\n", "2\r\n{}XX0\r\n\r\n"})
  void badChunkedFraming_400Json(String framing) {
    String path = "/internal/duplicate/tags/team%2Fapp:framing/digest/" + D;
    String request = "PUT " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        + "Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n" + framing;

    Response r = server.get().http().sendRaw("PUT", request.getBytes(StandardCharsets.ISO_8859_1));

    assertError(r, 400, "malformed|chunk|bad");
    assertThat(server.get().send("GET", "/tags/team%2Fapp:framing").status()).isEqualTo(404);
  }

  private static String method(String path) {
    return path.startsWith("/internal/duplicate/tags/") ? "PUT" : "POST";
  }

  private void assertError(Response r, int status, String message) {
    assertThat(r.status()).as(r.toString()).isEqualTo(status);
    assertThat(r.header("Content-Type")).as(r.toString()).startsWith("application/json");
    assertThat(r.json().get("status").asInt()).isEqualTo(status);
    assertThat(r.json().get("message").asText()).containsPattern("(?i)" + message);
    assertThat(server.get().log()).doesNotContain(" ERROR ");
  }
}
