package io.buildindex.tagreplication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.buildindex.config.HostPort;
import io.buildindex.tagstore.Digest;
import io.buildindex.tagstore.Generation;
import io.buildindex.tagstore.Tag;
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
    server.enqueue(new MockResponse().setBody(DIGEST + "\n").setHeader(RemoteClient.GENERATION, "42"));
    assertThat(client.get(TAG)).isEqualTo(new RemoteClient.RemoteTag(DIGEST, new Generation(42)));
    RecordedRequest r = server.takeRequest();
    assertThat(r.getPath()).isEqualTo("/tags/team%2Fapp:v1");
  }

  @Test
  void get_tombstoneCarriesGeneration() {
    server.enqueue(new MockResponse().setResponseCode(404).setHeader(RemoteClient.GENERATION, "7"));
    assertThat(client.get(TAG)).isEqualTo(new RemoteClient.RemoteTag(null, new Generation(7)));
  }

  @Test
  void get_absentWithoutGenerationIsZero() {
    server.enqueue(new MockResponse().setResponseCode(404));
    assertThat(client.get(TAG)).isEqualTo(new RemoteClient.RemoteTag(null, Generation.ZERO));
  }

  @Test
  void get_badDigestIsProtocolError() {
    server.enqueue(new MockResponse().setBody("not a digest"));
    assertFails(() -> client.get(TAG), FailureReason.PROTOCOL);
  }

  @Test
  void put_sendsGenerationAndReadsOutcome() throws InterruptedException {
    server.enqueue(new MockResponse().setHeader(RemoteClient.OUTCOME, "superseded").setHeader(RemoteClient.GENERATION, "99"));
    assertThat(client.put(TAG, DIGEST, new Generation(42))).isEqualTo(new RemoteClient.RemoteWrite(true, new Generation(99)));
    RecordedRequest r = server.takeRequest();
    assertThat(r.getMethod()).isEqualTo("PUT");
    assertThat(r.getPath()).isEqualTo("/tags/team%2Fapp:v1/digest/" + DIGEST + "?replicate=true");
    assertThat(r.getHeader(RemoteClient.GENERATION)).isEqualTo("42");
  }

  @Test
  void put_withoutOutcomeHeaderIsApplied() {
    server.enqueue(new MockResponse());
    assertThat(client.put(TAG, DIGEST, new Generation(42)).superseded()).isFalse();
  }

  @Test
  void delete_sendsGeneration() throws InterruptedException {
    server.enqueue(new MockResponse().setResponseCode(204).setHeader(RemoteClient.OUTCOME, "applied"));
    assertThat(client.delete(TAG, new Generation(5)).superseded()).isFalse();
    RecordedRequest r = server.takeRequest();
    assertThat(r.getMethod()).isEqualTo("DELETE");
    assertThat(r.getPath()).isEqualTo("/tags/team%2Fapp:v1?replicate=true");
    assertThat(r.getHeader(RemoteClient.GENERATION)).isEqualTo("5");
  }

  @Test
  void call_5xx() {
    server.enqueue(new MockResponse().setResponseCode(503).setBody("overloaded"));
    assertFails(() -> client.get(TAG), FailureReason.HTTP_5XX).hasMessageContaining("503").hasMessageContaining("overloaded");
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

  private static org.assertj.core.api.AbstractThrowableAssert<?, ? extends Throwable> assertFails(
      ThrowableAssert.ThrowingCallable call, FailureReason reason) {
    return assertThatThrownBy(call).isInstanceOfSatisfying(RemoteException.class, e -> assertThat(e.reason()).isEqualTo(reason));
  }
}
