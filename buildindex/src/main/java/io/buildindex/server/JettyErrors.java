package io.buildindex.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.handler.ErrorHandler;

/**
 * Requests Jetty refuses before any route sees them (a malformed escape such as {@code %zz},
 * an invalid request line) get the same JSON error body as everything else instead of HTML.
 */
final class JettyErrors extends ErrorHandler {
  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    fields.put(new HttpField(HttpHeader.CONTENT_TYPE, "application/json"));
    String message = switch (status) {
      case 400 -> "malformed request: invalid request line or URI (bad %-escape, encoded NUL or control character, ambiguous path segment)";
      case 414 -> "request URI too long";
      case 431 -> "request headers too large";
      default -> "malformed request: " + (reason == null ? "bad message" : reason);
    };
    try {
      return ByteBuffer.wrap(Json.MAPPER.writeValueAsBytes(new ErrorBody(status, message, null)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("an ErrorBody always serializes", e);
    }
  }
}
