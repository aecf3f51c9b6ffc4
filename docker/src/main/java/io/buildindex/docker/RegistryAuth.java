package io.buildindex.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.Authenticator;
import okhttp3.Challenge;
import okhttp3.Credentials;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.Route;
import org.jspecify.annotations.Nullable;

/**
 * Registry authentication as the Docker client does it: answer a 401's
 * {@code WWW-Authenticate: Bearer realm=...,service=...,scope=...} with a token fetched from the
 * realm using the configured basic credentials, or a {@code Basic} challenge with the credentials.
 * Thread-safe; one instance per set of credentials, shared by every registry they are used for.
 */
final class RegistryAuth implements Interceptor, Authenticator {
  /** Used when the token server does not say, as the distribution token spec prescribes. */
  static final Duration DEFAULT_TOKEN_LIFETIME = Duration.ofSeconds(60);
  /** Largest token answer read: JWTs with many claims are a few KiB. */
  static final int MAX_TOKEN_BODY = 64 * 1024;
  private static final ObjectMapper JSON = JsonMapper.builder().build();
  private static final Pattern REPOSITORY_PATH = Pattern.compile("^/v2/(.+)/(?:blobs|manifests|tags)/");

  /* Design: the 401 -> token -> retry dance happens in authenticate() (OkHttp's follow-up
   * mechanism). That alone is not enough: OkHttp never replays a one-shot body, and blob uploads
   * stream one from the source registry. So every answered challenge is remembered per
   * (host, repository, pull-or-push) and intercept() attaches the token for that key before the
   * request is sent, fetching a fresh one when the cached one expired. Tokens are cached per
   * challenge (realm, service, scope), as the token server scopes them. */

  private final String username;
  private final String password;
  private final OkHttpClient tokenHttp;
  private final Clock clock;
  private final TrustedHosts trusted;
  private final Map<ScopeKey, BearerChallenge> challenges = new ConcurrentHashMap<>();
  private final Map<BearerChallenge, Token> tokens = new ConcurrentHashMap<>();
  private final Set<String> basicHosts = ConcurrentHashMap.newKeySet();

  /**
   * {@code tokenHttp} fetches tokens: a client without this authenticator. The credentials go only
   * to {@code trusted} hosts: a challenge from any other host is not answered.
   */
  RegistryAuth(String username, String password, OkHttpClient tokenHttp, Clock clock, TrustedHosts trusted) {
    this.username = username;
    this.password = password;
    this.tokenHttp = tokenHttp;
    this.clock = clock;
    this.trusted = trusted;
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Request request = chain.request();
    if (request.header("Authorization") != null) {
      return chain.proceed(request);
    }
    String authorization = preemptive(request);
    return chain.proceed(authorization == null ? request
        : request.newBuilder().header("Authorization", authorization).build());
  }

  private @Nullable String preemptive(Request request) throws IOException {
    if (hasCredentials() && basicHosts.contains(hostOf(request.url()))) {
      return Credentials.basic(username, password);
    }
    BearerChallenge challenge = challenges.get(ScopeKey.of(request));
    return challenge == null ? null : "Bearer " + token(challenge, false);
  }

  @Override
  public @Nullable Request authenticate(@Nullable Route route, Response response) throws IOException {
    if (response.priorResponse() != null) {
      return null; // already answered a challenge for this call: the credentials were refused
    }
    if (!trusted.registry(response.request().url())) {
      return null; // e.g. a storage host a blob download was redirected to: not ours to authenticate
    }
    for (Challenge challenge : response.challenges()) {
      String scheme = challenge.scheme();
      if (scheme.equalsIgnoreCase("Bearer") && challenge.authParams().get("realm") != null) {
        return bearer(response.request(), BearerChallenge.of(challenge.authParams()));
      }
      if (scheme.equalsIgnoreCase("Basic") && hasCredentials()) {
        basicHosts.add(hostOf(response.request().url()));
        return withAuthorization(response.request(), Credentials.basic(username, password));
      }
    }
    return null;
  }

  private Request bearer(Request request, BearerChallenge challenge) throws IOException {
    challenges.put(ScopeKey.of(request), challenge);
    return withAuthorization(request, "Bearer " + token(challenge, true));
  }

  private String token(BearerChallenge challenge, boolean refresh) throws IOException {
    Token cached = tokens.get(challenge);
    if (!refresh && cached != null && clock.instant().isBefore(cached.expires())) {
      return cached.value();
    }
    Token fresh = fetchToken(challenge);
    tokens.put(challenge, fresh);
    return fresh.value();
  }

  private Token fetchToken(BearerChallenge challenge) throws IOException {
    HttpUrl url = challenge.tokenUrl();
    Request.Builder request = new Request.Builder().url(url);
    if (hasCredentials()) {
      if (!trusted.realm(url)) {
        throw new IOException("token realm " + TrustedHosts.key(url) + " is not trusted with the registry credentials:"
            + " add it to origin.registry.token_realms if it is the registry's token server");
      }
      request.header("Authorization", Credentials.basic(username, password));
    }
    try (Response response = tokenHttp.newCall(request.build()).execute()) {
      if (!response.isSuccessful()) {
        throw new IOException("token server " + challenge.realm() + " answered " + response.code()
            + " for scope \"" + challenge.scope() + "\" (check origin.registry.username/password)");
      }
      byte[] body = response.body() == null ? new byte[0] : response.peekBody(MAX_TOKEN_BODY + 1).bytes();
      if (body.length > MAX_TOKEN_BODY) { // read no further: a token server must not fill the heap
        throw new IOException("token server " + challenge.realm() + " answered more than " + MAX_TOKEN_BODY + " bytes");
      }
      return parseToken(new String(body, java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  private Token parseToken(String body) throws IOException {
    JsonNode json = JSON.readTree(body);
    String value = json.path("token").asText(json.path("access_token").asText(""));
    if (value.isEmpty()) {
      throw new IOException("token server answered without a token");
    }
    long seconds = json.path("expires_in").asLong(DEFAULT_TOKEN_LIFETIME.toSeconds());
    // Renew a little early so that a token does not expire between attaching it and its use.
    Duration lifetime = Duration.ofSeconds(Math.max(1, seconds - Math.min(10, seconds / 2)));
    return new Token(value, clock.instant().plus(lifetime));
  }

  private boolean hasCredentials() {
    return !username.isEmpty();
  }

  private static Request withAuthorization(Request request, String authorization) {
    return request.newBuilder().header("Authorization", authorization).build();
  }

  private static String hostOf(HttpUrl url) {
    return url.host() + ":" + url.port();
  }

  private record Token(String value, Instant expires) {
    @Override
    public String toString() {
      return "Token[value=***, expires=" + expires + "]";
    }
  }

  /** The parameters of a Bearer challenge; the token cache key. */
  record BearerChallenge(String realm, String service, String scope) {
    static BearerChallenge of(Map<String, String> params) {
      return new BearerChallenge(params.get("realm"), params.getOrDefault("service", ""),
          params.getOrDefault("scope", ""));
    }

    HttpUrl tokenUrl() {
      HttpUrl url = HttpUrl.get(realm);
      HttpUrl.Builder builder = url.newBuilder();
      if (!service.isEmpty()) {
        builder.addQueryParameter("service", service);
      }
      for (String s : scope.split(" ")) {
        if (!s.isEmpty()) {
          builder.addQueryParameter("scope", s);
        }
      }
      return builder.build();
    }
  }

  /** Which token a request needs: per registry host, repository, and whether it writes. */
  record ScopeKey(String host, String repository, boolean push) {
    static ScopeKey of(Request request) {
      Matcher m = REPOSITORY_PATH.matcher(request.url().encodedPath());
      String repository = m.find() ? m.group(1) : "";
      boolean push = !request.method().equals("GET") && !request.method().equals("HEAD");
      return new ScopeKey(hostOf(request.url()), repository, push);
    }
  }
}
