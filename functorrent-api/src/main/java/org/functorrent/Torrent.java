package org.functorrent;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;
import org.functorrent.metainfo.InfoHash;
import org.functorrent.metainfo.MagnetUri;
import org.functorrent.metainfo.MetaInfo;

/**
 * A torrent to download or seed, with its options: a {@code .torrent}'s metadata, or a magnet link
 * whose metadata is fetched from peers when the download starts. Immutable.
 *
 * <pre>{@code
 * Download d = Torrent.open(Path.of("x.torrent")).withDirectory(Path.of("downloads")).start(l);
 * Download m = Torrent.magnet("magnet:?xt=urn:btih:...").withDirectory(dir).start(l);
 * }</pre>
 */
public final class Torrent {
  private final MetaInfo metaInfo;
  private final MagnetUri magnet;
  private final DownloadOptions options;

  private Torrent(MetaInfo metaInfo, MagnetUri magnet, DownloadOptions options) {
    this.metaInfo = metaInfo;
    this.magnet = magnet;
    this.options = options;
  }

  /**
   * Reads a {@code .torrent} from {@code in} (to its end; not closed).
   *
   * @throws org.functorrent.bencode.BencodeException if it is not bencode
   * @throws org.functorrent.metainfo.InvalidTorrentException if it is not a valid torrent
   */
  public static Torrent open(InputStream in) {
    return new Torrent(MetaInfo.parse(in), null, DownloadOptions.defaults());
  }

  /** Reads a {@code .torrent} file. */
  public static Torrent open(Path file) {
    return new Torrent(MetaInfo.parse(file), null, DownloadOptions.defaults());
  }

  public static Torrent of(MetaInfo metaInfo) {
    return new Torrent(metaInfo, null, DownloadOptions.defaults());
  }

  /**
   * A torrent known only by its magnet link ({@code magnet:?xt=urn:btih:...}). Starting it fetches
   * the metadata from peers (BEP 9): those its {@code tr} trackers give, its {@code x.pe} peers,
   * the peers of {@link DownloadOptions#peers()} and peers that connect to us; then it downloads
   * as if the {@code .torrent} had been opened ({@link TorrentListener#metadataReceived}).
   *
   * @throws org.functorrent.metainfo.InvalidMagnetUriException if it is not a magnet link with a
   *     v1 info-hash, or has a malformed parameter
   */
  public static Torrent magnet(String uri) {
    return new Torrent(null, MagnetUri.parse(uri), DownloadOptions.defaults());
  }

  public static Torrent of(MagnetUri magnet) {
    return new Torrent(null, magnet, DownloadOptions.defaults());
  }

  /** The info-hash, known for a magnet link too. */
  public InfoHash infoHash() {
    return metaInfo != null ? metaInfo.infoHash() : magnet.infoHash();
  }

  /**
   * The metadata of a {@code .torrent}.
   *
   * @throws IllegalStateException for a magnet link, whose metadata comes from peers (see {@link
   *     Download#metadata()})
   */
  public MetaInfo metaInfo() {
    if (metaInfo == null) {
      throw new IllegalStateException(
          "magnet link " + magnet.infoHash().toHex() + ": metadata not known yet (expected: a"
              + " .torrent, or Download.metadata() once started)");
    }
    return metaInfo;
  }

  /** The magnet link, if this torrent is one. */
  public Optional<MagnetUri> magnetUri() {
    return Optional.ofNullable(magnet);
  }

  /** Whether the metadata is known (a {@code .torrent}) rather than to be fetched (a magnet). */
  public boolean hasMetaInfo() {
    return metaInfo != null;
  }

  public DownloadOptions options() {
    return options;
  }

  public Torrent withOptions(DownloadOptions newOptions) {
    return new Torrent(metaInfo, magnet, newOptions);
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
