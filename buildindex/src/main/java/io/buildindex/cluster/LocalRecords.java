package io.buildindex.cluster;

import io.buildindex.tagreplication.wire.MemberList;
import io.buildindex.tagstore.TagRecord;
import io.buildindex.tagstore.TagStore;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A page of this node's own records in a key range, tombstones included, for {@link MemberList}.
 *
 * <p>Design: built on {@link TagStore#scan}, which every store has and which is an index range
 * scan from a key (exclusive), so the tag store's seam needs no new method. To start at the
 * prefix itself (inclusive), the scan starts after the largest string that sorts below every key
 * with that prefix: the prefix with its last character lowered by one and DEL appended. Keys are
 * ASCII without DEL (the tag grammar), so no key falls between that string and the prefix.
 * Stateless.
 */
final class LocalRecords {
  private LocalRecords() {}

  static MemberList.Records page(TagStore store, String prefix, @Nullable String after, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit < 1: " + limit);
    }
    String from = after != null && after.compareTo(prefix) >= 0 ? after : below(prefix);
    List<TagRecord> scanned = store.scan(from, limit);
    List<MemberList.Entry> out = new ArrayList<>(scanned.size());
    for (TagRecord r : scanned) {
      String key = r.tag().toString();
      if (!key.startsWith(prefix)) {
        return new MemberList.Records(out, false); // past the range: nothing further in it
      }
      out.add(new MemberList.Entry(key, r.generation().value(), r.deleted()));
    }
    return new MemberList.Records(out, scanned.size() == limit);
  }

  /** A string below every key starting with {@code prefix} and above every smaller key; null for the empty prefix. */
  static @Nullable String below(String prefix) {
    if (prefix.isEmpty()) {
      return null;
    }
    String head = prefix.substring(0, prefix.length() - 1);
    char last = prefix.charAt(prefix.length() - 1);
    return last == 0 ? head : head + (char) (last - 1) + '\u007f';
  }
}
