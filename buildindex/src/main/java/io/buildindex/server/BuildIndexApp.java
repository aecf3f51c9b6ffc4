package io.buildindex.server;

import com.codahale.metrics.MetricRegistry;
import io.buildindex.cluster.Cluster;
import io.buildindex.cluster.Listing;
import io.buildindex.cluster.Neighbors;
import io.buildindex.config.BuildIndexConfig;
import io.buildindex.config.DatabaseConfig;
import io.buildindex.config.HostPort;
import io.buildindex.config.TagServerConfig;
import io.buildindex.config.TagType;
import io.buildindex.database.Databases;
import io.buildindex.database.LocalDb;
import io.buildindex.database.StoreUnavailableException;
import io.buildindex.database.PostgresSettings;
import io.buildindex.docker.ImageDependencies;
import io.buildindex.docker.Origin;
import io.buildindex.docker.Origins;
import io.buildindex.docker.PollPolicy;
import io.buildindex.docker.Sleeper;
import io.buildindex.docker.notifications.Notifications;
import io.buildindex.tagreplication.BlobReplicator;
import io.buildindex.tagreplication.DependencyResolver;
import io.buildindex.tagreplication.Replication;
import io.buildindex.tagreplication.ReplicationContext;
import io.buildindex.tagreplication.RuleSummaries;
import io.buildindex.tagreplication.Replications;
import io.buildindex.tagstore.HybridLogicalClock;
import io.buildindex.tagstore.InvalidInputException;
import io.buildindex.tagstore.TagStore;
import io.buildindex.tagstore.TagStores;
import io.buildindex.tls.Tls;
import io.javalin.Javalin;
import io.javalin.config.JettyConfig;
import io.javalin.json.JavalinJackson;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running build-index node: the composition root that builds every module from the config
 * and serves the HTTP API. {@link #close()} stops accepting, lets in-flight requests finish,
 * stops replication workers, then closes the store. Thread-safe.
 */
public final class BuildIndexApp implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BuildIndexApp.class);
  /** Bodies are small JSON documents; anything bigger is a mistake or an attack. */
  static final long MAX_REQUEST_BYTES = 1024 * 1024;
  /**
   * The buffer Javalin copies each response body through, allocated per request (its default is
   * Jetty's 32 KiB output buffer). Answers are mostly a digest or a small JSON document, and 32 KiB
   * does not fit the small thread-local allocation buffers of the heap {@code java -jar} gets
   * ({@link JvmDefaults}): a third of the hot GETs then allocated it on the slow path, zeroed it
   * with a {@code memset}, and each filled the young generation with 32 KiB. Larger bodies just
   * take more rounds of the copy.
   */
  static final int RESPONSE_COPY_BUFFER_BYTES = 4096;
  /** How long shutdown waits for in-flight requests. */
  private static final long STOP_TIMEOUT_MILLIS = 10_000;
  /** How often the tls section's files are checked for a rotation: they are small, reading them is cheap. */
  static final Duration TLS_RELOAD_INTERVAL = Duration.ofSeconds(2);

  private final Javalin http;
  /** Closed in reverse order of creation: replication before the store, the store before the database. */
  private final List<AutoCloseable> resources;

  /** Whether a TCP connector exists ({@link #port()} has a value). */
  private final boolean tcp;

  private final MetricsExport metricsExport;

  private BuildIndexApp(Javalin http, List<AutoCloseable> resources, boolean tcp, MetricsExport metricsExport) {
    this.http = http;
    this.resources = resources;
    this.tcp = tcp;
    this.metricsExport = metricsExport;
  }

  /**
   * Opens the store, starts serving, and returns once the port is bound. On failure (port in use,
   * unreadable database) whatever was opened is closed again before the exception propagates.
   */
  public static BuildIndexApp start(BuildIndexConfig config) {
    List<AutoCloseable> resources = new ArrayList<>();
    try {
      return start(config, resources);
    } catch (RuntimeException e) {
      closeAll(resources);
      throw e;
    }
  }

  private static BuildIndexApp start(BuildIndexConfig config, List<AutoCloseable> resources) {
    Clock clock = Clock.systemUTC();
    // First: a bad certificate file is a configuration error, found before anything is opened.
    Tls tls = Tls.load(config.tls(), clock);
    MetricRegistry metrics = new CatalogRegistry(); // timers with the buckets of MetricCatalog
    LocalDb db = openDatabase(config, metrics);
    resources.add(db);
    TagStore store = TagStores.create(db, config.tagstore(), clock, metrics);
    resources.add(store);
    metrics.registerGauge("tagstore.up", () -> storeUp(store));
    Outgoing outgoing = Outgoing.create(config, tls);
    TagServerConfig.Listener listener = config.tagserver().listener();
    // A node on a unix socket alone has no cluster (Main refuses that), so no peer ever sees this.
    HostPort listen = listener.addr() == null ? new HostPort("localhost", 0) : listener.addr();
    // Shared mode: every node reads and writes the one database, so neighbors need no copies of
    // writes (no DuplicatePut/DuplicateReplicate, no anti-entropy, no owner routing) and lists and
    // reads are answered from it: the cluster is built without peers (see README, Scaling out).
    boolean shared = db.dialect().shared();
    Cluster cluster = Cluster.create(new Cluster.Setup(shared ? null : config.cluster(), listen,
        new Neighbors.Staggers(config.tagserver().duplicatePutStagger(), config.tagserver().duplicateReplicateStagger()),
        outgoing.cluster(), Json.MAPPER, tls.forConsul()), store, clock, metrics);
    resources.add(cluster);
    Origin origin = Origins.create(config.origin(), outgoing.blobs(), metrics, clock);
    Images images = new Images(origin, config.origin() == null ? ImageDependencies.digestOnly()
        : Origins.dockerResolver(origin, PollPolicy.defaults(), Sleeper.SYSTEM));
    TagTypes tagTypes = new TagTypes(config.tagTypes(),
        Map.of(TagType.DEFAULT, DependencyResolver.DIGEST_ONLY, TagType.DOCKER, images.resolver()));
    Replication replication = Replications.create(config.remotes(), config.tagReplication(),
        new ReplicationContext(db, store, outgoing.remote(), clock, metrics, nodeId(listen)),
        config.origin() == null ? BlobReplicator.NONE : images.blobReplicator(), tagTypes);
    resources.add(replication);
    HybridLogicalClock generations = new HybridLogicalClock(clock);
    followStoredGenerations(generations, store, config.tagserver().maxClockSkew());
    TagWrites writes = new TagWrites(new TagWrites.Collaborators(store, generations, config.tagserver().maxClockSkew(), tagTypes,
        replication, cluster.neighbors()));

    RequestMetrics requestMetrics = new RequestMetrics(metrics);
    Javalin http = createServer(requestMetrics, tls, listener, config.logging().accessLog());
    Router router = new Router(http, Auth.of(config.auth()), requestMetrics);
    new TagRoutes(writes, store, cluster.neighbors()).register(router);
    // Ring mode lists every member's tags; without peers (one node, or one shared database) the local list is whole.
    new ListRoutes(cluster.hasPeers() ? cluster.listing() : Listing.local(store), store).register(router);
    new RemoteRoutes(store, writes, replication).register(router);
    new InternalRoutes(writes).register(router);
    new WriteBatchRoutes(writes).register(router);
    new ClusterRoutes(cluster.antiEntropy()).register(router);
    new VerificationRoutes(replication, new RuleSummaries(store)).register(router);
    new NotificationRoutes(writes, new Notifications(), config.notifications().replicate(), metrics, clock).register(router);
    MetricsExport metricsExport = new MetricsExport(metrics, BuildInfo.current());
    new OpsRoutes(new Readiness(store, cluster.ring(), replication), metricsExport, origin::address).register(router);
    Reconciliation reconciliation = Reconciliation.create(config, new Reconciliation.RegistryTags(store, writes,
        config.notifications().replicate(), cluster.ring()), outgoing.blobs(), clock, metrics);
    resources.add(reconciliation);
    reconciliation.register(router);
    cluster.start();
    replication.start();
    reconciliation.start();
    watchTls(config, tls, resources);
    if (listener.socket() != null) {
      UnixSocketListener.removeStaleSocket(listener.socket());
    }
    http.start(); // on the connectors createServer added, bound to the listener's addresses
    // Only now: Javalin's clean-up after a failed bind would run a graceful stop whose error hides the bind error.
    http.jettyServer().server().setStopTimeout(STOP_TIMEOUT_MILLIS);
    BuildIndexApp app = new BuildIndexApp(http, resources, listener.addr() != null, metricsExport);
    log.info("build-index listening on {}{}{}, storing in {}", listener.addr() == null ? "" : listen.host() + ":" + app.port(),
        listener.addr() == null ? "" : (tls.serverEnabled() ? " (https)" : " (http)"),
        listener.socket() == null ? "" : (listener.addr() == null ? "" : " and ") + "unix:" + listener.socket(),
        storage(config));
    return app;
  }

  private static int storeUp(TagStore store) {
    try {
      store.check();
      return 1;
    } catch (StoreUnavailableException e) {
      return 0;
    }
  }

  /** The export of GET /metrics, for tests that check what it leaves out. */
  MetricsExport metricsExport() {
    return metricsExport;
  }

  /*
   * The owner of the replication tasks this node claims: distinct among the nodes sharing a
   * database (each host name, or each port on one host) and the same across restarts, so that a
   * restarted node takes its own interrupted tasks back at once instead of waiting for their leases.
   */
  static String nodeId(HostPort listen) {
    String host;
    try {
      host = java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      host = listen.host();
    }
    return host + ":" + (listen.port() == 0 ? "pid" + ProcessHandle.current().pid() : Integer.toString(listen.port()));
  }

  /** Shared mode (a {@code database.postgres} section) opens PostgreSQL; otherwise the node's SQLite file. */
  private static LocalDb openDatabase(BuildIndexConfig config, MetricRegistry metrics) {
    DatabaseConfig.PostgresConfig pg = config.postgres();
    return pg == null ? Databases.sqlite(config.localdb().source(), metrics)
        : Databases.postgres(new PostgresSettings(pg.url(), pg.user(), pg.password(), pg.poolSize()), metrics);
  }

  private static String storage(BuildIndexConfig config) {
    DatabaseConfig.PostgresConfig pg = config.postgres();
    return pg == null ? config.localdb().source().toAbsolutePath().toString() : pg.url() + " (shared mode)";
  }

  private static void watchTls(BuildIndexConfig config, Tls tls, List<AutoCloseable> resources) {
    if (config.tls() == null) {
      return;
    }
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
        Thread.ofPlatform().name("tls-reload").daemon().factory());
    resources.add(scheduler::shutdownNow);
    tls.watch(scheduler, TLS_RELOAD_INTERVAL);
  }

  /*
   * Past every stored write, so a local write after a restart wins over replicated writes that
   * came from a node whose clock ran ahead (the clock observed them before the restart too). Not
   * past one further ahead than max_clock_skew, stored before generations were bounded (a forged
   * one): following it would give every later local write, to any tag, that far-ahead generation.
   */
  private static void followStoredGenerations(HybridLogicalClock generations, TagStore store, Duration maxClockSkew) {
    try {
      generations.observeAtMost(store.newestGeneration(), maxClockSkew);
    } catch (InvalidInputException e) {
      log.warn("not following the newest stored generation: {}", e.getMessage());
    }
  }

  private static Javalin createServer(RequestMetrics requestMetrics, Tls tls, TagServerConfig.Listener listener,
      boolean accessLog) {
    Javalin app = Javalin.create(c -> {
      // Ours only: Javalin adds its plain HTTP connector only when none is configured.
      addConnectors(c.jetty, tls, listener);
      c.showJavalinBanner = false;
      c.useVirtualThreads = true;
      c.http.maxRequestSize = MAX_REQUEST_BYTES;
      c.http.responseBufferSize = RESPONSE_COPY_BUFFER_BYTES;
      c.http.defaultContentType = "application/json";
      c.jsonMapper(new JavalinJackson(Json.MAPPER, true));
      // Kraken clients send tags url.PathEscape'd: %2F must reach the router, not be refused.
      c.jetty.modifyHttpConfiguration(h -> h.setUriCompliance(UriCompliance.LEGACY));
      c.jetty.modifyServer(s -> s.setErrorHandler(new JettyErrors()));
      c.requestLogger.http(accessLog ? (ctx, ms) -> {
        requestMetrics.record(ctx, ms);
        AccessLog.record(ctx, ms);
      } : requestMetrics::record);
    });
    ErrorMapping.register(app);
    return app;
  }

  /**
   * The TCP connector (HTTPS with {@code tls.server}) with the listener's backlog (Jetty's default
   * is 50); a unix-socket listener's socket after it (Javalin reads the port from the first).
   */
  private static void addConnectors(JettyConfig jetty, Tls tls, TagServerConfig.Listener listener) {
    HostPort addr = listener.addr();
    if (addr != null) {
      jetty.addConnector((server, httpConfig) -> {
        ServerConnector tcp = tls.serverEnabled() ? tls.connector(server, httpConfig, addr)
            : new ServerConnector(server, new HttpConnectionFactory(httpConfig));
        tcp.setHost(addr.host().isEmpty() ? null : addr.host());
        tcp.setPort(addr.port());
        tcp.setAcceptQueueSize(listener.backlog());
        return tcp;
      });
    }
    if (listener.socket() != null) {
      jetty.addConnector((server, httpConfig) -> UnixSocketListener.connector(server, httpConfig, listener.socket()));
    }
  }

  /** The TCP port listened on; -1 on a unix socket alone. */
  public int port() {
    return tcp ? http.port() : -1;
  }

  @Override
  public void close() {
    log.info("shutting down: finishing in-flight requests");
    http.stop();
    closeAll(resources);
    log.info("stopped");
  }

  private static void closeAll(List<AutoCloseable> resources) {
    List<AutoCloseable> reversed = new ArrayList<>(resources);
    Collections.reverse(reversed);
    for (AutoCloseable r : reversed) {
      try {
        r.close();
      } catch (Exception e) {
        log.warn("closing {} failed", r, e);
      }
    }
  }
}
