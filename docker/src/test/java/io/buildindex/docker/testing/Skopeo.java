package io.buildindex.docker.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.buildindex.tagstore.Digest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs Debian's {@code skopeo} against a plain-HTTP registry on 127.0.0.1, as an independent
 * check of what a registry serves. Skips the calling test when skopeo is absent and {@code CI}
 * is not set; fails it under CI.
 */
public final class Skopeo {
  public static final Path BINARY = Path.of("/usr/bin/skopeo");
  private static final long TIMEOUT_SECONDS = 60;

  private Skopeo() {}

  public static void assumeInstalled() {
    RegistryProcess.assumeTool(BINARY, "skopeo");
  }

  /**
   * Whether skopeo can be run, for tests whose skopeo checks are an extra: false when it is
   * absent and {@code CI} is not set; throws under CI, where it must be installed.
   */
  public static boolean usable() {
    if (Files.isExecutable(BINARY)) {
      return true;
    }
    if (RegistryProcess.onCi()) {
      throw new IllegalStateException(BINARY + " is missing but CI is set: install it (apt-get install -y skopeo)");
    }
    return false;
  }

  /** {@code skopeo inspect docker://<hostPort>/<repository>:<tag>}: Digest, Architecture, Layers, ... */
  public static JsonNode inspect(String hostPort, String repository, String tag) {
    try {
      return JsonMapper.builder().build().readTree(run("inspect", reference(hostPort, repository, tag)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The manifest exactly as the registry serves it ({@code skopeo inspect --raw}). */
  public static byte[] rawManifest(String hostPort, String repository, String tag) {
    return run("inspect", "--raw", reference(hostPort, repository, tag)).getBytes(StandardCharsets.UTF_8);
  }

  private static String reference(String hostPort, String repository, String tag) {
    return "docker://" + hostPort + "/" + repository + ":" + tag;
  }

  private static String run(String... args) {
    assumeInstalled();
    List<String> command = new ArrayList<>(List.of(BINARY.toString(), "--tmpdir", System.getProperty("java.io.tmpdir")));
    command.add(args[0]);
    command.add("--tls-verify=false");
    command.addAll(List.of(args).subList(1, args.length));
    try {
      // stderr goes to a file so that neither pipe can fill up while the other is read.
      Path errors = Files.createTempFile("skopeo", ".err");
      Process process = new ProcessBuilder(command).redirectError(errors.toFile()).start();
      process.getOutputStream().close();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      boolean done = process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      String err = Files.readString(errors);
      Files.deleteIfExists(errors);
      if (!done || process.exitValue() != 0) {
        process.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " failed: " + err);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running skopeo", e);
    }
  }
}
