package io.buildindex.docker;

import com.codahale.metrics.Meter;
import io.buildindex.tagstore.Digest;
import java.time.Clock;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies a tag from this datacenter's registry to another registry: blobs first, then manifests
 * by digest (children before their index), then the tag. Thread-safe (each call has its own
 * state).
 */
final class RegistryReplicator {
  private static final Logger LOG = LoggerFactory.getLogger(RegistryReplicator.class);

  /* Design: a registry accepts a manifest only when everything it references is present, and
   * an index only when its child manifests are, so the order is fixed: blobs, child manifests,
   * the tag's manifest by digest, and last the tag itself, which makes the image visible to
   * pullers only once it is complete. Each step is idempotent, so a task retried after a failure
   * part-way redoes only HEADs for what was already copied.
   *
   * Foreign layers (Windows base layers, OCI non-distributable layers) are dependencies but are
   * not served by registries: they live at their urls. They are skipped with a log line; the
   * destination registry accepts the manifest without them, as it would from docker push. */

  private final RegistryClient source;
  private final Meter bytesMeter;
  private final Clock clock;

  RegistryReplicator(RegistryClient source, Meter bytesMeter, Clock clock) {
    this.source = source;
    this.bytesMeter = bytesMeter;
    this.clock = clock;
  }

  /** Copies {@code repository:tag} to {@code destinationRepository} of {@code destination}. */
  TransferSummary replicate(String repository, String tag, Digest manifest, List<Digest> dependencies,
      RegistryClient destination, String destinationRepository) {
    TransferCounter counter = new TransferCounter(bytesMeter, clock);
    ReplicationPlan plan = ReplicationPlan.of(source, repository, manifest, dependencies);
    BlobCopy copy = new BlobCopy(source, repository, destination, destinationRepository, counter);
    for (Descriptor blob : plan.blobs()) {
      copyUnlessForeign(copy, blob, repository);
    }
    plan.looseBlobs().forEach(digest -> copy.copy(digest, -1));
    putManifests(plan, tag, destination, destinationRepository, counter);
    TransferSummary summary = counter.summary();
    LOG.info("replicated {}:{} ({}) to {}/{}: {}", repository, tag, manifest, destination.address(),
        destinationRepository, summary);
    return summary;
  }

  private static void copyUnlessForeign(BlobCopy copy, Descriptor blob, String repository) {
    if (MediaTypes.isForeignLayer(blob)) {
      LOG.info("not copying foreign layer {} of {} ({}): it is served from {}", blob.digest(), repository,
          blob.mediaType(), blob.urls().isEmpty() ? "elsewhere" : blob.urls());
      return;
    }
    copy.copy(blob.digest(), blob.size());
  }

  private static void putManifests(ReplicationPlan plan, String tag, RegistryClient destination, String repository,
      TransferCounter counter) {
    for (ReplicationPlan.PlannedManifest m : plan.manifests()) {
      destination.putManifest(repository, m.digest().toString(), m.mediaType(), m.body());
      counter.manifestPut();
    }
    if (!plan.manifests().isEmpty()) {
      ReplicationPlan.PlannedManifest top = plan.manifests().get(plan.manifests().size() - 1);
      destination.putManifest(repository, tag, top.mediaType(), top.body());
      counter.manifestPut();
    }
  }
}
