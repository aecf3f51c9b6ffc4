package io.buildindex.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.buildindex.config.BuildIndexConfig;
import io.buildindex.config.ConfigException;
import io.buildindex.config.HostPort;
import io.buildindex.testing.ChildProcess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code Main}: arguments, configuration errors as exit code 2 naming the key, defaults. */
final class MainConfigTest {
  @TempDir Path dir;

  static Stream<Arguments> badConfigs() {
    return Stream.of(
        Arguments.of("tagserver:\n  listenr:\n    addr: 127.0.0.1:1\n", "tagserver.listenr"),
        Arguments.of("tagserver:\n  duplicate_put_stagger: 3x\n", "tagserver.duplicate_put_stagger"),
        Arguments.of("tag_types:\n  - namespace: 'library/(.*'\n    type: docker\n", "tag_types[0].namespace"),
        Arguments.of("auth:\n  tokens:\n    - scopes: [read]\n", "auth.tokens[0].token"),
        Arguments.of("remotes:\n  dc2-build-index: ['.*']\n", "remotes.dc2-build-index"),
        Arguments.of("cluster:\n  hosts:\n    static: ['a:15004']\n    dns: 'b:15004'\n", "cluster.hosts"));
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @MethodSource("badConfigs")
  void main_badConfig_exits2NamingKey(String yaml, String key) throws IOException {
    Path config = dir.resolve("bad.yaml");
    Files.writeString(config, yaml);

    Result r = run("--config", config.toString(), "--port", "0");

    assertThat(r.exit()).as(r.output()).isEqualTo(2);
    assertThat(r.output()).contains("build-index: " + key + ": ");
  }

  @Test
  void main_tlsCertificateNotPem_exits2NamingKey() throws IOException {
    Path cert = Files.writeString(dir.resolve("server.pem"), "not a certificate\n");
    Path key = Files.writeString(dir.resolve("server.key"), "not a key\n");
    Path config = Files.writeString(dir.resolve("tls.yaml"), "localdb: {source: '" + dir.resolve("index.db") + "'}\n"
        + "tls: {server: {cert: {path: '" + cert + "'}, key: {path: '" + key + "'}}}\n");

    Result r = run("--config", config.toString(), "--port", "0");

    assertThat(r.exit()).as(r.output()).isEqualTo(2);
    assertThat(r.output()).contains("build-index: tls.server.cert.path: no PEM certificate");
    assertThat(dir.resolve("index.db")).as("nothing opened before the check").doesNotExist();
  }

  @Test
  void main_missingConfigFile_exits2() {
    Result r = run("--config", dir.resolve("absent.yaml").toString());

    assertThat(r.exit()).as(r.output()).isEqualTo(2);
    assertThat(r.output()).contains("not found").contains("absent.yaml");
  }

  @Test
  void main_unknownArgument_exits2WithUsage() {
    Result r = run("--verbose");

    assertThat(r.exit()).as(r.output()).isEqualTo(2);
    assertThat(r.output()).contains("--verbose").contains("usage");
  }

  @Test
  void main_portInUse_exitsNonZeroSayingSo() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Path config = dir.resolve("c.yaml");
      Files.writeString(config, "localdb:\n  source: '" + dir.resolve("index.db").toString().replace("'", "''") + "'\n");

      Result r = run("--config", config.toString(), "--port", Integer.toString(taken.getLocalPort()));

      assertThat(r.exit()).as(r.output()).isNotZero();
      assertThat(r.output()).containsIgnoringCase("in use").contains(Integer.toString(taken.getLocalPort()));
    }
  }

  /** With no arguments: one open node on 127.0.0.1:15004 storing under ./data. */
  @Test
  void main_noArgs_listensOn15004() throws Exception {
    assumeTrue(portFree(15004), "127.0.0.1:15004 is in use");
    ChildProcess p = ServerProcess.main(dir, "server", java.util.List.of()).readyOnHttpGet(15004, "/readiness").build().launch();
    try {
      p.awaitReady();
      assertThat(dir.resolve("data").resolve("index.db")).exists();
    } finally {
      p.stop();
    }
  }

  @Test
  void parse_noArgs_defaults() {
    BuildIndexConfig c = Main.parse(new String[0]);

    assertThat(c.tagserver().listener().addr()).isEqualTo(new HostPort("127.0.0.1", 15004));
    assertThat(c.localdb().source()).isEqualTo(Path.of("data", "index.db"));
    assertThat(c.auth()).isNull();
    assertThat(c).isEqualTo(BuildIndexConfig.defaults());
  }

  @Test
  void parse_port_overridesDefault() {
    assertThat(Main.parse(new String[] {"--port", "0"}).tagserver().listener().addr()).isEqualTo(new HostPort("127.0.0.1", 0));
  }

  @Test
  void parse_configThenPort_keepsHostFromFile() throws IOException {
    Path config = dir.resolve("c.yaml");
    Files.writeString(config, "tagserver:\n  listener:\n    addr: 0.0.0.0:9999\n  duplicate_put_stagger: 1s\n");

    BuildIndexConfig c = Main.parse(new String[] {"--port", "1234", "--config", config.toString()});

    assertThat(c.tagserver().listener().addr()).isEqualTo(new HostPort("0.0.0.0", 1234));
    assertThat(c.tagserver().duplicatePutStagger()).isEqualTo(java.time.Duration.ofSeconds(1));
  }

  static Stream<Arguments> badArgs() {
    return Stream.of(
        Arguments.of(new String[] {"--port"}, "--port"),
        Arguments.of(new String[] {"--port", "http"}, "http"),
        Arguments.of(new String[] {"--port", "65536"}, "65536"),
        Arguments.of(new String[] {"--port", "-1"}, "-1"),
        Arguments.of(new String[] {"--config"}, "--config"),
        Arguments.of(new String[] {"--help"}, "usage"),
        Arguments.of(new String[] {"extra"}, "extra"));
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @MethodSource("badArgs")
  void parse_badArgs_namesProblem(String[] args, String named) {
    assertThatThrownBy(() -> Main.parse(args)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(named);
  }

  @Test
  void parse_badConfig_configException() throws IOException {
    Path config = dir.resolve("c.yaml");
    Files.writeString(config, "tagserver:\n  listenr: {}\n");

    assertThatThrownBy(() -> Main.parse(new String[] {"--config", config.toString()}))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("tagserver.listenr: ");
  }

  private record Result(int exit, String output) {}

  /** Runs Main in a child JVM (System.exit would end this one) and waits for it to exit. */
  private Result run(String... args) {
    ChildProcess p = ServerProcess.launch(dir, "main-" + System.nanoTime(), args);
    int exit = p.awaitExit(); // fails with the log unless it exits within ChildProcess.EXIT_TIMEOUT
    return new Result(exit, p.log());
  }

  private static boolean portFree(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return s.isBound();
    } catch (IOException e) {
      return false;
    }
  }
}
