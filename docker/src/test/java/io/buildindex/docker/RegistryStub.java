package io.buildindex.docker;

import io.buildindex.docker.testing.OciImages;
import io.buildindex.tagstore.Digest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.HttpUrl;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import okio.Buffer;

/**
 * An in-memory registry on a MockWebServer bound to 127.0.0.1: enough of the distribution API
 * for resolving and replicating (HEAD/GET blobs and manifests, monolithic uploads, mounts,
 * manifest PUTs), recording every request as {@code "METHOD /path"}.
 */
final class RegistryStub extends Dispatcher implements AutoCloseable {
  private static final Pattern UPLOADS = Pattern.compile("^/v2/(.+)/blobs/uploads/(.*)$");
  private static final Pattern BLOB = Pattern.compile("^/v2/(.+)/blobs/([^/]+)$");
  private static final Pattern MANIFEST = Pattern.compile("^/v2/(.+)/manifests/([^/]+)$");

  private final MockWebServer server = new MockWebServer();
  private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
  private final Map<String, Stored> manifests = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> hidden = new ConcurrentHashMap<>();
  private final List<String> log = new ArrayList<>();
  private final AtomicInteger uploads = new AtomicInteger();
  private volatile boolean refuseMounts;

  record Stored(String mediaType, byte[] body) {}

  RegistryStub() {
    server.setDispatcher(this);
    try {
      server.start(InetAddress.getByName("127.0.0.1"), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String url() {
    return "http://127.0.0.1:" + server.getPort();
  }

  Digest putBlob(String repository, byte[] content) {
    Digest digest = Digest.sha256(content);
    blobs.put(repository + "@" + digest, content);
    return digest;
  }

  Digest putManifest(String repository, String mediaType, byte[] body) {
    Digest digest = Digest.sha256(body);
    manifests.put(repository + "@" + digest, new Stored(mediaType, body));
    return digest;
  }

  /** Stores {@code image} (its blobs, children and manifest) as if pushed, tagged {@code tag} unless empty. */
  void add(String repository, String tag, OciImages.Image image) {
    image.children().forEach(child -> add(repository, "", child));
    image.blobs().forEach(blob -> putBlob(repository, blob.bytes()));
    putManifest(repository, image.mediaType(), image.manifest());
    if (!tag.isEmpty()) {
      manifests.put(repository + "@" + tag, new Stored(image.mediaType(), image.manifest()));
    }
  }

  /** Answers mount requests as registries do when they will not mount: 202, an ordinary upload. */
  void refuseMounts() {
    refuseMounts = true;
  }

  /** Serves {@code body} as manifest {@code digest} whatever it hashes to, for corruption tests. */
  void putManifestAs(String repository, Digest digest, String mediaType, byte[] body) {
    manifests.put(repository + "@" + digest, new Stored(mediaType, body));
  }

  /** GET and HEAD of this manifest answer 404 the next {@code times} times. */
  void hideManifest(Digest digest, int times) {
    hidden.put(digest.toString(), new AtomicInteger(times));
  }

  boolean hasBlob(String repository, Digest digest) {
    return blobs.containsKey(repository + "@" + digest);
  }

  byte[] blob(String repository, Digest digest) {
    return blobs.get(repository + "@" + digest);
  }

  Stored manifest(String repository, String reference) {
    return manifests.get(repository + "@" + reference);
  }

  synchronized List<String> log() {
    return List.copyOf(log);
  }

  /** The logged requests starting with {@code prefix}, e.g. {@code "PUT /v2/app/manifests/"}. */
  synchronized List<String> log(String prefix) {
    return log.stream().filter(line -> line.startsWith(prefix)).toList();
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    HttpUrl url = request.getRequestUrl();
    String path = url.encodedPath();
    synchronized (this) {
      log.add(request.getMethod() + " " + path + (url.querySize() > 0 ? "?" + url.encodedQuery() : ""));
    }
    Matcher m;
    if ((m = UPLOADS.matcher(path)).matches()) {
      return upload(request, m.group(1), m.group(2), url);
    }
    if ((m = BLOB.matcher(path)).matches()) {
      return blob(request.getMethod(), m.group(1) + "@" + m.group(2));
    }
    if ((m = MANIFEST.matcher(path)).matches()) {
      return manifest(request, m.group(1), m.group(2));
    }
    return new MockResponse().setResponseCode(path.equals("/v2/") ? 200 : 404);
  }

  private MockResponse upload(RecordedRequest request, String repository, String session, HttpUrl url) {
    if (request.getMethod().equals("POST")) {
      String mount = url.queryParameter("mount");
      if (mount != null && !refuseMounts && blobs.containsKey(url.queryParameter("from") + "@" + mount)) {
        blobs.put(repository + "@" + mount, blobs.get(url.queryParameter("from") + "@" + mount));
        return new MockResponse().setResponseCode(201);
      }
      return new MockResponse().setResponseCode(202)
          .setHeader("Location", "/v2/" + repository + "/blobs/uploads/u" + uploads.incrementAndGet() + "?_state=x");
    }
    if (request.getMethod().equals("PUT") && !session.isEmpty()) {
      byte[] body = request.getBody().readByteArray();
      String digest = url.queryParameter("digest");
      if (!Digest.parse(digest).matches(body)) {
        return new MockResponse().setResponseCode(400).setBody("{\"errors\":[{\"code\":\"DIGEST_INVALID\"}]}");
      }
      blobs.put(repository + "@" + digest, body);
      return new MockResponse().setResponseCode(201);
    }
    return new MockResponse().setResponseCode(405);
  }

  private MockResponse blob(String method, String key) {
    byte[] content = blobs.get(key);
    if (content == null) {
      return new MockResponse().setResponseCode(404);
    }
    return method.equals("HEAD")
        ? new MockResponse().setHeader("Content-Length", content.length)
        : new MockResponse().setBody(new Buffer().write(content));
  }

  private MockResponse manifest(RecordedRequest request, String repository, String reference) {
    if (request.getMethod().equals("PUT")) {
      Stored stored = new Stored(request.getHeader("Content-Type"), request.getBody().readByteArray());
      manifests.put(repository + "@" + reference, stored);
      manifests.put(repository + "@" + Digest.sha256(stored.body()), stored);
      return new MockResponse().setResponseCode(201);
    }
    AtomicInteger misses = hidden.get(reference);
    Stored stored = manifests.get(repository + "@" + reference);
    if (stored == null || (misses != null && misses.getAndDecrement() > 0)) {
      MockResponse missing = new MockResponse().setResponseCode(404);
      // MockWebServer would write a body even for HEAD, which the client does not read.
      return request.getMethod().equals("HEAD") ? missing
          : missing.setBody("{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\"}]}");
    }
    MockResponse response = new MockResponse().setHeader("Content-Type", stored.mediaType());
    return request.getMethod().equals("HEAD") ? response.setHeader("Content-Length", stored.body().length)
        : response.setBody(new Buffer().write(stored.body()));
  }

  @Override
  public void close() throws IOException {
    server.shutdown();
  }
}
