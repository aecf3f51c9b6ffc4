package io.buildindex.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.buildindex.testing.ChildProcess;
import io.buildindex.testing.FreePorts;
import io.buildindex.testing.Poll;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Launcher} in real processes: with no memory options it runs the server in a child JVM
 * with {@link JvmDefaults}' options, stops it on SIGTERM and exits with its code, and the child
 * does not outlive a launcher killed with SIGKILL; with options or {@code BUILDINDEX_JVM_DEFAULTS=false}
 * the server runs in the launcher's JVM.
 */
final class LauncherProcessTest {
  @TempDir Path dir;

  @Test
  void noOptions_serverInAChildWithDefaults_sigtermStopsBoth() throws IOException {
    try (ChildProcess launcher = launcher("plain", List.of(), Map.of())) {
      ProcessHandle server = onlyChild(launcher);
      // ProcessHandle.Info leaves out arguments as long as this test's class path: /proc has them all.
      List<String> serverArgs = List.of(Files.readString(Path.of("/proc", Long.toString(server.pid()), "cmdline")).split("\0"));
      assertThat(serverArgs).contains("-XX:+UseSerialGC", "-XX:MaxHeapFreeRatio=30")
          .anyMatch(a -> a.startsWith("-Xmx"));
      assertThat(ChildProcess.httpOk(port, "/readiness")).isTrue();

      int exit = launcher.stop();

      assertThat(exit).as(launcher.log()).isEqualTo(143); // the server's own exit code after SIGTERM
      assertThat(server.isAlive()).isFalse();
      assertThat(launcher.log()).contains("stopped"); // the server's clean shutdown, logged to the shared output
    }
  }

  @Test
  void launcherKilled_serverStopsByItself() throws IOException {
    try (ChildProcess launcher = launcher("killed", List.of(), Map.of())) {
      ProcessHandle server = onlyChild(launcher);

      launcher.kill();

      Poll.until(ChildProcess.EXIT_TIMEOUT, "the server JVM exits after its launcher", () -> !server.isAlive());
      assertThat(launcher.log()).contains("the launcher (pid " + launcher.pid() + ") has exited");
    }
  }

  @Test
  void serverFailsToStart_launcherExitsWithItsCode() throws IOException {
    Path db = dir.resolve("data").resolve("index.db");
    Files.createDirectories(db.getParent());
    Files.createFile(db); // an existing empty database file is refused: exit code 1
    ChildProcess launcher = ChildProcess.java("empty-db", List.of(), Launcher.class.getName(),
        List.of("--config", config(db).toString())).directory(dir).build().launch();

    int exit = launcher.awaitExit();

    assertThat(exit).as(launcher.log()).isEqualTo(1);
    assertThat(launcher.log()).contains("build-index: cannot start");
  }

  @Test
  void heapOptionGiven_serverInTheSameJvm() throws IOException {
    try (ChildProcess launcher = launcher("xmx", List.of("-Xmx128m"), Map.of())) {
      assertThat(ProcessHandle.of(launcher.pid()).orElseThrow().children()).isEmpty();
    }
  }

  @Test
  void disabled_serverInTheSameJvm() throws IOException {
    try (ChildProcess launcher = launcher("disabled", List.of(), Map.of(JvmDefaults.ENABLE_ENV, "false"))) {
      assertThat(ProcessHandle.of(launcher.pid()).orElseThrow().children()).isEmpty();
      assertThat(launcher.stop()).isEqualTo(143);
    }
  }

  private int port;

  private ChildProcess launcher(String name, List<String> jvmOptions, Map<String, String> env) throws IOException {
    port = FreePorts.one();
    Path config = config(dir.resolve(name).resolve("index.db"));
    return ChildProcess.java(name, jvmOptions, Launcher.class.getName(), List.of("--config", config.toString(),
            "--port", Integer.toString(port)))
        .directory(dir).environment(env).readyOnHttpGet(port, "/readiness").start();
  }

  private Path config(Path db) throws IOException {
    return Files.writeString(dir.resolve("config-" + System.nanoTime() + ".yaml"),
        "localdb:\n  source: '" + db.toString().replace("'", "''") + "'\n");
  }

  private static ProcessHandle onlyChild(ChildProcess launcher) {
    List<ProcessHandle> children = ProcessHandle.of(launcher.pid()).orElseThrow().children().toList();
    assertThat(children).as(launcher.log()).hasSize(1);
    return children.get(0);
  }
}
