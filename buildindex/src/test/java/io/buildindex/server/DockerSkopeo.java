package io.buildindex.server;

import io.buildindex.docker.testing.Skopeo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code skopeo copy} between OCI layout directories and plain-HTTP registries on 127.0.0.1: the
 * push and pull of a real client. The docker module's {@link Skopeo} fixture only inspects.
 * Skips the calling test when skopeo is absent and {@code CI} is not set; fails it under CI.
 */
final class DockerSkopeo {
  /** A 50 MB layer goes through in seconds; this is for a loaded CI machine. */
  private static final long TIMEOUT_SECONDS = 120;

  private DockerSkopeo() {}

  /** {@code oci:DIR:TAG}. */
  static String oci(Path dir, String tag) {
    return "oci:" + dir + ":" + tag;
  }

  /** {@code docker://HOST:PORT/REPOSITORY:TAG}. */
  static String docker(String hostPort, String repository, String tag) {
    return "docker://" + hostPort + "/" + repository + ":" + tag;
  }

  /**
   * {@code skopeo copy [--all] SOURCE DESTINATION}, TLS verification off (plain HTTP registries)
   * and without a signature policy (nothing here is signed). Digests are preserved: skopeo would
   * otherwise compress the test images' uncompressed layers on the way, changing every digest.
   *
   * @param all copy every image of an index, not only the one for this machine's platform
   */
  static void copy(String source, String destination, boolean all) {
    Skopeo.assumeInstalled();
    List<String> command = new ArrayList<>(List.of(Skopeo.BINARY.toString(), "--insecure-policy",
        "--tmpdir", System.getProperty("java.io.tmpdir"), "copy", "--src-tls-verify=false", "--dest-tls-verify=false",
        "--preserve-digests", "--dest-oci-accept-uncompressed-layers"));
    if (all) {
      command.add("--all");
    }
    command.add(source);
    command.add(destination);
    run(command);
  }

  private static void run(List<String> command) {
    try {
      Path output = Files.createTempFile("skopeo", ".out");
      try {
        // One file for both streams: no pipe can fill up and block skopeo.
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        process.getOutputStream().close();
        boolean done = process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (!done) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        if (!done || process.exitValue() != 0) {
          throw new AssertionError(String.join(" ", command) + (done ? " exited " + process.exitValue()
              : " timed out after " + TIMEOUT_SECONDS + " s") + ":\n" + Files.readString(output, StandardCharsets.UTF_8));
        }
      } finally {
        Files.deleteIfExists(output);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running skopeo", e);
    }
  }
}
