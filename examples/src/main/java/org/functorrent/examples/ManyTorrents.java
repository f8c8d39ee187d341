package org.functorrent.examples;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.functorrent.Download;
import org.functorrent.Torrent;
import org.functorrent.TorrentClient;
import org.functorrent.TorrentListener;

/**
 * Many torrents in one client (one listen port, one set of threads): {@code ManyTorrents DIR
 * a.torrent b.torrent ...}.
 */
public final class ManyTorrents {
  private ManyTorrents() {}

  public static void main(String[] args) {
    Path directory = Path.of(args[0]);
    try (TorrentClient client = TorrentClient.builder().listenPort(0).build()) {
      List<Download> downloads = new ArrayList<>();
      for (int i = 1; i < args.length; i++) {
        Torrent torrent = Torrent.open(Path.of(args[i])).withDirectory(directory);
        downloads.add(client.start(torrent, TorrentListener.NONE));
      }
      CompletableFuture.allOf(
              downloads.stream().map(Download::completion).toArray(CompletableFuture[]::new))
          .join();
      for (Download d : downloads) {
        System.out.println(d.metaInfo().name() + ": " + d.stats().state());
      }
    }
  }
}
