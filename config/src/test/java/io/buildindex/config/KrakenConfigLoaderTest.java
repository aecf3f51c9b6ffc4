package io.buildindex.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Kraken build-index configs: extends, Kraken's spellings, Kraken-only keys, Kraken's auth, unix listeners. */
final class KrakenConfigLoaderTest {
  @TempDir Path dir;

  private LoadedConfig load(String yaml) throws IOException {
    Path file = dir.resolve("config.yaml");
    Files.writeString(file, yaml);
    return ConfigLoader.loadWithWarnings(file);
  }

  @Test
  void krakenOnlyKeys_ignoredAndNamedInOneWarning() throws IOException {
    LoadedConfig loaded = load("""
        zap: {level: info}
        metrics: {m3: {service: x}}
        nginx: {name: x}
        backends: [{namespace: .*, backend: {testfs: {addr: 'h:1'}}}]
        backend_manager: {}
        store: {cache_dir: /c}
        tag_store: {write_through: true}
        writeback: {retry_interval: 1s}
        tagserver: {cache: {ttl: 1s}}
        tag_replication: {incoming_buffer: 5, sync_retries: 2, retry_interval: 2s}
        origin: {hosts: {static: ['o:1']}, healthcheck: {filter: {fails: 1}}}
        """);

    assertThat(loaded.warnings()).containsExactly("ignored Kraken keys: zap, metrics, backends, backend_manager, "
        + "tag_store, store, writeback, nginx, tagserver.cache, tag_replication.incoming_buffer, "
        + "tag_replication.sync_retries, origin.healthcheck");
    assertThat(loaded.config().tagReplication().retryInterval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(loaded.config().origin().hosts().staticHosts()).containsExactly(new HostPort("o", 1));
  }

  @Test
  void ourConfig_noWarnings() throws IOException {
    assertThat(load("tag_replication: {num_workers: 3}\n").warnings()).isEmpty();
  }

  static Stream<Arguments> typos() {
    return Stream.of(
        Arguments.of("tag_replicaton: {retry_interval: 1s}\n", "tag_replicaton"),
        Arguments.of("ngnix: {}\n", "ngnix"),
        Arguments.of("tag_replication: {num_incoming_worker: 1}\n", "tag_replication.num_incoming_worker"),
        Arguments.of("tagserver: {cahce: {}}\n", "tagserver.cahce"),
        Arguments.of("cluster: {hosts: {static: ['a:1']}, healthcheck: {filter: {fial: 1}}}\n", "cluster.healthcheck.filter.fial"),
        Arguments.of("cluster: {hosts: {static: ['a:1']}, healthcheck: {monitor: {intervall: 1s}}}\n", "cluster.healthcheck.monitor.intervall"),
        Arguments.of("cluster: {hosts: {static: ['a:1']}, healthcheck: {filter: 3}}\n", "cluster.healthcheck.filter"),
        Arguments.of("tag_replication: {num_retry_workers: many}\n", "tag_replication.num_retry_workers"),
        Arguments.of("tagserver: {listener: {net: udp, addr: 'h:1'}}\n", "tagserver.listener.net"),
        Arguments.of("tagserver: {listener: {net: unix}}\n", "tagserver.listener.addr"),
        Arguments.of("tagserver: {listener: {addr: nocolon}}\n", "tagserver.listener.addr"),
        Arguments.of("tagserver: {listener: {socket: /s}}\n", "tagserver.listener.socket"),
        Arguments.of("auth: {tokens: [{token: t, scopes: [read]}], s3: {}}\n", "auth.s3"),
        Arguments.of("auth: {client_tokn: x, tokens: [{token: t, scopes: [read]}]}\n", "auth.client_tokn"));
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @MethodSource("typos")
  void neitherOursNorKrakens_namesTheFullKey(String yaml, String key) {
    assertThatThrownBy(() -> load(yaml))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(key + ": ")
        .satisfies(e -> assertThat(((ConfigException) e).key()).isEqualTo(key));
  }

  @Test
  void krakenHealthcheckSpelling_mapsOntoOurs() throws IOException {
    LoadedConfig loaded = load("""
        cluster:
          hosts: {static: ['a:1']}
          healthcheck:
            filter: {fails: 5, passes: 4, timeout: 2s}
            monitor: {interval: 7s}
        """);

    assertThat(loaded.config().cluster().healthcheck())
        .isEqualTo(new ClusterConfig.HealthCheckConfig(5, 4, Duration.ofSeconds(2), Duration.ofSeconds(7)));
    assertThat(loaded.warnings()).isEmpty();
  }

  @Test
  void bothHealthcheckSpellings_oursWinsKrakensIgnored() throws IOException {
    LoadedConfig loaded = load("""
        cluster:
          hosts: {static: ['a:1']}
          healthcheck: {fails: 6, filter: {fails: 5, passes: 4}, disabled: false}
        """);

    assertThat(loaded.config().cluster().healthcheck().fails()).isEqualTo(6);
    assertThat(loaded.config().cluster().healthcheck().passes()).isEqualTo(4);
    assertThat(loaded.warnings()).containsExactly("ignored Kraken keys: cluster.healthcheck.disabled, cluster.healthcheck.filter.fails");
  }

  @Test
  void krakenWorkerPools_sumToNumWorkers_zeroOrMissingMeansKrakensDefault() throws IOException {
    assertThat(load("tag_replication: {num_incoming_workers: 3, num_retry_workers: 1}\n").config().tagReplication().numWorkers())
        .isEqualTo(4);
    assertThat(load("tag_replication: {num_incoming_workers: 10}\n").config().tagReplication().numWorkers())
        .isEqualTo(10 + KrakenKeys.DEFAULT_RETRY_WORKERS);
    assertThat(load("tag_replication: {num_incoming_workers: 0, num_retry_workers: 0}\n").config().tagReplication().numWorkers())
        .isEqualTo(KrakenKeys.DEFAULT_INCOMING_WORKERS + KrakenKeys.DEFAULT_RETRY_WORKERS);
  }

  @Test
  void numWorkersAndKrakenPools_numWorkersWins() throws IOException {
    LoadedConfig loaded = load("tag_replication: {num_workers: 2, num_incoming_workers: 3, num_retry_workers: 1}\n");

    assertThat(loaded.config().tagReplication().numWorkers()).isEqualTo(2);
    assertThat(loaded.warnings()).containsExactly(
        "ignored Kraken keys: tag_replication.num_incoming_workers, tag_replication.num_retry_workers");
  }

  @Test
  void krakenAuth_backendCredentialsIgnoredWithWarning() throws IOException {
    LoadedConfig loaded = load("auth:\n  s3: {s3: {aws_secret_access_key: hush}}\n  gcs: {gcs: {access_blob: hush}}\n");

    assertThat(loaded.config().auth()).isNull();
    assertThat(loaded.warnings()).singleElement().asString()
        .contains("Kraken's backend credentials (s3, gcs)", "auth.tokens").doesNotContain("hush");
  }

  @Test
  void extends_loadsBaseRelativeToTheFileThenOverlays() throws IOException {
    Files.createDirectories(dir.resolve("conf"));
    Files.writeString(dir.resolve("conf/base.yaml"), """
        localdb: {source: /base.db}
        tagserver: {listener: {addr: '127.0.0.1:1'}, duplicate_put_stagger: 1s}
        tag_types: [{namespace: a, type: default}, {namespace: b, type: default}]
        zap: {level: info}
        """);
    Path file = dir.resolve("conf/prod.yaml");
    Files.writeString(file, """
        extends: base.yaml
        tagserver: {duplicate_put_stagger: 2s}
        tag_types: [{namespace: c, type: default}]
        """);

    LoadedConfig loaded = ConfigLoader.loadWithWarnings(file);

    assertThat(loaded.config().localdb().source()).isEqualTo(Path.of("/base.db"));
    assertThat(loaded.config().tagserver().listener().addr()).isEqualTo(new HostPort("127.0.0.1", 1));
    assertThat(loaded.config().tagserver().duplicatePutStagger()).isEqualTo(Duration.ofSeconds(2));
    assertThat(loaded.config().tagTypes()).containsExactly(new TagTypeRule("c", TagType.DEFAULT)); // lists are replaced
    assertThat(loaded.warnings()).containsExactly("ignored Kraken keys: zap");
  }

  @Test
  void extends_cycle_refused() throws IOException {
    Files.writeString(dir.resolve("a.yaml"), "extends: b.yaml\n");
    Files.writeString(dir.resolve("b.yaml"), "extends: a.yaml\n");

    assertThatThrownBy(() -> ConfigLoader.loadWithWarnings(dir.resolve("a.yaml")))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("extends: cycle: a.yaml -> b.yaml -> a.yaml");
  }

  @Test
  void extends_missingBase_refusedNamingIt() throws IOException {
    assertThatThrownBy(() -> load("extends: nope.yaml\n"))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("extends: ").hasMessageContaining("nope.yaml");
  }

  @Test
  void unixListener_socketAlone_thenPortAddsTcpOnEveryInterface() throws IOException {
    TagServerConfig tagserver = load("tagserver: {listener: {net: unix, addr: /run/bi.sock}}\n").config().tagserver();

    assertThat(tagserver.listener()).isEqualTo(new TagServerConfig.Listener(null, Path.of("/run/bi.sock"), null));
    assertThat(tagserver.withPort(80).listener())
        .isEqualTo(new TagServerConfig.Listener(new HostPort("0.0.0.0", 80), Path.of("/run/bi.sock"), null));
  }

  @Test
  void tcpListener_netTcpExplicit() throws IOException {
    assertThat(load("tagserver: {listener: {net: tcp, addr: 'h:5'}}\n").config().tagserver().listener())
        .isEqualTo(TagServerConfig.Listener.tcp(new HostPort("h", 5)));
  }
}
