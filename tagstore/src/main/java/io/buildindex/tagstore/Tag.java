package io.buildindex.tagstore;

/**
 * A tag reference {@code <repository>:<name>} following the OCI distribution grammar: repository
 * components {@code [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*} joined by {@code /}, 255 characters at
 * most; name {@code [A-Za-z0-9_][A-Za-z0-9._-]{0,127}}.
 */
public record Tag(String repository, String name) implements Comparable<Tag> {
  /** The distribution spec's limit on a repository name (the tag name has its own 128). */
  public static final int MAX_LENGTH = 255;
  private static final int MAX_NAME_LENGTH = 128;

  public Tag {
    checkRepository(repository);
    checkName(name);
  }

  /** Parses {@code repo:tag}; the tag part follows the last {@code :}. */
  public static Tag parse(String text) {
    int colon = text.lastIndexOf(':');
    if (colon < 0) {
      throw new InvalidInputException("tag", "want <repository>:<tag>, got \"" + printable(text) + "\"");
    }
    return new Tag(text.substring(0, colon), text.substring(colon + 1));
  }

  /** Validates a repository on its own, as {@code /repositories/{repo}/tags} needs. */
  public static String checkRepository(String repo) {
    if (repo.isEmpty() || repo.length() > MAX_LENGTH) {
      throw new InvalidInputException("repository", "must be 1 to " + MAX_LENGTH + " characters");
    }
    // Hand-written rather than a regex: this runs on every request's hot path. Between two
    // alphanumerics a component allows one separator run: ".", "_", "__" or any number of "-".
    boolean atComponentStart = true;
    char separator = 0;
    int run = 0;
    for (int i = 0; i < repo.length(); i++) {
      char c = repo.charAt(i);
      if (isLowerAlnum(c)) {
        atComponentStart = false;
        separator = 0;
        run = 0;
      } else if (atComponentStart || !continuesRun(separator, run, c)) {
        throw badRepository(repo);
      } else if (c == '/') {
        atComponentStart = true;
      } else {
        separator = c;
        run++;
      }
    }
    if (atComponentStart || separator != 0) {
      throw badRepository(repo);
    }
    return repo;
  }

  /** Whether {@code c} may follow an alphanumeric and then {@code run} times {@code separator} (none: 0). */
  private static boolean continuesRun(char separator, int run, char c) {
    if (separator == 0) {
      return c == '/' || c == '.' || c == '_' || c == '-';
    }
    return c == separator && (c == '-' || (c == '_' && run == 1));
  }

  private static void checkName(String name) {
    if (name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
      throw new InvalidInputException("tag", "tag name must be 1 to " + MAX_NAME_LENGTH + " characters, got \"" + printable(name) + "\"");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok = isAlnum(c) || c == '_' || (i > 0 && (c == '.' || c == '-'));
      if (!ok) {
        throw new InvalidInputException("tag", "bad tag name \"" + printable(name) + "\" (want [A-Za-z0-9_][A-Za-z0-9._-]{0,127})");
      }
    }
  }

  private static InvalidInputException badRepository(String repo) {
    return new InvalidInputException("repository", "bad repository \"" + printable(repo)
        + "\" (want lowercase components [a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)* joined by /)");
  }

  private static boolean isLowerAlnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  }

  private static boolean isAlnum(char c) {
    return isLowerAlnum(c) || (c >= 'A' && c <= 'Z');
  }

  /** Escapes control and non-ASCII characters so hostile input can be echoed safely in errors and logs. */
  static String printable(String s) {
    StringBuilder b = new StringBuilder(Math.min(s.length(), 300));
    for (int i = 0; i < s.length() && i < 300; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return s.length() > 300 ? b.append("...").toString() : b.toString();
  }

  /**
   * The tag as Go's {@code url.PathEscape} writes it, which is what Kraken clients put in URLs:
   * of the characters the grammar allows, only {@code /} needs escaping.
   */
  public String pathEscaped() {
    return toString().replace("/", "%2F");
  }

  @Override
  public int compareTo(Tag o) {
    return toString().compareTo(o.toString());
  }

  @Override
  public String toString() {
    return repository + ":" + name;
  }
}
