package io.buildindex.server;

import io.buildindex.config.AuthConfig;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** What a route requires of the caller's token; {@link #OPEN} routes need none. */
enum Scope {
  OPEN(null),
  READ(AuthConfig.Scope.READ),
  WRITE(AuthConfig.Scope.WRITE),
  /** Writes whose generation the caller chooses: another datacenter's replication, or a neighbor. */
  REPLICATE(AuthConfig.Scope.REPLICATE),
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

  /**
   * Whether a token with {@code scopes} may call a route needing this scope. Neighbors send
   * generations too (forwarded deletes), so {@code cluster} grants {@code replicate}.
   */
  boolean grantedBy(Set<AuthConfig.Scope> scopes) {
    return scopes.contains(granted) || (this == REPLICATE && scopes.contains(AuthConfig.Scope.CLUSTER));
  }
}
