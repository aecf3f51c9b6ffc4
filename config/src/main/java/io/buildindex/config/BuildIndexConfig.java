package io.buildindex.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A node's whole configuration, one component per YAML section. Adding a section is adding a
 * component here (and its record): the loader needs no change.
 */
public record BuildIndexConfig(
    TagServerConfig tagserver,
    LocalDbConfig localdb,
    TagStoreConfig tagstore,
    List<TagTypeRule> tagTypes,
    @Nullable AuthConfig auth,
    Map<String, List<String>> remotes,
    TagReplicationConfig tagReplication,
    @Nullable ClusterConfig cluster,
    @Nullable OriginConfig origin,
    NotificationsConfig notifications,
    @Nullable TlsConfig tls,
    LoggingConfig logging,
    @Nullable DatabaseConfig database) {

  public BuildIndexConfig {
    tagserver = Validate.orDefault(tagserver, TagServerConfig.defaults());
    localdb = Validate.orDefault(localdb, LocalDbConfig.defaults());
    tagstore = Validate.orDefault(tagstore, TagStoreConfig.defaults());
    tagTypes = List.copyOf(Validate.orDefault(tagTypes, TagTypeRule.DEFAULTS));
    remotes = validRemotes(Validate.orDefault(remotes, Map.of()));
    tagReplication = Validate.orDefault(tagReplication, TagReplicationConfig.defaults());
    notifications = Validate.orDefault(notifications, NotificationsConfig.defaults());
    logging = Validate.orDefault(logging, LoggingConfig.defaults());
    if (tls != null && tls.serverEnabled() != null && tls.clientEnabled() == null && cluster != null) {
      throw new ConfigException("tls.client", "is required when tls.server is set in a cluster (neighbors call each other over HTTPS)");
    }
    for (int i = 0; i < tagTypes.size(); i++) {
      if (tagTypes.get(i).type() == TagType.DOCKER && origin == null) {
        throw new ConfigException("tag_types[" + i + "].type", "docker needs an origin section (where manifests are read from)");
      }
    }
  }

  /** The embedded default: one open node on 127.0.0.1:15004 with data under {@code ./data}. */
  public static BuildIndexConfig defaults() {
    return new BuildIndexConfig(null, null, null, null, null, null, null, null, null, null, null, null, null);
  }

  public BuildIndexConfig withPort(int port) {
    return new BuildIndexConfig(tagserver.withPort(port), localdb, tagstore, tagTypes, auth, remotes,
        tagReplication, cluster, origin, notifications, tls, logging, database);
  }

  /** Shared mode: the PostgreSQL database that replaces {@code localdb}, when configured. */
  public DatabaseConfig.@Nullable PostgresConfig postgres() {
    return database == null ? null : database.postgres();
  }

  private static Map<String, List<String>> validRemotes(Map<String, List<String>> remotes) {
    Map<String, List<String>> copy = new LinkedHashMap<>();
    remotes.forEach((addr, regexes) -> {
      String key = "remotes." + addr;
      try {
        HostPort.parse(addr);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(key, e.getMessage());
      }
      if (regexes == null || regexes.isEmpty()) {
        throw new ConfigException(key, "needs at least one tag regex");
      }
      for (int i = 0; i < regexes.size(); i++) {
        Validate.regex(key + "[" + i + "]", Validate.required(key + "[" + i + "]", regexes.get(i)));
      }
      copy.put(addr, List.copyOf(regexes));
    });
    return java.util.Collections.unmodifiableMap(copy);
  }
}
