package io.buildindex.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.buildindex.docker.testing.OciImages.Blob;
import io.buildindex.docker.testing.OciImages.Image;
import io.buildindex.tagstore.Digest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import okio.BufferedSink;
import okio.Okio;
import okio.Source;

/**
 * OCI image layout directories ({@code oci-layout}, {@code index.json}, {@code blobs/sha256/...}):
 * writes an {@link Image} into one so that skopeo can push it as a real client would
 * ({@code skopeo copy oci:DIR:TAG docker://...}), and reads what skopeo pulled into one. Layers
 * are streamed to disk, never held in memory.
 */
final class DockerOciLayout {
  /** The annotation that names an image in a layout's {@code index.json}. */
  static final String REF_NAME = "org.opencontainers.image.ref.name";

  private DockerOciLayout() {}

  /** Writes {@code image} (children, blobs and manifests) into a new layout at {@code dir}, named {@code tag}. */
  static Path write(Path dir, Image image, String tag) {
    try {
      Files.createDirectories(dir.resolve("blobs").resolve("sha256"));
      Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
      writeTree(dir, image);
      ObjectNode index = TestServer.JSON.createObjectNode().put("schemaVersion", 2);
      index.putArray("manifests").addObject()
          .put("mediaType", image.mediaType())
          .put("digest", image.digest().toString())
          .put("size", image.manifest().length)
          .putObject("annotations").put(REF_NAME, tag);
      Files.write(dir.resolve("index.json"), TestServer.JSON.writeValueAsBytes(index));
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The digest of the manifest {@code index.json} names {@code tag}. */
  static Digest digest(Path dir, String tag) {
    for (JsonNode entry : json(dir.resolve("index.json")).path("manifests")) {
      if (tag.equals(entry.path("annotations").path(REF_NAME).asText())) {
        return Digest.parse(entry.path("digest").asText());
      }
    }
    throw new AssertionError("no manifest named " + tag + " in " + dir.resolve("index.json"));
  }

  static JsonNode json(Path file) {
    try {
      return TestServer.JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Path blobPath(Path dir, Digest digest) {
    return dir.resolve("blobs").resolve(digest.algorithm()).resolve(digest.hex());
  }

  private static void writeTree(Path dir, Image image) throws IOException {
    for (Image child : image.children()) {
      writeTree(dir, child);
    }
    for (Blob blob : image.blobs()) {
      try (Source source = blob.content().get(); BufferedSink sink = Okio.buffer(Okio.sink(blobPath(dir, blob.digest())))) {
        sink.writeAll(source);
      }
    }
    Files.write(blobPath(dir, image.digest()), image.manifest());
  }
}
