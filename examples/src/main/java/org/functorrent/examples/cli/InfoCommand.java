package org.functorrent.examples.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.metainfo.TorrentFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code functorrent info FILE|-}: what a {@code .torrent} holds. */
@Command(
    name = "info",
    mixinStandardHelpOptions = true,
    description = "Shows what a .torrent file holds: name, info-hash, pieces, files, trackers.")
final class InfoCommand implements Callable<Integer> {
  @Parameters(
      arity = "0..1",
      paramLabel = "FILE",
      description = "The .torrent file; '-' or nothing reads standard input.")
  String file;

  @Option(names = "--json", description = "Machine-readable output.")
  boolean json;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    MetaInfo meta = TorrentInput.parse(file, spec.commandLine(), System.in);
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(Json.write(toMap(meta)));
    } else {
      printText(meta, out);
    }
    return 0;
  }

  private static void printText(MetaInfo meta, PrintWriter out) {
    out.println("name: " + meta.name());
    out.println("info_hash: " + meta.infoHash().toHex());
    out.println("piece length: " + meta.pieceLength());
    out.println("pieces: " + meta.pieceCount());
    out.println("total size: " + meta.totalLength() + " (" + humanSize(meta.totalLength()) + ")");
    out.println("private: " + (meta.isPrivate() ? "yes" : "no"));
    if (meta.isHybrid()) {
      out.println("version: hybrid v1+v2 (opened as v1)");
    }
    meta.comment().ifPresent(c -> out.println("comment: " + c));
    meta.createdBy().ifPresent(c -> out.println("created by: " + c));
    meta.creationDate().ifPresent(d -> out.println("creation date: " + d));
    out.println("files: " + meta.files().size());
    for (TorrentFile f : meta.files()) {
      out.println("  " + String.join("/", f.path()) + "  " + f.length() + (f.isPadding() ? "  (padding)" : ""));
    }
    out.println("trackers:" + (meta.trackerTiers().isEmpty() ? " none" : ""));
    for (int tier = 0; tier < meta.trackerTiers().size(); tier++) {
      for (String url : meta.trackerTiers().get(tier)) {
        out.println("  tier " + tier + ": " + url);
      }
    }
    for (String url : meta.webSeeds()) {
      out.println("web seed: " + url);
    }
  }

  private static Map<String, Object> toMap(MetaInfo meta) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("name", meta.name());
    map.put("info_hash", meta.infoHash().toHex());
    map.put("piece_length", meta.pieceLength());
    map.put("piece_count", meta.pieceCount());
    map.put("total_size", meta.totalLength());
    map.put("private", meta.isPrivate());
    map.put("hybrid", meta.isHybrid());
    map.put("comment", meta.comment().orElse(null));
    map.put("created_by", meta.createdBy().orElse(null));
    map.put("creation_date", meta.creationDate().map(Object::toString).orElse(null));
    List<Object> files = new ArrayList<>();
    for (TorrentFile f : meta.files()) {
      Map<String, Object> file = new LinkedHashMap<>();
      file.put("path", String.join("/", f.path()));
      file.put("length", f.length());
      file.put("padding", f.isPadding());
      files.add(file);
    }
    map.put("files", files);
    List<Object> tiers = new ArrayList<>(meta.trackerTiers());
    map.put("trackers", tiers);
    map.put("web_seeds", new ArrayList<Object>(meta.webSeeds()));
    map.put("magnet", meta.toMagnet().toString());
    return map;
  }

  static String humanSize(long bytes) {
    String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double value = bytes;
    int unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return unit == 0 ? bytes + " B" : String.format("%.1f %s", value, units[unit]);
  }
}
