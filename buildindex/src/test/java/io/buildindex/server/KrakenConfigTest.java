package io.buildindex.server;

import static io.buildindex.server.TestServer.digest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.buildindex.server.RawHttp.Response;
import io.buildindex.testing.ChildProcess;
import io.buildindex.testing.FreePorts;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A Kraken build-index config file ({@code src/test/resources/kraken/}) starts a real server
 * process as it is, the way Kraken's Helm chart starts build-index ({@code --config=FILE
 * --port=N}): Kraken-only keys are named in one warning, the unix socket serves HTTP, and a key
 * that is neither ours nor Kraken's still stops start-up.
 */
final class KrakenConfigTest {
  @TempDir Path dir;

  @Test
  void krakenConfig_startsServingTcpAndUnixSocket_warnsOnceAboutIgnoredKeys() throws Exception {
    int port = FreePorts.one();
    // Kraken's cluster lists every member, this node included: a node missing from its own list
    // owns no tag and routes every write to the owners (here one that is down: a 503).
    Path config = copyKrakenConfig("", "'127.0.0.1:9', '127.0.0.1:" + port + "'");
    ChildProcess p = ServerProcess.main(dir, "server", java.util.List.of(), "--config=" + config, "--port=" + port)
        .readyOnHttpGet(port, "/readiness").build().launch();
    try {
      p.awaitReady();
      Path socket = dir.resolve("build-index.sock");

      String put = overSocket(socket, "PUT /tags/team%2Fapp:v1/digest/" + digest(7) + " HTTP/1.1\r\n"
          + "Host: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      String get = overSocket(socket, "GET /tags/team%2Fapp:v1 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
      Response overTcp = new RawHttp(port).send("GET", "/tags/team%2Fapp:v1", Map.of(), new byte[0]);

      assertThat(put).startsWith("HTTP/1.1 200");
      assertThat(get).startsWith("HTTP/1.1 200").endsWith("\r\n\r\n" + digest(7));
      assertThat(overTcp.status()).isEqualTo(200);
      assertThat(overTcp.text()).isEqualTo(digest(7));
      String output = p.log();
      assertThat(output.lines().filter(l -> l.contains("ignored Kraken keys: "))).singleElement()
          .satisfies(line -> assertThat(line).contains("WARN").contains("zap", "metrics", "backends", "backend_manager",
              "tag_store", "store", "writeback", "nginx", "tag_replication.incoming_buffer",
              "tag_replication.retry_buffer", "tag_replication.max_task_throughput", "origin.healthcheck"));
      assertThat(output).contains("auth holds Kraken's backend credentials (s3)").doesNotContain("test-only-key");
    } finally {
      p.stop();
    }
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', value = {
      "tag_replicaton: {retry_interval: 1s}                 | tag_replicaton",
      "tag_replication: {num_workerz: 2}                    | tag_replication.num_workerz",
      "cluster: {healthcheck: {filter: {fial: 2}}}          | cluster.healthcheck.filter.fial",
      "tagserver: {listener: {net: udp}}                    | tagserver.listener.net",
      "auth: {tokens: [{token: t, scopes: [read]}], client_tokn: {}} | auth.client_tokn"})
  void typo_stillExits2NamingTheKey(String typo, String key) throws IOException {
    Path config = copyKrakenConfig(typo + "\n");

    ChildProcess p = ServerProcess.launch(dir, "typo", "--config=" + config, "--port=" + FreePorts.one());

    assertThat(p.awaitExit()).as(p.log()).isEqualTo(2);
    assertThat(p.log()).contains("build-index: " + key + ": ");
  }

  @Test
  void parse_flagEqualsValueForms_asKrakensHelmChartPassesThem() throws IOException {
    Path config = dir.resolve("c.yaml");
    Files.writeString(config, "tagserver:\n  listener:\n    addr: 0.0.0.0:9999\n");

    io.buildindex.config.BuildIndexConfig c = Main.parse(new String[] {"--config=" + config, "--port=80"});

    assertThat(c.tagserver().listener().addr()).isEqualTo(new io.buildindex.config.HostPort("0.0.0.0", 80));
    assertThatThrownBy(() -> Main.parse(new String[] {"--port=http"})).hasMessageContaining("http");
    assertThatThrownBy(() -> Main.parse(new String[] {"--colour=red"})).hasMessageContaining("--colour=red");
  }

  /** What the resource config means once loaded: Kraken's spellings mapped onto ours, Kraken's auth set aside. */
  @Test
  void parse_krakenConfig_mapsKrakensSpellings() throws IOException {
    Path config = copyKrakenConfig("");

    io.buildindex.config.BuildIndexConfig c = Main.parse(new String[] {"--config=" + config, "--port=80"});

    assertThat(c.tagserver().listener().socket()).isEqualTo(Path.of("build-index.sock"));
    assertThat(c.tagserver().listener().addr()).isEqualTo(new io.buildindex.config.HostPort("0.0.0.0", 80));
    assertThat(c.tagserver().duplicatePutStagger()).isEqualTo(java.time.Duration.ofMillis(100));
    assertThat(c.localdb().source()).isEqualTo(Path.of("data", "index.db"));
    assertThat(c.cluster().healthcheck()).isEqualTo(new io.buildindex.config.ClusterConfig.HealthCheckConfig(
        4, 3, java.time.Duration.ofSeconds(2), java.time.Duration.ofSeconds(7)));
    assertThat(c.tagReplication().numWorkers()).isEqualTo(3 + 1);
    assertThat(c.tagReplication().retryInterval()).isEqualTo(java.time.Duration.ofMillis(100));
    assertThat(c.auth()).isNull();
    assertThat(c.origin().hosts().staticHosts()).containsExactly(new io.buildindex.config.HostPort("127.0.0.1", 9));
  }

  @Test
  void parse_unixSocketClusterMemberWithoutPort_refused() throws IOException {
    Path config = copyKrakenConfig("");

    assertThatThrownBy(() -> Main.parse(new String[] {"--config=" + config}))
        .isInstanceOf(io.buildindex.config.ConfigException.class)
        .hasMessageStartingWith("tagserver.listener: ").hasMessageContaining("--port");
  }

  /** The resource config (and its base) in this test's directory, with {@code extra} YAML appended. */
  private Path copyKrakenConfig(String extra) throws IOException {
    return copyKrakenConfig(extra, "'127.0.0.1:9'");
  }

  /** The resource, with {@code extra} laid over it and {@code members} as its static cluster list. */
  private Path copyKrakenConfig(String extra, String members) throws IOException {
    Files.copy(resource("kraken/base.yaml"), dir.resolve("base.yaml"));
    Path config = dir.resolve("build-index.yaml");
    // A later top-level key replaces an earlier one of the same name in YAML maps: drop the
    // resource's own section when the test brings its own.
    String yaml = Files.readString(resource("kraken/build-index.yaml"))
        .replace("static: ['127.0.0.1:9']", "static: [" + members + "]");
    if (!extra.isEmpty()) {
      yaml = withoutSection(yaml, extra.substring(0, extra.indexOf(':')));
    }
    Files.writeString(config, yaml + extra);
    return config;
  }

  private static String withoutSection(String yaml, String section) {
    StringBuilder out = new StringBuilder();
    boolean skipping = false;
    for (String line : yaml.split("\n", -1)) {
      if (!line.startsWith(" ") && !line.startsWith("#") && !line.isEmpty()) {
        skipping = line.startsWith(section + ":");
      }
      if (!skipping) {
        out.append(line).append('\n');
      }
    }
    return out.toString();
  }

  private static Path resource(String name) {
    try {
      return Path.of(KrakenConfigTest.class.getResource("/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new AssertionError(e);
    }
  }

  /** A raw HTTP/1.1 exchange over the unix socket: the request as given, the response up to EOF. */
  private static String overSocket(Path socket, String request) {
    try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
      channel.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.ISO_8859_1)));
      ByteArrayOutputStream response = new ByteArrayOutputStream();
      ByteBuffer buffer = ByteBuffer.allocate(8192);
      while (channel.read(buffer) >= 0) {
        response.write(buffer.array(), 0, buffer.position());
        buffer.clear();
      }
      return response.toString(StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw new UncheckedIOException("over " + socket, e);
    }
  }

}
