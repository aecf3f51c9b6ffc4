package io.buildindex.docker;

import io.buildindex.config.HostPort;
import io.buildindex.tagstore.Digest;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.BufferedSource;

/**
 * One Kraken origin server, spoken to as Kraken's {@code origin/blobclient.HTTPClient} does:
 * namespaces are path-escaped (so {@code team/app} is one segment, {@code team%2Fapp}) and
 * digests are written whole ({@code sha256:<hex>}). Thread-safe.
 */
final class KrakenClient {
  /** What a blob request found; Kraken answers 202 while it fetches a blob from storage. */
  enum Status { READY, PENDING, NOT_FOUND }

  private final HostPort hostPort;
  private final String address;
  private final OkHttpClient http;

  KrakenClient(HostPort hostPort, OkHttpClient http) {
    this.hostPort = hostPort;
    this.address = hostPort.toString();
    this.http = http;
  }

  /** {@code host:port}. */
  String address() {
    return address;
  }

  /** {@code GET /blobs/{d}/locations}: the origins that own {@code digest}, by hash ring. */
  List<String> locations(Digest digest) {
    HttpUrl url = base().addPathSegment("blobs").addPathSegment(digest.toString()).addPathSegment("locations").build();
    try (Response response = execute(new Request.Builder().url(url).build())) {
      expectOk(response, "locations of " + digest);
      return Arrays.stream(response.header("Origin-Locations", "").split(","))
          .map(String::strip).filter(s -> !s.isEmpty()).toList();
    }
  }

  /** {@code HEAD /internal/namespace/{ns}/blobs/{d}}. */
  boolean stat(String namespace, Digest digest) {
    HttpUrl url = base().addPathSegment("internal").addPathSegment("namespace").addPathSegment(namespace)
        .addPathSegment("blobs").addPathSegment(digest.toString()).build();
    try (Response response = execute(new Request.Builder().url(url).head().build())) {
      if (response.code() == 404) {
        return false;
      }
      expectOk(response, "stat " + digest + " in " + namespace);
      return true;
    }
  }

  /** {@code GET /namespace/{ns}/blobs/{d}}, for small blobs (manifests): empty unless READY. */
  Optional<FetchedManifest> downloadManifest(String namespace, Digest digest) {
    try (Response response = execute(new Request.Builder().url(blobUrl(namespace, digest).build()).build())) {
      if (status(response, "download " + digest + " of " + namespace) != Status.READY) {
        return Optional.empty();
      }
      return Optional.of(new FetchedManifest(read(response), response.header("Content-Type", "")));
    }
  }

  /** {@code POST /namespace/{ns}/blobs/{d}/remote/{remote}}: asks this origin to push the blob to a remote cluster. */
  Status replicateToRemote(String namespace, Digest digest, String remote) {
    HttpUrl url = blobUrl(namespace, digest).addPathSegment("remote").addPathSegment(remote).build();
    Request request = new Request.Builder().url(url).post(RequestBody.create(new byte[0], (MediaType) null)).build();
    try (Response response = execute(request)) {
      return status(response, "replicate " + digest + " of " + namespace + " to " + remote);
    }
  }

  private HttpUrl.Builder base() {
    return new HttpUrl.Builder().scheme("http").host(hostPort.host()).port(hostPort.port());
  }

  private HttpUrl.Builder blobUrl(String namespace, Digest digest) {
    return base().addPathSegment("namespace").addPathSegment(namespace).addPathSegment("blobs")
        .addPathSegment(digest.toString());
  }

  private Status status(Response response, String what) {
    return switch (response.code()) {
      case 200 -> Status.READY;
      case 202 -> Status.PENDING;
      case 404 -> Status.NOT_FOUND;
      default -> throw unexpected(response, what);
    };
  }

  private okio.ByteString read(Response response) {
    ResponseBody body = response.body();
    try {
      BufferedSource source = body == null ? null : body.source();
      if (source == null || source.request(FetchedManifest.MAX_BYTES + 1)) {
        throw new OriginException(address, 200, "manifest blob empty or larger than " + FetchedManifest.MAX_BYTES);
      }
      return source.readByteString();
    } catch (IOException e) {
      throw new OriginException(address, "reading " + response.request().url().encodedPath() + ": " + e, e);
    }
  }

  private Response execute(Request request) {
    try {
      return http.newCall(request).execute();
    } catch (IOException e) {
      throw new OriginException(address, request.method() + " " + request.url().encodedPath() + ": " + e, e);
    }
  }

  private void expectOk(Response response, String what) {
    if (response.code() != 200) {
      throw unexpected(response, what);
    }
  }

  private OriginException unexpected(Response response, String what) {
    String body = "";
    try {
      body = response.body() == null ? "" : response.peekBody(512).string().strip();
    } catch (IOException e) {
      // the status says enough
    }
    return new OriginException(address, response.code(), what + ": HTTP " + response.code()
        + (body.isEmpty() ? "" : ": " + body));
  }
}
