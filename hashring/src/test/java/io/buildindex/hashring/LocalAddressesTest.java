package io.buildindex.hashring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.buildindex.config.HostPort;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;
import okhttp3.Dns;
import org.junit.jupiter.api.Test;

final class LocalAddressesTest {
  private static final int PORT = 15004;
  private final LocalAddresses local = new LocalAddresses(new HostPort("", PORT), Dns.SYSTEM);

  @Test
  void isSelf_loopbackAddress() {
    assertThat(local.isSelf(new HostPort("127.0.0.1", PORT))).isTrue();
    assertThat(local.isSelf(new HostPort("::1", PORT))).isTrue();
  }

  @Test
  void isSelf_localhost() {
    assertThat(local.isSelf(new HostPort("localhost", PORT))).isTrue();
    assertThat(local.isSelf(new HostPort("LOCALHOST", PORT))).isTrue();
  }

  @Test
  void isSelf_machineHostName() throws UnknownHostException {
    String hostName = InetAddress.getLocalHost().getHostName();

    assertThat(local.isSelf(new HostPort(hostName, PORT))).isTrue();
  }

  @Test
  void isSelf_nonLoopbackInterfaceAddress() throws SocketException {
    Optional<InetAddress> address = NetworkInterface.networkInterfaces()
        .flatMap(NetworkInterface::inetAddresses)
        .filter(a -> !a.isLoopbackAddress() && !a.isLinkLocalAddress())
        .findFirst();
    assumeTrue(address.isPresent(), "this machine has no non-loopback address");

    assertThat(local.isSelf(new HostPort(address.get().getHostAddress(), PORT))).isTrue();
  }

  @Test
  void isSelf_nameResolvingToAnInterfaceAddress() {
    FakeDns dns = new FakeDns().answer("me.dc1", "203.0.113.7", "127.0.0.1");
    LocalAddresses withFakeDns = new LocalAddresses(new HostPort("", PORT), dns);

    assertThat(withFakeDns.isSelf(new HostPort("me.dc1", PORT))).isTrue();
  }

  @Test
  void isSelf_otherPort() {
    assertThat(local.isSelf(new HostPort("127.0.0.1", PORT + 1))).isFalse();
    assertThat(local.isSelf(new HostPort("localhost", PORT + 1))).isFalse();
  }

  @Test
  void isSelf_unrelatedAddress() {
    // TEST-NET-3 (RFC 5737), never contacted, only compared. Not TEST-NET-1: some sandboxes put
    // their own interfaces in 192.0.2.0/24.
    assertThat(local.isSelf(new HostPort("203.0.113.1", PORT))).isFalse();
  }

  @Test
  void isSelf_wildcardHostIsNoPeer() {
    assertThat(local.isSelf(new HostPort("", PORT))).isFalse();
    assertThat(local.isSelf(new HostPort("0.0.0.0", PORT))).isFalse();
    assertThat(local.isSelf(new HostPort("::", PORT))).isFalse();
  }

  @Test
  void isSelf_unresolvableHost() {
    LocalAddresses withFakeDns = new LocalAddresses(new HostPort("", PORT), new FakeDns());

    assertThat(withFakeDns.isSelf(new HostPort("gone.dc1", PORT))).isFalse();
  }

  @Test
  void selfAmong_picksTheEntryThatIsThisNode() {
    List<HostPort> members = List.of(new HostPort("203.0.113.1", PORT), new HostPort("127.0.0.1", PORT),
        new HostPort("203.0.113.2", PORT));

    assertThat(local.selfAmong(members)).isEqualTo(new HostPort("127.0.0.1", PORT));
  }

  @Test
  void selfAmong_noneIsThisNode_listenAddress() {
    LocalAddresses on127 = new LocalAddresses(new HostPort("127.0.0.1", PORT), Dns.SYSTEM);

    assertThat(on127.selfAmong(List.of(new HostPort("203.0.113.1", PORT)))).isEqualTo(new HostPort("127.0.0.1", PORT));
  }
}
