package io.buildindex.docker;

import io.buildindex.tagstore.Digest;
import java.util.List;

/**
 * Finds the blobs and manifests an image tag needs in the origin before it may be stored or replicated (Kraken's
 * {@code tagtype.DependencyResolver}). Implementations are thread-safe.
 */
@FunctionalInterface
public interface ImageDependencies {
  /**
   * The digests {@code repository:tag -> digest} depends on, {@code digest} first, without
   * duplicates, in a stable order.
   *
   * @throws ManifestNotFoundException when the docker resolver's manifest never appears
   * @throws InvalidManifestException when the manifest cannot be resolved (schema1, unknown type, malformed)
   * @throws OriginException when the origin fails
   */
  List<Digest> resolve(String repository, String tag, Digest digest);

  /** The {@code default} tag type: a tag depends on its digest only. */
  static ImageDependencies digestOnly() {
    return (repository, tag, digest) -> List.of(digest);
  }
}
