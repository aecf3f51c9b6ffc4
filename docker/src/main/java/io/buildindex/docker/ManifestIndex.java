package io.buildindex.docker;

import java.util.List;

/** A Docker manifest list or OCI image index: child manifests, usually one per platform. */
record ManifestIndex(String mediaType, List<Descriptor> manifests) implements Manifest {
  ManifestIndex {
    if (!MediaTypes.INDEXES.contains(mediaType)) {
      throw new IllegalArgumentException("not an index type: " + mediaType);
    }
    manifests = List.copyOf(manifests);
  }

  @Override
  public List<Descriptor> references() {
    return manifests;
  }
}
