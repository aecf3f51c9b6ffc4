package io.buildindex.docker;

import io.buildindex.tagstore.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Reads the manifests under {@code src/test/resources/manifests}. */
final class TestManifests {
  private TestManifests() {}

  static byte[] bytes(String name) {
    try (InputStream in = TestManifests.class.getResourceAsStream("/manifests/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no test manifest " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The digest the fixture generator used for a named placeholder blob: sha256 of the name. */
  static Digest placeholder(String name) {
    return Digest.sha256(name.getBytes(StandardCharsets.UTF_8));
  }

  static Manifest parse(String name) {
    byte[] body = bytes(name);
    return ManifestParser.parse(Digest.sha256(body), body, null);
  }
}
