package io.buildindex.tagreplication;

import io.buildindex.tagstore.Digest;
import io.buildindex.tagstore.Tag;
import io.buildindex.tagstore.TagRecord;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The second half of verifying a rule, for image tags: the remote build-index holds the tag, but
 * does its origin still hold the manifest? Each such tag's manifest is checked with a
 * {@code HEAD} at the remote origin ({@link BlobReplicator#present}), at most
 * {@code ratePerSecond} a second, and its blobs are copied again when it is gone (a registry
 * restored from an old backup). Tags whose dependencies are their digest alone (not images) are
 * skipped. Thread-safe; one check at a time per caller.
 */
final class OriginCheck {
  private static final Logger log = LoggerFactory.getLogger(OriginCheck.class);

  /** What one check found: manifests missing at the remote origin, copied again, and tags it could not check. */
  record Result(long missing, long recopied, long errors) {
    static final Result NONE = new Result(0, 0, 0);
  }

  private final RuleSummaries summaries;
  private final DependencyResolver dependencies;
  private final BlobReplicator blobs;
  private final int ratePerSecond;
  private final Repairs.Pacer pacer;

  OriginCheck(RuleSummaries summaries, DependencyResolver dependencies, BlobReplicator blobs, int ratePerSecond,
      Repairs.Pacer pacer) {
    this.summaries = summaries;
    this.dependencies = dependencies;
    this.blobs = blobs;
    this.ratePerSecond = ratePerSecond;
    this.pacer = pacer;
  }

  /** Checks the live tags of {@code rule} but {@code skip} (already being replicated again). */
  Result check(String rule, VerificationClient remote, Set<Tag> skip) throws InterruptedException {
    if (blobs == BlobReplicator.NONE) {
      return Result.NONE; // blobs travel by other means: nothing to ask
    }
    String origin = remote.origin();
    if (origin.isEmpty()) {
      return Result.NONE;
    }
    Counts counts = new Counts();
    try {
      summaries.forEachLive(rule, r -> {
        if (!skip.contains(r.tag())) {
          checkOne(r, remote, origin, counts);
        }
      });
    } catch (Interrupted e) {
      throw e.cause;
    }
    long errors = counts.errors;
    if (errors > 0) {
      log.warn("verification of {}: {} tags could not be checked at origin {} (the remote origin or ours failing?)",
          remote.address(), errors, origin);
    }
    return new Result(counts.missing, counts.recopied, errors);
  }

  /** Running totals of one check; the scan calls back on the checking thread. */
  private static final class Counts {
    long checked;
    long missing;
    long recopied;
    long errors;
  }

  /** Carries an interrupt out of the scan's callback. */
  private static final class Interrupted extends RuntimeException {
    final InterruptedException cause;

    Interrupted(InterruptedException cause) {
      super(cause);
      this.cause = cause;
    }
  }

  private void checkOne(TagRecord r, VerificationClient remote, String origin, Counts counts) {
    try {
      Digest digest = r.digest();
      List<Digest> deps = dependencies.resolve(r.tag(), digest);
      if (deps.equals(List.of(digest))) {
        return;
      }
      if (counts.checked > 0 && counts.checked % ratePerSecond == 0) {
        pacer.pause(Duration.ofSeconds(1));
      }
      counts.checked++;
      BlobReplication request = new BlobReplication(r.tag(), digest, deps, remote.address(), origin);
      if (!blobs.present(request)) {
        counts.missing++;
        blobs.replicate(request);
        counts.recopied++;
      }
    } catch (InterruptedException e) {
      throw new Interrupted(e);
    } catch (RuntimeException e) {
      counts.errors++;
      log.debug("verification could not check {} at origin {}: {}", r.tag(), origin, e.toString());
    }
  }
}
