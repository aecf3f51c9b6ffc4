package io.buildindex.docker;

import io.buildindex.tagstore.Digest;
import java.io.IOException;
import java.util.Optional;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.BufferedSource;
import okio.ByteString;

/**
 * The parts of the OCI distribution API that replication needs, for one registry. Every method
 * translates I/O failures and unexpected statuses into {@link OriginException}. Thread-safe.
 */
final class RegistryClient implements ManifestSource {
  private static final MediaType OCTET_STREAM = MediaType.get("application/octet-stream");

  private final HttpUrl base;
  private final OkHttpClient http;

  /** {@code http} must already authenticate (see {@link RegistryAuth}). */
  RegistryClient(HttpUrl base, OkHttpClient http) {
    this.base = base;
    this.http = http;
  }

  /** The registry URL, e.g. {@code https://registry.dc1:5000}, without a trailing slash. */
  String address() {
    String url = base.newBuilder().username("").password("").build().toString(); // never report credentials
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  /** Whether {@code other} is this same registry (scheme, host and port): blobs can be mounted. */
  boolean sameRegistry(RegistryClient other) {
    return base.scheme().equals(other.base.scheme()) && base.host().equals(other.base.host())
        && base.port() == other.base.port();
  }

  boolean blobExists(String repository, Digest digest) {
    return head(url(repository, "blobs", digest.toString()), false);
  }

  boolean manifestExists(String repository, Digest digest) {
    return head(url(repository, "manifests", digest.toString()), true);
  }

  @Override
  public Optional<FetchedManifest> fetchManifest(String repository, Digest digest) {
    Request request = new Request.Builder().url(url(repository, "manifests", digest.toString()))
        .header("Accept", MediaTypes.ACCEPT).build();
    try (Response response = execute(request)) {
      if (response.code() == 404) {
        return Optional.empty();
      }
      expect(response, 200, "fetch manifest " + digest + " of " + repository);
      return Optional.of(readManifest(response));
    }
  }

  /** Opens blob {@code digest} for streaming; the caller closes the response. */
  Response openBlob(String repository, Digest digest) {
    Response response = execute(new Request.Builder().url(url(repository, "blobs", digest.toString())).build());
    if (response.code() != 200) {
      try (response) {
        expect(response, 200, "download blob " + digest + " of " + repository);
      }
    }
    return response;
  }

  /** Starts an upload session; returns where to PUT the blob. */
  HttpUrl startUpload(String repository) {
    Request request = new Request.Builder().url(uploadsUrl(repository).build()).post(empty()).build();
    try (Response response = execute(request)) {
      expect(response, 202, "start blob upload to " + repository);
      return location(response);
    }
  }

  /**
   * Asks the registry to link {@code digest} from {@code fromRepository} into {@code repository}
   * without copying. Empty when it did; otherwise the registry started an ordinary upload
   * (it may refuse a mount, e.g. when the source blob is gone) and this is where to PUT the blob.
   */
  Optional<HttpUrl> mount(String repository, Digest digest, String fromRepository) {
    HttpUrl url = uploadsUrl(repository).addQueryParameter("mount", digest.toString())
        .addQueryParameter("from", fromRepository).build();
    try (Response response = execute(new Request.Builder().url(url).post(empty()).build())) {
      if (response.code() == 201) {
        return Optional.empty();
      }
      expect(response, 202, "mount blob " + digest + " from " + fromRepository + " into " + repository);
      return Optional.of(location(response));
    }
  }

  /** Completes the upload at {@code location} with {@code body} in one PUT. */
  void finishUpload(HttpUrl location, Digest digest, RequestBody body) {
    HttpUrl url = location.newBuilder().addQueryParameter("digest", digest.toString()).build();
    try (Response response = execute(new Request.Builder().url(url).put(body).build())) {
      expect(response, 201, "upload blob " + digest);
    }
  }

  /** PUTs a manifest by digest or by tag ({@code reference}). */
  void putManifest(String repository, String reference, String mediaType, ByteString body) {
    Request request = new Request.Builder().url(url(repository, "manifests", reference))
        .put(RequestBody.create(body, MediaType.get(mediaType))).build();
    try (Response response = execute(request)) {
      expect(response, 201, "put manifest " + reference + " in " + repository);
    }
  }

  private boolean head(HttpUrl url, boolean manifest) {
    Request.Builder request = new Request.Builder().url(url).head();
    if (manifest) {
      request.header("Accept", MediaTypes.ACCEPT);
    }
    try (Response response = execute(request.build())) {
      if (response.code() == 404) {
        return false;
      }
      expect(response, 200, "HEAD " + url.encodedPath());
      return true;
    }
  }

  private HttpUrl url(String repository, String kind, String reference) {
    return base.newBuilder().addPathSegment("v2").addPathSegments(repository).addPathSegment(kind)
        .addPathSegment(reference).build();
  }

  private HttpUrl.Builder uploadsUrl(String repository) {
    // The trailing empty segment gives the trailing slash the API requires: /blobs/uploads/
    return base.newBuilder().addPathSegment("v2").addPathSegments(repository)
        .addPathSegment("blobs").addPathSegment("uploads").addPathSegment("");
  }

  private Response execute(Request request) {
    try {
      return http.newCall(request).execute();
    } catch (IOException e) {
      throw new OriginException(address(), request.method() + " " + request.url().encodedPath() + ": " + e, e);
    }
  }

  private FetchedManifest readManifest(Response response) {
    ResponseBody body = response.body();
    try {
      BufferedSource source = body == null ? null : body.source();
      if (source == null || source.request(FetchedManifest.MAX_BYTES + 1)) {
        throw new OriginException(address(), 200, "manifest response empty or larger than "
            + FetchedManifest.MAX_BYTES + " bytes");
      }
      return new FetchedManifest(source.readByteString(), response.header("Content-Type", ""));
    } catch (IOException e) {
      throw new OriginException(address(), "reading manifest " + response.request().url().encodedPath() + ": " + e, e);
    }
  }

  private HttpUrl location(Response response) {
    String location = response.header("Location");
    HttpUrl url = location == null ? null : response.request().url().resolve(location);
    if (url == null) {
      throw new OriginException(address(), response.code(), "upload answered without a usable Location: " + location);
    }
    return url;
  }

  private void expect(Response response, int status, String what) {
    if (response.code() != status) {
      throw new OriginException(address(), response.code(), what + ": HTTP " + response.code() + hint(response));
    }
  }

  private static String hint(Response response) {
    String hint = response.code() == 401 || response.code() == 403
        ? " (credentials refused: check origin.registry.username/password)" : "";
    try {
      String body = response.body() == null ? "" : response.peekBody(512).string().strip();
      return hint + (body.isEmpty() ? "" : ": " + body);
    } catch (IOException e) {
      return hint;
    }
  }

  private static RequestBody empty() {
    return RequestBody.create(new byte[0], OCTET_STREAM);
  }
}
