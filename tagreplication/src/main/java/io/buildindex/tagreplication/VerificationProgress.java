package io.buildindex.tagreplication;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The verification of one remote rule: whether the remote holds every live tag the rule matches
 * at the source's generation or newer. Counts are those of the last successful run.
 *
 * @param state {@code never} (no run yet), {@code ok} (the last run finished) or {@code failed}
 * @param lastRun when the last run started; null before the first
 * @param lastSuccess when the last successful run started; null before the first
 * @param lastError why the last run failed; null when it succeeded
 * @param bucketsCompared buckets whose sums were compared
 * @param differingBuckets buckets whose entries were then fetched and compared
 * @param mismatches tags missing or older on the remote
 * @param repaired tags (re)enqueued for replication by that run
 * @param repairedTotal tags (re)enqueued by every run so far
 */
public record VerificationProgress(
    String remote,
    String rule,
    String state,
    long runs,
    @JsonProperty("last_run") @Nullable Instant lastRun,
    @JsonProperty("last_success") @Nullable Instant lastSuccess,
    @JsonProperty("last_error") @Nullable String lastError,
    @JsonProperty("buckets_compared") int bucketsCompared,
    @JsonProperty("differing_buckets") int differingBuckets,
    long mismatches,
    long repaired,
    @JsonProperty("repaired_total") long repairedTotal) {
  public static final String NEVER = "never";
  public static final String OK = "ok";
  public static final String FAILED = "failed";
}
