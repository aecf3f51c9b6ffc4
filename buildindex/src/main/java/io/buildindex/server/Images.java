package io.buildindex.server;

import io.buildindex.docker.ImageDependencies;
import io.buildindex.docker.Origin;
import io.buildindex.docker.TransferSummary;
import io.buildindex.tagreplication.BlobReplication;
import io.buildindex.tagreplication.BlobReplicator;
import io.buildindex.tagreplication.DependencyResolver;
import io.buildindex.tagreplication.Transfer;
import io.buildindex.tagstore.Digest;
import io.buildindex.tagstore.InvalidInputException;
import io.buildindex.tagstore.Tag;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adapts the docker module to the tag server: resolving an image tag's dependencies from its
 * manifest (and checking they are all in the local origin, as Kraken does, but answering 4xx with
 * the missing digests where Kraken answers 500), and copying blobs to a remote datacenter's
 * origin for replication. Both sides share one {@code Digest}; a manifest may reference sha512
 * content, which the tag API (sha256 only) refuses with a 400. Thread-safe.
 */
final class Images {
  private static final Logger log = LoggerFactory.getLogger(Images.class);

  private final Origin origin;
  private final ImageDependencies manifests;

  Images(Origin origin, ImageDependencies manifests) {
    this.origin = origin;
    this.manifests = manifests;
  }

  /** The resolver for {@code type: docker} tags. */
  DependencyResolver resolver() {
    return this::resolveAndCheck;
  }

  /**
   * Copies a tag's blobs and manifests to the remote origin, before the remote learns the tag;
   * tells verification whether the remote origin still has the tag's manifest.
   */
  BlobReplicator blobReplicator() {
    return new BlobReplicator() {
      @Override
      public Transfer replicate(BlobReplication request) {
        return Images.this.replicate(request);
      }

      @Override
      public boolean present(BlobReplication r) {
        return r.remoteOrigin().isEmpty()
            || origin.hasManifestAt(r.remoteOrigin(), r.tag().repository(), r.digest());
      }
    };
  }

  private List<Digest> resolveAndCheck(Tag tag, Digest digest) {
    List<Digest> deps = manifests.resolve(tag.repository(), tag.name(), digest);
    List<String> missing = deps.stream().filter(d -> !origin.exists(tag.repository(), d)).map(Object::toString).toList();
    if (!missing.isEmpty()) {
      throw new InvalidInputException("dependencies", "missing in the origin: " + String.join(", ", missing));
    }
    deps.stream().filter(d -> !d.algorithm().equals(Digest.SHA256)).findFirst().ifPresent(d -> {
      throw new InvalidInputException("digest", "unsupported algorithm \"" + d.algorithm() + "\" (want sha256) in " + d);
    });
    return deps;
  }

  private Transfer replicate(BlobReplication r) {
    if (r.remoteOrigin().isEmpty()) {
      throw new IllegalStateException("remote " + r.remoteBuildIndex() + " has no origin to copy blobs to");
    }
    TransferSummary summary = origin.replicate(r.tag().repository(), r.tag().name(), r.digest(),
        r.dependencies(), r.remoteOrigin());
    log.info("copied {} to {}: {} bytes, {} blobs copied, {} skipped, {} mounted, {} manifests in {}", r.tag(),
        r.remoteOrigin(), summary.bytesCopied(), summary.blobsCopied(), summary.blobsSkipped(), summary.blobsMounted(),
        summary.manifestsPut(), summary.duration());
    return new Transfer(summary.bytesCopied(), summary.duration());
  }
}
