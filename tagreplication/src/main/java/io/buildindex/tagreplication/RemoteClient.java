package io.buildindex.tagreplication;

import io.buildindex.config.HostPort;
import io.buildindex.tagreplication.wire.BadAnswerException;
import io.buildindex.tagreplication.wire.BoundedBody;
import io.buildindex.tagreplication.wire.NodeHeaders;
import io.buildindex.tagreplication.wire.NodeJson;
import io.buildindex.tagreplication.wire.TagGet.TagState;
import io.buildindex.tagreplication.wire.TagGet;
import io.buildindex.tagstore.Digest;
import io.buildindex.tagstore.Generation;
import io.buildindex.tagstore.Tag;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;

/**
 * The wire contract of a remote build-index, over the caller's {@link OkHttpClient} (which carries
 * authentication). Every failure is a {@link RemoteException} saying why. Thread-safe.
 */
final class RemoteClient {
  /** How long an answer of {@code GET /origin} is reused: origins move rarely, tasks are many. */
  static final Duration ORIGIN_TTL = Duration.ofMinutes(1);
  /** How long a remote that does not serve {@link WriteBatch#PATH} gets single requests before it is asked again. */
  static final Duration BATCH_RECHECK = Duration.ofMinutes(10);
  private static final int MAX_ERROR_BODY = 200;
  /** Largest answer of {@code GET /origin}: a registry URL or a {@code host:port}. */
  static final long MAX_ORIGIN_BODY = 4096;
  /** Largest answer of {@link WriteBatch#PATH}: {@link WriteBatch#MAX_WRITES} short results need about 60 KiB. */
  static final long MAX_BATCH_BODY = 1024 * 1024;
  private static final MediaType JSON = MediaType.get("application/json");

  /** What a replicated write did on the remote, and the generation it holds now. */
  record RemoteWrite(boolean superseded, Generation generation) {}

  private record CachedOrigin(String address, Instant fetched) {}

  private final HostPort address;
  private final String destination;
  private final HttpUrl base;
  private final OkHttpClient http;
  private final Duration callTimeout;
  private final Clock clock;
  private volatile @Nullable CachedOrigin origin;
  private volatile Instant batchUnsupportedUntil = Instant.EPOCH;

  RemoteClient(HostPort remote, OkHttpClient http, Duration callTimeout, Clock clock) {
    this.address = remote;
    this.destination = remote.toString();
    this.base = HttpUrl.get("http://" + remote);
    this.http = http;
    this.callTimeout = callTimeout;
    this.clock = clock;
  }

  HostPort address() {
    return address;
  }

  /** The canonical {@code host:port} that task rows name this remote by. */
  String destination() {
    return destination;
  }

  /** {@code GET /tags/{tag}}: the remote's digest (null for none or a tombstone) and generation (zero when it sends none). */
  TagState get(Tag tag) {
    return call(TagGet.request(base, tag, false), r -> {
      if (r.code() != 404) {
        requireSuccess(r);
      }
      return TagGet.read(r);
    });
  }

  /** {@code PUT /tags/{tag}/digest/{digest}?replicate=true} carrying {@code generation}. */
  RemoteWrite put(Tag tag, Digest digest, Generation generation) {
    HttpUrl url = tagUrl(tag).addPathSegment("digest").addPathSegment(digest.toString())
        .addQueryParameter("replicate", "true").build();
    return write(new Request.Builder().url(url).put(RequestBody.create(new byte[0])), generation);
  }

  /** {@code DELETE /tags/{tag}?replicate=true} carrying {@code generation}: the remote stores the tombstone. */
  RemoteWrite delete(Tag tag, Generation generation) {
    HttpUrl url = tagUrl(tag).addQueryParameter("replicate", "true").build();
    return write(new Request.Builder().url(url).delete(), generation);
  }

  private RemoteWrite write(Request.Builder request, Generation generation) {
    return call(request.header(NodeHeaders.GENERATION, generation.toString()).build(), r -> {
      requireSuccess(r);
      String outcome = r.header(NodeHeaders.OUTCOME, "applied").toLowerCase(Locale.ROOT);
      return new RemoteWrite(outcome.equals("superseded"), TagGet.generation(r));
    });
  }

  /** Whether to send writes in batches: false for {@link #BATCH_RECHECK} after the remote said it does not serve them. */
  boolean batchSupported() {
    return !clock.instant().isBefore(batchUnsupportedUntil);
  }

  /**
   * {@code POST /replication/writes}: one result per write, in order. Empty when the remote does
   * not serve batches (404 or 405, as a Kraken build-index answers); {@link #batchSupported} is
   * then false for {@link #BATCH_RECHECK}.
   */
  Optional<List<WriteBatch.Result>> writeBatch(List<WriteBatch.Write> writes) {
    byte[] body;
    try {
      body = NodeJson.MAPPER.writeValueAsBytes(new WriteBatch.Request(writes));
    } catch (IOException e) {
      throw new IllegalStateException("encoding a write batch", e);
    }
    Request request = new Request.Builder().url(base.newBuilder().addPathSegments(WriteBatch.PATH.substring(1)).build())
        .post(RequestBody.create(body, JSON)).build();
    return call(request, r -> {
      if (r.code() == 404 || r.code() == 405) {
        batchUnsupportedUntil = clock.instant().plus(BATCH_RECHECK);
        return Optional.empty();
      }
      requireSuccess(r);
      WriteBatch.Response response = decode(BoundedBody.text(r, MAX_BATCH_BODY));
      if (response.results().size() != writes.size()) {
        throw new RemoteException(destination, FailureReason.PROTOCOL, "POST " + WriteBatch.PATH + " answered "
            + response.results().size() + " results for " + writes.size() + " writes");
      }
      return Optional.of(response.results());
    });
  }

  private static WriteBatch.Response decode(String text) throws BadAnswerException {
    try {
      return NodeJson.MAPPER.readValue(text, WriteBatch.Response.class);
    } catch (IOException e) {
      throw new BadAnswerException("POST " + WriteBatch.PATH + " answered something else than a write batch response: "
          + e.getMessage());
    }
  }

  /** {@code GET /origin}, cached for {@link #ORIGIN_TTL}; failures are {@link FailureReason#ORIGIN}. */
  String origin() {
    CachedOrigin cached = origin;
    Instant now = clock.instant();
    if (cached != null && now.isBefore(cached.fetched().plus(ORIGIN_TTL))) {
      return cached.address();
    }
    try {
      String address = call(new Request.Builder().url(base.newBuilder().addPathSegment("origin").build()).build(), r -> {
        requireSuccess(r);
        return BoundedBody.text(r, MAX_ORIGIN_BODY).strip();
      });
      origin = new CachedOrigin(address, now);
      return address;
    } catch (RemoteException e) {
      throw new RemoteException(destination, FailureReason.ORIGIN, "GET /origin: " + e.getMessage(), e);
    }
  }

  private HttpUrl.Builder tagUrl(Tag tag) {
    return base.newBuilder().addPathSegment("tags").addEncodedPathSegment(tag.pathEscaped());
  }

  @FunctionalInterface
  private interface Handler<T> {
    T handle(Response response) throws IOException;
  }

  private <T> T call(Request request, Handler<T> handler) {
    Call call = http.newCall(request);
    call.timeout().timeout(callTimeout.toMillis(), TimeUnit.MILLISECONDS);
    String what = request.method() + " " + request.url().encodedPath();
    try (Response response = call.execute()) {
      return handler.handle(response);
    } catch (BadAnswerException e) {
      throw new RemoteException(destination, FailureReason.PROTOCOL, e.getMessage(), e);
    } catch (InterruptedIOException e) {
      throw new RemoteException(destination, FailureReason.TIMEOUT, what + ": no answer within " + callTimeout.toMillis() + " ms", e);
    } catch (IOException e) {
      throw new RemoteException(destination, FailureReason.CONNECT, what + ": " + e, e);
    }
  }

  /* A redirect is a failure like any other non-2xx answer: the client does not follow them (see
   * Replications.remoteHttp), since a remote must not be able to send our writes and token to
   * another host, and a task whose write went nowhere must never be marked done. */
  private void requireSuccess(Response r) throws IOException {
    if (r.isSuccessful()) {
      return;
    }
    String text = r.peekBody(MAX_ERROR_BODY).string();
    String redirect = r.isRedirect() ? " (redirects are not followed; Location: " + r.header("Location") + ")" : "";
    String message = r.request().method() + " " + r.request().url().encodedPath() + " answered " + r.code() + redirect
        + (text.isBlank() ? "" : ": " + text.strip());
    FailureReason reason = r.code() >= 400 ? FailureReason.ofStatus(r.code()) : FailureReason.PROTOCOL;
    throw new RemoteException(destination, reason, message);
  }
}
