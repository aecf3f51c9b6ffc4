package io.buildindex.docker;

/**
 * An index entry's target platform, e.g. {@code linux/arm64/v8}. BuildKit attestation manifests
 * use {@code unknown/unknown}. Missing fields are "".
 */
record Platform(String os, String architecture, String variant) {
  /** The os/architecture[/variant] form docker uses, e.g. {@code linux/amd64}. */
  @Override
  public String toString() {
    return os + "/" + architecture + (variant.isEmpty() ? "" : "/" + variant);
  }
}
