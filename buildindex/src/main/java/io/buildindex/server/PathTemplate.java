package io.buildindex.server;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A route path with parameters, such as {@code /tags/{tag}/digest/{digest}}, that the server splits
 * itself: Javalin matches only its literal prefix, as the wildcard route {@code /tags/*}, and
 * {@link #match} reads the parameters. Matches what Javalin's own route would (its defaults: case
 * sensitive, one trailing slash ignored, no empty segment) and decodes each parameter as Javalin
 * does, so a handler sees the same values.
 *
 * <p>Design: for a route with parameters, Javalin runs three regexes over the whole path per
 * request (the match, the match again, then a match with groups to read the parameters), each of
 * them a lazy quantifier that tries the rest of the pattern at every character. On the durable
 * PUT's path (about 115 characters) that measured 8.4 µs, 12% of the server's CPU per PUT; the
 * wildcard is one regex and this split a few {@code indexOf}s. Used for the write routes, whose
 * paths are long and which every client write (and every neighbor's copy of it) takes; the others
 * keep Javalin's parameters. A prefix registered here must not have other routes of the same
 * method under it (Javalin would hand their requests to this one): {@link Router} refuses them.
 */
final class PathTemplate {
  private final String template;
  private final String prefix;
  /** After the prefix, split at {@code /}: a parameter's name, or the literal text. */
  private final String[] segments;
  private final boolean[] parameter;

  private PathTemplate(String template, String prefix, String[] segments, boolean[] parameter) {
    this.template = template;
    this.prefix = prefix;
    this.segments = segments;
    this.parameter = parameter;
  }

  /** {@code template}: at least one literal segment, then segments of which at least the first is a {@code {name}}. */
  static PathTemplate of(String template) {
    int open = template.indexOf('{');
    // At least one literal segment: the wildcard of a bare "/" would take every path of its method.
    if (!template.startsWith("/") || open < 2 || template.charAt(open - 1) != '/') {
      throw new IllegalArgumentException("want /literal/.../{parameter}...: " + template);
    }
    String prefix = template.substring(0, open);
    String[] segments = template.substring(open).split("/", -1);
    boolean[] parameter = new boolean[segments.length];
    for (int i = 0; i < segments.length; i++) {
      String s = segments[i];
      parameter[i] = s.startsWith("{") && s.endsWith("}");
      if (parameter[i]) {
        segments[i] = s.substring(1, s.length() - 1);
      }
      if (segments[i].isEmpty() || segments[i].matches(".*[{}*<>].*")) {
        throw new IllegalArgumentException("bad segment \"" + s + "\" in " + template);
      }
    }
    return new PathTemplate(template, prefix, segments, parameter);
  }

  /** The route as metrics and logs name it: the template. */
  String name() {
    return template;
  }

  /** The literal part before the first parameter, ending in {@code /}. */
  String prefix() {
    return prefix;
  }

  /** What Javalin registers: the literal prefix and a wildcard. */
  String javalinPath() {
    return prefix + "*";
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
    List<String> values = new ArrayList<>(2);
    int start = prefix.length();
    for (int i = 0; i < segments.length; i++) {
      int slash = path.indexOf('/', start);
      if (i == segments.length - 1) {
        if (slash >= 0 && slash < end) {
          return null; // more segments than the template
        }
        slash = end;
      } else if (slash < 0 || slash >= end) {
        return null; // fewer segments than the template
      }
      if (slash == start) {
        return null; // an empty segment, as in a//b
      }
      String segment = path.substring(start, slash);
      if (parameter[i]) {
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

  /** The decoded parameters of one request path. */
  static final class Params {
    private final PathTemplate template;
    private final List<String> values;

    private Params(PathTemplate template, List<String> values) {
      this.template = template;
      this.values = values;
    }

    /** The parameter {@code name}; throws when the template has none of that name. */
    String get(String name) {
      for (int i = 0, v = 0; i < template.segments.length; i++) {
        if (template.parameter[i]) {
          if (template.segments[i].equals(name)) {
            return values.get(v);
          }
          v++;
        }
      }
      throw new IllegalArgumentException("no parameter " + name + " in " + template.template);
    }
  }
}
