package io.buildindex.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * ops/prometheus/alerts.yml is valid, its promtool unit tests pass, and it and the Grafana
 * dashboard ops/grafana/build-index.json name only metrics that GET /metrics has (README's metric
 * list, which {@link MetricsExpositionTest} holds equal to the scrape).
 */
final class AlertRulesTest {
  private static final Path PROMETHEUS = MetricsExpositionTest.repositoryRoot().resolve("ops/prometheus");
  private static final Path DASHBOARD = MetricsExpositionTest.repositoryRoot().resolve("ops/grafana/build-index.json");
  /** PromQL words that look like metric names: functions and aggregations are followed by '(' and dropped anyway. */
  private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
      "and", "or", "unless", "bool", "offset", "inf", "nan");
  private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

  @Test
  void promtoolCheckRules_succeeds() {
    PromTool.assumeInstalled();

    PromTool.Result r = PromTool.run(PROMETHEUS, "", "check", "rules", "alerts.yml");

    assertThat(r.exitCode()).as(r.output()).isZero();
    assertThat(r.output()).contains("SUCCESS: 10 rules found");
  }

  @Test
  void promtoolTestRules_passes() {
    PromTool.assumeInstalled();

    PromTool.Result r = PromTool.run(PROMETHEUS, "", "test", "rules", "alerts_test.yml");

    assertThat(r.exitCode()).as(r.output()).isZero();
    assertThat(r.output()).contains("SUCCESS");
  }

  @Test
  void everyAlert_hasAFiringAndAQuietUnitTest() throws IOException {
    JsonNode tests = new ObjectMapper(new YAMLFactory()).readTree(PROMETHEUS.resolve("alerts_test.yml").toFile());
    Set<String> firing = new TreeSet<>();
    Set<String> quiet = new TreeSet<>();
    for (JsonNode test : tests.get("tests")) {
      for (JsonNode c : test.get("alert_rule_test")) {
        (c.get("exp_alerts").isEmpty() ? quiet : firing).add(c.get("alertname").asText());
      }
    }

    assertThat(firing).isEqualTo(alertNames());
    assertThat(quiet).isEqualTo(alertNames());
  }

  @Test
  void alerts_nameOnlyExportedMetrics() throws IOException {
    List<String> exprs = new ArrayList<>();
    for (JsonNode group : new ObjectMapper(new YAMLFactory()).readTree(PROMETHEUS.resolve("alerts.yml").toFile()).get("groups")) {
      group.get("rules").forEach(rule -> exprs.add(rule.get("expr").asText()));
    }

    assertThat(exprs).hasSize(10);
    assertThat(metricsOf(exprs)).isSubsetOf(exported()).isNotEmpty();
  }

  @Test
  void dashboard_namesOnlyExportedMetrics() throws IOException {
    List<String> exprs = new ArrayList<>();
    JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
    dashboard.findValues("expr").forEach(e -> exprs.add(e.asText()));
    dashboard.get("templating").findValues("definition").forEach(e -> exprs.add(e.asText()));

    assertThat(exprs).hasSizeGreaterThan(20);
    Set<String> used = metricsOf(exprs);
    assertThat(used).isSubsetOf(exported());
    // The panels cover the server's own families, not only the JVM's.
    assertThat(used).contains("http_request_duration_seconds", "tagreplication_oldest_unfinished_seconds",
        "localdb_commit_duration_seconds", "tagstore_up", "build_info");
  }

  @Test
  void metricsOf_findsNamesInsideFunctionsAndLeavesLabelsOut() throws IOException {
    Set<String> names = metricsOf(List.of(
        "histogram_quantile(0.99, sum by (le, route) (rate(http_request_duration_seconds_bucket{route=~\"a|b\"}[5m])))",
        "nope_total > 1e3 and on (instance) tagstore_up == bool 0",
        "label_values(build_info, instance)"));

    assertThat(names).containsExactlyInAnyOrder("http_request_duration_seconds", "nope_total", "tagstore_up", "build_info");
  }

  private static Set<String> alertNames() throws IOException {
    Set<String> names = new TreeSet<>();
    for (JsonNode group : new ObjectMapper(new YAMLFactory()).readTree(PROMETHEUS.resolve("alerts.yml").toFile()).get("groups")) {
      group.get("rules").forEach(rule -> names.add(rule.get("alert").asText()));
    }
    return names;
  }

  /** README's families, with the series names of histograms and summaries ({@code _bucket}, {@code _sum}, {@code _count}). */
  private static Set<String> exported() throws IOException {
    return MetricsExpositionTest.readmeMetricNames();
  }

  /**
   * The metric families an expression names: identifiers outside strings, label matchers, range
   * brackets and {@code by (...)} lists that are no function call or keyword, with a histogram's
   * {@code _bucket}/{@code _sum}/{@code _count} mapped to its family when README lists that.
   */
  static Set<String> metricsOf(List<String> exprs) throws IOException {
    Set<String> families = exported();
    Set<String> names = new TreeSet<>();
    for (String expr : exprs) {
      String bare = expr.replaceAll("label_values\\(([^,)]*),[^)]*\\)", "$1") // Grafana's: (metric, label)
          .replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"")
          .replaceAll("\\{[^}]*}", " ")
          .replaceAll("\\[[^]]*]", " ")
          .replaceAll("(?i)\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
      Matcher m = IDENTIFIER.matcher(bare);
      while (m.find()) {
        String id = m.group();
        int next = m.end();
        while (next < bare.length() && bare.charAt(next) == ' ') {
          next++;
        }
        boolean call = next < bare.length() && bare.charAt(next) == '(';
        boolean number = m.start() > 0 && Character.isDigit(bare.charAt(m.start() - 1)); // 1e9, 3h
        if (call || number || KEYWORDS.contains(id.toLowerCase())) {
          continue;
        }
        String family = id.replaceFirst("_(bucket|sum|count)$", "");
        names.add(!families.contains(id) && families.contains(family) ? family : id);
      }
    }
    return names;
  }
}
