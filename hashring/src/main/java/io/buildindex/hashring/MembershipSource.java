package io.buildindex.hashring;

import io.buildindex.config.HostPort;
import java.io.IOException;
import java.util.List;

/**
 * Where the members of a cluster come from. {@link Membership} calls {@link #fetch()} once per
 * {@code ttl} from one thread at a time and keeps the last answer when it fails.
 */
interface MembershipSource extends AutoCloseable {

  /** The source's kind, as reported in {@link RingStatus#source()}: static, dns or consul. */
  String kind();

  /** The current members, in any order; throws when the source cannot be asked. */
  List<HostPort> fetch() throws IOException;

  /** Releases the source's client, if it has one. */
  @Override
  default void close() {}
}
