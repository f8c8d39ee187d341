package org.functorrent.examples;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.functorrent.Download;
import org.functorrent.Torrent;
import org.functorrent.TorrentListener;

/**
 * Reads one file while it downloads: {@code StreamWhileDownloading file.torrent DIR INDEX} prints
 * the SHA-256 of file INDEX, computed as its pieces arrive in order.
 */
public final class StreamWhileDownloading {
  private StreamWhileDownloading() {}

  public static void main(String[] args) throws IOException, NoSuchAlgorithmException {
    Torrent torrent = Torrent.open(Path.of(args[0])).withDirectory(Path.of(args[1]));
    MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
    try (Download download = torrent.start(TorrentListener.NONE);
        InputStream in = new BufferedInputStream(download.openStream(Integer.parseInt(args[2])))) {
      byte[] buffer = new byte[64 * 1024];
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        sha256.update(buffer, 0, n); // a player would decode here instead
      }
    }
    System.out.println(HexFormat.of().formatHex(sha256.digest()));
  }
}
