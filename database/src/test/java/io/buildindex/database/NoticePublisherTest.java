package io.buildindex.database;

import static org.assertj.core.api.Assertions.assertThat;

import io.buildindex.database.NoticePublisher.Notice;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How {@link NoticePublisher} packs many writes' notices into few notifications, and unpacks them. */
final class NoticePublisherTest {
  @Test
  void combine_oneNotificationPerChannel_linesInOrder() {
    List<Notice> combined = NoticePublisher.combine(List.of(
        new Notice("tags", "a/b:1"), new Notice("other", "x"), new Notice("tags", "a/b:2")));

    assertThat(combined).containsExactly(new Notice("tags", "a/b:1\na/b:2"), new Notice("other", "x"));
    assertThat(NoticePublisher.payloads(combined.get(0).payload())).containsExactly("a/b:1", "a/b:2");
    assertThat(NoticePublisher.payloads("x")).containsExactly("x");
  }

  @Test
  void combine_moreThanOneNotificationHolds_splitUnderTheLimit_nothingLost() {
    List<Notice> notices = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      notices.add(new Notice("tags", "team/app:" + "é".repeat(100) + i)); // multi-byte: the limit is in bytes
    }

    List<Notice> combined = NoticePublisher.combine(notices);

    assertThat(combined).hasSizeGreaterThan(1)
        .allMatch(n -> n.payload().getBytes(StandardCharsets.UTF_8).length <= NoticePublisher.MAX_NOTIFICATION_BYTES);
    assertThat(combined.stream().flatMap(n -> NoticePublisher.payloads(n.payload()).stream()))
        .containsExactlyElementsOf(notices.stream().map(Notice::payload).toList());
  }
}
