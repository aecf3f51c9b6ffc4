package io.buildindex.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.buildindex.config.AuthConfig.Scope;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

final class ConfigLoaderTest {
  @TempDir Path dir;

  @Test
  void load_fullFile_readsEverySection() {
    BuildIndexConfig c = ConfigLoader.load(resource("full.yaml"));

    assertThat(c.tagserver().listener().addr()).isEqualTo(new HostPort("0.0.0.0", 16004));
    assertThat(c.tagserver().duplicatePutStagger()).isEqualTo(Duration.ofSeconds(90));
    assertThat(c.tagserver().duplicateReplicateStagger()).isEqualTo(Duration.ofMinutes(90));
    assertThat(c.tagserver().maxClockSkew()).isEqualTo(Duration.ofMinutes(1));
    assertThat(c.tagserver().listener().backlog()).isEqualTo(2048);
    assertThat(c.localdb().source()).isEqualTo(Path.of("/var/lib/build-index/index.db"));
    assertThat(c.tagstore().cacheMaximumSize()).isEqualTo(1000L);
    assertThat(c.tagTypes()).containsExactly(
        new TagTypeRule("library/.*", TagType.DOCKER), new TagTypeRule(".*", TagType.DEFAULT));
    assertThat(c.remotes()).containsExactly(
        Map.entry("dc2-build-index:15004", List.of("library/.*", "team/.*")),
        Map.entry("[::1]:15005", List.of(".*")));
    assertThat(c.notifications().replicate()).isTrue();
  }

  @Test
  void load_fullFile_readsAuth() {
    AuthConfig auth = ConfigLoader.load(resource("full.yaml")).auth();

    assertThat(auth).isNotNull();
    assertThat(auth.clientToken()).isEqualTo("client-secret");
    assertThat(auth.tokens()).containsExactly(
        new AuthConfig.TokenConfig("reader-secret", Set.of(Scope.READ)),
        new AuthConfig.TokenConfig("ci-secret", Set.of(Scope.READ, Scope.WRITE)),
        new AuthConfig.TokenConfig("peer-secret", Set.of(Scope.CLUSTER)));
  }

  @Test
  void load_fullFile_readsTagReplication() {
    TagReplicationConfig r = ConfigLoader.load(resource("full.yaml")).tagReplication();

    assertThat(r).isEqualTo(new TagReplicationConfig(Duration.ofSeconds(5), Duration.ofMinutes(2),
        Duration.ofMillis(250), 12, 3, 2, Duration.ofHours(24), 50, Duration.ofSeconds(2), Duration.ofSeconds(20),
        Duration.ofMinutes(30)).withLeaseDuration(Duration.ofSeconds(45)));
  }

  @Test
  void tagReplication_leaseDurationDefaultsTo30sAndHasAFloor() {
    assertThat(TagReplicationConfig.defaults().leaseDuration()).isEqualTo(Duration.ofSeconds(30));
    assertThatThrownBy(() -> TagReplicationConfig.defaults().withLeaseDuration(Duration.ofMillis(100)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("lease_duration").hasMessageContaining("300ms");
  }

  @Test
  void tagReplication_timeoutsDefaultShortAndMustBePositive() {
    TagReplicationConfig defaults = TagReplicationConfig.defaults();
    assertThat(defaults.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(defaults.readTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThatThrownBy(() -> new TagReplicationConfig(null, null, null, null, null, null, null, null, Duration.ZERO, null, null))
        .isInstanceOf(ConfigException.class).hasMessageContaining("connect_timeout");
  }

  @Test
  void load_fullFile_readsClusterAndOrigin() {
    BuildIndexConfig c = ConfigLoader.load(resource("full.yaml"));

    ClusterConfig cluster = c.cluster();
    assertThat(cluster).isNotNull();
    assertThat(cluster.hosts().staticHosts()).containsExactly(
        new HostPort("build-index-1", 15004), new HostPort("build-index-2", 15004));
    assertThat(cluster.hosts().dns()).isNull();
    assertThat(cluster.hosts().consul()).isNull();
    assertThat(cluster.hosts().ttl()).isEqualTo(Duration.ofSeconds(30));
    assertThat(cluster.maxReplica()).isEqualTo(2);
    assertThat(cluster.healthcheck()).isEqualTo(new ClusterConfig.HealthCheckConfig(
        5, 1, Duration.ofMillis(1500), Duration.ofSeconds(20)));
    assertThat(cluster.antiEntropyInterval()).isEqualTo(Duration.ofMinutes(10));
    OriginConfig origin = c.origin();
    assertThat(origin).isNotNull();
    assertThat(origin.hosts()).isNull();
    assertThat(origin.registry()).isEqualTo(
        new OriginConfig.RegistryConfig("https://registry.example.com", "puller", "registry-secret",
            List.of("https://registry.dc2.example.com:5000"), List.of("https://auth.example.com/token"),
            Duration.ofMinutes(5)));
  }

  @Test
  void load_dnsClusterAndConsulOrigin() {
    BuildIndexConfig c = ConfigLoader.load(resource("kraken-origin-cluster.yaml"));

    assertThat(c.cluster()).isNotNull();
    assertThat(c.cluster().hosts().dns()).isEqualTo("build-index.service:15004");
    assertThat(c.cluster().hosts().staticHosts()).isEmpty();
    assertThat(c.cluster().hosts().ttl()).isEqualTo(HostsConfig.DEFAULT_TTL);
    assertThat(c.cluster().maxReplica()).isEqualTo(ClusterConfig.DEFAULT_MAX_REPLICA);
    assertThat(c.cluster().healthcheck()).isEqualTo(ClusterConfig.HealthCheckConfig.defaults());
    assertThat(c.origin()).isNotNull();
    assertThat(c.origin().registry()).isNull();
    assertThat(c.origin().hosts()).isNotNull();
    assertThat(c.origin().hosts().consul())
        .isEqualTo(new HostsConfig.ConsulConfig("127.0.0.1:8500", "kraken-origin", "dc1", "consul-secret"));
  }

  @Test
  void load_emptyFile_defaults() {
    assertDefaults(ConfigLoader.load(resource("empty.yaml")));
  }

  @Test
  void load_commentsOnlyFile_defaults() {
    assertDefaults(ConfigLoader.load(resource("comments-only.yaml")));
  }

  @Test
  void parse_emptySections_defaults() {
    assertDefaults(ConfigLoader.parse("tagserver:\n  listener:\nlocaldb:\ntag_replication:\n"));
  }

  private static void assertDefaults(BuildIndexConfig c) {
    assertThat(c).isEqualTo(BuildIndexConfig.defaults());
    assertThat(c.tagserver().listener().addr()).isEqualTo(new HostPort("127.0.0.1", 15004));
    assertThat(c.tagserver().duplicatePutStagger()).isEqualTo(Duration.ofMinutes(20));
    assertThat(c.tagserver().duplicateReplicateStagger()).isEqualTo(Duration.ofMinutes(20));
    assertThat(c.tagserver().maxClockSkew()).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.tagserver().listener().backlog()).isEqualTo(1024);
    assertThat(c.localdb().source()).isEqualTo(Path.of("data", "index.db"));
    assertThat(c.tagstore().cacheMaximumSize()).isEqualTo(TagStoreConfig.DEFAULT_CACHE_MAXIMUM_SIZE);
    assertThat(c.tagTypes()).isEqualTo(TagTypeRule.DEFAULTS);
    assertThat(c.auth()).isNull();
    assertThat(c.remotes()).isEmpty();
    assertThat(c.tagReplication()).isEqualTo(TagReplicationConfig.defaults());
    assertThat(c.tagReplication().retryInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.tagReplication().maxAttempts()).isZero();
    assertThat(c.cluster()).isNull();
    assertThat(c.origin()).isNull();
    assertThat(c.notifications().replicate()).isFalse();
  }

  @Test
  void load_missingFile() {
    Path missing = dir.resolve("nope.yaml");

    assertThatThrownBy(() -> ConfigLoader.load(missing))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("not found")
        .hasMessageContaining(missing.toString())
        .satisfies(e -> assertThat(((ConfigException) e).key()).isEmpty());
  }

  static Stream<Arguments> badConfigs() {
    return Stream.of(
        Arguments.of("tagserver:\n  listenr:\n    addr: 127.0.0.1:1\n", "tagserver.listenr", "unknown key"),
        Arguments.of("tagserver:\n  max_clock_skew: -1s\n", "tagserver.max_clock_skew", "negative"),
        Arguments.of("tagserver:\n  listener:\n    backlog: 0\n", "tagserver.listener.backlog", ">= 1"),
        Arguments.of("bogus: 1\n", "bogus", "unknown key"),
        Arguments.of("tagserver:\n  listener:\n    addr: nocolon\n", "tagserver.listener.addr", "nocolon"),
        Arguments.of("tagserver:\n  listener:\n    addr: 'h:99999'\n", "tagserver.listener.addr", "99999"),
        Arguments.of("tagserver:\n  duplicate_put_stagger: 3x\n", "tagserver.duplicate_put_stagger", "3x"),
        Arguments.of("tagserver:\n  duplicate_put_stagger: 30\n", "tagserver.duplicate_put_stagger", "30"),
        Arguments.of("tagserver:\n  duplicate_put_stagger: -1s\n", "tagserver.duplicate_put_stagger", "negative"),
        Arguments.of("tagserver:\n  duplicate_put_stagger: 9999999999h\n", "tagserver.duplicate_put_stagger", "bad duration"),
        Arguments.of("tag_types:\n  - namespace: 'a('\n    type: docker\n", "tag_types[0].namespace", "a("),
        Arguments.of("tag_types:\n  - type: docker\n", "tag_types[0].namespace", "required"),
        Arguments.of("tag_types:\n  - namespace: x\n    type: rocket\n", "tag_types[0].type", "rocket"),
        Arguments.of("auth:\n  tokens:\n    - scopes: [read]\n", "auth.tokens[0].token", "required"),
        Arguments.of("auth:\n  tokens:\n    - token: t\n", "auth.tokens[0].scopes", "required"),
        Arguments.of("auth:\n  tokens:\n    - token: t\n      scopes: [reed]\n", "auth.tokens[0].scopes[0]", "reed"),
        Arguments.of("auth:\n  tokens: []\n", "auth.tokens", "at least one token"),
        Arguments.of("auth:\n", "auth", "token"),
        Arguments.of("remotes:\n  nohost: ['.*']\n", "remotes.nohost", "nohost"),
        Arguments.of("remotes:\n  'a:1': []\n", "remotes.a:1", "regex"),
        Arguments.of("remotes:\n  'a:1': ['(']\n", "remotes.a:1[0]", "bad regex"),
        Arguments.of("tag_replication:\n  retry_interval: 1m\n  max_retry_interval: 30s\n",
            "tag_replication.max_retry_interval", "retry_interval"),
        Arguments.of("tag_replication:\n  max_attempts: -1\n", "tag_replication.max_attempts", ">= 0"),
        Arguments.of("tag_replication:\n  num_workers: 0\n", "tag_replication.num_workers", ">= 1"),
        Arguments.of("tag_replication:\n  num_workers: x\n", "tag_replication.num_workers", "x"),
        Arguments.of("tag_replication:\n  poll_retries_interval: 0\n", "tag_replication.poll_retries_interval", "positive"),
        Arguments.of("tag_replication:\n  verification_interval: -1s\n", "tag_replication.verification_interval", "negative"),
        Arguments.of("origin:\n  registry:\n    url: 'http://r'\n    reconcile_interval: 5x\n",
            "origin.registry.reconcile_interval", "5x"),
        Arguments.of("tagstore:\n  cache_maximum_size: -1\n", "tagstore.cache_maximum_size", ">= 0"),
        Arguments.of("cluster:\n  max_replica: 2\n", "cluster.hosts", "required"),
        Arguments.of("cluster:\n  hosts:\n    static: ['a:1']\n    dns: 'b:2'\n", "cluster.hosts", "exactly one"),
        Arguments.of("cluster:\n  hosts: {}\n", "cluster.hosts", "exactly one"),
        Arguments.of("cluster:\n  hosts:\n    dns: nocolon\n", "cluster.hosts", "nocolon"),
        Arguments.of("cluster:\n  hosts:\n    static: ['a:1']\n  healthcheck:\n    fails: 0\n",
            "cluster.healthcheck.fails", ">= 1"),
        Arguments.of("cluster:\n  hosts:\n    consul:\n      address: 'c:8500'\n", "cluster.hosts.consul.service", "required"),
        Arguments.of("origin: {}\n", "origin", "exactly one"),
        Arguments.of("origin:\n  registry:\n    url: 'ftp://x'\n", "origin.registry.url", "ftp://x"),
        Arguments.of("localdb:\n  source: 5\n", "localdb.source", "Path"));
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @MethodSource("badConfigs")
  void parse_badValue_namesKey(String yaml, String key, String detail) {
    assertThatThrownBy(() -> ConfigLoader.parse(yaml))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(key + ": ")
        .hasMessageContaining(detail)
        .satisfies(e -> assertThat(((ConfigException) e).key()).isEqualTo(key));
  }

  @Test
  void parse_notYaml() {
    assertThatThrownBy(() -> ConfigLoader.parse("tagserver: [1, 2\n"))
        .isInstanceOf(ConfigException.class);
  }

  @Test
  void load_badFile_namesKey() throws Exception {
    Path file = dir.resolve("bad.yaml");
    java.nio.file.Files.writeString(file, "tagserver:\n  listener:\n    addr: 127.0.0.1:x\n");

    assertThatThrownBy(() -> ConfigLoader.load(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("tagserver.listener.addr: ");
  }

  @Test
  void toString_hidesSecrets() {
    String printed = ConfigLoader.load(resource("full.yaml")).toString()
        + ConfigLoader.load(resource("kraken-origin-cluster.yaml"));

    assertThat(printed).doesNotContain("secret");
  }

  @Test
  void withPort_keepsHostAndEverythingElse() {
    BuildIndexConfig c = ConfigLoader.load(resource("full.yaml"));

    BuildIndexConfig moved = c.withPort(0);

    assertThat(moved.tagserver().listener().addr()).isEqualTo(new HostPort("0.0.0.0", 0));
    assertThat(moved.tagserver().duplicatePutStagger()).isEqualTo(c.tagserver().duplicatePutStagger());
    assertThat(moved.localdb()).isEqualTo(c.localdb());
    assertThat(moved.auth()).isEqualTo(c.auth());
    assertThat(moved.cluster()).isEqualTo(c.cluster());
  }

  private static Path resource(String name) {
    try {
      return Path.of(ConfigLoaderTest.class.getResource("/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void registry_credentialsInTheUrlAreTakenOutOfIt() {
    OriginConfig.RegistryConfig r = new OriginConfig.RegistryConfig("https://ci:s%40cret@registry.example.com:5000/dc1/", null, null);

    assertThat(r.url()).isEqualTo("https://registry.example.com:5000/dc1");
    assertThat(r.username()).isEqualTo("ci");
    assertThat(r.password()).isEqualTo("s@cret");
    assertThat(r.toString()).doesNotContain("cret");
  }

  @Test
  void registry_remoteRegistriesAndTokenRealmsMustBeUrls() {
    assertThatThrownBy(() -> new OriginConfig.RegistryConfig("https://r.example.com", null, null,
        List.of("registry.dc2:5000"), null))
        .isInstanceOf(ConfigException.class).hasMessageContaining("remote_registries[0]");
    assertThatThrownBy(() -> new OriginConfig.RegistryConfig("https://r.example.com", null, null, null,
        List.of("https://u:p@auth.example.com/token")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("token_realms[0]").hasMessageContaining("credentials");
  }

}
