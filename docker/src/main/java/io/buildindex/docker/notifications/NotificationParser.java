package io.buildindex.docker.notifications;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.buildindex.tagstore.Digest;
import io.buildindex.tagstore.InvalidInputException;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Reads a Docker Distribution notification envelope ({@code {"events": [...]}}) into the
 * manifests pushed with a tag. Stateless and thread-safe.
 */
final class NotificationParser {
  /** What registries send, and plain JSON for hand-written or proxied requests. */
  static final Set<String> CONTENT_TYPES = Set.of(
      "application/vnd.docker.distribution.events.v1+json",
      "application/vnd.docker.distribution.events.v2+json",
      "application/json");
  /** Docker schema1/schema2 manifests and lists, OCI manifests and indexes. */
  private static final List<String> MANIFEST_TYPE_PREFIXES = List.of(
      "application/vnd.docker.distribution.manifest.",
      "application/vnd.oci.image.manifest.",
      "application/vnd.oci.image.index.");
  private static final ObjectMapper JSON = JsonMapper.builder().build();

  private NotificationParser() {}

  static List<PushedTag> parse(@Nullable String contentType, byte[] body) {
    checkContentType(contentType);
    JsonNode events = readTree(body).get("events");
    if (events == null || !events.isArray()) {
      throw new BadNotificationException("no \"events\" array in the envelope");
    }
    List<PushedTag> tags = new ArrayList<>();
    for (int i = 0; i < events.size(); i++) {
      pushedTag(events.get(i), "events[" + i + "]").ifPresent(tags::add);
    }
    return List.copyOf(tags);
  }

  private static void checkContentType(@Nullable String contentType) {
    String type = contentType == null ? "" : contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
    if (!type.isEmpty() && !CONTENT_TYPES.contains(type)) {
      throw new BadNotificationException("unsupported content type \"" + contentType + "\" (want one of "
          + String.join(", ", CONTENT_TYPES.stream().sorted().toList()) + ")");
    }
  }

  private static JsonNode readTree(byte[] body) {
    try {
      JsonNode root = JSON.readTree(body);
      if (root == null || !root.isObject()) {
        throw new BadNotificationException("the envelope is not a JSON object");
      }
      return root;
    } catch (JsonProcessingException e) {
      throw new BadNotificationException("malformed JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new IllegalStateException("reading a byte array cannot fail", e);
    }
  }

  /** The tag a push event pushed; empty for other actions, blob pushes and pushes by digest. */
  private static Optional<PushedTag> pushedTag(JsonNode event, String where) {
    if (!event.isObject()) {
      throw new BadNotificationException(where + " is not an object");
    }
    JsonNode target = event.path("target");
    if (!event.path("action").asText("").equals("push") || !isManifest(target.path("mediaType").asText(""))) {
      return Optional.empty();
    }
    String tag = target.path("tag").asText("");
    if (tag.isEmpty()) {
      return Optional.empty();
    }
    String repository = target.path("repository").asText("");
    if (repository.isEmpty()) {
      throw new BadNotificationException(where + ".target.repository is missing in a manifest push");
    }
    return Optional.of(new PushedTag(repository, tag, digest(target, where), event.path("id").asText(""),
        timestamp(event.path("timestamp").asText(""))));
  }

  /** RFC 3339 with any precision and offset, as Docker Distribution writes it; null when absent or unreadable. */
  private static @Nullable Instant timestamp(String text) {
    try {
      return text.isEmpty() ? null : OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      return null; // the push still registers, ordered by this node's clock
    }
  }

  private static Digest digest(JsonNode target, String where) {
    try {
      return Digest.parseContent(target.path("digest").asText(""));
    } catch (InvalidInputException e) {
      throw new BadNotificationException(where + ".target." + e.getMessage()); // "<where>.target.digest: <problem>"
    }
  }

  private static boolean isManifest(String mediaType) {
    return MANIFEST_TYPE_PREFIXES.stream().anyMatch(mediaType::startsWith);
  }
}
