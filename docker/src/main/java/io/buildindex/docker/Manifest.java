package io.buildindex.docker;

import java.util.List;

/** A parsed manifest: an image ({@link ImageManifest}) or a list of them ({@link ManifestIndex}). */
sealed interface Manifest permits ImageManifest, ManifestIndex {
  /** One of {@link MediaTypes#IMAGE_MANIFESTS} or {@link MediaTypes#INDEXES}. */
  String mediaType();

  /** The descriptors this manifest points at directly, in document order. */
  List<Descriptor> references();
}
