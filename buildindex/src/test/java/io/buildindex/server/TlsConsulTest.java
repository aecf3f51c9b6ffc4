package io.buildindex.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.buildindex.hashring.testing.FakeConsul;
import io.buildindex.hashring.testing.FakeConsul.Instance;
import io.buildindex.testing.Poll;
import io.buildindex.tls.TestPki;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A Consul agent at an {@code https://} address is asked over TLS, trusting {@code tls.cas}. */
final class TlsConsulTest {
  private static final Duration REFRESHED = Duration.ofSeconds(30);

  @TempDir Path dir;

  @Test
  void consulOverHttps_membershipReadTrustingCas() {
    TestPki pki = TestPki.create(dir.resolve("pki"), "test-ca");
    try (FakeConsul consul = new FakeConsul("", pki.context(pki.issue("consul", true)))) {
      consul.register(Instance.of("build-index", "127.0.0.1", 15999));
      String yaml = "cluster:\n"
          + "  hosts:\n"
          + "    consul: {address: \"https://" + consul.address() + "\", service: build-index}\n"
          + "    ttl: 1s\n"
          + pki.yaml(null, null, null, pki.issue("client", false));
      try (TestServer server = TestServer.start(dir, yaml)) {
        Poll.until(REFRESHED, "a request that passed the TLS handshake", () -> !consul.requests().isEmpty());

        assertThat(consul.requests()).as("requests that passed the TLS handshake").isNotEmpty();
        assertThat(server.get("/readiness").text()).doesNotContain("membership");
      }
    }
  }

  @Test
  void consulOverHttps_certificateOfAnUntrustedCa_refused() {
    TestPki pki = TestPki.create(dir.resolve("pki"), "test-ca");
    try (FakeConsul consul = new FakeConsul("", pki.context(pki.issue("consul", true)))) {
      consul.register(Instance.of("build-index", "127.0.0.1", 15999));
      String yaml = "cluster:\n"
          + "  hosts:\n"
          + "    consul: {address: \"https://" + consul.address() + "\", service: build-index}\n"
          + "    ttl: 1s\n"
          + "tls: {client: {}}\n"; // no cas: the JDK's CAs, which do not include the test CA
      try (TestServer server = TestServer.start(dir, yaml)) {
        Poll.until(REFRESHED, "readiness warning about membership",
            () -> server.get("/readiness").text().contains("warning: membership (consul)"));

        assertThat(server.get("/readiness").text()).contains("warning: membership (consul)");
        assertThat(consul.requests()).isEmpty();
      }
    }
  }
}
