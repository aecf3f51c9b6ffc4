package io.buildindex.config;

import java.util.List;
import java.util.Set;

/**
 * The optional {@code auth} section. Absent means an open server (development). Tokens are
 * secrets: {@link #toString()} never prints them.
 */
public record AuthConfig(List<TokenConfig> tokens, String clientToken) {
  public AuthConfig {
    tokens = List.copyOf(Validate.orDefault(tokens, List.of()));
    clientToken = Validate.orDefault(clientToken, "");
    if (tokens.isEmpty()) {
      throw new ConfigException("tokens", "auth needs at least one token (remove the auth section for an open server)");
    }
  }

  @Override
  public String toString() {
    return "AuthConfig[tokens=" + tokens.size() + ", clientToken=" + (clientToken.isEmpty() ? "none" : "***") + "]";
  }

  /**
   * What a token may do. {@code replicate} lets a caller choose a write's generation (replication
   * between build-indexes); {@code cluster} (neighbors inside a datacenter) includes it.
   */
  public enum Scope {
    READ, WRITE, REPLICATE, CLUSTER, ADMIN;

    @com.fasterxml.jackson.annotation.JsonCreator
    static Scope parse(String text) {
      try {
        return valueOf(text.toUpperCase(java.util.Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new ConfigException("", "unknown scope \"" + text + "\" (want read, write, replicate, cluster or admin)");
      }
    }
  }

  /** {@code {token: "...", scopes: [read, write]}}. */
  public record TokenConfig(String token, Set<Scope> scopes) {
    public TokenConfig {
      Validate.required("token", token);
      scopes = Set.copyOf(Validate.orDefault(scopes, Set.of()));
      if (scopes.isEmpty()) {
        throw new ConfigException("scopes", "is required (read, write, replicate, cluster, admin)");
      }
    }

    @Override
    public String toString() {
      return "TokenConfig[token=***, scopes=" + scopes + "]";
    }
  }
}
