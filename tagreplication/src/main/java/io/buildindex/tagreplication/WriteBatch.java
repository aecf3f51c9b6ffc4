package io.buildindex.tagreplication;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The wire contract of {@code POST /replication/writes}: a batch of replicated writes between
 * build-indexes, each applied as {@code PUT /tags/{tag}/digest/{digest}?replicate=true} (or, with
 * a null digest, {@code DELETE /tags/{tag}?replicate=true}) carrying its generation would be.
 *
 * <p>Design: draining a backlog one tag per request costs a request and a response on both nodes
 * per tag, far more than the remote's durable write itself; a batch costs one request per
 * {@link #MAX_WRITES} tags and lets the remote group-commit them. A sender takes up to that many
 * as its congestion window allows, so a deep backlog goes out in large batches over a long link. It also replaces the lookup
 * ({@code GET /tags/{tag}}) before each write: the remote compares generations under the tag's
 * lock and answers {@code unchanged} when it already holds this digest at this generation or
 * newer, and {@code superseded} when it holds a newer one. Kraken build-indexes do not serve it
 * (404 or 405); replication then falls back to one task per request.
 */
public final class WriteBatch {
  /** The path on the remote build-index. */
  public static final String PATH = "/replication/writes";
  /** Most writes per request the server accepts. */
  public static final int MAX_WRITES = 1000;
  private WriteBatch() {}

  /** The request body. */
  public record Request(@JsonProperty("writes") List<Write> writes) {
    public Request {
      writes = writes == null ? List.of() : List.copyOf(writes);
    }
  }

  /** One write: the tag's {@code digest} (null for a tombstone) at {@code generation} (required). */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record Write(@JsonProperty("tag") @Nullable String tag, @JsonProperty("digest") @Nullable String digest,
      @JsonProperty("generation") @Nullable Long generation) {}

  /** The response body: one result per write, in the request's order. */
  public record Response(@JsonProperty("results") List<Result> results) {
    public Response {
      results = results == null ? List.of() : List.copyOf(results);
    }
  }

  /**
   * How one write went: {@code outcome} (applied, unchanged or superseded) and the generation the
   * remote now holds; or, when the write was refused, {@code status} (as the single request would
   * have answered) and {@code error}.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Result(@JsonProperty("outcome") @Nullable String outcome, @JsonProperty("generation") @Nullable Long generation,
      @JsonProperty("status") @Nullable Integer status, @JsonProperty("error") @Nullable String error) {
    public static Result written(String outcome, long generation) {
      return new Result(outcome, generation, null, null);
    }

    public static Result refused(int status, String error) {
      return new Result(null, null, status, error);
    }
  }
}
