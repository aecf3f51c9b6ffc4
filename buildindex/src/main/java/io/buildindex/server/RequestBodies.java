package io.buildindex.server;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import org.eclipse.jetty.http.BadMessageException;

/**
 * Reads a request body, refusing one over {@link BuildIndexApp#MAX_REQUEST_BYTES} with 413
 * whether it declares its length or comes chunked, and a body whose framing is broken (a bad
 * chunk size, a truncated chunk) with 400.
 *
 * <p>Design: Javalin's {@code bodyAsBytes} checks only {@code Content-Length}; a chunked body has
 * none, and was read whole into the heap (100 MB took 210 MiB). This reads at most one byte past
 * the limit while the body streams in, then stops reading: Jetty closes the connection rather than
 * drain the rest.
 */
final class RequestBodies {
  private RequestBodies() {}

  static byte[] read(Context ctx) {
    long max = BuildIndexApp.MAX_REQUEST_BYTES;
    if (ctx.req().getContentLengthLong() > max) {
      throw tooLarge(max);
    }
    byte[] bytes;
    try {
      InputStream in = ctx.req().getInputStream();
      bytes = in.readNBytes((int) max + 1);
    } catch (IOException | BadMessageException e) {
      throw HttpProblem.badRequest("malformed request body (bad chunked framing or cut short): " + reason(e));
    }
    if (bytes.length > max) {
      throw tooLarge(max);
    }
    return bytes;
  }

  private static HttpProblem tooLarge(long max) {
    return new HttpProblem(413, "request body too large: at most " + max + " bytes");
  }

  private static String reason(Exception e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }
}
