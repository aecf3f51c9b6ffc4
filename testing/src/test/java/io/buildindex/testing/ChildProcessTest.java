package io.buildindex.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class ChildProcessTest {
  @TempDir Path dir;

  private ChildProcess tiny(String arg, int port) {
    return ChildProcess.java("tiny", ChildProcess.FAST_START, TinyServer.class.getName(), List.of(arg))
        .directory(dir).readyOnHttpGet(port, "/ready").build();
  }

  @Test
  void start_waitsForTheProbe_stopEndsTheProcess() {
    int port = FreePorts.one();
    try (ChildProcess child = tiny(Integer.toString(port), port)) {
      child.start();

      assertThat(child.isRunning()).isTrue();
      assertThat(ChildProcess.httpOk(port, "/ready")).isTrue();
      assertThat(child.log()).contains("tiny server: listening");
      assertThat(child.stop()).isEqualTo(143); // SIGTERM
      assertThat(child.isRunning()).isFalse();
    }
  }

  @Test
  void kill_endsTheProcessAtOnce() {
    int port = FreePorts.one();
    try (ChildProcess child = tiny(Integer.toString(port), port)) {
      child.start();

      assertThat(child.kill()).isEqualTo(137); // SIGKILL
      assertThat(child.isRunning()).isFalse();
    }
  }

  @Test
  void launchAgain_afterStop_logsToANewFile() {
    int port = FreePorts.one();
    try (ChildProcess child = tiny(Integer.toString(port), port)) {
      child.start();
      child.stop();
      child.start();

      assertThat(dir.resolve("tiny-1.log")).exists();
      assertThat(dir.resolve("tiny-2.log")).exists();
      assertThat(child.logTail()).startsWith("---- tiny (launch 2) ----");
    }
  }

  @Test
  void exitBeforeReady_failsWithTheExitCodeAndTheLog() {
    try (ChildProcess child = tiny("fail", FreePorts.one())) {
      assertThatThrownBy(child::start).isInstanceOf(AssertionError.class)
          .hasMessageContaining("exited with 3 before it was ready")
          .hasMessageContaining("tiny server: bad configuration");
      assertThat(child.isRunning()).isFalse();
    }
  }

  @Test
  void environment_setInTheChildBesidesTheInherited() {
    ChildProcess child = ChildProcess.command("env", List.of("/bin/sh", "-c", "echo \"$GIVEN $PATH\""))
        .directory(dir).environment(Map.of("GIVEN", "given-value")).build().launch();

    assertThat(child.awaitExit()).isZero();
    assertThat(child.log().strip()).isEqualTo("given-value " + System.getenv("PATH"));
  }
}
