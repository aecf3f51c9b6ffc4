package io.buildindex.docker;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

/**
 * One {@link RegistryClient} per registry URL, all authenticating with the same credentials and
 * sharing one connection pool and token cache. Thread-safe.
 */
final class RegistryClients {
  private final OkHttpClient http;
  private final Map<HttpUrl, RegistryClient> clients = new ConcurrentHashMap<>();

  RegistryClients(OkHttpClient http, String username, String password, Clock clock, TrustedHosts trusted) {
    RegistryAuth auth = new RegistryAuth(username, password, http, clock, trusted);
    this.http = http.newBuilder().addInterceptor(auth).authenticator(auth).build();
  }

  /** The client for the registry at {@code base} (scheme, host and port; any path is ignored). */
  RegistryClient forUrl(HttpUrl base) {
    HttpUrl root = base.newBuilder().encodedPath("/").query(null).fragment(null).build();
    return clients.computeIfAbsent(root, url -> new RegistryClient(url, http));
  }
}
