package io.buildindex.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Rewrites a parsed Kraken build-index configuration into ours before it is bound: drops the
 * {@link KrakenKeys#IGNORED} keys, maps Kraken's spellings onto our keys, and sets aside an
 * {@code auth} section of Kraken's shape (backend credentials, not bearer tokens). Whatever is
 * neither ours nor Kraken's is left for the binder, which refuses it naming the key.
 *
 * <p>Design: the rewrite works on the YAML tree rather than on the records so that the records
 * keep one spelling each and stay strict; where both spellings are set, ours wins and Kraken's is
 * reported as ignored. Not thread-safe (one instance per load).
 */
final class KrakenCompat {
  private final List<String> ignored = new ArrayList<>();
  private final List<String> warnings = new ArrayList<>();

  /** Rewrites {@code root} in place; then {@link #warnings()} says what was ignored. */
  void adapt(ObjectNode root) {
    for (String path : KrakenKeys.IGNORED) {
      remove(root, path);
    }
    healthcheck(root);
    workerPools(root);
    auth(root);
  }

  /** At most one line naming every ignored Kraken key, then one per other notice. */
  List<String> warnings() {
    List<String> out = new ArrayList<>();
    if (!ignored.isEmpty()) {
      out.add("ignored Kraken keys: " + String.join(", ", ignored));
    }
    out.addAll(warnings);
    return List.copyOf(out);
  }

  private void remove(ObjectNode root, String path) {
    String[] parts = path.split("\\.");
    JsonNode node = root;
    for (int i = 0; i < parts.length - 1; i++) {
      node = node.get(parts[i]);
      if (node == null || !node.isObject()) {
        return; // absent, or not a mapping: the binder reports that
      }
    }
    if (((ObjectNode) node).remove(parts[parts.length - 1]) != null) {
      ignored.add(path);
    }
  }

  /** Kraken's {@code cluster.healthcheck.filter.{fails,passes,timeout}} and {@code monitor.interval}. */
  private void healthcheck(ObjectNode root) {
    JsonNode cluster = root.get("cluster");
    JsonNode healthcheck = cluster == null ? null : cluster.get("healthcheck");
    if (healthcheck == null || !healthcheck.isObject()) {
      return;
    }
    ObjectNode ours = (ObjectNode) healthcheck;
    for (Map.Entry<String, Map<String, String>> group : new java.util.TreeMap<>(KrakenKeys.HEALTHCHECK_ALIASES).entrySet()) {
      String groupPath = "cluster.healthcheck." + group.getKey();
      JsonNode kraken = ours.remove(group.getKey());
      if (kraken == null || kraken.isNull()) {
        continue;
      }
      if (!kraken.isObject()) {
        throw new ConfigException(groupPath, "want a mapping of " + new TreeSet<>(group.getValue().keySet()));
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = kraken.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        String target = group.getValue().get(field.getKey());
        if (target == null) {
          throw new ConfigException(groupPath + "." + field.getKey(),
              "unknown key (known keys: " + String.join(", ", new TreeSet<>(group.getValue().keySet())) + ")");
        }
        if (ours.has(target)) {
          ignored.add(groupPath + "." + field.getKey()); // ours is set too, and wins
        } else {
          ours.set(target, field.getValue());
        }
      }
    }
  }

  /** Kraken's {@code num_incoming_workers} + {@code num_retry_workers} become {@code num_workers}. */
  private void workerPools(ObjectNode root) {
    JsonNode section = root.get("tag_replication");
    if (section == null || !section.isObject()) {
      return;
    }
    ObjectNode replication = (ObjectNode) section;
    JsonNode incoming = replication.remove("num_incoming_workers");
    JsonNode retry = replication.remove("num_retry_workers");
    if (incoming == null && retry == null) {
      return;
    }
    if (replication.has("num_workers")) {
      if (incoming != null) {
        ignored.add("tag_replication.num_incoming_workers");
      }
      if (retry != null) {
        ignored.add("tag_replication.num_retry_workers");
      }
      return;
    }
    int sum = workers("num_incoming_workers", incoming, KrakenKeys.DEFAULT_INCOMING_WORKERS)
        + workers("num_retry_workers", retry, KrakenKeys.DEFAULT_RETRY_WORKERS);
    replication.set("num_workers", IntNode.valueOf(sum));
  }

  /** Kraken reads a missing or 0 pool size as its default. */
  private static int workers(String key, JsonNode value, int krakenDefault) {
    if (value == null || value.isNull()) {
      return krakenDefault;
    }
    if (!value.isInt() || value.asInt() < 0) {
      throw new ConfigException("tag_replication." + key, "want a number >= 0, got " + value);
    }
    return value.asInt() == 0 ? krakenDefault : value.asInt();
  }

  /**
   * Kraken's {@code auth} maps backend names to their credentials ({@code s3: {...}}); ours holds
   * bearer tokens. A section with none of our keys whose every value is a mapping is Kraken's:
   * set aside with a warning. Anything else is ours, and a typo in it still stops start-up.
   */
  private void auth(ObjectNode root) {
    JsonNode auth = root.get("auth");
    if (auth == null || !auth.isObject() || auth.isEmpty()) {
      return;
    }
    List<String> backends = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = auth.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      if (KrakenKeys.OUR_AUTH_KEYS.contains(field.getKey()) || !field.getValue().isObject()) {
        return;
      }
      backends.add(field.getKey());
    }
    root.remove("auth");
    warnings.add("auth holds Kraken's backend credentials (" + String.join(", ", backends)
        + "): ignored, as this server has no storage backends; its bearer tokens are auth.tokens and"
        + " auth.client_token, and without them the server is open");
  }
}
