package io.buildindex.server;

import java.io.PrintStream;
import java.util.List;

/**
 * The command line's informational options, {@code --help} and {@code --version}: answered before
 * any configuration is read (a node that cannot start can still say what it is), on standard
 * output, exit code 0. Stateless.
 */
final class Usage {
  /** The full help, also printed (to standard error) after a bad argument. */
  static final String TEXT = """
      usage: buildindex [--config FILE] [--port N]
             buildindex migrate --from SQLITE_FILE --to-config CONFIG_FILE [--batch N]
             buildindex --version | --help

      Runs a build-index node (a tag server for container images, Kraken build-index compatible).
      With no arguments: one open node on 127.0.0.1:15004 storing under ./data.

      Options:
        --config FILE  the YAML configuration (keys: README, "Configuration"); --config=FILE too
        --port N       listen on port N instead of the configured one; --port=N too
        --version      print the version, git revision and Java runtime, then exit
        --help, -h     print this help, then exit

      migrate: copies a stopped SQLite node's data (tags, history, tombstones, replication tasks,
      backfill and verification state) into the PostgreSQL database of CONFIG_FILE's
      database.postgres section, N rows per committed batch (default 1000). Idempotent and
      resumable: run it again after an interruption. Exit 0 when everything is copied.

      Configuration file: values may name environment variables, ${VAR} (start-up fails naming
      the key and the variable when VAR is not set; $${ is a literal ${), and every secret has a
      *_file twin reading it from a file (token_file, client_token_file, password_file).
      The container image reads /etc/build-index/config.yaml and stores under /var/lib/build-index.

      Environment:
        BUILDINDEX_LOG_LEVEL  root log level (default INFO)
        BUILDINDEX_LOG_FORMAT text or json (log lines; overrides logging.format)
        JAVA_TOOL_OPTIONS     JVM options, e.g. -Xmx512m; without memory or GC options, java -jar
                              runs the server in a child JVM with memory defaults (README,
                              "Running in production")
        BUILDINDEX_JVM_DEFAULTS false: no child JVM, the server runs in the JVM java started

      Exit codes: 0 stopped, 1 cannot start (e.g. the database is held by another node),
      2 bad arguments or configuration (the message names the key).
      """;

  private static final List<String> HELP = List.of("--help", "-h");
  private static final String VERSION = "--version";

  private Usage() {}

  /** Prints the help or the version to {@code out} when {@code args} ask for either; whether they did. */
  static boolean answered(String[] args, PrintStream out) {
    List<String> given = List.of(args);
    if (given.stream().anyMatch(HELP::contains)) {
      out.print(TEXT);
    } else if (given.contains(VERSION)) {
      out.println(BuildInfo.current().line());
    } else {
      return false;
    }
    out.flush();
    return true;
  }
}
