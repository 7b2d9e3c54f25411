package dev.orch.manager;

import dev.orch.net.Cidr;
import dev.orch.net.Ipam;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * The address pool chosen at {@code orchd init} (--default-addr-pool, --default-addr-pool-mask-length).
 * Init writes it into the data dir, as it writes the root CA; the first leader copies it into the
 * Cluster object, where the allocator reads it.
 *
 * @param pool the pool overlay subnets come from
 * @param subnetSize the prefix length of each subnet cut from it
 */
public record AddressPoolOptions(String pool, int subnetSize) {
  private static final String FILE = "address-pool.properties";

  public static AddressPoolOptions defaults() {
    return new AddressPoolOptions(Ipam.DEFAULT_POOL, Ipam.DEFAULT_SUBNET_PREFIX);
  }

  /** Checks the options as given on the command line; the message names the option and the fix. */
  public static AddressPoolOptions parse(String pool, Integer subnetSize) {
    Cidr cidr;
    try {
      cidr = Cidr.parse(pool == null ? Ipam.DEFAULT_POOL : pool);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid --default-addr-pool: " + e.getMessage());
    }
    int size = subnetSize == null ? Math.max(Ipam.DEFAULT_SUBNET_PREFIX, cidr.prefix()) : subnetSize;
    if (size < cidr.prefix() || size > 29 || size - cidr.prefix() > 24) {
      throw new IllegalArgumentException("invalid --default-addr-pool-mask-length " + size + ": use a length from /"
          + Math.max(cidr.prefix(), 8) + " to /29 that cuts " + cidr + " into at most 2^24 subnets");
    }
    return new AddressPoolOptions(cidr.toString(), size);
  }

  public void save(Path dataDir) {
    Properties p = new Properties();
    p.setProperty("pool", pool);
    p.setProperty("subnet.size", Integer.toString(subnetSize));
    try (Writer w = Files.newBufferedWriter(dataDir.resolve(FILE))) {
      p.store(w, "address pool of overlay networks, from orchd init");
    } catch (IOException e) {
      throw new UncheckedIOException("writing " + dataDir.resolve(FILE), e);
    }
  }

  /** What init saved, or the defaults for a data dir made without the file. */
  public static AddressPoolOptions load(Path dataDir) {
    Path file = dataDir.resolve(FILE);
    if (!Files.exists(file)) {
      return defaults();
    }
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file)) {
      p.load(r);
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + file, e);
    }
    return new AddressPoolOptions(p.getProperty("pool", Ipam.DEFAULT_POOL),
        Integer.parseInt(p.getProperty("subnet.size", Integer.toString(Ipam.DEFAULT_SUBNET_PREFIX))));
  }
}
