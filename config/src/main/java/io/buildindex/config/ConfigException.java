package io.buildindex.config;

/** A configuration that cannot start a node; the message names the offending key. */
public final class ConfigException extends RuntimeException {
  private final String key;

  public ConfigException(String key, String problem) {
    super(key.isEmpty() ? problem : key + ": " + problem);
    this.key = key;
  }

  /** The dotted path of the bad key, e.g. {@code tagserver.listener.addr}; empty for the file itself. */
  public String key() {
    return key;
  }
}
