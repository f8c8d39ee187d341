package org.functorrent.metainfo;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.google.common.collect.ImmutableList;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The libtorrent test corpus in {@code src/test/resources/libtorrent-corpus}. */
final class Corpus {
  private Corpus() {}

  /** One line of {@code libtorrent-verdicts.tsv}. */
  record Verdict(
      String file, boolean loads, String infoHash, int fileCount, long totalSize, String detail) {
    @Override
    public String toString() {
      return file;
    }
  }

  static byte[] bytes(String file) {
    try (InputStream in = Corpus.class.getResourceAsStream("/libtorrent-corpus/" + file)) {
      if (in == null) {
        throw new IllegalStateException("no corpus file " + file);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static ImmutableList<Verdict> verdicts() {
    String tsv = new String(bytes("libtorrent-verdicts.tsv"), UTF_8);
    ImmutableList.Builder<Verdict> verdicts = ImmutableList.builder();
    for (String line : tsv.split("\n")) {
      if (line.isBlank() || line.startsWith("file\t")) {
        continue;
      }
      String[] f = line.split("\t", -1);
      boolean loads = f[1].equals("loads");
      verdicts.add(
          new Verdict(
              f[0],
              loads,
              f[2],
              loads ? Integer.parseInt(f[3]) : -1,
              loads ? Long.parseLong(f[4]) : -1,
              f[5]));
    }
    return verdicts.build();
  }
}
