package io.buildindex.config;

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

  /** {@code registry: {url, username, password}}; basic auth, or a bearer token obtained with them. */
  public record RegistryConfig(String url, String username, String password) {
    public RegistryConfig {
      Validate.required("url", url);
      if (!url.startsWith("http://") && !url.startsWith("https://")) {
        throw new ConfigException("url", "want http:// or https://, got \"" + url + "\"");
      }
      url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
      username = Validate.orDefault(username, "");
      password = Validate.orDefault(password, "");
    }

    @Override
    public String toString() {
      return "RegistryConfig[url=" + url + ", username=" + username + ", password=***]";
    }
  }
}
