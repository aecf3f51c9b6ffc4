package io.buildindex.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Loads {@link BuildIndexConfig} from YAML. Unknown keys, bad durations, bad regexes and missing
 * required values throw {@link ConfigException} whose message names the key, e.g.
 * {@code tag_replication.retry_interval: bad duration "3x"}. Kraken build-index configs load as
 * they are: {@code extends} (Kraken's inheritance), Kraken's spellings and Kraken keys we do not
 * use are handled by {@link KrakenCompat}; only keys that are neither ours nor Kraken's fail.
 * String values may name environment variables ({@code ${NAME}}, see {@link EnvSubstitution}) and
 * secrets may be read from files ({@code token_file}, see {@link SecretFiles}). Thread-safe.
 */
public final class ConfigLoader {
  private static final ObjectMapper YAML = JsonMapper.builder(new YAMLFactory())
      .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
      .addModule(new SimpleModule("build-index-config")
          .addDeserializer(Duration.class, new GoDurationDeserializer())
          .addDeserializer(HostPort.class, new HostPortDeserializer()))
      .build();

  /** Kraken's config inheritance: the named file (relative to this one) is loaded first, then this one over it. */
  private static final String EXTENDS = "extends";

  private ConfigLoader() {}

  public static BuildIndexConfig load(Path file) {
    return loadWithWarnings(file).config();
  }

  /**
   * Loads {@code file} (and the files it {@code extends}), with the warnings to log at start-up;
   * {@code ${NAME}} takes this process's environment.
   */
  public static LoadedConfig loadWithWarnings(Path file) {
    return loadWithWarnings(file, System.getenv());
  }

  /** As {@link #loadWithWarnings(Path)}, {@code ${NAME}} taking {@code env}. */
  public static LoadedConfig loadWithWarnings(Path file, Map<String, String> env) {
    return bind(tree(file, new ArrayList<>()), env);
  }

  /** A configuration given as text ({@code extends} is refused); {@code ${NAME}} takes this process's environment. */
  public static BuildIndexConfig parse(String yaml) {
    return parse(yaml, System.getenv());
  }

  /** As {@link #parse(String)}, {@code ${NAME}} taking {@code env}. */
  public static BuildIndexConfig parse(String yaml, Map<String, String> env) {
    JsonNode tree = tree(yaml);
    if (tree.has(EXTENDS)) {
      throw new ConfigException(EXTENDS, "needs a config file to be relative to");
    }
    return bind(tree, env).config();
  }

  private static JsonNode tree(Path file, List<Path> chain) {
    Path real = file.toAbsolutePath().normalize();
    if (chain.contains(real)) {
      chain.add(real);
      throw new ConfigException(EXTENDS, "cycle: " + chain.stream().map(p -> p.getFileName().toString()).collect(Collectors.joining(" -> ")));
    }
    chain.add(real);
    String yaml;
    try {
      yaml = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException(chain.size() == 1 ? "" : EXTENDS, "config file not found: " + file);
    } catch (IOException e) {
      throw new ConfigException("", "cannot read config file " + file + ": " + e.getMessage());
    }
    JsonNode tree = tree(yaml);
    if (!(tree instanceof ObjectNode overlay) || !overlay.has(EXTENDS)) {
      return tree;
    }
    JsonNode base = overlay.remove(EXTENDS);
    if (!base.isTextual() || base.asText().isBlank()) {
      throw new ConfigException(EXTENDS, "want the path of a base config file, got " + base);
    }
    Path parent = real.getParent();
    JsonNode baseTree = tree(parent == null ? Path.of(base.asText()) : parent.resolve(base.asText()), chain);
    return baseTree instanceof ObjectNode b ? merge(b, overlay) : overlay;
  }

  /** Kraken's deep merge: mappings merge key by key, anything else (lists too) is replaced by the overlay. */
  private static ObjectNode merge(ObjectNode base, ObjectNode overlay) {
    overlay.fields().forEachRemaining(field -> {
      JsonNode old = base.get(field.getKey());
      if (old instanceof ObjectNode oldObject && field.getValue() instanceof ObjectNode newObject) {
        merge(oldObject, newObject);
      } else {
        base.set(field.getKey(), field.getValue());
      }
    });
    return base;
  }

  /** The YAML's tree; an empty object for a blank or comments-only document. */
  private static JsonNode tree(String yaml) {
    if (yaml.isBlank()) {
      return YAML.createObjectNode();
    }
    try {
      JsonNode tree = YAML.readTree(yaml);
      return tree == null || tree.isMissingNode() || tree.isNull() ? YAML.createObjectNode() : tree;
    } catch (JsonProcessingException e) {
      throw new ConfigException("", "not valid YAML: " + e.getOriginalMessage());
    }
  }

  private static LoadedConfig bind(JsonNode tree, Map<String, String> env) {
    KrakenCompat kraken = new KrakenCompat();
    if (tree instanceof ObjectNode root) {
      kraken.adapt(root);
      // After the Kraken keys we ignore are gone (their values are not ours to check); file
      // paths may name variables, secrets read from files are taken as they are.
      EnvSubstitution.expand(root, "", env);
      SecretFiles.read(root);
    }
    // An explicit "auth:" with nothing under it must not quietly mean an open server.
    if (tree.has("auth") && tree.get("auth").isNull()) {
      throw new ConfigException("auth", "is empty: give tokens, or remove the section for an open server");
    }
    try {
      return new LoadedConfig(YAML.treeToValue(tree, BuildIndexConfig.class), kraken.warnings());
    } catch (JsonMappingException e) {
      throw translate(e);
    } catch (JsonProcessingException e) {
      throw new ConfigException("", "not valid YAML: " + e.getOriginalMessage());
    }
  }

  /* Design: Jackson reports where it was (the path of JSON property names, which are our YAML
   * keys) and our records report what was wrong (ConfigException with a key relative to the
   * record). Joining the two gives messages such as "cluster.healthcheck.fails: must be >= 1". */
  private static ConfigException translate(JsonMappingException e) {
    String path = e.getPath().stream()
        .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
        .collect(Collectors.joining(".")).replace(".[", "[");
    if (e instanceof UnrecognizedPropertyException u) {
      String known = u.getKnownPropertyIds() == null ? "" : " (known keys: "
          + u.getKnownPropertyIds().stream().map(String::valueOf).sorted().collect(Collectors.joining(", ")) + ")";
      return new ConfigException(path, "unknown key" + known);
    }
    Throwable cause = e.getCause();
    if (cause instanceof ConfigException c) {
      return new ConfigException(join(path, c.key()), c.getMessage().substring(c.key().isEmpty() ? 0 : c.key().length() + 2));
    }
    if (cause instanceof IllegalArgumentException iae) {
      return new ConfigException(path, iae.getMessage());
    }
    return new ConfigException(path, e.getOriginalMessage());
  }

  private static String join(String path, String key) {
    if (path.isEmpty()) {
      return key;
    }
    return key.isEmpty() ? path : path + "." + key;
  }

  private static final class GoDurationDeserializer extends JsonDeserializer<Duration> {
    @Override
    public Duration deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
      String text = p.getValueAsString();
      if (text == null) {
        throw JsonMappingException.from(p, "want a duration such as 30s, got " + p.currentToken());
      }
      try {
        return GoDurations.parse(text);
      } catch (IllegalArgumentException e) {
        throw JsonMappingException.from(p, e.getMessage(), e);
      }
    }
  }

  private static final class HostPortDeserializer extends JsonDeserializer<HostPort> {
    @Override
    public HostPort deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
      String text = p.getValueAsString();
      try {
        return HostPort.parse(text == null ? "" : text);
      } catch (IllegalArgumentException e) {
        throw JsonMappingException.from(p, e.getMessage(), e);
      }
    }
  }
}
