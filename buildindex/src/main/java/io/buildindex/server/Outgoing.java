package io.buildindex.server;

import io.buildindex.config.BuildIndexConfig;
import java.time.Duration;
import okhttp3.OkHttpClient;

/**
 * The HTTP clients for calls this node makes: to its neighbors (short timeouts: they are in the
 * same datacenter and a client waits on them) and to remote build-indexes and origins. Both
 * present {@code auth.client_token} as a bearer token when configured.
 */
record Outgoing(OkHttpClient cluster, OkHttpClient remote) {
  /** Neighbors answer in milliseconds; a client's PUT waits for them, so give up quickly. */
  static final Duration NEIGHBOR_TIMEOUT = Duration.ofSeconds(5);
  /** Remote datacenters can be far; blob copies go through other clients with their own timeouts. */
  static final Duration REMOTE_TIMEOUT = Duration.ofSeconds(30);

  static Outgoing create(BuildIndexConfig config) {
    String token = config.auth() == null ? "" : config.auth().clientToken();
    OkHttpClient base = new OkHttpClient.Builder()
        .addInterceptor(chain -> token.isEmpty() ? chain.proceed(chain.request())
            : chain.proceed(chain.request().newBuilder().header("Authorization", "Bearer " + token).build()))
        .build();
    return new Outgoing(
        base.newBuilder().connectTimeout(NEIGHBOR_TIMEOUT).callTimeout(NEIGHBOR_TIMEOUT).build(),
        base.newBuilder().connectTimeout(Duration.ofSeconds(10)).readTimeout(REMOTE_TIMEOUT).callTimeout(REMOTE_TIMEOUT).build());
  }
}
