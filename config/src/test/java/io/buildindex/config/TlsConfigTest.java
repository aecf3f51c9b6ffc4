package io.buildindex.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.buildindex.config.TlsConfig.ClientAuth;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code tls} section: Kraken's shape, files checked at load, cross-key rules naming the key. */
final class TlsConfigTest {
  @TempDir Path dir;

  @BeforeEach
  void files() throws IOException {
    for (String name : new String[] {"ca.pem", "server.pem", "server.key", "client.pem", "client.key", "pass"}) {
      Files.writeString(dir.resolve(name), "x");
    }
  }

  @Test
  void parse_krakenShape_readsEveryKey() {
    TlsConfig tls = ConfigLoader.parse("""
        tls:
          name: build-index
          cas: [{path: %1$s/ca.pem}]
          server: {cert: {path: %1$s/server.pem}, key: {path: %1$s/server.key}, passphrase: {path: %1$s/pass},
                   client_auth: require}
          client: {disabled: false, cert: {path: %1$s/client.pem}, key: {path: %1$s/client.key}}
        """.formatted(dir)).tls();

    assertThat(tls).isNotNull();
    assertThat(tls.name()).isEqualTo("build-index");
    assertThat(tls.cas()).extracting(TlsConfig.FileRef::path).containsExactly(dir.resolve("ca.pem"));
    assertThat(tls.serverEnabled()).isNotNull();
    assertThat(tls.serverEnabled().clientAuth()).isEqualTo(ClientAuth.REQUIRE);
    assertThat(tls.serverEnabled().passphrase()).isEqualTo(new TlsConfig.FileRef(dir.resolve("pass")));
    assertThat(tls.clientEnabled()).isNotNull();
    assertThat(tls.clientEnabled().cert()).isEqualTo(new TlsConfig.FileRef(dir.resolve("client.pem")));
  }

  @Test
  void parse_noTlsSection_plainHttp() {
    assertThat(ConfigLoader.parse("tagstore: {cache_maximum_size: 5}").tls()).isNull();
  }

  @Test
  void parse_disabledParts_areNotEnabled() {
    TlsConfig tls = ConfigLoader.parse("tls: {server: {disabled: true}, client: {disabled: true}}").tls();

    assertThat(tls).isNotNull();
    assertThat(tls.serverEnabled()).isNull();
    assertThat(tls.clientEnabled()).isNull();
  }

  @Test
  void parse_clientAuthDefaultsToNone() {
    TlsConfig tls = ConfigLoader.parse("tls: {server: {cert: {path: %1$s/server.pem}, key: {path: %1$s/server.key}}}"
        .formatted(dir)).tls();

    assertThat(tls.serverEnabled().clientAuth()).isEqualTo(ClientAuth.NONE);
  }

  @Test
  void parse_missingFile_namesTheKey() {
    assertThatThrownBy(() -> ConfigLoader.parse(
        "tls: {server: {cert: {path: %1$s/absent.pem}, key: {path: %1$s/server.key}}}".formatted(dir)))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("tls.server.cert.path: no readable file at ")
        .hasMessageContaining("absent.pem");
    assertThatThrownBy(() -> ConfigLoader.parse("tls: {cas: [{path: %s/none.pem}]}".formatted(dir)))
        .hasMessageStartingWith("tls.cas[0].path: no readable file");
  }

  @Test
  void parse_serverWithoutKey_namesTheKey() {
    assertThatThrownBy(() -> ConfigLoader.parse("tls: {server: {cert: {path: %s/server.pem}}}".formatted(dir)))
        .isInstanceOf(ConfigException.class)
        .hasMessage("tls.server.key: is required (or set disabled: true)");
  }

  @Test
  void parse_clientCertWithoutKey_namesTheKey() {
    assertThatThrownBy(() -> ConfigLoader.parse("tls: {client: {cert: {path: %s/client.pem}}}".formatted(dir)))
        .hasMessage("tls.client.key: give both cert and key, or neither");
  }

  @Test
  void parse_requireWithoutCas_namesCas() {
    assertThatThrownBy(() -> ConfigLoader.parse(
        "tls: {server: {cert: {path: %1$s/server.pem}, key: {path: %1$s/server.key}, client_auth: require}}"
            .formatted(dir)))
        .hasMessage("tls.cas: is required when server.client_auth is require (client certificates are checked against it)");
  }

  @Test
  void parse_unknownClientAuth_namesTheKey() {
    assertThatThrownBy(() -> ConfigLoader.parse(
        "tls: {server: {cert: {path: %1$s/server.pem}, key: {path: %1$s/server.key}, client_auth: maybe}}"
            .formatted(dir)))
        .hasMessageStartingWith("tls.server.client_auth: unknown client_auth \"maybe\"");
  }

  @Test
  void parse_unknownKey_listsKrakenKeys() {
    assertThatThrownBy(() -> ConfigLoader.parse("tls: {server_name: x}"))
        .hasMessageStartingWith("tls.server_name: unknown key (known keys: cas, client, name, server)");
  }

  @Test
  void parse_tlsServerInClusterWithoutClient_namesTlsClient() {
    assertThatThrownBy(() -> ConfigLoader.parse("""
        cluster: {hosts: {static: ["127.0.0.1:1"]}}
        tls: {server: {cert: {path: %1$s/server.pem}, key: {path: %1$s/server.key}}}
        """.formatted(dir)))
        .hasMessageStartingWith("tls.client: is required when tls.server is set in a cluster");
  }
}
