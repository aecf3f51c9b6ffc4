package io.buildindex.migrate;

import com.codahale.metrics.MetricRegistry;
import io.buildindex.database.Databases;
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
  record Arguments(Path from, Path toConfig, int batch) {}

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
