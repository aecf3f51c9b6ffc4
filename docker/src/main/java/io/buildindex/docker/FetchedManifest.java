package io.buildindex.docker;

import io.buildindex.tagstore.Digest;
import okio.ByteString;

/**
 * A manifest document as the origin served it: the exact bytes (which hash to its digest, so they
 * are copied unchanged) and the Content-Type, which names the type when the document does not.
 */
record FetchedManifest(ByteString body, String contentType) {
  /** Manifests are at most 4 MiB in distribution registries; anything larger is not a manifest. */
  static final long MAX_BYTES = 4L * 1024 * 1024;

  /** Checks the bytes against {@code digest}, then parses them. */
  Manifest parse(Digest digest) {
    byte[] bytes = body.toByteArray();
    if (!digest.matches(bytes)) {
      throw new InvalidManifestException(digest, "content does not match its digest (" + bytes.length + " bytes)");
    }
    return ManifestParser.parse(digest, bytes, contentType);
  }
}
