package io.buildindex.docker.notifications;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.buildindex.tagstore.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

final class NotificationsTest {
  private static final String V1 = "application/vnd.docker.distribution.events.v1+json";
  private static final String V2 = "application/vnd.docker.distribution.events.v2+json";
  private static final PushedTag HELLO = new PushedTag("team/hello-world", "1.0",
      Digest.parse("sha256:fea8895f450959fa676bcc1df0611ea93823a735a01205fd8622846041d0c7cf"),
      "320678d8-ca14-430f-8bb6-4ca139cd83f7", Instant.parse("2024-05-01T12:04:31.123456789Z"));

  private final Notifications notifications = new Notifications();

  @ParameterizedTest
  @ValueSource(strings = {V1, V2, "application/json", "application/json; charset=utf-8", ""})
  void parse_envelopeContentTypes(String contentType) {
    assertThat(notifications.parse(contentType, resource("push-tagged-manifest.json"))).containsExactly(HELLO);
  }

  @Test
  void parse_noContentType() {
    assertThat(notifications.parse(null, resource("push-tagged-manifest.json"))).containsExactly(HELLO);
  }

  @Test
  void parse_keepsOnlyTaggedManifestPushes() {
    List<PushedTag> tags = notifications.parse(V1, resource("mixed-events.json"));

    assertThat(tags).containsExactly(
        new PushedTag("team/app", "v2", Digest.parse("sha256:" + "b".repeat(64)), "e3-index-tag",
            Instant.parse("2024-05-01T12:04:32Z")),
        new PushedTag("library/busybox", "latest", Digest.parse("sha256:" + "c".repeat(64)), "e5-list-tag",
            Instant.parse("2024-05-01T12:06:00Z")));
  }

  @Test
  void parse_blobPushIgnored() {
    String json = envelope(event("e1", "push", "application/octet-stream", "team/app", "latest"));

    assertThat(notifications.parse(V1, bytes(json))).isEmpty();
  }

  @Test
  void parse_untaggedManifestPushIgnored() {
    String json = envelope(event("e1", "push", "application/vnd.oci.image.manifest.v1+json", "team/app", ""));

    assertThat(notifications.parse(V1, bytes(json))).isEmpty();
  }

  @Test
  void parse_nonPushIgnored() {
    String json = envelope(event("e1", "pull", "application/vnd.oci.image.manifest.v1+json", "team/app", "v1"),
        event("e2", "mount", "application/vnd.oci.image.manifest.v1+json", "team/app", "v1"));

    assertThat(notifications.parse(V2, bytes(json))).isEmpty();
  }

  @Test
  void parse_multipleEventsInOrder() {
    String json = envelope(event("e1", "push", "application/vnd.oci.image.manifest.v1+json", "a", "1"),
        event("e2", "push", "application/vnd.docker.distribution.manifest.v2+json", "b", "2"),
        event("e3", "push", "application/vnd.oci.image.index.v1+json", "c", "3"));

    assertThat(notifications.parse(V2, bytes(json))).extracting(PushedTag::eventId).containsExactly("e1", "e2", "e3");
  }

  @Test
  void parse_emptyEnvelope() {
    assertThat(notifications.parse(V1, bytes("{\"events\":[]}"))).isEmpty();
  }

  @Test
  void parse_malformedJson() {
    assertThatThrownBy(() -> notifications.parse(V1, bytes("{\"events\": [")))
        .isInstanceOf(BadNotificationException.class).hasMessageContaining("malformed JSON");
  }

  @Test
  void parse_noEventsArray() {
    assertThatThrownBy(() -> notifications.parse(V1, bytes("{\"event\": {}}")))
        .isInstanceOf(BadNotificationException.class).hasMessageContaining("\"events\"");
  }

  @Test
  void parse_notAnObject() {
    assertThatThrownBy(() -> notifications.parse(V1, bytes("[]")))
        .isInstanceOf(BadNotificationException.class).hasMessageContaining("not a JSON object");
  }

  @Test
  void parse_badDigestNamesTheEvent() {
    String json = envelope(event("e1", "push", "application/vnd.oci.image.manifest.v1+json", "a", "1")
        .replace("sha256:" + "d".repeat(64), "sha256:nothex"));

    assertThatThrownBy(() -> notifications.parse(V1, bytes(json)))
        .isInstanceOfSatisfying(BadNotificationException.class,
            e -> assertThat(e.problem()).startsWith("events[0].target.digest").contains("sha256:nothex"));
  }

  @Test
  void parse_missingRepository() {
    String json = envelope(event("e1", "push", "application/vnd.oci.image.manifest.v1+json", "", "1"));

    assertThatThrownBy(() -> notifications.parse(V1, bytes(json)))
        .isInstanceOf(BadNotificationException.class).hasMessageContaining("repository");
  }

  @Test
  void parse_unsupportedContentType() {
    assertThatThrownBy(() -> notifications.parse("text/xml", resource("push-tagged-manifest.json")))
        .isInstanceOf(BadNotificationException.class).hasMessageContaining("text/xml");
  }

  @Test
  void firstSeen_duplicateEventIgnored() {
    assertThat(notifications.firstSeen("e1")).isTrue();
    assertThat(notifications.firstSeen("e2")).isTrue();
    assertThat(notifications.firstSeen("e1")).isFalse();
  }

  @Test
  void firstSeen_bounded() {
    Notifications small = new Notifications(2);

    for (int i = 0; i < 100; i++) {
      assertThat(small.firstSeen("id-" + i)).isTrue();
    }

    assertThat(small.rememberedIds()).isLessThanOrEqualTo(2);
  }

  @Test
  void firstSeen_emptyIdAlwaysNew() {
    assertThat(notifications.firstSeen("")).isTrue();
    assertThat(notifications.firstSeen("")).isTrue();
  }

  @Test
  void constructor_rejectsZeroSize() {
    assertThatThrownBy(() -> new Notifications(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0");
  }

  private static String envelope(String... events) {
    return "{\"events\":[" + String.join(",", events) + "]}";
  }

  @Test
  void parse_timestampWithOffsetOrMissingOrBad() {
    String withOffset = event("e1", "push", "application/vnd.oci.image.manifest.v1+json", "team/app", "v1")
        .replace("{\"id\"", "{\"timestamp\":\"2024-05-01T14:04:31.5+02:00\",\"id\"");
    String bad = event("e2", "push", "application/vnd.oci.image.manifest.v1+json", "team/app", "v2")
        .replace("{\"id\"", "{\"timestamp\":\"yesterday\",\"id\"");
    String none = event("e3", "push", "application/vnd.oci.image.manifest.v1+json", "team/app", "v3");

    List<PushedTag> tags = notifications.parse(V1, bytes(envelope(withOffset + "," + bad + "," + none)));

    assertThat(tags).extracting(PushedTag::timestamp).containsExactly(Instant.parse("2024-05-01T12:04:31.5Z"), null, null);
  }

  private static String event(String id, String action, String mediaType, String repository, String tag) {
    return "{\"id\":\"" + id + "\",\"action\":\"" + action + "\",\"target\":{\"mediaType\":\"" + mediaType
        + "\",\"digest\":\"sha256:" + "d".repeat(64) + "\",\"size\":10,\"repository\":\"" + repository + "\""
        + (tag.isEmpty() ? "" : ",\"tag\":\"" + tag + "\"") + "}}";
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] resource(String name) {
    try (InputStream in = NotificationsTest.class.getResourceAsStream("/notifications/" + name)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
