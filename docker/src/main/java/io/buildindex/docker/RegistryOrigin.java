package io.buildindex.docker;

import io.buildindex.tagstore.Digest;
import java.util.List;
import java.util.Optional;
import okhttp3.HttpUrl;

/**
 * An OCI distribution registry as this datacenter's origin. Thread-safe.
 *
 * <p>The remote origin address given to {@link #replicate} is the other datacenter's registry
 * URL, as its {@link #address()} reports it. A path on that URL is a repository prefix:
 * replicating {@code team/app} to {@code https://shared-registry/dc2} writes
 * {@code dc2/team/app}, which lets datacenters share one registry (blobs are then mounted, not
 * copied). The remote registry is accessed with this origin's credentials, so it must be this
 * registry or one of {@code origin.registry.remote_registries}: the address comes from the remote
 * build-index, which must not be able to direct our credentials and images anywhere else.
 */
final class RegistryOrigin implements Origin, ManifestSource {
  private final RegistryClient local;
  private final RegistryClients clients;
  private final RegistryReplicator replicator;
  private final TrustedHosts trusted;

  RegistryOrigin(RegistryClient local, RegistryClients clients, RegistryReplicator replicator, TrustedHosts trusted) {
    this.local = local;
    this.clients = clients;
    this.replicator = replicator;
    this.trusted = trusted;
  }

  @Override
  public boolean exists(String repository, Digest digest) {
    return local.blobExists(repository, digest) || local.manifestExists(repository, digest);
  }

  @Override
  public String address() {
    return local.address();
  }

  @Override
  public TransferSummary replicate(String repository, String tag, Digest manifest, List<Digest> dependencies,
      String remoteOriginAddress) {
    HttpUrl remote = parseRemote(remoteOriginAddress);
    if (!trusted.registry(remote)) {
      throw new OriginException(TrustedHosts.key(remote), "the remote build-index names " + TrustedHosts.key(remote)
          + " as its origin, which is not in origin.registry.remote_registries: not sending it images or credentials", null);
    }
    String prefix = String.join("/", remote.pathSegments()).replaceAll("^/+|/+$", "");
    String destinationRepository = prefix.isEmpty() ? repository : prefix + "/" + repository;
    return replicator.replicate(repository, tag, manifest, dependencies, clients.forUrl(remote), destinationRepository);
  }

  @Override
  public boolean hasManifestAt(String remoteOriginAddress, String repository, Digest manifest) {
    HttpUrl remote = parseRemote(remoteOriginAddress);
    String prefix = String.join("/", remote.pathSegments()).replaceAll("^/+|/+$", "");
    return clients.forUrl(remote).manifestExists(prefix.isEmpty() ? repository : prefix + "/" + repository, manifest);
  }

  @Override
  public Optional<FetchedManifest> fetchManifest(String repository, Digest digest) {
    return local.fetchManifest(repository, digest);
  }

  static HttpUrl parseRemote(String address) {
    HttpUrl url = HttpUrl.parse(address);
    if (url == null) {
      throw new IllegalArgumentException("remote origin \"" + address + "\" is not a registry URL (http:// or "
          + "https://): is the remote datacenter's origin a Kraken cluster while this one is a registry?");
    }
    return url.newBuilder().username("").password("").build();
  }
}
