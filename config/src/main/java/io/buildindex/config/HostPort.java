package io.buildindex.config;

/**
 * A {@code host:port} address as Kraken writes them ({@code dc2-build-index:15004},
 * {@code 127.0.0.1:15004}, {@code [::1]:15004}). An empty host means every interface.
 */
public record HostPort(String host, int port) {
  public HostPort {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    if (host.contains("/") || host.contains(" ")) {
      throw new IllegalArgumentException("bad host: \"" + host + "\"");
    }
  }

  /** Parses {@code host:port}; throws {@link IllegalArgumentException} naming the text when malformed. */
  public static HostPort parse(String text) {
    int colon = text.lastIndexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("want host:port, got \"" + text + "\"");
    }
    String host = text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    try {
      return new HostPort(host, Integer.parseInt(text.substring(colon + 1)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("want host:port with a numeric port, got \"" + text + "\"");
    }
  }

  public HostPort withPort(int newPort) {
    return new HostPort(host, newPort);
  }

  @Override
  public String toString() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
