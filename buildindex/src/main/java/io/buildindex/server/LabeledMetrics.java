package io.buildindex.server;

import io.prometheus.metrics.model.snapshots.Labels;

/**
 * Dropwizard names that carry Prometheus labels: {@code family<TAB>key=value<TAB>key=value}, made
 * by {@link #name}. Modules name per-destination or per-route metrics that way (tagreplication has
 * its own copy of {@link #name}, as it cannot depend on the server); {@link CatalogCollector}
 * exports all names of one family as one Prometheus family with a series per label set.
 */
final class LabeledMetrics {
  static final char SEPARATOR = '\t';

  private LabeledMetrics() {}

  /** {@code name("http_requests", "route", "GET /tags/{tag}")}. */
  static String name(String family, String... labelPairs) {
    StringBuilder b = new StringBuilder(family);
    for (int i = 0; i + 1 < labelPairs.length; i += 2) {
      b.append(SEPARATOR).append(labelPairs[i]).append('=').append(labelPairs[i + 1]);
    }
    return b.toString();
  }

  /** The family of a name: all of it, or what precedes its labels. */
  static String family(String name) {
    int tab = name.indexOf(SEPARATOR);
    return tab < 0 ? name : name.substring(0, tab);
  }

  /** The labels of a name, empty when it has none. */
  static Labels labels(String name) {
    int tab = name.indexOf(SEPARATOR);
    if (tab < 0) {
      return Labels.EMPTY;
    }
    Labels.Builder b = Labels.builder();
    for (String pair : name.substring(tab + 1).split(String.valueOf(SEPARATOR))) {
      int eq = pair.indexOf('=');
      b.label(pair.substring(0, eq), pair.substring(eq + 1));
    }
    return b.build();
  }
}
