package io.buildindex.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.buildindex.config.HostPort;
import io.buildindex.tagreplication.wire.BoundedBody;
import io.buildindex.tagreplication.wire.MemberList;
import io.buildindex.tagreplication.wire.NodeHeaders;
import io.buildindex.tagreplication.wire.TagGet.TagState;
import io.buildindex.tagreplication.wire.TagGet;
import io.buildindex.tagstore.Digest;
import io.buildindex.tagstore.Generation;
import io.buildindex.tagstore.Tag;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;

/**
 * Calls to other build-index nodes of this datacenter, in Kraken's wire format plus our
 * {@code X-Tag-Generation} header so every owner stores the write under the same generation.
 * The given {@link OkHttpClient} carries timeouts and the cluster token. Thread-safe.
 */
final class NeighborClient {
  /** Largest answer to a routed write that is read: an error message. */
  private static final long MAX_ROUTED_BODY = 16 * 1024;
  /**
   * A routed write waits for the owner's whole write path: dependency resolution (a docker tag's
   * manifest may be retried for a while) and the owner's own fan-out.
   */
  static final Duration ROUTE_TIMEOUT = Duration.ofSeconds(60);
  private static final MediaType JSON = MediaType.get("application/json");

  private final OkHttpClient http;
  private final OkHttpClient routeHttp;
  private final ObjectMapper json;

  NeighborClient(OkHttpClient http, ObjectMapper json) {
    this.http = http;
    this.routeHttp = http.newBuilder().readTimeout(ROUTE_TIMEOUT).callTimeout(ROUTE_TIMEOUT).build();
    this.json = json;
  }

  /** A client's {@code PUT /tags/{tag}/digest/{digest}} sent on to {@code owner}; a 5xx answer is an IOException. */
  RoutedWrite routePut(HostPort owner, Tag tag, Digest digest, @Nullable Generation generation, boolean replicate)
      throws IOException {
    return route(owner, "PUT", "/tags/" + tag.pathEscaped() + "/digest/" + digest + "?replicate=" + replicate, generation);
  }

  /** A client's {@code DELETE /tags/{tag}} sent on to {@code owner}; a 5xx answer is an IOException. */
  RoutedWrite routeDelete(HostPort owner, Tag tag, @Nullable Generation generation, boolean replicate) throws IOException {
    return route(owner, "DELETE", "/tags/" + tag.pathEscaped() + "?replicate=" + replicate, generation);
  }

  private RoutedWrite route(HostPort owner, String method, String path, @Nullable Generation generation)
      throws IOException {
    Request.Builder request = new Request.Builder().url(url(owner, path)).header(NodeHeaders.ROUTED, "1")
        .method(method, method.equals("PUT") ? RequestBody.create(new byte[0]) : null);
    if (generation != null) {
      request.header(NodeHeaders.GENERATION, generation.toString());
    }
    try (Response response = routeHttp.newCall(request.build()).execute()) {
      if (response.code() >= 500 || response.isRedirect()) {
        throw new IOException(method + " " + path + " on " + owner + ": HTTP " + response.code());
      }
      String generationHeader = response.header(NodeHeaders.GENERATION);
      return new RoutedWrite(response.code(), response.header(NodeHeaders.OUTCOME),
          generationHeader == null ? null : Generation.parse(generationHeader),
          response.peekBody(MAX_ROUTED_BODY).string());
    }
  }


  /** Kraken's DuplicatePut: {@code PUT /internal/duplicate/tags/{tag}/digest/{digest}}. */
  void duplicatePut(HostPort node, Tag tag, Digest digest, Generation generation, Duration delay) throws IOException {
    byte[] body = json.writeValueAsBytes(Map.of("delay", delay.toNanos()));
    send(node, "PUT", "/internal/duplicate/tags/" + tag.pathEscaped() + "/digest/" + digest, generation, body);
  }

  /** Kraken's DuplicateReplicate: {@code POST /internal/duplicate/remotes/tags/{tag}/digest/{digest}}. */
  void duplicateReplicate(HostPort node, Tag tag, Digest digest, Generation generation, List<Digest> dependencies,
      Duration delay) throws IOException {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("dependencies", dependencies.stream().map(Digest::toString).toList());
    fields.put("delay", delay.toNanos());
    send(node, "POST", "/internal/duplicate/remotes/tags/" + tag.pathEscaped() + "/digest/" + digest, generation,
        json.writeValueAsBytes(fields));
  }

  /** A delete's tombstone, sent as a forwarded {@code DELETE /tags/{tag}} so the neighbor does not fan out again. */
  void duplicateDelete(HostPort node, Tag tag, Generation generation) throws IOException {
    Request request = new Request.Builder().url(url(node, "/tags/" + tag.pathEscaped() + "?replicate=false"))
        .header(NodeHeaders.GENERATION, generation.toString()).header(NodeHeaders.FORWARDED, "1").delete().build();
    try (Response response = http.newCall(request).execute()) {
      if (!response.isSuccessful()) {
        throw new IOException("DELETE " + tag + " on " + node + ": HTTP " + response.code());
      }
    }
  }

  /** The tag's digest and generation on {@code node}, answered from its own store; empty for a 404. */
  Optional<RemoteTag> get(HostPort node, Tag tag) throws IOException {
    try (Response response = http.newCall(TagGet.request(base(node), tag, true)).execute()) {
      if (response.code() != 404 && !response.isSuccessful()) {
        throw new IOException("GET " + tag + " from " + node + ": HTTP " + response.code());
      }
      TagState state = TagGet.read(response);
      Digest digest = state.digest();
      return digest == null ? Optional.empty() : Optional.of(new RemoteTag(digest, state.generation()));
    }
  }

  /** A page of {@code node}'s own records in the range ({@link MemberList}); a non-2xx answer is an IOException. */
  MemberList.Records list(HostPort node, String prefix, @Nullable String after, int limit) throws IOException {
    try (Response response = http.newCall(MemberList.request(base(node), prefix, after, limit)).execute()) {
      if (!response.isSuccessful()) {
        throw new IOException("GET " + MemberList.PATH + " from " + node + ": HTTP " + response.code());
      }
      return MemberList.read(response, prefix, after, limit);
    }
  }

  /** A GET returning the body as bytes, for anti-entropy; a body over {@code limit} bytes fails it unread. */
  byte[] getBytes(HostPort node, String pathAndQuery, long limit) throws IOException {
    Request request = new Request.Builder().url(url(node, pathAndQuery)).get().build();
    try (Response response = http.newCall(request).execute()) {
      if (!response.isSuccessful() || response.body() == null) {
        throw new IOException("GET " + pathAndQuery + " from " + node + ": HTTP " + response.code());
      }
      return BoundedBody.bytes(response, limit);
    }
  }

  private void send(HostPort node, String method, String path, Generation generation, byte[] body) throws IOException {
    Request request = new Request.Builder().url(url(node, path)).header(NodeHeaders.GENERATION, generation.toString())
        .method(method, RequestBody.create(body, JSON)).build();
    try (Response response = http.newCall(request).execute()) {
      if (!response.isSuccessful()) {
        throw new IOException(method + " " + path + " on " + node + ": HTTP " + response.code());
      }
    }
  }

  private static String url(HostPort node, String path) {
    return "http://" + node + path;
  }

  private static HttpUrl base(HostPort node) {
    return HttpUrl.get(url(node, "/"));
  }
}
