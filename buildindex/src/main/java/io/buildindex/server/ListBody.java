package io.buildindex.server;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** Kraken's list response: {@code {"Links":{"next":..,"self":..},"size":N,"result":[...]}}. */
record ListBody(@JsonProperty("Links") Links links, int size, List<String> result) {
  record Links(String next, String self) {}
}
