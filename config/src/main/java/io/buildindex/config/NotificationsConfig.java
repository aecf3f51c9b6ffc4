package io.buildindex.config;

/** The {@code notifications} section: what to do with registry push events. */
public record NotificationsConfig(Boolean replicate) {
  /** Registry pushes register the tag but replicate only when asked to. */
  public static final boolean DEFAULT_REPLICATE = false;

  public NotificationsConfig {
    replicate = Validate.orDefault(replicate, DEFAULT_REPLICATE);
  }

  public static NotificationsConfig defaults() {
    return new NotificationsConfig(null);
  }
}
