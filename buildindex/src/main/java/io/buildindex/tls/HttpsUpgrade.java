package io.buildindex.tls;

import java.io.IOException;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Sends {@code http://} calls as {@code https://} to the same host and port, as Kraken's
 * {@code httputil.SendTLS} does: callers name peers by {@code host:port} and the client decides
 * the transport. Unlike Kraken there is no fallback to plain HTTP on a failed handshake, which
 * would let anyone on the path downgrade the call. Stateless.
 */
final class HttpsUpgrade implements Interceptor {
  @Override
  public Response intercept(Chain chain) throws IOException {
    Request request = chain.request();
    HttpUrl url = request.url();
    if (url.isHttps()) {
      return chain.proceed(request);
    }
    // The port is kept explicitly: changing the scheme alone would turn a default 80 into 443.
    HttpUrl https = url.newBuilder().scheme("https").port(url.port()).build();
    return chain.proceed(request.newBuilder().url(https).build());
  }
}
