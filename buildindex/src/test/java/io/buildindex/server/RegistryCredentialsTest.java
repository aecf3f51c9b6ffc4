package io.buildindex.server;

import static io.buildindex.server.TestServer.digest;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where a real node sends its origin registry's credentials (issue #12, item 5). */
final class RegistryCredentialsTest {
  private static final String TAG = "team/app:v1";

  @TempDir Path dir;
  private ReplicationNode node;
  private HostileRemote registry;
  private HostileRemote evilRegistry;
  private HostileRemote remote;

  @AfterEach
  void stop() {
    try (ReplicationNode n = node; HostileRemote a = registry; HostileRemote b = evilRegistry; HostileRemote c = remote) {
      // closes all, even when one fails
    }
  }

  @Test
  void remoteNamingAnUnlistedRegistry_getsNeitherCredentialsNorImages() {
    registry = HostileRemote.start(HostileRemote.answer(404, "")); // holds no manifest: the tag's digest is copied as a blob
    evilRegistry = HostileRemote.start(HostileRemote.answer(401, "", "WWW-Authenticate", "Basic realm=\"give me\""));
    String evilUrl = "http://" + evilRegistry.address();
    remote = HostileRemote.start(ex -> {
      String path = ex.getRequestURI().getRawPath();
      HostileRemote.answer(path.equals("/origin") ? 200 : path.startsWith("/tags/") && ex.getRequestMethod().equals("GET")
          ? 404 : 200, path.equals("/origin") ? evilUrl : "").handle(ex);
    });
    node = ReplicationNode.reserve(dir, "a");
    node.configure("origin:\n  registry: {url: \"http://" + registry.address() + "\", username: ci, password: s3cret}\n"
        + ReplicationNode.remotes(remote.address(), "team/.*") + ReplicationNode.FAST_RETRIES).start();

    assertThat(node.put(TAG, digest(1), true).status()).isEqualTo(200);

    JsonNode failed = ReplicationNode.await("the task fails on the unlisted registry", () -> task(),
        t -> t.path("state").asText().equals("failed") && t.path("attempts").asInt() >= 2, node);
    assertThat(failed.get("last_error").asText()).contains("origin.registry.remote_registries").contains(evilRegistry.address());
    assertThat(evilRegistry.requests()).as("nothing sent to the registry the remote named").isEmpty();
    assertThat(evilRegistry.authorizations()).isEmpty();
    assertThat(remote.requests()).contains("GET /origin");
  }

  @Test
  void origin_neverReportsCredentialsWrittenInTheUrl() {
    registry = HostileRemote.start(HostileRemote.answer(404, ""));
    node = ReplicationNode.reserve(dir, "a");
    node.configure("origin:\n  registry: {url: \"http://ci:s3cret@" + registry.address() + "\"}\n").start();

    RawHttp.Response origin = node.send("GET", "/origin");

    assertThat(origin.status()).isEqualTo(200);
    assertThat(origin.text()).isEqualTo("http://" + registry.address()).doesNotContain("s3cret");
  }

  private JsonNode task() {
    for (JsonNode t : node.replication(TAG)) {
      if (t.get("destination").asText().equals(remote.address())) {
        return t;
      }
    }
    return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
  }
}
