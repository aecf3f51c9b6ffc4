package io.buildindex.server;

import com.codahale.metrics.MetricRegistry;
import io.buildindex.config.BuildIndexConfig;
import io.buildindex.config.HostPort;
import io.buildindex.config.OriginConfig;
import io.buildindex.docker.ReconciliationStatus;
import io.buildindex.docker.RegistryReconciler;
import io.buildindex.docker.TagIndex;
import io.buildindex.hashring.HashRing;
import io.buildindex.tagstore.Digest;
import io.buildindex.tagstore.Tag;
import io.buildindex.tagstore.TagStore;
import java.time.Clock;
import java.util.Comparator;
import java.util.Optional;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;

/**
 * Reconciliation with the origin registry, wired to the tag server: {@code GET /origin/reconciliation}
 * and the {@link TagIndex} the docker module's {@link RegistryReconciler} walks into. Tags it finds
 * are registered as a push notification registers them ({@code notifications.replicate} applies);
 * in a cluster one member walks.
 * Without a registry origin, or with {@code reconcile_interval: 0}, it is disabled. Thread-safe.
 */
final class Reconciliation implements AutoCloseable {
  private final @Nullable RegistryReconciler reconciler;
  private final String registry;

  private Reconciliation(@Nullable RegistryReconciler reconciler, String registry) {
    this.reconciler = reconciler;
    this.registry = registry;
  }

  /** {@code index} is what tags found are checked against and registered into. */
  static Reconciliation create(BuildIndexConfig config, RegistryTags index, OkHttpClient http, Clock clock,
      MetricRegistry metrics) {
    OriginConfig.RegistryConfig registry = config.origin() == null ? null : config.origin().registry();
    if (registry == null || registry.reconcileInterval().isZero()) {
      return new Reconciliation(null, registry == null ? "" : registry.url());
    }
    return new Reconciliation(RegistryReconciler.create(registry, http, index, clock, metrics), registry.url());
  }

  void start() {
    if (reconciler != null) {
      reconciler.start();
    }
  }

  void register(Router r) {
    r.get("/origin/reconciliation", Scope.READ, ctx -> ctx.json(status()));
  }

  ReconciliationStatus status() {
    return reconciler == null ? ReconciliationStatus.disabled(registry) : reconciler.status();
  }

  @Override
  public void close() {
    if (reconciler != null) {
      reconciler.close();
    }
  }

  /**
   * The tag store as the reconciler sees it: lookups by repository and tag, writes as notifications
   * make them ({@code replicate} is {@code notifications.replicate}). In a cluster the first healthy
   * member (by host, then port) walks.
   */
  record RegistryTags(TagStore store, TagWrites writes, boolean replicate, HashRing ring) implements TagIndex {
    @Override
    public Optional<Held> lookup(String repository, String tag) {
      return store.record(new Tag(repository, tag)).map(r -> new Held(r.digest() == null ? null : r.digest().toString()));
    }

    @Override
    public void register(String repository, String tag, Digest digest) {
      // The tag API takes sha256 only: a sha512 manifest digest is refused here and counted as an error.
      writes.put(new Tag(repository, tag), Digest.parse(digest.toString()), null, replicate);
    }

    @Override
    public boolean responsible() {
      HostPort self = ring.self();
      return ring.healthyMembers().stream().filter(m -> !m.equals(self)).noneMatch(m -> BY_ADDRESS.compare(m, self) < 0);
    }

    private static final Comparator<HostPort> BY_ADDRESS = Comparator.comparing(HostPort::host).thenComparingInt(HostPort::port);
  }
}
