package io.buildindex.tagstore;

import java.time.Instant;

/** One applied put of a tag, as listed by {@code GET /tags/{tag}/history}. */
public record HistoryEntry(Digest digest, Generation generation, Instant time) {}
