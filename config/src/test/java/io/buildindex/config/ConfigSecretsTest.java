package io.buildindex.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.buildindex.config.AuthConfig.Scope;
import io.buildindex.config.AuthConfig.TokenConfig;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ${NAME}} in values and the secrets' {@code *_file} twins. */
final class ConfigSecretsTest {
  @TempDir Path dir;
  private Map<String, String> env;

  @BeforeEach
  void secrets() throws IOException {
    Files.writeString(dir.resolve("client-token"), "client-secret\n");
    Files.writeString(dir.resolve("ci-token"), "ci-secret"); // no final newline, as Kubernetes writes it
    Files.writeString(dir.resolve("registry-password"), "p@ss: #word ${X}\r\n");
    Files.writeString(dir.resolve("consul-token"), "consul-secret\n");
    env = Map.of("SECRETS_DIR", dir.toString(), "REGISTRY_HOST", "registry.example.com:5000",
        "BUILDINDEX_READ_TOKEN", "read-secret", "LISTEN_ADDR", "0.0.0.0:16004");
  }

  @Test
  void load_fileWithVariablesAndSecretFiles_readsEverySecret() {
    BuildIndexConfig c = ConfigLoader.loadWithWarnings(resource("secrets.yaml"), env).config();

    assertThat(c.tagserver().listener().addr()).isEqualTo(new HostPort("0.0.0.0", 16004));
    assertThat(c.auth()).isNotNull();
    assertThat(c.auth().clientToken()).isEqualTo("client-secret");
    assertThat(c.auth().tokens()).containsExactly(
        new TokenConfig("read-secret", Set.of(Scope.READ)),
        new TokenConfig("ci-secret", Set.of(Scope.READ, Scope.WRITE)),
        new TokenConfig("literal-${NOT_A_VARIABLE}", Set.of(Scope.READ)));
    assertThat(c.origin()).isNotNull();
    assertThat(c.origin().registry().url()).isEqualTo("https://registry.example.com:5000");
    assertThat(c.origin().registry().password())
        .as("taken as it is but for the final line break: no substitution inside a secret")
        .isEqualTo("p@ss: #word ${X}");
    assertThat(c.cluster()).isNotNull();
    assertThat(c.cluster().hosts().consul().token()).isEqualTo("consul-secret");
  }

  @Test
  void parse_missingVariable_failsNamingKeyAndVariable() {
    assertThatThrownBy(() -> ConfigLoader.parse("auth:\n  tokens:\n    - token: ${BUILDINDEX_CI_TOKEN}\n      scopes: [write]\n", Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("auth.tokens[0].token: environment variable BUILDINDEX_CI_TOKEN is not set");
  }

  @Test
  void parse_variableInsideValue_substitutedInPlace() {
    BuildIndexConfig c = ConfigLoader.parse("localdb:\n  source: ${DATA}/index.db\ntagserver:\n  duplicate_put_stagger: ${STAGGER}\n",
        Map.of("DATA", "/var/lib/build-index", "STAGGER", "90s"));

    assertThat(c.localdb().source()).isEqualTo(Path.of("/var/lib/build-index/index.db"));
    assertThat(c.tagserver().duplicatePutStagger()).isEqualTo(java.time.Duration.ofSeconds(90));
  }

  @Test
  void parse_valueWithYamlSyntax_staysOneString() {
    AuthConfig auth = ConfigLoader.parse("auth:\n  client_token: ${T}\n  tokens: [{token: x, scopes: [read]}]\n",
        Map.of("T", "a: b\n# c")).auth();

    assertThat(auth).isNotNull();
    assertThat(auth.clientToken()).isEqualTo("a: b\n# c");
  }

  @Test
  void parse_badReference_failsNamingKey() {
    for (String bad : new String[] {"${}", "${UNCLOSED", "${1X}", "${A-B}"}) {
      assertThatThrownBy(() -> ConfigLoader.parse("localdb:\n  source: '" + bad + "'\n", Map.of("A", "a")))
          .as(bad).isInstanceOf(ConfigException.class)
          .hasMessageStartingWith("localdb.source: bad environment reference");
    }
  }

  @Test
  void parse_dollarWithoutBrace_untouched() {
    BuildIndexConfig c = ConfigLoader.parse("tag_types:\n  - namespace: 'team/.*$'\n", Map.of());

    assertThat(c.tagTypes().get(0).namespace()).isEqualTo("team/.*$");
  }

  @Test
  void parse_ignoredKrakenKey_notSubstituted() {
    LoadedConfig loaded = ConfigLoader.loadWithWarnings(write("zap:\n  level: ${KRAKEN_ONLY}\n"), Map.of());

    assertThat(loaded.warnings()).anyMatch(w -> w.contains("zap"));
  }

  @Test
  void load_variableInExtendedBase_substituted() throws IOException {
    Files.writeString(dir.resolve("base.yaml"), "localdb:\n  source: ${DATA}/index.db\n");
    Path overlay = Files.writeString(dir.resolve("overlay.yaml"), "extends: base.yaml\n");

    BuildIndexConfig c = ConfigLoader.loadWithWarnings(overlay, Map.of("DATA", "/data")).config();

    assertThat(c.localdb().source()).isEqualTo(Path.of("/data/index.db"));
  }

  @Test
  void parse_secretAndItsFileBothSet_failsNamingFileKey() {
    assertThatThrownBy(() -> ConfigLoader.parse("auth:\n  client_token: a\n  client_token_file: " + dir.resolve("ci-token")
        + "\n  tokens: [{token: x, scopes: [read]}]\n", Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("auth.client_token_file: set client_token or client_token_file, not both");
  }

  @Test
  void parse_secretFileMissing_failsNamingKeyAndFile() {
    Path absent = dir.resolve("absent");

    assertThatThrownBy(() -> ConfigLoader.parse("auth:\n  tokens:\n    - {token: x, scopes: [read]}\n    - token_file: " + absent
        + "\n      scopes: [read]\n", Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("auth.tokens[1].token_file: no such file " + absent);
  }

  @Test
  void parse_secretFileEmpty_fails() throws IOException {
    Path empty = Files.writeString(dir.resolve("empty"), "\n");

    assertThatThrownBy(() -> ConfigLoader.parse("origin:\n  registry:\n    url: https://r.example.com\n    password_file: "
        + empty + "\n", Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("origin.registry.password_file: file ").hasMessageEndingWith(" is empty");
  }

  @Test
  void parse_fileTwinOfNonSecret_unknownKey() {
    assertThatThrownBy(() -> ConfigLoader.parse("localdb:\n  source_file: x\n", Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("localdb.source_file: unknown key");
  }

  @Test
  void toString_secretReadFromFile_notPrinted() {
    BuildIndexConfig c = ConfigLoader.loadWithWarnings(resource("secrets.yaml"), env).config();

    assertThat(c.toString()).doesNotContain("client-secret", "ci-secret", "p@ss", "consul-secret", "read-secret");
  }

  private Path write(String yaml) {
    try {
      return Files.writeString(dir.resolve("c-" + System.nanoTime() + ".yaml"), yaml);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Path resource(String name) {
    try {
      return Path.of(ConfigSecretsTest.class.getClassLoader().getResource(name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
