package dev.orch.manager.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class PagingTest {
  private static final Function<String, String> SELF = s -> s;

  private static List<String> names(int n) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      names.add("svc-" + Paging.ordered(i));
    }
    return names;
  }

  @Test
  void tenThousandItemsComeInBoundedPagesInOrderEachOnce() {
    List<String> items = names(10_000);
    List<String> seen = new ArrayList<>();
    String token = "";
    int pages = 0;
    do {
      Paging.Page<String> page = Paging.page(items, SELF, 5_000, token);
      assertTrue(page.items().size() <= Paging.MAX_PAGE_SIZE, "a page is capped at " + Paging.MAX_PAGE_SIZE);
      seen.addAll(page.items());
      token = page.nextToken();
      pages++;
    } while (!token.isEmpty());
    assertEquals(items, seen);
    assertEquals(10, pages);
  }

  @Test
  void zeroPageSizeReturnsEverythingAndNoToken() {
    Paging.Page<String> page = Paging.page(names(3), SELF, 0, "");
    assertEquals(3, page.items().size());
    assertEquals("", page.nextToken());
  }

  @Test
  void changesBetweenPagesNeitherRepeatNorSkipWhatRemains() {
    List<String> items = new ArrayList<>(List.of("a", "c", "e", "g"));
    Paging.Page<String> first = Paging.page(items, SELF, 2, "");
    assertEquals(List.of("a", "c"), first.items());
    items.add("b");      // before the token: not returned any more
    items.remove("e");   // removed: the rest still comes
    items.add("f");
    Paging.Page<String> second = Paging.page(items, SELF, 2, first.nextToken());
    assertEquals(List.of("f", "g"), second.items());
    assertEquals("", second.nextToken());
  }

  @Test
  void unsignedPageSizeAboveTwoToTheThirtyOneIsCapped() {
    assertEquals(Paging.MAX_PAGE_SIZE, Paging.page(names(1_500), SELF, -5, "").items().size());
  }

  @Test
  void aForgedTokenIsRefusedWithWhatToDo() {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> Paging.page(names(3), SELF, 1, "not-a-token"));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains("next_page_token"), e.getStatus().getDescription());
  }
}
