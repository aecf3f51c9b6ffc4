package io.buildindex.server;

import static io.buildindex.server.TestServer.digest;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.buildindex.server.RawHttp.Response;
import io.buildindex.tls.TestPki;
import java.nio.file.Path;
import javax.net.SocketFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real build-index processes, each listening on HTTPS only with {@code client_auth: require},
 * A replicating {@code team/} tags to B over mutual TLS. Their certificates name the service
 * ({@code build-index}), not the address they are dialed at: {@code tls.name} is what is verified.
 */
final class TlsReplicationTest {
  @TempDir Path dir;

  @Test
  void replication_overMutualTls_remoteHoldsTheTagAndGeneration() {
    TestPki pki = TestPki.create(dir.resolve("pki"), "test-ca");
    // The test itself is a caller too, and must present a certificate of the CA.
    SocketFactory driver = pki.context(pki.issue("driver", false)).getSocketFactory();
    try (ReplicationNode b = ReplicationNode.reserve(dir, "b"); ReplicationNode a = ReplicationNode.reserve(dir, "a")) {
      b.configure(tlsYaml(pki, "b")).clientSockets(driver);
      a.configure(b.asRemote("team/.*") + ReplicationNode.FAST_RETRIES + tlsYaml(pki, "a")).clientSockets(driver);
      ReplicationNode.startAll(a, b);

      Response put = a.put("team/app:tls", digest(1), true);

      assertThat(put.status()).isEqualTo(200);
      b.awaitDigest("team/app:tls", digest(1), a, b);
      assertThat(b.get("team/app:tls").header("X-Tag-Generation")).isEqualTo(put.header("X-Tag-Generation"));
      JsonNode task = a.awaitTask("team/app:tls", b, "done");
      assertThat(task.get("last_error").isNull()).as(task.toString()).isTrue();
    }
  }

  @Test
  void replication_remoteCertificateOfAnotherCa_taskFailsAndNothingArrives() {
    TestPki pki = TestPki.create(dir.resolve("pki"), "test-ca");
    TestPki other = TestPki.create(dir.resolve("other-pki"), "other-ca");
    TestPki.Issued driverIdentity = pki.issue("driver", false);
    SocketFactory driver = pki.context(driverIdentity).getSocketFactory();
    try (ReplicationNode b = ReplicationNode.reserve(dir, "b"); ReplicationNode a = ReplicationNode.reserve(dir, "a")) {
      // B trusts the test CA for its callers but presents a certificate A cannot trust.
      String bYaml = other.yaml("build-index", other.issue("b-server", false, "build-index"), "require", null)
          .replace("'" + other.caPem() + "'", "'" + pki.caPem() + "'");
      // The test trusts B's CA, and presents a certificate of the CA B trusts.
      b.configure(bYaml).clientSockets(other.context(driverIdentity).getSocketFactory());
      a.configure(b.asRemote("team/.*") + ReplicationNode.FAST_RETRIES + tlsYaml(pki, "a")).clientSockets(driver);
      ReplicationNode.startAll(a, b);

      assertThat(a.put("team/app:untrusted", digest(2), true).status()).isEqualTo(200);

      JsonNode task = ReplicationNode.await("A's task to B has failed an attempt",
          () -> a.task("team/app:untrusted", b), t -> t.path("attempts").asInt() > 0, a, b);
      assertThat(task.get("state").asText()).isNotEqualTo("done");
      assertThat(task.get("last_error").asText()).containsIgnoringCase("certificate");
      assertThat(b.get("team/app:untrusted").status()).isEqualTo(404);
    }
  }

  /** Node {@code node}'s tls section: its own server and client certificates, both named build-index. */
  private static String tlsYaml(TestPki pki, String node) {
    return pki.yaml("build-index", pki.issue(node + "-server", false, "build-index"), "require",
        pki.issue(node + "-client", false, "build-index"));
  }
}
