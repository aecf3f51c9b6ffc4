package io.buildindex.tagreplication.wire;

import io.buildindex.tagstore.Digest;
import io.buildindex.tagstore.Generation;
import io.buildindex.tagstore.InvalidInputException;
import io.buildindex.tagstore.Tag;
import java.io.IOException;
import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;

/**
 * {@code GET /tags/{tag}} on another node, as the cluster's owner reads and replication's remote
 * lookups send it: the digest in the body, the generation in {@link NodeHeaders#GENERATION}
 * (zero when the node sends none, as a Kraken build-index does), a 404 that may carry the
 * generation of a tombstone. Callers run the request on their own client (timeouts, auth, TLS)
 * and handle statuses other than 2xx and 404 themselves. Stateless.
 */
public final class TagGet {
  /** Largest answer that is read: a digest (71 bytes for sha256) and maybe a newline. */
  public static final long MAX_BODY = 1024;

  /** What the node holds: {@code digest} null when it never had the tag or holds a tombstone. */
  public record TagState(@Nullable Digest digest, Generation generation) {}

  private TagGet() {}

  /**
   * The request for {@code tag} on the node at {@code base}; {@code forwarded} asks the node to
   * answer from its own store (a read between owners, which must not ask the owners again).
   */
  public static Request request(HttpUrl base, Tag tag, boolean forwarded) {
    Request.Builder request = new Request.Builder()
        .url(base.newBuilder().addPathSegment("tags").addEncodedPathSegment(tag.pathEscaped()).build()).get();
    if (forwarded) {
      request.header(NodeHeaders.FORWARDED, "1");
    }
    return request.build();
  }

  /**
   * The state a 2xx or 404 answer reports.
   *
   * @throws BadAnswerException for a body over {@link #MAX_BODY}, a malformed digest or generation
   * @throws IllegalArgumentException for another status: the caller handles those first
   */
  public static TagState read(Response response) throws IOException {
    if (response.code() == 404) {
      return new TagState(null, generation(response));
    }
    if (!response.isSuccessful()) {
      throw new IllegalArgumentException("not an answer with a tag state: HTTP " + response.code());
    }
    String text = BoundedBody.text(response, MAX_BODY).strip();
    try {
      return new TagState(Digest.parse(text), generation(response));
    } catch (InvalidInputException e) {
      throw new BadAnswerException(BoundedBody.what(response) + " answered a bad digest: " + e.getMessage());
    }
  }

  /** The generation an answer carries in {@link NodeHeaders#GENERATION}; zero without one. */
  public static Generation generation(Response response) throws BadAnswerException {
    String header = response.header(NodeHeaders.GENERATION);
    try {
      return header == null ? Generation.ZERO : Generation.parse(header);
    } catch (InvalidInputException e) {
      throw new BadAnswerException(BoundedBody.what(response) + " answered a bad " + NodeHeaders.GENERATION + ": " + e.getMessage());
    }
  }
}
