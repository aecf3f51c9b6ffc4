package io.buildindex.tagreplication;

import io.buildindex.tagstore.Tag;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What verification knows of one tag at each destination, from the rules' last runs and the
 * mark a run left on the tag's task. Stateless.
 *
 * <p>Design: a run does not write a row per tag it found in place (that would be a write per tag
 * per interval); it marks only the tasks of tags it found missing. So a tag is {@code verified} at
 * the last successful run of a matching rule unless that run (or a later one) marked it, in which
 * case it is being, or has been, repaired until the next run finds it in place.
 */
final class TagVerification {
  private TagVerification() {}

  static List<VerificationStatus> of(Tag tag, RemoteRules rules, List<SqliteVerificationLog.Row> rows,
      Map<String, SqliteVerificationLog.Mark> marks) {
    Map<List<String>, @Nullable Instant> lastSuccess = new LinkedHashMap<>();
    rows.forEach(r -> lastSuccess.put(List.of(r.destination(), r.rule()), r.progress().lastSuccess()));
    Map<String, Instant> verified = new LinkedHashMap<>();
    for (RemoteRules.Rule rule : rules.rules()) {
      if (rule.matches(tag)) {
        Instant success = lastSuccess.get(List.of(rule.destination(), rule.regex()));
        verified.merge(rule.destination(), success == null ? Instant.EPOCH : success, (a, b) -> a.isAfter(b) ? a : b);
      }
    }
    List<VerificationStatus> out = new ArrayList<>();
    verified.forEach((destination, at) ->
        out.add(status(destination, at.equals(Instant.EPOCH) ? null : at, marks.get(destination))));
    return out;
  }

  private static VerificationStatus status(String destination, @Nullable Instant verifiedAt,
      SqliteVerificationLog.@Nullable Mark mark) {
    Instant mismatch = mark == null ? null : mark.mismatch();
    if (mismatch != null && (verifiedAt == null || !mismatch.isBefore(verifiedAt))) {
      String state = mark.state() == TaskState.DONE ? VerificationStatus.REPAIRED : VerificationStatus.REPAIRING;
      return new VerificationStatus(destination, state, null);
    }
    return verifiedAt == null ? new VerificationStatus(destination, VerificationStatus.UNVERIFIED, null)
        : new VerificationStatus(destination, VerificationStatus.VERIFIED, verifiedAt);
  }
}
