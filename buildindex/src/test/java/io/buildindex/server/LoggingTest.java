package io.buildindex.server;

import static io.buildindex.server.TestServer.digest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.buildindex.config.ConfigException;
import io.buildindex.config.ConfigLoader;
import io.buildindex.config.LoggingConfig;
import io.buildindex.testing.LogCapture;
import io.buildindex.testing.Poll;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The log's format ({@code logging.format}, {@code BUILDINDEX_LOG_FORMAT}) and the optional access log. */
final class LoggingTest {
  private static final String ACCESS = "io.buildindex.access";

  @TempDir Path dir;

  @Test
  void jsonFormat_fromConfig_everyLogLineOneJsonObjectWithFields() {
    try (ServerProcess server = ServerProcess.startWithYaml(dir, "logging:\n  format: json\n  access_log: true\n")) {
      assertThat(server.send("PUT", "/tags/team%2Fapp:v1/digest/" + digest(1)).status()).isEqualTo(200);

      List<JsonNode> lines = Poll.value(Poll.DEADLINE, "the access line of the PUT", () -> jsonLines(server.log()),
          l -> l.stream().anyMatch(LoggingTest::isPutAccess), server::log);
      JsonNode listening = lines.stream()
          .filter(j -> j.path("formattedMessage").asText().startsWith("build-index listening on")).findFirst().orElseThrow();
      assertThat(listening.get("level").asText()).isEqualTo("INFO");
      assertThat(listening.get("loggerName").asText()).isEqualTo(BuildIndexApp.class.getName());
      assertThat(listening.get("threadName").asText()).isNotEmpty();
      assertThat(listening.get("timestamp").asLong()).isPositive();
      JsonNode access = lines.stream().filter(LoggingTest::isPutAccess).findFirst().orElseThrow();
      assertThat(keyValues(access)).containsEntry("method", "PUT").containsEntry("path", "/tags/team%2Fapp:v1/digest/" + digest(1))
          .containsEntry("status", "200").containsEntry("remote", "127.0.0.1").containsKey("duration_ms");
      // Only the configuration's DEBUG line (the tests' logback-test.xml logs DEBUG) precedes the switch.
      assertThat(server.log().lines()).as("no text-format line at INFO or above").noneMatch(l -> l.matches(".* (INFO|WARN|ERROR) +\\[.*"));
    }
  }

  @Test
  void accessLog_on_oneLinePerRequest() {
    try (LogCapture access = LogCapture.of(ACCESS, Level.INFO);
         TestServer server = TestServer.start(dir, "logging:\n  access_log: true\n")) {
      server.putTag("team/app:v1", digest(1));
      server.getTag("team/app:nope");

      Poll.until(Poll.DEADLINE, "two access lines", () -> access.messages(Level.INFO).size() == 2, access::events);
      assertThat(access.messages(Level.INFO).get(0)).matches("PUT /tags/team%2Fapp:v1/digest/sha256:[0-9a-f]{64} 200 [0-9.]+ms 127\\.0\\.0\\.1");
      assertThat(access.messages(Level.INFO).get(1)).matches("GET /tags/team%2Fapp:nope 404 [0-9.]+ms 127\\.0\\.0\\.1");
    }
  }

  @Test
  void accessLog_offByDefault() {
    try (LogCapture access = LogCapture.of(ACCESS, Level.INFO);
         TestServer server = TestServer.start(dir)) {
      server.putTag("team/app:v1", digest(1));
      assertThat(server.getTag("team/app:v1").status()).isEqualTo(200);

      assertThat(access.events()).isEmpty();
    }
  }

  @Test
  void format_environmentOverridesConfig() {
    assertThat(LogFormat.effective(null, LoggingConfig.Format.JSON)).isEqualTo(LoggingConfig.Format.JSON);
    assertThat(LogFormat.effective("json", LoggingConfig.Format.TEXT)).isEqualTo(LoggingConfig.Format.JSON);
    assertThat(LogFormat.effective("TEXT", LoggingConfig.Format.JSON)).isEqualTo(LoggingConfig.Format.TEXT);
    assertThatThrownBy(() -> LogFormat.effective("xml", LoggingConfig.Format.TEXT)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("BUILDINDEX_LOG_FORMAT").hasMessageContaining("xml");
  }

  @Test
  void format_config_defaultsAndValidation() {
    assertThat(ConfigLoader.parse("tagserver: {}\n").logging()).isEqualTo(new LoggingConfig(LoggingConfig.Format.TEXT, false));
    assertThat(ConfigLoader.parse("logging:\n  format: json\n").logging().format()).isEqualTo(LoggingConfig.Format.JSON);
    assertThatThrownBy(() -> ConfigLoader.parse("logging:\n  format: xml\n")).isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("logging.format: ").hasMessageContaining("want text or json");
  }

  private static boolean isPutAccess(JsonNode line) {
    return line.path("loggerName").asText().equals(ACCESS) && line.path("formattedMessage").asText().startsWith("PUT ");
  }

  /** The lines of {@code log} that are JSON objects, parsed (the JVM's own warnings are plain text). */
  private static List<JsonNode> jsonLines(String log) {
    List<JsonNode> out = new ArrayList<>();
    for (String line : log.lines().filter(l -> l.startsWith("{")).toList()) {
      try {
        out.add(TestServer.JSON.readTree(line));
      } catch (JsonProcessingException e) {
        throw new UncheckedIOException("not one JSON object: " + line, e);
      }
    }
    return out;
  }

  /** Logback's {@code kvpList}, {@code [{"key":"value"}, ...]}, as a map of texts. */
  private static Map<String, String> keyValues(JsonNode event) {
    Map<String, String> out = new java.util.HashMap<>();
    event.path("kvpList").forEach(kv -> kv.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText())));
    return out;
  }
}
