package io.buildindex.server;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.buildindex.tagstore.Digest;
import io.buildindex.tagstore.InvalidInputException;
import io.buildindex.tagstore.Tag;
import io.javalin.http.Context;
import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * Kraken's neighbor calls: {@code PUT /internal/duplicate/tags/{tag}/digest/{digest}} with
 * {@code {"delay": ns}} and {@code POST /internal/duplicate/remotes/tags/{tag}/digest/{digest}}
 * with {@code {"dependencies": [...], "delay": ns}}. The neighbor stores the tag at once; the
 * delay applies to its deferred work.
 */
final class InternalRoutes {
  private final TagWrites writes;

  InternalRoutes(TagWrites writes) {
    this.writes = writes;
  }

  void register(Router r) {
    r.put("/internal/duplicate/tags/{tag}/digest/{digest}", Scope.CLUSTER, this::duplicatePut);
    r.post("/internal/duplicate/remotes/tags/{tag}/digest/{digest}", Scope.CLUSTER, this::duplicateReplicate);
  }

  /** Kraken's DuplicatePutRequest; delay is a Go time.Duration, in nanoseconds. */
  record DuplicatePutRequest(@JsonProperty("delay") long delay) {
    Duration delayDuration() {
      return nonNegative(delay);
    }
  }

  /** Kraken's DuplicateReplicateRequest. */
  record DuplicateReplicateRequest(@JsonProperty("dependencies") List<String> dependencies, @JsonProperty("delay") long delay) {
    DuplicateReplicateRequest {
      dependencies = dependencies == null ? List.of() : List.copyOf(dependencies);
    }

    List<Digest> digests() {
      return dependencies.stream().map(Digest::parse).toList();
    }
  }

  private void duplicatePut(Context ctx, PathTemplate.Params params) throws IOException {
    Tag tag = PathParams.tag(params);
    Digest digest = PathParams.digest(params);
    body(ctx, DuplicatePutRequest.class).delayDuration(); // validated; nothing to defer without a write-back backend
    Headers.writeResult(ctx, writes.putFromNeighbor(tag, digest, Headers.generation(ctx)));
  }

  private void duplicateReplicate(Context ctx, PathTemplate.Params params) throws IOException {
    Tag tag = PathParams.tag(params);
    Digest digest = PathParams.digest(params);
    DuplicateReplicateRequest body = body(ctx, DuplicateReplicateRequest.class);
    Headers.writeResult(ctx, writes.replicateFromNeighbor(tag, digest, Headers.generation(ctx), body.digests(),
        nonNegative(body.delay())));
  }

  static <T> T body(Context ctx, Class<T> type) throws IOException {
    byte[] bytes = RequestBodies.read(ctx);
    if (bytes.length == 0) {
      throw new InvalidInputException("body", "empty; want a JSON object");
    }
    T value = Json.MAPPER.readValue(bytes, type);
    if (value == null) {
      throw new InvalidInputException("body", "null; want a JSON object");
    }
    return value;
  }

  static Duration nonNegative(long delayNanos) {
    if (delayNanos < 0) {
      throw new InvalidInputException("delay", "must not be negative, got " + delayNanos);
    }
    return Duration.ofNanos(delayNanos);
  }
}
