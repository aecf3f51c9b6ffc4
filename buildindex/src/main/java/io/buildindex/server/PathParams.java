package io.buildindex.server;

import io.buildindex.tagstore.Digest;
import io.buildindex.tagstore.InvalidInputException;
import io.buildindex.tagstore.Tag;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads tags, digests and prefixes from request paths the way Kraken's clients send them: a tag
 * is {@code url.PathEscape}d ({@code /} as {@code %2F}), some proxies escape it twice
 * ({@code %252F}), and some escape {@code :} too. The router has unescaped the segment once; we
 * unescape once more when an escape remains (the double-escaped case) and refuse a third level,
 * invalid escapes, bad UTF-8 and NUL as 400s.
 */
final class PathParams {
  /** After the router's own unescaping. */
  private static final int MAX_UNESCAPES = 1;

  private PathParams() {}

  static Tag tag(PathTemplate.Params params) {
    return Tag.parse(unescape("tag", params.get("tag")));
  }

  static Digest digest(PathTemplate.Params params) {
    return Digest.parse(unescape("digest", params.get("digest")));
  }

  static String repository(PathTemplate.Params params) {
    return Tag.checkRepository(unescape("repository", params.get("repo")));
  }

  /**
   * Whether {@code rawPath} (as received, still escaped) has a {@code %} not followed by two hex
   * digits: {@code a%:1}, {@code a%2:1}, {@code a%u002F}. Jetty lets some through (its legacy URI
   * mode reads {@code %u} escapes and takes {@code :} for a hex digit), and the router's own
   * unescaping then fails before any handler or auth check runs.
   */
  static boolean hasMalformedEscape(String rawPath) {
    for (int i = rawPath.indexOf('%'); i >= 0; i = rawPath.indexOf('%', i + 1)) {
      if (i + 2 >= rawPath.length() || !isHex(rawPath.charAt(i + 1)) || !isHex(rawPath.charAt(i + 2))) {
        return true;
      }
    }
    return false;
  }

  private static boolean isHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  /** Unescapes {@code raw} until it holds no {@code %}; fails on anything malformed. */
  static String unescape(String field, String raw) {
    String s = raw;
    for (int i = 0; i < MAX_UNESCAPES && s.indexOf('%') >= 0; i++) {
      s = unescapeOnce(field, s);
    }
    if (s.indexOf('%') >= 0) {
      throw new InvalidInputException(field, "escaped more than twice");
    }
    if (s.indexOf('\0') >= 0) {
      throw new InvalidInputException(field, "contains NUL");
    }
    return s;
  }

  private static String unescapeOnce(String field, String s) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= s.length() || Character.digit(s.charAt(i + 1), 16) < 0 || Character.digit(s.charAt(i + 2), 16) < 0) {
          throw new InvalidInputException(field, "invalid %-escape at position " + i);
        }
        bytes.write(Character.digit(s.charAt(i + 1), 16) * 16 + Character.digit(s.charAt(i + 2), 16));
        i += 2;
      } else {
        byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        bytes.write(b, 0, b.length);
      }
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
    } catch (CharacterCodingException e) {
      throw new InvalidInputException(field, "not valid UTF-8 once unescaped");
    }
  }
}
