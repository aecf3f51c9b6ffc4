package io.buildindex.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.buildindex.testing.ChildProcess;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code Main --version}, {@code --help} and a bad option, each in a real child process. */
final class MainCommandLineTest {
  @TempDir Path dir;

  @Test
  void version_printsProjectVersionAndJava_exits0() {
    Result r = run("--version");

    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output()).startsWith("build-index " + System.getProperty("buildindex.expectedVersion") + " (revision ")
        .contains("on Java " + System.getProperty("java.version"));
    assertThat(dir.resolve("data")).as("no node started").doesNotExist();
  }

  @Test
  void version_withOtherArguments_answersWithoutReadingConfig() {
    Result r = run("--config", dir.resolve("absent.yaml").toString(), "--version");

    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output()).startsWith("build-index ").doesNotContain("not found");
  }

  @Test
  void help_printsCommandsOptionsConfigAndEnvironment_exits0() {
    Result r = run("--help");

    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output()).startsWith("usage: buildindex")
        .contains("--config FILE", "--port N", "--version", "--help", "${VAR}", "_file",
            "BUILDINDEX_LOG_LEVEL", "/etc/build-index/config.yaml");
    assertThat(dir.resolve("data")).as("no node started").doesNotExist();
  }

  @Test
  void help_shortForm_sameText() {
    assertThat(run("-h").output()).isEqualTo(run("--help").output());
  }

  @Test
  void unknownOption_exits2WithFullUsage() {
    Result r = run("--verison");

    assertThat(r.exit()).as(r.output()).isEqualTo(2);
    assertThat(r.output()).contains("build-index: unknown argument \"--verison\"")
        .contains("usage: buildindex", "--version", "BUILDINDEX_LOG_LEVEL");
  }

  private record Result(int exit, String output) {}

  private Result run(String... args) {
    ChildProcess p = ServerProcess.main(dir, "main-" + System.nanoTime(), ChildProcess.FAST_START, args).build().launch();
    int exit = p.awaitExit();
    return new Result(exit, p.log());
  }
}
