package io.buildindex.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * A server (or tool) as a child process, the one process fixture of the tests: a command (a main
 * class on this JVM's class path with JVM options, or any executable), a working directory, one
 * log file per launch, a readiness probe polled against {@link #START_TIMEOUT}, {@link #stop()}
 * (SIGTERM and wait), {@link #kill()} (SIGKILL and wait), the log's tail for failure messages, and
 * a kill of every child still running when the test JVM exits. It can be launched again after it
 * stopped (same command, a new log file). Driven by one test thread at a time.
 */
public final class ChildProcess implements AutoCloseable {
  /** Generous: cold JVMs on a loaded two-core CI machine, several starting at once. */
  public static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  /** How long a stopped or killed child may take to exit. */
  public static final Duration EXIT_TIMEOUT = Duration.ofSeconds(60);
  /** For JVMs that start often and run briefly: C1 only and the serial GC start a quarter faster. */
  public static final List<String> FAST_START = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");
  private static final int LOG_TAIL_CHARS = 6_000;
  private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

  static {
    // Should the test JVM itself be stopped, its children must not outlive it.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly),
        "kill-child-processes"));
  }

  private final String name;
  private final List<String> command;
  private final Path dir;
  private final IntFunction<Path> logOfLaunch;
  private final BooleanSupplier ready;
  private final Map<String, String> environment;
  private @Nullable Process process;
  private @Nullable Path log;
  private int launches;

  private ChildProcess(String name, List<String> command, Path dir, IntFunction<Path> logOfLaunch,
      BooleanSupplier ready, Map<String, String> environment) {
    this.name = name;
    this.command = List.copyOf(command);
    this.dir = dir;
    this.logOfLaunch = logOfLaunch;
    this.ready = ready;
    this.environment = Map.copyOf(environment);
  }

  /**
   * A child running {@code java [jvmOptions] -cp <this JVM's class path> mainClass args} with this
   * JVM's java binary. {@code --enable-native-access=ALL-UNNAMED} is always given (sqlite-jdbc
   * loads a native library).
   */
  public static Builder java(String name, List<String> jvmOptions, String mainClass, List<String> args) {
    return java(name, jvmOptions, System.getProperty("java.class.path"), mainClass, args);
  }

  /** As {@link #java(String, List, String, List)}, on {@code classpath} instead of this JVM's. */
  public static Builder java(String name, List<String> jvmOptions, String classpath, String mainClass,
      List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElseThrow());
    command.addAll(jvmOptions);
    command.add("--enable-native-access=ALL-UNNAMED");
    command.add("-cp");
    command.add(classpath);
    command.add(mainClass);
    command.addAll(args);
    return new Builder(name, command);
  }

  /** A child running {@code command} as given. */
  public static Builder command(String name, List<String> command) {
    return new Builder(name, command);
  }

  /** Whether something on 127.0.0.1:{@code port} answers {@code GET path} with a 200 (plain HTTP). */
  public static boolean httpOk(int port, String path) {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(2_000);
      s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
          + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      InputStream in = s.getInputStream();
      byte[] status = in.readNBytes(12); // "HTTP/1.1 200"
      return new String(status, StandardCharsets.US_ASCII).endsWith(" 200");
    } catch (IOException e) {
      return false; // not listening yet
    }
  }

  /** Builds a {@link ChildProcess}; nothing starts until {@link ChildProcess#launch()}. */
  public static final class Builder {
    private final String name;
    private final List<String> command;
    private @Nullable Path dir;
    private @Nullable IntFunction<Path> logOfLaunch;
    private BooleanSupplier ready = () -> true;
    private final Map<String, String> environment = new HashMap<>();

    private Builder(String name, List<String> command) {
      this.name = name;
      this.command = List.copyOf(command);
    }

    /** The working directory (default: the JVM's); logs go there unless {@link #logs} says otherwise. */
    public Builder directory(Path dir) {
      this.dir = dir;
      return this;
    }

    /** The log file of the n-th launch (from 1); default {@code <dir>/<name>-<n>.log}. */
    public Builder logs(IntFunction<Path> logOfLaunch) {
      this.logOfLaunch = logOfLaunch;
      return this;
    }

    /** Environment variables set in the child, besides those it inherits from this JVM. */
    public Builder environment(Map<String, String> variables) {
      environment.putAll(variables);
      return this;
    }

    /** Ready when {@code GET path} on 127.0.0.1:{@code port} answers 200. */
    public Builder readyOnHttpGet(int port, String path) {
      return readyWhen(() -> httpOk(port, path));
    }

    /** Ready when {@code probe} holds; a probe that throws counts as not ready yet. */
    public Builder readyWhen(BooleanSupplier probe) {
      this.ready = probe;
      return this;
    }

    public ChildProcess build() {
      Path d = dir != null ? dir : Path.of("").toAbsolutePath();
      IntFunction<Path> logs = logOfLaunch != null ? logOfLaunch : n -> d.resolve(name + "-" + n + ".log");
      return new ChildProcess(name, command, d, logs, ready, environment);
    }

    /** {@link #build()}, then {@link ChildProcess#start()}. */
    public ChildProcess start() {
      return build().start();
    }
  }

  public String name() {
    return name;
  }

  /** Starts the child without waiting for it; {@link #awaitReady()} waits. */
  public ChildProcess launch() {
    if (isRunning()) {
      throw new IllegalStateException(name + " is already running");
    }
    launches++;
    Path file = logOfLaunch.apply(launches);
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(file.toFile());
      builder.environment().putAll(environment);
      Process p = builder.start();
      RUNNING.add(p);
      p.onExit().thenRun(() -> RUNNING.remove(p));
      log = file;
      process = p;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name + ": " + command, e);
    }
    return this;
  }

  /** {@link #launch()}, then {@link #awaitReady()}. */
  public ChildProcess start() {
    return launch().awaitReady();
  }

  /** Waits until the probe holds; fails with the log's tail when the child exits first or the time is up. */
  public ChildProcess awaitReady() {
    if (!awaitReadyOrExit()) {
      throw new AssertionError(name + " exited with " + running().exitValue() + " before it was ready:\n"
          + logTail());
    }
    return this;
  }

  /**
   * Waits until the probe holds (true) or the child exits first (false, e.g. its port was taken);
   * kills it and fails with the log's tail after {@link #START_TIMEOUT}.
   */
  public boolean awaitReadyOrExit() {
    Process p = running();
    Instant deadline = Instant.now().plus(START_TIMEOUT);
    while (Instant.now().isBefore(deadline)) {
      if (!p.isAlive()) {
        return false;
      }
      try {
        if (ready.getAsBoolean()) {
          return true;
        }
      } catch (RuntimeException e) {
        // not listening yet, or cut off while starting
      }
      LockSupport.parkNanos(Duration.ofMillis(50).toNanos()); // between probes, not a wait for an outcome
    }
    p.destroyForcibly();
    throw new AssertionError(name + " not ready within " + START_TIMEOUT + ":\n" + logTail());
  }

  /** Whether the last launch exited saying its address was in use (the port was taken after we chose it). */
  public boolean portWasTaken() {
    return !isRunning() && log().toLowerCase(Locale.ROOT).contains("in use");
  }

  public boolean isRunning() {
    Process p = process;
    return p != null && p.isAlive();
  }

  public long pid() {
    return running().pid();
  }

  /** SIGTERM and wait for the graceful stop; the exit code. */
  public int stop() {
    running().destroy();
    return awaitExit();
  }

  /** SIGKILL and wait: nothing in the child gets to run; the exit code. */
  public int kill() {
    running().destroyForcibly();
    return awaitExit();
  }

  /** Waits until the child exits by itself; its exit code. */
  public int awaitExit() {
    Process p = running();
    try {
      if (!p.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(name + " did not exit within " + EXIT_TIMEOUT + ":\n" + logTail());
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return p.exitValue();
  }

  private Process running() {
    Process p = process;
    if (p == null) {
      throw new IllegalStateException(name + " was never launched");
    }
    return p;
  }

  /** Everything the current (or last) launch wrote. */
  public String log() {
    try {
      Path file = log;
      return file != null && Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  /** The end of the current (or last) launch's log under a header naming the child, for failure messages. */
  public String logTail() {
    String all = log();
    String tail = all.length() <= LOG_TAIL_CHARS ? all : "..." + all.substring(all.length() - LOG_TAIL_CHARS);
    return "---- " + name + " (launch " + launches + ") ----\n" + tail;
  }

  /** Kills the child if it runs, and waits for it. */
  @Override
  public void close() {
    if (isRunning()) {
      kill();
    }
  }

  @Override
  public String toString() {
    return name;
  }
}
