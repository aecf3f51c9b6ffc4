package io.buildindex.docker;

import io.buildindex.tagstore.Digest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import okio.ByteString;

/**
 * What copying one tag to another registry involves, read from the source registry: the blobs
 * (configs and layers) to copy first, then the manifests to PUT in an order the destination
 * accepts: every child manifest before the index that lists it, the tag's manifest last.
 *
 * @param blobs configs and layers, de-duplicated, in document order
 * @param manifests children before their index; the tag's own manifest is the last element
 *     (empty when the tag's digest is not a manifest in the source)
 * @param looseBlobs dependencies the manifests do not mention (or all of them when the tag's
 *     digest is not a manifest): copied as plain blobs
 */
record ReplicationPlan(List<Descriptor> blobs, List<PlannedManifest> manifests, List<Digest> looseBlobs) {
  ReplicationPlan {
    blobs = List.copyOf(blobs);
    manifests = List.copyOf(manifests);
    looseBlobs = List.copyOf(looseBlobs);
  }

  /** A manifest to PUT: the exact bytes the source served, with their media type. */
  record PlannedManifest(Digest digest, String mediaType, ByteString body) {}

  /**
   * Walks {@code manifest} in {@code repository} of {@code source}.
   *
   * @throws ManifestNotFoundException when an index lists a child the source does not have
   */
  static ReplicationPlan of(ManifestSource source, String repository, Digest manifest, List<Digest> dependencies) {
    Optional<FetchedManifest> top = source.fetchManifest(repository, manifest);
    if (top.isEmpty()) {
      Set<Digest> loose = new LinkedHashSet<>(dependencies);
      loose.add(manifest);
      return new ReplicationPlan(List.of(), List.of(), List.copyOf(loose));
    }
    Walk walk = new Walk(source, repository);
    walk.visit(manifest, top.get(), 0);
    return new ReplicationPlan(List.copyOf(walk.blobs.values()), walk.manifests, walk.loose(dependencies));
  }

  /** Post-order traversal: children are added to {@code manifests} before their parent. */
  private static final class Walk {
    private final ManifestSource source;
    private final String repository;
    private final Map<Digest, Descriptor> blobs = new LinkedHashMap<>();
    private final List<PlannedManifest> manifests = new ArrayList<>();
    private final Set<Digest> seenManifests = new LinkedHashSet<>();

    Walk(ManifestSource source, String repository) {
      this.source = source;
      this.repository = repository;
    }

    void visit(Digest digest, FetchedManifest document, int depth) {
      if (depth > DockerResolver.MAX_DEPTH) {
        throw new InvalidManifestException(digest, "indexes nested more than " + DockerResolver.MAX_DEPTH + " deep");
      }
      Manifest manifest = document.parse(digest);
      for (Descriptor ref : manifest.references()) {
        if (manifest instanceof ManifestIndex) {
          visitChild(ref.digest(), depth);
        } else {
          blobs.putIfAbsent(ref.digest(), ref);
        }
      }
      manifests.add(new PlannedManifest(digest, manifest.mediaType(), document.body()));
    }

    private void visitChild(Digest child, int depth) {
      if (seenManifests.add(child)) {
        FetchedManifest document = source.fetchManifest(repository, child)
            .orElseThrow(() -> new ManifestNotFoundException(repository, child, 1));
        visit(child, document, depth + 1);
      }
    }

    List<Digest> loose(List<Digest> dependencies) {
      return dependencies.stream()
          .filter(d -> !blobs.containsKey(d))
          .filter(d -> manifests.stream().noneMatch(m -> m.digest().equals(d)))
          .distinct()
          .toList();
    }
  }
}
