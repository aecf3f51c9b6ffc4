package io.buildindex.server;

import com.codahale.metrics.MetricRegistry;
import io.buildindex.config.BuildIndexConfig;
import io.buildindex.tagstore.HybridLogicalClock;
import io.buildindex.tagstore.LocalDb;
import io.buildindex.tagstore.TagStore;
import io.buildindex.tagstore.TagStores;
import io.javalin.Javalin;
import java.time.Clock;
import org.eclipse.jetty.http.UriCompliance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running build-index node: the composition root that builds every module from the config
 * and serves the HTTP API. {@link #close()} stops accepting, lets in-flight requests finish,
 * then closes the store. Thread-safe.
 */
public final class BuildIndexApp implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BuildIndexApp.class);
  /** Bodies are small JSON documents; anything bigger is a mistake or an attack. */
  static final long MAX_REQUEST_BYTES = 1024 * 1024;
  /** How long shutdown waits for in-flight requests. */
  private static final long STOP_TIMEOUT_MILLIS = 10_000;

  private final BuildIndexConfig config;
  private final LocalDb db;
  private final TagStore store;
  private final Javalin http;

  private BuildIndexApp(BuildIndexConfig config, LocalDb db, TagStore store, Javalin http) {
    this.config = config;
    this.db = db;
    this.store = store;
    this.http = http;
  }

  /** Opens the store, starts serving, and returns once the port is bound. */
  public static BuildIndexApp start(BuildIndexConfig config) {
    Clock clock = Clock.systemUTC();
    MetricRegistry metrics = new MetricRegistry();
    LocalDb db = LocalDb.open(config.localdb().source(), metrics);
    TagStore store = TagStores.create(db, config.tagstore(), clock, metrics);
    HybridLogicalClock generations = new HybridLogicalClock(clock);
    TagWrites writes = new TagWrites(store, generations);
    Javalin http = createServer(config, metrics);
    new TagRoutes(writes, store).register(http);
    new ListRoutes(store).register(http);
    new RemoteRoutes(store).register(http);
    new InternalRoutes(writes).register(http);
    new OpsRoutes(store, new MetricsExport(metrics), () -> "").register(http);
    var addr = config.tagserver().listener().addr();
    http.start(addr.host(), addr.port());
    BuildIndexApp app = new BuildIndexApp(config, db, store, http);
    log.info("build-index listening on {}:{}, storing in {}", addr.host(), app.port(), config.localdb().source().toAbsolutePath());
    return app;
  }

  private static Javalin createServer(BuildIndexConfig config, MetricRegistry metrics) {
    Auth auth = Auth.of(config.auth());
    RequestMetrics requestMetrics = new RequestMetrics(metrics);
    Javalin app = Javalin.create(c -> {
      c.showJavalinBanner = false;
      c.useVirtualThreads = true;
      c.http.maxRequestSize = MAX_REQUEST_BYTES;
      c.http.defaultContentType = "application/json";
      // Kraken clients send tags url.PathEscape'd: %2F must reach the router, not be refused.
      c.jetty.modifyHttpConfiguration(h -> h.setUriCompliance(UriCompliance.LEGACY));
      c.jetty.modifyServer(s -> {
        s.setStopTimeout(STOP_TIMEOUT_MILLIS);
        s.setErrorHandler(new JettyErrors());
      });
    });
    app.before(requestMetrics::start);
    app.beforeMatched(auth::check);
    app.after(requestMetrics::finish);
    ErrorMapping.register(app);
    return app;
  }

  public int port() {
    return http.port();
  }

  public BuildIndexConfig config() {
    return config;
  }

  @Override
  public void close() {
    log.info("shutting down: finishing in-flight requests");
    http.stop();
    store.close();
    db.close();
    log.info("stopped");
  }
}
