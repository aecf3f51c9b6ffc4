package io.buildindex.server;

import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs Prometheus's {@code promtool} (Debian package {@code prometheus}, installed by {@code .ci/run}). */
final class PromTool {
  /** The result of one run: exit code and everything it printed. */
  record Result(int exitCode, String output) {}

  private PromTool() {}

  /** Skips the calling test (with the reason) when promtool is not installed. */
  static void assumeInstalled() {
    assumeThat(path()).as("promtool is not installed (Debian package prometheus; .ci/run installs it)").isNotNull();
  }

  /** {@code promtool args...} with {@code stdin} as its input, in {@code dir}. */
  static Result run(Path dir, String stdin, String... args) {
    List<String> command = new ArrayList<>();
    command.add(path());
    command.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
      p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("promtool " + args[0] + " did not finish in 60 s");
      }
      return new Result(p.exitValue(), out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static String path() {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
      Path p = Path.of(dir, "promtool");
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    return null;
  }
}
