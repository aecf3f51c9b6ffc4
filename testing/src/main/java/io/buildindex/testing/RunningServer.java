package io.buildindex.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.function.Function;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension for "a running server": register it on a static field and it starts one
 * server in a fresh temporary directory, per class or per test, before the class's own
 * {@code @BeforeAll} / {@code @BeforeEach} methods run, and closes it (and deletes the directory)
 * after the class or test:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final RunningServer<TestServer> server = RunningServer.perTest(TestServer::start);
 * ... server.get().putTag(...)
 * }</pre>
 *
 * @param <S> the server, started by a function of its directory
 */
public final class RunningServer<S extends AutoCloseable>
    implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {
  private final Function<Path, S> start;
  private final boolean perTest;
  private @Nullable S server;
  private @Nullable Path dir;

  private RunningServer(Function<Path, S> start, boolean perTest) {
    this.start = start;
    this.perTest = perTest;
  }

  /** One server for the whole class: the tests share its state. */
  public static <S extends AutoCloseable> RunningServer<S> perClass(Function<Path, S> start) {
    return new RunningServer<>(start, false);
  }

  /** A fresh server (and directory) for every test. */
  public static <S extends AutoCloseable> RunningServer<S> perTest(Function<Path, S> start) {
    return new RunningServer<>(start, true);
  }

  /** The running server. */
  public S get() {
    S s = server;
    if (s == null) {
      throw new IllegalStateException("no server running: register the extension on a static field");
    }
    return s;
  }

  /** The server's directory. */
  public Path dir() {
    Path d = dir;
    if (d == null) {
      throw new IllegalStateException("no server running");
    }
    return d;
  }

  /** Closes the running server and puts {@code next} (started by the test in {@link #dir()}) in its place. */
  public S replace(Function<Path, S> next) {
    close(get());
    server = null;
    server = next.apply(dir());
    return server;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    if (!perTest) {
      startServer();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (!perTest) {
      stopServer();
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    if (perTest) {
      startServer();
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (perTest) {
      stopServer();
    }
  }

  private void startServer() {
    try {
      dir = Files.createTempDirectory("running-server");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server = start.apply(dir);
  }

  private void stopServer() {
    S s = server;
    Path d = dir;
    server = null;
    dir = null;
    try {
      if (s != null) {
        close(s);
      }
    } finally {
      if (d != null) {
        deleteTree(d);
      }
    }
  }

  private static void close(AutoCloseable s) {
    try {
      s.close();
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("closing " + s, e);
    }
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + root, e);
    }
  }
}
