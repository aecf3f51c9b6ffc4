package io.buildindex.tagreplication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.buildindex.config.HostPort;
import io.buildindex.tagreplication.wire.NodeHeaders;
import io.buildindex.tagreplication.wire.TagGet.TagState;
import io.buildindex.tagreplication.wire.TagGet;
import io.buildindex.tagstore.Digest;
import io.buildindex.tagstore.Generation;
import io.buildindex.tagstore.Tag;
import io.buildindex.testing.FakeClock;
import java.io.IOException;
import java.time.Duration;
import okhttp3.OkHttpClient;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import okhttp3.mockwebserver.SocketPolicy;
import org.assertj.core.api.ThrowableAssert;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

final class RemoteClientTest {
  private static final Tag TAG = Tag.parse("team/app:v1");
  private static final Digest DIGEST = SqliteTaskQueueTest.D1;

  private final MockWebServer server = new MockWebServer();
  private final FakeClock clock = new FakeClock();
  private RemoteClient client;

  @BeforeEach
  void start() throws IOException {
    server.start(java.net.InetAddress.getLoopbackAddress(), 0);
    client = new RemoteClient(new HostPort("127.0.0.1", server.getPort()), new OkHttpClient(), Duration.ofMillis(500), clock);
  }

  @AfterEach
  void stop() throws IOException {
    server.shutdown();
  }

  @Test
  void get_found() throws InterruptedException {
    server.enqueue(new MockResponse().setBody(DIGEST + "\n").setHeader(NodeHeaders.GENERATION, "42"));
    assertThat(client.get(TAG)).isEqualTo(new TagState(DIGEST, new Generation(42)));
    RecordedRequest r = server.takeRequest();
    assertThat(r.getPath()).isEqualTo("/tags/team%2Fapp:v1");
  }

  @Test
  void get_tombstoneCarriesGeneration() {
    server.enqueue(new MockResponse().setResponseCode(404).setHeader(NodeHeaders.GENERATION, "7"));
    assertThat(client.get(TAG)).isEqualTo(new TagState(null, new Generation(7)));
  }

  @Test
  void get_absentWithoutGenerationIsZero() {
    server.enqueue(new MockResponse().setResponseCode(404));
    assertThat(client.get(TAG)).isEqualTo(new TagState(null, Generation.ZERO));
  }

  @Test
  void get_badDigestIsProtocolError() {
    server.enqueue(new MockResponse().setBody("not a digest"));
    assertFails(() -> client.get(TAG), FailureReason.PROTOCOL);
  }

  @Test
  void put_sendsGenerationAndReadsOutcome() throws InterruptedException {
    server.enqueue(new MockResponse().setHeader(NodeHeaders.OUTCOME, "superseded").setHeader(NodeHeaders.GENERATION, "99"));
    assertThat(client.put(TAG, DIGEST, new Generation(42))).isEqualTo(new RemoteClient.RemoteWrite(true, new Generation(99)));
    RecordedRequest r = server.takeRequest();
    assertThat(r.getMethod()).isEqualTo("PUT");
    assertThat(r.getPath()).isEqualTo("/tags/team%2Fapp:v1/digest/" + DIGEST + "?replicate=true");
    assertThat(r.getHeader(NodeHeaders.GENERATION)).isEqualTo("42");
  }

  @Test
  void put_withoutOutcomeHeaderIsApplied() {
    server.enqueue(new MockResponse());
    assertThat(client.put(TAG, DIGEST, new Generation(42)).superseded()).isFalse();
  }

  @Test
  void delete_sendsGeneration() throws InterruptedException {
    server.enqueue(new MockResponse().setResponseCode(204).setHeader(NodeHeaders.OUTCOME, "applied"));
    assertThat(client.delete(TAG, new Generation(5)).superseded()).isFalse();
    RecordedRequest r = server.takeRequest();
    assertThat(r.getMethod()).isEqualTo("DELETE");
    assertThat(r.getPath()).isEqualTo("/tags/team%2Fapp:v1?replicate=true");
    assertThat(r.getHeader(NodeHeaders.GENERATION)).isEqualTo("5");
  }

  @Test
  void writeBatch_sendsWritesAndReadsResultsInOrder() throws InterruptedException {
    server.enqueue(new MockResponse().setBody("{\"results\":[{\"outcome\":\"applied\",\"generation\":42},"
        + "{\"status\":400,\"error\":\"bad tag\"}]}"));
    var results = client.writeBatch(java.util.List.of(new WriteBatch.Write(TAG.toString(), DIGEST.toString(), 42L),
        new WriteBatch.Write("team/app:gone", null, 7L)));
    assertThat(results).contains(java.util.List.of(WriteBatch.Result.written("applied", 42), WriteBatch.Result.refused(400, "bad tag")));
    RecordedRequest r = server.takeRequest();
    assertThat(r.getMethod()).isEqualTo("POST");
    assertThat(r.getPath()).isEqualTo(WriteBatch.PATH);
    assertThat(r.getHeader("Content-Type")).startsWith("application/json");
    assertThat(r.getBody().readUtf8()).isEqualTo("{\"writes\":[{\"tag\":\"team/app:v1\",\"digest\":\"" + DIGEST
        + "\",\"generation\":42},{\"tag\":\"team/app:gone\",\"digest\":null,\"generation\":7}]}");
  }

  @Test
  void writeBatch_newerRemoteAddingFieldsIsUnderstood() {
    // A newer remote may add fields to the answer and to each result; an older sender ignores them (NodeJson).
    server.enqueue(new MockResponse().setBody("{\"results\":[{\"outcome\":\"applied\",\"generation\":5,"
        + "\"verified\":true}],\"took_ms\":3}"));

    assertThat(client.writeBatch(java.util.List.of(new WriteBatch.Write(TAG.toString(), DIGEST.toString(), 5L))))
        .contains(java.util.List.of(WriteBatch.Result.written("applied", 5)));
  }

  @Test
  void get_newerRemoteAddingHeadersIsUnderstood() {
    // What a newer node may add to GET /tags/{tag}: headers of its own, a content type, a trailing newline.
    server.enqueue(new MockResponse().setBody(DIGEST + "\n").setHeader(NodeHeaders.GENERATION, "42")
        .setHeader(NodeHeaders.OUTCOME, "applied").setHeader("X-Tag-Verified", "true")
        .setHeader("Content-Type", "text/plain; charset=utf-8"));

    assertThat(client.get(TAG)).isEqualTo(new TagState(DIGEST, new Generation(42)));
  }

  @Test
  void get_badGenerationIsProtocolError() {
    server.enqueue(new MockResponse().setBody(DIGEST.toString()).setHeader(NodeHeaders.GENERATION, "soon"));
    assertFails(() -> client.get(TAG), FailureReason.PROTOCOL).hasMessageContaining(NodeHeaders.GENERATION);
  }

  @Test
  void writeBatch_notServedMeansSingleRequestsUntilRecheck() {
    server.enqueue(new MockResponse().setResponseCode(404).setBody("no route"));
    assertThat(client.batchSupported()).isTrue();
    assertThat(client.writeBatch(java.util.List.of(new WriteBatch.Write(TAG.toString(), DIGEST.toString(), 1L)))).isEmpty();
    assertThat(client.batchSupported()).isFalse();
    clock.advance(RemoteClient.BATCH_RECHECK);
    assertThat(client.batchSupported()).isTrue();
  }

  @Test
  void writeBatch_405AlsoMeansNotServed() {
    server.enqueue(new MockResponse().setResponseCode(405));
    assertThat(client.writeBatch(java.util.List.of(new WriteBatch.Write(TAG.toString(), DIGEST.toString(), 1L)))).isEmpty();
    assertThat(client.batchSupported()).isFalse();
  }

  @Test
  void writeBatch_wrongNumberOfResultsIsProtocolError() {
    server.enqueue(new MockResponse().setBody("{\"results\":[]}"));
    assertFails(() -> client.writeBatch(java.util.List.of(new WriteBatch.Write(TAG.toString(), DIGEST.toString(), 1L))),
        FailureReason.PROTOCOL).hasMessageContaining("0 results for 1 writes");
  }

  @Test
  void writeBatch_malformedBodyIsProtocolError() {
    server.enqueue(new MockResponse().setBody("<html>proxy error</html>"));
    assertFails(() -> client.writeBatch(java.util.List.of(new WriteBatch.Write(TAG.toString(), DIGEST.toString(), 1L))),
        FailureReason.PROTOCOL);
    assertThat(client.batchSupported()).as("a bad answer is a failure, not a Kraken remote").isTrue();
  }

  @Test
  void writeBatch_5xxFailsTheBatch() {
    server.enqueue(new MockResponse().setResponseCode(502).setBody("bad gateway"));
    assertFails(() -> client.writeBatch(java.util.List.of(new WriteBatch.Write(TAG.toString(), DIGEST.toString(), 1L))),
        FailureReason.HTTP_5XX).hasMessageContaining("502");
    assertThat(client.batchSupported()).isTrue();
  }

  @Test
  void call_5xx() {
    server.enqueue(new MockResponse().setResponseCode(500).setBody("broken"));
    assertFails(() -> client.get(TAG), FailureReason.HTTP_5XX).hasMessageContaining("500").hasMessageContaining("broken");
  }

  @Test
  void call_503_isThrottled() {
    server.enqueue(new MockResponse().setResponseCode(503).setBody("overloaded"));
    assertFails(() -> client.get(TAG), FailureReason.THROTTLED).hasMessageContaining("503").hasMessageContaining("overloaded");
  }

  @Test
  void writeBatch_429_isThrottled() {
    server.enqueue(new MockResponse().setResponseCode(429).setBody("slow down"));
    assertFails(() -> client.writeBatch(java.util.List.of(new WriteBatch.Write(TAG.toString(), DIGEST.toString(), 1L))),
        FailureReason.THROTTLED).hasMessageContaining("429").hasMessageContaining("slow down");
  }

  @Test
  void call_4xx() {
    server.enqueue(new MockResponse().setResponseCode(401));
    assertFails(() -> client.put(TAG, DIGEST, Generation.ZERO), FailureReason.HTTP_4XX);
  }

  @Test
  void call_timeout() {
    server.enqueue(new MockResponse().setSocketPolicy(SocketPolicy.NO_RESPONSE));
    assertFails(() -> client.get(TAG), FailureReason.TIMEOUT);
  }

  @Test
  void call_connectionRefused() {
    RemoteClient closed = new RemoteClient(new HostPort("127.0.0.1", FakeRemote.closedPort()), new OkHttpClient(),
        Duration.ofSeconds(5), clock);
    assertFails(() -> closed.get(TAG), FailureReason.CONNECT).hasMessageContaining("127.0.0.1");
  }

  @Test
  void origin_cachedForTtl() {
    server.enqueue(new MockResponse().setBody("origin-a:15002\n"));
    server.enqueue(new MockResponse().setBody("origin-b:15002"));
    assertThat(client.origin()).isEqualTo("origin-a:15002");
    assertThat(client.origin()).isEqualTo("origin-a:15002");
    clock.advance(RemoteClient.ORIGIN_TTL);
    assertThat(client.origin()).isEqualTo("origin-b:15002");
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  @Test
  void origin_failureIsOriginReason() {
    server.enqueue(new MockResponse().setResponseCode(500));
    assertFails(client::origin, FailureReason.ORIGIN);
  }

  @Test
  void get_bodyLargerThanADigestFailsWithoutBufferingIt() {
    // 8 MiB chunked: the client must give up after reading the route's limit (1 KiB).
    server.enqueue(new MockResponse().setChunkedBody(new okio.Buffer().write(new byte[8 * 1024 * 1024]), 64 * 1024));
    assertFails(() -> client.get(TAG), FailureReason.PROTOCOL).hasMessageContaining("larger than " + TagGet.MAX_BODY);
  }

  @Test
  void origin_declaredLengthOverTheLimitFails() {
    server.enqueue(new MockResponse().setBody(new okio.Buffer().write(new byte[(int) RemoteClient.MAX_ORIGIN_BODY + 1])));
    assertFails(() -> client.origin(), FailureReason.ORIGIN).hasMessageContaining("larger than " + RemoteClient.MAX_ORIGIN_BODY);
  }

  @Test
  void redirects_areFailuresNotFollowed() throws InterruptedException {
    RemoteClient noRedirects = new RemoteClient(new HostPort("127.0.0.1", server.getPort()),
        Replications.remoteHttp(new OkHttpClient(), 1), Duration.ofMillis(500), clock);
    server.enqueue(new MockResponse().setResponseCode(307).setHeader("Location", server.url("/elsewhere")));
    server.enqueue(new MockResponse().setResponseCode(308).setHeader("Location", server.url("/elsewhere")));
    server.enqueue(new MockResponse().setHeader(NodeHeaders.OUTCOME, "applied")); // what a followed redirect would get

    assertFails(() -> noRedirects.put(TAG, DIGEST, new Generation(42)), FailureReason.PROTOCOL)
        .hasMessageContaining("answered 307").hasMessageContaining("not followed");
    assertFails(() -> noRedirects.writeBatch(java.util.List.of(new WriteBatch.Write(TAG.toString(), DIGEST.toString(), 1L))),
        FailureReason.PROTOCOL).hasMessageContaining("answered 308");
    assertThat(server.takeRequest().getPath()).startsWith("/tags/");
    assertThat(server.takeRequest().getPath()).isEqualTo(WriteBatch.PATH);
    assertThat(server.getRequestCount()).as("no request to the redirect's target").isEqualTo(2);
  }

  private static org.assertj.core.api.AbstractThrowableAssert<?, ? extends Throwable> assertFails(
      ThrowableAssert.ThrowingCallable call, FailureReason reason) {
    return assertThatThrownBy(call).isInstanceOfSatisfying(RemoteException.class, e -> assertThat(e.reason()).isEqualTo(reason));
  }
}
