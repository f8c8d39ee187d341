package org.functorrent.examples;

import java.nio.file.Path;
import org.functorrent.DownloadStats;
import org.functorrent.Torrent;
import org.functorrent.TorrentListener;

/** The one-line download: {@code OneLineDownload file.torrent} into the working directory. */
public final class OneLineDownload {
  private OneLineDownload() {}

  public static void main(String[] args) {
    DownloadStats done =
        Torrent.open(Path.of(args[0])).start(TorrentListener.NONE).completion().join();
    System.out.println("downloaded " + done.totalBytes() + " bytes");
  }
}
