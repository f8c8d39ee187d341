package org.functorrent;

import java.io.InputStream;
import java.nio.file.Path;
import org.functorrent.common.TorrentException;
import org.functorrent.metainfo.MagnetUri;
import org.functorrent.metainfo.MetaInfo;

/**
 * A torrent to download or seed, with its options. Immutable.
 *
 * <pre>{@code
 * Download d = Torrent.open(Path.of("x.torrent")).withDirectory(Path.of("downloads")).start(l);
 * }</pre>
 */
public final class Torrent {
  private final MetaInfo metaInfo;
  private final DownloadOptions options;

  private Torrent(MetaInfo metaInfo, DownloadOptions options) {
    this.metaInfo = metaInfo;
    this.options = options;
  }

  /**
   * Reads a {@code .torrent} from {@code in} (to its end; not closed).
   *
   * @throws org.functorrent.bencode.BencodeException if it is not bencode
   * @throws org.functorrent.metainfo.InvalidTorrentException if it is not a valid torrent
   */
  public static Torrent open(InputStream in) {
    return new Torrent(MetaInfo.parse(in), DownloadOptions.defaults());
  }

  /** Reads a {@code .torrent} file. */
  public static Torrent open(Path file) {
    return new Torrent(MetaInfo.parse(file), DownloadOptions.defaults());
  }

  public static Torrent of(MetaInfo metaInfo) {
    return new Torrent(metaInfo, DownloadOptions.defaults());
  }

  /**
   * A torrent known only by its magnet link.
   *
   * @throws TorrentException always, for now: fetching the metadata from peers (BEP 9) is not
   *     supported yet
   */
  public static Torrent magnet(String uri) {
    MagnetUri magnet = MagnetUri.parse(uri);
    throw new TorrentException(
        "cannot open magnet link for "
            + magnet.infoHash().toHex()
            + ": metadata exchange is not supported yet (use the .torrent file)");
  }

  public MetaInfo metaInfo() {
    return metaInfo;
  }

  public DownloadOptions options() {
    return options;
  }

  public Torrent withOptions(DownloadOptions newOptions) {
    return new Torrent(metaInfo, newOptions);
  }

  /** Where the torrent's files go; the working directory unless set. */
  public Torrent withDirectory(Path directory) {
    return withOptions(options.withDirectory(directory));
  }

  /** Starts the download on the default client, created on first use. */
  public Download start(TorrentListener listener) {
    return TorrentClient.defaultClient().start(this, listener);
  }
}
