package io.buildindex.tagreplication;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.buildindex.config.HostPort;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * The remote's read routes for verification, {@code GET /replication/verification/summary} and
 * {@code /entries}, over the caller's {@link OkHttpClient} (which presents {@code client_token};
 * read scope suffices). Failures are {@link RemoteException}s. Thread-safe.
 */
final class VerificationClient {
  static final String SUMMARY_PATH = "/replication/verification/summary";
  static final String ENTRIES_PATH = "/replication/verification/entries";
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final TypeReference<List<RuleSummaries.Entry>> ENTRIES = new TypeReference<>() {};
  private static final int MAX_ERROR_BODY = 200;

  private final String destination;
  private final HttpUrl base;
  private final OkHttpClient http;

  private final HostPort address;

  VerificationClient(HostPort remote, OkHttpClient http) {
    this.address = remote;
    this.destination = remote.toString();
    this.base = HttpUrl.get("http://" + remote);
    this.http = http;
  }

  HostPort address() {
    return address;
  }

  RuleSummaries.Summary summary(String rule) {
    HttpUrl url = url(SUMMARY_PATH).addQueryParameter("rule", rule).build();
    return get(url, body -> MAPPER.readValue(body, RuleSummaries.Summary.class));
  }

  List<RuleSummaries.Entry> entries(String rule, Collection<Integer> buckets) {
    HttpUrl url = url(ENTRIES_PATH).addQueryParameter("rule", rule)
        .addQueryParameter("buckets", buckets.stream().map(String::valueOf).collect(Collectors.joining(","))).build();
    return get(url, body -> MAPPER.readValue(body, ENTRIES));
  }

  /** {@code GET /origin}: where the remote's blobs live; empty when it has no origin. */
  String origin() {
    return get(url("/origin").build(), body -> new String(body, java.nio.charset.StandardCharsets.UTF_8).strip());
  }

  private HttpUrl.Builder url(String path) {
    return base.newBuilder().addPathSegments(path.substring(1));
  }

  @FunctionalInterface
  private interface Decoder<T> {
    T decode(byte[] body) throws IOException;
  }

  private <T> T get(HttpUrl url, Decoder<T> decoder) {
    String what = "GET " + url.encodedPath();
    try (Response r = http.newCall(new Request.Builder().url(url).get().build()).execute()) {
      ResponseBody body = r.body();
      byte[] bytes = body == null ? new byte[0] : body.bytes();
      if (!r.isSuccessful()) {
        String text = new String(bytes, java.nio.charset.StandardCharsets.UTF_8).strip();
        throw new RemoteException(destination, r.code() >= 500 ? FailureReason.HTTP_5XX : FailureReason.HTTP_4XX,
            what + " answered " + r.code() + (text.isEmpty() ? "" : ": " + text.substring(0, Math.min(text.length(), MAX_ERROR_BODY))));
      }
      try {
        return decoder.decode(bytes);
      } catch (IOException | IllegalArgumentException e) {
        throw new RemoteException(destination, FailureReason.PROTOCOL, what + ": bad answer: " + e.getMessage(), e);
      }
    } catch (InterruptedIOException e) {
      throw new RemoteException(destination, FailureReason.TIMEOUT, what + ": no answer in time", e);
    } catch (IOException e) {
      throw new RemoteException(destination, FailureReason.CONNECT, what + ": " + e, e);
    }
  }
}
