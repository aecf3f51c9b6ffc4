package io.buildindex.docker.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.buildindex.tagstore.Digest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.Buffer;
import okio.BufferedSink;
import okio.Okio;
import okio.Source;
import okio.Timeout;

/**
 * Small OCI images for tests: layers of pseudo-random bytes generated on demand (a 50 MB layer
 * is never held in memory), a config JSON, an image manifest, and optionally an index over
 * several platforms; and a minimal, independent push client (plain OkHttp, monolithic uploads)
 * so that tests do not push with the client they test. Thread-safe (images are immutable).
 */
public final class OciImages {
  public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
  public static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar";
  private static final ObjectMapper JSON = JsonMapper.builder().build();

  private OciImages() {}

  /** A blob whose bytes are produced by {@code content} each time they are needed. */
  public record Blob(String mediaType, Digest digest, long size, Supplier<Source> content) {
    public static Blob of(String mediaType, byte[] bytes) {
      return new Blob(mediaType, Digest.sha256(bytes), bytes.length, () -> new Buffer().write(bytes));
    }

    /** {@code size} pseudo-random bytes determined by {@code seed}. */
    public static Blob random(long seed, long size) {
      return new Blob(OCI_LAYER, digestOf(() -> new RandomSource(seed, size)), size, () -> new RandomSource(seed, size));
    }

    public byte[] bytes() {
      try (var source = Okio.buffer(content.get())) {
        return source.readByteArray();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /**
   * An image manifest (with its config and layers) or an index (with its child images).
   *
   * @param platform {@code os/architecture}; set on images that go into an index
   */
  public record Image(String mediaType, byte[] manifest, List<Blob> blobs, List<Image> children, String platform) {
    public Image {
      blobs = List.copyOf(blobs);
      children = List.copyOf(children);
    }

    public Digest digest() {
      return Digest.sha256(manifest);
    }

    /** This manifest's digest, then depth-first each child's digest, config and layers. */
    public List<Digest> dependencies() {
      Set<Digest> out = new LinkedHashSet<>();
      collect(out);
      return List.copyOf(out);
    }

    private void collect(Set<Digest> out) {
      out.add(digest());
      blobs.forEach(b -> out.add(b.digest()));
      children.forEach(c -> c.collect(out));
    }
  }

  /** A linux/amd64 OCI image with one layer per size, random bytes from {@code seed}. */
  public static Image image(long seed, long... layerSizes) {
    return image("linux/amd64", seed, layerSizes);
  }

  /** An OCI image for {@code platform} ({@code os/architecture}). */
  public static Image image(String platform, long seed, long... layerSizes) {
    List<Blob> layers = new ArrayList<>();
    for (int i = 0; i < layerSizes.length; i++) {
      layers.add(Blob.random(seed * 1_000 + i, layerSizes[i]));
    }
    Blob config = Blob.of(OCI_CONFIG, json(config(platform, layers)));
    ObjectNode manifest = JSON.createObjectNode().put("schemaVersion", 2).put("mediaType", OCI_MANIFEST);
    manifest.set("config", descriptor(config));
    ArrayNode layerArray = manifest.putArray("layers");
    layers.forEach(l -> layerArray.add(descriptor(l)));
    List<Blob> blobs = new ArrayList<>(List.of(config));
    blobs.addAll(layers);
    return new Image(OCI_MANIFEST, json(manifest), blobs, List.of(), platform);
  }

  /** An OCI index over {@code children}, each entry carrying its child's platform. */
  public static Image index(Image... children) {
    ObjectNode index = JSON.createObjectNode().put("schemaVersion", 2).put("mediaType", OCI_INDEX);
    ArrayNode manifests = index.putArray("manifests");
    for (Image child : children) {
      ObjectNode entry = JSON.createObjectNode().put("mediaType", child.mediaType())
          .put("digest", child.digest().toString()).put("size", child.manifest().length);
      if (!child.platform().isEmpty()) {
        String[] platform = child.platform().split("/");
        entry.putObject("platform").put("os", platform[0]).put("architecture", platform[1]);
      }
      manifests.add(entry);
    }
    return new Image(OCI_INDEX, json(index), List.of(), List.of(children), "");
  }

  /**
   * Pushes {@code image} to {@code repository} of the registry at {@code registryUrl} (no auth):
   * blobs, then child manifests by digest, then the image by digest and by {@code tag}.
   */
  public static void push(OkHttpClient http, String registryUrl, String repository, String tag, Image image) {
    HttpUrl base = HttpUrl.get(registryUrl);
    pushTree(http, base, repository, image);
    putManifest(http, base, repository, tag, image);
  }

  private static void pushTree(OkHttpClient http, HttpUrl base, String repository, Image image) {
    for (Image child : image.children()) {
      pushTree(http, base, repository, child);
    }
    for (Blob blob : image.blobs()) {
      pushBlob(http, base, repository, blob);
    }
    putManifest(http, base, repository, image.digest().toString(), image);
  }

  private static void pushBlob(OkHttpClient http, HttpUrl base, String repository, Blob blob) {
    HttpUrl start = base.resolve("/v2/" + repository + "/blobs/uploads/");
    String location;
    try (Response r = call(http, new Request.Builder().url(start).post(RequestBody.create(new byte[0], null)).build(), 202)) {
      location = r.header("Location");
    }
    HttpUrl upload = start.resolve(location).newBuilder().addQueryParameter("digest", blob.digest().toString()).build();
    call(http, new Request.Builder().url(upload).put(streaming(blob)).build(), 201).close();
  }

  private static void putManifest(OkHttpClient http, HttpUrl base, String repository, String reference, Image image) {
    HttpUrl url = base.resolve("/v2/" + repository + "/manifests/" + reference);
    RequestBody body = RequestBody.create(image.manifest(), MediaType.get(image.mediaType()));
    call(http, new Request.Builder().url(url).put(body).build(), 201).close();
  }

  private static Response call(OkHttpClient http, Request request, int expected) {
    try {
      Response response = http.newCall(request).execute();
      if (response.code() != expected) {
        String body = response.body() == null ? "" : response.body().string();
        response.close();
        throw new IllegalStateException(request.method() + " " + request.url() + " answered " + response.code()
            + " (want " + expected + "): " + body);
      }
      return response;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static RequestBody streaming(Blob blob) {
    return new RequestBody() {
      @Override
      public MediaType contentType() {
        return MediaType.get("application/octet-stream");
      }

      @Override
      public long contentLength() {
        return blob.size();
      }

      @Override
      public void writeTo(BufferedSink sink) throws IOException {
        try (Source source = blob.content().get()) {
          sink.writeAll(source);
        }
      }
    };
  }

  private static ObjectNode config(String platform, List<Blob> layers) {
    String[] parts = platform.split("/");
    ObjectNode config = JSON.createObjectNode().put("architecture", parts[1]).put("os", parts[0]);
    config.putObject("config").putArray("Cmd").add("/bin/true");
    ObjectNode rootfs = config.putObject("rootfs").put("type", "layers");
    ArrayNode diffIds = rootfs.putArray("diff_ids");
    layers.forEach(l -> diffIds.add(l.digest().toString())); // uncompressed tar layers: diff id = digest
    return config;
  }

  private static ObjectNode descriptor(Blob blob) {
    return JSON.createObjectNode().put("mediaType", blob.mediaType()).put("digest", blob.digest().toString())
        .put("size", blob.size());
  }

  private static byte[] json(ObjectNode node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Digest digestOf(Supplier<Source> content) {
    try (var source = Okio.buffer(content.get())) {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] chunk = new byte[64 * 1024];
      for (int n; (n = source.read(chunk)) != -1; ) {
        sha.update(chunk, 0, n);
      }
      return new Digest("sha256", HexFormat.of().formatHex(sha.digest()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code size} bytes from a seeded generator: the same bytes on every read, none stored. */
  static final class RandomSource implements Source {
    /** Bytes are drawn in blocks of this size, so that any read pattern sees the same stream. */
    private static final int BLOCK = 8192;
    private final SplittableRandom random;
    private final Buffer pending = new Buffer();
    private long ungenerated;

    RandomSource(long seed, long size) {
      this.random = new SplittableRandom(seed);
      this.ungenerated = size;
    }

    @Override
    public long read(Buffer sink, long byteCount) {
      if (pending.size() == 0) {
        if (ungenerated == 0) {
          return -1;
        }
        byte[] block = new byte[BLOCK];
        random.nextBytes(block);
        int n = (int) Math.min(BLOCK, ungenerated);
        pending.write(block, 0, n);
        ungenerated -= n;
      }
      return pending.read(sink, Math.min(byteCount, pending.size()));
    }

    @Override
    public Timeout timeout() {
      return Timeout.NONE;
    }

    @Override
    public void close() {}
  }
}
