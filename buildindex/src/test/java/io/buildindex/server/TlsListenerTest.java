package io.buildindex.server;

import static io.buildindex.server.TestServer.digest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.buildindex.config.ConfigException;
import io.buildindex.testing.Poll;
import io.buildindex.tls.TestPki;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code tls} section on a real listener: HTTPS only, client certificates as
 * {@code client_auth} says, certificates reloaded from rotated files, bad files refused at start.
 * Certificates come from a CA made at test time ({@link TestPki}).
 */
final class TlsListenerTest {
  /** Twice the reload interval and then some: the watcher re-reads the files every 2 s. */
  private static final Duration RELOAD_TIMEOUT = Duration.ofSeconds(30);

  @TempDir Path dir;
  private TestPki pki;

  @BeforeEach
  void pki() {
    pki = TestPki.create(dir.resolve("pki"), "test-ca");
  }

  @Test
  void tlsServer_answersHttps_refusesPlainHttp() throws IOException {
    TestPki.Issued server = pki.issue("server", true, "localhost");
    try (TestServer s = TestServer.start(dir, pki.yaml(null, server, null, null))) {
      try (Response r = call(client(null), "https://127.0.0.1:" + s.port() + "/tags/team%2Fapp:v1/digest/" + digest(1), "PUT")) {
        assertThat(r.code()).isEqualTo(200);
      }
      try (Response r = call(client(null), "https://127.0.0.1:" + s.port() + "/tags/team%2Fapp:v1", "GET")) {
        assertThat(r.code()).isEqualTo(200);
        assertThat(r.body().string()).isEqualTo(digest(1));
      }

      assertThatThrownBy(() -> call(new OkHttpClient(), "http://127.0.0.1:" + s.port() + "/health", "GET").close())
          .isInstanceOf(IOException.class);
    }
  }

  @Test
  void clientAuthRequire_callerWithoutCertificate_refusedAtHandshake() {
    TestPki.Issued server = pki.issue("server", true);
    try (TestServer s = TestServer.start(dir, pki.yaml(null, server, "require", null))) {
      assertThatThrownBy(() -> handshakeAndRead(pki.context(null), s.port()))
          .isInstanceOf(IOException.class);
      assertThatThrownBy(() -> call(client(null), "https://127.0.0.1:" + s.port() + "/health", "GET").close())
          .isInstanceOf(IOException.class);
    }
  }

  @Test
  void clientAuthRequire_certificateOfAnotherCa_refused() {
    TestPki.Issued server = pki.issue("server", true);
    TestPki.Issued stranger = TestPki.create(dir.resolve("other"), "other-ca").issue("stranger", true);
    try (TestServer s = TestServer.start(dir, pki.yaml(null, server, "require", null))) {
      assertThatThrownBy(() -> handshakeAndRead(pki.insistentContext(stranger), s.port()))
          .isInstanceOf(IOException.class);
    }
  }

  @Test
  void clientAuthRequire_certificateSignedByCas_accepted() throws IOException {
    TestPki.Issued server = pki.issue("server", true);
    TestPki.Issued caller = pki.issue("caller", false);
    try (TestServer s = TestServer.start(dir, pki.yaml(null, server, "require", null));
        Response r = call(client(caller), "https://127.0.0.1:" + s.port() + "/health", "GET")) {
      assertThat(r.code()).isEqualTo(200);
      assertThat(r.handshake().peerCertificates()).first()
          .isEqualTo(server.certificate());
    }
  }

  @Test
  void clientAuthRequest_certificateOfAnotherCa_refused() {
    TestPki.Issued server = pki.issue("server", true);
    TestPki.Issued stranger = TestPki.create(dir.resolve("other"), "other-ca").issue("stranger", true);
    try (TestServer s = TestServer.start(dir, pki.yaml(null, server, "request", null))) {
      assertThatThrownBy(() -> handshakeAndRead(pki.insistentContext(stranger), s.port()))
          .isInstanceOf(IOException.class);
    }
  }

  @Test
  void clientAuthRequest_callerWithoutCertificate_served() throws IOException {
    TestPki.Issued server = pki.issue("server", true);
    try (TestServer s = TestServer.start(dir, pki.yaml(null, server, "request", null));
        Response r = call(client(null), "https://127.0.0.1:" + s.port() + "/health", "GET")) {
      assertThat(r.code()).isEqualTo(200);
    }
  }

  @Test
  void rotation_filesReplaced_nextHandshakeShowsNewSerial() {
    TestPki.Issued first = pki.issue("server", true);
    try (TestServer s = TestServer.start(dir, pki.yaml(null, first, null, null))) {
      assertThat(serialOnHandshake(s.port())).isEqualTo(first.serial());

      TestPki.Issued second = pki.issue("server", true); // same files, new key and certificate

      assertThat(second.serial()).isNotEqualTo(first.serial());
      awaitSerial(s.port(), second.serial());
    }
  }

  @Test
  void encryptedKey_withPassphrase_served() throws IOException {
    TestPki.Issued server = pki.issue("server", "s3cret passphrase", true);
    Path passphrase = pki.file("passphrase", "s3cret passphrase\n");
    String yaml = pki.yaml(null, server, null, null).replace("}}\n", "}, passphrase: {path: '" + passphrase + "'}}\n");
    try (TestServer s = TestServer.start(dir, yaml);
        Response r = call(client(null), "https://127.0.0.1:" + s.port() + "/health", "GET")) {
      assertThat(r.code()).isEqualTo(200);
    }
  }

  @Test
  void start_encryptedKeyWithoutPassphrase_namesTheKey() {
    TestPki.Issued server = pki.issue("server", "s3cret", true);

    assertThatThrownBy(() -> TestServer.start(dir, pki.yaml(null, server, null, null)))
        .isInstanceOf(ConfigException.class)
        .hasMessage("tls.server.key.path: the key is encrypted: give its passphrase file");
  }

  @Test
  void start_wrongPassphrase_namesTheKey() {
    TestPki.Issued server = pki.issue("server", "s3cret", true);
    Path passphrase = pki.file("passphrase", "guess");
    String yaml = pki.yaml(null, server, null, null).replace("}}\n", "}, passphrase: {path: '" + passphrase + "'}}\n");

    assertThatThrownBy(() -> TestServer.start(dir, yaml))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("tls.server.key.path: cannot decrypt the key");
  }

  @Test
  void start_certificateFileNotPem_namesTheKey() throws IOException {
    TestPki.Issued server = pki.issue("server", true);
    Files.writeString(server.cert(), "not a certificate\n");

    assertThatThrownBy(() -> TestServer.start(dir, pki.yaml(null, server, null, null)))
        .isInstanceOf(ConfigException.class)
        .hasMessage("tls.server.cert.path: no PEM certificate (-----BEGIN CERTIFICATE-----) in the file");
  }

  @Test
  void start_keyOfAnotherCertificate_namesTheKey() throws IOException {
    TestPki.Issued server = pki.issue("server", true);
    Files.copy(pki.issue("other", true).key(), server.key(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);

    assertThatThrownBy(() -> TestServer.start(dir, pki.yaml(null, server, null, null)))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("tls.server.key.path: the key does not belong to the certificate");
  }

  @Test
  void start_casNotPem_namesTheKey() throws IOException {
    TestPki.Issued server = pki.issue("server", true);
    Files.writeString(pki.caPem(), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");

    assertThatThrownBy(() -> TestServer.start(dir, pki.yaml(null, server, null, null)))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("tls.cas[0].path: not a valid PEM certificate");
  }

  private void awaitSerial(int port, BigInteger serial) {
    Poll.value(RELOAD_TIMEOUT, "serial " + serial + " served", () -> serialOnHandshake(port), serial::equals, () -> "");
  }

  /** The serial of the certificate the listener presents on a new handshake (a fresh context: no resumed session). */
  private BigInteger serialOnHandshake(int port) {
    try (SSLSocket socket = (SSLSocket) pki.context(null).getSocketFactory().createSocket("127.0.0.1", port)) {
      socket.startHandshake();
      return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A TLS handshake and a request; throws the {@link IOException} of a refusal. With TLS 1.3 the
   * client's side of the handshake ends before the server has checked its certificate: the
   * server's alert then shows on the next read (SSLException), or as a write into the closed
   * connection (SocketException), depending on timing.
   */
  private static void handshakeAndRead(SSLContext context, int port) throws IOException {
    try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
      socket.startHandshake();
      socket.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes());
      socket.getOutputStream().flush();
      int read = socket.getInputStream().read();
      if (read < 0) {
        throw new IOException("closed without an answer");
      }
      throw new AssertionError("the server answered (first byte " + read + ") instead of refusing the handshake");
    }
  }

  private OkHttpClient client(TestPki.@Nullable Issued identity) {
    return new OkHttpClient.Builder()
        .sslSocketFactory(pki.context(identity).getSocketFactory(), pki.trustManager())
        .build();
  }

  private static Response call(OkHttpClient client, String url, String method) throws IOException {
    RequestBody body = method.equals("PUT") ? RequestBody.create(new byte[0]) : null;
    return client.newCall(new Request.Builder().url(url).method(method, body).build()).execute();
  }
}
