package io.buildindex.server;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Sets the running JVM's manageable options (those HotSpot lets a program change after start-up,
 * e.g. {@code MaxHeapFreeRatio}) through {@link HotSpotDiagnosticMXBean}. Stateless.
 */
final class ManageableOptions {
  private ManageableOptions() {}

  /**
   * Sets each option in {@code values} (the Min* ones first); returns
   * those the JVM refused (not manageable, or a value out of range or inconsistent with another,
   * such as a MaxHeapFreeRatio below the MinHeapFreeRatio), as "name=value: why".
   */
  static List<String> set(Map<String, String> values) {
    List<String> refused = new ArrayList<>();
    HotSpotDiagnosticMXBean bean;
    try {
      bean = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
    } catch (LinkageError | IllegalArgumentException e) { // no jdk.management in this runtime
      values.forEach((k, v) -> refused.add(k + "=" + v + ": " + e));
      return refused;
    }
    // MinHeapFreeRatio first: lowering it first keeps Min <= Max at every step when both go down.
    values.entrySet().stream()
        .sorted((a, b) -> Boolean.compare(!a.getKey().startsWith("Min"), !b.getKey().startsWith("Min")))
        .forEach(e -> {
          try {
            bean.setVMOption(e.getKey(), e.getValue());
          } catch (RuntimeException ex) {
            refused.add(e.getKey() + "=" + e.getValue() + ": " + ex.getMessage());
          }
        });
    return refused;
  }
}
