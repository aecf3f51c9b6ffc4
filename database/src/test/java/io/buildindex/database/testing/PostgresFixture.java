package io.buildindex.database.testing;

import com.codahale.metrics.MetricRegistry;
import io.buildindex.database.Databases;
import io.buildindex.database.LocalDb;
import io.buildindex.database.PostgresSettings;
import io.buildindex.testing.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;

/**
 * A throwaway real PostgreSQL for shared-mode tests: one server per test JVM (Debian's
 * {@code postgresql} package, {@code initdb} + {@code pg_ctl} in a temporary directory on a free
 * 127.0.0.1 port, fsync off since nothing outlives the run), and a fresh database per
 * {@link #create()}. The server stops when the JVM exits. {@link #stopServer()} and
 * {@link #startServer()} stop and start it again on the same port and data, for outage tests.
 * PostgreSQL refuses to run as root, so as root its commands run as the {@code postgres} user
 * ({@code runuser -u postgres --}). Skips the test (a JUnit assumption) only when no PostgreSQL
 * binaries are installed ({@code .ci/run} installs them). Not thread-safe: use from the test thread.
 *
 * <pre>{@code
 * try (PostgresFixture pg = PostgresFixture.create()) {
 *   LocalDb db = pg.open("tagstore");   // closed with the fixture
 * }
 * }</pre>
 */
public final class PostgresFixture implements AutoCloseable {
  public static final String USER = "postgres";
  public static final String PASSWORD = "fixture-secret";
  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static @Nullable Server server;

  private final String database;
  private final List<LocalDb> opened = new ArrayList<>();

  private PostgresFixture(String database) {
    this.database = database;
  }

  /** A new empty database on the run's server (started on first use). */
  public static PostgresFixture create() {
    Server s = server();
    String name = "test_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
    try (Connection c = DriverManager.getConnection(s.url("postgres"), USER, PASSWORD);
        Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create test database: " + e.getMessage() + "\n" + s.logTail(), e);
    }
    return new PostgresFixture(name);
  }

  private static synchronized Server server() {
    if (server == null) {
      Optional<Path> bin = binaries();
      Assumptions.assumeTrue(bin.isPresent(),
          "PostgreSQL is not installed (no /usr/lib/postgresql/<version>/bin/initdb): apt-get install postgresql");
      server = Server.start(bin.get());
    }
    return server;
  }

  /** The newest installed version's binaries. */
  static Optional<Path> binaries() {
    Path root = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(root)) {
      return Optional.empty();
    }
    try (Stream<Path> versions = Files.list(root)) {
      return versions.map(v -> v.resolve("bin"))
          .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
          .max(Comparator.comparingInt(b -> versionOf(b.getParent().getFileName().toString())));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static int versionOf(String name) {
    try {
      return Integer.parseInt(name.replaceAll("[^0-9].*", ""));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  public String url() {
    return server().url(database);
  }

  public String user() {
    return USER;
  }

  public String password() {
    return PASSWORD;
  }

  public int port() {
    return server().port;
  }

  public String databaseName() {
    return database;
  }

  public PostgresSettings settings() {
    return new PostgresSettings(url(), USER, PASSWORD, 8);
  }

  /** Opens a {@link LocalDb} on this database with {@code modules}' migrations applied; closed by {@link #close()}. */
  public LocalDb open(String... modules) {
    return open(new MetricRegistry(), modules);
  }

  public LocalDb open(MetricRegistry metrics, String... modules) {
    LocalDb db = Databases.postgres(settings(), metrics);
    opened.add(db);
    for (String module : modules) {
      db.migrate(module);
    }
    return db;
  }

  /** A plain JDBC connection (autocommit) to this database, for a test's own checks. */
  public Connection connect() throws SQLException {
    return DriverManager.getConnection(url(), USER, PASSWORD);
  }

  /** Stops the server (fast shutdown: connections are closed); {@link #startServer()} brings it back. */
  public void stopServer() {
    server().stop();
  }

  public void startServer() {
    server().startAgain();
  }

  @Override
  public void close() {
    opened.forEach(LocalDb::close);
    opened.clear();
  }

  /** The run's PostgreSQL server process, owned by {@code pg_ctl}. */
  private static final class Server {
    private final Path bin;
    private final Path dir;
    private final int port;
    private final boolean asPostgresUser;

    private Server(Path bin, Path dir, int port, boolean asPostgresUser) {
      this.bin = bin;
      this.dir = dir;
      this.port = port;
      this.asPostgresUser = asPostgresUser;
    }

    static Server start(Path bin) {
      boolean root = "root".equals(System.getProperty("user.name"));
      try {
        Path dir = Files.createTempDirectory("pgfixture");
        Files.writeString(dir.resolve("pwfile"), PASSWORD + "\n", StandardCharsets.UTF_8);
        if (root) {
          run(List.of("chown", "-R", "postgres:postgres", dir.toString()), dir);
        }
        Server s = new Server(bin, dir, FreePorts.one(), root);
        s.pg("initdb", "-D", dir.resolve("data").toString(), "-U", USER, "--pwfile=" + dir.resolve("pwfile"),
            "--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync");
        s.startAgain();
        Runtime.getRuntime().addShutdownHook(new Thread(s::destroy, "pgfixture-stop"));
        return s;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    String url(String database) {
      return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    void startAgain() {
      pg("pg_ctl", "start", "-w", "-t", "60", "-D", dir.resolve("data").toString(), "-l", dir.resolve("server.log").toString(),
          "-o", "-p " + port + " -c listen_addresses=127.0.0.1 -k " + dir + " -c fsync=off -c full_page_writes=off"
              + " -c max_connections=300 -c shared_buffers=32MB");
    }

    void stop() {
      pg("pg_ctl", "stop", "-w", "-t", "60", "-m", "fast", "-D", dir.resolve("data").toString());
    }

    private void destroy() {
      try {
        pg("pg_ctl", "stop", "-w", "-m", "immediate", "-D", dir.resolve("data").toString());
      } catch (RuntimeException e) {
        // already stopped
      }
      try {
        run(List.of("rm", "-rf", dir.toString()), dir.getParent());
      } catch (RuntimeException e) {
        // best effort at JVM exit
      }
    }

    String logTail() {
      try {
        List<String> lines = Files.readAllLines(dir.resolve("server.log"));
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
      } catch (IOException e) {
        return "(no server log: " + e.getMessage() + ")";
      }
    }

    private void pg(String tool, String... args) {
      List<String> cmd = new ArrayList<>();
      if (asPostgresUser) {
        cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
      }
      cmd.add(bin.resolve(tool).toString());
      cmd.addAll(List.of(args));
      try {
        run(cmd, dir);
      } catch (IllegalStateException e) {
        throw new IllegalStateException(e.getMessage() + "\n" + logTail(), e);
      }
    }

    private static void run(List<String> cmd, Path workDir) {
      try {
        Process p = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes(); // pg_ctl -w returns once the server is ready
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
          throw new IllegalStateException(String.join(" ", cmd) + " failed:\n" + new String(out, StandardCharsets.UTF_8));
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted running " + cmd.get(0), e);
      }
    }
  }
}
