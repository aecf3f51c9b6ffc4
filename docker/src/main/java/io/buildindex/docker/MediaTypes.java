package io.buildindex.docker;

import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** The manifest media types this module knows, and how a response's type is read. */
final class MediaTypes {
  static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
  static final String DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
  static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  static final String DOCKER_SCHEMA1 = "application/vnd.docker.distribution.manifest.v1+json";
  static final String DOCKER_SCHEMA1_SIGNED = "application/vnd.docker.distribution.manifest.v1+prettyjws";
  /** Windows base layers: listed in manifests, but served from their {@code urls}, not the registry. */
  static final String DOCKER_FOREIGN_LAYER = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
  static final String OCI_NONDISTRIBUTABLE_PREFIX = "application/vnd.oci.image.layer.nondistributable.";

  /** Sent when fetching manifests so that registries answer with the stored form, not a conversion. */
  static final String ACCEPT = String.join(", ", DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_MANIFEST, OCI_INDEX);

  static final Set<String> IMAGE_MANIFESTS = Set.of(DOCKER_MANIFEST, OCI_MANIFEST);
  static final Set<String> INDEXES = Set.of(DOCKER_MANIFEST_LIST, OCI_INDEX);

  private MediaTypes() {}

  /**
   * The media type part of a Content-Type header, lowercased and without parameters, or "" when
   * it says nothing about manifests ({@code application/json}, {@code application/octet-stream}).
   */
  static String fromContentType(@Nullable String contentType) {
    if (contentType == null) {
      return "";
    }
    String type = contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
    return switch (type) {
      case "application/json", "application/octet-stream", "text/plain" -> "";
      default -> type;
    };
  }

  static boolean isSchema1(String mediaType) {
    return mediaType.equals(DOCKER_SCHEMA1) || mediaType.equals(DOCKER_SCHEMA1_SIGNED);
  }

  /** Layers that registries do not serve: dependencies, but never copied. */
  static boolean isForeignLayer(Descriptor d) {
    return d.mediaType().equals(DOCKER_FOREIGN_LAYER) || d.mediaType().startsWith(OCI_NONDISTRIBUTABLE_PREFIX);
  }
}
