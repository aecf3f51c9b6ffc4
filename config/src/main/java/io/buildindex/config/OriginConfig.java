package io.buildindex.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
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
   * {@code registry: {url, username, password, remote_registries, token_realms, reconcile_interval}};
   * basic auth, or a bearer token obtained with them. The credentials go only to {@code url}'s
   * registry, the registries of {@code remote_registries} (the other datacenters' origins this one
   * may copy blobs to: a remote build-index naming any other registry as its origin is refused) and
   * the token servers of {@code token_realms} (besides realms on those registries' own hosts).
   * Credentials written in {@code url} ({@code https://user:pass@host}) are taken out of it, so
   * the URL this node reports as its origin never carries them. {@code reconcile_interval} is how
   * often the registry's catalog is walked for tags no notification announced (0 disables).
   */
  public record RegistryConfig(String url, String username, String password, List<String> remoteRegistries,
      List<String> tokenRealms, Duration reconcileInterval) {
    /** Walking a large catalog costs the registry; ten minutes bounds how long a missed event stays missed. */
    public static final Duration DEFAULT_RECONCILE_INTERVAL = Duration.ofMinutes(10);

    public RegistryConfig {
      URI parsed = httpUrl("url", Validate.required("url", url));
      String userInfo = parsed.getRawUserInfo();
      if (userInfo != null) {
        int colon = userInfo.indexOf(':');
        String user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
        String pass = colon < 0 ? "" : decode(userInfo.substring(colon + 1));
        username = username == null || username.isEmpty() ? user : username;
        password = password == null || password.isEmpty() ? pass : password;
        url = withoutUserInfo(parsed);
      }
      url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
      username = Validate.orDefault(username, "");
      password = Validate.orDefault(password, "");
      remoteRegistries = urls("remote_registries", remoteRegistries);
      tokenRealms = urls("token_realms", tokenRealms);
      reconcileInterval = Validate.nonNegative("reconcile_interval", Validate.orDefault(reconcileInterval, DEFAULT_RECONCILE_INTERVAL));
    }

    /** A registry with no remote registries, no extra token realms and the default {@code reconcile_interval}. */
    public RegistryConfig(String url, @Nullable String username, @Nullable String password) {
      this(url, username, password, null, null, null);
    }

    /** With the default {@code reconcile_interval}. */
    public RegistryConfig(String url, @Nullable String username, @Nullable String password,
        @Nullable List<String> remoteRegistries, @Nullable List<String> tokenRealms) {
      this(url, username, password, remoteRegistries, tokenRealms, null);
    }

    private static List<String> urls(String key, @Nullable List<String> urls) {
      List<String> out = Validate.orDefault(urls, List.<String>of());
      for (int i = 0; i < out.size(); i++) {
        URI u = httpUrl(key + "[" + i + "]", out.get(i));
        if (u.getRawUserInfo() != null) {
          throw new ConfigException(key + "[" + i + "]", "must not carry credentials (use username/password)");
        }
      }
      return List.copyOf(out);
    }

    private static URI httpUrl(String key, @Nullable String url) {
      try {
        URI u = new URI(Validate.required(key, url));
        if (u.getHost() == null || !("http".equals(u.getScheme()) || "https".equals(u.getScheme()))) {
          throw new ConfigException(key, "want an http:// or https:// URL with a host, got \"" + url + "\"");
        }
        return u;
      } catch (URISyntaxException e) {
        throw new ConfigException(key, "want an http:// or https:// URL, got \"" + url + "\": " + e.getReason());
      }
    }

    private static String withoutUserInfo(URI u) {
      return u.getScheme() + "://" + u.getRawAuthority().substring(u.getRawAuthority().indexOf('@') + 1)
          + (u.getRawPath() == null ? "" : u.getRawPath());
    }

    private static String decode(String s) {
      return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
      return "RegistryConfig[url=" + url + ", username=" + username + ", password=***, remoteRegistries="
          + remoteRegistries + ", tokenRealms=" + tokenRealms + ", reconcileInterval="
          + GoDurations.format(reconcileInterval) + "]";
    }
  }
}
