package io.buildindex.tagreplication;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * What verification knows of one tag at one destination.
 *
 * @param state {@code verified} (the last successful run of a matching rule found the remote
 *     holding it), {@code repairing} (a run found it missing or older there and its task is not
 *     done yet), {@code repaired} (that task is done since) or {@code unverified} (no successful
 *     run yet)
 * @param verifiedAt when the run that found the tag in place started; null unless {@code verified}
 */
public record VerificationStatus(String destination, String state, @Nullable Instant verifiedAt) {
  public static final String VERIFIED = "verified";
  public static final String REPAIRING = "repairing";
  public static final String REPAIRED = "repaired";
  public static final String UNVERIFIED = "unverified";
}
