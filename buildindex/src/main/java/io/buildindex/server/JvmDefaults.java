package io.buildindex.server;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Decides whether {@code java -jar buildindex.jar} should run the server in a child JVM with memory
 * defaults, and which: a jar cannot set its own heap limit, and without one the JVM sizes its heap
 * from the machine (a quarter of its memory) rather than from the data, which is small. Pure: the
 * inputs are the JVM's options, the environment, the runtime's feature version and the configured
 * read-cache size. Stateless.
 *
 * <p>Design: the defaults apply only when the operator gave the JVM no memory or GC options of
 * their own, anywhere the JVM reads them (command line, {@code JAVA_TOOL_OPTIONS},
 * {@code JDK_JAVA_OPTIONS}, {@code _JAVA_OPTIONS}); a JVM with an agent or a debugger attached is
 * left alone too (a second JVM would load it again, or fail to bind the debug port), and
 * {@code BUILDINDEX_JVM_DEFAULTS=false} turns them off. Sizes, measured in BENCHMARKS.md ("Memory"):
 * <ul>
 *   <li>{@code -Xmx}: {@value #BASE_HEAP_MIB} MiB for the server itself (Jetty, Jackson, SQLite
 *   statements, replication batches: under 10 MiB live, the young generation's 16 MiB, the rest
 *   head-room for bursts of requests) plus {@value #HEAP_BYTES_PER_CACHE_ENTRY} bytes per
 *   configured read-cache entry (an entry measured ~400 bytes with its tag and record on Java 25,
 *   ~500 before: the old generation holds the full cache and the evicted entries that die there
 *   between two full collections). The limit is the heap's footprint, not a ceiling rarely
 *   reached: under a cache that churns, the serial collector grows the old generation to its
 *   maximum before it collects it (it counts uncommitted space as room for promotion);
 *   <li>the serial collector: on a heap this size it has the smallest footprint (G1 committed
 *   ~37 MiB of native bookkeeping in the same server) and no worse throughput on few cores;
 *   <li>{@code -Xms} small and {@code Min/MaxHeapFreeRatio} 10/30, so the heap follows the live data
 *   after each full collection instead of staying at its high-water mark; a floor under the young
 *   generation ({@link #MIN_YOUNG_MIB}), which would otherwise be collected hundreds of times a
 *   second under load;
 *   <li>{@code MALLOC_ARENA_MAX=2}: glibc otherwise gives each carrier thread calling into SQLite its
 *   own malloc arena; and, from Java 22, {@code TrimNativeHeapInterval} hands freed native memory
 *   back to the system; from Java 25, compact object headers (a cached tag is a dozen small objects).
 * </ul>
 */
final class JvmDefaults {
  /** Set to {@code false} to run the server in the JVM {@code java} started, with its own defaults. */
  static final String ENABLE_ENV = "BUILDINDEX_JVM_DEFAULTS";
  /** Heap for everything but the read cache. */
  static final int BASE_HEAP_MIB = 40;
  /** Heap per configured read-cache entry, with the collector's head-room (see the design note). */
  static final int HEAP_BYTES_PER_CACHE_ENTRY = 768;
  /** Initial heap: the young generation's floor plus a little. */
  static final int INITIAL_HEAP_MIB = 24;
  /**
   * Floor of the young generation. The serial collector sizes it as a third of the heap, i.e. a
   * few MiB while the heap is small; a request allocates tens of KiB (its virtual thread's stack
   * chunks, Javalin's copy buffer), so a hot GET load then collected 190 times a second. With 16
   * MiB: 70 a second and 15% less CPU per hot GET, for ~15 MiB more RSS (BENCHMARKS.md, "Memory").
   */
  static final int MIN_YOUNG_MIB = 16;
  /** Never more: a configured cache larger than the heap could hold is the operator's to size with -Xmx. */
  static final int MAX_HEAP_MIB = 4096;
  /** Where the JVM reads options besides its command line. */
  static final List<String> OPTION_VARIABLES = List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS");

  /*
   * Memory: heap sizes, RAM fractions, young-generation sizes. GC: any collector choice. Tools: agents,
   * which a relaunch would start twice (a jdwp agent's port would be taken by this JVM).
   */
  private static final Pattern OPERATOR_OPTION = Pattern.compile(
      "-Xm[xsn].*|-XX:(Max|Initial|Min)HeapSize=.*|-XX:(Max|Min|Initial)RAM(Percentage|Fraction)?=.*"
          + "|-XX:(Max)?NewSize=.*|-XX:[+-]Use\\w*GC|-XX:SoftMaxHeapSize=.*"
          + "|-agentlib:.*|-agentpath:.*|-javaagent:.*|-Xrunjdwp.*|-Xdebug");

  private JvmDefaults() {}

  /** What {@link #decide} found: relaunch with {@code jvmOptions} and {@code environment}, or run here and why. */
  record Decision(boolean relaunch, List<String> jvmOptions, Map<String, String> environment, String reason) {
    Decision {
      jvmOptions = List.copyOf(jvmOptions);
      environment = Map.copyOf(environment);
    }

    static Decision stay(String reason) {
      return new Decision(false, List.of(), Map.of(), reason);
    }
  }

  /**
   * @param jvmArguments this JVM's options as {@code RuntimeMXBean.getInputArguments()} lists them
   *     (they include what {@code JAVA_TOOL_OPTIONS} and {@code JDK_JAVA_OPTIONS} added)
   * @param environment this process's environment
   * @param javaFeature the runtime's feature version ({@code Runtime.version().feature()}): the
   *     child runs the same java binary
   * @param cacheEntries the configured {@code tagstore.cache_maximum_size}
   */
  static Decision decide(List<String> jvmArguments, Map<String, String> environment, int javaFeature, long cacheEntries) {
    String stay = reasonToStay(jvmArguments, environment);
    if (stay != null) {
      return Decision.stay(stay);
    }
    return new Decision(true, options(javaFeature, cacheEntries), Map.of("MALLOC_ARENA_MAX", "2"), "no memory options given");
  }

  /**
   * Why the server should run in this JVM whatever the configuration says (turned off, or the
   * operator's own options); null when {@link #decide} relaunches. Lets the launcher skip reading
   * the configuration (~0.9 s in a cold JVM) when it would not use it.
   */
  static @Nullable String reasonToStay(List<String> jvmArguments, Map<String, String> environment) {
    if ("false".equalsIgnoreCase(environment.getOrDefault(ENABLE_ENV, "").strip())) {
      return ENABLE_ENV + "=false";
    }
    String given = operatorOption(jvmArguments, environment);
    return given == null ? null : "the JVM was given " + given;
  }

  /**
   * For a JVM that runs the server with the operator's own memory options: the manageable options
   * (set at start-up through {@link ManageableOptions}) that let its heap follow the live data
   * without changing any limit the operator chose: the heap free ratios unless either was given,
   * and under G1 a periodic collection after 5 idle minutes (G1 returns memory only after a
   * collection) unless one was configured.
   */
  static Map<String, String> manageable(List<String> jvmArguments, boolean g1) {
    Map<String, String> options = new LinkedHashMap<>();
    if (jvmArguments.stream().noneMatch(a -> a.matches("-XX:M(in|ax)HeapFreeRatio=.*"))) {
      options.put("MinHeapFreeRatio", "10");
      options.put("MaxHeapFreeRatio", "30");
    }
    if (g1 && jvmArguments.stream().noneMatch(a -> a.startsWith("-XX:G1PeriodicGCInterval="))) {
      options.put("G1PeriodicGCInterval", "300000");
    }
    return options;
  }

  /** The child's memory options for a read cache of {@code cacheEntries}. */
  static List<String> options(int javaFeature, long cacheEntries) {
    long heapMib = Math.min(MAX_HEAP_MIB, BASE_HEAP_MIB + Math.max(0, cacheEntries) * HEAP_BYTES_PER_CACHE_ENTRY / (1024 * 1024));
    List<String> options = List.of("-Xmx" + heapMib + "m", "-Xms" + INITIAL_HEAP_MIB + "m",
        "-XX:NewSize=" + MIN_YOUNG_MIB + "m", "-XX:+UseSerialGC",
        "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=30");
    // Product options from Java 22 and 25 (experimental before): an unknown -XX option stops the JVM.
    if (javaFeature >= 22) {
      options = concat(options, "-XX:TrimNativeHeapInterval=5000");
    }
    if (javaFeature >= 25) { // 8-byte object headers (JEP 519): the read cache is many small objects
      options = concat(options, "-XX:+UseCompactObjectHeaders");
    }
    return options;
  }

  /** The first option in {@code jvmArguments} or the option variables that is the operator's choice of memory or GC; else null. */
  static @Nullable String operatorOption(List<String> jvmArguments, Map<String, String> environment) {
    for (String a : jvmArguments) {
      if (OPERATOR_OPTION.matcher(a.strip()).matches()) {
        return a.strip();
      }
    }
    // Normally already among the arguments; checked too in case a launcher did not pass them on.
    for (String variable : OPTION_VARIABLES) {
      for (String a : environment.getOrDefault(variable, "").strip().split("\\s+")) {
        if (OPERATOR_OPTION.matcher(a).matches()) {
          return a + " (" + variable + ")";
        }
      }
    }
    return null;
  }

  private static List<String> concat(List<String> a, String b) {
    List<String> all = new ArrayList<>(a);
    all.add(b);
    return List.copyOf(all);
  }
}
