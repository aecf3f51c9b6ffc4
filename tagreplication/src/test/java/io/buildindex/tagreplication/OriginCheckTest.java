package io.buildindex.tagreplication;

import static io.buildindex.tagreplication.SqliteTaskQueueTest.D1;
import static io.buildindex.tagreplication.SqliteTaskQueueTest.D2;
import static org.assertj.core.api.Assertions.assertThat;

import io.buildindex.config.HostPort;
import io.buildindex.tagstore.Generation;
import io.buildindex.tagstore.Tag;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Image tags the remote holds, checked at the remote origin; blobs copied again where the manifest is gone. */
final class OriginCheckTest {
  /** Image tags depend on their manifest and a layer; others on their digest alone. */
  private static final DependencyResolver IMAGES = (tag, digest) ->
      tag.repository().startsWith("img/") ? List.of(digest, D2) : List.of(digest);

  @TempDir Path dir;
  private final Closer closer = new Closer();
  private TagDb db;
  private FakeRemote remote;

  @BeforeEach
  void open() {
    db = closer.add(new TagDb(dir, Clock.systemUTC()));
    remote = closer.add(FakeRemote.startBatching());
    for (String tag : List.of("img/a:1", "img/b:1", "img/c:1", "plain/d:1")) {
      db.tags().put(Tag.parse(tag), D1, new Generation(10));
    }
  }

  @AfterEach
  void close() throws Exception {
    closer.close();
  }

  /** Reports the manifests of {@code gone} tags absent at the remote origin; records what it is asked and copies. */
  private static final class FakeOrigin implements BlobReplicator {
    final Set<String> gone;
    final List<String> asked = new ArrayList<>();
    final List<BlobReplication> copied = new ArrayList<>();

    FakeOrigin(Set<String> gone) {
      this.gone = gone;
    }

    @Override
    public boolean present(BlobReplication request) {
      asked.add(request.tag() + " at " + request.remoteOrigin());
      return !gone.contains(request.tag().toString());
    }

    @Override
    public Transfer replicate(BlobReplication request) {
      copied.add(request);
      return Transfer.NONE;
    }
  }

  private VerificationClient client() {
    return new VerificationClient(HostPort.parse(remote.address()), new OkHttpClient());
  }

  @Test
  void check_imageTagsAsked_missingManifestRecopied_skippedAndPlainTagsNot() throws Exception {
    FakeOrigin origin = new FakeOrigin(Set.of("img/b:1"));
    List<Duration> pauses = new ArrayList<>();
    OriginCheck check = new OriginCheck(new RuleSummaries(db.tags()), IMAGES, origin, 1, pauses::add);

    OriginCheck.Result r = check.check(".*", client(), Set.of(Tag.parse("img/c:1")));

    assertThat(origin.asked).containsExactly("img/a:1 at origin.dc2:15002", "img/b:1 at origin.dc2:15002");
    assertThat(origin.copied).singleElement().satisfies(c -> {
      assertThat(c.tag()).isEqualTo(Tag.parse("img/b:1"));
      assertThat(c.dependencies()).containsExactly(D1, D2);
      assertThat(c.remoteBuildIndex()).isEqualTo(HostPort.parse(remote.address()));
    });
    assertThat(r).isEqualTo(new OriginCheck.Result(1, 1, 0));
    assertThat(pauses).as("one a second: a pause before the second check").containsExactly(Duration.ofSeconds(1));
  }

  @Test
  void check_withoutBlobReplication_asksNothing() throws Exception {
    OriginCheck check = new OriginCheck(new RuleSummaries(db.tags()), IMAGES, BlobReplicator.NONE, 100, d -> { });

    assertThat(check.check(".*", client(), Set.of())).isEqualTo(OriginCheck.Result.NONE);
  }
}
