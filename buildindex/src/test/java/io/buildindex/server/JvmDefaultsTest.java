package io.buildindex.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The decisions of {@link JvmDefaults}, {@link Relauncher#command} and {@link Launcher#cacheEntries}: no process started. */
final class JvmDefaultsTest {
  private static final List<String> NO_OPTIONS = List.of();
  private static final Map<String, String> NO_ENV = Map.of();

  @Test
  void decide_noOptions_relaunchesWithSerialGcAndHeapSizedFromTheCache() {
    JvmDefaults.Decision d = JvmDefaults.decide(NO_OPTIONS, NO_ENV, 21, 32_768);

    assertThat(d.relaunch()).isTrue();
    assertThat(d.jvmOptions()).containsExactly("-Xmx64m", "-Xms24m", "-XX:NewSize=16m", "-XX:+UseSerialGC",
        "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=30");
    assertThat(d.environment()).containsEntry("MALLOC_ARENA_MAX", "2");
  }

  @Test
  void options_heapGrows768BytesPerCacheEntry_upToTheCap() {
    assertThat(JvmDefaults.options(21, 0)).contains("-Xmx40m");
    assertThat(JvmDefaults.options(21, 262_144)).contains("-Xmx232m");
    assertThat(JvmDefaults.options(21, 100_000_000)).contains("-Xmx" + JvmDefaults.MAX_HEAP_MIB + "m");
  }

  @Test
  void options_java22AndLater_trimTheNativeHeap() {
    assertThat(JvmDefaults.options(21, 1)).noneMatch(o -> o.contains("TrimNativeHeapInterval"));
    assertThat(JvmDefaults.options(22, 1)).contains("-XX:TrimNativeHeapInterval=5000");
    assertThat(JvmDefaults.options(25, 1)).contains("-XX:TrimNativeHeapInterval=5000");
  }

  @Test
  void options_java25AndLater_compactObjectHeaders() {
    assertThat(JvmDefaults.options(24, 1)).doesNotContain("-XX:+UseCompactObjectHeaders");
    assertThat(JvmDefaults.options(25, 1)).contains("-XX:+UseCompactObjectHeaders");
  }

  @Test
  void decide_operatorsMemoryOrGcOption_staysNamingIt() {
    for (String option : List.of("-Xmx512m", "-Xms64m", "-Xmn32m", "-XX:MaxRAMPercentage=50", "-XX:MaxRAM=1g",
        "-XX:InitialRAMPercentage=10", "-XX:MaxHeapSize=1g", "-XX:+UseG1GC", "-XX:+UseZGC", "-XX:-UseSerialGC",
        "-javaagent:agent.jar", "-agentlib:jdwp=transport=dt_socket,server=y,address=5005")) {
      JvmDefaults.Decision d = JvmDefaults.decide(List.of("-Dx=1", option), NO_ENV, 21, 1);

      assertThat(d.relaunch()).as(option).isFalse();
      assertThat(d.reason()).as(option).contains(option);
    }
  }

  @Test
  void decide_optionOnlyInAnOptionVariable_stays() {
    for (String variable : JvmDefaults.OPTION_VARIABLES) {
      JvmDefaults.Decision d = JvmDefaults.decide(NO_OPTIONS, Map.of(variable, " -Dx=1  -XX:MaxRAMPercentage=50 "), 21, 1);

      assertThat(d.relaunch()).as(variable).isFalse();
      assertThat(d.reason()).contains("-XX:MaxRAMPercentage=50", variable);
    }
  }

  @Test
  void decide_otherOptions_stillRelaunches() {
    List<String> others = List.of("-Dbuildindex.x=1", "--enable-native-access=ALL-UNNAMED",
        "-XX:+HeapDumpOnOutOfMemoryError", "-XX:MaxHeapFreeRatio=50", "-Xlog:gc", "-Xss1m");

    assertThat(JvmDefaults.decide(others, Map.of("JAVA_TOOL_OPTIONS", "-Dfile.encoding=UTF-8"), 21, 1).relaunch()).isTrue();
  }

  @Test
  void reasonToStay_nullExactlyWhenDecideRelaunches() {
    assertThat(JvmDefaults.reasonToStay(List.of("-Dx=1"), NO_ENV)).isNull();
    assertThat(JvmDefaults.reasonToStay(List.of("-Xmx1g"), NO_ENV)).contains("-Xmx1g");
    assertThat(JvmDefaults.reasonToStay(NO_OPTIONS, Map.of(JvmDefaults.ENABLE_ENV, "false"))).contains(JvmDefaults.ENABLE_ENV);
  }

  @Test
  void manageable_heapFreeRatiosUnlessGiven_periodicCollectionUnderG1() {
    assertThat(JvmDefaults.manageable(List.of("-Xmx1g"), false))
        .containsExactly(Map.entry("MinHeapFreeRatio", "10"), Map.entry("MaxHeapFreeRatio", "30"));
    assertThat(JvmDefaults.manageable(List.of("-Xmx1g"), true)).containsEntry("G1PeriodicGCInterval", "300000");
    assertThat(JvmDefaults.manageable(List.of("-Xmx1g", "-XX:MaxHeapFreeRatio=50"), false)).isEmpty();
    assertThat(JvmDefaults.manageable(List.of("-XX:G1PeriodicGCInterval=1000"), true)).doesNotContainKey("G1PeriodicGCInterval");
  }

  @Test
  void manageableOptions_theseAreManageableInThisJvm() {
    // This test JVM's own flags, set to values it could have had: the names must be manageable.
    assertThat(ManageableOptions.set(JvmDefaults.manageable(List.of(), true))).isEmpty();
  }

  @Test
  void decide_disabledByEnvironment_stays() {
    assertThat(JvmDefaults.decide(NO_OPTIONS, Map.of(JvmDefaults.ENABLE_ENV, "false"), 21, 1).relaunch()).isFalse();
    assertThat(JvmDefaults.decide(NO_OPTIONS, Map.of(JvmDefaults.ENABLE_ENV, "FALSE"), 21, 1).reason())
        .contains(JvmDefaults.ENABLE_ENV);
    assertThat(JvmDefaults.decide(NO_OPTIONS, Map.of(JvmDefaults.ENABLE_ENV, "true"), 21, 1).relaunch()).isTrue();
  }

  @Test
  void command_jar_runsTheJarWithDefaultsBeforeTheJvmsOwnOptions() {
    List<String> command = Relauncher.command("/opt/java/bin/java", List.of("-Xmx160m"), List.of("-XX:MaxHeapFreeRatio=50"),
        "/opt/build-index/buildindex.jar", "io.buildindex.server.Launcher", List.of("--config", "c.yaml"));

    // Later options win: the operator's own MaxHeapFreeRatio overrides the default one.
    assertThat(command).containsExactly("/opt/java/bin/java", "-Xmx160m", "-XX:MaxHeapFreeRatio=50",
        "-jar", "/opt/build-index/buildindex.jar", "--config", "c.yaml");
  }

  @Test
  void command_classPath_namesTheMainClass() {
    List<String> command = Relauncher.command("java", List.of("-Xmx96m"), List.of(), "a.jar:classes",
        "io.buildindex.server.Launcher", List.of());

    assertThat(command).containsExactly("java", "-Xmx96m", "-cp", "a.jar:classes", "io.buildindex.server.Launcher");
  }

  @Test
  void cacheEntries_fromTheConfigOrTheDefault_noneForHelpOrABadConfig() {
    assertThat(Launcher.cacheEntries(new String[] {"--port", "1"}))
        .hasValue(io.buildindex.config.TagStoreConfig.DEFAULT_CACHE_MAXIMUM_SIZE);
    assertThat(Launcher.cacheEntries(new String[] {"--help"})).isEmpty();
    assertThat(Launcher.cacheEntries(new String[] {"--version"})).isEmpty();
    assertThat(Launcher.cacheEntries(new String[] {"--config", "/nonexistent/build-index.yaml"})).isEmpty();
  }

  @Test
  void cacheEntries_configuredSize(@TempDir Path dir) throws IOException {
    Path config = Files.writeString(dir.resolve("c.yaml"), "tagstore:\n  cache_maximum_size: 1000\n");

    assertThat(Launcher.cacheEntries(new String[] {"--config", config.toString()})).hasValue(1000);
    assertThat(Launcher.cacheEntries(new String[] {"--config=" + config})).hasValue(1000);
  }

  @Test
  void cacheEntries_sizeSetInTheFileThatItExtends(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("base.yaml"), "tagstore:\n  cache_maximum_size: 2000\n");
    Path config = Files.writeString(dir.resolve("c.yaml"), "extends: base.yaml\nlogging:\n  format: json\n");

    assertThat(Launcher.cacheEntries(new String[] {"--config", config.toString()})).hasValue(2000);
  }

  @Test
  void cacheEntries_configThatCannotSetTheSize_defaultWithoutLoadingIt(@TempDir Path dir) throws IOException {
    // Not loaded (it would fail: unknown key): the server's JVM reports it.
    Path config = Files.writeString(dir.resolve("c.yaml"), "localdb:\n  sorce: x.db\n");

    assertThat(Launcher.cacheEntries(new String[] {"--config", config.toString()}))
        .hasValue(io.buildindex.config.TagStoreConfig.DEFAULT_CACHE_MAXIMUM_SIZE);
  }

  @Test
  void cacheEntries_configThatSetsTheSizeButDoesNotLoad_none(@TempDir Path dir) throws IOException {
    Path config = Files.writeString(dir.resolve("c.yaml"), "tagstore:\n  cache_maximum_size: -5\n");

    assertThat(Launcher.cacheEntries(new String[] {"--config", config.toString()})).isEmpty();
  }
}
