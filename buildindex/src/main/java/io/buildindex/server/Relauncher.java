package io.buildindex.server;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Starts the server JVM with options this JVM was not given. Where it can ({@link #replace}: Linux,
 * Java 22 or newer) this process becomes the server JVM in place, keeping its pid, parent and
 * streams, so there is one process and one JVM, as if the operator had typed the options.
 * Elsewhere ({@link #run}) it runs the server in a child JVM and stands in for it: the child
 * shares this process's standard input, output and error; SIGTERM or SIGINT here (any normal exit
 * of this JVM) stops the child with SIGTERM and waits for it; this JVM exits with the child's exit
 * code. The child, in turn, exits when this process disappears without that (SIGKILL), so no
 * orphan keeps the database. One per process.
 *
 * <p>Design: a jar cannot choose its JVM's options ({@link JvmDefaults}); a second JVM is the one
 * portable way short of a shell script, which a container entrypoint of {@code java -jar} does
 * not have. As a child it costs this JVM, idle: ~66 MiB of RSS, a third of the server's own at
 * 200k tags (BENCHMARKS.md, "Memory"). {@code execve} does away with it, but only the FFM API
 * (final from Java 22) reaches it without native code of our own; hence the two ways.
 */
final class Relauncher {
  /** Set in the child: the pid of the launcher whose exit it follows. */
  static final String LAUNCHER_PID_ENV = "BUILDINDEX_LAUNCHER_PID";
  /** How long a stop waits for the child: past its 10 s request drain and its closing of the database. */
  static final Duration STOP_GRACE = Duration.ofSeconds(60);

  /** {@code -Dbuildindex.launcher.exec=false}: always a child JVM (the Java 21 way; for its tests). */
  static final String EXEC_PROPERTY = "buildindex.launcher.exec";
  /** Compiled only by a JDK of 22 or newer (buildindex/pom.xml, profile exec-in-place). */
  private static final String PROCESS_IMAGE = "io.buildindex.server.ProcessImage";

  private Relauncher() {}

  /**
   * Replaces this JVM with {@code command} (its first element an absolute path), with this
   * process's environment less {@code unset} plus {@code environment}; returns only when that is
   * not possible here (not Linux, a runtime before Java 22, a build without {@code ProcessImage},
   * {@link #EXEC_PROPERTY} false) or failed, which it reports on standard error: the caller then
   * runs a child ({@link #run}).
   */
  static void replace(List<String> command, Map<String, String> environment, Collection<String> unset) {
    if (Runtime.version().feature() < 22 || !System.getProperty("os.name", "").equals("Linux")
        || "false".equalsIgnoreCase(System.getProperty(EXEC_PROPERTY, ""))) {
      return;
    }
    MethodHandle replace;
    try {
      replace = MethodHandles.lookup().findStatic(Class.forName(PROCESS_IMAGE), "replace",
          MethodType.methodType(void.class, List.class, Map.class));
    } catch (ReflectiveOperationException | LinkageError e) {
      return; // built by a JDK 21
    }
    try {
      replace.invoke(command, environment(environment, unset));
    } catch (Throwable e) {
      System.err.println("build-index: cannot become the server JVM in place (" + e + "); starting it as a child JVM");
    }
  }

  /**
   * The child's command line: {@code java}, the {@code defaults}, this JVM's own options (which
   * hold none of the defaults' kind, else there is no relaunch), then the jar when this JVM runs
   * one (its manifest has the main class and native-access grant) or the class path and
   * {@code mainClass}, then {@code args}.
   */
  static List<String> command(String java, List<String> defaults, List<String> jvmArguments, String classPath,
      String mainClass, List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(java);
    command.addAll(defaults);
    command.addAll(jvmArguments);
    if (classPath.endsWith(".jar") && !classPath.contains(File.pathSeparator)) {
      command.add("-jar");
      command.add(classPath);
    } else {
      command.add("-cp");
      command.add(classPath);
      command.add(mainClass);
    }
    command.addAll(args);
    return command;
  }

  /**
   * Starts {@code command} with {@code environment} added to this process's (without
   * {@code unset}: variables whose options are already on the command line) and returns its exit
   * code once it exits. Should this JVM be asked to stop meanwhile, the shutdown hook stops the
   * child and ends this JVM with the child's exit code.
   */
  static int run(List<String> command, Map<String, String> environment, Collection<String> unset) {
    ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
    builder.environment().clear();
    builder.environment().putAll(environment(environment, unset));
    builder.environment().put(LAUNCHER_PID_ENV, Long.toString(ProcessHandle.current().pid()));
    Process child;
    try {
      child = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command.get(0), e);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> Runtime.getRuntime().halt(stop(child)), "stop-server"));
    shrinkHeap();
    return awaitExit(child);
  }

  /** The server JVM's environment: this process's, less {@code unset}, plus {@code environment}. */
  private static Map<String, String> environment(Map<String, String> environment, Collection<String> unset) {
    Map<String, String> env = new LinkedHashMap<>(System.getenv());
    env.keySet().removeAll(unset);
    env.putAll(environment);
    return env;
  }

  /*
   * Nothing more is allocated here: a full collection that may keep little free space gives back
   * the heap that class loading and the configuration used (~20 MiB of RSS).
   */
  private static void shrinkHeap() {
    try {
      ManageableOptions.set(Map.of("MinHeapFreeRatio", "0", "MaxHeapFreeRatio", "10"));
    } catch (LinkageError e) {
      // A runtime without jdk.management (a jlink image that left it out): the collection still helps.
    }
    System.gc();
  }

  /** SIGTERM (if still running), a wait of up to {@link #STOP_GRACE}, then SIGKILL; the exit code. */
  static int stop(Process child) {
    if (child.isAlive()) {
      child.destroy();
      try {
        if (!child.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
          child.destroyForcibly().waitFor();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        child.destroyForcibly();
        return 1;
      }
    }
    return child.exitValue();
  }

  private static int awaitExit(Process child) {
    while (true) {
      try {
        return child.waitFor();
      } catch (InterruptedException e) {
        // Only a stop interrupts this thread's wait, and the shutdown hook sees that through.
      }
    }
  }

  /**
   * In a child of {@link #run}: exits this JVM (normally: shutdown hooks close the server) once
   * the launcher named by {@link #LAUNCHER_PID_ENV} has exited. Does nothing elsewhere.
   */
  static void followLauncher(Map<String, String> environment) {
    String pid = environment.get(LAUNCHER_PID_ENV);
    if (pid == null || !pid.matches("[0-9]{1,18}")) {
      return;
    }
    ProcessHandle.of(Long.parseLong(pid)).ifPresentOrElse(
        launcher -> launcher.onExit().thenRun(() -> exitWithoutLauncher(pid)),
        () -> exitWithoutLauncher(pid));
  }

  private static void exitWithoutLauncher(String pid) {
    System.err.println("build-index: the launcher (pid " + pid + ") has exited; stopping");
    System.exit(1);
  }
}
