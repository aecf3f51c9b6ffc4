package io.buildindex.server;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * This test JVM's class path with the project's own entries copied aside once, for the child
 * JVMs of cluster tests.
 *
 * <p>Why: a child loads classes lazily for as long as it runs, from the class directories and the
 * project's module jars in the local Maven repository. When another build in the same tree
 * recompiles or reinstalls a module meanwhile, a running node finds half-written or different
 * classes and fails requests with a 500 that has nothing to do with the test. Third-party jars
 * never change under a version, so only directories and {@code io/buildindex} jars are copied.
 * The copy is deleted when this JVM exits. Thread-safe.
 */
final class ClusterClasspath {
  private static final String PROJECT_ARTIFACTS = File.separator + "io" + File.separator + "buildindex" + File.separator;

  private ClusterClasspath() {}

  /** The class path for a child JVM, as one {@code -cp} argument. */
  static String get() {
    return Holder.CLASSPATH;
  }

  private static final class Holder {
    static final String CLASSPATH = snapshot(System.getProperty("java.class.path"));
  }

  private static String snapshot(String classpath) {
    try {
      Path root = Files.createTempDirectory("cluster-classpath");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(root), "delete-cluster-classpath"));
      List<String> entries = new ArrayList<>();
      int n = 0;
      for (String entry : classpath.split(File.pathSeparator)) {
        Path source = Path.of(entry);
        Path copy = root.resolve(n++ + "-" + source.getFileName());
        if (Files.isDirectory(source)) {
          copyTree(source, copy);
          entries.add(copy.toString());
        } else if (Files.isRegularFile(source) && entry.contains(PROJECT_ARTIFACTS)) {
          Files.copy(source, copy);
          entries.add(copy.toString());
        } else {
          entries.add(entry);
        }
      }
      return String.join(File.pathSeparator, entries);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy the class path aside", e);
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : files.toList()) {
        Path target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  private static void deleteQuietly(Path root) {
    try (Stream<Path> files = Files.walk(root)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // best effort: it is a temp directory
    }
  }
}
