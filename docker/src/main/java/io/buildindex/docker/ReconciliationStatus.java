package io.buildindex.docker;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Reconciliation with the registry as operators see it ({@code GET /origin/reconciliation}).
 * Counts are those of the last finished walk; {@code tagsSeen} also counts during a walk.
 *
 * @param state {@code disabled}, {@code never} (no walk yet), {@code running}, {@code ok} or {@code failed}
 * @param registered tags the registry has that build-index did not know, registered by the last walk
 * @param differing tags whose digest in build-index differs from the registry's (left as they are:
 *     a PUT from CI may be newer than the registry's state), at most {@link #MAX_LISTED}
 * @param differingCount how many differ in all
 * @param errors tags the walk could not check or register (logged)
 */
public record ReconciliationStatus(
    String registry,
    String state,
    long runs,
    @JsonProperty("last_run") @Nullable Instant lastRun,
    @JsonProperty("last_success") @Nullable Instant lastSuccess,
    @JsonProperty("last_error") @Nullable String lastError,
    long repositories,
    @JsonProperty("tags_seen") long tagsSeen,
    long registered,
    @JsonProperty("registered_total") long registeredTotal,
    long errors,
    @JsonProperty("differing_count") long differingCount,
    List<Differing> differing) {
  /** The differing tags listed at most: the count says how many there are. */
  public static final int MAX_LISTED = 1_000;

  public ReconciliationStatus {
    differing = List.copyOf(differing);
  }

  /** One tag whose digests differ; {@code buildIndexDigest} null when build-index deleted it. */
  public record Differing(String tag, @JsonProperty("registry_digest") String registryDigest,
      @JsonProperty("build_index_digest") @Nullable String buildIndexDigest) {}

  /** What an unconfigured reconciliation reports. */
  public static ReconciliationStatus disabled(String registry) {
    return new ReconciliationStatus(registry, "disabled", 0, null, null, null, 0, 0, 0, 0, 0, 0, List.of());
  }
}
