package io.buildindex.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.codahale.metrics.MetricRegistry;
import io.buildindex.config.OriginConfig.RegistryConfig;
import io.buildindex.tagstore.Digest;
import io.buildindex.testing.FakeClock;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Credentials;
import okhttp3.OkHttpClient;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Basic and bearer-token registry auth, against a MockWebServer playing registry and token server. */
final class RegistryAuthTest {
  private static final Digest BLOB = Digest.sha256("blob".getBytes(StandardCharsets.UTF_8));
  private static final String BASIC = Credentials.basic("ci", "s3cret");

  private final MockWebServer server = new MockWebServer();
  private final FakeClock clock = new FakeClock();
  private final AuthDispatcher dispatcher = new AuthDispatcher();
  private String url;

  @BeforeEach
  void start() throws IOException {
    server.setDispatcher(dispatcher);
    server.start(InetAddress.getByName("127.0.0.1"), 0);
    url = "http://127.0.0.1:" + server.getPort();
  }

  @AfterEach
  void stop() throws IOException {
    server.shutdown();
  }

  private RegistryOrigin origin(String username, String password) {
    return Origins.registry(new RegistryConfig(url, username, password), new OkHttpClient(),
        new MetricRegistry().meter("bytes"), clock);
  }

  @Test
  void bearer_challengeTokenRetry() {
    dispatcher.mode = "bearer";

    assertThat(origin("ci", "s3cret").exists("team/app", BLOB)).isTrue();

    assertThat(dispatcher.requests()).containsExactly(
        "HEAD /v2/team/app/blobs/" + BLOB + " auth=none",
        "GET /token?service=registry.test&scope=repository%3Ateam%2Fapp%3Apull auth=" + BASIC,
        "HEAD /v2/team/app/blobs/" + BLOB + " auth=Bearer token-1");
  }

  @Test
  void bearer_tokenCachedAndSentUpFront() {
    dispatcher.mode = "bearer";
    RegistryOrigin origin = origin("ci", "s3cret");
    origin.exists("team/app", BLOB);

    origin.exists("team/app", BLOB);

    assertThat(dispatcher.requests()).hasSize(4).last().isEqualTo("HEAD /v2/team/app/blobs/" + BLOB + " auth=Bearer token-1");
    assertThat(dispatcher.tokens.get()).isEqualTo(1);
  }

  @Test
  void bearer_tokenPerScope() {
    dispatcher.mode = "bearer";
    RegistryOrigin origin = origin("ci", "s3cret");
    origin.exists("team/app", BLOB);

    origin.exists("team/other", BLOB);

    assertThat(dispatcher.tokens.get()).isEqualTo(2);
    assertThat(dispatcher.requests()).last().isEqualTo("HEAD /v2/team/other/blobs/" + BLOB + " auth=Bearer token-2");
  }

  @Test
  void bearer_expiredTokenRenewedUpFront() {
    dispatcher.mode = "bearer";
    RegistryOrigin origin = origin("ci", "s3cret");
    origin.exists("team/app", BLOB);
    clock.advance(Duration.ofMinutes(10));

    origin.exists("team/app", BLOB);

    assertThat(dispatcher.requests()).hasSize(5).last().isEqualTo("HEAD /v2/team/app/blobs/" + BLOB + " auth=Bearer token-2");
  }

  @Test
  void bearer_anonymousTokenWithoutCredentials() {
    dispatcher.mode = "bearer";

    assertThat(origin("", "").exists("team/app", BLOB)).isTrue();

    assertThat(dispatcher.requests().get(1)).endsWith("auth=none").startsWith("GET /token");
  }

  @Test
  void bearer_tokenRefused() {
    dispatcher.mode = "bearer";
    dispatcher.refuseTokens = true;

    assertThatThrownBy(() -> origin("ci", "wrong").exists("team/app", BLOB))
        .isInstanceOf(OriginException.class).hasMessageContaining("token server").hasMessageContaining("401");
  }

  @Test
  void bearer_registryRejectsToken() {
    dispatcher.mode = "bearer";
    dispatcher.rejectAll = true;

    assertThatThrownBy(() -> origin("ci", "s3cret").exists("team/app", BLOB))
        .isInstanceOfSatisfying(OriginException.class, e -> assertThat(e.status()).isEqualTo(401))
        .hasMessageContaining("credentials refused");
  }

  @Test
  void basic_challengeThenSentUpFront() {
    dispatcher.mode = "basic";
    RegistryOrigin origin = origin("ci", "s3cret");

    assertThat(origin.exists("team/app", BLOB)).isTrue();
    assertThat(origin.exists("team/app", BLOB)).isTrue();

    assertThat(dispatcher.requests()).containsExactly(
        "HEAD /v2/team/app/blobs/" + BLOB + " auth=none",
        "HEAD /v2/team/app/blobs/" + BLOB + " auth=" + BASIC,
        "HEAD /v2/team/app/blobs/" + BLOB + " auth=" + BASIC);
  }

  @Test
  void basic_withoutCredentialsFails() {
    dispatcher.mode = "basic";

    assertThatThrownBy(() -> origin("", "").exists("team/app", BLOB))
        .isInstanceOfSatisfying(OriginException.class, e -> assertThat(e.status()).isEqualTo(401));
  }

  @Test
  void basic_challengeFromAnUntrustedHostIsNotAnswered() throws IOException {
    try (MockWebServer registry = new MockWebServer(); MockWebServer storage = new MockWebServer()) {
      storage.start(InetAddress.getByName("127.0.0.1"), 0);
      registry.start(InetAddress.getByName("127.0.0.1"), 0);
      registry.enqueue(new MockResponse().setResponseCode(307).setHeader("Location", storage.url("/blob")));
      storage.enqueue(new MockResponse().setResponseCode(401).setHeader("WWW-Authenticate", "Basic realm=\"storage\""));
      RegistryOrigin origin = Origins.registry(new RegistryConfig("http://127.0.0.1:" + registry.getPort(), "ci", "s3cret"),
          new OkHttpClient(), new MetricRegistry().meter("bytes"), clock);

      assertThatThrownBy(() -> origin.exists("team/app", BLOB))
          .isInstanceOfSatisfying(OriginException.class, e -> assertThat(e.status()).isEqualTo(401));

      assertThat(storage.getRequestCount()).as("the redirected HEAD, not answered with credentials").isEqualTo(1);
      assertThat(storage.takeRequest().getHeader("Authorization")).isNull();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void bearer_untrustedRealmGetsNoCredentials_aConfiguredOneDoes() throws Exception {
    try (MockWebServer registry = new MockWebServer(); MockWebServer tokens = new MockWebServer()) {
      tokens.start(InetAddress.getByName("127.0.0.1"), 0);
      registry.start(InetAddress.getByName("127.0.0.1"), 0);
      String challenge = "Bearer realm=\"" + tokens.url("/token") + "\",service=\"r\",scope=\"repository:team/app:pull\"";
      registry.enqueue(new MockResponse().setResponseCode(401).setHeader("WWW-Authenticate", challenge));
      String registryUrl = "http://127.0.0.1:" + registry.getPort();

      RegistryOrigin untrusting = Origins.registry(new RegistryConfig(registryUrl, "ci", "s3cret"), new OkHttpClient(),
          new MetricRegistry().meter("bytes"), clock);
      assertThatThrownBy(() -> untrusting.exists("team/app", BLOB)).isInstanceOf(OriginException.class)
          .hasMessageContaining("origin.registry.token_realms");
      assertThat(tokens.getRequestCount()).isZero();

      registry.enqueue(new MockResponse().setResponseCode(401).setHeader("WWW-Authenticate", challenge));
      tokens.enqueue(new MockResponse().setBody("{\"token\":\"t1\"}"));
      registry.enqueue(new MockResponse());
      RegistryOrigin trusting = Origins.registry(new RegistryConfig(registryUrl, "ci", "s3cret", null,
          java.util.List.of(tokens.url("/").toString())), new OkHttpClient(), new MetricRegistry().meter("bytes"), clock);
      assertThat(trusting.exists("team/app", BLOB)).isTrue();
      assertThat(tokens.takeRequest().getHeader("Authorization")).isEqualTo(BASIC);
    }
  }

  @Test
  void replicate_toARegistryNotInRemoteRegistriesIsRefusedUnsent() throws IOException {
    try (MockWebServer other = new MockWebServer()) {
      other.start(InetAddress.getByName("127.0.0.1"), 0);
      RegistryOrigin origin = origin("ci", "s3cret");

      assertThatThrownBy(() -> origin.replicate("team/app", "v1", BLOB, java.util.List.of(BLOB), other.url("/").toString()))
          .isInstanceOf(OriginException.class).hasMessageContaining("origin.registry.remote_registries");

      assertThat(other.getRequestCount()).isZero();
      assertThat(dispatcher.requests()).isEmpty();
    }
  }

  /** Protects /v2/ with Basic or Bearer; serves tokens at /token for Basic ci:s3cret (or anonymously). */
  private final class AuthDispatcher extends Dispatcher {
    volatile String mode = "open";
    volatile boolean refuseTokens;
    volatile boolean rejectAll;
    final AtomicInteger tokens = new AtomicInteger();
    private final List<String> requests = new ArrayList<>();

    synchronized List<String> requests() {
      return List.copyOf(requests);
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      String auth = request.getHeader("Authorization");
      synchronized (this) {
        requests.add(request.getMethod() + " " + request.getPath() + " auth=" + (auth == null ? "none" : auth));
      }
      if (request.getPath().startsWith("/token")) {
        return token(auth);
      }
      return registry(request, auth);
    }

    private MockResponse token(String auth) {
      if (refuseTokens || (auth != null && !auth.equals(BASIC))) {
        return new MockResponse().setResponseCode(401);
      }
      return new MockResponse().setBody("{\"token\":\"token-" + tokens.incrementAndGet() + "\",\"expires_in\":300}");
    }

    private MockResponse registry(RecordedRequest request, String auth) {
      boolean ok = switch (mode) {
        case "basic" -> BASIC.equals(auth);
        case "bearer" -> auth != null && auth.startsWith("Bearer token-");
        default -> true;
      };
      if (ok && !rejectAll) {
        return new MockResponse().setResponseCode(200);
      }
      String repository = request.getPath().replaceAll("^/v2/(.+)/blobs/.*$", "$1");
      String challenge = mode.equals("basic") ? "Basic realm=\"Registry Realm\""
          : "Bearer realm=\"" + url + "/token\",service=\"registry.test\",scope=\"repository:" + repository + ":pull\"";
      MockResponse response = new MockResponse().setResponseCode(401).setHeader("WWW-Authenticate", challenge);
      // MockWebServer would write a body even for HEAD, which the client does not read.
      return request.getMethod().equals("HEAD") ? response : response.setBody("{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}");
    }
  }
}
