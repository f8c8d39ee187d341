package org.functorrent.examples;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.functorrent.Download;
import org.functorrent.DownloadState;
import org.functorrent.DownloadStats;
import org.functorrent.Torrent;
import org.functorrent.TorrentListener;
import org.functorrent.storage.FilePriority;

/**
 * A download with a listener and file selection: {@code DownloadWithListener file.torrent DIR
 * [SKIPPED-FILE-INDEX...]} downloads every file but the ones given.
 */
public final class DownloadWithListener {
  private DownloadWithListener() {}

  public static void main(String[] args) {
    Torrent torrent = Torrent.open(Path.of(args[0])).withDirectory(Path.of(args[1]));
    List<FilePriority> priorities = new ArrayList<>();
    for (int i = 0; i < torrent.metaInfo().files().size(); i++) {
      priorities.add(FilePriority.NORMAL);
    }
    for (int i = 2; i < args.length; i++) {
      priorities.set(Integer.parseInt(args[i]), FilePriority.SKIP);
    }
    TorrentListener listener =
        new TorrentListener() {
          @Override
          public void stateChanged(DownloadState state) {
            System.out.println("state: " + state);
          }

          @Override
          public void progress(DownloadStats stats) {
            System.out.printf("%5.1f%%  %d peer(s)%n", stats.progress() * 100, stats.peers());
          }
        };
    try (Download download =
        torrent.withOptions(torrent.options().withFilePriorities(priorities)).start(listener)) {
      DownloadStats done = download.completion().join();
      System.out.println("done: " + done.wantedBytes() + " bytes wanted and verified");
    }
  }
}
