package io.buildindex.tagreplication;

import io.buildindex.config.HostPort;
import io.buildindex.config.TagReplicationConfig;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;

/** Builds {@link Replication}. */
public final class Replications {
  /** Limit of one call to a remote build-index (tag GET, PUT, DELETE, origin): the bodies are tiny. */
  public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(30);
  /** How long idle connections to remotes are kept: long enough to span bursts. */
  private static final Duration KEEP_ALIVE = Duration.ofMinutes(5);

  private Replications() {}

  /**
   * Applies the module's migrations to {@code context.db()} and returns a replication for
   * {@code remotes} (remote {@code host:port} to tag regexes, as in the configuration), not started.
   * With no remotes it still cancels leftover tasks at {@link Replication#start()}. Throws
   * {@link io.buildindex.config.ConfigException} for a bad remote address or regex.
   *
   * @param blobs copies a tag's blobs to the remote origin before the tag; {@link BlobReplicator#NONE} to skip
   * @param dependencies the blobs of tags that backfill enqueues
   */
  public static Replication create(Map<String, List<String>> remotes, TagReplicationConfig config,
      ReplicationContext context, BlobReplicator blobs, DependencyResolver dependencies) {
    RemoteRules rules = RemoteRules.compile(remotes);
    context.db().migrate("tagreplication");
    ReplicationMetrics metrics = new ReplicationMetrics(context.metrics());
    ReplicationMetrics.registerQueueGauges(context.metrics(), context.db(), rules.destinations().keySet(), context.clock());
    TaskExecutor executor = new TaskExecutor(clients(rules, context, config.numWorkers()), blobs);
    TaskEngine engine = new TaskEngine(executor, List.copyOf(rules.destinations().keySet()),
        new TaskEngine.Parts(context.db(), config, metrics, context.clock(), RandomGenerator.getDefault()));
    Backfiller backfiller = new Backfiller(context, rules, dependencies,
        new Backfiller.BackfillPace(config.backfillRatePerSecond(), config.pollRetriesInterval()), engine::wake);
    RuleSummaries summaries = new RuleSummaries(context.tags());
    Verification verification = new Verification(context, rules,
        new RuleVerifier(context.tags(), summaries, new OriginCheck(summaries, dependencies, blobs,
            config.backfillRatePerSecond(), Repairs.Pacer.SLEEP)),
        new Repairs(context, dependencies, config.backfillRatePerSecond(), Repairs.Pacer.SLEEP, engine::wake),
        config.verificationInterval());
    return new QueuedReplication(context, rules, engine, new Background(context, backfiller, config.doneRetention()),
        verification);
  }

  static OkHttpClient remoteHttp(OkHttpClient caller, int workers) {
    return caller.newBuilder()
        .connectionPool(new ConnectionPool(Math.max(5, workers), KEEP_ALIVE.toMinutes(), TimeUnit.MINUTES))
        .socketFactory(new NoDelaySocketFactory())
        .build();
  }

  /* One connection pool for all remotes, sized for the workers: the caller's pool may keep fewer
   * idle connections than workers, which would reconnect on most calls under load. Nagle off: see
   * NoDelaySocketFactory. */
  private static Map<String, RemoteClient> clients(RemoteRules rules, ReplicationContext context, int workers) {
    OkHttpClient http = remoteHttp(context.http(), workers);
    Map<String, RemoteClient> clients = new LinkedHashMap<>();
    for (Map.Entry<String, HostPort> e : rules.destinations().entrySet()) {
      clients.put(e.getKey(), new RemoteClient(e.getValue(), http, DEFAULT_CALL_TIMEOUT, context.clock()));
    }
    return clients;
  }
}
