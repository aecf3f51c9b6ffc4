package io.buildindex.tagreplication.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.io.IOException;
import java.util.List;
import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;

/**
 * {@code GET /internal/list?prefix=&after=&limit=} on another node of the cluster: one page of the
 * tag records that node holds in its own store whose key starts with {@code prefix}, strictly
 * after the key {@code after}, in key order, tombstones included (with their generations), so
 * that a node merging the members' pages can tell a deleted tag from a stale live copy. The
 * request carries {@link NodeHeaders#FORWARDED}: the member answers from its own store and asks
 * nobody. Both sides use this class, so the format lives in one place. Stateless.
 *
 * <p>Answer: {@code {"records":[{"tag","generation","deleted"}],"more":bool}}; {@code more} false
 * means the member holds nothing further in the range.
 */
public final class MemberList {
  /** The internal route. */
  public static final String PATH = "/internal/list";
  /** Most records one request may ask for: the public listings' own maximum page. */
  public static final int MAX_LIMIT = 10_000;
  /** Bytes a record may take on the wire: a 384-character key, a 19-digit generation, field names. */
  static final long MAX_RECORD_BYTES = 512;

  /** One record: the tag's key ({@code repo:name}), the generation that wrote it, whether it is a tombstone. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record Entry(String tag, long generation, boolean deleted) {
    public Entry {
      if (tag == null || tag.isEmpty()) {
        throw new IllegalArgumentException("empty tag in a member's list record");
      }
      if (generation < 0) {
        throw new IllegalArgumentException("negative generation " + generation + " of " + tag);
      }
    }
  }

  /** One member's page: at most the asked number of records, in key order. */
  public record Records(List<Entry> records, boolean more) {
    public Records {
      records = List.copyOf(records);
    }
  }

  private MemberList() {}

  /** The request for a page of at most {@code limit} records of {@code prefix} after {@code after} (null: from the start). */
  public static Request request(HttpUrl base, String prefix, @Nullable String after, int limit) {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be 1 to " + MAX_LIMIT + ": " + limit);
    }
    HttpUrl.Builder url = base.newBuilder().encodedPath(PATH).addQueryParameter("prefix", prefix)
        .addQueryParameter("limit", Integer.toString(limit));
    if (after != null) {
      url.addQueryParameter("after", after);
    }
    return new Request.Builder().url(url.build()).header(NodeHeaders.FORWARDED, "1").get().build();
  }

  /**
   * The page a 2xx answer to {@link #request} holds, checked against what was asked: at most
   * {@code limit} records, each in the range and after the previous one.
   *
   * @throws BadAnswerException for a body over the most {@code limit} records take, bad JSON, or
   *     records out of order, out of the range or too many
   */
  public static Records read(Response response, String prefix, @Nullable String after, int limit) throws IOException {
    byte[] body = BoundedBody.bytes(response, 1024 + MAX_RECORD_BYTES * limit);
    Records page;
    try {
      page = NodeJson.MAPPER.readValue(body, Records.class);
    } catch (IOException | IllegalArgumentException e) {
      throw new BadAnswerException(BoundedBody.what(response) + " answered a bad list page: " + e.getMessage());
    }
    if (page == null || page.records().size() > limit) {
      throw new BadAnswerException(BoundedBody.what(response) + " answered more than " + limit + " records");
    }
    String previous = after;
    for (Entry e : page.records()) {
      if (!e.tag().startsWith(prefix) || (previous != null && e.tag().compareTo(previous) <= 0)) {
        throw new BadAnswerException(BoundedBody.what(response) + " answered " + e.tag() + " out of order or range");
      }
      previous = e.tag();
    }
    return page;
  }
}
