package io.buildindex.tagreplication.wire;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The JSON settings of every body nodes exchange, the same for the side that sends and the side
 * that reads: unknown fields are ignored, so a newer node may add a field without breaking an
 * older one (either way round), while types stay strict (a null for a number, trailing garbage).
 */
public final class NodeJson {
  /** A mapper with exactly these settings, for node-to-node bodies. Thread-safe. */
  public static final ObjectMapper MAPPER = builder().build();

  private NodeJson() {}

  /** These settings, for a mapper that needs more (the server adds its time format). */
  public static JsonMapper.Builder builder() {
    return JsonMapper.builder()
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  }
}
