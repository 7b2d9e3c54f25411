package dev.orch.scheduler;

import java.util.Comparator;
import java.util.List;

/**
 * A binary min-heap built in linear time from a list. {@link java.util.PriorityQueue} would take
 * n log n to build, and a pass builds one heap per task group over every eligible node.
 */
final class MinHeap<T> {
  private final Comparator<? super T> order;
  private Object[] items;
  private int size;

  MinHeap(List<? extends T> initial, Comparator<? super T> order) {
    this.order = order;
    this.items = initial.toArray(new Object[Math.max(1, initial.size())]);
    this.size = initial.size();
    for (int i = size / 2 - 1; i >= 0; i--) {
      siftDown(i);
    }
  }

  boolean isEmpty() {
    return size == 0;
  }

  int size() {
    return size;
  }

  /** Removes and returns the smallest item, or null when empty. */
  @SuppressWarnings("unchecked")
  T poll() {
    if (size == 0) {
      return null;
    }
    T top = (T) items[0];
    items[0] = items[--size];
    items[size] = null;
    if (size > 0) {
      siftDown(0);
    }
    return top;
  }

  void add(T item) {
    if (size == items.length) {
      items = java.util.Arrays.copyOf(items, size * 2);
    }
    items[size] = item;
    siftUp(size++);
  }

  @SuppressWarnings("unchecked")
  private void siftUp(int i) {
    Object x = items[i];
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (order.compare((T) x, (T) items[parent]) >= 0) {
        break;
      }
      items[i] = items[parent];
      i = parent;
    }
    items[i] = x;
  }

  @SuppressWarnings("unchecked")
  private void siftDown(int i) {
    Object x = items[i];
    int half = size >>> 1;
    while (i < half) {
      int child = 2 * i + 1;
      int right = child + 1;
      if (right < size && order.compare((T) items[right], (T) items[child]) < 0) {
        child = right;
      }
      if (order.compare((T) x, (T) items[child]) <= 0) {
        break;
      }
      items[i] = items[child];
      i = child;
    }
    items[i] = x;
  }
}
