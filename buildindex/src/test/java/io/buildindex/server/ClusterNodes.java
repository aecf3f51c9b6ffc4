package io.buildindex.server;

import io.buildindex.testing.FreePorts;
import io.buildindex.testing.Poll;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import javax.net.SocketFactory;

/**
 * A test cluster of build-index child processes on 127.0.0.1. The ports are chosen before any node
 * starts, so each node's config can list all of them; should another process take one of them
 * before the node binds it, every node is stopped and the cluster starts again on new ports.
 * {@link #close()} kills every node, whatever state the test left them in.
 */
final class ClusterNodes implements AutoCloseable {
  private static final int START_ATTEMPTS = 3;

  /** A node's config from its index, every port (nodes' first, then spares) and its database path. */
  @FunctionalInterface
  interface Yaml {
    String of(int index, List<Integer> ports, Path db);
  }

  private final List<ClusterNode> nodes;
  private final List<Integer> ports;

  private ClusterNodes(List<ClusterNode> nodes, List<Integer> ports) {
    this.nodes = List.copyOf(nodes);
    this.ports = List.copyOf(ports);
  }

  /** Starts {@code count} nodes named {@code prefix-0...} under {@code dir} and waits until all are ready. */
  static ClusterNodes start(Path dir, String prefix, int count, Yaml yaml) {
    return start(dir, prefix, count, 0, yaml);
  }

  /**
   * As {@link #start(Path, String, int, Yaml)}, also reserving {@code spares} further free ports
   * (for a node started later), distinct from the nodes' ports: {@link #spare(int)}.
   */
  static ClusterNodes start(Path dir, String prefix, int count, int spares, Yaml yaml) {
    return start(dir, prefix, count, spares, SocketFactory.getDefault(), yaml);
  }

  /** As {@link #start(Path, String, int, int, Yaml)}, the test talking to the nodes through {@code sockets}. */
  static ClusterNodes start(Path dir, String prefix, int count, int spares, SocketFactory sockets, Yaml yaml) {
    for (int attempt = 1; ; attempt++) {
      List<Integer> ports = FreePorts.distinct(count + spares);
      List<ClusterNode> nodes = new ArrayList<>();
      try {
        for (int i = 0; i < count; i++) {
          String name = prefix + "-" + i + (attempt > 1 ? "-try" + attempt : "");
          nodes.add(new ClusterNode(dir, name, ports.get(i), yaml.of(i, ports, ClusterNode.dbOf(dir, name)), sockets));
        }
        nodes.forEach(ClusterNode::launch);
        boolean portTaken = false;
        for (ClusterNode node : nodes) {
          if (!node.awaitReady()) {
            portTaken |= node.portWasTaken();
            if (!portTaken || attempt == START_ATTEMPTS) {
              throw new AssertionError(node + " exited before it was ready:\n" + node.logTail());
            }
          }
        }
        if (!portTaken) {
          return new ClusterNodes(nodes, ports);
        }
      } catch (RuntimeException | Error e) {
        new ClusterNodes(nodes, ports).close();
        throw e;
      }
      new ClusterNodes(nodes, ports).close(); // a port was taken between our probe and a bind: again, on new ports
    }
  }

  /** {@code ["127.0.0.1:P0", ...]} for the first {@code count} ports, as a YAML flow sequence. */
  static String hostList(List<Integer> ports, int count) {
    return ports.subList(0, count).stream().map(p -> "\"127.0.0.1:" + p + "\"")
        .collect(Collectors.joining(", ", "[", "]"));
  }

  ClusterNode node(int index) {
    return nodes.get(index);
  }

  List<ClusterNode> nodes() {
    return nodes;
  }

  /** The {@code index}-th spare port. */
  int spare(int index) {
    return ports.get(nodes.size() + index);
  }

  /** Every node's log tail, for failure messages. */
  String logs() {
    return nodes.stream().map(ClusterNode::logTail).collect(Collectors.joining("\n"));
  }

  /** {@link Poll#until(Duration, String, BooleanSupplier, Supplier)} with this cluster's logs as diagnostics. */
  void await(Duration timeout, String what, BooleanSupplier condition) {
    Poll.until(timeout, what, condition, this::logs);
  }
  @Override
  public void close() {
    RuntimeException first = null;
    for (ClusterNode node : nodes) {
      try {
        node.close();
      } catch (RuntimeException e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
