package io.buildindex.cluster;

import io.buildindex.tagstore.Generation;
import org.jspecify.annotations.Nullable;

/**
 * What a tag's owner answered to a client's write that this node (not an owner) sent on to it:
 * the status, the {@code X-Tag-Outcome} and {@code X-Tag-Generation} headers when it stored the
 * write, and the body (an error's JSON) otherwise.
 */
public record RoutedWrite(int status, @Nullable String outcome, @Nullable Generation generation, String body) {
  public boolean successful() {
    return status >= 200 && status < 300;
  }
}
