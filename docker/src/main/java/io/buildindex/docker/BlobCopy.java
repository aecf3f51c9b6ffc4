package io.buildindex.docker;

import io.buildindex.tagstore.Digest;
import java.util.Optional;
import okhttp3.HttpUrl;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * Copies blobs of one repository to a repository of another (or the same) registry, one blob
 * at a time, streaming. Confined to the replication's thread.
 */
final class BlobCopy {
  private final RegistryClient source;
  private final String sourceRepository;
  private final RegistryClient destination;
  private final String destinationRepository;
  private final TransferCounter counter;

  BlobCopy(RegistryClient source, String sourceRepository, RegistryClient destination, String destinationRepository,
      TransferCounter counter) {
    this.source = source;
    this.sourceRepository = sourceRepository;
    this.destination = destination;
    this.destinationRepository = destinationRepository;
    this.counter = counter;
  }

  /**
   * Makes the destination hold {@code digest}: nothing when it already does, a cross-repository
   * mount within one registry, else a streamed download-and-upload.
   *
   * @param size the expected length when the download does not say, or -1
   */
  void copy(Digest digest, long size) {
    if (destination.blobExists(destinationRepository, digest)) {
      counter.skipped();
      return;
    }
    Optional<HttpUrl> upload = mountable()
        ? destination.mount(destinationRepository, digest, sourceRepository)
        : Optional.of(destination.startUpload(destinationRepository));
    if (upload.isEmpty()) {
      counter.mounted();
      return;
    }
    stream(digest, size, upload.get());
    counter.copied();
  }

  private boolean mountable() {
    return source.sameRegistry(destination) && !sourceRepository.equals(destinationRepository);
  }

  private void stream(Digest digest, long size, HttpUrl upload) {
    try (Response download = source.openBlob(sourceRepository, digest)) {
      ResponseBody body = download.body();
      if (body == null) {
        throw new OriginException(source.address(), download.code(), "blob " + digest + " answered without a body");
      }
      long length = body.contentLength() >= 0 ? body.contentLength() : size;
      destination.finishUpload(upload, digest, new StreamingBlobBody(body.source(), length, counter::bytes));
    }
  }
}
