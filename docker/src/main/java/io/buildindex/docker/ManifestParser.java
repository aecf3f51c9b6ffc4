package io.buildindex.docker;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.buildindex.tagstore.Digest;
import io.buildindex.tagstore.InvalidInputException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Parses Docker schema2 / OCI manifests and indexes. Stateless and thread-safe.
 *
 * <p>Throws {@link InvalidManifestException} naming the manifest digest for malformed JSON,
 * schema1 manifests, unknown media types and descriptors without a valid digest or size.
 */
final class ManifestParser {
  private static final ObjectMapper JSON = JsonMapper.builder().build();

  /* Design: the tree model rather than data binding, because the type is only known after
   * looking at the document (its mediaType field, else the response's Content-Type, else its
   * shape), and because registries add fields we must ignore. Reading the tree by hand also lets
   * every error name the field at fault ("layers[2].digest: ..."). */

  private ManifestParser() {}

  static Manifest parse(Digest digest, byte[] body, @Nullable String contentType) {
    JsonNode root = readTree(digest, body);
    String type = mediaTypeOf(digest, root, contentType);
    return MediaTypes.INDEXES.contains(type) ? index(digest, type, root) : image(digest, type, root);
  }

  private static JsonNode readTree(Digest digest, byte[] body) {
    try {
      JsonNode root = JSON.readTree(body);
      if (root == null || !root.isObject()) {
        throw new InvalidManifestException(digest, "not a JSON object");
      }
      return root;
    } catch (JsonProcessingException e) {
      throw new InvalidManifestException(digest, "malformed JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new IllegalStateException("reading a byte array cannot fail", e);
    }
  }

  /** The declared mediaType, else the Content-Type, else what the shape says. */
  static String mediaTypeOf(Digest digest, JsonNode root, @Nullable String contentType) {
    String declared = root.path("mediaType").asText("");
    String fromHeader = MediaTypes.fromContentType(contentType);
    String type = !declared.isEmpty() ? declared : !fromHeader.isEmpty() ? fromHeader : shapeOf(root);
    if (MediaTypes.isSchema1(type) || root.path("schemaVersion").asInt(2) == 1) {
      throw new InvalidManifestException(digest, "Docker schema1 manifests are not supported ("
          + (type.isEmpty() ? "schemaVersion 1" : type) + "); push the image again with a current client, "
          + "which writes schema2 or OCI");
    }
    if (type.isEmpty()) {
      throw new InvalidManifestException(digest, "cannot tell the manifest type: no mediaType field, "
          + "no Content-Type and neither \"manifests\" nor \"layers\"");
    }
    if (!MediaTypes.IMAGE_MANIFESTS.contains(type) && !MediaTypes.INDEXES.contains(type)) {
      throw new InvalidManifestException(digest, "unsupported media type \"" + type + "\" (want one of "
          + MediaTypes.ACCEPT + ")");
    }
    return type;
  }

  /** OCI made mediaType optional at first: untyped documents are OCI by their shape. */
  private static String shapeOf(JsonNode root) {
    if (root.has("manifests")) {
      return MediaTypes.OCI_INDEX;
    }
    return root.has("layers") || root.has("config") ? MediaTypes.OCI_MANIFEST : "";
  }

  private static ManifestIndex index(Digest digest, String type, JsonNode root) {
    return new ManifestIndex(type, descriptors(digest, root, "manifests", true));
  }

  private static ImageManifest image(Digest digest, String type, JsonNode root) {
    JsonNode config = root.get("config");
    if (config == null) {
      throw new InvalidManifestException(digest, "image manifest without \"config\"");
    }
    return new ImageManifest(type, descriptor(digest, config, "config"), descriptors(digest, root, "layers", false));
  }

  private static List<Descriptor> descriptors(Digest digest, JsonNode root, String field, boolean required) {
    JsonNode array = root.get(field);
    if (array == null && !required) {
      return List.of();
    }
    if (array == null || !array.isArray()) {
      throw new InvalidManifestException(digest, "\"" + field + "\" must be an array");
    }
    List<Descriptor> out = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      out.add(descriptor(digest, array.get(i), field + "[" + i + "]"));
    }
    return out;
  }

  static Descriptor descriptor(Digest manifest, JsonNode node, String where) {
    if (!node.isObject()) {
      throw new InvalidManifestException(manifest, where + " must be an object");
    }
    JsonNode size = node.path("size");
    if (!size.canConvertToLong() || !size.isIntegralNumber() || size.asLong() < 0) {
      throw new InvalidManifestException(manifest, where + ".size must be a non-negative integer, got " + size);
    }
    return new Descriptor(node.path("mediaType").asText(""), digestOf(manifest, node, where), size.asLong(),
        strings(node.path("urls")), platform(node.get("platform")), annotations(node.path("annotations")));
  }

  private static Digest digestOf(Digest manifest, JsonNode node, String where) {
    try {
      return Digest.parseContent(node.path("digest").asText(""));
    } catch (InvalidInputException e) {
      throw new InvalidManifestException(manifest, where + "." + e.getMessage()); // "<where>.digest: <problem>"
    }
  }

  private static @Nullable Platform platform(@Nullable JsonNode node) {
    if (node == null || !node.isObject()) {
      return null;
    }
    return new Platform(node.path("os").asText(""), node.path("architecture").asText(""),
        node.path("variant").asText(""));
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(item -> out.add(item.asText()));
    return out;
  }

  private static Map<String, String> annotations(JsonNode object) {
    Map<String, String> out = new LinkedHashMap<>();
    object.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }
}
