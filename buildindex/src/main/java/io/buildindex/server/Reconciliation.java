package io.buildindex.server;

import com.codahale.metrics.MetricRegistry;
import io.buildindex.config.BuildIndexConfig;
import io.buildindex.config.OriginConfig;
import io.buildindex.docker.Digest;
import io.buildindex.docker.ReconciliationStatus;
import io.buildindex.docker.RegistryReconciler;
import io.buildindex.docker.TagIndex;
import io.buildindex.tagstore.Tag;
import io.buildindex.tagstore.TagStore;
import java.util.Optional;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;

/**
 * Reconciliation with the origin registry, wired to the tag server: {@code GET /origin/reconciliation}
 * and the {@link TagIndex} the docker module's {@link RegistryReconciler} walks into. Tags it finds
 * are registered as a push notification registers them ({@code notifications.replicate} applies).
 * Without a registry origin, or with {@code reconcile_interval: 0}, it is disabled. Thread-safe.
 */
final class Reconciliation implements AutoCloseable {
  private final @Nullable RegistryReconciler reconciler;
  private final String registry;

  private Reconciliation(@Nullable RegistryReconciler reconciler, String registry) {
    this.reconciler = reconciler;
    this.registry = registry;
  }

  static Reconciliation create(BuildIndexConfig config, TagStore store, TagWrites writes, OkHttpClient http,
      MetricRegistry metrics) {
    OriginConfig.RegistryConfig registry = config.origin() == null ? null : config.origin().registry();
    if (registry == null || registry.reconcileInterval().isZero()) {
      return new Reconciliation(null, registry == null ? "" : registry.url());
    }
    TagIndex index = new RegistryTags(store, writes, config.notifications().replicate());
    return new Reconciliation(RegistryReconciler.create(registry, http, index, metrics), registry.url());
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

  /** The tag store as the reconciler sees it: lookups by repository and tag, writes as notifications make them. */
  private record RegistryTags(TagStore store, TagWrites writes, boolean replicate) implements TagIndex {
    @Override
    public Optional<Held> lookup(String repository, String tag) {
      return store.record(new Tag(repository, tag)).map(r -> new Held(r.digest() == null ? null : r.digest().toString()));
    }

    @Override
    public void register(String repository, String tag, Digest digest) {
      writes.put(new Tag(repository, tag), io.buildindex.tagstore.Digest.parse(digest.toString()), null, replicate);
    }
  }
}
