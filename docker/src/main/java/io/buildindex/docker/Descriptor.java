package io.buildindex.docker;

import io.buildindex.tagstore.Digest;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A reference from a manifest to a blob or another manifest (OCI image-spec descriptor).
 *
 * @param mediaType "" when the manifest omits it
 * @param urls where a foreign layer can be downloaded instead of the registry; usually empty
 * @param platform set on index entries only
 */
record Descriptor(String mediaType, Digest digest, long size, List<String> urls, @Nullable Platform platform,
    Map<String, String> annotations) {
  Descriptor {
    if (size < 0) {
      throw new IllegalArgumentException("negative size " + size + " for " + digest);
    }
    urls = List.copyOf(urls);
    annotations = Map.copyOf(annotations);
  }

  static Descriptor of(String mediaType, Digest digest, long size) {
    return new Descriptor(mediaType, digest, size, List.of(), null, Map.of());
  }
}
