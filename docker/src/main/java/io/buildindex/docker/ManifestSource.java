package io.buildindex.docker;

import io.buildindex.tagstore.Digest;
import java.util.Optional;

/** Where manifests are read from: the registry, or a Kraken origin's blob download. Thread-safe. */
interface ManifestSource {
  /**
   * The manifest {@code digest} of {@code repository}, or empty when the origin does not have it
   * (yet: a Kraken origin still fetching it from storage answers the same way).
   *
   * @throws OriginException when the origin fails
   */
  Optional<FetchedManifest> fetchManifest(String repository, Digest digest);
}
