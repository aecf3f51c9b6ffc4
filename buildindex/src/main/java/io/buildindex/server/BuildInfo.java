package io.buildindex.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * What this build is: the Maven project version and the git revision it was built from (both
 * written into {@code build.properties} by Maven's resource filtering; the revision only when the
 * build was given {@code -Dbuildindex.revision}, as {@code ops/image/build.sh} does), and the Java
 * runtime it runs on. Fields never null: {@value #UNKNOWN} stands for what the build did not record.
 */
record BuildInfo(String version, String revision, String java) {
  /** For a value the build did not record (an unfiltered resource, no revision given). */
  static final String UNKNOWN = "unknown";
  private static final String RESOURCE = "build.properties";

  /** This build, on this runtime. */
  static BuildInfo current() {
    Properties p = new Properties();
    try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
    String vendor = System.getProperty("java.vendor", "");
    return new BuildInfo(known(p.getProperty("version")), known(p.getProperty("revision")),
        System.getProperty("java.version") + (vendor.isEmpty() ? "" : " (" + vendor + ")"));
  }

  /** {@code build-index 0.1.0 (revision 3c52c84) on Java 25.0.1 (Eclipse Adoptium)}. */
  String line() {
    return "build-index " + version + " (revision " + revision + ") on Java " + java;
  }

  /** Empty, or a placeholder Maven did not replace (running from unfiltered sources), is unknown. */
  private static String known(String value) {
    return value == null || value.isBlank() || value.startsWith("${") ? UNKNOWN : value.strip();
  }
}
