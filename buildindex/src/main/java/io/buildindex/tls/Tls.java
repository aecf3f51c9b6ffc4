package io.buildindex.tls;

import io.buildindex.config.ConfigException;
import io.buildindex.config.HostPort;
import io.buildindex.config.TlsConfig;
import io.buildindex.config.TlsConfig.ClientAuth;
import io.buildindex.hashring.ConsulTls;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import okhttp3.OkHttpClient;
import okhttp3.internal.tls.OkHostnameVerifier;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's TLS, built once from the {@code tls} section and shared by the listener and every
 * outgoing HTTP client: the listener's connector ({@link #connector}), clients for other
 * build-indexes and Kraken origins ({@link #forPeers}), for registries ({@link #forRegistries})
 * and for a Consul agent ({@link #forConsul}). {@link #NONE} (no {@code tls} section) leaves
 * everything plain HTTP.
 * Thread-safe.
 */
public final class Tls {
  /* Design: every SSLContext is built once over SwappableKeyManager/SwappableTrustManager, so a
   * reload only swaps what those delegate to: Jetty's connector and OkHttp's socket factories
   * keep their contexts, and the next handshake (new connections; pooled ones keep theirs) uses
   * the new certificate. The watcher re-reads the files every interval and compares a hash of
   * their contents (not modification times: a Kubernetes secret update swaps a symlink, a copy
   * may keep the time). A half-written rotation (the certificate replaced, the key not yet) does
   * not load (the pair check fails): the old material stays until the files agree again. The
   * same checks as at start-up apply, so a reload never installs what would not start a node.
   * Known limit: a client that resumes a TLS session (JSSE's session tickets) keeps the session's
   * certificates until it makes a full handshake; pooled connections likewise keep theirs. */

  private static final Logger log = LoggerFactory.getLogger(Tls.class);

  /** No {@code tls} section: plain HTTP in and out. */
  public static final Tls NONE = new Tls(null, Clock.systemUTC(), null, null, null);

  private final @Nullable TlsConfig config;
  private final Clock clock;
  private final @Nullable Contexts contexts;
  private final @Nullable Swappables swappables;
  private volatile @Nullable String loaded;
  private volatile @Nullable String lastFailed;
  private volatile @Nullable String lastReadProblem;

  private record Swappables(SwappableKeyManager serverKeys, SwappableKeyManager clientKeys,
      SwappableTrustManager peerTrust, SwappableTrustManager registryTrust) {
    void swap(TlsFiles.Managers m) {
      serverKeys.swap(m.serverKeys());
      clientKeys.swap(m.clientKeys());
      peerTrust.swap(m.peerTrust());
      registryTrust.swap(m.registryTrust());
    }
  }

  private record Contexts(SSLContext server, SSLContext peers, SSLContext registries) {}

  private Tls(@Nullable TlsConfig config, Clock clock, @Nullable Contexts contexts, @Nullable Swappables swappables,
      @Nullable String loaded) {
    this.config = config;
    this.clock = clock;
    this.contexts = contexts;
    this.swappables = swappables;
    this.loaded = loaded;
  }

  /**
   * Reads and checks every file of {@code config} ({@link #NONE} when it is null); throws
   * {@link ConfigException} naming the key of a file that is not what it should be, e.g.
   * {@code tls.server.key.path: the key does not belong to the certificate}. Certificates must be
   * valid at {@code clock}'s now, at start-up and at each reload.
   */
  public static Tls load(@Nullable TlsConfig config, Clock clock) {
    if (config == null) {
      return NONE;
    }
    TlsFiles files = TlsFiles.read(config);
    TlsFiles.Managers m = files.managers(clock.instant());
    log.info("TLS: {}", m.summary());
    Swappables s = new Swappables(new SwappableKeyManager(m.serverKeys()), new SwappableKeyManager(m.clientKeys()),
        new SwappableTrustManager(m.peerTrust()), new SwappableTrustManager(m.registryTrust()));
    Contexts contexts = new Contexts(context(s.serverKeys(), s.peerTrust()), context(s.clientKeys(), s.peerTrust()),
        context(s.clientKeys(), s.registryTrust()));
    return new Tls(config, clock, contexts, s, files.fingerprint());
  }

  /** Whether the listener speaks HTTPS (only). */
  public boolean serverEnabled() {
    return config != null && config.serverEnabled() != null;
  }

  /** Whether calls to other build-indexes and Kraken origins go over HTTPS. */
  public boolean clientEnabled() {
    return config != null && config.clientEnabled() != null;
  }

  /**
   * The listener: HTTPS only, on {@code listen}, with {@code http}'s settings, asking for client
   * certificates as {@code tls.server.client_auth} says.
   *
   * @throws IllegalStateException when {@link #serverEnabled()} is false
   */
  public ServerConnector connector(Server server, HttpConfiguration http, HostPort listen) {
    TlsConfig.ServerConfig serverConfig = config == null ? null : config.serverEnabled();
    if (serverConfig == null || contexts == null) {
      throw new IllegalStateException("tls.server is not configured");
    }
    SslContextFactory.Server ssl = new SslContextFactory.Server();
    ssl.setSslContext(contexts.server());
    ssl.setNeedClientAuth(serverConfig.clientAuth() == ClientAuth.REQUIRE);
    ssl.setWantClientAuth(serverConfig.clientAuth() == ClientAuth.REQUEST);
    HttpConfiguration https = new HttpConfiguration(http);
    // Callers dial addresses, the certificate names the service (tls.name): no SNI host check.
    https.addCustomizer(new SecureRequestCustomizer(false, false, -1, false));
    ServerConnector connector = new ServerConnector(server,
        new SslConnectionFactory(ssl, HttpVersion.HTTP_1_1.asString()), new HttpConnectionFactory(https));
    connector.setHost(listen.host().isEmpty() ? null : listen.host());
    connector.setPort(listen.port());
    return connector;
  }

  /**
   * {@code builder} for calls to other build-indexes (neighbors, remotes) and Kraken origins:
   * with {@code tls.client}, HTTPS trusting {@code tls.cas} (the JDK's CAs when there are none),
   * presenting {@code tls.client}'s certificate, verifying {@code tls.name} (when set, else the
   * URL's host); otherwise unchanged.
   */
  public OkHttpClient.Builder forPeers(OkHttpClient.Builder builder) {
    if (!clientEnabled() || contexts == null || swappables == null || config == null) {
      return builder;
    }
    String name = config.name();
    HostnameVerifier verifier = name.isEmpty() ? OkHostnameVerifier.INSTANCE
        : (host, session) -> OkHostnameVerifier.INSTANCE.verify(name, session);
    return builder.sslSocketFactory(contexts.peers().getSocketFactory(), swappables.peerTrust())
        .hostnameVerifier(verifier)
        // A peer's redirect must not take a call (and its body) back to plain HTTP.
        .followSslRedirects(false)
        .addInterceptor(new HttpsUpgrade());
  }

  /**
   * {@code builder} for calls to registries, which keep their own URLs (and scheme): their
   * certificates are checked against the JDK's CAs and {@code tls.cas}, by the URL's host.
   */
  public OkHttpClient.Builder forRegistries(OkHttpClient.Builder builder) {
    if (contexts == null || swappables == null) {
      return builder;
    }
    X509TrustManager trust = swappables.registryTrust();
    return builder.sslSocketFactory(contexts.registries().getSocketFactory(), trust);
  }

  /**
   * For a Consul agent at an {@code https://} address, as for registries: the JDK's CAs and
   * {@code tls.cas}, the URL's host, {@code tls.client}'s certificate presented when given.
   */
  public ConsulTls forConsul() {
    if (contexts == null || swappables == null) {
      return ConsulTls.NONE;
    }
    return new ConsulTls(contexts.registries(), swappables.registryTrust());
  }

  /** Checks the files every {@code interval} on {@code scheduler} and reloads them when they changed. */
  public void watch(ScheduledExecutorService scheduler, Duration interval) {
    if (config == null) {
      return;
    }
    long millis = interval.toMillis();
    scheduler.scheduleWithFixedDelay(this::reloadIfChanged, millis, millis, TimeUnit.MILLISECONDS);
  }

  /** Reloads when the files' contents changed since the last load; true when it did. Never throws. */
  boolean reloadIfChanged() {
    TlsConfig c = config;
    Swappables s = swappables;
    if (c == null || s == null) {
      return false;
    }
    try {
      TlsFiles files = TlsFiles.read(c);
      lastReadProblem = null;
      if (files.fingerprint().equals(loaded) || files.fingerprint().equals(lastFailed)) {
        return false;
      }
      TlsFiles.Managers managers;
      try {
        managers = files.managers(clock.instant());
      } catch (ConfigException e) {
        lastFailed = files.fingerprint(); // warned once per content, retried when the files change again
        log.warn("TLS files changed but were not reloaded (the previous certificates stay in use): {}", e.getMessage());
        return false;
      }
      s.swap(managers);
      loaded = files.fingerprint();
      log.info("TLS certificates reloaded: {}", managers.summary());
      return true;
    } catch (RuntimeException e) {
      String problem = e.getMessage();
      if (!Objects.equals(problem, lastReadProblem)) { // once per problem, not every interval
        lastReadProblem = problem;
        log.warn("checking the TLS files failed (the previous certificates stay in use): {}", e.toString());
      }
      return false;
    }
  }

  private static SSLContext context(KeyManager keys, TrustManager trust) {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(new KeyManager[] {keys}, new TrustManager[] {trust}, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK cannot make a TLS context: " + e, e);
    }
  }
}
