package dev.orch.manager;

import java.util.Random;

/** Object ids like Swarm's: 25 lowercase base-36 characters, from an injected random source. */
public final class Ids {
  private static final char[] ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz".toCharArray();
  private final Random random;

  public Ids(Random random) {
    this.random = random;
  }

  public synchronized String next() {
    char[] out = new char[25];
    for (int i = 0; i < out.length; i++) {
      out[i] = ALPHABET[random.nextInt(ALPHABET.length)];
    }
    return new String(out);
  }
}
