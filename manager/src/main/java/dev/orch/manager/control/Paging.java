package dev.orch.manager.control;

import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Keyset paging for list calls. Items are ordered by a unique string key; a page token is the
 * key of the last item returned, so the next page starts after it whatever was created or
 * removed in between: nothing already returned comes again, and nothing is reordered.
 */
final class Paging {
  /** The largest page; a bigger page_size is served as this. Keeps an answer well under the message limit. */
  static final int MAX_PAGE_SIZE = 1_000;
  private static final String TOKEN_PREFIX = "k1:";

  record Page<T>(List<T> items, String nextToken) {}

  private Paging() {}

  /**
   * @param pageSize 0 = every item in one page
   * @param token empty for the first page, else the next_page_token of the previous one
   */
  static <T> Page<T> page(List<T> items, Function<T, String> key, int pageSize, String token) {
    // Each key is computed once (a task's key is built from four fields), not at every comparison.
    List<Map.Entry<String, T>> sorted = new ArrayList<>(items.size());
    for (T item : items) {
      sorted.add(Map.entry(key.apply(item), item));
    }
    sorted.sort(Map.Entry.comparingByKey());
    int from = 0;
    if (!token.isEmpty()) {
      String after = decode(token);
      int lo = 0;
      int hi = sorted.size();
      while (lo < hi) { // first key greater than the token's
        int mid = (lo + hi) >>> 1;
        if (sorted.get(mid).getKey().compareTo(after) <= 0) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      from = lo;
    }
    // page_size is unsigned on the wire: above 2^31 it arrives negative here, and is as big as any.
    int size = pageSize == 0 ? sorted.size() - from : pageSize < 0 ? MAX_PAGE_SIZE : Math.min(pageSize, MAX_PAGE_SIZE);
    int to = Math.min(sorted.size(), from + size);
    List<T> page = sorted.subList(from, to).stream().map(Map.Entry::getValue).toList();
    String next = to < sorted.size() && to > from ? encode(sorted.get(to - 1).getKey()) : "";
    return new Page<>(page, next);
  }

  /** A fixed-width decimal, so that numbers compare in string order as they do as numbers. */
  static String ordered(long nonNegative) {
    return String.format("%019d", Math.max(0, nonNegative));
  }

  private static String encode(String key) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString((TOKEN_PREFIX + key).getBytes(StandardCharsets.UTF_8));
  }

  private static String decode(String token) {
    try {
      String raw = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
      if (raw.startsWith(TOKEN_PREFIX)) {
        return raw.substring(TOKEN_PREFIX.length());
      }
    } catch (IllegalArgumentException notBase64) {
      // reported below
    }
    throw Status.INVALID_ARGUMENT.withDescription("invalid page_token \"" + token
        + "\": pass the next_page_token of the previous answer unchanged, or none for the first page")
        .asRuntimeException();
  }
}
