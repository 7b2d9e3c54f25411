package dev.orch.bench;

import dev.orch.agent.image.BlobStore;
import dev.orch.agent.image.ImageCollector;
import dev.orch.agent.image.ImageGcPolicy;
import dev.orch.agent.image.ImageStore;
import dev.orch.proto.Image;
import dev.orch.proto.Meta;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Node image GC benchmark, with the agent's own store: IMAGES images, each of one layer shared by
 * all and one layer of its own (FILES small files), are pulled into a node store; then the time of
 * a collection pass that finds everything in use (the periodic cost), of {@code image ls}, and of
 * removing every image (prune: records, blobs and unpacked dirs) is measured.
 */
@Command(name = "orch-bench-image-gc", mixinStandardHelpOptions = true)
public final class ImageGcBench implements Callable<Integer> {
  @Option(names = "--images", defaultValue = "200", description = "Images on the node.")
  int images;

  @Option(names = "--files", defaultValue = "50", description = "Files in each image's own layer.")
  int files;

  @Option(names = "--runs", defaultValue = "3", description = "Measured runs, each with a fresh store.")
  int runs;

  @Option(names = "--dir", description = "Work directory (default: a temp dir).")
  Path dir;

  public static void main(String[] args) {
    System.exit(new CommandLine(new ImageGcBench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Path work = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("orch-bench-image-gc");
    BlobStore source = new BlobStore(work.resolve("source"));
    String shared = source.put(tar("shared", 20));
    List<Image> all = new ArrayList<>();
    for (int i = 0; i < images; i++) {
      Image.Builder b = Image.newBuilder().addReferences("bench/img" + i + ":1").addLayerDigests(shared)
          .addLayerDigests(source.put(tar("img" + i, files)));
      all.add(b.setMeta(Meta.newBuilder().setId(digest(b.build().toByteArray()))).build());
    }
    List<Double> scan = new ArrayList<>();
    List<Double> list = new ArrayList<>();
    List<Double> prune = new ArrayList<>();
    for (int run = 0; run < runs; run++) {
      Path node = work.resolve("node" + run);
      // usage always 100 %: every pass looks at every image
      ImageStore store = new ImageStore(node, new ImageGcPolicy(0, 0, Duration.ZERO, Duration.ofMinutes(1)),
          Clock.systemUTC(), () -> 100);
      ImageCollector gc = store.collector();
      for (int i = 0; i < all.size(); i++) {
        store.layerDirs(all.get(i), source::open);
        gc.pin("task" + i, all.get(i));
      }
      gc.pinsComplete();
      long t0 = System.nanoTime();
      ImageCollector.Result none = gc.collectGarbage();
      scan.add((System.nanoTime() - t0) / 1e6);
      if (!none.removed().isEmpty()) {
        throw new IllegalStateException("a pinned image was collected");
      }
      t0 = System.nanoTime();
      int listed = gc.list().size();
      list.add((System.nanoTime() - t0) / 1e6);
      for (int i = 0; i < all.size(); i++) {
        gc.unpin("task" + i);
      }
      t0 = System.nanoTime();
      ImageCollector.Result removed = gc.prune();
      prune.add((System.nanoTime() - t0) / 1e6);
      if (listed != images || removed.removed().size() != images) {
        throw new IllegalStateException("listed " + listed + ", removed " + removed.removed().size() + " of " + images);
      }
    }
    System.out.printf(Locale.ROOT, "images=%d files/layer=%d runs=%d%n", images, files, runs);
    System.out.printf(Locale.ROOT, "GC pass, all in use (ms):   median %.1f  max %.1f%n",
        BenchStats.median(scan), scan.stream().mapToDouble(Double::doubleValue).max().orElse(0));
    System.out.printf(Locale.ROOT, "image ls --node (ms):       median %.1f  max %.1f%n",
        BenchStats.median(list), list.stream().mapToDouble(Double::doubleValue).max().orElse(0));
    System.out.printf(Locale.ROOT, "remove all %d images (ms): median %.1f  max %.1f%n", images,
        BenchStats.median(prune), prune.stream().mapToDouble(Double::doubleValue).max().orElse(0));
    return 0;
  }

  private static byte[] tar(String name, int n) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
      TarArchiveEntry d = new TarArchiveEntry(name + "/");
      t.putArchiveEntry(d);
      t.closeArchiveEntry();
      for (int i = 0; i < n; i++) {
        byte[] data = (name + " file " + i + "\n").repeat(200).getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry e = new TarArchiveEntry(name + "/f" + i);
        e.setSize(data.length);
        t.putArchiveEntry(e);
        t.write(data);
        t.closeArchiveEntry();
      }
    }
    return out.toByteArray();
  }

  private static String digest(byte[] b) throws Exception {
    return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }
}
