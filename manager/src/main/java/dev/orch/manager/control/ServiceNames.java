package dev.orch.manager.control;

import java.util.Random;

/** Names for services created without --name, in docker's adjective_noun style. */
final class ServiceNames {
  private static final String[] ADJECTIVES = {
    "agile", "bold", "brave", "calm", "eager", "fair", "gentle", "happy", "keen", "lucid",
    "merry", "nimble", "quiet", "rapid", "sharp", "steady", "swift", "tidy", "vivid", "witty"
  };
  private static final String[] NOUNS = {
    "albatross", "badger", "cheetah", "dolphin", "eagle", "falcon", "gecko", "heron", "ibis",
    "jaguar", "koala", "lynx", "marten", "newt", "otter", "puffin", "quail", "raven", "stork", "tern"
  };

  private ServiceNames() {}

  static String random(Random random) {
    return ADJECTIVES[random.nextInt(ADJECTIVES.length)] + "_" + NOUNS[random.nextInt(NOUNS.length)]
        + "_" + Integer.toString(random.nextInt(36 * 36 * 36), 36);
  }
}
