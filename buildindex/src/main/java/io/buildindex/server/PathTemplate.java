package io.buildindex.server;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A route's path, such as {@code /tags/{tag}/digest/{digest}} or {@code /list/<prefix>}, matched
 * against request paths by {@link Router} instead of Javalin's route regexes. Matches exactly the
 * paths Javalin's own route of that path would, with its defaults (case sensitive, one trailing
 * slash ignored, no empty segment), and decodes each parameter as Javalin does, so a handler sees
 * the same values: {@code {name}} is one non-empty segment, {@code <name>} (last only) the
 * non-empty rest of the path, slashes included.
 *
 * <p>Design: Javalin 6 matches a route's regex two or three times per request (its before-matched
 * phase looks the handler up, the handler phase again, then a pass with groups for the
 * parameters), each a reluctant quantifier that tries the rest of the pattern at every character:
 * 8.4 µs on the durable PUT's 115-character path, and 7% of its CPU even as a wildcard route.
 * Here a route is a prefix test and a few {@code indexOf}s.
 */
final class PathTemplate {
  private static final Params NONE = new Params(null, List.of());

  private final String template;
  /** The literal text before the first parameter; the whole template when it has none. */
  private final String prefix;
  /** After the prefix, split at {@code /}: a parameter's name, or the literal text. */
  private final String[] segments;
  private final Kind[] kinds;

  private enum Kind { LITERAL, PARAMETER, REST }

  private PathTemplate(String template, String prefix, String[] segments, Kind[] kinds) {
    this.template = template;
    this.prefix = prefix;
    this.segments = segments;
    this.kinds = kinds;
  }

  /**
   * {@code template}: {@code /} then segments, each literal text, a {@code {name}}, or (as the last)
   * a {@code <name>}; no empty segment, no trailing slash, no {@code *}.
   */
  static PathTemplate of(String template) {
    if (!template.startsWith("/") || template.length() < 2 || template.endsWith("/")) {
      throw new IllegalArgumentException("want /segment/...: " + template);
    }
    String[] parts = template.substring(1).split("/", -1);
    Kind[] kinds = new Kind[parts.length];
    int firstParameter = parts.length;
    for (int i = 0; i < parts.length; i++) {
      String s = parts[i];
      if (s.length() > 2 && s.startsWith("{") && s.endsWith("}")) {
        kinds[i] = Kind.PARAMETER;
      } else if (s.length() > 2 && s.startsWith("<") && s.endsWith(">") && i == parts.length - 1) {
        kinds[i] = Kind.REST;
      } else {
        kinds[i] = Kind.LITERAL;
      }
      if (kinds[i] != Kind.LITERAL) {
        parts[i] = s.substring(1, s.length() - 1);
        firstParameter = Math.min(firstParameter, i);
      }
      if (parts[i].isEmpty() || parts[i].matches(".*[{}*<>].*")) {
        throw new IllegalArgumentException("bad segment \"" + s + "\" in " + template);
      }
    }
    if (firstParameter == parts.length) {
      return new PathTemplate(template, template, new String[0], new Kind[0]);
    }
    StringBuilder prefix = new StringBuilder("/");
    for (int i = 0; i < firstParameter; i++) {
      prefix.append(parts[i]).append('/');
    }
    return new PathTemplate(template, prefix.toString(), Arrays.copyOfRange(parts, firstParameter, parts.length),
        Arrays.copyOfRange(kinds, firstParameter, parts.length));
  }

  /** The route as metrics and logs name it: the template. */
  String name() {
    return template;
  }

  /**
   * The parameters of {@code path} (the request URI, still escaped), decoded; null when the path
   * does not have this template's shape. Throws {@link IllegalArgumentException} on a malformed
   * %-escape in a parameter, as Javalin does.
   */
  @Nullable Params match(String path) {
    if (!path.startsWith(prefix)) {
      return null;
    }
    int end = path.endsWith("/") ? path.length() - 1 : path.length();
    if (segments.length == 0) {
      return end == prefix.length() ? NONE : null;
    }
    List<String> values = new ArrayList<>(2);
    int start = prefix.length();
    for (int i = 0; i < segments.length; i++) {
      if (kinds[i] == Kind.REST) {
        // As Javalin's reluctant (.+?)/?$: the rest, less one trailing slash unless that is all of it.
        if (start >= path.length()) {
          return null;
        }
        values.add(path.substring(start, path.length() - start > 1 ? end : path.length()));
        break;
      }
      int slash = path.indexOf('/', start);
      if (i == segments.length - 1) {
        if (slash >= 0 && slash < end) {
          return null; // more segments than the template
        }
        slash = end;
      } else if (slash < 0 || slash >= end) {
        return null; // fewer segments than the template
      }
      if (slash <= start) {
        return null; // an empty segment, as in a//b
      }
      String segment = path.substring(start, slash);
      if (kinds[i] == Kind.PARAMETER) {
        values.add(segment);
      } else if (!segment.equals(segments[i])) {
        return null;
      }
      start = slash + 1;
    }
    values.replaceAll(PathTemplate::decode); // only once the shape matched: a path of another shape is a 404
    return new Params(this, values);
  }

  /** As Javalin decodes a path parameter: {@code %}-escapes, and a {@code +} stays a plus. */
  private static String decode(String segment) {
    if (segment.indexOf('%') < 0) {
      return segment;
    }
    return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8).replace("%2B", "+");
  }

  @Override
  public String toString() {
    return template;
  }

  /** The decoded parameters of one request path. */
  static final class Params {
    private final @Nullable PathTemplate template;
    private final List<String> values;

    private Params(@Nullable PathTemplate template, List<String> values) {
      this.template = template;
      this.values = values;
    }

    /** The parameter {@code name}; throws when the template has none of that name. */
    String get(String name) {
      if (template != null) {
        for (int i = 0, v = 0; i < template.segments.length; i++) {
          if (template.kinds[i] != Kind.LITERAL) {
            if (template.segments[i].equals(name)) {
              return values.get(v);
            }
            v++;
          }
        }
      }
      throw new IllegalArgumentException("no parameter " + name + " in " + (template == null ? "a route without parameters" : template.template));
    }
  }
}
