package io.buildindex.docker;

import java.io.IOException;
import java.util.function.LongConsumer;
import okhttp3.MediaType;
import okhttp3.RequestBody;
import okio.BufferedSink;
import okio.BufferedSource;

/**
 * An upload body that copies from a download as it is sent, so a layer of any size passes
 * through a fixed amount of memory (a few okio segments) instead of being buffered.
 * One-shot: it can be written once, so OkHttp never retries it.
 */
final class StreamingBlobBody extends RequestBody {
  /** Bytes moved per read; also how often progress is reported. */
  static final long CHUNK_BYTES = 64 * 1024;
  private static final MediaType OCTET_STREAM = MediaType.get("application/octet-stream");

  private final BufferedSource source;
  private final long contentLength;
  private final LongConsumer onBytes;

  /**
   * @param contentLength the exact length, or -1 when unknown (then sent chunked)
   * @param onBytes told of every chunk written, for metrics
   */
  StreamingBlobBody(BufferedSource source, long contentLength, LongConsumer onBytes) {
    this.source = source;
    this.contentLength = contentLength;
    this.onBytes = onBytes;
  }

  @Override
  public MediaType contentType() {
    return OCTET_STREAM;
  }

  @Override
  public long contentLength() {
    return contentLength;
  }

  @Override
  public boolean isOneShot() {
    return true;
  }

  @Override
  public void writeTo(BufferedSink sink) throws IOException {
    long total = 0;
    for (long n; (n = source.read(sink.getBuffer(), CHUNK_BYTES)) != -1; ) {
      sink.emitCompleteSegments();
      total += n;
      onBytes.accept(n);
    }
    if (contentLength >= 0 && total != contentLength) {
      throw new IOException("source ended after " + total + " of " + contentLength + " bytes");
    }
  }
}
