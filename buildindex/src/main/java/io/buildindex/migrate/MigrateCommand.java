package io.buildindex.migrate;

import com.codahale.metrics.MetricRegistry;
import io.buildindex.config.ConfigException;
import io.buildindex.config.ConfigLoader;
import io.buildindex.database.Databases;
import io.buildindex.database.StoreUnavailableException;
import io.buildindex.database.Dialect;
import io.buildindex.database.LocalDb;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code java -jar buildindex.jar migrate --from data/index.db --to-config cluster.yaml}: copies a
 * SQLite node's data (tags and tombstones with their generations, history, replication tasks not
 * done, backfill cursors, verification state) into the PostgreSQL database that the configuration's
 * {@code database.postgres} section names, applying both databases' migrations first. Idempotent
 * and resumable ({@link SqliteImport}): run it again after an interruption, or to be sure. Stop the
 * SQLite node first (the command takes its data directory's lock, so it refuses while the node
 * runs), and run it before the shared-mode nodes start on the database (they cache tags and are
 * not told of rows this command writes).
 *
 * <p>Exit codes: 0 done (every part copied), 1 the databases failed, 2 bad arguments or
 * configuration.
 */
public final class MigrateCommand {
  /** The subcommand's name, the first argument. */
  public static final String NAME = "migrate";
  static final String USAGE = "usage: buildindex migrate --from SQLITE_FILE --to-config CONFIG_FILE [--batch N]";

  private MigrateCommand() {}

  /** What the command line asks. */
  record Arguments(Path from, Path toConfig, int batch) {
    /** Parses the arguments after {@code migrate}; throws {@link IllegalArgumentException} naming the problem. */
    static Arguments parse(List<String> args) {
      Path from = null;
      Path toConfig = null;
      int batch = SqliteImport.DEFAULT_BATCH;
      for (int i = 0; i < args.size(); i++) {
        String arg = args.get(i);
        int eq = arg.startsWith("--") ? arg.indexOf('=') : -1;
        String flag = eq < 0 ? arg : arg.substring(0, eq);
        String value = eq >= 0 ? arg.substring(eq + 1) : i + 1 < args.size() ? args.get(++i) : null;
        if (value == null) {
          throw new IllegalArgumentException(flag + " needs a value");
        }
        switch (flag) {
          case "--from" -> from = Path.of(value);
          case "--to-config" -> toConfig = Path.of(value);
          case "--batch" -> batch = batch(value);
          default -> throw new IllegalArgumentException("unknown argument \"" + arg + "\"");
        }
      }
      if (from == null || toConfig == null) {
        throw new IllegalArgumentException("--from and --to-config are required");
      }
      return new Arguments(from, toConfig, batch);
    }

    private static int batch(String value) {
      try {
        int n = Integer.parseInt(value);
        if (n < 1 || n > 100_000) {
          throw new IllegalArgumentException("--batch must be 1 to 100000, got " + value);
        }
        return n;
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--batch wants a number, got \"" + value + "\"");
      }
    }
  }

  /**
   * Runs the command for {@code args} (those after {@code migrate}); returns the exit code. Messages
   * go to {@code out} (progress) and {@code err} (failures).
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    Arguments a;
    LocalDb target;
    try {
      a = Arguments.parse(List.of(args));
      if (!Files.isRegularFile(a.from())) {
        throw new IllegalArgumentException("--from: no SQLite database at " + a.from());
      }
      target = Targets.open(ConfigLoader.load(a.toConfig()));
    } catch (ConfigException | IllegalArgumentException e) {
      err.println("build-index migrate: " + e.getMessage());
      if (!(e instanceof ConfigException)) {
        err.println(USAGE);
      }
      return 2;
    } catch (StoreUnavailableException e) {
      err.println("build-index migrate: cannot open the PostgreSQL database: " + rootMessage(e));
      return 1;
    }
    try (target) {
      return migrate(a.from(), target, a.batch(), Long.MAX_VALUE, out) ? 0 : 1;
    } catch (StoreUnavailableException e) {
      err.println("build-index migrate: " + rootMessage(e) + " (run the command again to resume)");
      return 1;
    }
  }

  private static String rootMessage(Throwable e) {
    StringBuilder b = new StringBuilder(String.valueOf(e.getMessage()));
    for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
      b.append(": ").append(c.getMessage());
    }
    return b.toString();
  }

  /**
   * Copies {@code from} (an existing SQLite file, whose node is stopped) into {@code target}, in
   * batches of {@code batch} rows, stopping after {@code maxBatches} (see {@link SqliteImport#run});
   * reports progress on {@code out}. Returns whether every part is copied.
   */
  static boolean migrate(Path from, LocalDb target, int batch, long maxBatches, PrintStream out) {
    if (!Files.isRegularFile(from)) {
      throw new IllegalArgumentException("--from: no SQLite database at " + from);
    }
    if (target.dialect() != Dialect.POSTGRES) {
      throw new IllegalArgumentException("the target is not a PostgreSQL database (database.postgres)");
    }
    try (LocalDb source = Databases.sqlite(from, new MetricRegistry())) {
      // An older node's file may lack later columns: the node itself would add them at its next start.
      source.migrate("tagstore");
      source.migrate("tagreplication");
      target.migrate("tagstore");
      target.migrate("tagreplication");
      SqliteImport copy = new SqliteImport(source, target, from.toAbsolutePath().normalize().toString(), batch);
      List<SqliteImport.PartResult> results = copy.run(maxBatches, line -> out.println("migrate: " + line));
      results.stream().filter(SqliteImport.PartResult::alreadyDone)
          .forEach(r -> out.println("migrate: " + r.part() + ": already copied"));
      boolean complete = copy.complete();
      out.println(complete ? "migrate: done" : "migrate: stopped before the end; run the command again to resume");
      return complete;
    }
  }
}
