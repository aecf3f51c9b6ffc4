package io.buildindex.config;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The optional {@code origin} section: where this datacenter's blobs live, either an OCI
 * distribution registry or a Kraken origin cluster (exactly one).
 */
public record OriginConfig(@Nullable RegistryConfig registry, @Nullable HostsConfig hosts) {
  public OriginConfig {
    if ((registry == null) == (hosts == null)) {
      throw new ConfigException("", "set exactly one of registry, hosts");
    }
  }

  /**
   * {@code registry: {url, username, password, reconcile_interval}}; basic auth, or a bearer token
   * obtained with them. {@code reconcile_interval} is how often the registry's catalog is walked
   * for tags no notification announced (0 disables).
   */
  public record RegistryConfig(String url, String username, String password, Duration reconcileInterval) {
    /** Walking a large catalog costs the registry; ten minutes bounds how long a missed event stays missed. */
    public static final Duration DEFAULT_RECONCILE_INTERVAL = Duration.ofMinutes(10);

    /** With the default {@code reconcile_interval}. */
    public RegistryConfig(String url, String username, String password) {
      this(url, username, password, null);
    }

    public RegistryConfig {
      Validate.required("url", url);
      if (!url.startsWith("http://") && !url.startsWith("https://")) {
        throw new ConfigException("url", "want http:// or https://, got \"" + url + "\"");
      }
      url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
      username = Validate.orDefault(username, "");
      password = Validate.orDefault(password, "");
      reconcileInterval = Validate.nonNegative("reconcile_interval", Validate.orDefault(reconcileInterval, DEFAULT_RECONCILE_INTERVAL));
    }

    @Override
    public String toString() {
      return "RegistryConfig[url=" + url + ", username=" + username + ", password=***, reconcileInterval="
          + GoDurations.format(reconcileInterval) + "]";
    }
  }
}
