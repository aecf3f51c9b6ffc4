package io.buildindex.hashring;

import javax.net.ssl.SSLContext;
import javax.net.ssl.X509TrustManager;
import org.jspecify.annotations.Nullable;

/**
 * How a Consul agent at an {@code https://} address is called: the TLS context (trust, and the
 * client certificate it presents) and its trust manager. {@link #NONE}: the JDK's defaults.
 */
public record ConsulTls(@Nullable SSLContext context, @Nullable X509TrustManager trust) {
  /** The JDK's default trust, no client certificate. */
  public static final ConsulTls NONE = new ConsulTls(null, null);

  public ConsulTls {
    if ((context == null) != (trust == null)) {
      throw new IllegalArgumentException("give both a context and its trust manager, or neither");
    }
  }
}
