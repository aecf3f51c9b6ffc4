package io.buildindex.docker;

import io.buildindex.tagstore.Digest;
import java.util.List;

/** {@link Origin#none()}. */
enum NoOrigin implements Origin {
  INSTANCE;

  @Override
  public boolean exists(String repository, Digest digest) {
    return true;
  }

  @Override
  public String address() {
    return "";
  }

  @Override
  public TransferSummary replicate(String repository, String tag, Digest manifest, List<Digest> dependencies,
      String remoteOriginAddress) {
    return TransferSummary.EMPTY;
  }

  @Override
  public String toString() {
    return "Origin.none()";
  }
}
