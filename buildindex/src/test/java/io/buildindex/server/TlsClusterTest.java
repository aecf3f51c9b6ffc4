package io.buildindex.server;

import static io.buildindex.server.TestServer.digest;
import static org.assertj.core.api.Assertions.assertThat;

import io.buildindex.server.RawHttp.Response;
import io.buildindex.tls.TestPki;
import java.nio.file.Path;
import javax.net.SocketFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three real nodes, each listening on HTTPS only with {@code client_auth: require}: a PUT to one
 * reaches the other owners before its 200 (DuplicatePut over mutual TLS), their health probes
 * pass, and a non-owner's read of the owners works too.
 */
final class TlsClusterTest {
  @TempDir Path dir;

  @Test
  void duplicatePut_overMutualTls_everyOwnerHoldsTheTag() {
    TestPki pki = TestPki.create(dir.resolve("pki"), "test-ca");
    SocketFactory driver = pki.context(pki.issue("driver", false)).getSocketFactory();
    try (ClusterNodes cluster = ClusterNodes.start(dir, "tls", 3, 0, driver, (i, ports, db) -> ClusterNode.yaml(
        ports.get(i), db, "cluster:\n"
            + "  hosts: {static: " + ClusterNodes.hostList(ports, 3) + "}\n"
            + "  max_replica: 3\n"
            + "  healthcheck: {fails: 3, passes: 1, timeout: 1s, interval: 1s}\n"
            + "  anti_entropy_interval: 1h\n"
            + pki.yaml("build-index", pki.issue("node-" + i + "-server", false, "build-index"), "require",
                pki.issue("node-" + i + "-client", false, "build-index"))))) {

      cluster.node(0).putTagOk("team/tls:v1", digest(7));

      for (ClusterNode node : cluster.nodes()) {
        Response local = node.getLocalTag("team/tls:v1");
        assertThat(local.status()).as("%s holds the tag", node).isEqualTo(200);
        assertThat(local.text()).isEqualTo(digest(7));
        assertThat(node.send("GET", "/readiness", java.util.Map.of()).text()).as("%s", node).doesNotContain("warning");
      }
    }
  }
}
