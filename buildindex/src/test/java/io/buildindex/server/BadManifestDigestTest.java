package io.buildindex.server;

import static io.buildindex.server.TestServer.digest;
import static org.assertj.core.api.Assertions.assertThat;

import io.buildindex.server.RawHttp.Response;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.stream.Stream;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A bad digest inside a manifest is the pushing client's problem (a 4xx naming the digest), never
 * a 500: the origin registry here is a stub that serves one manifest for every digest and has
 * every blob, so each case isolates one bad reference.
 */
final class BadManifestDigestTest {
  private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  private static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";

  @TempDir Path dir;
  private final MockWebServer registry = new MockWebServer();
  private TestServer server;

  @AfterEach
  void stop() throws IOException {
    if (server != null) {
      server.close();
    }
    registry.shutdown();
  }

  static Stream<Arguments> badReferences() {
    String good = digest(7);
    return Stream.of(
        Arguments.of("malformed config digest", OCI_MANIFEST, image("sha256:not-hex", good)),
        Arguments.of("short layer digest", OCI_MANIFEST, image(good, "sha256:abc")),
        Arguments.of("unknown algorithm", OCI_MANIFEST, image(good, "md5:" + "ab".repeat(16))),
        Arguments.of("sha512 layer (the tag API stores sha256 only)", OCI_MANIFEST, image(good, "sha512:" + "ab".repeat(64))),
        Arguments.of("no digest at all", OCI_MANIFEST,
            "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":{\"mediaType\":\"x\",\"size\":1},"
                + "\"layers\":[]}"),
        Arguments.of("malformed child of an index", OCI_INDEX,
            "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_INDEX + "\",\"manifests\":[{\"mediaType\":\"" + OCI_MANIFEST
                + "\",\"digest\":\"sha256:" + "zz".repeat(32) + "\",\"size\":1}]}"));
  }

  private static String image(String config, String layer) {
    return "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\","
        + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + config + "\",\"size\":1},"
        + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" + layer + "\",\"size\":1}]}";
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badReferences")
  void putDockerTag_manifestWithBadDigest_is4xxNamingIt(String name, String mediaType, String manifest) throws IOException {
    serve(mediaType, manifest);
    server = TestServer.start(dir, "tag_types:\n  - {namespace: \"team/.*\", type: docker}\n"
        + "origin:\n  registry: {url: \"http://127.0.0.1:" + registry.getPort() + "\"}\n");

    Response put = server.putTag("team/app:v1", digest(1));

    assertThat(put.status()).as(put.text()).isBetween(400, 499);
    assertThat(put.text()).contains("digest");
    assertThat(put.json().has("id")).as("a client error is not logged as a fault").isFalse();
    assertThat(server.getTag("team/app:v1").status()).isEqualTo(404);
  }

  private void serve(String mediaType, String manifest) throws IOException {
    registry.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        String path = request.getPath() == null ? "" : request.getPath();
        if (path.contains("/manifests/")) {
          return new MockResponse().setHeader("Content-Type", mediaType).setBody(manifest);
        }
        return new MockResponse(); // /v2/ and every blob: present
      }
    });
    registry.start(InetAddress.getLoopbackAddress(), 0);
  }
}
