package io.buildindex.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.buildindex.config.BuildIndexConfig;
import io.buildindex.config.ConfigLoader;
import io.buildindex.tls.TestPki;
import io.buildindex.tls.Tls;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which outgoing clients {@code tls.client} turns to HTTPS: neighbors, remotes and a Kraken origin
 * (with the bearer token inside TLS), but not a registry, whose URL keeps its scheme.
 */
final class OutgoingTest {
  @TempDir Path dir;
  private final MockWebServer peer = new MockWebServer();
  private TestPki pki;

  @BeforeEach
  void pki() {
    pki = TestPki.create(dir, "test-ca");
  }

  @AfterEach
  void stop() throws IOException {
    peer.close();
  }

  @Test
  void remoteAndCluster_withTlsClient_tokenTravelsInsideTls() throws Exception {
    startPeer(true);
    Outgoing outgoing = outgoing("auth: {tokens: [{token: t, scopes: [read]}], client_token: peer-secret}\n");

    for (OkHttpClient client : new OkHttpClient[] {outgoing.remote(), outgoing.cluster()}) {
      try (Response r = get(client, "http://127.0.0.1:" + peer.getPort() + "/tags/a:b")) {
        assertThat(r.code()).isEqualTo(200);
      }
      RecordedRequest recorded = peer.takeRequest();
      assertThat(recorded.getHandshake()).as("over TLS").isNotNull();
      assertThat(recorded.getHeader("Authorization")).isEqualTo("Bearer peer-secret");
    }
  }

  @Test
  void blobs_krakenOrigin_goesOverHttps() throws Exception {
    startPeer(true);
    Outgoing outgoing = outgoing("origin: {hosts: {static: ['127.0.0.1:" + peer.getPort() + "']}}\n");

    try (Response r = get(outgoing.blobs(), "http://127.0.0.1:" + peer.getPort() + "/blobs/x/locations")) {
      assertThat(r.code()).isEqualTo(200);
    }
    assertThat(peer.takeRequest().getHandshake()).isNotNull();
  }

  @Test
  void blobs_registryOrigin_keepsTheUrlsScheme() throws Exception {
    startPeer(false);
    Outgoing outgoing = outgoing("origin: {registry: {url: 'http://127.0.0.1:" + peer.getPort() + "'}}\n");

    try (Response r = get(outgoing.blobs(), "http://127.0.0.1:" + peer.getPort() + "/v2/")) {
      assertThat(r.code()).isEqualTo(200);
    }
    RecordedRequest recorded = peer.takeRequest();
    assertThat(recorded.getHandshake()).as("plain, as the URL says").isNull();
    assertThat(recorded.getHeader("Authorization")).as("no cluster token to a registry").isNull();
  }

  private Outgoing outgoing(String moreYaml) {
    String yaml = moreYaml + pki.yaml(null, null, null, pki.issue("client", false));
    BuildIndexConfig config = ConfigLoader.parse(yaml);
    return Outgoing.create(config, Tls.load(config.tls(), Clock.systemUTC()));
  }

  private void startPeer(boolean https) throws IOException {
    if (https) {
      peer.useHttps(pki.context(pki.issue("peer", true)).getSocketFactory(), false);
    }
    peer.enqueue(new MockResponse().setBody("OK"));
    peer.enqueue(new MockResponse().setBody("OK"));
    peer.start(InetAddress.getLoopbackAddress(), 0);
  }

  private static Response get(OkHttpClient client, String url) throws IOException {
    return client.newCall(new Request.Builder().url(url).build()).execute();
  }
}
