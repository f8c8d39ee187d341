package org.functorrent;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.util.List;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.tracker.TrackerStatus;

/**
 * Hears what happens to a download. Every method has a default that does nothing; override what
 * you need. Methods run one at a time on the client's callback thread, never on a network thread;
 * an exception thrown here is logged and ignored.
 */
public interface TorrentListener {
  /** A listener that does nothing. */
  TorrentListener NONE = new TorrentListener() {};

  /**
   * A magnet link's metadata arrived from peers and matched its info-hash: the download goes on
   * as if the {@code .torrent} had been opened.
   */
  default void metadataReceived(MetaInfo metaInfo) {}

  /** The download moved to {@code state}. */
  default void stateChanged(DownloadState state) {}

  /** A tracker's status changed: None, Started, Completed or Error with the reason. */
  default void trackerStatusChanged(URI tracker, TrackerStatus status) {}

  /** A tracker (or the command line) gave us peer addresses. */
  default void peersDiscovered(List<InetSocketAddress> peers) {}

  /** A peer connection passed its handshakes: {@code peer} is its address. */
  default void peerConnected(SocketAddress peer) {}

  /** A peer connection closed; {@code cause} says why (for instance "idle", "banned ..."). */
  default void peerDisconnected(SocketAddress peer, String cause) {}

  /** A piece arrived whole and its hash matched. */
  default void pieceVerified(int piece) {}

  /** A piece arrived whole and its hash did not match: it is downloaded again. */
  default void pieceFailed(int piece) {}

  /** Once a second while the download runs. */
  default void progress(DownloadStats stats) {}

  /** Every piece is verified. */
  default void completed(DownloadStats stats) {}

  /** The download stopped because of {@code error}. */
  default void failed(Throwable error) {}
}
