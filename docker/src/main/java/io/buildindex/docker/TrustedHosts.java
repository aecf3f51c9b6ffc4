package io.buildindex.docker;

import io.buildindex.config.OriginConfig;
import java.util.HashSet;
import java.util.Set;
import okhttp3.HttpUrl;

/**
 * Where the origin's registry credentials may go: the registries named in the configuration
 * ({@code origin.registry.url} and {@code remote_registries}) and the token servers
 * ({@code token_realms}, plus realms on those registries' own hosts). Hosts are compared as
 * scheme, host and port. Immutable.
 *
 * <p>Design: registries and token servers decide where a client goes next (a remote build-index
 * names its origin, a 401 names a token realm, a redirect names a storage host), so without this
 * check whoever answers can collect the credentials. Only configuration may widen the set.
 */
record TrustedHosts(Set<String> registries, Set<String> realms) {
  TrustedHosts {
    registries = Set.copyOf(registries);
    realms = Set.copyOf(realms);
  }

  static TrustedHosts of(OriginConfig.RegistryConfig config) {
    Set<String> registries = new HashSet<>();
    registries.add(key(HttpUrl.get(config.url())));
    config.remoteRegistries().forEach(u -> registries.add(key(HttpUrl.get(u))));
    Set<String> realms = new HashSet<>(registries);
    config.tokenRealms().forEach(u -> realms.add(key(HttpUrl.get(u))));
    return new TrustedHosts(registries, realms);
  }

  /** Whether {@code url} is one of the configured registries. */
  boolean registry(HttpUrl url) {
    return registries.contains(key(url));
  }

  /** Whether basic credentials may be sent to the token server at {@code url}. */
  boolean realm(HttpUrl url) {
    return realms.contains(key(url));
  }

  static String key(HttpUrl url) {
    return url.scheme() + "://" + url.host() + ":" + url.port();
  }
}
