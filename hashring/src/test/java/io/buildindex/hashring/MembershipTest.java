package io.buildindex.hashring;

import static org.assertj.core.api.Assertions.assertThat;

import io.buildindex.config.HostPort;
import io.buildindex.testing.FakeClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

final class MembershipTest {
  private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
  private final FakeClock clock = new FakeClock(T0);
  private final FakeDns dns = new FakeDns();

  @Test
  void static_membersSortedAndDistinct() {
    Membership membership = staticMembership(List.of(hp("b:1"), hp("a:2"), hp("a:1"), hp("b:1")));

    assertThat(membership.refresh()).isTrue();

    assertThat(membership.members()).containsExactly(hp("a:1"), hp("a:2"), hp("b:1"));
    assertThat(membership.kind()).isEqualTo("static");
    assertThat(membership.lastRefresh()).isEqualTo(T0);
    assertThat(membership.error()).isNull();
  }

  @Test
  void static_refreshAgain_noChange() {
    Membership membership = staticMembership(List.of(hp("a:1")));
    membership.refresh();
    clock.advance(Duration.ofSeconds(5));

    assertThat(membership.refresh()).isFalse();
    assertThat(membership.lastRefresh()).isEqualTo(T0.plusSeconds(5));
  }

  @Test
  void static_wildcardHostsIgnored() {
    Membership membership = staticMembership(List.of(hp("a:1"), hp(":1"), hp("0.0.0.0:1")));

    membership.refresh();

    assertThat(membership.members()).containsExactly(hp("a:1"));
  }

  @Test
  void dns_membersFollowChangingAnswers() {
    Membership membership = dnsMembership();
    dns.answer("build-index.dc1", "10.0.0.2", "10.0.0.1");

    assertThat(membership.refresh()).isTrue();
    assertThat(membership.members()).containsExactly(hp("10.0.0.1:15004"), hp("10.0.0.2:15004"));

    dns.answer("build-index.dc1", "10.0.0.1", "10.0.0.3");
    assertThat(membership.refresh()).isTrue();
    assertThat(membership.members()).containsExactly(hp("10.0.0.1:15004"), hp("10.0.0.3:15004"));
    assertThat(membership.kind()).isEqualTo("dns");
  }

  @Test
  void dns_failure_keepsLastKnownMembersAndSaysSo() {
    Membership membership = dnsMembership();
    dns.answer("build-index.dc1", "10.0.0.1", "10.0.0.2", "10.0.0.3");
    membership.refresh();
    clock.advance(Duration.ofSeconds(5));
    dns.forget("build-index.dc1");

    assertThat(membership.refresh()).isFalse();
    clock.advance(Duration.ofSeconds(5));
    membership.refresh();

    assertThat(membership.members()).hasSize(3);
    assertThat(membership.lastRefresh()).isEqualTo(T0);
    assertThat(membership.sinceLastRefresh()).isEqualTo(Duration.ofSeconds(10));
    assertThat(membership.refreshFailures().getCount()).isEqualTo(2);
    assertThat(membership.error())
        .startsWith("dns unreachable since " + T0.plusSeconds(5) + ": ")
        .contains("no answer for build-index.dc1")
        .endsWith("using last known membership of 3");
  }

  @Test
  void dns_recovers_errorCleared() {
    Membership membership = dnsMembership();
    dns.answer("build-index.dc1", "10.0.0.1");
    membership.refresh();
    dns.forget("build-index.dc1");
    membership.refresh();
    dns.answer("build-index.dc1", "10.0.0.1");

    assertThat(membership.refresh()).isFalse();

    assertThat(membership.error()).isNull();
  }

  @Test
  void dns_emptyAnswer_isAFailure() {
    Membership membership = dnsMembership();
    dns.answer("build-index.dc1", "10.0.0.1");
    membership.refresh();
    dns.answer("build-index.dc1");

    assertThat(membership.refresh()).isFalse();

    assertThat(membership.members()).containsExactly(hp("10.0.0.1:15004"));
    assertThat(membership.error()).contains("no members");
  }

  @Test
  void neverAnswered_errorSaysRunningAlone() {
    Membership membership = dnsMembership();

    membership.refresh();

    assertThat(membership.members()).isEmpty();
    assertThat(membership.lastRefresh()).isNull();
    assertThat(membership.error()).endsWith("no membership known yet, running alone");
  }

  private Membership staticMembership(List<HostPort> hosts) {
    return new Membership(new StaticMembership(hosts), Duration.ofSeconds(5), clock);
  }

  private Membership dnsMembership() {
    return new Membership(new DnsMembership(hp("build-index.dc1:15004"), dns), Duration.ofSeconds(5), clock);
  }

  private static HostPort hp(String text) {
    return HostPort.parse(text);
  }
}
