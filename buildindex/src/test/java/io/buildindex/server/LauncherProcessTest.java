package io.buildindex.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.buildindex.testing.ChildProcess;
import io.buildindex.testing.FreePorts;
import io.buildindex.testing.Poll;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Launcher} in real processes: with no memory options the process becomes a JVM with
 * {@link JvmDefaults}' options in place (Java 22 or newer), or runs the server in a child JVM
 * with them, stops it on SIGTERM and exits with its code, and the child does not outlive a
 * launcher killed with SIGKILL; with options or {@code BUILDINDEX_JVM_DEFAULTS=false} the server
 * runs in the launcher's JVM.
 */
final class LauncherProcessTest {
  @TempDir Path dir;

  @Test
  void noOptions_thisProcessBecomesTheServerJvmWithDefaults_sigtermStopsIt() throws IOException {
    assumeTrue(Runtime.version().feature() >= 22, "execve in place needs the FFM API of Java 22");
    try (ChildProcess launcher = launcher("exec", List.of(), Map.of("JDK_JAVA_OPTIONS", "-Dbuildindex.test=1"))) {
      assertThat(ProcessHandle.of(launcher.pid()).orElseThrow().children()).as(launcher.log()).isEmpty();
      assertThat(commandLine(launcher.pid())).contains("-XX:+UseSerialGC", "-XX:MaxHeapFreeRatio=30")
          .anyMatch(a -> a.startsWith("-Xmx"))
          .containsOnlyOnce("-Dbuildindex.test=1"); // on the command line, so left out of the environment
      Map<String, String> env = environment(launcher.pid());
      assertThat(env).containsEntry("MALLOC_ARENA_MAX", "2").doesNotContainKey("JDK_JAVA_OPTIONS")
          .doesNotContainKey(Relauncher.LAUNCHER_PID_ENV);
      assertThat(status(launcher.pid(), "SigBlk")).as("no signal blocked by the old JVM's thread").matches("0+");
      // The new JVM opens the runtime's modules file and each jar once; inherited, they would be open twice.
      List<String> runtimeFiles = openFiles(launcher.pid()).stream().filter(f -> f.endsWith(".jar") || f.endsWith("/modules")).toList();
      assertThat(runtimeFiles).as("the old JVM's descriptors were closed on exec").isNotEmpty().doesNotHaveDuplicates();
      assertThat(ChildProcess.httpOk(port, "/readiness")).isTrue();

      int exit = launcher.stop();

      assertThat(exit).as(launcher.log()).isEqualTo(143); // the server's own exit code after SIGTERM
      assertThat(launcher.log()).contains("stopped").doesNotContain("cannot become the server JVM");
    }
  }

  @Test
  void childJvm_serverInAChildWithDefaults_sigtermStopsBoth() throws IOException {
    try (ChildProcess launcher = launcher("child", List.of(CHILD_JVM), Map.of())) {
      ProcessHandle server = onlyChild(launcher);
      assertThat(commandLine(server.pid())).contains("-XX:+UseSerialGC", "-XX:MaxHeapFreeRatio=30")
          .anyMatch(a -> a.startsWith("-Xmx"));
      assertThat(ChildProcess.httpOk(port, "/readiness")).isTrue();

      int exit = launcher.stop();

      assertThat(exit).as(launcher.log()).isEqualTo(143); // the server's own exit code after SIGTERM
      assertThat(server.isAlive()).isFalse();
      assertThat(launcher.log()).contains("stopped"); // the server's clean shutdown, logged to the shared output
    }
  }

  @Test
  void childJvm_launcherKilled_serverStopsByItself() throws IOException {
    try (ChildProcess launcher = launcher("killed", List.of(CHILD_JVM), Map.of())) {
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

  /** The Java 21 way (no execve without the FFM API): a child JVM. */
  private static final String CHILD_JVM = "-D" + Relauncher.EXEC_PROPERTY + "=false";

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

  /** The arguments of process {@code pid}: ProcessHandle.Info leaves out those as long as this test's class path. */
  private static List<String> commandLine(long pid) throws IOException {
    return List.of(Files.readString(Path.of("/proc", Long.toString(pid), "cmdline")).split("\0"));
  }

  private static Map<String, String> environment(long pid) throws IOException {
    Map<String, String> env = new HashMap<>();
    for (String entry : Files.readString(Path.of("/proc", Long.toString(pid), "environ")).split("\0")) {
      int eq = entry.indexOf('=');
      if (eq > 0) {
        env.put(entry.substring(0, eq), entry.substring(eq + 1));
      }
    }
    return env;
  }

  private static String status(long pid, String field) throws IOException {
    return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
        .filter(l -> l.startsWith(field + ":")).map(l -> l.substring(field.length() + 1).strip())
        .findFirst().orElseThrow();
  }

  private static List<String> openFiles(long pid) throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
      return fds.map(fd -> {
        try {
          return Files.readSymbolicLink(fd).toString();
        } catch (IOException e) {
          return ""; // closed meanwhile
        }
      }).toList();
    }
  }

  private static ProcessHandle onlyChild(ChildProcess launcher) {
    List<ProcessHandle> children = ProcessHandle.of(launcher.pid()).orElseThrow().children().toList();
    assertThat(children).as(launcher.log()).hasSize(1);
    return children.get(0);
  }
}
