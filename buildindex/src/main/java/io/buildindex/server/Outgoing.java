package io.buildindex.server;

import io.buildindex.config.BuildIndexConfig;
import io.buildindex.tls.Tls;
import java.time.Duration;
import okhttp3.OkHttpClient;

/**
 * The HTTP clients for calls this node makes: to its neighbors (short timeouts: they are in the
 * same datacenter and a client waits on them) and to remote build-indexes and origins. Both
 * present {@code auth.client_token} as a bearer token when configured. With {@code tls.client}
 * calls to neighbors, remotes and Kraken origins go over HTTPS ({@link Tls#forPeers}); registries
 * keep their URLs' scheme ({@link Tls#forRegistries}).
 */
record Outgoing(OkHttpClient cluster, OkHttpClient remote, OkHttpClient blobs) {
  /** Neighbors answer in milliseconds; a client's PUT waits for them, so give up quickly. */
  static final Duration NEIGHBOR_TIMEOUT = Duration.ofSeconds(5);
  /** Remote datacenters can be far. */
  static final Duration REMOTE_TIMEOUT = Duration.ofSeconds(30);
  /**
   * Between two reads of a blob copy: registries on slow storage take minutes to answer the final
   * PUT of a large layer. No call timeout: a multi-gigabyte layer legitimately takes long.
   */
  static final Duration BLOB_READ_TIMEOUT = Duration.ofMinutes(5);

  static Outgoing create(BuildIndexConfig config, Tls tls) {
    String token = config.auth() == null ? "" : config.auth().clientToken();
    OkHttpClient base = tls.forPeers(new OkHttpClient.Builder()
        // Neighbors and remotes answer, they do not redirect: following one would send the write
        // elsewhere (and our token to it, on the same host), and a redirected write is not done.
        .followRedirects(false)
        .followSslRedirects(false)
        .addInterceptor(chain -> token.isEmpty() ? chain.proceed(chain.request())
            : chain.proceed(chain.request().newBuilder().header("Authorization", "Bearer " + token).build())))
        .build();
    OkHttpClient.Builder blobs = new OkHttpClient.Builder();
    // A Kraken origin cluster is a peer (its certificates carry tls.name); a registry is not.
    boolean krakenOrigin = config.origin() != null && config.origin().hosts() != null;
    return new Outgoing(
        base.newBuilder().connectTimeout(NEIGHBOR_TIMEOUT).callTimeout(NEIGHBOR_TIMEOUT).build(),
        base.newBuilder().connectTimeout(Duration.ofSeconds(10)).readTimeout(REMOTE_TIMEOUT).callTimeout(REMOTE_TIMEOUT).build(),
        // Registries have their own credentials (origin.registry): not the cluster's token.
        (krakenOrigin ? tls.forPeers(blobs) : tls.forRegistries(blobs)).connectTimeout(Duration.ofSeconds(10))
            .readTimeout(BLOB_READ_TIMEOUT).writeTimeout(BLOB_READ_TIMEOUT).build());
  }
}
