package io.buildindex.tagreplication;

import java.time.Instant;

/** Work for {@code destination} may be due at {@code due}: its lane should not idle past it. */
record DestinationDue(String destination, Instant due) {}
