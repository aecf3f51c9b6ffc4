package io.buildindex.tagreplication;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

final class NoDelaySocketFactoryTest {
  private final NoDelaySocketFactory factory = new NoDelaySocketFactory();

  @Test
  void everySocketHasNagleOff() throws IOException {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    try (ServerSocket server = new ServerSocket(0, 50, loopback);
         Socket unconnected = factory.createSocket();
         Socket byName = factory.createSocket("127.0.0.1", server.getLocalPort());
         Socket byAddress = factory.createSocket(loopback, server.getLocalPort());
         Socket byNameFromLocal = factory.createSocket("127.0.0.1", server.getLocalPort(), loopback, 0);
         Socket byAddressFromLocal = factory.createSocket(loopback, server.getLocalPort(), loopback, 0)) {
      for (Socket s : new Socket[] {unconnected, byName, byAddress, byNameFromLocal, byAddressFromLocal}) {
        assertThat(s.getTcpNoDelay()).as("%s", s).isTrue();
      }
    }
  }

  @Test
  void remoteClientsUseIt() {
    OkHttpClient http = Replications.remoteHttp(new OkHttpClient(), 8);
    assertThat(http.socketFactory()).isInstanceOf(NoDelaySocketFactory.class);
  }
}
