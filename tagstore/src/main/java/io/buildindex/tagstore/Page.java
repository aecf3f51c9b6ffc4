package io.buildindex.tagstore;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One page of a listing, in lexicographic order. {@code nextAfter} is the last key of this page
 * when more may follow (the caller turns it into an opaque offset token), else null.
 */
public record Page(List<String> items, @Nullable String nextAfter) {
  public Page {
    items = List.copyOf(items);
  }
}
