package io.buildindex.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.buildindex.server.RawHttp.Response;
import io.buildindex.testing.ChildProcess;
import io.buildindex.testing.FreePorts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container image ({@code ops/image/build.sh}) is built, unpacked with umoci and its
 * entrypoint started the way a container runtime would (its root file system, its user, working
 * directory and environment from the image's configuration, /proc and /dev mounted in a private
 * mount namespace), then probed over 127.0.0.1. Needs root and umoci ({@code .ci/run} installs it);
 * tagged {@code image} so that {@code -DexcludedGroups=image} can leave it out.
 */
@Tag("image")
final class ContainerImageTest {
  /** jdeps, jlink and possibly the jar's own build, on a loaded machine. */
  private static final long BUILD_TIMEOUT_MINUTES = 20;
  private static final String DIGEST = "sha256:" + "cd".repeat(32);
  /**
   * Runs the command given after the root, the user and the working directory, in that root.
   * Host tools by absolute path: PATH is the image's.
   */
  private static final String RUN_IN_ROOT = "root=$1 user=$2 wd=$3; shift 3;"
      + " /usr/bin/mount -t proc proc \"$root/proc\" && /usr/bin/mount --rbind /dev \"$root/dev\""
      + " && exec /usr/bin/unshare --root=\"$root\" --wd=\"$wd\" --setgid \"${user#*:}\" --setuid \"${user%%:*}\" \"$@\"";

  @TempDir Path dir;

  @Test
  void image_startedAsItsUserFromItsRootFileSystem_servesAndStoresInVolume() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/umoci")), "umoci is not installed (apt-get install -y umoci)");
    assumeTrue(((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0, "needs root (unpacks owners, mounts /proc)");
    Path repo = Path.of("").toAbsolutePath().getParent();
    Path layout = repo.resolve("buildindex/target/image");

    run(repo, BUILD_TIMEOUT_MINUTES, "bash", "ops/image/build.sh");
    assertThat(layout.resolve("oci-layout")).exists();
    Path bundle = dir.resolve("bundle");
    run(dir, 5, "umoci", "unpack", "--image", layout + ":latest", bundle.toString());

    JsonNode process = new ObjectMapper().readTree(bundle.resolve("config.json").toFile()).get("process");
    int uid = process.get("user").get("uid").asInt();
    int gid = process.get("user").get("gid").asInt();
    Path rootfs = bundle.resolve("rootfs");
    assertThat(uid).as("not root").isNotZero();
    assertThat(Files.readString(rootfs.resolve("etc/passwd"))).contains(":" + uid + ":" + gid + ":");
    assertThat(process.get("cwd").asText()).isEqualTo("/var/lib/build-index");

    try (ChildProcess node = start(rootfs, process, uid + ":" + gid)) {
      RawHttp http = new RawHttp(port);
      assertThat(http.send("GET", "/health", Map.of(), new byte[0]).status()).isEqualTo(200);
      assertThat(http.send("GET", "/readiness", Map.of(), new byte[0]).status()).isEqualTo(200);
      Response put = http.send("PUT", "/tags/team%2Fapp:v1/digest/" + DIGEST, Map.of(), new byte[0]);
      Response get = http.send("GET", "/tags/team%2Fapp:v1", Map.of(), new byte[0]);

      assertThat(put.status()).as(put.toString()).isEqualTo(200);
      assertThat(new String(get.body(), StandardCharsets.UTF_8)).isEqualTo(DIGEST);
      assertThat(Files.readString(Path.of("/proc/" + node.pid() + "/status")))
          .as("the server process runs as the image's user").containsPattern("(?m)^Uid:\\s+" + uid + "\\s");
      Path db = rootfs.resolve("var/lib/build-index/index.db");
      assertThat(db).as("data in the volume").exists();
      assertThat(Files.getAttribute(db, "unix:uid")).isEqualTo(uid);
    }
  }

  private int port;

  /** The image's entrypoint and command, with {@code --port <free>}: as a runtime runs it, but on the host's network. */
  private ChildProcess start(Path rootfs, JsonNode process, String user) {
    Map<String, String> env = new HashMap<>();
    process.get("env").forEach(e -> env.put(e.asText().substring(0, e.asText().indexOf('=')),
        e.asText().substring(e.asText().indexOf('=') + 1)));
    for (int attempt = 1; ; attempt++) {
      port = FreePorts.one();
      List<String> command = new ArrayList<>(List.of("/usr/bin/unshare", "--mount", "--propagation", "private", "/bin/sh", "-c",
          RUN_IN_ROOT, "sh", rootfs.toString(), user, process.get("cwd").asText()));
      process.get("args").forEach(a -> command.add(a.asText()));
      command.addAll(List.of("--port", Integer.toString(port)));
      ChildProcess child = ChildProcess.command("image-" + attempt, command).directory(dir).environment(env)
          .readyOnHttpGet(port, "/readiness").build().launch();
      if (child.awaitReadyOrExit()) {
        return child;
      }
      if (attempt == 3 || !child.portWasTaken()) {
        throw new AssertionError("the image's entrypoint did not become ready (exit " + child.awaitExit() + "):\n"
            + child.logTail());
      }
    }
  }

  /** Runs a tool to completion, failing with its output unless it exits 0 in time. */
  private void run(Path workingDir, long timeoutMinutes, String... command) throws IOException, InterruptedException {
    Path log = dir.resolve(Path.of(command[command.length > 1 ? 1 : 0]).getFileName() + ".log");
    Process p = new ProcessBuilder(command).directory(workingDir.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    if (!p.waitFor(timeoutMinutes, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError(String.join(" ", command) + " did not finish in " + timeoutMinutes + " min:\n"
          + Files.readString(log));
    }
    assertThat(p.exitValue()).as(String.join(" ", command) + ":\n" + Files.readString(log)).isZero();
  }
}
