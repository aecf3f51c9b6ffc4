package io.buildindex.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.buildindex.tagreplication.wire.NodeJson;

/**
 * The server's one JSON mapper: the settings of node-to-node bodies ({@link NodeJson}: strict
 * types, lenient on unknown fields, which Kraken and newer nodes add) plus RFC 3339 times.
 */
final class Json {
  static final ObjectMapper MAPPER = NodeJson.builder()
      .addModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .build();

  private Json() {}
}
