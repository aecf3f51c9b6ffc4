package io.buildindex.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The listening socket's backlog, as the kernel reports it ({@code ss}: a listening socket's
 * Send-Q is its backlog): Jetty's default of 50 dropped SYNs under a burst of connections.
 */
final class ListenBacklogTest {
  @TempDir Path dir;

  @Test
  void defaultBacklog_1024() throws Exception {
    assertThat(backlogOf(startWith(""))).isEqualTo(1024);
  }

  @Test
  void configuredBacklog_used() throws Exception {
    assertThat(backlogOf(startWith("tagserver:\n  listener:\n    backlog: 300\n"))).isEqualTo(300);
  }

  private ServerProcess startWith(String yaml) {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/ss")) || Files.isExecutable(Path.of("/bin/ss")), "needs ss (iproute2)");
    return ServerProcess.startWithYaml(dir, yaml);
  }

  /** The backlog of the socket listening on the server's port, then stops the server. */
  private static int backlogOf(ServerProcess server) throws Exception {
    try (server) {
      Process ss = new ProcessBuilder("ss", "-ltnH", "sport = :" + server.http().port()).redirectErrorStream(true).start();
      assertThat(ss.waitFor(30, TimeUnit.SECONDS)).isTrue();
      String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      // State Recv-Q Send-Q Local:Port Peer:Port, e.g. "LISTEN 0 1024 127.0.0.1:40123 0.0.0.0:*"
      String[] columns = out.split("\\s+");
      assertThat(columns).as(out).hasSizeGreaterThanOrEqualTo(4);
      assertThat(columns[0]).as(out).isEqualTo("LISTEN");
      return Integer.parseInt(columns[2]);
    }
  }
}
