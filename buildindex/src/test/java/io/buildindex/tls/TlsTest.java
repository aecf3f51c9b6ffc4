package io.buildindex.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.buildindex.config.ConfigLoader;
import io.buildindex.config.TlsConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.nio.file.StandardCopyOption;
import javax.net.ssl.SSLPeerUnverifiedException;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Tls}'s outgoing clients against a TLS {@link MockWebServer} (HTTPS in place of the
 * callers' {@code http://}, {@code tls.name} verified, the client certificate presented) and its
 * reload decisions. The listener side is tested on a real server in the server package.
 */
final class TlsTest {
  @TempDir Path dir;
  private TestPki pki;
  private final MockWebServer peer = new MockWebServer();

  @BeforeEach
  void pki() {
    pki = TestPki.create(dir, "test-ca");
  }

  @Test
  void forPeers_httpUrl_goesOverHttpsPresentingTheClientCertificate() throws Exception {
    TestPki.Issued client = pki.issue("client", false);
    startPeer(pki.issue("peer", true), true);
    Tls tls = load(tls(pki.yaml(null, null, null, client)));

    try (Response r = call(tls, "http://127.0.0.1:" + peer.getPort() + "/health")) {
      assertThat(r.code()).isEqualTo(200);
      assertThat(r.request().url().isHttps()).isTrue();
    }
    RecordedRequest recorded = peer.takeRequest();
    assertThat(recorded.getHandshake()).isNotNull();
    assertThat(recorded.getHandshake().peerCertificates()).first().isEqualTo(client.certificate());
  }

  @Test
  void forPeers_withName_verifiesTheNameNotTheAddress() throws Exception {
    startPeer(pki.issue("peer", false, "build-index"), false); // no 127.0.0.1 in the certificate
    TestPki.Issued client = pki.issue("client", false);

    try (Response r = call(load(tls(pki.yaml("build-index", null, null, client))),
        "http://127.0.0.1:" + peer.getPort() + "/health")) {
      assertThat(r.code()).isEqualTo(200);
    }
    assertThatThrownBy(() -> call(load(tls(pki.yaml(null, null, null, client))),
        "http://127.0.0.1:" + peer.getPort() + "/health").close())
        .isInstanceOf(SSLPeerUnverifiedException.class);
    assertThatThrownBy(() -> call(load(tls(pki.yaml("other-name", null, null, client))),
        "http://127.0.0.1:" + peer.getPort() + "/health").close())
        .isInstanceOf(SSLPeerUnverifiedException.class);
  }

  @Test
  void forPeers_peerOfAnotherCa_refused() {
    startPeer(TestPki.create(dir.resolve("other"), "other-ca").issue("peer", true), false);
    Tls tls = load(tls(pki.yaml(null, null, null, pki.issue("client", false))));

    assertThatThrownBy(() -> call(tls, "http://127.0.0.1:" + peer.getPort() + "/health").close())
        .isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
  }

  @Test
  void forPeers_withoutClientSection_leavesTheClientPlain() {
    Tls tls = load(tls(pki.yaml(null, pki.issue("server", true), null, null)));

    OkHttpClient plain = new OkHttpClient();
    OkHttpClient client = tls.forPeers(plain.newBuilder()).build();
    assertThat(client.interceptors()).isEmpty();
    assertThat(client.sslSocketFactory()).isSameAs(plain.sslSocketFactory());
    assertThat(Tls.NONE.forPeers(plain.newBuilder()).build().interceptors()).isEmpty();
  }

  @Test
  void reloadIfChanged_onlyWhenTheFilesChangeAndAgree() throws IOException {
    TestPki.Issued server = pki.issue("server", true);
    Tls tls = load(tls(pki.yaml(null, server, null, null)));
    assertThat(tls.reloadIfChanged()).as("unchanged").isFalse();

    // Half a rotation: a new certificate beside the old key is not loaded.
    Files.copy(pki.issue("fresh", true).cert(), server.cert(), StandardCopyOption.REPLACE_EXISTING);
    assertThat(tls.reloadIfChanged()).as("certificate without its key").isFalse();
    assertThat(tls.reloadIfChanged()).as("still the same half rotation").isFalse();

    pki.issue("server", true);
    assertThat(tls.reloadIfChanged()).as("certificate and key agree").isTrue();
    assertThat(tls.reloadIfChanged()).as("nothing new").isFalse();
  }

  @Test
  void load_certificateNotValidNow_namesTheKey() {
    TlsConfig config = tls(pki.yaml(null, pki.issue("server", true), null, null));
    Clock inTwoDays = Clock.offset(Clock.systemUTC(), java.time.Duration.ofDays(2)); // TestPki's certificates last one day

    assertThatThrownBy(() -> Tls.load(config, inTwoDays))
        .isInstanceOf(io.buildindex.config.ConfigException.class)
        .hasMessageStartingWith("tls.server.cert.path: the certificate (CN=server) is valid from ")
        .hasMessageContaining("not now");
  }

  private void startPeer(TestPki.Issued identity, boolean requireClientAuth) {
    peer.useHttps(pki.context(identity).getSocketFactory(), false);
    if (requireClientAuth) {
      peer.requireClientAuth();
    }
    peer.enqueue(new MockResponse().setBody("OK"));
    try {
      peer.start(java.net.InetAddress.getLoopbackAddress(), 0);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @org.junit.jupiter.api.AfterEach
  void stopPeer() throws IOException {
    peer.close();
  }

  private static Tls load(TlsConfig config) {
    return Tls.load(config, Clock.systemUTC());
  }

  private static TlsConfig tls(String yaml) {
    return ConfigLoader.parse(yaml).tls();
  }

  private static Response call(Tls tls, String url) throws IOException {
    return tls.forPeers(new OkHttpClient.Builder()).build().newCall(new Request.Builder().url(url).build()).execute();
  }
}
