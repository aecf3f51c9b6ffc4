package io.buildindex.tagreplication.wire;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.BufferedSource;

/**
 * Reads another node's answer only up to the most its route can legitimately send: an answer with
 * more (a declared length or a chunked body that goes on) is a {@link BadAnswerException} and is
 * never buffered, so a broken or hostile node cannot exhaust this node's heap. Stateless.
 */
public final class BoundedBody {
  private BoundedBody() {}

  /** The body as UTF-8 text, at most {@code limit} bytes of it. */
  public static String text(Response response, long limit) throws IOException {
    return new String(bytes(response, limit), StandardCharsets.UTF_8);
  }

  /** The body, at most {@code limit} bytes of it; empty without one. */
  public static byte[] bytes(Response response, long limit) throws IOException {
    ResponseBody body = response.body();
    if (body == null) {
      return new byte[0];
    }
    BufferedSource source = body.source();
    if (body.contentLength() > limit || source.request(limit + 1)) {
      throw new BadAnswerException(what(response) + " answered a body larger than " + limit + " bytes");
    }
    return source.readByteArray();
  }

  /** The request an answer is to, for messages: {@code GET /tags/...}. */
  static String what(Response response) {
    return response.request().method() + " " + response.request().url().encodedPath();
  }
}
