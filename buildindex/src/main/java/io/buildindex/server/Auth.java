package io.buildindex.server;

import io.buildindex.config.AuthConfig;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Bearer-token auth checked before every matched route: no or unknown token is 401, a token
 * without the route's scope is 403. Tokens are compared in constant time (SHA-256 of each, then
 * {@link MessageDigest#isEqual}, over every configured token without early exit) and never
 * logged. Thread-safe (immutable).
 */
final class Auth {
  /** Open server: every request passes. */
  static final Auth OPEN = new Auth(List.of());

  private record Grant(byte[] tokenHash, Set<AuthConfig.Scope> scopes) {}

  private final List<Grant> grants;

  private Auth(List<Grant> grants) {
    this.grants = grants;
  }

  static Auth of(@Nullable AuthConfig config) {
    if (config == null) {
      return OPEN;
    }
    return new Auth(config.tokens().stream().map(t -> new Grant(sha256(t.token()), t.scopes())).toList());
  }

  /** Whether every request passes (no {@code auth} section): then {@link #check} never throws. */
  boolean isOpen() {
    return grants.isEmpty();
  }

  /**
   * Throws {@link HttpProblem} 401/403 unless the request's token grants {@code required} and,
   * when {@code choosesGeneration} (the request carries {@code X-Tag-Generation}),
   * {@link Scope#REPLICATE} too. Open routes stay open.
   */
  void check(Context ctx, Scope required, boolean choosesGeneration) {
    if (grants.isEmpty() || required.granted() == null) {
      return;
    }
    String header = ctx.header("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw unauthorized(ctx, "missing bearer token");
    }
    Set<AuthConfig.Scope> scopes = scopesOf(header.substring(7).strip());
    if (scopes == null) {
      throw unauthorized(ctx, "unknown token");
    }
    requireScope(scopes, required);
    if (choosesGeneration) {
      requireScope(scopes, Scope.REPLICATE);
    }
  }

  private static void requireScope(Set<AuthConfig.Scope> scopes, Scope required) {
    if (!required.grantedBy(scopes)) {
      throw new HttpProblem(403, "token lacks the " + required.name().toLowerCase() + " scope");
    }
  }

  private @Nullable Set<AuthConfig.Scope> scopesOf(String token) {
    byte[] presented = sha256(token);
    Set<AuthConfig.Scope> found = null;
    for (Grant g : grants) { // no early exit: time does not depend on which token matched
      if (MessageDigest.isEqual(g.tokenHash(), presented)) {
        found = g.scopes();
      }
    }
    return found;
  }

  private static HttpProblem unauthorized(Context ctx, String why) {
    ctx.header("WWW-Authenticate", "Bearer realm=\"build-index\"");
    return new HttpProblem(401, why);
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
