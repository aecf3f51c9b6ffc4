package io.buildindex.server;

import io.buildindex.config.AuthConfig;
import org.jspecify.annotations.Nullable;

/** What a route requires of the caller's token; {@link #OPEN} routes need none. */
enum Scope {
  OPEN(null),
  READ(AuthConfig.Scope.READ),
  WRITE(AuthConfig.Scope.WRITE),
  CLUSTER(AuthConfig.Scope.CLUSTER),
  ADMIN(AuthConfig.Scope.ADMIN);

  private final AuthConfig.@Nullable Scope granted;

  Scope(AuthConfig.@Nullable Scope granted) {
    this.granted = granted;
  }

  /** The token scope that grants this route scope; null for open routes. */
  AuthConfig.@Nullable Scope granted() {
    return granted;
  }
}
