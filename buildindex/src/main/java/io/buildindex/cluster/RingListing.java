package io.buildindex.cluster;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import io.buildindex.config.HostPort;
import io.buildindex.hashring.HashRing;
import io.buildindex.tagreplication.wire.MemberList;
import io.buildindex.tagstore.Page;
import io.buildindex.tagstore.TagStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listing of a ring whose nodes each store only the tags they own: every member is asked for
 * its records in the range ({@link MemberList}, this node's own store directly) and the pages are
 * merged ({@link PageMerge}), so any node answers with every live tag of the cluster.
 *
 * <p>Design: with {@code max_replica} R over n members each tag is on min(R, n) owners, so the
 * merged list is complete while fewer than min(R, n) members are unreachable: every tag then has
 * an owner that answered. Members the ring already judges unhealthy count as unreachable without
 * being asked (no timeout spent on them); the others' failures are reported to the ring like any
 * other call's. The offset token is the last key of the page, which names no node, so a client
 * behind a load balancer may ask any node for its next page. Thread-safe.
 */
final class RingListing implements Listing {
  private static final Logger log = LoggerFactory.getLogger(RingListing.class);

  private final HashRing ring;
  private final TagStore store;
  private final NeighborClient client;
  private final int maxReplica;
  private final PageMerge merge;
  private final Counter fanoutFailures;
  private final Counter incomplete;

  RingListing(HashRing ring, TagStore store, NeighborClient client, int maxReplica, PageMerge merge, MetricRegistry metrics) {
    this.ring = ring;
    this.store = store;
    this.client = client;
    this.maxReplica = maxReplica;
    this.merge = merge;
    this.fanoutFailures = metrics.counter("cluster.list_fanout_failures");
    this.incomplete = metrics.counter("cluster.list_incomplete");
  }

  @Override
  public Page list(String prefix, int limit, @Nullable String after) {
    List<HostPort> members = ring.members();
    Set<HostPort> healthy = Set.copyOf(ring.healthyMembers());
    HostPort self = ring.self();
    List<PageMerge.Member> asked = new ArrayList<>(members.size() + 1);
    List<String> down = new ArrayList<>();
    asked.add(local(self));
    for (HostPort member : members) {
      if (member.equals(self)) {
        continue;
      }
      if (healthy.contains(member)) {
        asked.add(remote(member));
      } else {
        down.add(member.toString());
      }
    }
    int owners = Math.min(maxReplica, Math.max(members.size(), 1));
    try {
      return merge.merge(asked, down, owners - 1, prefix, limit, after);
    } catch (ListingIncompleteException e) {
      incomplete.inc();
      log.warn("answering a list of \"{}\" with 503: {}", prefix, e.getMessage());
      throw e;
    }
  }

  private PageMerge.Member local(HostPort self) {
    return new PageMerge.Member() {
      @Override
      public String name() {
        return self.toString();
      }

      @Override
      public MemberList.Records fetch(String prefix, @Nullable String after, int limit) {
        return LocalRecords.page(store, prefix, after, limit);
      }
    };
  }

  private PageMerge.Member remote(HostPort member) {
    return new PageMerge.Member() {
      @Override
      public String name() {
        return member.toString();
      }

      @Override
      public MemberList.Records fetch(String prefix, @Nullable String after, int limit) throws IOException {
        try {
          MemberList.Records page = client.list(member, prefix, after, limit);
          ring.recordSuccess(member);
          return page;
        } catch (IOException | RuntimeException e) {
          ring.recordFailure(member);
          fanoutFailures.inc();
          log.debug("list of \"{}\" from {} failed: {}", prefix, member, e.toString());
          throw e;
        }
      }
    };
  }
}
