package io.buildindex.docker;

import io.buildindex.tagstore.Digest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.jspecify.annotations.Nullable;

/**
 * A registry's listing API: {@code /v2/_catalog} and {@code /v2/<repo>/tags/list}, paged with
 * {@code n} and the {@code Link: <...>; rel="next"} header, and a tag's manifest digest by
 * {@code HEAD} with the manifest media types accepted. Every request first waits for
 * {@code pace}, so a walk never floods the registry. Failures are {@link OriginException}s.
 * Thread-safe.
 */
final class RegistryCatalog {
  /** Entries asked per page: the distribution spec lets a registry return fewer, never more. */
  static final int PAGE = 1_000;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern NEXT = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?");

  /** Blocks until the next request may go out. */
  @FunctionalInterface
  interface Pace {
    Pace NONE = () -> { };

    void acquire() throws InterruptedException;
  }

  private final HttpUrl base;
  private final OkHttpClient http;
  private final Pace pace;

  /** {@code http} must already authenticate (see {@link RegistryAuth}). */
  RegistryCatalog(HttpUrl base, OkHttpClient http, Pace pace) {
    this.base = base.newBuilder().encodedPath("/").query(null).build();
    this.http = http;
    this.pace = pace;
  }

  String address() {
    String url = base.toString();
    return url.substring(0, url.length() - 1);
  }

  /** Every repository of the catalog, in the registry's (lexical) order. */
  List<String> repositories() throws InterruptedException {
    return pages(base.newBuilder().addPathSegments("v2/_catalog").addQueryParameter("n", Integer.toString(PAGE)).build(),
        "repositories");
  }

  /** Every tag of {@code repository}; empty when the repository is gone. */
  List<String> tags(String repository) throws InterruptedException {
    return pages(base.newBuilder().addPathSegment("v2").addPathSegments(repository).addPathSegments("tags/list")
        .addQueryParameter("n", Integer.toString(PAGE)).build(), "tags");
  }

  /**
   * The digest the registry serves for {@code repository:tag}: {@code Docker-Content-Digest} of a
   * {@code HEAD} that accepts every manifest type (without the Accept header a registry may
   * convert and report another digest). Empty when the tag is gone.
   */
  Optional<Digest> manifestDigest(String repository, String tag) throws InterruptedException {
    HttpUrl url = base.newBuilder().addPathSegment("v2").addPathSegments(repository).addPathSegment("manifests")
        .addPathSegment(tag).build();
    try (Response r = execute(new Request.Builder().url(url).head().header("Accept", MediaTypes.ACCEPT).build())) {
      if (r.code() == 404) {
        return Optional.empty();
      }
      expect(r, "HEAD " + url.encodedPath());
      String digest = r.header("Docker-Content-Digest");
      if (digest == null) {
        throw new OriginException(address(), r.code(), "HEAD " + url.encodedPath() + " answered no Docker-Content-Digest");
      }
      return Optional.of(Digest.parseContent(digest));
    }
  }

  private List<String> pages(HttpUrl first, String field) throws InterruptedException {
    List<String> out = new ArrayList<>();
    @Nullable HttpUrl next = first;
    while (next != null) {
      try (Response r = execute(new Request.Builder().url(next).get().build())) {
        if (r.code() == 404 && field.equals("tags")) {
          return out;
        }
        expect(r, "GET " + next.encodedPath());
        JsonNode body = read(r);
        body.path(field).forEach(n -> out.add(n.asText())); // "tags": null for a repository without tags
        next = next(r);
      }
    }
    return out;
  }

  private @Nullable HttpUrl next(Response r) {
    String link = r.header("Link");
    if (link == null) {
      return null;
    }
    Matcher m = NEXT.matcher(link);
    return m.find() ? r.request().url().resolve(m.group(1)) : null;
  }

  private JsonNode read(Response r) {
    try {
      ResponseBody body = r.body();
      return body == null ? JSON.missingNode() : JSON.readTree(body.byteStream());
    } catch (IOException e) {
      throw new OriginException(address(), "reading " + r.request().url().encodedPath() + ": " + e, e);
    }
  }

  private Response execute(Request request) throws InterruptedException {
    pace.acquire();
    try {
      return http.newCall(request).execute();
    } catch (IOException e) {
      throw new OriginException(address(), request.method() + " " + request.url().encodedPath() + ": " + e, e);
    }
  }

  private void expect(Response r, String what) {
    if (r.code() != 200) {
      String hint = r.code() == 401 || r.code() == 403
          ? " (credentials refused: listing the catalog needs registry:catalog:* access)" : "";
      throw new OriginException(address(), r.code(), what + ": HTTP " + r.code() + hint);
    }
  }
}
