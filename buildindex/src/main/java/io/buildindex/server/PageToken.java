package io.buildindex.server;

import io.buildindex.tagstore.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Opaque list offsets: the last key of the previous page, versioned and base64url-encoded so
 * clients treat it as a token (and so we may change what it holds).
 */
final class PageToken {
  private static final String VERSION = "1:";

  private PageToken() {}

  static String encode(String lastKey) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString((VERSION + lastKey).getBytes(StandardCharsets.UTF_8));
  }

  static String decode(String token) {
    try {
      String s = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
      if (!s.startsWith(VERSION) || s.length() == VERSION.length() || s.length() > 600) {
        throw new InvalidInputException("offset", "not a token this server issued");
      }
      return s.substring(VERSION.length());
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException("offset", "not a token this server issued");
    }
  }
}
